"""The CRDs shipped in `mkdocs_appreg/crds/`, their prebuilt cache, and the built-in kinds.

The built-in kinds are the bundled Registry/Catalog CRDs and core v1 Secret.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs_appreg.engine import secret
from mkdocs_appreg.engine.crdload import load_crd_text
from mkdocs_appreg.engine.kinds import BUILTIN_SOURCE, KindVersion

if TYPE_CHECKING:
    from importlib.abc import Traversable


def _bundled_folder() -> Path | Traversable:
    # The package directory when it is one (every pip install): importlib.resources would first
    # import its reader machinery, a third of what loading the two bundled CRDs costs a build.
    here = Path(__file__).resolve().parent.parent / "crds"
    if here.is_dir():
        return here
    from importlib import resources  # a zipped install only (it imports tempfile, shutil, ...)

    return resources.files("mkdocs_appreg").joinpath("crds")


def _bundled_crds() -> Iterator[tuple[str, bytes]]:
    """(file name, content) of each bundled CRD file, in name order."""
    for entry in sorted(_bundled_folder().iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            yield entry.name, entry.read_bytes()


# The bundled CRDs as `load_crd_text` loads them, written by `scripts/bundle_crds.py`: parsing
# their YAML is ~9 M instructions of every first build, reading this JSON ~0.4 M. Each entry
# holds the digest of the YAML it was made from; a YAML file that no longer matches it (or a
# missing or unreadable cache) is parsed as before, so the cache can only be slow, never stale.
BUNDLED_CACHE = "bundled.json"
_BUNDLED_CACHE_FORMAT = 1
_KIND_VERSION_FIELDS = KindVersion.__slots__


def bundled_cache_text() -> str:
    """The text of `crds/bundled.json` for the bundled CRDs as they are now."""
    files: dict[str, Any] = {}
    for name, data in _bundled_crds():
        loaded = load_crd_text(data.decode("utf-8"), _bundled_display(name), explicit=True, bundled=True)
        assert loaded is not None
        files[name] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "kinds": [
                [{field: getattr(version, field) for field in _KIND_VERSION_FIELDS} for version in versions]
                for versions in loaded[0]
            ],
        }
    return json.dumps({"format": _BUNDLED_CACHE_FORMAT, "files": files}, indent=1, sort_keys=True) + "\n"


def _bundled_cache() -> dict[str, Any]:
    try:
        cache = json.loads(_bundled_folder().joinpath(BUNDLED_CACHE).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(cache, dict) or cache.get("format") != _BUNDLED_CACHE_FORMAT:
        return {}
    files = cache.get("files")
    return files if isinstance(files, dict) else {}


def _entry_kinds(entry: dict[str, Any]) -> list[list[KindVersion]] | None:
    """The kinds of a bundled.json entry; None when it is not the shape `bundled_cache_text` writes
    (a damaged or hand-edited file is then parsed from the YAML, never a traceback)."""
    try:
        loaded = [[KindVersion(**fields) for fields in versions] for versions in entry["kinds"]]
    except (KeyError, TypeError, ValueError):
        return None
    shaped = all(
        versions
        and all(
            isinstance(v.group, str) and isinstance(v.kind, str) and isinstance(v.version, str)
            for v in versions
        )
        and all(isinstance(v.schema, dict) for v in versions)
        for versions in loaded
    )
    return loaded if shaped else None


def _bundled_display(name: str) -> str:
    return f"mkdocs_appreg/crds/{name}"


@functools.cache
def builtin_kinds() -> dict[tuple[str, str], dict[str, KindVersion]]:
    kinds: dict[tuple[str, str], dict[str, KindVersion]] = {}
    cache = _bundled_cache()
    for name, data in _bundled_crds():
        entry = cache.get(name)
        loaded = None
        if isinstance(entry, dict) and entry.get("sha256") == hashlib.sha256(data).hexdigest():
            loaded = _entry_kinds(entry)
        if loaded is None:  # no entry, another file's, or a malformed one: parse the YAML
            parsed = load_crd_text(data.decode("utf-8"), _bundled_display(name), explicit=True, bundled=True)
            assert parsed is not None
            loaded = parsed[0]
        for versions in loaded:
            kinds[(versions[0].group, versions[0].kind)] = {v.version: v for v in versions}
    secret_schema = copy.deepcopy(secret.SECRET_SCHEMA)
    kinds[("", "Secret")] = {
        "v1": KindVersion(
            group="",
            version="v1",
            kind="Secret",
            scope="Namespaced",
            served=True,
            deprecated=False,
            deprecation_warning=None,
            schema=secret_schema,
            source=BUILTIN_SOURCE,
        )
    }
    return kinds
