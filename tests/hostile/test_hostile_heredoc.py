"""Heredocs cannot be broken out of by the content of the resource file.

The directive's `kubectl apply` tab is run for real: the page goes through the directive and
pymdownx.snippets exactly as in a build, the resulting ```bash block is handed to bash with
`kubectl: cat` so the heredoc's body comes back on stdout, and it must be the file, byte for byte,
with nothing executed and nothing left over.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import markdown
import pytest

from mkdocs_appreg.markdown.directive import heredoc_delimiter

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

HOSTILE = {
    "bare-eof": "a: 1\nEOF\nb: 2\n",
    "quoted-eof": "a: 1\n'EOF'\nEOF\nb: $(touch pwned)\n",
    "trailing-space": "a: 1\nEOF \nEOF\n",
    "leading-space": "a: 1\n EOF\nEOF\n",
    "cr-split": "a: 1\rEOF\rb: 2\n",
    "crlf": "a: 1\r\nEOF\r\nb: 2\r\n",
    "suffixes": "EOF\nEOF_1\nEOF_2\nc: `touch pwned`\n",
    "expansions": "a: $HOME ${PATH} $(touch pwned) `touch pwned` \\$x \\\n",
    "no-final-newline": "a: 1\nEOF",
    "tab-eof": "a: 1\n\tEOF\nEOF\n",
}


def command_block(tmp_path: Path, content: bytes) -> str:
    """The bash code the kubectl tab shows for a resource file with `content`."""
    (tmp_path / "r.yaml").write_bytes(content)
    md = markdown.Markdown(
        extensions=["pymdownx.superfences", "pymdownx.snippets", "mkdocs_appreg.markdown.directive"],
        extension_configs={
            "pymdownx.snippets": {"base_path": [str(tmp_path)], "check_paths": True},
            "mkdocs_appreg.markdown.directive": {"base_path": [str(tmp_path)]},
        },
    )
    lines = ["/// resource | r.yaml", "    kubectl: cat", "///"]
    for name in ("appreg_resource", "snippet"):
        lines = md.preprocessors[name].run(lines)
    start = lines.index("```bash")
    end = len(lines) - 1 - lines[::-1].index("```")
    return "\n".join(lines[start + 1 : end]) + "\n"


@pytest.mark.parametrize("content", list(HOSTILE.values()), ids=list(HOSTILE))
def test_the_heredoc_gives_back_the_file_and_runs_nothing(tmp_path: Path, content: str) -> None:
    script = command_block(tmp_path, content.encode())
    work = tmp_path / "run"
    work.mkdir()
    result = subprocess.run(
        ["bash", "-c", script], cwd=work, capture_output=True, timeout=10, env={"PATH": "/usr/bin:/bin"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    # What snippets includes is the file read with universal newlines (it may add a blank line
    # at the end, which YAML ignores).
    expected = "\n".join(content.replace("\r\n", "\n").replace("\r", "\n").splitlines())
    assert result.stdout.decode().rstrip("\n") == expected
    assert list(work.iterdir()) == []  # nothing was executed


def test_the_delimiter_is_quoted_and_never_a_line_of_the_content(tmp_path: Path) -> None:
    content = HOSTILE["suffixes"]
    script = command_block(tmp_path, content.encode())
    first, *_body, last = script.splitlines()
    assert first == "cat <<'EOF_3'"
    assert last == "EOF_3"
    assert heredoc_delimiter(content) == "EOF_3"
