"""Excerpts: resources a page shows in part, and the lines that say so.

The rule (docs/reference/checking.md, "Excerpts"): a resource the reader is told to apply as it is
(a `kubectl apply` heredoc body, a rendered template, a file included whole from the docs folder
or from a `resources/` folder) is complete and is checked in full. Any other resource a page shows
(a YAML block written on the page, a section or line range of a file) is an excerpt: docs show
the `spec` fields one section talks about, with `...` or `# omitted for brevity` where the rest
would be, or without a name. An excerpt is checked for what it shows (types, unknown fields,
enums, formats, patterns) but not for what it leaves out (required fields, the name, metadata).
A fence attribute, `{.yaml data-appreg-excerpt}` or `{.yaml data-appreg-complete}`, or a YAML
comment `# appreg: excerpt` / `# appreg: complete`, says otherwise for one example.

This module finds the elision lines of an excerpt's text and blanks the ones YAML cannot read (a
bare `...` is a document end marker at column 0 and a syntax error deeper in; `key: ...` keeps its
key), keeping every line where it was so findings keep their positions. An elision line is,
outside a block scalar (`key: |` content is text, not YAML):

* an ellipsis alone: `...`, `…`, `(...)`, `[...]`, optionally after `- ` and before a comment
  (`... # standard application spec`), or as a whole value (`template: ...`);
* a comment that is an ellipsis or starts with one: `# ...`, `# (...)`, `# … repeat for the others`;
* a comment that says so: `# omitted for brevity`, `# truncated`, `# snipped`, `# elided`,
  `# abridged`, `# (omitted)`.

A complete resource is parsed as written: there a `...` line is the syntax error kubectl would
report, and a placeholder value is reported as a `placeholder`.
"""

from __future__ import annotations

import functools
import re

# The forms of an ellipsis authors write, ASCII or the Unicode character, bare or bracketed.
# A bracketed one may say more: `[...snip..]`, `(... fields as above ...)`.
_ELLIPSIS = r"(?:\.{3,}|…|\((?:\.{2,}|…)[^()\n]*\)|\[(?:\.{2,}|…)[^\[\]\n]*\]|<snip>|\[snip\])"


@functools.cache
def _bare() -> re.Pattern[str]:
    # `...` alone on its line (a list item's too), a trailing comment allowed.
    return re.compile(rf"^[ \t]*(?:-[ \t]+)?{_ELLIPSIS}[ \t]*(?:#.*)?$")


@functools.cache
def _comment() -> re.Pattern[str]:
    # A whole-line comment that is or starts with an ellipsis, or says the text is cut. "If omitted,
    # defaults to ..." describes a field, not the example: `omitted` counts only as "omitted for
    # brevity", "(omitted)" or "omitted" ending the comment.
    return re.compile(
        rf"""(?ix)^[ \t]*\#[ \t#]*(?:
            {_ELLIPSIS}
          | .*\bfor[ \t]+brevity\b
          | .*\b(?:truncated|elided|snipped|abridged|redacted[ \t]+for[ \t]+length)\b
          | .*(?:\(omitted\)|\bomitted[ \t]*[.)]?[ \t]*$)
        )"""
    )


@functools.cache
def _value() -> re.Pattern[str]:
    # `key: ...` (a trailing comment allowed): the key stays, with no value (YAML null).
    return re.compile(rf"^(?P<key>[ \t]*(?:-[ \t]+)?[^\s#][^#]*?:)[ \t]+{_ELLIPSIS}[ \t]*(?:#.*)?$")


@functools.cache
def _form_comment() -> re.Pattern[str]:
    return re.compile(r"(?<!\S)#\s*appreg:\s*(?P<form>excerpt|complete)\s*$")


@functools.cache
def _block_scalar_header() -> re.Pattern[str]:
    # `key: |`, `key: >-`, `- |2` (and a comment after the indicator): the lines below that are
    # indented deeper are the scalar's text, where `...` and `#` are content.
    return re.compile(r"(?:^[ \t]*-|:)[ \t]+[|>][1-9+-]{0,2}[ \t]*(?:#.*)?$")


class Elided:
    """An example's text with its elision lines found.

    Attributes:
        text: The text with every bare ellipsis blanked (same number of lines).
        lines: 1-based line numbers, within the text, of every elision line (bare or comment).
    """

    __slots__ = ("lines", "text")

    text: str
    lines: tuple[int, ...]

    def __init__(self, text: str, lines: tuple[int, ...]) -> None:
        self.text = text
        self.lines = lines


def declared_form(text: str) -> str:
    """`excerpt` or `complete` when a `# appreg: excerpt|complete` comment says so, else `""`."""
    if "appreg" not in text:
        return ""
    for row in text.split("\n"):
        match = _form_comment().search(row) if "appreg" in row else None
        if match is not None:
            return match.group("form")
    return ""


def find_elisions(text: str) -> Elided:
    """The elision lines of `text`, and the text with the bare ones blanked."""
    if "." not in text and "…" not in text and "#" not in text:
        return Elided(text, ())  # no ellipsis and no comment: nothing to look at
    rows = text.split("\n")
    found: list[int] = []
    scalar_indent: int | None = None  # indentation of the line that opened a block scalar
    bare, comment, header, value = _bare(), _comment(), _block_scalar_header(), _value()
    for number, row in enumerate(rows, start=1):
        stripped = row.strip()
        indent = len(row) - len(row.lstrip(" \t"))
        if scalar_indent is not None:
            if not stripped or indent > scalar_indent:
                continue  # the block scalar's text
            scalar_indent = None
        if not stripped:
            continue
        if bare.match(row):
            found.append(number)
            rows[number - 1] = ""
        elif stripped.startswith("#"):
            if comment.match(row):
                found.append(number)
        elif header.search(row):
            scalar_indent = indent
        elif (elided := value.match(row)) is not None:
            found.append(number)
            rows[number - 1] = elided.group("key")
    if not found:
        return Elided(text, ())
    return Elided("\n".join(rows), tuple(found))


__all__ = ["Elided", "declared_form", "find_elisions"]
