"""Social insurance subsidy: the state pays a share of contributions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.core.world import World


class InsuranceSubsidy(Policy):
    """Lowers the cost of insuring a worker for households and employee-based agencies."""

    key = "insurance_subsidy"

    def apply(self, world: World) -> None:
        """Set the subsidised share of contributions."""
        world.levers.insurance_subsidy_share = self.params.share
