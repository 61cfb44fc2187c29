"""Pools that heal: a lost worker's runs rerun with the same bytes, no orphans, Dask workers checked task by task.

The Dask tests start a real scheduler and real workers on 127.0.0.1 and stop them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd
import pytest

from model.experiments.design import load_experiment
from model.experiments.sweep import run_sweep
from model.run import runner, store
from tests.experiments.test_sweep import DOMWORK, _free_port, sweep_cli, tiny_experiment
from tests.helpers import ROOT, TINY, assert_refused, cli
from tests.run.test_hardening import _alive, _children, _wait_for_workers, _workers

pytestmark = pytest.mark.forks


def _kill_one_worker_when_busy(proc: subprocess.Popen, after: float = 1.0) -> int:
    children = _wait_for_workers(proc)
    time.sleep(after)
    assert proc.poll() is None, "the command ended before a worker could be killed"
    pid = _workers(children)[0][0]
    os.kill(pid, signal.SIGKILL)
    return pid


def test_a_lost_pool_worker_s_runs_rerun_on_a_fresh_pool_with_the_same_bytes(tmp_path):
    path = tiny_experiment(tmp_path, replicates=4, months=36)  # 16 runs
    reference = tmp_path / "reference"
    run_sweep(load_experiment(path), reference, workers=1)
    out = tmp_path / "out"
    proc = subprocess.Popen([*DOMWORK, "sweep", str(path), "--workers", "2", "--out", str(out), "--quiet"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        killed = _kill_one_worker_when_busy(proc)
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 0, err
    assert "a worker process was lost" in err and "Traceback" not in err
    assert not _alive(killed)
    assert (out / "runs.csv").read_bytes() == (reference / "runs.csv").read_bytes()
    assert json.loads((out / "manifest.json").read_text())["complete"] is True


class _BrokenPool:
    """A process pool whose every task fails as when a worker is killed."""

    made = 0

    def __init__(self, *args, **kwargs) -> None:
        type(self).made += 1
        self._max_workers = 2
        self._processes: dict = {}

    def submit(self, fn, *args):
        future: Future = Future()
        future.set_exception(BrokenProcessPool("a worker died"))
        return future

    def shutdown(self, wait=True, cancel_futures=False) -> None:
        pass


def test_workers_lost_again_and_again_stop_the_command_with_a_clear_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "ProcessPoolExecutor", _BrokenPool)
    monkeypatch.setattr(runner, "process_context", lambda: __import__("multiprocessing").get_context("spawn"))
    out = tmp_path / "out"
    status = cli(["run", *[a for a in TINY if a not in ("--replicates", "1", "--workers")], "--replicates", "2",
                  "--workers", "2", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err and "internal error" not in err, err
    assert f"lost {runner.MAX_POOL_RESTARTS + 1} times" in err
    assert _BrokenPool.made == runner.MAX_POOL_RESTARTS + 1
    assert not out.exists()


def test_pool_workers_end_when_their_parent_is_killed(tmp_path):
    from tests.run.test_hardening import _start_big_run

    proc, _, _ = _start_big_run(tmp_path)
    try:
        workers = _workers(_wait_for_workers(proc))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid, _ in workers):
            time.sleep(0.05)
        assert not [pid for pid, _ in workers if _alive(pid)], "pool workers outlived their parent"
    finally:
        for pid, _ in _children(proc.pid):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# --- Dask: addresses that are not a scheduler ---------------------------------------------------


def _silent_server() -> tuple[socket.socket, int]:
    """A port that accepts connections (in its backlog) and never says a word, like an idle HTTP server."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    return server, server.getsockname()[1]


def _talking_server(text: bytes) -> tuple[socket.socket, int]:
    """A port that answers every connection with ``text`` (a service that is not Dask)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.sendall(text)
                time.sleep(0.5)

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


@pytest.mark.parametrize("kind", ["silent", "other bytes"])
def test_an_address_that_is_not_a_scheduler_fails_within_10_s_with_exit_2_and_writes_nothing(kind, tmp_path, capsys):
    server, port = _silent_server() if kind == "silent" else _talking_server(b"\xff" * 64 + b"HTTP/1.1 400\r\n")
    path = tiny_experiment(tmp_path, months=2, replicates=1)
    out = tmp_path / "results" / "out"
    try:
        started = time.monotonic()
        status = sweep_cli(path, "--dask", f"tcp://127.0.0.1:{port}", "--out", out)
        elapsed = time.monotonic() - started
    finally:
        server.close()
    err = capsys.readouterr().err
    assert_refused(status, err, f"tcp://127.0.0.1:{port}", "says nothing" if kind == "silent" else "not as a Dask")
    assert elapsed < 10
    assert not (tmp_path / "results").exists()


# --- Dask: a worker with other code joins mid-sweep ------------------------------------------------


def _start_worker(address: str, cwd: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                             "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow  # a scheduler, two workers, one of them with changed code: about a minute
def test_a_worker_with_other_code_that_joins_mid_sweep_runs_nothing(tmp_path, capsys):
    # The other code: a copy of the package whose runs report 50% more in fees paid by workers.
    other = tmp_path / "other"
    shutil.copytree(ROOT / "model", other / "model", ignore=shutil.ignore_patterns("__pycache__"))
    with (other / "model" / "run" / "runner.py").open("a", encoding="utf-8") as handle:
        handle.write("\n_run_replicate = run_replicate\n\n\ndef run_replicate(*args, **kwargs):\n"
                     "    frame = _run_replicate(*args, **kwargs)\n    frame['worker_fees_paid'] *= 1.5\n"
                     "    return frame\n")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    env.pop("PYTHONPATH", None)
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        procs.append(_start_worker(address, ROOT, {**env, "PYTHONPATH": str(ROOT)}))
        path = tiny_experiment(tmp_path, replicates=6, months=24)  # 24 runs
        reference = tmp_path / "reference"
        run_sweep(load_experiment(path), reference, workers=1)
        joined: list[int] = []

        def join_with_other_code(done: int) -> None:
            if not joined:
                joined.append(done)
                procs.append(_start_worker(address, tmp_path, {**env, "PYTHONPATH": str(other)}))
                time.sleep(8)  # it registers and is handed queued tasks

        out = tmp_path / "dask"
        outcome = run_sweep(load_experiment(path), out, dask=address, progress=join_with_other_code)
    finally:
        _stop(procs)
    err = capsys.readouterr().err
    assert outcome.complete
    assert "runs other versions than this machine" in err, "the worker with other code was given no task"
    assert (out / "runs.csv").read_bytes() == (reference / "runs.csv").read_bytes()
    times = pd.read_csv(out / "run_times.csv")
    assert len(times) == 24 and times["worker"].nunique() == 1


def test_ctrl_c_under_dask_prints_one_line(tmp_path):
    path = tiny_experiment(tmp_path, replicates=6, months=60)
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    with log.open("wb") as err:
        proc = subprocess.Popen([*DOMWORK, "sweep", str(path), "--dask", "local", "--workers", "2", "--out",
                                 str(out), "--quiet"], cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            runs = out / "runs.csv"
            if runs.exists() and runs.read_text().count("\n") >= 2:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = log.read_text(errors="replace")
    assert proc.returncode == 130, text
    assert len(text.strip().splitlines()) == 1, text
    assert "interrupted" in text and "--resume" in text
    assert not store.lock_path(out).exists()
