"""placeholders.py: author placeholders told apart from real values, with what the schema wants."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.site.placeholders import (
    expected_type,
    find_placeholders,
    placeholder_in_value,
    placeholder_kind,
    schema_at,
    shown,
    substituted,
)

RESOURCES = Path(__file__).parent / "fixtures" / "extract" / "docs" / "development" / "resources"


def crd_schema(name: str) -> dict[str, Any]:
    """The storage version's openAPIV3Schema of a CRD bundled with the package."""
    text = resources.files("mkdocs_appreg").joinpath("crds").joinpath(name).read_text(encoding="utf-8")
    crd = yaml.safe_load(text)
    version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("<base64(username)>", "angle"),
        ("<base64(password or token)>", "angle"),
        ("<url-to-your-registry.com>", "angle"),
        ("https://<your-catalog>.git", "angle"),
        ("{true|false}", "choice"),
        ("[Always|IfNotPresent|Never]", "choice"),
        ("${VAR}", "env"),
        ("https://${HOST}/x", "env"),
        ("${PORT:-8080}", "env"),
        ("$VAR", "env"),
        ("{{ var }}", "template"),
        ("{{ .Values.image }}", "template"),
        ("...", "ellipsis"),
        ("<...>", "ellipsis"),
        ("…", "ellipsis"),
        ("TODO", "todo"),
        ("CHANGEME", "todo"),
        ("REPLACE_ME", "todo"),
        ("xxx", "todo"),
        ("XXXXXXXX", "todo"),
    ],
)
def test_placeholders(value: str, kind: str) -> None:
    assert placeholder_kind(value) == kind


@pytest.mark.parametrize(
    "value",
    [
        "a<b",
        "a < b > c",
        "x<b>y",
        "<>",
        "p4$sw0rd",
        "cost: $5",
        "$",
        "{a}",
        "true|false",
        "^(foo|bar)$",
        "wait...",
        "xx",
        "ToDoList",
        "",
        "https://example.com/a?b=c",
        "dXNlcm5hbWU=",
        "{{",
    ],
)
def test_real_values_are_not_placeholders(value: str) -> None:
    assert placeholder_kind(value) is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ({"true|false": None}, "choice"),
        (["a|b"], "choice"),
        ("<base64(username)>", "angle"),
        ({"a": None}, None),
        ({"a|b": 1}, None),
        ({"true|false": None, "x": None}, None),
        (["a", "b"], None),
        (True, None),
        (3, None),
        (None, None),
    ],
)
def test_placeholders_in_parsed_values(value: Any, kind: str | None) -> None:
    assert placeholder_in_value(value) == kind


def test_status_quo_catalog_against_its_crd() -> None:
    (document,) = parse_documents(
        (RESOURCES / "catalog.yaml").read_text(encoding="utf-8"), "catalog.yaml"
    ).documents
    found = find_placeholders(document, crd_schema("appstore.eda.nokia.com_catalogs.yaml"))
    assert found == [
        ("/spec/remoteURL", "https://<your-catalog>.git", "string"),
        ("/spec/skipTLSVerify", "{true|false}", "boolean"),
    ]


def test_status_quo_registry_against_its_crd() -> None:
    text = (RESOURCES / "registry.yaml").read_text(encoding="utf-8")
    (document,) = parse_documents(text, "registry.yaml").documents
    found = find_placeholders(document, crd_schema("appstore.eda.nokia.com_registries.yaml"))
    assert [(pointer, placeholder) for pointer, placeholder, _ in found] == [
        ("/spec/remoteURL", "<url-to-your-registry.com>"),
        ("/spec/skipTLSVerify", "{true|false}"),
    ]
    assert found[1][2] == "boolean"


# The part of the core Secret schema (k8s.io/api core/v1 types.go, Secret.Data: map[string][]byte,
# which the OpenAPI document publishes as `format: byte`) that placeholders needs.
SECRET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "data": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
        "stringData": {"type": "object", "additionalProperties": {"type": "string"}},
        "type": {"type": "string"},
    },
}


def test_secret_data_expects_base64() -> None:
    text = (RESOURCES / "authSecretRef.yaml").read_text(encoding="utf-8")
    (document,) = parse_documents(text, "authSecretRef.yaml").documents
    assert find_placeholders(document, SECRET_SCHEMA) == [
        ("/data/username", "<base64(username)>", "string (base64)"),
        ("/data/password", "<base64(password or token)>", "string (base64)"),
    ]
    # Without a schema the placeholders are still found; the expected type is unknown.
    assert [t for _, _, t in find_placeholders(document, None)] == ["", ""]


def test_pointer_tokens_are_escaped_and_lists_walked() -> None:
    text = 'a/b:\n  - ok\n  - "${TOKEN}"\nc~d: {x|y}\nplain: value\n'
    (document,) = parse_documents(text, "x.yaml").documents
    schema = {"properties": {"a/b": {"type": "array", "items": {"type": "string"}}}}
    assert find_placeholders(document, schema) == [("/a~1b/1", "${TOKEN}", "string"), ("/c~0d", "{x|y}", "")]


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": "boolean"}, "boolean"),
        ({"type": "string", "format": "byte"}, "string (base64)"),
        ({"type": "integer", "format": "int32"}, "integer (int32)"),
        ({"type": "string", "enum": ["Always", "Never"]}, "one of: Always, Never"),
        ({"x-kubernetes-int-or-string": True}, "integer or string"),
        ({"x-kubernetes-preserve-unknown-fields": True}, "any"),
        ({}, ""),
        (None, ""),
    ],
)
def test_expected_type_words(schema: dict[str, Any] | None, words: str) -> None:
    assert expected_type(schema) == words


def test_schema_at_follows_properties_items_and_additional_properties() -> None:
    schema = crd_schema("appstore.eda.nokia.com_catalogs.yaml")
    assert (
        schema_at(schema, "/spec/skipTLSVerify")
        == schema["properties"]["spec"]["properties"]["skipTLSVerify"]
    )
    assert schema_at(schema, "/spec/nope/deeper") is None
    assert schema_at(SECRET_SCHEMA, "/data/anything") == {"type": "string", "format": "byte"}
    assert schema_at(schema, "") is schema


def _kind_by_patterns_alone(value: str) -> str | None:
    """`placeholder_kind` without its character tests: every pattern, in order."""
    import re

    from mkdocs_appreg.site.placeholders import _SOURCES

    def matches(name: str, search: bool = False) -> bool:
        pattern = re.compile(*_SOURCES[name])
        return bool(pattern.search(text) if search else pattern.match(text))

    text = value.strip()
    if not text:
        return None
    order = [("ellipsis", "ellipsis"), ("angle", "angle"), ("choice", "choice"), ("template", "template")]
    for name, kind in order:
        if matches(name):
            return kind
    if matches("todo"):
        return "todo"
    if matches("env_whole") or matches("env_braced", search=True):
        return "env"
    if matches("angle_embedded", search=True):
        return "angle"
    return None


_PIECES = [
    "...",
    "…",
    "<",
    ">",
    "{",
    "}",
    "[",
    "]",
    "|",
    "$",
    "{{",
    "}}",
    "{%",
    "%}",
    "${",
    "todo",
    "TBD",
    "change me",
    "REPLACE_ME",
    "xxx",
    "your-name",
    "a",
    "1",
    "_",
    "-",
    " ",
    "\t",
    "\n",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join))
@example("[a|b]")
@example("{true|false}")
@example("{{ name }}")
@example("<...>")
@example("https://<your-catalog>.git")
@example("${HOST}:8080")
@example("$TOKEN")
@example("ChangeMe")
@settings(max_examples=3000, deadline=None)
def test_character_tests_never_change_the_answer(value: str) -> None:
    assert placeholder_kind(value) == _kind_by_patterns_alone(value)


@pytest.mark.parametrize(
    ("value", "pointer", "expected"),
    [
        (
            {"commonAnnotationsEnvsubst": True, "commonAnnotations": {"a": "${X}"}},
            "/commonAnnotations/a",
            True,
        ),
        (
            {"spec": {"kustomize": {"commonAnnotationsEnvsubst": True, "commonLabels": {"a": "${X}"}}}},
            "/spec/kustomize/commonLabels/a",
            False,
        ),
        (
            {"commonAnnotationsEnvsubst": False, "commonAnnotations": {"a": "${X}"}},
            "/commonAnnotations/a",
            False,
        ),
        (
            {"commonAnnotationsEnvsubst": "true", "commonAnnotations": {"a": "${X}"}},
            "/commonAnnotations/a",
            False,
        ),
        ({"envSubst": True, "items": [{"value": "${X}"}]}, "/items/0/value", True),
        ({"env_subst": True, "value": "${X}"}, "/value", True),
        ({"spec": {"envsubst": True}, "value": "${X}"}, "/value", False),  # not on the way to it
        ({"value": "${X}"}, "/value", False),
    ],
)
def test_an_envsubst_switch_hands_the_variable_to_the_controller(
    value: Any, pointer: str, expected: bool
) -> None:
    assert substituted(value, pointer) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<your-token>", "<your-token>"),
        ("<your private key here>\n", "<your private key here>"),
        (
            '{\n  "role": "arn:aws:iam::<AWS_ACCOUNT_ID>:role/<ROLE_NAME>"\n}\n',
            "<AWS_ACCOUNT_ID>, <ROLE_NAME> in a multi-line value",
        ),
        ("a: ${X}\nb: <y-z>\nc: ${X}\n", "${X}, <y-z> in a multi-line value"),
        (
            "".join(f"k{i}: <v-{i}>\n" for i in range(7)),
            "<v-0>, <v-1>, <v-2>, <v-3>, <v-4> and 2 more in a multi-line value",
        ),
        ("- ...\n- more\n", "- ... ..."),
    ],
)
def test_a_multi_line_placeholder_is_shown_by_its_names(text: str, expected: str) -> None:
    assert shown(text) == expected
