"""The whole city at 1:1 (slow: `make test-slow`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from model import DomesticWorkModel, Worker, load_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_whole_city_runs_and_lands_near_the_baseline():
    scenario = load_scenario(ROOT / "scenarios" / "guangzhou_full.yaml", {"months": 24})
    model = DomesticWorkModel(scenario)
    assert len(model.agents_by_type[Worker]) == 400_000
    model.run_for(24)
    ts = model.datacollector.get_model_vars_dataframe()
    assert (ts["workers"] == ts["employed"] + ts["searching"] + ts["away"]).all()
    change = ts["searching"].diff().iloc[1:]
    flows = (ts["separations"] + ts["arrivals"] + ts["returns_from_away"] - ts["hires"] - ts["departures"]
             - ts["leaving_to_away"]).iloc[1:]
    assert (change == flows).all()
    last = ts.iloc[-12:].mean()
    assert 4000 < last["mean_wage"] < 6000
    assert 0.05 < last["contract_share"] < 0.15
    assert 350_000 < last["workers"] < 450_000
