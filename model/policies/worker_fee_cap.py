"""Cap on agency fees charged to workers (ILO C181 Art. 7: no fees to workers at 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class WorkerFeeCap(Policy):
    """Agencies then weigh the gain from overcharging against detection x fine."""

    key = "worker_fee_cap"

    class Params(PolicyParams):
        """Cap on agency fees charged to workers (ILO C181 Art. 7)."""

        max_share: float = param(
            0.1,
            "share of first month's wage",
            "most an agency may charge a worker (0 = no fees)",
            "FACTS: Hong Kong caps fees at 10% of the first month's wage",
            ge=0,
            le=3,
        )
        enforcement: float = param(
            0.05,
            "probability",
            "chance an overcharge is detected",
            "assumption; Hong Kong prosecuted 12 of 5,503 inspections in 5 years (FACTS), far less",
            ge=0,
            le=1,
        )
        fine: float = param(10000.0, "yuan", "fine for a detected overcharge", ge=0)

    levers = (
        Lever("worker_fee_cap_share", float("inf"), "share of the first month's wage", "cap on fees to workers; "
              "inf = no cap"),
        Lever("fee_cap_detection", 0.0, "probability", "chance an overcharge is detected"),
        Lever("fee_cap_fine_yuan", 0.0, "yuan", "fine for a detected overcharge"),
    )

    def apply(self, world: World) -> None:
        """Set the cap, the chance an overcharge is detected and the fine."""
        world.levers.worker_fee_cap_share = self.params.max_share
        world.levers.fee_cap_detection = self.params.enforcement
        world.levers.fee_cap_fine_yuan = self.params.fine
