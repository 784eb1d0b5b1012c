"""Property: the directive parser never raises with `on_error`, and errors name a page line."""

from __future__ import annotations

from pathlib import Path

from fuzzing import FUZZ
from hypothesis import given
from hypothesis import strategies as st

from mkdocs_appreg.common.errors import DirectiveError
from mkdocs_appreg.markdown.directive import expand_directives

LINES = st.sampled_from(
    [
        "/// resource | r.yaml",
        "/// resource | ../x.yaml",
        "/// resource | /etc/passwd",
        '/// resource | a"b.yaml',
        "/// resource |",
        "/// resource",
        "///resource|r.yaml",
        "  /// resource | r.yaml",
        "\t/// resource | r.yaml",
        "//// resource | r.yaml",
        "///",
        "////",
        "  ///",
        "    yaml: Manifest",
        "    command: false",
        "    yaml: false",
        "    lang: 'bad lang'",
        "    kubectl: [1, 2]",
        "    unknown: 1",
        "    : [",
        "```",
        "```yaml",
        "~~~",
        "    ```",
        "/// tab | x",
        "text",
        "",
        "\r",
        "/// RESOURCE | r.yaml",
    ]
)


@FUZZ
@given(lines=st.lists(LINES | st.text(max_size=30), max_size=25), exists=st.booleans(), check=st.booleans())
def test_expand_directives_reports_every_problem_at_a_page_line(
    lines: list[str], exists: bool, check: bool
) -> None:
    errors: list[DirectiveError] = []

    def resolve(path: str) -> Path | None:
        if ".." in path or path.startswith("/"):
            raise ValueError(f"path `{path}` leaves every snippet base path")
        return None if not exists else Path(__file__)

    out = expand_directives(lines, resolve, check_paths=check, on_error=errors.append)
    assert all(isinstance(line, str) for line in out)
    for error in errors:
        assert error.line is not None and 1 <= error.line <= len(lines), (error, lines)
        assert "\n" not in error.reason
