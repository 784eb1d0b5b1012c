"""Design proposals (site/proposals.py) and the front matter that marks them (pages/frontmatter.py)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mkdocs_appreg.pages.frontmatter import MAX_FRONT_MATTER_CHARS, read_front_matter
from mkdocs_appreg.site.proposals import is_design_proposal

KEP = """\
---
title: Widget autoscaling
kep-number: 1234
authors:
  - "@jdoe"
owning-sig: sig-apps
status: provisional
creation-date: 2026-03-02
reviewers:
  - TBD
approvers:
  - "@asmith"
---
# Widget autoscaling
"""


def test_front_matter_is_read_one_level_deep_as_mkdocs_reads_it() -> None:
    meta = read_front_matter(KEP)
    assert meta is not None
    assert meta["status"] == "provisional"
    assert meta["authors"] == ["@jdoe"]
    assert meta["kep-number"] == 1234
    assert meta["creation-date"] is None  # a timestamp says nothing here
    assert read_front_matter(KEP.replace("\n", "\r\n"))["approvers"] == ["@asmith"]  # type: ignore[index]
    # `...` closes front matter too (mkdocs/utils/meta.py YAML_RE); `appreg:` is read as a mapping.
    assert read_front_matter("---\nappreg: {proposal: no}\n...\nx\n") == {"appreg": {"proposal": False}}


@pytest.mark.parametrize(
    "text",
    [
        "# no front matter\n",
        "---\nnot closed\n",
        "---\n- a list\n---\n",
        "---\njust text\n---\n",
        "---\nauthors: [a\n---\n",  # broken YAML: MkDocs shows it as text
        "---\nauthors:\n- a\n  reviewers:\n- b\n---\n",  # the Argo CD proposals' mis-indented form
        "---\nx: !!python/object/apply:os.system ['true']\n---\n",
        "---\na: 1\n---\nb: 2\n---\n",
    ],
)
def test_what_mkdocs_would_not_read_is_no_front_matter(text: str) -> None:
    meta = read_front_matter(text)
    assert not meta or "reviewers" not in meta


def test_hostile_front_matter_is_cheap() -> None:
    # An alias bomb is composed, never expanded; deep nesting and a huge block are refused quietly.
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    started = time.perf_counter()
    meta = read_front_matter(bomb + "authors: [a]\nreviewers: [b]\n---\n")
    assert meta is not None and is_design_proposal(meta)
    assert read_front_matter("---\nx: " + "[" * 100_000 + "\n---\n") is None
    huge = "---\n" + "k: v\n" * (MAX_FRONT_MATTER_CHARS // 5 + 10) + "status: proposed\n---\n"
    assert read_front_matter(huge) is None
    assert time.perf_counter() - started < 30  # a hang guard, not a speed assertion


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"status": "implementable"}, True),
        ({"status": "Provisional"}, True),
        ({"status": "superseded by ADR-0005"}, True),
        ({"status": "provisional|implementable|implemented"}, True),  # the KEP template, unfilled
        ({"status": "new"}, False),  # Material for MkDocs' page status
        ({"status": "deprecated"}, False),
        ({"status": "draft"}, False),
        ({"status": "accepted"}, False),
        ({"authors": ["a"], "sponsors": ["TBD"]}, True),
        ({"authors": ["a"], "approvers": None}, True),
        ({"authors": ["a"], "date": "2026-01-01"}, False),  # a blog post
        ({"reviewers": ["a"], "title": "Pods"}, False),  # a Kubernetes website page
        ({"authors": ["a"], "reviewers": ["b"], "appreg": {"proposal": False}}, False),
        ({"title": "x", "appreg": {"proposal": True}}, True),
        ({"appreg": {"proposal": "yes please"}, "status": "rejected"}, True),  # not a boolean: ignored
        ({}, False),
        (None, False),
    ],
)
def test_which_front_matter_marks_a_design_proposal(meta: dict[str, Any] | None, expected: bool) -> None:
    assert is_design_proposal(meta) is expected
