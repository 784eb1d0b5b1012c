"""`appreg`: exit codes, stdout, stderr, and every output format.

Most tests run the command in this process through `mkdocs_appreg.cli.main` with captured streams
(`run_appreg` in tests/conftest.py: milliseconds instead of a second per process). What only a real
process shows runs as one, through the console script (`appreg_process`): the same report as in
this process, `python -m`, SIGINT, a closed stdin, a reader that goes away, a terminal.

Expected findings come from the library run in-process on the same files, so these tests check the
CLI's wiring (reading, CRD loading, counting, reporting, exit codes) without copying the engine's
messages; a few anchors the docs page depends on are asserted by position.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

import mkdocs_appreg
from conftest import run_appreg
from mkdocs_appreg import __version__
from mkdocs_appreg.cli.reporters import finding_json, github_command, summary_line, text_line
from mkdocs_appreg.common.findings import Finding, sort_key
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.engine.validate import validate_text
from mkdocs_appreg.site.check import core_schemas, validate_relations, validate_stream

FIXTURES = Path(__file__).parent / "fixtures" / "cli"
STATUS_QUO = ["status-quo/registry.yaml", "status-quo/catalog.yaml", "status-quo/authSecretRef.yaml"]
CLEAN = "clean/registry-with-secret.yaml"
BROKEN = "broken/registry.yaml"  # a real type error (the status quo's defects are placeholders)
MULTI = "multi/three-documents.yaml"
OVERRIDE_CRD = "crds/override/appstore.eda.nokia.com_registries.yaml"

_SCRIPT = Path(sys.executable).with_name("appreg")
APPREG = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "mkdocs_appreg"]


def appreg(
    *args: str, stdin: str | bytes | None = None, cwd: Path = FIXTURES
) -> subprocess.CompletedProcess[str]:
    """`appreg *args` in this process, without NO_COLOR."""
    return run_appreg(*args, stdin=stdin, cwd=cwd, env={"NO_COLOR": None})


def appreg_process(
    *args: str, stdin: str | bytes | None = None, cwd: Path = FIXTURES
) -> subprocess.CompletedProcess[str]:
    """`appreg *args` as a process of the console script, without NO_COLOR."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    data = stdin.encode() if isinstance(stdin, str) else stdin
    result = subprocess.run(
        [*APPREG, *args], input=data, capture_output=True, cwd=cwd, env=env, timeout=120, check=False
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def without_counts(payload: dict[str, object]) -> dict[str, object]:
    """The JSON report less the counts (`files`, `errors`, `warnings`), which their own tests check."""
    return {key: value for key, value in payload.items() if key not in ("files", "errors", "warnings")}


def library(files: Sequence[str], crds: Sequence[str] = ()) -> tuple[list[Finding], int]:
    """What the engine finds in `files` (paths relative to the fixtures), sorted like the reporters."""
    registry = SchemaRegistry.builtin()
    findings: list[Finding] = []
    for crd in crds:
        findings.extend(registry.add_path(FIXTURES / crd, display=crd))
    documents = 0
    texts = [(file, (FIXTURES / file).read_text(encoding="utf-8")) for file in files]
    for file, text in texts:
        found, count = validate_stream(text, file, registry, core_schemas(None))
        findings.extend(found)
        documents += count
    findings.extend(validate_relations(texts))
    return sorted(findings, key=sort_key), documents


def positions(payload: dict[str, object], rule: str) -> set[tuple[object, ...]]:
    findings = payload["findings"]
    assert isinstance(findings, list)
    return {(f["file"], f["line"], f["column"], f["path"]) for f in findings if f["rule"] == rule}


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr


# --- the published page's defects -----------------------------------------------------------------


def test_status_quo_json_is_the_full_report() -> None:
    # Every defect of the published page is a placeholder or a reference: warnings, as in `check`.
    result = appreg("validate", "--format", "json", *STATUS_QUO)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    payload = json.loads(result.stdout)
    findings, documents = library(STATUS_QUO)
    assert without_counts(payload) == {
        "findings": [finding_json(f) for f in findings],
        "documents": documents,
    }
    assert documents == 3
    assert list(payload) == ["findings", "documents", "files", "errors", "warnings"]
    assert [list(f) for f in payload["findings"]] == [
        [
            "file",
            "line",
            "column",
            "document",
            "apiVersion",
            "kind",
            "name",
            "path",
            "rule",
            "severity",
            "message",
        ]
    ] * len(findings)


def test_status_quo_defects_are_found_where_they_are() -> None:
    # The same findings as `appreg check` gives on the page: placeholders name the type the reader
    # must put there, and the Secret named in none of the files is a reference warning.
    payload = json.loads(appreg("validate", "--format", "json", *STATUS_QUO).stdout)
    assert ("status-quo/registry.yaml", 8, 3, "/spec/skipTLSVerify") in positions(payload, "placeholder")
    assert {
        ("status-quo/authSecretRef.yaml", 9, 3, "/data/username"),
        ("status-quo/authSecretRef.yaml", 10, 3, "/data/password"),
    } <= positions(payload, "placeholder")
    assert positions(payload, "ref.missing") == {("status-quo/registry.yaml", 7, 3, "/spec/authSecretRef")}
    [missing] = [f for f in payload["findings"] if f["rule"] == "ref.missing"]
    assert missing["severity"] == "warning" and missing["message"].endswith('did you mean "your-creds"?')
    assert {f["severity"] for f in payload["findings"]} == {"warning"}
    result = appreg("validate", "--fail-on", "warning", *STATUS_QUO)
    assert result.returncode == 1


def test_status_quo_text() -> None:
    result = appreg("validate", *STATUS_QUO)
    assert result.returncode == 0
    findings, documents = library(STATUS_QUO)
    assert result.stdout.splitlines() == [
        *(text_line(f) for f in findings),
        summary_line(findings, documents, len(STATUS_QUO)),
    ]
    assert re.fullmatch(r"\d+ warnings? in 3 documents \(3 files\)", result.stdout.splitlines()[-1])


def test_status_quo_github() -> None:
    result = appreg("validate", "--format", "github", *STATUS_QUO)
    assert result.returncode == 0
    findings, _ = library(STATUS_QUO)
    assert result.stdout.splitlines() == [github_command(f) for f in findings]
    assert (
        "::warning file=status-quo/registry.yaml,line=8,col=3,title=placeholder::"
        "Registry/your-registry /spec/skipTLSVerify: placeholder {true|false}"
    ) in result.stdout


# --- clean input, several documents and files -------------------------------------------------------


def test_clean_pair_passes() -> None:
    result = appreg("validate", CLEAN)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "no problems in 2 documents (1 file)\n",
        "",
    )


def test_clean_pair_json() -> None:
    result = appreg("validate", "--format", "json", CLEAN)
    assert result.returncode == 0
    assert without_counts(json.loads(result.stdout)) == {"findings": [], "documents": 2}


def test_clean_pair_github_prints_nothing() -> None:
    result = appreg("validate", "--format", "github", CLEAN)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_multi_document_file_counts_non_empty_documents_and_locates_the_broken_one() -> None:
    result = appreg("validate", "--format", "json", MULTI)
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["documents"] == 3  # two of the five documents are empty
    broken = [f for f in payload["findings"] if f["path"] == "/spec/skipTLSVerify"]
    assert [(f["rule"], f["line"], f["column"], f["name"], f["document"]) for f in broken] == [
        ("schema.type", 27, 3, "broken-registry", 3)
    ]
    assert {f["name"] for f in payload["findings"]} == {"broken-registry"}


def test_documents_and_files_add_up_over_inputs() -> None:
    files = [*STATUS_QUO, CLEAN, MULTI]
    payload = json.loads(appreg("validate", "--format", "json", *files).stdout)
    findings, documents = library(files)
    assert payload["documents"] == documents == 3 + 2 + 3
    keys = [(f["file"], f["document"], f["line"], f["column"]) for f in payload["findings"]]
    assert keys == sorted(keys)
    text = appreg("validate", *files).stdout.splitlines()[-1]
    assert text == summary_line(findings, documents, 5)


def test_stdin_is_named_stdin() -> None:
    source = (FIXTURES / BROKEN).read_text(encoding="utf-8")
    result = appreg("validate", "--format", "json", "-", stdin=source)
    assert result.returncode == 1
    from_file = json.loads(appreg("validate", "--format", "json", BROKEN).stdout)
    expected = [{**f, "file": "<stdin>"} for f in from_file["findings"]]
    assert without_counts(json.loads(result.stdout)) == {"findings": expected, "documents": 1}


def test_stdin_mixed_with_files() -> None:
    clean = (FIXTURES / CLEAN).read_text(encoding="utf-8")
    result = appreg("validate", BROKEN, "-", stdin=clean)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1].endswith("in 3 documents (2 files)")
    assert "<stdin>" not in result.stdout  # the clean pair has nothing to report


def test_closed_stdin_is_a_setup_error() -> None:
    command = " ".join(shlex.quote(part) for part in [*APPREG, "validate", "-"])
    result = subprocess.run(
        ["sh", "-c", f"exec {command} <&-"], capture_output=True, text=True, cwd=FIXTURES, check=False
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("appreg: error: <stdin>: ")
    assert result.stderr.count("\n") == 1


def test_empty_stdin_is_clean() -> None:
    result = appreg("validate", "-", stdin="")
    assert (result.returncode, result.stdout) == (0, "no problems in 0 documents (1 file)\n")


@pytest.mark.parametrize("file", sorted(p.name for p in (FIXTURES / "clean").glob("*.yaml")))
def test_every_clean_fixture_passes(file: str) -> None:
    result = appreg("validate", f"clean/{file}")
    assert (result.returncode, result.stderr) == (0, ""), result.stdout


@pytest.mark.parametrize(
    "file",
    sorted(
        str(p.relative_to(FIXTURES))
        for folder in ("broken", "multi", "syntax", "encoding")
        for p in (FIXTURES / folder).glob("*.yaml")
    ),
)
def test_every_broken_fixture_fails_with_located_errors(file: str) -> None:
    result = appreg("validate", "--format", "json", file)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert any(f["severity"] == "error" and f["file"] == file and f["line"] >= 1 for f in findings)


# --- input problems that are findings -----------------------------------------------------------------


def test_yaml_syntax_error_is_a_located_finding() -> None:
    result = appreg("validate", "--format", "json", "syntax/unclosed-flow.yaml")
    assert result.returncode == 1
    assert result.stderr == ""
    findings, _ = library(["syntax/unclosed-flow.yaml"])
    payload = json.loads(result.stdout)
    assert payload["findings"] == [finding_json(f) for f in findings]
    syntax = [f for f in payload["findings"] if f["rule"] == "yaml.syntax"]
    assert len(syntax) == 1
    # The flow sequence opened on line 6 is still open when `other:` starts a mapping on line 7.
    assert (syntax[0]["line"], syntax[0]["severity"]) == (7, "error")


def test_not_utf8_is_a_finding_at_the_first_bad_byte() -> None:
    result = appreg("validate", "--format", "json", "encoding/latin1.yaml")
    assert result.returncode == 1
    assert result.stderr == ""
    payload = json.loads(result.stdout)
    assert payload["documents"] == 0
    [finding] = payload["findings"]
    # `  title: Ünïcode Caf\xe9`: columns count characters, so the two UTF-8 letters count once each.
    assert (finding["file"], finding["line"], finding["column"], finding["rule"]) == (
        "encoding/latin1.yaml",
        6,
        21,
        "yaml.encoding",
    )
    assert "0xe9" in finding["message"]


@pytest.mark.parametrize("split", [0, 1])
def test_a_bad_byte_past_the_first_megabyte_is_found_where_a_whole_decode_finds_it(
    tmp_path: Path, split: int
) -> None:
    # read_source checks UTF-8 a megabyte at a time; `split` cuts a two-byte letter across the
    # chunk boundary, which must not count as an error.
    from mkdocs_appreg.cli.commands import read_source

    head = b"a: " + b"x" * ((1 << 20) - 3 - split) + "é".encode() + b"\n"
    data = head + "b: ü\n".encode() * 1000 + b"c: caf\xe9\n"
    (tmp_path / "big.yaml").write_bytes(data)
    source = read_source(str(tmp_path / "big.yaml"), None)
    assert source.data == b"" and source.finding is not None
    with pytest.raises(UnicodeDecodeError) as raised:
        data.decode("utf-8")
    assert (source.finding.line, source.finding.column) == (1002, 7)
    assert source.finding.message == f"not UTF-8: byte 0xe9 at offset {raised.value.start}"
    (tmp_path / "good.yaml").write_bytes(head + "b: ü\n".encode())
    assert read_source(str(tmp_path / "good.yaml"), None).finding is None


def test_not_utf8_on_stdin() -> None:
    result = appreg("validate", "-", stdin=b"kind: Secret\nmetadata:\n  name: \xff\n")
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:3:9: error [yaml.encoding] ")


# --- CRDs ---------------------------------------------------------------------------------------------


def test_custom_crd_directory_is_searched_recursively() -> None:
    result = appreg("validate", "--format", "json", "--crd", "crds/custom", "custom/widgets.yaml")
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    findings, documents = library(["custom/widgets.yaml"], ["crds/custom"])
    assert without_counts(payload) == {
        "findings": [finding_json(f) for f in findings],
        "documents": documents,
    }
    assert positions(payload, "schema.type") == {("custom/widgets.yaml", 16, 3, "/spec/size")}
    assert {f["name"] for f in payload["findings"]} == {"bad-widget"}


def test_without_the_custom_crd_the_widget_is_not_schema_checked() -> None:
    payload = json.loads(appreg("validate", "--format", "json", "custom/widgets.yaml").stdout)
    assert positions(payload, "schema.type") == set()


def test_crd_option_repeats() -> None:
    result = appreg(
        "validate", "--format", "json", "--crd", "crds/custom", "--crd", OVERRIDE_CRD, "custom/widgets.yaml"
    )
    payload = json.loads(result.stdout)
    assert positions(payload, "schema.type") == {("custom/widgets.yaml", 16, 3, "/spec/size")}
    assert {f["file"] for f in payload["findings"] if f["rule"] == "crd.override"} == {OVERRIDE_CRD}


def test_overriding_crd_is_a_warning_finding_and_is_used() -> None:
    result = appreg("validate", "--format", "json", "--crd", OVERRIDE_CRD, CLEAN)
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    findings, documents = library([CLEAN], [OVERRIDE_CRD])
    assert without_counts(payload) == {
        "findings": [finding_json(f) for f in findings],
        "documents": documents,
    }
    override = [f for f in payload["findings"] if f["rule"] == "crd.override"]
    assert [(f["file"], f["severity"]) for f in override] == [(OVERRIDE_CRD, "warning")]
    # The override's schema is the one applied: it requires `mirror`, which the clean pair lacks.
    assert any(f["name"] == "my-registry" and f["severity"] == "error" for f in payload["findings"])


def test_override_warning_alone_exits_zero(tmp_path: Path) -> None:
    with_mirror = (FIXTURES / CLEAN).read_text(encoding="utf-8") + "  mirror: https://mirror.example.com\n"
    (tmp_path / "mirrored.yaml").write_text(with_mirror, encoding="utf-8")
    result = appreg("validate", "--crd", str(FIXTURES / OVERRIDE_CRD), "mirrored.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{FIXTURES / OVERRIDE_CRD}:")
    assert " warning [crd.override] " in lines[0]
    assert lines[1] == "1 warning in 2 documents (1 file)"


def test_crd_identical_to_the_bundled_one_is_not_an_override(tmp_path: Path) -> None:
    bundled = Path(mkdocs_appreg.__file__).parent / "crds" / "appstore.eda.nokia.com_registries.yaml"
    shutil.copy(bundled, tmp_path / "registries.yaml")
    result = appreg("validate", "--crd", str(tmp_path / "registries.yaml"), CLEAN)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "no problems in 2 documents (1 file)\n",
        "",
    )


@pytest.mark.parametrize("given", ["crds/invalid/broken-syntax.yaml", "crds/invalid"])
def test_invalid_crd_is_one_line_naming_the_file(given: str) -> None:
    crd = "crds/invalid/broken-syntax.yaml"
    result = appreg("validate", "--crd", given, CLEAN)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"appreg: error: {crd}")
    assert result.stderr.count("\n") == 1
    assert_no_traceback(result)


def test_missing_crd_path_is_a_setup_error() -> None:
    result = appreg("validate", "--crd", "crds/nowhere", CLEAN)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("appreg: error: crds/nowhere")
    assert result.stderr.count("\n") == 1


# --- setup and usage errors ----------------------------------------------------------------------------


def test_missing_file() -> None:
    result = appreg("validate", CLEAN, "nope.yaml")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "appreg: error: nope.yaml: No such file or directory\n"


def test_a_directory_is_walked_for_yaml_files(tmp_path: Path) -> None:
    # As kubeconform, kubectl-validate and yamllint: *.yaml and *.yml, hidden folders skipped.
    bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n"
    for name in ("a.yaml", "sub/b.yml", ".hidden/c.yaml", "notes.txt", "sub/.git/d.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(bad)
    result = appreg("validate", "--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    assert sorted({f["file"] for f in payload["findings"]}) == ["./a.yaml", "./sub/b.yml"]
    assert (payload["files"], payload["documents"], payload["errors"], payload["warnings"]) == (2, 2, 2, 0)


def test_missing_file_with_a_newline_in_its_name_stays_one_line() -> None:
    result = appreg("validate", "two\nlines.yaml")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "appreg: error: two\\nlines.yaml: No such file or directory\n"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    secret = tmp_path / "locked.yaml"
    secret.write_text("kind: Secret\n", encoding="utf-8")
    secret.chmod(0)
    result = appreg("validate", "locked.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "appreg: error: locked.yaml: Permission denied\n"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["validate"], "the following arguments are required: PATH"),
        ([], "the following arguments are required: COMMAND"),
        (["validate", "--format", "xml", CLEAN], "invalid choice: 'xml'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["validate", "--crd"], "expected one argument"),
    ],
)
def test_usage_errors(args: list[str], complaint: str) -> None:
    result = appreg(*args)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("usage: appreg")
    assert complaint in result.stderr


def test_version() -> None:
    result = appreg("--version")
    assert (result.returncode, result.stderr) == (0, "")
    first, coverage, gate = result.stdout.splitlines()
    assert first == f"appreg {__version__}"
    assert coverage.startswith("Kubernetes schemas: 1.25 to 1.37 shipped; kubernetes_version unset means")
    assert "pin the release you run" in coverage
    assert gate in (
        "built-in kinds: plain-Python gate, jsonschema-rs for schemas it cannot decide",
        "built-in kinds: plain-Python gate, jsonschema for schemas it cannot decide",
    )


def test_help_lists_validate() -> None:
    result = appreg("--help")
    assert result.returncode == 0
    assert re.search(r"^\s+validate\s+\S", result.stdout, re.MULTILINE)


def test_validate_help() -> None:
    result = appreg("validate", "--help")
    assert result.returncode == 0
    for option in ("--crd PATH", "--format {text,json,github,junit,tap}", "PATH [PATH ...]"):
        assert option in result.stdout


# --- real processes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (("validate", "--format", "json", *STATUS_QUO), None),  # findings: exit 1
        (("validate", CLEAN), None),  # clean: exit 0
        (("validate", "--format", "github", "-", CLEAN), "kind: Secret\nmetadata:\n  name: \xe9\n"),
        (("validate", CLEAN, "nope.yaml"), None),  # setup error: exit 2, one line
        (("validate", "--format", "xml", CLEAN), None),  # usage error: exit 2
        (("--version",), None),
    ],
    ids=["findings", "clean", "stdin", "setup-error", "usage-error", "version"],
)
def test_the_console_script_reports_what_the_in_process_runner_does(
    args: tuple[str, ...], stdin: str | None
) -> None:
    # The in-process runner stands for the real command in every other test: prove it here.
    process, in_process = appreg_process(*args, stdin=stdin), appreg(*args, stdin=stdin)
    assert (process.returncode, process.stdout, process.stderr) == (
        in_process.returncode,
        in_process.stdout,
        in_process.stderr,
    )
    assert process.returncode in (0, 1, 2) and (process.stdout or process.stderr)


def test_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs_appreg", "validate", CLEAN],
        capture_output=True,
        text=True,
        cwd=FIXTURES,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "no problems in 2 documents (1 file)\n")


# --- GitHub escaping through the real command ------------------------------------------------------------


def test_github_escapes_file_names(tmp_path: Path) -> None:
    name = "odd, name: 100%.yaml"
    shutil.copy(FIXTURES / BROKEN, tmp_path / name)
    result = appreg("validate", "--format", "github", name, cwd=tmp_path)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "title=schema.type" in line)
    assert line.startswith("::error file=odd%2C name%3A 100%25.yaml,line=8,col=3,title=schema.type::")


ESCAPES = """\
apiVersion: example.com/v1alpha1
kind: Widget
metadata:
  name: w
  namespace: default
spec:
  size: 1
  color: "100%, red"
  "multi\\nline": 1
"""


def test_github_escapes_messages(tmp_path: Path) -> None:
    # Findings that quote a `%` and a key with a newline in it: each must stay on its one line.
    (tmp_path / "odd.yaml").write_text(ESCAPES, encoding="utf-8")
    crds = str(FIXTURES / "crds/custom")
    result = appreg("validate", "--format", "github", "--crd", crds, "odd.yaml", cwd=tmp_path)
    assert result.returncode == 1
    registry = SchemaRegistry.builtin()
    registry.add_path(Path(crds))
    found, _ = validate_text(ESCAPES, "odd.yaml", registry)
    lines = result.stdout.splitlines()
    assert lines == [github_command(f) for f in sorted(found, key=sort_key)]
    assert len(lines) == 2
    assert any("100%25, red" in line for line in lines)
    assert any("multi%0Aline" in line for line in lines)
    assert "%" not in result.stdout.replace("%25", "").replace("%0A", "")


# --- terminals, signals and pipes -------------------------------------------------------------------------


def on_terminal(*args: str, no_color: str | None) -> str:
    """Run `appreg` with stdout on a real pseudo-terminal and return what the terminal got."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    primary, secondary = os.openpty()
    with subprocess.Popen([*APPREG, *args], stdout=secondary, stderr=subprocess.PIPE, cwd=FIXTURES, env=env):
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # Linux reports the closed terminal as EIO
                break
            if not chunk:
                break
            chunks.append(chunk)
    os.close(primary)
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.parametrize(("no_color", "colored"), [(None, True), ("1", False)])
def test_color_only_on_a_terminal_without_no_color(no_color: str | None, colored: bool) -> None:
    shown = on_terminal("validate", BROKEN, no_color=no_color)
    plain = appreg("validate", BROKEN).stdout
    assert "\x1b[" not in plain
    assert ("\x1b[1;31merror\x1b[0m" in shown) is colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", shown) == plain


def _default_sigint() -> None:
    # A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored
    # across exec (Python then installs no KeyboardInterrupt handler): a suite run that way
    # (`.ci/run &`) would test that disposition, not the CLI's handling of Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_interrupt_exits_130_quietly() -> None:
    process = subprocess.Popen(
        [*APPREG, "validate", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )
    try:
        wchan = Path(f"/proc/{process.pid}/wchan")
        deadline = time.monotonic() + 60
        # Wait until it blocks reading stdin, so the signal meets Python's handler, not start-up.
        while time.monotonic() < deadline:
            try:
                if "pipe_read" in wchan.read_text():
                    break
            except OSError:
                pytest.skip("no /proc to tell when the process is waiting")
            time.sleep(0.05)
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        # Stdin stays open until the process has exited, so only the signal can end its read
        # (closed at once, an ignored signal looked like exit 0 on an empty input).
        process.wait(timeout=60)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert (process.returncode, stdout, stderr) == (130, b"", b"")


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    # Enough findings to overflow the pipe buffer, and a reader that goes away at once.
    broken = "".join(
        f"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s{i}\ndata:\n  k: not*base64\n"
        for i in range(3000)
    )
    (tmp_path / "many.yaml").write_text(broken, encoding="utf-8")
    process = subprocess.Popen(
        [*APPREG, "validate", "many.yaml"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    process.wait(timeout=120)
    assert stderr == b""
    assert process.returncode == 141


def test_the_package_version_is_the_installed_distributions() -> None:
    # pyproject reads the version from the package (setuptools `attr:`), so the two cannot drift;
    # this catches a stale install or a second copy of the package on sys.path.
    from importlib.metadata import version

    assert __version__ == version("mkdocs-appreg")


# --- one bad document does not cost the batch ------------------------------------------------------


def test_nan_against_multiple_of_does_not_lose_the_batch(tmp_path: Path) -> None:
    # It ended the run in a traceback with no output (jsonschema's multipleOf raised on NaN).
    crds = Path(__file__).parent / "fixtures" / "crds" / "good"
    head = "apiVersion: test.example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  name: abc\n"
    (tmp_path / "a-nan.yaml").write_text(head + "  fraction: .nan\n", encoding="utf-8")
    (tmp_path / "b-inf.yaml").write_text(head + "  fraction: -.Inf\n", encoding="utf-8")
    (tmp_path / "c-step.yaml").write_text(head + "  step: 7\n", encoding="utf-8")
    result = appreg(
        "validate",
        "--format",
        "json",
        "--crd",
        str(crds),
        "a-nan.yaml",
        "b-inf.yaml",
        "c-step.yaml",
        cwd=tmp_path,
    )
    assert_no_traceback(result)
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    by_file = {f["file"]: f for f in payload["findings"]}
    assert set(by_file) == {"a-nan.yaml", "b-inf.yaml", "c-step.yaml"}
    assert (by_file["a-nan.yaml"]["line"], by_file["a-nan.yaml"]["path"]) == (7, "/spec/fraction")
    assert (by_file["c-step.yaml"]["rule"], by_file["c-step.yaml"]["line"]) == ("schema.multiple-of", 7)


def test_a_resource_the_engine_fails_on_is_reported_and_the_rest_still_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mkdocs_appreg.site import check

    real = check.validate_resource

    def flaky(document, registry, core, **options):  # type: ignore[no-untyped-def]
        if document.name == "boom":
            raise ValueError("cannot convert float NaN to integer")
        return real(document, registry, core, **options)

    monkeypatch.setattr(check, "validate_resource", flaky)
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: boom\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n"
    )
    findings, count = check.validate_stream(
        text, "x.yaml", SchemaRegistry.builtin(), check.core_schemas(None)
    )
    assert count == 2
    rules = {(f.rule, f.line) for f in findings}
    assert ("resource.unchecked", 1) in rules
    assert any(f.rule.startswith("meta.") and f.line == 9 for f in findings), findings


# --- kubeconform's flags ----------------------------------------------------------------------------

_BAD_CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n"
_UNKNOWN_KIND = "apiVersion: nowhere.example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\n"


def test_skip_drops_the_kinds_named(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(_BAD_CONFIGMAP + "---\n" + _UNKNOWN_KIND)
    result = appreg("validate", "--format", "json", "--skip", "ConfigMap,Other", "x.yaml", cwd=tmp_path)
    assert {f["kind"] for f in json.loads(result.stdout)["findings"]} == {"Gizmo"}
    result = appreg("validate", "--skip", "ConfigMap", "--skip", "Gizmo", "x.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_skip_happens_before_validating(monkeypatch: pytest.MonkeyPatch) -> None:
    # A skipped kind is never handed to the validator (kubeconform's -skip): a resource the engine
    # cannot judge is no resource.unchecked, and it is not counted as checked.
    from mkdocs_appreg.site import check

    validated: list[str] = []
    real = check._validate_one

    def spy(document, registry, core, **options):  # type: ignore[no-untyped-def]
        validated.append(document.kind)
        if document.kind == "ConfigMap":
            raise ValueError("the engine was asked about a skipped kind")
        return real(document, registry, core, **options)

    monkeypatch.setattr(check, "_validate_one", spy)
    listed = "apiVersion: v1\nkind: List\nitems:\n- " + _BAD_CONFIGMAP.replace("\n", "\n  ").rstrip() + "\n"
    text = _BAD_CONFIGMAP + "---\n" + _UNKNOWN_KIND + "---\n" + listed
    findings, count = check.validate_stream(
        text, "x.yaml", SchemaRegistry.builtin(), check.core_schemas(None), skip=frozenset({"ConfigMap"})
    )
    assert validated == ["Gizmo"]
    assert count == 2  # the Gizmo and the List; the skipped ConfigMap is not counted
    assert {f.kind for f in findings} == {"Gizmo"}


def test_skip_still_reports_a_leaked_credential(tmp_path: Path) -> None:
    # A token in a skipped Secret is still published with the docs: --skip never hides a leak.
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    (tmp_path / "s.yaml").write_text(
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: Bad_NS\nstringData:\n  token: {token}\n"
    )
    result = appreg("validate", "--format", "json", "--skip", "Secret", "s.yaml", cwd=tmp_path)
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert (result.returncode, rules) == (1, ["secret.leak"])


def test_ignore_missing_schemas(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(_UNKNOWN_KIND)
    assert appreg("validate", "x.yaml", cwd=tmp_path).returncode == 1
    result = appreg("validate", "--ignore-missing-schemas", "x.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "no problems in 1 document (1 file)\n")


def test_fail_on_warning_fails_on_a_warning_alone(tmp_path: Path) -> None:
    with_mirror = (FIXTURES / CLEAN).read_text(encoding="utf-8") + "  mirror: https://mirror.example.com\n"
    (tmp_path / "mirrored.yaml").write_text(with_mirror, encoding="utf-8")
    args = ("validate", "--crd", str(FIXTURES / OVERRIDE_CRD), "mirrored.yaml")
    assert appreg(*args, cwd=tmp_path).returncode == 0  # the crd.override warning alone
    assert appreg(*args, "--fail-on", "warning", cwd=tmp_path).returncode == 1


def test_summary_counts_by_rule(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(_BAD_CONFIGMAP + "---\n" + _BAD_CONFIGMAP)
    result = appreg("validate", "--summary", "x.yaml", cwd=tmp_path)
    assert result.stdout.splitlines()[-1] == "by rule: meta.name: 2"


def test_tap_and_junit_on_validate(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(_BAD_CONFIGMAP)
    (tmp_path / "good.yaml").write_text(_BAD_CONFIGMAP.replace("Bad_Name", "good"))
    tap = appreg("validate", "--format", "tap", "bad.yaml", "good.yaml", cwd=tmp_path).stdout.splitlines()
    assert tap[:3] == ["TAP version 13", "1..2", "not ok 1 - bad.yaml"]
    assert tap[5].startswith('  - "bad.yaml:4:3: error [meta.name]') and tap[-1] == "ok 2 - good.yaml"
    junit = appreg("validate", "--format", "junit", "bad.yaml", "good.yaml", cwd=tmp_path).stdout
    assert 'tests="2" failures="1"' in junit


def test_kubernetes_version_picks_the_release_or_is_a_setup_error(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(_BAD_CONFIGMAP)
    assert appreg("validate", "--kubernetes-version", "1.30", "x.yaml", cwd=tmp_path).returncode == 1
    result = appreg("validate", "--kubernetes-version", "1.2", "x.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("appreg: error: Kubernetes version '1.2' has no schemas")


def test_validate_says_which_field_was_meant(tmp_path: Path) -> None:
    registry = (FIXTURES / CLEAN).read_text(encoding="utf-8") + "  mirrorUrl: https://mirror.example.com\n"
    (tmp_path / "r.yaml").write_text(registry, encoding="utf-8")
    payload = json.loads(appreg("validate", "--format", "json", "r.yaml", cwd=tmp_path).stdout)
    [unknown] = [f for f in payload["findings"] if f["rule"] == "schema.unknown-field"]
    assert unknown["message"] == 'unknown field "spec.mirrorUrl"; did you mean "mirror"?'
