"""Policies move outcomes in the expected direction; an idle policy changes nothing (common random numbers)."""

from __future__ import annotations

import pandas as pd
import pytest

from model.run.runner import last_months_means, run_replicates
from tests.helpers import small_scenario

SIZE = {"workers.count": 2000, "households.count": 3000, "agencies.count": 20, "months": 48, "replicates": 2}


def outcomes(**policy) -> pd.Series:
    """Last-12-month means, averaged over two replicates."""
    scenario = small_scenario(**SIZE, **policy)
    return last_months_means(run_replicates(scenario, workers=1)).mean()


@pytest.fixture(scope="module")
def baseline() -> pd.Series:
    return outcomes()


def test_a_floor_below_every_wage_changes_nothing_at_all():
    """A monthly minimum of 1,000 yuan (pro-rated below 40 hours) with no hourly one is below every wage: same numbers.

    Only what says a law is in force differs: every job complies with it, households learn of it, inspectors visit.
    """
    scenario = small_scenario(**SIZE)
    idle = small_scenario(**SIZE, **{"policies.minimum_wage.enabled": True, "policies.minimum_wage.hourly": 0.0,
                                     "policies.minimum_wage.monthly": 1000.0,
                                     "policies.minimum_wage.enforcement": 1.0})
    base, floor = run_replicates(scenario, workers=1), run_replicates(idle, workers=1)
    assert (floor.pop("minimum_wage_compliance") == 1.0).all()
    assert base.pop("minimum_wage_compliance").isna().all()
    assert (floor.pop("law_awareness") > 0).any()
    assert (floor.pop("inspections") > 0).any()  # inspectors visit, and find nothing to fine
    for column in ("law_awareness", "inspections"):
        base.pop(column)
    pd.testing.assert_frame_equal(base, floor)


def test_an_enforced_hourly_minimum_raises_wages_cuts_hours_and_costs_fewer_jobs_than_it_raises_pay(baseline):
    """Households cut hours before they end jobs: jobs fall, by less in percent than wages rise (docs/evidence.md)."""
    mw = outcomes(**{"policies.minimum_wage.enabled": True, "policies.minimum_wage.enforcement": 0.8})
    wage_rise = mw["mean_wage"] / baseline["mean_wage"] - 1.0
    job_fall = 1.0 - mw["employed"] / baseline["employed"]
    assert wage_rise > 0.05
    assert mw["mean_hours_week"] < baseline["mean_hours_week"]
    assert 0.0 < job_fall < wage_rise
    assert mw["worker_earnings"] > baseline["worker_earnings"]


def test_an_enforced_contract_mandate_raises_contracts(baseline):
    mandate = outcomes(**{"policies.contract_mandate.enabled": True, "policies.contract_mandate.enforcement": 0.5,
                          "policies.contract_mandate.fine": 20000.0})
    assert mandate["contract_share"] > baseline["contract_share"] + 0.2


def test_a_weakly_enforced_fee_cap_is_mostly_broken_and_shifts_fees_to_households(baseline):
    cap = outcomes(**{"policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.enforcement": 0.003})
    assert 0.4 < cap["overcharging_share"] < 0.95  # Hong Kong: about 70% under a 10% cap, enforced as there
    assert baseline["overcharging_share"] == 0.0
    def household_side(o: pd.Series) -> float:
        return o["household_fees_paid"] / (o["household_fees_paid"] + o["worker_fees_paid"])

    assert household_side(cap) > household_side(baseline)  # fees moved to households
    assert cap["worker_debt_to_agencies"] > baseline["worker_debt_to_agencies"]  # and to loans


def test_a_strict_ban_on_worker_fees_cuts_them_and_a_weak_one_is_evaded(baseline):
    ban = {"policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.max_share": 0.0}
    strict = outcomes(**ban, **{"policies.worker_fee_cap.enforcement": 1.0, "policies.worker_fee_cap.inspections": 12.0,
                                "policies.worker_fee_cap.fine": 100000.0})
    assert strict["overcharging_share"] < 0.05
    assert strict["worker_fees_paid"] < 0.5 * baseline["worker_fees_paid"]
    # Inspected once a year, an inspection rarely proving anything: most agencies still charge her.
    weak = outcomes(**ban, **{"policies.worker_fee_cap.enforcement": 0.003, "policies.worker_fee_cap.inspections": 1.0})
    assert weak["overcharging_share"] > 0.5
    assert weak["fee_compliance"] < 0.5
    assert weak["worker_fees_paid"] > 0.6 * baseline["worker_fees_paid"]
    assert weak["worker_debt_to_agencies"] > baseline["worker_debt_to_agencies"]  # loans at interest


def test_an_insurance_subsidy_raises_insurance(baseline):
    subsidy = outcomes(**{"policies.insurance_subsidy.enabled": True, "policies.insurance_subsidy.share": 0.8})
    assert subsidy["insured_share"] > baseline["insured_share"] * 1.5


def test_support_for_employee_based_agencies_grows_them(baseline):
    support = outcomes(**{"policies.employee_based_support.enabled": True,
                          "policies.employee_based_support.subsidy_per_worker": 1500.0,
                          "policies.insurance_subsidy.enabled": True})
    # The subsidy is the agencies' income, not also a lower price (counted once): it grows
    # them through entry and capacity, not by making their service free to households.
    assert support["employee_based_share"] > max(2.0 * baseline["employee_based_share"],
                                                 baseline["employee_based_share"] + 0.01)
    assert support["agencies_employee_based"] > baseline["agencies_employee_based"] + 2
    assert support["formal_share"] > baseline["formal_share"]


def test_hukou_reform_keeps_more_migrants_in_the_city(baseline):
    reform = outcomes(**{"policies.hukou_reform.enabled": True})
    assert reform["workers"] > baseline["workers"]


def test_a_policy_starts_in_its_start_month():
    scenario = small_scenario(**SIZE, **{"policies.contract_mandate.enabled": True,
                                         "policies.contract_mandate.enforcement": 0.5,
                                         "policies.contract_mandate.fine": 20000.0,
                                         "policies.contract_mandate.start_month": 25})
    ts = run_replicates(scenario, replicates=1, workers=1)
    assert ts["contract_share"].iloc[20:24].max() < 0.2
    assert ts["contract_share"].iloc[-1] > 0.3
