"""`appreg check` on a real docs site: the Argo CD documentation in `../shared/corpora/argo-cd`.

Not a speed benchmark: it measures precision, the findings per rule on a site nobody wrote for
mkdocs-appreg (issue 15). The corpus ships its own mkdocs.yml, whose theme overrides and
extensions do not all install; this writes the minimal configuration a new user would (Material,
the corpus's own Markdown extensions that install, `crds:` naming its CRDs) next to a copy of its
`docs/` in a scratch directory (docs_dir must live inside the directory of mkdocs.yml; the copy
is never made inside the project), then runs `appreg check` in-process.

    python -m bench.argo_cd            # findings per rule, then every error
    python -m bench.argo_cd --all      # every finding
    python -m bench.argo_cd --prose    # with the opt-in prose check on
    python -m bench.argo_cd --ignore-proposals   # with `ignore_pages: ["proposals/*"]`
    python -m bench.argo_cd --strict-proposals   # with `proposals: strict`

`tests/test_argo_cd_corpus.py` runs the same check and holds the counts; both skip when the
corpus is absent.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "argo-cd"

# What a new user writes: the corpus's own extensions (admonition, toc, superfences; its
# markdown_include and codehilite are replaced by snippets, which Material sites use), content
# tabs in both syntaxes, and its CRDs.
MKDOCS_YML = """\
site_name: Argo CD (appreg check)
docs_dir: docs
theme:
  name: material
markdown_extensions:
  - admonition
  - toc:
      permalink: true
  - pymdownx.superfences
  - pymdownx.snippets
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.blocks.tab:
      alternate_style: true
plugins:
  - search
  - appreg:
      crds: [{crds}]
      prose: {prose}
      ignore_pages: {ignore}
      proposals: {proposals}
"""


def prepare(
    directory: Path,
    corpus: Path = CORPUS,
    *,
    prose: bool = False,
    ignore_proposals: bool = False,
    strict_proposals: bool = False,
) -> Path:
    """Write the minimal mkdocs.yml and a copy of the corpus's docs into `directory`; return the config."""
    shutil.copytree(corpus / "docs", directory / "docs", symlinks=False)
    config = directory / "mkdocs.yml"
    config.write_text(
        MKDOCS_YML.format(
            crds=json.dumps(str(corpus / "manifests" / "crds")),
            prose=json.dumps(prose),
            ignore=json.dumps(["proposals/*"] if ignore_proposals else []),
            proposals="strict" if strict_proposals else "relaxed",
        ),
        encoding="utf-8",
    )
    return config


def check(config: Path) -> tuple[int, list[dict[str, object]]]:
    """Run `appreg check --format json` in-process: its exit status and its findings."""
    from mkdocs_appreg.cli.commands import run_check

    out = io.StringIO()
    status = run_check(str(config), "json", out)
    report = json.loads(out.getvalue())
    findings = report["findings"] if isinstance(report, dict) else report
    return status, findings


def per_rule(findings: list[dict[str, object]]) -> Counter[tuple[str, str]]:
    """Findings counted by (severity, rule)."""
    return Counter((str(f["severity"]), str(f["rule"])) for f in findings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="list every finding, not only the errors")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--prose", action="store_true", help="turn the opt-in prose check on")
    parser.add_argument(
        "--ignore-proposals",
        action="store_true",
        help="leave the design proposals (docs/proposals) unchecked",
    )
    parser.add_argument(
        "--strict-proposals",
        action="store_true",
        help="check the design proposals like every other page (`proposals: strict`)",
    )
    args = parser.parse_args(argv)
    if not (args.corpus / "docs").is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="appreg-argo-cd-") as scratch:
        config = prepare(
            Path(scratch),
            args.corpus,
            prose=args.prose,
            ignore_proposals=args.ignore_proposals,
            strict_proposals=args.strict_proposals,
        )
        status, findings = check(config)
    counts = per_rule(findings)
    for (severity, rule), count in sorted(counts.items(), key=lambda item: (item[0][0], -item[1])):
        print(f"{count:5} {severity:7} {rule}")
    errors = sum(n for (severity, _), n in counts.items() if severity == "error")
    print(f"{errors} errors, {len(findings) - errors} warnings (exit {status})")
    for finding in findings:
        if args.all or finding["severity"] == "error":
            print(
                f"{finding['file']}:{finding['line']}:{finding['column']}: {finding['severity']} "
                f"[{finding['rule']}] {finding['message']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
