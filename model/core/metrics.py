"""The month's measurements, read from the arrays (masked means, bincounts), never from Agent objects.

``COLUMNS`` lists every column of ``timeseries.csv`` after ``replicate`` and
``month``, in order; CONTRACT.md's columns come first, the metrics by group
(``model/core/groups.py``) last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.core import accounts, groups
from model.core.jit import columns, kernel
from model.core.labour import REASON
from model.core.tables import (
    AGENCY,
    AWAY,
    EMPLOYED,
    EMPLOYEE_BASED,
    GONE,
    HOURLY,
    INACTIVE,
    INTERMEDIARY,
    JOB_TYPES,
    LIVE_IN,
    LIVE_OUT,
    MEMBERSHIP,
    N_ARRANGEMENTS,
    N_JOB_TYPES,
    OPEN,
    REFERRAL,
    SEARCHING,
    WEEKS_PER_MONTH,
    WorkerTable,
)
from model.mechanisms import compliance

if TYPE_CHECKING:
    from model.core.world import World

CONTRACT_COLUMNS = (
    "workers", "employed", "searching", "away", "arrivals", "departures", "vacancies", "hires",
    "separations", "unemployment_rate", "vacancy_rate", "mean_wage", "median_wage", "p10_wage",
    "p90_wage", "contract_share", "insured_share", "formal_share", "agency_placement_share",
    "referral_placement_share", "worker_fees_paid", "household_fees_paid", "arrears_incidence",
    "employee_based_share", "agencies_active",
)
EXTRA_COLUMNS = (
    "leaving_to_away", "returns_from_away", "away_with_job_held", "held_job_leaving", "held_job_returns",
    "open_placement_share", "mean_agreed_wage", "changed_job_12m_share", "searchers_at_matching",
    "vacancies_at_matching", "job_finding_rate",
    "separation_rate",
    *(f"mean_wage_{t}" for t in JOB_TYPES),
    "households_with_need", "unmet_need_share", "certified_share", "trained",
    "overcharging_share", "fines_paid", "wages_lost", "insurance_contributions", "public_subsidies", "held_jobs_lost",
    "remittances", "mean_net_income", "mean_savings",
    "agencies_intermediary", "agencies_membership", "agencies_employee_based",
    "agencies_opened", "agencies_closed", "quits_arrears", "quits_informal", "dismissals",
    "minimum_wage_separations", "working_time_separations", "origin_concentration", "local_hukou_share",
    "inspections_found", "mean_hire_wage", "hire_wage_index", "top_quartile_placement_share",
)
# Work arrangements: hours, pay per hour, how the work is organised.
ARRANGEMENT_COLUMNS = (
    "mean_hours_week", "mean_hourly_wage", "live_in_share", "live_out_share", "hourly_share",
    "multi_employer_share", "worker_earnings", "client_hires", "platform_commissions",
)
# Who pays whom: the accounts of model/core/accounts.py, yuan this month.
MONEY_COLUMNS = (
    "money_unaccounted", "workers_net_income", "household_care_spending", "agency_income_intermediary",
    "agency_income_membership", "agency_income_employee_based", "state_net_cost",
    "household_placement_fees_paid", "household_service_bills_paid", "worker_contributions", "living_costs",
    "course_fees", "kin_loans", "kin_repayments", "workers_in_debt_share",
)
# The ILO standards scorecard: shares of employed workers this month.
STANDARDS_COLUMNS = (
    "c189_written_terms_share", "c189_minimum_wage_share", "c189_social_security_share",
    "c181_no_fee_share", "decent_work_share", "c189_weekly_rest_share",
)
# The laws in force as people respond to them (model/mechanisms/compliance.py).
LAW_COLUMNS = compliance.MEASURES
# Households by income quintile, workers by hukou and by origin: ``<metric>__<group kind>_<value>``.
GROUP_COLUMNS = groups.COLUMNS
COLUMNS = (*CONTRACT_COLUMNS, *EXTRA_COLUMNS, *ARRANGEMENT_COLUMNS, *MONEY_COLUMNS, *STANDARDS_COLUMNS, *LAW_COLUMNS,
           *GROUP_COLUMNS)

# Share columns: must lie in [0, 1] (a metric by group is a share when its metric is).
SHARE_COLUMNS = tuple(c for c in COLUMNS if c.partition("__")[0].endswith(
    ("_share", "_rate", "_incidence", "_concentration", "_compliance", "_awareness")))


WAGE_PERCENTILES = np.array([10.0, 50.0, 90.0])
# A minimum is met when pay is at least it to the fen: hours a week are kept in float32,
# so a wage set at the floor for its hours can differ from it in the last bits.
FEN = 0.01


def percentiles(values: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``np.percentile(values, q)`` (linear interpolation) to the last bit, from one sort.

    numpy partitions around every index it needs; sorting the float32 column it came
    from is faster (SIMD sort) and gives the same order statistics, which are then
    interpolated in float64 exactly as numpy's ``_lerp`` does.
    """
    ordered = np.sort(values)
    n = ordered.size
    virtual = (n - 1) * (np.asarray(q, dtype=np.float64) / 100)
    below = np.floor(virtual).astype(np.intp)
    gamma = virtual - below
    a = ordered[below].astype(np.float64)
    b = ordered[np.minimum(below + 1, n - 1)].astype(np.float64)
    diff = b - a
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)


# What the census kernel counts, in the order of its result.
CENSUS = (
    "searching", "employed", "away", "away_with_job_held", "changed_job_12m", "certified", "local_hukou",
    "in_debt", "contract", "insured", "formal", "arrears", "employee_based", "minimum_wage_paid", "no_fee",
    "decent_work",
)
N_CENSUS = len(CENSUS)
(_C_SEARCHING, _C_EMPLOYED, _C_AWAY, _C_HELD, _C_CHANGED, _C_CERTIFIED, _C_LOCAL, _C_DEBT, _C_CONTRACT, _C_INSURED,
 _C_FORMAL, _C_ARREARS, _C_EMPLOYEE_BASED, _C_MINIMUM, _C_NO_FEE, _C_DECENT) = range(len(CENSUS))


class WorkCensus(NamedTuple):
    """What :func:`_work_census` counts over the employed: hours, pay, arrangements, the minimum and rest."""

    hours: float  # hours a week, summed
    hourly: float  # pay this month over hours in the month, summed over those paid
    paid_count: int  # employed who were paid (and worked hours)
    earnings: float  # pay this month, summed
    several: int  # with two employers or more
    rest: int  # at most 6 days' work a week
    arrangements: np.ndarray  # employed by the arrangement of their main job
    rate_sum: np.ndarray  # agreed wage an hour, summed by job type and arrangement
    rate_count: np.ndarray
    minimum_met: np.ndarray  # by position in ``present``: her pay meets the statutory minimum for her hours


def _standard_terms(world: World) -> tuple:
    """The statutory minimum's terms for :func:`_work_census`: monthly, hourly, full-time week, in kind, the fen."""
    s = world.params.standards
    return s.minimum_wage_monthly, s.minimum_wage_hourly, s.full_time_hours_week, s.in_kind_share, FEN


def _work_example() -> tuple:
    rows, f32 = np.zeros(1, np.int64), np.zeros(1, np.float32)
    small = np.zeros(1, np.int8)
    return (rows, small, f32, small, small, small, small, f32, f32, (2100.0, 20.3, 40.0, 0.1, 0.01),
            np.zeros(N_ARRANGEMENTS))


@kernel(example=_work_example)
def _work_census(present: np.ndarray, status: np.ndarray, hours_week: np.ndarray, days_week: np.ndarray,
                 arrangement: np.ndarray, employers: np.ndarray, job_type: np.ndarray, paid_yuan: np.ndarray,
                 wage_yuan: np.ndarray, standard: tuple, in_kind_yuan: np.ndarray) -> WorkCensus:
    """Hours, pay an hour, arrangements, the weekly rest and the statutory minimum over the employed, in one pass.

    The minimum for her hours is :func:`statutory_minimum`'s (float64, step for step),
    less what room and board meet of it (``standards.in_kind_share``), met to the fen.
    One pass where numpy made about twenty over the employed (at 1:1, 22 -> 4 ms a month).
    """
    monthly, hourly_min, full_time, in_kind_share, fen = standard
    hours_sum, hourly_sum, earnings = 0.0, 0.0, 0.0
    paid_count, several, rest = 0, 0, 0
    kinds = np.zeros(N_ARRANGEMENTS, dtype=np.int64)
    rate_sum = np.zeros((N_JOB_TYPES, N_ARRANGEMENTS))
    rate_count = np.zeros((N_JOB_TYPES, N_ARRANGEMENTS), dtype=np.int64)
    met = np.zeros(present.size, dtype=np.bool_)
    for i in range(present.size):
        r = present[i]
        if status[r] != EMPLOYED:
            continue
        hours = np.float64(hours_week[r])
        paid = np.float64(paid_yuan[r])
        hours_sum += hours
        earnings += paid
        kinds[arrangement[r]] += 1
        several += employers[r] >= 2
        rest += days_week[r] <= 6
        if hours > 0:
            if paid > 0:
                hourly_sum += paid / (hours * WEEKS_PER_MONTH)
                paid_count += 1
            rate_sum[job_type[r], arrangement[r]] += np.float64(wage_yuan[r]) / (hours * WEEKS_PER_MONTH)
            rate_count[job_type[r], arrangement[r]] += 1
        owed = max(monthly * min(hours / full_time, 1.0), hourly_min * hours * WEEKS_PER_MONTH)
        credit = min(in_kind_yuan[arrangement[r]], in_kind_share * owed)
        met[i] = paid_yuan[r] >= owed - credit - fen
    return WorkCensus(hours_sum, hourly_sum, paid_count, earnings, several, rest, kinds, rate_sum, rate_count, met)


def _census_example() -> tuple:
    flag, rows = np.zeros(1, dtype=np.bool_), np.zeros(1, np.int64)
    return (rows, np.zeros(1, np.int8), flag, flag, flag, flag, flag, flag, flag, np.zeros(1), np.zeros(1, np.int16),
            np.zeros(1, np.int32), WorkCensus(*_work_census(*_work_example())).minimum_met, 0)


@kernel(example=_census_example)
def _census(present: np.ndarray, status: np.ndarray, contract: np.ndarray, insured: np.ndarray,
            arrears_now: np.ndarray, agency_employed: np.ndarray, paid_fee: np.ndarray, certified: np.ndarray,
            local_hukou: np.ndarray, debt: np.ndarray, separated_month: np.ndarray, held_by: np.ndarray,
            minimum_met: np.ndarray, changed_since: int) -> np.ndarray:
    """The month's head counts (``CENSUS``) over the present workers, in one pass.

    Over everyone present: status, a job change since ``changed_since``,
    certificate, local hukou, debt. Over the employed: contract, insurance, both,
    arrears, employee-based, and the ILO scorecard (pay at least the statutory
    minimum for her hours, ``minimum_met`` by row from :func:`_work_census`, which also
    counts the weekly rest days; no fee for the current job; all four). Over the away:
    a job held. Where numpy made about 40 calls, each a pass.
    """
    counts = np.zeros(N_CENSUS, dtype=np.int64)
    for i in range(present.size):
        r = present[i]
        s = status[r]
        counts[_C_CHANGED] += separated_month[r] > changed_since
        counts[_C_CERTIFIED] += certified[r]
        counts[_C_LOCAL] += local_hukou[r]
        counts[_C_DEBT] += debt[r] > 0
        if s == SEARCHING:
            counts[_C_SEARCHING] += 1
        elif s == AWAY:
            counts[_C_AWAY] += 1
            counts[_C_HELD] += held_by[r] >= 0
        elif s == EMPLOYED:
            counts[_C_EMPLOYED] += 1
            written, covered = contract[r], insured[r]
            minimum = minimum_met[i]
            counts[_C_CONTRACT] += written
            counts[_C_INSURED] += covered
            counts[_C_FORMAL] += written and covered
            counts[_C_ARREARS] += arrears_now[r]
            counts[_C_EMPLOYEE_BASED] += agency_employed[r]
            counts[_C_MINIMUM] += minimum
            counts[_C_NO_FEE] += not paid_fee[r]
            counts[_C_DECENT] += written and covered and minimum and not paid_fee[r]
    return counts


class PaidColumns(NamedTuple):
    """The worker columns :func:`_paid_census` reads (whole columns, by row)."""

    status: np.ndarray
    paid_yuan: np.ndarray
    job_type: np.ndarray
    origin: np.ndarray


class PaidCensus(NamedTuple):
    """The pay of the employed paid this month, and the present by hometown (:func:`paid_census_numpy`)."""

    paid: np.ndarray  # pay of each employed worker paid this month, in row order (float32, as the column)
    by_type: np.ndarray  # their pay summed by job type (float64)
    n_by_type: np.ndarray  # how many by job type
    origins: np.ndarray  # present workers by hometown county


def paid_census_numpy(world: World) -> PaidCensus:
    """The rule of :func:`_paid_census` in numpy: gathers, selections and bincounts."""
    w = world.workers
    employed = w.with_status(EMPLOYED)
    paid32 = w.paid_yuan[employed]
    paid_rows = employed[paid32 > 0]
    paid32 = paid32[paid32 > 0]
    paid_type = w.job_type[paid_rows]
    return PaidCensus(paid32, np.bincount(paid_type, weights=paid32.astype(np.float64), minlength=N_JOB_TYPES),
                      np.bincount(paid_type, minlength=N_JOB_TYPES),
                      np.bincount(w.origin[w.present], minlength=world.params.migration.origins))


def _paid_census_example() -> tuple:
    return np.zeros(1, np.int64), columns(WorkerTable(1), PaidColumns), 1


@kernel(example=_paid_census_example)
def _paid_census(present: np.ndarray, paid_columns: tuple, n_origins: int) -> PaidCensus:
    """:func:`paid_census_numpy` in one pass over the present (sums in row order, as ``np.bincount``'s).

    Where numpy made three gathers, two selections and three bincounts (at 1:1, about 6 ms).
    ``paid_columns``: :class:`PaidColumns` as a plain tuple.
    """
    w = PaidColumns(*paid_columns)
    paid = np.empty(present.size + 1, w.paid_yuan.dtype)
    by_type, n_by_type = np.zeros(N_JOB_TYPES), np.zeros(N_JOB_TYPES, np.int64)
    origins = np.zeros(n_origins, np.int64)
    n = 0
    for r in present:
        origins[w.origin[r]] += 1
        if w.status[r] == EMPLOYED and w.paid_yuan[r] > 0:
            paid[n] = w.paid_yuan[r]
            n += 1
            by_type[w.job_type[r]] += np.float64(w.paid_yuan[r])
            n_by_type[w.job_type[r]] += 1
    return PaidCensus(paid[:n].copy(), by_type, n_by_type, origins)


def _share(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator > 0 else 0.0


def measure(world: World) -> dict[str, float]:
    """Every column of the month, as plain floats and ints."""
    return measure_month(world)[0]


def measure_month(world: World) -> tuple[dict[str, float], np.ndarray]:
    """Every column of the month, and the agreed wage an hour by job type and arrangement (``nan`` where few)."""
    w, h, a = world.workers, world.households, world.agencies
    f = world.flows
    t = f.transitions
    # Rows of workers who left for good stay in the table: work on the present ones only.
    present = w.present
    employed = w.with_status(EMPLOYED)
    worked = _work_census(present, w.status, w.hours_week, w.days_week, w.arrangement, w.employers, w.job_type,
                          w.paid_yuan, w.wage_yuan, _standard_terms(world), world.arrangements.in_kind_yuan)
    counted = _census(present, w.status, w.contract, w.insured, w.arrears_now, w.agency_employed,
                      w.paid_placement_fee, w.certified, w.local_hukou, w.debt_yuan, w.separated_month, w.held_by,
                      worked.minimum_met, world.month - 12)
    c = dict(zip(CENSUS, counted.tolist(), strict=True))
    c["weekly_rest"] = worked.rest
    n_employed = employed.size
    n_searching, n_away = c["searching"], c["away"]
    has_need = h.view("need") >= 0
    with_need = int(np.count_nonzero(has_need))
    vacancies = int(np.count_nonzero(has_need & (h.view("worker") < 0)))
    hires = int(t[SEARCHING, EMPLOYED])
    separations = int(t[EMPLOYED, SEARCHING])

    pay = _paid_census(present, columns(w, PaidColumns), world.params.migration.origins)
    if pay.paid.size:
        p10, median, p90 = percentiles(pay.paid, WAGE_PERCENTILES)
        mean_wage = float(pay.paid.astype(np.float64).mean())
    else:
        p10 = median = p90 = mean_wage = 0.0
    by_type, n_by_type = pay.by_type, pay.n_by_type

    active = a.view("active")
    kinds = np.bincount(a.view("business_model")[active], minlength=3)
    origin_shares = pay.origins / max(pay.origins.sum(), 1)
    sep = f.separations_by_reason

    row = {
        "workers": n_employed + n_searching + n_away,
        "employed": n_employed,
        "searching": n_searching,
        "away": n_away,
        "arrivals": int(t[INACTIVE, SEARCHING]),
        "departures": int(t[SEARCHING, GONE]),
        "vacancies": vacancies,
        "hires": hires,
        "separations": separations,
        "unemployment_rate": _share(n_searching, n_employed + n_searching),
        "vacancy_rate": _share(vacancies, vacancies + n_employed),
        "mean_wage": mean_wage,
        "median_wage": float(median),
        "p10_wage": float(p10),
        "p90_wage": float(p90),
        "contract_share": _share(c["contract"], n_employed),
        "insured_share": _share(c["insured"], n_employed),
        "formal_share": _share(c["formal"], n_employed),
        "agency_placement_share": _share(f.hires_by_channel[AGENCY], hires),
        "referral_placement_share": _share(f.hires_by_channel[REFERRAL], hires),
        "worker_fees_paid": f.worker_fees_yuan,
        "household_fees_paid": f.household_fees_yuan,
        "arrears_incidence": _share(c["arrears"], n_employed),
        "employee_based_share": _share(c["employee_based"], n_employed),
        "agencies_active": int(active.sum()),
        "leaving_to_away": int(t[SEARCHING, AWAY]),
        "returns_from_away": int(t[AWAY, SEARCHING]),
        "away_with_job_held": c["away_with_job_held"],
        "held_job_leaving": int(t[EMPLOYED, AWAY]),
        "held_job_returns": int(t[AWAY, EMPLOYED]),
        "open_placement_share": _share(f.hires_by_channel[OPEN], hires),
        "mean_agreed_wage": float(w.wage_yuan[employed].mean()) if n_employed else 0.0,
        "changed_job_12m_share": _share(c["changed_job_12m"], present.size),
        "searchers_at_matching": f.searchers_at_matching,
        "vacancies_at_matching": f.vacancies_at_matching,
        "job_finding_rate": _share(hires, f.searchers_at_matching),
        # Jobs that could end this month: those at its start and those taken up again on return.
        "separation_rate": _share(separations, world.employed_at_start + int(t[AWAY, EMPLOYED])),
        **{f"mean_wage_{name}": _share(by_type[k], n_by_type[k]) for k, name in enumerate(JOB_TYPES)},
        "households_with_need": with_need,
        "unmet_need_share": _share(vacancies, with_need),
        "certified_share": _share(c["certified"], present.size),
        "trained": f.trained,
        "overcharging_share": _share(f.overcharged_placements, f.capped_placements),
        "fines_paid": f.fines_yuan,
        "wages_lost": f.wages_lost_yuan,
        "insurance_contributions": f.insurance_contributions_yuan,
        "public_subsidies": f.public_subsidies_yuan,
        "held_jobs_lost": f.held_jobs_lost,
        "remittances": f.remittances_yuan,
        "mean_net_income": _share(f.net_income_yuan, n_employed),
        "mean_savings": float(w.savings_yuan[present].mean()) if present.size else 0.0,
        "agencies_intermediary": int(kinds[INTERMEDIARY]),
        "agencies_membership": int(kinds[MEMBERSHIP]),
        "agencies_employee_based": int(kinds[EMPLOYEE_BASED]),
        "agencies_opened": f.agencies_opened,
        "agencies_closed": f.agencies_closed,
        "quits_arrears": int(sep[REASON["quit_arrears"]]),
        "quits_informal": int(sep[REASON["quit_informal"]]),
        "dismissals": int(sep[REASON["dismissal"]]),
        "minimum_wage_separations": int(sep[REASON["minimum_wage"]]),
        "working_time_separations": int(sep[REASON["working_time"]]),
        "origin_concentration": float(np.sum(origin_shares**2)),
        "local_hukou_share": _share(c["local_hukou"], present.size),
        "inspections_found": f.contract_inspections_found,
        "mean_hire_wage": _share(f.hire_wages_yuan, hires),
        "hire_wage_index": _share(f.hire_wage_index_sum, hires),
        "top_quartile_placement_share": _share(f.top_quartile_placements, f.agency_placements),
    }
    row.update(arrangements(worked, employed.size, world.flows))
    row.update(money(world, c["in_debt"], present.size))
    row.update(standards(c, n_employed))
    row.update(compliance.measure(world, employed))
    row.update(groups.measure(world, present, worked.minimum_met))
    return row, _rates(worked.rate_sum, worked.rate_count)


def arrangements(worked: WorkCensus, n: int, flows) -> dict[str, float]:
    """Hours, pay per hour and how the work of the ``n`` employed is organised, this month (:func:`_work_census`).

    Hours are all her jobs' together; pay per hour is what she was paid this month
    (cash, after deductions) over her hours in the month, averaged over those paid;
    arrangement shares are of her main job; earnings are every worker's pay summed.
    """
    kinds = worked.arrangements
    return {
        "mean_hours_week": _share(worked.hours, n),
        "mean_hourly_wage": _share(worked.hourly, worked.paid_count),
        "live_in_share": _share(kinds[LIVE_IN], n),
        "live_out_share": _share(kinds[LIVE_OUT], n),
        "hourly_share": _share(kinds[HOURLY], n),
        "multi_employer_share": _share(worked.several, n),
        "worker_earnings": float(worked.earnings),
        "client_hires": flows.client_hires,
        "platform_commissions": flows.platform_commissions_yuan,
    }


def _rates(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Mean agreed wage an hour by job type and arrangement, ``nan`` where fewer than 5 jobs show it."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= 5, total / np.maximum(count, 1), np.nan)


def hourly_rates_numpy(world: World) -> np.ndarray:
    """The rule of the rates :func:`_work_census` gives households, in numpy.

    The mean agreed wage an hour of the employed (wage over hours in the month), by job
    type and arrangement, ``nan`` where fewer than 5 work so.
    """
    w = world.workers
    employed = w.with_status(EMPLOYED)
    employed = employed[w.hours_week[employed] > 0]
    cell = w.job_type[employed].astype(np.int64) * N_ARRANGEMENTS + w.arrangement[employed]
    per_hour = w.wage_yuan[employed].astype(np.float64) / (w.hours_week[employed] * WEEKS_PER_MONTH)
    total = np.bincount(cell, weights=per_hour, minlength=N_JOB_TYPES * N_ARRANGEMENTS)
    count = np.bincount(cell, minlength=N_JOB_TYPES * N_ARRANGEMENTS)
    return _rates(total, count).reshape(N_JOB_TYPES, N_ARRANGEMENTS)


def money(world: World, in_debt: int, present: int) -> dict[str, float]:
    """Who paid whom this month, and the yuan the bookkeeping created or destroyed (0 up to rounding)."""
    f = world.flows
    income = f.agency_income_yuan
    return {
        "money_unaccounted": accounts.total_yuan(world) - world.money_before_yuan,
        "workers_net_income": (f.worker_pay_yuan - f.worker_fees_yuan - f.worker_contributions_yuan
                               - f.living_costs_yuan - f.course_fees_yuan),
        "household_care_spending": (f.household_wages_yuan + f.household_contributions_yuan
                                    + f.household_fees_yuan + f.household_bills_passed_yuan
                                    + f.platform_commissions_yuan),
        "agency_income_intermediary": float(income[INTERMEDIARY]),
        "agency_income_membership": float(income[MEMBERSHIP]),
        "agency_income_employee_based": float(income[EMPLOYEE_BASED]),
        "state_net_cost": world.state_before_yuan - world.accounts.state_yuan,
        "household_placement_fees_paid": f.household_placement_fees_yuan,
        "household_service_bills_paid": f.household_service_bills_yuan,
        "worker_contributions": f.worker_contributions_yuan,
        "living_costs": f.living_costs_yuan,
        "course_fees": f.course_fees_yuan,
        "kin_loans": f.borrowed_yuan,
        "kin_repayments": f.repaid_yuan,
        "workers_in_debt_share": _share(in_debt, present),
    }


def statutory_minimum(world: World, hours_week: np.ndarray) -> np.ndarray:
    """The city's minimum for a month of ``hours_week`` hours a week (ILO C189 Art. 11).

    The hourly minimum times her hours in the month, or the monthly minimum if higher;
    the monthly minimum is for full-time work (``standards.full_time_hours_week``) and
    is pro-rated below it.
    """
    s = world.params.standards
    hours = np.asarray(hours_week, dtype=np.float64)
    monthly = s.minimum_wage_monthly * np.minimum(hours / s.full_time_hours_week, 1.0)
    return np.maximum(monthly, s.minimum_wage_hourly * hours * WEEKS_PER_MONTH)


def standards(counts: dict[str, int], employed: int) -> dict[str, float]:
    """The ILO scorecard: shares of the ``employed`` workers from the month's census counts.

    C189 Art. 7 written terms (a written contract), Art. 11 minimum wage (this month's
    pay, after any deduction, at least the statutory minimum for her hours, room and
    board counted up to ``standards.in_kind_share`` of it as Art. 12 allows; a month in
    arrears falls short), Art. 14 social security (insured), C181 Art. 7 no fee to an
    agency for her current job, directly or by deduction; decent work: all four. Apart
    from them, C189 Art. 10 weekly rest: at most 6 days' work a week.
    """
    return {
        "c189_written_terms_share": _share(counts["contract"], employed),
        "c189_minimum_wage_share": _share(counts["minimum_wage_paid"], employed),
        "c189_social_security_share": _share(counts["insured"], employed),
        "c181_no_fee_share": _share(counts["no_fee"], employed),
        "decent_work_share": _share(counts["decent_work"], employed),
        "c189_weekly_rest_share": _share(counts["weekly_rest"], employed),
    }
