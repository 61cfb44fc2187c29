"""domwork discover: PRIM finds the box a sweep's answer is known to lie in; the condition, its pairing, its refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model.experiments import discovery
from model.experiments.design import load_experiment
from model.experiments.sweep import run_sweep
from tests.helpers import BASELINE, assert_refused, cli

SEPARATION, HOUSEHOLDS, BARGAINING = "market.separation_rate", "households.count", "market.bargaining_power"
MANDATE = "policies.contract_mandate.enabled"


def fake_sweep(folder: Path, points: pd.DataFrame, runs: pd.DataFrame, *, levers: dict, uncertainties: dict,
               metrics: list[str], complete: bool = True) -> Path:
    """A sweep's folder as `domwork sweep` writes it, with runs whose answer the test chose."""
    folder.mkdir(parents=True)
    keys = [c for c in points.columns if c != "point"]
    experiment = {"name": "known", "replicates": int(runs["replicate"].max()) + 1, "metrics": metrics,
                  **({"levers": levers} if levers else {}), "uncertainties": uncertainties,
                  "sample": {"method": "lhs", "n": len(points)}}
    (folder / "experiment.yaml").write_text(yaml.safe_dump(experiment, sort_keys=False), encoding="utf-8")
    points.to_csv(folder / "points.csv", index=False)
    runs.to_csv(folder / "runs.csv", index=False)
    manifest = {"written_by": "domwork", "kind": "sweep", "complete": complete, "experiment": "known",
                "keys": keys, "metrics": metrics, "runs": len(runs), "runs_done": len(runs),
                "files": ["runs.csv", "points.csv", "experiment.yaml"]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def uncertainty_points(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({SEPARATION: rng.uniform(0.02, 0.06, n), HOUSEHOLDS: rng.integers(4000, 8001, n),
                         BARGAINING: rng.uniform(0.3, 0.7, n)})


UNCERTAINTIES = {SEPARATION: {"low": 0.02, "high": 0.06}, HOUSEHOLDS: {"low": 4000, "high": 8000},
                 BARGAINING: {"low": 0.3, "high": 0.7}}


def inside(frame: pd.DataFrame) -> np.ndarray:
    """The known answer: the condition holds exactly here."""
    return ((frame[SEPARATION] > 0.03) & (frame[HOUSEHOLDS] < 6000)).to_numpy()


@pytest.fixture
def plain_sweep(tmp_path) -> Path:
    """400 uncertainty points, no levers; unemployment above 5% exactly where separations are frequent and
    households few."""
    points = uncertainty_points(400)
    points.insert(0, "point", range(len(points)))
    rng = np.random.default_rng(2)
    rate = np.where(inside(points), 0.08, 0.03) + rng.uniform(-0.01, 0.01, len(points))
    runs = pd.DataFrame({"point": points["point"], "replicate": 0, "seed": 7, **{k: points[k] for k in UNCERTAINTIES},
                         "unemployment_rate": rate, "mean_wage": rng.uniform(4000, 5000, len(points))})
    return fake_sweep(tmp_path / "sweep", points, runs, levers={}, uncertainties=UNCERTAINTIES,
                      metrics=["unemployment_rate", "mean_wage"])


def lever_sweep(folder: Path, lever: str, values: list, n: int = 200, replicates: int = 2) -> tuple[Path, np.ndarray]:
    """Levers crossed with n uncertainty points; the second setting's employment falls by 50 exactly inside the
    known box and rises by 5 elsewhere. The reference runs' employment is noise, so a run paired with the wrong
    reference run would get the wrong effect."""
    base = uncertainty_points(n)
    points = pd.concat([base.assign(**{lever: v}) for v in values], ignore_index=True)[[lever, *UNCERTAINTIES]]
    points.insert(0, "point", range(len(points)))
    rows = points.loc[points.index.repeat(replicates)].reset_index(drop=True)
    rows.insert(1, "replicate", np.tile(range(replicates), len(points)))
    rows.insert(2, "seed", 100 + rows["replicate"])
    rng = np.random.default_rng(3)
    reference = rng.uniform(800, 1000, n * replicates)  # by uncertainty point and replicate
    setting = rows["point"] // n
    effect = np.where(setting == 0, 0.0, np.where(inside(rows), -50.0, 5.0))
    rows["employed"] = np.tile(reference, len(values)) + effect
    rows["contract_share"] = 0.1
    folder = fake_sweep(folder, points, rows, levers={lever: values}, uncertainties=UNCERTAINTIES,
                        metrics=["employed", "contract_share"])
    return folder, effect


def discover(folder: Path, where: str, **options):
    sweep = discovery.read_sweep(folder)
    return discovery.discover(sweep, discovery.cases(sweep, where), **options)


def box_limits(found, number: int = 1) -> dict:
    return {limit.parameter: limit for limit in found.boxes[number - 1].limits}


# --- the known answer ------------------------------------------------------------------------------


def test_prim_finds_the_box_where_the_condition_holds(plain_sweep):
    found = discover(plain_sweep, "unemployment_rate > 0.05")
    box = found.boxes[0]
    limits = box_limits(found)
    assert set(limits) == {SEPARATION, HOUSEHOLDS}  # the third uncertainty does not matter
    assert limits[SEPARATION].low == pytest.approx(0.03, abs=0.002) and limits[SEPARATION].high == 0.06
    assert limits[HOUSEHOLDS].high == pytest.approx(6000, abs=150) and limits[HOUSEHOLDS].low == 4000
    assert not limits[HOUSEHOLDS].low_limited and limits[HOUSEHOLDS].high_limited
    assert box.coverage >= 0.95 and box.density >= 0.95
    assert box.meets_threshold


def test_the_command_writes_boxes_trajectory_report_and_figure(plain_sweep, tmp_path, capsys):
    out = tmp_path / "found"
    assert cli(["discover", str(plain_sweep), "--where", "unemployment_rate > 0.05 and mean_wage > 0",
                "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "box 1: coverage" in printed and str(out) in printed
    boxes = pd.read_csv(out / "boxes.csv")
    assert list(boxes.columns) == ["box", "parameter", "low", "high", "coverage", "density"]
    assert set(boxes["parameter"]) == {SEPARATION, HOUSEHOLDS}
    assert (boxes["box"] == 1).all() and boxes["coverage"].nunique() == 1
    steps = pd.read_csv(out / "trajectory.csv")
    assert list(steps.columns) == ["box", "step", "coverage", "density", "mass", "runs", "restricted", "parameters",
                                   "chosen"]
    assert steps["chosen"].sum() == 1 and steps["coverage"].iloc[0] == 1.0
    chosen = steps[steps["chosen"]].iloc[0]
    assert chosen["density"] == pytest.approx(boxes["density"].iloc[0])
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "unemployment_rate > 0.05" in report and "of 400 runs meet it" in report
    assert re.search(r"`market\.separation_rate above 0\.0[23]\d*`, `households\.count below [56],\d{3}`", report)
    assert (out / "figures" / "discover.png").stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "discover" and manifest["prim"].startswith("ema_workbench")
    # Same input, same bytes.
    again = tmp_path / "again"
    assert cli(["discover", str(plain_sweep), "--where", "unemployment_rate > 0.05 and mean_wage > 0",
                "--out", str(again)]) == 0
    for name in ("boxes.csv", "trajectory.csv", "figures/discover.png"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_dotted_keys_in_backticks_and_arithmetic(plain_sweep):
    found = discover(plain_sweep, "`market.separation_rate` * 100 > 3 and not households.count >= 6000")
    assert found.cases.met.sum() == inside(found.sweep.runs).sum()


def test_a_second_box_is_kept_only_when_dense_enough(plain_sweep):
    found = discover(plain_sweep, "unemployment_rate > 0.05", boxes=3)
    assert len(found.boxes) == 1  # nothing is left outside the first box but noise
    assert found.next_density is not None and found.next_density < 0.8
    assert set(found.trajectory["box"]) == {1}


# --- effect() and change(): paired with the reference setting ------------------------------------


def test_effect_pairs_each_run_with_the_reference_run_of_its_point_and_replicate(tmp_path):
    folder, effect = lever_sweep(tmp_path / "sweep", MANDATE, [False, True])
    sweep = discovery.read_sweep(folder)
    runs = sweep.runs
    assert np.allclose(sweep.paired("effect", "employed"), effect)
    reference = runs["employed"].to_numpy()[sweep.reference_of]
    assert np.allclose(sweep.paired("change", "employed"), effect / reference)
    assert sweep.is_reference.sum() == len(runs) // 2
    assert sweep.reference_setting == {MANDATE: False}
    paired = runs.iloc[sweep.reference_of]
    assert (paired["replicate"].to_numpy() == runs["replicate"].to_numpy()).all()
    assert (paired[SEPARATION].to_numpy() == runs[SEPARATION].to_numpy()).all()


def test_effect_finds_where_the_policy_costs_jobs(tmp_path):
    folder, _ = lever_sweep(tmp_path / "sweep", MANDATE, [False, True])
    found = discover(folder, "effect(employed) < -20")
    assert found.cases.reference_runs == 400  # the reference setting's effect is 0 by definition: left out
    assert found.cases.used.sum() == 400 and found.cases.met.sum() == inside(found.sweep.runs)[400:].sum()
    limits = box_limits(found)
    assert set(limits) == {SEPARATION, HOUSEHOLDS}
    assert limits[SEPARATION].low == pytest.approx(0.03, abs=0.002)
    assert limits[HOUSEHOLDS].high == pytest.approx(6000, abs=150)
    assert found.boxes[0].coverage >= 0.95 and found.boxes[0].density >= 0.95
    relative = discover(folder, "change(employed) < -0.02")  # 50 of 800-1000 employed is 5-6%
    assert (relative.cases.met == found.cases.met).all()


def test_a_scenario_lever_is_a_category_and_boxes_csv_lists_the_values_kept(tmp_path):
    # The condition holds only under the package, and only in the known box: the box keeps that scenario.
    folder, _ = lever_sweep(tmp_path / "sweep", "scenario", ["baseline", "c189_package", "fee_ban"], n=150,
                            replicates=1)
    runs = pd.read_csv(folder / "runs.csv")
    runs["contract_share"] = np.where(inside(runs) & (runs["scenario"] == "c189_package"), 0.4, 0.1)
    runs.to_csv(folder / "runs.csv", index=False)
    out = tmp_path / "out"
    assert cli(["discover", str(folder), "--where", "contract_share > 0.3", "--out", str(out)]) == 0
    boxes = pd.read_csv(out / "boxes.csv").set_index("parameter")
    assert boxes.loc["scenario", "low"] == "c189_package" == boxes.loc["scenario", "high"]
    assert float(boxes.loc[SEPARATION, "low"]) == pytest.approx(0.03, abs=0.002)
    assert boxes["density"].iloc[0] >= 0.95 and boxes["coverage"].iloc[0] >= 0.95
    assert "`scenario c189_package`" in (out / "report.md").read_text(encoding="utf-8")


# --- refusals --------------------------------------------------------------------------------------


REFUSED = [
    ("employment_rate < 0.05", ["'employment_rate' is not a column", "did you mean 'unemployment_rate'"]),
    ("unemployment_rate >", ["not a valid condition"]),
    ("unemployment_rate = 0.05", ["not a valid condition", "=="]),
    ("unemployment_rate > 0.5", ["no run meets the condition", "unemployment_rate runs from"]),
    ("unemployment_rate > -1", ["every run meets the condition"]),
    ("effect(unemployment_rate) < 0", ["no levers"]),
    ("efect(unemployment_rate) < 0", ["not a function", "effect()"]),
    ("unemployment_rate < 0.05 & mean_wage > 0", ["'and'"]),
    ("unemployment_rate", ["gives numbers"]),
    ("unemployment_rate.to_csv('x') > 0", ["not a function"]),
    ("__import__('os').system('touch x') == 0", ["not a function"]),
    ("[unemployment_rate][0] > 0", ["not allowed"]),
    ("3 > 2", ["names no column"]),
    ("`market.separation_rate > 0.03", ["backtick"]),
]


@pytest.mark.parametrize(("where", "expected"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_bad_condition_exits_2_naming_folder_and_condition_and_writes_nothing(plain_sweep, tmp_path, capsys,
                                                                                  where, expected):
    out = tmp_path / "out"
    status = cli(["discover", str(plain_sweep), "--where", where, "--out", str(out)])
    err = capsys.readouterr().err
    assert_refused(status, err, str(plain_sweep), where, *expected)
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_a_folder_that_is_not_a_finished_sweep_exits_2(plain_sweep, tmp_path, capsys):
    folder, _ = lever_sweep(tmp_path / "unfinished", MANDATE, [False, True], n=20)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "complete": False, "runs_done": 30}),
                                          encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("mine", encoding="utf-8")
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    (run_folder / "manifest.json").write_text(json.dumps({"written_by": "domwork", "command": ["domwork", "run"]}),
                                              encoding="utf-8")
    cases = [(tmp_path / "missing", ["no such folder"]), (tmp_path / "notes", ["not a sweep's folder"]),
             (run_folder, ["domwork run", "not of a sweep"]), (folder, ["unfinished domwork sweep", "--resume"])]
    for path, expected in cases:
        out = tmp_path / "out"
        status = cli(["discover", str(path), "--where", "employed > 900", "--out", str(out)])
        assert_refused(status, capsys.readouterr().err, str(path), *expected)
        assert not out.exists()
    (plain_sweep / "points.csv").unlink()
    status = cli(["discover", str(plain_sweep), "--where", "unemployment_rate > 0.05", "--out", str(tmp_path / "o")])
    assert_refused(status, capsys.readouterr().err, "points.csv", "missing")


def test_bad_options_exit_2(plain_sweep, tmp_path, capsys):
    for option, value in (("--threshold", "1.5"), ("--boxes", "0")):
        status = cli(["discover", str(plain_sweep), "--where", "unemployment_rate > 0.05", option, value])
        assert_refused(status, capsys.readouterr().err, option)
    before = sorted(p.name for p in plain_sweep.iterdir())
    for out in (plain_sweep, plain_sweep / "found"):  # the sweep's own folder is never replaced nor filled
        status = cli(["discover", str(plain_sweep), "--where", "unemployment_rate > 0.05", "--out", str(out), "--force"])
        assert_refused(status, capsys.readouterr().err, "--out", "the sweep's folder")
    assert sorted(p.name for p in plain_sweep.iterdir()) == before


# --- a real sweep ----------------------------------------------------------------------------------


def test_a_real_sweep_with_levers_and_uncertainties_end_to_end(tmp_path, capsys):
    path = tmp_path / "mandate.yaml"
    path.write_text(f"""
name: mandate-discovery
scenario: {BASELINE}
set: {{workers.count: 200, households.count: 300, agencies.count: 4}}
replicates: 1
months: 8
metrics: [contract_share, employed]
levers:
  {MANDATE}: [false, true]
uncertainties:
  policies.contract_mandate.enforcement: {{low: 0.0, high: 1.0}}
  {SEPARATION}: {{low: 0.01, high: 0.05}}
sample: {{method: lhs, n: 12}}
""", encoding="utf-8")
    sweep_dir = tmp_path / "sweep"
    assert run_sweep(load_experiment(path), sweep_dir, workers=1).complete
    sweep = discovery.read_sweep(sweep_dir)
    effect = sweep.paired("effect", "contract_share")[~sweep.is_reference]
    middle = float(np.median(effect))
    out = tmp_path / "found"
    where = f"effect(contract_share) > {middle:.6f}"
    assert cli(["discover", str(sweep_dir), "--where", where, "--out", str(out)]) == 0
    boxes = pd.read_csv(out / "boxes.csv")
    # The mandate raises the contract share most where it is enforced: the box asks for enforcement.
    assert "policies.contract_mandate.enforcement" in set(boxes["parameter"])
    assert boxes["density"].iloc[0] >= 0.8
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"with {MANDATE} = false" in report and "of 12 runs meet it" in report
    assert (out / "figures" / "discover.png").exists()
