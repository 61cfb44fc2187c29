"""What every check shares: its result rows, the sizes of quick and full runs, and how runs are made."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.run import runner
from model.scenario.loading import load_scenario
from model.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent.parent
BASELINE_FILE = ROOT / "scenarios" / "baseline.yaml"


@dataclass
class Row:
    """One comparison: what the model gives against what is expected, within a tolerance."""

    quantity: str
    model: str
    expected: str
    tolerance: str
    passed: bool


@dataclass
class Result:
    """A check's outcome: its rows, the figure it draws and what it tested."""

    key: str
    title: str
    what: str
    rows: list[Row] = field(default_factory=list)
    figure: str | None = None
    runs: int = 0
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """All rows pass (and there is at least one)."""
        return bool(self.rows) and all(r.passed for r in self.rows)

    def add(self, quantity: str, model: float | str, expected: float | str, tolerance: str, passed: bool,
            fmt: str = ".4g") -> None:
        """Record one comparison."""
        def text(x: float | str) -> str:
            return x if isinstance(x, str) else format(x, fmt)

        self.rows.append(Row(quantity, text(model), text(expected), tolerance, bool(passed)))

    def within(self, quantity: str, model: float, expected: float, rel: float | None = None,
               abs_: float | None = None, fmt: str = ".4g", source: str = "") -> bool:
        """Record ``model`` against ``expected`` within a relative or an absolute tolerance."""
        if rel is not None:
            ok, tol = abs(model - expected) <= rel * abs(expected), f"within {100 * rel:g}%"
        else:
            ok, tol = abs(model - expected) <= float(abs_ or 0.0), f"within ±{abs_:{fmt}}"
        expected_text = format(expected, fmt) + (f" ({source})" if source else "")
        self.add(quantity, model, expected_text, tol, ok, fmt)
        return ok


@dataclass(frozen=True)
class Size:
    """How big the runs of a check are: quick for the test suite, full for ``make validate``."""

    quick: bool
    workers: int
    months: int
    replicates: int
    long_months: int

    @classmethod
    def of(cls, quick: bool) -> Size:
        """Quick: seconds a check; full: statistically sharp, minutes."""
        if quick:
            return cls(quick=True, workers=800, months=48, replicates=2, long_months=96)
        return cls(quick=False, workers=4000, months=120, replicates=4, long_months=240)

    def population(self, households_per_worker: float = 1.5) -> dict[str, Any]:
        """Population keys at this size (the baseline's 45 agencies per 4,000 workers, scaled)."""
        return {"workers.count": self.workers, "households.count": round(self.workers * households_per_worker),
                "agencies.count": max(2, round(self.workers * 45 / 4000))}


@dataclass
class Lab:
    """Runs scenarios for the checks and counts them; one runner for all (``model.run.runner``)."""

    size: Size
    figures: Path
    workers: int | None = None
    progress: Callable[[str], None] | None = None
    runs: int = 0

    def scenario(self, overrides: Mapping[str, Any] | None = None, base: Path | None = BASELINE_FILE,
                 **size: Any) -> Scenario:
        """The baseline (or ``base``) at this size, with dotted overrides."""
        keys = {**self.size.population(), "months": self.size.months, "replicates": self.size.replicates,
                **size, **(overrides or {})}
        return load_scenario(base, keys, source="validation")

    def timeseries(self, scenario: Scenario) -> pd.DataFrame:
        """Every replicate's months (on every core unless told otherwise)."""
        self.runs += scenario.replicates
        if self.progress:
            self.progress(scenario.name)
        return runner.run_replicates(scenario, workers=self.workers)

    def means(self, scenario: Scenario, months: int = runner.SUMMARY_MONTHS) -> pd.Series:
        """Last-``months`` means, averaged over replicates."""
        return runner.last_months_means(self.timeseries(scenario), months).mean()


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Rank correlation (no ties expected): +1 when y rises with x throughout."""
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])
