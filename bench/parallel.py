"""Would validating files in parallel pay on this machine? Serial vs a process pool, wall time.

Threads cannot help (validation is pure Python under the GIL), so the candidate is a pool of
forked processes, each validating a share of the files with the registry it inherited; the
parent only sums the results. Measured on the synthetic corpus (and the EDA one when present):
wall time of the serial loop against the pool, pool start-up included, best of the runs.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import corpus
from bench.common import Row, best
from bench.throughput import validator
from mkdocs_appreg.engine.schemas import SchemaRegistry

_VALIDATE: Callable[[Sequence[Path]], int] | None = None


def _share(files: Sequence[Path]) -> int:
    assert _VALIDATE is not None
    return _VALIDATE(files)


def _pooled(files: list[Path], workers: int) -> int:
    context = multiprocessing.get_context("fork")
    shares = [files[index::workers] for index in range(workers)]
    with context.Pool(workers) as pool:
        return sum(pool.map(_share, shares))


def run(*, quick: bool, count: int | None = None, repeats: int | None = None, eda: bool = True) -> list[Row]:
    """Serial vs `os.cpu_count()` forked workers (at least 2)."""
    global _VALIDATE
    count = count if count is not None else (2_000 if quick else 10_000)
    repeats = repeats if repeats is not None else (2 if quick else 3)
    workers = max(2, os.cpu_count() or 2)
    rows: list[Row] = []
    cases: list[tuple[str, SchemaRegistry, list[dict[str, object]]]] = [
        ("synthetic", SchemaRegistry.builtin(), corpus.synthetic_templates())
    ]
    registry = corpus.eda_registry() if eda else None
    if registry is not None:
        cases.append(("EDA", registry, corpus.crd_templates(registry)))
    with tempfile.TemporaryDirectory(prefix="appreg-bench-parallel-") as temporary:
        for label, registry_, templates in cases:
            files = corpus.write_corpus(templates, count, Path(temporary) / label)
            _VALIDATE = validator(registry_)
            _VALIDATE(files[:50])  # compile what the corpus uses before forking, as a real run would
            serial: list[float] = []
            pooled: list[float] = []
            for _ in range(repeats):
                start = time.perf_counter()
                _VALIDATE(files)
                serial.append(time.perf_counter() - start)
                start = time.perf_counter()
                _pooled(files, workers)
                pooled.append(time.perf_counter() - start)
            rows.append(
                Row("parallel", f"{label}, {count:,} docs: serial, wall", best(serial), note="baseline")
            )
            rows.append(
                Row(
                    "parallel",
                    f"{label}, {count:,} docs: {workers} forked workers, wall",
                    best(pooled),
                    best(serial),
                    ratio=best(pooled) / best(serial),
                    note="below 1x would pay",
                )
            )
    _VALIDATE = None
    return rows
