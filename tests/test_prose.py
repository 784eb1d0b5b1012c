"""prose.py: field names in a page's text that the page's resources do not have."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_appreg.site.prose import check_prose, schema_field_names

CHECKS = Path(__file__).parent / "fixtures" / "checks"


def crd_fields(name: str) -> set[str]:
    crd = yaml.safe_load(resources.files("mkdocs_appreg").joinpath("crds", name).read_text())
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema_field_names(schema)


REGISTRY = crd_fields("appstore.eda.nokia.com_registries.yaml")
CATALOG = crd_fields("appstore.eda.nokia.com_catalogs.yaml")


def test_seed_page_mirror_url() -> None:
    text = (CHECKS / "custom-registry.md").read_text()
    findings = check_prose(text, "custom-registry.md", REGISTRY)
    assert [(f.file, f.line, f.column, f.rule, f.severity) for f in findings] == [
        (
            "custom-registry.md",
            59,
            text.splitlines()[58].index("`mirrorUrl`") + 1,
            "prose.unknown-field",
            "warning",
        )
    ]
    assert findings[0].column == 231
    assert findings[0].message == 'unknown field "mirrorUrl"; did you mean "mirror"?'


def test_seed_page_known_fields_and_other_objects_are_quiet() -> None:
    text = (CHECKS / "custom-registry.md").read_text()
    assert "`authSecretRef`" in text and "`manifest.spec.image`" in text
    # Even reporting every unknown token, only the real drift shows.
    findings = check_prose(text, "custom-registry.md", REGISTRY, near_misses_only=False)
    assert [f.message for f in findings] == ['unknown field "mirrorUrl"; did you mean "mirror"?']


def test_catalog_page_has_no_false_positive() -> None:
    text = (CHECKS / "custom-catalog.md").read_text()
    assert check_prose(text, "custom-catalog.md", CATALOG) == []
    # `appInfo` is the App manifest's field; with near misses only (the default) it is not reported.
    loose = check_prose(text, "custom-catalog.md", CATALOG, near_misses_only=False)
    assert [(f.line, f.message) for f in loose] == [(5, 'unknown field "appInfo"')]


def test_schema_field_names() -> None:
    assert {
        "spec",
        "mirror",
        "spec.mirror",
        "spec.authSecretRef",
        "status.reachable",
        "apiVersion",
    } <= REGISTRY
    assert {"metadata.name", "metadata.labels", "labels"} <= REGISTRY
    schema = {
        "properties": {
            "spec": {
                "properties": {
                    "ports": {"type": "array", "items": {"properties": {"targetPort": {}}}},
                    "extra": {"additionalProperties": {"properties": {"weight": {}}}},
                    "either": {"oneOf": [{"properties": {"left": {}}}, {"properties": {"right": {}}}]},
                }
            }
        }
    }
    assert schema_field_names(schema) == {
        "spec",
        "ports",
        "spec.ports",
        "targetPort",
        "spec.ports.targetPort",
        "extra",
        "spec.extra",
        "weight",
        "spec.extra.weight",
        "either",
        "spec.either",
        "left",
        "spec.either.left",
        "right",
        "spec.either.right",
    }


@pytest.mark.parametrize(
    ("line", "message", "column"),
    [
        (
            "Set `spec.mirrorUrl` to the mirror.",
            'unknown field "spec.mirrorUrl"; did you mean "spec.mirror"?',
            5,
        ),
        ("Set `authSecretRefs` to it.", 'unknown field "authSecretRefs"; did you mean "authSecretRef"?', 5),
        ("Use ``skipTlsVerify`` here.", 'unknown field "skipTlsVerify"; did you mean "skipTLSVerify"?', 5),
        ("Both `remoteUrl` and `authSecretRef`.", 'unknown field "remoteUrl"; did you mean "remoteURL"?', 6),
    ],
)
def test_near_misses(line: str, message: str, column: int) -> None:
    findings = check_prose(f"# Title\n\n{line}\n", "p.md", REGISTRY, line_offset=10)
    assert [(f.line, f.column, f.message) for f in findings] == [(13, column, message)]


@pytest.mark.parametrize(
    "text",
    [
        "```yaml\nspec:\n  mirrorUrl: x  # `mirrorUrl`\n```\n",
        "~~~~\n`mirrorUrl`\n~~~~\n",
        "<!-- the `mirrorUrl` field -->\n",
        "<!--\nthe `mirrorUrl`\nfield -->\n",
        '--8<-- "`mirrorUrl`.md"\n',
        "/// tab | `mirrorUrl`\n    type: `mirrorUrl`\n\n///\n",
        "The `Registry` kind, the `TLS` option, `base64`, `mirror-url`, `manifest.mirrorUrl`.\n",
        "Set `metadata.name` and `metadata.namespace`.\n",
    ],
)
def test_not_prose_or_not_a_field_name(text: str) -> None:
    assert check_prose(text, "p.md", REGISTRY, near_misses_only=False) == []


def test_text_after_a_comment_and_a_fence_is_read() -> None:
    text = "```\ncode\n```\n<!-- c --> then `mirrorUrl`\n"
    findings = check_prose(text, "p.md", REGISTRY)
    assert [(f.line, f.column) for f in findings] == [(4, 17)]


def test_text_after_a_closing_directive_is_read() -> None:
    text = "- item\n/// note\n    type: x\n///\n    the `mirrorUrl` continues the item\n"
    findings = check_prose(text, "p.md", REGISTRY)
    assert [(f.line, f.column) for f in findings] == [(5, 9)]
