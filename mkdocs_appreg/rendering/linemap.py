"""The map from every rendered output line back to the template line that produced it.

A validation finding on a rendered YAML node must point at the template the user edits
(`templates/x.yaml.j2:7:3`), so every rendered file carries, for each output line, the template
line that produced it and the file that line is in (an included partial, when it came from one).

How the map is built. Jinja compiles a template to a Python generator that yields output chunks.
A small `CodeGenerator` subclass wraps the value of every chunk yielded by a template, just before
the `yield`, in a call that records which template, which line, and whether the chunk is literal
template text. The renderer drives the generator itself and reads that record after each chunk:

- a literal chunk starts on its `TemplateData` line and moves down one template line per newline;
- an expression's value (`{{ spec | to_yaml }}`, a macro call, a `{% filter %}` or `{% call %}`
  block) maps every line it produces to the line of the expression or tag;
- an output line made of several chunks takes the chunk that supplies its first non-blank
  character (the start of the YAML node on that line).

Two things ruled out reading the running generator's frames instead (`gi_frame.f_lineno` via the
template's `debug_info`): Jinja folds literal text into constant `yield 'text'` statements that
have no `debug_info` entry of their own (they report the line of the preceding tag), and
`{% include %}` iterates the included template with `for event in gen: yield event`, so the
included frame is not reachable through `gi_yieldfrom`. The recording wrapper returns its argument
unchanged, so the output is byte-identical to `Template.render`. A chunk that arrives without a
matching record (only `{% include ... without context %}` yields a pre-rendered list) falls back
to the root generator's current line, i.e. the include statement.

The hooks are the `CodeGenerator` methods `_output_child_to_const`, `_output_child_pre`,
`_output_child_post`, `start_write` and `end_write` (Jinja 3.1); `code_generator_class` is Jinja's
documented way to change the compiled code. tests/test_render.py compares every fixture against
stock Jinja and checks the map line by line, and tests/test_jinja_internals.py checks each hook's
name, parameters and the Jinja code that calls it, so a Jinja release that changes them fails
loudly; pyproject.toml caps jinja2 below 3.2 until those tests pass on a newer one.

Known limit: a macro returns one string, so a macro's output lines map to the line that calls it
(`{{ m.pair(...) }}`), not to the lines inside the macro body.

Output lines are counted the way the YAML parser counts them (`\\r\\n`, `\\r`, `\\n`, NEL, LS, PS),
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame

# Line breaks as YAML (PyYAML and libyaml) counts them, so output line numbers agree with the
# positions `documents.py` reports. The same pattern as documents.py's `_YAML_BREAK` (so `re` compiles
# it once), written there so that it compiles cheaply.
_LINE_BREAK = re.compile("\r\n?|[\n\x85]|\u2028|\u2029")

_SOLID = re.compile("[^ \t]")

NOTE_METHOD = "appreg_note"
"""The environment method every traced chunk is passed through (sandbox.py)."""


class TracingCodeGenerator(CodeGenerator):
    """Compiles every yielded chunk as `yield environment.appreg_note(name, line, literal, value)`.

    Only generator frames (`frame.buffer is None`) are traced: macro bodies and `{% filter %}` /
    `{% set %}` blocks collect into a buffer whose joined value is yielded, and traced, by the
    caller. Constant folding is turned off in generator frames so literal text keeps its own line
    instead of being merged into one `yield 'text'` with no line of its own; the value yielded
    is the same string.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._traced_writes: list[bool] = []

    def _note_open(self, node: nodes.Node, literal: bool) -> str:
        return f"environment.{NOTE_METHOD}({self.name!r}, {node.lineno}, {literal}, "

    def _output_child_to_const(
        self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo
    ) -> str:
        if frame.buffer is None:
            raise nodes.Impossible()
        return super()._output_child_to_const(node, frame, finalize)

    def _output_child_pre(
        self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo
    ) -> None:
        if frame.buffer is None:
            self.write(self._note_open(node, isinstance(node, nodes.TemplateData)))
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(
        self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo
    ) -> None:
        super()._output_child_post(node, frame, finalize)
        if frame.buffer is None:
            self.write(")")

    # `{% call %}`, `{% filter %}` and recursive loops yield through start_write(frame, node);
    # pass-through yields (`yield event` of an include) have no node and stay untraced, so the
    # note set by the included template survives to the consumer.
    def start_write(self, frame: Frame, node: nodes.Node | None = None) -> None:
        super().start_write(frame, node)
        traced = False
        if frame.buffer is None and node is not None:
            self.write(self._note_open(node, False))
            traced = True
        self._traced_writes.append(traced)

    def end_write(self, frame: Frame) -> None:
        if self._traced_writes.pop():
            self.write(")")
        super().end_write(frame)


class Chunk:
    """Where one non-empty yielded chunk starts in the output, and where it came from."""

    __slots__ = ("line", "literal", "name", "offset", "root_line")

    offset: int
    name: str  # template name
    line: int  # line of `name` the chunk starts on
    root_line: int  # line of the rendered (root) template: the include/extends for other files
    literal: bool  # template text, whose newlines are template newlines

    def __init__(self, offset: int, name: str, line: int, root_line: int, literal: bool) -> None:
        self.offset = offset
        self.name = name
        self.line = line
        self.root_line = root_line
        self.literal = literal


def line_origins(text: str, chunks: list[Chunk], root: str) -> list[tuple[str, int, int]]:
    """`(template name, line, root template line)` for every output line of `text`.

    An output line belongs to the chunk holding its first non-blank character (its first
    character when blank); inside a literal chunk, each newline before that point moves one
    template line down. Done once over the finished text, not per chunk, so a value split over
    chunks (`\\r` then `\\n`) and lines built from many chunks cost nothing extra.
    """
    starts = [chunk.offset for chunk in chunks]
    origins: list[tuple[str, int, int]] = []

    def add(line_start: int, line_end: int) -> None:
        solid = _SOLID.search(text, line_start, line_end)
        position = solid.start() if solid else line_start
        chunk = chunks[bisect.bisect_right(starts, position) - 1]
        step = text.count("\n", chunk.offset, position) if chunk.literal else 0
        root_line = chunk.root_line + step if chunk.name == root else chunk.root_line
        origins.append((chunk.name, chunk.line + step, root_line))

    line_start = 0
    for match in _LINE_BREAK.finditer(text):
        add(line_start, match.start())
        line_start = match.end()
    if line_start < len(text):  # a last line without a line break
        add(line_start, len(text))
    return origins
