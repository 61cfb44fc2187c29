"""The kernels that end jobs and keep the status bookkeeping, against the numpy code they replaced.

A month's job endings were one call a reason, each a few dozen numpy operations;
now one call ends them all, reason after reason. These tests keep the numpy forms
as references and check that the kernels give the same bits: statuses, transition
counts, released jobs, records, trust, reputation (moved once a reason, in order)
and the wages lost.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel
from model.core import labour
from model.core.labour import REASON, SEPARATION_REASONS
from model.core.rng import Streams
from model.core.tables import AGENCY, EMPLOYED, INACTIVE, N_STATUS, SEARCHING
from model.mechanisms import agencies, separations, wages
from tests.helpers import small_scenario


def _move_numpy(status, rows, new_status, transitions):
    """The numpy form of labour.move's counting: returns the rows that were INACTIVE."""
    old = status[rows].astype(np.int64)
    counts = np.bincount(old * N_STATUS + new_status, minlength=N_STATUS * N_STATUS)
    transitions += counts.reshape(N_STATUS, N_STATUS)
    status[rows] = new_status
    return rows[old == INACTIVE]


@pytest.mark.parametrize("new_status", range(1, N_STATUS))
def test_move_counts_and_sets_statuses_as_numpy_did(new_status):
    rng = np.random.default_rng(new_status)
    status = rng.integers(0, N_STATUS, 500).astype(np.int8)
    rows = rng.integers(0, 500, 200)  # repeated rows too: every status is read before any is set
    expected_status, got_status = status.copy(), status.copy()
    expected_t, got_t = np.zeros((N_STATUS, N_STATUS), np.int64), np.ones((N_STATUS, N_STATUS), np.int64)
    expected_t += 1
    expected_new = _move_numpy(expected_status, rows, new_status, expected_t)
    got_new = labour._move(got_status, rows, new_status, got_t)
    assert np.array_equal(got_status, expected_status)
    assert np.array_equal(got_t, expected_t)
    assert np.array_equal(got_new, expected_new) and expected_new.size > 0


def _model(months=14, **overrides):
    scenario = small_scenario(**{"market.dismissal_rate": 0.05, "policies.credit_records.enabled": True,
                                 **overrides})
    model = DomesticWorkModel(scenario)
    for _ in range(months):
        model.step()
    return model


def _release_numpy(w, workers):
    w.employer[workers] = -1
    w.channel[workers] = -1
    w.agency[workers] = -1
    w.agency_employed[workers] = False
    w.contract[workers] = False
    w.insured[workers] = w.self_insured[workers]
    w.wage_yuan[workers] = 0.0
    w.paid_yuan[workers] = 0.0
    w.deduction_left_yuan[workers] = 0.0
    w.paid_placement_fee[workers] = False
    w.wages_owed_yuan[workers] = 0.0
    w.months_in_job[workers] = 0


def _record_outcomes_numpy(model, agency, good):
    keep = agency >= 0
    agency, good = agency[keep], good[keep].astype(np.float64)
    if agency.size == 0:
        return
    a = model.agencies
    rate = model.params.agencies.reputation_rate
    total = np.bincount(agency, minlength=a.n)
    goods = np.bincount(agency, weights=good, minlength=a.n)
    hit = total > 0
    share = np.divide(goods, total, out=np.zeros(a.n), where=hit)
    step = 1.0 - (1.0 - rate) ** total
    rep = a.view("reputation")
    rep[hit] += (step[hit] * (share[hit] - rep[hit])).astype(np.float32)


def _record_and_separate_numpy(model, rows, reason, bad):
    """The numpy form of one reason's endings: record_and_separate, record_outcomes, separate, move."""
    w, h, f = model.workers, model.households, model.flows
    via_agency = w.channel[rows] == AGENCY
    early = w.months_in_job[rows] < model.params.agencies.early_end_months
    good = ~(bad & early)
    _record_outcomes_numpy(model, np.where(via_agency, w.agency[rows], -1), good)
    if reason in ("exogenous", "need_ended", "quit_arrears", "quit_informal", "dismissal"):
        trust = h.trust_agency
        clients = w.employer[rows[via_agency]]
        trust[clients] += model.params.channels.learning_rate * (good[via_agency] - trust[clients])
    if reason == "dismissal":
        w.record[rows] += model.params.market.record_rate * (0.0 - w.record[rows])
    elif reason in ("exogenous", "need_ended"):
        w.record[rows] += model.params.market.record_rate * (1.0 - w.record[rows])
    assert np.all(w.status[rows] == EMPLOYED)
    f.separations_by_reason[REASON[reason]] += rows.size
    f.wages_lost_yuan += float(w.wages_owed_yuan[rows].sum())
    h.worker[w.employer[rows]] = -1
    _release_numpy(w, rows)
    w.separated_month[rows] = model.month
    _move_numpy(w.status, rows, SEARCHING, f.transitions)


def _same_state(a, b):
    for table in ("workers", "households", "agencies"):
        ta, tb = getattr(a, table), getattr(b, table)
        for name in ta.COLUMNS:
            assert np.array_equal(getattr(ta, name), getattr(tb, name)), (table, name)
    assert np.array_equal(a.workers.present, b.workers.present)
    assert np.array_equal(a.flows.transitions, b.flows.transitions)
    assert np.array_equal(a.flows.separations_by_reason, b.flows.separations_by_reason)
    assert a.flows.wages_lost_yuan == b.flows.wages_lost_yuan


def _endings(model, seed):
    """Most employed workers, each with a reason, some owed wages, some early in their jobs."""
    rng = np.random.default_rng(seed)
    w = model.workers
    employed = w.with_status(EMPLOYED)
    rows = employed[rng.random(employed.size) < 0.8]
    w.wages_owed_yuan[rows] = np.where(rng.random(rows.size) < 0.5, rng.random(rows.size) * 3000, 0.0)
    w.months_in_job[rows] = rng.integers(0, 12, rows.size)
    return rows, rng.integers(0, len(SEPARATION_REASONS), rows.size)


@pytest.mark.parametrize("seed", [1, 2])
def test_one_batched_call_ends_jobs_as_one_call_a_reason_did(seed):
    """Reason after reason, as the numpy code did: the same bits in every column, flow and reputation."""
    expected, got = _model(), _model()
    _same_state(expected, got)
    rows, codes = _endings(expected, seed)
    _endings(got, seed)
    via_agency = expected.workers.channel[rows] == AGENCY
    assert via_agency.sum() > 20 and len(np.unique(codes[via_agency])) == len(SEPARATION_REASONS)
    for code, reason in enumerate(SEPARATION_REASONS):
        _record_and_separate_numpy(expected, rows[codes == code], reason,
                                   bad=reason in ("quit_arrears", "quit_informal", "dismissal"))
    separations.record_and_separate(got, rows, codes)
    _same_state(expected, got)
    assert expected.flows.wages_lost_yuan > 0


def test_a_reason_named_for_all_rows_is_that_reason_coded_for_each():
    by_name, by_code = _model(), _model()
    rows, _ = _endings(by_name, 3)
    _endings(by_code, 3)
    separations.record_and_separate(by_name, rows.astype(np.int32), "dismissal")
    separations.record_and_separate(by_code, rows, np.full(rows.size, REASON["dismissal"]))
    _same_state(by_name, by_code)


def test_reputation_moves_batch_by_batch_as_numpy_did():
    """Many outcomes an agency in a batch (steps from the shared table), every batch in turn."""
    model = _model(months=2)
    rng = np.random.default_rng(5)
    n = model.agencies.n
    sizes = [0, 300, 1, 40, 0, 7, 129, 2]
    agency = rng.integers(-1, n, sum(sizes))
    good = rng.random(agency.size) < 0.7
    start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    reference = model.agencies.reputation.copy()
    model.agencies.reputation[:n] = reference[:n] = rng.random(n).astype(np.float32)
    for s, k in zip(start, sizes, strict=True):
        _record_outcomes_numpy(model, agency[s:s + k], good[s:s + k])
    expected = model.agencies.reputation.copy()
    model.agencies.reputation[:] = reference
    agencies.record_outcomes(model, agency, good, start, np.array(sizes))
    assert np.array_equal(model.agencies.reputation, expected)


def test_release_rows_clears_jobs_as_numpy_did():
    expected, got = _model(months=6), _model(months=6)
    rows = expected.workers.with_status(EMPLOYED)[::3].copy()
    _release_numpy(expected.workers, rows)
    labour._release(got, rows)
    _same_state(expected, got)


def test_weak_workers_are_dismissed_as_numpy_assessed_them():
    rng = np.random.default_rng(9)
    rows = np.sort(rng.choice(100_000, 3000, replace=False))
    first = np.where(rng.random(rows.size) < 0.1, 0, -1).astype(np.int8)
    assessed = np.flatnonzero(rng.random(rows.size) < 0.5)
    prod = rng.uniform(0.0, 2.0, assessed.size)
    top, span, cap, rate, key = 1.3, 0.25, 3.0, 0.2, np.uint64(123456789)

    streams = Streams(11)
    key = streams.ukey("dismissal", 4)
    rate_of = rate * np.clip((top - prod) / span, 0.0, cap)
    dismissed = assessed[streams.uniform("dismissal", 4, rows[assessed]) < rate_of]
    expected = first.copy()
    expected[dismissed[expected[dismissed] < 0]] = separations.DISMISSAL
    separations._dismiss_weak(first, assessed, rows, prod, key, top, span, cap, rate)
    assert np.array_equal(first, expected)
    assert 50 < np.sum(expected == separations.DISMISSAL) < 1000


def _job_endings_in_numpy(model, employed):
    """The numpy form of separations.job_endings (every hazard drawn and assessed for every job)."""
    from model.mechanisms import separations

    w, m, month = model.workers, model.params.market, model.month

    def u(name):
        return model.streams.uniform(name, month, employed)

    exogenous = u("separation") < m.separation_rate * model.types.separation_multiplier[w.job_type[employed]]
    arrears = w.arrears_now[employed] & (u("quit_arrears") < m.quit_after_arrears)
    quits = ~(w.contract[employed] | w.agency_employed[employed]) & (u("quit_informal") < m.informal_quit_rate)
    weakness = (m.dismissal_productivity_top - wages.productivity(model, employed)) / m.dismissal_productivity_span
    dismissed = u("dismissal") < m.dismissal_rate * np.clip(weakness, 0.0, m.dismissal_max_multiplier)
    priced_out = separations._apply_wage_floor(model, employed)
    first = np.full(employed.size, -1)
    for code, hit in reversed(list(enumerate((exogenous, arrears, quits, dismissed, priced_out)))):
        first[hit] = code
    return first


@pytest.mark.parametrize("scenario", ["baseline", "minimum_wage_hourly", "c189_package"])
def test_job_endings_are_those_of_drawing_and_assessing_every_job(scenario):
    """Drawing each hazard only for the jobs it can end, and assessing only possible dismissals, changes no ending."""
    from model.core.tables import EMPLOYED
    from model.mechanisms.separations import job_endings

    overrides = {"market.dismissal_rate": 0.05, "market.informal_quit_rate": 0.05, "market.quit_after_arrears": 0.5}
    model = DomesticWorkModel(f"scenarios/{scenario}.yaml", months=20, **overrides)
    for _ in range(19):
        model.step()
    employed = model.workers.with_status(EMPLOYED)
    wage = model.workers.wage_yuan.copy()
    expected = _job_endings_in_numpy(model, employed)
    model.workers.wage_yuan[:] = wage  # the wage floor raised some wages: start again from the same state
    got = job_endings(model, employed)
    assert np.array_equal(got, expected)
    assert all(np.any(expected == code) for code in range(4))
