"""Extract the strict Kubernetes schemas appreg reads from kubernetes-validate into the package.

    pip install 'kubernetes-validate==1.37.0'   # the version in the test extra's lower bound
    python scripts/extract_kube_schemas.py

Writes `mkdocs_appreg/kubeschemas/v<major>.<minor>.json.gz` for every `-local-strict` release the
installed kubernetes-validate ships (the definitions and the files of kinds, nothing else; see
`engine/corekinds.py`), and removes extracts of releases it no longer ships. gzip with a fixed
mtime, so the same input writes the same bytes. tests/test_corekinds.py fails until the extract
matches the installed kubernetes-validate; raise that package's lower bound in the `test` extra
in pyproject.toml to the version extracted from.
"""

from __future__ import annotations

import gzip
import importlib.metadata

from mkdocs_appreg.engine import corekinds


def main() -> None:
    root = corekinds._upstream_root()
    if root is None:
        raise SystemExit("kubernetes-validate is not installed")
    target = corekinds._EXTRACT_DIR
    target.mkdir(exist_ok=True)
    wanted = {f"v{version}.json.gz" for version in corekinds.upstream_versions()}
    for stale in target.glob("v*.json.gz"):
        if stale.name not in wanted:
            stale.unlink()
            print(f"removed {stale}")
    for version in corekinds.upstream_versions():
        data = corekinds.extract_bytes(root.joinpath(f"v{version}.0-local-strict"))
        path = target / f"v{version}.json.gz"
        path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        print(f"wrote {path} ({path.stat().st_size // 1024} KB from {len(data) // 1024} KB)")
    print(f"from kubernetes-validate {importlib.metadata.version('kubernetes-validate')}")


if __name__ == "__main__":
    main()
