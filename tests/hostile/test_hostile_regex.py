"""Hostile `pattern`s: RE2 (Go's regexp) answers in linear time, in `appreg validate` and a build.

`^(a+)+$` against forty `a`s and a `!` takes Python's backtracking `re` about 2**40 steps; the API
server's Go regexp answers at once, and so must we. The harness ceiling is the only timing here.
"""

from __future__ import annotations

from pathlib import Path

from harness import appreg, no_network_env, run_bounded, write_site

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: traps.test.example.com
spec:
  group: test.example.com
  names: {kind: Trap, listKind: TrapList, plural: traps, singular: trap}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              word:
                type: string
                pattern: PATTERN
"""
HOSTILE = "^(a+)+$"
EVIL = "a" * 40 + "!"
RESOURCE = f"apiVersion: test.example.com/v1\nkind: Trap\nmetadata:\n  name: t\nspec:\n  word: {EVIL}\n"


def test_validate_answers_a_catastrophic_pattern_at_once(tmp_path: Path) -> None:
    (tmp_path / "crd.yaml").write_text(CRD.replace("PATTERN", f"'{HOSTILE}'"))
    (tmp_path / "trap.yaml").write_text(RESOURCE + "---\n" + RESOURCE.replace(EVIL, "a" * 40))
    result = appreg("validate", "--crd", "crd.yaml", "trap.yaml", cwd=tmp_path, seconds=60)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stdout.splitlines() if "[schema.pattern]" in line]
    assert len(lines) == 1 and lines[0].startswith("trap.yaml:6:3: error [schema.pattern]"), result.stdout


def test_a_build_answers_a_catastrophic_pattern_at_once(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        templates={"trap.yaml.j2": RESOURCE},
        files={"crds/crd.yaml": CRD.replace("PATTERN", f"'{HOSTILE}'")},
        options={"crds": ["crds"]},
    )
    built = run_bounded(
        ["-m", "mkdocs", "build", "-f", "mkdocs.yml"],  # not -q: findings are warnings
        cwd=site,
        seconds=120,
        env=no_network_env(tmp_path),
    )
    assert "Traceback" not in built.stderr
    assert "templates/trap.yaml.j2:6:3" in built.stderr and "[schema.pattern]" in built.stderr, built.stderr


def test_a_pattern_re2_cannot_compile_is_a_crd_error(tmp_path: Path) -> None:
    # apiextensions validation.go: `regexp.Compile(schema.Pattern)`; RE2 has no backreferences.
    (tmp_path / "crd.yaml").write_text(CRD.replace("PATTERN", "'^(a)\\1$'"))
    (tmp_path / "trap.yaml").write_text(RESOURCE)
    result = appreg("validate", "--crd", "crd.yaml", "trap.yaml", cwd=tmp_path, seconds=60)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert "crd.yaml" in result.stderr and "must be a valid regular expression" in result.stderr
    assert "re2.cc" not in result.stderr  # RE2's own logging stays off
