"""Migration: arrivals, going home for good, and the Spring Festival exodus.

Arrivals follow Harris-Todaro: the expected urban income (the mean agreed wage
times the chance of a job, less the cost of living, more without local hukou)
over the rural alternative; at ``migration.reference_income_ratio`` the city
draws ``migration.arrival_rate`` of its starting workforce a month. Newcomers come from hometown counties
in proportion to a mix of the counties' shares of potential migrants and of the
pull of each county's network in the city (chain migration, weight
``migration.network_weight``). The pull grows more than in proportion to the
county's workers already there (``migration.network_exponent`` above 1), so with
strong networks the big chains draw a growing share of arrivals and the
concentration of origins rises over time; with weak ones the base shares win and
origins spread. The workers there at the start come from a few counties more than
their populations say (earlier chains). Migrant workers go home
for good after long unemployment, on reaching a savings target or retirement age,
or when savings run out; lacking local hukou adds to the pull of home. Workers
with local hukou are home already: they leave the market only on retiring, at the
base rate or after long unemployment, and do not travel at Spring Festival. At
Spring Festival a share of migrants go home for a few weeks, most keep their
jobs, a few stay home; festival days worked pay a premium.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model import labour
from model.mechanisms.separations import record_and_separate
from model.population import draw_workers
from model.tables import AWAY, EMPLOYED, LIVE_OUT, SEARCHING

if TYPE_CHECKING:
    from model.model import DomesticWorkModel



def expected_income(model: DomesticWorkModel, mean_wage: float, unemployment_rate: float) -> float:
    """Harris-Todaro expected monthly income in the city, net of living costs."""
    p = model.params
    live_out = model.types.worker_share[LIVE_OUT]
    cost = (p.migration.living_cost_yuan + p.migration.rent_yuan * live_out
            + p.hukou.extra_living_cost_yuan * model.levers.hukou_gap * (1.0 - p.workers.local_hukou_share))
    return max(mean_wage * (1.0 - unemployment_rate) - cost, 1.0)


def return_from_away(model: DomesticWorkModel) -> None:
    """Workers whose time away is over come back."""
    w = model.workers
    away = w.with_status(AWAY)
    w.away_months_left[away] -= 1
    labour.come_back(model, away[w.away_months_left[away] <= 0])


def is_festival(model: DomesticWorkModel) -> bool:
    """Whether this month is the Spring Festival month."""
    sf = model.params.shocks.spring_festival
    return sf.enabled and model.calendar_month == sf.month


def festival_exodus(model: DomesticWorkModel) -> None:
    """At Spring Festival a share go home: most keep their jobs, some stay home for good."""
    model.festival_pay_factor = 1.0
    if not is_festival(model):
        return
    sf = model.params.shocks.spring_festival
    w = model.workers
    month = model.month
    status = w.status[w.present]
    # Local-hukou workers celebrate at home, in the city.
    present = w.present[((status == SEARCHING) | (status == EMPLOYED)) & ~w.local_hukou[w.present]]
    leaving = present[model.streams.uniform("festival_leave", month, present) < sf.share_leaving]
    for_good = model.streams.uniform("festival_stay_home", month, leaving) < sf.share_not_returning
    held = model.streams.uniform("festival_job_held", month, leaving) < sf.job_held_share
    employed = w.status[leaving] == EMPLOYED

    record_and_separate(model, leaving[employed & for_good], "going_home", bad=False)
    labour.depart(model, leaving[for_good])
    labour.leave_with_job_held(model, leaving[employed & held & ~for_good], sf.away_months)
    record_and_separate(model, leaving[employed & ~held & ~for_good], "festival", bad=False)
    labour.leave_for_a_while(model, leaving[~employed & ~for_good | (employed & ~held & ~for_good)], sf.away_months)
    model.festival_pay_factor = 1.0 + (sf.holiday_pay_multiplier - 1.0) * sf.holiday_share_of_month


def go_home_for_good(model: DomesticWorkModel) -> None:
    """Departures: long unemployment, savings target, age, empty purse, the pull of home."""
    m = model.params.migration
    w = model.workers
    month = model.month
    home_pull = 1.0 + (model.params.hukou.home_pull - 1.0) * model.levers.hukou_gap

    # Local-hukou workers are at home already: no savings target to go home with, no
    # village to return to when broke; they leave the market on retiring, at the base rate
    # or after long unemployment.
    def pull_saved_old(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        migrant = ~w.local_hukou[rows]
        saved = (w.savings_yuan[rows] >= w.savings_target_yuan[rows]) & migrant
        return np.where(~migrant, 1.0, home_pull), saved, w.age_years[rows] >= m.retirement_age, migrant

    employed = w.with_status(EMPLOYED)
    pull, saved, old, _ = pull_saved_old(employed)
    hazard_e = m.home_rate * m.employed_home_rate_factor * pull + m.employed_leave_rate_when_due * saved + 1.0 * old
    quitting = employed[model.streams.uniform("home_employed", month, employed) < hazard_e]
    record_and_separate(model, quitting, "going_home", bad=False)

    searching = w.with_status(SEARCHING)
    pull, saved, old, migrant = pull_saved_old(searching)
    months = w.months_searching[searching]
    broke = (w.savings_yuan[searching] <= m.broke_savings_yuan) & (months >= m.broke_months) & migrant
    hazard_s = (m.home_rate * pull + m.impatience_rate * (months > m.patience_months)
                + m.leave_rate_when_due * (saved | broke) + 1.0 * old)
    u = model.streams.uniform("home_searching", month, searching)
    leaving = searching[(u < hazard_s) | np.isin(searching, quitting)]
    labour.depart(model, leaving)


def arrive(model: DomesticWorkModel) -> None:
    """Newcomers, by Harris-Todaro expected income, from hometown networks."""
    m = model.params.migration
    last = model.market
    income = expected_income(model, last.mean_wage, last.unemployment_rate)
    ratio = income / m.rural_income_yuan / m.reference_income_ratio
    expected = m.arrival_rate * model.params.workers.count * ratio ** m.income_elasticity
    rng = model.streams.get("arrivals", model.month)
    k = int(rng.poisson(expected)) if expected > 0 else 0
    if k == 0:
        return
    rows = model.workers.grow(k)
    draw_workers(model, rows, rng, origin_probabilities(model), newcomers=True)
    model.accounts.villages_yuan -= float(model.workers.savings_yuan[rows].sum())  # what they bring from home
    # Newcomers enter from outside the city: count them as arrivals into searching.
    model.workers.status[rows] = 0
    labour.move(model, rows, SEARCHING)
    model.add_worker_agents(rows)


def origin_probabilities(model: DomesticWorkModel) -> np.ndarray:
    """Where newcomers come from: base shares mixed with hometown networks in the city."""
    m = model.params.migration
    w = model.workers
    in_city = np.bincount(w.origin[w.present], minlength=m.origins).astype(np.float64)
    if in_city.sum() <= 0:
        return model.origin_base
    # Help from contacts has increasing returns (lodging, leads, a guarantor): the pull of a
    # county's network grows faster than its number of workers in the city.
    pull = in_city ** m.network_exponent
    return (1.0 - m.network_weight) * model.origin_base + m.network_weight * pull / pull.sum()
