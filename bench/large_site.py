"""Benchmark: a 200-page site with 400 directives and the 199 EDA CRDs, with the plugin and without.

`generate_site` writes a docs site the size of a real product's: `pages` pages, each with prose,
a heading per resource and `directives_per_page` `/// resource` directives. Every directive shows
its own template, made from a real-shaped resource of one of the EDA kinds (the corpus generator
of `corpus.py`: one valid resource per served version of each CRD, 202 kinds), with the
namespace and a label coming from the vars, so rendering does real work. The 199 CRDs are copied
into the site (`crds:` may not leave the project) and every rendered resource is validated
against them.

The twin is `build_overhead.make_twin` of a copy: every template rendered once into a static file
under docs/, every directive replaced by the tab markup it expands to, the plugin removed. Both
sites are built alternately in fresh `mkdocs build --strict` processes; CPU time is each child's
rusage. Cases:
- warm: the plugin's cache dir kept between builds (the previous build's record reused), as on a
  developer's machine or in CI with `cache_dir` cached;
- cold: the cache dir removed before each build (CI without a cache).
With valgrind, each case is also counted in instructions under one hash seed (a build of this
site under callgrind takes minutes; the small site's benchmark counts three seeds).

Skipped when `../shared/crds/eda` is absent.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bench.build_overhead import copy_site, make_twin
from bench.common import PYTHON, ChildRun, Row, best, callgrind_instructions, median, run_child
from bench.corpus import EDA_CRDS, crd_templates, eda_registry

# The markdown extensions of this repository's own site, and its theme: the twin and the plugin
# site differ only in the plugin.
_CONFIG: dict[str, Any] = {
    "site_name": "large",
    "theme": {"name": "material", "features": ["content.tabs.link", "content.code.copy"]},
    "markdown_extensions": [
        "attr_list",
        {"toc": {"permalink": True}},
        "pymdownx.highlight",
        "pymdownx.superfences",
        {"pymdownx.snippets": {"check_paths": True}},
        {"pymdownx.blocks.tab": {"alternate_style": True}},
        "admonition",
    ],
}

_PROSE = (
    "This resource is part of the fabric configuration. Apply it with the command in the second "
    "tab, or download the published file. Fields left at their defaults are omitted; see the "
    "reference for each field's meaning and the values it accepts."
)


def _template_text(resource: dict[str, Any], name: str) -> str:
    """The resource as a template: its name fixed, namespace and a label from the vars."""
    resource = dict(resource)
    metadata = dict(resource.get("metadata") or {})
    metadata["name"] = name
    metadata["namespace"] = "__NAMESPACE__"
    metadata["labels"] = {"app.kubernetes.io/part-of": "__PART_OF__"}
    resource["metadata"] = metadata
    text = yaml.safe_dump(resource, sort_keys=False)
    return text.replace("__NAMESPACE__", "{{ namespace }}").replace("__PART_OF__", "{{ part_of | quote }}")


def generate_site(
    root: Path,
    *,
    pages: int = 200,
    directives_per_page: int = 2,
    crds: Path = EDA_CRDS,
    templates: list[dict[str, Any]] | None = None,
) -> Path:
    """Write the site under `root` (created); returns `root`.

    Raises:
        RuntimeError: No resource could be generated from the CRDs.
    """
    if templates is None:
        registry = eda_registry(crds)
        templates = crd_templates(registry) if registry is not None else []
    if not templates:
        raise RuntimeError(f"no resources could be generated from {crds}")
    root.mkdir(parents=True)
    shutil.copytree(crds, root / "crds")
    config = dict(_CONFIG)
    config["plugins"] = [
        "search",
        {"appreg": {"crds": ["crds"], "vars": {"namespace": "eda-system", "part_of": "fabric"}}},
    ]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    nav: list[str] = []
    for page in range(pages):
        section = f"area-{page % 20:02d}"
        lines = [f"# Page {page}", "", _PROSE, ""]
        for slot in range(directives_per_page):
            index = page * directives_per_page + slot
            resource = templates[index % len(templates)]
            kind = str(resource.get("kind", "Resource"))
            name = f"{kind.lower()}-{index}"
            relative = f"{section}/resources/{name}.yaml"
            template = root / "templates" / f"{relative}.j2"
            template.parent.mkdir(parents=True, exist_ok=True)
            template.write_text(_template_text(resource, name), encoding="utf-8")
            lines += [f"## {kind} {index}", "", _PROSE, "", f"/// resource | docs/{relative}", "///", ""]
        document = root / "docs" / section / f"page-{page:03d}.md"
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_text("\n".join(lines), encoding="utf-8")
        nav.append(f"{section}/page-{page:03d}.md")
    (root / "docs" / "index.md").write_text("# Large site\n\n" + _PROSE + "\n", encoding="utf-8")
    return root


def _build(site: Path) -> ChildRun:
    run = run_child(
        [PYTHON, "-m", "mkdocs", "build", "--quiet", "--strict", "-d", str(site / "site")], cwd=site
    )
    if run.returncode != 0:
        raise RuntimeError(f"mkdocs build failed in {site}: {run.stderr.strip()[-800:]}")
    return run


def _cold(site: Path) -> ChildRun:
    shutil.rmtree(site / ".cache", ignore_errors=True)
    return _build(site)


def run(
    *, quick: bool, repeats: int | None = None, count: bool | None = None, pages: int | None = None
) -> list[Row]:
    """Plugin vs twin on the large site: warm and cold CPU (alternated), instructions (full run)."""
    if not EDA_CRDS.is_dir():
        return [Row("large-site", f"skipped: {EDA_CRDS} is absent", 0.0, unit="")]
    repeats = repeats if repeats is not None else (2 if quick else 5)
    count = (not quick) if count is None else count
    pages = pages if pages is not None else (50 if quick else 200)
    with tempfile.TemporaryDirectory(prefix="appreg-bench-large-") as temporary:
        source = generate_site(Path(temporary) / "source", pages=pages)
        plugin_site = copy_site(source, Path(temporary) / "plugin")
        shutil.copytree(source / "crds", plugin_site / "crds")
        twin_site = copy_site(source, Path(temporary) / "twin")
        shutil.copytree(source / "crds", twin_site / "crds")  # the config names them until make_twin
        make_twin(twin_site)
        shutil.rmtree(twin_site / "templates")  # the twin's pages include static files only
        _build(plugin_site)  # warm-up; leaves the record the warm builds reuse
        _build(twin_site)
        warm: list[ChildRun] = []
        cold: list[ChildRun] = []
        twin_warm: list[ChildRun] = []
        twin_cold: list[ChildRun] = []
        for _ in range(repeats):
            # Each plugin build is paired with the twin build next to it in time.
            warm.append(_build(plugin_site))
            twin_warm.append(_build(twin_site))
            cold.append(_cold(plugin_site))
            twin_cold.append(_build(twin_site))
        _build(plugin_site)  # a record again, for the warm count
        counts: dict[str, float | None] = {}
        if count:
            args = [PYTHON, "-m", "mkdocs", "build", "-q", "--strict", "-d"]
            counts["twin"] = callgrind_instructions([*args, str(twin_site / "site")], cwd=twin_site, seed=0)
            counts["warm"] = callgrind_instructions(
                [*args, str(plugin_site / "site")], cwd=plugin_site, seed=0
            )
            shutil.rmtree(plugin_site / ".cache", ignore_errors=True)
            counts["cold"] = callgrind_instructions(
                [*args, str(plugin_site / "site")], cwd=plugin_site, seed=0
            )
    directives = pages * 2
    size = f"{pages} pages, {directives} directives, 199 EDA CRDs"
    rows = [
        Row(
            "large-site",
            f"twin ({size}): CPU",
            median([r.cpu for r in twin_warm + twin_cold]),
            note="baseline",
        )
    ]
    for label, runs, twins, target in (
        ("warm (record reused)", warm, twin_warm, 1.02),
        ("cold (empty cache dir)", cold, twin_cold, 1.05),
    ):
        paired = median([p.cpu / t.cpu for p, t in zip(runs, twins, strict=True)])
        rows.append(
            Row(
                "large-site",
                f"with the plugin, {label}: CPU, median of paired ratios",
                median([r.cpu for r in runs]),
                median([t.cpu for t in twins]),
                ratio=paired,
                target=target,
                note=f"{repeats} builds each, alternated; best {best([r.cpu for r in runs]):.2f} s "
                f"vs {best([t.cpu for t in twins]):.2f} s; peak RSS {max(r.max_rss_mb for r in runs):.0f} MB "
                f"vs {max(t.max_rss_mb for t in twins):.0f} MB",
            )
        )
    twin_count = counts.get("twin")
    for key, label, target in (("warm", "warm", 1.02), ("cold", "cold", 1.05)):
        value = counts.get(key)
        if value is None or twin_count is None:
            continue
        rows.append(
            Row(
                "large-site",
                f"with the plugin, {label}: instructions (callgrind)",
                value / 1e9,
                twin_count / 1e9,
                unit="G",
                ratio=value / twin_count,
                target=target,
                note="hash seed 0, one build each under valgrind",
            )
        )
    return rows
