"""Cap on agency fees charged to workers (ILO C181 Art. 7: no fees to workers at 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


class WorkerFeeCap(Policy):
    """Agencies then weigh the gain from overcharging against detection x fine."""

    key = "worker_fee_cap"

    def apply(self, model: DomesticWorkModel) -> None:
        """Set the cap, the chance an overcharge is detected and the fine."""
        model.levers.worker_fee_cap_share = self.params.max_share
        model.levers.fee_cap_detection = self.params.enforcement
        model.levers.fee_cap_fine_yuan = self.params.fine
