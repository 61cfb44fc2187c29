"""The one store of result folders: a lock per folder, --force that keeps the user's files, leftovers cleaned."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from model.run import output, store
from tests.helpers import ROOT, TINY, assert_refused, cli, write

HOLD = """
import sys, time
from pathlib import Path
from model.run import store
store.claim(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(60)
"""


def _holding(out: Path) -> subprocess.Popen:
    """A process holding the lock of ``out`` (as a command writing there does) until it is killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_command_on_a_folder_being_written_is_refused_at_once_naming_the_holder(tmp_path, capsys):
    out = tmp_path / "out"
    proc = _holding(out)
    try:
        for command in (["run", *TINY, "--out", str(out)], ["run", *TINY, "--out", str(out), "--force"]):
            started = time.monotonic()
            status = cli(command)
            assert_refused(status, capsys.readouterr().err, str(out), "another domwork command is writing there",
                           f"process {proc.pid}")
            assert time.monotonic() - started < 5
        assert not out.exists()
    finally:
        proc.kill()
        proc.communicate()
    # The holder's end (even by SIGKILL) frees the folder.
    assert cli(["run", *TINY, "--out", str(out)]) == 0
    assert (out / "summary.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_two_runs_into_one_folder_at_once_the_second_is_refused_and_the_first_keeps_its_results(tmp_path, capsys):
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "model.cli", "run", "--set", "workers.count=3000",
                              "--set", "households.count=4500", "--set", "agencies.count=30", "--months", "60",
                              "--replicates", "1", "--workers", "1", "--quiet", "--out", str(out)],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        lock = store.lock_path(out)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (lock.exists() and lock.read_text()):
            time.sleep(0.02)
        assert first.poll() is None, "the first run ended before the second started"
        status = cli(["run", *TINY, "--out", str(out)])
        assert_refused(status, capsys.readouterr().err, f"process {first.pid}", "domwork run")
    finally:
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["months"] == 60 and (out / "timeseries.csv").is_file()


def test_two_resumes_of_one_sweep_at_once_the_second_is_refused(tmp_path, capsys):
    from tests.experiments.test_sweep import sweep_cli, tiny_experiment

    path = tiny_experiment(tmp_path, months=2, replicates=1)
    out = tmp_path / "out"
    proc = _holding(out)
    try:
        assert_refused(sweep_cli(path, "--resume", "--out", out), capsys.readouterr().err, f"process {proc.pid}")
    finally:
        proc.kill()
        proc.communicate()
    assert not out.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_staged_folders_of_dead_processes_are_cleaned_and_nothing_else(tmp_path):
    host = store._host()
    dead = tmp_path / f".old-compare{store.PARTIAL}{host}-{_dead_pid()}-x1y2"
    alive = tmp_path / f".other{store.PARTIAL}{host}-{os.getppid()}-a1b2"
    other_machine = tmp_path / f".shared{store.PARTIAL}elsewhere-{_dead_pid()}-c3d4"
    users = tmp_path / ".my.partial-notes"
    for folder in (dead, alive, other_machine, users):
        folder.mkdir()
        write(folder / "file.csv", "1\n")
    assert cli(["run", *TINY, "--out", str(tmp_path / "out")]) == 0
    assert not dead.exists()
    assert alive.exists() and other_machine.exists() and users.exists()


def test_force_keeps_files_put_into_the_folder_while_the_command_ran(tmp_path):
    out = tmp_path / "out"
    assert cli(["run", *TINY, "--out", str(out)]) == 0
    with output.staged_dir(out, force=True) as tmp:
        write(tmp / "summary.json", "new\n")
        write(tmp / "manifest.json", '{"written_by": "domwork"}\n')
        write(out / "notes.txt", "written while the command ran")
    assert (out / "notes.txt").read_text() == "written while the command ran"
    assert (out / "summary.json").read_text() == "new\n"
    assert json.loads((out / "manifest.json").read_text())["files"] == ["summary.json"]


def test_an_unfinished_sweep_without_resume_points_to_resume_not_force(tmp_path, capsys):
    from model.experiments.design import load_experiment
    from model.experiments.sweep import run_sweep
    from tests.experiments.test_sweep import sweep_cli, tiny_experiment

    path = tiny_experiment(tmp_path, months=2, replicates=4)
    out = tmp_path / "out"

    def interrupt(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_experiment(path), out, workers=1, progress=interrupt)
    assert sweep_cli(path, "--out", out) == 2
    err = capsys.readouterr().err
    assert "unfinished domwork sweep" in err and f"--resume --out {out}" in err and "discard" in err


def test_a_killed_comparison_resumes_reusing_its_finished_replicates_to_the_same_bytes(tmp_path):
    from tests.experiments.test_compare import BASELINE, SCENARIOS, SMALL

    args = [str(BASELINE), str(SCENARIOS / "fee_ban.yaml"), *SMALL, "--replicates", "4", "--workers", "1"]
    reference = tmp_path / "reference"
    assert cli(["compare", *args, "--out", str(reference)]) == 0
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "model.cli", "compare", *args, "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list(out.glob("replicates/*/replicate-*.parquet"))) >= 3:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the comparison ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    kept = len(list(out.glob("replicates/*/replicate-*.parquet")))
    assert json.loads((out / "manifest.json").read_text())["complete"] is False
    assert cli(["compare", *args, "--out", str(out)]) == 2  # not without --resume
    assert cli(["compare", *args, "--out", str(out), "--resume"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["replicates_reused"] == kept >= 3
    for name in ("comparison.csv", "replicates.csv", "pairing.csv"):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name
    assert not (out / "replicates").exists()
    assert cli(["compare", *args, "--out", str(out), "--resume"]) == 2  # complete: nothing to resume


def test_calibrate_keeps_each_candidate_as_it_ends(tmp_path, monkeypatch):
    from model.run.runner import InlineExecutor
    from model.validation import calibration

    c = calibration.load_calibration(ROOT / "calibration" / "baseline.yaml")
    done = []
    yielded: list[str] = []
    execute = calibration.runner.execute

    def recorded(*args, **kwargs):
        for task, result in execute(*args, **kwargs):
            yielded.append(task[3])
            yield task, result

    def moments(task):
        return dict.fromkeys(task[2], float(task[1]))

    def progress(runs: int) -> None:
        done.append(runs)
        if len(done) > 3 * c.replicates:
            raise KeyboardInterrupt

    monkeypatch.setattr(calibration, "moments_of_run", moments)
    monkeypatch.setattr(calibration.runner, "execute", recorded)
    cache = tmp_path / "evaluations.csv"
    evaluator = calibration.Evaluator(c, InlineExecutor(), cache, budget=10_000, progress=progress)
    candidates = [c.to_values(calibration.base_unit(c) * 0 + x) for x in (0.1, 0.2, 0.3, 0.4, 0.5)]
    with pytest.raises(KeyboardInterrupt):
        evaluator.evaluate(candidates)
    finished = {key for key in yielded if yielded.count(key) == c.replicates}
    assert finished, "no candidate finished before the interruption"
    rows = pd.read_csv(cache)
    assert set(rows["values"]) == finished
    again = calibration.Evaluator(c, InlineExecutor(), cache, budget=10_000)
    assert set(again.cache) == finished
