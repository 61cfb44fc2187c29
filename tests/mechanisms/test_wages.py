"""Wages: bargaining and posting, the month's pay and budgets, each kernel against its numpy rule."""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel
from model.core.tables import EMPLOYED, SEARCHING
from model.mechanisms import wages
from tests.helpers import small_scenario


def test_the_budget_kernel_is_the_numpy_rule_bit_for_bit():
    """wages._budgets is wages.budgets: living costs, kin loans, repayments and remittances, to the bit."""
    model = DomesticWorkModel("scenarios/hukou_reform.yaml", months=30)
    for _ in range(30):
        model.step()
    w, p = model.workers, model.params
    rows = w.present
    rng = np.random.default_rng(5)
    income = np.where(rng.random(rows.size) < 0.5, 0.0, rng.normal(3000.0, 3000.0, rows.size))
    savings, debt = w.view("savings_yuan").copy(), w.view("debt_yuan").copy()
    savings[rows[:50]] = 0.0  # zeros and shortfalls: the signs of zeros must match too
    new_savings, new_debt = savings.copy(), debt.copy()
    expected = wages.budgets(model, rows, income, new_savings, new_debt)
    columns = wages.Budgeters(arrangement=w.arrangement, status=w.status, local_hukou=w.local_hukou, savings_yuan=savings,
                              debt_yuan=debt)
    terms = wages.BudgetTerms(living_yuan=p.migration.living_cost_yuan, rent_yuan=p.migration.rent_yuan,
                              migrant_extra_yuan=p.hukou.extra_living_cost_yuan * model.levers.hukou_gap,
                              remittance_share=p.migration.remittance_share)
    got = wages._budgets(rows, income, columns, terms)
    assert isinstance(got, wages.Budget)
    for name in wages.Budget._fields:
        assert getattr(got, name).tobytes() == getattr(expected, name).tobytes(), name
    assert savings.tobytes() == new_savings.tobytes() and debt.tobytes() == new_debt.tobytes()
    assert expected.borrowed.any() and expected.repaid.any()
    assert (w.status[rows] == SEARCHING).any() and (expected.cost > p.migration.living_cost_yuan).any()


def test_the_pay_kernel_is_the_numpy_rule_bit_for_bit():
    """wages._pay_rows is wages.wages_paid: arrears, repayments, deductions and contributions, to the bit."""
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
    expected = wages.wages_paid(model, employed, u_arrears, u_repay)
    after_numpy = {name: w.view(name).copy() for name in columns}
    for name in columns:
        w.view(name)[:] = start[name]
    payees = wages.Payees(contract=w.contract, agency_employed=w.agency_employed, insured=w.insured,
                          self_insured=w.self_insured, wage_yuan=w.wage_yuan, wages_owed_yuan=w.wages_owed_yuan,
                          deduction_left_yuan=w.deduction_left_yuan, arrears_now=w.arrears_now, paid_yuan=w.paid_yuan)
    terms = wages.PayTerms(
        arrears_formal=p.market.arrears_rate_formal, arrears_informal=p.market.arrears_rate_informal,
        repay_rate=p.market.arrears_repay_rate, festival_factor=model.festival_pay_factor,
        max_deduction_share=p.agencies.max_deduction_share, contribution_rate=c.contribution_rate,
        contribution_base_yuan=c.contribution_base_min_yuan, subsidy_share=model.levers.insurance_subsidy_share,
        employer_share=c.employer_contribution_share)
    got = wages._pay_rows(employed, model.streams.ukey("arrears", model.month),
                          model.streams.ukey("arrears_repaid", model.month), payees, terms)
    assert isinstance(got, wages.RowPay)
    for name in wages.RowPay._fields:
        assert getattr(got, name).tobytes() == getattr(expected, name).tobytes(), name
    for name in columns:
        assert w.view(name).tobytes() == after_numpy[name].tobytes(), name
    assert expected.deduction.any() and expected.total.any() and w.arrears_now[employed].any()


def test_the_bargained_wage_is_one_rule_at_hire_and_at_the_review():
    """bargain (hiring) is bargained_wage of worker_minimum, household_maximum, bargaining_share and legal_floor.

    Households that ignore a floor in force pull the bargained wage part way to it (pulled_wage).
    """
    model = DomesticWorkModel(small_scenario(**{"months": 14, "policies.minimum_wage.enabled": True}))
    model.run_for(13)
    w, h = model.workers, model.households
    rows = w.with_status(EMPLOYED)
    households, eb, job_type = w.employer[rows], w.agency_employed[rows], w.job_type[rows]
    hi = wages.household_maximum(model, rows, households)
    expected = wages.bargained_wage(wages.worker_minimum(model, rows, households), hi,
                                    wages.bargaining_share(model, job_type),
                                    wages.legal_floor(model, households, eb))
    ignores = ~wages.floor_applies(model, households) & ~eb
    cash = wages.cash_floor(model, h.hours_week[households], h.arrangement[households])
    pulled = wages.pulled_wage(expected, hi, cash, model.levers.wage_floor_reference_pull)
    assert ignores.any() and (pulled[ignores] > expected[ignores]).any()
    expected = np.where(ignores, pulled, expected)
    assert wages.bargain(model, rows, households, eb).tobytes() == expected.tobytes()
    theta = np.maximum(model.market.tightness[job_type], 1e-3) ** model.params.market.tightness_elasticity
    share = wages.surplus_share(model.params.market.bargaining_power, theta)
    assert wages.bargaining_share(model, job_type).tobytes() == share.tobytes()
    beta = model.params.market.bargaining_power
    compiled = np.array([wages._surplus_share_one(beta, t) for t in theta])
    assert compiled.tobytes() == share.tobytes()


def test_the_terms_kernels_take_carry_each_parameter_in_its_named_field():
    """_bargain_terms, _pay_terms and _budget_terms fill their NamedTuples positionally (for speed): each field, by name."""
    model = DomesticWorkModel(small_scenario(months=2))
    model.levers.wage_floor_enforcement = 0.7
    p, m = model.params, model.params.market
    terms = wages.BargainTerms(*wages._bargain_terms(model))
    expected = wages.BargainTerms(
        search_decay=wages._search_decay(1.0 - m.reservation_decay), floor_share=m.reservation_floor_share,
        discount_half=m.reservation_savings_discount * m.reservation_savings_half_yuan,
        savings_half=m.reservation_savings_half_yuan, rural_income=p.migration.rural_income_yuan,
        commute_cost_per_km=p.city.commute_cost_yuan_per_km, offer_rise=m.offer_rise_per_month,
        offer_rise_months_max=float(m.offer_rise_months_max), experience_premium=np.float32(m.experience_premium),
        certified_premium=p.training.premium, bargaining_power=m.bargaining_power,
        enforcement=np.float32(0.7), statutory_minimum=p.standards.minimum_wage_monthly)
    assert terms.search_decay is expected.search_decay
    assert terms[1:] == expected[1:]
    c, lev = p.contracts, model.levers
    model.festival_pay_factor, lev.insurance_subsidy_share, lev.hukou_gap = 1.128, 0.4, 0.6
    assert wages.PayTerms(*wages._pay_terms(model)) == wages.PayTerms(
        arrears_formal=p.market.arrears_rate_formal, arrears_informal=p.market.arrears_rate_informal,
        repay_rate=p.market.arrears_repay_rate, festival_factor=1.128,
        max_deduction_share=p.agencies.max_deduction_share, contribution_rate=c.contribution_rate,
        contribution_base_yuan=c.contribution_base_min_yuan, subsidy_share=0.4,
        employer_share=c.employer_contribution_share)
    assert wages.BudgetTerms(*wages._budget_terms(model)) == wages.BudgetTerms(
        living_yuan=p.migration.living_cost_yuan, rent_yuan=p.migration.rent_yuan,
        migrant_extra_yuan=p.hukou.extra_living_cost_yuan * 0.6, remittance_share=p.migration.remittance_share)


def test_columns_are_read_by_the_groups_field_names():
    model = DomesticWorkModel(small_scenario(months=2))
    w = model.workers
    got = wages.columns(w, wages.Payees)
    assert all(got[i] is getattr(w, name) for i, name in enumerate(wages.Payees._fields))


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
    assert np.array_equal(terms.floor, wages.legal_floor(model, households, eb))
    # Where the floor binds a complying household it chooses the hours (hours.choose_hours); one that ignores it
    # pulls the bargain part way to it (as bargain does); elsewhere the bargain.
    free = ~terms.chosen
    assert free.any() and (terms.chosen.any() or regime == "posting")  # a posted wage is at least the floor
    assert np.array_equal(terms.wage(model, job_type)[free], wages.bargain(model, workers, households, eb)[free])
    assert np.array_equal(terms.hours[free], h.need_hours_week[households][free])
    chosen = terms.chosen & terms.keeps & wages.floor_applies(model, households) & ~eb
    assert (terms.hours[terms.chosen] <= h.need_hours_week[households][terms.chosen]).all()
    floor = wages.cash_floor(model, terms.hours[chosen], h.arrangement[households][chosen])
    assert (terms.wage(model, job_type)[chosen] >= floor).all()  # those it hires are paid the floor for their hours
    assert np.array_equal(prices.ask, wages.reservation(model, searchers) / wages.productivity(model, searchers))
    assert np.array_equal(prices.offer_per_unit(j), wages.offer_per_unit(model, households))
    assert (terms.posted is not None) == (regime == "posting")
    assert 0 < terms.acceptable().sum() < 2000
