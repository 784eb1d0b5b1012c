"""coregate.py: the plain-Python gate never calls valid what jsonschema calls invalid.

Checked on every built-in-kind document of the case files and fixtures, and on mutations of
them (each leaf retyped, nulled, each mapping given an unknown key, each required member
removed), against `jsonschema` with the same partial definitions `corekinds` gives it. The gate
must also say "valid" for the valid documents, or it would save nothing. Over the mutations,
jsonschema remembers which keywords passed on the parts a mutation leaves unchanged
(`_remembering`; its errors are checked equal to plain jsonschema's).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema.protocols import Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from mkdocs_appreg.engine import corekinds
from mkdocs_appreg.engine.coregate import Gate, Undecided
from mkdocs_appreg.engine.corekinds import CoreSchemas
from mkdocs_appreg.engine.documents import parse_documents

TESTS = Path(__file__).parent
VERSION = "1.37"


def _instances() -> list[tuple[str, dict[str, Any]]]:
    core = CoreSchemas(VERSION)
    found = []
    for path in sorted([*TESTS.glob("cases/**/*.yaml"), *TESTS.glob("fixtures/**/*.yaml")]):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for document in parse_documents(text, path.name).documents:
            if isinstance(document.value, dict) and core.knows(document.api_version, document.kind):
                instance = {k: v for k, v in document.value.items() if k != "metadata"}
                found.append((f"{path.relative_to(TESTS)}#{document.index}", instance))
    return found


INSTANCES = _instances()


def _mutations(value: Any) -> Iterator[Any]:
    """Copies of `value` with one change each, at every depth."""
    if isinstance(value, dict):
        yield {**value, "unknownFieldX": 1}
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            for changed in _mutations(value[key]):
                yield {**value, key: changed}
    elif isinstance(value, list):
        yield [*value, value[0]] if value else [None]
        for position, item in enumerate(value):
            for changed in _mutations(item):
                yield [*value[:position], changed, *value[position + 1 :]]
    for other in (None, True, 1, 1.5, 2.0, "x", "", [], {}):
        if type(other) is not type(value) or other != value:
            yield other


DEFINITIONS = "https://kubernetes.io/api/_definitions.json"


def _checkers(instance: dict[str, Any]) -> tuple[Any, jsonschema.Draft202012Validator]:
    core = CoreSchemas(VERSION)
    compiled = core._validator(instance["apiVersion"], instance["kind"])
    assert compiled is not None
    resource = DRAFT202012.create_resource(compiled.definitions)
    registry: Registry[Any] = Registry().with_resource(DEFINITIONS, resource)
    gate = corekinds._gate(VERSION).compile(compiled.schema)
    return gate, jsonschema.Draft202012Validator(compiled.schema, registry=registry)


def test_there_are_documents_of_many_kinds() -> None:
    assert len({instance["kind"] for _, instance in INSTANCES}) >= 10


def _remembering(detail: jsonschema.Draft202012Validator, instance: Any) -> Validator:
    """`detail`, with each keyword's "no error" remembered for the parts of `instance`.

    A mutation shares every part it does not change with `instance` (the same objects), and
    jsonschema checks those parts again under the same subschemas for each mutation: the oracle
    cost grows with the document's size times its number of mutations. A keyword function's errors
    depend only on its arguments (the subschema that holds it, the instance part) and on the
    resolver's base URI, which `$ref` resolves against; the dynamic scope matters only to
    `$dynamicRef`/`$recursiveRef`, which the schemas do not use (checked). So when a keyword gave no
    error for a part of `instance` once, it gives none again, and is not run: the verdicts and the
    errors are jsonschema's own (test_the_remembering_oracle_is_jsonschema checks it on every
    mutation, invalid ones included). Only parts of `instance` are remembered: they stay alive
    while `instance` does, so their `id` cannot be reused by a mutation's new objects.
    """
    registry = detail._registry  # what `_checkers` gave it
    schemas = repr((detail.schema, registry.contents(DEFINITIONS)))
    assert "$dynamicRef" not in schemas and "$recursiveRef" not in schemas
    parts: dict[int, Any] = {}
    stack = [instance]
    while stack:
        value = stack.pop()
        if isinstance(value, (dict, list)):
            parts[id(value)] = value
            stack.extend(value.values() if isinstance(value, dict) else value)
    clean: dict[tuple[str, int, int, str], Any] = {}  # holds the subschema: its `id` stays its own

    def remembered(keyword: str, function: Any) -> Any:
        def check(validator: Any, value: Any, part: Any, schema: Any) -> Iterator[Any]:
            if id(part) not in parts:
                yield from function(validator, value, part, schema) or ()
                return
            key = (keyword, id(schema), id(part), validator._resolver._base_uri)
            if key in clean:
                return
            failed = False
            for error in function(validator, value, part, schema) or ():
                failed = True
                yield error
            if not failed:
                clean[key] = schema

        return check

    base = jsonschema.Draft202012Validator
    validators = {keyword: remembered(keyword, f) for keyword, f in base.VALIDATORS.items()}
    cls = jsonschema.validators.extend(base, validators)
    return cls(detail.schema, registry=registry)


@pytest.mark.parametrize(("name", "instance"), INSTANCES, ids=[name for name, _ in INSTANCES])
def test_the_gate_agrees_with_jsonschema(name: str, instance: dict[str, Any]) -> None:
    gate, detail = _checkers(instance)
    valid = detail.is_valid(instance)
    # Exact on the documents themselves: valid ones pass the gate (or it saves nothing).
    assert gate(instance) == valid, name
    oracle = _remembering(detail, instance)
    for mutated in _mutations(instance.get("spec", instance)):
        candidate = {**instance, "spec": mutated} if "spec" in instance else mutated
        if not isinstance(candidate, dict):
            continue
        if gate(candidate):
            assert oracle.is_valid(candidate), (name, candidate)


@pytest.mark.parametrize(
    "name", ["cases/core/pod/valid/pod-spec-rules.yaml#1", "cases/core/crd/valid/gauges.yaml#0"]
)
def test_the_remembering_oracle_is_jsonschema(name: str) -> None:
    # Every mutation, valid or not: the same errors (message, place in the instance and in the
    # schema), in the same order, as jsonschema without the memory.
    instance = dict(INSTANCES)[name]
    _, detail = _checkers(instance)
    oracle = _remembering(detail, instance)
    verdicts = set()
    for mutated in _mutations(instance.get("spec", instance)):
        candidate = {**instance, "spec": mutated} if "spec" in instance else mutated
        expected = [
            (e.message, list(e.absolute_path), list(e.absolute_schema_path))
            for e in detail.iter_errors(candidate)
        ]
        got = [
            (e.message, list(e.absolute_path), list(e.absolute_schema_path))
            for e in oracle.iter_errors(candidate)
        ]
        assert got == expected, candidate
        verdicts.add(not expected)
    assert verdicts == {True, False}


def test_null_in_an_int_or_string_is_left_to_jsonschema() -> None:
    # Both branches of IntOrString allow null, so oneOf fails: the gate must not call it valid.
    gate, detail = _checkers({"apiVersion": "v1", "kind": "Service"})
    service = {"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": None}]}}
    assert not detail.is_valid(service)
    assert not gate(service)
    service["spec"]["ports"][0]["targetPort"] = "http"
    assert gate(service) and detail.is_valid(service)


def test_bools_are_no_integers_and_whole_floats_are() -> None:
    gate, detail = _checkers({"apiVersion": "apps/v1", "kind": "Deployment"})
    for replicas, expected in ((True, False), (2.0, True), (2.5, False), ("2", False), (None, True)):
        spec = {"selector": {"matchLabels": {"app": "a"}}, "template": {}, "replicas": replicas}
        deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "spec": spec}
        assert detail.is_valid(deployment) is expected, list(detail.iter_errors(deployment))
        assert gate(deployment) is expected


def test_an_unknown_keyword_is_undecided() -> None:
    gate = Gate({"a": {"type": "string", "pattern": "^x"}})
    with pytest.raises(Undecided):
        gate.compile({"minLength": 1})
    lazy = gate.compile({"properties": {"x": {"$ref": "#/$defs/a"}}})
    assert lazy({"y": 1})  # the definition is not reached
    with pytest.raises(Undecided):
        lazy({"x": "x"})


def test_without_the_gate_the_findings_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (TESTS / "fixtures" / "checks" / "core-invalid.yaml").read_text(encoding="utf-8")
    documents = parse_documents(text, "core-invalid.yaml").documents
    with_gate = [f for d in documents for f in CoreSchemas("1.31").validate(d) or []]
    monkeypatch.setattr(corekinds._Compiled, "is_valid", lambda self, instance: False)
    without = [f for d in documents for f in CoreSchemas("1.31").validate(d) or []]
    assert with_gate == without and with_gate


def test_a_schema_the_gate_cannot_decide_gets_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    # Then jsonschema-rs (when installed) or jsonschema alone answers "valid".
    text = (TESTS / "fixtures" / "checks" / "core-valid.yaml").read_text(encoding="utf-8")
    text += (TESTS / "fixtures" / "checks" / "core-invalid.yaml").read_text(encoding="utf-8")
    documents = parse_documents(text, "core.yaml").documents
    with_gate = [f for d in documents for f in CoreSchemas("1.30").validate(d) or []]

    def undecided(self: Gate, schema: Any) -> Any:
        raise Undecided("as if")

    monkeypatch.setattr(Gate, "compile", undecided)
    without = [f for d in documents for f in CoreSchemas("1.30").validate(d) or []]
    assert with_gate == without and with_gate
