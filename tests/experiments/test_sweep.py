"""domwork sweep: designs, one runner over any executor, the streamed store, resume, Dask, sensitivity."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Executor, Future
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.cli import main
from model.experiments import executors, sensitivity
from model.experiments.design import load_experiment
from model.experiments.sweep import run_sweep
from model.run import runner
from model.scenario.loading import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TINY = {"workers.count": 200, "households.count": 300, "agencies.count": 4}
DOMWORK = [sys.executable, "-m", "model.cli"]


def write_experiment(folder: Path, body: str, name: str = "exp.yaml") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def tiny_experiment(folder: Path, *, months: int = 6, replicates: int = 2, steps: int = 2) -> Path:
    sets = "\n".join(f"  {k}: {v}" for k, v in TINY.items())
    return write_experiment(folder, f"""
name: tiny
scenario: {BASELINE}
set:
{sets}
  policies.worker_fee_cap.enabled: true
replicates: {replicates}
months: {months}
metrics: [worker_fees_paid, agency_placement_share]
vary:
  policies.worker_fee_cap.max_share: [0.0, 0.5]
  policies.worker_fee_cap.enforcement: {{from: 0.0, to: 1.0, steps: {steps}}}
""")


def sweep_cli(*args: str) -> int:
    return main(["sweep", *map(str, args), "--quiet"])


# --- designs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_experiment_validates(path):
    design = load_experiment(path)
    assert design.runs > 0
    assert len(design.points) == design.points["point"].nunique()
    assert design.scenario(len(design.points) - 1).months == design.months


def test_a_full_factorial_crosses_lists_and_ranges(tmp_path):
    design = load_experiment(tiny_experiment(tmp_path, steps=3), {})
    assert list(design.points.columns) == ["point", "policies.worker_fee_cap.max_share",
                                           "policies.worker_fee_cap.enforcement"]
    assert design.points["policies.worker_fee_cap.enforcement"].tolist() == [0.0, 0.5, 1.0] * 2
    assert design.points["policies.worker_fee_cap.max_share"].tolist() == [0.0] * 3 + [0.5] * 3
    assert design.runs == 12
    assert design.scenario(4).policies.worker_fee_cap.enforcement == 0.5


def test_levers_run_on_the_same_uncertainty_points_and_integers_stay_integers(tmp_path):
    path = write_experiment(tmp_path, f"""
scenario: {BASELINE}
replicates: 1
levers:
  policies.contract_mandate.enabled: [false, true]
uncertainties:
  market.separation_rate: {{low: 0.02, high: 0.06}}
  households.count: {{low: 4000, high: 8000}}
sample: {{method: lhs, n: 7}}
""")
    design = load_experiment(path)
    points = design.points
    assert len(points) == 14 and design.lever_settings == 2
    first, second = points.iloc[:7], points.iloc[7:]
    assert not first["policies.contract_mandate.enabled"].any() and second["policies.contract_mandate.enabled"].all()
    for key in ("market.separation_rate", "households.count"):
        assert first[key].tolist() == second[key].tolist()
    assert all(isinstance(v, int) for v in points["households.count"].tolist())
    assert points["households.count"].between(4000, 8000).all()
    # Latin hypercube: one point in each of the 7 strata of every uncertainty.
    strata = np.floor((first["market.separation_rate"] - 0.02) / 0.04 * 7).astype(int)
    assert sorted(strata) == list(range(7))


BAD = [
    ("nmae: x\nvary: {market.separation_rate: [0.1]}\n", ["unknown key 'nmae'", "name"]),
    ("vary: {market.separation_rat: [0.1]}\n", ["vary.market.separation_rat", "not a scenario key",
                                               "market.separation_rate"]),
    ("vary: {market: [0.1]}\n", ["vary.market", "not a scenario key"]),
    ("vary: {seed: [1, 2]}\n", ["vary.seed", "cannot be varied"]),
    ("vary: {market.separation_rate: [0.1, 1.5]}\n", ["market.separation_rate", "less than or equal to 1"]),
    ("vary: {market.separation_rate: {from: 0.1, to: 0.2}}\n", ["market.separation_rate", "steps"]),
    ("vary: {market.separation_rate: {from: 0.2, to: 0.1, steps: 3}}\n", ["market.separation_rate", "ascends"]),
    ("vary: {market.separation_rate: {from: 0.01, to: 0.2, steps: 1000000000}}\n",
     ["market.separation_rate.steps", "split it"]),
    ("vary: {" + ", ".join(f"market.{k}: {{from: 0.01, to: 0.2, steps: 100}}" for k in (
        "separation_rate", "informal_quit_rate", "dismissal_rate", "arrears_rate_informal", "arrears_repay_rate"))
     + "}\n", ["10,000,000,000 points", "split the experiment"]),
    ("vary: {workers.count: [100, \"many\"]}\n", ["workers.count", "integer"]),
    ("uncertainties: {market.separation_rate: {low: 0.06, high: 0.02}}\nsample: {method: lhs, n: 4}\n",
     ["uncertainties.market.separation_rate", "below high"]),
    ("uncertainties: {market.separation_rate: {low: 0.0, high: 2.0}}\nsample: {method: lhs, n: 4}\n",
     ["market.separation_rate", "less than or equal to 1"]),
    ("uncertainties: {market.separation_rate: {low: 0.01, high: 0.05}}\nsample: {method: sobol, n: 10}\n",
     ["sample.n", "power of 2"]),
    ("uncertainties: {market.separation_rate: {low: 0.01, high: 0.05}}\nsample: {method: saltelli, n: 8}\n",
     ["sample.method"]),
    ("uncertainties: {market.separation_rate: {low: 0.01, high: 0.05}}\n", ["sample", "go together"]),
    ("vary: {market.separation_rate: [0.1]}\nmetrics: [mean_wagee]\n", ["metrics", "mean_wage"]),
    ("vary: {market.separation_rate: [0.1]}\nreplicates: 0\n", ["replicates"]),
    ("vary: {market.separation_rate: [0.1]}\nlevers: {policies.training.enabled: [true]}\n", ["either vary"]),
]


@pytest.mark.parametrize(("body", "expected"), BAD, ids=[b[1][0] for b in BAD])
def test_a_bad_experiment_exits_2_naming_file_and_key_and_writes_nothing(tmp_path, capsys, body, expected):
    path = write_experiment(tmp_path, f"scenario: {BASELINE}\n" + body)
    out = tmp_path / "out"
    assert sweep_cli(path, "--out", out) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    assert not out.exists()


def test_set_on_the_command_line_reaches_the_base_scenario_and_is_checked(tmp_path, capsys):
    path = tiny_experiment(tmp_path)
    assert load_experiment(path, {"agencies.count": 7}).scenario(0).agencies.count == 7
    assert sweep_cli(path, "--set", "agencies.cuont=7", "--out", tmp_path / "o") == 2
    assert "agencies.cuont" in capsys.readouterr().err


# --- the one runner --------------------------------------------------------------------------


class _CountingExecutor(Executor):
    """Runs tasks on a thread, one at a time, and records how many were outstanding at most."""

    def __init__(self) -> None:
        self.outstanding = 0
        self.most = 0
        self.tasks = 0
        self.lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        with self.lock:
            self.outstanding += 1
            self.most = max(self.most, self.outstanding)
            self.tasks += 1

        def work():
            time.sleep(0.002)
            with self.lock:
                self.outstanding -= 1
            future.set_result(fn(*args, **kwargs))

        threading.Thread(target=work).start()
        return future


def test_the_runner_batches_runs_and_bounds_the_futures_in_flight():
    executor = _CountingExecutor()
    items = iter(range(1000))  # consumed lazily: never materialized as 1,000 futures
    results = dict(runner.execute(lambda x: x * x, items, executor, batch_size=7, max_in_flight=3))
    assert results == {x: x * x for x in range(1000)}
    assert executor.tasks == -(-1000 // 7)
    assert executor.most <= 3


def test_run_replicates_keeps_its_results_through_the_runner():
    scenario = load_scenario(None, {**TINY, "months": 4, "replicates": 3})
    serial = runner.run_replicates(scenario, workers=1)
    months: list[int] = []
    pooled = runner.run_replicates(scenario, workers=2, progress=months.append)
    pd.testing.assert_frame_equal(serial, pooled)
    assert sum(months) == 12


# --- the store: same bytes anywhere, resume, force --------------------------------------------


def test_same_runs_csv_on_one_process_two_processes_and_dask_local(tmp_path):
    path = tiny_experiment(tmp_path)
    outs = {name: tmp_path / name for name in ("serial", "pool", "dask")}
    assert sweep_cli(path, "--workers", 1, "--out", outs["serial"]) == 0
    assert sweep_cli(path, "--workers", 2, "--out", outs["pool"]) == 0
    assert sweep_cli(path, "--dask", "local", "--workers", 2, "--out", outs["dask"]) == 0
    serial = (outs["serial"] / "runs.csv").read_bytes()
    runs = pd.read_csv(outs["serial"] / "runs.csv")
    assert len(runs) == 8 and list(runs.columns[:3]) == ["point", "replicate", "seed"]
    assert runs[["point", "replicate"]].drop_duplicates().shape[0] == 8
    # Common random numbers: replicate k has the same seed at every point.
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all()
    # The fee cap matters: fees paid by workers fall when the cap goes from 50% to 0.
    by_cap = runs.groupby("policies.worker_fee_cap.max_share")["worker_fees_paid"].mean()
    assert by_cap[0.0] < by_cap[0.5]
    for name in ("pool", "dask"):
        assert (outs[name] / "runs.csv").read_bytes() == serial, f"{name} differs from one process"
        assert (outs[name] / "points.csv").read_bytes() == (outs["serial"] / "points.csv").read_bytes()
    manifest = json.loads((outs["dask"] / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["runs_done"] == 8
    assert manifest["sessions"][0]["backend"] == "dask"
    workers = pd.read_csv(outs["dask"] / "run_times.csv")["worker"]
    assert workers.str.startswith("tcp://127.0.0.1").all()
    ts = pd.read_parquet(outs["serial"] / "timeseries")
    assert len(ts) == 8 * 6 and {"point", "replicate", "month", "worker_fees_paid"} <= set(ts.columns)
    assert (outs["serial"] / "figures" / "heatmap.png").exists()


def test_a_killed_sweep_resumes_without_redoing_or_duplicating_runs(tmp_path):
    path = tiny_experiment(tmp_path, replicates=3, months=8)  # 12 runs
    reference = tmp_path / "reference"
    run_sweep(load_experiment(path), reference, workers=1)
    out = tmp_path / "killed"
    proc = subprocess.Popen([*DOMWORK, "sweep", str(path), "--workers", "1", "--out", str(out), "--quiet"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = out / "runs.csv"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if runs.exists() and runs.read_text().count("\n") >= 4:  # header and three runs
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the sweep ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is False, "a killed sweep looks complete"
    before = pd.read_csv(runs)
    assert 3 <= len(before) < 12
    assert not (out / "figures").exists()

    result = subprocess.run([*DOMWORK, "sweep", str(path), "--resume", "--out", str(out), "--workers", "1",
                             "--quiet"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    after = json.loads((out / "manifest.json").read_text())
    assert after["complete"] is True and len(after["sessions"]) == 2
    times = pd.read_csv(out / "run_times.csv")
    redone = times[times["session"] == 2]
    assert len(redone) == after["sessions"][1]["runs"] == 12 - len(before)
    done_before = set(zip(before["point"], before["replicate"], strict=True))
    assert not done_before & set(zip(redone["point"], redone["replicate"], strict=True)), "finished runs redone"
    assert (out / "runs.csv").read_bytes() == (reference / "runs.csv").read_bytes()

    # Resuming a complete sweep runs nothing.
    run_sweep(load_experiment(path), out, workers=1, resume=True)
    assert len(pd.read_csv(out / "run_times.csv")) == len(times)


def test_an_interrupted_sweep_says_so_and_keeps_what_it_did(tmp_path):
    from model.experiments import sweep

    design = load_experiment(tiny_experiment(tmp_path, months=2, replicates=4))  # 16 runs
    out = tmp_path / "out"

    def interrupt(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(design, out, workers=1, progress=interrupt)
    manifest = json.loads((out / "manifest.json").read_text())
    rows = len(pd.read_csv(out / "runs.csv"))
    assert manifest["complete"] is False and 1 <= manifest["runs_done"] == rows < 16
    assert "--resume" in sweep.state(out) and f"{rows} of 16" in sweep.state(out)


def test_resume_refuses_another_experiment_and_force_refuses_a_folder_domwork_did_not_write(tmp_path, capsys):
    path = tiny_experiment(tmp_path, months=2, replicates=1)
    out = tmp_path / "out"
    assert sweep_cli(path, "--workers", 1, "--out", out) == 0
    (tmp_path / "other").mkdir()
    other = tiny_experiment(tmp_path / "other", months=3, replicates=1)
    assert sweep_cli(other, "--resume", "--out", out) == 2
    assert "another experiment" in capsys.readouterr().err
    assert sweep_cli(path, "--out", out) == 2  # exists, not empty, no --force
    assert "--force" in capsys.readouterr().err

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    assert sweep_cli(path, "--force", "--out", mine) == 2
    assert "no domwork manifest.json" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text() == "precious"
    assert sweep_cli(path, "--resume", "--out", mine) == 2
    assert (mine / "notes.txt").read_text() == "precious"
    # --force replaces a folder an earlier domwork command wrote.
    assert sweep_cli(path, "--force", "--workers", 1, "--out", out) == 0


# --- Dask ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_address_where_no_scheduler_answers_fails_in_seconds_with_exit_2(tmp_path, capsys):
    path = tiny_experiment(tmp_path, months=2, replicates=1)
    started = time.monotonic()
    status = sweep_cli(path, "--dask", f"tcp://127.0.0.1:{_free_port()}", "--out", tmp_path / "out")
    assert status == 2
    assert time.monotonic() - started < 30
    assert "no Dask scheduler answers" in capsys.readouterr().err


def test_workers_with_other_versions_are_refused():
    mine = executors.environment()
    executors.check_versions(mine, {"tcp://a:1": dict(mine)})
    theirs = {**mine, "numpy": "1.0.0"}
    with pytest.raises(ScenarioError, match=r"tcp://b:2: numpy 1.0.0 \(here"):
        executors.check_versions(mine, {"tcp://a:1": dict(mine), "tcp://b:2": theirs})
    with pytest.raises(ScenarioError, match="domwork_source"):
        executors.check_versions(mine, {"tcp://c:3": {**mine, "domwork_source": "0" * 64}})


@pytest.fixture
def dask_cluster(tmp_path):
    """A real scheduler and two workers (no nanny: a killed worker stays dead), stopped afterwards."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                           "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                           "--host", "127.0.0.1"], cwd=tmp_path, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.slow  # a scheduler, two workers and 16 runs: over a minute on a busy 2-core machine
def test_a_dask_worker_killed_mid_sweep_loses_nothing(tmp_path, dask_cluster):
    address, workers = dask_cluster
    path = tiny_experiment(tmp_path, replicates=4, months=10)  # 16 runs
    reference = tmp_path / "reference"
    run_sweep(load_experiment(path), reference, workers=1)
    design = load_experiment(path)
    out = tmp_path / "dask"
    killed: list[int] = []

    def kill_one_worker(done: int) -> None:
        if not killed:
            killed.append(done)
            workers[0].send_signal(signal.SIGKILL)

    outcome = run_sweep(design, out, dask=address, progress=kill_one_worker)
    assert killed and killed[0] < 16, "the worker was not killed mid-sweep"
    assert workers[0].wait(timeout=10) == -signal.SIGKILL
    assert outcome.complete and outcome.ran == 16
    assert outcome.session["workers"] == 2
    assert (out / "runs.csv").read_bytes() == (reference / "runs.csv").read_bytes()
    times = pd.read_csv(out / "run_times.csv")
    assert len(times) == 16 and not times.duplicated(["point", "replicate"]).any()


# --- sensitivity -----------------------------------------------------------------------------


def _ishigami(folder: Path, method: str, n: int) -> Path:
    return write_experiment(folder, f"""
name: ishigami
model: ishigami
uncertainties:
  x1: {{low: -3.141592653589793, high: 3.141592653589793}}
  x2: {{low: -3.141592653589793, high: 3.141592653589793}}
  x3: {{low: -3.141592653589793, high: 3.141592653589793}}
sample: {{method: {method}, n: {n}}}
seed: 7
""", name=f"ishigami-{method}.yaml")


def test_sobol_indices_of_the_ishigami_function_come_out_right_through_the_sweep(tmp_path):
    out = tmp_path / "out"
    assert sweep_cli(_ishigami(tmp_path, "sobol", 2048), "--workers", 1, "--out", out) == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == ["metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    exact = sensitivity.ishigami_exact().set_index("parameter")
    got = table.set_index("parameter")
    for index in ("S1", "ST"):
        error = (got[index] - exact[index]).abs()
        assert (error < 0.05).all(), f"{index}: {got[index].to_dict()} against {exact[index].to_dict()}"
    assert len(pd.read_csv(out / "runs.csv")) == 2048 * 5
    assert (out / "figures" / "sensitivity.png").exists()


def test_morris_ranks_the_ishigami_inputs(tmp_path):
    out = tmp_path / "out"
    assert sweep_cli(_ishigami(tmp_path, "morris", 40), "--workers", 1, "--out", out) == 0
    table = pd.read_csv(out / "sensitivity.csv").set_index("parameter")
    assert list(table.columns) == ["metric", "mu_star", "mu_star_conf", "sigma"]
    # x1 and x2 matter most; x3 (S1 = 0) acts only through its interaction with x1, so it is
    # screened in, with elementary effects that vary more than they average (sigma > mu*).
    mu = table["mu_star"]
    assert min(mu["x1"], mu["x2"]) > mu["x3"] > 1.0
    assert table.loc["x3", "sigma"] > mu["x3"]


@pytest.mark.slow  # 16 runs on a process pool, then Sobol indices and their figures
def test_levers_get_indices_of_their_effect_on_common_random_numbers(tmp_path):
    path = write_experiment(tmp_path, f"""
scenario: {BASELINE}
set: {{workers.count: 200, households.count: 300, agencies.count: 4}}
months: 6
metrics: [worker_fees_paid]
levers:
  policies.worker_fee_cap.enabled: [false, true]
uncertainties:
  policies.worker_fee_cap.max_share: {{low: 0.0, high: 1.0}}
  market.separation_rate: {{low: 0.005, high: 0.02}}
sample: {{method: sobol, n: 2}}
""")
    out = tmp_path / "out"
    assert sweep_cli(path, "--workers", 2, "--out", out) == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns[:3]) == ["lever_setting", "target", "metric"]
    assert set(table["lever_setting"]) == {0, 1}
    assert set(table[table["lever_setting"] == 1]["target"]) == {"effect"}
    # Without the cap, its level cannot matter: the first setting's fees do not depend on max_share.
    runs = pd.read_csv(out / "runs.csv")
    off = runs[~runs["policies.worker_fee_cap.enabled"]]
    by_rate = off.groupby("market.separation_rate")["worker_fees_paid"].nunique()
    assert (by_rate == 1).all()


def test_a_shipped_experiment_runs_for_real_shrunk(tmp_path):
    # Agencies as the shipped scenarios have them: no_agencies keeps its none.
    design = load_experiment(ROOT / "experiments" / "beveridge.yaml",
                             {"workers.count": 200, "households.count": 300})
    # Fewer metrics keep the figures quick; the Beveridge figure needs these two.
    design = dataclasses.replace(design, replicates=1, months=4,
                                 metrics=("unemployment_rate", "vacancy_rate", "agency_placement_share"))
    out = tmp_path / "bev"
    outcome = run_sweep(design, out, workers=2)
    assert outcome.complete and outcome.done == 10
    runs = pd.read_csv(out / "runs.csv")
    assert set(runs["scenario"]) == {"baseline", "no_agencies"}
    none = runs[runs["scenario"] == "no_agencies"]
    assert (none["agency_placement_share"] == 0).all()
    assert (runs[runs["scenario"] == "baseline"]["agency_placement_share"] > 0).all()
    assert (out / "figures" / "beveridge.png").exists()
