"""Minimum wage extended to domestic work: a floor per job type, monthly or hourly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


class MinimumWage(Policy):
    """The floor is the higher of the monthly minimum and the hourly minimum times hours.

    An hourly minimum binds on long live-in hours; a monthly one rarely binds.
    """

    key = "minimum_wage"

    def apply(self, model: DomesticWorkModel) -> None:
        """Set the floor for each job type and the share of employers who comply."""
        hourly_floor = self.params.hourly * model.types.hours_per_month
        model.levers.wage_floor_yuan = np.maximum(self.params.monthly, hourly_floor)
        model.levers.wage_floor_enforcement = self.params.enforcement
