"""How `kubectl` turns YAML scalars into JSON values: gopkg.in/yaml.v2, then sigs.k8s.io/yaml.

`kubectl apply -f` reads a manifest with sigs.k8s.io/yaml `YAMLToJSON`: go-yaml v2 decodes each
document into `interface{}` (resolve.go `resolve`, decode.go `d.scalar`), `convertToJSONableObject`
turns map keys into strings, `json.Marshal` writes JSON, and the API server decodes that JSON with
integers kept as int64 (k8s.io/apimachinery pkg/util/json). PyYAML's YAML 1.1 resolver differs
from that chain in many places (`y`, `1e3`, `1:20`, `0o17`, `!!binary`, `=`, NaN...), so the
loader in documents.py asks this module instead, for every plain or tagged scalar.

Everything here follows gopkg.in/yaml.v2 v2.4.0 `resolve.go` and sigs.k8s.io/yaml `yaml.go`
(read from their sources); each branch names the line of Go it mirrors.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from typing import Any

NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
STR = "tag:yaml.org,2002:str"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
BINARY = "tag:yaml.org,2002:binary"
MERGE = "tag:yaml.org,2002:merge"

# resolve.go: tags `resolve` knows; any other tag on a scalar leaves its text a string.
_RESOLVABLE = frozenset({"", STR, BOOL, INT, FLOAT, NULL, TIMESTAMP})

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1

# resolve.go init(): the first byte of a plain scalar says what it may be.
_HINTS: dict[str, str] = {"+": "S", "-": "S", ".": "."}
_HINTS.update(dict.fromkeys("0123456789", "D"))
_HINTS.update(dict.fromkeys("yYnNtTfFoO~", "M"))

_NAN = float("nan")
_INF = float("inf")
# resolve.go resolveMapList (v2: `y`, `n`, `on`, `off`... are booleans; YAML 1.1).
_MAP: dict[str, tuple[str, Any]] = {}
for _tag, _value, _words in (
    (BOOL, True, ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")),
    (BOOL, False, ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")),
    (NULL, None, ("", "~", "null", "Null", "NULL")),
    (FLOAT, _NAN, (".nan", ".NaN", ".NAN")),
    (FLOAT, _INF, (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")),
    (FLOAT, -_INF, ("-.inf", "-.Inf", "-.INF")),
    (MERGE, "<<", ("<<",)),
):
    for _word in _words:
        _MAP[_word] = (_tag, _value)

# resolve.go yamlStyleFloat, verbatim.
_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
# strconv.ParseFloat for text starting with ".": Go's decimal float syntax, underscores allowed
# only between digits (strconv underscoreOK).
_DOT_FLOAT = re.compile(r"^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$")
_DIGITS = {
    16: re.compile(r"^[0-9a-fA-F]+$"),
    10: re.compile(r"^[0-9]+$"),
    8: re.compile(r"^[0-7]+$"),
    2: re.compile(r"^[01]+$"),
}


class DecodeError(Exception):
    """go-yaml refuses the scalar (`cannot decode !!str `x` as a !!int`, bad `!!binary`)."""


def _parse_int_base0(text: str, *, signed: bool) -> int | None:
    """strconv.ParseInt(s, 0, 64) (signed) or strconv.ParseUint(s, 0, 64); None when it fails."""
    body = text
    negative = False
    if signed and body[:1] in ("+", "-"):
        negative = body[0] == "-"
        body = body[1:]
    base = 10
    prefix = body[:2].lower()
    if prefix == "0x":
        base, body = 16, body[2:]
    elif prefix == "0o":
        base, body = 8, body[2:]
    elif prefix == "0b":
        base, body = 2, body[2:]
    elif body[:1] == "0" and len(body) > 1:
        base, body = 8, body[1:]  # a leading 0 is octal in Go's base-0 syntax (`017` is 15)
    if not body or not _DIGITS[base].match(body):
        return None
    value = int(body, base)
    if negative:
        value = -value
    if signed:
        return value if _INT64_MIN <= value <= _INT64_MAX else None
    return value if value <= _UINT64_MAX else None


def _finite(text: str) -> float | None:
    # strconv.ParseFloat fails with ErrRange on overflow (`1e400`): the scalar stays a string.
    value = float(text)
    return None if math.isinf(value) else value


def resolve(tag: str, text: str) -> tuple[str, Any]:
    """resolve.go `resolve(tag, in)`: the resolved tag and Go value of a scalar.

    Args:
        tag: The explicit tag (long form), or `""` for a plain scalar.
        text: The scalar's text.

    Returns:
        `(tag, value)`: value is None, a bool, an int (int64 or uint64 range), a float or a str.

    Raises:
        DecodeError: An explicit tag the text cannot have (`!!int 1.5`).
    """
    if tag not in _RESOLVABLE:
        return tag, text
    resolved, value = _resolve_plain(text) if tag not in (STR, BINARY) else (STR, text)
    # The deferred check of resolve.go: an explicit tag must agree with what the text is,
    # except that an int is accepted (and converted) as a float.
    if tag in ("", resolved, STR):
        return resolved if tag != STR else STR, value if tag != STR else text
    if tag == FLOAT and resolved == INT:
        return FLOAT, float(value)
    if tag == TIMESTAMP and resolved == STR and _looks_like_timestamp(text):
        return TIMESTAMP, text
    raise DecodeError(f"cannot decode {_short(resolved)} `{text}` as a {_short(tag)}")


def _short(tag: str) -> str:
    return "!!" + tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag


def _resolve_plain(text: str) -> tuple[str, Any]:
    hint = _HINTS.get(text[:1], "N" if not text else "")
    if not hint:
        return STR, text
    item = _MAP.get(text)
    if item is not None:
        return item
    if hint == ".":
        if _DOT_FLOAT.match(text):
            value = _finite(text.replace("_", ""))
            if value is not None:
                return FLOAT, value
        return STR, text
    if hint in ("D", "S"):
        # A timestamp (`2001-12-14`) decodes into interface{} as its text (decode.go d.scalar,
        # "for backward compatibility"), which is also what every failed parse below gives.
        plain = text.replace("_", "")
        number = _parse_int_base0(plain, signed=True)
        if number is None:
            number = _parse_int_base0(plain, signed=False)
        if number is not None:
            return INT, number
        if _YAML_STYLE_FLOAT.match(plain):
            value = _finite(plain)
            if value is not None:
                return FLOAT, value
        # resolve.go's own "0b"/"-0b" branches parse what ParseInt's base 0 already did.
    return STR, text


def _looks_like_timestamp(text: str) -> bool:
    # resolve.go parseTimestamp's quick check; an explicit !!timestamp decodes to the text.
    return len(text) > 4 and text[:4].isdigit() and text[4] == "-"


def binary_string(text: str) -> str:
    """decode.go d.scalar for `!!binary`: the base64-decoded bytes, as JSON then shows a Go string.

    Go's base64.StdEncoding skips line breaks; json.Marshal replaces invalid UTF-8 by U+FFFD.
    """
    try:
        data = base64.b64decode(text.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError("!!binary value contains invalid base64 data") from None
    return data.decode("utf-8", errors="replace")


def json_value(tag: str, value: Any) -> Any:
    """The value after `json.Marshal` and the API server's JSON decoding (ints kept as int64).

    An integer beyond int64 (a uint64, or wider) comes back a float; a whole float that Go
    prints without an exponent (`1e3` is `1000`) comes back an integer.
    """
    if tag == INT:
        return value if _INT64_MIN <= value <= _INT64_MAX else float(value)
    if tag == FLOAT and value.is_integer() and -(2.0**63) <= value < 2.0**63:
        return int(value)
    return value


def not_json(value: Any) -> str | None:
    """Why json.Marshal refuses a decoded value (`json: unsupported value: NaN`), or None."""
    if value.__class__ is float and (math.isnan(value) or math.isinf(value)):
        shown = "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
        return f"json: unsupported value: {shown}"
    return None


def key_string(tag: str, value: Any) -> str:
    """sigs.k8s.io/yaml convertToJSONableObject: a decoded map key as a JSON object key.

    Raises:
        DecodeError: A key JSON cannot have: null, or an integer only uint64 holds.
    """
    if tag in (STR, BINARY, TIMESTAMP) or value.__class__ is str:
        return str(value)
    if tag == BOOL:
        return "true" if value else "false"
    if tag == INT:
        if value > _INT64_MAX:
            raise DecodeError(f"unsupported map key of type: uint64, key: {value}")
        return str(value)
    if tag == FLOAT:
        return format_float32_g(value)
    raise DecodeError("unsupported map key of type: <nil>, key: <nil>")


def format_float32_g(value: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 32), with YAML's names for NaN and the infinities."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    single = struct.unpack("f", struct.pack("f", value))[0] if abs(value) < 3.5e38 else value
    if math.isinf(single) or abs(value) >= 3.4028235677973366e38:
        return ".inf" if value > 0 else "-.inf"
    if single == 0:
        return "-0" if math.copysign(1.0, single) < 0 else "0"
    # The shortest decimal that reads back as the same float32 (Go's shortest formatting).
    for digits in range(1, 10):
        text = f"{single:.{digits - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    mantissa, exponent_text = text.split("e")
    exponent = int(exponent_text)
    significant = mantissa.replace(".", "").lstrip("-")
    sign = "-" if single < 0 else ""
    # ftoa.go: with the shortest precision, %e when the exponent is below -4 or at least 6.
    if exponent < -4 or exponent >= 6:
        tail = significant[1:]
        body = significant[0] + ("." + tail if tail else "")
        return f"{sign}{body}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{significant}"
    whole = significant[: exponent + 1].ljust(exponent + 1, "0")
    fraction = significant[exponent + 1 :]
    return f"{sign}{whole}{'.' + fraction if fraction else ''}"
