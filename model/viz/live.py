"""The live page's model: the simulation built from the page's controls, with an optional policy twin.

:class:`LiveModel` is a :class:`~model.model.DomesticWorkModel` that SolaraViz
steps and re-creates on Reset (with the page's ``model_params``). Bad input from
the page (a scenario file that no longer validates, a seed that is not a whole
number, a setting out of range) never stops the page: the model falls back to
the last thing that validates and lists what went wrong in ``problems``, which
the page shows.

The policy twin is a second model, the baseline or any picked scenario, with
the same seed and the same non-policy settings, stepped in lock-step. The
model's random streams are re-derived each month from (seed, decision, month)
and drawn by row (``model/core/rng.py``), so the twin meets the same chances as the
main run: where the two differ, the difference comes from the policy.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from model.core import jit
from model.model import DomesticWorkModel
from model.scenario.loading import ScenarioError, load_scenario, to_yaml
from model.scenario.schema import Scenario
from model.viz.controls import SCENARIO_KEY, PageSetup, moved

# The page builds and steps its models in the server's process while a visitor waits:
# larger cities than 1:10 of Guangzhou belong to `domwork run`.
MAX_LIVE_WORKERS = 40_000
# A spare model is built with only the kernels its set-up calls; the others load this long after.
KERNELS_AFTER_S = 1.0


PAGE = "page control"  # how messages name the source of a setting made on the page


class Columns(Mapping):
    """A model's time series so far, column by column as numpy arrays (``month`` from 1), one value a month.

    Read from its collector's lists as asked, not as a pandas frame: the page's charts and panels need a
    few of the 150 columns, and the frame cost 10 ms a model a month at 1:100.
    """

    def __init__(self, model: DomesticWorkModel) -> None:
        self._vars = model.datacollector.model_vars
        self._months = len(next(iter(self._vars.values()), ()))
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        column = self._cache.get(key)
        if column is None:
            column = (np.arange(1, self._months + 1) if key == "month"
                      else np.asarray(self._vars[key][:self._months], dtype=float))
            self._cache[key] = column
        return column

    def __iter__(self) -> Iterator[str]:
        return iter(("month", *self._vars))

    def __len__(self) -> int:
        return 1 + len(self._vars)


def _load(path: Path | None, overrides: dict[str, Any]) -> Scenario:
    scenario = load_scenario(path, overrides, labels=dict.fromkeys(overrides, PAGE))
    if scenario.workers.count > MAX_LIVE_WORKERS or scenario.households.count > 2 * MAX_LIVE_WORKERS:
        where = path.name if path else "built-in baseline"
        raise ScenarioError(
            f"{where}: workers.count {scenario.workers.count:,} is too big for the live page "
            f"(at most {MAX_LIVE_WORKERS:,}); run it with `domwork run`")
    return scenario


def resolve(setup: PageSetup, scenario_file: str | None, settings: dict[str, Any],
            problems: list[str]) -> tuple[Scenario, dict[str, Any], str]:
    """The scenario the page's settings describe, or the nearest one that validates.

    Args:
        setup: what the page was started with.
        scenario_file: the picked file's name in ``setup.folder`` (empty: the launch scenario;
            ``BUILT_IN``: the built-in baseline).
        settings: every control's value, by key.
        problems: messages for the page are appended here.

    Returns:
        The scenario, the overrides that were applied, and a label for the page.
    """
    picked = setup.launch
    label = setup.launch.name if setup.launch else "built-in baseline"
    if scenario_file:
        try:
            picked = setup.path_of(scenario_file)
            label = scenario_file if picked else "built-in baseline"
        except ScenarioError as err:  # a name the page does not offer: never opened
            problems.append(f"{err}; running {label}.")
    try:
        overrides = moved(setup, settings)
    except ScenarioError as err:
        problems.append(f"{err}; the seed was left as it was.")
        overrides = moved(setup, {k: v for k, v in settings.items() if k != "seed"})
    try:
        return _load(picked, overrides), overrides, label
    except ScenarioError as err:
        problems.append(str(err))
    if overrides:
        try:
            scenario = _load(picked, {})
        except ScenarioError:
            pass
        else:
            problems.append(f"Running {label} without the changed settings.")
            return scenario, {}, label
    fallback = setup.launch if picked != setup.launch else None
    for path in (fallback, None) if fallback else (None,):
        try:
            scenario = _load(path, {})
        except ScenarioError as err:  # the launch file was edited since the page started
            problems.append(str(err))
            continue
        label = path.name if path else "built-in baseline"
        problems.append(f"Running {label} instead.")
        return scenario, {}, label
    raise AssertionError("the built-in baseline always validates")  # pragma: no cover


class LiveModel(DomesticWorkModel):
    """The model of one browser session: built from the page's settings, with an optional policy twin.

    Args:
        scenario_file: name of the picked scenario among those the page offers (empty: the launch scenario).
        setup: what the page was started with (default: the built-in baseline and ``scenarios/``).
        scenario: ignored: Mesa's Reset passes its own (empty) scenario object here.
        page_settings: the session's settings from the page's own controls (read at every Reset).
        **settings: the page's controls by dotted key (``seed`` too); moved ones override the scenario.

    Attributes:
        problems: messages about bad input, for the page.
        label: which scenario runs (a file name).
        twin: the twin model, or None.
        twin_label: which scenario the twin runs.
        step_seconds: wall time of the last step of this model, and of its twin.
    """

    def __init__(self, scenario_file: str = "", *, setup: PageSetup | None = None, scenario: object = None,
                 page_settings: dict[str, Any] | None = None, **settings: Any) -> None:
        del scenario  # Mesa's own scenario object; ours comes from the settings
        setup = setup if setup is not None else PageSetup.create(None)
        # The page's own controls write the session's settings here; Reset passes the same dict again.
        settings = {**(page_settings or {}), **settings}
        scenario_file = settings.pop(SCENARIO_KEY, scenario_file) or scenario_file
        problems: list[str] = []
        resolved, overrides, label = resolve(setup, scenario_file, settings, problems)
        super().__init__(resolved)
        self.setup = setup
        self.problems = problems
        self.label = label
        self.overrides = overrides
        self.twin: DomesticWorkModel | None = None
        self.twin_label = ""
        self.twin_problem = ""
        self.step_seconds = {"model": 0.0, "twin": 0.0}
        # The first 12 hex digits of the SHA-256 of the resolved scenario, as `domwork run` writes scenario.yaml:
        # equal fingerprints, the same run.
        self.fingerprint = hashlib.sha256(to_yaml(resolved).encode("utf-8")).hexdigest()[:12]
        self._columns: dict[str, tuple[DomesticWorkModel, int, Columns]] = {}

    def step(self) -> None:
        """One month of this model, then one of its twin."""
        started = perf_counter()
        super().step()
        self.step_seconds["model"] = perf_counter() - started
        if self.twin is not None:
            started = perf_counter()
            while self.twin.month < self.month:
                self.twin.step()
            self.step_seconds["twin"] = perf_counter() - started

    def set_twin(self, scenario_file: str | None) -> None:
        """Run ``scenario_file`` (a name the page offers) alongside, caught up to this month; None: no twin.

        The twin gets this model's seed and the non-policy settings moved on the page, so that
        it differs from this run only by the policies of the two scenarios.
        """
        self.twin_problem = ""
        if not scenario_file:
            self.twin, self.twin_label = None, ""
            return
        try:
            path = self.setup.path_of(scenario_file)
        except ScenarioError as err:
            self.twin, self.twin_label = None, ""
            self.twin_problem = f"Policy twin: {err}"
            return
        shared = {key: value for key, value in self.overrides.items() if not key.startswith("policies.")}
        shared["seed"] = self.params.seed
        try:
            scenario = _load(path, shared)
        except ScenarioError as err:
            self.twin, self.twin_label = None, ""
            self.twin_problem = f"Policy twin: {err}"
            return
        twin = DomesticWorkModel(scenario)
        twin.run_for(self.month)
        self.twin, self.twin_label = twin, scenario_file

    def columns(self, which: str = "model") -> Columns | None:
        """The time series so far of this model (``"model"``) or its twin (``"twin"``), as numpy columns.

        One value a month, ``month`` from 1; read from the collector as asked (what the page draws from).
        """
        model = self if which == "model" else self.twin
        if model is None:
            return None
        cached = self._columns.get(which)
        if cached is None or cached[0] is not model or cached[1] != model.month:
            cached = self._columns[which] = (model, model.month, Columns(model))
        return cached[2]


class Spare:
    """A model of the page's starting settings, built ahead in a background thread for the next visitor.

    A session's first page takes it rather than building its own (half a second at 1:100 on an idle
    core, more under load, while the visitor waits for the page); the next spare is built
    ``refill_after_s`` later, out of the way of the page being drawn. Each spare goes to one session
    only. One built before its launch file was edited is dropped (the visitor's page reads the file
    again).
    """

    def __init__(self, setup: PageSetup, refill_after_s: float = 10.0) -> None:
        self.setup = setup
        self.refill_after_s = refill_after_s
        self._lock = threading.Lock()
        self._ready: tuple[LiveModel, int | None] | None = None
        self._building: threading.Thread | None = None
        self._pending = False  # a build started or scheduled

    def _stamp(self) -> int | None:
        try:
            return self.setup.launch.stat().st_mtime_ns if self.setup.launch else None
        except OSError:
            return None

    def _build(self) -> None:
        stamp = self._stamp()
        try:
            with jit.on_first_call():  # a visitor waits for it: the kernels its month needs load later
                model = LiveModel(setup=self.setup)
        except Exception:  # the visitor's page builds its own and shows what went wrong
            model = None
        with self._lock:
            self._ready = (model, stamp) if model is not None else None
            self._pending = False
        # the other kernels load once the page it is for has been sent (the browser then draws it)
        later = threading.Timer(KERNELS_AFTER_S, jit.ready)
        later.daemon = True
        later.start()

    def start(self, delay_s: float = 0.0) -> None:
        """Build a spare in a background thread (after ``delay_s``), unless one is built or underway."""
        with self._lock:
            if self._pending or self._ready is not None:
                return
            self._pending = True
            if delay_s > 0:
                thread = threading.Timer(delay_s, self._build_now)
            else:
                thread = threading.Thread(target=self._build)
                self._building = thread
            thread.daemon = True
            thread.start()

    def _build_now(self) -> None:
        with self._lock:
            self._building = threading.current_thread()
        self._build()

    def wait(self) -> None:
        """Wait for a build underway, if any."""
        with self._lock:
            building = self._building
        if building is not None and building.is_alive():
            building.join()

    def take(self) -> LiveModel | None:
        """The spare model, now (waiting for one being built), or None; a new one is built a while later."""
        self.wait()  # half built: waiting is quicker than starting again
        with self._lock:
            ready, self._ready, self._building = self._ready, None, None
        self.start(self.refill_after_s)
        if ready is None or ready[1] != self._stamp():
            return None
        return ready[0]
