"""Shared fixtures (the helpers they use are in ``tests/helpers.py``)."""

from __future__ import annotations

import pytest

from model import load_scenario
from tests.helpers import run_months


def pytest_collection_modifyitems(items):
    """Tests that fork worker processes run first.

    Forking is safe only while this process runs one thread, and some tests leave
    threads behind (an in-process Dask client keeps its event loop's thread); the
    figures' forked drawing would otherwise be skipped, depending on test order.
    """
    items.sort(key=lambda item: item.get_closest_marker("forks") is None)


@pytest.fixture(scope="session")
def baseline_run():
    """The 1:100 baseline, 48 months, one replicate (shared by the tests that only read it)."""
    scenario = load_scenario("scenarios/baseline.yaml", {"months": 48})
    return run_months(scenario)
