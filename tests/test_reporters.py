"""Reporters: each format's exact shape, ordering, escaping, and that machine formats always parse."""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mkdocs_appreg.cli.reporters import REPORTERS, summary_line
from mkdocs_appreg.common.findings import SEVERITIES, UNSAFE_BUT_LINE_BREAKS, Finding, sort_key

REGISTRY_TYPE = Finding(
    file="docs/registry.yaml",
    line=8,
    column=3,
    rule="schema.type",
    message='spec.skipTLSVerify: Invalid value: "object": must be boolean',
    document=0,
    api_version="appstore.eda.nokia.com/v1",
    kind="Registry",
    name="your-registry",
    path="/spec/skipTLSVerify",
)
SECRET_USERNAME = Finding(
    file="docs/authSecretRef.yaml",
    line=9,
    column=3,
    rule="secret.base64",
    message="data[username]: illegal base64 data at input byte 0",
    document=1,
    api_version="v1",
    kind="Secret",
    name="your-creds",
    path="/data/username",
)
SECRET_PASSWORD = Finding(
    file="docs/authSecretRef.yaml",
    line=10,
    column=3,
    rule="secret.base64",
    message="data[password]: illegal base64 data at input byte 0",
    document=1,
    api_version="v1",
    kind="Secret",
    name="your-creds",
    path="/data/password",
)
SYNTAX_WARNING = Finding(
    file="docs/authSecretRef.yaml",
    line=2,
    column=1,
    rule="yaml.duplicate-key",
    message='mapping key "kind" already defined at line 1',
    severity="warning",
)
# Deliberately out of order: every reporter must sort.
FINDINGS = [SECRET_PASSWORD, REGISTRY_TYPE, SYNTAX_WARNING, SECRET_USERNAME]
FILES = ["docs/registry.yaml", "docs/authSecretRef.yaml", "docs/clean.yaml"]


def run(name: str, findings: list[Finding], documents: int = 3, files: list[str] | None = None) -> str:
    stream = io.StringIO()
    REPORTERS[name](findings, documents, stream, files=FILES if files is None else files)
    return stream.getvalue()


finding_text = st.text(st.characters(codec="utf-8"), max_size=30)
any_finding = st.builds(
    Finding,
    file=finding_text,
    line=st.integers(1, 10_000),
    column=st.integers(1, 500),
    rule=finding_text,
    message=finding_text,
    severity=st.sampled_from(SEVERITIES),
    document=st.integers(0, 50),
    api_version=finding_text,
    kind=finding_text,
    name=finding_text,
    path=finding_text,
)


def test_registry_names_every_format() -> None:
    assert set(REPORTERS) == {"text", "json", "github", "junit", "tap"}


def test_clean_run_in_every_format() -> None:
    assert run("text", []) == "no problems in 3 documents (3 files)\n"
    assert json.loads(run("json", [])) == {
        "findings": [],
        "documents": 3,
        "files": 3,
        "errors": 0,
        "warnings": 0,
    }
    assert run("tap", []).splitlines() == [
        "TAP version 13",
        "1..3",
        *(f"ok {n} - {f}" for n, f in enumerate(FILES, 1)),
    ]
    assert run("github", []) == ""
    suite = ET.fromstring(run("junit", []))
    assert [c.get("name") for c in suite.findall("testcase")] == FILES
    assert suite.findall("testcase/*") == []


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_every_format_ignores_input_order(name: str) -> None:
    assert run(name, FINDINGS) == run(name, list(reversed(FINDINGS)))


# --- text ---


def test_text_lines_then_summary() -> None:
    assert run("text", FINDINGS).splitlines() == [
        "docs/authSecretRef.yaml:2:1: warning [yaml.duplicate-key] "
        'mapping key "kind" already defined at line 1',
        "docs/authSecretRef.yaml:9:3: error [secret.base64] Secret/your-creds /data/username: "
        "data[username]: illegal base64 data at input byte 0",
        "docs/authSecretRef.yaml:10:3: error [secret.base64] Secret/your-creds /data/password: "
        "data[password]: illegal base64 data at input byte 0",
        "docs/registry.yaml:8:3: error [schema.type] Registry/your-registry /spec/skipTLSVerify: "
        'spec.skipTLSVerify: Invalid value: "object": must be boolean',
        "3 errors, 1 warning in 3 documents (3 files)",
    ]


def test_text_keeps_path_when_kind_and_name_unknown() -> None:
    finding = Finding("a.yaml", 4, 2, "schema.required", "is required", path="/spec")
    assert run("text", [finding], 1, ["a.yaml"]).splitlines()[0] == (
        "a.yaml:4:2: error [schema.required] /spec: is required"
    )


@pytest.mark.parametrize(
    ("findings", "documents", "files", "expected"),
    [
        ([], 3, 2, "no problems in 3 documents (2 files)"),
        ([], 1, 1, "no problems in 1 document (1 file)"),
        ([], 0, 0, "no problems in 0 documents (0 files)"),
        ([REGISTRY_TYPE], 1, 1, "1 error in 1 document (1 file)"),
        ([SYNTAX_WARNING], 2, 1, "1 warning in 2 documents (1 file)"),
        ([SYNTAX_WARNING, SYNTAX_WARNING], 2, 1, "2 warnings in 2 documents (1 file)"),
        (FINDINGS, 3, 2, "3 errors, 1 warning in 3 documents (2 files)"),
    ],
)
def test_summary_counts_and_plurals(
    findings: list[Finding], documents: int, files: int, expected: str
) -> None:
    assert summary_line(findings, documents, files) == expected


def test_text_counts_files_named_only_by_findings() -> None:
    # A caller that passes no file list still gets a summary that counts the files it reports on.
    assert run("text", FINDINGS, files=[]).splitlines()[-1].endswith("(2 files)")


def test_text_keeps_one_finding_on_one_line() -> None:
    finding = Finding("a\nb.yaml", 1, 1, "x", "first\nsecond\r\x1b[31mred")
    lines = run("text", [finding], 1, ["a\nb.yaml"]).splitlines()
    assert lines[0] == "a\\nb.yaml:1:1: error [x] first\\nsecond\\r\\x1b[31mred"
    assert len(lines) == 2


def test_text_is_plain_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b" not in run("text", FINDINGS)


def read_until_eof(primary: int) -> bytes:
    """All a pseudo-terminal got once its other end is closed.

    One `os.read` returns what the line discipline has passed on so far, which can be part of
    what was written (17 of 30 isolated runs failed that way): read until the end of input.
    """
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # Linux reports the closed terminal as EIO, not as an empty read
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(("no_color", "colored"), [(None, True), ("", True), ("1", False)])
def test_text_colors_severity_on_a_terminal_unless_no_color(
    monkeypatch: pytest.MonkeyPatch, no_color: str | None, colored: bool
) -> None:
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    primary, secondary = os.openpty()
    try:
        with open(secondary, "w", encoding="utf-8") as terminal:
            REPORTERS["text"]([REGISTRY_TYPE], 1, terminal, files=["docs/registry.yaml"])
        shown = read_until_eof(primary).decode().replace("\r\n", "\n")  # the tty adds \r
    finally:
        os.close(primary)
    plain = run("text", [REGISTRY_TYPE], 1, ["docs/registry.yaml"])
    expected = plain.replace(": error [", ": \x1b[1;31merror\x1b[0m [", 1) if colored else plain
    assert shown == expected


# --- json ---


def test_json_is_one_object_with_documented_keys_in_order() -> None:
    payload = json.loads(run("json", FINDINGS, documents=7))
    assert list(payload) == ["findings", "documents", "files", "errors", "warnings"]
    assert payload["documents"] == 7
    keys = ["file", "line", "column", "document", "apiVersion", "kind", "name", "path", "rule", "severity"]
    keys.append("message")
    assert all(list(item) == keys for item in payload["findings"])
    ordered = sorted(FINDINGS, key=sort_key)
    assert payload["findings"] == [
        {
            "file": f.file,
            "line": f.line,
            "column": f.column,
            "document": f.document,
            "apiVersion": f.api_version,
            "kind": f.kind,
            "name": f.name,
            "path": f.path,
            "rule": f.rule,
            "severity": f.severity,
            "message": f.message,
        }
        for f in ordered
    ]


def test_json_sorts_by_file_document_line_column() -> None:
    payload = json.loads(run("json", FINDINGS))
    positions = [(f["file"], f["document"], f["line"], f["column"]) for f in payload["findings"]]
    assert positions == sorted(positions)
    assert positions[0][0] == "docs/authSecretRef.yaml"


@given(st.lists(any_finding, max_size=5), st.integers(0, 100))
def test_json_round_trips_any_text(findings: list[Finding], documents: int) -> None:
    stream = io.StringIO()
    REPORTERS["json"](findings, documents, stream)
    output = stream.getvalue()
    assert output.isascii()
    payload = json.loads(output)
    assert payload["documents"] == documents
    assert [(f["file"], f["message"], f["kind"]) for f in payload["findings"]] == [
        (f.file, f.message, f.kind) for f in sorted(findings, key=sort_key)
    ]


# --- github ---


def test_github_one_command_per_finding() -> None:
    assert run("github", [REGISTRY_TYPE, SYNTAX_WARNING]).splitlines() == [
        "::warning file=docs/authSecretRef.yaml,line=2,col=1,title=yaml.duplicate-key::"
        'mapping key "kind" already defined at line 1',
        "::error file=docs/registry.yaml,line=8,col=3,title=schema.type::"
        "Registry/your-registry /spec/skipTLSVerify: "
        'spec.skipTLSVerify: Invalid value: "object": must be boolean',
    ]


def test_github_escapes_data_and_properties() -> None:
    finding = Finding("C:\\docs\\a,b.yaml", 3, 4, "rule:x,y", "100% bad\r\nnext: a,b")
    assert run("github", [finding]).splitlines() == [
        "::error file=C%3A\\docs\\a%2Cb.yaml,line=3,col=4,title=rule%3Ax%2Cy::100%25 bad%0D%0Anext: a,b"
    ]


def _unescape(value: str) -> str:
    return re.sub("%(25|0D|0A|3A|2C)", lambda m: chr(int(m.group(1), 16)), value)


_COMMAND = re.compile(r"::(error|warning) file=([^,]*),line=(\d+),col=(\d+),title=([^,:]*)::(.*)")


@given(st.lists(any_finding, min_size=1, max_size=5))
def test_github_commands_parse_back_to_the_findings(findings: list[Finding]) -> None:
    stream = io.StringIO()
    REPORTERS["github"](findings, 1, stream)
    lines = stream.getvalue().split("\n")
    assert lines.pop() == ""
    assert len(lines) == len(findings)  # no finding text can add a line
    for line, finding in zip(lines, sorted(findings, key=sort_key), strict=True):
        match = _COMMAND.fullmatch(line)
        assert match is not None, line
        severity, file, line_no, column, title, data = match.groups()
        # Control characters and bidi overrides come back as their escapes (`\x1b`, `\u202e`).
        assert (severity, _unescape(file), int(line_no), int(column)) == (
            finding.severity,
            _shown(finding.file),
            finding.line,
            finding.column,
        )
        assert _unescape(title) == _shown(finding.rule)
        assert _unescape(data).endswith(_shown(finding.message))


def _shown(value: str) -> str:
    """`value` as GitHub output shows it: line breaks kept (escaped by the format), others escaped."""
    return UNSAFE_BUT_LINE_BREAKS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


# --- junit ---


def test_junit_one_case_per_file_one_failure_per_error() -> None:
    suite = ET.fromstring(run("junit", FINDINGS))
    assert suite.tag == "testsuite"
    cases = suite.findall("testcase")
    # Files in the order given, clean ones included: a clean file is a passing test.
    assert [c.get("name") for c in cases] == FILES
    assert suite.get("tests") == "3"
    assert suite.get("failures") == "2"
    registry, secret, clean = cases
    assert [f.get("type") for f in registry.findall("failure")] == ["schema.type"]
    assert [f.get("type") for f in secret.findall("failure")] == ["secret.base64", "secret.base64"]
    failure_text = secret.findall("failure")[0].text or ""
    assert failure_text.startswith("docs/authSecretRef.yaml:9:3: error [secret.base64]")
    assert "yaml.duplicate-key" in (secret.findtext("system-out") or "")
    assert list(clean) == []


def test_junit_adds_files_named_only_by_findings() -> None:
    crd_warning = Finding("crds/registry.yaml", 1, 1, "crd.override", "overrides the bundled CRD", "warning")
    suite = ET.fromstring(run("junit", [crd_warning], files=["a.yaml"]))
    assert [c.get("name") for c in suite.findall("testcase")] == ["a.yaml", "crds/registry.yaml"]
    assert suite.get("failures") == "0"


@given(st.lists(any_finding, max_size=5))
def test_junit_is_valid_xml_for_any_text(findings: list[Finding]) -> None:
    stream = io.StringIO()
    REPORTERS["junit"](findings, 1, stream)
    suite = ET.fromstring(stream.getvalue().encode("ascii"))
    assert len(suite.findall("testcase/failure")) == sum(f.is_error for f in findings)


xml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")), max_size=30)


@given(
    st.lists(
        st.builds(
            Finding,
            file=xml_text,
            line=st.integers(1, 99),
            column=st.integers(1, 99),
            rule=xml_text,
            message=xml_text,
            kind=xml_text,
            name=xml_text,
            path=xml_text,
        ),
        max_size=5,
    )
)
def test_junit_carries_text_unchanged(findings: list[Finding]) -> None:
    stream = io.StringIO()
    REPORTERS["junit"](findings, 1, stream)
    suite = ET.fromstring(stream.getvalue().encode("ascii"))
    failures = suite.findall("testcase/failure")
    ordered = sorted(findings, key=sort_key)
    assert [(f.get("type"), f.get("message")) for f in failures] == [
        (f.rule, f"{f.subject}: {f.message}" if f.subject else f.message) for f in ordered
    ]
    assert {c.get("name") for c in suite.findall("testcase")} == {f.file for f in findings}
