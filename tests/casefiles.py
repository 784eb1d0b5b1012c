"""The one collector of the case files under `tests/cases/**/{valid,invalid}/*.yaml`.

`tests/conftest.py` hands every such file to `CaseFile` (pytest's `pytest_collect_file` hook), so a
new case file, or a new folder of them under an existing family, is a test without editing a test
module: `pytest tests/cases/secret` runs the Secret cases alone. The format is documented in
`tests/cases/README.md`.

A case is checked by the checker of its family (the first folder under `tests/cases/`), which
runs the part of the engine the family is about; the findings must equal the header's
expectations exactly (rule, JSON pointer, line, column and severity; no finding twice), and a
`valid/` case may expect warnings only. A folder of a family with no checker is a failing test
that names it, never a silently skipped one.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, parse_documents

CASES = Path(__file__).resolve().parent / "cases"
KINDS = ("valid", "invalid")
FIXTURE_CRDS = Path(__file__).resolve().parent / "fixtures" / "crds" / "good"
CEL_CRDS = Path(__file__).resolve().parent / "fixtures" / "crds-cel"

Expectation = tuple[str, str, int, int, str]  # rule, JSON pointer, line, column, severity


@dataclass(frozen=True)
class Case:
    """One case file and what its header declares.

    Attributes:
        path: The file.
        kind: `valid` or `invalid` (the folder it is in).
        family: The first folder under `tests/cases/`, which names its checker.
        expected: Every finding it must give, `(rule, pointer, line, column, severity)`.
        settings: The other header lines (`crd`, `scope`, `pointer`, `embedded`), by name.
    """

    path: Path
    kind: str
    family: str
    expected: frozenset[Expectation]
    settings: dict[str, str]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def is_case_file(path: Path) -> bool:
    return path.suffix == ".yaml" and path.parent.name in KINDS and CASES in path.parents


def case_files(family: str | None = None, kind: str | None = None) -> list[Path]:
    """Case files in a family (all when None) and a kind (both when None), sorted."""
    root = CASES / family if family else CASES
    return sorted(p for p in root.rglob("*.yaml") if is_case_file(p) and kind in (None, p.parent.name))


def load_case(path: Path) -> Case:
    """Read a case file's header: the comment lines before its first other line."""
    expected: list[Expectation] = []
    settings: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        directive, _, rest = line[1:].strip().partition(":")
        if directive in ("expect", "expect-warning"):
            # A pointer may hold spaces (`/data/my key`): the position is the last word.
            rule, *words, position = rest.split()
            pointer = " ".join(words)
            row, column = position.split(":")
            severity = "warning" if directive == "expect-warning" else "error"
            expected.append((rule, "" if pointer == '""' else pointer, int(row), int(column), severity))
        elif directive in ("crd", "scope", "pointer", "embedded"):
            settings[directive] = rest.strip()
    duplicates = [item for item, count in Counter(expected).items() if count > 1]
    assert not duplicates, f"{path}: an expectation is written twice: {duplicates}"
    relative = path.relative_to(CASES)
    return Case(path, path.parent.name, relative.parts[0], frozenset(expected), settings)


def observed(findings: list[Finding]) -> set[Expectation]:
    return {(f.rule, f.path, f.line, f.column, f.severity) for f in findings}


def only_document(case: Case) -> Document:
    parsed = parse_documents(case.text, case.path.name)
    assert parsed.findings == [], "case files of this family must be valid YAML"
    assert len(parsed.documents) == 1, "case files of this family hold one document"
    return parsed.documents[0]


# --- checkers, one per family --------------------------------------------------------------------


@functools.cache
def _registry() -> Any:
    # Built once per run: the bundled CRDs plus tests/fixtures/crds/good (Widget and friends).
    from mkdocs_appreg.engine.schemas import SchemaRegistry

    registry = SchemaRegistry.builtin()
    assert registry.add_path(FIXTURE_CRDS) == []
    return registry


@functools.cache
def _registry_with(crd: str) -> Any:
    # `_registry()` plus one CRD of tests/fixtures/crds-cel, for a case naming it with `# crd:`.
    from mkdocs_appreg.engine.schemas import SchemaRegistry

    registry = SchemaRegistry.builtin()
    assert registry.add_path(FIXTURE_CRDS) == []
    assert registry.add_path(CEL_CRDS / crd) == []
    return registry


def check_resource(case: Case) -> list[Finding]:
    """`schema/`, `resource/`: the whole of `validate_text`, as `appreg validate` runs it."""
    from mkdocs_appreg.engine.validate import validate_text

    crd = case.settings.get("crd")
    registry = _registry_with(crd) if crd else _registry()
    findings, count = validate_text(case.text, case.path.name, registry)
    assert count >= 1, "the case holds no document"
    return findings


def check_meta(case: Case) -> list[Finding]:
    """`meta/`: `validate_object_meta` on the metadata at `# pointer:` (default `/metadata`)."""
    from mkdocs_appreg.engine.metadata import validate_object_meta

    return validate_object_meta(
        only_document(case),
        case.settings.get("pointer", "/metadata"),
        namespaced=case.settings.get("scope", "Namespaced") != "Cluster",
        embedded=case.settings.get("embedded", "false") == "true",
    )


def check_secret(case: Case) -> list[Finding]:
    """`secret/`: a namespaced Secret's metadata, then `validate_secret`."""
    from mkdocs_appreg.engine.metadata import validate_object_meta
    from mkdocs_appreg.engine.secret import validate_secret

    document = only_document(case)
    return validate_object_meta(document, "/metadata", namespaced=True) + validate_secret(document)


def crd_schema(name: str) -> Any:
    """The openAPIV3Schema of the storage version of a CRD in tests/fixtures/crds-cel."""
    crd = yaml.safe_load((CEL_CRDS / name).read_text(encoding="utf-8"))
    version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    return version["schema"]["openAPIV3Schema"]


def check_extensions(case: Case) -> list[Finding]:
    """`cel/`, `listtype/`, `embedded/`: `validate_extensions` against the `# crd:` schema."""
    from mkdocs_appreg.engine.schema_extensions import validate_extensions

    crd = case.settings.get("crd")
    assert crd, "the case names no CRD (`# crd: <file in tests/fixtures/crds-cel>`)"
    parsed = parse_documents(case.text, str(case.path))
    assert not parsed.findings and len(parsed.documents) == 1
    return validate_extensions(parsed.documents[0], crd_schema(crd))


def check_builtin(case: Case) -> list[Finding]:
    """`core/`: the whole of `appreg validate` for one file, built-in kinds included (site.check)."""
    from mkdocs_appreg.site.check import core_schemas, validate_stream

    findings, count = validate_stream(case.text, case.path.name, _registry(), core_schemas(None))
    assert count >= 1, "the case holds no document"
    return findings


CHECKERS: dict[str, Callable[[Case], list[Finding]]] = {
    "core": check_builtin,
    "schema": check_resource,
    "resource": check_resource,
    "meta": check_meta,
    "secret": check_secret,
    "cel": check_extensions,
    "listtype": check_extensions,
    "embedded": check_extensions,
}
"""Family (first folder under tests/cases) -> the checker its cases run."""


def run_case(case: Case) -> None:
    """Check one case; raises AssertionError naming what differs."""
    checker = CHECKERS.get(case.family)
    assert checker is not None, (
        f"tests/cases/{case.family} has no checker: add one to CHECKERS in tests/casefiles.py"
    )
    if case.kind == "invalid":
        assert case.expected, "an invalid case declares no `# expect:` or `# expect-warning:` line"
    else:
        assert all(e[4] == "warning" for e in case.expected), "a valid case may expect warnings only"
    findings = checker(case)
    found = observed(findings)
    shown = "\n".join(f"  {f.located()}" for f in findings)
    missing, unexpected = sorted(case.expected - found), sorted(found - case.expected)
    assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}; found:\n{shown}"
    assert len(findings) == len(case.expected), f"one finding per expectation, no duplicates:\n{shown}"


# --- pytest ------------------------------------------------------------------------------------------


class CaseFile(pytest.File):
    """A case file: one test."""

    def collect(self) -> Iterator[pytest.Item]:
        yield CaseItem.from_parent(self, name=self.path.stem)


class CaseItem(pytest.Item):
    """The test of one case file."""

    def runtest(self) -> None:
        run_case(load_case(self.path))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case {self.path.relative_to(CASES).as_posix()}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, AssertionError):
            return f"{self.path.relative_to(CASES).as_posix()}: {excinfo.value}"
        return str(super().repr_failure(excinfo, style))
