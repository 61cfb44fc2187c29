"""Text panels of the page: the month and headline figures, the twin's differences, messages, the twin switch."""

from __future__ import annotations

import calendar

import solara
from mesa.visualization.utils import force_update, update_counter

from model.core import metrics
from model.viz.live import LiveModel
from model.viz.text import MarkdownPanel

# (column, label, format) of the headline figures; shares as percentages, money in yuan, hours and pay an
# hour to a tenth.
HEADLINES: tuple[tuple[str, str, str], ...] = tuple(h for h in (
    ("employed", "employed workers", "{:,.0f}"),
    ("searching", "searching for work", "{:,.0f}"),
    ("mean_wage", "mean wage (yuan/month)", "{:,.0f}"),
    ("median_wage", "median wage (yuan/month)", "{:,.0f}"),
    ("mean_hourly_wage", "mean hourly wage (yuan/h)", "{:,.1f}"),
    ("mean_hours_week", "mean hours a week (employed)", "{:,.1f}"),
    ("live_in_share", "live-in (main job)", "{:.1%}"),
    ("live_out_share", "live-out full-time (main job)", "{:.1%}"),
    ("hourly_share", "hourly or day work (main job)", "{:.1%}"),
    ("formal_share", "formal jobs (contract and insurance)", "{:.1%}"),
    ("contract_share", "with a written contract", "{:.1%}"),
    ("decent_work_share", "decent work (all four standards)", "{:.1%}"),
    ("c189_weekly_rest_share", "weekly rest, 24 hours in a row (C189 Art. 10)", "{:.1%}"),
    ("unemployment_rate", "unemployment rate", "{:.1%}"),
    ("vacancy_rate", "vacancy rate", "{:.1%}"),
    ("agency_placement_share", "hires through agencies", "{:.1%}"),
    ("worker_fees_paid", "fees paid by workers (yuan)", "{:,.0f}"),
    ("household_fees_paid", "fees paid by households (yuan)", "{:,.0f}"),
    ("agencies_active", "agencies active", "{:,.0f}"),
) if h[0] in metrics.COLUMNS)
RECENT_MONTHS = 12  # the differences panel also shows the mean over this many months


def calendar_label(model: LiveModel) -> str:
    """The current month as a calendar month and year, e.g. "March 2016 (month 3 of 120)".

    From the scenario's ``start_year`` and ``start_month`` and the model's ``calendar_month``.
    """
    if model.month == 0:
        return f"Before the first month (0 of {model.params.months})"
    name = calendar.month_name[model.calendar_month]
    years_in = (model.params.start_month - 1 + model.month - 1) // 12
    return f"{name} {model.params.start_year + years_in} (month {model.month} of {model.params.months})"


def _fmt(fmt: str, value: float) -> str:
    return fmt.format(value)


def _signed(fmt: str, value: float) -> str:
    if fmt.endswith("%}"):
        return f"{100 * value:+.1f} pts"
    return ("+" if value >= 0 else "") + fmt.format(value)


def policies_in_force(model: LiveModel) -> str:
    """The enabled policy levers of the model's scenario and their start months, in words."""
    policies = model.params.policies
    enabled = [f"{name.replace('_', ' ')} (from month {getattr(policies, name).start_month})"
               for name in type(policies).model_fields if getattr(policies, name).enabled]
    return ", ".join(enabled) if enabled else "none"


def headline_markdown(model: LiveModel) -> str:
    """The month and this month's headline figures, as Markdown."""
    lines = [f"### {calendar_label(model)}", f"Scenario **{model.label}**, seed {model.params.seed}, "
             f"fingerprint `{model.fingerprint}`"
             + (f", changed on the page: {', '.join(f'`{k}`' for k in model.overrides)}" if model.overrides else ""),
             "", f"Policies in force: {policies_in_force(model)}", ""]
    if not model.metrics:
        return "\n".join([*lines, "Press **Step** or **▶** to run the first month."])
    lines += ["| figure | this month |", "|---|---:|"]
    lines += [f"| {label} | {_fmt(fmt, model.metrics[col])} |" for col, label, fmt in HEADLINES]
    seconds = model.step_seconds
    lines += ["", f"Last step: {1000 * seconds['model']:.0f} ms"
              + (f" + twin {1000 * seconds['twin']:.0f} ms" if model.twin is not None else "")]
    return "\n".join(lines)


def difference_markdown(model: LiveModel) -> str:
    """Headline figures of the run, its twin and the difference (this month, and over the last months)."""
    if model.twin is None:
        return ("### Policy twin is off\nSwitch on the **policy twin** above the plots to run another scenario "
                "alongside, with the same seed and the same random draws: the difference is the policy's.")
    title = f"### Differences: {model.label} minus {model.twin_label}"
    if model.month == 0:
        return f"{title}\nPress **Step** to run the first month of both."
    run, twin = model.columns(), model.columns("twin")
    recent = min(RECENT_MONTHS, len(run["month"]))
    lines = [title, f"Same seed ({model.params.seed}), same random draws; month {model.month}.", "",
             f"| figure | this run | twin | difference | last {recent} months |", "|---|---:|---:|---:|---:|"]
    for col, label, fmt in HEADLINES:
        now, base = model.metrics[col], model.twin.metrics[col]
        mean_diff = float(run[col][-recent:].mean() - twin[col][-recent:].mean())
        lines.append(f"| {label} | {_fmt(fmt, now)} | {_fmt(fmt, base)} | {_signed(fmt, now - base)} "
                     f"| {_signed(fmt, mean_diff)} |")
    return "\n".join(lines)


def _panel(text: str):
    """A panel's Markdown as HTML, as tall as its text: no row is hidden behind a scroll bar."""
    return MarkdownPanel(text, style={"font-size": "0.8em"})


@solara.component
def Headlines(model: LiveModel):
    """The month (calendar month and year) and the headline figures."""
    update_counter.get()
    return _panel(headline_markdown(model))


@solara.component
def Differences(model: LiveModel):
    """The twin's differences in the headline figures."""
    update_counter.get()
    return _panel(difference_markdown(model))


def headlines_component(model: LiveModel):
    """The headline panel as a SolaraViz component."""
    return Headlines(model)


def differences_component(model: LiveModel):
    """The differences panel as a SolaraViz component."""
    return Differences(model)


@solara.component
def TwinBar(model: solara.Reactive[LiveModel], choices: list[str], default: str):
    """Messages about bad input, and the policy twin's switch and scenario, above the plots.

    The twin follows the page's model: after a Reset the new model gets a new twin, at month 0.
    """
    update_counter.get()
    on = solara.use_reactive(False)
    choice = solara.use_reactive(default)
    live = model.value

    def sync() -> None:
        want = choice.value if on.value else ""
        if live.twin_label != want:
            live.set_twin(want or None)
            force_update()

    solara.use_effect(sync, [id(live), on.value, choice.value])
    with solara.Column(gap="4px"):
        for problem in live.problems:
            solara.Error(problem, icon=True, dense=True)
        if live.twin_problem:
            solara.Error(live.twin_problem, icon=True, dense=True)
        with solara.Row(gap="16px", style={"align-items": "center"}):
            solara.Switch(label="Policy twin", value=on)
            solara.Select(label="Twin runs", value=choice, values=choices, style={"max-width": "320px"})
            if live.twin is not None:
                solara.Text(f"{live.twin_label}: same seed, stepped with this run (dashed in the plots)")
