"""Check a whole docs site: rendered templates, every resource example on every page, and their relations.

This is what `mkdocs build` (through the plugin) and `appreg check` run, so both report the same
findings. It knows nothing of MkDocs: the caller hands over the pages' sources, the snippets base
path and the rendered templates.

For each site:

1. Rendered templates are validated as `project.validate_rendered` does (findings at template lines).
2. Every page's examples are extracted (`extract.extract_examples`: YAML fences, `--8<--` includes,
   `kubectl apply -f - <<EOF` heredocs), resolving includes the way pymdownx.snippets does: the
   first base path that has the file wins, the cache of rendered files first. An include or a
   `/// resource` directive that names a rendered file ties that template to the page; it is not
   checked a second time. The same text shown twice (the YAML tab and the heredoc tab) is checked
   once.
3. Each document with `apiVersion` and `kind` is validated against its CRD; a kind no CRD defines in
   any group falls back to the upstream Kubernetes schemas (`corekinds.CoreSchemas`), and a kind
   with no schema anywhere is `schema.missing`.
4. Placeholders (`<base64(username)>`, `{true|false}`, `${VAR}`) become one `placeholder` warning
   each, naming the expected type; the type errors they cause at the same path are dropped.
5. References (`references.check_references`) and EDA Store policies (`policies.check_policies`)
   over every resource of the site; prose drift (`prose.check_prose`) per page when enabled.

Opt-outs (`# appreg: ignore`, `ignore=rule-id`, fence attribute, HTML comment) are read by
`extract`; here an example ignored as a whole is left out of everything (it is neither validated
nor a reference target), and an example ignoring some rules drops the findings of those rules that
are located inside it.

Rule ids added here: `placeholder` (warning) and `schema.missing` (warning in the build and in
`appreg check`, error in `appreg validate`).
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mkdocs_appreg.common.digests import digest as file_digest
from mkdocs_appreg.common.digests import reads_unchanged, text_digest
from mkdocs_appreg.common.errors import DirectiveError
from mkdocs_appreg.common.findings import Finding, Severity, sort_key
from mkdocs_appreg.common.records import Record
from mkdocs_appreg.common.spelling import close_names
from mkdocs_appreg.engine import metadata, secret
from mkdocs_appreg.engine.corekinds import CoreSchemas
from mkdocs_appreg.engine.crdload import crd_document_findings
from mkdocs_appreg.engine.documents import (
    Document,
    iter_documents,
    parse_documents,
    split_pointer,
    value_at_pointer,
)
from mkdocs_appreg.engine.kinds import CRD_API_VERSION, CRD_KIND, parse_api_version
from mkdocs_appreg.engine.leaks import RULE as LEAK_RULE
from mkdocs_appreg.engine.leaks import Allowlist, find_leaks
from mkdocs_appreg.engine.lists import is_list, list_items, validate_list
from mkdocs_appreg.engine.native import NAME_RULES, validate_native
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.engine.validate import validate_document
from mkdocs_appreg.pages.directives import ResourceOptions, iter_directives
from mkdocs_appreg.pages.excerpts import declared_form, find_elisions
from mkdocs_appreg.pages.extract import Example, extract_examples, fills_in_variable
from mkdocs_appreg.pages.frontmatter import read_front_matter
from mkdocs_appreg.pages.snippets import snippet_resolver, unrefused
from mkdocs_appreg.site.placeholders import ENV, find_placeholders, placeholder_kind, shown, substituted
from mkdocs_appreg.site.policies import PolicyConfig, check_policies
from mkdocs_appreg.site.project import ProjectSettings
from mkdocs_appreg.site.proposals import (
    RELAXED_RULES,
    Vocabulary,
    is_design_proposal,
    proposed,
    vocabulary_of,
)
from mkdocs_appreg.site.references import (
    DEFAULT_REFERENCE_RULES,
    ReferenceRule,
    SiteResource,
    check_references,
)

if TYPE_CHECKING:
    # Annotations only: `appreg validate` must not import Jinja (tests/test_layout.py).
    from mkdocs_appreg.rendering.rendered import Rendered

PLACEHOLDER_RULE = "placeholder"
SCHEMA_MISSING_RULE = "schema.missing"
CEL_UNCHECKED_RULE = "cel.unchecked"

# Built-in kinds that are cluster-scoped (`kubectl api-resources --namespaced=false`, Kubernetes
# 1.31); every other built-in kind is namespaced. The OpenAPI documents do not say which is which.
CLUSTER_SCOPED_CORE_KINDS = frozenset(
    {
        "APIService",
        "CertificateSigningRequest",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterTrustBundle",
        "ComponentStatus",
        "CSIDriver",
        "CSINode",
        "CustomResourceDefinition",
        "DeviceClass",
        "FlowSchema",
        "IngressClass",
        "IPAddress",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "SelfSubjectAccessReview",
        "SelfSubjectReview",
        "SelfSubjectRulesReview",
        "ServiceCIDR",
        "StorageClass",
        "SubjectAccessReview",
        "TokenReview",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
        "VolumeAttributesClass",
    }
)


# Plain classes (common/records.py says why).
class CheckOptions:
    """What a site check does beyond validating rendered templates.

    Attributes:
        check_pages: Check the resource examples written on pages and included from files.
        references: Which fields name other resources (`references.DEFAULT_REFERENCE_RULES`).
        policies: Which EDA Store policies to check.
        kubernetes_version: Release of the built-in kinds' schemas (`"1.31"`); `None`: the newest.
        prose: Check backticked field names in the pages' text (`prose.unknown-field`).
        ignore_pages: Glob patterns of pages (relative to docs_dir, `fnmatch` syntax, `*` crossing
            folders) whose examples are not checked at all: design proposals describing APIs that
            do not exist yet, archived release notes.
        cel_unchecked: `warning` reports CEL rules this tool cannot evaluate (`cel.unchecked`);
            `off` drops those findings.
        skip_kinds: Kinds whose resources are not validated nor reported on, a leaked
            credential aside (`appreg check --skip`).
        proposals: `relaxed`: on a page whose front matter marks it as a design proposal
            (`site/proposals.py`), a field or enum value the schema lacks and that resembles
            nothing it has is not reported; `strict`: every page is checked alike.
    """

    __slots__ = (
        "cel_unchecked",
        "check_pages",
        "ignore_pages",
        "kubernetes_version",
        "policies",
        "proposals",
        "prose",
        "references",
        "skip_kinds",
    )

    check_pages: bool
    references: tuple[ReferenceRule, ...]
    policies: PolicyConfig
    kubernetes_version: str | None
    prose: bool
    cel_unchecked: Literal["warning", "off"]
    ignore_pages: tuple[str, ...]
    skip_kinds: frozenset[str]
    proposals: Literal["relaxed", "strict"]

    def __init__(
        self,
        check_pages: bool = True,
        references: tuple[ReferenceRule, ...] = DEFAULT_REFERENCE_RULES,
        # One shared default instance: nothing changes a PolicyConfig.
        policies: PolicyConfig = PolicyConfig(),  # noqa: B008
        kubernetes_version: str | None = None,
        prose: bool = False,
        cel_unchecked: Literal["warning", "off"] = "warning",
        ignore_pages: tuple[str, ...] = (),
        skip_kinds: frozenset[str] = frozenset(),
        proposals: Literal["relaxed", "strict"] = "relaxed",
    ) -> None:
        self.check_pages = check_pages
        self.references = references
        self.policies = policies
        self.kubernetes_version = kubernetes_version
        self.prose = prose
        self.cel_unchecked = cel_unchecked
        self.ignore_pages = ignore_pages
        self.skip_kinds = skip_kinds
        self.proposals = proposals


class CheckResult(Record):
    """Everything one site check found.

    Attributes:
        findings: Every finding, sorted by file, line and column.
        documents: Resources checked: rendered documents plus distinct documents on pages.
    """

    __slots__ = ("documents", "findings")
    FIELDS = ("findings", "documents")

    findings: list[Finding]
    documents: int

    def __init__(self, findings: list[Finding], documents: int) -> None:
        self.findings = findings
        self.documents = documents


@functools.cache
def core_schemas(kubernetes_version: str | None) -> CoreSchemas:
    """The built-in kinds of one release, shared by every check of the process (they compile lazily).

    Raises:
        ConfigError: No schemas are installed for that release.
    """
    return CoreSchemas(kubernetes_version)


# --- one resource ----------------------------------------------------------------------------------


def validate_resource(
    document: Document,
    registry: SchemaRegistry,
    core: CoreSchemas | None,
    *,
    missing: Severity = "warning",
    allowlist: Allowlist | None = None,
    skip: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Validate one resource, or each item of a `kind: List` (lists.py), as `_validate_one` says.

    A resource whose kind is in `skip` (`--skip`, kubeconform's `-skip`) is not validated at all,
    only searched for a leaked credential: a token in a skipped Secret is still published.
    """
    if is_list(document):
        # A List inside a List is flattened too (cli-runtime FlattenListVisitor recurses).
        return validate_list(
            document,
            lambda item: validate_resource(
                item, registry, core, missing=missing, allowlist=allowlist, skip=skip
            ),
        )
    if document.kind in skip:
        # Skipped before validating, not filtered after: no time spent on it, and nothing about
        # it (not even a resource.unchecked) reaches the report but a leak.
        return find_leaks(document, allowlist) if _is_core_secret(document) else []
    try:
        return _validate_one(document, registry, core, missing=missing, allowlist=allowlist)
    except RecursionError as error:
        # A value nested past Python's stack: YAML allows 1,000 levels (the API server's JSON
        # decoder 10,000), and under `x-kubernetes-preserve-unknown-fields` no schema limits them.
        # The resource is reported as unchecked, in the build and the check as in `validate`.
        message = f"this resource could not be checked: {type(error).__name__}: {error}"[:300]
        return [document.finding("", INTERNAL_RULE, message)]


def _is_core_secret(document: Document) -> bool:
    return document.kind == "Secret" and document.api_version == "v1"


def _validate_one(
    document: Document,
    registry: SchemaRegistry,
    core: CoreSchemas | None,
    *,
    missing: Severity = "warning",
    allowlist: Allowlist | None = None,
) -> list[Finding]:
    """Validate one resource against its CRD, or against the built-in kinds when no CRD defines it.

    An API group no loaded CRD defines (a tutorial's own `banners.example.local`, a project whose
    CRDs the site does not load) means "no schema": one `schema.missing` finding of severity
    `missing`, which names the group that does define the kind, if any. `kind.unknown` (from
    `validate_document`) is kept for a group the CRDs define that lacks the kind, when the kind is
    defined in another group or a kind of the group is spelt almost alike: a typo. A group shared
    by several projects (`argoproj.io`: Argo CD, Rollouts, Workflows) lacking a kind nobody else
    defines is no typo either: `schema.missing`.

    Args:
        document: A parsed document.
        registry: The CRDs (and the built-in Secret).
        core: The built-in kinds, or `None` to use the CRDs only.
        missing: Severity of `schema.missing`.
        allowlist: Secret values not reported as `secret.leak`.

    Returns:
        The findings, ordered by position.
    """
    kind = document.kind
    parsed = parse_api_version(document.api_version) if document.api_version else None
    if parsed is None or not kind or registry.knows_group_kind(parsed[0], kind):
        return validate_document(document, registry, allowlist=allowlist)
    if core is not None:
        found = core.validate(document)
        if found is not None:
            # The core schemas leave ObjectMeta out: validate it as the API server does for any kind.
            namespaced = kind not in CLUSTER_SCOPED_CORE_KINDS
            meta = metadata.validate_object_meta(
                document, "/metadata", namespaced=namespaced, name_rule=NAME_RULES.get(kind)
            )
            # The Go-coded rules the published schema does not express (a container's image).
            go_rules = validate_native(document)
            if kind == CRD_KIND and document.api_version == CRD_API_VERSION:
                # A CRD shown in the docs gets the checks a loaded CRD gets (crdload).
                go_rules.extend(crd_document_findings(document))
            return sorted(
                _go_rules_first([*meta, *found, *go_rules]), key=lambda f: (f.line, f.column, f.rule)
            )
    group = parsed[0]
    elsewhere = registry.groups_for_kind(kind)
    siblings = _kinds_by_group(registry, registry.fingerprint).get(group)
    close = close_names(kind, siblings) if siblings is not None else []
    if siblings is not None and (elsewhere or close):
        found = validate_document(document, registry, allowlist=allowlist)
        if not close:
            return found
        hint = " or ".join(f'"{name}"' for name in close)
        return [
            Finding(**{**f.as_dict(), "message": f"{f.message}; did you mean {hint}?"})
            if f.rule == "kind.unknown"
            else f
            for f in found
        ]
    release = f" (Kubernetes {core.version})" if core is not None else ""
    if siblings is not None:
        why = f"the CRDs of group {group} loaded here do not define it"
    elif elsewhere:
        why = f"no CRD loaded here defines group {group} (kind {kind} is defined in group {', '.join(elsewhere)})"
    else:
        why = f"no CRD defines it and it is not a built-in kind{release}"
    message = f'no schema for kind "{kind}" in "{document.api_version}": {why}'
    return [document.finding("/kind", SCHEMA_MISSING_RULE, message, missing)]


_LIST_WARNINGS = frozenset({"list.duplicate", "list.duplicate-key"})


def _go_rules_first(findings: list[Finding]) -> list[Finding]:
    """Drop a list-type warning where the Go validation already rejects the same item.

    A second container of the same name is `core.duplicate` at `.../containers/1/name`
    (native.py), which says more than the warning at `.../containers/1` (corewalk.py).
    """
    errors = [f.path for f in findings if f.is_error]
    return [
        f
        for f in findings
        if f.rule not in _LIST_WARNINGS
        or f.is_error
        or not any(p == f.path or p.startswith(f.path + "/") for p in errors)
    ]


@functools.lru_cache(maxsize=8)
def _kinds_by_group(registry: SchemaRegistry, fingerprint: str) -> dict[str, frozenset[str]]:
    """The kinds each group defines (the fingerprint keys the cache: a registry grows as CRDs load)."""
    kinds: dict[str, set[str]] = {}
    for definition in registry.definitions():
        kinds.setdefault(definition.group, set()).add(definition.kind)
    return {group: frozenset(names) for group, names in kinds.items()}


def once_per_kind(findings: Iterable[Finding], *, fix: str) -> list[Finding]:
    """One `schema.missing` finding per kind and API version: the first, with the count and the fix.

    A site showing 11 resources of a kind whose CRD it does not load would otherwise bury every
    other finding under 11 identical ones.
    """
    kept: list[Finding] = []
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.rule == SCHEMA_MISSING_RULE and finding.kind:
            groups.setdefault((finding.api_version, finding.kind), []).append(finding)
        else:
            kept.append(finding)
    for same in groups.values():
        same.sort(key=sort_key)
        first = same[0]
        count = f" ({len(same)} resources of this kind, the first here)" if len(same) > 1 else ""
        message = f"{first.message}{count}; {fix}"
        kept.append(Finding(**{**first.as_dict(), "message": message}))
    return kept


def validate_stream(
    text: str | bytes,
    file: str,
    registry: SchemaRegistry,
    core: CoreSchemas | None,
    *,
    missing: Severity = "error",
    skip: frozenset[str] = frozenset(),
) -> tuple[list[Finding], int]:
    """`validate.validate_text` with the built-in kinds as a fallback (what `appreg validate` runs).

    Args:
        text: The YAML stream; bytes a caller checked to be UTF-8 (a file as read) go to the
            parser as they are (`documents.iter_documents`).
        skip: Kinds not validated (`validate_resource`).

    Returns:
        The parse findings and each document's findings, and the number of non-empty documents
        not skipped.
    """
    # One document at a time: its node tree is dropped once it is validated (see iter_documents).
    findings: list[Finding] = []
    checked: list[Finding] = []
    count = 0
    for document in iter_documents(text, file, findings):
        # Placeholders as `appreg check` reads them on a page: `{true|false}` is one warning
        # naming the type the reader must put there, not "expected boolean, got object".
        found = _guarded(document, registry, core, missing, skip)
        if document.kind in skip:
            checked.extend(found)  # a leak only: no placeholder can explain it away
            continue
        checked.extend(with_placeholders(document, found, _schema_of(document, registry)))
        count += 1
    findings.extend(checked)
    return findings, count


RELATIONS_SCOPE = "the files given"


def validate_relations(
    texts: Sequence[tuple[str, str | bytes]],
    *,
    references: Sequence[ReferenceRule] = DEFAULT_REFERENCE_RULES,
    policies: PolicyConfig = PolicyConfig(),  # noqa: B008 - one shared, never-changed default
) -> list[Finding]:
    """References and policies across the files of one `appreg validate` run, as `check_site` over a site.

    Only documents of a kind some reference rule names are kept, and a file is parsed again
    only when its text names such a kind, so a run over many unrelated manifests pays almost
    nothing. A reference to a resource in none of the files is a warning here (`ref.missing`):
    unlike a docs page, a set of manifests may rely on what the cluster already has.
    """
    kinds = {rule.kind for rule in references} | {rule.target_kind for rule in references}
    if not kinds:
        return []
    named = re.compile(r"\bkind:\s*[\"']?(?:" + "|".join(map(re.escape, sorted(kinds))) + r")\b")
    named_bytes: re.Pattern[bytes] | None = None
    resources: list[SiteResource] = []
    for name, text in texts:
        if isinstance(text, bytes):
            # A file's bytes: searched as they are when ASCII, where `\b` and `\s` mean the same
            # for bytes as for text; any other file is decoded for the search (Unicode spaces).
            named_bytes = named_bytes or re.compile(named.pattern.encode("utf-8"))
            found = named_bytes.search(text) if text.isascii() else named.search(text.decode("utf-8"))
        else:
            found = named.search(text)
        if found is None:
            continue
        for document in parse_documents(text, name).documents:
            candidates = [item for _, item in list_items(document)[0]] if is_list(document) else [document]
            resources.extend(SiteResource(item, "") for item in candidates if item.kind in kinds)
    return [
        *check_references(resources, references, scope=RELATIONS_SCOPE, missing="warning"),
        *check_policies(resources, references, policies),
    ]


INTERNAL_RULE = "resource.unchecked"


def _guarded(
    document: Document,
    registry: SchemaRegistry,
    core: CoreSchemas | None,
    missing: Severity,
    skip: frozenset[str] = frozenset(),
) -> list[Finding]:
    # One document the engine cannot judge (a bug of ours, not of the input) must not cost the
    # rest of the batch its findings, nor end `appreg validate` in a traceback: it is reported as
    # unchecked, at the document, and every other document is still validated.
    try:
        return validate_resource(document, registry, core, missing=missing, skip=skip)
    except (ValueError, TypeError, ArithmeticError, LookupError, RecursionError) as error:
        message = f"this resource could not be checked: {type(error).__name__}: {error}"[:300]
        return [document.finding("", INTERNAL_RULE, message)]


@functools.cache
def _secret_placeholder_schema() -> dict[str, Any]:
    # The built-in Secret schema says `data` holds strings; upstream it is map[string][]byte,
    # `format: byte` in the OpenAPI document (io.k8s.api.core.v1.Secret), which names it base64.
    schema = copy.deepcopy(secret.SECRET_SCHEMA)
    schema["properties"]["data"]["additionalProperties"]["format"] = "byte"
    return schema


def _schema_of(document: Document, registry: SchemaRegistry) -> Any:
    """The schema placeholders are described from (their expected type)."""
    kind_version = registry.lookup(document.api_version, document.kind)
    if kind_version is None:
        return None
    if kind_version.group == "" and kind_version.kind == "Secret":
        return _secret_placeholder_schema()
    return kind_version.schema


@functools.cache
def _angle_in_key() -> re.Pattern[str]:
    # `notifications.argoproj.io/subscribe.<trigger-name>.<service>`: the reader names the trigger.
    return re.compile(r"<[A-Za-z][\w.-]*>")


@functools.cache
def _screaming_snake() -> re.Pattern[str]:
    # `JSON_FILE_BASE64_ENCODED`, `YOUR_API_TOKEN`: a name for the value, not the value.
    return re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


def _named_placeholder(document: Document, finding: Finding) -> str | None:
    """The placeholder an error is about, when it is one `find_placeholders` does not see.

    A key holding `<trigger-name>` (an annotation the reader completes), or a value written as a
    SCREAMING_SNAKE name (`JSON_FILE_BASE64_ENCODED`). Only where the value is an error: such a
    name is an enum value or a real setting as often as a placeholder.
    """
    if not finding.is_error or not finding.path:
        return None
    tokens = split_pointer(finding.path)
    angle = _angle_in_key().search(tokens[-1])
    # A key rule of the API server (metadata keys, ConfigMap keys) on a key the reader completes.
    if angle is not None and finding.rule.startswith(("meta.", "core.")):
        return f"{angle.group(0)} in the key {tokens[-1]}"
    _, current = value_at_pointer(document.value, finding.path)
    if isinstance(current, str) and _screaming_snake().match(current):
        return current
    return None


def _fills_in(value: Any, pointer: str) -> bool:
    """Whether the string at `pointer` gets a reader's variable from the shell (`fills_in_variable`)."""
    _, value = value_at_pointer(value, pointer)
    return isinstance(value, str) and fills_in_variable(value)


def with_placeholders(
    document: Document, findings: Sequence[Finding], schema: Any, *, expands: bool = False
) -> list[Finding]:
    """Replace what placeholders cause by one `placeholder` warning per placeholder.

    `{true|false}` where a boolean belongs is a `schema.type` error, `<base64(username)>` in a
    Secret's data a `secret.base64` one; both say less than "this is a placeholder for a boolean",
    so every other finding at the placeholder's path or below it is dropped.

    A template expression (`{{ .path.basename }}` in an ApplicationSet, a notification template)
    is filled in by a controller, not by the reader: the findings it causes are dropped, and it is
    no warning either. So is a `$NAME` or `${NAME}` in an unquoted heredoc (`expands`): the shell
    puts the reader's value there; and one in a field the resource hands to its controller for
    environment substitution (`commonAnnotationsEnvsubst: true` beside `commonAnnotations`,
    `placeholders.substituted`).
    """
    try:
        placeholders = find_placeholders(document, schema)
    except RecursionError:
        # A value nested past Python's stack (YAML allows 1,000 levels, the API server 10,000):
        # its placeholders are not looked for, and nothing else is lost with them.
        placeholders = []
    named = {
        f.path: text
        for f in findings
        if f.rule != PLACEHOLDER_RULE and (text := _named_placeholder(document, f)) is not None
    }
    # In an unquoted heredoc, `host: hello.$DOMAIN`: the shell fills the reader's value in, so an
    # error about the text written is about nothing the API server gets (no warning either).
    shell = (
        [f.path for f in findings if f.is_error and f.path and _fills_in(document.value, f.path)]
        if expands
        else []
    )
    if not placeholders and not named and not shell:
        return list(findings)
    pointers = [pointer for pointer, _, _ in placeholders] + list(named) + shell

    def covered(finding: Finding) -> bool:
        return any(finding.path == p or finding.path.startswith(p + "/") for p in pointers)

    kept = [f for f in findings if not covered(f)]
    for pointer, text in named.items():
        message = f"placeholder {text}: the reader must replace it"
        kept.append(document.finding(pointer, PLACEHOLDER_RULE, message, "warning"))
    for pointer, text, expected in placeholders:
        if "{{" in text or "{%" in text:
            continue  # a template expression: a controller fills it in
        if placeholder_kind(text) == ENV and (expands or substituted(document.value, pointer)):
            # The shell fills it in from the reader's environment (an unquoted heredoc), or the
            # controller from its own (an envsubst switch beside the field).
            continue
        wanted = f"a {expected}" if expected and not expected.startswith("one of") else expected
        message = f"placeholder {shown(text)}: the reader must replace it with {wanted or 'a real value'}"
        kept.append(document.finding(pointer, PLACEHOLDER_RULE, message, "warning"))
    return sorted(kept, key=lambda f: (f.line, f.column, f.rule))


# --- results kept across builds --------------------------------------------------------------------

_MemoKey = tuple[str, str, int, int, str, tuple[Any, ...]]


class _MemoEntry:
    """One text's parse and validation results, as the memo keeps them."""

    __slots__ = ("documents", "findings", "parse_findings")

    parse_findings: tuple[Finding, ...]
    documents: tuple[Document, ...]
    findings: tuple[Finding, ...]  # validation findings (placeholders applied for page examples)

    def __init__(
        self,
        parse_findings: tuple[Finding, ...],
        documents: tuple[Document, ...],
        findings: tuple[Finding, ...],
    ) -> None:
        self.parse_findings = parse_findings
        self.documents = documents
        self.findings = findings


class _PageEntry:
    """One page's extracted examples and the includes the extraction read."""

    __slots__ = ("examples", "findings", "reads")

    examples: tuple[Example, ...]
    findings: tuple[Finding, ...]
    # Every include the extraction resolved: (path as written, file it resolved to, its digest).
    reads: tuple[tuple[str, Path | None, str | None], ...]

    def __init__(
        self,
        examples: tuple[Example, ...],
        findings: tuple[Finding, ...],
        reads: tuple[tuple[str, Path | None, str | None], ...],
    ) -> None:
        self.examples = examples
        self.findings = findings
        self.reads = reads


class ValidationMemo:
    """Per-file validation results, kept by the plugin across the rebuilds of one `mkdocs serve`.

    An entry is keyed by the file's display name, the text's position in it, a SHA-256 of the
    text, `SchemaRegistry.fingerprint` and the options that change a file's findings (the
    built-in kinds' release, the secrets allowlist): a file whose key is unchanged is neither
    parsed nor validated again. A page's extracted examples are kept too, keyed by the page's
    text and valid while every include resolves to the same file with the same content. Only
    per-file work is kept; references and policies, which cross files, run over the whole site
    every time. Entries not used by a check are dropped at its end, so the memo never holds more
    than one site.

    Attributes:
        validations: Texts parsed and validated by the last `check_site` (memo misses).
        reused: Texts whose results came from the memo in the last `check_site`.
        extractions: Pages whose examples the last `check_site` extracted (memo misses).
    """

    def __init__(self) -> None:
        self._entries: dict[_MemoKey, _MemoEntry] = {}
        self._used: set[_MemoKey] = set()
        self._pages: dict[tuple[str, str], _PageEntry] = {}
        self._pages_used: set[tuple[str, str]] = set()
        self.validations = 0
        self.reused = 0
        self.extractions = 0

    def __len__(self) -> int:
        return len(self._entries)

    def start(self) -> None:
        """Begin a check: reset the counters."""
        self._used = set()
        self._pages_used = set()
        self.validations = 0
        self.reused = 0
        self.extractions = 0

    def finish(self) -> None:
        """End a check: forget the entries it did not use (deleted or changed files)."""
        self._entries = {key: entry for key, entry in self._entries.items() if key in self._used}
        self._pages = {key: entry for key, entry in self._pages.items() if key in self._pages_used}

    def page(
        self, page: str, text: str, resolve: Callable[[str], Path | None]
    ) -> tuple[tuple[str, str], _PageEntry | None]:
        """The page's key, and its examples from an earlier check if no include changed since."""
        key = (page, text_digest(text))
        entry = self._pages.get(key)
        if entry is not None and reads_unchanged(entry.reads, resolve):
            self._pages_used.add(key)
            return key, entry
        return key, None

    def page_reads(self) -> list[tuple[str, Path | None, str | None]]:
        """Every include the pages of the last check resolved: (path, file, its digest)."""
        return [read for key in self._pages_used for read in self._pages[key].reads]

    def put_page(self, key: tuple[str, str], entry: _PageEntry) -> None:
        self._pages[key] = entry
        self._pages_used.add(key)
        self.extractions += 1

    def key(
        self, scope: str, file: str, line_offset: int, column_offset: int, text: str, context: tuple[Any, ...]
    ) -> _MemoKey:
        digest = text_digest(text)
        return (scope, file, line_offset, column_offset, digest, context)

    def get(self, key: _MemoKey) -> _MemoEntry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._used.add(key)
            self.reused += 1
        return entry

    def put(self, key: _MemoKey, entry: _MemoEntry, *, validated: bool) -> None:
        self._entries[key] = entry
        self._used.add(key)
        if validated:
            self.validations += 1


# --- the site ---------------------------------------------------------------------------------------


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
#
# An example that fails to parse is still worth a `yaml.syntax` finding when it looks like a resource.
@functools.cache
def _resource_keys() -> re.Pattern[str]:
    return re.compile(r"^[ \t]*(?:- )?apiVersion[ \t]*:", re.MULTILINE)


# A Go or Helm template shown as an example (`server: {{ .Values.server }}`, `{{- if ... }}`):
# text, not YAML, until a template engine renders it. Quoted `"{{ .path }}"` is YAML and is checked.
@functools.cache
def _unquoted_template() -> re.Pattern[str]:
    return re.compile(r"^[ \t]*(?:-[ \t]+)?(?:[^\s#'\"][^#'\"]*?:[ \t]+)?\{\{", re.MULTILINE)


def _yaml_findings(findings: Iterable[Finding], example: Example) -> list[Finding]:
    """The parse findings worth reporting: none for a Go or Helm template shown as text."""
    found = list(findings)
    if found and "{{" in example.text and _unquoted_template().search(example.text):
        return [f for f in found if f.rule != "yaml.syntax"]
    return found


def _left_out(finding: Finding) -> bool:
    """Whether a finding is about something absent (what an excerpt may leave out)."""
    return (
        finding.rule in ("schema.required", "meta.missing")
        or finding.message.startswith("Required value")
        or (finding.rule == "meta.name" and finding.message.endswith("is required"))
        # A name that points at what the excerpt leaves out: a container's volumeMounts shown
        # without the pod's volumes ("Not found"); an Ingress shown without its rules.
        or finding.rule == "core.not-found"
        or finding.message.endswith("either `defaultBackend` or `rules` must be specified")
    )


def _in_document(finding: Finding, document: Document) -> bool:
    return finding.file == document.file and finding.document == document.index


class _Span:
    """The lines of one example in its file, and the rules it opts out of."""

    __slots__ = ("file", "first", "ignore", "last")

    file: str
    first: int
    last: int
    ignore: frozenset[str]

    def __init__(self, file: str, first: int, last: int, ignore: frozenset[str]) -> None:
        self.file = file
        self.first = first
        self.last = last
        self.ignore = ignore

    def drops(self, finding: Finding) -> bool:
        return (
            finding.file == self.file
            and self.first <= finding.line <= self.last
            and finding.rule in self.ignore
        )


class _SiteCheck:
    """The state of one `check_site` run: resources, findings, spans seen."""

    __slots__ = (
        "also",
        "copies",
        "core",
        "documents",
        "findings",
        "first_copies",
        "memo",
        "memo_context",
        "options",
        "page_kinds",
        "page_words",
        "proposal_pages",
        "proposed",
        "registry",
        "rendered_by_file",
        "rendered_pages",
        "resolve",
        "resources",
        "seen",
        "settings",
        "spans",
        "vocabularies",
    )

    settings: ProjectSettings
    options: CheckOptions
    registry: SchemaRegistry
    core: CoreSchemas | None
    # The file pymdownx.snippets would include for a path (snippets.include_resolver).
    resolve: Callable[[str], Path | None]
    rendered_by_file: dict[str, Rendered]
    findings: list[Finding]
    resources: list[SiteResource]
    spans: list[_Span]
    seen: set[tuple[str, int, int, str]]
    documents: int
    page_kinds: dict[str, set[tuple[str, str]]]
    rendered_pages: dict[str, list[str]]
    memo: ValidationMemo | None
    memo_context: tuple[Any, ...]
    # A resource a page shows twice (the YAML tab and its heredoc): the first copy's position by
    # (page, value), where its findings are in `findings`, and the copies reported through it.
    copies: dict[tuple[str, str], tuple[tuple[str, int], bool]]
    first_copies: dict[tuple[str, int], tuple[int, int]]
    also: dict[tuple[str, int], list[tuple[str, int]]]
    page_words: dict[str, set[str]]  # every word of each page's YAML (prose drift only)
    proposal_pages: set[str]  # pages whose front matter marks them as design proposals
    proposed: dict[tuple[str, int, int, str], list[Finding]]  # by Example.key: not reported there
    vocabularies: dict[tuple[str, str], Vocabulary | None]  # by (apiVersion, kind), proposals only

    def __init__(
        self,
        settings: ProjectSettings,
        options: CheckOptions,
        registry: SchemaRegistry,
        core: CoreSchemas | None,
        resolve: Callable[[str], Path | None],
    ) -> None:
        self.settings = settings
        self.options = options
        self.registry = registry
        self.core = core
        self.resolve = resolve
        self.rendered_by_file = {}
        self.findings = []
        self.resources = []
        self.spans = []
        self.seen = set()
        self.documents = 0
        self.page_kinds = {}
        self.rendered_pages = {}
        self.memo = None
        self.memo_context = ()
        self.copies = {}
        self.first_copies = {}
        self.also = {}
        self.page_words = {}
        self.proposal_pages = set()
        self.proposed = {}
        self.vocabularies = {}

    @property
    def allowlist(self) -> Allowlist:
        return Allowlist(self.settings.secrets_allowlist)

    def display(self, path: Path) -> str:
        return self.settings.display(path.resolve() if not path.is_absolute() else path)

    # -- rendered templates

    def add_rendered(self, rendered: Sequence[Rendered]) -> list[Document]:
        documents: list[Document] = []
        for item in rendered:
            shown = self.display(self.settings.cache_path(item))
            self.rendered_by_file[shown] = item
            self.rendered_pages[shown] = []
            entry = self._rendered_entry(item.text, shown)
            self.findings.extend(entry.parse_findings)
            self.findings.extend(entry.findings)
            documents.extend(entry.documents)
            self.documents += self._counted(entry.documents)
        return documents

    def _counted(self, documents: Sequence[Document]) -> int:
        # A skipped kind is not validated, so it is not counted as checked (`appreg validate
        # --skip` counts the same way, kubeconform's -skip).
        skip = self.options.skip_kinds
        return sum(1 for d in documents if d.kind not in skip) if skip else len(documents)

    def _rendered_entry(self, text: str, shown: str) -> _MemoEntry:
        key = None
        if self.memo is not None:
            key = self.memo.key("rendered", shown, 0, 0, text, self.memo_context)
            known = self.memo.get(key)
            if known is not None:
                return known
        parsed = parse_documents(text, shown)
        found: list[Finding] = []
        for document in parsed.documents:
            found.extend(
                validate_resource(
                    document, self.registry, self.core, allowlist=self.allowlist, skip=self.options.skip_kinds
                )
            )
        entry = _MemoEntry(tuple(parsed.findings), tuple(parsed.documents), tuple(found))
        if self.memo is not None and key is not None:
            self.memo.put(key, entry, validated=True)
        return entry

    # -- pages

    def add_page(self, page: str, text: str) -> None:
        kinds = self.page_kinds.setdefault(page, set())
        if self.options.proposals == "relaxed" and is_design_proposal(read_front_matter(text)):
            self.proposal_pages.add(page)
        examples, found = self._page_examples(page, text)
        self.findings.extend(found)
        if self.options.prose:
            from mkdocs_appreg.site.prose import yaml_words

            words = self.page_words.setdefault(page, set())
            for example in examples:
                words.update(yaml_words(example.text))
        for example in examples:
            self.add_example(example, kinds)

    def _page_examples(self, page: str, text: str) -> tuple[Sequence[Example], Sequence[Finding]]:
        key = None
        if self.memo is not None:
            key, known = self.memo.page(page, text, unrefused(self.resolve))
            if known is not None:
                return known.examples, known.findings
        reads: dict[str, tuple[Path | None, str | None]] = {}

        def resolve(path: str) -> Path | None:
            try:
                resolved = self.resolve(path)
            except ValueError:
                reads.setdefault(path, (None, None))
                raise
            # Digest before the extraction reads it: a file changed in between is a miss next time.
            if path not in reads:
                reads[path] = (
                    resolved,
                    file_digest(resolved) if self.memo is not None and resolved is not None else None,
                )
            return resolved

        examples, found = extract_examples(text, page, resolve=resolve, display=self.display)
        for _, _, directive in iter_directives(text.splitlines()) if "///" in text else ():
            # What stops the build when the page renders (the directive's own error: its header,
            # its end, its options, its path) is an error here too, found by the same parser
            # (pages/directives.py): the check and the build agree.
            try:
                if isinstance(directive, DirectiveError):
                    raise directive
                _, path = directive.checked(ResourceOptions())
                line = directive.header_line
                target = resolve(path)
            except DirectiveError as error:
                found.append(Finding(page, error.line or 1, 1, "directive.invalid", error.reason))
                continue
            except ValueError as error:
                found.append(Finding(page, line, 1, "directive.invalid", str(error)))
                continue
            if target is None:
                problem = f"`{path}` was not found in any snippet base path"
                found.append(Finding(page, line, 1, "directive.invalid", problem))
                continue
            synthetic = f'```yaml\n--8<-- "{path}"\n```\n'
            more, nested = extract_examples(synthetic, page, resolve=resolve, display=self.display)
            # Includes inside the directive's file (a rendered block scalar may hold a `--8<--`
            # line) are followed by snippets in the build: a refused one stops it.
            found.extend(finding for finding in nested if finding.rule == "snippet.refused")
            examples.extend(
                Example(
                    example.file,
                    example.text,
                    example.line_offset,
                    example.column_offset,
                    example.origin,
                    example.page,
                    line,
                    example.ignore,
                    example.whole,
                    example.form,
                )
                for example in more
            )
        if self.memo is not None and key is not None:
            entry = _PageEntry(tuple(examples), tuple(found), tuple((p, r, d) for p, (r, d) in reads.items()))
            self.memo.put_page(key, entry)
        return examples, found

    def add_example(self, example: Example, kinds: set[tuple[str, str]]) -> None:
        rendered = self.rendered_by_file.get(example.file)
        if rendered is not None:
            # A rendered template shown on this page: validated once, as a template.
            pages = self.rendered_pages[example.file]
            if example.page not in pages:
                pages.append(example.page)
            return
        if example.ignore is not None and not example.ignore:
            return
        key = None
        known = None
        parse_findings: tuple[Finding, ...] = ()
        resources: tuple[Document, ...] = ()
        complete = self.complete(example)
        # Text without `apiVersion` holds no resource (short of spelling the key with YAML
        # escapes), and most YAML on a page is configuration: it is neither parsed nor memoized.
        if "apiVersion" in example.text:
            if self.memo is not None:
                key = self.memo.key(
                    "example",
                    example.file,
                    example.line_offset,
                    example.column_offset,
                    example.text,
                    (*self.memo_context, complete, example.expands),
                )
                known = self.memo.get(key)
            if known is not None:
                parse_findings, resources = known.parse_findings, known.documents
            else:
                # An excerpt's `...` lines are blanked (a bare `...` is no YAML), not reported.
                elided = None if complete else find_elisions(example.text)
                parsed = parse_documents(
                    example.text if elided is None else elided.text,
                    example.file,
                    line_offset=example.line_offset,
                    column_offset=example.column_offset,
                )
                parse_findings = tuple(_yaml_findings(parsed.findings, example))
                resources = tuple(d for d in parsed.documents if d.api_version and d.kind)
        kinds.update((d.api_version, d.kind) for d in resources)
        if example.key in self.seen:
            if example.page not in self.proposal_pages and example.key in self.proposed:
                # A file a proposal showed first is shown by another page too: there the API it
                # proposes is not proposed, it is wrong.
                self.findings.extend(self.proposed.pop(example.key))
            return
        self.seen.add(example.key)
        if example.ignore:
            last = example.line_offset + example.text.count("\n")
            self.spans.append(_Span(example.file, example.line_offset + 1, last, example.ignore))
        if not resources and not (parse_findings and _resource_keys().search(example.text)):
            if self.memo is not None and key is not None and known is None:
                self.memo.put(key, _MemoEntry(parse_findings, resources, ()), validated=False)
            return  # YAML that is not a Kubernetes resource (a values file, a config excerpt)
        # Syntax errors only where the text is meant to be a resource: a broken one parses to nothing.
        self.findings.extend(parse_findings)
        if known is not None:
            found = list(known.findings)
        else:
            found = []
            for document in resources:
                checked = validate_resource(
                    document, self.registry, self.core, allowlist=self.allowlist, skip=self.options.skip_kinds
                )
                if not complete:
                    checked = [f for f in checked if not _left_out(f)]
                schema = _schema_of(document, self.registry)
                found.extend(with_placeholders(document, checked, schema, expands=example.expands))
            if self.memo is not None and key is not None:
                self.memo.put(key, _MemoEntry(parse_findings, resources, tuple(found)), validated=True)
        for document in resources:
            first = self.shown_before(example, document, complete)
            if first is None:
                start = len(self.findings)
                mine = [f for f in found if _in_document(f, document)]
                if example.page in self.proposal_pages:
                    mine, dropped = self.unproposed(mine, document)
                    if dropped:
                        self.proposed.setdefault(example.key, []).extend(dropped)
                self.findings.extend(mine)
                self.first_copies[(document.file, document.line)] = (start, len(self.findings))
                self.resources.append(SiteResource(document, example.page))
            elif complete and not first:
                # The first copy was an excerpt: what it may leave out is checked on this one.
                self.findings.extend(f for f in found if _in_document(f, document) and _left_out(f))
        self.documents += self._counted(resources)

    def unproposed(self, findings: list[Finding], document: Document) -> tuple[list[Finding], list[Finding]]:
        """A design proposal's findings, less those about the API it proposes (`site/proposals.py`),
        and those."""
        if not any(f.rule in RELAXED_RULES for f in findings):
            return findings, []
        key = (document.api_version, document.kind)
        if key not in self.vocabularies:
            self.vocabularies[key] = self.vocabulary(document)
        vocabulary = self.vocabularies[key]
        if vocabulary is None:
            return findings, []
        kept: list[Finding] = []
        dropped: list[Finding] = []
        for finding in findings:
            (dropped if proposed(finding, document, vocabulary) else kept).append(finding)
        return kept, dropped

    def vocabulary(self, document: Document) -> Vocabulary | None:
        kind_version = self.registry.lookup(document.api_version, document.kind)
        if kind_version is not None and kind_version.schema is not None:
            return vocabulary_of(kind_version.schema)
        schema = self.core.schema(document.api_version, document.kind) if self.core is not None else None
        if schema is None or self.core is None:
            return None
        return vocabulary_of(schema, self.core.definitions())

    def complete(self, example: Example) -> bool:
        """Whether the reader is told to apply the example as it is (`pages.excerpts`).

        A heredoc body goes to kubectl as written. A file included whole is published as it is
        when it lives in the docs folder (MkDocs copies it into the site), and a `resources/`
        folder holds files to apply by convention (the seed site's). A block written on the page
        and a section or line range of a file are excerpts, unless a fence attribute or a
        `# appreg: complete|excerpt` comment says otherwise.
        """
        form = example.form or declared_form(example.text)
        if form:
            return form == "complete"
        if example.origin == "heredoc":
            return True
        if example.origin != "snippet" or not example.whole:
            return False
        prefix = self.settings.docs_prefix
        inside_docs = prefix in ("", ".") or example.file.startswith(prefix.rstrip("/") + "/")
        return inside_docs or "resources" in example.file.split("/")[:-1]

    def shown_before(self, example: Example, document: Document, complete: bool) -> bool | None:
        """Whether the page showed the same resource before (the YAML tab of a heredoc) complete;
        None when it did not.

        The second copy is reported once, through the first: its findings would repeat the
        first's, at other lines. The first copy's findings name this one (`also`). When the first
        copy is an excerpt and this one is complete (the YAML tab and its heredoc), this one is
        still checked for what the excerpt may leave out.
        """
        try:
            value = json.dumps(document.value, sort_keys=True, default=str)
        except (TypeError, ValueError, RecursionError):
            return None  # not comparable (a recursive alias): checked on its own
        where = (document.file, document.line)
        first, first_complete = self.copies.setdefault((example.page, value), (where, complete))
        if first == where:
            return None
        self.also.setdefault(first, []).append(where)
        return first_complete

    # -- relations

    def add_rendered_resources(self, documents: Iterable[Document]) -> None:
        for document in documents:
            if not (document.api_version and document.kind):
                continue
            pages = self.rendered_pages.get(document.file) or [""]
            for page in pages:
                self.page_kinds.setdefault(page, set()).add((document.api_version, document.kind))
            self.resources.append(SiteResource(document, pages[0]))

    def check_prose(self, pages: Sequence[tuple[str, str]]) -> None:
        # Imported here: the check is off by default, and a build pays for every import.
        from mkdocs_appreg.site.prose import check_prose, schema_field_names, schema_vocabulary

        # Names the site knows otherwise are never drift: every field and enum value of every
        # loaded CRD and built-in kind, and (per page) every word of the page's YAML.
        vocabulary: set[str] = set()
        for definition in self.registry.definitions():
            if definition.schema is not None:
                schema_vocabulary(definition.schema, vocabulary, vocabulary)
        if self.core is not None:
            schema_vocabulary({"$defs": self.core.definitions()}, vocabulary, vocabulary)
        for page, text in pages:
            names: set[str] = set()
            for api_version, kind in sorted(self.page_kinds.get(page, ())):
                kind_version = self.registry.lookup(api_version, kind)
                if kind_version is not None and kind_version.schema is not None:
                    names.update(schema_field_names(kind_version.schema))
            if names:
                excluded = vocabulary | self.page_words.get(page, set())
                self.findings.extend(check_prose(text, page, names, excluded=excluded))

    def name_copies(self) -> None:
        """Add to each finding of a resource shown twice where the other copy is."""
        for first, others in self.also.items():
            start, end = self.first_copies.get(first, (0, 0))
            where = ", ".join(f"{file}:{line}" for file, line in others)
            note = f" (the same resource is shown again at {where}; reported once)"
            for index in range(start, end):
                finding = self.findings[index]
                self.findings[index] = Finding(**{**finding.as_dict(), "message": finding.message + note})

    def result(self) -> CheckResult:
        self.name_copies()
        findings: list[Finding] = []
        for finding in dict.fromkeys(self.findings):
            if any(span.drops(finding) for span in self.spans):
                continue
            if finding.rule == CEL_UNCHECKED_RULE and self.options.cel_unchecked == "off":
                continue
            if finding.kind in self.options.skip_kinds and finding.rule != LEAK_RULE:
                continue  # what the checks across resources say about a skipped one
            rendered = self.rendered_by_file.get(finding.file)
            if rendered is not None:
                file, line = rendered.origin(finding.line)
                finding = finding.moved(file=file, line=line)
            findings.append(finding)
        findings = once_per_kind(findings, fix="add its CRD to the `crds` option of the appreg plugin")
        return CheckResult(sorted(dict.fromkeys(findings), key=sort_key), self.documents)


def _ignored(page: str, settings: ProjectSettings, patterns: Sequence[str]) -> bool:
    """Whether `ignore_pages` names the page (`docs/proposals/x.md` matches `proposals/*`)."""
    prefix = settings.docs_prefix.rstrip("/") + "/"
    relative = page[len(prefix) :] if page.startswith(prefix) else page
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns)


def check_site(
    settings: ProjectSettings,
    pages: Sequence[tuple[str, str]],
    *,
    options: CheckOptions,
    registry: SchemaRegistry,
    rendered: Sequence[Rendered],
    base_path: Sequence[Path] = (),
    memo: ValidationMemo | None = None,
    resolver: Callable[[str], Path | None] | None = None,
) -> CheckResult:
    """Check a site's rendered templates, the resources on its pages, and the references between them.

    Args:
        settings: The project; the rendered files must already be in its cache (`write_cache`),
            where page includes find them.
        pages: `(display path, Markdown source)` of every documentation page, the display path as
            findings name it (`docs/development/custom-registry.md`).
        options: What to check.
        registry: The CRDs (`project.build_registry`).
        rendered: The rendered templates.
        base_path: pymdownx.snippets' `base_path`, as absolute paths, in order; the cache
            (`settings.snippet_root`) is searched first whether or not it is listed.
        memo: Per-file results of earlier checks (the plugin keeps one for a `mkdocs serve`
            session): a rendered file or page example whose text, CRDs and options are unchanged
            is not parsed or validated again. The memo is updated.
        resolver: A `snippets.snippet_resolver` over the cache and `base_path`, whose answers
            the check shares (the plugin's, which the directive uses too).

    Returns:
        The findings (located at template, page or snippet-file lines) and the number of resources.

    Raises:
        ConfigError: `options.kubernetes_version` names a release whose schemas are not installed.
    """
    core = core_schemas(options.kubernetes_version)
    if options.ignore_pages:
        pages = [(page, text) for page, text in pages if not _ignored(page, settings, options.ignore_pages)]
    # Refusals raise ValueError: extraction reports them as `snippet.refused` errors.
    resolve = (
        resolver
        if resolver is not None
        else snippet_resolver(dict.fromkeys([settings.snippet_root, *base_path]))
    )
    site = _SiteCheck(settings, options, registry, core, resolve)
    if memo is not None:
        memo.start()
        site.memo = memo
        # Everything besides the text that changes a file's own findings.
        site.memo_context = (
            registry.fingerprint,
            core.version,
            tuple(sorted(settings.secrets_allowlist)),
            tuple(sorted(options.skip_kinds)),
        )
    rendered_documents = site.add_rendered(rendered)
    if options.check_pages:
        for page, text in pages:
            site.add_page(page, text)
    if memo is not None:
        memo.finish()
    site.add_rendered_resources(rendered_documents)
    site.findings.extend(check_references(site.resources, options.references))
    site.findings.extend(check_policies(site.resources, options.references, options.policies))
    if options.prose and options.check_pages:
        site.check_prose(pages)
    return site.result()


__all__ = [
    "PLACEHOLDER_RULE",
    "SCHEMA_MISSING_RULE",
    "CheckOptions",
    "CheckResult",
    "ValidationMemo",
    "check_site",
    "core_schemas",
    "validate_resource",
    "validate_stream",
    "with_placeholders",
]
