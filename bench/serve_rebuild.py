"""Benchmark 5: the plugin's share of a `mkdocs serve` rebuild after one template changed.

Driven through the plugin API in a fresh interpreter, as `mkdocs serve` drives it: `load_config`
(MkDocs keeps the plugin instance across loads because it defines `on_startup`), `on_startup`
with `command="serve"`, then `on_config` + `on_files` for the first build, for a rebuild with
nothing changed, and for a rebuild after one template was edited. Baseline: the first build.
Cases: the project's own site, and the same site with the 199 EDA CRDs configured (when present).

The plugin keeps per-file validation results across rebuilds (`check.ValidationMemo`): the rows
count the files validated per build (target after one edit: 1) and compare the edited rebuild
with the same rebuild when the memo is switched off.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml

from bench.build_overhead import copy_site
from bench.common import PYTHON, REPO, Row, run_child
from bench.corpus import EDA_CRDS

_CHILD = """
import json, sys, time, logging
from pathlib import Path
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
import mkdocs_appreg.plugin.plugin

logging.disable(logging.WARNING)  # findings are logged as warnings; their text is not measured
config_file, template, repeats = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])

def build():
    config = load_config(config_file)
    plugin = config.plugins["appreg"]
    config.plugins._current_plugin = "appreg"  # what PluginCollection sets around an event
    start = time.process_time()
    plugin.on_config(config)
    plugin.on_files(get_files(config), config=config)
    return plugin, time.process_time() - start

def counts():
    memo = plugin.memo
    # A build that reused the record ran no check: the memo's counters are the previous build's.
    if plugin.reused_check:
        return {"validated": 0, "reused": 0, "extracted": 0, "record": True}
    return {"validated": memo.validations, "reused": memo.reused, "extracted": memo.extractions,
            "record": plugin.reused_check}

plugin, first = build()
first_counts = counts()
plugin.on_startup(command="serve", dirty=False)  # after the first load: it is what serve does
unchanged, edited = [], []
for round in range(repeats):
    again, seconds = build()
    assert again is plugin, "MkDocs did not keep the plugin instance"
    unchanged.append(seconds)
    unchanged_counts = counts()
    template.write_text(template.read_text() + f"\\n# edit {round}\\n")
    _, seconds = build()
    edited.append(seconds)
    edited_counts = counts()
# The same edits with the memo switched off: every file validated again, as before the memo.
from mkdocs_appreg.site.check import ValidationMemo
without = []
for round in range(repeats):
    plugin._memo = ValidationMemo()  # empty: nothing to reuse
    template.write_text(template.read_text() + f"\\n# edit without memo {round}\\n")
    _, seconds = build()
    without.append(seconds)
print(json.dumps({
    "first": first, "unchanged": min(unchanged), "edited": min(edited), "without_memo": min(without),
    "first_counts": first_counts, "unchanged_counts": unchanged_counts, "edited_counts": edited_counts,
}))
"""


def _site_with_crds(site: Path, crds: Path) -> None:
    config_file = site / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and "appreg" in plugin:
            options = plugin["appreg"] or {}
            options["crds"] = [str(crds)]
            plugin["appreg"] = options
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def run(*, quick: bool, source: Path = REPO, repeats: int | None = None, eda: bool = True) -> list[Row]:
    """First build, unchanged rebuild and one-template rebuild, per case (best of 5; quick: 2)."""
    repeats = repeats if repeats is not None else (2 if quick else 5)
    rows: list[Row] = []
    cases: list[tuple[str, Path | None]] = [("project site", None)]
    if eda and EDA_CRDS.is_dir():
        cases.append(("project site + 199 EDA CRDs", EDA_CRDS))
    with tempfile.TemporaryDirectory(prefix="appreg-bench-serve-") as temporary:
        for index, (label, crds) in enumerate(cases):
            site = copy_site(source, Path(temporary) / f"site-{index}")
            if crds is not None:
                _site_with_crds(site, crds)
            templates = sorted((site / "templates").rglob("*.j2"))
            if not templates:
                rows.append(Row("serve", f"{label}: skipped, no template", 0.0, unit=""))
                continue
            template = next((t for t in templates if not t.name.startswith("_")), templates[0])
            child = run_child(
                [PYTHON, "-c", _CHILD, str(site / "mkdocs.yml"), str(template), str(repeats)], cwd=site
            )
            if child.returncode != 0:
                rows.append(Row("serve", f"{label}: failed: {child.stderr.strip()[-300:]}", 0.0, unit=""))
                continue
            result = json.loads(child.stdout)
            first = result["first"]
            rows.append(Row("serve", f"{label}: first build (on_config + on_files)", first, note="baseline"))
            rows.append(
                Row(
                    "serve",
                    f"{label}: rebuild, nothing changed",
                    result["unchanged"],
                    first,
                    ratio=result["unchanged"] / first,
                )
            )
            rows.append(
                Row(
                    "serve",
                    f"{label}: rebuild, one template edited ({template.name})",
                    result["edited"],
                    first,
                    ratio=result["edited"] / first,
                    note=f"best of {repeats}",
                )
            )
            rows.append(
                Row(
                    "serve",
                    f"{label}: rebuild, one template edited, vs the same rebuild without the memo",
                    result["edited"],
                    result["without_memo"],
                    ratio=result["edited"] / result["without_memo"],
                    note="check.ValidationMemo emptied before each baseline rebuild (every file validated)",
                )
            )
            for stage, key in (
                ("first build", "first_counts"),
                ("rebuild, nothing changed", "unchanged_counts"),
                ("rebuild, one template edited", "edited_counts"),
            ):
                counted = result[key]
                rows.append(
                    Row(
                        "serve",
                        f"{label}: {stage}: files validated",
                        counted["validated"],
                        unit="files",
                        # Only the edited template's rendered file may be validated again.
                        target=1 if stage == "rebuild, one template edited" else None,
                        note=(
                            "the previous build's findings reused (build record)"
                            if counted["record"]
                            else f"{counted['reused']} texts (rendered files, page examples) reused; "
                            f"{counted['extracted']} pages' examples extracted"
                        ),
                    )
                )
    return rows
