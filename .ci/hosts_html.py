"""Read the tab sets of a built page, for `.ci/hosts`: labels, code texts, structure.

    python .ci/hosts_html.py SITE_DIR PAGE_DIR CACHE_DIR OUT.json

Checks the registry page of one build (both tab sets, exact labels, the quoted heredoc holding
exactly the rendered YAML) and writes what it read as JSON, so the builds of several hosts can
be compared (`--compare A.json B.json ...`). Standard library only: it runs in any host's venv.
"""

from __future__ import annotations

import json
import sys
from html.parser import HTMLParser
from pathlib import Path

YAML_LABEL = "YAML Resource"
COMMAND_LABEL_HTML = "<code>kubectl apply</code> command"
EXPECTED = ["docs/development/resources/authSecretRef.yaml", "docs/development/resources/registry.yaml"]


class TabSets(HTMLParser):
    """Every `div.tabbed-set`: its labels (inner HTML) and each block's `<code>` text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sets: list[dict[str, list[str]]] = []
        self.depth = 0  # div depth inside the current tab set
        self.label: list[str] | None = None
        self.code: list[str] | None = None
        self.code_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "tabbed-set" in classes and self.depth == 0:
            self.sets.append({"labels": [], "codes": []})
            self.depth = 1
            return
        if self.depth == 0:
            return
        if tag == "div":
            self.depth += 1
        if self.label is not None:
            self.label.append(f"<{tag}>")
        elif tag == "label":
            self.label = []
        elif tag == "code":
            if self.code is None:
                self.code = []
                self.code_depth = 0
            self.code_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0:
            return
        if tag == "label" and self.label is not None:
            self.sets[-1]["labels"].append("".join(self.label).strip())
            self.label = None
        elif self.label is not None:
            self.label.append(f"</{tag}>")
        elif tag == "code" and self.code is not None:
            self.code_depth -= 1
            if self.code_depth == 0:
                self.sets[-1]["codes"].append("".join(self.code))
                self.code = None
        if tag == "div":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.label is not None:
            self.label.append(data)
        elif self.code is not None:
            self.code.append(data)


def read(page: Path) -> list[dict[str, list[str]]]:
    parser = TabSets()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.sets


def check(site: Path, page_dir: str, cache: Path) -> list[dict[str, list[str]]]:
    page = site / page_dir / "index.html"
    sets = read(page)
    problems: list[str] = []
    if len(sets) != len(EXPECTED):
        problems.append(f"{page}: {len(sets)} tab sets, expected {len(EXPECTED)}")
    for number, (found, rendered) in enumerate(zip(sets, EXPECTED, strict=False), start=1):
        yaml_text = (cache / "snippets" / rendered).read_text(encoding="utf-8")
        if found["labels"] != [YAML_LABEL, COMMAND_LABEL_HTML]:
            problems.append(f"tab set {number}: labels {found['labels']!r}")
        if len(found["codes"]) != 2:
            problems.append(f"tab set {number}: {len(found['codes'])} code blocks, expected 2")
            continue
        shown, command = (code.rstrip("\n") for code in found["codes"])
        if shown != yaml_text.rstrip("\n"):
            problems.append(f"tab set {number}: the YAML tab is not {rendered}")
        # The heredoc: the quoted delimiter, the rendered file, the delimiter alone on its line
        # (blank lines before it are the directive's business, not this host comparison's).
        head, _, rest = command.partition("\n")
        body, _, last = rest.rpartition("\n")
        if (
            head != "kubectl apply -f - <<'EOF'"
            or last != "EOF"
            or body.rstrip("\n") != yaml_text.rstrip("\n")
        ):
            problems.append(f"tab set {number}: the command tab is not the quoted heredoc of {rendered}")
    if problems:
        sys.exit("\n".join(problems))
    return sets


def main(argv: list[str]) -> None:
    if argv[:1] == ["--compare"]:
        first, *others = argv[1:]
        reference = json.loads(Path(first).read_text(encoding="utf-8"))
        for other in others:
            if json.loads(Path(other).read_text(encoding="utf-8")) != reference:
                sys.exit(f"{other}: the tab sets differ from {first}")
        print(f"same tab sets in {', '.join(argv[1:])}")
        return
    site, page_dir, cache, out = argv
    sets = check(Path(site), page_dir, Path(cache))
    Path(out).write_text(json.dumps(sets, indent=1) + "\n", encoding="utf-8")
    print(f"{site}/{page_dir}: {len(sets)} tab sets with the exact labels and the quoted heredoc")


if __name__ == "__main__":
    main(sys.argv[1:])
