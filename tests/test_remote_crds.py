"""CRDs named by URL: refused by default, downloaded from a loopback server when the site opts in."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_mkdocs
from mkdocs_appreg.common.cachefs import CacheRoot
from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.engine.remote import fetch_crd
from test_plugin import make_site

CRD = Path(__file__).parent / "fixtures" / "crds-cel" / "widgets.yaml"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server serving a folder with one CRD (and nothing else)."""
    served = tmp_path / "served"
    served.mkdir()
    (served / "widgets.yaml").write_bytes(CRD.read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_url_is_refused_unless_the_site_opts_in(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p", options={"crds": ["https://example.invalid/crd.yaml"]})
    result = run_mkdocs(site)
    assert result.returncode != 0
    assert "is a URL; appreg never uses the network" in result.stderr
    assert "Traceback" not in result.stderr


def test_opted_in_url_is_downloaded_into_the_cache_and_used(tmp_path: Path, server: str) -> None:
    widget = "apiVersion: test.appreg.io/v1\nkind: Widget\nmetadata:\n  name: w-one\nspec:\n  bogus: 1\n"
    page = "# Widgets\n\n```yaml\n" + widget + "```\n"
    site = make_site(
        tmp_path / "p",
        pages={"index.md": page},
        templates={},
        options={"crds": [f"{server}/widgets.yaml"], "allow_remote_crds": True},
    )
    result = run_mkdocs(site)
    assert result.returncode == 0, result.stderr
    # The downloaded CRD knows Widget: the unknown field is reported, not `schema.missing`.
    assert "[schema.unknown-field] Widget/w-one /spec/bogus" in result.stderr
    assert "schema.missing" not in result.stderr
    assert list((site / ".cache" / "appreg" / "remote-crds").glob("*.yaml"))


def test_failed_download_is_one_line_naming_the_url(tmp_path: Path, server: str) -> None:
    with pytest.raises(CrdError, match=r"/missing\.yaml: cannot download: HTTP 404"):
        fetch_crd(f"{server}/missing.yaml", CacheRoot(tmp_path / "cache"), "remote-crds")
    with pytest.raises(CrdError, match="only https:// and http://"):
        fetch_crd("file:///etc/passwd", CacheRoot(tmp_path / "cache"), "remote-crds")
    assert not (tmp_path / "cache").exists()


def test_cli_downloads_a_crd_url_only_with_allow_remote_crds(tmp_path: Path, server: str) -> None:
    from conftest import run_appreg

    widget = "apiVersion: test.appreg.io/v1\nkind: Widget\nmetadata:\n  name: w-one\nspec:\n  bogus: 1\n"
    (tmp_path / "w.yaml").write_text(widget)
    url = f"{server}/widgets.yaml"
    refused = run_appreg("validate", "--crd", url, "w.yaml", cwd=tmp_path)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"appreg: error: {url}: is a URL; appreg downloads CRDs only with --allow-remote-crds: "
        "pass it, or save the file and name its path\n"
    )
    used = run_appreg("validate", "--allow-remote-crds", "--crd", url, "w.yaml", cwd=tmp_path)
    assert used.returncode == 1, used.stderr
    assert "[schema.unknown-field] Widget/w-one /spec/bogus" in used.stdout
