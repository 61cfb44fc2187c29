"""Hukou reform: local public services and insurance for migrant workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.core.world import World


class HukouReform(Policy):
    """Closes a share of the gap between migrants and locals (living costs, pull of home, insurance)."""

    key = "hukou_reform"

    def apply(self, world: World) -> None:
        """Shrink the hukou gap by the reform effect."""
        world.levers.hukou_gap = 1.0 - world.params.hukou.reform_effect
