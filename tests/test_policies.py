"""policies.py: EDA Store policies, on the real status-quo pages and small variations of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.pages.extract import extract_examples
from mkdocs_appreg.site.policies import PolicyConfig, check_policies, parse_policy_config
from mkdocs_appreg.site.references import DEFAULT_REFERENCE_RULES, SiteResource

CHECKS = Path(__file__).parent / "fixtures" / "checks"
PAGES = ("custom-registry.md", "custom-catalog.md")


def site(tmp_path: Path, replacements: dict[str, tuple[str, str]]) -> list[SiteResource]:
    """The two real pages' resources, after `{file name: (old, new)}` replacements."""
    for source in CHECKS.iterdir():
        text = source.read_text()
        if source.name in replacements:
            old, new = replacements[source.name]
            assert old in text
            text = text.replace(old, new)
        (tmp_path / source.name).write_text(text)
    resources: list[SiteResource] = []
    for page in PAGES:
        examples, _ = extract_examples(
            (tmp_path / page).read_text(),
            page,
            resolve=lambda spec: tmp_path / Path(spec).name,
            display=lambda path: path.name,
        )
        for example in examples:
            documents = parse_documents(
                example.text,
                example.file,
                line_offset=example.line_offset,
                column_offset=example.column_offset,
            ).documents
            resources.extend(SiteResource(document, page) for document in documents)
    return resources


FIXED = {"registry.yaml": ("your-registry-creds", "your-creds")}


def located(resources: list[SiteResource], config: PolicyConfig | None = None) -> list[tuple[object, ...]]:
    return [
        (f.file, f.line, f.column, f.rule, f.path, f.severity)
        for f in check_policies(resources, DEFAULT_REFERENCE_RULES, config or PolicyConfig())
    ]


def test_status_quo_passes_the_policies(tmp_path: Path) -> None:
    # The Registry names a Secret nobody shows (ref.missing's business) and the Catalog's is labelled.
    assert located(site(tmp_path, {})) == []


def test_registry_and_catalog_sharing_a_secret(tmp_path: Path) -> None:
    resources = site(tmp_path, FIXED)
    findings = check_policies(resources, DEFAULT_REFERENCE_RULES, PolicyConfig())
    assert [(f.file, f.line, f.column, f.rule, f.path, f.kind) for f in findings] == [
        ("catalog.yaml", 8, 3, "policy.shared-secret", "/spec/authSecretRef", "Catalog")
    ]
    assert findings[0].message == (
        'Registry/your-registry and Catalog/your-catalog both use Secret "your-creds"; '
        "give them separate secrets (the EDA Store docs require it)"
    )
    assert located(resources, PolicyConfig(distinct_secrets=False)) == []


def test_shared_secret_in_different_namespaces_is_fine(tmp_path: Path) -> None:
    resources = site(
        tmp_path,
        {
            "registry.yaml": ("  authSecretRef: your-registry-creds", "  authSecretRef: your-creds"),
            "catalog.yaml": ("  name: your-catalog", "  name: your-catalog\n  namespace: store"),
        },
    )
    registry = next(r for r in resources if r.document.kind == "Registry")
    assert registry.document.value["metadata"].get("namespace") is None
    # The Registry's namespace is unspecified, so it may be "store": still one Secret.
    assert [row[3] for row in located(resources)] == ["policy.shared-secret"]


def test_missing_backup_label(tmp_path: Path) -> None:
    resources = site(tmp_path, {"authSecretRef.yaml": ('  labels:\n    eda.nokia.com/backup: "true"\n', "")})
    findings = check_policies(resources, DEFAULT_REFERENCE_RULES, PolicyConfig())
    assert [(f.file, f.line, f.column, f.rule, f.path) for f in findings] == [
        ("authSecretRef.yaml", 4, 1, "policy.backup-label", "/metadata")
    ]
    assert findings[0].message == (
        'Secret "your-creds" is referenced by Catalog/your-catalog but lacks the label '
        'eda.nokia.com/backup: "true"; the EDA Store ignores it otherwise'
    )
    assert located(resources, PolicyConfig(backup_label=False)) == []


def test_other_labels_but_not_the_backup_one(tmp_path: Path) -> None:
    resources = site(tmp_path, {"authSecretRef.yaml": ("eda.nokia.com/backup", "app")})
    assert located(resources) == [
        ("authSecretRef.yaml", 6, 3, "policy.backup-label", "/metadata/labels", "error")
    ]


def test_wrong_backup_label_value(tmp_path: Path) -> None:
    resources = site(tmp_path, {"authSecretRef.yaml": ('backup: "true"', 'backup: "false"')})
    findings = check_policies(resources, DEFAULT_REFERENCE_RULES, PolicyConfig())
    assert [(f.line, f.column, f.path) for f in findings] == [
        (7, 5, "/metadata/labels/eda.nokia.com~1backup")
    ]
    assert 'has the label eda.nokia.com/backup: "false" instead of "true"' in findings[0].message


def test_both_users_are_named(tmp_path: Path) -> None:
    resources = site(
        tmp_path, {**FIXED, "authSecretRef.yaml": ('  labels:\n    eda.nokia.com/backup: "true"\n', "")}
    )
    findings = [
        f
        for f in check_policies(resources, DEFAULT_REFERENCE_RULES, PolicyConfig())
        if f.rule == "policy.backup-label"
    ]
    assert len(findings) == 1
    assert "referenced by Registry/your-registry and Catalog/your-catalog but" in findings[0].message


def test_custom_label(tmp_path: Path) -> None:
    resources = site(tmp_path, {})
    config = parse_policy_config(
        {"backup_label_key": "example.com/keep", "backup_label_value": "yes"}, source="m.yml"
    )
    assert [row[3:5] for row in located(resources, config)] == [("policy.backup-label", "/metadata/labels")]


def test_unreferenced_secret_needs_no_label() -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: lonely\n"
    resources = [SiteResource(d, "p.md") for d in parse_documents(text, "s.yaml").documents]
    assert check_policies(resources, DEFAULT_REFERENCE_RULES, PolicyConfig()) == []


def test_parse_policy_config() -> None:
    assert parse_policy_config(None, source="mkdocs.yml") == PolicyConfig()
    assert parse_policy_config({"distinct_secrets": False}, source="mkdocs.yml") == PolicyConfig(
        distinct_secrets=False
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (["x"], "mkdocs.yml: policies must be a mapping, not list"),
        ({"bogus": True}, "mkdocs.yml: policies: unknown option 'bogus'"),
        ({"backup_label": "yes"}, "mkdocs.yml: policies.backup_label must be true or false"),
        ({"backup_label_key": ""}, "mkdocs.yml: policies.backup_label_key must be a non-empty string"),
        ({"backup_label_value": True}, "mkdocs.yml: policies.backup_label_value must be a non-empty string"),
    ],
)
def test_parse_policy_config_errors(raw: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_policy_config(raw, source="mkdocs.yml")
    assert str(raised.value).startswith(message)
