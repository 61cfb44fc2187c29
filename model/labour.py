"""Job and status bookkeeping: the only place where a worker's status changes.

Every status change goes through :func:`move`, which counts it in the month's
transition matrix. The flow columns of ``timeseries.csv`` (hires, separations,
arrivals, departures, ...) are read off that matrix, so the stock-flow identity
``searching[t] = searching[t-1] - hires + separations + arrivals - departures +
returns - leaving`` holds by construction and a test checks it against the stocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from model.tables import AWAY, EMPLOYED, GONE, INACTIVE, N_CHANNELS, N_STATUS, SEARCHING

if TYPE_CHECKING:
    from model.model import DomesticWorkModel

# Why a job ended.
SEPARATION_REASONS = (
    "exogenous", "need_ended", "quit_arrears", "quit_informal", "dismissal",
    "minimum_wage", "festival", "going_home",
)
REASON = {name: i for i, name in enumerate(SEPARATION_REASONS)}


@dataclass
class MonthFlows:
    """Everything that flows during one month; reset at the start of each step."""

    transitions: np.ndarray = field(default_factory=lambda: np.zeros((N_STATUS, N_STATUS), np.int64))
    hires_by_channel: np.ndarray = field(default_factory=lambda: np.zeros(N_CHANNELS, np.int64))
    separations_by_reason: np.ndarray = field(
        default_factory=lambda: np.zeros(len(SEPARATION_REASONS), np.int64))
    worker_fees_yuan: float = 0.0
    household_fees_yuan: float = 0.0
    fines_yuan: float = 0.0
    agency_placements: int = 0  # hires through agencies
    top_quartile_placements: int = 0  # of them, by agencies in the top quarter by reputation
    hire_wages_yuan: float = 0.0  # agreed wages of this month's hires, summed
    hire_wage_index_sum: float = 0.0  # the same, each over her job type's reference wage
    household_fines_yuan: float = 0.0  # contract-mandate fines paid by households (part of fines_yuan)
    contract_inspections_found: int = 0  # jobs without a contract found by inspectors
    wages_lost_yuan: float = 0.0
    remittances_yuan: float = 0.0
    net_income_yuan: float = 0.0  # of employed workers: pay less living costs
    held_jobs_lost: int = 0  # jobs held for an away worker that ended before she came back
    insurance_contributions_yuan: float = 0.0  # of insured jobs paid this month: employers', workers' and the state's
    public_subsidies_yuan: float = 0.0  # insurance, employee-based and training subsidies paid by the state
    # Who pays whom (the accounts of model/accounts.py), in yuan this month.
    worker_pay_yuan: float = 0.0  # wages paid to workers before deductions and her contributions
    worker_contributions_yuan: float = 0.0  # her share of contributions, withheld from her pay
    living_costs_yuan: float = 0.0  # paid by workers in the city to landlords and shops
    course_fees_yuan: float = 0.0  # paid by workers for training courses
    borrowed_yuan: float = 0.0  # lent by kin to workers who ran out of money
    repaid_yuan: float = 0.0  # repaid to kin out of what workers send home
    household_wages_yuan: float = 0.0  # wages paid by households that employ the worker themselves
    household_contributions_yuan: float = 0.0  # employers' contributions paid by those households
    household_placement_fees_yuan: float = 0.0  # one-off fees paid to agencies for a placement
    household_service_bills_yuan: float = 0.0  # employee-based agencies' charge over wages and contributions
    household_bills_passed_yuan: float = 0.0  # the wages and contributions employee-based bills pass on
    agency_income_yuan: np.ndarray = field(default_factory=lambda: np.zeros(3))  # by business model
    searchers_at_matching: int = 0
    vacancies_at_matching: int = 0
    trained: int = 0
    certified: int = 0
    agencies_opened: int = 0
    agencies_closed: int = 0
    overcharged_placements: int = 0
    capped_placements: int = 0


def move(model: DomesticWorkModel, rows: np.ndarray, new_status: int) -> None:
    """Set the status of ``rows`` and count each transition."""
    if rows.size == 0:
        return
    status = model.workers.status
    old = status[rows].astype(np.int64)
    counts = np.bincount(old * N_STATUS + new_status, minlength=N_STATUS * N_STATUS)
    model.flows.transitions += counts.reshape(N_STATUS, N_STATUS)
    status[rows] = new_status
    if new_status == GONE:
        model.workers.forget(np.sort(rows))
    elif counts[INACTIVE * N_STATUS + new_status]:
        model.workers.admit(rows[old == INACTIVE])


def hire(model: DomesticWorkModel, workers: np.ndarray, households: np.ndarray,
         channel: np.ndarray, agency: np.ndarray, wage_yuan: np.ndarray) -> None:
    """Start jobs: worker ``workers[i]`` works for household ``households[i]``."""
    w, h = model.workers, model.households
    move(model, workers, EMPLOYED)
    w.employer[workers] = households
    w.channel[workers] = channel
    w.agency[workers] = agency
    w.wage_yuan[workers] = wage_yuan
    w.months_in_job[workers] = 0
    w.months_searching[workers] = 0
    w.paid_placement_fee[workers] = False
    h.worker[households] = workers
    h.vacancy_months[households] = 0
    model.flows.hires_by_channel += np.bincount(channel, minlength=N_CHANNELS)
    model.flows.hire_wages_yuan += float(np.sum(wage_yuan, dtype=np.float64))
    reference = model.types.reference_wage[w.job_type[workers]]
    model.flows.hire_wage_index_sum += float(np.sum(wage_yuan / reference, dtype=np.float64))


def separate(model: DomesticWorkModel, workers: np.ndarray, reason: str) -> None:
    """End the jobs of employed ``workers``: they become searching, their households post vacancies."""
    if workers.size == 0:
        return
    w, h = model.workers, model.households
    assert np.all(w.status[workers] == EMPLOYED), "only employed workers can be separated"
    model.flows.separations_by_reason[REASON[reason]] += workers.size
    model.flows.wages_lost_yuan += float(w.wages_owed_yuan[workers].sum())
    h.worker[w.employer[workers]] = -1
    _release(model, workers)
    w.separated_month[workers] = model.month
    move(model, workers, SEARCHING)


def _release(model: DomesticWorkModel, workers: np.ndarray) -> None:
    w = model.workers
    w.employer[workers] = -1
    w.channel[workers] = -1
    w.agency[workers] = -1
    w.agency_employed[workers] = False
    w.contract[workers] = False
    w.insured[workers] = w.self_insured[workers]
    w.wage_yuan[workers] = 0.0
    w.paid_yuan[workers] = 0.0
    w.deduction_left_yuan[workers] = 0.0
    w.paid_placement_fee[workers] = False
    w.wages_owed_yuan[workers] = 0.0
    w.months_in_job[workers] = 0


def leave_with_job_held(model: DomesticWorkModel, workers: np.ndarray, months: int) -> None:
    """Employed workers go home for a while; their households keep the job for them."""
    w = model.workers
    w.held_by[workers] = w.employer[workers]
    w.away_months_left[workers] = months
    move(model, workers, AWAY)


def leave_for_a_while(model: DomesticWorkModel, workers: np.ndarray, months: int) -> None:
    """Searching workers go home for a while."""
    model.workers.away_months_left[workers] = months
    move(model, workers, AWAY)


def come_back(model: DomesticWorkModel, workers: np.ndarray) -> None:
    """Away workers return: to their held job if it is still there, else to searching."""
    w, h = model.workers, model.households
    held = w.held_by[workers]
    has_job = held >= 0
    job_still_there = np.zeros(workers.size, dtype=bool)
    job_still_there[has_job] = h.worker[held[has_job]] == workers[has_job]
    back_to_job = workers[job_still_there]
    lost_job = workers[has_job & ~job_still_there]
    # A job that was held but ended while she was away (the household's need
    # ended) is released here; it was never an employed-to-searching move, so it
    # is counted in held_jobs_lost, not in separations.
    model.flows.held_jobs_lost += int(lost_job.size)
    _release(model, lost_job)
    w.held_by[workers] = -1
    w.away_months_left[workers] = 0
    move(model, back_to_job, EMPLOYED)
    move(model, workers[~job_still_there], SEARCHING)


def depart(model: DomesticWorkModel, workers: np.ndarray) -> None:
    """Searching workers leave the city for good. Their Agent objects go at the end of the month."""
    if workers.size == 0:
        return
    w = model.workers
    assert np.all(w.status[workers] == SEARCHING), "only searching workers depart"
    move(model, workers, GONE)
    # Her row keeps her history; what only the month's work reads is cleared, so later
    # months never need to look at rows of workers who are gone.
    w.training_left[workers] = 0  # she drops out of a course
    w.arrears_now[workers] = False
    w.paid_yuan[workers] = 0.0
    model.departed_rows.append(workers)
