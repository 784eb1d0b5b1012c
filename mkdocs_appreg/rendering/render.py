"""Render resource templates with Jinja into `Rendered` files that map output lines to template lines.

`TemplateRenderer` walks a templates directory, renders each template in the sandbox
(sandbox.py) with the project's variables, and turns every problem a template can cause into a
`Finding` located in the template. How each output line is traced back to its template line is
linemap.py's; the filters are filters.py's; vars files are read by varsfile.py.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import GeneratorType, TracebackType
from typing import Any, cast

from jinja2 import Template
from jinja2.exceptions import (
    SecurityError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.limits import MAX_RENDER_CHARS
from mkdocs_appreg.rendering.linemap import Chunk, line_origins
from mkdocs_appreg.rendering.rendered import Rendered, RenderResult
from mkdocs_appreg.rendering.sandbox import (
    LimitExceeded,
    SandboxEnvironment,
    TemplateLoader,
    TemplateUndecodable,
    deadline_alarm,
)

__all__ = ["RenderResult", "Rendered", "TemplateRenderer"]

# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.


@functools.cache
def _expression_tag() -> re.Pattern[str]:
    return re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


@functools.cache
def _quoted_identifier() -> re.Pattern[str]:
    return re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")


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
        self._env = SandboxEnvironment(TemplateLoader(self._root))

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
        except TemplateUndecodable as exc:
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
        except LimitExceeded as exc:
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
        with deadline_alarm():
            return self._render_in_time(name)

    def _render_in_time(self, name: str) -> Rendered:
        # The budget starts before compiling: Jinja's optimizer folds constant expressions
        # (`[1]|slice(10**9)|list`) while compiling, through the same checked filters.
        self._env.start_budget()
        template = self._env.get_template(name)
        parts: list[str] = []
        chunks: list[Chunk] = []
        offset = 0
        take_note = self._env.take_note
        take_note()
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
                chunks.append(Chunk(offset, where, line, root_line, literal))
                parts.append(part)
                offset += len(part)
                if offset > MAX_RENDER_CHARS:
                    raise LimitExceeded(
                        f"the output is longer than {MAX_RENDER_CHARS} characters", where=(where, line)
                    )
        finally:
            generator.close()
        text = "".join(parts)
        lines = line_origins(text, chunks, name)
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
