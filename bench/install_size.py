"""What `pip install mkdocs-appreg` costs a new user: site-packages size, package count, install time.

Run from the repository root:

    python bench/install_size.py                       # a wheel of this checkout, default install
    python bench/install_size.py --spec '.[fast]'      # an extra (built from this checkout)
    python bench/install_size.py --python ~/.pyenv/versions/3.12.1/bin/python --wheel dist/x.whl

Builds a wheel of the checkout (unless `--wheel` names one), makes a clean venv, and times
`pip install --no-cache-dir <wheel>[extras]` (dependencies from the package index, nothing
reused from pip's cache, so the time includes the downloads a new user waits for). Sizes count
file bytes in site-packages without bytecode (`__pycache__`, `*.pyc`) and without pip and
setuptools, which every venv has; the package count is the number of installed distributions,
pip and setuptools excluded. The biggest distributions are listed by their RECORD files.

Not part of `python -m bench` (it needs the network and takes a minute or two).
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_EXCLUDED = ("pip", "setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth")


def _is_bytecode(path: Path) -> bool:
    return path.suffix == ".pyc" or "__pycache__" in path.parts


def _excluded(relative: Path) -> bool:
    top = relative.parts[0]
    return top in _EXCLUDED or top.split("-", 1)[0].lower() in ("pip", "setuptools")


def site_packages_size(site: Path) -> int:
    """Bytes of every file under `site` except bytecode, pip and setuptools."""
    total = 0
    for path in site.rglob("*"):
        relative = path.relative_to(site)
        if (
            path.is_file()
            and not path.is_symlink()
            and not _is_bytecode(relative)
            and not _excluded(relative)
        ):
            total += path.stat().st_size
    return total


def distributions(site: Path) -> dict[str, int]:
    """Each installed distribution (pip and setuptools excluded) and its size without bytecode."""
    sizes: dict[str, int] = {}
    for info in sorted(site.glob("*.dist-info")):
        name = info.name.removesuffix(".dist-info").rsplit("-", 1)[0]
        if name.lower() in ("pip", "setuptools"):
            continue
        size = 0
        record = info / "RECORD"
        if record.is_file():
            with record.open(newline="") as handle:
                for row in csv.reader(handle):
                    if not row:
                        continue
                    path = (site / row[0]).resolve()
                    if _is_bytecode(Path(row[0])) or not path.is_file():
                        continue
                    size += path.stat().st_size
        sizes[name] = size
    return sizes


def measure(python: str, requirement: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="appreg-install-") as scratch:
        venv = Path(scratch) / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        started = time.perf_counter()
        subprocess.run([*pip, "install", "-q", "--no-cache-dir", requirement], check=True, env=env)
        seconds = time.perf_counter() - started
        (site,) = venv.glob("lib/python3*/site-packages")
        sizes = distributions(site)
        smoke = _smoke(venv, Path(scratch))
        return {
            "python": subprocess.run(
                [str(venv / "bin" / "python"), "-c", "import sys; print(sys.version.split()[0])"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip(),
            "requirement": requirement,
            "seconds": round(seconds, 1),
            "site_packages_mb": round(site_packages_size(site) / 1e6, 1),
            "packages": len(sizes),
            "smoke": smoke,
            "largest": {
                name: round(size / 1e6, 1) for name, size in sorted(sizes.items(), key=lambda i: -i[1])[:12]
            },
        }


_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: docs}
spec:
  replicaz: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
"""


def _smoke(venv: Path, scratch: Path) -> list[str]:
    """`appreg --version`, and a built-in kind validated out of the box (an unknown field)."""
    appreg = str(venv / "bin" / "appreg")
    version = subprocess.run([appreg, "--version"], capture_output=True, text=True, check=True).stdout
    sample = scratch / "deployment.yaml"
    sample.write_text(_DEPLOYMENT)
    done = subprocess.run([appreg, "validate", str(sample)], capture_output=True, text=True, cwd=scratch)
    return [*version.splitlines(), f"exit {done.returncode}: {done.stdout.strip() or done.stderr.strip()}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter of the clean venv")
    parser.add_argument("--wheel", help="a built wheel (default: build one of this checkout)")
    parser.add_argument("--extras", default="", help="extras to install with it, e.g. fast,cel")
    args = parser.parse_args()
    wheel = args.wheel
    with tempfile.TemporaryDirectory(prefix="appreg-wheel-") as out:
        if wheel is None:
            subprocess.run(
                [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-cache-dir", "-w", out, "."],
                check=True,
            )
            (wheel,) = glob.glob(os.path.join(out, "*.whl"))
        requirement = f"{Path(wheel).resolve()}[{args.extras}]" if args.extras else str(Path(wheel).resolve())
        print(json.dumps(measure(args.python, requirement), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
