"""The appreg options as a plain mapping, read without MkDocs: the Markdown extension's and zensical.toml's.

The MkDocs plugin reads the same options through its typed `AppregConfig` (plugin/config.py), which
needs MkDocs. A host that runs no MkDocs plugin (Zensical) hands the options to the Markdown
extension as a plain mapping (`markdown_extensions: - appreg: {...}`), and `appreg check` reads them
from a zensical.toml: this module turns that mapping into the same `ProjectSettings` and
`CheckOptions`, with the same names, defaults and checks, so both paths report the same findings.
`tests/test_standalone.py` holds the names and defaults to `AppregConfig`'s.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import FAIL_ON_LEVELS
from mkdocs_appreg.common.utf8 import undecodable
from mkdocs_appreg.pages.directives import DEFAULT_COMMAND_LABEL, DEFAULT_YAML_LABEL
from mkdocs_appreg.site.project import ProjectSettings

if TYPE_CHECKING:
    from mkdocs_appreg.site.check import CheckOptions


# Each project option of the plugin that applies without it: name -> (accepted types, default).
# `publish` and `reuse_results` are the plugin's alone: no Markdown extension can add a file to a
# host's site, and the build record belongs to the plugin's build events.
PROJECT_OPTIONS: dict[str, tuple[tuple[type, ...], Any]] = {
    "enabled": ((bool,), True),
    # Unset: `templates`, which may be absent (a site that only checks its pages has none).
    "templates_dir": ((str, type(None)), None),
    "template_suffix": ((str,), ".j2"),
    "vars": ((dict,), {}),
    "vars_file": ((str, type(None)), None),
    "cache_dir": ((str,), ".cache/appreg"),
    "crds": ((list,), []),
    "validation": ((bool,), True),
    "yaml_label": ((str,), DEFAULT_YAML_LABEL),
    "command_label": ((str,), DEFAULT_COMMAND_LABEL),
    "check_pages": ((bool,), True),
    "references": ((list, type(None)), None),
    "policies": ((dict, type(None)), None),
    "kubernetes_version": ((str, type(None)), None),
    "prose": ((bool,), False),
    "cel_unchecked": ((str,), "warning"),
    "ignore_pages": ((list,), []),
    "proposals": ((str,), "relaxed"),
    "secrets_allowlist": ((list,), []),
    "allow_remote_crds": ((bool,), False),
    # Standalone, unset means `error`: no host counts our warnings (see the Hosts page).
    "fail_on": ((str, type(None)), None),
}
PLUGIN_ONLY_OPTIONS = ("publish", "reuse_results")
# The Markdown extension's own options beside them (markdown/directive.py); `docs_dir` tells the
# extension where pages are when no host says it (plain Python-Markdown).
EXTENSION_OPTIONS = ("base_path", "check_paths", "docs_dir", "on_error", "resolver", "standalone")

# `https://...`, `git+ssh://...`: a CRD path that would need the network.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def project_options(raw: Mapping[str, Any], *, source: str, ignore: tuple[str, ...] = ()) -> dict[str, Any]:
    """The project options of `raw` over their defaults, each one type-checked.

    Args:
        raw: The options as configured (`markdown_extensions: - appreg: {...}`).
        source: The configuration file, named in errors.
        ignore: Other keys that are allowed in `raw` (the extension's own options).

    Raises:
        ConfigError: An unknown option (a misspelt one would otherwise do nothing) or a wrong type.
    """
    options: dict[str, Any] = {name: default for name, (_, default) in PROJECT_OPTIONS.items()}
    for key, value in raw.items():
        if key in ignore:
            continue
        if key in PLUGIN_ONLY_OPTIONS:
            raise ConfigError(
                f"appreg option '{key}' works only with the MkDocs plugin (see the Hosts page)", file=source
            )
        if key not in PROJECT_OPTIONS:
            raise ConfigError(f"unknown appreg option '{key}'", file=source)
        types, _ = PROJECT_OPTIONS[key]
        # bool is an int; neither may stand for the other here.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            if key == "kubernetes_version" and isinstance(value, (int, float)):
                raise ConfigError(
                    f"appreg option 'kubernetes_version': {unquoted_version(value)}", file=source
                )
            names = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise ConfigError(f"appreg option '{key}' must be {names}, not {value!r}", file=source)
        options[key] = value
    for key in ("crds", "secrets_allowlist"):
        if not all(isinstance(item, str) for item in options[key]):
            raise ConfigError(f"appreg option '{key}' must be a list of strings", file=source)
    if options["fail_on"] not in (None, *FAIL_ON_LEVELS):
        raise ConfigError("appreg option 'fail_on' must be 'error' or 'warning'", file=source)
    if options["cel_unchecked"] not in ("warning", "off"):
        raise ConfigError("appreg option 'cel_unchecked' must be 'warning' or 'off'", file=source)
    if options["proposals"] not in ("relaxed", "strict"):
        raise ConfigError("appreg option 'proposals' must be 'relaxed' or 'strict'", file=source)
    return options


def cache_dir_path(value: str, root: Path, *, option: str, site_dir: Path | None = None) -> Path:
    """The cache directory: inside the project unless absolute, never in the site directory.

    A relative value is normalized as text, not resolved: a symlink in it (a pull request can
    commit `.cache -> /somewhere`) is then met, and refused, by the cache's own walk
    (`cachefs.CacheRoot`) instead of silently moving the cache out of the project.

    Raises:
        ConfigError: A relative value leaving the project, or a cache overlapping `site_dir`.
    """
    if Path(value).is_absolute():
        cache = Path(os.path.normpath(value))
    else:
        normalized = os.path.normpath(value)
        if normalized == ".." or normalized.startswith(".." + os.sep):
            raise ConfigError(
                f"{option}: '{value}' resolves outside the directory of mkdocs.yml; "
                "write an absolute path to use a directory outside the project"
            )
        cache = root / normalized
    if site_dir is not None:
        site = site_dir.resolve()
        resolved = cache.resolve()
        if resolved == site or resolved.is_relative_to(site) or site.is_relative_to(resolved):
            raise ConfigError(f"{option}: '{value}' overlaps site_dir, which MkDocs empties at every build")
    return cache


def settings_from_options(
    options: Mapping[str, Any],
    *,
    root: Path,
    docs_dir: Path,
    label: str = "appreg option",
    project: str = "the project",
    cache_dir: Path | None = None,
) -> ProjectSettings:
    """Resolve project options against the project root: the plugin's and the extension's one rule.

    Args:
        options: The options by name (the plugin's config, or the standalone extension's).
        root: The project directory (the directory of mkdocs.yml or zensical.toml).
        docs_dir: The docs directory.
        label: How messages name an option (`plugin option` for the MkDocs plugin).
        project: How messages name the root (`the directory of mkdocs.yml` for the plugin).
        cache_dir: The cache directory when the caller resolved it already (the plugin keys it by
            the config file's name and refuses the site directory).

    Raises:
        ConfigError: A path leaves the project, a URL without `allow_remote_crds`, a bad variable name.
    """
    root = root.resolve()

    def resolve(value: str) -> Path:
        return (root / value).resolve() if not Path(value).is_absolute() else Path(value)

    def inside(option: str, value: str) -> Path:
        # A relative path is a path inside the project: `..` or a symlink may not take it out.
        if _URL.match(value):
            raise ConfigError(
                f"{label} '{option}': '{value}' is a URL; appreg never uses the network at build "
                "or check time: download the file into the repository and name its path (or set allow_remote_crds: true)"
            )
        path = resolve(value)
        if not Path(value).is_absolute() and not path.is_relative_to(root):
            raise ConfigError(
                f"{label} '{option}': '{value}' resolves outside {project} ({path}); "
                "write an absolute path to use a file outside the project"
            )
        return path

    templates_dir = "templates" if options["templates_dir"] is None else options["templates_dir"]
    for option, value in (("templates_dir", templates_dir), ("cache_dir", options["cache_dir"])):
        if not value.strip():
            raise ConfigError(f"{label} '{option}' must not be empty")
    crds: list[str] = options["crds"]
    remote = tuple(path for path in crds if options["allow_remote_crds"] and _URL.match(path))
    variables: dict[str, Any] = dict(options["vars"])
    for key in variables:
        if not isinstance(key, str) or not key.isidentifier():
            raise ConfigError(f"{label} 'vars': '{key}' is not a valid variable name")
    return ProjectSettings(
        root=root,
        docs_dir=docs_dir.resolve(),
        templates_dir=inside("templates_dir", templates_dir),
        templates_required=options["templates_dir"] is not None,
        cache_dir=cache_dir
        if cache_dir is not None
        else cache_dir_path(options["cache_dir"], root, option=f"{label} 'cache_dir'"),
        variables=variables,
        vars_file=inside("vars_file", options["vars_file"]) if options["vars_file"] else None,
        crds=tuple(inside("crds", path) for path in crds if path not in remote),
        remote_crds=remote,
        template_suffix=options["template_suffix"],
        validate=options["validation"],
        secrets_allowlist=tuple(options["secrets_allowlist"]),
    )


def check_options_from_mapping(
    options: Mapping[str, Any], *, source: str, label: str = "appreg option"
) -> CheckOptions:
    """The site-check options, each one validated: the plugin's and the extension's one rule.

    Args:
        options: The options by name (the plugin's config, or the standalone extension's).
        source: The configuration file, named in errors.
        label: How messages name an option (`plugin option` for the MkDocs plugin).

    Raises:
        ConfigError: One line naming the option that is wrong.
    """
    from mkdocs_appreg.site.check import CheckOptions, core_schemas
    from mkdocs_appreg.site.policies import parse_policy_config
    from mkdocs_appreg.site.references import DEFAULT_REFERENCE_RULES, parse_reference_rules

    references = (
        DEFAULT_REFERENCE_RULES
        if options["references"] is None
        else parse_reference_rules(options["references"], source=source)
    )
    policies = parse_policy_config(options["policies"], source=source)
    version = options["kubernetes_version"]
    version = version.strip() if isinstance(version, str) else None
    try:
        core_schemas(version)
    except ConfigError as error:
        raise ConfigError(f"{label} 'kubernetes_version': {error.reason}", file=source) from None
    return CheckOptions(
        check_pages=options["check_pages"],
        references=references,
        policies=policies,
        kubernetes_version=version,
        prose=options["prose"],
        cel_unchecked="off" if options["cel_unchecked"] == "off" else "warning",
        ignore_pages=tuple(str(pattern) for pattern in options["ignore_pages"]),
        proposals="strict" if options["proposals"] == "strict" else "relaxed",
    )


# A plain class (common/records.py says why).
class StandaloneSite:
    """What `appreg check` needs from a configuration that gives appreg as a Markdown extension.

    Attributes:
        settings: The project settings.
        options: The site-check options.
        pages: `(display path, Markdown source)` of every page under docs_dir.
        base_path: pymdownx.snippets' base path, resolved against the configuration's directory.
        fail_on: The `fail_on` option (None when unset).
    """

    __slots__ = ("base_path", "fail_on", "options", "pages", "settings")

    def __init__(
        self,
        settings: ProjectSettings,
        options: CheckOptions,
        pages: list[tuple[str, str]],
        base_path: list[Path],
        fail_on: str | None = None,
    ) -> None:
        self.settings = settings
        self.options = options
        self.pages = pages
        self.base_path = base_path
        self.fail_on = fail_on


def _extension_options(extensions: Any, name: str) -> Mapping[str, Any] | None:
    """The options of extension `name` in a `markdown_extensions` value (list or table), or None.

    Zensical's TOML may nest dotted names (`[project.markdown_extensions.pymdownx.snippets]`).
    """
    if isinstance(extensions, list):
        for entry in extensions:
            if entry == name:
                return {}
            if isinstance(entry, dict) and name in entry:
                return entry[name] or {}
        return None
    if not isinstance(extensions, dict):
        return None
    if name in extensions:
        return extensions[name] or {}
    head, _, rest = name.partition(".")
    if rest and isinstance(extensions.get(head), dict):
        return _extension_options(extensions[head], rest)
    return None


def page_sources(settings: ProjectSettings) -> list[tuple[str, str]]:
    """Every Markdown page below docs_dir (dot files and folders excluded, as MkDocs does).

    A page that is a symlink leading out of the project is refused: pages come from pull
    requests, and `docs/x.md -> /proc/self/environ` must not be read into findings.

    Raises:
        ConfigError: A page cannot be read, is not UTF-8, or leads out of the project.
    """
    root = settings.root.resolve()
    pages: list[tuple[str, str]] = []
    # os.walk enters no symlinked folder (followlinks=False), so only a file can be a link.
    for directory, folders, files in os.walk(settings.docs_dir):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if not name.endswith(".md") or name.startswith("."):
                continue
            path = Path(directory, name)
            shown = settings.display(path)
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                raise ConfigError("the page is a symlink that leads out of the project", file=shown)
            try:
                pages.append((shown, path.read_text(encoding="utf-8-sig")))
            except UnicodeDecodeError as error:
                line, _column, message = undecodable(
                    error.object if isinstance(error.object, bytes) else b"", error
                )
                raise ConfigError(message, file=shown, line=line) from None
            except OSError as error:
                raise ConfigError(f"cannot read page: {error.strerror or error}", file=shown) from None
    return pages


def load_zensical_site(config_file: Path, *, read_pages: bool = True) -> StandaloneSite:
    """Read a zensical.toml that configures appreg as a Markdown extension, for `appreg check`.

    `read_pages=False` leaves the pages out (`appreg render` needs only the settings).

    Raises:
        ConfigError: The file cannot be read or parsed, it does not list the appreg extension,
            or an option is wrong.
    """
    shown = str(config_file)
    import tomllib

    try:
        with config_file.open("rb") as stream:
            data = tomllib.load(stream)
    except OSError as error:
        raise ConfigError(error.strerror or str(error), file=shown) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"not valid TOML: {error}", file=shown) from None
    project = data.get("project", data)
    if not isinstance(project, dict):
        raise ConfigError("[project] must be a table", file=shown)
    extensions = project.get("markdown_extensions")
    raw = _extension_options(extensions, "appreg")
    if raw is None:
        raise ConfigError("the appreg Markdown extension is not listed in markdown_extensions", file=shown)
    if not isinstance(raw, dict):
        raise ConfigError("the appreg extension's options must be a table", file=shown)
    docs = project.get("docs_dir", "docs")
    if not isinstance(docs, str) or not docs.strip():
        raise ConfigError("docs_dir must be a non-empty string", file=shown)
    root = config_file.resolve().parent
    options = project_options(raw, source=shown, ignore=EXTENSION_OPTIONS)
    if not options["enabled"]:
        raise ConfigError("the appreg extension is disabled (enabled: false)", file=shown)
    settings = settings_from_options(options, root=root, docs_dir=root / docs)
    if settings.docs_prefix.startswith("..") or Path(settings.docs_prefix).is_absolute():
        raise ConfigError("docs_dir must be inside the directory of the configuration file", file=shown)
    check = check_options_from_mapping(options, source=shown)
    snippets = _extension_options(extensions, "pymdownx.snippets") or {}
    base = snippets.get("base_path", ["."]) if isinstance(snippets, dict) else ["."]
    bases = [base] if isinstance(base, str) else [str(entry) for entry in base if isinstance(entry, str)]
    pages = page_sources(settings) if read_pages else []
    return StandaloneSite(settings, check, pages, [(root / b).resolve() for b in bases], options["fail_on"])


__all__ = [
    "EXTENSION_OPTIONS",
    "PLUGIN_ONLY_OPTIONS",
    "PROJECT_OPTIONS",
    "StandaloneSite",
    "check_options_from_mapping",
    "load_zensical_site",
    "page_sources",
    "project_options",
    "settings_from_options",
]


def unquoted_version(value: float) -> str:
    """What to say of a `kubernetes_version` YAML read as a number (`1.30` unquoted is 1.3).

    The release meant is the one the user typed, so it is suggested with the trailing zero YAML
    dropped: `'1.30'`, not the `'1.3'` the number prints as (no 1.3 schemas exist).
    """
    text = repr(value)
    meant = f"{text}0" if isinstance(value, float) and len(text.partition(".")[2]) == 1 else text
    return f"write the version as a string, e.g. '{meant}' in quotes (YAML reads 1.30 as 1.3)"
