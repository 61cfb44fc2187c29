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
from model.jit import kernel
from model.mechanisms import agencies, wages
from model.rng import uniform_at
from model.tables import AGENCY, EMPLOYED

# Why a job ends this month, in the order the reasons are checked: a job ending for
# several reasons ends for the first.
REASONS = ("exogenous", "quit_arrears", "quit_informal", "dismissal", "minimum_wage")
EXOGENOUS, QUIT_ARREARS, QUIT_INFORMAL, DISMISSAL, MINIMUM_WAGE = range(len(REASONS))

if TYPE_CHECKING:
    from model.model import DomesticWorkModel



def end_jobs(model: DomesticWorkModel) -> None:
    """End this month's jobs, each for its first reason in order."""
    employed = model.workers.with_status(EMPLOYED)
    first = job_endings(model, employed)
    for code, reason in enumerate(REASONS):
        rows = employed[first == code]
        if rows.size:
            record_and_separate(model, rows, reason, bad=code in (QUIT_ARREARS, QUIT_INFORMAL, DISMISSAL))


def job_endings(model: DomesticWorkModel, employed: np.ndarray) -> np.ndarray:
    """Why each job of ``employed`` ends this month: a code of ``REASONS``, -1 when it goes on.

    Complying households also raise wages below a minimum wage in force here.
    """
    w = model.workers
    m = model.params.market
    streams, month = model.streams, model.month
    # A dismissal's rate is at most dismissal_rate x dismissal_max_multiplier: only
    # workers whose draw is below that can be dismissed, and only they are assessed.
    first, could_be_dismissed = _first_reasons(
        employed, w.job_type, w.arrears_now, w.contract, w.agency_employed,
        streams.ukey("separation", month), streams.ukey("quit_arrears", month),
        streams.ukey("quit_informal", month), streams.ukey("dismissal", month),
        m.separation_rate, model.types.separation_multiplier, m.quit_after_arrears, m.informal_quit_rate,
        m.dismissal_rate * m.dismissal_max_multiplier)
    assessed = np.flatnonzero(could_be_dismissed)
    prod = wages.productivity(model, employed[assessed])
    weakness = (m.dismissal_productivity_top - prod) / m.dismissal_productivity_span
    dismissal_rate = m.dismissal_rate * np.clip(weakness, 0.0, m.dismissal_max_multiplier)
    dismissed = assessed[streams.uniform("dismissal", month, employed[assessed]) < dismissal_rate]
    first[dismissed[first[dismissed] < 0]] = DISMISSAL
    priced_out = _apply_wage_floor(model, employed)
    first[priced_out & (first < 0)] = MINIMUM_WAGE
    return first


def _reasons_example() -> tuple:
    flag, key = np.zeros(1, dtype=np.bool_), np.uint64(1)
    return (np.zeros(1, np.int64), np.zeros(1, np.int8), flag, flag, flag, key, key, key, key,
            0.004, np.ones(4), 0.3, 0.01, 0.02)


@kernel(example=_reasons_example)
def _first_reasons(rows: np.ndarray, job_type: np.ndarray, arrears_now: np.ndarray, contract: np.ndarray,
                   agency_employed: np.ndarray, separation_key: np.uint64, arrears_key: np.uint64,
                   informal_key: np.uint64, dismissal_key: np.uint64, separation_rate: float,
                   separation_multiplier: np.ndarray, quit_after_arrears: float, informal_quit_rate: float,
                   dismissal_cap: float) -> tuple:
    """The first of exogenous ending, quit after arrears, informal quit (-1: none) of each job of ``rows``.

    Also whether its dismissal draw is below ``dismissal_cap``. Each hazard's draw
    comes from its stream's key and is made only for the jobs it can end (a quit
    after arrears only where wages went unpaid, an informal quit only without a
    contract). One pass where numpy made about 25.
    """
    n = rows.size
    first = np.full(n, -1, dtype=np.int8)
    could_be_dismissed = np.empty(n, dtype=np.bool_)
    for i in range(n):
        r = rows[i]
        counter = np.uint64(r)
        if uniform_at(counter, separation_key) < separation_rate * separation_multiplier[job_type[r]]:
            first[i] = EXOGENOUS
        elif arrears_now[r] and uniform_at(counter, arrears_key) < quit_after_arrears:
            first[i] = QUIT_ARREARS
        elif not (contract[r] or agency_employed[r]) and uniform_at(counter, informal_key) < informal_quit_rate:
            first[i] = QUIT_INFORMAL
        could_be_dismissed[i] = uniform_at(counter, dismissal_key) < dismissal_cap
    return first, could_be_dismissed


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
