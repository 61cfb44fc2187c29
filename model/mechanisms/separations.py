"""Job quality and separations: exogenous endings, quits, dismissals, minimum wage compliance.

Endings outside the model happen at ``market.separation_rate`` times a job-type
multiplier. A worker whose wages went unpaid last month may quit; informal jobs
(no contract) carry an extra quit hazard (abuse, long hours); weak workers are
dismissed more. When a minimum wage is in force, complying households raise
wages below the floor, or let the worker go when the floor is more than they
would pay her. Agency placements that end badly cost the agency reputation, and
dismissals mark a worker's record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model import labour
from model.mechanisms import agencies, wages
from model.tables import AGENCY, EMPLOYED

if TYPE_CHECKING:
    from model.model import DomesticWorkModel



def end_jobs(model: DomesticWorkModel) -> None:
    """End this month's jobs, each for its first reason in order."""
    w = model.workers
    m = model.params.market
    month = model.month
    employed = w.with_status(EMPLOYED)
    job_type = w.job_type[employed]

    def u(name: str) -> np.ndarray:
        return model.streams.uniform(name, month, employed)

    exogenous = u("separation") < m.separation_rate * model.types.separation_multiplier[job_type]
    arrears = w.arrears_now[employed] & (u("quit_arrears") < m.quit_after_arrears)
    informal = ~(w.contract[employed] | w.agency_employed[employed])
    quits = informal & (u("quit_informal") < m.informal_quit_rate)
    prod = wages.productivity(model, employed)
    weakness = (m.dismissal_productivity_top - prod) / m.dismissal_productivity_span
    dismissal_rate = m.dismissal_rate * np.clip(weakness, 0.0, m.dismissal_max_multiplier)
    dismissed = u("dismissal") < dismissal_rate
    priced_out = _apply_wage_floor(model, employed)

    taken = np.zeros(employed.size, dtype=bool)
    for reason, hit in (("exogenous", exogenous), ("quit_arrears", arrears), ("quit_informal", quits),
                        ("dismissal", dismissed), ("minimum_wage", priced_out)):
        rows = employed[hit & ~taken]
        taken |= hit
        if rows.size == 0:
            continue
        bad = reason in ("quit_arrears", "quit_informal", "dismissal")
        record_and_separate(model, rows, reason, bad)


def record_and_separate(model: DomesticWorkModel, rows: np.ndarray, reason: str, bad: bool) -> None:
    """Note the outcome for the agency, the channel and the worker's record, then end the jobs."""
    w = model.workers
    via_agency = w.channel[rows] == AGENCY
    early = w.months_in_job[rows] < model.params.agencies.early_end_months
    good = ~(bad & early)
    agencies.record_outcomes(model, np.where(via_agency, w.agency[rows], -1), good)
    # Households learn about agencies from how their placements end, judged as reputation
    # judges them; endings that say nothing of the agency (festival, going home) teach nothing.
    if reason in ("exogenous", "need_ended", "quit_arrears", "quit_informal", "dismissal"):
        trust = model.households.trust_agency
        clients = w.employer[rows[via_agency]]
        trust[clients] += model.params.channels.learning_rate * (good[via_agency] - trust[clients])
    if reason == "dismissal":
        w.record[rows] += model.params.market.record_rate * (0.0 - w.record[rows])
    elif reason in ("exogenous", "need_ended"):
        w.record[rows] += model.params.market.record_rate * (1.0 - w.record[rows])
    labour.separate(model, rows, reason)


def _apply_wage_floor(model: DomesticWorkModel, employed: np.ndarray) -> np.ndarray:
    """Complying households raise wages to a floor in force, or let go when they cannot pay it."""
    lev = model.levers
    w = model.workers
    if not np.any(lev.wage_floor_yuan > 0):
        return np.zeros(employed.size, dtype=bool)
    households = w.employer[employed]
    floor = wages.legal_floor(model, w.job_type[employed], households, w.agency_employed[employed])
    below = w.wage_yuan[employed] < floor
    can_pay = wages.household_maximum(model, employed, households) >= floor
    raise_to = employed[below & can_pay]
    w.wage_yuan[raise_to] = floor[below & can_pay]
    return below & ~can_pay
