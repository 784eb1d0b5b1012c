"""The API server's create-time checks on a core v1 Secret's payload, as findings.

Two layers of the server are reproduced:

- Decoding. `data` is `map[string][]byte`, and Go's encoding/json (like its fork sigs.k8s.io/json
  that the API server uses) decodes a `[]byte` from a JSON string with `base64.StdEncoding`: the
  standard alphabet, `=` padding required, `\\r` and `\\n` skipped, nothing else tolerated.
  `decode_std_base64` ports that decoder (encoding/base64 `Decode` / `decodeQuantum`) so the
  byte offset in the message is the one the server reports.
- `ValidateSecret` (k8s.io/kubernetes/pkg/apis/core/validation/validation.go), which sees `data`
  after `stringData` has been merged into it (k8s.io/kubernetes/pkg/apis/core/v1/conversion.go
  `Convert_v1_Secret_To_core_Secret`: stringData wins): key format, total size, and the keys each
  built-in `type` requires.

Metadata is not checked here: run `metadata.validate_object_meta(document, "/metadata",
namespaced=True)` beside `validate_secret` (a Secret's name rule is `NameIsDNSSubdomain`, the default).
"""

from __future__ import annotations

import binascii
import json
import math
import re
from typing import Any

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, join_pointer, split_pointer
from mkdocs_appreg.engine.metadata import DNS1123_SUBDOMAIN_MAX_LENGTH, max_len_error, regex_error

# The structural openAPIV3Schema of core v1 Secret, for the schema layer. Every field is nullable
# because a JSON null leaves a Go field at its zero value instead of failing. Data values carry no
# format: base64 is checked once, by `validate_secret`, with Go's exact rules.
SECRET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object", "nullable": True},
        "type": {"type": "string", "nullable": True},
        "immutable": {"type": "boolean", "nullable": True},
        "data": {
            "type": "object",
            "nullable": True,
            "additionalProperties": {"type": "string", "nullable": True},
        },
        "stringData": {
            "type": "object",
            "nullable": True,
            "additionalProperties": {"type": "string", "nullable": True},
        },
    },
}

MAX_SECRET_SIZE = 1 * 1024 * 1024  # core.MaxSecretSize

# core.SecretType* and the data keys they need (pkg/apis/core/types.go).
SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"
SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name"
DOCKERCFG = "kubernetes.io/dockercfg"
DOCKERCFG_KEY = ".dockercfg"
DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"
DOCKER_CONFIG_JSON_KEY = ".dockerconfigjson"
BASIC_AUTH = "kubernetes.io/basic-auth"
BASIC_AUTH_KEYS = ("username", "password")
SSH_AUTH = "kubernetes.io/ssh-auth"
SSH_AUTH_KEY = "ssh-privatekey"
TLS = "kubernetes.io/tls"
TLS_KEYS = ("tls.crt", "tls.key")


# --- encoding/base64 StdEncoding, as encoding/json applies it to []byte ------------------------

_STD_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_INVALID = 0xFF
_DECODE_MAP = bytes(_STD_ALPHABET.index(byte) if byte in _STD_ALPHABET else _INVALID for byte in range(256))
_PAD = ord("=")
_NEWLINES = (ord("\n"), ord("\r"))
# What almost every value is: whole quanta of the alphabet, then at most one padded quantum.
_CANONICAL = re.compile(rb"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


class CorruptInputError(ValueError):
    """Go's `base64.CorruptInputError`: the offset of the first byte the decoder refused."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        super().__init__(f"illegal base64 data at input byte {offset}")


def decode_std_base64(src: bytes) -> bytes:
    """Decode like Go's `base64.StdEncoding.Decode`, raising `CorruptInputError` where Go fails.

    Go's decoder is not Python's: it skips `\\r` and `\\n` anywhere, requires padding, ignores
    non-zero trailing bits (StdEncoding is not `.Strict()`), and reports the failing byte offset.
    The loop is `decodeQuantum` transcribed; Go's 8- and 4-byte fast paths only shortcut runs of
    valid characters and do not change the outcome.
    """
    if _CANONICAL.fullmatch(src):
        # Padded, no line breaks, nothing outside the alphabet: Go's decoder and binascii agree
        # here (both ignore non-zero trailing bits), and binascii is C.
        return binascii.a2b_base64(src)
    return _decode_quanta(src)


def _decode_quanta(src: bytes) -> bytes:
    """Go's `decodeQuantum` loop, for every input (the reference the fast path must match)."""
    out = bytearray()
    si, end = 0, len(src)
    while si < end:
        quantum = [0, 0, 0, 0]
        length = 4
        trailing_garbage: int | None = None
        j = 0
        while j < 4:
            if si == end:
                if j == 0:
                    return bytes(out)
                raise CorruptInputError(si - j)  # a quantum cut short: padding is not optional
            byte = src[si]
            si += 1
            value = _DECODE_MAP[byte]
            if value != _INVALID:
                quantum[j] = value
                j += 1
                continue
            if byte in _NEWLINES:
                continue
            if byte != _PAD or j < 2:
                raise CorruptInputError(si - 1)
            if j == 2:  # "==" expected; the first "=" is consumed
                while si < end and src[si] in _NEWLINES:
                    si += 1
                if si == end:
                    raise CorruptInputError(end)
                if src[si] != _PAD:
                    raise CorruptInputError(si - 1)
                si += 1
            while si < end and src[si] in _NEWLINES:
                si += 1
            if si < end:
                trailing_garbage = si
            length = j
            break
        value = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3]
        out += value.to_bytes(3, "big")[: length - 1]
        if trailing_garbage is not None:
            raise CorruptInputError(trailing_garbage)
    return bytes(out)


def _base64_hint(text: str, offset: int) -> str:
    raw = text.encode("utf-8", "surrogatepass")
    placeholder = re.search(r"<[^<>]*>", text)
    if placeholder:
        return (
            f"{placeholder.group(0)} is a placeholder: replace it with the base64 of the real value, "
            "or give the plain value under stringData"
        )
    byte = raw[offset : offset + 1]
    if byte and byte in b"-_":
        return "'-' and '_' belong to the URL-safe alphabet; data needs standard base64 ('+', '/', '=')"
    if byte and byte in b" \t":
        return "only line breaks may appear between base64 characters, not spaces or tabs"
    digits = bytes(b for b in raw if b not in _NEWLINES)
    if all(_DECODE_MAP[b] != _INVALID for b in digits) and len(digits) % 4:
        return (
            "the value is not padded with '=' to a multiple of 4 characters; if it is the plain value, "
            "base64-encode it or move it to stringData"
        )
    return "data values must be standard padded base64; plain values belong under stringData"


# --- ValidateSecret -----------------------------------------------------------------------------

_CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_RE = re.compile(_CONFIG_MAP_KEY_FMT)
_CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"


def is_config_map_key(value: str) -> list[str]:
    """Why `value` cannot be a ConfigMap or Secret key (`IsConfigMapKey`); empty when it can."""
    errors = []
    if len(value.encode("utf-8", "surrogatepass")) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _CONFIG_MAP_KEY_RE.fullmatch(value):
        errors.append(
            regex_error(_CONFIG_MAP_KEY_ERR, _CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name")
        )
    # hasChDirPrefix: keys become file names when a Secret is mounted.
    if value == ".":
        errors.append("must not be '.'")
    elif value == "..":
        errors.append("must not be '..'")
    elif value.startswith(".."):
        errors.append("must not start with '..'")
    return errors


# A plain class (common/records.py says why).
class _Entry:
    """One key of the merged data: its bytes (None when undecodable or mistyped) and where it is."""

    __slots__ = ("payload", "pointer")

    pointer: str
    payload: bytes | None

    def __init__(self, pointer: str, payload: bytes | None) -> None:
        self.pointer = pointer
        self.payload = payload


def validate_secret(document: Document) -> list[Finding]:
    """Check a core v1 Secret's `data`, `stringData` and `type` as the API server does on create.

    Values of the wrong JSON type are left to the schema layer (`SECRET_SCHEMA`), so each problem
    is reported once.

    Args:
        document: The parsed Secret.

    Returns:
        Findings with rules `secret.base64`, `secret.key`, `secret.size`, `secret.type-keys` and
        `secret.dockerconfigjson`, in the order the API server checks.
    """
    secret = document.value
    if not isinstance(secret, dict):
        return []
    findings: list[Finding] = []
    merged: dict[str, _Entry] = {}

    data = secret.get("data")
    if isinstance(data, dict):
        for key, value in data.items():
            pointer = join_pointer("/data", key)
            if value is None:  # null decodes to an empty []byte
                merged[key] = _Entry(pointer, b"")
            elif isinstance(value, str):
                try:
                    merged[key] = _Entry(pointer, decode_std_base64(value.encode("utf-8", "surrogatepass")))
                except CorruptInputError as error:
                    merged[key] = _Entry(pointer, None)
                    message = f"{error}: {_base64_hint(value, error.offset)}"
                    findings.append(document.finding(pointer, "secret.base64", message))
            else:  # mistyped: the schema layer reports it, but the key is there
                merged[key] = _Entry(pointer, None)

    string_data = secret.get("stringData")
    if isinstance(string_data, dict):
        for key, value in string_data.items():
            text = "" if value is None else value
            payload = (
                text.encode("utf-8", "surrogatepass") if isinstance(text, str) else None
            )  # None: mistyped
            merged[key] = _Entry(join_pointer("/stringData", key), payload)

    for key, entry in merged.items():
        messages = is_config_map_key(key)
        if messages:
            message = f"Invalid value: {json.dumps(key)}: " + "; ".join(messages)
            findings.append(document.finding(entry.pointer, "secret.key", message))

    total = sum(len(entry.payload) for entry in merged.values() if entry.payload is not None)
    if total > MAX_SECRET_SIZE:
        pointer = "/data" if isinstance(data, dict) else "/stringData"
        findings.append(
            document.finding(
                pointer,
                "secret.size",
                f"Too long: may not be more than {MAX_SECRET_SIZE} bytes (data and stringData decode to {total})",
            )
        )

    secret_type = secret.get("type")
    if isinstance(secret_type, str):
        findings += _type_findings(document, secret_type, merged)
    return findings


def _type_findings(document: Document, secret_type: str, merged: dict[str, _Entry]) -> list[Finding]:
    """The `switch secret.Type` of ValidateSecret; Opaque, "" and unknown types need nothing."""
    findings: list[Finding] = []

    def missing(key: str, message: str) -> None:
        findings.append(_missing_key(document, key, message))

    if secret_type == SERVICE_ACCOUNT_TOKEN:
        metadata = document.value.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        name = annotations.get(SERVICE_ACCOUNT_NAME_KEY) if isinstance(annotations, dict) else None
        if not isinstance(name, str) or not name:
            pointer = join_pointer("/metadata/annotations", SERVICE_ACCOUNT_NAME_KEY)
            message = f"Required value: type {secret_type} needs the annotation {SERVICE_ACCOUNT_NAME_KEY}"
            findings.append(document.finding(pointer, "secret.type-keys", message))
    elif secret_type in (DOCKERCFG, DOCKER_CONFIG_JSON):
        key = DOCKERCFG_KEY if secret_type == DOCKERCFG else DOCKER_CONFIG_JSON_KEY
        entry = merged.get(key)
        if entry is None:
            missing(key, f"Required value: type {secret_type} needs the key {key}")
        elif entry.payload is not None:
            problem = _json_object_problem(entry.payload)
            if problem:
                findings.append(document.finding(entry.pointer, "secret.dockerconfigjson", problem))
    elif secret_type == BASIC_AUTH:
        # Either key may be empty, but one must be present.
        # Go reports both keys (`field.Required(dataPath.Key(...))` for username, then password).
        if not any(key in merged for key in BASIC_AUTH_KEYS):
            for key in BASIC_AUTH_KEYS:
                missing(
                    key, f"Required value: type {secret_type} needs the key username or password (or both)"
                )
    elif secret_type == SSH_AUTH:
        entry = merged.get(SSH_AUTH_KEY)
        # `len(secret.Data[...]) == 0`: an empty value counts as missing; an undecodable one is
        # already a secret.base64 finding.
        if entry is None or entry.payload == b"":
            missing(SSH_AUTH_KEY, f"Required value: type {secret_type} needs a non-empty key {SSH_AUTH_KEY}")
    elif secret_type == TLS:
        for key in TLS_KEYS:
            if key not in merged:
                missing(key, f"Required value: type {secret_type} needs the key {key}")
    return findings


def _missing_key(document: Document, key: str, message: str) -> Finding:
    """A finding for a required data key, at the API server's field path `data[<key>]`.

    ValidateSecret sees `data` after `stringData` is merged into it, so its error is always at
    `data[<key>]` (`dataPath.Key(...)`), even for a Secret written with `stringData` only: the
    path is `/data/<key>`. The line is where the reader can act: the key itself when written
    (present but empty), else the `data` mapping, else `stringData`, else `type`.
    """
    secret = document.value
    pointer = join_pointer("/data", key)
    finding = document.finding(pointer, "secret.type-keys", message)
    for place in (pointer, join_pointer("/stringData", key), "/data", "/stringData", "/type"):
        if _present(secret, place):
            line, column = document.locate(place)
            return finding.moved(file=finding.file, line=line, column=column)
    return finding


def _present(value: Any, pointer: str) -> bool:
    """Whether `pointer` names a member of `value` (mappings only, as a Secret's are)."""
    for token in split_pointer(pointer):
        if not isinstance(value, dict) or token not in value:
            return False
        value = value[token]
    return True


def _reject_constant(token: str) -> Any:
    raise ValueError(f"invalid character '{token[0]}' looking for beginning of value")


def _go_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):  # Go's float64 decoding fails where Python would make inf
        raise ValueError(f"number {text} is out of range for float64")
    return number


def _json_object_problem(payload: bytes) -> str | None:
    """Why `json.Unmarshal(payload, &map[string]interface{}{})` fails in Go; None if it succeeds."""
    # Go replaces invalid UTF-8 inside strings with U+FFFD; outside strings it is a syntax error
    # either way.
    text = payload.decode("utf-8", "replace")
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_go_float, parse_int=_go_float)
    except ValueError as error:
        return f"invalid JSON: {error}"
    if value is not None and not isinstance(value, dict):  # null unmarshals to a nil map
        kind = {bool: "bool", str: "string", list: "array"}.get(type(value), "number")
        return f"invalid JSON: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    return None
