"""A CRD the API server would refuse stops the CLI (exit 2) and the build (PluginError) at its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import run_appreg, run_mkdocs
from test_plugin import make_site

BROKEN = Path(__file__).parent / "fixtures" / "crds" / "broken-rules"
RESOURCE = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n"

CASES = [
    ("bad-cel.yaml", 21, "x-kubernetes-validations/0/rule: Invalid value: compilation failed"),
    ("bad-map-key.yaml", 24, "all map keys must be required or have a default value"),
]


@pytest.mark.parametrize(("name", "line", "message"), CASES)
def test_cli_refuses_the_crd_with_exit_2_and_its_line(
    tmp_path: Path, name: str, line: int, message: str
) -> None:
    resource = tmp_path / "secret.yaml"
    resource.write_text(RESOURCE)
    crd = BROKEN / name
    result = run_appreg("validate", "--crd", str(crd), str(resource), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    [error_line] = result.stderr.splitlines()
    assert error_line.startswith(f"appreg: error: {crd}:{line}: ")
    assert message in error_line


@pytest.mark.parametrize(("name", "line", "message"), CASES)
def test_build_stops_with_a_plugin_error_naming_the_crd_line(
    tmp_path: Path, name: str, line: int, message: str
) -> None:
    site = make_site(tmp_path / "p", options={"crds": [f"crds/{name}"]})
    (site / "crds").mkdir()
    shutil.copy(BROKEN / name, site / "crds" / name)
    result = run_mkdocs(site)
    assert result.returncode != 0
    assert f"crds/{name}:{line}: " in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
