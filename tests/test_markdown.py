"""Tests for the `/// resource | path` directive (mkdocs_appreg.markdown).

Golden cases live in tests/golden/directive/: `<case>.md` is the page, `<case>.expanded.md` what the
directive preprocessor turns it into, `<case>.html` what Markdown renders with snippets, superfences,
blocks.tab and blocks.admonition. Snippet files are under tests/golden/directive/files/. After a
deliberate change of output, regenerate the expected files and review the diff:

    APPREG_REGEN_GOLDEN=1 pytest tests/test_markdown.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mkdocs_appreg.common.errors import ConfigError, DirectiveError
from mkdocs_appreg.markdown.directive import (
    DEFAULT_COMMAND_LABEL,
    DEFAULT_YAML_LABEL,
    PRIORITY,
    ResourceExtension,
    ResourceOptions,
    _expand_page,
    check_snippet_lines,
    code_fence,
    content_lines,
    expand_directives,
    heredoc_delimiter,
    resolve_snippet_path,
    tab_markup,
)
from mkdocs_appreg.markdown.directive import _Directive as _Directive
from mkdocs_appreg.pages.directives import BLOCK_START, DIRECTIVE_LIKE, directive_paths
from mkdocs_appreg.pages.fences import find_fences
from mkdocs_appreg.pages.snippets import snippet_resolver

GOLDEN = Path(__file__).parent / "golden" / "directive"
FILES = GOLDEN / "files"
SEED = GOLDEN / "seed" / "custom-registry.md"
REGEN = os.environ.get("APPREG_REGEN_GOLDEN") == "1"
CASES = sorted(p for p in GOLDEN.glob("*.md") if not p.name.endswith(".expanded.md"))
EXTENSIONS = [
    "appreg",
    "pymdownx.snippets",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.blocks.tab",
    "pymdownx.blocks.admonition",
    "admonition",
]


def make_markdown(base_path: list[str] | None = None, **appreg: Any) -> markdown.Markdown:
    bases = base_path if base_path is not None else [str(FILES)]
    return markdown.Markdown(
        extensions=EXTENSIONS,
        extension_configs={
            "appreg": {"base_path": bases, **appreg},
            "pymdownx.snippets": {"base_path": bases, "check_paths": True},
            "pymdownx.blocks.tab": {"alternate_style": True},
            # Plain `<code>` instead of Pygments spans keeps the golden HTML readable and independent
            # of the Pygments version.
            "pymdownx.highlight": {"use_pygments": False},
        },
    )


def expand(md: markdown.Markdown, text: str) -> list[str]:
    """Run only the directive preprocessor, as Markdown does, on a page."""
    lines: list[str] = md.preprocessors["appreg_resource"].run(text.split("\n"))
    return lines


def expand_and_include(md: markdown.Markdown, text: str) -> list[str]:
    """Run the directive preprocessor and then pymdownx.snippets, in Markdown's order."""
    lines: list[str] = md.preprocessors["snippet"].run(expand(md, text))
    return lines


def resolver(*bases: Path) -> Callable[[str], Path | None]:
    return lambda path: resolve_snippet_path(path, [str(b) for b in bases])


def check_golden(path: Path, actual: str) -> None:
    if REGEN:
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path} is missing; create it with APPREG_REGEN_GOLDEN=1 pytest {__file__}")
    assert actual == path.read_text(encoding="utf-8")


# --- golden cases -------------------------------------------------------------------------------


def test_golden_cases_are_found() -> None:
    names = {case.stem for case in CASES}
    assert {"single", "two-in-a-row", "admonition", "list-item", "fenced", "seed-page"} <= names


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_golden(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    md = make_markdown()
    check_golden(case.with_suffix(".expanded.md"), "\n".join(expand(md, text)))
    check_golden(case.with_suffix(".html"), make_markdown().convert(text) + "\n")


def test_seed_page_expands_to_the_hand_written_markup() -> None:
    """The seed page, written with directives, expands to the seed line for line, but for two fixes."""
    actual = expand(make_markdown(), (GOLDEN / "seed-page.md").read_text(encoding="utf-8"))
    seed = SEED.read_text(encoding="utf-8").split("\n")

    undone: list[str] = []
    new_lines = quoted = 0
    for line in actual:
        if line == "    new: true" and undone and undone[-1] == "/// tab | YAML Resource":
            new_lines += 1
            continue
        if line == "kubectl apply -f - <<'EOF'":
            quoted += 1
            line = "kubectl apply -f - <<EOF"
        ranged = re.fullmatch(r'(--8<-- "[^"]+):1:\d+"', line)
        if ranged and undone and undone[-1] == "kubectl apply -f - <<EOF":
            # The heredoc names the file's lines, so its final newline adds no blank line before EOF.
            line = ranged[1] + '"'
        undone.append(line)

    assert (new_lines, quoted) == (2, 2)
    assert undone == seed


def code_blocks(html: str, language: str) -> list[str]:
    return re.findall(rf'<code class="language-{language}">(.*?)</code>', html, flags=re.DOTALL)


SHARED_STATUS_QUO = Path(__file__).resolve().parents[2] / "shared" / "examples" / "status-quo"


def test_kubectl_tab_is_the_seed_pages_tab(tmp_path: Path) -> None:
    """The seed page's heredoc has no blank line before EOF; the directive's is the same text.

    The seed page includes hand-written files; the plugin's rendered files end in a line break,
    which snippets keeps as an empty last line. Here the seed page is rendered with its files
    as the status-quo site has them, without a final line break, and the directive page with
    the same files ending in one, as the plugin writes them: the bash blocks are equal but for
    the quoted delimiter.
    """
    sources = FILES / "docs" / "development" / "resources"
    if SHARED_STATUS_QUO.is_dir():
        sources = SHARED_STATUS_QUO
    seed_root, ours = tmp_path / "seed", tmp_path / "ours"
    for name in ("authSecretRef.yaml", "registry.yaml"):
        text = (sources / name).read_text(encoding="utf-8").rstrip("\n")
        for root, content in ((seed_root, text), (ours, text + "\n")):
            target = root / "docs" / "development" / "resources" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    seed_html = make_markdown([str(seed_root)]).convert(SEED.read_text(encoding="utf-8"))
    our_html = make_markdown([str(ours)]).convert((GOLDEN / "seed-page.md").read_text(encoding="utf-8"))
    seed_tabs = code_blocks(seed_html, "bash")
    our_tabs = [tab.replace("&lt;&lt;'EOF'", "&lt;&lt;EOF", 1) for tab in code_blocks(our_html, "bash")]
    assert len(seed_tabs) == 2
    assert our_tabs == seed_tabs
    assert all("\n\nEOF" not in tab for tab in our_tabs)
    # The YAML tab is the seed's markup as is; without Pygments, the fence keeps the file's
    # final line break as the code's last character (Pygments ends every block in one anyway).
    assert [b.rstrip("\n") for b in code_blocks(our_html, "yaml")] == code_blocks(seed_html, "yaml")


def test_two_directives_in_a_row_give_two_tab_sets() -> None:
    text = (GOLDEN / "two-in-a-row.md").read_text(encoding="utf-8")
    html = make_markdown().convert(text)
    assert html.count('<div class="tabbed-set') == 2

    # Without `new: true` blocks.tab would merge the second pair into the first set.
    without_new = [line for line in expand(make_markdown(), text) if line.strip() != "new: true"]
    merged = make_markdown().convert("\n".join(without_new))
    assert merged.count('<div class="tabbed-set') == 1


def test_fenced_directives_are_not_expanded() -> None:
    text = (GOLDEN / "fenced.md").read_text(encoding="utf-8")
    lines = expand(make_markdown(), text)
    # Only the last directive, outside every fence, became tabs.
    assert sum(line.strip().startswith("/// tab | YAML Resource") for line in lines) == 1
    assert sum(line.strip().startswith("/// resource |") for line in lines) == 4


@pytest.mark.parametrize(
    ("fence", "indent"), [("```", ""), ("~~~", ""), ("````", "  "), ("```", "    "), ("~~~~~", "\t")]
)
def test_directive_in_any_fence_stays(fence: str, indent: str) -> None:
    page = [f"{indent}{fence}", f"{indent}/// resource | secret.yaml", f"{indent}///", f"{indent}{fence}"]
    assert expand_directives(page, resolver(FILES)) == page


def test_an_unclosed_fence_is_no_fence() -> None:
    # superfences ignores a fence that never closes, so the directive after it is live.
    page = ["```", "text", "", "/// resource | secret.yaml", "///"]
    assert "/// tab | YAML Resource" in expand_directives(page, resolver(FILES))


def test_a_shorter_fence_does_not_close_a_longer_one() -> None:
    page = ["````", "```", "/// resource | secret.yaml", "///", "```", "````"]
    assert expand_directives(page, resolver(FILES)) == page


# --- the heredoc --------------------------------------------------------------------------------


def heredoc_commands(lines: list[str]) -> list[str]:
    """The text of each ```bash fence in a page."""
    commands = []
    text = "\n".join(lines)
    for match in re.finditer(r"^```bash\n(.*?)\n```$", text, re.MULTILINE | re.DOTALL):
        commands.append(match.group(1))
    return commands


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("name", ["shell.yaml", "eof.yaml", "secret.yaml"])
def test_the_heredoc_feeds_the_file_unchanged_to_the_command(name: str) -> None:
    """Run the rendered command in bash, with `cat` standing in for kubectl."""
    page = f"/// resource | {name}\n    yaml: false\n    kubectl: cat\n///\n"
    (command,) = heredoc_commands(expand_and_include(make_markdown(), page))
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True)
    # The heredoc includes the file's lines without the empty one after its final line break.
    assert result.stdout == (FILES / name).read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("text", ["a: 1\n", "a: 1", "a: 1\n\n", "a: 1\r\nb: 2\r\n", "\n"])
def test_the_heredoc_delivers_the_files_lines(tmp_path: Path, text: str) -> None:
    (tmp_path / "r.yaml").write_bytes(text.encode())
    page = "/// resource | r.yaml\n    yaml: false\n    kubectl: cat\n///\n"
    (command,) = heredoc_commands(expand_and_include(make_markdown([str(tmp_path)]), page))
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True)
    # What bash feeds the command: each of the file's lines, each ending in a line break.
    lines = text.replace("\r\n", "\n").split("\n")
    expected = "".join(line + "\n" for line in (lines[:-1] if lines[-1] == "" else lines))
    assert result.stdout == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", None), ("a", None), ("a\n", 1), ("a\nb\n", 2), ("a\n\n", 2), ("a\r\nb\r\n", 2), ("a\rb\r", 2)],
)
def test_content_lines(text: str, expected: int | None) -> None:
    assert content_lines(text) == expected


def test_delimiter_skips_lines_of_the_file() -> None:
    lines = expand(make_markdown(), "/// resource | eof.yaml\n///")
    assert "kubectl apply -f - <<'EOF_2'" in lines
    assert lines.count("EOF_2") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "EOF"),
        ("a: 1\n", "EOF"),
        ("EOF\n", "EOF_1"),
        ("EOF", "EOF_1"),
        ("a\r\nEOF\r\n", "EOF_1"),
        ("a\rEOF\r", "EOF_1"),
        ("EOF\nEOF_1\n", "EOF_2"),
        ("EOF_1\n", "EOF"),
        (" EOF\nEOF \n'EOF'\nEOFX\n", "EOF"),
        ("EOF_2\nEOF\nEOF_1\n", "EOF_3"),
    ],
)
def test_heredoc_delimiter(text: str, expected: str) -> None:
    assert heredoc_delimiter(text) == expected


@given(st.lists(st.sampled_from(["EOF", "EOF_1", "EOF_2", "EOF_3", "x", "", "EOF\r", " EOF"]), max_size=12))
def test_heredoc_delimiter_is_never_a_line(lines: list[str]) -> None:
    text = "\n".join(lines)
    delimiter = heredoc_delimiter(text)
    assert re.fullmatch(r"EOF(_[1-9][0-9]*)?", delimiter)
    assert delimiter not in [line.rstrip("\r\n") for line in text.split("\n")]


# --- indentation --------------------------------------------------------------------------------


@pytest.mark.parametrize("indent", ["", " ", "  ", "   ", "    ", "        ", "\t", "  \t"])
def test_expansion_keeps_the_indentation(indent: str) -> None:
    width = len(indent.expandtabs(4))
    page = [
        "- item",
        "",
        f"{indent}/// resource | secret.yaml",
        f"{indent}    yaml: Manifest",
        f"{indent}///",
    ]
    lines = expand_directives(page, resolver(FILES))[2:]
    flat = expand_directives(["/// resource | secret.yaml", "    yaml: Manifest", "///"], resolver(FILES))
    assert lines == [" " * width + line if line else line for line in flat]
    assert all(line.startswith(" " * width) for line in lines if line)


def test_tab_markup_without_indent_is_the_seed_block() -> None:
    lines = tab_markup("a.yaml", ResourceOptions(), delimiter="EOF")
    assert lines == [
        "/// tab | YAML Resource",
        "    new: true",
        "",
        "```yaml",
        '--8<-- "a.yaml"',
        "```",
        "",
        "///",
        "/// tab | `kubectl apply` command",
        "",
        "```bash",
        "kubectl apply -f - <<'EOF'",
        '--8<-- "a.yaml"',
        "EOF",
        "```",
        "",
        "///",
    ]


def test_one_tab_left_is_still_a_new_set() -> None:
    lines = tab_markup("a.yaml", ResourceOptions(yaml_label=None), delimiter="EOF")
    assert lines[:2] == ["/// tab | `kubectl apply` command", "    new: true"]
    assert sum(line.startswith("/// tab") for line in lines) == 1
    with pytest.raises(ValueError, match="at least one tab"):
        tab_markup("a.yaml", ResourceOptions(yaml_label=None, command_label=None), delimiter="EOF")


@pytest.mark.parametrize(
    ("header", "closing"),
    [
        ("/// Resource\t| secret.yaml\t", "///"),
        ("//// resource|secret.yaml", "////"),
        ("  ///   RESOURCE   |   secret.yaml  ", "  ///  "),
    ],
)
def test_header_variants(header: str, closing: str) -> None:
    lines = expand_directives([header, closing], resolver(FILES))
    assert lines[0].strip() == "/// tab | YAML Resource"
    assert '--8<-- "secret.yaml"' in [line.strip() for line in lines]


PAGE_PIECES = [
    "/// resource | secret.yaml",
    "    /// resource | eof.yaml",
    "/// resource | nope.yaml",
    "/// resource",
    "///",
    "    ///",
    "////",
    "    yaml: false",
    "    command: false",
    "    colour: red",
    "    yaml: a\x07",
    "    lang: [",
    "        - x",
    "```",
    "    ```",
    "~~~",
    "/// tab | A",
    "text",
    "",
]


@given(st.lists(st.sampled_from(PAGE_PIECES), max_size=25))
def test_any_page_expands_or_reports_a_line(lines: list[str]) -> None:
    errors: list[DirectiveError] = []
    expand_directives(lines, resolver(FILES), on_error=errors.append)
    assert all(error.line is not None and 1 <= error.line <= len(lines) for error in errors)


def _expand_line_by_line(
    lines: list[str], resolve: Callable[[str], Path | None], on_error: Callable[[DirectiveError], object]
) -> list[str]:
    """`expand_directives` as it was first written: every line tried as a fence, then a header.

    The real one tries only the lines holding ///; the property test below checks that skipping
    the others changes nothing. (Which lines are fenced is fences.py's, tested in
    test_pages_model.py against superfences itself.)
    """
    defaults = ResourceOptions(yaml_label=DEFAULT_YAML_LABEL, command_label=DEFAULT_COMMAND_LABEL)
    out: list[str] = []
    index = 0
    code = {line for first, last in find_fences(lines, 4).code_lines() for line in range(first, last + 1)}
    while index < len(lines):
        if index in code:  # superfences sees the whole page, a directive's lines included
            out.append(lines[index])
            index += 1
            continue
        line = lines[index].rstrip("\r")
        if DIRECTIVE_LIKE.match(line) is None:
            out.append(lines[index])
            index += 1
            continue
        header = BLOCK_START.match(line)
        end = index
        try:
            if header is None:
                raise DirectiveError("malformed header", line=index + 1)
            directive = _Directive(lines, index, header, 4)
            end = directive.end
            out.extend(directive.expand(resolve, defaults, check_paths=True, encoding="utf-8", searched=()))
        except DirectiveError as error:
            on_error(error)
            out.extend(lines[index : end + 1])
        index = end + 1
    return out


def _paths_line_by_line(lines: list[str]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    index = 0
    code = {line for first, last in find_fences(lines, 4).code_lines() for line in range(first, last + 1)}
    while index < len(lines):
        if index in code:
            index += 1
            continue
        header = BLOCK_START.match(lines[index]) if DIRECTIVE_LIKE.match(lines[index]) else None
        if header is not None and (header["arg"] or "").strip():
            found.append((index + 1, (header["arg"] or "").strip()))
        index += 1
    return found


@given(
    st.lists(
        st.sampled_from([*PAGE_PIECES, "    ~~~", "````", "``` x```", "a /// resource | x"]), max_size=25
    )
)
def test_skipping_unmarked_lines_changes_nothing(lines: list[str]) -> None:
    errors: list[DirectiveError] = []
    reference_errors: list[DirectiveError] = []
    assert expand_directives(lines, resolver(FILES), on_error=errors.append) == _expand_line_by_line(
        lines, resolver(FILES), reference_errors.append
    )
    assert [error.line for error in errors] == [error.line for error in reference_errors]
    assert directive_paths(lines) == _paths_line_by_line(lines)


# Lines for the snippet-line check: block markers, a page's own includes (kept, escaping,
# absolute, with a selector), and directives whose path, labels or command look like includes.
SNIPPET_PIECES = [
    *PAGE_PIECES,
    "--8<--",
    '--8<-- "secret.yaml"',
    '--8<-- "../escape.yaml"',
    '--8<-- "/etc/passwd"',
    '  --8<-- "secret.yaml:1:2"',
    "../escape.yaml",
    "/etc/passwd",
    "/// resource | secret.yaml:1:2",
    "/// resource | ./eof.yaml",
    "    yaml: --8<-- '../escape.yaml'",
    '    kubectl: --8<-- "/etc/passwd"',
    "    command: --8<--",
]


@given(st.lists(st.sampled_from(SNIPPET_PIECES), max_size=25))
def test_the_check_leaves_out_only_the_includes_a_directive_resolved(lines: list[str]) -> None:
    """Skipping the includes a directive wrote (their path just resolved) refuses exactly what
    parsing every line refuses: a page's own lines, and whatever an open block reads."""
    resolve = snippet_resolver([FILES])
    expanded, resolved = _expand_page(
        lines,
        resolve,
        check_paths=True,
        defaults=ResourceOptions(),
        on_error=lambda error: None,
        tab_length=4,
        encoding="utf-8",
        searched=(),
    )
    everything: list[DirectiveError] = []
    skipping: list[DirectiveError] = []
    check_snippet_lines(expanded, resolve, on_error=everything.append)
    check_snippet_lines(expanded, resolve, on_error=skipping.append, resolved=frozenset(resolved))
    assert [(e.line, e.reason) for e in skipping] == [(e.line, e.reason) for e in everything]
    # Only include lines are left out, and only ones naming the directive's own path.
    assert all("--8<--" in expanded[index] for index in resolved)


def test_a_pages_own_escaping_include_is_refused_beside_directives() -> None:
    page = '/// resource | secret.yaml\n///\n\n--8<-- "../escape.yaml"\n\n/// resource | eof.yaml\n///'
    with pytest.raises(DirectiveError, match="leaves every"):
        expand(make_markdown(), page)
    errors: list[DirectiveError] = []
    lines = expand(make_markdown(on_error=errors.append), page)
    assert [lines[error.line - 1] for error in errors if error.line is not None] == [
        '--8<-- "../escape.yaml"'
    ]


def test_a_block_open_before_a_directive_reads_its_lines_as_paths() -> None:
    """Inside an open `--8<--` block, snippets reads each line of the expansion as a path to
    include: `/// tab | ...` is then an absolute path, refused as the page's own line would be."""
    with pytest.raises(DirectiveError, match="absolute path"):
        expand(make_markdown(), "--8<--\n/// resource | secret.yaml\n///\n--8<--")


def test_an_include_line_read_with_a_selector_is_checked_again(tmp_path: Path) -> None:
    """`/// resource | r.yaml:part` resolves the file named `r.yaml:part`, but snippets reads the
    `--8<--` line it becomes as section `part` of `r.yaml`: that file is checked too, and here
    it is a symlink out of the base."""
    outside = tmp_path / "outside.txt"
    outside.write_text("# --8<-- [start:part]\nTOKEN=x\n# --8<-- [end:part]\n")
    base = tmp_path / "docs"
    base.mkdir()
    (base / "r.yaml:part").write_text("a: 1\n")
    (base / "r.yaml").symlink_to(outside)
    page = "/// resource | r.yaml:part\n///"
    with pytest.raises(DirectiveError, match="symlink to a file outside"):
        expand(make_markdown([str(base)]), page)
    resolve = snippet_resolver([base])
    expanded, resolved = _expand_page(
        page.split("\n"),
        resolve,
        check_paths=True,
        defaults=ResourceOptions(),
        on_error=lambda error: None,
        tab_length=4,
        encoding="utf-8",
        searched=(),
    )
    assert resolved == []
    assert '--8<-- "r.yaml:part"' in expanded


@given(st.text(alphabet="EOF_12\r\n`ab", max_size=40))
def test_the_expansion_details_match_their_definitions(text: str) -> None:
    """The shortcuts (no `EOF`, no `\\r`, no ```` ``` ````) agree with the full computation."""
    lines = set(re.split(r"\r\n|\r|\n", text))
    delimiter, suffix = "EOF", 0
    while delimiter in lines:
        suffix += 1
        delimiter = f"EOF_{suffix}"
    assert heredoc_delimiter(text) == delimiter
    parts = re.split(r"\r\n|\r|\n", text)
    assert content_lines(text) == (None if len(parts) < 2 or parts[-1] != "" else len(parts) - 1)
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    assert code_fence(text) == "`" * max(3, longest + 1)


def test_crlf_page_expands() -> None:
    html = make_markdown().convert("Text\r\n\r\n/// resource | secret.yaml\r\n    yaml: Manifest\r\n///\r\n")
    assert '<label for="__tabbed_1_1">Manifest</label>' in html


def test_config_labels_apply_to_every_directive() -> None:
    md = make_markdown(yaml_label="Manifest", command_label="Shell")
    lines = expand(
        md, "/// resource | secret.yaml\n///\n\n/// resource | secret.yaml\n    command: Apply\n///"
    )
    assert [line for line in lines if line.startswith("/// tab")] == [
        "/// tab | Manifest",
        "/// tab | Shell",
        "/// tab | Manifest",
        "/// tab | Apply",
    ]


# --- errors -------------------------------------------------------------------------------------

ERROR_CASES: dict[str, tuple[str, int, str]] = {
    # name: (page, line named by the error, text of the message)
    "unknown option": ("Intro\n\n/// resource | secret.yaml\n    colour: red\n///\n", 4, "unknown option"),
    "second option unknown": (
        "/// resource | secret.yaml\n    yaml: A\n    select: true\n///",
        3,
        "`select`",
    ),
    "label not a string": ("/// resource | secret.yaml\n    yaml: 3\n///", 2, "`yaml` must be"),
    "label true": ("/// resource | secret.yaml\n    command: true\n///", 2, "`command` must be"),
    "label empty": ('/// resource | secret.yaml\n    yaml: ""\n///', 2, "`yaml` must be"),
    "lang not a string": ("/// resource | secret.yaml\n    lang: [yaml]\n///", 2, "`lang` must be"),
    "lang with a space": ("/// resource | secret.yaml\n    lang: y ml\n///", 2, "`lang` must be"),
    "kubectl false": ("/// resource | secret.yaml\n    kubectl: false\n///", 2, "`kubectl` must be"),
    "duplicate option": ("/// resource | secret.yaml\n    yaml: A\n    yaml: B\n///", 3, "set twice"),
    "options not a mapping": ("\n/// resource | secret.yaml\n    - yaml\n    - command\n///", 3, "mapping"),
    "options a scalar": ("/// resource | secret.yaml\n    just text\n///", 2, "mapping"),
    "options bad yaml": (
        '/// resource | secret.yaml\n    yaml: A\n    command: "open\n///',
        3,
        "not valid YAML",
    ),
    "options with a control character": ("/// resource | secret.yaml\n    yaml: a\x07b\n///", 2, "not valid"),
    "options with a python tag": (
        "/// resource | secret.yaml\n    yaml: !!python/name:os.system\n///",
        2,
        "valid",
    ),
    "options with a tag that does not construct": (
        "/// resource | secret.yaml\n    yaml: A\n    command: !!int abc\n///",
        3,
        "not valid YAML: ValueError",
    ),
    "options with a bad timestamp": (
        "/// resource | secret.yaml\n    yaml: !!timestamp 2020-13-45\n///",
        2,
        "month",
    ),
    "options with an alias bomb": (
        "/// resource | secret.yaml\n    yaml: [&a [x, x, x, x, x, x, x, x, x, x], &b [*a, *a, *a, *a, *a, *a, *a, *a, *a,"
        " *a], &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b], &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c],"
        " [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]]\n///",
        2,
        "aliasing",
    ),
    "options with a control character on a later line": (
        "/// resource | secret.yaml\n    yaml: A\n    command: a\x01b\n///",
        3,
        "unacceptable character #x0001",
    ),
    "both tabs dropped": (
        "/// resource | secret.yaml\n    yaml: false\n    command: false\n///",
        3,
        "no tab",
    ),
    "missing path": ("Intro\n/// resource\n///", 2, "needs a path"),
    "empty path": ("/// resource |   \n///", 1, "needs a path"),
    "path not found": ("# T\n\n\n/// resource | nope.yaml\n///", 4, "not found"),
    "path escapes": ("/// resource | ../test_markdown.py\n///", 1, "leaves every"),
    "path absolute": (f"/// resource | {FILES / 'secret.yaml'}\n///", 1, "absolute"),
    "path with quote": ('/// resource | a"b.yaml\n///', 1, "snippet line"),
    "path is a directory": ("/// resource | docs\n///", 1, "cannot read"),
    "content": ("/// resource | secret.yaml\n\nSome text\n///", 3, "takes no content"),
    "content after options": (
        "/// resource | secret.yaml\n    yaml: A\n\n    command: B\n///",
        4,
        "no content",
    ),
    "missing closing": ("Intro\n\n/// resource | secret.yaml\n\nText after.\n", 3, "no closing"),
    "closing of another length": ("/// resource | secret.yaml\n////\n", 1, "no closing"),
    "next block before closing": ("/// resource | secret.yaml\n/// tab | A\n\nx\n///", 1, "no closing"),
    "closing indented differently": ("- item\n\n    /// resource | secret.yaml\n///", 4, "indented 0"),
    "malformed header": ("/// resource secret.yaml\n///", 1, "malformed header"),
}


@pytest.mark.parametrize("page", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_error_raises_with_the_line(page: tuple[str, int, str]) -> None:
    text, line, message = page
    with pytest.raises(DirectiveError) as caught:
        expand(make_markdown(), text)
    assert caught.value.line == line
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)  # one line, whatever YAML said


@pytest.mark.parametrize("page", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_error_goes_to_on_error_and_the_lines_stay(page: tuple[str, int, str]) -> None:
    text, line, message = page
    errors: list[DirectiveError] = []
    lines = expand(make_markdown(on_error=errors.append), text)
    assert [error.line for error in errors] == [line]
    assert message in errors[0].reason
    assert lines == text.split("\n")


def test_on_error_continues_with_the_next_directive() -> None:
    errors: list[DirectiveError] = []
    text = "/// resource | nope.yaml\n///\n\n/// resource | secret.yaml\n\n/// resource | secret.yaml\n///\n"
    lines = expand(make_markdown(on_error=errors.append), text)
    assert [error.line for error in errors] == [1, 4]
    assert lines[:5] == text.split("\n")[:5]
    assert lines[5] == "/// tab | YAML Resource"


def test_on_error_may_raise_its_own_exception() -> None:
    class PageError(Exception):
        pass

    def report(error: DirectiveError) -> None:
        raise PageError(f"docs/page.md:{error.line}: {error.reason}")

    with pytest.raises(PageError, match=r"^docs/page.md:2: "):
        make_markdown(on_error=report).convert("x\n/// resource | nope.yaml\n///\n")


def test_missing_file_expands_when_paths_are_not_checked() -> None:
    lines = expand(make_markdown(check_paths=False), "/// resource | nope.yaml\n///")
    assert "kubectl apply -f - <<'EOF'" in lines
    assert '--8<-- "nope.yaml"' in lines


def test_refused_paths_are_refused_even_unchecked() -> None:
    with pytest.raises(DirectiveError, match="leaves every"):
        expand(make_markdown(check_paths=False), "/// resource | ../../x.yaml\n///")


# --- resolving paths like pymdownx.snippets -----------------------------------------------------


def test_first_base_path_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "r.yaml").write_text("EOF\n", encoding="utf-8")
    (second / "r.yaml").write_text("a: 1\n", encoding="utf-8")
    (second / "only.yaml").write_text("b: 2\n", encoding="utf-8")
    assert resolve_snippet_path("r.yaml", [first, second]) == first / "r.yaml"
    assert resolve_snippet_path("only.yaml", [first, second]) == second / "only.yaml"
    assert resolve_snippet_path("r.yaml", [tmp_path / "absent", second]) == second / "r.yaml"

    # The delimiter comes from the file snippets includes: the first base's.
    md = make_markdown([str(first), str(second)])
    lines = expand_and_include(md, "/// resource | r.yaml\n    yaml: false\n///")
    start = lines.index("kubectl apply -f - <<'EOF_1'")
    assert lines[start + 1 : start + 3] == ["EOF", "EOF_1"]


def test_relative_base_paths_resolve_against_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "r.yaml").write_text("a: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert resolve_snippet_path("r.yaml", ["docs"]) == tmp_path / "docs" / "r.yaml"
    assert resolve_snippet_path("docs/r.yaml", ["."]) == tmp_path / "docs" / "r.yaml"
    assert "/// tab | YAML Resource" in expand(make_markdown(["docs"]), "/// resource | r.yaml\n///")


def test_dot_dot_inside_a_base_path_is_allowed() -> None:
    assert resolve_snippet_path("docs/../secret.yaml", [FILES]) == FILES / "secret.yaml"
    with pytest.raises(ValueError, match="leaves every"):
        resolve_snippet_path("../directive/files/secret.yaml", [FILES])
    # A sibling that shares the base's name as a prefix is outside it.
    with pytest.raises(ValueError, match="leaves every"):
        resolve_snippet_path("../files_evil/x.yaml", [FILES])


def test_a_file_base_path_only_matches_itself() -> None:
    base = FILES / "secret.yaml"
    assert resolve_snippet_path("secret.yaml", [base]) == base
    assert resolve_snippet_path("shell.yaml", [base]) is None


def test_absolute_paths_are_refused() -> None:
    with pytest.raises(ValueError, match="absolute"):
        resolve_snippet_path(str(FILES / "secret.yaml"), [FILES])


# --- the extension ------------------------------------------------------------------------------


def test_preprocessor_runs_before_snippets() -> None:
    md = make_markdown()
    assert PRIORITY == 33
    ours, snippets = (md.preprocessors.get_index_for_name(n) for n in ("appreg_resource", "snippet"))
    assert ours < snippets


def test_loads_by_module_name_and_entry_point() -> None:
    page = "/// resource | secret.yaml\n///"
    by_module = markdown.Markdown(
        extensions=["mkdocs_appreg.markdown"],
        extension_configs={"mkdocs_appreg.markdown": {"base_path": [str(FILES)]}},
    )
    by_class = markdown.Markdown(extensions=[ResourceExtension(base_path=str(FILES))])
    assert expand(by_module, page) == expand(by_class, page) == expand(make_markdown(), page)


def test_on_error_callable_survives_configuration() -> None:
    errors: list[DirectiveError] = []
    extension = ResourceExtension(on_error=errors.append)
    assert extension.getConfig("on_error") == errors.append
    assert ResourceExtension().getConfig("on_error") is None


@pytest.mark.parametrize(
    "config",
    [
        {"on_error": "raise"},
        {"resolver": "files/"},
        {"base_path": 3},
        {"base_path": [".", 3]},
        {"yaml_label": ""},
        {"command_label": "two\nlines"},
        {"check_paths": "maybe"},
    ],
)
def test_bad_configuration_is_a_config_error(config: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        ResourceExtension(**config)


def test_a_given_resolver_decides_what_every_page_finds(tmp_path: Path) -> None:
    asked: list[str] = []
    resolve = snippet_resolver([FILES])

    def counting(path: str) -> Path | None:
        asked.append(path)
        return resolve(path)

    page = "/// resource | secret.yaml\n///\n\n/// resource | secret.yaml\n///\n"
    # Base paths that have nothing: only the resolver can find the file.
    pages = [expand(make_markdown([str(tmp_path)], resolver=counting), page) for _ in range(3)]
    assert pages[0] == pages[1] == pages[2] == expand(make_markdown(), page)
    # The heredoc's `secret.yaml:1:8` reads `secret.yaml`: snippets splits the line range off
    # before it looks for a file (parse_snippet_target), and never reads the whole spec.
    assert set(asked) == {"secret.yaml"}


def test_snippet_resolver_resolves_each_path_once_and_keeps_refusing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    resolve = snippet_resolver([tmp_path])
    assert resolve("a.yaml") == tmp_path / "a.yaml"
    assert resolve("missing.yaml") is None
    for _ in range(2):
        with pytest.raises(ValueError, match="leaves every"):
            resolve("../outside.yaml")
    # Answers are kept: what the file system says later does not change them.
    (tmp_path / "a.yaml").unlink()
    (tmp_path / "missing.yaml").write_text("")
    assert resolve("a.yaml") == tmp_path / "a.yaml"
    assert resolve("missing.yaml") is None
    assert snippet_resolver([tmp_path])("missing.yaml") == tmp_path / "missing.yaml"


def test_resolve_snippet_path_through_a_symlinked_base(tmp_path: Path) -> None:
    """A base that is itself a symlink keeps its files; a symlink inside it may still not point out."""
    real = tmp_path / "real-docs"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "a.yaml").write_text("a: 1\n")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    (real / "sub" / "out.txt").symlink_to(outside)
    (real / "sub" / "in.yaml").symlink_to(real / "sub" / "a.yaml")
    base = tmp_path / "docs"
    base.symlink_to(real, target_is_directory=True)

    assert resolve_snippet_path("sub/a.yaml", [base]) == base / "sub" / "a.yaml"
    assert resolve_snippet_path("sub/in.yaml", [base]) == base / "sub" / "in.yaml"
    with pytest.raises(ValueError, match="symlink to a file outside"):
        resolve_snippet_path("sub/out.txt", [base])
    with pytest.raises(ValueError, match="symlink to a file outside"):
        resolve_snippet_path("sub/out.txt", [real])
    assert resolve_snippet_path("sub/missing.yaml", [base]) is None
    assert resolve_snippet_path("sub/a.yaml", [tmp_path / "no-such-base", real]) == real / "sub" / "a.yaml"


def test_resolve_snippet_path_follows_symlinked_directories_inside_the_base(tmp_path: Path) -> None:
    """A directory symlink anywhere below the base is followed to see where it leads."""
    base = tmp_path / "docs"
    (base / "real" / "deep").mkdir(parents=True)
    (base / "real" / "deep" / "a.yaml").write_text("a: 1\n")
    (base / "real" / "note.txt").write_text("not a directory\n")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deep").mkdir(parents=True)
    (elsewhere / "deep" / "b.yaml").write_text("b: 1\n")
    (base / "inner").symlink_to(base / "real", target_is_directory=True)
    (base / "outer").symlink_to(elsewhere, target_is_directory=True)
    (base / "dangling.yaml").symlink_to(tmp_path / "nothing.yaml")

    assert resolve_snippet_path("inner/deep/a.yaml", [base]) == base / "inner" / "deep" / "a.yaml"
    with pytest.raises(ValueError, match="symlink to a file outside"):
        resolve_snippet_path("outer/deep/b.yaml", [base])
    # Missing: a dangling symlink, a path through a file, a file under a symlinked directory.
    assert resolve_snippet_path("dangling.yaml", [base]) is None
    assert resolve_snippet_path("real/note.txt/a.yaml", [base]) is None
    assert resolve_snippet_path("inner/deep/missing.yaml", [base]) is None
    # The next base is tried after a miss, as snippets tries it.
    (tmp_path / "second" / "real" / "deep").mkdir(parents=True)
    (tmp_path / "second" / "real" / "deep" / "c.yaml").write_text("c: 1\n")
    assert (
        resolve_snippet_path("real/deep/c.yaml", [base, tmp_path / "second"])
        == tmp_path / "second" / "real" / "deep" / "c.yaml"
    )
