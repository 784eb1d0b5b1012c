"""What rendering produces: `Rendered` files and a `RenderResult`, without importing Jinja.

A build that reuses its previous results (plugin/buildrecord.py) rebuilds `Rendered` objects from
its record and renders nothing: it must not pay for importing the renderer (the Jinja sandbox,
the filters, the line map) just for these classes.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.records import Record

__all__ = ["RenderResult", "Rendered"]


# Plain classes (common/records.py says why).
class Rendered(Record):
    """One rendered template and the map from its output lines back to template lines.

    Attributes:
        docs_path: Posix path relative to the docs dir: the template name minus its suffix.
        template: Absolute path of the template file.
        display: The template path as shown to users (relative to the `mkdocs.yml` directory).
        text: The rendered output.
        line_map: `line_map[i]` is the line of `template` that produced output line `i + 1`
            (for a line that came from an included template: the line of the include).
        origins: For each output line, `(display path, line)` of the template file that really
            produced it, which may be an included partial. Empty means "same as `line_map`".
    """

    __slots__ = ("display", "docs_path", "line_map", "origins", "template", "text")
    FIELDS = ("docs_path", "template", "display", "text", "line_map", "origins")

    docs_path: str
    template: Path
    display: str
    text: str
    line_map: tuple[int, ...]
    origins: tuple[tuple[str, int], ...]

    def __init__(
        self,
        docs_path: str,
        template: Path,
        display: str,
        text: str,
        line_map: tuple[int, ...],
        origins: tuple[tuple[str, int], ...] = (),
    ) -> None:
        self.docs_path = docs_path
        self.template = template
        self.display = display
        self.text = text
        self.line_map = line_map
        self.origins = origins

    def template_line(self, output_line: int) -> int:
        """The line of `template` that produced a 1-based output line.

        Lines before the first map to the first; lines past the end (a YAML error at the end of
        the stream) map to the last; an empty output maps everything to line 1.
        """
        if not self.line_map:
            return 1
        return self.line_map[min(max(output_line, 1), len(self.line_map)) - 1]

    def origin(self, output_line: int) -> tuple[str, int]:
        """`(display path, line)` of the template file that produced a 1-based output line.

        Clamped like `template_line`. Follows includes into the included file.
        """
        if not self.origins:
            return self.display, self.template_line(output_line)
        return self.origins[min(max(output_line, 1), len(self.origins)) - 1]


class RenderResult(Record):
    """Everything `TemplateRenderer.render_all` produced: files that rendered, and findings."""

    __slots__ = ("findings", "rendered")
    FIELDS = ("rendered", "findings")

    rendered: list[Rendered]
    findings: list[Finding]

    def __init__(self, rendered: list[Rendered], findings: list[Finding]) -> None:
        self.rendered = rendered
        self.findings = findings
