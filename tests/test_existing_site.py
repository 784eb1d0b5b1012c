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
