"""corekinds.py: built-in kinds against the upstream Kubernetes schemas of kubernetes-validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.engine.corekinds import CoreSchemas, available_versions
from mkdocs_appreg.engine.documents import Document, parse_documents

pytest.importorskip("kubernetes_validate")

CHECKS = Path(__file__).parent / "fixtures" / "checks"


@pytest.fixture(scope="module")
def core() -> CoreSchemas:
    return CoreSchemas("1.31")


def documents(name: str) -> list[Document]:
    parsed = parse_documents((CHECKS / name).read_text(), name)
    assert parsed.findings == []
    return parsed.documents


def test_valid_core_kinds(core: CoreSchemas) -> None:
    valid = documents("core-valid.yaml")
    assert [d.kind for d in valid] == ["Namespace", "ConfigMap", "ServiceAccount", "Deployment", "Service"]
    assert [core.validate(d) for d in valid] == [[]] * 5


def test_invalid_core_kinds(core: CoreSchemas) -> None:
    findings = [f for d in documents("core-invalid.yaml") for f in core.validate(d) or []]
    assert [(f.file, f.line, f.column, f.rule, f.path, f.kind, f.severity) for f in findings] == [
        ("core-invalid.yaml", 6, 1, "schema.required", "/spec", "Deployment", "error"),
        ("core-invalid.yaml", 7, 3, "schema.unknown-field", "/spec/replicaz", "Deployment", "error"),
        ("core-invalid.yaml", 8, 3, "schema.type", "/spec/replicas", "Deployment", "error"),
        (
            "core-invalid.yaml",
            20,
            15,
            "schema.type",
            "/spec/template/spec/containers/0/readinessProbe/httpGet/port",
            "Deployment",
            "error",
        ),
        ("core-invalid.yaml", 27, 3, "schema.enum", "/spec/type", "Service", "error"),
        ("core-invalid.yaml", 36, 3, "schema.type", "/data/retries", "ConfigMap", "error"),
    ]
    assert [f.message for f in findings] == [
        "Required value: spec.selector",
        'unknown field "spec.replicaz"',
        "expected integer, got string",
        # int-or-string is a oneOf of two nullable types: one finding, not one per branch
        "expected string or integer, got array",
        'Unsupported value: "Nodeport": supported values: "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"',
        "expected string, got integer",
    ]


def test_metadata_is_left_to_metadata_py(core: CoreSchemas) -> None:
    deployment = documents("core-invalid.yaml")[0]
    assert deployment.value["metadata"]["surprise"] is True
    assert not any(f.path.startswith("/metadata") for f in core.validate(deployment) or [])


def test_nested_unknown_field_and_null(core: CoreSchemas) -> None:
    text = """\
apiVersion: v1
kind: Service
metadata:
  name: s
spec:
  ports:
    - port: 80
      targetPort: null
      nodeport: 30080
"""
    (document,) = parse_documents(text, "s.yaml").documents
    findings = core.validate(document) or []
    # `targetPort: null` matches both nullable branches of int-or-string: unset, not an error.
    assert [(f.line, f.column, f.rule, f.message) for f in findings] == [
        (9, 7, "schema.unknown-field", 'unknown field "spec.ports[0].nodeport"')
    ]


def test_quantity_is_string_or_number(core: CoreSchemas) -> None:
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: busybox
      resources:
        limits: {cpu: 1, memory: 64Mi}
        requests: {cpu: [1]}
"""
    (document,) = parse_documents(text, "p.yaml").documents
    findings = core.validate(document) or []
    assert [(f.line, f.column, f.rule, f.path, f.message) for f in findings] == [
        (
            11,
            20,
            "schema.type",
            "/spec/containers/0/resources/requests/cpu",
            "expected string or number, got array",
        )
    ]


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("appstore.eda.nokia.com/v1", "Registry"),
        ("apps.example.com/v1", "Deployment"),  # the file name matches apps/v1; the group does not
        ("v1", "Affinity"),  # a type, not a kind
        ("v1", "../secret"),
        ("../v1-local/v1", "Secret"),
        ("a/b/v1", "Secret"),
        ("v2", "ConfigMap"),
        ("", "ConfigMap"),
    ],
)
def test_unknown_kinds(core: CoreSchemas, api_version: str, kind: str) -> None:
    assert not core.knows(api_version, kind)
    text = f"apiVersion: {api_version or 'null'}\nkind: {kind}\nmetadata:\n  name: x\n"
    (document,) = parse_documents(text, "x.yaml").documents
    assert core.validate(document) is None


def test_knows(core: CoreSchemas) -> None:
    assert core.knows("v1", "Secret")
    assert core.knows("apps/v1", "Deployment")
    assert core.knows("rbac.authorization.k8s.io/v1", "ClusterRole")
    assert core.knows("networking.k8s.io/v1", "Ingress")


def test_version_selection() -> None:
    versions = available_versions()
    assert "1.30" in versions and versions == tuple(
        sorted(versions, key=lambda v: tuple(map(int, v.split("."))))
    )
    assert CoreSchemas().version == versions[-1]
    assert CoreSchemas("v1.30").version == "1.30"
    assert CoreSchemas("1.30.4").version == "1.30"


@pytest.mark.parametrize("version", ["1.2", "v2.0", "latest", ""])
def test_unknown_version(version: str) -> None:
    with pytest.raises(ConfigError) as raised:
        CoreSchemas(version)
    assert str(raised.value) == (
        f"Kubernetes version {version!r} has no schemas; available: {', '.join(available_versions())}"
    )


def test_kinds_added_in_a_later_release() -> None:
    # ValidatingAdmissionPolicy reached admissionregistration.k8s.io/v1 in Kubernetes 1.30.
    assert CoreSchemas("1.30").knows("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")
    assert not CoreSchemas("1.29").knows("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")
