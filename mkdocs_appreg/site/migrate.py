"""`appreg migrate`: hand-written YAML / `kubectl apply` tab pairs become templates and directives.

A pair is recognised only in the shape the EDA pages write it, and its close variants:

    /// tab | YAML Resource                  (either tab first; `new: true` allowed)

    ```yaml                                  (yaml or yml)
    --8<-- "docs/path/file.yaml"             (one include, or the YAML itself, inline)
    ```

    ///
    /// tab | `kubectl apply` command

    ```bash                                  (bash, sh or shell)
    kubectl apply -f - <<EOF                 (<<EOF, <<'EOF' or <<"EOF"; any `kubectl ... -f -`)
    --8<-- "docs/path/file.yaml"             (the same include, or the same YAML)
    EOF
    ```

    ///

at any indentation (admonitions, list items). Anything else, including a pair whose two tabs show
different YAML, an include with a line range or section, a file outside the docs directory or
YAML holding Jinja syntax, is left exactly as it is and reported as skipped with the reason.

An included file moves to the template tree (`docs/x/y.yaml` -> `templates/x/y.yaml.j2`); inline
YAML becomes a new template beside the page's other resources (`docs/x/resources/<kind>-<name>.yaml`).
The pair becomes `/// resource | <path>`, with options only for what differs from the defaults.
Migrating a migrated page changes nothing.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from mkdocs_appreg.pages.directives import DEFAULT_COMMAND_LABEL, DEFAULT_YAML_LABEL, DIRECTIVE_NAME
from mkdocs_appreg.pages.fences import find_fences

__all__ = ["Change", "MigrationPlan", "Skipped", "diff", "migrate_pages"]

DEFAULT_KUBECTL = "kubectl apply -f -"

_TAB = re.compile(r"^(?P<indent>[ \t]*)///[ \t]*tab[ \t]*\|[ \t]*(?P<label>\S.*?)[ \t]*$")
_CLOSE = re.compile(r"^(?P<indent>[ \t]*)///[ \t]*$")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w#.+-]*)[ \t]*$")
_INCLUDE = re.compile(r"""^-+8<-+[ \t]+(["'])(?P<path>[^"']+)\1[ \t]*$""")
_HEREDOC = re.compile(
    r"""^(?P<command>kubectl(?:[ \t]+[^<>|;&$`'"\\\n]+?)?[ \t]+-f[ \t]+-)[ \t]*<<[ \t]*(?P<q>['"]?)(?P<delim>[A-Za-z_][A-Za-z0-9_]*)(?P=q)[ \t]*$"""
)
_YAML_LANGS = ("yaml", "yml")
_SHELL_LANGS = ("bash", "sh", "shell")
_JINJA = re.compile(r"\{[{%#]|[}%#]\}")
_NAME_PART = re.compile(r"[^a-z0-9]+")


class Change:
    """One file the migration writes (`new` text), or removes (`new` None); `old` None: created."""

    __slots__ = ("new", "old", "path")

    def __init__(self, path: Path, old: str | None, new: str | None) -> None:
        self.path = path
        self.old = old
        self.new = new


class Skipped:
    """A tab pair, or something like one, left as it is: the page, its line and why."""

    __slots__ = ("line", "page", "reason")

    def __init__(self, page: Path, line: int, reason: str) -> None:
        self.page = page
        self.line = line
        self.reason = reason


class MigrationPlan:
    """What `appreg migrate` would do: the file changes, the pairs migrated and those skipped."""

    __slots__ = ("changes", "migrated", "skipped")

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.migrated: list[tuple[Path, int, str]] = []
        self.skipped: list[Skipped] = []


class _Pair:
    __slots__ = (
        "command",
        "command_label",
        "end",
        "include",
        "indent",
        "lang",
        "start",
        "yaml_label",
        "yaml_text",
    )

    def __init__(self) -> None:
        self.start = 0
        self.end = 0
        self.indent = ""
        self.yaml_label = ""
        self.command_label = ""
        self.lang = "yaml"
        self.command = DEFAULT_KUBECTL
        self.include: str | None = None
        self.yaml_text = ""


class _NotAPair(Exception):
    """Why the tabs at a line are not migrated; `quiet` when they do not even look like a pair."""

    def __init__(self, reason: str, *, quiet: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.quiet = quiet


def _tab(
    lines: Sequence[str], start: int, indent: str, fence_ends: Mapping[int, int]
) -> tuple[str, list[str], str, int]:
    """One `/// tab | label` block at `indent`: (label, fence lines, fence language, index after it).

    Returns the label, the lines strictly inside its single fence (indent removed), the fence's
    language and the index of the tab's closing `///`.
    """
    header = _TAB.match(lines[start])
    if header is None or header["indent"] != indent:
        raise _NotAPair("not a tab", quiet=True)
    index = start + 1
    if index < len(lines) and lines[index] == f"{indent}    new: true":
        index += 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines):
        raise _NotAPair("the tab has no fence", quiet=True)
    opening = _FENCE.match(lines[index])
    if opening is None or opening["indent"] != indent:
        raise _NotAPair("the tab holds something other than one fenced block", quiet=True)
    closing = fence_ends.get(index)
    if closing is None or lines[closing] != f"{indent}{opening['fence']}":
        raise _NotAPair("the tab's fence is not closed at its indentation", quiet=True)
    body = []
    for line in lines[index + 1 : closing]:
        if line.strip() and not line.startswith(indent):
            raise _NotAPair("a line of the fence is indented less than the fence", quiet=True)
        body.append(line[len(indent) :] if line.strip() else "")
    after = closing + 1
    while after < len(lines) and not lines[after].strip():
        after += 1
    if after >= len(lines) or lines[after] != f"{indent}///":
        raise _NotAPair("the tab holds more than one fenced block", quiet=True)
    return header["label"], body, opening["lang"], after


def _content(body: list[str]) -> tuple[str | None, str]:
    """A fence's body as (include path, None) or (None, YAML text)."""
    if len(body) == 1:
        include = _INCLUDE.match(body[0])
        if include is not None:
            return include["path"], ""
    if any("8<-" in line for line in body):
        raise _NotAPair("the fence mixes an include with other lines")
    return None, "".join(line + "\n" for line in body)


def _pair_at(lines: Sequence[str], start: int, fence_ends: Mapping[int, int]) -> _Pair:
    header = _TAB.match(lines[start])
    assert header is not None
    indent = header["indent"]
    first_label, first_body, first_lang, first_end = _tab(lines, start, indent, fence_ends)
    second = first_end + 1
    while second < len(lines) and not lines[second].strip():
        second += 1
    if second >= len(lines) or _TAB.match(lines[second]) is None:
        raise _NotAPair("a single tab, not a YAML / kubectl pair", quiet=True)
    second_label, second_body, second_lang, second_end = _tab(lines, second, indent, fence_ends)
    tabs = [(first_label, first_body, first_lang), (second_label, second_body, second_lang)]
    yaml_tabs = [t for t in tabs if t[2] in _YAML_LANGS]
    shell_tabs = [t for t in tabs if t[2] in _SHELL_LANGS]
    if len(yaml_tabs) != 1 or len(shell_tabs) != 1:
        raise _NotAPair("the tabs are not one YAML fence and one shell fence", quiet=True)
    (yaml_label, yaml_body, lang), (command_label, shell_body, _) = yaml_tabs[0], shell_tabs[0]
    if len(shell_body) < 3:
        raise _NotAPair("the shell fence is not a heredoc")
    heredoc = _HEREDOC.match(shell_body[0])
    if heredoc is None or shell_body[-1] != heredoc["delim"]:
        raise _NotAPair("the shell fence is not one `kubectl ... -f - <<EOF` heredoc")
    include, text = _content(yaml_body)
    heredoc_include, heredoc_text = _content(shell_body[1:-1])
    if (include, text) != (heredoc_include, heredoc_text):
        raise _NotAPair("the YAML tab and the heredoc show different YAML")
    if include is None and not text.strip():
        raise _NotAPair("the YAML tab is empty")
    if lines[start + 1] != f"{indent}    new: true" and _follows_a_tab(lines, start, indent):
        raise _NotAPair("the pair continues the tab set before it")
    following = second_end + 1
    while following < len(lines) and not lines[following].strip():
        following += 1
    if (
        following < len(lines)
        and _TAB.match(lines[following]) is not None
        and lines[following].startswith(f"{indent}/")
        and lines[following + 1 : following + 2] != [f"{indent}    new: true"]
    ):
        raise _NotAPair("a third tab follows in the same tab set")
    pair = _Pair()
    pair.start, pair.end, pair.indent = start, second_end, indent
    pair.yaml_label, pair.command_label, pair.lang = yaml_label, command_label, lang
    pair.command = " ".join(heredoc["command"].split())
    pair.include, pair.yaml_text = include, text
    return pair


def _follows_a_tab(lines: Sequence[str], start: int, indent: str) -> bool:
    """Whether the block closed just before `start` is a tab, which blocks.tab merges with ours."""
    index = start - 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    if index < 0 or lines[index] != f"{indent}///":
        return False
    for earlier in range(index - 1, -1, -1):
        line = lines[earlier]
        if line.startswith(f"{indent}///") and line.strip() != "///":
            return _TAB.match(line) is not None  # the header of the block that closed there
    return False


def _directive(pair: _Pair, path: str, yaml_label: str, command_label: str) -> list[str]:
    options = []
    if pair.yaml_label != yaml_label:
        options.append(f"yaml: {json.dumps(pair.yaml_label, ensure_ascii=False)}")
    if pair.command_label != command_label:
        options.append(f"command: {json.dumps(pair.command_label, ensure_ascii=False)}")
    if pair.lang != "yaml":
        options.append(f"lang: {pair.lang}")
    if pair.command != DEFAULT_KUBECTL:
        options.append(f"kubectl: {json.dumps(pair.command, ensure_ascii=False)}")
    indent = pair.indent
    return [
        f"{indent}/// {DIRECTIVE_NAME} | {path}",
        *(f"{indent}    {option}" for option in options),
        f"{indent}///",
    ]


def _inline_name(text: str, taken: set[str]) -> str:
    """`<kind>-<name>.yaml` from the YAML's first document, made unique among `taken`."""
    stem = "resource"
    try:
        document = next(iter(yaml.safe_load_all(text)), None)
    except yaml.YAMLError:
        document = None
    if isinstance(document, dict):
        kind = document.get("kind")
        metadata = document.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        parts = [str(part) for part in (kind, name) if isinstance(part, str) and part]
        if parts:
            stem = _NAME_PART.sub("-", "-".join(parts).lower()).strip("-") or stem
    candidate, number = f"{stem}.yaml", 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}.yaml"
    return candidate


class _Project:
    """Where pages, included files and templates are, and what the migration has planned so far."""

    def __init__(
        self,
        root: Path,
        docs_dir: Path,
        templates_dir: Path,
        suffix: str,
        yaml_label: str,
        command_label: str,
    ) -> None:
        self.root = root
        self.docs_dir = docs_dir
        self.docs_prefix = docs_dir.relative_to(root).as_posix()
        self.templates_dir = templates_dir
        self.suffix = suffix
        self.yaml_label = yaml_label
        self.command_label = command_label
        self.templates: dict[Path, str] = {}  # planned template -> its text
        self.removed: dict[Path, str] = {}  # included files that move -> their text

    def template_for(self, docs_path: str) -> Path:
        return self.templates_dir / f"{docs_path}{self.suffix}"

    def existing_template(self, template: Path) -> str | None:
        if template in self.templates:
            return self.templates[template]
        try:
            return template.read_text(encoding="utf-8") if template.is_file() else None
        except (OSError, UnicodeDecodeError):
            return "\0unreadable"

    def plan_template(self, template: Path, text: str) -> None:
        existing = self.existing_template(template)
        if existing is not None and existing != text:
            raise _NotAPair(f"{self.show(template)} exists with other content")
        if existing is None:
            self.templates[template] = text

    def show(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def included(self, include: str) -> tuple[str, str]:
        """(docs path, text) of an included file that can move to the template tree."""
        if ":" in include.split("/")[-1] and not (self.root / include).is_file():
            raise _NotAPair(f"the include `{include}` selects lines or a section")
        prefix = f"{self.docs_prefix}/"
        if not include.startswith(prefix) or ".." in include.split("/"):
            raise _NotAPair(f"the include `{include}` is not under {prefix}")
        source = self.root / include
        if source.is_symlink() or not source.is_file():
            raise _NotAPair(f"the include `{include}` is not a regular file")
        if source in self.removed:
            return include[len(prefix) :], self.removed[source]
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise _NotAPair(f"the include `{include}` cannot be read: {error}") from None
        return include[len(prefix) :], text

    def migrate_pair(self, page: Path, pair: _Pair) -> list[str]:
        if pair.include is not None:
            docs_path, text = self.included(pair.include)
            source = self.root / pair.include
        else:
            docs_path, text, source = self._new_resource(page, pair.yaml_text), pair.yaml_text, None
        if _JINJA.search(text):
            raise _NotAPair("the YAML holds Jinja syntax ({{, {% or {#) a template would interpret")
        if source is not None:
            # The file's own text, not the template's: the diff's removal must match the bytes on
            # disk (a file without a final newline gets "\ No newline at end of file").
            self.removed[source] = text
        if not text.endswith("\n"):
            text += "\n"
        self.plan_template(self.template_for(docs_path), text)
        return _directive(pair, f"{self.docs_prefix}/{docs_path}", self.yaml_label, self.command_label)

    def _new_resource(self, page: Path, text: str) -> str:
        folder = page.parent.relative_to(self.docs_dir).as_posix()
        folder = "resources" if folder == "." else f"{folder}/resources"
        taken = {
            path.name for path in (self.docs_dir / folder).glob("*") if path.is_file() or path.is_symlink()
        }
        taken |= {
            path.name.removesuffix(self.suffix)
            for path in [*self.templates, *(self.templates_dir / folder).glob("*")]
            if path.parent == self.templates_dir / folder
        }
        return f"{folder}/{_inline_name(text, taken)}"


def _migrate_page(project: _Project, page: Path, text: str, plan: MigrationPlan) -> str:
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    # The page's fences as superfences finds them (pages/fences.py): first line -> last line.
    fence_ends = dict(find_fences(lines).code_lines())
    while index < len(lines):
        line = lines[index]
        closing = fence_ends.get(index)
        if closing is not None:
            out.extend(lines[index : closing + 1])  # a fence outside tabs: shown code, not a pair
            index = closing + 1
            continue
        if _TAB.match(line) is None:
            out.append(line)
            index += 1
            continue
        try:
            pair = _pair_at(lines, index, fence_ends)
            replacement = project.migrate_pair(page, pair)
        except _NotAPair as reason:
            if not reason.quiet:
                plan.skipped.append(Skipped(page, index + 1, reason.reason))
            out.append(line)
            index += 1
            continue
        out.extend(replacement)
        plan.migrated.append((page, index + 1, replacement[0].strip()))
        index = pair.end + 1
    return "\n".join(out)


def migrate_pages(
    pages: Sequence[Path],
    *,
    root: Path,
    docs_dir: Path,
    templates_dir: Path,
    template_suffix: str = ".j2",
    yaml_label: str = DEFAULT_YAML_LABEL,
    command_label: str = DEFAULT_COMMAND_LABEL,
) -> MigrationPlan:
    """Plan the migration of `pages` (Markdown files under `docs_dir`); nothing is written.

    Args:
        pages: The pages to migrate, absolute.
        root: The directory of mkdocs.yml: `--8<--` paths are relative to it (snippets' default
            base path).
        docs_dir: The docs directory; included files must lie in it.
        templates_dir: Where templates go, mirroring `docs_dir`.
        template_suffix: The template suffix (`.j2`).
        yaml_label: The site's default YAML tab label (the plugin's `yaml_label`).
        command_label: The site's default command tab label (`command_label`).
    """
    project = _Project(root, docs_dir, templates_dir, template_suffix, yaml_label, command_label)
    plan = MigrationPlan()
    for page in pages:
        try:
            text = page.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            plan.skipped.append(Skipped(page, 0, f"cannot be read: {error}"))
            continue
        if "\r" in text:
            plan.skipped.append(Skipped(page, 0, "has CR line endings; migrate handles LF pages only"))
            continue
        if "/// tab" not in text:
            continue
        new = _migrate_page(project, page, text, plan)
        if new != text:
            plan.changes.append(Change(page, text, new))
    for template, text in project.templates.items():
        plan.changes.append(Change(template, None, text))
    for source, text in project.removed.items():
        plan.changes.append(Change(source, text, None))
    return plan


def diff(plan: MigrationPlan, root: Path) -> str:
    """The plan as one unified diff, paths relative to `root` (`a/` and `b/` prefixes, as git)."""
    chunks: list[str] = []
    for change in plan.changes:
        try:
            name = change.path.relative_to(root).as_posix()
        except ValueError:
            name = str(change.path)
        old = (change.old or "").splitlines(keepends=True)
        new = (change.new or "").splitlines(keepends=True)
        before = f"a/{name}" if change.old is not None else "/dev/null"
        after = f"b/{name}" if change.new is not None else "/dev/null"
        for line in difflib.unified_diff(old, new, before, after):
            chunks.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(chunks)
