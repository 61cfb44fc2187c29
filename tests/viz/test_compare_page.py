"""The Compare page's analysis, link and job, without a browser."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from model.scenario.loading import ScenarioError
from model.viz import compare_page
from model.viz.compare_job import Analysis, Job, Option, resolve
from model.viz.controls import PageSetup


@pytest.fixture
def setup(tmp_path: Path) -> PageSetup:
    (tmp_path / "baseline.yaml").write_text(
        "name: small\nseed: 7\nmonths: 24\nworkers: {count: 300}\nhouseholds: {count: 450}\nagencies: {count: 6}\n")
    (tmp_path / "ban.yaml").write_text(
        "name: ban\nextends: baseline.yaml\npolicies:\n  worker_fee_cap: {enabled: true, max_share: 0.0}\n")
    return PageSetup.create(tmp_path / "baseline.yaml")


def test_a_link_holds_the_whole_analysis_and_its_version():
    analysis = Analysis("baseline.yaml", (Option("ban.yaml"), Option("", ("policies.training.enabled=true",))),
                        months=12, replicates=4, precision=("formal_share=0.01",), seed=11)
    assert Analysis.from_query(analysis.query()) == analysis
    assert Analysis.from_query("page=compare") is None
    found, problem, warning = compare_page._from_link(analysis.query().replace("v=0", "v=9"))
    assert found is not None and not problem and "This link was made with domwork 9" in warning
    assert "not a whole number" in compare_page._from_link("ref=a.yaml&months=ten")[1]


@pytest.mark.parametrize(("analysis", "message"), [
    (Analysis("baseline.yaml", ()), "add at least one option"),
    (Analysis("baseline.yaml", tuple(Option("ban.yaml") for _ in range(6))), "at most 5 options"),
    (Analysis("baseline.yaml", (Option("ban.yaml"),), months=0), "Months: 0 is out of range"),
    (Analysis("baseline.yaml", (Option("ban.yaml"),), precision=("nope=1",)), "unknown metric 'nope'"),
    (Analysis("../baseline.yaml", (Option("ban.yaml"),)), "not one of the scenarios this page offers"),
    (Analysis("baseline.yaml", (Option("/etc/passwd"),)), "not one of the scenarios this page offers"),
    (Analysis("baseline.yaml", (Option("ban.yaml", ("market.nothere=1",)),)), "nothere"),
])
def test_bad_analyses_are_refused_with_a_message(setup, analysis, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve(analysis, setup.path_of)


def test_options_run_in_the_reference_city_and_the_command_reproduces_them(setup):
    analysis = Analysis("baseline.yaml", (Option("project: fee_cap.yaml"), Option("", ("policies.training.enabled=true",))),
                        months=6, replicates=2)
    resolved = resolve(analysis, setup.path_of)
    assert resolved.labels == ["small", "fee_cap", "small+2"]
    assert all("count: 300" in text for text in resolved.yamls)  # the project's fee cap in the small city
    assert resolved.argv == ["domwork", "compare", "small.yaml", "fee_cap.yaml", "small_2.yaml", "--replicates", "2",
                             "--months", "6"]
    assert resolve(analysis, setup.path_of).key == resolved.key
    assert resolve(Analysis("baseline.yaml", analysis.options, months=7, replicates=2), setup.path_of).key != resolved.key


def test_cancel_stops_the_job_and_leaves_nothing(setup, tmp_path):
    analysis = Analysis("baseline.yaml", (Option("ban.yaml"),), months=120, replicates=8)
    job = Job(analysis, resolve(analysis, setup.path_of), root=tmp_path / "cache")
    job.start()
    assert job.poll() == "running"
    time.sleep(1.0)
    job.cancel()
    assert job.state == "cancelled" and job.process.poll() is not None
    assert list((tmp_path / "cache").iterdir()) == []
