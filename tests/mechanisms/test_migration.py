"""The migration kernels against migration.py's numpy rules, bit for bit; newcomers as Mesa agents."""

from __future__ import annotations

import numpy as np

from model import DomesticWorkModel, Worker
from model.core.tables import EMPLOYED, SEARCHING
from model.mechanisms import migration
from tests.helpers import small_scenario, stepped


def test_origins_of_newcomers_are_the_numpy_rules():
    model = stepped(14)
    assert np.array_equal(migration.origin_probabilities(model), migration.origin_probabilities_numpy(model))


def test_departures_pick_the_workers_the_numpy_rule_picks():
    model = stepped(14)
    model.levers.hukou_gap = 1.0
    w = model.workers
    w.savings_target_yuan[w.present[::5]] = 0.0  # due to go home: some employed quit for it
    w.age_years[w.present[::97]] = 61.0  # past retirement age
    expected = migration.who_goes_home_numpy(model)
    going = migration._going_home(w.present, migration.home_columns(model), migration.home_terms(model))
    assert np.array_equal(going.quitting, expected.quitting) and np.array_equal(going.leaving, expected.leaving)
    assert going.quitting.size and going.leaving.size > going.quitting.size
    # The step itself: the leavers are gone, the quitters' jobs ended on the way.
    employed_before = w.status[going.quitting].copy()
    migration.go_home_for_good(model)
    assert (employed_before == EMPLOYED).all() and (w.status[going.leaving] == 4).all()


def test_going_home_is_the_numpy_hazard_to_the_last_bit():
    """The kernel's hazards and draws are the numpy rule's, a float32 age compare, the broke and the old included."""
    overrides = {"migration.home_rate": 0.05, "migration.retirement_age": 45.3, "migration.broke_savings_yuan": 900.0,
                 "migration.impatience_rate": 0.1, "migration.leave_rate_when_due": 0.3}
    model = DomesticWorkModel("scenarios/hukou_reform.yaml", months=14, **overrides)
    for _ in range(13):
        model.step()
    w, m = model.workers, model.params.migration
    # Exactly the float32 nearest the retirement age (below 45.3): numpy counts them as of age.
    w.age_years[w.with_status(SEARCHING)[:20]] = np.float32(m.retirement_age)
    # Some migrants searching long with little left: the broke.
    migrants = w.with_status(SEARCHING)[~w.local_hukou[w.with_status(SEARCHING)]][20:40]
    w.savings_yuan[migrants] = m.broke_savings_yuan * np.linspace(0.5, 1.5, migrants.size)
    w.months_searching[migrants] = m.broke_months
    expected = migration.who_goes_home_numpy(model)
    going = migration._going_home(w.present, migration.home_columns(model), migration.home_terms(model))
    assert np.array_equal(going.quitting, expected.quitting) and np.array_equal(going.leaving, expected.leaving)
    searching = w.with_status(SEARCHING)
    broke = ((w.savings_yuan[searching] <= m.broke_savings_yuan) & (w.months_searching[searching] >= m.broke_months)
             & ~w.local_hukou[searching])
    assert expected.quitting.size and expected.leaving.size > expected.quitting.size
    assert broke.any() and (w.age_years[searching] >= m.retirement_age).any()



def test_the_home_terms_carry_each_parameter_in_its_named_field():
    """home_terms fills HomeTerms positionally (for speed): each field, by name."""
    model = stepped(2)
    model.levers.hukou_gap = 0.6
    m, month = model.params.migration, model.month
    terms = migration.HomeTerms(*migration.home_terms(model))
    expected = migration.HomeTerms(
        employed_key=model.streams.ukey("home_employed", month),
        searching_key=model.streams.ukey("home_searching", month),
        home_pull=1.0 + (model.params.hukou.home_pull - 1.0) * 0.6, retirement_age=np.float32(m.retirement_age),
        base_rate=m.home_rate, employed_base_rate=m.home_rate * m.employed_home_rate_factor,
        when_due_rate=m.leave_rate_when_due, employed_when_due_rate=m.employed_leave_rate_when_due,
        impatience_rate=m.impatience_rate, patience_months=m.patience_months, broke_yuan=m.broke_savings_yuan,
        broke_months=m.broke_months)
    assert terms == expected
    home = migration.home_columns(model)
    assert all(home[i] is getattr(model.workers, name) for i, name in enumerate(migration.HomeColumns._fields))

def test_newcomers_are_registered_mesa_agents():
    model = stepped(3)
    workers = model.agents_by_type[Worker]
    rows = sorted(agent.row for agent in workers)
    assert rows == model.workers.present.tolist()
    ids = [agent.unique_id for agent in model.agents]
    assert len(set(ids)) == len(ids) == len(model.agents)
    newest = model.worker_agents[-1]
    assert newest.row == model.workers.n - 1 and newest in workers and newest.model is model
    assert workers.select(lambda a: a.status == "searching").get("savings_yuan")


def test_workers_away_count_down_and_come_back_as_the_numpy_rule_has_it():
    model = DomesticWorkModel(small_scenario(), months=30)
    w = model.workers
    while not w.with_status(3).size:  # until the Spring Festival sends workers home
        model.step()
    w.away_months_left[w.with_status(3)[::2]] = 2  # some stay away a month longer
    before = w.away_months_left.copy()
    expected = migration.time_away_numpy(model)
    left = w.away_months_left.copy()
    w.away_months_left[:] = before
    back = migration._time_away(w.present, w.status, w.away_months_left)
    assert np.array_equal(back, expected) and np.array_equal(w.away_months_left, left)
    assert 0 < back.size < w.with_status(3).size
