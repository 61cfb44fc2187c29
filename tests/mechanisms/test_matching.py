"""Urn-ball matching and the steady state of exogenous separation and matching."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from model.mechanisms.matching import (
    applications,
    applications_numpy,
    best_per_group,
    best_per_group_numpy,
    cap_per_group,
    cap_per_group_numpy,
    group_order,
    group_order_numpy,
    sorted_assignment,
    sorted_assignment_numpy,
    urn_ball,
)
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


def test_group_order_is_a_stable_argsort():
    rng = np.random.default_rng(1)
    for n_groups in (7, 30_000, 100_000):
        group = rng.integers(0, n_groups, 5000)
        for got, expected in zip(group_order(group, n_groups), group_order_numpy(group, n_groups), strict=True):
            assert np.array_equal(got, expected)


@pytest.mark.parametrize("seed", range(20))
def test_sorted_assignment_makes_as_many_acceptable_matches_as_possible(seed):
    rng = np.random.default_rng(seed)
    n_app, n_vac = rng.integers(1, 12, 2)
    app_group, vac_group = rng.integers(0, 2, n_app), rng.integers(0, 2, n_vac)
    ask, offer = rng.uniform(0, 10, n_app), rng.uniform(0, 10, n_vac)
    app, vac = sorted_assignment(app_group, vac_group, ask, offer)
    ok = offer[vac] >= ask[app]
    assert np.unique(app).size == app.size and np.unique(vac).size == vac.size
    assert (app_group[app] == vac_group[vac]).all()
    feasible = (app_group[:, None] == vac_group[None, :]) & (offer[None, :] >= ask[:, None])
    rows, cols = linear_sum_assignment(-feasible.astype(float))
    assert ok.sum() == feasible[rows, cols].sum()


@pytest.mark.parametrize("seed", range(5))
def test_best_per_group_is_the_first_after_a_lexsort(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    group = rng.integers(0, 400, n)
    key = rng.integers(0, 5, n).astype(float)  # many ties
    key[rng.random(n) < 0.05] = np.nan
    key[rng.random(n) < 0.05] = -np.inf
    assert np.array_equal(best_per_group(group, key, 400), best_per_group_numpy(group, key, 400))


@pytest.mark.parametrize(("k", "n_groups"), [(1, 4), (3, 4), (1, 2000)])
def test_applications_are_the_numpy_draws(k, n_groups):
    rng = np.random.default_rng(k * n_groups)
    app_group, vac_group = rng.integers(0, n_groups, 700), rng.integers(0, n_groups, 500)
    draws = rng.random((k, 700))
    app, vac = applications_numpy(app_group, vac_group, n_groups, draws)
    got_app, got_vac = applications(app_group, vac_group, n_groups, draws)
    assert np.array_equal(got_app, app) and np.array_equal(got_vac, vac)


@pytest.mark.parametrize("seed", range(10))
def test_sorted_assignment_kernel_is_the_numpy_bisection(seed):
    rng = np.random.default_rng(seed)
    n_app, n_vac = rng.integers(0, 400, 2)
    app_group, vac_group = rng.integers(0, 5, n_app), rng.integers(1, 7, n_vac)
    ask, offer = rng.integers(0, 30, n_app) / 3, rng.integers(0, 30, n_vac) / 3  # ties
    got = sorted_assignment(app_group, vac_group, ask, offer)
    expected = sorted_assignment_numpy(app_group, vac_group, ask, offer)
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])


@pytest.mark.parametrize("seed", range(5))
def test_cap_per_group_kernel_is_the_numpy_ranking(seed):
    rng = np.random.default_rng(seed)
    group, score = rng.integers(0, 50, 1000), rng.integers(0, 10, 1000).astype(float)
    capacity = rng.integers(0, 30, 50)
    assert np.array_equal(cap_per_group(group, score, capacity), cap_per_group_numpy(group, score, capacity))


def test_cap_per_group_is_the_lexsort_on_long_groups_and_nan():
    rng = np.random.default_rng(7)
    for trial in range(40):
        n = int(rng.integers(1, 3000))
        group = rng.integers(0, int(rng.integers(1, 20)), n)
        score = rng.normal(size=n) if trial % 2 else np.round(rng.normal(size=n), 1)  # ties
        if trial % 5 == 0:
            score[rng.random(n) < 0.1] = np.nan
        if trial % 7 == 0:
            score[rng.random(n) < 0.1] = -0.0
        capacity = rng.integers(-1, 200, group.max() + 1)
        assert np.array_equal(cap_per_group(group, score, capacity), cap_per_group_numpy(group, score, capacity))


def test_sorted_assignment_sorts_each_side_stably_with_ties_and_nan():
    rng = np.random.default_rng(11)
    for trial in range(40):
        n_app, n_vac = rng.integers(1, 2000, 2)
        app_group, vac_group = rng.integers(0, 4, n_app), rng.integers(0, 4, n_vac)
        ask, offer = rng.random(n_app), rng.random(n_vac) + 0.3
        if trial % 2:  # ties
            ask, offer = np.round(ask, 1), np.round(offer, 1)
        if trial % 5 == 0:
            ask[rng.random(n_app) < 0.05] = np.nan
        got = sorted_assignment(app_group, vac_group, ask, offer)
        expected = sorted_assignment_numpy(app_group, vac_group, ask, offer)
        assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
        assert got[0].size > 0
