"""Findings shown on the page, next to the example they concern (`mkdocs serve` only).

In `mkdocs serve` a finding logged in the terminal is easy to miss while the page serves the
broken value. The plugin hands each page's Markdown and the build's findings to `annotate`, which
places one Material admonition (raw HTML, so it needs no admonition extension) after the block the
finding belongs to:

- a finding in a rendered template or an included file goes after every `/// resource` directive
  and every fence whose `--8<--` line names that file;
- a finding in the page itself goes after the directive or fence holding its line, or after the
  paragraph, when the line is in neither.

Never used by `mkdocs build`: a published site must not carry the report.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.pages.directives import BLOCK_START, DIRECTIVE_LIKE, indent_width, live_block_lines
from mkdocs_appreg.pages.fences import find_fences
from mkdocs_appreg.pages.snippets import included_paths

__all__ = ["admonition", "annotate"]

_CLOSING = re.compile(r"^(?P<indent>[ \t]*)(?P<slashes>/{3,})[ \t]*$")


class _Block:
    """A directive or a fence of the page: its lines (0-based, inclusive) and the files it shows."""

    __slots__ = ("end", "indent", "paths", "start")

    def __init__(self, start: int, end: int, indent: str, paths: set[str]) -> None:
        self.start = start
        self.end = end
        self.indent = indent
        self.paths = paths


def _blocks(lines: Sequence[str], tab_length: int) -> list[_Block]:
    found: list[_Block] = []
    for fence in find_fences(lines, tab_length).fences:
        body = lines[fence.open_index + 1 : fence.close_index]
        paths = {path for _index, _column, path in included_paths(body, tab_length=tab_length)}
        found.append(_Block(fence.open_index, fence.close_index, _indent(lines[fence.open_index]), paths))
    resume = 0
    for index in live_block_lines(lines, tab_length):
        if index < resume:
            continue
        line = lines[index].rstrip("\r")
        header = BLOCK_START.match(line) if DIRECTIVE_LIKE.match(line) else None
        if header is None:
            continue
        indent = _indent(line)
        closing = _directive_end(
            lines, index, header["slashes"], indent_width(indent, tab_length), tab_length
        )
        path = (header["arg"] or "").strip()
        found.append(_Block(index, closing, indent, {path} if path else set()))
        resume = closing + 1
    return sorted(found, key=lambda block: block.start)


def _indent(line: str) -> str:
    line = line.rstrip("\r")
    return line[: len(line) - len(line.lstrip(" \t"))]


def _directive_end(lines: Sequence[str], start: int, slashes: str, indent: int, tab_length: int) -> int:
    for index in range(start + 1, len(lines)):
        closing = _CLOSING.match(lines[index].rstrip("\r"))
        if (
            closing
            and closing["slashes"] == slashes
            and indent_width(closing["indent"], tab_length) == indent
        ):
            return index
    return start  # unclosed: the directive reports that itself; show the finding under its header


def _paragraph_end(lines: Sequence[str], index: int) -> int:
    while index + 1 < len(lines) and lines[index + 1].strip():
        index += 1
    return index


def admonition(finding: Finding, indent: str = "") -> str:
    """One finding as a Material admonition, on one line of raw HTML."""
    kind = "failure" if finding.is_error else "warning"
    title = f"appreg {finding.severity} [{finding.rule}]"
    subject = f"{finding.subject}: " if finding.subject else ""
    where = f"{finding.file}:{finding.line}:{finding.column}"
    return (
        f'{indent}<div class="admonition {kind} appreg-finding">'
        f'<p class="admonition-title">{html.escape(title)}</p>'
        f"<p><code>{html.escape(where)}</code> {html.escape(subject + finding.message)}</p></div>"
    )


def annotate(
    markdown: str,
    *,
    page: str,
    findings: Iterable[Finding],
    shown_as: Mapping[str, Sequence[str]] | None = None,
    line_offset: int = 0,
    tab_length: int = 4,
) -> str:
    """The page's Markdown with each of its findings shown after the block it concerns.

    Args:
        markdown: The page as MkDocs hands it to plugins (front matter removed).
        page: The page as findings name it, such as `docs/index.md`.
        findings: The build's findings; those about other pages and files not shown here are skipped.
        shown_as: Finding file -> the paths pages include it by (a template's display path -> the
            `docs/...` path of its rendered file); a file not in it is included by its own name.
        line_offset: Lines before `markdown` in the page's file (its front matter).
        tab_length: Markdown's tab width, to compare indentation as the directive does.

    Returns:
        The Markdown, unchanged when no finding belongs to the page.
    """
    lines = markdown.split("\n")
    blocks: list[_Block] | None = None
    after: dict[int, list[tuple[str, Finding]]] = {}
    seen: set[tuple[int, Finding]] = set()

    def place(index: int, indent: str, finding: Finding) -> None:
        if (index, finding) not in seen:
            seen.add((index, finding))
            after.setdefault(index, []).append((indent, finding))

    for finding in findings:
        if blocks is None:
            blocks = _blocks(lines, tab_length)
        if finding.file == page:
            line = finding.line - 1 - line_offset
            if not 0 <= line < len(lines):
                continue
            holder = next((b for b in blocks if b.start <= line <= b.end), None)
            if holder is not None:
                place(holder.end, holder.indent, finding)
            else:
                text = lines[line]
                place(_paragraph_end(lines, line), text[: len(text) - len(text.lstrip(" \t"))], finding)
            continue
        paths = (shown_as or {}).get(finding.file, (finding.file,))
        for block in blocks:
            if not block.paths.isdisjoint(paths):
                place(block.end, block.indent, finding)
    if not after:
        return markdown
    out: list[str] = []
    for index, text in enumerate(lines):
        out.append(text)
        for indent, finding in after.get(index, ()):
            out.extend(["", admonition(finding, indent), ""])
    return "\n".join(out)
