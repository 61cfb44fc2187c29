"""Policy levers: what policies set each month and mechanisms read.

A policy declares the levers it moves (:class:`Lever`: a name, its value at rest, a
unit and a line of meaning). :class:`Levers` holds this month's value of every
declared lever as an attribute; each month starts at rest and the policies in
force move their own. Mechanisms read levers, never a policy's parameters, so a
policy acts only through what it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Lever:
    """One lever: ``at_rest`` is its value with no policy in force (a callable for arrays, made anew each month)."""

    name: str
    at_rest: Any | Callable[[], Any]
    unit: str
    doc: str

    def rest_value(self) -> Any:
        """The value at rest (a fresh array when it is one)."""
        return self.at_rest() if callable(self.at_rest) else self.at_rest


class Levers:
    """This month's value of every declared lever, one attribute a lever.

    Setting a name no policy declared is an error (a misspelt lever would otherwise
    be set and never read).
    """

    def __init__(self, declared: Iterable[Lever]) -> None:
        names = []
        for lever in declared:
            object.__setattr__(self, lever.name, lever.rest_value())
            names.append(lever.name)
        object.__setattr__(self, "_names", frozenset(names))

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._names:
            raise AttributeError(f"no policy declares a lever {name!r}; declared: {', '.join(sorted(self._names))}")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in sorted(self._names))
        return f"Levers({values})"
