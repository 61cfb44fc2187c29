"""Starting and stopping the live app's server (``solara run``), for ``domwork viz`` and the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from model.scenario.loading import ScenarioError, load_scenario
from model.viz import assets, sessions

APP = Path(__file__).with_name("app.py")
SCENARIO_ENV = "DOMWORK_VIZ_SCENARIO"  # the scenario file the page starts with
READY_TIMEOUT_S = 60.0
# A closed tab's session is kept this long for a reconnect, then closed and its memory given back
# (solara keeps it 24 hours unless told).
CULL_TIMEOUT = "30s"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def exposure_warning(host: str) -> str | None:
    """The warning for an address beyond this machine (None for loopback)."""
    if host in LOOPBACK or host.startswith("127."):
        return None
    return (f"domwork viz: WARNING: listening on {host}, beyond this machine: anyone who can reach this "
            "address can run models on it (up to --max-sessions at once). Use --host 127.0.0.1 unless you "
            "mean to share it.")


def check_port(host: str, port: int) -> None:
    """Refuse a port outside 1-65535 or one that something else already listens on.

    Raises:
        ScenarioError: with a message naming the port.
    """
    if not 0 < port < 65536:
        raise ScenarioError(f"--port {port}: must be between 1 and 65535")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as err:
            raise ScenarioError(f"--host {host} --port {port}: cannot listen there ({err.strerror}); "
                                "pick another port with --port") from None


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line of the app."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port), "--no-open",
            "--production"]


def environment(scenario: Path | None, max_sessions: int | None = None) -> dict[str, str]:
    """The server's environment: no telemetry, closed sessions culled, the cap on sessions, the first scenario."""
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_KERNEL_CULL_TIMEOUT": CULL_TIMEOUT}
    env.pop(SCENARIO_ENV, None)
    if scenario is not None:
        env[SCENARIO_ENV] = str(Path(scenario).resolve())
    if max_sessions is not None:
        env[sessions.MAX_SESSIONS_ENV] = str(max_sessions)
    return env


def start(scenario: Path | None, host: str, port: int, *, quiet: bool = True,
          max_sessions: int | None = None) -> subprocess.Popen:
    """Start the server in a child process (its own process group, so that it can be stopped whole).

    Its standard output (solara's own start-up line) is dropped; its errors go to ours unless ``quiet``.
    """
    return subprocess.Popen(command(host, port), env=environment(scenario, max_sessions), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL if quiet else None, start_new_session=True)


def url(host: str, port: int) -> str:
    """The page's address."""
    return f"http://{host}:{port}/"


def wait_ready(address: str, process: subprocess.Popen, timeout_s: float = READY_TIMEOUT_S) -> float:
    """Wait until the server answers; return the seconds it took.

    Raises:
        RuntimeError: the server exited or did not answer within ``timeout_s``.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"the live app's server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(address, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the live app's server did not answer at {address} within {timeout_s:.0f} s")


def stop(process: subprocess.Popen, timeout_s: float = 10.0) -> None:
    """Stop the server: SIGTERM to its process group, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=timeout_s)
    except ProcessLookupError:
        pass


def serve(scenario: Path | None, host: str, port: int, say: Callable[[str], None] | None = None,
          max_sessions: int = sessions.DEFAULT_MAX_SESSIONS) -> int:
    """``domwork viz``: check the input, start the server, print the address and serve until interrupted.

    Raises:
        ScenarioError: the scenario does not validate, the port is taken, or ``max_sessions`` is below 1.
    """
    say = say or (lambda text: None)
    load_scenario(scenario)  # bad input ends here, with the usual message and exit 2
    if max_sessions < 1:
        raise ScenarioError(f"--max-sessions {max_sessions}: must be at least 1")
    check_port(host, port)
    warning = exposure_warning(host)
    if warning:
        say(warning)
    if assets.missing():
        say(f"domwork viz: solara's front-end files are missing from {assets.cache_dir()}; fetching them "
            "(`python -m model.viz.assets`)")
        try:
            assets.install()
        except RuntimeError as err:
            say(f"domwork viz: {err}; the page will try solara's CDN instead")
    process = start(scenario, host, port, quiet=False, max_sessions=max_sessions)
    try:
        seconds = wait_ready(url(host, port), process)
        say(f"domwork viz: {scenario or 'built-in baseline'} at {url(host, port)} "
            f"(ready in {seconds:.1f} s; Ctrl+C stops it)")
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop(process)
