"""What a built-in kind's schema says that no JSON Schema keyword expresses: Quantities and list types.

Two things, found by walking a resource along its kind's schema (`$ref`s into the release's
definitions, `properties`, `additionalProperties`, `items`):

- **Quantities** (`io.k8s.apimachinery.pkg.api.resource.Quantity`: `cpu: 500m`, `memory: 1Gi`).
  The published schema says "a string or a number"; the API server decodes the string with
  `resource.ParseQuantity` (k8s.io/apimachinery pkg/api/resource/quantity.go, `UnmarshalJSON`)
  and refuses the request when it does not parse (`512MB`, `1x`): `core.quantity`, an error.
- **List types** (`x-kubernetes-list-type: map | set`). For a built-in kind these are not
  validation: a create or a client-side `kubectl apply` accepts a duplicate (the field manager
  reads the object with `typed.AllowDuplicates`, k8s.io/apimachinery
  pkg/util/managedfields/internal/structuredmerge.go `Update`), and only the Go validation
  rejects some (duplicate container names, volume names, mount paths...: `native.py`). But
  `kubectl apply --server-side` refuses any duplicate (`Apply` reads the applied object without
  `AllowDuplicates`), and a client-side apply may later drop one of the two (the API server's
  own warnings for env, ports, imagePullSecrets, hostAliases say so: k8s.io/kubernetes
  pkg/api/pod/warnings.go). So a duplicate is `list.duplicate-key` (map) or `list.duplicate`
  (set), a **warning**: the rule ids and wording of the CRD list-type errors, one severity down.

Map keys are compared after the defaulting the API server does before anything sees the object
(`protocol` is `TCP` when absent: SetDefaults_ContainerPort, SetDefaults_ServicePort); an item
missing another key is not compared (server-side apply refuses it for that reason instead).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from typing import Any

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.describe import pointer_of
from mkdocs_appreg.engine.documents import Document, join_pointer
from mkdocs_appreg.engine.listtypes import list_duplicates

QUANTITY_RULE = "core.quantity"

_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_DEFS = "$defs/"

# quantity.go ErrFormatWrong, ErrSuffix, ErrNumeric.
_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_SUFFIX_WRONG = "unable to parse quantity's suffix"
_NUMERIC_WRONG = "unable to parse numeric part of quantity"

# suffix.go: the decimal SI and binary SI suffixes and their exponents (base 10 and 2).
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")
_INT64 = 2**63

# Map keys the API server defaults before validation (k8s.io/kubernetes pkg/apis/core/v1/defaults.go).
_KEY_DEFAULTS = {"protocol": "TCP"}


@functools.lru_cache(maxsize=1024)  # a site writes the same few quantities over and over
def quantity_problem(text: str) -> str | None:
    """Why `resource.ParseQuantity(strings.TrimSpace(text))` fails; None when it parses.

    A port of quantity.go `ParseQuantity` and `parseQuantityString`, quirks included: a lone
    suffix (`M`, `Gi`) is a quantity of zero, as is `.`; `1.` and `.5` parse.
    """
    s = text.strip(" \t\n\r\v\f\u0085\u00a0")  # Go's strings.TrimSpace: Unicode white space
    if not s:
        return _FORMAT_WRONG
    end, pos = len(s), 0
    if s[0] in "+-":
        pos = 1
    while pos < end and s[pos] == "0":
        pos += 1
    if pos >= end:
        return None  # only zeros: 0
    start = pos
    while pos < end and s[pos] in _DIGITS:
        pos += 1
    num = s[start:pos] or "0"
    denom = ""
    if pos < end and s[pos] == ".":
        pos += 1
        start = pos
        while pos < end and s[pos] in _DIGITS:
            pos += 1
        denom = s[start:pos]
    value = s[:pos]
    suffix_start = pos
    while pos < end and s[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and s[pos] in "+-":
        pos += 1
    while pos < end and s[pos] in _DIGITS:
        pos += 1
    if pos < end:
        return _FORMAT_WRONG
    suffix = s[suffix_start:]
    # suffixHandler.interpret
    if suffix in _DECIMAL:
        binary, exponent = False, _DECIMAL[suffix]
    elif suffix in _BINARY:
        binary, exponent = True, _BINARY[suffix]
    elif len(suffix) > 1 and suffix[0] in "eE" and _go_parse_int64(suffix[1:]) is not None:
        binary, exponent = False, _go_parse_int64(suffix[1:]) or 0
    else:
        return _SUFFIX_WRONG
    # ParseQuantity: the int64 fast path needs no more than the digits it was given; the inf.Dec
    # path (a long number, a binary fraction, a scale below nano) needs one digit in `value`.
    if binary:
        precision = 15 - len(num) - int(exponent * 3 / 10) - 1 if not denom else -1
        fast = precision >= 0
    else:
        fast = 18 - len(num + denom) >= 0 and exponent - len(denom) >= -9
    if not fast and not any(c in _DIGITS for c in value):
        return _NUMERIC_WRONG
    return None


def _go_parse_int64(text: str) -> int | None:
    # strconv.ParseInt(text, 10, 64): an optional sign, ASCII digits, within int64.
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not all(c in _DIGITS for c in digits):
        return None
    number = int(text)
    return number if -_INT64 <= number < _INT64 else None


class CoreWalk:
    """Walks resources of one release along their kind schemas (built once per release).

    Args:
        definitions: The release's `$defs` (`CoreSchemas.definitions()`).
    """

    __slots__ = ("_cycles", "_definitions", "_pending", "_reaching", "_resolved")

    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self._definitions = definitions
        # By id() of a schema node: the nodes live as long as the release's definitions do.
        self._reaching: dict[int, bool] = {}
        self._resolved: dict[int, tuple[dict[str, Any], str | None]] = {}
        self._pending: set[int] = set()  # nodes whose answer is being worked out
        self._cycles = 0  # how many times an unfinished node was asked about

    def findings(self, document: Document, schema: Mapping[str, Any]) -> list[Finding]:
        """The `core.quantity` errors and list-type warnings of one resource (metadata excluded)."""
        value = document.value
        properties = schema.get("properties")
        if not isinstance(value, dict) or not isinstance(properties, dict):
            return []
        found: list[Finding] = []
        seen: set[tuple[int, int]] = set()
        for key, child in value.items():
            sub = properties.get(key)
            if key != "metadata" and isinstance(sub, dict) and self._reaches(sub):
                self._walk(document, child, sub, [key], seen, found)
        return found

    # -- what is worth walking

    def _resolve(self, schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        known = self._resolved.get(id(schema))
        if known is not None:
            return known
        resolved: tuple[dict[str, Any], str | None] = (schema, None)
        ref = schema.get("$ref")
        if isinstance(ref, str) and _DEFS in ref:
            name = ref.rpartition(_DEFS)[2]
            target = self._definitions.get(name)
            resolved = (target if isinstance(target, dict) else {}), name
        self._resolved[id(schema)] = resolved
        return resolved

    def _reaches(self, schema: dict[str, Any]) -> bool:
        """Whether a Quantity or a set/map list lies at or below `schema` (cached per node)."""
        key = id(schema)
        known = self._reaching.get(key)
        if known is not None:
            if key in self._pending:
                self._cycles += 1  # a recursive definition (JSONSchemaProps): not known yet
            return known
        self._reaching[key] = False
        self._pending.add(key)
        cycles = self._cycles
        target, name = self._resolve(schema)
        if name == _QUANTITY or target.get("x-kubernetes-list-type") in ("set", "map"):
            answer = True
        else:
            properties = target.get("properties")
            children = list(properties.values()) if isinstance(properties, dict) else []
            children.extend(target.get(key) for key in ("additionalProperties", "items"))
            answer = any(isinstance(child, dict) and self._reaches(child) for child in children)
        self._pending.discard(key)
        if answer or self._cycles == cycles:
            self._reaching[key] = answer
        else:
            # "No" was found through an unfinished node, which may yet say yes: ask again later.
            del self._reaching[key]
        return answer

    # -- the walk

    def _walk(
        self,
        document: Document,
        value: Any,
        schema: dict[str, Any],
        path: list[str | int],
        seen: set[tuple[int, int]],
        found: list[Finding],
    ) -> None:
        # `path` is turned into a pointer only for a finding: most walks find nothing.
        schema, name = self._resolve(schema)
        if name == _QUANTITY:
            if value.__class__ is str:
                problem = quantity_problem(value)
                if problem is not None:
                    message = f"Invalid value: {json.dumps(value)}: {problem}"
                    found.append(document.finding(pointer_of(path), QUANTITY_RULE, message))
            return
        is_dict = value.__class__ is dict
        if not is_dict and value.__class__ is not list:
            return
        key = (id(value), id(schema))
        if key in seen:  # YAML aliases share containers: each (container, schema) once
            return
        seen.add(key)
        if is_dict:
            properties = schema.get("properties")
            properties = properties if isinstance(properties, dict) else {}
            additional = schema.get("additionalProperties")
            for child_key, child in value.items():
                sub = properties.get(child_key, additional)
                if sub.__class__ is dict and self._reaches(sub):
                    self._walk(document, child, sub, [*path, child_key], seen, found)
            return
        if schema.get("x-kubernetes-list-type") is not None:
            found.extend(_list_type(document, value, schema, pointer_of(path)))
        items = schema.get("items")
        if items.__class__ is dict and self._reaches(items):
            for index, item in enumerate(value):
                self._walk(document, item, items, [*path, index], seen, found)


def _list_type(
    document: Document, value: list[Any], schema: Mapping[str, Any], pointer: str
) -> Iterator[Finding]:
    for index, rule, shown in list_duplicates(value, schema, _KEY_DEFAULTS):
        yield _duplicate(document, join_pointer(pointer, index), rule, shown)


def _duplicate(document: Document, pointer: str, rule: str, shown: str) -> Finding:
    message = (
        f"Duplicate value: {shown}: kubectl apply --server-side refuses it; a client-side apply "
        "keeps both, and a later apply may drop one"
    )
    return document.finding(pointer, rule, message, "warning")
