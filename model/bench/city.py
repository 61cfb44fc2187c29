"""``domwork bench``: how fast the model runs at 1:100, 1:10 and 1:1 of the city.

Each scale runs in a fresh process, so its peak resident memory is its own. The
report gives wall time, set-up time, time per month (over the whole run, its first
12 months and its last 12), agent-months per second, peak memory and the time spent
in each mechanism. Beside each scale, in another fresh process, it runs the
yardstick of :mod:`model.bench.mesa_reference` (a trivial Boltzmann-wealth model in
idiomatic Mesa) at the same number of agents and reports the ratio of the two
speeds. It also times the start-up of ``domwork run`` (a fresh interpreter, from
its imports to the end of the first month), the report figures of a 1:100 run, and
the speed-up of replicates on 2 processes over 1.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from model.scenario.loading import load_scenario

FULL_CITY = Path(__file__).resolve().parents[2] / "scenarios" / "guangzhou_full.yaml"
DEFAULT_SCALES = (0.01, 0.1, 1.0)
# The Mesa reference runs about this many agent-steps at each scale (at least 2 steps, at most
# the bench's months): enough for a steady rate, without minutes of pure Python at the whole city.
REFERENCE_AGENT_STEPS = 3_000_000
EDGE_MONTHS = 12  # time per month is compared over the first and the last this many months


def city_at(scale: float, months: int) -> dict[str, Any]:
    """Overrides that shrink the whole-city scenario to ``scale``."""
    full = load_scenario(FULL_CITY)
    return {
        "workers.count": max(1, round(full.workers.count * scale)),
        "households.count": max(1, round(full.households.count * scale)),
        "agencies.count": max(1, round(full.agencies.count * scale)),
        "months": months,
        "replicates": 1,
    }


def _peak_rss_bytes() -> int:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure_scale(scale: float, months: int) -> dict[str, Any]:
    """Run one replicate at ``scale`` (in this process) and time it."""
    from model.core import jit
    from model.model import DomesticWorkModel

    scenario = load_scenario(FULL_CITY, city_at(scale, months))
    kernels = jit.ready()  # loaded from the disk cache (or compiled) once a process: not the model's set-up
    started = time.perf_counter()
    model = DomesticWorkModel(scenario)
    set_up = time.perf_counter() - started
    month_seconds, present = [], []
    for _ in range(months):
        month_started = time.perf_counter()
        model.step()
        month_seconds.append(time.perf_counter() - month_started)
        present.append(model.metrics["workers"])
    wall = time.perf_counter() - started
    stepping = wall - set_up
    agents = scenario.workers.count + scenario.households.count + scenario.agencies.count
    edge = min(EDGE_MONTHS, months)
    return {
        "scale": scale,
        "workers": scenario.workers.count,
        "households": scenario.households.count,
        "agencies": scenario.agencies.count,
        "agents": agents,
        "months": months,
        "wall_seconds": wall,
        "setup_seconds": set_up,
        "seconds_per_month": stepping / months,
        "seconds_per_month_first": float(np.mean(month_seconds[:edge])),
        "seconds_per_month_last": float(np.mean(month_seconds[-edge:])),
        "edge_months": edge,
        "workers_present_first": float(np.mean(present[:edge])),
        "workers_present_last": float(np.mean(present[-edge:])),
        "agent_months_per_second": agents * months / stepping,
        "peak_memory_bytes": _peak_rss_bytes(),
        "kernel_load_seconds": kernels,
        "mechanism_seconds": dict(sorted(model.timings.items(), key=lambda kv: -kv[1])),
    }


def reference_steps(agents: int, months: int) -> int:
    """Steps of the Mesa reference at ``agents`` agents (see ``REFERENCE_AGENT_STEPS``)."""
    return max(2, min(months, -(-REFERENCE_AGENT_STEPS // agents)))


def measure_reference(agents: int, months: int) -> dict[str, Any]:
    """The Mesa reference at ``agents`` agents, in this process."""
    from model.bench import mesa_reference

    return mesa_reference.measure(agents, reference_steps(agents, months))


# A fresh interpreter doing what ``domwork run`` does before its first month is over: its imports
# under the CLI's loading() (no cycle collection while they load), Mesa and numba first so that their
# own cost is told apart from ours (the model package, pydantic's schema), then set-up and one month,
# then the CLI's exit (gc.freeze: no collection of everything at exit). Wall-clock stamps at the start
# and the end tell launching the interpreter from leaving it.
_START_UP = """
import time
launched = time.time()
started = time.perf_counter()
from model.run.startup import loading
cli = time.perf_counter()
with loading():
    import mesa
    after_mesa = time.perf_counter()
    import numba
    after_numba = time.perf_counter()
    from model.model import DomesticWorkModel
    from model.scenario.loading import load_scenario
    imported = time.perf_counter()
    from model.bench import city as bench
    scenario = load_scenario(bench.FULL_CITY, bench.city_at({scale}, 1))
model = DomesticWorkModel(scenario)
built = time.perf_counter()
model.step()
done = time.perf_counter()
print(launched, after_mesa - cli, after_numba - after_mesa, cli - started + imported - after_numba,
      built - imported, done - built, time.time(), flush=True)
import gc
gc.freeze()
"""


_COMPILE = """
import time
from model.core import jit
from model.model import DomesticWorkModel
started = time.perf_counter()
jit.ready()
print(time.perf_counter() - started, jit.report()["kernels"])
"""


def measure_kernels(compile_timing: bool = True) -> dict[str, Any]:
    """Seconds to compile every kernel with an empty cache (a first run after an install), and to load them.

    Without ``compile_timing`` the compile (about a minute) is not timed, ``compile_seconds``
    is None, and the load is timed from the disk cache this machine's runs use (after a
    first pass that fills it, if it is empty).
    """
    def run(env: dict[str, str]) -> tuple[float, int]:
        done = subprocess.run([sys.executable, "-c", _COMPILE], capture_output=True, text=True, check=True,
                              env={**os.environ, **env})
        seconds, kernels = done.stdout.split()
        return float(seconds), int(kernels)

    if not compile_timing:
        run({})
        loaded, kernels = run({})
        return {"kernels": kernels, "compile_seconds": None, "load_seconds": loaded}
    with tempfile.TemporaryDirectory() as cache:
        compiled, kernels = run({"NUMBA_CACHE_DIR": cache})
        loaded, _ = run({"NUMBA_CACHE_DIR": cache})
    return {"kernels": kernels, "compile_seconds": compiled, "load_seconds": loaded}


def measure_start_up(scale: float = 0.01) -> dict[str, Any]:
    """Seconds from launching a fresh ``python`` to the end of its first month at ``scale``, and its exit.

    Imports are split into ``import mesa``, ``import numba`` and ours (the model
    package, with pydantic and the scenario schema); set-up is loading the scenario
    and building the model (compiled kernels loaded from the disk cache);
    ``interpreter_seconds`` is launching the interpreter plus leaving it.
    """
    started = time.time()
    done = subprocess.run([sys.executable, "-c", _START_UP.format(scale=scale)], capture_output=True,
                          text=True, check=True)
    ended = time.time()
    launched, mesa, numba, ours, set_up, first_month, printed = (float(x) for x in done.stdout.split())
    launch, leave = launched - started, ended - printed
    return {"scale": scale, "seconds": ended - started, "imports_seconds": mesa + numba + ours,
            "mesa_import_seconds": mesa, "numba_import_seconds": numba, "our_import_seconds": ours,
            "setup_seconds": set_up, "first_month_seconds": first_month, "launch_seconds": launch,
            "exit_seconds": leave, "interpreter_seconds": launch + leave}


def measure_figures(scale: float = 0.01, months: int = 120, processes: int | None = None) -> dict[str, Any]:
    """Seconds to draw the report figures of one ``months``-month run at ``scale`` (in this process).

    ``processes`` as ``domwork run`` draws them: None, one a core (forked processes),
    the default of ``domwork run``; 1, one after the other here.
    """
    started = time.perf_counter()
    from model.run import plots
    from model.run.runner import run_replicate

    imported = time.perf_counter() - started
    scenario = load_scenario(FULL_CITY, city_at(scale, months))
    ts = run_replicate(scenario, 0)
    used = plots.figure_processes(processes, plots.RUN_FIGURE_COUNT)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        paths = plots.write_run_figures(ts, Path(tmp) / "figures", title=scenario.name,
                                        context=plots.Context.of(scenario), processes=processes)
        drawn = time.perf_counter() - started
    return {"scale": scale, "months": months, "figures": len(paths), "seconds": drawn, "imports_seconds": imported,
            "processes": used}


def _in_fresh_process(function, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _fastest(repeats: int, key: str, function, *args) -> dict[str, Any]:
    """The fastest of ``repeats`` fresh-process runs: on a shared machine the slower ones measure the neighbours."""
    runs = [_in_fresh_process(function, *args) for _ in range(repeats)]
    best = min(runs, key=lambda r: r[key])
    return {**best, "repeats": repeats}


def replicate_scaling(scale: float, months: int, replicates: int, repeats: int = 2) -> dict[str, Any]:
    """Wall time of ``replicates`` replicates on 1 and on 2 processes.

    The two are measured alternately ``repeats`` times and the fastest of each kept:
    on a shared machine the slower runs measure the neighbours, not the model.
    """
    from model.run.runner import run_replicates

    scenario = load_scenario(FULL_CITY, {**city_at(scale, months), "replicates": replicates})
    timings = {1: float("inf"), 2: float("inf")}
    frames = {}
    for _ in range(repeats):
        for workers in (1, 2):
            started = time.perf_counter()
            frames[workers] = run_replicates(scenario, workers=workers)
            timings[workers] = min(timings[workers], time.perf_counter() - started)
    return {
        "scale": scale,
        "months": months,
        "replicates": replicates,
        "repeats": repeats,
        "seconds_1_process": timings[1],
        "seconds_2_processes": timings[2],
        "speedup": timings[1] / timings[2],
        "identical_results": bool(frames[1].equals(frames[2])),
    }


def run_bench(scales: tuple[float, ...] = DEFAULT_SCALES, months: int = 120, scaling_scale: float | None = 0.1,
              scaling_months: int = 60, scaling_replicates: int = 4, progress=None, repeats: int = 1,
              small_scale: float = 0.01, compile_timing: bool = True) -> dict[str, Any]:
    """Measure every scale and its Mesa reference, start-up, figures, kernels, then replicate scaling.

    Each measurement runs ``repeats`` times in fresh processes and the fastest is kept.
    Start-up and figures are measured at ``small_scale``; replicate scaling is skipped
    when ``scaling_scale`` is None; the kernels' first compile is not timed without
    ``compile_timing`` (see :func:`measure_kernels`).
    """
    results = []
    for scale in scales:
        ours = _fastest(repeats, "wall_seconds", measure_scale, scale, months)
        reference = _fastest(repeats, "seconds_per_step", measure_reference, ours["agents"], months)
        ours["mesa_reference"] = reference
        ours["ratio_to_mesa"] = ours["agent_months_per_second"] / reference["agent_steps_per_second"]
        results.append(ours)
        if progress:
            progress(1)
    start_up = min((measure_start_up(small_scale) for _ in range(repeats)), key=lambda r: r["seconds"])
    figures = _fastest(repeats, "seconds", measure_figures, small_scale, months)
    figures["one_process"] = _fastest(repeats, "seconds", measure_figures, small_scale, months, 1)
    kernels = measure_kernels(compile_timing)
    if progress:
        progress(1)
    scaling = None
    if scaling_scale is not None:
        scaling = _in_fresh_process(replicate_scaling, scaling_scale, scaling_months, scaling_replicates)
        if progress:
            progress(1)
    return {
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                    "python": platform.python_version()},
        "scales": results,
        "growth_exponent": growth_exponent(results),
        "start_up": start_up,
        "figures": figures,
        "kernels": kernels,
        "replicate_scaling": scaling,
    }


def _kernels_line(kernels: dict[str, Any]) -> str:
    compiled = ("first compile not timed (--no-compile-timing)" if kernels["compile_seconds"] is None else
                f"compiled in {kernels['compile_seconds']:.1f} s on the first run after an install (cached on disk)")
    return (f"Compiled kernels: {kernels['kernels']}, {compiled}, loaded from the cache in "
            f"{kernels['load_seconds']:.2f} s by later runs")


def growth_exponent(results: list[dict[str, Any]]) -> float | None:
    """Slope of log(time per month) on log(agents): 1 is linear growth."""
    if len(results) < 2:
        return None
    x = np.log([r["agents"] for r in results])
    y = np.log([r["seconds_per_month"] for r in results])
    return float(np.polyfit(x, y, 1)[0])


def table(report: dict[str, Any]) -> str:
    """The report as a plain-text (and Markdown) table."""
    lines = [
        "| scale | workers | households | months | wall s | set-up s | ms/month | first / last 12 ms/month "
        "| agent-months/s | Mesa reference agent-steps/s | ratio | peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["scales"]:
        ref = r["mesa_reference"]
        lines.append(
            f"| 1:{round(1 / r['scale'])} | {r['workers']:,} | {r['households']:,} | {r['months']} "
            f"| {r['wall_seconds']:.1f} | {r['setup_seconds']:.2f} | {1000 * r['seconds_per_month']:.1f} "
            f"| {1000 * r['seconds_per_month_first']:.1f} / {1000 * r['seconds_per_month_last']:.1f} "
            f"| {r['agent_months_per_second']:,.0f} | {ref['agent_steps_per_second']:,.0f} "
            f"| {r['ratio_to_mesa']:.1f} | {r['peak_memory_bytes'] / 2**20:,.0f} |")
    s = report["replicate_scaling"]
    up, fig = report["start_up"], report["figures"]
    repeats = report["scales"][0]["repeats"]
    lines += [
        "",
        f"Fastest of {repeats} run(s) each. Mesa reference: a Boltzmann-wealth model (Agent.step, "
        f"AgentSet.shuffle_do) at the same number of agents, {report['scales'][-1]['mesa_reference']['steps']} "
        "steps at the largest scale; ratio = our agent-months/s over its agent-steps/s.",
        f"Start-up of a run at 1:{round(1 / up['scale'])} (fresh interpreter to the end of month 1, and its exit): "
        f"{up['seconds']:.2f} s = interpreter {up['interpreter_seconds']:.2f} (launch {up['launch_seconds']:.2f} "
        f"+ exit {up['exit_seconds']:.2f}) + imports {up['imports_seconds']:.2f} (Mesa {up['mesa_import_seconds']:.2f} "
        f"+ numba {up['numba_import_seconds']:.2f} + ours {up['our_import_seconds']:.2f}) + set-up "
        f"{up['setup_seconds']:.2f} + first month {up['first_month_seconds']:.2f}",
        f"Figures of a {fig['months']}-month run at 1:{round(1 / fig['scale'])}: {fig['figures']} figures in "
        f"{fig['seconds']:.2f} s on {fig['processes']} process(es) ({fig['one_process']['seconds']:.2f} s on 1), "
        f"plus {fig['imports_seconds']:.2f} s importing the plotting and run modules",
        _kernels_line(report["kernels"]),
        f"Growth of time per month with agents: exponent {report['growth_exponent']:.2f} (1 = linear)"
        if report["growth_exponent"] is not None else "",
        f"Replicates: {s['replicates']} x {s['months']} months at 1:{round(1 / s['scale'])}: "
        f"{s['seconds_1_process']:.1f} s on 1 process, {s['seconds_2_processes']:.1f} s on 2, "
        f"speed-up {s['speedup']:.2f}, identical results: {s['identical_results']}"
        if s is not None else "Replicate scaling: not measured (--no-scaling)",
        "",
        "Time per month by mechanism at the largest scale (ms):",
    ]
    largest = report["scales"][-1]
    for name, seconds in largest["mechanism_seconds"].items():
        lines.append(f"  {name:<12} {1000 * seconds / largest['months']:8.1f}")
    lines += ["", "Targets:", *(f"  {'met    ' if met else 'not met'}  {text}" for text, met in targets(report))]
    return "\n".join(lines) + "\n"


# Speed targets: at 1:100 and at 1:1, agent-months a second at least this many times the Mesa reference.
RATIO_TARGETS = {0.01: 4.0, 1.0: 10.0}
PEAK_MEMORY_TARGET_BYTES = 1.5 * 2**30  # at 1:1
SHORT_RUN_TARGET_SECONDS = 1.0  # start-up (imports to the end of the first month) and figures, at 1:100


def targets(report: dict[str, Any]) -> list[tuple[str, bool]]:
    """Each speed target this report can judge, said with its figure, and whether it holds."""
    found = []
    for r in report["scales"]:
        name = f"1:{round(1 / r['scale'])}"
        if r["scale"] in RATIO_TARGETS:
            goal = RATIO_TARGETS[r["scale"]]
            found.append((f"{name}: {r['ratio_to_mesa']:.1f} times the Mesa reference (target {goal:g})",
                          r["ratio_to_mesa"] >= goal))
        if r["scale"] == 1.0:
            peak, goal = r["peak_memory_bytes"] / 2**20, PEAK_MEMORY_TARGET_BYTES / 2**20
            found.append((f"{name}: peak memory {peak:,.0f} MB (target {goal:,.0f})", peak <= goal))
        # Month-end cost tied to the workers present: the last months no dearer per present worker.
        first = r["seconds_per_month_first"] / max(r["workers_present_first"], 1.0)
        last = r["seconds_per_month_last"] / max(r["workers_present_last"], 1.0)
        found.append((f"{name}: last {r['edge_months']} months {1000 * r['seconds_per_month_last']:.1f} ms/month "
                      f"against the first {1000 * r['seconds_per_month_first']:.1f}, per present worker "
                      f"{last / first:.2f} times", last <= first * 1.1))
    up, fig = report["start_up"], report["figures"]
    start = up["seconds"] - up["interpreter_seconds"]
    found.append((f"start-up, imports to the end of the first month: {start:.2f} s (target "
                  f"{SHORT_RUN_TARGET_SECONDS:g})", start <= SHORT_RUN_TARGET_SECONDS))
    found.append((f"figures of a run: {fig['seconds']:.2f} s (target {SHORT_RUN_TARGET_SECONDS:g})",
                  fig["seconds"] <= SHORT_RUN_TARGET_SECONDS))
    return found


def figure(report: dict[str, Any], path: Path) -> None:
    """Time per month against agents, log-log, with a linear reference line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    agents = np.array([r["agents"] for r in report["scales"]], dtype=float)
    per_month = np.array([r["seconds_per_month"] for r in report["scales"]])
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=120)
    ax.loglog(agents, per_month * 1000, "o-", label="measured")
    if agents.size > 1:  # a reference line needs two scales; no legend entry for a line not drawn
        ax.loglog(agents, per_month[0] * 1000 * agents / agents[0], ":", color="grey", label="linear growth")
    for a, t, r in zip(agents, per_month, report["scales"], strict=True):
        ax.annotate(f"1:{round(1 / r['scale'])}", (a, t * 1000), textcoords="offset points", xytext=(6, -12))
    ax.set_xlabel("agents (workers + households + agencies)")
    ax.set_ylabel("time per simulated month (ms)")
    ax.set_title("domwork: time per month against city size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
