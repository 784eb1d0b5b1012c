"""`appreg check` on the Argo CD docs (`../shared/corpora/argo-cd`), as `bench/argo_cd.py` runs it.

Skipped when the corpus is absent. The counts per rule are the ones reviewed finding by finding
in the closing notes of issue 15 (before the issue: 338 errors, 240 warnings; now 25 errors, all
real defects); a change to them is a change in what a real site is told, to be reviewed the same
way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.argo_cd import CORPUS, check, per_rule, prepare

pytestmark = pytest.mark.skipif(not (CORPUS / "docs").is_dir(), reason="the Argo CD corpus is not present")

EXPECTED = {
    ("error", "schema.type"): 10,
    # 8 with `proposals: strict`: three are fields design proposals describe and nobody built.
    ("error", "schema.unknown-field"): 5,
    ("error", "yaml.syntax"): 5,
    ("error", "meta.namespace"): 1,
    ("error", "meta.name"): 1,
    ("error", "meta.type"): 1,
    ("error", "yaml.duplicate-key"): 1,
    ("error", "schema.pattern"): 1,
    # 103, and 5 keys holding <name> (ConfigMap keys the API server would refuse as written).
    # Not `${ARGOCD_APP_NAME}` under `commonAnnotationsEnvsubst: true` (user-guide/kustomize.md):
    # Argo CD substitutes it.
    ("warning", "placeholder"): 108,
    ("warning", "schema.missing"): 18,
}


@pytest.fixture(scope="module")
def default_check(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[dict[str, object]]]:
    """`check(prepare(directory))` with the default options: two tests read the same run."""
    return check(prepare(tmp_path_factory.mktemp("argo-cd")))


def test_argo_cd_findings_per_rule(default_check: tuple[int, list[dict[str, object]]]) -> None:
    status, findings = default_check
    assert dict(per_rule(findings)) == EXPECTED
    assert status == 1
    # Nothing an excerpt leaves out is reported: every page block there is shown in part.
    assert not [f for f in findings if f["rule"] in ("schema.required", "meta.missing")]
    # One finding per kind without a schema, naming the option that fixes it.
    missing = [f for f in findings if f["rule"] == "schema.missing"]
    assert len({(f["apiVersion"], f["kind"]) for f in missing}) == len(missing)
    assert all(str(f["message"]).endswith("`crds` option of the appreg plugin") for f in missing)


def test_argo_cd_prose_reports_the_one_real_drift(tmp_path: Path) -> None:
    # Before issue 15: 81 prose.unknown-field warnings, all but this one false.
    _, findings = check(prepare(tmp_path, prose=True))
    prose = [(f["file"], f["line"], f["message"]) for f in findings if f["rule"] == "prose.unknown-field"]
    assert prose == [
        (
            "docs/proposals/manifest-hydrator.md",
            191,
            'unknown field "hydratedTo"; did you mean "hydrateTo"?',
        )
    ]


# The fields three design proposals (front matter: authors, reviewers, approvers) describe and
# Argo CD never built: no error by default, errors with `proposals: strict`.
PROPOSED = [
    ("docs/proposals/decouple-application-sync-user-using-impersonation.md", 623, "impersonate"),
    ("docs/proposals/deletion-strategy-progressive-sync.md", 234, "deletionSync"),
    ("docs/proposals/sync-timeout.md", 71, "terminate"),
]


def test_argo_cd_proposals_may_name_fields_never_built(
    tmp_path: Path, default_check: tuple[int, list[dict[str, object]]]
) -> None:
    def unknown(findings: list[dict[str, object]]) -> list[tuple[str, int, str]]:
        return [
            (str(f["file"]), int(str(f["line"])), str(f["message"]))
            for f in findings
            if f["rule"] == "schema.unknown-field" and str(f["file"]).startswith("docs/proposals/")
        ]

    _, relaxed = default_check  # proposals: relaxed, the default
    _, strict = check(prepare(tmp_path / "strict", strict_proposals=True))
    # A field of the kind written one level too shallow is a mistake about the existing API.
    kept = (
        "docs/proposals/multiple-sources-for-applications.md",
        147,
        'unknown field "spec.source.valueFiles"',
    )
    assert unknown(relaxed) == [kept]
    added = [finding for finding in unknown(strict) if finding != kept]
    assert [(file, line) for file, line, _ in added] == [(file, line) for file, line, _ in PROPOSED]
    assert all(
        f'.{field}"' in message for (_, _, message), (_, _, field) in zip(added, PROPOSED, strict=True)
    )
