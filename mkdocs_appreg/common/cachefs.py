"""The cache directory as hostile ground: no symlink followed in it, nothing trusted from it unsigned.

`.cache/appreg/` is git-ignored, but `git add -f` commits it and a fresh CI clone then holds
whatever a pull request put there. So every file operation below the cache root goes through here:

- Directories are walked one component at a time from the cache root with `O_NOFOLLOW` and
  directory file descriptors (`openat`), so a committed symlink anywhere below the root (or
  between the project root and the cache root) is refused, never followed, whatever it was
  swapped for between two calls. Writes, reads and deletions all take that walk.
- Data the build trusts (parsed CRDs, the build record) is sealed with an HMAC under a key
  that lives outside the project (`machine_key`): a committer can compute any content digest
  offline, but not that MAC, so a forged entry is simply one that does not verify.

The refusal is an `UnsafeCachePath` (an `OSError`): callers that treat the cache as an
optimisation (the CRD cache, the record) skip it silently, callers that must write it (the
rendered snippets) stop the build with its one-line message.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = [
    "CacheRoot",
    "UnsafeCachePath",
    "machine_key",
    "seal",
    "unseal",
]

KEY_BYTES = 32
_MAC_BYTES = 32
KEY_DIRECTORY = "mkdocs-appreg"
KEY_FILE = "cache-key"

# O_NOFOLLOW and directory descriptors are POSIX; elsewhere each component is lstat-ed instead
# (racy against a concurrent local attacker, who is not the pull request this guards against).
_AT = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


# Directories `CacheRoot.reading` keeps open at once (well below any descriptor limit).
_KEPT_DIRECTORIES = 32


class UnsafeCachePath(OSError):
    """A path below the cache root that is a symlink (or not a directory where one must be)."""

    def __str__(self) -> str:
        return str(self.strerror)  # the one line, without OSError's "[Errno 40]" in front


def _key_location() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / KEY_DIRECTORY / KEY_FILE


_KEY: bytes | None = None


def machine_key(project_root: Path | None = None) -> bytes:
    """The secret that seals cached data: per user and machine, outside every project.

    Read from (or created in) `$XDG_CACHE_HOME/mkdocs-appreg/cache-key` (`~/.cache/...` by
    default) with mode 0600. A key file that is a symlink, not ours, not private, of the wrong
    size, or inside `project_root` (a project at `$HOME` could commit `.cache/mkdocs-appreg/`)
    is not used: the process then uses a random key of its own, which costs only the reuse of
    cached data across processes. A fresh CI machine has a fresh key, so nothing a pull request
    committed under the cache ever verifies.
    """
    global _KEY
    location = _key_location()
    if location is not None and project_root is not None:
        with contextlib.suppress(OSError, ValueError):
            if location.resolve().is_relative_to(project_root.resolve()):
                return _process_key()
    if _KEY is not None:
        return _KEY
    key = _load_key(location) if location is not None else None
    _KEY = key if key is not None else _process_key()
    return _KEY


_PROCESS_KEY = secrets.token_bytes(KEY_BYTES)


def _process_key() -> bytes:
    return _PROCESS_KEY


def _load_key(location: Path) -> bytes | None:
    flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC
    for _ in range(2):
        try:
            fd = os.open(location, flags)
        except FileNotFoundError:
            try:
                location.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(location, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
            except FileExistsError:
                continue  # another process created it meanwhile: read theirs
            except OSError:
                return None
            try:
                key = secrets.token_bytes(KEY_BYTES)
                os.write(fd, key)
                return key
            finally:
                os.close(fd)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            private = stat.S_ISREG(info.st_mode) and not info.st_mode & 0o077
            if not private or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
                return None
            key = os.read(fd, KEY_BYTES + 1)
        finally:
            os.close(fd)
        return key if len(key) == KEY_BYTES else None
    return None


def seal(data: bytes, key: bytes) -> bytes:
    """`data` behind an HMAC-SHA256 of it under `key`."""
    return hmac.new(key, data, hashlib.sha256).digest() + data


def unseal(blob: bytes, key: bytes) -> bytes | None:
    """The data `seal` wrapped, or None when the MAC does not verify (forged, corrupt, other key)."""
    if len(blob) < _MAC_BYTES:
        return None
    data = memoryview(blob)[_MAC_BYTES:]
    expected = hmac.new(key, data, hashlib.sha256).digest()
    return bytes(data) if hmac.compare_digest(expected, blob[:_MAC_BYTES]) else None


class CacheRoot:
    """File operations below one cache directory that never follow a symlink.

    Args:
        path: The cache root (absolute).
        anchor: The deepest directory whose path is trusted: the project root when the cache
            lies inside the project (every component from there down is walked without
            following symlinks), else the cache root itself (an absolute `cache_dir` outside the
            project is the maintainer's choice).
        shown: How the root is named in messages (`.cache/appreg`).
    """

    def __init__(self, path: Path, anchor: Path | None = None, shown: str | None = None) -> None:
        self.path = path
        self.shown = shown if shown is not None else str(path)
        self._anchor = path
        self._prefix: tuple[str, ...] = ()
        if anchor is not None and path != anchor and path.is_relative_to(anchor):
            self._anchor = anchor
            self._prefix = path.relative_to(anchor).parts

    # -- walking

    @contextlib.contextmanager
    def _directory(self, parts: tuple[str, ...], *, create: bool) -> Iterator[int | None]:
        """A descriptor of the directory `parts` below the root (None when it is missing)."""
        if not _AT:
            self._checked(parts, create=create)
            yield None
            return
        names = (*self._prefix, *parts)
        try:
            if create:
                os.makedirs(self._anchor, exist_ok=True)
            fd = os.open(self._anchor, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
        except FileNotFoundError:
            yield None
            return
        try:
            for depth, name in enumerate(names):
                if name in ("", ".", ".."):
                    raise UnsafeCachePath(errno.EINVAL, f"{name!r} is not a cache path component")
                try:
                    child = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        yield None
                        return
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(name, 0o777, dir_fd=fd)
                    child = self._open_child(fd, name, names[: depth + 1])
                except OSError as error:
                    if error.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                        raise self._refusal(names[: depth + 1], fd, name) from None
                    raise
                os.close(fd)
                fd = child
            yield fd
        finally:
            os.close(fd)

    def _open_child(self, fd: int, name: str, names: tuple[str, ...]) -> int:
        try:
            return os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                raise self._refusal(names, fd, name) from None
            raise

    def _refusal(self, names: tuple[str, ...], fd: int | None, name: str) -> UnsafeCachePath:
        shown = self._show(names)
        try:
            mode = (
                os.lstat(name, dir_fd=fd).st_mode
                if fd is not None
                else os.lstat(self._anchor.joinpath(*names)).st_mode
            )
        except OSError:
            mode = 0
        what = "is a symlink" if stat.S_ISLNK(mode) else "is not a directory"
        return UnsafeCachePath(
            errno.ELOOP,
            f"{shown} {what}; appreg never follows a symlink in its cache (remove it)",
        )

    def _show(self, names: tuple[str, ...]) -> str:
        below = names[len(self._prefix) :]
        if len(names) <= len(self._prefix):
            return "/".join(names)
        return "/".join((self.shown, *below))

    def _checked(self, parts: tuple[str, ...], *, create: bool) -> None:
        """The lstat walk for platforms without O_NOFOLLOW directory descriptors."""
        current = self._anchor
        names = (*self._prefix, *parts)
        for depth, name in enumerate(names):
            current = current / name
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                if not create:
                    return
                current.mkdir()
                continue
            if not stat.S_ISDIR(mode):
                raise self._refusal(names[: depth + 1], None, name)

    @staticmethod
    def _split(relative: str) -> tuple[tuple[str, ...], str]:
        parts = tuple(relative.split("/"))
        if any(part in ("", ".", "..") for part in parts):
            raise UnsafeCachePath(errno.EINVAL, f"{relative!r} is not a plain path below the cache")
        return parts[:-1], parts[-1]

    # -- operations

    def write(self, relative: str, data: bytes) -> None:
        """Replace `relative` (a `/`-separated path below the root) with `data` in one rename."""
        parents, name = self._split(relative)
        with self._directory(parents, create=True) as fd:
            if fd is None:  # only without _AT: created by the lstat walk
                from mkdocs_appreg.common.atomic import write_atomically

                write_atomically(self.path.joinpath(*parents, name), data)
                return
            temporary = f".{name}.{secrets.token_hex(6)}.tmp"
            handle = os.open(
                temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o644, dir_fd=fd
            )
            try:
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(handle, view) :]
                finally:
                    os.close(handle)
                # rename() replaces a symlink at `name` itself, never what it points to.
                os.rename(temporary, name, src_dir_fd=fd, dst_dir_fd=fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=fd)
                raise

    def read(self, relative: str, limit: int) -> bytes | None:
        """The bytes of a regular file `relative`, None when missing, a symlink or over `limit`."""
        parents, name = self._split(relative)
        with self._directory(parents, create=False) as fd:
            return self._read_in(fd, parents, name, limit)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Callable[[str, int], bytes | None]]:
        """`read`, for many files: the walk to each directory is taken once, not once per file.

        A reused build compares its 400 rendered files with the cache: a walk of 7 directories
        from the project root for each was most of that (issue 21). The directories stay open
        (a few dozen at most, then they are closed and walked to again) until the block ends;
        a descriptor keeps naming the directory it was opened on, whatever is renamed meanwhile.
        """
        opened: dict[tuple[str, ...], tuple[contextlib.AbstractContextManager[int | None], int | None]] = {}

        def close() -> None:
            while opened:
                _parents, (walk, _fd) = opened.popitem()
                walk.__exit__(None, None, None)

        def read(relative: str, limit: int) -> bytes | None:
            parents, name = self._split(relative)
            entry = opened.get(parents)
            if entry is None:
                if len(opened) >= _KEPT_DIRECTORIES:
                    close()
                walk = self._directory(parents, create=False)
                entry = opened[parents] = (walk, walk.__enter__())
            return self._read_in(entry[1], parents, name, limit)

        try:
            yield read
        finally:
            close()

    def _read_in(self, fd: int | None, parents: tuple[str, ...], name: str, limit: int) -> bytes | None:
        """`read` of `name` in the directory `_directory(parents)` gave `fd` for."""
        if not _AT:
            target = self.path.joinpath(*parents, name)
            if fd is None and not target.parent.is_dir():
                return None
            try:
                if not stat.S_ISREG(os.lstat(target).st_mode):
                    return None
                with open(target, "rb") as stream:
                    data = stream.read(limit + 1)
            except OSError:
                return None
            return data if len(data) <= limit else None
        if fd is None:
            return None
        try:
            handle = os.open(name, os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
        except OSError:
            return None  # missing, or a symlink (ELOOP): never read through it
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return None
            chunks: list[bytes] = []
            size = 0
            while size <= limit:
                chunk = os.read(handle, min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(handle)
        return b"".join(chunks) if size <= limit else None

    def remove_file(self, relative: str) -> None:
        """Delete `relative` if it is a regular file or a symlink (the link itself) below the root."""
        parents, name = self._split(relative)
        with self._directory(parents, create=False) as fd:
            if not _AT:
                target = self.path.joinpath(*parents, name)
                with contextlib.suppress(OSError):
                    if not stat.S_ISDIR(os.lstat(target).st_mode):
                        target.unlink()
                return
            if fd is None:
                return
            with contextlib.suppress(OSError):
                if not stat.S_ISDIR(os.lstat(name, dir_fd=fd).st_mode):
                    os.unlink(name, dir_fd=fd)

    def files(self, relative: str) -> list[str]:
        """Every non-directory entry below the directory `relative`, as `/`-paths from the root.

        Symlinks are listed (as entries to remove), never entered.
        """
        found: list[str] = []
        pending = [tuple(relative.split("/"))]
        while pending:
            parts = pending.pop()
            try:
                with self._directory(parts, create=False) as fd:
                    if fd is None and _AT:
                        continue
                    entries = os.scandir(fd if fd is not None else self.path.joinpath(*parts))
                    with entries:
                        for entry in entries:
                            if entry.is_dir(follow_symlinks=False):
                                pending.append((*parts, entry.name))
                            else:
                                found.append("/".join((*parts, entry.name)))
            except UnsafeCachePath:
                raise  # the root or a component above it: entries below are listed, not entered
            except OSError:
                continue
        return sorted(found)
