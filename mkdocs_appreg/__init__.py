"""mkdocs-appreg: Kubernetes resource examples rendered from templates and validated like the API server.

The MkDocs plugin lives in `mkdocs_appreg.plugin`, the Python-Markdown extension in
`mkdocs_appreg.markdown`; importing this package imports neither MkDocs nor Markdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mkdocs_appreg.common.errors import AppregError, ConfigError, CrdError, DirectiveError, InputError
from mkdocs_appreg.common.findings import Finding, Severity

if TYPE_CHECKING:
    from mkdocs_appreg.engine.documents import Document, ParseResult, parse_documents

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Resolved on first use (PEP 562): every `mkdocs build` imports this package through the
    # plugin, and the YAML layer is not needed then.
    if name in ("Document", "ParseResult", "parse_documents"):
        from mkdocs_appreg.engine import documents

        return getattr(documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
