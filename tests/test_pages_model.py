"""The page model (pages/fences.py, pages/snippets.py) against the installed pymdown-extensions.

Every answer here comes from pymdown-extensions itself, not from a copy of its rules: which lines
superfences stashes as fenced code (its preprocessor run on the page), which of those its indented
code block processor puts back as text (its `revert_greedy_fences`, observed), and which files
snippets includes (its preprocessor run over real files). The model is the code that decides the
same things without Markdown, for the directive and for the site check. CI runs this module under
the lowest supported pymdown-extensions too (`.ci/pages-model`).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymdownx import superfences

from mkdocs_appreg.pages.directives import directive_paths
from mkdocs_appreg.pages.fences import find_fences
from mkdocs_appreg.pages.snippets import included_paths, snippet_resolver

# What a Material site enables around fences: lists, admonitions, details and tabs nest content.
EXTENSIONS = [
    "pymdownx.superfences",
    "pymdownx.highlight",
    "admonition",
    "pymdownx.details",
    "pymdownx.tabbed",
]
TOKEN = re.compile(r"tok\d+")


def superfences_code(text: str) -> set[str]:
    """The tokens superfences renders as fenced code: stashed by its preprocessor, not reverted."""
    md = markdown.Markdown(extensions=EXTENSIONS)
    stashed = set(TOKEN.findall(text)) - set(
        TOKEN.findall("\n".join(md.preprocessors["fenced_code_block"].run(text.split("\n"))))
    )
    md = markdown.Markdown(extensions=EXTENSIONS)
    code = md.parser.blockprocessors["code"]
    reverted: list[str] = []
    original = code.revert_greedy_fences

    def observed(block: str) -> Any:
        restored = original(block)
        reverted.append(restored)
        return restored

    code.revert_greedy_fences = observed
    md.convert(text)
    return stashed - {token for block in reverted for token in TOKEN.findall(block)}


def model_code(text: str) -> set[str]:
    lines = text.split("\n")
    return {
        token
        for fence in find_fences(lines).fences
        if not fence.indented_code
        for line in lines[fence.open_index + 1 : fence.close_index]
        for token in TOKEN.findall(line)
    }


def _supports(option: str) -> bool:
    return option in inspect.getsource(superfences.highlight_validator)


FENCE_CASES = {
    "plain": "```yaml\na: tok1\n```\n",
    "unknown option": "```yaml foo=bar\na: tok1\n```\n",
    "title": '```yaml title="x y"\na: tok1\n```\n',
    "bare title": "```yaml title\na: tok1\n```\n",
    "bare linenums": "```yaml linenums\na: tok1\n```\n",
    "linenums": '```yaml linenums="1"\na: tok1\n```\n',
    "hl_lines not numbers": '```yaml hl_lines="x"\na: tok1\n```\n',
    "hl_lines": '```yaml hl_lines="1 2-3"\na: tok1\n```\n',
    "attribute list": "```{.yaml data-appreg-ignore}\na: tok1\n```\n",
    "attribute list glued to the language": "```yaml{.x}\na: tok1\n```\n",
    "attribute list after the language": "```yaml {.x}\na: tok1\n```\n",
    "backtick in a title": '```yaml title="a`b"\na: tok1\n```\n',
    "inline code then a fence": "```x```\n\n```yaml\na: tok1\n```\n",
    "indented at the top of the page": "    ```yaml\n    a: tok1\n    ```\n",
    "indented under a paragraph line": "Text\n    ```yaml\n    a: tok1\n    ```\n",
    "indented after a paragraph": "Text\n\n    ```yaml\n    a: tok1\n    ```\n",
    "in a list item": "- item\n\n    ```yaml\n    a: tok1\n    ```\n",
    "indented code in a list item": "- item\n\n        ```yaml\n        a: tok1\n        ```\n",
    "in a tight list item": "- item\n    ```yaml\n    a: tok1\n    ```\n",
    "in an admonition": "!!! note\n\n    ```yaml\n    a: tok1\n    ```\n",
    "in a content tab": '=== "One"\n\n    ```yaml\n    a: tok1\n    ```\n',
    "an unclosed fence hides the rest": "```\nfoo\n\n```yaml\na: tok2\n",
    "a line indented too little ends the attempt": "  ```yaml\n  a: tok1\nb\n  ```\n\n```yaml\na: tok2\n```\n",
    "a shorter run does not close": "````yaml\n```\na: tok1\n```\n````\n",
    "tildes": "~~~yaml\na: tok1\n~~~\n",
    "closing with trailing blanks": "```yaml\na: tok1\n```   \n",
    "closing with text after it": "```yaml\na: tok1\n``` x\nb: tok2\n```\n",
    "tab indentation": "\t```yaml\n\ta: tok1\n\t```\n",
    "deeper lines inside": "  ```yaml\n  a: tok1\n    b: tok2\n  ```\n",
    "a deeper closing line is content": "  ```yaml\n  a: tok1\n    ```\n  ```\n",
    "indented code then a fence": "    code\n    ```yaml\n    a: tok1\n    ```\n",
    "indented under a paragraph line by 8": "Text\n        ```yaml\n        a: tok1\n        ```\n",
    "two blocks": "```yaml\na: tok1\n```\n\n    ```yaml\n    b: tok2\n    ```\n",
    "list then top level": "1. one\n\n    ```yaml\n    a: tok1\n    ```\n\n```yaml\nb: tok2\n```\n",
    "upper-case language": "```YAML\na: tok1\n```\n",
    "dotted language": "```.yaml\na: tok1\n```\n",
    "empty attribute list": "```{}\na: tok1\n```\n",
    "language with #": "```c#\na: tok1\n```\n",
    "a blockquote line inside": "  ```yaml\n  > a: tok1\n  ```\n",
    "a blank line in an indented fence": "  ```yaml\n  a: tok1\n\n  b: tok2\n  ```\n",
    "title_mode": '```yaml title_mode="x"\na: tok1\n```\n',
}


@pytest.mark.parametrize("text", FENCE_CASES.values(), ids=FENCE_CASES.keys())
def test_fences_are_the_ones_superfences_renders(text: str) -> None:
    if "title_mode" in text and not _supports("title_mode"):
        pytest.skip("this pymdown-extensions has no title_mode option: the header is no fence there")
    assert model_code(text) == superfences_code(text)


PIECES = [
    "```yaml",
    "```",
    "~~~",
    "````",
    "  ```",
    "    ```yaml",
    "        ```",
    "```yaml foo=bar",
    '```yaml title="t"',
    "```{.yaml}",
    "\t```",
    "text",
    "- item",
    "!!! note",
    "",
    "",
    "    code",
    "  > quoted",
]


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from([*PIECES, "{token}", "  {token}", "    {token}"]), max_size=14))
def test_any_page_has_the_fences_superfences_renders(pieces: list[str]) -> None:
    lines = [piece.replace("{token}", f"a: tok{index}") for index, piece in enumerate(pieces)]
    text = "\n".join(lines) + "\n"
    assert model_code(text) == superfences_code(text)


def test_a_directive_in_a_fence_is_code_for_both() -> None:
    page = ["```yaml foo=bar", "/// resource | a.yaml", "///", "", "```yaml", "/// resource | b.yaml", "```"]
    # The first header is rejected, so its lines are Markdown; the second fence is a fence.
    assert directive_paths(page) == [(2, "a.yaml")]
    text = "\n".join(page).replace("a.yaml", "tok1").replace("b.yaml", "tok2")
    assert superfences_code(text) == model_code(text) == {"tok2"}


# --- snippets -----------------------------------------------------------------------------------

SNIPPET_CASES = {
    "inline": ['--8<-- "a.txt"'],
    "single quotes": ["--8<-- 'a.txt'"],
    "short marker": ['-8<- "a.txt"'],
    "indented": ['    --8<-- "a.txt"'],
    "text after the path": ['--8<-- "a.txt" trailing'],
    "blanks after the path": ['--8<-- "a.txt"  '],
    "unquoted": ["--8<-- a.txt"],
    "escaped": [';--8<-- "a.txt"'],
    "line range": ['--8<-- "a.txt:1:1"'],
    "section": ['--8<-- "s.txt:sec"'],
    "block": ["--8<--", "a.txt", "b.txt", "--8<--"],
    "block marker with a blank after it": ["--8<-- ", "a.txt", "--8<--", "b.txt"],
    "commented path in a block": ["--8<--", ";a.txt", "b.txt", "--8<--"],
    "inline inside a block": ["--8<--", '--8<-- "a.txt"', "b.txt", "--8<--"],
    "unclosed block": ["--8<--", "a.txt"],
    "escaped block marker": [";--8<--", "a.txt", "--8<--", "b.txt", "--8<--"],
    "URL": ['--8<-- "https://example.com/a.txt"'],
    "two inline": ['--8<-- "a.txt"', "text", '--8<-- "b.txt"'],
}


@pytest.fixture(scope="module")
def snippet_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("snippets")
    (base / "a.txt").write_text("TOKA\n", encoding="utf-8")
    (base / "b.txt").write_text("TOKB\n", encoding="utf-8")
    (base / "s.txt").write_text("--8<-- [start:sec]\nTOKS\n--8<-- [end:sec]\n", encoding="utf-8")
    return base


def snippets_included(lines: list[str], base: Path) -> set[str]:
    """The files pymdownx.snippets includes into these lines (each file holds its own token)."""
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": {"base_path": [str(base)], "check_paths": False}},
    )
    out = "\n".join(md.preprocessors["snippet"].run(list(lines)))
    return {name for name, token in (("a.txt", "TOKA"), ("b.txt", "TOKB"), ("s.txt", "TOKS")) if token in out}


@pytest.mark.parametrize("lines", SNIPPET_CASES.values(), ids=SNIPPET_CASES.keys())
def test_included_paths_are_the_files_snippets_reads(lines: list[str], snippet_files: Path) -> None:
    resolve = snippet_resolver([snippet_files])
    model = {path for _index, _column, path in included_paths(lines) if resolve(path) is not None}
    assert model == snippets_included(lines, snippet_files)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.sampled_from(
            [
                "--8<--",
                "--8<-- ",
                ";--8<--",
                "a.txt",
                "b.txt",
                ";b.txt",
                '--8<-- "a.txt"',
                '--8<-- "b.txt" x',
                "text",
            ]
        ),
        max_size=10,
    )
)
def test_any_snippet_lines_include_what_snippets_includes(lines: list[str], snippet_files: Path) -> None:
    resolve = snippet_resolver([snippet_files])
    model = {path for _index, _column, path in included_paths(lines) if resolve(path) is not None}
    assert model == snippets_included(lines, snippet_files)
