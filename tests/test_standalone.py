"""The Markdown extension doing the whole job when no MkDocs plugin runs (Zensical), and the host configs.

A real Zensical build runs in `.ci/hosts` (it is installed from PyPI there, not here); these tests
drive the same code through Python-Markdown, with Zensical's page context imitated where it matters
(a preprocessor named `rendering_context` holding `page.path` and the parsed configuration).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from markdown.preprocessors import Preprocessor

from mkdocs_appreg.cli import main
from mkdocs_appreg.markdown import standalone
from mkdocs_appreg.markdown.standalone import BuildFailure, forget_projects
from mkdocs_appreg.plugin.config import AppregConfig
from mkdocs_appreg.site.options import PLUGIN_ONLY_OPTIONS, PROJECT_OPTIONS

REPO = Path(__file__).resolve().parent.parent

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: demo
  namespace: {{ ns }}
type: Opaque
stringData:
  note: hello
"""

PAGE = """\
# Demo

/// resource | docs/res/secret.yaml
///
"""


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The extension keeps each project's state per process (Zensical's serve keeps one process),
    # and looks at its inputs again at most once a second: here, at every page.
    monkeypatch.setattr(standalone, "REWALK_SECONDS", 0.0)
    forget_projects()
    yield
    forget_projects()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "templates" / "res").mkdir(parents=True)
    (tmp_path / "templates" / "res" / "secret.yaml.j2").write_text(SECRET, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(PAGE, encoding="utf-8")
    # Snippets and the extension resolve relative base paths against the current directory.
    monkeypatch.chdir(tmp_path)
    return tmp_path


class _HostContext(Preprocessor):  # type: ignore[misc]
    """Zensical's `ContextPreprocessor`, as far as the extension reads it."""

    class _Page:
        def __init__(self, path: str) -> None:
            self.path = path

    def __init__(self, md: markdown.Markdown, page: str, config: dict[str, Any]) -> None:
        super().__init__(md)
        self.page = self._Page(page)
        self.config = config

    def run(self, lines: list[str]) -> list[str]:
        return lines


def convert(text: str, *, host: dict[str, Any] | None = None, page: str = "index.md", **appreg: Any) -> str:
    md = markdown.Markdown(
        extensions=["appreg", "pymdownx.snippets", "pymdownx.superfences", "pymdownx.blocks.tab"],
        extension_configs={"appreg": appreg, "pymdownx.blocks.tab": {"alternate_style": True}},
    )
    if host is not None:
        md.preprocessors.register(_HostContext(md, page, host), "rendering_context", 0)
    return str(md.convert(text))


def test_project_option_names_and_defaults_are_the_plugin_ones() -> None:
    plugin = AppregConfig()
    plugin.load_dict({})
    plugin.validate()
    assert set(PROJECT_OPTIONS) | set(PLUGIN_ONLY_OPTIONS) == set(plugin.keys())
    for name, (_, default) in PROJECT_OPTIONS.items():
        assert plugin[name] == default, name


def test_standalone_renders_expands_and_includes(project: Path) -> None:
    html = convert(PAGE, standalone=True, vars={"ns": "demo-ns"})
    assert "YAML Resource" in html and "<code>kubectl apply</code> command" in html
    assert "&lt;&lt;&#x27;EOF&#x27;" in html or "&lt;&lt;'EOF'" in html
    assert "demo-ns" in html  # the rendered file, included by snippets from the cache
    assert (project / ".cache/appreg/snippets/docs/res/secret.yaml").is_file()
    assert not (project / "docs/res").exists()  # nothing written into docs/


def test_under_a_host_context_standalone_is_automatic(project: Path) -> None:
    html = convert(PAGE, host={"root_dir": str(project), "docs_dir": "docs"}, vars={"ns": "x"})
    assert "<code>kubectl apply</code> command" in html


def test_without_a_host_or_the_option_only_the_directive_runs(project: Path) -> None:
    # Plain Python-Markdown, as before: no rendering, so the file is not found.
    with pytest.raises(Exception, match="was not found in any snippet base path"):
        convert(PAGE)
    assert not (project / ".cache").exists()


def test_the_plugin_configured_extension_does_no_standalone_work(project: Path) -> None:
    # `standalone: false` is what the MkDocs plugin passes: even under a host context, nothing
    # is rendered or checked by the extension.
    errors: list[Exception] = []
    convert(PAGE, host={"root_dir": str(project)}, standalone=False, on_error=errors.append)
    assert len(errors) == 1 and "was not found" in str(errors[0])
    assert not (project / ".cache").exists()


def test_a_template_that_does_not_render_fails_naming_its_line(project: Path) -> None:
    with pytest.raises(BuildFailure, match=r"templates/res/secret\.yaml\.j2:5:\d+: .*'ns' is undefined"):
        convert(PAGE, standalone=True)


def test_an_error_in_a_rendered_resource_fails_at_the_template_line(project: Path) -> None:
    broken = SECRET.replace("type: Opaque", "type: Opaque\ndata:\n  token: not base64!")
    (project / "templates/res/secret.yaml.j2").write_text(broken, encoding="utf-8")
    with pytest.raises(BuildFailure, match=r"templates/res/secret\.yaml\.j2:8:\d+: \[secret\.base64\]"):
        convert(PAGE, standalone=True, vars={"ns": "demo"})


def test_an_edited_template_is_rendered_and_checked_again(project: Path) -> None:
    convert(PAGE, standalone=True, vars={"ns": "demo"})
    template = project / "templates/res/secret.yaml.j2"
    template.write_text(SECRET.replace("{{ ns }}", "{{ missing }}"), encoding="utf-8")
    with pytest.raises(BuildFailure, match="missing"):
        convert(PAGE, standalone=True, vars={"ns": "demo"})


def test_inputs_are_walked_at_most_once_per_interval(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walks: list[Path] = []
    real = standalone._stat_walk

    def counted(path: Path) -> list[tuple[str, int, int]]:
        walks.append(path)
        return real(path)

    monkeypatch.setattr(standalone, "_stat_walk", counted)
    monkeypatch.setattr(standalone, "REWALK_SECONDS", 3600.0)
    for _ in range(5):
        convert(PAGE, standalone=True, vars={"ns": "demo"})
    assert walks == [project / "templates", project / "docs"]  # the first page only
    monkeypatch.setattr(standalone, "REWALK_SECONDS", 0.0)
    convert(PAGE, standalone=True, vars={"ns": "demo"})
    assert len(walks) == 4


def test_warnings_are_logged_once_and_fail_only_with_fail_on_warning(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    page = PAGE + "\n```yaml\napiVersion: example.com/v1\nkind: Unknown\nmetadata:\n  name: x\n```\n"
    (project / "docs/index.md").write_text(page, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="mkdocs_appreg"):
        convert(page, standalone=True, vars={"ns": "demo"})
        convert(page, standalone=True, vars={"ns": "demo"})
    warnings = [r.getMessage() for r in caplog.records if "schema.missing" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("docs/index.md:")
    with pytest.raises(
        BuildFailure, match=r"warnings fail too.*\n.*docs/index\.md:\d+:\d+: \[schema\.missing\]"
    ):
        convert(page, standalone=True, fail_on="warning", vars={"ns": "demo"})
    forget_projects()
    # Zensical's `strict: true` in its configuration counts too.
    with pytest.raises(BuildFailure, match=r"schema\.missing"):
        convert(page, host={"root_dir": str(project), "strict": True}, vars={"ns": "demo"})


def test_a_directive_error_names_the_page_and_its_line_below_front_matter(project: Path) -> None:
    source = "---\ntitle: Demo\n---\n# Demo\n\n/// resource | docs/res/nothing.yaml\n///\n"
    (project / "docs/index.md").write_text(source, encoding="utf-8")
    # Zensical strips the front matter before Python sees the page.
    stripped = source.split("---\n", 2)[2]
    # The site check reports the directive first (check and build agree: `directive.invalid`),
    # at the line of the page file, front matter included.
    with pytest.raises(
        BuildFailure,
        match=r"docs/index\.md:6:1: \[directive\.invalid\]: `docs/res/nothing\.yaml` was not found",
    ):
        convert(stripped, host={"root_dir": str(project), "docs_dir": "docs"}, vars={"ns": "x"})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"publish": False}, "works only with the MkDocs plugin"),
        ({"validaton": False}, "unknown option `validaton`"),
        ({"crds": "x.yaml"}, "'crds' must be list"),
        ({"kubernetes_version": 1.3}, "write the version as a string"),
        ({"kubernetes_version": 1.3}, "'1.30'"),
        ({"templates_dir": "../elsewhere"}, "resolves outside the project"),
        ({"standalone": "maybe"}, "must be true, false or auto"),
        ({"fail_on": "info"}, "'fail_on' must be 'error' or 'warning'"),
    ],
)
def test_bad_options_stop_with_one_line(project: Path, options: dict[str, Any], message: str) -> None:
    with pytest.raises(Exception, match=message):
        convert(PAGE, **{"standalone": True, **options})


def test_enabled_false_leaves_only_the_directive(project: Path) -> None:
    with pytest.raises(Exception, match="was not found"):
        convert(PAGE, standalone=True, enabled=False)
    assert not (project / ".cache").exists()


# --- the project's two host configurations ---------------------------------------------------


def _toml(path: Path) -> dict[str, Any]:
    import tomllib

    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return data


def _extensions(value: Any) -> dict[str, Any]:
    """`markdown_extensions` as {dotted name: options}, from mkdocs.yml's list or Zensical's tables."""
    found: dict[str, Any] = {}
    if isinstance(value, list):
        for entry in value:
            name, options = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
            found[name] = options or {}
        return found
    for name, options in value.items():
        nested = name in ("pymdownx", "blocks") and isinstance(options, dict)
        if nested:
            found.update({f"{name}.{key}": sub for key, sub in _extensions(options).items()})
        else:
            found[name] = options or {}
    return found


def test_zensical_toml_and_mkdocs_yml_describe_the_same_site() -> None:
    mkdocs = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    zensical = _toml(REPO / "zensical.toml")
    for key in ("site_name", "site_description", "nav"):
        assert zensical[key] == mkdocs[key], key
    assert zensical["theme"]["features"] == mkdocs["theme"]["features"]
    plugin = next(p["appreg"] for p in mkdocs["plugins"] if isinstance(p, dict) and "appreg" in p)
    extensions = _extensions(zensical["markdown_extensions"])
    assert extensions.pop("appreg") == plugin
    assert extensions == _extensions(mkdocs["markdown_extensions"])
    # Zensical converts every page again when a template changes only if it watches them.
    assert "templates" in zensical["watch"]


def test_every_page_is_in_both_navs() -> None:
    def pages(nav: Any) -> set[str]:
        if isinstance(nav, str):
            return {nav}
        if isinstance(nav, list):
            return set().union(*(pages(item) for item in nav))
        return set().union(*(pages(item) for item in nav.values()))

    docs = {p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*.md")}
    assert pages(_toml(REPO / "zensical.toml")["nav"]) == docs


# --- appreg check on a zensical.toml ---------------------------------------------------------


@pytest.fixture
def zensical_site(tmp_path: Path) -> Path:
    target = tmp_path / "site-src"
    target.mkdir()
    shutil.copy2(REPO / "zensical.toml", target / "zensical.toml")
    shutil.copytree(REPO / "docs", target / "docs")
    shutil.copytree(REPO / "templates", target / "templates")
    _toml(target / "zensical.toml")  # skips on Python 3.10
    return target


def test_check_reads_zensical_toml(zensical_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "-f", str(zensical_site / "zensical.toml")]) == 0
    template = zensical_site / "templates/development/resources/registry.yaml.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace("skipTLSVerify: false", "skipTLSVerify: {true|false}"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["check", "-f", str(zensical_site / "zensical.toml")]) == 1
    assert (
        "templates/development/resources/registry.yaml.j2:9:3: error [schema.type]" in capsys.readouterr().out
    )


def test_check_refuses_a_zensical_toml_without_the_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "zensical.toml"
    config.write_text('[project]\nsite_name = "x"\n', encoding="utf-8")
    _toml(config)
    assert main(["check", "-f", str(config)]) == 2
    assert "appreg Markdown extension is not listed" in capsys.readouterr().err


def test_check_reads_an_mkdocs_yml_with_the_extension_and_no_plugin(
    site_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = yaml.safe_load((site_copy / "mkdocs.yml").read_text(encoding="utf-8"))
    options = next(p["appreg"] for p in config["plugins"] if isinstance(p, dict) and "appreg" in p)
    config["plugins"] = ["search"]
    config["markdown_extensions"].append({"appreg": options})
    (site_copy / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert main(["check", "-f", str(site_copy / "mkdocs.yml")]) == 0, capsys.readouterr()


def test_a_page_linked_out_of_the_project_is_refused(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text("```yaml\napiVersion: v1\nkind: Secret\n```\n", encoding="utf-8")
    (project / "docs/leak.md").symlink_to(outside)
    with pytest.raises(
        BuildFailure, match=r"docs/leak\.md: the page is a symlink that leads out of the project"
    ):
        convert(PAGE, standalone=True, vars={"ns": "demo"})


def test_render_reads_zensical_toml(
    zensical_site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What the Hosts page suggests for publishing under Zensical: render into a folder first.
    out = tmp_path / "out"
    assert main(["render", "-f", str(zensical_site / "zensical.toml"), "--out", str(out)]) == 0
    assert (out / "development/resources/registry.yaml").read_text(encoding="utf-8").startswith("apiVersion:")
