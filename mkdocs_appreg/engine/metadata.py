"""The API server's create-time checks on `metadata` (ObjectMeta), as findings.

What `kubectl apply` of a new object runs into on the server, in the order the server does it:

1. Strict decoding of the request body (`fieldValidation=Strict`, kubectl's default since 1.27):
   unknown ObjectMeta fields and wrongly typed known fields are errors
   (k8s.io/apimachinery/pkg/apis/meta/v1/types.go `ObjectMeta`; sigs.k8s.io/json strict mode).
2. `ValidateObjectMetaAccessor` (k8s.io/apimachinery/pkg/api/validation/objectmeta.go) with the
   kind's name rule: `NameIsDNSSubdomain` for custom resources
   (k8s.io/apiextensions-apiserver/pkg/registry/customresource/validator.go) and for Secrets
   (`ValidateSecretName`, k8s.io/kubernetes/pkg/apis/core/validation/validation.go).

The string rules (`IsDNS1123Subdomain`, `IsDNS1123Label`, `IsQualifiedName`, `IsValidLabelValue`)
are ports of k8s.io/apimachinery/pkg/util/validation/validation.go and
k8s.io/apimachinery/pkg/api/validate/content/kube.go, with the upstream message texts, so a
finding reads like the error `kubectl apply` would print.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from mkdocs_appreg.common.findings import Finding
from mkdocs_appreg.engine.documents import Document, escape_pointer_token, split_pointer, value_at_pointer
from mkdocs_appreg.engine.kinds import parse_group_version

# --- string rules (k8s.io/apimachinery/pkg/util/validation/validation.go) ---------------------

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
QUALIFIED_NAME_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63
TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * (1 << 10)  # objectmeta.go TotalAnnotationSizeLimitB

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_ERR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_ERR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_ERR = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE_FMT = "(" + _QUALIFIED_NAME_FMT + ")?"
_LABEL_VALUE_ERR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)

# Go's regexp `^...$` anchors at the very end of the text, unlike Python's `$` (which also matches
# before a final newline), hence fullmatch everywhere.
_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_QUALIFIED_NAME_RE = re.compile(_QUALIFIED_NAME_FMT)
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """`RegexError` from validation.go: the message, examples and the regex, worded as upstream."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{example}'" for example in examples)
    return f"{message} (e.g. {shown}, regex used for validation is '{fmt}')"


def _byte_length(value: str) -> int:
    # Go's len() counts UTF-8 bytes, and so do every limit below.
    return len(value.encode("utf-8", "surrogatepass"))


def is_dns1123_label(value: str) -> list[str]:
    """Why `value` is not a DNS-1123 label (`IsDNS1123Label`); empty when it is one."""
    errors = []
    if _byte_length(value) > DNS1123_LABEL_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            # A valid subdomain that is not a label: the length is already checked, so it's dots.
            errors.append("must not contain dots")
        else:
            errors.append(regex_error(_DNS1123_LABEL_ERR, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errors


_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_ERR = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character"
)


@functools.cache
def _dns1035_label() -> re.Pattern[str]:
    return re.compile(_DNS1035_LABEL_FMT)


def is_dns1035_label(value: str) -> list[str]:
    """Why `value` is not a DNS-1035 label (`IsDNS1035Label`); empty when it is one."""
    errors = []
    if _byte_length(value) > DNS1123_LABEL_MAX_LENGTH:  # DNS1035LabelMaxLength, also 63
        errors.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _dns1035_label().fullmatch(value):
        errors.append(regex_error(_DNS1035_LABEL_ERR, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errors


def is_dns1123_subdomain(value: str) -> list[str]:
    """Why `value` is not a DNS-1123 subdomain (`IsDNS1123Subdomain`); empty when it is one."""
    errors = []
    if _byte_length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errors.append(regex_error(_DNS1123_SUBDOMAIN_ERR, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


# RFC 1034 section 4.3.3 wildcard: `*.` then a DNS-1123 subdomain (`*.bar.com`, not `*.*.bar.com`,
# `f*.bar.com` or `*`).
_WILDCARD_DNS1123_SUBDOMAIN_FMT = r"\*\." + _DNS1123_SUBDOMAIN_FMT
_WILDCARD_DNS1123_SUBDOMAIN_ERR = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
    "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character"
)


def is_wildcard_dns1123_subdomain(value: str) -> list[str]:
    """Why `value` is not a wildcard DNS-1123 subdomain (`IsWildcardDNS1123Subdomain`)."""
    errors = []
    if _byte_length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not re.fullmatch(_WILDCARD_DNS1123_SUBDOMAIN_FMT, value):
        errors.append(
            regex_error(_WILDCARD_DNS1123_SUBDOMAIN_ERR, _WILDCARD_DNS1123_SUBDOMAIN_FMT, "*.example.com")
        )
    return errors


def is_qualified_name(value: str) -> list[str]:
    """Why `value` is not a qualified name (label key), per `IsQualifiedName` / `IsLabelKey`."""
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend(f"prefix part {message}" for message in is_dns1123_subdomain(prefix))
    else:
        return [
            "a valid label key "
            + regex_error(_QUALIFIED_NAME_ERR, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part must be non-empty")
    elif _byte_length(name) > QUALIFIED_NAME_MAX_LENGTH:
        errors.append("name part " + max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _QUALIFIED_NAME_RE.fullmatch(name):
        errors.append(
            "name part "
            + regex_error(_QUALIFIED_NAME_ERR, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def is_valid_label_value(value: str) -> list[str]:
    """Why `value` is not a label value (`IsValidLabelValue`); empty when it is one."""
    errors = []
    if _byte_length(value) > LABEL_VALUE_MAX_LENGTH:
        errors.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errors.append(regex_error(_LABEL_VALUE_ERR, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errors


def _mask_trailing_dash(name: str) -> str:
    # generic.go maskTrailingDash: a generateName prefix may end in "-" because random characters
    # are appended. Upstream drops the last TWO bytes and appends "a"; reproduced byte for byte,
    # since that decides which prefixes pass.
    raw = name.encode("utf-8", "surrogatepass")
    if len(raw) > 1 and raw.endswith(b"-"):
        return (raw[:-2] + b"a").decode("utf-8", "replace")
    return name


def name_is_dns_subdomain(name: str, prefix: bool) -> list[str]:
    """`NameIsDNSSubdomain` (generic.go): the name rule of custom resources and Secrets."""
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool) -> list[str]:
    """`NameIsDNSLabel` (generic.go), which is also `ValidateNamespaceName`."""
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


def name_is_path_segment(name: str, prefix: bool) -> list[str]:
    """`path.ValidatePathSegmentName`: the looser rule for embedded resources' names."""
    if not prefix:
        for illegal in (".", ".."):
            if name == illegal:
                return [f"may not be '{illegal}'"]
    return [f"may not contain '{illegal}'" for illegal in ("/", "%") if illegal in name]


NameValidator = Callable[[str, bool], list[str]]

# --- the ObjectMeta fields (k8s.io/apimachinery/pkg/apis/meta/v1/types.go) --------------------

_STRING_FIELDS = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion")
_TIMESTAMP_FIELDS = ("creationTimestamp", "deletionTimestamp")
_INTEGER_FIELDS = ("generation", "deletionGracePeriodSeconds")
_STRING_MAP_FIELDS = ("labels", "annotations")
_STRING_LIST_FIELDS = ("finalizers",)
_OBJECT_LIST_FIELDS = ("ownerReferences", "managedFields")

OBJECT_META_FIELDS: frozenset[str] = frozenset(
    _STRING_FIELDS
    + _TIMESTAMP_FIELDS
    + _INTEGER_FIELDS
    + _STRING_MAP_FIELDS
    + _STRING_LIST_FIELDS
    + _OBJECT_LIST_FIELDS
)

# metav1.OwnerReference; the four strings are the ones validateOwnerReference requires.
_OWNER_STRING_FIELDS = ("apiVersion", "kind", "name", "uid")
_OWNER_BOOLEAN_FIELDS = ("controller", "blockOwnerDeletion")
_OWNER_FIELDS = frozenset(_OWNER_STRING_FIELDS + _OWNER_BOOLEAN_FIELDS)

# objectmeta.go BannedOwners, by (group, version, kind).
_BANNED_OWNERS = frozenset({("", "v1", "Event")})

# metav1.FinalizerOrphanDependents / FinalizerDeleteDependents: ValidateFinalizers forbids both.
_FINALIZER_ORPHAN = "orphan"
_FINALIZER_FOREGROUND = "foregroundDeletion"


# Patterns most builds never use are compiled on first use (a `functools.cache` function, like
# this one): every pattern compiled at import is paid for by every build.
#
# metav1.Time decodes with time.Parse(time.RFC3339, ...) ("2006-01-02T15:04:05Z07:00"): Go's
# general layout parser, after its fast path (time/format_rfc3339.go parseRFC3339) fails, takes
# a one-digit hour ("15" is not zero-padded) and a fraction after "." or ",".
@functools.cache
def _rfc3339() -> re.Pattern[str]:
    return re.compile(
        r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})T(?P<hour>\d{1,2}):(?P<minute>\d{2})"
        r":(?P<second>\d{2})([.,]\d+)?(Z|[+-]\d{2}:\d{2})"
    )


def _rfc3339_problem(value: str) -> str | None:
    """Why `time.Parse(time.RFC3339, value)` fails, None when it parses.

    Both of Go's paths check the ranges (parseRFC3339's parseUint, and parse's "month", "day",
    "hour", "minute", "second" range errors, the day against daysIn(month, year)).
    """
    match = _rfc3339().fullmatch(value)
    if match is None:
        return "not in the layout"
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if not 1 <= month <= 12:
        return "month out of range"
    if not 1 <= day <= _days_in(month, year):
        return "day out of range"
    for unit, top in (("hour", 23), ("minute", 59), ("second", 59)):
        if int(match[unit]) > top:
            return f"{unit} out of range"
    return None


def _days_in(month: int, year: int) -> int:
    # Go's daysIn, proleptic Gregorian: year 0 is a leap year (Python's calendar has no year 0).
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def validate_object_meta(
    document: Document,
    pointer: str,
    *,
    namespaced: bool,
    embedded: bool = False,
    name_rule: NameValidator | None = None,
) -> list[Finding]:
    """Check the ObjectMeta at `pointer` the way the API server does when the object is created.

    Args:
        document: The parsed document holding the object.
        pointer: JSON Pointer of the ObjectMeta, `/metadata` for a top-level object.
        namespaced: Whether the kind is namespaced. A namespace is optional either way (kubectl
            fills in the current one); on a cluster-scoped kind it is ignored, which is a warning.
        embedded: The ObjectMeta of an `x-kubernetes-embedded-resource` (apiextensions
            `validateEmbeddedResource`): metadata and name are optional, names follow the
            path-segment rule, and a namespace is checked only when present.
        name_rule: The kind's name rule, the `ValidateNameFunc` its Go validation passes to
            ValidateObjectMeta (`NameIsDNSLabel` for a Namespace); `NameIsDNSSubdomain` by default.

    Returns:
        Findings with rules `meta.missing`, `meta.type`, `meta.unknown-field`, `meta.name`,
        `meta.namespace`, `meta.generation`, `meta.labels`, `meta.annotations`,
        `meta.finalizers` and `meta.owner-references`: decoding problems first, then the
        validation ones, in the order the API server checks.
    """
    found, meta = value_at_pointer(document.value, pointer)
    if not found or meta is None:
        if embedded:
            return []
        # A JSON null decodes to an empty ObjectMeta, whose first complaint is the missing name.
        return [
            document.finding(pointer, "meta.missing", "metadata is missing: name or generateName is required")
        ]
    if not isinstance(meta, dict):
        return [document.finding(pointer, "meta.type", f"metadata must be an object, not {_json_kind(meta)}")]

    check = _MetaCheck(document, pointer, _field_path(document.value, pointer))
    typed = check.decode(meta)
    if name_rule is None:
        name_rule = name_is_path_segment if embedded else name_is_dns_subdomain
    check.names(typed, name_rule, embedded=embedded)
    check.namespace(typed, namespaced=namespaced, embedded=embedded)
    check.generation(typed)
    check.labels(typed)
    check.annotations(typed)
    check.owner_references(typed)
    check.finalizers(typed)
    return check.findings


# A plain class (common/records.py says why).
class _MetaCheck:
    """One ObjectMeta being checked: where it is, and the findings so far."""

    __slots__ = ("document", "dotted", "findings", "pointer", "undecoded")

    document: Document
    pointer: str
    dotted: str  # the field path as the API server spells it in messages, e.g. `metadata`
    findings: list[Finding]
    undecoded: set[str]  # fields already reported as mistyped

    def __init__(self, document: Document, pointer: str, dotted: str) -> None:
        self.document = document
        self.pointer = pointer
        self.dotted = dotted
        self.findings = []
        self.undecoded = set()

    def report(self, tokens: tuple[str | int, ...], rule: str, message: str, severity: str = "error") -> None:
        pointer = self.pointer + "".join(f"/{escape_pointer_token(token)}" for token in tokens)
        self.findings.append(self.document.finding(pointer, rule, message, severity))

    # -- 1. strict decoding --------------------------------------------------------------------

    def decode(self, meta: dict[str, Any]) -> dict[str, Any]:
        """Report unknown and wrongly typed fields; return the fields that decoded, nulls dropped.

        A JSON null leaves a Go field at its zero value, so null is never a type error: the field
        is simply absent.
        """
        typed: dict[str, Any] = {}
        for key, value in meta.items():
            if key not in OBJECT_META_FIELDS:
                self.unknown_field((key,), OBJECT_META_FIELDS, f"{self.dotted}.{key}")
            elif value is None:
                continue
            elif self.decodes(key, value):
                typed[key] = value
            else:
                self.undecoded.add(key)
        return typed

    def unknown_field(self, tokens: tuple[str | int, ...], known: frozenset[str], dotted: str) -> None:
        message = f'unknown field "{dotted}"'
        import difflib  # only for a did-you-mean: a clean run never needs it

        close = difflib.get_close_matches(str(tokens[-1]), sorted(known), n=1)
        if close:
            message += f' (did you mean "{close[0]}"?)'
        self.report(tokens, "meta.unknown-field", message)

    def decodes(self, key: str, value: Any) -> bool:
        if key in _STRING_FIELDS:
            return self.is_string((key,), value, key)
        if key in _TIMESTAMP_FIELDS:
            if not self.is_string((key,), value, key):
                return False
            problem = _rfc3339_problem(value)
            if problem is not None:
                self.report(
                    (key,),
                    "meta.type",
                    f"{key} must be an RFC 3339 timestamp such as "
                    f'"2024-01-31T12:00:00Z", not {json.dumps(value)} ({problem})',
                )
                return False
            return True
        if key in _INTEGER_FIELDS:
            # YAML's 30.0 reaches the server as the JSON number 30, which an int64 accepts.
            whole = isinstance(value, float) and value.is_integer()
            if not whole and (isinstance(value, bool) or not isinstance(value, int)):
                shown = repr(value) if isinstance(value, float) else _json_kind(value)
                self.report((key,), "meta.type", f"{key} must be an integer, not {shown}")
                return False
            if not -(2**63) <= value < 2**63:
                self.report((key,), "meta.type", f"{key} must fit in a 64-bit integer, not {value}")
                return False
            return True
        if key in _STRING_MAP_FIELDS:
            return self.is_string_map(key, value)
        if key in _STRING_LIST_FIELDS:
            return self.is_list(key, value)
        if key == "ownerReferences":
            return self.is_list(key, value) and self.owner_references_decode(value)
        # A list, not a generator: every bad item is reported, not just the first.
        return self.is_list(key, value) and all(
            [self.is_object((key, index), item, f"{key}[{index}]") for index, item in enumerate(value)]
        )

    def is_string(self, tokens: tuple[str | int, ...], value: Any, what: str) -> bool:
        if isinstance(value, str):
            return True
        message = f"{what} must be a string, not {_json_kind(value)}"
        if isinstance(value, (bool, int, float)):
            # The usual cause: an unquoted `true`, `yes` or `1.0` that YAML turned into a non-string.
            source = _source_text(self.document, self.pointer, tokens) or json.dumps(value)
            message += f": quote it ({json.dumps(source)})"
        self.report(tokens, "meta.type", message)
        return False

    def is_object(self, tokens: tuple[str | int, ...], value: Any, what: str) -> bool:
        if isinstance(value, dict):
            return True
        self.report(tokens, "meta.type", f"{what} must be an object, not {_json_kind(value)}")
        return False

    def is_list(self, key: str, value: Any) -> bool:
        if isinstance(value, list):
            return True
        self.report((key,), "meta.type", f"{key} must be a list, not {_json_kind(value)}")
        return False

    def is_string_map(self, key: str, value: Any) -> bool:
        if not isinstance(value, dict):
            self.report((key,), "meta.type", f"{key} must be a map of strings, not {_json_kind(value)}")
            return False
        singular = key[:-1]  # "label", "annotation"
        # A null value decodes to "" in a Go map[string]string. A mistyped entry is reported here
        # and skipped later, so the other entries still get their checks.
        for name, item in value.items():
            if item is not None:
                self.is_string((key, name), item, f"{singular} value")
        return True

    def owner_references_decode(self, references: list[Any]) -> bool:
        clean = True
        for index, reference in enumerate(references):
            if reference is None:
                continue
            if not self.is_object(("ownerReferences", index), reference, f"ownerReferences[{index}]"):
                clean = False
                continue
            for key, value in reference.items():
                tokens: tuple[str | int, ...] = ("ownerReferences", index, key)
                if key not in _OWNER_FIELDS:
                    self.unknown_field(tokens, _OWNER_FIELDS, f"{self.dotted}.ownerReferences[{index}].{key}")
                    clean = False
                elif value is None:
                    continue
                elif key in _OWNER_STRING_FIELDS:
                    clean = self.is_string(tokens, value, key) and clean
                elif not isinstance(value, bool):
                    self.report(tokens, "meta.type", f"{key} must be a boolean, not {_json_kind(value)}")
                    clean = False
        return clean

    # -- 2. ValidateObjectMetaAccessor ---------------------------------------------------------

    def names(self, typed: dict[str, Any], rule: NameValidator, *, embedded: bool) -> None:
        # The server generates a name from generateName before validation (rest.BeforeCreate), so
        # "required" means "name or generateName"; generateName is checked as a prefix.
        generate = typed.get("generateName", "")
        if generate:
            messages = rule(generate, True)
            if messages:
                self.report(("generateName",), "meta.name", _invalid(generate, messages))
        name = typed.get("name", "")
        if name:
            messages = rule(name, False)
            if messages:
                self.report(("name",), "meta.name", _invalid(name, messages))
        elif not generate and not embedded and not self.undecoded & {"name", "generateName"}:
            self.report(("name",), "meta.name", "name or generateName is required")

    def namespace(self, typed: dict[str, Any], *, namespaced: bool, embedded: bool) -> None:
        namespace = typed.get("namespace", "")
        if not namespace:
            # Required upstream, but kubectl and the request URL supply it before validation.
            return
        if namespaced or embedded:
            messages = name_is_dns_label(namespace, False)
            if messages:
                self.report(("namespace",), "meta.namespace", _invalid(namespace, messages))
        else:
            # rest.BeforeCreate clears the namespace of a cluster-scoped object instead of failing;
            # the docs reader would still be misled, hence a warning.
            self.report(
                ("namespace",),
                "meta.namespace",
                f"namespace {json.dumps(namespace)} is ignored: this kind is cluster-scoped",
                "warning",
            )

    def generation(self, typed: dict[str, Any]) -> None:
        generation = typed.get("generation", 0)
        if generation < 0:  # ValidateNonnegativeField
            self.report(
                ("generation",),
                "meta.generation",
                _invalid(generation, ["must be greater than or equal to 0"]),
            )

    def labels(self, typed: dict[str, Any]) -> None:
        # meta/v1/validation ValidateLabels: every key a qualified name, every value a label value.
        for key, value in typed.get("labels", {}).items():
            if value is not None and not isinstance(value, str):
                continue  # already a meta.type finding
            problems = [f"key {json.dumps(key)}: {message}" for message in is_qualified_name(key)]
            problems += [
                f"value {json.dumps(value)}: {message}" for message in is_valid_label_value(value or "")
            ]
            if problems:
                self.report(("labels", key), "meta.labels", "Invalid label: " + "; ".join(problems))

    def annotations(self, typed: dict[str, Any]) -> None:
        annotations: dict[str, Any] = typed.get("annotations", {})
        for key in annotations:
            # ValidateAnnotations: "QualifiedName except that case doesn't matter".
            messages = is_qualified_name(key.lower())
            if messages:
                self.report(("annotations", key), "meta.annotations", _invalid(key, messages))
        total = sum(
            _byte_length(key) + (_byte_length(value) if isinstance(value, str) else 0)
            for key, value in annotations.items()
        )
        if total > TOTAL_ANNOTATION_SIZE_LIMIT_B:
            self.report(
                ("annotations",),
                "meta.annotations",
                f"Too long: may not be more than {TOTAL_ANNOTATION_SIZE_LIMIT_B} bytes "
                f"(keys and values add up to {total})",
            )

    def owner_references(self, typed: dict[str, Any]) -> None:
        # objectmeta.go ValidateOwnerReferences / validateOwnerReference.
        first_controller = ""
        for index, reference in enumerate(typed.get("ownerReferences", [])):
            reference = reference if isinstance(reference, dict) else {}
            strings: dict[str, str] = {}
            for key in _OWNER_STRING_FIELDS:
                value = reference.get(key)
                strings[key] = value if isinstance(value, str) else ""
            group, version = _group_version(strings["apiVersion"])
            if not version:
                self.report(
                    ("ownerReferences", index, "apiVersion"),
                    "meta.owner-references",
                    _invalid(strings["apiVersion"], ["version must not be empty"]),
                )
            for key in ("kind", "name", "uid"):
                if not strings[key]:
                    self.report(
                        ("ownerReferences", index, key), "meta.owner-references", f"{key} must not be empty"
                    )
            if (group, version, strings["kind"]) in _BANNED_OWNERS:
                self.report(
                    ("ownerReferences", index),
                    "meta.owner-references",
                    f"/{version}, Kind={strings['kind']} is disallowed from being an owner",
                )
            if reference.get("controller") is True:
                current = f"{strings['kind']}/{strings['name']}"
                if first_controller:
                    self.report(
                        ("ownerReferences", index, "controller"),
                        "meta.owner-references",
                        'Only one reference can have Controller set to true. Found "true" in '
                        f"references for {first_controller} and {current}",
                    )
                else:
                    first_controller = current

    def finalizers(self, typed: dict[str, Any]) -> None:
        # objectmeta.go ValidateFinalizers: qualified names, and not both deletion propagations.
        finalizers = typed.get("finalizers", [])
        for index, finalizer in enumerate(finalizers):
            if finalizer is None:
                finalizer = ""
            elif not self.is_string(("finalizers", index), finalizer, "finalizer"):
                continue
            messages = is_qualified_name(finalizer)
            if messages:
                self.report(("finalizers", index), "meta.finalizers", _invalid(finalizer, messages))
        if _FINALIZER_ORPHAN in finalizers and _FINALIZER_FOREGROUND in finalizers:
            self.report(
                ("finalizers",),
                "meta.finalizers",
                f"finalizer {_FINALIZER_ORPHAN} and {_FINALIZER_FOREGROUND} cannot be both set",
            )


def _invalid(value: Any, messages: list[str]) -> str:
    """`field.Invalid(...).Error()` without the path, which the finding carries separately."""
    return f"Invalid value: {json.dumps(value)}: " + "; ".join(messages)


def _group_version(api_version: str) -> tuple[str, str]:
    # ParseGroupVersion as FromAPIVersionAndKind uses it: its error gives the empty GroupVersion.
    return parse_group_version(api_version) or ("", "")


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _field_path(value: Any, pointer: str) -> str:
    """`spec.items[0].metadata` for `/spec/items/0/metadata`: the API server's field path."""
    path = ""
    current = value
    for token in split_pointer(pointer):
        if isinstance(current, list) and token.isdigit():
            path += f"[{token}]"
            current = current[int(token)] if int(token) < len(current) else None
        else:
            path += f".{token}" if path else token
            current = current.get(token) if isinstance(current, dict) else None
    return path


def _source_text(document: Document, pointer: str, tokens: tuple[str | int, ...]) -> str | None:
    """The scalar exactly as written in the YAML (`yes`, `1.0`), for a "quote it" hint."""
    node = document.node
    for token in [*split_pointer(pointer), *(str(token) for token in tokens)]:
        if isinstance(node, MappingNode):
            matches = [
                value for key, value in node.value if isinstance(key, ScalarNode) and key.value == token
            ]
            if not matches:
                return None
            node = matches[-1]
        elif isinstance(node, SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
        else:
            return None
    return str(node.value) if isinstance(node, ScalarNode) else None
