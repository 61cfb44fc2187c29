"""Policy levers: each a small object with ``apply(model)``, called at the start of every month.

A policy reads its own block of the scenario and sets the month's effective
levers in ``world.levers`` (a :class:`Levers`), which the mechanisms read. A
policy not enabled, or not yet started, leaves the levers as they are at rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.policies.base import Levers, Policy
from model.policies.contract_mandate import ContractMandate
from model.policies.credit_records import CreditRecords
from model.policies.employee_based_support import EmployeeBasedSupport
from model.policies.hukou_reform import HukouReform
from model.policies.insurance_subsidy import InsuranceSubsidy
from model.policies.minimum_wage import MinimumWage
from model.policies.training import TrainingSubsidy
from model.policies.worker_fee_cap import WorkerFeeCap

if TYPE_CHECKING:
    from model.core.world import World

POLICY_CLASSES: tuple[type[Policy], ...] = (
    MinimumWage, ContractMandate, WorkerFeeCap, InsuranceSubsidy,
    EmployeeBasedSupport, TrainingSubsidy, CreditRecords, HukouReform,
)


class PolicySet:
    """All policy levers of a scenario, applied in a fixed order each month."""

    def __init__(self, world: World) -> None:
        self.policies = [cls(getattr(world.params.policies, cls.key)) for cls in POLICY_CLASSES]

    def apply(self, world: World) -> None:
        """Reset the levers to rest, then let each policy in force move them."""
        world.levers = Levers.at_rest()
        for policy in self.policies:
            if policy.in_force(world.month):
                policy.apply(world)

    def in_force(self, month: int) -> list[str]:
        """Keys of the policies in force in ``month``."""
        return [p.key for p in self.policies if p.in_force(month)]


__all__ = ["POLICY_CLASSES", "Levers", "Policy", "PolicySet"]
