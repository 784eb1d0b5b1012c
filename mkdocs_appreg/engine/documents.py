"""Multi-document YAML parsing that keeps every node's position.

Values are built the way `kubectl` sees them (sigs.k8s.io/yaml on top of go-yaml v2): YAML 1.1
booleans (`yes`, `off`, ...), timestamps left as strings, mapping keys turned into strings,
empty documents skipped. Unlike PyYAML's `safe_load_all`, duplicate keys and syntax errors become
findings with positions instead of exceptions or silent overwrites.

Positions are not copied into the values (that would double the memory of every document).
Each `Document` keeps the composed node tree and looks a JSON Pointer up in it only when a
finding needs a line, so the clean path costs about what PyYAML's own loader costs.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.limits import MAX_FILE_BYTES, alias_problem

try:  # libyaml's parser and composer when PyYAML was built with it; pure Python otherwise
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(parent: str, token: str | int) -> str:
    return f"{parent}/{escape_pointer_token(token)}"


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def key_string(value: Any) -> str:
    """A mapping key as JSON sees it after sigs.k8s.io/yaml's conversion."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


class _KubectlConstructor(SafeConstructor):
    """SafeConstructor with go-yaml v2 / sigs.k8s.io/yaml semantics and duplicate-key findings."""

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[tuple[Node, str, Node]] = []

    def construct_yaml_timestamp(self, node: Node) -> Any:
        # go-yaml v2 keeps timestamp-looking scalars as strings when decoding into interface{},
        # which is what the API server's YAML->JSON conversion does.
        return self.construct_scalar(node)  # type: ignore[arg-type]

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            self.flatten_mapping(node)
        seen: dict[str, Node] = {}
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (list, dict)):
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found a mapping key that is not a scalar",
                    key_node.start_mark,
                )
            name = key_string(key)
            if name in seen:
                # go-yaml v2: `mapping key "x" already defined at line N` (decode.go, d.mapping)
                self.duplicates.append((key_node, name, seen[name]))
            seen[name] = key_node
            mapping[name] = self.construct_object(value_node, deep=deep)
        return mapping


_KubectlConstructor.add_constructor(  # type: ignore[type-var]
    TIMESTAMP_TAG, _KubectlConstructor.construct_yaml_timestamp
)


class _Loader(_Parser, _KubectlConstructor, Resolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _KubectlConstructor.__init__(self)
        Resolver.__init__(self)

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        # libyaml's composer calls back into Python for every node's tag, and PyYAML's answer
        # (a list concatenation and a regex per candidate resolver) was an eighth of the parse
        # time. A scalar's tag depends only on its text and flags (no path resolver is
        # registered), and most scalars start with a character no implicit resolver claims.
        # No cache: a cache of seen values is memory that grows with the input's variety.
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                    if regexp.match(value):
                        return tag
            return _DEFAULT_SCALAR
        resolved: str = Resolver.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call]
        return resolved


def _implicit_resolvers() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    """PyYAML's implicit resolvers by first character, wildcard ones appended, as `resolve` tries them."""
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers
    wildcard = table.get(None, [])
    return {key: tuple(resolvers + wildcard) for key, resolvers in table.items() if key is not None}


# PyYAML looks an empty scalar up under "" (the null resolver); value[:1] gives the same key.
_IMPLICIT = _implicit_resolvers()
_WILDCARD: tuple[tuple[str, re.Pattern[str]], ...] = tuple(Resolver.yaml_implicit_resolvers.get(None, []))
_DEFAULT_SCALAR: str = Resolver.DEFAULT_SCALAR_TAG


STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
# Scalar tags whose PyYAML constructor returns the value at once (no generator, no state).
_PLAIN_SCALAR_TAGS = frozenset(
    {
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:binary",
        TIMESTAMP_TAG,
    }
)


class _Unusual(Exception):
    """A node the direct walk leaves to PyYAML's constructor."""


def _construct(loader: _Loader, node: Node) -> Any:
    """The value of one document, as `loader.construct_document(node)` builds it.

    PyYAML's generic constructor runs a generator and several dict lookups per node, which cost
    as much as libyaml's whole parse. Resources are plain mappings, sequences and scalars, so a
    direct walk builds them; anything else (merge keys, `!!set`, custom tags, nesting deeper than
    the interpreter's recursion limit) goes to the generic constructor for the whole document, so
    its values and errors stay exactly PyYAML's.
    """
    try:
        return _plain(loader, node, {})
    except (_Unusual, RecursionError):
        loader.duplicates.clear()
        return loader.construct_document(node)


def _plain(loader: _Loader, node: Node, shared: dict[int, Any]) -> Any:
    cls = node.__class__
    tag = node.tag
    if cls is ScalarNode:
        if tag == STR_TAG:
            return node.value
        if tag in _PLAIN_SCALAR_TAGS:
            return loader.yaml_constructors[tag](loader, node)
        raise _Unusual
    # An alias is the same node object again: build it once, so the value shares it as PyYAML's does.
    known = shared.get(id(node))
    if known is not None:
        return known
    if cls is MappingNode and tag == MAP_TAG:
        mapping: dict[str, Any] = {}
        shared[id(node)] = mapping
        for position, (key_node, value_node) in enumerate(node.value):
            name = _plain_key(loader, key_node)
            if name in mapping:
                # go-yaml v2: `mapping key "x" already defined at line N` (decode.go, d.mapping)
                first = next(k for k, _ in reversed(node.value[:position]) if _plain_key(loader, k) == name)
                loader.duplicates.append((key_node, name, first))
            mapping[name] = _plain(loader, value_node, shared)
        return mapping
    if cls is SequenceNode and tag == SEQ_TAG:
        sequence: list[Any] = []
        shared[id(node)] = sequence
        for item in node.value:
            sequence.append(_plain(loader, item, shared))
        return sequence
    raise _Unusual


def _plain_key(loader: _Loader, node: Node) -> str:
    if node.__class__ is not ScalarNode:
        raise _Unusual  # PyYAML's constructor words the error for a collection key
    if node.tag == STR_TAG:
        return str(node.value)
    if node.tag in _PLAIN_SCALAR_TAGS:
        return key_string(loader.yaml_constructors[node.tag](loader, node))
    raise _Unusual  # `<<` merge keys and tagged keys


# Plain classes, not dataclasses: generating dataclass methods at import costs a cold build ~1 ms.
class Document:
    """One non-empty YAML document of a file, with a way back to positions.

    Attributes:
        file: Display name of the file the document came from.
        index: 0-based index of the document in its stream (empty documents count).
        value: The JSON-like value (dicts, lists, str, int, float, bool, None).
        node: The composed node tree, used to find positions.
        line_offset: Added to every line (a document embedded in a page starts below line 1).
        column_offset: Added to every column (an indented code fence).
    """

    __slots__ = ("column_offset", "file", "findings", "index", "line_offset", "node", "value")

    file: str
    index: int
    value: Any
    node: Node
    line_offset: int
    column_offset: int
    findings: list[Finding]

    def __init__(
        self,
        file: str,
        index: int,
        value: Any,
        node: Node,
        line_offset: int = 0,
        column_offset: int = 0,
        findings: list[Finding] | None = None,
    ) -> None:
        self.file = file
        self.index = index
        self.value = value
        self.node = node
        self.line_offset = line_offset
        self.column_offset = column_offset
        self.findings = [] if findings is None else findings

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1 + self.line_offset

    @property
    def column(self) -> int:
        return self.node.start_mark.column + 1 + self.column_offset

    @property
    def api_version(self) -> str:
        value = self.value.get("apiVersion") if isinstance(self.value, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        value = self.value.get("kind") if isinstance(self.value, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def name(self) -> str:
        metadata = self.value.get("metadata") if isinstance(self.value, dict) else None
        value = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(value, str):
            generate = metadata.get("generateName") if isinstance(metadata, dict) else None
            return generate if isinstance(generate, str) else ""
        return value

    def locate(self, pointer: str) -> tuple[int, int]:
        """1-based (line, column) of the node at `pointer`, or of its nearest existing parent.

        A mapping member is located at its key, which is where an editor puts the cursor for
        "this field"; a sequence item at the item itself.
        """
        mark = _find_mark(self.node, split_pointer(pointer))
        return mark.line + 1 + self.line_offset, mark.column + 1 + self.column_offset

    def locate_value(self, pointer: str) -> tuple[int, int]:
        """Like `locate`, but a mapping member is located at its value, not its key."""
        mark = _find_mark(self.node, split_pointer(pointer), value=True)
        return mark.line + 1 + self.line_offset, mark.column + 1 + self.column_offset

    def finding(self, pointer: str, rule: str, message: str, severity: str = "error") -> Finding:
        """A finding about the node at `pointer`, located and labelled with this document."""
        line, column = self.locate(pointer)
        return Finding(
            file=self.file,
            line=line,
            column=column,
            rule=rule,
            message=message,
            severity="warning" if severity == "warning" else "error",
            document=self.index,
            api_version=self.api_version,
            kind=self.kind,
            name=self.name,
            path=pointer,
        )


def _mapping_entry(node: MappingNode, token: str) -> tuple[Node, Node] | None:
    found: tuple[Node, Node] | None = None
    for key_node, value_node in node.value:
        if key_node.tag == MERGE_TAG:
            continue
        if isinstance(key_node, ScalarNode) and _scalar_key(key_node) == token:
            found = (key_node, value_node)  # the last duplicate wins, as in the value
    if found is None:
        # A key that came in through a `<<` merge lives in the merged mapping.
        for key_node, value_node in node.value:
            if key_node.tag != MERGE_TAG:
                continue
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if isinstance(source, MappingNode):
                    found = _mapping_entry(source, token)
                    if found is not None:
                        return found
    return found


def _scalar_key(node: ScalarNode) -> str:
    if node.tag == "tag:yaml.org,2002:str":
        return str(node.value)
    try:
        value = _KubectlConstructor().construct_object(node)
    except Exception:  # a key PyYAML cannot construct is compared by its text
        return str(node.value)
    return key_string(value)


def _find_mark(node: Node, tokens: list[str], value: bool = False) -> yaml.Mark:
    current = node
    mark = node.start_mark
    for position, token in enumerate(tokens):
        if isinstance(current, MappingNode):
            entry = _mapping_entry(current, token)
            if entry is None:
                return mark
            key_node, current = entry
            last = position == len(tokens) - 1
            mark = current.start_mark if (value and last) else key_node.start_mark
        elif isinstance(current, SequenceNode):
            if not token.isdigit() or int(token) >= len(current.value):
                return mark
            current = current.value[int(token)]
            mark = current.start_mark
        else:
            return mark
    return mark


class ParseResult:
    """Documents parsed from one stream, and the findings parsing produced."""

    __slots__ = ("count", "documents", "findings")

    documents: list[Document]
    findings: list[Finding]
    count: int  # documents seen, empty ones included

    def __init__(self, documents: list[Document], findings: list[Finding], count: int = 0) -> None:
        self.documents = documents
        self.findings = findings
        self.count = count


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset, counting line breaks as YAML does."""
    offset = min(max(offset, 0), len(text))
    before = text[:offset].replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, len(before) - before.rfind("\n")


# Written as four alternatives, not one class: a class holding a character above U+00FF costs `re`
# a 64K-entry table to compile (1.5 M instructions, paid by every build), these a few hundred.
_YAML_BREAK = re.compile("\r\n?|[\n\x85]|\u2028|\u2029")


def _clamped(text: str, line: int, column: int) -> tuple[int, int]:
    """A position kept inside `text`: libyaml puts "unexpected end of stream" on the line after
    the last when the text does not end with a line break."""
    lengths = [len(part) for part in _YAML_BREAK.split(text)]
    if line > len(lengths):
        return len(lengths), lengths[-1] + 1
    return line, min(column, lengths[line - 1] + 1)


def describe_yaml_error(error: yaml.YAMLError, text: str = "") -> tuple[int, int, str]:
    """1-based (line, column) and `context: problem` of a PyYAML error, kept inside `text`."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if isinstance(error, ReaderError):
        # A control character (NUL, ...) carries a character offset, not a mark.
        line, column = _position(text, error.position)
        problem = f"unacceptable character #x{error.character:04x}: {error.reason}"
    if text:
        line, column = _clamped(text, line, column)
    context = getattr(error, "context", None)
    return line, column, f"{context}: {problem}" if context else str(problem)


def _syntax_finding(
    file: str, error: yaml.YAMLError, index: int, line_offset: int, column_offset: int, text: str = ""
) -> Finding:
    line, column, message = describe_yaml_error(error, text)
    return Finding(
        file=file,
        line=line + line_offset,
        column=column + column_offset,
        rule="yaml.syntax",
        message=f"YAML syntax error: {message}",
        document=index,
    )


def parse_documents(text: str, file: str, *, line_offset: int = 0, column_offset: int = 0) -> ParseResult:
    """Parse every document in `text`, never raising on bad input.

    Args:
        text: The YAML stream.
        file: Display name used in findings.
        line_offset: Lines above the stream in `file` (for YAML embedded in a page).
        column_offset: Indentation of the stream in `file`.

    Returns:
        The non-empty documents and the syntax / duplicate-key findings, in order.
    """
    findings: list[Finding] = []
    stream = iter_documents(text, file, findings, line_offset=line_offset, column_offset=column_offset)
    documents: list[Document] = []
    while True:
        try:
            documents.append(next(stream))
        except StopIteration as end:
            return ParseResult(documents, findings, end.value)


def iter_documents(
    text: str, file: str, findings: list[Finding], *, line_offset: int = 0, column_offset: int = 0
) -> Generator[Document, None, int]:
    """`parse_documents` one document at a time: each is yielded as soon as it is built.

    A caller that validates a document and drops it holds one node tree at a time instead of the
    whole stream's, which is what keeps validation's memory near a plain `yaml.load_all`.

    Args:
        text: The YAML stream.
        file: Display name used in findings.
        findings: Receives the syntax / duplicate-key findings, in order, as they are found.
        line_offset: Lines above the stream in `file` (for YAML embedded in a page).
        column_offset: Indentation of the stream in `file`.

    Returns:
        (As the generator's value) the number of documents seen, empty ones included.
    """
    index = 0
    if len(text) > MAX_FILE_BYTES:
        message = f"the stream is {len(text)} characters long; the limit is {MAX_FILE_BYTES}"
        findings.append(Finding(file, 1 + line_offset, 1 + column_offset, "yaml.limit", message))
        return 0
    # Only aliases (`*name`) make nodes shared; without one there is no bomb to look for.
    check_aliases = "*" in text
    loader = _Loader(text)
    try:
        while True:
            try:
                if not loader.check_node():
                    break
                node = loader.get_node()
                if node is None:
                    break
                problem = alias_problem(node) if check_aliases else None
                if problem is not None:
                    # Refused here, like go-yaml does while decoding, so no consumer of the value
                    # (validation, placeholders, references, a JSON dump) ever expands it.
                    refused = Document(file, index, None, node, line_offset, column_offset)
                    findings.append(refused.finding("", *problem))
                    index += 1
                    continue
                value = _construct(loader, node)
            except yaml.YAMLError as error:
                findings.append(_syntax_finding(file, error, index, line_offset, column_offset, text))
                break
            except (RecursionError, ValueError, TypeError, OverflowError, LookupError) as error:
                # RecursionError: nesting deeper than the interpreter allows; the others come
                # from constructors (`!!int` on junk, an unhashable merge) and carry no mark.
                findings.append(
                    Finding(
                        file=file,
                        line=1 + line_offset,
                        column=1 + column_offset,
                        rule="yaml.syntax",
                        message=f"YAML cannot be loaded: {type(error).__name__}: {error}"[:300],
                        document=index,
                    )
                )
                break
            document = Document(file, index, value, node, line_offset, column_offset)
            for key_node, name, first in loader.duplicates:
                findings.append(
                    Finding(
                        file=file,
                        line=key_node.start_mark.line + 1 + line_offset,
                        column=key_node.start_mark.column + 1 + column_offset,
                        rule="yaml.duplicate-key",
                        message=f'mapping key "{name}" already defined at line '
                        f"{first.start_mark.line + 1 + line_offset}",
                        document=index,
                        api_version=document.api_version,
                        kind=document.kind,
                        name=document.name,
                    )
                )
            loader.duplicates.clear()
            index += 1
            if value is not None:
                yield document
    finally:
        loader.dispose()
    return index
