"""Patterns a correct model reproduces (docs/facts.md, "Patterns a correct model reproduces")."""

from __future__ import annotations

import numpy as np
import pytest

from model.run.runner import last_months_means, run_replicates
from tests.helpers import run_months, small_scenario

SIZE = {"workers.count": 1500, "households.count": 2250, "agencies.count": 15, "months": 48, "replicates": 2}


def means(**overrides):
    return last_months_means(run_replicates(small_scenario(**{**SIZE, **overrides}), workers=1)).mean()


def test_beveridge_curve_slopes_down_and_no_agencies_shift_it_out():
    """More household demand: more vacancies, less unemployment. Without agencies matching is worse."""
    low, high = means(**{"demand.need_share": 0.6}), means(**{"demand.need_share": 0.85})
    assert high["vacancy_rate"] > low["vacancy_rate"]
    assert high["unemployment_rate"] < low["unemployment_rate"]
    with_agencies = means(**{"demand.need_share": 0.75})
    without = means(**{"demand.need_share": 0.75, "agencies.count": 0, "agencies.entry_rate": 0.0})
    assert without["agency_placement_share"] == 0.0
    # Worse matching moves the point away from the origin (more unemployment, more vacancies, or both).
    assert np.hypot(without["unemployment_rate"], without["vacancy_rate"]) > np.hypot(
        with_agencies["unemployment_rate"], with_agencies["vacancy_rate"])


def test_chain_migration_concentrates_origins():
    weak = means(**{"migration.network_weight": 0.0, "months": 72})
    strong = means(**{"migration.network_weight": 1.0, "months": 72})
    assert strong["origin_concentration"] > weak["origin_concentration"]


def test_spring_festival_makes_a_price_spike_a_backlog_and_a_recovery():
    _, ts = run_months(small_scenario(months=30))
    feb, mar = ts.iloc[13], ts.iloc[14]  # month 14 is February of year 2
    normal = ts.iloc[17:24]
    assert feb["away"] > 0.3 * feb["workers"]
    assert feb["vacancies"] > 1.3 * normal["vacancies"].mean()
    assert mar["vacancies"] > normal["vacancies"].mean()  # a backlog worked off over months
    assert ts.iloc[20]["vacancies"] < mar["vacancies"]


def test_without_the_festival_there_is_no_spike():
    _, ts = run_months(small_scenario(months=16, **{"shocks.spring_festival.enabled": False}))
    assert (ts["away"] == 0).all()
    assert ts["mean_wage"].iloc[13] < 1.05 * ts["mean_wage"].iloc[10:13].mean()


def test_spells_under_constant_hazards_are_geometric():
    """With only exogenous separation at rate s, completed job spells have mean about 1/s."""
    s = 0.05
    scenario = small_scenario(**{
        "months": 120, "market.separation_rate": s, "market.dismissal_rate": 0.0,
        "market.informal_quit_rate": 0.0, "market.arrears_rate_informal": 0.0, "market.arrears_rate_formal": 0.0,
        "demand.duration_months.live_in_nanny": 1e9, "demand.duration_months.live_out_cleaner": 1e9,
        "demand.duration_months.elder_carer": 1e9, "demand.duration_months.maternity_nurse": 1e9,
        "market.separation_multiplier.elder_carer": 1.0, "market.separation_multiplier.maternity_nurse": 1.0,
        "shocks.spring_festival.enabled": False, "migration.home_rate": 0.0,
        "migration.employed_leave_rate_when_due": 0.0, "migration.retirement_age": 200.0,
    })
    _, ts = run_months(scenario)
    rate = ts["separations"].iloc[12:].sum() / ts["employed"].shift(1).iloc[12:].sum()
    assert rate == pytest.approx(s, rel=0.05)
    assert 1 / rate == pytest.approx(1 / s, rel=0.05)


def test_minimum_wage_below_the_market_does_nothing_and_above_it_cuts_jobs():
    base = means()
    low = means(**{"policies.minimum_wage.enabled": True, "policies.minimum_wage.hourly": 5.0,
                   "policies.minimum_wage.enforcement": 1.0})
    high = means(**{"policies.minimum_wage.enabled": True, "policies.minimum_wage.hourly": 25.0,
                    "policies.minimum_wage.enforcement": 1.0})
    assert low["employed"] == pytest.approx(base["employed"], rel=0.01)
    assert high["employed"] < 0.9 * base["employed"]
    assert np.isfinite(high["mean_wage"]) and high["mean_wage"] > base["mean_wage"]
