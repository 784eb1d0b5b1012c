"""Prose drift: the page's text names a field the resources it shows do not have.

The seed page tells the reader to "update the `mirrorUrl`", but the Registry CRD calls the field
`spec.mirror`. Examples are validated; the sentences around them are not, so they drift when a field
is renamed. This opt-in check reads the backticked identifiers in a page's text and reports those
that look like field names and are not fields of the page's resources (`prose.unknown-field`,
warning, at the page line and column of the opening backtick).

What counts as a field name, chosen to keep false positives at zero on real pages:

* Kubernetes JSON field names are lowerCamelCase (API conventions, "Naming conventions"), so a
  token must start with a lowercase letter and have an uppercase letter inside (`authSecretRef`);
  a single lowercase word (`base64`, `name`) is too ambiguous, an all-caps word is an acronym, a
  capitalised one (`Manifest`, `ConfigMap`) is a kind.
* A dotted path (`spec.mirrorUrl`) is checked as a whole, but only when its first segment is a
  top-level field of the page's resources (`spec`, `metadata`...): `manifest.spec.image` talks
  about another object (an App manifest), and `manifest.yaml` is a file name.
* Only near misses are reported by default (a token with a did-you-mean: a close spelling, or a
  field that is its camelCase prefix, `mirrorUrl` -> `mirror`). A renamed or misspelt field almost
  always resembles its real name, while a camelCase token resembling no field is most often a field
  of another object the text discusses (the catalog page's "the manifest `appInfo` field"). Pass
  `near_misses_only=False` to report every unknown token.

Skipped: fenced code blocks, HTML comments, `--8<--` lines, `///` block directive headers and their
indented option lines. Indented (non-fenced) code blocks are not recognised.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from mkdocs_appreg.common.findings import Finding

#: ObjectMeta members: the API server fills `metadata` with ObjectMeta whatever a CRD's schema
#: says of it (apiextensions-apiserver keeps `metadata` out of the structural schema).
OBJECT_META_FIELDS = frozenset(
    {
        "name",
        "namespace",
        "generateName",
        "labels",
        "annotations",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "ownerReferences",
        "finalizers",
        "managedFields",
        "selfLink",
    }
)

_RE_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_RE_SNIPPET_LINE = re.compile(r"^[ \t]*;*-+8<-+")
_RE_DIRECTIVE = re.compile(r"^[ \t]*/{3,}(?P<header>[ \t]*\S)?")
_RE_CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<body>.+?)(?<!`)(?P=ticks)(?!`)")
_RE_IDENTIFIER = re.compile(r"^[a-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*$")


def schema_field_names(schema: Mapping[str, Any]) -> set[str]:
    """Every property name in an `openAPIV3Schema`, recursively, and every dotted path from the root.

    `{"properties": {"spec": {"properties": {"mirror": ...}}}}` gives `spec`, `mirror` and
    `spec.mirror`. Array items continue the path without an index (`spec.ports.port`). When the root
    has `metadata`, ObjectMeta's members are added as well (`metadata.name`, `labels`...).
    """
    names: set[str] = set()

    def walk(node: Any, prefix: str, depth: int) -> None:
        if not isinstance(node, Mapping) or depth > 64:
            return
        properties = node.get("properties")
        if isinstance(properties, Mapping):
            for name, child in properties.items():
                path = f"{prefix}.{name}" if prefix else str(name)
                names.add(str(name))
                names.add(path)
                walk(child, path, depth + 1)
        for keyword in ("items", "additionalProperties"):
            walk(node.get(keyword), prefix, depth + 1)
        for keyword in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(keyword) or ():
                walk(sub, prefix, depth + 1)

    walk(schema, "", 0)
    if "metadata" in names:
        names.update(OBJECT_META_FIELDS)
        names.update(f"metadata.{name}" for name in OBJECT_META_FIELDS)
    return names


def _text_lines(page_text: str) -> Iterator[tuple[int, str]]:
    """(0-based index, line) of the page's prose lines; code, comments and directives blanked out."""
    lines = page_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fence: str | None = None
    in_comment = False
    in_options = False
    for index, line in enumerate(lines):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        if in_options:
            # pymdownx.blocks: the YAML options of a directive are the indented lines right below it.
            if line.startswith((" ", "\t")) and line.strip():
                continue
            in_options = False
        if not in_comment:
            opening = _RE_FENCE.match(line)
            if opening is not None:
                fence = opening.group("fence")
                continue
            if _RE_SNIPPET_LINE.match(line):
                continue
            directive = _RE_DIRECTIVE.match(line)
            if directive is not None:
                in_options = directive.group("header") is not None  # a header, not a closing `///`
                continue
        text, in_comment = _without_comments(line, in_comment)
        yield index, text


def _without_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """The line with HTML comments replaced by spaces (columns kept), and whether one stays open."""
    out: list[str] = []
    position = 0
    while position < len(line):
        if in_comment:
            end = line.find("-->", position)
            if end < 0:
                out.append(" " * (len(line) - position))
                return "".join(out), True
            out.append(" " * (end + 3 - position))
            position = end + 3
            in_comment = False
        else:
            start = line.find("<!--", position)
            if start < 0:
                out.append(line[position:])
                break
            out.append(line[position:start])
            position = start
            in_comment = True
    return "".join(out), in_comment


def _looks_like_field(token: str) -> bool:
    if not _RE_IDENTIFIER.match(token):
        return False
    if "." in token:
        return True
    return any(c.isupper() for c in token[1:]) and any(c.islower() for c in token)


def _suggestions(token: str, field_names: Collection[str]) -> list[str]:
    """Known fields the token most likely means: camelCase prefixes first, then close spellings."""
    dotted = "." in token
    candidates = sorted(name for name in field_names if ("." in name) == dotted)
    prefix, _, last = token.rpartition(".")
    prefixes = []
    for name in candidates:
        head, _, tail = name.rpartition(".")
        if head == prefix and tail and last.startswith(tail) and last[len(tail) :][:1].isupper():
            prefixes.append(name)
    if prefixes:
        return sorted(prefixes, key=len, reverse=True)[:3]
    return difflib.get_close_matches(token, candidates, n=3, cutoff=0.75 if dotted else 0.6)


def check_prose(
    page_text: str,
    page: str,
    field_names: Collection[str],
    *,
    line_offset: int = 0,
    near_misses_only: bool = True,
) -> list[Finding]:
    """Report backticked field names in a page's text that its resources do not have.

    Args:
        page_text: The page's Markdown source.
        page: Display path of the page, used as the findings' file.
        field_names: Known field names and dotted paths (`schema_field_names` of the page's kinds).
        line_offset: Lines above `page_text` in `page`.
        near_misses_only: Report only unknown tokens close to a known field (see the module doc).

    Returns:
        `prose.unknown-field` warnings in page order.
    """
    known = set(field_names)
    roots = {name.split(".", 1)[0] for name in known if "." in name}
    findings: list[Finding] = []
    for index, line in _text_lines(page_text):
        for match in _RE_CODE_SPAN.finditer(line):
            token = match.group("body").strip()
            if not _looks_like_field(token) or token in known:
                continue
            if "." in token and token.split(".", 1)[0] not in roots:
                continue  # a path into another object (`manifest.spec.image`) or a file name
            suggestions = _suggestions(token, known)
            if near_misses_only and not suggestions:
                continue
            hint = " or ".join(f'"{name}"' for name in suggestions)
            message = f'unknown field "{token}"' + (f"; did you mean {hint}?" if hint else "")
            findings.append(
                Finding(
                    file=page,
                    line=index + 1 + line_offset,
                    column=match.start() + 1,
                    rule="prose.unknown-field",
                    message=message,
                    severity="warning",
                )
            )
    return findings
