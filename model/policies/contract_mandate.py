"""Written labour contract required: moves the choice through expected fines, complaints and norms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy, monthly_chance
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class ContractMandate(Policy):
    """Inspections find jobs without a contract; expected fine a month = monthly inspection chance x fine."""

    key = "contract_mandate"

    class Params(PolicyParams):
        """Written labour contract required (ILO C189 Art. 7)."""

        enforcement: float = param(
            0.1, "probability", "chance a job without a contract is inspected in a year", ge=0, le=1
        )
        fine: float = param(5000.0, "yuan", "fine for a job found without a contract", ge=0)

    levers = (
        Lever("contract_required", False, "yes/no", "a law requires a written contract (households learn of it)"),
        Lever("contract_inspection_rate", 0.0, "per month", "chance a job without a contract is inspected"),
        Lever("contract_fine_yuan", 0.0, "yuan", "fine for a job found without a contract"),
        Lever("contract_expected_fine_yuan", 0.0, "yuan/month", "expected fine a month of a job without a contract"),
    )

    def apply(self, world: World) -> None:
        """Set the monthly inspection chance, the fine and the expected monthly fine of a job without a contract."""
        lev = world.levers
        lev.contract_required = True
        lev.contract_inspection_rate = monthly_chance(self.params.enforcement)
        lev.contract_fine_yuan = self.params.fine
        lev.contract_expected_fine_yuan = lev.contract_inspection_rate * self.params.fine
