"""Regression guard: the small baseline still gives the numbers stored in ``baseline_summary.json``.

Any change of results, intended or not, fails here with the list of metrics that
moved and by how much. When the change is intended (a new mechanism, a
recalibration, a fix), regenerate the file and say why in ``CHANGELOG.md``::

    python -m tests.test_regression --update

(from the project root, with the project's virtual environment).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
from importlib import metadata
from pathlib import Path

import pytest

from model import load_scenario
from model.run.runner import run_replicates, summarize

ROOT = Path(__file__).resolve().parent.parent
STORED = Path(__file__).with_name("baseline_summary.json")
SCENARIO = "scenarios/baseline.yaml"
OVERRIDES = {"months": 36, "replicates": 2}
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12  # for metrics whose mean is 0
UPDATE_COMMAND = "python -m tests.test_regression --update"


def compute() -> dict[str, float]:
    """Each metric's mean (last 12 months, averaged over replicates) in the small baseline."""
    scenario = load_scenario(ROOT / SCENARIO, OVERRIDES)
    summary = summarize(run_replicates(scenario, workers=1))
    return {name: float(entry["mean"]) for name, entry in sorted(summary.items()) if entry["mean"] is not None}


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("mesa", "numpy", "scipy", "pandas"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _same(old: float, new: float) -> bool:
    if math.isnan(old) or math.isnan(new):
        return math.isnan(old) and math.isnan(new)
    return math.isclose(old, new, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)


def _change(old: float, new: float) -> str:
    if old == 0:
        return "from 0"
    return f"{100 * (new - old) / abs(old):+.4g}%"


def differences(stored: dict[str, float], current: dict[str, float]) -> list[str]:
    """One line for each metric that moved, appeared or disappeared."""
    lines = []
    for name in sorted(set(stored) | set(current)):
        if name not in current:
            lines.append(f"  {name}: no longer in the summary (was {stored[name]!r})")
        elif name not in stored:
            lines.append(f"  {name}: new in the summary ({current[name]!r})")
        elif not _same(stored[name], current[name]):
            lines.append(f"  {name}: {stored[name]!r} -> {current[name]!r} ({_change(stored[name], current[name])})")
    return lines


def load_stored() -> dict:
    """The stored file, or a failure that says how to make it."""
    if not STORED.exists():
        pytest.fail(f"{STORED.name} is missing; make it with `{UPDATE_COMMAND}`", pytrace=False)
    return json.loads(STORED.read_text(encoding="utf-8"))


def test_the_stored_file_describes_this_run():
    stored = load_stored()
    assert stored["scenario"] == SCENARIO and stored["overrides"] == OVERRIDES, (
        f"{STORED.name} was made from another run; regenerate it with `{UPDATE_COMMAND}`")
    assert len(stored["metrics"]) > 50


def test_the_small_baseline_gives_the_stored_results():
    stored = load_stored()
    moved = differences(stored["metrics"], compute())
    if moved:
        versions = _versions()
        changed = {k: (stored["versions"].get(k), v) for k, v in versions.items() if stored["versions"].get(k) != v}
        note = (f"\nNote: library versions differ from those the file was made with: {changed}; "
                "results can move in the last digits across numpy/scipy versions." if changed else "")
        pytest.fail(
            f"The results of {SCENARIO} with {OVERRIDES} changed: {len(moved)} of {len(stored['metrics'])} "
            f"metrics moved (relative tolerance {RELATIVE_TOLERANCE:g}):\n" + "\n".join(moved) + note +
            f"\n\nIf the change is intended, regenerate {STORED.relative_to(ROOT)} with `{UPDATE_COMMAND}` "
            "and add a line to CHANGELOG.md (under Unreleased, 'Changed') saying why the results moved. "
            "If it is not intended, a change to the model altered its results: find it.",
            pytrace=False,
        )


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.test_regression [--update]``: check, or rewrite the stored file."""
    parser = argparse.ArgumentParser(prog="python -m tests.test_regression", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help=f"rewrite {STORED.name} with the current results")
    args = parser.parse_args(argv)
    current = compute()
    stored = json.loads(STORED.read_text(encoding="utf-8")) if STORED.exists() else {"metrics": {}}
    moved = differences(stored["metrics"], current)
    if not args.update:
        print("\n".join(moved) if moved else "no metric moved")
        return 1 if moved else 0
    data = {
        "about": ("Means of every metric of summary.json for the small baseline: the regression guard of "
                  f"tests/test_regression.py. Regenerate with `{UPDATE_COMMAND}` and say why in CHANGELOG.md."),
        "scenario": SCENARIO,
        "overrides": OVERRIDES,
        "versions": _versions(),
        "metrics": current,
    }
    STORED.write_text(json.dumps(data, indent=2, sort_keys=False, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {STORED} ({len(current)} metrics)")
    if moved:
        print(f"{len(moved)} metrics moved:\n" + "\n".join(moved))
        print("Now add a line to CHANGELOG.md (Unreleased, Changed) saying why.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
