"""Natural experiments: what real policies did to real domestic-work markets, put to the model.

Each check takes a policy that was tried somewhere (``docs/evidence.md``), introduces it
into the model's market as it was introduced there, and compares the paired effects
(same seeds with and without it) with what was observed, within the bands the
evidence supports. The model's parameters are set from mechanisms and Chinese
figures; a check here is a development target (the South African minimum wage) or
held out to test that the model generalises.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.core.tables import EMPLOYED, WEEKS_PER_MONTH
from model.model import DomesticWorkModel
from model.run import plots
from model.validation.base import Lab, Result, Size

# South Africa, Sectoral Determination 7 (2002): where the floor was set, how many observed it.
SA_BELOW_FLOOR = 0.8  # the floor sits where most workers are paid less an hour (50-80%: above the median)
SA_OBSERVING = 0.5  # about half of the households observe it
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


def south_africa(lab: Lab) -> Result:
    """T1-T2: an hourly minimum that half of the households observe, set where most workers are paid less."""
    result = Result(
        "south_africa", "Natural experiment: South Africa's minimum wage for domestic work (2002)",
        "An hourly minimum, set where most workers (about 80%) are paid less an hour, observed by half of the "
        "households (the rest ignore it), introduced into an uncovered market after two years. South Africa "
        "(Dinkelman & Ranchhod 2012; Hertz 2005): over the next three years wages rose about 20% with no "
        "significant loss of jobs; weekly hours fell; workers' total earnings rose. Paired replicates, the same "
        "seeds with and without the law; effects are the means of months 13-36 after it.")
    start = SA_WARM_UP + 1
    floor, below = hourly_pay_quantile(lab, SA_WARM_UP, SA_BELOW_FLOOR)
    months = SA_WARM_UP + 12 * SA_YEARS
    replicates = 4 if lab.size.quick else 8
    law = {"policies.minimum_wage.enabled": True, "policies.minimum_wage.hourly": floor,
           "policies.minimum_wage.monthly": 0.0, "policies.minimum_wage.enforcement": SA_OBSERVING,
           "policies.minimum_wage.start_month": start}
    base = lab.timeseries(lab.scenario(months=months, replicates=replicates, **SA_SIZE))
    policy = lab.timeseries(lab.scenario(law, months=months, replicates=replicates, **SA_SIZE))
    first, last = start + 12, months

    def effect(column: str) -> float:
        return float(np.mean(_paired(base, policy, first, last, column)))

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
    result.figure = "south_africa.png"
    _figure(lab, result.figure, base, policy, start, floor, replicates)
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
