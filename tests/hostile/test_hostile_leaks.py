"""A detected leak stops every build, and the credential is in no file appreg or MkDocs wrote.

The attack: a pull request adds a Secret holding a live-looking token, rendered from a template
or written on a page. A plain `mkdocs build` (no `--strict`) used to exit 0 and publish it; a
failing `--strict` build still wrote every page. Now each mode stops before MkDocs writes a
page, the rendered copies in the cache and the build record are removed, and `appreg check`
leaves no rendered copy behind either.
"""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

import pytest
from harness import no_network_env, run_bounded, write_site

ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def token() -> str:
    return "ghp_" + "".join(secrets.choice(ALPHABET) for _ in range(36))


def secret(value: str) -> str:
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: ns\nstringData:\n  token: {value}\n"


def files_holding(site: Path, value: str) -> list[str]:
    """Every file below the project holding `value`, except the pull request's own inputs."""
    inputs = (site / "docs", site / "templates")
    return sorted(
        str(path.relative_to(site))
        for path in site.rglob("*")
        if path.is_file()
        and not any(path.is_relative_to(directory) for directory in inputs)
        and value.encode() in path.read_bytes()
    )


def build(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_bounded(
        ["-m", "mkdocs", "build", "-f", "mkdocs.yml", *args], cwd=site, env=no_network_env(site.parent)
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.parametrize("mode", [(), ("--strict",)], ids=["plain", "strict"])
def test_a_rendered_leak_stops_the_build_and_is_in_no_written_file(
    tmp_path: Path, mode: tuple[str, ...]
) -> None:
    value = token()
    site = write_site(
        tmp_path / "site",
        templates={"s.yaml.j2": secret(value)},
        pages={"index.md": "# Home\n\n/// resource | docs/s.yaml\n///\n"},
    )
    result = build(site, *mode)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    # The detector's wording is its own (engine/leaks.py); the stop is one line around it.
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(
        "ERROR   -  appreg: templates/s.yaml.j2:7:3: [secret.leak] Secret/s /stringData/token:"
    )
    assert errors[0].endswith("; a leaked credential stops the build in every mode")
    assert value not in result.stdout + result.stderr
    assert files_holding(site, value) == []


def test_a_leak_written_on_a_page_is_not_published(tmp_path: Path) -> None:
    value = token()
    site = write_site(tmp_path / "site", pages={"index.md": f"# Home\n\n```yaml\n{secret(value)}```\n"})
    result = build(site)
    assert result.returncode == 1
    assert "[secret.leak]" in result.stderr and "stops the build in every mode" in result.stderr
    assert files_holding(site, value) == []


def test_a_second_build_after_a_clean_one_removes_the_cached_copy(tmp_path: Path) -> None:
    value = token()
    site = write_site(
        tmp_path / "site",
        templates={"s.yaml.j2": secret("your-token-here")},
        pages={"index.md": "# Home\n\n/// resource | docs/s.yaml\n///\n"},
    )
    assert build(site).returncode == 0
    (site / "templates" / "s.yaml.j2").write_text(secret(value))
    assert build(site).returncode == 1
    assert files_holding(site, value) == []


def test_check_reports_the_leak_and_keeps_no_rendered_copy(tmp_path: Path) -> None:
    value = token()
    site = write_site(tmp_path / "site", templates={"s.yaml.j2": secret(value)})
    result = run_bounded(
        ["-m", "mkdocs_appreg", "check", "--config-file", "mkdocs.yml"],
        cwd=site,
        env=no_network_env(tmp_path),
    )
    assert result.returncode == 1
    assert "[secret.leak]" in result.stdout
    assert value not in result.stdout + result.stderr
    assert files_holding(site, value) == []


@pytest.mark.parametrize("name", ["docs/secret.yaml", "docs/deploy/creds.json"])
def test_a_leak_in_a_data_file_no_page_includes_is_not_published(tmp_path: Path, name: str) -> None:
    # MkDocs copies every non-page file of docs/ into the site: a Secret committed there ships
    # although no page, template or include shows it.
    value = token()
    text = secret(value)
    if name.endswith(".json"):
        text = (
            '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ns"}, '
            f'"stringData": {{"token": "{value}"}}}}\n'
        )
    site = write_site(tmp_path / "site", files={name: text})
    result = build(site)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"ERROR   -  appreg: {name}:"), errors[0]
    assert "[secret.leak]" in errors[0] and "would be published as it is" in errors[0]
    assert value not in result.stdout + result.stderr
    assert files_holding(site, value) == []


def test_a_data_file_without_a_credential_is_published(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", files={"docs/secret.yaml": secret("your-token-here")})
    result = build(site, "--strict")
    assert result.returncode == 0, result.stderr
    assert (site / "site" / "secret.yaml").is_file()


def test_check_reports_a_leak_in_a_data_file_no_page_includes(tmp_path: Path) -> None:
    # appreg check is the CI gate: it agrees with the build on a file MkDocs would publish as is.
    value = token()
    site = write_site(
        tmp_path / "site",
        files={"docs/deploy/secret.yaml": secret(value), "docs/.hidden/secret.yaml": secret(value)},
    )
    result = run_bounded(
        ["-m", "mkdocs_appreg", "check", "--config-file", "mkdocs.yml"],
        cwd=site,
        env=no_network_env(tmp_path),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    leaks = [line for line in result.stdout.splitlines() if "[secret.leak]" in line]
    # The hidden folder is not published (MkDocs' default exclude_docs), so not reported.
    assert len(leaks) == 1 and leaks[0].startswith("docs/deploy/secret.yaml:7:3: error [secret.leak]"), leaks
    assert value not in result.stdout + result.stderr
