"""Weekly rest and maximum hours for domestic workers (ILO C189 Art. 10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy, monthly_chance
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class WorkingTime(Policy):
    """At least 24 hours of rest in a row a week, and at most ``max_hours_week`` hours.

    Employers who comply (made to, ``enforcement``, or by choice:
    :mod:`model.mechanisms.compliance`) give a weekly rest day and cap the hours they
    buy; each chooses, within the cap, the hours that leave it most of the care's worth
    (:mod:`model.mechanisms.hours`), or ends the job when none are worth keeping, and may
    then meet its need another way (live-out or hourly work).
    """

    key = "working_time"

    class Params(PolicyParams):
        """Weekly rest and normal hours like other workers' (ILO C189 Art. 10)."""

        max_days_week: int = param(
            6, "days/week", "most days' work a week (6: at least 24 consecutive hours of rest)",
            "ILO C189 Art. 10(2): at least 24 consecutive hours of weekly rest", ge=1, le=7,
        )
        max_hours_week: float = param(
            49.0, "hours/week", "most hours' work a week",
            "PRC Labour Law Arts. 36 and 41: 40 normal hours a week and at most 36 hours of overtime a month "
            "(about 48.3 a week); C189 Art. 10(1): hours like other workers'", gt=0, le=168,
        )
        enforcement: float = param(
            0.5, "share", "share of employers made to comply (registered, visible); the others choose",
            "assumption; the others weigh the cost against inspections, complaints and norms "
            "(compliance.*, ODD 7.6a)", ge=0, le=1,
        )
        inspections: float = param(
            0.02, "probability", "chance a home is inspected in a year (finds hours or days over the limits)",
            "assumption: few home inspections", ge=0, le=1,
        )
        fine: float = param(2000.0, "yuan", "fine for a job found over the limits", "assumption", ge=0)

    levers = (
        Lever("max_days_week", 7, "days/week", "most days' work a week a complying employer buys"),
        Lever("max_hours_week", 168.0, "hours/week", "most hours a week a complying employer buys"),
        Lever("working_time_enforcement", 0.0, "share", "share of employers made to comply with the limits"),
        Lever("working_time_inspection_rate", 0.0, "per month", "chance a home is inspected for the limits a month"),
        Lever("working_time_fine_yuan", 0.0, "yuan", "fine for a job found over the limits"),
    )

    def apply(self, world: World) -> None:
        """Set the limits and the share of employers who comply."""
        world.levers.max_days_week = self.params.max_days_week
        world.levers.max_hours_week = self.params.max_hours_week
        world.levers.working_time_enforcement = self.params.enforcement
        world.levers.working_time_inspection_rate = monthly_chance(self.params.inspections)
        world.levers.working_time_fine_yuan = self.params.fine
