"""The hiring round's kernels against the numpy form they replaced.

The reference round below is the numpy code of the hiring round before its steps
were fused into kernels (channel choice, applications, referral contacts, the
urn-ball and agency hires, learning). Two models run side by side, one with the
reference round, and must keep the same tables to the byte, month after month.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel
from model.core import labour
from model.core.population import pick
from model.core.tables import AGENCY, EMPLOYED, EMPLOYEE_BASED, N_CHANNELS, N_JOB_TYPES, OPEN, REFERRAL, SEARCHING
from model.mechanisms import agencies, channels, contracts, market, matching, wages
from model.mechanisms.agencies import household_cost_months, posted_worker_fee
from model.mechanisms.market import _contacts
from model.mechanisms.matching import applications, best_per_group, cap_per_group, sorted_assignment
from tests.helpers import SMALL, small_scenario

# --- the numpy reference ---------------------------------------------------------


def _cap_numpy(group, score, capacity):
    order = np.lexsort((-score, group))
    sorted_group = group[order]
    run_start = np.r_[0, np.flatnonzero(sorted_group[1:] != sorted_group[:-1]) + 1]
    run_id = np.cumsum(np.r_[False, sorted_group[1:] != sorted_group[:-1]])
    keep = np.zeros(group.size, dtype=bool)
    keep[order] = np.arange(order.size) - run_start[run_id] < capacity[sorted_group]
    return keep


def _employed_by_origin(model, employed):
    return np.bincount(model.workers.origin[employed], minlength=model.params.migration.origins)


def _workers_by_cell(model, employer_cell):
    return np.bincount(employer_cell, minlength=model.city.cells)


def _choose_workers(model, workers, employed):
    p = model.params.channels
    w, a = model.workers, model.agencies
    contacts = _employed_by_origin(model, employed)[w.origin[workers]]
    mean_contacts = max(float(contacts.mean()) if contacts.size else 0.0, 1.0)
    strength = model.params.market.referral_reach * contacts / mean_contacts
    referral = np.where(contacts > 0, p.referral_utility + np.log(strength + 1e-9), channels.NO_CHANNEL)
    fee = posted_worker_fee(model, np.arange(a.n))
    weights = channels.agency_weights(model, fee)
    total = weights.sum()
    agency = np.zeros(workers.size)
    if total > 0:
        mean_fee = float((fee * weights).sum() / total)
        agency += p.agency_utility - p.fee_weight * mean_fee
    gumbel = model.streams.gumbel("worker_channel", model.month, workers, N_CHANNELS)
    return channels._best_channel(w.attraction, workers, p.outcome_weight, referral, agency, not total > 0,
                                  p.choice_noise, gumbel)


def _choose_households(model, households, employer_cell):
    p = model.params.channels
    h, a = model.households, model.agencies
    neighbours = _workers_by_cell(model, employer_cell)[h.cell[households]]
    mean_neighbours = max(float(neighbours.mean()) if neighbours.size else 0.0, 1.0)
    strength = model.params.market.referral_reach * neighbours / mean_neighbours
    if model.n_employed:
        referral = p.referral_utility + np.log(strength + p.referral_floor)
    else:
        referral = np.full(households.size, channels.NO_CHANNEL)
    cost = household_cost_months(model, np.arange(a.n))
    weights = channels.agency_weights(model, cost)
    total = weights.sum()
    agency_pull = np.zeros(households.size)
    if total > 0:
        mean_cost = float((cost * weights).sum() / total)
        trust = p.trust_weight * (h.trust_agency[households] - 0.5)
        agency_pull += p.agency_utility + trust - p.fee_weight * mean_cost
    gumbel = model.streams.gumbel("household_channel", model.month, households, N_CHANNELS)
    channel = channels._best_channel(h.attraction, households, p.outcome_weight, referral, agency_pull,
                                     not total > 0, p.choice_noise, gumbel)
    agency = np.full(households.size, -1, dtype=np.int64)
    uses = channel == AGENCY
    if uses.any() and weights.sum() > 0:
        agency[uses] = pick(weights, model.streams.uniform("household_agency", model.month, households[uses]))
    return channel, agency


def _score(rank, screening, i, record_screened=False):
    log_productivity, record, noise = rank
    if record_screened:
        return screening * (log_productivity[i] + record[i]) + noise[i]
    return screening * log_productivity[i] + record[i] + noise[i]


def _applications(model, prices, rank, channel, si, vj, searchers, vacancies, employed, employer_cell):
    w_type = prices.job_type[si].astype(np.int64)
    h_type = prices.need[vj].astype(np.int64)
    if channel == OPEN:
        k = model.params.market.open_applications
        app_group, vac_group, n_groups = w_type, h_type, N_JOB_TYPES
        screening = model.params.market.open_screening
    else:
        k = 1
        households = vacancies[vj]
        if employed.size == 0:
            contact_origin = np.zeros(households.size, dtype=np.int64)
        else:
            u = model.streams.uniform("referral_contact", model.month, households)
            contact = market._contacts(employed, employer_cell, model.city.cells, model.households.cell[households], u)
            contact_origin = model.workers.origin[contact].astype(np.int64)
        app_group = model.workers.origin[searchers[si]].astype(np.int64) * N_JOB_TYPES + w_type
        vac_group = contact_origin * N_JOB_TYPES + h_type
        n_groups = model.params.migration.origins * N_JOB_TYPES
        screening = model.params.market.referral_screening
    draws = model.streams.uniform(f"applications_{channel}", model.month, searchers[si], k).T
    app, vac = applications(app_group, vac_group, n_groups, draws)
    return si[app], vj[vac], _score(rank, screening, si[app])


def _count_top_quartile(model, agency):
    a = model.agencies
    model.flows.agency_placements += int(agency.size)
    if agency.size == 0:
        return
    reputation = a.view("reputation")[a.view("active")]
    if reputation.size == 0:
        return
    threshold = market.upper_quartile(reputation)
    model.flows.top_quartile_placements += int(np.count_nonzero(a.reputation[agency] >= threshold))


def _sorted_assignment_lexsort(applicant_group, vacancy_group, applicant_ask, vacancy_offer):
    apps = np.lexsort((applicant_ask, applicant_group))
    vacs = np.lexsort((vacancy_offer, vacancy_group))
    return matching._pair_in_order(apps, applicant_group[apps], applicant_ask[apps],
                                   vacs, vacancy_group[vacs], vacancy_offer[vacs])


def _reference_match(model):
    """The hiring round as numpy computed it, step for step."""
    w, h = model.workers, model.households
    searchers, employed = market._searchers_and_employed(w.present, w.status, w.training_left)
    vacancies = market._vacancies(h.view("need"), h.view("worker"))
    model.market.set_tightness(model, searchers, vacancies)
    prices = wages.RoundPrices(model, searchers, vacancies)
    model.flows.searchers_at_matching = int(searchers.size)
    model.flows.vacancies_at_matching = int(vacancies.size)
    agencies.decide_conduct(model)
    if searchers.size == 0 or vacancies.size == 0:
        return
    employer_cell = h.cell[w.employer[employed]]
    w_channel = _choose_workers(model, searchers, employed)
    h_channel, h_agency = _choose_households(model, vacancies, employer_cell)
    visible = model.params.policies.credit_records.record_weight if model.levers.credit_records else 0.0
    rank = (np.log(prices.productivity), (w.record[searchers] - 0.5) * visible,
            model.streams.normal("screening", model.month, searchers))
    si = [np.flatnonzero(w_channel == c) for c in (OPEN, REFERRAL, AGENCY)]
    vj = [np.flatnonzero(h_channel == c) for c in (OPEN, REFERRAL, AGENCY)]
    open_i, open_j, open_score = _applications(model, prices, rank, OPEN, si[OPEN], vj[OPEN], searchers, vacancies,
                                               employed, employer_cell)
    ref_i, ref_j, ref_score = _applications(model, prices, rank, REFERRAL, si[REFERRAL], vj[REFERRAL], searchers,
                                            vacancies, employed, employer_cell)
    app, vac = _sorted_assignment_lexsort(prices.job_type[si[AGENCY]].astype(np.int64),
                                 prices.need[vj[AGENCY]].astype(np.int64),
                                 prices.ask[si[AGENCY]], prices.offer_per_unit(vj[AGENCY]))
    n_urn = open_i.size + ref_i.size
    i = np.concatenate((open_i, ref_i, si[AGENCY][app]))
    j = np.concatenate((open_j, ref_j, vj[AGENCY][vac]))
    eb = np.zeros(i.size, dtype=bool)
    eb[n_urn:] = model.agencies.business_model[h_agency[j[n_urn:]]] == EMPLOYEE_BASED
    terms = prices.terms(i, j, eb)
    ok = terms.acceptable()
    tried = np.flatnonzero(ok[:n_urn])
    score = np.concatenate((open_score, ref_score))[tried]
    picked = tried[best_per_group(j[tried], score, vacancies.size)]
    taken = picked[best_per_group(i[picked], terms.take(picked).surplus(), searchers.size)]
    taken = taken[np.argsort(w_channel[i[taken]], kind="stable")]
    paired = n_urn + np.flatnonzero(ok[n_urn:])
    score = _score(rank, model.params.agencies.screening, i[paired], record_screened=True)
    placed = paired[_cap_numpy(h_agency[j[paired]], score, model.agencies.capacity[: model.agencies.n])]
    hires = np.concatenate((taken, placed))
    i, j, terms = i[hires], j[hires], terms.take(hires)
    channel = w_channel[i]
    agency = np.where(channel == AGENCY, h_agency[j], -1).astype(np.int32)

    rate = model.params.channels.learning_rate
    for attraction, rows, chosen, matched in ((w.attraction, searchers, w_channel, i),
                                               (h.attraction, vacancies, h_channel, j)):
        success = np.zeros(rows.size, dtype=bool)
        success[matched] = True
        channels.learn(attraction, rows, chosen, success, rate)

    a = model.agencies
    workers, households = searchers[i], vacancies[j]
    eb = np.zeros(workers.size, dtype=bool)
    via_agency = agency >= 0
    eb[via_agency] = a.business_model[agency[via_agency]] == EMPLOYEE_BASED
    wage = terms.wage(model, w.job_type[workers])
    labour.hire(model, workers, households, channel, agency, wage)
    w.agency_employed[workers] = eb
    contracts.decide(model, workers, "hire")
    _count_top_quartile(model, agency[via_agency])
    placed = np.flatnonzero(via_agency & ~eb)
    agencies.charge_placement_fees(model, workers[placed], agency[placed], wage[placed])
    employees = np.flatnonzero(eb)
    if employees.size:
        np.add.at(a.placements, agency[employees], 1)
        market._train_employees(model, workers[employees], agency[employees])


# --- the tests --------------------------------------------------------------------


def _state(model):
    """Every column of the three tables, and the month's flows, as bytes."""
    out = []
    for table in (model.workers, model.households, model.agencies, model.flows):
        out += [(name, np.asarray(value).tobytes()) for name, value in sorted(vars(table).items())
                if isinstance(value, (np.ndarray, int, float))]
    return out


@pytest.mark.parametrize(("scenario", "overrides"), [
    ("baseline", {}),
    ("credit_records", {}),
    ("employee_based_support", {}),
    ("no_agencies", {}),
    ("baseline", {"wages.regime": "posting", "market.open_applications": 3}),
])
def test_the_round_is_the_numpy_round_to_the_byte(scenario, overrides):
    settings = {**SMALL, "months": 16, **overrides}
    fast = DomesticWorkModel(f"scenarios/{scenario}.yaml", **settings)
    slow = DomesticWorkModel(f"scenarios/{scenario}.yaml", **settings)
    slow.MONTH = tuple((name, _reference_match if name == "matching" else step) for name, step in slow.MONTH)
    hires = np.zeros(N_CHANNELS, dtype=np.int64)
    for _ in range(16):
        fast.step()
        slow.step()
        assert _state(fast) == _state(slow)
        hires += fast.flows.hires_by_channel
    assert hires[OPEN] > 0 and hires[REFERRAL] > 0
    assert hires[AGENCY] > 0 or scenario == "no_agencies"


def test_cap_per_group_is_the_lexsort_on_long_groups_and_nan():
    rng = np.random.default_rng(7)
    for trial in range(40):
        n = int(rng.integers(1, 3000))
        group = rng.integers(0, int(rng.integers(1, 20)), n)
        score = rng.normal(size=n) if trial % 2 else np.round(rng.normal(size=n), 1)  # ties
        if trial % 5 == 0:
            score[rng.random(n) < 0.1] = np.nan
        if trial % 7 == 0:
            score[rng.random(n) < 0.1] = -0.0
        capacity = rng.integers(-1, 200, group.max() + 1)
        assert np.array_equal(cap_per_group(group, score, capacity), _cap_numpy(group, score, capacity))


def test_learning_from_the_matched_is_learning_from_a_success_mask():
    rng = np.random.default_rng(3)
    attraction = rng.random((3000, N_CHANNELS)).astype(np.float32)
    rows = np.sort(rng.choice(3000, 2000, replace=False))
    channel = rng.integers(0, N_CHANNELS, rows.size).astype(np.int8)
    matched = np.sort(rng.choice(rows.size, 500, replace=False))
    expected = attraction.copy()
    success = np.zeros(rows.size, dtype=bool)
    success[matched] = True
    channels.learn(expected, rows, channel, success, 0.2)
    channels.learn_matched(attraction, rows, channel, matched, 0.2)
    assert attraction.tobytes() == expected.tobytes()


def test_sorted_assignment_sorts_each_side_as_a_lexsort():
    rng = np.random.default_rng(11)
    for trial in range(40):
        n_app, n_vac = rng.integers(1, 2000, 2)
        app_group, vac_group = rng.integers(0, 4, n_app), rng.integers(0, 4, n_vac)
        ask, offer = rng.random(n_app), rng.random(n_vac) + 0.3
        if trial % 2:  # ties
            ask, offer = np.round(ask, 1), np.round(offer, 1)
        if trial % 5 == 0:
            ask[rng.random(n_app) < 0.05] = np.nan
        got = sorted_assignment(app_group, vac_group, ask, offer)
        expected = _sorted_assignment_lexsort(app_group, vac_group, ask, offer)
        assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
        assert got[0].size > 0


def test_top_quartile_placements_use_numpys_quantile():
    rng = np.random.default_rng(5)
    for trial in range(500):
        n = int(rng.integers(1, 60))
        reputation = rng.random(n).astype(np.float32)
        if trial % 3 == 0:
            reputation = np.round(reputation * 10).astype(np.float32) / np.float32(10)
        active = rng.random(n) < 0.8
        agency = rng.integers(-1, n, 40).astype(np.int32)
        eb = (agency >= 0) & (rng.random(40) < 0.3)
        placed, employees, top = market._agency_hires(agency, eb, reputation, active)
        assert np.array_equal(placed, np.flatnonzero((agency >= 0) & ~eb))
        assert np.array_equal(employees, np.flatnonzero(eb))
        expected = 0
        if active.any():
            threshold = market.upper_quartile(reputation[active])
            expected = int(np.count_nonzero(reputation[agency[agency >= 0]] >= threshold))
        assert top == expected
    reputation = np.array([0.5, np.nan], dtype=np.float32)
    assert market._agency_hires(np.zeros(3, np.int32), np.zeros(3, bool), reputation, np.ones(2, bool))[2] == 0


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
