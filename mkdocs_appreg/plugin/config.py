"""The plugin's typed options, and how they become `ProjectSettings`.

Only this module and `plugin.py` import MkDocs: everything else works from `ProjectSettings`,
so the CLI and other Python-Markdown hosts share the same pipeline.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, MkDocsException

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.findings import FAIL_ON_LEVELS
from mkdocs_appreg.common.utf8 import undecodable
from mkdocs_appreg.pages.directives import DEFAULT_COMMAND_LABEL, DEFAULT_YAML_LABEL
from mkdocs_appreg.site.options import cache_dir_path, unquoted_version
from mkdocs_appreg.site.project import ProjectSettings

if TYPE_CHECKING:
    from mkdocs_appreg.site.check import CheckOptions

DEFAULT_TEMPLATES_DIR = "templates"


class _KubernetesVersion(base.BaseConfigOption["str | None"]):
    """A release such as `'1.31'`; refuses the float YAML makes of an unquoted `1.30` (1.3)."""

    def run_validation(self, value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise base.ValidationError(unquoted_version(value))
        if not isinstance(value, str) or not value.strip():
            raise base.ValidationError("expected a Kubernetes release such as '1.31'")
        return value.strip()


DEFAULT_CACHE_DIR = ".cache/appreg"
"""The default `cache_dir`; for a config file not named mkdocs.yml, `.cache/appreg-<its name>`."""


class _StrictConfig(base.Config):
    """A config whose unknown option is an error: MkDocs only warns, and a misspelt option
    (`validaton: false`) would then silently do nothing."""

    def validate(self) -> tuple[base.ConfigErrors, base.ConfigWarnings]:
        failed, warnings = super().validate()
        for key, message in warnings:
            if message.startswith("Unrecognised configuration name"):
                failed.append((key, base.ValidationError(self.unknown_option(key))))
        warnings = [(key, message) for key, message in warnings if not message.startswith("Unrecognised")]
        return failed, warnings

    def unknown_option(self, key: str) -> str:
        return f"unknown option {key!r} (expected: {', '.join(name for name, _ in self._schema)})"


class _Flag(base.BaseConfigOption[bool]):
    def run_validation(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise base.ValidationError("must be true or false")
        return value


class _Text(base.BaseConfigOption[str]):
    """A non-empty string (blanks around it removed); also the error for a missing one."""

    def run_validation(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise base.ValidationError("must be a non-empty string")
        return value.strip()


class _String(base.BaseConfigOption[str]):
    def run_validation(self, value: object) -> str:
        if not isinstance(value, str):
            raise base.ValidationError("must be a string")
        return value.strip()


class _Nested(c.SubConfig[_StrictConfig]):
    """A mapping option validated by a `_StrictConfig`; its error names the option and the key.

    `policies.backup_label must be true or false`, as the site check words it for a host
    without MkDocs (site/policies.py, site/references.py).
    """

    def __init__(self, config_class: type[_StrictConfig]) -> None:
        super().__init__(config_class)
        self.config_class = config_class  # SubConfig sets it only on itself, not on a subclass
        self.name = ""

    def pre_validation(self, config: base.Config, key_name: str) -> None:
        super().pre_validation(config, key_name)
        self.name = key_name

    def run_validation(self, value: object) -> Any:
        if value is None or value == {}:
            return None  # unset (`policies: null` too): the site check's defaults
        if not isinstance(value, dict):
            raise base.ValidationError(f"{self.name} must be a mapping, not {type(value).__name__}")
        config = self.config_class(config_file_path=self._config_file_path)
        config.load_dict(value)
        failed, _warnings = config.validate()
        if failed:
            key, error = failed[0]
            if isinstance(config, _StrictConfig) and key not in dict(config._schema):
                raise base.ValidationError(f"{self.name}: {error}")
            raise base.ValidationError(f"{self.name}.{key} {error}")
        return config


class _NestedList(c.ListOfItems[Any]):
    """A list of `_Nested` mappings; an item's error names it (`references[1].kind ...`)."""

    def run_validation(self, value: object) -> list[Any]:
        if not isinstance(value, list):
            raise base.ValidationError(
                f"{self._key_name} must be a list of mappings, not {type(value).__name__}"
            )
        nested = self.option_type
        assert isinstance(nested, _Nested)
        items = []
        for index, item in enumerate(value):
            nested.name = f"{self._key_name}[{index}]"
            items.append(nested.run_validation(item))
        return items


class PoliciesConfig(_StrictConfig):
    """The `policies` option: which EDA Store policies to check (unset keys: on, the defaults)."""

    backup_label = c.Optional(_Flag())
    backup_label_key = c.Optional(_Text())
    backup_label_value = c.Optional(_Text())
    distinct_secrets = c.Optional(_Flag())


class ReferenceRuleConfig(_StrictConfig):
    """One entry of the `references` option."""

    kind = _Text()
    group = c.Optional(_String())
    path = _Text()
    target = _Text()
    target_group = c.Optional(_String())
    same_namespace = c.Optional(_Flag())


def _set(options: base.Config) -> dict[str, Any]:
    """The keys a nested option's mapping set (the site check applies the defaults)."""
    return {key: value for key, value in options.items() if value is not None}


class AppregConfig(_StrictConfig):
    """Options of the `appreg` plugin (`plugins: [appreg]` in mkdocs.yml)."""

    enabled = c.Type(bool, default=True)
    """Turn the whole plugin off (no rendering, no directive, no validation)."""

    templates_dir = c.Optional(c.Type(str))
    """Jinja templates mirroring docs_dir, relative to mkdocs.yml; unset: `templates`, which may
    be absent (a site that only checks its pages needs none). A folder you name must exist."""

    template_suffix = c.Type(str, default=".j2")
    """Suffix that marks a template; the rendered file's name is the template's without it."""

    vars = c.Type(dict, default={})
    """Template variables; they override those of `vars_file`."""

    vars_file = c.Optional(c.Type(str))
    """A YAML mapping of template variables, relative to mkdocs.yml."""

    cache_dir = c.Type(str, default=DEFAULT_CACHE_DIR)
    """Where rendered files go, relative to mkdocs.yml; never inside docs_dir."""

    crds = c.ListOfItems(c.Type(str), default=[])
    """CRD files or directories (searched recursively), on top of the built-in definitions."""

    validation = c.Type(bool, default=True)
    """Validate every rendered resource; each finding is a warning, so `--strict` fails."""

    publish = c.Type(bool, default=True)
    """Publish every rendered resource in the site at its docs path, for `kubectl apply -f URL`."""

    yaml_label = c.Type(str, default=DEFAULT_YAML_LABEL)
    """Default label of the directive's YAML tab."""

    command_label = c.Type(str, default=DEFAULT_COMMAND_LABEL)
    """Default label of the directive's `kubectl apply` tab."""

    check_pages = c.Type(bool, default=True)
    """Also check every resource example on the pages (fences, `--8<--` includes, heredocs)."""

    references = c.Optional(_NestedList(_Nested(ReferenceRuleConfig)))
    """Reference rules `{kind, group, path, target, target_group, same_namespace}`; unset: the
    shipped ones (Registry and Catalog `spec.authSecretRef` -> Secret); `[]` turns them off."""

    policies = _Nested(PoliciesConfig)
    """EDA Store policies (`backup_label`, `backup_label_key`, `backup_label_value`,
    `distinct_secrets`); unset: all on."""

    kubernetes_version = _KubernetesVersion()
    """Kubernetes release of the built-in kinds' schemas (`'1.35'`); unset: the newest installed
    (which moves on upgrade: pin it; `appreg --version` lists the releases)."""

    prose = c.Type(bool, default=False)
    """Check backticked field names in the pages' text against the CRDs of the resources shown."""

    ignore_pages = c.ListOfItems(c.Type(str), default=[])
    """Pages whose examples are not checked (glob patterns relative to docs_dir, `proposals/*`)."""

    proposals = c.Choice(("relaxed", "strict"), default="relaxed")
    """`relaxed`: on a page whose front matter marks it as a design proposal (KEP-style `authors`
    with `reviewers`/`approvers`/`sponsors`, or a `status` such as `implementable`), a field or
    enum value the schema lacks and that resembles nothing it has is not reported; `strict`: every
    page is checked alike. A page says otherwise with `appreg: {proposal: true|false}`."""

    cel_unchecked = c.Choice(("warning", "off"), default="warning")
    """`warning` reports CEL rules this tool cannot evaluate (`cel.unchecked`); `off` hides them."""

    secrets_allowlist = c.ListOfItems(c.Type(str), default=[])
    """Secret values (exact, or their sha256 hex digest) that are not live credentials, so a
    Secret showing them is not a `secret.leak` error."""

    allow_remote_crds = c.Type(bool, default=False)
    """Allow `https://` URLs among `crds`, downloaded at each build; off by default, when a URL
    is a configuration error and appreg never uses the network."""

    fail_on = c.Optional(c.Choice(FAIL_ON_LEVELS))
    """Fail `mkdocs build` on any finding of this severity or worse (`error`, or `warning` for
    every finding), with or without `--strict`; unset: findings are warnings, which only `--strict`
    turns into a failure. `appreg check` exits 1 on the same findings (its `--fail-on` overrides)."""

    reuse_results = c.Type(bool, default=True)
    """Reuse the previous build's rendered files and findings when no template, vars file, CRD,
    page, included file, option or installed package changed (a record in `cache_dir`)."""

    def unknown_option(self, key: str) -> str:
        return f"unknown option '{key}' of the appreg plugin"


def settings_from(options: AppregConfig, config: MkDocsConfig) -> ProjectSettings:
    """Resolve the plugin options against the directory of mkdocs.yml (site/options.py's rule)."""
    from mkdocs_appreg.site.options import settings_from_options

    root = Path(config.config_file_path or ".").resolve().parent
    names = (
        "templates_dir",
        "cache_dir",
        "vars",
        "vars_file",
        "crds",
        "allow_remote_crds",
        "template_suffix",
        "validation",
        "secrets_allowlist",
    )
    return settings_from_options(
        {name: options[name] for name in names},
        root=root,
        docs_dir=Path(config.docs_dir),
        label="plugin option",
        project="the directory of mkdocs.yml",
        cache_dir=_cache_dir(options.cache_dir, root, config),
    )


def _cache_dir(value: str, root: Path, config: MkDocsConfig) -> Path:
    name = Path(config.config_file_path or "mkdocs.yml").name
    if value == DEFAULT_CACHE_DIR and name not in ("mkdocs.yml", "mkdocs.yaml"):
        # Two configs in one directory (mkdocs.yml and mkdocs.insiders.yml) would otherwise share
        # the cache: the same snippet paths, each build sweeping the other's files, one's build
        # record and rendered files taken for the other's.
        value = f"{DEFAULT_CACHE_DIR}-{name}"
    return cache_dir_path(value, root, option="plugin option 'cache_dir'", site_dir=Path(config.site_dir))


def check_options_from(options: AppregConfig, source: str) -> CheckOptions:
    """The site-check options of the plugin config, each one validated (site/options.py's rule).

    Raises:
        ConfigError: One line naming the option that is wrong (`source` is the mkdocs.yml shown).
    """
    from mkdocs_appreg.site.options import PROJECT_OPTIONS, check_options_from_mapping

    # Every option the two share, so one added to both reaches the check without a third edit
    # here. The shape of `references` and `policies` was checked as MkDocs loaded the config
    # (`_Nested`); the site check adds its defaults and what only it knows (a reference path's
    # segments), from the keys that were set.
    mapping = {name: options[name] for name in PROJECT_OPTIONS if name in options}
    mapping["references"] = (
        None if options.references is None else [_set(rule) for rule in options.references]
    )
    mapping["policies"] = None if options.policies is None else _set(options.policies)
    return check_options_from_mapping(mapping, source=source, label="plugin option")


def snippet_base_path(config: MkDocsConfig, relative_to: Path) -> list[Path]:
    """pymdownx.snippets' `base_path` entries as absolute paths (`.` when it is not configured)."""
    snippets = config.mdx_configs.get("pymdownx.snippets") or {}
    base_path = snippets.get("base_path", ["."]) if isinstance(snippets, dict) else ["."]
    if isinstance(base_path, str):
        base_path = [base_path]
    return [(relative_to / str(entry)).resolve() for entry in base_path]


# A plain class (common/records.py says why).
class LoadedSite:
    """Everything `appreg check` needs from an mkdocs.yml, read without building the site.

    Attributes:
        settings: The plugin's project settings.
        options: The site-check options.
        pages: `(display path, Markdown source)` of every documentation page MkDocs would build
            (its own file collection, so `exclude_docs` and `not_in_nav` are honoured).
        base_path: pymdownx.snippets' base path, resolved against the directory of mkdocs.yml.
        fail_on: The `fail_on` option (None when unset), which `appreg check` follows as the build
            does.
    """

    __slots__ = ("base_path", "fail_on", "options", "pages", "settings")

    settings: ProjectSettings
    options: CheckOptions
    pages: list[tuple[str, str]]
    base_path: list[Path]
    fail_on: str | None

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


class _ErrorRecords(logging.Handler):
    """Keeps the messages of the error records MkDocs logs while loading a config."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


def _load_config(config_file: Path) -> tuple[MkDocsConfig, AppregConfig]:
    config = _load_mkdocs_config(config_file)
    plugin = config.plugins.get("appreg")
    if plugin is None:
        raise ConfigError("the appreg plugin is not enabled in 'plugins'", file=str(config_file))
    options = plugin.config
    assert isinstance(options, AppregConfig)
    return config, options


# MkDocs' wording of a YAML error in its configuration file (mkdocs/config/base.py `_open_config_file`,
# PyYAML's MarkedYAMLError with the context mark left out).
_YAML_ERROR = re.compile(
    r"MkDocs encountered an error parsing the configuration file: (?P<problem>.*?)\s*"
    r'\n\s*in "[^\n]*", line (?P<line>\d+), column \d+\s*$',
    re.DOTALL,
)


def _load_mkdocs_config(config_file: Path) -> MkDocsConfig:
    from mkdocs.config import load_config

    # MkDocs reports config problems both as exceptions and as log records; keep its
    # warnings quiet here, the exception (if any) carries the message we show.
    mkdocs_log = logging.getLogger("mkdocs")
    level = mkdocs_log.level
    mkdocs_log.setLevel(logging.ERROR)
    # An invalid option is logged ("Config value 'plugins': ...") and the exception only says
    # "Aborted with a configuration error!": the first logged error is the message to show.
    errors = _ErrorRecords()
    mkdocs_log.addHandler(errors)
    try:
        config = load_config(config_file=str(config_file))
    except (ConfigurationError, MkDocsException) as error:
        yaml_error = _YAML_ERROR.match(str(error).strip())
        if yaml_error is not None and not errors.messages:
            # MkDocs words a YAML error as the problem, then `in "<path>", line N, column M`:
            # keep both, the place as file:line.
            problem = "; ".join(part.strip() for part in yaml_error["problem"].splitlines() if part.strip())
            raise ConfigError(problem, file=str(config_file), line=int(yaml_error["line"])) from None
        lines = [*errors.messages, *str(error).strip().splitlines()] or ["cannot be loaded"]
        message = lines[0] if errors.messages else lines[-1]
        raise ConfigError(with_install_hint(message), file=str(config_file)) from None
    except OSError as error:
        raise ConfigError(error.strerror or str(error), file=str(config_file)) from None
    finally:
        mkdocs_log.removeHandler(errors)
        mkdocs_log.setLevel(level)
    return config


# What a site's mkdocs.yml names that lives in a package of its own, by MkDocs' wording.
_MISSING_THEME = re.compile(r"Unrecognised theme name: '(?P<name>[^']+)'")
_MISSING_PLUGIN = re.compile(r'The "(?P<name>[^"]+)" plugin is not installed')
_MISSING_EXTENSION = re.compile(r"Failed to load extension '(?P<name>[^']+)'\.")
_TRACEBACK = re.compile(r"\s*Traceback \(most recent call last\):.*?(?P<last>\w+(?:Error|Exception): .*)$")
# The packages that provide the names sites use most; others are named by what is missing.
_PACKAGES = {"material": "mkdocs-material", "pymdownx": "pymdown-extensions"}


def with_install_hint(message: str) -> str:
    """MkDocs' message for a theme, plugin or extension that is not installed, and what to do.

    `appreg check` reads mkdocs.yml as MkDocs does, so the site's theme, plugins and extensions must
    be installed where it runs. A pre-commit hook runs in an environment of its own holding only
    mkdocs-appreg and its dependencies: a Material site fails there until the hook lists
    mkdocs-material in `additional_dependencies`. The message says so, once, in one line.
    """
    # A failed extension import carries its traceback; its last line says what was missing.
    message = _TRACEBACK.sub(lambda m: f" ({m['last'].strip()})", " ".join(message.split()))
    found = (
        _MISSING_THEME.search(message)
        or _MISSING_PLUGIN.search(message)
        or _MISSING_EXTENSION.search(message)
    )
    if found is None:
        return message
    top = found["name"].split("/")[0].split(".")[0]
    package = _PACKAGES.get(top)
    if package is None:
        return (
            f"{message}; install the package that provides '{found['name']}' where appreg runs "
            "(for the pre-commit hook: list it in additional_dependencies under the hook's id)"
        )
    return (
        f"{message}; install {package} where appreg runs (for the pre-commit hook: "
        f"additional_dependencies: [{package}] under the hook's id)"
    )


def load_settings(config_file: Path) -> ProjectSettings:
    """Read an mkdocs.yml the way `mkdocs build` does and return the plugin's settings.

    Used by the CLI, which checks a project without building it.

    Raises:
        ConfigError: the file cannot be loaded, or it does not enable the plugin.
    """
    config, options = _load_config(config_file)
    return settings_from(options, config)


def load_site(config_file: Path) -> LoadedSite:
    """Read an mkdocs.yml and its pages the way `mkdocs build` does, for `appreg check`.

    Raises:
        ConfigError: the file cannot be loaded, does not enable the plugin, has a bad option, or a
            page cannot be read.
    """
    from mkdocs.structure.files import get_files

    config = _load_mkdocs_config(config_file)
    if "appreg" not in config.plugins and "appreg" in config.markdown_extensions:
        # A site for a host without MkDocs plugins (Zensical reads mkdocs.yml too): appreg is
        # configured as the Markdown extension, with the plugin's option names.
        return _extension_site(config, config_file)
    config, options = _load_config(config_file)
    if not options.enabled:
        raise ConfigError("the appreg plugin is disabled (enabled: false)", file=str(config_file))
    settings = settings_from(options, config)
    check = check_options_from(options, str(config_file))
    pages: list[tuple[str, str]] = []
    for file in get_files(config).documentation_pages():
        try:
            text = file.content_string
        except UnicodeDecodeError as error:
            # MkDocs cannot build such a page either; say where the bad byte is.
            line, _column, message = undecodable(
                error.object if isinstance(error.object, bytes) else b"", error
            )
            raise ConfigError(message, file=f"{settings.docs_prefix}/{file.src_uri}", line=line) from None
        except OSError as error:
            raise ConfigError(
                f"cannot read page: {error}", file=f"{settings.docs_prefix}/{file.src_uri}"
            ) from None
        pages.append((f"{settings.docs_prefix}/{file.src_uri}", text))
    return LoadedSite(settings, check, pages, snippet_base_path(config, settings.root), options.fail_on)


def _extension_site(config: MkDocsConfig, config_file: Path) -> LoadedSite:
    """`load_site` for an mkdocs.yml that lists appreg under markdown_extensions and not as a plugin."""
    from mkdocs_appreg.site.options import (
        EXTENSION_OPTIONS,
        check_options_from_mapping,
        page_sources,
        project_options,
        settings_from_options,
    )

    shown = str(config_file)
    raw = config.mdx_configs.get("appreg") or {}
    options = project_options(raw, source=shown, ignore=EXTENSION_OPTIONS)
    if not options["enabled"]:
        raise ConfigError("the appreg extension is disabled (enabled: false)", file=shown)
    root = config_file.resolve().parent
    settings = settings_from_options(options, root=root, docs_dir=Path(config.docs_dir))
    check = check_options_from_mapping(options, source=shown)
    return LoadedSite(
        settings, check, page_sources(settings), snippet_base_path(config, root), options["fail_on"]
    )


def load_migration_settings(config_file: Path) -> tuple[ProjectSettings, str, str]:
    """The project settings and the default tab labels of an mkdocs.yml, for `appreg migrate`.

    Raises:
        ConfigError: the file cannot be loaded, or it does not enable the plugin.
    """
    config, options = _load_config(config_file)
    return settings_from(options, config), options.yaml_label, options.command_label
