"""The plugin's typed options, and how they become `ProjectSettings`.

Only this module and `plugin.py` import MkDocs: everything else works from `ProjectSettings`,
so the CLI and other Python-Markdown hosts share the same pipeline.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, MkDocsException

from .errors import ConfigError
from .project import ProjectSettings

DEFAULT_YAML_LABEL = "YAML Resource"
DEFAULT_COMMAND_LABEL = "`kubectl apply` command"


class AppregConfig(base.Config):
    """Options of the `appreg` plugin (`plugins: [appreg]` in mkdocs.yml)."""

    enabled = c.Type(bool, default=True)
    """Turn the whole plugin off (no rendering, no directive, no validation)."""

    templates_dir = c.Type(str, default="templates")
    """Jinja templates mirroring docs_dir, relative to mkdocs.yml."""

    template_suffix = c.Type(str, default=".j2")
    """Suffix that marks a template; the rendered file's name is the template's without it."""

    vars = c.Type(dict, default={})
    """Template variables; they override those of `vars_file`."""

    vars_file = c.Optional(c.Type(str))
    """A YAML mapping of template variables, relative to mkdocs.yml."""

    cache_dir = c.Type(str, default=".cache/appreg")
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


def settings_from(options: AppregConfig, config: MkDocsConfig) -> ProjectSettings:
    """Resolve the plugin options against the directory of mkdocs.yml."""
    root = Path(config.config_file_path or ".").resolve().parent

    def resolve(value: str) -> Path:
        return (root / value).resolve() if not Path(value).is_absolute() else Path(value)

    for option, value in (("templates_dir", options.templates_dir), ("cache_dir", options.cache_dir)):
        if not value.strip():
            raise ConfigError(f"plugin option '{option}' must not be empty")
    variables: dict[str, Any] = dict(options.vars)
    for key in variables:
        if not isinstance(key, str) or not key.isidentifier():
            raise ConfigError(f"plugin option 'vars': '{key}' is not a valid variable name")
    return ProjectSettings(
        root=root,
        docs_dir=Path(config.docs_dir).resolve(),
        templates_dir=resolve(options.templates_dir),
        cache_dir=resolve(options.cache_dir),
        variables=variables,
        vars_file=resolve(options.vars_file) if options.vars_file else None,
        crds=tuple(resolve(path) for path in options.crds),
        template_suffix=options.template_suffix,
        validate=options.validation,
    )


def load_settings(config_file: Path) -> ProjectSettings:
    """Read an mkdocs.yml the way `mkdocs build` does and return the plugin's settings.

    Used by the CLI, which checks a project without building it.

    Raises:
        ConfigError: the file cannot be loaded, or it does not enable the plugin.
    """
    from mkdocs.config import load_config

    # MkDocs reports config problems both as exceptions and as log records; keep its
    # warnings quiet here, the exception (if any) carries the message we show.
    mkdocs_log = logging.getLogger("mkdocs")
    level = mkdocs_log.level
    mkdocs_log.setLevel(logging.ERROR)
    try:
        config = load_config(config_file=str(config_file))
    except (ConfigurationError, MkDocsException) as error:
        raise ConfigError(str(error).strip().splitlines()[-1], file=str(config_file)) from None
    except OSError as error:
        raise ConfigError(error.strerror or str(error), file=str(config_file)) from None
    finally:
        mkdocs_log.setLevel(level)
    plugin = config.plugins.get("appreg")
    if plugin is None:
        raise ConfigError("the appreg plugin is not enabled in 'plugins'", file=str(config_file))
    options = plugin.config
    assert isinstance(options, AppregConfig)
    return settings_from(options, config)
