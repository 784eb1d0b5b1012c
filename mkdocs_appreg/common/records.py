"""Why the classes that carry results are written by hand, and the base that gives them `==`.

They are plain classes with `__slots__` and an explicit `__init__`, not dataclasses or
NamedTuples, because both cost every build at import, before any work: a NamedTuple class
about 1.4 M instructions (typing evaluates its annotations), a dataclass about 1 ms each to
generate its methods (bench/README.md, third round). A cold `mkdocs build` imports dozens of
them. This is the one place that says so; a module's classes only point here. (The few
NamedTuples left are where a tuple is the point: made by the thousand, or unpacked.)

`Record` gives such a class, once and without generating code, what a dataclass would: `==`
by value and `Name(field=value, ...)` as repr.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Record:
    """Compared and shown by the attributes named in `FIELDS`, in that order.

    A subclass lists its constructor's parameters in `FIELDS` and its own `__slots__`. Records are
    unhashable unless the subclass defines `__hash__` (most hold lists): Python sets `__hash__` to
    None in a class that defines `__eq__` alone.
    """

    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({shown})"
