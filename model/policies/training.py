"""Training and certification subsidy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


class TrainingSubsidy(Policy):
    """The state pays a share of the course cost."""

    key = "training"

    def apply(self, model: DomesticWorkModel) -> None:
        """Set the subsidised share of a course."""
        model.levers.training_subsidy_share = self.params.subsidy_share
