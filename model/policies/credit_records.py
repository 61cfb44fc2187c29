"""Sector credit records: agencies' reputations and workers' histories become visible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class CreditRecords(Policy):
    """Households steer to reputable agencies; agencies and households screen on worker records."""

    key = "credit_records"

    class Params(PolicyParams):
        """Sector credit records of agencies and workers (2019 national platform)."""

        weight: float = param(
            3.0, "utils", "how strongly visible agency records steer households among agencies", ge=0, le=50
        )
        record_weight: float = param(
            3.0, "utils", "how strongly visible worker records steer hirers (agencies, households) among workers",
            ge=0, le=50,
        )

    levers = (
        Lever("credit_records", False, "switch", "whether agency reputations are visible to households"),
        Lever("credit_weight", 0.0, "utils", "how strongly visible agency records steer households"),
        Lever("worker_record_weight", 0.0, "utils", "how strongly visible worker records steer hirers; 0 = not "
              "visible"),
    )

    def apply(self, world: World) -> None:
        """Make records visible with the scenario's weights."""
        world.levers.credit_records = True
        world.levers.credit_weight = self.params.weight
        world.levers.worker_record_weight = self.params.record_weight
