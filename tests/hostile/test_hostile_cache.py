"""A pull request can commit the cache (`git add -f .cache/appreg/`): nothing in it is trusted.

Each case is the attack as a contributor would commit it: a symlink in the cache pointing out of
the project, a forged CRD cache entry, a forged build record. The build (`mkdocs build`, a real
subprocess) and `appreg check` either refuse it in one line or ignore what was forged; nothing
outside the project is written or deleted (a sentinel directory is listed before and after).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from harness import REPO, no_network_env, run_bounded, write_site

from mkdocs_appreg.common.cachefs import CacheRoot, UnsafeCachePath, seal, unseal
from mkdocs_appreg.engine.crdcache import content_key
from mkdocs_appreg.plugin.buildrecord import RECORD_FILE

REGISTRY_CRD = REPO / "mkdocs_appreg" / "crds" / "appstore.eda.nokia.com_registries.yaml"
TEMPLATE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ns\ndata:\n  a: '1'\n"
PAGE = "# Home\n\n/// resource | docs/r.yaml\n///\n"
REGISTRY = (
    "apiVersion: appstore.eda.nokia.com/v1\nkind: Registry\nmetadata:\n  name: r\n  namespace: ns\n"
    "spec:\n  remoteURL: https://registry.example.com\n  skipTLSVerify: {skip}\n"
)


def listing(root: Path) -> dict[str, str]:
    """Every entry below `root` with what it is: file digests, symlink targets, directories."""
    found: dict[str, str] = {}
    for directory, subdirectories, names in os.walk(root):
        for name in [*subdirectories, *names]:
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[relative] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[relative] = "dir"
            else:
                found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def outside_with_sentinel(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "site-packages").mkdir(parents=True)
    (outside / "sentinel.txt").write_text("do not touch\n")
    (outside / "site-packages" / "victim.pth").write_text("import os\n")
    return outside


def env_for(tmp_path: Path, machine: str) -> dict[str, str]:
    """A build environment on one "machine": its own `XDG_CACHE_HOME`, so its own cache key."""
    env = no_network_env(tmp_path)
    env["XDG_CACHE_HOME"] = str(tmp_path / f"xdg-{machine}")
    return env


def build(site: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # Real processes (`process=True`): each "machine" is a process with its own cache key.
    result = run_bounded(
        ["-m", "mkdocs", "build", "-f", "mkdocs.yml", *args], cwd=site, env=env, process=True
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def check(site: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = run_bounded(
        ["-m", "mkdocs_appreg", "check", "--config-file", "mkdocs.yml"], cwd=site, env=env, process=True
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_a_symlinked_snippet_directory_in_the_cache_is_refused_not_written_through(tmp_path: Path) -> None:
    outside = outside_with_sentinel(tmp_path)
    before = listing(outside)
    site = write_site(tmp_path / "site", templates={"r.yaml.j2": TEMPLATE}, pages={"index.md": PAGE})
    # The committed attack: the directory that receives rendered files is a symlink out.
    (site / ".cache" / "appreg" / "snippets").mkdir(parents=True)
    os.symlink(outside / "site-packages", site / ".cache" / "appreg" / "snippets" / "docs")
    env = env_for(tmp_path, "ci")

    result = build(site, env)
    assert result.returncode == 1
    reason = (
        ".cache/appreg/snippets/docs is a symlink; appreg never follows a symlink in its cache (remove it)"
    )
    assert f"appreg: cannot write the cache: {reason}" in result.stderr
    assert [line for line in result.stderr.splitlines() if "appreg" in line] == [
        f"ERROR   -  appreg: cannot write the cache: {reason}"
    ]

    result = check(site, env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"appreg: error: .cache/appreg: cannot write the cache: {reason}"]
    assert listing(outside) == before


def test_a_symlinked_cache_root_inside_the_project_is_refused(tmp_path: Path) -> None:
    outside = outside_with_sentinel(tmp_path)
    before = listing(outside)
    site = write_site(tmp_path / "site", templates={"r.yaml.j2": TEMPLATE}, pages={"index.md": PAGE})
    os.symlink(outside, site / ".cache")
    result = build(site, env_for(tmp_path, "ci"))
    assert result.returncode == 1
    assert (
        "appreg: cannot write the cache: .cache is a symlink; appreg never follows a symlink" in result.stderr
    )
    assert listing(outside) == before


def test_a_symlink_in_a_rendered_file_s_place_is_replaced_not_written_through(tmp_path: Path) -> None:
    outside = outside_with_sentinel(tmp_path)
    before = listing(outside)
    site = write_site(tmp_path / "site", templates={"r.yaml.j2": TEMPLATE}, pages={"index.md": PAGE})
    cached = site / ".cache" / "appreg" / "snippets" / "docs"
    cached.mkdir(parents=True)
    os.symlink(outside / "site-packages" / "victim.pth", cached / "r.yaml")
    result = build(site, env_for(tmp_path, "ci"))
    assert result.returncode == 0, result.stderr
    assert not (cached / "r.yaml").is_symlink()
    assert (cached / "r.yaml").read_text() == TEMPLATE
    assert listing(outside) == before


def test_forged_files_and_symlinks_in_the_snippet_cache_are_swept_without_following_them(
    tmp_path: Path,
) -> None:
    outside = outside_with_sentinel(tmp_path)
    before = listing(outside)
    site = write_site(tmp_path / "site", templates={"r.yaml.j2": TEMPLATE}, pages={"index.md": PAGE})
    cached = site / ".cache" / "appreg" / "snippets" / "docs"
    cached.mkdir(parents=True)
    # A forged manifest naming a file through a symlinked directory, the directory link itself,
    # and a forged "rendered" file that would shadow docs/ for snippets.
    os.symlink(outside / "site-packages", cached / "link")
    (cached / "forged.yaml").write_text("kind: Forged\n")
    manifest = ["snippets/docs/link/victim.pth", "../../outside/sentinel.txt", "snippets/docs/forged.yaml"]
    (site / ".cache" / "appreg" / "manifest.json").write_text(json.dumps(manifest))
    result = build(site, env_for(tmp_path, "ci"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in cached.iterdir()) == ["r.yaml"]  # the link itself was removed
    assert listing(outside) == before


def registry_site(tmp_path: Path, skip: str) -> Path:
    site = write_site(
        tmp_path / "site",
        options={"crds": ["crds/registry.yaml"]},
        pages={"index.md": '# Home\n\n```yaml\n--8<-- "examples/registry.yaml"\n```\n'},
        files={
            "crds/registry.yaml": REGISTRY_CRD.read_text(),
            "examples/registry.yaml": REGISTRY.format(skip=skip),
        },
    )
    return site


def test_a_forged_crd_cache_entry_does_not_replace_the_project_crd(tmp_path: Path) -> None:
    site = registry_site(tmp_path, skip="maybe")  # invalid: skipTLSVerify is a boolean
    crd = site / "crds" / "registry.yaml"
    strict = crd.read_bytes()
    # On the attacker's machine: cache a permissive variant of the CRD (skipTLSVerify: string)...
    text = strict.decode()
    start = text.index("skipTLSVerify:")
    typed = text.index("type: boolean", start)
    crd.write_text(text[:typed] + "type: string" + text[typed + len("type: boolean") :])
    permissive = crd.read_bytes()
    attacker = env_for(tmp_path, "attacker")
    assert build(site, attacker).returncode == 0
    entries = site / ".cache" / "appreg" / "crds"
    (entry,) = entries.glob(f"{content_key(permissive)}.crd")
    # ...then commit it under the key of the strict CRD, which anyone can compute offline.
    crd.write_bytes(strict)
    shutil.copy2(entry, entries / f"{content_key(strict)}.crd")
    shutil.rmtree(site / "site")
    (site / ".cache" / "appreg" / RECORD_FILE).unlink()

    ci = env_for(tmp_path, "ci")
    result = build(site, ci, "--strict")
    assert result.returncode == 1
    assert "skipTLSVerify" in result.stderr
    result = check(site, ci)
    assert result.returncode == 1
    assert "skipTLSVerify" in result.stdout


def test_a_forged_build_record_cannot_hide_an_error(tmp_path: Path) -> None:
    site = registry_site(tmp_path, skip="maybe")
    attacker = env_for(tmp_path, "attacker")
    result = build(site, attacker, "--strict")
    assert result.returncode == 1 and "skipTLSVerify" in result.stderr
    # The attacker empties the findings of a record whose digests match the pull request's
    # files exactly, and seals it with the only key they have: their own.
    key = (tmp_path / "xdg-attacker" / "mkdocs-appreg" / "cache-key").read_bytes()
    path = site / ".cache" / "appreg" / RECORD_FILE
    payload = unseal(path.read_bytes(), key)
    assert payload is not None
    record = json.loads(payload)
    assert record["findings"]
    record["findings"] = []
    path.write_bytes(seal(json.dumps(record).encode(), key))
    assert build(site, attacker, "--strict").returncode == 0  # the attack, on the attacker's machine

    result = build(site, env_for(tmp_path, "ci"), "--strict")
    assert result.returncode == 1
    assert "skipTLSVerify" in result.stderr
    assert "reusing" not in result.stderr


def test_reading_many_cache_files_answers_as_reading_each(tmp_path: Path) -> None:
    """`CacheRoot.reading` keeps directories open between files: every answer is still `read`'s
    (a symlinked file or directory never read through, missing and oversized files None), past
    the number of directories it keeps open at once too."""
    project = tmp_path / "project"
    root = project / ".cache" / "appreg"
    outside = outside_with_sentinel(tmp_path)
    names: list[str] = []
    for index in range(40):
        directory = root / "snippets" / f"d{index:02d}"
        directory.mkdir(parents=True)
        (directory / "a.yaml").write_text(f"a: {index}\n")
        names += [f"snippets/d{index:02d}/a.yaml", f"snippets/d{index:02d}/missing.yaml"]
    (root / "snippets" / "d00" / "link.yaml").symlink_to(outside / "sentinel.txt")
    (root / "snippets" / "d01" / "big.yaml").write_text("x" * 100)
    (root / "snippets" / "linked").symlink_to(outside, target_is_directory=True)
    names += ["snippets/d00/link.yaml", "snippets/d01/big.yaml", "snippets/d00/a.yaml"]
    cache = CacheRoot(root, anchor=project)
    with cache.reading() as read:
        assert [read(name, 50) for name in names] == [cache.read(name, 50) for name in names]
        assert read("snippets/d05/a.yaml", 50) == b"a: 5\n"
        assert read("snippets/d00/link.yaml", 50) is None
        with pytest.raises(UnsafeCachePath):
            read("snippets/linked/sentinel.txt", 50)
    with pytest.raises(UnsafeCachePath):
        cache.read("snippets/linked/sentinel.txt", 50)
