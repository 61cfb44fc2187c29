"""Running replicates, serially or on every core, and summarising them.

Replicate k runs with a seed derived only from (scenario seed, k), in its own
process or not, so results are identical whatever the number of processes or
the order in which replicates finish. One runner takes any
``concurrent.futures`` executor.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from model.core import metrics
from model.model import DomesticWorkModel
from model.run.errors import WorkersLost
from model.scenario.schema import Scenario

SUMMARY_MONTHS = 12
_PR_SET_PDEATHSIG = 1  # prctl(2)
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}  # while a pool starts its processes
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


def _run_numbered(task: tuple[Scenario, int], months: int | None = None,
                  on_month: Callable[[], None] | None = None) -> pd.DataFrame:
    """:func:`run_replicate` of a (scenario, replicate) pair: a task for any executor."""
    scenario, replicate = task
    return run_replicate(scenario, replicate, months=months, on_month=on_month)


def process_context() -> mp.context.BaseContext:
    """Fork when it is safe (POSIX, one thread): workers start at once with everything imported.

    Otherwise spawn, which starts each worker afresh (about 2 s of imports here).
    Results do not depend on the choice: each replicate builds its own model from
    the scenario and its seed.
    """
    if "fork" in mp.get_all_start_methods() and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("spawn")


def _init_worker(progress: mp.Queue | None, parent: int | None = None) -> None:
    global _progress_queue
    _progress_queue = progress
    # The parent handles Ctrl-C and SIGTERM and stops the workers itself: no tracebacks from them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Started with them held back (see HealingPool.submit): a Ctrl-C meanwhile is now dropped here.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_SIGNALS)
    if parent is not None:
        end_with_parent(parent)


def end_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends, even by SIGKILL (a pool worker must not live on as an orphan).

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); elsewhere a
    thread looks once a second.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        else:
            if os.getppid() != parent:  # it died before the call
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def default_workers(replicates: int) -> int:
    """Processes to use: every core, no more than there are replicates."""
    return max(1, min(replicates, os.cpu_count() or 1))


def run_replicates(scenario: Scenario, replicates: int | None = None, months: int | None = None,
                   workers: int | None = None, progress: Callable[[int], None] | None = None,
                   first: int = 0, cache: Any = None,
                   per_replicate: Callable[[int], Scenario] | None = None) -> pd.DataFrame:
    """Run replicates first..first+n-1 and return their timeseries, ordered by replicate and month.

    Args:
        scenario: the scenario.
        replicates: how many (default: the scenario's).
        months: months each (default: the scenario's).
        workers: processes; 1 runs in this process (default: every core).
        progress: called with a number of months done, as they are done.
        first: the first replicate's number (a later block of replicates, as adaptive comparisons add).
        cache: a :class:`model.run.store.ReplicateCache`: replicates found there are not run again, and
            each replicate run is kept there as it finishes.
        per_replicate: the scenario replicate ``r`` runs (``compare --posterior``: ``scenario`` with
            parameter set ``r``); default ``scenario`` for every replicate. It should return the same
            object for the same ``r`` (the cache keys scenarios by identity while it runs).
    """
    replicates = scenario.replicates if replicates is None else replicates
    months = scenario.months if months is None else months
    frames: list[pd.DataFrame | None] = [None] * replicates
    todo = []
    for r in range(first, first + replicates):
        run = scenario if per_replicate is None else per_replicate(r)
        frames[r - first] = None if cache is None else cache.get(run, months, r)
        if frames[r - first] is None:
            todo.append((run, r))
        elif progress is not None:
            progress(months)
    if todo:
        workers = default_workers(len(todo)) if workers is None else workers
        with local_executor(workers, progress=progress is not None) as (executor, progress_queue):
            inline = isinstance(executor, InlineExecutor)
            on_month = (lambda: progress(1)) if inline and progress else None
            work = functools.partial(_run_numbered, months=months, on_month=on_month)
            for (run, r), frame in execute(work, todo, executor, poll=lambda: _drain(progress_queue, progress)):
                frames[r - first] = frame
                if cache is not None:
                    cache.put(run, months, r, frame)
    return pd.concat(frames, ignore_index=True)


# --- one runner over any executor ------------------------------------------------


class InlineExecutor(Executor):
    """An executor that runs each call at once, in this process (one process, no pickling)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now; return a finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # the caller sees it when it asks for the result
            future.set_exception(err)
        return future


@contextmanager
def local_executor(workers: int, progress: bool = False) -> Iterator[tuple[Executor, mp.Queue | None]]:
    """This process (``workers`` <= 1) or a pool of ``workers`` processes, stopped at once on interruption.

    Yields the executor and, with ``progress``, the queue its workers put months done on
    (None in this process, where the caller counts months itself).
    """
    if workers <= 1:
        yield InlineExecutor(), None
        return
    context = process_context()
    if context.get_start_method() == "fork":
        from model.core import jit

        jit.ready()  # forked workers inherit the loaded kernels instead of each loading them
    progress_queue = context.Queue() if progress else None
    pool = HealingPool(lambda: ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                   initializer=_init_worker, initargs=(progress_queue, os.getpid())))
    try:
        yield pool, progress_queue
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown(wait=True)


# A pool whose worker was lost (killed from outside, or by the system for want of memory) is replaced
# and its runs rerun this many times in one command; then the command stops with a message.
MAX_POOL_RESTARTS = 3


class HealingPool(Executor):
    """A process pool that survives the loss of a worker.

    When a worker process dies, :class:`ProcessPoolExecutor` fails every run it had
    queued (``BrokenProcessPool``). :func:`execute_batches` then asks :meth:`recover`:
    the broken pool is replaced by a fresh one and the lost runs are submitted again.
    A run's results depend only on its seed, so the rerun gives the same bytes.
    """

    def __init__(self, make: Callable[[], ProcessPoolExecutor], limit: int = MAX_POOL_RESTARTS) -> None:
        self._make = make
        self.pool = make()
        self.limit = limit
        self.restarts = 0
        self.generation = 0
        self._started = False

    @property
    def _max_workers(self) -> int:
        return self.pool._max_workers

    @property
    def _processes(self) -> dict:
        return getattr(self.pool, "_processes", None) or {}

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        """Submit to the current pool.

        A pool starts its processes at its first task. Meanwhile Ctrl-C and SIGTERM are held
        back: delivered in the middle of a fork, Python drops the interrupt in its fork
        handlers ("Exception ignored in _releaseLock") and the command ran on. They arrive
        as soon as the processes are started.
        """
        if self._started or threading.current_thread() is not threading.main_thread():
            return self.pool.submit(fn, *args, **kwargs)
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
        try:
            future = self.pool.submit(fn, *args, **kwargs)
            self._started = True
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return future

    def recover(self, error: BaseException, generation: int) -> bool:
        """After ``error`` from a task submitted in ``generation``: whether to submit it again.

        Raises:
            WorkersLost: when the pool has been replaced :attr:`limit` times already.
        """
        if not isinstance(error, BrokenProcessPool):
            return False
        if generation < self.generation:
            return True  # lost with a pool already replaced
        self.restarts += 1
        if self.restarts > self.limit:
            raise WorkersLost(f"worker processes were lost {self.restarts} times (killed from outside, or by the "
                              "system for want of memory?); stopped. Fewer --workers need less memory")
        print(f"domwork: a worker process was lost; its runs start again on fresh workers "
              f"({self.restarts} of at most {self.limit} times)", file=sys.stderr, flush=True)
        old = self.pool
        _terminate(old)
        old.shutdown(wait=True)  # its threads end before a new pool forks
        self.pool = self._make()
        self._started = False
        self.generation += 1
        return True

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the current pool down."""
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _run_batch(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    return [function(item) for item in items]


def execute(function: Callable[[Any], Any], items: Iterable[Any], executor: Executor, *, batch_size: int = 1,
            max_in_flight: int | None = None, poll: Callable[[], None] | None = None) -> Iterator[tuple[Any, Any]]:
    """Run ``function(item)`` for every item on ``executor``; yield ``(item, result)`` as each batch finishes.

    The one way every command runs model runs, on this process (:class:`InlineExecutor`),
    a process pool, or a Dask cluster (``client.get_executor()``). See :func:`execute_batches`.
    """
    for batch, results in execute_batches(function, items, executor, batch_size=batch_size,
                                          max_in_flight=max_in_flight, poll=poll):
        yield from zip(batch, results, strict=True)


def execute_batches(function: Callable[[Any], Any], items: Iterable[Any], executor: Executor, *,
                    batch_size: int = 1, max_in_flight: int | None = None,
                    poll: Callable[[], None] | None = None) -> Iterator[tuple[list[Any], list[Any]]]:
    """Run ``function(item)`` for every item; yield ``(items, results)`` of each task as it finishes.

    Items go in batches of ``batch_size`` a task, so that scheduling costs little
    against the work (Dask spends 0.2-1 ms a task), and at most ``max_in_flight``
    tasks are submitted at once (default: twice the executor's workers, or 8), so a
    design of 100,000 runs never holds 100,000 futures. Tasks finish in any order;
    ``function`` must be picklable for a pool or a cluster. If the caller stops early
    or anything fails, tasks not yet started are cancelled.

    Args:
        function: called with one item; returns its result.
        items: what to run, consumed lazily.
        executor: any ``concurrent.futures.Executor``.
        batch_size: items per task (at least 1).
        max_in_flight: most tasks submitted and not yet collected.
        poll: called about every 0.2 s while waiting (e.g. to report progress).
    """
    batch_size = max(1, int(batch_size))
    if max_in_flight is None:
        max_in_flight = 2 * (getattr(executor, "_max_workers", None) or 4)
    max_in_flight = max(1, int(max_in_flight))
    batches = _batched(iter(items), batch_size)
    in_flight: dict[Future, tuple[list[Any], int]] = {}
    recover = getattr(executor, "recover", None)
    retry: list[list[Any]] = []  # batches lost with a worker, to run again first

    def submit(batch: list[Any]) -> None:
        in_flight[executor.submit(_run_batch, function, batch)] = (batch, getattr(executor, "generation", 0))

    try:
        while True:
            while len(in_flight) < max_in_flight:
                batch = retry.pop() if retry else next(batches, None)
                if batch is None:
                    break
                submit(batch)
            if not in_flight:
                break
            done, _ = wait(in_flight, timeout=0.2, return_when=FIRST_COMPLETED)
            if poll is not None:
                poll()
            for future in done:
                batch, generation = in_flight.pop(future)
                error = future.exception() if not future.cancelled() else None
                if error is not None and recover is not None and recover(error, generation):
                    retry.append(batch)
                    continue
                yield batch, future.result()
    finally:
        for future in in_flight:
            future.cancel()
        if poll is not None:
            poll()


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


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


def _terminate(pool: Executor) -> None:
    """Stop worker processes now (Ctrl-C, SIGTERM, a lost worker), not after their current replicate."""
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
    # Student's t quantile: what scipy.stats.t.ppf computes, without importing scipy.stats (0.5 s a run).
    half = float(stdtrit(values.size - 1, 0.5 + level / 2) * values.std(ddof=1) / np.sqrt(values.size))
    return mean, mean - half, mean + half


def replicate_metrics(ts: pd.DataFrame) -> pd.DataFrame:
    """Per replicate, every metric of ``summary.json``: the last-12-month means and ``annual_turnover``."""
    per_replicate = last_months_means(ts)
    per_replicate["annual_turnover"] = 1.0 - (1.0 - per_replicate["separation_rate"]) ** 12
    return per_replicate


def summarize(ts: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """``summary.json``: per metric, the last-12-month mean averaged over replicates, with a 95% interval.

    ``ci_low`` and ``ci_high`` are null with fewer than 3 replicates (no interval can be given).
    A metric empty in a replicate's last months (a law's compliance while no such law is in
    force) is null.
    """
    per_replicate = replicate_metrics(ts)
    summary = {}
    for column in per_replicate.columns:
        values = per_replicate[column].to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            summary[column] = {"mean": None, "ci_low": None, "ci_high": None, "replicates": len(per_replicate)}
            continue
        mean, low, high = mean_interval(values)
        summary[column] = {"mean": mean, "ci_low": low, "ci_high": high, "replicates": len(per_replicate)}
    return summary
