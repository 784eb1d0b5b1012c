"""The record of a build: what the plugin's results depended on, and the results, for the next build.

A docs site is built on every preview and every pull request, mostly from the same templates,
CRDs and pages as the build before. After a build, the plugin writes a record under its cache
dir: the SHA-256 of every file its results depend on, and the results themselves (the rendered
files, the findings). The next build compares digests first. When every one matches it reuses
the results, and the renderer, the CRD registry and the validator are not even imported. When
one differs, the work is done again and the record rewritten. Findings are reused with the
results, so `mkdocs build --strict` fails on a reused error exactly as on a fresh one.

What a record depends on:
- `environment`: the plugin options and project settings (as their repr), the snippet base
  paths, the working directory, Python's version, and the size and mtime of every file of this
  package (code and bundled CRDs) and of every `sys.path` directory (installing, upgrading or
  removing a package changes its site-packages listing). A difference discards the record.
- `templates`: every file under the templates dir (a partial is a template too) and the vars
  file, with the rendered files they gave.
- the check: every CRD file (every file of a CRD directory), every page, and every file a page's
  includes resolved to, with the path each include resolved to (a new file earlier in the
  snippet base path changes what an include reads). Remote CRDs are fetched anew by every build,
  so a project with `remote_crds` never reuses a check.

A record that cannot be read (missing, corrupt, from another format, half-written by a build
that was killed: it is written atomically, so a reader sees the old or the new one) is ignored.

A record can be forged: `git add -f .cache/appreg/build-record.json` commits one, and every digest
in it can be computed offline from the pull request's own files, so a record claiming "these
exact inputs, no findings" would hide an invalid resource from `--strict`. The record is
therefore sealed with an HMAC under `cachefs.machine_key`, a secret outside the project; one that
does not verify is ignored like a corrupt one. It is read and written without following symlinks.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs_appreg.common.cachefs import CacheRoot, seal, unseal
from mkdocs_appreg.common.digests import digest, reads_unchanged, text_digest
from mkdocs_appreg.common.findings import FIELDS, Finding

if TYPE_CHECKING:
    from mkdocs_appreg.rendering.rendered import Rendered
    from mkdocs_appreg.site.project import ProjectSettings

RECORD_FILE = "build-record.json"
# Bumped whenever the record's layout or the meaning of its parts changes.
# 2: each rendered file carries its text's digest.
FORMAT = 2
# A record holds a site's rendered files and findings: megabytes at most. A bigger file was not
# written by us, and is not read into memory to find that out.
MAX_RECORD_BYTES = 64 * 1024 * 1024

Digests = dict[str, "str | None"]
# An include as a page wrote it, the file it resolved to (None: none), and that file's digest.
Read = tuple[str, "str | None", "str | None"]


def _tree_digests(root: Path) -> Digests:
    """Digest of every file under `root` (or of `root` itself when it is a file)."""
    if root.is_file() or not root.exists():
        return {str(root): digest(root)}
    found: Digests = {}
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = os.path.join(directory, name)  # str(Path(directory, name)), without the Path
            found[path] = digest(path)
    return found


def _stat_line(path: str) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return f"{path} -"
    return f"{path} {stat.st_size} {stat.st_mtime_ns}"


def environment_key(parts: Iterable[str]) -> str:
    """A digest of `parts` and of the code that produces the results (see the module docstring)."""
    package = Path(__file__).resolve().parent.parent
    lines = [f"format {FORMAT}", sys.version, os.getcwd(), *parts]
    for directory, subdirectories, names in os.walk(package):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        lines.extend(_stat_line(os.path.join(directory, name)) for name in sorted(names))
    # Only package directories: `sys.path` also holds the working directory (`python -m mkdocs`),
    # whose mtime changes whenever a file is created in the project, which is not a code change.
    lines.extend(
        _stat_line(entry)
        for entry in sys.path
        if os.path.basename(entry) in ("site-packages", "dist-packages") and os.path.isdir(entry)
    )
    return text_digest("\n".join(lines))


def template_inputs(settings: ProjectSettings) -> Digests:
    """What rendering reads: every file under the templates dir, and the vars file."""
    found = _tree_digests(settings.templates_dir)
    if settings.vars_file is not None:
        found[str(settings.vars_file)] = digest(settings.vars_file)
    return found


def crd_inputs(settings: ProjectSettings) -> Digests:
    """What loading the project's CRDs reads (the bundled ones are part of the environment)."""
    found: Digests = {}
    for path in settings.crds:
        found.update(_tree_digests(path))
    return found


def page_digests(pages: Sequence[tuple[str, str]]) -> Digests:
    """Each page's display path and the digest of its text, in the order MkDocs listed them."""
    return {page: text_digest(text) for page, text in pages}


# A plain class (common/records.py says why).
class BuildRecord:
    """One build's inputs (as digests) and results.

    Attributes:
        environment: `environment_key` of the build.
        templates: `template_inputs` of the build.
        rendered: The rendered files, as `Rendered` fields (JSON types).
        crds: `crd_inputs`, or None when the build did not check (or must not reuse its check).
        pages: `page_digests` of the checked pages.
        reads: Every include the check's page extraction resolved.
        findings: Everything the check reported (CRD warnings included), as `Finding` fields.
    """

    __slots__ = ("crds", "environment", "findings", "pages", "reads", "rendered", "templates")

    environment: str
    templates: Digests
    rendered: list[dict[str, Any]]
    crds: Digests | None
    pages: Digests
    reads: list[Read]
    findings: list[dict[str, Any]]

    def __init__(
        self,
        environment: str,
        templates: Digests,
        rendered: list[dict[str, Any]] | None = None,
        crds: Digests | None = None,
        pages: Digests | None = None,
        reads: list[Read] | None = None,
        findings: list[dict[str, Any]] | None = None,
    ) -> None:
        self.environment = environment
        self.templates = templates
        self.rendered = [] if rendered is None else rendered
        self.crds = crds
        self.pages = {} if pages is None else pages
        self.reads = [] if reads is None else reads
        self.findings = [] if findings is None else findings

    # -- reading

    @classmethod
    def load(cls, cache: CacheRoot, key: bytes) -> BuildRecord | None:
        """The record in the cache, or None when there is none that can be trusted.

        Args:
            cache: The cache directory (`project.cache_root`).
            key: The sealing key (`cachefs.machine_key`).
        """
        try:
            sealed = cache.read(RECORD_FILE, MAX_RECORD_BYTES)
            payload = unseal(sealed, key) if sealed is not None else None
            if payload is None:
                return None
            data = json.loads(payload.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                return None
            record = cls(
                environment=_string(data["environment"]),
                templates=_digests(data["templates"]),
                rendered=[_rendered_fields(item) for item in _list(data["rendered"])],
                crds=None if data["crds"] is None else _digests(data["crds"]),
                pages=_digests(data["pages"]),
                reads=[_read(item) for item in _list(data["reads"])],
                findings=[_finding_fields(item) for item in _list(data["findings"])],
            )
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
            return None
        return record

    def rendered_files(self, settings: ProjectSettings) -> list[Rendered] | None:
        """The recorded rendered files, if each is still in the cache with the recorded text.

        Snippets includes them from the cache, so a file someone deleted or edited there means
        rendering again; anything else found in the cache's snippets tree is removed.

        Raises:
            OSError: a symlink in a directory's place below the cache root.
        """
        from mkdocs_appreg.rendering.rendered import Rendered
        from mkdocs_appreg.site.project import rendered_in_cache

        files: list[Rendered] = []
        for item in self.rendered:
            line_map = tuple(item["line_map"])
            display = item["display"]
            origins = item["origins"]
            rendered = Rendered(
                docs_path=item["docs_path"],
                template=Path(item["template"]),
                display=display,
                text=item["text"],
                line_map=line_map,
                origins=tuple((file, line) for file, line in origins)
                if origins or not line_map
                else tuple(zip(repeat(display), line_map)),
            )
            files.append(rendered)
        return files if rendered_in_cache(settings, files) else None

    def rendered_digests(self, settings: ProjectSettings) -> dict[str, str]:
        """Each rendered file's path in the cache and the digest of its recorded text.

        For a build whose `rendered_files` found every one of them in the cache with that text:
        the digests of those files, without reading or hashing them again (`reads_unchanged`'s
        `verified`). A sealed record holds the digests this code computed from the same texts.
        """
        prefix = settings.snippet_root / settings.docs_prefix  # `cache_path`, its start made once
        return {str(prefix / item["docs_path"]): item["digest"] for item in self.rendered}

    def check_findings(
        self,
        crds: Digests,
        pages: Digests,
        resolve: Callable[[str], Path | None],
        verified: Mapping[str, str] | None = None,
    ) -> list[Finding] | None:
        """The recorded findings, if the check's inputs are unchanged; else None.

        `verified`: digests of files this build compared with texts it holds (`reads_unchanged`).
        """
        if self.crds is None or self.crds != crds or self.pages != pages:
            return None
        if list(self.pages) != list(pages) or not reads_unchanged(self.reads, resolve, verified):
            return None
        return [Finding(**item) for item in self.findings]

    # -- writing

    def with_rendered(self, rendered: Sequence[Rendered]) -> BuildRecord:
        sha = text_digest.__wrapped__  # not through its small cache: these texts are not looked up
        self.rendered = [
            {
                "docs_path": item.docs_path,
                "template": str(item.template),
                "display": item.display,
                "text": item.text,
                "line_map": list(item.line_map),
                # Empty when every line comes from the template itself (no include): what a
                # Rendered's empty `origins` means; `rendered_files` spells them out again.
                "origins": [] if _own_lines(item) else [list(origin) for origin in item.origins],
                # What a reused build's check compares its includes of the file with
                # (`rendered_digests`), instead of hashing the 400 texts of a large site again.
                "digest": sha(item.text),
            }
            for item in rendered
        ]
        return self

    def with_check(
        self,
        crds: Digests | None,
        pages: Digests,
        reads: Iterable[tuple[str, Path | str | None, str | None]],
        findings: Sequence[Finding],
    ) -> BuildRecord:
        self.crds = crds
        self.pages = pages
        unique = {
            (path, None if resolved is None else str(resolved), known) for path, resolved, known in reads
        }
        self.reads = sorted(unique, key=lambda read: (read[0], read[1] or "", read[2] or ""))
        self.findings = [finding.as_dict() for finding in findings]
        return self

    def save(self, cache: CacheRoot, key: bytes) -> None:
        """Write the record atomically; a cache that cannot be written only costs the reuse."""
        data = {
            "format": FORMAT,
            "environment": self.environment,
            "templates": self.templates,
            "rendered": self.rendered,
            "crds": self.crds,
            "pages": self.pages,
            "reads": [list(read) for read in self.reads],
            "findings": self.findings,
        }
        with contextlib.suppress(OSError):
            cache.write(RECORD_FILE, seal(json.dumps(data, separators=(",", ":")).encode(), key))


def _own_lines(item: Rendered) -> bool:
    """Whether each output line's origin is the template's own line (`origins` adds nothing).

    A record of 400 rendered files held ~10,000 such pairs; parsing and checking them was half
    of loading it (the large-site benchmark's record: 10.0 -> 4.7 ms, issue 21).
    """
    display = item.display
    return len(item.origins) == len(item.line_map) and all(
        file == display and line == own for (file, line), own in zip(item.origins, item.line_map, strict=True)
    )


# -- validation of a loaded record: anything unexpected raises TypeError / KeyError / ValueError

_FINDING_FIELDS = frozenset(FIELDS)
_STR = frozenset([str])
_STR_OR_NONE = frozenset([str, type(None)])
_INT = frozenset([int])
_RENDERED_FIELDS = ("docs_path", "template", "display", "text", "line_map", "origins", "digest")


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def _optional_string(value: Any) -> str | None:
    return None if value is None else _string(value)


def _digests(value: Any) -> Digests:
    if not isinstance(value, dict):
        raise TypeError("not a mapping")
    # JSON makes exact types: the type of every key and value, looked at without a call each.
    if not set(map(type, value)) <= _STR or not set(map(type, value.values())) <= _STR_OR_NONE:
        raise TypeError("not a string")
    return value


def _read(value: Any) -> Read:
    path, resolved, known = _list(value)
    return _string(path), _optional_string(resolved), _optional_string(known)


def _rendered_fields(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != set(_RENDERED_FIELDS):
        raise ValueError("not a rendered file")
    for name in ("docs_path", "template", "display", "text", "digest"):
        _string(value[name])
    if not set(map(type, _list(value["line_map"]))) <= _INT:
        raise TypeError("line map")
    for origin in _list(value["origins"]):
        file, line = _list(origin)
        if not isinstance(file, str) or type(line) is not int:
            raise TypeError("origin")
    return value


def _finding_fields(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not set(value) <= _FINDING_FIELDS:
        raise ValueError("not a finding")
    Finding(**value)  # raises TypeError on missing fields
    return value
