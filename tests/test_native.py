"""engine/native.py: the Go-coded rules that case files cannot hold (a 1 MiB ConfigMap) or list."""

from __future__ import annotations

import base64
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.engine.native import (
    _parse_cidr_sloppy,
    _quantity_is_positive,
    is_valid_port_name,
    parse_ip_sloppy,
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
    ("text", "address"),
    [
        ("10.1.2.3", "10.1.2.3"),
        # k8s.io/utils/net ParseIPSloppy (Go 1.16's parser): leading zeros are decimal, not octal.
        ("010.001.002.003", "10.1.2.3"),
        ("0000000010.1.2.3", "10.1.2.3"),
        ("::1", "::1"),
        ("2001:db8::ffff", "2001:db8::ffff"),
        # An IPv4-mapped IPv6 address is its IPv4 address to Go's To4(); its tail is sloppy too.
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("::ffff:01.2.3.4", "1.2.3.4"),
        ("64:ff9b::192.0.2.1", "64:ff9b::c000:201"),
        ("1.2.3", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
        ("1.2.3.", None),
        ("1.2.3.4 ", None),
        ("fe80::1%eth0", None),
        ("1::2::3", None),
        ("\u0663.1.1.1", None),  # a non-ASCII digit
        ("", None),
        ("example.com", None),
    ],
)
def test_parse_ip_sloppy(text: str, address: str | None) -> None:
    parsed = parse_ip_sloppy(text)
    assert (None if parsed is None else str(parsed)) == address


@given(st.ip_addresses())
def test_parse_ip_sloppy_reads_every_canonical_address(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    expected = address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address
    assert parse_ip_sloppy(str(address)) == expected
    assert parse_ip_sloppy(address.exploded) == expected


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("10.0.0.0/8", True),
        ("010.0.0.0/08", True),
        ("10.0.0.1/32", True),  # host bits may be set: ParseCIDR keeps them
        ("10.0.0.0/33", False),
        ("2001:db8::/32", True),
        ("2001:db8::/129", False),
        ("::ffff:10.0.0.0/104", True),
        ("10.0.0.0", False),
        ("10.0.0.0/", False),
        ("10.0.0.0/-1", False),
    ],
)
def test_parse_cidr_sloppy(text: str, valid: bool) -> None:
    assert _parse_cidr_sloppy(text) is valid


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
