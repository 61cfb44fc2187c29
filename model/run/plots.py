"""Report figures: one scenario's replicates, or several scenarios overlaid.

Every series is drawn as the median across replicates (a line) with the spread
across replicates as a shaded band: the 5-95% range, or min-max with fewer than
five replicates, where percentiles of so few values would mean little. The
figures are PNGs written with the Agg backend and no timestamps, so the same
time series always gives byte-identical files.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import textwrap
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import matplotlib

# Files only: never pick up an interactive backend from the environment (servers, CI, worker processes).
matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, to_hex
from matplotlib.ticker import MultipleLocator, PercentFormatter, StrMethodFormatter
from PIL import Image

from model.core.tables import JOB_TYPES

if TYPE_CHECKING:
    from model.scenario.schema import Scenario

DPI = 120
ROW_HEIGHT = 4.0
WIDTH = 10.0
FEW_REPLICATES = 5  # below this the band is min-max rather than 5-95%

# Local style, applied per figure, so that importing this module changes nobody else's plots.
_STYLE = {
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "legend.fontsize": 9,
}

# The model reports 0 when nobody of a kind was paid that month: that is a missing observation,
# not a wage of zero, and drawing it would show a false collapse.
WAGE_COLUMNS = ("mean_wage", "median_wage", "p10_wage", "p90_wage", *(f"mean_wage_{t}" for t in JOB_TYPES),
                "mean_hourly_wage")

_STOCKS = (("workers", "all workers (in the city or away)"), ("employed", "employed"), ("searching", "searching"),
           ("away", "away (home for the festival)"))
# The series of the channel and formalization panels (column, legend), shared with the live app's charts.
CHANNEL_SERIES = (("agency_placement_share", "agency"),
                  ("referral_placement_share", "referral (kin, fellow villagers)"),
                  ("open_placement_share", "open market (street, online)"))
FORMAL_SERIES = (("contract_share", "written contract"), ("insured_share", "social insurance"),
                 ("formal_share", "contract and insurance"),
                 ("employee_based_share", "employee-based share (employed by an employee-based agency)"))
# The work arrangement of employed workers' main jobs (the three shares add up to 1), and the share
# with two or more employers, which cuts across them; shared with the live app's charts.
ARRANGEMENT_SERIES = (("live_in_share", "live-in (lodges with the household)"),
                      ("live_out_share", "live-out full-time (commutes)"),
                      ("hourly_share", "hourly or day work"))
MULTI_EMPLOYER_SERIES = ("multi_employer_share", "two or more employers this month")
# Kinds of y axis. Wage levels are far from zero, so their axis is left to autoscale; amounts of money,
# counts (and hours) and shares start at zero, where zero is meaningful. Pay an hour is a wage level in
# tens of yuan: it autoscales too, with a decimal on its ticks.
PERCENT, WAGE, HOURLY_WAGE, MONEY, COUNT = "percent", "wage", "hourly_wage", "money", "count"
_AUTOSCALED = (WAGE, HOURLY_WAGE)
CITY_WORKERS = 400_000  # Guangzhou's stock of domestic workers (FACTS, the market): the 1:1 scale
WARMUP_MONTHS = 12  # the first year: the initial jobs and agencies settle into the market's own pattern

# Series left undrawn because they are zero throughout, per panel, for the figure's note.
_hidden: WeakKeyDictionary[Axes, list[str]] = WeakKeyDictionary()
# Series left undrawn because the time series has no such column (written by an earlier version).
_absent: WeakKeyDictionary[Axes, list[str]] = WeakKeyDictionary()


@dataclass(frozen=True)
class Context:
    """What a reader needs beside the lines: the scale, the calendar and when policies start.

    Attributes:
        scale: e.g. "1:100 of the city"; said in every title, since money and counts scale with it.
        start_year: calendar year of month 1 (the time axis is labelled in years); None labels months.
        start_month: calendar month of month 1.
        policy_starts: (month, policy) for each policy in force, marked on the time axis.
    """

    scale: str = ""
    start_year: int | None = None
    start_month: int = 1
    policy_starts: tuple[tuple[int, str], ...] = ()

    @classmethod
    def of(cls, scenario: Scenario) -> Context:
        """The context of a scenario: its scale, calendar and enabled policies."""
        return cls(scale=scale_label(scenario.workers.count), start_year=scenario.start_year,
                   start_month=scenario.start_month, policy_starts=policy_starts(scenario))


def scale_label(workers: int) -> str:
    """``1:100 of the city`` for 4,000 workers at the start; Guangzhou has about 400,000."""
    if workers <= 0:
        return "no workers at the start"
    ratio = CITY_WORKERS / workers
    if 0.95 <= ratio <= 1.05:
        return "the whole city (1:1)"
    if ratio > 1:
        return f"1:{ratio:,.0f} of the city"
    return f"{1 / ratio:,.1f} times the city"


def policy_starts(scenario: Scenario) -> tuple[tuple[int, str], ...]:
    """(start month, name) of each enabled policy, in the schema's order."""
    starts = []
    for name in type(scenario.policies).model_fields:
        policy = getattr(scenario.policies, name)
        if policy.enabled:
            starts.append((int(policy.start_month), series_label(name)))
    return tuple(starts)


def band(ts: pd.DataFrame, column: str) -> pd.DataFrame:
    """Median and spread of one column across replicates, month by month.

    Args:
        ts: time series with ``month`` (and usually ``replicate``) columns.
        column: the column to summarise.

    Returns:
        One row per month, sorted, with columns ``month``, ``median``, ``low``
        and ``high``: low/high are the 5th/95th percentiles across replicates,
        or the minimum/maximum when there are fewer than five replicates. With
        one replicate all three equal the value. Missing values are skipped.
    """
    q_low, q_high = (0.05, 0.95) if _replicates(ts) >= FEW_REPLICATES else (0.0, 1.0)
    by_month = ts.groupby("month", sort=True)[column]
    out = pd.DataFrame({"median": by_month.median(), "low": by_month.quantile(q_low),
                        "high": by_month.quantile(q_high)})
    return out.rename_axis("month").reset_index()


def write_run_figures(ts: pd.DataFrame, out_dir: Path, title: str, context: Context | None = None, *,
                      processes: int | None = 1) -> list[Path]:
    """Write the report figures of one scenario's replicates.

    Args:
        ts: ``timeseries.csv`` as a frame: one row per replicate and month.
        out_dir: folder for the PNGs; created if missing.
        title: shown at the top of every figure (e.g. scenario name and replicates).
        context: the scale (said in every title), calendar and policy start months (marked).
        processes: processes drawing the figures side by side (default 1: here, one after
            the other; None: one a core); see :func:`draw_in_processes`. The files are the
            same bytes whatever the number.

    Returns:
        Paths of ``wages.png``, ``hours.png``, ``formalization.png``,
        ``unemployment_vacancies.png``, ``agency_use.png``, ``migration.png`` and
        ``agencies.png``, in that order. A series whose column ``ts`` lacks (a time
        series from an earlier version) is left out, and the figure's note says so.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = context or Context()
    ts = prepared(ts)
    title = f"{title} \N{MIDDLE DOT} {ctx.scale}" if ctx.scale else title
    note = _band_note(_replicates(ts)) + _context_note(ctx, ts)
    jobs = [(draw, ts, out_dir / name, title, note, ctx) for name, (draw, _) in _RUN_FIGURES.items()]
    return draw_in_processes(_run_figure, jobs, processes, weights=[panels for _, panels in _RUN_FIGURES.values()])


def _run_figure(draw, ts: pd.DataFrame, path: Path, title: str, note: str, ctx: Context) -> Path:
    paths: list[Path] = []
    draw(ts, path, title, note, ctx, paths)
    return paths[0]


def _wages(ts: pd.DataFrame, path: Path, title: str, note: str, ctx: Context, paths: list[Path]) -> None:
    wage_note = (note + " Light area in the top panel: 10th-90th percentile of workers' wages in the month "
                 "(median across replicates), a spread across workers, not across replicates. Hourly pay: "
                 "each worker's pay in the month over her hours in it, averaged over the workers paid.")
    with _figure(path, title, note=wage_note, rows=3, paths=paths, context=ctx) as (top, middle, bottom):
        spread = ts.groupby("month", sort=True)[["p10_wage", "p90_wage"]].median()
        top.fill_between(spread.index, spread["p10_wage"], spread["p90_wage"], color="C0", alpha=0.1,
                         linewidth=0, label="10th-90th percentile of workers")
        _draw(top, ts, "mean_wage", "C0", "mean wage")
        _draw(top, ts, "median_wage", "C0", "median wage", linestyle="--", band_alpha=0.0)
        _finish(top, ts, "Monthly wage of employed workers", "yuan a month", WAGE)
        # Below the monthly wage, on the same months: a month's pay is its hours times its rate.
        _draw(middle, ts, "mean_hourly_wage", "C0", "mean hourly pay")
        _finish(middle, ts, "Hourly pay of employed workers", "yuan an hour", HOURLY_WAGE)
        for k, job in enumerate(JOB_TYPES):
            _draw(bottom, ts, f"mean_wage_{job}", f"C{k}", series_label(job))
        _finish(bottom, ts, "Mean wage by job type", "yuan a month", WAGE)


def _hours(ts: pd.DataFrame, path: Path, title: str, note: str, ctx: Context, paths: list[Path]) -> None:
    """Hours worked a week by employed workers; the arrangements of their main jobs, and multiple employers."""
    hours_note = (note + " Bottom panel: the three arrangements (of each worker's main job) add up to 100%; "
                  "the dashed line, workers with two or more employers, cuts across them.")
    with _figure(path, title, note=hours_note, context=ctx, rows=2, paths=paths) as (top, bottom):
        _draw(top, ts, "mean_hours_week", "C0", "mean hours a week (all her jobs together)")
        _finish(top, ts, "Hours worked by employed workers", "hours a week", COUNT)
        for k, (column, label) in enumerate(ARRANGEMENT_SERIES):
            _draw(bottom, ts, column, f"C{k}", label)
        column, label = MULTI_EMPLOYER_SERIES
        _draw(bottom, ts, column, "0.3", label, linestyle="--")
        _finish(bottom, ts, "Work arrangements of employed workers", "share of employed workers", PERCENT)


def _formalization(ts: pd.DataFrame, path: Path, title: str, note: str, ctx: Context, paths: list[Path]) -> None:
    with _figure(path, title, note=note, context=ctx, rows=1, paths=paths) as (ax,):
        for k, (column, label) in enumerate(FORMAL_SERIES):
            _draw(ax, ts, column, f"C{k}", label)
        _finish(ax, ts, "Formal employment", "share of employed workers", PERCENT)


def _unemployment(ts: pd.DataFrame, path: Path, title: str, note: str, ctx: Context, paths: list[Path]) -> None:
    with _figure(path, title, note=note, context=ctx, rows=2, paths=paths) as (top, bottom):
        _draw(top, ts, "unemployment_rate", "C3", "unemployment rate (searching / labour force)")
        _draw(top, ts, "vacancy_rate", "C0", "vacancy rate (vacancies / jobs)")
        _finish(top, ts, "Unemployment and vacancies", "share", PERCENT)
        _beveridge(bottom, ts)


def _agency_use(ts: pd.DataFrame, path: Path, title: str, note: str, ctx: Context, paths: list[Path]) -> None:
    with _figure(path, title, note=note, context=ctx, rows=2, paths=paths) as (top, bottom):
        for k, (column, label) in enumerate(CHANNEL_SERIES):
            _draw(top, ts, column, f"C{k}", label)
        _finish(top, ts, "How hires were made", "share of hires this month", PERCENT)
        _draw(bottom, ts, "worker_fees_paid", "C1", "paid by workers", scale=1e-3)
        _draw(bottom, ts, "household_fees_paid", "C0", "paid by households", scale=1e-3)
        _finish(bottom, ts, "Agency fees paid", money_label(ctx), MONEY)


def _migration(ts: pd.DataFrame, path: Path, title: str, note: str, ctx: Context, paths: list[Path]) -> None:
    with _figure(path, title, note=note, context=ctx, rows=2, paths=paths) as (top, bottom):
        for k, (column, label) in enumerate(_STOCKS):
            _draw(top, ts, column, f"C{k}", label)
        _finish(top, ts, "Migrant domestic workers (stocks at month end)", "workers", COUNT)
        _draw(bottom, ts, "arrivals", "C2", "arrivals (new migrants)")
        _draw(bottom, ts, "departures", "C3", "departures (left for good)")
        _finish(bottom, ts, "Migration flows", "workers/month", COUNT)


def _agencies(ts: pd.DataFrame, path: Path, title: str, note: str, ctx: Context, paths: list[Path]) -> None:
    with _figure(path, title, note=note, context=ctx, rows=2, paths=paths) as (top, bottom):
        _draw(top, ts, "agencies_active", "0.3", "all active")
        for k, kind in enumerate(("intermediary", "membership", "employee_based")):
            _draw(top, ts, f"agencies_{kind}", f"C{k}", series_label(kind))
        _finish(top, ts, "Active agencies by business model", "agencies", COUNT)
        _draw(bottom, ts, "arrears_incidence", "C3", "wage arrears (share of employed workers)")
        # Zero throughout without a fee cap: then it is left out, and the note says so.
        _draw(bottom, ts, "overcharging_share", "C1", "fee overcharging (share of fee-capped placements)")
        _finish(bottom, ts, "Abuses", "share", PERCENT)


# The run figures in the order write_run_figures returns them, with their panels (what drawing one costs).
_RUN_FIGURES: dict[str, tuple[Callable[..., None], int]] = {
    "wages.png": (_wages, 3),
    "hours.png": (_hours, 2),
    "formalization.png": (_formalization, 1),
    "unemployment_vacancies.png": (_unemployment, 2),
    "agency_use.png": (_agency_use, 2),
    "migration.png": (_migration, 2),
    "agencies.png": (_agencies, 2),
}


RUN_FIGURE_COUNT = len(_RUN_FIGURES)  # how many figures write_run_figures writes


MONEY_LABEL = "thousand yuan a month"  # said with the city's scale (money_label)
PANEL_TITLE_WIDTH = 48  # characters of a panel title's line, two panels across
# (column, panel title, y label, kind, scale) of each panel of each comparison figure.
_COMPARISONS: dict[str, tuple[str, list[tuple[str, str, str, str, float]]]] = {
    "compare_wages.png": ("Wages of employed workers", [
        ("mean_wage", "Mean wage", "yuan a month", WAGE, 1.0),
        ("median_wage", "Median wage", "yuan a month", WAGE, 1.0),
        ("p10_wage", "10th percentile (low paid)", "yuan a month", WAGE, 1.0),
        ("p90_wage", "90th percentile (well paid)", "yuan a month", WAGE, 1.0)]),
    "compare_formalization.png": ("Formal employment", [
        (column, label.capitalize(), "share of employed workers", PERCENT, 1.0) for column, label in FORMAL_SERIES]),
    "compare_unemployment.png": ("Unemployment and vacancies", [
        ("unemployment_rate", "Unemployment rate", "share of labour force", PERCENT, 1.0),
        ("vacancy_rate", "Vacancy rate", "share of jobs", PERCENT, 1.0)]),
    "compare_agency_use.png": ("Agency use and fees", [
        ("agency_placement_share", "Hires through agencies", "share of hires this month", PERCENT, 1.0),
        ("referral_placement_share", "Hires through referrals", "share of hires this month", PERCENT, 1.0),
        ("worker_fees_paid", "Fees paid by workers", MONEY_LABEL, MONEY, 1e-3),
        ("household_fees_paid", "Fees paid by households", MONEY_LABEL, MONEY, 1e-3)]),
}


def money_label(ctx: Context, unit: str = "thousand yuan a month") -> str:
    """A money axis of the whole city: ``thousand yuan a month, 1:100 of the city`` (totals scale with it)."""
    return f"{unit}, {ctx.scale}" if ctx.scale else unit


def write_comparison_figures(ts_by_scenario: dict[str, pd.DataFrame], out_dir: Path,
                             context: Context | None = None) -> list[Path]:
    """Write figures that overlay scenarios, one colour per scenario, each with its band.

    Args:
        ts_by_scenario: scenario name -> its time series (as for :func:`write_run_figures`),
            drawn in the dict's order.
        out_dir: folder for the PNGs; created if missing.
        context: the scale, calendar and policy start months (of every scenario compared).

    Returns:
        Paths of ``compare_wages.png``, ``compare_formalization.png``,
        ``compare_unemployment.png`` and ``compare_agency_use.png``, in that order.
    """
    if not ts_by_scenario:
        raise ValueError("write_comparison_figures: no scenarios to compare")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = {name: prepared(ts) for name, ts in ts_by_scenario.items()}
    colours = scenario_colours(list(frames))
    months = pd.concat([ts["month"] for ts in frames.values()])
    counts = {_replicates(ts) for ts in frames.values()}
    ctx = context or Context()
    note = _band_note(counts.pop() if len(counts) == 1 else None) + _context_note(ctx, months.to_frame())
    paths: list[Path] = []
    for filename, (title, panels) in _COMPARISONS.items():
        rows = (len(panels) + 1) // 2
        heading = f"Scenario comparison: {title}" + (f" \N{MIDDLE DOT} {ctx.scale}" if ctx.scale else "")
        with _figure(out_dir / filename, heading, note=note, rows=rows, cols=2, paths=paths, context=ctx) as axes:
            for ax, (column, panel_title, ylabel, kind, scale) in zip(axes, panels, strict=False):
                for name, ts in frames.items():
                    _draw(ax, ts, column, colours[name], name, scale=scale)
                # Two panels across: a long title wraps rather than run past the figure's edge.
                _finish(ax, months.to_frame(), textwrap.fill(panel_title, PANEL_TITLE_WIDTH),
                        money_label(ctx) if kind == MONEY else ylabel, kind, legend=False)
            for ax in axes[len(panels):]:
                ax.set_visible(False)
            # One legend: every panel has the same scenarios in the same colours. It hangs off the top-right
            # panel rather than the figure, where it would run into the title.
            top_right = axes[min(1, len(panels) - 1)]
            top_right.legend(*axes[0].get_legend_handles_labels(), loc="upper left", bbox_to_anchor=(1.02, 1.0),
                             borderaxespad=0.0)
    return paths


# --- for other reports (validation, comparisons, sweeps) ------------------------------



@contextmanager
def figure(path: Path, title: str, *, note: str = "", rows: int = 1, cols: int = 1,
           row_height: float = ROW_HEIGHT, paths: list[Path] | None = None) -> Iterator[Sequence[Axes]]:
    """A figure of rows x cols panels in the reports' style, saved to ``path`` (same input, same bytes).

    ``row_height`` is in inches a row of panels (taller for panels with many rows of scenarios);
    ``paths``, when given, gets ``path`` appended once the figure is written.
    """
    with _figure(Path(path), title, note=note, rows=rows, cols=cols, paths=[] if paths is None else paths,
                 row_height=row_height) as axes:
        yield axes


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """One colour per scenario, in order: matplotlib's ten, then a 20-colour palette for more."""
    if len(names) <= 10:
        return {name: f"C{k}" for k, name in enumerate(names)}
    palette = matplotlib.colormaps["tab20"]
    return {name: to_hex(palette(k % 20)) for k, name in enumerate(names)}


def legend_outside(ax: Axes) -> None:
    """The reports' legend: outside the plotting area, so that it hides no data."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def draw_in_processes(draw: Callable[..., Path], jobs: Sequence[tuple], processes: int | None = 1,
                      weights: Sequence[float] | None = None) -> list[Path]:
    """``[draw(*job) for job in jobs]``, the jobs shared among ``processes`` processes forked from this one.

    Matplotlib takes a few tenths of a second a report figure, most of it making, placing
    and drawing ticks and text in Python: figures drawn side by side on two cores take
    0.6-0.7 times as long. Forked processes start at once with matplotlib
    imported (a spawned one would spend a second importing it). Each takes the next job
    when it is done with one, the heaviest jobs first (``weights``, e.g. panels a figure;
    ties in the jobs' order), so that no process is left with the last heavy figure while
    the others wait. Where forking is not safe (no fork on this platform, or other
    threads running), or with one process, the jobs are drawn here one after the other.
    ``processes=None`` means one a core this process may use. The paths come back in the
    order of ``jobs``.
    """
    processes = figure_processes(processes, len(jobs))
    if processes == 1:
        return [draw(*job) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda k: -weights[k]) if weights is not None else range(len(jobs))
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=mp.get_context("fork"))
    try:
        futures = {k: pool.submit(draw, *jobs[k]) for k in order}
        return [futures[k].result() for k in range(len(jobs))]
    finally:
        # After an error or an interrupt the figures not started are dropped, not drawn first.
        pool.shutdown(wait=True, cancel_futures=True)


def figure_processes(processes: int | None, jobs: int) -> int:
    """How many processes :func:`draw_in_processes` uses for ``jobs`` figures when asked for ``processes``."""
    wanted = _cores() if processes is None else processes
    if wanted > 1 and not _can_fork():
        return 1
    return max(1, min(wanted, jobs))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _can_fork() -> bool:
    """Forking is safe: the platform has it and this process runs one thread."""
    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


# --- helpers -------------------------------------------------------------------


def _replicates(ts: pd.DataFrame) -> int:
    return int(ts["replicate"].nunique()) if "replicate" in ts.columns else 1


def prepared(ts: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``ts`` with wages of 0 (nobody of that kind paid that month) as missing, not drawn."""
    ts = ts.copy()
    wages = [c for c in WAGE_COLUMNS if c in ts.columns]
    ts[wages] = ts[wages].astype(float).where(ts[wages] > 0)
    return ts


def _band_note(replicates: int | None) -> str:
    if replicates is None:
        return ("Lines: median across replicates. Shaded around each line: its 5-95% range across replicates "
                f"(min-max with fewer than {FEW_REPLICATES}).")
    if replicates == 1:
        return "One replicate: no band across replicates."
    spread = "5-95% range" if replicates >= FEW_REPLICATES else "min-max range"
    return f"Lines: median across {replicates} replicates. Shaded around each line: its {spread} across replicates."


@contextmanager
def _figure(path: Path, title: str, *, note: str, rows: int, paths: list[Path],
            cols: int = 1, context: Context | None = None,
            row_height: float = ROW_HEIGHT) -> Iterator[Sequence[Axes]]:
    """A figure of rows x cols panels, saved to ``path`` and closed even if drawing fails."""
    ctx = context or Context()
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, row_height * rows), dpi=DPI,
                                 layout="tight", squeeze=False)
        try:
            fig.suptitle(title, fontsize=13, fontweight="bold")
            _set_note(fig, note)
            panels = list(axes.ravel())
            for ax in panels:
                ax.domwork_context = ctx  # read by _finish: calendar axis, warm-up, policy starts
            yield panels
            hidden = sorted({name for ax in panels for name in _hidden.get(ax, [])})
            absent = sorted({name for ax in panels for name in _absent.get(ax, [])})
            said = ""
            if hidden:
                said += " Not drawn, zero throughout: " + "; ".join(hidden) + "."
            if absent:
                said += " Not drawn, not in this time series (from an earlier version): " + "; ".join(absent) + "."
            if said:
                _set_note(fig, note + said)
            # Data stays inside its axes, and so do the spines (tick labels lie beyond them), so the layout
            # need not measure them: measuring the bands is slow, and each spine updates its axis' ticks.
            for ax in fig.axes:
                for artist in (*ax.lines, *ax.collections, *ax.spines.values()):
                    artist.set_in_layout(False)
            # Lay out once, here, then draw once: with a layout engine set, drawing would run it again.
            fig.get_layout_engine().execute(fig)
            fig.set_layout_engine(None)
            fig.canvas.draw()
            _write_png(fig, Path(path))
            paths.append(Path(path))
        finally:
            plt.close(fig)


def _write_png(fig: plt.Figure, path: Path) -> None:
    """The figure as drawn, an opaque RGB PNG: Agg's fixed output and no timestamp, so same input, same bytes.

    What ``savefig`` writes but without the alpha channel, which is opaque throughout, and with
    zlib's run-length strategy, which suits the plain backgrounds of charts: 0.6 times the time
    of savefig's RGBA at zlib's fastest level, in files of about the same size (245 against
    252 KiB).
    """
    rgba = fig.canvas.buffer_rgba()
    height, width = rgba.shape[:2]
    rgb = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    rgb.save(path, format="png", dpi=(fig.dpi, fig.dpi), compress_level=9, compress_type=zlib.Z_RLE)


def _set_note(fig: plt.Figure, note: str) -> None:
    # In the figure's x label: unlike free text, the layout makes room for it.
    fig.supxlabel(textwrap.fill(note, width=int(16 * fig.get_figwidth())), x=0.01, ha="left", fontsize=8,
                  color="0.4", multialignment="left")


def _draw(ax: Axes, ts: pd.DataFrame, column: str, colour: str, label: str, *, scale: float = 1.0,
          linestyle: str = "-", band_alpha: float = 0.2) -> None:
    """The median of ``column`` across replicates, with its band; left out if missing or zero throughout."""
    if column not in ts.columns:
        _absent.setdefault(ax, []).append(label)
        return
    b = band(ts, column)
    values = b[["median", "low", "high"]].to_numpy()
    if b.empty or not (values[~pd.isna(values)] != 0).any():
        _hidden.setdefault(ax, []).append(label)
        return
    ax.plot(b["month"], b["median"] * scale, color=colour, linestyle=linestyle, linewidth=1.6, label=label)
    if band_alpha > 0 and _replicates(ts) > 1:
        ax.fill_between(b["month"], b["low"] * scale, b["high"] * scale, color=colour, alpha=band_alpha,
                        linewidth=0)


def _finish(ax: Axes, ts: pd.DataFrame, title: str, ylabel: str, kind: str, *, legend: bool = True) -> None:
    """Title, units, month axis and a legend outside the plotting area, so that it hides no data."""
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    # Linear axes without minor ticks, none to keep off the major ones: each tick update then finds
    # the major ticks once, not twice.
    ax.xaxis.remove_overlapping_locs = ax.yaxis.remove_overlapping_locs = False
    ctx = getattr(ax, "domwork_context", Context())
    _month_axis(ax, ts, ctx)
    value_axis(ax.yaxis, kind)
    if kind not in _AUTOSCALED:
        ax.set_ylim(bottom=0)
    if _absent.get(ax) and not ax.lines:
        # Nothing to draw, the columns being newer than the time series: say so rather than show empty ticks.
        ax.set_yticks([])
        ax.text(0.5, 0.5, "not in this time series (written by an earlier version)", transform=ax.transAxes,
                ha="center", va="center", color="0.4")
    _mark_time(ax, ts, ctx)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def _month_axis(ax: Axes, ts: pd.DataFrame, ctx: Context) -> None:
    first, last = int(ts["month"].min()), int(ts["month"].max())
    span = last - first + 1
    ax.set_xlim(first, max(last, first + 1))
    if ctx.start_year is not None and span > 12:
        # Ticks on each January up to 6 years, every other one up to 12, and so on: 6 at most, as each
        # costs three lines and a label to make, place and draw. Labelled with the year.
        years = max(1, -(-span // 72))
        first_january = first + (13 - ((ctx.start_month - 1 + first - 1) % 12 + 1)) % 12
        ticks = list(range(first_january, last + 1, 12 * years))
        ax.set_xticks(ticks, [str(calendar_year(ctx, m)) for m in ticks])
        ax.set_xlabel("calendar year (ticks at January)")
        return
    # Ticks each month up to a year, every 6 months up to 3 years, then on whole years, every other
    # year past 6 years, and so on.
    step = 12 * max(1, -(-span // 72)) if span > 36 else 6 if span > 12 else 1
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.set_xlabel("month")


def calendar_year(ctx: Context, month: int) -> int:
    """Calendar year of model month ``month`` (month 1 is ``ctx.start_month`` of ``ctx.start_year``)."""
    return int(ctx.start_year or 0) + (ctx.start_month - 1 + month - 1) // 12


def _mark_time(ax: Axes, ts: pd.DataFrame, ctx: Context) -> None:
    """Shade the first-year warm-up; a dotted line where a policy comes into force after month 1."""
    first, last = int(ts["month"].min()), int(ts["month"].max())
    if first <= WARMUP_MONTHS < last:
        ax.axvspan(first, WARMUP_MONTHS + 0.5, color="0.5", alpha=0.08, linewidth=0, zorder=0)
    for month in sorted({m for m, _ in ctx.policy_starts if first < m <= last}):
        ax.axvline(month, color="0.3", linestyle=":", linewidth=1.0, zorder=1)


def _context_note(ctx: Context, ts: pd.DataFrame) -> str:
    parts = []
    if int(ts["month"].max()) > WARMUP_MONTHS:
        parts.append(f"Grey: the first {WARMUP_MONTHS} months, a warm-up from the starting state.")
    later = [f"{name} from month {m}" for m, name in ctx.policy_starts if m > 1]
    from_start = [name for m, name in ctx.policy_starts if m <= 1]
    if later:
        parts.append("Dotted lines: policies come into force (" + ", ".join(later) + ").")
    if from_start:
        parts.append("In force from month 1: " + ", ".join(from_start) + ".")
    return (" " + " ".join(parts)) if parts else ""


def value_axis(axis: matplotlib.axis.Axis, kind: str) -> None:
    """Format an axis as the reports do: ``PERCENT`` shares, or amounts with thousands separators.

    ``HOURLY_WAGE`` (yuan an hour, in tens) keeps one decimal, so that its ticks do not repeat a label.
    """
    if kind == PERCENT:  # one format for every share axis: 0.0%, 2.5%, 5.0%
        axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1))
    elif kind == HOURLY_WAGE:
        axis.set_major_formatter(StrMethodFormatter("{x:,.1f}"))
    else:
        axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _beveridge(ax: Axes, ts: pd.DataFrame) -> None:
    """Vacancy rate against unemployment rate, every replicate-month, coloured by month."""
    norm = Normalize(ts["month"].min(), ts["month"].max())
    ordered = ts.sort_values(["month", "replicate"] if "replicate" in ts.columns else ["month"])
    # Festival months (many workers away) sit far from the curve: mark them so they are not read as a shift.
    away = ordered["away"].to_numpy() > 0
    points = None
    for mask, marker in ((~away, "o"), (away, "^")):
        points = ax.scatter(ordered["unemployment_rate"][mask], ordered["vacancy_rate"][mask],
                            c=ordered["month"][mask], cmap="viridis", norm=norm, marker=marker, s=16, alpha=0.75,
                            linewidths=0)
    ax.set_title("Beveridge curve: one dot per replicate and month (triangles: months with workers away)")
    ax.set_xlabel("unemployment rate (share of labour force)")
    ax.set_ylabel("vacancy rate (share of jobs)")
    value_axis(ax.xaxis, PERCENT)
    value_axis(ax.yaxis, PERCENT)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    # An inset colour bar hugs the axes; a layout-managed one would go beyond the other panels' legends.
    ax.figure.colorbar(points, cax=ax.inset_axes((1.02, 0.0, 0.015, 1.0)), label="month")


def series_label(name: str) -> str:
    """A column or category name as a legend shows it."""
    return name.replace("_", " ")
