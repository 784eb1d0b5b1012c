"""How findings name values and places: JSON types, short values and field paths.

Shared by every module that turns a schema violation into a message, so a type is called
`boolean` and a path `spec.ports[0].name` the same way everywhere, as the API server prints them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from mkdocs_appreg.engine.documents import join_pointer

SHOWN_CHARACTERS = 80


def json_type(value: Any) -> str:
    """The JSON Schema type name of a YAML value (`boolean`, `integer`, `object`, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def show_value(value: Any) -> str:
    """A value as JSON, cut to one short line for a message."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 3] + "..."


def dotted_path(parts: Iterable[str | int]) -> str:
    """`spec.items[0].name`: the form of apimachinery's `field.Path.String()`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def pointer_of(parts: Iterable[str | int]) -> str:
    """The JSON Pointer of a path given as its parts."""
    pointer = ""
    for part in parts:
        pointer = join_pointer(pointer, part)
    return pointer


# jsonschema keyword -> rule id, for CRD schemas (validate.py) and core kinds (corekinds.py) alike:
# `schema.` and the keyword in kebab case (`minLength` -> `schema.min-length`), except where the
# API server's own word for the error is another (an unknown field is pruned, not "additional").
_SCHEMA_RULES = {"additionalProperties": "schema.unknown-field"}


def schema_rule(keyword: str) -> str:
    """The rule id of a jsonschema error raised by `keyword`."""
    rule = _SCHEMA_RULES.get(keyword)
    return rule if rule is not None else f"schema.{re.sub(r'(?<!^)(?=[A-Z])', '-', keyword).lower()}"
