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

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from mkdocs_appreg.engine.documents import Document, join_pointer

# Kinds returned by `placeholder_kind` / `placeholder_in_value`.
ANGLE = "angle"
CHOICE = "choice"
ENV = "env"
TEMPLATE = "template"
ELLIPSIS = "ellipsis"
TODO = "todo"

# Compiled on first use (every pattern compiled at import is paid for by every build), and
# tried only on text holding the characters it needs: most values (names, URLs, numbers as
# text) are told apart from placeholders without any pattern.
_SOURCES: dict[str, tuple[str, int]] = {
    "ellipsis": (r"^(?:\.{3}|…|<\s*(?:\.{3}|…)\s*>|\[\s*(?:\.{3}|…)\s*\])$", 0),
    # `<x>` whole: anything but angle brackets inside, and something besides spaces.
    "angle": (r"^<(?=[^<>]*\S)[^<>]+>$", 0),
    # `<your-name>` inside a longer value: a word with `-` or `_`, so `a<b>c` and `<br>` stay text.
    "angle_embedded": (r"<[A-Za-z][\w.()]*[-_][\w.()-]*>", 0),
    # `{a|b}` or `[a|b]` as text (a quoted `"{true|false}"`); unquoted, YAML makes it a flow mapping.
    "choice": (r"^(?:\{[^{}|]+(?:\|[^{}|]+)+\}|\[[^\[\]|]+(?:\|[^\[\]|]+)+\])$", 0),
    "env_whole": (r"^\$[A-Za-z_][A-Za-z0-9_]*$", 0),
    "env_braced": (r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?+=-][^}]*)?\}", 0),
    "template": (r"^\{\{.+\}\}$|^\{%.+%\}$", re.DOTALL),
    "todo": (r"^(?:todo|fixme|tbd|changeme|change[-_ ]me|replaceme|replace[-_ ]me|x{3,})$", re.IGNORECASE),
}


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    source, flags = _SOURCES[name]
    return re.compile(source, flags)


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
    first = text[0]
    # Each test first asks for what its pattern cannot match without (a first character, a `$`).
    if ("..." in text or "…" in text) and _pattern("ellipsis").match(text):
        return ELLIPSIS
    if first == "<" and _pattern("angle").match(text):
        return ANGLE
    if first in "{[" and "|" in text and _pattern("choice").match(text):
        return CHOICE
    if first == "{" and _pattern("template").match(text):
        return TEMPLATE
    if first in "tfcrxTFCRX" and _pattern("todo").match(text):
        return TODO
    if "$" in text and (_pattern("env_whole").match(text) or _pattern("env_braced").search(text)):
        return ENV
    if "<" in text and _pattern("angle_embedded").search(text):
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
        return CHOICE if "|" in value[0] and _pattern("choice").match(f"[{value[0]}]") else None
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


def shown(text: str) -> str:
    """A placeholder as a finding quotes it: the `<name>`s and `${NAME}`s of a multi-line value.

    A config file held in a block scalar (`config: |` with a JSON document, an INI profile) is a
    placeholder for the `<AWS_ACCOUNT_ID>` inside it; quoting the whole block would make a message
    of a dozen lines.
    """
    stripped = text.strip()
    if "\n" not in stripped:
        return stripped
    found = [
        (match.start(), match.group(0))
        for name in ("angle_embedded", "env_braced")
        for match in _pattern(name).finditer(stripped)
    ]
    tokens = [token for _, token in sorted(found)]
    if not tokens:
        return stripped.split("\n", 1)[0] + " ..."
    unique = list(dict.fromkeys(tokens))
    more = f" and {len(unique) - 5} more" if len(unique) > 5 else ""
    return ", ".join(unique[:5]) + more + " in a multi-line value"


@functools.cache
def _envsubst_switch() -> re.Pattern[str]:
    # `commonAnnotationsEnvsubst` (Argo CD's Kustomize source) governs `commonAnnotations`; a bare
    # `envsubst` or `envSubst` governs every member beside it.
    return re.compile(r"(?P<field>.*?)[-_]?env[-_]?subst", re.IGNORECASE)


def substituted(value: Any, pointer: str) -> bool:
    """Whether the resource itself turns on environment substitution for the value at `pointer`.

    A controller that substitutes `${NAME}` from its own environment says so with a boolean switch
    beside the field it fills in: `commonAnnotationsEnvsubst: true` next to `commonAnnotations`
    (Argo CD substitutes its build environment, `${ARGOCD_APP_NAME}`, into those annotation
    values), or `envsubst: true` next to every field of its mapping. There the variable is the
    controller's to fill in, not a placeholder the reader replaces. Only such a switch set to
    `true`, on the way from the root to the value, counts.
    """
    current = value
    for token in pointer.split("/")[1:] if pointer else ():
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping):
            for key, switch in current.items():
                if switch is not True or not isinstance(key, str):
                    continue
                match = _envsubst_switch().fullmatch(key)
                if match is not None and match.group("field") in ("", token):
                    return True
            current = current.get(token)
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return False
    return False


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
