"""The distribution a user installs: its license file, version and changelog agree.

The wheel is built from a copy of the sources in a temporary directory (a build in the checkout
would leave `build/` behind), by pip, with the build backend of this environment: the test extra
installs what `[build-system] requires` names, and pip checks that it does
(`--check-build-dependencies`). An isolated build would first make a venv and install the same
backend into it (~2 s of the ~3.5 s); `.ci/run`'s `pip install -e` takes that path, from the same
`requires`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import mkdocs_appreg

ROOT = Path(__file__).resolve().parent.parent


def test_license_is_the_apache_2_0_text() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    # The full text has nine sections, and the appendix.
    assert "9. Accepting Warranty or Additional Liability." in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert len(text.splitlines()) > 190


def test_changelog_has_an_entry_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## (\d+\.\d+\.\d+)\b", changelog, flags=re.MULTILINE)
    assert versions, "CHANGELOG.md has no version heading"
    assert versions[0] == mkdocs_appreg.__version__


def test_readme_claims_no_index_release() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"^\s*pip install mkdocs-appreg\b", readme, flags=re.MULTILINE)
    assert "your-org" not in readme


def test_wheel_ships_the_license(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "mkdocs_appreg", source / "mkdocs_appreg", ignore=shutil.ignore_patterns("__pycache__")
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--check-build-dependencies",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "dist").glob("mkdocs_appreg-*.whl")
    assert wheel.name.startswith(f"mkdocs_appreg-{mkdocs_appreg.__version__}-")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        licenses = [name for name in names if name.endswith(".dist-info/licenses/LICENSE")]
        assert licenses, names
        assert archive.read(licenses[0]) == (ROOT / "LICENSE").read_bytes()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert "License-File: LICENSE" in metadata
    # The Kubernetes schemas that make built-in kinds work without kubernetes-validate.
    shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith("mkdocs_appreg/kubeschemas/")}
    assert shipped == {f"v1.{minor}.json.gz" for minor in range(25, 38)}
    assert "Requires-Python: >=3.11" in metadata
