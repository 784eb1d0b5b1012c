"""The API server's schema extensions that no offline JSON Schema validator checks.

After structural validation (validate.py), a CustomResource is also checked for:

- `x-kubernetes-validations` CEL rules at every schema level
  (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go, compilation.go);
- `x-kubernetes-list-type: set | map` uniqueness
  (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype/validation.go);
- `x-kubernetes-embedded-resource: true` objects: apiVersion, kind and ObjectMeta
  (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta/validation.go).

`check_schema` reports the CRD-side mistakes the API server rejects when the CRD is created
(k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go), so the CRD loader
can turn them into setup errors. CEL evaluation itself lives in `cel.py`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, join_pointer
from mkdocs_appreg.engine.goregexp import pattern_problem
from mkdocs_appreg.engine.kinds import parse_group_version
from mkdocs_appreg.engine.listtypes import list_duplicates

if TYPE_CHECKING:
    from mkdocs_appreg.engine import cel


def _cel() -> ModuleType:
    """`cel.py`, imported the first time a CRD has a CEL rule.

    It loads the CEL engines (~30 ms), which a site whose CRDs have no `x-kubernetes-validations`
    never needs.
    """
    from mkdocs_appreg.engine import cel as module

    return module


# k8s.io/apiserver/pkg/apis/cel/config.go `PerCallLimit` and `RuntimeCELCostBudget`: the same values
# as cel.PER_CALL_LIMIT and cel.RUNTIME_CEL_COST_BUDGET (tests/test_lazy_imports.py compares them),
# repeated so that the option defaults do not import the CEL engines.
_PER_CALL_LIMIT = 1_000_000
_RUNTIME_CEL_COST_BUDGET = 10_000_000

# celcost.ENGINE_WORK_LIMIT and ENGINE_WORK_OBJECT_LIMIT (tests/test_celcost.py compares them),
# repeated so that building a run does not import the estimator.
_ENGINE_WORK_LIMIT = 10_000_000
_ENGINE_WORK_OBJECT_LIMIT = 30_000_000

# A comprehension macro call: the one construct whose work grows faster than the input.
_MACRO_CALL = re.compile(
    r"\.\s*(?:all|exists|exists_one|existsOne|map|filter|transformList|transformMap)\s*\("
)

# Structural errors after which the API server does not run CEL at all: it cannot trust the
# types the rules were compiled against (pkg/registry/customresource/strategy.go, Validate, and
# schema/cel/validation.go: "some validation rules were not checked because the object was invalid").
BLOCKING_RULES: frozenset[str] = frozenset(
    {
        "schema.type",
        "schema.required",
        "schema.enum",
        "schema.max-length",
        "schema.max-items",
        "schema.max-properties",
    }
)
SKIPPED_RULE = "cel.skipped"
SKIPPED_MESSAGE = (
    "some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation"
)

# x-kubernetes-validations[].reason -> finding rule id and field.Error prefix (field/errors.go).
_REASONS: dict[str, tuple[str, str]] = {
    "FieldValueInvalid": ("cel.invalid", "Invalid value"),
    "FieldValueForbidden": ("cel.forbidden", "Forbidden"),
    "FieldValueRequired": ("cel.required", "Required value"),
    "FieldValueDuplicate": ("cel.duplicate", "Duplicate value"),
}

# k8s.io/apiserver/pkg/cel/escaping.go: property names CEL cannot spell as identifiers.
_CEL_RESERVED = frozenset(
    {
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function",
        "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    }
)  # fmt: skip


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
@functools.cache
def _identifier() -> re.Pattern[str]:
    return re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


@functools.cache
def _escapable() -> re.Pattern[str]:
    return re.compile(r"^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$")


_SCALARS = frozenset({"string", "integer", "number", "boolean"})


# Plain classes (common/records.py says why).
class ExtensionOptions:
    """How strictly the extensions are checked.

    Attributes:
        cel_unchecked: Severity of `cel.unchecked` (a rule calling a function we cannot evaluate).
        run_cel: Evaluate `x-kubernetes-validations` rules at all (the server skips them when the
            object has a blocking error; list types and embedded resources are still checked).
        per_rule_cost_budget: CEL cost one rule evaluation may use (upstream `PerCallLimit`).
        per_object_cost_budget: CEL cost all rules of one object may use together
            (upstream `RuntimeCELCostBudget`).
    """

    __slots__ = ("cel_unchecked", "per_object_cost_budget", "per_rule_cost_budget", "run_cel")

    cel_unchecked: Literal["warning", "off"]
    run_cel: bool
    per_rule_cost_budget: int
    per_object_cost_budget: int

    def __init__(
        self,
        cel_unchecked: Literal["warning", "off"] = "warning",
        run_cel: bool = True,
        per_rule_cost_budget: int = _PER_CALL_LIMIT,
        per_object_cost_budget: int = _RUNTIME_CEL_COST_BUDGET,
    ) -> None:
        self.cel_unchecked = cel_unchecked
        self.run_cel = run_cel
        self.per_rule_cost_budget = per_rule_cost_budget
        self.per_object_cost_budget = per_object_cost_budget


class CrdProblem:
    """A mistake in a CRD schema that the API server would refuse the CRD for.

    Attributes:
        pointer: JSON Pointer into the openAPIV3Schema of the offending node.
        message: What is wrong, in one line.
        line: 1-based line in the CRD file, when a `node_position` was given.
        column: 1-based column in the CRD file, when a `node_position` was given.
    """

    __slots__ = ("column", "line", "message", "pointer")

    pointer: str
    message: str
    line: int | None
    column: int | None

    def __init__(
        self, pointer: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.pointer = pointer
        self.message = message
        self.line = line
        self.column = column

    def located(self, file: str) -> str:
        """`file:line: message`, the form `errors.CrdError` prints."""
        where = f"{file}:{self.line}" if self.line is not None else file
        return f"{where}: {self.pointer or '/'}: {self.message}"


class CompiledRule:
    """One `x-kubernetes-validations` entry, compiled.

    Attributes:
        pointer: Schema pointer of the entry (`.../x-kubernetes-validations/0`).
        rule: The CEL source.
        expression: The compiled rule; None when it does not compile (a `check_schema` problem).
        message: `message`, stripped; empty when absent.
        message_expression: The compiled `messageExpression`, if any compiles.
        reason: `reason`, defaulting to FieldValueInvalid.
        field_path: `fieldPath` as pointer tokens relative to the node; empty when absent.
        optional_old_self: `optionalOldSelf`.
        errors: Compile or CRD errors of this entry (messages).
    """

    __slots__ = (
        "errors",
        "expression",
        "field_path",
        "message",
        "message_expression",
        "optional_old_self",
        "pointer",
        "reason",
        "rule",
    )

    pointer: str
    rule: str
    expression: cel.Expression | None
    message: str
    message_expression: cel.Expression | None
    reason: str
    field_path: tuple[str, ...]
    optional_old_self: bool
    errors: tuple[tuple[str, str], ...]

    def __init__(
        self,
        pointer: str,
        rule: str,
        expression: cel.Expression | None,
        message: str = "",
        message_expression: cel.Expression | None = None,
        reason: str = "FieldValueInvalid",
        field_path: tuple[str, ...] = (),
        optional_old_self: bool = False,
        errors: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.pointer = pointer
        self.rule = rule
        self.expression = expression
        self.message = message
        self.message_expression = message_expression
        self.reason = reason
        self.field_path = field_path
        self.optional_old_self = optional_old_self
        self.errors = errors


class CompiledRules:
    """Every rule of one CRD version's schema, keyed by the schema node that carries it."""

    __slots__ = ("by_node", "source")

    by_node: dict[str, list[CompiledRule]]
    source: str

    def __init__(self, by_node: dict[str, list[CompiledRule]] | None = None, source: str = "crdfile") -> None:
        self.by_node = {} if by_node is None else by_node
        self.source = source

    def problems(self) -> Iterator[tuple[str, str]]:
        for rules in self.by_node.values():
            for rule in rules:
                yield from rule.errors


# Keyed by id(); the schema itself is kept in the value so the id cannot be reused meanwhile.
_COMPILED: dict[int, tuple[Mapping[str, Any], CompiledRules]] = {}


def compile_schema_rules(schema: Mapping[str, Any], *, source: str = "crdfile") -> CompiledRules:
    """Compile every `x-kubernetes-validations` rule of `schema` once per schema object.

    Args:
        schema: A CRD version's `openAPIV3Schema`.
        source: The CRD file's display name, kept for messages.

    Returns:
        The compiled rules by schema node pointer; entries that do not compile carry `errors`.
    """
    cached = _COMPILED.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    compiled = CompiledRules(source=source)
    for pointer, node in _schema_nodes(schema, ""):
        entries = node.get("x-kubernetes-validations")
        if entries is None:
            continue
        where = join_pointer(pointer, "x-kubernetes-validations")
        if not isinstance(entries, list):
            compiled.by_node.setdefault(pointer, []).append(
                CompiledRule(where, "", None, errors=((where, "must be a list"),))
            )
            continue
        compiled.by_node[pointer] = [
            _compile_rule(node, join_pointer(where, index), entry) for index, entry in enumerate(entries)
        ]
    _COMPILED[id(schema)] = (schema, compiled)
    return compiled


def _compile_rule(node: Mapping[str, Any], pointer: str, entry: Any) -> CompiledRule:
    # Mirrors the CRD-creation checks in apiextensions/validation/validation.go
    # (validateSchemaCELRules / ValidateCustomResourceDefinitionOpenAPISchema).
    if not isinstance(entry, Mapping):
        return CompiledRule(pointer, "", None, errors=((pointer, "must be an object with a rule"),))
    errors: list[tuple[str, str]] = []
    rule = entry.get("rule")
    expression: cel.Expression | None = None
    if not isinstance(rule, str) or not rule.strip():
        errors.append((join_pointer(pointer, "rule"), "Required value: rule is not specified"))
        rule = ""
    else:
        try:
            expression = _cel().compile_expression(rule)
        except _cel().CompileError as error:
            errors.append((join_pointer(pointer, "rule"), f"Invalid value: compilation failed: {error}"))
    message = entry.get("message", "")
    if not isinstance(message, str):
        errors.append((join_pointer(pointer, "message"), "must be a string"))
        message = ""
    elif message and not message.strip():
        errors.append(
            (join_pointer(pointer, "message"), "Invalid value: message must be non-empty if specified")
        )
    elif "\n" in message:
        errors.append(
            (join_pointer(pointer, "message"), "Invalid value: message must not contain line breaks")
        )
    message_expression: cel.Expression | None = None
    source = entry.get("messageExpression")
    if source is not None:
        if not isinstance(source, str) or not source.strip():
            errors.append((join_pointer(pointer, "messageExpression"), "Invalid value: must be non-empty"))
        else:
            try:
                message_expression = _cel().compile_expression(source)
            except _cel().CompileError as error:
                errors.append(
                    (join_pointer(pointer, "messageExpression"),
                     f"Invalid value: messageExpression compilation failed: {error}")
                )  # fmt: skip
    reason = entry.get("reason", "FieldValueInvalid")
    if reason not in _REASONS:
        errors.append(
            (join_pointer(pointer, "reason"),
             f'Unsupported value: "{reason}": supported values: "' + '", "'.join(_REASONS) + '"')
        )  # fmt: skip
        reason = "FieldValueInvalid"
    field_path: tuple[str, ...] = ()
    raw_path = entry.get("fieldPath")
    if raw_path is not None:
        parsed = parse_field_path(raw_path) if isinstance(raw_path, str) else None
        if parsed is None:
            errors.append(
                (join_pointer(pointer, "fieldPath"), f"Invalid value: {raw_path!r}: fieldPath is invalid")
            )
        elif not _schema_has_path(node, parsed):
            errors.append(
                (join_pointer(pointer, "fieldPath"),
                 f"Invalid value: {raw_path!r}: fieldPath must be a field path to a field in the schema")
            )  # fmt: skip
        else:
            field_path = parsed
    optional_old_self = entry.get("optionalOldSelf") is True
    if optional_old_self and expression is not None and not expression.uses_old_self:
        errors.append(
            (join_pointer(pointer, "optionalOldSelf"),
             "Invalid value: true: may not be set if rule does not use oldSelf")
        )  # fmt: skip
    return CompiledRule(
        pointer,
        rule,
        expression,
        message.strip(),
        message_expression,
        reason,
        field_path,
        optional_old_self,
        tuple(errors),
    )


@functools.cache
def _path_step() -> re.Pattern[str]:
    return re.compile(r"\.([a-zA-Z_][a-zA-Z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\]")


def parse_field_path(path: str) -> tuple[str, ...] | None:
    """`.spec.foo['bar.baz']` as keys (`spec`, `foo`, `bar.baz`), or None when malformed.

    The API server accepts only field selection and map keys, no list indexes
    (schema/cel/compilation.go, ValidFieldPath).
    """
    steps: list[str] = []
    position = 0
    while position < len(path):
        match = _path_step().match(path, position)
        if match is None:
            return None
        steps.append(
            match.group(1) if match.group(1) is not None else re.sub(r"\\(.)", r"\1", match.group(2))
        )
        position = match.end()
    return tuple(steps) if steps else None


def _schema_has_path(node: Mapping[str, Any], steps: tuple[str, ...]) -> bool:
    current: Any = node
    for step in steps:
        if not isinstance(current, Mapping):
            return False
        properties = current.get("properties")
        additional = current.get("additionalProperties")
        if isinstance(properties, Mapping) and step in properties:
            current = properties[step]
        elif isinstance(additional, Mapping):
            current = additional
        else:
            return current.get("x-kubernetes-preserve-unknown-fields") is True
    return True


def _schema_nodes(schema: Any, pointer: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every schema node reachable through properties, items and additionalProperties."""
    if not isinstance(schema, Mapping):
        return
    yield pointer, schema
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        for name, child in properties.items():
            yield from _schema_nodes(child, join_pointer(join_pointer(pointer, "properties"), name))
    for key in ("items", "additionalProperties"):
        child = schema.get(key)
        if isinstance(child, Mapping):
            yield from _schema_nodes(child, join_pointer(pointer, key))


# --- CRD-side checks ----------------------------------------------------------------------------


_SCHEMA_TYPES = frozenset({"array", "boolean", "integer", "number", "object", "string"})


def check_schema(
    schema: Mapping[str, Any],
    *,
    file: str = "crdfile",
    node_position: Callable[[str], tuple[int, int]] | None = None,
) -> list[CrdProblem]:
    """The extension mistakes the API server rejects a CRD for.

    Args:
        schema: A CRD version's `openAPIV3Schema`.
        file: The CRD file's display name (compiled rules are cached under it).
        node_position: Maps a pointer into `schema` to the (line, column) of that node in the
            CRD file; without it, problems carry no line.

    Returns:
        Problems in schema order: CEL rules that do not compile or are malformed, list-type and
        list-map-keys misuse, embedded resources that are not objects.
    """
    compiled = compile_schema_rules(schema, source=file)
    problems: list[tuple[str, str]] = list(compiled.problems())
    if compiled.by_node:
        problems.extend(_cost_problems(schema, compiled))
    for pointer, node in _schema_nodes(schema, ""):
        problems.extend(_check_list_type(pointer, node))
        declared = node.get("type")
        if isinstance(declared, str) and declared and declared not in _SCHEMA_TYPES:
            # apiextensions structuralschema validation.go validateStructuralInvariants.
            supported = ", ".join(f'"{name}"' for name in sorted(_SCHEMA_TYPES))
            problems.append(
                (
                    join_pointer(pointer, "type"),
                    f'Unsupported value: "{declared}": supported values: {supported}',
                )
            )
        pattern_error = pattern_problem(node.get("pattern"))
        if pattern_error is not None:
            # apiextensions validation.go ValidateCustomResourceDefinitionOpenAPISchema:
            # `regexp.Compile(schema.Pattern)`; RE2 has no backreferences and no lookaround.
            problems.append(
                (
                    join_pointer(pointer, "pattern"),
                    f"Invalid value: {node['pattern']!r}: must be a valid regular expression, "
                    f"but isn't: {pattern_error}",
                )
            )
        if node.get("x-kubernetes-embedded-resource") is True and node.get("type") != "object":
            problems.append(
                (
                    join_pointer(pointer, "type"),
                    "Invalid value: must be object if x-kubernetes-embedded-resource is true",
                )
            )
    located: list[CrdProblem] = []
    for pointer, message in problems:
        line, column = node_position(pointer) if node_position is not None else (None, None)
        located.append(CrdProblem(pointer, message, line, column))
    return located


def _cost_problems(schema: Mapping[str, Any], compiled: CompiledRules) -> Iterator[tuple[str, str]]:
    """Rules whose estimated cost the API server refuses the CRD for.

    apiextensions validation.go: each rule's (and messageExpression's) estimated worst-case cost,
    times how often it can run, may not pass `StaticEstimatedCostLimit`, nor all of them together
    `StaticEstimatedCRDCostLimit` ("total CRD cost", at the root). celcost's estimate is a lower
    bound of the server's, so a CRD the server accepts is never refused here.
    """
    from mkdocs_appreg.engine import celcost

    nodes = dict(_schema_nodes(schema, ""))
    total = 0
    for pointer, rules in compiled.by_node.items():
        node = nodes.get(pointer)
        if node is None:
            continue
        cardinality = celcost.max_cardinality(schema, pointer)
        for rule in rules:
            for field, what, expression in (
                ("rule", "estimated rule cost", rule.expression),
                ("messageExpression", "estimated messageExpression cost", rule.message_expression),
            ):
                if expression is None or expression.program is None:
                    continue
                tree = celcost.parse(expression.source)
                if tree is None:
                    continue
                cost = celcost.estimated_cost(tree, node, root=pointer == "") * cardinality
                total += cost
                if cost > celcost.STATIC_ESTIMATED_COST_LIMIT:
                    yield (
                        join_pointer(rule.pointer, field),
                        celcost.cost_error_message(what, cost, celcost.STATIC_ESTIMATED_COST_LIMIT),
                    )
    if total > celcost.STATIC_ESTIMATED_CRD_COST_LIMIT:
        yield "", celcost.cost_error_message("total CRD cost", total, celcost.STATIC_ESTIMATED_CRD_COST_LIMIT)


def _check_list_type(pointer: str, node: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    # apiextensions/validation/validation.go, ValidateCustomResourceDefinitionOpenAPISchema:
    # the x-kubernetes-list-type / x-kubernetes-list-map-keys block.
    list_type = node.get("x-kubernetes-list-type")
    keys = node.get("x-kubernetes-list-map-keys")
    type_pointer = join_pointer(pointer, "x-kubernetes-list-type")
    keys_pointer = join_pointer(pointer, "x-kubernetes-list-map-keys")
    if list_type is None:
        if keys is not None:
            yield keys_pointer, "Forbidden: must not be specified if x-kubernetes-list-type is not map"
        return
    if list_type not in ("atomic", "set", "map"):
        yield type_pointer, f'Unsupported value: "{list_type}": supported values: "atomic", "set", "map"'
        return
    if node.get("type") != "array":
        yield type_pointer, "Invalid value: must only be used if type is array"
        return
    items = node.get("items")
    items = items if isinstance(items, Mapping) else {}
    if list_type == "set":
        if keys is not None:
            yield keys_pointer, "Forbidden: must not be specified if x-kubernetes-list-type is not map"
        if items.get("type") == "object" and items.get("x-kubernetes-map-type") != "atomic":
            yield (
                join_pointer(join_pointer(pointer, "items"), "x-kubernetes-map-type"),
                "Invalid value: must be atomic as item of a list with x-kubernetes-list-type=set",
            )
        return
    if list_type == "atomic":
        if keys is not None:
            yield keys_pointer, "Forbidden: must not be specified if x-kubernetes-list-type is not map"
        return
    if not isinstance(keys, list) or not keys:
        yield keys_pointer, "Required value: must not be empty if x-kubernetes-list-type is map"
        return
    if items.get("type") != "object":
        yield (
            join_pointer(join_pointer(pointer, "items"), "type"),
            "Invalid value: must be object if parent array's x-kubernetes-list-type is map",
        )
        return
    properties = items.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    required_field = items.get("required")
    required: list[Any] = required_field if isinstance(required_field, list) else []
    if len(set(map(str, keys))) != len(keys):
        yield keys_pointer, "Invalid value: must not contain duplicate entries"
    for index, key in enumerate(keys):
        key_pointer = join_pointer(keys_pointer, index)
        if not isinstance(key, str) or key not in properties:
            yield (
                key_pointer,
                f"Required value: entries mentioned in x-kubernetes-list-map-keys must exist: {key}",
            )
            continue
        key_schema = properties[key]
        key_schema = key_schema if isinstance(key_schema, Mapping) else {}
        if key_schema.get("type") not in _SCALARS:
            yield (
                key_pointer,
                f"Invalid value: {key!r}: must be a scalar type if parent array's x-kubernetes-list-type is map",
            )
        if key not in required and "default" not in key_schema:
            yield (
                key_pointer,
                f"Invalid value: {key!r}: all map keys must be required or have a default value",
            )


# --- object-side checks -------------------------------------------------------------------------


class _Run:
    """One document's pass over the `x-kubernetes-*` rules."""

    __slots__ = (
        "document",
        "findings",
        "options",
        "out_of_budget",
        "remaining",
        "rules",
        "unchecked",
        "work_remaining",
    )

    document: Document
    rules: CompiledRules
    options: ExtensionOptions
    remaining: int
    findings: list[Finding]
    unchecked: set[str]
    out_of_budget: bool
    work_remaining: int

    def __init__(
        self,
        document: Document,
        rules: CompiledRules,
        options: ExtensionOptions,
        remaining: int,
        findings: list[Finding] | None = None,
        unchecked: set[str] | None = None,
        out_of_budget: bool = False,
        work_remaining: int = _ENGINE_WORK_OBJECT_LIMIT,
    ) -> None:
        self.document = document
        self.rules = rules
        self.options = options
        self.remaining = remaining
        self.findings = [] if findings is None else findings
        self.unchecked = set() if unchecked is None else unchecked
        self.out_of_budget = out_of_budget
        self.work_remaining = work_remaining


def validate_extensions(
    document: Document,
    schema: Mapping[str, Any],
    *,
    value: Any = None,
    options: ExtensionOptions | None = None,
) -> list[Finding]:
    """Check `x-kubernetes-validations`, list types and embedded resources for one object.

    Args:
        document: The parsed document; used for positions and labels.
        schema: The CRD version's `openAPIV3Schema` (raw, with `x-kubernetes-*` keys).
        value: The object to check, already null-pruned and defaulted; `document.value` if None.
        options: Severities and cost budgets; defaults mirror the API server.

    Returns:
        Findings in walk order. The caller decides whether CEL runs at all (see `BLOCKING_RULES`).
    """
    options = options or ExtensionOptions()
    run = _Run(document, compile_schema_rules(schema), options, options.per_object_cost_budget)
    _walk(run, schema, document.value if value is None else value, "", "", root=True)
    return run.findings


def _walk(
    run: _Run, schema: Any, value: Any, pointer: str, schema_pointer: str, *, root: bool = False
) -> None:
    if not isinstance(schema, Mapping):
        return
    if isinstance(value, dict):
        if schema.get("x-kubernetes-embedded-resource") is True and not root:
            run.findings.extend(_embedded(run.document, value, pointer))
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        additional = schema.get("additionalProperties")
        for key, child in value.items():
            if root and key == "metadata":
                continue  # ObjectMeta is metadata.py's; the server runs no CRD rules inside it
            if key in properties:
                child_pointer = join_pointer(join_pointer(schema_pointer, "properties"), key)
                _walk(run, properties[key], child, join_pointer(pointer, key), child_pointer)
            elif isinstance(additional, Mapping):
                _walk(
                    run,
                    additional,
                    child,
                    join_pointer(pointer, key),
                    join_pointer(schema_pointer, "additionalProperties"),
                )
    elif isinstance(value, list):
        _list_type(run, schema, value, pointer)
        items = schema.get("items")
        if isinstance(items, Mapping):
            item_pointer = join_pointer(schema_pointer, "items")
            for index, item in enumerate(value):
                _walk(run, items, item, join_pointer(pointer, index), item_pointer)
    rules = run.rules.by_node.get(schema_pointer)
    if rules and run.options.run_cel:
        _evaluate_rules(run, schema, value, pointer, rules, root=root)


def _list_type(run: _Run, schema: Mapping[str, Any], value: list[Any], pointer: str) -> None:
    # listtype/validation.go: validateListSetsAndMaps (engine/listtypes.py).
    for index, rule, shown in list_duplicates(value, schema):
        run.findings.append(
            run.document.finding(join_pointer(pointer, index), rule, f"Duplicate value: {shown}")
        )


def _embedded(document: Document, value: dict[str, Any], pointer: str) -> list[Finding]:
    # objectmeta/validation.go, validateEmbeddedResource: apiVersion and kind are required;
    # metadata is optional and checked as ObjectMeta with a fake name when it has none and a
    # namespace only when one is set (metadata.py's `embedded=True` mode). Imported here so
    # this module loads on its own.
    findings: list[Finding] = []
    api_version = value.get("apiVersion")
    kind = value.get("kind")
    version_pointer = join_pointer(pointer, "apiVersion")
    kind_pointer = join_pointer(pointer, "kind")
    if "apiVersion" not in value:
        findings.append(
            document.finding(version_pointer, "embedded.apiversion", "Required value: must not be empty")
        )
    elif not isinstance(api_version, str):
        findings.append(
            document.finding(version_pointer, "embedded.apiversion", "Invalid value: must be a string")
        )
    elif not api_version:
        findings.append(
            document.finding(version_pointer, "embedded.apiversion", 'Invalid value: "": must not be empty')
        )
    elif parse_group_version(api_version) is None or api_version.startswith("/") or api_version.endswith("/"):
        findings.append(
            document.finding(
                version_pointer,
                "embedded.apiversion",
                f'Invalid value: "{api_version}": unexpected GroupVersion string: {api_version}',
            )
        )
    if "kind" not in value:
        findings.append(document.finding(kind_pointer, "embedded.kind", "Required value: must not be empty"))
    elif not isinstance(kind, str):
        findings.append(document.finding(kind_pointer, "embedded.kind", "Invalid value: must be a string"))
    elif not kind:
        findings.append(
            document.finding(kind_pointer, "embedded.kind", 'Invalid value: "": must not be empty')
        )
    elif not re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", kind.lower()) or len(kind) > 63:
        findings.append(
            document.finding(
                kind_pointer,
                "embedded.kind",
                f'Invalid value: "{kind}": may have mixed case, but should otherwise match: '
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                "alphabetic character, and end with an alphanumeric character",
            )
        )
    if "metadata" in value:
        from mkdocs_appreg.engine.metadata import validate_object_meta  # type: ignore[import-not-found,unused-ignore]

        findings.extend(
            validate_object_meta(document, join_pointer(pointer, "metadata"), namespaced=True, embedded=True)
        )
    return findings


# --- CEL ----------------------------------------------------------------------------------------


def _evaluate_rules(
    run: _Run, schema: Mapping[str, Any], value: Any, pointer: str, rules: list[CompiledRule], *, root: bool
) -> None:
    # schema/cel/validation.go, Validator.validateExpressions.
    if run.out_of_budget:
        return
    self_value: Any = None
    converted = False
    for rule in rules:
        expression = rule.expression
        if expression is None:
            continue  # a CRD error, reported by check_schema
        if expression.uses_old_self and not rule.optional_old_self:
            continue  # a transition rule: the server runs it only on update
        if expression.unsupported:
            key = rule.pointer
            if run.options.cel_unchecked == "warning" and key not in run.unchecked:
                run.unchecked.add(key)
                run.findings.append(
                    run.document.finding(
                        pointer,
                        "cel.unchecked",
                        f"rule not checked, uses CEL functions this tool cannot evaluate "
                        f"({', '.join(expression.unsupported)}): {rule.rule}",
                        "warning",
                    )
                )
            continue
        if not converted:
            self_value = to_cel(value, schema, root=root)
            converted = True
        variables: dict[str, Any] = {"self": self_value}
        if expression.uses_old_self:
            variables["oldSelf"] = _cel().optional_none()  # create: there is no old object
        work_budget = min(_ENGINE_WORK_LIMIT, run.work_remaining)
        planned = _planned_work(expression.source, variables)
        if planned is None or planned[0] > work_budget:
            _unchecked_for_work(run, pointer, rule, None if planned is None else planned[0], work_budget)
            continue
        budget = min(run.options.per_rule_cost_budget, run.remaining)
        outcome = _cel().evaluate(
            expression, variables, budget=budget, work_budget=work_budget - planned[0], site_work=planned[1]
        )
        run.remaining -= outcome.cost
        run.work_remaining -= planned[0] + outcome.work
        if outcome.work_exceeded:
            _unchecked_for_work(run, pointer, rule, planned[0] + outcome.work, work_budget)
            continue
        type_name = _type_name(schema)
        if outcome.cost_exceeded:
            if run.remaining <= 0 or budget < run.options.per_rule_cost_budget:
                run.out_of_budget = True
                message = "validation failed due to running out of cost budget, no further validation rules will be run"
            else:
                message = f"call cost exceeds limit for rule: {_rule_string(rule)}"
            run.findings.append(
                run.document.finding(pointer, "cel.cost", f'Invalid value: "{type_name}": {message}')
            )
            if run.out_of_budget:
                return
            continue
        if outcome.error is not None:
            run.findings.append(
                run.document.finding(
                    pointer,
                    "cel.invalid",
                    f'Invalid value: "{type_name}": {_rule_string(rule)}: {outcome.error}',
                )
            )
            continue
        if outcome.value is True:
            continue
        if outcome.value is not False:
            run.findings.append(
                run.document.finding(
                    pointer,
                    "cel.invalid",
                    f'Invalid value: "{type_name}": {_rule_string(rule)}: rule did not evaluate to a bool',
                )
            )
            continue
        message = _failure_message(run, rule, variables)
        rule_id, prefix = _REASONS[rule.reason]
        target = pointer
        for step in rule.field_path:
            target = join_pointer(target, step)
        if prefix == "Invalid value":
            text = f'{prefix}: "{type_name}": {message}'
        elif prefix == "Duplicate value":
            text = f'{prefix}: "{message}"'
        else:
            text = f"{prefix}: {message}"
        run.findings.append(run.document.finding(target, rule_id, text))


def _planned_work(source: str, variables: Mapping[str, Any]) -> tuple[int, dict[int, int]] | None:
    """The engine's work for `source` on these variables (celcost.engine_work), before it runs.

    None when it cannot be bounded: the estimator does not read a rule that has a comprehension.
    A rule with neither a comprehension nor a `+` does work linear in what it reads: (0, {}).
    """
    from mkdocs_appreg.engine import celcost

    tree = celcost.parse(source)
    if tree is None:
        return None if _MACRO_CALL.search(source) else (0, {})
    if not celcost.may_grow(tree):
        return 0, {}
    return celcost.engine_work(tree, variables)


def _unchecked_for_work(run: _Run, pointer: str, rule: CompiledRule, work: int | None, budget: int) -> None:
    # Not an error: the API server, whose engine does not copy, may well run the rule in
    # budget. But it was not checked, and a hostile rule must not stall the build to find out.
    key = f"{rule.pointer}#work"
    if run.options.cel_unchecked != "warning" or key in run.unchecked:
        return
    run.unchecked.add(key)
    if work is None:
        why = "appreg cannot bound the work of this rule (its cost estimator does not read it)"
    else:
        why = (
            f"on this object it needs more than appreg's budget of {budget:,} value copies in the "
            "CEL engine (estimated; the engine copies what a rule selects, each comprehension item, "
            "and a map or filter result at each item)"
        )
    run.findings.append(
        run.document.finding(pointer, "cel.unchecked", f"rule not checked: {why}: {rule.rule}", "warning")
    )


def _failure_message(run: _Run, rule: CompiledRule, variables: Mapping[str, Any]) -> str:
    # validation.go: messageExpression wins when it yields a non-empty one-line string;
    # otherwise `message`, otherwise "failed rule: <rule>".
    expression = rule.message_expression
    planned = (
        _planned_work(expression.source, variables)
        if expression is not None and not expression.unsupported
        else None
    )
    work_budget = min(_ENGINE_WORK_LIMIT, run.work_remaining)
    if expression is not None and planned is not None and planned[0] <= work_budget:
        budget = min(run.options.per_rule_cost_budget, run.remaining)
        outcome = _cel().evaluate(
            expression, variables, budget=budget, work_budget=work_budget - planned[0], site_work=planned[1]
        )
        run.remaining -= outcome.cost
        run.work_remaining -= planned[0] + outcome.work
        text = outcome.value
        if outcome.error is None and isinstance(text, str) and text.strip() and "\n" not in text:
            return text.strip()
    if rule.message:
        return rule.message
    return f"failed rule: {_rule_string(rule)}"


def _rule_string(rule: CompiledRule) -> str:
    return rule.message or rule.rule.strip()


def _type_name(schema: Mapping[str, Any]) -> str:
    value = schema.get("type")
    return value if isinstance(value, str) else ""


def escape_property_name(name: str) -> str | None:
    """`name` as CEL sees a schema property (k8s.io/apiserver/pkg/cel/escaping.go, Escape).

    Returns None when the name cannot be escaped; the server leaves such fields out of `self`.
    """
    if name in _CEL_RESERVED:
        return f"__{name}__"
    if _identifier().match(name) and "__" not in name:
        return name
    if not _escapable().match(name):
        return None
    escaped = name.replace("__", "__underscores__")
    return escaped.replace(".", "__dot__").replace("-", "__dash__").replace("/", "__slash__")


def to_cel(value: Any, schema: Any, *, root: bool = False) -> Any:
    """The object as the server's CEL sees it (k8s.io/apiserver/pkg/cel/common/values.go).

    Declared properties are escaped, `type: number` integers become doubles, and at the root
    `metadata` holds only `name` and `generateName` (the only ObjectMeta fields rules may read).
    """
    schema = schema if isinstance(schema, Mapping) else {}
    if isinstance(value, dict):
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        additional = schema.get("additionalProperties")
        converted: dict[str, Any] = {}
        for key, child in value.items():
            if root and key == "metadata" and isinstance(child, dict):
                converted[key] = {k: child[k] for k in ("name", "generateName") if k in child}
            elif key in properties:
                name = escape_property_name(key)
                if name is not None:
                    converted[name] = to_cel(child, properties[key])
            else:
                converted[key] = to_cel(child, additional if isinstance(additional, Mapping) else None)
        return converted
    if isinstance(value, list):
        items = schema.get("items")
        return [to_cel(item, items) for item in value]
    if schema.get("type") == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
