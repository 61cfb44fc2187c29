"""Where a sweep's runs execute: this process, a local process pool, or a Dask cluster.

Every backend is a ``concurrent.futures.Executor`` handed to the one runner
(:func:`model.run.runner.execute`). Dask is used through its ``concurrent.futures``
executor: a worker that dies mid-task has its task rerun elsewhere by the scheduler, so
nothing is lost. Identical results need identical code and libraries, so the
workers' versions (and a hash of the ``model`` package's source) are compared
with this process's before any run, and a mismatch is refused; every task checks
again on the worker that runs it, so that a worker with other code that joins later
runs nothing: its tasks are refused there and run again on the others.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.run import runner
from model.run.errors import WorkersLost
from model.scenario.loading import ScenarioError

CONNECT_TIMEOUT_SECONDS = 5
PROBE_SECONDS = 3.0  # to connect, then to hear a scheduler's first words
# A Dask message starts with its length (8 bytes, little-endian); a scheduler's first is a few hundred bytes.
MAX_FIRST_MESSAGE_BYTES = 2**26
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
        differ = _differences(mine, found)
        if differ:
            problems.append(f"  {worker}: {differ}")
    if problems:
        raise ScenarioError("--dask: workers run other versions than this machine, so results would differ; "
                            "install the same domwork and libraries on them:\n" + "\n".join(problems[:8]))


class WorkerMismatch(Exception):
    """Raised on a Dask worker whose versions or source differ from the command's: its task runs elsewhere."""

    def __init__(self, worker: str, differences: str) -> None:
        super().__init__(worker, differences)
        self.worker = worker
        self.differences = differences

    def __str__(self) -> str:
        return f"{self.worker}: {self.differences}"


_worker_environment: dict[str, str] | None = None


def _differences(mine: dict[str, str], found: dict[str, str]) -> str:
    return "; ".join(f"{key} {found.get(key, 'missing')} (here {value})" for key, value in mine.items()
                     if found.get(key) != value)


def checked_call(expected: dict[str, str], function: Callable[..., Any], *args: Any) -> Any:
    """Run ``function(*args)`` on a Dask worker only if the worker's environment is ``expected``.

    Raises:
        WorkerMismatch: naming the worker and what differs.
    """
    global _worker_environment
    if _worker_environment is None:
        _worker_environment = environment()
    differ = _differences(expected, _worker_environment)
    if differ:
        try:
            from distributed import get_worker

            name = get_worker().address
        except (ImportError, ValueError):
            name = f"pid {os.getpid()}"
        raise WorkerMismatch(name, differ)
    return function(*args)


def _checked_executor_class() -> type:
    from distributed.cfexecutor import ClientExecutor

    class CheckedExecutor(ClientExecutor):
        """Dask's executor, each task checked on its worker; tasks of refused workers go to the others."""

        def __init__(self, client, expected: dict[str, str]) -> None:
            super().__init__(client, pure=False)
            self.expected = expected
            self.refused: dict[str, str] = {}

        def submit(self, fn, *args, **kwargs):
            if self.refused:
                allowed = [w for w in self._client.scheduler_info(n_workers=-1)["workers"] if w not in self.refused]
                if not allowed:
                    raise WorkersLost("--dask: every worker left runs other versions than this machine, so results "
                                      "would differ:\n" + "\n".join(f"  {w}: {d}" for w, d in self.refused.items()))
                kwargs = {**kwargs, "workers": allowed, "allow_other_workers": False}
            return super().submit(checked_call, self.expected, fn, *args, **kwargs)

        def recover(self, error: BaseException, generation: int) -> bool:
            if not isinstance(error, WorkerMismatch):
                return False
            if error.worker not in self.refused:
                self.refused[error.worker] = error.differences
                print(f"domwork: Dask worker {error.worker} runs other versions than this machine "
                      f"({error.differences}); its tasks run on the other workers", file=sys.stderr, flush=True)
            return True

    return CheckedExecutor


def probe(address: str) -> None:
    """Refuse, within seconds, an address where no Dask scheduler speaks.

    A Dask scheduler speaks first: on a new connection it sends its handshake at
    once. Something that listens and says nothing (a dashboard's or other HTTP port)
    would keep the client waiting for minutes, and something that sends other bytes
    would make it read a length of exabytes; both are refused here.

    Raises:
        ScenarioError: naming the address and what was found there.
    """
    scheme, _, rest = address.partition("://")
    if scheme not in ("tcp", "tls"):
        return
    host, sep, port = rest.rstrip("/").rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ScenarioError(f"--dask {address}: expected a scheduler address like tcp://HOST:8786")
    try:
        connection = socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_SECONDS)
    except OSError as err:
        reason = err.strerror or err.__class__.__name__
        raise ScenarioError(f"--dask {address}: no Dask scheduler answers there ({reason}); "
                            "start one with `dask scheduler`") from None
    with connection:
        if scheme != "tcp":
            return  # TLS speaks its own handshake first
        connection.settimeout(PROBE_SECONDS)
        head = b""
        try:
            while len(head) < 8:
                chunk = connection.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
        except TimeoutError:
            raise ScenarioError(f"--dask {address}: something listens there but says nothing, as a Dask scheduler "
                                f"would at once (a dashboard or other HTTP port? a scheduler's port is usually 8786)"
                                ) from None
        except OSError as err:
            raise ScenarioError(f"--dask {address}: the connection failed ({err.strerror or err}); "
                                "is a Dask scheduler there?") from None
    if len(head) < 8:
        raise ScenarioError(f"--dask {address}: something there closed the connection without a word; "
                            "it is not a Dask scheduler")
    if int.from_bytes(head, "little") > MAX_FIRST_MESSAGE_BYTES:
        raise ScenarioError(f"--dask {address}: something there answers, but not as a Dask scheduler does "
                            f"(its first bytes are {head!r}); give the scheduler's address")


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
        with _quiet_children():
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                                   host="127.0.0.1")
        client = Client(cluster)
    else:
        if "://" not in address:
            raise ScenarioError(f"--dask {address}: expected local or a scheduler address like tcp://HOST:8786")
        probe(address)
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
        mine = environment()
        theirs: dict[str, Any] = client.run(environment)
        check_versions(mine, theirs)
        n_workers = len(client.scheduler_info(n_workers=-1)["workers"]) or 1
        yield Backend(_checked_executor_class()(client, mine), "dask", n_workers, client.scheduler.address,
                      planned=n_workers if cluster is not None else max(n_workers, DASK_PLANNED_WORKERS))
    except KeyboardInterrupt:
        # Tasks cancelled, the client and cluster closing: what Dask says of that is not news to the user.
        logging.getLogger("distributed").setLevel(logging.CRITICAL + 1)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def _quiet_children() -> Iterator[None]:
    """Processes started in the block ignore Ctrl-C (this process stops them) and log only errors.

    Ctrl-C goes to every process of the terminal's process group: a LocalCluster's nanny and
    worker processes each printed a traceback (about 60 lines), and each worker warned of its
    cancelled tasks. An ignored signal stays ignored in the processes started meanwhile.
    """
    import signal
    import threading

    variable = "DASK_LOGGING__DISTRIBUTED"
    before = os.environ.get(variable)
    os.environ[variable] = "error"
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
    try:
        yield
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
        if before is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = before
