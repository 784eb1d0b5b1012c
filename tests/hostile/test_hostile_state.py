"""No partial state, no stray writes, no network: what a build leaves behind is whole and reproducible."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from harness import REPO, no_network_env, run_bounded

from conftest import tree_digest
from mkdocs_appreg.rendering.render import Rendered
from mkdocs_appreg.site.project import ProjectSettings, write_cache


def settings_for(root: Path) -> ProjectSettings:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "templates").mkdir(exist_ok=True)
    return ProjectSettings(
        root=root,
        docs_dir=root / "docs",
        templates_dir=root / "templates",
        cache_dir=root / ".cache" / "appreg",
    )


def rendered(text: str, docs_path: str = "r.yaml") -> Rendered:
    return Rendered(
        docs_path=docs_path, template=Path("/t"), display="templates/r.yaml.j2", text=text, line_map=()
    )


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    (target,) = write_cache(settings, [rendered("old: 1\n")])
    # A directory where the file goes makes the final rename fail, as a full disk or a
    # permission change would.
    target.unlink()
    target.mkdir()
    (target / "keep").write_text("x")
    with pytest.raises(OSError):
        write_cache(settings, [rendered("new: 2\n")])
    assert sorted(p.name for p in target.parent.iterdir()) == ["r.yaml"]
    assert (target / "keep").read_text() == "x"


def _write_forever(settings: ProjectSettings) -> None:
    write_cache(settings, [rendered("a: " + "x" * 400_000_000 + "\n")])


def test_a_build_killed_mid_write_leaves_no_half_file_that_is_trusted(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    (target,) = write_cache(settings, [rendered("old: 1\n")])
    process = multiprocessing.get_context("fork").Process(target=_write_forever, args=(settings,))
    process.start()
    deadline = time.monotonic() + 30
    temporaries: list[Path] = []
    while time.monotonic() < deadline and not temporaries:
        temporaries = [p for p in target.parent.iterdir() if p.name.endswith(".tmp") and p.stat().st_size > 0]
        time.sleep(0.01)
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    assert temporaries, "the writer never started its temporary file"
    # The file snippets includes is still the complete old one; the half file has another name,
    # which no `--8<--` line names.
    assert target.read_text() == "old: 1\n"
    assert all(p.name.startswith(".r.yaml.") for p in temporaries)
    # The next build rewrites the file whole and sweeps the leftover out of the snippets tree.
    write_cache(settings, [rendered("new: 2\n")])
    assert target.read_text() == "new: 2\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["r.yaml"]


def site_copy(tmp_path: Path) -> Path:
    target = tmp_path / "src"
    target.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(REPO / "docs", target / "docs")
    shutil.copytree(REPO / "templates", target / "templates")
    shutil.copytree(REPO / "hooks", target / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def build(site: Path, tmp_path: Path, out: str) -> None:
    env = no_network_env(tmp_path)
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    result = run_bounded(
        ["-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml", "-d", out],
        cwd=site,
        env=env,
        seconds=300,
        process=True,  # two processes, two hash seeds: the builds must still be byte-identical
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "network access attempted" not in result.stderr


def test_two_builds_are_byte_identical_offline_and_write_only_site_and_cache(tmp_path: Path) -> None:
    site = site_copy(tmp_path)
    before = tree_digest(site)
    build(site, tmp_path, "site-1")
    build(site, tmp_path, "site-2")
    first, second = tree_digest(site / "site-1"), tree_digest(site / "site-2")
    assert first.keys() == second.keys()
    differing = sorted(name for name in first if first[name] != second[name])
    assert differing == []
    assert "development/resources/registry.yaml" in first  # rendered resources are published
    after = {
        name: digest
        for name, digest in tree_digest(site).items()
        # Python's own bytecode of the site's hook module (hooks/reference.py), where the
        # interpreter writes bytecode: not the build's doing, and outside docs/.
        if not name.startswith(("site-1/", "site-2/", ".cache/", "hooks/__pycache__/"))
    }
    assert after == before  # nothing written into docs/, templates/ or anywhere else
