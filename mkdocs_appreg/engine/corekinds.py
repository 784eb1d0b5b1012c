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
and re-parses the 1.8 MB definitions on every call and stops at the first error: each kind file
and each definition is parsed when first needed (the extract is indexed per entry, see
`extract_bytes`), each kind is compiled once, lazily.

Engine: a document is first checked by `coregate.py`'s plain-Python gate (about 17 us per
Deployment; `jsonschema` needs about 0.9 ms, and its import and validator construction cost a
one-file `appreg validate` more than parsing the file), and only one the gate does not pass is
walked again with `jsonschema` for the detail (its error tree tells which branch of a `oneOf`
failed how). With the `fast` extra, `jsonschema-rs` stands in for the gate on a kind whose
schema uses a keyword the gate does not decide (none in the shipped releases).

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
from mkdocs_appreg.engine.coregate import Check, Gate, Undecided
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
    """One line on how built-in kinds are checked, for `appreg --version`."""
    if importlib.util.find_spec("jsonschema_rs") is not None:
        return "built-in kinds: plain-Python gate, jsonschema-rs for schemas it cannot decide"
    return "built-in kinds: plain-Python gate, jsonschema for schemas it cannot decide"


def _span(versions: tuple[str, ...]) -> str:
    return versions[0] if len(versions) == 1 else f"{versions[0]} to {versions[-1]}"


class _Release:
    """The strict schema files of one release: the extract's, or kubernetes-validate's folder.

    The extract is read per entry: its index names where each kind file and each definition
    lies in the decompressed text (`extract_bytes`), and an entry is parsed when first asked
    for. Validating one ConfigMap parses its file and the few definitions it reaches, not the
    1.8 MB of a release (about 70 M instructions and 10 MB of objects; bench/README.md).
    """

    def __init__(self, version: str) -> None:
        self._body = b""
        self._files: dict[str, list[int]] = {}
        self._defs: dict[str, list[int]] = {}
        self._header: dict[str, Any] = {}
        self._folder: Traversable | None = None
        self._whole: dict[str, Any] | None = None  # a folder's `_definitions.json`, parsed
        if version in extracted_versions():
            with gzip.open(_EXTRACT_DIR / f"v{version}.json.gz", "rb") as handle:
                data = handle.read()
            head, _, self._body = data.partition(b"\n")
            index = json.loads(head)
            self._files, self._defs, self._header = index["files"], index["defs"], index["header"]
        else:
            root = _upstream_root()
            if root is None:  # pragma: no cover - available_versions() listed it a moment ago
                raise ModuleNotFoundError(_PACKAGE)
            self._folder = root.joinpath(f"v{version}.0-local-strict")

    def _entry(self, span: list[int]) -> Any:
        start, length = span
        return json.loads(self._body[start : start + length])

    def names(self) -> list[str]:
        """The files of the release (the definitions and one per kind and group-version)."""
        if self._folder is None:
            return sorted([*self._files, DEFINITIONS])
        return sorted(entry.name for entry in self._folder.iterdir() if entry.name.endswith(".json"))

    def read(self, name: str) -> Any:
        """A file of the release, parsed; None when the release has no such file."""
        if self._folder is None:
            if name == DEFINITIONS:
                return {
                    **self._header,
                    "$defs": {n: self._entry(span) for n, span in sorted(self._defs.items())},
                }
            span = self._files.get(name)
            return None if span is None else self._entry(span)
        try:
            return json.loads(self._folder.joinpath(name).read_text("utf-8"))
        except (OSError, ValueError):  # no such kind in this release, or an unreadable file
            return None

    def definition_names(self) -> list[str]:
        """The names under `$defs` in `_definitions.json`."""
        if self._folder is None:
            return list(self._defs)
        return list(self._whole_definitions())

    def definition(self, name: str) -> Any:
        """One definition, parsed (a fresh object each call); None when there is none of that name."""
        if self._folder is None:
            span = self._defs.get(name)
            return None if span is None else self._entry(span)
        return self._whole_definitions().get(name)

    def _whole_definitions(self) -> dict[str, Any]:
        if self._whole is None:
            whole = self.read(DEFINITIONS)
            defs = whole.get("$defs") if isinstance(whole, dict) else None
            self._whole = defs if isinstance(defs, dict) else {}
        return self._whole


@functools.cache
def _release(version: str) -> _Release:
    return _Release(version)


def _with_enums(name: str, definition: Any) -> Any:
    """A definition with the fixed value sets the API server enforces added (`_ENUMS`)."""
    members = _ENUMS.get(name)
    properties = definition.get("properties", {}) if isinstance(definition, dict) and members else {}
    for member, values in (members or {}).items():
        if member in properties and "enum" not in properties[member]:
            # `None` too: every generated type is nullable and null means "unset"; and `""`
            # where defaulting replaces it (not listed as a supported value in messages).
            empty = [""] if (name, member) in _EMPTY_IS_DEFAULTED else []
            properties[member]["enum"] = [*values, *empty, None]
    return definition


class Definitions(Mapping[str, Any]):
    """The `$defs` of one release, each parsed on first use and then kept (with `_ENUMS` added).

    A mapping like the parsed `$defs`, which validating a few kinds never needs whole.
    """

    def __init__(self, release: _Release) -> None:
        self._release = release
        self._parsed: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        found = self._parsed.get(name)
        if found is None:
            found = self._release.definition(name)
            if found is None:
                raise KeyError(name)
            found = self._parsed[name] = _with_enums(name, found)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._release.definition_names())

    def __len__(self) -> int:
        return len(self._release.definition_names())

    def closure(self, schema: Any) -> dict[str, Any]:
        """The definitions `schema` reaches through `$ref`s, directly or through each other."""
        reached: dict[str, Any] = {}
        pending = [schema]
        while pending:
            for name in _referenced(pending.pop()):
                if name not in reached and name in self:
                    reached[name] = self[name]
                    pending.append(reached[name])
        return reached

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self[name]
        except KeyError:
            return False
        return True


_DEFS_MARK = "#/$defs/"


def _referenced(schema: Any) -> Iterator[str]:
    """The definition names of the `$ref`s anywhere in `schema` (a property named `$ref` too)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    if _DEFS_MARK in value:
                        yield value.rpartition(_DEFS_MARK)[2]
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


@functools.cache
def _lazy_definitions(version: str) -> Definitions:
    return Definitions(_release(version))


@functools.cache
def _definitions(version: str) -> dict[str, Any]:
    """`_definitions.json` of a release, whole, with the known enums added (the prose checks' vocabulary)."""
    lazy = _lazy_definitions(version)
    return {**_release(version).read(DEFINITIONS), "$defs": {name: lazy[name] for name in lazy}}


def _partial_definitions(version: str, schema: Any) -> dict[str, Any]:
    """`_definitions.json` with only the definitions `schema` reaches: what its validators resolve."""
    header = {"$id": _DEFINITIONS_URI, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    return {**header, "$defs": _lazy_definitions(version).closure(schema)}


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
    """`extract_release` serialised the one way the script writes and the test compares.

    One line of index, then the entries: each kind file and each definition of
    `_definitions.json` as compact JSON, one after the other. The index gives each entry's
    offset and length in what follows the line (`files` by file name, `defs` by definition
    name) and the definitions file's other members (`header`), so a reader parses only the
    entries it needs (`_Release`).
    """
    files = extract_release(folder)["files"]
    whole = files.pop(DEFINITIONS)
    index: dict[str, Any] = {
        "files": {},
        "defs": {},
        "header": {k: v for k, v in whole.items() if k != "$defs"},
    }
    body = bytearray()
    for group, entries in (("files", files), ("defs", whole.get("$defs", {}))):
        for name in sorted(entries):
            text = json.dumps(entries[name], sort_keys=True, separators=(",", ":")).encode("utf-8")
            index[group][name] = [len(body), len(text)]
            body += text
    return json.dumps(index, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n" + bytes(body)


@functools.cache
def _gate(version: str) -> Gate:
    return Gate(_lazy_definitions(version))


# A plain class (common/records.py says why).
class _Compiled:
    """A built-in kind's schema, its release, and its validators, each built when first needed.

    `gate` (coregate.py, plain Python) answers "valid" for most resources; jsonschema-rs, when
    installed, answers for a kind whose schema the gate cannot decide; `detail` (the jsonschema
    library) explains the rest. The two libraries resolve `$ref`s in a `_definitions.json` that
    holds only the definitions the kind reaches.
    """

    __slots__ = ("_definitions", "_detail", "_fast", "_gate", "schema", "version")

    schema: dict[str, Any]
    version: str
    _gate: Check | None
    _fast: Any  # a jsonschema_rs validator, None before it is built, False without one
    _detail: jsonschema.Draft202012Validator | None
    _definitions: dict[str, Any] | None

    def __init__(self, schema: dict[str, Any], version: str) -> None:
        self.schema = schema
        self.version = version
        self._definitions = None
        self._detail = None
        self._fast = None
        try:
            self._gate = _gate(version).compile(schema)
        except Undecided:
            self._gate = None

    def is_valid(self, instance: dict[str, Any]) -> bool:
        """Whether `instance` is valid; False may also mean "ask `detail`"."""
        if self._gate is not None:
            try:
                return self._gate(instance)
            except Undecided:  # a definition reached for the first time uses another keyword
                self._gate = None
        if self._fast is None:
            engine = _fast_engine()
            registry = engine.Registry([(_DEFINITIONS_URI, self.definitions)]) if engine else None
            self._fast = engine.Draft202012Validator(self.schema, registry=registry) if engine else False
        return bool(self._fast and self._fast.is_valid(instance))

    @property
    def definitions(self) -> dict[str, Any]:
        """`_definitions.json` with the definitions this kind reaches."""
        if self._definitions is None:
            self._definitions = _partial_definitions(self.version, self.schema)
        return self._definitions

    @property
    def detail(self) -> jsonschema.Draft202012Validator:
        """The jsonschema validator that explains failures, built the first time one is needed."""
        if self._detail is None:
            # Imported here: jsonschema and referencing are only needed for the findings of a
            # document that failed the gate.
            import jsonschema
            import referencing
            from referencing.jsonschema import DRAFT202012

            resource = DRAFT202012.create_resource(self.definitions)
            registry: referencing.Registry[Any] = referencing.Registry().with_resource(
                _DEFINITIONS_URI, resource
            )
            self._detail = jsonschema.Draft202012Validator(self.schema, registry=registry)
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
            # The definitions parsed as the walk reaches them, not the whole release.
            self._walk = CoreWalk(_lazy_definitions(self._version))
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
            compiled = self._compiled[key] = _Compiled(schema, self._version)
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
        if compiled.is_valid(instance):
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
