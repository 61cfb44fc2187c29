"""``domwork compare --posterior FILE``: parameter uncertainty carried into paired policy effects.

Replicate k of every compared scenario runs with parameter set k and seed k. The sets are
drawn from the posterior by weight, and each drawn set runs on two seeds: replicates 2i and
2i + 1 share draw i. Within a pair only the seed differs, so the spread of the paired
differences splits into its two sources (a one-way random-effects analysis of variance):

- stochastic: ``s2 = mean over pairs of (d[2i] - d[2i+1])^2 / 2``;
- parameter: ``p2 = max(0, var(pair means) - s2 / 2)``.

``diff_var_parameter_share`` is ``p2 / (p2 + s2)``. The effect's 95% interval is
``mean ± 1.96 sqrt(p2 + var(pair means) / pairs)``: the spread of the effect over the
posterior, which more replicates do not narrow, plus the Monte Carlo error of its mean.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.scenario.loading import ScenarioError, apply_overrides, load_scenario_data
from model.scenario.schema import Scenario

WEIGHT = "weight"
STREAM = 0x706F7374  # the draws' own random stream ("post"), apart from every model mechanism's
SEEDS_PER_SET = 2
Z95 = 1.959963984540054


@dataclass
class PosteriorDraws:
    """A posterior sample (``posterior.csv`` of ``domwork calibrate --method posterior``) and its draws."""

    path: Path
    sets: pd.DataFrame  # one row a parameter set, one column per parameter by dotted key
    weights: np.ndarray  # normalized
    seed: int
    _scenarios: dict[tuple[str, int], Scenario] = field(default_factory=dict, repr=False)

    @property
    def parameters(self) -> list[str]:
        """The posterior's parameters, by dotted key."""
        return list(self.sets.columns)

    def row(self, replicate: int) -> int:
        """The posterior row replicate ``replicate`` runs with: draw ``replicate // 2``, by weight."""
        draw = replicate // SEEDS_PER_SET
        u = np.random.default_rng([self.seed, STREAM, draw]).random()
        cumulative = np.cumsum(self.weights)
        return int(min(np.searchsorted(cumulative / cumulative[-1], u, side="right"), len(self.weights) - 1))

    def values(self, replicate: int) -> dict[str, Any]:
        """Parameter set ``replicate`` (integers as integers)."""
        row = self.row(replicate)
        return {key: _plain(self.sets[key].iloc[row]) for key in self.parameters}

    def scenario(self, label: str, base: Scenario, replicate: int) -> Scenario:
        """``base`` (scenario ``label`` of the comparison) with parameter set ``replicate`` (kept: one object)."""
        key = (label, replicate)
        if key not in self._scenarios:
            data = base.model_dump(mode="json", exclude={"extends"})
            self._scenarios[key] = load_scenario_data(data, self.values(replicate),
                                                      where=f"{self.path} (row {self.row(replicate) + 2})")
        return self._scenarios[key]

    def check_common(self, entrants: list[tuple[str, Scenario]]) -> None:
        """Refuse a posterior parameter that a compared scenario sets apart from the reference.

        A posterior parameter is what we do not know about the city; a policy that set it would
        be overwritten by every draw.
        """
        from model.scenario.loading import flat_values

        (first, reference), *others = entrants
        ref = flat_values(reference)
        for label, scenario in others:
            values = flat_values(scenario)
            for key in self.parameters:
                if values[key] != ref[key]:
                    raise ScenarioError(f"--posterior {self.path}: {key} is a parameter of the posterior, but "
                                        f"scenario {label} sets it ({values[key]!r} against {ref[key]!r} in {first}); "
                                        "a posterior parameter must be the same in every compared scenario")


def _plain(value: Any) -> Any:
    """A cell as the scenario takes it: an integer column's value as int, any other as float."""
    return int(value) if isinstance(value, np.integer | int) else float(value)


def load_posterior(path: Path, reference: Scenario) -> PosteriorDraws:
    """Read and check ``posterior.csv``: parameter columns by dotted key, then ``weight``.

    Raises:
        ScenarioError: naming the file, the row or column and the problem.
    """
    where = f"--posterior {path}"
    if not path.is_file():
        if path.exists():
            raise ScenarioError(f"{where}: not a file")
        from model import shipped

        folder = shipped.folder("calibration")
        known = sorted(p.name for p in folder.glob("*.csv")) if folder is not None else []
        hint = f" (shipped posteriors, by name: {', '.join(known)})" if known else ""
        raise ScenarioError(f"{where}: file not found{hint}")
    try:
        frame = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ScenarioError(f"{where}: not a readable CSV file ({str(err).splitlines()[0]})") from None
    header = [str(name) for name in frame.columns]
    if WEIGHT not in header:
        raise ScenarioError(f"{where}: no '{WEIGHT}' column; a posterior sample has one column per parameter by its "
                            "dotted key and a weight (posterior.csv of domwork calibrate --method posterior)")
    parameters = [name for name in header if name != WEIGHT]
    if not parameters:
        raise ScenarioError(f"{where}: no parameter columns beside '{WEIGHT}'")
    if frame.empty:
        raise ScenarioError(f"{where}: no parameter sets (the file has only its header)")
    apply_overrides({}, dict.fromkeys(parameters), {}, source=where)  # every column a scenario key (values: below)
    for column in header:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ScenarioError(f"{where}: row {row + 2}, column {column}: not a finite number "
                                f"({frame[column].iloc[row]!r})")
        frame[column] = values
    weights = frame[WEIGHT].to_numpy(dtype=float)
    if (weights < 0).any():
        row = int(np.flatnonzero(weights < 0)[0])
        raise ScenarioError(f"{where}: row {row + 2}, column {WEIGHT}: a weight below 0 ({weights[row]})")
    if not weights.sum() > 0:
        raise ScenarioError(f"{where}: column {WEIGHT}: every weight is 0")
    draws = PosteriorDraws(path, frame[parameters], weights / weights.sum(), reference.seed)
    base = reference.model_dump(mode="json", exclude={"extends"})
    for index in range(len(frame)):  # every set a valid scenario, named by its row if not
        load_scenario_data(base, {key: _plain(frame[key].iloc[index]) for key in parameters},
                           where=f"{path} (row {index + 2})")
    return draws


def split_variance(d: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """Parameter variance, stochastic variance and the variance of the mean's estimate of paired differences.

    ``d`` is in replicate order, draws in pairs; None where fewer than two full pairs.
    """
    pairs = d.size // SEEDS_PER_SET
    if pairs < 2:
        return None, None, None
    grouped = d[: pairs * SEEDS_PER_SET].reshape(pairs, SEEDS_PER_SET)
    stochastic = float(np.mean(np.square(grouped[:, 0] - grouped[:, 1])) / 2.0)
    means = grouped.mean(axis=1)
    between = float(means.var(ddof=1))
    parameter = max(0.0, between - stochastic / SEEDS_PER_SET)
    return parameter, stochastic, between / pairs


def interval(d: np.ndarray) -> tuple[float, float | None, float | None, float | None]:
    """The mean paired difference, its 95% interval with parameter uncertainty, and the parameters' share.

    The share is of a single difference's variance; None where fewer than two full pairs.
    """
    mean = float(d.mean())
    parameter, stochastic, of_mean = split_variance(d)
    if parameter is None:
        return mean, None, None, None
    half = Z95 * math.sqrt(parameter + of_mean)
    total = parameter + stochastic
    return mean, mean - half, mean + half, (parameter / total if total > 0 else 0.0)


def draws_table(draws: PosteriorDraws, replicates: int) -> pd.DataFrame:
    """Which posterior row each replicate ran with (``posterior_draws.csv``)."""
    rows = [{"replicate": k, "posterior_row": draws.row(k) + 1, **draws.values(k)} for k in range(replicates)]
    return pd.DataFrame(rows)


def describe(draws: PosteriorDraws, replicates: int) -> Mapping[str, Any]:
    """For the manifest and the report: the file, its sets and how many distinct sets ran."""
    used = {draws.row(k) for k in range(replicates)}
    return {"file": str(draws.path), "sets": len(draws.sets), "parameters": draws.parameters,
            "drawn": len(used), "seeds_per_set": SEEDS_PER_SET}
