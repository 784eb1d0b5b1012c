"""Each benchmark in bench/ runs end to end on a tiny input, so none of them rots.

Nothing here asserts a duration: the benchmarks print ratios, and only `python -m bench` judges
them. What is checked is that each one measures what it says (rows with positive values, a
baseline where there is one, no skipped or failed case that should have run).

The tests that run a benchmark take minutes (one under valgrind), so they carry the `bench` marker,
which the default selection leaves out (pyproject.toml `addopts`); `.ci/bench-smoke` runs them with
`python -m pytest -m bench tests/test_bench_smoke.py`. The checks of the benchmarks' own helpers
stay in the main suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
GOOD_CRDS = Path(__file__).resolve().parent / "fixtures" / "crds" / "good"
sys.path.insert(0, str(REPO))

from bench import (  # noqa: E402
    build_overhead,
    cold_floor,
    corpus,
    crd_loading,
    parallel,
    scaling,
    serve_rebuild,
    startup,
    throughput,
)
from bench.common import Row, format_table  # noqa: E402
from bench.run import BENCHMARKS  # noqa: E402


def measured(rows: list[Row]) -> list[Row]:
    problems = [row.case for row in rows if "failed" in row.case or "skipped" in row.case]
    assert problems == []
    assert rows
    for row in rows:
        # Times and rates are positive; a memory growth may be nothing at all.
        assert row.value > 0 if row.unit in ("s", "ms", "docs/s") else row.value >= 0, row
        if row.baseline is not None:
            assert row.baseline > 0 and row.ratio is not None and row.ratio > 0, row
    assert "| benchmark |" in format_table(rows)
    return rows


def test_synthetic_corpus_is_valid_and_sized(tmp_path: Path) -> None:
    files = corpus.write_corpus(corpus.synthetic_templates(), 25, tmp_path, per_file=10)
    assert [len(f.read_text().split("---\n")) for f in files] == [10, 10, 5]
    registry = throughput.SchemaRegistry.builtin()
    assert throughput.validator(registry)(files) == 0
    assert throughput.floor(files) == 25


def test_generated_resources_from_crds_are_valid() -> None:
    registry = corpus.SchemaRegistry.builtin()
    registry.add_path(GOOD_CRDS)
    templates = corpus.crd_templates(registry)
    assert {t["kind"] for t in templates} >= {"Widget"}


@pytest.mark.bench
def test_throughput_bench() -> None:
    rows = measured(throughput.run(quick=True, count=20, repeats=1, eda=False))
    assert any("subprocess" in row.case for row in rows)


@pytest.mark.bench
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_throughput_bench_counts_instructions() -> None:
    rows = measured(throughput.run(quick=True, count=10, repeats=1, eda=False, instructions=True))
    [counted] = [row for row in rows if "instructions" in row.case]
    assert counted.value > counted.baseline > 0 and counted.target == 1.5  # type: ignore[operator]


@pytest.mark.bench
def test_startup_bench_measures_memory() -> None:
    [row] = measured(startup.run(quick=True, count=200, instructions=False))
    assert "200 ConfigMaps" in row.case and row.unit == "MB" and row.target == 50.0


@pytest.mark.bench
def test_crd_loading_bench() -> None:
    rows = measured(crd_loading.run(quick=True, crds=GOOD_CRDS, repeats=1))
    assert any("disk" in row.case for row in rows) and any("memory" in row.case for row in rows)


@pytest.mark.bench
def test_scaling_bench() -> None:
    rows = measured(scaling.run(quick=True, sizes=(20, 200), eda=False))
    assert any("10x the resources" in row.case for row in rows)


@pytest.mark.bench
def test_serve_rebuild_bench() -> None:
    rows = measured(serve_rebuild.run(quick=True, repeats=1, eda=False))
    assert any("one template edited" in row.case for row in rows)


@pytest.mark.bench
def test_parallel_bench() -> None:
    rows = measured(parallel.run(quick=True, count=40, repeats=1, eda=False))
    assert any("forked workers" in row.case for row in rows)


@pytest.mark.bench
@pytest.mark.skipif(not corpus.EDA_CRDS.is_dir(), reason="the EDA CRDs (../shared/crds/eda) are absent")
def test_cold_floor_bench() -> None:
    rows = measured(cold_floor.run(quick=True, pages=3, repeats=1))
    assert [row.case.rsplit(", share", 1)[0] for row in rows[1:]] == [
        label for _, label in cold_floor._FLOORS
    ] + ["the two floors together (events + Jinja)"]


@pytest.mark.bench
def test_build_overhead_bench() -> None:
    rows = measured(build_overhead.run(quick=True, repeats=1))
    assert any(row.baseline is not None for row in rows)


def test_twin_has_the_rendered_files_and_no_plugin(tmp_path: Path) -> None:
    site = build_overhead.copy_site(REPO, tmp_path / "twin")
    rendered = build_overhead.render_project(build_overhead.load_settings(site / "mkdocs.yml")).rendered
    build_overhead.make_twin(site)
    assert rendered
    for item in rendered:
        assert (site / "docs" / item.docs_path).read_text(encoding="utf-8") == item.text
    plugins = yaml.safe_load((site / "mkdocs.yml").read_text(encoding="utf-8")).get("plugins") or []
    assert [p for p in plugins if p == "appreg" or (isinstance(p, dict) and "appreg" in p)] == []


@pytest.mark.bench
def test_command_line_lists_every_benchmark() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=REPO, capture_output=True, text=True, check=True
    )
    for name in BENCHMARKS:
        assert name in result.stdout


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_every_benchmark_takes_quick(name: str) -> None:
    import inspect

    assert "quick" in inspect.signature(BENCHMARKS[name]).parameters


def test_instruction_counts_are_skipped_cleanly_without_valgrind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_overhead.shutil, "which", lambda name: None)
    assert build_overhead.instructions(REPO) is None
    rows = build_overhead._instruction_rows({"twin": [None]})
    assert [row.case for row in rows] == ["instruction counts skipped: valgrind is not installed"]
    counts: dict[str, list[float | None]] = {
        "twin": [2e9, 2.1e9, 2.0e9],
        "plugin": [2.04e9, 2.1e9, 2.02e9],
        "cold": [2.1e9, 2.2e9, 2.08e9],
    }
    rows = build_overhead._instruction_rows(counts)
    # Per-seed ratios: plugin 1.02, 1.00, 1.01 -> median 1.01; cold 1.05, 1.048, 1.04 -> 1.048.
    assert [(row.verdict, round(row.ratio or 0, 3)) for row in rows if row.baseline] == [
        ("ok", 1.01),
        ("MISS", 1.048),
    ]
