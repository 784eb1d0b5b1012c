"""Reading a vars file: a YAML mapping of variable names to values, every error one line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode

from mkdocs_appreg.common.errors import ConfigError
from mkdocs_appreg.common.limits import FileTooLarge, alias_problem, read_limited
from mkdocs_appreg.common.mappingkeys import repeated_keys
from mkdocs_appreg.common.utf8 import undecodable


class _DuplicateKeys:
    """Rejects duplicate keys (PyYAML silently keeps the last one); mixed into a SafeLoader."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Keys as Jinja sees them (PyYAML's values), merge keys left to PyYAML; which of them are
        # duplicates is the validator's rule (common/mappingkeys.py). The first one is the error.
        key_nodes = [key_node for key_node, _value in node.value if key_node.tag != "tag:yaml.org,2002:merge"]
        keys = (self.construct_object(key_node, deep=True) for key_node in key_nodes)  # type: ignore[attr-defined]
        for position, earlier in repeated_keys(keys):
            key_node = key_nodes[position]
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            first = key_nodes[earlier].start_mark.line + 1
            raise ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {first})", key_node.start_mark
            )
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc, no-any-return]


class _VarsLoader(_DuplicateKeys, yaml.SafeLoader):
    """PyYAML's own parser: the reference, and the wording of every error."""


_fast_vars_loader: Callable[[str], Any] = _VarsLoader
if hasattr(yaml, "CSafeLoader"):  # libyaml's parser and composer: ~5x faster than pure Python

    class _FastVarsLoader(_DuplicateKeys, yaml.CSafeLoader):
        """libyaml's parser, for a file that loads; its error messages are terser."""

    _fast_vars_loader = _FastVarsLoader


def _parse_vars(text: str, display: str, loader_class: Callable[[str], Any]) -> Any:
    """The vars file's value, or a one-line ConfigError; `{}` for an empty file."""
    loader = None
    try:
        # PyYAML's reader refuses control characters here already; libyaml's while parsing.
        loader = loader_class(text)
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, MappingNode):
            kind = "list" if isinstance(node, yaml.SequenceNode) else "scalar"
            raise ConfigError(
                f"a vars file must be a mapping of names to values, not a {kind}",
                file=display,
                line=node.start_mark.line + 1,
            )
        for key_node, _value in node.value:
            is_string = isinstance(key_node, ScalarNode) and key_node.tag == "tag:yaml.org,2002:str"
            if not is_string and key_node.tag != "tag:yaml.org,2002:merge":
                raise ConfigError(
                    "variable names must be strings", file=display, line=key_node.start_mark.line + 1
                )
        # Shared alias subtrees stay shared in the values, but `to_json` or a loop would expand them.
        aliasing = alias_problem(node)
        if aliasing is not None:
            raise ConfigError(aliasing[1], file=display, line=node.start_mark.line + 1)
        values = loader.construct_document(node)
    except yaml.YAMLError as exc:
        # Worded and located as for resources (control characters, by offset, included).
        # Imported here: a build that reuses its results must not load the validator.
        from mkdocs_appreg.engine.documents import describe_yaml_error

        line, _column, message = describe_yaml_error(exc, text)
        raise ConfigError(f"invalid YAML: {message}", file=display, line=line) from None
    except (RecursionError, ValueError, TypeError, OverflowError, LookupError) as exc:
        # PyYAML's constructors fail this way on junk such as `!!int` with no digits.
        raise ConfigError(f"invalid YAML: {type(exc).__name__}: {exc}"[:300], file=display) from None
    finally:
        if loader is not None:
            loader.dispose()
    return values


def load_vars_file(path: Path, display: str) -> dict[str, Any]:
    """Read a YAML vars file: a mapping of variable names to values. An empty file is `{}`.

    Args:
        path: The file to read.
        display: How to name the file in error messages.

    Raises:
        ConfigError: One line, `file:line: message` when a line is known: the file cannot be
            read, is not UTF-8, is not valid YAML (duplicate keys included), or is not a mapping
            with string keys.
    """
    try:
        data = read_limited(path)
    except FileTooLarge as exc:
        raise ConfigError(str(exc), file=display) from None
    except OSError as exc:
        raise ConfigError(f"cannot read vars file: {exc.strerror or exc}", file=display) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, _column, message = undecodable(data, exc)
        raise ConfigError(message, file=display, line=line) from None
    try:
        values = _parse_vars(text, display, _fast_vars_loader)
    except ConfigError:
        if _fast_vars_loader is _VarsLoader:
            raise
        # Parsed again by PyYAML, which finds the same error and words it better (libyaml says
        # "found character that cannot start any token" for a tab, without naming it); a file
        # that loads, the common case, is read once, by libyaml.
        values = _parse_vars(text, display, _VarsLoader)
    if not isinstance(values, dict):  # a merge of a non-mapping; the checks above catch the rest
        raise ConfigError("a vars file must be a mapping of names to values", file=display)
    return values
