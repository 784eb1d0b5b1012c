"""Output that breaks the page: a resource value that closes the directive's code fence.

The attack: a valid resource whose quoted value continues on a line that is exactly ```` ``` ````.
Inside the directive's ```` ```yaml ```` block that line closed the fence, so the rest of the value
(`<img src=x onerror=...>`) rendered as raw HTML in the page and the heredoc was cut. The
directive now opens its fences with more backticks than any run in the file.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from harness import no_network_env, run_bounded, write_site

from mkdocs_appreg.markdown.directive import code_fence

VALUE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ns\ndata:\n  a: 'x\n{line}\n  <img src=x onerror=alert(1)>'\n"


def test_the_fence_is_longer_than_any_backtick_run() -> None:
    assert code_fence("a: 1\n") == "```"
    assert code_fence("```\n") == "````"
    assert code_fence("x ````` y\n") == "``````"


def build(site: Path) -> subprocess.CompletedProcess[str]:
    result = run_bounded(
        ["-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml"], cwd=site, env=no_network_env(site.parent)
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_a_value_line_of_backticks_stays_inside_the_code_block(tmp_path: Path) -> None:
    for line in ("```", "  ```", "````"):
        site = write_site(
            tmp_path / f"site-{len(line)}",
            templates={"r.yaml.j2": VALUE.format(line=line)},
            pages={"index.md": "# Home\n\n/// resource | docs/r.yaml\n///\n"},
        )
        result = build(site)
        assert result.returncode == 0, result.stderr
        html = (site / "site" / "index.html").read_text()
        assert "<img src=x" not in html  # never live HTML
        assert html.count("onerror=alert(1)") == 2  # escaped, once in each tab
        # The heredoc is whole: its delimiter line comes after the value.
        command = re.sub(r"<[^>]+>", "", html[html.index("kubectl apply") :])
        assert command.index("onerror=alert(1)") < command.index("\nEOF\n")
