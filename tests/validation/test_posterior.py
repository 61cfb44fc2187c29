"""`domwork calibrate --method posterior`: known parameters recovered inside their credible region,
the same bytes on any runner, resumable, bounded; a repeated-coverage check in `make test-slow`."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model import load_scenario
from model.run import runner
from model.validation import calibration
from model.validation.calibration import EVALUATIONS, load_calibration
from model.validation.posterior import effective_sample_size, weighted_quantiles
from tests.helpers import BASELINE, assert_refused, cli, write

ROOT = Path(__file__).resolve().parents[2]
SIZE = {"workers.count": 250, "households.count": 375, "agencies.count": 3}
SETS = [arg for key, value in SIZE.items() for arg in ("--set", f"{key}={value}")]
MONTHS = 15
BOUNDS = {"market.separation_rate": (0.01, 0.08), "contracts.household_cost_yuan": (200.0, 2000.0)}
SD = {"separation_rate": 0.004, "contract_share": 0.02}
TRUTH = {"market.separation_rate": 0.035, "contracts.household_cost_yuan": 900.0}


def moments_at(truth: dict[str, float]) -> dict[str, float]:
    """The targets' moments made by the model at ``truth``, on the calibration's own seed (one replicate)."""
    scenario = load_scenario(BASELINE, {**SIZE, **truth, "months": MONTHS, "replicates": 1})
    last = runner.last_months_means(runner.run_replicates(scenario, workers=1))
    return {m: float(last[m].mean()) for m in SD}


def calibration_file(folder: Path, values: dict[str, float], *, population: int = 30, generations: int = 3,
                     seed: int = 0) -> Path:
    data = {"name": "recovery", "scenario": str(BASELINE), "replicates": 1, "months": MONTHS,
            "parameters": {k: {"low": lo, "high": hi} for k, (lo, hi) in BOUNDS.items()},
            "targets": {m: {"value": values[m], "sd": SD[m]} for m in SD},
            "search": {"seed": seed}, "posterior": {"population": population, "generations": generations}}
    return write(folder / "calibration.yaml", yaml.safe_dump(data, sort_keys=False))


def calibrate(path: Path, out: Path, *more: str) -> int:
    return cli(["calibrate", str(path), "--method", "posterior", "--out", str(out), "--quiet", *SETS, *more])


def credible_box(posterior: pd.DataFrame, level: float) -> dict[str, tuple[float, float]]:
    """Each parameter's equal-tailed credible interval of ``posterior.csv``."""
    w = posterior["weight"].to_numpy()
    tail = (1 - level) / 2
    return {k: tuple(weighted_quantiles(posterior[k].to_numpy(), w, [tail, 1 - tail])) for k in BOUNDS}


@pytest.fixture(scope="module")
def recovered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("posterior")
    path = calibration_file(folder, moments_at(TRUTH))
    out = folder / "out"
    assert calibrate(path, out, "--workers", "2") == 0
    return path, out


def test_known_parameters_lie_in_their_90_percent_credible_region(recovered):
    _, out = recovered
    posterior = pd.read_csv(out / "posterior.csv")
    assert list(posterior.columns) == [*BOUNDS, "weight"]
    assert posterior["weight"].sum() == pytest.approx(1.0) and (posterior["weight"] > 0).all()
    for key, (low, high) in credible_box(posterior, 0.90).items():
        assert low <= TRUTH[key] <= high, (key, low, high)
        lo, hi = BOUNDS[key]
        assert lo <= posterior[key].min() and posterior[key].max() <= hi, f"{key} left its bounds"
        assert high - low < 0.5 * (hi - lo), f"{key}: a credible interval that says little ({low}, {high})"
    generations = pd.read_csv(out / "generations.csv")
    assert list(generations.columns) == ["generation", "temperature", "candidates", "accepted", "acceptance_rate",
                                         "ess"]
    assert generations["temperature"].iloc[-1] == pytest.approx(1.0), "the schedule did not reach the posterior"
    assert (generations["temperature"].diff().dropna() < 0).all()
    assert effective_sample_size(posterior["weight"].to_numpy()) == pytest.approx(generations["ess"].iloc[-1])
    fit = pd.read_csv(out / "fit.csv")
    assert {"metric", "target", "sd", "model", "model_ci_low", "model_ci_high"} <= set(fit.columns)
    table = pd.read_csv(out / "calibration.csv").set_index("parameter")
    assert (table["ci_low"] >= table["low"]).all() and (table["ci_high"] <= table["high"]).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["method"] == "posterior"
    report = (out / "report.md").read_text()
    assert "ABC-SMC" in report and "Final temperature: 1" in report
    for figure in ("posterior.png", "generations.png", "fit.png"):
        assert (out / "figures" / figure).stat().st_size > 10_000
    load_scenario(out / "fitted.yaml")  # the posterior mean, a scenario that runs


def test_the_same_posterior_whatever_the_batches_of_proposals(recovered, tmp_path):
    """Proposals run in batches (more on more processes); the first accepted in their numbered order are kept,
    so the batch size, and with it the number of processes, changes nothing. Replayed from the cached moments."""
    path, out = recovered
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(out / EVALUATIONS, again / EVALUATIONS)
    c = load_calibration(path, {**SIZE})
    calibration.calibrate(c, again, budget=json.loads((out / "manifest.json").read_text())["budget"],
                          executor=runner.InlineExecutor(), force=False, resume=True, argv=None, started=0.0,
                          method="posterior", proposals=3)
    assert (again / EVALUATIONS).read_bytes() == (out / EVALUATIONS).read_bytes(), "a candidate was run again"
    for name in ("posterior.csv", "generations.csv", "calibration.csv", "fit.csv", "report.md"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_weighted_quantiles_invert_the_weighted_distribution():
    values = np.array([3.0, 1.0, 2.0, 4.0])
    weights = np.array([0.1, 0.2, 0.3, 0.4])  # cumulative over 1, 2, 3, 4: 0.2, 0.5, 0.6, 1.0
    assert list(weighted_quantiles(values, weights, [0.1, 0.2, 0.5, 0.55, 0.6, 0.61, 1.0])) == [1, 1, 2, 3, 3, 4, 4]
    assert effective_sample_size(np.full(8, 0.125)) == pytest.approx(8.0)
    assert effective_sample_size(np.array([1.0, 0.0, 0.0])) == pytest.approx(1.0)


@pytest.mark.parametrize(("posterior", "fragments"), [
    ("posterior: {population: 3}\n", ["posterior.population", "10"]),
    ("posterior: {populaton: 50}\n", ["posterior.populaton", "did you mean 'population'"]),
    ("posterior: [1, 2]\n", ["posterior", "a mapping"]),
])
def test_bad_posterior_settings_are_refused(posterior, fragments, tmp_path, capsys):
    text = ("parameters:\n  market.separation_rate: {low: 0.01, high: 0.1}\n"
            "targets:\n  separation_rate: {value: 0.04, sd: 0.01}\n" + posterior)
    path = write(tmp_path / "bad.yaml", text)
    out = tmp_path / "out"
    assert_refused(cli(["calibrate", str(path), "--method", "posterior", "--out", str(out)]),
                   capsys.readouterr().err, str(path), *fragments)
    assert not out.exists()


def test_a_budget_too_small_for_a_posterior_is_refused(tmp_path, capsys):
    path = calibration_file(tmp_path, {"separation_rate": 0.05, "contract_share": 0.1})
    assert_refused(calibrate(path, tmp_path / "out", "--budget", "50"), capsys.readouterr().err,
                   "--budget 50", "at least 91")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # a killed posterior and its resume, then a Dask cluster: `make test-slow`
def test_a_killed_posterior_resumes_to_the_same_bytes_and_dask_agrees(recovered, tmp_path):
    path, out = recovered
    resumed = tmp_path / "resumed"
    command = [sys.executable, "-m", "model.cli", "calibrate", str(path), "--method", "posterior", "--out",
               str(resumed), "--workers", "2", "--quiet", *SETS]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
            (resumed / EVALUATIONS).exists() and len((resumed / EVALUATIONS).read_text().splitlines()) >= 60):
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = (resumed / EVALUATIONS).read_text().splitlines()
    assert not (resumed / "posterior.csv").exists()
    assert calibrate(path, resumed, "--resume", "--workers", "2") == 0
    assert (resumed / EVALUATIONS).read_text().splitlines()[: len(before)] == before
    assert pd.read_csv(resumed / EVALUATIONS)["values"].is_unique, "a candidate was run twice"
    on_dask = tmp_path / "dask"
    assert calibrate(path, on_dask, "--dask", "local", "--workers", "2") == 0
    for name in ("posterior.csv", "generations.csv", "calibration.csv", "report.md"):
        assert (resumed / name).read_bytes() == (out / name).read_bytes(), name
        assert (on_dask / name).read_bytes() == (out / name).read_bytes(), name


COVERAGE_REPEATS = 12


@pytest.mark.slow  # twelve calibrations: `make test-slow`
def test_repeated_coverage_of_the_90_percent_credible_intervals(tmp_path, capsys):
    """Simulation-based calibration: truths drawn from the prior, targets the model's moments there plus
    normal errors of the targets' sd (the error the posterior assumes). A calibrated 90% interval holds the
    truth in about 90% of cases; with 12 repeats x 2 parameters, below 70% would be a defect (binomial
    probability under 0.3% if the true rate were 90%)."""
    rng = np.random.default_rng(20261207)
    covered = []
    for repeat in range(COVERAGE_REPEATS):
        truth = {k: float(rng.uniform(lo + 0.15 * (hi - lo), hi - 0.15 * (hi - lo))) for k, (lo, hi) in BOUNDS.items()}
        made = moments_at(truth)
        observed = {m: made[m] + float(rng.normal(0.0, SD[m])) for m in SD}
        folder = tmp_path / f"r{repeat}"
        folder.mkdir()
        path = calibration_file(folder, observed, population=40, generations=4, seed=repeat)
        assert calibrate(path, folder / "out", "--workers", "2") == 0
        box = credible_box(pd.read_csv(folder / "out" / "posterior.csv"), 0.90)
        covered += [box[k][0] <= truth[k] <= box[k][1] for k in BOUNDS]
    share = float(np.mean(covered))
    with capsys.disabled():
        print(f"\nposterior coverage: {sum(covered)} of {len(covered)} true values inside their 90% credible "
              f"interval ({share:.0%})")
    assert share >= 0.70
