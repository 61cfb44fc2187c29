"""Experiment files and the designs they describe.

An experiment is a small declarative file (NetLogo BehaviorSpace's idea): a base
scenario, what to vary and how many replicates. Either ``vary`` (a full
factorial of lists and ranges) or ``levers`` (what policy sets) crossed with
sampled ``uncertainties`` (what we do not know), EMA Workbench's split. Every
key is checked like a scenario key, and every design point is validated as a
scenario before anything runs, so a bad file ends with exit 2 and writes nothing.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from model import shipped
from model.core import metrics
from model.scenario.loading import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    read_yaml_mapping,
    to_yaml,
    validate,
)
from model.scenario.schema import NAME_PATTERN, Scenario

KEYS = ("name", "description", "scenario", "set", "model", "seed", "replicates", "months", "metrics", "vary",
        "levers", "uncertainties", "sample")
SAMPLE_KEYS = ("method", "n", "seed", "levels", "second_order")
METHODS = ("lhs", "sobol", "morris")
MODELS = ("domwork", "ishigami")
# Keys a design may not vary: they name the run or set its size and seeds.
FIXED_KEYS = ("name", "description", "extends", "seed", "replicates", "months")
SCENARIO_KEY = "scenario"  # a vary/levers key whose values are scenario files
MAX_POINTS = 1_000_000
MAX_RUNS = 10_000_000
# The test function's inputs and output (Ishigami & Homma 1990, a = 7, b = 0.1).
ISHIGAMI_INPUTS = ("x1", "x2", "x3")
ISHIGAMI_METRICS = ("y",)


@dataclass
class Design:
    """A validated experiment: the base scenario(s), the points and how to run them.

    ``points`` has one row a design point: ``point`` then every lever and
    uncertainty (or varied key) by its dotted path, in the file's order.
    """

    name: str
    path: Path
    model: str
    base: Scenario | None
    bases: dict[str, dict[str, Any]]
    replicates: int
    months: int
    seed: int
    metrics: tuple[str, ...]
    keys: tuple[str, ...]
    levers: tuple[str, ...]
    uncertainties: dict[str, tuple[float, float, bool]]
    method: str | None
    n: int
    levels: int
    second_order: bool
    points: pd.DataFrame
    sample: np.ndarray | None = None  # unrounded sampler output, one row per uncertainty point
    text: str = ""
    sets: dict[str, Any] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """Runs in the whole experiment: points times replicates."""
        return len(self.points) * self.replicates

    @property
    def lever_settings(self) -> int:
        """How many lever settings share the same uncertainty points (1 without levers)."""
        if self.method is None or not self.levers:
            return 1
        return len(self.points) // len(self.sample)

    def point_values(self, point: int) -> dict[str, Any]:
        """The dotted keys and values of one design point."""
        # Column by column: a row of a frame would turn integers into floats beside float columns.
        return {key: _plain(self.points[key].iat[point]) for key in self.keys}

    def scenario(self, point: int) -> Scenario:
        """The scenario of one design point (its own months, every default filled in)."""
        return self._scenario(self.point_values(point), f"{self.path}: point {point}")

    def _scenario(self, values: Mapping[str, Any], where: str) -> Scenario:
        values = dict(values)
        base_name = values.pop(SCENARIO_KEY, None)
        data = copy.deepcopy(self.bases[base_name if base_name is not None else ""])
        origin: dict[str, str] = {}
        apply_overrides(data, {**values, "months": self.months}, origin, labels={k: where for k in values})
        return validate(data, origin, where)

    def fingerprint(self) -> str:
        """A hash of everything that decides the runs' results: a resumed sweep must match it."""
        parts = [self.model, str(self.replicates), str(self.months), ",".join(self.metrics),
                 self.points.to_csv(index=False, lineterminator="\n")]
        parts += [f"{name}\n{to_yaml(Scenario.model_validate(data))}" for name, data in sorted(self.bases.items())]
        return hashlib.sha256("\n--\n".join(parts).encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _leaf_annotation(dotted: str) -> Any:
    """The type of a scenario leaf key, or None when the path is not a leaf of the schema."""
    cls: type[BaseModel] = Scenario
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        fields = cls.model_fields
        if part not in fields:
            return None
        annotation = fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if i == len(parts) - 1:
                return None
            cls = annotation
        elif i == len(parts) - 1:
            return annotation
        else:
            return None
    return None


def _nearest_key(dotted: str) -> str:
    from model.scenario.reference import keys

    known = [k.path for k in keys()]
    close = difflib.get_close_matches(dotted, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_key(where: str, section: str, dotted: Any, model: str) -> type:
    """The type of a scenario leaf key an experiment or calibration may set, or a ScenarioError naming it."""
    if not isinstance(dotted, str) or not dotted:
        raise ScenarioError(f"{where}: {section}: keys must be dotted scenario keys, got {dotted!r}")
    if model == "ishigami":
        if dotted not in ISHIGAMI_INPUTS:
            raise ScenarioError(f"{where}: {section}.{dotted}: the ishigami test function takes "
                                f"{', '.join(ISHIGAMI_INPUTS)}")
        return float
    if section in ("vary", "levers") and dotted == SCENARIO_KEY:
        return str
    if dotted.split(".")[0] in FIXED_KEYS:
        raise ScenarioError(f"{where}: {section}.{dotted}: cannot be varied; set it at the top of the experiment")
    annotation = _leaf_annotation(dotted)
    if annotation is None:
        raise ScenarioError(f"{where}: {section}.{dotted}: not a scenario key{_nearest_key(dotted)}; "
                            "`domwork schema` lists them")
    return annotation


def _values(where: str, dotted: str, spec: Any, kind: type) -> list[Any]:
    """The values of a ``vary``/``levers`` key: a list, or a range {from, to, steps}."""
    if isinstance(spec, list):
        if not spec:
            raise ScenarioError(f"{where}: {dotted}: an empty list; give at least one value")
        values = spec
    elif isinstance(spec, Mapping):
        unknown = set(spec) - {"from", "to", "steps"}
        if unknown or not {"from", "to", "steps"} <= set(spec):
            raise ScenarioError(f"{where}: {dotted}: a range is {{from: A, to: B, steps: N}}, got {dict(spec)}")
        start, stop, steps = spec["from"], spec["to"], spec["steps"]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (start, stop)):
            raise ScenarioError(f"{where}: {dotted}: from and to must be numbers")
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            raise ScenarioError(f"{where}: {dotted}.steps: must be a whole number of at least 1 (got {steps!r})")
        if steps > MAX_POINTS:
            raise ScenarioError(f"{where}: {dotted}.steps: {steps:,} values is more than an experiment may have "
                                f"points ({MAX_POINTS:,}); split it")
        if kind not in (int, float):
            raise ScenarioError(f"{where}: {dotted}: a range needs a number key; this key is {kind.__name__}")
        if steps > 1 and not start < stop:
            raise ScenarioError(f"{where}: {dotted}: a range ascends: from ({start}) must be below to ({stop}); "
                                "list the values to give them in another order")
        values = [float(x) for x in np.linspace(start, stop, steps)] if steps > 1 else [float(start)]
        values = sorted({round(v) for v in values}) if kind is int else [round(v, 12) for v in values]
    else:
        raise ScenarioError(f"{where}: {dotted}: expected a list of values or {{from, to, steps}}, got {spec!r}")
    if kind is float:
        values = [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values]
    if len(set(map(repr, values))) != len(values):
        raise ScenarioError(f"{where}: {dotted}: the same value is listed twice")
    return values


def bounds_of(where: str, dotted: str, spec: Any, kind: type) -> tuple[float, float, bool]:
    """``{low, high}`` of a number key as (low, high, is integer), or a ScenarioError naming it."""
    if not isinstance(spec, Mapping) or set(spec) != {"low", "high"}:
        raise ScenarioError(f"{where}: uncertainties.{dotted}: expected {{low: A, high: B}}, got {spec!r}")
    low, high = spec["low"], spec["high"]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (low, high)):
        raise ScenarioError(f"{where}: uncertainties.{dotted}: low and high must be finite numbers")
    if kind not in (int, float):
        raise ScenarioError(f"{where}: uncertainties.{dotted}: only number keys can be uncertain "
                            f"(this one is {getattr(kind, '__name__', kind)})")
    if not low < high:
        raise ScenarioError(f"{where}: uncertainties.{dotted}: low ({low}) must be below high ({high})")
    return float(low), float(high), kind is int


def whole_number(where: str, key: str, value: Any, low: int = 1, high: int | None = None) -> int:
    """``value`` if it is a whole number in range, else a ScenarioError naming the key."""
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        limit = f"from {low} to {high:,}" if high is not None else f"at least {low}"
        raise ScenarioError(f"{where}: {key}: must be a whole number {limit} (got {value!r})")
    return value


def refuse_unknown(where: str, section: str, given: Mapping[str, Any], known: tuple[str, ...]) -> None:
    """A ScenarioError for the first key of ``given`` not in ``known``, with the nearest known key."""
    for key in given:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ScenarioError(f"{where}: unknown key '{section}{key}'{hint}. Known keys here: {', '.join(known)}")


def check_name(where: str, name: Any) -> str:
    """``name`` when it is letters, digits, ``-`` and ``_`` (as a scenario's name), else a ScenarioError."""
    if not isinstance(name, str) or not pd.Series([name]).str.fullmatch(NAME_PATTERN[1:-1]).iloc[0]:
        raise ScenarioError(f"{where}: name: letters, digits, - and _ only (got {name!r})")
    return name


def load_experiment(path: str | Path, sets: Mapping[str, Any] | None = None) -> Design:
    """Read, check and expand an experiment file.

    Args:
        path: the experiment YAML; ``scenario`` in it is relative to it.
        sets: dotted scenario keys applied to the base scenario (``--set``).

    Returns:
        The design, every point validated as a scenario.

    Raises:
        ScenarioError: naming the file, the key and the problem.
    """
    path = Path(path)
    data = read_yaml_mapping(path)
    where = str(path)
    refuse_unknown(where, "", data, KEYS)
    model = data.get("model", "domwork")
    if model not in MODELS:
        raise ScenarioError(f"{where}: model: must be one of {', '.join(MODELS)} (got {model!r})")
    name = check_name(where, data.get("name", path.stem.replace(".", "_")))
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(f"{where}: description: must be text")
    in_file = data.get("set", {})
    if not isinstance(in_file, Mapping) or not all(isinstance(k, str) for k in in_file):
        raise ScenarioError(f"{where}: set: a mapping of dotted scenario keys to values")
    for dotted in in_file:
        if _leaf_annotation(dotted) is None or dotted.split(".")[0] in ("extends", "name"):
            raise ScenarioError(f"{where}: set.{dotted}: not a scenario key{_nearest_key(dotted)}")
    sets = {**in_file, **(sets or {})}  # the command line wins over the file

    # The base scenario(s), --set applied.
    bases: dict[str, dict[str, Any]] = {}
    base: Scenario | None = None
    if model == "domwork":
        scenario_file = data.get("scenario")
        if scenario_file is not None and (not isinstance(scenario_file, str) or not scenario_file.strip()):
            raise ScenarioError(f"{where}: scenario: must be a scenario file name, got {scenario_file!r}")
        base_file = shipped.base_scenario(where, "scenario", scenario_file, path.parent) if scenario_file else None
        base = load_scenario(base_file, sets)
        bases[""] = base.model_dump(mode="python", exclude={"extends"})
    elif "scenario" in data or sets:
        raise ScenarioError(f"{where}: scenario: the {model} test function takes no scenario (and no --set)")

    seed = data.get("seed", base.seed if base is not None else 0)
    seed = whole_number(where, "seed", seed, 0, 2**63 - 1)
    replicates = whole_number(where, "replicates", data.get("replicates", 1), 1, 10_000)
    months = whole_number(where, "months", data.get("months", base.months if base else 1), 1, 1200)

    known_metrics = ISHIGAMI_METRICS if model == "ishigami" else metrics.COLUMNS
    chosen = data.get("metrics", list(known_metrics))
    if not isinstance(chosen, list) or not chosen or not all(isinstance(m, str) for m in chosen):
        raise ScenarioError(f"{where}: metrics: a list of timeseries column names")
    for metric in chosen:
        if metric not in known_metrics:
            close = difflib.get_close_matches(metric, known_metrics, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ScenarioError(f"{where}: metrics: unknown metric '{metric}'{hint}")
    if len(set(chosen)) != len(chosen):
        raise ScenarioError(f"{where}: metrics: a metric is listed twice")

    vary, levers, uncertainties = (data.get(k) for k in ("vary", "levers", "uncertainties"))
    sample = data.get("sample")
    for key, value in (("vary", vary), ("levers", levers), ("uncertainties", uncertainties), ("sample", sample)):
        if value is not None and (not isinstance(value, Mapping) or not value):
            raise ScenarioError(f"{where}: {key}: must be a mapping of keys")
    if vary is not None and (levers is not None or uncertainties is not None or sample is not None):
        raise ScenarioError(f"{where}: vary: give either vary (a full factorial) or levers with uncertainties "
                            "and sample, not both")
    if vary is None and uncertainties is None and levers is None:
        raise ScenarioError(f"{where}: nothing to run: give vary, or uncertainties with sample")
    if levers is not None and uncertainties is None:
        raise ScenarioError(f"{where}: levers: need uncertainties and sample; for levers alone use vary")
    if (uncertainties is None) != (sample is None):
        missing = "sample" if sample is None else "uncertainties"
        raise ScenarioError(f"{where}: {missing}: uncertainties and sample go together")

    design_args: dict[str, Any] = {"method": None, "n": 0, "levels": 4, "second_order": False}
    factorial = vary if vary is not None else (levers or {})
    section = "vary" if vary is not None else "levers"
    lists: dict[str, list[Any]] = {}
    for dotted, spec in factorial.items():
        kind = check_key(where, section, dotted, model)
        lists[dotted] = _values(where, f"{section}.{dotted}", spec, kind)
    if SCENARIO_KEY in lists:
        names = []
        for file in lists[SCENARIO_KEY]:
            if not isinstance(file, str):
                raise ScenarioError(f"{where}: {section}.scenario: a list of scenario files, got {file!r}")
            loaded = load_scenario(shipped.base_scenario(where, f"{section}.scenario", file, path.parent), sets)
            if loaded.name in bases:
                raise ScenarioError(f"{where}: {section}.scenario: two files have the same scenario name")
            bases[loaded.name] = loaded.model_dump(mode="python", exclude={"extends"})
            names.append(loaded.name)
        lists[SCENARIO_KEY] = names

    bounds: dict[str, tuple[float, float, bool]] = {}
    for dotted, spec in (uncertainties or {}).items():
        if dotted in lists:
            raise ScenarioError(f"{where}: uncertainties.{dotted}: is also a lever")
        bounds[dotted] = bounds_of(where, dotted, spec, check_key(where, "uncertainties", dotted, model))

    sample_matrix = None
    if sample is not None:
        refuse_unknown(where, "sample.", sample, SAMPLE_KEYS)
        method = sample.get("method")
        if method not in METHODS:
            raise ScenarioError(f"{where}: sample.method: one of {', '.join(METHODS)} (got {method!r})")
        n = whole_number(where, "sample.n", sample.get("n"), 2, MAX_POINTS)
        if method == "sobol" and n & (n - 1):
            raise ScenarioError(f"{where}: sample.n: Sobol sampling needs a power of 2 (got {n}; try "
                                f"{1 << (n - 1).bit_length()})")
        levels = whole_number(where, "sample.levels", sample.get("levels", 4), 2, 100)
        second = sample.get("second_order", False)
        if not isinstance(second, bool):
            raise ScenarioError(f"{where}: sample.second_order: true or false")
        sample_seed = whole_number(where, "sample.seed", sample.get("seed", seed), 0, 2**32 - 1) \
            if "seed" in sample else seed % 2**32
        design_args = {"method": method, "n": n, "levels": levels, "second_order": second}
        from model.experiments import sensitivity

        sample_matrix = sensitivity.sample(method, bounds, n, seed=sample_seed, levels=levels,
                                           second_order=second)

    planned = math.prod(len(values) for values in lists.values()) * (
        len(sample_matrix) if sample_matrix is not None else 1)  # counted before any point is made
    if planned > MAX_POINTS or planned * replicates > MAX_RUNS:
        raise ScenarioError(f"{where}: {planned:,} points x {replicates} replicates is more than "
                            f"{MAX_RUNS:,} runs (at most {MAX_POINTS:,} points); split the experiment")
    points = _points(lists, bounds, sample_matrix)
    if len(points) > MAX_POINTS or len(points) * replicates > MAX_RUNS:
        raise ScenarioError(f"{where}: {len(points):,} points x {replicates} replicates is more than "
                            f"{MAX_RUNS:,} runs; split the experiment")
    design = Design(name=name, path=path, model=model, base=base, bases=bases, replicates=replicates,
                    months=months, seed=seed, metrics=tuple(chosen), keys=tuple(points.columns[1:]),
                    levers=tuple(lists) if vary is None else (), uncertainties=bounds,
                    points=points, sample=sample_matrix, text=path.read_text(encoding="utf-8"), sets=sets,
                    **design_args)
    if model == "domwork":
        _check_points(design, where)
    return design


def _points(lists: dict[str, list[Any]], bounds: dict[str, tuple[float, float, bool]],
            sample_matrix: np.ndarray | None) -> pd.DataFrame:
    """Every lever (or varied) combination, crossed with every uncertainty point (levers outer)."""
    combos = list(itertools.product(*lists.values())) if lists else [()]
    columns: dict[str, list[Any]] = {key: [] for key in (*lists, *bounds)}
    rows = sample_matrix if sample_matrix is not None else np.empty((1, 0))
    values = {key: _rounded(rows[:, j], is_int) for j, (key, (_, _, is_int)) in enumerate(bounds.items())}
    for combo in combos:
        for key, value in zip(lists, combo, strict=True):
            columns[key].extend([value] * len(rows))
        for key in bounds:
            columns[key].extend(values[key])
    frame = pd.DataFrame(columns)
    frame.insert(0, "point", np.arange(len(frame)))
    return frame


def _rounded(column: np.ndarray, is_int: bool) -> list[Any]:
    if is_int:
        return [round(float(v)) for v in column]
    # Twelve significant digits: the value written to points.csv is the value run.
    return [float(f"{v:.12g}") for v in column]


def _check_points(design: Design, where: str) -> None:
    """Validate every point as a scenario: its own bounds and consistency rules, before any run."""
    for point, values in enumerate(iter_point_values(design)):
        labels = ", ".join(f"{k}={v!r}" for k, v in values.items())
        design._scenario(values, f"{where}: point {point} ({labels})")


def iter_point_values(design: Design) -> Iterator[dict[str, Any]]:
    """The keys and values of every point, in order, without building a frame row each."""
    columns = [design.points[key].tolist() for key in design.keys]
    for row in zip(*columns, strict=True):
        yield {key: _plain(v) for key, v in zip(design.keys, row, strict=True)}
