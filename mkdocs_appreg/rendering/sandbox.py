"""The Jinja sandbox templates render in: the environment, the loader, and the render limits.

Environment: `ImmutableSandboxedEnvironment` (templates cannot mutate the shared variables),
`StrictUndefined`, no autoescaping, `keep_trailing_newline`, and `trim_blocks` + `lstrip_blocks` so
a line holding only `{% if %}`/`{% for %}`/`{% endfor %}` vanishes from the YAML instead of leaving
a blank or whitespace-only line. (With those on, `{%- if %}` on a line of its own glues the next
line onto the previous one; write `{% if %}`.)

Jinja's sandbox blocks unsafe attributes; the limits (`limits.py`) bound what it does not: the
size of a value, loop steps and the time of one render, each reported as `template.limit`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from jinja2 import FileSystemLoader, StrictUndefined, nodes
from jinja2.environment import Environment
from jinja2.exceptions import TemplateNotFound, UndefinedError
from jinja2.loaders import split_template_path
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mkdocs_appreg.common.limits import (
    MAX_RENDER_CHARS,
    MAX_RENDER_SECONDS,
    MAX_RENDER_STEPS,
    FileTooLarge,
    read_limited,
)
from mkdocs_appreg.common.utf8 import undecodable
from mkdocs_appreg.rendering.filters import FILTERS
from mkdocs_appreg.rendering.linemap import TracingCodeGenerator


class TemplateUndecodable(Exception):
    """A template file is not UTF-8; raised by the loader so an include reports the right file."""

    def __init__(self, name: str, line: int, column: int, reason: str) -> None:
        super().__init__(reason)
        self.name = name
        self.line = line
        self.column = column
        self.reason = reason


class LimitExceeded(Exception):
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
            raise LimitExceeded(f"the template runs more than {MAX_RENDER_STEPS} loop iterations")
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"rendering took longer than {MAX_RENDER_SECONDS:g} seconds")


# A `%` or `str.format` width or precision: `%0999999999d`, `{:>999999999}`.
@functools.cache
def _format_number() -> re.Pattern[str]:
    return re.compile(r"\d{8,}")


# Built-in filters whose output grows with a numeric argument (`center(10**9)`, `indent(10**9)`,
# `batch(10**9, fill)`) or with a format string, checked before they allocate.
_SIZED_FILTERS = ("center", "indent", "batch", "format", "wordwrap", "truncate", "replace", "slice", "join")

MAX_SLICES = 100_000
"""Slices `slice` may build: as many as `range` may count (Jinja's MAX_RANGE)."""


def _text_size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes)) else len(str(value))


def _check_grown(what: str, size: int) -> None:
    if size > MAX_RENDER_CHARS:
        raise LimitExceeded(f"{what} would build {size} characters; the limit is {MAX_RENDER_CHARS}")


def _formatted_size(template: str, values: Iterable[Any]) -> int:
    """An upper bound of `template % values` or `template.format(...)`: every placeholder the
    longest value (widths are checked apart, by `_check_sizes`)."""
    longest = max((_text_size(value) for value in values), default=0)
    return len(template) + (template.count("%") + template.count("{")) * longest


def _joined(what: str, items: Iterable[Any], separator: Any) -> list[Any]:
    """`items` as a list, once their joined size is known to be under the limit."""
    listed = list(items)
    size = sum(_text_size(item) for item in listed) + _text_size(separator) * max(0, len(listed) - 1)
    _check_grown(what, size)
    return listed


def _check_sizes(what: str, args: Iterable[Any]) -> None:
    """Refuse numbers and format widths that would build a value over `MAX_RENDER_CHARS`."""
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_RENDER_CHARS:
            raise LimitExceeded(f"{what}: {arg} is over the limit of {MAX_RENDER_CHARS}")
        if isinstance(arg, str) and len(arg) < 10_000:
            for number in _format_number().findall(arg):
                if int(number) > MAX_RENDER_CHARS:
                    raise LimitExceeded(f"{what}: width {number} is over the limit of {MAX_RENDER_CHARS}")


def _sized_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def checked(*args: Any, **kwargs: Any) -> Any:
        # The filtered value may be the context or environment (pass_context filters): only
        # the arguments after the value are sizes.
        skip = 2 if getattr(function, "jinja_pass_arg", None) is not None else 1
        # `format`'s value is the format string, whose widths are sizes too.
        first = skip - 1 if name == "format" else skip
        _check_sizes(f"filter {name}", [*args[first:], *kwargs.values()])
        if name == "slice" and len(args) > skip and isinstance(args[skip], int) and args[skip] > MAX_SLICES:
            raise LimitExceeded(f"filter slice: {args[skip]} slices is over the limit of {MAX_SLICES}")
        if name == "join" and len(args) >= skip and "attribute" not in kwargs and len(args) <= skip + 1:
            # The value is materialized and measured before anything is joined.
            separator = args[skip] if len(args) > skip else kwargs.get("d", "")
            listed = _joined("filter join", args[skip - 1], separator)
            return function(*args[: skip - 1], listed, *args[skip:], **kwargs)
        if name == "format" and args and isinstance(args[skip - 1], str):
            _check_grown("filter format", _formatted_size(args[skip - 1], [*args[skip:], *kwargs.values()]))
        if name == "replace" and len(args) >= skip + 2:
            value, old, new = args[skip - 1], args[skip], args[skip + 1]
            if isinstance(value, str) and isinstance(new, str):
                grows = (value.count(str(old)) if str(old) else len(value) + 1) * len(new)
                if len(value) + grows > MAX_RENDER_CHARS:
                    raise LimitExceeded(f"filter replace would build more than {MAX_RENDER_CHARS} characters")
        return function(*args, **kwargs)

    checked.__dict__.update(function.__dict__)  # keeps Jinja's `jinja_pass_arg` marker
    checked.__name__ = getattr(function, "__name__", name)
    return checked


@contextlib.contextmanager
def deadline_alarm(seconds: float = MAX_RENDER_SECONDS) -> Iterator[None]:
    """Interrupt the render itself at its deadline, not only between loop steps.

    The step budget is checked at loop iterations, calls and output chunks; a single filter or
    global that loops in Python (`lipsum`, `slice`, a comprehension inside a filter) runs between
    two checks for as long as it likes. A real-time interval timer raises `LimitExceeded` in the
    middle of that work. Signals only reach the main thread, where MkDocs and the CLI render; in
    another thread (or without `setitimer`) the step budget is what remains. A timer someone
    else set is put back afterwards.
    """
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise LimitExceeded(f"rendering took longer than {MAX_RENDER_SECONDS:g} seconds")

    previous = signal.signal(signal.SIGALRM, expire)
    earlier = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if earlier[0]:
            signal.setitimer(signal.ITIMER_REAL, *earlier)


def _bounded_lipsum(lipsum: Callable[..., str]) -> Callable[..., str]:
    """Jinja's `lipsum`, refused when its paragraphs could pass the value limit (`lipsum(10**8)`
    loops in Python for minutes before anything is measured)."""

    def bounded(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        for value in (n, min, max):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise LimitExceeded(f"lipsum: {value!r} is not a count")
        # A word is at most 13 characters with its space (Jinja's LOREM_IPSUM_WORDS).
        _check_grown("lipsum", n * max * 14)
        return lipsum(n=n, html=html, min=min, max=max)

    return bounded


class TemplateLoader(FileSystemLoader):
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
            raise LimitExceeded(str(exc), where=(template, 1)) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, column, reason = undecodable(data, exc)
            raise TemplateUndecodable(template, line, column, reason) from None
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


def _refuse_callables(globals_: dict[str, Any]) -> Callable[[Any], Any]:
    """`finalize` of every `{{ }}`: a function or class printed is a missing variable, not a value.

    Jinja's global functions (`range`, `dict`, `lipsum`, `cycler`, `joiner`, `namespace`) are
    defined in every template, so a variable the vars forgot that shares one of their names is
    not undefined: `{{ namespace }}` printed `<class 'jinja2.utils.Namespace'>` into the YAML.
    """
    names = {id(value): name for name, value in globals_.items()}

    def finalize(value: Any) -> Any:
        if isinstance(value, Undefined) or not callable(value) or isinstance(value, str):
            return value  # an Undefined raises the usual message when printed
        name = names.get(id(value))
        if name is not None:
            raise UndefinedError(
                f"'{name}' is undefined (it names Jinja's built-in {name}(), not a variable: "
                f"define '{name}' in vars or vars_file)"
            )
        raise UndefinedError(
            f"{getattr(value, '__name__', type(value).__name__)!r} is a function, not a value"
        )

    return finalize


class SandboxEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox plus the recording hook the traced templates call, and the render limits.

    Jinja's sandbox blocks unsafe attributes and caps `range` at 100,000 items, but not the size
    of `'x' * 10**9` or the length of nested loops. Operators that can multiply a value are
    intercepted (`call_binop`), every loop's iterable is wrapped so its steps are counted against
    a per-render budget and deadline, and calls and filters that grow with a number are checked
    before they allocate.
    """

    code_generator_class = TracingCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, loader: TemplateLoader) -> None:
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
        self.globals["lipsum"] = _bounded_lipsum(cast("Callable[..., str]", self.globals["lipsum"]))
        # Before any template compiles: the code generator reads `finalize` when it compiles.
        self.finalize = _refuse_callables(self.globals)
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

    def appreg_concat(self, *parts: Any) -> str:
        """`a ~ b ~ c`, measured before it is joined (Jinja's Concat joins `str()` of each part)."""
        texts = [part if isinstance(part, str) else str(part) for part in parts]
        _check_grown("'~'", sum(len(text) for text in texts))
        return "".join(texts)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for concat in list(tree.find_all(nodes.Concat)):
            # A Concat node becomes a call that measures first; the node keeps its place in the
            # tree as a one-part Concat of that call (nodes cannot be swapped from a walk).
            concat.nodes = [
                nodes.Call(
                    nodes.EnvironmentAttribute("appreg_concat", lineno=concat.lineno),
                    list(concat.nodes),
                    [],
                    None,
                    None,
                    lineno=concat.lineno,
                )
            ]
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
                raise LimitExceeded(
                    f"'*' would build a value of {len(sequence) * count} items; the limit is {MAX_RENDER_CHARS}"
                )
        elif operator == "**":
            integers = isinstance(left, int) and isinstance(right, int) and right > 0
            if integers and right * abs(left).bit_length() > 8 * MAX_RENDER_CHARS:
                raise LimitExceeded(f"'**' would build a number of more than {MAX_RENDER_CHARS} bytes")
        elif operator == "%" and isinstance(left, str):
            values = right if isinstance(right, tuple) else [right]
            _check_sizes("'%' formatting", [left, *values])
            _check_grown("'%' formatting", _formatted_size(left, values))
        elif operator == "+":
            sized = isinstance(left, (str, bytes, list, tuple)) and isinstance(
                right, (str, bytes, list, tuple)
            )
            if sized:
                _check_grown("'+'", len(left) + len(right))
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
            method = getattr(getattr(__obj, "__wrapped__", __obj), "__name__", "method")
            what = f"{type(owner).__name__}.{method}"
            _check_sizes(what, [owner, *args])
            _check_sizes("call", kwargs.values())
            if isinstance(owner, str):
                if method == "join" and len(args) == 1 and not kwargs:
                    args = (_joined(what, args[0], owner),)
                elif method in ("format", "format_map"):
                    _check_grown(what, _formatted_size(owner, [*args, *kwargs.values()]))
                elif method == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
                    old, new = args[0], args[1]
                    grows = (owner.count(old) if old else len(owner) + 1) * len(new)
                    _check_grown(what, len(owner) + grows)
        return super().call(__context, __obj, *args, **kwargs)

    def take_note(self) -> tuple[str | None, int, bool, Any] | None:
        """The record of the last traced chunk, cleared so a stale one is never read twice."""
        note: tuple[str | None, int, bool, Any] | None = getattr(self._notes, "last", None)
        self._notes.last = None
        return note
