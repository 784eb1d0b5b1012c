"""Generated corpora of valid resources: from real CRD schemas, and a synthetic one.

`crd_templates` turns each served version of each CRD into one valid resource: required fields,
then optional fields the generator can fill (enums, defaults, formats, bounds), and keeps only
what `mkdocs_appreg` itself accepts without an error (a pattern or a CEL rule the generator cannot
satisfy drops the optional field, then the resource). `write_corpus` then writes N resources,
cycling over the templates with distinct names, `per_file` documents per file.

The synthetic corpus (Registry, Catalog, Secret: the bundled CRDs and core v1) needs no shared
data, so the benchmarks and their smoke test run anywhere.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from mkdocs_appreg.engine.kinds import BUILTIN_SOURCE
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.engine.validate import validate_text

BUILT_IN_SOURCES = (BUILTIN_SOURCE, "mkdocs_appreg/crds/")
EDA_CRDS = Path(__file__).resolve().parent.parent.parent / "shared" / "crds" / "eda"

# Strings tried, in order, for a field with a `pattern` and no enum or default.
_CANDIDATES = (
    "example",
    "a",
    "abc-1",
    "10.0.0.1",
    "10.0.0.0/24",
    "2001:db8::1",
    "2001:db8::/64",
    "00:11:22:33:44:55",
    "1",
    "100",
    "65000",
    "1.1",
    "1s",
    "10m",
    "eth-1/1",
    "ethernet-1/1",
    "a:b",
    "A",
    "x.example.com",
    "https://example.com",
    "0",
    "Example",
)

_FORMATS = {
    "ipv4": "10.0.0.1",
    "ipv6": "2001:db8::1",
    "cidr": "10.0.0.0/24",
    "uri": "https://example.com/x",
    "hostname": "example.com",
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "byte": base64.b64encode(b"example").decode(),
    "mac": "00:11:22:33:44:55",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "duration": "1s",
    "int-or-string": "1",
}


def _string(schema: Mapping[str, Any]) -> str | None:
    fmt = schema.get("format")
    candidates = [_FORMATS[fmt]] if isinstance(fmt, str) and fmt in _FORMATS else list(_CANDIDATES)
    pattern = schema.get("pattern")
    low = schema.get("minLength", 0)
    high = schema.get("maxLength", 10**9)
    for candidate in candidates:
        if not isinstance(low, int) or not isinstance(high, int):
            return None
        if len(candidate) < low:
            candidate = candidate + "x" * (low - len(candidate))
        if len(candidate) > high:
            candidate = candidate[:high]
        if isinstance(pattern, str):
            try:
                if re.search(pattern, candidate) is None:
                    continue
            except re.error:
                return None
        return candidate
    return None


def _number(schema: Mapping[str, Any], integer: bool) -> int | float:
    low = schema.get("minimum")
    high = schema.get("maximum")
    value: int | float = 1
    if isinstance(low, (int, float)):
        value = low + (1 if schema.get("exclusiveMinimum") is True else 0)
    if isinstance(high, (int, float)) and value > high:
        value = high
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int) and multiple > 0:
        value = max(multiple, (int(value) // multiple) * multiple)
    return int(value) if integer else value


def instance(schema: Mapping[str, Any], *, optional: bool, depth: int = 0) -> Any:
    """A value that satisfies `schema`, or `_NONE` when the generator cannot make one.

    Optional fields are filled too when `optional` (to depth 4), which exercises more of the
    schema than the required fields alone.
    """
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return copy.deepcopy(enum[0])
    if schema.get("x-kubernetes-int-or-string") is True:
        return 1
    kind = schema.get("type")
    if kind == "string":
        value = _string(schema)
        return _NONE if value is None else value
    if kind == "integer":
        return _number(schema, integer=True)
    if kind == "number":
        return _number(schema, integer=False)
    if kind == "boolean":
        return True
    if kind == "array":
        items = schema.get("items")
        count = schema.get("minItems", 1 if optional else 0)
        if not isinstance(items, Mapping) or not isinstance(count, int):
            return [] if not count else _NONE
        item = instance(items, optional=optional, depth=depth + 1)
        if item is _NONE:
            return [] if not count else _NONE
        if count > 1 and schema.get("uniqueItems") is True:
            return _NONE
        return [copy.deepcopy(item) for _ in range(max(count, 1 if optional else 0))]
    if kind == "object" or "properties" in schema:
        return _object(schema, optional=optional, depth=depth)
    return _NONE


def _object(schema: Mapping[str, Any], *, optional: bool, depth: int) -> Any:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    required = [r for r in schema.get("required", []) if isinstance(r, str)]
    out: dict[str, Any] = {}
    for name in required:
        sub = properties.get(name)
        if not isinstance(sub, Mapping):
            return _NONE
        value = instance(sub, optional=optional, depth=depth + 1)
        if value is _NONE:
            return _NONE
        out[name] = value
    if optional and depth < 4:
        for name, sub in properties.items():
            if name in out or not isinstance(sub, Mapping):
                continue
            value = instance(sub, optional=optional, depth=depth + 1)
            if value is not _NONE:
                out[name] = value
    minimum = schema.get("minProperties")
    if isinstance(minimum, int) and len(out) < minimum:
        return _NONE
    return out


class _NoneType:
    pass


_NONE: Any = _NoneType()


def _resource(kind_version: Any, *, optional: bool) -> dict[str, Any] | None:
    root = kind_version.schema
    body: dict[str, Any] = {"apiVersion": kind_version.api_version, "kind": kind_version.kind}
    body["metadata"] = {"name": "example-0"}
    if kind_version.scope == "Namespaced":
        body["metadata"]["namespace"] = "default"
    for name, sub in (root.get("properties") or {}).items():
        if name in ("apiVersion", "kind", "metadata", "status") or not isinstance(sub, Mapping):
            continue
        needed = name in (root.get("required") or [])
        value = instance(sub, optional=optional)
        if value is _NONE:
            if needed:
                return None
            continue
        body[name] = value
    return body


def crd_templates(registry: SchemaRegistry, kinds: set[str] | None = None) -> list[dict[str, Any]]:
    """One valid resource per served version (rich when possible, minimal otherwise).

    Args:
        registry: The CRDs to generate from (built-in kinds are skipped unless listed).
        kinds: Only these kinds (`Kind` names); None for every kind the registry has from files.
    """
    out: list[dict[str, Any]] = []
    for kind_version in registry.definitions():
        if not kind_version.served or kind_version.deprecated or kind_version.schema is None:
            continue
        if kinds is not None and kind_version.kind not in kinds:
            continue
        if kinds is None and kind_version.source.startswith(BUILT_IN_SOURCES):
            continue
        for optional in (True, False):
            body = _resource(kind_version, optional=optional)
            if body is None:
                continue
            text = yaml.safe_dump(body, sort_keys=False)
            findings, _ = validate_text(text, "generated.yaml", registry)
            if not any(f.severity == "error" for f in findings):
                out.append(body)
                break
    return out


def synthetic_templates() -> list[dict[str, Any]]:
    """Registry, Catalog and Secret resources valid against the bundled CRDs and core v1."""
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds-0", "namespace": "eda-system", "labels": {"app": "registry"}},
        "type": "Opaque",
        "data": {
            "username": base64.b64encode(b"admin").decode(),
            "password": base64.b64encode(b"s3cr3t-passw0rd").decode(),
        },
    }
    registry = {
        "apiVersion": "appstore.eda.nokia.com/v1",
        "kind": "Registry",
        "metadata": {"name": "registry-0", "namespace": "eda-system"},
        "spec": {
            "remoteURL": "https://registry.example.com",
            "authSecretRef": "creds-0",
            "skipTLSVerify": False,
            "mirror": "mirror.example.com",
            "title": "Example registry",
        },
    }
    catalog = {
        "apiVersion": "appstore.eda.nokia.com/v1",
        "kind": "Catalog",
        "metadata": {"name": "catalog-0", "namespace": "eda-system"},
        "spec": {
            "remoteURL": "https://git.example.com/catalog.git",
            "remoteType": "git",
            "authSecretRef": "creds-0",
            "skipTLSVerify": False,
            "title": "Example catalog",
        },
    }
    return [secret, registry, catalog]


NAME_MARK = "__appreg_bench_name__"


def template_texts(templates: list[dict[str, Any]]) -> list[str]:
    """Each template dumped once, with its name replaced by a marker `write_corpus` fills in."""
    texts = []
    for template in templates:
        body = copy.deepcopy(template)
        body["metadata"]["name"] = NAME_MARK
        texts.append(yaml.safe_dump(body, sort_keys=False))
    return texts


def write_corpus(
    templates: list[dict[str, Any]], count: int, directory: Path, per_file: int = 10
) -> list[Path]:
    """Write `count` resources cycling over `templates`, each with its own name, `per_file` per file.

    Dumping 100,000 resources with PyYAML's emitter would take minutes; each template is dumped
    once and only its name changes.
    """
    directory.mkdir(parents=True, exist_ok=True)
    texts = template_texts(templates)
    files: list[Path] = []
    for first in range(0, count, per_file):
        documents = [
            texts[index % len(texts)].replace(NAME_MARK, f"res-{index}")
            for index in range(first, min(first + per_file, count))
        ]
        path = directory / f"resources-{len(files):06d}.yaml"
        path.write_text("---\n".join(documents), encoding="utf-8")
        files.append(path)
    return files


def eda_registry(crds: Path = EDA_CRDS, limit: int | None = None) -> SchemaRegistry | None:
    """The built-in kinds plus the EDA CRDs (the first `limit` files), or None when absent."""
    if not crds.is_dir():
        return None
    registry = SchemaRegistry.builtin()
    files = sorted(crds.rglob("*.yaml"))
    for file in files[:limit] if limit is not None else files:
        registry.add_path(file)
    return registry
