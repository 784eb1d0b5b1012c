"""Validate one resource the way the Kubernetes API server does on `kubectl apply`.

For a resource whose kind is known, in the API server's order:

1. apiVersion / kind resolve to a served version of a known group and kind
   (k8s.io/apimachinery pkg/runtime/schema ParseGroupVersion; the discovery RESTMapper).
2. Strict field validation, kubectl's default since 1.27: a field the schema does not declare is
   "strict decoding error: unknown field" (apiextensions-apiserver pkg/apiserver/schema/pruning
   algorithm.go, `prune` with `ReturnPruned`). Pruned fields are then gone for what follows.
3. Null pruning and defaulting (pkg/apiserver/schema/defaulting prunenulls.go
   `PruneNonNullableNullsWithoutDefaults`, algorithm.go `Default`).
4. ObjectMeta (metadata.py) and the version's openAPIV3Schema (pkg/apiserver/validation,
   kube-openapi pkg/validation/validate) on the pruned, defaulted copy.

Steps 2 and 3 are one walk over the document that copies only what it changes, so the caller's
value (and the positions the findings point at) stay untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.spelling import did_you_mean
from mkdocs_appreg.engine import metadata, secret
from mkdocs_appreg.engine.compiler import CompiledSchema, SchemaNode
from mkdocs_appreg.engine.describe import dotted_path, json_type, schema_rule, show_value
from mkdocs_appreg.engine.documents import Document, join_pointer, parse_documents
from mkdocs_appreg.engine.kinds import KindVersion, parse_api_version
from mkdocs_appreg.engine.leaks import Allowlist, find_leaks
from mkdocs_appreg.engine.lists import is_list, validate_list
from mkdocs_appreg.engine.schema_extensions import (
    BLOCKING_RULES,
    SKIPPED_MESSAGE,
    SKIPPED_RULE,
    ExtensionOptions,
    compile_schema_rules,
    validate_extensions,
)
from mkdocs_appreg.engine.schemas import SchemaRegistry

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

# pruning/algorithm.go `metaFields`: kept at a resource root (and in embedded resources) whatever
# the schema says; metadata is ObjectMeta's business, not the CRD schema's.
_META_FIELDS = frozenset({"apiVersion", "kind", "metadata"})

# Above this many nodes, a document whose aliases multiply its size this much is refused, the
# way go-yaml refuses "excessive aliasing" (gopkg.in/yaml.v2 decode.go, allowedAliasRatio).
_ALIAS_EXPANSION_LIMIT = 100_000
_ALIAS_RATIO = 10

_IN_PROGRESS = object()


def validate_text(
    text: str, file: str, registry: SchemaRegistry, *, allowlist: Allowlist | None = None
) -> tuple[list[Finding], int]:
    """Parse a YAML stream and validate every document in it.

    Args:
        text: The YAML stream.
        file: Display name used in findings.
        registry: The kinds to validate against.
        allowlist: Secret values not to report as leaked credentials (`secret.leak`).

    Returns:
        The parse findings followed by each document's findings, and the number of non-empty
        documents in the stream.
    """
    parsed = parse_documents(text, file)
    findings = list(parsed.findings)
    for document in parsed.documents:
        if is_list(document):
            findings.extend(
                validate_list(document, lambda item: validate_document(item, registry, allowlist=allowlist))
            )
            continue
        findings.extend(validate_document(document, registry, allowlist=allowlist))
    return findings, len(parsed.documents)


def validate_document(
    document: Document, registry: SchemaRegistry, *, allowlist: Allowlist | None = None
) -> list[Finding]:
    """Every problem the API server would report for one resource, located in its file.

    Besides the API server's rules, a core v1 Secret whose value looks like a live credential
    is a `secret.leak` error (leaks.py): docs are public.

    Args:
        document: A parsed document (its value is never modified).
        registry: The kinds to validate against.
        allowlist: Secret values not to report as leaked credentials.

    Returns:
        Findings, one per (path, rule) (per CEL rule for `cel.*`), ordered by position.
    """
    value = document.value
    if not isinstance(value, dict):
        return [
            document.finding(
                "", "resource.not-object", f"a resource must be a mapping, not {json_type(value)}"
            )
        ]
    found = _resolve(document, value, registry)
    if isinstance(found, list):
        return found
    kind_version, findings = found
    findings.extend(
        metadata.validate_object_meta(document, "/metadata", namespaced=kind_version.scope == "Namespaced")
    )
    compiled = registry.compiled(kind_version)
    if compiled is not None and kind_version.schema is not None:
        schema_findings, normalized = _validate_schema(
            document, value, compiled, ignore_status=kind_version.status_subresource
        )
        findings.extend(schema_findings)
        if normalized is not None and compiled.extensions:
            findings.extend(_validate_extensions(document, kind_version.schema, normalized, findings))
    if kind_version.group == "" and kind_version.kind == "Secret":
        specific = secret.validate_secret(document)
        # The Secret's own rules say more (`secret.base64` names the key) than `schema.format`.
        taken = {f.path for f in specific}
        findings = [f for f in findings if not (f.rule.startswith("schema.") and f.path in taken)]
        findings.extend(specific)
        findings.extend(find_leaks(document, allowlist))
    return _deduplicated(findings)


def _validate_extensions(
    document: Document, schema: Mapping[str, Any], value: Any, findings: list[Finding]
) -> list[Finding]:
    """CEL rules, list types and embedded resources, on the pruned and defaulted value.

    k8s.io/apiextensions-apiserver pkg/registry/customresource/strategy.go (Validate): embedded
    resources and list types are always checked, but CEL rules are skipped, with one error that
    says so, when the object already has a "blocking" error (type, required, enum, too long).
    """
    blocked = any(f.rule in BLOCKING_RULES for f in findings)
    extra = validate_extensions(document, schema, value=value, options=ExtensionOptions(run_cel=not blocked))
    if blocked and compile_schema_rules(schema).by_node:
        extra.append(document.finding("", SKIPPED_RULE, SKIPPED_MESSAGE))
    return extra


def _resolve(
    document: Document, value: dict[str, Any], registry: SchemaRegistry
) -> tuple[KindVersion, list[Finding]] | list[Finding]:
    """The version the resource names, or the findings that say why there is none."""
    api_version = value.get("apiVersion")
    kind = value.get("kind")
    problems: list[Finding] = []
    if not isinstance(api_version, str) or not api_version:
        what = "is missing" if api_version is None else f"must be a string, not {json_type(api_version)}"
        problems.append(document.finding("", "resource.apiversion", f"apiVersion {what}"))
    if not isinstance(kind, str) or not kind:
        what = "is missing" if kind is None else f"must be a non-empty string, not {json_type(kind)}"
        problems.append(document.finding("", "resource.kind", f"kind {what}"))
    if problems:
        return problems
    assert isinstance(api_version, str) and isinstance(kind, str)
    parsed = parse_api_version(api_version)
    if parsed is None:
        message = f'unexpected GroupVersion string "{api_version}": expected "group/version" or "version"'
        return [document.finding("/apiVersion", "resource.apiversion", message)]
    group = parsed[0]
    if not registry.knows_group_kind(group, kind):
        shown = f'group "{group}"' if group else "the core group"
        message = f'no matches for kind "{kind}" in {shown}: no CRD defines it'
        elsewhere = registry.groups_for_kind(kind)
        if elsewhere:
            message += f" (kind {kind} is defined in group {', '.join(elsewhere)})"
        return [document.finding("/kind", "kind.unknown", message)]
    kind_version = registry.lookup(api_version, kind)
    if kind_version is None:
        known = ", ".join(registry.versions(group, kind))
        message = f'no matches for kind "{kind}" in version "{api_version}"; known versions: {known}'
        return [document.finding("/apiVersion", "version.unknown", message)]
    if not kind_version.served:
        message = (
            f"{api_version} {kind} is not served by the API server (served: false in {kind_version.source})"
        )
        return [document.finding("/apiVersion", "version.not-served", message)]
    findings: list[Finding] = []
    if kind_version.deprecated:
        # apiextensions-apiserver pkg/apiserver/customresource_handler.go: the default warning.
        message = kind_version.deprecation_warning or f"{api_version} {kind} is deprecated"
        findings.append(document.finding("/apiVersion", "version.deprecated", message, "warning"))
    return kind_version, findings


# A plain class (common/records.py says why).
class _Walk:
    """State of one structural walk: findings so far and the alias bookkeeping."""

    __slots__ = ("document", "findings", "ignore_status", "memo", "path", "suspect")

    document: Document
    findings: list[Finding]
    path: list[str | int]
    memo: dict[tuple[int, int], Any]
    suspect: bool  # some node's fast check failed: ask jsonschema for the findings
    ignore_status: bool

    def __init__(self, document: Document, *, suspect: bool = False, ignore_status: bool = False) -> None:
        self.document = document
        self.findings = []
        self.path = []
        self.memo = {}
        self.suspect = suspect
        self.ignore_status = ignore_status

    def pointer(self, token: str | int | None = None) -> str:
        pointer = ""
        for part in self.path:
            pointer = join_pointer(pointer, part)
        return pointer if token is None else join_pointer(pointer, token)

    def dotted(self, token: str) -> str:
        return dotted_path([*self.path, token])


def _validate_schema(
    document: Document, value: dict[str, Any], compiled: CompiledSchema, *, ignore_status: bool
) -> tuple[list[Finding], Any]:
    """Schema findings, and the pruned, defaulted value (None when it must not be walked further)."""
    walk = _Walk(document, ignore_status=ignore_status)
    normalized = _walk(walk, value, compiled.root)
    root = compiled.root
    if root.check is not None and not root.check(normalized):
        walk.suspect = True
    if not walk.suspect:
        return walk.findings, normalized
    # jsonschema (and the messages, which quote values) walk values as trees: an alias bomb or
    # a recursive alias must be caught before, the way go-yaml refuses them while decoding.
    sizes: dict[int, int] = {}
    distinct = [0]
    try:
        expanded = _expanded_size(normalized, sizes, distinct)
    except _Cycle:
        message = "a YAML alias contains itself, which JSON cannot express"
        walk.findings.append(document.finding("", "resource.recursive-alias", message))
        return walk.findings, None
    except RecursionError:
        expanded = 0  # nested deeper than Python recurses; jsonschema only goes as deep as the schema
    if expanded > _ALIAS_EXPANSION_LIMIT and expanded > _ALIAS_RATIO * distinct[0]:
        message = (
            f"YAML aliases expand this resource to {expanded} nodes from {distinct[0]}: "
            "document contains excessive aliasing"
        )
        walk.findings.append(document.finding("", "resource.excessive-aliasing", message))
        return walk.findings, None
    for error in compiled.validator.iter_errors(normalized):
        walk.findings.append(_schema_finding(document, error))
    return walk.findings, normalized


class _Cycle(Exception):
    """A container that contains itself (`&a [*a]`)."""


def _expanded_size(value: Any, sizes: dict[int, int], distinct: list[int]) -> int:
    """Nodes in `value` with every alias expanded, counting each shared container once.

    `distinct[0]` is increased by the nodes written in the document: each container once, with
    its scalar children. Scalars are not counted by identity: Python shares one object for every
    `true` or small integer, so a list of 100,001 `true`s is 100,001 written nodes, not 2.
    """
    if value.__class__ is dict:
        children: Iterable[Any] = value.values()
    elif value.__class__ is list:
        children = value
    else:
        return 1
    key = id(value)
    known = sizes.get(key)
    if known is not None:
        if known < 0:
            raise _Cycle
        return known
    sizes[key] = -1
    total = 1
    distinct[0] += 1
    for child in children:
        if child.__class__ is dict or child.__class__ is list:
            total += _expanded_size(child, sizes, distinct)
        else:
            total += 1
            distinct[0] += 1
    sizes[key] = total
    return total


def _walk(walk: _Walk, value: Any, node: SchemaNode) -> Any:
    """Report unknown fields, prune them and non-nullable nulls, apply defaults; copy on write.

    Follows pruning/algorithm.go (`prune`, `skipPrune`) for unknown fields and
    defaulting/prunenulls.go + algorithm.go for nulls and defaults, in one pass.
    """
    if isinstance(value, dict):
        if not (node.object_like or node.preserve_unknown):
            return value  # a mapping where a scalar belongs: `schema.type` says so, once
        return _remember(walk, value, node, _walk_object)
    if isinstance(value, list) and node.items is not None:
        return _remember(walk, value, node, _walk_array)
    return value


def _remember(walk: _Walk, value: Any, node: SchemaNode, step: Any) -> Any:
    # YAML aliases share containers: walk each (container, schema node) pair once, so a
    # "billion laughs" document costs its size in the file, not its expanded size.
    key = (id(value), id(node))
    known = walk.memo.get(key)
    if known is _IN_PROGRESS:
        walk.suspect = True  # a cycle: `_expanded_size` reports it
        return value
    if known is not None:
        return known
    walk.memo[key] = _IN_PROGRESS
    result = step(walk, value, node)
    walk.memo[key] = result
    return result


def _walk_object(walk: _Walk, value: dict[str, Any], node: SchemaNode) -> Any:
    root = not walk.path
    result: dict[str, Any] | None = None  # the copy, made on the first change
    for key, child in value.items():
        schema = node.properties.get(key) or node.additional
        if schema is None:
            if node.preserve_unknown or ((root or node.embedded_resource) and key in _META_FIELDS):
                continue
            # The API server's words, then the field the author most likely meant (`mirrorUrl`).
            message = f'unknown field "{walk.dotted(key)}"' + did_you_mean(key, node.properties)
            walk.findings.append(walk.document.finding(walk.pointer(key), "schema.unknown-field", message))
            if result is None:
                result = dict(value)
            del result[key]
            continue
        if root and key == "metadata":
            # ObjectMeta is validated by metadata.py (schema/objectmeta), not walked here; the CRD
            # may only constrain name and generateName (structural schema rules).
            if child.__class__ is dict:
                for name, field_schema in node.metadata_fields:
                    check = field_schema.check
                    if name in child and check is not None and not check(child[name]):
                        walk.suspect = True
            continue
        if child is None:
            if schema.nullable:
                continue
            if result is None:
                result = dict(value)
            if schema.has_default:
                result[key] = _defaulted(schema)
            else:
                del result[key]  # prunenulls.go: a non-nullable null without default is dropped
            continue
        if root and key == "status" and walk.ignore_status:
            # With the status subresource, create/update through the main resource resets
            # `status` before validation (pkg/registry/customresource/strategy.go,
            # PrepareForCreate/PrepareForUpdate), after strict decoding reported its unknown fields:
            # so what `kubectl apply` says about `status` is the pruning's word alone, mistyped
            # values included (a mapping where a string belongs has only unknown fields).
            if child.__class__ is dict or child.__class__ is list:
                walk.path.append(key)
                _prune_only(walk, child, schema, set())
                walk.path.pop()
            if result is None:
                result = dict(value)
            del result[key]
            continue
        if child.__class__ is dict or child.__class__ is list:
            walk.path.append(key)
            new = _walk(walk, child, schema)
            walk.path.pop()
        else:
            new = child
        if schema.check is not None and not schema.check(new):
            walk.suspect = True
        if new is not child:
            if result is None:
                result = dict(value)
            result[key] = new
    for key, schema in node.defaulted:
        if key not in value:
            if result is None:
                result = dict(value)
            result[key] = _defaulted(schema)
    return value if result is None else result


def _prune_only(walk: _Walk, value: Any, node: SchemaNode | None, seen: set[tuple[int, int]]) -> None:
    """Report the fields pruning drops from `value`, exactly as pruning/algorithm.go `prune` does.

    Unlike `_walk`, which leaves a mistyped container to `schema.type`, this follows upstream
    where the value's shape and the schema disagree: a mapping whose schema declares no
    properties (a string, say) has every key pruned, and so has each mapping in a list whose
    schema has no `items`. Used where nothing but pruning judges the value (a `status` the
    server drops). Each (container, schema) pair is walked once, so aliases cost their size.
    """
    key = (id(value), id(node))
    if key in seen:
        return
    seen.add(key)
    if node is not None and node.preserve_unknown:
        _skip_prune(walk, value, node, seen)
        return
    if isinstance(value, dict):
        for name, child in value.items():
            if node is not None and node.embedded_resource and name in _META_FIELDS:
                continue
            schema = None if node is None else node.properties.get(name) or node.additional
            if schema is None:
                message = f'unknown field "{walk.dotted(name)}"'
                if node is not None:
                    message += did_you_mean(name, node.properties)
                walk.findings.append(
                    walk.document.finding(walk.pointer(name), "schema.unknown-field", message)
                )
                continue
            if child.__class__ is dict or child.__class__ is list:
                walk.path.append(name)
                _prune_only(walk, child, schema, seen)
                walk.path.pop()
    elif isinstance(value, list):
        items = None if node is None else node.items
        for index, child in enumerate(value):
            if child.__class__ is dict or child.__class__ is list:
                walk.path.append(index)
                _prune_only(walk, child, items, seen)
                walk.path.pop()


def _skip_prune(walk: _Walk, value: Any, node: SchemaNode, seen: set[tuple[int, int]]) -> None:
    # algorithm.go `skipPrune` (x-kubernetes-preserve-unknown-fields): unknown keys stay, known
    # ones are pruned below; list items are skip-pruned with the item schema.
    key = (id(value), -id(node))
    if key in seen:
        return
    seen.add(key)
    if isinstance(value, dict):
        for name, child in value.items():
            if node.embedded_resource and name in _META_FIELDS:
                continue
            schema = node.properties.get(name) or node.additional
            if schema is not None and (child.__class__ is dict or child.__class__ is list):
                walk.path.append(name)
                _prune_only(walk, child, schema, seen)
                walk.path.pop()
    elif isinstance(value, list) and node.items is not None:
        for index, child in enumerate(value):
            if child.__class__ is dict or child.__class__ is list:
                walk.path.append(index)
                _skip_prune(walk, child, node.items, seen)
                walk.path.pop()


def _walk_array(walk: _Walk, value: list[Any], node: SchemaNode) -> Any:
    items = node.items
    assert items is not None
    result: list[Any] | None = None
    for index, child in enumerate(value):
        if child is None and not items.nullable:
            # algorithm.go: a null item of a non-nullable item schema with a default is defaulted;
            # prunenulls.go never removes list items (validation reports the null).
            if items.has_default:
                if result is None:
                    result = list(value)
                result[index] = _defaulted(items)
            else:
                walk.suspect = True
            continue
        if child.__class__ is dict or child.__class__ is list:
            walk.path.append(index)
            new = _walk(walk, child, items)
            walk.path.pop()
        else:
            new = child
        if items.check is not None and not items.check(new):
            walk.suspect = True
        if new is not child:
            if result is None:
                result = list(value)
            result[index] = new
    return value if result is None else result


def _defaulted(node: SchemaNode) -> Any:
    """A fresh copy of a node's default, with the defaults of its own fields applied."""
    return _apply_defaults(json.loads(json.dumps(node.default)), node)


def _apply_defaults(value: Any, node: SchemaNode) -> Any:
    # algorithm.go `Default` recurses into the value it has just defaulted.
    if isinstance(value, dict):
        for key, schema in node.defaulted:
            if key not in value or (value[key] is None and not schema.nullable):
                value[key] = json.loads(json.dumps(schema.default))
        for key, child in value.items():
            child_schema = node.properties.get(key) or node.additional
            if child_schema is not None:
                _apply_defaults(child, child_schema)
    elif isinstance(value, list) and node.items is not None:
        for child in value:
            _apply_defaults(child, node.items)
    return value


def _schema_finding(document: Document, error: ValidationError) -> Finding:
    """One jsonschema error as a Finding, worded like apiextensions' field errors.

    pkg/apiserver/validation/validation.go `kubeOpenAPIResultToFieldErrors` maps kube-openapi
    results to field.Required / NotSupported / TooLong / TooMany / TypeInvalid / Invalid.
    """
    keyword = str(error.validator)
    # `allOf` never reaches us as itself: jsonschema reports the failing branch's own keyword,
    # which is what the API server does too.
    rule = schema_rule(keyword)
    parts = list(error.absolute_path)
    pointer = ""
    for part in parts:
        pointer = join_pointer(pointer, part)
    expected: Any = error.validator_value
    instance: Any = error.instance
    node: Any = error.schema
    if keyword == "required":
        present = instance if isinstance(instance, dict) else {}
        missing = [name for name in expected if name not in present]
        message = "Required value: " + ", ".join(dotted_path([*parts, name]) for name in missing)
    elif keyword == "type":
        wanted = [expected] if isinstance(expected, str) else [t for t in expected if t != "null"]
        message = f"expected {' or '.join(wanted)}, got {json_type(instance)}"
    elif keyword == "enum":
        supported = ", ".join(show_value(v) for v in expected if v is not None)
        message = f"Unsupported value: {show_value(instance)}: supported values: {supported}"
    elif keyword == "pattern":
        message = f"Invalid value: {show_value(instance)}: should match '{expected}'"
    elif keyword in ("minimum", "maximum"):
        exclusive = node.get("exclusiveMinimum" if keyword == "minimum" else "exclusiveMaximum") is True
        relation = "greater than" if keyword == "minimum" else "less than"
        message = f"Invalid value: {show_value(instance)}: should be {relation}{'' if exclusive else ' or equal to'} {expected}"
    elif keyword == "minLength":
        message = f"Invalid value: {show_value(instance)}: should be at least {expected} chars long"
    elif keyword == "maxLength":
        message = f"Too long: may not be more than {expected} bytes"
    elif keyword == "minItems":
        message = f"Invalid value: {len(instance)}: should have at least {expected} items"
    elif keyword == "maxItems":
        message = f"Too many: {len(instance)}: must have at most {expected} items"
    elif keyword == "uniqueItems":
        message = "Duplicate value: the items of this list must be unique"
    elif keyword == "minProperties":
        message = f"Invalid value: should have at least {expected} properties"
    elif keyword == "maxProperties":
        message = f"Too many: {len(instance)}: must have at most {expected} properties"
    elif keyword == "multipleOf":
        message = f"Invalid value: {show_value(instance)}: should be a multiple of {expected}"
    elif keyword == "format":
        message = f"Invalid value: {show_value(instance)}: must be of type {expected}"
    elif keyword == "oneOf":
        message = "Invalid value: must validate one and only one schema (oneOf)"
    elif keyword == "anyOf":
        message = "Invalid value: must validate at least one schema (anyOf)"
    elif keyword == "not":
        message = "Invalid value: must not validate the schema (not)"
    else:
        message = error.message
    return document.finding(pointer, rule, message)


def _deduplicated(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str]] = set()
    unique: list[Finding] = []
    for finding in findings:
        # Each CEL rule of a field is its own error on the API server (validateExpressions
        # appends one per failing rule): two rules failing at one path are two findings.
        key = (finding.path, finding.rule, finding.message if finding.rule.startswith("cel.") else "")
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    if len(unique) > 1:
        unique.sort(key=lambda f: (f.line, f.column, f.rule, f.path))
    return unique
