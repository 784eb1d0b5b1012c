"""corekinds.py: built-in kinds against the upstream Kubernetes schemas (extracted from kubernetes-validate)."""

from __future__ import annotations

import gzip
import importlib.metadata
import json
import re
from pathlib import Path

import pytest

from conftest import REPO
from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.engine import corekinds
from mkdocs_appreg.engine.corekinds import CoreSchemas, available_versions
from mkdocs_appreg.engine.documents import Document, parse_documents

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
        'unknown field "spec.replicaz"; did you mean "replicas"?',
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
        (9, 7, "schema.unknown-field", 'unknown field "spec.ports[0].nodeport"; did you mean "nodePort"?')
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
    hint = (
        ""
        if corekinds.upstream_versions()
        else " (newer ones: pip install 'mkdocs-appreg[kubernetes-validate]')"
    )
    assert str(raised.value) == (
        f"Kubernetes version {version!r} has no schemas; available: {', '.join(available_versions())}{hint}"
    )


def test_without_kubernetes_validate_the_shipped_releases_serve_and_a_newer_one_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(corekinds, "_upstream_root", lambda: None)
    for cached in (corekinds.upstream_versions, corekinds.available_versions, corekinds._release):
        cached.cache_clear()
    try:
        assert available_versions() == corekinds.extracted_versions()
        core = CoreSchemas("1.37")
        assert core.knows("apps/v1", "Deployment")
        assert [f.rule for d in documents("core-invalid.yaml") for f in core.validate(d) or []][:2] == [
            "schema.required",
            "schema.unknown-field",
        ]
        with pytest.raises(ConfigError) as raised:
            CoreSchemas("1.38")
        assert str(raised.value).endswith(
            "available: "
            + ", ".join(f"1.{m}" for m in range(25, 38))
            + " (newer ones: pip install 'mkdocs-appreg[kubernetes-validate]')"
        )
    finally:
        monkeypatch.undo()
        for cached in (corekinds.upstream_versions, corekinds.available_versions, corekinds._release):
            cached.cache_clear()


def test_kinds_added_in_a_later_release() -> None:
    # ValidatingAdmissionPolicy reached admissionregistration.k8s.io/v1 in Kubernetes 1.30.
    assert CoreSchemas("1.30").knows("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")
    assert not CoreSchemas("1.29").knows("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")


# --- the extract shipped in the package -----------------------------------------------------------


def test_the_package_ships_the_strict_schemas_of_thirteen_releases() -> None:
    assert corekinds.extracted_versions() == tuple(f"1.{minor}" for minor in range(25, 38))
    assert set(corekinds.extracted_versions()) <= set(available_versions())


def test_the_extract_is_current() -> None:
    """Each extracted release equals the installed kubernetes-validate's (skipped without it).

    On a difference: `python scripts/extract_kube_schemas.py`, and raise kubernetes-validate's
    lower bound in the `test` extra to the version extracted from.
    """
    root = corekinds._upstream_root()
    if root is None:
        pytest.skip("kubernetes-validate is not installed")
    wanted = re.search(r"kubernetes-validate>=([0-9.]+)", (REPO / "pyproject.toml").read_text())
    assert wanted is not None, "pyproject.toml's test extra names the kubernetes-validate extracted from"
    installed = importlib.metadata.version("kubernetes-validate")
    if tuple(map(int, installed.split("."))) < tuple(map(int, wanted[1].split("."))):
        pytest.skip(f"kubernetes-validate {installed} is older than the {wanted[1]} extracted from")
    upstream = corekinds.upstream_versions()
    assert upstream == corekinds.extracted_versions(), "releases differ: run scripts/extract_kube_schemas.py"
    for version in upstream:
        with gzip.open(corekinds._EXTRACT_DIR / f"v{version}.json.gz") as handle:
            shipped = handle.read()
        fresh = corekinds.extract_bytes(root.joinpath(f"v{version}.0-local-strict"))
        assert shipped == fresh, f"v{version} differs from kubernetes-validate {installed}: run the script"


def test_the_extract_holds_only_what_is_read() -> None:
    release = corekinds._Release("1.37")
    names = release.names()
    assert "_definitions.json" in names and "all.json" not in names
    assert all(corekinds.is_kind_file(name, release.read(name)) for name in names)
    assert "deployment-apps-v1.json" in names
    assert release.read("nothing-v1.json") is None and release.definition("io.k8s.Nothing") is None


def test_the_extract_is_read_per_entry() -> None:
    # Its first line indexes the entries: one kind's validation parses that kind's file and
    # the definitions it reaches, not the whole release.
    with gzip.open(corekinds._EXTRACT_DIR / "v1.37.json.gz") as handle:
        head, _, body = handle.read().partition(b"\n")
    index = json.loads(head)
    assert set(index) == {"files", "defs", "header"}
    start, length = index["defs"]["io.k8s.api.core.v1.ConfigMap"]
    assert json.loads(body[start : start + length])["properties"]["data"]["additionalProperties"]
    release = corekinds._Release("1.37")
    definitions = corekinds.Definitions(release)
    reached = definitions.closure(release.read("configmap-v1.json"))
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in reached
    assert set(definitions._parsed) == set(reached) and 0 < len(reached) < len(index["defs"]) / 10
    # The whole `_definitions.json` is the same entries, for the checks that need all of it.
    whole = corekinds._Release("1.37").read(corekinds.DEFINITIONS)
    assert whole["$id"] == "https://kubernetes.io/api/_definitions.json"
    assert set(whole["$defs"]) == set(index["defs"])


def test_coverage_names_the_releases_and_asks_for_a_pin() -> None:
    line = corekinds.coverage()
    assert line.startswith("Kubernetes schemas: 1.25 to 1.37 shipped")
    assert f"kubernetes_version unset means {available_versions()[-1]}" in line
    assert line.endswith("pin the release you run (kubernetes_version: '1.37')")


def test_without_jsonschema_rs_the_slow_path_gives_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    with_gate = [f for d in documents("core-invalid.yaml") for f in CoreSchemas("1.31").validate(d) or []]
    monkeypatch.setattr(corekinds, "_fast_engine", lambda: None)
    without = [f for d in documents("core-invalid.yaml") for f in CoreSchemas("1.31").validate(d) or []]
    assert without == with_gate
    assert [core for core in (CoreSchemas("1.31"),) if core.validate(documents("core-valid.yaml")[3]) == []]


def test_a_release_read_from_kubernetes_validate_gives_the_same_entries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A release the extract lacks is read from kubernetes-validate's folder, per file, with the
    # definitions parsed whole once: the same kind files and definitions as the extract's.
    if corekinds._upstream_root() is None or "1.37" not in corekinds.upstream_versions():
        pytest.skip("kubernetes-validate 1.37 is not installed")
    extract = corekinds._Release("1.37")
    monkeypatch.setattr(corekinds, "extracted_versions", lambda: ())
    folder = corekinds._Release("1.37")
    assert folder._folder is not None and extract._folder is None
    assert folder.read("deployment-apps-v1.json") == extract.read("deployment-apps-v1.json")
    assert sorted(folder.definition_names()) == sorted(extract.definition_names())
    name = "io.k8s.api.core.v1.ConfigMap"
    assert folder.definition(name) == extract.definition(name) is not None
    assert folder.definition("io.k8s.Nothing") is None
