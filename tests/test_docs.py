"""The project's docs, followed to the letter: Getting started run in an empty directory, and the
generated reference pages checked against the code they are generated from.

Getting started's `pip install` step is not run (no network at test time): the current virtual
environment already has what it installs, mkdocs-appreg from this checkout and mkdocs-material,
which the test checks instead. Every other command of the section is run as written, in a temporary
directory holding only the files the section tells the reader to write.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from conftest import ProjectBuild, run_mkdocs, tree_digest
from mkdocs_appreg.cli.commands import build_parser
from mkdocs_appreg.plugin.config import AppregConfig

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(
    r"^(?P<indent>[ ]*)(?P<fence>`{3,})(?P<lang>[\w+-]*)(?:[ ]+title=\"(?P<title>[^\"]+)\")?[ ]*\n"
    r"(?P<body>.*?)^(?P=indent)(?P=fence)[ ]*$",
    re.MULTILINE | re.DOTALL,
)


def section(page: Path, heading: str) -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def fences(text: str) -> list[tuple[str, str | None, str]]:
    """(language, title, body) of each fenced block, its indentation removed."""
    found = []
    for match in FENCE.finditer(text):
        body = textwrap.dedent(
            (
                match["indent"]
                and "\n".join(
                    line[len(match["indent"]) :] if line.startswith(match["indent"]) else line
                    for line in match["body"].split("\n")
                )
            )
            or match["body"]
        )
        found.append((match["lang"], match["title"], body))
    return found


@pytest.fixture(scope="module")
def built_site(project_build: ProjectBuild) -> Path:
    """The project's site, built strict from a copy (its docs/ must not change)."""
    assert project_build.result.returncode == 0, project_build.result.stderr
    assert tree_digest(project_build.source / "docs") == project_build.docs_before, (
        "the build wrote into docs/"
    )
    return project_build.source / "site"


# --- Getting started ---------------------------------------------------------------------------


def test_getting_started_works_when_followed_literally(tmp_path: Path) -> None:
    steps = fences(section(DOCS / "index.md", "Getting started"))
    files = {title: body for _, title, body in steps if title}
    commands = [
        line for lang, title, body in steps if lang == "bash" and not title for line in body.splitlines()
    ]
    assert set(files) == {"mkdocs.yml", "templates/resources/settings.yaml.j2", "docs/index.md"}
    assert commands == ["pip install -e path/to/mkdocs-appreg mkdocs-material", "mkdocs build --strict"]

    # The install step, emulated: what it installs is what this environment has.
    installed = shlex.split(commands[0])[2:]
    assert installed[0] == "-e" and installed[2] == "mkdocs-material"
    for distribution in ("mkdocs-appreg", "mkdocs-material"):
        metadata.version(distribution)

    for name, body in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MKDOCS")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        shlex.split(commands[1]), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING -" not in result.stderr
    page = (tmp_path / "site" / "index.html").read_text()
    assert page.count('class="tabbed-set') == 1
    assert "&lt;&lt;&#39;EOF&#39;" in page or "&lt;&lt;'EOF'" in page
    published = yaml.safe_load((tmp_path / "site" / "resources" / "settings.yaml").read_text())
    assert published["metadata"] == {"name": "settings", "namespace": "demo"}
    assert not (tmp_path / "docs" / "resources").exists()


def test_getting_started_broken_example_fails_the_build(tmp_path: Path) -> None:
    # "a broken example fails it": the same site with a ConfigMap whose data is not a mapping.
    steps = fences(section(DOCS / "index.md", "Getting started"))
    for _, title, body in steps:
        if title:
            target = tmp_path / title
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body.replace("greeting: hello", "- hello"), encoding="utf-8")
    result = run_mkdocs(tmp_path, "--strict")
    assert result.returncode != 0
    assert "templates/resources/settings.yaml.j2:6:1: [schema.type] ConfigMap/settings /data" in result.stderr


# --- generated reference pages -----------------------------------------------------------------


def test_configuration_page_lists_every_option(built_site: Path) -> None:
    page = (built_site / "reference" / "configuration" / "index.html").read_text()
    rows = re.findall(r"<tr>\s*<td><code>([a-z_]+)</code></td>", page)
    options = [name for name, _ in AppregConfig._schema]
    assert rows[: len(options)] == options
    # The "every option with its default" block names each one too.
    block = page[page.index("Every option set explicitly") :]
    for name in options:
        assert re.search(rf"\b{name}\b", block[:20000]), name
    assert "appreg:options" not in page  # every marker was replaced


def subcommands() -> dict[str, object]:
    import argparse

    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_cli_page_lists_every_command_and_argument(built_site: Path) -> None:
    page = (built_site / "reference" / "cli" / "index.html").read_text()
    for name, parser in subcommands().items():
        assert f"<code>appreg {name}</code>" in page, name
        for action in parser._actions:  # type: ignore[attr-defined]
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"<code>{flag}</code>" in page, f"appreg {name} {flag}"
    assert "appreg:cli-reference" not in page


def test_kubeconform_table_names_only_flags_that_exist() -> None:
    table = section(DOCS / "reference" / "cli.md", "Coming from kubeconform")
    named = set(
        re.findall(
            r"`(--[a-z-]+)",
            "\n".join(row.split("|")[3] for row in table.splitlines() if row.startswith("| `-")),
        )
    )
    flags = {flag for parser in subcommands().values() for a in parser._actions for flag in a.option_strings}  # type: ignore[attr-defined]
    assert named and named <= flags


def test_usage_lines_name_the_formats_each_command_takes() -> None:
    # A synopsis such as `appreg check [--format text|json|github|junit]` in the README or a page
    # lists what the parser takes, all of it: `tap` was added to both commands and the synopses
    # went on naming the older lists.
    usage = re.compile(r"appreg (\w+) [^\n]*?\[--format ([a-z]+(?:\|[a-z]+)+)\]")
    pages = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
    found = [(page, *m.groups()) for page in pages for m in usage.finditer(page.read_text(encoding="utf-8"))]
    assert found
    for page, command, listed in found:
        takes = next(a.choices for a in subcommands()[command]._actions if "--format" in a.option_strings)  # type: ignore[attr-defined]
        assert listed.split("|") == list(takes), f"{page.name}: appreg {command} --format {listed}"


def test_home_page_has_the_pipeline_diagram_and_the_before_after(built_site: Path) -> None:
    page = (built_site / "index.html").read_text()
    assert '<pre class="mermaid"><code>flowchart LR' in page
    assert page.index('id="before-and-after"') < page.index('id="the-problem"')
    assert "Before: 16 lines per resource" in page
    assert (built_site / "assets" / "registry-tabs.png").is_file()


def test_site_url_and_unbroken_code_in_tables(built_site: Path) -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    assert re.search(r"^site_url: \S+", config, flags=re.MULTILINE)
    css = (DOCS / "assets" / "extra.css").read_text()
    assert re.search(r"td code,\s*\.md-typeset table:not\(\[class\]\) th code \{\s*white-space: nowrap;", css)
    assert 'href="../../assets/extra.css"' in (built_site / "reference" / "rules" / "index.html").read_text()
