"""Drawing agents' attributes: the starting population and newcomers.

All draws here are vectorized and come from named streams, so the same seed
gives the same city.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.tables import (
    EMPLOYEE_BASED,
    INTERMEDIARY,
    MEMBERSHIP,
    N_JOB_TYPES,
    SEARCHING,
)

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


def pick(probabilities: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category for each uniform ``u`` by inverse CDF (no pool-size dependent sampling)."""
    cdf = np.cumsum(probabilities, dtype=np.float64)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, u, side="right"), probabilities.size - 1)


def origin_weights(n: int, rng: np.random.Generator) -> np.ndarray:
    """Base shares of hometown counties: a few big senders, a long tail."""
    w = rng.lognormal(0.0, 1.0, n)
    return w / w.sum()


def draw_workers(model: DomesticWorkModel, rows: np.ndarray, rng: np.random.Generator,
                 origin_probs: np.ndarray, newcomers: bool) -> None:
    """Fill the attributes of workers ``rows``, as searching, newcomers or there from the start.

    Workers there from the start are at random points of their saving plan (savings
    uniform up to their target); newcomers bring a month of rural income.
    """
    p = model.params.workers
    w = model.workers
    n = rows.size
    types = model.types
    w.origin[rows] = pick(origin_probs, rng.random(n))
    w.local_hukou[rows] = rng.random(n) < p.local_hukou_share
    retire = model.params.migration.retirement_age
    age = rng.normal(p.age_mean, p.age_sd, n)
    # Ages past retirement are redrawn evenly over the last years before it, so that
    # no cohort reaches retirement age together in the first months.
    late = age >= retire
    age[late] = retire - rng.uniform(0.0, 8.0, int(late.sum()))
    w.age_years[rows] = np.clip(age, 18.0, retire - 1.0 / 12.0)
    w.skill[rows] = np.exp(rng.normal(-0.5 * p.skill_sd**2, p.skill_sd, n))
    w.certified[rows] = rng.random(n) < p.certified_share
    w.experience_months[rows] = rng.exponential(p.experience_mean_months, n)
    job_type = pick(types.worker_share, rng.random(n))
    w.job_type[rows] = job_type
    reference = types.reference_wage[job_type]
    noise = np.exp(rng.normal(0.0, p.reservation_sd, n))
    floor = model.params.migration.rural_income_yuan
    w.reservation_yuan[rows] = np.maximum(p.reservation_share * reference * w.skill[rows] * noise, floor)
    target = rng.gamma(p.savings_target_shape, p.savings_target_yuan / p.savings_target_shape, n)
    w.savings_target_yuan[rows] = target
    start = rng.random(n)
    if newcomers:
        w.savings_yuan[rows] = model.params.migration.rural_income_yuan * start * p.newcomer_savings_months
    else:
        w.savings_yuan[rows] = target * start
    villages = model.city.urban_villages
    w.home_cell[rows] = villages[rng.integers(0, villages.size, n)]
    w.record[rows] = 0.5
    w.arrival_month[rows] = model.month
    w.status[rows] = SEARCHING


def draw_households(model: DomesticWorkModel, rng: np.random.Generator) -> None:
    """Fill every household: place, income, need, trust."""
    p = model.params.households
    h = model.households
    n = h.n
    h.cell[:n] = rng.integers(0, model.city.cells, n)
    gradient = model.city.income_multiplier[h.cell[:n]]
    h.income_yuan[:n] = p.income_median_yuan * gradient * np.exp(rng.normal(0.0, p.income_sigma, n))
    h.trust_agency[:n] = np.clip(rng.beta(2.0, 2.0, n) + (p.trust_agency_mean - 0.5), 0.0, 1.0)
    h.law_abiding[:n] = rng.random(n)
    has_need = rng.random(n) < model.params.demand.need_share
    rows = np.flatnonzero(has_need)
    need = pick(model.types.need_stock_share, rng.random(rows.size))
    set_need(model, rows, need, rng.standard_normal(rows.size))


def set_need(model: DomesticWorkModel, rows: np.ndarray, need: np.ndarray, z: np.ndarray) -> None:
    """Give households ``rows`` a need of type ``need`` and a willingness to pay."""
    d = model.params.demand
    h = model.households
    relative_income = h.income_yuan[rows] / model.params.households.income_median_yuan
    h.need[rows] = need
    h.wtp_yuan[rows] = (model.types.reference_wage[need] * d.wtp_markup
                        * relative_income ** d.wtp_income_elasticity * np.exp(d.wtp_sd * z))
    h.vacancy_months[rows] = 0


def draw_agencies(model: DomesticWorkModel, rows: np.ndarray, rng: np.random.Generator,
                  model_probs: np.ndarray) -> None:
    """Fill new agencies ``rows`` with a business model, fees, capacity and cash."""
    p = model.params.agencies
    a = model.agencies
    n = rows.size
    kind = pick(model_probs, rng.random(n))
    a.active[rows] = True
    a.business_model[rows] = kind
    a.cell[rows] = rng.integers(0, model.city.cells, n)
    sd = p.capacity_sd
    a.capacity[rows] = np.maximum(1, np.round(p.capacity * rng.lognormal(-0.5 * sd**2, sd, n))).astype(np.int32)
    a.honesty_yuan[rows] = rng.exponential(p.honesty_mean_yuan, n) if p.honesty_mean_yuan > 0 else 0.0
    a.deducts[rows] = rng.random(n) < p.deduction_share
    a.reputation[rows] = np.clip(rng.normal(0.5, p.reputation_sd, n), 0.0, 1.0)
    a.cash_yuan[rows] = p.start_cash_yuan
    a.opened_month[rows] = model.month
    set_business_model(model, rows, kind)


def set_business_model(model: DomesticWorkModel, rows: np.ndarray, kind: np.ndarray) -> None:
    """Posted fees follow the business model."""
    p = model.params.agencies
    a = model.agencies
    a.business_model[rows] = kind
    membership_share = p.membership_fee_yuan / model.types.typical_wage
    # Indexed by business model (INTERMEDIARY, MEMBERSHIP, EMPLOYEE_BASED): a lookup, not np.select (30 us each).
    a.worker_fee_share[rows] = np.array([p.worker_fee_share, membership_share, 0.0])[kind]
    a.household_fee_share[rows] = np.array([p.household_fee_share, 0.5 * p.household_fee_share, 0.0])[kind]


def business_model_shares(model: DomesticWorkModel) -> np.ndarray:
    """Starting shares of intermediary, membership and employee-based agencies."""
    p = model.params.agencies
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
