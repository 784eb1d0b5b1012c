"""findings.py: the one Finding type is an immutable value, as the frozen dataclass it replaces was."""

from __future__ import annotations

import pickle

import pytest

from mkdocs_appreg.common.findings import FIELDS, Finding


def finding(**changes: object) -> Finding:
    values: dict[str, object] = {
        "file": "docs/a.yaml",
        "line": 3,
        "column": 5,
        "rule": "schema.type",
        "message": "expected boolean, got string",
        "kind": "Registry",
        "name": "r",
        "path": "/spec/skipTLSVerify",
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def test_defaults_and_field_order() -> None:
    plain = Finding("f", 1, 2, "r", "m")
    assert plain.as_dict() == {
        "file": "f",
        "line": 1,
        "column": 2,
        "rule": "r",
        "message": "m",
        "severity": "error",
        "document": 0,
        "api_version": "",
        "kind": "",
        "name": "",
        "path": "",
    }
    assert tuple(plain.as_dict()) == FIELDS


def test_equal_and_hashed_by_value() -> None:
    assert finding() == finding()
    assert hash(finding()) == hash(finding())
    assert finding() != finding(line=4)
    assert finding() != finding(severity="warning")
    assert finding() != ("docs/a.yaml", 3)
    assert list(dict.fromkeys([finding(), finding(), finding(line=4)])) == [finding(), finding(line=4)]


def test_immutable() -> None:
    value = finding()
    with pytest.raises(AttributeError, match="immutable"):
        value.line = 9
    with pytest.raises(AttributeError, match="immutable"):
        del value.line
    with pytest.raises(AttributeError):
        value.extra = 1
    assert value.line == 3


def test_repr_names_every_field() -> None:
    assert repr(Finding("f", 1, 2, "r", "m")) == (
        "Finding(file='f', line=1, column=2, rule='r', message='m', severity='error', document=0, "
        "api_version='', kind='', name='', path='')"
    )


def test_pickles_by_value() -> None:
    value = finding(severity="warning", document=2)
    assert pickle.loads(pickle.dumps(value)) == value


def test_moved_keeps_everything_but_the_location() -> None:
    moved = finding().moved(file="templates/a.yaml.j2", line=9)
    assert (moved.file, moved.line, moved.column) == ("templates/a.yaml.j2", 9, 5)
    assert moved.as_dict() | {"file": "docs/a.yaml", "line": 3} == finding().as_dict()
    assert finding().moved(file="t", line=1, column=7).column == 7


def test_located_line() -> None:
    assert finding().located() == (
        "docs/a.yaml:3:5: [schema.type] Registry/r /spec/skipTLSVerify: expected boolean, got string"
    )
