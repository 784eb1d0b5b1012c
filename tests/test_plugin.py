"""Real `mkdocs build` runs of small sites in temp dirs: the plugin end to end."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from mkdocs.livereload import LiveReloadServer

from conftest import ProjectBuild, run_mkdocs, run_mkdocs_process, tree_digest
from mkdocs_appreg.plugin.plugin import AppregPlugin

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: {{ secret_name }}
  namespace: {{ namespace }}
  labels:
    eda.nokia.com/backup: "true"
type: Opaque
data:
  username: {{ username | b64encode }}
"""

REGISTRY = """\
apiVersion: appstore.eda.nokia.com/v1
kind: Registry
metadata:
  name: your-registry
  namespace: {{ namespace }}
spec:
  remoteURL: https://registry.example.com
  authSecretRef: {{ secret_name }}
  skipTLSVerify: {{ skip }}
"""

PAGE = """\
# Registry

/// resource | docs/resources/secret.yaml
///

Then:

/// resource | docs/resources/registry.yaml
///
"""

VARS = {"namespace": "eda-system", "secret_name": "your-creds", "username": "admin", "skip": "false"}


def make_site(
    root: Path,
    *,
    templates: dict[str, str] | None = None,
    pages: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    extensions: list[Any] | None = None,
) -> Path:
    templates = (
        {"resources/secret.yaml.j2": SECRET, "resources/registry.yaml.j2": REGISTRY}
        if templates is None
        else templates
    )
    pages = {"index.md": PAGE} if pages is None else pages
    plugin_options: dict[str, Any] = {"vars": dict(VARS)}
    plugin_options.update(options or {})
    config = {
        "site_name": "test",
        # The directive's tabs need a theme that styles them; the plugin warns otherwise.
        "theme": {"name": "material"},
        "markdown_extensions": extensions
        if extensions is not None
        else [
            {"pymdownx.snippets": {"check_paths": True}},
            "pymdownx.superfences",
            {"pymdownx.blocks.tab": {"alternate_style": True}},
            "pymdownx.blocks.admonition",
        ],
        "plugins": [{"appreg": plugin_options}],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    for name, text in templates.items():
        path = root / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "templates").mkdir(exist_ok=True)
    for name, text in pages.items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_build_renders_expands_validates_and_publishes(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    before = tree_digest(site / "docs")
    result = run_mkdocs(site, "--strict")
    assert result.returncode == 0, result.stderr
    html = (site / "site" / "index.html").read_text()
    assert html.count('class="tabbed-set') == 2
    assert html.count(">YAML Resource</label>") == 2
    assert html.count("><code>kubectl apply</code> command</label>") == 2
    assert "&lt;&lt;&#39;EOF&#39;" in html or "&lt;&lt;'EOF'" in html
    assert "YWRtaW4=" in html  # b64encode("admin") included through snippets
    published = site / "site" / "resources" / "registry.yaml"
    assert "authSecretRef: your-creds" in published.read_text()
    assert (site / "site" / "resources" / "secret.yaml").is_file()
    assert tree_digest(site / "docs") == before
    # Rendered files live in the cache, never in docs/.
    assert (site / ".cache" / "appreg" / "snippets" / "docs" / "resources" / "registry.yaml").is_file()
    assert not (site / "docs" / "resources").exists()


def test_undefined_variable_stops_the_build_at_the_template_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p", options={"vars": {k: v for k, v in VARS.items() if k != "skip"}})
    result = run_mkdocs(site)
    assert result.returncode != 0
    assert "templates/resources/registry.yaml.j2:9:" in result.stderr
    assert "'skip' is undefined" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_resource_fails_strict_with_the_template_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p", options={"vars": {**VARS, "skip": "{true|false}"}})
    strict = run_mkdocs(site, "--strict")
    assert strict.returncode != 0
    assert re.search(
        r"templates/resources/registry\.yaml\.j2:9:3: \[schema\.type\] Registry/your-registry "
        r"/spec/skipTLSVerify: .*boolean",
        strict.stderr,
    ), strict.stderr
    relaxed = run_mkdocs(site)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "[schema.type]" in relaxed.stderr


@pytest.mark.parametrize("strict", [True, False])
def test_a_real_mkdocs_process_builds_what_the_in_process_runner_does(tmp_path: Path, strict: bool) -> None:
    # Every other build in the suite runs in the test process (run_mkdocs); one real process must
    # agree with it: exit status, every log line but the timing, and the site byte for byte.
    args = ("--strict",) if strict else ()
    results, sites = [], []
    for name, runner in (("process", run_mkdocs_process), ("in-process", run_mkdocs)):
        site = make_site(tmp_path / name, options={"vars": {**VARS, "skip": "{true|false}"}})
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # pages carry the build date otherwise
            # Material's end-of-life banner is printed once per process: not the plugin's output.
            patch.setenv("NO_MKDOCS_2_WARNING", "1")
            result = runner(site, *args)
        timing = re.compile(r"(Documentation built|Aborted with \d+ warnings) in [\d.]+ seconds")
        lines = [timing.sub(r"\1 in N seconds", line) for line in result.stderr.splitlines()]
        results.append(
            (result.returncode, result.stdout, [line.replace(str(site), "SITE") for line in lines])
        )
        sites.append(tree_digest(site / "site") if (site / "site").is_dir() else {})
    assert results[0] == results[1]
    assert sites[0] == sites[1]
    assert (results[0][0] != 0) is strict and any("[schema.type]" in line for line in results[0][2])


def test_rendered_output_wins_over_a_stale_copy_in_docs(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p", pages={"index.md": PAGE, "resources/registry.yaml": "stale: true\n"})
    result = run_mkdocs(site, "--strict")
    assert result.returncode == 0, result.stderr
    html = (site / "site" / "index.html").read_text()
    assert "stale" not in html
    assert "stale" not in (site / "site" / "resources" / "registry.yaml").read_text()
    assert (site / "docs" / "resources" / "registry.yaml").read_text() == "stale: true\n"


def test_directive_naming_a_missing_file_names_page_and_line(tmp_path: Path) -> None:
    page = "# x\n\ntext\n\n/// resource | docs/resources/nope.yaml\n///\n"
    site = make_site(tmp_path / "p", pages={"guide/page.md": page})
    result = run_mkdocs(site)
    assert result.returncode != 0
    assert "docs/guide/page.md:5:" in result.stderr
    assert "Traceback" not in result.stderr


def test_user_listed_extension_keeps_its_options(tmp_path: Path) -> None:
    extensions = [
        {"pymdownx.snippets": {"check_paths": True}},
        "pymdownx.superfences",
        {"pymdownx.blocks.tab": {"alternate_style": True}},
        {"appreg": {"yaml_label": "Manifest"}},
    ]
    site = make_site(tmp_path / "p", extensions=extensions)
    result = run_mkdocs(site, "--strict")
    assert result.returncode == 0, result.stderr
    html = (site / "site" / "index.html").read_text()
    assert html.count(">Manifest</label>") == 2


def test_removed_template_is_removed_from_the_cache(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    assert run_mkdocs(site, "--strict").returncode == 0
    cached = site / ".cache" / "appreg" / "snippets" / "docs" / "resources" / "registry.yaml"
    assert cached.is_file()
    (site / "templates" / "resources" / "registry.yaml.j2").unlink()
    (site / "docs" / "index.md").write_text(
        "# only the secret\n\n/// resource | docs/resources/secret.yaml\n///\n"
    )
    result = run_mkdocs(site, "--strict")
    assert result.returncode == 0, result.stderr
    assert not cached.exists()
    assert not (site / "site" / "resources" / "registry.yaml").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cache_dir": "docs/generated"}, "cache_dir 'docs/generated' must not overlap docs_dir"),
        ({"templates_dir": "nowhere"}, "templates_dir 'nowhere' does not exist"),
        ({"vars": "oops"}, "vars"),
        ({"crds": ["missing-crds/"]}, "missing-crds"),
    ],
)
def test_broken_configuration_is_one_clean_error(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    site = make_site(tmp_path / "p", options=options)
    result = run_mkdocs(site)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_watches_templates_vars_and_crds(tmp_path: Path) -> None:
    site = make_site(tmp_path / "p")
    (site / "vars.yml").write_text("namespace: eda-system\n")
    crd = Path(__file__).parent.parent / "mkdocs_appreg" / "crds" / "appstore.eda.nokia.com_registries.yaml"
    shutil.copy(crd, site / "registry-crd.yaml")
    from mkdocs.config import load_config

    config = load_config(config_file=str(site / "mkdocs.yml"))
    plugin = config.plugins["appreg"]
    assert isinstance(plugin, AppregPlugin)
    plugin.config.vars_file = "vars.yml"
    plugin.config.crds = ["registry-crd.yaml"]
    plugin.on_startup(command="serve", dirty=False)
    config = plugin.on_config(config) or config
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    plugin.on_serve(server, config=config, builder=lambda: None)
    watched = set(server._watched_paths)
    assert str((site / "templates").resolve()) in watched
    assert str((site / "vars.yml").resolve()) in watched
    assert str((site / "registry-crd.yaml").resolve()) in watched
    assert not any(p.startswith(str(site / "docs")) or ".cache" in p for p in watched)


def test_project_site_builds_strict_with_the_seed_tabs(project_build: ProjectBuild) -> None:
    site_copy, result, before = project_build
    assert result.returncode == 0, result.stderr
    html = (site_copy / "site" / "development" / "custom-registry" / "index.html").read_text()
    assert html.count('class="tabbed-set') == 2
    assert html.count(">YAML Resource</label>") == 2
    assert html.count("><code>kubectl apply</code> command</label>") == 2
    assert "&lt;&lt;&#39;EOF&#39;" in html or "&lt;&lt;'EOF'" in html
    published = site_copy / "site" / "development" / "resources" / "registry.yaml"
    registry = yaml.safe_load(published.read_text())
    assert registry["kind"] == "Registry"
    assert registry["spec"]["skipTLSVerify"] is False
    assert "mirrorUrl" not in html
    assert tree_digest(site_copy / "docs") == before


def test_project_site_fails_strict_when_a_template_is_broken(site_copy: Path) -> None:
    template = site_copy / "templates" / "development" / "resources" / "registry.yaml.j2"
    lines = template.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if "skipTLSVerify" in line)
    lines[number] = re.sub(r"skipTLSVerify:.*", "skipTLSVerify: {true|false}", lines[number])
    template.write_text("".join(lines))
    result = run_mkdocs(site_copy, "--strict")
    assert result.returncode != 0
    expected = f"templates/development/resources/registry.yaml.j2:{number + 1}:"
    assert expected in result.stderr and "[schema.type]" in result.stderr, textwrap.shorten(
        result.stderr, 2000
    )


def test_directive_error_line_counts_front_matter(tmp_path: Path) -> None:
    page = "---\ntitle: With front matter\n---\n\n# x\n\n/// resource | docs/resources/nope.yaml\n///\n"
    site = make_site(tmp_path / "p", pages={"fm.md": page})
    result = run_mkdocs(site)
    assert result.returncode != 0
    assert "docs/fm.md:7:" in result.stderr, result.stderr


COUNTED_BUILD = """
import collections, json
import mkdocs_appreg.pages.snippets as snippets
from mkdocs.commands.build import build
from mkdocs.config import load_config
calls = collections.Counter()
real = snippets.resolve_snippet_path
def counted(path, bases):
    calls[path] += 1
    return real(path, bases)
snippets.resolve_snippet_path = counted
config = load_config("mkdocs.yml", strict=True)
config.plugins.on_startup(command="build", dirty=False)
build(config)
print(json.dumps(calls))
"""


def test_a_build_resolves_each_snippet_path_once(site_copy: Path) -> None:
    # The check (on_files) and the directive (each page) share one resolver per build.
    done = subprocess.run(
        [sys.executable, "-c", COUNTED_BUILD], cwd=site_copy, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    calls = json.loads(done.stdout.strip().splitlines()[-1])
    assert "docs/development/resources/registry.yaml" in calls
    assert {path: n for path, n in calls.items() if n > 1} == {}


READ_COUNTED_BUILD = """
import json
import mkdocs_appreg.markdown.directive as directive
from mkdocs.commands.build import build
from mkdocs.config import load_config
reads = []
real = directive._read
def counted(found, resolved, encoding):
    reads.append(str(resolved))
    return real(found, resolved, encoding)
directive._read = counted
for _ in range(2):  # the first build renders, the second reuses the record
    config = load_config("mkdocs.yml", strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
print(json.dumps(reads))
"""


def test_the_directive_takes_rendered_texts_from_the_plugin_and_reads_other_files(tmp_path: Path) -> None:
    # The plugin hands the directive the texts it rendered (or compared with the cache): a
    # rendered file is never read again to choose its delimiter and fence; a docs file is.
    site = make_site(tmp_path / "site", pages={"index.md": PAGE + "\n/// resource | docs/static.yaml\n///\n"})
    (site / "docs" / "static.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n  namespace: ns\ndata:\n  a: b\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", READ_COUNTED_BUILD], cwd=site, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    reads = json.loads(done.stdout.strip().splitlines()[-1])
    assert reads == [str((site / "docs" / "static.yaml").resolve())] * 2


def test_directive_texts_stand_in_for_the_files(tmp_path: Path) -> None:
    from mkdocs_appreg.common.errors import ConfigError
    from mkdocs_appreg.markdown.directive import ResourceExtension

    (tmp_path / "r.yaml").write_text("a: 1\n")
    texts = {str(tmp_path / "r.yaml"): "EOF\n```\n"}
    md = markdown.Markdown(extensions=[ResourceExtension(base_path=[str(tmp_path)], texts=texts)])
    lines = md.preprocessors["appreg_resource"].run(["/// resource | r.yaml", "///"])
    assert "kubectl apply -f - <<'EOF_1'" in lines and "````yaml" in lines
    with pytest.raises(ConfigError, match="`texts` must be a mapping"):
        ResourceExtension(texts=["r.yaml"])


def test_every_bad_directive_of_the_site_stops_the_build_once(tmp_path: Path) -> None:
    # The check finds them all before any page is read; MkDocs alone would name only the first
    # page's, after a warning of the same directive.
    (tmp_path / "docs").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nmarkdown_extensions:\n  - pymdownx.superfences\n  - pymdownx.snippets\nplugins:\n  - appreg\n",
        encoding="utf-8",
    )
    (tmp_path / "templates/cm.yaml.j2").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n", encoding="utf-8"
    )
    (tmp_path / "docs/index.md").write_text(
        "# A\n\n/// resource | cm.yaml.j2\n    bogus: 1\n///\n", encoding="utf-8"
    )
    (tmp_path / "docs/b.md").write_text(
        "---\ntitle: B\n---\n# B\n\n/// resource | nothing.yaml\n///\n", encoding="utf-8"
    )
    result = run_mkdocs(tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "docs/" in line]
    assert errors == [
        "ERROR   -  docs/b.md:6: `nothing.yaml` was not found in any snippet base path",
        "docs/index.md:4: unknown option `bogus`; allowed: command, kubectl, lang, yaml",
    ], result.stderr
    assert "WARNING" not in result.stderr and "Error reading page" not in result.stderr
