"""Cap on agency fees charged to workers (ILO C181 Art. 7: no fees to workers at 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class WorkerFeeCap(Policy):
    """Agencies then weigh the gain from overcharging against the expected fine.

    Inspectors visit each agency ``inspections`` times a year; a visit to an overcharging
    agency proves it with ``enforcement``, as does a complaint of a worker who knows of
    the law (:func:`model.mechanisms.agencies.enforce_fee_cap`). Overcharges taken by
    deduction or by a loan at interest count as fees (ILO C181 Art. 7).
    """

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
            "chance an inspection of an overcharging agency, or a worker's complaint, proves the overcharge",
            "assumption; Hong Kong prosecuted 12 of 5,503 inspections in 5 years (FACTS): about 0.003 of "
            "inspections of overcharging agencies",
            ge=0,
            le=1,
        )
        inspections: float = param(
            1.0, "per year", "inspections of each agency a year",
            "FACTS policy: Hong Kong, 5,503 inspections in 5 years, about one a licensed agency a year "
            "(some 1,300 agencies: an assumption)", ge=0, le=12,
        )
        fine: float = param(10000.0, "yuan", "fine for a detected overcharge", ge=0)

    levers = (
        Lever("worker_fee_cap_share", float("inf"), "share of the first month's wage", "cap on fees to workers; "
              "inf = no cap"),
        Lever("fee_cap_detection", 0.0, "probability", "chance an inspection or a complaint proves an overcharge"),
        Lever("fee_cap_inspection_rate", 0.0, "per month", "chance an agency is inspected a month"),
        Lever("fee_cap_fine_yuan", 0.0, "yuan", "fine for a detected overcharge"),
    )

    def apply(self, world: World) -> None:
        """Set the cap, the monthly chance an agency is inspected, the chance a proof follows, and the fine."""
        world.levers.worker_fee_cap_share = self.params.max_share
        world.levers.fee_cap_detection = self.params.enforcement
        world.levers.fee_cap_inspection_rate = min(self.params.inspections / 12.0, 1.0)
        world.levers.fee_cap_fine_yuan = self.params.fine
