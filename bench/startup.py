"""Benchmark: `appreg validate` start-up on one tiny file, and its peak memory on one large file.

Start-up: the instructions (callgrind, hash seed 0) of `appreg validate` on one small ConfigMap
against the floor process, which imports PyYAML and parses the same file with its C loader
(`throughput._FLOOR_CHILD`). Interpreter start is in both; the target is 2.5x (issue 21).

Memory: the peak RSS (the child's own VmHWM) of `appreg validate` on 100,000 ConfigMaps in one
file (about 10.5 MB), and of the floor process on the same file; the target is 50 MB for appreg,
interpreter and imports included (issue 21).

Both run with whatever is installed: with the `fast` extra, jsonschema-rs is available to the
CLI; the note of each row says whether it was.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from bench.common import PYTHON, Row, best, callgrind_instructions, run_child
from bench.throughput import _CLI_CHILD, _FLOOR_CHILD, _hwm

TINY = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: tiny
  namespace: default
data:
  key: value
"""

CONFIG_MAPS = 100_000


def config_maps(count: int) -> str:
    """`count` small ConfigMaps, one document each, about 105 bytes a document."""
    return "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{n:06d}\n"
        f"  namespace: docs\ndata:\n  mode: production\n"
        for n in range(count)
    )


def _engine() -> str:
    return "jsonschema-rs installed" if importlib.util.find_spec("jsonschema_rs") else "default install"


def run(*, quick: bool, count: int | None = None, instructions: bool = True) -> list[Row]:
    """The start-up row (instructions; left out without `instructions`) and the memory row (peak RSS)."""
    count = count if count is not None else (10_000 if quick else CONFIG_MAPS)
    engine = _engine()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="appreg-bench-startup-") as temporary:
        tiny = Path(temporary) / "tiny.yaml"
        tiny.write_text(TINY, encoding="utf-8")
        if instructions:
            # One run of each first, uncounted: it writes the bytecode cache of any module changed
            # since the last run, which an installed package has and a counted run must not pay.
            run_child([PYTHON, "-c", _FLOOR_CHILD, str(tiny)])
            run_child([PYTHON, "-c", _CLI_CHILD, "validate", str(tiny)])
        floor = callgrind_instructions([PYTHON, "-c", _FLOOR_CHILD, str(tiny)], seed=0) if instructions else 0
        if floor is None:
            rows.append(Row("startup", "instruction counts skipped: valgrind is not installed", 0.0, unit=""))
        elif floor:
            cli = callgrind_instructions([PYTHON, "-c", _CLI_CHILD, "validate", str(tiny)], seed=0)
            assert cli is not None
            rows.append(
                Row(
                    "startup",
                    "`appreg validate` one tiny ConfigMap, instructions (callgrind)",
                    cli / 1e6,
                    floor / 1e6,
                    unit="M",
                    ratio=cli / floor,
                    target=2.5,
                    note=f"against import yaml + CSafeLoader on the same file; {engine}",
                )
            )
        large = Path(temporary) / "configmaps.yaml"
        large.write_text(config_maps(count), encoding="utf-8")
        size = large.stat().st_size / 1e6
        repeats = 1 if quick else 2
        floor_runs = [run_child([PYTHON, "-c", _FLOOR_CHILD, str(large)]) for _ in range(repeats)]
        cli_runs = [run_child([PYTHON, "-c", _CLI_CHILD, "validate", str(large)]) for _ in range(repeats)]
        failed = [run for run in cli_runs if run.returncode != 0]
        if failed:
            return [*rows, Row("startup", f"CLI failed: {failed[0].stderr.strip()[-200:]}", 0.0, unit="")]
        floor_rss = best([_hwm(run.stderr) for run in floor_runs])
        cli_rss = best([_hwm(run.stderr) for run in cli_runs])
        rows.append(
            Row(
                "startup",
                f"`appreg validate` {count:,} ConfigMaps in one {size:.1f} MB file, peak RSS",
                cli_rss,
                unit="MB",
                # No ratio: the target is on the value (50 MB), and a Row with a ratio
                # would be judged on it.
                target=50.0,
                note=f"the floor process on the same file: {floor_rss:.1f} MB; {engine}",
            )
        )
    return rows
