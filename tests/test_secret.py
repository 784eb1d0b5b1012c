"""Secret checks: Go's own base64 tables, size limits, schema, and the coverage of the case files.

The case files under tests/cases/secret are tests of their own (tests/casefiles.py checks each the
way the validate layer does: `validate_object_meta(namespaced=True)` plus `validate_secret`; the
format is in tests/cases/README.md).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import casefiles
from casefiles import case_files, load_case
from mkdocs_appreg.engine.documents import Document, parse_documents
from mkdocs_appreg.engine.secret import (
    MAX_SECRET_SIZE,
    SECRET_SCHEMA,
    CorruptInputError,
    decode_std_base64,
    validate_secret,
)

CASES = casefiles.CASES / "secret"


def only_document(text: str, name: str) -> Document:
    parsed = parse_documents(text, name)
    assert parsed.findings == [], "case files must be valid YAML"
    assert len(parsed.documents) == 1
    return parsed.documents[0]


def test_every_rule_is_covered_by_a_case() -> None:
    rules = {rule for path in case_files("secret", "invalid") for rule, *_ in load_case(path).expected}
    assert rules >= {"secret.base64", "secret.key", "secret.type-keys", "secret.dockerconfigjson"}


def test_status_quo_secret_fails_at_its_published_lines() -> None:
    # The case file is the published file plus header comments; without them the findings must
    # sit where the published page has them: username 9:3, password 10:3.
    path = CASES / "invalid" / "status-quo-placeholders.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    published = "".join(line for line in lines if not line.startswith("#"))
    findings = validate_secret(only_document(published, "authSecretRef.yaml"))
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == [
        ("secret.base64", "/data/username", 9, 3),
        ("secret.base64", "/data/password", 10, 3),
    ]
    assert findings[0].message.startswith(
        "illegal base64 data at input byte 0: <base64(username)> is a placeholder"
    )
    assert "stringData" in findings[0].message


@pytest.mark.parametrize(
    ("value", "offset", "hint"),
    [
        ("YWRtaW4", 4, "not padded"),
        ("-__-", 0, "URL-safe"),
        ("YWRt aW4=", 4, "spaces"),
        ("https://registry.example.com", 5, "stringData"),
    ],
)
def test_base64_message_gives_go_offset_and_a_hint(value: str, offset: int, hint: str) -> None:
    text = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  key: {json.dumps(value)}\n"
    (finding,) = validate_secret(only_document(text, "secret.yaml"))
    assert finding.message.startswith(f"illegal base64 data at input byte {offset}: ")
    assert hint in finding.message


# golang/go src/encoding/base64/base64_test.go, TestDecodeCorrupt: input and the offset Go reports
# (-1: no error). This is the oracle for decode_std_base64.
GO_DECODE_CORRUPT = [
    *[("", -1), ("\n", -1), ("AAA=\n", -1), ("AAAA\n", -1), ("!!!!", 0), ("====", 0), ("x===", 1)],
    *[("=AAA", 0), ("A=AA", 1), ("AA=A", 2), ("AA==A", 4), ("AAA=AAAA", 4), ("AAAAA", 4), ("AAAAAA", 4)],
    *[("A=", 1), ("A==", 1), ("AA=", 3), ("AA==", -1), ("AAA=", -1), ("AAAA", -1), ("AAAAAA=", 7)],
    *[("YWJjZA=====", 8), ("A!\n", 1), ("A=\n", 1)],
]
# TestNewLineCharacters: each decodes to "sure".
GO_NEWLINES = [
    *["c3VyZQ==", "c3VyZQ==\r", "c3VyZQ==\n", "c3VyZQ==\r\n", "c3VyZ\r\nQ==", "c3V\ryZ\nQ=="],
    *["c3V\nyZ\rQ==", "c3VyZ\nQ==", "c3VyZQ\n==", "c3VyZQ=\n=", "c3VyZQ=\r\n\r\n="],
]


@pytest.mark.parametrize(("text", "offset"), GO_DECODE_CORRUPT)
def test_decoder_matches_go_decode_corrupt_table(text: str, offset: int) -> None:
    if offset == -1:
        decode_std_base64(text.encode())
    else:
        with pytest.raises(CorruptInputError) as error:
            decode_std_base64(text.encode())
        assert error.value.offset == offset
        assert str(error.value) == f"illegal base64 data at input byte {offset}"


@pytest.mark.parametrize("text", GO_NEWLINES)
def test_decoder_skips_line_breaks_like_go(text: str) -> None:
    assert decode_std_base64(text.encode()) == b"sure"


def test_decoder_ignores_non_zero_trailing_bits_like_go() -> None:
    # TestDecoderIssue15656: only StdEncoding.Strict() rejects this; the API server uses StdEncoding.
    assert decode_std_base64(b"WvLTlMrX9NpYDQlEIFlnDB==") == base64.b64decode("WvLTlMrX9NpYDQlEIFlnDA==")


@given(
    st.binary(max_size=64), st.lists(st.integers(min_value=0), max_size=4), st.sampled_from(["\n", "\r\n"])
)
def test_decoder_round_trips_standard_base64_with_line_breaks(
    payload: bytes, cuts: list[int], eol: str
) -> None:
    encoded = base64.b64encode(payload).decode()
    for cut in sorted({cut % (len(encoded) + 1) for cut in cuts}, reverse=True):
        encoded = encoded[:cut] + eol + encoded[cut:]
    assert decode_std_base64(encoded.encode()) == payload


@given(st.text(alphabet="AB+/a0=\n-_ ", max_size=16))
def test_decoder_accepts_nothing_python_strict_mode_rejects(text: str) -> None:
    # Go's decoder is stricter than CPython's validating one (it also rejects "AAAA=", which CPython
    # lets through), so anything it accepts CPython must accept, with the same bytes.
    try:
        decoded = decode_std_base64(text.encode())
    except CorruptInputError as error:
        assert 0 <= error.offset <= len(text)
        return
    assert decoded == base64.b64decode(text.replace("\n", ""), validate=True)


def secret_document(
    data: dict[str, str] | None = None, string_data: dict[str, str] | None = None
) -> Document:
    secret: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "big"}}
    if data is not None:
        secret["data"] = data
    if string_data is not None:
        secret["stringData"] = string_data
    return only_document(json.dumps(secret), "big.yaml")


def test_size_limit_counts_decoded_bytes_of_data_and_string_data() -> None:
    half = MAX_SECRET_SIZE // 2
    # base64 is 4/3 larger: the encoded text is over 1 MiB, the decoded payload is exactly 1 MiB.
    at_limit = secret_document({"a": base64.b64encode(b"x" * half).decode()}, {"b": "y" * half})
    assert validate_secret(at_limit) == []
    over = secret_document({"a": base64.b64encode(b"x" * half).decode()}, {"b": "y" * (half + 1)})
    assert [(f.rule, f.path) for f in validate_secret(over)] == [("secret.size", "/data")]


def test_string_data_replaces_data_of_the_same_key_before_the_size_check() -> None:
    # Counted once, at stringData's length: the merge happens before ValidateSecret.
    document = secret_document({"a": base64.b64encode(b"x" * MAX_SECRET_SIZE).decode()}, {"a": "small"})
    assert validate_secret(document) == []


def nullable_to_json_schema(schema: Any) -> Any:
    """OpenAPI's `nullable: true` as JSON Schema draft 4 understands it, for jsonschema."""
    if isinstance(schema, dict):
        converted = {
            key: nullable_to_json_schema(value) for key, value in schema.items() if key != "nullable"
        }
        if schema.get("nullable"):
            converted["type"] = [schema["type"], "null"]
        return converted
    return schema


SECRET_VALIDATOR = jsonschema.Draft4Validator(nullable_to_json_schema(SECRET_SCHEMA))


@pytest.mark.parametrize(
    "path",
    [*case_files("secret", "valid"), CASES / "invalid" / "status-quo-placeholders.yaml"],
    ids=lambda path: path.stem,
)
def test_schema_accepts_well_typed_secrets(path: Path) -> None:
    # The status-quo Secret must pass the schema: its base64 problem is validate_secret's, once.
    document = only_document(path.read_text(encoding="utf-8"), path.name)
    assert [error.message for error in SECRET_VALIDATOR.iter_errors(document.value)] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("immutable", "yes"), ("data", {"a": 1}), ("stringData", {"a": True}), ("type", 3), ("data", ["a"])],
)
def test_schema_rejects_wrong_types(field: str, value: Any) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, field: value}
    assert list(SECRET_VALIDATOR.iter_errors(secret)) != []
    # and validate_secret leaves them to the schema instead of reporting them a second time
    assert validate_secret(only_document(json.dumps(secret), "typed.yaml")) == []


SECRET_FIELDS = st.sampled_from(["data", "stringData", "type", "immutable", "metadata"])
SECRET_TYPES = st.sampled_from(
    [
        "kubernetes.io/tls",
        "kubernetes.io/basic-auth",
        "kubernetes.io/ssh-auth",
        "kubernetes.io/dockercfg",
        "kubernetes.io/dockerconfigjson",
        "kubernetes.io/service-account-token",
        "Opaque",
        "",
    ]
)
KEYS = st.sampled_from(
    ["tls.crt", "username", ".dockercfg", ".dockerconfigjson", "ssh-privatekey", "..", "a/b"]
)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | SECRET_TYPES,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS | st.text(max_size=4), children),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(SECRET_FIELDS, VALUES | SECRET_TYPES))
def test_any_secret_gives_findings_not_exceptions(secret: dict[str, Any]) -> None:
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "Secret", **secret})
    parsed = parse_documents(text, "fuzz.yaml")
    if not parsed.documents:
        # `.nan` / `.inf`: kubectl cannot convert the document to JSON, so it is refused whole.
        assert [f.rule for f in parsed.findings] == ["yaml.not-json"]
        return
    for finding in validate_secret(parsed.documents[0]):
        assert finding.rule.startswith("secret.")


def test_mistyped_value_still_counts_as_a_present_key() -> None:
    # tls.crt: 123 is the schema layer's schema.type; "needs the key tls.crt" on top would be wrong.
    text = "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: x\n"
    text += "data:\n  tls.crt: 123\nstringData:\n  tls.key: [k]\n"
    assert validate_secret(only_document(text, "mistyped.yaml")) == []


@given(
    st.one_of(
        st.binary(max_size=40),
        st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n-_ ", max_size=40
        ).map(str.encode),
        st.binary(max_size=30).map(base64.b64encode),
    )
)
def test_binascii_fast_path_agrees_with_the_go_loop(data: bytes) -> None:
    """The C fast path may only ever give the answer Go's decoder gives (bytes or error offset)."""
    from mkdocs_appreg.engine.secret import CorruptInputError, _decode_quanta, decode_std_base64

    def outcome(decode: Any) -> tuple[str, Any]:
        try:
            return ("ok", decode(data))
        except CorruptInputError as error:
            return ("error", error.offset)

    assert outcome(decode_std_base64) == outcome(_decode_quanta)
