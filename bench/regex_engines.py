"""Compare Python's `re` with google-re2 for CRD `pattern`s: speed, and time against hostile input.

Run: `python bench/regex_engines.py [CRD_DIR]`. Reads every `pattern` of the CRDs under CRD_DIR
(default `../shared/crds/eda`, else the bundled CRDs), and for each engine prints the CPU time to
compile them all and to match each against a value it accepts and one it refuses, as a ratio to
`re` measured in the same run; then `^(a+)+$` against n `a`s and a `!` for growing n, where `re`
backtracks (its time doubles with each `a`) and RE2 stays flat.

Why google-re2 (see bench/README.md for the numbers): the API server compiles `pattern` with Go's
regexp, which is RE2, so RE2 gives the same syntax (no backreferences or lookaround: the same
patterns are rejected), the same semantics (`$` is the end of the text, `\\d` ASCII) and the same
linear-time guarantee. Alternatives considered: `regex` (PyPI) backtracks like `re` (it only adds
a timeout); `pyre2` wraps the same RE2 but needs the system's libre2 to build on platforms
without a wheel; `rure` (Rust's regex crate) has had no release since 2019, and Rust's regex
differs from Go's in details (Unicode `\\d` by default); `fastre` (Rust) is young and small.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from mkdocs_appreg.engine.goregexp import compile_go

ROOT = Path(__file__).resolve().parents[1]


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for child in node.values():
            yield from _patterns(child)
    elif isinstance(node, list):
        for child in node:
            yield from _patterns(child)


def crd_patterns(folder: Path) -> list[str]:
    found: set[str] = set()
    for path in sorted(folder.rglob("*.yaml")):
        for document in yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
            found.update(_patterns(document))
    usable = []
    for pattern in sorted(found):
        try:
            re.compile(pattern)
            compile_go(pattern)
        except Exception:  # a study: skip what one engine cannot compile
            continue
        usable.append(pattern)
    return usable


def cpu(function: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "crds" / "eda"
    if not folder.is_dir():
        folder = ROOT / "mkdocs_appreg" / "crds"
    patterns = crd_patterns(folder)
    samples = ["leaf1", "10.0.0.1/24", "ethernet-1/1", "a" * 64, "", "2026-12-06T00:00:00Z", "value-1"]
    print(f"{len(patterns)} distinct patterns from {folder}")

    import re2

    options = re2.Options()
    options.log_errors = False

    def compile_re() -> None:
        re.purge()
        for pattern in patterns:
            re.compile(pattern)

    def compile_re2() -> None:
        for pattern in patterns:
            re2.compile(pattern, options)

    compiled_re = [re.compile(p) for p in patterns]
    compiled_re2 = [re2.compile(p, options) for p in patterns]

    def match_re() -> None:
        for pattern in compiled_re:
            for sample in samples:
                pattern.search(sample)

    def match_re2() -> None:
        for pattern in compiled_re2:
            for sample in samples:
                pattern.search(sample)

    base_compile, base_match = cpu(compile_re), cpu(match_re)
    print(f"compile all: re {base_compile * 1e3:.2f} ms, re2 {cpu(compile_re2) / base_compile:.2f}x")
    searches = len(patterns) * len(samples)
    print(
        f"{searches} searches: re {base_match * 1e3:.2f} ms, re2 {cpu(match_re2) / base_match:.2f}x "
        "(RE2's per-call cost is the UTF-8 copy of the text into C++)"
    )

    hostile_re, hostile_re2 = re.compile(r"^(a+)+$"), compile_go(r"^(a+)+$")
    print("^(a+)+$ against n a's and '!': CPU seconds")
    for n in (16, 18, 20, 22):
        text = "a" * n + "!"
        seconds_re = cpu(lambda text=text: hostile_re.search(text), repeat=1)
        seconds_re2 = cpu(lambda text=text: hostile_re2.search(text), repeat=3)
        print(f"  n={n}: re {seconds_re:.3f} s, re2 {seconds_re2 * 1e6:.1f} us")
    text = "a" * 40 + "!"
    print(
        f"  n=40: re2 {cpu(lambda: hostile_re2.search(text), repeat=3) * 1e6:.1f} us (re: about 2**40 steps)"
    )


if __name__ == "__main__":
    main()
