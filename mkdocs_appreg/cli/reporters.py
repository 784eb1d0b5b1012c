"""Findings written out for people and machines: text, JSON, GitHub annotations, JUnit XML, TAP.

One function per format behind a name registry (`REPORTERS`), the way kubeconform keeps one file
per output format: the CLI picks a reporter by the `--format` value and knows nothing about any
format itself. Every reporter writes the findings in the same order (`findings.sort_key`), so two
runs over the same input give byte-identical output.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Sequence
from typing import Any, Protocol, TextIO

from mkdocs_appreg.common.findings import UNSAFE_BUT_LINE_BREAKS, Finding, printable, sort_key


class Reporter(Protocol):
    """Writes one run's findings to a stream.

    Args:
        findings: Every finding of the run, in any order.
        documents: Number of non-empty YAML documents parsed over all inputs.
        stream: Where the report goes.
        files: The inputs of the run, in the order given. Formats that mention clean files (the
            text summary, JUnit test cases) need them; when empty, the files named by the
            findings are used instead.
    """

    def __call__(
        self, findings: Sequence[Finding], documents: int, stream: TextIO, *, files: Sequence[str] = ()
    ) -> None: ...


def _ordered(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=sort_key)


def _input_files(findings: Sequence[Finding], files: Sequence[str]) -> list[str]:
    """The files given, then any other file a finding names (a CRD that overrides a bundled one)."""
    names = list(dict.fromkeys(files))
    known = set(names)
    names.extend(sorted({f.file for f in findings} - known))
    return names


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary_line(findings: Sequence[Finding], documents: int, files: int) -> str:
    """`2 errors, 1 warning in 3 documents (2 files)`, or `no problems in ...` when clean."""
    errors = sum(1 for f in findings if f.is_error)
    warnings = len(findings) - errors
    counts = []
    if errors:
        counts.append(_plural(errors, "error"))
    if warnings:
        counts.append(_plural(warnings, "warning"))
    problems = ", ".join(counts) or "no problems"
    return f"{problems} in {_plural(documents, 'document')} ({_plural(files, 'file')})"


def _message_with_subject(finding: Finding) -> str:
    subject = finding.subject
    return f"{subject}: {finding.message}" if subject else finding.message


# --- text ---------------------------------------------------------------------------------------

_SEVERITY_COLORS = {"error": "\x1b[1;31m", "warning": "\x1b[33m"}
_RESET = "\x1b[0m"


def _use_color(stream: TextIO) -> bool:
    # https://no-color.org: NO_COLOR disables color when it is set to anything but the empty string.
    if os.environ.get("NO_COLOR", ""):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-less stream is not a terminal
        return False


# Control characters and bidi overrides are escaped in every output (common.findings.printable).
_UNSAFE = UNSAFE_BUT_LINE_BREAKS


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def one_line(value: str) -> str:
    """`value` with control characters (newlines included) written as escapes such as `\\n`."""
    return printable(value)


def text_line(finding: Finding, *, color: bool = False) -> str:
    """`file:line:column: severity [rule] Kind/name path: message` for one finding, on one line."""
    severity: str = finding.severity
    if color:
        severity = f"{_SEVERITY_COLORS[finding.severity]}{severity}{_RESET}"
    location = f"{one_line(finding.file)}:{finding.line}:{finding.column}"
    return f"{location}: {severity} [{one_line(finding.rule)}] {one_line(_message_with_subject(finding))}"


def report_text(
    findings: Sequence[Finding], documents: int, stream: TextIO, *, files: Sequence[str] = ()
) -> None:
    """One line per finding, then a summary line; severities colored on a terminal."""
    color = _use_color(stream)
    for finding in _ordered(findings):
        stream.write(text_line(finding, color=color) + "\n")
    # Inputs only: a CRD file named by a `crd.override` warning is not one of the files checked.
    inputs = len(files) if files else len({f.file for f in findings})
    stream.write(summary_line(findings, documents, inputs) + "\n")


# --- json ---------------------------------------------------------------------------------------


def finding_json(finding: Finding) -> dict[str, Any]:
    """The JSON object of one finding, keys in the documented order."""
    return {
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "document": finding.document,
        "apiVersion": finding.api_version,
        "kind": finding.kind,
        "name": finding.name,
        "path": finding.path,
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
    }


def report_json(
    findings: Sequence[Finding], documents: int, stream: TextIO, *, files: Sequence[str] = ()
) -> None:
    """Exactly one JSON object: the findings, then the counts a CI step reads without counting.

    `{"findings": [...], "documents": N, "files": N, "errors": N, "warnings": N}`.
    """
    errors = sum(1 for f in findings if f.is_error)
    payload = {
        "findings": [finding_json(f) for f in _ordered(findings)],
        "documents": documents,
        "files": len(files) if files else len({f.file for f in findings}),
        "errors": errors,
        "warnings": len(findings) - errors,
    }
    # ASCII-only output stays valid whatever encoding the consumer's pipe was opened with.
    json.dump(payload, stream, indent=2)
    stream.write("\n")


# --- github -------------------------------------------------------------------------------------


def _escape_data(value: str) -> str:
    # actions/toolkit packages/core/src/command.ts, escapeData(); other controls and bidi
    # overrides first, as in text output (the runner prints annotations to the log as they are).
    return _UNSAFE.sub(_escaped, value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    # actions/toolkit packages/core/src/command.ts, escapeProperty()
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_command(finding: Finding) -> str:
    """The `::error file=...,line=...,col=...,title=rule::message` workflow command of a finding."""
    properties = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (
            ("file", finding.file),
            ("line", finding.line),
            ("col", finding.column),
            ("title", finding.rule),
        )
    )
    return f"::{finding.severity} {properties}::{_escape_data(_message_with_subject(finding))}"


def report_github(
    findings: Sequence[Finding], documents: int, stream: TextIO, *, files: Sequence[str] = ()
) -> None:
    """One GitHub Actions workflow command per finding, so each shows up on its line in a PR."""
    for finding in _ordered(findings):
        stream.write(github_command(finding) + "\n")


# --- junit --------------------------------------------------------------------------------------


# Characters XML 1.0 forbids even as character references (https://www.w3.org/TR/xml/#charsets).
# Compiled on first use: a negated class reaching U+10FFFF costs `re` about 58 M instructions to
# compile, more than parsing a small file; at import it was paid by every `appreg` run.
@functools.cache
def _not_xml() -> re.Pattern[str]:
    return re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: str) -> str:
    return _not_xml().sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


def report_junit(
    findings: Sequence[Finding], documents: int, stream: TextIO, *, files: Sequence[str] = ()
) -> None:
    """JUnit XML: one test suite, one test case per file, one `<failure>` per error finding.

    Warnings do not fail a test case; they are listed in its `<system-out>`, where CI servers
    show them next to the case.
    """
    ordered = _ordered(findings)
    names = _input_files(findings, files)
    by_file: dict[str, list[Finding]] = {name: [] for name in names}
    for finding in ordered:
        by_file[finding.file].append(finding)

    import xml.etree.ElementTree as ET  # only the junit format needs it (start-up of every run)

    suite = ET.Element("testsuite", name="appreg")
    failed = 0
    for name, in_file in by_file.items():
        case = ET.SubElement(suite, "testcase", classname="appreg", name=_xml_text(name))
        errors = [f for f in in_file if f.is_error]
        warnings = [f for f in in_file if not f.is_error]
        failed += bool(errors)
        for finding in errors:
            failure = ET.SubElement(
                case,
                "failure",
                type=_xml_text(finding.rule),
                message=_xml_text(_message_with_subject(finding)),
            )
            failure.text = _xml_text(text_line(finding))
        if warnings:
            output = ET.SubElement(case, "system-out")
            output.text = _xml_text("".join(text_line(f) + "\n" for f in warnings))
    suite.set("tests", str(len(by_file)))
    suite.set("failures", str(failed))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    ET.indent(suite)
    # us-ascii turns every other character into a reference: valid whatever the stream's encoding.
    stream.write(ET.tostring(suite, encoding="us-ascii", xml_declaration=True).decode("ascii"))
    stream.write("\n")


# --- tap ----------------------------------------------------------------------------------------


def _yaml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid YAML flow scalar, escapes included


def report_tap(
    findings: Sequence[Finding], documents: int, stream: TextIO, *, files: Sequence[str] = ()
) -> None:
    """TAP version 13: one test point per file, `not ok` when it has an error finding.

    Each file's findings follow its test point as a YAML diagnostic block (TAP 13), warnings
    included; a file with only warnings is `ok`, as in the JUnit report.
    """
    ordered = _ordered(findings)
    names = _input_files(findings, files)
    by_file: dict[str, list[Finding]] = {name: [] for name in names}
    for finding in ordered:
        by_file[finding.file].append(finding)
    stream.write(f"TAP version 13\n1..{len(by_file)}\n")
    for number, (name, in_file) in enumerate(by_file.items(), start=1):
        status = "not ok" if any(f.is_error for f in in_file) else "ok"
        # `#` starts a directive in a description: escaped, as TAP 13 says.
        description = one_line(name).replace("#", "\\#")
        stream.write(f"{status} {number} - {description}\n")
        if in_file:
            stream.write("  ---\n  findings:\n")
            for finding in in_file:
                stream.write(f"  - {_yaml_string(text_line(finding))}\n")
            stream.write("  ...\n")


def rule_counts(findings: Sequence[Finding]) -> str:
    """`--summary`: the findings counted by rule, most frequent first (`schema.type: 3, ...`)."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule] = counts.get(finding.rule, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{rule}: {count}" for rule, count in ranked) or "no findings"


REPORTERS: dict[str, Reporter] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
    "junit": report_junit,
    "tap": report_tap,
}
"""Reporters by `--format` name."""
