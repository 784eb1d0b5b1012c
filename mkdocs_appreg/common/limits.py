"""Hard limits on hostile or broken input, and the checks that enforce them.

Docs repositories take contributions from many hands and CI builds every pull request, so a
template, an example, a vars file or a CRD may be written to hang or exhaust the build. Each limit
here turns such an input into a finding (or a one-line setup error) in bounded time and memory.
The numbers are documented in docs/reference/security.md; change them there too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = [
    "ALIAS_EXPANSION_LIMIT",
    "ALIAS_RATIO",
    "MAX_FILE_BYTES",
    "MAX_PAGE_INCLUDED_BYTES",
    "MAX_PAGE_INCLUDES",
    "MAX_RENDER_CHARS",
    "MAX_RENDER_SECONDS",
    "MAX_RENDER_STEPS",
    "MAX_SCHEMA_DEPTH",
    "FileTooLarge",
    "alias_problem",
    "read_limited",
    "schema_depth_problem",
]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest file read as YAML, a template, a vars file or a CRD (16 MiB).

The API server refuses request bodies over 3 MiB (k8s.io/apiserver pkg/server/config.go,
`MaxRequestBodyBytes`), so no single applyable resource comes near; 16 MiB leaves room for
multi-document files and big CRD bundles (the 199 EDA CRDs together are 2.8 MB).
"""

MAX_PAGE_INCLUDES = 10_000
"""Includes one page may expand in total, nested ones counted, in the build and in the check.

pymdownx.snippets bounds only the nesting depth: a file that includes the next one ten times,
four levels deep, is 10,000 reads, and each level more multiplies it by ten.
"""

MAX_PAGE_INCLUDED_BYTES = 64 * 1024 * 1024
"""Bytes one page may include in total (64 MiB: four files at the file limit)."""

MAX_RENDER_CHARS = 4 * 1024 * 1024
"""Largest output of one template, and largest string or list one template expression may build."""

MAX_RENDER_SECONDS = 2.0
"""Wall-clock budget for rendering one template."""

MAX_RENDER_STEPS = 1_000_000
"""Loop iterations one template may run in total (Jinja caps one `range` at 100,000 items)."""

MAX_SCHEMA_DEPTH = 128
"""Deepest CRD schema appreg loads: nested schemas (properties, items, additionalProperties,
allOf/anyOf/oneOf/not) below openAPIV3Schema, counted from 1 at the root.

The API server has no limit of its own below its JSON decoder's 10,000 nesting levels
(encoding/json, "exceeded max depth"), which a YAML CRD never reaches: libyaml stops at 1,000
YAML levels, two per schema level. Validation walks the schema recursively, and Python's stack
ends near 350 schema levels, where a resource used to become `resource.unchecked` (a
RecursionError). Real CRDs nest 10-30 levels (the 199 EDA CRDs: 14 at most), so 128 refuses
only a hostile or generated schema, in one line at load, before anything walks it.
"""

# go-yaml v2 refuses "document contains excessive aliasing" (gopkg.in/yaml.v2 decode.go,
# allowedAliasRatio): aliases may not multiply a large document more than tenfold.
ALIAS_EXPANSION_LIMIT = 100_000
ALIAS_RATIO = 10


class FileTooLarge(Exception):
    """A file is larger than the limit it was read with."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"file is larger than the {limit // (1024 * 1024)} MiB limit ({size} bytes)")
        self.size = size
        self.limit = limit


def read_limited(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a file, refusing it before it is read into memory when it is larger than `limit`.

    Raises:
        FileTooLarge: the file (or what a FIFO delivers) is larger than `limit`.
        OSError: the file cannot be read.
    """
    # open() takes the string as is; a Path per file would intern its parts (a CLI run over
    # thousands of files would grow the interpreter's intern table for nothing).
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        expected = status.st_size if stat.S_ISREG(status.st_mode) else 0
        if expected > limit:
            raise FileTooLarge(expected, limit)
        # Ask for the size the file has (+1 to notice it growing): `read(limit + 1)` allocates the
        # whole limit, 16 MiB, for every small file before shrinking it. What a FIFO or a growing
        # file delivers beyond that is read in chunks, still never more than `limit + 1` bytes.
        chunks = [handle.read(expected + 1)]
        total = len(chunks[0])
        # A regular file that delivered no more than its size is at its end: asking again would
        # allocate a whole chunk only to find nothing.
        grown_or_stream = total > expected or not stat.S_ISREG(status.st_mode)
        while grown_or_stream and total <= limit:
            chunk = handle.read(min(_CHUNK_BYTES, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if total > limit:
            raise FileTooLarge(max(total, _size(path)), limit)
    return data


_CHUNK_BYTES = 64 * 1024


def _size(path: str | Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def alias_problem(root: Node) -> tuple[str, str] | None:
    """Whether a composed YAML node graph is an alias bomb or contains itself.

    Aliases make several places share one node, so the graph is walked once per distinct node
    (iteratively: nesting depth costs no Python stack) while the size of the fully expanded tree
    is summed. That expanded tree is what every consumer of a plain value (JSON dump, jsonschema,
    a recursive walk) would visit.

    Returns:
        `(rule, message)`: `resource.recursive-alias` for a node that contains itself,
        `resource.excessive-aliasing` for a tree expanded more than `ALIAS_RATIO` times past
        `ALIAS_EXPANSION_LIMIT` nodes; None when the document is fine.
    """
    sizes: dict[int, int] = {}
    # (node, children pushed?) pairs; a node is sized after its children.
    stack: list[tuple[Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if expanded:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            continue
        if key in on_path:
            return "resource.recursive-alias", "a YAML alias contains itself, which JSON cannot express"
        children = _children(node)
        if not children:
            sizes[key] = 1
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            child_key = id(child)
            if child_key in on_path:
                return "resource.recursive-alias", "a YAML alias contains itself, which JSON cannot express"
            if child_key not in sizes:
                stack.append((child, False))
    expanded_size = sizes[id(root)]
    if expanded_size > ALIAS_EXPANSION_LIMIT and expanded_size > ALIAS_RATIO * len(sizes):
        return (
            "resource.excessive-aliasing",
            f"YAML aliases expand this document to {expanded_size} nodes from {len(sizes)}: "
            "document contains excessive aliasing",
        )
    return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


_SCHEMA_CHILD_MAPS = ("properties", "patternProperties", "definitions", "dependencies")
_SCHEMA_CHILD_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_CHILDREN = ("items", "additionalProperties", "additionalItems", "not")


def schema_depth_problem(schema: object, limit: int = MAX_SCHEMA_DEPTH) -> tuple[int, str] | None:
    """The first schema node nested deeper than `limit`, as `(depth, JSON pointer)`, or None.

    Walked iteratively (a stack of nodes), so the walk itself costs no Python stack however deep
    the schema is; it stops at the first node past the limit.
    """
    stack: list[tuple[object, int, str]] = [(schema, 1, "")]
    while stack:
        node, depth, pointer = stack.pop()
        if not isinstance(node, dict):
            continue
        if depth > limit:
            return depth, pointer
        for key in _SCHEMA_CHILD_MAPS:
            children = node.get(key)
            if isinstance(children, dict):
                for name, child in children.items():
                    escaped = str(name).replace("~", "~0").replace("/", "~1")
                    stack.append((child, depth + 1, f"{pointer}/{key}/{escaped}"))
        for key in _SCHEMA_CHILD_LISTS:
            children = node.get(key)
            if isinstance(children, list):
                for index, child in enumerate(children):
                    stack.append((child, depth + 1, f"{pointer}/{key}/{index}"))
        for key in _SCHEMA_CHILDREN:
            child = node.get(key)
            if isinstance(child, (dict, list)):
                if isinstance(child, list):  # items as a list (JSON Schema tuple form)
                    for index, item in enumerate(child):
                        stack.append((item, depth + 1, f"{pointer}/{key}/{index}"))
                else:
                    stack.append((child, depth + 1, f"{pointer}/{key}"))
    return None
