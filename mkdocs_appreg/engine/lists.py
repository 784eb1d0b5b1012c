"""`kind: List` (and any `*List` kind): each item is a resource of its own, as `kubectl apply` sees it.

kubectl decodes a document with an `items` field as a list (k8s.io/apimachinery
pkg/apis/meta/v1/unstructured `unstructuredJSONScheme.decode`: an `items` key means
`UnstructuredList`) and applies every item (k8s.io/cli-runtime pkg/resource `FlattenListVisitor`).
Nothing validates the list itself: `v1 List` has no schema on the server. So each item is
validated as a resource, and its findings carry the item's path (`/items/3/spec/...`) and lines.
"""

from __future__ import annotations

from collections.abc import Callable

from yaml.nodes import MappingNode, SequenceNode

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.describe import json_type
from mkdocs_appreg.engine.documents import Document, join_pointer, mapping_entry

LIST_ITEMS_RULE = "resource.list-items"


def is_list(document: Document) -> bool:
    """A `*List` kind with an `items` field: kubectl applies its items, not the list."""
    value = document.value
    return isinstance(value, dict) and document.kind.endswith("List") and "items" in value


def list_items(document: Document) -> tuple[list[tuple[str, Document]], list[Finding]]:
    """The items of a list document as documents of their own, with their pointers.

    Returns:
        `(pointer, item)` pairs in order, and the findings about the list's shape (`items` that
        is not a list: kubectl's `cannot unmarshal ... of type []interface {}`).
    """
    items = document.value["items"]
    if items is None:
        return [], []  # `items: null` decodes to an empty list
    if not isinstance(items, list):
        message = f"items must be a list of resources, not {json_type(items)}"
        return [], [document.finding("/items", LIST_ITEMS_RULE, message)]
    entry = mapping_entry(document.node, "items") if isinstance(document.node, MappingNode) else None
    nodes = entry[1].value if entry is not None and isinstance(entry[1], SequenceNode) else []
    found: list[tuple[str, Document]] = []
    for position, item in enumerate(items):
        node = nodes[position] if position < len(nodes) else document.node
        item_document = Document(
            document.file, document.index, item, node, document.line_offset, document.column_offset
        )
        found.append((join_pointer("/items", position), item_document))
    return found, []


def validate_list(document: Document, validate: Callable[[Document], list[Finding]]) -> list[Finding]:
    """Every item of a list document validated by `validate`, its findings under the item's path."""
    items, findings = list_items(document)
    for pointer, item in items:
        for finding in validate(item):
            findings.append(Finding(**{**finding.as_dict(), "path": pointer + finding.path}))
    return findings
