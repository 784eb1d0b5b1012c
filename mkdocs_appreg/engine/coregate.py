"""A yes/no check of a built-in kind's resource against its schema, in plain Python.

`corekinds` explains a failure with the `jsonschema` library, whose import and validator
construction cost `appreg validate` on one small file more than parsing it (bench/README.md,
sixth round). Most resources are valid, and a valid one needs no explanation: this gate answers
"valid" for them without that library, and `corekinds` asks `jsonschema` only about the rest.

The gate must never say "valid" where `jsonschema` (Draft 2020-12, no format checker, as
`corekinds` runs it) finds an error; it may say "not valid" where `jsonschema` finds none, which
only costs the detail pass (its findings, none, are the answer). So it is exact where that
matters and errs towards "not valid" elsewhere:

- `type` as jsonschema's type checker has it (a bool is no integer; `1.0` is an integer);
- `enum`: a member equal to the value and of its type (`1` against `[1.0]` is left to jsonschema);
- `properties`, `additionalProperties`, `required` on objects, `items` on arrays, `$ref` into
  the release's `$defs` (compiled on first use, so a recursive definition is fine);
- `oneOf` only when every branch is a bare `type`, which it decides exactly (IntOrString,
  Quantity), so "exactly one branch" is counted right;
- annotations (`description`, `format`, which is not asserted without a format checker,
  `x-kubernetes-*`, ...) are ignored; any other keyword makes the kind's schema undecided
  (`Undecided`), and `corekinds` uses `jsonschema` for it alone.

The keywords of the shipped schemas (Kubernetes 1.25-1.37) are all of the first kind;
`tests/test_coregate.py` checks the gate against jsonschema on the case files and on mutations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {
        "description",
        "format",
        "title",
        "default",
        "example",
        "examples",
        "deprecated",
        "$comment",
        "$id",
        "$schema",
    }
)
_HANDLED = frozenset(
    {"type", "enum", "properties", "additionalProperties", "required", "items", "$ref", "oneOf"}
)
# jsonschema's type names and the Python types of a parsed document that are exactly that type
# (bool is its own Python type, so `type(True) is int` is false, as "a bool is no integer" wants).
_EXACT = {"string": str, "object": dict, "array": list, "boolean": bool, "null": type(None)}
_DEFS_MARK = "#/$defs/"


class Undecided(Exception):
    """The schema uses a keyword the gate does not decide: validate with jsonschema instead."""


def _type_check(names: frozenset[str]) -> Check:
    exact = frozenset(_EXACT[name] for name in names if name in _EXACT)
    number = "number" in names
    integer = "integer" in names

    def check(value: Any) -> bool:
        kind = type(value)
        if kind in exact:
            return True
        if kind is int:
            return number or integer
        if kind is float:
            return number or (integer and value.is_integer())
        return False

    return check


class Gate:
    """Compiles schemas of one release into checks; definitions are compiled once, on first use.

    Args:
        definitions: The release's `$defs` by name (`corekinds.Definitions`).
    """

    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self._definitions = definitions
        self._refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        """A check of `schema`.

        Raises:
            Undecided: `schema` (not what it references, which is compiled when first reached)
                uses a keyword the gate does not decide.
        """
        if not isinstance(schema, dict):
            raise Undecided(f"a schema that is a {type(schema).__name__}")
        for key in schema:
            if key not in _HANDLED and key not in _ANNOTATIONS and not key.startswith("x-kubernetes-"):
                raise Undecided(key)
        checks: list[Check] = []
        names = schema.get("type")
        if names is not None:
            listed = [names] if isinstance(names, str) else names
            if not isinstance(listed, list) or not all(
                n in _EXACT or n in ("number", "integer") for n in listed
            ):
                raise Undecided(f"type {names!r}")
            checks.append(_type_check(frozenset(listed)))
        if "enum" in schema:
            checks.append(_enum_check(schema["enum"]))
        if "oneOf" in schema:
            checks.append(self._one_of(schema["oneOf"]))
        if "$ref" in schema:
            checks.append(self._ref(schema["$ref"]))
        object_check = self._object(schema)
        if object_check is not None:
            checks.append(object_check)
        if "items" in schema:
            items = self.compile(schema["items"])
            checks.append(lambda value: type(value) is not list or all(items(item) for item in value))
        if not checks:
            return lambda value: True
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda value: first(value) and second(value)
        return lambda value: all(check(value) for check in checks)

    def _object(self, schema: dict[str, Any]) -> Check | None:
        properties = schema.get("properties")
        additional = schema.get("additionalProperties", True)
        required = schema.get("required", [])
        if properties is None and additional is True and not required:
            return None
        if not isinstance(properties or {}, dict) or not isinstance(required, list):
            raise Undecided("properties or required of an unexpected shape")
        known = {name: self.compile(sub) for name, sub in (properties or {}).items()}
        needed = tuple(required)
        if additional is False:
            extra: Check | None = None
            closed = True
        elif additional is True:
            extra, closed = None, False
        else:
            extra, closed = self.compile(additional), False

        def check(value: Any) -> bool:
            if type(value) is not dict:
                return True  # only objects: `type` says what else is allowed
            for name in needed:
                if name not in value:
                    return False
            for name, member in value.items():
                sub = known.get(name)
                if sub is not None:
                    if not sub(member):
                        return False
                elif closed or (extra is not None and not extra(member)):
                    return False
            return True

        return check

    def _one_of(self, branches: Any) -> Check:
        if not isinstance(branches, list) or not branches:
            raise Undecided("oneOf")
        checks = []
        for branch in branches:
            if not isinstance(branch, dict) or set(branch) - {"type"} - _ANNOTATIONS:
                raise Undecided("a oneOf branch that is more than a type")
            checks.append(self.compile(branch))
        return lambda value: sum(1 for check in checks if check(value)) == 1

    def _ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or _DEFS_MARK not in ref:
            raise Undecided(f"$ref {ref!r}")
        name = ref.rpartition(_DEFS_MARK)[2]
        refs = self._refs

        def check(value: Any) -> bool:
            target = refs.get(name)
            if target is None:
                if name not in self._definitions:
                    raise Undecided(f"$ref {ref!r} has no definition")
                target = refs[name] = self.compile(self._definitions[name])
            return target(value)

        return check


def _enum_check(members: Any) -> Check:
    if not isinstance(members, list):
        raise Undecided("enum")
    # Hashable members by (type, value): `True` and `1` are equal in Python and not in JSON.
    allowed = frozenset((type(m), m) for m in members if isinstance(m, (str, int, float, bool, type(None))))

    def check(value: Any) -> bool:
        try:
            return (type(value), value) in allowed
        except TypeError:  # an unhashable value (a list, a mapping): jsonschema decides
            return False

    return check
