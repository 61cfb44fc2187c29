"""Minimum wage extended to domestic work: a floor per job type, monthly or hourly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.core.world import World


class MinimumWage(Policy):
    """The floor is the higher of the monthly minimum and the hourly minimum times hours.

    An hourly minimum binds on long live-in hours; a monthly one rarely binds.
    """

    key = "minimum_wage"

    def apply(self, world: World) -> None:
        """Set the floor for each job type and the share of employers who comply."""
        hourly_floor = self.params.hourly * world.types.hours_per_month
        world.levers.wage_floor_yuan = np.maximum(self.params.monthly, hourly_floor)
        world.levers.wage_floor_enforcement = self.params.enforcement
