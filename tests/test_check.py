"""The site checker: real docs trees read through MkDocs' own config loading, and real builds.

Expected positions are computed from the fixture text (the line holding a marker field), never
typed in, so a test fails when a finding moves and not when a fixture gains a line.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import run_mkdocs
from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.corekinds import CoreSchemas, available_versions
from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.plugin.config import load_site
from mkdocs_appreg.site import check as check_module
from mkdocs_appreg.site.check import (
    CheckResult,
    ValidationMemo,
    check_site,
    validate_resource,
    validate_stream,
)
from mkdocs_appreg.site.project import build_registry, render_project, write_cache

FIXTURES = Path(__file__).parent / "fixtures"
STATUS_QUO = FIXTURES / "status-quo-site"
CEL_CRDS = FIXTURES / "crds-cel"

EXTENSIONS: list[Any] = [
    "admonition",
    "pymdownx.superfences",
    {"pymdownx.snippets": {"check_paths": True}},
    {"pymdownx.tabbed": {"alternate_style": True}},
    {"pymdownx.blocks.tab": {"alternate_style": True}},
    {"pymdownx.blocks.admonition": {"types": ["note", "caution"]}},
]


def make_site(
    root: Path,
    pages: dict[str, str],
    *,
    files: dict[str, str] | None = None,
    templates: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> Path:
    """A docs tree: mkdocs.yml, pages under docs/, other files (snippets) and templates."""
    config = {
        "site_name": "check",
        "theme": {"name": "material"},
        "markdown_extensions": EXTENSIONS,
        "plugins": [{"appreg": dict(options or {})}],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (root / "templates").mkdir(exist_ok=True)
    for base, entries in (("docs", pages), (".", files or {}), ("templates", templates or {})):
        for name, text in entries.items():
            path = root / base / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
    return root


def check(root: Path) -> CheckResult:
    """What `appreg check` runs: MkDocs' config and file collection, render, cache, check."""
    site = load_site(root / "mkdocs.yml")
    rendered = render_project(site.settings)
    assert not rendered.findings, rendered.findings
    write_cache(site.settings, rendered.rendered)
    registry, _ = build_registry(site.settings)
    return check_site(
        site.settings,
        site.pages,
        options=site.options,
        registry=registry,
        rendered=rendered.rendered,
        base_path=site.base_path,
    )


def position(root: Path, file: str, marker: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the `occurrence`-th line holding `marker` in `file`."""
    seen = 0
    for number, line in enumerate((root / file).read_text().splitlines(), start=1):
        if marker in line:
            seen += 1
            if seen == occurrence:
                return number, line.index(marker) + 1
    raise AssertionError(f"{marker!r} not in {file}")


def at(findings: list[Finding], rule: str) -> set[tuple[str, int, int]]:
    return {(f.file, f.line, f.column) for f in findings if f.rule == rule}


def registry_yaml(name: str, field: str, indent: str = "") -> str:
    body = (
        "apiVersion: appstore.eda.nokia.com/v1\n"
        "kind: Registry\n"
        "metadata:\n"
        f"  name: {name}\n"
        "spec:\n"
        "  remoteURL: https://registry.example.com\n"
        f"  {field}: x\n"
    )
    return textwrap.indent(body, indent)


# --- the status quo --------------------------------------------------------------------------------


@pytest.fixture
def status_quo(tmp_path: Path) -> Path:
    target = tmp_path / "status-quo"
    shutil.copytree(STATUS_QUO, target)
    return target


def test_status_quo_defects_are_found_at_snippet_and_page_lines(status_quo: Path) -> None:
    findings = check(status_quo).findings
    resources = "docs/development/resources"
    placeholders = at(findings, "placeholder")
    for file, marker in (
        ("registry.yaml", "skipTLSVerify"),
        ("catalog.yaml", "skipTLSVerify"),
        ("authSecretRef.yaml", "username"),
        ("authSecretRef.yaml", "password"),
    ):
        assert (
            f"{resources}/{file}",
            *position(status_quo, f"docs/development/resources/{file}", marker),
        ) in placeholders
    # The placeholders are the findings at their paths: no type error buried under them.
    placeholder_paths = {(f.file, f.path) for f in findings if f.rule == "placeholder"}
    assert not [f for f in findings if f.rule != "placeholder" and (f.file, f.path) in placeholder_paths]
    assert not {"schema.type", "secret.base64", "schema.format"} & {f.rule for f in findings}
    username = next(f for f in findings if f.rule == "placeholder" and f.path == "/data/username")
    assert "<base64(username)>" in username.message and "base64" in username.message.split(":", 1)[1]
    boolean = next(f for f in findings if f.rule == "placeholder" and f.path == "/spec/skipTLSVerify")
    assert "{true|false}" in boolean.message and "boolean" in boolean.message

    (missing,) = [f for f in findings if f.rule == "ref.missing"]
    assert (missing.file, missing.line, missing.column) == (
        f"{resources}/registry.yaml",
        *position(status_quo, f"{resources}/registry.yaml", "authSecretRef"),
    )
    assert '"your-registry-creds"' in missing.message and 'did you mean "your-creds"' in missing.message
    assert missing.is_error

    (prose,) = [f for f in findings if f.rule == "prose.unknown-field"]
    page = "docs/development/custom-registry.md"
    assert (prose.file, prose.line, prose.column) == (page, *position(status_quo, page, "`mirrorUrl`"))
    assert '"mirror"' in prose.message


def test_status_quo_shows_each_snippet_twice_but_reports_it_once(status_quo: Path) -> None:
    result = check(status_quo)
    keys = [(f.file, f.line, f.column, f.rule) for f in result.findings]
    assert len(keys) == len(set(keys))
    # Secret, Registry, Catalog: each shown in a YAML tab and a heredoc, the Secret on two pages.
    assert result.documents == 3


def test_status_quo_prose_check_is_opt_in(status_quo: Path) -> None:
    config = status_quo / "mkdocs.yml"
    config.write_text(config.read_text().replace("prose: true", "prose: false"))
    assert not [f for f in check(status_quo).findings if f.rule.startswith("prose.")]


def test_status_quo_strict_build_fails_with_the_same_findings(status_quo: Path) -> None:
    expected = check(status_quo).findings
    result = run_mkdocs(status_quo, "--strict")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    logged = [
        line.split("mkdocs_appreg: ", 1)[1]
        for line in result.stderr.splitlines()
        if "mkdocs_appreg: " in line
    ]
    assert logged == [f.located() for f in expected]
    assert f"Aborted with {len(expected)} warnings in strict mode" in result.stdout + result.stderr


# --- extraction paths ----------------------------------------------------------------------------

SNIPPET = """\
# A file of examples, included by section and by line range.
# --8<-- [start:section]
{section}# --8<-- [end:section]
{ranged}"""

PATHS_PAGE = """\
# Every way an example reaches a page

A fence:

```yaml
{fence}```

A snippet section:

```yaml
--8<-- "docs/snippets/registries.yaml:section"
```

A line range:

```yaml
--8<-- "docs/snippets/registries.yaml:{start}:{end}"
```

A heredoc:

```bash
kubectl apply -f - <<'EOF'
{heredoc}EOF
```

/// tab | In a block tab

```yaml
{blocktab}```

///

!!! note "In an admonition"

    ```yaml
{admonition}    ```

=== "In a content tab"

    !!! caution "and an admonition inside it"

        ```yaml
{nested}        ```
"""


@pytest.fixture
def paths_site(tmp_path: Path) -> Path:
    section = registry_yaml("section", "sectionField")
    ranged = registry_yaml("ranged", "rangeField")
    snippet = SNIPPET.format(section=section, ranged=ranged)
    first = snippet.splitlines().index("# --8<-- [end:section]") + 2
    page = PATHS_PAGE.format(
        fence=registry_yaml("fence", "fenceField"),
        start=first,
        end=first + ranged.count("\n") - 1,
        heredoc=registry_yaml("heredoc", "heredocField"),
        blocktab=registry_yaml("blocktab", "blockTabField"),
        admonition=registry_yaml("admonition", "admonitionField", "    "),
        nested=registry_yaml("nested", "nestedField", "        "),
    )
    return make_site(tmp_path / "paths", {"paths.md": page}, files={"docs/snippets/registries.yaml": snippet})


@pytest.mark.parametrize(
    ("file", "marker"),
    [
        ("docs/paths.md", "fenceField"),
        ("docs/snippets/registries.yaml", "sectionField"),
        ("docs/snippets/registries.yaml", "rangeField"),
        ("docs/paths.md", "heredocField"),
        ("docs/paths.md", "blockTabField"),
        ("docs/paths.md", "admonitionField"),
        ("docs/paths.md", "nestedField"),
    ],
)
def test_each_extraction_path_is_located_in_its_file(paths_site: Path, file: str, marker: str) -> None:
    findings = check(paths_site).findings
    assert (file, *position(paths_site, file, marker)) in at(findings, "schema.unknown-field")


def test_extraction_paths_are_the_only_findings_and_the_build_agrees(paths_site: Path) -> None:
    findings = check(paths_site).findings
    assert [f.rule for f in findings] == ["schema.unknown-field"] * 7
    result = run_mkdocs(paths_site, "--strict")
    assert result.returncode != 0
    for finding in findings:
        assert finding.located() in result.stderr


def test_a_directive_naming_a_hand_written_file_checks_that_file(tmp_path: Path) -> None:
    site = make_site(
        tmp_path / "s",
        {"index.md": "# Static\n\n/// resource | docs/static/registry.yaml\n///\n"},
        files={"docs/static/registry.yaml": registry_yaml("static", "staticField")},
    )
    findings = check(site).findings
    expected = ("docs/static/registry.yaml", *position(site, "docs/static/registry.yaml", "staticField"))
    assert at(findings, "schema.unknown-field") == {expected}


def test_a_broken_resource_is_a_syntax_finding_and_other_yaml_is_left_alone(tmp_path: Path) -> None:
    page = (
        "```yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n```\n\n"
        "```yaml\nnot: [a resource\n```\n"
    )
    site = make_site(tmp_path / "s", {"index.md": page})
    (finding,) = check(site).findings
    assert (finding.rule, finding.file) == ("yaml.syntax", "docs/index.md")
    assert finding.line < position(site, "docs/index.md", "not: [a resource")[0]


# --- opting out ----------------------------------------------------------------------------------


def test_every_opt_out_form_silences_its_example(tmp_path: Path) -> None:
    page = (
        "# Opt-outs\n\n"
        "```yaml\n# appreg: ignore\n" + registry_yaml("whole", "wholeField") + "```\n\n"
        "```yaml\n# appreg: ignore=schema.unknown-field\n" + registry_yaml("rule", "ruleField") + "```\n\n"
        "```{.yaml data-appreg-ignore}\n" + registry_yaml("attribute", "attributeField") + "```\n\n"
        "<!-- appreg: ignore=schema.unknown-field -->\n"
        "```yaml\n" + registry_yaml("comment", "commentField") + "```\n\n"
        "```yaml\n# appreg: ignore=schema.type\n" + registry_yaml("other", "otherField") + "```\n"
    )
    site = make_site(tmp_path / "s", {"index.md": page})
    findings = check(site).findings
    # Only the last one opts out of another rule than the one it breaks.
    assert at(findings, "schema.unknown-field") == {
        ("docs/index.md", *position(site, "docs/index.md", "otherField"))
    }
    assert [f.rule for f in findings] == ["schema.unknown-field"]


def test_an_ignored_example_is_no_reference_target(tmp_path: Path) -> None:
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n"
    registry = registry_yaml("r", "authSecretRef").replace("authSecretRef: x", "authSecretRef: creds")
    page = f"```yaml\n# appreg: ignore\n{secret}```\n\n```yaml\n{registry}```\n"
    findings = check(make_site(tmp_path / "s", {"index.md": page})).findings
    assert [f.rule for f in findings] == ["ref.missing"]


# --- kinds, references, policies ------------------------------------------------------------------


def test_core_kinds_validate_and_unknown_kinds_are_schema_missing(tmp_path: Path) -> None:
    page = """\
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
    data:
      retries: 3
    ---
    apiVersion: example.com/v1
    kind: Sprocket
    metadata:
      name: s
    ---
    apiVersion: other.example.com/v1
    kind: Registry
    metadata:
      name: elsewhere
    ---
    apiVersion: appstore.eda.nokia.com/v1
    kind: Registri
    metadata:
      name: typo
    ```
    """
    site = make_site(tmp_path / "s", {"index.md": page})
    findings = check(site).findings
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    assert {rule: len(found) for rule, found in by_rule.items()} == {
        "schema.type": 1,
        "schema.missing": 2,
        "kind.unknown": 1,
    }
    # A group no CRD defines is "no schema" (issue 15), naming the group that has the kind.
    elsewhere = next(f for f in by_rule["schema.missing"] if f.name == "elsewhere")
    assert elsewhere.severity == "warning"
    assert "no CRD loaded here defines group other.example.com" in elsewhere.message
    assert "appstore.eda.nokia.com" in elsewhere.message
    # A known group lacking a kind spelt almost like one of its kinds: a typo, an error.
    assert by_rule["kind.unknown"][0].name == "typo" and by_rule["kind.unknown"][0].is_error
    sprocket = next(f for f in by_rule["schema.missing"] if f.name == "s")
    assert (by_rule["schema.type"][0].line, by_rule["schema.type"][0].path) == (
        position(site, "docs/index.md", "retries")[0],
        "/data/retries",
    )
    assert sprocket.severity == "warning" and '"Sprocket"' in sprocket.message


def test_references_resolve_across_pages_and_templates(tmp_path: Path) -> None:
    template = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ name }}\n  labels:\n"
        '    eda.nokia.com/backup: "true"\ntype: Opaque\nstringData:\n  username: admin\n'
    )
    registry = registry_yaml("r", "authSecretRef").replace(
        "authSecretRef: x", "authSecretRef: rendered-creds"
    )
    pages = {
        "secret.md": "/// resource | docs/resources/secret.yaml\n///\n",
        "registry.md": f"```yaml\n{registry}```\n",
    }
    site = make_site(
        tmp_path / "s",
        pages,
        templates={"resources/secret.yaml.j2": template},
        options={"vars": {"name": "rendered-creds"}},
    )
    assert check(site).findings == []
    assert run_mkdocs(site, "--strict").returncode == 0


def test_policy_backup_label_on_a_page_secret(tmp_path: Path) -> None:
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  username: admin\n"
    registry = registry_yaml("r", "authSecretRef").replace("authSecretRef: x", "authSecretRef: creds")
    page = f"```yaml\n{secret}---\n{registry}```\n"
    site = make_site(tmp_path / "s", {"index.md": page})
    (finding,) = check(site).findings
    assert finding.rule == "policy.backup-label"
    assert finding.line == position(site, "docs/index.md", "metadata:")[0]
    off = make_site(tmp_path / "off", {"index.md": page}, options={"policies": {"backup_label": False}})
    assert check(off).findings == []


def test_prose_uses_the_kinds_of_templates_a_page_shows(tmp_path: Path) -> None:
    template = "apiVersion: appstore.eda.nokia.com/v1\nkind: Registry\nmetadata:\n  name: r\nspec:\n  remoteURL: https://r.example.com\n"
    page = "# R\n\nSet the `mirrorUrl` field.\n\n/// resource | docs/resources/registry.yaml\n///\n"
    site = make_site(
        tmp_path / "s",
        {"index.md": page, "other.md": "Set the `mirrorUrl` field.\n"},
        templates={"resources/registry.yaml.j2": template},
        options={"prose": True},
    )
    (finding,) = check(site).findings
    assert (finding.rule, finding.file, finding.line) == ("prose.unknown-field", "docs/index.md", 3)


def test_templates_keep_their_own_findings_at_template_lines(tmp_path: Path) -> None:
    template = "apiVersion: appstore.eda.nokia.com/v1\nkind: Registry\nmetadata:\n  name: r\nspec:\n  remoteURL: https://r.example.com\n  skipTLSVerify: {{ skip }}\n"
    site = make_site(
        tmp_path / "s",
        {"index.md": "/// resource | docs/resources/registry.yaml\n///\n"},
        templates={"resources/registry.yaml.j2": template},
        options={"vars": {"skip": "maybe"}},
    )
    (finding,) = check(site).findings
    assert (finding.file, finding.line, finding.rule) == (
        "templates/resources/registry.yaml.j2",
        7,
        "schema.type",
    )


def test_cel_unchecked_can_be_turned_off(tmp_path: Path) -> None:
    widget = "```yaml\napiVersion: test.appreg.io/v1\nkind: Widget\nmetadata: {name: w-1}\nspec:\n  size: 1Gi\n```\n"
    shutil.copy(CEL_CRDS / "widgets.yaml", tmp_path / "widgets.yaml")
    on = make_site(tmp_path / "on", {"index.md": widget}, options={"crds": [str(tmp_path / "widgets.yaml")]})
    assert "cel.unchecked" in {f.rule for f in check(on).findings}
    off = make_site(
        tmp_path / "off",
        {"index.md": widget},
        options={"crds": [str(tmp_path / "widgets.yaml")], "cel_unchecked": "off"},
    )
    assert "cel.unchecked" not in {f.rule for f in check(off).findings}


def test_check_pages_off_leaves_pages_alone(tmp_path: Path) -> None:
    page = f"```yaml\n{registry_yaml('r', 'unknownField')}```\n"
    site = make_site(tmp_path / "s", {"index.md": page}, options={"check_pages": False})
    assert check(site).findings == []


# --- options ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"references": [{"kind": "Registry"}]}, "references[0]"),
        ({"references": "Registry"}, "references"),
        ({"policies": {"backup": True}}, "policies: unknown option 'backup'"),
        ({"kubernetes_version": "1.99"}, "kubernetes_version"),
        ({"kubernetes_version": 1.3}, "kubernetes_version"),
        # The release meant by an unquoted 1.30 is '1.30', not the '1.3' YAML made of it.
        ({"kubernetes_version": 1.3}, "'1.30'"),
        ({"cel_unchecked": "error"}, "cel_unchecked"),
        ({"proposals": "off"}, "proposals"),
        ({"prose": "yes"}, "prose"),
    ],
)
def test_bad_option_is_one_line_naming_it(tmp_path: Path, options: dict[str, Any], complaint: str) -> None:
    site = make_site(tmp_path / "s", {"index.md": "# x\n"}, options=options)
    with pytest.raises(ConfigError) as raised:
        load_site(site / "mkdocs.yml")
    assert complaint in str(raised.value) and "\n" not in str(raised.value)
    build = run_mkdocs(site)
    assert build.returncode != 0 and complaint in build.stderr and "Traceback" not in build.stderr


def test_kubernetes_version_selects_the_release(tmp_path: Path) -> None:
    oldest = available_versions()[0]
    page = "```yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n```\n"
    site = make_site(tmp_path / "s", {"index.md": page}, options={"kubernetes_version": f"v{oldest}"})
    assert load_site(site / "mkdocs.yml").options.kubernetes_version == f"v{oldest}"
    assert check(site).findings == []


# --- validate_resource -------------------------------------------------------------------------------


def test_validate_resource_severity_of_schema_missing_is_the_callers() -> None:
    (document,) = parse_documents(
        "apiVersion: example.com/v1\nkind: Sprocket\nmetadata: {name: s}\n", "x"
    ).documents
    registry = SchemaRegistry.builtin()
    (warning,) = validate_resource(document, registry, CoreSchemas())
    (error,) = validate_resource(document, registry, CoreSchemas(), missing="error")
    assert (warning.rule, warning.severity, error.severity) == ("schema.missing", "warning", "error")


def test_validate_stream_checks_cluster_scoped_core_kinds_metadata() -> None:
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: eda\n  namespace: other\n"
    findings, count = validate_stream(text, "ns.yaml", SchemaRegistry.builtin(), CoreSchemas())
    assert count == 1
    assert [f.rule for f in findings] == ["meta.namespace"] and findings[0].severity == "warning"


# --- results kept across rebuilds (mkdocs serve) ---------------------------------------------------


def test_a_memo_revalidates_only_the_file_whose_text_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counts the real validation calls (the function still runs): one resource per file.
    calls: list[str] = []
    real = check_module.validate_resource

    def counting(document: Any, *args: Any, **kwargs: Any) -> list[Finding]:
        calls.append(document.file)
        return real(document, *args, **kwargs)

    monkeypatch.setattr(check_module, "validate_resource", counting)
    template = "apiVersion: appstore.eda.nokia.com/v1\nkind: Registry\nmetadata:\n  name: {{ name }}\nspec:\n  remoteURL: https://r.example.com\n  skipTLSVerify: {{ skip }}\n"
    page = "/// resource | docs/resources/a.yaml\n///\n\n/// resource | docs/resources/b.yaml\n///\n\n" + (
        f"```yaml\n{registry_yaml('on-page', 'authSecretRef')}```\n"
    )
    site = make_site(
        tmp_path / "s",
        {"index.md": page},
        templates={
            "resources/a.yaml.j2": template,
            "resources/b.yaml.j2": template.replace("{{ name }}", "b"),
        },
        options={"vars": {"name": "a", "skip": "true"}},
    )
    loaded = load_site(site / "mkdocs.yml")
    registry, _ = build_registry(loaded.settings)
    memo = ValidationMemo()

    def rebuild() -> CheckResult:
        rendered = render_project(loaded.settings)
        write_cache(loaded.settings, rendered.rendered)
        return check_site(
            loaded.settings,
            loaded.pages,
            options=loaded.options,
            registry=registry,
            rendered=rendered.rendered,
            base_path=loaded.base_path,
            memo=memo,
        )

    first = rebuild()
    assert memo.validations == len(calls) == 3
    calls.clear()
    again = rebuild()
    assert (memo.validations, memo.reused, calls) == (0, 3, [])
    assert memo.extractions == 0  # the page and the files it includes are unchanged
    assert again == first

    # Edit one template the way an author does in `mkdocs serve`: only its file is validated again,
    # and its new finding is reported at the template's line.
    edited = site / "templates" / "resources" / "a.yaml.j2"
    edited.write_text(edited.read_text().replace("{{ skip }}", "maybe"))
    changed = rebuild()
    assert (memo.validations, memo.reused) == (1, 2)
    assert memo.extractions == 1  # the page includes the edited template's rendered file
    assert [Path(file).name for file in calls] == ["a.yaml"]
    # The page's reference to a Secret nobody defines is a cross-file finding: found every time.
    assert [(f.file, f.rule) for f in first.findings] == [("docs/index.md", "ref.missing")]
    assert [(f.file, f.rule) for f in changed.findings] == [
        ("docs/index.md", "ref.missing"),
        ("templates/resources/a.yaml.j2", "schema.type"),
    ]
    # And the memo changes nothing: a check without it finds exactly the same.
    without_memo = check_site(
        loaded.settings,
        loaded.pages,
        options=loaded.options,
        registry=registry,
        rendered=render_project(loaded.settings).rendered,
        base_path=loaded.base_path,
    )
    assert changed == without_memo


def test_an_excerpt_may_leave_out_what_the_native_rules_look_for(tmp_path: Path) -> None:
    # A YAML block on a page is an excerpt: a container's volumeMounts shown without the pod's
    # volumes, an Ingress shown for its class alone, say nothing about what they leave out (the
    # volume may well exist; the rules are elsewhere). Applied as written, in a heredoc, the same
    # Deployment is complete, and its mount of a volume it does not have is the Go error.
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: repo\nspec:\n  template:\n"
        "    spec:\n      containers:\n      - name: repo\n        volumeMounts:\n"
        "        - mountPath: /tmp\n          name: tmp\n"
    )
    ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  ingressClassName: nginx\n"
    page = f"# x\n\n```yaml\n{deployment}```\n\n```yaml\n{ingress}```\n"
    site = make_site(tmp_path / "s", {"index.md": page})
    assert [f for f in check(site).findings if f.severity == "error"] == []
    heredoc = deployment.replace("name: repo\nspec", "name: applied\nspec")
    (site / "docs" / "index.md").write_text(
        page + f"\n```bash\nkubectl apply -f - <<'EOF'\n{heredoc}EOF\n```\n"
    )
    errors = [(f.rule, f.name) for f in check(site).findings if f.severity == "error"]
    assert ("core.not-found", "applied") in errors and all(name == "applied" for _, name in errors), errors


def test_a_shell_variable_in_an_unquoted_heredoc_causes_no_error(tmp_path: Path) -> None:
    # `cat <<EOF | kubectl apply -f -` after `export DOMAIN=...`: the shell puts the reader's value
    # into `hello.$DOMAIN` and `app-$ENV`, so the text as written (not a DNS name) is not what the
    # API server gets. In a yaml fence, which nothing expands, it is.
    ingress = (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app-$ENV\nspec:\n  rules:\n"
        "  - host: hello.$DOMAIN\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
        "        backend:\n          service:\n            name: hello\n            port:\n              number: 80\n"
    )
    page = f"# x\n\n```bash\ncat <<EOF | kubectl apply -f -\n{ingress}EOF\n```\n"
    site = make_site(tmp_path / "s", {"index.md": page})
    assert check(site).findings == []
    (site / "docs" / "index.md").write_text(f"# x\n\n```yaml\n{ingress}```\n")
    paths = {(f.rule, f.path) for f in check(site).findings if f.severity == "error"}
    assert paths == {("meta.name", "/metadata/name"), ("core.invalid", "/spec/rules/0/host")}, paths
