"""Minimum wage extended to domestic work: a floor for the hours of each job, hourly and monthly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy, monthly_chance
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class MinimumWage(Policy):
    """The floor of a job is the higher of the monthly minimum and the hourly minimum times its hours.

    The monthly minimum is for full-time hours (``standards.full_time_hours_week``) and
    pro-rated below them. An hourly minimum binds on long live-in hours; a monthly one
    rarely binds. Room and board meet at most ``in_kind_share`` of a live-in job's floor
    (ILO C189 Art. 12). Only complying employers pay it: those made to (``enforcement``),
    and those for whom the expected fine and back pay, and once they know of the law a
    norm, outweigh its cost (:mod:`model.mechanisms.compliance`); they cut
    hours before they end a job (:mod:`model.mechanisms.hours`). The others take it as a
    reference when they agree a wage, closing ``reference_pull`` of the gap to it as far
    as they would pay (at hire and at the yearly review). Employee-based agencies
    pay the city's statutory minimum (``standards.*``) whether or not this policy is in force.
    """

    key = "minimum_wage"

    class Params(PolicyParams):
        """Minimum wage extended to domestic work (ILO C189 Art. 11)."""

        monthly: float = param(
            2100.0, "yuan/month", "monthly minimum the policy extends to domestic work",
            "FACTS wages: Guangzhou 2,100 from July 2018", ge=0,
        )
        hourly: float = param(
            20.3, "yuan/hour", "hourly minimum the policy extends (0 = none)",
            "FACTS wages: Guangzhou hourly 20.3 from July 2018", ge=0,
        )
        enforcement: float = param(
            0.5, "share", "share of employers made to comply (registered, visible); the others choose",
            "assumption; the others weigh the cost against inspections, complaints and norms "
            "(compliance.*, ODD 7.6a)", ge=0, le=1,
        )
        inspections: float = param(
            0.02, "probability", "chance a home is inspected in a year (finds a wage below the floor)",
            "assumption: few home inspections, as in South Africa (docs/evidence.md, T1-T2)", ge=0, le=1,
        )
        fine: float = param(
            2000.0, "yuan", "fine for a job found paid below the floor, beside back pay (compliance.back_pay_months)",
            "assumption", ge=0,
        )
        in_kind_share: float = param(
            0.1, "share of the floor", "most of a live-in job's floor that room and board may meet",
            "ILO C189 Art. 12: payment in kind only for a limited proportion; the share is an assumption", ge=0, le=1,
        )
        reference_pull: float = param(
            0.5, "share of the gap",
            "share of the gap to the floor that employers who do not observe it still close when they agree a wage "
            "(at hire and at the yearly review), never above what they would pay: the floor as a reference",
            "set so that a floor half observed raises wages as in South Africa, where wages rose even where the law "
            "was not enforced (docs/evidence.md, T1-T2)", ge=0, le=1,
        )

    levers = (
        Lever("wage_floor_hourly_yuan", 0.0, "yuan/hour", "hourly wage floor; 0 = none"),
        Lever("wage_floor_monthly_yuan", 0.0, "yuan/month", "monthly wage floor for full-time hours; 0 = none"),
        Lever("wage_floor_in_kind_share", 0.0, "share of the floor", "most of a floor that room and board may meet"),
        Lever("wage_floor_enforcement", 0.0, "share", "share of employers made to comply with the floor"),
        Lever("wage_floor_inspection_rate", 0.0, "per month", "chance a home is inspected for the floor a month"),
        Lever("wage_floor_fine_yuan", 0.0, "yuan", "fine for a job found paid below the floor"),
        Lever("wage_floor_reference_pull", 0.0, "share of the gap",
              "share of the gap to the floor that employers who do not comply close when they agree a wage"),
    )

    def apply(self, world: World) -> None:
        """Set the hourly and monthly floors, what pay in kind may count for, and the share who comply."""
        world.levers.wage_floor_hourly_yuan = self.params.hourly
        world.levers.wage_floor_monthly_yuan = self.params.monthly
        world.levers.wage_floor_in_kind_share = self.params.in_kind_share
        world.levers.wage_floor_enforcement = self.params.enforcement
        world.levers.wage_floor_inspection_rate = monthly_chance(self.params.inspections)
        world.levers.wage_floor_fine_yuan = self.params.fine
        world.levers.wage_floor_reference_pull = self.params.reference_pull
