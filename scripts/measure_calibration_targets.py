"""Measure the rows of docs/calibration.md's "Targets" table and its pattern checks.

Run from the repository root:

    python scripts/measure_calibration_targets.py [--replicates 5] [--months 72] [--only targets|checks]

Every run is the baseline at 1:100 (or a shipped policy scenario, or the baseline with the
keys named overridden), one replicate after another in this process. Values are means over
the last 12 months of each replicate (months 61-72 by default), averaged over replicates,
unless a line says otherwise; "sd" is the spread across replicates. Quantities not in
``summary.json`` (age, spells by type, month-by-month figures) are read from the model's
arrays as each replicate runs.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model import DomesticWorkModel, load_scenario
from model.core.tables import EMPLOYED, JOB_TYPES, N_JOB_TYPES
from model.mechanisms import migration

SUMMARY_MONTHS = 12


@dataclass
class Runs:
    """The timeseries of a scenario's replicates and what was read from the arrays as they ran."""

    ts: pd.DataFrame
    at_risk: np.ndarray  # (replicate, month, type): jobs that could end in the month
    separated: np.ndarray  # (replicate, month, type): jobs that ended in the month
    ages: list[np.ndarray] = field(default_factory=list)  # ages of the workers present at the end
    start_ratio: list[float] = field(default_factory=list)  # expected urban over rural income at the start

    def last(self) -> pd.DataFrame:
        """Per replicate, the mean of each column over the last 12 months."""
        last = self.ts[self.ts["month"] > self.ts["month"].max() - SUMMARY_MONTHS]
        return last.groupby("replicate").mean(numeric_only=True)

    def mean(self, column: str) -> float:
        """The last-12-month mean of ``column``, averaged over replicates (as ``summary.json``)."""
        return float(self.last()[column].mean())

    def sd(self, column: str) -> float:
        """The spread across replicates of the last-12-month means of ``column``."""
        return float(self.last()[column].std(ddof=1))

    def by_month(self) -> pd.DataFrame:
        """Each month's mean over replicates."""
        return self.ts.groupby("month").mean(numeric_only=True)


def run(path: str, replicates: int, months: int, **overrides: object) -> Runs:
    """Run ``replicates`` replicates of the scenario at ``path`` with the dotted keys ``overrides``."""
    scenario = load_scenario(path, {"months": months, "replicates": replicates, **overrides})
    frames, at_risk, separated, ages, ratios = [], [], [], [], []
    for r in range(replicates):
        model = DomesticWorkModel(scenario, replicate=r)
        risk = np.zeros((months, N_JOB_TYPES))
        ended = np.zeros((months, N_JOB_TYPES))

        def probe(m: DomesticWorkModel, risk: np.ndarray = risk) -> None:
            # After returns from away: jobs at the start of the month and jobs taken up again.
            w = m.workers
            employed = w.with_status(EMPLOYED)
            risk[m.month - 1] = np.bincount(w.job_type[employed], minlength=N_JOB_TYPES)

        steps = list(model.MONTH)
        at = [name for name, _ in steps].index("returns") + 1
        model.MONTH = (*steps[:at], ("probe", probe), *steps[at:])
        mp = model.params.migration
        income = migration.expected_income(model, model.market.mean_wage, model.market.unemployment_rate)
        ratios.append(income / mp.rural_income_yuan)
        for _ in range(months):
            model.step()
            w = model.workers
            rows = np.flatnonzero(w.view("separated_month") == model.month)
            ended[model.month - 1] = np.bincount(w.job_type[rows], minlength=N_JOB_TYPES)
        frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame.insert(0, "month", np.arange(1, months + 1))
        frame.insert(0, "replicate", r)
        frame["calendar_month"] = (scenario.start_month - 1 + frame["month"] - 1) % 12 + 1
        if not np.array_equal(ended.sum(axis=1), frame["separations"].to_numpy()):
            raise AssertionError("separations by type do not add up to the separations column")
        frames.append(frame)
        at_risk.append(risk)
        separated.append(ended)
        ages.append(model.workers.age_years[model.workers.present].astype(np.float64))
    return Runs(pd.concat(frames, ignore_index=True), np.array(at_risk), np.array(separated), ages, ratios)


def pct(x: float) -> str:
    """A share as a percentage."""
    return f"{100 * x:.1f}%"


def change(new: float, old: float) -> str:
    """The relative change from ``old`` to ``new``, signed, in percent."""
    return f"{100 * (new / old - 1):+.1f}%"


def targets(base: Runs, replicates: int, months: int) -> None:
    """Print the rows of the targets table: the baseline's, then the policy runs of rows 21 and 22."""
    last = base.last()
    ts = base.ts
    window = ts[ts["month"] > months - SUMMARY_MONTHS]
    print("## Targets (baseline)")
    monthly = base.by_month()
    peak = monthly["workers"].idxmax()
    print(f" 1 workers {base.mean('workers'):,.0f} (sd {base.sd('workers'):.0f}); peak of the mean "
          f"{monthly['workers'].max():,.0f} in month {peak}; expected urban/rural income at the start "
          f"{np.mean(base.start_ratio):.3f}; arrivals {base.mean('arrivals'):.1f}, departures "
          f"{base.mean('departures'):.1f} a month")
    print(f" 2 vacancies {base.mean('vacancies'):,.0f}; unmet need {pct(base.mean('unmet_need_share'))}; "
          f"households with a need {base.mean('households_with_need'):,.0f}")
    print(f" 3 local hukou {pct(base.mean('local_hukou_share'))}")
    print(" 4 women: by design (no sex in the model)")
    ages = np.concatenate(base.ages)
    share_41_50 = np.mean([np.mean((np.floor(a) >= 41) & (np.floor(a) <= 50)) for a in base.ages])
    print(f" 5 age at month {months}: mean {np.mean([a.mean() for a in base.ages]):.1f}; aged 41-50 "
          f"{pct(share_41_50)} (pooled {ages.size:,} workers)")
    s = base.mean("separation_rate")
    outside = window[~window["calendar_month"].isin([2, 3])].groupby("replicate")["separation_rate"].mean().mean()
    print(f" 6 separation_rate s {s:.4f}, annual_turnover 1-(1-s)^12 "
          f"{(1 - (1 - last['separation_rate']) ** 12).mean():.3f}; outside Feb-Mar s {outside:.4f}, "
          f"{1 - (1 - outside) ** 12:.3f} a year; changed_job_12m_share {base.mean('changed_job_12m_share'):.3f}")
    keep = slice(months - SUMMARY_MONTHS, months)
    spells = base.at_risk[:, keep].sum(axis=1) / base.separated[:, keep].sum(axis=1)
    spell = spells.mean(axis=0)
    print(" 7 implied mean spell (months): " + ", ".join(f"{t} {v:.1f}" for t, v in zip(JOB_TYPES, spell, strict=True)))
    print(f"   ratios carer/nanny {spell[2] / spell[0]:.2f}, maternity nurse/nanny {spell[3] / spell[0]:.2f}; "
          f"monthly hazards " + ", ".join(f"{1 / v:.3f}" for v in spell))
    no_feb = window[window["calendar_month"] != 2].groupby("replicate")["mean_wage"].mean().mean()
    print(f" 8 mean paid wage {base.mean('mean_wage'):,.0f}; without February {no_feb:,.0f}; "
          f"mean agreed wage {base.mean('mean_agreed_wage'):,.0f}")
    nurse, carer = base.mean("mean_wage_maternity_nurse"), base.mean("mean_wage_elder_carer")
    print(f" 9 maternity nurse {nurse:,.0f} vs elder carer {carer:,.0f}, ratio {nurse / carer:.2f}")
    print(f"10 nanny {base.mean('mean_wage_live_in_nanny'):,.0f}; carer {carer:,.0f}; cleaner "
          f"{base.mean('mean_wage_live_out_cleaner'):,.0f}")
    print(f"11 hours a week {base.mean('mean_hours_week'):.1f} ({base.mean('mean_hours_week') * 52 / 12:.0f} a month); "
          f"live-in {pct(base.mean('live_in_share'))}, live-out {pct(base.mean('live_out_share'))}, "
          f"hourly {pct(base.mean('hourly_share'))}")
    print(f"12 contract {pct(base.mean('contract_share'))} (sd {100 * base.sd('contract_share'):.1f} points)")
    print(f"13 insured {pct(base.mean('insured_share'))}; contract and insurance {pct(base.mean('formal_share'))}")
    print(f"14 referral {pct(base.mean('referral_placement_share'))}, open {pct(base.mean('open_placement_share'))}, "
          f"agency {pct(base.mean('agency_placement_share'))}")
    agency_hires = (window["hires"] * window["agency_placement_share"]).groupby(window["replicate"]).sum()
    fees = window.groupby("replicate")["worker_fees_paid"].sum()
    per_placement = (fees / agency_hires).mean()
    print(f"15 worker fees per agency hire {per_placement:,.0f} yuan "
          f"({per_placement / base.mean('mean_agreed_wage'):.2f} of the mean agreed wage); worker fees "
          f"{base.mean('worker_fees_paid'):,.0f} yuan a month")
    print(f"16 employee-based agencies {base.mean('agencies_employee_based'):.1f} of "
          f"{base.mean('agencies_active'):.1f} active; employee-based share of employed "
          f"{100 * base.mean('employee_based_share'):.3f}%; "
          f"membership {base.mean('agencies_membership'):.1f}, intermediary {base.mean('agencies_intermediary'):.1f}")
    print(f"17 agencies active {base.mean('agencies_active'):.1f}, one per "
          f"{base.mean('workers') / base.mean('agencies_active'):.0f} workers")
    print(f"18 certified {pct(base.mean('certified_share'))}")
    feb = window[window["calendar_month"] == 2]
    print(f"19 away in February {feb['away'].mean():,.0f}, {pct((feb['away'] / feb['workers']).mean())} of workers")
    print(f"20 February mean paid wage {feb['mean_wage'].mean():,.0f} vs {no_feb:,.0f} without February "
          f"(x{feb['mean_wage'].mean() / no_feb:.2f})")
    cap = run("scenarios/fee_cap.yaml", replicates, months)
    print(f"21 overcharging (fee_cap.yaml) {pct(cap.mean('overcharging_share'))} (sd "
          f"{100 * cap.sd('overcharging_share'):.1f} points)")
    for enforcement in (0.002, 0.05):
        other = run("scenarios/fee_cap.yaml", replicates, months,
                    **{"policies.worker_fee_cap.enforcement": enforcement})
        print(f"   at enforcement {enforcement}: {pct(other.mean('overcharging_share'))}")
    monthly_floor = run("scenarios/minimum_wage_monthly.yaml", replicates, months)
    columns = [c for c in base.ts.columns if c != "calendar_month"]
    same = monthly_floor.ts[columns].equals(base.ts[columns])
    print(f"22 monthly 2,100: timeseries identical to the baseline: {same}; employed "
          f"{change(monthly_floor.mean('employed'), base.mean('employed'))}, mean wage "
          f"{change(monthly_floor.mean('mean_wage'), base.mean('mean_wage'))}; "
          f"paid at least the floor {pct(monthly_floor.mean('minimum_wage_compliance'))}, separations for the "
          f"floor {monthly_floor.mean('minimum_wage_separations'):.2f} a month")
    differ = [c for c in columns if not monthly_floor.ts[c].equals(base.ts[c])]
    first = None
    if differ:
        first = monthly_floor.ts.loc[(monthly_floor.ts[differ] != base.ts[differ]).any(axis=1), "month"].min()
    print(f"   columns that differ: {len(differ)}, first in month {first}")
    hourly = run("scenarios/minimum_wage_hourly.yaml", replicates, months)
    print(f"   hourly 20.3: employed {change(hourly.mean('employed'), base.mean('employed'))}, mean wage "
          f"{change(hourly.mean('mean_wage'), base.mean('mean_wage'))}, mean hourly wage "
          f"{change(hourly.mean('mean_hourly_wage'), base.mean('mean_hourly_wage'))}, hours "
          f"{change(hourly.mean('mean_hours_week'), base.mean('mean_hours_week'))}, workers "
          f"{change(hourly.mean('workers'), base.mean('workers'))}; live-in "
          f"{pct(hourly.mean('live_in_share'))}; paid at least the floor "
          f"{pct(hourly.mean('minimum_wage_compliance'))}; "
          f"unemployment {pct(base.mean('unemployment_rate'))} -> {pct(hourly.mean('unemployment_rate'))}")


def checks(base: Runs, replicates: int, months: int) -> None:
    """Print the pattern checks: the baseline's, then their own runs."""
    ts = base.ts
    print("## Checks")
    steady = ts[ts["month"] >= 25]

    def formula(frame: pd.DataFrame) -> tuple[float, float, float, float]:
        s, f = frame["separation_rate"].mean(), frame["job_finding_rate"].mean()
        return s, f, s * (1 - f) / (s + f - s * f), frame["unemployment_rate"].mean()

    s, f, u_formula, u = formula(steady)
    print(f"steady state (months 25-{months}): s {s:.4f}, f {f:.3f}, s(1-f)/(s+f-sf) {u_formula:.3f}, "
          f"s/(s+f) {s / (s + f):.3f}, unemployment {u:.3f}; arrivals {steady['arrivals'].mean():.1f} a month")
    s, f, u_formula, u = formula(steady[~steady["calendar_month"].isin([2, 3])])
    print(f"   outside Feb-Mar: s {s:.4f}, f {f:.3f}, formula {u_formula:.3f}, unemployment {u:.3f}")
    year = base.by_month().loc[months - 11: months]
    print("festival, months 61-72 by calendar month (mean of replicates):")
    print(year[["calendar_month", "vacancies", "hires", "unemployment_rate", "arrivals", "separations", "away",
                "hire_wage_index", "mean_hire_wage", "mean_wage"]].round(3).to_string())
    later = ts[ts["month"] > 12].groupby("calendar_month")["arrivals"].mean()
    print("   arrivals by calendar month over years 2-6: " + ", ".join(f"{m}: {v:.0f}" for m, v in later.items()))

    print("fee cap and fee ban (shipped scenarios against the baseline):")
    rows = {"baseline": base}
    for name in ("fee_cap", "fee_ban"):
        rows[name] = run(f"scenarios/{name}.yaml", replicates, months)
    for name, r in rows.items():
        print(f"   {name}: worker fees {r.mean('worker_fees_paid'):,.0f} "
              f"({change(r.mean('worker_fees_paid'), base.mean('worker_fees_paid'))}), household fees "
              f"{r.mean('household_fees_paid'):,.0f} "
              f"({change(r.mean('household_fees_paid'), base.mean('household_fees_paid'))}), "
              f"overcharging {pct(r.mean('overcharging_share'))}, referral {pct(r.mean('referral_placement_share'))} "
              f"(sd {100 * r.sd('referral_placement_share'):.1f}), agency {pct(r.mean('agency_placement_share'))}, "
              f"debt {pct(r.mean('workers_in_debt_share'))}")

    print("Beveridge curve (demand.need_share): unemployment, vacancy rate")
    without = {"agencies.count": 0, "agencies.entry_rate": 0.0}
    for label, extra in (("with agencies", {}), ("without agencies", without)):
        for share in (0.6, 0.75, 0.85):
            r = base if (share == 0.75 and not extra) else run("scenarios/baseline.yaml", replicates, months,
                                                               **{"demand.need_share": share, **extra})
            print(f"   {label} {share}: {pct(r.mean('unemployment_rate'))}, {pct(r.mean('vacancy_rate'))}")

    long = 120
    print(f"chain migration ({long} months): origin concentration at months 1/24/48/72/96/120")
    for weight in (0.0, 0.6, 0.9):
        r = run("scenarios/baseline.yaml", replicates, long, **{"migration.network_weight": weight})
        hhi = r.by_month()["origin_concentration"]
        print(f"   network_weight {weight}: " + " / ".join(f"{hhi[m]:.3f}" for m in (1, 24, 48, 72, 96, 120)))

    print(f"accounts: insurance_contributions {base.mean('insurance_contributions'):,.0f}, public_subsidies "
          f"{base.mean('public_subsidies'):,.0f}, held_jobs_lost {base.mean('held_jobs_lost'):.2f}, "
          f"mean_net_income {base.mean('mean_net_income'):,.0f}, worker_contributions "
          f"{base.mean('worker_contributions'):,.0f}, max |money_unaccounted| "
          f"{ts['money_unaccounted'].abs().max():.2e}")


def main() -> None:
    """Run the baseline, then print the targets and the checks (each with its own runs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--months", type=int, default=72)
    parser.add_argument("--only", choices=("targets", "checks"))
    args = parser.parse_args()
    started = time.perf_counter()
    base = run("scenarios/baseline.yaml", args.replicates, args.months)
    if args.only != "checks":
        targets(base, args.replicates, args.months)
    if args.only != "targets":
        checks(base, args.replicates, args.months)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
