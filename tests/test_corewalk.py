"""Quantities parsed as resource.ParseQuantity parses them, and the walk along built-in kind schemas.

The case files (tests/cases/core/pod) cover the findings with their positions; this module
covers the parser's corners, from k8s.io/apimachinery pkg/api/resource/quantity.go.
"""

from __future__ import annotations

import pytest

from mkdocs_appreg.engine.corewalk import quantity_problem
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.site.check import core_schemas, validate_stream

VALID = [
    "0", "-0", "+000", "1", "500m", "1.5Gi", "2e9", "1E", "1e-3", "1E+6", "+.5", "1.", ".5",
    " 128Mi ", "100n", "3u", "7k", "1Ki", "1Ei", "12345678901234567890", "1.5e-20",
    # quirks of parseQuantityString: no digits before a suffix means zero
    "M", "Gi", ".",
]  # fmt: skip
INVALID = [
    ("", "regular expression"),
    ("   ", "regular expression"),
    ("512MB", "regular expression"),
    ("1x", "regular expression"),
    ("1 Gi", "regular expression"),
    ("1.2.3", "regular expression"),
    ("--1", "suffix"),  # the second sign starts the suffix "-1", which is none
    ("1ki", "suffix"),
    ("1e", "suffix"),
    ("1Mii", "suffix"),
    ("1e99999999999999999999", "suffix"),
    (".e-10", "numeric"),
]


@pytest.mark.parametrize("text", VALID)
def test_quantities_that_parse(text: str) -> None:
    assert quantity_problem(text) is None


@pytest.mark.parametrize(("text", "fragment"), INVALID)
def test_quantities_that_do_not(text: str, fragment: str) -> None:
    problem = quantity_problem(text)
    assert problem is not None and fragment in problem


def test_the_walk_follows_aliases_once_and_skips_metadata() -> None:
    # A shared (aliased) resources block is walked once per schema, and metadata is metadata.py's.
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {memory: 1x}\nspec:\n"
        "  containers:\n  - name: a\n    image: i\n    resources: &r {requests: {memory: 1x}}\n"
        "  - name: b\n    image: i\n    resources: *r\n"
    )
    findings, _ = validate_stream(text, "p.yaml", SchemaRegistry.builtin(), core_schemas(None))
    assert [(f.rule, f.path) for f in findings] == [
        ("core.quantity", "/spec/containers/0/resources/requests/memory")
    ]


def test_a_recursive_definition_is_walked_where_it_leads_to_a_list_type() -> None:
    # JSONSchemaProps refers to itself, so the walk's "is there anything below" cache meets
    # cycles: a CRD shown in the docs still has its nested rule list checked, and the walk ends.
    text = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        "  name: gauges.test.example.com\nspec:\n  group: test.example.com\n"
        "  names: {kind: Gauge, plural: gauges}\n  scope: Namespaced\n  versions:\n"
        "  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
        "        type: object\n        properties:\n          spec:\n            type: object\n"
        "            properties:\n              level:\n                type: integer\n"
        "                x-kubernetes-validations: [{rule: self > 0}, {rule: self > 0}]\n"
    )
    findings, _ = validate_stream(text, "c.yaml", SchemaRegistry.builtin(), core_schemas(None))
    assert [(f.rule, f.severity) for f in findings] == [("list.duplicate-key", "warning")]
    assert findings[0].path.endswith("/properties/level/x-kubernetes-validations/1")
