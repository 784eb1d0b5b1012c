"""`kind: List` through the whole of `appreg validate` (built-in kinds included), in kubectl-validate's
spirit (testcases/manifests/list_configmaps_valid.yaml, list_configmaps_invalid.yaml)."""

from __future__ import annotations

from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.site.check import core_schemas, validate_stream

CONFIGMAPS = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: first
  data:
    key: value
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: NAME
  data:
    key: 1
"""


def test_a_list_of_configmaps_is_validated_item_by_item() -> None:
    findings, count = validate_stream(CONFIGMAPS, "list.yaml", SchemaRegistry.builtin(), core_schemas(None))
    assert count == 1
    found = {(f.rule, f.path, f.line) for f in findings}
    assert ("meta.name", "/items/1/metadata/name", 13) in found, findings
    assert ("schema.type", "/items/1/data/key", 15) in found, findings
    assert all(f.path.startswith("/items/1/") for f in findings), findings


def test_an_empty_list_is_valid() -> None:
    findings, _ = validate_stream(
        "apiVersion: v1\nkind: List\nitems: []\n", "l.yaml", SchemaRegistry.builtin(), None
    )
    assert findings == []


def test_a_list_inside_a_list_is_flattened() -> None:
    # kubectl-validate's testcases/manifests/list_nested_invalid.yaml, in spirit.
    text = (
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: Bad_Name\n"
    )
    findings, _ = validate_stream(text, "l.yaml", SchemaRegistry.builtin(), core_schemas(None))
    assert [(f.rule, f.path, f.line) for f in findings] == [
        ("meta.name", "/items/0/items/0/metadata/name", 10)
    ]
