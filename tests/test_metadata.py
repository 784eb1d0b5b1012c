"""ObjectMeta checks: upstream string-rule tables, edge limits, and the coverage of the case files.

The case files under tests/cases/meta are tests of their own (tests/casefiles.py runs each through
`validate_object_meta`; the format, with `# scope:`, `# pointer:` and `# embedded:`, is in
tests/cases/README.md).
"""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from casefiles import case_files, load_case
from mkdocs_appreg.engine.documents import Document, parse_documents
from mkdocs_appreg.engine.metadata import (
    TOTAL_ANNOTATION_SIZE_LIMIT_B,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
    name_is_dns_subdomain,
    validate_object_meta,
)


def test_every_rule_is_covered_by_a_case() -> None:
    rules = {rule for path in case_files("meta", "invalid") for rule, *_ in load_case(path).expected}
    assert rules >= {
        "meta.missing",
        "meta.type",
        "meta.unknown-field",
        "meta.name",
        "meta.namespace",
        "meta.generation",
        "meta.labels",
        "meta.annotations",
        "meta.finalizers",
        "meta.owner-references",
    }


def meta_document(metadata: object) -> Document:
    # JSON is YAML: an easy way to build a large document without a large case file.
    text = json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": metadata})
    parsed = parse_documents(text, "built.yaml")
    return parsed.documents[0]


def test_messages_use_upstream_wording() -> None:
    name = validate_object_meta(meta_document({"name": "Bad_Name"}), "/metadata", namespaced=True)
    assert [f.message for f in name] == [
        'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric '
        "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    ]
    typo = validate_object_meta(meta_document({"nmae": "x"}), "/metadata", namespaced=True)
    assert typo[0].message == 'unknown field "metadata.nmae" (did you mean "name"?)'
    assert typo[1].message == "name or generateName is required"


def test_unquoted_label_value_hint_quotes_the_text_as_written() -> None:
    text = "metadata:\n  name: x\n  labels:\n    enabled: yes\n    version: 1.10\n"
    document = parse_documents(text, "labels.yaml").documents[0]
    messages = [f.message for f in validate_object_meta(document, "/metadata", namespaced=True)]
    # YAML made True and 1.1 of them; the hint must show what the author typed.
    assert messages == [
        'label value must be a string, not a boolean: quote it ("yes")',
        'label value must be a string, not a number: quote it ("1.10")',
    ]


def test_embedded_unknown_field_names_the_full_field_path() -> None:
    text = "spec:\n  items:\n    - metadata:\n        nmae: x\n"
    document = parse_documents(text, "embedded.yaml").documents[0]
    findings = validate_object_meta(document, "/spec/items/0/metadata", namespaced=True, embedded=True)
    assert [f.message for f in findings] == [
        'unknown field "spec.items[0].metadata.nmae" (did you mean "name"?)'
    ]


@pytest.mark.parametrize("character", ["a", "é"], ids=["ascii", "two-byte"])
def test_annotation_size_limit_counts_utf8_bytes(character: str) -> None:
    width = len(character.encode())
    # key "k" plus a value that fills the limit exactly in bytes
    value = character * ((TOTAL_ANNOTATION_SIZE_LIMIT_B - 1) // width)
    value += "a" * (TOTAL_ANNOTATION_SIZE_LIMIT_B - 1 - len(value.encode()))
    at_limit = meta_document({"name": "x", "annotations": {"k": value}})
    assert validate_object_meta(at_limit, "/metadata", namespaced=True) == []
    over = meta_document({"name": "x", "annotations": {"k": value + "a"}})
    findings = validate_object_meta(over, "/metadata", namespaced=True)
    assert [(f.rule, f.path, f.severity) for f in findings] == [
        ("meta.annotations", "/metadata/annotations", "error")
    ]
    assert str(TOTAL_ANNOTATION_SIZE_LIMIT_B + 1) in findings[0].message


# The tables below are transcribed from upstream tests: k8s.io/apimachinery/pkg/api/validate/content
# dns_test.go (TestIsDNS1123Label, TestIsDNS1123Subdomain) and kube_test.go (TestIsLabelKey,
# TestIsLabelValue). They pin the ports to the Go behaviour, not to our reading of it.
DNS1123_LABEL_GOOD = [
    "a",
    "ab",
    "abc",
    "a1",
    "a-1",
    "a--1--2--b",
    "0",
    "01",
    "012",
    "1a",
    "1-a",
    "1--a--b--2",
    "a" * 63,
]
DNS1123_LABEL_BAD = [
    *("", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1"),
    *("_", "a_", "_a", "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a.b", "1.", ".1", "1.2"),
    *(" ", "a ", " a", "a b", "1 ", " 1", "1 2", "a" * 64),
]
DNS1123_SUBDOMAIN_GOOD = [
    *DNS1123_LABEL_GOOD[:-1],
    *("a.a", "ab.a", "abc.a", "a1.a", "a-1.a", "a--1--2--b.a", "a.1", "ab.1", "abc.1", "a1.1", "a-1.1"),
    *("0.a", "01.a", "012.a", "1a.a", "1-a.a", "0.1", "01.1", "012.1", "1a.1", "1-a.1", "1--a--b--2.1"),
    *("a.b.c.d.e", "aa.bb.cc.dd.ee", "1.2.3.4.5", "11.22.33.44.55", "a" * 253),
]
DNS1123_SUBDOMAIN_BAD = [
    *("", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1"),
    *("_", "a_", "_a", "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a..b", "1.", ".1", "1..2"),
    *(" ", "a ", " a", "a b", "1 ", " 1", "1 2", "A.a", "aB.a", "ab.A", "A1.a", "a1.A"),
    *("A.1", "aB.1", "A1.1", "1A.1", "0.A", "01.A", "012.A", "1A.a", "1a.A"),
    *("A.B.C.D.E", "AA.BB.CC.DD.EE", "a.B.c.d.e", "aa.bB.cc.dd.ee"),
    *("a@b", "a,b", "a;b", "a:b", "a%b", "a?b", "a$b", "a" * 254),
    "a\n",  # Go's `$` ends the text; Python's would accept a trailing newline
]
LABEL_KEY_GOOD = [
    *("simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple", "now-with-dashes/simple"),
    *("now-with-dashes/now-with-dashes", "now.with.dots/simple", "now-with.dashes-and.dots/simple"),
    *(
        "1-num.2-num/3-num",
        "1234/5678",
        "1.2.3.4/5678",
        "Uppercase_Is_OK_123",
        "example.com/Uppercase_Is_OK_123",
    ),
    *("requests.storage-foo", "a" * 63, "a" * 253 + "/" + "b" * 63),
]
LABEL_KEY_BAD = [
    *("nospecialchars%^=@", "cantendwithadash-", "-cantstartwithadash-", "only/one/slash", "Example.com/abc"),
    *("example_com/abc", "example.com/", "/simple", "a" * 64, "a" * 254 + "/abc"),
]
LABEL_VALUE_GOOD = ["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", "a" * 63, ""]
LABEL_VALUE_BAD = [
    *("nospecialchars%^=@", "Tama-nui-te-rā.is.Māori.sun", "\\backslashes\\are\\bad", "-starts-with-dash"),
    *("ends-with-dash-", ".starts.with.dot", "ends.with.dot.", "a" * 64),
]


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (is_dns1123_label, DNS1123_LABEL_GOOD, DNS1123_LABEL_BAD),
        (is_dns1123_subdomain, DNS1123_SUBDOMAIN_GOOD, DNS1123_SUBDOMAIN_BAD),
        (is_qualified_name, LABEL_KEY_GOOD, LABEL_KEY_BAD),
        (is_valid_label_value, LABEL_VALUE_GOOD, LABEL_VALUE_BAD),
    ],
    ids=["dns1123-label", "dns1123-subdomain", "label-key", "label-value"],
)
def test_string_rules_match_upstream_tables(rule: object, good: list[str], bad: list[str]) -> None:
    assert callable(rule)
    assert {value: rule(value) for value in good if rule(value)} == {}
    assert [value for value in bad if not rule(value)] == []


def test_label_rule_explains_dots_like_upstream() -> None:
    assert is_dns1123_label("eda.system") == ["must not contain dots"]
    assert is_dns1123_subdomain("a" * 254) == ["must be no more than 253 characters"]


@pytest.mark.parametrize(
    ("prefix", "valid"),
    [("a-", True), ("abc-", True), ("-", False), ("ab.-", True), ("Abc-", False), ("abc--", True)],
)
def test_generate_name_prefix_masks_the_trailing_dash_like_upstream(prefix: str, valid: bool) -> None:
    # generic.go maskTrailingDash drops the last two bytes and appends "a": "ab.-" -> "aba".
    assert (name_is_dns_subdomain(prefix, True) == []) is valid


FIELD_NAMES = st.sampled_from(
    [
        "name",
        "generateName",
        "namespace",
        "labels",
        "annotations",
        "finalizers",
        "ownerReferences",
        "generation",
        "creationTimestamp",
        "managedFields",
        "uid",
        "nmae",
        "controller",
        "apiVersion",
        "kind",
    ]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(FIELD_NAMES | st.text(max_size=4), children)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(FIELD_NAMES, JSON_VALUES) | JSON_VALUES, st.booleans(), st.booleans())
def test_any_metadata_gives_findings_not_exceptions(
    metadata: object, namespaced: bool, embedded: bool
) -> None:
    # yaml.safe_dump, not json: it writes .inf / .nan and non-string scalars the way YAML authors do.
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "Secret", "metadata": metadata})
    parsed = parse_documents(text, "fuzz.yaml")
    if not parsed.documents:
        # `.nan` / `.inf`: kubectl cannot convert the document to JSON, so it is refused whole.
        assert [f.rule for f in parsed.findings] == ["yaml.not-json"]
        return
    document = parsed.documents[0]
    for finding in validate_object_meta(document, "/metadata", namespaced=namespaced, embedded=embedded):
        assert finding.rule.startswith("meta.")
        assert finding.line >= 1
