"""Checks against what theory proves: identities, urn-ball matching, steady states, spells, common random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.core.metrics import COLUMNS
from model.core.tables import EMPLOYED, SEARCHING
from model.mechanisms.matching import urn_ball
from model.model import DomesticWorkModel
from model.run import plots
from model.validation.base import Lab, Result

# One job type on the open market only, everyone acceptable, no migration or festival:
# the setting in which the textbook results hold exactly.
SINGLE_CHANNEL = {
    "agencies.count": 0, "agencies.entry_rate": 0.0, "channels.referral_utility": -10.0,
    "workers.job_type_share.live_in_nanny": 1.0, "workers.job_type_share.live_out_cleaner": 0.0,
    "workers.job_type_share.elder_carer": 0.0, "workers.job_type_share.maternity_nurse": 0.0,
    "demand.type_share.live_in_nanny": 1.0, "demand.type_share.live_out_cleaner": 0.0,
    "demand.type_share.elder_carer": 0.0, "demand.type_share.maternity_nurse": 0.0,
    "workers.reservation_share": 0.1, "migration.rural_income_yuan": 100.0,
    "shocks.spring_festival.enabled": False, "training.take_up_max": 0.0,
}
# Only exogenous separations, at a constant rate, and a closed labour force.
CONSTANT_HAZARDS = {
    "market.dismissal_rate": 0.0, "market.informal_quit_rate": 0.0,
    "market.arrears_rate_informal": 0.0, "market.arrears_rate_formal": 0.0,
    "demand.duration_months.live_in_nanny": 1e9,
    "migration.arrival_rate": 0.0, "migration.home_rate": 0.0, "migration.impatience_rate": 0.0,
    "migration.retirement_age": 200.0, "workers.savings_target_yuan": 1e12,
    "migration.employed_leave_rate_when_due": 0.0,
}


def identities(lab: Lab) -> Result:
    """Stocks add up, flows move them exactly, and no yuan is created or destroyed."""
    result = Result("identities", "Stock-flow identities and money conservation",
                    "Every month of a long baseline run: workers = employed + searching + away; the searching "
                    "stock moves exactly by its flows; `money_unaccounted` (yuan created or destroyed by the "
                    "bookkeeping) is zero up to rounding.")
    ts = lab.timeseries(lab.scenario(months=lab.size.long_months))
    stocks = (ts["workers"] - ts["employed"] - ts["searching"] - ts["away"]).abs().max()
    result.add("max |workers - employed - searching - away|", float(stocks), 0.0, "exactly 0", stocks == 0)
    gaps = []
    for _, rep in ts.groupby("replicate"):
        flow = (-rep["hires"] + rep["separations"] + rep["arrivals"] - rep["departures"]
                + rep["returns_from_away"] - rep["leaving_to_away"] + rep["held_jobs_lost"])
        gaps.append((rep["searching"].diff() - flow).iloc[1:].abs().max())
    gap = float(max(gaps))
    result.add("max |Δsearching - flows|, months 2 on", gap, 0.0, "exactly 0", gap == 0)
    if "money_unaccounted" in COLUMNS:
        money = float(ts["money_unaccounted"].abs().max())
        scale = float(ts["mean_wage"].mean() * ts["employed"].mean())
        result.add("max |money_unaccounted| (yuan a month)", money, 0.0,
                   f"≤ 1e-6 of the wage bill ({1e-6 * scale:,.2f})", money <= 1e-6 * scale, ".3g")
    else:
        result.add("max |money_unaccounted|", "no such column", 0.0, "the column exists", False)
    result.what += f" {lab.size.long_months} months x {ts['replicate'].nunique()} replicates."
    return result


def urn_ball_formula(lab: Lab) -> Result:
    """Hires against V(1 - exp(-U/V)), from the matching function alone and inside the model."""
    result = Result("urn_ball", "Urn-ball matching",
                    "U applicants each apply to one of V vacancies at random and each vacancy with applicants "
                    "hires one: expected hires V(1 - exp(-U/V)). First the matching function over a range of "
                    "U/V (mean of repeated draws), then the model's own hires in a single channel.")
    rng = np.random.default_rng(20160317)
    ratios = (0.25, 0.5, 1.0, 2.0, 4.0)
    vacancies = 2000 if lab.size.quick else 5000
    repeats = 20 if lab.size.quick else 100
    measured, expected = [], []
    for ratio in ratios:
        applicants = int(ratio * vacancies)
        hires = [urn_ball(np.zeros(applicants, np.int64), np.zeros(vacancies, np.int64), 1,
                          rng.random((1, applicants)), rng.random(applicants))[0].size for _ in range(repeats)]
        measured.append(float(np.mean(hires)))
        expected.append(vacancies * (1 - np.exp(-ratio)))
        result.within(f"hires at U/V = {ratio:g} (V = {vacancies:,})", measured[-1], expected[-1], rel=0.01,
                      fmt=",.0f")
    ts = lab.timeseries(lab.scenario({**SINGLE_CHANNEL}, months=lab.size.months, replicates=1))
    u, v = ts["searchers_at_matching"], ts["vacancies_at_matching"]
    in_model = float(ts["hires"].sum())
    exact = float((v * (1 - (1 - 1 / v.clip(lower=1)) ** u)).sum())
    result.within(f"model hires over {len(ts)} months, single channel", in_model, exact, rel=0.03, fmt=",.0f")
    result.figure = "urn_ball.png"
    with plots.figure(lab.figures / result.figure, "Urn-ball matching: hires against V(1 - exp(-U/V))",
                      note=f"Points: mean of {repeats} draws of the matching function; line: the formula.") as (ax,):
        grid = np.linspace(0.1, 4.5, 100)
        ax.plot(grid, 1 - np.exp(-grid), color="0.3", label="1 - exp(-U/V)")
        ax.plot(ratios, np.array(measured) / vacancies, "o", color="C0", label="matching function")
        ax.set_xlabel("applicants per vacancy, U/V")
        ax.set_ylabel("hires per vacancy")
        plots.legend_outside(ax)
    return result


def _steady(ts: pd.DataFrame, skip: int) -> tuple[float, float, float]:
    tail = ts[ts["month"] > skip]
    s = tail["separations"].sum() / tail.groupby("replicate")["employed"].shift(1).fillna(tail["employed"]).sum()
    f = tail["hires"].sum() / tail["searchers_at_matching"].sum()
    return float(s), float(f), float(tail["unemployment_rate"].mean())


def steady_state(lab: Lab) -> Result:
    """Unemployment against u* = s(1-f)/(s+f-sf) over a grid of separation rates and tightness."""
    result = Result("steady_state", "Steady-state unemployment",
                    "With exogenous separation rate s and job-finding rate f, and the newly separated searching "
                    "in the same month (the model's timing: separations come before matching), the steady state "
                    "is u* = s(1-f)/(s+f-sf). s and f are measured in the run; u is the mean after a burn-in.")
    months = lab.size.long_months
    points = []
    # Fewer households than the baseline's, so that the job-finding rate spans 0.3-0.9.
    households = {"households.count": round(1.15 * lab.size.workers)}
    for s_rate in (0.02, 0.05, 0.1):
        for need in (0.8, 0.95):
            keys = {**SINGLE_CHANNEL, **CONSTANT_HAZARDS, **households, "market.separation_rate": s_rate,
                    "demand.need_share": need}
            scenario = lab.scenario(keys, months=months, replicates=1)
            s, f, u = _steady(lab.timeseries(scenario), months // 4)
            predicted = s * (1 - f) / (s + f - s * f)
            points.append((u, predicted))
            result.within(f"u at s = {s_rate:g}, need share {need:g} (f = {f:.2f})", u, predicted, rel=0.06,
                          fmt=".4f", source="formula")
    result.figure = "steady_state.png"
    with plots.figure(lab.figures / result.figure, "Steady-state unemployment: model against s(1-f)/(s+f-sf)",
                      note="Each point a run with constant hazards; the diagonal is equality.") as (ax,):
        model_u, formula_u = np.array(points).T
        top = float(max(model_u.max(), formula_u.max()) * 1.1)
        ax.plot([0, top], [0, top], color="0.6", linestyle=":")
        ax.plot(formula_u, model_u, "o", color="C0")
        ax.set_xlabel("u* from the formula")
        ax.set_ylabel("u in the model")
        plots.value_axis(ax.xaxis, plots.PERCENT)
        plots.value_axis(ax.yaxis, plots.PERCENT)
    return result


def spells(lab: Lab) -> Result:
    """With constant hazards, job spells are geometric: the same hazard at every tenure, mean 1/s; searches 1/f."""
    result = Result("spells", "Spells under constant hazards",
                    "Only exogenous separations at rate s: the hazard of a job ending is the same at every "
                    "tenure (a geometric spell) and the mean spell is 1/s. Unemployment spells have mean 1/f "
                    "(searching stock over hires, Little's law, against the measured job-finding rate).")
    s = 0.05
    scenario = lab.scenario({**SINGLE_CHANNEL, **CONSTANT_HAZARDS, "market.separation_rate": s},
                            months=lab.size.long_months, replicates=1)
    lab.runs += 1
    model = DomesticWorkModel(scenario)
    w = model.workers
    bins = np.array([0, 6, 12, 24, 10**6])
    at_risk, ended = np.zeros(len(bins) - 1), np.zeros(len(bins) - 1)
    searching_months, hires, searchers = 0, 0, 0
    for month in range(scenario.months):
        employed = np.flatnonzero(w.view("status") == EMPLOYED)
        tenure = w.months_in_job[employed].copy()
        model.step()
        if month < 12:
            continue
        gone = w.separated_month[employed] == model.month
        which = np.searchsorted(bins, tenure, side="right") - 1
        at_risk += np.bincount(which, minlength=len(bins) - 1)
        ended += np.bincount(which[gone], minlength=len(bins) - 1)
        searching_months += int(np.count_nonzero(w.view("status") == SEARCHING))
        hires += int(model.metrics["hires"])
        searchers += int(model.metrics["searchers_at_matching"])
    hazards = ended / np.maximum(at_risk, 1)
    labels = ("0-5", "6-11", "12-23", "24+")
    for label, hazard, n in zip(labels, hazards, at_risk, strict=True):
        result.within(f"hazard at tenure {label} months ({n:,.0f} job-months)", float(hazard), s, rel=0.1,
                      fmt=".4f")
    mean_spell = float(at_risk.sum() / max(ended.sum(), 1))
    result.within("mean job spell (months)", mean_spell, 1 / s, rel=0.05, fmt=".1f", source="1/s")
    f = hires / max(searchers, 1)
    mean_search = searching_months / max(hires, 1)
    # Searchers hired in the month they search count as a spell of less than a month: Little's law
    # gives (1 - f)/f months of searching at month ends.
    result.within("mean search spell at month ends (months)", mean_search, (1 - f) / f, rel=0.1, fmt=".2f",
                  source="(1-f)/f")
    return result


# Columns that say a law is in force and how it is known and obeyed: they differ when one is.
LAW_REPORTS = ("minimum_wage_compliance", "contract_compliance", "fee_compliance", "law_awareness", "inspections",
               "complaints")


def common_random_numbers(lab: Lab) -> Result:
    """A policy that changes nothing gives identical results, byte for byte."""
    result = Result("crn", "Common random numbers",
                    "The baseline against the same scenario with policies switched on that bind nobody (a "
                    "monthly minimum wage of 1 yuan; a fee cap at 3 times the first month's wage): every "
                    "column of every month must be identical, but those that report the laws themselves "
                    "(compliance, awareness, inspections, complaints).")
    base = lab.timeseries(lab.scenario())
    idle = lab.timeseries(lab.scenario({
        "policies.minimum_wage.enabled": True, "policies.minimum_wage.monthly": 1.0,
        "policies.minimum_wage.hourly": 0.0, "policies.minimum_wage.enforcement": 1.0,
        "policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.max_share": 3.0,
        "policies.worker_fee_cap.enforcement": 0.0}))
    differing = [c for c in base.columns if c not in LAW_REPORTS and not base[c].equals(idle[c])]
    result.add("columns that differ", len(differing), 0, "none", not differing, "d")
    result.add("months x replicates compared", len(base), "all", "", True, "d")
    return result
