"""A content-keyed cache of parsed CRD files, in memory and on disk.

Parsing 199 real CRDs (3.2 MB of YAML) and checking their schemas takes about a second; a
`mkdocs serve` rebuild or a second `appreg validate` should not pay it again. An entry is keyed
by the sha256 of the file's bytes, the package version and `FORMAT_VERSION`, so it can never be
stale: a changed file, a new release or a new entry layout is simply another key. Entries are
therefore immutable, which is what makes concurrent builds safe without locks: two writers of one
key write the same bytes, each to its own temporary file, and `os.replace` is atomic.

Two layers:

- memory: a module-level LRU shared by every registry of the process, so the plugin (which lives
  for a whole `mkdocs serve` session) reloads unchanged CRDs for the price of hashing them;
- disk (optional): one file per entry under a directory, for the next process.

What is stored is decided by the caller (`crdload.py`): plain data (dicts, lists, tuples, str,
int, float, bool, None, bytes, sets), serialized with `marshal`, which measured ~3x faster than
`json` to load and faster than `pickle` on these values, and which, unlike `pickle`, never calls
code while loading. Each disk entry carries a sha256 of its payload: a truncated or corrupted
file fails the check and is ignored (then rewritten by the caller), never trusted.

Trust: none. A project's cache lies in the project, and a pull request can commit it
(`git add -f .cache/appreg/crds/<key>.crd`); the key of a CRD's bytes and a plain checksum can be
computed offline, so a forged entry would replace a project CRD. Each entry is therefore sealed
with an HMAC under `cachefs.machine_key`, a secret outside the project: an entry that does not
verify is a miss (then overwritten), and `marshal`, which CPython documents as not hardened
against malicious data, only ever loads bytes this machine wrote. Re-validating an entry against
the source would mean parsing the CRD, the very work the cache saves. The directory is walked
without following symlinks (`cachefs.CacheRoot`).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import os
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs_appreg import __version__
from mkdocs_appreg.common.cachefs import CacheRoot, machine_key, seal, unseal

FORMAT_VERSION = 3
"""Bump when the layout of cached values changes, or when loading refuses CRDs it used to accept
(old entries then simply stop matching). 3: the schema depth limit and the CEL cost estimate."""

MEMORY_ENTRIES = 1024
"""Entries kept in memory (one per CRD file; about 8 KB of marshalled data each for EDA CRDs)."""

XDG_DIRECTORY = "mkdocs-appreg"
CRDS_SUBDIRECTORY = "crds"

_MAGIC = b"APPREGC2"
# An entry is at most a few MB of marshalled schemas; a bigger file was not written by us.
_MAX_ENTRY_BYTES = 64 * 1024 * 1024
_SUFFIX = ".crd"

_MEMORY: OrderedDict[str, Any] = OrderedDict()
# path -> (stat signature, content key): a `mkdocs serve` rebuild re-hashes no unchanged file.
_KEYS: dict[str, tuple[tuple[int, int, int, int], str]] = {}
# A file modified this recently may still change within the same mtime tick (git's "racy"
# files): its key is not remembered, so it is read and hashed again next time.
_RACY_SECONDS = 2.0


def content_key(data: bytes) -> str:
    """The cache key of a file's bytes: sha256 over the bytes, the package and format versions."""
    digest = hashlib.sha256(data)
    digest.update(f"\0{__version__}\0{FORMAT_VERSION}".encode())
    return digest.hexdigest()


class CrdCache:
    """Parsed CRD files by content key: a process-wide LRU in front of an optional directory.

    Args:
        directory: Where entries are written, one file each; None keeps them in memory only.
            Created on first write; a directory that cannot be written only costs speed.
        anchor: The project root when `directory` lies in a project: no component below it is
            followed if it is a symlink, and the sealing key must lie outside it.
    """

    def __init__(self, directory: Path | None = None, anchor: Path | None = None) -> None:
        self.directory = directory
        self._root = CacheRoot(directory, anchor) if directory is not None else None
        self._anchor = anchor
        self.memory_hits = 0
        self.disk_hits = 0
        self.misses = 0

    @classmethod
    def user_default(cls) -> CrdCache:
        """The cache for a run without a project: `$XDG_CACHE_HOME/mkdocs-appreg/crds`.

        Without `XDG_CACHE_HOME`, `~/.cache` as the XDG spec says; without a home directory,
        memory only.
        """
        base = os.environ.get("XDG_CACHE_HOME")
        if not base:
            try:
                base = str(Path.home() / ".cache")
            except RuntimeError:  # no home directory to speak of
                return cls(None)
        return cls(Path(base) / XDG_DIRECTORY / CRDS_SUBDIRECTORY)

    def get(self, key: str) -> Any | None:
        """The value stored under `key`, or None (absent, unreadable, or failing its checksum)."""
        if key in _MEMORY:
            _MEMORY.move_to_end(key)
            self.memory_hits += 1
            return _MEMORY[key]
        value = self._read(key)
        if value is None:
            self.misses += 1
            return None
        self.disk_hits += 1
        _remember(key, value)
        return value

    def put(self, key: str, value: Any) -> None:
        """Store `value` under `key` in memory and, when possible, on disk.

        A value marshal cannot write is kept in memory only; a disk that refuses the write is
        ignored, since the cache only ever saves time.
        """
        _remember(key, value)
        if self.directory is None:
            return
        try:
            payload = marshal.dumps(value)
        except ValueError:  # an object marshal does not support
            return
        assert self._root is not None
        try:
            self._root.write(f"{key}{_SUFFIX}", _MAGIC + seal(payload, machine_key(self._anchor)))
        except (OSError, ValueError):
            return

    def known_key(self, path: Path) -> str | None:
        """The content key of `path` if it was hashed before and its stat has not changed since."""
        try:
            signature = _signature(path.stat())
        except OSError:
            return None
        known = _KEYS.get(str(path))
        return known[1] if known is not None and known[0] == signature else None

    def read(self, path: Path) -> tuple[str, bytes]:
        """The bytes of `path` and their content key, remembered for `known_key`.

        Raises:
            OSError: the file cannot be read.
        """
        before = path.stat()
        data = path.read_bytes()
        key = content_key(data)
        if time.time() - before.st_mtime > _RACY_SECONDS and len(data) == before.st_size:
            _KEYS[str(path)] = (_signature(before), key)
        return key, data

    def remember(self, key: str, value: Any) -> None:
        """Keep `value` in the memory layer only (objects marshal cannot write)."""
        _remember(key, value)

    def recall(self, key: str) -> Any | None:
        """A value kept by `remember` (memory only; not counted in the hit statistics)."""
        value = _MEMORY.get(key)
        if value is not None:
            _MEMORY.move_to_end(key)
        return value

    def discard(self, key: str) -> None:
        """Forget `key` in memory (a value whose shape the caller rejected); disk is overwritten by `put`."""
        _MEMORY.pop(key, None)

    def _read(self, key: str) -> Any | None:
        if self._root is None:
            return None
        try:
            data = self._root.read(f"{key}{_SUFFIX}", _MAX_ENTRY_BYTES)
        except (OSError, ValueError):
            return None
        if data is None or not data.startswith(_MAGIC):
            return None
        payload = unseal(data[len(_MAGIC) :], machine_key(self._anchor))
        if payload is None:
            return None
        try:
            return marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch of CRD files is loaded.

    Loading builds hundreds of thousands of dicts; every 700 of them trigger a collection that
    walks the young objects again, which measured as half the load time of 199 CRDs from the
    cache in a fresh process. Parsed and unmarshalled CRDs hold no reference cycles, so the
    pause frees nothing later than it would have been freed; it only skips useless walks.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def clear_memory() -> None:
    """Empty the process-wide layer (benchmarks measure a cold start with it)."""
    _MEMORY.clear()
    _KEYS.clear()


def _signature(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_dev)


def _remember(key: str, value: Any) -> None:
    _MEMORY[key] = value
    _MEMORY.move_to_end(key)
    while len(_MEMORY) > MEMORY_ENTRIES:
        _MEMORY.popitem(last=False)
