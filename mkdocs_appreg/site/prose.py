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
* A token that is a name the site knows otherwise is no drift (`excluded`, built by the site check):
  a field of any loaded CRD or built-in kind (`selfSigned` of a certificate issuer the page only
  mentions), an enum value, and any word of the page's own YAML (label and annotation keys and
  values, values such as `edaNamespace` or `deleteAll`), and, found here, any word of the page's
  other code (a fenced block, a code span that is more than one name: `argocd app diff repoDir`,
  `/clusters/clusterA`) or a name a list item defines (a bullet that starts with the backticked `retryMax` and a dash:
  the page documents an option of something, it does not misname a field).
* Only near misses are reported by default (a token with a did-you-mean: a spelling within one edit
  per five characters, `common.spelling`, or a field that is its camelCase prefix, `mirrorUrl` ->
  `mirror`). A renamed or misspelt field almost always resembles its real name, while a camelCase
  token resembling no field is most often a field of another object the text discusses (the
  catalog page's "the manifest `appInfo` field"). Pass `near_misses_only=False` to report every
  unknown token.

Skipped: fenced code blocks, HTML comments, `--8<--` lines, `///` block directive headers and their
indented option lines. Indented (non-fenced) code blocks are not recognised.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.spelling import close_names, is_camel_prefix

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


def schema_vocabulary(
    schema: Any, names: set[str], values: set[str], definitions: Mapping[str, Any] | None = None
) -> None:
    """Add every property name of `schema` to `names` and every string enum value to `values`.

    Walks `properties`, `items`, `additionalProperties`, `allOf`/`anyOf`/`oneOf` and a `$defs`
    mapping (the built-in kinds' definitions document), iteratively: a CRD's depth is its own.
    With `definitions` (the built-in kinds' `$defs`), a `$ref` to one of them is followed too: a
    built-in kind's own schema names its parts by reference (`#/$defs/io.k8s.api.apps.v1.DeploymentSpec`).
    """
    stack = [schema]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, Mapping) or id(node) in seen:
            continue
        seen.add(id(node))
        properties = node.get("properties")
        if isinstance(properties, Mapping):
            names.update(str(name) for name in properties)
            stack.extend(properties.values())
        enum = node.get("enum")
        if isinstance(enum, list):
            values.update(value for value in enum if isinstance(value, str))
        for keyword in ("items", "additionalProperties"):
            stack.append(node.get(keyword))
        for keyword in ("allOf", "anyOf", "oneOf"):
            sub = node.get(keyword)
            if isinstance(sub, list):
                stack.extend(sub)
        defs = node.get("$defs")
        if isinstance(defs, Mapping):
            stack.extend(defs.values())
        ref = node.get("$ref")
        if definitions is not None and isinstance(ref, str) and "#/$defs/" in ref:
            stack.append(definitions.get(ref.rsplit("#/$defs/", 1)[1]))


_RE_YAML_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*")


def yaml_words(text: str) -> set[str]:
    """Every word and dotted word of a YAML text (keys and values alike, `a.b/c-d` split apart)."""
    words = set(_RE_YAML_WORD.findall(text))
    words.update(part for word in list(words) if "." in word for part in word.split("."))
    return words


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


@functools.cache
def _definition_item() -> re.Pattern[str]:
    # `- `retryMax` - Optional, ...`, `* `serverUrl`: ...`, `1. `name` — ...`
    return re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+`(?P<token>[^`]+)`[ \t]*(?:[-:\u2013\u2014]|$)")


def _code_words(page_text: str) -> set[str]:
    """Words of the page's code: fenced blocks, code spans that are not one name, defined names."""
    words: set[str] = set()
    fence: str | None = None
    for line in page_text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            else:
                words.update(yaml_words(line))
            continue
        opening = _RE_FENCE.match(line)
        if opening is not None:
            fence = opening.group("fence")
            continue
        if "`" not in line:
            continue
        definition = _definition_item().match(line)
        if definition is not None:
            words.add(definition.group("token").strip())
        for match in _RE_CODE_SPAN.finditer(line):
            body = match.group("body").strip()
            if not _RE_IDENTIFIER.match(body):
                words.update(yaml_words(body))
    return words


def _looks_like_field(token: str) -> bool:
    if not _RE_IDENTIFIER.match(token):
        return False
    if "." in token:
        return True
    if len(token) > 1 and token[-1].isupper() and token[-2].islower():
        return False  # `clusterA`, `nodeB`: a name for one of several things, not a field
    return any(c.isupper() for c in token[1:]) and any(c.islower() for c in token)


def _suggestions(token: str, field_names: Collection[str]) -> list[str]:
    """Known fields the token most likely means: camelCase prefixes first, then close spellings.

    A prefix counts when it is at least four characters and half the token (`mirror` of
    `mirrorUrl`); a spelling within one edit per five characters (`common.spelling`).
    """
    dotted = "." in token
    candidates = sorted(name for name in field_names if ("." in name) == dotted)
    prefix, _, last = token.rpartition(".")
    prefixes = []
    for name in candidates:
        head, _, tail = name.rpartition(".")
        if head == prefix and is_camel_prefix(tail, last):
            prefixes.append(name)
    if prefixes:
        return sorted(prefixes, key=len, reverse=True)[:3]
    return close_names(token, candidates)[:3]


def check_prose(
    page_text: str,
    page: str,
    field_names: Collection[str],
    *,
    line_offset: int = 0,
    near_misses_only: bool = True,
    excluded: Collection[str] = frozenset(),
) -> list[Finding]:
    """Report backticked field names in a page's text that its resources do not have.

    Args:
        page_text: The page's Markdown source.
        page: Display path of the page, used as the findings' file.
        field_names: Known field names and dotted paths (`schema_field_names` of the page's kinds).
        line_offset: Lines above `page_text` in `page`.
        near_misses_only: Report only unknown tokens close to a known field (see the module doc).
        excluded: Names the site knows otherwise: never reported (see the module doc).

    Returns:
        `prose.unknown-field` warnings in page order.
    """
    known = set(field_names)
    if "`" in page_text:
        excluded = set(excluded) | _code_words(page_text)
    roots = {name.split(".", 1)[0] for name in known if "." in name}
    findings: list[Finding] = []
    for index, line in _text_lines(page_text):
        for match in _RE_CODE_SPAN.finditer(line):
            token = match.group("body").strip()
            if not _looks_like_field(token) or token in known or token in excluded:
                continue
            if "." in token and token.rpartition(".")[2] in excluded:
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
