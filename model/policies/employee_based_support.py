"""Support for employee-based agencies (VAT exemption, insurance refunds, training)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.core.world import World


class EmployeeBasedSupport(Policy):
    """A monthly subsidy per worker an employee-based agency employs."""

    key = "employee_based_support"

    def apply(self, world: World) -> None:
        """Set the subsidy per employee a month."""
        world.levers.employee_based_subsidy_yuan = self.params.subsidy_per_worker
