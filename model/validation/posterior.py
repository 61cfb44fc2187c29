"""``domwork calibrate --method posterior``: a sample of parameter sets consistent with the targets.

The method, and why:

- **ABC-SMC from pyabc** (Schälte et al. 2022), the maintained reference library of
  approximate Bayesian computation: sequential importance sampling over a series of
  generations, each proposing from the last one's weighted particles through a
  multivariate normal kernel fitted to them. Our own would be a copy of its transition,
  weighting and scheduling code, less tested.
- **Exact under the targets' error.** The acceptance is stochastic (``StochasticAcceptor``)
  with an independent normal kernel whose variances are the targets' sd squared, and a
  temperature schedule that ends at 1 (Wilkinson 2013; Schälte and Hasenauer 2020): the
  last generation is then a sample of the posterior of a model whose moments meet the
  targets up to normal errors of those sds, not an approximation with a tolerance.
- **Prior**: uniform on each parameter's bounds. A proposal outside them has prior density
  0 and is never run, so every parameter set stays in its bounds.
- **On the one runner.** pyabc's own samplers draw proposals and simulate in one call on
  any free worker, so which particles are accepted depends on timing. Here pyabc runs in
  this process and proposes from a generator seeded by (calibration seed, generation,
  proposal number); the model runs of each batch of proposals go to the runner (processes
  or Dask, :class:`~model.validation.calibration.Evaluator`) and the first proposals in
  their numbered order are accepted. The same command gives the same bytes with any number
  of processes or on Dask.
- **Resumable.** Every candidate's moments are kept in ``evaluations.csv`` as they finish;
  ``--resume`` replays the whole search from the start, taking every candidate it has, so
  it takes the same path and runs only the missing ones.
- **Conditional on the seeds.** Every candidate runs the calibration's replicate seeds
  (common random numbers, as the ``smd`` method), so the posterior is that of the mean over
  those replicates; ``fit.csv`` shows the simulation's own spread beside the targets' sd.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.run import plots
from model.scenario.loading import ScenarioError
from model.validation.calibration import Calibration, Evaluation, Evaluator, candidate_key

POSTERIOR = "posterior.csv"
GENERATIONS = "generations.csv"
LEVEL = 0.95  # calibration.csv's credible intervals, as the smd method's confidence intervals


@dataclass
class Posterior:
    """What a posterior calibration found."""

    sample: pd.DataFrame  # one row a parameter set: the parameters by dotted key, then weight
    generations: pd.DataFrame  # generation, temperature, candidates, accepted, acceptance_rate, ess
    moments: pd.DataFrame  # the sample's moments, one row per parameter set (targets' metrics)
    candidates: int  # candidates the search used (in proposal order; runs = candidates x replicates)
    temperature: float  # the last generation's; 1 means the exact posterior under the targets' errors

    @property
    def weights(self) -> np.ndarray:
        """The sample's normalized weights."""
        return self.sample["weight"].to_numpy()

    def estimate(self, c: Calibration) -> dict[str, Any]:
        """The posterior mean of each parameter (integers rounded), as a scenario's values."""
        return c.rounded({key: float(np.average(self.sample[key], weights=self.weights)) for key in c.names})

    def interval(self, key: str, level: float = LEVEL) -> tuple[float, float]:
        """The equal-tailed credible interval of a parameter or a moment."""
        column = self.sample[key] if key in self.sample else self.moments[key]
        tail = (1.0 - level) / 2.0
        low, high = weighted_quantiles(column.to_numpy(), self.weights, [tail, 1.0 - tail])
        return float(low), float(high)

    def ess(self) -> float:
        """Effective sample size of the last generation."""
        return effective_sample_size(self.weights)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> np.ndarray:
    """Quantiles of a weighted sample (the inverse of its step distribution function)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    at = np.searchsorted(cumulative, np.asarray(qs) - 1e-12, side="left")
    return values[order][np.clip(at, 0, values.size - 1)]


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size: (sum w)^2 / sum w^2."""
    return float(weights.sum() ** 2 / np.square(weights).sum())


def planned_budget(c: Calibration) -> int:
    """The budget when none is given: eight candidates per accepted particle in every generation."""
    return (c.population * (c.generations + 1) * 8 + 1) * c.replicates


def check_budget(c: Calibration, budget: int) -> None:
    """Refuse a budget that cannot fill the prior sample and two generations."""
    least = (3 * c.population + 1) * c.replicates
    if budget < least:
        raise ScenarioError(f"--budget {budget}: too small for a posterior of {c.population} particles x "
                            f"{c.replicates} replicates; give at least {least} model runs (the prior sample and "
                            "two generations)")


# --- pyabc in this process, model runs on the runner -----------------------------------------


class _Missing(Exception):
    """A proposal whose moments are not known yet: it goes to the runner with its batch."""


class _Sampler:
    """pyabc's sampler interface over :class:`Evaluator`: numbered proposals, runs in batches, order kept.

    Built by :func:`_sampler_class` (pyabc is imported only when a posterior is asked for).
    """

    def __init__(self, c: Calibration, evaluator: Evaluator, batch: int, limit: int) -> None:
        super().__init__()
        self.c = c
        self.evaluator = evaluator
        self.batch = batch
        self.limit = limit  # candidates the budget allows
        self.candidates = 0  # candidates used, in proposal order, over every generation

    def _propose(self, simulate_one: Callable[[], Any], t: int, i: int) -> Any:
        seed = np.random.SeedSequence([self.c.seed, t + 1, i]).generate_state(1)[0]
        np.random.seed(int(seed))  # noqa: NPY002 (pyabc draws proposals and acceptances from numpy's global one)
        return simulate_one()

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        """The call pyabc makes: ``n`` accepted particles of generation ``t``, the first in proposal order."""
        sample = self._create_empty_sample()
        used = 0
        while sample.n_accepted < n and self.candidates + used < min(self.limit, self.candidates + max_eval):
            room = int(min(self.batch, self.limit - self.candidates - used))
            numbers = range(used, used + room)
            missing: dict[str, dict[str, Any]] = {}
            for i in numbers:
                try:
                    self._propose(simulate_one, t, i)
                except _Missing as err:
                    values = err.args[0]
                    missing[candidate_key(values)] = values
            self.evaluator.evaluate(list(missing.values()))
            for i in numbers:
                sample.append(self._propose(simulate_one, t, i))
                used += 1
                if sample.n_accepted >= n:
                    break
        self.candidates += used
        self.nr_evaluations_ = used
        if sample.n_accepted < n:
            sample.ok = False  # the budget is spent: pyabc keeps the generations it finished
        return sample


def _sampler_class() -> type:
    import pyabc

    return type("RunnerSampler", (_Sampler, pyabc.sampler.Sampler), {})


@contextmanager
def _quiet_global_state() -> Iterator[None]:
    """The global numpy generator as it was, and pyabc's log lines kept to warnings."""
    state = np.random.get_state()  # noqa: NPY002 (pyabc's generator, put back as it was)
    logger = logging.getLogger("ABC")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002
        logger.setLevel(level)


def sample_posterior(c: Calibration, evaluator: Evaluator, *, batch: int) -> Posterior:
    """Run ABC-SMC within the evaluator's budget and return the last generation."""
    import pyabc

    check_budget(c, evaluator.budget)
    names = {f"p{i}": key for i, key in enumerate(c.names)}  # pyabc's names: no dots
    targets = list(c.targets)

    def simulate(par: Mapping[str, float]) -> dict[str, float]:
        values = c.rounded({key: float(par[short]) for short, key in names.items()})
        found = evaluator.cache.get(candidate_key(values))
        if found is None:
            raise _Missing(values)
        return {m: found.mean[m] for m in targets}

    prior = pyabc.Distribution(**{short: pyabc.RV("uniform", c.parameters[key][0],
                                                  c.parameters[key][1] - c.parameters[key][0])
                                  for short, key in names.items()})
    kernel = pyabc.IndependentNormalKernel(var=[c.targets[m][1] ** 2 for m in targets], keys=targets)
    # One candidate of the budget is kept for the model at the posterior mean (fit.csv's at_estimate).
    sampler = _sampler_class()(c, evaluator, batch=batch, limit=evaluator.budget // c.replicates - 1)
    with _quiet_global_state(), tempfile.TemporaryDirectory(prefix="domwork-abc-") as scratch:
        abc = pyabc.ABCSMC(simulate, prior, kernel, population_size=c.population, sampler=sampler,
                           eps=pyabc.Temperature(), acceptor=pyabc.StochasticAcceptor())
        abc.new(f"sqlite:///{Path(scratch) / 'abc.db'}", {m: c.targets[m][0] for m in targets})
        history = abc.run(max_nr_populations=c.generations)
        if history.max_t < 0:
            raise ScenarioError(f"--budget {evaluator.budget}: spent before the first generation was complete; "
                                f"give a larger budget (at least {planned_budget(c):,} runs are planned)")
        generations = _generations(history)
        frame, weights = history.get_distribution(m=0, t=history.max_t)
    sample = pd.DataFrame({key: frame[short].to_numpy() for short, key in names.items()})
    sample = pd.DataFrame([c.rounded(row) for row in sample.to_dict("records")], columns=c.names)
    sample["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
    evaluations = [evaluator.cache[candidate_key({k: row[k] for k in c.names})] for _, row in sample.iterrows()]
    moments = pd.DataFrame([e.mean for e in evaluations], columns=targets)
    return Posterior(sample, generations, moments, sampler.candidates,
                     float(generations["temperature"].iloc[-1]))


def _generations(history) -> pd.DataFrame:
    """One row a generation: its temperature, candidates, accepted particles and effective sample size."""
    populations = history.get_all_populations()
    rows = []
    for row in populations[populations["t"] >= 0].itertuples():
        _, weights = history.get_distribution(m=0, t=int(row.t))
        rows.append({"generation": int(row.t), "temperature": float(row.epsilon), "candidates": int(row.samples),
                     "accepted": int(row.particles), "acceptance_rate": row.particles / row.samples,
                     "ess": effective_sample_size(np.asarray(weights, dtype=float))})
    return pd.DataFrame(rows)


# --- outputs ------------------------------------------------------------------------------------


def tables(c: Calibration, post: Posterior, at_estimate: Evaluation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``calibration.csv`` (posterior mean and 95% credible interval) and ``fit.csv`` (posterior predictive)."""
    estimate = post.estimate(c)
    params = pd.DataFrame([{"parameter": k, "estimate": estimate[k], "ci_low": post.interval(k)[0],
                            "ci_high": post.interval(k)[1], "low": lo, "high": hi}
                           for k, (lo, hi, _) in c.parameters.items()])
    fit_rows = pd.DataFrame([{"metric": m, "target": t, "sd": sd,
                              "model": float(np.average(post.moments[m], weights=post.weights)),
                              "model_ci_low": post.interval(m)[0], "model_ci_high": post.interval(m)[1],
                              "at_estimate": at_estimate.mean[m],
                              "simulation_sd": math.sqrt(at_estimate.var[m] / c.replicates)}
                             for m, (t, sd) in c.targets.items()])
    return params, fit_rows


def report(c: Calibration, post: Posterior, params: pd.DataFrame, fit_rows: pd.DataFrame, budget: int) -> str:
    """``report.md`` for the posterior method: the method, the diagnostics, the parameters and the fit."""
    exact = ("1: the last generation is a sample of the posterior under the targets' errors"
             if post.temperature <= 1.0 + 1e-9 else
             f"{post.temperature:.3g}, above 1: the budget ended the schedule early, so the sample is of a "
             "flattened posterior (wider than the exact one); give a larger --budget")
    lines = [f"# Calibration `{c.name}`: posterior", "", c.description, "",
             f"Base scenario: `{c.base_label}`, {c.replicates} replicates x {c.months} months "
             f"a candidate (the same seeds for every candidate: common random numbers). {post.candidates:,} "
             f"candidates and one at the posterior mean, {(post.candidates + 1) * c.replicates:,} model runs of a "
             f"budget of {budget:,}.", "",
             "Method: ABC-SMC (pyabc) with a uniform prior on each parameter's bounds, a stochastic acceptor with a "
             "normal kernel of the targets' sd and a temperature schedule "
             f"({c.population} particles a generation, at most {c.generations} generations). Final temperature: "
             f"{exact}. Effective sample size of the last generation: {post.ess():.0f} of {len(post.sample)}.", "",
             "The sample is `posterior.csv` (one row a parameter set, with its weight); "
             "`domwork compare --posterior posterior.csv` carries it into policy effects.", "",
             "| generation | temperature | candidates | accepted | acceptance | effective sample size |",
             "|---|---|---|---|---|---|"]
    for g in post.generations.itertuples():
        lines.append(f"| {g.generation} | {g.temperature:.4g} | {g.candidates:,} | {g.accepted} "
                     f"| {g.acceptance_rate:.1%} | {g.ess:.0f} |")
    lines += ["", "| parameter | posterior mean | 95% credible interval | bounds |", "|---|---|---|---|"]
    for row in params.itertuples():
        lines.append(f"| `{row.parameter}` | {row.estimate:.4g} | [{row.ci_low:.4g}, {row.ci_high:.4g}] "
                     f"| [{row.low:g}, {row.high:g}] |")
    lines += ["", "The model over the posterior (its weighted mean and 95% interval), at the posterior mean, and "
              "the simulation's own standard error there:", "",
              "| target | value | sd | model over the posterior | 95% interval | at the mean | simulation se |",
              "|---|---|---|---|---|---|---|"]
    for row in fit_rows.itertuples():
        lines.append(f"| `{row.metric}` | {row.target:.4g} | {row.sd:.3g} | {row.model:.4g} "
                     f"| [{row.model_ci_low:.4g}, {row.model_ci_high:.4g}] | {row.at_estimate:.4g} "
                     f"| {row.simulation_sd:.3g} |")
    lines += ["", "![prior and posterior](figures/posterior.png)", "", "![generations](figures/generations.png)",
              "", "![fit](figures/fit.png)"]
    return "\n".join(lines) + "\n"


def figures(c: Calibration, post: Posterior, fit_rows: pd.DataFrame, folder: Path) -> None:
    """Prior against posterior for each parameter, the generations' diagnostics, and the fit to the targets."""
    folder.mkdir(parents=True, exist_ok=True)
    with plots.figure(folder / "posterior.png", f"Calibration {c.name}: prior and posterior",
                      note="Bars: the weighted posterior sample; grey: the uniform prior on the bounds; "
                           "line: the posterior mean.",
                      rows=math.ceil(len(c.names) / 2), cols=min(2, len(c.names))) as axes:
        for ax, (key, (low, high, _)) in zip(np.ravel(axes), c.parameters.items(), strict=False):
            ax.fill_between([low, high], 0, 1.0 / (high - low), color="0.85", label="prior")
            ax.hist(post.sample[key], bins=np.linspace(low, high, 41), weights=post.weights, density=True,
                    color="C0", alpha=0.8, label="posterior")
            ax.set_xlim(low, high)
            ax.axvline(np.average(post.sample[key], weights=post.weights), color="C3", linewidth=1)
            ax.set_xlabel(key)
            ax.set_ylabel("density")
        for ax in np.ravel(axes)[len(c.names):]:
            ax.set_visible(False)
    with plots.figure(folder / "generations.png", f"Calibration {c.name}: generations",
                      note="Acceptance and effective sample size of each generation; the temperature falls to 1.",
                      rows=1, cols=2) as (ax, bx):
        g = post.generations
        ax.plot(g["generation"], g["acceptance_rate"], "o-", color="C0", label="acceptance rate")
        ax.plot(g["generation"], g["ess"] / c.population, "s-", color="C2", label="ESS / particles")
        ax.set_xlabel("generation")
        ax.set_ylim(0, 1.05)
        plots.legend_outside(ax)
        bx.semilogy(g["generation"], g["temperature"], "o-", color="C3")
        bx.set_xlabel("generation")
        bx.set_ylabel("temperature")
    with plots.figure(folder / "fit.png", f"Calibration {c.name}: targets and the model over the posterior",
                      note="Bars: target ± 1 sd; dots: the posterior's weighted mean, lines its 95% interval.",
                      rows=1) as (ax,):
        rows = list(fit_rows.itertuples())
        z = np.array([(r.model - r.target) / r.sd for r in rows])
        low = np.array([(r.model_ci_low - r.target) / r.sd for r in rows])
        high = np.array([(r.model_ci_high - r.target) / r.sd for r in rows])
        ax.barh(range(len(z)), [2] * len(z), left=-1, color="0.85", label="target ± 1 sd")
        ax.errorbar(z, range(len(z)), xerr=[z - low, high - z], fmt="o", color="C0", label="model")
        ax.set_yticks(range(len(z)), list(fit_rows["metric"]))
        ax.axvline(0, color="0.4", linewidth=0.8)
        ax.set_xlabel("(model - target) / sd")
        plots.legend_outside(ax)
