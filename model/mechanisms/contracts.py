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

Under a contract mandate labour inspectors visit a share of jobs each month, and
workers who know of the law complain; a household found without a contract pays
the fine (a money flow to the state) and is ordered to sign. The expected fine,
inspection chance times fine, enters every household's choice, so the mandate's
effect grows smoothly with enforcement times fine; a household that knows of the
law also weighs a norm and the chance she complains
(:mod:`model.mechanisms.compliance`), so a mandate without inspections still
moves some. Jobs are reviewed about once a year, so a new mandate reaches
existing jobs too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import expit

from model.core.costs import rent_yuan, rent_yuan_one
from model.core.jit import columns, kernel, nmax, nmin
from model.core.rng import uniform_at
from model.core.tables import AGENCY, EMPLOYED, WorkerTable
from model.mechanisms import compliance, wages

if TYPE_CHECKING:
    from model.core.world import World


# --- the rules, in numpy (the kernels below follow them; tests/mechanisms/test_contracts.py holds them equal) ----

def contribution_yuan(world: World, wage: np.ndarray) -> np.ndarray:
    """Monthly social insurance contributions of a job."""
    c = world.params.contracts
    return c.contribution_rate * np.maximum(wage, c.contribution_base_min_yuan)


def planned_stay_months(world: World, workers: np.ndarray) -> np.ndarray:
    """How long each worker expects to stay in the city: until her savings target or retirement (months).

    What she saves a month is the share of her wage (at least the rural income) she does not
    send home, above her living costs in work of her type (with rent in live-out work:
    :func:`model.core.costs.rent_yuan`), at least 100 yuan. She stays until her savings reach
    her target, or until retirement age if that comes first. Kernels: :func:`_stay_months`.

    Args:
        world: the city this month.
        workers: rows of workers.

    Returns:
        Months (float64).
    """
    w, p = world.workers, world.params
    wage = np.maximum(w.wage_yuan[workers].astype(np.float64), p.migration.rural_income_yuan)
    living = p.migration.living_cost_yuan + rent_yuan(p.migration.rent_yuan, w.arrangement[workers], EMPLOYED)
    saving = np.maximum((1.0 - p.migration.remittance_share) * (wage - living), 100.0)
    to_target = np.maximum(w.savings_target_yuan[workers] - w.savings_yuan[workers], 0.0) / saving
    to_retirement = np.maximum(p.migration.retirement_age - w.age_years[workers], 0.0) * 12.0
    return np.minimum(to_target, to_retirement)


def contract_value(world: World, workers: np.ndarray, stay: np.ndarray) -> np.ndarray:
    """What a written contract is worth to each worker, which the household weighs (yuan a month).

    ``contracts.worker_value_yuan``, less the shorter she plans to stay (half at
    ``contracts.stay_half_months``), more with local hukou (``contracts.local_contract_premium``).

    Args:
        world: the city this month.
        workers: rows of employed workers.
        stay: their planned stays (:func:`planned_stay_months`).

    Returns:
        Yuan (float64).
    """
    c = world.params.contracts
    local = world.workers.local_hukou[workers]
    return c.worker_value_yuan * (stay / (stay + c.stay_half_months)) * (1.0 + c.local_contract_premium * local)


def household_contract_cost(world: World, workers: np.ndarray) -> np.ndarray:
    """What signing a contract costs each worker's household (yuan).

    ``contracts.household_cost_yuan`` times the job type's multiplier, falling with the
    household's income relative to the median (elasticity ``contracts.cost_income_elasticity``:
    paperwork and liability weigh less on a richer household), less the paperwork an agency
    that placed her does (``contracts.agency_paperwork_yuan``, twice its reputation).

    Args:
        world: the city this month.
        workers: rows of employed workers.

    Returns:
        Yuan (float64).
    """
    c = world.params.contracts
    w, h, a = world.workers, world.households, world.agencies
    households = w.employer[workers]
    relative_income = h.income_yuan[households] / world.params.households.income_median_yuan
    by_type = world.types.contract_cost_multiplier[w.job_type[workers]]
    cost = c.household_cost_yuan * by_type * np.maximum(relative_income, 1e-3) ** (-c.cost_income_elasticity)
    agency = w.agency[workers]
    via_agency = (w.channel[workers] == AGENCY) & (agency >= 0)
    reputation = np.zeros(workers.size)
    reputation[via_agency] = a.reputation[agency[via_agency]]
    return cost - c.agency_paperwork_yuan * 2.0 * reputation


def insurance_value(world: World, workers: np.ndarray, stay: np.ndarray) -> np.ndarray:
    """What a yuan of contributions is worth to each worker, given her planned stay.

    Local hukou: ``contracts.value_local``. A migrant values them at
    ``contracts.value_migrant`` once she stays long enough for them to be of use in the
    city, less the shorter her planned stay (they are not portable home; a hukou reform
    narrows the gap, ``levers.hukou_gap``). The pension part (``contracts.pension_part``)
    is worth less to a worker with fewer years to retirement than the pension needs
    (``contracts.pension_years``), and cash now weighs more for a worker with little
    savings (``contracts.liquidity_weight``). Kernels: :func:`_insurance_value`.

    Args:
        world: the city this month.
        workers: rows of workers.
        stay: their planned stays (:func:`planned_stay_months`).

    Returns:
        Yuan of value a yuan of contributions (float64).
    """
    c = world.params.contracts
    w = world.workers
    local = w.local_hukou[workers]
    migrant_value = c.value_local - (c.value_local - c.value_migrant) * world.levers.hukou_gap
    portable = stay / (stay + c.stay_half_months)
    portability = np.where(local, 1.0, 1.0 - world.levers.hukou_gap * (1.0 - portable))
    years_left = np.maximum(world.params.migration.retirement_age - w.age_years[workers], 0.0)
    eligible = np.minimum(years_left / max(c.pension_years, 1e-9), 1.0)
    age = 1.0 - c.pension_part * (1.0 - eligible)
    savings = np.maximum(w.savings_yuan[workers].astype(np.float64), 0.0)
    liquidity = 1.0 - c.liquidity_weight * c.liquidity_half_yuan / (savings + c.liquidity_half_yuan)
    return np.where(local, c.value_local, migrant_value) * portability * age * liquidity


class Choices(NamedTuple):
    """Whether each job has a written contract, and whether it is insured."""

    contract: np.ndarray
    insured: np.ndarray


def choices(world: World, workers: np.ndarray, stream: str, forced: bool = False) -> Choices:
    """Who signs and who is insured among employed ``workers``: what :func:`decide` sets.

    The household signs with the logistic chance of its gain over
    ``contracts.decision_scale_yuan``: the expected fine it avoids plus what a contract is
    worth to her (:func:`contract_value`) less what it costs it
    (:func:`household_contract_cost`), plus under a contract law the norm and the expected
    fine of her complaint (:func:`compliance.contract_pressure`); an inspector's order (``forced``) signs. Given a
    contract she insures with the logistic chance of what the contributions are worth to
    her (:func:`insurance_value`) less the share nobody subsidises, times the
    contributions. An employee-based agency always signs and insures; a worker enrolled
    on her own stays insured. The household's draw is by household, hers by worker
    (streams ``{stream}_contract`` and ``{stream}_insure``). Kernels: :func:`_gains`,
    :func:`_choose`.

    Args:
        world: the city this month.
        workers: rows of employed workers.
        stream: the occasion (``hire``, ``review``, ``inspection``, ``setup``).
        forced: whether an inspector ordered the contract.

    Returns:
        The new contract and insured flags of ``workers``.
    """
    c = world.params.contracts
    w = world.workers
    households = w.employer[workers]
    u_contract = world.streams.uniform(f"{stream}_contract", world.month, households)
    u_insure = world.streams.uniform(f"{stream}_insure", world.month, workers)
    stay = planned_stay_months(world, workers)
    gain = world.levers.contract_expected_fine_yuan + contract_value(world, workers, stay) \
        - household_contract_cost(world, workers) + compliance.contract_pressure(world, workers)
    signs = forced | (u_contract < expit(gain / c.decision_scale_yuan))
    cost = c.contribution_rate * np.maximum(w.wage_yuan[workers].astype(np.float64), c.contribution_base_min_yuan)
    value = insurance_value(world, workers, stay)
    net = (value - (1.0 - world.levers.insurance_subsidy_share)) * cost
    insures = signs & (u_insure < expit(net / c.decision_scale_yuan))
    eb = w.agency_employed[workers]
    return Choices(contract=signs | eb, insured=insures | eb | w.self_insured[workers])


def self_enrolling(world: World, workers: np.ndarray) -> np.ndarray:
    """Those of ``workers`` not yet enrolled who enrol in social insurance on their own this month.

    Each enrols when her draw (stream ``self_enrol``) is below ``contracts.self_enrol_rate``
    times what insurance is worth to her (:func:`insurance_value`) over ``contracts.value_local``.
    Kernel: :func:`_enrol`.

    Args:
        world: the city this month.
        workers: rows of workers.

    Returns:
        The rows that enrol.
    """
    c = world.params.contracts
    scale = max(c.value_local, 1e-9)
    workers = workers[~world.workers.self_insured[workers]]
    u = world.streams.uniform("self_enrol", world.month, workers)
    stay = planned_stay_months(world, workers)
    return workers[u < c.self_enrol_rate * insurance_value(world, workers, stay) / scale]


# --- the month ------------------------------------------------------------------------------------------------

def decide(world: World, workers: np.ndarray, stream: str, forced: bool = False) -> None:
    """Set contract and insurance of employed ``workers`` (at hire, at a review, or after an inspection).

    What :func:`choices` gives, in kernels: :func:`_gains` (the household's gain from signing
    and hers from insuring), numpy's logistic, then :func:`_choose` (the draws).
    """
    if workers.size == 0:
        return
    workers = np.asarray(workers, dtype=np.int64)
    c, w = world.params.contracts, world.workers
    relative_income = _relative_income(workers, w.employer, world.households.income_yuan,
                                       np.float32(world.params.households.income_median_yuan))
    # numpy's power in float32, as the household cost has always had it.
    income_factor = relative_income ** (-c.cost_income_elasticity)
    costs = (world.types.contract_cost_multiplier, w.agency, w.channel, world.agencies.reputation)  # ContractCosts
    gains = _gains(workers, income_factor, columns(w, Planners), costs, _stay_terms(world), _value_terms(world),
                   _signing_terms(world))
    if compliance.contract_law_in_force(world):  # norms and complaints (numpy: per household, not per term)
        gains[0] += compliance.contract_pressure(world, workers) / c.decision_scale_yuan
    chance = expit(gains)  # (2, n): the household signs, she insures
    streams, month = world.streams, world.month
    _choose(workers, chance, streams.ukey(f"{stream}_contract", month), streams.ukey(f"{stream}_insure", month),
            forced, columns(w, Choosers))


def _stay_terms(world: World) -> tuple:
    """The terms of :func:`planned_stay_months` for its kernel: :class:`StayTerms`' fields, in order, as a plain tuple.

    Built positionally (a NamedTuple built by keyword cost about 1 us a call, 16% of the
    month's contracts with the other groups); tests/mechanisms/test_contracts.py checks each field by name.
    """
    m = world.params.migration
    return m.rural_income_yuan, m.living_cost_yuan, m.rent_yuan, 1.0 - m.remittance_share, np.float32(m.retirement_age)


def _signing_terms(world: World) -> tuple:
    """The terms of :func:`choices`' gains for its kernel: :class:`SigningTerms`' fields, in order.

    As :func:`_stay_terms`; levers as they are this month.
    """
    c, lev = world.params.contracts, world.levers
    return (lev.contract_expected_fine_yuan, c.worker_value_yuan, c.local_contract_premium, c.household_cost_yuan,
            c.agency_paperwork_yuan * 2.0, c.contribution_rate, c.contribution_base_min_yuan,
            1.0 - lev.insurance_subsidy_share, c.decision_scale_yuan)


def _enrol_terms(world: World) -> tuple:
    """The terms of :func:`self_enrolling` for its kernel: :class:`EnrolTerms`' fields, in order.

    Each not yet enrolled enrols when her draw is below ``self_enrol_rate`` x value /
    ``value_local``. Every factor of the value but its base lies in [0, 1], so a draw at or
    above the rate at the larger base (``bound``) can never enrol: only the few below it are
    valued (the same choices, without valuing every present worker every month).
    """
    c = world.params.contracts
    scale = max(c.value_local, 1e-9)
    bound = np.inf
    if 0.0 <= world.levers.hukou_gap <= 1.0:
        migrant_value = c.value_local - (c.value_local - c.value_migrant) * world.levers.hukou_gap
        bound = c.self_enrol_rate * max(c.value_local, migrant_value) / scale
    return bound, c.self_enrol_rate, scale


def _value_terms(world: World) -> tuple:
    """The terms of :func:`insurance_value` for its kernel: :class:`ValueTerms`' fields, in order.

    As :func:`_stay_terms`; levers as they are this month.
    """
    c = world.params.contracts
    gap = world.levers.hukou_gap
    migrant_value = c.value_local - (c.value_local - c.value_migrant) * gap
    return (c.value_local, migrant_value, gap, c.stay_half_months, np.float32(world.params.migration.retirement_age),
            np.float32(max(c.pension_years, 1e-9)), np.float32(c.pension_part),
            c.liquidity_weight * c.liquidity_half_yuan, c.liquidity_half_yuan)


def inspect(world: World, employed: np.ndarray) -> None:
    """Labour inspectors visit jobs, and workers who know of the law complain.

    Households found without a contract (nor an employee-based agency) are fined and
    must sign (:mod:`model.mechanisms.compliance`).
    """
    lev, w = world.levers, world.workers
    breach = ~w.contract[employed] & ~w.agency_employed[employed]
    found = (compliance.visited(world, employed, "contract_inspection", lev.contract_inspection_rate) & breach) \
        | compliance.complains(world, employed, breach, "contract_complaint")
    found = employed[found]
    world.flows.contract_inspections_found += int(found.size)
    if found.size:
        compliance.fine_households(world, w.employer[found], np.full(found.size, lev.contract_fine_yuan))
        decide(world, found, "inspection", forced=True)


def review(world: World) -> None:
    """Inspections; about once a year each job's wage and terms are reviewed; some enrol on their own."""
    w = world.workers
    if world.levers.contract_inspection_rate > 0.0 or compliance.contract_law_in_force(world):
        inspect(world, w.with_status(EMPLOYED))
    reviewed = _reviewed(w.present, w.status, world.streams.ukey("contract_review", world.month),
                         world.params.contracts.reviews_per_year / 12.0)
    wages.renegotiate(world, reviewed)
    decide(world, reviewed, "review")
    _self_enrol(world, w.present)


def _self_enrol(world: World, workers: np.ndarray) -> None:
    """Those :func:`self_enrolling` gives enrol (and are insured), in a kernel that values only whom it must."""
    w = world.workers
    _enrol(np.asarray(workers, dtype=np.int64), world.streams.ukey("self_enrol", world.month), _enrol_terms(world),
           columns(w, Planners), _stay_terms(world), _value_terms(world), columns(w, Enrolment))


# --- kernels ------------------------------------------------------------------------------------------------------
#
# Each kernel is a rule above in one pass over rows, with numpy's arithmetic and dtypes
# step for step (same bits). They take named groups of columns and terms; those called
# from Python take each as a plain tuple and name it on entry, which numba types in C (a
# NamedTuple argument cost 1-2 microseconds a group a call). Columns are read by the
# group's field names (model.core.jit.columns); terms are built in their fields' order, in one
# place each, and a test names every field.

class StayTerms(NamedTuple):
    """The terms of :func:`planned_stay_months`."""

    rural_income: float  # migration.rural_income_yuan
    living_yuan: float  # migration.living_cost_yuan
    rent_yuan: float  # migration.rent_yuan
    keep_share: float  # 1 - migration.remittance_share
    retirement_age: np.float32  # migration.retirement_age, float32 as the age column


class ValueTerms(NamedTuple):
    """The terms of :func:`insurance_value`."""

    value_local: float  # contracts.value_local
    value_migrant: float  # a migrant's base value at this month's hukou gap
    hukou_gap: float  # levers.hukou_gap
    stay_half: float  # contracts.stay_half_months
    retirement_age: np.float32
    pension_years: np.float32  # contracts.pension_years, at least 1e-9
    pension_part: np.float32  # contracts.pension_part
    liquidity_weight_half: float  # contracts.liquidity_weight x contracts.liquidity_half_yuan
    liquidity_half: float  # contracts.liquidity_half_yuan


class SigningTerms(NamedTuple):
    """The terms of :func:`choices`' gains."""

    expected_fine: float  # levers.contract_expected_fine_yuan
    worker_value: float  # contracts.worker_value_yuan
    local_premium: float  # contracts.local_contract_premium
    household_cost_yuan: float  # contracts.household_cost_yuan
    paperwork: float  # 2 x contracts.agency_paperwork_yuan
    contribution_rate: float  # contracts.contribution_rate
    contribution_base_yuan: float  # contracts.contribution_base_min_yuan
    unsubsidised: float  # 1 - levers.insurance_subsidy_share
    scale: float  # contracts.decision_scale_yuan


class EnrolTerms(NamedTuple):
    """The terms of :func:`self_enrolling`: ``rate`` x value / ``scale``; draws at or above ``bound`` never enrol."""

    bound: float
    rate: float
    scale: float


class Planners(NamedTuple):
    """The worker columns her planned stay and her value of insurance read (whole columns, by row)."""

    wage_yuan: np.ndarray
    job_type: np.ndarray
    arrangement: np.ndarray
    savings_target_yuan: np.ndarray
    savings_yuan: np.ndarray
    age_years: np.ndarray
    local_hukou: np.ndarray


class ContractCosts(NamedTuple):
    """What a contract's cost to the household reads: by job type, and the agency that placed her."""

    cost_by_type: np.ndarray  # types.contract_cost_multiplier
    agency: np.ndarray  # worker column
    channel: np.ndarray  # worker column
    reputation: np.ndarray  # agency column


class Choosers(NamedTuple):
    """The worker columns the choice reads and writes (whole columns, by row)."""

    employer: np.ndarray
    agency_employed: np.ndarray
    self_insured: np.ndarray
    contract: np.ndarray  # written
    insured: np.ndarray  # written


class Enrolment(NamedTuple):
    """The worker columns self-enrolment writes (whole columns, by row)."""

    self_insured: np.ndarray
    insured: np.ndarray


def _planners_example() -> Planners:
    return Planners(*columns(WorkerTable(1), Planners))


_STAY_EXAMPLE = StayTerms(2500.0, 1500.0, 600.0, 0.7, np.float32(60.0))
_VALUE_EXAMPLE = ValueTerms(1.0, 0.5, 1.0, 12.0, np.float32(60.0), np.float32(15.0), np.float32(0.3), 2000.0, 10000.0)


@kernel(example=lambda: (_planners_example(), 0, _STAY_EXAMPLE), inner=True)
def _stay_months(w: Planners, r: int, t: StayTerms) -> float:
    """:func:`planned_stay_months` of the worker in row ``r``.

    In numpy's dtypes step for step: the years to retirement in float32, as the column.
    """
    wage = nmax(np.float64(w.wage_yuan[r]), t.rural_income)
    living = t.living_yuan + rent_yuan_one(t.rent_yuan, w.arrangement[r], EMPLOYED)  # her work's rent
    saving = nmax(t.keep_share * (wage - living), 100.0)
    to_target = nmax(np.float64(w.savings_target_yuan[r]) - w.savings_yuan[r], 0.0) / saving
    to_retirement = nmax(t.retirement_age - w.age_years[r], np.float32(0.0)) * np.float32(12.0)
    return nmin(to_target, np.float64(to_retirement))


@kernel(example=lambda: (24.0, _planners_example(), 0, _VALUE_EXAMPLE), inner=True)
def _insurance_value(stay: float, w: Planners, r: int, t: ValueTerms) -> float:
    """:func:`insurance_value` of the worker in row ``r``, given her planned stay (:func:`_stay_months`)."""
    local = w.local_hukou[r]
    portable = stay / (stay + t.stay_half)
    portability = 1.0 if local else 1.0 - t.hukou_gap * (1.0 - portable)
    years_left = nmax(t.retirement_age - w.age_years[r], np.float32(0.0))
    eligible = nmin(years_left / t.pension_years, np.float32(1.0))
    pension = np.float32(1.0) - t.pension_part * (np.float32(1.0) - eligible)
    liquidity = 1.0 - t.liquidity_weight_half / (nmax(w.savings_yuan[r], 0.0) + t.liquidity_half)
    return (t.value_local if local else t.value_migrant) * portability * np.float64(pension) * liquidity


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int32), np.ones(1, np.float32), np.float32(2e4)))
def _relative_income(rows: np.ndarray, employer: np.ndarray, income_yuan: np.ndarray,
                     median_yuan: np.float32) -> np.ndarray:
    """Each worker's household income relative to the median, at least 1e-3 (float32, as the column)."""
    out = np.empty(rows.size, dtype=np.float32)
    for i in range(rows.size):
        out[i] = nmax(income_yuan[employer[rows[i]]] / median_yuan, np.float32(1e-3))
    return out


def _gains_example() -> tuple:
    costs = ContractCosts(np.zeros(1), np.zeros(1, np.int32), np.zeros(1, np.int8), np.zeros(1, np.float32))
    signing = SigningTerms(0.0, 150.0, 1.0, 800.0, 400.0, 0.3, 3000.0, 1.0, 300.0)
    return (np.zeros(1, np.int64), np.zeros(1, np.float32), tuple(_planners_example()), tuple(costs),
            tuple(_STAY_EXAMPLE), tuple(_VALUE_EXAMPLE), tuple(signing))


@kernel(example=_gains_example)
def _gains(rows: np.ndarray, income_factor: np.ndarray, planners: tuple, contract_costs: tuple, stay_values: tuple,
           value_values: tuple, signing: tuple) -> np.ndarray:
    """The household's gain from signing and hers from insuring (:func:`choices`), over the decision scale.

    Shape (2, n). ``income_factor``: the household's income relative to the median, to
    minus the elasticity (numpy's power, float32). The groups are :class:`Planners`,
    :class:`ContractCosts`, :class:`StayTerms`, :class:`ValueTerms` and :class:`SigningTerms`
    as plain tuples. One pass where numpy made about 80.
    """
    w, costs, t = Planners(*planners), ContractCosts(*contract_costs), SigningTerms(*signing)
    stay_terms, value_terms = StayTerms(*stay_values), ValueTerms(*value_values)
    out = np.empty((2, rows.size))
    for i in range(rows.size):
        r = rows[i]
        local = w.local_hukou[r]
        stay = _stay_months(w, r, stay_terms)
        # contract_value and household_contract_cost
        value_to_her = t.worker_value * (stay / (stay + value_terms.stay_half)) \
            * (1.0 + t.local_premium * (1.0 if local else 0.0))
        agency = costs.agency[r]
        reputation = np.float64(costs.reputation[agency]) if costs.channel[r] == AGENCY and agency >= 0 else 0.0
        cost = t.household_cost_yuan * costs.cost_by_type[w.job_type[r]] * np.float64(income_factor[i]) \
            - t.paperwork * reputation
        out[0, i] = (t.expected_fine + value_to_her - cost) / t.scale
        # contribution_yuan and insurance_value
        contributions = t.contribution_rate * nmax(np.float64(w.wage_yuan[r]), t.contribution_base_yuan)
        value = _insurance_value(stay, w, r, value_terms)
        out[1, i] = (value - t.unsubsidised) * contributions / t.scale
    return out


def _choose_example() -> tuple:
    return (np.zeros(1, np.int64), np.zeros((2, 1)), np.uint64(1), np.uint64(2), False,
            columns(WorkerTable(1), Choosers))


@kernel(example=_choose_example)
def _choose(rows: np.ndarray, chance: np.ndarray, contract_key: np.uint64, insure_key: np.uint64, forced: bool,
            choosers: tuple) -> None:
    """:func:`choices` given the chances: the household signs with ``chance[0]``, she insures with ``chance[1]``.

    The household's draw is by household row, hers by row; sets ``contract`` and ``insured``
    of the :class:`Choosers` columns (a plain tuple).
    """
    w = Choosers(*choosers)
    for i in range(rows.size):
        r = rows[i]
        signs = forced or uniform_at(np.uint64(w.employer[r]), contract_key) < chance[0, i]
        insures = signs and uniform_at(np.uint64(r), insure_key) < chance[1, i]
        w.contract[r] = signs or w.agency_employed[r]
        w.insured[r] = insures or w.agency_employed[r] or w.self_insured[r]


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


def _enrol_example() -> tuple:
    return (np.zeros(1, np.int64), np.uint64(1), (0.1, 0.1, 1.0), tuple(_planners_example()), tuple(_STAY_EXAMPLE),
            tuple(_VALUE_EXAMPLE), columns(WorkerTable(1), Enrolment))


@kernel(example=_enrol_example)
def _enrol(rows: np.ndarray, key: np.uint64, enrol_values: tuple, planners: tuple, stay_values: tuple,
           value_values: tuple, enrolment: tuple) -> None:
    """:func:`self_enrolling`: of ``rows`` not enrolled, those whose draw is below ``rate`` x value / ``scale`` enrol.

    A draw at or above ``bound`` is not valued (it cannot enrol). The groups are
    :class:`EnrolTerms`, :class:`Planners`, :class:`StayTerms`, :class:`ValueTerms` and
    :class:`Enrolment` as plain tuples. One pass instead of about 40 numpy calls over the
    present workers.
    """
    t, w, out = EnrolTerms(*enrol_values), Planners(*planners), Enrolment(*enrolment)
    stay_terms, value_terms = StayTerms(*stay_values), ValueTerms(*value_values)
    for r in rows:
        if out.self_insured[r]:
            continue
        u = uniform_at(np.uint64(r), key)
        if not u < t.bound:
            continue
        stay = _stay_months(w, r, stay_terms)
        value = _insurance_value(stay, w, r, value_terms)
        if u < t.rate * value / t.scale:
            out.self_insured[r] = True
            out.insured[r] = True
