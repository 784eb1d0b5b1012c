"""Exceptions for broken *setup* (bad config, unreadable CRD, missing directory).

Problems in the user's resources are never exceptions: they are `Finding`s. These exceptions
are caught at the edges: the CLI turns them into a one-line message and exit code 2, the plugin
into a `PluginError`.
"""

from __future__ import annotations


class AppregError(Exception):
    """Base class: a setup problem that stops the run, with a one-line message."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.reason = message
        if file is not None and line is not None:
            message = f"{file}:{line}: {message}"
        elif file is not None:
            message = f"{file}: {message}"
        elif line is not None:
            message = f"line {line}: {message}"
        super().__init__(message)


class ConfigError(AppregError):
    """An option or vars file is missing, of the wrong type, or unusable."""


class CrdError(AppregError):
    """A CRD file cannot be read, parsed, or is not a valid CustomResourceDefinition."""


class InputError(AppregError):
    """An input file cannot be read at all (missing, a directory, permission denied)."""


class DirectiveError(AppregError):
    """A `/// resource` directive is malformed or names a file that does not exist."""
