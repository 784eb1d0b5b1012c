"""Findings on the page in `mkdocs serve`: placement (unit) and a real `mkdocs serve` (end to end).

`mkdocs serve` makes MkDocs call the plugin's on_startup with command "serve"; only then does a
page show its findings. The build of the same site never does.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import run_mkdocs
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.pages.annotate import admonition, annotate

PAGE = """\
# Registry

Intro paragraph
on two lines.

/// resource | docs/resources/registry.yaml
///

- In a list:

    /// resource | docs/resources/registry.yaml
        yaml: Manifest
    ///

```yaml
--8<-- "docs/resources/hand.yaml"
```

```yaml
apiVersion: v1
kind: Secret
```

Last words.
"""

TEMPLATE_FINDING = Finding(
    "templates/resources/registry.yaml.j2", 9, 18, "schema.type", "expected boolean, got object",
    kind="Registry", name="your-registry", path="/spec/skipTLSVerify",
)  # fmt: skip
SHOWN_AS = {"templates/resources/registry.yaml.j2": ["docs/resources/registry.yaml"]}


def lines_after(text: str, marker: str) -> list[str]:
    lines = text.split("\n")
    return lines[lines.index(marker) + 1 :]


def test_a_template_finding_follows_every_directive_showing_its_file() -> None:
    out = annotate(PAGE, page="docs/index.md", findings=[TEMPLATE_FINDING], shown_as=SHOWN_AS)
    lines = out.split("\n")
    boxes = [i for i, line in enumerate(lines) if "appreg-finding" in line]
    assert len(boxes) == 2
    # After the first directive's closing `///`, at its indentation, between blank lines.
    assert lines[boxes[0] - 2 : boxes[0] + 2] == ["///", "", admonition(TEMPLATE_FINDING), ""]
    # After the indented one, indented as it is (it stays inside the list item).
    assert lines[boxes[1] - 2] == "    ///"
    assert lines[boxes[1]] == admonition(TEMPLATE_FINDING, "    ")


def test_the_markdown_is_unchanged_but_for_the_inserted_lines() -> None:
    out = annotate(PAGE, page="docs/index.md", findings=[TEMPLATE_FINDING], shown_as=SHOWN_AS)
    inserted = out.split("\n")
    original = PAGE.split("\n")
    # Remove each inserted box with the blank line on either side of it.
    while any("appreg-finding" in line for line in inserted):
        at = next(i for i, line in enumerate(inserted) if "appreg-finding" in line)
        del inserted[at - 1 : at + 2]
    assert inserted == original


def test_an_included_file_finding_follows_the_fence_that_includes_it() -> None:
    finding = Finding("docs/resources/hand.yaml", 3, 1, "meta.name", "name is required", kind="Secret")
    out = annotate(PAGE, page="docs/index.md", findings=[finding])
    after = lines_after(out, '--8<-- "docs/resources/hand.yaml"')
    assert after[:3] == ["```", "", admonition(finding)]


def test_a_page_finding_follows_its_block_or_paragraph() -> None:
    in_fence = Finding("docs/index.md", 21, 1, "meta.name", "metadata.name is required", kind="Secret")
    in_prose = Finding("docs/index.md", 3, 1, "prose.field", "`mirrorUrl` is no field", severity="warning")
    out = annotate(PAGE, page="docs/index.md", findings=[in_fence, in_prose])
    assert lines_after(out, "kind: Secret")[:3] == ["```", "", admonition(in_fence)]
    assert lines_after(out, "on two lines.")[:2] == ["", admonition(in_prose)]
    assert 'class="admonition warning appreg-finding"' in admonition(in_prose)
    assert 'class="admonition failure appreg-finding"' in admonition(in_fence)


def test_front_matter_lines_are_counted() -> None:
    finding = Finding("docs/index.md", 3 + 3, 1, "prose.field", "x", severity="warning")
    out = annotate(PAGE, page="docs/index.md", findings=[finding], line_offset=3)
    assert lines_after(out, "on two lines.")[:2] == ["", admonition(finding)]


def test_findings_about_other_pages_and_files_change_nothing() -> None:
    others = [
        Finding("docs/other.md", 3, 1, "meta.name", "x"),
        Finding("templates/resources/secret.yaml.j2", 3, 1, "meta.name", "x"),
        Finding("docs/index.md", 999, 1, "meta.name", "beyond the page"),
    ]
    assert annotate(PAGE, page="docs/index.md", findings=others, shown_as=SHOWN_AS) == PAGE


def test_the_admonition_escapes_what_it_shows() -> None:
    finding = Finding("docs/<x>.md", 1, 1, "schema.enum", "got '<script>alert(1)</script>' & more")
    box = admonition(finding)
    assert "<script>" not in box
    assert "&lt;script&gt;" in box
    assert "<code>docs/&lt;x&gt;.md:1:1</code>" in box


# --- a real `mkdocs serve` -----------------------------------------------------------------------

BROKEN_REGISTRY = """\
apiVersion: appstore.eda.nokia.com/v1
kind: Registry
metadata:
  name: your-registry
  labels:
    eda.nokia.com/backup: "true"
spec:
  remoteURL: https://registry.example.com
  skipTLSVerify: {true|false}
"""


def make_site(root: Path) -> Path:
    config = {
        "site_name": "serve",
        "theme": {"name": "material"},
        "markdown_extensions": [
            {"pymdownx.snippets": {"check_paths": True}},
            "pymdownx.superfences",
            {"pymdownx.blocks.tab": {"alternate_style": True}},
        ],
        "plugins": [{"appreg": {"references": []}}],
    }
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (root / "templates" / "resources").mkdir(parents=True)
    (root / "templates" / "resources" / "registry.yaml.j2").write_text(BROKEN_REGISTRY)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text(
        "# Registry\n\n/// resource | docs/resources/registry.yaml\n///\n\nThe end.\n"
    )
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body: bytes = response.read()
                return body.decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_shows_the_finding_on_the_page_and_build_does_not(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s")
    built = run_mkdocs(site)
    assert "templates/resources/registry.yaml.j2:9:3: [schema.type]" in built.stderr
    assert "appreg-finding" not in (site / "site" / "index.html").read_text()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MKDOCS")}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        cwd=site,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 120)
    finally:
        server.terminate()
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
    assert page.count("appreg-finding") == 1
    box = page[page.index('<div class="admonition failure appreg-finding">') :]
    box = box[: box.index("</div>")]
    assert '<p class="admonition-title">appreg error [schema.type]</p>' in box
    assert "<code>templates/resources/registry.yaml.j2:9:3</code>" in box
    assert "Registry/your-registry /spec/skipTLSVerify: expected boolean, got object" in box
    # Right after the tab set the directive made, before the next paragraph.
    assert page.index("tabbed-set") < page.index("appreg-finding") < page.index("The end.")
    # The served site was built elsewhere: the built site is still clean.
    assert "appreg-finding" not in (site / "site" / "index.html").read_text()


@pytest.mark.parametrize("command", ["build", "gh-deploy"])
def test_only_serve_turns_it_on(command: str) -> None:
    from mkdocs_appreg.plugin.plugin import AppregPlugin

    plugin = AppregPlugin()
    plugin.on_startup(command=command, dirty=False)  # type: ignore[arg-type]
    assert plugin._serving is False
    plugin.on_startup(command="serve", dirty=False)
    assert plugin._serving is True
