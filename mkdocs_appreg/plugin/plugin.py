"""The MkDocs plugin: render templates, wire the directive into snippets, validate, publish.

Event order in a build (MkDocs 1.6): on_startup (once per `mkdocs serve` session, which keeps
this instance across rebuilds) -> on_config -> on_files -> per page on_page_markdown -> render
(our preprocessor at priority 33, then pymdownx.snippets at 32) -> on_serve (serve only).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from mkdocs_appreg.common.cachefs import UnsafeCachePath, machine_key
from mkdocs_appreg.common.collector import collector_paused
from mkdocs_appreg.common.errors import AppregError, DirectiveError
from mkdocs_appreg.common.findings import Finding, failing, printable
from mkdocs_appreg.markdown.directive import ResourceExtension
from mkdocs_appreg.pages.annotate import annotate
from mkdocs_appreg.pages.directives import directive_paths
from mkdocs_appreg.pages.snippets import refuse_published, snippet_resolver, unrefused
from mkdocs_appreg.plugin.buildrecord import (
    RECORD_FILE,
    BuildRecord,
    crd_inputs,
    environment_key,
    page_digests,
    template_inputs,
)
from mkdocs_appreg.plugin.config import AppregConfig, check_options_from, settings_from, snippet_base_path
from mkdocs_appreg.plugin.prerequisites import missing_prerequisites
from mkdocs_appreg.site.project import (
    ProjectSettings,
    cache_root,
    leaks_in,
    leaks_in_published,
    scrub_cache,
)

if TYPE_CHECKING:
    # Annotation only: the live-reload server module imports watchdog and http.server, which a
    # `mkdocs build` never needs (~15 ms).
    from mkdocs.livereload import LiveReloadServer

    from mkdocs_appreg.engine.schemas import SchemaRegistry
    from mkdocs_appreg.rendering.rendered import Rendered
    from mkdocs_appreg.site.check import CheckOptions, ValidationMemo

# The renderer, the registry and the checker (check, project's pipeline, render, schemas) are
# imported when a build needs them: one that reuses its previous results (buildrecord.py)
# imports none of them, which is most of what the plugin would otherwise cost a build.

# Warnings on a `mkdocs.plugins.*` logger are what `mkdocs build --strict` counts.
log = get_plugin_logger(__name__)

SNIPPETS = "pymdownx.snippets"
EXTENSION = "appreg"


class AppregPlugin(BasePlugin[AppregConfig]):
    """Render resource templates, expand `/// resource` directives, validate and publish."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings: ProjectSettings | None = None
        self.rendered: list[Rendered] = []
        self.findings: list[Finding] = []
        self._registry: SchemaRegistry | None = None
        self._check_options: CheckOptions | None = None
        # Per-file validation results: in `mkdocs serve` this instance lives across rebuilds, so
        # a rebuild re-validates only the files whose text (or CRDs, or options) changed.
        self._memo: ValidationMemo | None = None
        # The previous build's record, when its rendered files were reused; the one being made.
        self._previous: BuildRecord | None = None
        self._record: BuildRecord | None = None
        self._crd_digests: dict[str, str | None] | None = None
        # Whether the last build reused the previous build's findings (no input changed).
        self.reused_check = False
        self._page: Page | None = None
        self._page_markdown = ""
        # Snippet paths as this build resolves them (set in on_config, one per build).
        self._snippets: Callable[[str], Path | None] | None = None
        self._texts: dict[str, str] = {}
        self._serving = False
        # What mkdocs.yml lacks for the directive (prerequisites.py), and whether it was said.
        self._prerequisites: list[str] = []
        self._prerequisites_reported = False

    @property
    def memo(self) -> ValidationMemo:
        if self._memo is None:
            from mkdocs_appreg.site.check import ValidationMemo

            self._memo = ValidationMemo()
        return self._memo

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Defining on_startup makes MkDocs keep this instance for a whole `mkdocs serve`
        # session, so later caches survive rebuilds.
        self._serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        with collector_paused():  # see collector.py: the build's data holds no cycles
            return self._on_config(config)

    def _on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        try:
            settings = settings_from(self.config, config)
            settings.check()
        except AppregError as error:
            raise PluginError(f"appreg: {error}") from None
        self.settings = settings
        # Read before _configure_markdown adds pymdownx.snippets; reported on the first page that
        # uses the directive (a site that only checks hand-written pages needs none of it).
        self._prerequisites = missing_prerequisites(config)
        self._prerequisites_reported = False
        self._configure_markdown(config, settings)
        self._registry = None
        self._check_options = None
        self.findings = []
        self.reused_check = False
        environment = environment_key(
            [
                repr(sorted(self.config.items())),
                repr(settings),
                repr(config.mdx_configs.get(SNIPPETS)),
                str(config.config_file_path),
            ]
        )
        templates = template_inputs(settings)
        cache = cache_root(settings)
        key = machine_key(settings.root)
        previous = BuildRecord.load(cache, key) if self.config.reuse_results else None
        rendered = None
        if previous is not None and previous.environment == environment and previous.templates == templates:
            try:
                rendered = previous.rendered_files(settings)
            except OSError as error:
                raise PluginError(f"appreg: cannot use the cache: {error}") from None
        self._previous = previous if rendered is not None else None
        if rendered is None:
            rendered = self._render(settings)
        self.rendered = rendered
        # The directive reads these instead of the files: they were just written to the cache,
        # or compared with it byte for byte (`rendered_files`). Keyed as the resolver answers.
        prefix = os.path.abspath(settings.snippet_root / settings.docs_prefix) + os.sep
        self._texts.clear()
        self._texts.update((prefix + item.docs_path, item.text) for item in rendered)
        self._record = BuildRecord(environment, templates)
        if self._previous is None:
            self._record.with_rendered(rendered)
        # Else the record is only written when the check is not reused (on_files): its entries
        # for the rendered files are made then, not by every build that reuses them.
        # Digested before the CRDs are loaded (now or in on_files): a CRD edited in between is
        # then a difference next time, never a stale reuse. Remote CRDs are fetched by every
        # build, so what they hold is unknown until then: such a check is never reused.
        self._crd_digests = crd_inputs(settings) if settings.validate and not settings.remote_crds else None
        if settings.validate and self._previous is None:
            # CRDs and check options are set up now: a broken one stops the build here, in one
            # line. (A reused build had them working, and unchanged, last time.)
            self._prepare_check(config)
        return config

    def _render(self, settings: ProjectSettings) -> list[Rendered]:
        from mkdocs_appreg.site.project import render_project, write_cache

        try:
            result = render_project(settings)
        except AppregError as error:
            raise PluginError(f"appreg: {error}") from None
        if result.findings:
            # A template that does not render leaves a page without its resource: stop.
            messages = [f"{f.file}:{f.line}: {f.message}" for f in result.findings]
            for message in messages[1:]:
                log.error(message)
            more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
            raise PluginError(messages[0] + more)
        try:
            write_cache(settings, result.rendered)
        except OSError as error:
            if isinstance(error, UnsafeCachePath):
                raise PluginError(f"appreg: cannot write the cache: {error}") from None
            raise PluginError(
                f"appreg: cannot write the cache {settings.display(settings.cache_dir)}: {error}"
            ) from None
        return result.rendered

    def _prepare_check(self, config: MkDocsConfig) -> None:
        from mkdocs_appreg.engine.schemas import SchemaRegistry
        from mkdocs_appreg.site.project import build_registry

        assert self.settings is not None
        try:
            self._registry, warnings = build_registry(self.settings, SchemaRegistry.builtin())
            source = self.settings.display(Path(config.config_file_path or "mkdocs.yml").resolve())
            self._check_options = check_options_from(self.config, source)
        except AppregError as error:
            raise PluginError(f"appreg: {error}") from None
        self.findings = warnings

    def _check(self, pages: list[tuple[str, str]], config: MkDocsConfig) -> list[Finding]:
        """Check the rendered templates and every page's resources, once per build.

        Runs in on_files, before any page is converted: the pages' sources are read from the files
        MkDocs collected, and includes resolve through the same snippets base path the build uses
        (relative entries against the current directory, as pymdownx.snippets resolves them).
        """
        from mkdocs_appreg.site.check import check_site

        if self._registry is None or self._check_options is None:
            self._prepare_check(config)
        assert self.settings is not None and self._registry is not None and self._check_options is not None
        try:
            result = check_site(
                self.settings,
                pages,
                options=self._check_options,
                registry=self._registry,
                rendered=self.rendered,
                base_path=snippet_base_path(config, relative_to=Path.cwd()),
                resolver=self._snippets,
                memo=self.memo,
            )
        except AppregError as error:
            raise PluginError(f"appreg: {error}") from None
        return [*self.findings, *result.findings]

    def _configure_markdown(self, config: MkDocsConfig, settings: ProjectSettings) -> None:
        """Put the cache first in snippets' base_path and add our extension, configured alike.

        Snippets resolves relative base paths against the current directory and takes the
        first base that has the file, so an absolute cache dir in front makes rendered files
        win over stale copies wherever `mkdocs` is run from.
        """
        if SNIPPETS not in config.markdown_extensions:
            config.markdown_extensions.append(SNIPPETS)
        snippets: dict[str, Any] = config.mdx_configs.setdefault(SNIPPETS, {})
        base_path = snippets.get("base_path", ["."])
        if isinstance(base_path, str):
            base_path = [base_path]
        cache = str(settings.snippet_root)
        snippets["base_path"] = [cache, *(p for p in base_path if p != cache)]

        # A user who listed `appreg` in markdown_extensions gets our configured instance in its
        # place, with their options kept.
        user_options: dict[str, Any] = dict(config.mdx_configs.pop(EXTENSION, {}) or {})
        config.markdown_extensions[:] = [
            ext
            for ext in config.markdown_extensions
            if not (ext == EXTENSION or isinstance(ext, ResourceExtension))
        ]
        user_options.setdefault("yaml_label", self.config.yaml_label)
        user_options.setdefault("command_label", self.config.command_label)
        user_options["base_path"] = list(snippets["base_path"])
        user_options["check_paths"] = True
        user_options["on_error"] = self._directive_error
        # The plugin renders, checks and publishes: the extension only expands directives, as it
        # would in any host whose plugin drives it (no standalone work, see markdown/standalone.py).
        user_options["standalone"] = False
        # One resolution per path and build, not per page: a build's pages name the same files,
        # and the check (on_files) has resolved them all before the first page is converted.
        # Its bases are the check's (resolved against the current directory as snippets does,
        # symlinks in them resolved), so both see each answer; the files found are the same.
        self._snippets = snippet_resolver(
            dict.fromkeys([settings.snippet_root, *snippet_base_path(config, relative_to=Path.cwd())])
        )
        user_options["resolver"] = self._snippets
        self._texts = {}  # this build's rendered files, once on_config has them
        user_options["texts"] = self._texts
        config.markdown_extensions.append(ResourceExtension(**user_options))

    def _directive_error(self, error: DirectiveError) -> None:
        page = self._page_display()
        line = f"{error.line + self._front_matter_lines()}:" if error.line is not None else ""
        raise PluginError(f"{page}:{line} {error.reason}")

    def _front_matter_lines(self) -> int:
        # MkDocs strips YAML front matter before Markdown sees the page, so the directive's line
        # numbers start below it. Counted only when an error is reported: no second read per page.
        if self._page is None or not self._page_markdown:
            return 0
        source = self._page.file.content_string
        if not source.endswith(self._page_markdown):
            return 0
        return source[: len(source) - len(self._page_markdown)].count("\n")

    def _page_display(self) -> str:
        if self._page is None or self.settings is None:
            return "<page>"
        return f"{self.settings.docs_prefix}/{self._page.file.src_uri}"

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        with collector_paused():
            return self._on_files(files, config)

    def _on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        settings = self.settings
        if settings is not None:
            self._refuse_published_links(files, config, settings.root)
        if settings is not None and self._record is not None:
            if settings.validate:
                self.findings = self._site_findings(settings, files, config)
                # Logged here, inside the build, so `mkdocs build --strict` counts every one. A
                # directive the build cannot expand is not a warning: it stops the build below,
                # once, with every such directive of the site (not only the first page's).
                for finding in self.findings:
                    if finding.rule != "directive.invalid":
                        log.warning(finding.located())
                self._stop_on_leaks(settings)
                self._stop_on_published_leaks(settings, files, config)
                self._stop_on_directive_errors()
                self._apply_fail_on()
            if not self.reused_check:
                # A reused build's record would be the previous one, byte for byte: not rewritten.
                if self._previous is not None:
                    self._record.with_rendered(self.rendered)
                self._record.save(cache_root(settings), machine_key(settings.root))
        if not self.config.publish:
            return files
        for item in self.rendered:
            existing = files.get_file_from_path(item.docs_path)
            if existing is not None:
                # A copy in docs/ (usually stale) would be published otherwise.
                log.info(f"{item.display} replaces docs file {item.docs_path} in the site")
                files.remove(existing)
            files.append(File.generated(config, item.docs_path, content=item.text))
        return files

    @staticmethod
    def _refuse_published_links(files: Files, config: MkDocsConfig, root: Path) -> None:
        """Stop the build on a docs file that is a symlink out of the project or to a VCS or
        credential file: MkDocs would copy its target into the site (a pull request controls
        every committed file, links included)."""
        docs_dir = os.path.abspath(config.docs_dir)
        top = str(root)
        for file in files:
            source = file.abs_src_path
            if source is None:
                continue
            try:
                # The path is only shown: worked out when there is something to show.
                refuse_published("", source, docs_dir, top)
            except ValueError:
                try:
                    refuse_published(os.path.relpath(source, root), source, docs_dir, top)
                except ValueError as error:
                    raise PluginError(f"appreg: {error}") from None

    def _stop_on_directive_errors(self) -> None:
        """Stop the build on the directives no page could expand, each named once.

        Each would stop the build anyway when MkDocs converts its page ("Error reading page"),
        but only the first page's; the check has found them all, in the page's own lines
        (front matter included), worded as the page conversion words them.
        """
        broken = [finding for finding in self.findings if finding.rule == "directive.invalid"]
        if broken:
            raise PluginError("\n".join(printable(f"{f.file}:{f.line}: {f.message}") for f in broken))

    def _apply_fail_on(self) -> None:
        """Stop the build when `fail_on` says the findings fail it (never under `mkdocs serve`,
        which shows them on the pages instead)."""
        fail_on = self.config.fail_on
        if fail_on is None or self._serving:
            return
        failed = failing(self.findings, fail_on)
        if failed:
            first = next((f for f in failed if f.is_error), failed[0])
            raise PluginError(
                f"appreg: {len(failed)} finding{'s' if len(failed) > 1 else ''} fail the build "
                f"(fail_on: {fail_on}); the first: {first.located()}"
            )

    def _stop_on_leaks(self, settings: ProjectSettings) -> None:
        """Stop the build, in every mode, when a credential leaked, and keep it in no file.

        A warning would let a plain `mkdocs build` publish the token, and a failing `--strict`
        build still writes every page first. Stopping here, in on_files, comes before MkDocs
        writes any page; the rendered copies in the cache and the build record are removed.
        """
        leaks = leaks_in(self.findings)
        if not leaks:
            return
        scrub_cache(settings, RECORD_FILE)
        self._record = None  # not saved: the next build checks again
        more = f" (and {len(leaks) - 1} more)" if len(leaks) > 1 else ""
        raise PluginError(
            f"appreg: {leaks[0].located()}{more}; a leaked credential stops the build in every mode"
        )

    def _stop_on_published_leaks(self, settings: ProjectSettings, files: Files, config: MkDocsConfig) -> None:
        """Stop the build on a leaked credential in a data file MkDocs would copy as it is.

        `docs/secret.yaml`, included by no page, is no example the check sees, yet it is
        published: a token in it ships unless it stops the build here, before any file is copied.
        """
        static = [
            (f"{settings.docs_prefix}/{file.src_uri}", file.abs_src_path)
            for file in files
            if file.abs_src_path is not None and not file.is_documentation_page()
        ]
        leaks = leaks_in_published(static, settings.secrets_allowlist)
        if leaks:
            more = f" (and {len(leaks) - 1} more)" if len(leaks) > 1 else ""
            raise PluginError(
                f"appreg: {leaks[0].located()}{more}; a leaked credential stops the build in every mode "
                "(this file would be published as it is)"
            )

    def _site_findings(self, settings: ProjectSettings, files: Files, config: MkDocsConfig) -> list[Finding]:
        """The check's findings: the previous build's when none of its inputs changed."""
        assert self._record is not None
        self.reused_check = False
        pages: list[tuple[str, str]] = []
        for file in files.documentation_pages():
            try:
                pages.append((f"{settings.docs_prefix}/{file.src_uri}", file.content_string))
            except (OSError, UnicodeDecodeError):
                continue  # MkDocs reports an unreadable page itself when it renders it
        digests = page_digests(pages)
        crds = self._crd_digests
        if self._previous is not None and crds is not None:
            assert self._snippets is not None  # set with the settings, in on_config
            # The rendered files were compared byte for byte with the record's texts in
            # on_config (`rendered_files`): their digests are the record's, made from those
            # texts, not a re-read or a second hash of them.
            verified = self._previous.rendered_digests(settings)
            reused = self._previous.check_findings(crds, digests, unrefused(self._snippets), verified)
            if reused is not None:
                log.info(
                    f"no template, CRD or page changed since the last build; reusing its {len(reused)} finding(s)"
                )
                self.reused_check = True  # the record stays as it is: nothing in it changed
                return reused
        findings = self._check(pages, config)
        self._record.with_check(crds, digests, self.memo.page_reads(), findings)
        return findings

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        # The directive's error callback needs to know which page is being converted.
        self._page = page
        self._page_markdown = markdown
        if self._prerequisites and not self._prerequisites_reported and "///" in markdown:
            self._report_prerequisites(markdown)
        if self._serving and self.findings and self.settings is not None:
            # `mkdocs serve` only: the page shows its findings beside the examples they concern.
            # A built site never carries them.
            markdown = annotate(
                markdown,
                page=self._page_display(),
                findings=self.findings,
                shown_as=self._shown_as(self.settings),
                line_offset=self._front_matter_lines(),
            )
        return markdown

    def _shown_as(self, settings: ProjectSettings) -> dict[str, list[str]]:
        """Each template (and partial) -> the `docs/...` paths pages include its output by."""
        shown: dict[str, list[str]] = {}
        for item in self.rendered:
            path = f"{settings.docs_prefix}/{item.docs_path}"
            for display in dict.fromkeys([item.display, *(origin for origin, _ in item.origins)]):
                shown.setdefault(display, []).append(path)
        return shown

    def _report_prerequisites(self, markdown: str) -> None:
        """Warn once per build about each piece the directive needs, at its first use."""
        uses = directive_paths(markdown.split("\n"))
        if not uses:
            return
        self._prerequisites_reported = True
        where = f"{self._page_display()}:{uses[0][0] + self._front_matter_lines()}"
        for problem in self._prerequisites:
            log.warning(f"appreg: {problem} (the resource directive is used at {where})")

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        # Templates, the vars file and CRDs live outside docs/, so MkDocs would not notice them;
        # the cache is not watched, so writing it never triggers a rebuild loop.
        if self.config.enabled and self.settings is not None:
            for path in self.settings.watched():
                if Path(path).exists():
                    server.watch(str(path))
        return server
