"""The agencies' kernels give, bit for bit, what the module's numpy rules give.

Each rule is stated in numpy in :mod:`model.mechanisms.agencies` (``*_numpy``), its
kernel below it. Inputs are random but cover the cases that matter: a cap that binds or not
(and no cap), agencies that overcharge and deduct, workers short of savings, inactive
agencies, negative cash at the exit threshold, every business model.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel, load_scenario
from model.core.population import set_business_model
from model.core.rng import Streams
from model.core.tables import EMPLOYEE_BASED, INTERMEDIARY, MEMBERSHIP
from model.mechanisms import agencies
from tests.helpers import stepped

N_AGENCIES = 40


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _agencies(rng: np.random.Generator, n: int = N_AGENCIES) -> dict[str, np.ndarray]:
    kind = rng.integers(0, 3, n).astype(np.int8)
    return {
        "active": rng.random(n) < 0.8,
        "business_model": kind,
        "worker_fee_share": np.where(kind == EMPLOYEE_BASED, 0.0, rng.uniform(0.0, 0.5, n)).astype(np.float32),
        "household_fee_share": rng.uniform(0.0, 0.6, n).astype(np.float32),
        "overcharging": rng.random(n) < 0.3,
        "deducts": rng.random(n) < 0.5,
        "lends": rng.random(n) < 0.5,
        "placements": rng.integers(0, 5, n).astype(np.int32),
        "capacity": rng.integers(1, 30, n).astype(np.int32),
    }


def _fees(a) -> agencies.FeeColumns:
    return agencies.FeeColumns(a["worker_fee_share"], a["household_fee_share"], a["overcharging"], a["deducts"],
                               a["lends"], a["business_model"])


# --- the tests ------------------------------------------------------------------------


@pytest.mark.parametrize("cap", [np.inf, 0.1, 0.0])
def test_household_cost_months_kernel_matches_numpy(cap):
    rng = np.random.default_rng(1)
    a = _agencies(rng)
    rows = rng.integers(0, N_AGENCIES, 300)
    terms = agencies.FeeTerms(cap, 0.5)
    got = agencies._household_cost_months(rows, tuple(_fees(a)), tuple(terms), 2.75)
    assert _same(got, agencies.household_cost_months_numpy(rows, _fees(a), terms, 2.75))


@pytest.mark.parametrize("cap", [np.inf, 0.1, 0.0])
def test_placement_fees_kernel_matches_numpy(cap):
    rng = np.random.default_rng(2)
    n_workers = 500
    a = _agencies(rng)
    workers = rng.permutation(n_workers)[:200].astype(np.int64)
    agency = rng.integers(0, N_AGENCIES, workers.size).astype(np.int32)
    wage = rng.uniform(3000.0, 9000.0, workers.size)
    savings = np.where(rng.random(n_workers) < 0.3, 0.0, rng.uniform(0.0, 4000.0, n_workers))
    state = {"savings": savings, "deduction_left": rng.uniform(0, 100, n_workers).astype(np.float32),
             "paid_fee": rng.random(n_workers) < 0.5, "revenue": rng.uniform(0, 1e4, N_AGENCIES),
             "loan": np.where(rng.random(n_workers) < 0.2, rng.uniform(0, 500, n_workers), 0.0),
             "lender": rng.integers(-1, N_AGENCIES, n_workers).astype(np.int32)}
    ref_a = {k: v.copy() for k, v in a.items()}
    ref = {k: v.copy() for k, v in state.items()}
    state_before_loan = state["loan"].copy()
    terms = agencies.FeeTerms(cap, 0.5)
    expected = agencies.placement_fees_numpy(workers, agency, wage, _fees(ref_a), ref["savings"],
                                             ref["deduction_left"], ref["paid_fee"], ref_a["placements"],
                                             ref["revenue"], terms, agencies.LoanColumns(ref["loan"], ref["lender"]))
    got = agencies._placement_fees(workers, agency, wage, tuple(_fees(a)), state["savings"], state["deduction_left"],
                                   state["paid_fee"], a["placements"], state["revenue"], tuple(terms),
                                   (state["loan"], state["lender"]))
    for name in ("from_savings", "household_fee", "over"):
        assert _same(getattr(got, name), getattr(expected, name)), name
    assert got.capped == expected.capped
    for k, value in state.items():
        assert _same(value, ref[k]), k
    assert _same(a["placements"], ref_a["placements"])
    if np.isfinite(cap):
        assert expected.over.any() and expected.capped > 0  # the cap bound and some agencies overcharged
        assert (ref["loan"] > state_before_loan).any()  # some lent her the excess


@pytest.mark.parametrize("subsidy", [0.0, 1000.0])
def test_month_end_kernel_matches_numpy(subsidy):
    rng = np.random.default_rng(3)
    n_workers = 2000
    present = np.flatnonzero(rng.random(n_workers) < 0.9).astype(np.int64)
    w = {"present": present, "status": rng.integers(1, 4, n_workers).astype(np.int8),
         "agency_employed": rng.random(n_workers) < 0.2,
         "agency": rng.integers(0, N_AGENCIES, n_workers).astype(np.int32)}
    a = _agencies(rng)
    a.update({"employees": np.zeros(N_AGENCIES, np.int32), "profit_yuan": np.zeros(N_AGENCIES, np.float32),
              "cash_yuan": rng.uniform(-2e5, 5e4, N_AGENCIES),
              "profit_avg_yuan": rng.uniform(-2000, 2000, N_AGENCIES).astype(np.float32),
              "losing_months": rng.integers(0, 7, N_AGENCIES).astype(np.int16)})
    books = {k: rng.uniform(0, 3e4, N_AGENCIES) for k in ("revenue", "passed_through", "subsidies", "payroll")}
    books["costs"] = rng.uniform(0, 2e3, N_AGENCIES)
    ref_a = {k: v.copy() for k, v in a.items()}
    ref_books = {k: v.copy() for k, v in books.items()}
    ref_income, income = np.full(3, 7.25), np.full(3, 7.25)
    workers = agencies.MonthEndWorkers(w["present"], w["status"], w["agency_employed"], w["agency"])
    terms = agencies.MonthEndTerms(subsidy, 3000.0, 0.1, 6, 6000.0, 4000.0, 0.7)

    def accounts(a):
        return agencies.AgencyAccounts(a["active"], a["business_model"], a["employees"], a["profit_yuan"],
                                       a["cash_yuan"], a["profit_avg_yuan"], a["losing_months"])

    expected = agencies.month_end_numpy(workers, agencies.BookColumns(**ref_books), accounts(ref_a), ref_income,
                                        terms)
    got = agencies._month_end(tuple(workers), tuple(agencies.BookColumns(**books)), tuple(accounts(a)), income,
                              tuple(terms))
    for name in agencies.MonthEnd._fields:
        assert _same(getattr(got, name), getattr(expected, name)), name
    assert expected.closing.size > 0  # some agencies close
    assert _same(income, ref_income)
    for k, value in books.items():
        assert _same(value, ref_books[k]), k
    for k, value in a.items():
        assert _same(value, ref_a[k]), k


def test_profit_by_model_and_active_totals_kernels_match_numpy():
    rng = np.random.default_rng(4)
    a = _agencies(rng)
    a["profit_avg_yuan"] = rng.normal(0, 3000, N_AGENCIES).astype(np.float32)
    for case in range(3):
        if case == 1:  # one model without active agencies: its mean is NaN
            a["active"] &= a["business_model"] != MEMBERSHIP
        means, counts = agencies._profit_by_model(a["active"], a["business_model"], a["profit_avg_yuan"])
        ref_means, ref_counts = agencies.profit_by_model_numpy(a["active"], a["business_model"],
                                                               a["profit_avg_yuan"])
        assert _same(means, ref_means) and np.array_equal(counts, ref_counts)
        totals = agencies.ActiveTotals(*agencies._active_totals(a["active"], a["capacity"], a["placements"]))
        assert totals == agencies.active_totals_numpy(a["active"], a["capacity"], a["placements"])
        active = a["active"]
        assert float(totals.capacity) / totals.n == float(a["capacity"][active].mean())  # np.mean's, exactly
        a["business_model"] = rng.integers(0, 3, N_AGENCIES).astype(np.int8)


@pytest.mark.parametrize("month", [5, 6, 7])
def test_switching_kernel_matches_numpy(month):
    rng = np.random.default_rng(5 + month)
    a = _agencies(rng)
    # A best model first, last, tied with another, or beside one without agencies (NaN).
    means = {5: np.array([2500.0, 1000.0, -300.0]), 6: np.array([1000.0, np.nan, 2500.0]),
             7: np.array([-50.0, 2500.0, 2500.0])}[month]
    best = int(np.nanargmax(means))
    # Smoothed profits around the threshold: consecutive float32 values, so that the float32
    # sum with the margin rounds across the best mean for some (float64 sums would not).
    near = np.float32(means[best] - 500.0) + np.arange(-8, 8, dtype=np.float32) * np.spacing(np.float32(means[best] - 500.0))
    a["profit_avg_yuan"] = np.concatenate([near, rng.normal(means[best] - 500.0, 50.0, N_AGENCIES - near.size)]
                                          ).astype(np.float32)
    a["active"][: near.size] = True
    streams = Streams(11)
    rate, margin = 0.9, 500.0
    got_best, got = agencies._switching(a["active"], a["business_model"], a["profit_avg_yuan"], means,
                                        streams.ukey("agency_switch", month), rate, np.float32(margin))
    u = streams.uniform("agency_switch", month, np.arange(N_AGENCIES))
    ref_best, ref = agencies.switching_numpy(a["active"], a["business_model"], a["profit_avg_yuan"], means, u, rate,
                                             margin)
    assert got_best == ref_best
    assert _same(got, ref)
    assert ref.size > 0
    in_float64 = a["profit_avg_yuan"].astype(np.float64) + margin < means[best]
    assert (in_float64 != (a["profit_avg_yuan"] + margin < means[best])).any()  # the case that needs float32


def _stepped(overrides: dict, months: int) -> DomesticWorkModel:
    model = DomesticWorkModel(load_scenario(None, {"workers.count": 1000, "households.count": 1500,
                                                   "agencies.count": 12, "months": months, **overrides}))
    for _ in range(months):
        model.step()
    return model


@pytest.mark.parametrize("overrides", [
    {},
    {"policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.max_share": 0.1,
     "policies.worker_fee_cap.start_month": 1},
    {"policies.employee_based_support.enabled": True, "policies.employee_based_support.subsidy_per_worker": 1000.0},
])
def test_entrant_profit_estimate_matches_numpy(overrides):
    model = _stepped(overrides, 3)
    model.agencies.placements[: model.agencies.n] = np.arange(model.agencies.n) % 4  # a month's placements
    assert _same(agencies.entrant_profit_estimate(model), agencies.entrant_profit_estimate_numpy(model))
    rows = np.arange(model.agencies.n)
    ref = agencies.household_cost_months_numpy(rows, agencies.fee_columns(model), agencies.fee_terms(model),
                                               agencies.employee_based_cost_months(model))
    assert _same(agencies.household_cost_months(model, rows), ref)


def test_set_business_model_posts_the_fees_np_select_gave():
    model = _stepped({}, 1)
    a, p = model.agencies, model.params.agencies
    rows = np.arange(a.n)
    kind = (rows % 3).astype(np.int8)
    set_business_model(model, rows, kind)
    conditions = [kind == INTERMEDIARY, kind == MEMBERSHIP, kind == EMPLOYEE_BASED]
    worker = np.select(conditions, [p.worker_fee_share, p.membership_fee_yuan / model.types.typical_wage, 0.0])
    household = np.select(conditions, [p.household_fee_share, 0.5 * p.household_fee_share, 0.0])
    assert _same(a.view("worker_fee_share"), worker.astype(np.float32))
    assert _same(a.view("household_fee_share"), household.astype(np.float32))


def test_release_kernel_matches_numpy():
    rng = np.random.default_rng(6)
    n_workers = 3000
    present = np.flatnonzero(rng.random(n_workers) < 0.9).astype(np.int64)
    agency = np.where(rng.random(n_workers) < 0.3, -1, rng.integers(0, N_AGENCIES, n_workers)).astype(np.int32)
    w = {"agency_employed": (rng.random(n_workers) < 0.3) & (agency >= 0), "contract": rng.random(n_workers) < 0.5,
         "insured": rng.random(n_workers) < 0.5, "self_insured": rng.random(n_workers) < 0.2, "agency": agency}
    rows = np.array([3, 17, 17, 30], dtype=np.int64)
    ref = {k: v.copy() for k, v in w.items()}
    before = agency.copy()
    agencies.release_numpy(present, rows, N_AGENCIES, agencies.EmploymentColumns(**ref))
    agencies._release(present, rows, N_AGENCIES, tuple(agencies.EmploymentColumns(**w)))
    assert (ref["agency"] != before).any()  # some lost their agency
    for k, value in w.items():
        assert _same(value, ref[k]), k


def test_the_kernels_groups_carry_each_column_and_parameter_in_its_named_field():
    """Groups for kernels are plain tuples: columns read by the fields' names, terms built positionally; each field."""
    model = _stepped({"policies.employee_based_support.enabled": True,
                      "policies.employee_based_support.subsidy_per_worker": 1000.0}, 2)
    a, w, p, lev = model.agencies, model.workers, model.params.agencies, model.levers
    lev.worker_fee_cap_share = 0.15
    assert agencies.FeeTerms(*agencies._fee_terms(model)) == agencies.FeeTerms(cap=0.15, pass_through=p.fee_pass_through)
    assert agencies.fee_terms(model) == agencies.FeeTerms(cap=0.15, pass_through=p.fee_pass_through)
    assert agencies.MonthEndTerms(*agencies._month_end_terms(model)) == agencies.MonthEndTerms(
        subsidy_per_employee=1000.0, fixed_cost=p.fixed_cost_yuan, smoothing=p.profit_smoothing,
        exit_months=p.exit_losing_months, employee_based_fixed=p.employee_based_fixed_cost_yuan,
        management_at_ten=10.0 * p.employee_based_management_yuan,
        scale_exponent=1.0 - p.employee_based_scale_elasticity)
    assert lev.employee_based_subsidy_yuan == 1000.0
    for table, group in ((a, agencies.FeeColumns), (w, agencies.MonthEndWorkers), (model.agency_books,
                         agencies.BookColumns), (w, agencies.EmploymentColumns)):
        got = agencies.columns(table, group)
        assert all(got[i] is getattr(table, name) for i, name in enumerate(group._fields))
    views = agencies._views(a, agencies.AgencyAccounts)
    for i, name in enumerate(agencies.AgencyAccounts._fields):
        assert views[i].base is getattr(a, name) and views[i].size == a.n, name
    assert all(x is getattr(a, name) for x, name in zip(agencies.fee_columns(model), agencies.FeeColumns._fields,
                                                         strict=True))


def test_reputation_moves_batch_by_batch_as_numpy_did():
    """Many outcomes an agency in a batch (steps from the shared table), every batch in turn."""
    model = stepped(2, **{"market.dismissal_rate": 0.05})
    rng = np.random.default_rng(5)
    n = model.agencies.n
    sizes = [0, 300, 1, 40, 0, 7, 129, 2]
    agency = rng.integers(-1, n, sum(sizes))
    good = rng.random(agency.size) < 0.7
    start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    reference = model.agencies.reputation.copy()
    model.agencies.reputation[:n] = reference[:n] = rng.random(n).astype(np.float32)
    for s, k in zip(start, sizes, strict=True):
        agencies.record_outcomes_numpy(model, agency[s:s + k], good[s:s + k])
    expected = model.agencies.reputation.copy()
    model.agencies.reputation[:] = reference
    agencies.record_outcomes(model, agency, good, start, np.array(sizes))
    assert np.array_equal(model.agencies.reputation, expected)
