"""Cap on agency fees charged to workers (ILO C181 Art. 7: no fees to workers at 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.core.world import World


class WorkerFeeCap(Policy):
    """Agencies then weigh the gain from overcharging against detection x fine."""

    key = "worker_fee_cap"

    def apply(self, world: World) -> None:
        """Set the cap, the chance an overcharge is detected and the fine."""
        world.levers.worker_fee_cap_share = self.params.max_share
        world.levers.fee_cap_detection = self.params.enforcement
        world.levers.fee_cap_fine_yuan = self.params.fine
