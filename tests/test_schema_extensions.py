"""x-kubernetes-validations, list types and embedded resources, from case files and unit tests.

The case files `tests/cases/{cel,listtype,embedded}/{valid,invalid}/*.yaml` are tests of their own
(tests/casefiles.py runs each through `validate_extensions` against the CRD its `# crd:` line
names, in tests/fixtures/crds-cel; the format is in tests/cases/README.md).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from casefiles import case_files, crd_schema
from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.engine.schema_extensions import (
    BLOCKING_RULES,
    ExtensionOptions,
    check_schema,
    validate_extensions,
)

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "crds-cel"
FAMILIES = ("cel", "listtype", "embedded")


def test_every_family_has_valid_and_invalid_cases() -> None:
    for family in FAMILIES:
        for kind in ("valid", "invalid"):
            assert case_files(family, kind), f"{family}/{kind} is empty"


def document(text: str) -> Any:
    parsed = parse_documents(text, "in.yaml")
    assert not parsed.findings
    return parsed.documents[0]


def messages(text: str, crd: str, **options: Any) -> set[tuple[str, str, str]]:
    found = validate_extensions(document(text), crd_schema(crd), options=ExtensionOptions(**options))
    return {(f.rule, f.path, f.message) for f in found}


WIDGET = "apiVersion: test.appreg.io/v1\nkind: Widget\nmetadata: {name: w-1}\nspec:\n"


def test_messages_follow_the_api_server() -> None:
    found = messages(
        WIDGET + "  minReplicas: 5\n  maxReplicas: 2\n  legacy: x\n  team: a\n  ratio: 2\n  code: abc\n"
        "  limits: {cpu: -1}\n  owner: b\n  size: 1Gi\n",
        "widgets.yaml",
    )
    unchecked = {item for item in found if item[0] == "cel.unchecked"}
    assert found - unchecked == {
        ("cel.invalid", "/spec", 'Invalid value: "object": minReplicas (5) must not exceed maxReplicas (2)'),
        ("cel.forbidden", "/spec/legacy", "Forbidden: legacy is no longer supported"),
        # messageExpression yields a double, not a string: the static message is used
        ("cel.invalid", "/spec", 'Invalid value: "object": ratio must be below 1.5'),
        ("cel.invalid", "/spec/code", "Invalid value: \"string\": failed rule: self.matches('^[A-Z]{3}$')"),
        ("cel.invalid", "/spec/limits/cpu", 'Invalid value: "integer": limit must not be negative, got -1'),
    }
    [(_, path, message)] = unchecked
    assert path == "/spec/size" and "quantity" in message
    found = messages(WIDGET + "  team: a\n  owner: a\n", "widgets.yaml")
    assert found == {("cel.duplicate", "/spec/team", 'Duplicate value: "team must differ from owner"')}
    found = messages(WIDGET + "  team: a\n", "widgets.yaml")
    assert found == {("cel.required", "/spec/owner", "Required value: owner is required when team is set")}


def test_unchecked_is_reported_once_per_rule_and_can_be_turned_off() -> None:
    text = WIDGET + "  size: 1Gi\n"
    found = validate_extensions(document(text), crd_schema("widgets.yaml"))
    unchecked = [f for f in found if f.rule == "cel.unchecked"]
    assert len(unchecked) == 1 and unchecked[0].severity == "warning"
    assert messages(text, "widgets.yaml", cel_unchecked="off") == set()


def test_transition_rule_is_skipped_and_optional_old_self_is_absent() -> None:
    found = messages(WIDGET + "  mode: locked\n", "widgets.yaml")
    # `self.mode == oldSelf.mode` would fail with no oldSelf; it must not run on create.
    assert found == {("cel.invalid", "/spec", 'Invalid value: "object": a widget cannot be created locked')}


def test_number_fields_are_doubles_and_escaped_names_are_reachable() -> None:
    # `self.ratio < 1.5` on an integer would be a no-such-overload error if 1 stayed an int.
    assert messages(WIDGET + "  ratio: 1\n  dash-name: ab\n", "widgets.yaml") == set()
    assert {item[:2] for item in messages(WIDGET + "  dash-name: a\n", "widgets.yaml")} == {
        ("cel.invalid", "/spec/dash-name")
    }


def test_root_rule_sees_only_name_of_metadata() -> None:
    found = messages(
        "apiVersion: test.appreg.io/v1\nkind: Widget\nmetadata: {name: x}\nspec: {}\n", "widgets.yaml"
    )
    assert found == {("cel.invalid", "", 'Invalid value: "object": name must start with w-')}


def big(items: int, key: str = "numbers") -> str:
    return (
        "apiVersion: test.appreg.io/v1\nkind: Heavy\nmetadata: {name: h}\nspec:\n  "
        + key
        + ":\n"
        + "".join(f"  - {i}\n" for i in range(items))
    )


def timed(text: str, crd: str, **options: Any) -> tuple[list[Any], float]:
    doc = document(text)
    schema = crd_schema(crd)
    start = time.perf_counter()
    found = validate_extensions(doc, schema, options=ExtensionOptions(**options))
    return found, time.perf_counter() - start


def test_quadratic_rule_over_10k_items_stops_at_the_budget() -> None:
    doc = document(big(1))
    value = {"kind": "Heavy", "metadata": {"name": "h"}, "spec": {"numbers": list(range(10_000))}}
    start = time.perf_counter()
    found = validate_extensions(doc, crd_schema("cost.yaml"), value=value)
    seconds = time.perf_counter() - start
    assert [(f.rule, f.path) for f in found] == [("cel.cost", "/spec/numbers")]
    assert "call cost exceeds limit for rule: pairwise check" in found[0].message
    assert seconds < 5, f"took {seconds:.2f}s"


def test_small_list_stays_within_the_budget() -> None:
    assert timed(big(100), "cost.yaml")[0] == []


def test_object_budget_stops_all_further_rules() -> None:
    found, _ = timed(big(2_000), "cost.yaml", per_object_cost_budget=50_000)
    assert [f.rule for f in found] == ["cel.cost"]
    assert "running out of cost budget" in found[0].message


def test_100k_item_set_is_fast_and_finds_the_duplicate() -> None:
    # Parsing 100k YAML lines takes pure-Python PyYAML seconds, so the document is small and the
    # 100k-item value is passed in; the finding then sits on the nearest line that exists.
    doc = document(big(1, "values"))
    value = {"kind": "Heavy", "metadata": {"name": "h"}, "spec": {"values": [*range(100_000), 99_999]}}
    start = time.perf_counter()
    found = validate_extensions(doc, crd_schema("cost.yaml"), value=value)
    seconds = time.perf_counter() - start
    assert [(f.rule, f.path, f.line) for f in found] == [("list.duplicate", "/spec/values/100000", 5)]
    assert found[0].message == "Duplicate value: 99999"
    assert seconds < 5, f"took {seconds:.2f}s"


def test_regex_on_a_huge_string_finishes() -> None:
    text = (
        "apiVersion: test.appreg.io/v1\nkind: Heavy\nmetadata: {name: h}\nspec:\n  text: "
        + "a" * 200_000
        + "c\n"
    )
    found, seconds = timed(text, "cost.yaml")
    assert {f.rule for f in found} == {"cel.invalid"}  # the regex does not match; find() is ""
    assert seconds < 5, f"took {seconds:.2f}s"
    found, _ = timed(text.replace("c\n", "b\n"), "cost.yaml", per_rule_cost_budget=1_000)
    assert "cel.cost" in {f.rule for f in found}


def test_blocking_rules_name_the_structural_errors() -> None:
    assert {"schema.type", "schema.required", "schema.enum"} <= BLOCKING_RULES
    assert all(rule.startswith("schema.") for rule in BLOCKING_RULES)


# --- check_schema --------------------------------------------------------------------------------


def problems(schema: dict[str, Any]) -> dict[str, str]:
    return {p.pointer: p.message for p in check_schema(schema, file="crd.yaml")}


def test_fixture_crds_have_no_problems() -> None:
    for path in sorted(FIXTURES.glob("*.yaml")):
        assert check_schema(crd_schema(path.name), file=path.name) == [], path.name


def test_rule_that_does_not_compile() -> None:
    found = problems({"type": "object", "x-kubernetes-validations": [{"rule": "self.a +"}]})
    assert list(found) == ["/x-kubernetes-validations/0/rule"]
    assert "compilation failed" in found["/x-kubernetes-validations/0/rule"]


def test_malformed_rule_entries() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "x-kubernetes-validations": [
            {"rule": "true", "reason": "Nope"},
            {"rule": "true", "fieldPath": ".missing"},
            {"rule": "true", "fieldPath": "spec"},
            {"rule": "true", "optionalOldSelf": True},
            {"rule": "true", "message": "two\nlines"},
            {"rule": "true", "messageExpression": "'a' +"},
            {"message": "no rule"},
        ],
    }
    assert set(problems(schema)) == {
        "/x-kubernetes-validations/0/reason",
        "/x-kubernetes-validations/1/fieldPath",
        "/x-kubernetes-validations/2/fieldPath",
        "/x-kubernetes-validations/3/optionalOldSelf",
        "/x-kubernetes-validations/4/message",
        "/x-kubernetes-validations/5/messageExpression",
        "/x-kubernetes-validations/6/rule",
    }


def test_list_type_problems() -> None:
    item = {"type": "object", "properties": {"k": {"type": "string"}, "o": {"type": "object"}}}
    schema = {
        "type": "object",
        "properties": {
            "notArray": {"type": "string", "x-kubernetes-list-type": "set"},
            "noKeys": {"type": "array", "x-kubernetes-list-type": "map", "items": item},
            "optionalKey": {
                "type": "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["k"],
                "items": item,
            },
            "objectKey": {
                "type": "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["o"],
                "items": {**item, "required": ["o"]},
            },
            "keysWithoutMap": {"type": "array", "x-kubernetes-list-map-keys": ["k"], "items": item},
            "objectSet": {"type": "array", "x-kubernetes-list-type": "set", "items": item},
            "embedded": {"type": "string", "x-kubernetes-embedded-resource": True},
        },
    }
    assert set(problems(schema)) == {
        "/properties/notArray/x-kubernetes-list-type",
        "/properties/noKeys/x-kubernetes-list-map-keys",
        "/properties/optionalKey/x-kubernetes-list-map-keys/0",
        "/properties/objectKey/x-kubernetes-list-map-keys/0",
        "/properties/keysWithoutMap/x-kubernetes-list-map-keys",
        "/properties/objectSet/items/x-kubernetes-map-type",
        "/properties/embedded/type",
    }


def test_problems_carry_the_position_given() -> None:
    schema = {"type": "object", "x-kubernetes-validations": [{"rule": "1 +"}]}
    [problem] = check_schema(schema, file="crd.yaml", node_position=lambda pointer: (7, 3))
    assert (problem.line, problem.column) == (7, 3)
    assert problem.located("crd.yaml").startswith("crd.yaml:7: /x-kubernetes-validations/0/rule: ")


def test_rule_that_fails_to_evaluate_is_an_invalid_finding() -> None:
    schema = {
        "type": "object",
        "properties": {"spec": {"type": "object", "x-kubernetes-validations": [{"rule": "self.a == 1"}]}},
    }
    [finding] = validate_extensions(document("kind: X\nspec:\n  b: 1\n"), schema)
    assert (finding.rule, finding.path, finding.line) == ("cel.invalid", "/spec", 2)
    assert finding.message == 'Invalid value: "object": self.a == 1: no such key: a'


def test_value_argument_overrides_the_document_value() -> None:
    schema = crd_schema("lists.yaml")
    doc = document("kind: Gateway\nspec:\n  hosts: [a, b]\n")
    assert validate_extensions(doc, schema) == []
    found = validate_extensions(doc, schema, value={"kind": "Gateway", "spec": {"hosts": ["a", "a"]}})
    assert [(f.rule, f.path) for f in found] == [("list.duplicate", "/spec/hosts/1")]


def test_real_crd_corpus_has_no_schema_problems() -> None:
    """Every CRD the API servers of our users accepted must pass `check_schema` (no false alarms)."""
    corpus = Path("/work/shared/crds")
    files = sorted(corpus.glob("**/*.yaml"))
    if not files:
        pytest.skip("the shared CRD corpus is not available")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    checked = 0
    for path in files:
        for crd in yaml.load_all(path.read_text(), Loader=loader):
            if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
                continue
            for version in crd["spec"].get("versions", []):
                schema = (version.get("schema") or {}).get("openAPIV3Schema")
                if schema:
                    assert check_schema(schema, file=path.name) == [], path
                    checked += 1
    assert checked > 0
