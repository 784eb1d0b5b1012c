"""ProjectSettings: how paths are shown."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_appreg.site.project import ProjectSettings


@settings(max_examples=500)
@given(
    st.sampled_from([".", "/", "/a", "/a/b", "a", "a/b", "/ab"]),
    st.lists(st.sampled_from(["a", "b", "ab", "..", "x y", "/", "."]), max_size=5),
)
def test_display_is_path_relative_to_root(root: str, parts: list[str]) -> None:
    project = ProjectSettings(Path(root), Path("/d"), Path("/t"), Path("/c"))
    path = Path(*parts) if parts else Path(root)
    try:
        expected = path.relative_to(Path(root)).as_posix()
    except ValueError:
        expected = str(path)
    assert project.display(path) == expected
