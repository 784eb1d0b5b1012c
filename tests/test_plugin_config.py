"""The nested `references` / `policies` options, validated by MkDocs (SubConfig) as it loads mkdocs.yml."""

from __future__ import annotations

from typing import Any

import pytest

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.plugin.config import AppregConfig, check_options_from
from mkdocs_appreg.site.policies import PolicyConfig
from mkdocs_appreg.site.references import DEFAULT_REFERENCE_RULES, ReferenceRule


def validated(raw: dict[str, Any]) -> tuple[AppregConfig, list[str]]:
    config = AppregConfig()
    config.load_dict(raw)
    failed, warnings = config.validate()
    assert not warnings
    return config, [f"{key}: {error}" for key, error in failed]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"policies": ["x"]}, "policies: policies must be a mapping, not list"),
        (
            {"policies": {"bogus": True}},
            "policies: policies: unknown option 'bogus' (expected: backup_label, backup_label_key, "
            "backup_label_value, distinct_secrets)",
        ),
        ({"policies": {"backup_label": "yes"}}, "policies: policies.backup_label must be true or false"),
        (
            {"policies": {"backup_label_key": " "}},
            "policies: policies.backup_label_key must be a non-empty string",
        ),
        ({"references": {"kind": "x"}}, "references: references must be a list of mappings, not dict"),
        ({"references": ["x"]}, "references: references[0] must be a mapping, not str"),
        (
            {"references": [{"kind": "A", "path": "a", "target": "B"}, {"kind": "A", "target": "B"}]},
            "references: references[1].path must be a non-empty string",
        ),
        (
            {"references": [{"kind": "A", "path": "a", "target": "B", "same_namespace": "no"}]},
            "references: references[0].same_namespace must be true or false",
        ),
        (
            {"references": [{"kind": "A", "path": "a", "target": "B", "group": 1}]},
            "references: references[0].group must be a string",
        ),
        (
            {"references": [{"kind": "A", "path": "a", "target": "B", "bogus": 1}]},
            "references: references[0]: unknown option 'bogus' (expected: kind, group, path, target, "
            "target_group, same_namespace)",
        ),
    ],
)
def test_a_bad_nested_option_is_one_line_naming_it(raw: dict[str, Any], error: str) -> None:
    assert validated(raw)[1] == [error]


def test_unset_nested_options_are_the_site_checks_defaults() -> None:
    for raw in ({}, {"policies": None, "references": None}):
        config, errors = validated(raw)
        assert errors == []
        options = check_options_from(config, "mkdocs.yml")
        assert options.policies == PolicyConfig()
        assert options.references == DEFAULT_REFERENCE_RULES


def test_set_nested_options_reach_the_site_check() -> None:
    config, errors = validated(
        {
            "policies": {"distinct_secrets": False},
            "references": [
                {"kind": "Widget", "path": "spec.secretRef", "target": " Secret ", "same_namespace": False}
            ],
        }
    )
    assert errors == []
    options = check_options_from(config, "mkdocs.yml")
    assert options.policies == PolicyConfig(distinct_secrets=False)
    assert options.references == (
        ReferenceRule(
            kind="Widget",
            group="",
            path="/spec/secretRef",
            target_kind="Secret",
            target_group="",
            same_namespace=False,
        ),
    )


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {
            "check_pages": False,
            "prose": True,
            "cel_unchecked": "off",
            "ignore_pages": ["proposals/*"],
            "proposals": "strict",
            "kubernetes_version": " 1.34 ",
            "policies": {"backup_label": False},
            "references": [{"kind": "Widget", "path": "spec.secretRef", "target": "Secret"}],
        },
    ],
    ids=["defaults", "every-check-option"],
)
def test_the_plugin_and_the_extension_give_the_same_check_options(raw: dict[str, Any]) -> None:
    # One rule (site/options.check_options_from_mapping) for both: an option the plugin adds to
    # the site check reaches it the way the standalone extension's does.
    from mkdocs_appreg.site.check import CheckOptions
    from mkdocs_appreg.site.options import check_options_from_mapping, project_options

    config, errors = validated(raw)
    assert errors == []
    plugin = check_options_from(config, "mkdocs.yml")
    extension = check_options_from_mapping(project_options(raw, source="mkdocs.yml"), source="mkdocs.yml")
    assert [getattr(plugin, name) for name in CheckOptions.__slots__] == [
        getattr(extension, name) for name in CheckOptions.__slots__
    ]
    if raw:
        assert (plugin.proposals, plugin.kubernetes_version, plugin.ignore_pages) == (
            "strict",
            "1.34",
            ("proposals/*",),
        )


def test_a_bad_kubernetes_version_names_the_plugin_option() -> None:
    config, errors = validated({"kubernetes_version": "0.1"})
    assert errors == []
    with pytest.raises(ConfigError, match=r"^.*plugin option 'kubernetes_version': "):
        check_options_from(config, "mkdocs.yml")
