"""Hostile templates: sandbox escapes, resource exhaustion, files outside the templates dir.

Each blocked attempt must be one finding naming the template line, returned within the
harness's hard ceiling, never an exception, a hang or an out-of-memory kill.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from harness import bounded

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.limits import MAX_FILE_BYTES, MAX_RENDER_CHARS
from mkdocs_appreg.rendering.render import Rendered, TemplateRenderer


def render(
    root: Path, text: str | bytes, *, name: str = "t.yaml.j2", variables: dict[str, object] | None = None
) -> Rendered | Finding:
    templates = root / "templates"
    templates.mkdir(exist_ok=True)
    target = templates / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text)
    renderer = TemplateRenderer(templates, variables or {}, display_root=root)
    return bounded(renderer.render, name)


def finding(result: Rendered | Finding) -> Finding:
    assert isinstance(result, Finding), f"rendered instead of refused: {result!r}"
    return result


# Line 1 is an innocent header, so the finding must name the payload's line, not the first one.
HEADER = "apiVersion: v1\n"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe."),
        ("{{ cycler.__init__.__globals__ }}", "access to attribute '__init__' of 'type' object is unsafe."),
        (
            "{{ self._TemplateReference__context }}",
            "access to attribute '_TemplateReference__context' of 'TemplateReference' object is unsafe.",
        ),
        ("{{ lipsum.__globals__ }}", "access to attribute '__globals__' of 'function' object is unsafe."),
        ("{{ joiner.__init__.__globals__ }}", "access to attribute '__init__' of 'type' object is unsafe."),
        (
            "{{ namespace.__init__.__globals__ }}",
            "access to attribute '__init__' of 'type' object is unsafe.",
        ),
        ("{{ '{0.__class__}'.format(1) }}", "access to attribute '__class__' of 'int' object is unsafe."),
        (
            "{{ (1).__class__.__subclasses__() }}",
            "access to attribute '__class__' of 'int' object is unsafe.",
        ),
    ],
)
def test_attribute_walks_to_python_internals_are_refused(tmp_path: Path, payload: str, message: str) -> None:
    result = finding(render(tmp_path, f"{HEADER}kind: {payload}\n"))
    assert (result.file, result.line, result.rule, result.message) == (
        "templates/t.yaml.j2",
        2,
        "template.sandbox",
        message,
    )


@pytest.mark.parametrize("name", ["environment", "config", "os", "request", "self.environment"])
def test_no_environment_config_or_os_is_reachable(tmp_path: Path, name: str) -> None:
    result = finding(render(tmp_path, f"{HEADER}kind: {{{{ {name}.x }}}}\n"))
    assert result.line == 2
    assert result.rule in {"template.undefined", "template.sandbox"}


def test_namespace_works_but_cannot_mutate_shared_variables(tmp_path: Path) -> None:
    ok = render(tmp_path, "{% set n = namespace(a=1) %}{% set n.a = 2 %}a: {{ n.a }}\n")
    assert isinstance(ok, Rendered) and ok.text == "a: 2\n"
    refused = finding(
        render(tmp_path, f"{HEADER}{{{{ shared.update(x=1) }}}}\n", variables={"shared": {"a": 1}})
    )
    assert (refused.line, refused.rule) == (2, "template.sandbox")
    assert "unsafe" in refused.message


@pytest.mark.parametrize(
    ("payload", "start"),
    [
        ("{{ range(10**9) | length }}", "OverflowError: Range too big"),
        (
            "{{ 'x' * 10**9 }}",
            f"'*' would build a value of 1000000000 items; the limit is {MAX_RENDER_CHARS}",
        ),
        (
            "{{ 10**9 * 'x' }}",
            f"'*' would build a value of 1000000000 items; the limit is {MAX_RENDER_CHARS}",
        ),
        (
            "{{ [0] * 10**9 }}",
            f"'*' would build a value of 1000000000 items; the limit is {MAX_RENDER_CHARS}",
        ),
        ("{{ 2 ** 999999999 }}", f"'**' would build a number of more than {MAX_RENDER_CHARS} bytes"),
        (
            "{{ '%0999999999d' % 1 }}",
            f"'%' formatting: width 0999999999 is over the limit of {MAX_RENDER_CHARS}",
        ),
        ("{{ 'x'.center(10**9) }}", f"str.center: 1000000000 is over the limit of {MAX_RENDER_CHARS}"),
        (
            "{{ '{:>999999999}'.format(1) }}",
            f"str.format: width 999999999 is over the limit of {MAX_RENDER_CHARS}",
        ),
        ("{{ 'x' | center(10**9) }}", f"filter center: 1000000000 is over the limit of {MAX_RENDER_CHARS}"),
        (
            "{{ 'a\\nb' | indent(10**9) }}",
            f"filter indent: 1000000000 is over the limit of {MAX_RENDER_CHARS}",
        ),
        (
            "{{ '%0999999999d' | format(1) }}",
            f"filter format: width 0999999999 is over the limit of {MAX_RENDER_CHARS}",
        ),
        (
            "{{ [1] | batch(10**9, 0) | list }}",
            f"filter batch: 1000000000 is over the limit of {MAX_RENDER_CHARS}",
        ),
        (
            "{{ ('x' * 4000) | replace('x', 'y' * 4000) }}",
            f"filter replace would build more than {MAX_RENDER_CHARS} characters",
        ),
    ],
)
def test_values_that_would_exhaust_memory_are_refused(tmp_path: Path, payload: str, start: str) -> None:
    result = finding(render(tmp_path, f"{HEADER}kind: {payload}\n"))
    assert (result.file, result.line, result.rule) == ("templates/t.yaml.j2", 2, "template.limit")
    assert result.message.startswith(start), result.message


def test_nested_loops_stop_at_the_step_or_time_budget(tmp_path: Path) -> None:
    # 10**10 iterations that output nothing: only the loop budget can stop them.
    text = HEADER + "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n"
    result = finding(render(tmp_path, text))
    assert (result.line, result.rule) == (2, "template.limit")
    assert result.message in (
        "the template runs more than 1000000 loop iterations",
        "rendering took longer than 2 seconds",
    )


def test_a_loop_over_a_variable_counts_too(tmp_path: Path) -> None:
    text = (
        HEADER
        + "{% for a in items %}{% for b in items %}{% for c in items %}{% endfor %}{% endfor %}{% endfor %}\n"
    )
    result = finding(render(tmp_path, text, variables={"items": list(range(1000))}))
    assert (result.line, result.rule) == (2, "template.limit")


def test_output_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    # Large pieces, few iterations: the size limit, not the 2 s deadline, must be what stops it,
    # even on a loaded machine (100,000 pieces of 100 characters ran past the deadline there).
    text = HEADER + "{% for i in range(1000) %}\n{{ 'x' * 10000 }}\n{% endfor %}\n"
    result = finding(render(tmp_path, text))
    assert result.rule == "template.limit"
    assert result.message == f"the output is longer than {MAX_RENDER_CHARS} characters"
    assert result.line == 3  # the expression whose output crossed the limit


def test_a_template_including_itself_is_a_finding(tmp_path: Path) -> None:
    result = finding(render(tmp_path, HEADER + "{% include 't.yaml.j2' %}\n"))
    assert (result.line, result.rule) == (2, "template.error")
    assert result.message.startswith("RecursionError")


def test_a_recursive_macro_is_a_finding(tmp_path: Path) -> None:
    text = HEADER + "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}\nx: {{ m(0) }}\n"
    result = finding(render(tmp_path, text))
    assert result.rule in ("template.error", "template.limit")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("{% include '/etc/passwd' %}", "template '/etc/passwd' not found"),
        ("{% include '../outside.yaml' %}", "template '../outside.yaml' not found"),
        ("{% import '../outside.yaml' as x %}", "template '../outside.yaml' not found"),
        ("{% extends '/etc/hostname' %}", "template '/etc/hostname' not found"),
        ("{% include 'sub/../../outside.yaml' %}", "template 'sub/../../outside.yaml' not found"),
    ],
)
def test_includes_cannot_leave_the_templates_dir(tmp_path: Path, statement: str, message: str) -> None:
    (tmp_path / "outside.yaml").write_text("stolen: true\n")
    result = finding(render(tmp_path, f"{HEADER}{statement}\n"))
    assert (result.file, result.line, result.rule, result.message) == (
        "templates/t.yaml.j2",
        2,
        "template.missing",
        message,
    )


def test_a_symlinked_partial_pointing_out_is_refused(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "secret.txt").write_text("token: live\n")
    os.symlink(tmp_path / "secret.txt", tmp_path / "templates" / "_leak.yaml")
    result = finding(render(tmp_path, f"{HEADER}{{% include '_leak.yaml' %}}\n"))
    assert (result.line, result.rule, result.message) == (
        2,
        "template.missing",
        "template '_leak.yaml' resolves outside the templates directory",
    )


def test_a_symlinked_template_pointing_out_is_refused(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (tmp_path / "passwd.yaml.j2").write_text("root: x\n")
    os.symlink(tmp_path / "passwd.yaml.j2", templates / "leak.yaml.j2")
    renderer = TemplateRenderer(templates, {}, display_root=tmp_path)
    result = bounded(renderer.render_all)
    assert result.rendered == []
    assert [(f.file, f.rule, f.message) for f in result.findings] == [
        (
            "templates/leak.yaml.j2",
            "template.missing",
            "template 'leak.yaml.j2' resolves outside the templates directory",
        )
    ]


def test_a_symlinked_directory_is_not_walked(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.yaml.j2").write_text("a: 1\n")
    os.symlink(elsewhere, templates / "linked")
    assert TemplateRenderer(templates, {}, display_root=tmp_path).names() == []


def test_a_giant_template_is_refused_unread(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    with (templates / "big.yaml.j2").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    renderer = TemplateRenderer(templates, {}, display_root=tmp_path)
    result = finding(bounded(renderer.render, "big.yaml.j2", memory_mb=64))
    assert (result.file, result.line, result.rule) == ("templates/big.yaml.j2", 1, "template.limit")
    assert result.message.startswith("file is larger than the 16 MiB limit")


def test_check_and_build_stop_a_hostile_template_in_bounded_time_and_memory(tmp_path: Path) -> None:
    from harness import appreg, no_network_env, run_bounded, write_site

    templates = {
        "bomb.yaml.j2": "apiVersion: v1\nkind: {{ 'x' * 10**9 }}\n",
        "spin.yaml.j2": "apiVersion: v1\n{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n",
    }
    site = write_site(tmp_path / "site", templates=templates)
    # 1 GiB for the whole interpreter: building the 1 GB string would not fit.
    # (A fresh interpreter, `process=True`: a fork would cap what it maps on top of this one's.)
    result = appreg(
        "check", "--config-file", "mkdocs.yml", cwd=site, seconds=30, memory_mb=1024, process=True
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "templates/bomb.yaml.j2:2:1: error [template.limit] '*' would build a value of"
    )
    assert lines[1].startswith("templates/spin.yaml.j2:2:1: error [template.limit] ")
    built = run_bounded(
        ["-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml"],
        cwd=site,
        seconds=60,
        memory_mb=1024,
        env=no_network_env(tmp_path),
        process=True,
    )
    assert built.returncode == 1
    assert "templates/bomb.yaml.j2:2: '*' would build a value of 1000000000 items" in built.stderr
    assert "Traceback" not in built.stderr
