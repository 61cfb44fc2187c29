"""`domwork compare --posterior`: replicate k runs parameter set k and seed k; the variance of each
effect splits into its parameter and stochastic parts; bad posterior files are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import load_scenario
from model.experiments import posterior_draws
from model.experiments.posterior_draws import load_posterior, split_variance
from tests.helpers import BASELINE, assert_refused, cli, write

ROOT = Path(__file__).resolve().parents[2]
SIZE = {"workers.count": 250, "households.count": 375, "agencies.count": 3}
SETS = [arg for key, value in SIZE.items() for arg in ("--set", f"{key}={value}")]


def posterior_file(folder: Path, rows: list[tuple[float, int, float]]) -> Path:
    lines = ["market.separation_rate,agencies.capacity,weight"]
    lines += [f"{a},{b},{w}" for a, b, w in rows]
    return write(folder / "posterior.csv", "\n".join(lines) + "\n")


def test_the_variance_splits_into_parameter_and_stochastic_parts():
    rng = np.random.default_rng(7)
    pairs = 4000
    effect = np.repeat(rng.normal(0.0, 2.0, pairs), 2)  # one parameter set a pair: variance 4
    noise = rng.normal(0.0, 1.0, 2 * pairs)  # each seed its own: variance 1
    parameter, stochastic, of_mean = split_variance(effect + noise)
    assert parameter == pytest.approx(4.0, rel=0.06) and stochastic == pytest.approx(1.0, rel=0.06)
    assert of_mean == pytest.approx((4.0 + 0.5) / pairs, rel=0.1)
    _, low, high, share = posterior_draws.interval(effect + noise)
    assert share == pytest.approx(0.8, abs=0.02)
    assert high - low == pytest.approx(2 * 1.96 * np.sqrt(4.0 + 4.5 / pairs), rel=0.05)
    # Seeds alone: nothing to the parameters; parameters alone: everything.
    assert posterior_draws.interval(rng.normal(0.0, 1.0, 400))[3] < 0.1
    assert posterior_draws.interval(np.repeat(rng.normal(0.0, 1.0, 200), 2))[3] == 1.0
    assert split_variance(np.array([1.0, 2.0, 3.0])) == (None, None, None)  # one full pair


def test_draws_follow_the_weights_in_pairs(tmp_path):
    path = posterior_file(tmp_path, [(0.01, 20, 0.5), (0.02, 25, 0.0), (0.03, 30, 0.3), (0.04, 35, 0.2)])
    draws = load_posterior(path, load_scenario(BASELINE))
    rows = [draws.row(k) for k in range(4000)]
    assert rows[0::2] == rows[1::2], "the two seeds of a draw run the same set"
    share = np.bincount(rows, minlength=4) / len(rows)
    assert share[1] == 0.0, "a set of weight 0 is never drawn"
    assert share[[0, 2, 3]] == pytest.approx([0.5, 0.3, 0.2], abs=0.04)
    again = load_posterior(path, load_scenario(BASELINE))
    assert [again.row(k) for k in range(50)] == rows[:50]
    assert draws.values(0) == {"market.separation_rate": [0.01, 0.02, 0.03, 0.04][rows[0]],
                               "agencies.capacity": [20, 25, 30, 35][rows[0]]}
    assert isinstance(draws.values(0)["agencies.capacity"], int)


@pytest.mark.parametrize(("text", "fragments"), [
    ("market.separation_rate,weight\n", ["no parameter sets"]),
    ("market.separation_rate\n0.01\n", ["no 'weight' column"]),
    ("market.separaton_rate,weight\n0.01,1\n", ["market.separaton_rate", "did you mean"]),
    ("market.separation_rate,weight\n0.01,1\nabc,1\n", ["row 3", "market.separation_rate", "not a finite number"]),
    ("market.separation_rate,weight\n0.01,-1\n0.02,2\n", ["row 2", "weight", "below 0"]),
    ("market.separation_rate,weight\n0.01,0\n", ["every weight is 0"]),
    ("market.separation_rate,weight\n0.01,1\n7,1\n", ["row 3", "market.separation_rate"]),
])
def test_bad_posterior_files_are_refused(text, fragments, tmp_path, capsys):
    path = write(tmp_path / "posterior.csv", text)
    out = tmp_path / "out"
    status = cli(["compare", str(BASELINE), str(ROOT / "scenarios" / "fee_cap.yaml"), "--posterior", str(path),
                  "--out", str(out), "--quiet"])
    assert_refused(status, capsys.readouterr().err, str(path), *fragments)
    assert not out.exists()


def test_a_missing_posterior_file_is_refused(tmp_path, capsys):
    status = cli(["compare", str(BASELINE), str(ROOT / "scenarios" / "fee_cap.yaml"), "--posterior",
                  str(tmp_path / "nothere.csv"), "--out", str(tmp_path / "out"), "--quiet"])
    assert_refused(status, capsys.readouterr().err, "nothere.csv", "file not found", "baseline-posterior.csv")


def test_a_policy_that_sets_a_posterior_parameter_is_refused(tmp_path, capsys):
    path = posterior_file(tmp_path, [(0.01, 20, 1.0)])
    policy = write(tmp_path / "policy.yaml", f"extends: {BASELINE}\nname: faster\nmarket:\n  separation_rate: 0.05\n")
    status = cli(["compare", str(BASELINE), str(policy), "--posterior", str(path), "--out", str(tmp_path / "out"),
                  "--quiet"])
    assert_refused(status, capsys.readouterr().err, "market.separation_rate", "parameter of the posterior", "faster")


def test_precision_targets_and_a_posterior_are_refused_together(tmp_path, capsys):
    path = posterior_file(tmp_path, [(0.01, 20, 1.0)])
    status = cli(["compare", str(BASELINE), str(ROOT / "scenarios" / "fee_cap.yaml"), "--posterior", str(path),
                  "--precision", "employed=10", "--out", str(tmp_path / "out"), "--quiet"])
    assert_refused(status, capsys.readouterr().err, "--precision", "--posterior")


def test_replicate_k_runs_parameter_set_k_with_seed_k(tmp_path):
    from model.run import runner

    path = posterior_file(tmp_path, [(0.01, 20, 0.5), (0.05, 40, 0.5)])
    out = tmp_path / "out"
    minimum_wage = ROOT / "scenarios" / "minimum_wage_monthly.yaml"
    assert cli(["compare", str(BASELINE), str(minimum_wage), "--posterior", str(path), "--replicates", "6",
                "--months", "14", "--out", str(out), "--quiet", "--workers", "2", *SETS]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert "diff_var_parameter_share" in table.columns
    others = table[table["scenario"] != table["scenario"].iloc[0]]
    shares = others["diff_var_parameter_share"].dropna()
    assert len(shares) and shares.between(0.0, 1.0).all()
    draws = pd.read_csv(out / "posterior_draws.csv")
    assert list(draws["replicate"]) == list(range(6))
    assert (draws["posterior_row"].to_numpy()[0::2] == draws["posterior_row"].to_numpy()[1::2]).all()
    # Replicate 3 of the minimum wage is the scenario with set 3's values, run with seed 3.
    row = draws.iloc[3]
    scenario = load_scenario(minimum_wage, {**SIZE, "months": 14, "market.separation_rate": row[
        "market.separation_rate"], "agencies.capacity": int(row["agencies.capacity"])})
    direct = runner.last_months_means(runner.run_replicate(scenario, 3))
    ran = pd.read_csv(out / "replicates.csv")
    mine = ran[(ran["replicate"] == 3) & (ran["scenario"] == others["scenario"].iloc[0])]
    assert mine["employed"].iloc[0] == direct["employed"].iloc[0]
    assert mine["mean_wage"].iloc[0] == pytest.approx(direct["mean_wage"].iloc[0], rel=1e-9)
    groups = pd.read_csv(out / "group_effects.csv")
    assert "diff_var_parameter_share" in groups.columns
    report = (out / "report.md").read_text()
    assert "## Parameter uncertainty" in report and "posterior_draws.csv" in report
