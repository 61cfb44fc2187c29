"""Fees to workers under a cap: deductions count as fees (ILO C181 Art. 7), the overcharge decision nets what is recovered anyway."""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel
from model.core.tables import AGENCY, EMPLOYED
from model.run.runner import last_months_means, run_replicates
from tests.helpers import small_scenario

BAN = {"policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.max_share": 0.0,
       "policies.worker_fee_cap.enforcement": 1.0,
     "policies.worker_fee_cap.inspections": 12.0, "policies.worker_fee_cap.fine": 100000.0}
SIZE = {"workers.count": 2000, "households.count": 3000, "agencies.count": 20, "months": 36, "replicates": 2}


def _fees(**overrides) -> float:
    scenario = small_scenario(**SIZE, **overrides)
    return float(last_months_means(run_replicates(scenario, workers=1)).mean()["worker_fees_paid"])


def test_a_fully_enforced_ban_leaves_workers_under_5_percent_of_the_baseline_fees():
    baseline = _fees()
    banned = _fees(**BAN)
    assert baseline > 0
    assert banned < 0.05 * baseline, f"{banned:.0f} yuan a month under the ban, {baseline:.0f} in the baseline"


def test_under_an_enforced_cap_no_placement_costs_her_more_than_the_cap_even_by_deduction():
    """Every agency deducts and all comply: what a worker pays for a placement is at most 10% of its wage."""
    cap = {"policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.max_share": 0.1,
           "policies.worker_fee_cap.enforcement": 1.0,
     "policies.worker_fee_cap.inspections": 12.0, "policies.worker_fee_cap.fine": 100000.0,
           "agencies.deduction_share": 1.0}
    model = DomesticWorkModel(small_scenario(months=24, **cap))
    w = model.workers
    first_wages = 0.0
    fees = 0.0
    for _ in range(24):
        model.step()
        rows = np.flatnonzero((w.view("status") == EMPLOYED) & (w.view("channel") == AGENCY)
                              & (w.view("months_in_job") == 1) & ~w.view("agency_employed"))
        first_wages += float(w.wage_yuan[rows].sum())
        fees += model.flows.worker_fees_yuan
    assert model.agencies.view("overcharging").sum() == 0
    assert first_wages > 0
    assert fees <= 0.1 * first_wages + 1e-6, f"workers paid {fees / first_wages:.1%} of their first wages"


def test_the_overcharge_decision_nets_what_the_household_pays_anyway():
    """With every lost yuan shifted to households, overcharging gains nothing, so nobody does."""
    model = DomesticWorkModel(small_scenario(months=3, **{
        "policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.max_share": 0.1,
        "policies.worker_fee_cap.enforcement": 0.0, "agencies.honesty_mean_yuan": 0.0,
        "agencies.fee_pass_through": 1.0}))
    model.run_for(3)
    assert model.agencies.view("overcharging").sum() == 0
    assert model.metrics["overcharging_share"] == 0.0


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_a_worker_who_paid_no_fee_counts_as_no_fee_and_one_who_did_does_not(share):
    model = DomesticWorkModel(small_scenario(months=12, **{**BAN, "policies.worker_fee_cap.max_share": share}))
    model.run_for(12)
    w = model.workers
    employed = np.flatnonzero(w.view("status") == EMPLOYED)
    placed = employed[(w.channel[employed] == AGENCY) & ~w.agency_employed[employed]
                      & (w.arrival_month[employed] > 0)]
    if share == 0.0:
        assert not w.paid_placement_fee[placed].any()
    else:
        assert w.paid_placement_fee[placed].mean() > 0.5


def test_agencies_price_from_the_employment_weighted_typical_wage():
    model = DomesticWorkModel(small_scenario(months=1))
    t = model.types
    assert t.typical_wage == pytest.approx(4686.5)  # 5,812.5 unweighted
    membership = model.agencies.business_model[: model.agencies.n] == 1
    if membership.any():
        share = model.agencies.worker_fee_share[: model.agencies.n][membership]
        assert share == pytest.approx(np.full(share.size, 600.0 / 4686.5), rel=1e-6)
