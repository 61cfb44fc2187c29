"""Hardening: bad input through the CLI, interruptions, and runs that reproduce.

Every bad input exits with status 2, prints a few lines naming the file, the
key path and the problem (never a traceback) and writes nothing. An interrupted
run exits with 130 and leaves no folder and no process behind. The order in
which replicates finish never changes results, and the manifest holds what is
needed to rerun.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import load_scenario
from model.cli import main
from model.core import tables
from model.core.rng import replicate_seed
from model.run import resources, runner
from tests.helpers import BASELINE, ROOT, TINY, assert_refused, cli, write

# --- bad input: one case a row ---------------------------------------------------------------
#
# Each case: files to write into tmp_path (name -> text), the arguments after
# `domwork run` ({tmp} stands for tmp_path), and what the message must name: the
# file (or --set, where the bad value comes from), the key path, and the problem.

CASES = {
    "missing file": ({}, ["{tmp}/missing.yaml"], ["{tmp}/missing.yaml", "file not found"]),
    "folder as scenario": ({"folder/keep.yaml": "name: x\n"}, ["{tmp}/folder"], ["{tmp}/folder", "is a folder"]),
    "device as scenario": ({}, ["/dev/zero"], ["/dev/zero", "not a regular file"]),
    "empty file": ({"s.yaml": ""}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "empty"]),
    "blank file": ({"s.yaml": "  \n\n# only a comment\n"}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "empty"]),
    "not YAML": ({"s.yaml": "workers: [1, 2\n"}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "not valid YAML", "line 2"]),
    "not UTF-8": ({"s.yaml": None}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "UTF-8"]),
    "top-level list": ({"s.yaml": "- a\n- b\n"}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "top level is a list"]),
    "top-level scalar": ({"s.yaml": "42\n"}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "top level is a number"]),
    "unknown key": ({"s.yaml": "workers:\n  cont: 5\n"}, ["{tmp}/s.yaml"],
                    ["{tmp}/s.yaml", "workers.cont", "unknown key", "did you mean 'count'"]),
    "unknown section": ({"s.yaml": "polices:\n  minimum_wage: {enabled: true}\n"}, ["{tmp}/s.yaml"],
                        ["{tmp}/s.yaml", "polices", "did you mean 'policies'"]),
    "unknown key in --set": ({}, ["--set", "policies.fee_cap.max_share=0"],
                             ["--set", "policies.fee_cap", "did you mean 'worker_fee_cap'"]),
    "quoted string for a boolean": ({"s.yaml": "policies:\n  minimum_wage:\n    enabled: 'yes'\n"},
                                    ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "policies.minimum_wage.enabled", "boolean"]),
    "bare yes for a boolean": ({"s.yaml": "policies:\n  minimum_wage:\n    enabled: yes\n"},
                               ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "policies.minimum_wage.enabled", "boolean"]),
    "yes for a boolean in --set": ({}, ["--set", "policies.minimum_wage.enabled=yes"],
                                   ["--set", "policies.minimum_wage.enabled", "boolean"]),
    "string for a number": ({"s.yaml": "workers:\n  count: '400'\n"}, ["{tmp}/s.yaml"],
                            ["{tmp}/s.yaml", "workers.count", "integer"]),
    "word for a number in --set": ({}, ["--set", "workers.count=lots"], ["--set", "workers.count", "integer"]),
    "float for a count": ({"s.yaml": "households:\n  count: 1500.5\n"}, ["{tmp}/s.yaml"],
                          ["{tmp}/s.yaml", "households.count", "integer"]),
    "octal-looking count": ({"s.yaml": "agencies:\n  count: 010\n"}, ["{tmp}/s.yaml"],
                            ["{tmp}/s.yaml", "agencies.count", "integer"]),
    "word for a number on the command line": ({}, ["--months", "twelve"], ["--months", "invalid int value"]),
    "not a number at all": ({"s.yaml": "market:\n  separation_rate: .nan\n"}, ["{tmp}/s.yaml"],
                            ["{tmp}/s.yaml", "market.separation_rate"]),
    "infinite fine": ({}, ["--set", "policies.worker_fee_cap.fine=.inf"],
                      ["--set", "policies.worker_fee_cap.fine", "finite"]),
    "mapping where a section holds values": ({}, ["--set", "workers=5"], ["--set", "workers", "dictionary"]),
    "negative count in a file": ({"s.yaml": "households:\n  count: -5\n"}, ["{tmp}/s.yaml"],
                                 ["{tmp}/s.yaml", "households.count", "greater than or equal to 1"]),
    "no workers in a file": ({"s.yaml": "workers:\n  count: 0\n"}, ["{tmp}/s.yaml"],
                             ["{tmp}/s.yaml", "workers.count", "greater than or equal to 1"]),
    "negative count in --set": ({}, ["--set", "agencies.count=-1"],
                                ["--set", "agencies.count", "greater than or equal to 0"]),
    "negative replicates": ({}, ["--replicates", "-1"], ["replicates", "greater than or equal to 1"]),
    "zero processes": ({}, ["--workers", "0"], ["--workers", "at least 1"]),
    "share above 1": ({"s.yaml": "demand:\n  need_share: 1.5\n"}, ["{tmp}/s.yaml"],
                      ["{tmp}/s.yaml", "demand.need_share", "less than 1"]),
    "share below 0": ({}, ["--set", "shocks.spring_festival.share_leaving=-0.1"],
                      ["--set", "shocks.spring_festival.share_leaving", "greater than or equal to 0"]),
    "share above 1 in a per-type block": ({"s.yaml": "workers:\n  job_type_share:\n    elder_carer: 1.2\n"},
                                          ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "workers.job_type_share.elder_carer"]),
    "shares that sum to more than 1": (
        {"s.yaml": "agencies:\n  employee_based_share: 0.7\n  membership_share: 0.7\n"},
        ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "agencies.employee_based_share", "at most 1"]),
    "zero months in a file": ({"s.yaml": "months: 0\n"}, ["{tmp}/s.yaml"],
                              ["{tmp}/s.yaml", "months", "greater than or equal to 1"]),
    "zero months on the command line": ({}, ["--months", "0"], ["months", "greater than or equal to 1"]),
    "many errors at once": ({"s.yaml": "months: 0\nreplicates: 0\nseed: -1\nstart_month: 13\n"
                                       "workers: {count: -1, age_mean: 5}\nhouseholds: {count: -1}\n"},
                            ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "months", "more"]),
    "extends a missing file": ({"s.yaml": "extends: nowhere.yaml\n"}, ["{tmp}/s.yaml"],
                               ["{tmp}/s.yaml", "nowhere.yaml", "does not exist"]),
    "extends in a cycle": ({"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"}, ["{tmp}/a.yaml"],
                           ["{tmp}/a.yaml", "{tmp}/b.yaml", "cycle"]),
    "extends itself": ({"s.yaml": "extends: s.yaml\n"}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "cycle"]),
    "extends a folder": ({"s.yaml": "extends: sub\n", "sub/keep.yaml": "name: x\n"}, ["{tmp}/s.yaml"],
                         ["{tmp}/sub", "is a folder"]),
    "error in a parent names the parent": ({"p.yaml": "workers:\n  age_mean: old\n",
                                            "s.yaml": "extends: p.yaml\nname: child\n"}, ["{tmp}/s.yaml"],
                                           ["{tmp}/p.yaml", "workers.age_mean"]),
    "--set path that does not exist": ({}, ["--set", "workers.nope=1"], ["--set", "workers.nope", "unknown key"]),
    "--set into a value": ({}, ["--set", "workers.count.x=1"], ["--set", "workers.count", "is a value"]),
    "--set without a value": ({}, ["--set", "months"], ["--set", "months", "dotted.key=VALUE"]),
    "--set extends": ({}, ["--set", "extends=baseline.yaml"], ["--set", "extends"]),
    "name with a path in it": ({"s.yaml": "name: ../../etc\n"}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "name", "pattern"]),
    "name with a path in --set": ({}, ["--set", "name=../../etc"], ["--set", "name", "pattern"]),
    "empty name": ({"s.yaml": "name: ''\n"}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "name"]),
    "YAML tag that runs a command": ({"s.yaml": "seed: !!python/object/apply:os.system ['touch {tmp}/pwned']\n"},
                                     ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "tag not allowed"]),
    "YAML tag that names a function": ({"s.yaml": "description: !!python/name:os.system\n"}, ["{tmp}/s.yaml"],
                                       ["{tmp}/s.yaml", "tag not allowed"]),
    "YAML alias bomb": ({"s.yaml": "description:\n" + "".join(
        f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" if i else "  a0: &a0 [lol, lol, lol, lol]\n"
        for i in range(12))}, ["{tmp}/s.yaml"], ["{tmp}/s.yaml", "description", "aliases"]),
    "YAML alias cycle": ({"s.yaml": "description: &a {x: *a}\n"}, ["{tmp}/s.yaml"],
                         ["{tmp}/s.yaml", "description", "cycle"]),
    "YAML nested too deeply": ({"s.yaml": "description: " + "[" * 3000 + "]" * 3000 + "\n"}, ["{tmp}/s.yaml"],
                               ["{tmp}/s.yaml", "nested too deeply"]),
    "huge file": ({"s.yaml": "description: '" + "x" * 2_000_000 + "'\n"}, ["{tmp}/s.yaml"],
                  ["{tmp}/s.yaml", "too big"]),
    "workers that do not fit in memory": ({}, [str(BASELINE), "--set", "workers.count=2000000000"],
                                          [str(BASELINE), "workers.count=2,000,000,000", "GiB"]),
    "households that do not fit in memory": ({}, [str(BASELINE), "--set", "households.count=2000000000"],
                                             [str(BASELINE), "households.count=2,000,000,000", "GiB"]),
    "agencies that do not fit in memory": ({}, [str(BASELINE), "--set", "agencies.count=2000000000"],
                                           [str(BASELINE), "agencies.count=2,000,000,000", "GiB"]),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_exits_2_with_a_short_message_and_writes_nothing(case, tmp_path, capsys, monkeypatch):
    files, args, fragments = CASES[case]
    monkeypatch.chdir(tmp_path)  # a default results/ folder, if any, would land here
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            path.write_bytes(b"name: caf\xe9\n")  # Latin-1, not UTF-8
        else:
            write(path, text.replace("{tmp}", str(tmp_path)))
    out = tmp_path / "out"
    before = sorted(p.name for p in tmp_path.iterdir())
    built: list[int] = []  # refused before any agent table is made: no model was built
    real_grow = tables.Table.grow
    monkeypatch.setattr(tables.Table, "grow", lambda self, k, spare=0.25: built.append(k) or
                        real_grow(self, k, spare))
    status = cli(["run", *(a.replace("{tmp}", str(tmp_path)) for a in args), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert_refused(status, captured.err, *(f.replace("{tmp}", str(tmp_path)) for f in fragments))
    assert not out.exists(), "the --out folder was created"
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "something was written next to --out"
    assert not (tmp_path / "pwned").exists(), "a YAML tag ran a command"
    assert not built, f"agent tables were allocated before refusing: {built}"


def test_sizes_that_do_not_fit_are_refused_quickly_before_anything_is_allocated(tmp_path, capsys, monkeypatch):
    import model.core.tables
    import model.run.output
    import model.run.plots
    import model.run.progress

    built: list[int] = []
    real_grow = model.core.tables.Table.grow

    def grow(self, k, spare=0.25):
        built.append(k)
        return real_grow(self, k, spare)

    monkeypatch.setattr(model.core.tables.Table, "grow", grow)
    out = tmp_path / "out"
    tracemalloc.start()
    try:
        status = cli(["run", str(BASELINE), "--set", "workers.count=2000000000", "--out", str(out), "--quiet"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_refused(status, capsys.readouterr().err, "workers.count", "GiB")
    assert not built, f"agent tables were allocated: {built}"
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MiB allocated before refusing"
    assert not out.exists()


def test_a_timeseries_that_does_not_fit_is_refused(tmp_path, capsys, monkeypatch):
    # 10,000 replicates x 1,200 months of every column: tens of GiB in the parent process.
    monkeypatch.setattr(resources, "available_bytes", lambda: 8 * 2**30)
    out = tmp_path / "out"
    status = cli(["run", "--set", "workers.count=10", "--set", "households.count=10", "--replicates", "10000",
                  "--months", "1200", "--workers", "1", "--out", str(out), "--quiet"])
    assert_refused(status, capsys.readouterr().err, "built-in baseline", "replicates=10,000", "months=1,200", "GiB")
    assert not out.exists()


def test_memory_is_checked_for_every_replicate_running_at_once(tmp_path, capsys, monkeypatch):
    """With memory for one replicate but not two, two processes must not run at once."""
    scenario = load_scenario(None, {"workers.count": 100, "households.count": 150, "agencies.count": 2,
                                    "months": 2, "replicates": 2})
    room = resources.estimate_bytes(scenario) * 1.5 + resources.timeseries_bytes(scenario)
    monkeypatch.setattr(resources, "available_bytes", lambda: int(room))
    processes: list[int | None] = []
    real = runner.run_replicates

    def recording(scenario, *args, workers=None, **kwargs):
        processes.append(workers)
        return real(scenario, *args, workers=1, **kwargs)  # serial: the test stays cheap either way

    monkeypatch.setattr(runner, "run_replicates", recording)
    small = ["--set", "workers.count=100", "--set", "households.count=150", "--set", "agencies.count=2",
             "--months", "2", "--replicates", "2", "--quiet"]
    # One process at a time fits: it runs.
    assert cli(["run", *small, "--workers", "1", "--out", str(tmp_path / "serial")]) == 0
    assert processes == [1]
    # Two at once do not: refused (exit 2), or run with fewer processes.
    status = cli(["run", *small, "--workers", "2", "--out", str(tmp_path / "parallel")])
    err = capsys.readouterr().err
    if status == 2:
        assert_refused(status, err, "GiB")
        assert not (tmp_path / "parallel").exists()
    else:
        assert status == 0, err
        assert processes[-1] == 1, f"{processes[-1]} processes started with memory for one replicate"


def test_memory_available_respects_the_container_limit(tmp_path, monkeypatch):
    """In a container /proc/meminfo shows the host's memory; the cgroup limit is what the run may use."""
    meminfo = write(tmp_path / "meminfo", "MemTotal: 16777216 kB\nMemAvailable: 8388608 kB\n")
    limit, usage = tmp_path / "memory.max", tmp_path / "memory.current"
    monkeypatch.setattr(resources, "MEMINFO", meminfo)
    monkeypatch.setattr(resources, "CGROUP_LIMITS", ((limit, usage),))
    assert resources.available_bytes() == 8 * 2**30  # no cgroup files
    write(limit, f"{2 * 2**30}\n")
    write(usage, f"{2**29}\n")
    assert resources.available_bytes() == 2 * 2**30 - 2**29
    write(limit, "max\n")  # cgroup v2 without a limit
    assert resources.available_bytes() == 8 * 2**30
    write(limit, "9223372036854771712\n")  # cgroup v1 without a limit
    assert resources.available_bytes() == 8 * 2**30
    write(limit, f"{2**30}\n")
    write(usage, f"{2 * 2**30}\n")  # over the limit already
    assert resources.available_bytes() == 0


def test_out_that_is_a_file_is_refused_and_left_alone(tmp_path, capsys):
    out = write(tmp_path / "results.txt", "not a folder")
    status = cli(["run", *TINY, "--out", str(out)])
    assert_refused(status, capsys.readouterr().err, str(out), "not a folder")
    assert out.read_text() == "not a folder"
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_out_under_a_file_is_refused(tmp_path, capsys):
    parent = write(tmp_path / "results.txt", "not a folder")
    status = cli(["run", *TINY, "--out", str(parent / "out")])
    assert status == 2, capsys.readouterr().err
    assert parent.read_text() == "not a folder"


def test_a_non_empty_out_is_refused_without_force_and_left_untouched(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "figures").mkdir(parents=True)
    write(out / "summary.json", '{"earlier": true}\n')
    write(out / "figures" / "old.png", "png")
    before = {p.relative_to(out): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
              for p in out.rglob("*")}
    status = cli(["run", *TINY, "--out", str(out)])
    assert_refused(status, capsys.readouterr().err, str(out), "not empty", "--force")
    after = {p.relative_to(out): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
             for p in out.rglob("*")}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


@pytest.mark.parametrize("where", [".", "{tmp}", "{tmp}/.."])
def test_force_never_replaces_the_current_folder_or_one_holding_it(where, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "precious.txt", "a user's work")
    out = where.replace("{tmp}", str(tmp_path))
    status = cli(["run", *TINY, "--out", out, "--force"])
    assert_refused(status, capsys.readouterr().err, out, "current folder")
    assert (tmp_path / "precious.txt").read_text() == "a user's work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.txt"]


def test_force_does_not_follow_a_symbolic_link(tmp_path, capsys):
    target = tmp_path / "elsewhere"
    target.mkdir()
    write(target / "precious.txt", "a user's work")
    link = tmp_path / "out"
    link.symlink_to(target, target_is_directory=True)
    status = cli(["run", *TINY, "--out", str(link), "--force"])
    assert_refused(status, capsys.readouterr().err, str(link), "symbolic link")
    assert link.is_symlink() and (target / "precious.txt").read_text() == "a user's work"


def test_replacing_earlier_results_is_all_or_nothing(tmp_path, monkeypatch):
    """Interrupted while swapping folders, --force leaves the earlier results whole, and no leftovers."""
    from model.run import output

    out = tmp_path / "out"
    out.mkdir()
    write(out / "summary.json", "earlier\n")
    write(out / "manifest.json", '{"written_by": "domwork"}\n')
    real_replace = output.os.replace
    calls: list[tuple] = []

    def interrupted_replace(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # the earlier folder is aside, the new one not yet in place
            raise KeyboardInterrupt
        return real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", interrupted_replace)
    with pytest.raises(KeyboardInterrupt), output.staged_dir(out, force=True) as tmp:
        write(tmp / "summary.json", "new\n")
    assert len(calls) >= 2
    assert (out / "summary.json").read_text() == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    monkeypatch.setattr(output.os, "replace", real_replace)
    with output.staged_dir(out, force=True) as tmp:
        write(tmp / "summary.json", "new\n")
    assert (out / "summary.json").read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_empty_out_folder_is_used(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert cli(["run", *TINY, "--out", str(out)]) == 0
    assert (out / "summary.json").is_file()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_resolved_scenario_quotes_strings_that_look_like_numbers(tmp_path):
    from model.scenario.loading import to_yaml

    scenario = load_scenario(None, {"name": "1e3", "description": "yes"})
    again = load_scenario(write(tmp_path / "resolved.yaml", to_yaml(scenario)))
    assert (again.name, again.description) == ("1e3", "yes")
    assert again == scenario


# --- interruptions ---------------------------------------------------------------------------

# About 30 s of work on 2 processes: long enough to be interrupted in the middle of it.
BIG = ["--set", "workers.count=40000", "--set", "households.count=60000", "--set", "agencies.count=450",
       "--months", "360", "--replicates", "2", "--workers", "2"]


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the descendants of ``pid``."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        found = []
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    found.append((child.pid, " ".join(child.cmdline())))
        return found
    parents: dict[int, int] = {}
    lines: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            lines[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
    family, frontier = [], {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier}
        family.extend(frontier)
    return [(p, lines.get(p, "")) for p in family]


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie has exited: it is not alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def _stray_processes(tmp_path: Path) -> list[tuple[int, str]]:
    """Live processes whose command line names the test's folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(tmp_path) in line and _alive(int(entry.name)):
                found.append((int(entry.name), line))
    return found


def _start_big_run(tmp_path: Path) -> tuple[subprocess.Popen, Path, Path]:
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "model.cli", "run", str(BASELINE), *BIG, "--out", str(out)],
                                cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)  # its own process group, for Ctrl-C
    return proc, out, log


def _workers(children: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Worker processes: forked (the parent's command line) or spawned (spawn_main), not the resource tracker."""
    return [(pid, line) for pid, line in children if "resource_tracker" not in line]


def _wait_for_workers(proc: subprocess.Popen, count: int = 2, timeout: float = 30.0) -> list[tuple[int, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the run ended early with status {proc.returncode}"
        children = _children(proc.pid)
        if len(_workers(children)) >= count:
            return children
        time.sleep(0.05)
    raise AssertionError(f"no {count} worker processes after {timeout} s")


def _interrupt(proc: subprocess.Popen, how: str) -> float:
    """Send the signal; return the seconds until the process exits."""
    started = time.monotonic()
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)  # `kill PID`
    else:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground process group
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise AssertionError(f"still running 30 s after {how}") from None
    return time.monotonic() - started


def _stop_while_running(proc: subprocess.Popen, how: str, after: float | None = None) -> tuple[float, list]:
    """Wait for the workers (and ``after`` seconds more), send ``how``: the seconds to exit, the children seen.

    Whatever happens, the process group does not outlive the test.
    """
    try:
        children = _wait_for_workers(proc)
        if after is not None:
            time.sleep(after)
            children = _children(proc.pid)
            assert proc.poll() is None, f"the run ended before it could be stopped, status {proc.returncode}"
        return _interrupt(proc, how), children
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _assert_clean_exit(proc, elapsed, out, log, children, *, tmp_path) -> None:
    err = log.read_text(errors="replace")
    assert proc.returncode == 130, f"status {proc.returncode}, stderr:\n{err[-3000:]}"
    assert elapsed < 5, f"took {elapsed:.1f} s to stop"
    assert "interrupted" in err
    assert not out.exists(), "an interrupted run left its --out folder"
    assert not [p.name for p in out.parent.iterdir() if ".partial-" in p.name], "a .partial- folder was left"
    workers = _workers(children)
    assert len(workers) >= 2
    time.sleep(0.2)
    left = [(pid, line) for pid, line in workers if _alive(pid)]
    assert not left, f"worker processes left alive: {left}"
    deadline = time.monotonic() + 3  # the resource tracker stops once it sees its parent gone
    while time.monotonic() < deadline and any(_alive(pid) for pid, _ in children):
        time.sleep(0.1)
    assert not [c for c in children if _alive(c[0])], "child processes left alive"
    assert not _stray_processes(tmp_path)


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_an_interrupted_run_stops_quickly_and_leaves_nothing(tmp_path, how):
    proc, out, log = _start_big_run(tmp_path)
    elapsed, children = _stop_while_running(proc, how, after=2.5)  # well into the replicates (30 s of work)
    _assert_clean_exit(proc, elapsed, out, log, children, tmp_path=tmp_path)
    assert "Traceback" not in log.read_text(errors="replace")


def test_ctrl_c_as_the_workers_start_prints_no_traceback(tmp_path):
    """Ctrl-C reaches every process of the group; the workers must not each print a traceback."""
    proc, out, log = _start_big_run(tmp_path)
    # At once: the workers are still setting up (or importing, when spawned).
    elapsed, children = _stop_while_running(proc, "SIGINT")
    _assert_clean_exit(proc, elapsed, out, log, children, tmp_path=tmp_path)
    err = log.read_text(errors="replace")
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-2000:]


# --- reproducibility -------------------------------------------------------------------------

def _tiny_scenario(replicates: int = 3):
    return load_scenario(None, {"workers.count": 300, "households.count": 450, "agencies.count": 4,
                                "months": 6, "replicates": replicates})


class _ReverseOrderPool:
    """An executor that finishes the last submitted replicate first, and replicate 0 last."""

    def __init__(self, *args, **kwargs) -> None:
        self.calls: list[tuple] = []
        self.finished: list[int] = []
        self._processes: dict = {}

    def submit(self, fn, *args):
        future: Future = Future()
        self.calls.append((future, fn, args))
        if len(self.calls) == 3:  # every replicate of the tiny scenario, one a task
            threading.Thread(target=self._run_in_reverse, daemon=True).start()
        return future

    def _run_in_reverse(self) -> None:
        for future, fn, args in reversed(self.calls):
            future.set_running_or_notify_cancel()
            future.set_result(fn(*args))
            self.finished.append(args[1][0][1])  # (function, [(scenario, replicate)])
            time.sleep(0.05)

    def shutdown(self, wait=True, cancel_futures=False) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def test_the_order_replicates_finish_in_does_not_change_results(monkeypatch):
    scenario = _tiny_scenario()
    serial = runner.run_replicates(scenario, workers=1)
    pools: list[_ReverseOrderPool] = []

    def make_pool(*args, **kwargs):
        pools.append(_ReverseOrderPool(*args, **kwargs))
        return pools[-1]

    monkeypatch.setattr(runner, "ProcessPoolExecutor", make_pool)
    reordered = runner.run_replicates(scenario, workers=3)
    assert pools and pools[0].finished == [2, 1, 0], "the replicates did not finish in reverse order"
    assert list(reordered["replicate"].unique()) == [0, 1, 2]
    assert (reordered.groupby("replicate")["month"].apply(lambda m: list(m) == list(range(1, 7)))).all()
    pd.testing.assert_frame_equal(reordered, serial)
    assert runner.summarize(reordered) == runner.summarize(serial)


def test_collect_returns_results_in_submission_order_whatever_the_finishing_order():
    futures = [Future() for _ in range(4)]
    progress: list[int] = []

    def finish() -> None:
        for k in (3, 1, 2, 0):
            time.sleep(0.03)
            futures[k].set_result(f"replicate {k}")

    threading.Thread(target=finish, daemon=True).start()
    assert runner.collect(None, futures, None, progress.append) == [f"replicate {k}" for k in range(4)]


def test_a_replicate_gives_the_same_rows_alone_or_among_others():
    scenario = _tiny_scenario()
    together = runner.run_replicates(scenario, workers=1)
    alone = runner.run_replicate(scenario, 2)
    pd.testing.assert_frame_equal(together[together["replicate"] == 2].reset_index(drop=True), alone)


def test_the_manifest_records_command_seeds_versions_commit_and_wall_time(tmp_path):
    import mesa

    import model as package

    out = tmp_path / "out"
    args = ["run", str(BASELINE), "--set", "workers.count=300", "--set", "households.count=450",
            "--set", "agencies.count=4", "--months", "4", "--replicates", "3", "--seed", "11", "--workers", "1",
            "--out", str(out), "--quiet"]
    started = time.perf_counter()
    assert main(args) == 0
    elapsed = time.perf_counter() - started
    manifest = json.loads((out / "manifest.json").read_text())

    assert manifest["command"][-len(args):] == args, f"the command recorded is {manifest['command']}"
    assert manifest["seeds"] == [replicate_seed(11, k) for k in range(3)]
    assert manifest["seeds"][0] == 11 and len(set(manifest["seeds"])) == 3
    versions = manifest["versions"]
    assert versions["python"] == platform.python_version()
    assert versions["mesa"] == mesa.__version__
    assert versions["numpy"] == np.__version__
    assert versions["domwork"] == package.__version__
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    if head.returncode == 0:
        assert manifest["git_commit"] is not None
        assert manifest["git_commit"].removesuffix("-dirty") == head.stdout.strip()
    assert 0 < manifest["wall_seconds"] <= elapsed + 0.01
    assert (manifest["replicates"], manifest["months"]) == (3, 4)


def test_the_manifest_of_the_command_line_records_its_arguments(tmp_path):
    out = tmp_path / "out"
    args = ["run", str(BASELINE), "--set", "workers.count=300", "--set", "households.count=450",
            "--set", "agencies.count=4", "--months", "3", "--replicates", "1", "--quiet", "--out", str(out)]
    subprocess.run([sys.executable, "-m", "model.cli", *args], cwd=ROOT, check=True, capture_output=True)
    command = json.loads((out / "manifest.json").read_text())["command"]
    assert command[1:] == args
