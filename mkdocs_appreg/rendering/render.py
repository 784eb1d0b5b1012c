"""Render resource templates with Jinja, keeping a map from every output line to its template line.

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
stock Jinja and checks the map line by line, so a Jinja release that changes them fails loudly.

Known limit: a macro returns one string, so a macro's output lines map to the line that calls it
(`{{ m.pair(...) }}`), not to the lines inside the macro body.

Output lines are counted the way the YAML parser counts them (`\\r\\n`, `\\r`, `\\n`, NEL, LS, PS),
so a line number from `documents.py` indexes the map directly.

Environment: `ImmutableSandboxedEnvironment` (templates cannot mutate the shared variables),
`StrictUndefined`, no autoescaping, `keep_trailing_newline`, and `trim_blocks` + `lstrip_blocks` so
a line holding only `{% if %}`/`{% for %}`/`{% endfor %}` vanishes from the YAML instead of leaving
a blank or whitespace-only line. (With those on, `{%- if %}` on a line of its own glues the next
line onto the previous one; write `{% if %}`.)
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import GeneratorType, TracebackType
from typing import Any, cast

import yaml
from jinja2 import FileSystemLoader, StrictUndefined, Template, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import Environment
from jinja2.exceptions import (
    SecurityError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.loaders import split_template_path
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.limits import (
    MAX_RENDER_CHARS,
    MAX_RENDER_SECONDS,
    MAX_RENDER_STEPS,
    FileTooLarge,
    alias_problem,
    read_limited,
)
from mkdocs_appreg.common.records import Record

__all__ = [
    "FILTERS",
    "RenderResult",
    "Rendered",
    "TemplateRenderer",
    "b64decode",
    "b64encode",
    "load_vars_file",
    "quote",
    "required",
    "to_json",
    "to_yaml",
]

# Line breaks as YAML (PyYAML and libyaml) counts them, so output line numbers agree with the
# positions `documents.py` reports. The same pattern as documents.py's `_YAML_BREAK` (so `re` compiles
# it once), written there so that it compiles cheaply.
_LINE_BREAK = re.compile("\r\n?|[\n\x85]|\u2028|\u2029")


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
#
# Characters a YAML stream may not contain raw, or that YAML would read as a line break inside a
# quoted scalar: C1 controls (NEL included), DEL, LS, PS, lone surrogates and the non-characters.
@functools.cache
def _yaml_unsafe() -> re.Pattern[str]:
    return re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


_SOLID = re.compile("[^ \t]")


@functools.cache
def _expression_tag() -> re.Pattern[str]:
    return re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


@functools.cache
def _quoted_identifier() -> re.Pattern[str]:
    return re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")


_NOTE_METHOD = "appreg_note"


# --------------------------------------------------------------------------------------------
# Filters


def _fail_if_undefined(value: Any) -> None:
    if isinstance(value, Undefined):
        # StrictUndefined raises the usual `'x' is undefined` (or the sandbox's SecurityError).
        value._fail_with_undefined_error()


def _yaml_safe(text: str) -> str:
    if text.isascii() and "\x7f" not in text:
        return text  # the usual value; the pattern's class costs `re` ~4 M instructions to compile
    return _yaml_unsafe().sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def b64encode(value: str | bytes) -> str:
    """Standard padded base64 of a string (UTF-8) or bytes, as Kubernetes Secret `data` wants.

    Args:
        value: The text or bytes to encode.

    Returns:
        The base64 text, e.g. `{{ "admin" | b64encode }}` gives `YWRtaW4=`.

    Raises:
        TypeError: `value` is neither a string nor bytes (use `| string` first for numbers).
    """
    _fail_if_undefined(value)
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes):
        raise TypeError(f"b64encode expects a string or bytes, got {type(value).__name__}")
    return base64.b64encode(value).decode("ascii")


def b64decode(value: str | bytes) -> str:
    """Decode standard padded base64 into UTF-8 text (the inverse of `b64encode`).

    Raises:
        TypeError: `value` is neither a string nor bytes.
        ValueError: `value` is not valid base64, or does not decode to UTF-8 text.
    """
    _fail_if_undefined(value)
    if not isinstance(value, (str, bytes)):
        raise TypeError(f"b64decode expects a string or bytes, got {type(value).__name__}")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"b64decode: not valid base64 ({exc})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("b64decode: the decoded bytes are not UTF-8 text") from None


def to_yaml(value: Any) -> str:
    """Dump a value as block-style YAML, keys in their given order, without a trailing newline.

    Like Helm's `toYaml`, the final newline and the `...` end marker PyYAML adds after a bare
    scalar are removed, so `{{ spec | to_yaml | indent(2) }}` composes into a surrounding line.
    Long strings are not folded.

    Raises:
        yaml.representer.RepresenterError: the value holds an object YAML cannot represent.
    """
    _fail_if_undefined(value)
    text = yaml.safe_dump(value, default_flow_style=False, sort_keys=False, allow_unicode=True, width=1 << 30)
    if text.endswith("\n...\n"):
        text = text[: -len("...\n")]
    return _yaml_safe(text[:-1] if text.endswith("\n") else text)


def to_json(value: Any, indent: int | None = None) -> str:
    """Dump a value as JSON (keys in their given order, non-ASCII kept), a valid YAML flow value.

    Unlike Jinja's `tojson` it does not HTML-escape `<`, `>`, `&` and `'`, which would change
    the value inside YAML.

    Args:
        value: What to dump.
        indent: Pretty-print with this many spaces per level; one line when `None`.
    """
    _fail_if_undefined(value)
    return _yaml_safe(json.dumps(value, ensure_ascii=False, indent=indent))


def quote(value: str | int | float | bool) -> str:
    """A YAML double-quoted scalar holding `value` as a string (`{{ pin | quote }}` -> `"0042"`).

    JSON string syntax is a subset of YAML's double-quoted style; characters YAML would read as
    line breaks or rejects are escaped too. Booleans become `"true"`/`"false"`.

    Raises:
        TypeError: `value` is not a string, number or boolean.
    """
    _fail_if_undefined(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (str, int, float)):
        text = str(value)
    else:
        raise TypeError(f"quote expects a string, number or boolean, got {type(value).__name__}")
    return _yaml_safe(json.dumps(text, ensure_ascii=False))


def required(value: Any, message: str | None = None) -> Any:
    """Fail the render unless `value` is defined, not `None` and not `""`; return it unchanged.

    `{{ registry.url | required("set registry.url in the vars file") }}` reports the message as a
    `template.undefined` finding on that line.
    """
    if isinstance(value, Undefined):
        if message is None:
            value._fail_with_undefined_error()
        raise UndefinedError(message)
    if value is None or (isinstance(value, str) and not value):
        raise UndefinedError(message or "a required value is empty")
    return value


FILTERS: Mapping[str, Callable[..., Any]] = {
    "b64encode": b64encode,
    "b64decode": b64decode,
    "to_yaml": to_yaml,
    "to_json": to_json,
    "quote": quote,
    "required": required,
}
"""The filters added to Jinja's built-in ones (`indent`, `default`, `join`, ...)."""


# --------------------------------------------------------------------------------------------
# Results


# Plain classes, not NamedTuples or dataclasses: a NamedTuple class costs a build ~1.4 M
# instructions at import (typing compiles its annotations), generating dataclass methods ~1 ms.
class Rendered(Record):
    """One rendered template and the map from its output lines back to template lines.

    Attributes:
        docs_path: Posix path relative to the docs dir: the template name minus its suffix.
        template: Absolute path of the template file.
        display: The template path as shown to users (relative to the `mkdocs.yml` directory).
        text: The rendered output.
        line_map: `line_map[i]` is the line of `template` that produced output line `i + 1`
            (for a line that came from an included template: the line of the include).
        origins: For each output line, `(display path, line)` of the template file that really
            produced it, which may be an included partial. Empty means "same as `line_map`".
    """

    __slots__ = ("display", "docs_path", "line_map", "origins", "template", "text")
    FIELDS = ("docs_path", "template", "display", "text", "line_map", "origins")

    docs_path: str
    template: Path
    display: str
    text: str
    line_map: tuple[int, ...]
    origins: tuple[tuple[str, int], ...]

    def __init__(
        self,
        docs_path: str,
        template: Path,
        display: str,
        text: str,
        line_map: tuple[int, ...],
        origins: tuple[tuple[str, int], ...] = (),
    ) -> None:
        self.docs_path = docs_path
        self.template = template
        self.display = display
        self.text = text
        self.line_map = line_map
        self.origins = origins

    def template_line(self, output_line: int) -> int:
        """The line of `template` that produced a 1-based output line.

        Lines before the first map to the first; lines past the end (a YAML error at the end of
        the stream) map to the last; an empty output maps everything to line 1.
        """
        if not self.line_map:
            return 1
        return self.line_map[min(max(output_line, 1), len(self.line_map)) - 1]

    def origin(self, output_line: int) -> tuple[str, int]:
        """`(display path, line)` of the template file that produced a 1-based output line.

        Clamped like `template_line`. Follows includes into the included file.
        """
        if not self.origins:
            return self.display, self.template_line(output_line)
        return self.origins[min(max(output_line, 1), len(self.origins)) - 1]


class RenderResult(Record):
    """Everything `TemplateRenderer.render_all` produced: files that rendered, and findings."""

    __slots__ = ("findings", "rendered")
    FIELDS = ("rendered", "findings")

    rendered: list[Rendered]
    findings: list[Finding]

    def __init__(self, rendered: list[Rendered], findings: list[Finding]) -> None:
        self.rendered = rendered
        self.findings = findings


# --------------------------------------------------------------------------------------------
# Jinja plumbing


class _TemplateUndecodable(Exception):
    """A template file is not UTF-8; raised by the loader so an include reports the right file."""

    def __init__(self, name: str, line: int, column: int, reason: str) -> None:
        super().__init__(reason)
        self.name = name
        self.line = line
        self.column = column
        self.reason = reason


class _LimitExceeded(Exception):
    """A template went over one of the render limits (`limits.py`): reported as `template.limit`.

    `where` is `(template name, line)` when the limit is not hit inside template code (the output
    size, a file too large), where the traceback cannot say which line it was.
    """

    def __init__(self, reason: str, *, where: tuple[str, int] | None = None) -> None:
        super().__init__(reason)
        self.where = where


class _Budget:
    """What one render may still spend: a deadline and a number of loop steps."""

    __slots__ = ("deadline", "steps")

    deadline: float
    steps: int

    def __init__(self, deadline: float, steps: int = MAX_RENDER_STEPS) -> None:
        self.deadline = deadline
        self.steps = steps

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise _LimitExceeded(f"the template runs more than {MAX_RENDER_STEPS} loop iterations")
        if time.monotonic() > self.deadline:
            raise _LimitExceeded(f"rendering took longer than {MAX_RENDER_SECONDS:g} seconds")


# A `%` or `str.format` width or precision: `%0999999999d`, `{:>999999999}`.
@functools.cache
def _format_number() -> re.Pattern[str]:
    return re.compile(r"\d{8,}")


# Built-in filters whose output grows with a numeric argument (`center(10**9)`, `indent(10**9)`,
# `batch(10**9, fill)`) or with a format string, checked before they allocate.
_SIZED_FILTERS = ("center", "indent", "batch", "format", "wordwrap", "truncate", "replace")


def _check_sizes(what: str, args: Iterable[Any]) -> None:
    """Refuse numbers and format widths that would build a value over `MAX_RENDER_CHARS`."""
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_RENDER_CHARS:
            raise _LimitExceeded(f"{what}: {arg} is over the limit of {MAX_RENDER_CHARS}")
        if isinstance(arg, str) and len(arg) < 10_000:
            for number in _format_number().findall(arg):
                if int(number) > MAX_RENDER_CHARS:
                    raise _LimitExceeded(f"{what}: width {number} is over the limit of {MAX_RENDER_CHARS}")


def _sized_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def checked(*args: Any, **kwargs: Any) -> Any:
        # The filtered value may be the context or environment (pass_context filters): only
        # the arguments after the value are sizes.
        skip = 2 if getattr(function, "jinja_pass_arg", None) is not None else 1
        # `format`'s value is the format string, whose widths are sizes too.
        first = skip - 1 if name == "format" else skip
        _check_sizes(f"filter {name}", [*args[first:], *kwargs.values()])
        if name == "replace" and len(args) >= skip + 2:
            value, old, new = args[skip - 1], args[skip], args[skip + 1]
            if isinstance(value, str) and isinstance(new, str):
                grows = (value.count(str(old)) if str(old) else len(value) + 1) * len(new)
                if len(value) + grows > MAX_RENDER_CHARS:
                    raise _LimitExceeded(
                        f"filter replace would build more than {MAX_RENDER_CHARS} characters"
                    )
        return function(*args, **kwargs)

    checked.__dict__.update(function.__dict__)  # keeps Jinja's `jinja_pass_arg` marker
    checked.__name__ = getattr(function, "__name__", name)
    return checked


class _Loader(FileSystemLoader):
    """`FileSystemLoader` that stays inside its root (symlinks too) and reports undecodable files.

    Jinja's loader already refuses `..` segments; a symlink inside the root can still point
    anywhere, so the resolved path is checked against the resolved root.
    """

    def __init__(self, root: str) -> None:
        super().__init__(root, encoding="utf-8", followlinks=False)
        self._root = root
        self._real_root = os.path.realpath(root)

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        filename = os.path.normpath(os.path.join(self._root, *split_template_path(template)))
        real = os.path.realpath(filename)
        if os.path.commonpath([self._real_root, real]) != self._real_root:
            raise TemplateNotFound(
                template, f"template {template!r} resolves outside the templates directory"
            )
        try:
            data = read_limited(Path(filename))
            stat = os.stat(filename)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise TemplateNotFound(template) from None
        except FileTooLarge as exc:
            raise _LimitExceeded(str(exc), where=(template, 1)) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line_start = data.rfind(b"\n", 0, exc.start) + 1
            line = data.count(b"\n", 0, exc.start) + 1
            column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
            reason = f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
            raise _TemplateUndecodable(template, line, column, reason) from None
        # A UTF-8 BOM (some Windows editors add one) is not template text: an included partial
        # would otherwise put it in the middle of the YAML stream.
        text = text.removeprefix("\ufeff")
        signature = (stat.st_mtime_ns, stat.st_size)

        def uptodate() -> bool:
            # mtime alone misses two edits within one timestamp tick under `mkdocs serve`.
            try:
                current = os.stat(filename)
            except OSError:
                return False
            return (current.st_mtime_ns, current.st_size) == signature

        return text, filename, uptodate


class _TracingCodeGenerator(CodeGenerator):
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
        return f"environment.{_NOTE_METHOD}({self.name!r}, {node.lineno}, {literal}, "

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


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox plus the recording hook the traced templates call, and the render limits.

    Jinja's sandbox blocks unsafe attributes and caps `range` at 100,000 items, but not the size
    of `'x' * 10**9` or the length of nested loops. Operators that can multiply a value are
    intercepted (`call_binop`), every loop's iterable is wrapped so its steps are counted against
    a per-render budget and deadline, and calls and filters that grow with a number are checked
    before they allocate.
    """

    code_generator_class = _TracingCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, loader: _Loader) -> None:
        # trim_blocks + lstrip_blocks: a line holding only `{% if %}`/`{% for %}` disappears
        # entirely, which is what YAML indentation needs. Immutable sandbox: a template cannot
        # mutate the shared variables (`vars.update(...)`) and change what later templates see.
        super().__init__(
            loader=loader,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            auto_reload=True,
        )
        self.filters.update(FILTERS)
        for name in _SIZED_FILTERS:
            self.filters[name] = _sized_filter(name, self.filters[name])
        self._notes = threading.local()

    def start_budget(self) -> None:
        self._notes.budget = _Budget(time.monotonic() + MAX_RENDER_SECONDS)

    def _budget(self) -> _Budget | None:
        budget: _Budget | None = getattr(self._notes, "budget", None)
        return budget

    def appreg_note(self, name: str | None, line: int, literal: bool, value: Any) -> Any:
        self._notes.last = (name, line, literal, value)
        budget = self._budget()
        if budget is not None:
            budget.spend(0)
        return value

    def appreg_iterate(self, iterable: Any) -> Iterator[Any]:
        """Every `{% for %}` iterates through this, which spends one budget step per item."""
        budget = self._budget()
        for item in iterable:
            if budget is not None:
                budget.spend()
            yield item

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(
                nodes.EnvironmentAttribute("appreg_iterate", lineno=loop.lineno),
                [loop.iter],
                [],
                None,
                None,
                lineno=loop.iter.lineno,
            )
        return tree

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            count, sequence = (left, right) if isinstance(left, int) else (right, left)
            sized = isinstance(count, int) and isinstance(sequence, (str, bytes, list, tuple))
            if sized and len(sequence) * count > MAX_RENDER_CHARS:
                raise _LimitExceeded(
                    f"'*' would build a value of {len(sequence) * count} items; the limit is {MAX_RENDER_CHARS}"
                )
        elif operator == "**":
            integers = isinstance(left, int) and isinstance(right, int) and right > 0
            if integers and right * abs(left).bit_length() > 8 * MAX_RENDER_CHARS:
                raise _LimitExceeded(f"'**' would build a number of more than {MAX_RENDER_CHARS} bytes")
        elif operator == "%" and isinstance(left, str):
            _check_sizes("'%' formatting", [left, *(right if isinstance(right, tuple) else [right])])
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = __self._budget()
        if budget is not None:
            budget.spend(0)
        # `'x'.center(10**9)`, `'{:>999999999}'.format(1)`: methods of strings and lists that
        # allocate by a number they are given.
        # The sandbox hands out `str.format` wrapped (`wrap_str_format`); the wrapper keeps it.
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, (str, bytes, list)):
            _check_sizes(f"{type(owner).__name__}.{getattr(__obj, '__name__', 'method')}", [owner, *args])
            _check_sizes("call", kwargs.values())
        return super().call(__context, __obj, *args, **kwargs)

    def take_note(self) -> tuple[str | None, int, bool, Any] | None:
        """The record of the last traced chunk, cleared so a stale one is never read twice."""
        note: tuple[str | None, int, bool, Any] | None = getattr(self._notes, "last", None)
        self._notes.last = None
        return note


class _Chunk:
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


def _line_origins(text: str, chunks: list[_Chunk], root: str) -> list[tuple[str, int, int]]:
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


def _template_frames(tb: TracebackType | None) -> list[tuple[str, int]]:
    """`(template name, template line)` of every template frame in a traceback, outermost first.

    Jinja's compiled modules keep their `Template` in `__jinja_template__`; this is the mapping
    Jinja's own `rewrite_traceback_stack` does, read without re-raising.
    """
    frames = []
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if isinstance(template, Template) and template.name is not None:
            frames.append((template.name, template.get_corresponding_lineno(tb.tb_lineno)))
        tb = tb.tb_next
    return frames


# --------------------------------------------------------------------------------------------
# The renderer


class TemplateRenderer:
    """Renders the templates under one directory with one set of variables.

    Templates are rendered in a sandbox with undefined variables as errors; every problem a user
    can cause comes back as a `Finding` located in the template (the included one, for an error
    inside an include), never as an exception.

    The record of the last yielded chunk is thread-local, so one renderer may serve several
    threads.
    """

    def __init__(
        self,
        templates_dir: Path,
        variables: Mapping[str, Any],
        *,
        display_root: Path | None = None,
        suffix: str = ".j2",
    ) -> None:
        """Prepare a renderer.

        Args:
            templates_dir: Root of the templates; includes and imports resolve against it.
            variables: The variables every template sees.
            display_root: Paths in findings and `Rendered.display` are shown relative to it
                (the `mkdocs.yml` directory); the current directory by default.
            suffix: Only files ending with it are templates; it is removed for `docs_path`.

        Raises:
            ConfigError: `templates_dir` is not a directory.
        """
        self._root = os.path.abspath(templates_dir)
        self._display_root = os.path.abspath(display_root if display_root is not None else os.getcwd())
        self._suffix = suffix
        self._variables = dict(variables)
        self._displays: dict[str, str] = {}
        if not os.path.isdir(self._root):
            raise ConfigError("templates directory not found", file=self._display_path(self._root))
        self._env = _Environment(_Loader(self._root))

    def _display_path(self, path: str) -> str:
        try:
            return Path(os.path.relpath(path, self._display_root)).as_posix()
        except ValueError:  # another drive on Windows
            return Path(path).as_posix()

    def display(self, name: str) -> str:
        """The user-facing path of the template called `name` (relative to `display_root`)."""
        shown = self._displays.get(name)
        if shown is None:
            shown = self._display_path(os.path.normpath(os.path.join(self._root, name)))
            self._displays[name] = shown
        return shown

    def _walk(self) -> Iterator[tuple[str, str]]:
        """`(absolute path, posix name)` of every file under the root, symlinked dirs not entered."""
        for dirpath, dirnames, filenames in os.walk(self._root, followlinks=False):
            dirnames.sort()
            for filename in sorted(filenames):
                path = os.path.join(dirpath, filename)
                yield path, Path(os.path.relpath(path, self._root)).as_posix()

    def names(self) -> list[str]:
        """Sorted names (posix, relative to the templates dir) of the templates to render.

        A path segment starting with `_` marks a partial (`_secret.yaml.j2`, `_partials/x.j2`):
        it can be included or imported but is not rendered on its own. Segments starting with
        `.` (editor lock and swap files, `.git`) are skipped too.
        """
        found = []
        for _path, name in self._walk():
            if not name.endswith(self._suffix):
                continue
            if any(part.startswith(("_", ".")) for part in name.split("/")):
                continue
            found.append(name)
        return sorted(found)

    def dependencies(self) -> list[Path]:
        """Every file under the templates dir, partials included: the `mkdocs serve` watch list."""
        return sorted(Path(path) for path, _name in self._walk())

    def render_all(self) -> RenderResult:
        """Render every template of `names()`, in order."""
        rendered: list[Rendered] = []
        findings: list[Finding] = []
        for name in self.names():
            result = self.render(name)
            if isinstance(result, Rendered):
                rendered.append(result)
            else:
                findings.append(result)
        return RenderResult(rendered, findings)

    def render(self, name: str) -> Rendered | Finding:
        """Render one template by name; any failure the template can cause becomes a `Finding`.

        Rule ids: `template.syntax`, `template.undefined`, `template.missing`, `template.sandbox`,
        `template.encoding`, and `template.error` for any other exception raised while rendering.
        """
        try:
            return self._render(name)
        except _TemplateUndecodable as exc:
            return Finding(self.display(exc.name), exc.line, exc.column, "template.encoding", exc.reason)
        except TemplateSyntaxError as exc:
            file = self.display(exc.name) if exc.name else self._display_path(exc.filename or self._root)
            return Finding(file, exc.lineno or 1, 1, "template.syntax", exc.message or "syntax error")
        except TemplateNotFound as exc:
            message = exc.message or ""
            if message == exc.name or not message:
                message = f"template {exc.name!r} not found"
            return self._runtime_finding(exc, name, "template.missing", message)
        except SecurityError as exc:
            return self._runtime_finding(exc, name, "template.sandbox", str(exc))
        except _LimitExceeded as exc:
            if exc.where is not None:
                return Finding(self.display(exc.where[0]), exc.where[1], 1, "template.limit", str(exc))
            return self._runtime_finding(exc, name, "template.limit", str(exc))
        except (OverflowError, MemoryError) as exc:
            # The sandbox's own `range` cap raises OverflowError ("Range too big").
            message = f"{type(exc).__name__}: {exc}".rstrip(": ")
            return self._runtime_finding(exc, name, "template.limit", message)
        except UndefinedError as exc:
            return self._runtime_finding(exc, name, "template.undefined", str(exc))
        except Exception as exc:  # RecursionError included: a template that includes itself
            return self._runtime_finding(exc, name, "template.error", f"{type(exc).__name__}: {exc}")

    def _runtime_finding(self, exc: BaseException, name: str, rule: str, message: str) -> Finding:
        frames = _template_frames(exc.__traceback__)
        if not frames:
            # Raised before any template code ran: the requested template itself is missing.
            return Finding(self.display(name), 1, 1, rule, message)
        where, line = frames[-1]
        return Finding(self.display(where), line, self._column(where, line, message), rule, message)

    def _column(self, name: str, line: int, message: str) -> int:
        """Best-effort column: where a name quoted in the message appears inside a tag on the line.

        `'registry' is undefined` -> the `registry` inside `{{ ... }}`; column 1 when unsure.
        """
        candidates = _quoted_identifier().findall(message)
        if not candidates:
            return 1
        try:
            with open(os.path.join(self._root, name), encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return 1
        if not 1 <= line <= len(lines):
            return 1
        text = lines[line - 1]
        for candidate in candidates:
            word = re.compile(rf"(?<![\w.'\"]){re.escape(candidate)}\b|(?<=\.){re.escape(candidate)}\b")
            for tag in _expression_tag().finditer(text):
                hit = word.search(text, tag.start(), tag.end())
                if hit:
                    return hit.start() + 1
        return 1

    def _render(self, name: str) -> Rendered:
        template = self._env.get_template(name)
        parts: list[str] = []
        chunks: list[_Chunk] = []
        offset = 0
        take_note = self._env.take_note
        take_note()
        self._env.start_budget()
        context = template.new_context(dict(self._variables))
        # The compiled root of a synchronous environment is always a generator function.
        generator = cast("GeneratorType[str, None, None]", template.root_render_func(context))
        try:
            for part in generator:
                note = take_note()
                if not part:
                    continue
                if note is not None and note[3] is part and note[0] is not None:
                    where, line, literal = note[0], note[1], note[2]
                else:  # an untraced pass-through: charge it to the statement the root is at
                    where, line, literal = name, self._root_line(template, generator), False
                root_line = line if where == name else self._root_line(template, generator)
                chunks.append(_Chunk(offset, where, line, root_line, literal))
                parts.append(part)
                offset += len(part)
                if offset > MAX_RENDER_CHARS:
                    raise _LimitExceeded(
                        f"the output is longer than {MAX_RENDER_CHARS} characters", where=(where, line)
                    )
        finally:
            generator.close()
        text = "".join(parts)
        lines = _line_origins(text, chunks, name)
        docs_path = name[: -len(self._suffix)] if self._suffix and name.endswith(self._suffix) else name
        return Rendered(
            docs_path=docs_path,
            template=Path(self._root, name),
            display=self.display(name),
            text=text,
            line_map=tuple(root for _where, _line, root in lines),
            origins=tuple((self.display(where), line) for where, line, _root in lines),
        )

    @staticmethod
    def _root_line(template: Template, generator: GeneratorType[str, None, None]) -> int:
        """The root template's line the suspended generator is at (an include, an extends)."""
        frame = generator.gi_frame
        if frame is None:
            return 1
        return template.get_corresponding_lineno(frame.f_lineno)


# --------------------------------------------------------------------------------------------
# Vars files


class _DuplicateKeys:
    """Rejects duplicate keys (PyYAML silently keeps the last one); mixed into a SafeLoader."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            try:
                first = seen.get(key)
                seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # unhashable: the base class reports it
                continue
            if first is not None:
                raise ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {first})", key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc, no-any-return]


class _VarsLoader(_DuplicateKeys, yaml.SafeLoader):
    """PyYAML's own parser: the reference, and the wording of every error."""


_fast_vars_loader: Callable[[str], Any] = _VarsLoader
if hasattr(yaml, "CSafeLoader"):  # libyaml's parser and composer: ~5x faster than pure Python

    class _FastVarsLoader(_DuplicateKeys, yaml.CSafeLoader):
        """libyaml's parser, for a file that loads; its error messages are terser."""

    _fast_vars_loader = _FastVarsLoader


def _parse_vars(text: str, display: str, loader_class: Callable[[str], Any]) -> Any:
    """The vars file's value, or a one-line ConfigError; `{}` for an empty file."""
    loader = None
    try:
        # PyYAML's reader refuses control characters here already; libyaml's while parsing.
        loader = loader_class(text)
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, MappingNode):
            kind = "list" if isinstance(node, yaml.SequenceNode) else "scalar"
            raise ConfigError(
                f"a vars file must be a mapping of names to values, not a {kind}",
                file=display,
                line=node.start_mark.line + 1,
            )
        for key_node, _value in node.value:
            is_string = isinstance(key_node, ScalarNode) and key_node.tag == "tag:yaml.org,2002:str"
            if not is_string and key_node.tag != "tag:yaml.org,2002:merge":
                raise ConfigError(
                    "variable names must be strings", file=display, line=key_node.start_mark.line + 1
                )
        # Shared alias subtrees stay shared in the values, but `to_json` or a loop would expand them.
        aliasing = alias_problem(node)
        if aliasing is not None:
            raise ConfigError(aliasing[1], file=display, line=node.start_mark.line + 1)
        values = loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        # Control characters (NUL, ...) are refused by offset, before any line is known.
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(
            f"invalid YAML: unacceptable character #x{exc.character:04x}: {exc.reason}",
            file=display,
            line=line,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(
            f"invalid YAML: {problem}", file=display, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=display) from None
    except (RecursionError, ValueError, TypeError, OverflowError, LookupError) as exc:
        # PyYAML's constructors fail this way on junk such as `!!int` with no digits.
        raise ConfigError(f"invalid YAML: {type(exc).__name__}: {exc}"[:300], file=display) from None
    finally:
        if loader is not None:
            loader.dispose()
    return values


def load_vars_file(path: Path, display: str) -> dict[str, Any]:
    """Read a YAML vars file: a mapping of variable names to values. An empty file is `{}`.

    Args:
        path: The file to read.
        display: How to name the file in error messages.

    Raises:
        ConfigError: One line, `file:line: message` when a line is known: the file cannot be
            read, is not UTF-8, is not valid YAML (duplicate keys included), or is not a mapping
            with string keys.
    """
    try:
        data = read_limited(path)
    except FileTooLarge as exc:
        raise ConfigError(str(exc), file=display) from None
    except OSError as exc:
        raise ConfigError(f"cannot read vars file: {exc.strerror or exc}", file=display) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", file=display, line=line
        ) from None
    try:
        values = _parse_vars(text, display, _fast_vars_loader)
    except ConfigError:
        if _fast_vars_loader is _VarsLoader:
            raise
        # Parsed again by PyYAML, which finds the same error and words it better (libyaml says
        # "found character that cannot start any token" for a tab, without naming it); a file
        # that loads, the common case, is read once, by libyaml.
        values = _parse_vars(text, display, _VarsLoader)
    if not isinstance(values, dict):  # a merge of a non-mapping; the checks above catch the rest
        raise ConfigError("a vars file must be a mapping of names to values", file=display)
    return values
