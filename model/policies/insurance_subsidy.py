"""Social insurance subsidy: the state pays a share of contributions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


class InsuranceSubsidy(Policy):
    """Lowers the cost of insuring a worker for households and employee-based agencies."""

    key = "insurance_subsidy"

    def apply(self, model: DomesticWorkModel) -> None:
        """Set the subsidised share of contributions."""
        model.levers.insurance_subsidy_share = self.params.share
