"""The map: the city's neighbourhoods, its households, a sample of its workers and its agencies.

Three views (the buttons above it): workers in formal or informal jobs; workers by the
arrangement of their job (live-in, live-out, hourly or day work); and where the policy
twin differs from this run, neighbourhood by neighbourhood (formal jobs, and jobs, at the
employer's home: the twin's count minus this run's).

The grid is the one ``model/core/city.py`` lays out: household income
(shaded) falls away from the centre and migrant workers rent in the urban
villages (outlined). Workers are drawn where they are this month: at the
household they work for, or at home in an urban village while they search or
are away. Positions inside a cell are fixed per row (a low-discrepancy
sequence), so dots do not jump between months; no model randomness is used.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from model.core.tables import AWAY, BUSINESS_MODELS, EMPLOYED, HOURLY, LIVE_IN, LIVE_OUT, SEARCHING
from model.viz.charts import VEGA_LITE_SCHEMA, records, vega_element, version
from model.viz.live import LiveModel

MAX_WORKERS_DRAWN = 1200  # across the four states
MAX_HOUSEHOLDS_DRAWN = 1200
SIZE = 290  # pixels a side

# Map states, their colours (and shapes for agencies).
WORKER_STATES = {"searching": "#d62728", "informal job": "#ff7f0e", "formal job": "#2ca02c", "away": "#9467bd"}
ARRANGEMENT_STATES = {"searching": "#d62728", "live-in": "#8c564b", "live-out": "#17becf",
                      "hourly or day work": "#bcbd22", "away": "#9467bd"}
# The map's views: the button's label by key.
VIEWS = {"jobs": "Formal or informal", "arrangements": "Arrangements", "twin": "Twin's difference"}
HOUSEHOLD_STATES = {"employs a worker": "#525252", "vacancy": "#1f77b4", "no need": "#cccccc"}
AGENCY_SHAPES = {"intermediary": "triangle-up", "membership": "square", "employee based": "diamond"}
_R2 = (0.7548776662466927, 0.5698402909980532)  # the plastic-number sequence: evenly spread points


def _offsets(rows: np.ndarray, shift: float) -> tuple[np.ndarray, np.ndarray]:
    """Fixed positions in (0.1, 0.9) of a cell for each row."""
    u = np.mod(shift + rows * _R2[0], 1.0)
    v = np.mod(shift + rows * _R2[1], 1.0)
    return 0.1 + 0.8 * u, 0.1 + 0.8 * v


def _sample(rows: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` of ``rows``, every k-th: much the same rows month after month."""
    if rows.size <= most:
        return rows
    return rows[:: -(-rows.size // most)]


def _every(rows: np.ndarray, k: int) -> np.ndarray:
    """The rows (of a table) that are a multiple of ``k``, or the first one if none is: the same rows each month."""
    chosen = rows[rows % k == 0]
    return chosen if chosen.size or not rows.size else rows[:1]


def worker_states(model: LiveModel, view: str = "jobs") -> dict[str, np.ndarray]:
    """Rows of the workers in each map state of ``view``: searching, the jobs, away.

    The jobs are formal or informal (``view`` "jobs"), or by arrangement ("arrangements").
    """
    w = model.workers
    status = w.view("status")
    employed = status == EMPLOYED
    if view == "arrangements":
        arrangement = w.view("arrangement")
        jobs = {"live-in": employed & (arrangement == LIVE_IN), "live-out": employed & (arrangement == LIVE_OUT),
                "hourly or day work": employed & (arrangement == HOURLY)}
    else:
        formal = employed & w.view("contract") & w.view("insured")
        jobs = {"informal job": employed & ~formal, "formal job": formal}
    return {"searching": np.flatnonzero(status == SEARCHING), **{k: np.flatnonzero(v) for k, v in jobs.items()},
            "away": np.flatnonzero(status == AWAY)}


def jobs_by_cell(model) -> tuple[np.ndarray, np.ndarray]:
    """Jobs and formal jobs in each neighbourhood, counted at the employer's home."""
    w, h = model.workers, model.households
    employed = np.flatnonzero((w.view("status") == EMPLOYED) & (w.employer[: w.n] >= 0))
    cells = h.cell[w.employer[employed]]
    formal = w.view("contract")[employed] & w.view("insured")[employed]
    size = model.city.cells
    return (np.bincount(cells, minlength=size)[:size],
            np.bincount(cells, weights=formal.astype(float), minlength=size)[:size].astype(np.int64))


def twin_frame(model: LiveModel) -> pd.DataFrame:
    """``cells_frame`` with, per neighbourhood, the twin's jobs and formal jobs minus this run's."""
    frame = cells_frame(model)
    jobs, formal = jobs_by_cell(model)
    twin_jobs, twin_formal = jobs_by_cell(model.twin) if model.twin is not None else (jobs, formal)
    frame["formal_jobs"] = twin_formal - formal
    frame["jobs"] = twin_jobs - jobs
    return frame


def _cells(model: LiveModel) -> dict[str, np.ndarray]:
    """Each neighbourhood's corners in km, income multiplier and whether it is an urban village, as columns."""
    city, cell = model.city, model.params.city.cell_km
    village = np.zeros(city.cells, dtype=bool)
    village[city.urban_villages] = True
    return {"x": city.x_km - cell / 2, "x2": city.x_km + cell / 2, "y": city.y_km - cell / 2,
            "y2": city.y_km + cell / 2, "income": city.income_multiplier.round(3), "urban_village": village}


def cells_frame(model: LiveModel) -> pd.DataFrame:
    """One row a neighbourhood: its corners in km, income multiplier and whether it is an urban village."""
    return pd.DataFrame(_cells(model))


def dots(model: LiveModel, view: str = "jobs") -> list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray]]:
    """The map's dots, group by group: ``(kind, state, rows, x, y)``, positions in km rounded to 10 m.

    Households (a sample), workers (a sample, in proportion to the states of ``view``) and agencies.
    The samples keep the same rows from month to month (every k-th row of the table), so that a month
    changes only the dots of those whose state or place changed.
    """
    city, cell = model.city, model.params.city.cell_km
    corner_x, corner_y = city.x_km - cell / 2, city.y_km - cell / 2
    groups = []

    def add(kind: str, state: str, rows: np.ndarray, cells: np.ndarray, shift: float) -> None:
        du, dv = _offsets(rows, shift)
        groups.append((kind, state, rows, (corner_x[cells] + du * cell).round(2),
                       (corner_y[cells] + dv * cell).round(2)))

    h = model.households
    h_rows = _sample(np.arange(h.n), MAX_HOUSEHOLDS_DRAWN)
    employs, needs = h.view("worker")[h_rows] >= 0, h.view("need")[h_rows] >= 0
    for state, mask in (("employs a worker", employs), ("vacancy", needs & ~employs), ("no need", ~needs & ~employs)):
        add("household", state, h_rows[mask], h.cell[h_rows[mask]], 0.0)

    w = model.workers
    states = worker_states(model, view)
    present = sum(rows.size for rows in states.values())
    every = max(1, math.ceil(present / (0.9 * MAX_WORKERS_DRAWN)))  # 0.9: room for chance above the mean
    for state, in_state in states.items():
        rows = _every(in_state, every)
        employer = w.employer[rows]
        cells = np.where(employer >= 0, h.cell[np.maximum(employer, 0)], w.home_cell[rows])
        add("worker", state, rows, cells, 0.37)

    a = model.agencies
    active = np.flatnonzero(a.view("active"))
    for k, kind in enumerate(BUSINESS_MODELS):
        rows = active[a.business_model[active] == k]
        add("agency", kind.replace("_", " "), rows, a.cell[rows], 0.71)
    return groups


def points_frame(model: LiveModel, view: str = "jobs") -> pd.DataFrame:
    """One row a dot: households (a sample), workers (a sample) and agencies, with ``kind`` and ``state``."""
    return pd.concat([pd.DataFrame({"x": x, "y": y, "kind": kind, "state": state})
                      for kind, state, _, x, y in dots(model, view)], ignore_index=True)


def _dot_records(model: LiveModel, view: str) -> dict[str, list[dict]]:
    """The dots of each kind as JSON-ready dicts ``id, x, y, state`` (built without pandas: a step's budget).

    ``id`` is the row in its table: the chart's widget sends the browser only the dots that changed.
    """
    out: dict[str, list[dict]] = {"household": [], "worker": [], "agency": []}
    for kind, state, rows, x, y in dots(model, view):
        out[kind] += [{"id": r, "x": u, "y": v, "state": state}
                      for r, u, v in zip(rows.tolist(), x.tolist(), y.tolist(), strict=True)]
    return out


def _colour(title: str, states: dict[str, str]) -> dict:
    return {"field": "state", "type": "nominal", "title": title,
            "scale": {"domain": list(states), "range": list(states.values())}, "legend": {"orient": "right"}}


def spec(model: LiveModel, view: str = "jobs") -> dict:
    """The map of this month in ``view`` (a key of ``VIEWS``) as a layered Vega-Lite spec."""
    if view == "twin":
        return twin_spec(model)
    half = model.params.city.grid_size * model.params.city.cell_km / 2
    x = {"field": "x", "type": "quantitative", "title": "km from the centre",
         "scale": {"domain": [-half, half], "nice": False}}
    y = {"field": "y", "type": "quantitative", "title": None, "scale": {"domain": [-half, half], "nice": False}}
    village = "datum.urban_village"
    ground = {
        "data": {"name": "cells"},
        "mark": {"type": "rect", "opacity": 0.75},
        "encoding": {
            "x": x, "x2": {"field": "x2"}, "y": y, "y2": {"field": "y2"},
            "color": {"field": "income", "type": "quantitative", "title": "household income (x mean)",
                      "scale": {"scheme": "greens"}, "legend": {"orient": "right", "gradientLength": 100}},
            "stroke": {"condition": {"test": village, "value": "#8c564b"}, "value": "#ffffff"},
            "strokeWidth": {"condition": {"test": village, "value": 2.5}, "value": 0.3},
        },
    }

    def dots(kind: str, states: dict[str, str], title: str, size: int, opacity: float) -> dict:
        return {"data": {"name": kind}, "mark": {"type": "point", "filled": True, "size": size, "opacity": opacity},
                "encoding": {"x": x, "y": y, "color": _colour(title, states)}}

    agencies = {
        "data": {"name": "agency"},
        "mark": {"type": "point", "filled": True, "size": 70, "color": "white", "stroke": "black",
                 "strokeWidth": 1.2},
        "encoding": {"x": x, "y": y, "shape": {
            "field": "state", "type": "nominal", "title": "agencies",
            "scale": {"domain": list(AGENCY_SHAPES), "range": list(AGENCY_SHAPES.values())},
            "legend": {"orient": "right"}}},
    }
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": "The city this month", "subtitle": "urban villages outlined in brown"},
        "width": SIZE,
        "height": SIZE,
        "datasets": {
            "cells": records(_cells(model), digits=3),
            **_dot_records(model, view),
        },
        "layer": [ground, dots("household", HOUSEHOLD_STATES, "households", 6, 0.8),
                  dots("worker", ARRANGEMENT_STATES if view == "arrangements" else WORKER_STATES,
                       "workers (a sample)", 12, 0.9), agencies],
        "resolve": {"scale": {"color": "independent"}},
    }


def twin_spec(model: LiveModel) -> dict:
    """Neighbourhoods coloured by the twin's formal jobs minus this run's (blue: more under the twin)."""
    half = model.params.city.grid_size * model.params.city.cell_km / 2
    x = {"field": "x", "type": "quantitative", "title": "km from the centre",
         "scale": {"domain": [-half, half], "nice": False}}
    y = {"field": "y", "type": "quantitative", "title": None, "scale": {"domain": [-half, half], "nice": False}}
    frame = twin_frame(model)
    widest = max(1, int(frame["formal_jobs"].abs().max()))
    village = "datum.urban_village"
    if model.twin is None:
        subtitle = "no policy twin: pick one under 'Policy twin' to see where it differs"
    else:
        subtitle = (f"{model.twin_label} minus this run, month {model.month}: {int(frame['formal_jobs'].sum()):+,} "
                    f"formal jobs, {int(frame['jobs'].sum()):+,} jobs")
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": "Where the policy twin differs", "subtitle": subtitle},
        "width": SIZE,
        "height": SIZE,
        "data": {"values": records(frame, digits=3)},
        "mark": {"type": "rect"},
        "encoding": {
            "x": x, "x2": {"field": "x2"}, "y": y, "y2": {"field": "y2"},
            "color": {"field": "formal_jobs", "type": "quantitative", "title": "formal jobs (twin - this run)",
                      "scale": {"scheme": "redblue", "domain": [-widest, widest]},
                      "legend": {"orient": "right", "gradientLength": 100}},
            "stroke": {"condition": {"test": village, "value": "#8c564b"}, "value": "#ffffff"},
            "strokeWidth": {"condition": {"test": village, "value": 2.5}, "value": 0.3},
            "tooltip": [{"field": "formal_jobs", "title": "formal jobs"}, {"field": "jobs", "title": "jobs"}],
        },
    }


@solara.component
def CityMap(model: LiveModel):
    """The map, redrawn each month, with its view buttons."""
    update_counter.get()
    view = solara.use_reactive("jobs")
    key = (*version(model), view.value)
    vega_spec = solara.use_memo(lambda: spec(model, view.value), [key])
    with solara.Column(gap="4px") as column:
        with solara.ToggleButtonsSingle(value=view, dense=True, classes=["domwork-map-views"]):
            for name, label in VIEWS.items():
                solara.Button(label, value=name, text=True)
        vega_element(vega_spec, renderer="canvas")
    return column


def map_component(model: LiveModel):
    """The map as a SolaraViz component."""
    return CityMap(model)
