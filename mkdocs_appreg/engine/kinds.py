"""What a CustomResourceDefinition says about one version of one kind, and apiVersion parsing.

The API server keys custom resources by group and kind, then version; a `KindVersion` is one
such entry, and `parse_api_version` splits an `apiVersion` the way the API server does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

CRD_API_VERSION = "apiextensions.k8s.io/v1"
CRD_KIND = "CustomResourceDefinition"
BUILTIN_SOURCE = "built-in"

Scope = Literal["Namespaced", "Cluster"]


# Plain classes (common/records.py says why). KindVersion is not a NamedTuple either:
# `_CachedKindVersion` fills its schema slot lazily.
class KindVersion:
    """One served (or not) version of one kind, as a CRD defines it.

    Attributes:
        group: API group (`""` for the core group).
        version: Version name such as `v1`.
        kind: The kind, in CamelCase.
        scope: `Namespaced` or `Cluster`.
        served: Whether the API server serves this version.
        deprecated: Whether the version is marked deprecated.
        deprecation_warning: The CRD's own deprecation text, if any.
        schema: The version's `openAPIV3Schema`.
        source: `file:line` of the CRD that defined it, or `built-in`.
        status_subresource: The version has `subresources.status`, so the API server ignores
            `status` when an object is created or updated through the main resource.
    """

    __slots__ = (
        "deprecated",
        "deprecation_warning",
        "group",
        "kind",
        "schema",
        "scope",
        "served",
        "source",
        "status_subresource",
        "version",
    )

    group: str
    version: str
    kind: str
    scope: Scope
    served: bool
    deprecated: bool
    deprecation_warning: str | None
    schema: Mapping[str, Any] | None
    source: str
    status_subresource: bool

    def __init__(
        self,
        group: str,
        version: str,
        kind: str,
        scope: Scope,
        served: bool,
        deprecated: bool,
        deprecation_warning: str | None,
        schema: Mapping[str, Any] | None,
        source: str,
        status_subresource: bool = False,
    ) -> None:
        self.group = group
        self.version = version
        self.kind = kind
        self.scope = scope
        self.served = served
        self.deprecated = deprecated
        self.deprecation_warning = deprecation_warning
        self.schema = schema
        self.source = source
        self.status_subresource = status_subresource

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def same_definition(self, other: KindVersion) -> bool:
        """Equal in everything but where it was defined."""
        return (
            self.scope == other.scope
            and self.served == other.served
            and self.deprecated == other.deprecated
            and self.deprecation_warning == other.deprecation_warning
            and self.schema == other.schema
            and self.status_subresource == other.status_subresource
        )


def parse_group_version(api_version: str) -> tuple[str, str] | None:
    """(group, version) as k8s.io/apimachinery pkg/runtime/schema ParseGroupVersion splits it.

    `""` and `"/"` are the empty GroupVersion, no `/` is the core group, one `/` splits group and
    version; more than one is ParseGroupVersion's error, None here.
    """
    if not api_version or api_version == "/":
        return "", ""
    group, slash, version = api_version.partition("/")
    if not slash:
        return "", api_version
    if "/" in version:
        return None
    return group, version


def parse_api_version(api_version: str) -> tuple[str, str] | None:
    """(group, version) of the apiVersion a resource names, or None when it is malformed.

    `parse_group_version` without the empty parts it lets through: `v1` is the core group, `g/v`
    names a group; `""`, `/v1`, `g/` and anything with more slashes name no version to look up.
    """
    parsed = parse_group_version(api_version)
    if parsed is None or not parsed[1] or (not parsed[0] and "/" in api_version):
        return None
    return parsed
