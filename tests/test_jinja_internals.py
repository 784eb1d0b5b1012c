"""The private Jinja internals rendering/ builds on, checked so that a Jinja change fails here.

The renderer maps every output line back to its template line by subclassing Jinja's code
generator (`CodeGenerator._output_child_pre` and friends, `start_write`/`end_write`) and the
environment's `_parse`. None of that is public API: a Jinja release may rename a hook or stop
calling it, and the renderer would still render, with wrong line numbers and no error. So this
module pins down (1) every private name we override or use, with its parameters, (2) that Jinja's
own code still calls each hook where we rely on it, and (3) the line map of a template that goes
through every hook. pyproject.toml caps jinja2 below the next minor release; raise the cap only
when this module passes on it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import compiler, nodes
from jinja2.environment import Environment
from jinja2.sandbox import SandboxedEnvironment

import mkdocs_appreg.rendering
from mkdocs_appreg.rendering.render import Rendered, TemplateRenderer

# (class, name, parameters): the private or overridable members the renderer subclasses or uses.
OVERRIDDEN = {
    (compiler.CodeGenerator, "_output_child_to_const", ("self", "node", "frame", "finalize")),
    (compiler.CodeGenerator, "_output_child_pre", ("self", "node", "frame", "finalize")),
    (compiler.CodeGenerator, "_output_child_post", ("self", "node", "frame", "finalize")),
    (compiler.CodeGenerator, "start_write", ("self", "frame", "node")),
    (compiler.CodeGenerator, "end_write", ("self", "frame")),
    (Environment, "_parse", ("self", "source", "name", "filename")),
    (SandboxedEnvironment, "call_binop", ("self", "context", "operator", "left", "right")),
}
# Where Jinja calls each generator hook: (calling method, call made in its source).
CALLED = {
    ("visit_Output", "self._output_child_to_const("),
    ("visit_Output", "self._output_child_pre("),
    ("visit_Output", "self._output_child_post("),
    ("visit_CallBlock", "self.start_write(frame, node)"),
    ("visit_FilterBlock", "self.start_write(frame, node)"),
}


def test_jinja_is_a_tested_release() -> None:
    major, minor = (int(part) for part in jinja2.__version__.split(".")[:2])
    assert (major, minor) == (3, 1), f"jinja2 {jinja2.__version__}: not tested; see pyproject.toml"


@pytest.mark.parametrize(
    ("owner", "name", "parameters"), sorted(OVERRIDDEN, key=lambda i: (i[0].__name__, i[1]))
)
def test_each_private_member_we_override_exists_with_its_parameters(
    owner: type, name: str, parameters: tuple[str, ...]
) -> None:
    member = getattr(owner, name, None)
    assert callable(member), f"jinja2 {jinja2.__version__}: {owner.__name__}.{name} is gone"
    assert tuple(inspect.signature(member).parameters) == parameters, (
        f"jinja2 {jinja2.__version__}: {owner.__name__}.{name} changed its parameters"
    )


def test_the_other_private_names_we_use_exist() -> None:
    assert hasattr(compiler.CodeGenerator, "_FinalizeInfo")
    assert "buffer" in inspect.signature(compiler.Frame.__init__).parameters or hasattr(
        compiler.Frame(compiler.EvalContext(Environment(), None)), "buffer"
    )
    assert issubclass(nodes.Impossible, Exception)
    assert nodes.EnvironmentAttribute.fields == ("name",)
    assert Environment.code_generator_class is compiler.CodeGenerator


@pytest.mark.parametrize(("method", "call"), sorted(CALLED))
def test_jinja_still_calls_each_hook_where_we_rely_on_it(method: str, call: str) -> None:
    source = inspect.getsource(getattr(compiler.CodeGenerator, method))
    assert call in source, f"jinja2 {jinja2.__version__}: CodeGenerator.{method} no longer calls {call}"


def test_we_override_no_other_jinja_member() -> None:
    """A new override of a Jinja internal must be added to OVERRIDDEN, so it is checked too."""
    known = {(owner, name) for owner, name, _ in OVERRIDDEN}
    found = set()
    for info in pkgutil.walk_packages(mkdocs_appreg.rendering.__path__, "mkdocs_appreg.rendering."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for base in cls.__mro__[1:]:
                if not base.__module__.startswith("jinja2"):
                    continue
                for name in vars(cls):
                    if name in vars(base) and not name.startswith("__") and callable(vars(base)[name]):
                        found.add((base, name))
    unchecked = {
        (owner.__name__, name)
        for owner, name in found
        if not any(issubclass(owner, known_owner) and name == known_name for known_owner, known_name in known)
        and not any(
            issubclass(known_owner, owner) and name == known_name for known_owner, known_name in known
        )
    }
    # Documented API: the sandbox's hooks, the environment's generator class, a loader's source.
    documented = {"call", "is_safe_attribute", "is_safe_callable", "get_source", "code_generator_class"}
    assert {(owner, name) for owner, name in unchecked if name not in documented} == set()


# Every construct that goes through a hook: output (literal and expression), a for loop, a
# macro, a call block, a filter block, a set block, an include. `@N` marks template line N.
TEMPLATE = """\
a: 1  # @1
b: {{ "two" }}  # @2
{% for i in [3, 4] %}
item{{ i }}: x  # @4
{% endfor %}
{% macro pair(k) -%}
{{ k }}: v  # @7
{%- endmacro %}
{{ pair("m") }}
{% macro wrap() %}{{ caller() }}{% endmacro %}
{% call wrap() %}
c: w  # @12
{% endcall %}
{% filter upper %}
f: y  # @15
{% endfilter %}
{% set block %}s: z  # @17
{% endset %}
{{ block }}
{% include "part.yaml.j2" %}
last: end  # @21
"""
PART = """\
p: 1  # @p1
q: {{ "2" }}  # @p2
"""


def test_every_output_line_maps_to_its_template_line(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "t.yaml.j2").write_text(TEMPLATE)
    (templates / "part.yaml.j2").write_text(PART)
    result = TemplateRenderer(templates, {}, display_root=tmp_path).render("t.yaml.j2")
    assert isinstance(result, Rendered), result
    lines = result.text.split("\n")[: len(result.line_map)]
    mapped = []
    for number, line in enumerate(lines, 1):
        tag = re.search(r"# @(p?)(\d+)", line, re.IGNORECASE)
        if tag is None:
            continue
        file, template_line = result.origin(number)
        mapped.append((line.split(":")[0], Path(file).name, template_line))
    assert mapped == [
        ("a", "t.yaml.j2", 1),
        ("b", "t.yaml.j2", 2),
        ("item3", "t.yaml.j2", 4),
        ("item4", "t.yaml.j2", 4),
        # Buffered output (a macro, a call block, a filter block, a set block) is yielded, and
        # mapped, where it is output: the line of the call, the block tag, the `{{ block }}`.
        ("m", "t.yaml.j2", 9),
        ("c", "t.yaml.j2", 11),
        ("F", "t.yaml.j2", 14),
        ("s", "t.yaml.j2", 19),
        ("p", "part.yaml.j2", 1),
        ("q", "part.yaml.j2", 2),
        ("last", "t.yaml.j2", 21),
    ], result.text
