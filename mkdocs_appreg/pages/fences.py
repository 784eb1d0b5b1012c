"""Which lines of a page pymdownx.superfences takes for fenced code, without Markdown.

The one model of fences for everything that reads a page: the directive (markdown layer) leaves
a `/// resource` line inside a fence alone, the site check finds its directives and examples with
it (directives.py, extract.py). It follows `SuperFencesBlockPreprocessor.search_nested` and
`eval_fence` (pymdownx/superfences.py):

- an opening line is `[ \\t]*` then 3+ backticks or tildes then a header superfences accepts
  (`fence_header`): a language, then either a `{...}` attribute list or `key="value"` options
  that pymdownx.highlight's validator accepts; any other header is not a fence at all;
- inside, a blank line is content, a non-blank line not indented to the opening's column ends
  the attempt (that line is not tried as an opening), and the same run of fence characters at
  exactly that column, then only blanks, closes it;
- a fence that never closes is no fence, and no line after its opening opens one;
- a fence whose placeholder lands in an indented code block is put back as literal text by
  `SuperFencesCodeBlockProcessor.revert_greedy_fences` (`Fence.indented_code`).

Assumed: superfences' defaults (no `relaxed_headers`; custom fences take what the default fence
takes) and pymdownx.highlight with `use_pygments` on (MkDocs Material's setting). Not modelled:
fences inside `>` blockquotes. tests/test_pages_model.py compares this with the installed
pymdown-extensions on tricky pages.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

#: Python-Markdown's default `tab_length`, which superfences expands tabs with.
TAB_LENGTH = 4

# RE_NESTED_FENCE_START, split in two: the fence run after the indentation, then the header.
_RE_OPEN = re.compile(r"^(?P<ws>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_RE_HEADER = re.compile(
    r"""(?x)
    ^(?:[ \t]*\.?(?P<lang>[\w\#.+-]+)(?=[\t ]|$))?
    (?:
        [ \t]*\{(?P<attrs>[^\n]*)\} |
        (?P<options>(?:(?:[ \t]*[a-zA-Z][a-zA-Z0-9_]*(?:=(?P<quot>"|').*?(?P=quot))?)(?=[\t ]|$))+)
    )?[ \t]*$
    """
)


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
@functools.cache
def _option() -> re.Pattern[str]:
    # superfences' RE_OPTIONS: the `key` or `key="value"` items of an options header.
    return re.compile(r"""(?P<key>[a-zA-Z][a-zA-Z0-9_]*)(?:=(?P<quot>"|')(?P<value>.*?)(?P=quot))?""")


@functools.cache
def _option_values() -> dict[str, re.Pattern[str] | None]:
    # superfences.highlight_validator: the options it keeps, and what their values must look like
    # (RE_HL_LINES, RE_LINENUMS); any other option becomes an attribute, which an options header
    # may not have.
    return {
        "hl_lines": re.compile(r"^\d+(?:-\d+)?(?:[ \t]+\d+(?:-\d+)?)*$"),
        "linenums": re.compile(r"\d+(?:[ \t]+\d+)?(?:[ \t]+\d+)?"),
        "title": None,
        "title_mode": None,
    }


@functools.cache
def _attribute() -> re.Pattern[str]:
    return re.compile(r"""(?P<name>[.#]?[^\s=]+)(?:=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S+)))?""")


# Lines whose content Python-Markdown indents by 4: list items, admonitions, content tabs,
# footnotes, definitions. Indentation past that content indent makes an indented code block.
@functools.cache
def _container() -> re.Pattern[str]:
    return re.compile(r"^[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|!!!|\?\?\?|===|\[\^[^\]]+\]:|:[ \t])")


@functools.cache
def _block_header() -> re.Pattern[str]:
    return re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?|===\+?|#{1,6}(?:[ \t]|$))")


class FenceHeader:
    """What a fence's opening line says after the fence run: the language and the attributes."""

    __slots__ = ("attributes", "language")

    language: str  # as written (`YAML` stays `YAML`); "" when there is none
    # `{... key="value"}` attributes other than classes and the id; None for a bare `key`
    attributes: dict[str, str | None]

    def __init__(self, language: str, attributes: dict[str, str | None]) -> None:
        self.language = language
        self.attributes = attributes


def fence_header(info: str) -> FenceHeader | None:
    """The header of a fence, or None when superfences rejects it (the line is then no fence).

    Args:
        info: What follows the run of backticks or tildes on the opening line.
    """
    match = _RE_HEADER.match(info)
    if match is None:
        return None
    language = match["lang"] or ""
    attributes: dict[str, str | None] = {}
    if match["attrs"] is not None:
        classes: list[str] = []
        for attribute in _attribute().finditer(match["attrs"]):
            name = attribute["name"]
            if name.startswith("."):
                classes.append(name[1:])
            elif not name.startswith("#"):
                attributes[name] = attribute["dq"] or attribute["sq"] or attribute["bare"]
        if not language and classes:
            language = classes[0]
    elif match["options"] is not None:
        values = {item["key"]: item["value"] for item in _option().finditer(match["options"])}
        checks = _option_values()
        for key, value in values.items():
            if key not in checks:
                return None
            check = checks[key]
            # A bare option's value is its own name, which no value pattern accepts.
            if check is not None and check.match(value if value is not None else key) is None:
                return None
    return FenceHeader(language, attributes)


class Fence:
    """A fenced code block: its opening and closing lines (0-based), indentation and header."""

    __slots__ = ("close_index", "fence", "header", "indent", "indented_code", "open_index")

    open_index: int
    close_index: int
    indent: int  # columns, tabs expanded
    fence: str  # the run of backticks or tildes
    header: FenceHeader
    # In an indented code block: superfences puts it back as literal text, so it is no code
    # block of its own, but its lines are still code, not Markdown.
    indented_code: bool

    def __init__(
        self,
        open_index: int,
        close_index: int,
        indent: int,
        fence: str,
        header: FenceHeader,
        indented_code: bool,
    ) -> None:
        self.open_index = open_index
        self.close_index = close_index
        self.indent = indent
        self.fence = fence
        self.header = header
        self.indented_code = indented_code


class FenceScan:
    """The fences of a page, and the opening lines whose header superfences rejected."""

    __slots__ = ("fences", "rejected")

    fences: list[Fence]
    rejected: list[int]  # 0-based lines that look like an opening but are no fence

    def __init__(self, fences: list[Fence], rejected: list[int]) -> None:
        self.fences = fences
        self.rejected = rejected

    def code_lines(self) -> list[tuple[int, int]]:
        """(first, last) 0-based line ranges that are code, not Markdown: every fence, reverted ones too."""
        return [(fence.open_index, fence.close_index) for fence in self.fences]


def may_hold_fence(line: str) -> bool:
    """Whether a line can open or close a fence at all (most cannot); cheaper than any pattern."""
    return "```" in line or "~~~" in line


def opening(line: str) -> re.Match[str] | None:
    """The `ws`, `fence` and `info` of a line shaped like a fence opening (header not checked)."""
    return _RE_OPEN.match(line.rstrip("\r")) if may_hold_fence(line) else None


def find_fences(lines: Sequence[str], tab_length: int = TAB_LENGTH) -> FenceScan:
    """Every fence of a page, in order, as superfences finds them.

    Args:
        lines: The page, one line per item (a trailing `\\r` is ignored, as superfences does).
        tab_length: Markdown's `tab_length`.
    """
    # Only a line holding ``` or ~~~ can open a fence or close one; most lines hold neither.
    marked = [index for index, line in enumerate(lines) if may_hold_fence(line)]
    fences: list[Fence] = []
    rejected: list[int] = []
    blocks = _Blocks(lines, tab_length)
    resume = 0
    for position, index in enumerate(marked):
        if index < resume:
            continue
        match = _RE_OPEN.match(lines[index].rstrip("\r"))
        if match is None:
            continue
        header = fence_header(match["info"])
        if header is None:
            rejected.append(index)
            continue
        indent = len(match["ws"].expandtabs(tab_length))
        close, stop = _closing_line(lines, marked, position, indent, match["fence"], tab_length)
        if close is None:
            resume = stop + 1  # superfences tries the line after the one that ended the attempt
            continue
        indented_code = blocks.in_indented_code(index, close, indent)
        fences.append(Fence(index, close, indent, match["fence"], header, indented_code))
        resume = close + 1
    return FenceScan(fences, rejected)


def _closing_line(
    lines: Sequence[str], marked: Sequence[int], position: int, indent: int, fence: str, tab_length: int
) -> tuple[int | None, int]:
    """(closing line or None, the line that ended the search) of the fence opened at `marked[position]`."""
    if not indent:
        # At column 0 nothing is indented too little: only a line starting with the fence closes.
        # Indexed, not sliced: a slice copies the rest of the list for every fence of the page.
        for following in range(position + 1, len(marked)):
            cursor = marked[following]
            line = lines[cursor].rstrip("\r")
            if line.startswith(fence) and not line[len(fence) :].strip(" \t"):
                return cursor, cursor
        return None, len(lines)
    for cursor in range(marked[position] + 1, len(lines)):
        line = lines[cursor].rstrip("\r")
        # superfences' parse_fence_line: prefix characters up to the opening's column.
        column = taken = 0
        for char in line:
            if column >= indent or char not in " \t>":
                break
            taken += 1
            column += tab_length - column % tab_length if char == "\t" else 1
        prefix, content = line[:taken], line[taken:]
        if ">" in prefix:
            return None, cursor  # a blockquote line inside a fence that is not quoted
        if not content.strip(" \t"):
            continue  # blank
        if column != indent:
            return None, cursor  # not indented enough
        if content.startswith(fence) and not content[len(fence) :].strip(" \t"):
            return cursor, cursor
    return None, len(lines)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


class _Blocks:
    """The Markdown blocks above each fence, read once down the page as its fences are found.

    Blank lines separate blocks; a fence found before is one line of its block (superfences puts
    one placeholder line in its place before the block parser runs).
    """

    __slots__ = ("first", "first_indent", "inside", "lines", "scanned", "tab_length")

    def __init__(self, lines: Sequence[str], tab_length: int) -> None:
        self.lines = lines
        self.tab_length = tab_length
        self.scanned = 0  # lines above it have been read
        self.first: int | None = None  # first line of the current block; None after a blank line
        self.first_indent = 0
        self.inside: int | None = None  # the content column of the container a block is in

    def _add(self, index: int, indent: int) -> None:
        if self.inside is not None and indent < self.inside:
            # Less indented than an admonition's (details', tab's) content: the container ends
            # and hands this line back to the parser as the start of a block.
            self.first = self.inside = None
        if self.first is None:
            self.first, self.first_indent = index, indent

    def _read_to(self, end: int) -> None:
        for index in range(self.scanned, end):
            text = self.lines[index].expandtabs(self.tab_length)
            if not text.strip():
                self.first = None
                continue
            indent = _indent(text)
            self._add(index, indent)
            header = (
                _block_header().match(text)
                if "!!!" in text or "???" in text or "===" in text or "#" in text
                else None
            )
            if header is not None:
                # Admonitions, details, tabs and headings split the block they are found in: the
                # lines after one start a block of their own, the content of a container.
                self.first = None
                self.inside = (
                    None if header.group().lstrip(" \t").startswith("#") else indent + self.tab_length
                )
        self.scanned = max(self.scanned, end)

    def in_indented_code(self, index: int, close: int, indent: int) -> bool:
        """Whether the fence at `index`..`close` lands in an indented code block; then go past it.

        Approximated without a block parser: a block is indented code when its first line is 4 or
        more columns deeper than the content of the nearest less-indented line above it (list
        items, admonitions and tabs nest their content by 4); `revert_greedy_fences` then puts back
        every fence in that block. A fence below a paragraph line in the same block continues the
        paragraph, however deep it is indented.
        """
        self._read_to(index)
        self._add(index, indent)
        first, first_indent = self.first, self.first_indent
        self.scanned = close + 1
        if first_indent < self.tab_length:
            return False
        assert first is not None
        # The code block processor reverts every fence of a block that it takes as code, also one
        # below the lines it keeps (those go back to the parser as text, the fence with them).
        return first_indent >= self._code_column(first, first_indent)

    def _code_column(self, first: int, indent: int) -> int:
        """The column from which the block starting at line `first` is indented code.

        Four columns past the content of the container the block is in: the nearest list item,
        admonition, tab or footnote above it that is less indented (a less indented paragraph or
        quote line is in a container of its own, looked for the same way); the page's margin when
        there is none.
        """
        # Bounded: an answer from 2000 lines up is as good as a guess, and a page of deeply
        # indented fences would otherwise cost quadratic time.
        for previous in range(first - 1, max(first - 2000, 0) - 1, -1):
            text = self.lines[previous].expandtabs(self.tab_length)
            if not text.strip() or _indent(text) >= indent:
                continue
            if _container().match(text):
                return _indent(text) + 2 * self.tab_length
            indent = _indent(text)
        return self.tab_length
