"""What ``domwork discover`` writes: ``boxes.csv``, ``trajectory.csv``, ``report.md`` and its figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba

from model.experiments.condition import PAIRED
from model.experiments.discovery import Box, Discovery, Limit
from model.run import plots

BOX_COLUMNS = ("box", "parameter", "low", "high", "coverage", "density")
TRAJECTORY_COLUMNS = ("box", "step", "coverage", "density", "mass", "runs", "restricted", "parameters", "chosen")
SEPARATOR = "|"  # between the values a box keeps of a lever of names or true/false
LABEL_WIDTH = 24  # characters of a parameter's label on a line, beside the box's limits
SIGNIFICANCE = 0.05  # a limit with a quasi-p-value above this may be chance (Bryant and Lempert 2010)


def value_text(value: Any) -> str:
    """A lever's value as the experiment file writes it (``true``, ``c189_package``, ``0.5``)."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def boxes_table(found: Discovery) -> pd.DataFrame:
    """``boxes.csv``: one row a box and parameter it limits (one row with no parameter for a box that limits none).

    A number's ``low`` and ``high`` are the box's limits, the parameter's full range on a side
    the box does not limit; a lever of names or true/false has the values the box keeps in
    both, separated by ``|``.
    """
    rows = []
    for box in found.boxes:
        for limit in box.limits or [Limit("")]:
            if limit.kept is not None:
                low = high = SEPARATOR.join(value_text(v) for v in limit.kept)
            else:  # as text, like the float columns: a column that also holds names is not formatted by to_csv
                low, high = ("" if v is None else value_text(float(v)) for v in (limit.low, limit.high))
            rows.append({"box": box.number, "parameter": limit.parameter, "low": low, "high": high,
                         "coverage": box.coverage, "density": box.density})
    return pd.DataFrame(rows, columns=list(BOX_COLUMNS))


def trajectory_table(found: Discovery) -> pd.DataFrame:
    """``trajectory.csv``: every step of every box's peeling and pasting, the chosen one marked."""
    return found.trajectory[list(TRAJECTORY_COLUMNS)]


def write_tables(found: Discovery, folder: Path) -> None:
    """``boxes.csv`` and ``trajectory.csv`` in ``folder``."""
    options = {"index": False, "float_format": "%.6g", "lineterminator": "\n"}
    boxes_table(found).to_csv(folder / "boxes.csv", **options)
    trajectory_table(found).to_csv(folder / "trajectory.csv", **options)


def _number(value: float) -> str:
    return f"{value:,.4g}" if abs(value) >= 1000 else f"{value:.4g}"


def limit_words(limit: Limit) -> str:
    """``market.separation_rate above 0.0306``, ``scenario c189_package``."""
    if limit.kept is not None:
        return f"{limit.parameter} " + " or ".join(value_text(v) for v in limit.kept)
    if not limit.high_limited:
        return f"{limit.parameter} above {_number(limit.low)}"
    if not limit.low_limited:
        return f"{limit.parameter} below {_number(limit.high)}"
    return f"{limit.parameter} from {_number(limit.low)} to {_number(limit.high)}"


def chance_limits(box: Box) -> list[Limit]:
    """The box's limits that may be chance: a quasi-p-value above :data:`SIGNIFICANCE` on a side it limits."""
    return [limit for limit in box.limits
            if any(p is not None and p > SIGNIFICANCE for p in (limit.low_p, limit.high_p))]


def box_words(box: Box) -> str:
    """A box in a sentence."""
    if not box.limits:
        return ("every run (no limit: the condition is already this dense over the whole sweep; a higher "
                "--threshold asks for a denser box)")
    return "runs with " + ", ".join(f"`{limit_words(limit)}`" for limit in box.limits)


def summary(found: Discovery) -> str:
    """What the command prints: the cases, then each box in a line."""
    c = found.cases
    used = int(c.used.sum())
    lines = [f"{int(c.met.sum()):,} of {used:,} runs meet {c.condition.text}"]
    for box in found.boxes:
        short = "" if box.meets_threshold else f" (below the threshold {found.threshold:g})"
        lines.append(f"  box {box.number}: coverage {box.coverage:.2f}, density {box.density:.2f}{short}: "
                     + ("; ".join(limit_words(limit) for limit in box.limits) or "no limit"))
        chance = chance_limits(box)
        if chance:
            lines.append(f"    {len(chance)} of its {len(box.limits)} limits may be chance (quasi-p above "
                         f"{SIGNIFICANCE:g}): {', '.join(limit.parameter for limit in chance)}")
    return "\n".join(lines)


def report(found: Discovery) -> str:
    """``report.md``: the condition, how many runs meet it, each box in words."""
    sweep, c = found.sweep, found.cases
    used, met = int(c.used.sum()), int(c.met.sum())
    lines = [f"# Scenario discovery: {sweep.name}", "",
             f"Sweep: `{sweep.folder}` ({len(sweep.runs):,} runs of {sweep.runs['point'].nunique():,} points"
             f"{', ' + sweep.scale if sweep.scale else ''}; "
             f"levers: {', '.join(sweep.levers) or 'none'}; "
             f"{'uncertainties' if sweep.levers else 'varied'}: "
             f"{', '.join(k for k in sweep.keys if k not in sweep.levers)}).", "",
             f"Condition: `{c.condition.text}`.", ""]
    for function, metric in sorted(c.condition.paired):
        setting = ", ".join(f"{k} = {value_text(v)}" for k, v in sweep.reference_setting.items())
        lines.append(f"- `{function}({metric})`: {PAIRED[function]}, the reference run being the run at the same "
                     f"uncertainty point and replicate (the same seed) with {setting}.")
    if c.condition.paired:
        lines.append("")
    lines.append(f"**{met:,} of {used:,} runs meet it ({met / used:.1%}).**")
    if c.reference_runs:
        lines.append(f"The {c.reference_runs:,} runs at the reference setting are left out: their paired effect is "
                     "0 by definition, so they say nothing of where the policy works.")
    if c.missing_runs:
        lines.append(f"{c.missing_runs:,} runs are left out because a value the condition needs is empty there (a "
                     "metric with nothing to measure, or a division by 0).")
    lines += ["", f"PRIM ({found.prim_version}) peeled 5% of a box's runs a step, then pasted back what raised the "
              "density. Coverage: the share of all runs meeting the condition that are in the box; density: the "
              f"share of the box's runs that meet it. Chosen on each box's trajectory: of the steps of density at "
              f"least {found.threshold:g} (`--threshold`), the one with the highest coverage x density, neither the "
              "loosest box nor the smallest; without one, the densest step. A later box is sought among the runs "
              "outside the earlier ones.", ""]
    for box in found.boxes:
        lines += _box_section(found, box)
    if found.next_density is not None:
        lines += [f"A further box reached a density of {found.next_density:.2f} at most, below the threshold: "
                  "not kept.", ""]
    lines += ["![The coverage and density of each step, and the chosen box's limits](figures/discover.png)", "",
              "Files: `boxes.csv` (one row a box and parameter: `low` and `high`, the parameter's full range on a "
              "side the box does not limit; a lever of names or true/false lists the values kept, separated by "
              "`|`), `trajectory.csv` (every step of each box, the chosen one marked).", ""]
    return "\n".join(lines)


def _box_section(found: Discovery, box: Box) -> list[str]:
    short = "" if box.meets_threshold else f" (no step reaches the threshold {found.threshold:g}: the densest)"
    lines = [f"## Box {box.number}: coverage {box.coverage:.2f}, density {box.density:.2f}{short}", "",
             f"In {box_words(box)}, {box.density:.0%} of the {box.runs:,} runs meet the condition; they are "
             f"{box.coverage:.0%} of all the runs that meet it (step {box.step} of the trajectory, "
             f"{box.mass:.0%} of the runs).", ""]
    if box.limits:
        lines += ["| parameter | box | full range | quasi-p |", "|---|---|---|---|"]
        for limit in box.limits:
            if limit.kept is not None:
                full = ", ".join(value_text(v) for v in found.sweep.values.get(limit.parameter, []))
                inside = ", ".join(value_text(v) for v in limit.kept)
            else:
                low, high = found.sweep.ranges.get(limit.parameter, (limit.low, limit.high))
                full, inside = f"{_number(low)} to {_number(high)}", f"{_number(limit.low)} to {_number(limit.high)}"
            quasi = " / ".join(f"{p:.2g}" for p in (limit.low_p, limit.high_p) if p is not None) or "-"
            lines.append(f"| `{limit.parameter}` | {inside} | {full} | {quasi} |")
        lines += ["", "Quasi-p: the chance of a limit this good on this parameter by luck alone (a one-sided "
                  f"binomial test, Bryant and Lempert 2010); above {SIGNIFICANCE:g} the limit may be chance.", ""]
        chance = chance_limits(box)
        if chance:
            lines += [f"**{len(chance)} of the {len(box.limits)} limits may be chance** "
                      f"({', '.join(f'`{limit.parameter}`' for limit in chance)}): a box worth trusting has few "
                      "limits, each with a small quasi-p. More runs (samples or replicates) or a lower `--threshold` "
                      "give a looser, surer box; `trajectory.csv` lists the steps to choose from.", ""]
    return lines


# --- the figure -----------------------------------------------------------------------------------


def figure(found: Discovery, path: Path) -> Path:
    """``discover.png``: each box's coverage against density, the chosen steps marked; the limits on each range."""
    limits = [(box, limit) for box in found.boxes for limit in box.limits]
    height = max(plots.ROW_HEIGHT, 0.55 * len(limits) + 2.0)
    note = ("Left: each dot a step of PRIM's peeling trajectory, from the whole sweep (bottom right) to smaller, "
            f"denser boxes; the star, the chosen box; the dashed line, the density threshold ({found.threshold:g}). "
            "Right: each parameter's full range in grey (its ends below it), the box in colour (its limits above "
            "it), pale where the limit may be chance (a quasi-p-value above "
            f"{SIGNIFICANCE:g}); for a lever of names or true/false, the filled dots are the values kept.")
    scale = f" \N{MIDDLE DOT} {found.sweep.scale}" if found.sweep.scale else ""
    title = f"Where {found.cases.condition.text} holds: {found.sweep.name}{scale}"
    with plots.figure(path, title, note=note, cols=2, row_height=height) as (tradeoff, ranges):
        _tradeoff(tradeoff, found)
        _ranges(ranges, limits, found)
    return path


def _tradeoff(ax, found: Discovery) -> None:
    steps = found.trajectory
    for box in found.boxes:
        own = steps[steps["box"] == box.number]
        colour = f"C{box.number - 1}"
        ax.plot(own["coverage"], own["density"], "-o", color=colour, markersize=3.5, linewidth=1,
                label=f"box {box.number}")
        ax.plot([box.coverage], [box.density], "*", color=colour, markersize=15, markeredgecolor="black",
                markeredgewidth=0.6)
        left = box.coverage < 0.5  # the label on the side with room
        ax.annotate(f"box {box.number}: {box.coverage:.0%} covered, {box.density:.0%} dense",
                    (box.coverage, box.density), textcoords="offset points", xytext=(12 if left else -12, -4),
                    ha="left" if left else "right", va="top", fontsize=8)
    ax.axhline(found.threshold, color="0.4", linestyle="--", linewidth=0.8)
    ax.set_xlim(0, 1.03)
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("coverage (share of the runs meeting the condition, in the box)")
    ax.set_ylabel("density (share of the box's runs meeting it)")
    plots.value_axis(ax.xaxis, plots.PERCENT)
    plots.value_axis(ax.yaxis, plots.PERCENT)
    ax.set_title("Coverage against density, step by step")
    if len(found.boxes) > 1:
        ax.legend(loc="lower left")


def _ranges(ax, limits: list[tuple[Box, Limit]], found: Discovery) -> None:
    ax.set_title("The box on each parameter's range")
    if not limits:
        ax.text(0.5, 0.5, "no limit: the condition is this dense\nover the whole sweep", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return
    labels = []
    chance = {id(limit) for box in found.boxes for limit in chance_limits(box)}
    for row, (box, limit) in enumerate(reversed(limits)):
        colour = to_rgba(f"C{box.number - 1}", alpha=0.4 if id(limit) in chance else 1.0)
        y = row
        ax.plot([0, 1], [y, y], color="0.85", linewidth=8, solid_capstyle="butt")
        if limit.kept is not None:
            values = found.sweep.values.get(limit.parameter, limit.kept)
            for k, value in enumerate(values):
                x = (k + 0.5) / len(values)
                inside = value in limit.kept
                ax.plot([x], [y], "o", markersize=9, color=colour if inside else "white", markeredgecolor=colour)
                ax.annotate(value_text(value), (x, y), textcoords="offset points", xytext=(0, 8), ha="center",
                            fontsize=8)
        else:
            low, high = found.sweep.ranges.get(limit.parameter, (limit.low, limit.high))
            span = (high - low) or 1.0
            start, end = (limit.low - low) / span, (limit.high - low) / span
            ax.plot([start, end], [y, y], color=colour, linewidth=8, solid_capstyle="butt")
            for x, value, align in ((0, low, "left"), (1, high, "right")):
                ax.annotate(_number(value), (x, y), textcoords="offset points", xytext=(0, -8), ha=align, va="top",
                            fontsize=8, color="0.45")
            for x, value, limited in ((start, limit.low, limit.low_limited), (end, limit.high, limit.high_limited)):
                if limited:
                    ax.annotate(_number(value), (x, y), textcoords="offset points", xytext=(0, 7), ha="center",
                                fontsize=8, color=colour, fontweight="bold")
        prefix = f"box {box.number}: " if len(found.boxes) > 1 else ""
        labels.append(_wrapped(prefix + limit.parameter))
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xticks([0, 1], ["lowest", "highest"])
    ax.grid(False)


def _wrapped(key: str, width: int = LABEL_WIDTH) -> str:
    """A dotted key on lines of at most ``width`` characters, broken after its dots."""
    lines = [""]
    for part in key.replace(".", ".\n").splitlines():
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
    return "\n".join(lines)
