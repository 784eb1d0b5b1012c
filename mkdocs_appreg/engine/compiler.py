"""A version's `openAPIV3Schema` compiled into something a validator runs, once per content.

`compile_schema` turns a Kubernetes schema into a `CompiledSchema`: the structural tree
(`SchemaNode`, what pruning, null pruning and defaulting walk) with a fast predicate per node
(`fast_check`), and the schema as draft-4 JSON Schema (`to_json_schema`) for the jsonschema
validator that words the findings. Compilations are cached by content, so a rebuild that reloads
the same CRD files compiles nothing.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Mapping, Sized
from typing import TYPE_CHECKING, Any

from mkdocs_appreg.engine.formats import FORMAT_CHECKS, format_checker
from mkdocs_appreg.engine.goregexp import PatternError, compile_go, go_pattern, pattern_problem
from mkdocs_appreg.engine.openapi_values import is_json_integer, multiple_of

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

Check = Callable[[Any], bool]


class SchemaNode:
    """The structural part of a schema node: what pruning, null pruning and defaulting walk.

    Mirrors apiextensions' `structuralschema.Structural` (pkg/apiserver/schema/types.go):
    `properties`, `additionalProperties` and `items` at the node itself; value validations
    (allOf/anyOf/...) cannot add fields in a structural schema, so they are left to jsonschema.
    """

    __slots__ = (
        "additional",
        "check",
        "default",
        "defaulted",
        "embedded_resource",
        "has_default",
        "items",
        "metadata_fields",
        "nullable",
        "object_like",
        "preserve_unknown",
        "properties",
    )

    object_like: bool  # `type: object`, or properties / additionalProperties given
    properties: dict[str, SchemaNode]
    additional: SchemaNode | None
    items: SchemaNode | None
    preserve_unknown: bool
    embedded_resource: bool
    nullable: bool
    has_default: bool
    default: Any
    defaulted: tuple[tuple[str, SchemaNode], ...]  # properties that carry a default
    check: Check | None  # the node's own value keywords; None when it has none
    metadata_fields: tuple[tuple[str, SchemaNode], ...]  # root only: metadata.name/generateName

    def __init__(
        self,
        object_like: bool = False,
        properties: dict[str, SchemaNode] | None = None,
        additional: SchemaNode | None = None,
        items: SchemaNode | None = None,
        preserve_unknown: bool = False,
        embedded_resource: bool = False,
        nullable: bool = False,
        has_default: bool = False,
        default: Any = None,
        defaulted: tuple[tuple[str, SchemaNode], ...] = (),
        check: Check | None = None,
        metadata_fields: tuple[tuple[str, SchemaNode], ...] = (),
    ) -> None:
        self.object_like = object_like
        self.properties = {} if properties is None else properties
        self.additional = additional
        self.items = items
        self.preserve_unknown = preserve_unknown
        self.embedded_resource = embedded_resource
        self.nullable = nullable
        self.has_default = has_default
        self.default = default
        self.defaulted = defaulted
        self.check = check
        self.metadata_fields = metadata_fields


class CompiledSchema:
    """A version's schema, ready to run: the structural tree and a jsonschema validator.

    `extensions` is False when the schema has no CEL rule, list type or embedded resource, so
    the walk that checks those (schema_extensions.py, half the validation time) can be skipped.
    `json_schema` is the schema as jsonschema reads it (`to_json_schema`).
    """

    __slots__ = ("_validator", "extensions", "json_schema", "root")

    root: SchemaNode
    json_schema: dict[str, Any]
    extensions: bool
    _validator: Validator | None

    def __init__(
        self,
        root: SchemaNode,
        json_schema: dict[str, Any],
        extensions: bool = True,
        _validator: Validator | None = None,
    ) -> None:
        self.root = root
        self.json_schema = json_schema
        self.extensions = extensions
        self._validator = _validator

    @property
    def validator(self) -> Validator:
        """The jsonschema validator of `json_schema`, built on first use.

        Only a document that fails the fast structural checks needs it, and importing jsonschema
        would cost a clean build ~0.1 s.
        """
        if self._validator is None:
            self._validator = kubernetes_validator_class()(self.json_schema, format_checker=_format_checker())
        return self._validator


def _is_whole_integer(checker: Any, instance: object) -> bool:
    # kube-openapi validate/type.go: a float satisfies `type: integer` when
    # swag.IsFloat64AJSONInteger says so (isFloatInt): whole within 1e-9 and within 2**53, so a
    # number beyond int64 (a float after JSON) is not an integer; booleans are never numbers.
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and is_json_integer(instance))


@functools.cache
def kubernetes_validator_class() -> Any:
    """Draft 4 (boolean exclusiveMinimum/Maximum, as in OpenAPI v3.0) with Kubernetes' integer rule.

    Built on first use so that importing this module does not import jsonschema; also reachable
    as `compiler.KubernetesValidator`.
    """
    from jsonschema import Draft4Validator
    from jsonschema.validators import extend

    type_checker = Draft4Validator.TYPE_CHECKER.redefine("integer", _is_whole_integer)
    # kube-openapi's multipleOf (relative tolerance; NaN and infinities fail instead of raising).
    # Go's regexp (RE2, linear time) for `pattern`, as kube-openapi's validate.go.
    return extend(  # type: ignore[no-untyped-call]
        Draft4Validator,
        validators={"multipleOf": multiple_of, "pattern": go_pattern},
        type_checker=type_checker,
    )


@functools.cache
def _format_checker() -> Any:
    return format_checker()


def __getattr__(name: str) -> Any:
    # `compiler.KubernetesValidator` stays available without importing jsonschema at import time.
    if name == "KubernetesValidator":
        return kubernetes_validator_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Keywords jsonschema should see; everything else (description, example, default, x-kubernetes-*,
# externalDocs, title) is either handled by the structural walk or is documentation.
_VALUE_KEYWORDS = frozenset(
    {
        "type",
        "format",
        "enum",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "multipleOf",
        "required",
    }
)
_SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf")


def _compiles(pattern: Any) -> bool:
    return isinstance(pattern, str) and pattern_problem(pattern) is None


def _node_keywords(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The value keywords of one node, converted; sub-schemas of allOf/anyOf/oneOf/not unconverted."""
    out: dict[str, Any] = {key: schema[key] for key in _VALUE_KEYWORDS if key in schema}
    if "pattern" in out and not _compiles(out["pattern"]):
        # A pattern RE2 (Go's syntax) cannot compile is a CRD error (check_schema reports it);
        # nothing is validated against it, as the API server never accepts such a CRD.
        del out["pattern"]
    int_or_string = schema.get("x-kubernetes-int-or-string") is True
    if int_or_string:
        out["type"] = ["integer", "string"]
    if schema.get("nullable") is True:
        declared = out.get("type")
        if isinstance(declared, str):
            out["type"] = [declared, "null"]
        elif isinstance(declared, list):
            out["type"] = [*declared, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    for keyword in _SCHEMA_LIST_KEYWORDS:
        branches = schema.get(keyword)
        if not isinstance(branches, list):
            continue
        if int_or_string and all(isinstance(b, Mapping) and set(b) <= {"type"} for b in branches):
            continue  # the usual `anyOf: [{type: integer}, {type: string}]`, already in `type`
        out[keyword] = [b for b in branches if isinstance(b, Mapping)]
    if isinstance(schema.get("not"), Mapping):
        out["not"] = schema["not"]
    return out


def to_json_schema(schema: Mapping[str, Any], *, root: bool = False) -> dict[str, Any]:
    """Convert a Kubernetes `openAPIV3Schema` node to plain draft-4 JSON Schema.

    `nullable` becomes an allowed `null` type (and enum member), `x-kubernetes-int-or-string`
    becomes `["integer", "string"]`; unknown fields are not jsonschema's job (the structural
    walk reports them the way pruning does), so no `additionalProperties: false` is added.
    At the root, `metadata` keeps only `name`/`generateName` constraints: the API server
    validates metadata as ObjectMeta (apiextensions pkg/apiserver/schema/objectmeta), and a
    structural schema may constrain nothing else there.
    """
    out = _node_keywords(schema)
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        converted: dict[str, Any] = {}
        for name, sub in properties.items():
            if not isinstance(sub, Mapping):
                continue
            if root and name == "metadata":
                meta = {
                    k: to_json_schema(v)
                    for k, v in (sub.get("properties") or {}).items()
                    if k in ("name", "generateName") and isinstance(v, Mapping)
                }
                if meta:
                    converted[name] = {"properties": meta}
                continue
            converted[str(name)] = to_json_schema(sub)
        if converted:
            out["properties"] = converted
    additional = schema.get("additionalProperties")
    if isinstance(additional, Mapping):
        out["additionalProperties"] = to_json_schema(additional)
    items = schema.get("items")
    if isinstance(items, Mapping):
        out["items"] = to_json_schema(items)
    for keyword in _SCHEMA_LIST_KEYWORDS:
        if keyword in out:
            out[keyword] = [to_json_schema(b) for b in out[keyword]]
    not_schema = out.get("not")
    if not_schema is not None:
        out["not"] = to_json_schema(not_schema)
    return out


def _is_integer(value: Any) -> bool:
    return value.__class__ is int or (value.__class__ is float and is_json_integer(value))


_TYPE_TESTS: dict[str, Check] = {
    "object": lambda v: v.__class__ is dict,
    "array": lambda v: v.__class__ is list,
    "string": lambda v: v.__class__ is str,
    "boolean": lambda v: v.__class__ is bool,
    "integer": _is_integer,
    "number": lambda v: v.__class__ is int or v.__class__ is float,
    "null": lambda v: v is None,
}


def _is_number(value: Any) -> bool:
    return value.__class__ is int or value.__class__ is float


def fast_check(keywords: Mapping[str, Any]) -> Check | None:
    """A predicate that is True only when jsonschema would find nothing wrong at this node.

    The clean path must not pay for jsonschema's generic machinery, so each node gets a
    small closure over its own keywords; validation runs jsonschema (which words the
    findings) only for a document where some predicate said False. A predicate may say False
    for a valid value (jsonschema then finds nothing), never True for an invalid one:
    keywords it does not model (allOf, anyOf, oneOf, not, uniqueItems) always say False.
    """
    if any(k in keywords for k in ("allOf", "anyOf", "oneOf", "not", "uniqueItems")):
        return _never
    tests: list[Check] = []
    declared = keywords.get("type")
    if declared is not None:
        names = [declared] if isinstance(declared, str) else list(declared)
        if any(name not in _TYPE_TESTS for name in names):
            return _never
        type_tests = [_TYPE_TESTS[name] for name in names]
        tests.append(type_tests[0] if len(type_tests) == 1 else lambda v: any(t(v) for t in type_tests))
    enum = keywords.get("enum")
    if isinstance(enum, list):
        # Strict on type so that `True` does not pass for `1`; a false alarm is harmless.
        tests.append(lambda v: any(v == e and v.__class__ is e.__class__ for e in enum))
    pattern = keywords.get("pattern")
    if isinstance(pattern, str):
        try:
            compiled = compile_go(pattern)
        except PatternError:
            return _never
        tests.append(lambda v: v.__class__ is not str or compiled.search(v) is not None)
    for keyword, relation, container in (
        ("minLength", operator.ge, str),
        ("maxLength", operator.le, str),
        ("minItems", operator.ge, list),
        ("maxItems", operator.le, list),
        ("minProperties", operator.ge, dict),
        ("maxProperties", operator.le, dict),
    ):
        if keyword in keywords:
            limit = keywords[keyword]
            if limit.__class__ is not int:
                return _never  # not worth modelling: let jsonschema judge
            tests.append(_length_test(container, relation, limit))
    for keyword, relation, strict in (
        ("minimum", operator.ge, operator.gt),
        ("maximum", operator.le, operator.lt),
    ):
        if keyword in keywords:
            limit = keywords[keyword]
            if not _is_number(limit):
                return _never
            exclusive = (
                keywords.get("exclusiveMinimum" if keyword == "minimum" else "exclusiveMaximum") is True
            )
            tests.append(_number_test(strict if exclusive else relation, limit))
    multiple = keywords.get("multipleOf")
    if multiple is not None:
        if multiple.__class__ is not int or multiple <= 0:
            return _never
        tests.append(lambda v: not _is_number(v) or (v.__class__ is int and v % multiple == 0))
    required = keywords.get("required")
    if isinstance(required, list) and required:
        names_required = tuple(required)
        tests.append(lambda v: v.__class__ is not dict or all(name in v for name in names_required))
    format_name = keywords.get("format")
    if isinstance(format_name, str) and format_name in FORMAT_CHECKS:
        format_test = FORMAT_CHECKS[format_name]
        tests.append(lambda v: v.__class__ is not str or format_test(v))
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]

    def all_tests(value: Any) -> bool:
        return all(test(value) for test in tests)

    return all_tests


def _never(value: Any) -> bool:
    return False


def _length_test(container: type, relation: Callable[[int, int], bool], limit: int) -> Check:
    def test(value: Any) -> bool:
        sized: Sized = value
        return value.__class__ is not container or relation(len(sized), limit)

    return test


def _number_test(relation: Callable[[Any, Any], bool], limit: Any) -> Check:
    def test(value: Any) -> bool:
        return not _is_number(value) or relation(value, limit)

    return test


def structural(schema: Mapping[str, Any], cache: dict[int, SchemaNode] | None = None) -> SchemaNode:
    """The `SchemaNode` tree of a schema (shared sub-schemas are built once)."""
    cache = {} if cache is None else cache
    key = id(schema)
    if key in cache:
        return cache[key]
    node = SchemaNode()
    cache[key] = node
    properties = schema.get("properties")
    additional = schema.get("additionalProperties")
    node.object_like = (
        schema.get("type") == "object" or isinstance(properties, Mapping) or isinstance(additional, Mapping)
    )
    node.preserve_unknown = schema.get("x-kubernetes-preserve-unknown-fields") is True
    node.embedded_resource = schema.get("x-kubernetes-embedded-resource") is True
    node.nullable = schema.get("nullable") is True
    node.check = fast_check(_node_keywords(schema))
    if "default" in schema:
        node.has_default = True
        node.default = schema["default"]
    if isinstance(properties, Mapping):
        node.properties = {
            str(k): structural(v, cache) for k, v in properties.items() if isinstance(v, Mapping)
        }
        node.defaulted = tuple((k, v) for k, v in node.properties.items() if v.has_default)
    if isinstance(additional, Mapping):
        node.additional = structural(additional, cache)
    items = schema.get("items")
    if isinstance(items, Mapping):
        node.items = structural(items, cache)
    return node


_EXTENSION_MARKERS = (
    '"x-kubernetes-validations"',
    '"x-kubernetes-list-type"',
    '"x-kubernetes-embedded-resource"',
)
_COMPILED_BY_CONTENT: dict[str, CompiledSchema] = {}
# The same schema object comes back on every `mkdocs serve` rebuild (crdcache's memory layer):
# recognise it without serializing it to find its content key. The entry keeps the schema
# alive so its id cannot be reused; bounded, since uncached registries bring new objects.
_COMPILED_BY_IDENTITY: dict[int, tuple[Mapping[str, Any], CompiledSchema]] = {}
_IDENTITY_ENTRIES = 4096
compile_count = 0
"""How many schemas have really been compiled in this process (cache hits do not count)."""


def compile_schema(schema: Mapping[str, Any]) -> CompiledSchema:
    """Compile a Kubernetes schema, reusing an earlier compilation of equal content."""
    known = _COMPILED_BY_IDENTITY.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    compiled = _compile_by_content(schema)
    if len(_COMPILED_BY_IDENTITY) >= _IDENTITY_ENTRIES:
        _COMPILED_BY_IDENTITY.clear()
    _COMPILED_BY_IDENTITY[id(schema)] = (schema, compiled)
    return compiled


def _compile_by_content(schema: Mapping[str, Any]) -> CompiledSchema:
    global compile_count
    key = json.dumps(schema, sort_keys=True, default=str)
    compiled = _COMPILED_BY_CONTENT.get(key)
    if compiled is None:
        compile_count += 1
        json_schema = to_json_schema(schema, root=True)
        root = structural(schema)
        metadata = root.properties.get("metadata")
        if metadata is not None:
            root.metadata_fields = tuple(
                (name, metadata.properties[name])
                for name in ("name", "generateName")
                if name in metadata.properties
            )
        # A plain text search of the content key: a false alarm only costs the walk.
        extensions = any(marker in key for marker in _EXTENSION_MARKERS)
        compiled = CompiledSchema(root, json_schema, extensions)
        _COMPILED_BY_CONTENT[key] = compiled
    return compiled
