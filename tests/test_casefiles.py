"""The case-file collector (tests/casefiles.py): it finds every case, and a wrong case fails."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import conftest
from casefiles import CASES, CHECKERS, KINDS, Case, CaseFile, case_files, is_case_file, load_case, run_case


def test_every_family_has_a_checker_and_both_kinds() -> None:
    families = {path.name for path in CASES.iterdir() if path.is_dir()}
    assert families == set(CHECKERS)
    for family in families:
        for kind in KINDS:
            assert case_files(family, kind), f"tests/cases/{family}/**/{kind} is empty"


def test_every_yaml_file_under_cases_is_a_case() -> None:
    # A file the collector skips would be a test that silently never runs.
    assert sorted(CASES.rglob("*.yaml")) == case_files()
    assert len(case_files()) > 100


def test_a_new_folder_is_picked_up_by_path_alone() -> None:
    assert is_case_file(CASES / "schema" / "a-new-family" / "invalid" / "x.yaml")
    assert is_case_file(CASES / "resource" / "deep" / "er" / "valid" / "x.yaml")
    assert not is_case_file(CASES / "schema" / "type" / "valid" / "notes.md")
    assert not is_case_file(CASES / "schema" / "type" / "x.yaml")
    assert not is_case_file(CASES.parent / "fixtures" / "valid" / "x.yaml")


def test_the_hook_collects_one_test_per_case_file(request: pytest.FixtureRequest) -> None:
    path = CASES / "secret" / "invalid" / "unpadded.yaml"
    node = conftest.pytest_collect_file(file_path=path, parent=request.session)
    assert isinstance(node, CaseFile)
    [item] = list(node.collect())
    assert item.name == "unpadded" and item.path == path
    assert conftest.pytest_collect_file(file_path=Path(__file__), parent=request.session) is None


def test_header_is_read_with_pointers_holding_spaces_and_the_root() -> None:
    case = load_case(CASES / "secret" / "invalid" / "bad-keys.yaml")
    assert ("secret.key", "/data/my key", 11, 3, "error") in case.expected
    meta = load_case(CASES / "meta" / "invalid" / "namespace-on-cluster-scoped.yaml")
    assert meta.settings == {"scope": "Cluster"} and meta.kind == "invalid" and meta.family == "meta"
    assert meta.expected == {("meta.namespace", "/metadata/namespace", 8, 3, "warning")}
    cel = load_case(CASES / "cel" / "invalid" / "widget.yaml")
    assert ("cel.invalid", "", 12, 1, "error") in cel.expected


@pytest.mark.parametrize("path", case_files(kind="invalid")[::10], ids=lambda p: p.stem)
def test_a_case_missing_or_adding_an_expectation_fails(path: Path) -> None:
    case = load_case(path)
    run_case(case)
    first, *rest = sorted(case.expected)
    if rest:
        with pytest.raises(AssertionError, match=r"missing \[\], unexpected \[\("):
            run_case(dataclasses.replace(case, expected=frozenset(rest)))
    rule, pointer, line, column, severity = first
    moved = (rule, pointer, line + 1, column, severity)
    with pytest.raises(AssertionError, match=r"missing \[\("):
        run_case(dataclasses.replace(case, expected=case.expected | {moved}))


def test_wrong_severity_fails() -> None:
    case = load_case(CASES / "resource" / "version" / "invalid" / "deprecated.yaml")
    [(rule, pointer, line, column, severity)] = case.expected
    assert severity == "warning"
    with pytest.raises(AssertionError):
        run_case(dataclasses.replace(case, expected=frozenset({(rule, pointer, line, column, "error")})))


def test_kind_rules() -> None:
    invalid = load_case(CASES / "secret" / "invalid" / "unpadded.yaml")
    with pytest.raises(AssertionError, match="declares no"):
        run_case(dataclasses.replace(invalid, expected=frozenset()))
    valid = load_case(CASES / "secret" / "valid" / "tls.yaml")
    with pytest.raises(AssertionError, match="warnings only"):
        run_case(dataclasses.replace(valid, expected=invalid.expected))
    with pytest.raises(AssertionError, match="has no checker"):
        run_case(Case(valid.path, "valid", "no-such-family", frozenset(), {}))
