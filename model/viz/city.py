"""The pages of the live app (:mod:`model.viz.app`): the City page, and the Compare page's entry.

Imported by the app in a background thread while the server starts (Mesa's
visualisation, the model and its compiled kernels take a few seconds), and the
first visitor's model is built then too. ``DOMWORK_VIZ_SCENARIO`` names the
scenario file the City page starts with (unset: the built-in baseline); the
pickers offer the project's scenarios and the files of that scenario's folder,
by name. Each browser session has its own models and comparisons
(:mod:`model.viz.sessions`): visitors never share one.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz

from model.viz import charts, city_map, panels, sessions
from model.viz.controls import SCENARIO_KEY, SEED_KEY, PageSetup, controls
from model.viz.live import LiveModel, Spare
from model.viz.server import SCENARIO_ENV
from model.viz.text import MarkdownPanel

TWIN_DEFAULT = "baseline.yaml"
# SolaraViz names its one grid page "Page 0"; the app's pages are named in the bar above instead.
CITY_CSS = ".domwork-city .v-tabs { display: none; }"


def page_setup() -> PageSetup:
    """The page's set-up from the environment (the CLI has checked that the scenario validates)."""
    return PageSetup.create(os.environ.get(SCENARIO_ENV) or None)


def components() -> list:
    """The map and every chart the model's columns allow, in page order (the text panels sit above the grid)."""
    return [city_map.map_component, *(charts.chart_component(name) for name in charts.available_charts())]


SETUP = page_setup()
# The first visitor's model is built while the server starts and the browser loads the page.
SPARE = Spare(SETUP)
SPARE.start()


@solara.component
def ControlsPanel(settings: dict):
    """The page's controls, each with its exact value and unit; they take effect on Reset.

    A control writes to the session's ``settings`` only once it is moved (see
    :meth:`model.viz.controls.Control.moved`); put back, it is forgotten again.
    """
    shown = solara.use_reactive(dict(settings))
    items = controls(SETUP)

    def change(key: str, value) -> None:
        item = items.get(key)
        if item is None or item.moved(value) or key in (SCENARIO_KEY, SEED_KEY):
            settings[key] = value
        else:
            settings.pop(key, None)
        shown.value = dict(settings)

    with solara.Column(gap="2px", style={"min-width": "260px"}):
        MarkdownPanel("Settings take effect on **Reset**. A setting left alone keeps the scenario's value.",
                      style={"font-size": "0.85em"})
        solara.Select(label="Scenario", value=shown.value.get(SCENARIO_KEY, SETUP.start[SCENARIO_KEY]),
                      values=SETUP.scenario_files(), on_value=lambda v: change(SCENARIO_KEY, v))
        solara.InputText(label="Seed (a whole number)", value=str(shown.value.get(SEED_KEY, SETUP.start[SEED_KEY])),
                         on_value=lambda v: change(SEED_KEY, v))
        for key, item in items.items():
            value = shown.value.get(key, item.start)
            mark = " (changed)" if key in shown.value else ""
            if item.kind == "switch":
                solara.Checkbox(label=f"{item.label}{mark}", value=bool(value),
                                on_value=lambda v, key=key: change(key, v))
                continue
            solara.Text(f"{item.label}: {item.text(value)}{mark}", style={"font-size": "0.85em"})
            slider = solara.SliderFloat if item.kind == "float" else solara.SliderInt
            slider("", value=value, min=item.low, max=item.high, step=item.step, thumb_label=False,
                   on_value=lambda v, key=key: change(key, v))


@solara.component
def SessionsFull():
    """What a visitor beyond the cap on sessions sees."""
    solara.Error(f"This app already serves {sessions.max_sessions()} browser sessions, its limit "
                 "(domwork viz --max-sessions). Close another tab, or try again in a minute.")


@solara.component
def CityPage():
    """One browser session's City page (or a message when the app serves as many sessions as it may)."""
    session = sessions.current()
    return City(session) if session.admitted else SessionsFull()


@solara.component
def City(session: sessions.Session):
    """The City page of a session: its own model, its controls, the twin bar, the panels and SolaraViz."""
    first = solara.use_memo(lambda: session.city or (None if session.settings else SPARE.take())
                            or LiveModel(setup=SETUP, page_settings=session.settings), [])
    model = solara.use_reactive(first)
    session.city = model.value
    choices = SETUP.scenario_files()
    default = TWIN_DEFAULT if TWIN_DEFAULT in choices else (choices[0] if choices else "")
    title = f"domwork: {SETUP.launch.name if SETUP.launch else 'built-in baseline'}"
    solara.Style(CITY_CSS)
    with solara.Sidebar(), solara.Card("Scenario and policies"):
        ControlsPanel(session.settings)
    with solara.Column(style={"padding": "0 12px"}, classes=["domwork-city"]):
        panels.TwinBar(model, choices, default)
        with solara.Columns([1, 1]):
            panels.Headlines(model.value)
            panels.Differences(model.value)
        SolaraViz(model, components=components(), name=title,
                  model_params={"setup": SETUP, "page_settings": session.settings})


@solara.component
def ComparePage(query: dict[str, str]):
    """One browser session's Compare page (see :mod:`model.viz.compare_page`), opened from a link's ``query``."""
    from model.viz import compare_page

    session = sessions.current()
    return compare_page.Compare(SETUP, session, query) if session.admitted else SessionsFull()
