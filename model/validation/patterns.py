"""Checks against the patterns docs/facts.md says a correct model reproduces, and the baseline's targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from model.core.tables import EMPLOYED, JOB_TYPES, SEARCHING, WEEKS_PER_MONTH
from model.model import DomesticWorkModel
from model.run import plots, runner
from model.validation.base import ROOT, Lab, Result, Size, spearman

SCENARIOS = ROOT / "scenarios"
CALIBRATION_FILE = ROOT / "calibration" / "baseline.yaml"
NO_AGENCIES = {"agencies.count": 0, "agencies.entry_rate": 0.0}
# Wage posting with search frictions (households with some monopsony power): FACTS result 6's second branch.
POSTING = {"wages.regime": "posting"}


def beveridge(lab: Lab) -> Result:
    """Across demand levels, vacancies and unemployment move apart; without agencies the curve shifts out."""
    result = Result("beveridge", "Beveridge curve",
                    "Household demand from scarce to plentiful (`demand.need_share`), with and without agencies: "
                    "the vacancy rate rises and the unemployment rate falls with demand (rank correlation -1), "
                    "and without agencies (less efficient matching) the curve lies further from the origin.")
    levels = (0.55, 0.65, 0.75, 0.85) if lab.size.quick else (0.5, 0.6, 0.7, 0.8, 0.9)
    size = Size.of(False).population() if lab.size.quick else {}  # the baseline's size: sharp enough
    curves = {}
    for label, extra in (("with agencies", {}), ("without agencies", NO_AGENCIES)):
        points = [lab.means(lab.scenario({**size, "demand.need_share": need, **extra})) for need in levels]
        curves[label] = (np.array([p["unemployment_rate"] for p in points]),
                         np.array([p["vacancy_rate"] for p in points]))
        u, v = curves[label]
        rho = spearman(u, v)
        result.add(f"rank correlation of u and v, {label}", rho, -1.0, "≤ -0.8", rho <= -0.8, ".2f")
    (u1, v1), (u0, v0) = curves["with agencies"], curves["without agencies"]
    outward = np.hypot(u0, v0) - np.hypot(u1, v1)
    result.add("mean outward shift without agencies (distance from the origin)", float(outward.mean()), "> 0",
               "positive", outward.mean() > 0, ".4f")
    most = int(np.ceil(0.75 * len(levels)))
    result.add("demand levels where the no-agency point is further out", int((outward > 0).sum()),
               f"at least {most} of {len(levels)}", "three quarters (replicate noise)",
               (outward > 0).sum() >= most, "d")
    result.figure = "beveridge.png"
    with plots.figure(lab.figures / result.figure, "Beveridge curve from a demand sweep",
                      note=f"Each point: mean of the last 12 months over {lab.size.replicates} replicates at one "
                           "level of household demand.") as (ax,):
        for k, (label, (u, v)) in enumerate(curves.items()):
            ax.plot(u, v, "o-", color=f"C{k}", label=label)
        ax.set_xlabel("unemployment rate")
        ax.set_ylabel("vacancy rate")
        plots.value_axis(ax.xaxis, plots.PERCENT)
        plots.value_axis(ax.yaxis, plots.PERCENT)
        plots.legend_outside(ax)
    return result


def _floor(hourly: float) -> dict:
    return {"policies.minimum_wage.enabled": True, "policies.minimum_wage.hourly": hourly,
            "policies.minimum_wage.monthly": 0.0, "policies.minimum_wage.enforcement": 1.0}


def minimum_wage(lab: Lab) -> Result:
    """Bargaining: no effect below market wages, fewer jobs above. Posting: employment first rises, then falls."""
    result = Result("minimum_wage", "Minimum wage",
                    "An enforced hourly minimum wage. Under bargaining (the baseline), a floor below market wages "
                    "changes nothing and one above them costs jobs. Under wage posting with search frictions "
                    "(households with some monopsony power), a floor a little above the posted wage raises "
                    "employment and a higher one lowers it.")
    base = lab.means(lab.scenario())
    low = lab.means(lab.scenario(_floor(5.0)))
    high = lab.means(lab.scenario(_floor(25.0)))
    result.within("bargaining: employed, floor 5 yuan/h against none", low["employed"], base["employed"], rel=0.01,
                  fmt=",.0f")
    result.add("bargaining: employed, floor 25 yuan/h against none", high["employed"],
               f"< {0.9 * base['employed']:,.0f}", "at least 10% fewer", high["employed"] < 0.9 * base["employed"],
               ",.0f")
    try:
        posted = lab.scenario(POSTING)
    except ValueError as err:
        result.add("posting regime", "not available", "a scenario option", str(err).splitlines()[0], False)
        return result
    levels = (0.0, 12.0, 15.0, 18.0, 30.0)
    employed = [lab.means(lab.scenario({**POSTING, **(_floor(h) if h else {})}))["employed"] for h in levels]
    del posted
    peak = int(np.argmax(employed))
    result.add("posting: employed at hourly floors " + ", ".join(f"{h:g}" for h in levels),
               ", ".join(f"{e:,.0f}" for e in employed), "rises, then falls", "peak inside the range",
               0 < peak < len(levels) - 1 and employed[-1] < employed[0])
    result.figure = "minimum_wage.png"
    with plots.figure(lab.figures / result.figure, "Employment under an hourly minimum wage, wage posting",
                      note="Each point: mean employment of the last 12 months.") as (ax,):
        ax.plot(levels, employed, "o-", color="C0", label="wage posting")
        ax.axhline(base["employed"], color="0.5", linestyle=":", label="bargaining, no floor")
        ax.set_xlabel("hourly minimum wage (yuan), 0 = none")
        ax.set_ylabel("employed workers")
        plots.value_axis(ax.yaxis, plots.COUNT)
        plots.legend_outside(ax)
    return result


def fees(lab: Lab) -> Result:
    """A weak cap is broken by about 70% of agencies and moves fees; a fully enforced ban leaves no fees at all."""
    result = Result("fees", "Fee cap and fee ban",
                    "`scenarios/fee_cap.yaml` (10% of the first month's wage, enforced as Hong Kong's): overcharging "
                    "near Hong Kong's 70% and fees moved towards households. A fully enforced ban (`max_share: 0`, "
                    "`enforcement: 1`, monthly inspections, a 100,000 yuan fine): fees paid by workers, deductions "
                    "included, below 5% of the baseline's.")
    # The baseline's size even in a quick validation: a share of a few dozen agencies' placements, which a
    # market a fifth of the size leaves to a handful.
    size = Size.of(False).population() if lab.size.quick else {}
    base = lab.means(lab.scenario(**size))
    cap = lab.means(lab.scenario(base=SCENARIOS / "fee_cap.yaml", **size))
    ban = lab.means(lab.scenario({"policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.max_share": 0.0,
                                  "policies.worker_fee_cap.enforcement": 1.0,
                                  "policies.worker_fee_cap.inspections": 12.0,
                                  "policies.worker_fee_cap.fine": 100000.0}, **size))
    result.within("weak cap: overcharging share", cap["overcharging_share"], 0.70, abs_=0.12, fmt=".2f",
                  source="Hong Kong, FACTS")
    def household_side(m) -> float:
        return m["household_fees_paid"] / (m["household_fees_paid"] + m["worker_fees_paid"])

    result.add("weak cap: households' share of all fees, against the baseline's",
               f"{household_side(cap):.3f} vs {household_side(base):.3f}", "higher", "fees moved to households",
               household_side(cap) > household_side(base))
    share = ban["worker_fees_paid"] / base["worker_fees_paid"]
    result.add("enforced ban: worker fees (with deductions) / baseline", share, "< 0.05", "below 5%", share < 0.05,
               ".3f")
    return result


def chain_migration(lab: Lab) -> Result:
    """Concentration of origins rises with the network weight, and over time when it is high."""
    result = Result("chain_migration", "Chain migration",
                    "The Herfindahl index of origins (`origin_concentration`) at network weights 0, 0.5 and 1: "
                    "it rises with the weight, and with a high weight it rises over time.")
    months = lab.size.long_months
    runs = {w: lab.timeseries(lab.scenario({"migration.network_weight": w}, months=months)) for w in (0.0, 0.5, 1.0)}
    last = [float(runner.last_months_means(ts)["origin_concentration"].mean()) for ts in runs.values()]
    result.add("concentration at weights 0, 0.5, 1", ", ".join(f"{x:.4f}" for x in last), "increasing", "strictly",
               last[0] < last[1] < last[2])
    strong = runs[1.0].groupby("month")["origin_concentration"].mean()
    first, final = float(strong.iloc[:12].mean()), float(strong.iloc[-12:].mean())
    result.add("weight 1: concentration in the last year against the first", final, f"> {first:.4f}", "higher",
               final > first, ".4f")
    result.figure = "chain_migration.png"
    with plots.figure(lab.figures / result.figure, "Chain migration: concentration of origins over time",
                      note="Herfindahl index of workers' home counties, mean over replicates.") as (ax,):
        for k, (weight, ts) in enumerate(runs.items()):
            series = ts.groupby("month")["origin_concentration"].mean()
            ax.plot(series.index, series.to_numpy(), color=f"C{k}", label=f"network weight {weight:g}")
        ax.set_xlabel("month")
        ax.set_ylabel("Herfindahl index of origins")
        plots.legend_outside(ax)
    return result


def spring_festival(lab: Lab) -> Result:
    """An exodus with no holiday pay factor still raises new hires' wages; vacancies pile up and are worked off."""
    result = Result("spring_festival", "Spring Festival",
                    "With holiday pay set to 1 (no built-in factor), the wages agreed by February's new hires are "
                    "above January's, from the month's tightness alone (each hire's wage an hour over the going "
                    "rate of her type and arrangement, two years pooled); vacancies pile up in February, stay above "
                    "normal in March and are worked off by summer.")
    scenario = lab.scenario({"shocks.spring_festival.holiday_pay_multiplier": 1.0}, months=30, replicates=1)
    lab.runs += 1
    model = DomesticWorkModel(scenario)
    new_hire_wage, vacancies = [], []
    w = model.workers
    for _ in range(scenario.months):
        was_searching = np.flatnonzero(w.view("status") == SEARCHING)
        rate = model.market.hourly_rate.copy()  # the agreed wage an hour households saw, by type and arrangement
        model.step()
        hired = was_searching[w.status[was_searching] == EMPLOYED]
        # Each hire's wage an hour over the going rate of her type and arrangement: hires differ in hours and
        # arrangement (a first hourly household is a few hours a week), which the index takes out.
        per_hour = w.wage_yuan[hired] / (w.hours_week[hired] * WEEKS_PER_MONTH)
        new_hire_wage.append(per_hour / rate[w.job_type[hired], w.arrangement[hired]])
        vacancies.append(model.metrics["vacancies"])
    jan, feb, mar = 12, 13, 14  # month 13 is January of the second year (start_month 1)
    january = float(np.concatenate((new_hire_wage[jan], new_hire_wage[jan + 12])).mean())
    february = float(np.concatenate((new_hire_wage[feb], new_hire_wage[feb + 12])).mean())
    result.add("new hires' wage an hour over the going rate, Februaries / Januaries", february / january, "> 1",
               "higher", february > january, ".3f")
    index = [float(x.mean()) if x.size else np.nan for x in new_hire_wage]
    normal = float(np.mean(vacancies[18:24]))
    result.add("vacancies in February / July-December", vacancies[feb] / normal, "> 1.3", "a backlog",
               vacancies[feb] > 1.3 * normal, ".2f")
    result.add("vacancies in March / July-December", vacancies[mar] / normal, "> 1", "still above normal",
               vacancies[mar] > normal, ".2f")
    result.add("vacancies in August / March", vacancies[20] / vacancies[mar], "< 1", "worked off",
               vacancies[20] < vacancies[mar], ".2f")
    result.figure = "spring_festival.png"
    with plots.figure(lab.figures / result.figure, "Spring Festival without holiday pay: wages and backlog",
                      rows=2, note="One replicate, holiday pay multiplier 1.") as (top, bottom):
        months = np.arange(1, scenario.months + 1)
        top.plot(months, index, color="C0", label="new hires' wage an hour over the going rate")
        top.set_ylabel("ratio")
        plots.legend_outside(top)
        bottom.plot(months, vacancies, color="C3", label="vacancies")
        bottom.set_ylabel("vacancies")
        bottom.set_xlabel("month (2 and 14: February)")
        plots.value_axis(bottom.yaxis, plots.COUNT)
        plots.legend_outside(bottom)
    return result


# (metric, FACTS value, tolerance, source, kind): the baseline's claims. "abs" tolerances are absolute.
TARGETS = (
    ("mean_agreed_wage", 4900.0, ("rel", 0.1), "NJU survey 2019: about 4,900 yuan", "wage"),
    ("maternity_to_carer", 10311 / 3835, ("rel", 0.15), "NJU survey 2019: yuesao 10,311, elder carer 3,835", "ratio"),
    ("contract_share", 0.10, ("abs", 0.03), "2017 study cited by Sixth Tone: about 10%", "share"),
    ("annual_turnover", 0.40, ("abs", 0.06), "ILO/UNIFEM 2009: about 40% a year", "share"),
    ("agency_placement_share", 0.194, ("abs", 0.05), "Ningbo 2010: agencies 19.4%", "share"),
    ("referral_placement_share", 0.401, ("abs", 0.06), "Ningbo 2010: acquaintances 40.1%", "share"),
    ("open_placement_share", 0.395, ("abs", 0.06), "Ningbo 2010: direct/labour market 39.5%", "share"),
    ("festival_away_share", 0.725, ("abs", 0.225), "Xinhua 2018: 50-95% go home", "share"),
)


def fitted_targets(path: Path = CALIBRATION_FILE) -> set[str]:
    """Metrics the calibration fits (its ``targets``); the others are held out."""
    if not path.is_file():
        return set()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return set((data.get("targets") or {}).keys())


def baseline_targets(lab: Lab) -> Result:
    """The baseline against every figure of docs/facts.md it claims, fitted and held out."""
    fitted = fitted_targets()
    size = Size.of(False)  # the baseline's own size; quick runs are shorter and fewer, not smaller
    result = Result("targets", "The baseline against the facts (docs/facts.md)",
                    "`scenarios/baseline.yaml`, mean of the last 12 months over replicates, against each FACTS "
                    "figure the baseline claims. Targets marked 'fitted' are those `calibration/baseline.yaml` "
                    "fits; the others are held out of the calibration. Insurance must stay below contracts.")
    ts = lab.timeseries(lab.scenario(size.population()))
    per = runner.last_months_means(ts)
    per["annual_turnover"] = 1 - (1 - per["separation_rate"]) ** 12
    per["maternity_to_carer"] = per["mean_wage_maternity_nurse"] / per["mean_wage_elder_carer"]
    feb = ts[(ts["month"] - 1 + lab.scenario().start_month - 1) % 12 + 1 == 2]
    festival = (feb["away"] / feb["workers"]).groupby(feb["replicate"]).mean()
    values = per.mean()
    values["festival_away_share"] = float(festival.mean())
    formats = {"wage": ",.0f", "ratio": ".2f", "share": ".3f"}
    for metric, target, (kind, tol), source, unit in TARGETS:
        label = f"{metric} ({'fitted' if metric in fitted else 'held out'})"
        if kind == "rel":
            result.within(label, float(values[metric]), target, rel=tol, fmt=formats[unit], source=source)
        else:
            result.within(label, float(values[metric]), target, abs_=tol, fmt=formats[unit], source=source)
    result.add("insured_share below contract_share", values["insured_share"], f"< {values['contract_share']:.3f}",
               "lower", values["insured_share"] < values["contract_share"], ".3f")
    wages = [float(values[f"mean_wage_{t}"]) for t in JOB_TYPES]
    result.add("wage order: maternity nurse highest", ", ".join(f"{x:,.0f}" for x in wages), "maternity first",
               "", wages[3] == max(wages))
    return result
