"""The optimized step against simpler reference implementations.

The counter-based row draws replaced drawing a number for every row of a table
from a numpy Generator, which changed the draws: the test shows the outcomes
have the same distribution. The radix sort and the informed agency assignment
are checked against plain sorting and brute-force matching.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import linear_sum_assignment

from model import DomesticWorkModel
from model.core.rng import Streams
from model.core.tables import EMPLOYED, SEARCHING
from model.mechanisms import wages
from model.mechanisms.market import _contacts
from model.mechanisms.matching import applications, best_per_group, cap_per_group, group_order, sorted_assignment
from tests.helpers import small_scenario
from tests.mechanisms.test_market import _cap_numpy


class TableStreams(Streams):
    """The earlier design: a numpy Generator per (decision, month), one draw for every row up to the largest."""

    def uniform(self, name, month, rows, k=0):
        rows = np.asarray(rows)
        n = int(rows.max()) + 1 if rows.size else 0
        gen = self.get(name, month)
        if k:
            return gen.random((n, k))[rows]
        return gen.random(n)[rows]

    def normal(self, name, month, rows):
        rows = np.asarray(rows)
        n = int(rows.max()) + 1 if rows.size else 0
        return self.get(name, month).standard_normal(n)[rows]

    def gumbel(self, name, month, rows, k):
        return -np.log(-np.log(np.clip(self.uniform(name, month, rows, k), 1e-12, 1 - 1e-12)))


def test_group_order_is_a_stable_argsort():
    rng = np.random.default_rng(1)
    for n_groups in (7, 30_000, 100_000):
        group = rng.integers(0, n_groups, 5000)
        order, count, start = group_order(group, n_groups)
        assert np.array_equal(order, np.argsort(group, kind="stable"))
        assert np.array_equal(count, np.bincount(group, minlength=n_groups))
        assert np.array_equal(start, np.cumsum(count) - count)


@pytest.mark.parametrize("seed", range(20))
def test_sorted_assignment_makes_as_many_acceptable_matches_as_possible(seed):
    rng = np.random.default_rng(seed)
    n_app, n_vac = rng.integers(1, 12, 2)
    app_group, vac_group = rng.integers(0, 2, n_app), rng.integers(0, 2, n_vac)
    ask, offer = rng.uniform(0, 10, n_app), rng.uniform(0, 10, n_vac)
    app, vac = sorted_assignment(app_group, vac_group, ask, offer)
    ok = offer[vac] >= ask[app]
    assert np.unique(app).size == app.size and np.unique(vac).size == vac.size
    assert (app_group[app] == vac_group[vac]).all()
    feasible = (app_group[:, None] == vac_group[None, :]) & (offer[None, :] >= ask[:, None])
    rows, cols = linear_sum_assignment(-feasible.astype(float))
    assert ok.sum() == feasible[rows, cols].sum()


def _outcomes(streams_class, replicates=8):
    rows = []
    for r in range(replicates):
        model = DomesticWorkModel(small_scenario(months=30), replicate=r)
        model.streams = streams_class(model.seed)
        model.run_for(30)
        ts = model.datacollector.get_model_vars_dataframe().iloc[-12:]
        rows.append(ts[["unemployment_rate", "mean_wage", "contract_share", "agency_placement_share",
                        "separation_rate", "workers"]].mean())
    return rows


def test_counter_based_draws_give_the_same_distribution_of_outcomes():
    new, old = _outcomes(Streams), _outcomes(TableStreams)
    for column in new[0].index:
        a = np.array([r[column] for r in new])
        b = np.array([r[column] for r in old])
        p = stats.ttest_ind(a, b, equal_var=False).pvalue
        assert p > 0.001, f"{column}: counter-based {a.mean():.4g} vs table draws {b.mean():.4g} (p={p:.2g})"
        # Close in level too: within 10%, or within three standard errors for a noisy share
        # (the agency share of hires varies by about 0.04 between replicates at 1:400).
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(a.mean() - b.mean()) <= max(0.1 * abs(b.mean()), 3 * se), column


@pytest.mark.parametrize("hukou_gap", [1.0, 0.4, 0.0])
def test_self_enrolment_values_only_those_who_could_enrol_and_chooses_as_valuing_all(hukou_gap):
    """The bound that spares valuing every uninsured worker changes no choice."""
    from model.mechanisms.contracts import _self_enrol
    from tests.mechanisms.test_contracts import _insurance_value, _planned_stay_months

    model = DomesticWorkModel("scenarios/baseline.yaml", months=4, **{"contracts.self_enrol_rate": 0.1,
                                                                      "contracts.value_migrant": 1.8})
    for _ in range(3):
        model.step()
    model.levers.hukou_gap = hukou_gap
    w, c = model.workers, model.params.contracts
    workers = w.present[~w.self_insured[w.present]]
    u = model.streams.uniform("self_enrol", model.month, workers)
    value = _insurance_value(model, workers, _planned_stay_months(model, workers))
    expected = workers[u < c.self_enrol_rate * value / c.value_local]
    assert 0 < expected.size < workers.size // 4  # some enrol, most are spared
    _self_enrol(model, workers)
    assert np.array_equal(workers[w.self_insured[workers]], expected)


def test_the_budget_kernel_is_the_numpy_formula_bit_for_bit():
    """Living costs, kin loans, repayments and remittances as the numpy code computed them."""
    from model.core.tables import LIVE_OUT, SEARCHING
    from model.mechanisms.wages import _budgets

    model = DomesticWorkModel("scenarios/hukou_reform.yaml", months=30)
    for _ in range(30):
        model.step()
    w, p = model.workers, model.params
    rows = w.present
    rng = np.random.default_rng(5)
    income = np.where(rng.random(rows.size) < 0.5, 0.0, rng.normal(3000.0, 3000.0, rows.size))
    savings, debt = w.view("savings_yuan").copy(), w.view("debt_yuan").copy()
    savings[rows[:50]] = 0.0  # zeros and shortfalls: the signs of zeros must match too
    # The numpy form.
    pays_rent = (w.job_type[rows] == LIVE_OUT) | (w.status[rows] == SEARCHING)
    cost = (p.migration.living_cost_yuan + p.migration.rent_yuan * pays_rent
            + p.hukou.extra_living_cost_yuan * model.levers.hukou_gap * ~w.local_hukou[rows])
    net = income - cost
    saved = savings[rows] + net
    borrowed = np.maximum(-saved, 0.0)
    saved += borrowed
    home = p.migration.remittance_share * np.maximum(net, 0.0)
    owed = debt[rows] + borrowed
    repaid = np.minimum(owed, home)
    new_savings, new_debt = savings.copy(), debt.copy()
    new_debt[rows] = owed - repaid
    new_savings[rows] = saved - home
    got = _budgets(rows, income, w.job_type, w.status, w.local_hukou, savings, debt, p.migration.living_cost_yuan,
                   p.migration.rent_yuan, p.hukou.extra_living_cost_yuan * model.levers.hukou_gap,
                   p.migration.remittance_share)
    for mine, theirs in zip(got, (cost, home, borrowed, repaid), strict=True):
        assert mine.tobytes() == theirs.tobytes()
    assert savings.tobytes() == new_savings.tobytes() and debt.tobytes() == new_debt.tobytes()
    assert borrowed.any() and repaid.any()


def _pay_in_numpy(model, employed, u_arrears, u_repay):
    """The numpy form of wages._pay_rows (what the month did before the kernel)."""
    w, p, c = model.workers, model.params, model.params.contracts
    formal = w.contract[employed] | w.agency_employed[employed]
    unpaid = u_arrears < np.where(formal, p.market.arrears_rate_formal, p.market.arrears_rate_informal)
    w.arrears_now[employed[unpaid]] = True
    paid = np.where(unpaid, 0.0, w.wage_yuan[employed].astype(np.float64) * model.festival_pay_factor)
    w.wages_owed_yuan[employed[unpaid]] += w.wage_yuan[employed[unpaid]]
    owed = w.wages_owed_yuan[employed]
    repaid = (~unpaid) & (owed > 0) & (u_repay < p.market.arrears_repay_rate)
    paid += np.where(repaid, owed, 0.0)
    w.wages_owed_yuan[employed[repaid]] = 0.0
    gross = paid
    deduction = np.minimum(w.deduction_left_yuan[employed], p.agencies.max_deduction_share * gross)
    paid = gross - deduction
    w.deduction_left_yuan[employed] -= deduction
    w.paid_yuan[employed] = paid
    insured = w.insured[employed] & ~w.self_insured[employed] & (gross > 0)
    total = np.where(insured, c.contribution_rate * np.maximum(w.wage_yuan[employed].astype(np.float64),
                                                               c.contribution_base_min_yuan), 0.0)
    subsidy = model.levers.insurance_subsidy_share * total
    employer = c.employer_contribution_share * (total - subsidy)
    worker = np.minimum(total - subsidy - employer, w.paid_yuan[employed])
    return gross, paid, deduction, (total, subsidy, employer, worker)


def test_the_pay_kernel_is_the_numpy_formula_bit_for_bit():
    """Arrears, repayments, deductions and contributions as the numpy code computed them."""
    from model.core.tables import EMPLOYED
    from model.mechanisms.wages import _pay_rows

    model = DomesticWorkModel("scenarios/fee_cap.yaml", months=14)
    for _ in range(13):
        model.step()
    w, p, c = model.workers, model.params, model.params.contracts
    model.festival_pay_factor = 1.128
    model.levers.insurance_subsidy_share = 0.4
    employed = w.with_status(EMPLOYED)
    rng = np.random.default_rng(3)
    some = employed[rng.random(employed.size) < 0.3]
    w.deduction_left_yuan[some] = rng.uniform(0.0, 3000.0, some.size).astype(np.float32)
    w.wages_owed_yuan[employed[rng.random(employed.size) < 0.2]] = np.float32(4321.5)
    w.insured[employed[rng.random(employed.size) < 0.4]] = True
    u_arrears = model.streams.uniform("arrears", model.month, employed)
    u_repay = model.streams.uniform("arrears_repaid", model.month, employed)
    columns = ("wages_owed_yuan", "deduction_left_yuan", "arrears_now", "paid_yuan")
    start = {name: w.view(name).copy() for name in columns}
    expected = _pay_in_numpy(model, employed, u_arrears, u_repay)
    after_numpy = {name: w.view(name).copy() for name in columns}
    for name in columns:
        w.view(name)[:] = start[name]
    got = _pay_rows(employed, model.streams.ukey("arrears", model.month),
                    model.streams.ukey("arrears_repaid", model.month), w.contract, w.agency_employed, w.insured, w.self_insured,
                    w.wage_yuan, w.wages_owed_yuan, w.deduction_left_yuan, w.arrears_now, w.paid_yuan,
                    p.market.arrears_rate_formal, p.market.arrears_rate_informal, p.market.arrears_repay_rate,
                    model.festival_pay_factor, p.agencies.max_deduction_share, c.contribution_rate,
                    c.contribution_base_min_yuan, model.levers.insurance_subsidy_share, c.employer_contribution_share)
    for mine, theirs in zip((*got[:3], *got[3]), (*expected[:3], *expected[3]), strict=True):
        assert mine.tobytes() == theirs.tobytes()
    for name in columns:
        assert w.view(name).tobytes() == after_numpy[name].tobytes(), name
    assert expected[2].any() and expected[3][0].any() and w.arrears_now[employed].any()


def test_wage_percentiles_are_numpys_to_the_last_bit():
    """One sort of the float32 pay column gives np.percentile's linear interpolation exactly."""
    from model.core.metrics import WAGE_PERCENTILES, percentiles

    rng = np.random.default_rng(0)
    for trial in range(600):
        n = int(rng.integers(1, 60)) if trial < 500 else int(rng.integers(1000, 40000))
        values = rng.normal(5000.0, 900.0, n).astype(np.float32)
        if trial % 3 == 0:  # many ties
            values = (np.round(values / 100) * 100).astype(np.float32)
        q = WAGE_PERCENTILES if trial % 2 else np.r_[0.0, rng.uniform(0.0, 100.0, 4), 100.0]
        expected = np.percentile(values.astype(np.float64), q)
        assert percentiles(values, q).tobytes() == expected.tobytes(), (n, q)


# --- the hiring round's kernels against the numpy forms they replaced ------------------------


def _first_per_group(keys, order):
    sorted_keys = keys[order]
    is_first = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    return order[is_first]


@pytest.mark.parametrize("seed", range(5))
def test_best_per_group_is_the_first_after_a_lexsort(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    group = rng.integers(0, 400, n)
    key = rng.integers(0, 5, n).astype(float)  # many ties
    key[rng.random(n) < 0.05] = np.nan
    key[rng.random(n) < 0.05] = -np.inf
    expected = _first_per_group(group, np.lexsort((-key, group)))
    assert np.array_equal(best_per_group(group, key, 400), expected)


@pytest.mark.parametrize(("k", "n_groups"), [(1, 4), (3, 4), (1, 2000)])
def test_applications_are_the_numpy_draws(k, n_groups):
    rng = np.random.default_rng(k * n_groups)
    app_group, vac_group = rng.integers(0, n_groups, 700), rng.integers(0, n_groups, 500)
    draws = rng.random((k, 700))
    vac_order = np.argsort(vac_group, kind="stable")
    vac_count = np.bincount(vac_group, minlength=n_groups)
    vac_start = np.cumsum(vac_count) - vac_count
    count, start = vac_count[app_group], vac_start[app_group]
    app = np.tile(np.flatnonzero(count > 0), k)
    u = draws[:, np.flatnonzero(count > 0)].ravel()
    vac = vac_order[start[app] + np.minimum((u * count[app]).astype(np.int64), count[app] - 1)]
    got_app, got_vac = applications(app_group, vac_group, n_groups, draws)
    assert np.array_equal(got_app, app) and np.array_equal(got_vac, vac)


def _sorted_assignment_numpy(applicant_group, vacancy_group, applicant_ask, vacancy_offer):
    app_parts, vac_parts = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for g in np.intersect1d(applicant_group, vacancy_group):
        apps = np.flatnonzero(applicant_group == g)
        vacs = np.flatnonzero(vacancy_group == g)
        apps = apps[np.argsort(applicant_ask[apps], kind="stable")]
        vacs = vacs[np.argsort(vacancy_offer[vacs], kind="stable")]
        asks, offers = applicant_ask[apps], vacancy_offer[vacs]
        lo, hi = 0, min(apps.size, vacs.size)
        while lo < hi:
            k = (lo + hi + 1) // 2
            if np.all(asks[:k] <= offers[offers.size - k:]):
                lo = k
            else:
                hi = k - 1
        app_parts.append(apps[:lo])
        vac_parts.append(vacs[vacs.size - lo:])
    return np.concatenate(app_parts), np.concatenate(vac_parts)


@pytest.mark.parametrize("seed", range(10))
def test_sorted_assignment_kernel_is_the_numpy_bisection(seed):
    rng = np.random.default_rng(seed)
    n_app, n_vac = rng.integers(0, 400, 2)
    app_group, vac_group = rng.integers(0, 5, n_app), rng.integers(1, 7, n_vac)
    ask, offer = rng.integers(0, 30, n_app) / 3, rng.integers(0, 30, n_vac) / 3  # ties
    got = sorted_assignment(app_group, vac_group, ask, offer)
    expected = _sorted_assignment_numpy(app_group, vac_group, ask, offer)
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])


@pytest.mark.parametrize("seed", range(5))
def test_cap_per_group_kernel_is_the_numpy_ranking(seed):
    rng = np.random.default_rng(seed)
    group, score = rng.integers(0, 50, 1000), rng.integers(0, 10, 1000).astype(float)
    capacity = rng.integers(0, 30, 50)
    assert np.array_equal(cap_per_group(group, score, capacity), _cap_numpy(group, score, capacity))


def test_referral_contacts_kernel_is_the_numpy_pick():
    rng = np.random.default_rng(3)
    n_cells = 400
    employed = np.sort(rng.choice(100_000, 5000, replace=False))
    employer_cell = rng.integers(0, n_cells // 2, employed.size).astype(np.int32)  # half the cells have nobody
    cell, u = rng.integers(0, n_cells, 3000).astype(np.int32), rng.random(3000)
    order = np.argsort(employer_cell, kind="stable")
    count = np.bincount(employer_cell, minlength=n_cells)
    start = np.cumsum(count) - count
    c = count[cell]
    local = start[cell] + np.minimum((u * c).astype(np.int64), np.maximum(c - 1, 0))
    anywhere = np.minimum((u * employed.size).astype(np.int64), employed.size - 1)
    expected = np.where(c > 0, employed[order][np.minimum(local, employed.size - 1)], employed[anywhere])
    assert np.array_equal(_contacts(employed, employer_cell, n_cells, cell, u), expected)


@pytest.mark.parametrize("regime", ["bargaining", "posting"])
def test_round_prices_are_the_pricing_functions_to_the_bit(regime):
    model = DomesticWorkModel(small_scenario(**{"months": 14, "wages.regime": regime,
                                                "policies.minimum_wage.enabled": True}))
    model.run_for(13)
    w, h = model.workers, model.households
    searchers = np.flatnonzero(w.view("status") == SEARCHING)
    vacancies = np.flatnonzero((h.view("need") >= 0) & (h.view("worker") < 0))
    model.market.set_tightness(model, searchers, vacancies)
    prices = wages.RoundPrices(model, searchers, vacancies)
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, searchers.size, 2000), rng.integers(0, vacancies.size, 2000)
    eb = rng.random(2000) < 0.3
    workers, households = searchers[i], vacancies[j]
    terms = prices.terms(i, j, eb)
    job_type = w.job_type[workers]
    assert np.array_equal(terms.lo, wages.worker_minimum(model, workers, households))
    assert np.array_equal(terms.hi, wages.household_maximum(model, workers, households))
    assert np.array_equal(terms.floor, wages.legal_floor(model, job_type, households, eb))
    assert np.array_equal(terms.wage(model, job_type), wages.bargain(model, workers, households, eb))
    assert np.array_equal(prices.ask, wages.reservation(model, searchers) / wages.productivity(model, searchers))
    assert np.array_equal(prices.offer_per_unit(j), wages.offer_per_unit(model, households))
    assert (terms.posted is not None) == (regime == "posting")
    assert 0 < terms.acceptable().sum() < 2000


def _job_endings_in_numpy(model, employed):
    """The numpy form of separations.job_endings (every hazard drawn and assessed for every job)."""
    from model.mechanisms import separations, wages

    w, m, month = model.workers, model.params.market, model.month

    def u(name):
        return model.streams.uniform(name, month, employed)

    exogenous = u("separation") < m.separation_rate * model.types.separation_multiplier[w.job_type[employed]]
    arrears = w.arrears_now[employed] & (u("quit_arrears") < m.quit_after_arrears)
    quits = ~(w.contract[employed] | w.agency_employed[employed]) & (u("quit_informal") < m.informal_quit_rate)
    weakness = (m.dismissal_productivity_top - wages.productivity(model, employed)) / m.dismissal_productivity_span
    dismissed = u("dismissal") < m.dismissal_rate * np.clip(weakness, 0.0, m.dismissal_max_multiplier)
    priced_out = separations._apply_wage_floor(model, employed)
    first = np.full(employed.size, -1)
    for code, hit in reversed(list(enumerate((exogenous, arrears, quits, dismissed, priced_out)))):
        first[hit] = code
    return first


@pytest.mark.parametrize("scenario", ["baseline", "minimum_wage_hourly", "c189_package"])
def test_job_endings_are_those_of_drawing_and_assessing_every_job(scenario):
    """Drawing each hazard only for the jobs it can end, and assessing only possible dismissals, changes no ending."""
    from model.core.tables import EMPLOYED
    from model.mechanisms.separations import job_endings

    overrides = {"market.dismissal_rate": 0.05, "market.informal_quit_rate": 0.05, "market.quit_after_arrears": 0.5}
    model = DomesticWorkModel(f"scenarios/{scenario}.yaml", months=20, **overrides)
    for _ in range(19):
        model.step()
    employed = model.workers.with_status(EMPLOYED)
    wage = model.workers.wage_yuan.copy()
    expected = _job_endings_in_numpy(model, employed)
    model.workers.wage_yuan[:] = wage  # the wage floor raised some wages: start again from the same state
    got = job_endings(model, employed)
    assert np.array_equal(got, expected)
    assert all(np.any(expected == code) for code in range(4))


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


def test_upper_quartile_is_numpys_to_the_last_bit():
    from model.mechanisms.market import upper_quartile

    rng = np.random.default_rng(4)
    for trial in range(2000):
        n = int(rng.integers(1, 900))
        values = rng.random(n).astype(np.float32 if trial % 4 else np.float64)
        if trial % 3 == 0:  # ties
            values = np.round(values * 10) / 10
        assert np.asarray(upper_quartile(values)).tobytes() == np.asarray(np.quantile(values, 0.75)).tobytes()
    assert np.isnan(upper_quartile(np.array([0.5, np.nan], dtype=np.float32)))


@pytest.mark.parametrize("no_agency", [False, True])
def test_channel_choice_kernel_is_the_numpy_utility_argmax(no_agency):
    from model.core.tables import AGENCY, REFERRAL
    from model.mechanisms.channels import NO_CHANNEL, _best_channel

    rng = np.random.default_rng(int(no_agency))
    attraction = rng.random((5000, 3)).astype(np.float32)
    attraction[:100] = 0.5  # ties
    rows = np.sort(rng.choice(5000, 3000, replace=False))
    referral = np.where(rng.random(3000) < 0.3, NO_CHANNEL, rng.normal(0.0, 1.0, 3000))
    agency = (0.2 + 0.7 * (rng.random(3000).astype(np.float32) - 0.5) - 0.3).astype(np.float64)
    gumbel = -np.log(-np.log(rng.random((3000, 3))))
    gumbel[:50] = 0.0
    utility = 1.3 * attraction[rows].astype(np.float64)
    utility[:, REFERRAL] += referral
    if no_agency:
        utility[:, AGENCY] = NO_CHANNEL
    else:
        utility[:, AGENCY] += agency
    utility += 0.8 * gumbel
    expected = np.argmax(utility, axis=1).astype(np.int8)
    got = _best_channel(attraction, rows, 1.3, referral, agency, no_agency, 0.8, gumbel)
    assert np.array_equal(got, expected) and np.unique(got).size == (2 if no_agency else 3)


def test_learning_kernel_is_the_numpy_float32_update():
    from model.mechanisms.channels import learn

    rng = np.random.default_rng(2)
    attraction = rng.random((4000, 3)).astype(np.float32)
    rows = np.sort(rng.choice(4000, 2500, replace=False))
    channel = rng.integers(0, 3, rows.size).astype(np.int8)
    success = rng.random(rows.size) < 0.4
    expected = attraction.copy()
    current = expected[rows, channel]
    expected[rows, channel] = current + 0.15 * (success.astype(np.float32) - current)
    learn(attraction, rows, channel, success, 0.15)
    assert attraction.tobytes() == expected.tobytes()


def test_the_round_finds_searchers_employed_and_vacancies_as_numpy_does():
    from model.mechanisms.market import _searchers_and_employed, _vacancies

    model = DomesticWorkModel(small_scenario(months=14))
    model.run_for(13)
    w, h = model.workers, model.households
    status = w.status[w.present]
    searching = w.present[status == SEARCHING]
    searchers, employed = _searchers_and_employed(w.present, w.status, w.training_left)
    assert np.array_equal(searchers, searching[w.training_left[searching] == 0])
    assert np.array_equal(employed, w.present[status == EMPLOYED])
    assert 0 < searchers.size < searching.size  # some are in training
    vacancies = _vacancies(h.view("need"), h.view("worker"))
    assert np.array_equal(vacancies, np.flatnonzero((h.view("need") >= 0) & (h.view("worker") < 0)))
    assert vacancies.size > 0


def test_needs_end_and_arise_as_drawing_for_every_household():
    """The demand kernel picks the households the numpy code picked, from the same draws."""
    from model.mechanisms.demand import _age_vacancies, _needs_changing

    model = DomesticWorkModel("scenarios/baseline.yaml", months=8)
    for _ in range(7):
        model.step()
    h, t, month = model.households, model.types, model.month
    need = h.view("need")
    with_need, without_need = np.flatnonzero(need >= 0), np.flatnonzero(need < 0)
    u_end = model.streams.uniform("need_end", month, with_need)
    expected_end = with_need[u_end < 1.0 / t.need_duration[need[with_need]]]
    expected_start = without_need[model.streams.uniform("need_onset", month, without_need) < t.onset_rate]
    ending, starts = _needs_changing(need, model.streams.ukey("need_end", month),
                                     model.streams.ukey("need_onset", month), t.need_duration, t.onset_rate)
    assert np.array_equal(ending, expected_end) and np.array_equal(starts, expected_start)
    assert ending.size and starts.size
    months = h.view("vacancy_months").copy()
    months[(need >= 0) & (h.view("worker") < 0)] += 1
    _age_vacancies(need, h.view("worker"), h.view("vacancy_months"))
    assert np.array_equal(h.view("vacancy_months"), months)
