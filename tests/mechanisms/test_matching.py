"""Urn-ball matching and the steady state of exogenous separation and matching."""

from __future__ import annotations

import numpy as np
import pytest

from model.mechanisms.matching import cap_per_group, urn_ball
from tests.helpers import run_months, small_scenario


@pytest.mark.parametrize(("applicants", "vacancies"), [(500, 2000), (2000, 2000), (4000, 1000)])
def test_urn_ball_hires_match_the_formula(applicants, vacancies):
    rng = np.random.default_rng(7)
    hires = []
    for _ in range(40):
        draws = rng.random((1, applicants))
        app, vac = urn_ball(np.zeros(applicants, np.int64), np.zeros(vacancies, np.int64), 1, draws,
                            rng.random(applicants))
        hires.append(app.size)
        assert np.unique(app).size == app.size and np.unique(vac).size == vac.size
    expected = vacancies * (1 - np.exp(-applicants / vacancies))
    assert np.mean(hires) == pytest.approx(expected, rel=0.01)


def test_urn_ball_keeps_groups_apart_and_picks_the_best():
    groups_a = np.array([0, 0, 1, 1])
    groups_v = np.array([0, 1])
    draws = np.zeros((1, 4))
    app, vac = urn_ball(groups_a, groups_v, 2, draws, score=np.array([1.0, 2.0, 5.0, 3.0]))
    pairs = dict(zip(vac.tolist(), app.tolist(), strict=True))
    assert pairs == {0: 1, 1: 2}


def test_cap_per_group_keeps_the_best_within_capacity():
    group = np.array([0, 0, 0, 1, 1])
    score = np.array([1.0, 3.0, 2.0, 1.0, 0.5])
    keep = cap_per_group(group, score, capacity=np.array([2, 1]))
    assert keep.tolist() == [False, True, True, True, False]


def _single_channel(**more):
    """Open market only, one job type, everyone acceptable, no other flows."""
    return small_scenario(**{
        "months": 60,
        "agencies.count": 0, "agencies.entry_rate": 0.0,
        "channels.referral_utility": -10.0,
        "workers.job_type_share.live_in_nanny": 1.0, "workers.job_type_share.live_out_cleaner": 0.0, "workers.job_type_share.elder_carer": 0.0,
        "workers.job_type_share.maternity_nurse": 0.0,
        "demand.type_share.live_in_nanny": 1.0, "demand.type_share.live_out_cleaner": 0.0, "demand.type_share.elder_carer": 0.0,
        "demand.type_share.maternity_nurse": 0.0,
        "workers.reservation_share": 0.1, "migration.rural_income_yuan": 100.0,
        "shocks.spring_festival.enabled": False, "training.take_up_max": 0.0,
        **more,
    })


def test_model_hires_match_urn_ball_in_a_single_channel():
    _, ts = run_months(_single_channel())
    u, v = ts["searchers_at_matching"], ts["vacancies_at_matching"]
    expected = (v * (1 - (1 - 1 / v) ** u)).sum()
    assert ts["open_placement_share"].iloc[5:].min() == 1.0
    assert ts["hires"].sum() == pytest.approx(expected, rel=0.03)


def test_steady_state_unemployment_matches_same_month_search_formula():
    """Separations come before matching in a month, so the newly separated search at once.

    With f the hiring chance of a searcher in the month's pool and s the separation
    rate, the steady state is u* = s(1-f)/(s+f-sf).
    """
    scenario = _single_channel(**{
        "months": 240, "households.count": 1150, "demand.need_share": 0.9,
        "demand.duration_months.live_in_nanny": 1e9,
        "market.separation_rate": 0.04, "market.dismissal_rate": 0.0, "market.informal_quit_rate": 0.0,
        "market.arrears_rate_informal": 0.0, "market.arrears_rate_formal": 0.0,
        "migration.arrival_rate": 0.0, "migration.home_rate": 0.0, "migration.impatience_rate": 0.0,
        "migration.retirement_age": 200.0, "workers.savings_target_yuan": 1e12,
    })
    _, ts = run_months(scenario)
    tail = ts.iloc[60:]
    s = tail["separations"].sum() / (tail["employed"].shift(1).fillna(tail["employed"]).sum())
    f = tail["hires"].sum() / tail["searchers_at_matching"].sum()
    predicted = s * (1 - f) / (s + f - s * f)
    assert tail["departures"].sum() == 0 and tail["arrivals"].sum() == 0
    assert tail["unemployment_rate"].mean() == pytest.approx(predicted, rel=0.05)
