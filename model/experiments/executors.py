"""Where a sweep's runs execute: this process, a local process pool, or a Dask cluster.

Every backend is a ``concurrent.futures.Executor`` handed to the one runner
(:func:`model.run.runner.execute`). Dask is used through ``client.get_executor()``:
a worker that dies mid-task has its task rerun elsewhere by the scheduler, so
nothing is lost. Identical results need identical code and libraries, so the
workers' versions (and a hash of the ``model`` package's source) are compared
with this process's before any run, and a mismatch is refused.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.run import runner
from model.scenario.loading import ScenarioError

CONNECT_TIMEOUT_SECONDS = 5
# Tasks are sized and queued for at least this many Dask workers: an adaptive cluster grows
# only when it sees work queued, and workers may join after the sweep starts.
DASK_PLANNED_WORKERS = 32
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Backend:
    """An executor and what to record about it."""

    executor: Executor
    kind: str  # "process", "processes" or "dask"
    workers: int
    address: str | None = None
    planned: int = 0  # workers to size and queue tasks for (default: ``workers``)

    @property
    def in_flight(self) -> int:
        """Most tasks submitted at once: two for each planned worker, and one."""
        return 2 * max(self.planned, self.workers) + 1


def source_hash() -> str:
    """SHA-256 of every ``.py`` file of the ``model`` package: equal hashes, equal code."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def environment() -> dict[str, str]:
    """Versions that results depend on, and the hash of the model's source, of this process."""
    from model.run.output import versions

    return {**versions(), "domwork_source": source_hash()}


def check_versions(mine: dict[str, str], theirs: dict[str, dict[str, str]]) -> None:
    """Refuse workers whose versions differ from this process's.

    Args:
        mine: :func:`environment` here.
        theirs: worker address -> :func:`environment` there.

    Raises:
        ScenarioError: naming each worker and what differs.
    """
    problems = []
    for worker, found in sorted(theirs.items()):
        differ = [f"{key} {found.get(key, 'missing')} (here {value})" for key, value in mine.items()
                  if found.get(key) != value]
        if differ:
            problems.append(f"  {worker}: {'; '.join(differ)}")
    if problems:
        raise ScenarioError("--dask: workers run other versions than this machine, so results would differ; "
                            "install the same domwork and libraries on them:\n" + "\n".join(problems[:8]))


@contextmanager
def local(workers: int) -> Iterator[Backend]:
    """This process (``workers`` <= 1) or a pool of ``workers`` processes."""
    with runner.local_executor(workers) as (executor, _):
        yield Backend(executor, "process" if workers <= 1 else "processes", max(1, workers))


@contextmanager
def dask(address: str, workers: int | None) -> Iterator[Backend]:
    """A Dask cluster: ``local`` starts a LocalCluster of ``workers`` processes; else a scheduler address.

    Raises:
        ScenarioError: when no scheduler answers at ``address`` within a few seconds, when
            the cluster has no workers, or when the workers' versions differ.
    """
    import logging

    from distributed import Client, LocalCluster

    cluster = None
    # The scheduler's and workers' own chatter (ports, restarts) is not the user's business here.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    if address == "local":
        n = workers or os.cpu_count() or 1
        # A dashboard on a free port: the default 8787 may be taken by another cluster on this machine.
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                               host="127.0.0.1")
        client = Client(cluster)
    else:
        if "://" not in address:
            raise ScenarioError(f"--dask {address}: expected local or a scheduler address like tcp://HOST:8786")
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_SECONDS)
        except (OSError, TimeoutError) as err:
            raise ScenarioError(f"--dask {address}: no Dask scheduler answers there "
                                f"({err.__class__.__name__}); start one with `dask scheduler`") from None
    try:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_SECONDS * 3)
        except TimeoutError:
            raise ScenarioError(f"--dask {address}: the scheduler has no workers; start some with "
                                f"`dask worker {client.scheduler.address}`") from None
        theirs: dict[str, Any] = client.run(environment)
        check_versions(environment(), theirs)
        n_workers = len(client.scheduler_info(n_workers=-1)["workers"]) or 1
        yield Backend(client.get_executor(pure=False), "dask", n_workers, client.scheduler.address,
                      planned=n_workers if cluster is not None else max(n_workers, DASK_PLANNED_WORKERS))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
