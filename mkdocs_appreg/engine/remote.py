"""Downloading CRDs named by URL, for the one site that opts in (`allow_remote_crds: true`).

By default appreg never touches the network: a URL among `crds:` is a configuration error.
A maintainer who wants a CRD straight from a release page says so explicitly; then each build
downloads it once into the cache directory (bounded in size and time) and loads it from there
like any local file. A failed download stops the build with one line naming the URL; it never
falls back silently to an older copy.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from pathlib import Path

from mkdocs_appreg.common.atomic import write_atomically
from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.common.limits import MAX_FILE_BYTES

SCHEMES = ("https://", "http://")
TIMEOUT_SECONDS = 15.0


def is_url(value: str) -> bool:
    return "://" in value


def fetch_crd(url: str, cache_dir: Path, *, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Download `url` into `cache_dir` atomically and return the local copy.

    Raises:
        CrdError: an unsupported scheme, a network or HTTP error, or a body over the size limit.
    """
    if not url.startswith(SCHEMES):
        raise CrdError("only https:// and http:// URLs can be downloaded", file=url)
    request = urllib.request.Request(url, headers={"User-Agent": "mkdocs-appreg"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # the scheme was checked above
            body = response.read(MAX_FILE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise CrdError(f"cannot download: HTTP {error.code} {error.reason}", file=url) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise CrdError(f"cannot download: {reason}", file=url) from None
    if len(body) > MAX_FILE_BYTES:
        raise CrdError(f"is larger than {MAX_FILE_BYTES} bytes", file=url)
    name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] + ".yaml"
    target = cache_dir / name
    write_atomically(target, body)
    return target
