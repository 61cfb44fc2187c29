"""The tables (model/core/tables.py): the hourly index follows the households' arrangements."""

from __future__ import annotations

import numpy as np

from model.core.tables import HOURLY, HouseholdTable


def test_the_hourly_index_is_the_sorted_set_of_hourly_households_after_any_change():
    """set_arrangement's merge gives what np.isin and np.union1d gave: ascending, once each."""
    rng = np.random.default_rng(1)
    for trial in range(2000):
        n = int(rng.integers(1, 60))
        table, arrangement = HouseholdTable(n), np.zeros(n, np.int8)
        for _ in range(4):
            rows = rng.integers(0, n, int(rng.integers(0, n + 3)))
            rows = np.unique(rows) if trial % 2 else rows  # new needs come ascending; others may repeat
            rows = rows.astype(np.int32) if trial % 5 == 0 else rows
            chosen = rng.integers(0, 3, rows.size).astype(np.int8)
            table.set_arrangement(rows, chosen)
            arrangement[rows] = chosen
            assert table.hourly.dtype == np.int64
            assert np.array_equal(table.hourly, np.flatnonzero(arrangement == HOURLY)), trial


def test_with_status_is_the_numpy_selection_of_the_present_rows():
    from model.core.tables import AWAY, EMPLOYED, SEARCHING, WorkerTable

    rng = np.random.default_rng(2)
    for n in (0, 1, 7, 300):
        table = WorkerTable(n)
        table.status[:n] = rng.integers(0, 5, n)
        table.index_present()
        for status in (SEARCHING, EMPLOYED, AWAY):
            expected = table.present[table.status[table.present] == status]
            got = table.with_status(status)
            assert got.dtype == np.int64 and np.array_equal(got, expected)
