"""The separation kernels against the module's numpy rules, bit for bit.

A month's job endings were one call a reason, each a few dozen numpy operations;
now one call ends them all, reason after reason. ``separations.record_and_separate_numpy``
(one reason) and ``separations.job_endings_numpy`` state the rules; these tests check
that the kernels give the same bits: statuses, transition counts, released jobs,
records, trust, reputation (moved once a reason, in order) and the wages lost.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel
from model.core.labour import REASON, SEPARATION_REASONS
from model.core.rng import Streams
from model.core.tables import AGENCY, EMPLOYED
from model.mechanisms import separations
from tests.helpers import assert_same_state, stepped

# Dismissals and visible records, so that every reason a job ends is reached.
STIRRED = {"market.dismissal_rate": 0.05, "policies.credit_records.enabled": True}



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
    expected, got = stepped(14, **STIRRED), stepped(14, **STIRRED)
    assert_same_state(expected, got)
    rows, codes = _endings(expected, seed)
    _endings(got, seed)
    via_agency = expected.workers.channel[rows] == AGENCY
    assert via_agency.sum() > 20 and len(np.unique(codes[via_agency])) == len(SEPARATION_REASONS)
    for code, reason in enumerate(SEPARATION_REASONS):
        separations.record_and_separate_numpy(expected, rows[codes == code], reason)
    separations.record_and_separate(got, rows, codes)
    assert_same_state(expected, got)
    assert expected.flows.wages_lost_yuan > 0


def test_a_reason_named_for_all_rows_is_that_reason_coded_for_each():
    by_name, by_code = stepped(14, **STIRRED), stepped(14, **STIRRED)
    rows, _ = _endings(by_name, 3)
    _endings(by_code, 3)
    separations.record_and_separate(by_name, rows.astype(np.int32), "dismissal")
    separations.record_and_separate(by_code, rows, np.full(rows.size, REASON["dismissal"]))
    assert_same_state(by_name, by_code)


def test_weak_workers_are_dismissed_as_numpy_assessed_them():
    rng = np.random.default_rng(9)
    rows = np.sort(rng.choice(100_000, 3000, replace=False))
    first = np.where(rng.random(rows.size) < 0.1, 0, -1).astype(np.int8)
    assessed = np.flatnonzero(rng.random(rows.size) < 0.5)
    prod = rng.uniform(0.0, 2.0, assessed.size)
    streams = Streams(11)
    terms = separations.DismissalTerms(streams.ukey("dismissal", 4), top=1.3, span=0.25, max_multiplier=3.0, rate=0.2)
    rate_of = separations.dismissal_rate_numpy(prod, terms)
    dismissed = assessed[streams.uniform("dismissal", 4, rows[assessed]) < rate_of]
    expected = first.copy()
    expected[dismissed[expected[dismissed] < 0]] = separations.DISMISSAL
    separations._dismiss_weak(first, assessed, rows, prod, tuple(terms))
    assert np.array_equal(first, expected)
    assert 50 < np.sum(expected == separations.DISMISSAL) < 1000


@pytest.mark.parametrize("scenario", ["baseline", "minimum_wage_hourly", "c189_package"])
def test_job_endings_are_those_of_drawing_and_assessing_every_job(scenario):
    """Drawing each hazard only for the jobs it can end, and assessing only possible dismissals, changes no ending."""
    overrides = {"market.dismissal_rate": 0.05, "market.informal_quit_rate": 0.05, "market.quit_after_arrears": 0.5}
    model = DomesticWorkModel(f"scenarios/{scenario}.yaml", months=20, **overrides)
    for _ in range(19):
        model.step()
    employed = model.workers.with_status(EMPLOYED)
    wage = model.workers.wage_yuan.copy()
    expected = separations.job_endings_numpy(model, employed)
    model.workers.wage_yuan[:] = wage  # the wage floor raised some wages: start again from the same state
    got = separations.job_endings(model, employed)
    assert np.array_equal(got, expected)
    assert all(np.any(expected == code) for code in range(4))


def test_the_terms_kernels_take_carry_each_parameter_in_its_named_field():
    """_dismissal_terms, _reason_terms and _lesson_terms fill their NamedTuples positionally (for speed): by name."""
    model = stepped(2, **STIRRED)
    m, p, streams, month = model.params.market, model.params, model.streams, model.month
    key = streams.ukey("dismissal", month)
    assert separations.DismissalTerms(*separations._dismissal_terms(model, key)) == separations.DismissalTerms(
        key=key, top=m.dismissal_productivity_top, span=m.dismissal_productivity_span,
        max_multiplier=m.dismissal_max_multiplier, rate=m.dismissal_rate)
    assert separations.dismissal_terms(model) == separations.DismissalTerms(*separations._dismissal_terms(model, key))
    reasons = separations.ReasonTerms(*separations._reason_terms(model, key))
    expected = separations.ReasonTerms(
        separation_key=streams.ukey("separation", month), arrears_key=streams.ukey("quit_arrears", month),
        informal_key=streams.ukey("quit_informal", month), dismissal_key=key, separation_rate=m.separation_rate,
        separation_multiplier=model.types.separation_multiplier, quit_after_arrears=m.quit_after_arrears,
        informal_quit_rate=m.informal_quit_rate, dismissal_cap=m.dismissal_rate * m.dismissal_max_multiplier)
    assert reasons.separation_multiplier is expected.separation_multiplier
    assert reasons._replace(separation_multiplier=None) == expected._replace(separation_multiplier=None)
    lessons = separations.LessonTerms(*separations._lesson_terms(model))
    expected = separations.LessonTerms(
        early_end_months=p.agencies.early_end_months, bad=separations._BAD, teaches=separations._TEACHES,
        record_target=separations._RECORD_TARGET, learning_rate=np.float32(p.channels.learning_rate),
        record_rate=np.float32(m.record_rate))
    assert all(getattr(lessons, name) is getattr(expected, name) for name in ("bad", "teaches", "record_target"))
    assert lessons[:1] + lessons[4:] == expected[:1] + expected[4:]
    assert type(lessons.learning_rate) is type(lessons.record_rate) is np.float32
