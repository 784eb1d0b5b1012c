"""Broken configuration and paths that try to leave their roots: one-line errors, never a traceback.

`appreg check` exits 2 with `appreg: error: <one line>`; `mkdocs build` stops with a PluginError
(MkDocs prints `Error: ...` or `ERROR - Config value ...` and exits 1).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from harness import REPO, appreg, no_network_env, run_bounded, write_site

from mkdocs_appreg.markdown.directive import resolve_snippet_path

REGISTRY_CRD = REPO / "mkdocs_appreg" / "crds" / "appstore.eda.nokia.com_registries.yaml"


def check(site: Path) -> subprocess.CompletedProcess[str]:
    return appreg("check", "--config-file", "mkdocs.yml", cwd=site)


def build(site: Path) -> subprocess.CompletedProcess[str]:
    return run_bounded(
        ["-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml"], cwd=site, env=no_network_env(site.parent)
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("appreg: error: ")
    return lines[0].removeprefix("appreg: error: ")


CASES: list[tuple[str, dict[str, Any], dict[str, str | bytes], str]] = [
    ("unknown-option", {"validaton": False}, {}, "unknown option 'validaton' of the appreg plugin"),
    ("wrong-type", {"validation": "maybe"}, {}, "validation"),
    ("wrong-list", {"crds": "crd.yaml"}, {}, "crds"),
    ("missing-templates", {"templates_dir": "nowhere"}, {}, "templates_dir 'nowhere' does not exist"),
    (
        "dotdot-templates",
        {"templates_dir": "../templates"},
        {},
        "plugin option 'templates_dir': '../templates' resolves outside the directory of mkdocs.yml",
    ),
    (
        "dotdot-vars",
        {"vars_file": "../vars.yaml"},
        {},
        "plugin option 'vars_file': '../vars.yaml' resolves outside the directory of mkdocs.yml",
    ),
    (
        "dotdot-crds",
        {"crds": ["../crds"]},
        {},
        "plugin option 'crds': '../crds' resolves outside the directory of mkdocs.yml",
    ),
    (
        "url-crds",
        {"crds": ["https://example.com/crd.yaml"]},
        {},
        "plugin option 'crds': 'https://example.com/crd.yaml' is a URL; appreg never uses the network",
    ),
    (
        "dotdot-cache",
        {"cache_dir": "../outside"},
        {},
        "plugin option 'cache_dir': '../outside' resolves outside the directory of mkdocs.yml",
    ),
    (
        "site-cache",
        {"cache_dir": "site"},
        {},
        "plugin option 'cache_dir': 'site' overlaps site_dir, which MkDocs empties at every build",
    ),
    ("broken-crd", {"crds": ["crd.yaml"]}, {"crd.yaml": "kind: [\n"}, "crd.yaml:2: YAML syntax error"),
    (
        "not-a-crd",
        {"crds": ["crd.yaml"]},
        {"crd.yaml": "kind: ConfigMap\n"},
        "crd.yaml:1: no apiextensions.k8s.io/v1 CustomResourceDefinition in this file",
    ),
    (
        "undecodable-crd",
        {"crds": ["crd.yaml"]},
        {"crd.yaml": b"kind: \xff\n"},
        "crd.yaml:1: not UTF-8: byte 0xff at offset 6",
    ),
    ("broken-vars", {"vars_file": "vars.yaml"}, {"vars.yaml": "a: [\n"}, "vars.yaml:2: invalid YAML"),
    ("tabbed-vars", {"vars_file": "vars.yaml"}, {"vars.yaml": "a:\n\tb: 1\n"}, "vars.yaml:2: invalid YAML"),
    (
        "undecodable-vars",
        {"vars_file": "vars.yaml"},
        {"vars.yaml": b"a: 1\nb: \xfe\n"},
        "vars.yaml:2: not UTF-8: byte 0xfe at offset 8",
    ),
]


@pytest.mark.parametrize(("options", "files", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_reports_a_broken_config_in_one_line(
    tmp_path: Path, options: dict[str, Any], files: dict[str, str | bytes], message: str
) -> None:
    site = write_site(tmp_path / "site", options=options, files=files)
    assert message in one_line_error(check(site))


@pytest.mark.parametrize(
    ("options", "files", "message"),
    [
        c[1:]
        for c in CASES
        if c[0]
        in (
            "unknown-option",
            "dotdot-vars",
            "url-crds",
            "broken-crd",
            "missing-templates",
            "dotdot-cache",
            "site-cache",
        )
    ],
    ids=[
        "unknown-option",
        "dotdot-vars",
        "url-crds",
        "broken-crd",
        "missing-templates",
        "dotdot-cache",
        "site-cache",
    ],
)
def test_the_build_stops_with_a_plugin_error(
    tmp_path: Path, options: dict[str, Any], files: dict[str, str | bytes], message: str
) -> None:
    site = write_site(tmp_path / "site", options=options, files=files)
    result = build(site)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (site / "site").exists()


def test_symlinks_out_of_the_project_are_refused_for_vars_and_crds(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "vars.yaml").write_text("a: 1\n")
    site = write_site(tmp_path / "site", options={"vars_file": "vars.yaml"})
    os.symlink(outside / "vars.yaml", site / "vars.yaml")
    assert (
        "plugin option 'vars_file': 'vars.yaml' resolves outside the directory of mkdocs.yml"
        in one_line_error(check(site))
    )


def test_an_absolute_path_is_an_explicit_choice_and_allowed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "crd.yaml").write_text(REGISTRY_CRD.read_text())
    site = write_site(tmp_path / "site", options={"crds": [str(outside / "crd.yaml")]})
    result = check(site)
    assert result.returncode == 0, result.stderr


def test_a_symlink_in_a_crd_folder_may_not_point_out(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.yaml").write_text(REGISTRY_CRD.read_text())
    site = write_site(tmp_path / "site", options={"crds": ["crds"]})
    (site / "crds").mkdir()
    os.symlink(tmp_path / "elsewhere.yaml", site / "crds" / "linked.yaml")
    message = one_line_error(check(site))
    assert message.startswith("crds/linked.yaml: is a symlink to ")
    assert message.endswith(", outside crds")


def test_the_cli_refuses_a_crd_url_without_touching_the_network(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n")
    result = run_bounded(
        ["-m", "mkdocs_appreg", "validate", "--crd", "https://example.com/crd.yaml", "r.yaml"],
        cwd=tmp_path,
        env=no_network_env(tmp_path),
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "appreg: error: https://example.com/crd.yaml: is a URL; appreg downloads CRDs only with "
        "--allow-remote-crds: pass it, or save the file and name its path"
    ]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/etc/passwd",
            "absolute path `/etc/passwd` is not allowed; write it relative to a snippet base path",
        ),
        ("../outside.yaml", "path `../outside.yaml` leaves every snippet base path"),
        ("docs/../../outside.yaml", "path `docs/../../outside.yaml` leaves every snippet base path"),
        ("docs/leak.yaml", "path `docs/leak.yaml` is a symlink to a file outside the snippet base path"),
    ],
)
def test_directive_paths_stay_in_the_snippet_bases(tmp_path: Path, path: str, message: str) -> None:
    base = tmp_path / "project"
    (base / "docs").mkdir(parents=True)
    (tmp_path / "outside.yaml").write_text("a: 1\n")
    os.symlink(tmp_path / "outside.yaml", base / "docs" / "leak.yaml")
    with pytest.raises(ValueError) as raised:
        resolve_snippet_path(path, [base])
    assert str(raised.value) == message


def test_a_directive_to_a_symlink_out_fails_the_build_naming_the_page(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("token: live\n")
    site = write_site(
        tmp_path / "site",
        pages={"index.md": "# Home\n\n/// resource | parts/leak.yaml\n///\n"},
    )
    # Outside docs/: a link in docs/ stops the build before any page (MkDocs would publish it).
    (site / "parts").mkdir()
    os.symlink(tmp_path / "secret.yaml", site / "parts" / "leak.yaml")
    result = build(site)
    assert result.returncode == 1
    assert (
        "docs/index.md:3: path `parts/leak.yaml` is a symlink to a file outside the snippet base path"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_hand_written_snippet_line_to_a_symlink_out_fails_the_build(tmp_path: Path) -> None:
    (tmp_path / "environ").write_text("AWS_SECRET_ACCESS_KEY=live\n")
    site = write_site(
        tmp_path / "site", pages={"index.md": '# Home\n\n```yaml\n--8<-- "parts/env.yaml"\n```\n'}
    )
    (site / "parts").mkdir()
    os.symlink(tmp_path / "environ", site / "parts" / "env.yaml")
    result = build(site)
    assert result.returncode == 1
    assert (
        "docs/index.md:4: snippet path `parts/env.yaml` is a symlink to a file outside the snippet base path"
        in result.stderr
    )
    assert (
        not (site / "site").exists()
        or "AWS_SECRET_ACCESS_KEY" not in (site / "site" / "index.html").read_text()
    )


def test_a_leaked_credential_fails_a_strict_build(tmp_path: Path) -> None:
    import secrets

    token = "ghp_" + "".join(
        secrets.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(36)
    )
    template = (
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: n\nstringData:\n  token: {token}\n"
    )
    site = write_site(tmp_path / "site", templates={"s.yaml.j2": template})
    result = run_bounded(
        ["-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml"], cwd=site, env=no_network_env(tmp_path)
    )
    assert result.returncode == 1
    assert (
        "templates/s.yaml.j2:7:3: [secret.leak] Secret/s /stringData/token: stringData.token looks like a real credential (GitHub Token)"
        in result.stderr
    )


def test_check_reads_no_include_outside_the_snippet_bases(tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata:\n  name: Bad_Name\n")
    page = "".join(
        f'```yaml\n--8<-- "{path}"\n```\n\n'
        for path in ("docs/leak.yaml", "../outside.yaml", str(tmp_path / "outside.yaml"))
    )
    site = write_site(tmp_path / "site", pages={"index.md": page})
    os.symlink(tmp_path / "outside.yaml", site / "docs" / "leak.yaml")
    result = check(site)
    assert result.returncode == 1, result.stdout  # the build stops on each of them: an error here
    assert "Bad_Name" not in result.stdout  # the outside file was never read
    assert result.stdout.splitlines()[:-1] == [
        "docs/index.md:2:1: error [snippet.refused] snippet path `docs/leak.yaml` is a symlink to a file "
        "outside the snippet base path",
        "docs/index.md:6:1: error [snippet.refused] snippet path `../outside.yaml` leaves every snippet base path",
        f"docs/index.md:10:1: error [snippet.refused] snippet absolute path `{tmp_path / 'outside.yaml'}` is not "
        "allowed; write it relative to a snippet base path",
    ]
