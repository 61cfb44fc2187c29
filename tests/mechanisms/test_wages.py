"""Wages: bargaining and posting, the month's pay and budgets, each kernel against its numpy rule."""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel
from model.core.tables import EMPLOYED, SEARCHING
from model.mechanisms import wages
from tests.helpers import small_scenario


def test_the_budget_kernel_is_the_numpy_formula_bit_for_bit():
    """Living costs, kin loans, repayments and remittances as the numpy code computed them."""
    from model.core.tables import LIVE_OUT, SEARCHING
    from model.mechanisms.wages import _budgets

    model = DomesticWorkModel("scenarios/hukou_reform.yaml", months=30)
    for _ in range(30):
        model.step()
    w, p = model.workers, model.params
    rows = w.present
    rng = np.random.default_rng(5)
    income = np.where(rng.random(rows.size) < 0.5, 0.0, rng.normal(3000.0, 3000.0, rows.size))
    savings, debt = w.view("savings_yuan").copy(), w.view("debt_yuan").copy()
    savings[rows[:50]] = 0.0  # zeros and shortfalls: the signs of zeros must match too
    # The numpy form.
    pays_rent = (w.job_type[rows] == LIVE_OUT) | (w.status[rows] == SEARCHING)
    cost = (p.migration.living_cost_yuan + p.migration.rent_yuan * pays_rent
            + p.hukou.extra_living_cost_yuan * model.levers.hukou_gap * ~w.local_hukou[rows])
    net = income - cost
    saved = savings[rows] + net
    borrowed = np.maximum(-saved, 0.0)
    saved += borrowed
    home = p.migration.remittance_share * np.maximum(net, 0.0)
    owed = debt[rows] + borrowed
    repaid = np.minimum(owed, home)
    new_savings, new_debt = savings.copy(), debt.copy()
    new_debt[rows] = owed - repaid
    new_savings[rows] = saved - home
    got = _budgets(rows, income, w.job_type, w.status, w.local_hukou, savings, debt, p.migration.living_cost_yuan,
                   p.migration.rent_yuan, p.hukou.extra_living_cost_yuan * model.levers.hukou_gap,
                   p.migration.remittance_share)
    for mine, theirs in zip(got, (cost, home, borrowed, repaid), strict=True):
        assert mine.tobytes() == theirs.tobytes()
    assert savings.tobytes() == new_savings.tobytes() and debt.tobytes() == new_debt.tobytes()
    assert borrowed.any() and repaid.any()


def _pay_in_numpy(model, employed, u_arrears, u_repay):
    """The numpy form of wages._pay_rows (what the month did before the kernel)."""
    w, p, c = model.workers, model.params, model.params.contracts
    formal = w.contract[employed] | w.agency_employed[employed]
    unpaid = u_arrears < np.where(formal, p.market.arrears_rate_formal, p.market.arrears_rate_informal)
    w.arrears_now[employed[unpaid]] = True
    paid = np.where(unpaid, 0.0, w.wage_yuan[employed].astype(np.float64) * model.festival_pay_factor)
    w.wages_owed_yuan[employed[unpaid]] += w.wage_yuan[employed[unpaid]]
    owed = w.wages_owed_yuan[employed]
    repaid = (~unpaid) & (owed > 0) & (u_repay < p.market.arrears_repay_rate)
    paid += np.where(repaid, owed, 0.0)
    w.wages_owed_yuan[employed[repaid]] = 0.0
    gross = paid
    deduction = np.minimum(w.deduction_left_yuan[employed], p.agencies.max_deduction_share * gross)
    paid = gross - deduction
    w.deduction_left_yuan[employed] -= deduction
    w.paid_yuan[employed] = paid
    insured = w.insured[employed] & ~w.self_insured[employed] & (gross > 0)
    total = np.where(insured, c.contribution_rate * np.maximum(w.wage_yuan[employed].astype(np.float64),
                                                               c.contribution_base_min_yuan), 0.0)
    subsidy = model.levers.insurance_subsidy_share * total
    employer = c.employer_contribution_share * (total - subsidy)
    worker = np.minimum(total - subsidy - employer, w.paid_yuan[employed])
    return gross, paid, deduction, (total, subsidy, employer, worker)


def test_the_pay_kernel_is_the_numpy_formula_bit_for_bit():
    """Arrears, repayments, deductions and contributions as the numpy code computed them."""
    from model.mechanisms.wages import _pay_rows

    model = DomesticWorkModel("scenarios/fee_cap.yaml", months=14)
    for _ in range(13):
        model.step()
    w, p, c = model.workers, model.params, model.params.contracts
    model.festival_pay_factor = 1.128
    model.levers.insurance_subsidy_share = 0.4
    employed = w.with_status(EMPLOYED)
    rng = np.random.default_rng(3)
    some = employed[rng.random(employed.size) < 0.3]
    w.deduction_left_yuan[some] = rng.uniform(0.0, 3000.0, some.size).astype(np.float32)
    w.wages_owed_yuan[employed[rng.random(employed.size) < 0.2]] = np.float32(4321.5)
    w.insured[employed[rng.random(employed.size) < 0.4]] = True
    u_arrears = model.streams.uniform("arrears", model.month, employed)
    u_repay = model.streams.uniform("arrears_repaid", model.month, employed)
    columns = ("wages_owed_yuan", "deduction_left_yuan", "arrears_now", "paid_yuan")
    start = {name: w.view(name).copy() for name in columns}
    expected = _pay_in_numpy(model, employed, u_arrears, u_repay)
    after_numpy = {name: w.view(name).copy() for name in columns}
    for name in columns:
        w.view(name)[:] = start[name]
    got = _pay_rows(employed, model.streams.ukey("arrears", model.month),
                    model.streams.ukey("arrears_repaid", model.month), w.contract, w.agency_employed, w.insured, w.self_insured,
                    w.wage_yuan, w.wages_owed_yuan, w.deduction_left_yuan, w.arrears_now, w.paid_yuan,
                    p.market.arrears_rate_formal, p.market.arrears_rate_informal, p.market.arrears_repay_rate,
                    model.festival_pay_factor, p.agencies.max_deduction_share, c.contribution_rate,
                    c.contribution_base_min_yuan, model.levers.insurance_subsidy_share, c.employer_contribution_share)
    for mine, theirs in zip((*got[:3], *got[3]), (*expected[:3], *expected[3]), strict=True):
        assert mine.tobytes() == theirs.tobytes()
    for name in columns:
        assert w.view(name).tobytes() == after_numpy[name].tobytes(), name
    assert expected[2].any() and expected[3][0].any() and w.arrears_now[employed].any()


@pytest.mark.parametrize("regime", ["bargaining", "posting"])
def test_round_prices_are_the_pricing_functions_to_the_bit(regime):
    model = DomesticWorkModel(small_scenario(**{"months": 14, "wages.regime": regime,
                                                "policies.minimum_wage.enabled": True}))
    model.run_for(13)
    w, h = model.workers, model.households
    searchers = np.flatnonzero(w.view("status") == SEARCHING)
    vacancies = np.flatnonzero((h.view("need") >= 0) & (h.view("worker") < 0))
    model.market.set_tightness(model, searchers, vacancies)
    prices = wages.RoundPrices(model, searchers, vacancies)
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, searchers.size, 2000), rng.integers(0, vacancies.size, 2000)
    eb = rng.random(2000) < 0.3
    workers, households = searchers[i], vacancies[j]
    terms = prices.terms(i, j, eb)
    job_type = w.job_type[workers]
    assert np.array_equal(terms.lo, wages.worker_minimum(model, workers, households))
    assert np.array_equal(terms.hi, wages.household_maximum(model, workers, households))
    assert np.array_equal(terms.floor, wages.legal_floor(model, job_type, households, eb))
    assert np.array_equal(terms.wage(model, job_type), wages.bargain(model, workers, households, eb))
    assert np.array_equal(prices.ask, wages.reservation(model, searchers) / wages.productivity(model, searchers))
    assert np.array_equal(prices.offer_per_unit(j), wages.offer_per_unit(model, households))
    assert (terms.posted is not None) == (regime == "posting")
    assert 0 < terms.acceptable().sum() < 2000
