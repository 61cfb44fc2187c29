"""The live app of ``domwork viz``: two pages, "City" (the live model) and "Compare" (policy options side by side).

Served by ``solara run model/viz/app.py``. This file imports only solara: the pages
(:mod:`model.viz.city`, with Mesa's visualisation and the model) are imported in a
background thread that starts with the server, so that the server answers, and the
browser loads solara's front end, while they load. Until they have, the page shows
its bar and a note, and has the browser load the chart library meanwhile.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from urllib.parse import parse_qsl

import solara

from model.viz import text
from model.viz.vega import LiveVega

# solara warns, in 12 lines on the terminal at the first visit, that a page served over http at an address
# other than "localhost" (ours is 127.0.0.1) gets a session cookie that an iframe could not keep. The app
# is not served in an iframe.
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)

LOADED = threading.Event()  # the pages' module is imported (or failed to be)
# The Compare page's module is imported this long after the pages', out of the way of the first page drawn.
COMPARE_AFTER_S = 10.0


def _load_compare() -> None:
    from model.viz import compare_page  # noqa: F401


def _load() -> None:
    """Import the pages (which starts building the first visitor's model), later the Compare page's module."""
    try:
        from model.viz import city  # noqa: F401
    finally:
        LOADED.set()
    later = threading.Timer(COMPARE_AFTER_S, _load_compare)
    later.daemon = True
    later.start()


# An error here shows on the page: ``pages()`` imports the module again and raises it there.
threading.Thread(target=_load, name="domwork-viz-load", daemon=True).start()


def pages():
    """The pages' module, once the background import has finished."""
    LOADED.wait()
    from model.viz import city

    return city


PAGES = ("City", "Compare")
# The bar's title keeps its width beside the centred tabs (else it reads "domw..."); the tab shown is
# underlined by its own border, not by vuetify's sliding bar, which stays where it was measured when the
# title and the menu button come in and the tabs move.
BAR_CSS = (".v-app-bar .v-toolbar__title { flex-shrink: 0; min-width: max-content; }"
           " .v-app-bar .v-tab--active { box-shadow: inset 0 -2px 0 white; }")
PAGE_QUERY = "page"  # ?page=compare opens the Compare page (its shareable links carry it)


def _query(search: str | None) -> dict[str, str]:
    return dict(parse_qsl((search or "").lstrip("?")))


@solara.component
def Loading(on_loaded: Callable[[bool], None]):
    """The page while its modules load: a note, and an empty chart, which loads the chart library meanwhile.

    Calls ``on_loaded(True)`` once they have.
    """

    def wait() -> None:
        LOADED.wait()
        on_loaded(True)

    solara.use_thread(wait, dependencies=[], intrusive_cancel=False)
    solara.AppBarTitle("domwork")
    with solara.Column(style={"padding": "16px"}):
        solara.Text("Loading the model and Mesa's visualisation...")
        solara.ProgressLinear(True)
        LiveVega.element(spec=None)


@solara.component
def Page():
    """The app: the two pages as named tabs in the bar ("City", "Compare"), one browser session's own."""
    router = solara.use_router()
    query = _query(router.search)
    tab = solara.use_reactive(1 if query.get(PAGE_QUERY, "").lower() == "compare" else 0)
    loaded = solara.use_reactive(LOADED.is_set())
    solara.Style(BAR_CSS + text.CSS)
    with solara.AppBar():
        solara.v.Tabs(v_model=tab.value, on_v_model=tab.set, centered=True, background_color="transparent",
                      dark=True, hide_slider=True, children=[solara.v.Tab(children=[label]) for label in PAGES])
    if not loaded.value:
        Loading(loaded.set)
        return
    city = pages()
    if tab.value == 1:
        city.ComparePage(query)
    else:
        city.CityPage()
