"""The analyst's desk: what a comparison's readers look at first, shared by its report, workbook and the live app.

- the **card**: employment, mean monthly and hourly pay, formal share and decent work share, each as the
  paired effect of every option against the reference, with its 95% interval and a plain sentence;
- **group effects** (``group_effects.csv``): paired effects for groups of workers, households, agencies
  and the state, read from the per-replicate metrics of each group the model reports (a group the model
  does not measure is left out, never guessed);
- **what changed**: every scenario key that differs from the reference, with unit, old and new value and source.

Columns are found by name in the model's metrics, so that metrics added to the model join without an edit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.experiments import measures
from model.experiments.compare import LEVEL, Comparison, difference, level
from model.run import runner
from model.scenario.loading import flat_values
from model.scenario.schema import Scenario

# The card: (column, label) in order.
CARD: tuple[tuple[str, str], ...] = (
    ("employed", "employed workers"),
    ("mean_wage", "mean monthly pay (yuan/month)"),
    ("mean_hourly_wage", "mean hourly pay (yuan/hour)"),
    ("formal_share", "formal share (contract and insurance)"),
    ("decent_work_share", "decent work share (all four standards)"),
)
GROUP_COLUMNS = ["scenario", "group", "metric", "mean", "diff_vs_first", "diff_ci_low", "diff_ci_high", "replicates",
                 "assumptions"]
CHANGE_COLUMNS = ["scenario", "key", "unit", "old", "new", "source", "assumptions"]


@dataclass(frozen=True)
class Effect:
    """One option's paired effect on one card figure."""

    scenario: str
    column: str
    label: str
    reference: float
    mean: float
    low: float | None
    high: float | None
    replicates: int
    sentence: str


def _unit_words(column: str) -> tuple[float, str, int]:
    kind = measures.unit(column)
    if kind == measures.SHARE:
        return 100.0, " points", 1
    if column == "mean_hourly_wage":
        return 1.0, " yuan an hour", 2
    if kind == measures.YUAN:
        return 1.0, " yuan a month", 0
    return 1.0, "", 0


def effect_sentence(column: str, label: str, reference_label: str, option: str, mean: float,
                    low: float | None, high: float | None) -> str:
    """One plain sentence of an effect, e.g. "Under fee_cap, mean monthly pay rises by 52 yuan a month ..."."""
    scale, unit, digits = _unit_words(column)
    name = label.split(" (", maxsplit=1)[0]
    if mean == 0 and (low is None or (low == 0 and high == 0)):
        return f"Under {option}, {name} is the same as under {reference_label} in every replicate."
    if low is None:
        return (f"Under {option}, {name} changes by {mean * scale:+,.{digits}f}{unit} against {reference_label} "
                f"(too few replicates for an interval).")
    span = f"95% interval {low * scale:+,.{digits}f} to {high * scale:+,.{digits}f}"
    if low > 0 or high < 0:
        verb = "rises" if mean > 0 else "falls"
        return (f"Under {option}, {name} {verb} by {abs(mean) * scale:,.{digits}f}{unit} against "
                f"{reference_label} ({span}).")
    return (f"Under {option}, {name} shows no clear change against {reference_label}: "
            f"{mean * scale:+,.{digits}f}{unit} ({span}, which includes 0).")


def card(result: Comparison) -> list[Effect]:
    """The card's effects: every option against the reference, for each card figure the model reports."""
    available = set(result.per_replicate[result.first.label].columns)
    out = []
    for column, label in CARD:
        if column not in available:
            continue
        reference = level(result, result.first.label, column)[0]
        for entrant in result.others:
            d = result.difference(entrant.label, column)
            out.append(Effect(entrant.label, column, label, reference, d.mean, d.low, d.high, d.replicates,
                              effect_sentence(column, label, result.first.label, entrant.label, d.mean, d.low,
                                              d.high)))
    return out


def card_table(result: Comparison) -> pd.DataFrame:
    """The card as a table, one row an option and figure.

    Columns: ``scenario, metric, label, reference, diff_vs_first, diff_ci_low, diff_ci_high, replicates, sentence,
    assumptions``.
    """
    return pd.DataFrame([{"scenario": e.scenario, "metric": e.column, "label": e.label, "reference": e.reference,
                          "diff_vs_first": e.mean, "diff_ci_low": e.low, "diff_ci_high": e.high,
                          "replicates": e.replicates, "sentence": e.sentence, "assumptions": result.assumptions}
                         for e in card(result)])


# --- groups ------------------------------------------------------------------------------------


def group_columns(columns: list[str]) -> list[tuple[str, str, str]]:
    """``(group, metric, column)`` for every per-group metric among ``columns``.

    Read by name so that per-group metrics the model adds join by themselves: ``mean_wage_<job type>``,
    ``<arrangement>_share``, ``agency_income_<business model>`` and ``agencies_<business model>``,
    ``<metric>__<group kind>_<value>`` (the model's convention for a metric by group, e.g.
    ``employed_share__income_quintile_1`` for households), and the state's accounts.
    """
    from model.core.tables import ARRANGEMENTS, BUSINESS_MODELS, JOB_TYPES

    present = set(columns)
    out: list[tuple[str, str, str]] = []
    for job in JOB_TYPES:
        if f"mean_wage_{job}" in present:
            out.append((f"workers:job_type={job}", "mean_wage", f"mean_wage_{job}"))
    for arrangement in ARRANGEMENTS:
        if f"{arrangement}_share" in present:
            out.append((f"workers:arrangement={arrangement}", "share_of_employed", f"{arrangement}_share"))
    if "local_hukou_share" in present:
        out.append(("workers:hukou=local", "share_of_workers", "local_hukou_share"))
    for kind in BUSINESS_MODELS:
        for prefix, metric in (("agency_income_", "income"), ("agencies_", "agencies_active")):
            if f"{prefix}{kind}" in present:
                out.append((f"agencies:business_model={kind}", metric, f"{prefix}{kind}"))
    for column in columns:  # metrics the model reports by group: METRIC__PARTY_KIND_VALUE
        metric, sep, grouping = column.partition("__")
        if sep and "_" in grouping:
            party = "households" if grouping.startswith("income_quintile") else "workers"
            kind, _, value = grouping.rpartition("_")
            out.append((f"{party}:{kind}={value}", metric, column))
    for column, metric in (("household_care_spending", "care_spending"), ("unmet_need_share", "unmet_need_share")):
        if column in present:
            out.append(("households:all", metric, column))
    for column in ("state_net_cost", "public_subsidies", "fines_paid", "insurance_contributions"):
        if column in present:
            out.append(("state", column, column))
    return out


def group_effects(result: Comparison) -> pd.DataFrame:
    """``group_effects.csv``: per scenario, group and metric, the level and the paired effect with its interval."""
    first = result.per_replicate[result.first.label]
    rows = []
    for group, metric, column in group_columns(list(first.columns)):
        for entrant in result.entrants:
            values = result.per_replicate[entrant.label][column]
            mean, _, _ = runner.mean_interval(values.to_numpy(dtype=np.float64), LEVEL)
            if entrant is result.first:
                d_mean, d_low, d_high, share = 0.0, 0.0, 0.0, None
            else:
                d = difference(first[column], values, posterior=result.posterior is not None)
                d_mean, d_low, d_high, share = d.mean, d.low, d.high, d.parameter_share
            row = {"scenario": entrant.label, "group": group, "metric": metric, "mean": float(mean),
                   "diff_vs_first": d_mean, "diff_ci_low": d_low, "diff_ci_high": d_high, "replicates": len(values)}
            if result.posterior is not None:
                row["diff_var_parameter_share"] = share
            rows.append({**row, "assumptions": result.assumptions})
    columns = list(GROUP_COLUMNS)
    if result.posterior is not None:
        columns.insert(columns.index("assumptions"), "diff_var_parameter_share")
    return pd.DataFrame(rows, columns=columns)


def winners_and_losers(effects: pd.DataFrame) -> pd.DataFrame:
    """The group effects whose interval excludes 0, as ``gains`` or ``loses`` (costs to the state reversed)."""
    clear = effects[(effects["diff_ci_low"] > 0) | (effects["diff_ci_high"] < 0)].copy()
    cost = clear["metric"].isin(["state_net_cost", "public_subsidies", "care_spending", "unmet_need_share",
                                 "fees_paid"])
    up = clear["diff_vs_first"] > 0
    clear.insert(2, "verdict", np.where(up != cost, "gains", "loses"))
    return clear


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as a page shows it: without the ``assumptions`` column when no assumption set was named."""
    if "assumptions" in frame.columns and not frame["assumptions"].fillna("").astype(str).str.len().any():
        return frame.drop(columns="assumptions")
    return frame


# --- what changed ------------------------------------------------------------------------------


def key_info(dotted: str) -> tuple[str, str]:
    """A scenario key's unit and source, as the schema declares them (empty where it says nothing)."""
    model_cls: Any = Scenario
    *parents, name = dotted.split(".")
    try:
        for part in parents:
            model_cls = model_cls.model_fields[part].annotation
        extra = model_cls.model_fields[name].json_schema_extra
    except (KeyError, AttributeError):
        return "", ""
    extra = extra if isinstance(extra, dict) else {}
    return str(extra.get("unit", "")), str(extra.get("source", ""))


def what_changed(result: Comparison) -> pd.DataFrame:
    """Every key in which an option's scenario differs from the reference's (``name`` and ``description`` aside)."""
    reference = flat_values(result.first.scenario)
    rows = []
    for entrant in result.others:
        for key, new in flat_values(entrant.scenario).items():
            old = reference.get(key)
            if key in ("name", "description") or new == old:
                continue
            unit, source = key_info(key)
            rows.append({"scenario": entrant.label, "key": key, "unit": unit, "old": old, "new": new,
                         "source": source, "assumptions": result.assumptions})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)

