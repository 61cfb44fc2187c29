"""The ILO standards scorecard: shares of employed workers, counted by hand over the agents."""

from __future__ import annotations

import numpy as np
import pytest

from model import Worker
from model.core.metrics import STANDARDS_COLUMNS, statutory_minimum
from tests.helpers import run_months, small_scenario


def _hand_count(model) -> dict[str, float]:
    """The six shares, one worker at a time, from the Mesa agents' views."""
    s = model.params.standards
    employed = [a for a in model.agents_by_type[Worker] if a.status == "employed"]
    counts = dict.fromkeys(STANDARDS_COLUMNS, 0)
    for worker in employed:
        written = worker.contract
        hours_month = worker.hours_week * 52 / 12
        monthly = s.minimum_wage_monthly * min(worker.hours_week / s.full_time_hours_week, 1.0)
        owed = max(monthly, s.minimum_wage_hourly * hours_month)
        in_kind = model.arrangements.in_kind_yuan[["live_in", "live_out", "hourly"].index(worker.arrangement)]
        credit = min(in_kind, s.in_kind_share * owed)  # room and board meet part of it (C189 Art. 12)
        minimum = worker.paid_yuan + credit >= owed - 0.01  # to the fen
        insured = worker.insured
        no_fee = not worker.paid_placement_fee
        counts["c189_written_terms_share"] += written
        counts["c189_minimum_wage_share"] += minimum
        counts["c189_social_security_share"] += insured
        counts["c181_no_fee_share"] += no_fee
        counts["decent_work_share"] += written and minimum and insured and no_fee
        counts["c189_weekly_rest_share"] += worker.days_week <= 6
    return {k: v / len(employed) for k, v in counts.items()}


@pytest.mark.parametrize("overrides", [
    {},
    {"policies.contract_mandate.enabled": True, "policies.contract_mandate.enforcement": 1.0},
    {"policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.max_share": 0.0,
     "policies.worker_fee_cap.enforcement": 1.0,
     "policies.worker_fee_cap.inspections": 12.0, "policies.worker_fee_cap.fine": 100000.0},
])
def test_scorecard_matches_a_hand_count_over_the_agents(overrides):
    model, ts = run_months(small_scenario(months=14, **overrides))
    by_hand = _hand_count(model)
    for column in STANDARDS_COLUMNS:
        assert ts[column].iloc[-1] == pytest.approx(by_hand[column], abs=1e-12), column
    # Not degenerate: some jobs meet each standard and some miss it in the baseline.
    if not overrides:
        for column in ("c189_minimum_wage_share", "c181_no_fee_share"):
            assert 0.0 < by_hand[column] < 1.0, column


def test_the_hourly_minimum_binds_on_long_hours_and_the_monthly_one_is_pro_rated():
    model, _ = run_months(small_scenario(months=1))
    hours_week = np.array([10.0, 20.0, 40.0, 90.0])
    minimum = statutory_minimum(model, hours_week)
    # 20.3 an hour over 52/12 weeks, against 2,100 for a 40-hour week, pro-rated below it.
    expected = [max(2100.0 * min(h / 40.0, 1.0), 20.3 * h * 52 / 12) for h in hours_week]
    assert minimum.tolist() == pytest.approx(expected)
    assert minimum[-1] > 2100.0  # live-in hours put the hourly floor above the monthly one
    assert minimum[0] < 2100.0 / 2  # a few hours a week owe a few hours' pay


def test_a_fee_ban_that_is_enforced_raises_the_no_fee_share():
    ban = {"policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.max_share": 0.0,
           "policies.worker_fee_cap.enforcement": 1.0,
     "policies.worker_fee_cap.inspections": 12.0, "policies.worker_fee_cap.fine": 100000.0}
    _, base = run_months(small_scenario(months=24))
    _, banned = run_months(small_scenario(months=24, **ban))
    assert banned["c181_no_fee_share"].iloc[-12:].mean() > base["c181_no_fee_share"].iloc[-12:].mean()


def test_standards_keys_have_units_and_sources():
    from model.scenario.schema import Standards

    for name, field in Standards.model_fields.items():
        extra = field.json_schema_extra
        if name.startswith("minimum_wage"):
            assert extra["unit"].startswith("yuan/"), name
            assert "Guangzhou" in extra["source"], name
        else:
            assert extra["unit"] and extra["source"] != "assumption", name
