"""Scalars as kubectl reads them: gopkg.in/yaml.v2 resolve.go, then sigs.k8s.io/yaml and JSON.

Each expected value is what `kubectl apply -f` sends the API server for `v: <scalar>`, worked out
from the Go sources (resolve.go `resolve`, strconv.ParseInt base 0, convertToJSONableObject,
json.Marshal, apimachinery's int-preserving JSON decoding).
"""

from __future__ import annotations

import pytest

from mkdocs_appreg.engine import goyaml
from mkdocs_appreg.engine.documents import parse_documents

NOT_JSON = object()

SCALARS: list[tuple[str, object]] = [
    ("", None), ("~", None), ("null", None), ("NULL", None),
    ("y", True), ("Y", True), ("yes", True), ("On", True), ("n", False), ("N", False), ("no", False),
    ("OFF", False), ("true", True), ("False", False), ("tRUE", "tRUE"),
    ("1", 1), ("-1", -1), ("+12", 12), ("0x1F", 31), ("0X1F", 31), ("0o17", 15), ("0O17", 15),
    ("017", 15), ("0b101", 5), ("-0x1F", -31), ("1_000", 1000), ("00", 0), ("08", 8), ("0x", "0x"),
    ("1e3", 1000), ("1E-2", 0.01), ("+.5", 0.5), (".5", 0.5), ("1.", 1), ("1.5", 1.5),
    ("6.8523015e+5", 685230.15), ("1e400", "1e400"),
    ("9223372036854775807", 9223372036854775807), ("9223372036854775808", 9.223372036854775808e18),
    ("-9223372036854775809", -9223372036854775808),  # float -2**63, printed whole by json.Marshal
    ("1:20", "1:20"), ("190:20:30", "190:20:30"), ("2001-12-14", "2001-12-14"),
    ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("=", "="), ("<<", "<<"), (".", "."), ("-a", "-a"), ("1.2.3", "1.2.3"), ("10.0.0.1", "10.0.0.1"),
    (".inf", NOT_JSON), ("-.Inf", NOT_JSON), ("+.INF", NOT_JSON), (".nan", NOT_JSON), (".NaN", NOT_JSON),
    ("-.nan", "-.nan"),
    ("!!str 1", "1"), ("!!float 1", 1), ("!!int '3'", 3), ("!!binary aGk=", "hi"), ("!foo 12", "12"),
    ("'yes'", "yes"), ('"1e3"', "1e3"), ("!!timestamp 2001-12-14", "2001-12-14"),
]  # fmt: skip


@pytest.mark.parametrize(("scalar", "expected"), SCALARS, ids=[s for s, _ in SCALARS])
def test_scalar_as_kubectl_sends_it(scalar: str, expected: object) -> None:
    parsed = parse_documents(f"v: {scalar}\n", "s.yaml")
    if expected is NOT_JSON:
        assert parsed.documents == []
        assert [(f.rule, f.path) for f in parsed.findings] == [("yaml.not-json", "/v")]
        return
    assert parsed.findings == []
    value = parsed.documents[0].value["v"]
    assert value == expected and type(value) is type(expected), value


@pytest.mark.parametrize(
    ("key", "expected"),
    [("1.0", "1"), ("2.50", "2.5"), ("1e6", "1e+06"), ("123456.0", "123456"), ("0.1", "0.1"),
     ("1234567.0", "1.234567e+06"), ("-0.00001", "-1e-05"), (".inf", ".inf"), ("true", "true"),
     ("y", "true"), ("12", "12"), ("0x10", "16"), ("!!binary aGk=", "hi")],
)  # fmt: skip
def test_keys_as_json_object_keys(key: str, expected: str) -> None:
    parsed = parse_documents(f"{key}: v\n", "s.yaml")
    assert parsed.findings == []
    assert parsed.documents[0].value == {expected: "v"}


@pytest.mark.parametrize("key", ["~", "null", "18446744073709551615"])
def test_keys_json_cannot_have(key: str) -> None:
    parsed = parse_documents(f"a: 1\n{key}: v\n", "s.yaml")
    assert parsed.documents == []
    assert [(f.rule, f.line, f.column) for f in parsed.findings] == [("yaml.not-json", 2, 1)]


@pytest.mark.parametrize(("scalar", "message"), [
    ("!!int 1.5", "cannot decode !!float `1.5` as a !!int"),
    ("!!bool maybe", "cannot decode !!str `maybe` as a !!bool"),
    ("!!null 0", "cannot decode !!int `0` as a !!null"),
    ("!!binary '***'", "!!binary value contains invalid base64 data"),
])  # fmt: skip
def test_tags_go_yaml_refuses(scalar: str, message: str) -> None:
    parsed = parse_documents(f"a: 1\nv: {scalar}\n---\nb: 2\n", "s.yaml")
    assert [(f.rule, f.path, f.message) for f in parsed.findings] == [("yaml.tag", "/v", message)]
    assert [d.value for d in parsed.documents] == [{"b": 2}]  # the next document is still read


def test_collection_tags_are_ignored_as_go_yaml_does() -> None:
    parsed = parse_documents("a: !!set {x: 1}\nb: !!omap [1, 2]\nc: !custom {d: e}\n", "s.yaml")
    assert parsed.findings == []
    assert parsed.documents[0].value == {"a": {"x": 1}, "b": [1, 2], "c": {"d": "e"}}


def test_merge_keys_use_go_scalars_too() -> None:
    parsed = parse_documents("base: &b {x: y, k: 0x10}\nm:\n  <<: *b\n  z: on\n", "s.yaml")
    assert parsed.findings == []
    assert parsed.documents[0].value["m"] == {"x": True, "k": 16, "z": True}


@pytest.mark.parametrize(
    ("text", "values", "rules"),
    [
        ("a: 1\n--- # c\nb: 2\n", [{"a": 1}, {"b": 2}], []),
        ("a: 1\n--- {b: 2}\nc: 3\n", [{"a": 1}], [("yaml.syntax", 2)]),
        ("a: 1\n---x\nc: 3\n", [{"a": 1}], [("yaml.syntax", 2)]),
        ("%YAML 1.1\n---\na: 1\n", [{"a": 1}], [("yaml.syntax", 1)]),
        ("a: 1\n...\nb: 2\n---\nc: 3\n", [{"a": 1}, {"c": 3}], []),
    ],
)
def test_documents_split_as_kubectl_splits_them(text: str, values: list[object], rules: list[object]) -> None:
    parsed = parse_documents(text, "s.yaml")
    assert [d.value for d in parsed.documents] == values
    assert [(f.rule, f.line) for f in parsed.findings] == rules


def test_float32_key_formatting_matches_go() -> None:
    assert goyaml.format_float32_g(16777217.0) == "1.6777216e+07"
    assert goyaml.format_float32_g(-0.0) == "-0"
    assert goyaml.format_float32_g(100000.0) == "100000"
