"""Find every Kubernetes resource example in a Markdown page, located in the file it lives in.

The page is read the way MkDocs with pymdown-extensions reads it: `pymdownx.snippets` (priority
32) expands `--8<--` includes over the whole page first, then `pymdownx.superfences` finds the
fenced code blocks in the result. We do the same two steps, but every expanded line remembers the
file and line it physically came from, so an example pulled in from a snippet file is reported at
that file's line, and `documents.parse_documents(text, file, line_offset=..., column_offset=...)`
gives positions an editor can jump to.

Examples come from two places:

* `yaml` / `yml` fences (`origin="fence"` for lines written in the fence, `"snippet"` for lines an
  include brought in; a fence mixing both yields one example per contiguous piece);
* `kubectl apply|create|replace -f - <<EOF` heredocs in shell fences (`origin="heredoc"`), also in
  the `cat <<EOF | kubectl apply -f -` form and after a `$ ` console prompt.

Whether a document is a Kubernetes resource (has `apiVersion` and `kind`) is decided later by the
checker; this module only extracts text.

Opting out (whole example; `ignore=` takes a comma-separated list of rule ids):

* a fence attribute: ```` ```{.yaml data-appreg-ignore} ```` or
  ```` ```yaml {data-appreg-ignore="schema.type,secret.base64"} ```` (the attribute-list form is the
  one superfences still renders as code; a bare ```` ```yaml appreg-ignore ```` is not a fence to it);
* an HTML comment on the nearest non-blank line above the fence: `<!-- appreg: ignore -->` or
  `<!-- appreg: ignore=schema.type,secret.base64 -->`;
* a comment inside the YAML: `# appreg: ignore` or `# appreg: ignore=rule-id`, and for heredocs a
  shell comment of that form on the line above the `kubectl` command.

Findings (all warnings): `snippet.missing` (file, section or path not found, or unreadable),
`snippet.cycle`, `snippet.depth`, `snippet.unquoted` (`--8<-- path` without quotes, which
snippets shows as text), `fence.header` (a `yaml` fence header superfences rejects, so the block
is not code), `heredoc.expansion` (an unquoted delimiter with `$`, a backtick or `\\` in the body),
`heredoc.unterminated`. URL snippets are never fetched and never reported.

Not modelled: fences inside `>` blockquotes, `> ` continuation prompts in console transcripts,
snippets' `relaxed_headers`/`dedent_subsections`/`auto_append` options. An escaped `;--8<--` line
is kept with its `;` removed, as snippets renders it, so columns on that one line are off by one.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal, NamedTuple

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.limits import MAX_PAGE_INCLUDED_BYTES, MAX_PAGE_INCLUDES
from mkdocs_appreg.common.records import Record
from mkdocs_appreg.pages.fences import TAB_LENGTH, find_fences
from mkdocs_appreg.pages.fences import opening as fence_opening
from mkdocs_appreg.pages.snippets import (
    BLANK,
    BLOCK,
    INCLUDE,
    TEXT,
    is_url,
    parse_target,
    select_ranges,
    select_section,
    snippet_line,
    unquoted_include,
)

Origin = Literal["fence", "snippet", "heredoc"]

#: Include nesting deeper than this is reported (`snippet.depth`) instead of followed.
MAX_INCLUDE_DEPTH = 32

YAML_LANGUAGES = frozenset({"yaml", "yml"})
SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "console", "zsh", "shell-session", "shellsession"})
CONSOLE_LANGUAGES = frozenset({"console", "shell-session", "shellsession"})


# Plain classes (common/records.py says why).
# `_Line` alone stays a NamedTuple: one is made per page line, by `_new_line`.
class Example(Record):
    """One piece of YAML shown on a page, located in the file its text physically lives in.

    Attributes:
        file: Display path of the file holding the text (the page, or the included snippet file).
        text: The YAML text, dedented, ending with a newline.
        line_offset: Lines above the text in `file`.
        column_offset: Indentation removed from every line of the text.
        origin: `fence` (written in a YAML fence), `snippet` (included into a YAML fence) or
            `heredoc` (the body of a `kubectl ... -f - <<EOF` heredoc in a shell fence).
        page: Display path of the page the example appears on.
        page_line: 1-based page line of the fence, the include or the heredoc command; for
            something that came in through an include on the page, the line of that include.
        ignore: `None`: check it; `frozenset()`: ignore every rule; otherwise the rule ids to ignore.
        whole: The text came from an include of a whole file (no section, no line range).
        form: What the fence says the example is: `excerpt` (`{.yaml data-appreg-excerpt}`),
            `complete` (`{.yaml data-appreg-complete}`), or `""` when it says nothing.
        expands: The text is the body of an unquoted heredoc: the shell replaces `$NAME`, `${NAME}`
            and `$(...)` before kubectl reads it.
    """

    __slots__ = (
        "column_offset",
        "expands",
        "file",
        "form",
        "ignore",
        "line_offset",
        "origin",
        "page",
        "page_line",
        "text",
        "whole",
    )
    FIELDS = (
        "file",
        "text",
        "line_offset",
        "column_offset",
        "origin",
        "page",
        "page_line",
        "ignore",
        "whole",
        "form",
        "expands",
    )

    file: str
    text: str
    line_offset: int
    column_offset: int
    origin: Origin
    page: str
    page_line: int
    ignore: frozenset[str] | None
    whole: bool
    form: str
    expands: bool

    def __init__(
        self,
        file: str,
        text: str,
        line_offset: int,
        column_offset: int,
        origin: Origin,
        page: str,
        page_line: int,
        ignore: frozenset[str] | None = None,
        whole: bool = False,
        form: str = "",
        expands: bool = False,
    ) -> None:
        self.file = file
        self.text = text
        self.line_offset = line_offset
        self.column_offset = column_offset
        self.origin = origin
        self.page = page
        self.page_line = page_line
        self.ignore = ignore
        self.whole = whole
        self.form = form
        self.expands = expands

    @property
    def key(self) -> tuple[str, int, int, str]:
        """Identity of the text at its source position: the same snippet shown twice has one key."""
        return (self.file, self.line_offset, self.column_offset, self.text)


# --- expansion with provenance -------------------------------------------------------------------


class _Line(NamedTuple):
    """One line of the expanded page and where it physically lives."""

    text: str  # as snippets emits it: the include markers' indentation in front
    file: str  # display path of the file holding the line
    number: int  # 1-based line in `file`
    prefix: int  # characters of `text` added in front by include markers
    depth: int  # include nesting: 0 for the page
    page_line: int  # the page line this came from (the top-level include for included lines)

    @property
    def source(self) -> str:
        return self.text[self.prefix :]


# What `_Line._make` does, without the Python-level call: plain page lines are made by the
# thousand per build, and this halves what making them costs.
_new_line = tuple.__new__


class _Expander:
    """Snippet expansion of one page, collecting its findings."""

    __slots__ = ("display", "findings", "included", "included_bytes", "partial", "resolve", "whole")

    resolve: Callable[[str], Path | None]
    display: Callable[[Path], str]
    findings: list[Finding]
    whole: set[str]  # files included whole (no section, no line range), by display name
    partial: set[str]  # files included in part
    included: int
    included_bytes: int

    def __init__(self, resolve: Callable[[str], Path | None], display: Callable[[Path], str]) -> None:
        self.resolve = resolve
        self.display = display
        self.findings = []
        self.whole = set()
        self.partial = set()
        self.included = 0
        self.included_bytes = 0

    def over_budget(self, path: Path, file: str, number: int, column: int) -> bool:
        """Count one include against the page's budget; report the first one past it (once)."""
        try:
            size = os.stat(path).st_size
        except (OSError, ValueError):
            size = 0
        already = self.included > MAX_PAGE_INCLUDES or self.included_bytes > MAX_PAGE_INCLUDED_BYTES
        self.included += 1
        self.included_bytes += size
        if self.included <= MAX_PAGE_INCLUDES and self.included_bytes <= MAX_PAGE_INCLUDED_BYTES:
            return False
        if not already:
            self.findings.append(
                Finding(
                    file,
                    number,
                    column,
                    "snippet.limit",
                    f"includes on this page go past {MAX_PAGE_INCLUDES:,} files or "
                    f"{MAX_PAGE_INCLUDED_BYTES // (1024 * 1024)} MiB in total; the rest is not read",
                )
            )
        return True

    def warn(self, file: str, line: int, column: int, rule: str, message: str) -> None:
        self.findings.append(Finding(file, line, column, rule, message, severity="warning"))

    def expand(
        self,
        lines: Sequence[tuple[int, str]],
        file: str,
        *,
        depth: int,
        page_line: int | None,
        stack: tuple[tuple[object, str], ...],
        is_section: bool,
    ) -> list[_Line]:
        """Snippets' parse_snippets, keeping each line's origin (pymdownx/snippets.py)."""
        out: list[_Line] = []
        block = False
        # Every snippets pattern needs the scissors: outside a `--8<--` block, the lines between
        # two that hold them are plain text, taken over in one go (most of a page).
        scissors = [index for index, (_, line) in enumerate(lines) if "8<-" in line]
        start = 0
        for end in (*scissors, len(lines)):
            if not block:
                out.extend(
                    [
                        _new_line(_Line, (line, file, number, 0, depth, page_line or number))
                        for number, line in lines[start:end]
                    ]
                )  # page_line is None on the page itself, a 1-based line number in an include
                if end < len(lines):
                    block = self.expand_line(
                        out, *lines[end], file, depth, page_line, stack, is_section, block
                    )
            else:
                for number, line in lines[start : end + 1]:
                    block = self.expand_line(
                        out, number, line, file, depth, page_line, stack, is_section, block
                    )
            start = end + 1
        return out

    def expand_line(
        self,
        out: list[_Line],
        number: int,
        line: str,
        file: str,
        depth: int,
        page_line: int | None,
        stack: tuple[tuple[object, str], ...],
        is_section: bool,
        block: bool,
    ) -> bool:
        """Expand one line that holds `8<-`, or any line inside a block; return the block state."""
        here = number if page_line is None else page_line
        read = snippet_line(line, block, is_section=is_section, tab_length=TAB_LENGTH)
        kind = read.kind
        if kind == TEXT:
            unquoted = unquoted_include().match(read.text)
            if unquoted is not None:
                self.warn(
                    file,
                    number,
                    _indent(read.text) + 1,
                    "snippet.unquoted",
                    f"`{read.text.strip()}` is shown as text: pymdownx.snippets only includes a quoted "
                    f'path (--8<-- "{unquoted.group("path")}")',
                )
            out.append(_Line(read.text, file, number, 0, depth, here))
        elif kind == BLOCK:
            return not block
        elif kind == BLANK:
            out.append(_Line("", file, number, 0, depth, here))  # snippets inserts a blank line
        elif kind == INCLUDE:
            out.extend(self.include(read.spec, file, number, read.column, read.space, depth, here, stack))
        return block

    def include(
        self,
        spec: str,
        file: str,
        number: int,
        column: int,
        space: str,
        depth: int,
        page_line: int,
        stack: tuple[tuple[object, str], ...],
    ) -> list[_Line]:
        target = parse_target(spec)
        if target is None:
            self.warn(file, number, column, "snippet.missing", f"snippet '{spec}' names no file")
            return []
        if is_url(target.path):
            return []  # URL snippets are never fetched: nothing to check, nothing to report
        try:
            path = self.resolve(target.path)
        except ValueError as error:
            # Absolute, `..` out of the bases, a symlink out, a VCS or credential file: the build
            # stops on it (the directive's snippet guard), so the check reports an error, and
            # reads nothing.
            self.findings.append(Finding(file, number, column, "snippet.refused", f"snippet {error}"))
            return []
        if path is None:
            self.warn(file, number, column, "snippet.missing", f"snippet '{target.path}' could not be found")
            return []
        identity = _file_identity(path)
        shown = self.display(path)
        if any(identity == seen for seen, _ in stack):
            chain = " -> ".join(name for _, name in (*stack, (identity, shown)))
            self.warn(file, number, column, "snippet.cycle", f"snippet includes itself: {chain}")
            return []
        if depth + 1 > MAX_INCLUDE_DEPTH:
            self.warn(
                file,
                number,
                column,
                "snippet.depth",
                f"snippet '{target.path}' is nested more than {MAX_INCLUDE_DEPTH} includes deep",
            )
            return []
        if self.over_budget(path, file, number, column):
            return []
        try:
            # Text mode turns every line ending into "\n", as snippets' read_lines relies on.
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.warn(
                file, number, column, "snippet.missing", f"snippet '{target.path}' cannot be read: {error}"
            )
            return []
        numbered = list(enumerate(content.split("\n"), start=1)) if content else []
        (self.partial if target.section is not None or target.starts else self.whole).add(shown)
        if target.section is not None:
            numbered, found = select_section(target.section, numbered)
            if not found:
                self.warn(
                    file,
                    number,
                    column,
                    "snippet.missing",
                    f"section '{target.section}' not found in snippet '{target.path}'",
                )
                return []
        elif target.starts:
            numbered = select_ranges(target, numbered)
        expanded = self.expand(
            numbered,
            shown,
            depth=depth + 1,
            page_line=page_line,
            stack=(*stack, (identity, shown)),
            is_section=target.section is not None,
        )
        if not space:
            return expanded
        return [line._replace(text=space + line.text, prefix=line.prefix + len(space)) for line in expanded]


def _file_identity(path: Path) -> object:
    """What makes two paths one file, for finding an include cycle: device and inode, one stat
    where a realpath takes one per component; the realpath where the file system has no inodes."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return os.path.realpath(path)  # unreadable: reading it fails next, with a finding
    return (info.st_dev, info.st_ino) if info.st_ino else os.path.realpath(path)


# --- fences ---------------------------------------------------------------------------------------


@functools.cache
def _html_ignore() -> re.Pattern[str]:
    return re.compile(r"^\s*<!--\s*appreg:\s*ignore(?:\s*=\s*(?P<rules>.*?))?\s*-->\s*$")


# `#` at the start or after a blank, written as a lookbehind: a pattern that starts with a literal
# is searched for that character first, not tried at every position of the line.
_RE_COMMENT_IGNORE = re.compile(r"(?<!\S)#\s*appreg:\s*ignore(?:\s*=\s*(?P<rules>[^#]*?))?\s*$")
_IGNORE_ATTRIBUTE = "data-appreg-ignore"
# The fence attributes that say what an example is (`pages.excerpts`): an excerpt is checked for
# what it shows only, a complete resource in full.
_FORM_ATTRIBUTES = {"data-appreg-excerpt": "excerpt", "data-appreg-complete": "complete"}


class _Fence:
    """A fenced code block: where it opens and closes, and its header."""

    __slots__ = ("close_index", "form", "ignore", "indent", "language", "open_index")

    open_index: int
    close_index: int
    indent: int
    language: str
    ignore: frozenset[str] | None
    form: str

    def __init__(
        self,
        open_index: int,
        close_index: int,
        indent: int,
        language: str,
        ignore: frozenset[str] | None,
        form: str = "",
    ) -> None:
        self.form = form
        self.open_index = open_index
        self.close_index = close_index
        self.indent = indent
        self.language = language
        self.ignore = ignore


def _rules(text: str | None) -> frozenset[str]:
    """`None`/empty -> every rule (frozenset()); `a, b` -> {"a", "b"}."""
    if not text:
        return frozenset()
    return frozenset(rule.strip() for rule in text.strip("\"'").split(",") if rule.strip())


def _merge(*ignores: frozenset[str] | None) -> frozenset[str] | None:
    present = [ignore for ignore in ignores if ignore is not None]
    if not present:
        return None
    if any(not ignore for ignore in present):
        return frozenset()  # "ignore everything" wins over any list
    return frozenset().union(*present)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


@functools.cache
def _yaml_word() -> re.Pattern[str]:
    return re.compile(r"^\{?\s*\.?(?:yaml|yml)\b", re.IGNORECASE)


def _find_fences(lines: Sequence[_Line], findings: list[Finding]) -> list[_Fence]:
    """The code blocks of the expanded page (fences.py), with their opt-outs; `fence.header` findings."""
    texts = [line.text for line in lines]
    scan = find_fences(texts, TAB_LENGTH)
    for index in scan.rejected:
        opening = fence_opening(texts[index])
        if opening is not None and _yaml_word().match(opening.group("info").strip(" \t")):
            line = lines[index]
            findings.append(
                Finding(
                    line.file,
                    line.number,
                    _indent(line.source) + 1,
                    "fence.header",
                    f"`{opening.group(0).strip()}` is not a code block for pymdownx.superfences (only "
                    "hl_lines, linenums, title, title_mode options); use {.yaml data-appreg-ignore} "
                    "to opt out",
                    severity="warning",
                )
            )
    fences: list[_Fence] = []
    for fence in scan.fences:
        if fence.indented_code:
            continue  # superfences puts it back as text, in an indented code block
        attributes = fence.header.attributes
        ignore = _rules(attributes[_IGNORE_ATTRIBUTE]) if _IGNORE_ATTRIBUTE in attributes else None
        form = ""
        for name in attributes:
            form = _FORM_ATTRIBUTES.get(name, form)
        above = _previous_nonblank(lines, fence.open_index)
        if above is not None and "appreg" in above.text and (comment := _html_ignore().match(above.text)):
            ignore = _merge(ignore, _rules(comment.group("rules")))
        language = fence.header.language.lower()
        fences.append(_Fence(fence.open_index, fence.close_index, fence.indent, language, ignore, form))
    return fences


def _previous_nonblank(lines: Sequence[_Line], index: int) -> _Line | None:
    for previous in range(index - 1, -1, -1):
        if lines[previous].text.strip():
            return lines[previous]
    return None


# --- pieces: contiguous runs of one file -----------------------------------------------------------


def _pieces(body: Sequence[_Line]) -> list[list[_Line]]:
    """Split lines into runs that live in one file in increasing line order.

    A gap inside a run (a section marker snippets dropped, lines outside a `:1:3,5:6` range) is
    filled with blank lines later, so the text keeps the file's line numbers; YAML reads the blank
    lines as nothing, so the document is the one the reader sees.
    """
    pieces: list[list[_Line]] = []
    for line in body:
        last = pieces[-1][-1] if pieces else None
        if (
            last is not None
            and line.file == last.file
            and line.depth == last.depth
            and line.prefix == last.prefix
            and line.number > last.number
        ):
            pieces[-1].append(line)
        else:
            pieces.append([line])
    return pieces


def _piece_text(piece: Sequence[_Line], strip: int | None) -> tuple[str, int, int] | None:
    """(text, line_offset, column_offset) of a piece, or None when it holds only blank lines.

    `strip` is the indentation to remove from every line; `None` removes the lines' common one.
    """
    first = piece[0].number
    texts: list[str] = []
    for line in piece:
        gap = line.number - first - len(texts)
        if gap > 0:
            texts.extend([""] * gap)  # the lines snippets left out, blank
        texts.append(line.text[line.prefix :])
    start, end = 0, len(texts)
    while start < end and not texts[start].strip():
        start += 1
    while end > start and not texts[end - 1].strip():
        end -= 1
    if start == end:
        return None
    texts = texts[start:end]
    if strip is None:
        strip = min(len(text) - len(text.lstrip(" \t")) for text in texts if text.strip())
    if strip:
        # A line indented less than `strip` (or blank) loses all its indentation.
        texts = [text[strip:] if not text[:strip].strip(" \t") else text.lstrip() for text in texts]
    texts.append("")
    return "\n".join(texts), first - 1 + start, strip


def comment_ignore(text: str) -> frozenset[str] | None:
    """The rules a `# appreg: ignore[=rule,...]` comment in YAML text opts out of.

    None: no such comment; an empty set: every rule. A page example and a file given to
    `appreg validate` read it the same way, for the whole text.
    """
    found: frozenset[str] | None = None
    if "appreg" not in text:
        return found  # the opt-out comment names us: no line of this text can hold one
    hits: list[tuple[int, int, frozenset[str]]] = []
    for number, line in enumerate(text.splitlines()):
        match = _RE_COMMENT_IGNORE.search(line) if "appreg" in line else None
        if match is not None:
            hits.append((number, match.start(), _rules(match.group("rules"))))
    inside = _inside_scalars(text, [(row, column) for row, column, _ in hits]) if hits else set()
    for row, column, rules in hits:
        if (row, column) not in inside:
            found = _merge(found, rules)
    return found


def _inside_scalars(text: str, positions: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (line, column) positions, 0-based, that lie inside a YAML scalar of `text`.

    A `#` inside a quoted string (`note: "see # appreg: ignore"`) or on a line of a block scalar
    is the value's text, not a comment: it must not opt the example out. libyaml's scanner gives
    every scalar's span (its marks count characters); comments are no tokens. What follows a
    scanner error is unknown and read as before, as a comment. Only run on a text that holds the
    opt-out comment's words, so a clean example pays nothing.
    """
    import yaml  # the C scanner; PyYAML is a dependency of every layer that reads YAML

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    ordered = sorted(positions)
    inside: set[tuple[int, int]] = set()
    try:
        for token in yaml.scan(text, Loader=loader):
            if not isinstance(token, yaml.ScalarToken):
                continue
            start = (token.start_mark.line, token.start_mark.column)
            end = (token.end_mark.line, token.end_mark.column)
            # Bisected, not compared with every position: a file of 100,000 such comments
            # and as many scalars stays linear.
            inside.update(ordered[bisect.bisect_left(ordered, start) : bisect.bisect_left(ordered, end)])
    except (yaml.YAMLError, RecursionError, ValueError):
        pass
    return inside


def _examples_from(
    body: Sequence[_Line],
    anchor: _Line,
    strip: int | None,
    origin: Origin,
    page: str,
    ignore: frozenset[str] | None,
    *,
    whole: frozenset[str] = frozenset(),
    form: str = "",
    expands: bool = False,
) -> list[Example]:
    """Examples for the lines of one fence body or heredoc body whose opening line is `anchor`.

    `whole` names the files the page only ever includes whole; `form` is the fence's attribute.
    """
    examples: list[Example] = []
    for piece in _pieces(body):
        first = piece[0]
        # Written in the same file as the fence or heredoc line, not brought in by an include.
        written_here = (first.file, first.depth, first.prefix) == (anchor.file, anchor.depth, anchor.prefix)
        located = _piece_text(piece, strip - first.prefix if written_here and strip is not None else None)
        if located is None:
            continue
        text, line_offset, column_offset = located
        kind: Origin = origin if origin == "heredoc" or written_here else "snippet"
        examples.append(
            Example(
                file=first.file,
                text=text,
                line_offset=line_offset,
                column_offset=column_offset,
                origin=kind,
                page=page,
                page_line=anchor.page_line if written_here or origin == "heredoc" else first.page_line,
                ignore=_merge(ignore, comment_ignore(text)),
                whole=not written_here and first.file in whole,
                form=form,
                expands=expands,
            )
        )
    return examples


# --- heredocs ---------------------------------------------------------------------------------------


# `<<EOF`, `<<-EOF`, `<< 'EOF'`, `<<"EOF"`, `<<\EOF`; not the `<<<` here-string.
@functools.cache
def _heredoc_operator() -> re.Pattern[str]:
    return re.compile(
        r"""(?<!<)<<(?!<)(?P<dash>-?)[ \t]*(?:'(?P<sq>[^']+)'|"(?P<dq>[^"]+)"|(?P<bs>\\?)(?P<bare>[A-Za-z_][\w]*))"""
    )


# kubectl reading manifests from stdin: `-f -`, `-f-`, `--filename=-`, `--filename -`.
@functools.cache
def _kubectl_stdin() -> re.Pattern[str]:
    return re.compile(
        r"""\bkubectl\b[^|;&]*?\b(?:apply|create|replace)\b[^|;&]*?(?:-f|--filename)(?:[ \t]*=?[ \t]*)-(?=[\s<|;&)]|$)"""
    )


@functools.cache
def _prompt() -> re.Pattern[str]:
    return re.compile(r"^(?P<prompt>\$[ \t]+)")


class _Heredoc:
    """A shell heredoc's delimiter and how it was written."""

    __slots__ = ("dash", "delimiter", "quoted")

    delimiter: str
    quoted: bool
    dash: bool

    def __init__(self, delimiter: str, quoted: bool, dash: bool) -> None:
        self.delimiter = delimiter
        self.quoted = quoted
        self.dash = dash


def _heredoc(command: str) -> _Heredoc | None:
    if "kubectl" not in command or _kubectl_stdin().search(command) is None:
        return None
    match = _heredoc_operator().search(command)
    if match is None:
        return None
    delimiter = match.group("sq") or match.group("dq") or match.group("bare")
    quoted = bool(match.group("sq") or match.group("dq") or match.group("bs"))
    return _Heredoc(delimiter, quoted, bool(match.group("dash")))


def _strip_indent(text: str, width: int) -> str:
    """`text` without up to `width` columns of leading whitespace (a fence's indentation)."""
    column = index = 0
    while index < len(text) and column < width and text[index] in " \t":
        column += TAB_LENGTH - column % TAB_LENGTH if text[index] == "\t" else 1
        index += 1
    return text[index:]


def _operator_column(line: _Line) -> int:
    match = _heredoc_operator().search(line.source)
    return match.start() + 1 if match else 1


class _ShellScanner:
    """Finds resources in the heredocs of one shell block."""

    __slots__ = ("examples", "findings", "page")

    page: str
    examples: list[Example]
    findings: list[Finding]

    def __init__(self, page: str, examples: list[Example], findings: list[Finding]) -> None:
        self.page = page
        self.examples = examples
        self.findings = findings

    def scan(self, fence: _Fence, lines: Sequence[_Line]) -> None:
        """Find kubectl heredocs in the body of one shell fence."""
        body = lines[fence.open_index + 1 : fence.close_index]
        console = fence.language in CONSOLE_LANGUAGES
        index = 0
        previous_comment: frozenset[str] | None = None
        while index < len(body):
            start = index
            text = _strip_indent(body[index].text, fence.indent)
            if console:
                prompt = _prompt().match(text)
                if prompt is None:  # console output, not a command
                    index += 1
                    continue
                text = text[prompt.end() :]
            command = text
            while command.endswith("\\") and index + 1 < len(body):
                index += 1
                command = command[:-1] + " " + body[index].text.strip()
            index += 1
            stripped = command.strip()
            if stripped.startswith("#"):
                comment = _RE_COMMENT_IGNORE.search(stripped)
                previous_comment = _rules(comment.group("rules")) if comment else None
                continue
            ignore, previous_comment = previous_comment, None
            heredoc = _heredoc(command)
            if heredoc is None:
                continue
            # The command's line that holds `<<` (the last one, when continued with `\`).
            anchor = max(
                (i for i in range(start, index) if _heredoc_operator().search(body[i].text)), default=start
            )
            index = self.body(fence, body, anchor, index, heredoc, _merge(fence.ignore, ignore))

    def body(
        self,
        fence: _Fence,
        body: Sequence[_Line],
        command: int,
        first: int,
        heredoc: _Heredoc,
        ignore: frozenset[str] | None,
    ) -> int:
        """Turn the heredoc body starting at `first` into examples; return the index after it."""
        end = first
        while end < len(body):
            text = _strip_indent(body[end].text, fence.indent)
            if (text.lstrip("\t") if heredoc.dash else text) == heredoc.delimiter:
                break
            end += 1
        anchor = body[command]
        if end == len(body):
            self.findings.append(
                Finding(
                    anchor.file,
                    anchor.number,
                    _operator_column(anchor),
                    "heredoc.unterminated",
                    f"heredoc is not closed by a `{heredoc.delimiter}` line before the end of the code block",
                    severity="warning",
                )
            )
        lines = body[first:end]
        # `<<-` removes leading tabs: then the lines' common indentation goes, whatever it is.
        strip = None if heredoc.dash else fence.indent
        examples = _examples_from(
            lines, anchor, strip, "heredoc", self.page, ignore, expands=not heredoc.quoted
        )
        self.examples.extend(examples)
        if not heredoc.quoted:
            self.check_expansion(anchor, fence, heredoc, lines, ignore)
        return end + 1

    def check_expansion(
        self,
        anchor: _Line,
        fence: _Fence,
        heredoc: _Heredoc,
        lines: Iterable[_Line],
        ignore: frozenset[str] | None,
    ) -> None:
        # bash expands parameters, command substitution and backslashes in an unquoted here-document
        # (bash(1), "Here Documents"), so the text kubectl receives differs from the text shown.
        # Only what the author cannot have meant is reported: `${NAME}`, `$NAME` and `$(...)` are
        # how a page asks the reader for a value (`_unintended_expansion`).
        rule = "heredoc.expansion"
        if ignore is not None and (not ignore or rule in ignore):
            return
        for line in lines:
            found = _unintended_expansion(line.source)
            if found is None:
                continue
            position, text, what = found
            self.findings.append(
                Finding(
                    anchor.file,
                    anchor.number,
                    _operator_column(anchor),
                    rule,
                    f"unquoted heredoc delimiter {heredoc.delimiter}: the shell rewrites "
                    f"`{text}` at {line.file}:{line.number}:{position + 1} ({what}); "
                    f"write <<'{heredoc.delimiter}'",
                    severity="warning",
                )
            )
            return


# Where a `$NAME` starts a value, a word or a part of a name (`hello.$DOMAIN`, `app-$ENV`), it is
# a variable the page asks the reader to set.
_WORD_START = frozenset(" \t\"'=:/@([{,.-")
_SPECIAL_PARAMETERS = frozenset("$?!#@*-0123456789")


def fills_in_variable(text: str) -> bool:
    """Whether an unquoted heredoc's shell puts a reader's variable into `text`.

    A `${NAME}` anywhere, or an upper-case `$NAME` where a word or a name part starts
    (`hello.$DOMAIN`): what `_unintended_expansion` takes as meant. The value the API server gets
    is then not the text written, so what the text breaks says nothing about it.
    """
    index = text.find("$")
    while index != -1:
        following = text[index + 1 : index + 2]
        if following == "{":
            return True
        if following.isalpha() or following == "_":
            end = index + 1
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            name = text[index + 1 : end]
            if (index == 0 or text[index - 1] in _WORD_START) and name == name.upper():
                return True
        index = text.find("$", index + 1)
    return False


def _unintended_expansion(text: str) -> tuple[int, str, str] | None:
    """The first expansion in a heredoc line that changes a value the author did not mean to expand.

    bash(1), "Here Documents" and "Parameter Expansion": in an unquoted here-document `$name`,
    `${...}`, `$(...)`, backticks and `\\`, `\\$`, `` \\` `` are processed; a `$` before any other
    character stays. Returns (0-based column, the text, why it is unintended) or None.

    Meant (not reported): `${NAME}` and `$(...)` anywhere, and an upper-case `$NAME` where a word
    starts (`password: $PASSWORD`, `https://$HOST/`), the reader's environment variables. Not
    meant: a `$` followed by a digit or a special parameter (`$2a$10$...` in a bcrypt hash, `$$`),
    `$name` inside a word (`pa$sword`) or in lower case (`$oidc.clientSecret`, an application's own
    secret reference), a backtick (Markdown code in a description), and `\\` (a regex's escape).
    """
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        following = text[index + 1] if index + 1 < length else ""
        if char == "\\":
            if following == "\\":
                return index, "\\\\", "becomes one backslash"
            index += 2 if following in "$`" else 1  # `\$` and `` \` `` are the author's escapes
            continue
        if char == "`":
            return index, "`", "command substitution"
        if char == "$":
            if following in ("{", "("):
                index += 2
                continue
            if following in _SPECIAL_PARAMETERS and following:
                return index, "$" + following, "a special or positional parameter"
            if following.isalpha() or following == "_":
                end = index + 1
                while end < length and (text[end].isalnum() or text[end] == "_"):
                    end += 1
                name = text[index + 1 : end]
                starts_word = index == 0 or text[index - 1] in _WORD_START
                if not starts_word:
                    return index, "$" + name, "inside a word"
                if name != name.upper():
                    return index, "$" + name, "a lower-case name, not an environment variable"
                index = end
                continue
        index += 1
    return None


# --- entry point -------------------------------------------------------------------------------------


def extract_examples(
    page_text: str,
    page: str,
    *,
    resolve: Callable[[str], Path | None],
    display: Callable[[Path], str],
) -> tuple[list[Example], list[Finding]]:
    """Every YAML example on a page: YAML fences, their includes, and kubectl heredocs.

    Args:
        page_text: The page's Markdown source.
        page: The page's display path, used in examples and findings.
        resolve: Maps a snippet path as written (`docs/x.yaml`, no `:section` or line range) to the
            file snippets would read (first `base_path` that has it), or `None` when there is none.
        display: How a resolved snippet file is shown in examples and findings.

    Returns:
        The examples in page order, and the `snippet.*` / `heredoc.*` findings (all warnings).
    """
    normalized = page_text.replace("\r\n", "\n").replace("\r", "\n")
    includes = "8<-" in normalized  # every snippets marker holds it
    if not includes and "```" not in normalized and "~~~" not in normalized:
        return [], []  # no include and no fence: nothing to extract, nothing to report
    expander = _Expander(resolve, display)
    numbered = list(enumerate(normalized.split("\n"), start=1))
    if includes:
        lines = expander.expand(numbered, page, depth=0, page_line=None, stack=(), is_section=False)
    else:
        # What `expand` yields for a page without includes, without its per-line tests.
        lines = [_new_line(_Line, (text, page, number, 0, 0, number)) for number, text in numbered]
    examples: list[Example] = []
    shells = _ShellScanner(page, examples, expander.findings)
    for fence in _find_fences(lines, expander.findings):
        if fence.language in YAML_LANGUAGES:
            body = lines[fence.open_index + 1 : fence.close_index]
            examples.extend(
                _examples_from(
                    body,
                    lines[fence.open_index],
                    fence.indent,
                    "fence",
                    page,
                    fence.ignore,
                    whole=frozenset(expander.whole - expander.partial),
                    form=fence.form,
                )
            )
        elif fence.language in SHELL_LANGUAGES:
            shells.scan(fence, lines)
    return examples, expander.findings
