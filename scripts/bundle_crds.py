"""Rewrite `mkdocs_appreg/crds/bundled.json` after a bundled CRD changed.

    python scripts/bundle_crds.py

The JSON holds the bundled CRDs as the loader reads them, so a first build need not parse their
YAML. A stale one costs only speed (the loader checks each file's digest and parses a file that
does not match), and tests/test_schemas.py fails until it is rewritten.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs_appreg.common.atomic import write_atomically
from mkdocs_appreg.engine import bundled


def main() -> None:
    target = Path(bundled.__file__).resolve().parent.parent / "crds" / bundled.BUNDLED_CACHE
    write_atomically(target, bundled.bundled_cache_text().encode("utf-8"))
    target.chmod(0o644)  # the temporary file's 0600 would keep other users of an install out
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
