"""What a new user who knows Mesa tries first: the Python API, Mesa's tools, safe folders, honest output."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import ipyvuetify as v
import mesa
import numpy as np
import pytest
import solara
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.solara_viz import ModelController

from model import DomesticWorkModel, Worker, load_scenario
from model.core import metrics
from model.run import runner
from model.scenario.loading import ScenarioError
from tests.helpers import BASELINE, TINY, assert_refused, cli, write

ROOT = Path(__file__).resolve().parents[2]
TINY_KEYS = {"workers.count": 150, "households.count": 220, "agencies.count": 3}


# --- --force replaces only what domwork wrote ---------------------------------------------------------


@pytest.mark.parametrize("folder", ["docs-like", "results-like"])
def test_force_never_replaces_a_folder_that_domwork_did_not_write(folder, tmp_path, capsys):
    out = tmp_path / folder
    out.mkdir()
    write(out / "ODD.md", "the user's document\n")
    if folder == "results-like":  # a folder of earlier runs: each has a manifest, the folder itself has none
        (out / "run-1").mkdir()
        write(out / "run-1" / "manifest.json", '{"written_by": "domwork"}\n')
    status = cli(["run", str(BASELINE), *TINY, "--out", str(out), "--force"])
    assert_refused(status, capsys.readouterr().err, str(out), "no domwork command wrote")
    assert (out / "ODD.md").read_text() == "the user's document\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]


def test_a_manifest_that_is_not_ours_does_not_unlock_force(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    write(out / "manifest.json", '{"name": "some other tool"}\n')
    status = cli(["run", str(BASELINE), *TINY, "--out", str(out), "--force"])
    assert_refused(status, capsys.readouterr().err, "no domwork command wrote")
    assert (out / "manifest.json").exists()


def test_result_folders_are_readable_by_others(tmp_path):
    out = tmp_path / "out"
    previous = os.umask(0o022)
    try:
        assert cli(["run", str(BASELINE), *TINY, "--out", str(out)]) == 0
    finally:
        os.umask(previous)
    assert out.stat().st_mode & 0o777 == 0o755
    assert json.loads((out / "manifest.json").read_text())["written_by"] == "domwork"


# --- the Python API and Mesa's tools ---------------------------------------------------------------------


def test_run_model_ends_after_the_scenarios_months():
    model = DomesticWorkModel(months=3, **TINY_KEYS)
    model.run_model()
    assert (model.month, model.steps, model.running) == (3, 3, False)
    assert len(model.datacollector.get_model_vars_dataframe()) == 3


def test_the_data_collector_records_what_mesas_own_collect_would():
    model = DomesticWorkModel(months=4, **TINY_KEYS)
    reference = mesa.DataCollector(model_reporters=dict(model.datacollector.model_reporters))
    for _ in range(4):
        model.step()
        reference.collect(model)
    ours = model.datacollector.get_model_vars_dataframe()
    assert list(ours.columns) == list(metrics.COLUMNS)
    assert ours.equals(reference.get_model_vars_dataframe())
    assert model.datacollector._collection_steps == reference._collection_steps == [1, 2, 3, 4]


def test_a_reporter_added_to_the_data_collector_is_collected_by_mesa():
    model = DomesticWorkModel(months=2, **TINY_KEYS)
    model.datacollector._new_model_reporter("agents", lambda m: len(m.agents))
    model.run_model()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 2 and frame["agents"].iloc[-1] == len(model.agents)
    assert frame["employed"].iloc[-1] == model.metrics["employed"]


def test_month_counters_cannot_overflow():
    model = DomesticWorkModel(months=1, **TINY_KEYS)
    model.month = 1200  # MAX_MONTHS: the int16 counters (up to 32,767) stay far from overflowing
    with pytest.raises(RuntimeError, match="at most 1,200 months"):
        model.step()
    with pytest.raises(ScenarioError, match="months"):
        DomesticWorkModel(months=1201)


def test_batch_run_gives_a_row_for_every_run():
    rows = mesa.batch_run(DomesticWorkModel, parameters={"market.separation_rate": [0.03, 0.05], **TINY_KEYS},
                          rng=[1, 2], max_steps=4, number_processes=1, display_progress=False)
    assert sorted((r["rng"], r["market.separation_rate"]) for r in rows) == [(1, 0.03), (1, 0.05), (2, 0.03),
                                                                            (2, 0.05)]
    assert all(r["Step"] == 4 for r in rows)
    by_seed = {(r["rng"], r["market.separation_rate"]): r["employed"] for r in rows}
    again = DomesticWorkModel(rng=1, **{"market.separation_rate": 0.03}, **TINY_KEYS)
    again.run_for(4)
    assert again.params.seed == 1
    assert by_seed[(1, 0.03)] == again.metrics["employed"]


@pytest.mark.parametrize("given", ["path", "str", "dict", "nested", "scenario"])
def test_the_model_takes_a_scenario_a_path_or_a_dict(given):
    scenario = load_scenario(BASELINE, {"months": 2, **TINY_KEYS})
    argument = {"path": BASELINE, "str": str(ROOT / "scenarios" / "fee_cap.yaml"),
                "dict": {"months": 2, **TINY_KEYS},
                "nested": {"months": 2, "workers": {"count": 150}, "households": {"count": 220}},
                "scenario": scenario}[given]
    model = DomesticWorkModel(argument)
    model.run_model() if model.params.months <= 2 else model.run_for(2)
    assert model.month == 2
    if given == "str":
        assert model.params.policies.worker_fee_cap.enabled


def test_bad_arguments_raise_a_value_error_naming_the_key():
    with pytest.raises(ValueError, match=r"^DomesticWorkModel\(\): market\.separation_rate: .*less than or equal"):
        DomesticWorkModel(**{"market.separation_rate": 2.0})
    with pytest.raises(ValueError, match=r"unknown key 'markt\.separation_rate' \(did you mean 'market'\?\)"):
        DomesticWorkModel(**{"markt.separation_rate": 0.1})
    with pytest.raises(ValueError, match="rng: expected an integer seed"):
        DomesticWorkModel(rng=np.random.default_rng(1))
    with pytest.raises(ValueError, match="file not found"):
        DomesticWorkModel("no/such/file.yaml")
    with pytest.raises(ValueError, match="expected a Scenario, a path"):
        DomesticWorkModel(3.5)


def test_agent_views_refuse_writes_and_step_loudly():
    model = DomesticWorkModel(months=1, **TINY_KEYS)
    worker = model.agents_by_type[Worker].select(lambda a: a.status == "employed").to_list()[0]
    with pytest.raises(AttributeError, match=r"read-only.*model\.workers\.wage_yuan"):
        worker.wage_yuan = 1.0
    with pytest.raises(TypeError, match=r"call model\.step"):
        model.agents_by_type[Worker].do("step")
    assert worker.wage_yuan == float(model.workers.wage_yuan[worker.row])


def test_solaraviz_steps_and_resets_through_mesas_own_path():
    """Mesa's Reset re-instantiates the model with ``model_params`` and its own ``scenario``: it must work."""
    scenario = load_scenario(BASELINE, {"months": 6, **TINY_KEYS})
    model = solara.reactive(DomesticWorkModel(scenario))
    params = solara.reactive({"params": scenario, "rng": 7, "market.separation_rate": 0.08})

    @solara.component
    def Page():
        ModelController(model, model_parameters=params, play_interval=solara.reactive(100),
                        render_interval=solara.reactive(1), use_threads=solara.reactive(False))

    _, rc = solara.render(Page(), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.month == 1
    rc.find(v.Btn, children=["Reset"]).widget.click()
    fresh = model.value
    assert fresh.month == 0
    assert fresh.params.seed == 7 and fresh.params.market.separation_rate == 0.08
    assert fresh.params.workers.count == 150
    # The whole SolaraViz page builds on the model as on Mesa's examples.
    page = SolaraViz(fresh, components=[make_plot_component(["unemployment_rate"])], model_params={"params": scenario})
    solara.render(page, handle_error=False)


def test_the_readme_python_examples_run(tmp_path, monkeypatch):
    """Every ```python block of the README's Python API section runs as written."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 3
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # the README's own examples


# --- values hidden by an override; shares that must sum to 1 --------------------------------------------


def test_a_bad_set_value_is_refused_even_when_an_option_overrides_it(tmp_path, capsys):
    status = cli(["run", str(BASELINE), *TINY, "--set", "months=ten", "--months", "2", "--out", str(tmp_path / "o")])
    assert_refused(status, capsys.readouterr().err, "--set", "months", "valid integer")
    assert not (tmp_path / "o").exists()


def test_a_bad_file_value_is_refused_even_when_an_option_overrides_it(tmp_path, capsys):
    child = write(tmp_path / "child.yaml", f"extends: {BASELINE}\nmonths: 24.0\n")
    status = cli(["run", str(child), *TINY, "--months", "2", "--out", str(tmp_path / "o")])
    assert_refused(status, capsys.readouterr().err, str(child), "months", "valid integer")
    parent = write(tmp_path / "parent.yaml", "market:\n  separation_rate: 7\n")
    child = write(tmp_path / "child2.yaml", "extends: parent.yaml\nmarket:\n  separation_rate: 0.04\n")
    status = cli(["run", str(child), *TINY, "--out", str(tmp_path / "o")])
    assert_refused(status, capsys.readouterr().err, str(parent.resolve()), "market.separation_rate")


def test_an_option_error_names_its_key_once(capsys):
    status = cli(["run", str(BASELINE), *TINY, "--replicates", "0"])
    err = capsys.readouterr().err
    assert_refused(status, err, "--replicates")
    assert "replicates: replicates" not in err and "--replicates: replicates:" not in err


@pytest.mark.parametrize("block", ["workers.job_type_share", "demand.type_share"])
def test_shares_must_sum_to_one(block, tmp_path, capsys):
    status = cli(["run", str(BASELINE), *TINY, "--set", f"{block}.live_in_nanny=1.0"])
    assert_refused(status, capsys.readouterr().err, block, "sum to 1")
    loose = write(tmp_path / "s.yaml", f"{block.split('.')[0]}:\n  {block.split('.')[1]}:\n"
                  "    live_in_nanny: 0.5\n    live_out_cleaner: 0.5\n    elder_carer: 0.5\n    maternity_nurse: 0.1\n")
    status = cli(["run", str(loose), *TINY])
    assert_refused(status, capsys.readouterr().err, str(loose), block, "1.6")
    whole = {"live_in_nanny": 0.25, "live_out_cleaner": 0.25, "elder_carer": 0.25, "maternity_nurse": 0.25}
    scenario = load_scenario(None, {f"{block}.{k}": x for k, x in whole.items()})
    section, name = block.split(".")
    assert getattr(getattr(scenario, section), name).live_in_nanny == 0.25


def test_schema_states_the_sum_rule_and_prints_yaml_values(capsys):
    assert cli(["schema"]) == 0
    out = capsys.readouterr().out
    assert "workers.job_type_share.*: the shares must sum to 1" in out
    assert "default: null" in out and "default: None" not in out
    assert "default: false" in out and "default: False" not in out


def test_a_sub_commands_unknown_option_shows_its_own_usage(capsys):
    assert cli(["schema", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: domwork schema") and "unrecognized arguments: --json" in err


def test_a_child_does_not_inherit_its_parents_description(tmp_path):
    child = write(tmp_path / "c.yaml", f"extends: {ROOT / 'scenarios' / 'fee_cap.yaml'}\nname: mine\n")
    assert load_scenario(child).description == ""
    assert load_scenario(ROOT / "scenarios" / "fee_cap.yaml").description


# --- intervals that do not mislead; quiet still summarises ------------------------------------------------


def test_fewer_than_three_replicates_give_no_interval():
    assert runner.mean_interval(np.array([5.0])) == (5.0, None, None)
    assert runner.mean_interval(np.array([5.0, 6.0])) == (5.5, None, None)
    mean, low, high = runner.mean_interval(np.array([0.001, 0.002, 0.05]))
    assert low < 0 < mean < high  # not clipped: a share's interval may reach below 0


def test_the_summary_says_when_no_interval_can_be_given(tmp_path, capsys):
    out = tmp_path / "o"
    assert cli(["run", str(BASELINE), *TINY, "--replicates", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out  # --quiet (in TINY) hides progress, not the summary
    assert "no 95% interval can be given" in printed and "mean_wage" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["mean_wage"]["ci_low"] is None and summary["mean_wage"]["replicates"] == 2
