"""What the `/// resource` directive needs from mkdocs.yml, and what to add when it is missing.

The directive expands into `pymdownx.blocks.tab` blocks holding fenced code with `--8<--` lines:
without superfences the fences inside the tabs are not rendered as code, without blocks.tab the
page shows the raw `/// tab` lines, and without a theme that styles blocks.tab's alternate-style
markup (Material) the pair is two bare radio buttons with both panes shown. None of that fails a
build by itself, so the plugin says it, one warning per missing piece: `mkdocs build --strict`
then fails.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig

SUPERFENCES = "pymdownx.superfences"
SNIPPETS = "pymdownx.snippets"
BLOCKS_TAB = "pymdownx.blocks.tab"
# Themes that style blocks.tab's alternate-style tabs. Material's `tabbed` stylesheet is the one
# the hand-written EDA pages were made for (its `content.tabs.link` links tabs by label).
TAB_THEMES = ("material",)


def _names(config: MkDocsConfig) -> dict[str, Any]:
    """Each configured Markdown extension by name: its options mapping, or None."""
    found: dict[str, Any] = {}
    for extension in config.markdown_extensions:
        if isinstance(extension, str):
            found[extension] = config.mdx_configs.get(extension)
        else:
            # An Extension instance (added by another plugin): known by its module.
            found[type(extension).__module__] = getattr(extension, "getConfigs", dict)()
    return found


def missing_prerequisites(config: MkDocsConfig) -> list[str]:
    """One line per piece the directive needs that mkdocs.yml lacks, saying what to add.

    Call it before the plugin adds pymdownx.snippets itself.
    """
    extensions = _names(config)
    problems: list[str] = []
    if SUPERFENCES not in extensions:
        problems.append(
            f"{SUPERFENCES} is not enabled, so the code blocks inside the tabs do not render as code: "
            f"add '- {SUPERFENCES}' under markdown_extensions in mkdocs.yml"
        )
    if SNIPPETS not in extensions:
        problems.append(
            f"{SNIPPETS} is not in markdown_extensions (appreg adds it for the build, but a host that "
            f"runs no MkDocs plugin shows the --8<-- lines as text): add '- {SNIPPETS}: "
            "{check_paths: true}' under markdown_extensions in mkdocs.yml"
        )
    if BLOCKS_TAB not in extensions:
        problems.append(
            f"{BLOCKS_TAB} is not enabled, so the page shows the raw '/// tab' lines: add "
            f"'- {BLOCKS_TAB}: {{alternate_style: true}}' under markdown_extensions in mkdocs.yml"
        )
    elif not (extensions[BLOCKS_TAB] or {}).get("alternate_style"):
        problems.append(
            f"{BLOCKS_TAB} has alternate_style off, a markup Material does not style: set "
            f"'- {BLOCKS_TAB}: {{alternate_style: true}}' under markdown_extensions in mkdocs.yml"
        )
    theme = config.theme.name
    if theme not in TAB_THEMES:
        problems.append(
            f"theme '{theme}' does not style tabs, so each tab pair shows as two bare radio buttons "
            "with both panes visible: set 'theme: {name: material}' in mkdocs.yml "
            "(pip install mkdocs-material)"
        )
    return problems
