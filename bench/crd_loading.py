"""Benchmark 3: loading the 199 EDA CRDs cold (parsed) and warm (crdcache hits).

Each measurement (CPU time) runs in a fresh interpreter, as `mkdocs build` and `appreg validate` do, so the
disk layer is measured with nothing in memory. The memory layer (a `mkdocs serve` rebuild) is the
second load in the same interpreter. Baseline: the cold load, in the same run.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from bench.common import PYTHON, Row, best, run_child
from bench.corpus import EDA_CRDS

_CHILD = """
import json, sys, time
from pathlib import Path
from mkdocs_appreg.engine.crdcache import CrdCache
from mkdocs_appreg.engine.schemas import SchemaRegistry
crds, cache_dir = Path(sys.argv[1]), Path(sys.argv[2])
SchemaRegistry.builtin()  # the bundled CRDs are parsed once per process either way
cache = CrdCache(cache_dir)
start = time.process_time()
registry = SchemaRegistry.builtin()
registry.add_path(crds, cache=cache)
first = time.process_time() - start
start = time.process_time()
again = SchemaRegistry.builtin()
again.add_path(crds, cache=cache)
second = time.process_time() - start
kinds = sum(1 for _ in registry.definitions())
print(json.dumps({"first": first, "second": second, "versions": kinds, "misses": cache.misses,
                  "disk_hits": cache.disk_hits, "memory_hits": cache.memory_hits}))
"""


def _load(crds: Path, cache_dir: Path) -> dict[str, float]:
    child = run_child([PYTHON, "-c", _CHILD, str(crds), str(cache_dir)])
    if child.returncode != 0:
        raise RuntimeError(f"CRD loading child failed: {child.stderr.strip()[-500:]}")
    result: dict[str, float] = json.loads(child.stdout)
    return result


def run(*, quick: bool, crds: Path = EDA_CRDS, repeats: int | None = None) -> list[Row]:
    """Cold and warm loads of `crds`, best of 5 (quick: 2) fresh interpreters each."""
    if not crds.is_dir():
        return [Row("crd-load", f"skipped: {crds} is absent", 0.0, unit="")]
    repeats = repeats if repeats is not None else (2 if quick else 5)
    cold: list[float] = []
    disk: list[float] = []
    memory: list[float] = []
    versions = 0
    with tempfile.TemporaryDirectory(prefix="appreg-bench-crds-") as temporary:
        cache_dir = Path(temporary) / "crds"
        for _ in range(repeats):
            shutil.rmtree(cache_dir, ignore_errors=True)
            result = _load(crds, cache_dir)  # empty cache: parse and write every file
            cold.append(result["first"])
            versions = int(result["versions"])
            warm = _load(crds, cache_dir)  # every file from disk, then from memory
            assert warm["misses"] == 0, warm
            disk.append(warm["first"])
            memory.append(warm["second"])
    files = sum(1 for _ in crds.rglob("*.yaml"))
    baseline = best(cold)
    note = f"{files} files, {versions} versions; fresh interpreter, best of {repeats}"
    return [
        Row("crd-load", "cold: parse + check + write cache", baseline, unit="s", note=note),
        Row(
            "crd-load",
            "warm, disk cache (new process)",
            best(disk) * 1000,
            baseline * 1000,
            unit="ms",
            ratio=best(disk) / baseline,
            note="target <= 30 ms",
        ),
        Row(
            "crd-load",
            "warm, memory cache (serve rebuild)",
            best(memory) * 1000,
            baseline * 1000,
            unit="ms",
            ratio=best(memory) / baseline,
            note="target <= 30 ms",
        ),
        Row("crd-load", "warm disk vs target", best(disk) * 1000, unit="ms", target=30),
        Row("crd-load", "warm memory vs target", best(memory) * 1000, unit="ms", target=30),
    ]
