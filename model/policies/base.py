"""What a policy is: its parameters, the levers it moves with their values at rest, and how it moves them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from model.core.levers import Lever
from model.scenario.fields import PolicyParams

if TYPE_CHECKING:
    from model.core.world import World


def monthly_chance(yearly: float) -> float:
    """The chance a month that gives ``yearly`` over twelve independent months."""
    return 1.0 - (1.0 - yearly) ** (1.0 / 12.0)


class Policy:
    """A policy: one file declares all of it.

    Attributes:
        key: its block under ``policies`` in a scenario (``policies.<key>.*``).
        Params: its parameters, a :class:`PolicyParams` section (``enabled`` and
            ``start_month`` come with it); each key with its unit, range and source.
        levers: the levers it moves, each with its value at rest (no policy in force).
        params: this scenario's values of ``Params``.
    """

    key: ClassVar[str] = ""
    Params: ClassVar[type[PolicyParams]] = PolicyParams
    levers: ClassVar[tuple[Lever, ...]] = ()

    def __init__(self, params: Any) -> None:
        self.params = params

    def in_force(self, month: int) -> bool:
        """Enabled and started by ``month``."""
        return bool(self.params.enabled) and month >= self.params.start_month

    def apply(self, world: World) -> None:  # pragma: no cover - every subclass overrides
        """Move ``world.levers`` for this month (it is in force)."""
        raise TypeError(f"{type(self).__name__} must define apply()")
