"""The migration, demand and training kernels against the numpy code they replaced, bit for bit.

Each reference below is the numpy form the mechanism had before its kernel; the
kernel must give the same rows, the same columns and the same numbers.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from model import DomesticWorkModel, Worker
from model.core.population import draw_workers, pick
from model.core.tables import EMPLOYED, SEARCHING
from model.mechanisms import demand, migration, training
from tests.helpers import small_scenario

DRAWN = ("origin", "local_hukou", "age_years", "skill", "certified", "experience_months", "job_type",
         "reservation_yuan", "savings_target_yuan", "savings_yuan", "home_cell", "record", "arrival_month", "status")


def _model(months: int = 14) -> DomesticWorkModel:
    model = DomesticWorkModel(small_scenario(), months=months + 2)
    model.run_for(months)
    return model


def _draw_workers_numpy(model, rows, rng, origin_probs, newcomers):
    p = model.params.workers
    w = model.workers
    n = rows.size
    types = model.types
    w.origin[rows] = pick(origin_probs, rng.random(n))
    w.local_hukou[rows] = rng.random(n) < p.local_hukou_share
    retire = model.params.migration.retirement_age
    age = rng.normal(p.age_mean, p.age_sd, n)
    late = age >= retire
    age[late] = retire - rng.uniform(0.0, 8.0, int(late.sum()))
    w.age_years[rows] = np.clip(age, 18.0, retire - 1.0 / 12.0)
    w.skill[rows] = np.exp(rng.normal(-0.5 * p.skill_sd**2, p.skill_sd, n))
    w.certified[rows] = rng.random(n) < p.certified_share
    w.experience_months[rows] = rng.exponential(p.experience_mean_months, n)
    job_type = pick(types.worker_share, rng.random(n))
    w.job_type[rows] = job_type
    reference = types.reference_wage[job_type]
    noise = np.exp(rng.normal(0.0, p.reservation_sd, n))
    floor = model.params.migration.rural_income_yuan
    w.reservation_yuan[rows] = np.maximum(p.reservation_share * reference * w.skill[rows] * noise, floor)
    target = rng.gamma(p.savings_target_shape, p.savings_target_yuan / p.savings_target_shape, n)
    w.savings_target_yuan[rows] = target
    start = rng.random(n)
    if newcomers:
        w.savings_yuan[rows] = model.params.migration.rural_income_yuan * start * p.newcomer_savings_months
    else:
        w.savings_yuan[rows] = target * start
    villages = model.city.urban_villages
    w.home_cell[rows] = villages[rng.integers(0, villages.size, n)]
    w.record[rows] = 0.5
    w.arrival_month[rows] = model.month
    w.status[rows] = SEARCHING


def _origin_probabilities_numpy(model):
    m = model.params.migration
    w = model.workers
    in_city = np.bincount(w.origin[w.present], minlength=m.origins).astype(np.float64)
    pull = in_city ** m.network_exponent
    return (1.0 - m.network_weight) * model.origin_base + m.network_weight * pull / pull.sum()


def test_newcomers_and_the_first_workers_get_the_numpy_draws_bit_for_bit():
    model = _model()
    w = model.workers
    probs = migration.origin_probabilities(model)
    assert np.array_equal(probs, _origin_probabilities_numpy(model))
    for newcomers, size in ((True, 60), (False, 3000)):
        rows = w.grow(size)
        _draw_workers_numpy(model, rows, np.random.default_rng(5), probs, newcomers)
        expected = {name: getattr(w, name)[rows].copy() for name in DRAWN}
        for name in DRAWN:
            getattr(w, name)[rows] = 0
        draw_workers(model, rows, np.random.default_rng(5), probs, newcomers)
        for name in DRAWN:
            assert np.array_equal(getattr(w, name)[rows], expected[name]), name
        assert (w.age_years[rows] < model.params.migration.retirement_age).all()
        assert np.unique(w.origin[rows]).size > 10 and np.unique(w.job_type[rows]).size == 4


def _going_home_numpy(model):
    """Departures as numpy computed them: employed quitters first, then searchers (the quitters among them)."""
    m = model.params.migration
    w = model.workers
    month = model.month
    home_pull = 1.0 + (model.params.hukou.home_pull - 1.0) * model.levers.hukou_gap

    def hazard(rows, base, when_due, searching):
        migrant = ~w.local_hukou[rows]
        due = migrant & (w.savings_yuan[rows] >= w.savings_target_yuan[rows])
        h = base * np.where(migrant, home_pull, 1.0)
        if searching:
            months = w.months_searching[rows]
            due |= (w.savings_yuan[rows] <= m.broke_savings_yuan) & (months >= m.broke_months) & migrant
            h = h + m.impatience_rate * (months > m.patience_months)
        h = h + when_due * due
        return h + 1.0 * (w.age_years[rows] >= m.retirement_age)

    employed = w.with_status(EMPLOYED)
    u = model.streams.uniform("home_employed", month, employed)
    quitting = employed[u < hazard(employed, m.home_rate * m.employed_home_rate_factor,
                                   m.employed_leave_rate_when_due, False)]
    searching = np.union1d(w.with_status(SEARCHING), quitting)
    leaving = model.streams.uniform("home_searching", month, searching) < hazard(
        searching, m.home_rate, m.leave_rate_when_due, True)
    leaving[np.searchsorted(searching, quitting)] = True
    return quitting, searching[leaving]


def test_departures_pick_the_workers_numpy_picked():
    model = _model()
    model.levers.hukou_gap = 1.0
    w = model.workers
    w.savings_target_yuan[w.present[::5]] = 0.0  # due to go home: some employed quit for it
    w.age_years[w.present[::97]] = 61.0  # past retirement age
    expected_quitting, expected_leaving = _going_home_numpy(model)
    m = model.params.migration
    quitting, leaving = migration._going_home(
        w.present, w.status, w.local_hukou, w.savings_yuan, w.savings_target_yuan, w.age_years, w.months_searching,
        model.streams.ukey("home_employed", model.month), model.streams.ukey("home_searching", model.month),
        1.0 + (model.params.hukou.home_pull - 1.0), np.float32(m.retirement_age), m.home_rate,
        m.home_rate * m.employed_home_rate_factor, m.leave_rate_when_due, m.employed_leave_rate_when_due,
        m.impatience_rate, m.patience_months, m.broke_savings_yuan, m.broke_months)
    assert np.array_equal(quitting, expected_quitting) and np.array_equal(leaving, expected_leaving)
    assert quitting.size and leaving.size > quitting.size
    # The step itself: the leavers are gone, the quitters' jobs ended on the way.
    employed_before = w.status[quitting].copy()
    migration.go_home_for_good(model)
    assert (employed_before == EMPLOYED).all() and (w.status[leaving] == 4).all()


def test_needs_that_end_and_arise_change_the_households_as_numpy_did():
    model = _model()
    h, w, month = model.households, model.workers, model.month
    streams = model.streams
    need = h.view("need")
    short = np.full(4, 4.0)  # needs lasting four months: many end
    ending, starts = demand._needs_changing(need, streams.ukey("need_end", month),
                                            streams.ukey("need_onset", month), short, model.types.onset_rate)
    status = w.status.copy()
    status[w.with_status(EMPLOYED)[::3]] = 3  # away, their jobs held
    worker, working, kind, wtp_draw = demand._what_changes(
        ending, starts, h.worker, status, model.types.onset_mix, streams.ukey("need_type", month),
        streams.ukey("need_wtp", month))
    # The numpy form.
    expected_worker = h.worker[ending]
    with_worker = expected_worker >= 0
    expected_working = with_worker.copy()
    expected_working[with_worker] = status[expected_worker[with_worker]] == EMPLOYED
    assert np.array_equal(worker, expected_worker) and worker.dtype == expected_worker.dtype
    assert np.array_equal(working, expected_working) and working.any() and not working.all()
    assert not with_worker.all()
    assert np.array_equal(kind, pick(model.types.onset_mix, streams.uniform("need_type", month, starts)))
    z = streams.normal("need_wtp", month, starts)
    assert np.array_equal(demand.ndtri(wtp_draw), z)

    d = model.params.demand
    relative_income = h.income_yuan[starts] / model.params.households.income_median_yuan
    expected_wtp = (model.types.reference_wage[kind] * d.wtp_markup
                    * relative_income ** d.wtp_income_elasticity * np.exp(d.wtp_sd * z)).astype(np.float32)
    h.vacancy_months[starts] = 3
    demand.set_need(model, starts, kind, z)
    assert np.array_equal(h.need[starts], kind.astype(np.int8))
    assert np.array_equal(h.wtp_yuan[starts], expected_wtp)
    assert not h.vacancy_months[starts].any()


def _train_numpy(model):
    w = model.workers
    t = model.params.training
    month = model.month
    searching = w.with_status(SEARCHING)
    in_course = searching[w.training_left[searching] > 0]
    w.training_left[in_course] -= 1
    done = in_course[w.training_left[in_course] == 0]
    passed = done[model.streams.uniform("training_pass", month, done) < t.pass_rate]
    w.certified[passed] = True
    candidates = searching[~w.certified[searching] & (w.training_left[searching] == 0)]
    cost = t.cost_yuan * (1.0 - model.levers.training_subsidy_share)
    gain = t.pass_rate * t.premium * model.types.reference_wage[w.job_type[candidates]] * t.horizon_months
    chance = t.take_up_max * expit((gain - cost) / t.take_up_scale_yuan)
    u = model.streams.uniform("training_take_up", month, candidates)
    start = candidates[(u < chance) & (w.savings_yuan[candidates] >= cost)]
    w.savings_yuan[start] -= cost
    w.training_left[start] = t.months
    return passed.size, start.size


def test_a_month_of_courses_as_numpy_ran_it():
    model = _model()
    model.params.training.months = 2
    model.levers.training_subsidy_share = 0.5
    w = model.workers
    columns = ("training_left", "certified", "savings_yuan")
    before = {name: getattr(w, name).copy() for name in columns}
    passed, started = _train_numpy(model)
    expected = {name: getattr(w, name).copy() for name in columns}
    for name in columns:
        getattr(w, name)[:] = before[name]
    trained, certified = model.flows.trained, model.flows.certified
    training.train(model)
    for name in columns:
        assert np.array_equal(getattr(w, name), expected[name]), name
    assert (model.flows.trained - trained, model.flows.certified - certified) == (started, passed)
    assert started > 0


def test_newcomers_are_registered_mesa_agents():
    model = _model(3)
    workers = model.agents_by_type[Worker]
    rows = sorted(agent.row for agent in workers)
    assert rows == model.workers.present.tolist()
    ids = [agent.unique_id for agent in model.agents]
    assert len(set(ids)) == len(ids) == len(model.agents)
    newest = model.worker_agents[-1]
    assert newest.row == model.workers.n - 1 and newest in workers and newest.model is model
    assert workers.select(lambda a: a.status == "searching").get("savings_yuan")


def test_workers_away_count_down_and_come_back_as_numpy_had_it():
    model = DomesticWorkModel(small_scenario(), months=30)
    w = model.workers
    while not w.with_status(3).size:  # until the Spring Festival sends workers home
        model.step()
    w.away_months_left[w.with_status(3)[::2]] = 2  # some stay away a month longer
    left = w.away_months_left.copy()
    away = w.with_status(3)
    left[away] -= 1
    expected = away[left[away] <= 0]
    back = migration._time_away(w.present, w.status, w.away_months_left)
    assert np.array_equal(back, expected) and np.array_equal(w.away_months_left, left)
    assert 0 < back.size < away.size


def test_going_home_is_the_numpy_hazard_to_the_last_bit():
    """The kernel's hazards and draws are the numpy code's, a float32 age compare included."""
    from model.core.tables import EMPLOYED, SEARCHING
    from model.mechanisms.migration import _going_home

    overrides = {"migration.home_rate": 0.05, "migration.retirement_age": 45.3, "migration.broke_savings_yuan": 900.0,
                 "migration.impatience_rate": 0.1, "migration.leave_rate_when_due": 0.3}
    model = DomesticWorkModel("scenarios/hukou_reform.yaml", months=14, **overrides)
    for _ in range(13):
        model.step()
    w, m, month = model.workers, model.params.migration, model.month
    # Exactly the float32 nearest the retirement age (below 45.3): numpy counts them as of age.
    w.age_years[w.with_status(SEARCHING)[:20]] = np.float32(m.retirement_age)
    home_pull = 1.0 + (model.params.hukou.home_pull - 1.0) * model.levers.hukou_gap
    pull = np.where(w.view("local_hukou"), 1.0, home_pull)
    migrant = ~w.view("local_hukou")
    saved = (w.view("savings_yuan") >= w.view("savings_target_yuan")) & migrant
    old = w.view("age_years") >= m.retirement_age
    employed, searching = w.with_status(EMPLOYED), w.with_status(SEARCHING)
    hazard_e = (m.home_rate * m.employed_home_rate_factor * pull[employed]
                + m.employed_leave_rate_when_due * saved[employed] + 1.0 * old[employed])
    expected_e = model.streams.uniform("home_employed", month, employed) < hazard_e
    months = w.months_searching[searching]
    broke = (w.savings_yuan[searching] <= m.broke_savings_yuan) & (months >= m.broke_months) & migrant[searching]
    hazard_s = (m.home_rate * pull[searching] + m.impatience_rate * (months > m.patience_months)
                + m.leave_rate_when_due * (saved[searching] | broke) + 1.0 * old[searching])
    expected_s = model.streams.uniform("home_searching", month, searching) < hazard_s
    columns = (w.local_hukou, w.savings_yuan, w.savings_target_yuan, w.age_years, w.months_searching)
    age = np.float32(m.retirement_age)
    quitting, leaving = _going_home(
        w.present, w.status, *columns, model.streams.ukey("home_employed", month),
        model.streams.ukey("home_searching", month), home_pull, age, m.home_rate,
        m.home_rate * m.employed_home_rate_factor, m.leave_rate_when_due, m.employed_leave_rate_when_due,
        m.impatience_rate, m.patience_months, m.broke_savings_yuan, m.broke_months)
    assert np.array_equal(quitting, employed[expected_e])
    assert np.array_equal(leaving, np.union1d(searching[expected_s], employed[expected_e]))
    assert expected_e.any() and expected_s.any() and broke.any() and old[searching].any()
