"""What many tests share: the project's folders, a tiny run's options, the CLI as a function, refusal checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model import DomesticWorkModel, load_scenario
from model.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
# A run small enough to finish in a second or two if a check that should refuse it does not.
TINY = ["--set", "workers.count=100", "--set", "households.count=150", "--set", "agencies.count=2",
        "--months", "2", "--replicates", "1", "--workers", "1", "--quiet"]
MAX_MESSAGE_LINES = 5


def cli(args: list[str]) -> int:
    """``main(args)``, with argparse's SystemExit turned into its status."""
    try:
        return main(args)
    except SystemExit as exit_:
        return int(exit_.code)


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` and return the path."""
    path.write_text(text, encoding="utf-8")
    return path


def assert_refused(status: int, err: str, *fragments: str) -> None:
    """Status 2; a short message naming what it should; no traceback."""
    lines = err.strip().splitlines()
    assert status == 2, f"exit status {status}, stderr:\n{err}"
    assert "Traceback" not in err, err
    assert 1 <= len(lines) <= MAX_MESSAGE_LINES, f"{len(lines)} lines on stderr:\n{err}"
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in the message:\n{err}"


SMALL = {"workers.count": 1000, "households.count": 1500, "agencies.count": 10, "months": 36, "replicates": 2}


def small_scenario(**overrides):
    """The baseline at 1:400, with dotted-key overrides."""
    return load_scenario(None, {**SMALL, **overrides})


def run_months(scenario, months: int | None = None, replicate: int = 0) -> tuple[DomesticWorkModel, pd.DataFrame]:
    """Run a model and return it with its timeseries."""
    model = DomesticWorkModel(scenario, replicate=replicate)
    model.run_for(scenario.months if months is None else months)
    return model, model.datacollector.get_model_vars_dataframe().reset_index(drop=True)


def stepped(months: int, **overrides) -> DomesticWorkModel:
    """The small baseline with dotted ``overrides``, stepped ``months`` months (for tests that stir its state)."""
    model = DomesticWorkModel(small_scenario(**overrides))
    model.run_for(months)
    return model


def assert_same_state(a: DomesticWorkModel, b: DomesticWorkModel) -> None:
    """Two models hold the same tables, the same present workers and the same month's flows, to the bit."""
    for table in ("workers", "households", "agencies"):
        ta, tb = getattr(a, table), getattr(b, table)
        for name in ta.COLUMNS:
            assert np.array_equal(getattr(ta, name), getattr(tb, name)), (table, name)
    assert np.array_equal(a.workers.present, b.workers.present)
    assert np.array_equal(a.flows.transitions, b.flows.transitions)
    assert np.array_equal(a.flows.separations_by_reason, b.flows.separations_by_reason)
    assert a.flows.wages_lost_yuan == b.flows.wages_lost_yuan
