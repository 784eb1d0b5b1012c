"""The reader's page in a real browser: the project's site, served on 127.0.0.1, in headless Chromium.

Builds the project's own site, serves the result over HTTP on 127.0.0.1 and drives Debian's
`chromium` through Playwright (`executable_path`, no browser download) over the registry page:

- both tab sets carry exactly the labels `YAML Resource` and `` `kubectl apply` command ``;
- clicking the kubectl tab in one set switches the other (Material's `content.tabs.link`);
- the copy button of the kubectl tab copies exactly the heredoc command, which passes `bash -n`
  and, run with a fake `kubectl` first on PATH that records its standard input, delivers the
  rendered YAML byte for byte;
- the link to the published YAML downloads those same bytes.

A screenshot goes to `$APPREG_ARTIFACTS_DIR` (`.ci/browser` sets `.ci/artifacts`), or the test's
temporary directory. The test skips, saying why, only when Chromium (or Playwright) is not
installed; `.ci/browser` installs both and sets APPREG_BROWSER_REQUIRED=1, under which a missing
Playwright is a failure, not a skip.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import ProjectBuild

CHROMIUM = os.environ.get("APPREG_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("APPREG_BROWSER_REQUIRED") == "1"
# No network here: nothing in the browser may try to reach it.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE = "development/custom-registry/"
YAML_LABEL = "YAML Resource"
# `` `kubectl apply` command ``: the words "kubectl apply" in a <code>, then " command".
COMMAND_LABEL_TEXT = "kubectl apply command"

# Records what Material's copy button puts on the clipboard. clipboard.js copies through a
# temporary textarea and `document.execCommand("copy")`, which fires a `copy` event whose target
# holds the selected text.
RECORD_COPIES = """
window.__copied = [];
document.addEventListener("copy", (event) => {
  const target = event.target;
  let text = window.getSelection().toString();
  if (target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT")) {
    text = target.value.substring(target.selectionStart, target.selectionEnd);
  }
  window.__copied.push(text);
}, true);
"""


def _playwright() -> Any:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip(
            f"Chromium is not installed ({CHROMIUM}); .ci/browser installs Debian's chromium with apt-get"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRED:
            pytest.fail(
                "APPREG_BROWSER_REQUIRED=1 but playwright is not installed: pip install -e '.[browser]'"
            )
        pytest.skip("playwright is not installed: pip install -e '.[browser]' (.ci/browser does)")
    return sync_playwright


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def sync_playwright() -> Any:
    """Playwright's entry point; the test skips (or fails, see above) before any build without it.

    Session-scoped, so pytest sets it up before the session's `project_build` (higher scopes first).
    """
    return _playwright()


@pytest.fixture
def served_site(sync_playwright: Any, project_build: ProjectBuild) -> Iterator[tuple[str, Path]]:
    """The project's site, built strict and served on 127.0.0.1: (base URL, site directory)."""
    assert project_build.result.returncode == 0, project_build.result.stderr
    site = project_build.source / "site"
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", site
    finally:
        server.shutdown()
        server.server_close()


def _artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("APPREG_ARTIFACTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_registry_page_in_chromium(
    sync_playwright: Any, served_site: tuple[str, Path], tmp_path: Path
) -> None:
    base, site = served_site
    secret = (site / "development" / "resources" / "authSecretRef.yaml").read_bytes()
    registry = (site / "development" / "resources" / "registry.yaml").read_bytes()

    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="appreg-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,  # a fresh --user-data-dir for every run
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900},
        )
        try:
            page = context.new_page()
            page.add_init_script(RECORD_COPIES)
            page.goto(base + PAGE, wait_until="load")

            # Both tab sets, with exactly the seed's labels.
            sets = page.locator("div.tabbed-set")
            assert sets.count() == 2
            for index in range(2):
                labels = sets.nth(index).locator(".tabbed-labels > label")
                assert labels.count() == 2
                # Material's script wraps each label's content in an anchor; the text is the label.
                assert labels.nth(0).text_content() == YAML_LABEL
                assert labels.nth(0).locator("code").count() == 0
                assert labels.nth(1).text_content() == COMMAND_LABEL_TEXT
                assert labels.nth(1).locator("code").text_content() == "kubectl apply"

            def checked(index: int) -> list[bool]:
                radios = sets.nth(index).locator(":scope > input[type=radio]")
                return [radios.nth(i).is_checked() for i in range(radios.count())]

            assert checked(0) == checked(1) == [True, False]
            # content.tabs.link: choosing the kubectl tab in the first set switches the second.
            sets.nth(0).locator(".tabbed-labels > label").nth(1).click()
            page.wait_for_function(
                "document.querySelectorAll('div.tabbed-set')[1].querySelectorAll(':scope > input')[1].checked"
            )
            assert checked(0) == checked(1) == [False, True]
            page.screenshot(path=str(_artifacts(tmp_path) / "registry-page.png"), full_page=False)

            # The copy button of each kubectl tab copies the heredoc command, exactly.
            copied: list[str] = []
            for index in range(2):
                block = sets.nth(index).locator(".tabbed-content > .tabbed-block").nth(1)
                block.hover()
                block.locator("button[data-md-type=copy]").click()
                page.wait_for_function(f"window.__copied.length > {index}")
                copied.append(page.evaluate(f"window.__copied[{index}]"))

            # The published YAML link downloads the file the heredoc feeds.
            link = page.locator("a[href$='resources/registry.yaml']").first
            href = link.get_attribute("href")
            assert href is not None
            response = context.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
            assert response.ok
            downloaded = response.body()
        finally:
            context.close()

    for text, expected in zip(copied, (secret, registry), strict=True):
        assert text == "kubectl apply -f - <<'EOF'\n" + expected.decode("utf-8") + "EOF"
        syntax = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
        assert syntax.returncode == 0, syntax.stderr
        assert _run_with_fake_kubectl(text, tmp_path) == (expected, "apply -f -")
    assert downloaded == registry


def _run_with_fake_kubectl(command: str, tmp_path: Path) -> tuple[bytes, str]:
    """Run `command` in bash with a `kubectl` first on PATH that records its stdin and arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "kubectl.stdin"
    fake = bin_dir / "kubectl"
    fake.write_text(f'#!/bin/sh\nprintf "%s" "$*" > "{record}.args"\ncat > "{record}"\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(["bash", "-c", command], env=env, check=True, capture_output=True)
    return record.read_bytes(), Path(f"{record}.args").read_text()
