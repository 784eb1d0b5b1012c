"""Hypothesis profiles for the fuzzers: short by default, long on request.

    pytest tests/fuzz                            # "ci": a few dozen examples per property
    HYPOTHESIS_PROFILE=long pytest tests/fuzz    # "long": thousands, no time limit

The profile is applied per test (`@FUZZ`), not loaded globally, so the other suites' hypothesis
tests keep their own settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from hypothesis import HealthCheck, settings

from mkdocs_appreg.common.findings import Finding

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = settings(settings.get_profile(PROFILE))
"""Decorator applying the selected profile to one property."""


def line_lengths(text: str) -> list[int]:
    """Length of every line of `text`, split the way YAML counts lines (CRLF, CR, LF, NEL, LS, PS)."""
    lines = text.replace("\r\n", "\n")
    for separator in ("\r", "\x85", "\u2028", "\u2029"):
        lines = lines.replace(separator, "\n")
    return [len(line) for line in lines.split("\n")]


def assert_inside(findings: Iterable[Finding], text: str, *, line_offset: int = 0) -> None:
    """Every finding's line is a line of `text` and its column at most one past that line's end."""
    lengths = line_lengths(text)
    for finding in findings:
        line = finding.line - line_offset
        assert 1 <= line <= len(lengths), f"line {finding.line} outside 1..{len(lengths)}: {finding}"
        assert 1 <= finding.column <= lengths[line - 1] + 1, f"column outside line {line}: {finding}"
