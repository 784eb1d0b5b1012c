"""Benchmark 1: `mkdocs build` of the project's own site, with the plugin and without it.

The twin is the same site written out by hand, the way it was before the plugin existed: each
rendered template saved as a static file in docs/, each `/// resource` directive replaced by the
tab markup it expands to (plain `--8<--` snippets), and the appreg plugin removed from
mkdocs.yml. Both are built from temporary copies, alternately, in fresh `mkdocs build` processes;
the cost compared is each child's CPU time (wait4 rusage), steadier than wall time on a shared
machine, median of the runs after one warm-up build each. The plugin's copy keeps its cache dir
between builds, as a real project does; a build with an empty cache is measured separately.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from bench.common import PYTHON, REPO, ChildRun, Row, best, median, run_child
from mkdocs_appreg.config import load_settings
from mkdocs_appreg.markdown import expand_directives, resolve_snippet_path
from mkdocs_appreg.project import render_project

SITE_PARTS = ("mkdocs.yml", "docs", "templates")


def copy_site(source: Path, target: Path) -> Path:
    """Copy mkdocs.yml, docs/ and templates/ of `source` into `target`."""
    target.mkdir(parents=True)
    for part in SITE_PARTS:
        path = source / part
        if path.is_dir():
            shutil.copytree(path, target / part)
        elif path.is_file():
            shutil.copy2(path, target / part)
    return target


def make_twin(site: Path) -> None:
    """Turn a copy of the site into its hand-written twin, in place."""
    settings = load_settings(site / "mkdocs.yml")
    result = render_project(settings)
    if result.findings:
        raise RuntimeError(f"templates do not render: {result.findings[0].located()}")
    for item in result.rendered:
        target = settings.docs_dir / item.docs_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.text, encoding="utf-8")
    for page in settings.docs_dir.rglob("*.md"):
        lines = page.read_text(encoding="utf-8").split("\n")
        expanded = expand_directives(lines, lambda path: resolve_snippet_path(path, [site]))
        page.write_text("\n".join(expanded), encoding="utf-8")
    config_file = site / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    plugins = config.get("plugins") or []
    config["plugins"] = [p for p in plugins if p != "appreg" and not (isinstance(p, dict) and "appreg" in p)]
    # templates/ stays: the reference pages include a template's source through snippets.
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def build(site: Path) -> ChildRun:
    run = run_child(
        [PYTHON, "-m", "mkdocs", "build", "--quiet", "--strict", "-d", str(site / "site")], cwd=site
    )
    if run.returncode != 0:
        raise RuntimeError(f"mkdocs build failed in {site}: {run.stderr.strip()[-800:]}")
    return run


def run(*, quick: bool, source: Path = REPO, repeats: int | None = None) -> list[Row]:
    """Plugin vs twin build CPU time (quick: 3 runs each, full: 7)."""
    repeats = repeats if repeats is not None else (3 if quick else 7)
    with tempfile.TemporaryDirectory(prefix="appreg-bench-build-") as temporary:
        plugin_site = copy_site(source, Path(temporary) / "plugin")
        twin_site = copy_site(source, Path(temporary) / "twin")
        try:
            make_twin(twin_site)
            cold = build(plugin_site)  # warm-up, with an empty cache dir
            build(twin_site)
        except RuntimeError as error:
            return [Row("build", f"skipped: {error}", 0.0, unit="")]
        plugin_runs: list[ChildRun] = []
        twin_runs: list[ChildRun] = []
        for _ in range(repeats):
            plugin_runs.append(build(plugin_site))
            twin_runs.append(build(twin_site))
    twin_cpu = median([r.cpu for r in twin_runs])
    plugin_cpu = median([r.cpu for r in plugin_runs])
    twin_wall = median([r.wall for r in twin_runs])
    # On a shared VM the same build's CPU time varies up to 2x between runs (other tenants slow the
    # cores down): the median can land on disturbed runs of one side, the best run rarely does.
    twin_best = best([r.cpu for r in twin_runs])
    plugin_best = best([r.cpu for r in plugin_runs])
    plugin_wall = median([r.wall for r in plugin_runs])
    note = f"median of {repeats} builds each, alternated; `mkdocs build --strict` in a fresh process"
    return [
        Row("build", "twin (hand-written pages, no plugin): CPU", twin_cpu, note="baseline"),
        Row(
            "build",
            "with the appreg plugin: CPU",
            plugin_cpu,
            twin_cpu,
            ratio=plugin_cpu / twin_cpu,
            target=1.03,
            note=note,
        ),
        Row(
            "build",
            "with the appreg plugin: CPU, best run",
            plugin_best,
            twin_best,
            ratio=plugin_best / twin_best,
            target=1.03,
            note="fastest of each: the least disturbed by other load on a shared machine",
        ),
        Row("build", "with the appreg plugin: wall", plugin_wall, twin_wall, ratio=plugin_wall / twin_wall),
        Row(
            "build",
            "with the appreg plugin, empty cache dir (first build): CPU",
            cold.cpu,
            twin_cpu,
            ratio=cold.cpu / twin_cpu,
            note="one run",
        ),
    ]
