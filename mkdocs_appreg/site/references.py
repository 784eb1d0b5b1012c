"""References between resources across a docs site: a Registry's `authSecretRef` must name a Secret.

A page that shows a Registry referring to Secret `your-registry-creds` while the Secret it shows is
called `your-creds` leaves the reader with a Registry that never authenticates. The API server does
not catch this (a reference is a plain string to it); the controller fails later, at runtime. So we
check it while the docs build: every reference must name a target shown on the same page or
anywhere else on the site.

Namespaces. An example usually leaves `metadata.namespace` out: `kubectl apply` then puts it in the
reader's current namespace. We treat an unspecified namespace as "the reader's current one", which
may be any: two unspecified namespaces match, an unspecified one matches a specified one (the reader
may well be in it), and only two different specified namespaces do not match (`ref.namespace`).

Rules (both errors, located at the reference value's key):

* `ref.missing`: no resource of the target kind and name is shown anywhere on the site;
* `ref.namespace`: the target is shown, but only in namespaces the referring resource is not in.

A reference whose value is a placeholder (`<your-secret>`) is skipped: `placeholders` reports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import Finding, Severity
from mkdocs_appreg.common.records import Record
from mkdocs_appreg.engine.documents import Document, join_pointer, split_pointer
from mkdocs_appreg.engine.kinds import parse_group_version
from mkdocs_appreg.site.placeholders import placeholder_in_value

#: API group of the EDA Store kinds.
APPSTORE_GROUP = "appstore.eda.nokia.com"


# Plain classes (common/records.py says why).
class SiteResource:
    """A resource somewhere on the site.

    Attributes:
        document: The parsed, located document (findings are located with `document.finding`).
        page: Display path of the page it is shown on (`""` for a rendered template shown nowhere).
    """

    __slots__ = ("document", "page")

    document: Document
    page: str

    def __init__(self, document: Document, page: str) -> None:
        self.document = document
        self.page = page


class ReferenceRule(Record):
    """One field of one kind that names another resource.

    Attributes:
        kind: Kind of the referring resource (`Registry`).
        group: API group of the referring resource (`""` for the core group).
        path: JSON Pointer of the reference. Its value is either the target's name, or an object
            whose `name` member is (`/spec/secretRef` -> `{"name": "x"}`).
        target_kind: Kind of the resource named (`Secret`).
        target_group: API group of the resource named (`""` for the core group).
        same_namespace: Whether the target must be in the referring resource's namespace.
    """

    __slots__ = ("group", "kind", "path", "same_namespace", "target_group", "target_kind")
    FIELDS = ("kind", "group", "path", "target_kind", "target_group", "same_namespace")

    kind: str
    group: str
    path: str
    target_kind: str
    target_group: str
    same_namespace: bool

    def __init__(
        self,
        kind: str,
        group: str,
        path: str,
        target_kind: str,
        target_group: str = "",
        same_namespace: bool = True,
    ) -> None:
        self.kind = kind
        self.group = group
        self.path = path
        self.target_kind = target_kind
        self.target_group = target_group
        self.same_namespace = same_namespace


DEFAULT_REFERENCE_RULES: tuple[ReferenceRule, ...] = (
    ReferenceRule("Registry", APPSTORE_GROUP, "/spec/authSecretRef", "Secret"),
    ReferenceRule("Catalog", APPSTORE_GROUP, "/spec/authSecretRef", "Secret"),
)


class Reference:
    """One reference found in one resource.

    Attributes:
        source: The referring resource.
        rule: The rule that found it.
        name: The target name it gives.
        pointer: JSON Pointer of the name's node (`/spec/secretRef/name` for the object form).
    """

    __slots__ = ("name", "pointer", "rule", "source")

    source: SiteResource
    rule: ReferenceRule
    name: str
    pointer: str

    def __init__(self, source: SiteResource, rule: ReferenceRule, name: str, pointer: str) -> None:
        self.source = source
        self.rule = rule
        self.name = name
        self.pointer = pointer

    @property
    def namespace(self) -> str | None:
        return namespace_of(self.source.document)

    @property
    def label(self) -> str:
        """`Kind/name` of the referring resource."""
        document = self.source.document
        return f"{document.kind or '?'}/{document.name or '?'}"


def group_of(api_version: str) -> str:
    """The API group of an `apiVersion` (`apps/v1` -> `apps`, `v1` -> `""`)."""
    parsed = parse_group_version(api_version)
    return parsed[0] if parsed is not None else ""


def namespace_of(document: Document) -> str | None:
    """`metadata.namespace`, or `None` when the example leaves it to the reader's context."""
    metadata = document.value.get("metadata") if isinstance(document.value, dict) else None
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    return namespace if isinstance(namespace, str) and namespace else None


def namespaces_match(first: str | None, second: str | None) -> bool:
    """Whether two namespaces can be the same one (an unspecified namespace matches any)."""
    return first is None or second is None or first == second


def _value_at(value: Any, pointer: str) -> tuple[bool, Any]:
    current = value
    for token in split_pointer(pointer):
        if not isinstance(current, dict) or token not in current:
            return False, None
        current = current[token]
    return True, current


def find_references(resources: Sequence[SiteResource], rules: Sequence[ReferenceRule]) -> list[Reference]:
    """Every reference the rules find, in resource order, placeholders and non-strings left out."""
    found: list[Reference] = []
    for resource in resources:
        document = resource.document
        group = group_of(document.api_version)
        for rule in rules:
            if rule.kind != document.kind or rule.group != group:
                continue
            present, value = _value_at(document.value, rule.path)
            pointer = rule.path
            if present and isinstance(value, dict) and "name" in value:
                value, pointer = value["name"], join_pointer(rule.path, "name")
            # A wrong type or an empty name is the schema's to report; a placeholder is placeholders'.
            if not present or not isinstance(value, str) or not value or placeholder_in_value(value):
                continue
            found.append(Reference(resource, rule, value, pointer))
    return found


# Beyond this many candidate names a did-you-mean is not looked for: difflib compares the
# missing name with every candidate, and `appreg validate` may be given 100,000 resources.
MAX_SUGGESTION_CANDIDATES = 5_000


class _Targets:
    """The resources a reference can name, indexed once per check by (kind, group) and by name.

    A site shows tens of resources, but `appreg validate DIR` may be given 100,000: scanning every
    resource for every reference made the check quadratic (1,000 Registries, Catalogs and Secrets
    took 40 s). Each reference now costs a dictionary lookup, and the did-you-mean (difflib over
    the candidates' names) is computed once per distinct question, not once per reference.
    """

    def __init__(self, resources: Sequence[SiteResource]) -> None:
        self._by_kind: dict[tuple[str, str], list[SiteResource]] = {}
        self._by_name: dict[tuple[str, str], dict[str, list[SiteResource]]] = {}
        for resource in resources:
            document = resource.document
            name = document.name
            if not name:
                continue
            key = (document.kind, group_of(document.api_version))
            self._by_kind.setdefault(key, []).append(resource)
            self._by_name.setdefault(key, {}).setdefault(name, []).append(resource)
        self._suggestions: dict[tuple[Any, ...], str] = {}

    def of_kind(self, kind: str, group: str) -> list[SiteResource]:
        return self._by_kind.get((kind, group), [])

    def named(self, kind: str, group: str, name: str) -> list[SiteResource]:
        return self._by_name.get((kind, group), {}).get(name, [])

    def suggestion(self, reference: Reference) -> str:
        rule = reference.rule
        namespace = reference.namespace if rule.same_namespace else None
        key = (
            rule.target_kind,
            rule.target_group,
            rule.same_namespace,
            namespace,
            reference.name,
            reference.source.page,
        )
        found = self._suggestions.get(key)
        if found is None:
            candidates = self.of_kind(rule.target_kind, rule.target_group)
            if rule.same_namespace:
                candidates = [c for c in candidates if namespaces_match(namespace_of(c.document), namespace)]
            found = self._suggestions[key] = _suggestion(reference, candidates, self)
        return found


def _shown_on(name: str, candidates: Sequence[SiteResource], page: str) -> str:
    """` (shown on docs/x.md)` for a name the site shows only on other pages, else `""`."""
    pages = sorted({c.page for c in candidates if c.document.name == name and c.page})
    if not pages or page in pages:
        return ""
    return f" (shown on {', '.join(pages[:2])}{', ...' if len(pages) > 2 else ''})"


def _suggestion(reference: Reference, candidates: Sequence[SiteResource], targets: _Targets) -> str:
    """`; did you mean "x"?` from the closest names, else the names shown on the same page.

    A close name is looked for across the whole site: one shown on another page says which.
    """
    names = sorted({c.document.name for c in candidates})
    close: list[str] = []
    if len(names) <= MAX_SUGGESTION_CANDIDATES:
        import difflib  # only for a did-you-mean: a clean run never needs it

        close = difflib.get_close_matches(reference.name, names, n=3, cutoff=0.6)
    rule = reference.rule
    if close:
        page = reference.source.page
        hints = [
            f'"{n}"{_shown_on(n, targets.named(rule.target_kind, rule.target_group, n), page)}' for n in close
        ]
        return "; did you mean " + " or ".join(hints) + "?"
    on_page = sorted({c.document.name for c in candidates if c.page and c.page == reference.source.page})
    if 0 < len(on_page) <= 3:
        shown = ", ".join(f'"{n}"' for n in on_page)
        return f"; this page shows {reference.rule.target_kind} {shown}"
    return ""


def check_references(
    resources: Sequence[SiteResource],
    rules: Sequence[ReferenceRule],
    *,
    scope: str | None = None,
    missing: Severity = "error",
) -> list[Finding]:
    """Check that every reference names a resource shown on the site.

    Args:
        resources: Every resource of the site (rendered templates and examples on pages).
        rules: Which fields are references (`DEFAULT_REFERENCE_RULES`, or from the config).
        scope: What the resources are, when not a site's pages (`appreg validate`: "the files
            given"); `ref.missing` then says the target is in none of them.
        missing: Severity of `ref.missing` (`appreg validate` warns: the target may already be
            in the cluster, where a docs site must show it).

    Returns:
        `ref.missing` and `ref.namespace` errors, one per reference, in resource order; the same
        snippet shown twice (YAML tab and heredoc) yields one finding.
    """
    findings: list[Finding] = []
    targets = _Targets(resources)
    for reference in find_references(resources, rules):
        rule = reference.rule
        named = targets.named(rule.target_kind, rule.target_group, reference.name)
        document = reference.source.document
        # Finding.located() already prefixes `Registry/name /spec/authSecretRef:`.
        subject = f"{rule.target_kind} {_quote(reference.name)}"
        if not named:
            where = f"in {scope}" if scope else f"shown on {_this_page(reference)} or anywhere on the site"
            message = f"{subject} is not {where}{targets.suggestion(reference)}"
            findings.append(document.finding(reference.pointer, "ref.missing", message, missing))
        elif rule.same_namespace and not any(
            namespaces_match(namespace_of(t.document), reference.namespace) for t in named
        ):
            shown = sorted({_quote(namespace_of(t.document) or "") for t in named})
            where = f"namespace{'s' if len(shown) > 1 else ''} {', '.join(shown)}"
            where += _shown_on(reference.name, named, reference.source.page)
            message = (
                f"{subject} is shown only in {where}, not in {_quote(reference.namespace or '')}; "
                f"a {rule.kind} can only use a {rule.target_kind} of its own namespace"
            )
            findings.append(document.finding(reference.pointer, "ref.namespace", message))
    return list(dict.fromkeys(findings))


def _this_page(reference: Reference) -> str:
    """`this page`, or the page's name when the referrer's text lives in another file (a template,
    an included snippet): the finding is located there, and the page that shows it is not."""
    page = reference.source.page
    if page and page != reference.source.document.file:
        return f"the page that shows it ({page})"
    return "this page"


def _quote(text: str) -> str:
    return f'"{text}"'


# --- configuration -----------------------------------------------------------------------------------

_RULE_KEYS = frozenset({"kind", "group", "path", "target", "target_group", "same_namespace"})


def _pointer(path: str) -> str:
    """A JSON Pointer from `/spec/x` or the dotted `spec.x`."""
    if path.startswith("/"):
        return path
    return "".join(join_pointer("", token) for token in path.split("."))


def parse_reference_rules(raw: Any, *, source: str) -> tuple[ReferenceRule, ...]:
    """Reference rules from configuration.

    Args:
        raw: A list of mappings `{kind, group?, path, target, target_group?, same_namespace?}`;
            `path` is a JSON Pointer (`/spec/authSecretRef`) or dotted (`spec.authSecretRef`).
            `None` means no rules.
        source: Where the configuration came from (`mkdocs.yml`), for error messages.

    Returns:
        The rules, in order.

    Raises:
        ConfigError: One line naming the entry and what is wrong with it.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"references must be a list of mappings, not {type(raw).__name__}", file=source)
    rules: list[ReferenceRule] = []
    for index, entry in enumerate(raw):
        where = f"references[{index}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where} must be a mapping, not {type(entry).__name__}", file=source)
        unknown = sorted(str(key) for key in entry if key not in _RULE_KEYS)
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {', '.join(unknown)} (expected: {', '.join(sorted(_RULE_KEYS))})",
                file=source,
            )
        texts: dict[str, str] = {}
        for key, required in (
            ("kind", True),
            ("path", True),
            ("target", True),
            ("group", False),
            ("target_group", False),
        ):
            value = entry.get(key)
            if value is None and not required:
                texts[key] = ""
                continue
            if not isinstance(value, str) or (required and not value.strip()):
                raise ConfigError(f"{where}: {key!r} must be a non-empty string", file=source)
            texts[key] = value.strip()
        same_namespace = entry.get("same_namespace", True)
        if not isinstance(same_namespace, bool):
            raise ConfigError(f"{where}: 'same_namespace' must be true or false", file=source)
        path = _pointer(texts["path"])
        if path in ("", "/") or any(not token for token in split_pointer(path)):
            raise ConfigError(f"{where}: 'path' {texts['path']!r} has an empty segment", file=source)
        rules.append(
            ReferenceRule(
                kind=texts["kind"],
                group=texts["group"],
                path=path,
                target_kind=texts["target"],
                target_group=texts["target_group"],
                same_namespace=same_namespace,
            )
        )
    return tuple(rules)
