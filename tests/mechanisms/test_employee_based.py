"""Employee-based agencies: the subsidy counted once, firms that need scale, bills that pay wages and contributions, entry of any model that pays."""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel, load_scenario
from model.core.tables import EMPLOYEE_BASED, INTERMEDIARY
from model.mechanisms.agencies import (
    MonthEndTerms,
    _month_end_terms,
    employee_based_cost_months,
    entrant_profit_estimate,
    running_cost,
)
from tests.helpers import run_months


@pytest.mark.parametrize("passed", [0.0, 0.5])
def test_the_support_subsidy_lowers_the_household_price_by_the_share_passed_on_and_no_more(passed):
    """Of the subsidy, the part agencies pass on lowers the charge; the rest is their income (counted once)."""
    keys = {"months": 1, "agencies.subsidy_pass_through": passed}
    plain = DomesticWorkModel(load_scenario(None, keys))
    supported = DomesticWorkModel(load_scenario(None, {**keys, "policies.employee_based_support.enabled": True,
                                                       "policies.employee_based_support.subsidy_per_worker": 200.0}))
    for m in (plain, supported):
        m.step()
    wage = supported.agency_books.terms.typical_wage
    lower = 12.0 * passed * 200.0 / wage
    assert employee_based_cost_months(supported) == pytest.approx(employee_based_cost_months(plain) - lower)


def test_employee_based_firms_need_scale_so_support_alone_makes_few_until_it_pays_for_scale():
    """Running costs fall an employee with size: the shipped support leaves them a small minority, a subsidy
    large enough to carry a firm to scale makes many, and intermediaries never collapse for lack of capacity."""
    months = {"months": 48}
    base = load_scenario("scenarios/baseline.yaml", months)
    _, ts = run_months(base, replicate=0)
    started = DomesticWorkModel(base, replicate=0)
    assert int((started.agencies.view("business_model") == EMPLOYEE_BASED).sum()) == 0
    assert ts["agencies_employee_based"].max() == 0
    _, shipped = run_months(load_scenario("scenarios/employee_based_support.yaml", months), replicate=0)
    assert shipped["agencies_employee_based"].iloc[-12:].mean() < 0.1 * shipped["agencies_active"].iloc[-12:].mean()
    assert shipped["employed"].iloc[-12:].mean() > 0.98 * ts["employed"].iloc[-12:].mean()
    _, large = run_months(load_scenario("scenarios/employee_based_support.yaml", {
        **months, "policies.employee_based_support.subsidy_per_worker": 3000.0}), replicate=0)
    assert large["agencies_employee_based"].iloc[-1] > 10
    assert large["employee_based_share"].iloc[-1] > 0.05
    assert large["employed"].iloc[-12:].mean() > 0.98 * ts["employed"].iloc[-12:].mean()
    assert large["money_unaccounted"].abs().max() < 1e-3


def test_an_employee_based_firms_running_cost_falls_an_employee_with_size():
    model = DomesticWorkModel(load_scenario(None, {"months": 1}))
    terms = MonthEndTerms(*_month_end_terms(model))
    n = np.array([1, 10, 100, 1000])
    kind = np.full(n.size, EMPLOYEE_BASED)
    cost = running_cost(kind, n, terms)
    p = model.params.agencies
    assert cost[1] == pytest.approx(p.employee_based_fixed_cost_yuan + 10 * p.employee_based_management_yuan)
    managing = cost - p.employee_based_fixed_cost_yuan
    assert np.all(np.diff(managing / n) < 0) and np.all(np.diff(managing) > 0)
    assert running_cost(np.array([INTERMEDIARY]), np.array([0]), terms)[0] == p.fixed_cost_yuan


def test_an_entrant_expects_a_loss_from_a_model_households_will_not_pay_for():
    """At rest the employee-based charge (3 months of wages a year) draws too few clients to cover running costs."""
    model = DomesticWorkModel(load_scenario(None, {"months": 1}))
    model.step()
    model.agencies.placements[: model.agencies.n] = 1  # a month's placements, as seen at entry
    profit = entrant_profit_estimate(model)
    assert profit[EMPLOYEE_BASED] < 0
    supported = DomesticWorkModel(load_scenario(None, {
        "months": 1, "policies.employee_based_support.enabled": True,
        "policies.employee_based_support.subsidy_per_worker": 1000.0,
        "policies.insurance_subsidy.enabled": True}))
    supported.step()
    supported.agencies.placements[: supported.agencies.n] = 1
    assert entrant_profit_estimate(supported)[EMPLOYEE_BASED] > profit[EMPLOYEE_BASED]
