"""Figures of a comparison: effects with intervals, the standards scorecard, who gains and who pays.

The overlaid time series come from :func:`model.run.plots.write_comparison_figures`;
the charts here use the same figure frame, colours and axes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator, PercentFormatter, StrMethodFormatter

from model.experiments import measures
from model.experiments.compare import Comparison, level
from model.run import plots

TITLE_WIDTH = 36  # characters of a panel title's line, three panels across (44 ran into the next panel's)
_EFFECT_NOTE = ("Dots: mean paired difference from {first} across replicates (common random numbers); bars: 95% "
                "t-interval; filled: the interval excludes 0; no bar: fewer than 3 replicates.")
_LEVEL_NOTE = "Dots: mean over the last 12 months across replicates; bars: 95% t-interval (none below 3 replicates)."


def write_figures(result: Comparison, out_dir: Path) -> list[Path]:
    """Write every figure of a comparison into ``out_dir``; return their paths in the report's order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = plots.write_comparison_figures(result.timeseries, out_dir, context=context(result))
    available = set(result.per_replicate[result.first.label].columns)
    headline = [m.resolve(available) for m in measures.HEADLINE]
    paths.append(_effects(result, [r for r in headline if r], out_dir / "effects.png",
                          f"Effects against {result.first.label}"))
    paths.append(_scorecard(result, available, out_dir / "scorecard.png"))
    gains = []
    for party, measure in measures.WHO_GAINS:
        resolved = measure.resolve(available)
        if resolved is not None:
            gains.append((resolved[0], f"{party.capitalize()}: {resolved[1]}"))
    paths.append(_effects(result, gains, out_dir / "who_gains.png",
                          f"Who gains, who pays: changes against {result.first.label}"))
    return paths


def context(result: Comparison) -> plots.Context:
    """The scale and calendar of the compared city, and every compared scenario's policy start months."""
    first = result.first.scenario
    starts = sorted({start for e in result.entrants for start in plots.policy_starts(e.scenario)})
    return plots.Context(scale=plots.scale_label(first.workers.count), start_year=first.start_year,
                         start_month=first.start_month, policy_starts=tuple(starts))


def _grid(count: int, cols: int) -> tuple[int, int]:
    cols = max(1, min(cols, count))
    return -(-count // cols), cols


def _row_height(scenarios: int) -> float:
    return max(2.2, 0.9 + 0.28 * scenarios)


def _effects(result: Comparison, panels: Sequence[tuple[str, str]], path: Path, title: str) -> Path:
    """Each metric a panel; scenarios as rows; paired differences from the first with intervals."""
    others = [e.label for e in result.others]
    colours = plots.scenario_colours([e.label for e in result.entrants])
    rows, cols = _grid(len(panels), 3)
    with plots.figure(path, title, note=_EFFECT_NOTE.format(first=result.first.label), rows=rows, cols=cols,
                      row_height=_row_height(len(others))) as axes:
        for k, (ax, (column, label)) in enumerate(zip(axes, panels, strict=False)):
            scale = 100.0 if measures.unit(column) == measures.SHARE else 1.0
            y = np.arange(len(others))[::-1]
            for row, name in zip(y, others, strict=True):
                d = result.difference(name, column)
                filled = d.low is not None and (d.low > 0 or d.high < 0)
                if d.low is not None:
                    ax.errorbar(d.mean * scale, row, xerr=[[(d.mean - d.low) * scale], [(d.high - d.mean) * scale]],
                                fmt="none", ecolor=colours[name], elinewidth=1.6, capsize=2.5)
                ax.plot(d.mean * scale, row, "o", color=colours[name], markersize=5.5,
                        markerfacecolor=colours[name] if filled else "white")
            ax.axvline(0.0, color="0.3", linewidth=0.9)
            ax.set_yticks(y, others if k % cols == 0 else [""] * len(others))
            ax.set_ylim(-0.7, len(others) - 0.3)
            first_mean = float(result.per_replicate[result.first.label][column].mean())
            ax.set_title(textwrap.fill(label, TITLE_WIDTH) + f"\n({result.first.label}: "
                         f"{_level_text(column, first_mean)})", fontsize=9)
            ax.set_xlabel(_unit_label(column, plots.scale_label(result.first.scenario.workers.count)))
            ax.grid(axis="y", visible=False)
            _symmetric(ax)
        for ax in axes[len(panels):]:
            ax.set_visible(False)
    return path


def _scorecard(result: Comparison, available: set[str], path: Path) -> Path:
    """Scenarios x standards: the share of employed workers whose job meets each, with intervals."""
    names = [e.label for e in result.entrants]
    colours = plots.scenario_colours(names)
    rows, cols = _grid(len(measures.SCORECARD), 3)
    note = _LEVEL_NOTE + " Shares of employed workers whose job meets the standard."
    with plots.figure(path, "Standards scorecard (ILO C189 and C181)", note=note, rows=rows, cols=cols,
                      row_height=_row_height(len(names))) as axes:
        for k, (ax, measure) in enumerate(zip(axes, measures.SCORECARD, strict=False)):
            y = np.arange(len(names))[::-1]
            ax.set_yticks(y, names if k % cols == 0 else [""] * len(names))
            ax.set_ylim(-0.7, len(names) - 0.3)
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_locator(MultipleLocator(0.25))
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.grid(axis="y", visible=False)
            resolved = measure.resolve(available)
            if resolved is None:
                ax.set_title(textwrap.fill(measure.label, TITLE_WIDTH), fontsize=9)
                ax.text(0.5, 0.5, "not measured by this model version", transform=ax.transAxes, ha="center",
                        va="center", fontsize=9, color="0.4")
                continue
            column, label = resolved
            ax.set_title(textwrap.fill(label, TITLE_WIDTH), fontsize=9)
            for row, name in zip(y, names, strict=True):
                mean, low, high = level(result, name, column)
                if low is not None:
                    ax.errorbar(mean, row, xerr=[[mean - low], [high - mean]], fmt="none", ecolor=colours[name],
                                elinewidth=1.6, capsize=2.5)
                ax.plot(mean, row, "o", color=colours[name], markersize=5.5)
        for ax in axes[len(measures.SCORECARD):]:
            ax.set_visible(False)
    return path


def _symmetric(ax: Axes) -> None:
    """An x range around zero that shows every interval, so the sign is read at a glance."""
    low, high = ax.get_xlim()
    reach = max(abs(low), abs(high))
    if reach == 0:
        reach = 1.0
    ax.set_xlim(-1.08 * reach, 1.08 * reach)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, symmetric=True))
    if reach >= 10_000:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:,.0f}k" if x else "0"))
    elif reach >= 1000:
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _unit_label(column: str, scale: str = "") -> str:
    """The unit of a difference: points, yuan a month (of the whole city: its scale said), or a count."""
    kind = measures.unit(column)
    if kind == measures.SHARE:
        return "difference, percentage points"
    per_person = column.startswith(("mean_", "median_", "p10_", "p90_"))
    whole_city = f",\n{scale}" if scale and not per_person else ""  # a line of its own: three panels across
    if kind == measures.YUAN:
        return f"difference, yuan a month{whole_city}"
    return f"difference{whole_city}"


def _level_text(column: str, value: float) -> str:
    kind = measures.unit(column)
    if kind == measures.SHARE:
        return f"{100 * value:.1f}%"
    return f"{value:,.0f}" + (" yuan a month" if kind == measures.YUAN else "")

