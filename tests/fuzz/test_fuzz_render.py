"""Property: a template, however broken or hostile, renders or becomes one finding inside it."""

from __future__ import annotations

import pytest
from fuzzing import FUZZ
from hypothesis import given
from hypothesis import strategies as st

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.rendering.render import Rendered, TemplateRenderer

PIECES = st.sampled_from(
    [
        "{{ ",
        " }}",
        "{% ",
        " %}",
        "{# ",
        " #}",
        "for x in items",
        "endfor",
        "if x",
        "endif",
        "include '_p.j2'",
        "include '../x'",
        "import 'x' as y",
        "macro m()",
        "endmacro",
        "set n = 1",
        "x",
        "items",
        "name",
        "undefined_var",
        ".__class__",
        ".__globals__",
        "|b64encode",
        "|to_yaml",
        "|quote",
        "|required",
        "|center(10**9)",
        " * 10**9",
        "'a'",
        '"b"',
        "(",
        ")",
        "[",
        "]",
        ",",
        "range(10**6)",
        "cycler",
        "lipsum",
        "self",
        "namespace(a=1)",
        "\n",
        "\r\n",
        "  ",
        "\t",
        "key: ",
        "- ",
        "\x00",
        "\ufeff",
        "é",
    ]
)
template_text = st.lists(PIECES, max_size=40).map("".join)


@FUZZ
@given(text=template_text)
def test_render_returns_a_rendering_or_a_finding_inside_the_template(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    root = tmp_path_factory.mktemp("render")
    templates = root / "templates"
    templates.mkdir()
    (templates / "t.yaml.j2").write_text(text, encoding="utf-8")
    (templates / "_p.j2").write_text("p: 1\n")
    renderer = TemplateRenderer(templates, {"items": [1, 2], "name": "n"}, display_root=root)
    result = renderer.render("t.yaml.j2")
    if isinstance(result, Rendered):
        assert len(result.line_map) == len(result.origins)
        assert all(1 <= line <= max(1, text.count("\n") + 1) for line in result.line_map)
        return
    assert isinstance(result, Finding)
    assert result.rule.startswith("template.")
    shown_lines = (
        (text.replace("\r\n", "\n").count("\n") + 1) if result.file == "templates/t.yaml.j2" else 10**6
    )
    assert 1 <= result.line <= shown_lines, result
    assert result.column >= 1
