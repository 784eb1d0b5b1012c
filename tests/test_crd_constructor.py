"""crdload's direct construction of plain YAML trees gives what PyYAML's constructor gives.

`_crd_documents` builds a CRD document's values without PyYAML's `construct_document` when the
tree is plain; each case here is loaded both ways and compared, value and type, including the
cases the direct path must hand back to PyYAML (merge keys, `=` keys, aliases, explicit tags,
complex keys, deep trees, bad scalars).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.engine import crdload
from mkdocs_appreg.engine.crdload import _crd_documents, _CrdLoader, _plain_value

SHARED_EDA = Path(__file__).resolve().parent.parent.parent / "shared" / "crds" / "eda"


def pyyaml_values(text: str) -> list[Any]:
    """The non-empty documents as PyYAML's constructor builds them with the CRD loader."""
    loader = _CrdLoader(text)
    values = []
    try:
        while loader.check_node():
            node = loader.get_node()
            value = loader.construct_document(node)
            if value is not None:
                values.append(value)
    finally:
        loader.dispose()
    return values


def typed(value: Any) -> Any:
    """The value with every scalar's type beside it (1 == True == 1.0 in Python)."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


CASES = {
    "plain": "a: 1\nb: [x, 2.5, true, null, ~, 0x1F, 0o17, 1_000, .inf]\nc: {d: 'e'}\n",
    "yaml 1.1 scalars": "a: yes\nb: off\nc: 1:30\nd: 0b101\ne: -.5e3\nf: ''\ng: 2001-12-14\n",
    "merge key": "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",
    "merge without alias": "m:\n  <<: {x: 1}\n  y: 2\n",
    "value key": "m:\n  =: 1\n  y: 2\n",
    "alias": "a: &x [1, 2]\nb: *x\n",
    "explicit tags": "a: !!str 1\nb: !!int '7'\nc: !!float '1'\nd: !!binary aGVsbG8=\n",
    "set and omap": "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\n",
    "int key": "1: a\n2.5: b\nnull: c\ntrue: d\n",
    "duplicate keys": "a: 1\na: 2\n",
    "multi-document": "a: 1\n---\n---\n- b\n...\n",
    "deep": "a: " + "[" * 300 + "]" * 300 + "\n",
    "deep mappings": "".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "v: 1\n",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_the_direct_construction_gives_pyyaml_values(text: str) -> None:
    documents = _crd_documents(text, "crds/x.yaml")
    assert [typed(d.value) for d in documents] == [typed(v) for v in pyyaml_values(text)]


def test_a_shared_node_stays_one_object_as_pyyaml_makes_it() -> None:
    (document,) = _crd_documents("a: &x {k: 1}\nb: *x\n", "crds/x.yaml")
    assert document.value["a"] is document.value["b"]


def test_a_merge_key_leaves_the_node_tree_as_pyyaml_leaves_it() -> None:
    # `locate` reads the node tree: PyYAML's flatten_mapping removes the `<<` pair from it.
    (document,) = _crd_documents("m:\n  <<: {x: 1}\n  y: 2\n", "crds/x.yaml")
    assert document.value == {"m": {"x": 1, "y": 2}}
    assert document.locate("/m/y")[0] == 3


@pytest.mark.parametrize(
    "text", ["a: !!int nope\n", "a: !!float x\n", "? {a: 1}\n: 2\n", "? [a]\n: 1\n", "a: !!bogus 1\n"]
)
def test_an_unconstructable_value_is_the_same_error(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CrdError) as direct:
        _crd_documents(text, "crds/x.yaml")

    def decline(*_args: object, **_kwargs: object) -> None:
        raise crdload._NotPlain

    monkeypatch.setattr(crdload, "_plain_value", decline)  # PyYAML's constructor only, as before
    with pytest.raises(CrdError) as constructed:
        _crd_documents(text, "crds/x.yaml")
    assert str(direct.value) == str(constructed.value)


def test_the_direct_path_declines_what_it_cannot_build_exactly() -> None:
    for text in (CASES["merge without alias"], CASES["value key"], CASES["set and omap"], "? [a]\n: 1\n"):
        loader = _CrdLoader(text)
        try:
            node = loader.get_single_node()
            with pytest.raises(crdload._NotPlain):
                _plain_value(loader, node)
        finally:
            loader.dispose()


@pytest.mark.skipif(not SHARED_EDA.is_dir(), reason="the EDA CRDs (../shared/crds/eda) are absent")
def test_every_eda_crd_loads_to_pyyaml_values() -> None:
    files = sorted(SHARED_EDA.rglob("*.yaml"))
    assert len(files) > 100
    for path in files:
        text = path.read_text(encoding="utf-8")
        direct = [typed(d.value) for d in _crd_documents(text, path.name)]
        assert direct == [typed(v) for v in pyyaml_values(text)], path
        assert yaml.load(text, Loader=yaml.CSafeLoader) is not None
