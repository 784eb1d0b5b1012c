"""The `/// resource | path` directive: one line that becomes the YAML / `kubectl apply` tab pair.

A page writes

    /// resource | docs/development/resources/registry.yaml
    ///

and a Python-Markdown preprocessor expands it, before `pymdownx.snippets` runs, into the
`pymdownx.blocks.tab` markup that pages used to copy by hand: a tab with the YAML pulled in by a
`--8<--` line, and a tab with the same file inside a `kubectl apply -f - <<'EOF'` heredoc. Snippets
then resolves the `--8<--` lines, superfences renders the fences and blocks.tab the tabs, so the
extension works in any Python-Markdown pipeline, with or without MkDocs.

The text logic (`expand_directives`, `heredoc_delimiter`, `tab_markup`, and the page model in
`mkdocs_appreg.pages`: fences, directive headers, snippet lines and paths) does not need Markdown; `ResourceExtension` only wires it into a `markdown.Markdown` instance.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Callable, Container, Mapping, Sequence
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from mkdocs_appreg.common.errors import ConfigError, DirectiveError
from mkdocs_appreg.common.limits import MAX_PAGE_INCLUDED_BYTES, MAX_PAGE_INCLUDES
from mkdocs_appreg.pages.directives import (
    DEFAULT_COMMAND_LABEL,
    DEFAULT_KUBECTL,
    DEFAULT_LANG,
    DEFAULT_YAML_LABEL,
    OPTION_INDENT,
    OPTION_NAMES,
    Directive,
    ResourceOptions,
    is_single_line,
    iter_directives,
)
from mkdocs_appreg.pages.snippets import included_paths, refuse_found, resolve_snippet_path, snippet_resolver
from mkdocs_appreg.site.options import EXTENSION_OPTIONS, PLUGIN_ONLY_OPTIONS, PROJECT_OPTIONS

__all__ = [
    "DEFAULT_COMMAND_LABEL",
    "DEFAULT_KUBECTL",
    "DEFAULT_LANG",
    "DEFAULT_YAML_LABEL",
    "OPTION_INDENT",
    "OPTION_NAMES",
    "PRIORITY",
    "ResourceExtension",
    "ResourceOptions",
    "ResourcePreprocessor",
    "check_snippet_lines",
    "code_fence",
    "content_lines",
    "expand_directives",
    "heredoc_delimiter",
    "makeExtension",
    "resolve_snippet_path",
    "tab_markup",
]

DEFAULT_DELIMITER = "EOF"

# pymdownx.snippets registers at 32; a higher priority runs earlier, so snippets sees our `--8<--` lines.
PRIORITY = 33
PREPROCESSOR_NAME = "appreg_resource"
SNIPPETS = "snippet"  # pymdownx.snippets' preprocessor

# The plugin's options that also configure the extension in standalone mode (site/options.py),
# and `docs_dir`, which a host without a configuration of its own cannot tell.
PROJECT_OPTION_NAMES = frozenset([*PROJECT_OPTIONS, "docs_dir"])

# The directive itself (header, options, end) is the page model's (pages/directives.py), shared
# with `appreg check`; this module turns it into markup.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

OnError = Callable[[DirectiveError], object]
Resolver = Callable[[str], Path | None]


def heredoc_delimiter(text: str) -> str:
    """Choose a heredoc delimiter that no line of `text` can be mistaken for.

    Bash ends a heredoc at the first line that is exactly the delimiter, so `EOF` is used unless the
    text has such a line; then `EOF_1`, `EOF_2`, ... The choice depends only on the text.

    Args:
        text: The content that goes between the heredoc's first line and its delimiter.

    Returns:
        `EOF`, or the first `EOF_<n>` that is not a line of `text`.
    """
    if DEFAULT_DELIMITER not in text:
        return DEFAULT_DELIMITER  # no line can be `EOF` or `EOF_<n>`: the common case, no split
    # Split like Python's universal newlines, because that is how pymdownx.snippets reads the file:
    # a lone "\r" starts a new line in what ends up inside the heredoc.
    lines = set(_LINE_BREAK.split(text))
    candidate = DEFAULT_DELIMITER
    suffix = 0
    while candidate in lines:
        suffix += 1
        candidate = f"{DEFAULT_DELIMITER}_{suffix}"
    return candidate


def content_lines(text: str) -> int | None:
    """The number of lines a heredoc must include of `text`, when its final line break would add one.

    pymdownx.snippets splits a file at its line breaks, and since 10.x keeps the empty string after
    a final one (older releases dropped it): in a fence that empty line is a blank line before
    `EOF`, which the hand-written pages never had. A line range (`path:1:N`) selects the same lines
    under every snippets release. None when the file does not end in a line break (or is empty):
    the plain path then includes exactly its lines.
    """
    if "\r" not in text:
        # Only `\n` breaks lines: the split below, counted without making the list of lines.
        return text.count("\n") if text.endswith("\n") else None
    parts = _LINE_BREAK.split(text)
    if len(parts) < 2 or parts[-1] != "":
        return None
    return len(parts) - 1


_BACKTICKS = re.compile(r"`{3,}")


def code_fence(text: str) -> str:
    """A backtick fence no line of `text` can close: longer than its longest backtick run.

    CommonMark closes a fence at a line of at least as many backticks, superfences at a line of
    exactly the opening fence, both indented by up to three spaces (superfences: any number):
    a value line that is just ```` ``` ```` would otherwise end the code block and let the rest of
    the file (`<img onerror=...>`) render as Markdown and HTML. CommonMark allows fences of any
    length, and so does superfences.
    """
    if "```" not in text:
        return "```"  # no run of three to outdo: the common case, no pattern
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def tab_markup(
    path: str,
    options: ResourceOptions,
    *,
    delimiter: str,
    indent: int = 0,
    line_count: int | None = None,
    fence: str = "```",
) -> list[str]:
    """Produce the `pymdownx.blocks.tab` lines for one resource.

    The lines are those of the hand-written pages, with two changes: the first tab has `new: true`,
    so that each resource starts its own tab set, and the heredoc delimiter is quoted, so that the
    shell expands neither `$` nor backticks in the YAML.

    Args:
        path: The snippet path, written as is into the `--8<--` lines.
        options: Labels, fence language and command; at least one label must be set.
        delimiter: The heredoc delimiter (see `heredoc_delimiter`).
        indent: Number of spaces every non-blank line is indented by.
        line_count: The file's line count without its final line break (see `content_lines`):
            the heredoc then includes `path:1:line_count`, so no blank line comes before the delimiter.
        fence: The backtick fence of both code blocks (see `code_fence`).

    Returns:
        The lines, without line endings; blank lines are empty strings.

    Raises:
        ValueError: If both labels are None.
    """
    tabs: list[tuple[str, list[str]]] = []
    snippet = f'--8<-- "{path}"'
    if options.yaml_label is not None:
        tabs.append((options.yaml_label, [f"{fence}{options.lang}", snippet, fence]))
    if options.command_label is not None:
        included = f'--8<-- "{path}:1:{line_count}"' if line_count else snippet
        heredoc = [f"{options.kubectl} <<'{delimiter}'", included, delimiter]
        tabs.append((options.command_label, [f"{fence}bash", *heredoc, fence]))
    if not tabs:
        raise ValueError("a resource directive needs at least one tab")

    lines: list[str] = []
    for position, (label, body) in enumerate(tabs):
        lines.append(f"/// tab | {label}")
        if position == 0:
            lines.append(" " * OPTION_INDENT + "new: true")
        lines.extend(["", *body, "", "///"])
    prefix = " " * indent
    return [prefix + line if line else line for line in lines]


def check_snippet_lines(
    lines: Sequence[str],
    resolve: Resolver,
    *,
    on_error: OnError | None = None,
    resolved: Container[int] = (),
) -> None:
    """Refuse every `--8<--` path of a page that leaves the snippet base paths.

    pymdownx.snippets' `restrict_base_path` compares paths as written, so a symlink inside a base
    that points elsewhere (`docs/x.yaml -> /proc/self/environ`) would be published in the page;
    `resolve` (see `resolve_snippet_path`) follows symlinks and raises ValueError for those, for
    absolute paths and for `..` escapes.

    `resolved`: 0-based lines that are includes of a path `resolve` already answered without
    refusing it (the ones a directive expanded into, see `included_paths`' `skip`).

    Raises:
        DirectiveError: For the first refused path, with its 1-based line, unless `on_error` is given.
    """
    for index, _column, path in included_paths(lines, skip=resolved):
        try:
            resolve(path)
        except ValueError as error:
            problem = DirectiveError(f"snippet {error}", line=index + 1)
            if on_error is None:
                raise problem from None
            on_error(problem)


def expand_directives(
    lines: list[str],
    resolve: Resolver,
    *,
    check_paths: bool = True,
    yaml_label: str = DEFAULT_YAML_LABEL,
    command_label: str = DEFAULT_COMMAND_LABEL,
    on_error: OnError | None = None,
    tab_length: int = 4,
    encoding: str = "utf-8",
    searched: Sequence[str] = (),
) -> list[str]:
    """Replace every `/// resource | path` directive in a page by its tab markup.

    Directives inside fenced code blocks (``` or ~~~, at any indentation) are left alone, so a page
    can show the directive itself. A fence counts only if it is closed, as in pymdownx.superfences.

    Args:
        lines: The page, one line per item, as Python-Markdown hands it to preprocessors.
        resolve: Maps a directive path to the file snippets will include, or None if there is none;
            raises ValueError for a path that must be refused. See `resolve_snippet_path`.
        check_paths: If True, a path that does not resolve is an error. If False, the directive is
            expanded anyway with the delimiter `EOF`.
        yaml_label: Label of the YAML tab when the directive does not set `yaml`.
        command_label: Label of the command tab when the directive does not set `command`.
        on_error: If given, called with each `DirectiveError` instead of raising it; the directive's
            lines are then kept unexpanded and the rest of the page is still processed.
        tab_length: Width of a tab character when measuring indentation.
        encoding: Encoding of the resource files (the one snippets is configured with).
        searched: The base paths `resolve` looks in, named in the error for a file not found.

    Returns:
        The page with its directives expanded.

    Raises:
        DirectiveError: For a malformed directive, with `line` the 1-based page line, unless
            `on_error` is given.
    """
    return _expand_page(
        lines,
        resolve,
        check_paths=check_paths,
        defaults=ResourceOptions(yaml_label=yaml_label, command_label=command_label),
        on_error=on_error,
        tab_length=tab_length,
        encoding=encoding,
        searched=searched,
    )[0]


def _expand_page(
    lines: list[str],
    resolve: Resolver,
    *,
    check_paths: bool,
    defaults: ResourceOptions,
    on_error: OnError | None,
    tab_length: int,
    encoding: str,
    searched: Sequence[str],
    texts: Mapping[str, str] | None = None,
) -> tuple[list[str], list[int]]:
    """`expand_directives`, and the 0-based lines of the result that are an include of a path
    `resolve` answered for a directive (`check_snippet_lines`' `resolved`).

    `texts`: the extension's `texts` option (files' texts by the path `resolve` answers).
    """
    out: list[str] = []
    resolved: list[int] = []
    done = 0  # the lines before it are in `out`
    for index, end, found in iter_directives(lines, tab_length):  # the others are copied as they are
        out.extend(lines[done:index])
        try:
            if isinstance(found, DirectiveError):
                raise found
            markup = _expand(
                found,
                resolve,
                defaults,
                check_paths=check_paths,
                encoding=encoding,
                searched=searched,
                texts=texts,
            )
            _resolved_includes(found.path, markup, len(out), resolved)
            out.extend(markup)
        except DirectiveError as error:
            if on_error is None:
                raise
            on_error(error)
            out.extend(lines[index : end + 1])
        done = end + 1
    out.extend(lines[done:])
    return out, resolved


def _resolved_includes(path: str, markup: Sequence[str], start: int, into: list[int]) -> None:
    """Add to `into` the lines of `markup` (placed at `start`) that include `path` itself.

    `tab_markup` writes `--8<-- "<path>"` and `--8<-- "<path>:1:<n>"`; snippets (and
    `included_paths`) read both as an include of `path` exactly when `path` holds no `:` (which a
    line or section selector would start; `"` and a leading `;` the directive refuses), and the
    directive has just resolved `path` without a refusal. Any other line, a label or command
    that holds `8<-` included, is left to the check.
    """
    if ":" in path:
        return
    quoted = f'--8<-- "{path}'
    ranged = quoted + ":1:"
    for offset, line in enumerate(markup):
        if "8<-" in line:
            text = line.lstrip(" ")
            count = text[len(ranged) : -1] if text.startswith(ranged) and text.endswith('"') else ""
            if text == quoted + '"' or (count.isascii() and count.isdigit()):
                into.append(start + offset)


def _expand(
    directive: Directive,
    resolve: Resolver,
    defaults: ResourceOptions,
    *,
    check_paths: bool,
    encoding: str,
    searched: Sequence[str],
    texts: Mapping[str, str] | None = None,
) -> list[str]:
    options, path = directive.checked(defaults)
    try:
        resolved = resolve(path)
    except ValueError as error:
        raise DirectiveError(str(error), line=directive.header_line) from None
    delimiter = DEFAULT_DELIMITER
    line_count = None
    fence = "```"
    if resolved is not None:
        text = texts.get(str(resolved)) if texts else None
        if text is None:
            text = _read(directive, resolved, encoding)
        delimiter = heredoc_delimiter(text)
        line_count = content_lines(text)
        fence = code_fence(text)
    elif check_paths:
        where = f" ({', '.join(searched)})" if searched else ""
        raise DirectiveError(
            f"`{path}` was not found in any snippet base path{where}", line=directive.header_line
        )
    return tab_markup(
        path, options, delimiter=delimiter, indent=directive.indent, line_count=line_count, fence=fence
    )


class _Directive(Directive):
    """A directive of the page model (pages/directives.py) that expands into its tab markup."""

    def expand(
        self,
        resolve: Resolver,
        defaults: ResourceOptions,
        *,
        check_paths: bool,
        encoding: str,
        searched: Sequence[str],
    ) -> list[str]:
        return _expand(self, resolve, defaults, check_paths=check_paths, encoding=encoding, searched=searched)


def _read(directive: Directive, resolved: Path, encoding: str) -> str:
    try:
        return resolved.read_text(encoding=encoding)
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise DirectiveError(
            f"cannot read `{directive.path}`: {reason}", line=directive.header_line
        ) from None


class ResourcePreprocessor(Preprocessor):  # type: ignore[misc]  # markdown ships no type hints for mypy
    """Expands `/// resource` directives; registered above pymdownx.snippets."""

    def __init__(
        self, md: Markdown, config: Mapping[str, Any], project: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(md)
        # Made absolute now, as snippets does when it is set up, so a later chdir changes nothing.
        self.base_path = [os.path.abspath(base) for base in config["base_path"]]
        self.check_paths: bool = config["check_paths"]
        self.yaml_label: str = config["yaml_label"]
        self.command_label: str = config["command_label"]
        self.on_error: OnError | None = config["on_error"]
        self.resolver: Resolver | None = config["resolver"]
        self.texts: Mapping[str, str] | None = config["texts"]
        self.standalone: str = config["standalone"]
        self.project_options: Mapping[str, Any] = project or {}

    def run(self, lines: list[str]) -> list[str]:
        """Expand every directive in the page, then refuse snippet lines that would leave the bases."""
        if self.standalone != "false":
            from mkdocs_appreg.markdown.standalone import HostContext

            host = HostContext.of(self.md.preprocessors)
            if host is not None or self.standalone == "true":
                return self._run_standalone(lines, host)
        return self._expand(lines, self.resolver or snippet_resolver(self.base_path), self.on_error)

    def _run_standalone(self, lines: list[str], host: Any) -> list[str]:
        """The plugin's job too: render on demand, check the site, fail the build on an error.

        Runs when no MkDocs plugin drives the extension: under Zensical (which registers its page
        context in every page's Markdown instance), or with `standalone: true`.
        """
        from mkdocs_appreg.markdown.standalone import BuildFailure, prepend_to_snippets, project_for

        config = host.config if host is not None else {}
        root = Path(str(config.get("root_dir") or os.getcwd())).resolve()
        docs_dir = root / str(config.get("docs_dir") or self.project_options.get("docs_dir") or "docs")
        source = "appreg options"
        # Markdown's Registry has no .get(); `in` looks the name up.
        snippets = self.md.preprocessors[SNIPPETS] if SNIPPETS in self.md.preprocessors else None  # noqa: SIM401
        bases = [Path(b) for b in getattr(snippets, "base_path", None) or self.base_path]
        project = project_for(
            self.project_options,
            root=root,
            docs_dir=docs_dir,
            base_path=bases,
            source=source,
            ignore=EXTENSION_OPTIONS,
        )
        if project is None:  # `enabled: false`
            return self._expand(lines, self.resolver or snippet_resolver(self.base_path), self.on_error)
        with project.lock:
            project.refresh()
            project.report(strict=host is not None and host.strict)
            resolver = project.resolver
        searched = prepend_to_snippets(self.md.preprocessors, project.settings.snippet_root) or [
            project.settings.snippet_root,
            *bases,
        ]
        page_path = host.page_path if host is not None else None
        page = f"{project.settings.docs_prefix}/{page_path}" if page_path else "<page>"
        offset = _front_matter_lines(docs_dir / page_path, lines) if page_path else 0

        def fail(error: DirectiveError) -> None:
            line = f"{error.line + offset}:" if error.line is not None else ""
            raise BuildFailure(f"{page}:{line} {error.reason}")

        return self._expand(lines, resolver, self.on_error or fail, [str(base) for base in searched])

    def _expand(
        self, lines: list[str], resolve: Resolver, on_error: OnError | None, searched: list[str] | None = None
    ) -> list[str]:
        # Each directive's path is resolved again by the snippet-line check after expansion: one
        # answer per path, for the page, or for the build when the plugin gave its resolver.

        # Directives act only on lines holding `///`, which most pages lack: such a page is not
        # scanned for fences at all. (The snippet check skips lines without `8<-` by itself.)
        expanded = lines
        resolved: list[int] = []
        if any("///" in line for line in lines):
            expanded, resolved = _expand_page(
                lines,
                resolve,
                check_paths=self.check_paths,
                defaults=ResourceOptions(yaml_label=self.yaml_label, command_label=self.command_label),
                on_error=on_error,
                tab_length=self.md.tab_length,
                encoding="utf-8",
                searched=self.base_path if searched is None else searched,
                texts=self.texts,
            )
        # The includes a directive just wrote name a path it resolved (through this same,
        # remembering `resolve`): only the page's other `--8<--` lines are parsed again.
        check_snippet_lines(expanded, resolve, on_error=on_error, resolved=frozenset(resolved))
        guard_snippets(self.md, on_error, _guard_memo(self.resolver))
        reset_include_budget(self.md)
        return expanded


def _front_matter_lines(page: Path, lines: Sequence[str]) -> int:
    """Lines the host stripped from the top of the page (its front matter) before converting it."""
    # Read only to place an error; a page that cannot be read has no offset to add.
    try:
        source = page.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    shown = [line.rstrip("\r") for line in lines]
    while shown and not shown[-1].strip():
        shown.pop()  # the line after the last newline, and whatever the host appended
    while source and not source[-1].strip():
        source.pop()
    if not shown or len(source) < len(shown):
        return 0
    offset = len(source) - len(shown)
    return offset if source[offset:] == shown else 0


_GUARDED = "_appreg_guarded"


# What the guard decided for each include, per build: `(path, found, bases)` -> None when it
# passed, else the refusal. Keyed by the build's resolver (the plugin gives one per build, which
# makes this one build's memo, gone with it); an include named on every page (a site's 400
# directives each include their file twice) is then checked once, not 800 times (a few lstat
# calls each). Without a resolver (the extension on its own) each page checks its own.
GuardMemo = dict[tuple[str, str, tuple[str, ...]], "str | None"]
_GUARD_MEMOS: weakref.WeakKeyDictionary[Resolver, GuardMemo] = weakref.WeakKeyDictionary()


def _guard_memo(resolver: Resolver | None) -> GuardMemo | None:
    if resolver is None:
        return None
    memo = _GUARD_MEMOS.get(resolver)
    if memo is None:
        memo = _GUARD_MEMOS[resolver] = {}
    return memo


def _refusal(path: str, found: str, bases: list[str], memo: GuardMemo | None) -> str | None:
    """Why `refuse_found` refuses the include, or None; answered once per build with a memo."""
    key = (path, found, tuple(bases))
    if memo is not None and key in memo:
        return memo[key]
    try:
        refuse_found(path, found, bases)
        refusal = None
    except ValueError as error:
        refusal = str(error)
    if memo is not None:
        memo[key] = refusal
    return refusal


def guard_snippets(md: Markdown, on_error: OnError | None, memo: GuardMemo | None = None) -> None:
    """Make pymdownx.snippets refuse, for every include it follows, what the page check refuses.

    The page's own `--8<--` lines are checked before snippets runs (`check_snippet_lines`), but
    snippets also follows the includes *inside* included files, and inside rendered resources
    (a block scalar may hold a `--8<--` line): those it resolves by itself, comparing paths as
    written, so a committed `docs/env.txt -> /proc/self/environ` would be published. Its
    `get_snippet_path` (pymdownx/snippets.py) is the one place every local include passes
    through; it is wrapped on this Markdown instance's snippets preprocessor, once.
    """
    if "snippet" not in md.preprocessors:
        return
    snippets = md.preprocessors["snippet"]
    if getattr(snippets, _GUARDED, False) or not callable(getattr(snippets, "get_snippet_path", None)):
        return
    original = snippets.get_snippet_path

    def get_snippet_path(path: str) -> str | None:
        found = original(path)
        if found is None:
            return None
        try:
            refusal = _refusal(path, found, _snippet_bases(snippets), memo)
            if refusal is not None:
                raise ValueError(refusal)
            _count_include(snippets, found)
        except ValueError as error:
            problem = DirectiveError(f"snippet {error}", line=None)
            if on_error is None:
                raise problem from None
            on_error(problem)
            return None  # a callback that collects errors: the file is still not included
        return found  # type: ignore[no-any-return]

    snippets.get_snippet_path = get_snippet_path
    setattr(snippets, _GUARDED, True)


def _snippet_bases(snippets: Any) -> list[str]:
    """The base directories snippets searches: `get_bases()` where it exists (newer
    pymdown-extensions memoize them there; 10.14.2, the lowest allowed, has none), else its
    `base_path` list, checked the same way."""
    get_bases = getattr(snippets, "get_bases", None)
    if callable(get_bases):
        return [base for base, is_dir in get_bases() if is_dir]
    return [base for base in getattr(snippets, "base_path", ()) if os.path.isdir(base)]


_BUDGET = "_appreg_included"


def reset_include_budget(md: Markdown) -> None:
    """Start a page's include budget (`MAX_PAGE_INCLUDES`, `MAX_PAGE_INCLUDED_BYTES`) afresh."""
    if "snippet" in md.preprocessors:
        setattr(md.preprocessors["snippet"], _BUDGET, [0, 0])


def _count_include(snippets: object, found: str) -> None:
    """Count one include against the page's budget; ValueError past it (snippets bounds only depth)."""
    budget = getattr(snippets, _BUDGET, None)
    if budget is None:
        budget = [0, 0]
        setattr(snippets, _BUDGET, budget)
    try:
        size = os.stat(found).st_size
    except (OSError, ValueError):
        size = 0
    budget[0] += 1
    budget[1] += size
    if budget[0] > MAX_PAGE_INCLUDES or budget[1] > MAX_PAGE_INCLUDED_BYTES:
        raise ValueError(
            f"includes on this page go past {MAX_PAGE_INCLUDES:,} files or "
            f"{MAX_PAGE_INCLUDED_BYTES // (1024 * 1024)} MiB in total"
        )


class ResourceExtension(Extension):  # type: ignore[misc]  # markdown ships no type hints for mypy
    """Python-Markdown extension for the `/// resource | path` directive.

    Use it with `pymdownx.snippets`, `pymdownx.superfences` and `pymdownx.blocks.tab`, which render
    what it expands to. Configuration options:

    - `base_path` (list of str, default `["."]`): where resource paths are looked up, in order, first
      hit wins, relative entries against the current directory. Give it the same list as
      `pymdownx.snippets`' `base_path`, so the file read to choose the heredoc delimiter is the file
      snippets includes.
    - `check_paths` (bool, default True): a path found in no base path is an error. If False, the
      directive is expanded anyway with the delimiter `EOF`.
    - `yaml_label` (str, default `YAML Resource`): label of the YAML tab.
    - `command_label` (str, default `` `kubectl apply` command ``): label of the command tab.
    - `on_error` (callable or None, default None): called with each `DirectiveError` instead of
      raising it; the directive is then left unexpanded. The MkDocs plugin uses it to name the page.
    - `resolver` (callable or None, default None): resolves a path as snippets would: the file, None
      when no base path has it, ValueError to refuse it. The MkDocs plugin passes one
      `snippets.snippet_resolver(base_path)` per build, so each path is resolved once per site.
    - `texts` (mapping or None, default None): the text of files the host holds, by the path
      `resolver` answers for them, read from there instead of the disk to choose a directive's
      heredoc delimiter, line count and fence. Only for texts known to be the files' content:
      the MkDocs plugin passes the files it has just rendered into the cache, or compared with
      it byte for byte (a fence chosen from another text could be closed by a line of the file).
    """

    def __init__(self, **kwargs: Any) -> None:
        self.config: dict[str, list[Any]] = {
            "base_path": [["."], 'Snippet base paths, in order, first hit wins - Default: ["."]'],
            "check_paths": [True, "A path found in no base path is an error - Default: True"],
            "yaml_label": [DEFAULT_YAML_LABEL, f"Label of the YAML tab - Default: {DEFAULT_YAML_LABEL!r}"],
            "command_label": [
                DEFAULT_COMMAND_LABEL,
                f"Label of the command tab - Default: {DEFAULT_COMMAND_LABEL!r}",
            ],
            "on_error": [None, "Callable given each DirectiveError instead of raising it - Default: None"],
            "resolver": [
                None,
                "Callable resolving a path as snippets would, e.g. snippets.snippet_resolver(base_path) "
                "(None if not found, ValueError to refuse) - Default: None (resolve over base_path)",
            ],
            "texts": [
                None,
                "Mapping of a file's path (as the resolver answers it) to its text, known to be its "
                "content - Default: None (read the file)",
            ],
            "standalone": [
                "auto",
                "Do the plugin's job too (render, check, fail the build): true, false, or auto "
                "(when the host runs no MkDocs plugin: Zensical) - Default: auto",
            ],
        }
        # The plugin's project options (templates_dir, vars, crds, ...), used in standalone mode.
        self.project_options: dict[str, Any] = {}
        super().__init__(**kwargs)

    def setConfig(self, key: str, value: Any) -> None:
        """Set one option, checking its type (a bad value is a `ConfigError`)."""
        if key in PROJECT_OPTION_NAMES and key not in self.config:
            # Checked by site.options when standalone mode first needs them.
            self.project_options[key] = value
            return
        if key not in self.config:
            if key in PLUGIN_ONLY_OPTIONS:
                raise ConfigError(
                    f"appreg: option `{key}` works only with the MkDocs plugin (see the Hosts page)"
                )
            raise ConfigError(f"appreg: unknown option `{key}`")
        if key == "standalone":
            text = str(value).lower() if isinstance(value, (bool, str)) else ""
            if text not in ("auto", "true", "false"):
                raise ConfigError(f"appreg: `standalone` must be true, false or auto, not {value!r}")
            self.config[key][0] = text
            return
        if key in ("on_error", "resolver"):
            # The base class passes options whose default is None through parseBoolValue, which would
            # turn the callable into True.
            if value is not None and not callable(value):
                raise ConfigError(f"appreg: `{key}` must be a callable or None, not {value!r}")
            self.config[key][0] = value
            return
        if key == "texts":
            if value is not None and not isinstance(value, Mapping):
                raise ConfigError(f"appreg: `texts` must be a mapping or None, not {type(value).__name__}")
            self.config[key][0] = value
            return
        if key == "base_path":
            value = [value] if isinstance(value, (str, os.PathLike)) else value
            if not isinstance(value, list) or not all(isinstance(v, (str, os.PathLike)) for v in value):
                raise ConfigError(f"appreg: `base_path` must be a list of paths, not {value!r}")
            value = [os.fspath(v) for v in value]
        if key in ("yaml_label", "command_label") and not is_single_line(value):
            raise ConfigError(f"appreg: `{key}` must be a one-line, non-empty string, not {value!r}")
        try:
            super().setConfig(key, value)
        except ValueError as error:
            raise ConfigError(f"appreg: `{key}`: {error}") from None

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the preprocessor at `PRIORITY`, ahead of pymdownx.snippets."""
        md.preprocessors.register(
            ResourcePreprocessor(md, self.getConfigs(), dict(self.project_options)),
            PREPROCESSOR_NAME,
            PRIORITY,
        )


def makeExtension(**kwargs: Any) -> ResourceExtension:
    """Return the extension, for `markdown.Markdown(extensions=["mkdocs_appreg.markdown.directive"])`."""
    return ResourceExtension(**kwargs)
