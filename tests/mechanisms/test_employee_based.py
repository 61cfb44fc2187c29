"""Employee-based agencies: the subsidy counted once, bills that pay wages and contributions, entry of any model that pays."""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel, load_scenario
from model.core.tables import EMPLOYEE_BASED
from model.mechanisms.agencies import employee_based_cost_months, entrant_profit_estimate, household_cost_months
from tests.helpers import run_months


def test_the_support_subsidy_does_not_also_lower_the_household_price():
    """The subsidy is the agency's income; it is not passed on as a lower price as well."""
    plain = DomesticWorkModel(load_scenario(None, {"months": 1}))
    supported = DomesticWorkModel(load_scenario(None, {
        "months": 1, "policies.employee_based_support.enabled": True,
        "policies.employee_based_support.subsidy_per_worker": 1000.0}))
    for m in (plain, supported):
        m.step()
    assert employee_based_cost_months(supported) == pytest.approx(employee_based_cost_months(plain))
    eb = np.flatnonzero(supported.agencies.view("business_model") == EMPLOYEE_BASED)
    if eb.size:
        assert household_cost_months(supported, eb) == pytest.approx(household_cost_months(plain, eb))


def test_support_creates_employee_based_agencies_in_a_replicate_that_started_with_none():
    """Replicate 0 of the baseline has no employee-based agency at the start, and none appears without support."""
    months = {"months": 24}
    base = load_scenario("scenarios/baseline.yaml", months)
    _, ts = run_months(base, replicate=0)
    started = DomesticWorkModel(base, replicate=0)
    assert int((started.agencies.view("business_model") == EMPLOYEE_BASED).sum()) == 0
    assert ts["agencies_employee_based"].max() == 0
    _, supported = run_months(load_scenario("scenarios/employee_based_support.yaml", months), replicate=0)
    assert supported["agencies_employee_based"].max() > 0
    assert supported["employee_based_share"].iloc[-1] > 0
    assert supported["money_unaccounted"].abs().max() < 1e-3


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
