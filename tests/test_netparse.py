"""engine/netparse.py: k8s.io/utils/net ParseIPSloppy / ParseCIDRSloppy and Go's net.ParseIP,
shared by the format checkers (ipv4, ipv6, cidr) and the native Service/Ingress rules."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mkdocs_appreg.engine.netparse import parse_cidr_sloppy, parse_ip, parse_ip_sloppy


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
    assert parse_cidr_sloppy(text) is valid


@pytest.mark.parametrize(
    ("text", "strict", "sloppy"),
    [
        ("010.1.2.3", None, "10.1.2.3"),  # Go >= 1.17 refuses leading zeros; ParseIPSloppy reads decimal
        ("::ffff:010.0.0.1", None, "10.0.0.1"),
        ("::ffff:1.2.3.4", "::ffff:102:304", "1.2.3.4"),  # To16 vs To4
        ("1.2.3.4", "1.2.3.4", "1.2.3.4"),
        ("1.2.3.4:80", None, None),  # "." first: the IPv4 parser, which refuses the rest
        ("fe80::1%eth0", None, None),
    ],
)
def test_strict_and_sloppy_parsers_differ_only_in_leading_zeros_and_to4(
    text: str, strict: str | None, sloppy: str | None
) -> None:
    parsed = parse_ip(text)
    assert (None if parsed is None else str(parsed)) == strict
    parsed = parse_ip_sloppy(text)
    assert (None if parsed is None else str(parsed)) == sloppy
