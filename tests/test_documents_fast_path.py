"""documents.py builds plain documents directly, not through PyYAML's generic constructor.

The direct walk must give exactly what `construct_document` gives (values, sharing, duplicate-key
findings, errors) and fall back to it for everything it does not handle.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_appreg.engine import documents
from mkdocs_appreg.engine.documents import parse_documents

CASES = {
    "plain": "a: 1\nb: [x, 2.5, true, null, ~]\nc: {d: e}\n",
    "yaml11-scalars": "on: yes\noff: no\nhex: 0x1F\noct: 0o17\nsexa: 1:30\nfloat: .inf\nnan: .nan\n",
    "timestamps-stay-text": "when: 2024-01-01\nat: 2024-01-01T10:00:00Z\n",
    "keys-made-strings": "1: one\ntrue: yes\nnull: nothing\n2.5: f\n",
    "duplicates": "a: 1\nb: 2\na: 3\na: 4\n",
    "nested-duplicates": "spec:\n  x: 1\n  x: 2\nlist:\n  - k: 1\n    k: 2\n",
    "duplicates-outer-and-inner": "a: 1\na:\n  x: 1\n  x: 2\n  x: 3\nb: {y: 1, true: 2}\nb: 3\n",
    "aliases-shared": "base: &b {x: 1}\none: *b\ntwo: [*b, *b]\n",
    "merge-key": "base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n",
    "merge-list": "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n",
    "set-tag": "s: !!set {a, b}\n",
    "binary": "data: !!binary aGVsbG8=\n",
    "explicit-str": "n: !!str 123\n",
    "omap": "o: !!omap [a: 1, b: 2]\n",
    "custom-tag": "x: !custom value\n",
    "bad-int": "x: !!int nope\n",
    "collection-key": "? [a, b]\n: value\n",
    "recursive-alias": "a: &a [*a]\n",
    "multi-doc": "a: 1\n---\n---\nb: 2\n...\n---\n- x\n",
    "empty-key": '"": empty\n',
    "deep": "a: " + "[" * 3000 + "]" * 3000 + "\n",
}


def _duplicates(loader: Any) -> list[tuple[int, str, int]]:
    # In the order of the text, as iter_documents reports them: the direct walk records a
    # mapping's duplicates after its values', the generic constructor the outer ones first.
    found = sorted(loader.duplicates, key=lambda duplicate: duplicate[0].start_mark.index)
    return [(k.start_mark.line, n, f.start_mark.line) for k, n, f in found]


def reference(text: str) -> list[Any]:
    """Each document through PyYAML's generic constructor, or the exception it raised."""
    out: list[Any] = []
    loader = documents._Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            try:
                value = loader.construct_document(node)
            except Exception as error:
                out.append(("error", type(error).__name__))
                break
            out.append((value, _duplicates(loader)))
            loader.duplicates.clear()
    except yaml.YAMLError as error:
        out.append(("error", type(error).__name__))
    finally:
        loader.dispose()
    return out


def direct(text: str) -> list[Any]:
    out: list[Any] = []
    loader = documents._Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            try:
                value = documents._construct(loader, node)
            except Exception as error:
                out.append(("error", type(error).__name__))
                break
            out.append((value, _duplicates(loader)))
            loader.duplicates.clear()
    except yaml.YAMLError as error:
        out.append(("error", type(error).__name__))
    finally:
        loader.dispose()
    return out


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_direct_walk_equals_pyyaml(text: str) -> None:
    assert repr(direct(text)) == repr(reference(text))


def test_aliases_share_one_object_as_in_pyyaml() -> None:
    [document] = parse_documents(CASES["aliases-shared"], "x.yaml").documents
    value = document.value
    assert value["one"] is value["base"] and value["two"][0] is value["two"][1] is value["base"]


def test_duplicate_key_findings_name_the_previous_occurrence() -> None:
    findings = parse_documents(CASES["duplicates"], "x.yaml").findings
    assert [(f.line, f.message) for f in findings] == [
        (3, 'mapping key "a" already defined at line 1'),
        (4, 'mapping key "a" already defined at line 3'),
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_dumped_value_parses_alike(value: Any) -> None:
    for text in (yaml.safe_dump(value), yaml.safe_dump(value, default_flow_style=True)):
        assert repr(direct(text)) == repr(reference(text))
