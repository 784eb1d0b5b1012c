"""Encodings: non-UTF-8 bytes, a BOM, CRLF, tabs in indentation, NUL bytes.

kubectl reads UTF-8 (a leading BOM is skipped), accepts CRLF, and refuses tabs in indentation
and control characters. Each case is either handled with positions still right, or a finding
whose line and column point at the offending character.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import appreg, bounded

from mkdocs_appreg.common.errors import CrdError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.engine.validate import validate_text
from mkdocs_appreg.rendering.render import Rendered, TemplateRenderer
from mkdocs_appreg.rendering.varsfile import load_vars_file
from mkdocs_appreg.site.project import validate_rendered

BAD_NAME = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: Bad_Name\n"
REGISTRY_CRD = (
    Path(__file__).resolve().parents[2] / "mkdocs_appreg" / "crds" / "appstore.eda.nokia.com_registries.yaml"
)


def located(text: str) -> list[tuple[int, int, str]]:
    findings, _ = validate_text(text, "x.yaml", SchemaRegistry.builtin())
    return [(f.line, f.column, f.rule) for f in findings]


# --- examples ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        BAD_NAME,
        "\ufeff" + BAD_NAME,
        BAD_NAME.replace("\n", "\r\n"),
        "\ufeff" + BAD_NAME.replace("\n", "\r\n"),
    ],
    ids=["lf", "bom", "crlf", "bom-crlf"],
)
def test_bom_and_crlf_keep_positions(text: str) -> None:
    assert bounded(located, text) == [(4, 3, "meta.name")]


def test_a_tab_in_indentation_is_a_finding_at_the_tab() -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n\tname: s\n"
    assert bounded(located, text) == [(4, 1, "yaml.syntax")]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("apiVersion: v1\nkind: Sec\x00ret\n", (2, 10)),
        ("apiVersion: v1\r\nkind: Secret\r\nmetadata: {name: \x00}\r\n", (3, 18)),
        ("\x00", (1, 1)),
        ("apiVersion: v1\nkind: Secret\x07\n", (2, 13)),
    ],
    ids=["nul", "nul-crlf", "only-nul", "bell"],
)
def test_control_characters_are_findings_at_their_position(text: str, position: tuple[int, int]) -> None:
    found = bounded(located, text)
    assert found == [(*position, "yaml.syntax")]


def test_non_utf8_example_is_a_finding_with_its_position(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_bytes(b"apiVersion: v1\nkind: Secr\xe9t\n")
    result = appreg("validate", "x.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(
        "x.yaml:2:11: error [yaml.encoding] not UTF-8: byte 0xe9 at offset 25"
    )


def test_the_cli_reads_a_bom_and_crlf_example_like_kubectl(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_bytes(b"\xef\xbb\xbf" + BAD_NAME.replace("\n", "\r\n").encode())
    result = appreg("validate", "x.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("x.yaml:4:3: error [meta.name]")


# --- templates --------------------------------------------------------------------------------


def render(root: Path, data: bytes) -> Rendered | Finding:
    templates = root / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "t.yaml.j2").write_bytes(data)
    return bounded(TemplateRenderer(templates, {}, display_root=root).render, "t.yaml.j2")


def test_a_non_utf8_template_is_a_finding_with_its_position(tmp_path: Path) -> None:
    result = render(tmp_path, b"apiVersion: v1\nkind: S\xffcret\n")
    assert isinstance(result, Finding)
    assert (result.file, result.line, result.column, result.rule) == (
        "templates/t.yaml.j2",
        2,
        8,
        "template.encoding",
    )
    assert result.message == "not UTF-8: byte 0xff at offset 22"


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf" + BAD_NAME.encode(), BAD_NAME.replace("\n", "\r\n").encode()],
    ids=["bom", "crlf"],
)
def test_template_bom_and_crlf_keep_template_lines(tmp_path: Path, data: bytes) -> None:
    result = render(tmp_path, data)
    assert isinstance(result, Rendered)
    assert not result.text.startswith("\ufeff")
    (finding,) = validate_rendered([result], SchemaRegistry.builtin())
    assert (finding.file, finding.line, finding.rule) == ("templates/t.yaml.j2", 4, "meta.name")


def test_a_bom_in_an_included_partial_does_not_land_mid_stream(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_meta.j2").write_bytes(b"\xef\xbb\xbfmetadata:\n  name: s\n")
    result = render(tmp_path, b"apiVersion: v1\nkind: Secret\n{% include '_meta.j2' %}")
    assert isinstance(result, Rendered)
    assert "\ufeff" not in result.text
    assert validate_rendered([result], SchemaRegistry.builtin()) == []


def test_a_nul_in_a_template_is_a_finding_at_the_template_line(tmp_path: Path) -> None:
    result = render(tmp_path, b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\x00\n")
    assert isinstance(result, Rendered)
    (finding,) = validate_rendered([result], SchemaRegistry.builtin())
    assert (finding.file, finding.line, finding.rule) == ("templates/t.yaml.j2", 4, "yaml.syntax")


def test_a_tab_in_a_template_is_a_finding_at_the_template_line(tmp_path: Path) -> None:
    result = render(tmp_path, b"apiVersion: v1\nkind: Secret\nmetadata:\n\tname: s\n")
    assert isinstance(result, Rendered)
    (finding,) = validate_rendered([result], SchemaRegistry.builtin())
    assert (finding.file, finding.line, finding.rule) == ("templates/t.yaml.j2", 4, "yaml.syntax")


# --- CRDs and vars files ----------------------------------------------------------------------


def load_crd(path: Path) -> str:
    try:
        SchemaRegistry.builtin().add_path(path, display=path.name)
    except CrdError as error:
        return str(error)
    return "loaded"


def test_crd_with_bom_and_crlf_loads(tmp_path: Path) -> None:
    text = REGISTRY_CRD.read_text()
    (tmp_path / "crd.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert bounded(load_crd, tmp_path / "crd.yaml") == "loaded"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"kind: \xff\n", "crd.yaml:1: not UTF-8: byte 0xff at offset 6"),
        (b"apiVersion: v1\nkind: \x00\n", "crd.yaml:"),
        (b"apiVersion: v1\nkind:\n\tx: 1\n", "crd.yaml:3: YAML syntax error"),
    ],
    ids=["non-utf8", "nul", "tab"],
)
def test_broken_crd_encodings_are_one_line_errors(tmp_path: Path, data: bytes, message: str) -> None:
    (tmp_path / "crd.yaml").write_bytes(data)
    error = bounded(load_crd, tmp_path / "crd.yaml")
    assert error.startswith(message)
    assert "\n" not in error


def load_vars(path: Path) -> object:
    try:
        return load_vars_file(path, path.name)
    except Exception as error:  # the test asserts which one
        return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfa: 1\r\nb: two\r\n", {"a": 1, "b": "two"}),
        (b"a: 1\nb: \xfe\n", "ConfigError: vars.yaml:2: not UTF-8: byte 0xfe at offset 8"),
        (
            b"a:\n\tb: 1\n",
            "ConfigError: vars.yaml:2: invalid YAML: while scanning for the next token: found character '\\t' "
            "that cannot start any token",
        ),
        (
            b"a: 1\nb: \x00\n",
            "ConfigError: vars.yaml:2: invalid YAML: unacceptable character #x0000: special characters are not allowed",
        ),
    ],
    ids=["bom-crlf", "non-utf8", "tab", "nul"],
)
def test_vars_file_encodings(tmp_path: Path, data: bytes, expected: object) -> None:
    (tmp_path / "vars.yaml").write_bytes(data)
    assert bounded(load_vars, tmp_path / "vars.yaml") == expected


# --- pages ------------------------------------------------------------------------------------


def test_page_examples_with_bom_crlf_nul_and_tabs_are_located(tmp_path: Path) -> None:
    from harness import write_site

    page = (
        "\ufeff# T\r\n\r\n```yaml\r\napiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: Bad_Name\r\n```\r\n"
        "\r\n```yaml\r\napiVersion: v1\r\nkind: Sec\x00ret\r\n```\r\n"
        "\r\n```yaml\r\napiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n\tname: x\r\n```\r\n"
    )
    site = write_site(tmp_path / "site", pages={"index.md": page.encode()})
    result = appreg("check", "--config-file", "mkdocs.yml", cwd=site)
    assert result.returncode == 1, result.stderr
    located = [
        line.split(" [")[0] + " [" + line.split(" [")[1].split("]")[0] + "]"
        for line in result.stdout.splitlines()[:-1]
    ]
    assert located == [
        "docs/index.md:7:3: error [meta.name]",
        "docs/index.md:12:10: error [yaml.syntax]",
        "docs/index.md:19:1: error [yaml.syntax]",
    ]


def test_a_non_utf8_page_is_one_line_with_its_position(tmp_path: Path) -> None:
    from harness import write_site

    site = write_site(tmp_path / "site", pages={"index.md": b"# T\n\xff\n"})
    result = appreg("check", "--config-file", "mkdocs.yml", cwd=site)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["appreg: error: docs/index.md:2: not UTF-8: byte 0xff at offset 4"]
