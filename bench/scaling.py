"""Benchmark 4: how validation time and memory grow with the number of resources and CRDs.

Each case runs in a fresh interpreter: CRDs are loaded (through the CRD cache), then the loop
`appreg validate` runs per file is timed (CPU) over the corpus, and the resident set's growth
during the loop (VmHWM after minus VmRSS before) is its memory. 10x the resources should cost at
most 11x the time, and memory should grow no faster than the input.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from bench import corpus
from bench.common import PYTHON, Row, run_child

_CHILD = """
import json, sys, time
from pathlib import Path
from mkdocs_appreg.cli import commands as cli
from mkdocs_appreg.site.check import core_schemas, validate_stream
from mkdocs_appreg.engine.crdcache import CrdCache
from mkdocs_appreg.engine.schemas import SchemaRegistry

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

directory, crds, limit, cache_dir = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
registry = SchemaRegistry.builtin()
if crds:
    for file in sorted(Path(crds).rglob("*.yaml"))[:limit]:
        registry.add_path(file, cache=CrdCache(cache_dir))
core = core_schemas(None)
# Names as plain strings, made before the loop is measured: a Path caches its string form on
# first use (and pathlib interns its parts), which would be the harness's memory growing, not ours.
files = [str(path) for path in sorted(directory.glob("*.yaml"))]
# Compile what the corpus uses first, as any real run has by its second file.
for path in files[:50]:
    source = cli.read_source(path, None)
    validate_stream(source.data, source.name, registry, core, missing="error")
before = status("VmRSS")
start = time.process_time()
errors = documents = 0
for path in files:
    source = cli.read_source(path, None)
    found, count = validate_stream(source.data, source.name, registry, core, missing="error")
    documents += count
    errors += sum(1 for f in found if f.severity == "error")
elapsed = time.process_time() - start
growth = status("VmHWM") - before
# The floor over the same files in the same process: how merely parsing them grows with the size.
import yaml
start = time.process_time()
for path in files:
    with open(path, "rb") as handle:
        list(yaml.load_all(handle.read().decode("utf-8"), Loader=yaml.CSafeLoader))
floor = time.process_time() - start
print(json.dumps({"seconds": elapsed, "growth_mb": growth, "documents": documents, "errors": errors,
                  "floor_seconds": floor, "bytes": sum(Path(p).stat().st_size for p in files)}))
"""


def _best_floor(runs: list[dict[str, float]]) -> float:
    return min(run["floor_seconds"] for run in runs)


def _case(directory: Path, crds: str, limit: int, cache_dir: Path) -> dict[str, float]:
    child = run_child([PYTHON, "-c", _CHILD, str(directory), crds, str(limit), str(cache_dir)])
    if child.returncode != 0:
        raise RuntimeError(f"scaling child failed: {child.stderr.strip()[-500:]}")
    result: dict[str, float] = json.loads(child.stdout)
    return result


def run(
    *, quick: bool, sizes: tuple[int, ...] | None = None, eda: bool = True, repeats: int | None = None
) -> list[Row]:
    """Rows for each CRD set: time and memory at each size, and the growth between sizes."""
    sizes = sizes if sizes is not None else ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    repeats = repeats if repeats is not None else (2 if quick else 3)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="appreg-bench-scaling-") as temporary:
        root = Path(temporary)
        cache_dir = root / "crd-cache"
        sets: list[tuple[str, str, int, list[dict[str, object]]]] = []
        full = corpus.eda_registry() if eda else None
        if full is not None:
            ten = corpus.eda_registry(limit=10)
            assert ten is not None
            sets.append(("10 EDA CRDs", str(corpus.EDA_CRDS), 10, corpus.crd_templates(ten)))
            sets.append(("199 EDA CRDs", str(corpus.EDA_CRDS), 10_000, corpus.crd_templates(full)))
        elif eda:
            rows.append(Row("scaling", f"EDA cases skipped: {corpus.EDA_CRDS} is absent", 0.0, unit=""))
        sets.append(("synthetic (bundled CRDs)", "", 0, corpus.synthetic_templates()))
        for label, crds, limit, templates in sets:
            directories = {}
            for size in sizes:
                directory = root / f"{len(rows)}-{size}"
                corpus.write_corpus(templates, size, directory)
                directories[size] = directory
            # Runs of all sizes alternate (small, large, small, large...): the machine's load drifts
            # over minutes, and a ratio of two runs minutes apart would measure the drift.
            runs: dict[int, list[dict[str, float]]] = {size: [] for size in sizes}
            for _ in range(repeats):
                for size in sizes:
                    runs[size].append(_case(directories[size], crds, limit, cache_dir))
            previous: dict[str, float] | None = None
            previous_size = sizes[0]
            for size in sizes:
                result = min(runs[size], key=lambda run: run["seconds"])
                note = f"{result['documents'] / result['seconds']:,.0f} docs/s; {result['errors']:.0f} errors"
                rows.append(
                    Row("scaling", f"{label}: {size:,} resources, time", result["seconds"], note=note)
                )
                rows.append(
                    Row("scaling", f"{label}: {size:,} resources, RSS growth", result["growth_mb"], unit="MB")
                )
                if previous is not None:
                    factor = result["documents"] / previous["documents"]
                    rows.append(
                        Row(
                            "scaling",
                            f"{label}: time {factor:.0f}x the resources",
                            result["seconds"],
                            previous["seconds"],
                            ratio=result["seconds"] / previous["seconds"],
                            target=1.1 * factor,
                            note=f"best of {repeats} runs each, sizes alternated",
                        )
                    )
                    # The C loader over the same files grows by about as much on this machine (page
                    # cache, directory size, other tenants): our growth over the floor's is what our
                    # own code adds.
                    floor_growth = _best_floor(runs[size]) / _best_floor(runs[previous_size])
                    rows.append(
                        Row(
                            "scaling",
                            f"{label}: floor (CSafeLoader) time {factor:.0f}x the resources",
                            floor_growth,
                            unit="x",
                            ratio=floor_growth,
                            note="parsing alone, same files, same processes",
                        )
                    )
                    rows.append(
                        Row(
                            "scaling",
                            f"{label}: time growth over the floor's growth",
                            (result["seconds"] / previous["seconds"]) / floor_growth,
                            unit="x",
                            ratio=(result["seconds"] / previous["seconds"]) / floor_growth,
                            target=1.1,
                            note="1.00x: validation grows exactly as parsing does",
                        )
                    )
                    input_growth = result["bytes"] / previous["bytes"]
                    memory_growth = max(result["growth_mb"], 0.1) / max(previous["growth_mb"], 0.1)
                    rows.append(
                        Row(
                            "scaling",
                            f"{label}: memory growth vs input growth ({input_growth:.0f}x)",
                            memory_growth,
                            unit="x",
                            ratio=memory_growth,
                            target=input_growth,
                            note="RSS growth during the loop, floored at 0.1 MB",
                        )
                    )
                previous = result
                previous_size = size
            for directory in directories.values():
                shutil.rmtree(directory)
    return rows
