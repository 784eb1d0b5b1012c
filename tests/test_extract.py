"""extract.py: every YAML example on a page, located in the file its text physically lives in.

The fixtures under tests/fixtures/extract/ are real pages: the status-quo `custom-catalog.md` and
the seed `custom-registry.md` with their resource files, and purpose-built pages under `pages/`.
Expected positions are never written down: each test finds the key's line and column in the
physical file by searching for it, and checks that the example, parsed with its offsets, points
there. A cross-check renders the pages with the real pymdown-extensions and compares.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, parse_documents
from mkdocs_appreg.pages.extract import (
    MAX_INCLUDE_DEPTH,
    Example,
    _Line,
    _piece_text,
    comment_ignore,
    extract_examples,
)

BASE = Path(__file__).parent / "fixtures" / "extract"


def resolve(path: str) -> Path | None:
    candidate = BASE / path
    return candidate if candidate.is_file() else None


def display(path: Path) -> str:
    return path.relative_to(BASE).as_posix()


def extract(page: str) -> tuple[list[Example], list[Finding]]:
    return extract_examples((BASE / page).read_text(encoding="utf-8"), page, resolve=resolve, display=display)


def file_lines(file: str) -> list[str]:
    return (BASE / file).read_text(encoding="utf-8").split("\n")


def physical(file: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the one occurrence of `needle` in a fixture file."""
    hits = [(n, line.index(needle) + 1) for n, line in enumerate(file_lines(file), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} occurs {len(hits)} times in {file}"
    return hits[0]


def page_lines_with(page: str, needle: str) -> list[int]:
    return [n for n, line in enumerate(file_lines(page), 1) if needle in line]


def documents(example: Example) -> list[Document]:
    result = parse_documents(
        example.text, example.file, line_offset=example.line_offset, column_offset=example.column_offset
    )
    assert result.findings == []
    return result.documents


def named(examples: list[Example], name: str) -> list[Example]:
    return [e for e in examples if any(d.name == name for d in documents(e))]


def only(examples: list[Example], name: str) -> tuple[Example, Document]:
    found = named(examples, name)
    assert len(found) == 1, f"{len(found)} examples named {name}"
    document = next(d for d in documents(found[0]) if d.name == name)
    return found[0], document


def assert_maps_onto_file(example: Example) -> None:
    """Every non-blank text line is the file's line at line_offset + i, minus column_offset."""
    lines = file_lines(example.file)
    for index, line in enumerate(example.text.splitlines()):
        source = lines[example.line_offset + index]
        if line:
            assert source[example.column_offset :] == line
            assert not source[: example.column_offset].strip()


# --- the real pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "resource", "pointer", "needle"),
    [
        ("custom-catalog.md", "authSecretRef.yaml", "/data/username", "username:"),
        ("custom-catalog.md", "catalog.yaml", "/spec/skipTLSVerify", "skipTLSVerify:"),
        ("custom-registry.md", "authSecretRef.yaml", "/data/password", "password:"),
        ("custom-registry.md", "registry.yaml", "/spec/remoteURL", "remoteURL:"),
    ],
)
def test_status_quo_pages_locate_keys_in_the_resource_files(
    page: str, resource: str, pointer: str, needle: str
) -> None:
    file = f"docs/development/resources/{resource}"
    examples, findings = extract(page)
    assert findings == []
    pair = [e for e in examples if e.file == file]
    assert [e.origin for e in pair] == ["snippet", "heredoc"]
    include_lines = page_lines_with(page, f'--8<-- "{file}"')
    assert [e.page_line for e in pair] == [include_lines[0], include_lines[1] - 1]  # include, `kubectl` line
    for example in pair:
        assert (example.line_offset, example.column_offset, example.page) == (0, 0, page)
        assert_maps_onto_file(example)
        (document,) = documents(example)
        assert document.locate(pointer) == physical(file, needle)
    assert pair[0].key == pair[1].key  # the same text twice: the checker reports it once


def test_status_quo_page_has_only_its_four_examples() -> None:
    examples, _ = extract("custom-catalog.md")
    assert len(examples) == 4  # the catalog-structure fence has no language; the admonitions no fences


# --- fence shapes ---------------------------------------------------------------------------------

SHAPES = "pages/shapes.md"


@pytest.mark.parametrize(
    "name", ["plain", "tabbed", "tilde", "attribute-form", "admonished", "listed", "nested-list"]
)
def test_fence_shapes(name: str) -> None:
    examples, findings = extract(SHAPES)
    assert findings == []
    example, document = only(examples, name)
    opener = file_lines(SHAPES)[example.page_line - 1]
    assert opener.lstrip().startswith(("```", "~~~"))
    assert example.file == example.page == SHAPES
    assert example.origin == "fence"
    assert example.line_offset == example.page_line  # the text starts right below the opener
    assert example.column_offset == len(opener) - len(opener.lstrip())
    assert_maps_onto_file(example)
    assert document.locate("/metadata/name") == physical(SHAPES, f"name: {name}")


@pytest.mark.parametrize("name", ["json", "inside-python", "unclosed", "abandoned"])
def test_what_is_not_a_yaml_fence(name: str) -> None:
    examples, _ = extract(SHAPES)
    assert not [e for e in examples if name in e.text]


def test_fence_headers_superfences_rejects_are_not_fences() -> None:
    examples, findings = extract("pages/headers.md")
    assert named(examples, "numbered") and named(examples, "spaced")
    assert not named(examples, "bad-header") and not named(examples, "unknown-option")
    # The rejected header's closing fence opens a (text) block that swallows the next fence, as in
    # the rendered page; so only the first header is reported.
    assert [(f.rule, f.line, f.column) for f in findings] == [
        ("fence.header", page_lines_with("pages/headers.md", "```yaml appreg-ignore")[0], 1),
    ]


@pytest.mark.parametrize("header", ['```yaml foo="bar"', "```yml appreg-ignore", "  ```{.yaml}x"])
def test_rejected_yaml_header_is_reported(header: str) -> None:
    examples, findings = extract_examples(f"{header}\na: 1\n```\n", "p.md", resolve=resolve, display=display)
    assert examples == []
    assert [(f.rule, f.line, f.column) for f in findings] == [("fence.header", 1, header.index("`") + 1)]


# --- includes -------------------------------------------------------------------------------------

SNIPPETS = "pages/snippets.md"


@pytest.mark.parametrize(
    ("include", "occurrence", "file", "name", "pointer", "needle"),
    [
        ('--8<-- "docs/snippets/leaf.yaml"', 0, "docs/snippets/leaf.yaml", "leaf", "/kind", "kind:"),
        ("--8<-- 'docs/snippets/leaf.yaml'", 0, "docs/snippets/leaf.yaml", "leaf", "/kind", "kind:"),
        (
            'sections.yaml:namespace"',
            0,
            "docs/snippets/sections.yaml",
            "sectioned",
            "/kind",
            "kind: Namespace",
        ),
        ('sections.yaml:10:17"', 0, "docs/snippets/sections.yaml", "ranged", "/data/colour", "colour:"),
        ('sections.yaml:10"', 0, "docs/snippets/sections.yaml", "ranged", "/metadata/labels", "labels:"),
        ('sections.yaml:10:13,16:17"', 0, "docs/snippets/sections.yaml", "ranged", "/data/colour", "colour:"),
        ('--8<-- "docs/snippets/leaf.yaml"', 2, "docs/snippets/leaf.yaml", "leaf", "/metadata/name", "name:"),
    ],
)
def test_include_forms(
    include: str, occurrence: int, file: str, name: str, pointer: str, needle: str
) -> None:
    examples, findings = extract(SNIPPETS)
    assert findings == []
    page_line = page_lines_with(SNIPPETS, include)[occurrence]
    (example,) = [e for e in examples if e.page_line == page_line]
    assert (example.file, example.origin, example.page, example.column_offset) == (
        file,
        "snippet",
        SNIPPETS,
        0,
    )
    assert "8<" not in example.text  # section markers never reach the YAML
    assert_maps_onto_file(example)
    (document,) = [d for d in documents(example) if d.name == name]
    assert document.locate(pointer) == physical(file, needle)
    ranges = re.search(r":(\d+)(?::\d+)?(?:,|\"$)", include)
    if ranges:  # a line range starts where it says
        assert example.line_offset == int(ranges.group(1)) - 1


def test_escaped_section_marker_is_text_without_the_escape() -> None:
    examples, _ = extract(SNIPPETS)
    example, document = only(examples, "escaped")
    assert document.value["data"]["howto"] == "# --8<-- [start:name] marks a section"
    assert (example.file, example.line_offset) == ("docs/snippets/escaped.yaml", 2)


def test_multiple_ranges_leave_the_gap_out() -> None:
    examples, _ = extract(SNIPPETS)
    (page_line,) = page_lines_with(SNIPPETS, "sections.yaml:10:13,16:17")
    (example,) = [e for e in examples if e.page_line == page_line]
    (document,) = documents(example)
    assert "labels" not in document.value["metadata"]
    assert document.value["data"] == {"colour": "blue"}


def test_block_form() -> None:
    examples, _ = extract(SNIPPETS)
    (path_line,) = [n for n, line in enumerate(file_lines(SNIPPETS), 1) if line == "docs/snippets/leaf.yaml"]
    (example,) = [e for e in examples if e.page_line == path_line]
    assert (example.file, example.origin, example.line_offset) == ("docs/snippets/leaf.yaml", "snippet", 0)
    assert file_lines(SNIPPETS)[path_line - 2] == "--8<--"


def test_nested_include_gives_one_example_per_file() -> None:
    examples, _ = extract(SNIPPETS)
    (page_line,) = page_lines_with(SNIPPETS, "nested.yaml")
    outer, leaf = [e for e in examples if e.page_line == page_line]
    assert (outer.file, leaf.file) == ("docs/snippets/nested.yaml", "docs/snippets/leaf.yaml")
    assert {outer.origin, leaf.origin} == {"snippet"}
    (document,) = documents(outer)
    assert document.locate("/metadata/name") == physical("docs/snippets/nested.yaml", "name: outer")
    for example in (outer, leaf):
        assert_maps_onto_file(example)


def test_fence_mixing_written_lines_and_an_include() -> None:
    examples, _ = extract(SNIPPETS)
    written, document = only(examples, "mixed-literal")
    assert (written.file, written.origin) == (SNIPPETS, "fence")
    assert document.locate("/metadata/name") == physical(SNIPPETS, "name: mixed-literal")
    included = examples[examples.index(written) + 1]
    assert (included.file, included.origin, included.line_offset) == ("docs/snippets/leaf.yaml", "snippet", 0)
    assert included.page_line == page_lines_with(SNIPPETS, '--8<-- "docs/snippets/leaf.yaml"')[1]


def test_markdown_include_brings_its_own_fences() -> None:
    examples, _ = extract(SNIPPETS)
    (include_line,) = page_lines_with(SNIPPETS, '--8<-- "docs/snippets/fenced.md"')
    secret, document = only(examples, "from-markdown")
    assert (secret.file, secret.origin, secret.page_line, secret.column_offset) == (
        "docs/snippets/fenced.md",
        "fence",
        include_line,
        0,
    )
    assert document.locate("/stringData/token") == physical("docs/snippets/fenced.md", "token:")
    # The list item's fence is indented by 4; its section, included on its own at the top level of
    # the page, is an indented code block (superfences reverts the fence), so it is not an example.
    account, document = only(examples, "indented-section")
    assert account.column_offset == 4
    assert document.locate("/metadata/name") == physical("docs/snippets/fenced.md", "name: indented-section")
    assert_maps_onto_file(account)


# --- heredocs -------------------------------------------------------------------------------------

HEREDOCS = "pages/heredocs.md"


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("inline-heredoc", "kubectl apply -f - <<'EOF'"),
        ("prompted", '$ kubectl create -f - <<"YAML"'),
        ("piped", "cat <<EOF | kubectl apply -f -"),
        ("tab-stripped", "apply -f - <<-END"),
        ("zsh-indented", "kubectl apply -f- <<EOF"),
        ("second-in-fence", "kubectl replace --filename=- << 'NEXT'"),
    ],
)
def test_heredoc_with_inline_yaml(name: str, command: str) -> None:
    examples, findings = extract(HEREDOCS)
    assert findings == []
    example, document = only(examples, name)
    (command_line,) = page_lines_with(HEREDOCS, command)
    assert (example.file, example.origin, example.page_line) == (HEREDOCS, "heredoc", command_line)
    assert example.line_offset == command_line
    assert_maps_onto_file(example)
    assert document.locate("/metadata/name") == physical(HEREDOCS, f"name: {name}")


def test_heredoc_with_an_include() -> None:
    examples, _ = extract(HEREDOCS)
    (include_line,) = page_lines_with(HEREDOCS, '--8<-- "docs/snippets/leaf.yaml"')
    example, document = only(examples, "leaf")
    assert (example.file, example.origin, example.line_offset, example.column_offset) == (
        "docs/snippets/leaf.yaml",
        "heredoc",
        0,
        0,
    )
    assert example.page_line == include_line - 1  # the `kubectl apply` line
    assert document.locate("/kind") == physical("docs/snippets/leaf.yaml", "kind:")


def test_heredocs_that_kubectl_does_not_read() -> None:
    examples, _ = extract(HEREDOCS)
    assert not named(examples, "written-to-a-file")
    assert len(examples) == 7


# --- opt-outs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ignore"),
    [
        ("comment-all", frozenset()),
        ("comment-rules", frozenset({"schema.type", "secret.base64"})),
        ("attribute-all", frozenset()),
        ("attribute-rules", frozenset({"meta.name"})),
        ("yaml-comment", frozenset({"schema.type"})),
        ("checked", None),
        ("shell-comment", frozenset({"schema.required"})),
        ("after-shell-comment", None),
        ("all-wins", frozenset()),
    ],
)
def test_opt_outs(name: str, ignore: frozenset[str] | None) -> None:
    examples, _ = extract("pages/optout.md")
    example, _document = only(examples, name)
    assert example.ignore == ignore


def test_opt_out_silences_heredoc_expansion() -> None:
    examples, findings = extract("pages/optout.md")
    example, _document = only(examples, "expansion-allowed")
    assert example.ignore == frozenset({"heredoc.expansion"})
    assert "$HOME" in example.text
    assert findings == []


# --- problems -------------------------------------------------------------------------------------

PROBLEMS = "pages/problems.md"


def test_problems_become_warnings_at_the_include() -> None:
    examples, findings = extract(PROBLEMS)
    got = {(f.rule, f.file, f.line, f.column) for f in findings}
    expanded, unterminated = page_lines_with(PROBLEMS, "kubectl apply -f - <<EOF")
    operator = file_lines(PROBLEMS)[expanded - 1].index("<<") + 1
    assert {f.severity for f in findings} == {"warning"}
    assert got == {
        ("snippet.missing", PROBLEMS, physical(PROBLEMS, "missing.yaml")[0], 1),
        ("snippet.cycle", "docs/snippets/loop-b.md", 1, 1),
        ("snippet.unquoted", PROBLEMS, physical(PROBLEMS, "--8<-- docs/")[0], 1),
        ("snippet.missing", PROBLEMS, physical(PROBLEMS, "no-such-section")[0], 1),
        ("heredoc.expansion", PROBLEMS, expanded, operator),
        ("heredoc.unterminated", PROBLEMS, unterminated, operator),
    }
    expansion = next(f for f in findings if f.rule == "heredoc.expansion")
    line, column = physical(PROBLEMS, "pa$$word")
    assert f"{PROBLEMS}:{line}:{column + 2}" in expansion.message
    assert not [e for e in examples if "example.com" in e.text]  # URL snippets are skipped
    assert named(examples, "never-closed")  # an unclosed heredoc still shows its YAML


def test_include_depth_is_limited(tmp_path: Path) -> None:
    for index in range(MAX_INCLUDE_DEPTH + 5):
        (tmp_path / f"{index}.md").write_text(f'--8<-- "{index + 1}.md"\n', encoding="utf-8")
    examples, findings = extract_examples(
        '--8<-- "0.md"\n',
        "page.md",
        resolve=lambda p: tmp_path / p if (tmp_path / p).is_file() else None,
        display=lambda p: p.name,
    )
    assert examples == []
    assert [(f.rule, f.file) for f in findings] == [("snippet.depth", f"{MAX_INCLUDE_DEPTH - 1}.md")]


def test_a_cycle_through_another_name_of_the_same_file_is_found(tmp_path: Path) -> None:
    """A symlink or a hard link to an including file is that file: its include is a cycle."""
    (tmp_path / "a.md").write_text('--8<-- "b.md"\n', encoding="utf-8")
    (tmp_path / "b.md").write_text('--8<-- "again.md"\n', encoding="utf-8")
    (tmp_path / "again.md").symlink_to(tmp_path / "a.md")
    (tmp_path / "c.md").write_text('--8<-- "hard.md"\n', encoding="utf-8")
    (tmp_path / "hard.md").hardlink_to(tmp_path / "c.md")

    def run(page: str) -> list[tuple[str, str, str]]:
        examples, findings = extract_examples(
            page,
            "page.md",
            resolve=lambda p: tmp_path / p if (tmp_path / p).is_file() else None,
            display=lambda p: p.name,
        )
        assert examples == []
        return [(f.rule, f.file, f.message) for f in findings]

    assert run('--8<-- "a.md"\n') == [
        ("snippet.cycle", "b.md", "snippet includes itself: a.md -> b.md -> again.md")
    ]
    assert run('--8<-- "c.md"\n') == [("snippet.cycle", "c.md", "snippet includes itself: c.md -> hard.md")]


def test_escaped_and_commented_includes_are_not_followed() -> None:
    page = '```yaml\n;--8<-- "docs/snippets/leaf.yaml"\n```\n\n```yaml\n--8<--\n;docs/snippets/leaf.yaml\n--8<--\n```\n'
    examples, findings = extract_examples(page, "p.md", resolve=resolve, display=display)
    assert findings == []
    assert [e.text for e in examples] == ['--8<-- "docs/snippets/leaf.yaml"\n']


def test_line_endings_do_not_matter() -> None:
    text = (BASE / SNIPPETS).read_text(encoding="utf-8")
    lf = extract_examples(text, SNIPPETS, resolve=resolve, display=display)
    crlf = extract_examples(text.replace("\n", "\r\n"), SNIPPETS, resolve=resolve, display=display)
    assert lf == crlf


# --- against the real renderer --------------------------------------------------------------------


def rendered_yaml_blocks(page: str) -> list[str]:
    md = markdown.Markdown(
        extensions=[
            "pymdownx.snippets",
            "pymdownx.superfences",
            "pymdownx.blocks.tab",
            "pymdownx.blocks.admonition",
            "admonition",
            "attr_list",
            "pymdownx.highlight",
        ],
        extension_configs={
            "pymdownx.snippets": {"base_path": [str(BASE)], "check_paths": True},
            "pymdownx.highlight": {"pygments_lang_class": True},
        },
    )
    out = md.convert((BASE / page).read_text(encoding="utf-8"))
    pattern = r'<div class="language-(\w+)[^"]*highlight"[^>]*>.*?<code>(.*?)</code>'
    return [
        html.unescape(re.sub("<[^>]+>", "", code))
        for language, code in re.findall(pattern, out, re.S)
        if language in ("yaml", "yml")
    ]


def non_blank(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "page",
    ["custom-catalog.md", "custom-registry.md", SHAPES, SNIPPETS, "pages/optout.md", "pages/headers.md"],
)
def test_examples_are_exactly_the_yaml_code_blocks_pymdownx_renders(page: str) -> None:
    """Each rendered YAML block is the concatenation of the next examples, none left over."""
    examples = [e for e in extract(page)[0] if e.origin != "heredoc"]
    blocks = rendered_yaml_blocks(page)
    assert blocks
    position = 0
    for block in blocks:
        expected = non_blank(block)
        got: list[str] = []
        while len(got) < len(expected) and position < len(examples):
            got += non_blank(examples[position].text)
            position += 1
        assert got == expected
    assert position == len(examples)


# --- bad input ------------------------------------------------------------------------------------

_TOKENS = [
    "```yaml",
    "```",
    "~~~",
    "    ",
    "--8<--",
    '--8<-- "docs/snippets/leaf.yaml"',
    '--8<-- "docs/snippets/loop-a.md"',
    '--8<-- "docs/snippets/sections.yaml:3:-2"',
    '--8<-- "nope.yaml:x"',
    "# --8<-- [start:a]",
    "kubectl apply -f - <<EOF",
    "EOF",
    "$ cat <<'X' | kubectl create -f -",
    "```console",
    "<!-- appreg: ignore=a, -->",
    "a: b",
    "\t- x",
    "\\",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS) | st.text(max_size=12), max_size=30))
def test_any_page_gives_examples_that_map_onto_their_files(lines: list[str]) -> None:
    examples, findings = extract_examples("\n".join(lines), "page.md", resolve=resolve, display=display)
    for finding in findings:
        assert finding.severity == "warning" and finding.line >= 1 and finding.column >= 1
    for example in examples:
        if example.file != "page.md":
            assert_maps_onto_file(example)
        assert example.text.endswith("\n") and example.text.strip()


def test_snippet_patterns_are_snippets_own_text() -> None:
    """Our copies of pymdownx.snippets' patterns are its text, so a build compiles each once.

    When this fails after a pymdown-extensions upgrade, snippets changed its syntax: mirror the
    change in pages/snippets.py (and keep the text identical).
    """
    from pymdownx.snippets import SnippetPreprocessor

    from mkdocs_appreg.pages import snippets

    for ours, theirs in (
        (snippets._RE_ALL_SNIPPETS, SnippetPreprocessor.RE_ALL_SNIPPETS),
        (snippets._RE_SECTION, SnippetPreprocessor.RE_SNIPPET_SECTION),
        (snippets._RE_SNIPPET_FILE, SnippetPreprocessor.RE_SNIPPET_FILE),
    ):
        pattern = theirs.pattern
        if theirs is SnippetPreprocessor.RE_SNIPPET_SECTION and _ESCAPED_SECTION not in pattern:
            # Before pymdown-extensions 13.1 (the lowest supported is 10.14.2) a section marker
            # had no guard against `;` escapes and `---8<---` runs; ours is 13.1's text. That one
            # line is the only difference allowed.
            pattern = pattern.replace(
                "^(?P<pre>.*?)\n", "^(?P<pre>.*?)\n        " + _ESCAPED_SECTION + "\n", 1
            )
        assert (ours.pattern, ours.flags) == (pattern, theirs.flags)


_ESCAPED_SECTION = "(?<!;)(?!(?<=-)-)"


def _piece_text_reference(piece: list[_Line], strip: int | None) -> tuple[str, int, int] | None:
    """The straightforward version of `_piece_text`: fill gaps, trim blank ends, dedent."""
    filled: list[tuple[int, str]] = []
    for line in piece:
        if filled:
            filled.extend((n, "") for n in range(filled[-1][0] + 1, line.number))
        filled.append((line.number, line.source))
    while filled and not filled[0][1].strip():
        filled.pop(0)
    while filled and not filled[-1][1].strip():
        filled.pop()
    if not filled:
        return None
    if strip is None:
        strip = min(len(t) - len(t.lstrip(" \t")) for _, t in filled if t.strip())
    dedented = [t[strip:] if len(t) - len(t.lstrip(" \t")) >= strip else t.lstrip() for _, t in filled]
    text = "".join(f"{t}\n" for t in dedented)
    return text, filled[0][0] - 1, strip


@st.composite
def _pieces_of_lines(draw: st.DrawFn) -> tuple[list[_Line], int | None]:
    texts = draw(st.lists(st.text(alphabet=" \t\x0b\u00a0ab:-", max_size=8), min_size=1, max_size=8))
    prefix = draw(st.integers(0, 3))
    number, lines = draw(st.integers(1, 5)), []
    for text in texts:
        lines.append(_Line(" " * prefix + text, "f.yaml", number, prefix, 1, 7))
        number += draw(st.integers(1, 3))  # gaps: lines snippets left out
    return lines, draw(st.none() | st.integers(0, 4))


@settings(max_examples=400)
@given(_pieces_of_lines())
def test_piece_text_matches_its_reference(case: tuple[list[_Line], int | None]) -> None:
    piece, strip = case
    assert _piece_text(piece, strip) == _piece_text_reference(piece, strip)


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        # The reader's variables where a name part starts: a host under their domain, a name
        # with their environment as suffix (a tutorial exports DOMAIN or ENV two lines above).
        ("  - host: hello.$DOMAIN", None),
        ("  name: app-$ENV", None),
        ("  url: https://$HOST/api", None),
        # Accidents the shell rewrites: inside a word, a special parameter, a lower-case name.
        ("  password: pa$sWORD", "$sWORD"),
        ("  password: pa$$word", "$$"),
        ("  hash: $2a$10$abc", "$2"),
        ("  secret: $oidc.clientSecret", "$oidc"),
        ("  host: hello.$domain", "$domain"),
    ],
)
def test_which_heredoc_expansions_are_unintended(line: str, reported: str | None) -> None:
    from mkdocs_appreg.pages.extract import _unintended_expansion

    found = _unintended_expansion(line)
    assert (found[1] if found else None) == reported


@pytest.mark.parametrize(
    ("text", "ignore"),
    [
        ("# appreg: ignore\na: b\n", frozenset()),
        ("a: b  # appreg: ignore=schema.type\n", frozenset({"schema.type"})),
        ("a: plain # appreg: ignore\n", frozenset()),
        ("a: b\n---\n# appreg: ignore=meta.name\n", frozenset({"meta.name"})),
        # The words inside a value are the value's text, not a comment.
        ('a: "see # appreg: ignore"\n', None),
        ("a: 'see # appreg: ignore=secret.leak'\n", None),
        ('a: "two # appreg: ignore\n  lines"\n', None),
        ("a: |\n  # appreg: ignore\n  b\n", None),
        (
            "a: |\n  # appreg: ignore=schema.type\nb: c  # appreg: ignore=meta.name\n",
            frozenset({"meta.name"}),
        ),
        # After a scanner error the text is read as before: the comment counts.
        ('a: "unterminated\n# appreg: ignore\n', frozenset()),
    ],
)
def test_an_ignore_comment_is_a_comment_not_a_value(text: str, ignore: frozenset[str] | None) -> None:
    assert comment_ignore(text) == ignore
