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

from model.mechanisms import wages
from model.tables import AGENCY, EMPLOYED, LIVE_OUT

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


def contribution_yuan(model: DomesticWorkModel, wage: np.ndarray) -> np.ndarray:
    """Monthly social insurance contributions of a job."""
    c = model.params.contracts
    return c.contribution_rate * np.maximum(wage, c.contribution_base_min_yuan)


def planned_stay_months(model: DomesticWorkModel, workers: np.ndarray) -> np.ndarray:
    """How long each worker expects to stay in the city: until her savings target or retirement."""
    w = model.workers
    p = model.params
    wage = np.maximum(w.wage_yuan[workers].astype(np.float64), p.migration.rural_income_yuan)
    live_out = w.job_type[workers] == LIVE_OUT
    living = p.migration.living_cost_yuan + p.migration.rent_yuan * live_out
    saving = np.maximum((1.0 - p.migration.remittance_share) * (wage - living), 100.0)
    to_target = np.maximum(w.savings_target_yuan[workers] - w.savings_yuan[workers], 0.0) / saving
    to_retirement = np.maximum(p.migration.retirement_age - w.age_years[workers], 0.0) * 12.0
    return np.minimum(to_target, to_retirement)


def household_cost(model: DomesticWorkModel, workers: np.ndarray) -> np.ndarray:
    """Monthly cost of a contract to each worker's household, less an agency's paperwork."""
    c = model.params.contracts
    w, h, a = model.workers, model.households, model.agencies
    households = w.employer[workers]
    relative_income = h.income_yuan[households] / model.params.households.income_median_yuan
    by_type = model.types.contract_cost_multiplier[w.job_type[workers]]
    cost = c.household_cost_yuan * by_type * np.maximum(relative_income, 1e-3) ** (-c.cost_income_elasticity)
    agency = w.agency[workers]
    via_agency = (w.channel[workers] == AGENCY) & (agency >= 0)
    reputation = np.zeros(workers.size)
    reputation[via_agency] = a.reputation[agency[via_agency]]
    return cost - c.agency_paperwork_yuan * 2.0 * reputation


def worker_contract_value(model: DomesticWorkModel, workers: np.ndarray, stay: np.ndarray | None = None) -> np.ndarray:
    """What a contract is worth to each worker a month: more the longer she stays, more with local hukou.

    ``stay``: her :func:`planned_stay_months`, when the caller has it already.
    """
    c = model.params.contracts
    stay = planned_stay_months(model, workers) if stay is None else stay
    local = model.workers.local_hukou[workers]
    return c.worker_value_yuan * (stay / (stay + c.stay_half_months)) * (1.0 + c.local_contract_premium * local)


def decide(model: DomesticWorkModel, workers: np.ndarray, stream: str, forced: bool = False) -> None:
    """Set contract and insurance of employed ``workers`` (at hire, at a review, or after an inspection).

    With ``forced`` the contract is signed (an inspector ordered it); insurance is still chosen.
    """
    if workers.size == 0:
        return
    c = model.params.contracts
    w = model.workers
    households = w.employer[workers]
    u_contract = model.streams.uniform(f"{stream}_contract", model.month, households)
    u_insure = model.streams.uniform(f"{stream}_insure", model.month, workers)

    stay = planned_stay_months(model, workers)
    gain = model.levers.contract_expected_fine_yuan + worker_contract_value(model, workers, stay) \
        - household_cost(model, workers)
    signs = forced | (u_contract < expit(gain / c.decision_scale_yuan))

    cost = contribution_yuan(model, w.wage_yuan[workers].astype(np.float64))
    value = insurance_value(model, workers, stay)
    net = (value - (1.0 - model.levers.insurance_subsidy_share)) * cost
    insures = signs & (u_insure < expit(net / c.decision_scale_yuan))

    eb = w.agency_employed[workers]
    w.contract[workers] = signs | eb
    w.insured[workers] = insures | eb | w.self_insured[workers]


def insurance_value(model: DomesticWorkModel, workers: np.ndarray, stay: np.ndarray | None = None) -> np.ndarray:
    """What a yuan of contributions is worth to each worker.

    Local hukou: ``contracts.value_local``. A migrant values them at
    ``contracts.value_migrant`` once she stays long enough for them to be of use
    in the city, less the shorter her planned stay (they are not portable home;
    a hukou reform narrows the gap). The pension part is worth less to a worker
    with fewer years to retirement than the pension needs, and cash now weighs
    more for a worker with little savings. ``stay``: her :func:`planned_stay_months`,
    when the caller has it already.
    """
    c = model.params.contracts
    w = model.workers
    local = w.local_hukou[workers]
    migrant_value = c.value_local - (c.value_local - c.value_migrant) * model.levers.hukou_gap
    stay = planned_stay_months(model, workers) if stay is None else stay
    portable = stay / (stay + c.stay_half_months)
    portability = np.where(local, 1.0, 1.0 - model.levers.hukou_gap * (1.0 - portable))
    years_left = np.maximum(model.params.migration.retirement_age - w.age_years[workers], 0.0)
    eligible = np.minimum(years_left / max(c.pension_years, 1e-9), 1.0)
    age = 1.0 - c.pension_part * (1.0 - eligible)
    savings = np.maximum(w.savings_yuan[workers].astype(np.float64), 0.0)
    liquidity = 1.0 - c.liquidity_weight * c.liquidity_half_yuan / (savings + c.liquidity_half_yuan)
    return np.where(local, c.value_local, migrant_value) * portability * age * liquidity


def inspect(model: DomesticWorkModel, employed: np.ndarray) -> None:
    """Labour inspectors visit jobs without a contract; households found out are fined and must sign."""
    lev = model.levers
    if lev.contract_inspection_rate <= 0.0:
        return
    w = model.workers
    uncovered = employed[~w.contract[employed] & ~w.agency_employed[employed]]
    u = model.streams.uniform("contract_inspection", model.month, uncovered)
    found = uncovered[u < lev.contract_inspection_rate]
    model.flows.contract_inspections_found += int(found.size)
    if found.size:
        fine_households(model, w.employer[found], np.full(found.size, lev.contract_fine_yuan))
        decide(model, found, "inspection", forced=True)


def fine_households(model: DomesticWorkModel, households: np.ndarray, amount: np.ndarray) -> None:
    """Fines households pay to the state (counted with the month's fines).

    Households are one account (``model.accounts``), so ``households`` only says who was fined.
    """
    del households
    paid = float(amount.sum())
    model.flows.fines_yuan += paid
    model.flows.household_fines_yuan += paid
    model.accounts.households_yuan -= paid
    model.accounts.state_yuan += paid


def review(model: DomesticWorkModel) -> None:
    """Inspections; about once a year each job's wage and terms are reviewed; some enrol on their own."""
    w = model.workers
    employed = w.with_status(EMPLOYED)
    inspect(model, employed)
    u = model.streams.uniform("contract_review", model.month, employed)
    reviewed = employed[u < model.params.contracts.reviews_per_year / 12.0]
    wages.renegotiate(model, reviewed)
    decide(model, reviewed, "review")

    _self_enrol(model, w.present[~w.self_insured[w.present]])


def _self_enrol(model: DomesticWorkModel, workers: np.ndarray) -> None:
    """Some uninsured workers enrol on their own, the likelier the more insurance is worth to them.

    Each enrols when her draw is below ``self_enrol_rate`` x value / ``value_local``.
    Every factor of the value but its base lies in [0, 1], so a draw at or above the
    rate at the larger base can never enrol: only the few below it are valued (the
    same choices, without valuing every present worker every month).
    """
    c = model.params.contracts
    scale = max(c.value_local, 1e-9)
    u = model.streams.uniform("self_enrol", model.month, workers)
    if 0.0 <= model.levers.hukou_gap <= 1.0:
        migrant_value = c.value_local - (c.value_local - c.value_migrant) * model.levers.hukou_gap
        could = u < c.self_enrol_rate * max(c.value_local, migrant_value) / scale
        workers, u = workers[could], u[could]
    rate = c.self_enrol_rate * insurance_value(model, workers) / scale
    enrol = workers[u < rate]
    w = model.workers
    w.self_insured[enrol] = True
    w.insured[enrol] = True
