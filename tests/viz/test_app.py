"""The live app without a browser: the model behind the page, its controls, its components rendered by solara."""

from __future__ import annotations

import ast
import hashlib
import socket
import subprocess
import sys
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara
from mesa.visualization.utils import force_update

from model.cli import main
from model.core import metrics
from model.scenario.loading import load_scenario, to_yaml
from model.viz import assets, charts, city_map, controls, panels, text
from model.viz.controls import PageSetup, model_params, moved
from model.viz.live import MAX_LIVE_WORKERS, LiveModel, Spare
from model.viz.vega import LiveVega

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"workers.count": 600, "households.count": 900, "agencies.count": 12}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A scenario folder: a small baseline, a fee cap over it, and one that does not validate."""
    (tmp_path / "baseline.yaml").write_text(
        "name: small\nseed: 7\nmonths: 24\nworkers: {count: 600}\nhouseholds: {count: 900}\nagencies: {count: 12}\n")
    (tmp_path / "fee_ban.yaml").write_text(
        "name: fee_ban\nextends: baseline.yaml\npolicies:\n  worker_fee_cap: {enabled: true, max_share: 0.0, "
        "enforcement: 1.0}\n")
    (tmp_path / "broken.yaml").write_text("name: broken\nextends: baseline.yaml\nmarket: {separation_rate: 7}\n")
    return tmp_path


@pytest.fixture
def setup(folder: Path) -> PageSetup:
    return PageSetup.create(folder / "baseline.yaml")


# --- the model behind the page ---------------------------------------------------


def _frame(columns) -> pd.DataFrame:
    """A model's time series so far (``LiveModel.columns``) as a frame, one row a month."""
    return pd.DataFrame(dict(columns))


def test_twin_of_the_same_scenario_is_the_same_run(setup):
    """Same seed, same random streams: a twin of the run's own scenario differs by nothing at all."""
    m = LiveModel(setup=setup)
    m.set_twin("baseline.yaml")
    m.run_for(6)
    pd.testing.assert_frame_equal(_frame(m.columns()), _frame(m.columns("twin")))


def test_twin_switched_on_late_catches_up_to_the_same_months(setup):
    early = LiveModel(setup=setup)
    early.set_twin("fee_ban.yaml")
    early.run_for(5)
    late = LiveModel(setup=setup)
    late.run_for(3)
    late.set_twin("fee_ban.yaml")
    assert late.twin.month == 3
    late.run_for(2)
    assert late.twin.month == late.month == 5
    pd.testing.assert_frame_equal(_frame(early.columns("twin")), _frame(late.columns("twin")))
    pd.testing.assert_frame_equal(_frame(early.columns()), _frame(late.columns()))


def test_a_spare_model_goes_to_one_session_is_the_fresh_one_and_is_dropped_when_its_file_changes(setup):
    """The model built ahead for the next visitor is the one her page would build, and nobody else's."""
    spare = Spare(setup, refill_after_s=0.0)
    spare.start()
    first = spare.take()  # waits for the build underway
    assert first is not None and first.month == 0 and first.fingerprint == LiveModel(setup=setup).fingerprint
    second = spare.take()  # given once: the next one is another model
    assert second is not None and second is not first and second.fingerprint == first.fingerprint
    spare.wait()
    setup.launch.write_text(setup.launch.read_text().replace("seed: 7", "seed: 8"))
    assert spare.take() is None  # built before its launch file changed: the page reads the file again


def test_twin_differs_by_the_policy(setup):
    m = LiveModel("fee_ban.yaml", setup=setup)
    m.set_twin("baseline.yaml")
    m.run_for(4)
    assert m.twin.params.seed == m.params.seed
    assert m.params.policies.worker_fee_cap.enabled and not m.twin.params.policies.worker_fee_cap.enabled
    run, twin = m.columns(), m.columns("twin")
    assert run["worker_fees_paid"].sum() < twin["worker_fees_paid"].sum()
    # Population set-up draws come from the same streams: the first month starts from the same city.
    assert m.twin.workers.n == m.workers.n or m.month > 0


def test_twin_shares_the_non_policy_settings_moved_on_the_page(setup):
    m = LiveModel(setup=setup, **{"market.separation_rate": 0.05, "policies.minimum_wage.enabled": True})
    m.set_twin("baseline.yaml")
    assert m.twin.params.market.separation_rate == 0.05
    assert not m.twin.params.policies.minimum_wage.enabled


def test_moved_controls_override_the_picked_scenario_others_leave_it(setup):
    m = LiveModel("fee_ban.yaml", setup=setup, **{"policies.worker_fee_cap.enabled": False,
                                                  "policies.minimum_wage.enabled": True})
    # The fee cap's switch is at its starting position (off in the launch scenario): fee_ban's own value holds.
    assert m.params.policies.worker_fee_cap.enabled
    assert m.params.policies.minimum_wage.enabled
    assert m.overrides == {"policies.minimum_wage.enabled": True}
    assert m.problems == []


def test_reset_path_builds_the_model_from_model_params(setup):
    """What Mesa's Reset does: the model class called with every parameter, and its own scenario object."""
    from mesa.experimental.scenarios import Scenario as MesaScenario

    params = model_params(setup)
    kwargs = {key: (spec["value"] if isinstance(spec, dict) else spec) for key, spec in params.items()}
    kwargs["policies.contract_mandate.enabled"] = True
    m = LiveModel(**kwargs, scenario=MesaScenario())
    assert m.params.policies.contract_mandate.enabled
    assert m.params.name == "small" and m.problems == []


def test_a_scenario_that_no_longer_validates_gives_a_message_and_a_running_model(setup):
    m = LiveModel("broken.yaml", setup=setup)
    assert "broken.yaml: market.separation_rate" in m.problems[0]
    assert "less than or equal to 1" in m.problems[0]
    assert m.problems[-1] == "Running baseline.yaml instead."
    m.step()  # the page goes on with the launch scenario
    assert m.label == "baseline.yaml" and m.month == 1


@pytest.mark.parametrize(("settings", "message"), [
    ({"seed": "abc"}, "Seed: 'abc' is not a whole number"),
    ({"seed": "-1"}, "page control: seed: Input should be greater than or equal to 0"),
    ({"policies.minimum_wage.enforcement": 1.5}, "policies.minimum_wage.enforcement: Input should be less than"),
])
def test_bad_settings_give_a_message_naming_the_control(setup, settings, message):
    m = LiveModel(setup=setup, **settings)
    assert any(message in problem for problem in m.problems), m.problems
    assert m.params.seed == 7 and m.params.policies.minimum_wage.enforcement == 0.5


def test_a_city_too_big_for_the_page_is_refused_with_a_message(setup, folder):
    (folder / "huge.yaml").write_text(f"name: huge\nworkers: {{count: {MAX_LIVE_WORKERS + 1}}}\n")
    m = LiveModel("huge.yaml", setup=setup)
    assert "too big for the live page" in m.problems[0]
    assert m.workers.n == 600


def test_a_twin_that_does_not_validate_leaves_the_twin_off(setup):
    m = LiveModel(setup=setup)
    m.set_twin("broken.yaml")
    assert m.twin is None and "Policy twin" in m.twin_problem and "separation_rate" in m.twin_problem


# --- controls ------------------------------------------------------------------------


def test_every_policy_lever_has_a_control_within_its_range(setup):
    params = model_params(setup)
    policies = load_scenario().policies
    for name in type(policies).model_fields:
        for key in type(getattr(policies, name)).model_fields:
            spec = params[f"policies.{name}.{key}"]
            if spec["type"] != "Checkbox":
                assert spec["min"] <= spec["value"] <= spec["max"], (name, key, spec)
    assert params["policies.worker_fee_cap.enforcement"]["max"] == 1.0
    assert params["policies.minimum_wage.start_month"]["max"] == 24  # the scenario's months
    offered = params[controls.SCENARIO_KEY]["values"]
    assert offered[:3] == ["baseline.yaml", "broken.yaml", "fee_ban.yaml"]  # the user's folder, by name
    assert "project: fee_cap.yaml" in offered  # then the project's scenarios
    assert all("/" not in name for name in offered)


def test_controls_start_at_the_scenarios_exact_values_and_an_untouched_control_changes_nothing(folder):
    """Values off any round grid (20.3 yuan an hour, 0.0026 a month, 121 months) are kept exactly."""
    (folder / "odd.yaml").write_text(
        "name: odd\nextends: baseline.yaml\nmonths: 121\nmarket: {separation_rate: 0.0026}\n"
        "policies:\n  minimum_wage: {enabled: true, hourly: 20.3, monthly: 2110}\n")
    setup = PageSetup.create(folder / "odd.yaml")
    items = controls.controls(setup)
    for key, exact in (("policies.minimum_wage.hourly", 20.3), ("market.separation_rate", 0.0026),
                       ("months", 121), ("policies.minimum_wage.monthly", 2110.0)):
        item = items[key]
        assert item.start == exact and item.low <= exact <= item.high
        # the start is a position of the slider: it has nothing to snap
        assert abs((exact - item.low) / item.step - round((exact - item.low) / item.step)) < 1e-6, (key, item)
        assert not item.moved(exact) and not item.moved(exact + item.step / 3)  # a snap is not a move
        assert item.moved(exact + item.step)
    assert items["policies.minimum_wage.hourly"].text(20.3) == "20.3 yuan/hour"
    assert items["market.separation_rate"].text(0.0026) == "0.0026 per month"
    snapped = {"policies.minimum_wage.hourly": 20.5, "market.separation_rate": 0.003, "months": 121}
    snapped = {k: v for k, v in snapped.items() if not items[k].moved(v)}
    m = LiveModel(setup=setup, **snapped)
    assert m.overrides == {}
    assert m.fingerprint == LiveModel(setup=setup).fingerprint
    assert m.fingerprint == hashlib.sha256(to_yaml(load_scenario(folder / "odd.yaml")).encode()).hexdigest()[:12]


@pytest.mark.parametrize("name", ["../secret.yaml", "/etc/passwd", "sub/baseline.yaml", "nothere.yaml"])
def test_the_page_never_opens_a_path_it_is_sent(setup, folder, name):
    secret = folder.parent / "secret.yaml"
    secret.write_text("name: secret\nsecret_key_name: 1\n")
    m = LiveModel(name, setup=setup)
    assert any("not one of the scenarios this page offers" in p for p in m.problems), m.problems
    assert not any("secret_key_name" in p for p in m.problems)
    assert m.label == "baseline.yaml"
    m.set_twin(name)
    assert m.twin is None and "not one of the scenarios" in m.twin_problem


def test_page_settings_are_read_again_at_every_reset(setup):
    settings: dict = {}
    assert not LiveModel(setup=setup, page_settings=settings).params.policies.minimum_wage.enabled
    settings["policies.minimum_wage.enabled"] = True
    settings[controls.SCENARIO_KEY] = "fee_ban.yaml"
    m = LiveModel(setup=setup, page_settings=settings)
    assert m.params.policies.minimum_wage.enabled and m.params.policies.worker_fee_cap.enabled


def test_moved_reports_only_controls_off_their_start(setup):
    start = {key: spec["value"] for key, spec in model_params(setup).items() if isinstance(spec, dict)}
    assert moved(setup, start) == {}
    assert moved(setup, {**start, "market.separation_rate": 1, "seed": " 9 "}) == {
        "market.separation_rate": 1.0, "seed": 9}


# --- components -----------------------------------------------------------------------


def _validate(vega_spec: dict) -> None:
    """Check a spec against the Vega-Lite schema that Altair ships."""
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import load_schema

    validate_jsonschema(vega_spec, load_schema())


def test_scorecard_is_offered_exactly_when_its_columns_exist():
    assert ("scorecard" in charts.available_charts()) == ("decent_work_share" in metrics.COLUMNS)
    assert {"wages", "formalization", "unemployment", "channels", "fees", "agencies"} <= set(
        charts.available_charts())
    assert ("hours" in charts.available_charts()) == ("mean_hours_week" in metrics.COLUMNS)
    assert ("arrangements" in charts.available_charts()) == ("live_in_share" in metrics.COLUMNS)
    scorecard = [column for column, _ in charts.CHARTS["scorecard"].series]
    assert ("c189_weekly_rest_share" in scorecard) == ("c189_weekly_rest_share" in metrics.COLUMNS)


@pytest.mark.skipif("mean_hours_week" not in metrics.COLUMNS, reason="the model reports no hours")
def test_hours_and_arrangements_are_charted_and_headlined(setup):
    """Mean hours a week and the arrangement shares over the months; hours, hourly pay and shares in the panel."""
    m = LiveModel(setup=setup)
    m.run_for(3)
    hours = charts.long_frame(charts.CHARTS["hours"], m.columns(), None)
    assert hours["month"].tolist() == [1, 2, 3]
    assert hours["value"].tolist() == pytest.approx(m.columns()["mean_hours_week"].tolist())
    assert (hours["value"] > 0).all()
    shares = charts.long_frame(charts.CHARTS["arrangements"], m.columns(), None)
    assert set(shares["series"]) <= {label for _, label in charts.CHARTS["arrangements"].series}
    three = shares[shares["series"] != "two or more employers this month"]
    assert three.groupby("month")["value"].sum().tolist() == pytest.approx([1.0] * 3)  # live-in, live-out, hourly
    chart = charts.spec(charts.CHARTS["hours"], m.columns(), None)
    assert chart["encoding"]["y"]["title"] == "hours a week"
    text = panels.headline_markdown(m)
    row = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in text.splitlines()
           if line.startswith("| ") and line.count("|") == 3}
    assert float(row["mean hours a week (employed)"]) == pytest.approx(m.metrics["mean_hours_week"], abs=0.05)
    assert float(row["mean hourly wage (yuan/h)"]) == pytest.approx(m.metrics["mean_hourly_wage"], abs=0.05)
    arrangements = ("live-in (main job)", "live-out full-time (main job)", "hourly or day work (main job)")
    assert sum(float(row[label].rstrip("%")) for label in arrangements) == pytest.approx(100.0, abs=0.2)
    assert row["weekly rest, 24 hours in a row (C189 Art. 10)"].endswith("%")
    labels = list(row)
    assert labels.index("mean hourly wage (yuan/h)") == labels.index("median wage (yuan/month)") + 1
    assert labels.index("weekly rest, 24 hours in a row (C189 Art. 10)") == (
        labels.index("decent work (all four standards)") + 1)


def test_chart_specs_validate_and_months_without_pay_are_left_out(setup):
    m = LiveModel(setup=setup)
    m.set_twin("fee_ban.yaml")
    m.run_for(3)
    for name in charts.available_charts():
        _validate(charts.spec(charts.CHARTS[name], m.columns(), m.columns("twin"), m.twin_label))
        _validate(charts.spec(charts.CHARTS[name], None, None))
    frame = _frame(m.columns())
    frame.loc[0, "mean_wage_maternity_nurse"] = 0.0
    data = charts.long_frame(charts.CHARTS["wages_by_type"], frame, None)
    nurse = data[data["series"] == "maternity nurse"]
    assert nurse["month"].tolist() == [2, 3]
    assert set(charts.long_frame(charts.CHARTS["fees"], m.columns(), m.columns("twin"))["run"]) == {"this run", "twin"}


def test_map_draws_a_sample_of_workers_every_agency_and_the_urban_villages(setup):
    m = LiveModel(setup=setup)
    m.run_for(2)
    points = city_map.points_frame(m)
    workers = points[points["kind"] == "worker"]
    states = city_map.worker_states(m)
    assert set(workers["state"]) <= set(city_map.WORKER_STATES)
    assert len(workers) <= city_map.MAX_WORKERS_DRAWN + len(states)
    assert len(workers) == sum(rows.size for rows in states.values())  # 600 workers: all drawn
    assert (points["kind"] == "agency").sum() == m.metrics["agencies_active"]
    half = m.params.city.grid_size * m.params.city.cell_km / 2
    assert points["x"].between(-half, half).all() and points["y"].between(-half, half).all()
    cells = city_map.cells_frame(m)
    assert cells["urban_village"].sum() == m.city.urban_villages.size
    # Positions are fixed per row: the same worker stays on the same spot while her state holds.
    again = city_map.points_frame(m)
    pd.testing.assert_frame_equal(points, again)
    _validate(city_map.spec(m))


def test_map_sample_is_bounded_at_scale():
    rows = np.arange(40_000)
    assert city_map._sample(rows, 1200).size <= 1200
    assert city_map._sample(rows[:50], 1200).size == 50


def test_built_in_baseline_is_offered_by_name():
    setup = PageSetup.create(None)
    assert setup.scenario_files()[0] == controls.BUILT_IN and "fee_cap.yaml" in setup.scenario_files()
    m = LiveModel(controls.BUILT_IN, setup=setup, **{"months": 24})
    assert m.label == "built-in baseline" and m.problems == [] and m.params.months == 24
    m.set_twin(controls.BUILT_IN)
    assert m.twin is not None and m.twin.params.name == "baseline"


def test_calendar_month_and_year(tmp_path):
    m = LiveModel(setup=PageSetup.create(None), **{"months": 24})
    assert panels.calendar_label(m).startswith("Before the first month")
    m.run_for(14)
    assert panels.calendar_label(m) == "February 2017 (month 14 of 24)"
    (tmp_path / "late.yaml").write_text("name: late\nstart_year: 2019\nstart_month: 11\nworkers: {count: 300}\n"
                                        "households: {count: 400}\nagencies: {count: 4}\n")
    later = LiveModel(setup=PageSetup.create(tmp_path / "late.yaml"))
    later.run_for(3)
    assert panels.calendar_label(later) == "January 2020 (month 3 of 120)"


def test_difference_panel_shows_run_twin_and_difference(setup):
    m = LiveModel("fee_ban.yaml", setup=setup)
    assert "Policy twin is off" in panels.difference_markdown(m)
    m.set_twin("baseline.yaml")
    m.run_for(2)
    text = panels.difference_markdown(m)
    assert "fee_ban.yaml minus baseline.yaml" in text
    fees = next(line for line in text.splitlines() if line.startswith("| fees paid by workers"))
    run, twin, diff = (float(cell.replace(",", "").replace("+", "")) for cell in fees.split("|")[2:5])
    assert diff == pytest.approx(run - twin, abs=1)


def test_panels_are_html_tables_with_the_users_markup_escaped():
    """A file name is the user's: markup in it shows as text, it does not become part of the page."""
    html = text.markdown_html("### <img src=x onerror=alert(1)>.yaml\n\n| figure | value |\n|---|---:|\n"
                                "| employed | 1,234 |")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;.yaml" in html
    assert "<table>" in html and '<td style="text-align:right">1,234</td>' in html


def _markdown(rc) -> str:
    """The HTML of every text panel rendered."""
    return " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                    if "domwork-panel" in w.attributes.get("class", ""))


@solara.component
def Harness(model: LiveModel, setup: PageSetup, panels_only: bool = False):
    """The page's components around one model, as the page lays them out (without Mesa's sidebar)."""
    reactive = solara.use_reactive(model)
    with solara.Column() as column:
        panels.TwinBar(reactive, setup.scenario_files(), "baseline.yaml")
        if not panels_only:
            panels.Headlines(reactive.value)
            panels.Differences(reactive.value)
            city_map.CityMap(reactive.value)
            for name in charts.available_charts():
                charts.LiveChart(reactive.value, name)
    return column


@pytest.fixture
def page(setup):
    model = LiveModel("fee_ban.yaml", setup=setup)
    _box, rc = solara.render(Harness(model, setup), handle_error=False)
    return model, rc


def test_components_render_the_month_map_and_charts_and_follow_a_step(page):
    model, rc = page
    assert "Before the first month" in _markdown(rc)
    plots = rc.find(LiveVega).widgets
    assert len(plots) == 1 + len(charts.available_charts())
    wages_before = plots[1].spec["datasets"]["table"]
    model.step()
    force_update()
    assert "January 2016 (month 1 of 24)" in _markdown(rc)
    assert rc.find(LiveVega).widgets[1].spec["datasets"]["table"] != wages_before


def test_twin_switch_runs_the_twin_and_shows_the_differences(page):
    model, rc = page
    assert "Policy twin is off" in _markdown(rc)
    rc.find(v.Switch, label="Policy twin").widget.v_model = True
    assert model.twin is not None and model.twin_label == "baseline.yaml"
    model.step()
    force_update()
    text = _markdown(rc)
    assert "Differences: fee_ban.yaml minus baseline.yaml" in text
    assert "fees paid by workers" in text
    for col, label, _ in panels.HEADLINES:  # hours, hourly pay and arrangements among them, where reported
        assert f"<td>{label}</td>" in text, col
    rc.find(v.Switch, label="Policy twin").widget.v_model = False
    assert model.twin is None


def test_twin_bar_shows_the_models_problems(setup):
    model = LiveModel("broken.yaml", setup=setup)
    _box, rc = solara.render(Harness(model, setup, panels_only=True), handle_error=False)
    alerts = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
    assert "market.separation_rate" in alerts and "Running baseline.yaml instead." in alerts


# --- assets and the command line ------------------------------------------------------


def test_asset_versions_are_the_ones_solara_asks_for():
    assert all(assets.named_by_solara().values()), assets.named_by_solara()


def test_missing_assets_are_listed(tmp_path):
    assert assets.missing(tmp_path) == [folder for folder, _ in assets.PACKAGES]
    done = tmp_path / "requirejs@2.3.6"
    done.mkdir()
    (done / assets.COMPLETE).write_text("requirejs@2.3.6\n")
    assert "requirejs@2.3.6" not in assets.missing(tmp_path)


def test_viz_refuses_a_bad_scenario(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: -3\n")
    assert main(["viz", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml: seed: Input should be greater than or equal to 0" in err


def test_a_session_beyond_the_cap_is_not_admitted_and_a_closed_one_gives_its_place_back(monkeypatch):
    from model.viz import sessions

    monkeypatch.setenv(sessions.MAX_SESSIONS_ENV, "2")
    monkeypatch.setattr(sessions, "_sessions", {})
    a, b, c = (sessions.open_session(k) for k in ("a", "b", "c"))
    assert (a.admitted, b.admitted, c.admitted) == (True, True, False)

    class Job:
        cancelled = False

        def cancel(self):
            self.cancelled = True

    job = Job()
    a.jobs.append(job)
    a.city = object()
    sessions.close_session("a")
    assert job.cancelled and a.city is None
    assert sessions.open_session("d").admitted
    assert sessions.open_count() == (2, 3)


def test_listening_beyond_loopback_is_warned_about(tmp_path, capsys, monkeypatch):
    from model.viz import server

    assert server.exposure_warning("127.0.0.1") is None and server.exposure_warning("localhost") is None
    assert "beyond this machine" in server.exposure_warning("0.0.0.0")
    said = []
    monkeypatch.setattr(server, "check_port", lambda host, port: None)
    monkeypatch.setattr(server, "start", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        server.serve(None, "0.0.0.0", 8765, say=said.append)
    assert "WARNING: listening on 0.0.0.0" in said[0]
    assert main(["viz", "--max-sessions", "0"]) == 2
    assert "--max-sessions 0: must be at least 1" in capsys.readouterr().err


def test_viz_refuses_a_port_in_use(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["viz", "--port", str(port)]) == 2
    assert f"--port {port}: cannot listen there" in capsys.readouterr().err
    assert main(["viz", "--port", "70000"]) == 2


def test_map_views_show_arrangements_and_where_the_twin_differs(folder):
    (folder / "mandate.yaml").write_text(
        "name: mandate\nextends: baseline.yaml\npolicies:\n  contract_mandate: {enabled: true, enforcement: 0.9}\n")
    m = LiveModel(setup=PageSetup.create(folder / "baseline.yaml"))
    m.run_for(3)
    jobs = city_map.worker_states(m, "jobs")
    by_arrangement = city_map.worker_states(m, "arrangements")
    assert set(by_arrangement) == set(city_map.ARRANGEMENT_STATES)
    employed = jobs["informal job"].size + jobs["formal job"].size
    assert sum(by_arrangement[k].size for k in ("live-in", "live-out", "hourly or day work")) == employed
    points = city_map.points_frame(m, "arrangements")
    assert set(points.loc[points["kind"] == "worker", "state"]) <= set(city_map.ARRANGEMENT_STATES)
    _validate(city_map.spec(m, "arrangements"))
    # No twin: every difference is 0 and the map says how to get one.
    alone = city_map.spec(m, "twin")
    assert "no policy twin" in alone["title"]["subtitle"]
    assert {row["formal_jobs"] for row in alone["data"]["values"]} == {0}
    _validate(alone)
    jobs_here, formal_here = city_map.jobs_by_cell(m)
    assert 0 < jobs_here.sum() <= m.metrics["employed"] and formal_here.sum() <= jobs_here.sum()
    # A twin with the contract mandate: the neighbourhoods' differences add up to the city's.
    m.set_twin("mandate.yaml")
    assert m.twin is not None, m.twin_problem
    m.run_for(2)
    frame = city_map.twin_frame(m)
    twin_jobs, twin_formal = city_map.jobs_by_cell(m.twin)
    here_jobs, here_formal = city_map.jobs_by_cell(m)
    assert frame["formal_jobs"].sum() == twin_formal.sum() - here_formal.sum()
    assert frame["jobs"].sum() == twin_jobs.sum() - here_jobs.sum()
    drawn = city_map.spec(m, "twin")
    assert "mandate" in drawn["title"]["subtitle"] and "formal jobs" in drawn["title"]["subtitle"]
    assert frame["formal_jobs"].sum() > 0, "a mandate enforced at 0.9 brings no formal job"
    _validate(drawn)


def test_the_app_file_imports_neither_mesa_nor_the_model_so_the_server_answers_first():
    """`solara run` executes app.py before it answers: Mesa, the model and the pages load in a thread after."""
    app = Path(__file__).parents[2] / "model" / "viz" / "app.py"
    tree = ast.parse(app.read_text())
    top = {alias.name if isinstance(node, ast.Import) else node.module
           for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}
    assert top == {"__future__", "threading", "warnings", "collections.abc", "urllib.parse", "solara", "model.viz",
                   "model.viz.vega"}
    probe = "import sys, solara, model.viz.text, model.viz.vega; print(sorted(m for m in sys.modules if m == 'mesa' " \
            "or m.startswith(('mesa.', 'model.viz.city', 'model.model', 'numba', 'altair', 'matplotlib'))))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
