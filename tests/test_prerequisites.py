"""The plugin says what mkdocs.yml lacks for the directive: real `mkdocs build` runs.

Each missing piece is one warning line naming what to add, logged when a page uses the directive,
so `mkdocs build --strict` fails; a complete setup, or a site without the directive, builds clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import run_mkdocs

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: your-creds
  labels:
    eda.nokia.com/backup: "true"
type: Opaque
data:
  username: dXNlcg==
"""

COMPLETE: list[Any] = [
    {"pymdownx.snippets": {"check_paths": True}},
    "pymdownx.superfences",
    {"pymdownx.blocks.tab": {"alternate_style": True}},
]


def make_site(root: Path, extensions: list[Any], *, theme: str | None = "material", page: str = "") -> Path:
    config: dict[str, Any] = {
        "site_name": "prerequisites",
        "markdown_extensions": extensions,
        "plugins": [{"appreg": {}}],
    }
    if theme is not None:
        config["theme"] = {"name": theme}
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (root / "templates" / "resources").mkdir(parents=True)
    (root / "templates" / "resources" / "secret.yaml.j2").write_text(SECRET)
    (root / "docs").mkdir()
    body = page or "# Home\n\nIntro.\n\n/// resource | docs/resources/secret.yaml\n///\n"
    (root / "docs" / "index.md").write_text(body)
    return root


def appreg_warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("WARNING") and "appreg:" in line]


def test_complete_setup_builds_strict_without_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", COMPLETE)
    result = run_mkdocs(site, "--strict")
    assert result.returncode == 0, result.stderr
    assert appreg_warnings(result.stderr) == []


def test_the_readme_setup_without_material_fails_strict_naming_the_theme(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", COMPLETE, theme=None)
    result = run_mkdocs(site, "--strict")
    assert result.returncode != 0
    (warning,) = appreg_warnings(result.stderr)
    assert "theme 'mkdocs' does not style tabs" in warning
    assert "set 'theme: {name: material}' in mkdocs.yml" in warning
    assert "(the resource directive is used at docs/index.md:5)" in warning


@pytest.mark.parametrize(
    ("extensions", "expected"),
    [
        (
            [COMPLETE[0], COMPLETE[1]],
            ["'- pymdownx.blocks.tab: {alternate_style: true}' under markdown_extensions"],
        ),
        ([COMPLETE[0], COMPLETE[2]], ["'- pymdownx.superfences' under markdown_extensions"]),
        (
            [COMPLETE[1], COMPLETE[2]],
            ["'- pymdownx.snippets: {check_paths: true}' under markdown_extensions"],
        ),
        (
            [COMPLETE[0], COMPLETE[1], "pymdownx.blocks.tab"],
            ["has alternate_style off, a markup Material does not style"],
        ),
        (
            [],
            [
                "pymdownx.superfences is not enabled",
                "pymdownx.snippets is not in markdown_extensions",
                "pymdownx.blocks.tab is not enabled, so the page shows the raw '/// tab' lines",
            ],
        ),
    ],
)
def test_each_missing_extension_is_one_warning_saying_what_to_add(
    tmp_path: Path, extensions: list[Any], expected: list[str]
) -> None:
    site = make_site(tmp_path / "s", extensions)
    result = run_mkdocs(site, "--strict")
    assert result.returncode != 0
    warnings = appreg_warnings(result.stderr)
    assert len(warnings) == len(expected), result.stderr
    for warning, text in zip(warnings, expected, strict=True):
        assert text in warning
    # Without strict the build completes, the warnings still shown.
    relaxed = run_mkdocs(site)
    assert relaxed.returncode == 0, relaxed.stderr
    assert len(appreg_warnings(relaxed.stderr)) == len(expected)


def test_without_blocks_tab_the_raw_tab_lines_are_what_the_warning_says(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", [COMPLETE[0], COMPLETE[1]])
    run_mkdocs(site)
    assert "/// tab | YAML Resource" in (site / "site" / "index.html").read_text()


def test_a_site_without_the_directive_is_not_asked_for_tabs(tmp_path: Path) -> None:
    # A site that only has its hand-written pages checked needs none of it.
    site = make_site(tmp_path / "s", ["pymdownx.superfences"], theme=None, page="# Home\n\nNo tabs.\n")
    result = run_mkdocs(site, "--strict")
    assert result.returncode == 0, result.stderr
    assert appreg_warnings(result.stderr) == []


def test_a_directive_inside_a_fence_is_no_use(tmp_path: Path) -> None:
    page = "# Home\n\n```text\n/// resource | docs/resources/secret.yaml\n///\n```\n"
    site = make_site(tmp_path / "s", ["pymdownx.superfences"], theme=None, page=page)
    result = run_mkdocs(site, "--strict")
    assert result.returncode == 0, result.stderr


def test_front_matter_counts_in_the_line(tmp_path: Path) -> None:
    page = "---\ntitle: Home\n---\n# Home\n\n/// resource | docs/resources/secret.yaml\n///\n"
    site = make_site(tmp_path / "s", COMPLETE, theme=None, page=page)
    (warning,) = appreg_warnings(run_mkdocs(site).stderr)
    assert "(the resource directive is used at docs/index.md:6)" in warning
