"""The build record: a build whose inputs are all unchanged reuses the previous results, and any
changed input (page, included file, template, CRD, cached file, record) means the work again.

Real `mkdocs build` runs through the entry point; "reused" is read from the plugin's INFO line.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_mkdocs
from mkdocs_appreg.common.cachefs import CacheRoot, machine_key, seal, unseal
from mkdocs_appreg.common.digests import digest
from mkdocs_appreg.plugin.buildrecord import RECORD_FILE, BuildRecord
from test_plugin import PAGE, make_site

REUSED = "no template, CRD or page changed since the last build"

EXTRA_PAGE = """\
# Extra

```yaml
--8<-- "examples/registry.yaml"
```
"""

EXAMPLE = """\
apiVersion: appstore.eda.nokia.com/v1
kind: Registry
metadata:
  name: extra
  namespace: eda-system
spec:
  remoteURL: https://registry.example.com
  skipTLSVerify: {skip}
"""


def load_record(cache_dir: Path) -> BuildRecord | None:
    return BuildRecord.load(CacheRoot(cache_dir), machine_key())


def read_sealed(path: Path) -> str:
    """A record's JSON, as this machine sealed it (see `cachefs.seal`)."""
    data = unseal(path.read_bytes(), machine_key())
    assert data is not None
    return data.decode()


def write_sealed(path: Path, text: str) -> None:
    """Write a record as this machine's own code would: sealed with the machine key."""
    path.write_bytes(seal(text.encode("utf-8", "surrogateescape"), machine_key()))


def build(site: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], bool]:
    result = run_mkdocs(site, *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result, REUSED in result.stderr


def make_registry_site(root: Path) -> Path:
    crd = "appstore.eda.nokia.com_registries.yaml"
    root = make_site(
        root, pages={"index.md": PAGE, "extra.md": EXTRA_PAGE}, options={"crds": [f"crds/{crd}"]}
    )
    (root / "crds").mkdir()
    shutil.copy2(REPO / "mkdocs_appreg" / "crds" / crd, root / "crds" / crd)
    (root / "examples").mkdir()
    (root / "examples" / "registry.yaml").write_text(EXAMPLE.format(skip="false"))
    return root


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # pages carry the build date otherwise
    return make_registry_site(tmp_path / "p")


@pytest.fixture(scope="module")
def _built_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`site` after its first `build(site, "--strict")`, and a copy of the whole tree as it left it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        root = make_registry_site(tmp_path_factory.mktemp("built-once") / "p")
        first, reused = build(root, "--strict")
    assert first.returncode == 0 and not reused, first.stderr
    shutil.copytree(root, root.parent / "as-built", symlinks=True)
    return root, root.parent / "as-built"


@pytest.fixture
def built_site(_built_once: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """`site` after `assert build(site, "--strict")[0].returncode == 0`, for tests that start so.

    That first build is the same for each of them (same pages, templates, CRD, command); it runs
    once per module (~0.3 s each), and each test gets the tree it left, restored at the path it
    was built at: the record's environment names the project's directory, so a copy elsewhere
    would not be reused. Every file keeps its bytes and mtime (the record holds SHA-256 digests).
    """
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root, as_built = _built_once
    shutil.rmtree(root)
    shutil.copytree(as_built, root, symlinks=True)
    return root


def test_unchanged_inputs_reuse_and_every_kind_of_change_redoes_the_work(site: Path) -> None:
    first, reused = build(site, "--strict")
    assert first.returncode == 0 and not reused, first.stderr
    html = (site / "site" / "index.html").read_text()

    again, reused = build(site, "--strict")
    assert again.returncode == 0 and reused, again.stderr
    assert (site / "site" / "index.html").read_text() == html

    # A file a page includes (outside templates/ and docs/) turns invalid: checked again, and
    # the error is reported by this build and, reused, by the next one, so --strict keeps failing.
    (site / "examples" / "registry.yaml").write_text(EXAMPLE.format(skip="maybe"))
    broken, reused = build(site, "--strict")
    assert broken.returncode != 0 and not reused
    assert "examples/registry.yaml:8:" in broken.stderr and "[schema.type]" in broken.stderr
    still, reused = build(site, "--strict")
    assert still.returncode != 0 and reused
    assert "examples/registry.yaml:8:" in still.stderr and "[schema.type]" in still.stderr

    (site / "examples" / "registry.yaml").write_text(EXAMPLE.format(skip="false"))
    fixed, reused = build(site, "--strict")
    assert fixed.returncode == 0 and not reused, fixed.stderr

    # A page edit.
    page = site / "docs" / "extra.md"
    page.write_text(page.read_text() + "\nMore text.\n")
    edited, reused = build(site, "--strict")
    assert edited.returncode == 0 and not reused

    # A CRD edit that makes the shown values invalid.
    crd = site / "crds" / "appstore.eda.nokia.com_registries.yaml"
    text = crd.read_text()
    old = "description: Skip TLS Verification on connection\n                type: boolean"
    assert old in text
    crd.write_text(text.replace(old, old.replace("boolean", "string")))
    narrowed, reused = build(site, "--strict")
    assert narrowed.returncode != 0 and not reused
    assert "examples/registry.yaml:8:" in narrowed.stderr and "[schema.type]" in narrowed.stderr


def test_template_and_cache_changes_render_again(built_site: Path) -> None:
    template = built_site / "templates" / "resources" / "registry.yaml.j2"
    template.write_text(template.read_text().replace("your-registry", "renamed-registry"))
    result, reused = build(built_site, "--strict")
    assert result.returncode == 0 and not reused
    assert "renamed-registry" in (built_site / "site" / "resources" / "registry.yaml").read_text()

    # Someone deletes (or edits) a rendered file in the cache: rendered again, not trusted.
    cached = built_site / ".cache" / "appreg" / "snippets" / "docs" / "resources" / "registry.yaml"
    cached.unlink()
    result, reused = build(built_site, "--strict")
    assert result.returncode == 0 and not reused
    assert "renamed-registry" in cached.read_text()

    # A new partial in templates/ counts, even unused: the template tree is the input.
    (built_site / "templates" / "_unused.yaml.j2").write_text("# nothing\n")
    assert build(built_site, "--strict")[1] is False


@pytest.mark.parametrize(
    "content",
    ["{", "[]", '{"format": 1}', '{"format": 99}', "\x00\xff", '{"format": 1, "environment": 5}'],
)
def test_a_corrupt_record_is_ignored_and_replaced(built_site: Path, content: str) -> None:
    write_sealed(built_site / ".cache" / "appreg" / RECORD_FILE, content)
    result, reused = build(built_site, "--strict")
    assert result.returncode == 0 and not reused, result.stderr
    assert load_record(built_site / ".cache" / "appreg") is not None


def test_reuse_can_be_turned_off(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p", options={"reuse_results": False})
    for _ in range(2):
        result, reused = build(site, "--strict")
        assert result.returncode == 0 and not reused, result.stderr


def test_record_with_tampered_findings_is_refused(built_site: Path) -> None:
    # A finding with an unknown field (or a wrong type) makes the whole record untrusted.
    path = built_site / ".cache" / "appreg" / RECORD_FILE
    data = json.loads(read_sealed(path))
    data["findings"] = [{"file": "x", "line": 1, "column": 1, "rule": "r", "message": "m", "evil": 1}]
    write_sealed(path, json.dumps(data))
    assert load_record(built_site / ".cache" / "appreg") is None


def test_a_reused_check_takes_the_rendered_files_digests_from_the_record(site: Path) -> None:
    # The includes of rendered files are compared with the digest the record keeps for each
    # (not a second hash of 400 texts): one that does not match means checking again.
    assert build(site, "--strict")[0].returncode == 0
    path = site / ".cache" / "appreg" / RECORD_FILE
    data = json.loads(read_sealed(path))
    assert all(
        item["digest"] == hashlib.sha256(item["text"].encode()).hexdigest() for item in data["rendered"]
    )
    assert build(site, "--strict")[1]
    for item in data["rendered"]:
        item["digest"] = "0" * 64
    write_sealed(path, json.dumps(data))
    result, reused = build(site, "--strict")
    assert result.returncode == 0 and not reused, result.stderr
    assert build(site, "--strict")[1]


REUSED_BUILD = """
import json, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
config = load_config("mkdocs.yml")
config.plugins.on_startup(command="build", dirty=False)
build(config)
print(json.dumps({"reused": config.plugins["appreg"].reused_check,
                  "modules": sorted(m for m in sys.modules if m.startswith("mkdocs_appreg"))}))
"""


def test_a_reused_build_imports_neither_the_checker_nor_the_validator(built_site: Path) -> None:
    # What makes reuse cheap: the pipeline's modules are never imported. No timing measured.
    done = subprocess.run(
        [sys.executable, "-c", REUSED_BUILD], cwd=built_site, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["reused"] is True
    pipeline = {"check", "extract", "validate", "schemas", "documents", "crdcache", "references", "policies"}
    # Nor the renderer: the rendered files are rebuilt from the record (rendering/rendered.py).
    pipeline |= {"render", "sandbox", "linemap", "filters"}
    assert not {m.rsplit(".", 1)[-1] for m in report["modules"]} & pipeline, report["modules"]


def test_load_refuses_deep_or_oversized_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdocs_appreg.plugin.buildrecord as buildrecord

    write_sealed(tmp_path / RECORD_FILE, "[" * 100_000)  # json.loads: RecursionError
    assert load_record(tmp_path) is None
    monkeypatch.setattr(buildrecord, "MAX_RECORD_BYTES", 1024)
    write_sealed(tmp_path / RECORD_FILE, '{"format": 1, "environment": "' + "x" * 4096 + '"}')
    assert load_record(tmp_path) is None


def test_a_fifo_or_device_among_the_inputs_neither_blocks_nor_is_read(site: Path) -> None:
    # Opening a FIFO for reading blocks until a writer comes; /dev/zero never ends.
    os.mkfifo(site / "templates" / "notes.fifo")
    (site / "templates" / "zero").symlink_to("/dev/zero")
    first, reused = build(site, "--strict")
    assert first.returncode == 0 and not reused, first.stderr
    again, reused = build(site, "--strict")
    assert again.returncode == 0 and reused, again.stderr
    assert (
        digest(site / "templates" / "zero")
        == digest(Path("/dev/zero"))
        != digest(site / "templates" / "notes.fifo")
    )


def test_a_reused_build_leaves_the_record_untouched(built_site: Path) -> None:
    record = built_site / ".cache" / "appreg" / RECORD_FILE
    before = (record.stat().st_mtime_ns, record.stat().st_ino, record.read_bytes())
    result, reused = build(built_site, "--strict")
    assert result.returncode == 0 and reused
    assert (record.stat().st_mtime_ns, record.stat().st_ino, record.read_bytes()) == before


def test_rendered_files_come_back_equal_with_or_without_an_include(tmp_path: Path) -> None:
    # The record leaves out origins that only repeat the template's own lines; an included
    # partial's lines keep theirs. Either way the reused Rendered equals the one rendered.
    from mkdocs_appreg.rendering.render import TemplateRenderer
    from mkdocs_appreg.site.project import ProjectSettings, cache_root, write_cache

    templates = tmp_path / "templates"
    (templates / "r").mkdir(parents=True)
    (templates / "_part.j2").write_text("b: 2\nc: 3\n")
    (templates / "r" / "own.yaml.j2").write_text("a: {{ x }}\nb: 2\n")
    (templates / "r" / "incl.yaml.j2").write_text("a: 1\n{% include '_part.j2' %}d: 4\n")
    (tmp_path / "docs").mkdir()
    settings = ProjectSettings(tmp_path, tmp_path / "docs", templates, tmp_path / ".cache" / "appreg")
    rendered = TemplateRenderer(templates, {"x": 1}, display_root=tmp_path).render_all().rendered
    write_cache(settings, rendered)
    record = BuildRecord("environment", {}).with_rendered(rendered)
    stored = {item["docs_path"]: item["origins"] for item in record.rendered}
    assert stored["r/own.yaml"] == []
    assert ["templates/_part.j2", 1] in stored["r/incl.yaml"]
    key = machine_key(tmp_path)
    record.save(cache_root(settings), key)
    loaded = BuildRecord.load(cache_root(settings), key)
    assert loaded is not None
    assert loaded.rendered_files(settings) == rendered
