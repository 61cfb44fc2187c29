"""Shared fixtures: small scenarios that run in well under a second."""

from __future__ import annotations

import pandas as pd
import pytest

from model import DomesticWorkModel, load_scenario

SMALL = {"workers.count": 1000, "households.count": 1500, "agencies.count": 10, "months": 36, "replicates": 2}


def small_scenario(**overrides):
    """The baseline at 1:400, with dotted-key overrides."""
    return load_scenario(None, {**SMALL, **overrides})


def run_months(scenario, months: int | None = None, replicate: int = 0) -> tuple[DomesticWorkModel, pd.DataFrame]:
    """Run a model and return it with its timeseries."""
    model = DomesticWorkModel(scenario, replicate=replicate)
    model.run_for(scenario.months if months is None else months)
    return model, model.datacollector.get_model_vars_dataframe().reset_index(drop=True)


@pytest.fixture(scope="session")
def baseline_run():
    """The 1:100 baseline, 48 months, one replicate (shared by the tests that only read it)."""
    scenario = load_scenario("scenarios/baseline.yaml", {"months": 48})
    return run_months(scenario)
