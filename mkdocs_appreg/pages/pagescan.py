"""Reading a page as pymdown-extensions does, without Markdown: fences, directives, snippet paths.

The Markdown extension (`markdown.py`) expands `/// resource` directives with this, and the site
checker (`check.py`) finds the same directives and resolves the same `--8<--` paths with it, so
both agree on which lines are fenced code, which are directive headers, and which file a path
names.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

DIRECTIVE_NAME = "resource"

# Same shape as pymdownx.blocks' `RE_START`, except any indentation: Python-Markdown removes the
# indentation of list items and admonition bodies only after preprocessors have run.
# Tabs are allowed between the parts because whitespace is normalized only after preprocessors.
BLOCK_START = re.compile(
    r"^(?P<indent>[ \t]*)(?P<slashes>/{3,})[ \t]*(?P<name>[\w-]+)[ \t]*(?:\|(?P<arg>.*))?$"
)
# Anything that starts like our directive, so a malformed header is reported instead of ignored.
DIRECTIVE_LIKE = re.compile(rf"^[ \t]*/{{3,}}[ \t]*{DIRECTIVE_NAME}(?![\w-])", re.IGNORECASE)

# Backtick fences cannot have a backtick in their info string (CommonMark), which keeps a line of
# inline code such as ```x``` from being taken for a fence.
FENCE_START = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}(?=[^`]*$)|~{3,})")


def indent_width(indent: str, tab_length: int) -> int:
    return len(indent.expandtabs(tab_length))


def fence_end(lines: Sequence[str], start: int, tab_length: int) -> int | None:
    """If `lines[start]` opens a fenced code block, the index of its closing line.

    Mirrors pymdownx.superfences (`SuperFencesBlockPreprocessor.eval_fence`): the closing fence is
    the same run of characters at the same indentation; a non-blank line indented less than the
    opening fence, or the end of the page, means there was no fence at all.
    """
    line = lines[start]
    # Callers ask this of every line of a page: a substring test turns most away cheaply.
    opening = FENCE_START.match(line.rstrip("\r")) if "```" in line or "~~~" in line else None
    if opening is None:
        return None
    width = indent_width(opening["indent"], tab_length)
    fence = opening["fence"]
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if not width and fence[0] not in line:
            continue  # at indent 0 only a line holding the fence character can close it
        line = line.rstrip("\r")
        if not line.strip():
            continue
        stripped = line.lstrip(" \t")
        indent = indent_width(line[: len(line) - len(stripped)], tab_length)
        if indent < width:
            return None
        if indent == width and stripped.rstrip(" \t") == fence:
            return index
    return None


def marked_lines(lines: Sequence[str]) -> list[int]:
    """Indices of the lines that can open a fence or hold a directive header; most lines cannot."""
    return [index for index, line in enumerate(lines) if "///" in line or "```" in line or "~~~" in line]


def directive_paths(lines: Sequence[str], tab_length: int = 4) -> list[tuple[int, str]]:
    """(1-based line, path) of every `/// resource | path` header outside fenced code."""
    found: list[tuple[int, str]] = []
    resume = 0
    for index in marked_lines(lines):
        if index < resume:
            continue  # inside a fence found before
        end = fence_end(lines, index, tab_length)
        if end is not None:
            resume = end + 1
            continue
        line = lines[index].rstrip("\r")
        header = BLOCK_START.match(line) if "///" in line and DIRECTIVE_LIKE.match(line) else None
        path = (header["arg"] or "").strip() if header is not None else ""
        if path:
            found.append((index + 1, path))
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
                real_file = os.path.realpath(filename)
                if not real_file.startswith(inside):  # else the base has no symlink in it either
                    real_base = os.path.realpath(base)
                    if os.path.commonpath([real_base, real_file]) != real_base:
                        raise ValueError(
                            f"path `{path}` is a symlink to a file outside the snippet base path"
                        )
            return Path(filename)
        else:
            filename = os.path.join(os.path.dirname(base), path)
            if os.path.exists(filename) and os.path.samefile(filename, base):
                return Path(filename)
    return None


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
