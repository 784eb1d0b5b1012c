"""The content-keyed CRD cache: memory and disk layers, corruption, concurrency, registry wiring."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.engine import compiler, crdcache
from mkdocs_appreg.engine.crdcache import CrdCache, clear_memory, content_key
from mkdocs_appreg.engine.kinds import KindVersion
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.site.project import ProjectSettings, build_registry

HERE = Path(__file__).resolve().parent
GOOD = HERE / "fixtures" / "crds" / "good"
BROKEN = HERE / "fixtures" / "crds" / "broken"
CEL = HERE / "fixtures" / "crds-cel"


@pytest.fixture(autouse=True)
def empty_memory() -> Iterator[None]:
    # The memory layer is process-wide: each test starts (and leaves) it empty.
    clear_memory()
    yield
    clear_memory()


def definitions(registry: SchemaRegistry) -> list[tuple[str, str, str, str, object]]:
    return [(v.group, v.kind, v.version, v.source, v.schema) for v in registry.definitions()]


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.crd"))


# --- the cache on its own ----------------------------------------------------------------------


def test_key_depends_on_the_bytes_only() -> None:
    assert content_key(b"a: 1\n") == content_key(b"a: 1\n")
    assert content_key(b"a: 1\n") != content_key(b"a: 2\n")
    assert len(content_key(b"")) == 64


def test_value_survives_a_new_process_through_the_disk(tmp_path: Path) -> None:
    value = [(1, [("g", "v1", {"type": "object", "x": [1, 2.5, None, True]})], (3, 4, 0, "n"))]
    CrdCache(tmp_path).put("k" * 64, value)
    clear_memory()  # what a new process starts with
    fresh = CrdCache(tmp_path)
    assert fresh.get("k" * 64) == value
    assert (fresh.disk_hits, fresh.memory_hits, fresh.misses) == (1, 0, 0)
    assert fresh.get("k" * 64) == value
    assert fresh.memory_hits == 1


def test_memory_only_cache_writes_nothing(tmp_path: Path) -> None:
    cache = CrdCache(None)
    cache.put("a" * 64, [1])
    assert cache.get("a" * 64) == [1]
    clear_memory()
    assert cache.get("a" * 64) is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]), id="flipped-byte"),
        pytest.param(lambda data: b"NOTMAGIC" + data[8:], id="bad-magic"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_damaged_entry_is_a_miss_never_a_value(tmp_path: Path, damage: object) -> None:
    CrdCache(tmp_path).put("d" * 64, {"kept": "value"})
    [entry] = entries(tmp_path)
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    clear_memory()
    cache = CrdCache(tmp_path)
    assert cache.get("d" * 64) is None
    assert cache.misses == 1


def test_an_unwritable_directory_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = CrdCache(blocker / "crds")
    cache.put("e" * 64, [1])  # mkdir fails: ignored
    assert cache.get("e" * 64) == [1]  # still served from memory


def test_concurrent_writers_of_one_key_leave_one_whole_entry(tmp_path: Path) -> None:
    value = {"schema": ["x" * 1000] * 50}
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(20):
                CrdCache(tmp_path).put("c" * 64, value)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [p.name for p in tmp_path.iterdir()] == ["c" * 64 + ".crd"]  # no temporary file left
    clear_memory()
    assert CrdCache(tmp_path).get("c" * 64) == value


def test_user_default_follows_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert CrdCache.user_default().directory == tmp_path / "mkdocs-appreg" / "crds"


def test_memory_layer_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crdcache, "MEMORY_ENTRIES", 3)
    cache = CrdCache(None)
    for index in range(5):
        cache.put(f"{index:064d}", index)
    assert cache.get(f"{0:064d}") is None
    assert cache.get(f"{4:064d}") == 4


# --- the cache in SchemaRegistry.add_path -------------------------------------------------------


def test_registry_from_the_disk_cache_equals_the_parsed_one(tmp_path: Path) -> None:
    parsed = SchemaRegistry.builtin()
    warnings = parsed.add_path(CEL, display="crds", cache=CrdCache(tmp_path))
    assert entries(tmp_path)  # one entry per CRD file
    clear_memory()
    cache = CrdCache(tmp_path)
    cached = SchemaRegistry.builtin()
    assert cached.add_path(CEL, display="crds", cache=cache) == warnings
    assert cache.misses == 0 and cache.disk_hits == len(entries(tmp_path))
    assert definitions(cached) == definitions(parsed)
    assert cached.files == parsed.files
    assert cached.fingerprint == parsed.fingerprint


def test_cached_entries_do_not_remember_the_display_name(tmp_path: Path) -> None:
    # The same bytes configured under another path are a hit, shown under the new name.
    SchemaRegistry().add_path(GOOD, display="first", cache=CrdCache(tmp_path))
    clear_memory()
    cache = CrdCache(tmp_path)
    registry = SchemaRegistry()
    registry.add_path(GOOD, display="second/place", cache=cache)
    assert cache.misses == 0
    assert {v.source.rsplit(":", 1)[0] for v in registry.definitions()} == {
        "second/place/test.example.com_multi.yaml",
        "second/place/test.example.com_widgets.yaml",
    }


def test_an_edited_crd_is_parsed_again(tmp_path: Path) -> None:
    crds = tmp_path / "crds"
    shutil.copytree(GOOD, crds)
    cache = CrdCache(tmp_path / "cache")
    before = SchemaRegistry()
    before.add_path(crds, cache=cache)
    widgets = crds / "test.example.com_widgets.yaml"
    widgets.write_text(widgets.read_text().replace("served: true", "served: false", 1))
    after = SchemaRegistry()
    after.add_path(crds, cache=cache)
    assert cache.misses == 2 + 1  # both files the first time, the edited one again
    assert before.fingerprint != after.fingerprint
    served = {(v.kind, v.version): v.served for v in after.definitions()}
    assert served != {(v.kind, v.version): v.served for v in before.definitions()}


def test_an_entry_of_the_wrong_shape_is_parsed_again_and_rewritten(tmp_path: Path) -> None:
    file = GOOD / "test.example.com_widgets.yaml"
    key = content_key(file.read_bytes())
    CrdCache(tmp_path).put(key, ["not", "what", "schemas", "writes"])  # valid checksum, bad shape
    clear_memory()
    registry = SchemaRegistry()
    registry.add_path(file, cache=CrdCache(tmp_path))
    assert [v.kind for v in registry.definitions()]
    clear_memory()
    again = CrdCache(tmp_path)
    reloaded = SchemaRegistry()
    reloaded.add_path(file, cache=again)
    assert again.disk_hits == 1
    assert definitions(reloaded) == definitions(registry)


def test_a_broken_crd_is_never_cached(tmp_path: Path) -> None:
    cache = CrdCache(tmp_path)
    for _ in range(2):
        with pytest.raises(CrdError, match=r"spec\.group"):
            SchemaRegistry().add_path(BROKEN / "no-group.yaml", display="no-group.yaml", cache=cache)
    assert entries(tmp_path) == []


def test_a_serve_rebuild_reuses_the_compiled_schemas(tmp_path: Path) -> None:
    cache = CrdCache(tmp_path)
    first = SchemaRegistry()
    first.add_path(CEL, cache=cache)
    for version in first.definitions():
        first.compiled(version)
    before = compiler.compile_count
    rebuilt = SchemaRegistry()
    rebuilt.add_path(CEL, cache=cache)  # memory hits: the same schema objects come back
    compiled = [rebuilt.compiled(v) for v in rebuilt.definitions()]
    assert compiler.compile_count == before
    assert compiled == [first.compiled(v) for v in first.definitions()]


def test_build_registry_caches_under_the_project_cache_dir(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    settings = ProjectSettings(
        root=tmp_path,
        docs_dir=tmp_path / "docs",
        templates_dir=tmp_path / "templates",
        cache_dir=tmp_path / ".cache" / "appreg",
        crds=(GOOD,),
    )
    registry, warnings = build_registry(settings)
    assert warnings == []
    assert len(entries(tmp_path / ".cache" / "appreg" / "crds")) == 2
    assert {v.kind for v in registry.definitions()} >= {"Widget"}


# --- what compiling records for the validator ---------------------------------------------------


def kind_version(schema: dict[str, object]) -> KindVersion:
    return KindVersion("g", "v1", "K", "Namespaced", True, False, None, schema, "test")


def test_schemas_without_rules_skip_the_extension_walk() -> None:
    plain = {"type": "object", "properties": {"spec": {"type": "object"}}}
    assert SchemaRegistry().compiled(kind_version(plain)).extensions is False  # type: ignore[union-attr]
    for marker in ("x-kubernetes-validations", "x-kubernetes-list-type", "x-kubernetes-embedded-resource"):
        value: object = [{"rule": "true"}] if marker == "x-kubernetes-validations" else "set"
        schema = {"type": "object", "properties": {"spec": {"type": "object", marker: value}}}
        compiled = SchemaRegistry().compiled(kind_version(schema))
        assert compiled is not None and compiled.extensions is True, marker


def test_an_unchanged_file_is_not_hashed_again_but_a_fresh_one_is(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_bytes(b"a: 1\n")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    cache = CrdCache(None)
    key, data = cache.read(old)
    assert (key, data) == (content_key(b"a: 1\n"), b"a: 1\n")
    assert cache.known_key(old) == key
    old.write_bytes(b"a: 22\n")  # changed: size and mtime differ
    assert cache.known_key(old) is None
    fresh = tmp_path / "fresh.yaml"
    fresh.write_bytes(b"b: 1\n")
    cache.read(fresh)
    assert cache.known_key(fresh) is None  # may still change within its mtime tick
