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
import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeGuard

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, join_pointer, split_pointer
from mkdocs_appreg.engine.kinds import parse_api_version
from mkdocs_appreg.engine.metadata import (
    NameValidator,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_wildcard_dns1123_subdomain,
    max_len_error,
    name_is_dns_label,
    name_is_dns_subdomain,
    name_is_path_segment,
)
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


def parse_ip_sloppy(value: str) -> bool:
    """k8s.io/utils/net `ParseIPSloppy` (Go 1.16's net.ParseIP) accepts `value`.

    Go 1.17 began rejecting IPv4 parts with leading zeros; the API server kept the older parser
    for stored data, so `010.1.1.1` is an address (read as decimal 10). No zone (`%eth0`).
    """
    if "%" in value or not value.isascii():
        return False
    if ":" not in value:
        return _ipv4_sloppy(value)
    head, _, tail = value.rpartition(":")
    if "." in tail:  # an IPv4 tail fills the last 32 bits, with the same sloppy parts
        if not _ipv4_sloppy(tail):
            return False
        value = f"{head}:0:0"
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def _ipv4_sloppy(value: str) -> bool:
    parts = value.split(".")
    return len(parts) == 4 and all(part.isdigit() and int(part) <= 255 for part in parts)


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


def _service(document: Document) -> Iterator[Finding]:
    spec = _at(document.value, "/spec")
    spec = spec if isinstance(spec, dict) else {}
    ports = spec.get("ports")
    ports = ports if isinstance(ports, list) else []
    # ValidateService: `len(Ports) == 0 && !isHeadlessService && Type != ExternalName`. The type
    # is defaulted to ClusterIP (SetDefaults_Service) before validation, so an absent type needs
    # ports; a headless Service (clusterIP None) may have none.
    # A Service given only `clusterIPs: [None]` gets clusterIP from it when defaulted; treated as
    # headless too, since a false error on a docs page is worse than a missed one.
    cluster_ips = spec.get("clusterIPs")
    headless = spec.get("clusterIP") == "None" or (
        "clusterIP" not in spec and isinstance(cluster_ips, list) and cluster_ips[:1] == ["None"]
    )
    if not ports and not headless and spec.get("type") != "ExternalName":
        yield _finding(document, "/spec/ports", REQUIRED_RULE, "Required value")
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
        # ValidateService "Check for duplicate NodePorts, considering (protocol,port) pairs".
        node_port = port.get("nodePort")
        if _is_int(node_port) and node_port != 0:
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
        yield from _invalid(
            document, "/spec/ingressClassName", class_name, name_is_dns_subdomain(class_name, False)
        )
        # ValidateIngressCreate: the legacy annotation must agree with the field.
        annotations = _at(document.value, "/metadata/annotations")
        annotation = annotations.get(_INGRESS_CLASS_ANNOTATION) if isinstance(annotations, dict) else None
        if isinstance(annotation, str) and annotation != class_name:
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
        problems = ["must be a DNS name, not an IP address"] if parse_ip_sloppy(host) else []
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


_OTHER_KINDS: dict[str, Callable[[Document], Iterator[Finding]]] = {
    "Service": _service,
    "ConfigMap": _config_map,
}
