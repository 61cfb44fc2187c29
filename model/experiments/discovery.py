"""Scenario discovery: where, among a sweep's levers and uncertainties, a condition holds (PRIM).

``domwork discover SWEEP_DIR --where EXPR`` marks each run of a finished sweep as a
case of interest or not (:mod:`model.experiments.condition`), then asks the patient
rule induction method (PRIM; Friedman and Fisher 1999, as Bryant and Lempert 2010 use it
for scenario discovery) for boxes, limits on a few parameters, inside which the cases
are dense. PRIM is EMA Workbench's (``ema_workbench.analysis.prim``), the reference
implementation. PRIM peels a box from the whole space a little at a time (5% of the
runs in it a step), then pastes back what helps; each step trades coverage (the share
of all cases that the box holds) for density (the share of the box's runs that are
cases). Of the steps whose density reaches the threshold, the box is the one with the
highest coverage x density (the knee of the trade-off); without one, the densest.
Further boxes are sought, as EMA Workbench does, among the runs outside the earlier boxes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments import condition as conditions
from model.experiments import store as sweep_store
from model.run import store
from model.scenario.loading import ScenarioError, read_yaml_mapping

FIXED = ("point", "replicate", "seed")
PEEL_ALPHA = 0.05  # EMA Workbench's defaults: 5% of a box's runs peeled or pasted a step
PASTE_ALPHA = 0.05
MASS_MIN = 0.05  # no box holds fewer than 5% of the runs
TOLERANCE = 1e-9


@dataclass
class Sweep:
    """A finished sweep's runs and what its experiment varied."""

    folder: Path
    name: str
    runs: pd.DataFrame
    keys: tuple[str, ...]
    metrics: tuple[str, ...]
    levers: tuple[str, ...]
    ranges: dict[str, tuple[Any, Any]]  # an uncertainty's {low, high}; a lever's or varied key's values' extremes
    values: dict[str, list[Any]]  # a lever's or varied key's values, in the experiment's order
    reference_of: np.ndarray | None = None  # each run's reference run (row), with levers
    reference_setting: dict[str, Any] = field(default_factory=dict)
    scale: str = ""  # "1:400 of the city", when every run has the base scenario's size

    @property
    def is_reference(self) -> np.ndarray:
        """Runs at the reference lever setting (every lever at its first value)."""
        if self.reference_of is None:
            return np.zeros(len(self.runs), dtype=bool)
        return self.reference_of == np.arange(len(self.runs))

    def paired(self, function: str, metric: str) -> np.ndarray:
        """``effect`` or ``change`` of a metric, one value a run (0 at the reference setting)."""
        values = self.runs[metric].to_numpy(dtype=float)
        reference = values[self.reference_of]
        with np.errstate(divide="ignore", invalid="ignore"):
            return values - reference if function == "effect" else (values - reference) / np.abs(reference)


def read_sweep(folder: Path) -> Sweep:
    """Read a finished sweep's folder, refusing what is not one.

    Raises:
        ScenarioError: naming the folder or file and the problem.
    """
    if not folder.exists():
        raise ScenarioError(f"{folder}: no such folder; give a folder that `domwork sweep` wrote")
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: is a file, not a sweep's folder; give a folder that `domwork sweep` wrote")
    manifest = store.read_manifest(folder)
    if manifest is None:
        raise ScenarioError(f"{folder}: not a sweep's folder (it holds no {store.MANIFEST} written by domwork); "
                            "give a folder that `domwork sweep` wrote")
    if manifest.get("kind") != sweep_store.KIND:
        what = manifest.get("kind") or " ".join(str(p) for p in (manifest.get("command") or ["domwork", "?"])[:2])
        raise ScenarioError(f"{folder}: holds the results of {what}, not of a sweep; give a folder that "
                            "`domwork sweep` wrote")
    unfinished = store.describe_unfinished(folder)
    if unfinished is not None:
        experiment = manifest.get("experiment_file") or "EXPERIMENT.yaml"
        raise ScenarioError(f"{folder}: holds {unfinished}; finish it first: domwork sweep {experiment} --resume "
                            f"--out {folder}")
    runs = _read_csv(folder / sweep_store.RUNS)
    points = _read_csv(folder / sweep_store.POINTS)
    keys = tuple(manifest.get("keys") or ())
    metrics = tuple(manifest.get("metrics") or ())
    missing = [c for c in (*FIXED, *keys, *metrics) if c not in runs.columns]
    if missing or not len(runs):
        problem = f"lacks the column {missing[0]}" if missing else "has no runs"
        raise ScenarioError(f"{folder / sweep_store.RUNS}: {problem}; it is not the one this sweep wrote")
    if [c for c in points.columns if c != "point"] != list(keys):
        raise ScenarioError(f"{folder / sweep_store.POINTS}: its columns are not the sweep's varied keys "
                            f"({', '.join(keys)})")
    experiment = read_yaml_mapping(folder / "experiment.yaml")
    uncertainties = experiment.get("uncertainties") or {}
    levers = tuple(experiment.get("levers") or {})
    ranges: dict[str, tuple[Any, Any]] = {}
    values: dict[str, list[Any]] = {}
    for key in keys:
        column = points[key]
        if key in uncertainties:
            ranges[key] = (uncertainties[key]["low"], uncertainties[key]["high"])
        else:
            values[key] = list(dict.fromkeys(column.tolist()))
            if _numeric(column):
                ranges[key] = (column.min(), column.max())
    sweep = Sweep(folder, str(manifest.get("experiment") or folder.name), runs, keys, metrics, levers, ranges,
                  values)
    if levers:
        _pair(sweep, points)
    sweep.scale = _scale(folder, keys)
    return sweep


def _scale(folder: Path, keys: tuple[str, ...]) -> str:
    """The city's scale, said in titles since counts and money scale with it; empty when runs differ in size."""
    from model.run.plots import scale_label

    if "workers.count" in keys or "scenario" in keys:
        return ""
    try:
        workers = read_yaml_mapping(folder / "scenario.yaml")["workers"]["count"]
    except (ScenarioError, KeyError, TypeError):
        return ""
    return scale_label(int(workers)) if isinstance(workers, int) else ""


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ScenarioError(f"{path}: missing; the sweep's folder is not complete")
    try:
        return pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: cannot be read as a table ({err.__class__.__name__})") from None


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _pair(sweep: Sweep, points: pd.DataFrame) -> None:
    """Each run's reference run: the same uncertainty point and replicate, every lever at its first value.

    A sweep lays its points out as every lever setting (levers outer) crossed with the same
    uncertainty points, in the same order: point ``p`` is uncertainty point ``p mod n``.
    """
    levers = list(sweep.levers)
    first = points.loc[0, levers]
    at_reference = (points[levers] == first).all(axis=1).to_numpy()
    n = int(at_reference.sum())
    others = [k for k in sweep.keys if k not in sweep.levers]
    blocks = points[others].to_numpy()
    if (not at_reference[:n].all() or len(points) % n
            or not all(np.array_equal(blocks[:n], blocks[k:k + n]) for k in range(n, len(points), n))):
        raise ScenarioError(f"{sweep.folder / sweep_store.POINTS}: the lever settings do not share the same "
                            "uncertainty points, so runs cannot be paired; is it the file this sweep wrote?")
    runs = sweep.runs
    index = pd.MultiIndex.from_arrays([runs["point"], runs["replicate"]])
    reference = index.get_indexer(pd.MultiIndex.from_arrays([runs["point"] % n, runs["replicate"]]))
    if (reference < 0).any():
        row = int(np.flatnonzero(reference < 0)[0])
        raise ScenarioError(f"{sweep.folder / sweep_store.RUNS}: run {runs['point'].iat[row]}/"
                            f"{runs['replicate'].iat[row]} has no run at the reference setting to pair it with")
    sweep.reference_of = reference
    sweep.reference_setting = {k: _plain(first[k]) for k in levers}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# --- the cases of interest ------------------------------------------------------------------------


@dataclass
class Cases:
    """Which runs meet the condition, among those PRIM sees."""

    condition: conditions.Condition
    used: np.ndarray  # bool a run: seen by PRIM
    met: np.ndarray  # bool a run (False where not used)
    reference_runs: int  # left out: at the reference setting, where effect() is 0 by definition
    missing_runs: int  # left out: a value the condition needs is empty


def cases(sweep: Sweep, text: str) -> Cases:
    """Parse the condition and mark the runs that meet it.

    Raises:
        ScenarioError: a bad condition, or one that no run or every run meets.
    """
    where = f"{sweep.folder}: --where \"{text}\""
    parsed = conditions.parse(text, list(sweep.runs.columns), list(sweep.metrics), levers=bool(sweep.levers),
                              where=where)
    outcome = conditions.evaluate(parsed, lambda name: sweep.runs[name].to_numpy(), sweep.paired,
                                  len(sweep.runs), where)
    used = ~outcome.missing
    reference = 0
    if parsed.paired:  # the reference setting's effect is 0 by definition: it says nothing of where policy works
        reference = int((used & sweep.is_reference).sum())
        used &= ~sweep.is_reference
    met = outcome.met & used
    count, total = int(met.sum()), int(used.sum())
    if total == 0:
        raise ScenarioError(f"{where}: every run lacks a value the condition needs (an empty metric, or a "
                            "division by 0)")
    if count in (0, total):
        spans = [(name, values[used]) for name, values in outcome.compared[:2]]
        span = "; ".join(f"{name} runs from {v.min():.4g} to {v.max():.4g}" for name, v in spans if v.size)
        verdict = "no run meets" if count == 0 else "every run meets"
        raise ScenarioError(f"{where}: {verdict} the condition ({total:,} runs{'; ' + span if span else ''}), "
                            "so there is nothing to tell apart")
    return Cases(parsed, used, met, reference, int(outcome.missing.sum()))


# --- PRIM -----------------------------------------------------------------------------------------


@dataclass
class Limit:
    """What a box asks of one parameter: a range of a number, or a set of values."""

    parameter: str
    low: Any = None
    high: Any = None
    kept: list[Any] | None = None  # the values a box keeps, for a lever of names or true/false
    low_limited: bool = False  # whether the box limits this side (else low or high is the full range's)
    high_limited: bool = False
    low_p: float | None = None  # quasi-p-values of the limits (Bryant and Lempert 2010)
    high_p: float | None = None


@dataclass
class Box:
    """One box: the chosen step of its peeling trajectory, with its limits."""

    number: int
    step: int
    coverage: float
    density: float
    mass: float
    runs: int
    cases: int
    limits: list[Limit]
    meets_threshold: bool


@dataclass
class Discovery:
    """What ``domwork discover`` found."""

    sweep: Sweep
    cases: Cases
    threshold: float
    boxes: list[Box]
    trajectory: pd.DataFrame  # box, step, coverage, density, mass, runs, restricted, parameters, chosen
    next_density: float | None = None  # the densest step of the box sought after the last one kept
    prim_version: str = ""


def prim_module():
    """EMA Workbench's PRIM, imported without its side effects on this process.

    Importing it sets seaborn's palette for every later figure (the project's own colours are
    kept by importing inside ``rc_context``) and warns that two optional packages are missing
    (ipyparallel for a parallel evaluator, altair for notebook widgets); PRIM needs neither.
    """
    import matplotlib

    with warnings.catch_warnings(), matplotlib.rc_context():
        warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
        warnings.filterwarnings("ignore", message="altair based interactive inspection", category=ImportWarning)
        from ema_workbench.analysis import prim
    return prim


def discover(sweep: Sweep, found: Cases, *, threshold: float = 0.8, boxes: int = 1) -> Discovery:
    """Boxes of levers and uncertainties in which the cases are dense.

    Args:
        sweep: from :func:`read_sweep`.
        found: from :func:`cases`.
        threshold: the density a box should reach.
        boxes: how many boxes to seek at most; the second and later are kept only when they reach the threshold.
    """
    from importlib.metadata import version

    prim = prim_module()
    rows = np.flatnonzero(found.used)
    frame = sweep.runs.iloc[rows]
    dimensions = [k for k in sweep.keys if frame[k].nunique() > 1]
    x, decode = _prim_inputs(frame, dimensions)
    y = found.met[rows].astype(int)
    kept: list[Box] = []
    steps = []
    next_density = None
    with warnings.catch_warnings():
        # EMA Workbench 3.0.0 calls DataFrame.drop(inplace=True), which pandas 3.1 deprecates.
        warnings.filterwarnings("ignore", message="The inplace keyword", module=r"ema_workbench\.")
        finder = prim.Prim(x, y, peel_alpha=PEEL_ALPHA, paste_alpha=PASTE_ALPHA, mass_min=MASS_MIN)
        for number in range(1, boxes + 1):
            box = finder.find_box()
            if box is None:
                break
            trajectory = box.peeling_trajectory.reset_index(drop=True)
            chosen, meets = _choose(trajectory, threshold)
            if number > 1 and not meets:
                next_density = float(trajectory["density"].max())
                break
            box.select(chosen)  # the next box is sought outside this step, not outside the last one
            limits = _limits(box.box_lims[chosen], finder.box_init, box.p_values[chosen], decode, sweep)
            row = trajectory.loc[chosen]
            kept.append(Box(number, chosen, float(row["coverage"]), float(row["density"]), float(row["mass"]),
                            int(row["n"]), int(row["k"]), limits, meets))
            for step, entry in trajectory.iterrows():
                names = [decode[c][0] for c in _restricted(box.box_lims[step], finder.box_init)]
                steps.append({"box": number, "step": step, "coverage": entry["coverage"], "density": entry["density"],
                              "mass": entry["mass"], "runs": int(entry["n"]), "restricted": len(names),
                              "parameters": " ".join(names), "chosen": step == chosen})
    return Discovery(sweep, found, threshold, kept, pd.DataFrame(steps), next_density,
                     f"ema_workbench {version('ema_workbench')}")


def _prim_inputs(frame: pd.DataFrame, dimensions: list[str]) -> tuple[pd.DataFrame, dict[str, tuple[str, list]]]:
    """PRIM's x, and how to read its columns back.

    Columns are renamed ``x0, x1, ...``: EMA Workbench drops a column named ``scenario``
    (its own experiments' index), which is a lever here. Numbers go in as floats: 3.0.0
    fails on integer columns under pandas 3 (EMAworkbench issue 448). Names and true/false
    go in as codes in an object column, which PRIM treats as categories, so that the order
    in which it tries them does not depend on the hashing of text.
    """
    x = pd.DataFrame(index=range(len(frame)))
    decode: dict[str, tuple[str, list]] = {}
    for j, key in enumerate(dimensions):
        column = frame[key]
        name = f"x{j}"
        if _numeric(column):
            x[name] = column.to_numpy(dtype=float)
            decode[name] = (key, [])
        else:
            values = list(dict.fromkeys(column.tolist()))
            codes = {v: k for k, v in enumerate(values)}
            x[name] = pd.Series([codes[v] for v in column], dtype=object)
            decode[name] = (key, values)
    return x, decode


def _choose(trajectory: pd.DataFrame, threshold: float) -> tuple[int, bool]:
    """Of the steps of density at least ``threshold``, the one of most coverage x density; else the densest.

    The product is the knee of the trade-off an analyst looks for: it prefers neither the
    first step over the threshold (the most coverage, the loosest box) nor the last (a small
    box, dense because it is small). Ties go to the more coverage, then the fewer limits.
    """
    dense = trajectory[trajectory["density"] >= threshold - TOLERANCE]
    if len(dense):
        score = (dense["coverage"] * dense["density"]).round(12)
        order = dense.assign(score=score).sort_values(["score", "coverage", "res_dim"], ascending=[False, False, True],
                                                      kind="stable")
        return int(order.index[0]), True
    order = trajectory.sort_values(["density", "coverage"], ascending=[False, False], kind="stable")
    return int(order.index[0]), False


def _restricted(lims: pd.DataFrame, initial: pd.DataFrame) -> list[str]:
    return [c for c in initial.columns if not (lims[c] == initial[c]).all()]


def _limits(lims: pd.DataFrame, initial: pd.DataFrame, quasi_p: dict[str, list[float]],
            decode: dict[str, tuple[str, list]], sweep: Sweep) -> list[Limit]:
    limits = []
    for column in _restricted(lims, initial):
        key, values = decode[column]
        p_low, p_high = (None if p < 0 else float(p) for p in quasi_p.get(column, [-1, -1]))
        if values:
            kept = [v for k, v in enumerate(values) if k in lims.loc[0, column]]
            limits.append(Limit(key, kept=kept, low_p=p_low))
            continue
        low, high = sweep.ranges.get(key, (initial.loc[0, column], initial.loc[1, column]))
        box_low, box_high = float(lims.loc[0, column]), float(lims.loc[1, column])
        limited_low, limited_high = box_low != initial.loc[0, column], box_high != initial.loc[1, column]
        limits.append(Limit(key, box_low if limited_low else low, box_high if limited_high else high,
                            low_limited=limited_low, high_limited=limited_high,
                            low_p=p_low if limited_low else None, high_p=p_high if limited_high else None))
    return limits
