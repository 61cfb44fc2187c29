"""``domwork compare``: scenarios run with common random numbers, paired differences, adaptive replicates.

Replicate k of every compared scenario runs with the same seed
(``model.core.rng.replicate_seed(seed, k)``), and the model draws each decision from
its own stream indexed by row, so replicate k of two scenarios differ only
where their policies make them differ. The effect of scenario B against the
first scenario A is estimated from the paired differences ``B_k - A_k``, whose
variance is far smaller than that of the difference of independent runs; a
scenario compared with itself differs by exactly zero.

With precision targets, replicates are added in blocks, scenario by scenario,
until every named difference's 95% interval is narrow enough (or its sign is
settled), up to a maximum. Every decision depends only on the results, which
depend only on the seeds, so the same command gives the same replicates and the
same bytes with any number of processes.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from model.core import metrics
from model.experiments import posterior_draws
from model.run import runner
from model.run.progress import Progress
from model.scenario.loading import ScenarioError, load_scenario
from model.scenario.schema import Scenario

# Keys the compared scenarios must share: replicate k is paired across scenarios only if it is the same city,
# drawn from the same seed, over the same months.
COMPARABLE = ("seed", "months", "start_month", "workers.count", "households.count", "agencies.count")
POPULATION = ("workers.count", "households.count", "agencies.count")
MIN_INTERVAL = 3  # fewer replicates give no interval (as in summary.json)
MIN_BLOCK = 2  # replicates added at least, per scenario and round
DEFAULT_MAX_REPLICATES = 40
SIGN = "sign"
LEVEL = 0.95

# Targets used when neither --precision nor --replicates is given: two points of the contract and insured shares,
# 50 yuan of the mean wage, half a point of unemployment. At the 1:100 baseline, paired differences meet them in
# the first 5 replicates for most single levers; the levers that grow employee-based agencies vary much more
# from replicate to replicate and run to the maximum.
DEFAULT_PRECISION: dict[str, float] = {
    "contract_share": 0.02,
    "insured_share": 0.02,
    "mean_wage": 50.0,
    "unemployment_rate": 0.005,
}


def summary_metrics() -> list[str]:
    """Every metric of ``summary.json``, in its order: the timeseries columns, then ``annual_turnover``."""
    return [*metrics.COLUMNS, "annual_turnover"]


@dataclass(frozen=True)
class Target:
    """A precision target: the 95% interval of the metric's difference from the first scenario.

    Attributes:
        metric: a metric of ``summary.json``.
        halfwidth: the widest half-width accepted, in the metric's units; None to stop once the
            interval excludes zero (the sign is settled).
    """

    metric: str
    halfwidth: float | None

    def describe(self) -> str:
        """``contract_share <= 0.01`` or ``contract_share: sign``."""
        return f"{self.metric}: sign" if self.halfwidth is None else f"{self.metric} <= {self.halfwidth:g}"


def parse_precision(items: Sequence[str]) -> tuple[Target, ...]:
    """Targets from ``--precision METRIC=HALFWIDTH`` options (``HALFWIDTH`` a positive number or ``sign``)."""
    known = summary_metrics()
    targets: dict[str, Target] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name or not raw:
            raise ScenarioError(f"--precision {item!r}: expected METRIC=HALFWIDTH, e.g. contract_share=0.01")
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ScenarioError(f"--precision {item}: unknown metric '{name}'{hint}; the metrics are the "
                                "columns of timeseries.csv and annual_turnover")
        if name in targets:
            raise ScenarioError(f"--precision {item}: '{name}' is given twice")
        if raw == SIGN:
            targets[name] = Target(name, None)
            continue
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            raise ScenarioError(f"--precision {item}: the half-width must be a number above 0 (in the metric's "
                                f"units, e.g. 0.01 for one point of a share) or '{SIGN}'")
        targets[name] = Target(name, value)
    return tuple(targets.values())


def default_targets() -> tuple[Target, ...]:
    """The targets of :data:`DEFAULT_PRECISION`."""
    return tuple(Target(metric, value) for metric, value in DEFAULT_PRECISION.items())


@dataclass
class Entrant:
    """A compared scenario.

    Attributes:
        label: its name in tables and figures (the scenario's name, made unique).
        source: the file it came from, or ``built-in baseline``.
        scenario: the scenario, command-line options applied.
    """

    label: str
    source: str
    scenario: Scenario


def _value(scenario: Scenario, dotted: str) -> Any:
    node: Any = scenario
    for part in dotted.split("."):
        node = getattr(node, part)
    return node


def load_entrants(paths: Sequence[Path], overrides: Mapping[str, Any] | None = None,
                  labels: Mapping[str, str] | None = None, allow_different: Sequence[str] = (),
                  assumptions: Any = None) -> list[Entrant]:
    """Load the compared scenarios and refuse those that cannot be paired.

    Args:
        paths: scenario files, the first the one the others are compared with.
        overrides: dotted keys set for every scenario (``--set``, ``--months``, ``--seed``, ...).
        labels: how to name the source of an override in messages.
        allow_different: population sizes (``workers.count``, ...) allowed to differ.
        assumptions: an :class:`model.experiments.assumptions.AssumptionSet` whose keys every scenario
            gets after its file and before ``overrides`` (which win).

    Raises:
        ScenarioError: fewer than two files, a bad file, or scenarios that differ in a key of
            :data:`COMPARABLE` that the command line does not set for all.
    """
    if len(paths) < 2:
        raise ScenarioError("compare: give at least two scenario files (the first is the reference)")
    for key in allow_different:
        if key not in POPULATION:
            raise ScenarioError(f"--allow-different {key}: only population sizes may differ "
                                f"({', '.join(POPULATION)})")
    if assumptions is not None:
        overrides, labels = assumptions.layered(overrides, labels)
    overrides = dict(overrides or {})
    entrants: list[Entrant] = []
    seen: dict[str, int] = {}
    for path in paths:
        scenario = load_scenario(path, overrides, labels=labels)
        count = seen.get(scenario.name, 0) + 1
        seen[scenario.name] = count
        label = scenario.name if count == 1 else f"{scenario.name}-{count}"
        entrants.append(Entrant(label, str(path), scenario))
    _check_comparable(entrants, set(overrides) | set(allow_different))
    return entrants


def _check_comparable(entrants: Sequence[Entrant], set_for_all: set[str]) -> None:
    first = entrants[0]
    problems = []
    for key in COMPARABLE:
        if key in set_for_all:
            continue
        reference = _value(first.scenario, key)
        for other in entrants[1:]:
            value = _value(other.scenario, key)
            if value != reference:
                problems.append(f"{other.source}: {key} is {value} but {first.source} has {reference}")
    if problems:
        option = {"seed": "--seed N", "months": "--months N"}
        keys = sorted({p.split(": ")[1].split(" is ")[0] for p in problems}, key=COMPARABLE.index)
        hint = ", ".join(option.get(k, f"--set {k}=VALUE") for k in keys)
        shown = problems[:4] + ([f"... and {len(problems) - 4} more"] if len(problems) > 4 else [])
        raise ScenarioError("\n".join([
            *shown,
            "compare: scenarios are paired replicate by replicate (common random numbers), so they must share "
            f"{', '.join(COMPARABLE)}; set them for all with {hint}"
            + (" (or allow population sizes to differ with --allow-different KEY)"
               if any(k in POPULATION for k in keys) else "")]))


@dataclass(frozen=True)
class Difference:
    """The paired difference of one metric between a scenario and the first, over their shared replicates.

    Attributes:
        replicates: pairs used.
        mean: mean difference.
        low, high: its 95% t-interval, None with fewer than three pairs.
        var_paired: variance of the paired difference across replicates (None with one pair).
        var_independent: variance of the difference of independent runs, estimated from the same
            replicates (the sum of the two scenarios' variances).
        parameter_share: with a posterior (``--posterior``), the share of a paired difference's variance
            due to the parameters; the interval then holds the effect's spread over the posterior too
            (:mod:`model.experiments.posterior_draws`). None without one.
    """

    replicates: int
    mean: float
    low: float | None
    high: float | None
    var_paired: float | None
    var_independent: float | None
    parameter_share: float | None = None

    @property
    def halfwidth(self) -> float | None:
        """Half the interval's width."""
        return None if self.low is None or self.high is None else (self.high - self.low) / 2

    @property
    def identical(self) -> bool:
        """Whether the two scenarios gave exactly the same value in every replicate."""
        return self.mean == 0 and not self.var_paired

    @property
    def variance_saved(self) -> float | None:
        """Share of the variance of an independent-runs difference that pairing removes."""
        if self.var_paired is None or not self.var_independent:
            return None
        return 1.0 - self.var_paired / self.var_independent


def difference(first: pd.Series, other: pd.Series, posterior: bool = False) -> Difference:
    """The paired difference ``other - first`` over ``other``'s replicates (``first`` has at least as many).

    With ``posterior`` (replicates 2i and 2i + 1 ran parameter set i of a posterior), the interval
    carries the parameters' uncertainty as well as the seeds' (:func:`posterior_draws.interval`).
    """
    other = other.sort_index()
    a = first.loc[other.index].to_numpy(dtype=np.float64)
    b = other.to_numpy(dtype=np.float64)
    d = b - a
    n = d.size
    mean = float(d.mean())
    low = high = share = None
    if posterior:
        mean, low, high, share = posterior_draws.interval(d)
    elif n >= MIN_INTERVAL:
        _, low, high = runner.mean_interval(d, LEVEL)
    var_paired = float(d.var(ddof=1)) if n >= 2 else None
    var_independent = float(a.var(ddof=1) + b.var(ddof=1)) if n >= 2 else None
    return Difference(n, mean, low, high, var_paired, var_independent, share)


def met(target: Target, diff: Difference) -> bool:
    """Whether ``diff`` meets ``target``: narrow enough, or with its sign settled."""
    half = diff.halfwidth
    if half is None:
        return False
    if target.halfwidth is not None:
        return half <= target.halfwidth
    # An interval that excludes zero settles the sign; a difference exactly zero in every pair has none to settle.
    return diff.low > 0 or diff.high < 0 or diff.identical


def needed(target: Target, diff: Difference) -> float:
    """Pairs that would meet ``target`` if the difference's spread stayed as it is (inf: never)."""
    if met(target, diff):
        return diff.replicates
    if diff.var_paired is None:
        return MIN_INTERVAL
    goal = target.halfwidth if target.halfwidth is not None else abs(diff.mean)
    if goal == 0:
        return math.inf
    # n such that t(n - 1) * sd / sqrt(n) <= goal: start from the normal quantile, then correct with t a few times.
    ratio = math.sqrt(diff.var_paired) / goal
    n = math.ceil((stats.norm.ppf(0.5 + LEVEL / 2) * ratio) ** 2)
    for _ in range(3):
        n = math.ceil((float(stats.t.ppf(0.5 + LEVEL / 2, max(n, MIN_INTERVAL) - 1)) * ratio) ** 2)
    return max(n, diff.replicates + 1)


def next_size(current: int, want: float, max_replicates: int) -> int:
    """Replicates of the next round: towards ``want``, at least ``MIN_BLOCK`` more, at most double, at most the max."""
    grown = max(current + MIN_BLOCK, min(2 * current, want))
    return int(min(max_replicates, grown))


@dataclass
class Comparison:
    """What a comparison ran and measured.

    Attributes:
        entrants: the compared scenarios, the first the reference.
        timeseries: label -> ``timeseries.csv`` rows of its replicates.
        per_replicate: label -> per replicate (index), every metric of ``summary.json``.
        targets: the precision targets (empty for a fixed number of replicates).
        max_replicates: the most replicates a scenario could get.
        blocks: what was run, in order: scenario label, first replicate, replicates.
        status: label -> ``reference``, ``fixed``, ``met`` or ``max`` (stopped at the maximum).
        assumptions: the name of the assumption set it ran under (empty without ``--assumptions``).
        posterior: the posterior whose parameter sets the replicates ran (``--posterior``), or None.
    """

    entrants: list[Entrant]
    timeseries: dict[str, pd.DataFrame] = field(default_factory=dict)
    per_replicate: dict[str, pd.DataFrame] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    max_replicates: int = 0
    blocks: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    assumptions: str = ""
    posterior: posterior_draws.PosteriorDraws | None = None
    _summaries: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict, repr=False)

    @property
    def first(self) -> Entrant:
        """The reference scenario."""
        return self.entrants[0]

    @property
    def others(self) -> list[Entrant]:
        """The scenarios compared with the reference."""
        return self.entrants[1:]

    def replicates(self, label: str) -> int:
        """Replicates run of a scenario."""
        return len(self.per_replicate[label])

    def summary(self, label: str) -> dict[str, dict[str, float]]:
        """``summary.json`` of scenario ``label`` over its replicates."""
        if label not in self._summaries:
            self._summaries[label] = runner.summarize(self.timeseries[label])
        return self._summaries[label]

    def difference(self, label: str, metric: str) -> Difference:
        """The paired difference of ``metric`` between scenario ``label`` and the first."""
        return difference(self.per_replicate[self.first.label][metric], self.per_replicate[label][metric],
                          posterior=self.posterior is not None)

    def seeds(self) -> list[int]:
        """Seed of each replicate run (shared by every scenario)."""
        from model.core.rng import replicate_seed

        n = max(self.replicates(e.label) for e in self.entrants)
        return [replicate_seed(self.first.scenario.seed, k) for k in range(n)]


def run_comparison(entrants: list[Entrant], replicates: int, targets: Sequence[Target] = (),
                   max_replicates: int = DEFAULT_MAX_REPLICATES, workers: int | None = None,
                   quiet: bool = True, cache: Any = None, assumptions: str = "",
                   posterior: posterior_draws.PosteriorDraws | None = None) -> Comparison:
    """Run the scenarios with common random numbers, adding replicates until the targets are met.

    Args:
        entrants: the scenarios, the first the reference (see :func:`load_entrants`).
        replicates: replicates of the first round (at least 3 when there are targets).
        targets: precision targets of the differences from the first scenario.
        max_replicates: the most replicates a scenario gets.
        workers: processes (default: every core); results do not depend on it.
        quiet: no progress bar.
        cache: where finished replicates are kept and found again (:class:`model.run.store.ReplicateCache`).
        assumptions: the name of the assumption set the entrants were loaded under (for tables and progress).
        posterior: replicate k of every scenario runs with its parameter set k (``--posterior``).
    """
    targets = tuple(targets)
    if targets:
        replicates = max(replicates, MIN_INTERVAL)
    result = Comparison(entrants, targets=targets, max_replicates=max(max_replicates, replicates),
                        assumptions=assumptions, posterior=posterior)
    plan = {e.label: replicates for e in entrants}
    done = dict.fromkeys(plan, 0)
    months = entrants[0].scenario.months
    for round_ in itertools.count(1):
        todo = [(e, done[e.label], plan[e.label] - done[e.label]) for e in entrants if plan[e.label] > done[e.label]]
        if not todo:
            break
        total = sum(n for _, _, n in todo) * months
        what = f"round {round_}: {len(todo)} scenarios" if targets else f"{len(todo)} scenarios x {replicates}"
        what += f" under {assumptions}" if assumptions else ""
        with Progress(total, f"compare, {what}", quiet=quiet) as bar:
            for entrant, first, n in todo:
                per_replicate = None if posterior is None else functools.partial(
                    posterior.scenario, f"{assumptions}/{entrant.label}", entrant.scenario)
                ts = runner.run_replicates(entrant.scenario, replicates=n, months=months, workers=workers,
                                           progress=bar.update, first=first, cache=cache,
                                           per_replicate=per_replicate)
                old = result.timeseries.get(entrant.label)
                result.timeseries[entrant.label] = ts if old is None else pd.concat([old, ts], ignore_index=True)
                result.blocks.append({"scenario": entrant.label, "first": first, "replicates": n})
                done[entrant.label] = first + n
        for entrant, _, _ in todo:
            result._summaries.pop(entrant.label, None)
            result.per_replicate[entrant.label] = runner.replicate_metrics(result.timeseries[entrant.label])
        plan = _next_plan(result, done)
    return result


def _next_plan(result: Comparison, done: dict[str, int]) -> dict[str, int]:
    """Replicates each scenario should have after the next round (as many as now when it is finished)."""
    plan = dict(done)
    result.status[result.first.label] = "reference"
    for entrant in result.others:
        n = done[entrant.label]
        if not result.targets:
            result.status[entrant.label] = "fixed"
            continue
        diffs = [(t, result.difference(entrant.label, t.metric)) for t in result.targets]
        if all(met(t, d) for t, d in diffs):
            result.status[entrant.label] = "met"
        elif n >= result.max_replicates:
            result.status[entrant.label] = "max"
        else:
            want = max(needed(t, d) for t, d in diffs)
            plan[entrant.label] = next_size(n, want, result.max_replicates)
            result.status[entrant.label] = "running"
    # The reference is paired with every replicate of every other scenario.
    plan[result.first.label] = max(plan.values())
    return plan


def level(result: Comparison, label: str, column: str) -> tuple[float, float | None, float | None]:
    """Mean of ``column`` across scenario ``label``'s replicates, with its 95% interval (None below 3).

    For a metric of ``summary.json`` these are its numbers there; for a derived quantity, the same t-interval.
    """
    summary = result.summary(label)
    if column in summary:
        s = summary[column]
        mean, low, high = s["mean"], s["ci_low"], s["ci_high"]
    else:
        values = result.per_replicate[label][column].to_numpy(dtype=np.float64)
        mean, low, high = runner.mean_interval(values, LEVEL)
    if mean is None:  # empty in some replicate's last months (a law's compliance while no such law is in force)
        return math.nan, None, None
    if result.replicates(label) < MIN_INTERVAL or low is None or high is None:
        return float(mean), None, None
    return float(mean), float(low), float(high)


def under_each(results: Comparison | Sequence[Comparison]) -> list[Comparison]:
    """The comparison under each assumption set, in order (one comparison: a list of it)."""
    return [results] if isinstance(results, Comparison) else list(results)


def stacked(table: Callable[[Comparison], pd.DataFrame], results: Sequence[Comparison]) -> pd.DataFrame:
    """``table`` of each set's comparison, one below the other (their ``assumptions`` column tells them apart)."""
    return pd.concat([table(r) for r in results], ignore_index=True)


def comparison_table(result: Comparison) -> pd.DataFrame:
    """``comparison.csv``: one row per scenario and metric of ``summary.json``; last, the assumption set's name."""
    rows = []
    for entrant in result.entrants:
        n = result.replicates(entrant.label)
        for metric in summary_metrics():
            mean, low, high = level(result, entrant.label, metric)
            if entrant is result.first:
                diff = (0.0, 0.0, 0.0)
            else:
                d = result.difference(entrant.label, metric)
                diff = (d.mean, d.low, d.high)
            row = {"scenario": entrant.label, "metric": metric, "mean": mean, "ci_low": low, "ci_high": high,
                   "diff_vs_first": diff[0], "diff_ci_low": diff[1], "diff_ci_high": diff[2], "replicates": n}
            if result.posterior is not None:
                row["diff_var_parameter_share"] = None if entrant is result.first else d.parameter_share
            rows.append({**row, "assumptions": result.assumptions})
    return pd.DataFrame(rows)


def pairing_table(result: Comparison) -> pd.DataFrame:
    """``pairing.csv``: per scenario and metric, the variance of the paired and of an independent difference."""
    rows = []
    for entrant in result.others:
        for metric in summary_metrics():
            d = result.difference(entrant.label, metric)
            rows.append({"scenario": entrant.label, "metric": metric, "replicates": d.replicates,
                         "diff_halfwidth": d.halfwidth, "var_paired": d.var_paired,
                         "var_independent": d.var_independent, "variance_saved": d.variance_saved,
                         "assumptions": result.assumptions})
    return pd.DataFrame(rows)


def replicates_table(result: Comparison) -> pd.DataFrame:
    """``replicates.csv``: per scenario and replicate, its seed and every metric of ``summary.json``."""
    from model.core.rng import replicate_seed

    frames = []
    for entrant in result.entrants:
        frame = result.per_replicate[entrant.label].reset_index()
        frame.insert(0, "seed", [replicate_seed(entrant.scenario.seed, int(k)) for k in frame["replicate"]])
        frame.insert(0, "scenario", entrant.label)
        frame["assumptions"] = result.assumptions
        frames.append(frame[["scenario", "replicate", "seed", *summary_metrics(), "assumptions"]])
    return pd.concat(frames, ignore_index=True)
