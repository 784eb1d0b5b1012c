"""Tests for rendering/ (render.py, sandbox.py, linemap.py, filters.py, varsfile.py): sandboxed
Jinja rendering, findings, and the output-line -> template-line map.

Line-map expectations are never written down as numbers: fixture lines carry `# @tag` comments
and the expected line is wherever the tag sits in the template source (see
tests/fixtures/render/README.md).
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.rendering import render as render_module
from mkdocs_appreg.rendering.filters import FILTERS, b64decode, b64encode, quote, to_json, to_yaml
from mkdocs_appreg.rendering.render import Rendered, RenderResult, TemplateRenderer
from mkdocs_appreg.rendering.varsfile import load_vars_file

FIXTURES = Path(__file__).parent / "fixtures" / "render"
TEMPLATES = FIXTURES / "templates"
TAG = re.compile(r"# @([\w-]+)")


# --------------------------------------------------------------------------------------------
# helpers


def fixture_vars() -> dict[str, Any]:
    return load_vars_file(FIXTURES / "vars.yaml", "vars.yaml")


def fixture_renderer() -> TemplateRenderer:
    return TemplateRenderer(TEMPLATES, fixture_vars(), display_root=FIXTURES)


def plain_render(templates: Path, name: str, variables: dict[str, Any]) -> str:
    """What stock Jinja renders with the same options, to prove the tracing changes no byte."""
    from jinja2 import FileSystemLoader

    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(templates),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    return env.get_template(name).render(variables)


def tag_locations(templates: Path, display_root: Path) -> dict[str, tuple[str, int]]:
    """tag -> (display path, line) for every `# @tag` in every file under `templates`."""
    found: dict[str, tuple[str, int]] = {}
    for path in sorted(templates.rglob("*")):
        if not path.is_file():
            continue
        display = Path(os.path.relpath(path, display_root)).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            for tag in TAG.findall(line):
                assert tag not in found, f"tag {tag} used twice"
                found[tag] = (display, number)
    return found


def source_line(path: Path, needle: str) -> int:
    """1-based line of the only line of `path` containing `needle`."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def write(root: Path, name: str, text: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def render_one(
    tmp_path: Path, text: str | bytes, variables: dict[str, Any] | None = None
) -> Rendered | Finding:
    templates = tmp_path / "templates"
    write(templates, "t.yaml.j2", text)
    return TemplateRenderer(templates, variables or {}, display_root=tmp_path).render("t.yaml.j2")


def rendered(result: Rendered | Finding) -> Rendered:
    assert isinstance(result, Rendered), result
    return result


def finding(result: Rendered | Finding) -> Finding:
    assert isinstance(result, Finding), result
    return result


def output_lines(result: Rendered) -> list[str]:
    return result.text.split("\n")[: len(result.line_map)]


# --------------------------------------------------------------------------------------------
# names, dependencies, results


def test_names_are_sorted_templates_without_partials() -> None:
    renderer = fixture_renderer()
    expected = sorted(
        p.relative_to(TEMPLATES).as_posix()
        for p in TEMPLATES.rglob("*.j2")
        if not any(part.startswith("_") for part in p.relative_to(TEMPLATES).parts)
    )
    assert renderer.names() == expected
    assert "registry.yaml.j2" in expected and "nested/catalog.yaml.j2" in expected
    assert not any("_" in part[:1] for name in renderer.names() for part in name.split("/"))


def test_names_order_is_posix_sorted_and_skips_hidden_files(tmp_path: Path) -> None:
    for name in ["b.yaml.j2", "a/z.yaml.j2", "A.yaml.j2", "a.yaml.j2", ".#a.yaml.j2", ".git/x.j2", "c.yaml"]:
        write(tmp_path, name, "x: 1\n")
    renderer = TemplateRenderer(tmp_path, {})
    assert renderer.names() == ["A.yaml.j2", "a.yaml.j2", "a/z.yaml.j2", "b.yaml.j2"]
    assert TemplateRenderer(tmp_path, {}, suffix=".yaml").names() == ["c.yaml"]


def test_dependencies_list_every_file_including_partials() -> None:
    deps = fixture_renderer().dependencies()
    assert deps == sorted(p.absolute() for p in TEMPLATES.rglob("*") if p.is_file())
    assert TEMPLATES.absolute() / "_macros.j2" in deps
    assert TEMPLATES.absolute() / "plain.txt" in deps


def test_render_all_renders_in_order_with_paths() -> None:
    renderer = fixture_renderer()
    result = renderer.render_all()
    assert isinstance(result, RenderResult)
    assert result.findings == []
    assert [r.docs_path for r in result.rendered] == [n.removesuffix(".j2") for n in renderer.names()]
    first = result.rendered[0]
    assert first.template == TEMPLATES.absolute() / renderer.names()[0]
    assert first.display == f"templates/{renderer.names()[0]}"
    assert renderer.render_all() == result  # deterministic


def test_output_is_byte_identical_to_stock_jinja() -> None:
    renderer = fixture_renderer()
    variables = fixture_vars()
    for name in renderer.names():
        assert rendered(renderer.render(name)).text == plain_render(TEMPLATES, name, variables)


def test_display_defaults_to_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "site" / "templates", "x.yaml.j2", "a: 1\n")
    monkeypatch.chdir(tmp_path / "site")
    result = rendered(TemplateRenderer(Path("templates"), {}).render("x.yaml.j2"))
    assert result.display == "templates/x.yaml.j2"
    assert result.template.resolve() == (tmp_path / "site" / "templates" / "x.yaml.j2").resolve()


def test_missing_templates_dir_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^nope: templates directory not found$"):
        TemplateRenderer(tmp_path / "nope", {}, display_root=tmp_path)


def test_partial_can_be_rendered_explicitly() -> None:
    result = rendered(fixture_renderer().render("nested/_hidden-helper.yaml.j2"))
    assert result.docs_path == "nested/_hidden-helper.yaml"
    assert "@nested-partial" in result.text


# --------------------------------------------------------------------------------------------
# the line map


def assert_tagged_lines_map_to_their_tags(result: Rendered, tags: dict[str, tuple[str, int]]) -> int:
    """Every output line with a tag maps (origin) to the tag's place; returns how many were checked."""
    checked = 0
    for number, line in enumerate(output_lines(result), 1):
        for tag in TAG.findall(line):
            assert result.origin(number) == tags[tag], (number, line)
            display, template_line = tags[tag]
            if display == result.display:
                assert result.template_line(number) == template_line, (number, line)
            checked += 1
    return checked


def test_every_tagged_line_maps_to_the_line_holding_its_tag() -> None:
    tags = tag_locations(TEMPLATES, FIXTURES)
    renderer = fixture_renderer()
    checked = sum(
        assert_tagged_lines_map_to_their_tags(rendered(renderer.render(n)), tags) for n in renderer.names()
    )
    assert checked >= 35


def test_line_map_length_matches_the_yaml_parser_line_count() -> None:
    renderer = fixture_renderer()
    for name in renderer.names():
        result = rendered(renderer.render(name))
        assert len(result.line_map) == len(result.origins) == result.text.count("\n")
        assert len(result.line_map) == yaml_line_count(result.text)


def test_loop_iterations_map_to_the_loop_body() -> None:
    result = rendered(fixture_renderer().render("registry.yaml.j2"))
    tags = tag_locations(TEMPLATES, FIXTURES)
    names = [n for n, line in enumerate(output_lines(result), 1) if "@loop-name" in line]
    assert len(names) == len(fixture_vars()["registries"]) == 2
    assert {result.template_line(n) for n in names} == {tags["loop-name"][1]}
    assert [result.template_line(n + 1) for n in names] == [tags["loop-url"][1]] * 2


def test_if_branches_and_whitespace_control() -> None:
    template = TEMPLATES / "registry.yaml.j2"
    tags = tag_locations(TEMPLATES, FIXTURES)
    on = rendered(fixture_renderer().render("registry.yaml.j2"))
    assert "@tls-off" not in on.text and "@mirror" not in on.text
    variables = fixture_vars() | {"tls": False, "mirror": "mirror.example.com"}
    off = rendered(TemplateRenderer(TEMPLATES, variables, display_root=FIXTURES).render("registry.yaml.j2"))
    assert "@tls-on" not in off.text
    assert off.text == plain_render(TEMPLATES, "registry.yaml.j2", variables)
    # `{%- if mirror %}` strips the newline before it; the line still maps to the mirror line.
    assert assert_tagged_lines_map_to_their_tags(off, tags) >= 15
    mirror = next(n for n, line in enumerate(output_lines(off), 1) if "@mirror" in line)
    assert off.template_line(mirror) == source_line(template, "mirror: {{ mirror }}")
    inline = next(n for n, line in enumerate(output_lines(off), 1) if "@inline-if" in line)
    assert output_lines(off)[inline - 1].strip() == "inline: off # @inline-if"


def test_multi_line_filter_output_maps_to_the_expression_line() -> None:
    result = rendered(fixture_renderer().render("registry.yaml.j2"))
    expression = source_line(TEMPLATES / "registry.yaml.j2", "to_yaml")
    produced = to_yaml(fixture_vars()["labels"]).split("\n")
    assert len(produced) == 2
    lines = output_lines(result)
    start = lines.index("    " + produced[0]) + 1
    for offset, text in enumerate(produced):
        assert lines[start - 1 + offset].strip() == text.strip()
        assert result.template_line(start + offset) == expression
        assert result.origin(start + offset) == ("templates/registry.yaml.j2", expression)


def test_macro_and_filter_block_output_maps_to_the_call_line() -> None:
    result = rendered(fixture_renderer().render("registry.yaml.j2"))
    lines = output_lines(result)
    call = source_line(TEMPLATES / "registry.yaml.j2", "macros.pair(")
    for key in ("macroKey:", "macroKeyLen:"):
        number = next(n for n, line in enumerate(lines, 1) if line.startswith(key))
        assert result.origin(number) == ("templates/registry.yaml.j2", call)
    filter_tag = source_line(TEMPLATES / "registry.yaml.j2", "{% filter")
    for key in ("  filtered:", "  filtered2:"):
        number = next(n for n, line in enumerate(lines, 1) if line.startswith(key))
        assert result.template_line(number) == filter_tag


def test_include_lines_map_to_the_partial_and_to_the_include_statement() -> None:
    result = rendered(fixture_renderer().render("secret.yaml.j2"))
    tags = tag_locations(TEMPLATES, FIXTURES)
    lines = output_lines(result)
    starts = [n for n, line in enumerate(lines, 1) if "@p-api" in line]
    assert len(starts) == 2
    include_lines = [
        n
        for n, line in enumerate((TEMPLATES / "secret.yaml.j2").read_text().split("\n"), 1)
        if "{% include" in line
    ]
    for start, include in zip(starts, include_lines, strict=True):
        for offset in range(7):  # the partial's seven lines
            display, line = result.origin(start + offset)
            assert display == "templates/_partials/secret.j2"
            assert line == offset + 1 == tags[TAG.findall(lines[start - 1 + offset])[0]][1]
            assert result.template_line(start + offset) == include


def test_extends_blocks_map_to_the_child_and_layout_to_the_parent(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(templates, "_base.j2", "head: 1 # @head\n{% block body %}{% endblock %}\nfoot: 2 # @foot\n")
    write(
        templates,
        "child.yaml.j2",
        '{% extends "_base.j2" %}\n{% block body %}\nb1: {{ x }} # @b1\n{% endblock %}\n',
    )
    result = rendered(TemplateRenderer(templates, {"x": 1}, display_root=tmp_path).render("child.yaml.j2"))
    assert result.text == "head: 1 # @head\nb1: 1 # @b1\nfoot: 2 # @foot\n"
    assert assert_tagged_lines_map_to_their_tags(result, tag_locations(templates, tmp_path)) == 3


def test_call_block_and_recursive_loop(tmp_path: Path) -> None:
    text = (
        "{% macro wrap() %}w: {{ caller() }}\n{% endmacro %}\n"
        "{% call wrap() %}inner{% endcall %}\n"
        "{% for node in tree recursive %}\n- {{ node.name }}\n{{ loop(node.children) }}{% endfor %}\n"
    )
    variables = {"tree": [{"name": "a", "children": [{"name": "b", "children": []}]}]}
    result = rendered(render_one(tmp_path, text, variables))
    assert result.text == plain_render(tmp_path / "templates", "t.yaml.j2", variables)
    lines = output_lines(result)
    assert lines[0] == "w: inner"
    assert result.template_line(1) == 3  # the `{% call %}` line
    for name in ("- a", "- b"):
        assert (
            result.template_line(lines.index(name) + 1)
            == text.split("\n").index("{% for node in tree recursive %}") + 1
        )


def test_line_takes_the_origin_of_its_first_non_blank_character(tmp_path: Path) -> None:
    # `{%-` glues line 2's value onto line 1: the line starts with line 1's text, so it is line 1's.
    text = "key:\n{%- if x %} {{ x }}\n{% endif %}next: 1\n"
    result = rendered(render_one(tmp_path, text, {"x": "v"}))
    assert result.text == "key: v\nnext: 1\n"
    assert result.line_map == (1, 3)
    # The indentation comes from line 1, the node itself from line 2 (after a two-line comment).
    text = "  {{ '' }}{# a\n #}{{ x }}\n"
    result = rendered(render_one(tmp_path, text, {"x": "v"}))
    assert result.text == "  v\n"
    assert result.line_map == (2,)


def test_crlf_template_and_line_breaks_inside_values(tmp_path: Path) -> None:
    text = "a: 1\r\nb: {{ v }}\r\nc: 3\r\n"
    value = "x\r\ny\rz\u2028w"
    result = rendered(render_one(tmp_path, text, {"v": value}))
    assert result.text == "a: 1\nb: " + value + "\nc: 3\n"
    # YAML counts \r\n, \r and U+2028 as line breaks: four output lines from line 2.
    assert result.line_map == (1, 2, 2, 2, 2, 3)
    assert len(result.line_map) == yaml_line_count(result.text)


def test_chunk_boundary_between_cr_and_lf_is_one_line_break(tmp_path: Path) -> None:
    result = rendered(render_one(tmp_path, "a: {{ v }}\nb: 2\n", {"v": "1\r"}))
    assert result.text == "a: 1\r\nb: 2\n"
    assert result.line_map == (1, 2)


def test_no_trailing_newline_and_empty_output(tmp_path: Path) -> None:
    result = rendered(render_one(tmp_path, "a: 1\nb: {{ v }}", {"v": 2}))
    assert result.text == "a: 1\nb: 2"
    assert result.line_map == (1, 2)
    empty = rendered(render_one(tmp_path, "{% if false %}x{% endif %}"))
    assert empty.text == "" and empty.line_map == ()
    assert empty.template_line(5) == 1
    assert empty.origin(1) == ("templates/t.yaml.j2", 1)


def test_template_line_and_origin_clamp() -> None:
    result = rendered(fixture_renderer().render("nested/catalog.yaml.j2"))
    last = len(result.line_map)
    assert result.template_line(0) == result.template_line(-3) == result.line_map[0]
    assert result.template_line(last + 10) == result.line_map[-1]
    assert result.origin(last + 1) == result.origin(last)
    assert result.origin(0) == result.origin(1)
    bare = Rendered("x.yaml", Path("/t/x.yaml.j2"), "t/x.yaml.j2", "a\nb\n", (3, 4))
    assert bare.origin(2) == ("t/x.yaml.j2", 4)


# Random templates: each template line is one construct; every literal line carries a tag naming
# its own template line, so the expected origin of an output line is written on it.
LINE_KINDS = (
    "literal",
    "expr",
    "if",
    "for",
    "blank",
    "comment",
    "inline",
    "dash-if",
    "dash-expr",
    "indented-if",
)


def build_template(kinds: list[str]) -> str:
    lines: list[str] = []
    for kind in kinds:
        n = len(lines) + 1
        if kind == "literal":
            lines.append(f"l{n}: x # @t{n}.")
        elif kind == "expr":
            lines.append(f"e{n}: {{{{ value }}}} # @t{n}.")
        elif kind == "if":
            lines += [
                "{% if flag %}",
                f"  i{n + 1}: {{{{ multi | to_yaml | indent(4) }}}} # @t{n + 1}.",
                "{% endif %}",
            ]
        elif kind == "for":
            lines += ["{% for item in items -%}", f"- f{n + 1}: {{{{ item }}}} # @t{n + 1}.", "{% endfor %}"]
        elif kind == "blank":
            lines.append("")
        elif kind == "comment":
            lines += ["{# a comment", "over two lines #}"]
        elif kind == "inline":
            lines.append(f"{{% if flag %}}in{n}{{% endif %}}: {{{{ value }}}} # @t{n}.")
        elif kind == "dash-if":
            lines += ["{%- if flag %}", f"  d{n + 1}: 1 # @t{n + 1}.", "{%- endif %}"]
        elif kind == "dash-expr":
            lines.append(f"{{{{- value }}}} g{n} # @t{n}.")
        else:
            lines += ["    {% if not flag %}", f"  n{n + 1}: {{{{ value }}}} # @t{n + 1}.", "    {% endif %}"]
    return "\n".join(lines) + "\n"


def yaml_line_count(text: str) -> int:
    """Lines as PyYAML's reader counts them (the numbering documents.py reports)."""
    reader = yaml.reader.Reader(text)
    reader.forward(len(text))
    return int(reader.line) + (0 if text == "" or text[-1] in "\r\n\x85\u2028\u2029" else 1)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kinds=st.lists(st.sampled_from(LINE_KINDS), min_size=1, max_size=12),
    flag=st.booleans(),
    items=st.lists(st.sampled_from(["a", "b c", "d:e"]), max_size=3),
)
def test_random_templates_map_every_tag_and_match_stock_jinja(
    tmp_path: Path, kinds: list[str], flag: bool, items: list[str]
) -> None:
    text = build_template(kinds)
    variables = {"flag": flag, "items": items, "value": "v", "multi": {"k1": 1, "k2": [1, 2]}}
    templates = tmp_path / "templates"
    write(templates, "t.yaml.j2", text)
    result = rendered(TemplateRenderer(templates, variables, display_root=tmp_path).render("t.yaml.j2"))
    assert result.text == plain_render(templates, "t.yaml.j2", variables)
    assert len(result.line_map) == yaml_line_count(result.text)
    lines = output_lines(result)
    template_lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        tags = TAG.findall(line)
        mapped = result.template_line(number)
        if tags:
            # `{%-`/`{{-` can glue two template lines into one output line: the line's first
            # non-blank character, and so its origin, is on the first tag's line.
            assert mapped == int(tags[0][1:]), (text, number, line)
        elif line.strip():
            # Only `to_yaml` values span several output lines; the expression's tag is on the last.
            later = next(TAG.findall(x)[0] for x in lines[number:] if TAG.findall(x))
            assert mapped == int(later[1:]), (text, number, line)
        else:
            assert 1 <= mapped <= len(template_lines)


def test_whitespace_control_variants(tmp_path: Path) -> None:
    text = (
        "a: 1 # @t1\n"
        "{% if flag -%}\n"
        "  b: {{ value }} # @t3\n"
        "{%- endif %}\n"
        "\n"
        "c: {{- ' ' ~ value -}} # @t6\n"
        "  {% for x in [1, 2] %}\n"
        "  - {{ x }} # @t8\n"
        "  {% endfor %}\n"
        "end: 1 # @t10\n"
    )
    variables = {"flag": True, "value": "v"}
    result = rendered(render_one(tmp_path, text, variables))
    assert result.text == plain_render(tmp_path / "templates", "t.yaml.j2", variables)
    # `-%}` also eats the next line's indentation: "b" starts in column 1.
    assert result.text == "a: 1 # @t1\nb: v # @t3\nc: v# @t6\n  - 1 # @t8\n  - 2 # @t8\nend: 1 # @t10\n"
    for number, line in enumerate(output_lines(result), 1):
        assert result.template_line(number) == int(TAG.findall(line)[0][1:]), line


# --------------------------------------------------------------------------------------------
# filters


@pytest.mark.parametrize("value", ["admin", "pässwörd", "", "a:b$c`d`", b"\x00\xff"])
def test_b64encode_and_decode_round_trip(value: str | bytes) -> None:
    encoded = b64encode(value)
    raw = value.encode() if isinstance(value, str) else value
    assert base64.b64decode(encoded, validate=True) == raw
    assert len(encoded) % 4 == 0
    if isinstance(value, str):
        assert b64decode(encoded) == value


def test_filter_errors_are_clear() -> None:
    with pytest.raises(TypeError, match="b64encode expects a string or bytes, got int"):
        b64encode(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not valid base64"):
        b64decode("not base64!")
    with pytest.raises(ValueError, match="not UTF-8"):
        b64decode(base64.b64encode(b"\xff").decode())
    with pytest.raises(TypeError, match="quote expects"):
        quote(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [{"b": 1, "a": [1, {"c": "d"}]}, "plain", "multi\nline\n", None, 3, [], {}, "x" * 200, {"k": "yes"}],
)
def test_to_yaml_round_trips_in_block_style_without_end_marker(value: Any) -> None:
    text = to_yaml(value)
    assert yaml.safe_load(text) == value
    assert not text.endswith("\n")
    assert "..." not in text
    assert "{" not in text or value == {}
    if isinstance(value, dict) and value:
        assert list(yaml.safe_load(text)) == list(value)  # key order kept
        assert text.split("\n")[0].startswith(next(iter(value)))
    if value == "x" * 200:
        assert "\n" not in text  # long strings are not folded


@pytest.mark.parametrize(
    "value",
    ["plain", 'say "hi"\\', "tab\tnew\nline", "ünï", "\u2028ls\x85nel\x7f", "ascii\x7fdel", "", "#:- {}"],
)
def test_quote_is_a_yaml_double_quoted_scalar(value: str) -> None:
    quoted = quote(value)
    assert quoted.startswith('"') and quoted.endswith('"')
    assert yaml.safe_load(f"key: {quoted}\n") == {"key": value}
    assert "\n" not in quoted and "\u2028" not in quoted and "\x85" not in quoted and "\x7f" not in quoted


def test_quote_stringifies_scalars() -> None:
    assert yaml.safe_load(quote(42)) == "42"
    assert yaml.safe_load(quote(True)) == "true"
    assert yaml.safe_load(quote(1.5)) == "1.5"


def test_to_json_is_valid_json_and_yaml_without_html_escaping() -> None:
    value = {"b": "<a&'b'>", "a": [1, None, True], "u": "ü\u2029"}
    text = to_json(value)
    assert json.loads(text) == value
    assert yaml.safe_load(text) == value
    assert "<a&'b'>" in text and "\u2029" not in text
    assert list(json.loads(text)) == ["b", "a", "u"]
    assert json.loads(to_json(value, indent=2)) == value and "\n  " in to_json(value, indent=2)


def test_filters_in_templates(tmp_path: Path) -> None:
    text = (
        "a: {{ 'admin' | b64encode }}\n"
        "b: {{ 'YWRtaW4=' | b64decode }}\n"
        "c: {{ pin | quote }}\n"
        "d: {{ obj | to_json }}\n"
        "e:\n  {{ obj | to_yaml | indent(2) }}\n"
        "f: {{ pin | required }}x\n"
    )
    result = rendered(render_one(tmp_path, text, {"pin": "0042", "obj": {"x": [1, "y"]}}))
    assert yaml.safe_load(result.text) == {
        "a": base64.b64encode(b"admin").decode(),
        "b": "admin",
        "c": "0042",
        "d": {"x": [1, "y"]},
        "e": {"x": [1, "y"]},
        "f": "0042x",
    }


def test_required_filter_reports_its_message(tmp_path: Path) -> None:
    text = "a: 1\nb: {{ cfg.url | required('set cfg.url in the vars file') }}\n"
    result = finding(render_one(tmp_path, text, {"cfg": {}}))
    assert (result.rule, result.line, result.message) == (
        "template.undefined",
        2,
        "set cfg.url in the vars file",
    )
    result = finding(render_one(tmp_path, "a: {{ cfg | required }}\n", {}))
    assert (result.rule, result.message) == ("template.undefined", "'cfg' is undefined")
    result = finding(render_one(tmp_path, "a: {{ '' | required }}\n", {}))
    assert result.rule == "template.undefined"


# --------------------------------------------------------------------------------------------
# findings


def test_undefined_variable(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Registry\nspec:\n  url: {{ registry }}\n"
    result = finding(render_one(tmp_path, text))
    assert result == Finding(
        "templates/t.yaml.j2",
        4,
        text.split("\n")[3].index("registry") + 1,
        "template.undefined",
        "'registry' is undefined",
    )


@pytest.mark.parametrize("name", ["namespace", "range", "dict", "lipsum", "cycler", "joiner"])
def test_a_missing_variable_named_like_a_jinja_builtin_is_undefined(tmp_path: Path, name: str) -> None:
    # Jinja defines these functions in every template: without the check, a forgotten
    # `namespace` variable printed `<class 'jinja2.utils.Namespace'>` into the YAML.
    text = f"metadata:\n  name: a\n  namespace: {{{{ {name} }}}}\n"
    result = finding(render_one(tmp_path, text))
    assert (result.file, result.line, result.rule) == ("templates/t.yaml.j2", 3, "template.undefined")
    assert result.column == text.split("\n")[2].index("{{") + 4  # the name inside the tag
    assert result.message.startswith(f"'{name}' is undefined (it names Jinja's built-in {name}()")


def test_jinja_builtins_still_work_as_functions(tmp_path: Path) -> None:
    text = "{% set ns = namespace(x=1) %}\nx: {{ ns.x }}\nn: {{ range(3) | list | length }}\nd: {{ dict(a=1).a }}\n"
    assert rendered(render_one(tmp_path, text)).text == "x: 1\nn: 3\nd: 1\n"


def test_a_variable_shadowing_a_jinja_builtin_wins(tmp_path: Path) -> None:
    text = "namespace: {{ namespace }}\n"
    assert rendered(render_one(tmp_path, text, {"namespace": "eda-system"})).text == "namespace: eda-system\n"


def test_undefined_attribute_column_points_at_the_attribute(tmp_path: Path) -> None:
    text = "url: x\nspec:\n  url: {{ registry.url }}\n"
    result = finding(render_one(tmp_path, text, {"registry": {}}))
    assert (result.rule, result.line) == ("template.undefined", 3)
    assert result.column == text.split("\n")[2].index("url }}") + 1
    assert "url" in result.message


def test_undefined_inside_an_include_reports_the_included_file(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(templates, "_part.j2", "a: 1\nb: {{ missing_var }}\n")
    write(templates, "main.yaml.j2", "x: 1\n{% include '_part.j2' %}\n")
    result = finding(TemplateRenderer(templates, {}, display_root=tmp_path).render("main.yaml.j2"))
    assert (result.file, result.line, result.rule) == ("templates/_part.j2", 2, "template.undefined")


def test_undefined_inside_an_imported_macro_reports_the_macro_file(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(templates, "_m.j2", "{% macro m() %}\nv: {{ nothing }}\n{% endmacro %}\n")
    write(templates, "main.yaml.j2", "{% import '_m.j2' as mm %}\nx: 1\n{{ mm.m() }}\n")
    result = finding(TemplateRenderer(templates, {}, display_root=tmp_path).render("main.yaml.j2"))
    assert (result.file, result.line, result.rule) == ("templates/_m.j2", 2, "template.undefined")


@pytest.mark.parametrize(
    ("text", "bad_line"),
    [
        ("a: 1\nb: {{ x \nc: 3\n", 3),  # the unclosed `{{` runs on into line 3
        ("a: 1\n{% if x %}\nb: 2\n", 3),
        ("a: 1\n\n{% endfor %}\n", 3),
        ("a: {{ x | no_such_filter }}\n", 1),
    ],
)
def test_syntax_error(tmp_path: Path, text: str, bad_line: int) -> None:
    result = finding(render_one(tmp_path, text, {"x": 1}))
    assert (result.file, result.rule, result.column) == ("templates/t.yaml.j2", "template.syntax", 1)
    assert result.line == bad_line, result


def test_syntax_error_in_an_included_file(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(templates, "_bad.j2", "ok: 1\nok: 2\n{% for %}\n")
    write(templates, "main.yaml.j2", "x: 1\n{% include '_bad.j2' %}\n")
    result = finding(TemplateRenderer(templates, {}, display_root=tmp_path).render("main.yaml.j2"))
    assert (result.file, result.line, result.rule) == ("templates/_bad.j2", 3, "template.syntax")


def test_missing_template_and_missing_include(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(templates, "main.yaml.j2", "x: 1\ny: 2\n{% include '_partials/nope.j2' %}\n")
    renderer = TemplateRenderer(templates, {}, display_root=tmp_path)
    result = finding(renderer.render("main.yaml.j2"))
    assert (result.file, result.line, result.rule) == ("templates/main.yaml.j2", 3, "template.missing")
    assert "_partials/nope.j2" in result.message
    result = finding(renderer.render("other/none.yaml.j2"))
    assert (result.file, result.line, result.column, result.rule) == (
        "templates/other/none.yaml.j2",
        1,
        1,
        "template.missing",
    )
    assert finding(renderer.render("../outside.j2")).rule == "template.missing"


def test_symlink_out_of_the_templates_dir_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "secret.txt", "s3cret\n")
    templates = tmp_path / "templates"
    write(templates, "main.yaml.j2", "x: {% include 'leak.j2' %}\n")
    try:
        (templates / "leak.j2").symlink_to(tmp_path / "secret.txt")
    except OSError:
        pytest.skip("symlinks not supported here")
    renderer = TemplateRenderer(templates, {}, display_root=tmp_path)
    result = finding(renderer.render("main.yaml.j2"))
    assert (result.rule, result.line) == ("template.missing", 1)
    assert "outside" in result.message
    assert finding(renderer.render("leak.j2")).rule == "template.missing"


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__",
        "x.__class__",
        "().__class__.__bases__[0].__subclasses__()",
        "x.update({'a': 1})",
    ],
)
def test_sandbox_escape(tmp_path: Path, expression: str) -> None:
    text = f"a: 1\nb: {{{{ {expression} }}}}\n"
    result = finding(render_one(tmp_path, text, {"x": {}}))
    assert (result.file, result.line, result.rule) == ("templates/t.yaml.j2", 2, "template.sandbox")
    assert "unsafe" in result.message
    # The column points at the refused attribute inside the `{{ }}`.
    attribute = re.findall(r"'(\w+)'", result.message)[0]
    assert text.split("\n")[1][result.column - 1 :].startswith(attribute)
    assert result.column > len("b: {{ ")


@pytest.mark.parametrize(
    ("expression", "error"),
    [("1 / 0", "ZeroDivisionError"), ("'a' + 1", "TypeError"), ("'zz' | b64decode", "ValueError")],
)
def test_other_runtime_errors(tmp_path: Path, expression: str, error: str) -> None:
    text = f"a: 1\n\nb: {{{{ {expression} }}}}\n"
    result = finding(render_one(tmp_path, text))
    assert (result.line, result.rule) == (3, "template.error")
    assert result.message.startswith(f"{error}: ")


def test_recursive_include_is_a_finding(tmp_path: Path) -> None:
    result = finding(render_one(tmp_path, "a: 1\n{% include 't.yaml.j2' %}\n"))
    assert result.rule == "template.error"
    assert result.message.startswith("RecursionError")
    assert (result.file, result.line) == ("templates/t.yaml.j2", 2)


def test_non_utf8_template(tmp_path: Path) -> None:
    result = finding(render_one(tmp_path, b"a: 1\nb: caf\xc3\xa9 \xe9t\xe9\n"))
    assert (result.file, result.line, result.column, result.rule) == (
        "templates/t.yaml.j2",
        2,
        9,
        "template.encoding",
    )
    assert "0xe9" in result.message


def test_non_utf8_included_template_reports_the_included_file(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(templates, "_latin1.j2", b"ok: 1\n\xff\n")
    write(templates, "main.yaml.j2", "{% include '_latin1.j2' %}\n")
    result = finding(TemplateRenderer(templates, {}, display_root=tmp_path).render("main.yaml.j2"))
    assert (result.file, result.line, result.column, result.rule) == (
        "templates/_latin1.j2",
        2,
        1,
        "template.encoding",
    )


def test_render_all_collects_findings_and_keeps_going(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(templates, "a.yaml.j2", "a: {{ nope }}\n")
    write(templates, "b.yaml.j2", "b: 1\n")
    write(templates, "c.yaml.j2", "{% if %}\n")
    result = TemplateRenderer(templates, {}, display_root=tmp_path).render_all()
    assert [r.docs_path for r in result.rendered] == ["b.yaml"]
    assert [(f.file, f.rule) for f in result.findings] == [
        ("templates/a.yaml.j2", "template.undefined"),
        ("templates/c.yaml.j2", "template.syntax"),
    ]


def test_templates_cannot_mutate_shared_variables(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write(templates, "a.yaml.j2", "{% set _ = items.append(3) %}a: 1\n")
    write(templates, "b.yaml.j2", "b: {{ items | length }}\n")
    variables = {"items": [1, 2]}
    result = TemplateRenderer(templates, variables, display_root=tmp_path).render_all()
    assert [f.rule for f in result.findings] == ["template.sandbox"]
    assert result.rendered[0].text == "b: 2\n"
    assert variables == {"items": [1, 2]}


def test_edited_template_is_reloaded(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    path = write(templates, "a.yaml.j2", "a: 1\n")
    renderer = TemplateRenderer(templates, {}, display_root=tmp_path)
    assert rendered(renderer.render("a.yaml.j2")).text == "a: 1\n"
    stat = path.stat()
    path.write_text("a: 22\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime, different size
    assert rendered(renderer.render("a.yaml.j2")).text == "a: 22\n"


# --------------------------------------------------------------------------------------------
# vars files


def test_load_vars_file_reads_a_mapping() -> None:
    values = fixture_vars()
    assert values["namespace"] == "eda-system"
    assert values["registries"][1]["name"] == "beta"


def test_load_vars_file_empty_is_empty(tmp_path: Path) -> None:
    assert load_vars_file(write(tmp_path, "v.yaml", "# nothing\n"), "v.yaml") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", r"^v\.yaml:\d+: invalid YAML: "),
        ("- a\n- b\n", r"^v\.yaml:1: a vars file must be a mapping of names to values, not a list$"),
        ("just text\n", r"^v\.yaml:1: a vars file must be a mapping .* not a scalar$"),
        ("a: 1\nb: 2\na: 3\n", r"^v\.yaml:3: invalid YAML: duplicate key 'a' \(first on line 1\)$"),
        ("a: 1\n3: x\n", r"^v\.yaml:2: variable names must be strings$"),
        ("a: 1\n---\nb: 2\n", r"^v\.yaml:\d+: invalid YAML: "),
        ("a: !!python/object:os.system x\n", r"^v\.yaml:1: invalid YAML: "),
        ("a: {b: 1, b: 2}\n", r"^v\.yaml:1: invalid YAML: duplicate key 'b'"),
        # A control character, after non-ASCII text (libyaml counts bytes, PyYAML characters).
        ("name: é\nb: 2\nc: x\x07y\n", r"^v\.yaml:3: invalid YAML: unacceptable character #x0007: "),
    ],
)
def test_load_vars_file_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "v.yaml", text)
    with pytest.raises(ConfigError, match=message) as info:
        load_vars_file(path, "v.yaml")
    assert "\n" not in str(info.value)


def test_load_vars_file_syntax_error_line(tmp_path: Path) -> None:
    path = write(tmp_path, "v.yaml", "a: 1\nb: 2\nc: 'unterminated\n")
    with pytest.raises(ConfigError) as info:
        load_vars_file(path, "v.yaml")
    assert info.value.file == "v.yaml" and info.value.line is not None and info.value.line >= 3


def test_load_vars_file_unreadable_and_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^gone\.yaml: cannot read vars file: "):
        load_vars_file(tmp_path / "gone.yaml", "gone.yaml")
    with pytest.raises(ConfigError, match=r"^d: cannot read vars file: "):
        load_vars_file(tmp_path, "d")
    path = write(tmp_path, "v.yaml", b"a: 1\nb: \xff\n")
    with pytest.raises(ConfigError, match=r"^v\.yaml:2: not UTF-8: byte 0xff at offset 8$"):
        load_vars_file(path, "v.yaml")


def test_public_api_is_exported() -> None:
    assert set(render_module.__all__) >= {"Rendered", "RenderResult", "TemplateRenderer"}
    assert set(FILTERS) == {"b64encode", "b64decode", "to_yaml", "to_json", "quote", "required"}
