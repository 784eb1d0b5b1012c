"""The rule table in docs/reference/rules.md lists exactly the rule ids the source can emit.

Rule ids are found by reading the source, not by importing it: every string constant in
`src/mkdocs_appreg/*.py` shaped like a rule id (`family.name`, or the bare `placeholder`) whose
family is one of ours. Ids built at run time (`f"schema.{keyword}"`) are checked through the
keyword tables the modules build them from. The CEL function table in docs/reference/cel.md is
checked against the engine: a function the page says is evaluated must be, and the reverse.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mkdocs_appreg.engine import cel, compiler, corekinds
from mkdocs_appreg.engine.describe import schema_rule

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "mkdocs_appreg"
RULES_PAGE = ROOT / "docs" / "reference" / "rules.md"
CEL_PAGE = ROOT / "docs" / "reference" / "cel.md"

# The first segment of every rule id. A string such as "pymdownx.snippets", "mkdocs.yml" or
# "tls.crt" has the shape of an id but another first segment, so it is not mistaken for one.
FAMILIES = frozenset(
    {
        "cel",
        "core",
        "crd",
        "directive",
        "embedded",
        "fence",
        "heredoc",
        "kind",
        "list",
        "meta",
        "policy",
        "prose",
        "ref",
        "resource",
        "schema",
        "secret",
        "snippet",
        "template",
        "version",
        "yaml",
    }
)
BARE_IDS = frozenset({"placeholder"})
RULE_ID = re.compile(r"^[a-z]+(?:\.[a-z0-9-]+)+$")

# Strings of a rule family's shape that are not rule ids. Add one here, with the reason, when a
# module needs such a string; the test below fails on an entry that no longer occurs.
NOT_RULE_IDS: dict[str, str] = {
    "cel.cli": "a submodule of the CEL engine package, which cel.py keeps from being imported",
}

# Modules that build rule ids at run time: (module file, literal prefix of the f-string). Each one
# has a test below that proves every id it can build is one the table lists.
DYNAMIC_BUILDERS = frozenset({("describe.py", "schema.")})


def _is_rule_id(text: str) -> bool:
    if text in BARE_IDS:
        return True
    return RULE_ID.match(text) is not None and text.split(".", 1)[0] in FAMILIES


def _modules() -> list[Path]:
    return sorted(SOURCE.rglob("*.py"))


@functools.cache
def _nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of the module's syntax tree (`ast.walk` order), read and parsed once.

    Six scans below read every module of the package; parsing them costs ~0.3 s a pass.
    """
    return tuple(ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))


@pytest.fixture(autouse=True, scope="module")
def _forget_the_trees() -> Iterator[None]:
    """The trees are this module's only: not kept for the rest of the session."""
    yield
    _nodes.cache_clear()


def _constants(path: Path) -> Iterator[str]:
    for node in _nodes(path):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def source_rule_ids() -> dict[str, set[str]]:
    """Rule id -> the modules whose string constants hold it."""
    found: dict[str, set[str]] = {}
    for path in _modules():
        for text in _constants(path):
            if _is_rule_id(text) and text not in NOT_RULE_IDS:
                found.setdefault(text, set()).add(path.name)
    return found


def dynamic_builders() -> set[tuple[str, str]]:
    """(module, prefix) of every f-string whose literal start is a rule family and a dot."""
    builders: set[tuple[str, str]] = set()
    for path in _modules():
        for node in _nodes(path):
            if not isinstance(node, ast.JoinedStr) or not node.values:
                continue
            first = node.values[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            match = re.match(r"^([a-z]+)\.$", first.value)
            if match and match.group(1) in FAMILIES:
                builders.add((path.name, first.value))
    return builders


# Where a rule id is handed over: the argument position of the rule in the calls that make
# findings, `rule=` anywhere, and constants named `...RULE`. Used to spot an id of a new family,
# which the constant scan (restricted to FAMILIES) cannot see.
_RULE_ARGUMENT = {"Finding": 3, "finding": 1, "warn": 3, "_runtime_finding": 2, "report": 1}


def strings_in_rule_positions() -> dict[str, set[str]]:
    """String constants passed where a rule id goes -> the modules that pass them."""
    found: dict[str, set[str]] = {}
    for path in _modules():
        for node in _nodes(path):
            candidates: list[ast.expr] = []
            if isinstance(node, ast.Call):
                function = node.func
                name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
                position = _RULE_ARGUMENT.get(name)
                if position is not None and len(node.args) > position:
                    candidates.append(node.args[position])
                candidates.extend(keyword.value for keyword in node.keywords if keyword.arg == "rule")
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(target, ast.Name) and target.id.endswith("RULE") for target in targets):
                    candidates.append(node.value)
            for candidate in candidates:
                if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                    found.setdefault(candidate.value, set()).add(path.name)
    return found


def _cells(line: str) -> list[str]:
    """The cells of a table row; a `|` inside a code span does not split, as in Python-Markdown."""
    cells: list[str] = []
    current = ""
    in_code = False
    for char in line.strip().removeprefix("|").removesuffix("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
    cells.append(current.strip())
    return cells


def table(page: Path, header: list[str]) -> list[list[str]]:
    """The body rows (as cells) of the Markdown table of `page` whose header row is `header`."""
    rows: list[list[str]] = []
    inside = False
    for line in page.read_text(encoding="utf-8").splitlines():
        cells = _cells(line) if line.startswith("|") else []
        if cells == header:
            inside = True
        elif inside and not cells:
            break
        elif inside and not set("".join(cells)) <= {"-", ":"}:
            assert len(cells) == len(header), f"{page.name}: {line}"
            rows.append(cells)
    assert rows, f"no table with the header {header} in {page.name}"
    return rows


def documented_rules(page: Path = RULES_PAGE) -> dict[str, str]:
    """Rule id -> the severity cell of its row in the rules table (family rows left out)."""
    rules: dict[str, str] = {}
    for cells in table(page, ["id", "severity", "meaning", "upstream reference"]):
        if cells[0].startswith("**"):
            continue  # a family's separator row
        match = re.fullmatch(r"`([^`]+)`", cells[0])
        assert match is not None, f"{page.name}: the id cell {cells[0]!r} is not one code span"
        assert match.group(1) not in rules, f"{match.group(1)} has two rows in {page.name}"
        rules[match.group(1)] = cells[1]
    return rules


# --- rules.md -------------------------------------------------------------------------------------


def test_the_scan_finds_rules_of_every_family() -> None:
    # Guards the scan itself: a broken pattern or prefix list would make the next tests vacuous.
    found = source_rule_ids()
    families = {rule.split(".", 1)[0] for rule in found if rule not in BARE_IDS}
    assert families == FAMILIES
    assert set(found) >= BARE_IDS


def test_rules_passed_to_findings_belong_to_a_known_family() -> None:
    passed = strings_in_rule_positions()
    assert len(passed) > 40  # the positions still match how findings are made
    unknown = {text: sorted(modules) for text, modules in passed.items() if not _is_rule_id(text)}
    assert not unknown, (
        f"rule ids of a family missing from FAMILIES (add it, and document the ids): {unknown}"
    )


def test_every_rule_the_source_emits_is_documented() -> None:
    documented = documented_rules()
    missing = {rule: sorted(modules) for rule, modules in source_rule_ids().items() if rule not in documented}
    assert not missing, f"rule ids missing from {RULES_PAGE.relative_to(ROOT)}: {missing}"


def test_every_documented_rule_exists_in_the_source() -> None:
    # `describe.schema_rule` builds the `schema.*` ids of jsonschema's keywords at run time.
    built = {schema_rule(keyword) for keyword in compiler.KubernetesValidator.VALIDATORS}
    stale = sorted(set(documented_rules()) - set(source_rule_ids()) - built)
    assert not stale, f"rows of {RULES_PAGE.relative_to(ROOT)} for ids no module emits: {stale}"


def test_every_documented_rule_has_a_severity_and_is_shaped_like_an_id() -> None:
    for rule, severity in documented_rules().items():
        assert _is_rule_id(rule), f"{rule} is not a rule id of a known family"
        assert re.search(r"\b(error|warning)\b", severity), f"{rule}: severity cell {severity!r}"


def test_exclusions_are_still_needed() -> None:
    everywhere = {text for path in _modules() for text in _constants(path)}
    assert set(NOT_RULE_IDS) <= everywhere


def test_rule_ids_built_at_run_time_are_known() -> None:
    # A new f-string that builds ids needs a check like the two below.
    assert dynamic_builders() == DYNAMIC_BUILDERS


def test_validate_names_every_keyword_jsonschema_can_report() -> None:
    """`describe.schema_rule` builds ids from keywords; prove each id validate can build is listed.

    jsonschema reports an error under the keyword that failed. The converted schemas hold only
    `compiler._VALUE_KEYWORDS`, the combinators and the structure keywords, and the structure
    keywords (`properties`, `items`, `additionalProperties` as a schema, `allOf`) only descend:
    their errors carry the inner keyword. Every other keyword's rule must be documented.
    """
    descend_only = {"properties", "items", "additionalProperties", "allOf"}
    keywords = set(compiler._VALUE_KEYWORDS) | set(compiler._SCHEMA_LIST_KEYWORDS) | {"not"}
    reportable = (keywords & set(compiler.KubernetesValidator.VALIDATORS)) - descend_only
    assert reportable, "no keyword left: the keyword tables moved"
    missing = sorted({schema_rule(k) for k in reportable} - set(documented_rules()))
    assert not missing, f"validate can report {missing}, which {RULES_PAGE.name} does not list"


def _schema_keywords(schema: Any, found: set[str]) -> None:
    """Every keyword used at a schema position of a JSON Schema document (property names excluded)."""
    if not isinstance(schema, Mapping):
        return
    found.update(str(key) for key in schema)
    for key, value in schema.items():
        if key in ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas"):
            if isinstance(value, Mapping):
                for child in value.values():
                    _schema_keywords(child, found)
        elif key in ("allOf", "anyOf", "oneOf", "prefixItems") and isinstance(value, list):
            for child in value:
                _schema_keywords(child, found)
        elif isinstance(value, Mapping) and key in (
            "items",
            "additionalProperties",
            "not",
            "contains",
            "if",
            "then",
            "else",
            "propertyNames",
            "unevaluatedItems",
            "unevaluatedProperties",
        ):
            _schema_keywords(value, found)


def test_corekinds_rule_ids_for_the_shipped_schemas_are_documented() -> None:
    """`corekinds` names a failed keyword `schema.<kebab-case keyword>`: list what the schemas use."""
    releases = corekinds.available_versions()
    if not releases:
        pytest.skip("kubernetes-validate is not installed")
    keywords: set[str] = set()
    for release in releases:
        _schema_keywords(corekinds._definitions(release), keywords)
    newest = corekinds._release(releases[-1])
    for name in newest.names():
        if name != corekinds.DEFINITIONS:
            _schema_keywords(newest.read(name), keywords)
    # Keywords that only descend report the inner keyword; `format` is not asserted (the
    # validator gets no format checker); `x-kubernetes-*`, `description`... are not validators.
    descend_only = {"$ref", "$dynamicRef", "properties", "items", "prefixItems", "allOf", "patternProperties"}
    reportable = (keywords & set(Draft202012Validator.VALIDATORS)) - descend_only
    reportable.discard("format")
    assert {"type", "required", "enum", "additionalProperties"} <= reportable  # the walk works
    built = {schema_rule(k) for k in reportable}
    missing = sorted(built - set(documented_rules()))
    assert not missing, f"corekinds can report {missing}, which {RULES_PAGE.name} does not list"


# --- cel.md ---------------------------------------------------------------------------------------


def cel_function_rows(page: Path = CEL_PAGE) -> list[tuple[str, str, str]]:
    """(function, example, evaluated) of each row of the function table."""
    rows: list[tuple[str, str, str]] = []
    for function, _, example, evaluated in table(page, ["function", "library", "example", "evaluated"]):
        match = re.fullmatch(r"`([^`]+)`", example)
        assert match is not None, f"{page.name}: the example cell {example!r} is not one code span"
        rows.append((function, match.group(1), evaluated))
    return rows


def test_the_cel_function_table_is_found() -> None:
    rows = cel_function_rows()
    assert len(rows) > 50
    assert {evaluated.split(":")[0] for _, _, evaluated in rows} == {"yes", "no"}


@pytest.mark.parametrize(("function", "example", "evaluated"), cel_function_rows())
def test_cel_function_table_says_what_the_engine_does(function: str, example: str, evaluated: str) -> None:
    expression = cel.compile_expression(example)
    if evaluated == "yes":
        assert expression.unsupported == (), f"{function}: {example} is reported as cel.unchecked"
    else:
        assert evaluated.startswith("no: `cel.unchecked`")
        assert expression.unsupported, f"{function}: {example} is evaluated now; update {CEL_PAGE.name}"
