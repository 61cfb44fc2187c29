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

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.core import labour
from model.core.jit import columns, kernel
from model.core.rng import uniform_at
from model.core.tables import AGENCY, EMPLOYED, HOURLY, WEEKS_PER_MONTH, WorkerTable
from model.mechanisms import agencies, arrangements, clients, hours, wages
from model.mechanisms.matching import group_order

# Why a job ends this month, in the order the reasons are checked: a job ending for
# several reasons ends for the first.
REASONS = ("exogenous", "quit_arrears", "quit_informal", "dismissal", "minimum_wage", "working_time")
EXOGENOUS, QUIT_ARREARS, QUIT_INFORMAL, DISMISSAL, MINIMUM_WAGE, WORKING_TIME = range(len(REASONS))
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
    by_law = employed[(first == MINIMUM_WAGE) | (first == WORKING_TIME)]
    households = world.workers.employer[by_law]
    record_and_separate(world, employed[ending], _REASON_CODE[first[ending]])
    arrangements.choose_again(world, households)  # a law made their way dear: another may be worth it


def job_endings(world: World, employed: np.ndarray) -> np.ndarray:
    """Why each job of ``employed`` ends this month: a code of ``REASONS``, -1 when it goes on.

    Complying households also raise wages below a minimum wage in force here.
    """
    w = world.workers
    # A dismissal's rate is at most dismissal_rate x dismissal_max_multiplier: only
    # workers whose draw is below that can be dismissed, and only they are assessed.
    dismissal_key = world.streams.ukey("dismissal", world.month)
    reasons = _first_reasons(employed, columns(w, ReasonColumns), _reason_terms(world, dismissal_key))
    first = reasons.first
    assessed = np.flatnonzero(reasons.could_be_dismissed)
    _dismiss_weak(first, assessed, employed, wages.productivity(world, employed[assessed]),
                  _dismissal_terms(world, dismissal_key))
    if wages.floor_in_force(world):
        priced_out = _apply_wage_floor(world, employed)
        first[priced_out & (first < 0)] = MINIMUM_WAGE
    if labour.working_time_in_force(world):
        over = _apply_working_time(world, employed[first < 0])
        first[np.flatnonzero(first < 0)[over]] = WORKING_TIME
    return first


def job_endings_numpy(world: World, employed: np.ndarray) -> np.ndarray:
    """The rule of :func:`job_endings` in numpy: why each job ends this month, drawn and assessed for every job.

    A job ends outside the model at ``market.separation_rate`` times its job type's
    multiplier; a worker whose wages went unpaid last month quits at
    ``market.quit_after_arrears``; a worker with neither a contract nor an agency as
    employer quits at ``market.informal_quit_rate`` (abuse, long hours); a weak
    worker is dismissed at :func:`dismissal_rate_numpy`; where a minimum wage is in
    force, a complying household that cannot pay it lets her go; then, of the jobs
    still going on, a complying household that a working-time law leaves no job worth
    keeping lets her go. The first of these, in that order, is why her job ends (-1: it
    goes on).
    """
    w, m, month = world.workers, world.params.market, world.month

    def u(name: str) -> np.ndarray:
        return world.streams.uniform(name, month, employed)

    exogenous = u("separation") < m.separation_rate * world.types.separation_multiplier[w.job_type[employed]]
    arrears = w.arrears_now[employed] & (u("quit_arrears") < m.quit_after_arrears)
    quits = ~(w.contract[employed] | w.agency_employed[employed]) & (u("quit_informal") < m.informal_quit_rate)
    dismissed = u("dismissal") < dismissal_rate_numpy(wages.productivity(world, employed), dismissal_terms(world))
    priced_out = _apply_wage_floor(world, employed)
    first = np.full(employed.size, -1)
    for code, hit in reversed(list(enumerate((exogenous, arrears, quits, dismissed, priced_out)))):
        first[hit] = code
    going_on = np.flatnonzero(first < 0)
    first[going_on[_apply_working_time(world, employed[going_on])]] = WORKING_TIME
    return first


class ReasonTerms(NamedTuple):
    """The hazards of a job's ending, and the keys of their draws."""

    separation_key: np.uint64
    arrears_key: np.uint64
    informal_key: np.uint64
    dismissal_key: np.uint64
    separation_rate: float
    separation_multiplier: np.ndarray  # by job type
    quit_after_arrears: float
    informal_quit_rate: float
    dismissal_cap: float  # the highest dismissal rate


class ReasonColumns(NamedTuple):
    """The worker columns that say which hazards a job faces."""

    job_type: np.ndarray
    arrears_now: np.ndarray
    contract: np.ndarray
    agency_employed: np.ndarray


class FirstReasons(NamedTuple):
    """Each job's first reason to end of those :func:`_first_reasons` draws, and whether it could be dismissed."""

    first: np.ndarray
    could_be_dismissed: np.ndarray


class DismissalTerms(NamedTuple):
    """How weakness turns into dismissal: the rate, the productivity scale, and the key of the draws."""

    key: np.uint64
    top: float  # productivity at and above which nobody is dismissed
    span: float  # productivity below the top at which the rate is ``rate``
    max_multiplier: float
    rate: float


def dismissal_terms(world: World) -> DismissalTerms:
    """This month's :class:`DismissalTerms`."""
    return DismissalTerms(*_dismissal_terms(world, world.streams.ukey("dismissal", world.month)))


def _dismissal_terms(world: World, key: np.uint64) -> tuple:
    """:class:`DismissalTerms` for :func:`_dismiss_weak` (``key``: the ``dismissal`` stream's this month).

    Its fields, in order, as a plain tuple: built positionally (a NamedTuple passed to a kernel is typed in
    Python, 1-2 us a call, and one built by keyword costs about 1 us more), as
    :func:`_reason_terms` and :func:`_lesson_terms`; tests/mechanisms/test_separations.py
    checks each field by name.
    """
    m = world.params.market
    return (key, m.dismissal_productivity_top, m.dismissal_productivity_span, m.dismissal_max_multiplier,
            m.dismissal_rate)


def _reason_terms(world: World, dismissal_key: np.uint64) -> tuple:
    """:class:`ReasonTerms` for :func:`_first_reasons`: its fields, in order, as a plain tuple.

    As :func:`_dismissal_terms`, whose key it shares.
    """
    m, streams, month = world.params.market, world.streams, world.month
    return (streams.ukey("separation", month), streams.ukey("quit_arrears", month),
            streams.ukey("quit_informal", month), dismissal_key, m.separation_rate, world.types.separation_multiplier,
            m.quit_after_arrears, m.informal_quit_rate, m.dismissal_rate * m.dismissal_max_multiplier)


def dismissal_rate_numpy(productivity: np.ndarray, terms: DismissalTerms) -> np.ndarray:
    """The rule of dismissal in numpy: the monthly rate at which a worker of ``productivity`` is let go.

    ``terms.rate`` times her weakness, how far her productivity falls below the top in
    units of the span, at least 0 and at most ``terms.max_multiplier``.
    """
    return terms.rate * np.clip((terms.top - productivity) / terms.span, 0.0, terms.max_multiplier)


def record_and_separate(world: World, rows: np.ndarray, reasons: str | np.ndarray) -> None:
    """Note the outcome for the agency, the channel and the worker's record, then end the jobs.

    ``reasons``: why the jobs end, a name of ``labour.SEPARATION_REASONS`` for all
    ``rows`` or a code of ``labour.REASON`` each. Reason after reason in that order, as
    if each reason's jobs ended in turn (reputation moves once a reason).
    """
    if rows.size == 0:
        return
    rows, start, count = _by_reason(rows, reasons)
    # Households learn about agencies from how their placements end, judged as reputation
    # judges them; endings that say nothing of the agency (festival, going home) teach nothing.
    lessons = _learn_from_endings(rows, start, count, columns(world.workers, EndingColumns),
                                  world.households.trust_agency, _lesson_terms(world))
    agencies.record_outcomes(world, lessons.placed_by, lessons.good, start, count)
    labour.separate(world, rows, start, count)


def record_and_separate_numpy(world: World, rows: np.ndarray, reason: str) -> None:
    """The rule of :func:`record_and_separate` in numpy, for jobs that end for one reason.

    A placement through an agency ends well unless a bad reason (a quit after arrears,
    an informal quit, a dismissal) ends it within ``agencies.early_end_months``; the
    agency's reputation moves toward its share of good endings
    (:func:`agencies.record_outcomes_numpy`), and, when the reason says something of the
    agency (not the festival or going home), so does the household's trust in agencies,
    at ``channels.learning_rate``. A dismissal moves the worker's record toward 0, an
    ending outside her doing (exogenous, the need ended) toward 1, at
    ``market.record_rate``. Then the jobs end (:func:`labour.separate_numpy`).
    """
    w, h, p = world.workers, world.households, world.params
    code = labour.REASON[reason]
    via_agency = w.channel[rows] == AGENCY
    early = w.months_in_job[rows] < p.agencies.early_end_months
    good = ~(_BAD[code] & early)
    placed_by = np.where(via_agency, w.agency[rows], -1).astype(np.int64)
    agencies.record_outcomes_numpy(world, placed_by, good)
    if _TEACHES[code]:
        trust = h.trust_agency
        clients = w.employer[rows[via_agency]]
        trust[clients] += p.channels.learning_rate * (good[via_agency] - trust[clients])
    if _RECORD_TARGET[code] >= 0:
        w.record[rows] += p.market.record_rate * (_RECORD_TARGET[code] - w.record[rows])
    labour.separate_numpy(world, rows, reason)


class EndingColumns(NamedTuple):
    """The worker columns the end of a job teaches: her job and her record (her household's trust comes apart)."""

    channel: np.ndarray
    agency: np.ndarray
    months_in_job: np.ndarray
    employer: np.ndarray
    record: np.ndarray


class LessonTerms(NamedTuple):
    """What an ending teaches, by reason (labour's codes), and how fast trust and records learn."""

    early_end_months: int
    bad: np.ndarray
    teaches: np.ndarray
    record_target: np.ndarray
    learning_rate: np.float32
    record_rate: np.float32


def _lesson_terms(world: World) -> tuple:
    """:class:`LessonTerms` for :func:`_learn_from_endings`: its fields, in order, as a plain tuple.

    As :func:`_dismissal_terms`.
    """
    p = world.params
    return (p.agencies.early_end_months, _BAD, _TEACHES, _RECORD_TARGET, np.float32(p.channels.learning_rate),
            np.float32(p.market.record_rate))


class Lessons(NamedTuple):
    """Each ended job's agency (-1: not placed by one) and whether it ended well."""

    placed_by: np.ndarray
    good: np.ndarray


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


def _apply_wage_floor(world: World, employed: np.ndarray) -> np.ndarray:
    """Jobs paid below a floor in force: which end (True), the others now meet it.

    A complying household first cuts hours (:func:`model.mechanisms.hours.choose_hours`):
    it keeps the hours that leave it most of the care's worth at the floor's cost, and
    ends the job only when no hours are worth it or she will not take the pay for
    them. Days go down with the hours. An employee-based agency raises the wage to the
    floor while the household's bill stays within what it would pay, else lets her go.
    """
    w = world.workers
    if not wages.floor_in_force(world):
        return np.zeros(employed.size, dtype=bool)
    households = w.employer[employed]
    eb = w.agency_employed[employed]
    floor = wages.legal_floor(world, households, eb)
    below = w.wage_yuan[employed] < floor
    priced_out = np.zeros(employed.size, dtype=bool)
    agency = below & eb
    can_pay = wages.household_maximum(world, employed, households) >= floor
    w.wage_yuan[employed[agency & can_pay]] = floor[agency & can_pay]
    priced_out |= agency & ~can_pay
    hourly = w.arrangement[employed] == HOURLY
    cut = np.flatnonzero(below & ~eb & ~hourly)
    if cut.size:
        priced_out[cut] = ~_cut_hours(world, employed[cut], households[cut])
    if hourly.any():  # each of an hourly worker's clients meets the floor for its own hours
        priced_out[hourly] = clients.apply_floor(world, employed[hourly])
    return priced_out


def _apply_working_time(world: World, employed: np.ndarray) -> np.ndarray:
    """Complying households whose job runs past the weekly limits cut days and hours; which jobs end instead.

    A household that observes the working-time law (:func:`labour.observes_working_time`)
    and buys more than ``levers.max_hours_week`` hours or ``levers.max_days_week`` days
    cuts to the limits, paying the same wage an hour for the hours left. The job ends
    when the care left is worth less than its pay, or the pay is below her minimum for
    those hours. Hourly work is left alone: each of its households buys a few hours.
    """
    w, h, lev = world.workers, world.households, world.levers
    households = w.employer[employed]
    over = ((w.hours_week[employed] > lev.max_hours_week) | (w.days_week[employed] > lev.max_days_week))
    bound = np.flatnonzero(over & labour.observes_working_time(world, households) & (w.arrangement[employed] != HOURLY))
    ends = np.zeros(employed.size, dtype=bool)
    if bound.size == 0:
        return ends
    rows, homes = employed[bound], households[bound]
    now = w.hours_week[rows].astype(np.float64)
    kept = np.minimum(now, lev.max_hours_week)
    need = h.need_hours_week[homes].astype(np.float64)
    most = wages.household_maximum(world, rows, homes) * (need / now)  # for all its need's hours
    wage = w.wage_yuan[rows] * (kept / now)
    worth = hours.care_value(kept, need, world.params.demand.care_value_markup * most,
                             most / (need * WEEKS_PER_MONTH), world.types.hours_elasticity[w.job_type[rows]])
    minimum = wages.worker_minimum(world, rows, homes, kept.astype(np.float32))
    keeps = (worth >= wage) & (wage >= minimum)
    stay = rows[keeps]
    w.wage_yuan[stay] = wage[keeps]
    w.hours_week[stay] = kept[keeps]
    h.hours_week[homes[keeps]] = kept[keeps]
    w.days_week[stay] = np.minimum(w.days_week[stay], lev.max_days_week)
    ends[bound[~keeps]] = True
    return ends


def _cut_hours(world: World, rows: np.ndarray, households: np.ndarray) -> np.ndarray:
    """Households that a floor now binds choose their jobs' hours; which jobs are kept (the others end)."""
    w, h = world.workers, world.households
    need, now = h.need_hours_week[households].astype(np.float64), h.hours_week[households].astype(np.float64)
    arrangement = h.arrangement[households]
    commute = wages.commute_of(world, arrangement, w.home_cell[rows], h.cell[households])
    commute = commute + world.arrangements.worker_extra[w.job_type[rows], arrangement]  # costs her whatever the hours
    # Its maximum and her minimum, and what it pays now, for all the hours its need asks for.
    household_max = wages.household_maximum(world, rows, households) * (need / now)
    worker_min = wages.reservation(world, rows) * (need / world.types.hours_week[w.job_type[rows]])
    wage_full = (w.wage_yuan[rows] - commute) * (need / now) + commute

    def floor_of(hours_week: np.ndarray) -> np.ndarray:
        return wages.cash_floor(world, hours_week, np.broadcast_to(arrangement[:, None], hours_week.shape))

    choice = hours.choose_hours(need, world.params.demand.care_value_markup * household_max, household_max,
                                wage_full, worker_min, commute, world.types.hours_elasticity[w.job_type[rows]],
                                floor_of)
    kept, keeps = rows[choice.keeps], households[choice.keeps]
    days = w.days_week[kept].astype(np.float64) * choice.hours[choice.keeps] / w.hours_week[kept]
    w.days_week[kept] = np.clip(np.round(days), 1, 7).astype(np.int8)
    w.wage_yuan[kept] = choice.wage[choice.keeps]
    w.hours_week[kept] = choice.hours[choice.keeps]
    h.hours_week[keeps] = choice.hours[choice.keeps]
    return choice.keeps


# --- kernels ---


def _reasons_example() -> tuple:
    key = np.uint64(1)
    return (np.zeros(1, np.int64), columns(WorkerTable(1), ReasonColumns),
            (key, key, key, key, 0.004, np.ones(4), 0.3, 0.01, 0.02))


@kernel(example=_reasons_example)
def _first_reasons(rows: np.ndarray, reason_columns: tuple, reason_terms: tuple) -> FirstReasons:
    """The first of exogenous ending, quit after arrears, informal quit (-1: none) of each job of ``rows``.

    Also whether its dismissal draw is below ``dismissal_cap``. Each hazard's draw
    comes from its stream's key and is made only for the jobs it can end (a quit
    after arrears only where wages went unpaid, an informal quit only without a
    contract). One pass where numpy made about 25. The columns and terms come as plain
    tuples of :class:`ReasonColumns` and :class:`ReasonTerms`, named here (a NamedTuple
    argument is typed in Python at every call).
    """
    c, t = ReasonColumns(*reason_columns), ReasonTerms(*reason_terms)
    n = rows.size
    first = np.full(n, -1, dtype=np.int8)
    could_be_dismissed = np.empty(n, dtype=np.bool_)
    for i in range(n):
        r = rows[i]
        counter = np.uint64(r)
        if uniform_at(counter, t.separation_key) < t.separation_rate * t.separation_multiplier[c.job_type[r]]:
            first[i] = EXOGENOUS
        elif c.arrears_now[r] and uniform_at(counter, t.arrears_key) < t.quit_after_arrears:
            first[i] = QUIT_ARREARS
        elif not (c.contract[r] or c.agency_employed[r]) and uniform_at(counter, t.informal_key) < t.informal_quit_rate:
            first[i] = QUIT_INFORMAL
        could_be_dismissed[i] = uniform_at(counter, t.dismissal_key) < t.dismissal_cap
    return FirstReasons(first, could_be_dismissed)


@kernel(example=lambda: (np.full(1, -1, np.int8), np.zeros(1, np.int64), np.zeros(1, np.int64), np.ones(1),
                         (np.uint64(1), 1.2, 0.4, 3.0, 0.01)))
def _dismiss_weak(first: np.ndarray, assessed: np.ndarray, rows: np.ndarray, productivity: np.ndarray,
                  dismissal_terms: tuple) -> None:
    """Dismiss the assessed jobs ``rows[assessed]`` still going on, at a rate rising as productivity falls.

    The rate is ``t.rate`` times (:func:`dismissal_rate_numpy`) the weakness (top - productivity) / span,
    clipped to [0, max_multiplier], all in float64 as numpy did; the draws are the
    ``dismissal`` stream's. One call where numpy made about ten. The terms come as a plain
    tuple of :class:`DismissalTerms`, named here.
    """
    t = DismissalTerms(*dismissal_terms)
    for j in range(assessed.size):
        i = assessed[j]
        weakness = min(max((t.top - productivity[j]) / t.span, 0.0), t.max_multiplier)
        if first[i] < 0 and uniform_at(np.uint64(rows[i]), t.key) < t.rate * weakness:
            first[i] = DISMISSAL


def _learn_example() -> tuple:
    start, count = np.zeros(labour.N_REASONS, np.int64), np.ones(labour.N_REASONS, np.int64)
    return (np.zeros(1, np.int64), start, count, columns(WorkerTable(1), EndingColumns), np.zeros(1, np.float32),
            (6, _BAD, _TEACHES, _RECORD_TARGET, np.float32(0.2), np.float32(0.3)))


@kernel(example=_learn_example)
def _learn_from_endings(rows: np.ndarray, start: np.ndarray, count: np.ndarray, ending_columns: tuple,
                        trust_agency: np.ndarray, lesson_terms: tuple) -> Lessons:
    """What the ends of the jobs of ``rows`` teach (``count[c]`` from ``start[c]`` end for reason c).

    A placement through an agency ends well unless a bad reason ends it early; its
    household's trust in agencies moves toward that outcome when the reason teaches;
    a dismissal moves the worker's record toward 0, an ending outside her doing toward 1.
    Returns each job's agency (-1: not placed by one) and whether it ended well. All in
    float32 as numpy did (Python-float rates, float32 columns). One call where numpy made
    about 20 a reason. The worker columns and terms come as plain tuples of
    :class:`EndingColumns` and :class:`LessonTerms`, named here (a NamedTuple argument is
    typed in Python at every call); ``trust_agency`` is the households' column.
    """
    w, t = EndingColumns(*ending_columns), LessonTerms(*lesson_terms)
    placed_by = np.full(rows.size, -1, dtype=np.int64)
    good = np.ones(rows.size, dtype=np.bool_)
    for c in range(count.size):
        for i in range(start[c], start[c] + count[c]):
            r = rows[i]
            good[i] = not (t.bad[c] and w.months_in_job[r] < t.early_end_months)
            if w.channel[r] == AGENCY:
                placed_by[i] = w.agency[r]
                if t.teaches[c]:
                    client = w.employer[r]
                    trust_agency[client] += t.learning_rate * (np.float32(good[i]) - trust_agency[client])
            if t.record_target[c] >= 0:
                w.record[r] += t.record_rate * (t.record_target[c] - w.record[r])
    return Lessons(placed_by, good)
