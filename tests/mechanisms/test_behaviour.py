"""Behaviour that varies where people differ: contracts and insurance, prices, wage setting, migration, records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.core.tables import EMPLOYED, LIVE_OUT
from model.run.runner import last_months_means, run_replicates
from tests.helpers import run_months, small_scenario

SIZE = {"workers.count": 2000, "households.count": 3000, "agencies.count": 20, "months": 48, "replicates": 2}


def outcomes(**overrides) -> pd.Series:
    """Last-12-month means, averaged over two replicates."""
    return last_months_means(run_replicates(small_scenario(**{**SIZE, **overrides}), workers=1)).mean()


def mandate(enforcement: float, fine: float) -> dict:
    return {"policies.contract_mandate.enabled": True, "policies.contract_mandate.enforcement": enforcement,
            "policies.contract_mandate.fine": fine}


# --- item 4: contracts and insurance ------------------------------------------------


def test_contracts_vary_with_household_income_and_job_type():
    model, _ = run_months(small_scenario(**SIZE))
    w, h = model.workers, model.households
    employed = np.flatnonzero((w.view("status") == EMPLOYED) & ~w.view("agency_employed"))
    income = h.income_yuan[w.employer[employed]]
    contract = w.contract[employed]
    rich = contract[income >= np.quantile(income, 0.75)].mean()
    poor = contract[income <= np.quantile(income, 0.25)].mean()
    assert rich > 1.5 * poor
    cleaner = contract[w.job_type[employed] == LIVE_OUT].mean()
    others = contract[w.job_type[employed] != LIVE_OUT].mean()
    assert cleaner < 0.8 * others


def test_a_contract_mandate_works_smoothly_with_enforcement_times_fine():
    """Dose-response: the contract share rises step by step with the expected fine, no cliff."""
    doses = [(0.1, 7500.0), (0.2, 7500.0), (0.3, 7500.0), (0.3, 10000.0), (0.3, 12500.0)]
    base = outcomes()["contract_share"]
    shares = np.array([outcomes(**mandate(e, f))["contract_share"] for e, f in doses])
    steps = np.diff(np.r_[base, shares])
    assert np.all(steps > 0.005), f"not rising at every dose: {np.r_[base, shares]}"
    assert steps.max() < 0.5 * (shares[-1] - base), f"a cliff, not a dose-response: {np.r_[base, shares]}"
    assert shares[-1] > base + 0.2


def test_inspections_find_and_fine_jobs_without_a_contract():
    fine = 8000.0
    run = run_replicates(small_scenario(**SIZE, **mandate(0.3, fine)), replicates=1, workers=1)
    assert run["inspections_found"].sum() > 0
    # With no fee cap, every fine is a contract-mandate fine paid by a household.
    assert run["fines_paid"].sum() == pytest.approx(fine * run["inspections_found"].sum())
    assert outcomes()["inspections_found"] == 0


def test_an_insurance_subsidy_works_through_the_same_choice():
    shares = [outcomes(**{"policies.insurance_subsidy.enabled": True, "policies.insurance_subsidy.share": s})
              for s in (0.0, 0.4, 0.8)]
    insured = [o["insured_share"] for o in shares]
    assert insured[0] < insured[1] < insured[2]
    for o in shares:
        assert o["formal_share"] <= o["contract_share"] + 1e-12


# --- item 5: prices that adjust -----------------------------------------------------


def test_reservation_wages_fall_with_months_searching_and_low_savings():
    from model.mechanisms import wages

    model, _ = run_months(small_scenario(**SIZE), months=1)
    w = model.workers
    rows = np.arange(50)
    w.savings_yuan[rows] = 50000.0
    w.months_searching[rows] = 0
    fresh = wages.reservation(model, rows)
    w.months_searching[rows] = 6
    searched = wages.reservation(model, rows)
    w.savings_yuan[rows] = 0.0
    broke = wages.reservation(model, rows)
    home = model.params.migration.rural_income_yuan
    above = fresh > 1.5 * home
    assert above.sum() > 10
    assert np.all(searched[above] < fresh[above]) and np.all(broke[above] < searched[above])
    w.months_searching[rows] = 1000
    assert np.all(wages.reservation(model, rows) >= home)


def test_a_household_offers_more_the_longer_its_vacancy_stays_open():
    from model.mechanisms import wages

    model, _ = run_months(small_scenario(**SIZE), months=1)
    households = np.flatnonzero(model.households.view("need") >= 0)[:20]
    workers = np.arange(households.size)
    model.households.vacancy_months[households] = 1
    first = wages.household_maximum(model, workers, households)
    model.households.vacancy_months[households] = 6
    assert np.all(wages.household_maximum(model, workers, households) > first)


def test_wages_are_renegotiated_at_the_yearly_review():
    from model.mechanisms import wages

    model, _ = run_months(small_scenario(**SIZE), months=12)
    employed = np.flatnonzero((model.workers.view("status") == EMPLOYED) & ~model.workers.view("agency_employed"))
    before = model.workers.wage_yuan[employed].astype(float)
    model.market.tightness[:] = 5.0
    wages.renegotiate(model, employed)
    after = model.workers.wage_yuan[employed].astype(float)
    assert after.mean() > 1.02 * before.mean()
    assert np.mean(after > before) > 0.8


def test_the_festival_raises_new_hires_wages_through_tightness_without_holiday_pay():
    scenario = small_scenario(**{**SIZE, "shocks.spring_festival.holiday_pay_multiplier": 1.0})
    ts = run_replicates(scenario, workers=1)
    by_month = ts.groupby("month")["hire_wage_index"].mean()
    january = by_month.loc[[13, 25, 37]].mean()
    february = by_month.loc[[14, 26, 38]].mean()
    assert february > 1.03 * january
    paid = ts.groupby("month")["mean_wage"].mean()
    assert paid.loc[[14, 26, 38]].mean() < 1.05 * paid.loc[[13, 25, 37]].mean(), "no holiday pay: no spike in pay"


# --- item 6: wage posting -------------------------------------------------------------


def minimum_wage(hourly: float) -> dict:
    return {"policies.minimum_wage.enabled": True, "policies.minimum_wage.monthly": 0.0,
            "policies.minimum_wage.hourly": hourly, "policies.minimum_wage.enforcement": 1.0}


def test_under_wage_posting_a_minimum_wage_first_raises_then_lowers_employment():
    """FACTS result 6, monopsony branch: a floor a little above posted wages draws workers in, a high one prices out.

    Hourly floors: a monthly one binds only full-time work, and households escape it by buying fewer hours.
    """
    posting = {"wages.regime": "posting"}
    none = outcomes(**posting)["employed"]
    a_little_above = outcomes(**posting, **minimum_wage(15.0))["employed"]
    far_above = outcomes(**posting, **minimum_wage(30.0))["employed"]
    assert a_little_above > 1.05 * none
    assert far_above < 0.95 * none
    # Under bargaining the same modest floor raises employment far less: only through the migrants that the
    # higher wages of those it binds draw in (households cut hours before they end jobs).
    bargained = outcomes(**minimum_wage(15.0))["employed"] / outcomes()["employed"]
    assert bargained <= 1.03 and bargained - 1.0 < 0.5 * (a_little_above / none - 1.0)


def test_posted_wages_are_marked_down_below_what_households_would_pay():
    from model.mechanisms import wages

    model, _ = run_months(small_scenario(**{**SIZE, "wages.regime": "posting"}), months=6)
    h = model.households
    vacant = np.flatnonzero((h.view("need") >= 0) & (h.view("worker") < 0))
    wages.post(model, np.flatnonzero(model.workers.view("status") == 1), vacant)
    posted = h.posted_wage_yuan[vacant]
    assert np.all(posted <= h.wtp_yuan[vacant] * 1.25 + 1e-6)
    assert np.median(posted / h.wtp_yuan[vacant]) < 0.95


# --- item 7: chain migration ---------------------------------------------------------


def test_strong_chain_migration_concentrates_origins_over_time():
    def concentration(weight: float) -> pd.Series:
        scenario = small_scenario(**{"months": 96, "migration.network_weight": weight})
        return run_replicates(scenario, workers=1).groupby("month")["origin_concentration"].mean()

    strong = concentration(0.9)
    assert strong.loc[96] > strong.loc[48] > 1.2 * strong.loc[1]
    weak = concentration(0.0)
    assert weak.loc[96] < weak.loc[48] < weak.loc[1]


# --- item 8: credit records -----------------------------------------------------------


def test_credit_records_move_placements_to_agencies_with_better_records_not_to_agencies():
    without = outcomes()
    with_records = outcomes(**{"policies.credit_records.enabled": True})
    assert with_records["top_quartile_placement_share"] > without["top_quartile_placement_share"] + 0.08
    # No flat bonus: the agency channel's share of hires barely moves.
    assert abs(with_records["agency_placement_share"] - without["agency_placement_share"]) < 0.03


# --- item 9: smaller defects and constants as keys -------------------------------------


def test_a_course_pauses_while_she_is_away_and_ends_when_she_leaves_for_good():
    from model.core import labour
    from model.core.tables import AWAY, GONE, SEARCHING
    from model.mechanisms import training

    model, _ = run_months(small_scenario(**{**SIZE, "shocks.spring_festival.enabled": False}), months=3)
    w = model.workers
    searching = np.flatnonzero(w.view("status") == SEARCHING)[:20]
    away, gone = searching[:10], searching[10:]
    w.training_left[searching] = 1
    w.certified[searching] = False
    labour.leave_for_a_while(model, away, 2)
    labour.depart(model, gone)
    assert np.all(w.status[away] == AWAY) and np.all(w.status[gone] == GONE)
    training.train(model)
    assert np.all(w.training_left[away] == 1), "the course went on while she was away"
    assert np.all(w.training_left[gone] == 0) and not w.certified[gone].any()


def test_local_hukou_workers_do_not_go_home_like_migrants():
    scenario = small_scenario(**{**SIZE, "months": 14, "workers.local_hukou_share": 0.5,
                                 "workers.savings_target_yuan": 1.0, "migration.arrival_rate": 0.0})
    model, ts = run_months(scenario)
    w = model.workers
    rows = np.arange(scenario.workers.count)
    local = w.local_hukou[rows]
    gone = w.status[rows] == 4
    # Every migrant has met her savings target: many go home; locals have no home to go to.
    assert gone[~local].mean() > 3 * gone[local].mean()
    festival = ts.iloc[13]  # February of year 2
    assert festival["away"] <= 0.7 * (festival["workers"] * (1 - festival["local_hukou_share"])) + 1
    away = np.flatnonzero(w.view("status") == 3)
    assert away.size > 0 and not w.local_hukou[away].any()


NEW_KEYS = {
    "market.dismissal_productivity_top": 1.5, "market.dismissal_productivity_span": 0.2,
    "market.dismissal_max_multiplier": 0.0, "channels.agency_fee_weight_share": 2.0,
    "channels.referral_floor": 1.0, "channels.initial_attraction": 0.9, "agencies.capacity_sd": 1.5,
    "agencies.reputation_sd": 0.3, "agencies.profit_smoothing": 0.9, "migration.employed_home_rate_factor": 10.0,
    "migration.broke_savings_yuan": 5000.0, "migration.broke_months": 0, "city.urban_village_ring": 0.1,
    "workers.savings_target_shape": 0.5, "workers.experience_mean_months": 120.0,
    "workers.newcomer_savings_months": 20.0, "market.reservation_decay": 0.2,
    "market.offer_rise_per_month": 0.2, "contracts.cost_income_elasticity": 3.0,
    "contracts.stay_half_months": 1.0,
}


@pytest.mark.parametrize("key", sorted(NEW_KEYS))
def test_mechanism_constants_are_scenario_keys_that_act(key):
    from model.scenario.schema import Scenario

    section, name = key.split(".")
    field = Scenario.model_fields[section].annotation.model_fields[name]
    assert field.json_schema_extra["unit"] and field.description
    size = {"workers.count": 400, "households.count": 600, "agencies.count": 6, "months": 8}
    base = run_replicates(small_scenario(**size), replicates=1, workers=1)
    changed = run_replicates(small_scenario(**size, **{key: NEW_KEYS[key]}), replicates=1, workers=1)
    assert not base.equals(changed), f"{key} changes nothing"


def test_caught_overchargers_lose_the_share_of_reputation_the_key_says():
    cap = {"policies.worker_fee_cap.enabled": True, "policies.worker_fee_cap.enforcement": 1.0,
     "policies.worker_fee_cap.inspections": 12.0,
           "agencies.honesty_mean_yuan": 0.0, "policies.worker_fee_cap.fine": 0.0}
    size = {"workers.count": 400, "households.count": 600, "agencies.count": 6, "months": 8}
    base = run_replicates(small_scenario(**size, **cap), replicates=1, workers=1)
    changed = run_replicates(small_scenario(**size, **cap, **{"agencies.caught_reputation_factor": 1.0}),
                             replicates=1, workers=1)
    assert not base.equals(changed)
