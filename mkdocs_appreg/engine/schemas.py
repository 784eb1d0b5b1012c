"""CustomResourceDefinitions: load them, pick the version a resource names, compile its schema once.

A `SchemaRegistry` maps (group, kind) to the versions a CRD defines, the way the API server keys
custom resources by group and kind (a `Registry` in another group is a different kind). The
bundled Registry/Catalog CRDs and core v1 Secret are built in; `add_path` adds the user's CRDs,
which win over built-in ones with a warning when they differ.

Loading reads YAML only; turning a version's `openAPIV3Schema` into something a validator runs
(`CompiledSchema`) happens on first use and is cached by content, so a site that uses 3 of 199
CRDs compiles 3 and a rebuild that reloads the same files compiles nothing.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import marshal
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.limits import FileTooLarge, alias_problem, read_limited
from mkdocs_appreg.engine import secret
from mkdocs_appreg.engine.crdcache import CrdCache, collection_paused, content_key
from mkdocs_appreg.engine.documents import Document, describe_yaml_error
from mkdocs_appreg.engine.formats import FORMAT_CHECKS, format_checker
from mkdocs_appreg.engine.openapi_values import multiple_of
from mkdocs_appreg.engine.schema_extensions import check_schema

if TYPE_CHECKING:
    from importlib.abc import Traversable

    from jsonschema.protocols import Validator

CRD_API_VERSION = "apiextensions.k8s.io/v1"
CRD_KIND = "CustomResourceDefinition"
BUILTIN_SOURCE = "built-in"

try:  # libyaml when PyYAML was built with it (the C parser is ~15x faster on big CRD files)
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]

Scope = Literal["Namespaced", "Cluster"]
Check = Callable[[Any], bool]


# Plain classes, not dataclasses: generating dataclass methods at import costs a cold build ~1 ms
# per class. KindVersion is not a NamedTuple because `_CachedKindVersion` fills its schema slot
# lazily.
class KindVersion:
    """One served (or not) version of one kind, as a CRD defines it.

    Attributes:
        group: API group (`""` for the core group).
        version: Version name such as `v1`.
        kind: The kind, in CamelCase.
        scope: `Namespaced` or `Cluster`.
        served: Whether the API server serves this version.
        deprecated: Whether the version is marked deprecated.
        deprecation_warning: The CRD's own deprecation text, if any.
        schema: The version's `openAPIV3Schema`.
        source: `file:line` of the CRD that defined it, or `built-in`.
        status_subresource: The version has `subresources.status`, so the API server ignores
            `status` when an object is created or updated through the main resource.
    """

    __slots__ = (
        "deprecated",
        "deprecation_warning",
        "group",
        "kind",
        "schema",
        "scope",
        "served",
        "source",
        "status_subresource",
        "version",
    )

    group: str
    version: str
    kind: str
    scope: Scope
    served: bool
    deprecated: bool
    deprecation_warning: str | None
    schema: Mapping[str, Any] | None
    source: str
    status_subresource: bool

    def __init__(
        self,
        group: str,
        version: str,
        kind: str,
        scope: Scope,
        served: bool,
        deprecated: bool,
        deprecation_warning: str | None,
        schema: Mapping[str, Any] | None,
        source: str,
        status_subresource: bool = False,
    ) -> None:
        self.group = group
        self.version = version
        self.kind = kind
        self.scope = scope
        self.served = served
        self.deprecated = deprecated
        self.deprecation_warning = deprecation_warning
        self.schema = schema
        self.source = source
        self.status_subresource = status_subresource

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def same_definition(self, other: KindVersion) -> bool:
        """Equal in everything but where it was defined."""
        return (
            self.scope == other.scope
            and self.served == other.served
            and self.deprecated == other.deprecated
            and self.deprecation_warning == other.deprecation_warning
            and self.schema == other.schema
            and self.status_subresource == other.status_subresource
        )


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
    # kube-openapi validate/type.go: a JSON number that is a whole float (`1.0`) satisfies
    # `type: integer` (isFloatInt); booleans are never numbers.
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


@functools.cache
def kubernetes_validator_class() -> Any:
    """Draft 4 (boolean exclusiveMinimum/Maximum, as in OpenAPI v3.0) with Kubernetes' integer rule.

    Built on first use so that importing this module does not import jsonschema; also reachable
    as `schemas.KubernetesValidator`.
    """
    from jsonschema import Draft4Validator
    from jsonschema.validators import extend

    type_checker = Draft4Validator.TYPE_CHECKER.redefine("integer", _is_whole_integer)
    # kube-openapi's multipleOf (relative tolerance; NaN and infinities fail instead of raising).
    return extend(  # type: ignore[no-untyped-call]
        Draft4Validator, validators={"multipleOf": multiple_of}, type_checker=type_checker
    )


@functools.cache
def _format_checker() -> Any:
    return format_checker()


def __getattr__(name: str) -> Any:
    # `schemas.KubernetesValidator` stays available without importing jsonschema at import time.
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
    try:
        re.compile(pattern)
    except (re.error, TypeError):
        return False
    return True


def _node_keywords(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The value keywords of one node, converted; sub-schemas of allOf/anyOf/oneOf/not unconverted."""
    out: dict[str, Any] = {key: schema[key] for key in _VALUE_KEYWORDS if key in schema}
    if "pattern" in out and not _compiles(out["pattern"]):
        # Go's RE2 syntax is nearly Python's; a pattern Python cannot compile is skipped rather
        # than crash jsonschema (the API server would have rejected a pattern RE2 cannot compile).
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
    return value.__class__ is int or (value.__class__ is float and value.is_integer())


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
        compiled = re.compile(pattern)
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


def parse_api_version(api_version: str) -> tuple[str, str] | None:
    """(group, version) of an apiVersion, or None when it is malformed.

    k8s.io/apimachinery pkg/runtime/schema ParseGroupVersion: `v1` is the core group, `g/v`
    names a group, anything with more slashes is an error.
    """
    if not api_version:
        return None
    if "/" not in api_version:
        return "", api_version
    group, _, version = api_version.partition("/")
    if not group or not version or "/" in version:
        return None
    return group, version


class SchemaRegistry:
    """Every kind this run knows, by group, kind and version."""

    def __init__(self) -> None:
        self._kinds: dict[tuple[str, str], dict[str, KindVersion]] = {}
        self._files: dict[Path, None] = {}  # ordered set: 199 files made list lookups quadratic
        self._compiled: dict[int, tuple[KindVersion, CompiledSchema]] = {}
        # What this registry was built from, in order: equal fingerprints mean equal registries.
        self._sources = hashlib.sha256()

    @classmethod
    def builtin(cls) -> SchemaRegistry:
        """A registry with the bundled CRDs and core v1 Secret (parsed once per process)."""
        registry = cls()
        registry._kinds = {key: dict(versions) for key, versions in _builtin_kinds().items()}
        registry._sources.update(b"built-in\0")
        return registry

    @property
    def fingerprint(self) -> str:
        """A digest of everything loaded (content and display names, in order).

        Two registries with the same fingerprint judge every document alike, so a result
        computed with one can be reused with the other (the plugin's per-file results).
        """
        return self._sources.hexdigest()

    @property
    def files(self) -> list[Path]:
        """CRD files loaded by `add_path`, in load order (for watch lists)."""
        return list(self._files)

    def add_path(
        self, path: Path, *, display: str | None = None, cache: CrdCache | None = None
    ) -> list[Finding]:
        """Load a CRD file (multi-document) or every `*.yaml`/`*.yml` below a directory.

        Args:
            path: A file or a directory (searched recursively, in sorted order).
            display: How to name `path` in messages; defaults to `str(path)`.
            cache: Parsed CRD files by content (`crdcache.CrdCache`); a file whose bytes were
                parsed before, in this process or into the cache's directory, is not parsed
                again. Files that fail to load are never cached, so their error is reported
                every time.

        Returns:
            `crd.override` warnings for definitions that replace a different, known one.

        Raises:
            CrdError: An unreadable file, a YAML error, a document that is not a v1 CRD, or a
                CRD without the parts validation needs.
        """
        shown = display if display is not None else str(path)
        loaded: list[tuple[Path, list[list[KindVersion]], list[Finding]]] = []
        with collection_paused():
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
                real_root = path.resolve()
                depth = len(path.parts)
                for file in files:
                    name = f"{shown.rstrip('/')}/{'/'.join(file.parts[depth:])}"
                    # rglob does not enter symlinked directories, so only the file itself can be
                    # a symlink: one lstat, where resolving every file took one per component.
                    if file.is_symlink() and not file.resolve().is_relative_to(real_root):
                        # A symlink in a CRD folder may not pull in a file from elsewhere.
                        raise CrdError(f"is a symlink to {file.resolve()}, outside {shown}", file=name)
                    definitions = self._load_file(file, name, explicit=False, cache=cache)
                    if definitions is not None:
                        loaded.append((file, *definitions))
            elif path.is_file():
                definitions = self._load_file(path, shown, explicit=True, cache=cache)
                assert definitions is not None  # an explicit file without CRDs raises
                loaded.append((path, *definitions))
            elif "://" in str(shown):
                # Never fetched: a build or check makes no network connection, whatever its input.
                raise CrdError(
                    "is a URL; appreg never downloads CRDs: save the file and name its path", file=shown
                )
            else:
                raise CrdError("no such file or directory", file=shown)
        warnings: list[Finding] = []
        for file, kinds, locations in loaded:
            for versions, location in zip(kinds, locations, strict=True):
                warnings.extend(self._add_kind(versions, location))
            self._files.setdefault(file)
        return warnings

    def _load_file(
        self, path: Path, shown: str, *, explicit: bool, cache: CrdCache | None
    ) -> tuple[list[list[KindVersion]], list[Finding]] | None:
        if cache is None:
            data = _read_bytes(path, shown)
            key = content_key(data)
            self._sources.update(f"{shown}\0{key}\0".encode())
            return _load_crd_text(_decode(data, shown), shown, explicit=explicit)
        known = cache.known_key(path)  # a serve rebuild: unchanged files are not even read
        if known is None:
            try:
                key, data = cache.read(path)
            except OSError as error:
                raise CrdError(f"cannot read: {error.strerror or error}", file=shown) from None
        else:
            key, data = known, b""
        self._sources.update(f"{shown}\0{key}\0".encode())
        # The definitions as KindVersions under this display name, shared by every registry of
        # the process (they are immutable), then the display-free entry from memory or disk.
        shown_key = f"{key}\0{shown}"
        restored = cache.recall(shown_key)
        if restored is not None:
            return restored  # type: ignore[no-any-return]
        stored = cache.get(key)
        if stored is not None:
            restored = _from_cache(stored, shown)
            if restored is not None:
                cache.remember(shown_key, restored)
                return restored
            cache.discard(key)  # not the shape we write: parse again and overwrite it
        if known is not None:
            data = _read_bytes(path, shown)
        definitions = _load_crd_text(_decode(data, shown), shown, explicit=explicit)
        if definitions is not None:
            entry = _to_cache(*definitions)
            if entry is not None:
                cache.put(key, entry)
            cache.remember(shown_key, definitions)
        return definitions

    def _add_kind(self, versions: list[KindVersion], location: Finding) -> list[Finding]:
        first = versions[0]
        key = (first.group, first.kind)
        known = self._kinds.get(key)
        new = {v.version: v for v in versions}
        self._kinds[key] = new
        if known is None:
            return []
        changed = sorted(
            name
            for name in set(known) | set(new)
            if name not in known or name not in new or not known[name].same_definition(new[name])
        )
        if not changed:
            return []
        earlier = sorted({v.source for v in known.values()})
        message = (
            f"CustomResourceDefinition for {first.kind} in group {first.group} replaces a different "
            f"definition from {', '.join(earlier)} (versions that differ: {', '.join(changed)})"
        )
        return [_override_warning(location, rule="crd.override", message=message)]

    def lookup(self, api_version: str, kind: str) -> KindVersion | None:
        """The definition of `kind` at `api_version`, or None when unknown."""
        parsed = parse_api_version(api_version)
        if parsed is None:
            return None
        versions = self._kinds.get((parsed[0], kind))
        return None if versions is None else versions.get(parsed[1])

    def versions(self, group: str, kind: str) -> list[str]:
        """The version names defined for a group and kind, in CRD order."""
        return list(self._kinds.get((group, kind), {}))

    def knows_group_kind(self, group: str, kind: str) -> bool:
        return (group, kind) in self._kinds

    def definitions(self) -> Iterator[KindVersion]:
        """Every known version of every kind, in load order."""
        for versions in self._kinds.values():
            yield from versions.values()

    def groups_for_kind(self, kind: str) -> list[str]:
        """Every group that defines `kind` (to say "did you mean" when the group is wrong)."""
        return sorted(group for group, known_kind in self._kinds if known_kind == kind)

    def compiled(self, kind_version: KindVersion) -> CompiledSchema | None:
        """The compiled schema of a version, compiled on first use; None without a schema."""
        if kind_version.schema is None:
            return None
        entry = self._compiled.get(id(kind_version))
        if entry is None or entry[0] is not kind_version:
            entry = (kind_version, compile_schema(kind_version.schema))
            self._compiled[id(kind_version)] = entry
        return entry[1]


def _override_warning(location: Finding, *, rule: str, message: str) -> Finding:
    return Finding(
        file=location.file,
        line=location.line,
        column=location.column,
        rule=rule,
        message=message,
        severity="warning",
        document=location.document,
        api_version=CRD_API_VERSION,
        kind=CRD_KIND,
        name=location.name,
    )


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        return read_limited(path)
    except FileTooLarge as error:
        raise CrdError(str(error), file=shown) from None
    except OSError as error:
        raise CrdError(f"cannot read: {error.strerror or error}", file=shown) from None


def _decode(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CrdError(f"not UTF-8 text ({error.reason} at byte {error.start})", file=shown) from None


# A cached file holds no display name (the same bytes may be configured under another path):
# per CRD, the line of its document, its versions (each schema marshalled on its own), and
# where `spec.names.kind` is.
_CachedVersion = tuple[str, str, str, str, bool, bool, "str | None", bytes, bool]
_CachedKind = tuple[int, list[_CachedVersion], tuple[int, int, int, str]]

_SCHEMA_SLOT: Any = KindVersion.__dict__["schema"]  # the slot that stores the field


class _CachedKindVersion(KindVersion):
    """A `KindVersion` from the CRD cache whose schema is unmarshalled on first use.

    A site that validates against 3 of 199 CRDs decodes 3 schemas: loading the 199 from the
    disk cache then costs reading and hashing the files, not rebuilding 1.5 MB of dicts
    (which was two thirds of a warm load).
    """

    __slots__ = ()

    @property
    def schema(self) -> Mapping[str, Any] | None:
        value = _SCHEMA_SLOT.__get__(self, KindVersion)
        if value.__class__ is bytes:
            value = marshal.loads(value)
            _SCHEMA_SLOT.__set__(self, value)
        return value  # type: ignore[no-any-return]

    @schema.setter
    def schema(self, value: Any) -> None:
        # `KindVersion.__init__` assigns `self.schema`, which lands here.
        _SCHEMA_SLOT.__set__(self, value)


def _to_cache(kinds: list[list[KindVersion]], locations: list[Finding]) -> list[_CachedKind] | None:
    """The display-free form of a file's definitions; None when a schema cannot be marshalled."""
    try:
        return _cache_entries(kinds, locations)
    except ValueError:  # a YAML value marshal does not support: this file is parsed every time
        return None


def _cache_entries(kinds: list[list[KindVersion]], locations: list[Finding]) -> list[_CachedKind]:
    entries: list[_CachedKind] = []
    for versions, location in zip(kinds, locations, strict=True):
        line = int(versions[0].source.rpartition(":")[2])
        entries.append(
            (
                line,
                [
                    (
                        v.group,
                        v.version,
                        v.kind,
                        v.scope,
                        v.served,
                        v.deprecated,
                        v.deprecation_warning,
                        marshal.dumps(dict(v.schema or {})),
                        v.status_subresource,
                    )
                    for v in versions
                ],
                (location.line, location.column, location.document, location.name),
            )
        )
    return entries


def _from_cache(stored: Any, shown: str) -> tuple[list[list[KindVersion]], list[Finding]] | None:
    """The definitions of a cache entry under the name `shown`; None when the entry is malformed."""
    kinds: list[list[KindVersion]] = []
    locations: list[Finding] = []
    try:
        for line, versions, (kind_line, kind_column, document, name) in stored:
            source = f"{shown}:{line}"
            restored: list[KindVersion] = [
                _CachedKindVersion(
                    group=group,
                    version=version,
                    kind=kind,
                    scope=scope,
                    served=served,
                    deprecated=deprecated,
                    deprecation_warning=warning,
                    schema=schema,
                    source=source,
                    status_subresource=status,
                )
                for group, version, kind, scope, served, deprecated, warning, schema, status in versions
            ]
            if not restored or not all(
                _SCHEMA_SLOT.__get__(v, KindVersion).__class__ is bytes
                and isinstance(v.kind, str)
                and isinstance(v.group, str)
                for v in restored
            ):
                return None
            kinds.append(restored)
            locations.append(
                Finding(
                    file=shown,
                    line=kind_line,
                    column=kind_column,
                    rule="",
                    message="",
                    document=document,
                    name=name,
                )
            )
    except (TypeError, ValueError):
        return None
    return (kinds, locations) if kinds else None


class _CrdLoader(_FastLoader):
    """libyaml's parser and composer when available: CRD files are large (2.8 MB for 199)."""

    def keep_timestamp_text(self, node: yaml.Node) -> Any:
        # As documents.py does for resources: go-yaml leaves timestamp-looking scalars as strings.
        return self.construct_scalar(node)  # type: ignore[arg-type]


_CrdLoader.add_constructor("tag:yaml.org,2002:timestamp", _CrdLoader.keep_timestamp_text)


def _crd_documents(text: str, shown: str) -> list[Document]:
    """The non-empty documents of a CRD file, with their node trees for `locate`.

    Unlike `parse_documents` this does not look for duplicate keys: CRD files are trusted
    more than examples, and the fast path matters when a site configures hundreds of them.
    """
    documents: list[Document] = []
    loader = _CrdLoader(text)
    index = 0
    aliases = "*" in text  # without an alias no node is shared: nothing to expand
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            aliasing = alias_problem(node) if aliases else None
            if aliasing is not None:
                # Compiling the schema walks it as a tree: an alias bomb there would never end.
                raise CrdError(aliasing[1], file=shown, line=node.start_mark.line + 1)
            value = loader.construct_document(node)
            if value is not None:
                documents.append(Document(shown, index, value, node))
            index += 1
    except yaml.YAMLError as error:
        line, _, message = describe_yaml_error(error, text)
        raise CrdError(f"YAML syntax error: {message}", file=shown, line=line) from None
    except (RecursionError, ValueError, TypeError, OverflowError, LookupError) as error:
        raise CrdError(f"YAML cannot be loaded: {type(error).__name__}: {error}"[:300], file=shown) from None
    finally:
        loader.dispose()
    return documents


def _load_crd_text(
    text: str, shown: str, *, explicit: bool, source_name: str | None = None, bundled: bool = False
) -> tuple[list[list[KindVersion]], list[Finding]] | None:
    kinds: list[list[KindVersion]] = []
    locations: list[Finding] = []
    for document in _crd_documents(text, shown):
        value = document.value
        if not isinstance(value, dict) or value.get("kind") != CRD_KIND:
            continue  # a Namespace or kustomization next to CRDs is not ours to judge
        if value.get("apiVersion") != CRD_API_VERSION:
            raise CrdError(
                f"{value.get('apiVersion')} {CRD_KIND} is not supported: convert it to {CRD_API_VERSION}",
                file=shown,
                line=document.line,
            )
        kinds.append(_kind_versions(document, shown, source_name or shown, bundled=bundled))
        line, column = document.locate("/spec/names/kind")
        locations.append(
            Finding(
                file=shown,
                line=line,
                column=column,
                rule="",
                message="",
                document=document.index,
                name=document.name,
            )
        )
    if not kinds:
        if explicit:
            raise CrdError(f"no {CRD_API_VERSION} {CRD_KIND} in this file", file=shown, line=1)
        return None
    return kinds, locations


def _kind_versions(
    document: Document, shown: str, source_name: str, *, bundled: bool = False
) -> list[KindVersion]:
    def fail(pointer: str, message: str) -> CrdError:
        return CrdError(message, file=shown, line=document.locate(pointer)[0])

    spec = document.value.get("spec")
    if not isinstance(spec, dict):
        raise fail("", "CustomResourceDefinition has no spec")
    group = spec.get("group")
    if not isinstance(group, str) or not group:
        raise fail("/spec", "CustomResourceDefinition has no spec.group")
    names = spec.get("names")
    kind = names.get("kind") if isinstance(names, dict) else None
    if not isinstance(kind, str) or not kind:
        raise fail(
            "/spec/names" if isinstance(names, dict) else "/spec",
            "CustomResourceDefinition has no spec.names.kind",
        )
    scope = spec.get("scope", "Namespaced")
    if scope not in ("Namespaced", "Cluster"):
        raise fail("/spec/scope", f'spec.scope must be "Namespaced" or "Cluster", not {scope!r}')
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        raise fail("/spec", "CustomResourceDefinition has no spec.versions")
    source = f"{source_name}:{document.line}"
    result: list[KindVersion] = []
    for index, version in enumerate(versions):
        pointer = f"/spec/versions/{index}"
        if not isinstance(version, dict) or not isinstance(version.get("name"), str) or not version["name"]:
            raise fail(pointer, f"spec.versions[{index}] has no name")
        schema = version.get("schema")
        schema = schema.get("openAPIV3Schema") if isinstance(schema, dict) else None
        if not isinstance(schema, dict):
            raise fail(pointer, f"version {version['name']} of {kind} has no schema.openAPIV3Schema")
        if schema.get("type") != "object":
            # apiextensions validation: a structural schema's root must be `type: object`.
            raise fail(
                f"{pointer}/schema/openAPIV3Schema",
                f"version {version['name']} of {kind}: openAPIV3Schema is not structural "
                f"(the root must have type: object)",
            )
        warning = version.get("deprecationWarning")
        subresources = version.get("subresources")
        schema_pointer = f"{pointer}/schema/openAPIV3Schema"
        # apiextensions validation.go rejects a CRD whose rules do not compile or whose list
        # types are inconsistent; so do we, at the line of the offending schema node.

        def position(pointer: str, base: str = schema_pointer) -> tuple[int, int]:
            return document.locate(base + pointer)

        # The bundled CRDs ship checked (tests/test_schemas.py): every build would check them again.
        for problem in () if bundled else check_schema(schema, file=shown, node_position=position):
            raise CrdError(
                f"{version['name']} {problem.pointer or '/'}: {problem.message}",
                file=shown,
                line=problem.line if problem.line is not None else document.locate(schema_pointer)[0],
            )
        result.append(
            KindVersion(
                group=group,
                version=version["name"],
                kind=kind,
                scope=scope,
                served=version.get("served", True) is not False,
                deprecated=version.get("deprecated", False) is True,
                deprecation_warning=warning if isinstance(warning, str) else None,
                schema=schema,
                source=source,
                status_subresource=isinstance(subresources, dict)
                and isinstance(subresources.get("status"), dict),
            )
        )
    return result


def _bundled_folder() -> Path | Traversable:
    # The package directory when it is one (every pip install): importlib.resources would first
    # import its reader machinery, a third of what loading the two bundled CRDs costs a build.
    here = Path(__file__).resolve().parent.parent / "crds"
    if here.is_dir():
        return here
    from importlib import resources  # a zipped install only (it imports tempfile, shutil, ...)

    return resources.files("mkdocs_appreg").joinpath("crds")


def _bundled_crds() -> Iterator[tuple[str, bytes]]:
    """(file name, content) of each bundled CRD file, in name order."""
    for entry in sorted(_bundled_folder().iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            yield entry.name, entry.read_bytes()


# The bundled CRDs as `_load_crd_text` loads them, written by `scripts/bundle_crds.py`: parsing
# their YAML is ~9 M instructions of every first build, reading this JSON ~0.4 M. Each entry
# holds the digest of the YAML it was made from; a YAML file that no longer matches it (or a
# missing or unreadable cache) is parsed as before, so the cache can only be slow, never stale.
BUNDLED_CACHE = "bundled.json"
_BUNDLED_CACHE_FORMAT = 1
_KIND_VERSION_FIELDS = KindVersion.__slots__


def bundled_cache_text() -> str:
    """The text of `crds/bundled.json` for the bundled CRDs as they are now."""
    files: dict[str, Any] = {}
    for name, data in _bundled_crds():
        loaded = _load_crd_text(data.decode("utf-8"), _bundled_display(name), explicit=True, bundled=True)
        assert loaded is not None
        files[name] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "kinds": [
                [{field: getattr(version, field) for field in _KIND_VERSION_FIELDS} for version in versions]
                for versions in loaded[0]
            ],
        }
    return json.dumps({"format": _BUNDLED_CACHE_FORMAT, "files": files}, indent=1, sort_keys=True) + "\n"


def _bundled_cache() -> dict[str, Any]:
    try:
        cache = json.loads(_bundled_folder().joinpath(BUNDLED_CACHE).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(cache, dict) or cache.get("format") != _BUNDLED_CACHE_FORMAT:
        return {}
    files = cache.get("files")
    return files if isinstance(files, dict) else {}


def _bundled_display(name: str) -> str:
    return f"mkdocs_appreg/crds/{name}"


@functools.cache
def _builtin_kinds() -> dict[tuple[str, str], dict[str, KindVersion]]:
    kinds: dict[tuple[str, str], dict[str, KindVersion]] = {}
    cache = _bundled_cache()
    for name, data in _bundled_crds():
        entry = cache.get(name)
        if isinstance(entry, dict) and entry.get("sha256") == hashlib.sha256(data).hexdigest():
            loaded = [[KindVersion(**fields) for fields in versions] for versions in entry["kinds"]]
        else:
            parsed = _load_crd_text(data.decode("utf-8"), _bundled_display(name), explicit=True, bundled=True)
            assert parsed is not None
            loaded = parsed[0]
        for versions in loaded:
            kinds[(versions[0].group, versions[0].kind)] = {v.version: v for v in versions}
    secret_schema = copy.deepcopy(secret.SECRET_SCHEMA)
    kinds[("", "Secret")] = {
        "v1": KindVersion(
            group="",
            version="v1",
            kind="Secret",
            scope="Namespaced",
            served=True,
            deprecated=False,
            deprecation_warning=None,
            schema=secret_schema,
            source=BUILTIN_SOURCE,
        )
    }
    return kinds
