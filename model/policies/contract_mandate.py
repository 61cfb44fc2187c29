"""Written labour contract required: moves the choice only through expected fines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.core.world import World


class ContractMandate(Policy):
    """Inspections find jobs without a contract; expected fine a month = monthly inspection chance x fine."""

    key = "contract_mandate"

    def apply(self, world: World) -> None:
        """Set the monthly inspection chance, the fine and the expected monthly fine of a job without a contract."""
        lev = world.levers
        lev.contract_inspection_rate = 1.0 - (1.0 - self.params.enforcement) ** (1.0 / 12.0)
        lev.contract_fine_yuan = self.params.fine
        lev.contract_expected_fine_yuan = lev.contract_inspection_rate * self.params.fine
