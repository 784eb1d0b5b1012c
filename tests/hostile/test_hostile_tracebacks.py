"""Inputs that used to end in a traceback, a wrong finding or a wrong message.

Each is the hostile input itself: a CRD path that is a device or a whole file system, a list of
100,001 equal values, Ctrl-C while a CEL rule runs, control characters and bidi overrides in a
value that a finding quotes, two configs in one directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from harness import appreg, bounded, no_network_env, run_bounded, write_site

UNSAFE = ("\x1b", "\x9b", "\u202e")


@pytest.mark.parametrize(
    ("crd", "message"),
    [
        ("/dev/zero", "appreg: error: /dev/zero: is not a regular file or a directory"),
        ("/", "appreg: error: /: holds more than 50,000 entries: name the folder of the CRDs"),
    ],
)
def test_a_crd_path_that_is_a_device_or_a_file_system_is_one_line(
    tmp_path: Path, crd: str, message: str
) -> None:
    (tmp_path / "r.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    result = appreg("validate", "--crd", crd, "r.yaml", cwd=tmp_path, seconds=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]


def test_proc_as_a_crd_folder_is_no_traceback(tmp_path: Path) -> None:
    # How many entries /proc has depends on the machine's processes, and they vanish while it is
    # walked (the traceback of the issue): either the entry limit or a clean run, never a crash.
    (tmp_path / "r.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    result = appreg("validate", "--crd", "/proc", "r.yaml", cwd=tmp_path, seconds=60)
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        assert result.stderr.splitlines() == [
            "appreg: error: /proc: holds more than 50,000 entries: name the folder of the CRDs"
        ]
    else:
        assert result.returncode in (0, 1), result.stderr


def test_a_long_list_of_equal_values_is_not_an_alias_bomb(tmp_path: Path) -> None:
    # Python shares one object for every `true`: counted by identity, 100,001 of them looked
    # like 2 nodes expanded 50,000 times, and the real error was hidden behind "excessive aliasing".
    values = ", ".join(["true"] * 100_001)
    (tmp_path / "r.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ns\ndata:\n  a: [{values}]\n"
    )
    result = appreg("validate", "r.yaml", cwd=tmp_path, seconds=60)
    assert result.returncode == 1
    assert "excessive" not in result.stdout
    assert "r.yaml:7:3: error [schema.type] ConfigMap/c /data/a: expected string, got array" in result.stdout


def _interrupted_cel() -> str:
    from mkdocs_appreg.engine import cel

    expression = cel.compile_expression("self.l.all(x, self.l.all(y, x + y >= 0))")
    # Python's own handler, as an interactive run has it: a suite started as a background job
    # inherits SIGINT ignored, and the signal would then never arrive (the test hung in CI runs
    # started with nohup ... &).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        outcome = cel.evaluate(expression, {"self": {"l": list(range(5000))}}, budget=10**12)
    except KeyboardInterrupt:
        return "interrupted"
    return f"an outcome: {outcome.error!r}"


def test_ctrl_c_during_cel_is_an_interrupt_not_a_finding() -> None:
    # The engine wraps a KeyboardInterrupt raised in our cost callback as an evaluation error,
    # which became a `cel.invalid` finding; the CLI turns the interrupt into exit 130.
    assert bounded(_interrupted_cel, seconds=30) == "interrupted"


@pytest.mark.parametrize("output", ["text", "github"])
def test_control_characters_and_bidi_overrides_are_escaped_in_output(tmp_path: Path, output: str) -> None:
    (tmp_path / "r.yaml").write_text(
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a\\u202eb\\x9bc\\x1bd"\n  namespace: ns\n'
    )
    result = appreg("validate", "--format", output, "r.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "[meta.name]" in result.stdout or "title=meta.name" in result.stdout
    assert not any(character in result.stdout + result.stderr for character in UNSAFE)
    assert "a\\u202eb\\x9bc\\x1bd" in result.stdout


def test_the_build_log_escapes_them_too(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        templates={
            "r.yaml.j2": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a\\u202eb\\x1bc"\n  namespace: ns\n'
        },
    )
    result = run_bounded(
        ["-m", "mkdocs", "build", "-f", "mkdocs.yml"], cwd=site, env=no_network_env(tmp_path)
    )
    ours = [line for line in result.stderr.splitlines() if "appreg" in line]  # Material colours its own
    assert any("[meta.name]" in line for line in ours), result.stderr
    assert not any(character in line for line in ours for character in UNSAFE)


def _build(site: Path, config: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config],
        cwd=site,
        env=no_network_env(site.parent),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_configs_in_one_directory_keep_their_own_cache_when_built_together(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        templates={
            "r.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n  namespace: ns\n"
        },
        pages={"index.md": "# Home\n\n/// resource | docs/r.yaml\n///\n"},
        options={"vars": {"name": "alpha-name"}},
    )
    config = (site / "mkdocs.yml").read_text()
    (site / "other.yml").write_text(
        config.replace("name: alpha-name", "name: beta-name").replace(
            "site_name: hostile", "site_name: hostile\nsite_dir: site-other"
        )
    )
    builds = [_build(site, "mkdocs.yml"), _build(site, "other.yml")]
    for build in builds:
        _, stderr = build.communicate(timeout=300)
        assert build.returncode == 0, stderr
    assert (
        (site / ".cache" / "appreg" / "snippets" / "docs" / "r.yaml")
        .read_text()
        .endswith("name: alpha-name\n  namespace: ns\n")
    )
    other = site / ".cache" / "appreg-other.yml" / "snippets" / "docs" / "r.yaml"
    assert other.read_text().endswith("name: beta-name\n  namespace: ns\n")
    assert "alpha-name" in (site / "site" / "index.html").read_text()
    assert "beta-name" not in (site / "site" / "index.html").read_text()
    assert "beta-name" in (site / "site-other" / "index.html").read_text()


def _kinds_with_malformed_entries() -> int:
    import hashlib

    from mkdocs_appreg.engine import bundled

    malformed: dict[str, object] = {}
    for position, (name, data) in enumerate(bundled._bundled_crds()):
        digest = hashlib.sha256(data).hexdigest()
        kinds = [5, [{"group": 1}], [[{"unknown": True}]], "x"][position % 4]
        malformed[name] = {"sha256": digest, "kinds": kinds}
    bundled._bundled_cache = lambda: malformed  # type: ignore[assignment]  # in the forked child only
    bundled.builtin_kinds.cache_clear()
    return len(bundled.builtin_kinds())


def test_a_malformed_bundled_json_entry_is_parsed_from_its_yaml_instead() -> None:
    # Each entry carries the right digest but not the shape the cache writer gives it.
    assert bounded(_kinds_with_malformed_entries, seconds=60) > 1


def _nested_crd(levels: int) -> str:
    """A CRD whose schema nests `levels` objects below the root, then a string leaf."""
    lines = [
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "metadata: {name: deeps.example.com}",
        "spec:",
        "  group: example.com",
        "  names: {kind: Deep, plural: deeps, singular: deep, listKind: DeepList}",
        "  scope: Namespaced",
        "  versions:",
        "  - name: v1",
        "    served: true",
        "    storage: true",
        "    schema:",
        "      openAPIV3Schema:",
    ]
    indent = "        "
    for _ in range(levels + 1):
        lines += [f"{indent}type: object", f"{indent}properties:", f"{indent}  a:"]
        indent += "    "
    lines.append(f"{indent}type: string")
    return "\n".join(lines) + "\n"


def _nested_resource(levels: int) -> str:
    return (
        "apiVersion: example.com/v1\nkind: Deep\nmetadata: {name: x}\na: "
        + "{a: " * levels
        + "1"
        + "}" * levels
        + "\n"
    )


def test_a_crd_schema_nested_490_levels_is_one_line_at_load(tmp_path: Path) -> None:
    # It loaded, and every resource of its kind became `resource.unchecked` (a RecursionError
    # while validating): now the CRD itself is refused, naming the file and the line of the
    # first node past the limit, before anything walks it.
    (tmp_path / "deep.yaml").write_text(_nested_crd(490))
    (tmp_path / "r.yaml").write_text(_nested_resource(489))
    result = appreg("validate", "--crd", "deep.yaml", "r.yaml", cwd=tmp_path, seconds=60)
    assert result.returncode == 2, result.stdout
    # The root's `type` is on line 14 and each level takes three lines: the 129th schema node,
    # the first past the limit, is the value of the `a:` key on line 14 + 3 * 128 - 1.
    assert result.stderr.splitlines() == [
        f"appreg: error: deep.yaml:{14 + 3 * 128 - 1}: version v1 of Deep: openAPIV3Schema is nested more than "
        "128 levels deep here; appreg loads at most 128"
    ]


def test_a_crd_schema_at_the_depth_limit_validates_its_deepest_field(tmp_path: Path) -> None:
    # The limit leaves room: 128 levels load, and a resource filling them is checked to the leaf.
    (tmp_path / "deep.yaml").write_text(_nested_crd(126))
    (tmp_path / "r.yaml").write_text(_nested_resource(126))
    result = appreg("validate", "--crd", "deep.yaml", "r.yaml", cwd=tmp_path, seconds=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "unchecked" not in result.stdout
    assert "error [schema.type]" in result.stdout and "expected string, got integer" in result.stdout


PRESERVING_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: deeps.example.com}
spec:
  group: example.com
  names: {kind: Deep, plural: deeps, singular: deep, listKind: DeepList}
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
            x-kubernetes-preserve-unknown-fields: true
            x-kubernetes-validations:
            - rule: "self == self"
"""


def test_a_resource_nested_990_levels_under_preserved_fields_is_unchecked_not_a_traceback(
    tmp_path: Path,
) -> None:
    # No schema limits a preserved value's depth, and YAML allows 1,000 levels: the placeholder
    # search, the CEL conversion and the validation recursed past Python's stack (a traceback in
    # `validate`, `check` and the build). Now it is one `resource.unchecked` in each.
    (tmp_path / "crd.yaml").write_text(PRESERVING_CRD)
    (tmp_path / "r.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Deep\nmetadata: {name: x}\nspec: "
        + "{a: " * 990
        + "1"
        + "}" * 990
        + "\n"
    )
    result = appreg("validate", "--crd", "crd.yaml", "r.yaml", cwd=tmp_path, seconds=60)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(
        "r.yaml:1:1: error [resource.unchecked] Deep/x: this resource could not be checked: RecursionError"
    )
    site = write_site(
        tmp_path / "site",
        options={"crds": ["crds/deep.yaml"]},
        pages={"index.md": '# Home\n\n```yaml\n--8<-- "examples/deep.yaml"\n```\n'},
        files={"crds/deep.yaml": PRESERVING_CRD, "examples/deep.yaml": (tmp_path / "r.yaml").read_text()},
    )
    env = no_network_env(tmp_path)
    result = run_bounded(["-m", "mkdocs_appreg", "check"], cwd=site, env=env, seconds=60)
    assert "Traceback" not in result.stderr, result.stderr
    assert "error [resource.unchecked] Deep/x: this resource could not be checked" in result.stdout
    result = run_bounded(["-m", "mkdocs", "build", "--strict"], cwd=site, env=env, seconds=60)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1 and "[resource.unchecked] Deep/x" in result.stderr
