"""Core Kubernetes kinds (ConfigMap, Deployment, Service...) validated against upstream schemas.

CRDs describe the EDA kinds; the built-in kinds come from the Kubernetes OpenAPI documents as
shipped, converted to JSON Schema draft 2020-12, by the PyPI package `kubernetes-validate`
(Apache-2.0): one file per kind and group-version (`deployment-apps-v1.json`) in a folder per
Kubernetes release (`v1.37.0-local-strict`; the strict variant closes every object with
`additionalProperties: false`, which is how we find unknown fields), everything else behind
`$ref: "/api/_definitions.json#/$defs/..."` (about 1.8 MB per release).

That package is 72 MB installed (two variants of 13 releases, each kind in many files), and we
read one release's strict half. So the strict files we read (the definitions and the files of
the kinds, nothing else) are extracted into the package, one gzipped JSON per release
(`mkdocs_appreg/kubeschemas/v1.37.json.gz`, 100-300 KB each), by `scripts/extract_kube_schemas.py`;
`tests/test_corekinds.py` fails when the extract differs from the installed kubernetes-validate.
When kubernetes-validate is installed too, the releases it ships that the extract lacks (a
newer one) are read from it; a release both have is read from the extract.

We read those files ourselves rather than calling `kubernetes_validate.validate()`, which re-reads
and re-parses the 1.8 MB definitions on every call and stops at the first error: a release is
parsed once (cached for the process), each kind is compiled once, lazily.

Engine: with the `fast` extra installed, a document is first checked with `jsonschema-rs` (about
4 us per Deployment against about 0.9 ms for the `jsonschema` library, measured on 1,000
Deployments), and only an invalid one is walked again with `jsonschema` for the detail (its
error tree tells which branch of a `oneOf` failed how). Without `jsonschema-rs` (15.7 MB, the
default install), `jsonschema` does both, only slower.

Findings use the CRD engine's rule ids: `schema.type`, `schema.required` (at the parent),
`schema.enum`, `schema.unknown-field` (at the key), `schema.<keyword>` (kebab-case) for the rest.
Two quirks of the generated schemas are smoothed over: every type is nullable (`["string",
"null"]`; `null` is "unset" to the API server), and int-or-string is a `oneOf` of two types, which
is reported as one `schema.type` finding rather than a cascade. `metadata` is left out: ObjectMeta
is `metadata.py`'s job.

The OpenAPI documents carry no enums for fields the API server validates against fixed sets
(`spec.type` of a Service...); the few most common are added from the API server's validation code.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.spelling import did_you_mean
from mkdocs_appreg.engine.corewalk import CoreWalk
from mkdocs_appreg.engine.describe import dotted_path, json_type, pointer_of, schema_rule, show_value
from mkdocs_appreg.engine.documents import Document, join_pointer
from mkdocs_appreg.engine.kinds import parse_api_version

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import jsonschema
    import referencing
    from jsonschema.exceptions import ValidationError


@functools.cache
def _fast_engine() -> Any:
    """`jsonschema_rs` (the fast gate), or None: optional because the detail pass works alone."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return jsonschema_rs


_PACKAGE = "kubernetes_validate"
_SCHEMA_ROOT = "kubernetes-json-schema"
_RE_FOLDER = re.compile(r"^v(?P<major>\d+)\.(?P<minor>\d+)\.0-local-strict$")
_RE_EXTRACT = re.compile(r"^v(?P<major>\d+)\.(?P<minor>\d+)\.json\.gz$")
_EXTRACT_DIR = Path(__file__).resolve().parent.parent / "kubeschemas"
DEFINITIONS = "_definitions.json"
EXTRA_FAST = "pip install 'mkdocs-appreg[fast]'"
EXTRA_UPSTREAM = "pip install 'mkdocs-appreg[kubernetes-validate]'"


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
@functools.cache
def _version() -> re.Pattern[str]:
    return re.compile(r"^v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.\d+)?$")


_DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"

# Fixed value sets the API server enforces but the OpenAPI documents do not list
# (k8s.io/kubernetes pkg/apis/core/validation/validation.go and pkg/apis/apps/validation).
_ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "io.k8s.api.core.v1.ServiceSpec": {
        # supportedServiceType, supportedSessionAffinityType, validateServiceExternalTrafficPolicy,
        # supportedServiceInternalTrafficPolicy, supportedServiceIPFamilyPolicy
        "type": ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"),
        "sessionAffinity": ("ClientIP", "None"),
        "externalTrafficPolicy": ("Cluster", "Local"),
        "internalTrafficPolicy": ("Cluster", "Local"),
        "ipFamilyPolicy": ("SingleStack", "PreferDualStack", "RequireDualStack"),
    },
    # supportedPortProtocols
    "io.k8s.api.core.v1.ServicePort": {"protocol": ("TCP", "UDP", "SCTP")},
    "io.k8s.api.core.v1.ContainerPort": {"protocol": ("TCP", "UDP", "SCTP")},
    # supportedPullPolicies, supportedTerminationMessagePolicies
    "io.k8s.api.core.v1.Container": {
        "imagePullPolicy": ("Always", "Never", "IfNotPresent"),
        "terminationMessagePolicy": ("File", "FallbackToLogsOnError"),
    },
    # validateRestartPolicy, validateDNSPolicy
    "io.k8s.api.core.v1.PodSpec": {
        "restartPolicy": ("Always", "OnFailure", "Never"),
        "dnsPolicy": ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"),
    },
    # apps/validation ValidateDeploymentStrategy
    "io.k8s.api.apps.v1.DeploymentStrategy": {"type": ("Recreate", "RollingUpdate")},
}

# Members whose empty string the API server's defaulting replaces before validation, so `""` is
# as good as leaving them out: SetDefaults_Service (type, sessionAffinity, port protocol; an
# empty externalTrafficPolicy is defaulted or allowed), SetDefaults_ContainerPort,
# SetDefaults_Container (imagePullPolicy, terminationMessagePolicy), SetDefaults_PodSpec
# (restartPolicy, dnsPolicy), apps/v1 SetDefaults_Deployment (strategy type). Not
# internalTrafficPolicy or ipFamilyPolicy: pointers, an empty one is not defaulted and is refused.
_EMPTY_IS_DEFAULTED: frozenset[tuple[str, str]] = frozenset(
    {
        ("io.k8s.api.core.v1.ServiceSpec", "type"),
        ("io.k8s.api.core.v1.ServiceSpec", "sessionAffinity"),
        ("io.k8s.api.core.v1.ServiceSpec", "externalTrafficPolicy"),
        ("io.k8s.api.core.v1.ServicePort", "protocol"),
        ("io.k8s.api.core.v1.ContainerPort", "protocol"),
        ("io.k8s.api.core.v1.Container", "imagePullPolicy"),
        ("io.k8s.api.core.v1.Container", "terminationMessagePolicy"),
        ("io.k8s.api.core.v1.PodSpec", "restartPolicy"),
        ("io.k8s.api.core.v1.PodSpec", "dnsPolicy"),
        ("io.k8s.api.apps.v1.DeploymentStrategy", "type"),
    }
)


def _upstream_root() -> Traversable | None:
    """kubernetes-validate's schema folder, or None when it is not installed."""
    # Locate the package without running its __init__, which imports jsonschema (~0.1 s) for
    # functions we do not call; only its data files are read.
    try:
        spec = importlib.util.find_spec(_PACKAGE)
    except (ImportError, ValueError):  # pragma: no cover - a broken install
        return None
    if spec is None:
        return None
    locations = list(spec.submodule_search_locations or ())
    if locations and Path(locations[0]).is_dir():
        return Path(locations[0]).joinpath(_SCHEMA_ROOT)
    # importlib.resources imports tempfile, shutil and the compression modules: only a zipped
    # install needs it, so every start-up does not pay for it.
    from importlib import resources

    return resources.files(_PACKAGE).joinpath(_SCHEMA_ROOT)  # pragma: no cover - a zipped install


def _listed(root: Traversable | None, pattern: re.Pattern[str]) -> set[tuple[int, int]]:
    if root is None:
        return set()
    try:
        names = [entry.name for entry in root.iterdir()]
    except (FileNotFoundError, NotADirectoryError):
        return set()
    return {(int(m["major"]), int(m["minor"])) for n in names if (m := pattern.match(n)) is not None}


def _label(release: tuple[int, int]) -> str:
    return f"{release[0]}.{release[1]}"


@functools.cache
def extracted_versions() -> tuple[str, ...]:
    """The Kubernetes releases whose schemas ship in this package, oldest first."""
    return tuple(_label(r) for r in sorted(_listed(_EXTRACT_DIR, _RE_EXTRACT)))


@functools.cache
def upstream_versions() -> tuple[str, ...]:
    """The releases of an installed kubernetes-validate (none when it is not installed)."""
    return tuple(_label(r) for r in sorted(_listed(_upstream_root(), _RE_FOLDER)))


@functools.cache
def available_versions() -> tuple[str, ...]:
    """Every release with schemas, oldest first (`("1.25", ...)`): the extract's and upstream's."""
    found = _listed(_EXTRACT_DIR, _RE_EXTRACT) | _listed(_upstream_root(), _RE_FOLDER)
    return tuple(_label(r) for r in sorted(found))


def coverage() -> str:
    """One line on the releases the installed schemas cover, for `appreg --version` and errors."""
    extracted, upstream = extracted_versions(), upstream_versions()
    if not extracted and not upstream:
        return "Kubernetes schemas: none installed"
    parts = []
    if extracted:
        parts.append(f"{_span(extracted)} shipped")
    added = [v for v in upstream if v not in extracted]
    if added:
        parts.append(f"{_span(tuple(added))} from kubernetes-validate")
    newest = available_versions()[-1]
    return (
        f"Kubernetes schemas: {', '.join(parts)}; kubernetes_version unset means {newest}, the newest "
        f"installed, which moves when you upgrade: pin the release you run (kubernetes_version: '{newest}')"
    )


def fast_gate() -> str:
    """One line on the jsonschema-rs gate, for `appreg --version`."""
    if importlib.util.find_spec("jsonschema_rs") is not None:
        return "built-in kinds: jsonschema-rs gate on"
    return f"built-in kinds: jsonschema only (slower on many resources; {EXTRA_FAST} adds jsonschema-rs)"


def _span(versions: tuple[str, ...]) -> str:
    return versions[0] if len(versions) == 1 else f"{versions[0]} to {versions[-1]}"


class _Release:
    """The strict schema files of one release: the extract's, or kubernetes-validate's folder."""

    def __init__(self, version: str) -> None:
        self._files: dict[str, Any] | None = None
        self._folder: Traversable | None = None
        if version in extracted_versions():
            with gzip.open(_EXTRACT_DIR / f"v{version}.json.gz", "rt", encoding="utf-8") as handle:
                extract = json.load(handle)
            self._files = extract["files"]
        else:
            root = _upstream_root()
            if root is None:  # pragma: no cover - available_versions() listed it a moment ago
                raise ModuleNotFoundError(_PACKAGE)
            self._folder = root.joinpath(f"v{version}.0-local-strict")

    def names(self) -> list[str]:
        """The files of the release (the definitions and one per kind and group-version)."""
        if self._files is not None:
            return sorted(self._files)
        assert self._folder is not None
        return sorted(entry.name for entry in self._folder.iterdir() if entry.name.endswith(".json"))

    def read(self, name: str) -> Any:
        """A file of the release, parsed; None when the release has no such file."""
        if self._files is not None:
            return self._files.get(name)
        assert self._folder is not None
        try:
            return json.loads(self._folder.joinpath(name).read_text("utf-8"))
        except (OSError, ValueError):  # no such kind in this release, or an unreadable file
            return None


@functools.cache
def _release(version: str) -> _Release:
    return _Release(version)


@functools.cache
def _definitions(version: str) -> dict[str, Any]:
    """`_definitions.json` of a release, parsed once per process, with the known enums added."""
    definitions: dict[str, Any] = _release(version).read(DEFINITIONS)
    defs = definitions.get("$defs", {})
    for name, members in _ENUMS.items():
        properties = defs.get(name, {}).get("properties", {})
        for member, values in members.items():
            if member in properties and "enum" not in properties[member]:
                # `None` too: every generated type is nullable and null means "unset"; and `""`
                # where defaulting replaces it (not listed as a supported value in messages).
                empty = [""] if (name, member) in _EMPTY_IS_DEFAULTED else []
                properties[member]["enum"] = [*values, *empty, None]
    return definitions


def is_kind_file(name: str, schema: Any) -> bool:
    """Whether a file of a release is one we read: the definitions, or a kind with its GVK."""
    if name == DEFINITIONS:
        return True
    return isinstance(schema, dict) and isinstance(schema.get("x-kubernetes-group-version-kind"), list)


def extract_release(folder: Traversable) -> dict[str, Any]:
    """The part of a kubernetes-validate strict release folder that we read, as one JSON value.

    `scripts/extract_kube_schemas.py` writes it gzipped; the test compares it with the installed
    package. The aggregate `all.json` and the files of types that are no kind are left out.
    """
    files: dict[str, Any] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json") or entry.name == "all.json":
            continue
        schema = json.loads(entry.read_text("utf-8"))
        if is_kind_file(entry.name, schema):
            files[entry.name] = schema
    return {"files": files}


def extract_bytes(folder: Traversable) -> bytes:
    """`extract_release` serialised the one way the script writes and the test compares."""
    return json.dumps(extract_release(folder), sort_keys=True, separators=(",", ":")).encode("utf-8")


@functools.cache
def _registry(version: str) -> referencing.Registry[Any]:
    # Imported here: jsonschema and referencing are only needed for the findings of a document
    # that failed the fast gate (or when jsonschema_rs is missing).
    import referencing
    from referencing.jsonschema import DRAFT202012

    definitions = DRAFT202012.create_resource(_definitions(version))
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(_DEFINITIONS_URI, definitions)
    return registry


@functools.cache
def _fast_registry(version: str) -> Any:
    # Built once per release: handing the 1.8 MB of definitions to Rust costs about 8 ms a time.
    return _fast_engine().Registry([(_DEFINITIONS_URI, _definitions(version))])


# A plain class (common/records.py says why).
class _Compiled:
    """A built-in kind's schema, its release, and its compiled validator."""

    __slots__ = ("_detail", "fast", "schema", "version")

    schema: dict[str, Any]
    version: str
    fast: Any  # a jsonschema_rs validator, or None
    _detail: jsonschema.Draft202012Validator | None

    def __init__(self, schema: dict[str, Any], version: str, fast: Any) -> None:
        self.schema = schema
        self.version = version
        self.fast = fast
        self._detail = None

    @property
    def detail(self) -> jsonschema.Draft202012Validator:
        """The jsonschema validator that explains failures, built the first time one is needed."""
        if self._detail is None:
            import jsonschema

            self._detail = jsonschema.Draft202012Validator(self.schema, registry=_registry(self.version))
        return self._detail


class CoreSchemas:
    """The built-in Kubernetes kinds of one release, compiled lazily.

    Args:
        kubernetes_version: `"1.31"`, `"v1.31"` (a patch number is ignored), or `None` for the
            newest release shipped.

    Raises:
        ConfigError: `kubernetes-validate` is not installed, or the release is not shipped (the
            message lists the ones that are).
    """

    def __init__(self, kubernetes_version: str | None = None) -> None:
        available = available_versions()
        if not available:
            raise ConfigError(
                "no Kubernetes schemas installed: the package's kubeschemas/ folder is missing "
                "(reinstall mkdocs-appreg)"
            )
        if kubernetes_version is None:
            version = available[-1]
        else:
            match = _version().match(kubernetes_version.strip())
            version = f"{int(match['major'])}.{int(match['minor'])}" if match else ""
            if version not in available:
                # Without kubernetes-validate, a newer release may be one install away.
                hint = "" if upstream_versions() else f" (newer ones: {EXTRA_UPSTREAM})"
                raise ConfigError(
                    f"Kubernetes version {kubernetes_version!r} has no schemas; "
                    f"available: {', '.join(available)}{hint}"
                )
        self._version = version
        self._schemas: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._walk: CoreWalk | None = None

    @property
    def version(self) -> str:
        """The release in use, as `"1.37"`."""
        return self._version

    def _schema(self, api_version: str, kind: str) -> dict[str, Any] | None:
        key = (api_version, kind)
        if key not in self._schemas:
            self._schemas[key] = self._read_schema(api_version, kind)
        return self._schemas[key]

    def _read_schema(self, api_version: str, kind: str) -> dict[str, Any] | None:
        parsed = parse_api_version(api_version)
        if parsed is None:
            return None
        group, version = parsed
        # Only names that can be kinds and groups make a file name (no `/` or `..` into the package).
        if not re.fullmatch(r"[A-Za-z0-9]+", kind) or not re.fullmatch(r"[a-z0-9]+", version):
            return None
        if group and not re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?", group):
            return None
        # kubernetes_validate.utils.validate names files `<kind>-<first label of group>-<version>`,
        # so `apps.example.com/v1 Deployment` would find apps' file: the schema's own GVK decides.
        short = group.split(".", 1)[0]
        name = f"{kind.lower()}-{short}-{version}.json" if group else f"{kind.lower()}-{version}.json"
        schema = _release(self._version).read(name)
        wanted = {"group": group, "version": version, "kind": kind}
        gvks = schema.get("x-kubernetes-group-version-kind") if isinstance(schema, dict) else None
        if not isinstance(gvks, list) or wanted not in gvks:
            return None
        return schema  # type: ignore[no-any-return]

    def definitions(self) -> Mapping[str, Any]:
        """Every type definition of this release (`$defs`), e.g. for the vocabulary prose checks use."""
        defs = _definitions(self._version).get("$defs")
        return defs if isinstance(defs, dict) else {}

    def schema(self, api_version: str, kind: str) -> Mapping[str, Any] | None:
        """The kind's schema in this release (its parts are `$ref`s into `definitions()`), or None."""
        return self._schema(api_version, kind)

    def _walker(self) -> CoreWalk:
        if self._walk is None:
            self._walk = CoreWalk(self.definitions())
        return self._walk

    def knows(self, api_version: str, kind: str) -> bool:
        """Whether this release has a schema for `kind` in `api_version` (`"apps/v1"`, `"v1"`)."""
        return self._schema(api_version, kind) is not None

    def _validator(self, api_version: str, kind: str) -> _Compiled | None:
        key = (api_version, kind)
        compiled = self._compiled.get(key)
        if compiled is None:
            schema = self._schema(api_version, kind)
            if schema is None:
                return None
            fast = None
            engine = _fast_engine()
            if engine is not None:
                fast = engine.Draft202012Validator(schema, registry=_fast_registry(self._version))
            compiled = self._compiled[key] = _Compiled(schema, self._version, fast)
        return compiled

    def validate(self, document: Document) -> list[Finding] | None:
        """Validate one document against its kind's schema.

        Args:
            document: A parsed document with `apiVersion` and `kind`.

        Returns:
            The findings (empty when valid), or `None` when this release has no schema for the kind.
        """
        compiled = self._validator(document.api_version, document.kind)
        if compiled is None:
            return None
        value = document.value
        if not isinstance(value, dict):
            return None
        # ObjectMeta is metadata.py's: validate everything but it.
        instance = {key: member for key, member in value.items() if key != "metadata"}
        # Quantities and list types: what the schema says beyond its JSON Schema keywords.
        findings = self._walker().findings(document, compiled.schema)
        if compiled.fast is not None and compiled.fast.is_valid(instance):
            return findings
        for error in compiled.detail.iter_errors(instance):
            findings.extend(_findings(document, error))
        unique = list(dict.fromkeys(findings))
        return sorted(unique, key=lambda f: (f.line, f.column, f.rule, f.message))


# --- errors -> findings ---------------------------------------------------------------------------


def _types(schema: Any) -> list[str]:
    """The non-null types a (sub)schema allows, following `oneOf`/`anyOf` branches."""
    if not isinstance(schema, Mapping):
        return []
    kind = schema.get("type")
    found = [kind] if isinstance(kind, str) else [t for t in kind or () if isinstance(t, str)]
    for keyword in ("oneOf", "anyOf"):
        for branch in schema.get(keyword) or ():
            found.extend(_types(branch))
    return [t for t in dict.fromkeys(found) if t != "null"]


def _findings(document: Document, error: ValidationError) -> Iterator[Finding]:
    """One jsonschema error as findings, worded like the API server's field errors."""
    keyword = str(error.validator)
    parts = list(error.absolute_path)
    pointer = pointer_of(parts)
    instance = error.instance
    expected: Any = error.validator_value
    if keyword in ("oneOf", "anyOf"):
        if instance is None:
            return  # null matches every nullable branch: the API server reads it as unset
        if error.context and all(sub.validator == "type" for sub in error.context):
            # int-or-string and Quantity are a oneOf of two types: one `schema.type` finding naming
            # both, instead of one complaint per branch.
            wanted = _types(error.schema)
            yield document.finding(
                pointer, "schema.type", f"expected {' or '.join(wanted)}, got {json_type(instance)}"
            )
            return
    rule = schema_rule(keyword)
    if keyword == "additionalProperties" and expected is False and isinstance(instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        for key in instance:
            if key not in allowed:
                message = f'unknown field "{dotted_path([*parts, key])}"' + did_you_mean(key, allowed)
                yield document.finding(join_pointer(pointer, key), rule, message)
        return
    if keyword == "required":
        present = instance if isinstance(instance, dict) else {}
        for name in expected:
            if name not in present:
                yield document.finding(pointer, rule, f"Required value: {dotted_path([*parts, name])}")
        return
    if keyword == "type":
        wanted = _types(error.schema)
        message = f"expected {' or '.join(wanted)}, got {json_type(instance)}"
    elif keyword == "enum":
        supported = ", ".join(show_value(v) for v in expected if v is not None and v != "")
        message = f"Unsupported value: {show_value(instance)}: supported values: {supported}"
    else:
        message = error.message
    yield document.finding(pointer, rule, message)
