"""Pausing Python's cyclic garbage collector while appreg builds large acyclic data.

A build's own work (the previous build's record, rendered files, 199 CRDs read into dicts, their
validators) allocates hundreds of thousands of objects that live until the build ends and hold
no reference cycles. Each allocation burst makes the collector walk the young objects, and
survivors are walked again in older generations: on the large-site benchmark (bench/README.md,
sixth round) that is about a tenth of the plugin's cost. Reference counting still frees every
acyclic object at once while the collector is paused; cycles made meanwhile wait for the next
collection after it resumes. The collector's state is put back as it was found (a host that
disabled it keeps it disabled).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector disabled, then restore it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
