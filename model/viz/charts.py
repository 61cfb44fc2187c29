"""Live plots of the time series, the policy twin's dashed beside the run's.

Each chart is a list of series (a ``timeseries.csv`` column and its label, as
``model/run/plots.py`` names them) drawn as Vega-Lite lines. The browser draws
them, and the server writes each spec as a plain dict from one template, so a
step costs the server a millisecond or two a chart: a matplotlib PNG took a
tenth of a second, and building the same spec through Altair's validated
objects several tens of milliseconds. A chart whose columns the model does not
report (the standards scorecard before it exists) is not offered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from model.core import metrics
from model.core.tables import BUSINESS_MODELS, JOB_TYPES
from model.run.plots import (
    ARRANGEMENT_SERIES,
    CHANNEL_SERIES,
    COUNT,
    FORMAL_SERIES,
    MONEY,
    MULTI_EMPLOYER_SERIES,
    PERCENT,
    WAGE,
    WAGE_COLUMNS,
    series_label,
)
from model.viz.live import LiveModel
from model.viz.vega import LiveVega, Spec

# A model's time series: numpy columns by name (``LiveModel.columns``) or a frame of them.
History = pd.DataFrame | Mapping[str, Any]
WIDTH, HEIGHT = 360, 170  # pixels of the plotting area, for a half-width grid cell
RUN, TWIN = "this run", "twin"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # the version solara's front end loads
_FORMATS = {PERCENT: ".0%", WAGE: ",.0f", MONEY: ",.0f", COUNT: ",.0f"}


@dataclass(frozen=True)
class Chart:
    """One live plot: a title, a y label, an axis kind and its series."""

    title: str
    ylabel: str
    kind: str
    series: tuple[tuple[str, str], ...]  # (column, label)
    scale: float = 1.0

    @property
    def available(self) -> bool:
        """Whether the model reports every column of the chart."""
        return all(column in metrics.COLUMNS for column, _ in self.series)


SCORECARD = (
    ("c189_written_terms_share", "written terms (C189 Art. 7)"),
    ("c189_minimum_wage_share", "statutory minimum wage (C189 Art. 11)"),
    ("c189_social_security_share", "social security (C189 Art. 14)"),
    ("c181_no_fee_share", "no fee paid (C181 Art. 7)"),
    ("decent_work_share", "all four (decent work)"),
)
# A weekly rest day is not one of the four: drawn beside them where the model reports it.
WEEKLY_REST = ("c189_weekly_rest_share", "weekly rest day (C189 Art. 10)")
if WEEKLY_REST[0] in metrics.COLUMNS:
    SCORECARD = (*SCORECARD, WEEKLY_REST)

# Each law in force, as people respond to it (empty while the law is not in force: no line).
LAW_SERIES = (
    ("minimum_wage_compliance", "jobs paid at least the wage floor"),
    ("contract_compliance", "jobs with a written contract, under a contract law"),
    ("fee_compliance", "agency placements within the fee cap"),
    ("law_awareness", "households who know of the laws in force"),
)

CHARTS: dict[str, Chart] = {
    "wages": Chart("Monthly wage of employed workers", "yuan/month", WAGE,
                   (("mean_wage", "mean"), ("median_wage", "median"), ("p10_wage", "10th percentile"),
                    ("p90_wage", "90th percentile"))),
    "wages_by_type": Chart("Mean wage by job type", "yuan/month", WAGE,
                           tuple((f"mean_wage_{job}", series_label(job)) for job in JOB_TYPES)),
    "hours": Chart("Hours worked by employed workers", "hours a week", COUNT,
                   (("mean_hours_week", "mean hours a week (all her jobs)"),)),
    "arrangements": Chart("Work arrangements (main job)", "share of employed workers", PERCENT,
                          (*ARRANGEMENT_SERIES, MULTI_EMPLOYER_SERIES)),
    "formalization": Chart("Formal employment", "share of employed workers", PERCENT, FORMAL_SERIES),
    "scorecard": Chart("Standards scorecard (ILO C189, C181)", "share of employed workers", PERCENT, SCORECARD),
    "laws": Chart("Laws in practice: compliance and awareness", "share", PERCENT, LAW_SERIES),
    "unemployment": Chart("Unemployment and vacancies", "share", PERCENT,
                          (("unemployment_rate", "unemployment rate"), ("vacancy_rate", "vacancy rate"))),
    "channels": Chart("Placements by channel", "share of hires this month", PERCENT, CHANNEL_SERIES),
    "fees": Chart("Agency fees by side", "thousand yuan/month", MONEY,
                  (("worker_fees_paid", "paid by workers"), ("household_fees_paid", "paid by households")),
                  scale=1e-3),
    "agencies": Chart("Agencies by business model", "agencies", COUNT,
                      tuple((f"agencies_{kind}", series_label(kind)) for kind in BUSINESS_MODELS)),
}


def available_charts() -> list[str]:
    """Names of the charts the model's columns allow, in page order."""
    return [name for name, chart in CHARTS.items() if chart.available]


def rows(chart: Chart, run: History | None, twin: History | None,
         digits: int | None = 6) -> list[dict[str, Any]]:
    """The chart's points as JSON-ready dicts ``month, value, series, run``, month by month, values rounded.

    Months without a value are left out (a wage of 0 means nobody of that kind was paid, as
    ``model.run.plots.prepared`` has it). Month by month, so that next month's points come after
    this month's: the chart's widget then sends the browser only the new ones. Built from numpy
    columns, not a long pandas frame: pandas' string columns cost tens of milliseconds a chart.
    ``run`` and ``twin`` are the models' time series (:class:`model.viz.live.Columns`, or frames).
    """
    lines = []  # (run, label, months, values) of each line
    for which, raw in ((RUN, run), (TWIN, twin)):
        if raw is None or len(raw["month"]) == 0:
            continue
        months = np.asarray(raw["month"], dtype=np.int64)
        for column, label in chart.series:
            values = np.asarray(raw[column], dtype=float) * chart.scale
            if column in WAGE_COLUMNS:
                values = np.where(values > 0, values, np.nan)
            values = values.tolist() if digits is None else [round(value, digits) for value in values.tolist()]
            lines.append((which, label, months.tolist(), values))
    points = [(month, k, value) for k, (_, _, months, values) in enumerate(lines)
              for month, value in zip(months, values, strict=True) if not math.isnan(value)]
    points.sort(key=lambda point: point[0])  # stable: within a month, the lines in order
    return [{"month": month, "value": value, "series": lines[k][1], "run": lines[k][0]} for month, k, value in points]


def long_frame(chart: Chart, run: History | None, twin: History | None) -> pd.DataFrame:
    """The chart's series in long form: ``month, value, series, run``; months without a value are left out."""
    return pd.DataFrame(rows(chart, run, twin, digits=None), columns=["month", "value", "series", "run"])


def records(columns: pd.DataFrame | Mapping[str, Any], digits: int = 6) -> list[dict[str, Any]]:
    """Rows of equal-length columns (a frame, or numpy arrays by name) as JSON-ready dicts, floats rounded."""
    lists = {key: [round(value, digits) for value in values.tolist()] if values.dtype.kind == "f"
             else values.tolist() for key, values in columns.items()}
    return [dict(zip(lists, row, strict=True)) for row in zip(*lists.values(), strict=True)]


def spec(chart: Chart, run: History | None, twin: History | None, twin_label: str = "",
         months: int | None = None) -> dict:
    """The chart as a Vega-Lite spec: the run solid, the twin dashed, one colour a series."""
    data = rows(chart, run, twin)
    if months is None:  # the x axis spans the run's months: the chart's frame stays, only its data change
        months = max(12, data[-1]["month"] if data else 12)
    runs = [RUN, TWIN] if twin is not None else [RUN]
    dash: dict[str, Any] = {"field": "run", "type": "nominal",
                            "scale": {"domain": runs, "range": [[1, 0], [5, 3]][: len(runs)]}, "legend": None}
    if twin is not None:
        dash["title"] = f"twin: {twin_label}"
        dash["legend"] = {"orient": "top"}
    y_axis: dict[str, Any] = {"field": "value", "type": "quantitative", "title": chart.ylabel,
                              "scale": {"zero": chart.kind != WAGE}, "axis": {"format": _FORMATS[chart.kind]}}
    if not data:
        y_axis["scale"]["domain"] = [0, 1]  # nothing yet: an empty frame rather than an infinite extent
        y_axis["axis"]["labels"] = False  # whose ticks would read 0, 0, 0, 1, 1, 1 in the chart's format
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": chart.title,
        "width": WIDTH,
        "height": HEIGHT,
        "datasets": {"table": data},
        "data": {"name": "table"},
        "mark": {"type": "line", "strokeWidth": 1.8},
        "encoding": {
            "x": {"field": "month", "type": "quantitative", "title": "month",
                  "scale": {"domain": [1, months], "nice": False}},
            "y": y_axis,
            # The domain named: the legend has its entries (and a size) before the first month too.
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": [label for _, label in chart.series]},
                      "legend": {"orient": "bottom", "columns": 2, "labelLimit": 220}},
            "strokeDash": dash,
            "detail": {"field": "run", "type": "nominal"},
        },
    }


def vega_element(vega_spec: dict, renderer: str = "canvas"):
    """A live Vega-Lite element of a spec.

    ``solara.FigureAltair`` takes an Altair chart and validates it on every render; our
    specs are plain dicts from a few templates (checked against the schema in the tests).
    They go to :class:`model.viz.vega.LiveVega`, which sends the browser a month's new rows and
    has it redraw the chart in place rather than build it again.
    """
    return LiveVega.element(spec=Spec(vega_spec), renderer=renderer)


def version(model: LiveModel) -> tuple:
    """What a drawing depends on: which models, at which month."""
    twin = model.twin
    return id(model), model.month, id(twin) if twin is not None else None, twin.month if twin is not None else None


@solara.component
def LiveChart(model: LiveModel, name: str):
    """One chart of ``CHARTS``, redrawn when the run or its twin steps."""
    update_counter.get()
    chart = CHARTS[name]
    key = version(model)
    vega_spec = solara.use_memo(lambda: spec(chart, model.columns(), model.columns("twin"), model.twin_label,
                                             model.params.months), [key])
    return vega_element(vega_spec)


def chart_component(name: str):
    """A SolaraViz component (a function of the model) that shows chart ``name``."""

    def component(model: LiveModel):
        return LiveChart(model, name)

    component.__name__ = f"{name}_chart"
    return component
