"""The validation suite: every check in order, and the report that cites their figures."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from model.validation import natural, patterns, theory
from model.validation.base import Lab, Result, Size

# In the order of the report: what theory proves, what data record, then natural experiments.
CHECKS: tuple[Callable[[Lab], Result], ...] = (
    theory.identities,
    theory.urn_ball_formula,
    theory.steady_state,
    theory.spells,
    patterns.beveridge,
    patterns.minimum_wage,
    patterns.fees,
    patterns.chain_migration,
    patterns.spring_festival,
    theory.common_random_numbers,
    patterns.baseline_targets,
    natural.south_africa,
    natural.hong_kong,
    natural.argentina,
)


def run_suite(figures: Path, quick: bool = False, workers: int | None = None,
              only: tuple[str, ...] = (), progress: Callable[[str], None] | None = None) -> list[Result]:
    """Run every check (or those whose function name is in ``only``), writing figures into ``figures``."""
    figures.mkdir(parents=True, exist_ok=True)
    lab = Lab(Size.of(quick), figures, workers=workers)
    results = []
    for check in CHECKS:
        if only and check.__name__ not in only:
            continue
        started, runs = time.perf_counter(), lab.runs
        result = check(lab)
        result.seconds = time.perf_counter() - started
        result.runs = lab.runs - runs
        results.append(result)
        if progress:
            progress(result.title)
    return results


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def report(results: list[Result], quick: bool) -> str:
    """``report.md``: a summary table, then one section a check with its table and figure."""
    size = Size.of(quick)
    passed = sum(r.passed for r in results)
    lines = [
        "# Validation report",
        "",
        f"`domwork validate{' --quick' if quick else ''}`: {passed} of {len(results)} checks pass. "
        f"Runs at {size.workers:,} workers ({size.replicates} replicates, {size.months} months unless a check "
        "says otherwise); each check states what it tests, the model against what is expected, and the tolerance.",
        "",
        "| check | result | comparisons passed | model runs |",
        "|---|---|---|---|",
    ]
    for r in results:
        ok = sum(row.passed for row in r.rows)
        lines.append(f"| [{r.title}](#{r.key}) | {'PASS' if r.passed else 'FAIL'} | {ok} of {len(r.rows)} | {r.runs} |")
    for r in results:
        lines += ["", f'<a id="{r.key}"></a>', f"## {r.title}: {'PASS' if r.passed else 'FAIL'}", "", r.what, "",
                  "| quantity | model | expected | tolerance | result |", "|---|---|---|---|---|"]
        lines += [f"| {_cell(row.quantity)} | {_cell(row.model)} | {_cell(row.expected)} | {_cell(row.tolerance)} "
                  f"| {'PASS' if row.passed else 'FAIL'} |" for row in r.rows]
        if r.figure:
            lines += ["", f"![{r.title}](figures/{r.figure})"]
    return "\n".join(lines) + "\n"
