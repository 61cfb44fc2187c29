"""A comparison as one self-contained page (``report.html``) and as a workbook (``comparison.xlsx``).

The page holds the card, the tables, the scorecard, who gains and who pays, the winners and losers by
group, what changed, the command, versions and seeds, with every figure embedded as a data URI: it
reads offline and travels as one file. The workbook holds the same tables, one sheet each.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Sequence
from pathlib import Path

import markdown
import pandas as pd

from model.experiments import assumptions, desk, measures
from model.experiments.compare import (
    Comparison,
    comparison_table,
    pairing_table,
    replicates_table,
    stacked,
    under_each,
)

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
img { max-width: 100%; }
.card { display: flex; flex-wrap: wrap; gap: 12px; }
.figure { border: 1px solid #ccc; border-radius: 6px; padding: 10px 14px; width: 320px; }
.figure .value { font-size: 1.4em; font-weight: 600; }
.gains { color: #1a7f37; } .loses { color: #b42318; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; }
"""


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _embed_images(body: str, folder: Path) -> str:
    """Every ``<img src="figures/x.png">`` of ``body`` with the file's bytes in place of its name."""

    def replace(match: re.Match) -> str:
        path = folder / html.unescape(match.group(1))
        return f'src="{_data_uri(path)}"' if path.is_file() else match.group(0)

    return re.sub(r'src="([^"]+\.png)"', replace, body)


def _frame_html(frame: pd.DataFrame) -> str:
    frame = desk.shown(frame)
    return frame.to_html(index=False, na_rep="", float_format=lambda x: f"{x:,.6g}", border=0, escape=True)


def card_html(result: Comparison) -> str:
    """The card: one box per option and figure, the effect with its interval and the sentence."""
    boxes = []
    for e in desk.card(result):
        scale, unit, digits = desk._unit_words(e.column)
        interval = ("no interval" if e.low is None else
                    f"[{e.low * scale:+,.{digits}f}, {e.high * scale:+,.{digits}f}]")
        boxes.append(f'<div class="figure"><div>{html.escape(e.label)}: <b>{html.escape(e.scenario)}</b></div>'
                     f'<div class="value">{e.mean * scale:+,.{digits}f}{html.escape(unit)}</div>'
                     f"<div>95% interval {interval}, {e.replicates} paired replicates</div>"
                     f"<p>{html.escape(e.sentence)}</p></div>")
    return '<div class="card">' + "".join(boxes) + "</div>"


def report_html(results: Comparison | Sequence[Comparison], report_md: str, folder: Path, manifest: dict) -> str:
    """The whole page: the card, then ``report.md`` (figures embedded), winners and losers, what changed, provenance.

    Under assumption sets the card is the first set's; the group effects and what changed are every set's.
    """
    results = under_each(results)
    result = results[0]
    body = markdown.markdown(report_md, extensions=["tables"])
    body = _embed_images(body, folder)
    effects = stacked(desk.group_effects, results)
    verdicts = desk.winners_and_losers(effects)
    changed = stacked(desk.what_changed, results)
    title = html.escape(f"Comparison: {', '.join(e.label for e in result.entrants)}")
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
             f"<style>{STYLE}</style></head><body>",
             f"<h1>{title}</h1>", f"<h2>The card: effects against {html.escape(result.first.label)}</h2>",
             card_html(result),
             "<h2>Winners and losers by group</h2>",
             "<p>Paired effects whose 95% interval excludes 0 (more pay, income or employment is a gain; more "
             "cost to the state or to households is a loss). Every group effect: <code>group_effects.csv</code>."
             "</p>",
             _frame_html(verdicts) if len(verdicts) else "<p>No group effect is clear of 0.</p>",
             "<h2>What changed</h2>",
             _frame_html(changed) if len(changed) else "<p>The options do not differ from the reference.</p>",
             body,
             "<h2>Group effects</h2>", _frame_html(effects),
             "<h2>How to reproduce</h2>",
             f"<pre>{html.escape(' '.join(manifest.get('command') or []))}</pre>",
             f"<p>Versions: {html.escape(json.dumps(manifest.get('versions', {})))}; git commit "
             f"{html.escape(str(manifest.get('git_commit')))}.</p>",
             f"<p>Seeds of the replicates: {html.escape(', '.join(str(s) for s in manifest.get('seeds', [])))}.</p>",
             "</body></html>"]
    return "\n".join(parts)


def workbook_tables(results: Comparison | Sequence[Comparison]) -> dict[str, pd.DataFrame]:
    """The workbook's sheets, by name: every set's rows; under sets also ``robustness``."""
    results = under_each(results)
    sheets = {"card": desk.card_table, "comparison": comparison_table, "group_effects": desk.group_effects,
              "what_changed": desk.what_changed, "pairing": pairing_table, "replicates": replicates_table}
    tables = {name: stacked(table, results) for name, table in sheets.items()}
    if results[0].assumptions:
        available = results[0].per_replicate[results[0].first.label].columns
        headline = [column for _, column, _ in measures.resolve_all(measures.HEADLINE, available)]
        tables["robustness"] = assumptions.robustness_table(results, headline)
    return tables


def write_workbook(results: Comparison | Sequence[Comparison], path: Path) -> None:
    """``comparison.xlsx``: one sheet a table (openpyxl)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in workbook_tables(results).items():
            frame.astype({c: str for c in frame.columns if frame[c].dtype == object}).to_excel(
                writer, sheet_name=name, index=False)
