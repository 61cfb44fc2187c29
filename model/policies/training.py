"""Training and certification subsidy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.core.world import World


class TrainingSubsidy(Policy):
    """The state pays a share of the course cost."""

    key = "training"

    def apply(self, world: World) -> None:
        """Set the subsidised share of a course."""
        world.levers.training_subsidy_share = self.params.subsidy_share
