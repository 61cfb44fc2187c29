"""Drawing agents' attributes: the starting population and newcomers.

All draws here are vectorized and come from named streams, so the same seed
gives the same city.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.core.jit import columns, kernel
from model.core.tables import (
    EMPLOYEE_BASED,
    INTERMEDIARY,
    MEMBERSHIP,
    N_JOB_TYPES,
    SEARCHING,
    TYPE_ARRANGEMENT,
    WorkerTable,
)

if TYPE_CHECKING:
    from model.core.world import World


def pick(probabilities: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category for each uniform ``u`` by inverse CDF (no pool-size dependent sampling)."""
    cdf = np.cumsum(probabilities, dtype=np.float64)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, u, side="right"), probabilities.size - 1)


def origin_weights(n: int, rng: np.random.Generator) -> np.ndarray:
    """Base shares of hometown counties: a few big senders, a long tail."""
    w = rng.lognormal(0.0, 1.0, n)
    return w / w.sum()


def draw_workers(world: World, rows: np.ndarray, rng: np.random.Generator,
                 origin_probs: np.ndarray, newcomers: bool) -> None:
    """Fill the attributes of workers ``rows``, as searching, newcomers or there from the start.

    Workers there from the start are at random points of their saving plan (savings
    uniform up to their target); newcomers bring a month of rural income. The draws
    come from ``rng`` in a fixed order (the order is the result); :func:`_fill_workers`
    turns them into the columns.
    """
    p = world.params.workers
    n = rows.size
    retire = world.params.migration.retirement_age
    u_origin_hukou = rng.random(2 * n)  # hometown, then local hukou: one run of the stream
    age = rng.normal(p.age_mean, p.age_sd, n)
    # Ages past retirement are redrawn evenly over the last years before it, so that
    # no cohort reaches retirement age together in the first months.
    late = np.count_nonzero(age >= retire)
    late_gap = rng.uniform(0.0, 8.0, late) if late else age[:0]
    skill = np.exp(rng.normal(-0.5 * p.skill_sd**2, p.skill_sd, n))
    u_certified = rng.random(n)
    experience = rng.exponential(p.experience_mean_months, n)
    u_job_type = rng.random(n)
    noise = np.exp(rng.normal(0.0, p.reservation_sd, n))
    target = rng.gamma(p.savings_target_shape, p.savings_target_yuan / p.savings_target_shape, n)
    start = rng.random(n)
    villages = world.city.urban_villages
    village = rng.integers(0, villages.size, n)
    draws = (u_origin_hukou, age, late_gap, skill, u_certified, experience, u_job_type, noise, target, start,
             village)  # WorkerDraws' fields, in order
    _fill_workers(rows, draws, _draw_terms(world, origin_probs, newcomers), columns(world.workers, DrawnColumns))
    world.workers.arrangement[rows] = TYPE_ARRANGEMENT[world.workers.job_type[rows]]  # what she seeks at first


def _draw_terms(world: World, origin_probs: np.ndarray, newcomers: bool) -> tuple:
    """:class:`DrawTerms` for :func:`_fill_workers`: its fields, in order, as a plain tuple.

    Built positionally (a NamedTuple passed to a kernel is typed in Python, 1-2 us a
    call, and one built by keyword costs about 1 us more); tests/core/test_population.py
    checks each field by name.
    """
    p, types = world.params.workers, world.types
    rural_income = world.params.migration.rural_income_yuan
    return (origin_probs, types.worker_share, types.reference_wage, world.city.urban_villages, p.local_hukou_share,
            world.params.migration.retirement_age, p.certified_share, p.reservation_share, rural_income, newcomers,
            p.newcomer_savings_months, world.month)


def draw_workers_numpy(world: World, rows: np.ndarray, rng: np.random.Generator,
                       origin_probs: np.ndarray, newcomers: bool) -> None:
    """The rule of :func:`draw_workers` in numpy: who a worker is, from the same draws in the same order.

    Her hometown county is drawn from ``origin_probs`` and her job type from the
    city's mix of workers (:func:`pick`); a share have local hukou, a share are
    certified. Her age is normal, clipped to working age; ages past retirement are
    redrawn over the eight years before it. Skill is lognormal with mean 1,
    experience exponential. She asks at least the rural income: her reservation wage
    is a share of her job type's reference wage, scaled by skill and a lognormal
    taste. She saves toward a gamma-distributed target; workers there from the start
    are at a uniform point of it, newcomers bring up to a few months of rural income.
    She lives in an urban village, with an even record, searching.
    """
    p = world.params.workers
    w = world.workers
    n = rows.size
    types = world.types
    w.origin[rows] = pick(origin_probs, rng.random(n))
    w.local_hukou[rows] = rng.random(n) < p.local_hukou_share
    retire = world.params.migration.retirement_age
    age = rng.normal(p.age_mean, p.age_sd, n)
    late = age >= retire
    age[late] = retire - rng.uniform(0.0, 8.0, int(late.sum()))
    w.age_years[rows] = np.clip(age, 18.0, retire - 1.0 / 12.0)
    w.skill[rows] = np.exp(rng.normal(-0.5 * p.skill_sd**2, p.skill_sd, n))
    w.certified[rows] = rng.random(n) < p.certified_share
    w.experience_months[rows] = rng.exponential(p.experience_mean_months, n)
    job_type = pick(types.worker_share, rng.random(n))
    w.job_type[rows] = job_type
    w.arrangement[rows] = TYPE_ARRANGEMENT[job_type]
    reference = types.reference_wage[job_type]
    noise = np.exp(rng.normal(0.0, p.reservation_sd, n))
    floor = world.params.migration.rural_income_yuan
    w.reservation_yuan[rows] = np.maximum(p.reservation_share * reference * w.skill[rows] * noise, floor)
    target = rng.gamma(p.savings_target_shape, p.savings_target_yuan / p.savings_target_shape, n)
    w.savings_target_yuan[rows] = target
    start = rng.random(n)
    if newcomers:
        w.savings_yuan[rows] = world.params.migration.rural_income_yuan * start * p.newcomer_savings_months
    else:
        w.savings_yuan[rows] = target * start
    villages = world.city.urban_villages
    w.home_cell[rows] = villages[rng.integers(0, villages.size, n)]
    w.record[rows] = 0.5
    w.arrival_month[rows] = world.month
    w.status[rows] = SEARCHING


class WorkerDraws(NamedTuple):
    """The draws of :func:`draw_workers`, one a worker, in the order it made them."""

    u_origin_hukou: np.ndarray  # two a worker: every hometown draw, then every hukou draw
    age: np.ndarray
    late_gap: np.ndarray  # one a worker past retirement age, in order
    skill: np.ndarray
    u_certified: np.ndarray
    experience: np.ndarray
    u_job_type: np.ndarray
    noise: np.ndarray
    target: np.ndarray
    start: np.ndarray
    village: np.ndarray


class DrawTerms(NamedTuple):
    """What turns a worker's draws into her attributes: the city's shares and the scenario's terms."""

    origin_probs: np.ndarray
    worker_share: np.ndarray
    reference_wage: np.ndarray
    villages: np.ndarray
    local_hukou_share: float
    retire: float
    certified_share: float
    reservation_share: float
    rural_income: float
    newcomers: bool
    newcomer_months: float
    month: int


class DrawnColumns(NamedTuple):
    """The worker columns :func:`draw_workers` writes (named as the table's columns)."""

    origin: np.ndarray
    local_hukou: np.ndarray
    age_years: np.ndarray
    skill: np.ndarray
    certified: np.ndarray
    experience_months: np.ndarray
    job_type: np.ndarray
    reservation_yuan: np.ndarray
    savings_target_yuan: np.ndarray
    savings_yuan: np.ndarray
    home_cell: np.ndarray
    record: np.ndarray
    arrival_month: np.ndarray
    status: np.ndarray


def draw_households(world: World, rng: np.random.Generator) -> None:
    """Fill every household: place, income, need, trust."""
    p = world.params.households
    h = world.households
    n = h.n
    h.cell[:n] = rng.integers(0, world.city.cells, n)
    gradient = world.city.income_multiplier[h.cell[:n]]
    h.income_yuan[:n] = p.income_median_yuan * gradient * np.exp(rng.normal(0.0, p.income_sigma, n))
    h.trust_agency[:n] = np.clip(rng.beta(2.0, 2.0, n) + (p.trust_agency_mean - 0.5), 0.0, 1.0)
    h.law_abiding[:n] = rng.random(n)
    has_need = rng.random(n) < world.params.demand.need_share
    rows = np.flatnonzero(has_need)
    need = pick(world.types.need_stock_share, rng.random(rows.size))
    set_need(world, rows, need, rng.standard_normal(rows.size))


def set_need(world: World, rows: np.ndarray, need: np.ndarray, z: np.ndarray) -> None:
    """Give households ``rows`` a need of type ``need`` and a willingness to pay for its type's usual hours.

    How the need is met (arrangement, hours) is the household's choice, made next
    (``model.mechanisms.arrangements.choose``).
    """
    d = world.params.demand
    h = world.households
    relative_income = h.income_yuan[rows] / world.params.households.income_median_yuan
    _set_needs(rows, need, world.types.reference_wage, d.wtp_markup, relative_income ** d.wtp_income_elasticity,
               np.exp(d.wtp_sd * z), columns(h, NeedColumns))


def set_need_numpy(world: World, rows: np.ndarray, need: np.ndarray, z: np.ndarray) -> None:
    """The rule of :func:`set_need` in numpy: a new need, and what the household will pay to meet it.

    Willingness to pay is the need's reference wage times a markup, times the
    household's income relative to the median to the power ``demand.wtp_income_elasticity``,
    times a lognormal taste (``z`` standard normal, scaled by ``demand.wtp_sd``). A new
    need is a vacancy open for no month yet.
    """
    d = world.params.demand
    h = world.households
    relative_income = h.income_yuan[rows] / world.params.households.income_median_yuan
    h.need[rows] = need
    h.wtp_yuan[rows] = (world.types.reference_wage[need] * d.wtp_markup
                        * relative_income ** d.wtp_income_elasticity * np.exp(d.wtp_sd * z))
    h.vacancy_months[rows] = 0


class NeedColumns(NamedTuple):
    """The household columns a new need writes (named as the table's columns)."""

    need: np.ndarray
    wtp_yuan: np.ndarray
    vacancy_months: np.ndarray


def draw_agencies(world: World, rows: np.ndarray, rng: np.random.Generator,
                  model_probs: np.ndarray) -> None:
    """Fill new agencies ``rows`` with a business model, fees, capacity and cash."""
    p = world.params.agencies
    a = world.agencies
    n = rows.size
    kind = pick(model_probs, rng.random(n))
    a.active[rows] = True
    a.business_model[rows] = kind
    a.cell[rows] = rng.integers(0, world.city.cells, n)
    sd = p.capacity_sd
    a.capacity[rows] = np.maximum(1, np.round(p.capacity * rng.lognormal(-0.5 * sd**2, sd, n))).astype(np.int32)
    # Drawn whatever the mean (0 included), so that the draws after it are the same in every scenario.
    a.honesty_yuan[rows] = p.honesty_mean_yuan * rng.standard_exponential(n)
    a.deducts[rows] = rng.random(n) < p.deduction_share
    # Its own stream, by row: adding it left every other draw as it was.
    others = max(1.0 - p.deduction_share, 1e-12)
    lends = world.streams.uniform("agency_lends", world.month, rows) < p.loan_share / others
    a.lends[rows] = ~a.deducts[rows] & lends
    a.reputation[rows] = np.clip(rng.normal(0.5, p.reputation_sd, n), 0.0, 1.0)
    a.cash_yuan[rows] = p.start_cash_yuan
    a.opened_month[rows] = world.month
    set_business_model(world, rows, kind)


def set_business_model(world: World, rows: np.ndarray, kind: np.ndarray) -> None:
    """Posted fees follow the business model."""
    p = world.params.agencies
    a = world.agencies
    a.business_model[rows] = kind
    membership_share = p.membership_fee_yuan / world.types.typical_wage
    # Indexed by business model (INTERMEDIARY, MEMBERSHIP, EMPLOYEE_BASED): a lookup, not np.select (30 us each).
    a.worker_fee_share[rows] = np.array([p.worker_fee_share, membership_share, 0.0])[kind]
    a.household_fee_share[rows] = np.array([p.household_fee_share, 0.5 * p.household_fee_share, 0.0])[kind]


def business_model_shares(world: World) -> np.ndarray:
    """Starting shares of intermediary, membership and employee-based agencies."""
    p = world.params.agencies
    shares = np.zeros(3)
    shares[EMPLOYEE_BASED] = p.employee_based_share
    shares[MEMBERSHIP] = p.membership_share
    shares[INTERMEDIARY] = max(0.0, 1.0 - p.employee_based_share - p.membership_share)
    if shares.sum() <= 0:
        shares[INTERMEDIARY] = 1.0
    return shares


def per_type(block) -> np.ndarray:
    """A per-job-type scenario block as an array in ``JOB_TYPES`` order."""
    values = np.array(list(block.model_dump().values()), dtype=np.float64)
    assert values.size == N_JOB_TYPES
    return values


# --- kernels ---


def _fill_example() -> tuple:
    rows, u, i64 = np.zeros(1, np.int64), np.full(1, 0.5), np.zeros(1, np.int64)
    return (rows, (np.full(2, 0.5), u, u[:0], u, u, u, u, u, u, u, i64),
            (np.ones(2), np.ones(4), np.ones(4), i64, 0.1, 60.0, 0.5, 1.0, 2500.0, True, 1.0, 1),
            columns(WorkerTable(1), DrawnColumns))


@kernel(example=_fill_example)
def _fill_workers(rows: np.ndarray, worker_draws: tuple, draw_terms: tuple, drawn_columns: tuple) -> None:
    """Write workers ``rows``' columns from their draws (in the order :func:`draw_workers` made them).

    Hometown and job type by inverse CDF (:func:`pick`), ages past retirement
    replaced in turn by ``retire - late_gap``, then clipped; reservation wage from
    her reference wage, skill (as stored, float32) and noise, at least the rural
    income; savings from the start draw. Float64 arithmetic in numpy's order,
    stored in the columns' dtypes. One pass where numpy made about 35 calls
    (draw_workers for 49 newcomers: 128 -> about 40 us, most of it now the
    Generator's eleven draws). The draws, terms and columns come as plain tuples of
    :class:`WorkerDraws`, :class:`DrawTerms` and :class:`DrawnColumns`, named here (a
    NamedTuple argument is typed in Python at every call).
    """
    d, t, out = WorkerDraws(*worker_draws), DrawTerms(*draw_terms), DrawnColumns(*drawn_columns)
    origin_cdf = cumulative_shares(t.origin_probs)
    job_cdf = cumulative_shares(t.worker_share)
    n = rows.size
    late = 0
    for i in range(n):
        r = rows[i]
        out.origin[r] = pick_at(origin_cdf, d.u_origin_hukou[i])
        out.local_hukou[r] = d.u_origin_hukou[n + i] < t.local_hukou_share
        a = d.age[i]
        if a >= t.retire:
            a = t.retire - d.late_gap[late]
            late += 1
        out.age_years[r] = min(max(a, 18.0), t.retire - 1.0 / 12.0)
        out.skill[r] = d.skill[i]
        out.certified[r] = d.u_certified[i] < t.certified_share
        out.experience_months[r] = d.experience[i]
        job_type = pick_at(job_cdf, d.u_job_type[i])
        out.job_type[r] = job_type
        reservation = t.reservation_share * t.reference_wage[job_type] * np.float64(out.skill[r]) * d.noise[i]
        out.reservation_yuan[r] = max(reservation, t.rural_income)
        out.savings_target_yuan[r] = d.target[i]
        if t.newcomers:
            out.savings_yuan[r] = t.rural_income * d.start[i] * t.newcomer_months
        else:
            out.savings_yuan[r] = d.target[i] * d.start[i]
        out.home_cell[r] = t.villages[d.village[i]]
        out.record[r] = 0.5
        out.arrival_month[r] = t.month
        out.status[r] = SEARCHING


@kernel(example=lambda: (np.ones(3),), inner=True)
def cumulative_shares(probabilities: np.ndarray) -> np.ndarray:
    """The normalised cumulative sum :func:`pick` searches (a sequential sum, as ``np.cumsum``), for kernels."""
    cdf = np.empty(probabilities.size)
    total = 0.0
    for k in range(probabilities.size):
        total += probabilities[k]
        cdf[k] = total
    for k in range(cdf.size):
        cdf[k] = cdf[k] / total
    return cdf


@kernel(example=lambda: (np.ones(3), 0.5), inner=True)
def pick_at(cdf: np.ndarray, u: float) -> int:
    """:func:`pick` of one uniform, inside kernels.

    The first category whose cumulative share (:func:`cumulative_shares`) is above
    ``u``, at most the last: ``np.searchsorted(cdf, u, side="right")``.
    """
    lo, hi = 0, cdf.size
    while lo < hi:
        mid = (lo + hi) // 2
        if u < cdf[mid]:
            hi = mid
        else:
            lo = mid + 1
    return min(lo, cdf.size - 1)


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int64), np.ones(4), 1.2, np.ones(1, np.float32),
                         np.ones(1), (np.zeros(1, np.int8), np.zeros(1, np.float32), np.zeros(1, np.int16))))
def _set_needs(rows: np.ndarray, need: np.ndarray, reference_wage: np.ndarray, markup: float,
               income_factor: np.ndarray, taste: np.ndarray, need_columns: tuple) -> None:
    """Write the needs and willingness to pay ``reference * markup * income_factor * taste``.

    In numpy's order and dtypes (float64 times the float32 income factor); one
    call for the five numpy made. The columns come as a plain tuple of :class:`NeedColumns`.
    """
    out = NeedColumns(*need_columns)
    for i in range(rows.size):
        r = rows[i]
        out.need[r] = need[i]
        out.wtp_yuan[r] = reference_wage[need[i]] * markup * np.float64(income_factor[i]) * taste[i]
        out.vacancy_months[r] = 0
