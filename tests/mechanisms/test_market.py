"""The hiring round's kernels against the module's numpy rules.

The reference round below is the hiring round composed of the numpy rules of
:mod:`model.mechanisms.market`, :mod:`~model.mechanisms.channels` and
:mod:`~model.mechanisms.matching` (the ``*_numpy`` functions) instead of their
kernels. Two models run side by side, one with the reference round, and must keep
the same tables to the byte, month after month.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtri

from model import DomesticWorkModel
from model.core import labour
from model.core.tables import AGENCY, EMPLOYED, EMPLOYEE_BASED, HOURLY, N_CHANNELS, OPEN, REFERRAL, SEARCHING
from model.mechanisms import agencies, channels, contracts, market, wages
from tests.helpers import SMALL, small_scenario

# --- the round, by the numpy rules -------------------------------------------------


def _reference_match(model):
    """The hiring round, every step the module's numpy rule."""
    w, h = model.workers, model.households
    searchers, employed = market.searchers_and_employed_numpy(w.present, w.status, w.training_left)
    vacancies = market.vacancies_numpy(h.view("need"), h.view("worker"))
    vacancies = vacancies[h.arrangement[vacancies] != HOURLY]  # found in the hourly round
    model.market.set_tightness(model, searchers, vacancies)
    prices = wages.RoundPrices(model, searchers, vacancies)
    model.flows.searchers_at_matching = int(searchers.size) + model.flows.hourly_starts
    model.flows.vacancies_at_matching = int(vacancies.size)
    agencies.decide_conduct(model)
    if searchers.size == 0 or vacancies.size == 0:
        return
    employer_cell = market.employer_cells_numpy(employed, w.employer, h.cell)
    w_channel = channels.choose_workers_numpy(model, searchers, employed)
    h_channel, h_agency = channels.choose_households_numpy(model, vacancies, employer_cell)
    visible = model.params.policies.credit_records.record_weight if model.levers.credit_records else 0.0
    rank = market.Ranking(np.log(prices.productivity), (w.record[searchers] - 0.5) * visible,
                          model.streams.normal("screening", model.month, searchers))
    seekers = market.SearchSide(searchers, w_channel, prices.job_type)
    posts = market.VacancySide(vacancies, h_channel, prices.need, prices.cell)
    urn = market.urn_ball_applications_numpy(model, prices, rank, seekers, posts, employed, employer_cell)
    offer = prices.offer_per_unit(np.arange(vacancies.size))
    pairs = market.agency_pairs_numpy(urn, seekers, posts, prices.ask, offer, h_agency, model.agencies.business_model)
    terms = prices.terms(pairs.i, pairs.j, pairs.eb)
    a = model.agencies
    hired = market.hires_numpy(pairs, terms.acceptable(), urn.i.size, urn.score, terms.surplus(), seekers,
                               vacancies.size, h_agency, a.capacity[: a.n], model.params.agencies.screening, rank)
    i, j, terms = pairs.i[hired.hires], pairs.j[hired.hires], terms.take(hired.hires)
    channel, agency = hired.channel, hired.agency

    rate = model.params.channels.learning_rate
    channels.learn_matched_numpy(w.attraction, searchers, w_channel, i, rate)
    channels.learn_matched_numpy(h.attraction, vacancies, h_channel, j, rate)

    workers, households = searchers[i], vacancies[j]
    eb = np.zeros(workers.size, dtype=bool)
    via_agency = agency >= 0
    eb[via_agency] = a.business_model[agency[via_agency]] == EMPLOYEE_BASED
    wage = terms.wage(model, w.job_type[workers])
    h.hours_week[households] = terms.hours
    labour.hire(model, workers, households, channel, agency, wage)
    w.agency_employed[workers] = eb
    contracts.decide(model, workers, "hire")
    by_agency = market.agency_hires_numpy(agency, eb, a.view("reputation"), a.view("active"))
    model.flows.agency_placements += by_agency.placed.size + by_agency.employees.size
    model.flows.top_quartile_placements += by_agency.top_quartile
    placed, employees = by_agency.placed, by_agency.employees
    agencies.charge_placement_fees(model, workers[placed], agency[placed], wage[placed])
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


def test_top_quartile_placements_use_numpys_quantile():
    rng = np.random.default_rng(5)
    for trial in range(500):
        n = int(rng.integers(1, 60))
        reputation = rng.random(n).astype(np.float32)
        if trial % 3 == 0:  # ties
            reputation = np.round(reputation * 10).astype(np.float32) / np.float32(10)
        active = rng.random(n) < 0.8
        agency = rng.integers(-1, n, 40).astype(np.int32)
        eb = (agency >= 0) & (rng.random(40) < 0.3)
        got = market._agency_hires(agency, eb, reputation, active)
        expected = market.agency_hires_numpy(agency, eb, reputation, active)
        assert np.array_equal(got.placed, expected.placed) and np.array_equal(got.employees, expected.employees)
        assert got.top_quartile == expected.top_quartile
    reputation = np.array([0.5, np.nan], dtype=np.float32)
    assert market._agency_hires(np.zeros(3, np.int32), np.zeros(3, bool), reputation, np.ones(2, bool)).top_quartile == 0


def test_referral_contacts_kernel_is_the_numpy_pick():
    rng = np.random.default_rng(3)
    n_cells = 400
    employed = np.sort(rng.choice(100_000, 5000, replace=False))
    employer_cell = rng.integers(0, n_cells // 2, employed.size).astype(np.int32)  # half the cells have nobody
    cell, u = rng.integers(0, n_cells, 3000).astype(np.int32), rng.random(3000)
    expected = market.contacts_numpy(employed, employer_cell, n_cells, cell, u)
    assert np.array_equal(market._contacts(employed, employer_cell, n_cells, cell, u), expected)


def test_the_round_finds_searchers_employed_and_vacancies_as_numpy_does():
    model = DomesticWorkModel(small_scenario(months=14))
    model.run_for(13)
    w, h = model.workers, model.households
    searchers, employed = market._searchers_and_employed(w.present, w.status, w.training_left)
    ref_searchers, ref_employed = market.searchers_and_employed_numpy(w.present, w.status, w.training_left)
    assert np.array_equal(searchers, ref_searchers) and np.array_equal(employed, ref_employed)
    assert 0 < searchers.size < np.count_nonzero(w.status[w.present] == SEARCHING)  # some are in training
    assert employed.size == np.count_nonzero(w.status[w.present] == EMPLOYED)
    vacancies = market._vacancies(h.view("need"), h.view("worker"))
    assert np.array_equal(vacancies, market.vacancies_numpy(h.view("need"), h.view("worker")))
    assert vacancies.size > 0
    cells = market._employer_cells(employed, w.employer, h.cell)
    assert cells.tobytes() == market.employer_cells_numpy(employed, w.employer, h.cell).tobytes()


def test_the_kernels_groups_carry_each_field_by_name():
    """_ranking, _search_side, _vacancy_side and _urn_ball_terms fill their NamedTuples positionally: each field."""
    model = DomesticWorkModel(small_scenario(**{"months": 14, "market.open_applications": 3,
                                                "market.open_screening": 0.4, "market.referral_screening": 0.6}))
    model.run_for(13)
    w, h = model.workers, model.households
    searchers, _ = market._searchers_and_employed(w.present, w.status, w.training_left)
    vacancies = market._vacancies(h.view("need"), h.view("worker"))
    prices = wages.RoundPrices(model, searchers, vacancies)
    record, u = np.linspace(-0.5, 0.5, searchers.size, dtype=np.float32), np.linspace(0.1, 0.9, searchers.size)
    rank = market.Ranking(*market._ranking(prices, record, u))
    assert rank.log_productivity.tobytes() == np.log(prices.productivity).tobytes()
    assert rank.record is record and rank.noise.tobytes() == ndtri(u).tobytes()
    w_channel = np.full(searchers.size, OPEN, dtype=np.int8)
    seekers = market.SearchSide(*market._search_side(searchers, w_channel, prices))
    assert seekers.rows is searchers and seekers.channel is w_channel and seekers.job_type is prices.job_type
    h_channel = np.full(vacancies.size, REFERRAL, dtype=np.int8)
    posts = market.VacancySide(*market._vacancy_side(vacancies, h_channel, prices))
    assert posts.rows is vacancies and posts.channel is h_channel
    assert posts.need is prices.need and posts.cell is prices.cell
    m, s, month = model.params.market, model.streams, model.month
    terms = market.UrnBallTerms(*market._urn_ball_terms(model))
    assert terms == market.UrnBallTerms(
        n_cells=model.city.cells, n_origins=model.params.migration.origins, k_open=3,
        open_key=s.ukey("applications_0", month), referral_key=s.ukey("applications_1", month),
        contact_key=s.ukey("referral_contact", month), open_screening=0.4, referral_screening=0.6)
    assert len({terms.n_cells, terms.n_origins, terms.k_open}) == 3 and m.open_applications == 3
