"""Written labour contract required: moves the choice only through expected fines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Policy

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


class ContractMandate(Policy):
    """Expected fine a month = yearly inspection chance x fine / 12."""

    key = "contract_mandate"

    def apply(self, model: DomesticWorkModel) -> None:
        """Set the expected monthly fine of a job without a contract."""
        model.levers.contract_expected_fine_yuan = self.params.enforcement * self.params.fine / 12.0
