"""The Compare page: placeholder until the comparison panel lands."""

from __future__ import annotations

import solara


@solara.component
def Compare(setup, session, query):
    """The Compare page."""
    solara.Markdown("## Compare\nComing in the next commit.")
