"""The registry (schemas.py), CRD loading (crdload.py), lazy compiling (compiler.py), the bundled
CRDs (bundled.py); formats.py's checkers."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

if importlib.util.find_spec("mkdocs_appreg.engine.secret") is None:
    pytest.skip("secret.py (written in parallel) is not there yet", allow_module_level=True)

from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.engine import bundled, compiler, formats
from mkdocs_appreg.engine.kinds import KindVersion
from mkdocs_appreg.engine.schemas import SchemaRegistry

HERE = Path(__file__).parent
GOOD = HERE / "fixtures" / "crds" / "good"
BROKEN = HERE / "fixtures" / "crds" / "broken"
EDA = Path("/work/shared/crds/eda")


def _bundled(name: str) -> str:
    return resources.files("mkdocs_appreg").joinpath("crds", name).read_text(encoding="utf-8")


REGISTRY_CRD = "appstore.eda.nokia.com_registries.yaml"


# --- built-in -----------------------------------------------------------------------------------


def test_builtin_knows_registry_catalog_and_secret() -> None:
    registry = SchemaRegistry.builtin()
    registry_kind = registry.lookup("appstore.eda.nokia.com/v1", "Registry")
    assert registry_kind is not None
    assert (registry_kind.scope, registry_kind.served, registry_kind.deprecated) == (
        "Namespaced",
        True,
        False,
    )
    assert registry_kind.source.endswith(f"{REGISTRY_CRD}:1")
    assert registry.lookup("appstore.eda.nokia.com/v1", "Catalog") is not None
    secret = registry.lookup("v1", "Secret")
    assert secret is not None and secret.group == "" and secret.source == "built-in"
    assert registry.files == []


def test_builtin_is_cheap_to_build_twice_and_registries_are_independent(tmp_path: Path) -> None:
    first = SchemaRegistry.builtin()
    first.add_path(GOOD)
    second = SchemaRegistry.builtin()
    assert first.knows_group_kind("test.example.com", "Widget")
    assert not second.knows_group_kind("test.example.com", "Widget")
    assert first.lookup("v1", "Secret") is second.lookup("v1", "Secret")  # parsed once


# --- lookup by group ----------------------------------------------------------------------------


def test_lookup_is_keyed_by_group_not_just_kind() -> None:
    registry = SchemaRegistry.builtin()
    assert registry.lookup("other.example.com/v1", "Registry") is None
    assert not registry.knows_group_kind("other.example.com", "Registry")
    assert registry.knows_group_kind("appstore.eda.nokia.com", "Registry")
    assert registry.groups_for_kind("Registry") == ["appstore.eda.nokia.com"]


def test_lookup_unknown_version_and_malformed_api_version() -> None:
    registry = SchemaRegistry.builtin()
    assert registry.lookup("appstore.eda.nokia.com/v2", "Registry") is None
    assert registry.versions("appstore.eda.nokia.com", "Registry") == ["v1"]
    assert registry.versions("nope.example.com", "Registry") == []
    assert registry.lookup("appstore.eda.nokia.com/v1/x", "Registry") is None
    assert registry.lookup("", "Registry") is None


# --- add_path -----------------------------------------------------------------------------------


def test_add_path_directory_is_recursive_sorted_and_skips_non_crd_files(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "crds" / "nested")
    (tmp_path / "crds" / "kustomization.yaml").write_text("resources: [nested]\n")
    (tmp_path / "crds" / "README.md").write_text("not yaml at all: [")
    registry = SchemaRegistry.builtin()
    assert registry.add_path(tmp_path / "crds", display="crds") == []
    assert [p.name for p in registry.files] == [
        "test.example.com_multi.yaml",
        "test.example.com_widgets.yaml",
    ]
    widget = registry.lookup("test.example.com/v1", "Widget")
    assert widget is not None
    assert widget.source == "crds/nested/test.example.com_widgets.yaml:2"


def test_a_crd_folder_keeps_inner_symlinks_and_does_not_enter_linked_folders(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "crds" / "real")
    (tmp_path / "crds" / "alias.yaml").symlink_to(
        tmp_path / "crds" / "real" / "test.example.com_widgets.yaml"
    )
    shutil.copytree(GOOD, tmp_path / "elsewhere")
    (tmp_path / "crds" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    registry = SchemaRegistry.builtin()
    registry.add_path(tmp_path / "crds", display="crds")
    # The inner symlink is loaded under its own name; the linked folder is not entered (as rglob).
    assert [p.relative_to(tmp_path).as_posix() for p in registry.files] == [
        "crds/alias.yaml",
        "crds/real/test.example.com_multi.yaml",
        "crds/real/test.example.com_widgets.yaml",
    ]


def test_add_path_multi_document_file_with_a_non_crd_document() -> None:
    registry = SchemaRegistry()
    assert registry.add_path(GOOD / "test.example.com_multi.yaml", display="multi.yaml") == []
    gadget = registry.lookup("test.example.com/v1", "Gadget")
    thing = registry.lookup("other.example.com/v2", "Thing")
    assert gadget is not None and gadget.scope == "Cluster" and gadget.source == "multi.yaml:7"
    assert thing is not None and thing.source == "multi.yaml:41"
    assert registry.files == [GOOD / "test.example.com_multi.yaml"]


def test_versions_keep_served_and_deprecation() -> None:
    registry = SchemaRegistry()
    registry.add_path(GOOD / "test.example.com_widgets.yaml")
    assert registry.versions("test.example.com", "Widget") == ["v1", "v1beta1", "v1alpha1", "v0"]
    beta = registry.lookup("test.example.com/v1beta1", "Widget")
    alpha = registry.lookup("test.example.com/v1alpha1", "Widget")
    zero = registry.lookup("test.example.com/v0", "Widget")
    assert beta is not None and beta.deprecated and beta.deprecation_warning is not None
    assert alpha is not None and alpha.deprecated and alpha.deprecation_warning is None
    assert zero is not None and not zero.served


def test_identical_redefinition_is_silent(tmp_path: Path) -> None:
    copy = tmp_path / "registries.yaml"
    copy.write_text(_bundled(REGISTRY_CRD))
    registry = SchemaRegistry.builtin()
    assert registry.add_path(copy) == []
    kind_version = registry.lookup("appstore.eda.nokia.com/v1", "Registry")
    assert kind_version is not None and kind_version.source == f"{copy}:1"


def test_a_different_redefinition_warns_and_the_users_wins(tmp_path: Path) -> None:
    changed = _bundled(REGISTRY_CRD).replace("maxLength: 50", "maxLength: 80")
    assert changed != _bundled(REGISTRY_CRD)
    path = tmp_path / "registries.yaml"
    path.write_text(changed)
    registry = SchemaRegistry.builtin()
    warnings = registry.add_path(path, display="my/registries.yaml")
    assert [(w.rule, w.severity, w.file, w.line) for w in warnings] == [
        ("crd.override", "warning", "my/registries.yaml", 10)
    ]
    assert "versions that differ: v1" in warnings[0].message
    kind_version = registry.lookup("appstore.eda.nokia.com/v1", "Registry")
    assert kind_version is not None and kind_version.schema is not None
    assert kind_version.schema["properties"]["spec"]["properties"]["title"]["maxLength"] == 80


# --- setup errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "fragment"),
    [
        ("not-a-crd.yaml", 1, "no apiextensions.k8s.io/v1 CustomResourceDefinition in this file"),
        ("v1beta1.yaml", 2, "apiextensions.k8s.io/v1beta1 CustomResourceDefinition is not supported"),
        ("no-group.yaml", 5, "no spec.group"),
        ("no-kind.yaml", 7, "no spec.names.kind"),
        ("no-versions.yaml", 5, "no spec.versions"),
        ("no-schema.yaml", 12, "version v1 of NoSchema has no schema.openAPIV3Schema"),
        ("not-structural.yaml", 16, "not structural (the root must have type: object)"),
        ("bad-scope.yaml", 10, 'spec.scope must be "Namespaced" or "Cluster"'),
        # ValidateCustomResourceDefinition: a CRD named otherwise defines a kind no cluster has.
        ("name-not-plural-group.yaml", 4, 'metadata.name: Invalid value: "scoped.test.example.com": must be'),
        ("syntax-error.yaml", 7, "YAML syntax error"),
    ],
)
def test_crd_errors_name_file_and_line(name: str, line: int, fragment: str) -> None:
    with pytest.raises(CrdError) as raised:
        SchemaRegistry().add_path(BROKEN / name, display=f"crds/{name}")
    assert str(raised.value).startswith(f"crds/{name}:{line}: ")
    assert fragment in str(raised.value)


def test_a_broken_crd_in_a_directory_is_an_error_too(tmp_path: Path) -> None:
    shutil.copy(BROKEN / "no-kind.yaml", tmp_path / "no-kind.yaml")
    with pytest.raises(CrdError, match=r"^crds/no-kind.yaml:7: "):
        SchemaRegistry().add_path(tmp_path, display="crds")


def test_missing_path_and_non_utf8_file_are_errors(tmp_path: Path) -> None:
    with pytest.raises(CrdError, match="no such file or directory"):
        SchemaRegistry().add_path(tmp_path / "absent.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"kind: caf\xe9\n")
    with pytest.raises(CrdError, match=r"latin.yaml:1: not UTF-8: byte 0xe9 at offset 9$"):
        SchemaRegistry().add_path(latin)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_text(_bundled(REGISTRY_CRD))
    locked.chmod(0)
    with pytest.raises(CrdError, match="cannot read"):
        SchemaRegistry().add_path(locked)


# --- compilation ----------------------------------------------------------------------------------


def test_compilation_is_lazy_and_cached_by_content(tmp_path: Path) -> None:
    # A schema nobody has compiled yet in this process (content-keyed cache).
    crd = (GOOD / "test.example.com_multi.yaml").read_text().replace("name:\n", f"name{tmp_path.name}:\n", 1)
    path = tmp_path / "multi.yaml"
    path.write_text(
        crd.replace("                    name:", f"                    n{tmp_path.name.replace('-', '')}:")
    )
    before = compiler.compile_count
    registry = SchemaRegistry()
    registry.add_path(path)
    assert compiler.compile_count == before  # loading compiles nothing
    gadget = registry.lookup("test.example.com/v1", "Gadget")
    assert gadget is not None
    first = registry.compiled(gadget)
    assert compiler.compile_count == before + 1
    again = SchemaRegistry()
    again.add_path(path)
    gadget_again = again.lookup("test.example.com/v1", "Gadget")
    assert gadget_again is not None and gadget_again is not gadget
    assert again.compiled(gadget_again) is first  # same content: not compiled again
    assert compiler.compile_count == before + 1


def test_int_or_string_and_nullable_conversion() -> None:
    converted = compiler.to_json_schema(
        {
            "type": "object",
            "properties": {
                "size": {
                    "x-kubernetes-int-or-string": True,
                    "anyOf": [{"type": "integer"}, {"type": "string"}],
                },
                "note": {"type": "string", "nullable": True, "enum": ["a"], "description": "dropped"},
            },
        },
        root=True,
    )
    assert converted["properties"]["size"] == {"type": ["integer", "string"]}
    assert converted["properties"]["note"] == {"type": ["string", "null"], "enum": ["a", None]}


@pytest.mark.skipif(not EDA.is_dir(), reason="the EDA CRD corpus is not available")
def test_the_199_eda_crds_load_and_compile_only_on_use() -> None:
    registry = SchemaRegistry.builtin()
    before = compiler.compile_count
    assert registry.add_path(EDA) == []
    assert len(registry.files) == 199
    assert compiler.compile_count == before
    eda = [d for d in registry.definitions() if d.group.endswith(".eda.nokia.com") and d.source != "built-in"]
    assert len({(d.group, d.kind) for d in eda}) >= 199
    for definition in eda[:5]:
        assert registry.lookup(definition.api_version, definition.kind) is definition
        assert registry.compiled(definition) is not None
    assert compiler.compile_count <= before + 5


# --- formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("byte", ["aGVsbG8=", "YQ==", "YWJj"], ["", "<base64(username)>", "aGVsbG8", "a b="]),
        ("date", ["2024-02-29", "1999-12-31"], ["2023-02-29", "2024-1-2", "2024-01-02T00:00:00Z"]),
        (
            "date-time",
            ["2024-05-01T12:30:00Z", "2024-05-01t12:30:00.5+02:00"],
            ["2024-05-01 12:30", "2024-05-01T24:00:00Z"],
        ),
        (
            "uuid",
            ["123e4567-e89b-12d3-a456-426614174000", "123E4567E89B12D3A456426614174000"],
            ["123", "g23e4567-e89b-12d3-a456-426614174000"],
        ),
        ("uuid4", ["123e4567-e89b-42d3-a456-426614174000"], ["123e4567-e89b-12d3-a456-426614174000"]),
        # ipv4 and cidr are ParseIPSloppy / ParseCIDRSloppy upstream: leading zeros pass, as decimal.
        (
            "ipv4",
            ["192.168.0.1", "::ffff:1.2.3.4", "01.2.3.4", "::ffff:01.2.3.4"],
            ["256.1.1.1", "1.2.3", "0256.1.1.1", "::1", "1.2.3.4:80", "1.2.3.4%eth0"],
        ),
        ("ipv6", ["2001:db8::1", "::1"], ["1.2.3.4", "fe80::1%eth0", "2001:db8:::1", "::ffff:01.2.3.4"]),
        (
            "cidr",
            ["10.0.0.0/8", "10.0.0.1/8", "2001:db8::/32", "010.0.0.0/08"],
            ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/x", "0256.0.0.0/8"],
        ),
        ("mac", ["00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e"], ["00:1a:2b", "001a2b3c4d5e"]),
        (
            "hostname",
            ["example.com", "registry-1.example.com", "localhost"],
            ["-bad-.example.com", "my_host.com", "a..b"],
        ),
        (
            "uri",
            ["https://example.com/x?y=1", "/absolute/path", "mailto:ops@example.com"],
            ["<url>", "relative/path", "https://h:port/", ""],
        ),
        ("email", ["ops@example.com", "Ops <ops@example.com>"], ["not an email", "ops@"]),
        ("duration", ["1h30m", "0", "300ms", "3 days"], ["soon", "1x"]),
        ("bsonobjectid", ["507f1f77bcf86cd799439011"], ["507f1f77bcf86cd79943901"]),
        ("isbn10", ["0-306-40615-2"], ["0-306-40615-3"]),
        ("isbn13", ["978-0-306-40615-7"], ["978-0-306-40615-8"]),
        ("creditcard", ["4111 1111 1111 1111"], ["4111 1111 1111 1112"]),
        ("ssn", ["123-45-6789"], ["123-456-789"]),
        ("hexcolor", ["#fff", "a0b1c2"], ["#ffff"]),
        ("rgbcolor", ["rgb(0, 128, 255)"], ["rgb(256,0,0)"]),
    ],
)
def test_format_checkers(name: str, good: list[str], bad: list[str]) -> None:
    check = formats.FORMAT_CHECKS[name]
    assert [value for value in good if not check(value)] == []
    assert [value for value in bad if check(value)] == []


def test_format_checker_ignores_unknown_formats_and_non_strings() -> None:
    checker = formats.format_checker()
    assert checker.conforms("anything", "int32")
    assert checker.conforms("anything", "not-a-format")
    assert checker.conforms(12, "ipv4")
    assert not checker.conforms("nope", "ipv4")
    assert formats.is_password("")


# --- the fast path agrees with jsonschema -----------------------------------------------------


def _schema_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(node, dict):
        return
    yield node
    for sub in (node.get("properties") or {}).values():
        yield from _schema_nodes(sub)
    for key in ("items", "additionalProperties", "not"):
        yield from _schema_nodes(node.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(key) or []:
            yield from _schema_nodes(sub)


def _own_level_checks() -> list[tuple[Any, Any]]:
    registry = SchemaRegistry.builtin()
    registry.add_path(GOOD)
    pairs = []
    for definition in registry.definitions():
        for node in _schema_nodes(definition.schema):
            own = {k: v for k, v in node.items() if k not in ("properties", "items", "additionalProperties")}
            converted = compiler.to_json_schema(own)
            validator = compiler.KubernetesValidator(converted, format_checker=formats.format_checker())
            pairs.append((compiler.fast_check(converted), validator))
    return pairs


OWN_LEVEL_CHECKS = _own_level_checks()
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=12),
    st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, -0.5, 5.0]),
    st.sampled_from(
        [
            "",
            "a",
            "abc",
            "Abc",
            "abcdefghijk",
            "fast",
            "medium",
            "aGVsbG8=",
            "10.0.0.0/8",
            "2024-01-02T03:04:05Z",
            "xyz",
            "az",
            "1",
            "25%",
        ]
    ),
    st.text(max_size=4),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["a", "b", "port", "name", "x"]), inner, max_size=3),
    ),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(value=_VALUES)
def test_fast_check_never_passes_what_jsonschema_rejects(value: Any) -> None:
    for check, validator in OWN_LEVEL_CHECKS:
        if check is None or check(value):
            assert list(validator.iter_errors(value)) == [], (validator.schema, value)


def test_bundled_crds_pass_the_checks_a_configured_crd_gets() -> None:
    """The built-in registry trusts the bundled CRDs without checking them on every build."""
    from mkdocs_appreg.engine.bundled import _bundled_crds
    from mkdocs_appreg.engine.crdload import load_crd_text

    shipped = list(_bundled_crds())
    assert len(shipped) == 2
    for name, data in shipped:
        # What a CRD named in mkdocs.yml goes through; raises CrdError for one that fails a check.
        assert load_crd_text(data.decode("utf-8"), f"crds/{name}", explicit=True) is not None


def test_bundled_json_is_what_the_bundled_yaml_loads_to() -> None:
    from mkdocs_appreg.engine.bundled import BUNDLED_CACHE, _bundled_folder, bundled_cache_text

    shipped = _bundled_folder().joinpath(BUNDLED_CACHE).read_text(encoding="utf-8")
    assert shipped == bundled_cache_text(), "a bundled CRD changed: run `python scripts/bundle_crds.py`"


def _kind_fields(kinds: dict[tuple[str, str], dict[str, KindVersion]]) -> dict[Any, Any]:
    return {
        (key, version): {field: getattr(kv, field) for field in KindVersion.__slots__}
        for key, versions in kinds.items()
        for version, kv in versions.items()
    }


@pytest.mark.parametrize(
    "cache",
    [
        pytest.param(None, id="the shipped cache"),
        pytest.param({}, id="no cache"),
        pytest.param("stale", id="a cache made from other YAML"),
    ],
)
def test_builtin_kinds_are_the_parsed_yaml_whatever_the_cache(
    cache: dict[str, Any] | str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundled, "_bundled_cache", lambda: {})
    bundled.builtin_kinds.cache_clear()
    parsed = _kind_fields(bundled.builtin_kinds())
    monkeypatch.undo()
    if cache == "stale":
        real = bundled._bundled_cache()
        assert real, "the shipped cache is missing or unreadable"
        stale = {
            name: {
                "sha256": "0" * 64,
                "kinds": [
                    [{**fields, "served": not fields["served"]} for fields in kind] for kind in entry["kinds"]
                ],
            }
            for name, entry in real.items()
        }
        monkeypatch.setattr(bundled, "_bundled_cache", lambda: stale)
    elif cache is not None:
        monkeypatch.setattr(bundled, "_bundled_cache", lambda: cache)
    bundled.builtin_kinds.cache_clear()
    try:
        assert _kind_fields(bundled.builtin_kinds()) == parsed
        assert ("appstore.eda.nokia.com", "Registry") in bundled.builtin_kinds()
    finally:
        bundled.builtin_kinds.cache_clear()


def test_the_shipped_cache_spares_parsing_the_bundled_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a bundled CRD was parsed although bundled.json matches it")

    monkeypatch.setattr(bundled, "load_crd_text", parse)
    bundled.builtin_kinds.cache_clear()
    try:
        assert ("appstore.eda.nokia.com", "Catalog") in bundled.builtin_kinds()
    finally:
        bundled.builtin_kinds.cache_clear()


def test_a_broken_bundled_cache_is_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for text in ["{", "[]", '{"format": 99, "files": {}}', '{"format": 1, "files": []}']:
        (tmp_path / bundled.BUNDLED_CACHE).write_text(text, encoding="utf-8")
        monkeypatch.setattr(bundled, "_bundled_folder", lambda: tmp_path)
        assert bundled._bundled_cache() == {}, text
    (tmp_path / bundled.BUNDLED_CACHE).unlink()
    assert bundled._bundled_cache() == {}
