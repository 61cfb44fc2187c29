"""Social insurance subsidy: the state pays a share of contributions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class InsuranceSubsidy(Policy):
    """Lowers the cost of insuring a worker for households and employee-based agencies."""

    key = "insurance_subsidy"

    class Params(PolicyParams):
        """Social insurance subsidy (2019 State Council Opinions)."""

        share: float = param(0.5, "share", "share of contributions the state pays", ge=0, le=1)

    levers = (Lever("insurance_subsidy_share", 0.0, "share", "share of social insurance contributions the state pays"),)

    def apply(self, world: World) -> None:
        """Set the subsidised share of contributions."""
        world.levers.insurance_subsidy_share = self.params.share
