"""`appreg migrate`: hand-written tab pairs become templates and directives.

Pages of our own under tests/fixtures/migrate/ (the seed's shape and its close variants in
docs/guide/variants.md, near misses that must stay as they are in docs/guide/untouched.md), and the
real status-quo catalog page from ../shared when it is there.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import run_mkdocs
from mkdocs_appreg.cli import main
from mkdocs_appreg.site.migrate import diff, migrate_pages

FIXTURE = Path(__file__).parent / "fixtures" / "migrate"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "examples" / "status-quo"

MIGRATED_VARIANTS = """\
# Variants

An include, the seed's shape:

/// resource | docs/guide/resources/secret.yaml
///

Inline YAML, quoted delimiter, the command tab first, in a namespace:

/// resource | docs/guide/resources/configmap-settings.yaml
    kubectl: "kubectl -n demo apply -f -"
///

!!! note "In an admonition, with other labels"

    /// resource | docs/guide/resources/configmap-in-note.yaml
        yaml: "Manifest"
        command: "Apply it"
        lang: yml
        kubectl: "kubectl create -f -"
    ///

1. In a list item:

    /// resource | docs/guide/resources/other.yaml
    ///
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(FIXTURE, target)
    return target


def plan_for(site: Path, *pages: str) -> object:
    docs = site / "docs"
    chosen = [docs / page for page in pages] if pages else sorted(docs.rglob("*.md"))
    return migrate_pages(chosen, root=site, docs_dir=docs, templates_dir=site / "templates")


def run(site: Path, *args: str) -> int:
    return main(["migrate", "-f", str(site / "mkdocs.yml"), *args])


def test_variants_become_directives_and_templates(site: Path) -> None:
    original = (site / "docs/guide/variants.md").read_text()
    assert run(site, "--write", str(site / "docs/guide/variants.md")) == 0
    assert (site / "docs/guide/variants.md").read_text() == MIGRATED_VARIANTS
    templates = site / "templates" / "guide" / "resources"
    assert sorted(p.name for p in templates.iterdir()) == [
        "configmap-in-note.yaml.j2",
        "configmap-settings.yaml.j2",
        "other.yaml.j2",
        "secret.yaml.j2",
    ]
    # An included file moves, byte for byte; inline YAML is the fence's text.
    assert (templates / "secret.yaml.j2").read_text() == (
        FIXTURE / "docs/guide/resources/secret.yaml"
    ).read_text()
    assert not (site / "docs/guide/resources/secret.yaml").exists()
    inline = yaml.safe_load((templates / "configmap-settings.yaml.j2").read_text())
    assert inline == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings"},
        "data": {"mode": "fast"},
    }
    assert 'x: "y"\n' in (templates / "configmap-in-note.yaml.j2").read_text()
    assert original != MIGRATED_VARIANTS


def test_near_misses_are_left_exactly_as_they_are(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = site / "docs/guide/untouched.md"
    before = page.read_bytes()
    assert run(site, "--check", str(page)) == 0
    assert page.read_bytes() == before
    err = capsys.readouterr().err
    reasons = re.findall(r"^docs/guide/untouched\.md:(\d+): not migrated: (.*)$", err, flags=re.MULTILINE)
    assert reasons == [
        ("5", "the YAML tab and the heredoc show different YAML"),
        ("24", "the include `docs/guide/resources/secret.yaml:1:4` selects lines or a section"),
        ("43", "a third tab follows in the same tab set"),
        ("69", "the YAML holds Jinja syntax ({{, {% or {#) a template would interpret"),
        ("119", "the shell fence is not one `kubectl ... -f - <<EOF` heredoc"),
    ]
    # The pair shown inside a ```` fence is an example of markup, not a pair: not even reported.
    assert ":95:" not in err


def test_diff_by_default_check_exits_1_write_applies_and_a_second_run_changes_nothing(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert run(site) == 0
    shown = capsys.readouterr().out
    assert "--- a/docs/guide/variants.md\n+++ b/docs/guide/variants.md\n" in shown
    assert "--- /dev/null\n+++ b/templates/guide/resources/secret.yaml.j2\n" in shown
    assert "--- a/docs/guide/resources/secret.yaml\n+++ /dev/null\n" in shown
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before  # printing writes nothing

    assert run(site, "--check") == 1
    assert "would write templates/guide/resources/secret.yaml.j2" in capsys.readouterr().err
    assert run(site, "--write") == 0
    capsys.readouterr()
    assert run(site, "--check") == 0
    assert run(site) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to apply the diff")
@pytest.mark.parametrize("final_newline", [True, False], ids=["final-newline", "no-final-newline"])
def test_the_printed_diff_applies_to_what_write_does(site: Path, tmp_path: Path, final_newline: bool) -> None:
    # The status-quo catalog.yaml ends without a newline: the removal of such a file must say so
    # ("\ No newline at end of file"), or git apply refuses the patch.
    if not final_newline:
        included = site / "docs" / "guide" / "resources" / "secret.yaml"
        included.write_text(included.read_text().rstrip("\n"))
    other = tmp_path / "other"
    shutil.copytree(site, other)
    plan = plan_for(other)
    patch = diff(plan, other)  # type: ignore[arg-type]
    (tmp_path / "m.diff").write_text(patch)
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    subprocess.run(["git", "-C", str(other), "apply", str(tmp_path / "m.diff")], check=True)
    assert run(site, "--write") == 0
    files = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    applied = {
        p.relative_to(other): p.read_bytes()
        for p in other.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }
    assert files == applied


def test_an_existing_template_with_other_content_is_not_overwritten(site: Path) -> None:
    template = site / "templates" / "guide" / "resources" / "secret.yaml.j2"
    template.parent.mkdir(parents=True)
    template.write_text("kind: Other\n")
    plan = plan_for(site, "guide/variants.md")
    assert [s.reason for s in plan.skipped] == [
        "templates/guide/resources/secret.yaml.j2 exists with other content"
    ]  # type: ignore[attr-defined]
    assert template.read_text() == "kind: Other\n"


def test_inline_names_do_not_collide(site: Path) -> None:
    page = site / "docs" / "twice.md"
    pair = (FIXTURE / "docs/guide/variants.md").read_text().split("Inline YAML")[1].split("!!! note")[0]
    pair = pair.split("\n", 2)[2]
    page.write_text(f"# Twice\n\n{pair}\nAgain, other data:\n\n{pair.replace('mode: fast', 'mode: slow')}")
    assert run(site, "--write", str(page)) == 0
    text = page.read_text()
    assert "/// resource | docs/resources/configmap-settings.yaml\n" in text
    assert "/// resource | docs/resources/configmap-settings-2.yaml\n" in text
    assert "mode: slow" in (site / "templates/resources/configmap-settings-2.yaml.j2").read_text()


def test_migrated_fixture_site_builds_strict(site: Path) -> None:
    assert run(site, "--write") == 0
    result = run_mkdocs(site, "--strict")
    assert result.returncode == 0, result.stderr


def test_paths_outside_the_docs_directory_are_a_usage_error(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(site, str(site / "mkdocs.yml")) == 2
    assert "not inside the docs directory" in capsys.readouterr().err


# --- the real status-quo page -------------------------------------------------------------------


def tab_sets(page_html: str) -> list[list[tuple[str, str]]]:
    """Each tab set as (label, text of its code) pairs, markup and highlighting removed."""
    sets = []
    for block in re.findall(r'<div class="tabbed-set.*?</div>\n</div>\n</div>', page_html, flags=re.DOTALL):
        labels = [re.sub(r"<[^>]+>", "", label) for label in re.findall(r"<label[^>]*>(.*?)</label>", block)]
        codes = [
            html.unescape(re.sub(r"<[^>]+>", "", code))
            for code in re.findall(
                r"<pre[^>]*>(?:<span></span>)?<code[^>]*>(.*?)</code></pre>", block, flags=re.DOTALL
            )
        ]
        sets.append(list(zip(labels, codes, strict=True)))
    return sets


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/examples/status-quo is not beside the checkout")
def test_status_quo_catalog_page_migrates_to_the_same_tabs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    resources = site / "docs" / "development" / "resources"
    resources.mkdir(parents=True)
    shutil.copy2(SHARED / "custom-catalog.md", site / "docs" / "development" / "custom-catalog.md")
    for name in ("authSecretRef.yaml", "catalog.yaml"):
        shutil.copy2(SHARED / name, resources / name)
    shutil.copy2(FIXTURE / "mkdocs.yml", site / "mkdocs.yml")
    assert run_mkdocs(site).returncode == 0
    before = tab_sets((site / "site" / "development" / "custom-catalog" / "index.html").read_text())

    assert run(site, "--write") == 0
    page = (site / "docs" / "development" / "custom-catalog.md").read_text()
    assert page.count("/// resource | docs/development/resources/") == 2
    assert "/// tab" not in page
    assert run(site, "--check") == 0  # idempotent
    built = run_mkdocs(site)
    assert built.returncode == 0, built.stderr
    after = tab_sets((site / "site" / "development" / "custom-catalog" / "index.html").read_text())

    assert len(before) == len(after) == 2
    for old, new in zip(before, after, strict=True):
        assert (
            [label for label, _ in old]
            == [label for label, _ in new]
            == ["YAML Resource", "kubectl apply command"]
        )
        assert old[0][1].rstrip("\n") == new[0][1].rstrip("\n")  # the YAML, unchanged
        # The intended changes only: a quoted delimiter, and no blank line before it.
        expected = old[1][1].replace("<<EOF\n", "<<'EOF'\n", 1).replace("\n\nEOF", "\nEOF")
        assert new[1][1] == expected
    # The moved resources are now validated: the catalog's `{true|false}` is the known defect.
    assert "[schema.type]" in built.stderr
