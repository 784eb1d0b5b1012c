"""The one type every problem becomes: a located, ruled, severity-tagged finding.

Syntax errors, missing templates, schema violations and broken references all end up as a
`Finding`, so reporters, the CLI and the MkDocs plugin handle exactly one shape (the way
kubeconform turns even an unreadable file into a result).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal

from mkdocs_appreg.common.records import Record

# C0 controls but tab, DEL and the C1 controls: a newline would split a finding over two lines, an
# ESC (or its one-byte form CSI, U+009B) in a quoted YAML value would drive the user's terminal.
# Bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069, marks U+200E/U+200F/U+061C) would
# make a finding read differently from what it says ("Trojan Source", CVE-2021-42574).
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
UNSAFE_BUT_LINE_BREAKS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""The same, line breaks aside (the GitHub format escapes those its own way)."""


def printable(value: str) -> str:
    """`value` with control characters and bidi overrides written as escapes (`\\x1b`, `\\u202e`)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


Severity = Literal["error", "warning"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning")


# The fields, in order: what a finding holds, is compared by, and is written as (the build record).
FIELDS = (
    "file",
    "line",
    "column",
    "rule",
    "message",
    "severity",
    "document",
    "api_version",
    "kind",
    "name",
    "path",
)


class Finding(Record):
    """One problem found in one input; immutable, compared and hashed by value.

    Attributes:
        file: The file the problem is in, as the user should see it (relative when possible).
        line: 1-based line of the offending node (a missing field: its parent).
        column: 1-based column of the offending node.
        rule: A stable rule id such as `schema.type`, documented in the rule table.
        message: What is wrong, in one line.
        severity: `error` fails a check; `warning` is reported only.
        document: 0-based index of the YAML document within a multi-document file.
        api_version: The resource's `apiVersion`, when known.
        kind: The resource's `kind`, when known.
        name: The resource's `metadata.name`, when known.
        path: JSON Pointer of the offending node inside the document (`""` for the root).
    """

    # What `@dataclass(frozen=True, slots=True)` generates, written out: generating it cost every
    # build about 1.2 ms (6.5 M instructions), more than the rest of this module's import.
    __slots__ = FIELDS
    FIELDS = FIELDS

    file: str
    line: int
    column: int
    rule: str
    message: str
    severity: Severity
    document: int
    api_version: str
    kind: str
    name: str
    path: str

    def __init__(
        self,
        file: str,
        line: int,
        column: int,
        rule: str,
        message: str,
        severity: Severity = "error",
        document: int = 0,
        api_version: str = "",
        kind: str = "",
        name: str = "",
        path: str = "",
    ) -> None:
        values = (file, line, column, rule, message, severity, document, api_version, kind, name, path)
        for field, value in zip(FIELDS, values, strict=True):
            object.__setattr__(self, field, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a Finding is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a Finding is immutable")

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        # Pickled by its values (`appreg validate --jobs` sends findings between processes):
        # the default for slots would set them one by one, which __setattr__ refuses.
        return (Finding, self._values())

    def as_dict(self) -> dict[str, Any]:
        """The fields by name, in order (`dataclasses.asdict` for a dataclass)."""
        return {field: getattr(self, field) for field in FIELDS}

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def subject(self) -> str:
        """`Kind/name path`, the part of a one-line report that says which object is meant."""
        parts = []
        if self.kind or self.name:
            parts.append(f"{self.kind or '?'}/{self.name or '?'}")
        if self.path:
            parts.append(self.path)
        return " ".join(parts)

    def located(self) -> str:
        """`file:line:column: [rule] Kind/name path: message` — the form MkDocs warnings use."""
        subject = self.subject
        subject = f" {subject}" if subject else ""
        return printable(f"{self.file}:{self.line}:{self.column}: [{self.rule}]{subject}: {self.message}")

    def moved(self, *, file: str, line: int, column: int | None = None) -> Finding:
        """The same finding relocated, e.g. from a rendered file back to its template line."""
        values = self.as_dict()
        values.update(file=file, line=line, column=self.column if column is None else column)
        return Finding(**values)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


#: The levels a fail-on policy can name: fail on errors only, or on any finding (yamllint's strict).
FAIL_ON_LEVELS = ("error", "warning")


def failing(findings: Iterable[Finding], fail_on: str) -> list[Finding]:
    """The findings that fail a run under the policy `fail_on` (`error` or `warning`)."""
    if fail_on == "warning":
        return list(findings)
    return [f for f in findings if f.is_error]


def sort_key(finding: Finding) -> tuple[str, int, int, int, str, str]:
    """The order findings are printed in: by file, line and column, as a reader scans the file.

    The document index comes after the position, only to break ties: it restarts with each example
    on a page, so sorting by it first printed a finding of the second fence (document 0) before one
    of the first fence's second document (document 1), higher up the page.
    """
    return (finding.file, finding.line, finding.column, finding.document, finding.rule, finding.path)
