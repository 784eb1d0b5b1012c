"""Digests of files and texts: what the build record and the site check compare between builds.

They live at the bottom so that the site check (which records what each page's includes read)
and the plugin's build record share one definition without the site layer importing the plugin.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from mkdocs_appreg.common.limits import MAX_FILE_BYTES


def digest(path: Path | str) -> str | None:
    """SHA-256 of a regular file's bytes; None when it cannot be read (missing, no access).

    Only regular files are read, in chunks up to the size every part of appreg accepts
    (`limits.MAX_FILE_BYTES`): a FIFO or a device among the templates (a symlink to /dev/zero)
    would block or never end. Such a file, or a bigger one, is refused by whatever reads it, so
    its kind, size and mtime stand for its content. Nothing but a regular file is opened (opening
    some devices acts: a watchdog, a tape); it is opened non-blocking, so one swapped for a FIFO
    in between cannot make the read wait, and read through its descriptor (with `buildrecord`'s
    walk without Path objects: the 600 inputs of the large-site benchmark 16 ms -> 9 ms).
    """
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            return f"special:{status.st_mode:o}"
        if status.st_size > MAX_FILE_BYTES:
            return f"oversized:{status.st_size}:{status.st_mtime_ns}"
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        hasher = hashlib.sha256()
        left = MAX_FILE_BYTES + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            hasher.update(chunk)
            left -= len(chunk)
        if left <= 0:  # it grew past the limit while being read
            return f"oversized:{os.fstat(fd).st_mtime_ns}"
        return hasher.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


# A build digests each page twice (for this record and for the serve memo's key), and the memo
# digests rendered files the record digested: the last texts' answers are kept. A str caches its
# own hash, so a repeated lookup costs nothing like a second SHA-256 of the text.
@functools.lru_cache(maxsize=256)
def text_digest(text: str) -> str:
    """SHA-256 of a text as UTF-8 (surrogates kept, so no text makes it raise)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def reads_unchanged(
    reads: Iterable[tuple[str, Path | str | None, str | None]],
    resolve: Callable[[str], Path | None],
    verified: Mapping[str, str] | None = None,
) -> bool:
    """Whether every include still resolves to the same file, with the same content.

    A read is `(path as written, file it resolved to, that file's digest)`; the file is a `Path`
    in the serve memo and a string in a record loaded from JSON. `verified` maps files whose
    bytes this build already compared with a text it holds (the rendered files in the cache) to
    that text's digest: they are not read a second time.
    """
    for path, resolved, known in reads:
        now = resolve(path)
        if (None if now is None else str(now)) != (None if resolved is None else str(resolved)):
            return False
        if resolved is None:
            continue
        current = verified.get(str(resolved)) if verified is not None else None
        if (current if current is not None else digest(Path(resolved))) != known:
            return False
    return True
