"""The kinds a run knows: a `SchemaRegistry` maps (group, kind) to the versions a CRD defines.

The API server keys custom resources by group and kind (a `Registry` in another group is a
different kind). The bundled Registry/Catalog CRDs and core v1 Secret are built in (bundled.py);
`add_path` adds the user's CRDs (crdload.py), which win over built-in ones with a warning when
they differ.

Loading reads YAML only; turning a version's `openAPIV3Schema` into something a validator runs
(`CompiledSchema`, compiler.py) happens on first use and is cached by content, so a site that
uses 3 of 199 CRDs compiles 3 and a rebuild that reloads the same files compiles nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.bundled import builtin_kinds
from mkdocs_appreg.engine.compiler import CompiledSchema, compile_schema
from mkdocs_appreg.engine.crdcache import CrdCache, collection_paused, content_key
from mkdocs_appreg.engine.crdload import (
    CrdLocation,
    Definitions,
    decode_crd,
    from_cache_entry,
    load_crd_text,
    read_crd_bytes,
    to_cache_entry,
)
from mkdocs_appreg.engine.kinds import CRD_API_VERSION, CRD_KIND, KindVersion, parse_api_version

MAX_CRD_FOLDER_ENTRIES = 50_000
"""Entries a CRD folder may hold (199 EDA CRDs are 199 files): `--crd /` or `--crd /proc` would
otherwise walk a whole file system, or one whose entries vanish while it is walked."""


def _crd_folder_files(path: Path, shown: str) -> list[Path]:
    """The `*.yaml`/`*.yml` regular files below `path`, sorted; symlinked folders not entered.

    Raises:
        CrdError: the folder holds more than `MAX_CRD_FOLDER_ENTRIES` entries.
    """
    found: list[Path] = []
    entries = 0
    # onerror ignored: an entry that vanishes or cannot be read while walking (/proc) is skipped.
    for directory, subdirectories, names in os.walk(path):
        entries += len(subdirectories) + len(names)
        if entries > MAX_CRD_FOLDER_ENTRIES:
            raise CrdError(
                f"holds more than {MAX_CRD_FOLDER_ENTRIES:,} entries: name the folder of the CRDs", file=shown
            )
        for name in names:
            if name.endswith((".yaml", ".yml")):
                file = Path(directory, name)
                with contextlib.suppress(OSError):
                    if file.is_file():
                        found.append(file)
    return sorted(found)


class SchemaRegistry:
    """Every kind this run knows, by group, kind and version."""

    def __init__(self) -> None:
        self._kinds: dict[tuple[str, str], dict[str, KindVersion]] = {}
        self._files: dict[Path, None] = {}  # ordered set: 199 files made list lookups quadratic
        self._compiled: dict[int, tuple[KindVersion, CompiledSchema]] = {}
        # What this registry was built from, in order: equal fingerprints mean equal registries.
        self._sources = hashlib.sha256()

    @classmethod
    def builtin(cls) -> SchemaRegistry:
        """A registry with the bundled CRDs and core v1 Secret (parsed once per process)."""
        registry = cls()
        registry._kinds = {key: dict(versions) for key, versions in builtin_kinds().items()}
        registry._sources.update(b"built-in\0")
        return registry

    @property
    def fingerprint(self) -> str:
        """A digest of everything loaded (content and display names, in order).

        Two registries with the same fingerprint judge every document alike, so a result
        computed with one can be reused with the other (the plugin's per-file results).
        """
        return self._sources.hexdigest()

    @property
    def files(self) -> list[Path]:
        """CRD files loaded by `add_path`, in load order (for watch lists)."""
        return list(self._files)

    def add_path(
        self, path: Path, *, display: str | None = None, cache: CrdCache | None = None
    ) -> list[Finding]:
        """Load a CRD file (multi-document) or every `*.yaml`/`*.yml` below a directory.

        Args:
            path: A file or a directory (searched recursively, in sorted order).
            display: How to name `path` in messages; defaults to `str(path)`.
            cache: Parsed CRD files by content (`crdcache.CrdCache`); a file whose bytes were
                parsed before, in this process or into the cache's directory, is not parsed
                again. Files that fail to load are never cached, so their error is reported
                every time.

        Returns:
            `crd.override` warnings for definitions that replace a different, known one.

        Raises:
            CrdError: An unreadable file, a YAML error, a document that is not a v1 CRD, or a
                CRD without the parts validation needs.
        """
        shown = display if display is not None else str(path)
        loaded: list[tuple[Path, list[list[KindVersion]], list[CrdLocation]]] = []
        with collection_paused():
            if path.is_dir():
                files = _crd_folder_files(path, shown)
                real_root = path.resolve()
                depth = len(path.parts)
                for file in files:
                    name = f"{shown.rstrip('/')}/{'/'.join(file.parts[depth:])}"
                    # rglob does not enter symlinked directories, so only the file itself can be
                    # a symlink: one lstat, where resolving every file took one per component.
                    if file.is_symlink() and not file.resolve().is_relative_to(real_root):
                        # A symlink in a CRD folder may not pull in a file from elsewhere.
                        raise CrdError(f"is a symlink to {file.resolve()}, outside {shown}", file=name)
                    definitions = self._load_file(file, name, explicit=False, cache=cache)
                    if definitions is not None:
                        loaded.append((file, *definitions))
            elif path.is_file():
                definitions = self._load_file(path, shown, explicit=True, cache=cache)
                assert definitions is not None  # an explicit file without CRDs raises
                loaded.append((path, *definitions))
            elif "://" in str(shown):
                # Never fetched: a build or check makes no network connection, whatever its input.
                raise CrdError(
                    "is a URL; appreg never downloads CRDs: save the file and name its path", file=shown
                )
            elif path.exists():
                raise CrdError("is not a regular file or a directory", file=shown)  # /dev/zero, a FIFO
            else:
                raise CrdError("no such file or directory", file=shown)
        warnings: list[Finding] = []
        for file, kinds, locations in loaded:
            for versions, location in zip(kinds, locations, strict=True):
                warnings.extend(self._add_kind(versions, location))
            self._files.setdefault(file)
        return warnings

    def _load_file(
        self, path: Path, shown: str, *, explicit: bool, cache: CrdCache | None
    ) -> Definitions | None:
        if cache is None:
            data = read_crd_bytes(path, shown)
            key = content_key(data)
            self._sources.update(f"{shown}\0{key}\0".encode())
            return load_crd_text(decode_crd(data, shown), shown, explicit=explicit)
        known = cache.known_key(path)  # a serve rebuild: unchanged files are not even read
        if known is None:
            try:
                key, data = cache.read(path)
            except OSError as error:
                raise CrdError(f"cannot read: {error.strerror or error}", file=shown) from None
        else:
            key, data = known, b""
        self._sources.update(f"{shown}\0{key}\0".encode())
        # The definitions as KindVersions under this display name, shared by every registry of
        # the process (they are immutable), then the display-free entry from memory or disk.
        shown_key = f"{key}\0{shown}"
        restored = cache.recall(shown_key)
        if restored is not None:
            return restored  # type: ignore[no-any-return]
        stored = cache.get(key)
        if stored is not None:
            restored = from_cache_entry(stored, shown)
            if restored is not None:
                cache.remember(shown_key, restored)
                return restored
            cache.discard(key)  # not the shape we write: parse again and overwrite it
        if known is not None:
            data = read_crd_bytes(path, shown)
        definitions = load_crd_text(decode_crd(data, shown), shown, explicit=explicit)
        if definitions is not None:
            entry = to_cache_entry(*definitions)
            if entry is not None:
                cache.put(key, entry)
            cache.remember(shown_key, definitions)
        return definitions

    def _add_kind(self, versions: list[KindVersion], location: CrdLocation) -> list[Finding]:
        first = versions[0]
        key = (first.group, first.kind)
        known = self._kinds.get(key)
        new = {v.version: v for v in versions}
        self._kinds[key] = new
        if known is None:
            return []
        changed = sorted(
            name
            for name in set(known) | set(new)
            if name not in known or name not in new or not known[name].same_definition(new[name])
        )
        if not changed:
            return []
        earlier = sorted({v.source for v in known.values()})
        message = (
            f"CustomResourceDefinition for {first.kind} in group {first.group} replaces a different "
            f"definition from {', '.join(earlier)} (versions that differ: {', '.join(changed)})"
        )
        return [_override_warning(location, rule="crd.override", message=message)]

    def lookup(self, api_version: str, kind: str) -> KindVersion | None:
        """The definition of `kind` at `api_version`, or None when unknown."""
        parsed = parse_api_version(api_version)
        if parsed is None:
            return None
        versions = self._kinds.get((parsed[0], kind))
        return None if versions is None else versions.get(parsed[1])

    def versions(self, group: str, kind: str) -> list[str]:
        """The version names defined for a group and kind, in CRD order."""
        return list(self._kinds.get((group, kind), {}))

    def knows_group_kind(self, group: str, kind: str) -> bool:
        return (group, kind) in self._kinds

    def definitions(self) -> Iterator[KindVersion]:
        """Every known version of every kind, in load order."""
        for versions in self._kinds.values():
            yield from versions.values()

    def groups_for_kind(self, kind: str) -> list[str]:
        """Every group that defines `kind` (to say "did you mean" when the group is wrong)."""
        return sorted(group for group, known_kind in self._kinds if known_kind == kind)

    def compiled(self, kind_version: KindVersion) -> CompiledSchema | None:
        """The compiled schema of a version, compiled on first use; None without a schema."""
        if kind_version.schema is None:
            return None
        entry = self._compiled.get(id(kind_version))
        if entry is None or entry[0] is not kind_version:
            entry = (kind_version, compile_schema(kind_version.schema))
            self._compiled[id(kind_version)] = entry
        return entry[1]


def _override_warning(location: CrdLocation, *, rule: str, message: str) -> Finding:
    return Finding(
        file=location.file,
        line=location.line,
        column=location.column,
        rule=rule,
        message=message,
        severity="warning",
        document=location.document,
        api_version=CRD_API_VERSION,
        kind=CRD_KIND,
        name=location.name,
    )
