"""Sector credit records: agencies' reputations and workers' histories become visible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


class CreditRecords(Policy):
    """Households steer to reputable agencies; agencies screen on worker records."""

    key = "credit_records"

    def apply(self, model: DomesticWorkModel) -> None:
        """Make records visible with the scenario's weight."""
        model.levers.credit_records = True
        model.levers.credit_weight = self.params.weight
