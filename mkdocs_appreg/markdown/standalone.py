"""The whole job inside the Markdown extension, for hosts that run no MkDocs plugin (Zensical).

Zensical reads `markdown_extensions` and runs them, but ignores MkDocs plugins without importing
them, so the plugin's work (render the templates into the cache, put the cache in front of
pymdownx.snippets' base path, validate the site) happens here instead, on demand, when a page is
converted:

- Zensical builds a new `Markdown` instance, hence a new extension instance, for every page, and
  keeps its process across `zensical serve` rebuilds: the project's state lives in this module,
  one `StandaloneProject` per configuration, guarded by a lock, and is refreshed when a template,
  the vars file, a CRD or a file under docs_dir changed (by size and mtime).
- Findings are reported when the first page of a refreshed state is converted: warnings through
  the `mkdocs_appreg` logger, once; an error (or, with `fail_on: warning`, any finding) raises
  `BuildFailure`, which Zensical turns into a failed build (exit 1) printing our message. The
  message names every finding as `file:line:column`, since the host names neither page nor line.

Under MkDocs or ProperDocs with the plugin, the plugin configures the extension with
`standalone: false` and none of this runs.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs_appreg.common.errors import AppregError
from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.findings import failing as failing_findings
from mkdocs_appreg.pages.snippets import snippet_resolver
from mkdocs_appreg.site.options import (
    check_options_from_mapping,
    page_sources,
    project_options,
    settings_from_options,
)
from mkdocs_appreg.site.project import ProjectSettings, leaks_in, scrub_cache

if TYPE_CHECKING:
    from mkdocs_appreg.rendering.rendered import Rendered
    from mkdocs_appreg.site.check import CheckOptions, ValidationMemo

# Without handlers configured (Zensical's CLI configures none), Python prints warnings of this
# logger on stderr through logging's last-resort handler.
log = logging.getLogger("mkdocs_appreg")

# The preprocessor Zensical registers in every page's Markdown instance (zensical/extensions/
# context.py, `ContextPreprocessor.name`); its `page.path` is the page relative to docs_dir, its
# `config` the parsed zensical.toml or mkdocs.yml (`root_dir`, `docs_dir`, `strict`).
HOST_CONTEXT = "rendering_context"
# The inputs are stat-ed again at most this often: a walk costs ~16 ms for 500 files (the Argo CD
# docs), which every page of a 500-page build would otherwise pay. An edit is seen by the first
# page converted more than this after the previous walk, in the same build or the next one.
REWALK_SECONDS = 1.0
SNIPPETS_PREPROCESSOR = "snippet"


class BuildFailure(AppregError):
    """Findings or a broken template that must stop the host's build (raised while converting a page)."""


class HostContext:
    """What the host tells about the page being converted (nothing, outside Zensical)."""

    __slots__ = ("config", "page_path")

    def __init__(self, page_path: str | None, config: Mapping[str, Any]) -> None:
        self.page_path = page_path
        self.config = config

    @classmethod
    def of(cls, preprocessors: Any) -> HostContext | None:
        """The host context of a Markdown instance's preprocessors, when a host registered one."""
        if HOST_CONTEXT not in preprocessors:
            return None
        context = preprocessors[HOST_CONTEXT]
        config = getattr(context, "config", None)
        page = getattr(getattr(context, "page", None), "path", None)
        return cls(page if isinstance(page, str) else None, config if isinstance(config, Mapping) else {})

    @property
    def strict(self) -> bool:
        return self.config.get("strict") is True


def _stat_walk(path: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime) of a file, or of every file below a folder; nothing for a missing path."""
    if path.is_file():
        stat = path.stat()
        return [(str(path), stat.st_size, stat.st_mtime_ns)]
    found: list[tuple[str, int, int]] = []
    for directory, folders, files in os.walk(path):
        folders.sort()
        for name in sorted(files):
            file = os.path.join(directory, name)
            try:
                stat = os.stat(file)
            except OSError:
                continue
            found.append((file, stat.st_size, stat.st_mtime_ns))
    return found


class StandaloneProject:
    """One project's rendered templates and site findings, shared by the pages of a build."""

    def __init__(
        self,
        settings: ProjectSettings,
        check: CheckOptions | None,
        base_path: Sequence[Path],
        source: str,
        fail_on: str = "error",
    ) -> None:
        self.settings = settings
        self.fail_on = fail_on
        self.check = check
        self.base_path = list(base_path)
        self.source = source
        self.lock = threading.Lock()
        self.fingerprint: object = None
        self.walked_at = 0.0
        self.rendered: list[Rendered] = []
        self.findings: list[Finding] = []
        self.reported = False
        self.resolver: Callable[[str], Path | None] = snippet_resolver(
            dict.fromkeys([settings.snippet_root, *self.base_path])
        )
        self._memo: ValidationMemo | None = None

    def _inputs(self) -> object:
        settings = self.settings
        paths = [settings.templates_dir, settings.docs_dir, *settings.crds]
        if settings.vars_file is not None:
            paths.append(settings.vars_file)
        return tuple(entry for path in paths for entry in _stat_walk(path))

    def refresh(self) -> None:
        """Render and check again when an input changed since the last time.

        Raises:
            BuildFailure: A template does not render, or the cache cannot be written.
        """
        now = time.monotonic()
        if self.fingerprint is not None and now - self.walked_at < REWALK_SECONDS:
            return
        inputs = self._inputs()
        self.walked_at = now
        if inputs == self.fingerprint:
            return
        from mkdocs_appreg.site.project import render_project, write_cache

        settings = self.settings
        self.fingerprint = None  # until this refresh succeeds
        self.resolver = snippet_resolver(dict.fromkeys([settings.snippet_root, *self.base_path]))
        try:
            settings.check()
            result = render_project(settings)
        except AppregError as error:
            raise BuildFailure(f"appreg: {error}") from None
        if result.findings:
            # A template that does not render leaves a page without its resource: stop.
            raise BuildFailure(
                "appreg: a template does not render:\n" + "\n".join(f.located() for f in result.findings)
            )
        try:
            write_cache(settings, result.rendered)
        except OSError as error:
            raise BuildFailure(
                f"appreg: cannot write the cache {settings.display(settings.cache_dir)}: {error}"
            ) from None
        self.rendered = result.rendered
        self.findings = self._site_findings() if settings.validate and self.check is not None else []
        self.reported = False
        self.fingerprint = inputs

    def _site_findings(self) -> list[Finding]:
        from mkdocs_appreg.engine.schemas import SchemaRegistry
        from mkdocs_appreg.site.check import ValidationMemo, check_site
        from mkdocs_appreg.site.project import build_registry

        settings = self.settings
        assert self.check is not None
        if self._memo is None:
            self._memo = ValidationMemo()
        try:
            pages = page_sources(settings)  # those `appreg check` reads from a zensical.toml
            registry, warnings = build_registry(settings, SchemaRegistry.builtin())
            result = check_site(
                settings,
                pages,
                options=self.check,
                registry=registry,
                rendered=self.rendered,
                base_path=self.base_path,
                resolver=self.resolver,
                memo=self._memo,
            )
        except AppregError as error:
            raise BuildFailure(f"appreg: {error}") from None
        return [*warnings, *result.findings]

    def report(self, *, strict: bool) -> None:
        """Log this state's warnings once; raise while it has a finding at `fail_on` or worse.

        Args:
            strict: The host runs in strict mode (Zensical's `strict: true`): warnings fail too.

        Raises:
            BuildFailure: Naming every finding that fails the build.
        """
        level = "warning" if strict else self.fail_on
        failing = failing_findings(self.findings, level)
        if not self.reported:
            self.reported = True
            for finding in self.findings:
                if finding not in failing:
                    log.warning(finding.located())
        if failing:
            if leaks_in(failing):
                scrub_cache(self.settings)  # as the plugin: a leaked credential is in no written file
            count = f"{len(failing)} finding(s)" + (" (warnings fail too)" if level == "warning" else "")
            raise BuildFailure(
                f"appreg: {count} in the resource examples:\n" + "\n".join(f.located() for f in failing)
            )


_PROJECTS: dict[str, StandaloneProject] = {}
_PROJECTS_LOCK = threading.Lock()


def project_for(
    raw: Mapping[str, Any],
    *,
    root: Path,
    docs_dir: Path,
    base_path: Sequence[Path],
    source: str,
    ignore: tuple[str, ...],
) -> StandaloneProject | None:
    """The state of the project these options describe (None when `enabled` is false).

    Raises:
        BuildFailure: An option is wrong.
    """
    key = repr((sorted(raw.items(), key=lambda item: str(item[0])), str(root), str(docs_dir), base_path))
    with _PROJECTS_LOCK:
        project = _PROJECTS.get(key)
        if project is not None:
            return project
        try:
            options = project_options(raw, source=source, ignore=ignore)
            if not options["enabled"]:
                return None
            settings = settings_from_options(options, root=root, docs_dir=docs_dir)
            check = check_options_from_mapping(options, source=source) if settings.validate else None
        except AppregError as error:
            raise BuildFailure(f"appreg: {error}") from None
        project = StandaloneProject(settings, check, base_path, source, options["fail_on"] or "error")
        _PROJECTS[key] = project
        return project


def prepend_to_snippets(preprocessors: Any, first: Path) -> list[Path] | None:
    """Put `first` in front of pymdownx.snippets' base path in this Markdown instance.

    Returns:
        Snippets' base path after the change (absolute, as snippets made them), or None when
        snippets is not loaded.
    """
    if SNIPPETS_PREPROCESSOR not in preprocessors:
        return None
    snippets = preprocessors[SNIPPETS_PREPROCESSOR]
    bases = [str(base) for base in getattr(snippets, "base_path", [])]
    cache = str(first)
    snippets.base_path = [cache, *(base for base in bases if base != cache)]
    if hasattr(snippets, "bases"):
        snippets.bases = None  # pymdownx >= 10.x caches which bases exist, per run
    return [Path(base) for base in snippets.base_path]


def forget_projects() -> None:
    """Drop every project's state (tests; a host that reloads its configuration)."""
    with _PROJECTS_LOCK:
        _PROJECTS.clear()


__all__ = [
    "BuildFailure",
    "HostContext",
    "StandaloneProject",
    "forget_projects",
    "prepend_to_snippets",
    "project_for",
]
