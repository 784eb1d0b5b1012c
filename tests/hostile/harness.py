"""Hard time and memory ceilings for hostile-input tests, enforced by the harness, not measured.

Every case runs in a forked child process: the child caps its own address space
(`RLIMIT_AS`: what it has mapped now plus a budget), and the parent kills it when it has not
answered within the time ceiling. A hang, an out-of-memory kill or an escaped exception is a
test failure that says which one it was.

Not a `conftest.py`: the suite's own `tests/conftest.py` is imported by name (`from conftest
import run_mkdocs`), and a second conftest module would shadow it.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

BOMB_SECONDS = 5.0
"""The ceiling for one bomb, giant or hostile template: the issue's "5 s for a bomb"."""

MEMORY_MB = 512
"""Address space a case may map on top of what the process had mapped when it started."""

REPO = Path(__file__).resolve().parents[2]


def _mapped_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(pipe: Connection, function: Callable[..., Any], args: tuple[Any, ...], memory_mb: int) -> None:
    limit = _mapped_bytes() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    try:
        result = function(*args)
    except BaseException:
        pipe.send((False, traceback.format_exc()))
    else:
        pipe.send((True, result))
    finally:
        pipe.close()


def bounded(
    function: Callable[..., T], *args: Any, seconds: float = BOMB_SECONDS, memory_mb: int = MEMORY_MB
) -> T:
    """Run `function(*args)` in a forked child under a hard time and memory ceiling.

    Returns:
        What the function returned (it must be picklable: findings, strings, tuples).

    Fails the test when the child raises (the traceback is shown), dies (an out-of-memory kill
    shows as a signal) or does not answer within `seconds`.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, args, memory_mb))
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            process.kill()
            process.join()
            pytest.fail(f"still running after the {seconds:g} s ceiling: a hang")
        try:
            ok, value = receiver.recv()
        except EOFError:
            process.join()
            pytest.fail(f"the child died without an answer (exit code {process.exitcode}): out of memory?")
        if not ok:
            pytest.fail(f"an exception escaped:\n{value}")
        return value  # type: ignore[no-any-return]
    finally:
        process.join(5)
        if process.is_alive():
            process.kill()
        receiver.close()


def _limit_memory(memory_mb: int) -> Callable[[], None]:
    def apply() -> None:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))

    return apply


# No network for any child process: an audit hook turns every socket use into a crash
# (a traceback on stderr and a non-zero exit), so a test that passes made no connection.
NO_NETWORK = """
import sys
def _refuse_network(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
        raise RuntimeError(f"network access attempted: {event} {args!r}")
sys.addaudithook(_refuse_network)
"""


def no_network_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose Python processes install `NO_NETWORK` at startup (via sitecustomize)."""
    hooks = tmp_path / "no-network-hook"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(NO_NETWORK)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MKDOCS")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hooks), env.get("PYTHONPATH", "")]))
    env["NO_COLOR"] = "1"
    return env


def run_bounded(
    args: list[str],
    *,
    cwd: Path,
    seconds: float = 120.0,
    memory_mb: int = 2048,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`python -m mkdocs ...` or `python -m mkdocs_appreg ...` under a timeout and a memory cap.

    By default the command runs in a forked child of this process (`bounded`), through the
    suite's in-process runners (conftest's `run_mkdocs_command` and `run_appreg`, which
    tests/test_plugin.py and tests/test_cli.py check against real processes): the same ceilings,
    the same captured output and exit status, and `env` as the child's whole environment, with
    the `no_network_env` hook installed as its sitecustomize would install it. The fork has this
    process's imports already, so a case costs its work rather than a second of interpreter start.
    Escaped exceptions fail the test, as a traceback on stderr does for a process.

    `process=True` starts a fresh interpreter instead, where that is what the case tests: an
    address space capped at `memory_mb` in total, or builds compared across processes (each with
    its own hash seed).
    """
    if not process:
        _warm_up()
        return bounded(_forked_command, args, cwd, env, stdin, seconds=seconds, memory_mb=memory_mb)
    try:
        return subprocess.run(
            [sys.executable, *args],
            cwd=cwd,
            input=stdin.decode("latin-1") if stdin is not None else None,
            capture_output=True,
            text=True,
            timeout=seconds,
            env=env,
            preexec_fn=_limit_memory(memory_mb),
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args)} still running after the {seconds:g} s ceiling")


_warm: list[bool] = []


def _warm_up() -> None:
    """One build and one `appreg check` in this process, once, before the first fork.

    The forks then start with MkDocs, Material, the extensions and the core schemas loaded,
    as any process does after its first build: a check costs ~0.03 s instead of ~0.35 s.
    """
    if _warm:
        return
    _warm.append(True)
    import tempfile

    from conftest import freeze_long_lived_objects, run_appreg, run_mkdocs

    with tempfile.TemporaryDirectory() as directory:
        site = write_site(
            Path(directory) / "warm-up",
            templates={"r.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"},
            pages={"index.md": "# Home\n\n/// resource | docs/r.yaml\n///\n"},
        )
        assert run_mkdocs(site).returncode == 0
        assert run_appreg("check", "--config-file", "mkdocs.yml", cwd=site).returncode == 0
    # What the warm-up loaded, the forks share: frozen, a child's collector leaves it alone.
    freeze_long_lived_objects()


def _forked_command(
    args: list[str], cwd: Path, env: dict[str, str] | None, stdin: bytes | None
) -> subprocess.CompletedProcess[str]:
    """`run_bounded`'s command in the forked child: its environment, then the in-process runner."""
    import secrets

    from conftest import run_appreg, run_mkdocs_command
    from mkdocs_appreg.common import cachefs

    # The one per-process state that decides what a build trusts: a fresh interpreter reads its
    # cache key from its own $XDG_CACHE_HOME and draws its own fallback key.
    cachefs._KEY = None
    cachefs._PROCESS_KEY = secrets.token_bytes(cachefs.KEY_BYTES)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
        # What a fresh interpreter would run first: the no-network hook of `no_network_env`.
        for entry in env.get("PYTHONPATH", "").split(os.pathsep):
            hook = Path(entry, "sitecustomize.py") if entry else None
            if hook is not None and hook.is_file():
                exec(compile(hook.read_text(), str(hook), "exec"), {"__name__": "sitecustomize"})
    if args[:2] == ["-m", "mkdocs_appreg"]:
        return run_appreg(*args[2:], cwd=cwd, stdin=stdin)
    if args[:2] == ["-m", "mkdocs"]:
        return run_mkdocs_command(args[2:], cwd=cwd)
    raise ValueError(f"run_bounded runs `-m mkdocs` or `-m mkdocs_appreg` in a fork, not {args}")


def appreg(
    *args: str, cwd: Path, seconds: float = 60.0, memory_mb: int = 2048, process: bool = False
) -> subprocess.CompletedProcess[str]:
    """`python -m mkdocs_appreg ...` under `run_bounded`."""
    return run_bounded(
        ["-m", "mkdocs_appreg", *args], cwd=cwd, seconds=seconds, memory_mb=memory_mb, process=process
    )


def write_site(
    root: Path,
    *,
    templates: dict[str, str] | None = None,
    pages: dict[str, str] | None = None,
    files: dict[str, str | bytes] | None = None,
    options: dict[str, Any] | None = None,
) -> Path:
    """A minimal MkDocs project using the plugin, written as real files."""
    import yaml

    config = {
        "site_name": "hostile",
        "theme": {"name": "material"},
        "markdown_extensions": [
            "pymdownx.superfences",
            {"pymdownx.snippets": {"check_paths": True}},
            {"pymdownx.blocks.tab": {"alternate_style": True}},
        ],
        "plugins": [{"appreg": dict(options or {})}],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (root / "templates").mkdir(exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    pages = pages if pages is not None else {"index.md": "# Home\n"}
    for base, entries in (("docs", pages), ("templates", templates or {}), (".", files or {})):
        for name, content in entries.items():
            path = root / base / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
    return root


def billion_laughs(indent: str = "", levels: int = 9) -> str:
    """The classic alias bomb: 9 anchors of 9 aliases each, 9**9 leaves once expanded."""
    lines = [f"{indent}l0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"{indent}l{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"
