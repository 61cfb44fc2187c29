"""A sweep's figures, in the plotting vocabulary of :mod:`model.run.plots` (its figure frame, style and axes).

- ``by_<key>.png``: each metric against each varied key (or lever, or uncertainty:
  the six that matter most when there are more), the mean over runs with its 95%
  interval as a band; with a second key of a few values, one line for each of them.
- ``heatmap.png``: with exactly two varied keys, each metric's mean over replicates on the grid.
- ``sensitivity.png``: Sobol (S1, ST) or Morris (mu*) indices with their 95% intervals.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from model.core import metrics
from model.experiments.design import Design
from model.run import plots
from model.run.runner import mean_interval

HEADLINE = ("mean_wage", "unemployment_rate", "vacancy_rate", "contract_share", "formal_share",
            "agency_placement_share", "worker_fees_paid", "overcharging_share", "c189_written_terms_share",
            "c181_no_fee_share", "decent_work_share")
MAX_PANELS = 12
MAX_LINES = 6  # a second key with more values than this is averaged over, not drawn line by line
MAX_KEY_FIGURES = 6  # of many uncertainties, figures of the ones that matter most only
BINS = 8  # uncertainty values are binned into this many quantile bins


def figure_metrics(design: Design) -> tuple[str, ...]:
    """The metrics drawn: the experiment's own list when short, else the headline ones it keeps."""
    if len(design.metrics) <= MAX_PANELS:
        return design.metrics
    return tuple(m for m in HEADLINE if m in design.metrics)[:MAX_PANELS] or design.metrics[:MAX_PANELS]


def write_sweep_figures(design: Design, runs: pd.DataFrame, table: pd.DataFrame | None, out_dir: Path) -> list[Path]:
    """Write every figure of a finished sweep; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = figure_metrics(design)
    paths: list[Path] = []
    varied = [k for k in design.keys if runs[k].nunique() > 1]
    for key in _keys_to_draw(design, varied, table):
        others = [k for k in varied if k != key and runs[k].nunique() <= MAX_LINES and k not in design.uncertainties]
        _by_key(design, runs, key, others[0] if others else None, chosen, out_dir / f"by_{_file(key)}.png", paths)
    if design.method is None and len(varied) == 2:
        _heatmap(design, runs, chosen, out_dir / "heatmap.png", paths)
    if {"unemployment_rate", "vacancy_rate"} <= set(design.metrics) and varied:
        lines = [k for k in varied if runs[k].nunique() <= MAX_LINES and k not in design.uncertainties]
        _beveridge(design, runs, lines[0] if lines else None, out_dir / "beveridge.png", paths)
    if table is not None:
        _sensitivity(design, table, chosen, out_dir / "sensitivity.png", paths)
    return paths


def _keys_to_draw(design: Design, varied: list[str], table: pd.DataFrame | None) -> list[str]:
    """Every lever or varied key; of many uncertainties, those that matter most (by ST or mu*)."""
    uncertain = [k for k in varied if k in design.uncertainties]
    if len(uncertain) > MAX_KEY_FIGURES:
        if table is not None:
            score = "ST" if "ST" in table.columns else "mu_star"
            ranked = table.groupby("parameter")[score].max().sort_values(ascending=False, kind="stable")
            uncertain = [k for k in ranked.index if k in uncertain]
        uncertain = uncertain[:MAX_KEY_FIGURES]
    return [k for k in varied if k not in design.uncertainties or k in uncertain]


def _file(key: str) -> str:
    return key.replace(".", "_")


_KEY_UNITS: dict[str, str] = {}


def key_label(key: str) -> str:
    """A varied key as an axis says it: words and unit (``market: separation rate (per month)``)."""
    if not _KEY_UNITS:
        from model.scenario import reference

        _KEY_UNITS.update({doc.path: doc.unit for doc in reference.keys()})  # noqa: SIM118 (a function)
    if key == "scenario":
        return "scenario"
    unit = _KEY_UNITS.get(key, "")
    *section, leaf = key.split(".")
    words = (" ".join(section).replace("_", " ") + ": " if section else "") + leaf.replace("_", " ")
    return f"{words} ({unit})" if unit and unit not in ("-", "switch", "bool", "flag") else words


def metric_label(metric: str, scale: str = "") -> str:
    """A metric as a panel says it: its words and its unit; money and counts of the whole city say its scale."""
    from model.experiments import measures

    words = metric.replace("_", " ")
    kind = measures.unit(metric)
    if kind == measures.SHARE:
        return f"{words} (%)"
    per_person = metric.startswith(("mean_", "median_", "p10_", "p90_"))
    if kind == measures.YUAN:
        return f"{words} (yuan a month{'' if per_person or not scale else ', ' + scale})"
    if metric.endswith("_rate") or per_person:
        return words
    return f"{words} ({scale})" if scale else words


def _scale(design: Design) -> str:
    return plots.scale_label(design.base.workers.count) if design.base is not None else ""


def _kind(metric: str) -> str:
    return "percent" if metric in metrics.SHARE_COLUMNS else "count"


def _grid(n: int) -> tuple[int, int]:
    cols = 1 if n == 1 else 2
    return math.ceil(n / cols), cols


def _categorical(values: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def _summary(frame: pd.DataFrame, x: pd.Series, metric: str) -> pd.DataFrame:
    rows = []
    for value, group in frame.groupby(x, sort=True):
        values = group[metric].to_numpy()
        mean, low, high = mean_interval(values)
        # Fewer than 3 runs give no interval (no band there); intervals are shown unclipped.
        rows.append({"x": value, "mean": mean, "low": np.nan if low is None else low,
                     "high": np.nan if high is None else high})
    return pd.DataFrame(rows)


def _by_key(design: Design, runs: pd.DataFrame, key: str, other: str | None, chosen: tuple[str, ...], path: Path,
            paths: list[Path]) -> None:
    rows, cols = _grid(len(chosen))
    sampled = key in design.uncertainties
    categorical = _categorical(runs[key])
    if sampled:
        # Continuous draws: quantile bins, each drawn at the mean of its values.
        bins = pd.qcut(runs[key], q=min(BINS, runs[key].nunique()), duplicates="drop")
        x = runs[key].groupby(bins, observed=True).transform("mean")
        note = (f"Mean over runs in {BINS} bins of {key}, with its 95% interval (none from fewer than 3 runs); "
                "dots: design points.")
    else:
        x = runs[key]
        note = ("Mean over runs at each value (replicates and other keys' values), with its 95% interval "
                "(none from fewer than 3 runs).")
    groups = [(None, runs)] if other is None else list(runs.groupby(other, sort=True))
    title = f"{design.name}: metrics against {key_label(key)}"
    with plots.figure(path, title, note=note, rows=rows, cols=cols, paths=paths) as axes:
        for ax, metric in zip(axes, chosen, strict=False):
            for k, (label, frame) in enumerate(groups):
                colour = f"C{k % 10}"
                summary = _summary(frame, x.loc[frame.index], metric)
                positions = np.arange(len(summary)) if categorical else summary["x"].to_numpy(dtype=float)
                name = None if label is None else _line_label(other, label)
                if categorical:
                    offset = (k - (len(groups) - 1) / 2) * 0.12
                    ax.errorbar(positions + offset, summary["mean"], yerr=[summary["mean"] - summary["low"],
                                summary["high"] - summary["mean"]], fmt="o", color=colour, capsize=3, label=name)
                else:
                    ax.plot(positions, summary["mean"], color=colour, linewidth=1.6, marker="o", markersize=3,
                            label=name)
                    ax.fill_between(positions, summary["low"], summary["high"], color=colour, alpha=0.2,
                                    linewidth=0)
                if sampled:
                    means = frame.groupby("point")[[key, metric]].mean()
                    ax.scatter(means[key], means[metric], color=colour, s=6, alpha=0.3, linewidths=0)
            if categorical:
                labels = _summary(runs, runs[key], metric)["x"]
                ax.set_xticks(np.arange(len(labels)), [str(v) for v in labels])
            ax.set_title(metric_label(metric, _scale(design)), fontsize=9)
            ax.set_xlabel(key_label(key))
            plots.value_axis(ax.yaxis, _kind(metric))
        for ax in axes[len(chosen):]:
            ax.set_visible(False)
        if other is not None:
            axes[0].legend(loc="best", title=key_label(other), fontsize=8, title_fontsize=8)


def _line_label(key: str, value: object) -> str:
    """A line's legend entry: a scenario by its name, a value with its key's words."""
    return str(value) if key == "scenario" else f"{key.rsplit('.', 1)[-1].replace('_', ' ')} = {value}"


def _beveridge(design: Design, runs: pd.DataFrame, group: str | None, path: Path, paths: list[Path]) -> None:
    """Vacancy rate against unemployment rate, one dot a design point (mean over replicates)."""
    keys = [k for k in design.keys if runs[k].nunique() > 1]
    means = runs.groupby("point", sort=True)[[*keys, "unemployment_rate", "vacancy_rate"]].agg(
        {**{k: "first" for k in keys}, "unemployment_rate": "mean", "vacancy_rate": "mean"})
    along = next((k for k in keys if k != group and pd.api.types.is_numeric_dtype(means[k])), None)
    groups = [(None, means)] if group is None else list(means.groupby(group, sort=True))
    note = "One dot a design point, mean over its replicates" + (
        f"; joined in order of {key_label(along)}." if along else ".")
    with plots.figure(path, f"{design.name}: Beveridge curve", note=note, rows=1, paths=paths) as (ax,):
        for k, (label, group_means) in enumerate(groups):
            ordered = group_means.sort_values(along) if along else group_means
            ax.plot(ordered["unemployment_rate"], ordered["vacancy_rate"], color=f"C{k % 10}", marker="o",
                    linewidth=1.2 if along else 0, label=None if label is None else _line_label(group, label))
        ax.set_xlabel("unemployment rate (% of the labour force)")
        ax.set_ylabel("vacancy rate (% of jobs)")
        plots.value_axis(ax.xaxis, "percent")
        plots.value_axis(ax.yaxis, "percent")
        # From 0, with room above and right of the highest and rightmost points: none is cut by the frame.
        ax.set_xlim(0, 1.08 * max(float(means["unemployment_rate"].max()), 1e-6))
        ax.set_ylim(0, 1.08 * max(float(means["vacancy_rate"].max()), 1e-6))
        if group is not None:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, title=key_label(group))


def _heatmap(design: Design, runs: pd.DataFrame, chosen: tuple[str, ...], path: Path, paths: list[Path]) -> None:
    first, second = (k for k in design.keys if runs[k].nunique() > 1)
    rows, cols = _grid(len(chosen))
    note = "Mean over replicates of each grid point."
    with plots.figure(path, f"{design.name}: {key_label(first)} x {key_label(second)}", note=note, rows=rows,
                      cols=cols,
                       paths=paths) as axes:
        for ax, metric in zip(axes, chosen, strict=False):
            grid = runs.pivot_table(index=second, columns=first, values=metric, aggfunc="mean", sort=True)
            image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
            ax.set_xticks(np.arange(grid.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v)
                                                     for v in grid.columns])
            ax.set_yticks(np.arange(grid.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v)
                                                     for v in grid.index])
            ax.set_xlabel(key_label(first))
            ax.set_ylabel(key_label(second))
            ax.set_title(metric_label(metric, _scale(design)), fontsize=9)
            ax.grid(False)
            bar = ax.figure.colorbar(image, ax=ax)
            plots.value_axis(bar.ax.yaxis, _kind(metric))
        for ax in axes[len(chosen):]:
            ax.set_visible(False)


def _sensitivity(design: Design, table: pd.DataFrame, chosen: tuple[str, ...], path: Path,
                 paths: list[Path]) -> None:
    panels: list[tuple[str, pd.DataFrame]] = []
    if "lever_setting" in table.columns:
        last = int(table["lever_setting"].max())
        for metric in chosen:
            for setting in sorted({0, last}):
                part = table[(table["metric"] == metric) & (table["lever_setting"] == setting)]
                label = metric if setting == 0 else f"effect of lever setting {setting} on {metric}"
                panels.append((label, part))
    else:
        panels = [(metric, table[table["metric"] == metric]) for metric in chosen]
    panels = panels[:MAX_PANELS]
    rows, cols = _grid(len(panels))
    sobol = design.method == "sobol"
    note = ("Bars: first-order (S1) and total (ST) Sobol indices with 95% bootstrap intervals." if sobol else
            "Bars: Morris mu* (mean absolute elementary effect) with its 95% bootstrap interval.")
    with plots.figure(path, f"{design.name}: which uncertainties matter", note=note, rows=rows, cols=cols,
                       paths=paths) as axes:
        for ax, (label, part) in zip(axes, panels, strict=False):
            y = np.arange(len(part))
            if sobol:
                ax.barh(y - 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], color="C0", label="S1", capsize=2)
                ax.barh(y + 0.2, part["ST"], height=0.4, xerr=part["ST_conf"], color="C1", label="ST", capsize=2)
            else:
                ax.barh(y, part["mu_star"], height=0.6, xerr=part["mu_star_conf"], color="C0", label="mu*",
                        capsize=2)
            ax.set_yticks(y, list(part["parameter"]))
            ax.invert_yaxis()
            ax.set_title(label)
            ax.axvline(0, color="0.5", linewidth=0.8)
        for ax in axes[len(panels):]:
            ax.set_visible(False)
        if panels:
            axes[0].legend(loc="lower right")
