"""Reading CustomResourceDefinition files into `KindVersion`s, and their CRD-cache form.

Loading reads YAML only (compiling a schema happens on first use, in compiler.py). A file's
definitions are cached by content (crdcache.py) in a display-free form: `to_cache_entry` and
`from_cache_entry` convert between the two.
"""

from __future__ import annotations

import marshal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.limits import (
    MAX_SCHEMA_DEPTH,
    FileTooLarge,
    alias_problem,
    read_limited,
    schema_depth_problem,
)
from mkdocs_appreg.common.utf8 import undecodable
from mkdocs_appreg.engine.documents import Document, describe_yaml_error
from mkdocs_appreg.engine.kinds import CRD_API_VERSION, CRD_KIND, KindVersion
from mkdocs_appreg.engine.metadata import is_dns1035_label, is_dns1123_subdomain
from mkdocs_appreg.engine.schema_extensions import check_schema


class CrdLocation:
    """Where a CRD names its kind (`spec.names.kind`): the place a `crd.override` warning points at."""

    __slots__ = ("column", "document", "file", "line", "name")

    file: str
    line: int
    column: int
    document: int
    name: str

    def __init__(self, file: str, line: int, column: int, document: int, name: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.document = document
        self.name = name


Definitions = tuple[list[list[KindVersion]], list[CrdLocation]]
"""A file's CRDs: for each, its versions and where it names its kind."""

try:  # libyaml when PyYAML was built with it (the C parser is ~15x faster on big CRD files)
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]


def read_crd_bytes(path: Path, shown: str) -> bytes:
    try:
        return read_limited(path)
    except FileTooLarge as error:
        raise CrdError(str(error), file=shown) from None
    except OSError as error:
        raise CrdError(f"cannot read: {error.strerror or error}", file=shown) from None


def decode_crd(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, _column, message = undecodable(data, error)
        raise CrdError(message, file=shown, line=line) from None


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


def to_cache_entry(kinds: list[list[KindVersion]], locations: list[CrdLocation]) -> list[_CachedKind] | None:
    """The display-free form of a file's definitions; None when a schema cannot be marshalled."""
    try:
        return _cache_entries(kinds, locations)
    except ValueError:  # a YAML value marshal does not support: this file is parsed every time
        return None


def _cache_entries(kinds: list[list[KindVersion]], locations: list[CrdLocation]) -> list[_CachedKind]:
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


def from_cache_entry(stored: Any, shown: str) -> Definitions | None:
    """The definitions of a cache entry under the name `shown`; None when the entry is malformed."""
    kinds: list[list[KindVersion]] = []
    locations: list[CrdLocation] = []
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
                CrdLocation(file=shown, line=kind_line, column=kind_column, document=document, name=name)
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

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# Past this depth the plain tree is left to PyYAML's constructor, which is not recursive.
_FAST_DEPTH = 100


class _NotPlain(Exception):
    """The node tree holds something only PyYAML's constructor handles as PyYAML does."""


def _plain_value(loader: _CrdLoader, node: yaml.Node, depth: int = 0) -> Any:
    """The value of a node tree of plain mappings, sequences and scalars, built directly.

    What PyYAML's `construct_document` returns for such a tree, at a fraction of its cost: it
    makes each mapping through a generator, a per-node memo and a pass over the keys for merge
    keys, which is most of loading 199 CRDs (2.8 MB). Scalars other than strings go through the
    loader's own constructors (ints, floats, booleans, nulls, timestamps kept as text). Anything
    else (a merge key `<<` or a `=` value key, which PyYAML rewrites in the node tree; a
    collection as a key; a tag with no constructor; deeper than `_FAST_DEPTH`) raises
    `_NotPlain`, and the document is constructed by PyYAML instead. Only used on documents
    without aliases (an alias is one shared object in PyYAML's result).
    """
    cls = node.__class__
    tag = node.tag
    if cls is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag not in _PLAIN_SCALARS:
            raise _NotPlain  # e.g. `!!map` on a scalar: a generator constructor, or none
        return _CrdLoader.yaml_constructors[tag](loader, node)
    if depth > _FAST_DEPTH:
        raise _NotPlain
    if cls is yaml.MappingNode and tag == _MAP:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag in _REWRITTEN_KEYS:
                raise _NotPlain
            mapping[_plain_value(loader, key_node)] = _plain_value(loader, value_node, depth + 1)
        return mapping
    if cls is yaml.SequenceNode and tag == _SEQ:
        return [_plain_value(loader, child, depth + 1) for child in node.value]
    raise _NotPlain


# Scalar tags whose constructor returns the value itself (timestamps: `keep_timestamp_text`).
_PLAIN_SCALARS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("null", "bool", "int", "float", "binary", "timestamp")
)
# Keys SafeConstructor.flatten_mapping acts on (and changes the node tree for).
_REWRITTEN_KEYS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})


def _construct(loader: _CrdLoader, node: yaml.Node, aliases: bool) -> Any:
    if not aliases:
        try:
            return _plain_value(loader, node)
        except Exception:  # _NotPlain, or an error: PyYAML reports it its own way
            pass  # PyYAML's constructor decides, and words any error, as it always did
    return loader.construct_document(node)


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
            value = _construct(loader, node, aliases)
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


def load_crd_text(
    text: str, shown: str, *, explicit: bool, source_name: str | None = None, bundled: bool = False
) -> Definitions | None:
    kinds: list[list[KindVersion]] = []
    locations: list[CrdLocation] = []
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
            CrdLocation(file=shown, line=line, column=column, document=document.index, name=document.name)
        )
    if not kinds:
        if explicit:
            raise CrdError(f"no {CRD_API_VERSION} {CRD_KIND} in this file", file=shown, line=1)
        return None
    return kinds, locations


CRD_INVALID_RULE = "crd.invalid"


def crd_document_findings(document: Document) -> list[Finding]:
    """A CustomResourceDefinition shown in the docs, checked as loading a CRD checks it.

    The apiserver validates a CRD on `kubectl apply` (apiextensions validation.go
    ValidateCustomResourceDefinition); the same checks a `crds` file gets run here. Every name
    problem (`name_problems`) is a `crd.invalid` finding at its own field; then the first
    problem of the rest (`_kind_versions`: structural root, versions, patterns, CEL rules, list
    types) is one more, at its line, instead of a setup error.
    """
    value = document.value
    # Upstream may give one field two errors (a listKind that is no label and equals the kind):
    # one finding per field, its messages joined.
    by_field: dict[str, list[str]] = {}
    for pointer, message in name_problems(value) if isinstance(value, dict) else []:
        by_field.setdefault(pointer, []).append(message)
    findings = [
        document.finding(pointer, CRD_INVALID_RULE, "; ".join(messages))
        for pointer, messages in by_field.items()
    ]
    try:
        _kind_versions(document, document.file, document.file, check_names=False)
    except CrdError as error:
        line = error.line if error.line is not None else document.line
        finding = document.finding("", CRD_INVALID_RULE, error.reason)
        findings.append(Finding(**{**finding.as_dict(), "line": line, "column": 1}))
    return findings


def _strings(value: Any) -> list[tuple[int, str]]:
    return (
        [(i, item) for i, item in enumerate(value) if isinstance(item, str)]
        if isinstance(value, list)
        else []
    )


def name_problems(crd: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What ValidateCustomResourceDefinition says about a CRD's names, as `(pointer, message)`.

    In upstream order (apiextensions validation.go): `metadata.name` must be
    `<spec.names.plural>.<spec.group>` (its nameValidationFn), `spec.group` a DNS-1123 subdomain
    with a dot, version names DNS-1035 labels, unique, exactly one of them the storage version;
    then ValidateCustomResourceDefinitionNames: plural, singular, shortNames and categories
    DNS-1035 labels, kind and listKind too once lowercased, and kind != listKind. `singular`
    and `listKind` are defaulted first (v1 SetDefaults_CustomResourceDefinitionSpec: the
    lowercased kind, kind + "List"). Only string values are judged: a wrong type is the
    CustomResourceDefinition schema's finding.
    """
    problems: list[tuple[str, str]] = []
    spec = crd.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    names = spec.get("names")
    names = names if isinstance(names, dict) else {}
    group, plural, kind = spec.get("group"), names.get("plural"), names.get("kind")
    meta = crd.get("metadata")
    if isinstance(meta, dict) and isinstance(group, str) and isinstance(plural, str):
        required = f"{plural}.{group}"
        for field in ("name", "generateName"):
            name = meta.get(field)
            if isinstance(name, str) and name and name != required:
                message = f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group ("{required}")'
                problems.append((f"/metadata/{field}", message))
                break  # generateName is only checked when there is no name
            if isinstance(name, str) and name:
                break
    if isinstance(group, str) and group:
        errors = is_dns1123_subdomain(group)
        if errors:
            problems.append(("/spec/group", f'Invalid value: "{group}": {",".join(errors)}'))
        elif "." not in group:
            problems.append(
                ("/spec/group", f'Invalid value: "{group}": should be a domain with at least one dot')
            )
    versions = spec.get("versions")
    versions = versions if isinstance(versions, list) else []
    seen: set[str] = set()
    unique, storage = True, 0
    for index, version in enumerate(versions):
        if not isinstance(version, dict):
            continue
        storage += version.get("storage") is True
        name = version.get("name")
        if not isinstance(name, str):
            continue
        unique = unique and name not in seen
        seen.add(name)
        errors = is_dns1035_label(name)
        if errors:
            problems.append((f"/spec/versions/{index}/name", f'Invalid value: "{name}": {",".join(errors)}'))
    if versions and not unique:
        problems.append(("/spec/versions", "Invalid value: must contain unique version names"))
    if versions and storage != 1:
        problems.append(
            ("/spec/versions", "Invalid value: must have exactly one version marked as storage version")
        )
    if "plural" not in names or plural == "":
        problems.append(
            ("/spec/names/plural" if "plural" in names else "/spec/names", "Required value: plural")
        )
    singular = names.get("singular") or (kind.lower() if isinstance(kind, str) else None)
    list_kind = names.get("listKind") or (f"{kind}List" if isinstance(kind, str) and kind else None)
    labels: list[tuple[str, Any, str]] = [
        ("plural", plural, ""),
        ("singular", singular, ""),
        (
            "kind",
            kind.lower() if isinstance(kind, str) else None,
            "may have mixed case, but should otherwise match: ",
        ),
        (
            "listKind",
            list_kind.lower() if isinstance(list_kind, str) else None,
            "may have mixed case, but should otherwise match: ",
        ),
    ]
    shown = {"plural": plural, "singular": singular, "kind": kind, "listKind": list_kind}
    for field, label, prefix in labels:
        if isinstance(label, str) and label:
            errors = is_dns1035_label(label)
            if errors:
                problems.append(
                    (f"/spec/names/{field}", f'Invalid value: "{shown[field]}": {prefix}{",".join(errors)}')
                )
    for field in ("shortNames", "categories"):
        for index, item in _strings(names.get(field)):
            errors = is_dns1035_label(item)
            if errors:
                problems.append(
                    (f"/spec/names/{field}/{index}", f'Invalid value: "{item}": {",".join(errors)}')
                )
    if isinstance(kind, str) and kind and kind == list_kind:
        problems.append(
            ("/spec/names/listKind", f'Invalid value: "{list_kind}": kind and listKind may not be the same')
        )
    return problems


def _kind_versions(
    document: Document, shown: str, source_name: str, *, bundled: bool = False, check_names: bool = True
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
    # The API server refuses a CRD whose names disagree (metadata.name is not plural.group...):
    # one loaded from a file would define a kind no cluster can have. The bundled CRDs ship
    # checked (tests/test_schemas.py).
    for pointer, message in name_problems(document.value) if check_names and not bundled else ():
        raise fail(pointer, f"{pointer[1:].replace('/', '.')}: {message}")
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
        too_deep = schema_depth_problem(schema)
        if too_deep is not None:
            # Before anything walks the schema recursively (check_schema, validation, CEL).
            raise fail(
                schema_pointer + too_deep[1],
                f"version {version['name']} of {kind}: openAPIV3Schema is nested more than "
                f"{MAX_SCHEMA_DEPTH} levels deep here; appreg loads at most {MAX_SCHEMA_DEPTH}",
            )
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
