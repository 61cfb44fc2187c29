"""The live page of ``domwork viz``: SolaraViz over a :class:`~model.viz.live.LiveModel`, with a policy twin.

Served by ``solara run model/viz/app.py``. ``DOMWORK_VIZ_SCENARIO`` names the
scenario file the page starts with (unset: the built-in baseline); the picker
offers the scenario files of its folder. Each browser session builds its own
model (inside :func:`Page`), so that visitors never share one.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz

from model.viz import charts, city_map, panels
from model.viz.controls import PageSetup, model_params
from model.viz.live import LiveModel
from model.viz.server import SCENARIO_ENV

TWIN_DEFAULT = "baseline.yaml"


def page_setup() -> PageSetup:
    """The page's set-up from the environment (the CLI has checked that the scenario validates)."""
    return PageSetup.create(os.environ.get(SCENARIO_ENV) or None)


def components() -> list:
    """The map, the text panels and every chart the model's columns allow, in page order."""
    return [city_map.map_component, panels.headlines_component, panels.differences_component,
            *(charts.chart_component(name) for name in charts.available_charts())]


SETUP = page_setup()


@solara.component
def Page():
    """One browser session's page: its own model, the twin bar and SolaraViz."""
    first = solara.use_memo(lambda: LiveModel(setup=SETUP), [])
    model = solara.use_reactive(first)
    choices = SETUP.scenario_files()
    default = TWIN_DEFAULT if TWIN_DEFAULT in choices else (choices[0] if choices else "")
    title = f"domwork: {SETUP.launch.name if SETUP.launch else 'built-in baseline'}"
    with solara.Column(style={"padding": "0 12px"}):
        panels.TwinBar(model, choices, default)
        SolaraViz(model, components=components(), model_params=model_params(SETUP), name=title)
