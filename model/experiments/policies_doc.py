"""Regenerate the measured parts of ``docs/policies.md`` from a real comparison (``make policies``).

The page's prose (each lever, its mechanism, the evidence) is written by hand. The
numbers, tables and figures between ``<!-- measured:NAME -->`` and ``<!-- /measured -->``
markers are rewritten from the output folder of one ``domwork compare`` run of the
baseline against every policy scenario, so they always come from the command the page
shows.

    python -m model.experiments.policies_doc            # run the comparison, then update the page
    python -m model.experiments.policies_doc --no-run   # update the page from an earlier run
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model.experiments import measures
from model.experiments.compare import Difference
from model.experiments.report import diff_text

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = Path("scenarios")
# Not a policy option: the whole city at 1:1, the same market as the baseline at a scale that takes minutes.
EXCLUDED = ("baseline.yaml", "guangzhou_full.yaml")
OUT = Path("results/policies")
DOC = Path("docs/policies.md")
FIGURES = Path("docs/figures/policies")
SECTIONS = ("Differences from baseline", "Parameter uncertainty", "Standards scorecard", "Who gains, who pays",
            "Replicates and precision")
# The shipped baseline's posterior (domwork calibrate calibration/baseline.yaml --method posterior): every effect on
# the page carries the uncertainty of the fitted parameters as well as the seeds'.
POSTERIOR = Path("calibration/baseline-posterior.csv")
_MARKER = re.compile(r"(<!-- measured:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /measured -->)", re.S)


@dataclass(frozen=True)
class Check:
    """One effect put beside the evidence, and the band the evidence supports (None: an open side).

    ``kind``: ``"relative"`` (the paired change over the baseline's level), ``"points"`` (the
    paired change of a share, in points, given as a share), or ``"level"`` (the scenario's
    own level, e.g. the share of placements overcharged under a cap).
    """

    metric: str
    label: str
    kind: str
    band: tuple[float | None, float | None]


@dataclass(frozen=True)
class Evidence:
    """A lever beside what a real policy of its kind did (docs/evidence.md, docs/facts.md)."""

    scenario: str
    lever: str
    observed: str
    source: str
    checks: tuple[Check, ...]


# Lever by lever, what real policies did. Bands are those of docs/evidence.md where it gives one; the
# scenarios are the shipped ones, not always the natural experiments' settings (domwork validate runs
# those), so a result outside a band says where a shipped option differs from what was observed.
EVIDENCE = (
    Evidence("minimum_wage_hourly", "Hourly minimum wage, half made to comply",
             "wages about +20% (hourly +23%), no significant loss of jobs, fewer hours, total earnings up, "
             "with far from full compliance", "South Africa 2002: Dinkelman & Ranchhod 2012 (A); Hertz 2005 (B); T1-T2",
             (Check("mean_hourly_wage", "hourly pay", "relative", (0.10, 0.25)),
              Check("employed", "employment", "relative", (-0.10, 0.02)),
              Check("mean_hours_week", "hours a week", "relative", (-0.10, 0.0)),
              Check("worker_earnings", "workers' earnings", "relative", (0.0, None)),
              Check("minimum_wage_compliance", "jobs paid the floor", "level", (None, 0.95)))),
    Evidence("contract_mandate", "Contract mandate, a job inspected with a 30% chance a year",
             "no comparable mandate for domestic work in China; where a mandate raised costs, monthly work moved "
             "to day work bought by the hour", "docs/evidence.md, patterns",
             (Check("contract_share", "contract share", "points", (0.0, None)),
              Check("hourly_share", "hourly share", "points", (0.0, None)),
              Check("employed", "employment", "relative", (None, None)))),
    Evidence("information_campaign", "Contract law without inspections, letters to a fifth of households a month "
             "for a year", "letters to likely employers raised registration by 0.22 points a wave, without "
             "inspections", "Argentina 2017: Ohaco 2023 (A); T8 (`domwork validate`, argentina: one wave)",
             (Check("contract_share", "contract share", "points", (0.0005, None)),
              Check("law_awareness", "households who know of the law", "points", (0.0, None)))),
    Evidence("fee_cap", "Fee cap at 10% of the first wage, enforced as Hong Kong's",
             "about 70% of agencies overcharged; workers' fees fell by less than 40%; fees moved to employers and "
             "to high-interest loans", "Hong Kong 2017-2018: NGO audits, helpers' survey (C); T5",
             (Check("overcharging_share", "placements over the cap", "level", (0.5, 0.9)),
              Check("worker_fees_paid", "fees paid by workers", "relative", (-0.40, 0.0)),
              Check("household_fees_paid", "fees paid by households", "relative", (0.0, None)),
              Check("worker_debt_to_agencies", "workers' debt to agencies", "relative", (0.0, None)))),
    Evidence("fee_ban", "Fee ban, each agency inspected yearly and half of inspections proving it",
             "no real ban has been fully obeyed: bans are evaded through deductions, 'training' fees, loans and "
             "charges in the place of origin", "docs/evidence.md, patterns; T5",
             (Check("fee_compliance", "placements within the ban", "level", (None, 0.99)),
              Check("worker_fees_paid", "fees paid by workers", "relative", (None, None)))),
    Evidence("employee_based_support", "1,000 yuan a month an employee to employee-based firms, insurance "
             "subsidy", "employee-based firms remain a small minority despite subsidies (cost, legal fit, "
             "workers' preference for cash now); Beijing: 15 among about 111,000 related enterprises",
             "FACTS policy and business models; docs/evidence.md, patterns",
             (Check("employee_based_share", "employee-based share of jobs", "level", (0.0, 0.05)),
              Check("agencies_intermediary", "intermediary agencies", "relative", (-0.25, None)),
              Check("employed", "employment", "relative", (-0.02, None)))),
)


def _measured(check: Check, row: pd.Series, level: float) -> tuple[str, float]:
    """The effect in words with its interval, and the number the band applies to."""
    diff, low, high = (float(row[k]) for k in ("diff_vs_first", "diff_ci_low", "diff_ci_high"))
    if check.kind == "level":
        return f"{check.label} {float(row['mean']):.0%}", float(row["mean"])
    if check.kind == "relative":
        diff, low, high = (x / level if level else float("nan") for x in (diff, low, high))
        return f"{check.label} {diff:+.1%} [{low:+.1%}, {high:+.1%}]", diff
    return f"{check.label} {100 * diff:+.2f} points [{100 * low:+.2f}, {100 * high:+.2f}]", diff


def _evidence_table(table: pd.DataFrame) -> str:
    """Each lever's measured effects beside the evidence, and whether each is inside the band it supports."""
    lines = ["| lever (scenario) | measured: paired change [95% interval] | what real policies did | inside the "
             "evidence? | source |", "|---|---|---|---|---|"]
    base = table[table["scenario"] == table["scenario"].iloc[0]].set_index("metric")
    for e in EVIDENCE:
        rows = table[table["scenario"] == e.scenario].set_index("metric")
        if rows.empty:
            lines.append(f"| {e.lever} (`{e.scenario}`) | not in the last run | {e.observed} | | {e.source} |")
            continue
        measured, verdicts = [], []
        for check in e.checks:
            if check.metric not in rows.index:
                continue
            text, value = _measured(check, rows.loc[check.metric], float(base.loc[check.metric, "mean"]))
            measured.append(text)
            low, high = check.band
            if low is None and high is None:
                continue
            inside = (low is None or value >= low) and (high is None or value <= high)
            verdicts.append(("inside" if inside else "**outside**") + f": {check.label}")
        lines.append(f"| {e.lever} (`{e.scenario}`) | {'; '.join(measured)} | {e.observed} | "
                     f"{'; '.join(verdicts)} | {e.source} |")
    return "\n".join(lines) + "\n"


def policy_files() -> list[Path]:
    """Every scenario file but the baseline and the whole city, by name."""
    return sorted(p for p in (ROOT / SCENARIOS).glob("*.yaml") if p.name not in EXCLUDED)


def command(out: Path = OUT) -> list[str]:
    """The ``domwork compare`` command the page's numbers come from (paths relative to the project)."""
    files = [str(SCENARIOS / p.name) for p in policy_files()]
    # no_agencies has no agencies at all: its workers and households are paired, its agencies cannot be.
    return ["domwork", "compare", str(SCENARIOS / "baseline.yaml"), *files, "--allow-different", "agencies.count",
            "--posterior", str(POSTERIOR), "--out", str(out), "--force", "--quiet"]


def _section(report: str, title: str) -> str:
    """A ``## title...`` section of report.md without its heading."""
    match = re.search(rf"^## {re.escape(title)}.*?\n(.*?)(?=^## |\Z)", report, re.S | re.M)
    return match.group(1).strip() if match else ""


def _effects_in_words(table: pd.DataFrame, scenario: str) -> str:
    rows = table[table["scenario"] == scenario].set_index("metric")
    if rows.empty:
        return "_Not in the last run._"
    available = set(rows.index)
    clear, unclear = [], []
    for measure in (*measures.HEADLINE, *measures.SCORECARD):
        resolved = measure.resolve(available)
        if resolved is None or any(resolved[0] == c for c, _ in clear + unclear):
            continue
        column, label = resolved
        r = rows.loc[column]
        low = None if pd.isna(r["diff_ci_low"]) else float(r["diff_ci_low"])
        high = None if pd.isna(r["diff_ci_high"]) else float(r["diff_ci_high"])
        d = Difference(int(r["replicates"]), float(r["diff_vs_first"]), low, high, None, None)
        if low is not None and (low > 0 or high < 0):
            clear.append((column, f"{label} {diff_text(column, d)}"))
        else:
            unclear.append((column, label))
    n = int(rows["replicates"].iloc[0])
    text = f"Measured ({n} paired replicates, against the baseline): "
    text += "; ".join(t for _, t in clear) if clear else "no headline metric moves clearly"
    if unclear:
        text += ". No clear change (the 95% interval includes 0) in " + ", ".join(lab for _, lab in unclear)
    return text + "."


def _tables(out: Path, manifest: dict) -> str:
    report = (out / "report.md").read_text(encoding="utf-8")
    parts = []
    for title in SECTIONS:
        body = _section(report, title)
        body = body.replace("](figures/", f"]({FIGURES.relative_to('docs')}/")
        parts.append(f"### {title}\n\n{body}\n")
    parts.append(f"### Effects chart\n\n![effects]({FIGURES.relative_to('docs')}/effects.png)\n")
    parts.append("### The scenarios over time\n\n" + "\n".join(
        f"![{name}]({FIGURES.relative_to('docs')}/{name})" for name in
        ("compare_formalization.png", "compare_wages.png", "compare_unemployment.png", "compare_agency_use.png")))
    wall = manifest.get("wall_seconds", 0.0)
    parts.append(f"Wall time of the run: {wall / 60:,.1f} minutes on {manifest.get('cpu_count')} cores "
                 f"(git commit `{manifest.get('git_commit')}`).")
    return "\n".join(parts) + "\n"


def update(doc: Path, out: Path) -> None:
    """Rewrite the measured parts of ``doc`` from the comparison folder ``out``; copy its figures."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    table = pd.read_csv(out / "comparison.csv")
    figures = ROOT / FIGURES
    figures.mkdir(parents=True, exist_ok=True)
    for png in sorted((out / "figures").glob("*.png")):
        shutil.copyfile(png, figures / png.name)
    blocks = {"command": "```sh\n" + " ".join(command(out)) + "\n```\n", "tables": _tables(out, manifest),
              "evidence": _evidence_table(table)}

    def replace(match: re.Match) -> str:
        name = match.group("name")
        body = blocks.get(name)
        if body is None:
            body = _effects_in_words(table, name) + "\n"
        return match.group(1) + body + match.group(4)

    text = (ROOT / doc).read_text(encoding="utf-8")
    (ROOT / doc).write_text(_MARKER.sub(replace, text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the comparison (unless ``--no-run``), then update the page."""
    parser = argparse.ArgumentParser(prog="python -m model.experiments.policies_doc", description=__doc__)
    parser.add_argument("--no-run", action="store_true", help="use the comparison already in --out")
    parser.add_argument("--out", type=Path, default=OUT, help=f"comparison folder (default {OUT})")
    args = parser.parse_args(argv)
    if not args.no_run:
        from model.cli import main as domwork

        status = domwork(command(args.out)[1:])
        if status != 0:
            return status
    update(DOC, args.out)
    print(f"{DOC} updated from {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
