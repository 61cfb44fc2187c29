"""Running replicates, serially or on every core, and summarising them.

Replicate k runs with a seed derived only from (scenario seed, k), in its own
process or not, so results are identical whatever the number of processes or
the order in which replicates finish. One runner takes any
``concurrent.futures`` executor.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait

import numpy as np
import pandas as pd
from scipy import stats

from model import metrics
from model.model import DomesticWorkModel
from model.schema import Scenario

SUMMARY_MONTHS = 12
_progress_queue: mp.Queue | None = None


def run_replicate(scenario: Scenario, replicate: int, months: int | None = None,
                  on_month: Callable[[], None] | None = None) -> pd.DataFrame:
    """Run one replicate and return its rows of ``timeseries.csv``."""
    months = scenario.months if months is None else months
    model = DomesticWorkModel(scenario, replicate=replicate)
    for _ in range(months):
        model.step()
        if on_month is not None:
            on_month()
        elif _progress_queue is not None:
            _progress_queue.put(1)
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "month", np.arange(1, months + 1))
    frame.insert(0, "replicate", replicate)
    return frame


def process_context() -> mp.context.BaseContext:
    """Fork when it is safe (POSIX, one thread): workers start at once with everything imported.

    Otherwise spawn, which starts each worker afresh (about 2 s of imports here).
    Results do not depend on the choice: each replicate builds its own model from
    the scenario and its seed.
    """
    if "fork" in mp.get_all_start_methods() and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("spawn")


def _init_worker(progress: mp.Queue | None) -> None:
    global _progress_queue
    _progress_queue = progress
    # The parent handles Ctrl-C and SIGTERM and stops the workers itself: no tracebacks from them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def default_workers(replicates: int) -> int:
    """Processes to use: every core, no more than there are replicates."""
    return max(1, min(replicates, os.cpu_count() or 1))


def run_replicates(scenario: Scenario, replicates: int | None = None, months: int | None = None,
                   workers: int | None = None, progress: Callable[[int], None] | None = None,
                   first: int = 0) -> pd.DataFrame:
    """Run replicates first..first+n-1 and return their timeseries, ordered by replicate and month.

    Args:
        scenario: the scenario.
        replicates: how many (default: the scenario's).
        months: months each (default: the scenario's).
        workers: processes; 1 runs in this process (default: every core).
        progress: called with a number of months done, as they are done.
        first: the first replicate's number (a later block of replicates, as adaptive comparisons add).
    """
    replicates = scenario.replicates if replicates is None else replicates
    months = scenario.months if months is None else months
    workers = default_workers(replicates) if workers is None else workers
    if workers <= 1:
        frames = [run_replicate(scenario, r, months, on_month=(lambda: progress(1)) if progress else None)
                  for r in range(first, first + replicates)]
        return pd.concat(frames, ignore_index=True)

    context = process_context()
    progress_queue = context.Queue() if progress else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=(progress_queue,)) as pool:
        futures = [pool.submit(run_replicate, scenario, r, months) for r in range(first, first + replicates)]
        try:
            frames = collect(pool, futures, progress_queue, progress)
        except BaseException:
            for f in futures:
                f.cancel()
            _terminate(pool)
            raise
    return pd.concat(frames, ignore_index=True)


def collect(pool: Executor, futures: list[Future], progress_queue: mp.Queue | None,
            progress: Callable[[int], None] | None) -> list:
    """Wait for futures while reporting progress; results in submission order."""
    pending = set(futures)
    while pending:
        _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        _drain(progress_queue, progress)
    _drain(progress_queue, progress)
    return [f.result() for f in futures]


def _drain(progress_queue: mp.Queue | None, progress: Callable[[int], None] | None) -> None:
    if progress_queue is None or progress is None:
        return
    done = 0
    while True:
        try:
            done += progress_queue.get_nowait()
        except queue.Empty:
            break
    if done:
        progress(done)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop worker processes now (Ctrl-C, SIGTERM), not after their current replicate."""
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def last_months_means(ts: pd.DataFrame, months: int = SUMMARY_MONTHS) -> pd.DataFrame:
    """Per replicate, the mean of each metric over its last ``months`` months."""
    last = ts[ts["month"] > ts["month"].max() - months]
    return last.groupby("replicate")[list(metrics.COLUMNS)].mean()


# Fewer replicates than this give no interval: with two, a t-interval has one degree
# of freedom (12.7 standard errors wide) and says little; with one, nothing.
MIN_REPLICATES_FOR_INTERVAL = 3


def mean_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float | None, float | None]:
    """Mean and a t-interval across replicates; no interval (None, None) with fewer than 3 values.

    The interval is not clipped to the range the metric can take: a share's
    interval may reach below 0 when replicates are few and spread out.
    """
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean())
    if values.size < MIN_REPLICATES_FOR_INTERVAL:
        return mean, None, None
    if np.allclose(values, values[0], rtol=0.0, atol=0.0):
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size))
    return mean, mean - half, mean + half


def replicate_metrics(ts: pd.DataFrame) -> pd.DataFrame:
    """Per replicate, every metric of ``summary.json``: the last-12-month means and ``annual_turnover``."""
    per_replicate = last_months_means(ts)
    per_replicate["annual_turnover"] = 1.0 - (1.0 - per_replicate["separation_rate"]) ** 12
    return per_replicate


def summarize(ts: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """``summary.json``: per metric, the last-12-month mean averaged over replicates, with a 95% interval.

    ``ci_low`` and ``ci_high`` are null with fewer than 3 replicates (no interval can be given).
    """
    per_replicate = replicate_metrics(ts)
    summary = {}
    for column in per_replicate.columns:
        mean, low, high = mean_interval(per_replicate[column].to_numpy())
        summary[column] = {"mean": mean, "ci_low": low, "ci_high": high, "replicates": len(per_replicate)}
    return summary
