"""Rules the API server applies to built-in kinds in Go code, beyond their published OpenAPI schema.

The OpenAPI documents say a container's `image` is an optional string; the API server's
validation (k8s.io/kubernetes pkg/apis/core/validation/validation.go) rejects a container without
one. This module ports the most-shown of those rules, each citing the Go function it follows, for
Pod and every pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
ReplicationController, PodTemplate). The rules left out are listed in docs/reference/rules.md.

Rule ids (the `field.ErrorType` of the Go error): `core.required` (Required value),
`core.invalid` (Invalid value), `core.duplicate` (Duplicate value).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, join_pointer, split_pointer
from mkdocs_appreg.engine.kinds import parse_api_version
from mkdocs_appreg.engine.metadata import is_dns1123_label

REQUIRED_RULE = "core.required"
INVALID_RULE = "core.invalid"
DUPLICATE_RULE = "core.duplicate"

# Where each kind keeps its pod spec: apps/validation ValidateDeploymentSpec & co. call
# ValidatePodTemplateSpec on `spec.template`; batch on `spec.template` (Job) and
# `spec.jobTemplate.spec.template` (CronJob); core ValidatePod on `spec`.
_POD_SPECS: dict[tuple[str, str], str] = {
    ("", "Pod"): "/spec",
    ("", "PodTemplate"): "/template/spec",
    ("", "ReplicationController"): "/spec/template/spec",
    ("apps", "Deployment"): "/spec/template/spec",
    ("apps", "StatefulSet"): "/spec/template/spec",
    ("apps", "DaemonSet"): "/spec/template/spec",
    ("apps", "ReplicaSet"): "/spec/template/spec",
    ("batch", "Job"): "/spec/template/spec",
    ("batch", "CronJob"): "/spec/jobTemplate/spec/template/spec",
}
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def validate_native(document: Document) -> list[Finding]:
    """The Go-coded rules for the document's kind; empty for kinds this module does not cover."""
    parsed = parse_api_version(document.api_version)
    if parsed is None:
        return []
    pointer = _POD_SPECS.get((parsed[0], document.kind))
    if pointer is None:
        return []
    spec = _at(document.value, pointer)
    if not isinstance(spec, dict):
        return []
    return list(_pod_spec(document, spec, pointer))


def _at(value: Any, pointer: str) -> Any:
    for token in split_pointer(pointer):
        if not isinstance(value, dict):
            return None
        value = value.get(token)
    return value


def _pod_spec(document: Document, spec: dict[str, Any], pointer: str) -> Iterator[Finding]:
    # validation.go ValidatePodSpec -> validateContainers / validateInitContainers /
    # validateEphemeralContainers: container names are unique across all three lists.
    names: set[str] = set()
    for list_name in _CONTAINER_LISTS:
        containers = spec.get(list_name)
        if not isinstance(containers, list):
            continue
        for index, container in enumerate(containers):
            if isinstance(container, dict):
                here = join_pointer(join_pointer(pointer, list_name), index)
                yield from _container(document, container, here, names)


def _container(
    document: Document, container: dict[str, Any], pointer: str, names: set[str]
) -> Iterator[Finding]:
    # validation.go validateContainerCommon: name required and a DNS-1123 label; image required
    # (`len(ctr.Image) == 0`, in pods and in templates alike); validateContainers: allNames.
    name = container.get("name")
    name_pointer = join_pointer(pointer, "name")
    if isinstance(name, str):
        if not name:
            yield _finding(document, name_pointer, REQUIRED_RULE, "Required value")
        else:
            for problem in is_dns1123_label(name):
                yield _finding(document, name_pointer, INVALID_RULE, f'Invalid value: "{name}": {problem}')
            if name in names:
                yield _finding(document, name_pointer, DUPLICATE_RULE, f'Duplicate value: "{name}"')
            names.add(name)
    image = container.get("image")
    if image is None or image == "":
        yield _finding(document, join_pointer(pointer, "image"), REQUIRED_RULE, "Required value")
    ports = container.get("ports")
    if isinstance(ports, list):
        yield from _ports(document, ports, join_pointer(pointer, "ports"))


def _ports(document: Document, ports: list[Any], pointer: str) -> Iterator[Finding]:
    # The OpenAPI schema's x-kubernetes-list-type: map with x-kubernetes-list-map-keys
    # [containerPort, protocol] (protocol defaulted to TCP first): a second port with the same
    # pair is "Duplicate value" at the second one, as the apiserver's structural list validation
    # words it.
    seen: set[tuple[Any, Any]] = set()
    for index, port in enumerate(ports):
        if not isinstance(port, dict) or "containerPort" not in port:
            continue
        key = (port.get("containerPort"), port.get("protocol") or "TCP")
        if key in seen:
            shown = f'map[string]interface {{}}{{"containerPort":{key[0]}, "protocol":"{key[1]}"}}'
            yield _finding(
                document, join_pointer(pointer, index), DUPLICATE_RULE, f"Duplicate value: {shown}"
            )
        seen.add(key)


def _finding(document: Document, pointer: str, rule: str, message: str) -> Finding:
    # The Go error's field path is the finding's own path (`spec.containers[0].image`).
    return document.finding(pointer, rule, message)
