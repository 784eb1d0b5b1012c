"""What every benchmark shares: timers, subprocess measurements, result rows, machine info."""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass(frozen=True)
class Row:
    """One line of the results table.

    Attributes:
        benchmark: Which benchmark (`build`, `throughput`, ...).
        case: What was measured, in a few words.
        value: The measured quantity (seconds, MB, docs/s, as `unit` says).
        baseline: The same quantity for the baseline, when there is one.
        unit: Unit of `value` and `baseline`.
        ratio: value / baseline (or the scaling factor the case defines).
        target: The ratio (or value, when `ratio` is None) the issue asks for, or None.
        note: Anything a reader needs to interpret the line.
    """

    benchmark: str
    case: str
    value: float
    baseline: float | None = None
    unit: str = "s"
    ratio: float | None = None
    target: float | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        measured = self.ratio if self.ratio is not None else self.value
        return "ok" if measured <= self.target else "MISS"


def cpu_time() -> float:
    """CPU seconds of this process: steadier than wall time on a shared 2-core machine."""
    return time.process_time()


def interleaved(functions: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """CPU time of each function, run in turn `repeats` times (drift hits them all alike)."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = cpu_time()
            function()
            times[name].append(cpu_time() - start)
    return times


def best(times: Sequence[float]) -> float:
    """The fastest run: the least disturbed by other load on the machine."""
    return min(times)


def median(times: Sequence[float]) -> float:
    return statistics.median(times)


@dataclass(frozen=True)
class ChildRun:
    """A finished subprocess: wall and CPU seconds, peak RSS, exit status and output."""

    wall: float
    cpu: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def child_environment() -> dict[str, str]:
    """The environment for measured children: bytecode caching on, outside the source tree.

    A pip-installed package has its .pyc files; a checkout run with PYTHONDONTWRITEBYTECODE
    (as this repository's sandbox is) compiles every module of ours on every start, which
    is not what users pay. The cache goes to a temporary prefix, never into src/.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "appreg-bench-pycache")
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


def run_child(args: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> ChildRun:
    """Run a command; its CPU time and peak RSS come from wait4's rusage of that child alone."""
    env = child_environment() if env is None else env
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(args), cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            max_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KB
            returncode=process.returncode,
            stdout=out.read(),
            stderr=err.read(),
        )


def callgrind_instructions(
    args: Sequence[str], *, cwd: Path | None = None, seed: int | None = None
) -> float | None:
    """Instructions a command executes, counted by valgrind's callgrind; None without valgrind.

    CPU time on a shared VM varies by more than the few percent some targets allow; an
    instruction count of the same command under the same hash seed repeats to within ~0.1%.
    It misses what the instructions wait for (memory, disk), so CPU time is reported as well.

    Raises:
        RuntimeError: The command failed (exit status over 1) or callgrind printed no count.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    env = child_environment()
    if seed is not None:
        env["PYTHONHASHSEED"] = str(seed)
    run = run_child([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *args], cwd=cwd, env=env)
    counted = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode not in (0, 1) or counted is None:
        raise RuntimeError(f"callgrind run of {args[:3]} failed: {run.stderr.strip()[-800:]}")
    return float(counted.group(1))


def machine() -> dict[str, str]:
    """nproc, CPU model, Python, OS and the versions that matter."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import yaml

    from mkdocs_appreg import __version__

    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "pyyaml": f"{yaml.__version__} (libyaml: {'yes' if getattr(yaml, '__with_libyaml__', False) else 'no'})",
        "mkdocs-appreg": __version__,
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table of the rows."""
    header = "| benchmark | case | measured | baseline | ratio | target | verdict | note |"
    lines = [header, "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        baseline = "" if row.baseline is None else f"{_number(row.baseline)} {row.unit}"
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        target = (
            ""
            if row.target is None
            else (f"<= {row.target:g}x" if row.ratio is not None else f"<= {row.target:g} {row.unit}")
        )
        lines.append(
            f"| {row.benchmark} | {row.case} | {_number(row.value)} {row.unit} | {baseline} | {ratio} "
            f"| {target} | {row.verdict} | {row.note} |"
        )
    return "\n".join(lines)


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.4f}"
