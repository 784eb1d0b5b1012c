"""Rules the API server applies to built-in kinds in Go code, beyond their published OpenAPI schema.

The OpenAPI documents say a container's `image` is an optional string; the API server's
validation (k8s.io/kubernetes pkg/apis/core/validation/validation.go) rejects a container without
one. This module ports the most-shown of those rules, each citing the Go function it follows, for
Pod and every pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
ReplicationController, PodTemplate), Service, ConfigMap, Role, ClusterRole and both bindings. The
rules left out are listed in docs/reference/rules.md.

Rule ids (the `field.ErrorType` of the Go error): `core.required` (Required value),
`core.invalid` (Invalid value), `core.duplicate` (Duplicate value), `core.not-supported`
(Unsupported value), `core.too-long` (Too long).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeGuard

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, join_pointer, split_pointer
from mkdocs_appreg.engine.kinds import parse_api_version
from mkdocs_appreg.engine.metadata import (
    NameValidator,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
    is_wildcard_dns1123_subdomain,
    max_len_error,
    name_is_dns_label,
    name_is_dns_subdomain,
    name_is_path_segment,
)
from mkdocs_appreg.engine.netparse import IPAddress, parse_cidr_sloppy, parse_ip_sloppy
from mkdocs_appreg.engine.secret import (
    MAX_SECRET_SIZE,
    CorruptInputError,
    decode_std_base64,
    is_config_map_key,
)

REQUIRED_RULE = "core.required"
INVALID_RULE = "core.invalid"
DUPLICATE_RULE = "core.duplicate"
TOO_LONG_RULE = "core.too-long"
NOT_SUPPORTED_RULE = "core.not-supported"
FORBIDDEN_RULE = "core.forbidden"
NOT_FOUND_RULE = "core.not-found"

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
    if parsed[0] == "" and document.kind in _OTHER_KINDS:
        return list(_OTHER_KINDS[document.kind](document))
    if parsed[0] == RBAC_GROUP and document.kind in ("Role", "ClusterRole"):
        return list(_role(document, namespaced=document.kind == "Role"))
    if parsed[0] == RBAC_GROUP and document.kind in ("RoleBinding", "ClusterRoleBinding"):
        return list(_binding(document, namespaced=document.kind == "RoleBinding"))
    if parsed[0] == "networking.k8s.io" and document.kind == "Ingress":
        return list(_ingress(document))
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
    # validation.go ValidatePodSpec: ValidateVolumes first (the names a mount may refer to), then
    # validateContainers / validateInitContainers / validateEphemeralContainers (container names
    # unique across all three lists, each container through validateContainerCommon).
    volumes = yield from _volumes(document, spec, pointer)
    # A StatefulSet's pods also get a volume per claim template, named by the template
    # (pkg/controller/statefulset updateStorage): a mount may name one.
    if document.kind == "StatefulSet":
        claims = _at(document.value, "/spec/volumeClaimTemplates")
        for claim in claims if isinstance(claims, list) else []:
            name = _at(claim, "/metadata/name")
            if isinstance(name, str):
                volumes[name] = "persistentVolumeClaim"
    names: set[str] = set()
    for list_name in _CONTAINER_LISTS:
        containers = spec.get(list_name)
        if not isinstance(containers, list):
            continue
        for index, container in enumerate(containers):
            if isinstance(container, dict):
                here = join_pointer(join_pointer(pointer, list_name), index)
                yield from _container(document, container, here, names, volumes)
    yield from _host_ports(document, spec, pointer)


def _container(
    document: Document,
    container: dict[str, Any],
    pointer: str,
    names: set[str],
    volumes: dict[str, str | None],
) -> Iterator[Finding]:
    # validation.go validateContainerCommon: name required and a DNS-1123 label; image required
    # (`len(ctr.Image) == 0`, in pods and in templates alike); validateContainers: allNames.
    name = container.get("name")
    name_pointer = join_pointer(pointer, "name")
    if isinstance(name, str):
        if not name:
            yield _finding(document, name_pointer, REQUIRED_RULE, "Required value")
        else:
            yield from _invalid(document, name_pointer, name, is_dns1123_label(name))
            if name in names:
                yield _finding(document, name_pointer, DUPLICATE_RULE, f'Duplicate value: "{name}"')
            names.add(name)
    image = container.get("image")
    if image is None or image == "":
        yield _finding(document, join_pointer(pointer, "image"), REQUIRED_RULE, "Required value")
    ports = container.get("ports")
    if isinstance(ports, list):
        yield from _ports(document, ports, join_pointer(pointer, "ports"))
    env = container.get("env")
    if isinstance(env, list):
        yield from _env(document, env, join_pointer(pointer, "env"))
    env_from = container.get("envFrom")
    if isinstance(env_from, list):
        yield from _env_from(document, env_from, join_pointer(pointer, "envFrom"))
    mounts = _items(container.get("volumeMounts"))
    devices = _items(container.get("volumeDevices"))
    # GetVolumeMountMap / GetVolumeDeviceMap: name -> path, a later item replacing an earlier one.
    mount_map = {m.get("name"): m.get("mountPath") for _, m in mounts}
    device_map = {d.get("name"): d.get("devicePath") for _, d in devices}
    yield from _volume_mounts(document, mounts, device_map, volumes, join_pointer(pointer, "volumeMounts"))
    yield from _volume_devices(document, devices, mount_map, volumes, join_pointer(pointer, "volumeDevices"))


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The mapping items of a list, with their indexes (anything else is the schema's to report)."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _ports(document: Document, ports: list[Any], pointer: str) -> Iterator[Finding]:
    # The OpenAPI schema's x-kubernetes-list-type: map with x-kubernetes-list-map-keys
    # [containerPort, protocol] (protocol defaulted to TCP first): a second port with the same
    # pair is "Duplicate value" at the second one, as kubectl-validate's recorded apiserver answer
    # (and `kubectl apply --server-side`) words it. A create or a client-side apply only warns
    # (pkg/api/pod/warnings.go); see the `core.duplicate` row of docs/reference/rules.md.
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


def _host_ports(document: Document, spec: dict[str, Any], pointer: str) -> Iterator[Finding]:
    # validateContainers -> checkHostPortConflicts / AccumulateUniqueHostPorts: a non-zero
    # hostPort keyed "<protocol>/<hostIP>/<hostPort>" (protocol defaulted to TCP) is unique
    # across the regular containers; each init container is checked on its own ("they are
    # running in sequential order"). In a Pod (not a template: the
    # DefaultHostNetworkHostPortsInPodTemplates gate is off), SetDefaults_Pod gives a
    # hostNetwork pod's ports hostPort = containerPort first.
    defaulted = document.kind == "Pod" and spec.get("hostNetwork") is True
    for list_name, together in (("containers", True), ("initContainers", False)):
        seen: set[str] = set()
        for index, container in _items(spec.get(list_name)):
            if not together:
                seen = set()
            container_pointer = _join(pointer, list_name, index, "ports")
            for port_index, port in _items(container.get("ports")):
                host_port = port.get("hostPort")
                if defaulted and not host_port:
                    host_port = port.get("containerPort")
                if not _is_int(host_port) or host_port == 0:
                    continue
                host_ip = port.get("hostIP")
                key = f"{port.get('protocol') or 'TCP'}/{host_ip if isinstance(host_ip, str) else ''}/{host_port}"
                if key in seen:
                    # (A defaulted hostPort is located at its port, the nearest node written.)
                    here = _join(container_pointer, port_index, "hostPort")
                    yield _finding(document, here, DUPLICATE_RULE, f'Duplicate value: "{key}"')
                seen.add(key)


# validation.go validateVolumeSource counts a volume's sources in this order; the second and later
# written are each "may not specify more than 1 volume type". (Go's error path for three differs
# from the JSON name: `persistentDisk`, `cephFS`, `downwarAPI`; the finding is at the key written.)
_VOLUME_SOURCES = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
)
_VOLUME_FIELDS = frozenset({"name", *_VOLUME_SOURCES})
# isMatchedDevice: a block device must come from a claim.
_CLAIM_SOURCES = frozenset({"persistentVolumeClaim", "ephemeral"})


def _volumes(
    document: Document, spec: dict[str, Any], pointer: str
) -> Generator[Finding, None, dict[str, str | None]]:
    """ValidateVolumes; returns the volumes a mount may name (name -> source), as Go's `vols`."""
    defined: dict[str, str | None] = {}
    for index, volume in _items(spec.get("volumes")):
        here = _join(pointer, "volumes", index)
        failed = False
        # A source given as null is no source (the Go pointer stays nil).
        written = [key for key in _VOLUME_SOURCES if volume.get(key) is not None]
        for key in written[1:]:
            failed = True
            message = "Forbidden: may not specify more than 1 volume type"
            yield _finding(document, join_pointer(here, key), FORBIDDEN_RULE, message)
        if not written and set(volume) <= _VOLUME_FIELDS:
            # (A volume holding an unknown field is the schema's `unknown field` error: strict
            # decoding refuses it before validation, so no second error for the same line.)
            failed = True
            yield _finding(document, here, REQUIRED_RULE, "Required value: must specify a volume type")
        name = volume.get("name")
        if not isinstance(name, str):
            continue  # a missing name is the schema's `required` error
        name_pointer = join_pointer(here, "name")
        if not name:
            failed = True
            yield _finding(document, name_pointer, REQUIRED_RULE, "Required value")
        elif problems := is_dns1123_label(name):
            failed = True
            yield from _invalid(document, name_pointer, name, problems)
        if name in defined:
            failed = True
            yield _finding(document, name_pointer, DUPLICATE_RULE, f"Duplicate value: {_go_value(name)}")
        # Go keeps only a volume without errors in allNames and vols: a mount naming a broken
        # volume is "Not found", a second volume of a broken one's name is no duplicate.
        if not failed:
            defined[name] = written[0] if written else None
    return defined


def _volume_mounts(
    document: Document,
    mounts: list[tuple[int, dict[str, Any]]],
    devices: dict[Any, Any],
    volumes: dict[str, str | None],
    pointer: str,
) -> Iterator[Finding]:
    # validation.go ValidateVolumeMounts.
    mount_points: set[str] = set()
    for index, mount in mounts:
        here = join_pointer(pointer, index)
        name = mount.get("name")
        if isinstance(name, str):
            name_pointer = join_pointer(here, "name")
            if not name:
                yield _finding(document, name_pointer, REQUIRED_RULE, "Required value")
            if name not in volumes:
                yield _finding(document, name_pointer, NOT_FOUND_RULE, f"Not found: {_go_value(name)}")
            if name in devices:
                yield from _invalid(document, name_pointer, name, ["must not already exist in volumeDevices"])
        path = mount.get("mountPath")
        if isinstance(path, str):
            path_pointer = join_pointer(here, "mountPath")
            if not path:
                yield _finding(document, path_pointer, REQUIRED_RULE, "Required value")
            problems = ["must be unique"] if path in mount_points else []
            mount_points.add(path)
            if path in devices.values():
                problems.append("must not already exist as a path in volumeDevices")
            yield from _invalid(document, path_pointer, path, problems)
        # validateLocalDescendingPath on subPath and subPathExpr (Go's path for these is
        # `volumeMounts.subPath`, without the index; the finding is at the field written).
        sub_path = mount.get("subPath")
        sub_path = sub_path if isinstance(sub_path, str) else ""
        if sub_path:
            problems = _local_descending_path(sub_path)
            yield from _invalid(document, join_pointer(here, "subPath"), sub_path, problems)
        expression = mount.get("subPathExpr")
        if isinstance(expression, str) and expression:
            problems = ["subPathExpr and subPath are mutually exclusive"] if sub_path else []
            problems.extend(_local_descending_path(expression))
            yield from _invalid(document, join_pointer(here, "subPathExpr"), expression, problems)


def _local_descending_path(path: str) -> list[str]:
    # validateLocalDescendingPath (path.IsAbs) and validatePathNoBacksteps (one error for any
    # number of `..` parts).
    problems = ["must be a relative path"] if path.startswith("/") else []
    if ".." in path.split("/"):
        problems.append("must not contain '..'")
    return problems


def _volume_devices(
    document: Document,
    devices: list[tuple[int, dict[str, Any]]],
    mounts: dict[Any, Any],
    volumes: dict[str, str | None],
    pointer: str,
) -> Iterator[Finding]:
    # validation.go ValidateVolumeDevices.
    device_names: set[str] = set()
    device_paths: set[str] = set()
    for index, device in devices:
        here = join_pointer(pointer, index)
        name = device.get("name")
        if isinstance(name, str):
            name_pointer = join_pointer(here, "name")
            if not name:
                yield _finding(document, name_pointer, REQUIRED_RULE, "Required value")
            problems = ["must be unique"] if name in device_names else []
            source = volumes.get(name)
            if name in volumes and source is not None and source not in _CLAIM_SOURCES:
                problems.append(
                    "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"
                )
            if name not in volumes:
                yield _finding(document, name_pointer, NOT_FOUND_RULE, f"Not found: {_go_value(name)}")
            if name in mounts:
                problems.append("must not already exist in volumeMounts")
            yield from _invalid(document, name_pointer, name, problems)
            if name:
                device_names.add(name)
        path = device.get("devicePath")
        if isinstance(path, str):
            path_pointer = join_pointer(here, "devicePath")
            if not path:
                yield _finding(document, path_pointer, REQUIRED_RULE, "Required value")
            problems = ["must be unique"] if path in device_paths else []
            if path and ".." in path.split("/"):
                problems.append("can not contain backsteps ('..')")
            else:
                device_paths.add(path)
            if path in mounts.values():
                problems.append("must not already exist as a path in volumeMounts")
            yield from _invalid(document, path_pointer, path, problems)


# validateEnvVarValueFrom's sources (`fileKeyRef` is the EnvFiles gate's; counted so that a
# cluster with the gate on gets no false "must specify one of").
_ENV_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef")
_ENV_FROM_SOURCES = ("configMapRef", "secretRef")
_RELAXED_ENV_VAR_NAME = (
    "a valid environment variable name must consist only of printable ASCII characters other than '='"
)


def env_var_name_problems(name: str) -> list[str]:
    """apimachinery `IsRelaxedEnvVarName`: printable ASCII other than `=`.

    The RelaxedEnvironmentVariableValidation gate (beta and on by default from 1.32, GA in 1.34)
    makes ValidateEnv use it instead of the C-identifier-like `IsEnvVarName`; the older, stricter
    rule is not applied, so a cluster older than 1.32 may refuse a name this accepts (`1A`).
    """
    return [_RELAXED_ENV_VAR_NAME] if any(not " " <= ch <= "~" or ch == "=" for ch in name) else []


def _env(document: Document, env: list[Any], pointer: str) -> Iterator[Finding]:
    # validation.go ValidateEnv, validateEnvVarValueFrom, validateConfigMapKeySelector,
    # validateSecretKeySelector. (A repeated name is only a warning upstream: corewalk's
    # `list.duplicate-key`.)
    for index, var in _items(env):
        here = join_pointer(pointer, index)
        name = var.get("name")
        if isinstance(name, str):
            name_pointer = join_pointer(here, "name")
            if not name:
                yield _finding(document, name_pointer, REQUIRED_RULE, "Required value")
            else:
                yield from _invalid(document, name_pointer, name, env_var_name_problems(name))
        value_from = var.get("valueFrom")
        if not isinstance(value_from, dict):
            continue
        from_pointer = join_pointer(here, "valueFrom")
        written = [key for key in _ENV_SOURCES if value_from.get(key) is not None]
        value = var.get("value")
        if not written:
            if set(value_from) <= set(_ENV_SOURCES):  # an unknown field is the schema's error
                message = 'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'
                yield _finding(document, from_pointer, INVALID_RULE, message)
        elif isinstance(value, str) and value:
            message = 'Invalid value: "": may not be specified when `value` is not empty'
            yield _finding(document, from_pointer, INVALID_RULE, message)
        elif len(written) > 1:
            message = 'Invalid value: "": may not have more than one field specified at a time'
            yield _finding(document, from_pointer, INVALID_RULE, message)
        for key in ("configMapKeyRef", "secretKeyRef"):
            selector = value_from.get(key)
            if isinstance(selector, dict):
                yield from _key_selector(document, selector, join_pointer(from_pointer, key))


def _key_selector(document: Document, selector: dict[str, Any], pointer: str) -> Iterator[Finding]:
    # ValidateNameFunc(ValidateSecretName)(name, false), then the key: required, IsConfigMapKey.
    # (Go also refuses an empty or omitted name, which the schema calls optional; not ported.)
    name = selector.get("name")
    if isinstance(name, str) and name:
        yield from _invalid(document, join_pointer(pointer, "name"), name, name_is_dns_subdomain(name, False))
    key = selector.get("key")
    if isinstance(key, str):
        key_pointer = join_pointer(pointer, "key")
        if not key:
            yield _finding(document, key_pointer, REQUIRED_RULE, "Required value")
        else:
            yield from _invalid(document, key_pointer, key, is_config_map_key(key))


def _env_from(document: Document, env_from: list[Any], pointer: str) -> Iterator[Finding]:
    # validation.go ValidateEnvFrom, validateConfigMapEnvSource, validateSecretEnvSource. Go's
    # path for the source count is the list (`envFrom`); the finding is at the item.
    for index, source in _items(env_from):
        here = join_pointer(pointer, index)
        prefix = source.get("prefix")
        if isinstance(prefix, str) and prefix:
            yield from _invalid(document, join_pointer(here, "prefix"), prefix, env_var_name_problems(prefix))
        written = [key for key in _ENV_FROM_SOURCES if source.get(key) is not None]
        if not written and set(source) <= {"prefix", *_ENV_FROM_SOURCES}:
            message = 'Invalid value: "": must specify one of: `configMapRef` or `secretRef`'
            yield _finding(document, here, INVALID_RULE, message)
        elif len(written) > 1:
            message = 'Invalid value: "": may not have more than one field specified at a time'
            yield _finding(document, here, INVALID_RULE, message)
        for key in written:
            reference = source.get(key)
            if not isinstance(reference, dict):
                continue
            name = reference.get("name")
            name_pointer = _join(here, key, "name")
            if name is None or name == "":
                # The name is optional in the schema, but an env source without one is refused.
                yield _finding_at(document, name_pointer, REQUIRED_RULE, "Required value", name_pointer)
            elif isinstance(name, str):
                yield from _invalid(document, name_pointer, name, name_is_dns_subdomain(name, True))


def _finding(document: Document, pointer: str, rule: str, message: str) -> Finding:
    # The Go error's field path is the finding's own path (`spec.containers[0].image`).
    return document.finding(pointer, rule, message)


def _invalid(document: Document, pointer: str, value: str | int, problems: list[str]) -> Iterator[Finding]:
    """One `Invalid value` finding for all of a field's problems (Go reports one error per message;
    joined, the field gets one finding with every reason), none when there are no problems."""
    if problems:
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        yield document.finding(pointer, INVALID_RULE, f"Invalid value: {shown}: " + "; ".join(problems))


def _join(pointer: str, *tokens: str | int) -> str:
    for token in tokens:
        pointer = join_pointer(pointer, token)
    return pointer


def _finding_at(document: Document, pointer: str, rule: str, message: str, where: str) -> Finding:
    """A finding at the API server's field path `pointer`, located at `where` in the source.

    For a path the API server builds from a defaulted or normalized copy of what was written
    (`spec.clusterIPs[0]` from a `clusterIP`), the reader's cursor belongs on what they wrote.
    """
    finding = document.finding(pointer, rule, message)
    line, column = document.locate(where)
    return finding.moved(file=finding.file, line=line, column=column)


def _go_value(value: Any) -> str:
    # How field.Invalid shows a value: strings quoted, numbers bare, a []string as Go's %#v.
    if isinstance(value, list):
        return "[]string{" + ", ".join(f'"{item}"' for item in value) + "}"
    return f'"{value}"' if isinstance(value, str) else str(value)


# --- Service (validation.go ValidateService, validateServicePort) ------------------------------

# apimachinery util/validation IsValidPortName: an IANA_SVC_NAME.
_PORT_NAME_CHARSET = re.compile("[-a-z0-9]+")
_PORT_NAME_LETTER = re.compile("[a-z]")


def is_valid_port_num(port: int) -> list[str]:
    """`IsValidPortNum`: why `port` is not a port number; empty when it is one."""
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


def is_valid_port_name(port: str) -> list[str]:
    """`IsValidPortName` (every message, as Go collects them all); empty for a valid name."""
    errors = []
    if len(port.encode("utf-8", "surrogatepass")) > 15:
        errors.append(max_len_error(15))
    if not _PORT_NAME_CHARSET.fullmatch(port):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(port):
        errors.append("must contain at least one letter (a-z)")
    if "--" in port:
        errors.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


_IP_FAMILIES = ("IPv4", "IPv6")
_SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
_MAX_CLIENT_IP_AFFINITY_SECONDS = 86400  # core.MaxClientIPServiceAffinitySeconds
_ONLY_LOAD_BALANCER = "Forbidden: may only be used when `type` is 'LoadBalancer'"
_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")  # core.ServiceType


class _Service:
    """A Service as ValidateService sees it on create: after SetDefaults_Service and the
    registry's NormalizeClusterIPs (a `clusterIP` written alone becomes `clusterIPs: [clusterIP]`).

    The API server reports such a `clusterIP` at `spec.clusterIPs[0]`; the finding's path is the
    `clusterIP` written instead, so that a placeholder there (`clusterIP: <ip>`) explains the
    finding away as it does every finding at its path.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        written_type = spec.get("type")
        # SetDefaults_Service: an empty type is ClusterIP. A type of the wrong JSON type, or
        # outside the four, is the schema's finding (schema.enum), and no type-dependent rule runs
        # (None): Go would add "only for LoadBalancer" errors to a resource already refused, and
        # on a page `type: <LoadBalancer-or-NodePort>` is the reader's to choose, explained away
        # as a placeholder, so those errors would be false.
        default = (
            (written_type or "ClusterIP") if written_type is None or isinstance(written_type, str) else None
        )
        self.type: str | None = default if default in _SERVICE_TYPES else None
        cluster_ip = spec.get("clusterIP")
        self.cluster_ip = cluster_ip if isinstance(cluster_ip, str) else ""
        cluster_ips = spec.get("clusterIPs")
        self.cluster_ips: list[str] = (
            cluster_ips
            if isinstance(cluster_ips, list) and all(isinstance(ip, str) for ip in cluster_ips)
            else []
        )
        self.ips_written = "/spec/clusterIPs"
        if self.cluster_ip and not self.cluster_ips:
            self.cluster_ips = [self.cluster_ip]
            self.ips_written = "/spec/clusterIP"
        # isHeadlessService. The registry does not fill clusterIP from clusterIPs on create, so
        # `clusterIPs: [None]` alone is headless too (and an error left out, see the rule table).
        self.headless = self.cluster_ips == ["None"]

    def ip_pointer(self, index: int) -> str:
        """Where the cluster IP at `index` of the normalized list is written."""
        return _join(self.ips_written, index) if self.ips_written == "/spec/clusterIPs" else self.ips_written


def _service(document: Document) -> Iterator[Finding]:
    spec = _at(document.value, "/spec")
    spec = spec if isinstance(spec, dict) else {}
    service = _Service(spec)
    ports = spec.get("ports")
    ports = ports if isinstance(ports, list) else []
    # ValidateService: `len(Ports) == 0 && !isHeadlessService && Type != ExternalName`.
    if not ports and not service.headless and service.type != "ExternalName":
        yield _finding(document, "/spec/ports", REQUIRED_RULE, "Required value")
    yield from _service_type_rules(document, spec, service)
    names: set[str] = set()
    pairs: set[tuple[int, Any]] = set()
    node_ports: set[tuple[int, Any]] = set()
    for index, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        here = join_pointer("/spec/ports", index)
        yield from _service_port(document, port, here, require_name=len(ports) > 1, names=names)
        # SetDefaults_Service defaults an empty protocol to TCP before these checks.
        protocol = port.get("protocol") or "TCP"
        number = port.get("port")
        node_port = port.get("nodePort")
        if _is_int(node_port) and node_port != 0:
            if service.type == "ClusterIP":
                message = "Forbidden: may not be used when `type` is 'ClusterIP'"
                yield _finding(document, join_pointer(here, "nodePort"), FORBIDDEN_RULE, message)
            # "Check for duplicate NodePorts, considering (protocol,port) pairs".
            if (node_port, protocol) in node_ports:
                yield _finding(
                    document, join_pointer(here, "nodePort"), DUPLICATE_RULE, f"Duplicate value: {node_port}"
                )
            node_ports.add((node_port, protocol))
        # "Check for duplicate Ports, considering (protocol,port) pairs": Duplicate at the port.
        if _is_int(number):
            if (number, protocol) in pairs:
                shown = f'{{"port":{number}, "protocol":"{protocol}"}}'
                yield _finding(document, here, DUPLICATE_RULE, f"Duplicate value: {shown}")
            pairs.add((number, protocol))
    selector = spec.get("selector")
    if isinstance(selector, dict):
        yield from _selector_labels(document, selector, "/spec/selector")
    yield from _session_affinity(document, spec)
    if service.type != "ExternalName":
        yield from _cluster_ips(document, spec, service)
    external_ips = spec.get("externalIPs")
    for index, ip in enumerate(external_ips if isinstance(external_ips, list) else []):
        if isinstance(ip, str):
            yield from _invalid(document, _join("/spec/externalIPs", index), ip, _non_special_ip(ip))
    yield from _load_balancer_fields(document, spec, service)
    yield from _traffic_policy(document, spec, service, external_ips)


def _service_type_rules(document: Document, spec: dict[str, Any], service: _Service) -> Iterator[Finding]:
    # The `switch service.Spec.Type` of ValidateService.
    if service.type in ("LoadBalancer", "NodePort") and service.headless:
        message = f"Invalid value: \"None\": may not be set to 'None' for {service.type} services"
        yield _finding(document, service.ip_pointer(0), INVALID_RULE, message)
    if service.type != "ExternalName":
        return
    if service.cluster_ips:
        message = "Forbidden: may not be set for ExternalName services"
        yield _finding(document, service.ips_written, FORBIDDEN_RULE, message)
    families = spec.get("ipFamilies")
    if isinstance(families, list) and families:
        message = "Forbidden: may not be set for ExternalName services"
        yield _finding(document, "/spec/ipFamilies", FORBIDDEN_RULE, message)
    if spec.get("ipFamilyPolicy") is not None:
        message = "Forbidden: may not be set for ExternalName services"
        yield _finding(document, "/spec/ipFamilyPolicy", FORBIDDEN_RULE, message)
    external_name = spec.get("externalName")
    if external_name is None or isinstance(external_name, str):
        # The value (a CNAME) may end in a dot to mark it fully qualified.
        cname = (external_name or "").removesuffix(".")
        if not cname:
            yield _finding(document, "/spec/externalName", REQUIRED_RULE, "Required value")
        else:
            yield from _invalid(document, "/spec/externalName", cname, is_dns1123_subdomain(cname))


def _selector_labels(document: Document, labels: dict[str, Any], pointer: str) -> Iterator[Finding]:
    # `if service.Spec.Selector != nil`: meta/v1/validation ValidateLabels, every key a qualified
    # name and every value a label value. Go's path is `spec.selector` for all of them; each
    # finding is at its own key (one per label, where a placeholder value explains it away).
    for key, value in labels.items():
        if value is not None and not isinstance(value, str):
            continue  # the schema's type finding
        problems = [f"key {json.dumps(key)}: {message}" for message in is_qualified_name(key)]
        problems += [
            f"value {json.dumps(value or '')}: {message}" for message in is_valid_label_value(value or "")
        ]
        if problems:
            yield document.finding(
                join_pointer(pointer, key), INVALID_RULE, "Invalid value: " + "; ".join(problems)
            )


def _session_affinity(document: Document, spec: dict[str, Any]) -> Iterator[Finding]:
    # validateClientIPAffinityConfig; SetDefaults_Service fills a missing config or timeout (10800)
    # for ClientIP and drops the config for None, so only a timeout given is checked.
    if spec.get("sessionAffinity") != "ClientIP":
        return
    timeout = _at(spec, "/sessionAffinityConfig/clientIP/timeoutSeconds")
    if _is_int(timeout) and not 0 < timeout <= _MAX_CLIENT_IP_AFFINITY_SECONDS:
        message = f"Invalid value: {timeout}: must be greater than 0 and less than {_MAX_CLIENT_IP_AFFINITY_SECONDS}"
        yield _finding(document, "/spec/sessionAffinityConfig/clientIP/timeoutSeconds", INVALID_RULE, message)


def _cluster_ips(document: Document, spec: dict[str, Any], service: _Service) -> Iterator[Finding]:
    # ValidateServiceClusterIPsRelatedFields (not for ExternalName).
    ips = service.cluster_ips
    if service.cluster_ip and service.ips_written == "/spec/clusterIPs" and ips[0] != service.cluster_ip:
        message = f"Invalid value: {_go_value(ips)}: first value must match `clusterIP`"
        yield _finding(document, "/spec/clusterIPs", INVALID_RULE, message)
    families = spec.get("ipFamilies")
    families = families if isinstance(families, list) else []
    seen: set[Any] = set()
    for index, family in enumerate(families):
        here = _join("/spec/ipFamilies", index)
        if isinstance(family, str) and family not in _IP_FAMILIES:
            yield _finding(document, here, NOT_SUPPORTED_RULE, _not_supported(family, _IP_FAMILIES))
        if family in seen:
            yield _finding(document, here, DUPLICATE_RULE, f"Duplicate value: {_go_value(family)}")
        seen.add(family)
    invalid = False
    parsed: list[IPAddress | None] = []
    for index, ip in enumerate(ips):
        if index == 0 and ip == "None":
            if len(ips) > 1:
                invalid = True
                message = f"Invalid value: {_go_value(ips)}: 'None' must be the first and only value"
                yield _finding(document, "/spec/clusterIPs", INVALID_RULE, message)
            parsed.append(None)
            continue
        address = parse_ip_sloppy(ip)
        parsed.append(address)
        if address is None:
            invalid = True
            where = service.ip_pointer(index)
            message = f"Invalid value: {_go_value(ip)}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
            yield _finding(document, where, INVALID_RULE, message)
    if len(ips) > 2:
        message = f"Invalid value: {_go_value(ips)}: may only hold up to 2 values"
        yield _finding(document, "/spec/clusterIPs", INVALID_RULE, message)
    if invalid:
        return  # "we stop here if there are errors in clusterIPs validation"
    if len(ips) > 1 and len({address.version for address in parsed if address is not None}) < len(ips):
        message = f"Invalid value: {_go_value(ips)}: may specify no more than one IP for each IP family"
        yield _finding(document, "/spec/clusterIPs", INVALID_RULE, message)
    if service.headless:
        return
    for index, (ip, address) in enumerate(zip(ips, parsed, strict=True)):
        if index >= len(families) or address is None:
            break
        family = families[index]
        if (family == "IPv4" and address.version == 6) or (family == "IPv6" and address.version == 4):
            where = service.ip_pointer(index)
            message = f"Invalid value: {_go_value(ip)}: expected an {family} value as indicated by `ipFamilies[{index}]`"
            yield _finding(document, where, INVALID_RULE, message)


def _non_special_ip(value: str) -> list[str]:
    # IsValidIP, then ValidateNonSpecialIP: what an external IP may not be.
    address = parse_ip_sloppy(value)
    if address is None:
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    problems = []
    if address.is_unspecified:
        problems.append(f"may not be unspecified ({value})")
    if address.is_loopback:
        problems.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if address.is_link_local:
        problems.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    # Go's IsLinkLocalMulticast: 224.0.0.0/24, or ff?2::/16 (any flags, link-local scope).
    raw = address.packed
    if (address.version == 4 and raw[:3] == bytes((224, 0, 0))) or (
        address.version == 6 and raw[0] == 0xFF and raw[1] & 0x0F == 0x02
    ):
        problems.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return problems


def _load_balancer_fields(document: Document, spec: dict[str, Any], service: _Service) -> Iterator[Finding]:
    if service.type is None:
        return
    load_balancer = service.type == "LoadBalancer"
    ranges = spec.get("loadBalancerSourceRanges")
    if isinstance(ranges, list) and ranges:
        # Go names this path `spec.LoadBalancerSourceRanges` (capital L); the pointer is the field.
        if not load_balancer:
            yield _finding(document, "/spec/loadBalancerSourceRanges", FORBIDDEN_RULE, _ONLY_LOAD_BALANCER)
        for index, value in enumerate(ranges):
            if isinstance(value, str) and not parse_cidr_sloppy(value.strip()):
                # "due to a historical accident ... these values are allowed to be space-padded".
                message = f"Invalid value: {_go_value(value.strip())}: must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
                yield _finding(
                    document, _join("/spec/loadBalancerSourceRanges", index), INVALID_RULE, message
                )
    else:
        annotations = _at(document.value, "/metadata/annotations")
        value = annotations.get(_SOURCE_RANGES_ANNOTATION) if isinstance(annotations, dict) else None
        if isinstance(value, str):
            pointer = _join("/metadata/annotations", _SOURCE_RANGES_ANNOTATION)
            if not load_balancer:
                yield _finding(document, pointer, FORBIDDEN_RULE, _ONLY_LOAD_BALANCER)
            for cidr in value.strip().split(",") if value.strip() else []:
                if not parse_cidr_sloppy(cidr.strip()):
                    message = f"Invalid value: {_go_value(cidr.strip())}: must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
                    yield _finding(document, pointer, INVALID_RULE, message)
    if spec.get("allocateLoadBalancerNodePorts") is not None and not load_balancer:
        yield _finding(document, "/spec/allocateLoadBalancerNodePorts", FORBIDDEN_RULE, _ONLY_LOAD_BALANCER)
    # validateLoadBalancerClassField (create): a qualified name on a LoadBalancer, else forbidden.
    load_balancer_class = spec.get("loadBalancerClass")
    if isinstance(load_balancer_class, str):
        if load_balancer:
            problems = is_qualified_name(load_balancer_class)
            yield from _invalid(document, "/spec/loadBalancerClass", load_balancer_class, problems)
        else:
            yield _finding(document, "/spec/loadBalancerClass", FORBIDDEN_RULE, _ONLY_LOAD_BALANCER)


def _traffic_policy(
    document: Document, spec: dict[str, Any], service: _Service, external_ips: Any
) -> Iterator[Finding]:
    # validateServiceExternalTrafficPolicy with pkg/api/service ExternallyAccessible and
    # NeedsHealthCheck. SetDefaults_Service sets an externally-accessible Service's empty policy to
    # Cluster; the value set is the schema enum's (corekinds).
    if service.type is None:
        return
    accessible = service.type in ("LoadBalancer", "NodePort") or (
        service.type == "ClusterIP" and isinstance(external_ips, list) and len(external_ips) > 0
    )
    policy = spec.get("externalTrafficPolicy")
    if not accessible and isinstance(policy, str) and policy:
        message = f"Invalid value: {_go_value(policy)}: may only be set for externally-accessible services"
        yield _finding(document, "/spec/externalTrafficPolicy", INVALID_RULE, message)
    needs_health_check = service.type == "LoadBalancer" and policy == "Local"
    health_port = spec.get("healthCheckNodePort")
    if not _is_int(health_port) or health_port == 0:
        return  # 0 or absent: allocated when needed
    pointer = "/spec/healthCheckNodePort"
    if not needs_health_check:
        message = (
            f"Invalid value: {health_port}: may only be set when `type` is 'LoadBalancer' and "
            "`externalTrafficPolicy` is 'Local'"
        )
        yield _finding(document, pointer, INVALID_RULE, message)
    else:
        yield from _invalid(document, pointer, health_port, is_valid_port_num(health_port))


def _service_port(
    document: Document, port: dict[str, Any], pointer: str, *, require_name: bool, names: set[str]
) -> Iterator[Finding]:
    # validateServicePort(sp, requireName = len(Ports) > 1, ...).
    name = port.get("name")
    name_pointer = join_pointer(pointer, "name")
    if require_name and (name is None or name == ""):
        yield _finding(document, name_pointer, REQUIRED_RULE, "Required value")
    elif isinstance(name, str) and name:
        yield from _invalid(document, name_pointer, name, is_dns1123_label(name))
        if name in names:
            yield _finding(document, name_pointer, DUPLICATE_RULE, f'Duplicate value: "{name}"')
        names.add(name)
    number = port.get("port")
    if _is_int(number):
        yield from _invalid(document, join_pointer(pointer, "port"), number, is_valid_port_num(number))
    # ValidatePortNumOrName on targetPort. SetDefaults_Service replaces a targetPort of 0 or ""
    # with the port first, so only a value given and not one of those is checked.
    target = port.get("targetPort")
    target_pointer = join_pointer(pointer, "targetPort")
    if _is_int(target) and target != 0:
        yield from _invalid(document, target_pointer, target, is_valid_port_num(target))
    elif isinstance(target, str) and target:
        yield from _invalid(document, target_pointer, target, is_valid_port_name(target))
    # `if sp.AppProtocol != nil`: ValidateQualifiedName.
    app_protocol = port.get("appProtocol")
    if isinstance(app_protocol, str):
        problems = is_qualified_name(app_protocol)
        yield from _invalid(document, join_pointer(pointer, "appProtocol"), app_protocol, problems)


# --- ConfigMap (validation.go ValidateConfigMap) -----------------------------------------------


def _config_map(document: Document) -> Iterator[Finding]:
    data = _at(document.value, "/data")
    data = data if isinstance(data, dict) else {}
    binary = _at(document.value, "/binaryData")
    binary = binary if isinstance(binary, dict) else {}
    total = 0
    for key, value in data.items():
        here = join_pointer("/data", key)
        yield from _invalid(document, here, key, is_config_map_key(key))
        # "check if we have a duplicate key in the other bag": reported at the data key.
        if key in binary:
            yield _finding(
                document,
                here,
                INVALID_RULE,
                f'Invalid value: "{key}": duplicate of key present in binaryData',
            )
        if isinstance(value, str):
            total += len(value.encode("utf-8", "surrogatepass"))
    for key, value in binary.items():
        yield from _invalid(document, join_pointer("/binaryData", key), key, is_config_map_key(key))
        if isinstance(value, str):
            # An undecodable value is the schema's `format: byte` finding; it never reaches
            # ValidateConfigMap, so it adds nothing here.
            with contextlib.suppress(CorruptInputError):
                total += len(decode_std_base64(value.encode("utf-8", "surrogatepass")))
    if total > MAX_SECRET_SIZE:
        # field.TooLong(field.NewPath(""), cfg, core.MaxSecretSize): the whole object.
        yield _finding(
            document,
            "",
            TOO_LONG_RULE,
            f"Too long: may not be more than {MAX_SECRET_SIZE} bytes (data and binaryData hold {total})",
        )


# --- Namespace: ValidateNamespace calls ValidateObjectMeta with ValidateNamespaceName
# (NameIsDNSLabel); that name rule is applied by metadata.validate_object_meta (`meta.name`),
# chosen per kind by NAME_RULES.


def minimal_name_requirements(name: str, prefix: bool) -> list[str]:
    """rbac/validation `minimalNameRequirements`: `path.IsValidPathSegmentName`, prefix or not.

    The name rule of Role, ClusterRole and both bindings: `system:aggregate-to-admin` is a valid
    ClusterRole name though it is no DNS subdomain.
    """
    return name_is_path_segment(name, False)


NAME_RULES: dict[str, NameValidator] = {
    "Namespace": name_is_dns_label,
    # ValidateService: ValidateServiceName is NameIsDNS1035Label, or NameIsDNSLabel with the
    # RelaxedServiceNameValidation gate (alpha in 1.34). The DNS label, which both accept, is
    # checked: a dotted name is refused either way; a leading digit is left alone.
    "Service": name_is_dns_label,
    # ValidateRole, ValidateClusterRole, ValidateRoleBinding, ValidateClusterRoleBinding.
    "Role": minimal_name_requirements,
    "ClusterRole": minimal_name_requirements,
    "RoleBinding": minimal_name_requirements,
    "ClusterRoleBinding": minimal_name_requirements,
}


# --- Role and ClusterRole (k8s.io/kubernetes pkg/apis/rbac/validation/validation.go) -------------

RBAC_GROUP = "rbac.authorization.k8s.io"


def _role(document: Document, *, namespaced: bool) -> Iterator[Finding]:
    # ValidateRole / ValidateClusterRole call ValidatePolicyRule on every rule.
    rules = _at(document.value, "/rules")
    if not isinstance(rules, list):
        return
    for index, rule in enumerate(rules):
        if isinstance(rule, dict):
            yield from _policy_rule(document, rule, join_pointer("/rules", index), namespaced=namespaced)


def _policy_rule(
    document: Document, rule: dict[str, Any], pointer: str, *, namespaced: bool
) -> Iterator[Finding]:
    def given(name: str) -> bool:
        value = rule.get(name)
        return isinstance(value, list) and len(value) > 0

    # `len(rule.Verbs) == 0`: an absent `verbs` is already the schema's `schema.required`
    # (PolicyRule requires it), so only an empty list is left for this rule.
    if rule.get("verbs") == []:
        yield _finding(
            document,
            join_pointer(pointer, "verbs"),
            REQUIRED_RULE,
            "Required value: verbs must contain at least one value",
        )
    if given("nonResourceURLs"):
        urls = join_pointer(pointer, "nonResourceURLs")
        if namespaced:
            yield _finding(
                document,
                urls,
                INVALID_RULE,
                "Invalid value: namespaced rules cannot apply to non-resource URLs",
            )
        if given("apiGroups") or given("resources") or given("resourceNames"):
            yield _finding(
                document,
                urls,
                INVALID_RULE,
                "Invalid value: rules cannot apply to both regular resources and non-resource URLs",
            )
        return
    if not given("apiGroups"):
        yield _finding(
            document,
            join_pointer(pointer, "apiGroups"),
            REQUIRED_RULE,
            "Required value: resource rules must supply at least one api group",
        )
    if not given("resources"):
        yield _finding(
            document,
            join_pointer(pointer, "resources"),
            REQUIRED_RULE,
            "Required value: resource rules must supply at least one resource",
        )


def _not_supported(value: str, supported: tuple[str, ...]) -> str:
    # field.NotSupported's wording: `Unsupported value: "x": supported values: "a", "b"`.
    listed = ", ".join(f'"{item}"' for item in supported)
    return f'Unsupported value: "{value}": supported values: {listed}'


# --- RoleBinding and ClusterRoleBinding (rbac/validation ValidateRoleBinding,
# ValidateClusterRoleBinding, validateRoleBindingSubject), after rbac/v1 defaulting:
# SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding fill an empty roleRef.apiGroup with
# rbac.authorization.k8s.io, SetDefaults_Subject an empty subject apiGroup ("" for a
# ServiceAccount, rbac.authorization.k8s.io for a User or Group). Absent required strings
# (roleRef.kind/name, subject kind/name) are the schema's `schema.required`; only values given
# are checked here, so nothing is reported twice.


def _binding(document: Document, *, namespaced: bool) -> Iterator[Finding]:
    role_ref = _at(document.value, "/roleRef")
    if isinstance(role_ref, dict):
        yield from _role_ref(document, role_ref, namespaced=namespaced)
    subjects = _at(document.value, "/subjects")
    if isinstance(subjects, list):
        for index, subject in enumerate(subjects):
            if isinstance(subject, dict):
                here = join_pointer("/subjects", index)
                yield from _subject(document, subject, here, namespaced=namespaced)


def _role_ref(document: Document, role_ref: dict[str, Any], *, namespaced: bool) -> Iterator[Finding]:
    api_group = role_ref.get("apiGroup")
    if isinstance(api_group, str) and api_group and api_group != RBAC_GROUP:
        message = _not_supported(api_group, (RBAC_GROUP,))
        yield _finding(document, "/roleRef/apiGroup", NOT_SUPPORTED_RULE, message)
    kind = role_ref.get("kind")
    kinds = ("Role", "ClusterRole") if namespaced else ("ClusterRole",)
    if isinstance(kind, str) and kind not in kinds:
        yield _finding(document, "/roleRef/kind", NOT_SUPPORTED_RULE, _not_supported(kind, kinds))
    name = role_ref.get("name")
    if name == "":
        yield _finding(document, "/roleRef/name", REQUIRED_RULE, "Required value")
    elif isinstance(name, str):
        yield from _invalid(document, "/roleRef/name", name, minimal_name_requirements(name, False))


_SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def _subject(
    document: Document, subject: dict[str, Any], pointer: str, *, namespaced: bool
) -> Iterator[Finding]:
    name = subject.get("name")
    name_pointer = join_pointer(pointer, "name")
    if name == "":
        yield _finding(document, name_pointer, REQUIRED_RULE, "Required value")
    kind = subject.get("kind")
    if not isinstance(kind, str):
        return  # absent or mistyped: the schema's finding
    api_group = subject.get("apiGroup")
    api_group = api_group if isinstance(api_group, str) else ""
    group_pointer = join_pointer(pointer, "apiGroup")
    if kind == "ServiceAccount":
        if isinstance(name, str) and name:
            # ValidateServiceAccountName is NameIsDNSSubdomain.
            yield from _invalid(document, name_pointer, name, name_is_dns_subdomain(name, False))
        if api_group:
            yield _finding(document, group_pointer, NOT_SUPPORTED_RULE, _not_supported(api_group, ("",)))
        namespace = subject.get("namespace")
        if not namespaced and not (isinstance(namespace, str) and namespace):
            yield _finding(document, join_pointer(pointer, "namespace"), REQUIRED_RULE, "Required value")
    elif kind in ("User", "Group"):
        if name == "":
            what = "user" if kind == "User" else "group"
            yield _finding(
                document, name_pointer, INVALID_RULE, f'Invalid value: "": {what} name cannot be empty'
            )
        if (api_group or RBAC_GROUP) != RBAC_GROUP:
            yield _finding(
                document, group_pointer, NOT_SUPPORTED_RULE, _not_supported(api_group, (RBAC_GROUP,))
            )
    else:
        yield _finding(
            document, join_pointer(pointer, "kind"), NOT_SUPPORTED_RULE, _not_supported(kind, _SUBJECT_KINDS)
        )


# --- Ingress (k8s.io/kubernetes pkg/apis/networking/validation/validation.go ValidateIngressCreate,
# ValidateIngressSpec). networking/v1 has no Ingress defaulting, and a new object gets the strict
# options: AllowInvalidSecretName and AllowInvalidWildcardHostRule false. Required fields the v1
# schema already requires (`pathType`, `backend`, `service.name`, `paths`) are its findings when
# absent; only values given are checked here.

_PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")  # supportedPathTypes.List(), sorted
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")
_INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def _ingress(document: Document) -> Iterator[Finding]:
    spec = _at(document.value, "/spec")
    spec = spec if isinstance(spec, dict) else {}
    rules = spec.get("rules")
    rules = rules if isinstance(rules, list) else []
    default_backend = spec.get("defaultBackend")
    if not rules and default_backend is None:
        message = "Invalid value: either `defaultBackend` or `rules` must be specified"
        yield _finding(document, "/spec", INVALID_RULE, message)
    if isinstance(default_backend, dict):
        yield from _ingress_backend(document, default_backend, "/spec/defaultBackend")
    for index, rule in enumerate(rules):
        if isinstance(rule, dict):
            yield from _ingress_rule(document, rule, join_pointer("/spec/rules", index))
    tls = spec.get("tls")
    for index, item in enumerate(tls if isinstance(tls, list) else []):
        if isinstance(item, dict):
            yield from _ingress_tls(document, item, join_pointer("/spec/tls", index))
    class_name = spec.get("ingressClassName")
    if isinstance(class_name, str):
        # ValidateIngressClassName is NameIsDNSSubdomain.
        class_problems = name_is_dns_subdomain(class_name, False)
        yield from _invalid(document, "/spec/ingressClassName", class_name, class_problems)
        # ValidateIngressCreate: the legacy annotation must agree with the field. Compared only for
        # a valid class name: an invalid one (`<ingress-class>`, a placeholder the reader replaces)
        # has its own finding, at its own path.
        annotations = _at(document.value, "/metadata/annotations")
        annotation = annotations.get(_INGRESS_CLASS_ANNOTATION) if isinstance(annotations, dict) else None
        if isinstance(annotation, str) and annotation != class_name and not class_problems:
            pointer = join_pointer("/metadata/annotations", _INGRESS_CLASS_ANNOTATION)
            message = f'Invalid value: "{annotation}": must match `ingressClassName` when both are specified'
            yield _finding(document, pointer, INVALID_RULE, message)


def _host_problems(host: str) -> list[str]:
    # validateIngressRules / validateIngressTLS: a wildcard host is checked as one, others as a
    # DNS subdomain.
    if "*" in host:
        return is_wildcard_dns1123_subdomain(host)
    return is_dns1123_subdomain(host)


def _ingress_rule(document: Document, rule: dict[str, Any], pointer: str) -> Iterator[Finding]:
    host = rule.get("host")
    if isinstance(host, str) and host:
        host_pointer = join_pointer(pointer, "host")
        problems = ["must be a DNS name, not an IP address"] if parse_ip_sloppy(host) is not None else []
        yield from _invalid(document, host_pointer, host, problems + _host_problems(host))
    http = rule.get("http")
    if not isinstance(http, dict):
        return
    paths = http.get("paths")
    http_pointer = join_pointer(pointer, "http")
    if paths == []:
        yield _finding(document, join_pointer(http_pointer, "paths"), REQUIRED_RULE, "Required value")
    for index, path in enumerate(paths if isinstance(paths, list) else []):
        if isinstance(path, dict):
            yield from _ingress_path(document, path, join_pointer(join_pointer(http_pointer, "paths"), index))


def _ingress_path(document: Document, path: dict[str, Any], pointer: str) -> Iterator[Finding]:
    # validateHTTPIngressPath.
    path_type = path.get("pathType")
    if not isinstance(path_type, str):
        return  # absent: the schema's required finding (and Go returns before the backend)
    value = path.get("path")
    value = value if isinstance(value, str) else ""
    path_pointer = join_pointer(pointer, "path")
    problems: list[str] = []
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            problems.append("must be an absolute path")
        problems += [
            f"must not contain '{sequence}'" for sequence in _INVALID_PATH_SEQUENCES if sequence in value
        ]
        problems += [
            f"cannot end with '{suffix}'" for suffix in _INVALID_PATH_SUFFIXES if value.endswith(suffix)
        ]
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            problems.append("must be an absolute path")
    else:
        message = _not_supported(path_type, _PATH_TYPES)
        yield _finding(document, join_pointer(pointer, "pathType"), NOT_SUPPORTED_RULE, message)
    yield from _invalid(document, path_pointer, value, problems)
    backend = path.get("backend")
    if isinstance(backend, dict):
        yield from _ingress_backend(document, backend, join_pointer(pointer, "backend"))


def _ingress_backend(document: Document, backend: dict[str, Any], pointer: str) -> Iterator[Finding]:
    # validateIngressBackend: exactly one of resource and service.
    resource = backend.get("resource")
    service = backend.get("service")
    if resource is not None and service is not None:
        yield _finding(
            document,
            pointer,
            INVALID_RULE,
            'Invalid value: "": cannot set both resource and service backends',
        )
        return
    if isinstance(resource, dict):
        yield from _typed_local_reference(document, resource, join_pointer(pointer, "resource"))
    elif isinstance(service, dict):
        yield from _ingress_service(document, service, pointer)
    elif resource is None and service is None:
        yield _finding(
            document, pointer, INVALID_RULE, 'Invalid value: "": resource or service backend is required'
        )


def _ingress_service(document: Document, service: dict[str, Any], pointer: str) -> Iterator[Finding]:
    name = service.get("name")
    name_pointer = _join(pointer, "service", "name")
    if name == "":
        yield _finding(document, name_pointer, REQUIRED_RULE, "Required value")
    elif isinstance(name, str):
        # ValidateServiceName is NameIsDNS1035Label unless the RelaxedServiceNameValidation gate is
        # on (alpha in 1.34, off by default), then NameIsDNSLabel. The DNS label, which both accept,
        # is checked: a name starting with a digit is left alone rather than reported falsely on a
        # cluster with the gate on.
        yield from _invalid(document, name_pointer, name, name_is_dns_label(name, False))
    port = service.get("port")
    port = port if isinstance(port, dict) else {}
    port_name = port.get("name")
    number = port.get("number")
    if not (port_name is None or isinstance(port_name, str)) or not (number is None or _is_int(number)):
        return  # mistyped: the schema's finding
    port_name = port_name or ""
    number = number or 0
    if port_name and number:
        yield _finding(
            document, pointer, INVALID_RULE, 'Invalid value: "": cannot set both port name & port number'
        )
    elif port_name:
        yield from _invalid(
            document, _join(pointer, "service", "port", "name"), port_name, is_valid_port_name(port_name)
        )
    elif number:
        yield from _invalid(
            document, _join(pointer, "service", "port", "number"), number, is_valid_port_num(number)
        )
    else:
        yield _finding(document, pointer, REQUIRED_RULE, "Required value: port name or number is required")


def _typed_local_reference(document: Document, reference: dict[str, Any], pointer: str) -> Iterator[Finding]:
    # validateIngressTypedLocalObjectReference: apiGroup a DNS subdomain when given; kind and name
    # required and path segments (`content.IsPathSegmentName`).
    api_group = reference.get("apiGroup")
    if isinstance(api_group, str):
        yield from _invalid(
            document, join_pointer(pointer, "apiGroup"), api_group, is_dns1123_subdomain(api_group)
        )
    for member in ("kind", "name"):
        value = reference.get(member)
        here = join_pointer(pointer, member)
        if value == "":
            yield _finding(document, here, REQUIRED_RULE, "Required value")
        elif isinstance(value, str):
            yield from _invalid(document, here, value, name_is_path_segment(value, False))


def _ingress_tls(document: Document, tls: dict[str, Any], pointer: str) -> Iterator[Finding]:
    hosts = tls.get("hosts")
    for index, host in enumerate(hosts if isinstance(hosts, list) else []):
        if isinstance(host, str):
            here = join_pointer(join_pointer(pointer, "hosts"), index)
            yield from _invalid(document, here, host, _host_problems(host))
    secret_name = tls.get("secretName")
    if isinstance(secret_name, str) and secret_name:
        # validateTLSSecretName: ValidateSecretName, NameIsDNSSubdomain.
        yield from _invalid(
            document,
            join_pointer(pointer, "secretName"),
            secret_name,
            name_is_dns_subdomain(secret_name, False),
        )


# --- PersistentVolumeClaim (validation.go ValidatePersistentVolumeClaim,
# ValidatePersistentVolumeClaimSpec, validateDataSource, validateDataSourceRef), with the options
# of a create (ValidationOptionsForPersistentVolumeClaim(pvc, nil)). SetDefaults_PersistentVolumeClaimSpec
# fills an absent volumeMode with Filesystem; the registry's NormalizeDataSources copies a lone
# dataSource to dataSourceRef and back, so only two written and different can disagree.

_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")  # sorted
_VOLUME_MODES = ("Block", "Filesystem")
# apimachinery resource.ParseQuantity's grammar: a signed decimal number, then a binary SI suffix,
# a decimal SI suffix or a decimal exponent.
_QUANTITY = re.compile(r"([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?")


def _quantity_is_positive(value: Any) -> bool | None:
    """Whether a quantity is greater than zero; None when it is no quantity (not this rule's to say)."""
    if _is_int(value) or isinstance(value, float):
        return value > 0
    if not isinstance(value, str):
        return None
    match = _QUANTITY.fullmatch(value)
    if match is None:
        return None
    # A positive mantissa stays positive whatever the suffix (ParseQuantity rounds up).
    return match.group(1) != "-" and any(digit in "123456789" for digit in match.group(2))


def _quantity_text(value: Any) -> str:
    """How Go shows a quantity that is not positive: `value.String()`, a string, so quoted.

    String() is the canonical form (apimachinery resource/quantity.go CanonicalizeBytes), in
    which any zero (`0`, `0Gi`, `0.0`) is "0". A negative one is shown as written (`-1Gi`): Go
    would also rewrite e.g. `-1024Mi` as `-1Gi` and `-0.5` as `-500m`, which is not modelled.
    """
    if isinstance(value, str):
        match = _QUANTITY.fullmatch(value)
        zero = match is not None and not any(digit in "123456789" for digit in match.group(2))
    else:
        zero = value == 0
    return '"0"' if zero else f'"{value}"'


def _persistent_volume_claim(document: Document) -> Iterator[Finding]:
    spec = _at(document.value, "/spec")
    spec = spec if isinstance(spec, dict) else {}
    modes = spec.get("accessModes")
    if modes is None or modes == []:
        yield _finding(
            document, "/spec/accessModes", REQUIRED_RULE, "Required value: at least 1 access mode is required"
        )
    modes = modes if isinstance(modes, list) else []
    once_pod = other = False
    for index, mode in enumerate(modes):
        if not isinstance(mode, str):
            continue
        if mode not in _ACCESS_MODES:
            # Go reports each at `spec.accessModes`; the path is the mode itself, so that one
            # finding per mode has its own place and a placeholder mode explains its finding away.
            message = _not_supported(mode, _ACCESS_MODES)
            yield _finding(document, _join("/spec/accessModes", index), NOT_SUPPORTED_RULE, message)
        elif mode == "ReadWriteOncePod":
            once_pod = True
        else:
            other = True
    if once_pod and other:
        message = "Forbidden: may not use ReadWriteOncePod with other access modes"
        yield _finding(document, "/spec/accessModes", FORBIDDEN_RULE, message)
    yield from _storage_request(document, spec)
    class_name = spec.get("storageClassName")
    if isinstance(class_name, str) and class_name:
        # ValidateClassName is NameIsDNSSubdomain.
        yield from _invalid(
            document, "/spec/storageClassName", class_name, name_is_dns_subdomain(class_name, False)
        )
    volume_mode = spec.get("volumeMode")
    if isinstance(volume_mode, str) and volume_mode not in _VOLUME_MODES:
        yield _finding(
            document, "/spec/volumeMode", NOT_SUPPORTED_RULE, _not_supported(volume_mode, _VOLUME_MODES)
        )
    source = spec.get("dataSource")
    reference = spec.get("dataSourceRef")
    if isinstance(source, dict):
        yield from _data_source(document, source, "/spec/dataSource")
    if isinstance(reference, dict):
        yield from _data_source(document, reference, "/spec/dataSourceRef")
        namespace = reference.get("namespace")
        if isinstance(namespace, str) and namespace:
            yield from _invalid(
                document, "/spec/dataSourceRef/namespace", namespace, name_is_dns_label(namespace, False)
            )
    if isinstance(source, dict) and isinstance(reference, dict):
        namespace = reference.get("namespace")
        if isinstance(namespace, str) and namespace:
            message = 'Invalid value: "spec.dataSource": may not be specified when dataSourceRef.namespace is specified'
            yield _finding(document, "/spec", INVALID_RULE, message)
        elif any(source.get(key) != reference.get(key) for key in ("apiGroup", "kind", "name")):
            # isDataSourceEqualDataSourceRef: apiGroup (nil and "" differ in Go; both absent here
            # compare equal, as the copies NormalizeDataSources makes do), kind and name.
            yield _finding(
                document, "/spec", INVALID_RULE, 'Invalid value: "spec.dataSource": must match dataSourceRef'
            )


def _storage_request(document: Document, spec: dict[str, Any]) -> Iterator[Finding]:
    # `spec.Resources.Requests[storage]`: required and positive. Go's path is
    # `spec.resources[storage]` (fldPath.Child("resources").Key("storage")): a missing request is
    # reported there, located at the nearest of requests, resources, spec; a value that is not
    # positive at the value written (the path a placeholder there has).
    pointer = "/spec/resources/storage"
    requests = _at(spec, "/resources/requests")
    if requests is not None and not isinstance(requests, dict):
        return  # mistyped: the schema's finding
    requests = requests or {}
    if "storage" not in requests:
        where = next(
            (
                place
                for place in ("/spec/resources/requests", "/spec/resources")
                if _at(document.value, place) is not None
            ),
            "/spec",
        )
        message = "Required value: spec.resources.requests.storage"
        yield _finding_at(document, pointer, REQUIRED_RULE, message, where)
        return
    storage = requests["storage"]
    if _quantity_is_positive(storage) is False:
        # ValidatePositiveQuantityValue.
        message = f"Invalid value: {_quantity_text(storage)}: must be greater than zero"
        yield _finding(document, "/spec/resources/requests/storage", INVALID_RULE, message)


def _data_source(document: Document, source: dict[str, Any], pointer: str) -> Iterator[Finding]:
    # validateDataSource / validateDataSourceRef. Absent name and kind are the schema's
    # `schema.required`; only empty ones are reported here.
    for member in ("name", "kind"):
        if source.get(member) == "":
            yield _finding(document, join_pointer(pointer, member), REQUIRED_RULE, "Required value")
    api_group = source.get("apiGroup")
    api_group = api_group if isinstance(api_group, str) else ""
    kind = source.get("kind")
    if not api_group and isinstance(kind, str) and kind != "PersistentVolumeClaim":
        message = f"Invalid value: {_go_value(kind)}: must be 'PersistentVolumeClaim' when referencing the default apiGroup"
        yield _finding(document, pointer, INVALID_RULE, message)
    if api_group:
        yield from _invalid(
            document, join_pointer(pointer, "apiGroup"), api_group, is_dns1123_subdomain(api_group)
        )


_OTHER_KINDS: dict[str, Callable[[Document], Iterator[Finding]]] = {
    "Service": _service,
    "PersistentVolumeClaim": _persistent_volume_claim,
    "ConfigMap": _config_map,
}
