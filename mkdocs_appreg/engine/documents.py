"""Multi-document YAML parsing that keeps every node's position.

Values are built the way `kubectl` sees them (sigs.k8s.io/yaml on top of go-yaml v2, then JSON):
every scalar is resolved by goyaml.py (go-yaml v2's resolve.go, not PyYAML's YAML 1.1 resolver),
mapping keys become JSON strings as sigs.k8s.io/yaml converts them, and a value JSON cannot hold
(`.nan`, a null key) makes the document a `yaml.not-json` finding, as kubectl refuses it. The
stream is split into documents the way kubectl splits it (apimachinery's YAMLReader: a line
starting with `---`, followed by nothing but a comment). Empty documents are skipped. Unlike
PyYAML's `safe_load_all`, duplicate keys and syntax errors become findings with positions
instead of exceptions or silent overwrites.

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
from mkdocs_appreg.common.mappingkeys import repeated_keys
from mkdocs_appreg.engine import goyaml

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


def value_at_pointer(value: Any, pointer: str) -> tuple[bool, Any]:
    """`(True, the value)` at a JSON Pointer into a constructed document, `(False, None)` when
    the pointer leads nowhere (a missing key, an index past the end, a step into a scalar)."""
    for token in split_pointer(pointer):
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return False, None
    return True, value


class NotJson(Exception):
    """A document kubectl cannot convert to JSON, or a scalar go-yaml refuses, at `node`."""

    def __init__(self, node: Node, rule: str, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.rule = rule
        self.message = message


NOT_JSON_RULE = "yaml.not-json"
TAG_RULE = "yaml.tag"


def _go_scalar(node: ScalarNode) -> tuple[str, Any]:
    """The resolved tag and Go value of a scalar node (goyaml.resolve), before JSON."""
    tag = node.tag
    if tag == STR_TAG:
        return STR_TAG, node.value
    try:
        if tag == goyaml.BINARY:
            return STR_TAG, goyaml.binary_string(node.value)
        if tag == MERGE_TAG:
            return STR_TAG, node.value  # `<<` where no merge can be: go-yaml keeps the text
        return goyaml.resolve(tag, node.value)
    except goyaml.DecodeError as error:
        raise NotJson(node, TAG_RULE, str(error)) from None


def scalar_value(node: ScalarNode) -> Any:
    """A scalar's value as the API server sees it after kubectl's YAML -> JSON conversion.

    Raises:
        NotJson: JSON cannot hold the value (NaN, an infinity) or go-yaml refuses it.
    """
    tag, value = _go_scalar(node)
    if tag == STR_TAG:
        return value
    problem = goyaml.not_json(value)
    if problem is not None:
        message = f"{node.value} cannot be converted to JSON, so kubectl refuses the document ({problem})"
        raise NotJson(node, NOT_JSON_RULE, message)
    return goyaml.json_value(tag, value)


def scalar_key(node: ScalarNode) -> str:
    """A scalar mapping key as a JSON object key (sigs.k8s.io/yaml convertToJSONableObject).

    Raises:
        NotJson: A key JSON cannot have (null, an integer only uint64 holds).
    """
    if node.tag == STR_TAG:
        return str(node.value)
    tag, value = _go_scalar(node)
    try:
        return goyaml.key_string(tag, value)
    except goyaml.DecodeError as error:
        message = f"key {node.value or '(empty)'} cannot be a JSON object key, so kubectl refuses the document ({error})"
        raise NotJson(node, NOT_JSON_RULE, message) from None


def _construct_go_scalar(loader: Any, node: ScalarNode) -> Any:
    return scalar_value(node)


def _construct_untagged(loader: Any, node: Node) -> Any:
    # go-yaml v2 decodes a collection whatever its tag (`!!set`, `!custom`), and a scalar with a
    # tag it does not know as its text.
    if isinstance(node, MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node)
    return scalar_value(node)  # type: ignore[arg-type]


class _KubectlConstructor(SafeConstructor):
    """SafeConstructor with go-yaml v2 / sigs.k8s.io/yaml semantics and duplicate-key findings."""

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[tuple[Node, str, Node]] = []

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            self.flatten_mapping(node)
        names: list[str] = []
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found a mapping key that is not a scalar",
                    key_node.start_mark,
                )
            name = scalar_key(key_node)
            names.append(name)
            mapping[name] = self.construct_object(value_node, deep=deep)
        if len(mapping) < len(names):
            _add_duplicates(self.duplicates, node.value, names)
        return mapping


for _scalar_tag in (
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:binary",
    TIMESTAMP_TAG,
):
    _KubectlConstructor.add_constructor(_scalar_tag, _construct_go_scalar)
for _collection_tag in ("tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs", None):
    _KubectlConstructor.add_constructor(_collection_tag, _construct_untagged)


class _Loader(_Parser, _KubectlConstructor, Resolver):
    def __init__(self, stream: str | bytes) -> None:
        _Parser.__init__(self, stream)
        _KubectlConstructor.__init__(self)
        Resolver.__init__(self)

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        # go-yaml v2's resolver (goyaml.resolve), not PyYAML's YAML 1.1 one: `y` is a boolean,
        # `1:20` a string, `0o17` an int, `=` a string. Only plain scalars are resolved; a quoted
        # or block scalar is a string. `<<` keeps PyYAML's merge tag, which go-yaml's decoder
        # recognizes by its text (decode.go isMerge).
        if kind is ScalarNode:
            if not implicit[0]:
                return STR_TAG
            first = value[:1]
            if first and first not in _RESOLVED_FIRST:
                return MERGE_TAG if value == "<<" else STR_TAG
            return goyaml.resolve("", value)[0]
        resolved: str = Resolver.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call]
        return resolved


# The first characters goyaml.resolve may give another answer than "string" for.
_RESOLVED_FIRST = frozenset("+-.0123456789yYnNtTfFoO~")


STR_TAG = "tag:yaml.org,2002:str"


class _Unusual(Exception):
    """A node the direct walk leaves to PyYAML's constructor."""


def _construct(loader: _Loader, node: Node) -> Any:
    """The value of one document, as `loader.construct_document(node)` builds it.

    PyYAML's generic constructor runs a generator and several dict lookups per node, which cost
    as much as libyaml's whole parse. Resources are plain mappings, sequences and scalars, so a
    direct walk builds them; merge keys and nesting deeper than the interpreter's recursion
    limit go to the generic constructor for the whole document (with the same Go scalar rules).
    """
    try:
        return _plain(loader, node, {})
    except (_Unusual, RecursionError):
        loader.duplicates.clear()
        try:
            return loader.construct_document(node)
        finally:
            # A refused scalar leaves the generic constructor's per-document state behind.
            loader.constructed_objects = {}
            loader.recursive_objects = {}
            loader.state_generators = []


def _plain(loader: _Loader, node: Node, shared: dict[int, Any]) -> Any:
    cls = node.__class__
    if cls is ScalarNode:
        if node.tag == STR_TAG:
            return node.value
        return scalar_value(node)  # type: ignore[arg-type]
    # An alias is the same node object again: build it once, so the value shares it as PyYAML's does.
    known = shared.get(id(node))
    if known is not None:
        return known
    # go-yaml v2 decodes a collection whatever its tag.
    if cls is MappingNode:
        mapping: dict[str, Any] = {}
        shared[id(node)] = mapping
        pairs = node.value
        for key_node, value_node in pairs:
            name = _plain_key(key_node)  # before the value, whose errors come later in the text
            mapping[name] = _plain(loader, value_node, shared)
        # Fewer entries than keys: some key repeats. Found here, once per mapping, and not
        # with a lookup per key: this loop is the validator's hot path.
        if len(mapping) < len(pairs):
            _add_duplicates(loader.duplicates, pairs, [_plain_key(key_node) for key_node, _ in pairs])
        return mapping
    sequence: list[Any] = []
    shared[id(node)] = sequence
    for item in node.value:
        sequence.append(_plain(loader, item, shared))
    return sequence


def _add_duplicates(duplicates: list[tuple[Node, str, Node]], pairs: list[Any], names: list[str]) -> None:
    """Record the duplicate keys of one mapping: `(key node, JSON key, earlier key node)`.

    go-yaml v2: `mapping key "x" already defined at line N` (decode.go, d.mapping); which keys
    are duplicates is common/mappingkeys.py's rule, shared with the vars file.
    """
    for position, earlier in repeated_keys(names):
        duplicates.append((pairs[position][0], names[position], pairs[earlier][0]))


def _plain_key(node: Node) -> str:
    if node.__class__ is not ScalarNode:
        raise _Unusual  # PyYAML's constructor words the error for a collection key
    if node.tag == STR_TAG:
        return str(node.value)
    if node.tag == MERGE_TAG:
        raise _Unusual  # `<<` merge keys
    return scalar_key(node)


# Plain classes (common/records.py says why).
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


def mapping_entry(node: MappingNode, token: str) -> tuple[Node, Node] | None:
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
                    found = mapping_entry(source, token)
                    if found is not None:
                        return found
    return found


def _scalar_key(node: ScalarNode) -> str:
    try:
        return scalar_key(node)
    except NotJson:  # a key JSON cannot have is compared by its text
        return str(node.value)


def _find_mark(node: Node, tokens: list[str], value: bool = False) -> yaml.Mark:
    current = node
    mark = node.start_mark
    for position, token in enumerate(tokens):
        if isinstance(current, MappingNode):
            entry = mapping_entry(current, token)
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


def _character_offset(text: str, offset: int, character: int) -> int:
    """The character offset of a reader error's `offset`, whichever reader reported it."""
    if text.isascii():
        return offset
    encoded = text.encode("utf-8", "surrogatepass")
    # A byte offset points at the first byte of the character; the character offset of the first
    # bad character never does when a multi-byte character comes before it (that byte belongs to
    # an earlier, acceptable character).
    starts = offset < len(encoded) and not 0x80 <= encoded[offset] < 0xC0
    if starts and encoded[offset : offset + 4].decode("utf-8", "ignore")[:1] == chr(character):
        return len(encoded[:offset].decode("utf-8", "ignore"))
    return offset


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
        # A control character (NUL, ...) carries an offset, not a mark: a character offset from
        # PyYAML's Python reader, a byte offset into the UTF-8 text from libyaml's.
        line, column = _position(text, _character_offset(text, error.position, error.character))
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


def parse_documents(
    text: str | bytes, file: str, *, line_offset: int = 0, column_offset: int = 0
) -> ParseResult:
    """Parse every document in `text`, never raising on bad input.

    Args:
        text: The YAML stream (bytes: UTF-8 that the caller checked decodes, see `iter_documents`).
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
    text: str | bytes, file: str, findings: list[Finding], *, line_offset: int = 0, column_offset: int = 0
) -> Generator[Document, None, int]:
    """`parse_documents` one document at a time: each is yielded as soon as it is built.

    A caller that validates a document and drops it holds one node tree at a time instead of the
    whole stream's, which is what keeps validation's memory near a plain `yaml.load_all`.

    Args:
        text: The YAML stream: a str, or bytes the caller has checked to be UTF-8 (a file as
            read). Bytes go to libyaml as they are, where a str is first encoded to a UTF-8
            copy: for a 10 MB file that copy, next to the str and the bytes it was decoded
            from, was a third of `appreg validate`'s peak memory (bench/README.md, sixth
            round). Positions and messages are the same either way.
        file: Display name used in findings.
        findings: Receives the syntax / duplicate-key findings, in order, as they are found.
        line_offset: Lines above the stream in `file` (for YAML embedded in a page).
        column_offset: Indentation of the stream in `file`.

    Returns:
        (As the generator's value) the number of documents seen, empty ones included.
    """
    if len(text) > MAX_FILE_BYTES:
        message = f"the stream is {len(text)} characters long; the limit is {MAX_FILE_BYTES}"
        findings.append(Finding(file, 1 + line_offset, 1 + column_offset, "yaml.limit", message))
        return 0
    if isinstance(text, bytes):
        split = _SPLIT_NEEDED_BYTES.search(text) is not None
    else:
        split = _SPLIT_NEEDED.search(text) is not None
    if not split:
        # No line where YAML's document markers and kubectl's splitting could disagree: one
        # parse of the whole stream gives kubectl's documents.
        return (yield from _iter_stream(text, file, findings, line_offset, column_offset, 0, False))
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # kubectl's splitting works on lines of text; rare
    index = 0
    for chunk, first_line, bad_separator in _kubectl_chunks(text):
        if chunk.strip():
            index = yield from _iter_stream(
                chunk, file, findings, line_offset + first_line, column_offset, index, True
            )
        if bad_separator is not None:
            line, trimmed = bad_separator
            message = f"invalid Yaml document separator: {trimmed}"
            findings.append(
                Finding(
                    file, line + 1 + line_offset, 1 + column_offset, "yaml.syntax", message, document=index
                )
            )
            break
    return index


# A line kubectl's YAMLReader and a YAML parser may split differently: a directive (`%YAML`),
# a document end marker (`...`), or `---` followed by something other than a comment.
_SPLIT_NEEDED = re.compile(r"^(?:%|\.\.\.|---(?![ \t]*(?:[ \t]#[^\n]*)?\r?$))", re.MULTILINE)
_SPLIT_NEEDED_BYTES = re.compile(_SPLIT_NEEDED.pattern.encode("ascii"), re.MULTILINE)


def _kubectl_chunks(text: str) -> Generator[tuple[str, int, tuple[int, str] | None], None, None]:
    """The documents of a stream as kubectl cuts it, each with its first line (0-based).

    k8s.io/apimachinery pkg/util/yaml/decoder.go `YAMLReader.Read`: a line starting with `---`
    ends the document when only spaces or a comment follow; anything else after it is "invalid
    Yaml document separator" and ends the stream. Each piece is then decoded on its own by
    go-yaml, which reads its first document only, so a `%YAML` directive above a `---` is a
    piece without a document (a syntax error), as kubectl reports it.
    """
    lines = text.split("\n")
    buffer: list[str] = []
    first = 0
    line_number = 0  # YAML's line count: a lone CR or U+2028 is a line break too
    for position, line in enumerate(lines):
        last = position == len(lines) - 1
        if line.startswith("---"):
            trimmed = line[3:].strip()
            if trimmed and not trimmed.startswith("#"):
                yield "\n".join(buffer), first, (line_number, trimmed)
                return
            yield "\n".join(buffer), first, None
            buffer = []
            line_number += 1 + len(_YAML_BREAK.findall(line))
            first = line_number
            continue
        buffer.append(line)
        if not last:
            line_number += 1 + len(_YAML_BREAK.findall(line))
    yield "\n".join(buffer), first, None


def _iter_stream(
    text: str | bytes,
    file: str,
    findings: list[Finding],
    line_offset: int,
    column_offset: int,
    index: int,
    first_only: bool,
) -> Generator[Document, None, int]:
    """The documents of one YAML stream (`first_only`: its first document, as go-yaml reads one)."""
    # Only aliases (`*name`) make nodes shared; without one there is no bomb to look for.
    check_aliases = b"*" in text if isinstance(text, bytes) else "*" in text
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
                    if first_only:
                        break
                    continue
                value = _construct(loader, node)
            except NotJson as refusal:
                # kubectl cannot turn this document into JSON: it is refused as a whole, and
                # the next document is read as usual.
                loader.duplicates.clear()
                pointer = pointer_of_node(node, refusal.node) if node is not None else ""

                line = refusal.node.start_mark.line + 1 + line_offset
                column = refusal.node.start_mark.column + 1 + column_offset
                findings.append(
                    Finding(file, line, column, refusal.rule, refusal.message, document=index, path=pointer)
                )
                index += 1
                if first_only:
                    break
                continue
            except yaml.YAMLError as error:
                # libyaml's offsets and marks are the same for the bytes and the str; the error is
                # worded and clamped against the text.
                shown = text.decode("utf-8") if isinstance(text, bytes) else text
                findings.append(_syntax_finding(file, error, index, line_offset, column_offset, shown))
                break
            except (RecursionError, ValueError, TypeError, OverflowError, LookupError) as error:
                # RecursionError: nesting deeper than the interpreter allows; the others come
                # from constructors (an unhashable merge) and carry no mark.
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
            if len(loader.duplicates) > 1:
                # In the order of the text: each mapping records its own after its values'.
                loader.duplicates.sort(key=lambda duplicate: duplicate[0].start_mark.index)
            # One walk for all of them: a walk per duplicate was quadratic in a file of repeated
            # keys (4,000 `a: 1` lines took 4 s).
            pointers = pointers_of_nodes(node, [key_node for key_node, _, _ in loader.duplicates])
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
                        path=pointers.get(id(key_node), ""),
                    )
                )
            loader.duplicates.clear()
            index += 1
            if value is not None:
                yield document
            if first_only:
                break
    finally:
        loader.dispose()
    return index


def pointer_of_node(root: Node, target: Node) -> str:
    """The JSON Pointer of `target` in the tree under `root` ("" when it is not found).

    A mapping key node gives the pointer of its entry (`/data/username` for the second
    `username:`), which is where a duplicate key or a key JSON cannot hold is reported.
    """
    return pointers_of_nodes(root, [target]).get(id(target), "")


def pointers_of_nodes(root: Node | None, targets: list[Node]) -> dict[int, str]:
    """The JSON Pointers of `targets` (by `id`) in the tree under `root`, in one walk that ends
    when all are found; one missing from the tree has no entry."""
    wanted = {id(target) for target in targets}
    found: dict[int, str] = {}
    if root is None or not wanted:
        return found
    stack: list[tuple[Node, str]] = [(root, "")]
    seen: set[int] = set()
    while stack and len(found) < len(wanted):
        node, pointer = stack.pop()
        if id(node) in wanted:
            found.setdefault(id(node), pointer)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                token = _scalar_key(key_node) if isinstance(key_node, ScalarNode) else "?"
                child = join_pointer(pointer, token)
                if id(key_node) in wanted:
                    found.setdefault(id(key_node), child)
                stack.append((value_node, child))
        elif isinstance(node, SequenceNode):
            for position, item in enumerate(node.value):
                stack.append((item, join_pointer(pointer, position)))
    return found
