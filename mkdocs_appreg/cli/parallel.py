"""Validating many inputs on several cores: forked workers, results in input order.

Validation is pure Python under the GIL, so threads cannot help; forked worker processes can,
and they inherit the loaded CRDs and the validators compiled so far instead of loading them
again. `bench/parallel.py` measured it on a 2-core machine: 2 workers validate 10,000 resources
in 0.48-0.69x the serial wall time, pool start-up included. A docs site's tens of resources take
less time than a pool takes to start, so the plugin stays serial; `appreg validate --jobs` is
where it pays.

Results are returned in input order, so a report is byte for byte the same with any number of
workers. Where processes cannot be forked (Windows), or when a worker dies (killed for memory),
the inputs are validated in this process instead, so the answer is the same, only slower.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.site.check import validate_stream

if TYPE_CHECKING:
    from mkdocs_appreg.engine.corekinds import CoreSchemas
    from mkdocs_appreg.engine.schemas import SchemaRegistry

Result = tuple[list[Finding], int]

# What the workers validate: set before the pool forks, so each worker inherits it (nothing is
# pickled on the way in) and only indices travel.
_Job = tuple[Sequence[tuple[str, str | bytes]], "SchemaRegistry", "CoreSchemas | None", frozenset[str]]
_JOB: _Job | None = None


def workers_for(jobs: int, inputs: int) -> int:
    """How many workers `jobs` means for `inputs` inputs (0: one per CPU; never more than inputs)."""
    wanted = (os.cpu_count() or 1) if jobs == 0 else jobs
    return max(1, min(wanted, inputs))


def validate_texts(
    texts: Sequence[tuple[str, str | bytes]],
    registry: SchemaRegistry,
    core: CoreSchemas | None,
    *,
    jobs: int = 1,
    skip: frozenset[str] = frozenset(),
) -> list[Result]:
    """Each `(name, text)`'s findings and non-empty document count, in input order.

    Args:
        texts: Display names and texts to validate (bytes: UTF-8, as `validate_stream` takes them).
        registry: The CRDs.
        core: The built-in kinds, or None.
        jobs: Worker processes; 1 validates here, 0 starts one per CPU.
        skip: Kinds not validated (`--skip`).
    """
    workers = workers_for(jobs, len(texts))
    if workers > 1:
        # Imported only for a pool: multiprocessing and concurrent.futures cost a one-file
        # `appreg validate` about a third of its start-up (bench/README.md, start-up row).
        import multiprocessing
        from concurrent.futures.process import BrokenProcessPool

        if "fork" in multiprocessing.get_all_start_methods():
            try:
                return _pooled(texts, registry, core, workers, skip)
            except (BrokenProcessPool, OSError):
                pass  # a worker died or no process could start: the same work, here
    return [validate_stream(text, name, registry, core, missing="error", skip=skip) for name, text in texts]


def _pooled(
    texts: Sequence[tuple[str, str | bytes]],
    registry: SchemaRegistry,
    core: CoreSchemas | None,
    workers: int,
    skip: frozenset[str],
) -> list[Result]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _JOB
    _JOB = (texts, registry, core, skip)
    try:
        # Interleaved shares: neighbouring files tend to be alike in size and kind.
        shares = [list(range(start, len(texts), workers)) for start in range(workers)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = list(pool.map(_validate_share, shares))
    finally:
        _JOB = None
    results: list[Result | None] = [None] * len(texts)
    for part in parts:
        for index, found, count in part:
            results[index] = (found, count)
    return [result for result in results if result is not None]


def _validate_share(indices: list[int]) -> list[tuple[int, list[Finding], int]]:
    assert _JOB is not None, "forked without a job"
    texts, registry, core, skip = _JOB
    out: list[tuple[int, list[Finding], int]] = []
    for index in indices:
        name, text = texts[index]
        found, count = validate_stream(text, name, registry, core, missing="error", skip=skip)
        out.append((index, found, count))
    return out
