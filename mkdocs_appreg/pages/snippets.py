"""How pymdownx.snippets reads a page: its `--8<--` lines, paths, sections, and which file a path names.

The one model of snippets syntax: the site check expands includes with it (extract.py) and the
directive refuses a page's paths that would leave the snippet base paths with it
(markdown/directive.py). The patterns are pymdownx.snippets' own (`SnippetPreprocessor`,
pymdownx/snippets.py); `snippet_line` follows its `parse_snippets` one line at a time.
tests/test_pages_model.py compares this with the installed pymdown-extensions.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Container, Iterable, Sequence
from pathlib import Path

from mkdocs_appreg.pages.fences import TAB_LENGTH

# Files a docs page has no business including, and that a CI checkout holds: `.git/config`
# carries the job token `actions/checkout` stores there, the others are the usual credential
# stores of VCS, package registries, clouds and containers. Matched against every component of
# the path as written and of the file it really is, below its base.
SENSITIVE_NAMES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        ".netrc",
        "_netrc",
        ".npmrc",
        ".pypirc",
        ".env",
        ".ssh",
        ".aws",
        ".azure",
        ".gnupg",
        ".docker",
        ".kube",
        ".git-credentials",
    }
)


def sensitive_component(path: str) -> str | None:
    """The first component of `path` (either separator) that names a VCS or credential store."""
    for part in path.replace("\\", "/").split("/"):
        if part in SENSITIVE_NAMES or (part.startswith(".env.") and part[5:] not in _ENV_TEMPLATES):
            return part
    return None


# `.env.example` and its kin are templates written to be shown; `.env.local` and the like are not.
_ENV_TEMPLATES = frozenset({"example", "sample", "template", "dist", "defaults"})

# RE_ALL_SNIPPETS: an inline include must be quoted; a block marker stands alone on its line.
# This pattern and _RE_SECTION are pymdownx.snippets' own text, indentation included: in a build,
# where snippets compiled them first, `re` hands back its compiled patterns from its cache.
_RE_ALL_SNIPPETS = re.compile(
    r"""(?x)
        ^(?P<space>[ \t]*)
        (?P<escape>;*)
        (?P<all>
            (?P<inline_marker>-{1,}8<-{1,}[ \t]+)
            (?P<snippet>(?:"(?:\\"|[^"\n\r])+?"|'(?:\\'|[^'\n\r])+?'))(?![ \t]) |
            (?P<block_marker>-{1,}8<-{1,})(?![ \t])
        )\r?$
        """
)


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
@functools.cache
def _block_path() -> re.Pattern[str]:
    return re.compile(r"^(?P<space>[ \t]*)(?P<snippet>.*?)\r?$")


# RE_SNIPPET_SECTION: `[start:name]` / `[end:name]` after any comment opener.
_RE_SECTION = re.compile(
    r"""(?xi)
        ^(?P<pre>.*?)
        (?<!;)(?!(?<=-)-)
        (?P<escape>;*)
        (?P<inline_marker>-{1,}8<-{1,}[ \t]+)
        (?P<section>\[[ \t]*(?P<type>start|end)[ \t]*:[ \t]*(?P<name>[a-z][-_0-9a-z]*)[ \t]*\])
        (?P<post>.*?)$
        """
)


# Not snippets syntax: what an author writes when they forget the quotes. Snippets leaves it as text.
@functools.cache
def unquoted_include() -> re.Pattern[str]:
    return re.compile(r"^[ \t]*-+8<-+[ \t]+(?P<path>[^\s\"'\[;][^\s]*)[ \t]*$")


# RE_SNIPPET_FILE (the reference form of split_path): path, then `:N[:M][,N[:M]]...` or `:section`.
_RE_SNIPPET_FILE = re.compile(
    r"(?i)(.*?)(?:((?::-?[0-9]*){1,2}(?:(?:,(?=[-0-9:])-?[0-9]*)(?::-?[0-9]*)?)*)|(:[a-z][-_0-9a-z]*))?$"
)


class Target:
    """A snippet path split into file, line ranges and section."""

    __slots__ = ("ends", "path", "section", "starts")

    path: str
    starts: tuple[int | None, ...]
    ends: tuple[int | None, ...]
    section: str | None

    def __init__(
        self,
        path: str,
        starts: tuple[int | None, ...] = (),
        ends: tuple[int | None, ...] = (),
        section: str | None = None,
    ) -> None:
        self.path = path
        self.starts = starts
        self.ends = ends
        self.section = section


def parse_target(spec: str) -> Target | None:
    """Split `file:1:5,8:9` / `file:section` as snippets' parse_snippet_target does."""
    match = _RE_SNIPPET_FILE.match(spec)
    if match is None:  # pragma: no cover - the pattern matches every string
        return None
    path = match.group(1).strip()
    if not path:
        return None
    ranges, section = match.group(2), match.group(3)
    starts: list[int | None] = []
    ends: list[int | None] = []
    if ranges:
        for numbers in ranges[1:].split(","):
            span = numbers.split(":")
            start = int(span[0]) if span[0] else None
            starts.append(start if start is None or start < 0 else max(0, start - 1))
            ends.append(int(span[1]) if len(span) > 1 and span[1] else None)
    elif section:
        return Target(path, section=section[1:])
    return Target(path, tuple(starts), tuple(ends))


def select_ranges(target: Target, lines: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Line ranges with snippets' extract_lines semantics (1-based, inclusive, negatives from the end)."""
    total = len(lines)
    selected: list[tuple[int, str]] = []
    for start, end in zip(target.starts, target.ends, strict=True):
        first = min(max(total + start, 0), total) if start and start < 0 else start
        last = min(max(total + 1 + end, 0), total) if end and end < 0 else end
        selected.extend(lines[slice(first, last)])
    return selected


def select_section(name: str, lines: Sequence[tuple[int, str]]) -> tuple[list[tuple[int, str]], bool]:
    """The lines of section `name` without its markers (snippets' extract_section), and whether found."""
    selected: list[tuple[int, str]] = []
    inside = found = False
    for number, line in lines:
        match = _RE_SECTION.match(line) if "8<-" in line and "[" in line else None
        if match and match.group("escape"):
            line = _unescape_section(match)
        elif match is not None and match.group("name") == name:
            if match.group("type") == "start":
                inside = found = True
                continue
            break  # an end, with or without a start
        elif match and inside:
            continue  # another section's marker inside ours
        if inside:
            selected.append((number, line))
    return selected, found


def _unescape_section(match: re.Match[str]) -> str:
    return (
        match.group("pre")
        + match.group("escape").replace(";", "", 1)
        + match.group("inline_marker")
        + match.group("section")
        + match.group("post")
    )


TEXT = "text"  # a line of text, as snippets emits it
BLOCK = "block"  # a block marker (`--8<--` alone): opens or closes a block of paths
SKIP = "skip"  # dropped: a section marker, a commented-out path, an inline include inside a block
BLANK = "blank"  # an empty line inside a block: snippets puts an empty line there
INCLUDE = "include"  # a path to include


class SnippetLine:
    """What one line of a page or snippet file is to pymdownx.snippets (`snippet_line`)."""

    __slots__ = ("column", "kind", "space", "spec", "text")

    kind: str  # TEXT, BLOCK, SKIP, BLANK or INCLUDE
    text: str  # TEXT: the line as snippets emits it (an escaping `;` removed)
    spec: str  # INCLUDE: the path as written, with its `:1:3` or `:section` selector
    space: str  # INCLUDE: the marker's indentation, tabs expanded, put before every included line
    column: int  # INCLUDE: 1-based column where the marker or the path starts

    def __init__(self, kind: str, text: str = "", spec: str = "", space: str = "", column: int = 1) -> None:
        self.kind = kind
        self.text = text
        self.spec = spec
        self.space = space
        self.column = column


_BLOCK_LINE = SnippetLine(BLOCK)
_SKIP_LINE = SnippetLine(SKIP)
_BLANK_LINE = SnippetLine(BLANK)


def snippet_line(
    line: str, block: bool, *, is_section: bool = False, tab_length: int = TAB_LENGTH
) -> SnippetLine:
    """One line as `SnippetPreprocessor.parse_snippets` reads it (pymdownx/snippets.py).

    Args:
        line: The line, without its line break.
        block: Whether a block marker opened a block of paths above it (the caller toggles
            this on each BLOCK line).
        is_section: The lines are a section of an included file, where snippets leaves
            section markers alone.
        tab_length: Markdown's `tab_length`.
    """
    match = _RE_ALL_SNIPPETS.match(line)
    inline = False
    if match:
        if match.group("escape"):
            return SnippetLine(TEXT, line.replace(";", "", 1))
        if block and match.group("inline_marker"):
            return _SKIP_LINE  # snippets ignores inline notation directly inside a block
        if not match.group("inline_marker"):
            return _BLOCK_LINE
        inline = True
    elif not block:
        if not is_section:
            section = _RE_SECTION.match(line) if "8<-" in line and "[" in line else None
            if section is not None and section.group("escape"):
                return SnippetLine(TEXT, _unescape_section(section))
            if section is not None:
                return _SKIP_LINE  # snippets drops section markers from the output
        return SnippetLine(TEXT, line)
    if block and not inline:
        match = _block_path().match(line)
    assert match is not None  # both patterns match any line that reaches this point
    spec = match.group("snippet")[1:-1].strip() if inline else match.group("snippet").strip()
    if not inline and not spec:
        return _BLANK_LINE
    if spec.startswith(";"):
        return _SKIP_LINE  # a commented-out path in a block
    space = match.group("space")
    return SnippetLine(INCLUDE, spec=spec, space=space.expandtabs(tab_length), column=len(space) + 1)


def is_url(path: str) -> bool:
    """A URL snippet (snippets' own test): never fetched by a build here, so never resolved."""
    return path.lower().startswith(("https://", "http://"))


def included_paths(
    lines: Sequence[str], *, tab_length: int = TAB_LENGTH, skip: Container[int] = ()
) -> list[tuple[int, int, str]]:
    """(0-based line, column, file path) of every include in `lines` itself, URLs left out.

    The path is the file snippets reads: the path as written without its line or section
    selector. Includes inside the included files are not followed.

    `skip`: 0-based lines the caller knows to be inline includes it has answered already; left
    out when snippets reads them as such, outside a block of paths (inside one, a line is read
    as the block reads it, like any other).
    """
    found: list[tuple[int, int, str]] = []
    block = False
    for index, raw in enumerate(lines):
        if not block and ("8<-" not in raw or index in skip):
            continue  # no snippets pattern can match: the common case, decided without one
        read = snippet_line(raw.rstrip("\r"), block, tab_length=tab_length)
        if read.kind == BLOCK:
            block = not block
        elif read.kind == INCLUDE:
            target = parse_target(read.spec)
            if target is not None and not is_url(target.path):
                found.append((index, read.column, target.path))
    return found


def resolve_snippet_path(path: str, base_paths: Iterable[str | os.PathLike[str]]) -> Path | None:
    """Find `path` the way pymdownx.snippets does, with `restrict_base_path` on.

    Follows `SnippetPreprocessor.get_snippet_path` (pymdownx/snippets.py): base paths are made
    absolute against the current directory, bases that do not exist are skipped, the first base
    that has the path wins, a directory base must contain the result, and a file base only matches
    that same file.

    Args:
        path: The path written in the directive.
        base_paths: Snippet base paths, in order.

    Returns:
        The absolute path snippets will include, or None if no base path has it.

    Raises:
        ValueError: If the path is absolute, or its `..` segments take it out of every base path.
    """
    # pathlib also knows Windows' drive-relative forms; on POSIX both tests are the same one.
    if os.path.isabs(path) or (os.name == "nt" and Path(path).is_absolute()):
        raise ValueError(f"absolute path `{path}` is not allowed; write it relative to a snippet base path")
    bases = [os.path.abspath(base) for base in base_paths]
    if ".." in path and ".." in Path(path).parts and not any(_contains(base, path) for base in bases):
        raise ValueError(f"path `{path}` leaves every snippet base path")
    secret = sensitive_component(path)
    if secret is not None:
        raise ValueError(f"path `{path}` names `{secret}`, a VCS or credential file, which is never included")
    # Every page resolves its includes here, some twice: one stat per base (not exists, then
    # isdir, then both again in _contains), and realpaths only when a symlink makes them matter.
    for base in bases:
        try:
            is_dir = stat.S_ISDIR(os.stat(base).st_mode)
        except (OSError, ValueError):
            continue  # a base that does not exist is skipped, as snippets skips it
        if is_dir:
            filename = os.path.abspath(os.path.join(base, path))
            inside = base if base.endswith(os.sep) else base + os.sep
            if not filename.startswith(inside):
                continue
            plain = _plain_below(inside, filename)
            if plain is False or (plain is None and not os.path.exists(filename)):
                continue
            if plain is None:
                # Snippets checks the path as written, so a symlink inside the base could publish
                # any file of the build machine (`/proc/self/environ`): refuse it.
                refuse_symlink_out(path, filename, base)
            return Path(filename)
        else:
            filename = os.path.join(os.path.dirname(base), path)
            if os.path.exists(filename) and os.path.samefile(filename, base):
                return Path(filename)
    return None


def refuse_symlink_out(path: str, filename: str, base: str) -> None:
    """Refuse `filename` (found in the directory `base` through a symlink) if it really lies
    outside `base`, or is a VCS or credential file inside it.

    Raises:
        ValueError: naming `path`, as written.
    """
    real_file = os.path.realpath(filename)
    inside = base if base.endswith(os.sep) else base + os.sep
    real_base = os.path.realpath(base)
    if not real_file.startswith(inside) and os.path.commonpath([real_base, real_file]) != real_base:
        raise ValueError(f"path `{path}` is a symlink to a file outside the snippet base path")
    below = (
        real_file[len(inside) :] if real_file.startswith(inside) else os.path.relpath(real_file, real_base)
    )
    secret = sensitive_component(below)
    if secret is not None:
        raise ValueError(
            f"path `{path}` is a symlink to `{secret}`, a VCS or credential file, which is never included"
        )


def refuse_published(path: str, filename: str, docs_dir: str, root: str) -> None:
    """Refuse a file of `docs_dir` that the host copies into the site as it is, when a symlink
    below `docs_dir` leads it out of the project `root` or to a VCS or credential file.

    MkDocs copies what a link points at: a committed `docs/cfg.yaml -> ../.git/config` would
    publish the job token that `actions/checkout` stores there, with no include involved.

    Raises:
        ValueError: naming `path`, as shown to the user.
    """
    inside = docs_dir if docs_dir.endswith(os.sep) else docs_dir + os.sep
    if not filename.startswith(inside) or _plain_below(inside, filename) is not None:
        return  # no symlink below docs_dir (or no file): what the config names is the author's
    real_file = os.path.realpath(filename)
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, real_file]) != real_root:
        raise ValueError(f"{path} is a symlink to a file outside the project, which is never published")
    secret = sensitive_component(os.path.relpath(real_file, real_root))
    if secret is not None:
        raise ValueError(
            f"{path} is a symlink to `{secret}`, a VCS or credential file, which is never published"
        )


def refuse_found(path: str, found: str, bases: Iterable[str]) -> None:
    """Refuse a file pymdownx.snippets found for `path` by itself (a nested include).

    Snippets compares paths as written; this adds what `resolve_snippet_path` refuses on top:
    a VCS or credential file, and a symlink below the base leading out of it.

    Raises:
        ValueError: naming `path`.
    """
    secret = sensitive_component(path)
    if secret is not None:
        raise ValueError(f"path `{path}` names `{secret}`, a VCS or credential file, which is never included")
    filename = os.path.abspath(found)
    for base in bases:
        base = os.path.abspath(base)
        inside = base if base.endswith(os.sep) else base + os.sep
        if filename.startswith(inside):
            if _plain_below(inside, filename) is None:
                refuse_symlink_out(path, filename, base)
            return
    # Not below a directory base: a file base that is the file itself, named in the config.


def snippet_resolver(base_paths: Iterable[str | os.PathLike[str]]) -> Callable[[str], Path | None]:
    """`resolve_snippet_path` over `base_paths` (made absolute now), each path's answer kept.

    For one build: the plugin gives the same one to the directive and to the check, so that a
    site's pages, which name the same files again and again, resolve each path once (a few
    stat calls per component). A refused path raises ValueError on every call.
    """
    bases = [os.path.abspath(base) for base in base_paths]
    found: dict[str, Path | None] = {}
    refused: dict[str, str] = {}

    def resolve(path: str) -> Path | None:
        if path in found:
            return found[path]
        if path not in refused:
            try:
                found[path] = resolve_snippet_path(path, bases)
                return found[path]
            except ValueError as error:
                refused[path] = str(error)
        raise ValueError(refused[path])  # a new one each time: a kept one would grow its traceback

    return resolve


def include_resolver(settings_root: Path, base_path: Sequence[Path]) -> Callable[[str], Path | None]:
    """What a page's include reads: `resolve_snippet_path` over the cache, then `base_path`.

    The plugin puts the cache first in snippets' base path; a path snippets must refuse
    (absolute, `..` or a symlink leading out of the bases) resolves to None: it is never read.
    Answers are kept for the life of the resolver (one check): pages include the same files
    again and again.
    """
    return unrefused(snippet_resolver(dict.fromkeys([settings_root, *base_path])))


def unrefused(resolve: Callable[[str], Path | None]) -> Callable[[str], Path | None]:
    """`resolve` (a `snippet_resolver`) with a refused path answered None instead of raising."""

    def found(path: str) -> Path | None:
        try:
            return resolve(path)
        except ValueError:
            return None

    return found


def _plain_below(inside: str, filename: str) -> bool | None:
    """Whether `filename` exists with no symlink between the directory `inside` and it.

    True: it exists and lies in the base whatever the base's own path holds; False: it does not
    exist; None: a symlink below the base decides, and only a realpath can tell where it leads.
    One lstat per component below the base, where a realpath would take one per component of
    the whole path (ten or more for a cached file, against three or four).
    """
    position = len(inside)
    while True:
        end = filename.find(os.sep, position)
        try:
            mode = os.lstat(filename if end < 0 else filename[:end]).st_mode
        except (OSError, ValueError):
            return False
        if stat.S_ISLNK(mode):
            return None
        if end < 0:
            return True
        position = end + 1


def _contains(base: str, path: str) -> bool:
    """Whether `base` (absolute) keeps `path` inside it, as snippets' `restrict_base_path` checks."""
    if os.path.exists(base) and not os.path.isdir(base):
        return os.path.abspath(os.path.join(os.path.dirname(base), path)) == base
    filename = os.path.abspath(os.path.join(base, path))
    # The separator keeps a sibling that shares a prefix (`/x/docs_evil` next to `/x/docs`) out.
    return filename.startswith(base if base.endswith(os.sep) else base + os.sep)
