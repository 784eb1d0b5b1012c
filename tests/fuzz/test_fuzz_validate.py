"""Property: validation of random and mutated resources never raises; findings lie inside the input.

Resources are drawn against the bundled Registry/Catalog CRDs and core v1 Secret, and, when the
shared corpus is present (`../shared/crds`), against its CRDs too; that part is skipped otherwise.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzzing import FUZZ, assert_inside
from hypothesis import given
from hypothesis import strategies as st

from mkdocs_appreg.cli.commands import main
from mkdocs_appreg.engine.kinds import KindVersion
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.engine.validate import validate_text

REPO = Path(__file__).resolve().parents[2]
SHARED_CRDS = REPO.parent / "shared" / "crds"
EXAMPLES = sorted((REPO / "templates").rglob("*.j2")) + sorted((REPO / "tests" / "fixtures").rglob("*.yaml"))

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20)


def values_for(schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values shaped like `schema` most of the time, and anything at all some of the time."""
    if not isinstance(schema, dict) or depth > 4:
        return scalars
    properties = schema.get("properties")
    if isinstance(properties, dict) and properties:
        fields = {name: values_for(child, depth + 1) for name, child in list(properties.items())[:12]}
        shaped = st.fixed_dictionaries({}, optional=fields)
        return shaped | st.dictionaries(st.text(max_size=8), scalars, max_size=3)
    items = schema.get("items")
    if isinstance(items, dict):
        return st.lists(values_for(items, depth + 1), max_size=3) | scalars
    return scalars


@cache
def registry() -> SchemaRegistry:
    return SchemaRegistry.builtin()


@cache
def shared_registry() -> SchemaRegistry:
    loaded = SchemaRegistry.builtin()
    loaded.add_path(SHARED_CRDS)
    return loaded


def resources(source: SchemaRegistry) -> st.SearchStrategy[dict[str, Any]]:
    kinds: list[KindVersion] = [k for k in source.definitions() if k.schema is not None]

    def for_kind(kind: KindVersion) -> st.SearchStrategy[dict[str, Any]]:
        body = values_for(kind.schema)
        name = st.text(max_size=12) | st.sampled_from(["ok", "Bad_Name", "a" * 300])
        return st.tuples(body, name).map(
            lambda pair: {
                **(pair[0] if isinstance(pair[0], dict) else {"spec": pair[0]}),
                "apiVersion": kind.api_version,
                "kind": kind.kind,
                "metadata": {"name": pair[1], "namespace": "default"},
            }
        )

    return st.sampled_from(kinds).flatmap(for_kind)


def dump(resource: dict[str, Any]) -> str:
    return yaml.safe_dump(resource, sort_keys=False, allow_unicode=True)


@FUZZ
@given(resource=resources(registry()))
def test_random_resources_against_bundled_crds(resource: dict[str, Any]) -> None:
    text = dump(resource)
    findings, count = validate_text(text, "r.yaml", registry())
    assert count == 1
    assert_inside(findings, text)


@FUZZ
@given(data=st.data())
def test_random_resources_against_shared_crds(data: st.DataObject) -> None:
    if not SHARED_CRDS.is_dir():
        pytest.skip("../shared/crds is not present")
    source = shared_registry()
    text = dump(data.draw(resources(source)))
    findings, _ = validate_text(text, "r.yaml", source)
    assert_inside(findings, text)


def mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, delete, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + delete :]
    return text


edits = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.integers(0, 4),
        st.sampled_from(["", " ", "\t", ":", "-", "\n", "&a", "*a", "'", "{", "]", "\x00", "é", "<<: *a\n"]),
    ),
    min_size=1,
    max_size=6,
)


@FUZZ
@given(index=st.integers(0, 10_000), changes=edits)
def test_mutated_examples_never_raise(index: int, changes: list[tuple[int, int, str]]) -> None:
    candidates = [p for p in EXAMPLES if p.suffix in (".yaml", ".j2")]
    if not candidates:
        pytest.skip("no example files")
    text = mutate(candidates[index % len(candidates)].read_text(encoding="utf-8", errors="replace"), changes)
    findings, _ = validate_text(text, "m.yaml", registry())
    assert_inside(findings, text)


@FUZZ
@given(data=st.binary(max_size=300))
def test_the_cli_exits_0_1_or_2_on_any_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("cli") / "x.yaml"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["validate", str(path)])
    assert code in (0, 1, 2)
    assert "Traceback" not in err.getvalue()
