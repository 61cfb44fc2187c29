"""An information campaign: letters or messages telling households about the laws in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.core.levers import Lever
from model.policies.base import Policy
from model.scenario.fields import PolicyParams, param

if TYPE_CHECKING:
    from model.core.world import World


class InformationCampaign(Policy):
    """Each month it runs, a share of households is reached; of them ``compliance.campaign_uptake`` learn of the laws.

    It acts only through awareness (:mod:`model.mechanisms.compliance`): a household that
    knows of a law weighs a norm against breaking it, and a campaign about no law in
    force changes nothing. Argentina's letters to likely employers raised registration
    of domestic workers by about 0.22 points a wave (docs/evidence.md, T8).
    """

    key = "information_campaign"

    class Params(PolicyParams):
        """Letters or messages to households about the laws on domestic work."""

        reach: float = param(
            0.2, "share a month", "share of households reached a month while it runs",
            "assumption; Argentina wrote to likely employers of domestic workers in waves (docs/evidence.md, T8)",
            ge=0, le=1,
        )
        months: int = param(
            12, "months", "months it runs from its start month (a wave of letters is one month)", ge=1, le=100_000,
        )

    levers = (
        Lever("campaign_reach", 0.0, "share a month", "share of households an information campaign reaches this month"),
    )

    def apply(self, world: World) -> None:
        """Reach ``reach`` of households this month if the campaign still runs."""
        if world.month < self.params.start_month + self.params.months:
            world.levers.campaign_reach = self.params.reach
