"""Hukou reform: local public services and insurance for migrant workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy
from model.scenario.fields import PolicyParams

if TYPE_CHECKING:
    from model.core.world import World


class HukouReform(Policy):
    """Closes a share of the gap between migrants and locals (living costs, pull of home, insurance).

    How much it closes is a parameter of the hukou system, ``hukou.reform_effect``.
    """

    key = "hukou_reform"

    class Params(PolicyParams):
        """Local public services and insurance for migrant workers."""

    levers = (Lever("hukou_gap", 1.0, "share", "how much of the disadvantage of lacking local hukou remains; "
                    "1 = all, 0 = none"),)

    def apply(self, world: World) -> None:
        """Shrink the hukou gap by the reform effect."""
        world.levers.hukou_gap = 1.0 - world.params.hukou.reform_effect
