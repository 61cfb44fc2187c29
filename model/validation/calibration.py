"""``domwork calibrate``: fit scenario parameters to target moments by simulated minimum distance.

The method, and why:

- **Moments** are the last-12-month means of timeseries columns, averaged over the
  file's replicates. Every candidate runs the same replicate seeds (common random
  numbers), so the objective is a smooth function of the parameters, not noise.
- **Objective**: the sum over targets of ((model - target) / sd)^2, with sd the
  target's stated uncertainty plus the simulation's own (the spread across
  replicates over their number).
- **Search**: the base scenario's own values, then a scrambled Sobol design over the
  bounds (global: it cannot get stuck in the first valley), then Nelder-Mead from the
  best point (local,
  derivative-free and tolerant of the remaining noise), both from scipy. Bayesian
  optimisation or ABC-SMC would need libraries that are less well kept or far
  heavier than the problem; with common random numbers this two-stage search is
  the standard simulated-minimum-distance recipe.
- **Uncertainty** from the curvature: the Jacobian J of the moments at the
  estimate by central differences (again with common random numbers) gives the
  covariance (J' W J)^-1, W the inverse variances of the targets; 95% intervals
  are the estimate ± 1.96 standard errors.
- **Runs** go through the one runner (:func:`model.run.runner.execute`) on a local
  process pool or a Dask cluster. Every candidate's moments are written to
  ``evaluations.csv`` as they finish; the search is deterministic, so a killed
  calibration rerun with ``--resume`` replays the cached candidates and goes on.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import optimize
from scipy.stats import qmc

from model import shipped
from model.core import metrics
from model.core.rng import replicate_seed
from model.experiments import design as experiment_keys
from model.run import output, plots, runner
from model.scenario.loading import ScenarioError, load_scenario, read_yaml_mapping
from model.scenario.schema import NAME_PATTERN, Scenario

KEYS = ("name", "description", "scenario", "replicates", "months", "parameters", "targets", "search", "posterior")
SEARCH_KEYS = ("global_share", "seed")
POSTERIOR_KEYS = ("population", "generations")
EVALUATIONS = "evaluations.csv"
Z95 = 1.959963984540054


@dataclass
class Calibration:
    """A validated calibration file."""

    name: str
    path: Path
    base: Scenario
    base_file: Path | None
    replicates: int
    months: int
    parameters: dict[str, tuple[float, float, bool]]  # key -> (low, high, is integer)
    targets: dict[str, tuple[float, float]]  # metric -> (value, sd)
    global_share: float = 0.4
    seed: int = 0
    description: str = ""
    population: int = 100  # --method posterior: particles a generation
    generations: int = 8  # --method posterior: most generations

    @property
    def base_label(self) -> str:
        """The base scenario as reports name it: its path without ``..`` steps, or the built-in baseline."""
        return os.path.normpath(self.base_file) if self.base_file is not None else "built-in baseline"

    @property
    def names(self) -> list[str]:
        """Parameter keys, in the file's order."""
        return list(self.parameters)

    def to_values(self, unit: np.ndarray) -> dict[str, Any]:
        """Parameter values from a point of the unit cube (integers rounded)."""
        return self.rounded({key: low + float(u) * (high - low) for u, (key, (low, high, _))
                             in zip(np.clip(unit, 0.0, 1.0), self.parameters.items(), strict=True)})

    def rounded(self, values: Mapping[str, float]) -> dict[str, Any]:
        """Values as a candidate runs them: integers rounded, reals to 12 decimals (one cache key a candidate)."""
        return {key: round(values[key]) if self.parameters[key][2] else round(float(values[key]), 12)
                for key in self.parameters}

    def scenario(self, values: Mapping[str, Any]) -> Scenario:
        """The base scenario with ``values`` and the calibration's months and replicates."""
        overrides = {**values, "months": self.months, "replicates": self.replicates}
        return load_scenario(self.base_file, {**self._sets, **overrides}, source=str(self.path))

    _sets: dict[str, Any] = field(default_factory=dict)


def load_calibration(path: str | Path, sets: Mapping[str, Any] | None = None) -> Calibration:
    """Read and check a calibration file (CONTRACT.md, ``domwork calibrate``).

    Raises:
        ScenarioError: naming the file, the key and the problem.
    """
    path = Path(path)
    data = read_yaml_mapping(path)
    where = str(path)
    experiment_keys.refuse_unknown(where, "", data, KEYS)
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not pd.Series([name]).str.fullmatch(NAME_PATTERN[1:-1]).iloc[0]:
        raise ScenarioError(f"{where}: name: letters, digits, - and _ only (got {name!r})")
    scenario_file = data.get("scenario")
    if scenario_file is not None and (not isinstance(scenario_file, str) or not scenario_file.strip()):
        raise ScenarioError(f"{where}: scenario: must be a scenario file name, got {scenario_file!r}")
    base_file = shipped.base_scenario(where, "scenario", scenario_file, path.parent) if scenario_file else None
    base = load_scenario(base_file, dict(sets or {}))
    replicates = experiment_keys.whole_number(where, "replicates", data.get("replicates", 4), 1, 1000)
    months = experiment_keys.whole_number(where, "months", data.get("months", base.months), 13, 1200)

    parameters = data.get("parameters")
    if not isinstance(parameters, Mapping) or not parameters:
        raise ScenarioError(f"{where}: parameters: a mapping of scenario keys to {{low: A, high: B}}")
    bounds = {}
    for key, spec in parameters.items():
        kind = experiment_keys.check_key(where, "parameters", key, "domwork")
        try:
            bounds[key] = experiment_keys.bounds_of(where, key, spec, kind)
        except ScenarioError as err:
            raise ScenarioError(str(err).replace("uncertainties.", "parameters.")) from None
    targets = data.get("targets")
    if not isinstance(targets, Mapping) or not targets:
        raise ScenarioError(f"{where}: targets: a mapping of timeseries columns to {{value: X, sd: S}}")
    fitted = {}
    for metric, spec in targets.items():
        if metric not in metrics.COLUMNS:
            experiment_keys.refuse_unknown(where, "targets.", {metric: None}, metrics.COLUMNS)
        if not isinstance(spec, Mapping) or set(spec) != {"value", "sd"}:
            raise ScenarioError(f"{where}: targets.{metric}: expected {{value: X, sd: S}}, got {spec!r}")
        value, sd = spec["value"], spec["sd"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (value, sd)):
            raise ScenarioError(f"{where}: targets.{metric}: value and sd must be finite numbers")
        if sd <= 0:
            raise ScenarioError(f"{where}: targets.{metric}.sd: must be above 0 (got {sd})")
        fitted[metric] = (float(value), float(sd))
    if len(fitted) < len(bounds):
        raise ScenarioError(f"{where}: targets: {len(bounds)} parameters need at least as many targets "
                            f"(got {len(fitted)}); otherwise they are not identified")
    search = data.get("search", {}) or {}
    if not isinstance(search, Mapping):
        raise ScenarioError(f"{where}: search: a mapping with global_share and seed")
    experiment_keys.refuse_unknown(where, "search.", search, SEARCH_KEYS)
    share = search.get("global_share", 0.4)
    if not isinstance(share, int | float) or isinstance(share, bool) or not 0.1 <= share <= 0.9:
        raise ScenarioError(f"{where}: search.global_share: a share of the budget from 0.1 to 0.9 (got {share!r})")
    seed = experiment_keys.whole_number(where, "search.seed", search.get("seed", base.seed % 2**32), 0, 2**32 - 1)
    posterior = data.get("posterior", {}) or {}
    if not isinstance(posterior, Mapping):
        raise ScenarioError(f"{where}: posterior: a mapping with population and generations")
    experiment_keys.refuse_unknown(where, "posterior.", posterior, POSTERIOR_KEYS)
    population = experiment_keys.whole_number(where, "posterior.population", posterior.get("population", 100), 10,
                                              5000)
    generations = experiment_keys.whole_number(where, "posterior.generations", posterior.get("generations", 8), 2,
                                               50)
    calibration = Calibration(name=name, path=path, base=base, base_file=base_file, replicates=replicates,
                              months=months, parameters=bounds, targets=fitted, global_share=float(share), seed=seed,
                              description=str(data.get("description", "")), population=population,
                              generations=generations, _sets=dict(sets or {}))
    for corner in (np.zeros(len(bounds)), np.ones(len(bounds))):
        calibration.scenario(calibration.to_values(corner))  # every candidate is a valid scenario
    return calibration


# --- evaluating candidates ------------------------------------------------------------


def moments_of_run(task: tuple[Scenario, int, tuple[str, ...], str]) -> dict[str, float]:
    """One replicate's last-12-month means of the target metrics (a picklable task for any executor)."""
    scenario, replicate, names, _ = task
    ts = runner.run_replicate(scenario, replicate)
    last = ts[ts["month"] > ts["month"].max() - runner.SUMMARY_MONTHS]
    return {name: float(last[name].mean()) for name in names}


@dataclass
class Evaluation:
    """A candidate's moments: mean and variance across replicates."""

    values: dict[str, Any]
    mean: dict[str, float]
    var: dict[str, float]


def candidate_key(values: Mapping[str, Any]) -> str:
    """A candidate's key in ``evaluations.csv``: its values as sorted JSON."""
    return json.dumps({k: values[k] for k in sorted(values)}, sort_keys=True)


class Evaluator:
    """Runs candidates on an executor, caches them on disk, counts model runs against the budget."""

    def __init__(self, calibration: Calibration, executor, cache: Path, budget: int,
                 progress: Callable[[int], None] | None = None, batch_size: int = 1) -> None:
        self.c = calibration
        self.executor = executor
        self.cache_path = cache
        self.budget = budget
        self.progress = progress
        self.batch_size = batch_size
        self.runs = 0
        self.trace: list[tuple[dict[str, Any], float]] = []
        self.cache: dict[str, Evaluation] = {}
        if cache.exists():
            with cache.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    values = json.loads(row["values"])
                    self.cache[candidate_key(values)] = Evaluation(values, json.loads(row["mean"]),
                                                                   json.loads(row["var"]))

    @property
    def left(self) -> int:
        """Model runs left in the budget."""
        return self.budget - self.runs

    def evaluate(self, candidates: list[dict[str, Any]]) -> list[Evaluation]:
        """Moments of each candidate (from the cache where it is there), all replicates on the executor.

        Every candidate counts against the budget, cached or not, so that a resumed
        calibration takes the same path as the one it resumes.
        """
        names = tuple(self.c.targets)
        todo = {candidate_key(v): v for v in candidates if candidate_key(v) not in self.cache}

        def tasks():  # made as they are submitted: a large design's scenarios are never all held at once
            for key, v in todo.items():
                scenario = self.c.scenario(v)
                for r in range(self.c.replicates):
                    yield scenario, r, names, key

        found: dict[str, dict[int, dict[str, float]]] = {}
        for task, moments in runner.execute(moments_of_run, tasks(), self.executor, batch_size=self.batch_size):
            key = task[3]
            found.setdefault(key, {})[task[1]] = moments
            if len(found[key]) == self.c.replicates:  # kept on disk as soon as its last replicate ends
                rows = pd.DataFrame([found[key][r] for r in sorted(found[key])])
                var = rows.var(ddof=1) if len(rows) > 1 else rows.mean() * 0.0
                self.cache[key] = Evaluation(todo[key], rows.mean().to_dict(), var.fillna(0.0).to_dict())
                self._append(self.cache[key])
            if self.progress:
                self.progress(1)
        self.runs += len(candidates) * self.c.replicates
        evaluations = [self.cache[candidate_key(v)] for v in candidates]
        self.trace.extend((e.values, self.objective(e)) for e in evaluations)
        return evaluations

    def _append(self, e: Evaluation) -> None:
        new = not self.cache_path.exists()
        with self.cache_path.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            if new:
                writer.writerow(["values", "mean", "var"])
            writer.writerow([candidate_key(e.values), json.dumps(e.mean, sort_keys=True),
                             json.dumps(e.var, sort_keys=True)])
            handle.flush()
            os.fsync(handle.fileno())

    def sd(self, e: Evaluation, metric: str) -> float:
        """A target's sd with the simulation's own noise in the candidate's mean."""
        return math.sqrt(self.c.targets[metric][1] ** 2 + e.var[metric] / self.c.replicates)

    def objective(self, e: Evaluation) -> float:
        """Sum of squared standardized distances to the targets."""
        return float(sum(((e.mean[m] - t) / self.sd(e, m)) ** 2 for m, (t, _) in self.c.targets.items()))


# --- the search -----------------------------------------------------------------------


@dataclass
class Fit:
    """What a calibration found."""

    estimate: dict[str, Any]
    unit: np.ndarray
    ci: dict[str, tuple[float, float]]
    at_estimate: Evaluation
    objective: float
    runs: int
    trace: list[tuple[dict[str, Any], float]]
    model_ci: dict[str, tuple[float | None, float | None]]


def _reserve(c: Calibration) -> int:
    """Runs kept for the Jacobian (2 candidates a parameter) and the final candidate."""
    return (2 * len(c.parameters) + 1) * c.replicates


def check_budget(c: Calibration, budget: int) -> None:
    """Refuse, before any run, a budget that cannot hold a search and the intervals."""
    least = _reserve(c) + 4 * c.replicates
    if budget < least:
        raise ScenarioError(f"--budget {budget}: too small for {len(c.parameters)} parameters x {c.replicates} "
                            f"replicates; give at least {least} model runs")


def fit(c: Calibration, evaluator: Evaluator) -> Fit:
    """Sobol design, then Nelder-Mead from the best point, then the curvature at the estimate."""
    check_budget(c, evaluator.budget)
    dim = len(c.parameters)
    per_candidate = c.replicates
    reserve = _reserve(c)
    usable = evaluator.budget - reserve
    n_global = max(2, int(c.global_share * usable / per_candidate))
    # The base scenario's own values are the first candidate (a warm start: a fit never ends worse
    # than the values it started from), then a scrambled Sobol design over the bounds.
    sobol = qmc.Sobol(dim, scramble=True, seed=c.seed).random(2 ** math.ceil(math.log2(max(n_global - 1, 1))))
    points = np.vstack([base_unit(c), sobol[: n_global - 1]])
    evaluations = evaluator.evaluate([c.to_values(p) for p in points])
    scores = [evaluator.objective(e) for e in evaluations]
    best = points[int(np.argmin(scores))]

    def objective(unit: np.ndarray) -> float:
        if evaluator.left < reserve + per_candidate:
            raise StopIteration
        return evaluator.objective(evaluator.evaluate([c.to_values(unit)])[0])

    local_evals = max(0, (usable - n_global * per_candidate) // per_candidate)
    try:
        result = optimize.minimize(objective, best, method="Nelder-Mead",
                                   bounds=[(0.0, 1.0)] * dim,
                                   options={"maxfev": max(local_evals, 1), "xatol": 1e-3, "fatol": 1e-3,
                                            "initial_simplex": _simplex(best)})
        found = np.clip(result.x, 0, 1)
    except StopIteration:
        found = _best_unit(c, evaluator, best)
    found = _best_unit(c, evaluator, found)
    at = evaluator.evaluate([c.to_values(found)])[0]
    ci = _curvature_intervals(c, evaluator, found, at)
    model_ci = {m: _replicate_interval(at, m, c.replicates) for m in c.targets}
    return Fit(c.to_values(found), found, ci, at, evaluator.objective(at), evaluator.runs, evaluator.trace, model_ci)


def base_unit(c: Calibration) -> np.ndarray:
    """The base scenario's values of the parameters, as a point of the unit cube (clipped to the bounds)."""
    dumped = c.base.model_dump(mode="python")
    unit = []
    for key, (low, high, _) in c.parameters.items():
        node: Any = dumped
        for part in key.split("."):
            node = node[part]
        unit.append(min(max((float(node) - low) / (high - low), 0.0), 1.0))
    return np.array(unit)


def _simplex(start: np.ndarray, step: float = 0.15) -> np.ndarray:
    """A starting simplex around ``start`` that stays in the unit cube."""
    dim = start.size
    simplex = np.tile(start, (dim + 1, 1))
    for i in range(dim):
        simplex[i + 1, i] = start[i] + step if start[i] + step <= 1 else start[i] - step
    return simplex


def _best_unit(c: Calibration, evaluator: Evaluator, fallback: np.ndarray) -> np.ndarray:
    """The best candidate evaluated so far, as a unit-cube point."""
    if not evaluator.trace:
        return fallback
    values, _ = min(evaluator.trace, key=lambda item: item[1])
    return np.array([(values[k] - lo) / (hi - lo) for k, (lo, hi, _) in c.parameters.items()])


def _curvature_intervals(c: Calibration, evaluator: Evaluator, unit: np.ndarray,
                         at: Evaluation) -> dict[str, tuple[float, float]]:
    """95% intervals from (J' W J)^-1, J by central differences in the parameters' own units."""
    names, targets = c.names, list(c.targets)
    spans = np.array([hi - lo for lo, hi, _ in c.parameters.values()])
    h = 0.05
    candidates = []
    for i in range(len(names)):
        for sign in (1.0, -1.0):
            step = unit.copy()
            step[i] = np.clip(unit[i] + sign * h, 0.0, 1.0)
            candidates.append(step)
    evaluations = evaluator.evaluate([c.to_values(p) for p in candidates])
    jac = np.zeros((len(targets), len(names)))
    for i in range(len(names)):
        up, down = evaluations[2 * i], evaluations[2 * i + 1]
        dx = (candidates[2 * i][i] - candidates[2 * i + 1][i]) * spans[i]
        if dx == 0:
            continue
        jac[:, i] = [(up.mean[m] - down.mean[m]) / dx for m in targets]
    weights = np.diag([1.0 / evaluator.sd(at, m) ** 2 for m in targets])
    info = jac.T @ weights @ jac
    try:
        cov = np.linalg.inv(info)
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    except np.linalg.LinAlgError:
        se = np.full(len(names), np.inf)
    estimate = c.to_values(unit)
    return {k: (float(estimate[k] - Z95 * s), float(estimate[k] + Z95 * s)) for k, s in zip(names, se, strict=True)}


def _replicate_interval(e: Evaluation, metric: str, n: int) -> tuple[float | None, float | None]:
    if n < runner.MIN_REPLICATES_FOR_INTERVAL:
        return None, None
    from scipy import stats

    half = float(stats.t.ppf(0.975, n - 1) * math.sqrt(e.var[metric] / n))
    return e.mean[metric] - half, e.mean[metric] + half


# --- outputs --------------------------------------------------------------------------


def fitted_yaml(c: Calibration, estimate: Mapping[str, Any], out: Path) -> str:
    """A scenario that extends the base with the fitted values (relative to the output folder)."""
    nested: dict[str, Any] = {}
    for key, value in estimate.items():
        node = nested
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    header = {"name": f"{c.base.name}_fitted", "description": f"{c.base.name} with parameters fitted by {c.name}"}
    if c.base_file is not None:
        header["extends"] = os.path.relpath(c.base_file.resolve(), out.resolve())
    return yaml.safe_dump({**header, **nested}, sort_keys=False)


def tables(c: Calibration, result: Fit) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``calibration.csv`` and ``fit.csv``."""
    params = pd.DataFrame([{"parameter": k, "estimate": result.estimate[k], "ci_low": result.ci[k][0],
                            "ci_high": result.ci[k][1], "low": lo, "high": hi}
                           for k, (lo, hi, _) in c.parameters.items()])
    fit_rows = pd.DataFrame([{"metric": m, "target": t, "sd": sd, "model": result.at_estimate.mean[m],
                              "model_ci_low": result.model_ci[m][0], "model_ci_high": result.model_ci[m][1]}
                             for m, (t, sd) in c.targets.items()])
    return params, fit_rows


def report(c: Calibration, result: Fit, params: pd.DataFrame, fit_rows: pd.DataFrame, budget: int) -> str:
    """``report.md``: the method, the fitted values with intervals and the fit to each target."""
    lines = [f"# Calibration `{c.name}`", "", c.description, "",
             f"Base scenario: `{c.base_label}`, {c.replicates} replicates x {c.months} months "
             f"a candidate (the same seeds for every candidate: common random numbers). {result.runs} model runs "
             f"of a budget of {budget}. Objective at the estimate (sum of squared standardized distances): "
             f"{result.objective:.3g}.", "",
             "Method: the base scenario's own values and a scrambled Sobol design over the bounds, then Nelder-Mead "
             "from the best of them; 95% intervals "
             "from the curvature, (J' W J)^-1 with J the moments' Jacobian by central differences and W the inverse "
             "variances of the targets (their sd and the simulation's own noise).", "",
             "| parameter | estimate | 95% interval | bounds |", "|---|---|---|---|"]
    for row in params.itertuples():
        lines.append(f"| `{row.parameter}` | {row.estimate:.4g} | [{row.ci_low:.4g}, {row.ci_high:.4g}] "
                     f"| [{row.low:g}, {row.high:g}] |")
    lines += ["", "| target | value | sd | model | model 95% interval |", "|---|---|---|---|---|"]
    for row in fit_rows.itertuples():
        interval = ("no interval (fewer than 3 replicates)" if pd.isna(row.model_ci_low)
                    else f"[{row.model_ci_low:.4g}, {row.model_ci_high:.4g}]")
        lines.append(f"| `{row.metric}` | {row.target:.4g} | {row.sd:.3g} | {row.model:.4g} | {interval} |")
    lines += ["", "![objective](figures/objective.png)", "", "![fit](figures/fit.png)"]
    return "\n".join(lines) + "\n"


def figures(c: Calibration, result: Fit, fit_rows: pd.DataFrame, folder: Path) -> None:
    """The objective over the search, and each target against the model at the estimate."""
    folder.mkdir(parents=True, exist_ok=True)
    with plots.figure(folder / "objective.png", f"Calibration {c.name}: objective over the search",
                      note="Each point a candidate; the line the best so far.") as (ax,):
        scores = np.array([score for _, score in result.trace])
        ax.semilogy(np.arange(1, scores.size + 1), scores, "o", color="C0", alpha=0.4, markersize=3)
        ax.semilogy(np.arange(1, scores.size + 1), np.minimum.accumulate(scores), color="C3", label="best so far")
        ax.set_xlabel("candidate")
        ax.set_ylabel("sum of squared standardized distances")
        plots.legend_outside(ax)
    with plots.figure(folder / "fit.png", f"Calibration {c.name}: targets and the model at the estimate",
                      note="Bars: target ± 1 sd; dots: the model, with its 95% interval across replicates.",
                      rows=1) as (ax,):
        z = [(r.model - r.target) / r.sd for r in fit_rows.itertuples()]
        ax.barh(range(len(z)), [2] * len(z), left=-1, color="0.85", label="target ± 1 sd")
        ax.plot(z, range(len(z)), "o", color="C0", label="model")
        ax.set_yticks(range(len(z)), list(fit_rows["metric"]))
        ax.axvline(0, color="0.4", linewidth=0.8)
        ax.set_xlabel("(model - target) / sd")
        plots.legend_outside(ax)


def replicate_seeds(c: Calibration) -> list[int]:
    """The seeds every candidate runs with."""
    return [replicate_seed(c.base.seed, r) for r in range(c.replicates)]


# --- the command ------------------------------------------------------------------------


def _fingerprint(c: Calibration, method: str = "smd") -> str:
    import hashlib

    text = c.path.read_text(encoding="utf-8") + json.dumps(c._sets, sort_keys=True, default=str)
    if method != "smd":  # the smd method's fingerprint as before: its earlier folders still resume
        text += f"\nmethod: {method}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def prepare_folder(c: Calibration, out: Path, *, force: bool, resume: bool, method: str = "smd") -> None:
    """Check ``out`` before any work: new, an earlier result to replace (``force``), or one to resume."""
    if resume:
        manifest = out / output.MANIFEST
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ScenarioError(f"--resume {out}: no calibration to resume there (no readable {output.MANIFEST})"
                                ) from None
        if data.get("command_name") != "calibrate" or data.get("fingerprint") != _fingerprint(c, method):
            raise ScenarioError(f"--resume {out}: holds another calibration (or another version of {c.path}, or "
                                "another --method); give its own folder, or drop --resume to start afresh elsewhere")
        return
    output.check_out_dir(out, force)


def calibrate(c: Calibration, out: Path, *, budget: int, executor, force: bool, resume: bool,
              argv: list[str] | None, started: float, progress: Callable[[int], None] | None = None,
              batch_size: int = 1, method: str = "smd", proposals: int = 8):
    """Fit, writing ``evaluations.csv`` as candidates finish and the results when done.

    ``method`` "smd" returns a :class:`Fit`; "posterior" a
    :class:`~model.validation.posterior.Posterior` (and writes ``posterior.csv`` and
    ``generations.csv`` too), its proposals run ``proposals`` at a time.

    The folder says it is incomplete (``"complete": false`` in its manifest) until
    the last file is written, so an interrupted calibration never looks finished.
    """
    import shutil
    import time

    if not resume:
        if out.exists() and force:
            aside = out.with_name(f".{out.name}.partial-old")
            os.replace(out, aside)
            shutil.rmtree(aside, ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
    for stale in ("report.md", "fitted.yaml", "calibration.csv", "fit.csv", "posterior.csv", "generations.csv"):
        (out / stale).unlink(missing_ok=True)
    head = {"command_name": "calibrate", "method": method, "fingerprint": _fingerprint(c, method),
            "calibration": str(c.path), "budget": budget, "replicates": c.replicates, "months": c.months}
    output.write_json(out / output.MANIFEST, output.manifest(argv, replicate_seeds(c), 0.0, complete=False, **head))
    evaluator = Evaluator(c, executor, out / EVALUATIONS, budget, progress=progress, batch_size=batch_size)
    if method == "posterior":
        from model.validation import posterior

        result = posterior.sample_posterior(c, evaluator, batch=proposals)
        estimate = result.estimate(c)
        at = evaluator.evaluate([estimate])[0]  # the budget's last candidate: the fit at the posterior mean
        params, fit_rows = posterior.tables(c, result, at)
        posterior.figures(c, result, fit_rows, out / "figures")
        result.sample.to_csv(out / posterior.POSTERIOR, index=False, float_format="%.10g", lineterminator="\n")
        result.generations.to_csv(out / posterior.GENERATIONS, index=False, float_format="%.10g",
                                  lineterminator="\n")
        text, runs = posterior.report(c, result, params, fit_rows, budget), (result.candidates + 1) * c.replicates
    else:
        result = fit(c, evaluator)
        estimate, runs = result.estimate, result.runs
        params, fit_rows = tables(c, result)
        figures(c, result, fit_rows, out / "figures")
        text = report(c, result, params, fit_rows, budget)
    params.to_csv(out / "calibration.csv", index=False, float_format="%.10g", lineterminator="\n")
    fit_rows.to_csv(out / "fit.csv", index=False, float_format="%.10g", lineterminator="\n")
    (out / "fitted.yaml").write_text(fitted_yaml(c, estimate, out), encoding="utf-8")
    (out / "report.md").write_text(text, encoding="utf-8")
    output.write_json(out / output.MANIFEST, output.manifest(
        argv, replicate_seeds(c), time.perf_counter() - started, complete=True, runs=runs, **head))
    return result
