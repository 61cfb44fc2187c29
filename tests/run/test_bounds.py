"""Bounded inputs and a full disk: refused or reported in a line, with the file, before or without losing work."""

from __future__ import annotations

import errno
import json
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from model.run import resources
from tests.experiments.test_sweep import BASELINE, sweep_cli, tiny_experiment, write_experiment
from tests.helpers import ROOT, TINY, assert_refused, cli


def test_every_sweep_point_is_checked_for_memory_like_a_run(tmp_path, capsys):
    path = write_experiment(tmp_path, f"""
name: huge-point
scenario: {BASELINE}
replicates: 1
months: 2
vary:
  workers.count: [100, 1000000000]
""")
    out = tmp_path / "out"
    tracemalloc.start()
    try:
        status = sweep_cli(path, "--workers", 1, "--out", out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(status, capsys.readouterr().err, str(path), "point 1", "workers.count=1,000,000,000", "GiB")
    assert peak < 100 * 2**20
    assert not out.exists()


def test_a_calibration_budget_is_bounded_before_anything_is_planned(tmp_path, capsys):
    out = tmp_path / "out"
    tracemalloc.start()
    try:
        status = cli(["calibrate", str(ROOT / "calibration" / "baseline.yaml"), "--budget", "1000000000",
                      "--out", str(out), "--quiet"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(status, capsys.readouterr().err, "--budget 1,000,000,000", "100,000")
    assert peak < 50 * 2**20 and not out.exists()


def _full_disk_on(monkeypatch, name: str) -> None:
    """Writing ``name`` with pandas fails as on a full disk: the file is made, then a write fails."""
    real = pd.DataFrame.to_csv

    def to_csv(self, path=None, *args, **kwargs):
        if path is not None and Path(path).name == name:
            Path(path).write_bytes(b"replicate,month")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)


def test_a_full_disk_during_a_run_names_the_file_and_keeps_the_earlier_results(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert cli(["run", *TINY, "--out", str(out)]) == 0
    before = (out / "timeseries.csv").read_bytes()
    capsys.readouterr()
    _full_disk_on(monkeypatch, "timeseries.csv")
    status = cli(["run", *TINY, "--seed", "5", "--out", str(out), "--force"])
    err = capsys.readouterr().err
    assert status == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert f"{out}/timeseries.csv" in err and "no space left" in err and "earlier results there are kept" in err
    assert (out / "timeseries.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_full_disk_during_a_sweep_keeps_the_finished_runs(tmp_path, capsys, monkeypatch):
    from model.experiments import store as sweep_store

    path = tiny_experiment(tmp_path, months=2, replicates=4)
    out = tmp_path / "out"
    real = sweep_store.SweepStore._add
    calls: list[int] = []

    def add(self, results, session):
        calls.append(len(results))
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(out / "runs.csv"))
        return real(self, results, session)

    monkeypatch.setattr(sweep_store.SweepStore, "_add", add)
    status = sweep_cli(path, "--workers", 1, "--out", out)
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err, err
    assert f"{out}/runs.csv" in err and "--resume" in err and f"the {calls[0]} finished runs" in err
    assert len(pd.read_csv(out / "runs.csv")) == calls[0]
    assert json.loads((out / "manifest.json").read_text())["complete"] is False


@pytest.mark.parametrize("budget", ["0", "-5"])
def test_a_budget_below_one_is_refused(budget, tmp_path, capsys):
    status = cli(["calibrate", str(ROOT / "calibration" / "baseline.yaml"), "--budget", budget,
                  "--out", str(tmp_path / "out"), "--quiet"])
    assert_refused(status, capsys.readouterr().err, f"--budget {budget}")


def test_results_that_would_not_fit_on_the_disk_are_refused_before_any_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(resources, "free_bytes", lambda out: 1 * 2**20)
    status = cli(["run", *TINY, "--out", str(tmp_path / "out")])
    assert_refused(status, capsys.readouterr().err, "MiB on the disk", "1 MiB is free")
    path = tiny_experiment(tmp_path, months=24, replicates=400)
    status = sweep_cli(path, "--workers", 1, "--out", tmp_path / "sweep")
    assert_refused(status, capsys.readouterr().err, str(path), "MiB on the disk")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.yaml"]
    # compare and calibrate too, before anything is written
    status = cli(["compare", str(ROOT / "scenarios" / "baseline.yaml"), str(ROOT / "scenarios" / "fee_cap.yaml"),
                  "--replicates", "200", "--out", str(tmp_path / "compare"), "--quiet"])
    assert_refused(status, capsys.readouterr().err, "baseline.yaml", "MiB on the disk", "1 MiB is free")
    status = cli(["calibrate", str(ROOT / "calibration" / "baseline.yaml"), "--budget", "100000",
                  "--out", str(tmp_path / "calibration"), "--quiet"])
    assert_refused(status, capsys.readouterr().err, "baseline.yaml", "MiB on the disk")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.yaml"]
