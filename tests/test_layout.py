"""The package under test is the installed one, its entry points resolve, and its layers hold.

The repository root is on `sys.path` while pytest runs from it (a flat layout), so a checkout
could shadow the installed package by accident. The README installs it editable; these tests
check that the module imported here is the one the installed metadata points at.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import mkdocs_appreg

PACKAGE = Path(mkdocs_appreg.__file__).resolve().parent


def test_the_imported_package_is_the_installed_one() -> None:
    distribution = metadata.distribution("mkdocs-appreg")
    assert distribution.version == mkdocs_appreg.__version__
    direct_url = distribution.read_text("direct_url.json")
    if direct_url and json.loads(direct_url).get("dir_info", {}).get("editable"):
        # pip install -e: the metadata names the project directory this package lies in.
        project = Path(json.loads(direct_url)["url"].removeprefix("file://"))
        assert (project / "mkdocs_appreg").resolve() == PACKAGE
    else:
        files = distribution.files or []
        init = next(f for f in files if str(f) == "mkdocs_appreg/__init__.py")
        assert Path(str(distribution.locate_file(init))).resolve() == PACKAGE / "__init__.py"


def test_entry_points_load_from_this_package() -> None:
    found = {
        (point.group, point.name): point
        for point in metadata.distribution("mkdocs-appreg").entry_points
        if point.group in ("mkdocs.plugins", "markdown.extensions", "console_scripts")
    }
    assert set(found) == {
        ("mkdocs.plugins", "appreg"),
        ("markdown.extensions", "appreg"),
        ("console_scripts", "appreg"),
    }
    for point in found.values():
        loaded = point.load()
        module = sys.modules[loaded.__module__]
        assert Path(str(module.__file__)).resolve().is_relative_to(PACKAGE), point


def test_layers_are_subpackages() -> None:
    layers = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert layers == ["cli", "common", "engine", "markdown", "pages", "plugin", "rendering", "site"]
    assert not [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]


def test_appreg_validate_imports_no_jinja_mkdocs_or_markdown(tmp_path: Path) -> None:
    resource = tmp_path / "secret.yaml"
    resource.write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels:\n    eda.nokia.com/backup: 'true'\n"
        "stringData:\n  a: b\n"
    )
    script = (
        "import sys\nfrom mkdocs_appreg.cli import main\n"
        f"code = main(['validate', {str(resource)!r}])\n"
        "heavy = sorted(m for m in ('jinja2', 'mkdocs', 'markdown', 'pymdownx') if m in sys.modules)\n"
        "print('MODULES', heavy, code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "MODULES [] 0" in done.stdout, done.stdout
