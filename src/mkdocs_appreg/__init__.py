"""mkdocs-appreg: Kubernetes resource examples rendered from templates and validated like the API server.

The MkDocs plugin lives in `mkdocs_appreg.plugin`, the Python-Markdown extension in
`mkdocs_appreg.markdown`; importing this package imports neither MkDocs nor Markdown.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .documents import Document, ParseResult, parse_documents
from .errors import AppregError, ConfigError, CrdError, DirectiveError, InputError
from .findings import Finding, Severity

try:
    __version__ = version("mkdocs-appreg")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    __version__ = "0.0.0"

__all__ = [
    "AppregError",
    "ConfigError",
    "CrdError",
    "DirectiveError",
    "Document",
    "Finding",
    "InputError",
    "ParseResult",
    "Severity",
    "__version__",
    "parse_documents",
]
