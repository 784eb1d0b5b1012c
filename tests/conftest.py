"""Shared fixtures: a temporary copy of the project's own site, the case-file collector, CLI runners."""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
import shutil
import subprocess
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import settings

import casefiles

# Under CI, property tests draw the same examples every run, so `main` cannot turn red on a
# random draw; run them with other seeds locally (or HYPOTHESIS_PROFILE=long for tests/fuzz).
settings.register_profile("ci-derandomized", derandomize=True, deadline=None)
if os.environ.get("CI") and not os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile("ci-derandomized")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def freeze_long_lived_objects() -> None:
    """Collect, then move every object alive now out of the collector's reach (`gc.freeze`).

    The session holds hundreds of thousands of long-lived objects (MkDocs, Material, Jinja,
    jsonschema, the schemas and the test modules' data), and each full collection walks all of
    them again: about 6 s of a suite run. A frozen object is still freed by reference counting
    when its last reference goes; only a reference cycle among frozen objects would stay, and the
    collection just before the freeze has cleared the ones that exist. It also keeps a forked
    child (tests/hostile/harness.py) from walking, and so copying, the parent's heap.
    """
    gc.collect()
    gc.freeze()


def pytest_collection_finish(session: pytest.Session) -> None:
    """The test modules are imported, with what they import: `freeze_long_lived_objects`."""
    freeze_long_lived_objects()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a test module's last test and its teardown: `freeze_long_lived_objects`.

    The case files (tests/casefiles.py, no module) count as one module: they run one after another.
    """
    yield
    if nextitem is None or nextitem.getparent(pytest.Module) is not item.getparent(pytest.Module):
        freeze_long_lived_objects()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Each case file under tests/cases/**/{valid,invalid}/ is a test (tests/casefiles.py)."""
    if casefiles.is_case_file(file_path):
        return casefiles.CaseFile.from_parent(parent, path=file_path)
    return None


def tree_digest(root: Path) -> dict[str, str]:
    """Path -> sha256 of every file under root (to prove a build wrote nothing there)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(autouse=True, scope="session")
def _private_user_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the CLI's user-level CRD cache (`$XDG_CACHE_HOME`) out of the real home directory."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


def copy_project_site(parent: Path) -> Path:
    """A copy of the project's own site (mkdocs.yml, docs/, templates/, hooks/) in `parent`."""
    target = parent / "site-src"
    target.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(REPO / "docs", target / "docs")
    shutil.copytree(REPO / "templates", target / "templates")
    shutil.copytree(REPO / "hooks", target / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A copy of the project's own site in a temp dir, the test's own to change."""
    return copy_project_site(tmp_path)


class ProjectBuild(NamedTuple):
    """`mkdocs build --strict` of a copy of the project's site: what `project_build` gives."""

    source: Path  # the copy; its `site/` is the build's output
    result: subprocess.CompletedProcess[str]
    docs_before: dict[str, str]  # `tree_digest` of the copy's docs/ before the build


@pytest.fixture(scope="session")
def project_build(tmp_path_factory: pytest.TempPathFactory) -> ProjectBuild:
    """One strict build of the project's site for the tests that only read what it gave.

    The same copy and the same command as `site_copy` plus `run_mkdocs(..., "--strict")`, built
    once for the session (a build of this site costs ~1 s); tests that change the site or its
    output build their own copy.
    """
    source = copy_project_site(tmp_path_factory.mktemp("project-build"))
    docs_before = tree_digest(source / "docs")
    return ProjectBuild(source, run_mkdocs(source, "--strict"), docs_before)


# --- the `appreg` command in this process ------------------------------------------------------------

# What a fresh interpreter starts with (no -W, no PYTHONWARNINGS): the warnings a user would see.
_DEFAULT_WARNING_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)


def run_appreg(
    *args: str,
    cwd: Path,
    stdin: str | bytes | None = None,
    env: Mapping[str, str | None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`appreg *args` run in this process through `mkdocs_appreg.cli.main`, as a process would be.

    A subprocess costs about a second of interpreter start and imports; this costs milliseconds.
    The CLI sees what a process started by `subprocess.run(..., cwd=cwd, input=stdin)` sees:
    stdin, stdout and stderr are fresh UTF-8 text streams over bytes (nothing is a terminal), the
    working directory is `cwd`, `env` sets (or with None removes) variables, argparse's exit is an
    exit status, and log records and warnings reach stderr as an interpreter without handlers would
    print them (logging's last resort). Uncaught exceptions propagate: the test fails with them.
    Like `CliRunner.invoke` of click; tests/test_cli.py keeps real processes for what only a
    process shows (the console script, `python -m`, signals, a closed stdin, a closed pipe, a tty).
    """
    from mkdocs_appreg.cli import main

    data = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
    streams = (sys.stdin, sys.stdout, sys.stderr)
    out, err = io.BytesIO(), io.BytesIO()
    # Held here until read: a TextIOWrapper closes its buffer when it is collected.
    captured = (
        io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", write_through=True),
    )
    sys.stdin, sys.stdout, sys.stderr = captured
    saved_env = {name: os.environ.get(name) for name in env or {}}
    for name, value in (env or {}).items():
        _set_env(name, value)
    root = logging.getLogger()
    handlers = root.handlers[:]  # pytest's capture handlers: without them records go to stderr
    cwd_before = os.getcwd()
    try:
        os.chdir(cwd)
        for handler in handlers:
            root.removeHandler(handler)
        with warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category, module in reversed(_DEFAULT_WARNING_FILTERS):
                warnings.filterwarnings(action, category=category, module=module)  # type: ignore[arg-type]
            try:
                code: int | str | None = main(list(args))
            except SystemExit as exit_:  # argparse: --help, --version, usage errors
                code = exit_.code
    finally:
        os.chdir(cwd_before)
        for handler in handlers:
            root.addHandler(handler)
        for name, value in saved_env.items():
            _set_env(name, value)
        sys.stdin, sys.stdout, sys.stderr = streams
        for stream in captured[1:]:
            stream.flush()
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(
        ["appreg", *args], returncode, out.getvalue().decode(), err.getvalue().decode()
    )


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.fixture
def appreg_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_appreg`: the `appreg` command in this process, with captured streams."""
    return run_appreg


def run_mkdocs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build -f project/mkdocs.yml *args` from the project directory, in this process.

    MkDocs' own click command through `click.testing.CliRunner`, as `run_appreg` does for appreg
    (a process costs a second or more of interpreter start and imports per build): no MKDOCS*
    variables, NO_COLOR=1, the warnings filters and log handlers of a fresh interpreter, MkDocs'
    logger and warning settings put back afterwards, and an exception that escapes the command
    printed on stderr as Python would print it. `run_mkdocs_process` is the real process;
    tests/test_plugin.py checks that the two agree.
    """
    return run_mkdocs_command(["build", "-f", str(project / "mkdocs.yml"), *args], cwd=project)


def run_mkdocs_command(argv: list[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs *argv` run from `cwd` in this process, as `run_mkdocs` describes."""
    import mkdocs.__main__ as mkdocs_main
    from click.testing import CliRunner
    from mkdocs.commands import build

    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("MKDOCS")}
    env["NO_COLOR"] = "1"
    root, mkdocs_log = logging.getLogger(), logging.getLogger("mkdocs")
    saved_root = root.handlers[:]
    saved_mkdocs = (mkdocs_log.handlers[:], mkdocs_log.level, mkdocs_log.propagate, build.log.filters[:])
    wrapper = mkdocs_main.ColorFormatter.text_wrapper
    width, cwd_before = wrapper.width, os.getcwd()
    try:
        os.chdir(cwd)
        wrapper.width = 0  # what a process whose stderr is a pipe gets: no wrapping
        for handler in saved_root:
            root.removeHandler(handler)
        with warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category, module in reversed(_DEFAULT_WARNING_FILTERS):
                warnings.filterwarnings(action, category=category, module=module)  # type: ignore[arg-type]
            result = CliRunner().invoke(mkdocs_main.cli, argv, env=env, catch_exceptions=True)
    finally:
        os.chdir(cwd_before)
        wrapper.width = width
        for handler in saved_root:
            root.addHandler(handler)
        mkdocs_log.handlers[:], mkdocs_log.level, mkdocs_log.propagate = saved_mkdocs[:3]
        build.log.filters[:] = saved_mkdocs[3]
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["mkdocs", *argv], result.exit_code, result.stdout, stderr)


def run_mkdocs_process(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build` through its real entry point, a process started in the project directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MKDOCS")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml"), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.fixture
def mkdocs_build() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_mkdocs`: `mkdocs build` in this process, with captured streams."""
    return run_mkdocs
