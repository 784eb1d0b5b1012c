"""The `/// resource | path` directive's header as pymdownx.blocks reads it, and where it is live.

The Markdown extension (markdown/directive.py) expands the directives this finds, and the site
check (site/check.py) finds the same ones with `directive_paths`, so both agree on which lines are
directive headers: a header inside a fenced code block (fences.py) is code, not a directive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mkdocs_appreg.pages.fences import TAB_LENGTH, find_fences

DIRECTIVE_NAME = "resource"

# The labels of the two tabs a directive becomes, unless configured. Material's
# `content.tabs.link` links tabs across the site by their label text, so these must stay
# byte-identical to the labels the hand-written pages use (and `appreg migrate` recognises).
DEFAULT_YAML_LABEL = "YAML Resource"
DEFAULT_COMMAND_LABEL = "`kubectl apply` command"

# Same shape as pymdownx.blocks' `RE_START`, except any indentation: Python-Markdown removes the
# indentation of list items and admonition bodies only after preprocessors have run.
# Tabs are allowed between the parts because whitespace is normalized only after preprocessors.
BLOCK_START = re.compile(
    r"^(?P<indent>[ \t]*)(?P<slashes>/{3,})[ \t]*(?P<name>[\w-]+)[ \t]*(?:\|(?P<arg>.*))?$"
)
# Anything that starts like our directive, so a malformed header is reported instead of ignored.
DIRECTIVE_LIKE = re.compile(rf"^[ \t]*/{{3,}}[ \t]*{DIRECTIVE_NAME}(?![\w-])", re.IGNORECASE)


def indent_width(indent: str, tab_length: int) -> int:
    return len(indent.expandtabs(tab_length))


def live_block_lines(lines: Sequence[str], tab_length: int = TAB_LENGTH) -> list[int]:
    """0-based indices of the lines holding `///` that are Markdown, not fenced code."""
    candidates = [index for index, line in enumerate(lines) if "///" in line]
    if not candidates:
        return []
    code = find_fences(lines, tab_length).code_lines()
    live: list[int] = []
    position = 0
    for index in candidates:
        while position < len(code) and code[position][1] < index:
            position += 1
        if position < len(code) and code[position][0] <= index:
            continue  # inside a fence: shown as code
        live.append(index)
    return live


def directive_paths(lines: Sequence[str], tab_length: int = TAB_LENGTH) -> list[tuple[int, str]]:
    """(1-based line, path) of every `/// resource | path` header outside fenced code."""
    found: list[tuple[int, str]] = []
    for index in live_block_lines(lines, tab_length):
        line = lines[index].rstrip("\r")
        header = BLOCK_START.match(line) if DIRECTIVE_LIKE.match(line) else None
        path = (header["arg"] or "").strip() if header is not None else ""
        if path:
            found.append((index + 1, path))
    return found
