"""Shared fixtures: a temporary copy of the project's own site, and real CLI runners."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

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


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A copy of the project's own site (mkdocs.yml, docs/, templates/) in a temp dir."""
    target = tmp_path / "site-src"
    target.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(REPO / "docs", target / "docs")
    shutil.copytree(REPO / "templates", target / "templates")
    return target


def run_mkdocs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build` through its real entry point, run from the project directory."""
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
    return run_mkdocs
