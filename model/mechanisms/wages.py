"""Wages: bargained at hire, floored by an enforced minimum wage, paid (or not) each month.

At hire the wage splits the surplus between the worker's reservation wage (plus
commuting for live-out work) and what the household would pay for her
(willingness to pay times her productivity). Her share rises with market
tightness, vacancies per searcher of her job type. A covered minimum wage is a
floor for employers who comply. Each month wages are paid, or fall into
arrears; festival days worked are paid at a premium; agency fees may be deducted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.mechanisms.contracts import contribution_yuan
from model.tables import EMPLOYED, LIVE_OUT, SEARCHING

if TYPE_CHECKING:
    from model.model import DomesticWorkModel



def productivity(model: DomesticWorkModel, workers: np.ndarray) -> np.ndarray:
    """Her value to a household relative to an average worker."""
    w = model.workers
    premium = model.params.training.premium
    years = np.minimum(w.experience_months[workers], 120.0) / 12.0
    experience = 1.0 + model.params.market.experience_premium * years
    return w.skill[workers] * (1.0 + premium * w.certified[workers]) * experience


def worker_minimum(model: DomesticWorkModel, workers: np.ndarray, households: np.ndarray) -> np.ndarray:
    """Lowest wage she accepts for this job: reservation plus commuting if live-out."""
    w, h = model.workers, model.households
    live_out = w.job_type[workers] == LIVE_OUT
    km = model.city.distance_km(w.home_cell[workers], h.cell[households])
    commute = 2.0 * model.params.city.commute_cost_yuan_per_km * km * live_out
    return w.reservation_yuan[workers] + commute


def household_maximum(model: DomesticWorkModel, workers: np.ndarray, households: np.ndarray) -> np.ndarray:
    """Most the household pays her."""
    return model.households.wtp_yuan[households] * productivity(model, workers)


def bargaining_share(model: DomesticWorkModel, job_type: np.ndarray) -> np.ndarray:
    """Her share of the surplus: the base share at tightness 1, more when tight."""
    m = model.params.market
    beta = m.bargaining_power
    if beta <= 0.0 or beta >= 1.0:
        return np.full(job_type.size, beta)
    theta = np.maximum(model.market.tightness[job_type], 1e-3) ** m.tightness_elasticity
    return beta * theta / (beta * theta + (1.0 - beta))


def floor_applies(model: DomesticWorkModel, households: np.ndarray) -> np.ndarray:
    """Whether the household complies with a minimum wage in force."""
    lev = model.levers
    return model.households.law_abiding[households] < lev.wage_floor_enforcement


def bargain(model: DomesticWorkModel, workers: np.ndarray, households: np.ndarray,
            employee_based: np.ndarray) -> np.ndarray:
    """Agreed monthly wage of new jobs, floored where a minimum wage applies."""
    lo = worker_minimum(model, workers, households)
    hi = household_maximum(model, workers, households)
    job_type = model.workers.job_type[workers]
    wage = lo + bargaining_share(model, job_type) * np.maximum(hi - lo, 0.0)
    floor = legal_floor(model, job_type, households, employee_based)
    return np.maximum(wage, floor)


def legal_floor(model: DomesticWorkModel, job_type: np.ndarray, households: np.ndarray,
                employee_based: np.ndarray) -> np.ndarray:
    """The floor each job pays at least.

    Employee-based agencies are employers under the Labour Law: they always pay
    the monthly minimum, and the domestic-work floor when one is in force.
    Households pay the floor only when covered and compliant.
    """
    lev = model.levers
    covered = lev.wage_floor_yuan[job_type] * floor_applies(model, households)
    statutory = model.params.policies.minimum_wage.monthly
    eb_floor = np.maximum(statutory, lev.wage_floor_yuan[job_type])
    return np.where(employee_based, eb_floor, covered)


def pay(model: DomesticWorkModel) -> None:
    """Pay the month's wages, arrears and deductions; workers spend, save and remit."""
    w = model.workers
    p = model.params
    n = w.n
    status = w.view("status")
    employed = np.flatnonzero(status == EMPLOYED)

    formal = w.contract[employed] | w.agency_employed[employed]
    rate = np.where(formal, p.market.arrears_rate_formal, p.market.arrears_rate_informal)
    u_arrears = model.streams.uniform("arrears", model.month, employed)
    unpaid = u_arrears < rate
    w.arrears_now[:n] = False
    w.arrears_now[employed[unpaid]] = True

    wage = w.wage_yuan[employed].astype(np.float64)
    wage *= model.festival_pay_factor
    paid = np.where(unpaid, 0.0, wage)
    w.wages_owed_yuan[employed[unpaid]] += w.wage_yuan[employed[unpaid]]

    owed = w.wages_owed_yuan[employed]
    u_repay = model.streams.uniform("arrears_repaid", model.month, employed)
    repaid = (~unpaid) & (owed > 0) & (u_repay < p.market.arrears_repay_rate)
    paid += np.where(repaid, owed, 0.0)
    w.wages_owed_yuan[employed[repaid]] = 0.0

    gross = paid
    deduction = np.minimum(w.deduction_left_yuan[employed], p.agencies.max_deduction_share * gross)
    paid = gross - deduction
    w.deduction_left_yuan[employed] -= deduction
    deducted = deduction > 0
    model.agency_books.worker_fees(w.agency[employed[deducted]], deduction[deducted])

    w.paid_yuan[:n] = 0.0
    w.paid_yuan[employed] = paid
    employer_part, worker_part = _insurance(model, employed, gross)
    _wage_bills(model, employed, gross, employer_part)
    model.flows.worker_pay_yuan += float(gross.sum())
    model.flows.net_income_yuan += float((paid - living_cost(model, employed)).sum())
    _spend_and_save(model, employed, paid - worker_part)
    searching = np.flatnonzero(status == SEARCHING)
    _spend_and_save(model, searching, np.zeros(searching.size))
    w.months_searching[searching] += 1
    w.months_in_job[employed] += 1
    w.experience_months[employed] += 1.0


def _insurance(model: DomesticWorkModel, employed: np.ndarray, gross: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Contributions of insured jobs whose wage was paid this month: the employer's and her parts.

    The state pays ``insurance_subsidy_share`` of them; employer and worker split the
    rest, ``contracts.employer_contribution_share`` to the employer, her part withheld
    from her pay. All of it goes to the state's funds.
    """
    w = model.workers
    insured = w.insured[employed] & ~w.self_insured[employed] & (gross > 0)
    total = np.where(insured, contribution_yuan(model, w.wage_yuan[employed].astype(np.float64)), 0.0)
    subsidy = model.levers.insurance_subsidy_share * total
    employer = model.params.contracts.employer_contribution_share * (total - subsidy)
    worker = np.minimum(total - subsidy - employer, w.paid_yuan[employed])
    f = model.flows
    f.insurance_contributions_yuan += float(total.sum())
    f.public_subsidies_yuan += float(subsidy.sum())
    f.worker_contributions_yuan += float(worker.sum())
    model.accounts.state_yuan += float(employer.sum() + worker.sum())
    return employer, worker


def _wage_bills(model: DomesticWorkModel, employed: np.ndarray, gross: np.ndarray, employer_part: np.ndarray) -> None:
    """Who pays the wage and the employer's contributions: the household, or its employee-based agency.

    An employee-based agency is the employer: it pays both out of the bill it sends
    the household, which adds its charge (``agencies.employee_based_markup`` of the
    agreed wage) to the wages and contributions it passes on.
    """
    w = model.workers
    books = model.agency_books
    eb = w.agency_employed[employed]
    cost = gross + employer_part
    direct = ~eb
    f = model.flows
    f.household_wages_yuan += float(gross[direct].sum())
    f.household_contributions_yuan += float(employer_part[direct].sum())
    model.accounts.households_yuan -= float(cost[direct].sum())
    agency = w.agency[employed[eb]]
    books.bills_passed_through(agency, cost[eb])
    books.pay_payroll(agency, cost[eb])
    markup = model.params.agencies.employee_based_markup * w.wage_yuan[employed[eb]].astype(np.float64)
    books.household_fees(agency, markup, service=True)


def living_cost(model: DomesticWorkModel, workers: np.ndarray) -> np.ndarray:
    """Monthly cost of living in the city: rent for live-out workers and searchers, more without hukou."""
    p = model.params
    w = model.workers
    pays_rent = (w.job_type[workers] == LIVE_OUT) | (w.status[workers] == SEARCHING)
    migrant = ~w.local_hukou[workers]
    return (p.migration.living_cost_yuan + p.migration.rent_yuan * pays_rent
            + p.hukou.extra_living_cost_yuan * model.levers.hukou_gap * migrant)


def _spend_and_save(model: DomesticWorkModel, workers: np.ndarray, income: np.ndarray) -> None:
    """Living costs to landlords and shops; a shortfall borrowed from kin; a share of the rest sent home.

    What she sends home repays her kin first; the rest is remittances.
    """
    w = model.workers
    acc, f = model.accounts, model.flows
    cost = living_cost(model, workers)
    net = income - cost
    savings = w.savings_yuan[workers] + net
    borrowed = np.maximum(-savings, 0.0)
    savings += borrowed
    home = model.params.migration.remittance_share * np.maximum(net, 0.0)
    debt = w.debt_yuan[workers] + borrowed
    repaid = np.minimum(debt, home)
    w.debt_yuan[workers] = debt - repaid
    w.savings_yuan[workers] = savings - home
    acc.households_yuan += float(cost.sum())
    acc.villages_yuan += float(home.sum() - borrowed.sum())
    f.living_costs_yuan += float(cost.sum())
    f.borrowed_yuan += float(borrowed.sum())
    f.repaid_yuan += float(repaid.sum())
    f.remittances_yuan += float((home - repaid).sum())
