"""Property: `parse_documents` never raises, and every finding lies inside the input."""

from __future__ import annotations

from fuzzing import FUZZ, assert_inside
from hypothesis import example, given
from hypothesis import strategies as st

from mkdocs_appreg.engine.documents import parse_documents

# YAML's syntax characters, line breaks of every kind, tabs, a BOM, control characters and
# anchors/aliases, so the parser's error paths are reached, not just plain scalars.
_EXTRA = [
    "\r\n",
    "\x85",
    "\u2028",
    "\ufeff",
    "\x00",
    "\x07",
    "é",
    "---\n",
    "...\n",
    "&a ",
    "*a",
    "<<: ",
    "!!int ",
]
YAML_ALPHABET = st.sampled_from([*"abc:-?[]{},&*!|>'\"#%@`0123 \t\n\r", *_EXTRA])
yaml_text = st.lists(YAML_ALPHABET, max_size=120).map("".join)


@FUZZ
@given(text=yaml_text | st.text(max_size=200))
@example(text="[")  # libyaml puts the end of stream on a line the text does not have
@example(text="!!int ")  # PyYAML's int constructor raises IndexError on no digits
def test_parse_documents_never_raises_and_positions_are_inside(text: str) -> None:
    result = parse_documents(text, "fuzz.yaml")
    assert_inside(result.findings, text)
    for document in result.documents:
        line, column = document.locate("")
        assert 1 <= line <= len(text.splitlines()) + 1
        assert column >= 1


@FUZZ
@given(text=yaml_text, line_offset=st.integers(0, 50), column_offset=st.integers(0, 8))
def test_offsets_move_every_finding(text: str, line_offset: int, column_offset: int) -> None:
    plain = parse_documents(text, "f.yaml").findings
    moved = parse_documents(text, "f.yaml", line_offset=line_offset, column_offset=column_offset).findings
    assert [(f.line + line_offset, f.column + column_offset, f.rule) for f in plain] == [
        (f.line, f.column, f.rule) for f in moved
    ]
