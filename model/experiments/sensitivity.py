"""Sampling uncertainties and global sensitivity indices (SALib), and a test function with known answers.

Latin hypercube samples come from ``scipy.stats.qmc``; Sobol (Saltelli's scheme)
and Morris samples and indices from SALib, with its bootstrap confidence
intervals. With levers, the indices are those of each lever setting's effect:
the paired difference, point by point, between the setting and the first
setting on the same uncertainty points (common random numbers), which says which
unknown decides whether a policy works.

The Ishigami function (a test "model" of the experiment layer, not of the
simulation) has known indices; a sweep of it goes through the same executor,
store and analysis as a sweep of the model, which is what the tests check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from model.experiments.design import Design

SOBOL_COLUMNS = ("metric", "parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("metric", "parameter", "mu_star", "mu_star_conf", "sigma")
RESAMPLES = 200  # bootstrap resamples for the confidence intervals
ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def problem(bounds: dict[str, tuple[float, float, bool]]) -> dict[str, Any]:
    """SALib's problem definition from ``{dotted key: (low, high, is_int)}``."""
    return {"num_vars": len(bounds), "names": list(bounds), "bounds": [[lo, hi] for lo, hi, _ in bounds.values()]}


def sample(method: str, bounds: dict[str, tuple[float, float, bool]], n: int, *, seed: int, levels: int = 4,
           second_order: bool = False) -> np.ndarray:
    """The uncertainty points of a design, one row a point, in the sampler's order (unrounded).

    Args:
        method: ``lhs`` (n points), ``sobol`` (Saltelli: n x (d + 2), or n x (2d + 2) with
            second order) or ``morris`` (n trajectories of d + 1 points).
        bounds: the uncertainties, ``{dotted key: (low, high, is_int)}``.
        n: base samples.
        seed: the sampler's seed; the same seed gives the same points.
        levels: Morris grid levels.
        second_order: Sobol second-order indices too (more runs).
    """
    spec = problem(bounds)
    if method == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=spec["num_vars"], seed=np.random.default_rng(seed)).random(n)
        return qmc.scale(unit, [b[0] for b in spec["bounds"]], [b[1] for b in spec["bounds"]])
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(spec, n, calc_second_order=second_order, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(spec, n, num_levels=levels, seed=seed)
    raise ValueError(f"unknown sampling method {method!r}")


def point_means(runs: pd.DataFrame, metrics: tuple[str, ...]) -> pd.DataFrame:
    """Each design point's metrics averaged over its replicates, indexed by point."""
    return runs.groupby("point", sort=True)[list(metrics)].mean()


def analyse(design: Design, runs: pd.DataFrame) -> pd.DataFrame | None:
    """``sensitivity.csv``: indices of every metric (and, with levers, of every lever setting's effect).

    Returns None for designs that have no indices (``vary``, Latin hypercube).
    Columns are CONTRACT.md's, with ``lever_setting`` (0 for the first setting,
    whose indices are of the metric itself; k > 0 for the effect of setting k
    against setting 0) and ``target`` (``value`` or ``effect``) in front when
    there are levers.
    """
    if design.method not in ("sobol", "morris"):
        return None
    means = point_means(runs, design.metrics)
    n_points = len(design.sample)
    settings = design.lever_settings
    if len(means) != n_points * settings:
        raise ValueError(f"sensitivity needs every point: {len(means)} of {n_points * settings} have runs")
    spec = problem(design.uncertainties)
    x = design.points[list(design.uncertainties)].to_numpy(dtype=np.float64)[:n_points]
    frames = []
    first = means.iloc[:n_points].to_numpy()
    for k in range(settings):
        block = means.iloc[k * n_points:(k + 1) * n_points].to_numpy()
        y_all = block if k == 0 else block - first  # paired on the same uncertainty points and seeds
        for j, metric in enumerate(design.metrics):
            table = indices(design.method, spec, x, y_all[:, j], second_order=design.second_order,
                            levels=design.levels, seed=design.seed)
            table.insert(0, "metric", metric)
            if design.levers:
                table.insert(0, "target", "value" if k == 0 else "effect")
                table.insert(0, "lever_setting", k)
            frames.append(table)
    return pd.concat(frames, ignore_index=True)


def indices(method: str, spec: dict[str, Any], x: np.ndarray, y: np.ndarray, *, second_order: bool = False,
            levels: int = 4, seed: int = 0) -> pd.DataFrame:
    """Sobol (S1, ST with confidence) or Morris (mu*, its confidence, sigma) indices of one output.

    An output that does not vary has no variance to apportion: its indices are 0.
    """
    names = spec["names"]
    seed = seed % 2**32
    if method == "sobol":
        columns = SOBOL_COLUMNS[1:]
        if np.ptp(y) == 0:
            return pd.DataFrame({c: names if c == "parameter" else 0.0 for c in columns})
        from SALib.analyze import sobol

        result = sobol.analyze(spec, y, calc_second_order=second_order, num_resamples=RESAMPLES, seed=seed)
        return pd.DataFrame({"parameter": names, "S1": result["S1"], "S1_conf": result["S1_conf"],
                             "ST": result["ST"], "ST_conf": result["ST_conf"]})
    columns = MORRIS_COLUMNS[1:]
    if np.ptp(y) == 0:
        return pd.DataFrame({c: names if c == "parameter" else 0.0 for c in columns})
    from SALib.analyze import morris

    result = morris.analyze(spec, x, y, num_resamples=RESAMPLES, num_levels=levels, seed=seed)
    return pd.DataFrame({"parameter": names, "mu_star": np.asarray(result["mu_star"], dtype=float),
                         "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=float),
                         "sigma": np.asarray(result["sigma"], dtype=float)})


def ishigami(values: dict[str, float]) -> float:
    """The Ishigami function: S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244) on [-pi, pi]^3."""
    x1, x2, x3 = values["x1"], values["x2"], values["x3"]
    return float(np.sin(x1) + ISHIGAMI_A * np.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * np.sin(x1))


def ishigami_exact() -> pd.DataFrame:
    """The analytic first-order and total indices of :func:`ishigami`."""
    a, b = ISHIGAMI_A, ISHIGAMI_B
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return pd.DataFrame({"parameter": ["x1", "x2", "x3"], "S1": [v1 / total, v2 / total, 0.0],
                         "ST": [(v1 + v13) / total, v2 / total, v13 / total]})
