"""The Compare page: policy options against a reference, paired, with a card, group effects and a shareable link.

The analyst picks a reference and up to five options (scenarios the page offers, each with
key changes of her own), months, replicates or precision targets. The comparison runs in a
process of its own (:mod:`model.viz.compare_job`) while the page shows its progress and a
Cancel button; then the page shows the card, the effects chart, the standards scorecard,
who gains and who pays, winners and losers by group, what changed, the link that
reproduces the analysis, the ``domwork compare`` command and a Python snippet, and the
downloads.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import pandas as pd
import solara

from model import __version__
from model.experiments import desk, measures
from model.scenario.loading import ScenarioError
from model.viz import sessions
from model.viz.compare_job import MAX_OPTIONS, Analysis, Job, Option, python_snippet, resolve
from model.viz.controls import PageSetup
from model.viz.text import MarkdownPanel

POLL_S = 0.4
DOWNLOADS = (("comparison.csv", "text/csv"), ("group_effects.csv", "text/csv"),
             ("comparison.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
             ("report.html", "text/html"))
FIGURES = (("effects.png", "Effects against the reference"), ("scorecard.png", "Standards scorecard"),
           ("who_gains.png", "Who gains, who pays"))


def _table(frame: pd.DataFrame) -> None:
    """A table at full height (no row hidden behind a scroll bar)."""
    solara.HTML(tag="div", unsafe_innerHTML=desk.shown(frame).to_html(index=False, na_rep="", border=0, escape=True,
                                                          float_format=lambda x: f"{x:,.4g}"),
                style={"font-size": "0.85em", "overflow-x": "auto"})


def card_rows(folder: Path) -> list[dict]:
    """The card of a finished comparison: one row an option and figure, with its sentence."""
    table = pd.read_csv(folder / "comparison.csv")
    reference = table["scenario"].iloc[0]
    rows = []
    for column, label in desk.CARD:
        level = table[(table["metric"] == column) & (table["scenario"] == reference)]
        if level.empty:
            continue
        for _, row in table[(table["metric"] == column) & (table["scenario"] != reference)].iterrows():
            low = None if pd.isna(row["diff_ci_low"]) else float(row["diff_ci_low"])
            high = None if pd.isna(row["diff_ci_high"]) else float(row["diff_ci_high"])
            scale, unit, digits = desk._unit_words(column)
            rows.append({"scenario": row["scenario"], "label": label, "column": column,
                         "effect": f"{row['diff_vs_first'] * scale:+,.{digits}f}{unit}",
                         "interval": "no interval" if low is None else
                         f"[{low * scale:+,.{digits}f}, {high * scale:+,.{digits}f}]",
                         "sentence": desk.effect_sentence(column, label, reference, row["scenario"],
                                                          float(row["diff_vs_first"]), low, high)})
    return rows


@solara.component
def Card(folder: Path):
    """The headline card: each option's paired effect on the five figures, with interval and sentence."""
    with solara.Row(gap="10px", style={"flex-wrap": "wrap"}):
        for row in card_rows(folder):
            with solara.Card(style={"width": "300px"}, classes=["domwork-card"]), solara.Column(gap="2px"):
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(f"{row['label']}: {row['scenario']}"),
                            classes=["domwork-card-title"], style={"font-size": "0.85em"})
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(row["effect"]), classes=["domwork-effect"],
                            style={"font-size": "1.3em", "font-weight": "600"})
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(f"95% interval {row['interval']}"),
                            classes=["domwork-interval"], style={"font-size": "0.85em"})
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(row["sentence"]), classes=["domwork-sentence"],
                            style={"font-size": "0.85em"})


@solara.component
def Results(job: Job, analysis: Analysis):
    """Everything a finished comparison shows, and its link, reproduce panel and downloads."""
    folder = job.folder
    MarkdownPanel(f"### The card: effects against {job.resolved.labels[0]}")
    Card(folder)
    effects = pd.read_csv(folder / "group_effects.csv")
    comparison = pd.read_csv(folder / "comparison.csv")
    for name, title in FIGURES:
        if (folder / "figures" / name).exists():
            MarkdownPanel(f"### {title}")
            solara.Image(folder / "figures" / name, width="900px")
    MarkdownPanel("### Who gains, who pays")
    who = [m.column for _, m in measures.WHO_GAINS]
    _table(comparison[comparison["metric"].isin(who)][["scenario", "metric", "mean", "diff_vs_first",
                                                       "diff_ci_low", "diff_ci_high"]])
    MarkdownPanel("### Winners and losers by group (paired effects whose 95% interval excludes 0)")
    verdicts = desk.winners_and_losers(effects)
    if len(verdicts):
        _table(verdicts)
    else:
        solara.Text("No group effect is clear of 0.")
    MarkdownPanel("### Every group effect")
    _table(effects)
    MarkdownPanel("### What changed")
    changed = pd.read_excel(folder / "comparison.xlsx", sheet_name="what_changed")
    _table(changed) if len(changed) else solara.Text("The options do not differ from the reference.")
    Reproduce(job, analysis)


@solara.component
def Reproduce(job: Job, analysis: Analysis):
    """The link, the command, a Python snippet and the downloads."""
    link = "?" + analysis.query()
    MarkdownPanel("### Share and reproduce")
    solara.HTML(tag="div", unsafe_innerHTML=f'<a id="domwork-share-link" href="{html.escape(link)}" '
                                           f'target="_blank">Link to this analysis</a> (domwork {__version__}: '
                                           "it opens this page with the same settings and the same numbers)")
    MarkdownPanel("The same comparison from the command line (the scenario files are in the downloads' "
                    "`scenarios/` and in `comparison.xlsx`):\n\n```sh\n" + " ".join(job.resolved.argv) + "\n```")
    MarkdownPanel("And from Python:\n\n```python\n" + python_snippet(analysis, job.resolved) + "\n```")
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
        for name, mime in DOWNLOADS:
            path = job.folder / name
            if path.exists():
                solara.FileDownload(lambda path=path: path.read_bytes(), filename=name, label=name,
                                    mime_type=mime)
        for label, text in zip(job.resolved.labels, job.resolved.yamls, strict=True):
            solara.FileDownload(text, filename=f"{label}.yaml", label=f"{label}.yaml", mime_type="text/yaml")


@solara.component
def Compare(setup: PageSetup, session: sessions.Session, query: dict[str, str]):
    """The Compare page of one session."""
    from urllib.parse import urlencode

    choices = [name for name in setup.scenario_files()]
    linked = solara.use_memo(lambda: _from_link(urlencode(query)), [])
    start = linked[0] or Analysis(choices[0] if choices else "", (Option(""),))
    reference = solara.use_reactive(start.reference)
    options = solara.use_reactive([o.text() for o in start.options])
    months = solara.use_reactive(start.months)
    replicates = solara.use_reactive(start.replicates)
    precision = solara.use_reactive(" ".join(start.precision))
    seed = solara.use_reactive("" if start.seed is None else str(start.seed))
    job = solara.use_reactive(None)
    problem = solara.use_reactive(linked[1])
    tick = solara.use_reactive(0)

    def analysis() -> Analysis:
        text = seed.value.strip()
        try:
            seed_value = int(text) if text else None
        except ValueError:
            raise ScenarioError(f"Seed: {text!r} is not a whole number") from None
        return Analysis(reference.value, tuple(Option.parse(o) for o in options.value if o.strip()),
                        int(months.value or 0), int(replicates.value or 0), tuple(precision.value.split()),
                        seed_value)

    def run(what: Analysis | None = None) -> None:
        if job.value is not None and job.value.state == "running":
            job.value.cancel()
        problem.value = ""
        try:
            what = what or analysis()
            resolved = resolve(what, setup.path_of)
        except (ScenarioError, ValueError) as err:
            problem.value = str(err)
            return
        new = Job(what, resolved)
        session.jobs.append(new)
        new.start()
        job.value = new

    def cancel() -> None:
        if job.value is not None:
            job.value.cancel()
            tick.value += 1

    def watch(cancelled) -> None:
        current = job.value
        while current is not None and current.poll() == "running" and not cancelled.is_set():
            time.sleep(POLL_S)
            tick.value += 1
        tick.value += 1

    solara.use_thread(watch, dependencies=[job.value])
    solara.use_effect(lambda: run(linked[0]) if linked[0] is not None and not linked[1] else None, [])

    solara.Title("domwork: compare")
    with solara.AppBar():
        solara.AppBarTitle("domwork: compare")
    with solara.Column(style={"padding": "12px", "max-width": "1200px"}):
        MarkdownPanel("## Compare policy options\nEach option runs in the reference's city with its seeds, "
                        "replicate by replicate (common random numbers): every effect is a paired difference with "
                        "its 95% interval.")
        if linked[2]:
            solara.Warning(linked[2])
        with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Select(label="Reference", value=reference, values=choices, style={"min-width": "260px"})
            solara.InputInt("Months", value=months, style={"max-width": "110px"})
            solara.InputInt("Replicates", value=replicates, style={"max-width": "110px"})
            solara.InputText("Precision (METRIC=HALFWIDTH ...)", value=precision, style={"min-width": "260px"})
            solara.InputText("Seed (empty: the reference's)", value=seed, style={"max-width": "200px"})
        for k, text in enumerate(options.value):
            option = Option.parse(text)

            def set_scenario(name: str, k: int = k) -> None:
                items = list(options.value)
                items[k] = Option(name, Option.parse(items[k]).changes).text()
                options.value = items

            def set_changes(value: str, k: int = k) -> None:
                items = list(options.value)
                items[k] = Option(Option.parse(items[k]).scenario, tuple(c.strip() for c in value.split(";")
                                                                         if c.strip())).text()
                options.value = items

            def remove(k: int = k) -> None:
                options.value = [o for i, o in enumerate(options.value) if i != k]

            with solara.Row(gap="12px", style={"align-items": "center"}):
                solara.Select(label=f"Option {k + 1}", value=option.scenario or None, values=choices,
                              on_value=set_scenario, style={"min-width": "260px"})
                solara.InputText("Key changes (key=value; ...)", value="; ".join(option.changes),
                                 on_value=set_changes, style={"min-width": "420px"})
                solara.Button("Remove", on_click=remove, text=True)
        with solara.Row(gap="12px"):
            solara.Button("Add option", on_click=lambda: options.set([*options.value, ""]),
                          disabled=len(options.value) >= MAX_OPTIONS)
            solara.Button("Run comparison", on_click=lambda: run(None), color="primary")
            running = job.value is not None and job.value.state == "running"
            solara.Button("Cancel", on_click=cancel, disabled=not running)
        if problem.value:
            solara.Error(problem.value)
        current = job.value
        if current is not None:
            _ = tick.value  # redrawn as the job moves
            share, words = current.progress()
            state = current.state
            if state == "running":
                solara.ProgressLinear(max(share * 100, 1.0))
                solara.Text(f"Running: {words}", classes=["domwork-progress"])
            elif state == "cancelled":
                solara.Warning("Comparison cancelled.")
            elif state == "failed":
                solara.Error(f"The comparison failed: {current.error}")
            elif state == "done":
                solara.Text(f"Comparison {words}.", classes=["domwork-progress"])
                Results(current, current.analysis)


def _from_link(query: str) -> tuple[Analysis | None, str, str]:
    """The analysis of a link, a problem with it, and a warning when it was made with another version."""
    try:
        found = Analysis.from_query(query)
    except ScenarioError as err:
        return None, str(err), ""
    if found is None:
        return None, "", ""
    warning = ""
    if found.version != __version__:
        warning = (f"This link was made with domwork {found.version}; this is domwork {__version__}: the numbers "
                   "may differ from the ones it was shared with.")
        found = Analysis(found.reference, found.options, found.months, found.replicates, found.precision,
                         found.seed, __version__)
    return found, "", warning
