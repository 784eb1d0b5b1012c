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

from bench.common import PYTHON, REPO, ChildRun, Row, best, callgrind_instructions, median, run_child
from mkdocs_appreg.markdown.directive import expand_directives, resolve_snippet_path
from mkdocs_appreg.plugin.config import load_settings
from mkdocs_appreg.site.project import render_project

SITE_PARTS = ("mkdocs.yml", "docs", "templates", "hooks")


def copy_site(source: Path, target: Path) -> Path:
    """Copy mkdocs.yml, docs/, templates/ and hooks/ (the site's MkDocs hooks) of `source` into `target`."""
    target.mkdir(parents=True)
    for part in SITE_PARTS:
        path = source / part
        if path.is_dir():
            shutil.copytree(path, target / part, ignore=shutil.ignore_patterns("__pycache__"))
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


# Hash seeds of the instruction counts. Python randomises str hashes per process, which changes
# dict and set layouts and so the instructions a build executes by about 0.3% from one process to
# the next (the twin measured 5.305 G and 5.333 G); each seed makes the count of one build exact,
# and the verdict is the median over the seeds of the ratio under the same seed.
SEEDS = (0, 1, 2)


def instructions(site: Path, *, empty_cache: bool = False, seed: int | None = None) -> float | None:
    """Instructions one `mkdocs build` executes, counted by valgrind's callgrind; None without it."""
    if empty_cache:
        shutil.rmtree(site / ".cache", ignore_errors=True)
    try:
        return callgrind_instructions(
            [PYTHON, "-m", "mkdocs", "build", "-q", "--strict", "-d", str(site / "site")], cwd=site, seed=seed
        )
    except RuntimeError as error:
        raise RuntimeError(f"callgrind build failed in {site}: {error}") from None


def run(
    *, quick: bool, source: Path = REPO, repeats: int | None = None, count: bool | None = None
) -> list[Row]:
    """Plugin vs twin build CPU time (quick: 3 runs each, full: 11), and instruction counts (full)."""
    repeats = repeats if repeats is not None else (3 if quick else 11)
    count = (not quick) if count is None else count
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
        cold_runs: list[ChildRun] = []
        for index in range(repeats):
            plugin_runs.append(build(plugin_site))
            twin_runs.append(build(twin_site))
            if index % 3 == 0:
                shutil.rmtree(plugin_site / ".cache", ignore_errors=True)
                cold_runs.append(build(plugin_site))
        counts: dict[str, list[float | None]] = {}
        for seed in SEEDS if count else ():
            counts.setdefault("twin", []).append(instructions(twin_site, seed=seed))
            build(plugin_site)  # the record for this seed's reused build (a cold build just ran)
            counts.setdefault("plugin", []).append(instructions(plugin_site, seed=seed))
            counts.setdefault("cold", []).append(instructions(plugin_site, empty_cache=True, seed=seed))
    rows = _time_rows(plugin_runs, twin_runs, [cold, *cold_runs], repeats)
    rows.extend(_instruction_rows(counts))
    return rows


def _time_rows(
    plugin_runs: list[ChildRun], twin_runs: list[ChildRun], cold_runs: list[ChildRun], repeats: int
) -> list[Row]:
    twin_cpu = median([r.cpu for r in twin_runs])
    plugin_cpu = median([r.cpu for r in plugin_runs])
    # Each plugin build against the twin build right after it: neighbours in time share the
    # machine's load, so the median of these ratios drifts less than a ratio of medians.
    paired = median([p.cpu / t.cpu for p, t in zip(plugin_runs, twin_runs, strict=True)])
    twin_best = best([r.cpu for r in twin_runs])
    plugin_best = best([r.cpu for r in plugin_runs])
    cold_cpu = median([r.cpu for r in cold_runs])
    note = f"median of {repeats} builds each, alternated; `mkdocs build --strict` in a fresh process"
    return [
        Row("build", "twin (hand-written pages, no plugin): CPU", twin_cpu, note="baseline"),
        Row(
            "build",
            "with the appreg plugin (previous build's record reused): CPU",
            plugin_cpu,
            twin_cpu,
            ratio=plugin_cpu / twin_cpu,
            target=1.03,
            note=note,
        ),
        Row(
            "build",
            "with the appreg plugin (record reused): CPU, median of paired ratios",
            paired,
            unit="x",
            ratio=paired,
            target=1.03,
            note="each plugin build over the twin build right after it",
        ),
        Row(
            "build",
            "with the appreg plugin (record reused): CPU, best run",
            plugin_best,
            twin_best,
            ratio=plugin_best / twin_best,
            target=1.03,
            note="fastest of each: the least disturbed by other load on a shared machine",
        ),
        Row(
            "build",
            "with the appreg plugin, empty cache dir (first build, CI without a cache): CPU",
            cold_cpu,
            twin_cpu,
            ratio=cold_cpu / twin_cpu,
            target=1.03,
            note=f"median of {len(cold_runs)}: renders, loads CRDs, validates everything",
        ),
    ]


def _instruction_rows(counts: dict[str, list[float | None]]) -> list[Row]:
    if not counts:
        return []
    twins = counts.get("twin") or []
    if not twins or any(twin is None for twin in twins):
        return [Row("build", "instruction counts skipped: valgrind is not installed", 0.0, unit="")]
    rows = [
        Row(
            "build",
            "twin: instructions (callgrind)",
            median([t for t in twins if t is not None]) / 1e9,
            unit="G",
            note=f"baseline; median over hash seeds {', '.join(map(str, SEEDS[: len(twins)]))}",
        )
    ]
    for key, label in (("plugin", "record reused"), ("cold", "empty cache dir")):
        values = counts.get(key) or []
        pairs = [(v, t) for v, t in zip(values, twins, strict=False) if v is not None and t is not None]
        if not pairs:
            continue
        ratios = [v / t for v, t in pairs]
        ratio = median(ratios)
        rows.append(
            Row(
                "build",
                f"with the appreg plugin ({label}): instructions (callgrind)",
                median([v for v, _ in pairs]) / 1e9,
                median([t for _, t in pairs]) / 1e9,
                unit="G",
                ratio=ratio,
                target=1.03,
                note=f"median of {len(ratios)} per-seed ratios ({min(ratios):.3f}-{max(ratios):.3f}); "
                "one build per seed under valgrind",
            )
        )
    return rows
