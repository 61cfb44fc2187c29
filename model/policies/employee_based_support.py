"""Support for employee-based agencies (VAT exemption, insurance refunds, training)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class EmployeeBasedSupport(Policy):
    """A monthly subsidy per worker an employee-based agency employs."""

    key = "employee_based_support"

    class Params(PolicyParams):
        """Support for employee-based agencies ("36 measures", 2019)."""

        subsidy_per_worker: float = param(
            500.0, "yuan/month", "subsidy an employee-based agency gets per employee", ge=0
        )

    levers = (Lever("employee_based_subsidy_yuan", 0.0, "yuan/month", "subsidy per employee of an employee-based "
                    "agency"),)

    def apply(self, world: World) -> None:
        """Set the subsidy per employee a month."""
        world.levers.employee_based_subsidy_yuan = self.params.subsidy_per_worker
