"""Shared fixtures (the helpers they use are in ``tests/helpers.py``)."""

from __future__ import annotations

import pytest

from model import load_scenario
from tests.helpers import run_months


@pytest.fixture(scope="session")
def baseline_run():
    """The 1:100 baseline, 48 months, one replicate (shared by the tests that only read it)."""
    scenario = load_scenario("scenarios/baseline.yaml", {"months": 48})
    return run_months(scenario)
