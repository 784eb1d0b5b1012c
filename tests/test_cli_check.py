"""`appreg check` and `appreg render`, run in this process through `mkdocs_appreg.cli.main`.

`run_appreg` (tests/conftest.py) gives the command captured streams, the project as working
directory and no MKDOCS*/GITHUB* variables; tests/test_cli.py proves it reports what the console
script does. A fresh interpreter is still the point of `test_validate_does_not_import_mkdocs`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_appreg, run_mkdocs
from mkdocs_appreg.cli.reporters import finding_json
from mkdocs_appreg.plugin.config import load_site
from mkdocs_appreg.site.project import build_registry, render_project, write_cache

FIXTURES = Path(__file__).parent / "fixtures"
STATUS_QUO = FIXTURES / "status-quo-site"


def appreg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`appreg *args` in this process, from `cwd`, with NO_COLOR=1 and no MKDOCS*/GITHUB* variables."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith(("MKDOCS", "GITHUB"))}
    return run_appreg(*args, cwd=cwd, env={**env, "NO_COLOR": "1"})


@pytest.fixture
def status_quo(tmp_path: Path) -> Path:
    target = tmp_path / "status-quo"
    shutil.copytree(STATUS_QUO, target)
    return target


def library_findings(root: Path) -> list[dict[str, object]]:
    """The findings of the library pipeline, as the JSON reporter writes them."""
    from mkdocs_appreg.site.check import check_site

    site = load_site(root / "mkdocs.yml")
    rendered = render_project(site.settings)
    write_cache(site.settings, rendered.rendered)
    registry, warnings = build_registry(site.settings)
    result = check_site(
        site.settings,
        site.pages,
        options=site.options,
        registry=registry,
        rendered=rendered.rendered,
        base_path=site.base_path,
    )
    return [finding_json(f) for f in [*warnings, *result.findings]]


# --- check -----------------------------------------------------------------------------------------


def test_status_quo_json(status_quo: Path) -> None:
    result = appreg("check", "--format", "json", cwd=status_quo)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == library_findings(status_quo)
    assert report["documents"] == 3
    rules = {(f["file"], f["line"], f["column"], f["rule"]) for f in report["findings"]}
    resources = "docs/development/resources"
    assert {
        (f"{resources}/authSecretRef.yaml", 9, 3, "placeholder"),
        (f"{resources}/authSecretRef.yaml", 10, 3, "placeholder"),
        (f"{resources}/registry.yaml", 7, 3, "ref.missing"),
    } <= rules
    assert {f["rule"] for f in report["findings"]} == {"placeholder", "ref.missing", "prose.unknown-field"}


def test_check_skip_leaves_the_kinds_named_unvalidated(status_quo: Path) -> None:
    # `appreg check --skip Registry`, as `appreg validate --skip`: the Registry is not validated,
    # and nothing is said about it (its ref.missing included); the other kinds are.
    result = appreg("check", "--format", "json", "--skip", "Registry", cwd=status_quo)
    report = json.loads(result.stdout)
    kinds = {f["kind"] for f in report["findings"]}
    assert "Registry" not in kinds and "Secret" in kinds, result.stdout
    # Nor counted as checked, as `appreg validate --skip` counts: the Secret and the Catalog.
    assert report["documents"] == 2


def test_check_skip_counts_no_skipped_rendered_resource(tmp_path: Path) -> None:
    # The templates' resources too: a skipped kind rendered from a template is not counted.
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - appreg\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "both.yaml.j2").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  k: v\n",
        encoding="utf-8",
    )

    def documents(*args: str) -> object:
        result = appreg("check", "--format", "json", *args, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)["documents"]

    assert (documents(), documents("--skip", "Secret"), documents("--skip", "Secret,ConfigMap")) == (2, 1, 0)


def test_check_prints_a_pages_findings_in_line_order(tmp_path: Path) -> None:
    # Document indices restart with each example: the first fence's second document (index 1)
    # must still print before the second fence's only document (index 0), which is further down.
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - appreg\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata: [1]\n"
    page = (
        "# x\n\n```yaml\n"
        + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n---\n"
        + bad.format(name="first")
        + "```\n\ntext\n\n```yaml\n"
        + bad.format(name="second")
        + "```\n"
    )
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    result = appreg("check", cwd=tmp_path)
    lines = [int(m) for m in re.findall(r"^docs/index\.md:(\d+):", result.stdout, re.MULTILINE)]
    assert len(lines) == 2, result.stdout
    assert lines == sorted(lines), result.stdout


def test_status_quo_check_and_strict_build_agree(status_quo: Path) -> None:
    check = appreg("check", "-f", "mkdocs.yml", cwd=status_quo)
    build = run_mkdocs(status_quo, "--strict")
    assert check.returncode == 1 and build.returncode != 0
    located = re.compile(r"(\S+:\d+:\d+): (?:warning |error )?\[([\w.-]+)\]")
    reported = located.findall(check.stdout)
    assert len(reported) == len(library_findings(status_quo))
    assert sorted(reported) == sorted(located.findall(build.stderr))


def test_text_summary_and_warnings_alone_exit_zero(status_quo: Path) -> None:
    config = status_quo / "mkdocs.yml"
    config.write_text(config.read_text().replace("prose: true", "prose: true\n      references: []"))
    result = appreg("check", cwd=status_quo)
    assert result.returncode == 0, result.stdout
    assert "ref.missing" not in result.stdout
    assert re.search(r"^0 errors?|^\d+ warnings in 3 documents", result.stdout.splitlines()[-1])


def test_github_format(status_quo: Path) -> None:
    result = appreg("check", "--format", "github", cwd=status_quo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        "::error file=docs/development/resources/registry.yaml,line=7,col=3,title=ref.missing::"
        in "\n".join(lines)
    )
    assert all(line.startswith(("::warning ", "::error ")) for line in lines)


def test_junit_format(status_quo: Path) -> None:
    result = appreg("check", "--format", "junit", cwd=status_quo)
    assert result.returncode == 1
    suite = ET.fromstring(result.stdout.split("\n", 1)[1])
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert "docs/development/custom-registry.md" in cases and "docs/development/custom-catalog.md" in cases
    failures = [case for case in cases.values() if case.find("failure") is not None]
    assert [case.get("name") for case in failures] == ["docs/development/resources/registry.yaml"]
    assert suite.get("failures") == "1"


def test_project_site_is_clean(site_copy: Path) -> None:
    result = appreg("check", "-f", "mkdocs.yml", "--format", "json", cwd=site_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == [] and report["documents"] > 0
    assert run_mkdocs(site_copy, "--strict").returncode == 0


def test_config_file_from_another_directory(status_quo: Path, tmp_path: Path) -> None:
    result = appreg("check", "-f", str(status_quo / "mkdocs.yml"), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout)["findings"] == library_findings(status_quo)


@pytest.mark.parametrize(
    ("config", "complaint"),
    [
        ("site_name: [unclosed\n", "mkdocs.yml"),
        ("site_name: x\nplugins:\n  - appreg:\n      prose: sometimes\n", "'prose'"),
        ("site_name: x\nplugins:\n  - appreg:\n      kubernetes_version: '0.1'\n", "kubernetes_version"),
        ("site_name: x\nplugins:\n  - search\n", "appreg plugin is not enabled"),
        ("site_name: x\nplugins:\n  - appreg:\n      templates_dir: nowhere\n", "templates_dir 'nowhere'"),
    ],
)
def test_broken_config_is_exit_2_and_one_line(tmp_path: Path, config: str, complaint: str) -> None:
    (tmp_path / "mkdocs.yml").write_text(config)
    (tmp_path / "docs").mkdir()
    (tmp_path / "templates").mkdir()
    result = appreg("check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("appreg: error: ")
    assert complaint in result.stderr


def test_a_yaml_error_in_the_config_says_what_and_where(tmp_path: Path) -> None:
    # MkDocs' message is the YAML problem, then `in "<path>", line N, column M`: the one line
    # keeps both (the last line alone named the place and dropped the problem).
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nnav: {a: [\n")
    result = appreg("check", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("appreg: error: mkdocs.yml:3: "), result.stderr
    assert "expected" in result.stderr or "while parsing" in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["check", "render"])
def test_missing_config_is_exit_2(tmp_path: Path, command: str) -> None:
    result = appreg(command, "-f", "nowhere/mkdocs.yml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "nowhere/mkdocs.yml" in result.stderr


def test_unknown_format_is_a_usage_error(status_quo: Path) -> None:
    result = appreg("check", "--format", "xml", cwd=status_quo)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_help_lists_check_and_render(tmp_path: Path) -> None:
    result = appreg("--help", cwd=tmp_path)
    assert "check" in result.stdout and "render" in result.stdout


# --- render ----------------------------------------------------------------------------------------


def test_render_writes_the_rendered_files_at_their_docs_paths(site_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = appreg("render", "--out", str(out), cwd=site_copy)
    assert result.returncode == 0, result.stderr
    settings = load_site(site_copy / "mkdocs.yml").settings
    rendered = render_project(settings).rendered
    assert rendered
    for item in rendered:
        assert (out / item.docs_path).read_text() == item.text
    assert sorted(result.stdout.splitlines()) == sorted(str(out / item.docs_path) for item in rendered)


def test_render_with_no_templates_says_so_and_exits_zero(tmp_path: Path) -> None:
    # Nothing to render is no error, but silence would leave the user guessing what happened.
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - appreg\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n", encoding="utf-8")
    result = appreg("render", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["no templates in templates/"], result.stdout


def test_render_defaults_to_the_cache(site_copy: Path) -> None:
    shutil.rmtree(site_copy / ".cache", ignore_errors=True)
    result = appreg("render", cwd=site_copy)
    assert result.returncode == 0, result.stderr
    written = [Path(line) for line in result.stdout.splitlines()]
    assert written and all(path.is_file() and ".cache" in path.parts for path in written)


def test_render_reports_a_broken_template_and_exits_1(site_copy: Path, tmp_path: Path) -> None:
    template = site_copy / "templates" / "development" / "resources" / "registry.yaml.j2"
    template.write_text(template.read_text() + "{{ nowhere_defined }}\n")
    number = template.read_text().count("\n")
    render = appreg("render", "--out", str(tmp_path / "out"), cwd=site_copy)
    assert render.returncode == 1
    assert f"templates/development/resources/registry.yaml.j2:{number}:" in render.stdout
    assert not (tmp_path / "out").exists()
    check = appreg("check", cwd=site_copy)
    assert check.returncode == 1 and f"registry.yaml.j2:{number}:" in check.stdout


# --- validate with the built-in kinds ---------------------------------------------------------------


def test_validate_knows_core_kinds_and_reports_missing_schemas_as_errors(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n")
    (tmp_path / "odd.yaml").write_text("apiVersion: example.com/v1\nkind: Sprocket\nmetadata: {name: s}\n")
    assert appreg("validate", "cm.yaml", cwd=tmp_path).returncode == 0
    result = appreg("validate", "--format", "json", "odd.yaml", cwd=tmp_path)
    assert result.returncode == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["severity"], finding["line"]) == ("schema.missing", "error", 2)


def test_validate_does_not_import_mkdocs(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    code = (
        "import sys; from mkdocs_appreg.cli.commands import main; code = main(['validate', 'cm.yaml']); "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'markdown')], 'imported'; "
        "sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_console_script_checks_like_the_in_process_runner(status_quo: Path) -> None:
    # Every other test here runs `appreg check` in this process; one real process must agree.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MKDOCS", "GITHUB"))}
    script = Path(sys.executable).with_name("appreg")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "mkdocs_appreg"]
    process = subprocess.run(
        [*command, "check", "--format", "json"],
        cwd=status_quo,
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "NO_COLOR": "1"},
        check=False,
    )
    in_process = appreg("check", "--format", "json", cwd=status_quo)
    assert (process.returncode, process.stdout, process.stderr) == (
        in_process.returncode,
        in_process.stdout,
        in_process.stderr,
    )
    assert process.returncode == 1 and json.loads(process.stdout)["findings"]


# --- pre-commit ------------------------------------------------------------------------------------


def test_pre_commit_hook_runs_appreg_check(status_quo: Path) -> None:
    hook = next(
        h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text()) if h["id"] == "appreg-check"
    )
    assert hook["id"] == "appreg-check" and hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert all(files.search(name) for name in ("docs/a.md", "mkdocs.yml", "x.yaml", "templates/r.yaml.j2"))
    assert not any(files.search(name) for name in ("src/x.py", "README.rst"))
    command = shlex.split(hook["entry"])
    result = appreg(*command[1:], cwd=status_quo)
    assert command[0] == "appreg" and result.returncode == 1 and "ref.missing" in result.stdout


@pytest.mark.parametrize(
    ("fail_on", "flag", "status"),
    [(None, (), 0), ("warning", (), 1), ("warning", ("--fail-on", "error"), 0), ("error", (), 0)],
    ids=["unset", "warning", "flag-overrides", "error"],
)
@pytest.mark.parametrize("host", ["plugin", "extension", "zensical"])
def test_check_follows_the_configured_fail_on_as_the_build_does(
    tmp_path: Path, host: str, fail_on: str | None, flag: tuple[str, ...], status: int
) -> None:
    # A team that sets `fail_on: warning` and gates CI on `appreg check` must not get a green check
    # for a site whose `mkdocs build` fails.
    options: dict[str, object] = {} if fail_on is None else {"fail_on": fail_on}
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(
        "# Widgets\n\n```yaml\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n```\n"
    )
    if host == "zensical":
        lines = ['[project]\nsite_name = "s"\n[project.markdown_extensions.appreg]\n']
        lines += [f'{key} = "{value}"\n' for key, value in options.items()]
        (tmp_path / "zensical.toml").write_text("".join(lines))
        config = "zensical.toml"
    else:
        where = "plugins" if host == "plugin" else "markdown_extensions"
        site = {"site_name": "s", where: [{"appreg": options}]}
        (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(site))
        config = "mkdocs.yml"
    result = appreg("check", "-f", config, *flag, cwd=tmp_path)
    assert "warning [schema.missing]" in result.stdout, result.stdout + result.stderr
    assert result.returncode == status, result.stdout + result.stderr
