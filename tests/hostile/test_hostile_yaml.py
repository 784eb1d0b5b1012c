"""YAML bombs and giants: alias expansion, deep nesting, huge files and scalars.

Each is refused or handled within the harness's hard ceiling (5 s, 512 MiB on top of the
process), in an example, a CRD and a vars file, and never walked exponentially by any consumer
of parsed documents.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from harness import appreg, billion_laughs, bounded

from mkdocs_appreg.common.errors import ConfigError, CrdError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.limits import MAX_FILE_BYTES
from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.engine.validate import validate_text
from mkdocs_appreg.rendering.varsfile import load_vars_file
from mkdocs_appreg.site import placeholders
from mkdocs_appreg.site.references import DEFAULT_REFERENCE_RULES, SiteResource, check_references

BUNDLED_CRD = Path(__file__).resolve().parents[2] / "mkdocs_appreg" / "crds"
REGISTRY_CRD = BUNDLED_CRD / "appstore.eda.nokia.com_registries.yaml"
SECRET_HEAD = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
EXPANDED = re.compile(
    r"YAML aliases expand this document to (\d+) nodes from (\d+): document contains excessive aliasing"
)


def is_bomb_message(message: str) -> bool:
    """The excessive-aliasing message, counting at least the 9**9 leaves of `billion_laughs`."""
    match = EXPANDED.fullmatch(message)
    return match is not None and int(match[1]) >= 9**9 and int(match[2]) < 400


def validate(text: str) -> list[tuple[int, int, str, str]]:
    findings, _ = validate_text(text, "x.yaml", SchemaRegistry.builtin())
    return [(f.line, f.column, f.rule, f.message) for f in findings]


@pytest.mark.parametrize(
    "where",
    [
        "stringData:\n" + billion_laughs("  "),
        "data:\n" + billion_laughs("  "),
        "metadata:\n  name: s\n  annotations:\n" + billion_laughs("    "),
        "metadata:\n  name: s\n  labels:\n" + billion_laughs("    "),
        billion_laughs(),  # unknown top-level fields
    ],
    ids=["stringData", "data", "annotations", "labels", "top-level"],
)
def test_billion_laughs_in_an_example_is_one_finding(where: str) -> None:
    text = "apiVersion: v1\nkind: Secret\n" + where
    ((line, column, rule, message),) = bounded(validate, text)
    assert (line, column, rule) == (1, 1, "resource.excessive-aliasing")
    assert is_bomb_message(message), message


def test_billion_laughs_in_a_custom_resource_spec() -> None:
    text = (
        "apiVersion: appstore.eda.nokia.com/v1\nkind: Registry\nmetadata:\n  name: r\nspec:\n"
        + billion_laughs("  ")
    )
    ((line, column, rule, message),) = bounded(validate, text)
    assert (line, column, rule) == (1, 1, "resource.excessive-aliasing")
    assert is_bomb_message(message), message


def test_a_bomb_never_reaches_consumers_of_parsed_documents() -> None:
    # placeholders and references walk whole values recursively: they must never see the bomb.
    def consume() -> tuple[int, list[str], int]:
        parsed = parse_documents(SECRET_HEAD + "stringData:\n" + billion_laughs("  "), "x.yaml")
        found = [placeholders.find_placeholders(d, None) for d in parsed.documents]
        resources = [SiteResource(d, d.file) for d in parsed.documents]
        check_references(resources, DEFAULT_REFERENCE_RULES)
        return len(parsed.documents), [f.rule for f in parsed.findings], len(found)

    assert bounded(consume) == (0, ["resource.excessive-aliasing"], 0)


def test_a_recursive_alias_is_one_finding() -> None:
    text = SECRET_HEAD + "stringData: &loop\n  self: *loop\n"
    assert bounded(validate, text) == [
        (1, 1, "resource.recursive-alias", "a YAML alias contains itself, which JSON cannot express")
    ]


def test_modest_aliases_still_work() -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels: &l {a: b}\n  annotations: *l\n"
    assert bounded(validate, text) == []


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a: " + "[" * 10_000 + "]" * 10_000 + "\n", (1, 1003)),
        ("a: " + "{a: " * 10_000 + "}" * 10_000 + "\n", None),
        ("".join("  " * i + f"k{i}:\n" for i in range(3000)), None),
        ("- " * 10_000 + "x\n", None),
    ],
    ids=["flow-sequences", "flow-mappings", "block-mappings", "block-sequences"],
)
def test_deep_nesting_is_a_syntax_finding(text: str, position: tuple[int, int] | None) -> None:
    found = bounded(validate, text)
    assert len(found) == 1
    line, column, rule, message = found[0]
    assert rule == "yaml.syntax"
    assert "exceeded maximum nesting depth" in message or "cannot be loaded" in message
    if position is not None:
        assert (line, column) == position


def test_a_10_mb_scalar_is_handled_in_bounded_time_and_memory() -> None:
    text = SECRET_HEAD + "stringData:\n  a: " + "x" * 10_000_000 + "\n"
    assert bounded(validate, text) == [
        (
            5,
            1,
            "secret.size",
            "Too long: may not be more than 1048576 bytes (data and stringData decode to 10000000)",
        )
    ]


def test_a_stream_over_the_size_limit_is_refused_unparsed() -> None:
    def parse() -> list[Finding]:
        return parse_documents("a: b\n" * (MAX_FILE_BYTES // 5 + 1), "big.yaml").findings

    (found,) = bounded(parse, memory_mb=256)
    assert (found.line, found.column, found.rule) == (1, 1, "yaml.limit")
    assert (
        found.message
        == f"the stream is {MAX_FILE_BYTES + 5 - MAX_FILE_BYTES % 5} characters long; the limit is {MAX_FILE_BYTES}"
    )


def test_a_100_mb_file_is_refused_by_the_cli_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse
    # 300 MiB of address space for the whole interpreter: reading the file whole would not fit.
    result = appreg("validate", "big.yaml", cwd=tmp_path, seconds=30, memory_mb=600, process=True)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"big.yaml:1:1: error [yaml.limit] file is larger than the 16 MiB limit ({100 * 1024 * 1024} bytes)"
    )
    assert "Traceback" not in result.stderr


def test_billion_laughs_in_a_crd_is_a_crd_error(tmp_path: Path) -> None:
    crd = REGISTRY_CRD.read_text()
    bomb = "x-bomb:\n" + billion_laughs("  ")
    (tmp_path / "bomb.yaml").write_text(crd.replace("spec:\n", bomb + "spec:\n", 1))

    def load() -> str:
        try:
            SchemaRegistry.builtin().add_path(tmp_path / "bomb.yaml", display="bomb.yaml")
        except CrdError as error:
            return str(error)
        return "loaded"

    message = bounded(load)
    assert message.startswith("bomb.yaml:1: ")
    assert is_bomb_message(message.removeprefix("bomb.yaml:1: ")), message


def test_a_giant_crd_is_a_crd_error(tmp_path: Path) -> None:
    with (tmp_path / "big.yaml").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)

    def load() -> str:
        try:
            SchemaRegistry.builtin().add_path(tmp_path / "big.yaml", display="big.yaml")
        except CrdError as error:
            return str(error)
        return "loaded"

    assert (
        bounded(load, memory_mb=128)
        == f"big.yaml: file is larger than the 16 MiB limit ({MAX_FILE_BYTES + 1} bytes)"
    )


def test_billion_laughs_in_a_vars_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "vars.yaml").write_text(billion_laughs())

    def load() -> str:
        try:
            load_vars_file(tmp_path / "vars.yaml", "vars.yaml")
        except ConfigError as error:
            return str(error)
        return "loaded"

    message = bounded(load)
    assert message.startswith("vars.yaml:1: ")
    assert is_bomb_message(message.removeprefix("vars.yaml:1: ")), message


def test_a_recursive_alias_in_a_vars_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "vars.yaml").write_text("loop: &l\n  - *l\n")

    def load() -> str:
        try:
            load_vars_file(tmp_path / "vars.yaml", "vars.yaml")
        except ConfigError as error:
            return str(error)
        return "loaded"

    assert bounded(load) == "vars.yaml:1: a YAML alias contains itself, which JSON cannot express"


def test_a_giant_vars_file_is_a_config_error(tmp_path: Path) -> None:
    with (tmp_path / "vars.yaml").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)

    def load() -> str:
        try:
            load_vars_file(tmp_path / "vars.yaml", "vars.yaml")
        except ConfigError as error:
            return str(error)
        return "loaded"

    assert (
        bounded(load, memory_mb=128)
        == f"vars.yaml: file is larger than the 16 MiB limit ({MAX_FILE_BYTES + 1} bytes)"
    )
