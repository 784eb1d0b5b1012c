"""What a CEL rule costs, before it runs: the API server's static estimate, and the engine's work.

Two questions, one parser:

- **The API server's estimate** (`estimated_cost`). When a CRD is created, the server type-checks
  every `x-kubernetes-validations` rule against the schema and estimates its worst-case cost
  from the declared sizes (`maxItems`, `maxLength`, `maxProperties`; without them, from how many
  values fit in a 3 MiB request), times how often the rule can run (the sizes of the lists and
  maps above it). A rule over `StaticEstimatedCostLimit` (10,000,000), or a CRD whose rules
  together pass `StaticEstimatedCRDCostLimit` (100,000,000), is refused (cel-go
  checker/cost.go; k8s.io/apiserver pkg/cel/common/schemas.go `SchemaDeclType`;
  apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go `getExpressionCost`,
  `getCostErrorMessage`). We follow cel-go's model node by node, but as a *lower bound*: what we
  cannot size (a value no schema describes, a function's result) costs what it costs at least,
  never more, so a CRD the server accepts is never refused here.

- **The engine's work** (`engine_work`). The Rust engine behind `cel.py` does not meter cost, and
  its native work is not what cel-go's cost model counts: it copies a value each time a rule
  selects it (`self.spec` copies the whole spec), binds each comprehension item by copying it,
  and `map` and `filter` copy their growing result on every item (quadratic). `cel.py` meters
  the comprehension steps and the Python library functions; what it cannot see is this native
  copying. So before a rule with a comprehension runs, its work on *this* object is bounded from
  the actual sizes: an upper bound, in value copies. A rule over the budget is not run.

The parser covers CEL's grammar (cel-spec langdef.md) and the macros; what it cannot parse gets
no estimate (`None`): no CRD error, and at run time the caller decides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = [
    "ENGINE_WORK_LIMIT",
    "ENGINE_WORK_OBJECT_LIMIT",
    "STATIC_ESTIMATED_COST_LIMIT",
    "STATIC_ESTIMATED_CRD_COST_LIMIT",
    "CostModelError",
    "Node",
    "cost_error_message",
    "engine_work",
    "estimated_cost",
    "has_comprehension",
    "max_cardinality",
    "may_grow",
    "parse",
]

# apiextensions validation.go
STATIC_ESTIMATED_COST_LIMIT = 10_000_000
STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000

ENGINE_WORK_LIMIT = 10_000_000
"""Value copies one rule evaluation may cost the engine (about 1 s; see `engine_work`)."""

ENGINE_WORK_OBJECT_LIMIT = 30_000_000
"""Value copies all rules of one object may cost the engine together."""

# k8s.io/apiserver pkg/cel/limits.go DefaultMaxRequestSizeBytes, and the JSON sizes of types.go.
_MAX_REQUEST_BYTES = 3 * 1024 * 1024
_MAX_DURATION_JSON = 32
_MAX_DATETIME_JSON = 32
_DATE_JSON = 12
_MIN_DURATION_JSON = 3
_MIN_DATETIME_JSON = 21
_MIN_STRING = 2
_MIN_BOOL = 4
_MIN_NUMBER = 1

# cel-go common/cost.go
_SELECT_AND_IDENT = 1
_LIST_CREATE = 10
_MAP_CREATE = 30
_STRUCT_CREATE = 40
_STRING_TRAVERSAL = 0.1
_REGEX_LENGTH = 0.25


class CostModelError(Exception):
    """The expression is outside what the parser understands (or nested too deep for it)."""


# --- parsing ------------------------------------------------------------------------------------

# A node is a tuple whose first item says what it is:
#   ("lit", kind, size)             kind: string, bytes, int, uint, double, bool, null
#   ("ident", name)
#   ("select", operand, field, test_only)
#   ("call", function, target | None, args)       operators too: "_+_", "_&&_", "_?_:_", "!_" ...
#   ("list", items) / ("map", [(key, value)]) / ("struct", name, [(field, value)])
#   ("comp", macro, range, variables, args, offset)   all, exists, exists_one, map, filter, ...
#   ("bind", variable, init, body)                cel.bind(v, init, body)
Node = tuple[Any, ...]

_TOKEN = re.compile(
    r"""(?P<space>\s+|//[^\n]*)
    |(?P<string>(?:[rR][bB]?|[bB][rR]?)?(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^\\'\n])*'|"(?:\\.|[^\\"\n])*"))
    |(?P<number>0[xX][0-9a-fA-F]+[uU]?|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[uU]?)
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<punct>\|\||&&|==|!=|<=|>=|[<>!+\-*/%?:.,\[\](){}])""",
    re.VERBOSE | re.DOTALL,
)

_BINARY = {
    "||": (1, "_||_"),
    "&&": (2, "_&&_"),
    "==": (3, "_==_"),
    "!=": (3, "_!=_"),
    "<": (3, "_<_"),
    "<=": (3, "_<=_"),
    ">": (3, "_>_"),
    ">=": (3, "_>=_"),
    "in": (3, "@in"),
    "+": (4, "_+_"),
    "-": (4, "_-_"),
    "*": (5, "_*_"),
    "/": (5, "_/_"),
    "%": (5, "_%_"),
}

_MACROS = {"all", "exists", "exists_one", "existsOne", "map", "filter", "transformList", "transformMap"}

# Expressions nested deeper than this are not estimated (cel-go's parser stops at 250 levels of
# recursion; our recursive descent needs a few Python frames per level).
_MAX_NESTING = 120


def _tokenize(source: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise CostModelError(f"unexpected character at {position}")
        kind = match.lastgroup or "punct"
        if kind != "space":
            tokens.append((kind, match.group(), position))
        position = match.end()
    tokens.append(("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.position = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> tuple[str, str, int]:
        return self.tokens[min(self.position + offset, len(self.tokens) - 1)]

    def take(self, text: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if text is not None and token[1] != text:
            raise CostModelError(f"expected {text!r}, found {token[1]!r}")
        self.position += 1
        return token

    def accept(self, text: str) -> bool:
        if self.peek()[1] == text and self.peek()[0] == "punct":
            self.position += 1
            return True
        return False

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise CostModelError("nested too deep")
        try:
            condition = self.binary(1)
            if self.accept("?"):
                when_true = self.binary(1)
                self.take(":")
                when_false = self.expression()
                return ("call", "_?_:_", None, [condition, when_true, when_false])
            return condition
        finally:
            self.depth -= 1

    def binary(self, minimum: int) -> Node:
        left = self.unary()
        while True:
            kind, text, _ = self.peek()
            operator = _BINARY.get(text) if kind in ("punct", "ident") else None
            if operator is None or operator[0] < minimum or (kind == "ident" and text != "in"):
                return left
            self.position += 1
            right = self.binary(operator[0] + 1)
            left = ("call", operator[1], None, [left, right])

    def unary(self) -> Node:
        if self.accept("!"):
            return ("call", "!_", None, [self.unary()])
        if self.accept("-"):
            operand = self.unary()
            if operand[0] == "lit" and operand[1] in ("int", "double"):
                return operand  # the parser folds `-1` into a literal
            return ("call", "-_", None, [operand])
        return self.member(self.primary())

    def arguments(self, closing: str) -> list[Node]:
        items: list[Node] = []
        while not self.accept(closing):
            items.append(self.expression())
            if not self.accept(","):
                self.take(closing)
                break
        return items

    def member(self, node: Node) -> Node:
        while True:
            if self.accept("."):
                self.accept("?")  # optional selection costs as a selection
                kind, name, offset = self.take()
                if kind != "ident":
                    raise CostModelError("expected a field name")
                if self.accept("("):
                    node = self.call(name, node, self.arguments(")"), offset)
                else:
                    node = ("select", node, name, False)
            elif self.accept("["):
                self.accept("?")
                index = self.expression()
                self.take("]")
                node = ("call", "_[_]", None, [node, index])
            elif self.peek()[1] == "{" and node[0] in ("ident", "select") and _qualified(node):
                self.take("{")
                node = ("struct", node, self.fields())
            else:
                return node

    def fields(self) -> list[tuple[str, Node]]:
        entries: list[tuple[str, Node]] = []
        while not self.accept("}"):
            self.accept("?")
            kind, name, _ = self.take()
            if kind != "ident":
                raise CostModelError("expected a field name")
            self.take(":")
            entries.append((name, self.expression()))
            if not self.accept(","):
                self.take("}")
                break
        return entries

    def call(self, name: str, target: Node | None, args: list[Node], offset: int = -1) -> Node:
        # A comprehension keeps the offset of its macro name: cel.py's cost ticks name the same.
        if target is not None and name in _MACROS and len(args) in (2, 3):
            variables = [arg[1] for arg in args[:-1] if arg[0] == "ident"]
            if name == "map" and len(args) == 3 and args[0][0] == "ident":
                return ("comp", "map_filter", target, [args[0][1]], [args[1], args[2]], offset)
            if len(variables) == len(args) - 1:
                macro = "exists_one" if name == "existsOne" else name
                return ("comp", macro, target, variables, [args[-1]], offset)
        if target is None and name == "has" and len(args) == 1 and args[0][0] == "select":
            _, operand, field, _ = args[0]
            return ("select", operand, field, True)
        if (
            target is not None
            and target == ("ident", "cel")
            and name == "bind"
            and len(args) == 3
            and args[0][0] == "ident"
        ):
            return ("bind", args[0][1], args[1], args[2])
        return ("call", name, target, args)

    def primary(self) -> Node:
        kind, text, _ = self.take()
        if kind == "string":
            return ("lit", "bytes" if text[:2].lower().count("b") else "string", _string_size(text))
        if kind == "number":
            if text[-1] in "uU":
                return ("lit", "uint", 1)
            return ("lit", "double" if re.search(r"[.eE]", text) and not text.startswith("0x") else "int", 1)
        if kind == "ident":
            if text in ("true", "false"):
                return ("lit", "bool", 1)
            if text == "null":
                return ("lit", "null", 1)
            if self.accept("("):
                return self.call(text, None, self.arguments(")"))
            return ("ident", text)
        if text == ".":  # a leading dot: the root namespace
            name_kind, name, _ = self.take()
            if name_kind != "ident":
                raise CostModelError("expected a name after '.'")
            if self.accept("("):
                return self.call(name, None, self.arguments(")"))
            return ("ident", name)
        if text == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if text == "[":
            return ("list", self.arguments("]"))
        if text == "{":
            entries: list[tuple[Node, Node]] = []
            while not self.accept("}"):
                self.accept("?")
                key = self.expression()
                self.take(":")
                entries.append((key, self.expression()))
                if not self.accept(","):
                    self.take("}")
                    break
            return ("map", entries)
        raise CostModelError(f"unexpected {text!r}")


def _qualified(node: Node) -> bool:
    # `Msg{...}` only follows a (qualified) type name, never an arbitrary expression.
    while node[0] == "select":
        node = node[1]
    return bool(node[0] == "ident")


def _string_size(text: str) -> int:
    body = re.sub(r"^[rRbB]*", "", text)
    quote = 3 if body[:3] in ("'''", '"""') else 1
    return max(0, len(body) - 2 * quote)


_PARSED: dict[str, Node | None] = {}


def parse(source: str) -> Node | None:
    """The expression's tree, or None when the parser does not understand it (cached by text)."""
    if source in _PARSED:
        return _PARSED[source]
    try:
        parser = _Parser(source)
        node: Node | None = parser.expression()
        if parser.peek()[0] != "end":
            node = None
    except (CostModelError, RecursionError, IndexError):
        node = None
    _PARSED[source] = node
    return node


def has_comprehension(node: Node) -> bool:
    """Whether the tree holds a comprehension (the only way a rule's work grows past linear)."""
    return any(child[0] == "comp" for child in _nodes(node))


_GROWS: dict[int, bool] = {}


def may_grow(node: Node) -> bool:
    """Whether the rule's work can pass linear in what it reads: a comprehension, or `+` (which
    copies both sides, so `a + a + a ...` builds a value many times its input)."""
    key = id(node)
    known = _GROWS.get(key)
    if known is None:
        known = _GROWS[key] = any(
            child[0] == "comp" or (child[0] == "call" and child[1] == "_+_") for child in _nodes(node)
        )
    return known


def _nodes(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(_children(current))


def _children(node: Node) -> list[Node]:
    kind = node[0]
    if kind == "select":
        return [node[1]]
    if kind == "call":
        return ([node[2]] if node[2] is not None else []) + list(node[3])
    if kind == "list":
        return list(node[1])
    if kind == "map":
        return [part for pair in node[1] for part in pair]
    if kind == "struct":
        return [value for _, value in node[2]]
    if kind == "comp":
        return [node[2], *node[4]]
    if kind == "bind":
        return [node[2], node[3]]
    return []


# --- the API server's static estimate -----------------------------------------------------------


class _Decl:
    """A schema node as the server's CEL declares it: kind, maximum size, element types.

    `max_size` is None when unknown (a lower bound then counts nothing for it).
    """

    __slots__ = ("elem", "fields", "kind", "max_size", "min_serialized")

    def __init__(
        self,
        kind: str,
        max_size: int | None = None,
        elem: _Decl | None = None,
        fields: Callable[[str], _Decl | None] | None = None,
        min_serialized: int = 1,
    ) -> None:
        self.kind = kind  # list, map, object, string, bytes, scalar, dyn, unknown
        self.max_size = max_size
        self.elem = elem
        self.fields = fields
        self.min_serialized = min_serialized

    def field(self, name: str) -> _Decl:
        if self.kind == "object" and self.fields is not None:
            found = self.fields(name)
            if found is not None:
                return found
        if self.kind == "map" and self.elem is not None:
            return self.elem
        return _UNKNOWN


_UNKNOWN = _Decl("unknown")
_SCALAR = _Decl("scalar", 1)


def _decl(schema: Any, memo: dict[int, _Decl | None]) -> _Decl | None:
    """`SchemaDeclType` (k8s.io/apiserver pkg/cel/common/schemas.go) for the parts that size."""
    if not isinstance(schema, Mapping):
        return None
    key = id(schema)
    if key in memo:
        return memo[key]
    memo[key] = None  # a cycle (impossible in parsed YAML without aliases) sizes as unknown
    result = _decl_uncached(schema, memo)
    memo[key] = result
    return result


def _decl_uncached(schema: Mapping[str, Any], memo: dict[int, _Decl | None]) -> _Decl | None:
    if schema.get("x-kubernetes-int-or-string") is True:
        return _Decl("dyn", _MAX_REQUEST_BYTES - 2, min_serialized=1)
    kind = schema.get("type")
    if kind == "array":
        items = _decl(schema.get("items"), memo)
        if items is None:
            return None
        max_items = schema.get("maxItems")
        size = (
            max(0, max_items)
            if isinstance(max_items, int) and not isinstance(max_items, bool)
            else (_MAX_REQUEST_BYTES - 2) // (items.min_serialized + 1)
        )
        return _Decl("list", size, items, min_serialized=2)
    if kind == "object":
        additional = schema.get("additionalProperties")
        if isinstance(additional, Mapping):
            values = _decl(additional, memo)
            if values is None:
                return None
            max_properties = schema.get("maxProperties")
            size = (
                max(0, max_properties)
                if isinstance(max_properties, int) and not isinstance(max_properties, bool)
                else (_MAX_REQUEST_BYTES - 2) // (values.min_serialized + 6)
            )
            return _Decl("map", size, values, min_serialized=2)
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        required = schema.get("required")
        required_names = set(required) if isinstance(required, list) else set()
        minimum = 2
        for name in required_names:
            child = properties.get(name) if isinstance(name, str) else None
            if isinstance(child, Mapping) and "default" not in child:
                child_decl = _decl(child, memo)
                if child_decl is not None:
                    minimum += len(name) + child_decl.min_serialized + 4

        def field(name: str) -> _Decl | None:
            child = properties.get(name)
            return _decl(child, memo) if child is not None else None

        return _Decl("object", None, fields=field, min_serialized=minimum)
    if kind == "string":
        fmt = schema.get("format")
        raw_length = schema.get("maxLength")
        bounded = isinstance(raw_length, int) and not isinstance(raw_length, bool)
        max_length = raw_length if isinstance(raw_length, int) else 0
        if fmt == "byte":
            return _Decl(
                "bytes", max(0, max_length) if bounded else _MAX_REQUEST_BYTES - 2, min_serialized=_MIN_STRING
            )
        if fmt == "duration":
            return _Decl("scalar", 1, min_serialized=_MIN_DURATION_JSON)
        if fmt == "date":
            return _Decl("scalar", 1, min_serialized=_DATE_JSON)
        if fmt == "date-time":
            return _Decl("scalar", 1, min_serialized=_MIN_DATETIME_JSON)
        if bounded:
            # The server multiplies maxLength by 4: it is in code points, its sizes in bytes.
            size = max(0, max_length) * 4
        else:
            enum = schema.get("enum")
            strings = (
                [len(value) for value in enum if isinstance(value, str)] if isinstance(enum, list) else []
            )
            # Newer servers size an enum'd string by its longest value; older ones by the request
            # size. The smaller keeps this a lower bound.
            size = max(strings) if strings else _MAX_REQUEST_BYTES - 2
        return _Decl("string", size, min_serialized=_MIN_STRING)
    if kind == "boolean":
        return _Decl("scalar", 1, min_serialized=_MIN_BOOL)
    if kind in ("number", "integer"):
        return _Decl("scalar", 1, min_serialized=_MIN_NUMBER)
    return None


def max_cardinality(schema: Mapping[str, Any], pointer: str) -> int:
    """How many times a rule at `pointer` (a schema pointer) can run for one object.

    The product of the sizes of the lists and maps above it (apiextensions validation.go,
    `CELSchemaContext.MaxCardinality`); 1 where a size is unknown.
    """
    memo: dict[int, _Decl | None] = {}
    node: Any = schema
    cardinality = 1
    steps = [step for step in pointer.split("/")[1:]] if pointer else []
    index = 0
    while index < len(steps) and isinstance(node, Mapping):
        step = steps[index].replace("~1", "/").replace("~0", "~")
        if step == "properties" and index + 1 < len(steps):
            children = node.get("properties")
            name = steps[index + 1].replace("~1", "/").replace("~0", "~")
            node = children.get(name) if isinstance(children, Mapping) else None
            index += 2
            continue
        if step in ("items", "additionalProperties"):
            declared = _decl(node, memo)
            if declared is not None and declared.max_size is not None:
                cardinality *= max(1, declared.max_size)
            node = node.get(step)
            index += 1
            continue
        return cardinality
    return cardinality


def _ceil(size: int, factor: float) -> int:
    return math.ceil(size * factor)


class _Static:
    """cel-go checker/cost.go `coster`, on our tree, with sizes from `_Decl` (a lower bound)."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, _Decl]] = []

    def lookup(self, name: str) -> _Decl:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return _UNKNOWN

    def cost(self, node: Node) -> tuple[int, _Decl]:
        kind = node[0]
        if kind == "lit":
            size = node[2] if node[1] in ("string", "bytes") else 1
            return 0, _Decl("string" if node[1] == "string" else "scalar", size)
        if kind == "ident":
            return _SELECT_AND_IDENT, self.lookup(node[1])
        if kind == "select":
            operand_cost, operand = self.cost(node[1])
            if node[3]:
                # has(): 0 in the server's estimate (its environment turns presence-test cost off;
                # compilation_test.go "map of numbers with has" expects 0).
                return 0, _SCALAR
            extra = _SELECT_AND_IDENT if operand.kind in ("object", "map", "dyn") else 0
            return operand_cost + extra, operand.field(node[2])
        if kind == "list":
            total = _LIST_CREATE
            for item in node[1]:
                total += self.cost(item)[0]
            return total, _Decl("list", len(node[1]), _UNKNOWN)
        if kind == "map":
            total = _MAP_CREATE
            for key, value in node[1]:
                total += self.cost(key)[0] + self.cost(value)[0]
            return total, _Decl("map", len(node[1]), _UNKNOWN)
        if kind == "struct":
            return _STRUCT_CREATE + sum(self.cost(value)[0] for _, value in node[2]), _UNKNOWN
        if kind == "bind":
            init_cost, init = self.cost(node[2])
            self.scopes.append({node[1]: init})
            try:
                body_cost, body = self.cost(node[3])
            finally:
                self.scopes.pop()
            return init_cost + body_cost, body
        if kind == "comp":
            return self.comprehension(node)
        return self.call(node)

    def comprehension(self, node: Node) -> tuple[int, _Decl]:
        _, macro, range_node, variables, args, _ = node
        range_cost, range_decl = self.cost(range_node)
        count = range_decl.max_size if range_decl.kind in ("list", "map") and range_decl.max_size else 0
        if range_decl.kind == "list":
            bound = {variables[0]: range_decl.elem or _UNKNOWN}
            if len(variables) == 2:
                bound = {variables[0]: _SCALAR, variables[1]: range_decl.elem or _UNKNOWN}
        elif range_decl.kind == "map":
            bound = {variables[0]: _Decl("string", None)}
            if len(variables) == 2:
                bound[variables[1]] = range_decl.elem or _UNKNOWN
        else:
            bound = dict.fromkeys(variables, _UNKNOWN)
        self.scopes.append(bound)
        try:
            bodies = [self.cost(arg) for arg in args]
        finally:
            self.scopes.pop()
        body = sum(cost for cost, _ in bodies)
        # The macro expansions of cel-go parser/macro.go, costed as cost.go costs them:
        # loop condition + loop step per item, plus the accumulator's init and result.
        if macro == "all":
            per_item, fixed, result = 3 + body, 1, _SCALAR
        elif macro == "exists":
            per_item, fixed, result = 4 + body, 1, _SCALAR
        elif macro == "exists_one":
            per_item, fixed, result = 2 + body, 2, _SCALAR
        elif macro in ("map", "map_filter"):
            per_item, fixed = 12 + body, 11
            result = _Decl("list", count, bodies[-1][1])
        elif macro == "filter":
            per_item, fixed = 13 + body, 11
            result = _Decl("list", count, range_decl.elem or _UNKNOWN)
        else:  # transformList / transformMap: at least the body per item
            per_item, fixed, result = body, 0, _UNKNOWN
        return range_cost + fixed + count * per_item, result

    def call(self, node: Node) -> tuple[int, _Decl]:
        _, function, target, args = node
        total = 0
        target_decl = _UNKNOWN
        if target is not None:
            target_cost, target_decl = self.cost(target)
            total += target_cost
        costed = [self.cost(arg) for arg in args]
        decls = [decl for _, decl in costed]
        arguments = sum(cost for cost, _ in costed)
        if function in ("_&&_", "_||_"):
            return arguments, _SCALAR
        if function == "_?_:_":
            return costed[0][0] + max(costed[1][0], costed[2][0]), _merge(decls[1], decls[2])
        if function == "_+_" and len(decls) == 2:
            left, right = decls
            if left.kind == right.kind and left.kind in ("string", "bytes", "list"):
                size = (left.max_size or 0) + (right.max_size or 0)
                if left.kind == "list":
                    return total + arguments + 1, _Decl("list", size, _merge(left.elem, right.elem))
                return total + arguments + _ceil(size, _STRING_TRAVERSAL), _Decl(left.kind, size)
            return total + arguments + 1, _UNKNOWN
        if function in ("_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_") and len(decls) == 2:
            smallest = min(_size(decl) for decl in decls)
            sized = any(decl.kind in ("string", "bytes", "list", "map", "dyn") for decl in decls)
            if function in ("_==_", "_!=_"):
                # cel-go charges 0.1 per unit of the smaller side; two scalars cost 0 in the
                # server's estimates (compilation_test.go, `self.all(x, x == 0.0)`).
                return total + arguments + (_ceil(smallest, _STRING_TRAVERSAL) if sized else 0), _SCALAR
            if all(decl.kind in ("string", "bytes") for decl in decls):
                return total + arguments + _ceil(smallest, _STRING_TRAVERSAL), _SCALAR
            return total + arguments + 1, _SCALAR
        if function == "@in" and len(decls) == 2:
            container = decls[1]
            return total + arguments + (_size(container) if container.kind == "list" else 1), _SCALAR
        if function == "_[_]" and len(decls) == 2:
            container = decls[0]
            return total + arguments + 1, (container.elem or _UNKNOWN) if container.kind in (
                "list",
                "map",
            ) else _UNKNOWN
        if function == "matches" and len(decls) == (1 if target is not None else 2):
            text, pattern = (target_decl, decls[0]) if target is not None else (decls[0], decls[1])
            text_cost = _ceil(_size(text) + 1, _STRING_TRAVERSAL)
            pattern_cost = _ceil(_size(pattern), _REGEX_LENGTH)
            return total + arguments + text_cost * pattern_cost, _SCALAR
        if function == "contains" and target is not None and len(decls) == 1 and target_decl.kind == "string":
            return total + arguments + _ceil(_size(target_decl), _STRING_TRAVERSAL) * _ceil(
                _size(decls[0]), _STRING_TRAVERSAL
            ), _SCALAR
        if function in ("startsWith", "endsWith") and target is not None and len(decls) == 1:
            return total + arguments + _ceil(_size(decls[0]), _STRING_TRAVERSAL), _SCALAR
        if function == "size":
            return total + arguments + 1, _SCALAR
        if function == "dyn" and len(costed) == 1:
            return arguments + 1, decls[0]
        return total + arguments + 1, _UNKNOWN


def _size(decl: _Decl | None) -> int:
    if decl is None:
        return 0
    if decl.kind == "scalar":
        return 1
    return decl.max_size or 0


def _merge(left: _Decl | None, right: _Decl | None) -> _Decl:
    if left is None or right is None or left.kind != right.kind:
        return _UNKNOWN
    if left.max_size is None or right.max_size is None:
        return _Decl(left.kind, None)
    return _Decl(left.kind, max(left.max_size, right.max_size), _merge(left.elem, right.elem), left.fields)


def estimated_cost(node: Node, schema: Mapping[str, Any], *, root: bool = False) -> int:
    """The server's estimated worst-case cost of one run of the rule, as a lower bound.

    Args:
        node: The parsed rule (`parse`).
        schema: The schema node the rule is declared on (`self`, and `oldSelf` for transition
            rules, have its type).
        root: Whether the node is the resource's root (the server adds apiVersion, kind and
            metadata.name there; they size as unknown here).
    """
    del root  # the fields it adds are strings of unknown size: they add nothing to a lower bound
    memo: dict[int, _Decl | None] = {}
    declared = _decl(schema, memo) or _UNKNOWN
    static = _Static()
    static.scopes.append({"self": declared, "oldSelf": declared})
    return static.cost(node)[0]


def cost_error_message(what: str, cost: int, limit: int) -> str:
    """`getCostErrorMessage` of apiextensions validation.go."""
    factor = cost / limit
    if factor > 100.0:
        shown = "more than 100x"
    elif factor < 1.5:
        shown = f"{factor:f}x"
    else:
        shown = f"{factor:.1f}x"
    return (
        f"Forbidden: {what} exceeds budget by factor of {shown} (try simplifying the rule, or adding "
        "maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"
    )


# --- the engine's work on one object ------------------------------------------------------------


# Units of `engine_work`, calibrated on the engine (docs/reference/cel.md, "The engine's own work"):
# one unit is about 100 ns. A list item or scalar is a unit, a map entry eight (a hash map of
# owned keys), 100 characters of a string one; binding a comprehension item costs five copies,
# and a copy of a growing `map`/`filter` result two.
_ENTRY_COPY = 8
_BIND_COPY = 5
_ACCUMULATE = 2


class _Value:
    """What the engine may hold at a node: how big it is and what its parts are, at most.

    Built from the actual values (`_Value.of`), or merged from several (a comprehension variable
    stands for every item of its range).
    """

    __slots__ = ("copy", "items", "size", "values")

    def __init__(
        self, size: int, copy: int, values: list[Any] | None = None, items: _Value | None = None
    ) -> None:
        self.size = size  # size(): items, entries or characters
        self.copy = copy  # value copies one copy of it costs the engine
        self.values = values  # the actual values it stands for, when known
        self.items = items  # for a synthetic list: what its items are at most


_NOTHING = _Value(1, 1)


class _Engine:
    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.copies: dict[int, int] = {}
        self.scopes: list[dict[str, _Value]] = [{name: self.of([value]) for name, value in variables.items()}]
        self.roots = set(variables)
        self.total = sum(self.scopes[0][name].copy for name in variables)
        self.sites: dict[int, int] = {}

    def copy_of(self, value: Any) -> int:
        """Value copies one copy of `value` costs: one per scalar, map entry and list item.

        Strings copy as bytes: 100 characters cost about one value (measured on the engine: about
        1 ns a byte, 60-200 ns a value copied in these units).
        """
        if isinstance(value, str):
            return 1 + len(value) // 100
        if not isinstance(value, (list, dict)):
            return 1
        key = id(value)
        known = self.copies.get(key)
        if known is not None:
            return known
        total = 1
        stack: list[Any] = [value]
        # Iterative: a deep value costs no Python stack. Nested containers are counted once each.
        while stack:
            current = stack.pop()
            members = current.values() if isinstance(current, dict) else current
            for member in members:
                total += _ENTRY_COPY if isinstance(current, dict) else 1
                if isinstance(member, (list, dict)):
                    stack.append(member)
                elif isinstance(member, str):
                    total += len(member) // 100
        self.copies[key] = total
        return total

    def of(self, values: list[Any]) -> _Value:
        if not values:
            return _NOTHING
        sizes = [len(v) if isinstance(v, (str, list, dict, bytes)) else 1 for v in values]
        return _Value(max(sizes), max(self.copy_of(v) for v in values), values)

    def unknown(self) -> _Value:
        # A function's result: no bigger than everything the rule was given (functions that grow
        # a value are Python ones, metered by cel.py as they run).
        return _Value(self.total, self.total)

    def items(self, value: _Value) -> _Value:
        if value.items is not None:
            return value.items
        if value.values is None:
            return self.unknown()
        members: list[Any] = []
        for current in value.values:
            if isinstance(current, list):
                members.extend(current)
            elif isinstance(current, dict):
                members.extend(current)  # a comprehension over a map binds its keys
        return self.of(members)

    def members(self, value: _Value) -> _Value:
        """What indexing a list or a map yields: any item or any value."""
        if value.items is not None:
            return value.items
        if value.values is None:
            return self.unknown()
        found: list[Any] = []
        for current in value.values:
            if isinstance(current, list):
                found.extend(current)
            elif isinstance(current, dict):
                found.extend(current.values())
        return self.of(found)

    def field(self, value: _Value, name: str) -> _Value:
        if value.values is None:
            return self.unknown()
        members = [current[name] for current in value.values if isinstance(current, dict) and name in current]
        return self.of(members)

    def lookup(self, name: str) -> _Value:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return _NOTHING

    def work(self, node: Node) -> tuple[int, _Value]:
        kind = node[0]
        if kind == "lit":
            return 1, _Value(node[2] if node[1] in ("string", "bytes") else 1, 1)
        if kind == "ident":
            found = self.lookup(node[1])
            if node[1] in self.roots:
                # Naming the variable copies its top level only (measured); selecting into it
                # copies what is selected.
                return 1 + found.size // 8, found
            return 1, found
        if kind == "select":
            operand_work, operand = self.work(node[1])
            if node[3]:
                return operand_work + 1, _NOTHING
            selected = self.field(operand, node[2])
            return operand_work + selected.copy, selected
        if kind == "list":
            results = [self.work(item) for item in node[1]]
            copy = 1 + sum(value.copy for _, value in results)
            items = _merge_values([value for _, value in results])
            return 1 + sum(work for work, _ in results), _Value(len(results), copy, None, items)
        if kind == "map":
            total = 1
            for key, value in node[1]:
                total += self.work(key)[0] + self.work(value)[0]
            return total, self.unknown()
        if kind == "struct":
            return 1 + sum(self.work(value)[0] for _, value in node[2]), self.unknown()
        if kind == "bind":
            init_work, init = self.work(node[2])
            self.scopes.append({node[1]: init})
            try:
                body_work, body = self.work(node[3])
            finally:
                self.scopes.pop()
            return init_work + body_work, body
        if kind == "comp":
            return self.comprehension(node)
        return self.call(node)

    def comprehension(self, node: Node) -> tuple[int, _Value]:
        _, macro, range_node, variables, args, offset = node
        range_work, range_value = self.work(range_node)
        count = range_value.size
        item = self.items(range_value)
        bound = {variables[-1]: item}
        if len(variables) == 2:
            bound[variables[0]] = _NOTHING
        self.scopes.append(bound)
        try:
            bodies = [self.work(arg) for arg in args]
        finally:
            self.scopes.pop()
        # Each item is bound by copying it (measured dearer than a selection's copy), then the
        # body runs: that is the work of one step, charged on the step's cost tick. What the
        # body's own comprehensions do per item their own ticks charge.
        per_item = _BIND_COPY * item.copy + sum(work for work, _ in bodies)
        result = _NOTHING
        if macro in ("map", "map_filter", "filter", "transformList", "transformMap"):
            # The result grows by one item per step, and the engine copies it whole each time:
            # charged at the average, so `count` steps charge the whole.
            kept = bodies[-1][1] if macro != "filter" else item
            per_item += _ACCUMULATE * max(1, kept.copy) * (count + 1) // 2
            result = _Value(count, 1 + count * kept.copy, None, kept)
        self.sites[offset] = max(self.sites.get(offset, 0), per_item)
        return range_work, result

    def call(self, node: Node) -> tuple[int, _Value]:
        _, function, target, args = node
        total = 0
        parts: list[_Value] = []
        if target is not None:
            target_work, target_value = self.work(target)
            total += target_work
            parts.append(target_value)
        for arg in args:
            arg_work, arg_value = self.work(arg)
            total += arg_work
            parts.append(arg_value)
        if function in ("_&&_", "_||_", "!_", "size", "has"):
            return total + 1, _NOTHING
        if function == "_?_:_" and len(parts) == 3:
            return total + 1, _merge_values(parts[1:])
        if function == "_[_]" and len(parts) == 2:
            member = self.members(parts[0])
            return total + member.copy, member
        if function == "_+_" and len(parts) == 2:
            left, right = parts
            copy = left.copy + right.copy
            items = (
                _merge_values([self.items(left), self.items(right)])
                if left.size > 1 or right.size > 1
                else None
            )
            return total + copy, _Value(left.size + right.size, copy, None, items)
        if function in ("_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_"):
            return total + min(part.copy for part in parts), _NOTHING
        if function == "@in" and len(parts) == 2:
            return total + parts[1].copy, _NOTHING
        # Anything else reads its arguments once (a Python function converts them).
        return total + sum(part.copy for part in parts), self.unknown()


def _merge_values(values: list[_Value]) -> _Value:
    if not values:
        return _NOTHING
    known = [value.values for value in values]
    merged = [member for group in known if group is not None for member in group]
    return _Value(
        max(value.size for value in values),
        max(value.copy for value in values),
        merged if all(group is not None for group in known) else None,
        None,
    )


def engine_work(node: Node, variables: Mapping[str, Any]) -> tuple[int, dict[int, int]]:
    """What the engine's copying costs evaluating `node` with `variables`, at most.

    Counts what `cel.py`'s meter cannot see: selecting a value copies it, each comprehension
    item is copied into its variable, `map` and `filter` copy their growing result per item,
    `+` copies both operands, `in` and comparisons read their operands.

    Returns:
        The work outside any comprehension step (checked before the rule runs), and the work of
        one step of each comprehension, by the offset of its macro name in the source (charged
        on the step's cost tick while the rule runs, so a short-circuit costs nothing more).
    """
    engine = _Engine(variables)
    top = engine.work(node)[0]
    return top, engine.sites
