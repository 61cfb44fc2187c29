"""Natural experiments: what real policies did to real domestic-work markets, put to the model.

Each check takes a policy that was tried somewhere (``docs/evidence.md``), introduces it
into the model's market as it was introduced there, and compares the paired effects
(same seeds with and without it) with what was observed, within the bands the
evidence supports. The model's parameters are set from mechanisms and Chinese
figures; a check here is a development target (the South African minimum wage) or
held out to test that the model generalises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.core.tables import EMPLOYED, WEEKS_PER_MONTH
from model.model import DomesticWorkModel
from model.run import plots
from model.validation.base import Lab, Result, Size

# South Africa, Sectoral Determination 7 (2002): where the floor was set, how many observed it.
SA_BELOW_FLOOR = 0.8  # the floor sits where most workers are paid less an hour (50-80%: above the median)
SA_OBSERVING = 0.5  # about half of the households are made to observe it; the others choose
SA_WARM_UP = 24  # months before the law, so that the market has settled
SA_YEARS = 3  # effects are read over years 1-3 after it
# The baseline's size (1:100) even in a quick validation: paired replicates of it take seconds, and the
# effects are a few percent, which smaller markets blur.
SA_SIZE = Size.of(False).population()


def hourly_pay_quantile(lab: Lab, month: int, share: float) -> tuple[float, float]:
    """The hourly pay (agreed wage over hours) that ``share`` of employed workers get less than, in ``month``.

    Read off one replicate of the baseline at the lab's size; returns the level and the
    share paid below it (a check that the quantile is where it should be).
    """
    lab.runs += 1
    model = DomesticWorkModel(lab.scenario(months=month, replicates=1, **SA_SIZE))
    model.run_for(month)
    w = model.workers
    employed = w.with_status(EMPLOYED)
    hourly = w.wage_yuan[employed].astype(np.float64) / (w.hours_week[employed] * WEEKS_PER_MONTH)
    level = np.floor(10.0 * np.quantile(hourly, share)) / 10.0  # in jiao, rounded down: at most ``share`` below
    return float(level), float(np.mean(hourly < level))


def _paired(base: pd.DataFrame, policy: pd.DataFrame, first: int, last: int, column: str) -> np.ndarray:
    """Per replicate, the policy's mean of ``column`` over months ``first``-``last`` relative to the baseline's."""
    def means(ts: pd.DataFrame) -> pd.Series:
        window = ts[(ts["month"] >= first) & (ts["month"] <= last)]
        return window.groupby("replicate")[column].mean()

    b, p = means(base), means(policy)
    return (p / b - 1.0).to_numpy()


@dataclass
class LawRuns:
    """Paired replicates of the baseline and of a law introduced after the warm-up, read over years 2-3 of it."""

    base: pd.DataFrame
    policy: pd.DataFrame
    first: int  # the first month read: a year after the law
    last: int

    def effect(self, column: str) -> float:
        """The mean over replicates of the policy's change of ``column``, relative to the baseline's."""
        return float(np.mean(_paired(self.base, self.policy, self.first, self.last, column)))

    def window(self) -> pd.DataFrame:
        """The policy's months read."""
        return self.policy[(self.policy["month"] >= self.first) & (self.policy["month"] <= self.last)]


def law_runs(lab: Lab, law: dict, key: str) -> LawRuns:
    """The baseline and ``law`` (policy ``key`` in force from the month after the warm-up), paired, at 1:100."""
    start = SA_WARM_UP + 1
    months = SA_WARM_UP + 12 * SA_YEARS
    replicates = 4 if lab.size.quick else 8
    law = {**law, f"policies.{key}.enabled": True, f"policies.{key}.start_month": start}
    base = lab.timeseries(lab.scenario(months=months, replicates=replicates, **SA_SIZE))
    policy = lab.timeseries(lab.scenario(law, months=months, replicates=replicates, **SA_SIZE))
    return LawRuns(base, policy, start + 12, months)


def south_africa(lab: Lab) -> Result:
    """T1-T2: an hourly minimum that half of the households observe, set where most workers are paid less."""
    result = Result(
        "south_africa", "Natural experiment: South Africa's minimum wage for domestic work (2002)",
        "An hourly minimum, set where most workers (about 80%) are paid less an hour, half of the households made "
        "to observe it and the others choosing (few inspections, complaints, a norm once they know of it), "
        "introduced into an uncovered market after two years. South Africa "
        "(Dinkelman & Ranchhod 2012; Hertz 2005): over the next three years wages rose about 20% with no "
        "significant loss of jobs; weekly hours fell; workers' total earnings rose. Paired replicates, the same "
        "seeds with and without the law; effects are the means of months 13-36 after it.")
    floor, below = hourly_pay_quantile(lab, SA_WARM_UP, SA_BELOW_FLOOR)
    runs = law_runs(lab, {"policies.minimum_wage.hourly": floor, "policies.minimum_wage.monthly": 0.0,
                          "policies.minimum_wage.enforcement": SA_OBSERVING}, "minimum_wage")
    effect = runs.effect
    monthly, employment = effect("mean_wage"), effect("employed")
    earnings, hours, hourly = effect("worker_earnings"), effect("mean_hours_week"), effect("mean_hourly_wage")
    result.add("hourly minimum set (yuan), share of workers paid below it", f"{floor:.1f}, {below:.0%}",
               "50-80% below", "as in South Africa", 0.5 <= below <= 0.8)
    result.add("mean wage an hour, change", hourly, "+10% to +25%", "T1 band (hourly wages: about +23%)",
               0.10 <= hourly <= 0.25, "+.1%")
    result.add("mean monthly pay, change", monthly, f"above 0, at most the hourly change ({hourly:+.1%})",
               "hours fell, so pay a month rose less", 0.0 < monthly <= hourly, "+.1%")
    result.add("employment, change", employment, "-10% to +2%", "T1 band", -0.10 <= employment <= 0.02, "+.1%")
    ratio = employment / hourly if hourly else float("nan")
    result.add("employment change over wage change", ratio, "-0.5 to 0", "T2 band", -0.5 <= ratio <= 0.0, "+.2f")
    result.add("workers' total earnings, change", earnings, "not lower", "≥ 0", earnings >= 0.0, "+.1%")
    result.add("weekly hours of those employed, change", hours, "-10% to 0%", "T2 band", -0.10 <= hours <= 0.0,
               "+.1%")
    complying = float(runs.window()["minimum_wage_compliance"].mean())
    result.add("jobs paid at least the floor", complying, "far from full (under 95%)", "Dinkelman & Ranchhod 2012",
               complying < 0.95, ".0%")
    result.figure = "south_africa.png"
    _figure(lab, result.figure, runs.base, runs.policy, SA_WARM_UP + 1, floor, int(runs.base["replicate"].nunique()))
    return result


# Hong Kong's cap on agency fees (T5): 10% of the first month's wage; each licensed agency inspected about once
# a year; 12 prosecutions from 5,503 inspections in five years, with about 70% of agencies overcharging.
HK_CAP = 0.1
HK_INSPECTIONS = 1.0
HK_PROOF = 0.003  # 12 / (5,503 x 0.7): the share of inspections of an overcharging agency that proves it


def hong_kong(lab: Lab) -> Result:
    """T5: a cap on fees to workers at 10% of the first month's wage, enforced as weakly as Hong Kong's."""
    result = Result(
        "hong_kong", "Natural experiment: Hong Kong's cap on agency fees (T5)",
        "A cap on what agencies may charge workers, 10% of the first month's wage, with each agency inspected "
        "about once a year and 0.3% of inspections of an overcharging agency proving it (Hong Kong: 12 "
        "prosecutions from 5,503 inspections in five years), introduced after two years. Hong Kong (NGO audits, "
        "2017-2018; a helpers' survey): about 70% of agencies overcharged; a quarter of helpers were pushed into "
        "high-interest loans; fees moved to employers. Paired replicates; effects are the means of months 13-36 "
        "after the cap.")
    runs = law_runs(lab, {"policies.worker_fee_cap.max_share": HK_CAP,
                          "policies.worker_fee_cap.inspections": HK_INSPECTIONS,
                          "policies.worker_fee_cap.enforcement": HK_PROOF}, "worker_fee_cap")
    effect, window = runs.effect, runs.window()
    over = float(window["overcharging_share"].mean())
    worker, household, debt = effect("worker_fees_paid"), effect("household_fees_paid"), \
        effect("worker_debt_to_agencies")
    result.add("placements charged above the cap (of those it binds)", over, "50-90%", "T5 band (about 70%)",
               0.5 <= over <= 0.9, ".0%")
    result.add("fees workers pay, change", worker, "fall by less than 40%", "T5 band", -0.40 < worker <= 0.0,
               "+.1%")
    result.add("fees households pay, change", household, "rise", "fees move to employers", household > 0.0, "+.1%")
    result.add("what workers owe agencies (loans, deductions), change", debt, "rise", "fees move to loans",
               debt > 0.0, "+.1%")
    result.add("inspections a month, complaints a month", f"{window['inspections'].mean():.1f}, "
               f"{window['complaints'].mean():.2f}", "", "reported", True)
    return result


# Argentina's letters (T8): a law on the books without home inspections, then one wave of letters.
AR_LAW_MONTHS = 60  # the law in force for five years before the letters
AR_BAND = (0.0005, 0.005)  # a few tenths of a point of registration (contracts) per wave: +0.22 points observed


def argentina(lab: Lab) -> Result:
    """T8: one wave of letters about a contract law without inspections raises contracts by a few tenths."""
    result = Result(
        "argentina", "Natural experiment: telling employers about the law, Argentina (T8)",
        "A contract mandate with no home inspections, in force for five years, then one wave of letters about "
        "the law reaching every household (policies.information_campaign, one month). Argentina (Ohaco 2023, a "
        "randomised trial): registration of domestic workers rose 0.22 points among households sent letters. "
        "Paired replicates, the same seeds with and without the letters; the effect is the change of the "
        "contract share over the year after them, in points.")
    months = AR_LAW_MONTHS + 12
    replicates = 4 if lab.size.quick else 8
    law = {"policies.contract_mandate.enabled": True, "policies.contract_mandate.enforcement": 0.0}
    letters = {**law, "policies.information_campaign.enabled": True, "policies.information_campaign.reach": 1.0,
               "policies.information_campaign.months": 1,
               "policies.information_campaign.start_month": AR_LAW_MONTHS + 1}
    base = lab.timeseries(lab.scenario(law, months=months, replicates=replicates, **SA_SIZE))
    policy = lab.timeseries(lab.scenario(letters, months=months, replicates=replicates, **SA_SIZE))
    first = AR_LAW_MONTHS + 1

    def points(column: str) -> np.ndarray:
        window = [ts[ts["month"] >= first].groupby("replicate")[column].mean() for ts in (base, policy)]
        return (window[1] - window[0]).to_numpy()

    contract, aware = points("contract_share"), points("law_awareness")
    low, high = AR_BAND
    mean = float(contract.mean())
    result.add("contract share, change (points)", 100.0 * mean, f"+{100 * low:.2f} to +{100 * high:.1f}",
               "T8 band (Argentina: +0.22)", low <= mean <= high, "+.2f")
    result.add("households aware of the law, change (points)", 100.0 * float(aware.mean()), "above 0",
               "the letters act through awareness", aware.mean() > 0.0, "+.1f")
    law_only = base[base["month"] >= first]["contract_share"].mean()
    result.add("contract share under the law, no letters", float(law_only), "", "reported", True, ".1%")
    return result


def _figure(lab: Lab, name: str, base: pd.DataFrame, policy: pd.DataFrame, start: int, floor: float,
            replicates: int) -> None:
    """Monthly wage, employment and hours with and without the law, medians over replicates."""
    panels = (("mean_wage", "mean wage (yuan a month)", plots.WAGE), ("employed", "employed workers", plots.COUNT),
              ("mean_hours_week", "hours a week", None))
    with plots.figure(lab.figures / name, f"An hourly minimum of {floor:.1f} yuan, half observing it",
                      rows=3, note=f"Median of {replicates} paired replicates; the law from month {start} "
                                   "(dotted line).") as axes:
        for ax, (column, label, scale) in zip(axes, panels, strict=True):
            for ts, colour, what in ((base, "0.45", "no law"), (policy, "C3", "hourly minimum")):
                line = ts.groupby("month")[column].median()
                ax.plot(line.index, line.to_numpy(), color=colour, label=what)
            ax.axvline(start, color="0.3", linestyle=":")
            ax.set_ylabel(label)
            if scale is not None:
                plots.value_axis(ax.yaxis, scale)
            plots.legend_outside(ax)
        axes[-1].set_xlabel("month")
