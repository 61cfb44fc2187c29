"""Minimum wage extended to domestic work: a floor per job type, monthly or hourly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.core.levers import Lever
from model.core.tables import N_JOB_TYPES
from model.policies.base import Policy
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class MinimumWage(Policy):
    """The floor is the higher of the monthly minimum and the hourly minimum times hours.

    An hourly minimum binds on long live-in hours; a monthly one rarely binds. Only
    complying employers pay it (``enforcement``); employee-based agencies pay the
    city's statutory minimum (``standards.*``) whether or not this policy is in force.
    """

    key = "minimum_wage"

    class Params(PolicyParams):
        """Minimum wage extended to domestic work (ILO C189 Art. 11)."""

        monthly: float = param(
            2100.0, "yuan/month", "monthly minimum the policy extends to domestic work",
            "FACTS wages: Guangzhou 2,100 from July 2018", ge=0,
        )
        hourly: float = param(
            20.3, "yuan/hour", "hourly minimum the policy extends (0 = none)",
            "FACTS wages: Guangzhou hourly 20.3 from July 2018", ge=0,
        )
        enforcement: float = param(0.5, "share", "share of employers that comply or are made to", ge=0, le=1)

    levers = (
        Lever("wage_floor_yuan", lambda: np.zeros(N_JOB_TYPES), "yuan/month by job type", "wage floor; 0 = none"),
        Lever("wage_floor_enforcement", 0.0, "share", "share of employers that comply with the floor"),
    )

    def apply(self, world: World) -> None:
        """Set the floor for each job type and the share of employers who comply."""
        hourly_floor = self.params.hourly * world.types.hours_per_month
        world.levers.wage_floor_yuan = np.maximum(self.params.monthly, hourly_floor)
        world.levers.wage_floor_enforcement = self.params.enforcement
