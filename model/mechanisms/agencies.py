"""Agency conduct: fees, fee-cap compliance, reputation, profits, entry, exit, switching.

Under a cap on fees to workers an agency overcharges a placement when the extra
it gains (net of the part of the lost fee it shifts to the household anyway)
exceeds the detection probability times the fine plus its private cost of
cheating. A fee deducted from wages is a fee to the worker (ILO C181 Art. 7):
capped, inspected and fined like one paid at placement. A compliant agency
charges the worker at most the cap, directly or by deduction, and shifts part of
the lost fee to the household; an overcharging agency that deducts takes the
excess from her wages.
Reputation follows placement outcomes; with credit records it is visible.
Agencies earn fees (and employee-based ones a markup and any subsidy), pay a
fixed cost, close after months of negative cash, enter when the business pays,
and now and then switch to a business model that pays better.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from model.jit import kernel
from model.population import business_model_shares, draw_agencies, set_business_model
from model.tables import EMPLOYED, EMPLOYEE_BASED

if TYPE_CHECKING:
    from model.model import DomesticWorkModel

BUSINESS_MODEL_COUNT = 3


class AgencyBooks:
    """Money agencies take and pay this month, per agency and in total, with each counterparty.

    ``revenue`` holds fees (from workers and households, employee-based service charges
    included); ``passed_through`` the part of employee-based bills that repays the wages
    and contributions the agency pays (``payroll``); ``subsidies`` what the state pays;
    ``costs`` fines and training. The month's profit adds them up at :func:`update`.
    """

    def __init__(self, model: DomesticWorkModel) -> None:
        self.model = model
        size = model.agencies.n
        self.revenue = np.zeros(size)
        self.passed_through = np.zeros(size)
        self.payroll = np.zeros(size)
        self.subsidies = np.zeros(size)
        self.costs = np.zeros(size)

    def _add(self, target: np.ndarray, agency: np.ndarray, amount: np.ndarray) -> float:
        valid = agency >= 0
        target += np.bincount(agency[valid], weights=amount[valid], minlength=target.size)[: target.size]
        return float(amount[valid].sum())

    def worker_fees(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """Fees paid by workers (at placement or deducted from wages); the caller takes them from her."""
        self.model.flows.worker_fees_yuan += self._add(self.revenue, agency, amount)

    def household_fees(self, agency: np.ndarray, amount: np.ndarray, service: bool = False) -> None:
        """Fees paid by households: one-off placement fees, or employee-based service charges."""
        paid = self._add(self.revenue, agency, amount)
        f = self.model.flows
        f.household_fees_yuan += paid
        if service:
            f.household_service_bills_yuan += paid
        else:
            f.household_placement_fees_yuan += paid
        self.model.accounts.households_yuan -= paid

    def bills_passed_through(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """The wages and contributions of employee-based bills, paid by households."""
        self.model.flows.household_bills_passed_yuan += self._add(self.passed_through, agency, amount)
        self.model.accounts.households_yuan -= float(amount[agency >= 0].sum())

    def pay_payroll(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """Wages and contributions an employee-based agency pays; the caller credits the payees."""
        self._add(self.payroll, agency, amount)

    def subsidy(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """Subsidies the state pays the agency."""
        paid = self._add(self.subsidies, agency, amount)
        self.model.flows.public_subsidies_yuan += paid
        self.model.accounts.state_yuan -= paid

    def fines(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """Fines for detected overcharges, paid to the state."""
        paid = self._add(self.costs, agency, amount)
        self.model.flows.fines_yuan += paid
        self.model.accounts.state_yuan += paid

    def cost(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """Other costs tied to placements (training employees), paid to training schools (households)."""
        self.model.accounts.households_yuan += self._add(self.costs, agency, amount)

    def income(self) -> np.ndarray:
        """Each agency's revenue and subsidies less the wages and contributions it pays."""
        return self.revenue + self.passed_through + self.subsidies - self.payroll


def posted_worker_fee(model: DomesticWorkModel, agency: np.ndarray) -> np.ndarray:
    """Fee share a worker expects to pay, deductions from her wages included.

    The posted fee; under a cap, the cap if the agency complies (deductions count
    against the cap like any fee).
    """
    a = model.agencies
    posted = a.worker_fee_share[agency].astype(np.float64)
    cap = model.levers.worker_fee_cap_share
    return np.where(a.overcharging[agency], posted, np.minimum(posted, cap))


def household_cost_months(model: DomesticWorkModel, agency: np.ndarray) -> np.ndarray:
    """What using an agency costs a household over a year of employment, in months of wages."""
    a = model.agencies
    lev = model.levers
    p = model.params
    posted = a.worker_fee_share[agency].astype(np.float64)
    shifted = p.agencies.fee_pass_through * np.maximum(posted - lev.worker_fee_cap_share, 0.0)
    shifted = np.where(a.overcharging[agency], 0.0, shifted)
    one_off = a.household_fee_share[agency] + shifted
    eb = a.business_model[agency] == EMPLOYEE_BASED
    return np.where(eb, employee_based_cost_months(model), one_off)


def employee_based_cost_months(model: DomesticWorkModel) -> float:
    """What an employee-based worker costs a household over a year, beyond the wage, in months of wages.

    The agency's charge and the employer's part of the contributions it passes on,
    less the fine the household no longer risks and the service it values. The
    support subsidy is the agency's income (7.7), not a lower price: counted once.
    """
    lev = model.levers
    p = model.params
    wage = model.types.typical_wage
    insurance = p.contracts.contribution_rate * max(1.0, p.contracts.contribution_base_min_yuan / wage)
    employer = insurance * (1.0 - lev.insurance_subsidy_share) * p.contracts.employer_contribution_share
    monthly = (p.agencies.employee_based_markup + employer
               - lev.contract_expected_fine_yuan / wage - p.agencies.employee_based_value)
    return 12.0 * max(monthly, 0.0)


def decide_conduct(model: DomesticWorkModel) -> None:
    """Each agency decides this month whether to overcharge above a cap."""
    a = model.agencies
    lev = model.levers
    n = a.n
    a.overcharging[:n] = False
    if not np.isfinite(lev.worker_fee_cap_share):
        return
    typical_wage = model.types.typical_wage
    excess = np.maximum(a.view("worker_fee_share") - lev.worker_fee_cap_share, 0.0) * typical_wage
    # Complying, it still gets the share of the excess that households take over.
    gain = (1.0 - model.params.agencies.fee_pass_through) * excess
    penalty = lev.fee_cap_detection * lev.fee_cap_fine_yuan + a.view("honesty_yuan")
    a.overcharging[:n] = a.view("active") & (gain > 0) & (gain > penalty)


def charge_placement_fees(model: DomesticWorkModel, workers: np.ndarray, agency: np.ndarray,
                          wage: np.ndarray) -> None:
    """Fees for new agency placements, under any cap; detection and fines."""
    if workers.size == 0:
        return
    a, w = model.agencies, model.workers
    lev = model.levers
    p = model.params.agencies
    posted = a.worker_fee_share[agency].astype(np.float64)
    cap = lev.worker_fee_cap_share
    capped = posted > cap
    over = capped & a.overcharging[agency]
    comply = capped & ~over
    charged_share = np.where(comply, cap, posted)  # all she pays, at placement and by deduction
    lost = np.where(comply, posted - cap, 0.0) * wage
    household_share = a.household_fee_share[agency].astype(np.float64)
    household_fee = household_share * wage + p.fee_pass_through * lost

    worker_fee = charged_share * wage
    # An overcharging agency that deducts takes the excess from her wages; the rest she
    # pays from savings, and what she lacks is deducted too.
    hidden = np.where(over & a.deducts[agency], np.maximum(posted - cap, 0.0) * wage, 0.0)
    upfront = worker_fee - hidden
    from_savings = np.minimum(upfront, w.savings_yuan[workers])
    w.savings_yuan[workers] -= from_savings
    w.deduction_left_yuan[workers] = upfront - from_savings + hidden
    w.paid_placement_fee[workers] = worker_fee > 0
    model.agency_books.worker_fees(agency, from_savings)
    model.agency_books.household_fees(agency, household_fee)

    model.flows.capped_placements += int(capped.sum())
    model.flows.overcharged_placements += int(over.sum())
    if over.any():
        u = model.streams.uniform("fee_detection", model.month, workers)
        caught = over & (u < lev.fee_cap_detection)
        model.agency_books.fines(agency[caught], np.full(int(caught.sum()), lev.fee_cap_fine_yuan))
        a.reputation[agency[caught]] *= p.caught_reputation_factor
    np.add.at(a.placements, agency, 1)


def record_outcomes(model: DomesticWorkModel, agency: np.ndarray, good: np.ndarray, start: np.ndarray,
                    count: np.ndarray) -> None:
    """Reputation moves toward the share of good outcomes of its placements, batch after batch.

    ``agency[i]`` placed the job whose outcome is ``good[i]`` (-1: no agency did);
    batch b is the ``count[b]`` items from ``start[b]`` (a month's endings for one
    reason), and each batch in turn moves the reputation of each agency with outcomes
    in it: with ``n`` outcomes a step of 1 - (1 - rate)^n toward their share of good ones.
    """
    step = _reputation_steps(model.params.agencies.reputation_rate, agency.size)
    _move_reputation(model.agencies.view("reputation"), agency, good, start, count, step)


def _reputation_steps(rate: float, outcomes: int) -> np.ndarray:
    """Reputation's step 1 - (1 - rate)^n for n = 0 to at least ``outcomes`` (a shared table: read it only)."""
    return _steps_up_to(rate, max(64, 1 << outcomes.bit_length()))


@functools.lru_cache(maxsize=16)
def _steps_up_to(rate: float, most: int) -> np.ndarray:
    return 1.0 - (1.0 - rate) ** np.arange(most + 1)


@kernel(example=lambda: (np.full(2, 0.5, np.float32), np.array([1, -1]), np.ones(2, np.bool_), np.array([0]),
                         np.array([2]), np.array([0.0, 0.1, 0.19])))
def _move_reputation(reputation: np.ndarray, agency: np.ndarray, good: np.ndarray, start: np.ndarray,
                     count: np.ndarray, step: np.ndarray) -> None:
    """Each batch in turn moves an agency's reputation by ``step[n]`` of the way to its share of n good outcomes.

    The share and the step in float64, the move rounded to float32 and added, as numpy
    did. One call where numpy made about 16 a batch.
    """
    total = np.zeros(reputation.size, dtype=np.int64)
    goods = np.zeros(reputation.size)
    for b in range(count.size):
        for i in range(start[b], start[b] + count[b]):
            if agency[i] >= 0:
                total[agency[i]] += 1
                goods[agency[i]] += 1.0 if good[i] else 0.0
        for i in range(start[b], start[b] + count[b]):
            a = agency[i]
            if a >= 0 and total[a] > 0:
                share = goods[a] / total[a]
                reputation[a] += np.float32(step[total[a]] * (share - np.float64(reputation[a])))
                total[a] = 0
                goods[a] = 0.0


def update(model: DomesticWorkModel) -> None:
    """Month-end books: margins on employees, profits, closing, switching, entry."""
    a, w = model.agencies, model.workers
    p = model.params.agencies
    lev = model.levers
    books = model.agency_books
    n = a.n

    employed = w.with_status(EMPLOYED)
    employees = employed[w.agency_employed[employed]]
    ag = w.agency[employees]
    a.employees[:n] = np.bincount(ag, minlength=n)[:n]
    books.subsidy(np.arange(n), lev.employee_based_subsidy_yuan * a.view("employees").astype(np.float64))

    active = a.view("active")
    model.flows.agency_income_yuan += np.bincount(a.view("business_model"), weights=books.income(),
                                                  minlength=BUSINESS_MODEL_COUNT)
    fixed = p.fixed_cost_yuan * active
    model.accounts.households_yuan += float(fixed.sum())  # staff and rent
    # A closed agency still collects the deductions owed to it: its cash takes them.
    profit = books.income() - books.costs - fixed
    a.profit_yuan[:n] = profit
    a.cash_yuan[:n] += profit
    avg = a.view("profit_avg_yuan")
    avg[active] += (p.profit_smoothing * (profit[active] - avg[active])).astype(np.float32)
    losing = a.view("losing_months")
    losing[:] = np.where(active & (a.view("cash_yuan") < 0), losing + 1, 0)

    _close(model, np.flatnonzero(active & (losing >= p.exit_losing_months)))
    _switch(model)
    _enter(model)
    a.placements[:n] = 0


def profit_by_model(model: DomesticWorkModel) -> tuple[np.ndarray, np.ndarray]:
    """Mean smoothed profit of active agencies of each business model, and their counts."""
    a = model.agencies
    active = a.view("active")
    kind = a.view("business_model")[active]
    counts = np.bincount(kind, minlength=BUSINESS_MODEL_COUNT)
    sums = np.bincount(kind, weights=a.view("profit_avg_yuan")[active], minlength=BUSINESS_MODEL_COUNT)
    means = np.divide(sums, counts, out=np.full(BUSINESS_MODEL_COUNT, np.nan), where=counts > 0)
    return means, counts


def _close(model: DomesticWorkModel, rows: np.ndarray) -> None:
    if rows.size == 0:
        return
    a = model.agencies
    a.active[rows] = False
    model.flows.agencies_closed += rows.size
    _release_employees(model, rows)
    model.closed_agency_rows.append(rows)


def _release_employees(model: DomesticWorkModel, rows: np.ndarray) -> None:
    """Employees of agencies that close or stop employing keep working for the household, informally."""
    a, w = model.agencies, model.workers
    leaving = np.zeros(a.n, dtype=bool)
    leaving[rows] = True
    present = w.present  # rows of workers who left are never agency-employed
    employees = present[w.agency_employed[present] & leaving[np.maximum(w.agency[present], 0)]]
    w.agency_employed[employees] = False
    w.contract[employees] = False
    w.insured[employees] = w.self_insured[employees]
    w.agency[employees] = -1


def _switch(model: DomesticWorkModel) -> None:
    a = model.agencies
    p = model.params.agencies
    means, counts = profit_by_model(model)
    if np.sum(counts > 0) < 2:
        return
    best = int(np.nanargmax(means))
    u = model.streams.uniform("agency_switch", model.month, np.arange(a.n))
    kind = a.view("business_model")
    reviewing = a.view("active") & (u < p.switch_rate) & (kind != best)
    better = a.view("profit_avg_yuan") + p.switch_margin_yuan < means[best]
    rows = np.flatnonzero(reviewing & better)
    if rows.size:
        _release_employees(model, rows[kind[rows] == EMPLOYEE_BASED])
        set_business_model(model, rows, np.full(rows.size, best, dtype=np.int8))


def entrant_profit_estimate(model: DomesticWorkModel) -> np.ndarray:
    """Monthly profit an entrant of each business model expects from the demand it would meet.

    Households that use agencies pick one in proportion to its weight (capacity, cost,
    7.3), so an entrant of average capacity would get this month's agency placements
    times its weight over the total, at most its capacity. An intermediary or membership
    agency earns its fees on each (the capped worker fee, the household fee and the part
    of the lost fee households take over); an employee-based one keeps an employee for
    about 1 / separation_rate months and earns its charge and the support subsidy on
    each employee a month, on the employees it would have after a year, less training.
    Every model pays the running cost.
    """
    from model.mechanisms.channels import agency_weights  # channels imports this module

    a = model.agencies
    p = model.params
    lev = model.levers
    wage = model.types.typical_wage
    active = a.view("active")
    capacity = float(a.view("capacity")[active].mean())
    placements = float(a.view("placements")[active].sum())
    worker_share = np.array([p.agencies.worker_fee_share, p.agencies.membership_fee_yuan / wage, 0.0])
    household_share = np.array([p.agencies.household_fee_share, 0.5 * p.agencies.household_fee_share, 0.0])
    cap = lev.worker_fee_cap_share
    lost = np.maximum(worker_share - cap, 0.0)
    cost_months = household_share + p.agencies.fee_pass_through * lost
    cost_months[EMPLOYEE_BASED] = employee_based_cost_months(model)
    weights = capacity * np.exp(-p.channels.fee_weight * cost_months / 4.0)
    total = float(agency_weights(model, household_cost_months(model, np.arange(a.n))).sum())
    expected = np.minimum(placements * weights / (total + weights), capacity)
    fees = (np.minimum(worker_share, cap) + cost_months) * wage
    separation = max(float(model.metrics.get("separation_rate", p.market.separation_rate)), 1e-3)
    tenure = 1.0 / separation
    employees = expected[EMPLOYEE_BASED] * tenure * (1.0 - np.exp(-12.0 / tenure))
    training = p.training.cost_yuan * (1.0 - lev.training_subsidy_share) * (1.0 - p.workers.certified_share)
    fees[EMPLOYEE_BASED] = 0.0
    profit = expected * fees - p.agencies.fixed_cost_yuan
    profit[EMPLOYEE_BASED] += (employees * (p.agencies.employee_based_markup * wage + lev.employee_based_subsidy_yuan)
                               - expected[EMPLOYEE_BASED] * training)
    return profit


def expected_profit_by_model(model: DomesticWorkModel) -> np.ndarray:
    """What an entrant of each business model expects a month: what agencies of its model earn, else an estimate."""
    means, counts = profit_by_model(model)
    if counts.all():  # every model has agencies: no estimate needed
        return means
    return np.where(counts > 0, means, entrant_profit_estimate(model))


def _enter(model: DomesticWorkModel) -> None:
    """Entry: as many entrants as the best business model's expected profit warrants, of any model that pays."""
    a = model.agencies
    p = model.params.agencies
    active = a.view("active")
    n_active = int(active.sum())
    rng = model.streams.get("agency_entry", model.month)
    if n_active == 0:
        expected = p.entry_rate * max(p.count, 1) * p.restart_entry_share
        shares = business_model_shares(model)
    else:
        scale = max(p.fixed_cost_yuan, 1.0)
        profit = expected_profit_by_model(model)
        expected = p.entry_rate * n_active * float(np.clip(profit.max() / scale, 0.0, 1.0))
        shares = np.maximum(profit, 0.0)
    entrants = int(rng.poisson(expected)) if expected > 0 else 0
    if entrants == 0:
        return
    rows = a.grow(entrants)
    draw_agencies(model, rows, rng, shares)
    model.accounts.households_yuan -= float(a.cash_yuan[rows].sum())  # the owners put up the start cash
    model.flows.agencies_opened += entrants
    model.add_agency_agents(rows)
