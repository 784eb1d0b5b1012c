"""Leaked credentials: a Secret in public docs whose value looks like a live token or key.

Docs are public, and the build publishes every rendered resource. A `data` value (decoded) or a
`stringData` value that a credential scanner recognises (GitHub, GitLab, AWS, Slack and other
tokens, private keys, JWTs, long high-entropy strings) is a `secret.leak` error, unless its exact
value or its SHA-256 is allow-listed in the `secrets_allowlist` option.

Detection is Yelp's detect-secrets, used as a library: its detector plugins are run on the
value itself (not on a source line), because a Secret value is already the bare credential.
Plugins that judge a line of code rather than a value (`KeywordDetector` wants `password = ...`)
or flag things docs show on purpose (`IPPublicDetector`) are left out.

Cost: about 0.06 ms per value with every plugin (measured on 1,000 values of 20 to 60 characters);
values that cannot be a credential (shorter than `MIN_LENGTH`, or a placeholder such as
`your-password` or `<token>`) skip the plugins, and detect-secrets itself is only imported once
a value gets that far (it costs ~90 ms to import). Answers are remembered per value (bounded).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, join_pointer
from mkdocs_appreg.engine.secret import CorruptInputError, decode_std_base64

if TYPE_CHECKING:
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

__all__ = ["MIN_LENGTH", "RULE", "Allowlist", "credential_kind", "find_leaks"]

RULE = "secret.leak"

MIN_LENGTH = 12
"""Values shorter than this are not scanned: no token format detect-secrets knows is shorter."""

# Plugins that do not judge a bare value: they look for `key = value` assignments in code, or
# report public IP addresses, which examples show on purpose.
_SKIPPED_PLUGINS = frozenset({"Secret Keyword", "Public IP (ipv4)"})

# What docs write instead of a credential: `your-password-or-token`, `<base64 token>`,
# `${TOKEN}`, `{{ token }}`, `changeme`, `xxxx`, `example`.
_PLACEHOLDER = re.compile(
    r"^(?:your[-_]|my[-_]|<.*>$|\$\{.*\}$|\{\{.*\}\}$|x{4,}|\*{4,})|example|changeme|placeholder|redacted",
    re.IGNORECASE,
)


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
#
# A single token of the alphabet the high-entropy plugins measure.
@functools.cache
def _token() -> re.Pattern[str]:
    return re.compile(r"^[A-Za-z0-9+/=_\-.~]+$")


@functools.cache
def _hex() -> re.Pattern[str]:
    return re.compile(r"^[0-9a-fA-F]+$")


_HIGH_ENTROPY_MIN = 20  # shorter random strings are ids and hashes as often as secrets


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


@lru_cache(maxsize=1)
def _detector() -> tuple[tuple[Any, ...], type[HighEntropyStringsPlugin], ModuleType]:
    """The plugins, the high-entropy base class and detect-secrets' heuristics, imported on first use.

    Imported here, not at module level: detect-secrets (with `requests`) costs ~90 ms to import,
    and most builds never get past the length and placeholder tests of `credential_kind`.
    """
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.filters import heuristic
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

    mapping: dict[str, Any] = dict(get_mapping_from_secret_type_to_class())
    plugins = [
        plugin_class() for name, plugin_class in sorted(mapping.items()) if name not in _SKIPPED_PLUGINS
    ]
    # Token formats first, so a GitHub token is named as one, not as "high entropy".
    plugins.sort(key=lambda plugin: isinstance(plugin, HighEntropyStringsPlugin))
    return tuple(plugins), HighEntropyStringsPlugin, heuristic


def credential_kind(value: str) -> str | None:
    """The kind of credential `value` looks like (a detect-secrets plugin name), or None.

    Args:
        value: A decoded Secret value.

    Returns:
        For example `GitHub Token`, `Private Key`, `Base64 High Entropy String`; None for a
        value no plugin recognises, a short one, or a placeholder.
    """
    text = value.strip()
    if len(text) < MIN_LENGTH or _PLACEHOLDER.search(text):
        return None
    return _scan_remembered(text) if len(text) <= _REMEMBERED_LENGTH else _scan(text)


_REMEMBERED_LENGTH = 1024


@lru_cache(maxsize=4096)
def _scan_remembered(text: str) -> str | None:
    # Memoised by value: docs and corpora repeat the same few credentials in every Secret, and
    # the answer depends on the value alone. Bounded in entries and in value length (a key file
    # is scanned every time), so hostile input cannot make it grow past ~4 MB.
    return _scan(text)


def _scan(text: str) -> str | None:
    for line in text.splitlines() or [text]:
        line = line.strip()
        if len(line) < MIN_LENGTH and "PRIVATE KEY" not in text:
            continue
        found = _scan_line(line, text)
        if found is not None:
            return found
    return None


def _scan_line(line: str, whole: str) -> str | None:
    plugins, high_entropy_class, heuristic = _detector()
    for plugin in plugins:
        if isinstance(plugin, high_entropy_class):
            if _high_entropy(plugin, line, heuristic):
                return str(plugin.secret_type)
            continue
        # A plain regex search of the value: the plugins' `analyze_string` is exactly that.
        for match in plugin.analyze_string(line if "PRIVATE KEY" not in whole else whole):
            if match and not heuristic.is_sequential_string(match):
                return str(plugin.secret_type)
    return None


def _high_entropy(plugin: HighEntropyStringsPlugin, token: str, heuristic: ModuleType) -> bool:
    """The plugin's test on the whole value (its own regex insists on quotes around it)."""
    if len(token) < _HIGH_ENTROPY_MIN or not _token().match(token):
        return False
    charset = set(plugin.charset)
    if not set(token) <= charset:
        return False
    if plugin.secret_type == "Base64 High Entropy String" and _hex().match(token):
        return False  # the hex plugin judges hex digits with its own, lower limit
    if heuristic.is_sequential_string(token) or heuristic.is_potential_uuid(token):
        return False
    entropy: float = plugin.calculate_shannon_entropy(token)
    return entropy > plugin.entropy_limit


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
                    "placeholder, or add the value (or its sha256) to secrets_allowlist"
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
