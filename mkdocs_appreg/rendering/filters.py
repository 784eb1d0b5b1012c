"""The filters templates get on top of Jinja's built-in ones: base64, YAML/JSON dumps, quoting.

Every one returns text that is safe inside a YAML stream (see `_yaml_safe`).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml
from jinja2.exceptions import UndefinedError
from jinja2.runtime import Undefined


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
#
# Characters a YAML stream may not contain raw, or that YAML would read as a line break inside a
# quoted scalar: C1 controls (NEL included), DEL, LS, PS, lone surrogates and the non-characters.
@functools.cache
def _yaml_unsafe() -> re.Pattern[str]:
    return re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _fail_if_undefined(value: Any) -> None:
    if isinstance(value, Undefined):
        # StrictUndefined raises the usual `'x' is undefined` (or the sandbox's SecurityError).
        value._fail_with_undefined_error()


def _yaml_safe(text: str) -> str:
    if text.isascii() and "\x7f" not in text:
        return text  # the usual value; the pattern's class costs `re` ~4 M instructions to compile
    return _yaml_unsafe().sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def b64encode(value: str | bytes) -> str:
    """Standard padded base64 of a string (UTF-8) or bytes, as Kubernetes Secret `data` wants.

    Args:
        value: The text or bytes to encode.

    Returns:
        The base64 text, e.g. `{{ "admin" | b64encode }}` gives `YWRtaW4=`.

    Raises:
        TypeError: `value` is neither a string nor bytes (use `| string` first for numbers).
    """
    _fail_if_undefined(value)
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes):
        raise TypeError(f"b64encode expects a string or bytes, got {type(value).__name__}")
    return base64.b64encode(value).decode("ascii")


def b64decode(value: str | bytes) -> str:
    """Decode standard padded base64 into UTF-8 text (the inverse of `b64encode`).

    Raises:
        TypeError: `value` is neither a string nor bytes.
        ValueError: `value` is not valid base64, or does not decode to UTF-8 text.
    """
    _fail_if_undefined(value)
    if not isinstance(value, (str, bytes)):
        raise TypeError(f"b64decode expects a string or bytes, got {type(value).__name__}")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"b64decode: not valid base64 ({exc})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("b64decode: the decoded bytes are not UTF-8 text") from None


def to_yaml(value: Any) -> str:
    """Dump a value as block-style YAML, keys in their given order, without a trailing newline.

    Like Helm's `toYaml`, the final newline and the `...` end marker PyYAML adds after a bare
    scalar are removed, so `{{ spec | to_yaml | indent(2) }}` composes into a surrounding line.
    Long strings are not folded.

    Raises:
        yaml.representer.RepresenterError: the value holds an object YAML cannot represent.
    """
    _fail_if_undefined(value)
    text = yaml.safe_dump(value, default_flow_style=False, sort_keys=False, allow_unicode=True, width=1 << 30)
    if text.endswith("\n...\n"):
        text = text[: -len("...\n")]
    return _yaml_safe(text[:-1] if text.endswith("\n") else text)


def to_json(value: Any, indent: int | None = None) -> str:
    """Dump a value as JSON (keys in their given order, non-ASCII kept), a valid YAML flow value.

    Unlike Jinja's `tojson` it does not HTML-escape `<`, `>`, `&` and `'`, which would change
    the value inside YAML.

    Args:
        value: What to dump.
        indent: Pretty-print with this many spaces per level; one line when `None`.
    """
    _fail_if_undefined(value)
    return _yaml_safe(json.dumps(value, ensure_ascii=False, indent=indent))


def quote(value: str | int | float | bool) -> str:
    """A YAML double-quoted scalar holding `value` as a string (`{{ pin | quote }}` -> `"0042"`).

    JSON string syntax is a subset of YAML's double-quoted style; characters YAML would read as
    line breaks or rejects are escaped too. Booleans become `"true"`/`"false"`.

    Raises:
        TypeError: `value` is not a string, number or boolean.
    """
    _fail_if_undefined(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (str, int, float)):
        text = str(value)
    else:
        raise TypeError(f"quote expects a string, number or boolean, got {type(value).__name__}")
    return _yaml_safe(json.dumps(text, ensure_ascii=False))


def required(value: Any, message: str | None = None) -> Any:
    """Fail the render unless `value` is defined, not `None` and not `""`; return it unchanged.

    `{{ registry.url | required("set registry.url in the vars file") }}` reports the message as a
    `template.undefined` finding on that line.
    """
    if isinstance(value, Undefined):
        if message is None:
            value._fail_with_undefined_error()
        raise UndefinedError(message)
    if value is None or (isinstance(value, str) and not value):
        raise UndefinedError(message or "a required value is empty")
    return value


FILTERS: Mapping[str, Callable[..., Any]] = {
    "b64encode": b64encode,
    "b64decode": b64decode,
    "to_yaml": to_yaml,
    "to_json": to_json,
    "quote": quote,
    "required": required,
}
"""The filters added to Jinja's built-in ones (`indent`, `default`, `join`, ...)."""
