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

from model.core import labour
from model.core.jit import kernel
from model.core.rng import uniform_at
from model.core.tables import AGENCY, EMPLOYED
from model.mechanisms import agencies, wages
from model.mechanisms.matching import group_order

# Why a job ends this month, in the order the reasons are checked: a job ending for
# several reasons ends for the first.
REASONS = ("exogenous", "quit_arrears", "quit_informal", "dismissal", "minimum_wage")
EXOGENOUS, QUIT_ARREARS, QUIT_INFORMAL, DISMISSAL, MINIMUM_WAGE = range(len(REASONS))
_REASON_CODE = np.array([labour.REASON[reason] for reason in REASONS], dtype=np.int64)  # in labour's codes

# What an ending says, by reason (labour's codes): a bad one (an early end of a placement
# through an agency counts against it), one that teaches households about agencies (not
# the festival or going home), and where it moves the worker's record (-1: nowhere).
_BAD = np.isin(labour.SEPARATION_REASONS, ("quit_arrears", "quit_informal", "dismissal"))
_TEACHES = np.isin(labour.SEPARATION_REASONS, ("exogenous", "need_ended", "quit_arrears", "quit_informal",
                                               "dismissal"))
_RECORD_TARGET = np.array([{"dismissal": 0.0, "exogenous": 1.0, "need_ended": 1.0}.get(reason, -1.0)
                           for reason in labour.SEPARATION_REASONS], dtype=np.float32)

if TYPE_CHECKING:
    from model.core.world import World


def end_jobs(world: World) -> None:
    """End this month's jobs, each for its first reason in order."""
    employed = world.workers.with_status(EMPLOYED)
    first = job_endings(world, employed)
    ending = np.flatnonzero(first >= 0)
    record_and_separate(world, employed[ending], _REASON_CODE[first[ending]])


def job_endings(world: World, employed: np.ndarray) -> np.ndarray:
    """Why each job of ``employed`` ends this month: a code of ``REASONS``, -1 when it goes on.

    Complying households also raise wages below a minimum wage in force here.
    """
    w = world.workers
    m = world.params.market
    streams, month = world.streams, world.month
    # A dismissal's rate is at most dismissal_rate x dismissal_max_multiplier: only
    # workers whose draw is below that can be dismissed, and only they are assessed.
    dismissal_key = streams.ukey("dismissal", month)
    first, could_be_dismissed = _first_reasons(
        employed, w.job_type, w.arrears_now, w.contract, w.agency_employed,
        streams.ukey("separation", month), streams.ukey("quit_arrears", month),
        streams.ukey("quit_informal", month), dismissal_key,
        m.separation_rate, world.types.separation_multiplier, m.quit_after_arrears, m.informal_quit_rate,
        m.dismissal_rate * m.dismissal_max_multiplier)
    assessed = np.flatnonzero(could_be_dismissed)
    _dismiss_weak(first, assessed, employed, wages.productivity(world, employed[assessed]), dismissal_key,
                  m.dismissal_productivity_top, m.dismissal_productivity_span, m.dismissal_max_multiplier,
                  m.dismissal_rate)
    if np.any(world.levers.wage_floor_yuan > 0):
        priced_out = _apply_wage_floor(world, employed)
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


@kernel(example=lambda: (np.full(1, -1, np.int8), np.zeros(1, np.int64), np.zeros(1, np.int64), np.ones(1),
                         np.uint64(1), 1.2, 0.4, 3.0, 0.01))
def _dismiss_weak(first: np.ndarray, assessed: np.ndarray, rows: np.ndarray, productivity: np.ndarray,
                  dismissal_key: np.uint64, top: float, span: float, max_multiplier: float,
                  dismissal_rate: float) -> None:
    """Dismiss the assessed jobs ``rows[assessed]`` still going on, at a rate rising as productivity falls.

    The rate is ``dismissal_rate`` times the weakness (top - productivity) / span,
    clipped to [0, max_multiplier], all in float64 as numpy did; the draws are the
    ``dismissal`` stream's. One call where numpy made about ten.
    """
    for j in range(assessed.size):
        i = assessed[j]
        weakness = min(max((top - productivity[j]) / span, 0.0), max_multiplier)
        if first[i] < 0 and uniform_at(np.uint64(rows[i]), dismissal_key) < dismissal_rate * weakness:
            first[i] = DISMISSAL


def record_and_separate(world: World, rows: np.ndarray, reasons: str | np.ndarray) -> None:
    """Note the outcome for the agency, the channel and the worker's record, then end the jobs.

    ``reasons``: why the jobs end, a name of ``labour.SEPARATION_REASONS`` for all
    ``rows`` or a code of ``labour.REASON`` each. Reason after reason in that order, as
    if each reason's jobs ended in turn (reputation moves once a reason).
    """
    if rows.size == 0:
        return
    w, p = world.workers, world.params
    rows, start, count = _by_reason(rows, reasons)
    # Households learn about agencies from how their placements end, judged as reputation
    # judges them; endings that say nothing of the agency (festival, going home) teach nothing.
    placed_by, good = _learn_from_endings(
        rows, start, count, w.channel, w.agency, w.months_in_job, w.employer, w.record, world.households.trust_agency,
        p.agencies.early_end_months, _BAD, _TEACHES, _RECORD_TARGET,
        np.float32(p.channels.learning_rate), np.float32(p.market.record_rate))
    agencies.record_outcomes(world, placed_by, good, start, count)
    labour.separate(world, rows, start, count)


def _by_reason(rows: np.ndarray, reasons: str | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``rows`` grouped by reason in the order of ``labour.SEPARATION_REASONS``, in their order within one.

    Reason c's rows are the ``count[c]`` from ``start[c]``.
    """
    if isinstance(reasons, str):
        start, count = np.zeros(labour.N_REASONS, dtype=np.int64), np.zeros(labour.N_REASONS, dtype=np.int64)
        count[labour.REASON[reasons]] = rows.size
        return rows.astype(np.int64, copy=False), start, count
    order, count, start = group_order(reasons, labour.N_REASONS)
    return rows[order].astype(np.int64, copy=False), start, count


def _learn_example() -> tuple:
    start, count = np.zeros(labour.N_REASONS, np.int64), np.ones(labour.N_REASONS, np.int64)
    small, int32 = np.zeros(1, np.float32), np.zeros(1, np.int32)
    return (np.zeros(1, np.int64), start, count, np.zeros(1, np.int8), int32, np.zeros(1, np.int16), int32,
            small, small, 6, _BAD, _TEACHES, _RECORD_TARGET, np.float32(0.2), np.float32(0.3))


@kernel(example=_learn_example)
def _learn_from_endings(rows: np.ndarray, start: np.ndarray, count: np.ndarray, channel: np.ndarray, agency: np.ndarray,
                        months_in_job: np.ndarray, employer: np.ndarray, record: np.ndarray, trust: np.ndarray,
                        early_end_months: int, bad: np.ndarray, teaches: np.ndarray, record_target: np.ndarray,
                        learning_rate: np.float32, record_rate: np.float32) -> tuple[np.ndarray, np.ndarray]:
    """What the ends of the jobs of ``rows`` teach (``count[c]`` from ``start[c]`` end for reason c).

    A placement through an agency ends well unless a bad reason ends it early; its
    household's trust in agencies moves toward that outcome when the reason teaches;
    a dismissal moves the worker's record toward 0, an ending outside her doing toward 1.
    Returns each job's agency (-1: not placed by one) and whether it ended well. All in
    float32 as numpy did (Python-float rates, float32 columns). One call where numpy made
    about 20 a reason.
    """
    placed_by = np.full(rows.size, -1, dtype=np.int64)
    good = np.ones(rows.size, dtype=np.bool_)
    for c in range(count.size):
        for i in range(start[c], start[c] + count[c]):
            r = rows[i]
            good[i] = not (bad[c] and months_in_job[r] < early_end_months)
            if channel[r] == AGENCY:
                placed_by[i] = agency[r]
                if teaches[c]:
                    client = employer[r]
                    trust[client] += learning_rate * (np.float32(good[i]) - trust[client])
            if record_target[c] >= 0:
                record[r] += record_rate * (record_target[c] - record[r])
    return placed_by, good


def _apply_wage_floor(world: World, employed: np.ndarray) -> np.ndarray:
    """Complying households raise wages to a floor in force, or let go when they cannot pay it."""
    lev = world.levers
    w = world.workers
    if not np.any(lev.wage_floor_yuan > 0):
        return np.zeros(employed.size, dtype=bool)
    households = w.employer[employed]
    floor = wages.legal_floor(world, w.job_type[employed], households, w.agency_employed[employed])
    below = w.wage_yuan[employed] < floor
    can_pay = wages.household_maximum(world, employed, households) >= floor
    raise_to = employed[below & can_pay]
    w.wage_yuan[raise_to] = floor[below & can_pay]
    return below & ~can_pay
