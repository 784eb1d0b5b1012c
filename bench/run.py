"""Run the benchmarks and print one table of ratios: `python -m bench [--quick] [--only NAME ...]`.

Every ratio is against a baseline measured in the same run (see each module's docstring), so
the numbers compare across machines better than the seconds do. `--quick` uses smaller corpora
and fewer repeats (about 2 minutes instead of about 8); `--markdown FILE` also writes the table.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import (
    build_overhead,
    cold_floor,
    crd_loading,
    large_site,
    parallel,
    scaling,
    serve_rebuild,
    startup,
    throughput,
)
from bench.common import Row, format_table, machine

BENCHMARKS: dict[str, Callable[..., list[Row]]] = {
    "build": build_overhead.run,
    "large-site": large_site.run,
    "cold-floor": cold_floor.run,
    "throughput": throughput.run,
    "startup": startup.run,
    "crd-load": crd_loading.run,
    "scaling": scaling.run,
    "serve": serve_rebuild.run,
    "parallel": parallel.run,
}
"""Benchmarks by name, in the order they run."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller corpora, fewer repeats")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    parser.add_argument("--markdown", type=Path, help="also write the machine info and table here")
    args = parser.parse_args(argv)
    info = machine()
    header = "\n".join(f"- {key}: {value}" for key, value in info.items())
    print(header, flush=True)
    rows: list[Row] = []
    started = time.perf_counter()
    for name in args.only or list(BENCHMARKS):
        began = time.perf_counter()
        print(f"running {name}...", file=sys.stderr, flush=True)
        rows.extend(BENCHMARKS[name](quick=args.quick))
        print(f"  {name}: {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    table = format_table(rows)
    total = f"total run time: {time.perf_counter() - started:.0f} s ({'quick' if args.quick else 'full'})"
    print()
    print(table)
    print()
    print(total)
    if args.markdown is not None:
        args.markdown.write_text(f"{header}\n- {total}\n\n{table}\n", encoding="utf-8")
    return 0
