"""Sector credit records: agencies' reputations and workers' histories become visible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.core.world import World


class CreditRecords(Policy):
    """Households steer to reputable agencies; agencies screen on worker records."""

    key = "credit_records"

    def apply(self, world: World) -> None:
        """Make records visible with the scenario's weight."""
        world.levers.credit_records = True
        world.levers.credit_weight = self.params.weight
        world.levers.worker_record_weight = self.params.record_weight
