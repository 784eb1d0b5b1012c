"""Regular expressions with Go's `regexp` semantics, in linear time (RE2).

The API server compiles a CRD's `pattern` with Go's `regexp` (apiextensions validation.go;
kube-openapi validate.go `Pattern` uses `regexp.MatchString`), which is RE2: no backtracking, so
`^(a+)+$` against a long run of `a`s answers at once, where Python's `re` takes exponential
time. The semantics differ from Python's too: `$` is the end of the text (a trailing newline does
not match it), `\\d`, `\\w` and `\\s` are ASCII only, and backreferences and lookaround do not
compile at all (the API server rejects such a CRD).

google-re2 (Google's RE2 with Python bindings) gives both the speed guarantee and the syntax;
`bench/regex_engines.py` measures it against Python's `re` (see bench/README.md).
"""

from __future__ import annotations

import functools
from typing import Any

# Compiled patterns kept per process: a docs site has tens of distinct patterns, a CRD set a few
# hundred; the bound keeps a hostile input's variety from growing memory without limit.
_CACHE_SIZE = 2048


class PatternError(ValueError):
    """The pattern is not valid Go regexp syntax (what the API server rejects)."""


@functools.cache
def _re2() -> Any:
    import re2

    options = re2.Options()
    # RE2 logs every syntax error to stderr by default, which would print on every CLI run.
    options.log_errors = False
    return re2, options


@functools.lru_cache(maxsize=_CACHE_SIZE)
def compile_go(pattern: str) -> Any:
    """A compiled pattern with Go semantics; its `search(text)` is a match anywhere, like Go's MatchString.

    Raises:
        PatternError: RE2 (Go's syntax) cannot compile it.
    """
    module, options = _re2()
    try:
        return module.compile(pattern, options)
    except module.error as error:
        reason = error.args[0] if error.args else str(error)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", errors="replace")
        raise PatternError(f"error parsing regexp: {reason}") from None
    except (TypeError, ValueError) as error:
        raise PatternError(f"error parsing regexp: {error}") from None


def pattern_problem(pattern: Any) -> str | None:
    """Why the API server would reject `pattern` in a CRD, or None when it compiles."""
    if not isinstance(pattern, str):
        return None
    try:
        compile_go(pattern)
    except PatternError as error:
        return str(error)
    return None


def matches(pattern: str, text: str) -> bool:
    """Go's `regexp.MatchString(pattern, text)`: True when the pattern matches anywhere in `text`.

    Raises:
        PatternError: The pattern does not compile.
    """
    return compile_go(pattern).search(text) is not None


def go_pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Any:
    """The `pattern` keyword for jsonschema's `extend(validators=...)`, with Go semantics.

    A pattern that does not compile is the CRD's own error (reported when the CRD loads), so it
    checks nothing here, as the API server never gets to validate against it.
    """
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "string") or not isinstance(pattern, str):
        return
    try:
        found = matches(pattern, instance)
    except PatternError:
        return
    if not found:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")
