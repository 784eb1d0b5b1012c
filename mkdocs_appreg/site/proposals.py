"""Design proposals: pages that describe an API which may not exist.

A project's enhancement proposals (Kubernetes KEPs, the Argo CD proposals, Tekton TEPs, Cluster API
proposals, MADR decision records) show resources with the fields and values they propose. Checked
like a user guide, every field that was never built, or was built under another name, is a
`schema.unknown-field` error that nobody will fix: the proposal is a record of a design, not
instructions. So on a design proposal, a field or an enum value that the kind's schema does not
know, and that resembles nothing it knows, is not reported. Everything else still is: a mistyped
field or value of the existing API (within the spelling budget of a name or value of the kind's
schema, `common/spelling.py`), a field of the kind written at the wrong place (`valueFiles` one
level too shallow), wrong types, YAML errors, metadata.

A page is a design proposal when its front matter (`pages/frontmatter.py`, as MkDocs reads it)

* has a `status` of a proposal's life cycle: KEP's `provisional`, `implementable`,
  `implemented`, `deferred`, `rejected`, `withdrawn`, `replaced` (keps/NNNN-kep-template/kep.yaml in
  kubernetes/enhancements), and `proposed`, `superseded` (MADR, TEPs). `draft`, `accepted`,
  `deprecated`, `new` are left out: Material for MkDocs' page status (`new`, `deprecated`) and
  ordinary docs pages use them too; or
* names its `authors` and who reviews, approves or sponsors it (`reviewers`, `approvers`,
  `sponsors`): the KEP and Argo CD proposal templates. A blog post names its authors but no
  approvers; a Kubernetes website page names reviewers but no authors.

`appreg: {proposal: true}` in the front matter marks a page whose front matter says neither,
`appreg: {proposal: false}` checks a page in full whatever it says, and the option
`proposals: strict` checks every page in full.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.common.spelling import close_names
from mkdocs_appreg.engine.documents import Document, split_pointer, value_at_pointer

PROPOSAL_STATUSES = frozenset(
    {
        "provisional",
        "implementable",
        "implemented",
        "deferred",
        "rejected",
        "withdrawn",
        "replaced",
        "proposed",
        "superseded",
    }
)
REVIEW_KEYS = ("reviewers", "approvers", "sponsors")
FRONT_MATTER_KEY = "appreg"

# The findings a proposed API causes: a field the schema lacks, a value its enum lacks.
RELAXED_RULES = frozenset({"schema.unknown-field", "schema.enum"})


@functools.cache
def _first_word() -> re.Pattern[str]:
    # `superseded by ADR-0005`, `Implementable`, the template's `provisional|implementable|...`.
    return re.compile(r"[A-Za-z]+")


def is_design_proposal(meta: Mapping[str, Any] | None) -> bool:
    """Whether a page's front matter (`read_front_matter`) marks it as a design proposal."""
    if not meta:
        return False
    own = meta.get(FRONT_MATTER_KEY)
    if isinstance(own, Mapping) and isinstance(own.get("proposal"), bool):
        return bool(own["proposal"])
    status = meta.get("status")
    if isinstance(status, str):
        word = _first_word().search(status)
        if word is not None and word.group(0).lower() in PROPOSAL_STATUSES:
            return True
    return "authors" in meta and any(key in meta for key in REVIEW_KEYS)


class Vocabulary:
    """Every field name and enum value one kind's schema knows, wherever they are in it."""

    __slots__ = ("names", "values")

    names: frozenset[str]
    values: frozenset[str]

    def __init__(self, names: frozenset[str], values: frozenset[str]) -> None:
        self.names = names
        self.values = values


def vocabulary_of(schema: Mapping[str, Any], definitions: Mapping[str, Any] | None = None) -> Vocabulary:
    """The vocabulary of a kind's schema; `definitions` resolves a built-in kind's `$ref`s."""
    # Imported here: prose.py is the check's opt-in module, and this runs only on proposals.
    from mkdocs_appreg.site.prose import schema_vocabulary

    names: set[str] = set()
    values: set[str] = set()
    schema_vocabulary(schema, names, values, definitions)
    return Vocabulary(frozenset(names), frozenset(values))


def _known(word: str, known: frozenset[str]) -> bool:
    return word in known or bool(close_names(word, known))


def proposed(finding: Finding, document: Document, vocabulary: Vocabulary) -> bool:
    """Whether a finding on a design proposal is about what the proposal proposes.

    A field the kind's schema lacks whose name is no field of the kind anywhere and is spelt like
    none (`spec.syncPolicy.terminate`), or an enum value that is no value of the kind's enums and
    is spelt like none. A name or value the schema has elsewhere, or nearly has, is a mistake
    about the existing API, and stays reported.
    """
    if finding.rule not in RELAXED_RULES or not finding.path:
        return False
    if finding.rule == "schema.unknown-field":
        return not _known(split_pointer(finding.path)[-1], vocabulary.names)
    _, value = value_at_pointer(document.value, finding.path)
    return isinstance(value, str) and not _known(value, vocabulary.values)


__all__ = [
    "FRONT_MATTER_KEY",
    "PROPOSAL_STATUSES",
    "RELAXED_RULES",
    "REVIEW_KEYS",
    "Vocabulary",
    "is_design_proposal",
    "proposed",
    "vocabulary_of",
]
