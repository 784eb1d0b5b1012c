"""MkDocs hook of this site: reference tables generated from the code, at build time.

`mkdocs.yml` lists it under `hooks:`. It replaces marker comments in pages with Markdown made from
the plugin's typed config class (`AppregConfig`) and the `appreg` argument parser, so the
configuration and CLI reference pages list every option and flag the installed code has. It only
changes the Markdown MkDocs hands it; nothing is written into docs/. It lives outside docs/ on
purpose: MkDocs imports a hook from its file, and Python then writes the file's bytecode beside it
(`__pycache__/`), which under docs/ would be a write into docs/ on every machine that writes
bytecode (most do; this project's CI image sets PYTHONDONTWRITEBYTECODE, which hid it).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import itertools
import json
import textwrap
from typing import Any

import yaml

MARKERS = {
    "<!-- appreg:options-table -->": "options_table",
    "<!-- appreg:options-yaml -->": "options_yaml",
    "<!-- appreg:cli-reference -->": "cli_reference",
}


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    for marker, name in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, globals()[name]())
    return markdown


# --- plugin options ---------------------------------------------------------------------------


def _docstrings(cls: type) -> dict[str, str]:
    """The string literal under each class attribute (attribute docstrings, as Sphinx reads them)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for statement, following in itertools.pairwise(body):
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[statement.targets[0].id] = " ".join(following.value.value.split())
    return found


def _type(option: Any) -> str:
    from mkdocs.config import config_options as c

    if isinstance(option, c.Optional):
        return _type(option.option)
    if isinstance(option, c.Choice):
        return " or ".join(f"`{choice}`" for choice in option.choices)
    if isinstance(option, c.SubConfig):
        return "mapping"
    if isinstance(option, c.ListOfItems):
        return f"list of {_type(option.option_type)}"
    if isinstance(option, c.Type):
        kinds = option._type if isinstance(option._type, tuple) else (option._type,)
        names = {bool: "bool", str: "str", int: "int", dict: "mapping", list: "list"}
        return " or ".join(names.get(kind, kind.__name__) for kind in kinds)
    return "str"  # an option class of our own (kubernetes_version): a quoted release string


def _default(option: Any) -> Any:
    return getattr(option, "default", None)


def _options() -> list[tuple[str, Any]]:
    from mkdocs_appreg.plugin.config import AppregConfig

    return list(AppregConfig._schema)


def options_table() -> str:
    from mkdocs_appreg.plugin.config import AppregConfig

    docs = _docstrings(AppregConfig)
    rows = ["| option | type | default | meaning |", "|---|---|---|---|"]
    for name, option in _options():
        default = _default(option)
        shown = "unset" if default is None else f"`{json.dumps(default, ensure_ascii=False)}`"
        meaning = docs.get(name, "").replace("|", "\\|")
        rows.append(f"| `{name}` | {_type(option)} | {shown} | {meaning} |")
    return "\n".join(rows)


def options_yaml() -> str:
    lines = ["```yaml", "plugins:", "  - appreg:"]
    for name, option in _options():
        default = _default(option)
        if default is None:
            lines.append(f"      # {name}:   (unset by default)")
            continue
        value = yaml.safe_dump(default, default_flow_style=True, allow_unicode=True, width=1000)
        value = value.strip().removesuffix("...").strip()
        lines.append(f"      {name}: {value}")
    lines.append("```")
    return "\n".join(lines)


# --- the command line ---------------------------------------------------------------------------


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    from mkdocs_appreg.cli.commands import build_parser

    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_reference() -> str:
    from mkdocs_appreg.cli.commands import COMMANDS

    out: list[str] = []
    for name, parser in _subcommands().items():
        formatter = parser._get_formatter()
        usage = " ".join(parser.format_usage().split()).removeprefix("usage: ")
        out += [
            f"### `appreg {name}`",
            "",
            COMMANDS[name].help[:1].upper() + COMMANDS[name].help[1:] + ".",
            "",
        ]
        out += ["```text", usage, "```", "", "| argument | meaning |", "|---|---|"]
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            flags = (
                ", ".join(f"`{flag}`" for flag in action.option_strings)
                or f"`{action.metavar or action.dest}`"
            )
            if action.option_strings and action.nargs != 0:
                metavar = action.metavar or (
                    "{" + ",".join(action.choices) + "}" if action.choices else action.dest.upper()
                )
                flags += f" `{metavar}`"
            text = formatter._expand_help(action) if action.help else ""
            escaped = text.replace("|", "\\|").replace("*", "\\*")
            out.append(f"| {flags} | {escaped} |")
        out.append("")
    return "\n".join(out)
