"""The CEL cost estimator: the API server's static estimate, and the engine's work.

The expected estimates are those of the API server's own test,
k8s.io/apiextensions-apiserver pkg/apiserver/schema/cel/compilation_test.go `TestCostEstimation`
(the same rules on the same schemas: a list, map or string with the rule, unbounded and with
`maxItems`/`maxProperties`/`maxLength` set). Ours is a lower bound of the server's: equal where
cel-go's model is followed exactly, never above it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_appreg.engine import cel, celcost
from mkdocs_appreg.engine.schema_extensions import (
    _ENGINE_WORK_LIMIT,
    _ENGINE_WORK_OBJECT_LIMIT,
    _schema_nodes,
    check_schema,
)

FIXTURES = Path(__file__).parent / "fixtures"

_FORMATS = {"duration", "date", "date-time"}


def _item(kind: str) -> dict[str, Any]:
    if kind == "int-or-string":
        return {"x-kubernetes-int-or-string": True}
    if kind in _FORMATS:
        return {"type": "string", "format": kind}
    return {"type": kind}


def array(kind: str, limit: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": _item(kind)}
    if limit is not None:
        schema["maxItems"] = limit
    return schema


def mapping(kind: str, limit: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": _item(kind)}
    if limit is not None:
        schema["maxProperties"] = limit
    return schema


def string(limit: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if limit is not None:
        schema["maxLength"] = limit
    return schema


def estimate(rule: str, schema: dict[str, Any]) -> int:
    tree = celcost.parse(rule)
    assert tree is not None, rule
    return celcost.estimated_cost(tree, schema)


# (rule, schema maker, kind, unbounded estimate, limit set, estimate with the limit), from
# compilation_test.go TestCostEstimation.
UPSTREAM = [
    ("self.all(x, true)", array, "number", 4718591, 10, 32),
    ("self.all(x, true)", array, "string", 3145727, 20, 62),
    ("self.all(x, true)", array, "boolean", 1887437, 5, 17),
    ("self.all(x, true)", mapping, "number", 1348169, 10, 32),
    ("has(self.x)", mapping, "number", 0, 100, 0),
    ("self.all(x, true)", mapping, "string", 1179647, 3, 11),
    ("self.all(x, true)", mapping, "boolean", 943718, 100, 302),
    ("self[1] == 0.0", array, "number", 2, 5000, 2),
    ("self[1] == self[1]", array, "string", 314577, 8, 314577),
    ("self.all(x, self.all(y, true))", array, "number", None, 10, 352),
    ("self.all(x, self.all(y, self.all(z, true)))", array, "number", None, 10, 3552),
    ("self[3] == 0.0", array, "number", 2, 0, 2),
    ('self["x"] == 0.0', mapping, "number", 2, 0, 2),
    ("self.all(x, x == 0.0)", array, "number", 6291454, 3 * 1024 * 2048, 25165826),
    ("self.all(x, true)", array, "int-or-string", 4718591, 10, 32),
    ("self[0] == 5", array, "int-or-string", 3, 10, 3),
    ("self[0] == false", array, "boolean", 2, 25, 2),
    ("self.all(x, true)", array, "duration", 2359295, 5, 17),
    ("self.all(x, true)", array, "date", 725936, 15, 47),
    ("self.all(x, true)", array, "date-time", 428963, 25, 77),
    ("self.all(x, true)", mapping, "int-or-string", 1348169, 15, 47),
    ("self.all(x, true)", mapping, "duration", 1048577, 5, 17),
    ("self.all(x, true)", mapping, "date", 524288, 10, 32),
    ("self.all(x, true)", mapping, "date-time", 349526, 25, 77),
]


@pytest.mark.parametrize(("rule", "make", "kind", "unbounded", "limit", "bounded"), UPSTREAM)
def test_the_estimate_is_the_api_servers(
    rule: str, make: Any, kind: str, unbounded: int | None, limit: int, bounded: int
) -> None:
    if unbounded is not None:
        assert estimate(rule, make(kind)) == unbounded
    else:  # "O(n^2) loop": the server only says it passes the limit
        assert estimate(rule, make(kind)) > celcost.STATIC_ESTIMATED_COST_LIMIT
    assert estimate(rule, make(kind, limit)) == bounded


@pytest.mark.parametrize(
    ("rule", "limit", "unbounded", "bounded"),
    [
        ("self.contains('test')", 10, 314574, 5),
        ("self.startsWith('test')", 15, 2, 2),
        ("self.endsWith('test')", 30, 2, 2),
        ('size(self + "hello") > size("hello")', 4, 314578, 7),
        ('self.matches("x")', 50, 314574, 22),
        ('"".matches("(((((((((())))))))))[0-9]")', 10, 7, 7),
        ('self.matches("")', 100, 1, 1),
        ('self == "x"', 0, 2, 1),
    ],
)
def test_string_estimates_are_the_api_servers(rule: str, limit: int, unbounded: int, bounded: int) -> None:
    assert estimate(rule, string()) == unbounded
    assert estimate(rule, string(limit)) == bounded


@pytest.mark.parametrize(
    ("rule", "schema", "upstream"),
    [
        # The server counts 1 more per item for a map value's equality, and prices the k8s library
        # functions (find: string x regex): ours stays below, never above.
        ("self.all(x, x.y == 25.2)", {"type": "array", "items": mapping("number")}, 6291452),
        ("self.find('[0-9]+') == ''", string(), 629147),
        ("self[0].getHours() == 2", array("duration"), 4),
    ],
)
def test_where_the_model_differs_the_estimate_stays_below(
    rule: str, schema: dict[str, Any], upstream: int
) -> None:
    assert estimate(rule, schema) <= upstream


def test_the_issues_rule_on_an_unbounded_list_is_refused_and_fits_with_max_items() -> None:
    # 1,572,863 integers fit a 3 MiB request; 17 a step (a `map` step is 12, the body 5).
    rule = "self.l.map(x, self.l + self.l).size() >= 0"
    unbounded = {"type": "object", "properties": {"l": array("integer")}}
    assert estimate(rule, unbounded) == 2 + 11 + 17 * 1_572_863 + 2
    bounded = {"type": "object", "properties": {"l": array("integer", 2000)}}
    assert estimate(rule, bounded) == 2 + 11 + 17 * 2000 + 2


def test_cardinality_multiplies_by_the_lists_above() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "array", "maxItems": 10, "items": {"type": "object", "properties": {
                "b": {"type": "array", "maxItems": 7, "items": {"type": "string"}},
            }}},
            "m": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }  # fmt: skip
    assert celcost.max_cardinality(schema, "") == 1
    assert celcost.max_cardinality(schema, "/properties/a") == 1
    assert celcost.max_cardinality(schema, "/properties/a/items") == 10
    assert celcost.max_cardinality(schema, "/properties/a/items/properties/b/items") == 70
    # A map of strings: (3 MiB - 2) / (2 + 6) values.
    assert celcost.max_cardinality(schema, "/properties/m/additionalProperties") == 393_215


def test_the_crd_error_is_the_api_servers_message() -> None:
    schema = {
        "type": "object",
        "properties": {
            "l": {
                **array("integer"),
                "x-kubernetes-validations": [{"rule": "self.all(x, self.all(y, x == y))"}],
            }
        },
    }
    problems = [(p.pointer, p.message) for p in check_schema(schema, file="crd.yaml")]
    assert problems == [
        (
            "/properties/l/x-kubernetes-validations/0/rule",
            "Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying "
            "the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings "
            "are declared)",
        ),
        (
            "",
            "Forbidden: total CRD cost exceeds budget by factor of more than 100x (try simplifying the "
            "rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are "
            "declared)",
        ),
    ]
    schema["properties"]["l"]["maxItems"] = 100
    assert check_schema(schema, file="crd.yaml") == []


def test_the_factor_is_worded_as_upstream() -> None:
    assert "by factor of 1.200000x" in celcost.cost_error_message("estimated rule cost", 12, 10)
    assert "by factor of 2.5x" in celcost.cost_error_message("estimated rule cost", 25, 10)
    assert "by factor of more than 100x" in celcost.cost_error_message("estimated rule cost", 1001, 10)


def _fixture_rules() -> list[str]:
    rules = []
    for path in sorted(FIXTURES.glob("**/*.yaml")):
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # the fixtures of broken input
        for crd in documents:
            if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
                continue
            for version in crd.get("spec", {}).get("versions") or []:
                schema = ((version or {}).get("schema") or {}).get("openAPIV3Schema")
                for _, node in _schema_nodes(schema, ""):
                    for entry in node.get("x-kubernetes-validations") or []:
                        if isinstance(entry, dict) and isinstance(entry.get("rule"), str):
                            rules.append(entry["rule"])
    return rules


def test_every_rule_the_engine_compiles_in_the_fixtures_parses() -> None:
    rules = _fixture_rules()
    assert len(rules) > 10
    for rule in rules:
        try:
            cel.compile_expression(rule)
        except cel.CompileError:
            continue
        assert celcost.parse(rule) is not None, rule


@pytest.mark.parametrize(
    "rule",
    [
        "self.a.?b.orValue('') == 'x'",
        "[1, 2, 3].exists_one(i, i == 2) && {'a': 1}['a'] == 1",
        "self.l.map(x, x > 1, x * 2).all(y, y > 0)",
        "self.m.all(k, v, v > 0) || cel.bind(s, self.s, s + s == 'aa')",
        "-1 < .5 && 0x1F == 31 && 2u > 1u && r'\\d' != b'x'",
        "has(self.a) ? self.a.b['c'] : type(self) == map",
        "!(self.x in ['a', 'b']) && self.y.matches('^a$')",
    ],
)
def test_the_parser_reads_cel_syntax(rule: str) -> None:
    assert celcost.parse(rule) is not None


def test_a_rule_nested_past_the_parsers_depth_is_not_estimated() -> None:
    assert celcost.parse("(" * 500 + "true" + ")" * 500) is None


def test_the_limits_repeated_for_lazy_imports_agree() -> None:
    assert _ENGINE_WORK_LIMIT == celcost.ENGINE_WORK_LIMIT
    assert _ENGINE_WORK_OBJECT_LIMIT == celcost.ENGINE_WORK_OBJECT_LIMIT


# --- the engine's work ---------------------------------------------------------------------------


def test_engine_work_charges_each_comprehension_step_at_its_site() -> None:
    rule = "self.l.map(x, self.l + self.l).size() >= 0"
    tree = celcost.parse(rule)
    assert tree is not None
    top, sites = celcost.engine_work(tree, {"self": {"l": list(range(100))}})
    site = rule.index("map")
    assert set(sites) == {site}
    # Outside the steps: name `self` (1) and copy `self.l` (1 + 100), then size() and `>=`.
    assert top == 1 + 101 + 1 + 1 + 1
    # A step: bind the item (5 x 1); name self and copy self.l twice (2 x 102) and concatenate
    # them (2 x 101); then the growing result, 202 values an item, copied twice a step at the
    # average of (100 + 1) / 2 items.
    assert sites[site] == 5 + 2 * 102 + 2 * 101 + 2 * 202 * 101 // 2


def test_the_instrumented_ticks_name_the_estimators_sites() -> None:
    rule = "self.a.all(x, self.b.exists(y, y == x))"
    tree = celcost.parse(rule)
    assert tree is not None
    _, sites = celcost.engine_work(tree, {"self": {"a": [1], "b": [1]}})
    instrumented = cel.instrument(rule)
    for site in sites:
        assert f", {site}), (" in instrumented


def test_work_past_the_budget_stops_the_evaluation_at_a_step() -> None:
    rule = "self.l.map(x, self.l + self.l).size() >= 0"
    tree = celcost.parse(rule)
    assert tree is not None
    variables = {"self": {"l": list(range(2000))}}
    top, sites = celcost.engine_work(tree, variables)
    outcome = cel.evaluate(
        cel.compile_expression(rule), variables, budget=10**9, work_budget=1_000_000 - top, site_work=sites
    )
    assert outcome.work_exceeded and not outcome.cost_exceeded and outcome.value is None
    # It stopped at the first step past the budget: one step is all it may overshoot.
    assert outcome.work <= 1_000_000 - top + max(sites.values())
