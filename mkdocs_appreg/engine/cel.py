"""Compile and evaluate Kubernetes CEL rules with a cost budget, on the `cel` (Rust) engine.

Engine choice (measured by `bench/cel_libraries.py`): `common-expression-language` (import name
`cel`, Rust `cel` crate behind PyO3) rather than `cel-python` (`celpy`, pure Python on lark).
`cel` compiled a corpus of CRD-style rules 8-14x and evaluated it 80-100x faster, and ran `all()`
over 20k items 700-1900x faster (8 ms against 5-16 s); it ships most of cel-go's extension library
(strings, lists, math, sets, base64) as opt-in Python functions, lets us register more, supports
optionals (`optional.none().hasValue()`), and reports which variables and functions an expression
references (`Program.variables()` / `functions()`) without evaluating it: that is what lets us find
transition rules (`oldSelf`) and functions we cannot evaluate before running anything. `celpy`
lacks the strings extension and optionals entirely and buries errors in a repr of its activation.

Neither engine tracks CEL runtime cost (cel-go's `ActualCost`), which the API server enforces per
rule and per object (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go,
`Validator.validateExpressions`, with `celconfig.PerCallLimit` and `RuntimeCELCostBudget`). We
meter cost ourselves: every comprehension body (`all`, `exists`, `exists_one`, `map`, `filter`) is
rewritten to call a metering function first, charged with the body's size in tokens, and the
Python-implemented library functions charge the size of their input. When the budget runs out
the metering function raises, which aborts evaluation inside the engine: a pathological rule
costs at most a budget's worth of ticks (well under a second), never a hang. The engine's own
copying (it copies what a rule selects, each comprehension item, and a growing `map` result at
every item) is not in those ticks: `celcost.engine_work` estimates it per comprehension step from
the actual values, and each tick charges its step's share to a second budget (`work_budget`).
Rust's regex engine is linear-time, so `matches` on a huge string cannot backtrack catastrophically; `find` and
`findAll` ask it before handing a pattern to Python's backtracking `re`.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import Any, NamedTuple


def _import_engine() -> ModuleType:
    """`import cel` without the interactive CLI its `__init__` imports (`from . import cli`).

    That CLI pulls in typer, prompt_toolkit and rich: 0.2 s of every `mkdocs build`, a third of
    the plugin's whole cost (bench/README.md), for a module we never use. An empty placeholder
    stands in for `cel.cli` during the import only, so a later `import cel.cli` loads the real one.
    """
    if "cel" in sys.modules or "cel.cli" in sys.modules:
        return importlib.import_module("cel")
    sys.modules["cel.cli"] = ModuleType("cel.cli")
    try:
        module = importlib.import_module("cel")
    finally:
        del sys.modules["cel.cli"]
    if getattr(module, "cli", None) is not None and not hasattr(module.cli, "__file__"):
        del module.cli
    return module


engine = _import_engine()
from cel import stdlib  # noqa: E402  # after the placeholder dance above

from mkdocs_appreg.engine.goregexp import PatternError, compile_go  # noqa: E402

# k8s.io/apiserver/pkg/apis/cel/config.go
PER_CALL_LIMIT = 1_000_000
RUNTIME_CEL_COST_BUDGET = 10_000_000

_TICK = "appregCostTick"
_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})

# Functions the Rust engine evaluates natively (CEL spec standard definitions and optionals).
_NATIVE = frozenset(
    {
        "size", "matches", "contains", "startsWith", "endsWith", "int", "uint", "double", "string",
        "bytes", "bool", "timestamp", "duration", "dyn", "type", "hasValue", "value", "orValue", "or",
        "of", "none", "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek",
        "getDayOfYear", "getHours", "getMinutes", "getSeconds", "getMilliseconds", "max", "min",
    }
)  # fmt: skip


class CostExceeded(Exception):
    """The rule used up its cost budget (per call or what was left of the object's)."""


class _Meter:
    def __init__(
        self, limit: int, work_limit: int | None = None, site_work: Mapping[int, int] | None = None
    ) -> None:
        self.limit = limit
        self.used = 0
        self.exceeded = False
        # The engine's own copying per comprehension step (celcost.engine_work), by site.
        self.work_limit = work_limit
        self.site_work = site_work or {}
        self.work = 0
        self.work_exceeded = False

    def charge(self, amount: int) -> None:
        self.used += amount
        if self.used > self.limit:
            self.exceeded = True
            raise CostExceeded(f"cost {self.used} exceeds {self.limit}")

    def step(self, site: int) -> None:
        if self.work_limit is None:
            return
        self.work += self.site_work.get(site, 0)
        if self.work > self.work_limit:
            self.work_exceeded = True
            raise CostExceeded(f"engine work {self.work} exceeds {self.work_limit}")


class _QuietTicks(logging.Filter):
    """The engine logs every Python function that raises; the caller reports it already."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Errors of our functions come back as evaluation errors and become findings.
        return not record.getMessage().startswith("Python function '")


logging.getLogger("cel").addFilter(_QuietTicks())


# --- source rewriting ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<string>[rRbB]{0,2}(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^\\'\n])*'|"(?:\\.|[^\\"\n])*"))
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<number>\d[\w.]*)
    |(?P<space>\s+)
    |(?P<punct>\|\||&&|==|!=|<=|>=|\.\?|\?\.|.)""",
    re.VERBOSE | re.DOTALL,
)


def _tokens(source: str) -> list[tuple[str, str, int]]:
    return [
        (match.lastgroup or "punct", match.group(), match.start())
        for match in _TOKEN.finditer(source)
        if match.lastgroup != "space"
    ]


def instrument(source: str) -> str:
    """`source` with a cost tick in front of every comprehension body.

    `list.all(x, P)` becomes `list.all(x, [appregCostTick(w, s), (P)][1])` where `w` is the token
    count of `P` and `s` the offset of the macro name in `source` (celcost.engine_work names each
    comprehension's step work by it): the list evaluates the tick, then P, and yields P's value
    or error unchanged, so the rule means exactly what it meant. Strings are skipped by the
    tokenizer.
    """
    tokens = _tokens(source)
    inserts: list[tuple[int, str]] = []
    for index, (kind, text, _) in enumerate(tokens):
        if kind != "ident" or text not in _MACROS or index == 0 or tokens[index - 1][1] != ".":
            continue
        if index + 1 >= len(tokens) or tokens[index + 1][1] != "(":
            continue
        depth = 0
        last_arg = -1
        end = -1
        for position in range(index + 1, len(tokens)):
            token = tokens[position][1]
            if token in "([{":
                depth += 1
            elif token in ")]}":
                depth -= 1
                if depth == 0:
                    end = position
                    break
            elif token == "," and depth == 1:
                last_arg = position
        if end < 0 or last_arg < 0 or last_arg + 1 >= end:
            continue  # not a macro call the engine will accept; let it report the error
        weight = max(1, end - last_arg - 1)
        inserts.append((tokens[last_arg + 1][2], f"[{_TICK}({weight}, {tokens[index][2]}), ("))
        inserts.append((tokens[end][2], ")][1]"))
    if not inserts:
        return source
    pieces: list[str] = []
    previous = 0
    for offset, text in sorted(inserts, key=lambda item: item[0]):
        pieces.append(source[previous:offset])
        pieces.append(text)
        previous = offset
    pieces.append(source[previous:])
    return "".join(pieces)


# --- Kubernetes library functions the engine lacks ----------------------------------------------


class _State(threading.local):
    """The meter of the evaluation running on this thread, and a reusable engine context.

    Building a context with ~50 functions costs as much as evaluating a small rule, and rules run
    once per list item, so each thread keeps one and only rebinds the variables.
    """

    def __init__(self) -> None:
        self.meter = _Meter(0)
        self.context: Any = None  # a cel.Context, built on first use


_STATE = _State()


def _charge(amount: int) -> None:
    _STATE.meter.charge(amount)


def _is_sorted(items: list[Any]) -> bool:
    _charge(len(items) + 1)
    return all(a <= b for a, b in itertools.pairwise(items))


def _index_of(target: Any, item: Any, *rest: Any) -> int:
    _charge(len(target) + 1)
    if isinstance(target, str):
        return stdlib.index_of(target, item, *rest)
    return next((i for i, value in enumerate(target) if value == item), -1)


def _last_index_of(target: Any, item: Any, *rest: Any) -> int:
    _charge(len(target) + 1)
    if isinstance(target, str):
        return stdlib.last_index_of(target, item, *rest)
    for i in range(len(target) - 1, -1, -1):
        if target[i] == item:
            return i
    return -1


_MATCHES = engine.compile("text.matches(pattern)")


def _search(text: str, pattern: str) -> Iterator[Any]:
    # k8s.io/apiserver pkg/cel/library regex.go runs Go's regexp (RE2): linear time, `$` at the
    # end of the text, ASCII `\d`. goregexp gives the same; Python's `re` would backtrack.
    # Asking the engine first keeps the engine's own error for a pattern it cannot compile.
    _charge(len(text) + len(pattern))
    if _MATCHES.execute({"text": text, "pattern": pattern}) is not True:
        return iter(())
    try:
        return iter(compile_go(pattern).finditer(text))
    except PatternError:
        return iter(())


def _find(text: str, pattern: str) -> str:
    return next((match.group() for match in _search(text, pattern)), "")


def _find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    found = [match.group() for match in _search(text, pattern)]
    return found if limit < 0 else found[:limit]


def _tick(weight: int, site: int = -1) -> bool:
    _charge(int(weight))
    _STATE.meter.step(int(site))
    return True


def _sized(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        _charge(sum(len(a) for a in args if isinstance(a, (str, list, dict, bytes))) + 1)
        return function(*args)

    return call


# k8s.io/apiserver/pkg/cel/library (lists.go, regex.go) plus cel-go's ext strings/lists, metered.
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{name: _sized(function) for name, function in stdlib.STDLIB_FUNCTIONS.items()},
    "isSorted": _is_sorted,
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "find": _find,
    "findAll": _find_all,
    _TICK: _tick,
}


LIBRARY_FUNCTIONS: frozenset[str] = frozenset(_FUNCTIONS) - {_TICK}
_NAMESPACED = frozenset(name for name in LIBRARY_FUNCTIONS if "." in name)
"""Library functions we evaluate beyond the engine's own (cel-go ext + k8s lists/regex)."""


# --- compile and evaluate -----------------------------------------------------------------------


class CompileError(Exception):
    """A CEL expression that does not parse; the message is the engine's, first line kept."""


# A NamedTuple and a plain class, not dataclasses (common/records.py says why).
class Expression(NamedTuple):
    """One compiled CEL expression.

    Attributes:
        source: The expression as written in the CRD.
        variables: Variables it references (`self`, `oldSelf`, comprehension variables).
        unsupported: Functions it calls that we cannot evaluate (sorted); empty when runnable.
    """

    source: str
    program: Any
    variables: frozenset[str]
    unsupported: tuple[str, ...]

    @property
    def uses_old_self(self) -> bool:
        return "oldSelf" in self.variables


class Outcome:
    """The result of one evaluation: a value, or an error message, and the cost it used."""

    __slots__ = ("cost", "cost_exceeded", "error", "value", "work", "work_exceeded")

    value: Any
    error: str | None
    cost: int
    cost_exceeded: bool
    work: int
    work_exceeded: bool

    def __init__(
        self,
        value: Any = None,
        error: str | None = None,
        cost: int = 0,
        cost_exceeded: bool = False,
        work: int = 0,
        work_exceeded: bool = False,
    ) -> None:
        self.value = value
        self.error = error
        self.cost = cost
        self.cost_exceeded = cost_exceeded
        self.work = work
        self.work_exceeded = work_exceeded


_CACHE: dict[str, Expression] = {}


_UNSUPPORTED_SYNTAX = re.compile(r"unsupported syntax '([^']+)'")


def compile_expression(source: str) -> Expression:
    """Compile `source` once (cached by text), instrumented for cost.

    Raises:
        CompileError: the expression does not parse.
    """
    cached = _CACHE.get(source)
    if cached is not None:
        return cached
    try:
        plain = engine.compile(source)
        program = engine.compile(instrument(source))
    except Exception as error:  # the engine raises ValueError, but any failure is a bad rule
        message = str(error)
        syntax = _UNSUPPORTED_SYNTAX.search(message)
        if syntax is not None:
            # Valid CEL (optional field/index selection, Kubernetes 1.29+) that this engine does
            # not parse: the rule cannot be evaluated, which is `cel.unchecked`, not a broken CRD.
            expression = Expression(source, None, frozenset(), (f"syntax {syntax.group(1)}",))
            _CACHE[source] = expression
            return expression
        raise CompileError(_first_line(message)) from None
    functions = {name for name in plain.functions() if not name.startswith(("_", "@", "!", "-"))}
    # The engine names `math.abs(x)` just `abs`: a namespaced library function the source calls
    # by its full name is ours to evaluate.
    functions -= {
        name.split(".", 1)[1]
        for name in _NAMESPACED
        if re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", source)
    }
    unsupported = tuple(sorted(functions - _NATIVE - LIBRARY_FUNCTIONS))
    expression = Expression(source, program, frozenset(plain.variables()), unsupported)
    _CACHE[source] = expression
    return expression


def evaluate(
    expression: Expression,
    variables: Mapping[str, Any],
    *,
    budget: int,
    work_budget: int | None = None,
    site_work: Mapping[int, int] | None = None,
) -> Outcome:
    """Run `expression` with `variables` bound, stopping once it has cost more than `budget`.

    With `work_budget`, each comprehension step also charges the engine's own work of that step
    (`site_work`, from celcost.engine_work), and evaluation stops once that passes the budget
    (`Outcome.work_exceeded`).
    """
    meter = _STATE.meter = _Meter(budget, work_budget, site_work)
    context = _STATE.context
    if context is None:
        context = _STATE.context = engine.Context(functions=_FUNCTIONS)
    for name, value in variables.items():
        context.add_variable(name, value)
    try:
        value = expression.program.execute(context)
    except Exception as error:
        if _INTERRUPTED in str(error):
            # Ctrl-C arrived inside one of our Python callbacks: the engine wrapped the
            # KeyboardInterrupt as an evaluation error, which is the user's interrupt, not a
            # `cel.invalid` finding.
            raise KeyboardInterrupt from None
        if meter.work_exceeded:
            return Outcome(cost=meter.used, work=meter.work, work_exceeded=True)
        if meter.exceeded:
            return Outcome(cost=meter.used, cost_exceeded=True, work=meter.work)
        return Outcome(error=_clean(str(error)), cost=max(1, meter.used), work=meter.work)
    return Outcome(value=value, cost=max(1, meter.used), work=meter.work)


# How the engine words a KeyboardInterrupt raised in a Python function it called.
_INTERRUPTED = "Python function call failed: KeyboardInterrupt"


def optional_none() -> Any:
    """An absent CEL optional: `oldSelf` on create for rules with `optionalOldSelf: true`."""
    return engine.OptionalValue.none()


def _first_line(message: str) -> str:
    return next((line.strip() for line in message.splitlines() if line.strip()), "invalid expression")


def _clean(message: str) -> str:
    """The engine's message without its generic advice, and our instrumentation hidden."""
    message = _first_line(message)
    message = message.split(". Check ")[0].split(". CEL does not coerce")[0]
    if isinstance(message, str) and message.startswith("'") and message.endswith("'"):
        return f"no such key: {message.strip(chr(39))}"
    return message
