"""Duplicates in a list typed `x-kubernetes-list-type: set` or `map`: one rule for CRDs and built-in kinds.

k8s.io/apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go
(`validateListSetsAndMaps`): one pass with a hash of what was seen, items compared as
unstructured values (reflect.DeepEqual: 1, 1.0 and true are different values). A CRD's list
reports its duplicates as errors (schema_extensions.py); a built-in kind's as warnings after
the keys' defaults (corewalk.py). Kept light: the built-in kinds' walk runs on `appreg validate`'s
start-up path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

LIST_DUPLICATE_RULE = "list.duplicate"
LIST_DUPLICATE_KEY_RULE = "list.duplicate-key"


def list_duplicates(
    value: list[Any], schema: Mapping[str, Any], key_defaults: Mapping[str, Any] | None = None
) -> Iterator[tuple[int, str, str]]:
    """`(index, rule, shown)` for each item of `value` that repeats an earlier one.

    `key_defaults`, for a built-in kind: a map key's default stands in for a missing key
    (`protocol: TCP`), the shown key includes it, and an item still missing a key is skipped
    (server-side apply refuses that, not as a duplicate). Without it (a CRD) a missing key is a
    null, and only the keys written are shown.
    """
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "set":
        seen: set[Any] = set()
        for index, item in enumerate(value):
            key = _hashable(item)
            if key in seen:
                yield index, LIST_DUPLICATE_RULE, show(item)
            seen.add(key)
    elif list_type == "map":
        keys = schema.get("x-kubernetes-list-map-keys")
        if not isinstance(keys, list) or not keys:
            return
        seen_keys: set[Any] = set()
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            if key_defaults is None:
                values = {name: item.get(name) for name in keys}
                shown = {name: item[name] for name in keys if name in item}
            else:
                values = shown = {name: item.get(name, key_defaults.get(name)) for name in keys}
                if any(v is None for v in values.values()):
                    continue
            key = tuple(_hashable(v) for v in values.values())
            if key in seen_keys:
                yield index, LIST_DUPLICATE_KEY_RULE, show(shown)
            seen_keys.add(key)


def _hashable(value: Any) -> Any:
    # Unstructured equality: 1, 1.0 and true are different values (reflect.DeepEqual).
    if isinstance(value, (dict, list)):
        return ("json", json.dumps(value, sort_keys=True, default=str))
    return (type(value).__name__, value)


def show(value: Any) -> str:
    """A value as a finding quotes it (JSON, keys sorted)."""
    return json.dumps(value, sort_keys=True, default=str)
