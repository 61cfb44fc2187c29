"""Migration: arrivals, going home for good, and the Spring Festival exodus.

Arrivals follow Harris-Todaro: the expected urban income (the mean agreed wage
times the chance of a job, less the cost of living, more without local hukou)
over the rural alternative; at ``migration.reference_income_ratio`` the city
draws ``migration.arrival_rate`` of its starting workforce a month. Newcomers come from hometown counties
in proportion to a mix of the counties' shares of potential migrants and of the
pull of each county's network in the city (chain migration, weight
``migration.network_weight``). The pull grows more than in proportion to the
county's workers already there (``migration.network_exponent`` above 1), so with
strong networks the big chains draw a growing share of arrivals and the
concentration of origins rises over time; with weak ones the base shares win and
origins spread. The workers there at the start come from a few counties more than
their populations say (earlier chains). Migrant workers go home
for good after long unemployment, on reaching a savings target or retirement age,
or when savings run out; lacking local hukou adds to the pull of home. Workers
with local hukou are home already: they leave the market only on retiring, at the
base rate or after long unemployment, and do not travel at Spring Festival. At
Spring Festival a share of migrants go home for a few weeks, most keep their
jobs, a few stay home; festival days worked pay a premium.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.core import labour
from model.core.jit import columns, kernel
from model.core.population import draw_workers
from model.core.rng import uniform_at
from model.core.tables import AWAY, EMPLOYED, LIVE_IN, SEARCHING, TYPE_ARRANGEMENT, WorkerTable
from model.mechanisms.separations import record_and_separate

if TYPE_CHECKING:
    from model.core.world import World



def expected_income(world: World, mean_wage: float, unemployment_rate: float) -> float:
    """Harris-Todaro expected monthly income in the city, net of living costs."""
    p = world.params
    renting = world.types.worker_share[TYPE_ARRANGEMENT != LIVE_IN].sum()  # workers of the types that live out
    cost = (p.migration.living_cost_yuan + p.migration.rent_yuan * renting
            + p.hukou.extra_living_cost_yuan * world.levers.hukou_gap * (1.0 - p.workers.local_hukou_share))
    return max(mean_wage * (1.0 - unemployment_rate) - cost, 1.0)


def return_from_away(world: World) -> None:
    """Workers whose time away is over come back."""
    w = world.workers
    back = _time_away(w.present, w.status, w.away_months_left)
    if back.size:  # most months nobody is away
        labour.come_back(world, back)


def time_away_numpy(world: World) -> np.ndarray:
    """The rule of :func:`return_from_away` in numpy: who comes back this month.

    Every worker away (at Spring Festival, a job held for her or not) has one month
    less to stay; those with none left come back (ascending rows).
    """
    w = world.workers
    away = w.present[w.status[w.present] == AWAY]
    w.away_months_left[away] -= 1
    return away[w.away_months_left[away] <= 0]


def is_festival(world: World) -> bool:
    """Whether this month is the Spring Festival month."""
    sf = world.params.shocks.spring_festival
    return sf.enabled and world.calendar_month == sf.month


def festival_exodus(world: World) -> None:
    """At Spring Festival a share go home: most keep their jobs, some stay home for good."""
    world.festival_pay_factor = 1.0
    if not is_festival(world):
        return
    sf = world.params.shocks.spring_festival
    w = world.workers
    month = world.month
    status = w.status[w.present]
    # Local-hukou workers celebrate at home, in the city.
    present = w.present[((status == SEARCHING) | (status == EMPLOYED)) & ~w.local_hukou[w.present]]
    leaving = present[world.streams.uniform("festival_leave", month, present) < sf.share_leaving]
    for_good = world.streams.uniform("festival_stay_home", month, leaving) < sf.share_not_returning
    held = world.streams.uniform("festival_job_held", month, leaving) < sf.job_held_share
    employed = w.status[leaving] == EMPLOYED

    record_and_separate(world, leaving[employed & for_good], "going_home")
    labour.depart(world, leaving[for_good])
    labour.leave_with_job_held(world, leaving[employed & held & ~for_good], sf.away_months)
    record_and_separate(world, leaving[employed & ~held & ~for_good], "festival")
    labour.leave_for_a_while(world, leaving[~employed & ~for_good | (employed & ~held & ~for_good)], sf.away_months)
    world.festival_pay_factor = 1.0 + (sf.holiday_pay_multiplier - 1.0) * sf.holiday_share_of_month


def go_home_for_good(world: World) -> None:
    """Departures: long unemployment, savings target, age, empty purse, the pull of home."""
    w = world.workers
    # Local-hukou workers are at home already: no savings target to go home with, no
    # village to return to when broke; they leave the market on retiring, at the base rate
    # or after long unemployment.
    going = _going_home(w.present, home_columns(world), home_terms(world))
    record_and_separate(world, going.quitting, "going_home")
    labour.depart(world, going.leaving)  # those who quit their job to go home among them


def who_goes_home_numpy(world: World) -> GoingHome:
    """The rule of :func:`go_home_for_good` in numpy: who goes home for good this month.

    A worker's monthly hazard of going home is a base rate, times the pull of home
    for a migrant (``hukou.home_pull``, as far as the hukou gap is open); plus the
    impatience of a search longer than ``migration.patience_months``; plus a rate when
    she is due to go: a migrant whose savings reached her target, or who has been
    searching for ``migration.broke_months`` with savings below
    ``migration.broke_savings_yuan``; plus 1 from retirement age. Impatience and
    running out of money concern searching workers only; employed workers have their
    own base and when-due rates, and quit their job to go. Local-hukou workers are at
    home already: no target to go home with, no village to return to when broke.
    Each draws from her status's stream. Returns the quitters and the leavers (the
    quitters among them, ascending).
    """
    m = world.params.migration
    w = world.workers
    month = world.month
    home_pull = 1.0 + (world.params.hukou.home_pull - 1.0) * world.levers.hukou_gap

    def hazard(rows: np.ndarray, base: float, when_due: float, searching: bool) -> np.ndarray:
        migrant = ~w.local_hukou[rows]
        due = migrant & (w.savings_yuan[rows] >= w.savings_target_yuan[rows])
        h = base * np.where(migrant, home_pull, 1.0)
        if searching:
            months = w.months_searching[rows]
            due |= (w.savings_yuan[rows] <= m.broke_savings_yuan) & (months >= m.broke_months) & migrant
            h = h + m.impatience_rate * (months > m.patience_months)
        h = h + when_due * due
        return h + 1.0 * (w.age_years[rows] >= m.retirement_age)

    employed = w.with_status(EMPLOYED)
    u = world.streams.uniform("home_employed", month, employed)
    quitting = employed[u < hazard(employed, m.home_rate * m.employed_home_rate_factor,
                                   m.employed_leave_rate_when_due, False)]
    searching = np.union1d(w.with_status(SEARCHING), quitting)
    leaving = world.streams.uniform("home_searching", month, searching) < hazard(
        searching, m.home_rate, m.leave_rate_when_due, True)
    leaving[np.searchsorted(searching, quitting)] = True
    return GoingHome(quitting, searching[leaving])


class HomeColumns(NamedTuple):
    """The worker columns that decide whether she goes home for good."""

    status: np.ndarray
    local_hukou: np.ndarray
    savings_yuan: np.ndarray
    savings_target_yuan: np.ndarray
    age_years: np.ndarray
    months_searching: np.ndarray


class HomeTerms(NamedTuple):
    """The hazards of going home for good this month, and the keys of the draws (employed, searching)."""

    employed_key: np.uint64
    searching_key: np.uint64
    home_pull: float
    retirement_age: np.float32  # compared in float32, as numpy compares the float32 age column
    base_rate: float
    employed_base_rate: float
    when_due_rate: float
    employed_when_due_rate: float
    impatience_rate: float
    patience_months: int
    broke_yuan: float
    broke_months: int


class GoingHome(NamedTuple):
    """Employed workers who quit to go home, and every worker who goes (the quitters among them), ascending."""

    quitting: np.ndarray
    leaving: np.ndarray


def home_columns(world: World) -> tuple:
    """The worker table's :class:`HomeColumns`, as a plain tuple for :func:`_going_home` (read by the fields' names)."""
    return columns(world.workers, HomeColumns)


def home_terms(world: World) -> tuple:
    """This month's :class:`HomeTerms`: its fields, in order, as a plain tuple for :func:`_going_home`.

    Built positionally (a NamedTuple passed to a kernel is typed in Python, 1-2 us a
    call, and one built by keyword costs about 1 us more); tests/mechanisms/test_migration.py
    checks each field by name.
    """
    m = world.params.migration
    home_pull = 1.0 + (world.params.hukou.home_pull - 1.0) * world.levers.hukou_gap
    streams, month = world.streams, world.month
    return (streams.ukey("home_employed", month), streams.ukey("home_searching", month), home_pull,
            np.float32(m.retirement_age), m.home_rate, m.home_rate * m.employed_home_rate_factor,
            m.leave_rate_when_due, m.employed_leave_rate_when_due, m.impatience_rate, m.patience_months,
            m.broke_savings_yuan, m.broke_months)


def arrive(world: World) -> None:
    """Newcomers, by Harris-Todaro expected income, from hometown networks."""
    m = world.params.migration
    last = world.market
    income = expected_income(world, last.mean_wage, last.unemployment_rate)
    ratio = income / m.rural_income_yuan / m.reference_income_ratio
    expected = m.arrival_rate * world.params.workers.count * ratio ** m.income_elasticity
    rng = world.streams.get("arrivals", world.month)
    k = int(rng.poisson(expected)) if expected > 0 else 0
    if k == 0:
        return
    rows = world.workers.grow(k)
    draw_workers(world, rows, rng, origin_probabilities(world), newcomers=True)
    world.accounts.villages_yuan -= float(world.workers.savings_yuan[rows].sum())  # what they bring from home
    # Newcomers enter from outside the city: count them as arrivals into searching.
    world.workers.status[rows] = 0
    labour.move(world, rows, SEARCHING)
    world.add_worker_agents(rows)


def origin_probabilities(world: World) -> np.ndarray:
    """Where newcomers come from: base shares mixed with hometown networks in the city."""
    m = world.params.migration
    w = world.workers
    in_city = _workers_by_origin(w.origin, w.present, m.origins)
    if not w.present.size:
        return world.origin_base
    # Help from contacts has increasing returns (lodging, leads, a guarantor): the pull of a
    # county's network grows faster than its number of workers in the city.
    pull = in_city ** m.network_exponent
    return _mix_origins(world.origin_base, pull, pull.sum(), m.network_weight)


def origin_probabilities_numpy(world: World) -> np.ndarray:
    """The rule of :func:`origin_probabilities` in numpy: the shares of newcomers by hometown county.

    A mix, at ``migration.network_weight``, of the counties' base shares and of their
    networks' shares of the pull of all networks; a county's pull is its number of
    workers in the city to the power ``migration.network_exponent``.
    """
    m = world.params.migration
    w = world.workers
    in_city = np.bincount(w.origin[w.present], minlength=m.origins).astype(np.float64)
    pull = in_city ** m.network_exponent
    return (1.0 - m.network_weight) * world.origin_base + m.network_weight * pull / pull.sum()


# --- kernels ---


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int8), np.zeros(1, np.int8)))
def _time_away(present: np.ndarray, status: np.ndarray, away_months_left: np.ndarray) -> np.ndarray:
    """One month less away for every worker away; those whose time is over, ascending.

    One pass over the present rows for five numpy calls, and none of
    ``labour.come_back``'s when nobody comes back (returns at 1:100: about 0.05 ->
    0.01 ms a month).
    """
    back = np.empty(present.size, dtype=np.int64)
    n = 0
    for r in present:
        if status[r] == AWAY:
            away_months_left[r] -= 1
            if away_months_left[r] <= 0:
                back[n] = r
                n += 1
    return back[:n].copy()


def _home_example() -> tuple:
    return (np.zeros(1, np.int64), columns(WorkerTable(1), HomeColumns),
            (np.uint64(1), np.uint64(2), 1.0, np.float32(60.0), 0.01, 0.01, 0.1, 0.1, 0.05, 4, 200.0, 2))


@kernel(example=_home_example)
def _going_home(present: np.ndarray, home_columns: tuple, home_terms: tuple) -> GoingHome:
    """Who goes home for good this month (:func:`who_goes_home_numpy`): quitters and leavers, ascending.

    Her hazard: the base rate (times the pull of home for a migrant), plus the
    impatience of a long search, plus the rate when due (savings target reached, or
    out of money after months of search, migrants only), plus 1 from retirement age;
    impatience and running out of money apply to searching workers only, and
    employed workers have their own base and when-due rates. Each draws from her
    status's stream (keys given). Returns the quitters, and the leavers: the
    searchers who go and the quitters, ascending (they search once their job has
    ended). One pass over the present rows for two kernel calls and about ten numpy
    calls (departures at 1:100, p10 of a month: 0.23-0.26 -> 0.21-0.22 ms; the rest
    is ending the quitters' jobs and the departures' bookkeeping); the age compares
    in float32, as numpy compares a float32 column with a Python float. The columns and
    terms come as plain tuples of :class:`HomeColumns` and :class:`HomeTerms`, named here
    (a NamedTuple argument is typed in Python at every call).
    """
    w, t = HomeColumns(*home_columns), HomeTerms(*home_terms)
    quitting = np.empty(present.size, dtype=np.int64)
    leaving = np.empty(present.size, dtype=np.int64)
    n_quitting = n_leaving = 0
    for i in range(present.size):
        r = present[i]
        employed = w.status[r] == EMPLOYED
        if not employed and w.status[r] != SEARCHING:
            continue
        migrant = not w.local_hukou[r]
        pull = t.home_pull if migrant else 1.0
        months = w.months_searching[r]
        savings = w.savings_yuan[r]
        due = migrant and savings >= w.savings_target_yuan[r]
        if employed:
            hazard = t.employed_base_rate * pull + t.employed_when_due_rate * (1.0 if due else 0.0)
        else:
            due = due or (savings <= t.broke_yuan and months >= t.broke_months and migrant)
            hazard = t.base_rate * pull + t.impatience_rate * (1.0 if months > t.patience_months else 0.0)
            hazard = hazard + t.when_due_rate * (1.0 if due else 0.0)
        hazard = hazard + 1.0 * (1.0 if w.age_years[r] >= t.retirement_age else 0.0)
        if uniform_at(np.uint64(r), t.employed_key if employed else t.searching_key) < hazard:
            if employed:
                quitting[n_quitting] = r
                n_quitting += 1
            leaving[n_leaving] = r
            n_leaving += 1
    return GoingHome(quitting[:n_quitting].copy(), leaving[:n_leaving].copy())


@kernel(example=lambda: (np.zeros(1, np.int32), np.zeros(1, np.int64), 3))
def _workers_by_origin(origin: np.ndarray, present: np.ndarray, origins: int) -> np.ndarray:
    """Workers present from each hometown county, as float64 (``np.bincount`` of their origins; 10 -> 2 us)."""
    counts = np.zeros(origins)
    for r in present:
        counts[origin[r]] += 1.0
    return counts


@kernel(example=lambda: (np.ones(3), np.ones(3), 3.0, 0.5))
def _mix_origins(base: np.ndarray, pull: np.ndarray, total_pull: float, network_weight: float) -> np.ndarray:
    """``(1 - weight) * base + weight * pull / total_pull``, elementwise in numpy's order (five calls in one)."""
    out = np.empty(base.size)
    for k in range(base.size):
        out[k] = (1.0 - network_weight) * base[k] + network_weight * pull[k] / total_pull
    return out
