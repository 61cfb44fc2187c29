"""Hours as a choice (model/mechanisms/hours.py): the value of hours, the hours bought, the floor for hours."""

from __future__ import annotations

import numpy as np
import pytest

from model.core.tables import EMPLOYED, LIVE_IN, WEEKS_PER_MONTH
from model.mechanisms import hours, wages
from tests.helpers import small_scenario

NEED = np.array([90.0])  # hours a week, live-in care
HI = np.array([6000.0])  # the most the household pays a month for them in a bargain


def test_the_care_is_worth_its_full_value_at_the_need_and_less_with_every_hour_cut():
    share = np.linspace(0.3, 1.0, 30)
    value = hours.care_value(NEED * share, NEED, 1.5 * HI, HI / (NEED * WEEKS_PER_MONTH), 0.4)
    assert value[-1] == pytest.approx(9000.0)
    assert np.all(np.diff(value) > 0)  # more hours are worth more
    # ...with diminishing returns: each hour cut costs more than the one before.
    assert np.all(np.diff(value, 2) < 0)


@pytest.mark.parametrize("elasticity", [0.2, 0.4, 0.7])
def test_hours_bought_have_the_stated_elasticity_above_what_it_would_pay_an_hour(elasticity):
    per_hour = HI / (NEED * WEEKS_PER_MONTH)
    assert hours.hours_demanded(NEED, per_hour, 0.8 * per_hour, elasticity) == pytest.approx(NEED)  # all of them
    h1 = hours.hours_demanded(NEED, per_hour, 1.2 * per_hour, elasticity)
    h2 = hours.hours_demanded(NEED, per_hour, 1.2 * 1.01 * per_hour, elasticity)
    assert np.log(h2 / h1) / np.log(1.01) == pytest.approx(-elasticity, rel=1e-6)
    # The marginal worth of the hours bought is their cost: the value curve and the demand agree.
    cost = 1.3 * per_hour
    bought = hours.hours_demanded(NEED, per_hour, cost, elasticity)
    dh = 1e-4
    slope = (hours.care_value(bought + dh, NEED, 1.5 * HI, per_hour, elasticity)
             - hours.care_value(bought - dh, NEED, 1.5 * HI, per_hour, elasticity)) / (2 * dh * WEEKS_PER_MONTH)
    assert slope == pytest.approx(cost, rel=1e-5)


def test_the_floor_for_hours_pro_rates_the_monthly_minimum_and_counts_every_hour():
    floor = hours.floor_for_hours(np.array([10.0, 40.0, 90.0]), 20.3, 2100.0, 40.0)
    assert floor.tolist() == pytest.approx([max(525.0, 20.3 * 10 * WEEKS_PER_MONTH), 2100.0 * 0 + max(
        2100.0, 20.3 * 40 * WEEKS_PER_MONTH), 20.3 * 90 * WEEKS_PER_MONTH])
    assert hours.floor_for_hours(np.array([10.0]), 0.0, 2100.0, 40.0)[0] == pytest.approx(525.0)
    credit = hours.in_kind_credit(np.array([8000.0, 3000.0]), np.array([1300.0, 1300.0]), 0.1)
    assert credit.tolist() == [800.0, 300.0]  # room and board meet at most a tenth of the floor


def _choose(floor_per_hour: float, hi: float = 6000.0, wage: float = 5000.0, worker_min: float = 4000.0,
            value_markup: float = 1.5, elasticity: float = 0.4) -> hours.Choice:
    def floor_of(h):
        return floor_per_hour * h * WEEKS_PER_MONTH

    return hours.choose_hours(NEED, np.array([value_markup * hi]), np.array([hi]), np.array([wage]),
                              np.array([worker_min]), np.array([0.0]), np.array([elasticity]), floor_of)


def test_a_floor_that_does_not_bind_leaves_the_hours_and_the_wage():
    choice = _choose(floor_per_hour=10.0)  # 10 x 90 x 4.33 = 3,900 < 5,000
    assert choice.keeps[0] and choice.hours[0] == pytest.approx(90.0) and choice.wage[0] == pytest.approx(5000.0)


def test_a_binding_floor_cuts_hours_before_it_ends_the_job_and_ends_it_when_no_hours_are_worth_it():
    mild, steep, ruinous = _choose(16.0), _choose(19.0), _choose(40.0)
    assert mild.keeps[0] and steep.keeps[0] and not ruinous.keeps[0]
    assert 90.0 > mild.hours[0] >= steep.hours[0]  # the dearer the hour, the fewer bought
    # The wage is the floor for the hours kept: more a month than before, for fewer hours.
    assert mild.wage[0] == pytest.approx(16.0 * mild.hours[0] * WEEKS_PER_MONTH, rel=1e-6)
    assert mild.wage[0] > 5000.0
    # Inelastic care keeps more of its hours than elastic cleaning would at the same cost.
    assert _choose(19.0, elasticity=0.2).hours[0] > _choose(19.0, elasticity=0.7).hours[0]


def test_a_worker_who_would_not_take_the_pay_for_the_hours_left_ends_the_job():
    choice = _choose(16.0, worker_min=20000.0)
    assert not choice.keeps[0]


def _with_floor(**extra):
    from model import DomesticWorkModel

    scenario = small_scenario(months=24, **{"policies.minimum_wage.enabled": True,
                                            "policies.minimum_wage.hourly": 20.3,
                                            "policies.minimum_wage.start_month": 13, **extra})
    model = DomesticWorkModel(scenario)
    model.run_for(12)
    return model


def test_complying_households_pay_the_floor_for_the_hours_they_keep_and_cut_hours_not_only_jobs():
    model = _with_floor(**{"policies.minimum_wage.enforcement": 1.0})
    w, h = model.workers, model.households
    before = w.with_status(EMPLOYED)
    hours_before = w.hours_week[before].copy()
    model.step()  # the floor starts
    kept = before[w.status[before] == EMPLOYED]
    employed = w.with_status(EMPLOYED)
    households = w.employer[employed]
    eb = w.agency_employed[employed]
    floor = wages.legal_floor(model, households, eb)
    assert (w.wage_yuan[employed] >= floor - 0.01).all()
    cut = w.hours_week[kept] < hours_before[w.status[before] == EMPLOYED]
    assert cut.any()  # some households cut hours...
    assert model.metrics["minimum_wage_separations"] < cut.sum()  # ...more than end jobs
    # Hours are the household's and the worker's alike (an hourly worker's are her clients' sum); days fall with them.
    single = w.employers[employed] == 1
    assert np.array_equal(w.hours_week[employed][single], h.hours_week[households][single])
    assert (w.days_week[kept[cut]] <= 7).all() and (w.days_week[employed] >= 1).all()


def test_live_in_room_and_board_meet_a_limited_part_of_the_floor():
    model = _with_floor(**{"policies.minimum_wage.enforcement": 1.0, "policies.minimum_wage.in_kind_share": 0.1})
    model.step()
    h = model.households
    live_in = np.flatnonzero((h.view("arrangement") == LIVE_IN) & (h.view("need") >= 0))[:50]
    full = wages.policy_floor(model, h.hours_week[live_in])
    cash = wages.cash_floor(model, h.hours_week[live_in], h.arrangement[live_in])
    assert np.allclose(full - cash, np.minimum(1300.0, 0.1 * full))


def test_households_that_ignore_a_floor_still_move_wages_part_way_to_it_and_never_above_their_maximum():
    pulled = wages.pulled_wage(np.array([4000.0, 4000.0, 9000.0]), np.array([4300.0, 6000.0, 9500.0]),
                               np.array([6000.0, 6000.0, 6000.0]), 0.5)
    assert pulled.tolist() == [4300.0, 5000.0, 9000.0]  # capped at its maximum; half the gap; above it: kept
    model = _with_floor(**{"policies.minimum_wage.enforcement": 0.0})
    w = model.workers
    employed = w.with_status(EMPLOYED)
    model.levers.wage_floor_hourly_yuan, model.levers.wage_floor_reference_pull = 20.3, 0.5
    households = w.employer[employed]
    eb = w.agency_employed[employed]
    ignoring = wages.bargain(model, employed, households, eb)
    model.levers.wage_floor_reference_pull = 0.0
    plain = wages.bargain(model, employed, households, eb)
    assert (ignoring >= plain).all() and (ignoring > plain).any()
    assert (ignoring <= np.maximum(plain, wages.household_maximum(model, employed, households)) + 1e-6).all()
