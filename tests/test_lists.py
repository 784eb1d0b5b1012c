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
