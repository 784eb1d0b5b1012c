"""The YAML documents layer: kubectl's value semantics, positions, and findings for bad input."""

from __future__ import annotations

import pytest
import yaml

from mkdocs_appreg.engine.documents import describe_yaml_error, join_pointer, parse_documents, split_pointer


def test_yaml_11_booleans_and_timestamps_as_kubectl_sees_them() -> None:
    result = parse_documents("a: yes\nb: off\nc: 2024-01-02\nd: 0755\ne: ~\n", "x.yaml")
    assert result.findings == []
    assert result.documents[0].value == {"a": True, "b": False, "c": "2024-01-02", "d": 493, "e": None}


def test_keys_become_strings_like_json() -> None:
    value = parse_documents("1: a\ntrue: b\n", "x.yaml").documents[0].value
    assert value == {"1": "a", "true": "b"}


def test_empty_documents_are_skipped_but_counted_in_the_index() -> None:
    text = "---\n---\napiVersion: v1\nkind: A\n---\n# only a comment\n---\nkind: B\n"
    result = parse_documents(text, "x.yaml")
    assert [(d.index, d.kind) for d in result.documents] == [(1, "A"), (3, "B")]
    assert result.count == 4
    assert result.documents[1].line == 8


def test_duplicate_key_is_a_finding_at_the_second_key() -> None:
    result = parse_documents("metadata:\n  name: a\n  name: b\n", "dup.yaml")
    [finding] = result.findings
    assert (finding.rule, finding.line, finding.column) == ("yaml.duplicate-key", 3, 3)
    assert "already defined at line 2" in finding.message
    assert finding.severity == "error"
    assert result.documents[0].value == {"metadata": {"name": "b"}}


def test_syntax_error_is_a_finding_with_its_position_and_earlier_documents_survive() -> None:
    text = "kind: A\n---\nkind: B\n  bad: [\n"
    result = parse_documents(text, "bad.yaml")
    assert [d.kind for d in result.documents] == ["A"]
    [finding] = result.findings
    assert finding.rule == "yaml.syntax"
    assert finding.document == 1
    assert finding.line == 4
    assert finding.message.startswith("YAML syntax error:")


def test_tab_indentation_is_a_syntax_finding() -> None:
    [finding] = parse_documents("a:\n\tb: 1\n", "tab.yaml").findings
    assert (finding.rule, finding.line) == ("yaml.syntax", 2)


LOCATE_TEXT = """\
apiVersion: v1
kind: X
spec:
  remoteURL: x
  skipTLSVerify: {true|false}
  list:
    - name: a
    - name: b
  a/b: 1
"""


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", (1, 1)),
        ("/spec", (3, 1)),
        ("/spec/skipTLSVerify", (5, 3)),
        ("/spec/list/1", (8, 7)),
        ("/spec/list/1/name", (8, 7)),
        ("/spec/list/9", (6, 3)),  # a missing item: its list
        ("/spec/missing", (3, 1)),  # a missing field: its parent
        ("/spec/a~1b", (9, 3)),
    ],
)
def test_locate_finds_keys_items_and_nearest_parents(pointer: str, expected: tuple[int, int]) -> None:
    document = parse_documents(LOCATE_TEXT, "x.yaml").documents[0]
    assert document.locate(pointer) == expected


def test_locate_value_points_at_the_value() -> None:
    document = parse_documents("spec:\n  skip: {a: b}\n", "x.yaml").documents[0]
    assert document.locate("/spec/skip") == (2, 3)
    assert document.locate_value("/spec/skip") == (2, 9)


def test_keys_from_merges_are_located_in_the_merged_mapping() -> None:
    text = "base: &b\n  color: red\nitem:\n  <<: *b\n  size: 1\n"
    document = parse_documents(text, "x.yaml").documents[0]
    assert document.value["item"] == {"color": "red", "size": 1}
    assert document.locate("/item/color") == (2, 3)
    assert document.locate("/item/size") == (5, 3)


def test_offsets_place_embedded_yaml_in_its_page() -> None:
    result = parse_documents("kind: A\nspec:\n  x: [\n", "page.md", line_offset=10, column_offset=4)
    [finding] = result.findings
    assert finding.file == "page.md"
    assert finding.line > 10 and finding.column > 4
    document = parse_documents(
        "kind: A\nspec:\n  x: 1\n", "page.md", line_offset=10, column_offset=4
    ).documents[0]
    assert document.locate("/spec/x") == (13, 7)


def test_document_finding_carries_identity() -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  k: v\n"
    document = parse_documents(text, "s.yaml").documents[0]
    finding = document.finding("/data/k", "secret.base64", "bad")
    assert (finding.kind, finding.name, finding.api_version, finding.line, finding.column) == (
        "Secret",
        "creds",
        "v1",
        6,
        3,
    )
    assert finding.located() == "s.yaml:6:3: [secret.base64] Secret/creds /data/k: bad"


def test_pointer_escaping_round_trips() -> None:
    pointer = join_pointer(join_pointer("", "metadata"), "eda.nokia.com/backup")
    assert pointer == "/metadata/eda.nokia.com~1backup"
    assert split_pointer(pointer) == ["metadata", "eda.nokia.com/backup"]
    assert split_pointer("") == []


def test_non_scalar_key_is_a_finding_not_a_crash() -> None:
    result = parse_documents("? [a, b]\n: 1\n", "k.yaml")
    assert [f.rule for f in result.findings] == ["yaml.syntax"]
    assert result.findings[0].line == 1


def test_documents_are_streamed_one_at_a_time() -> None:
    from mkdocs_appreg.engine.documents import iter_documents

    findings: list = []
    stream = iter_documents("a: 1\n---\nb: 2\nb: 3\n---\nc: [\n", "s.yaml", findings)
    first = next(stream)
    assert first.value == {"a": 1} and findings == []
    assert [d.value for d in stream] == [{"b": 3}]
    assert [f.rule for f in findings] == ["yaml.duplicate-key", "yaml.syntax"]


# A file is parsed from its bytes (`appreg validate`), a page's example from a str: the same
# documents and findings, at the same positions, either way.
BYTES_OR_TEXT = [
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
    "\ufeffkind: A\nname: ü\n---\nkind: B\n",
    "name: é\nbad: \x00here\n",  # a control character after a non-ASCII one: a character offset
    "kind: A\r\nname: a\r\n---\r\nkind: B\r\n  bad: [\r\n",
    "a: 1\u2028b: 2\x85c: [\n",
    "a: &x [1, 2]\nb: *x\n",
    "--- !tag\na: 1\n---\nb: 2\n",  # kubectl's splitting differs from YAML's: split by lines
    "%YAML 1.1\n---\na: 1\n",
    "a: 1\n...\nb: 2\n",
    "metadata:\n  name: 日本\n  name: b\n",
    "k: [unterminated",
    "k: 'x\n",
]


@pytest.mark.parametrize("text", BYTES_OR_TEXT)
def test_bytes_and_text_parse_alike(text: str) -> None:
    from_text = parse_documents(text, "x.yaml")
    from_bytes = parse_documents(text.encode("utf-8"), "x.yaml")
    assert from_bytes.findings == from_text.findings
    assert [(d.index, d.value, d.line, d.column) for d in from_bytes.documents] == [
        (d.index, d.value, d.line, d.column) for d in from_text.documents
    ]
    assert from_bytes.count == from_text.count


@pytest.mark.parametrize("reader", ["libyaml", "python"])
@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("name: é\nbad: \x00\n", 2, 6),
        ("é\x00\n", 1, 2),
        ("a: ééé \x01\n", 1, 8),
        ("a: b\nc: \x00\n", 2, 4),
    ],
)
def test_a_control_character_after_non_ascii_text_is_at_its_character_column(
    reader: str, text: str, line: int, column: int
) -> None:
    # libyaml reports a byte offset into the UTF-8 text, PyYAML's Python reader a character offset.
    loader = yaml.CSafeLoader if reader == "libyaml" else yaml.SafeLoader
    with pytest.raises(yaml.reader.ReaderError) as caught:
        yaml.load(text, Loader=loader)
    assert describe_yaml_error(caught.value, text)[:2] == (line, column)
