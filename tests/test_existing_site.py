"""Checking a site nobody wrote for mkdocs-appreg (issue 15): every error a real defect.

The fixture tree `tests/fixtures/existing-site` is a small docs site in the style of real product
docs (hand-written examples, excerpts, heredocs, no templates folder). Each test pins the
findings of one page: rule, severity, file, line and how many.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

from conftest import run_mkdocs
from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.plugin.config import load_site
from mkdocs_appreg.site.check import check_site
from mkdocs_appreg.site.project import build_registry, render_project, write_cache

EXISTING_SITE = Path(__file__).parent / "fixtures" / "existing-site"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "existing-site"
    shutil.copytree(EXISTING_SITE, target)
    return target


def check(root: Path) -> list[Finding]:
    """What `appreg check` reports for the site at `root` (the library pipeline, in-process)."""
    loaded = load_site(root / "mkdocs.yml")
    loaded.settings.check()
    rendered = render_project(loaded.settings)
    assert rendered.findings == []
    write_cache(loaded.settings, rendered.rendered)
    registry, warnings = build_registry(loaded.settings)
    result = check_site(
        loaded.settings,
        loaded.pages,
        options=loaded.options,
        registry=registry,
        rendered=rendered.rendered,
        base_path=loaded.base_path,
    )
    return [*warnings, *result.findings]


def on(findings: Iterable[Finding], file: str) -> list[tuple[str, str, int]]:
    """(severity, rule, line) of the findings located in `file`, in order."""
    return [(f.severity, f.rule, f.line) for f in findings if f.file == file]


# --- templates_dir -----------------------------------------------------------------------------------


def test_a_site_without_a_templates_folder_is_checked(site: Path) -> None:
    assert not (site / "templates").exists()
    findings = check(site)
    assert on(findings, "docs/index.md") == []


def test_a_templates_dir_the_site_names_must_exist(site: Path) -> None:
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("crds: [crds]", "crds: [crds]\n      templates_dir: nowhere")
    )
    loaded = load_site(config)
    with pytest.raises(ConfigError, match="templates_dir 'nowhere' does not exist"):
        loaded.settings.check()


# --- excerpts ----------------------------------------------------------------------------------------


def test_excerpts_are_checked_for_what_they_show_and_applied_resources_in_full(site: Path) -> None:
    findings = check(site)
    assert on(findings, "docs/excerpts.md") == [
        # `...` under metadata and `# omitted for brevity`: the type error it shows, nothing it leaves out.
        ("error", "schema.type", 11),
        # No name, only the spec field the section explains: its enum is still checked.
        ("error", "schema.enum", 21),
        # The elided block (`[...snip..]`, a bare `...`, `color: ...`) holds no error at all.
        # A heredoc is applied as written: a missing required field is an error...
        ("error", "schema.required", 47),
        # ...and so is an elision line, which kubectl could not parse.
        ("error", "yaml.syntax", 63),
        # `{.yaml data-appreg-complete}`: checked in full.
        ("error", "schema.required", 73),
        # The Helm template (`{{ .Release.Name }}` unquoted) is text, not a YAML error.
    ]
    # A file included whole from the docs folder is published as it is: checked in full, there.
    assert on(findings, "docs/resources/widget.yaml") == [("error", "schema.required", 5)]


def test_an_excerpt_comment_and_attribute_change_the_default(site: Path) -> None:
    page = site / "docs" / "excerpts.md"
    text = page.read_text()
    # The published file, marked as an excerpt where the page includes it, is no longer checked in full.
    text = text.replace(
        '```yaml\n--8<-- "docs/resources/widget.yaml"',
        '```{.yaml data-appreg-excerpt}\n--8<-- "docs/resources/widget.yaml"',
    )
    # A block written on the page, said complete by a comment, is checked in full.
    text = text.replace(
        "kind: Widget\nspec:\n  color: purple\n", "kind: Widget\nspec:  # appreg: complete\n  color: purple\n"
    )
    page.write_text(text)
    findings = check(site)
    assert on(findings, "docs/resources/widget.yaml") == []
    shown = on(findings, "docs/excerpts.md")
    assert shown[:4] == [
        ("error", "schema.type", 11),
        ("error", "meta.missing", 18),
        ("error", "schema.required", 20),
        ("error", "schema.enum", 21),
    ]


# --- API groups and schema.missing --------------------------------------------------------------------


def test_unknown_groups_have_no_schema_and_each_kind_is_reported_once(site: Path) -> None:
    findings = check(site)
    assert on(findings, "docs/groups.md") == [
        ("warning", "schema.missing", 7),  # Banner: three resources, one finding
        ("warning", "schema.missing", 36),  # Gadget: its group is known, the kind nobody's typo
        ("error", "kind.unknown", 45),  # Widgit: a known group's kind, misspelt
    ]
    banner, gadget, typo = [f for f in findings if f.file == "docs/groups.md"]
    assert "(3 resources of this kind, the first here)" in banner.message
    assert banner.message.endswith("add its CRD to the `crds` option of the appreg plugin")
    assert "the CRDs of group demo.example.com loaded here do not define it" in gadget.message
    assert typo.message.endswith('did you mean "Widget"?')


# --- one resource, two tabs ----------------------------------------------------------------------------


def test_a_resource_in_a_yaml_tab_and_its_heredoc_is_reported_once(site: Path) -> None:
    findings = check(site)
    assert on(findings, "docs/tabs.md") == [("error", "schema.type", 11)]
    (finding,) = [f for f in findings if f.file == "docs/tabs.md"]
    assert finding.message.endswith("(the same resource is shown again at docs/tabs.md:18; reported once)")


def test_the_heredoc_copy_of_an_excerpt_is_still_checked_for_what_the_excerpt_leaves_out(site: Path) -> None:
    page = site / "docs" / "tabs.md"
    # Both copies lack the name: the YAML tab is an excerpt, the heredoc is applied as written.
    page.write_text(page.read_text().replace("      name: widget-settings\n", ""))
    findings = check(site)
    assert on(findings, "docs/tabs.md") == [("error", "schema.type", 10), ("error", "meta.missing", 19)]


# --- placeholders --------------------------------------------------------------------------------------


def test_placeholders_in_keys_names_and_templates(site: Path) -> None:
    findings = check(site)
    assert on(findings, "docs/placeholders.md") == [
        ("warning", "placeholder", 11),  # `<trigger-name>` in an annotation key
        ("warning", "placeholder", 22),  # JSON_FILE_BASE64_ENCODED in a Secret's data
        # `{{ .server }}` in a uri field: a controller's template expression, nothing to report.
        # `${WIDGET_CONTROLLER}` under `annotationsEnvsubst: true`: the controller's to fill in.
        ("warning", "placeholder", 52),  # `${TEAM}`: the switch does not cover `labels`
        ("warning", "placeholder", 63),  # a profile file holding placeholders
    ]
    (profile,) = [f for f in findings if f.file == "docs/placeholders.md" and f.line == 63]
    # The placeholders of a multi-line value, not its dozen lines.
    assert profile.message == (
        "placeholder <cloud-region>, <access-key-id>, ${CLOUD_TOKEN} in a multi-line value: "
        "the reader must replace it with a string"
    )


# --- heredocs --------------------------------------------------------------------------------------------


def test_unquoted_heredocs_warn_only_where_the_shell_changes_a_value_by_accident(site: Path) -> None:
    findings = check(site)
    # `$MAIL_USER`, `${MAIL_PASSWORD}` and `$(ssh-add -L)` are the reader's: no warning at line 9.
    assert on(findings, "docs/heredocs.md") == [("warning", "heredoc.expansion", 24)]
    (finding,) = [f for f in findings if f.file == "docs/heredocs.md"]
    assert "`$2` at docs/heredocs.md:30:19 (a special or positional parameter)" in finding.message


# --- references ------------------------------------------------------------------------------------------


def test_references_name_the_pages_they_are_matched_across(site: Path) -> None:
    findings = check(site)
    assert on(findings, "docs/store/registries.md") == [("error", "ref.missing", 12)]
    assert on(findings, "docs/snippets/catalog.yaml") == [("error", "ref.missing", 8)]
    registry = next(f for f in findings if f.file == "docs/store/registries.md")
    assert registry.message.endswith('did you mean "store-creds" (shown on docs/store/credentials.md)?')
    # The Catalog's text lives in a snippet file: the message names the page that shows it.
    catalog = next(f for f in findings if f.file == "docs/snippets/catalog.yaml")
    assert "is not shown on the page that shows it (docs/store/registries.md)" in catalog.message


# --- prose -----------------------------------------------------------------------------------------------


def test_prose_reports_only_near_misses_of_the_page_s_fields(site: Path) -> None:
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("crds: [crds]", "crds: [crds]\n      prose: true"))
    findings = [f for f in check(site) if f.file == "docs/prose.md"]
    # Not candidates: `fastStart` (an enum value), `platformTeam` and `ownerTeam` (a label value and
    # key on the page), `selfSigned` (a field of another loaded CRD), `selfHealing` (a field).
    assert [(f.severity, f.rule, f.line, f.message) for f in findings] == [
        ("warning", "prose.unknown-field", 22, 'unknown field "endPoint"; did you mean "endpoint"?'),
        ("warning", "prose.unknown-field", 22, 'unknown field "colorName"; did you mean "color"?'),
        ("warning", "prose.unknown-field", 23, 'unknown field "ownerRefs"; did you mean "ownerRef"?'),
    ]


# --- fail_on -----------------------------------------------------------------------------------------------

WARNING_ONLY_PAGE = """# Banner

```yaml
apiVersion: banners.example.local/v1alpha1
kind: Banner
metadata:
  name: welcome
```
"""


def _tiny_site(root: Path, fail_on: str | None, page: str) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text(page)
    option = f"\n      fail_on: {fail_on}" if fail_on else ""
    (root / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\nmarkdown_extensions:\n  - pymdownx.superfences\n"
        f"plugins:\n  - appreg:\n      check_pages: true{option}\n"
    )
    return root


@pytest.mark.parametrize(
    ("fail_on", "page", "fails"),
    [
        (None, WARNING_ONLY_PAGE, False),
        ("error", WARNING_ONLY_PAGE, False),
        ("warning", WARNING_ONLY_PAGE, True),
        (None, "```yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  n: 3\n```\n", False),
        (
            "error",
            "```yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  n: 3\n```\n",
            True,
        ),
    ],
)
def test_fail_on_fails_the_build_without_strict(
    tmp_path: Path, fail_on: str | None, page: str, fails: bool
) -> None:
    site_root = _tiny_site(tmp_path / "s", fail_on, page)
    result = run_mkdocs(site_root)
    assert (result.returncode != 0) == fails, result.stderr
    if fails:
        assert f"fail the build (fail_on: {fail_on}); the first: docs/index.md:" in result.stderr


def test_fail_on_accepts_only_error_or_warning(tmp_path: Path) -> None:
    site_root = _tiny_site(tmp_path / "s", "sometimes", WARNING_ONLY_PAGE)
    result = run_mkdocs(site_root)
    assert result.returncode != 0 and "fail_on" in result.stderr


# --- appreg validate --------------------------------------------------------------------------------------


def test_validate_reports_a_kind_without_schema_once_per_run_naming_its_flag(tmp_path: Path) -> None:
    import io
    import json

    from mkdocs_appreg.cli.commands import ValidateOptions, run_validate

    banner = "apiVersion: banners.example.local/v1\nkind: Banner\nmetadata:\n  name: {}\n"
    (tmp_path / "a.yaml").write_text(banner.format("one") + "---\n" + banner.format("two"))
    (tmp_path / "b.yaml").write_text(banner.format("three"))
    out = io.StringIO()
    files = (str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    status = run_validate(ValidateOptions(files=files, format="json"), None, out)
    findings = json.loads(out.getvalue())["findings"]
    assert status == 1
    assert [(f["severity"], f["rule"], f["line"]) for f in findings] == [("error", "schema.missing", 2)]
    assert findings[0]["file"].endswith("a.yaml")
    assert findings[0]["message"].endswith(
        "(3 resources of this kind, the first here); pass its CRD with --crd PATH"
    )


# --- ignore_pages --------------------------------------------------------------------------------------------


def test_ignore_pages_leaves_design_proposals_unchecked(site: Path) -> None:
    proposal = "docs/proposals/widget-pools.md"
    assert on(check(site), proposal) == [("error", "schema.unknown-field", 13)]
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("crds: [crds]", 'crds: [crds]\n      ignore_pages: ["proposals/*"]')
    )
    findings = check(site)
    assert on(findings, proposal) == []
    assert on(findings, "docs/tabs.md") == [("error", "schema.type", 11)]  # other pages still checked


# --- design proposals ------------------------------------------------------------------------------


def test_a_design_proposal_may_name_fields_and_values_the_schema_lacks(site: Path) -> None:
    findings = check(site)
    # KEP-style front matter (authors and reviewers/approvers): `mode: warmStart`, `autoscaler`
    # and the Deployment's `scaleDownDelay` are what the proposal proposes. The draft's mistakes
    # about the existing API stay errors: `size` at the wrong level (a field of the kind
    # elsewhere), a wrong type, a misspelt enum value, a misspelt field of a CRD and of a
    # built-in kind.
    assert on(findings, "docs/design/widget-autoscaling.md") == [
        ("error", "schema.unknown-field", 43),
        ("error", "schema.type", 45),
        ("error", "schema.enum", 46),
        ("error", "schema.unknown-field", 47),
        ("error", "schema.unknown-field", 58),
    ]
    messages = [f.message for f in findings if f.file == "docs/design/widget-autoscaling.md"]
    assert messages[3].endswith('did you mean "selfHealing"?')
    assert messages[4].endswith('did you mean "replicas"?')
    # A KEP `status` alone marks a proposal; so does `appreg: {proposal: true}`.
    assert on(findings, "docs/design/widget-quotas.md") == []
    assert on(findings, "docs/design/widget-labels.md") == []
    # `appreg: {proposal: false}` checks a proposal in full; a blog post (authors, no approvers;
    # Material's `status: new`) is no proposal; neither is a page without front matter.
    assert on(findings, "docs/design/widget-colors.md") == [("error", "schema.unknown-field", 24)]
    assert on(findings, "docs/design/release-notes.md") == [("error", "schema.unknown-field", 22)]
    assert on(findings, "docs/proposals/widget-pools.md") == [("error", "schema.unknown-field", 13)]


def test_proposals_strict_checks_every_page_alike(site: Path) -> None:
    relaxed = {(f.file, f.line, f.rule, f.message) for f in check(site)}
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("crds: [crds]", "crds: [crds]\n      proposals: strict"))
    strict = {(f.file, f.line, f.rule, f.message) for f in check(site)}
    assert relaxed < strict
    assert sorted(strict - relaxed) == [
        (
            "docs/design/widget-autoscaling.md",
            28,
            "schema.enum",
            'Unsupported value: "warmStart": supported values: "fastStart", "slowStart"',
        ),
        ("docs/design/widget-autoscaling.md", 29, "schema.unknown-field", 'unknown field "spec.autoscaler"'),
        (
            "docs/design/widget-autoscaling.md",
            59,
            "schema.unknown-field",
            'unknown field "spec.scaleDownDelay"',
        ),
        ("docs/design/widget-labels.md", 17, "schema.unknown-field", 'unknown field "spec.labelPolicy"'),
        ("docs/design/widget-quotas.md", 16, "schema.unknown-field", 'unknown field "spec.quota"'),
    ]


def test_a_broken_front_matter_marks_nothing(site: Path) -> None:
    # MkDocs shows front matter it cannot read as text and gives the page no meta: no proposal.
    page = site / "docs" / "design" / "widget-quotas.md"
    page.write_text(page.read_text().replace("status: implementable", "status: implementable\n- broken"))
    assert on(check(site), "docs/design/widget-quotas.md") == [("error", "schema.unknown-field", 17)]


@pytest.mark.parametrize("order", [1, -1])
def test_a_file_a_proposal_and_a_guide_both_show_is_checked_for_the_guide(site: Path, order: int) -> None:
    # `docs/snippets/widget-tiers.yaml` (`spec.tier`) is shown by a proposal and by a guide page:
    # reported once, whichever page is read first.
    loaded = load_site(site / "mkdocs.yml")
    registry, _ = build_registry(loaded.settings)
    result = check_site(
        loaded.settings,
        loaded.pages[::order],
        options=loaded.options,
        registry=registry,
        rendered=[],
        base_path=loaded.base_path,
    )
    assert on(result.findings, "docs/snippets/widget-tiers.yaml") == [("error", "schema.unknown-field", 8)]
    # Shown by the proposal alone, it is what the proposal proposes.
    (site / "docs" / "tiers.md").unlink()
    loaded = load_site(site / "mkdocs.yml")
    result = check_site(
        loaded.settings,
        loaded.pages[::order],
        options=loaded.options,
        registry=registry,
        rendered=[],
        base_path=loaded.base_path,
    )
    assert on(result.findings, "docs/snippets/widget-tiers.yaml") == []
