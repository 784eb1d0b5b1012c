"""The pre-commit hooks the repository ships, and the error a hook environment without the site's
theme gives (pre-commit installs only mkdocs-appreg and its dependencies in it)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mkdocs_appreg.cli import main
from mkdocs_appreg.plugin.config import with_install_hint

ROOT = Path(__file__).resolve().parent.parent
HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: demo
type: Opaque
data:
  username: ZGVtbw==
"""


def selected(hook: dict[str, str], path: str) -> bool:
    # pre-commit matches `files` and `exclude` with re.search on the repository-relative path.
    if not re.search(hook.get("files", ""), path):
        return False
    return not (hook.get("exclude") and re.search(hook["exclude"], path))


def test_both_hooks_are_declared() -> None:
    assert set(HOOKS) == {"appreg-check", "appreg-validate"}
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        assert shlex.split(hook["entry"])[0] == "appreg"
    assert HOOKS["appreg-validate"]["files"] == r"\.ya?ml$"
    assert HOOKS["appreg-check"]["pass_filenames"] is False
    assert HOOKS["appreg-validate"].get("pass_filenames", True) is True


@pytest.mark.parametrize(
    ("path", "taken"),
    [
        ("deploy/secret.yaml", True),
        ("k8s/registry.yml", True),
        ("docs/development/resources/registry.yaml", True),
        ("mkdocs.yml", False),
        ("site/mkdocs.yaml", False),
        (".pre-commit-config.yaml", False),
        (".github/workflows/docs.yml", False),
        ("README.md", False),
        ("templates/registry.yaml.j2", False),
    ],
)
def test_validate_hook_selects_manifests(path: str, taken: bool) -> None:
    assert selected(HOOKS["appreg-validate"], path) is taken


def test_validate_hook_entry_runs_as_pre_commit_runs_it(tmp_path: Path) -> None:
    # pre-commit runs `entry` with the selected file names appended.
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(SECRET)
    bad.write_text(SECRET.replace("ZGVtbw==", "not base64!"))
    appreg = Path(sys.executable).with_name("appreg")
    if not appreg.exists():
        appreg = Path(shutil.which("appreg") or "appreg")
    argv = [str(appreg), *shlex.split(HOOKS["appreg-validate"]["entry"])[1:]]
    assert subprocess.run([*argv, str(good)], capture_output=True, text=True).returncode == 0
    failed = subprocess.run([*argv, str(good), str(bad)], capture_output=True, text=True)
    assert failed.returncode == 1
    assert "bad.yaml:7:" in failed.stdout


def test_a_material_site_without_material_installed_says_additional_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What `pre-commit try-repo` gives a Material site: the hook's environment has MkDocs' own
    # themes only. MkDocs asks mkdocs.utils.get_theme_names for the installed ones.
    import mkdocs.utils

    monkeypatch.setattr(mkdocs.utils, "get_theme_names", lambda: ["mkdocs", "readthedocs"])
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: s\ntheme:\n  name: material\nplugins:\n  - appreg\n")
    assert main(["check", "-f", str(tmp_path / "mkdocs.yml")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "Unrecognised theme name: 'material'" in err
    assert "install mkdocs-material where appreg runs" in err
    assert "additional_dependencies: [mkdocs-material] under the hook's id" in err


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Config value 'plugins': The \"material/blog\" plugin is not installed", "[mkdocs-material]"),
        (
            "Config value 'markdown_extensions': Failed to load extension 'material.extensions.emoji'.\n"
            'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n'
            "ModuleNotFoundError: No module named 'material'",
            "(ModuleNotFoundError: No module named 'material'); install mkdocs-material",
        ),
        (
            "Config value 'plugins': The \"macros\" plugin is not installed",
            "install the package that provides 'macros' where appreg runs (for the pre-commit hook: "
            "list it in additional_dependencies under the hook's id)",
        ),
    ],
)
def test_install_hints(message: str, expected: str) -> None:
    hinted = with_install_hint(message)
    assert expected in hinted
    assert "\n" not in hinted and "Traceback" not in hinted


def test_other_errors_get_no_hint() -> None:
    assert with_install_hint("Config value 'site_name': Required configuration not provided.") == (
        "Config value 'site_name': Required configuration not provided."
    )
