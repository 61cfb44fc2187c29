"""The bookkeeping kernels of model/core/labour.py against its numpy rules, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from model.core import labour
from model.core.labour import SEPARATION_REASONS
from model.core.tables import EMPLOYED, N_STATUS
from tests.helpers import assert_same_state, stepped


@pytest.mark.parametrize("new_status", range(1, N_STATUS))
def test_move_counts_and_sets_statuses_as_numpy_did(new_status):
    rng = np.random.default_rng(new_status)
    status = rng.integers(0, N_STATUS, 500).astype(np.int8)
    rows = rng.integers(0, 500, 200)  # repeated rows too: every status is read before any is set
    expected_status, got_status = status.copy(), status.copy()
    expected_t, got_t = np.zeros((N_STATUS, N_STATUS), np.int64), np.ones((N_STATUS, N_STATUS), np.int64)
    expected_t += 1
    expected_new = labour.move_numpy(expected_status, rows, new_status, expected_t)
    got_new = labour._move(got_status, rows, new_status, got_t)
    assert np.array_equal(got_status, expected_status)
    assert np.array_equal(got_t, expected_t)
    assert np.array_equal(got_new, expected_new) and expected_new.size > 0


def test_release_rows_clears_jobs_as_numpy_did():
    expected, got = stepped(6), stepped(6)
    rows = expected.workers.with_status(EMPLOYED)[::3].copy()
    labour.release_numpy(expected, rows)
    labour._release(got, rows)
    assert_same_state(expected, got)


def test_one_call_ends_the_jobs_of_every_reason_as_the_numpy_rule_one_reason_at_a_time():
    expected, got = stepped(10), stepped(10)
    rng = np.random.default_rng(4)
    for model in (expected, got):
        w = model.workers
        employed = w.with_status(EMPLOYED)
        w.wages_owed_yuan[employed] = np.where(np.random.default_rng(1).random(employed.size) < 0.3, 500.0, 0.0)
    employed = expected.workers.with_status(EMPLOYED)
    rows = employed[rng.random(employed.size) < 0.7]
    codes = rng.integers(0, len(SEPARATION_REASONS), rows.size)
    order = np.argsort(codes, kind="stable")
    count = np.bincount(codes, minlength=labour.N_REASONS)
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    for code, reason in enumerate(SEPARATION_REASONS):
        labour.separate_numpy(expected, rows[codes == code], reason)
    labour.separate(got, rows[order].astype(np.int64), start, count)
    assert_same_state(expected, got)
    assert expected.flows.wages_lost_yuan > 0


def test_the_separation_books_are_each_named_column():
    """_separation_books fills SeparationBooks positionally (for speed): each field, by name."""
    model = stepped(1)
    w, f = model.workers, model.flows
    books = labour.SeparationBooks(*labour._separation_books(model))
    expected = labour.SeparationBooks(status=w.status, transitions=f.transitions,
                                      household_worker=model.households.worker,
                                      household_hours=model.households.hours_week,
                                      need_hours=model.households.need_hours_week, separated_month=w.separated_month,
                                      by_reason=f.separations_by_reason)
    assert all(getattr(books, name) is getattr(expected, name) for name in expected._fields)
