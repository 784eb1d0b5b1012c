"""coregate.py: the plain-Python gate never calls valid what jsonschema calls invalid.

Checked on every built-in-kind document of the case files and fixtures, and on mutations of
them (each leaf retyped, nulled, each mapping given an unknown key, each required member
removed), against `jsonschema` with the same partial definitions `corekinds` gives it. The gate
must also say "valid" for the valid documents, or it would save nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
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


def _checkers(instance: dict[str, Any]) -> tuple[Any, jsonschema.Draft202012Validator]:
    core = CoreSchemas(VERSION)
    compiled = core._validator(instance["apiVersion"], instance["kind"])
    assert compiled is not None
    resource = DRAFT202012.create_resource(compiled.definitions)
    registry: Registry[Any] = Registry().with_resource(
        "https://kubernetes.io/api/_definitions.json", resource
    )
    gate = corekinds._gate(VERSION).compile(compiled.schema)
    return gate, jsonschema.Draft202012Validator(compiled.schema, registry=registry)


def test_there_are_documents_of_many_kinds() -> None:
    assert len({instance["kind"] for _, instance in INSTANCES}) >= 10


@pytest.mark.parametrize(("name", "instance"), INSTANCES, ids=[name for name, _ in INSTANCES])
def test_the_gate_agrees_with_jsonschema(name: str, instance: dict[str, Any]) -> None:
    gate, detail = _checkers(instance)
    valid = detail.is_valid(instance)
    # Exact on the documents themselves: valid ones pass the gate (or it saves nothing).
    assert gate(instance) == valid, name
    for mutated in _mutations(instance.get("spec", instance)):
        candidate = {**instance, "spec": mutated} if "spec" in instance else mutated
        if not isinstance(candidate, dict):
            continue
        if gate(candidate):
            assert detail.is_valid(candidate), (name, candidate)


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
