"""Stock-flow identities and the consistency of jobs, every month."""

from __future__ import annotations

import numpy as np
import pytest

from model import Agency, DomesticWorkModel, Household, Worker
from model.core.metrics import SHARE_COLUMNS
from model.core.tables import AWAY, EMPLOYED, HOURLY, SEARCHING
from tests.helpers import run_months, small_scenario

EMPTY_WITHOUT_LAW = ("minimum_wage_compliance", "contract_compliance", "fee_compliance")


def test_workers_are_employed_plus_searching_plus_away(baseline_run):
    _, ts = baseline_run
    assert (ts["workers"] == ts["employed"] + ts["searching"] + ts["away"]).all()


def test_searching_stock_flow_identity_holds_every_month(baseline_run):
    _, ts = baseline_run
    inflow = ts["separations"] + ts["arrivals"] + ts["returns_from_away"]
    outflow = ts["hires"] + ts["departures"] + ts["leaving_to_away"]
    change = ts["searching"].diff().iloc[1:]
    assert (change == (inflow - outflow).iloc[1:]).all()


def test_employed_stock_flow_identity_holds_every_month(baseline_run):
    _, ts = baseline_run
    net = ts["hires"] - ts["separations"] - ts["held_job_leaving"] + ts["held_job_returns"]
    assert (ts["employed"].diff().iloc[1:] == net.iloc[1:]).all()


def test_the_festival_moves_workers_away_and_back(baseline_run):
    _, ts = baseline_run
    festival = ts[(ts.index % 12) == 1]  # February, with the run starting in January
    assert (festival["away"] > 0).all()
    assert (ts.loc[(ts.index % 12) == 2, "away"] == 0).all()


def test_shares_stay_within_zero_and_one(baseline_run):
    _, ts = baseline_run
    for column in SHARE_COLUMNS:
        if column in EMPTY_WITHOUT_LAW:  # empty while no such law is in force
            assert ts[column].isna().all(), column
            continue
        assert ts[column].between(0.0, 1.0).all(), column


def test_nobody_is_employed_twice_and_jobs_point_both_ways():
    model = DomesticWorkModel(small_scenario())
    for _ in range(30):
        model.step()
        w, h = model.workers, model.households
        employed = np.flatnonzero(w.view("status") == EMPLOYED)
        employers = w.employer[employed]
        assert (employers >= 0).all()
        assert np.unique(employers).size == employers.size, "a household is the main employer of two workers"
        assert (h.worker[employers] == employed).all(), "household and worker disagree about the job"
        # A household's worker is employed by it, or away with the job held by it; or, for work bought by
        # the hour, she serves it among her other clients (her main employer is one of them).
        holders = np.flatnonzero(h.view("worker") >= 0)
        worker = h.worker[holders]
        status = w.status[worker]
        assert np.isin(status, [EMPLOYED, AWAY]).all()
        main = w.employer[worker] == holders
        away = status == AWAY
        assert (w.held_by[worker[away & main]] == holders[away & main]).all()
        assert (h.arrangement[holders[~main]] == HOURLY).all(), "only hourly work has several employers"
        # Her employers, hours and (hourly) wage are her households' sums.
        counted = np.bincount(worker, minlength=w.n)
        assert (w.employers[employed] == counted[employed]).all()
        hours = np.bincount(worker, weights=h.hours_week[holders], minlength=w.n)
        assert np.allclose(w.hours_week[employed], hours[employed], rtol=1e-5)
        hourly = employed[w.arrangement[employed] == HOURLY]
        pay = np.bincount(worker, weights=h.pay_yuan[holders], minlength=w.n)
        assert np.allclose(w.wage_yuan[hourly], pay[hourly], rtol=1e-4)
        assert (w.hours_week[hourly] <= model.params.arrangements.max_hours_week).all()
        assert (w.employers[hourly] <= model.params.arrangements.max_clients).all()
        assert np.array_equal(h.hourly, np.flatnonzero(h.view("arrangement") == HOURLY)), "the hourly index is stale"
        # A household has a worker only for a need it has.
        assert (h.need[holders] >= 0).all()
        assert (w.job_type[worker] == h.need[holders]).all()
        assert (w.view("wage_yuan")[employed] > 0).all()
        assert (w.view("savings_yuan") >= 0).all()
        assert (w.view("employer")[w.view("status") == SEARCHING] == -1).all()


def test_agents_are_registered_and_departures_removed():
    scenario = small_scenario()
    model, ts = run_months(scenario, 24)
    workers = model.agents_by_type[Worker]
    present = int(model.workers.active.sum())
    assert len(workers) == present
    assert len(model.agents_by_type[Household]) == model.households.n
    assert len(model.agents_by_type[Agency]) == int(model.agencies.view("active").sum())
    assert ts["departures"].sum() > 0
    sample = next(iter(workers))
    assert sample.status in {"searching", "employed", "away"}
    assert sample.wage_yuan == pytest.approx(float(model.workers.wage_yuan[sample.row]))
    employed = workers.select(lambda a: a.status == "employed")
    assert len(employed) == model.n_employed
    assert all(a.employer.worker is a for a in list(employed)[:50])
