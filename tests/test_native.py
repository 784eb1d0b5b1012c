"""engine/native.py: the Go-coded rules that case files cannot hold (a 1 MiB ConfigMap) or list."""

from __future__ import annotations

import base64

import pytest

from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.engine.native import (
    _quantity_is_positive,
    env_var_name_problems,
    is_valid_port_name,
    validate_native,
)


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        ("http", []),
        ("h2c", []),
        ("dns-tcp", []),
        ("123", ["must contain at least one letter (a-z)"]),
        (
            "HTTP",
            [
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)",
            ],
        ),
        ("a--b", ["must not contain consecutive hyphens"]),
        ("-ab", ["must not begin or end with a hyphen"]),
        ("abcdefghijklmnop", ["must be no more than 15 characters"]),
    ],
)
def test_is_valid_port_name(name: str, problems: list[str]) -> None:
    assert is_valid_port_name(name) == problems


def _config_map(data: str, binary: str) -> str:
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n"
        f"data:\n  a: {data}\nbinaryData:\n  b: {binary}\n"
    )


def test_config_map_total_size_counts_data_and_decoded_binary_data() -> None:
    # ValidateConfigMap adds len(value) of data and of binaryData's bytes (decoded), against
    # core.MaxSecretSize; the error's path is the whole object ("").
    half = 512 * 1024
    binary = base64.b64encode(b"x" * half).decode()
    at_limit = parse_documents(_config_map("y" * half, binary), "cm.yaml").documents[0]
    assert validate_native(at_limit) == []
    over = parse_documents(_config_map("y" * (half + 1), binary), "cm.yaml").documents[0]
    found = validate_native(over)
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [("core.too-long", "", 1, 1)]
    assert found[0].message == (
        "Too long: may not be more than 1048576 bytes (data and binaryData hold 1048577)"
    )


@pytest.mark.parametrize(
    ("value", "positive"),
    [
        ("10Gi", True),
        ("500m", True),
        (".5", True),
        ("5.", True),
        ("1e3", True),
        ("1E-3", True),
        ("0.000000001", True),
        (10, True),
        ("0", False),
        ("0.0Mi", False),
        ("-1Gi", False),
        ("+0", False),
        (0, False),
        (-5, False),
        # Not quantities (ParseQuantity fails; not this rule's to report).
        ("1Gb", None),
        ("ten", None),
        ("", None),
        (".", None),
        (True, None),
    ],
)
def test_quantity_is_positive(value: object, positive: bool | None) -> None:
    assert _quantity_is_positive(value) is positive


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("PATH", True),
        ("app.mode-1", True),
        ("1ST", True),  # refused by the pre-1.32 IsEnvVarName, accepted by IsRelaxedEnvVarName
        ("with space", True),  # unicode.IsPrint counts the ASCII space
        ("~!@#$%^&*()", True),
        ("A=B", False),
        ("tab\there", False),
        ("del\x7f", False),
        ("caf\u00e9", False),
    ],
)
def test_env_var_name_is_the_relaxed_rule(name: str, valid: bool) -> None:
    assert (env_var_name_problems(name) == []) is valid


@pytest.mark.parametrize(
    ("storage", "shown"),
    [("0", '"0"'), ('"0"', '"0"'), ("0Gi", '"0"'), ("0.0", '"0"'), ("-1", '"-1"'), ("-1Gi", '"-1Gi"')],
)
def test_a_storage_request_that_is_not_positive_shows_the_quantity_as_go_does(
    storage: str, shown: str
) -> None:
    # ValidatePositiveQuantityValue passes value.String(), a string, to field.Invalid: quoted, and
    # in the canonical form, in which any zero is "0".
    text = (
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: c\n"
        f"spec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: {storage}\n"
    )
    (found,) = validate_native(parse_documents(text, "pvc.yaml").documents[0])
    assert (found.rule, found.path) == ("core.invalid", "/spec/resources/requests/storage")
    assert found.message == f"Invalid value: {shown}: must be greater than zero"
