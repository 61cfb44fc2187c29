"""The levers that policies move, and the base class of a policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from model.core.tables import N_JOB_TYPES

if TYPE_CHECKING:
    from model.core.world import World


@dataclass
class Levers:
    """The month's effective policy levers, read by the mechanisms."""

    wage_floor_yuan: np.ndarray  # per job type, monthly; 0 = no floor
    wage_floor_enforcement: float  # share of employers that comply
    contract_expected_fine_yuan: float  # per month without a contract
    contract_inspection_rate: float  # monthly chance a job without a contract is inspected
    contract_fine_yuan: float  # fine for a job found without a contract
    worker_fee_cap_share: float  # of the first month's wage; inf = no cap
    fee_cap_detection: float
    fee_cap_fine_yuan: float
    insurance_subsidy_share: float
    employee_based_subsidy_yuan: float  # per employee a month
    training_subsidy_share: float
    credit_records: bool
    credit_weight: float
    worker_record_weight: float  # how strongly visible worker records steer hirers; 0 = not visible
    hukou_gap: float  # 1 = full disadvantage of lacking local hukou, 0 = none

    @classmethod
    def at_rest(cls) -> Levers:
        """No policy in force."""
        return cls(
            wage_floor_yuan=np.zeros(N_JOB_TYPES),
            wage_floor_enforcement=0.0,
            contract_expected_fine_yuan=0.0,
            contract_inspection_rate=0.0,
            contract_fine_yuan=0.0,
            worker_fee_cap_share=float("inf"),
            fee_cap_detection=0.0,
            fee_cap_fine_yuan=0.0,
            insurance_subsidy_share=0.0,
            employee_based_subsidy_yuan=0.0,
            training_subsidy_share=0.0,
            credit_records=False,
            credit_weight=0.0,
            worker_record_weight=0.0,
            hukou_gap=1.0,
        )


class Policy:
    """A policy lever: reads its scenario block, moves the levers while in force."""

    key: ClassVar[str] = ""

    def __init__(self, params: Any) -> None:
        self.params = params

    def in_force(self, month: int) -> bool:
        """Enabled and started by ``month``."""
        return bool(self.params.enabled) and month >= self.params.start_month

    def apply(self, world: World) -> None:  # pragma: no cover - every subclass overrides
        """Move ``world.levers`` for this month."""
        raise TypeError(f"{type(self).__name__} must define apply()")
