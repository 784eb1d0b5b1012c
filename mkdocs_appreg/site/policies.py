"""EDA Store policies the API server does not enforce but the EDA Store silently relies on.

Both come from the EDA Store documentation ("Add a Custom EDA Store Catalog" / "... Registry"):

* `policy.backup-label` (error): a Secret used by a Registry or Catalog must carry the label
  `eda.nokia.com/backup: "true"`; the EDA Store does not pick the Secret up otherwise, and the
  Registry or Catalog fails to authenticate with nothing pointing at the cause.
* `policy.shared-secret` (error): a Registry and a Catalog must not use the same Secret ("Make sure
  to give the secret a different name than the Catalog Credentials secret").

"Used" means named by a reference rule (see `references`) whose source kind is Registry or
Catalog in group `appstore.eda.nokia.com` and whose target is a core Secret; namespaces match as
`references.namespaces_match` says (an unspecified namespace matches any).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.records import Record
from mkdocs_appreg.engine.documents import join_pointer
from mkdocs_appreg.site.references import (
    APPSTORE_GROUP,
    Reference,
    ReferenceRule,
    SiteResource,
    find_references,
    group_of,
    namespace_of,
    namespaces_match,
)

#: The kinds whose Secrets the EDA Store reads.
STORE_KINDS = frozenset({"Registry", "Catalog"})


# A plain class (common/records.py says why).
class PolicyConfig(Record):
    """Which EDA Store policies to check.

    Attributes:
        backup_label: A Secret used by a Registry or Catalog must carry the backup label.
        backup_label_key: The label's key.
        backup_label_value: The label's required value.
        distinct_secrets: A Registry and a Catalog must use differently named Secrets.
    """

    __slots__ = ("backup_label", "backup_label_key", "backup_label_value", "distinct_secrets")
    FIELDS = ("backup_label", "backup_label_key", "backup_label_value", "distinct_secrets")

    backup_label: bool
    backup_label_key: str
    backup_label_value: str
    distinct_secrets: bool

    def __init__(
        self,
        backup_label: bool = True,
        backup_label_key: str = "eda.nokia.com/backup",
        backup_label_value: str = "true",
        distinct_secrets: bool = True,
    ) -> None:
        self.backup_label = backup_label
        self.backup_label_key = backup_label_key
        self.backup_label_value = backup_label_value
        self.distinct_secrets = distinct_secrets

    def options(self) -> dict[str, bool | str]:
        """Every option by name, in the order of the constructor's parameters."""
        return {
            "backup_label": self.backup_label,
            "backup_label_key": self.backup_label_key,
            "backup_label_value": self.backup_label_value,
            "distinct_secrets": self.distinct_secrets,
        }


def parse_policy_config(raw: Any, *, source: str) -> PolicyConfig:
    """A `PolicyConfig` from configuration (a mapping of its attributes; `None` for the defaults).

    Raises:
        ConfigError: One line naming the option and what is wrong with it.
    """
    if raw is None:
        return PolicyConfig()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"policies must be a mapping, not {type(raw).__name__}", file=source)
    known = PolicyConfig().options()  # each option's default, by name
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"policies: unknown option {key!r} (expected: {', '.join(known)})",
                file=source,
            )
        if isinstance(known[key], bool) and not isinstance(value, bool):
            raise ConfigError(f"policies.{key} must be true or false", file=source)
        if isinstance(known[key], str) and (not isinstance(value, str) or not value):
            raise ConfigError(f"policies.{key} must be a non-empty string", file=source)
        values[key] = value
    return PolicyConfig(**values)


def _store_references(resources: Sequence[SiteResource], rules: Sequence[ReferenceRule]) -> list[Reference]:
    store_rules = [
        rule
        for rule in rules
        if rule.kind in STORE_KINDS
        and rule.group == APPSTORE_GROUP
        and rule.target_kind == "Secret"
        and rule.target_group == ""
    ]
    return find_references(resources, store_rules)


def _identity(reference: Reference) -> tuple[str, str, str | None]:
    """The referring object as the cluster sees it: the same Registry shown twice is one object."""
    document = reference.source.document
    return (document.kind, document.name, namespace_of(document))


def _backup_label(
    resources: Sequence[SiteResource], references: Sequence[Reference], config: PolicyConfig
) -> list[Finding]:
    findings: list[Finding] = []
    key, wanted = config.backup_label_key, config.backup_label_value
    # References by the Secret they name, once: scanning every reference for every Secret made
    # `appreg validate` quadratic in the resources given.
    by_name: dict[str, list[Reference]] = {}
    for reference in references:
        by_name.setdefault(reference.name, []).append(reference)
    for resource in resources:
        document = resource.document
        if document.kind != "Secret" or group_of(document.api_version) or not document.name:
            continue
        namespace = namespace_of(document)
        users = list(
            dict.fromkeys(
                reference.label
                for reference in by_name.get(document.name, ())
                if namespaces_match(reference.namespace, namespace)
            )
        )
        if not users:
            continue
        metadata = document.value.get("metadata")
        labels = metadata.get("labels") if isinstance(metadata, dict) else None
        value = labels.get(key) if isinstance(labels, dict) else None
        if value == wanted:
            continue
        used_by = " and ".join(users)
        if value is None:
            pointer = "/metadata/labels" if isinstance(labels, dict) else "/metadata"
            problem = f'lacks the label {key}: "{wanted}"'
        else:
            pointer = join_pointer("/metadata/labels", key)
            problem = f'has the label {key}: {json.dumps(value)} instead of "{wanted}"'
        message = f'Secret "{document.name}" is referenced by {used_by} but {problem}; the EDA Store ignores it otherwise'
        findings.append(document.finding(pointer, "policy.backup-label", message))
    return findings


def _shared_secrets(references: Sequence[Reference]) -> list[Finding]:
    """`policy.shared-secret` for each reference whose Secret an earlier one of another kind uses.

    The earlier reference named is the first in order, as a scan of every earlier one would find
    it, but found through an index of the first reference per (Secret, kind, namespace): a scan
    made `appreg validate` quadratic in the number of Registries and Catalogs given.
    """
    findings: list[Finding] = []
    # (secret, kind) -> namespace -> (position, first reference); namespace None: unspecified.
    first: dict[tuple[str, str], dict[str | None, tuple[int, Reference]]] = {}
    kinds: dict[str, set[str]] = {}
    for position, reference in enumerate(references):
        kind = reference.source.document.kind
        earliest: tuple[int, Reference] | None = None
        for other in kinds.get(reference.name, ()):
            if other == kind:
                continue  # a different kind is also a different object (_identity)
            by_namespace = first[(reference.name, other)]
            if reference.namespace is None:
                found = list(by_namespace.values())
            else:
                found = [by_namespace[n] for n in (reference.namespace, None) if n in by_namespace]
            for candidate in found:
                if earliest is None or candidate[0] < earliest[0]:
                    earliest = candidate
        first.setdefault((reference.name, kind), {}).setdefault(reference.namespace, (position, reference))
        kinds.setdefault(reference.name, set()).add(kind)
        if earliest is None:
            continue
        message = (
            f'{earliest[1].label} and {reference.label} both use Secret "{reference.name}"; '
            "give them separate secrets (the EDA Store docs require it)"
        )
        findings.append(reference.source.document.finding(reference.pointer, "policy.shared-secret", message))
    return findings


def check_policies(
    resources: Sequence[SiteResource], rules: Sequence[ReferenceRule], config: PolicyConfig
) -> list[Finding]:
    """Check the EDA Store policies over every resource of the site.

    Args:
        resources: Every resource of the site.
        rules: The reference rules in force (the Registry/Catalog -> Secret ones are used).
        config: Which policies to check.

    Returns:
        `policy.backup-label` and `policy.shared-secret` errors, deduplicated (a snippet shown as
        YAML and as a heredoc is one finding).
    """
    references = _store_references(resources, rules)
    findings: list[Finding] = []
    if config.backup_label:
        findings.extend(_backup_label(resources, references, config))
    if config.distinct_secrets:
        findings.extend(_shared_secrets(references))
    return list(dict.fromkeys(findings))
