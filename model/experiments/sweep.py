"""``domwork sweep``: run every point of an experiment, replicates and all, and analyse them.

Runs go through the one runner (:func:`model.run.runner.execute_batches`) on the
chosen backend, in batches long enough that scheduling costs little, and each
finished batch goes straight to the store, so memory stays flat and a killed
sweep resumes where it stopped. Replicate k of every point uses the same seed
(common random numbers), so the same experiment gives the same ``runs.csv``
on one process, many, or a cluster.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from model.core.rng import replicate_seed
from model.experiments import executors, sensitivity
from model.experiments.design import Design
from model.experiments.store import SweepStore
from model.run import runner
from model.run import store as result_store
from model.scenario.loading import ScenarioError, to_yaml
from model.scenario.schema import Scenario

TARGET_TASK_SECONDS = 1.0  # Dask recommends tasks well over 100 ms; 1 s keeps its overhead under 0.1%
TASKS_PER_WORKER = 4  # at least this many tasks a worker, so that the last ones balance
# A run of the model costs about this much (docs/performance.md: 1.2 million agent-months a second at
# 1:100, less on tiny cities, where each month's fixed costs dominate).
SECONDS_PER_AGENT_MONTH = 1.0 / 1.0e6
SECONDS_PER_MONTH = 0.002
SECONDS_PER_RUN = 0.02


@dataclass(frozen=True)
class RunSpec:
    """One run: what a worker needs to do it and to report it."""

    point: int
    replicate: int
    seed: int
    keys: tuple[str, ...]
    values: tuple[Any, ...]
    metrics: tuple[str, ...]
    scenario: Scenario | None  # None for a test function
    model: str = "domwork"


def run_one(spec: RunSpec) -> dict[str, Any]:
    """Do one run (on a worker): its ``runs.csv`` row, its time series, its time and where it ran."""
    started = time.perf_counter()
    if spec.model == "ishigami":
        means = {"y": sensitivity.ishigami(dict(zip(spec.keys, spec.values, strict=True)))}
        series = None
    else:
        ts = runner.run_replicate(spec.scenario, spec.replicate)
        last = runner.last_months_means(ts)
        means = {m: float(last[m].iloc[0]) for m in spec.metrics}
        series = ts[["replicate", "month", *spec.metrics]]
    return {
        "point": spec.point,
        "replicate": spec.replicate,
        "row": (spec.point, spec.replicate, spec.seed, *spec.values, *(means[m] for m in spec.metrics)),
        "timeseries": series,
        "seconds": time.perf_counter() - started,
        "worker": _worker_name(),
    }


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def estimated_run_seconds(design: Design) -> float:
    """A rough cost of one run, to size tasks."""
    if design.model != "domwork":
        return 1e-5
    base = design.base
    agents = base.workers.count + base.households.count + base.agencies.count
    return SECONDS_PER_RUN + design.months * (SECONDS_PER_MONTH + agents * SECONDS_PER_AGENT_MONTH)


def batch_size(design: Design, runs: int, workers: int) -> int:
    """Runs a task: about :data:`TARGET_TASK_SECONDS` of work, yet several tasks a worker."""
    target = math.ceil(TARGET_TASK_SECONDS / estimated_run_seconds(design))
    spread = math.ceil(runs / (TASKS_PER_WORKER * max(1, workers)))
    return max(1, min(target, spread))


def columns(design: Design) -> tuple[str, ...]:
    """The columns of ``runs.csv``."""
    return ("point", "replicate", "seed", *design.keys, *design.metrics)


def _specs(design: Design, todo: list[tuple[int, int]]) -> Iterator[RunSpec]:
    """The runs still to do, built as they are submitted (a point's scenario once for its replicates)."""
    cached: tuple[int, Scenario | None] | None = None
    for point, replicate in todo:
        if cached is None or cached[0] != point:
            cached = (point, design.scenario(point) if design.model == "domwork" else None)
        values = design.point_values(point)
        scenario = cached[1]
        seed = replicate_seed(scenario.seed if scenario is not None else design.seed, replicate)
        yield RunSpec(point, replicate, seed, design.keys, tuple(values.values()), design.metrics, scenario,
                      design.model)


@dataclass
class Outcome:
    """What a sweep did, for the command line's report."""

    out: Path
    complete: bool
    runs: int
    done: int
    ran: int
    session: dict[str, Any]


def run_sweep(design: Design, out: Path, *, workers: int | None = None, dask: str | None = None,
              resume: bool = False, force: bool = False, argv: list[str] | None = None,
              progress: Callable[[int], None] | None = None) -> Outcome:
    """Run the missing runs of ``design`` into ``out``, then write the analysis and figures.

    Args:
        design: the experiment.
        out: the results folder (grows as runs finish).
        workers: local processes, or LocalCluster workers with ``dask="local"`` (default: every core).
        dask: None for local processes; ``local`` or a scheduler address for Dask.
        resume: continue the sweep in ``out``; only missing runs are done.
        force: replace a folder an earlier domwork command wrote.
        argv: the command, for the manifest.
        progress: called with the number of runs finished, as they finish.

    Raises:
        ScenarioError: bad ``out``, a different sweep in it, no scheduler, mismatched workers.
    """
    with result_store.claimed(out), contextlib.ExitStack() as backend_stack:
        return _run_sweep(design, out, backend_stack, workers=workers, dask=dask, resume=resume, force=force,
                          argv=argv, progress=progress)


def _run_sweep(design: Design, out: Path, backend_stack: contextlib.ExitStack, *, workers: int | None,
               dask: str | None, resume: bool, force: bool, argv: list[str] | None,
               progress: Callable[[int], None] | None) -> Outcome:
    started = time.perf_counter()
    run_started = time.perf_counter()  # before the backend starts: its start-up counts as outside the model
    # A cluster first: a wrong address, no workers or other versions end the command before anything is written.
    b = backend_stack.enter_context(executors.dask(dask, workers)) if dask else None
    files = {"experiment.yaml": design.text}
    if design.base is not None:
        files["scenario.yaml"] = to_yaml(design.base)
    seeds = sorted({replicate_seed(Scenario.model_validate(base).seed, r) for base in design.bases.values()
                    for r in range(design.replicates)}) if design.bases else \
        [replicate_seed(design.seed, r) for r in range(design.replicates)]
    store = SweepStore.open(
        out, columns=columns(design), fingerprint=design.fingerprint(), resume=resume, force=force,
        points=design.points, files=files,
        manifest=output_manifest(argv, seeds, 0.0, design))
    todo = [(p, r) for p in range(len(design.points)) for r in range(design.replicates)
            if (p, r) not in store.done]
    if progress is not None and store.done:
        progress(len(store.done))
    session: dict[str, Any] = {"started_utc": datetime.now(UTC).isoformat(timespec="seconds"), "runs": 0,
                               "command": argv}
    store.manifest["sessions"].append(session)
    store.write_manifest()  # a session killed at once is still on record
    model_seconds = 0.0
    running: float | None = None
    complete = False
    try:
        if todo:
            if b is None:
                processes = workers if workers is not None else runner.default_workers(len(todo))
                b = backend_stack.enter_context(executors.local(processes))
            session.update(backend=b.kind, workers=b.workers, address=b.address)
            size = batch_size(design, len(todo), max(b.planned, b.workers))
            session["batch_size"] = size
            for _, results in runner.execute_batches(run_one, _specs(design, todo), b.executor,
                                                     batch_size=size, max_in_flight=b.in_flight):
                store.add(results, len(store.manifest["sessions"]))  # rows, then the manifest's count
                session["runs"] += len(results)
                model_seconds += sum(r["seconds"] for r in results)
                if progress is not None:
                    progress(len(results))
        backend_stack.close()  # the pool's processes or the cluster are not needed for the analysis
        running = time.perf_counter() - run_started
        complete = len(store.done) == design.runs
        if complete:
            _finish(design, store)
    finally:
        wall = time.perf_counter() - started
        if running is None:  # interrupted during the runs
            running = time.perf_counter() - run_started
        slots = session.get("workers", 1)
        ran = session["runs"]
        session.update(
            wall_seconds=round(wall, 3),
            # Start-up of the backend, scheduling, the runs and writing them; then analysis and figures.
            run_phase_seconds=round(running, 3),
            analysis_seconds=round(wall - running, 3),
            model_seconds=round(model_seconds, 3),
            runs_per_minute=round(60 * ran / running, 2) if running > 0 and ran else 0.0,
            # Of the time every worker slot had in the run phase, the share not spent inside a run.
            outside_model_share=round(1 - model_seconds / (running * slots), 4) if ran else None)
        store.manifest.update(runs_done=len(store.done), runs=design.runs,
                              wall_seconds=round(sum(s.get("wall_seconds", 0) for s in store.manifest["sessions"]),
                                                 3),
                              finished_utc=datetime.now(UTC).isoformat(timespec="seconds"))
        store.write_manifest()
    if complete:
        store.manifest["complete"] = True
        store.write_manifest()  # last: only now does the folder say it is complete
    return Outcome(out, complete, design.runs, len(store.done), session["runs"], session)


def output_manifest(argv: list[str] | None, seeds: list[int], wall: float, design: Design) -> dict[str, Any]:
    """The manifest's fields: the output module's, and the experiment's."""
    from model.run import output

    return output.manifest(argv, seeds, wall, experiment=design.name, experiment_file=str(design.path),
                           model=design.model, points=len(design.points), replicates=design.replicates,
                           months=design.months, runs=design.runs, keys=list(design.keys), metrics=list(design.metrics),
                           sample=design.method)


def _finish(design: Design, store: SweepStore) -> None:
    """Sorted ``runs.csv``, ``sensitivity.csv`` and the figures."""
    from model.experiments import figures

    runs = store.finish_runs()
    table = sensitivity.analyse(design, runs)
    if table is not None:
        table.to_csv(store.out / "sensitivity.csv", index=False, float_format="%.6g", lineterminator="\n")
    figures.write_sweep_figures(design, runs, table, store.out / "figures")


def prepare(path: Path, sets: dict[str, Any], *, workers: int | None, dask: str | None, out: Path | None,
            resume: bool, force: bool) -> Design:
    """Check the command's options and load the experiment, before anything is written.

    Raises:
        ScenarioError: bad options or a bad experiment file.
    """
    from model.experiments.design import load_experiment
    from model.run.resources import check_disk, check_memory, sweep_disk_bytes

    if workers is not None and workers < 1:
        raise ScenarioError(f"--workers {workers}: must be at least 1")
    if resume and out is None:
        raise ScenarioError("--resume: give the sweep's folder with --out DIR")
    if resume and force:
        raise ScenarioError("--resume and --force: choose one (continue the sweep, or replace it)")
    design = load_experiment(path, sets)
    if dask is not None and dask != "local":
        executors.probe(dask)  # an address where no scheduler speaks fails here, in seconds
    if design.base is not None and dask in (None, "local"):  # a remote cluster's memory is not ours to see
        # Each run holds one model: the heaviest point must fit, as many times as runs go at once here.
        processes = workers if workers is not None else runner.default_workers(design.runs)
        point = heaviest_point(design)
        values = design.point_values(point)
        sizes = ", ".join(f"{k}={v:,}" for k, v in values.items() if k in SIZE_KEYS) or "the base scenario's sizes"
        check_memory(design.scenario(point).model_copy(update={"replicates": processes}),
                     f"{path}: point {point} ({sizes})" if len(design.points) > 1 else str(path), processes=processes)
    check_disk(out if out is not None else Path("results"),
               sweep_disk_bytes(design.runs, design.months, len(design.metrics)), str(path))
    return design


# The keys a run's memory grows with (model.run.resources.estimate_bytes).
SIZE_KEYS = ("workers.count", "households.count", "agencies.count")


def heaviest_point(design: Design) -> int:
    """The design point whose model takes the most memory (by the population sizes it sets)."""
    from model.experiments.design import SCENARIO_KEY, iter_point_values
    from model.run.resources import BYTES_PER_AGENCY, BYTES_PER_HOUSEHOLD, BYTES_PER_WORKER

    if not any(key in design.keys for key in (*SIZE_KEYS, SCENARIO_KEY)):
        return 0
    weights = dict(zip(SIZE_KEYS, (BYTES_PER_WORKER, BYTES_PER_HOUSEHOLD, BYTES_PER_AGENCY), strict=True))
    sizes: dict[str, dict[str, int]] = {}
    for name, data in design.bases.items():
        scenario = Scenario.model_validate(data)
        sizes[name] = {"workers.count": scenario.workers.count, "households.count": scenario.households.count,
                       "agencies.count": scenario.agencies.count}
    best, most = 0, -1.0
    for point, values in enumerate(iter_point_values(design)):
        base = sizes[values.get(SCENARIO_KEY) or ""]
        size = sum(weight * float(values.get(key, base[key])) for key, weight in weights.items())
        if size > most:
            best, most = point, size
    return best


def default_out(design: Design) -> Path:
    """``results/<name>-sweep-<UTC time>``."""
    from model.run import output

    return output.default_out_dir(design.name, "sweep")


def state(out: Path) -> str:
    """Where an interrupted sweep stands, in words."""
    import json

    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "nothing was written"
    return (f"{manifest.get('runs_done', 0):,} of {manifest.get('runs', '?'):,} runs are in {out}/ "
            f"(marked incomplete); rerun with --resume --out {out} to do only the rest")


def report(outcome: Outcome) -> str:
    """What the command prints at the end."""
    s = outcome.session
    lines = [f"Sweep in {outcome.out}/: {outcome.done:,} of {outcome.runs:,} runs "
             f"({outcome.ran:,} run now, {outcome.done - outcome.ran:,} found done)"]
    if outcome.ran:
        lines.append(f"  runs: {s['run_phase_seconds']:.1f} s on {s.get('workers', 1)} {s.get('backend', '')} workers, "
                     f"{s['runs_per_minute']:,.1f} runs/minute, {100 * s['outside_model_share']:.1f}% of worker time "
                     f"outside the model; analysis and figures {s['analysis_seconds']:.1f} s")
    lines.append("  runs.csv, points.csv, timeseries/, figures/" +
                 (", sensitivity.csv" if (outcome.out / "sensitivity.csv").exists() else ""))
    return "\n".join(lines)
