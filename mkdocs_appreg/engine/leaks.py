"""Leaked credentials: a Secret in public docs whose value looks like a live token or key.

Docs are public, and the build publishes every rendered resource. A `data` value (decoded) or a
`stringData` value that looks like a credential (GitHub, GitLab, AWS, Slack, npm, PyPI, OpenAI
and other tokens, private keys, JWTs, passwords in URLs, long high-entropy strings) is a
`secret.leak` error, unless its exact value or its SHA-256 is allow-listed in the
`secrets_allowlist` option.

The token formats and the entropy limits are those of Yelp's detect-secrets 1.5 (Apache-2.0;
`detect_secrets/plugins/*.py`, `filters/heuristic.py`), which this module replaced: that package
was used through its internal API, pulled `requests` and four more packages into every install
for a check that never uses the network, and judged lines of source code, not Secret values.
Here a value is judged by what it is:

- PEM blocks first. A private key (`-----BEGIN ... PRIVATE KEY-----`, PuTTY key files) with a real
  body is a credential; one whose body is an elision (`...`, `<your key>`, nothing) is a
  placeholder. Certificates, certificate requests and public keys are public material: they are
  not credentials, and their base64 bodies are not judged as high-entropy strings.
- A value that is JSON (a `.dockerconfigjson`, a cloud service-account key) is judged string by
  string, and a registry `auth` (base64 of `user:password`) is decoded first.
- Every other line: token formats anywhere in it; a password in a URL (`https://user:pw@host`);
  the whole line, or the value of a `key: value` line whose key names a credential, as a
  high-entropy string. A `key: value` whose value is base64 of a PEM block (a kubeconfig's
  `client-key-data`, `certificate-authority-data`) is decoded and judged as that block.

Placeholders (`your-token`, `<password>`, `${TOKEN}`, `changeme`, `xxxx`, `example`) are judged
per token, never per value: a kubeconfig that names `example.com` in one line is still scanned in
every other line.

Cost: about 0.04 ms per value (measured on 1,000 random values of 20 to 60 characters; detect-
secrets took 0.06 ms); values shorter than `MIN_LENGTH` are not scanned, and answers are remembered per value (bounded). Every regex
is linear in the line (no nested quantifiers), and the costlier ones run only on lines holding
their literal prefix, so hostile values cost time proportional to their size.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
import re
import string
from collections.abc import Iterable, Iterator
from functools import lru_cache

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, join_pointer
from mkdocs_appreg.engine.secret import CorruptInputError, decode_std_base64

__all__ = ["MIN_LENGTH", "RULE", "Allowlist", "credential_kind", "find_leaks"]

RULE = "secret.leak"

MIN_LENGTH = 12
"""Values shorter than this are not scanned: no token format recognised here is shorter."""

PRIVATE_KEY = "Private Key"
BASE64_HIGH_ENTROPY = "Base64 High Entropy String"
HEX_HIGH_ENTROPY = "Hex High Entropy String"
BASIC_AUTH = "Basic Auth Credentials"

# What docs write instead of a credential: `your-password-or-token`, `<base64 token>`,
# `${TOKEN}`, `{{ token }}`, `changeme`, `xxxx`, `example`. Applied to one token or line.
_PLACEHOLDER = re.compile(
    r"^(?:your[-_]|my[-_]|<.*>$|\$\{.*\}$|\{\{.*\}\}$|x{4,}|\*{4,})|example|changeme|placeholder|redacted",
    re.IGNORECASE,
)
# Filler inside a token of a known format: `ghp_xxxxxxxx...`, `AKIA****`, `sk-...`.
_FILLER = re.compile(r"x{6,}|X{6,}|\*{3,}|0{10,}|\.\.\.|…|example|EXAMPLE")

_HIGH_ENTROPY_MIN = 20  # shorter random strings are ids and hashes as often as secrets
_BASE64_LIMIT = 4.5  # detect-secrets' Base64HighEntropyString default
_HEX_LIMIT = 3.0  # detect-secrets' HexHighEntropyString default
_BASE64_CHARSET = frozenset(string.ascii_letters + string.digits + "+/\\-_=")
_HEX_CHARSET = frozenset(string.hexdigits)

# Token formats, most specific first (a GitHub token in a URL is named as one, not as a URL
# password). Each: the kind, a literal that every match contains (the regex runs only on lines
# holding it; None: always), and the regex. From detect-secrets 1.5's plugins, which cite the
# vendors' token documentation; the ones that need a keyword beside the value (IBM, Cloudant,
# SoftLayer, AWS secret keys) are left out: a Secret value is the bare credential.
_FORMATS: tuple[tuple[str, str | None, str, int], ...] = (
    ("GitHub Token", "_", r"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}|github_pat_[A-Za-z0-9_]{82}", 0),
    ("GitLab Token", "gl", r"(?:glpat|gldt|glft|glsoat|glrt)-[A-Za-z0-9_\-]{20,50}(?!\w)", 0),
    ("GitLab Token", "GR1348941", r"GR1348941[A-Za-z0-9_\-]{20,50}(?!\w)", 0),
    ("GitLab Token", "glcbt-", r"glcbt-(?:[0-9a-fA-F]{2}_)?[A-Za-z0-9_\-]{20,50}(?!\w)", 0),
    ("GitLab Token", "glimt-", r"glimt-[A-Za-z0-9_\-]{25}(?!\w)", 0),
    ("GitLab Token", "glptt-", r"glptt-[A-Za-z0-9_\-]{40}(?!\w)", 0),
    ("GitLab Token", "glagent-", r"glagent-[A-Za-z0-9_\-]{50,1024}(?!\w)", 0),
    ("GitLab Token", "gloas-", r"gloas-[A-Za-z0-9_\-]{64}(?!\w)", 0),
    ("AWS Access Key", None, r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}", 0),
    ("Slack Token", None, r"xox[abposr]-(?:\d+-)+[a-z0-9]+", re.IGNORECASE),
    (
        "Slack Token",
        "hooks.slack.com",
        r"https://hooks\.slack\.com/services/T[a-zA-Z0-9_]+/B[a-zA-Z0-9_]+/[a-zA-Z0-9_]+",
        re.IGNORECASE,
    ),
    ("NPM tokens", "npm_", r"(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])", 0),
    ("NPM tokens", "_authToken", r"_authToken=\s*(?:npm_\S+|[A-Fa-f0-9-]{36})", 0),
    (
        "PyPI Token",
        "pypi-Ag",
        r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9-_]{70,}|pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9-_]{70,}",
        0,
    ),
    ("OpenAI Token", "T3BlbkFJ", r"sk-[A-Za-z0-9-_]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}", 0),
    ("OpenAI Token", "sk-proj-", r"sk-proj-[A-Za-z0-9_-]{40,}", 0),
    ("Stripe Access Key", "k_live_", r"[rs]k_live_[0-9a-zA-Z]{24}", 0),
    ("SendGrid API Key", "SG.", r"SG\.[a-zA-Z0-9_-]{22}\.[a-zA-Z0-9_-]{43}", 0),
    ("Square OAuth Secret", "sq0csp-", r"sq0csp-[0-9A-Za-z\\\-_]{43}", 0),
    ("Twilio API Key", None, r"(?:AC|SK)[a-z0-9]{32}", 0),
    ("Telegram Bot Token", ":", r"(?<!\d)\d{8,10}:[0-9A-Za-z_-]{35}", 0),
    ("Discord Bot Token", ".", r"[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}", 0),
    ("Mailchimp Access Key", "-us", r"[0-9a-z]{32}-us[0-9]{1,2}", 0),
    ("Azure Storage Account access key", "AccountKey=", r"AccountKey=[a-zA-Z0-9+/=]{88}", 0),
    ("Artifactory Credentials", "AKC", r"(?:\s|=|:|\"|^)AKC[a-zA-Z0-9]{10,}(?:\s|\"|$)", 0),
    ("JSON Web Token", "eyJ", r"eyJ[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.?[A-Za-z0-9_.+/=-]*", 0),
)


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
@functools.cache
def _formats() -> tuple[tuple[str, str | None, re.Pattern[str]], ...]:
    return tuple((kind, literal, re.compile(pattern, flags)) for kind, literal, pattern, flags in _FORMATS)


@functools.cache
def _pem() -> re.Pattern[str]:
    # A PEM block, its label and body; an END line may be missing (a truncated paste).
    return re.compile(
        r"-----BEGIN (?P<label>[A-Z0-9 ]{1,40})-----(?P<body>.*?)(?:-----END [A-Z0-9 ]{1,40}-----|\Z)",
        re.DOTALL,
    )


@functools.cache
def _base64_run() -> re.Pattern[str]:
    return re.compile(r"[A-Za-z0-9+/=]{16,}")


@functools.cache
def _token() -> re.Pattern[str]:
    # One token of the alphabet the high-entropy tests measure.
    return re.compile(r"[A-Za-z0-9+/=_\-.~]+")


@functools.cache
def _url_password() -> re.Pattern[str]:
    # detect-secrets' BasicAuthDetector: userinfo without reserved or sub-delimiter characters,
    # which a URL would have to percent-encode (RFC 3986 section 3.2.1). Group 2 is the host.
    excluded = re.escape(":/?#[]@" + "!$&'()*+,;=")
    return re.compile(rf"://[^{excluded}\s]+:([^{excluded}\s]+)@([A-Za-z0-9.\-]*)")


@functools.cache
def _pair() -> re.Pattern[str]:
    # `key: value` (YAML, kubeconfig), `key=value` (.env, properties), `"key": "value"`.
    return re.compile(
        r"""^\s*(?:-\s+)?["']?(?P<key>[A-Za-z0-9_.\-]{1,64})["']?\s*[:=]\s*["']?(?P<value>[^\s"']+)["']?,?\s*$"""
    )


@functools.cache
def _credential_key() -> re.Pattern[str]:
    return re.compile(
        r"token|secret|passw(?:or)?d|pwd|api[-_]?key|private[-_]?key|access[-_]?key|credential|auth",
        re.IGNORECASE,
    )


# Labels of PEM blocks that are public material (RFC 7468 and OpenSSL/OpenSSH/PGP usage).
def _is_private_label(label: str) -> bool:
    return "PRIVATE" in label or label == "SSH2 ENCRYPTED PRIVATE KEY"


# Lines inside a PEM body that are headers, not key material (RFC 1421 `Proc-Type`, `DEK-Info`;
# PuTTY's and OpenSSH's `Comment:`).
_PEM_HEADER = re.compile(r"^[A-Za-z-]+:")
# What marks a PEM body as cut on purpose.
_ELISION = re.compile(r"\.\.\.|…|<[^>\n]*>|\[[^\]\n]*\]|x{6,}|snip|redacted|omitted|truncated", re.IGNORECASE)

# The reserved names of RFC 2606 and RFC 6761: a password in a URL to one of them is made up,
# unless it is itself a token of a known format (those are judged first).
_RESERVED_HOST = re.compile(
    r"(?:^|\.)(?:example(?:\.com|\.net|\.org)?|test|invalid|localhost)$", re.IGNORECASE
)
_PLACEHOLDER_PASSWORDS = frozenset(
    {"password", "passwd", "pass", "pwd", "secret", "token", "changeme", "admin", "user", "username", "pat"}
)


class Allowlist:
    """Secret values that are known not to be live: exact values or their SHA-256 hex digests."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self._entries = frozenset(entries)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, str) or not self._entries:
            return False
        if value in self._entries:
            return True
        return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest() in self._entries

    def __bool__(self) -> bool:
        return bool(self._entries)


def credential_kind(value: str) -> str | None:
    """The kind of credential `value` looks like, or None.

    Args:
        value: A decoded Secret value.

    Returns:
        For example `GitHub Token`, `Private Key`, `Base64 High Entropy String` (detect-secrets'
        names); None for a value that holds no credential, a short one, or a placeholder.
    """
    text = value.strip()
    if len(text) < MIN_LENGTH:
        return None
    return _scan_remembered(text) if len(text) <= _REMEMBERED_LENGTH else _scan(text, 0)


_REMEMBERED_LENGTH = 1024
_MAX_DEPTH = 2  # JSON in a value, base64 in JSON, a PEM block in base64: no deeper
_MAX_JSON_STRINGS = 10_000


@lru_cache(maxsize=4096)
def _scan_remembered(text: str) -> str | None:
    # Memoised by value: docs and corpora repeat the same few credentials in every Secret, and
    # the answer depends on the value alone. Bounded in entries and in value length (a key file
    # is scanned every time), so hostile input cannot make it grow past ~4 MB.
    return _scan(text, 0)


def _scan(text: str, depth: int) -> str | None:
    if "-----BEGIN " in text:
        kind, text = _pem_blocks(text)
        if kind is not None:
            return kind
    if "PuTTY-User-Key-File-" in text and _putty_private(text):
        return PRIVATE_KEY
    if depth < _MAX_DEPTH and text[:1] in "{[":
        strings = _json_strings(text)
        if strings is not None:
            for key, member in strings:
                found = _scan_json_string(key, member, depth + 1)
                if found is not None:
                    return found
            return None
    for line in text.splitlines():
        found = _scan_line(line.strip(), depth)
        if found is not None:
            return found
    return None


def _pem_blocks(text: str) -> tuple[str | None, str]:
    """`Private Key` for a private key with a real body, and the text without its PEM blocks.

    Certificates and public keys are dropped from the text (public material whose base64 body
    would otherwise read as a high-entropy string); so are elided private keys.
    """
    for match in _pem().finditer(text):
        if _is_private_label(match["label"]) and not _elided(match["body"]):
            return PRIVATE_KEY, text
    return None, _pem().sub("\n", text)


def _elided(body: str) -> bool:
    """Whether a PEM body holds no key material: `...`, `<your key here>`, a first line cut short.

    A real body is base64 in lines of 64 characters (RFC 7468); the shortest private key (Ed25519
    in PKCS #8) is 64 characters, an RSA key 900 or more. A body with less than 64 characters of
    base64 is an elision, and so is one marked as cut (`...`, `[snip]`, `<...>`) that keeps less
    than 256: the first lines of a key are the same ASN.1 header in every key of its type
    (`MIIEvQIBADANBgkqhkiG9w0BAQEFAASC...`), shown on purpose.
    """
    lines = [line.strip() for line in body.splitlines()]
    material = "\n".join(line for line in lines if line and not _PEM_HEADER.match(line))
    marked = _ELISION.search(material) is not None
    size = sum(len(run) for run in _base64_run().findall(_ELISION.sub("\n", material)))
    return size < 64 or (marked and size < 256)


def _putty_private(text: str) -> bool:
    # PuTTY-User-Key-File-2/3: the private half follows `Private-Lines: N`.
    _, _, private = text.partition("Private-Lines:")
    return bool(private) and not _elided(private.partition("\n")[2].partition("Private-MAC:")[0])


def _json_strings(text: str) -> list[tuple[str, str]] | None:
    """Each string in a JSON value with the key it is under, or None when `text` is not JSON."""
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, object]] = [("", parsed)]
    while stack and len(found) < _MAX_JSON_STRINGS:
        key, node = stack.pop()
        if isinstance(node, str):
            found.append((key, node))
        elif isinstance(node, dict):
            stack.extend((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((key, v) for v in node)
    found.reverse()
    return found


def _scan_json_string(key: str, value: str, depth: int) -> str | None:
    value = value.strip()
    if key == "auth":
        # A docker config's `auth`: base64 of `username:password` (docker/cli config/types).
        decoded = _b64_text(value)
        if decoded is not None and ":" in decoded:
            value = decoded.partition(":")[2]
    if len(value) < MIN_LENGTH:
        return None
    found = _scan(value, depth)
    if found is None and _credential_key().search(key) and _token().fullmatch(value) and _high_entropy(value):
        # A password under its own key: judged whole, as a `key: value` line is.
        return _entropy_kind(value)
    return found


def _scan_line(line: str, depth: int) -> str | None:
    if len(line) < MIN_LENGTH:
        return None
    for kind, literal, pattern in _formats():
        if literal is not None and literal not in line:
            continue
        for match in pattern.finditer(line):
            token = match.group()
            if not _filled(token):
                continue
            if kind == "JSON Web Token" and not _jwt(token):
                continue
            return kind
    if "://" in line and "@" in line:
        for match in _url_password().finditer(line):
            password, host = match.group(1), match.group(2)
            if not _made_up_password(password) and not _RESERVED_HOST.search(host):
                return BASIC_AUTH
    if _PLACEHOLDER.search(line):
        return None
    if _token().fullmatch(line):
        return _entropy_kind(line) if _high_entropy(line) else None
    pair = _pair().match(line)
    if pair is None:
        return None
    key, value = pair["key"], pair["value"]
    if len(value) >= _HIGH_ENTROPY_MIN and depth < _MAX_DEPTH:
        decoded = _b64_text(value)
        if decoded is not None and "-----BEGIN " in decoded:
            # A kubeconfig's `client-key-data` (a private key) or `certificate-authority-data`.
            return _scan(decoded, depth + 1)
    if _credential_key().search(key) and _token().fullmatch(value) and _high_entropy(value):
        return _entropy_kind(value)
    return None


def _filled(token: str) -> bool:
    """Whether a token of a known format is filled in, not `ghp_xxxx...` or a sequence."""
    return _FILLER.search(token) is None and not _sequential(token)


def _made_up_password(password: str) -> bool:
    return (
        password.lower() in _PLACEHOLDER_PASSWORDS
        or _PLACEHOLDER.search(password) is not None
        or _FILLER.search(password) is not None
    )


def _jwt(token: str) -> bool:
    """detect-secrets' `JwtTokenDetector.is_formally_valid`: header and payload are JSON."""
    for index, part in enumerate(token.split(".")):
        try:
            if len(part) % 4 == 1:
                return False
            decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
            if index < 2:
                json.loads(decoded.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, binascii.Error):
            return False
    return True


def _b64_text(value: str) -> str | None:
    try:
        return decode_std_base64(value.encode("ascii")).decode("utf-8")
    except (CorruptInputError, UnicodeError):
        return None


# --- high entropy (detect-secrets' high_entropy_strings.py and filters/heuristic.py) -------------


def _high_entropy(token: str) -> bool:
    if len(token) < _HIGH_ENTROPY_MIN or _PLACEHOLDER.search(token):
        return False
    characters = set(token)
    if not characters <= _BASE64_CHARSET:
        return False
    if _sequential(token) or _uuid().search(token):
        return False
    if characters <= _HEX_CHARSET:
        return _hex_entropy(token) > _HEX_LIMIT
    return _shannon(token) > _BASE64_LIMIT


def _entropy_kind(token: str) -> str:
    return HEX_HIGH_ENTROPY if set(token) <= _HEX_CHARSET else BASE64_HIGH_ENTROPY


def _shannon(data: str) -> float:
    length = len(data)
    return -sum(count / length * math.log2(count / length) for count in _counts(data))


def _counts(data: str) -> Iterator[int]:
    seen: dict[str, int] = {}
    for character in data:
        seen[character] = seen.get(character, 0) + 1
    return iter(seen.values())


def _hex_entropy(data: str) -> float:
    # All digits: lowered so that numbers (ids, timestamps) stay below the limit, less so for
    # longer ones (HexHighEntropyString.calculate_shannon_entropy).
    entropy = _shannon(data)
    if data.isdigit() and len(data) > 1:
        entropy -= 1.2 / math.log2(len(data))
    return entropy


_SEQUENCES = (
    string.ascii_uppercase + string.ascii_uppercase + string.digits + "+/",
    string.digits + string.ascii_uppercase + string.ascii_uppercase + "+/",
    (string.digits + string.ascii_uppercase) * 2,
    string.digits * 2,
    string.hexdigits.upper() + string.hexdigits.upper(),
    string.ascii_uppercase + "=/",
)


def _sequential(token: str) -> bool:
    upper = token.upper()
    return any(upper in sequence for sequence in _SEQUENCES)


@functools.cache
def _uuid() -> re.Pattern[str]:
    return re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}", re.IGNORECASE)


def find_leaks(document: Document, allowlist: Allowlist | None = None) -> list[Finding]:
    """`secret.leak` errors for a core v1 Secret's values that look like live credentials.

    `data` values are base64-decoded first (undecodable or binary ones are skipped: the
    `secret.base64` rule reports the former, and binary data is not a token); `stringData`
    values are scanned as written.

    Args:
        document: A parsed Secret.
        allowlist: Values (or SHA-256 digests) not to report.

    Returns:
        One finding per leaking key, located at the key.
    """
    secret = document.value
    if not isinstance(secret, dict):
        return []
    findings: list[Finding] = []
    for field in ("data", "stringData"):
        values = secret.get(field)
        if not isinstance(values, dict):
            continue
        for key, raw in values.items():
            if not isinstance(raw, str):
                continue
            value = _decoded(raw) if field == "data" else raw
            if value is None or (allowlist is not None and value in allowlist):
                continue
            kind = credential_kind(value)
            if kind is not None:
                message = (
                    f"{field}.{key} looks like a real credential ({kind}); docs are public: use a "
                    "placeholder, or list the value (or its sha256) in the site's secrets_allowlist option"
                )
                findings.append(document.finding(join_pointer(f"/{field}", key), RULE, message))
    return findings


def _decoded(raw: str) -> str | None:
    try:
        payload = decode_std_base64(raw.encode("utf-8", "surrogatepass"))
    except CorruptInputError:
        return None
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return None
