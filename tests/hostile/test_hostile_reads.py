"""Reads outside the project, and of VCS or credential files, through any include path.

The attacks: a nested `--8<--` line inside an included file, or inside a rendered resource's
block scalar, that follows a committed symlink out of the project (`docs/env.txt ->
/proc/self/environ` in the report); `/// resource | .git/config`, where `actions/checkout`
keeps the job token. The build (a real `mkdocs build`) stops with one line naming the page,
`appreg check` reports an error, and the secret is in no output and no written file.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from harness import no_network_env, run_bounded, write_site

TOKEN = "ghs_jobTokenThatMustNeverBePublished0123"
CONFIGMAP = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ns\ndata:\n  a: |\n    {line}\n"
)


def listing(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def outside(tmp_path: Path) -> Path:
    directory = tmp_path / "outside"
    directory.mkdir()
    (directory / "environ").write_text(f"GITHUB_TOKEN={TOKEN}\n")
    return directory


def build(site: Path) -> subprocess.CompletedProcess[str]:
    result = run_bounded(
        ["-m", "mkdocs", "build", "-f", "mkdocs.yml"], cwd=site, env=no_network_env(site.parent)
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def check(site: Path) -> subprocess.CompletedProcess[str]:
    result = run_bounded(
        ["-m", "mkdocs_appreg", "check", "--config-file", "mkdocs.yml"],
        cwd=site,
        env=no_network_env(site.parent),
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def written_anywhere(site: Path) -> list[str]:
    """Files the build wrote (site/, the cache) that hold the token."""
    found = []
    for directory in (site / "site", site / ".cache"):
        for path in directory.rglob("*") if directory.exists() else ():
            if path.is_file() and not path.is_symlink() and TOKEN.encode() in path.read_bytes():
                found.append(str(path))
    return found


def assert_refused(site: Path, build_line: str, check_line: str, before: dict[str, str], away: Path) -> None:
    result = build(site)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    if "[directive.invalid]" in check_line:
        # The site check stops the build before any page is read, once per directive, with no
        # warning of it first.
        assert errors == [f"ERROR   -  {build_line}"], result.stderr
        assert "WARNING" not in result.stderr, result.stderr
    else:
        # An include refused inside a file: MkDocs' own first line names the page being read;
        # ours says what and why.
        assert errors == ["ERROR   -  Error reading page 'index.md':", f"ERROR   -  {build_line}"], (
            result.stderr
        )
    assert TOKEN not in result.stderr + result.stdout
    result = check(site)
    assert result.returncode == 1, result.stdout
    assert check_line in result.stdout.splitlines(), result.stdout
    assert TOKEN not in result.stderr + result.stdout
    assert written_anywhere(site) == []
    assert listing(away) == before


def test_a_nested_include_through_a_committed_symlink_is_refused(tmp_path: Path) -> None:
    away = outside(tmp_path)
    before = listing(away)
    site = write_site(
        tmp_path / "site",
        pages={"index.md": '# Home\n\n```yaml\n--8<-- "docs/part.yaml"\n```\n'},
        files={"docs/part.yaml": 'a: 1\n--8<-- "parts/env.txt"\n'},
    )
    (site / "parts").mkdir()
    os.symlink(away / "environ", site / "parts" / "env.txt")
    reason = "snippet path `parts/env.txt` is a symlink to a file outside the snippet base path"
    assert_refused(
        site,
        f"docs/index.md: {reason}",
        f"docs/part.yaml:2:1: error [snippet.refused] {reason}",
        before,
        away,
    )


def test_an_include_inside_a_rendered_block_scalar_is_refused(tmp_path: Path) -> None:
    away = outside(tmp_path)
    before = listing(away)
    site = write_site(
        tmp_path / "site",
        templates={"r.yaml.j2": CONFIGMAP.format(line='--8<-- "parts/env.txt"')},
        pages={"index.md": "# Home\n\n/// resource | docs/r.yaml\n///\n"},
    )
    (site / "parts").mkdir()
    os.symlink(away / "environ", site / "parts" / "env.txt")
    reason = "snippet path `parts/env.txt` is a symlink to a file outside the snippet base path"
    assert_refused(
        site,
        f"docs/index.md: {reason}",
        f"templates/r.yaml.j2:8:5: error [snippet.refused] {reason}",
        before,
        away,
    )


@pytest.mark.parametrize(
    ("committed", "path", "secret"),
    [
        (".git/config", ".git/config", ".git"),
        (".env", ".env", ".env"),
        (".docker/config.json", ".docker/config.json", ".docker"),
        ("docs/.netrc", "docs/.netrc", ".netrc"),
    ],
)
def test_vcs_and_credential_files_are_never_included(
    tmp_path: Path, committed: str, path: str, secret: str
) -> None:
    away = outside(tmp_path)
    before = listing(away)
    site = write_site(
        tmp_path / "site",
        pages={"index.md": f"# Home\n\n/// resource | {path}\n///\n"},
        files={committed: f'[http]\n  extraheader = "AUTHORIZATION: basic {TOKEN}"\n'},
    )
    reason = f"path `{path}` names `{secret}`, a VCS or credential file, which is never included"
    assert_refused(
        site,
        f"docs/index.md:3: {reason}",
        f"docs/index.md:3:1: error [directive.invalid] {reason}",
        before,
        away,
    )


def test_a_symlink_to_the_git_config_inside_the_project_is_refused(tmp_path: Path) -> None:
    away = outside(tmp_path)
    before = listing(away)
    site = write_site(
        tmp_path / "site",
        pages={"index.md": '# Home\n\n```yaml\n--8<-- "parts/config.yaml"\n```\n'},
        files={".git/config": f"token = {TOKEN}\n"},
    )
    (site / "parts").mkdir()
    os.symlink("../.git/config", site / "parts" / "config.yaml")
    reason = "snippet path `parts/config.yaml` is a symlink to `.git`, a VCS or credential file, which is never included"
    assert_refused(
        site,
        f"docs/index.md:4: {reason}",
        f"docs/index.md:4:1: error [snippet.refused] {reason}",
        before,
        away,
    )


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("../.git/config", "is a symlink to `.git`, a VCS or credential file, which is never published"),
        ("OUTSIDE", "is a symlink to a file outside the project, which is never published"),
    ],
    ids=["git-config", "outside"],
)
def test_a_docs_file_that_links_out_is_not_published(tmp_path: Path, target: str, reason: str) -> None:
    # No page includes it: MkDocs itself would copy the link's target into site/ as a static file.
    away = outside(tmp_path)
    before = listing(away)
    site = write_site(
        tmp_path / "site",
        pages={"index.md": "# Home\n"},
        files={".git/config": f"token = {TOKEN}\n"},
    )
    (site / "docs" / "examples").mkdir()
    link = site / "docs" / "examples" / "cfg.yaml"
    os.symlink(str(away / "environ") if target == "OUTSIDE" else f"../{target}", link)
    result = build(site)
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("ERROR")] == [
        f"ERROR   -  appreg: docs/examples/cfg.yaml {reason}"
    ], result.stderr
    assert written_anywhere(site) == []
    assert listing(away) == before


def test_a_docs_file_that_links_inside_the_project_is_published(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", pages={"index.md": "# Home\n"}, files={"README.md": "# Readme\n"})
    os.symlink("../README.md", site / "docs" / "readme.md")
    result = build(site)
    assert result.returncode == 0, result.stderr
    assert (site / "site" / "readme" / "index.html").is_file()


# `appreg check` read only the directive's path; a bad option, a missing closing `///`, content
# inside the directive or an empty path stopped the build and the check said "no problems". Both
# now read the directive with one parser (pages/directives.py) and say the same thing.
@pytest.mark.parametrize(
    ("directive", "line", "reason"),
    [
        (
            "/// resource | r.yaml\n    lang: not a language\n///\n",
            4,
            "option `lang` must be a fence language such as `yaml`, not 'not a language'",
        ),
        (
            "/// resource | r.yaml\n    colour: red\n///\n",
            4,
            "unknown option `colour`; allowed: command, kubectl, lang, yaml",
        ),
        (
            "/// resource | r.yaml\n    yaml: false\n    command: false\n///\n",
            5,
            "`yaml: false` and `command: false` leave no tab to show",
        ),
        (
            "/// resource | r.yaml\n    kubectl: [apply]\n///\n",
            4,
            "option `kubectl` must be a one-line command, not ['apply']",
        ),
        ("/// resource | r.yaml\n    yaml: [\n///\n", 4, None),
        ("/// resource | r.yaml\n", 3, "`resource` directive has no closing `///` at its indentation"),
        (
            "/// resource | r.yaml\nsome text\n///\n",
            4,
            "the `resource` directive takes no content; options go directly under its header, indented 4 spaces",
        ),
        ("/// resource |\n///\n", 3, "`resource` directive needs a path: `/// resource | path/to/file.yaml`"),
        ("/// resource: r.yaml\n///\n", 3, "malformed header; write `/// resource | path/to/file.yaml`"),
    ],
)
def test_a_directive_the_build_refuses_is_the_same_error_in_the_check(
    tmp_path: Path, directive: str, line: int, reason: str | None
) -> None:
    site = write_site(
        tmp_path / "site",
        pages={"index.md": f"# Home\n\n{directive}"},
        files={"r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\n"},
    )
    result = build(site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [text for text in result.stderr.splitlines() if text.startswith("ERROR   -  docs/index.md")]
    assert len(errors) == 1, result.stderr
    built = errors[0].removeprefix("ERROR   -  ")
    assert built.startswith(f"docs/index.md:{line}: ")
    if reason is not None:
        assert built == f"docs/index.md:{line}: {reason}"
    result = check(site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    # The check's finding is the build's error, as a finding.
    assert f"docs/index.md:{line}:1: error [directive.invalid] {built.split(': ', 1)[1]}" in (
        result.stdout.splitlines()
    ), result.stdout
