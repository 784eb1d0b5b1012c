"""The CEL engine wrapper: compilation, cost metering, Kubernetes library functions."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cel as engine
import pytest

from mkdocs_appreg.engine import cel

FIXTURES = Path(__file__).parent / "fixtures" / "crds-cel"

DATA: dict[str, Any] = {
    "self": {
        "items": [3, 1, 2],
        "sorted": [1, 2, 2, 5],
        "names": ["a-b", "C", "d"],
        "text": "Hello, World",
        "map": {"x": 1, "y": 2},
        "nested": [[1, 2], [3]],
    }
}

# Expressions whose meaning must not change when comprehensions are instrumented for cost.
SAME_MEANING = [
    "self.items.all(x, x > 0)",
    "self.items.exists(x, x == 2)",
    "self.items.exists_one(x, x > 1)",
    "self.items.map(x, x * 2)",
    "self.items.map(x, x > 1, x * 10)",
    "self.items.filter(x, x != 1)",
    "self.nested.all(l, l.all(x, x > 0) && l.exists(y, y < 3 || y == 3))",
    "self.map.all(k, self.map[k] > 0)",
    "self.names.map(n, n + ')').filter(s, s.endsWith(')')).size()",
    "'x.all(a, b)' + string(self.items.size())",
    "self.items.all(x, 1 / (x - 1) > 0)",  # an error inside the body stays an error
]


@pytest.mark.parametrize("source", SAME_MEANING)
def test_instrumented_rule_means_the_same(source: str) -> None:
    try:
        expected: Any = engine.compile(source).execute(engine.Context(variables=DATA))
    except Exception as error:
        expected = type(error)
    outcome = cel.evaluate(cel.compile_expression(source), DATA, budget=10_000)
    actual = outcome.value if outcome.error is None else RuntimeError
    if isinstance(expected, type):
        assert outcome.error is not None
    else:
        assert actual == expected
    assert outcome.cost >= 1 and not outcome.cost_exceeded


def test_strings_inside_rules_are_not_rewritten() -> None:
    source = "'.all(x, y)' == self.text"
    assert cel.instrument(source) == source


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("self.sorted.isSorted()", True),
        ("self.items.isSorted()", False),
        ("self.items.sum()", 6),
        ("self.items.min()", 1),
        ("self.items.max()", 3),
        ("self.items.indexOf(1)", 1),
        ("self.sorted.lastIndexOf(2)", 2),
        ("self.text.indexOf('o')", 4),
        ("self.text.lastIndexOf('o')", 8),
        ("self.text.find('[A-Z][a-z]+')", "Hello"),
        ("self.text.findAll('[A-Z]')", ["H", "W"]),
        ("self.text.findAll('[a-z]', 2)", ["e", "l"]),
        ("self.text.lowerAscii()", "hello, world"),
        ("self.text.upperAscii()", "HELLO, WORLD"),
        ("self.text.replace('World', 'K8s')", "Hello, K8s"),
        ("self.text.split(', ')", ["Hello", "World"]),
        ("self.names.join('+')", "a-b+C+d"),
        ("self.text.substring(7)", "World"),
        ("'  x '.trim()", "x"),
        ("self.text.charAt(1)", "e"),
        ("self.text.matches('^H.*d$')", True),
        ("self.text.startsWith('He') && self.text.endsWith('ld') && self.text.contains(',')", True),
        ("has(self.map.x) && !has(self.map.z)", True),
        ("int('7') + int(2.9) == 9 && double(1) == 1.0 && string(3) == '3' && uint(1) == 1u", True),
        ("timestamp('2024-01-01T00:00:00Z') + duration('24h') == timestamp('2024-01-02T00:00:00Z')", True),
        ("optional.none().hasValue()", False),
    ],
)
def test_kubernetes_library_functions(source: str, expected: Any) -> None:
    expression = cel.compile_expression(source)
    assert expression.unsupported == ()
    outcome = cel.evaluate(expression, DATA, budget=10_000)
    assert outcome.error is None, outcome.error
    assert outcome.value == expected


@pytest.mark.parametrize(
    ("source", "missing"),
    [
        ("quantity(self.q).isLessThan(quantity('1Gi'))", ("isLessThan", "quantity")),
        ("isURL(self.u)", ("isURL",)),
        ("ip(self.a).family() == 4", ("family", "ip")),
        ("cidr(self.c).containsIP(self.a)", ("cidr", "containsIP")),
        ("'%s'.format([self.a])", ("format",)),
    ],
)
def test_functions_we_cannot_evaluate_are_named(source: str, missing: tuple[str, ...]) -> None:
    assert cel.compile_expression(source).unsupported == missing


def test_old_self_is_detected() -> None:
    assert cel.compile_expression("self == oldSelf").uses_old_self
    assert not cel.compile_expression("self.oldSelfish == 1").uses_old_self
    outcome = cel.evaluate(
        cel.compile_expression("!oldSelf.hasValue()"), {"self": 1, "oldSelf": cel.optional_none()}, budget=100
    )
    assert outcome.value is True


@pytest.mark.parametrize("source", ["self.a +", "self.all(", "1 ==", "'unterminated"])
def test_compile_errors(source: str) -> None:
    with pytest.raises(cel.CompileError) as error:
        cel.compile_expression(source)
    assert "\n" not in str(error.value)


def test_runtime_errors_are_messages() -> None:
    outcome = cel.evaluate(cel.compile_expression("self.missing == 1"), {"self": {}}, budget=100)
    assert outcome.error == "no such key: missing"
    outcome = cel.evaluate(cel.compile_expression("self + 'a'"), {"self": 1}, budget=100)
    assert outcome.error is not None and outcome.error.startswith("No such overload")


def test_cost_grows_with_the_data_and_stops_at_the_budget() -> None:
    expression = cel.compile_expression("self.all(x, self.all(y, x == y || x != y))")
    small = cel.evaluate(expression, {"self": list(range(10))}, budget=1_000_000)
    larger = cel.evaluate(expression, {"self": list(range(20))}, budget=1_000_000)
    assert small.value is True and larger.cost > 3 * small.cost
    start = time.perf_counter()
    blown = cel.evaluate(expression, {"self": list(range(10_000))}, budget=cel.PER_CALL_LIMIT)
    assert blown.cost_exceeded and blown.value is None
    assert time.perf_counter() - start < 5


def test_library_functions_charge_their_input() -> None:
    expression = cel.compile_expression("self.findAll('a').size() > 0")
    assert cel.evaluate(expression, {"self": "a" * 5_000}, budget=1_000).cost_exceeded
    assert cel.evaluate(expression, {"self": "a" * 50}, budget=1_000).value is True


def test_find_never_backtracks_catastrophically() -> None:
    # `(a+)+$` against "aaa...c" takes Python's `re` exponential time; RE2 and Rust do not.
    expression = cel.compile_expression("self.find('(a+)+$') == '' && self.findAll('(a+)+$').size() == 0")
    start = time.perf_counter()
    outcome = cel.evaluate(expression, {"self": "a" * 50_000 + "c"}, budget=cel.PER_CALL_LIMIT)
    assert outcome.value is True
    assert time.perf_counter() - start < 5


def test_namespaced_library_functions_are_evaluated_not_unchecked() -> None:
    appreg_cel = cel

    for source, expected in [
        ("math.abs(self.b) < 10", True),
        ("math.greatest(self.b, 20) == 20", True),
        ("base64.encode(b'x') == 'eA=='", True),
        ("sets.intersects([1, 2], [2])", True),
    ]:
        expression = appreg_cel.compile_expression(source)
        assert expression.unsupported == (), source
        outcome = appreg_cel.evaluate(expression, {"self": {"b": -3}}, budget=10**6)
        assert outcome.value is expected, (source, outcome)
    # The same short name called as a method is not the namespaced function.
    assert appreg_cel.compile_expression("self.b.abs() < 1").unsupported == ("abs",)


def test_optional_syntax_is_unchecked_and_the_crd_still_loads(tmp_path: Path) -> None:
    appreg_cel = cel
    from mkdocs_appreg.engine.schemas import SchemaRegistry

    assert appreg_cel.compile_expression("self.?owner.orValue('') != ''").unsupported == ("syntax .?",)
    assert appreg_cel.compile_expression("self.tags[?0].hasValue()").unsupported == ("syntax [?",)
    crd = (
        (FIXTURES / "widgets.yaml")
        .read_text()
        .replace(
            '- rule: "!has(self.legacy)"',
            "- rule: \"self.?owner.orValue('') == ''\"\n            - rule: \"!has(self.legacy)\"",
            1,
        )
    )
    assert "self.?owner" in crd
    (tmp_path / "widgets.yaml").write_text(crd)
    registry = SchemaRegistry.builtin()
    assert registry.add_path(tmp_path / "widgets.yaml") == []
