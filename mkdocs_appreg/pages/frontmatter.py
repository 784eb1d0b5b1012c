"""A page's YAML front matter, read as MkDocs reads it, without MkDocs.

MkDocs (`mkdocs.utils.meta.get_data`) takes the text between a first line `---` and the next line
`---` or `...` as YAML, and uses it as the page's meta when it loads as a mapping; otherwise the
page has no meta. The site check reads it for what the page says about itself (a design proposal,
`site/proposals.py`), so it follows the same rule: the same delimiters, PyYAML's safe loader (YAML
1.1 scalars, as MkDocs), nothing when the YAML is broken or is not a mapping.

The text comes from a pull request: the YAML is only composed (an alias bomb costs the size of the
text) and read one level deep, scalars only, so nothing expands. Only what a caller asks of it is
kept: a key's scalar value, a list's scalar items, a mapping's scalar members.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# libyaml's composer where it is installed: the pure-Python one recurses once per nesting level.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Front matter longer than this is no page's description of itself; MkDocs would still read it,
# but nothing the site check looks for lives that far in.
MAX_FRONT_MATTER_CHARS = 256 * 1024


@functools.cache
def _front_matter() -> re.Pattern[str]:
    # mkdocs/utils/meta.py YAML_RE, verbatim.
    return re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.UNICODE | re.DOTALL)


def read_front_matter(text: str) -> dict[str, Any] | None:
    """The page's front matter, one level deep, or None when MkDocs would see none.

    Args:
        text: The page's Markdown source.

    Returns:
        Each top-level key with a string key: a scalar's value (`status: implementable` gives
        `"implementable"`, `proposal: false` gives `False`), a list's scalar items, a mapping's
        members with scalar keys and values (`appreg: {proposal: false}`), or None for anything
        else (an empty value, a nested list).
    """
    if not text.startswith("---"):
        return None
    head = text[: MAX_FRONT_MATTER_CHARS + 8].replace("\r\n", "\n")
    match = _front_matter().match(head)
    if match is None:
        return None
    loader = _LOADER(match.group(1))
    try:
        root = loader.get_single_node()
        if not isinstance(root, MappingNode):
            return None
        meta: dict[str, Any] = {}
        for key, value in root.value:
            name = _scalar(loader, key)
            if isinstance(name, str):
                meta[name] = _shallow(loader, value)
        return meta
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        # Broken YAML, or a scalar the constructor refuses (a bad timestamp): MkDocs drops the
        # meta of such a page, and so does the check.
        return None
    finally:
        loader.dispose()


def _scalar(loader: yaml.SafeLoader, node: Node) -> Any:
    if not isinstance(node, ScalarNode):
        return None
    value = loader.construct_object(node)
    # A timestamp, a binary: only strings, numbers, booleans and null say anything here.
    return value if value is None or isinstance(value, str | int | float | bool) else None


def _shallow(loader: yaml.SafeLoader, node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return _scalar(loader, node)
    if isinstance(node, SequenceNode):
        return [_scalar(loader, item) for item in node.value if isinstance(item, ScalarNode)]
    if isinstance(node, MappingNode):
        members: dict[str, Any] = {}
        for key, value in node.value:
            name = _scalar(loader, key)
            if isinstance(name, str) and isinstance(value, ScalarNode):
                members[name] = _scalar(loader, value)
        return members
    return None


__all__ = ["MAX_FRONT_MATTER_CHARS", "read_front_matter"]
