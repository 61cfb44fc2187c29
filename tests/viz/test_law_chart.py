"""The live app shows each law in force as people respond to it: compliance and awareness, run beside twin."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.viz import charts
from model.viz.controls import PageSetup
from model.viz.live import LiveModel


@pytest.fixture
def setup(tmp_path: Path) -> PageSetup:
    (tmp_path / "baseline.yaml").write_text(
        "name: small\nseed: 7\nmonths: 24\nworkers: {count: 600}\nhouseholds: {count: 900}\nagencies: {count: 12}\n")
    (tmp_path / "mandate.yaml").write_text(
        "name: mandate\nextends: baseline.yaml\npolicies:\n  contract_mandate: {enabled: true, enforcement: 0.0}\n"
        "  worker_fee_cap: {enabled: true, max_share: 0.1}\n")
    return PageSetup.create(tmp_path / "baseline.yaml")


def test_the_laws_chart_draws_compliance_only_where_a_law_is_in_force(setup):
    assert "laws" in charts.available_charts()
    m = LiveModel(setup=setup)
    m.set_twin("mandate.yaml")
    m.run_for(4)
    frame = charts.long_frame(charts.CHARTS["laws"], m.columns(), m.columns("twin"))
    labels = dict(charts.LAW_SERIES)
    run, twin = frame[frame["run"] == charts.RUN], frame[frame["run"] == charts.TWIN]
    # The run has no law: no compliance line, awareness at 0.
    assert set(run["series"]) == {labels["law_awareness"]} and (run["value"] == 0).all()
    # The twin has a contract law and a fee cap: their compliance and who knows of them, every month.
    drawn = set(twin["series"])
    assert {labels["contract_compliance"], labels["law_awareness"]} <= drawn
    assert labels["minimum_wage_compliance"] not in drawn
    contracts = twin[twin["series"] == labels["contract_compliance"]]
    assert contracts["value"].tolist() == pytest.approx(m.columns("twin")["contract_share"].tolist())
    spec = charts.spec(charts.CHARTS["laws"], m.columns(), m.columns("twin"), "mandate")
    assert spec["encoding"]["y"]["title"] == "share"
