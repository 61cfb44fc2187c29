"""Training and certification subsidy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class TrainingSubsidy(Policy):
    """The state pays a share of the course cost."""

    key = "training"

    class Params(PolicyParams):
        """Training and certification subsidy."""

        subsidy_share: float = param(0.5, "share", "share of the course cost the state pays", ge=0, le=1)

    levers = (Lever("training_subsidy_share", 0.0, "share", "share of a course's cost the state pays"),)

    def apply(self, world: World) -> None:
        """Set the subsidised share of a course."""
        world.levers.training_subsidy_share = self.params.subsidy_share
