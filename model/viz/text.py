"""Text on the live app's pages: Markdown made into HTML in the server, and its style.

Not solara's Markdown widget: that one loads a diagram library (mermaid) and a formula library
(KaTeX) into the page as it first shows, half a second of the page's start. markdown-it makes a
panel in 1.7 ms against Python-Markdown's 4.1 (the widget's), which counts at every step. Markup in
the text itself (file names are the user's) is shown as text, never made part of the page.
"""

from __future__ import annotations

import solara
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")

CSS = """
.domwork-panel h2 { font-size: 1.5em; font-weight: 400; margin: 8px 0 8px; }
.domwork-panel h3 { font-size: 1.25em; font-weight: 500; margin: 12px 0 6px; }
.domwork-panel p { margin: 0 0 6px; }
.domwork-panel table { border-collapse: collapse; margin-bottom: 6px; }
.domwork-panel th, .domwork-panel td { border-bottom: 1px solid #e0e0e0; padding: 2px 8px; }
.domwork-panel th { text-align: left; font-weight: 500; }
.domwork-panel td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
.domwork-panel code { font-size: 0.95em; background: #f3f3f3; padding: 0 2px; }
.domwork-panel pre { background: #f3f3f3; padding: 8px; overflow-x: auto; white-space: pre-wrap; }
.domwork-panel pre code { padding: 0; }
"""


def markdown_html(text: str) -> str:
    """``text`` (Markdown with tables) as HTML, any markup in the text itself escaped."""
    return _MARKDOWN.render(text)


def MarkdownPanel(text: str, style: dict | None = None):
    """A Markdown text shown as HTML, as tall as its text: no row is hidden behind a scroll bar."""
    return solara.HTML(tag="div", unsafe_innerHTML=markdown_html(text), classes=["domwork-panel"], style=style or {})
