"""Contracts and formalization: who signs a written labour contract, who is insured.

A household signs when the expected fine it avoids plus what the worker asks for
a contract outweighs what a contract costs it, with idiosyncratic costs
(logistic). Both sides differ. The cost to the household falls with its income
(paperwork and liability weigh less on a richer household) and depends on the
job type (an hourly cleaner with several employers is rarely on a contract, a
live-in carer's liability is larger); an agency that placed the worker does the
paperwork, the more so the better its record. What the worker asks for it rises
with how long she plans to stay in the city (until her savings target or
retirement) and with local hukou. Given a contract, the job is insured when what
the contributions are worth to her exceeds the share nobody subsidises: they are
worth less to a migrant who will leave before they are portable (hukou), to a
worker too old to qualify for a pension, and to one short of cash. Employee-based
agencies always sign and insure.

Under a contract mandate labour inspectors visit a share of jobs without a
contract each month; a household found out pays the fine (a money flow to the
state) and is ordered to sign. The expected fine, inspection chance times fine,
enters every household's choice, so the mandate's effect grows smoothly with
enforcement times fine. Jobs are reviewed about once a year, so a new mandate
reaches existing jobs too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from model.core.costs import rent_yuan_one
from model.core.jit import kernel, nmax, nmin
from model.core.rng import uniform_at
from model.core.tables import AGENCY, EMPLOYED
from model.mechanisms import wages

if TYPE_CHECKING:
    from model.core.world import World


def contribution_yuan(world: World, wage: np.ndarray) -> np.ndarray:
    """Monthly social insurance contributions of a job."""
    c = world.params.contracts
    return c.contribution_rate * np.maximum(wage, c.contribution_base_min_yuan)


# --- what a worker expects and values, one worker at a time (used inside the kernels) --------------------------

def _stay_terms(world: World) -> tuple:
    """The constants of :func:`_stay_months`, in its order."""
    m = world.params.migration
    return (m.rural_income_yuan, m.living_cost_yuan, m.rent_yuan, 1.0 - m.remittance_share,
            np.float32(m.retirement_age))


def _value_terms(world: World) -> tuple:
    """The constants of :func:`_insurance_value`, in its order (levers as they are this month)."""
    c = world.params.contracts
    gap = world.levers.hukou_gap
    migrant_value = c.value_local - (c.value_local - c.value_migrant) * gap
    return (c.value_local, migrant_value, gap, c.stay_half_months, np.float32(world.params.migration.retirement_age),
            np.float32(max(c.pension_years, 1e-9)), np.float32(c.pension_part),
            c.liquidity_weight * c.liquidity_half_yuan, c.liquidity_half_yuan)


_STAY_EXAMPLE = (2500.0, 1500.0, 600.0, 0.7, np.float32(60.0))
_VALUE_EXAMPLE = (1.0, 0.5, 1.0, 12.0, np.float32(60.0), np.float32(15.0), np.float32(0.3), 2000.0, 10000.0)


@kernel(example=lambda: (np.float32(3000.0), np.int8(0), np.float32(5e4), 1e4, np.float32(30.0), _STAY_EXAMPLE),
        inner=True)
def _stay_months(wage_yuan: np.float32, job_type: np.int8, target_yuan: np.float32, savings_yuan: float,
                 age: np.float32, terms: tuple) -> float:
    """How long she expects to stay in the city: until her savings target or retirement (months).

    What she saves a month is the share she does not send home of her wage (at least the
    rural income) above her living costs (rent for live-out work), at least 100 yuan.
    In numpy's dtypes step for step: the years to retirement in float32, as the column.
    """
    rural, living_yuan, rent_yuan, keep_share, retirement_age = terms
    wage = nmax(np.float64(wage_yuan), rural)
    living = living_yuan + rent_yuan_one(rent_yuan, job_type, EMPLOYED)  # the rent of work of her type
    saving = nmax(keep_share * (wage - living), 100.0)
    to_target = nmax(np.float64(target_yuan) - savings_yuan, 0.0) / saving
    to_retirement = nmax(retirement_age - age, np.float32(0.0)) * np.float32(12.0)
    return nmin(to_target, np.float64(to_retirement))


@kernel(example=lambda: (24.0, False, np.float32(30.0), 1e4, _VALUE_EXAMPLE), inner=True)
def _insurance_value(stay: float, local: bool, age: np.float32, savings_yuan: float, terms: tuple) -> float:
    """What a yuan of contributions is worth to her, given her planned stay (:func:`_stay_months`).

    Local hukou: ``contracts.value_local``. A migrant values them at
    ``contracts.value_migrant`` once she stays long enough for them to be of use
    in the city, less the shorter her planned stay (they are not portable home;
    a hukou reform narrows the gap). The pension part is worth less to a worker
    with fewer years to retirement than the pension needs, and cash now weighs
    more for a worker with little savings.
    """
    value_local, value_migrant, hukou_gap, stay_half, retirement_age, pension_years, pension_part, \
        liquidity_weight_half, liquidity_half = terms
    portable = stay / (stay + stay_half)
    portability = 1.0 if local else 1.0 - hukou_gap * (1.0 - portable)
    years_left = nmax(retirement_age - age, np.float32(0.0))
    eligible = nmin(years_left / pension_years, np.float32(1.0))
    pension = np.float32(1.0) - pension_part * (np.float32(1.0) - eligible)
    liquidity = 1.0 - liquidity_weight_half / (nmax(savings_yuan, 0.0) + liquidity_half)
    return (value_local if local else value_migrant) * portability * np.float64(pension) * liquidity


# --- the choice -----------------------------------------------------------------------------------------------

def decide(world: World, workers: np.ndarray, stream: str, forced: bool = False) -> None:
    """Set contract and insurance of employed ``workers`` (at hire, at a review, or after an inspection).

    With ``forced`` the contract is signed (an inspector ordered it); insurance is still chosen.
    The household weighs the expected fine it avoids plus what a contract is worth to her
    against what it costs, she (given a contract) what the contributions are worth to her
    against her share of them; each chooses by a logistic in the gain over
    ``contracts.decision_scale_yuan``.
    """
    if workers.size == 0:
        return
    workers = np.asarray(workers, dtype=np.int64)
    c, w = world.params.contracts, world.workers
    relative_income = _relative_income(workers, w.employer, world.households.income_yuan,
                                       np.float32(world.params.households.income_median_yuan))
    # numpy's power in float32, as the household cost has always had it.
    income_factor = relative_income ** (-c.cost_income_elasticity)
    lev = world.levers
    worth = (lev.contract_expected_fine_yuan, c.worker_value_yuan, c.local_contract_premium, c.household_cost_yuan,
             c.agency_paperwork_yuan * 2.0, c.contribution_rate, c.contribution_base_min_yuan,
             1.0 - lev.insurance_subsidy_share, c.decision_scale_yuan)
    gains = _gains(workers, income_factor, w.wage_yuan, w.job_type, w.savings_target_yuan, w.savings_yuan,
                   w.age_years, w.local_hukou, w.agency, w.channel, world.agencies.reputation,
                   world.types.contract_cost_multiplier, _stay_terms(world), _value_terms(world), worth)
    chance = expit(gains)  # (2, n): the household signs, she insures
    streams, month = world.streams, world.month
    _choose(workers, chance, streams.ukey(f"{stream}_contract", month), streams.ukey(f"{stream}_insure", month),
            forced, w.employer, w.agency_employed, w.self_insured, w.contract, w.insured)


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int32), np.ones(1, np.float32), np.float32(2e4)))
def _relative_income(rows: np.ndarray, employer: np.ndarray, income_yuan: np.ndarray,
                     median_yuan: np.float32) -> np.ndarray:
    """Each worker's household income relative to the median, at least 1e-3 (float32, as the column)."""
    out = np.empty(rows.size, dtype=np.float32)
    for i in range(rows.size):
        out[i] = nmax(income_yuan[employer[rows[i]]] / median_yuan, np.float32(1e-3))
    return out


def _gains_example() -> tuple:
    rows, money, small, flag, index = (np.zeros(1, np.int64), np.zeros(1), np.zeros(1, np.float32),
                                       np.zeros(1, np.bool_), np.zeros(1, np.int32))
    worth = (0.0, 150.0, 1.0, 800.0, 400.0, 0.3, 3000.0, 1.0, 300.0)
    return (rows, small, small, np.zeros(1, np.int8), small, money, small, flag, index, np.zeros(1, np.int8),
            small, money, _STAY_EXAMPLE, _VALUE_EXAMPLE, worth)


@kernel(example=_gains_example)
def _gains(rows: np.ndarray, income_factor: np.ndarray, wage_yuan: np.ndarray, job_type: np.ndarray,
           target_yuan: np.ndarray, savings_yuan: np.ndarray, age: np.ndarray, local_hukou: np.ndarray,
           agency: np.ndarray, channel: np.ndarray, reputation: np.ndarray, cost_by_type: np.ndarray,
           stay_terms: tuple, value_terms: tuple, worth: tuple) -> np.ndarray:
    """The household's gain from signing and hers from insuring, each over the decision scale: shape (2, n).

    The household's gain: the expected fine, plus what a contract is worth to her (more
    the longer she stays, more with local hukou), less its cost (by job type, falling with
    the household's income: ``income_factor``; less an agency's paperwork, the more so the
    better its record). Hers: what the contributions are worth to her less the share
    nobody subsidises, times the contributions. One pass where numpy made about 80, with
    numpy's arithmetic and dtypes step for step (same bits).
    """
    fine, worker_value, local_premium, household_cost_yuan, paperwork, contribution_rate, contribution_base, \
        unsubsidised, scale = worth
    stay_half = value_terms[3]
    out = np.empty((2, rows.size))
    for i in range(rows.size):
        r = rows[i]
        local = local_hukou[r]
        stay = _stay_months(wage_yuan[r], job_type[r], target_yuan[r], savings_yuan[r], age[r], stay_terms)
        contract_value = worker_value * (stay / (stay + stay_half)) * (1.0 + local_premium * (1.0 if local else 0.0))
        reputation_r = np.float64(reputation[agency[r]]) if channel[r] == AGENCY and agency[r] >= 0 else 0.0
        cost = household_cost_yuan * cost_by_type[job_type[r]] * np.float64(income_factor[i]) - paperwork * reputation_r
        out[0, i] = (fine + contract_value - cost) / scale
        contributions = contribution_rate * nmax(np.float64(wage_yuan[r]), contribution_base)
        value = _insurance_value(stay, local, age[r], savings_yuan[r], value_terms)
        out[1, i] = (value - unsubsidised) * contributions / scale
    return out


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros((2, 1)), np.uint64(1), np.uint64(2), False,
                         np.zeros(1, np.int32), np.zeros(1, np.bool_), np.zeros(1, np.bool_), np.zeros(1, np.bool_),
                         np.zeros(1, np.bool_)))
def _choose(rows: np.ndarray, chance: np.ndarray, contract_key: np.uint64, insure_key: np.uint64, forced: bool,
            employer: np.ndarray, agency_employed: np.ndarray, self_insured: np.ndarray, contract: np.ndarray,
            insured: np.ndarray) -> None:
    """The household signs with ``chance[0]`` (its draw by household row), she insures with ``chance[1]``.

    An inspector's order (``forced``) signs; an employee-based agency always signs and
    insures; a worker enrolled on her own stays insured. Sets ``contract`` and ``insured``.
    """
    for i in range(rows.size):
        r = rows[i]
        signs = forced or uniform_at(np.uint64(employer[r]), contract_key) < chance[0, i]
        insures = signs and uniform_at(np.uint64(r), insure_key) < chance[1, i]
        contract[r] = signs or agency_employed[r]
        insured[r] = insures or agency_employed[r] or self_insured[r]


# --- the month ------------------------------------------------------------------------------------------------

def inspect(world: World, employed: np.ndarray) -> None:
    """Labour inspectors visit jobs without a contract; households found out are fined and must sign."""
    lev = world.levers
    if lev.contract_inspection_rate <= 0.0:
        return
    w = world.workers
    found = _found(employed, w.contract, w.agency_employed, world.streams.ukey("contract_inspection", world.month),
                   lev.contract_inspection_rate)
    world.flows.contract_inspections_found += int(found.size)
    if found.size:
        fine_households(world, w.employer[found], np.full(found.size, lev.contract_fine_yuan))
        decide(world, found, "inspection", forced=True)


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.bool_), np.zeros(1, np.bool_), np.uint64(1), 0.1))
def _found(rows: np.ndarray, contract: np.ndarray, agency_employed: np.ndarray, key: np.uint64,
           rate: float) -> np.ndarray:
    """The jobs of ``rows`` without a contract (nor an employee-based agency) an inspector visits (drawn by row)."""
    found = np.empty(rows.size, dtype=np.int64)
    n = 0
    for r in rows:
        if not contract[r] and not agency_employed[r] and uniform_at(np.uint64(r), key) < rate:
            found[n] = r
            n += 1
    return found[:n]


def fine_households(world: World, households: np.ndarray, amount: np.ndarray) -> None:
    """Fines households pay to the state (counted with the month's fines).

    Households are one account (``world.accounts``), so ``households`` only says who was fined.
    """
    del households
    paid = float(amount.sum())
    world.flows.fines_yuan += paid
    world.flows.household_fines_yuan += paid
    world.accounts.households_yuan -= paid
    world.accounts.state_yuan += paid


def review(world: World) -> None:
    """Inspections; about once a year each job's wage and terms are reviewed; some enrol on their own."""
    w = world.workers
    if world.levers.contract_inspection_rate > 0.0:
        inspect(world, w.with_status(EMPLOYED))
    reviewed = _reviewed(w.present, w.status, world.streams.ukey("contract_review", world.month),
                         world.params.contracts.reviews_per_year / 12.0)
    wages.renegotiate(world, reviewed)
    decide(world, reviewed, "review")
    _self_enrol(world, w.present)


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int8), np.uint64(1), 0.1))
def _reviewed(present: np.ndarray, status: np.ndarray, key: np.uint64, chance: float) -> np.ndarray:
    """The employed workers of ``present`` whose draw (of the stream whose key is given) is below ``chance``."""
    out = np.empty(present.size, dtype=np.int64)
    n = 0
    for r in present:
        if status[r] == EMPLOYED and uniform_at(np.uint64(r), key) < chance:
            out[n] = r
            n += 1
    return out[:n]


def _self_enrol(world: World, workers: np.ndarray) -> None:
    """Some uninsured ``workers`` enrol on their own, the likelier the more insurance is worth to them.

    Each not yet enrolled enrols when her draw is below ``self_enrol_rate`` x value /
    ``value_local``. Every factor of the value but its base lies in [0, 1], so a draw at or
    above the rate at the larger base can never enrol: only the few below it are valued
    (the same choices, without valuing every present worker every month).
    """
    c = world.params.contracts
    scale = max(c.value_local, 1e-9)
    bound = np.inf
    if 0.0 <= world.levers.hukou_gap <= 1.0:
        migrant_value = c.value_local - (c.value_local - c.value_migrant) * world.levers.hukou_gap
        bound = c.self_enrol_rate * max(c.value_local, migrant_value) / scale
    w = world.workers
    _enrol(np.asarray(workers, dtype=np.int64), world.streams.ukey("self_enrol", world.month), bound,
           c.self_enrol_rate, scale, w.wage_yuan, w.job_type, w.savings_target_yuan, w.savings_yuan, w.age_years,
           w.local_hukou, _stay_terms(world), _value_terms(world), w.self_insured, w.insured)


def _enrol_example() -> tuple:
    small, flag = np.zeros(1, np.float32), np.zeros(1, np.bool_)
    return (np.zeros(1, np.int64), np.uint64(1), 0.1, 0.1, 1.0, small, np.zeros(1, np.int8), small, np.zeros(1),
            small, flag, _STAY_EXAMPLE, _VALUE_EXAMPLE, flag.copy(), flag.copy())


@kernel(example=_enrol_example)
def _enrol(rows: np.ndarray, key: np.uint64, bound: float, rate: float, scale: float, wage_yuan: np.ndarray,
           job_type: np.ndarray, target_yuan: np.ndarray, savings_yuan: np.ndarray, age: np.ndarray,
           local_hukou: np.ndarray, stay_terms: tuple, value_terms: tuple, self_insured: np.ndarray,
           insured: np.ndarray) -> None:
    """Of ``rows`` not enrolled, those whose draw is below ``rate`` x value / ``scale`` enrol (and are insured).

    A draw at or above ``bound`` is not valued (it cannot enrol). One pass instead of
    about 40 numpy calls over the present workers.
    """
    for r in rows:
        if self_insured[r]:
            continue
        u = uniform_at(np.uint64(r), key)
        if not u < bound:
            continue
        stay = _stay_months(wage_yuan[r], job_type[r], target_yuan[r], savings_yuan[r], age[r], stay_terms)
        value = _insurance_value(stay, local_hukou[r], age[r], savings_yuan[r], value_terms)
        if u < rate * value / scale:
            self_insured[r] = True
            insured[r] = True
