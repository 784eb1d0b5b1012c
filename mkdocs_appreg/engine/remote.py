"""Downloading CRDs named by URL, for the one site that opts in (`allow_remote_crds: true`).

By default appreg never touches the network: a URL among `crds:` is a configuration error.
A maintainer who wants a CRD straight from a release page says so explicitly; then each build
downloads it once into the cache directory (bounded in size and time) and loads it from there
like any local file. A failed download stops the build with one line naming the URL; it never
falls back silently to an older copy.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from mkdocs_appreg.common.cachefs import CacheRoot
from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.common.limits import MAX_FILE_BYTES

SCHEMES = ("https://", "http://")
TIMEOUT_SECONDS = 15.0


def is_url(value: str) -> bool:
    return "://" in value


def fetch_crd(url: str, cache: CacheRoot, subdirectory: str, *, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Download `url` into `subdirectory` of the cache atomically and return the local copy.

    `timeout` bounds the whole download, not each read: a server that trickles one byte every
    few seconds would otherwise hold the build for as long as it likes (urllib's timeout is
    per socket operation). Every read gets the time that is left, and the body is read in
    chunks so the deadline is checked between them.

    Raises:
        CrdError: an unsupported scheme, a network or HTTP error, a body over the size limit,
            or a download that did not finish within `timeout` seconds.
    """
    if not url.startswith(SCHEMES):
        raise CrdError("only https:// and http:// URLs can be downloaded", file=url)
    # The status line and headers are read inside urlopen, where a trickling server is bounded
    # only per read: the download runs in a daemon thread the build stops waiting for at the
    # deadline (the thread then ends at its own next read, which gets no time left).
    deadline = time.monotonic() + timeout
    outcome: list[bytes | CrdError] = []
    worker = threading.Thread(target=_download, args=(url, deadline, timeout, outcome), daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise CrdError(f"cannot download: not finished within {timeout:g} s", file=url)
    body = outcome[0]
    if isinstance(body, CrdError):
        raise body
    size = len(body)
    if size > MAX_FILE_BYTES:
        raise CrdError(f"is larger than {MAX_FILE_BYTES} bytes", file=url)
    name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] + ".yaml"
    cache.write(f"{subdirectory}/{name}", body)
    return cache.path / subdirectory / name


def _download(url: str, deadline: float, timeout: float, outcome: list[bytes | CrdError]) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "mkdocs-appreg"})
    chunks: list[bytes] = []
    size = 0
    late = CrdError(f"cannot download: not finished within {timeout:g} s", file=url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # the scheme was checked
            sock = _socket_of(response)
            while size <= MAX_FILE_BYTES:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                if sock is not None:
                    sock.settimeout(left)
                chunk = response.read1(min(65536, MAX_FILE_BYTES + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except urllib.error.HTTPError as error:
        outcome.append(CrdError(f"cannot download: HTTP {error.code} {error.reason}", file=url))
        return
    except TimeoutError:  # socket.timeout is TimeoutError since Python 3.10
        outcome.append(late)
        return
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
        # HTTPException: a malformed status line or headers (BadStatusLine, RemoteDisconnected).
        reason = getattr(error, "reason", error)
        outcome.append(
            late if isinstance(reason, TimeoutError) else CrdError(f"cannot download: {reason}", file=url)
        )
        return
    outcome.append(b"".join(chunks))


def _socket_of(response: object) -> socket.socket | None:
    """The socket under an `http.client.HTTPResponse` (its `fp` wraps the socket's file)."""
    raw = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    return raw if isinstance(raw, socket.socket) else None
