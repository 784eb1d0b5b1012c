"""The string formats the Kubernetes API server enforces, as a jsonschema `FormatChecker`.

apiextensions-apiserver validates custom resources with kube-openapi's `strfmt.Default` registry
(k8s.io/kube-openapi pkg/validation/strfmt/default.go, date.go, time.go, duration.go, bson.go) and
strips every format outside its supported list before validating
(k8s.io/apiextensions-apiserver pkg/apiserver/validation/formats.go, `supportedFormats`). So:

- only the formats below are checked, and only on strings (kube-openapi validate/formats.go
  ignores non-string data); an unknown format is ignored;
- `int32`, `int64`, `float`, `double` are not range-checked: they are not in the registry.

Each checker is a plain function `str -> bool` mirroring the Go function it cites.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from mkdocs_appreg.engine.netparse import parse_cidr_sloppy, parse_ip, parse_ip_sloppy

if TYPE_CHECKING:
    from jsonschema import FormatChecker


class _Lazy:
    """A regular expression compiled on first use.

    A build meets few of these formats (often none): compiling all of them when the module is
    imported cost every `mkdocs build` several milliseconds for nothing.
    """

    __slots__ = ("_compiled", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def _pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        return self._compiled

    def match(self, text: str) -> re.Match[str] | None:
        return self._pattern().match(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self._pattern().search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self._pattern().finditer(text)


# strfmt/default.go: HostnamePattern (RFC 1034 3.1 plus RFC 1123 digits, unicode letters/symbols).
# Go's \p{L} is "a letter" (`[^\W\d_]` in Python); \p{S} (symbols, emoji) is approximated by ranges.
_HOST_CHAR = r"(?:[0-9]|[^\W\d_]|[\u00a2-\u00a9\u2190-\u2bff\U0001f000-\U0001faff])"
_HOSTNAME = _Lazy(
    rf"^({_HOST_CHAR}((-?{_HOST_CHAR}{{0,62}})?)|({_HOST_CHAR}(((?:-|{_HOST_CHAR}){{0,61}}{_HOST_CHAR})?)(\.)){{1,}}"
    rf"({_HOST_CHAR})(-?{_HOST_CHAR}){{1,62}})$"
)
_UUID = _Lazy(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
_UUID3 = _Lazy(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
_UUID4 = _Lazy(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")
_UUID5 = _Lazy(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")
# govalidator patterns (github.com/asaskevich/govalidator patterns.go), used by strfmt/default.go.
_BASE64 = _Lazy(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$")
_SSN = _Lazy(r"^\d{3}[- ]?\d{2}[- ]?\d{4}$")
_HEXCOLOR = _Lazy(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_BYTE255 = r"\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*"
_RGBCOLOR = _Lazy(rf"^rgb\({_BYTE255},{_BYTE255},{_BYTE255}\)$")
_CREDITCARD = _Lazy(
    r"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)"
    r"[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}"
    r"|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$"
)
_ISBN10 = _Lazy(r"^(?:[0-9]{9}X|[0-9]{10})$")
_ISBN13 = _Lazy(r"^(?:[0-9]{13})$")
# Go's net.ParseMAC: 6, 8 or 20 octets as xx:xx / xx-xx, or xxxx.xxxx groups.
_MAC = _Lazy(
    r"^(?:[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5}"
    r"|[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){7}|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){7}"
    r"|[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){19}|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){19}"
    r"|[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){2}|[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){3}"
    r"|[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){9})$"
)
# strfmt/bson.go: bson.IsObjectIdHex, 24 hex digits.
_BSON_OBJECT_ID = _Lazy(r"^[0-9a-fA-F]{24}$")
# strfmt/date.go: RFC3339FullDate "2006-01-02" through time.Parse (so the day must exist).
_DATE = _Lazy(r"^(\d{4})-(\d{2})-(\d{2})$")
# strfmt/time.go: IsDateTime splits at "t" (case-insensitive), checks the date part with IsDate
# and the time part with DateTimePattern, then compares hour/minute/second as strings.
_DATE_TIME_TIME = _Lazy(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$")
# Go's time.ParseDuration grammar: [-+]?(\d+(\.\d*)?|\.\d+)unit, repeated; "0" alone is allowed.
_GO_DURATION = _Lazy(r"^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$")
# strfmt/duration.go: the fallback, scala-like syntax, matched anywhere in the string.
_LENIENT_DURATION = _Lazy(r"((\d+)\s*([A-Za-zµ]+))")
_DURATION_UNITS = (
    ("ns", "nano"),
    ("us", "µs", "micro"),
    ("ms", "milli"),
    ("s", "sec"),
    ("m", "min"),
    ("h", "hr", "hour"),
    ("d", "day"),
    ("w", "wk", "week"),
)
# Go's net/url shouldEscape(c, encodeHost) allows these besides unreserved characters.
_HOST_SPECIALS = frozenset("!$&'()*+,;=:[]<>\"")
_URI_SCHEME = _Lazy(r"^[A-Za-z][A-Za-z0-9+.\-]*$")
_PERCENT_OK = _Lazy(r"%(?![0-9a-fA-F]{2})")
# net/mail.ParseAddress accepts `addr-spec` or `Display Name <addr-spec>`; this is the common core.
_EMAIL_ADDR = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)
_EMAIL = _Lazy(rf'^(?:{_EMAIL_ADDR}|(?:[^<>"]*|"[^"]*")\s*<{_EMAIL_ADDR}>)$')


def is_byte(value: str) -> bool:
    """`byte`: govalidator.IsBase64, standard alphabet with padding (the empty string fails)."""
    return bool(_BASE64.match(value))


def is_date(value: str) -> bool:
    """`date`: strfmt.IsDate, `time.Parse(RFC3339FullDate, s)`."""
    match = _DATE.match(value)
    if match is None:
        return False
    try:
        date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def is_date_time(value: str) -> bool:
    """`date-time` / `datetime`: strfmt.IsDateTime (time.go)."""
    if len(value) < 4:
        return False
    parts = value.lower().split("t")
    if len(parts) < 2 or not is_date(parts[0]):
        return False
    match = _DATE_TIME_TIME.match(parts[1])
    if match is None:
        return False
    return match[1] <= "23" and match[2] <= "59" and match[3] <= "59"


def is_uuid(value: str) -> bool:
    """`uuid`: strfmt.IsUUID, hyphens optional, any case."""
    return bool(_UUID.match(value))


def is_uuid3(value: str) -> bool:
    """`uuid3`: strfmt.IsUUID3."""
    return bool(_UUID3.match(value))


def is_uuid4(value: str) -> bool:
    """`uuid4`: strfmt.IsUUID4."""
    return bool(_UUID4.match(value))


def is_uuid5(value: str) -> bool:
    """`uuid5`: strfmt.IsUUID5."""
    return bool(_UUID5.match(value))


def is_ipv4(value: str) -> bool:
    """`ipv4`: kube-openapi strfmt `isIPv4`, `netutils.ParseIPSloppy(s) != nil && strings.Contains(s, ".")`.

    k8s.io/utils/net ParseIPSloppy is Go's net.ParseIP as it was before Go 1.17: `010.001.0.1`
    passes, as it does upstream (kept there for values already stored). An IPv4-mapped IPv6
    address such as `::ffff:1.2.3.4` passes too.
    """
    return "." in value and parse_ip_sloppy(value) is not None


def is_ipv6(value: str) -> bool:
    """`ipv6`: govalidator.IsIPv6, `net.ParseIP(s) != nil && strings.Contains(s, ":")`.

    Go's own, strict, parser (kube-openapi made only `ipv4` and `cidr` sloppy): an embedded IPv4
    address with leading zeros (`::ffff:010.0.0.1`) is refused.
    """
    return parse_ip(value) is not None and ":" in value


def is_cidr(value: str) -> bool:
    """`cidr`: kube-openapi strfmt `isCIDR`, `netutils.ParseCIDRSloppy` (host bits may be set).

    The address may have leading zeros in its IPv4 numbers, as ParseIPSloppy allows.
    """
    return parse_cidr_sloppy(value)


def is_mac(value: str) -> bool:
    """`mac`: govalidator.IsMAC, `net.ParseMAC` (EUI-48, EUI-64, 20-octet InfiniBand)."""
    return bool(_MAC.match(value))


def is_hostname(value: str) -> bool:
    """`hostname`: strfmt.IsHostname, the pattern plus 255 octets in all and 63 per label."""
    if not _HOSTNAME.match(value) or len(value.encode()) > 255:
        return False
    return all(len(label.encode()) <= 63 for label in value.split("."))


def is_uri(value: str) -> bool:
    """`uri`: govalidator.IsRequestURI, Go's `url.ParseRequestURI(s) == nil`.

    That accepts an absolute URI (`scheme:...`) or an absolute path (`/...`); a relative
    reference such as `example.com/x` or `<url>` fails, as does a bad `%` escape.
    """
    if not value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return False
    if value == "*":
        return True
    scheme, colon, rest = value.partition(":")
    if not colon or not _URI_SCHEME.match(scheme):
        if colon and scheme == "":
            return False  # "missing protocol scheme"
        rest, scheme = value, ""
    rest = rest.split("?", 1)[0]
    if not scheme:
        if not rest.startswith("/"):
            return False  # "invalid URI for request"
    elif not rest.startswith("/"):
        return not _PERCENT_OK.search(rest)  # opaque, e.g. mailto:x
    if scheme and rest.startswith("//"):
        authority, _, rest = rest[2:].partition("/")
        host = authority.rpartition("@")[2]
        if host.startswith("["):
            close = host.find("]")
            if close < 0 or parse_ip(host[1:close]) is None:
                return False
            port = host[close + 1 :]
            if port and not (port.startswith(":") and (port == ":" or port[1:].isdigit())):
                return False
        else:
            name, _, port = host.rpartition(":") if ":" in host else (host, "", "")
            if port and not port.isdigit():
                return False
            if any(
                c.isascii() and not (c.isalnum() or c in "-_.~%") and c not in _HOST_SPECIALS for c in name
            ):
                return False
    return not _PERCENT_OK.search(rest)


def is_email(value: str) -> bool:
    """`email`: strfmt.IsEmail, `net/mail.ParseAddress` (a bare or a `Name <addr>` address)."""
    return bool(_EMAIL.match(value))


def is_duration(value: str) -> bool:
    """`duration`: strfmt.IsDuration, Go's `time.ParseDuration` or the scala-like fallback."""
    if value == "0" or _GO_DURATION.match(value):
        return True
    for match in _LENIENT_DURATION.finditer(value):
        unit = match[3].strip().lower()
        for variants in _DURATION_UNITS:
            # The last spelling of a unit also matches as a prefix ("hours" -> "hour").
            if unit in variants or unit.startswith(variants[-1]):
                return True
    return False


def is_bsonobjectid(value: str) -> bool:
    """`bsonobjectid`: strfmt.IsBSONObjectID, 24 hexadecimal digits."""
    return bool(_BSON_OBJECT_ID.match(value))


def _isbn_digits(value: str) -> str:
    return value.replace(" ", "").replace("-", "")


def is_isbn10(value: str) -> bool:
    """`isbn10`: govalidator.IsISBN10 (separators removed, weighted checksum mod 11)."""
    digits = _isbn_digits(value)
    if not _ISBN10.match(digits):
        return False
    total = sum((10 - i) * int(c) for i, c in enumerate(digits[:9]))
    total += 10 if digits[9] == "X" else int(digits[9])
    return total % 11 == 0


def is_isbn13(value: str) -> bool:
    """`isbn13`: govalidator.IsISBN13 (separators removed, 1/3 weighted checksum)."""
    digits = _isbn_digits(value)
    if not _ISBN13.match(digits):
        return False
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def is_isbn(value: str) -> bool:
    """`isbn`: either ISBN-10 or ISBN-13."""
    return is_isbn10(value) or is_isbn13(value)


def is_creditcard(value: str) -> bool:
    """`creditcard`: govalidator.IsCreditCard (known issuer prefix and the Luhn checksum)."""
    digits = re.sub(r"[ -]", "", value)
    if not _CREDITCARD.match(digits):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2 == 1:
            number = number * 2 - 9 if number * 2 > 9 else number * 2
        total += number
    return total % 10 == 0


def is_ssn(value: str) -> bool:
    """`ssn`: govalidator.IsSSN."""
    return bool(_SSN.match(value))


def is_hexcolor(value: str) -> bool:
    """`hexcolor`: govalidator.IsHexcolor."""
    return bool(_HEXCOLOR.match(value))


def is_rgbcolor(value: str) -> bool:
    """`rgbcolor`: govalidator.IsRGBcolor."""
    return bool(_RGBCOLOR.match(value))


def is_password(value: str) -> bool:
    """`password`: registered upstream so it is "known", but any string passes."""
    return True


FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "byte": is_byte,
    "date": is_date,
    "date-time": is_date_time,
    "datetime": is_date_time,
    "uuid": is_uuid,
    "uuid3": is_uuid3,
    "uuid4": is_uuid4,
    "uuid5": is_uuid5,
    "ipv4": is_ipv4,
    "ipv6": is_ipv6,
    "cidr": is_cidr,
    "mac": is_mac,
    "hostname": is_hostname,
    "uri": is_uri,
    "email": is_email,
    "duration": is_duration,
    "bsonobjectid": is_bsonobjectid,
    "isbn": is_isbn,
    "isbn10": is_isbn10,
    "isbn13": is_isbn13,
    "creditcard": is_creditcard,
    "ssn": is_ssn,
    "hexcolor": is_hexcolor,
    "rgbcolor": is_rgbcolor,
    "password": is_password,
}
"""Every format the API server checks, by the name a CRD uses."""


def _strings_only(check: Callable[[str], bool]) -> Callable[[object], bool]:
    # kube-openapi validate/formats.go only checks string data; a wrong type is `type`'s job.
    def checker(instance: object) -> bool:
        return not isinstance(instance, str) or check(instance)

    return checker


def format_checker() -> FormatChecker:
    """A jsonschema `FormatChecker` that knows exactly the Kubernetes formats."""
    # Imported here: jsonschema is only needed once a document fails the fast checks.
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in FORMAT_CHECKS.items():
        checker.checks(name)(_strings_only(check))
    return checker
