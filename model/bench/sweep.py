"""Benchmark of ``domwork sweep``: wall time on 1 and 2 processes and ``--dask local``, and flat memory.

Not a test: ``python -m model.bench.sweep [--out DIR]`` prints a table
and writes ``sweep_bench.json``. Each measurement runs in a fresh process, so
its peak resident memory is its own.

- Speed: one experiment at 1:100 of the city, 60 months a run, on 1 process, on 2
  and on a 2-worker LocalCluster: wall time, runs per minute, the share of the
  workers' time spent outside the model (start-up, scheduling, writing), speed-up.
- Memory: the same tiny experiment with 200 and with 2,000 runs, on this process
  alone (the sweep's own process holds everything it keeps): peak memory.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"

SPEED_EXPERIMENT = f"""
name: bench-speed
scenario: {BASELINE}
replicates: 4
months: 60
vary:
  market.separation_rate: [0.006, 0.008, 0.010]
"""
MEMORY_EXPERIMENT = f"""
name: bench-memory
scenario: {BASELINE}
set: {{workers.count: 40, households.count: 60, agencies.count: 2}}
replicates: REPLICATES
months: 12
vary:
  market.separation_rate: {{from: 0.004, to: 0.012, steps: 20}}
"""


def _sweep(text: str, folder: str, workers: int, dask: str | None) -> dict[str, Any]:
    from model.experiments.design import load_experiment
    from model.experiments.sweep import run_sweep

    path = Path(folder) / "experiment.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    outcome = run_sweep(load_experiment(path), Path(folder) / "out", workers=workers, dask=dask)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"runs": outcome.done, "wall_seconds": wall, "peak_memory_bytes": peak, **outcome.session}


def _fresh(text: str, workers: int, dask: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, \
            ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(_sweep, text, folder, workers, dask).result()


def run(out: Path | None = None) -> dict[str, Any]:
    """Every measurement; written to ``out/sweep_bench.json`` when ``out`` is given."""
    report: dict[str, Any] = {"speed": {}, "memory": {}}
    for label, workers, dask in (("1 process", 1, None), ("2 processes", 2, None), ("dask local, 2 workers", 2,
                                                                                     "local")):
        report["speed"][label] = _fresh(SPEED_EXPERIMENT, workers, dask)
    one, two = report["speed"]["1 process"], report["speed"]["2 processes"]
    report["speed_up_2_vs_1"] = one["run_phase_seconds"] / two["run_phase_seconds"]
    for replicates in (10, 100):  # 20 points: 200 and 2,000 runs
        result = _fresh(MEMORY_EXPERIMENT.replace("REPLICATES", str(replicates)), 1, None)
        report["memory"][str(result["runs"])] = result
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "sweep_bench.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return report


def table(report: dict[str, Any]) -> str:
    """The report as Markdown."""
    lines = ["| backend | runs | wall s | run phase s | runs/minute | outside the model |", "|---|---|---|---|---|---|"]
    for label, r in report["speed"].items():
        lines.append(f"| {label} | {r['runs']} | {r['wall_seconds']:.1f} | {r['run_phase_seconds']:.1f} | "
                     f"{r['runs_per_minute']:.1f} | {100 * r['outside_model_share']:.1f}% |")
    lines += ["", f"Speed-up of 2 processes over 1 (run phase): {report['speed_up_2_vs_1']:.2f}", "",
              "| runs | wall s | peak memory MB |", "|---|---|---|"]
    for runs, r in report["memory"].items():
        lines.append(f"| {runs} | {r['wall_seconds']:.1f} | {r['peak_memory_bytes'] / 2**20:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for sweep_bench.json")
    args = parser.parse_args(argv)
    sys.stdout.write(table(run(args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
