"""One rule for duplicate mapping keys (common/mappingkeys.py), used by the validator and the vars file.

The two readers resolve keys differently on purpose (kubectl's JSON keys, PyYAML's values for
Jinja); given the resolved keys, which are duplicates and which earlier key each one names is
`repeated_keys` for both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.mappingkeys import repeated_keys
from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.rendering.varsfile import load_vars_file


def test_every_repeat_names_the_latest_earlier_key() -> None:
    assert list(repeated_keys(["a", "b", "a", "c", "a", "b"])) == [(2, 0), (4, 2), (5, 1)]
    assert list(repeated_keys([])) == []
    assert list(repeated_keys(["a", "b"])) == []


def test_keys_are_equal_as_python_values_and_unhashable_ones_never_repeat() -> None:
    # PyYAML's values: 1, 1.0 and True are one dict key; the reader refuses unhashable keys itself.
    assert list(repeated_keys([1, True, 1.0, "1"])) == [(1, 0), (2, 1)]
    assert list(repeated_keys([[1], [1], {"a": 1}, {"a": 1}, "x"])) == []


def test_keys_are_read_only_up_to_the_repeat_the_caller_stops_at() -> None:
    read: list[int] = []

    def keys() -> Iterator[str]:
        for position, key in enumerate(["a", "a", "b", "boom"]):
            read.append(position)
            if key == "boom":
                raise AssertionError("read past the first duplicate")
            yield key

    assert next(repeated_keys(keys())) == (1, 0)
    assert read == [0, 1]


def _vars_error(tmp_path: Path, text: str) -> str | None:
    path = tmp_path / "vars.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_vars_file(path, "vars.yaml")
    except ConfigError as error:
        return str(error)
    return None


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "name", "spec"]), min_size=1, max_size=12))
def test_both_readers_report_the_rule_s_duplicates_for_string_keys(
    tmp_path_factory: pytest.TempPathFactory, keys: list[str]
) -> None:
    # Plain lowercase words resolve to the same strings in both readers, so both must report
    # exactly what the rule says: the validator every repeat, the vars file the first one.
    text = "".join(f"{key}: {index}\n" for index, key in enumerate(keys))
    expected = list(repeated_keys(keys))
    findings = parse_documents(text, "x.yaml").findings
    assert [(f.rule, f.line, f.message) for f in findings] == [
        (
            "yaml.duplicate-key",
            position + 1,
            f'mapping key "{keys[position]}" already defined at line {earlier + 1}',
        )
        for position, earlier in expected
    ]
    error = _vars_error(tmp_path_factory.mktemp("vars"), text)
    if not expected:
        assert error is None
    else:
        position, earlier = expected[0]
        assert error == (
            f"vars.yaml:{position + 1}: invalid YAML: duplicate key {keys[position]!r} (first on line {earlier + 1})"
        )


@pytest.mark.parametrize(
    ("text", "validator", "vars_file"),
    [
        # go-yaml v2 reads `y` as true, and sigs.k8s.io/yaml makes both the JSON key "true";
        # PyYAML keeps `y` a string, which Jinja sees.
        ("m: {y: 1, true: 2}\n", 'mapping key "true" already defined at line 1', None),
        # One JSON key "1"; PyYAML's 1 and 1.0 are one Python key.
        ("m: {1: a, 1.0: b}\n", 'mapping key "1" already defined at line 1', "duplicate key 1.0"),
        # A number and a quoted number are one JSON key; for Jinja an int and a str.
        ('m: {1: a, "1": b}\n', 'mapping key "1" already defined at line 1', None),
        # JSON keys "1" and "true"; PyYAML's 1 == True.
        ("m: {1: a, true: b}\n", None, "duplicate key True"),
    ],
)
def test_the_readers_differ_only_in_how_they_resolve_keys(
    tmp_path: Path, text: str, validator: str | None, vars_file: str | None
) -> None:
    assert [f.message for f in parse_documents(text, "x.yaml").findings] == ([validator] if validator else [])
    error = _vars_error(tmp_path, text)
    if vars_file is None:
        assert error is None
    else:
        assert error is not None and vars_file in error


@pytest.mark.parametrize(
    "tail",
    ["", "m: &m {q: 1}\nn:\n  <<: *m\n"],
    ids=["direct walk", "generic constructor (merge key)"],
)
def test_a_document_s_duplicates_come_in_the_order_of_the_text(tail: str) -> None:
    # The direct walk finds a mapping's duplicates after its values', the generic constructor
    # the outer mappings' first; the findings come in the order of the text either way.
    text = "a: 1\na:\n  x: 1\n  x: 2\nb:\n  y: 1\n  n: 2\n  y: 3\nb: 3\n" + tail
    findings = parse_documents(text, "x.yaml").findings
    assert [(f.line, re.sub(r" already.*", "", f.message)) for f in findings] == [
        (2, 'mapping key "a"'),
        (4, 'mapping key "x"'),
        (8, 'mapping key "true"'),
        (9, 'mapping key "b"'),
    ]
