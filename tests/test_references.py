"""references.py: references between resources across the site, on the real status-quo pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.pages.extract import extract_examples
from mkdocs_appreg.site.references import (
    DEFAULT_REFERENCE_RULES,
    ReferenceRule,
    SiteResource,
    check_references,
    find_references,
    parse_reference_rules,
)

CHECKS = Path(__file__).parent / "fixtures" / "checks"
PAGES = ("custom-registry.md", "custom-catalog.md")


def site(root: Path = CHECKS) -> list[SiteResource]:
    """Every resource shown on the two real pages, extracted the way the checker does it."""

    def resolve(spec: str) -> Path | None:
        candidate = root / Path(spec).name
        return candidate if candidate.is_file() else None

    resources: list[SiteResource] = []
    for page in PAGES:
        examples, _ = extract_examples(
            (root / page).read_text(), page, resolve=resolve, display=lambda path: path.name
        )
        for example in examples:
            parsed = parse_documents(
                example.text,
                example.file,
                line_offset=example.line_offset,
                column_offset=example.column_offset,
            )
            resources.extend(SiteResource(document, page) for document in parsed.documents)
    return resources


def resources_from(text: str, file: str = "x.yaml", page: str = "page.md") -> list[SiteResource]:
    return [SiteResource(document, page) for document in parse_documents(text, file).documents]


def copy_fixtures(tmp_path: Path, **replacements: tuple[str, str]) -> Path:
    """The fixtures in tmp_path, with `file=(old, new)` text replacements applied."""
    for source in CHECKS.iterdir():
        text = source.read_text()
        old, new = replacements.get(source.stem.replace("-", "_"), ("", ""))
        if old:
            assert old in text
            text = text.replace(old, new)
        (tmp_path / source.name).write_text(text)
    return tmp_path


def test_status_quo_registry_names_a_secret_that_is_not_shown() -> None:
    resources = site()
    # Each page shows every resource twice (YAML tab and heredoc): the extraction is real.
    assert sorted(r.document.kind for r in resources).count("Secret") == 4
    findings = check_references(resources, DEFAULT_REFERENCE_RULES)
    assert [(f.file, f.line, f.column, f.rule, f.path, f.kind, f.name) for f in findings] == [
        ("registry.yaml", 7, 3, "ref.missing", "/spec/authSecretRef", "Registry", "your-registry")
    ]
    assert findings[0].severity == "error"
    assert findings[0].message == (
        'Secret "your-registry-creds" is not shown on the page that shows it (custom-registry.md) or anywhere '
        'on the site; did you mean "your-creds"?'
    )


def test_fixed_registry_has_no_reference_findings(tmp_path: Path) -> None:
    root = copy_fixtures(tmp_path, registry=("your-registry-creds", "your-creds"))
    assert check_references(site(root), DEFAULT_REFERENCE_RULES) == []


def test_a_target_on_another_page_counts() -> None:
    resources = resources_from(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n", "secret.yaml", "other.md"
    ) + resources_from(
        "apiVersion: appstore.eda.nokia.com/v1\nkind: Catalog\nmetadata:\n  name: c\nspec:\n  authSecretRef: creds\n"
    )
    assert check_references(resources, DEFAULT_REFERENCE_RULES) == []


REGISTRY_IN = """\
apiVersion: appstore.eda.nokia.com/v1
kind: Registry
metadata:
  name: r
{namespace}spec:
  authSecretRef: creds
"""
SECRET_IN = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n{namespace}"


@pytest.mark.parametrize(
    ("registry_ns", "secret_ns", "rules"),
    [
        (None, None, []),
        (None, "eda", []),  # unspecified: the reader's current namespace, which may be "eda"
        ("eda", None, []),
        ("eda", "eda", []),
        ("eda", "other", ["ref.namespace"]),
    ],
)
def test_namespaces(registry_ns: str | None, secret_ns: str | None, rules: list[str]) -> None:
    registry = REGISTRY_IN.format(namespace=f"  namespace: {registry_ns}\n" if registry_ns else "")
    secret = SECRET_IN.format(namespace=f"  namespace: {secret_ns}\n" if secret_ns else "")
    findings = check_references(
        resources_from(registry, "r.yaml") + resources_from(secret), DEFAULT_REFERENCE_RULES
    )
    assert [f.rule for f in findings] == rules
    for finding in findings:
        assert (finding.file, finding.line, finding.column, finding.path) == (
            "r.yaml",
            7,
            3,
            "/spec/authSecretRef",
        )
        assert finding.message.startswith('Secret "creds" is shown only in namespace "other", not in "eda"')


def test_namespace_does_not_matter_when_the_rule_says_so() -> None:
    rule = ReferenceRule(
        "Registry", "appstore.eda.nokia.com", "/spec/authSecretRef", "Secret", same_namespace=False
    )
    registry = REGISTRY_IN.format(namespace="  namespace: eda\n")
    secret = SECRET_IN.format(namespace="  namespace: other\n")
    assert check_references(resources_from(registry) + resources_from(secret), [rule]) == []


def test_object_reference_is_located_at_its_name() -> None:
    text = """\
apiVersion: example.com/v1
kind: Backup
metadata:
  name: b
spec:
  secretRef:
    name: backup-creds
"""
    rule = parse_reference_rules(
        [{"kind": "Backup", "group": "example.com", "path": "spec.secretRef", "target": "Secret"}],
        source="mkdocs.yml",
    )
    findings = check_references(resources_from(text), rule)
    assert [(f.line, f.column, f.rule, f.path) for f in findings] == [
        (7, 5, "ref.missing", "/spec/secretRef/name")
    ]
    assert (
        findings[0].message
        == 'Secret "backup-creds" is not shown on the page that shows it (page.md) or anywhere on the site'
    )


def test_suggestion_falls_back_to_the_secrets_on_the_page() -> None:
    registry = REGISTRY_IN.format(namespace="").replace("creds", "registry-login")
    secret = SECRET_IN.format(namespace="").replace("creds", "token")
    findings = check_references(resources_from(registry) + resources_from(secret), DEFAULT_REFERENCE_RULES)
    assert [f.message for f in findings] == [
        'Secret "registry-login" is not shown on the page that shows it (page.md) or anywhere on the site; '
        'this page shows Secret "token"'
    ]


@pytest.mark.parametrize(
    "value", ["<your-secret>", "${SECRET}", "{true|false}", '""', "42", "null", "{other: x}"]
)
def test_placeholders_and_non_strings_are_left_to_other_rules(value: str) -> None:
    text = REGISTRY_IN.format(namespace="").replace("authSecretRef: creds", f"authSecretRef: {value}")
    assert find_references(resources_from(text), DEFAULT_REFERENCE_RULES) == []
    assert check_references(resources_from(text), DEFAULT_REFERENCE_RULES) == []


def test_other_kinds_and_groups_are_not_references() -> None:
    text = REGISTRY_IN.format(namespace="").replace("appstore.eda.nokia.com", "example.com")
    assert check_references(resources_from(text), DEFAULT_REFERENCE_RULES) == []


def test_parse_reference_rules() -> None:
    rules = parse_reference_rules(
        [
            {
                "kind": "Registry",
                "group": "appstore.eda.nokia.com",
                "path": "/spec/authSecretRef",
                "target": "Secret",
            },
            {
                "kind": "Pod",
                "path": "spec.serviceAccountName",
                "target": "ServiceAccount",
                "same_namespace": False,
            },
        ],
        source="mkdocs.yml",
    )
    assert rules == (
        DEFAULT_REFERENCE_RULES[0],
        ReferenceRule("Pod", "", "/spec/serviceAccountName", "ServiceAccount", "", False),
    )
    assert parse_reference_rules(None, source="mkdocs.yml") == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"kind": "x"}, "mkdocs.yml: references must be a list of mappings, not dict"),
        (["x"], "mkdocs.yml: references[0] must be a mapping, not str"),
        (
            [{"kind": "A", "path": "a", "target": "B", "bogus": 1}],
            "mkdocs.yml: references[0]: unknown key bogus",
        ),
        ([{"path": "a", "target": "B"}], "mkdocs.yml: references[0]: 'kind' must be a non-empty string"),
        (
            [{"kind": "A", "path": "a", "target": 3}],
            "mkdocs.yml: references[0]: 'target' must be a non-empty string",
        ),
        (
            [{"kind": "A", "path": "a", "target": "B", "group": 1}],
            "references[0]: 'group' must be a non-empty",
        ),
        ([{"kind": "A", "path": "a..b", "target": "B"}], "references[0]: 'path' 'a..b' has an empty segment"),
        (
            [{"kind": "A", "path": "a", "target": "B", "same_namespace": "yes"}],
            "'same_namespace' must be true or false",
        ),
    ],
)
def test_parse_reference_rules_errors(raw: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_reference_rules(raw, source="mkdocs.yml")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_target_in_several_other_namespaces() -> None:
    registry = REGISTRY_IN.format(namespace="  namespace: c\n")
    secrets = [SECRET_IN.format(namespace=f"  namespace: {ns}\n") for ns in ("b", "a")]
    resources = resources_from(registry) + [r for text in secrets for r in resources_from(text, "s.yaml")]
    findings = check_references(resources, DEFAULT_REFERENCE_RULES)
    assert [f.message for f in findings] == [
        'Secret "creds" is shown only in namespaces "a", "b", not in "c"; '
        "a Registry can only use a Secret of its own namespace"
    ]
