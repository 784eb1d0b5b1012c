"""The `/// resource | path` directive as pymdownx.blocks reads it: header, options, end.

The Markdown extension (markdown/directive.py) expands the directives this finds, and the site
check (site/check.py) reads the same ones with `iter_directives`, so both agree on which lines are
directive headers (a header inside a fenced code block, fences.py, is code, not a directive) and
on what is wrong with one: a malformed header, a missing closing `///`, content, bad options, an
unusable path. One parser, so `appreg check` reports what would stop the build, worded the same.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Iterator, Sequence

import yaml

from mkdocs_appreg.common.errors import DirectiveError
from mkdocs_appreg.common.limits import alias_problem
from mkdocs_appreg.pages.fences import TAB_LENGTH, find_fences

DIRECTIVE_NAME = "resource"

# The labels of the two tabs a directive becomes, unless configured. Material's
# `content.tabs.link` links tabs across the site by their label text, so these must stay
# byte-identical to the labels the hand-written pages use (and `appreg migrate` recognises).
DEFAULT_YAML_LABEL = "YAML Resource"
DEFAULT_COMMAND_LABEL = "`kubectl apply` command"

# Same shape as pymdownx.blocks' `RE_START`, except any indentation: Python-Markdown removes the
# indentation of list items and admonition bodies only after preprocessors have run.
# Tabs are allowed between the parts because whitespace is normalized only after preprocessors.
BLOCK_START = re.compile(
    r"^(?P<indent>[ \t]*)(?P<slashes>/{3,})[ \t]*(?P<name>[\w-]+)[ \t]*(?:\|(?P<arg>.*))?$"
)
# Anything that starts like our directive, so a malformed header is reported instead of ignored.
DIRECTIVE_LIKE = re.compile(rf"^[ \t]*/{{3,}}[ \t]*{DIRECTIVE_NAME}(?![\w-])", re.IGNORECASE)


def indent_width(indent: str, tab_length: int) -> int:
    return len(indent.expandtabs(tab_length))


def live_block_lines(lines: Sequence[str], tab_length: int = TAB_LENGTH) -> list[int]:
    """0-based indices of the lines holding `///` that are Markdown, not fenced code."""
    candidates = [index for index, line in enumerate(lines) if "///" in line]
    if not candidates:
        return []
    code = find_fences(lines, tab_length).code_lines()
    live: list[int] = []
    position = 0
    for index in candidates:
        while position < len(code) and code[position][1] < index:
            position += 1
        if position < len(code) and code[position][0] <= index:
            continue  # inside a fence: shown as code
        live.append(index)
    return live


def directive_paths(lines: Sequence[str], tab_length: int = TAB_LENGTH) -> list[tuple[int, str]]:
    """(1-based line, path) of every `/// resource | path` header outside fenced code."""
    found: list[tuple[int, str]] = []
    for index in live_block_lines(lines, tab_length):
        line = lines[index].rstrip("\r")
        header = BLOCK_START.match(line) if DIRECTIVE_LIKE.match(line) else None
        path = (header["arg"] or "").strip() if header is not None else ""
        if path:
            found.append((index + 1, path))
    return found


DEFAULT_KUBECTL = "kubectl apply -f -"
DEFAULT_LANG = "yaml"

OPTION_NAMES = ("command", "kubectl", "lang", "yaml")
# pymdownx.blocks' own options are indented by 4 more than the header (`RE_INDENT_YAML_LINE`).
OPTION_INDENT = 4

_BLOCK_END = re.compile(r"^(?P<indent>[ \t]*)(?P<slashes>/{3,})[ \t]*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# PyYAML's libyaml-based loader when it was built with it (the pure-Python one otherwise).
_C_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# superfences' fence language pattern (`RE_NESTED_FENCE_START`, group `lang`); compiled on first use,
# since only a directive with a `lang` option needs it.
@functools.cache
def _lang() -> re.Pattern[str]:
    return re.compile(r"^[\w#.+-]+$")


# A plain class (common/records.py says why).
class ResourceOptions:
    """What one directive expands to, after its options are applied over the defaults.

    Attributes:
        yaml_label: Label of the YAML tab, or None to leave that tab out.
        command_label: Label of the `kubectl` tab, or None to leave that tab out.
        lang: Fence language of the YAML tab.
        kubectl: The command the heredoc is fed to.
    """

    __slots__ = ("command_label", "kubectl", "lang", "yaml_label")

    yaml_label: str | None
    command_label: str | None
    lang: str
    kubectl: str

    def __init__(
        self,
        yaml_label: str | None = DEFAULT_YAML_LABEL,
        command_label: str | None = DEFAULT_COMMAND_LABEL,
        lang: str = DEFAULT_LANG,
        kubectl: str = DEFAULT_KUBECTL,
    ) -> None:
        self.yaml_label = yaml_label
        self.command_label = command_label
        self.lang = lang
        self.kubectl = kubectl


class Directive:
    """One `/// resource` directive found in a page: where it ends, its options and its path.

    Attributes:
        start: 0-based index of the header line; `header_line` is the same, 1-based.
        end: 0-based index of the closing `///` (the header's own index when there is none).
        options_end: 0-based index of the first line after the indented options.
        problem: What is wrong with its shape (no closing `///`, content), or None.
    """

    def __init__(self, lines: Sequence[str], start: int, header: re.Match[str], tab_length: int) -> None:
        self.lines = lines
        self.start = start
        self.header_line = start + 1
        self.indent = indent_width(header["indent"], tab_length)
        self.slashes = header["slashes"]
        self.path = (header["arg"] or "").strip()
        self.tab_length = tab_length
        self.options_end = start + 1
        while self.options_end < len(lines) and self._is_option_line(lines[self.options_end]):
            self.options_end += 1
        self.end = start
        self.problem: DirectiveError | None = None
        self._find_end()

    def _indent_of(self, line: str) -> int:
        stripped = line.lstrip(" \t")
        return indent_width(line[: len(line) - len(stripped)], self.tab_length)

    def _is_option_line(self, line: str) -> bool:
        line = line.rstrip("\r")
        return bool(line.strip()) and self._indent_of(line) >= self.indent + OPTION_INDENT

    def _find_end(self) -> None:
        """Find the closing `///`; record a problem if it is missing or content comes before it."""
        content: int | None = None
        for index in range(self.options_end, len(self.lines)):
            line = self.lines[index].rstrip("\r")
            if not line.strip():
                continue
            end = _BLOCK_END.match(line)
            if end is not None and end["slashes"] == self.slashes:
                if self._indent_of(line) != self.indent:
                    self.end = index
                    self.problem = DirectiveError(
                        f"closing `{self.slashes}` is indented {self._indent_of(line)} spaces; the "
                        f"`{DIRECTIVE_NAME}` header on line {self.header_line} is indented {self.indent}",
                        line=index + 1,
                    )
                    return
                self.end = index
                if content is not None:
                    self.problem = DirectiveError(
                        f"the `{DIRECTIVE_NAME}` directive takes no content; options go directly under its "
                        "header, indented 4 spaces",
                        line=content + 1,
                    )
                return
            # Another block starting, or one closing with a different fence, means ours never closed.
            if end is not None or BLOCK_START.match(line) is not None:
                break
            if content is None:
                content = index
        self.end = self.start
        self.problem = DirectiveError(
            f"`{DIRECTIVE_NAME}` directive has no closing `{self.slashes}` at its indentation",
            line=self.header_line,
        )

    def checked(self, defaults: ResourceOptions) -> tuple[ResourceOptions, str]:
        """Its options over `defaults`, and its path, or the first thing that stops the build.

        Raises:
            DirectiveError: its shape, an option or the path is wrong, with the 1-based page line.
        """
        if self.problem is not None:
            raise self.problem
        return self.options(defaults), self.checked_path()

    def checked_path(self) -> str:
        path = self.path
        if not path:
            raise DirectiveError(
                f"`{DIRECTIVE_NAME}` directive needs a path: `/// {DIRECTIVE_NAME} | path/to/file.yaml`",
                line=self.header_line,
            )
        # A `"` would end the `--8<-- "..."` line early, and snippets skips paths starting with `;`.
        if '"' in path or path.startswith(";"):
            raise DirectiveError(
                f'path `{path}` cannot be used in a snippet line (no `"`, no leading `;`)',
                line=self.header_line,
            )
        return path

    def options(self, defaults: ResourceOptions) -> ResourceOptions:
        """Parse the indented YAML under the header, as pymdownx.blocks reads a block's options."""
        first = self.start + 1
        raw = [line.rstrip("\r") for line in self.lines[first : self.options_end]]
        if not raw:
            return defaults
        text = textwrap.dedent("\n".join(raw))
        try:
            # libyaml first (a tenth of the pure-Python parser's cost); its messages are worded
            # differently, so an error is reported as PyYAML words it.
            return _parsed_options(text, first, defaults, _C_LOADER)
        except DirectiveError:
            if _C_LOADER is yaml.SafeLoader:
                raise
            return _parsed_options(text, first, defaults, yaml.SafeLoader)


def iter_directives(
    lines: Sequence[str], tab_length: int = TAB_LENGTH
) -> Iterator[tuple[int, int, Directive | DirectiveError]]:
    """Every live directive of a page, in order: (0-based header index, 0-based last line, it).

    A line that starts like the directive but is no header is a `DirectiveError` (malformed
    header) spanning that line. Lines inside a directive are not searched again.
    """
    done = 0
    for index in live_block_lines(lines, tab_length):
        if index < done:
            continue  # inside a directive already found
        line = lines[index].rstrip("\r")
        if DIRECTIVE_LIKE.match(line) is None:
            continue
        header = BLOCK_START.match(line)
        if header is None:
            error = DirectiveError(
                f"malformed header; write `/// {DIRECTIVE_NAME} | path/to/file.yaml`", line=index + 1
            )
            yield index, index, error
            done = index + 1
            continue
        directive = Directive(lines, index, header, tab_length)
        yield index, directive.end, directive
        done = directive.end + 1


def _parsed_options(
    text: str, first: int, defaults: ResourceOptions, loader_class: type[yaml.SafeLoader]
) -> ResourceOptions:
    seen: dict[str, int] = {}
    loader: yaml.SafeLoader | None = None
    line = first + 1
    try:
        loader = loader_class(text)
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode):
            raise DirectiveError("options must be a YAML mapping such as `yaml: Manifest`", line=line)
        aliasing = alias_problem(node)
        if aliasing is not None:
            raise DirectiveError(f"options are not valid YAML: {aliasing[1]}", line=line)
        options = defaults
        for key_node, value_node in node.value:
            line = first + key_node.start_mark.line + 1
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str) or key not in OPTION_NAMES:
                raise DirectiveError(f"unknown option `{key}`; allowed: {', '.join(OPTION_NAMES)}", line=line)
            if key in seen:
                raise DirectiveError(f"option `{key}` is set twice (first on line {seen[key]})", line=line)
            seen[key] = line
            line = first + value_node.start_mark.line + 1
            options = _apply_option(options, key, loader.construct_object(value_node, deep=True), line)
    except yaml.YAMLError as error:
        # Worded and located as for resources (control characters, by offset, included).
        # Imported here: a build that reuses its results must not load the validator.
        from mkdocs_appreg.engine.documents import describe_yaml_error

        where, _column, problem = describe_yaml_error(error, text)
        raise DirectiveError(f"options are not valid YAML: {problem}", line=first + where) from None
    except (RecursionError, ValueError, TypeError, OverflowError, LookupError) as error:
        # PyYAML's constructors fail this way on junk such as `!!int abc`.
        problem = f"{type(error).__name__}: {error}"[:200]
        raise DirectiveError(f"options are not valid YAML: {problem}", line=line) from None
    finally:
        if loader is not None:
            loader.dispose()
    if options.yaml_label is None and options.command_label is None:
        last = max(seen.get("yaml", 0), seen.get("command", 0)) or first + 1
        raise DirectiveError("`yaml: false` and `command: false` leave no tab to show", line=last)
    return options


def _apply_option(options: ResourceOptions, key: str, value: object, line: int) -> ResourceOptions:
    if key in ("yaml", "command"):
        if value is False:
            label = None
        elif is_single_line(value):
            label = str(value).strip()
        else:
            raise DirectiveError(f"option `{key}` must be a tab label or false, not {value!r}", line=line)
        if key == "yaml":
            return ResourceOptions(label, options.command_label, options.lang, options.kubectl)
        return ResourceOptions(options.yaml_label, label, options.lang, options.kubectl)
    if key == "lang":
        if not isinstance(value, str) or not _lang().match(value):
            raise DirectiveError(
                f"option `lang` must be a fence language such as `yaml`, not {value!r}", line=line
            )
        return ResourceOptions(options.yaml_label, options.command_label, value, options.kubectl)
    if not is_single_line(value):
        raise DirectiveError(f"option `kubectl` must be a one-line command, not {value!r}", line=line)
    return ResourceOptions(options.yaml_label, options.command_label, options.lang, str(value).strip())


def is_single_line(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not _LINE_BREAK.search(value)
