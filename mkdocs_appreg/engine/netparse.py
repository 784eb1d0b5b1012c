"""IP address and CIDR parsing as the API server does it: k8s.io/utils/net, and Go's net.

One copy for both users: the `ipv4`/`ipv6`/`cidr` format checkers (engine/formats.py, after
kube-openapi strfmt) and the Go-coded rules of built-in kinds (engine/native.py: Service cluster
and external IPs, load-balancer source ranges, Ingress hosts).
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(value: str) -> IPAddress | None:
    """Go's current `net.ParseIP`: the address, or None. No zone (`%eth0`), no brackets, no
    leading zeros in IPv4 parts (Go >= 1.17, like Python's ipaddress). An IPv4-mapped IPv6
    address stays an IPv6Address here (`To16` form); see `parse_ip_sloppy` for `To4`.
    """
    if "%" in value or not value.isascii():
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _ipv4_sloppy(value: str) -> ipaddress.IPv4Address | None:
    # Go's parseIPv4 before 1.17 (forked in k8s.io/utils/internal/third_party/forked/golang/net/
    # ip.go): four dot-separated decimal numbers, each at most 255; leading zeros are allowed and
    # read as decimal ("010" is 10, not octal 8); an empty part is refused (dtoi reads no digit).
    parts = value.split(".")
    if len(parts) != 4 or not all(part.isascii() and part.isdigit() and int(part) <= 255 for part in parts):
        return None
    return ipaddress.IPv4Address(".".join(str(int(part)) for part in parts))


def parse_ip_sloppy(value: str) -> IPAddress | None:
    """k8s.io/utils/net `ParseIPSloppy` (Go 1.16's net.ParseIP): the address, or None.

    Go 1.17 began rejecting IPv4 parts with leading zeros; the API server kept the older parser
    for stored data, so `010.1.1.1` is an address (read as decimal 10), alone or as the IPv4 tail
    of an IPv6 address (`::ffff:010.0.0.1`). No zone (`%eth0`). An IPv4-mapped IPv6 address is
    returned as its IPv4 address, as Go's `To4()` (and so IsLoopback & co.) sees it.
    """
    if "%" in value or not value.isascii():
        return None
    # Go picks the parser by whichever of "." and ":" comes first.
    dot, colon = value.find("."), value.find(":")
    if colon == -1 or (dot != -1 and dot < colon):
        return _ipv4_sloppy(value)
    head, _, tail = value.rpartition(":")
    if "." in tail:  # an IPv4 tail fills the last 32 bits, with the same sloppy parts
        v4 = _ipv4_sloppy(tail)
        if v4 is None:
            return None
        value = f"{head}:{int(v4) >> 16:x}:{int(v4) & 0xFFFF:x}"
    try:
        address = ipaddress.IPv6Address(value)
    except ValueError:
        return None
    return address.ipv4_mapped or address


def parse_cidr_sloppy(value: str) -> bool:
    """k8s.io/utils/net `ParseCIDRSloppy` accepts `value`: a sloppy address, `/`, a prefix length
    (decimal, leading zeros allowed, as Go's dtoi reads it); host bits may be set."""
    address, slash, bits = value.partition("/")
    ip = parse_ip_sloppy(address) if slash else None
    if ip is None or not bits.isascii() or not bits.isdigit():
        return False
    # Go's ParseCIDR sizes the mask by the parser used, not by To4: an IPv4-mapped IPv6 address
    # keeps its 128-bit width (`::ffff:1.2.3.4/120`).
    width = 128 if ":" in address else 32
    return int(bits) <= width
