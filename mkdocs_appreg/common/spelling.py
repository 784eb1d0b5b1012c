"""Near misses: names within a small edit distance of a word, relative to its length.

`difflib.get_close_matches` scores by matching blocks, so `selfSigned` comes out "close" to
`selfLink` and `edaNamespace` to `namespace`: suggestions a reader can only find puzzling. A
misspelling or a renamed field differs by about one edit per five characters; that is the budget.
"""

from __future__ import annotations

from collections.abc import Iterable


def edit_distance(first: str, second: str, limit: int) -> int:
    """Levenshtein distance, or `limit + 1` as soon as it is certain to exceed `limit`."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i]
        for j, b in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def edit_budget(word: str) -> int:
    """Edits allowed between `word` and a name it may misspell: one per five characters, at least one."""
    return max(1, len(word) // 5)


def close_names(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates within `edit_budget(word)` edits of `word`, closest first, then by name.

    Letter case is not an edit: `remoteUrl` for `remoteURL` is the commonest drift of all.
    """
    budget = edit_budget(word)
    lowered = word.lower()
    scored = sorted(
        (edit_distance(lowered, name.lower(), budget), name) for name in set(candidates) if name != word
    )
    return [name for distance, name in scored if distance <= budget]


def is_camel_prefix(name: str, word: str) -> bool:
    """Whether `name` is a camelCase prefix of `word` worth suggesting (`mirror` of `mirrorUrl`).

    It must be at least four characters and half the word, and the word must go on with a capital.
    """
    return len(name) >= max(4, len(word) / 2) and word.startswith(name) and word[len(name) :][:1].isupper()


def suggest_names(word: str, candidates: Iterable[str]) -> list[str]:
    """At most three names `word` most likely means: camelCase prefixes (longest first), else close spellings."""
    names = set(candidates)
    prefixes = sorted((name for name in names if is_camel_prefix(name, word)), key=lambda n: (-len(n), n))
    if prefixes:
        return prefixes[:3]
    return close_names(word, names)[:3]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`; did you mean "x"?` for the names `suggest_names` finds, or "" when there are none."""
    names = suggest_names(word, candidates)
    return "; did you mean " + " or ".join(f'"{name}"' for name in names) + "?" if names else ""


__all__ = ["close_names", "did_you_mean", "edit_budget", "edit_distance", "is_camel_prefix", "suggest_names"]
