"""`appreg validate --jobs`: forked workers give the same report, in the same order, as one process."""

from __future__ import annotations

import json

import pytest

from casefiles import case_files
from mkdocs_appreg.cli.parallel import validate_texts, workers_for
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.site.check import core_schemas, validate_stream
from test_cli import appreg, assert_no_traceback


def test_workers_give_the_serial_results_in_input_order() -> None:
    registry, core = SchemaRegistry.builtin(), core_schemas(None)
    # The case files of every family, valid and invalid: findings of many rules, several per file.
    texts = [(str(path), path.read_text(encoding="utf-8")) for path in case_files()]
    serial = [validate_stream(text, name, registry, core, missing="error") for name, text in texts]
    assert any(found for found, _ in serial), "the cases must produce findings for this to mean anything"
    assert validate_texts(texts, registry, core, jobs=3) == serial
    assert validate_texts(texts, registry, core, jobs=0) == serial
    assert validate_texts([], registry, core, jobs=2) == []


def test_workers_for() -> None:
    assert workers_for(1, 100) == 1
    assert workers_for(4, 2) == 2
    assert workers_for(0, 1) == 1
    assert workers_for(0, 10_000) >= 1


@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_cli_report_is_identical_with_workers(output: str) -> None:
    files = [str(path) for path in case_files()]
    one = appreg("validate", "--format", output, *files)
    two = appreg("validate", "--jobs", "2", "--format", output, *files)
    assert_no_traceback(two)
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout
    if output == "json":
        assert json.loads(two.stdout)["findings"]


@pytest.mark.parametrize("value", ["-1", "x", "1.5"])
def test_a_bad_jobs_value_is_a_usage_error(value: str) -> None:
    result = appreg("validate", "--jobs", value, "x.yaml")
    assert result.returncode == 2
    assert_no_traceback(result)
    assert "--jobs" in result.stderr
