"""What a comparison writes: ``report.md`` in words and tables, the CSV files, and the terminal table."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from model.experiments import assumptions, compare_figures, desk, measures, posterior_draws, report_html
from model.experiments.compare import (
    DEFAULT_PRECISION,
    MIN_INTERVAL,
    Comparison,
    Difference,
    comparison_table,
    level,
    pairing_table,
    replicates_table,
    stacked,
    summary_metrics,
    under_each,
)
from model.run import output, plots
from model.scenario.loading import to_yaml

CSV = {"index": False, "float_format": "%.10g", "lineterminator": "\n"}
SHOWN_SEEDS = 10
_STATUS = {
    "reference": "reference: paired with every replicate of the others",
    "fixed": "fixed number of replicates",
    "met": "every precision target met",
    "max": "stopped at --max-replicates before every target was met",
    "running": "stopped at --max-replicates before every target was met",
}


def _scenarios(result: Comparison) -> list[dict]:
    return [{"name": e.label, "file": e.source, "replicates": result.replicates(e.label),
             "status": result.status.get(e.label, "")} for e in result.entrants]


def write_outputs(results: Comparison | Sequence[Comparison], out: Path, force: bool, argv: list[str] | None,
                  started: float, sets: Sequence[assumptions.AssumptionSet] = (), **extra: object) -> None:
    """Write the comparison's folder: all or nothing (see :func:`model.run.output.staged_dir`).

    Args:
        results: the comparison, or the same comparison under each assumption set (``sets``, in order): the
            tables hold every set's rows; the report, its figures and the card are the first set's, with a
            section on which effects are robust across the sets.
        out: the result folder.
        force: replace an earlier domwork folder there.
        argv: the command, for the manifest.
        started: ``time.perf_counter()`` when the command started.
        sets: the assumption sets, one a comparison (none without ``--assumptions``).
        **extra: more entries of ``manifest.json``.
    """
    results = under_each(results)
    result = results[0]
    with output.staged_dir(out, force) as tmp:
        stacked(comparison_table, results).to_csv(tmp / "comparison.csv", **CSV)
        stacked(pairing_table, results).to_csv(tmp / "pairing.csv", **CSV)
        stacked(replicates_table, results).to_csv(tmp / "replicates.csv", **CSV)
        if result.posterior is not None:  # which parameter set each replicate ran
            n = max(r.replicates(r.first.label) for r in results)
            posterior_draws.draws_table(result.posterior, n).to_csv(tmp / "posterior_draws.csv", **CSV)
            extra["posterior"] = dict(posterior_draws.describe(result.posterior, n))
        for r in results:  # scenarios/<label>.yaml; under sets scenarios/<set>/<label>.yaml
            folder = tmp / "scenarios" / r.assumptions
            folder.mkdir(parents=True, exist_ok=True)
            for entrant in r.entrants:
                (folder / f"{entrant.label}.yaml").write_text(to_yaml(entrant.scenario), encoding="utf-8")
        stacked(desk.group_effects, results).to_csv(tmp / "group_effects.csv", **CSV)
        figures = compare_figures.write_figures(result, tmp / "figures")
        report_md = report_markdown(results, [p.name for p in figures], sets)
        (tmp / "report.md").write_text(report_md, encoding="utf-8")
        if sets:
            extra["assumptions"] = [{"name": s.name, "file": s.source, "set": dict(s.overrides),
                                     "scenarios": _scenarios(r), "blocks": r.blocks}
                                    for s, r in zip(sets, results, strict=True)]
        manifest = output.manifest(
            argv, max((r.seeds() for r in results), key=len), time.perf_counter() - started,
            scenarios=_scenarios(result), months=result.first.scenario.months,
            precision=[t.describe() for t in result.targets], max_replicates=result.max_replicates,
            blocks=result.blocks, **extra)
        report_html.write_workbook(results, tmp / "comparison.xlsx")
        (tmp / "report.html").write_text(report_html.report_html(results, report_md, tmp, manifest),
                                         encoding="utf-8")
        output.write_json(tmp / "manifest.json", manifest)


# --- numbers in words ------------------------------------------------------------


def _digits(column: str, spread: float | None) -> int:
    kind = measures.unit(column)
    scale = 100.0 if kind == measures.SHARE else 1.0
    if spread is None or spread == 0:
        return 1 if kind == measures.SHARE else 0
    spread *= scale
    return 2 if spread < 0.1 else 1 if spread < 10 or kind == measures.SHARE else 0


def _num(value: float, digits: int, sign: bool = False) -> str:
    if sign and value == 0:
        return "0"
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"


def level_text(column: str, mean: float, low: float | None, high: float | None) -> str:
    """``9.8% [9.1, 10.5]``, ``4,912 yuan [4,880, 4,950]``, ``3,512 [3,480, 3,540]``."""
    kind = measures.unit(column)
    scale = 100.0 if kind == measures.SHARE else 1.0
    digits = _digits(column, None if low is None else high - low)
    unit = "%" if kind == measures.SHARE else " yuan" if kind == measures.YUAN else ""
    text = f"{_num(mean * scale, digits)}{unit}"
    if low is not None:
        text += f" [{_num(low * scale, digits)}, {_num(high * scale, digits)}]"
    return text


def diff_text(column: str, d: Difference, unit: bool = True) -> str:
    """``+52.0 points [49.1, 54.9]``, ``+120 yuan [100, 140]``; ``0 (identical)`` for no change at all."""
    kind = measures.unit(column)
    scale = 100.0 if kind == measures.SHARE else 1.0
    if d.identical:
        return "0 (identical)"
    digits = _digits(column, d.halfwidth)
    words = (" points" if kind == measures.SHARE else " yuan" if kind == measures.YUAN else "") if unit else ""
    text = f"{_num(d.mean * scale, digits, sign=True)}{words}"
    if d.low is None:
        return text + f" (no interval: {d.replicates} replicates)"
    return text + f" [{_num(d.low * scale, digits, sign=True)}, {_num(d.high * scale, digits, sign=True)}]"


def _clear(d: Difference) -> bool:
    return d.low is not None and (d.low > 0 or d.high < 0)


def headline_sentence(result: Comparison, column: str, label: str) -> str:
    """One sentence: the reference's level, then each scenario's effect, clear changes first, largest first."""
    first = result.first.label
    reference = level_text(column, *level(result, first, column))
    diffs = [(e.label, result.difference(e.label, column)) for e in result.others]
    clear = sorted((x for x in diffs if _clear(x[1])), key=lambda x: -abs(x[1].mean))
    identical = [name for name, d in diffs if d.identical]
    unclear = [(name, d) for name, d in diffs if not _clear(d) and name not in identical]
    parts = []
    if clear:
        parts.append(", ".join(f"{name} {diff_text(column, d)}" for name, d in clear))
    if unclear:
        parts.append("no clear change (the interval includes 0) under "
                     + ", ".join(f"{name} ({diff_text(column, d)})" for name, d in unclear))
    if identical:
        parts.append("identical in every replicate under " + ", ".join(identical))
    return f"**{label.capitalize()}** ({first}: {reference}): " + "; ".join(parts) + f", against {first}."


# --- report.md -------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _resolved(result: Comparison, entries: tuple[measures.Measure, ...]) -> list[tuple[measures.Measure, str, str]]:
    return measures.resolve_all(entries, result.per_replicate[result.first.label].columns)


def _policies(entrant) -> str:
    starts = plots.policy_starts(entrant.scenario)
    if not starts:
        return "none"
    return ", ".join(f"{name} (from month {month})" if month > 1 else name for month, name in starts)


def report_markdown(results: Comparison | Sequence[Comparison], figures: list[str],
                    sets: Sequence[assumptions.AssumptionSet] = ()) -> str:
    """The whole ``report.md``: of the first set's comparison, and with sets, whether each effect is robust."""
    results = under_each(results)
    result = results[0]
    first = result.first
    s = first.scenario
    names = ", ".join(e.label for e in result.entrants)
    out = [f"# Comparison: {names}", ""]
    out.append(
        f"Every scenario ran {s.months} months from seed {s.seed} with {s.workers.count:,} workers, "
        f"{s.households.count:,} households and {s.agencies.count:,} agencies at the start. Replicate k of every "
        "scenario used the same seed (common random numbers), so each difference from "
        f"**{first.label}** is the mean of paired differences, replicate by replicate. Values are means over "
        f"the last 12 months; intervals are 95% t-intervals across replicates (none with fewer than "
        f"{MIN_INTERVAL}). Shares are in percent, their differences in percentage points; money in yuan a month.")
    if result.posterior is not None:
        out += ["", *_posterior_paragraph(result)]
    if sets:
        out += ["", f"The whole comparison ran under {len(sets)} assumption sets ({', '.join(x.name for x in sets)}): "
                f"the sections below are under **{result.assumptions}**, the first; "
                "[Robustness across assumption sets](#robustness-across-assumption-sets) gives every headline "
                "effect under each set and whether its sign holds under all of them."]
    out += ["", "## Scenarios", ""]
    rows = [[e.label, f"`{e.source}`", e.scenario.description.strip() or "-", _policies(e),
             str(result.replicates(e.label)), _STATUS.get(result.status.get(e.label, ""), "-")]
            for e in result.entrants]
    out.append(_table(["scenario", "file", "description", "policies in force", "replicates", "replicates because"],
                      rows))
    seeds = result.seeds()
    shown = ", ".join(f"{k}: {seed}" for k, seed in enumerate(seeds[:SHOWN_SEEDS]))
    more = f", ... (all {len(seeds)} in `manifest.json` and `replicates.csv`)" if len(seeds) > SHOWN_SEEDS else ""
    out += ["", f"Seeds of the replicates (shared by every scenario): {shown}{more}.", ""]

    headline = _resolved(result, measures.HEADLINE)
    out += ["## What each option does, in words", ""]
    out += [f"- {headline_sentence(result, column, label)}" for _, column, label in headline]
    out += ["", f"## Differences from {first.label}", ""]
    out.append(_table(["scenario", "replicates", *(label for _, _, label in headline)],
                      [[e.label, str(result.replicates(e.label)),
                        *(diff_text(c, result.difference(e.label, c)) for _, c, _ in headline)]
                       for e in result.others]))
    out += ["", "## Levels", ""]
    out.append(_table(["scenario", *(label for _, _, label in headline)],
                      [[e.label, *(level_text(c, *level(result, e.label, c)) for _, c, _ in headline)]
                       for e in result.entrants]))
    out += ["", "All metrics of `summary.json` for every scenario, with differences: `comparison.csv`.", ""]
    if sets:
        out += _robustness_section(results, sets, headline)
    out += _scorecard_section(result)
    out += _who_gains_section(result)
    if result.posterior is not None:
        out += _parameter_share_section(result, headline)
    out += _precision_section(result, headline)
    out += ["## Figures", ""]
    out += [f"![{name}](figures/{name})" for name in figures]
    out += ["", "## Files", "",
            "- `comparison.csv`: per scenario and metric, mean and interval, difference from the first and its "
            "interval, replicates.",
            "- `pairing.csv`: per scenario and metric, the variance of the paired difference and of the "
            "difference of independent runs, from the same replicates.",
            "- `replicates.csv`: per scenario and replicate, its seed and every metric (last-12-month means).",
            "- `scenarios/*.yaml`: each scenario fully resolved (under sets, `scenarios/<set>/*.yaml`); "
            "`manifest.json`: command, seeds, versions, rounds of replicates, wall time.",
            *(["- every table has the column `assumptions`, the set each row is under."] if sets else []),
            *(["- `posterior_draws.csv`: the posterior row and parameter values each replicate ran with."]
              if result.posterior is not None else []), ""]
    return "\n".join(out)


def _posterior_paragraph(result: Comparison) -> list[str]:
    draws = result.posterior
    n = result.replicates(result.first.label)
    about = posterior_draws.describe(draws, n)
    return [f"**Parameter uncertainty.** Replicate k of every scenario also ran with a parameter set drawn by weight "
            f"from `{about['file']}` ({about['sets']} sets of {', '.join(f'`{p}`' for p in draws.parameters)}; "
            f"{about['drawn']} distinct sets drawn, each on two seeds). Each difference's interval is therefore the "
            "mean ± 1.96 sqrt(parameter variance + the variance of the mean): it holds the effect's spread over the "
            "posterior as well as the seeds' noise, and more replicates do not narrow it to nothing. Within a pair "
            "of replicates only the seed differs, which splits each difference's variance into its parameter and "
            "stochastic parts ([Parameter uncertainty](#parameter-uncertainty))."]


def _parameter_share_section(result: Comparison, headline) -> list[str]:
    out = ["## Parameter uncertainty", "",
           "Share of each paired difference's variance due to the parameters (the rest is the seeds'); "
           "`diff_var_parameter_share` in `comparison.csv` and `group_effects.csv`. A large share means the "
           "effect depends on what we do not know about the city more than on chance.", ""]
    out.append(_table(["scenario", *(label for _, _, label in headline)],
                      [[e.label, *(_share_text(result.difference(e.label, c)) for _, c, _ in headline)]
                       for e in result.others]))
    return [*out, ""]


def _share_text(d: Difference) -> str:
    return "-" if d.parameter_share is None else f"{d.parameter_share:.0%}"


def _robustness_section(results: list[Comparison], sets: Sequence[assumptions.AssumptionSet],
                        headline) -> list[str]:
    first = results[0]
    out = ["## Robustness across assumption sets", "",
           "Each set's keys were given to every scenario after its file and before the command line, and replicate "
           "k ran with the same seed under every set.", ""]
    out.append(_table(["set", "what it assumes", "keys set", "replicates of each scenario"],
                      [[x.name, x.description or "-",
                        ", ".join(f"`{k}: {v}`" for k, v in x.overrides.items()) or "none",
                        ", ".join(str(r.replicates(e.label)) for e in r.entrants)]
                       for x, r in zip(sets, results, strict=True)]))
    out += ["", assumptions.RULE, ""]
    columns = [c for _, c, _ in headline]
    labels = {c: label for _, c, label in headline}
    found = {(v.scenario, v.metric): v for v in assumptions.verdicts(results, columns)}
    for e in first.others:
        verdicts = [found[(e.label, c)] for c in columns]
        out += [f"### {e.label} against {first.first.label}", ""]
        groups = [("Robust", [v for v in verdicts if v.kind == "robust"], lambda v: f" ({v.first})"),
                  ("Depends on an assumption", [v for v in verdicts if v.kind == "depends"],
                   lambda v: f" ({', '.join(v.depends_on)})"),
                  ("Unclear under every set", [v for v in verdicts if v.kind == "unclear"], lambda v: "")]
        out += [f"- {name}: " + ", ".join(f"{labels[v.metric]}{how(v)}" for v in chosen) + "."
                for name, chosen, how in groups if chosen]
        out += ["", _table(["effect", *(f"under {r.assumptions}" for r in results), "sign"],
                           [[labels[v.metric], *(diff_text(v.metric, r.difference(e.label, v.metric)) for r in results),
                             v.words()] for v in verdicts]), ""]
    return out


def _fallback_notes(resolved: list[tuple[measures.Measure, str, str]], entries) -> list[str]:
    notes = [f"`{m.column}` is not measured by this model version; shown instead: `{column}`."
             for m, column, _ in resolved if column != m.column]
    shown = {m.column for m, _, _ in resolved}
    notes += [f"`{m.column}` is not measured by this model version." for m in entries if m.column not in shown]
    return notes


def _scorecard_section(result: Comparison) -> list[str]:
    resolved = _resolved(result, measures.SCORECARD)
    out = ["## Standards scorecard", "",
           "Shares of employed workers whose job meets each standard (ILO C189 Art. 7 written terms, Art. 11 the "
           "statutory minimum for her hours, Art. 14 social security; C181 Art. 7 no fee to an agency for her "
           "job), and all four at once.", ""]
    out.append(_table(["scenario", *(label for _, _, label in resolved)],
                      [[e.label, *(level_text(c, *level(result, e.label, c)) for _, c, _ in resolved)]
                       for e in result.entrants]))
    notes = _fallback_notes(resolved, measures.SCORECARD)
    out += ["", *(f"- {n}" for n in notes), "", "![scorecard](figures/scorecard.png)", ""]
    return out


def _who_gains_section(result: Comparison) -> list[str]:
    available = set(result.per_replicate[result.first.label].columns)
    entries = [(party, m, *r) for party, m in measures.WHO_GAINS if (r := m.resolve(available)) is not None]
    out = [f"## Who gains, who pays (differences from {result.first.label})", "",
           "More income for a party is a gain; more spending or cost is a payment. The state's net cost is what it "
           "pays in subsidies less the fines and contributions it collects.", ""]
    rows = []
    for e in result.others:
        rows.append([e.label, *(diff_text(c, result.difference(e.label, c)) for _, _, c, _ in entries)])
    out.append(_table(["scenario", *(f"{party}: {label}" for party, _, _, label in entries)], rows))
    out += ["", f"Levels in {result.first.label}: "
            + "; ".join(f"{label} {level_text(c, *level(result, result.first.label, c))}"
                        for _, _, c, label in entries) + "."]
    notes = _fallback_notes([(m, c, lab) for _, m, c, lab in entries], [m for _, m in measures.WHO_GAINS])
    out += ["", *(f"- {n}" for n in notes), "", "![who gains](figures/who_gains.png)", ""]
    return out


def _saved(d: Difference) -> str:
    saved = d.variance_saved
    if saved is None:
        return "-"
    factor = d.var_independent / d.var_paired if d.var_paired else float("inf")
    times = "paired identical" if factor == float("inf") else f"x{factor:,.1f}"
    return f"{100 * saved:.0f}% ({times})"


def _precision_section(result: Comparison, headline) -> list[str]:
    out = ["## Replicates and precision", ""]
    if result.targets:
        out.append("Precision targets (95% half-width of the difference from the first scenario, or `sign`: until "
                   "the interval excludes 0): " + ", ".join(f"`{t.describe()}`" for t in result.targets)
                   + f"; at most {result.max_replicates} replicates.")
        out += ["", _table(["scenario", "replicates", "status",
                            *(f"{t.metric} half-width" for t in result.targets)],
                           [[e.label, str(result.replicates(e.label)), result.status.get(e.label, "-"),
                             *(_half(result.difference(e.label, t.metric), t.metric) for t in result.targets)]
                            for e in result.others]), ""]
    else:
        out += [f"A fixed number of replicates (no precision targets; without `--replicates` the defaults are "
                f"{', '.join(f'{k}={v:g}' for k, v in DEFAULT_PRECISION.items())}).", ""]
    out.append("Variance saved by pairing: one minus the variance of the paired difference over the variance of the "
               "difference of independent runs (the sum of the two scenarios' variances across the same "
               "replicates); in brackets, how many times more replicates independent runs would need for the same "
               "interval.")
    out += ["", _table(["scenario", *(label for _, _, label in headline), "median over all metrics"],
                       [[e.label, *(_saved(result.difference(e.label, c)) for _, c, _ in headline),
                         _median_saved(result, e.label)] for e in result.others]), ""]
    return out


def _half(d: Difference, column: str) -> str:
    if d.halfwidth is None:
        return "-"
    if d.identical:
        return "0 (identical)"
    kind = measures.unit(column)
    scale = 100.0 if kind == measures.SHARE else 1.0
    unit = " points" if kind == measures.SHARE else " yuan" if kind == measures.YUAN else ""
    return f"{d.halfwidth * scale:,.{_digits(column, d.halfwidth * 2)}f}{unit}"


def _median_saved(result: Comparison, label: str) -> str:
    saved = [d.variance_saved for m in summary_metrics()
             if (d := result.difference(label, m)).variance_saved is not None]
    return f"{100 * float(pd.Series(saved).median()):.0f}% of {len(saved)}" if saved else "-"


# --- terminal --------------------------------------------------------------------


def terminal_table(results: Comparison | Sequence[Comparison]) -> str:
    """A short table for the terminal: the reference's levels, then every scenario's differences.

    Under assumption sets, that for each set (an ``assumptions`` column says which), then a ``sign`` row for
    each option: whether each effect's sign is robust across the sets, or which sets it depends on.
    """
    results = under_each(results)
    result = results[0]
    available = set(result.per_replicate[result.first.label].columns)
    columns = [c for c in measures.TERMINAL if c in available]
    first = result.first
    sets = bool(result.assumptions)

    def row(label: str, under: str, reps: str, cells) -> list[str]:
        return [label, *([under] if sets else []), reps, *cells]

    rows = [row("scenario", "assumptions", "reps", columns)]
    for r in results:
        rows.append(row(first.label, r.assumptions, str(r.replicates(first.label)),
                        [level_text(c, *level(r, first.label, c)) for c in columns]))
        rows += [row(e.label, r.assumptions, str(r.replicates(e.label)),
                     [diff_text(c, r.difference(e.label, c), unit=False) for c in columns]) for e in r.others]
    if sets:
        verdicts = assumptions.verdicts(results, columns)
        rows += [row(e.label, "sign", "", [v.short() for v in verdicts if v.scenario == e.label])
                 for e in result.others]
    reps = rows[0].index("reps")
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if k == reps else cell.ljust(w)
                       for k, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip() for row in rows]
    each = " of each set" if sets else ""
    lines.append(f"(first row{each}: levels in {first.label}; other rows: differences from it, shares in points; "
                 "95% intervals in brackets)")
    if sets:
        lines.append("(sign: 'robust +' or 'robust -' when the 95% interval lies on that side of 0 under every set; "
                     "else the sets under which the sign differs from the first set's)")
    return "\n".join(lines)
