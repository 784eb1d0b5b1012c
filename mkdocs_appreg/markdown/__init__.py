"""The Python-Markdown layer: the `/// resource |` directive. The only layer importing Markdown.

`markdown.Markdown(extensions=["mkdocs_appreg.markdown.directive"])` loads the extension through
`makeExtension` below, as Python-Markdown does for any extension module.
"""

from __future__ import annotations

from .directive import ResourceExtension, makeExtension

__all__ = ["ResourceExtension", "makeExtension"]
