"""One docs project's resources: render the templates, keep them in the cache, validate them.

This is the pipeline the MkDocs plugin runs during a build and the `appreg` CLI runs without
one, so both see exactly the same findings. It knows nothing of MkDocs: the plugin (and
`config.load_settings` for the CLI) turn an `mkdocs.yml` into `ProjectSettings`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import Finding

if TYPE_CHECKING:
    from mkdocs_appreg.common.cachefs import CacheRoot
    from mkdocs_appreg.engine.crdcache import CrdCache
    from mkdocs_appreg.engine.schemas import SchemaRegistry
    from mkdocs_appreg.rendering.rendered import Rendered, RenderResult

# The renderer, the CRD registry and the validator are imported by the functions that use
# them: a build that reuses its previous results (buildrecord.py) needs none of them.

SNIPPETS = "snippets"
"""The cache subdirectory that holds rendered files (see `ProjectSettings.snippet_root`)."""


# A plain class (common/records.py says why).
# Its repr (part of the build record's environment key) shows every field, as a dataclass's does.
class ProjectSettings:
    """Where a project's parts are, as absolute paths, and what to do with them.

    Attributes:
        root: The directory of mkdocs.yml; relative paths in findings are shown from here.
        docs_dir: MkDocs' docs_dir.
        templates_dir: The template tree, mirroring docs_dir.
        cache_dir: Where rendered files are written (never inside docs_dir).
        variables: Template variables (`vars`), which override those of `vars_file`.
        vars_file: An optional YAML mapping of template variables.
        crds: CRD files or directories, on top of the built-in ones.
        template_suffix: Suffix that marks a template (removed to get the docs path).
        validate: Whether rendered resources are validated.
        secrets_allowlist: Secret values (or their sha256) never reported as `secret.leak`.
        remote_crds: CRD URLs to download at each build (only with `allow_remote_crds`).
        templates_required: The site named `templates_dir` itself, so a missing one is an error;
            the default `templates` may be absent (a site that only checks its pages has none).
    """

    __slots__ = (
        "cache_dir",
        "crds",
        "docs_dir",
        "remote_crds",
        "root",
        "secrets_allowlist",
        "template_suffix",
        "templates_dir",
        "templates_required",
        "validate",
        "variables",
        "vars_file",
    )

    root: Path
    docs_dir: Path
    templates_dir: Path
    cache_dir: Path
    variables: Mapping[str, Any]
    vars_file: Path | None
    crds: tuple[Path, ...]
    template_suffix: str
    validate: bool
    secrets_allowlist: tuple[str, ...]
    remote_crds: tuple[str, ...]
    templates_required: bool

    def __init__(
        self,
        root: Path,
        docs_dir: Path,
        templates_dir: Path,
        cache_dir: Path,
        variables: Mapping[str, Any] = MappingProxyType({}),
        vars_file: Path | None = None,
        crds: tuple[Path, ...] = (),
        template_suffix: str = ".j2",
        validate: bool = True,
        secrets_allowlist: tuple[str, ...] = (),
        remote_crds: tuple[str, ...] = (),
        templates_required: bool = True,
    ) -> None:
        self.root = root
        self.docs_dir = docs_dir
        self.templates_dir = templates_dir
        self.cache_dir = cache_dir
        self.variables = variables
        self.vars_file = vars_file
        self.crds = crds
        self.template_suffix = template_suffix
        self.validate = validate
        self.secrets_allowlist = secrets_allowlist
        self.remote_crds = remote_crds
        self.templates_required = templates_required

    def __repr__(self) -> str:
        return (
            f"ProjectSettings(root={self.root!r}, docs_dir={self.docs_dir!r}, "
            f"templates_dir={self.templates_dir!r}, cache_dir={self.cache_dir!r}, "
            f"variables={self.variables!r}, vars_file={self.vars_file!r}, crds={self.crds!r}, "
            f"template_suffix={self.template_suffix!r}, validate={self.validate!r}, "
            f"secrets_allowlist={self.secrets_allowlist!r}, remote_crds={self.remote_crds!r}, "
            f"templates_required={self.templates_required!r})"
        )

    def display(self, path: Path) -> str:
        """`path` relative to the project root when it is inside it, for messages."""
        if os.name != "nt":
            # What Path.relative_to decides by comparing parts is, for two normalized POSIX paths,
            # a prefix test of their text: a tenth of the cost, and every finding and include
            # of a build is shown through here.
            text, root = str(path), str(self.root)
            if text == root:
                return "."
            inside = root if root.endswith("/") else root + "/"
            return text[len(inside) :] if text.startswith(inside) else text
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    @property
    def docs_prefix(self) -> str:
        """How pages name docs files in `--8<--` lines: docs_dir relative to the root (`docs`)."""
        return self.display(self.docs_dir)

    @property
    def snippet_root(self) -> Path:
        """The cache directory that holds `<docs_prefix>/<docs path>` for each rendered file.

        Prepended to pymdownx.snippets' base_path, it makes `--8<-- "docs/x.yaml"` resolve to
        the rendered file even though nothing was written into docs/.
        """
        return self.cache_dir / SNIPPETS

    def cache_path(self, rendered: Rendered) -> Path:
        return self.snippet_root / self.docs_prefix / rendered.docs_path

    @property
    def crd_cache(self) -> CrdCache:
        """Parsed CRD files by content, under `<cache_dir>/crds` (see `crdcache`)."""
        from mkdocs_appreg.engine.crdcache import CRDS_SUBDIRECTORY, CrdCache

        return CrdCache(self.cache_dir / CRDS_SUBDIRECTORY, anchor=self.root)

    def check(self) -> None:
        """Refuse settings that would make a build write where it must not.

        Raises:
            ConfigError: an explicitly configured templates dir is missing, or the cache dir overlaps docs_dir,
                the templates or the project root itself (stale-file cleanup deletes files
                in the cache, so the cache must be ours alone).
        """
        if self.templates_required and not self.templates_dir.is_dir():
            raise ConfigError(
                f"templates_dir '{self.display(self.templates_dir)}' does not exist or is not a directory"
            )
        cache = self.cache_dir.resolve()
        for name, other in (("docs_dir", self.docs_dir), ("templates_dir", self.templates_dir)):
            other = other.resolve()
            if cache == other or other.is_relative_to(cache) or cache.is_relative_to(other):
                raise ConfigError(f"cache_dir '{self.display(self.cache_dir)}' must not overlap {name}")
        if self.root.resolve().is_relative_to(cache):
            raise ConfigError(f"cache_dir '{self.display(self.cache_dir)}' must not contain the project")
        if self.docs_prefix.startswith("..") or Path(self.docs_prefix).is_absolute():
            raise ConfigError("docs_dir must be inside the directory of mkdocs.yml")

    def watched(self) -> list[Path]:
        """Everything whose change should rebuild the site under `mkdocs serve`."""
        paths = [self.templates_dir]
        if self.vars_file is not None:
            paths.append(self.vars_file)
        paths.extend(self.crds)
        return paths


def template_variables(settings: ProjectSettings) -> dict[str, Any]:
    """The vars file's mapping overlaid with the `vars` option (the option wins)."""
    from mkdocs_appreg.rendering.varsfile import load_vars_file

    variables: dict[str, Any] = {}
    if settings.vars_file is not None:
        variables.update(load_vars_file(settings.vars_file, settings.display(settings.vars_file)))
    variables.update(settings.variables)
    return variables


def render_project(settings: ProjectSettings) -> RenderResult:
    """Render every template of the project (findings for broken ones, never an exception)."""
    from mkdocs_appreg.rendering.render import RenderResult, TemplateRenderer

    if not settings.templates_required and not settings.templates_dir.is_dir():
        # The default `templates` folder is absent: a site that only checks the examples its
        # pages show has nothing to render. (`check` refused a missing one the site named.)
        return RenderResult([], [])

    renderer = TemplateRenderer(
        settings.templates_dir,
        template_variables(settings),
        display_root=settings.root,
        suffix=settings.template_suffix,
    )
    return renderer.render_all()


def build_registry(
    settings: ProjectSettings, base: SchemaRegistry | None = None
) -> tuple[SchemaRegistry, list[Finding]]:
    """The built-in schemas plus the project's CRDs; warnings for overridden definitions.

    CRD files parsed before (this process, or any build of the project: `settings.crd_cache`)
    are not parsed again.

    Raises:
        CrdError: a configured CRD path is missing or is not a valid CRD.
    """
    from mkdocs_appreg.engine.schemas import SchemaRegistry

    registry = base if base is not None else SchemaRegistry.builtin()
    warnings: list[Finding] = []
    cache = settings.crd_cache
    for path in settings.crds:
        warnings.extend(registry.add_path(path, display=settings.display(path), cache=cache))
    for url in settings.remote_crds:
        # Only reachable when the site set `allow_remote_crds: true` (config.settings_from).
        from mkdocs_appreg.engine.remote import (
            fetch_crd,  # urllib.request: imported by the sites that fetch CRDs
        )

        local = fetch_crd(url, cache_root(settings), "remote-crds")
        warnings.extend(registry.add_path(local, display=url, cache=cache))
    return registry, warnings


def validate_rendered(rendered: Iterable[Rendered], registry: SchemaRegistry) -> list[Finding]:
    """Validate rendered resources and move every finding back to the template line behind it."""
    from mkdocs_appreg.engine.validate import validate_text

    findings: list[Finding] = []
    for item in rendered:
        found, _ = validate_text(item.text, item.display, registry)
        for finding in found:
            file, line = item.origin(finding.line)
            findings.append(finding.moved(file=file, line=line))
    return findings


def cache_root(settings: ProjectSettings) -> CacheRoot:
    """The project's cache directory, walked without following symlinks (see `cachefs`).

    Below the project root every component is hostile (a pull request can commit `.cache/`
    with `git add -f`); an absolute `cache_dir` outside the project is the maintainer's choice.
    """
    from mkdocs_appreg.common.cachefs import CacheRoot

    return CacheRoot(settings.cache_dir, anchor=settings.root, shown=settings.display(settings.cache_dir))


def _snippet_name(settings: ProjectSettings, rendered: Rendered) -> str:
    return f"{SNIPPETS}/{settings.docs_prefix}/{rendered.docs_path}"


def write_cache(settings: ProjectSettings, rendered: Iterable[Rendered]) -> list[Path]:
    """Write rendered files into the cache atomically; remove everything else under its snippets.

    Each file is written to a temporary file in the same directory and renamed over the old
    one, so an interrupted build never leaves a half-written file that snippets would include.
    Unchanged files are not rewritten. No symlink below the cache root is followed: one in
    a directory's place stops the build (`UnsafeCachePath`, an OSError), one in a file's place
    is replaced by the file. The snippets tree then holds exactly this build's rendered files:
    anything else there (a stale file, or one a pull request committed under the cache) is
    removed, without leaving the tree, so no manifest that could be forged decides what to delete.

    Returns:
        The paths of the rendered files in the cache.

    Raises:
        OSError: the cache cannot be written, or holds a symlink in a directory's place.
    """
    root = cache_root(settings)
    written: list[Path] = []
    keep: set[str] = set()
    for item in rendered:
        name = _snippet_name(settings, item)
        data = item.text.encode("utf-8")
        if root.read(name, len(data)) != data:
            root.write(name, data)
        keep.add(name)
        written.append(settings.cache_path(item))
    _sweep(root, keep)
    return written


def rendered_in_cache(settings: ProjectSettings, rendered: Iterable[Rendered]) -> bool:
    """Whether the cache holds exactly these rendered files (a reused build writes nothing).

    Anything else found under the snippets tree is removed, as `write_cache` would.

    Raises:
        OSError: a symlink in a directory's place below the cache root.
    """
    root = cache_root(settings)
    keep: set[str] = set()
    prefix = f"{SNIPPETS}/{settings.docs_prefix}/"  # `_snippet_name`, its start made once
    with root.reading() as read:
        for item in rendered:
            name = prefix + item.docs_path
            data = item.text.encode("utf-8")
            if read(name, len(data)) != data:
                return False
            keep.add(name)
    _sweep(root, keep)
    return True


LEAK_RULE = "secret.leak"
"""`engine.leaks.RULE`, named here so that stopping on a leak imports no detector."""


def leaks_in(findings: Iterable[Finding]) -> list[Finding]:
    """The leaked-credential findings among `findings`."""
    return [finding for finding in findings if finding.rule == LEAK_RULE]


# Files MkDocs copies into the site as they are when no page includes them.
PUBLISHED_DATA_SUFFIXES = (".yaml", ".yml", ".json")


def leaks_in_published(files: Iterable[tuple[str, str]], allowlist: Iterable[str] = ()) -> list[Finding]:
    """Leaked credentials in Secrets of data files the site publishes as they are.

    A `docs/secret.yaml` that no page includes is still copied into the site: the leak check of
    pages and templates never sees it, and a pull request can commit one. Each `(shown, path)`
    with a YAML or JSON suffix whose text names a Secret is parsed and its v1 Secrets checked;
    a file that cannot be read or parsed holds no Secret this check can judge.
    """
    from mkdocs_appreg.common.limits import FileTooLarge, read_limited

    found: list[Finding] = []
    for shown, path in files:
        if not path.endswith(PUBLISHED_DATA_SUFFIXES):
            continue
        try:
            text = read_limited(path).decode("utf-8")
        except (OSError, FileTooLarge, UnicodeDecodeError):
            continue
        if "Secret" not in text:
            continue
        # Imported only for a file that names a Secret: a reused build loads no validator.
        from mkdocs_appreg.engine.documents import iter_documents
        from mkdocs_appreg.engine.leaks import Allowlist, find_leaks

        allowed = Allowlist(allowlist)
        for document in iter_documents(text, shown, []):
            if document.kind == "Secret" and document.api_version == "v1":
                found.extend(find_leaks(document, allowed))
    return found


def published_data_files(settings: ProjectSettings) -> list[tuple[str, str]]:
    """`(shown, path)` of the YAML and JSON files under docs_dir that MkDocs would copy as they are.

    What `appreg check` gives `leaks_in_published`, as the plugin gives it MkDocs' own file list:
    hidden files and folders are left out (MkDocs' default `exclude_docs`), symlinked folders are
    not entered, and a file that is a symlink is left to the build's refusal of such links.
    """
    found: list[tuple[str, str]] = []
    docs = str(settings.docs_dir)
    for directory, folders, names in os.walk(docs):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(names):
            path = os.path.join(directory, name)
            if name.startswith(".") or not name.endswith(PUBLISHED_DATA_SUFFIXES) or os.path.islink(path):
                continue
            found.append((f"{settings.docs_prefix}/{os.path.relpath(path, docs).replace(os.sep, '/')}", path))
    return found


def scrub_cache(settings: ProjectSettings, *names: str) -> None:
    """Remove every rendered file (and the named cache files) after a leak was found.

    A leaked credential must be in no file the build wrote: the rendered copy in the snippets
    cache is the one that holds it. Nothing outside the snippets tree and `names` is touched,
    and no symlink is followed (see `write_cache`).
    """
    root = cache_root(settings)
    with contextlib.suppress(OSError):
        _sweep(root, set())
    for name in names:
        with contextlib.suppress(OSError):
            root.remove_file(name)


def _sweep(root: CacheRoot, keep: set[str]) -> None:
    for name in root.files(SNIPPETS):
        if name not in keep:
            root.remove_file(name)
