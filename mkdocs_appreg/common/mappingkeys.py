"""Which keys of one YAML mapping are duplicates: the one rule of the validator and the vars file.

The two readers resolve keys differently, on purpose: the validator (engine/documents.py) turns a
key into the JSON object key kubectl sends (go-yaml v2, then sigs.k8s.io/yaml: `y` and `true`
are both "true"), the vars file (rendering/varsfile.py) into the Python value Jinja sees
(PyYAML: `1`, `1.0` and `true` are equal). What a duplicate is, given the resolved keys, is the
same for both and is written here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def repeated_keys(keys: Iterable[Any]) -> Iterator[tuple[int, int]]:
    """The duplicates among a mapping's resolved keys, in order.

    A key is a duplicate when it equals (and hashes like) an earlier key of the same mapping.
    It is reported against the latest earlier one (the validator's `mapping key "x" already
    defined at line N`); for the first duplicate of a mapping, the one the vars file reports,
    that is also the first occurrence. A key that cannot be hashed is no duplicate
    here: each reader refuses it on its own terms.

    Args:
        keys: The mapping's keys as its reader resolves them, in document order. Read lazily:
            the vars file stops at the first duplicate, before resolving (and maybe failing on)
            the keys after it.

    Yields:
        `(position, earlier position)` of every duplicate, by position.
    """
    latest: dict[Any, int] = {}
    for position, key in enumerate(keys):
        try:
            earlier = latest.get(key)
            latest[key] = position
        except TypeError:  # unhashable
            continue
        if earlier is not None:
            yield position, earlier
