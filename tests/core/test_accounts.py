"""Every yuan has a payer and a payee: debts to kin, contributions, employee-based bills, who gains."""

from __future__ import annotations

import numpy as np
import pytest

from model.core.tables import SEARCHING
from tests.helpers import run_months, small_scenario


def test_a_broke_searcher_borrows_from_kin_and_repays_from_what_she_sends_home():
    """Living costs of searchers who ran out of money were paid by nobody; now kin lend them."""
    model, ts = run_months(small_scenario(months=24, **{"migration.rent_yuan": 1500.0}))
    assert ts["kin_loans"].sum() > 0
    assert ts["kin_repayments"].sum() > 0
    assert ts["money_unaccounted"].abs().max() < 1e-3
    w = model.workers
    indebted = np.flatnonzero(w.view("debt_yuan") > 0)
    assert indebted.size > 0
    assert (w.savings_yuan[indebted] >= 0).all()
    # A searcher in debt has nothing left: she borrowed only what she lacked.
    searching = indebted[w.status[indebted] == SEARCHING]
    assert np.allclose(w.savings_yuan[searching], 0.0)


def test_net_income_is_pay_less_fees_contributions_and_living_costs():
    _, ts = run_months(small_scenario(months=14, **{"policies.insurance_subsidy.enabled": True}))
    last = ts.iloc[-1]
    assert last["worker_contributions"] > 0
    assert last["workers_net_income"] < last["mean_net_income"] * last["employed"]  # searchers' costs, her share
    assert last["living_costs"] > 0


def test_employee_based_agencies_pay_wages_and_contributions_out_of_their_bills():
    """With every agency employee-based, households pay wages through bills and agencies keep the charge."""
    overrides = {"agencies.employee_based_share": 1.0, "agencies.membership_share": 0.0,
                 "agencies.switch_rate": 0.0, "agencies.entry_rate": 0.0}
    _, ts = run_months(small_scenario(months=14, **overrides))
    last = ts.iloc[-1]
    assert last["employee_based_share"] > 0
    assert last["household_service_bills_paid"] > 0
    assert last["household_placement_fees_paid"] == 0
    assert last["agency_income_intermediary"] == 0 and last["agency_income_membership"] == 0
    # Their income is the service charge (no subsidy here): revenue less the wages and contributions paid.
    assert last["agency_income_employee_based"] == pytest.approx(last["household_service_bills_paid"])
    # Households' care spending counts the wages billed through the agencies.
    assert last["household_care_spending"] > last["household_fees_paid"] + 0.5 * last["employed"] * 1000.0
    assert ts["money_unaccounted"].abs().max() < 1e-3


def test_the_employee_based_subsidy_is_agency_income_once():
    overrides = {"agencies.employee_based_share": 1.0, "agencies.membership_share": 0.0,
                 "agencies.switch_rate": 0.0, "agencies.entry_rate": 0.0,
                 "policies.employee_based_support.enabled": True,
                 "policies.employee_based_support.subsidy_per_worker": 800.0}
    model, ts = run_months(small_scenario(months=14, **overrides))
    last = ts.iloc[-1]
    employees = int(model.agencies.view("employees").sum())
    assert employees > 0
    assert last["agency_income_employee_based"] == pytest.approx(last["household_service_bills_paid"]
                                                                 + 800.0 * employees)
    assert last["state_net_cost"] == pytest.approx(
        last["public_subsidies"] - last["fines_paid"] - last["insurance_contributions"])


def test_care_of_jobs_is_booked_as_add_at_over_employers_of_to_the_bit():
    """record_care_of_jobs books what np.add.at over employers_of booked, an hourly worker's share on each client."""
    from model.core import accounts
    from model.core.tables import EMPLOYED, HOURLY
    from tests.helpers import stepped

    model = stepped(6)
    w, h = model.workers, model.households
    employed = w.with_status(EMPLOYED)
    assert (w.arrangement[employed] == HOURLY).any()
    rng = np.random.default_rng(5)
    workers = np.concatenate((employed, employed[::3]))  # a worker may come twice
    amount = rng.random(workers.size) * 4000.0
    for fees in (False, True):
        start = [h.care_month_yuan.copy(), h.fees_month_yuan.copy()]
        accounts.record_care_of_jobs(model, workers, amount, fees=fees)
        got = [h.care_month_yuan.copy(), h.fees_month_yuan.copy()]
        h.care_month_yuan[:], h.fees_month_yuan[:] = start
        households, part = accounts.employers_of(model, workers, amount)
        np.add.at(h.care_month_yuan, households, part)
        if fees:
            np.add.at(h.fees_month_yuan, households, part)
        assert got[0].tobytes() == h.care_month_yuan.tobytes() and got[1].tobytes() == h.fees_month_yuan.tobytes()
        assert (got[1] != start[1]).any() == fees
