"""Recognise the placeholders authors leave in examples: `<base64(username)>`, `{true|false}`, `${HOST}`.

A placeholder is not a defect of the example's shape but of its content: the reader must replace
it. Telling one apart lets the checker say "`{true|false}` is a placeholder where a boolean is
expected" instead of "expected boolean, got object".

False positives are worse than misses here (a real value reported as a placeholder hides a real
error), so a value must *be* a placeholder as a whole, with two exceptions that cannot occur in a
real value by accident: `${VAR}` (shell or envsubst syntax) and a hyphenated or underscored
`<your-name>` inside a longer string such as `https://<your-catalog>.git`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .documents import Document, join_pointer

# Kinds returned by `placeholder_kind` / `placeholder_in_value`.
ANGLE = "angle"
CHOICE = "choice"
ENV = "env"
TEMPLATE = "template"
ELLIPSIS = "ellipsis"
TODO = "todo"

_RE_ELLIPSIS = re.compile(r"^(?:\.{3}|…|<\s*(?:\.{3}|…)\s*>|\[\s*(?:\.{3}|…)\s*\])$")
# `<x>` whole: anything but angle brackets inside, and something besides spaces.
_RE_ANGLE = re.compile(r"^<(?=[^<>]*\S)[^<>]+>$")
# `<your-name>` inside a longer value: a word with `-` or `_`, so `a<b>c` and `<br>` stay text.
_RE_ANGLE_EMBEDDED = re.compile(r"<[A-Za-z][\w.()]*[-_][\w.()-]*>")
# `{a|b}` or `[a|b]` as text (a quoted `"{true|false}"`); unquoted, YAML makes it a flow mapping.
_RE_CHOICE = re.compile(r"^(?:\{[^{}|]+(?:\|[^{}|]+)+\}|\[[^\[\]|]+(?:\|[^\[\]|]+)+\])$")
_RE_ENV_WHOLE = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_]*$")
_RE_ENV_BRACED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?+=-][^}]*)?\}")
_RE_TEMPLATE = re.compile(r"^\{\{.+\}\}$|^\{%.+%\}$", re.DOTALL)
_RE_TODO = re.compile(
    r"^(?:todo|fixme|tbd|changeme|change[-_ ]me|replaceme|replace[-_ ]me|x{3,})$", re.IGNORECASE
)


def placeholder_kind(value: str) -> str | None:
    """The kind of placeholder a scalar string is, or `None` for a real value.

    Args:
        value: A string value as parsed from YAML.

    Returns:
        `"ellipsis"` (`...`, `<...>`), `"angle"` (`<base64(username)>`, or `<your-name>` inside a
        longer value), `"choice"` (`{true|false}` written as a string), `"template"` (`{{ var }}`),
        `"env"` (`$VAR` as the whole value, `${VAR}` anywhere), `"todo"` (`TODO`, `CHANGEME`,
        `REPLACE_ME`, `xxx`), or `None`.
    """
    text = value.strip()
    if not text:
        return None
    if _RE_ELLIPSIS.match(text):
        return ELLIPSIS
    if _RE_ANGLE.match(text):
        return ANGLE
    if _RE_CHOICE.match(text):
        return CHOICE
    if _RE_TEMPLATE.match(text):
        return TEMPLATE
    if _RE_TODO.match(text):
        return TODO
    if _RE_ENV_WHOLE.match(text) or _RE_ENV_BRACED.search(text):
        return ENV
    if _RE_ANGLE_EMBEDDED.search(text):
        return ANGLE
    return None


def _choice_key(value: Mapping[Any, Any]) -> str | None:
    """`{true|false}` unquoted is the flow mapping `{"true|false": None}`: its one key, if so."""
    if len(value) != 1:
        return None
    key, member = next(iter(value.items()))
    if member is None and isinstance(key, str) and "|" in key and "{" not in key:
        return key
    return None


def placeholder_in_value(value: Any) -> str | None:
    """Like `placeholder_kind`, also for the objects YAML makes of unquoted placeholders.

    `{true|false}` parses as `{"true|false": None}` and `[a|b]` as `["a|b"]`; both are `"choice"`.
    Other mappings, lists, numbers, booleans and null are never placeholders.
    """
    if isinstance(value, str):
        return placeholder_kind(value)
    if isinstance(value, Mapping):
        return CHOICE if _choice_key(value) is not None else None
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return CHOICE if _RE_CHOICE.match(f"[{value[0]}]") else None
    return None


def placeholder_text(value: Any) -> str:
    """The placeholder as the author wrote it: `{true|false}` for the parsed mapping."""
    if isinstance(value, Mapping):
        return f"{{{_choice_key(value)}}}"
    if isinstance(value, list):
        return f"[{value[0]}]"
    return str(value)


def _walk(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if placeholder_in_value(value) is not None:
        yield pointer, value
    elif isinstance(value, Mapping):
        for key, member in value.items():
            yield from _walk(member, join_pointer(pointer, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, join_pointer(pointer, index))


def _subschemas(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield schema
    for keyword in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(keyword) or ():
            if isinstance(sub, Mapping):
                yield sub


def _child(schema: Mapping[str, Any], token: str) -> Mapping[str, Any] | None:
    """The schema of member or item `token` (structural CRD schemas: properties, items, additional)."""
    for sub in _subschemas(schema):
        properties = sub.get("properties")
        if isinstance(properties, Mapping) and isinstance(properties.get(token), Mapping):
            return properties[token]  # type: ignore[no-any-return]
        items = sub.get("items")
        if token.isdigit() and isinstance(items, Mapping):
            return items
        additional = sub.get("additionalProperties")
        if isinstance(additional, Mapping):
            return additional
    return None


def schema_at(schema: Mapping[str, Any] | None, pointer: str) -> Mapping[str, Any] | None:
    """The subschema describing the node at `pointer`, or `None` when the schema does not say."""
    current = schema
    for token in pointer.split("/")[1:] if pointer else ():
        if current is None:
            return None
        current = _child(current, token.replace("~1", "/").replace("~0", "~"))
    return current


# OpenAPI `format` names as a reader would say them (k8s.io/kube-openapi: `byte` is base64 data).
_FORMAT_WORDS = {"byte": "base64"}


def expected_type(schema: Mapping[str, Any] | None) -> str:
    """What a schema wants, in words: `boolean`, `string (base64)`, `one of: A, B`; `""` if unknown."""
    if schema is None:
        return ""
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return "one of: " + ", ".join(str(choice) for choice in enum)
    if schema.get("x-kubernetes-int-or-string"):
        return "integer or string"
    kind = schema.get("type")
    if not isinstance(kind, str):
        return "any" if schema.get("x-kubernetes-preserve-unknown-fields") else ""
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt:
        return f"{kind} ({_FORMAT_WORDS.get(fmt, fmt)})"
    return kind


def find_placeholders(document: Document, schema: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    """Every placeholder in a document, with what the schema expects in its place.

    Args:
        document: A parsed document.
        schema: The document's OpenAPI v3 schema (a CRD version's `openAPIV3Schema`), or `None`.

    Returns:
        `(json pointer, placeholder text, expected type)` for each placeholder, in document order;
        the expected type is as `expected_type` words it, `""` when the schema does not say.
    """
    return [
        (pointer, placeholder_text(value), expected_type(schema_at(schema, pointer)))
        for pointer, value in _walk(document.value, "")
    ]
