"""Agency conduct: fees, fee-cap compliance, reputation, profits, entry, exit, switching.

Under a cap on fees to workers an agency overcharges a placement when the extra
it gains (net of the part of the lost fee it shifts to the household anyway)
exceeds the expected fine (inspections that prove an overcharge, and complaints of
workers who know of the law) plus its private cost of cheating. A fee deducted
from wages, or lent to her at interest and repaid from her pay, is a fee to the
worker (ILO C181 Art. 7): capped, inspected and fined like one paid at placement. A compliant agency
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
import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.core.accounts import record_care_of_jobs, record_worker_fees
from model.core.jit import columns, kernel
from model.core.population import business_model_shares, draw_agencies, set_business_model
from model.core.rng import uniform_at
from model.core.tables import EMPLOYED, EMPLOYEE_BASED, AgencyTable, WorkerTable

if TYPE_CHECKING:
    from model.core.world import World

BUSINESS_MODEL_COUNT = 3


class FeeColumns(NamedTuple):
    """What each agency posts and how it behaves under a cap: columns of the agency table, a row an agency."""

    worker_fee_share: np.ndarray  # float32, of the first month's wage, as posted
    household_fee_share: np.ndarray  # float32
    overcharging: np.ndarray  # bool: overcharges above this month's cap
    deducts: np.ndarray  # bool: takes the excess by wage deductions when it overcharges
    lends: np.ndarray  # bool: lends her the excess at interest (itself or a lender it names) when it overcharges
    business_model: np.ndarray  # int8


class FeeTerms(NamedTuple):
    """The month's terms of agency fees: the cap on fees to workers, the share of a lost fee households take over."""

    cap: float
    pass_through: float


class LoanColumns(NamedTuple):
    """The worker columns of fee loans: what she owes on one (yuan, with interest) and to which agency."""

    loan_yuan: np.ndarray  # float64
    lender: np.ndarray  # int32, -1 when none


class PlacementFees(NamedTuple):
    """What the month's new placements paid.

    Fees from savings and by households (hires with an agency, in order), which hires
    an overcharging agency placed, and how many fees the cap bound.
    """

    from_savings: np.ndarray
    household_fee: np.ndarray
    over: np.ndarray
    capped: int


class MonthEndWorkers(NamedTuple):
    """The worker columns the month-end books read."""

    present: np.ndarray  # int64 rows
    status: np.ndarray  # int8
    agency_employed: np.ndarray  # bool
    agency: np.ndarray  # int32


class BookColumns(NamedTuple):
    """What each agency took and paid this month (:class:`model.core.books.AgencyBooks`), float64."""

    revenue: np.ndarray
    passed_through: np.ndarray
    subsidies: np.ndarray
    payroll: np.ndarray
    costs: np.ndarray


class AgencyAccounts(NamedTuple):
    """The agency columns the month-end books read and write, a row an agency (active ones' views)."""

    active: np.ndarray  # bool
    business_model: np.ndarray  # int8
    employees: np.ndarray  # int32, written
    profit_yuan: np.ndarray  # float32, written
    cash_yuan: np.ndarray  # float64, written
    profit_avg_yuan: np.ndarray  # float32, written
    losing_months: np.ndarray  # int16, written


class MonthEndTerms(NamedTuple):
    """The terms of the month-end books."""

    subsidy_per_employee: float  # yuan the state pays an employee-based agency for each employee
    fixed_cost: float  # yuan an active agency pays for staff and rent
    smoothing: float  # how far the smoothed profit moves toward the month's
    exit_months: int  # months of negative cash in a row that close an agency
    employee_based_fixed: float  # agencies.employee_based_fixed_cost_yuan, instead of fixed_cost
    management_at_ten: float  # agencies.employee_based_management_yuan x 10: managing ten employees a month
    scale_exponent: float  # 1 - agencies.employee_based_scale_elasticity


class MonthEnd(NamedTuple):
    """What the month-end books give back: each agency's subsidy and fixed cost, and the agencies that close."""

    subsidy: np.ndarray
    fixed: np.ndarray
    closing: np.ndarray


class ModelProfits(NamedTuple):
    """Mean smoothed profit of the active agencies of each business model (NaN: none), and their counts."""

    means: np.ndarray
    counts: np.ndarray


class Switch(NamedTuple):
    """The business model agencies switch to, and the agencies that switch."""

    best: int
    rows: np.ndarray


class ActiveTotals(NamedTuple):
    """How many agencies are active, and their total capacity and placements (exact integer sums)."""

    n: int
    capacity: int
    placements: int


class EmploymentColumns(NamedTuple):
    """The worker columns an agency's employment sets: employed by it, contract, insurance, which agency."""

    agency_employed: np.ndarray  # bool
    contract: np.ndarray  # bool
    insured: np.ndarray  # bool
    self_insured: np.ndarray  # bool
    agency: np.ndarray  # int32


def fee_columns(world: World) -> FeeColumns:
    """The agency table's fee columns, whole (not views), read by the fields' names."""
    return FeeColumns(*columns(world.agencies, FeeColumns))


def fee_terms(world: World) -> FeeTerms:
    """This month's :class:`FeeTerms`."""
    return FeeTerms(*_fee_terms(world))


def _fee_terms(world: World) -> tuple:
    """:class:`FeeTerms` for the kernels: its fields, in order, as a plain tuple.

    Built positionally (a NamedTuple built by keyword cost about 1 us a call, and numba
    types a NamedTuple argument in Python); tests/mechanisms/test_agencies.py checks each field by name.
    """
    return world.levers.worker_fee_cap_share, world.params.agencies.fee_pass_through


def _month_end_terms(world: World) -> tuple:
    """:class:`MonthEndTerms` for :func:`_month_end`: its fields, in order, as a plain tuple (as :func:`_fee_terms`)."""
    p = world.params.agencies
    return (world.levers.employee_based_subsidy_yuan, p.fixed_cost_yuan, p.profit_smoothing, p.exit_losing_months,
            p.employee_based_fixed_cost_yuan, 10.0 * p.employee_based_management_yuan,
            1.0 - p.employee_based_scale_elasticity)


def running_cost(business_model: np.ndarray, employees: np.ndarray, terms: MonthEndTerms) -> np.ndarray:
    """What an active agency pays a month to run (yuan): staff and rent, and an employee-based one's management.

    An intermediary or membership agency pays ``fixed_cost``; an employee-based one pays
    ``employee_based_fixed`` (payroll, insurance administration, a pool of replacements)
    and manages its employees at a cost that grows less than in proportion to their
    number: ``management_at_ten (N / 10)^scale_exponent`` for N employees (economies of
    scale; ``employee_based_management_yuan`` an employee at ten).
    """
    n = np.asarray(employees, dtype=np.float64)
    # libm's pow, element by element, as the month-end kernel has it (numpy's vectorised power differs in
    # the last bits); a row an agency, a few thousand at most.
    scaled = np.array([math.pow(x, terms.scale_exponent) for x in (n / 10.0).tolist()], dtype=np.float64)
    managing = terms.management_at_ten * scaled
    return np.where(business_model == EMPLOYEE_BASED, terms.employee_based_fixed + managing, terms.fixed_cost)


def _views(table: object, group: type) -> tuple:
    """The rows in use of the columns of ``table`` the NamedTuple ``group`` names, in its order, as a plain tuple."""
    return tuple(map(table.view, group._fields))


# --- the rules, in numpy -----------------------------------------------------------------


def record_outcomes_numpy(world: World, agency: np.ndarray, good: np.ndarray) -> None:
    """The rule of :func:`record_outcomes` in numpy, for one batch of outcomes.

    Each agency with ``n`` outcomes in the batch moves its reputation toward their share
    of good ones by a step of ``1 - (1 - agencies.reputation_rate)^n``; ``agency[i]`` is
    -1 where no agency placed the job.
    """
    keep = agency >= 0
    agency, good = agency[keep], good[keep].astype(np.float64)
    if agency.size == 0:
        return
    a = world.agencies
    rate = world.params.agencies.reputation_rate
    total = np.bincount(agency, minlength=a.n)
    goods = np.bincount(agency, weights=good, minlength=a.n)
    hit = total > 0
    share = np.divide(goods, total, out=np.zeros(a.n), where=hit)
    step = 1.0 - (1.0 - rate) ** total
    rep = a.view("reputation")
    rep[hit] += (step[hit] * (share[hit] - rep[hit])).astype(np.float32)


def household_cost_months_numpy(agency: np.ndarray, fees: FeeColumns, terms: FeeTerms,
                                employee_based: float) -> np.ndarray:
    """What using each of ``agency`` costs a household over a year of employment, in months of wages.

    An intermediary or membership agency: its household fee share, plus ``pass_through``
    of what a complying agency loses to the cap on the worker's fee (an overcharging
    one loses nothing, so shifts nothing). An employee-based agency: ``employee_based``,
    its yearly cost (:func:`employee_based_cost_months`).

    Args:
        agency: rows of agencies.
        fees: the agencies' fee columns.
        terms: the cap and the pass-through.
        employee_based: what an employee-based agency costs, in months of wages a year.

    Returns:
        Months of wages, float64, one an agency of ``agency``.
    """
    posted = fees.worker_fee_share[agency].astype(np.float64)
    shifted = terms.pass_through * np.maximum(posted - terms.cap, 0.0)
    shifted = np.where(fees.overcharging[agency], 0.0, shifted)
    one_off = fees.household_fee_share[agency] + shifted
    eb = fees.business_model[agency] == EMPLOYEE_BASED
    return np.where(eb, employee_based, one_off)


def placement_fees_numpy(workers: np.ndarray, agency: np.ndarray, wage: np.ndarray, fees: FeeColumns,
                         savings: np.ndarray, deduction_left: np.ndarray, paid_fee: np.ndarray,
                         placements: np.ndarray, revenue: np.ndarray, terms: FeeTerms,
                         loans: LoanColumns) -> PlacementFees:
    """The fees of new agency placements: who pays what, to whom, under any cap.

    A fee is a share of the placement's first wage. Where the posted worker fee exceeds
    the cap, a complying agency charges her the cap (all she pays, at placement and by
    deduction, ILO C181 Art. 7) and shifts ``pass_through`` of what it loses to the
    household; an overcharging one charges the posted fee and, if it deducts, takes the
    excess from her wages, or, if it lends, lends her the excess at interest (a debt she
    repays from her pay, :func:`service_loans`). She pays the rest from savings; what she
    lacks is deducted from her wages too. The household pays its fee. Worker fees, then household fees,
    go to the agency's revenue; each agency counts its placements.

    Args:
        workers: rows of the hires (each once).
        agency: each hire's agency.
        wage: each hire's agreed wage.
        fees: the agencies' fee columns.
        savings: worker column, updated.
        deduction_left: worker column, updated: what is still to be deducted from her wages.
        paid_fee: worker column, updated: whether she paid a fee.
        placements: agency column, updated.
        revenue: agency column, updated.
        terms: the cap and the pass-through.
        loans: worker columns, updated: her fee loan and its lender.

    Returns:
        :class:`PlacementFees`.
    """
    posted = fees.worker_fee_share[agency].astype(np.float64)
    capped = posted > terms.cap
    over = capped & fees.overcharging[agency]
    comply = capped & ~over
    charged_share = np.where(comply, terms.cap, posted)
    lost = np.where(comply, posted - terms.cap, 0.0) * wage
    household_fee = fees.household_fee_share[agency].astype(np.float64) * wage + terms.pass_through * lost
    worker_fee = charged_share * wage
    excess = np.maximum(posted - terms.cap, 0.0) * wage
    hidden = np.where(over & fees.deducts[agency], excess, 0.0)
    lent = np.where(over & fees.lends[agency] & ~fees.deducts[agency], excess, 0.0)
    upfront = worker_fee - hidden - lent
    loans.loan_yuan[workers] += lent
    loans.lender[workers] = np.where(lent > 0, agency, loans.lender[workers])
    from_savings = np.minimum(upfront, savings[workers])
    savings[workers] -= from_savings
    deduction_left[workers] = upfront - from_savings + hidden
    paid_fee[workers] = worker_fee > 0
    revenue += np.bincount(agency, weights=from_savings, minlength=revenue.size)[: revenue.size]
    revenue += np.bincount(agency, weights=household_fee, minlength=revenue.size)[: revenue.size]
    np.add.at(placements, agency, 1)
    return PlacementFees(from_savings, household_fee, over, int(capped.sum()))


def month_end_numpy(workers: MonthEndWorkers, books: BookColumns, accounts: AgencyAccounts,
                    income_by_model: np.ndarray, terms: MonthEndTerms) -> MonthEnd:
    """Each agency's month-end books.

    Each agency counts its employees (present, employed workers it employs) and the
    state pays it ``subsidy_per_employee`` on each. Its income is what it took (fees,
    the bills that repay wages it paid, subsidies) less its payroll, added to its
    business model's income; its profit, that less its costs and, if active, its running
    cost (:func:`running_cost`), goes to its cash. An active agency moves its smoothed profit ``smoothing`` of
    the way to the month's (in float32) and counts months of negative cash in a row.

    Args:
        workers: the worker columns read.
        books: the month's books, subsidies updated.
        accounts: the agency columns, updated.
        income_by_model: income of each business model this month, updated.
        terms: :class:`MonthEndTerms`.

    Returns:
        :class:`MonthEnd`: closing are the active agencies that have lost money ``exit_months`` in a row.
    """
    a = accounts
    n = a.active.size
    employed = workers.present[workers.status[workers.present] == EMPLOYED]
    employees = employed[workers.agency_employed[employed]]
    a.employees[:] = np.bincount(workers.agency[employees], minlength=n)[:n]
    amount = terms.subsidy_per_employee * a.employees.astype(np.float64)
    books.subsidies[:] += np.bincount(np.arange(n), weights=amount, minlength=n)[:n]
    active = a.active
    income = books.revenue + books.passed_through + books.subsidies - books.payroll
    income_by_model += np.bincount(a.business_model, weights=income, minlength=BUSINESS_MODEL_COUNT)
    fixed = running_cost(a.business_model, a.employees, terms) * active
    profit = income - books.costs - fixed
    a.profit_yuan[:] = profit
    a.cash_yuan[:] += profit
    avg = a.profit_avg_yuan
    avg[active] += (terms.smoothing * (profit[active] - avg[active])).astype(np.float32)
    losing = a.losing_months
    losing[:] = np.where(active & (a.cash_yuan < 0), losing + 1, 0)
    return MonthEnd(amount, fixed, np.flatnonzero(active & (losing >= terms.exit_months)))


def profit_by_model_numpy(active: np.ndarray, business_model: np.ndarray, profit_avg: np.ndarray) -> ModelProfits:
    """Mean smoothed profit of the active agencies of each business model, and how many there are.

    A model without active agencies has no mean (NaN).
    """
    kind = business_model[active]
    counts = np.bincount(kind, minlength=BUSINESS_MODEL_COUNT)
    sums = np.bincount(kind, weights=profit_avg[active], minlength=BUSINESS_MODEL_COUNT)
    means = np.divide(sums, counts, out=np.full(BUSINESS_MODEL_COUNT, np.nan), where=counts > 0)
    return ModelProfits(means, counts)


def switching_numpy(active: np.ndarray, business_model: np.ndarray, profit_avg: np.ndarray, means: np.ndarray,
                    u: np.ndarray, rate: float, margin: np.float32) -> Switch:
    """Which agencies switch business model, and to which.

    The best-paying model is the one with the highest mean smoothed profit. An active
    agency of another model reviews its model this month with probability ``rate``
    (its uniform ``u`` below it) and switches when its smoothed profit plus ``margin``
    (in float32) is below the best model's mean.
    """
    best = int(np.nanargmax(means))
    reviewing = active & (u < rate) & (business_model != best)
    better = profit_avg + margin < means[best]
    return Switch(best, np.flatnonzero(reviewing & better))


def active_totals_numpy(active: np.ndarray, capacity: np.ndarray, placements: np.ndarray) -> ActiveTotals:
    """How many agencies are active, and their total capacity and placements."""
    return ActiveTotals(int(active.sum()), int(capacity[active].sum()), int(placements[active].sum()))


def release_numpy(present: np.ndarray, rows: np.ndarray, n_agencies: int, columns: EmploymentColumns) -> None:
    """Employees of agencies ``rows`` that close or stop employing keep working for the household, informally.

    She loses the agency, its contract and its insurance, and keeps the insurance she
    holds on her own.
    """
    leaving = np.zeros(n_agencies, dtype=bool)
    leaving[rows] = True
    c = columns
    employees = present[c.agency_employed[present] & leaving[np.maximum(c.agency[present], 0)]]
    c.agency_employed[employees] = False
    c.contract[employees] = False
    c.insured[employees] = c.self_insured[employees]
    c.agency[employees] = -1


def entrant_profit_estimate_numpy(world: World) -> np.ndarray:
    """:func:`entrant_profit_estimate`, the rule in numpy arrays (a business model an entry)."""
    from model.mechanisms.channels import agency_weights  # channels imports this module

    a, p, lev = world.agencies, world.params, world.levers
    terms = world.agency_books.terms
    wage = terms.typical_wage
    active = a.view("active")
    capacity = float(a.view("capacity")[active].mean())
    placements = float(a.view("placements")[active].sum())
    cap = lev.worker_fee_cap_share
    lost = np.maximum(terms.worker_share - cap, 0.0)
    cost_months = terms.household_share + p.agencies.fee_pass_through * lost
    cost_months[EMPLOYEE_BASED] = employee_based_cost_months(world)
    weights = capacity * np.exp(-p.channels.fee_weight * cost_months / 4.0)
    cost = household_cost_months_numpy(np.arange(a.n), fee_columns(world), fee_terms(world),
                                       employee_based_cost_months(world))
    total = float(agency_weights(world, cost).sum())
    expected = np.minimum(placements * weights / (total + weights), capacity)
    fees = (np.minimum(terms.worker_share, cap) + cost_months) * wage
    separation = max(float(world.metrics.get("separation_rate", p.market.separation_rate)), 1e-3)
    tenure = 1.0 / separation
    employees = expected[EMPLOYEE_BASED] * tenure * (1.0 - np.exp(-12.0 / tenure))
    training = p.training.cost_yuan * (1.0 - lev.training_subsidy_share) * (1.0 - p.workers.certified_share)
    fees[EMPLOYEE_BASED] = 0.0
    profit = expected * fees - p.agencies.fixed_cost_yuan
    running = MonthEndTerms(*_month_end_terms(world))
    eb_running = float(running_cost(np.array([EMPLOYEE_BASED]), np.array([employees]), running)[0])
    profit[EMPLOYEE_BASED] += (employees * (employee_based_charge(world) * wage + lev.employee_based_subsidy_yuan)
                               - expected[EMPLOYEE_BASED] * training + p.agencies.fixed_cost_yuan - eb_running)
    return profit


# --- the mechanism --------------------------------------------------------------------------


def posted_worker_fee(world: World, agency: np.ndarray) -> np.ndarray:
    """Fee share a worker expects to pay, deductions from her wages included.

    The posted fee; under a cap, the cap if the agency complies (deductions count
    against the cap like any fee).
    """
    a = world.agencies
    posted = a.worker_fee_share[agency].astype(np.float64)
    cap = world.levers.worker_fee_cap_share
    return np.where(a.overcharging[agency], posted, np.minimum(posted, cap))


def household_cost_months(world: World, agency: np.ndarray) -> np.ndarray:
    """What using an agency costs a household over a year of employment, in months of wages.

    The household fee and the part of a capped worker fee shifted to it, or for an
    employee-based agency its yearly cost (:func:`employee_based_cost_months`).
    """
    return _household_cost_months(np.asarray(agency, dtype=np.int64), columns(world.agencies, FeeColumns),
                                  _fee_terms(world), employee_based_cost_months(world))


def employee_based_charge(world: World) -> float:
    """What an employee-based agency bills a household a month over wages and contributions, as a share of the wage.

    ``agencies.employee_based_markup``, less ``agencies.subsidy_pass_through`` of a
    support subsidy an employee (over the typical wage): firms competing for clients pass
    part of it on. Never below 0.
    """
    p = world.params.agencies
    wage = world.agency_books.terms.typical_wage
    passed = p.subsidy_pass_through * world.levers.employee_based_subsidy_yuan / wage
    return max(p.employee_based_markup - passed, 0.0)


def employee_based_cost_months(world: World) -> float:
    """What an employee-based worker costs a household over a year, beyond the wage, in months of wages.

    The agency's charge and the employer's part of the contributions it passes on,
    less the fine the household no longer risks and the service it values. Of a support
    subsidy, the part the agency passes on lowers its charge (:func:`employee_based_charge`);
    the rest is its income (7.7): counted once.
    """
    lev = world.levers
    p = world.params
    wage = world.agency_books.terms.typical_wage
    insurance = p.contracts.contribution_rate * max(1.0, p.contracts.contribution_base_min_yuan / wage)
    employer = insurance * (1.0 - lev.insurance_subsidy_share) * p.contracts.employer_contribution_share
    monthly = (employee_based_charge(world) + employer
               - lev.contract_expected_fine_yuan / wage - p.agencies.employee_based_value)
    return 12.0 * max(monthly, 0.0)


def decide_conduct(world: World) -> None:
    """Each agency decides this month whether to overcharge above a cap.

    It overcharges when what it keeps of the excess on a placement (less the part
    households would take over anyway) exceeds the expected fine on that placement plus
    its private cost of breaking the cap (``honesty_yuan``). An inspection that proves an
    overcharge fines each overcharged placement of the year's records
    (:func:`enforce_fee_cap`), so a placement is at risk for a year: the expected fine is
    the fine times 12 times the chance a month that an inspection proves it
    (:func:`fee_proof_chance`), plus the fine times the chance that she complains within a
    year and the complaint is upheld.
    """
    a = world.agencies
    lev = world.levers
    n = a.n
    a.overcharging[:n] = False
    if not np.isfinite(lev.worker_fee_cap_share):
        return
    typical_wage = world.types.typical_wage
    excess = np.maximum(a.view("worker_fee_share") - lev.worker_fee_cap_share, 0.0) * typical_wage
    # Complying, it still gets the share of the excess that households take over.
    gain = (1.0 - world.params.agencies.fee_pass_through) * excess
    found = 12.0 * (fee_proof_chance(world) + _complaint_chance(world) * lev.fee_cap_detection)
    penalty = min(found, 1.0) * lev.fee_cap_fine_yuan + a.view("honesty_yuan")
    a.overcharging[:n] = a.view("active") & (gain > 0) & (gain > penalty)


def fee_proof_chance(world: World) -> float:
    """The chance a month that an inspection proves an agency's overcharge: visits a month times the proof share."""
    lev = world.levers
    return lev.fee_cap_inspection_rate * lev.fee_cap_detection


def _complaint_chance(world: World) -> float:
    """The chance a month that a worker an agency overcharged complains: she must know of the law."""
    w = world.workers
    present = w.present
    aware = float(np.mean(w.aware[present])) if present.size else 0.0
    return world.params.compliance.complaint_rate * aware


def enforce_fee_cap(world: World) -> None:
    """Inspectors visit agencies and workers complain; a proven overcharge is fined and costs reputation.

    Each active agency is visited with ``levers.fee_cap_inspection_rate`` a month (stream
    ``fee_inspection``); a visit to an overcharging agency proves it with
    ``levers.fee_cap_detection`` (stream ``fee_proof``). Each employed worker who knows of
    the law and paid a fee to an agency now overcharging complains with
    ``compliance.complaint_rate`` (stream ``fee_complaint``); an inspection follows and
    proves it with the same chance. A proven agency pays ``levers.fee_cap_fine_yuan`` for
    each overcharged placement of its year's records (``overcharged_recent``, at least
    one), once a month however often proven, and keeps ``agencies.caught_reputation_factor``
    of its reputation. Visits and complaints are counted (``inspections``, ``complaints``).
    """
    lev, a, w, f = world.levers, world.agencies, world.workers, world.flows
    if not np.isfinite(lev.worker_fee_cap_share):
        return
    month = world.month
    active = np.flatnonzero(a.view("active"))
    visited = active[world.streams.uniform("fee_inspection", month, active) < lev.fee_cap_inspection_rate]
    f.inspections += int(visited.size)
    proven = visited[a.overcharging[visited] & (world.streams.uniform("fee_proof", month, visited)
                                                 < lev.fee_cap_detection)]
    employed = w.with_status(EMPLOYED)
    agency = w.agency[employed]
    overcharged = employed[(agency >= 0) & w.paid_placement_fee[employed] & w.aware[employed]]
    overcharged = overcharged[a.overcharging[w.agency[overcharged]]]
    rate = world.params.compliance.complaint_rate
    complains = overcharged[world.streams.uniform("fee_complaint", month, overcharged) < rate]
    f.complaints += int(complains.size)
    f.inspections += int(complains.size)
    upheld = complains[world.streams.uniform("fee_proof_complaint", month, complains) < lev.fee_cap_detection]
    caught = np.union1d(proven, w.agency[upheld]).astype(np.int64)
    if caught.size:
        counts = np.maximum(np.round(a.overcharged_recent[caught].astype(np.float64)), 1.0)
        world.agency_books.fines(caught, lev.fee_cap_fine_yuan * counts)
        a.reputation[caught] *= world.params.agencies.caught_reputation_factor


def service_loans(world: World) -> None:
    """Fee loans: interest is added, and she repays what she can from this month's pay.

    Each present worker with a fee loan owes ``agencies.loan_interest_monthly`` more; an
    employed one repays at most ``agencies.loan_repay_share`` of this month's pay, and no
    more than her savings, to the agency that lent (a fee to the worker: ILO C181 Art. 7,
    ``worker_fees_paid``). A loan outlives the job; it is lost when she leaves for good.
    """
    w, p = world.workers, world.params.agencies
    present = w.present
    if present.size == 0:
        return
    owing = present[w.loan_yuan[present] > 0]
    if owing.size == 0:
        return
    w.loan_yuan[owing] *= 1.0 + p.loan_interest_monthly
    paying = owing[(w.status[owing] == EMPLOYED) & (w.paid_yuan[owing] > 0)]
    repaid = np.minimum(w.loan_yuan[paying], p.loan_repay_share * w.paid_yuan[paying].astype(np.float64))
    repaid = np.clip(np.minimum(repaid, w.savings_yuan[paying]), 0.0, None)
    w.loan_yuan[paying] -= repaid
    w.savings_yuan[paying] -= repaid
    world.agency_books.worker_fees(w.lender[paying], repaid, paying)


def charge_placement_fees(world: World, workers: np.ndarray, agency: np.ndarray,
                          wage: np.ndarray) -> None:
    """Fees for new agency placements, under any cap (detection and fines: :func:`enforce_fee_cap`).

    ``workers`` (each hired once in the round), their ``agency`` and agreed ``wage``.
    """
    if workers.size == 0:
        return
    a, w = world.agencies, world.workers
    books = world.agency_books
    # Each worker pays her fee (from savings, the rest deducted from her wages); the
    # household pays its fee: into the agencies' revenue, in one pass (see _placement_fees).
    charged = _placement_fees(workers, agency, np.asarray(wage, dtype=np.float64), columns(a, FeeColumns),
                              w.savings_yuan, w.deduction_left_yuan, w.paid_placement_fee, a.placements,
                              books.revenue, _fee_terms(world), columns(w, LoanColumns))
    f = world.flows
    f.worker_fees_yuan += float(charged.from_savings.sum())
    paid = float(charged.household_fee.sum())
    f.household_fees_yuan += paid
    f.household_placement_fees_yuan += paid
    world.accounts.households_yuan -= paid
    payers = workers[agency >= 0]  # the fees returned are those of hires with an agency, in order
    record_worker_fees(world, payers, charged.from_savings)
    record_care_of_jobs(world, payers, charged.household_fee, fees=True)

    f.capped_placements += charged.capped
    f.overcharged_placements += int(charged.over.sum())
    np.add.at(a.overcharged_recent, agency[charged.over], np.float32(1.0))


def record_outcomes(world: World, agency: np.ndarray, good: np.ndarray, start: np.ndarray,
                    count: np.ndarray) -> None:
    """Reputation moves toward the share of good outcomes of its placements, batch after batch.

    ``agency[i]`` placed the job whose outcome is ``good[i]`` (-1: no agency did);
    batch b is the ``count[b]`` items from ``start[b]`` (a month's endings for one
    reason), and each batch in turn moves the reputation of each agency with outcomes
    in it: with ``n`` outcomes a step of 1 - (1 - rate)^n toward their share of good ones.
    """
    step = _reputation_steps(world.params.agencies.reputation_rate, agency.size)
    _move_reputation(world.agencies.view("reputation"), agency, good, start, count, step)


def _reputation_steps(rate: float, outcomes: int) -> np.ndarray:
    """Reputation's step 1 - (1 - rate)^n for n = 0 to at least ``outcomes`` (a shared table: read it only)."""
    return _steps_up_to(rate, max(64, 1 << outcomes.bit_length()))


@functools.lru_cache(maxsize=16)
def _steps_up_to(rate: float, most: int) -> np.ndarray:
    return 1.0 - (1.0 - rate) ** np.arange(most + 1)


def update(world: World) -> None:
    """Month-end books: margins on employees, profits, closing, switching, entry."""
    a, w = world.agencies, world.workers
    books = world.agency_books
    f = world.flows

    service_loans(world)  # fee loans: interest, and repayments out of this month's pay
    enforce_fee_cap(world)  # inspections and complaints under a fee cap; fines
    if np.isfinite(world.levers.worker_fee_cap_share):  # the year's records of overcharges fade
        a.view("overcharged_recent")[:] *= np.float32(11.0 / 12.0)
    # Employee-based agencies count their employees and collect any support subsidy;
    # every agency adds up its month and active ones pay their running costs (a closed
    # agency still collects the deductions owed to it: its cash takes them); active
    # agencies smooth their profit and count their losing months.
    books_now = _month_end(columns(w, MonthEndWorkers), columns(books, BookColumns), _views(a, AgencyAccounts),
                           f.agency_income_yuan, _month_end_terms(world))
    paid = float(books_now.subsidy.sum())
    f.public_subsidies_yuan += paid
    world.accounts.state_yuan -= paid
    world.accounts.households_yuan += float(books_now.fixed.sum())  # staff and rent

    _close(world, books_now.closing)  # months of negative cash in a row
    means, counts = profit_by_model(world)  # unchanged by switching unless someone switches
    if _switch(world, means, counts):
        means, counts = profit_by_model(world)
    _enter(world, means, counts)
    scale_capacity(world)
    a.placements[: a.n] = 0


def scale_capacity(world: World) -> None:
    """Agencies grow with their business: the agency channel's capacity follows the demand it meets.

    An active agency that placed as many as it could this month and earns on average
    (smoothed profit above 0) takes on staff: its capacity grows by
    ``agencies.capacity_growth`` (at least one placement a month). One that placed fewer
    than a quarter of its capacity and loses money lets staff go, by as much, down to
    one. So when some agencies close, those left grow into the demand they leave.
    """
    a = world.agencies
    rate = world.params.agencies.capacity_growth
    if rate <= 0.0:
        return
    active = a.view("active")
    capacity, placements, profit = a.view("capacity"), a.view("placements"), a.view("profit_avg_yuan")
    step = np.maximum(np.ceil(rate * capacity), 1).astype(np.int32)
    grow = active & (placements >= capacity) & (profit > 0)
    shrink = active & (4 * placements < capacity) & (profit < 0)
    capacity[grow] += step[grow]
    capacity[shrink] = np.maximum(capacity[shrink] - step[shrink], 1)


def profit_by_model(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Mean smoothed profit of active agencies of each business model, and their counts (:class:`ModelProfits`)."""
    a = world.agencies
    return _profit_by_model(a.view("active"), a.view("business_model"), a.view("profit_avg_yuan"))


def _close(world: World, rows: np.ndarray) -> None:
    if rows.size == 0:
        return
    a = world.agencies
    a.active[rows] = False
    world.flows.agencies_closed += rows.size
    _release_employees(world, rows)
    world.closed_agency_rows.append(rows)


def _release_employees(world: World, rows: np.ndarray) -> None:
    """Employees of agencies that close or stop employing keep working for the household, informally."""
    if rows.size == 0:
        return
    w = world.workers
    # Rows of workers who left are never agency-employed: the present workers are enough.
    _release(w.present, np.asarray(rows, dtype=np.int64), world.agencies.n, columns(w, EmploymentColumns))


def _switch(world: World, means: np.ndarray, counts: np.ndarray) -> bool:
    """Agencies that review their business model switch to the best-paying one if it pays enough more.

    ``means``, ``counts``: :func:`profit_by_model` now. Returns whether any agency switched.
    """
    if np.count_nonzero(counts) < 2:
        return False
    a = world.agencies
    p = world.params.agencies
    kind = a.view("business_model")
    best, rows = _switching(a.view("active"), kind, a.view("profit_avg_yuan"), means,
                            world.streams.ukey("agency_switch", world.month), p.switch_rate,
                            np.float32(p.switch_margin_yuan))
    if rows.size == 0:
        return False
    _release_employees(world, rows[kind[rows] == EMPLOYEE_BASED])
    set_business_model(world, rows, np.full(rows.size, best, dtype=np.int8))
    return True


def entrant_profit_estimate(world: World) -> np.ndarray:
    """Monthly profit an entrant of each business model expects from the demand it would meet.

    Households that use agencies pick one in proportion to its weight (capacity, cost,
    7.3), so an entrant of average capacity would get this month's agency placements
    times its weight over the total, at most its capacity. An intermediary or membership
    agency earns its fees on each (the capped worker fee, the household fee and the part
    of the lost fee households take over); an employee-based one keeps an employee for
    about 1 / separation_rate months and earns its charge and the support subsidy on
    each employee a month, on the employees it would have after a year, less training.
    Every model pays its running cost (:func:`running_cost`: an employee-based firm's
    grows with its employees, less than in proportion).
    """
    from model.mechanisms.channels import agency_weights  # channels imports this module

    a = world.agencies
    p = world.params
    lev = world.levers
    terms = world.agency_books.terms
    wage = terms.typical_wage
    n_active, capacity_sum, placements_sum = _active_totals(a.view("active"), a.view("capacity"),
                                                            a.view("placements"))
    # np.mean's arithmetic: an exact sum of integers over the count.
    capacity = float(capacity_sum) / n_active if n_active else float("nan")
    placements = float(placements_sum)
    cap = lev.worker_fee_cap_share
    # Three business models: plain floats (the same arithmetic as numpy's on three elements),
    # numpy's exp. In BUSINESS_MODELS order; the employee-based entries are replaced below.
    cost_months = [h + p.agencies.fee_pass_through * max(s - cap, 0.0)
                   for s, h in zip(terms.worker_share_list, terms.household_share_list, strict=True)]
    cost_months[EMPLOYEE_BASED] = employee_based_cost_months(world)
    pull = np.exp(np.array([-p.channels.fee_weight * c / 4.0 for c in cost_months])).tolist()
    weights = [capacity * x for x in pull]
    total = float(agency_weights(world, household_cost_months(world, np.arange(a.n))).sum())
    expected = [min(placements * x / (total + x), capacity) for x in weights]
    fees = [(min(s, cap) + c) * wage for s, c in zip(terms.worker_share_list, cost_months, strict=True)]
    separation = max(float(world.metrics.get("separation_rate", p.market.separation_rate)), 1e-3)
    tenure = 1.0 / separation
    employees = expected[EMPLOYEE_BASED] * tenure * (1.0 - np.exp(-12.0 / tenure))
    training = p.training.cost_yuan * (1.0 - lev.training_subsidy_share) * (1.0 - p.workers.certified_share)
    fees[EMPLOYEE_BASED] = 0.0
    profit = [e * f - p.agencies.fixed_cost_yuan for e, f in zip(expected, fees, strict=True)]
    running = MonthEndTerms(*_month_end_terms(world))
    eb_running = float(running_cost(np.array([EMPLOYEE_BASED]), np.array([employees]), running)[0])
    profit[EMPLOYEE_BASED] += (employees * (employee_based_charge(world) * wage + lev.employee_based_subsidy_yuan)
                               - expected[EMPLOYEE_BASED] * training + p.agencies.fixed_cost_yuan - eb_running)
    return np.array(profit)


def expected_profit_by_model(world: World) -> np.ndarray:
    """What an entrant of each business model expects a month: what agencies of its model earn, else an estimate."""
    return _expected_profit(world, *profit_by_model(world))


def _expected_profit(world: World, means: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """:func:`expected_profit_by_model` given :func:`profit_by_model` now.

    An employee-based entrant starts with no employees: it expects at most what an
    entrant would earn from the demand it would meet in a year (:func:`entrant_profit_estimate`),
    not what incumbents grown large earn.
    """
    estimate = entrant_profit_estimate(world)
    expected = np.where(counts > 0, means, estimate)
    if counts[EMPLOYEE_BASED]:
        expected[EMPLOYEE_BASED] = min(means[EMPLOYEE_BASED], estimate[EMPLOYEE_BASED])
    return expected


def _enter(world: World, means: np.ndarray, counts: np.ndarray) -> None:
    """Entry: as many entrants as the best business model's expected profit warrants, of any model that pays.

    ``means``, ``counts``: :func:`profit_by_model` now.
    """
    a = world.agencies
    p = world.params.agencies
    n_active = int(counts.sum())
    if n_active == 0:
        expected = p.entry_rate * max(p.count, 1) * p.restart_entry_share
    else:
        scale = max(p.fixed_cost_yuan, 1.0)
        profit = _expected_profit(world, means, counts)
        expected = p.entry_rate * n_active * min(max(float(profit.max()) / scale, 0.0), 1.0)  # np.clip's
    if not expected > 0:  # no draw: the month's entry stream is not even seeded
        return
    rng = world.streams.get("agency_entry", world.month)
    entrants = int(rng.poisson(expected))
    if entrants == 0:
        return
    shares = business_model_shares(world) if n_active == 0 else np.maximum(profit, 0.0)
    rows = a.grow(entrants)
    draw_agencies(world, rows, rng, shares)
    world.accounts.households_yuan -= float(a.cash_yuan[rows].sum())  # the owners put up the start cash
    world.flows.agencies_opened += entrants
    world.add_agency_agents(rows)


# --- kernels -------------------------------------------------------------------------------
#
# As in wages (see the note under its kernels): a kernel called from Python takes each named
# group as a plain tuple and names it on entry (``FeeColumns(*fee_cols)``), because numba
# types a NamedTuple argument in Python (1-2 us a group a call). Columns are read by the
# group's field names (:func:`model.core.jit.columns`, :func:`_views`), terms built in their
# fields' order (:func:`_fee_terms`, :func:`_month_end_terms`), each field checked by name in
# tests/mechanisms/test_agencies.py. Results of one or two fields, or unpacked where they are
# used, come back as plain tuples (a NamedTuple result costs about 1 us more to box).


def _fee_columns_example() -> FeeColumns:
    return FeeColumns(*columns(AgencyTable(1), FeeColumns))


@kernel(example=lambda: (np.zeros(1, np.int64), tuple(_fee_columns_example()), (0.1, 0.5), 1.0))
def _household_cost_months(agency: np.ndarray, fee_cols: tuple, fee_values: tuple,
                           employee_based: float) -> np.ndarray:
    """:func:`household_cost_months_numpy` of each of ``agency``, in one pass (was eight numpy passes).

    The household fee share plus ``pass_through`` of what a complying agency loses
    under the cap; ``employee_based`` for employee-based agencies. At 1:100 (51 agencies)
    a call went from 9 us to 1.6 us; it is called at matching and at entry every month.
    ``fee_cols``, ``fee_values``: plain tuples of :class:`FeeColumns` and :class:`FeeTerms`.
    """
    fees, terms = FeeColumns(*fee_cols), FeeTerms(*fee_values)
    cap, pass_through = terms.cap, terms.pass_through
    out = np.empty(agency.size)
    for q in range(agency.size):
        i = agency[q]
        if fees.business_model[i] == EMPLOYEE_BASED:
            out[q] = employee_based
            continue
        shifted = 0.0
        if not fees.overcharging[i]:
            excess = np.float64(fees.worker_fee_share[i]) - cap
            shifted = pass_through * (excess if excess >= 0.0 or np.isnan(excess) else 0.0)
        out[q] = np.float64(fees.household_fee_share[i]) + shifted
    return out

@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int32), np.ones(1), tuple(_fee_columns_example()),
                         np.zeros(1), np.zeros(1, np.float32), np.zeros(1, np.bool_), np.zeros(1, np.int32),
                         np.zeros(1), (np.inf, 0.5), columns(WorkerTable(1), LoanColumns)))
def _placement_fees(workers: np.ndarray, agency: np.ndarray, wage: np.ndarray, fee_cols: tuple,
                    savings: np.ndarray, deduction_left: np.ndarray, paid_fee: np.ndarray, placements: np.ndarray,
                    revenue: np.ndarray, fee_values: tuple, loan_cols: tuple) -> PlacementFees:
    """:func:`placement_fees_numpy` in one pass (was some forty numpy calls).

    Revenue is summed by agency in row order as ``np.bincount`` does; the fees returned
    are those of hires with an agency, in order, for numpy's sums. At 1:100 (60 hires)
    the arithmetic went from 68 us to 4 us a call. ``fee_cols``, ``fee_values``: as :func:`_household_cost_months`.
    """
    fees, terms, loans = FeeColumns(*fee_cols), FeeTerms(*fee_values), LoanColumns(*loan_cols)
    cap, pass_through = terms.cap, terms.pass_through
    worker_fee_share, household_fee_share = fees.worker_fee_share, fees.household_fee_share
    overcharging, deducts, lends = fees.overcharging, fees.deducts, fees.lends
    k = workers.size
    from_savings = np.empty(k)
    household_fee = np.empty(k)
    over = np.zeros(k, dtype=np.bool_)
    by_worker = np.zeros(revenue.size)
    by_household = np.zeros(revenue.size)
    capped = 0
    m = 0
    for q in range(k):
        i = agency[q]
        r = workers[q]
        posted = np.float64(worker_fee_share[i])
        is_capped = posted > cap
        over[q] = is_capped and overcharging[i]
        comply = is_capped and not over[q]
        capped += is_capped
        charged_share = cap if comply else posted
        lost = (posted - cap if comply else 0.0) * wage[q]
        fee = np.float64(household_fee_share[i]) * wage[q] + pass_through * lost
        worker_fee = charged_share * wage[q]
        hidden = 0.0
        lent = 0.0
        if over[q] and (deducts[i] or lends[i]):
            excess = posted - cap
            excess = (excess if excess >= 0.0 or np.isnan(excess) else 0.0) * wage[q]
            if deducts[i]:
                hidden = excess
            else:
                lent = excess
        upfront = worker_fee - hidden - lent
        loans.loan_yuan[r] += lent
        if lent > 0:
            loans.lender[r] = i
        held = savings[r]
        paid = upfront if upfront <= held or np.isnan(upfront) else held
        savings[r] = held - paid
        deduction_left[r] = upfront - paid + hidden
        paid_fee[r] = worker_fee > 0
        placements[i] += 1
        if i >= 0:
            by_worker[i] += paid
            by_household[i] += fee
            from_savings[m] = paid
            household_fee[m] = fee
            m += 1
    for i in range(revenue.size):
        revenue[i] += by_worker[i]
    for i in range(revenue.size):
        revenue[i] += by_household[i]
    return PlacementFees(from_savings[:m], household_fee[:m], over, capped)

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

def _month_end_example() -> tuple:
    return (columns(WorkerTable(1), MonthEndWorkers), tuple(BookColumns(*np.zeros((5, 1)))),
            _views(AgencyTable(1), AgencyAccounts), np.zeros(3), tuple(MonthEndTerms(0.0, 1.0, 0.1, 6, 1.0, 1.0, 0.7)))


@kernel(example=_month_end_example)
def _month_end(worker_cols: tuple, book_cols: tuple, account_cols: tuple, income_by_model: np.ndarray,
               end_values: tuple) -> MonthEnd:
    """:func:`month_end_numpy` in one pass over the present workers and one over the agencies.

    Income is added to ``income_by_model`` in row order as ``np.bincount`` does; the
    smoothed profit moves in float32, as numpy did. It replaced some thirty numpy
    calls: 62 us -> 7 us a month at 1:100. The groups come as plain tuples of
    :class:`MonthEndWorkers`, :class:`BookColumns`, :class:`AgencyAccounts` and :class:`MonthEndTerms`.
    """
    workers, books = MonthEndWorkers(*worker_cols), BookColumns(*book_cols)
    accounts, terms = AgencyAccounts(*account_cols), MonthEndTerms(*end_values)
    present, status, agency_employed, worker_agency = (workers.present, workers.status, workers.agency_employed,
                                                       workers.agency)
    revenue, passed_through, subsidies = books.revenue, books.passed_through, books.subsidies
    payroll, costs = books.payroll, books.costs
    active, business_model, employees = accounts.active, accounts.business_model, accounts.employees
    profit_yuan, cash, profit_avg = accounts.profit_yuan, accounts.cash_yuan, accounts.profit_avg_yuan
    losing = accounts.losing_months
    subsidy_per_employee, fixed_cost = terms.subsidy_per_employee, terms.fixed_cost
    smoothing, exit_months = terms.smoothing, terms.exit_months
    n = active.size
    count = np.zeros(n, dtype=np.int64)
    for r in present:
        if agency_employed[r] and status[r] == EMPLOYED:
            count[worker_agency[r]] += 1
    subsidy = np.empty(n)
    fixed = np.empty(n)
    closing = np.empty(n, dtype=np.int64)
    by_model = np.zeros(income_by_model.size)
    k = 0
    for i in range(n):
        employees[i] = count[i]
        subsidy[i] = subsidy_per_employee * np.float64(count[i])
        subsidies[i] += 0.0 + subsidy[i]
        income = revenue[i] + passed_through[i] + subsidies[i] - payroll[i]
        by_model[business_model[i]] += income
        running = fixed_cost
        if business_model[i] == EMPLOYEE_BASED:
            running = terms.employee_based_fixed + terms.management_at_ten * (np.float64(count[i]) / 10.0) \
                ** terms.scale_exponent
        fixed[i] = running * np.float64(active[i])
        profit = income - costs[i] - fixed[i]
        profit_yuan[i] = profit
        cash[i] += profit
        if active[i]:
            profit_avg[i] += np.float32(smoothing * (profit - np.float64(profit_avg[i])))
        losing[i] = losing[i] + 1 if active[i] and cash[i] < 0 else 0
        if active[i] and losing[i] >= exit_months:
            closing[k] = i
            k += 1
    for j in range(by_model.size):
        income_by_model[j] += by_model[j]
    return MonthEnd(subsidy, fixed, closing[:k])

@kernel(example=lambda: (np.ones(1, np.bool_), np.zeros(1, np.int8), np.zeros(1, np.float32)))
def _profit_by_model(active: np.ndarray, business_model: np.ndarray,
                     profit_avg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`profit_by_model_numpy` in one pass (sums in row order, as ``np.bincount``): 8 us -> 2 us a call.

    Returns the fields of :class:`ModelProfits`, ``means, counts``, as a plain tuple.
    """
    counts = np.zeros(BUSINESS_MODEL_COUNT, dtype=np.int64)
    sums = np.zeros(BUSINESS_MODEL_COUNT)
    for i in range(active.size):
        if active[i]:
            counts[business_model[i]] += 1
            sums[business_model[i]] += np.float64(profit_avg[i])
    means = np.full(BUSINESS_MODEL_COUNT, np.nan)
    for k in range(BUSINESS_MODEL_COUNT):
        if counts[k] > 0:
            means[k] = sums[k] / np.float64(counts[k])
    return means, counts

@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int64), 1,
                         columns(WorkerTable(1), EmploymentColumns)))
def _release(present: np.ndarray, rows: np.ndarray, n_agencies: int, employment_cols: tuple) -> None:
    """:func:`release_numpy` in one pass instead of twelve numpy calls over the present workers.

    ``employment_cols``: a plain tuple of :class:`EmploymentColumns`.
    """
    c = EmploymentColumns(*employment_cols)
    agency_employed, contract, insured, self_insured, agency = (c.agency_employed, c.contract, c.insured,
                                                                c.self_insured, c.agency)
    leaving = np.zeros(n_agencies, dtype=np.bool_)
    for i in rows:
        leaving[i] = True
    for r in present:
        if agency_employed[r] and leaving[max(agency[r], 0)]:
            agency_employed[r] = False
            contract[r] = False
            insured[r] = self_insured[r]
            agency[r] = -1

@kernel(example=lambda: (np.ones(1, np.bool_), np.zeros(1, np.int8), np.zeros(1, np.float32), np.zeros(3),
                         np.uint64(1), 0.02, np.float32(500.0)))
def _switching(active: np.ndarray, business_model: np.ndarray, profit_avg: np.ndarray, means: np.ndarray,
               key: np.uint64, rate: float, margin: np.float32) -> tuple[int, np.ndarray]:
    """:func:`switching_numpy`, each agency's uniform ``uniform_at(row, key)`` (``agency_switch``) drawn here.

    ``np.nanargmax`` of ``means``, then one pass instead of some fifteen numpy calls:
    40 us -> 4 us a month at 1:100. ``key``: this month's key of the stream ``agency_switch``;
    ``margin`` in float32. Returns the fields of :class:`Switch`, ``best, rows``, as a plain tuple.
    """
    best = 0
    top = -np.inf
    for k in range(means.size):
        value = -np.inf if np.isnan(means[k]) else means[k]
        if value > top or k == 0:
            best, top = k, value
    rows = np.empty(active.size, dtype=np.int64)
    n = 0
    for i in range(active.size):
        if (active[i] and uniform_at(np.uint64(i), key) < rate and business_model[i] != best
                and np.float64(profit_avg[i] + margin) < means[best]):
            rows[n] = i
            n += 1
    return best, rows[:n]

@kernel(example=lambda: (np.ones(1, np.bool_), np.ones(1, np.int32), np.ones(1, np.int32)))
def _active_totals(active: np.ndarray, capacity: np.ndarray, placements: np.ndarray) -> tuple[int, int, int]:
    """:func:`active_totals_numpy` in one pass (exact integer sums).

    Returns the fields of :class:`ActiveTotals`, ``n, capacity, placements``, as a plain tuple.
    """
    n = 0
    capacity_sum = 0
    placements_sum = 0
    for i in range(active.size):
        if active[i]:
            n += 1
            capacity_sum += capacity[i]
            placements_sum += placements[i]
    return n, capacity_sum, placements_sum
