"""Laws as people respond to them: awareness, norms, complaints, inspections, compliance as a choice."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model import DomesticWorkModel
from model.core.tables import AGENCY, EMPLOYED, ORDERED_FLOOR
from model.mechanisms import compliance, wages
from model.run.runner import last_months_means, run_replicates
from tests.helpers import small_scenario

SIZE = {"workers.count": 2000, "households.count": 3000, "agencies.count": 20, "months": 48, "replicates": 2}
NO_INSPECTIONS = {"policies.contract_mandate.enabled": True, "policies.contract_mandate.enforcement": 0.0}
FLOOR = {"policies.minimum_wage.enabled": True, "policies.minimum_wage.enforcement": 0.0,
         "policies.minimum_wage.monthly": 0.0}


def outcomes(**overrides) -> pd.Series:
    """Last-12-month means over two replicates (paired: the same seeds for every call)."""
    return last_months_means(run_replicates(small_scenario(**{**SIZE, **overrides}), workers=1)).mean()


def test_a_contract_law_without_inspections_moves_some_households_through_awareness_and_norms():
    base, law = outcomes(), outcomes(**NO_INSPECTIONS)
    assert law["inspections_found"] == 0 or law["complaints"] > 0  # only complaints find anyone
    learnt = 1.0 - (1.0 - 0.005) ** 48  # compliance.learn_rate a month, for four years
    assert law["law_awareness"] == pytest.approx(learnt, abs=0.05)
    assert law["contract_share"] > base["contract_share"] + 0.003
    # Nobody learns, nobody weighs a norm, nobody complains: the law is words on paper.
    silent = outcomes(**NO_INSPECTIONS, **{"compliance.learn_rate": 0.0})
    assert silent["law_awareness"] == 0 and silent["complaints"] == 0
    assert silent["contract_share"] == pytest.approx(base["contract_share"], abs=0.003)


def test_an_information_campaign_acts_through_awareness_and_only_where_a_law_is_in_force():
    campaign = {"policies.information_campaign.enabled": True, "policies.information_campaign.start_month": 24,
                "policies.information_campaign.reach": 1.0, "policies.information_campaign.months": 1}
    law, informed = outcomes(**NO_INSPECTIONS), outcomes(**NO_INSPECTIONS, **campaign)
    assert informed["law_awareness"] > law["law_awareness"] + 0.05
    assert informed["contract_share"] > law["contract_share"]
    # About no law in force it changes nothing, to the last bit.
    lone = run_replicates(small_scenario(**SIZE, **campaign), replicates=1, workers=1)
    base = run_replicates(small_scenario(**SIZE), replicates=1, workers=1)
    pd.testing.assert_frame_equal(lone, base)


def test_compliance_with_a_floor_falls_as_it_bites_and_rises_with_inspections():
    low, high = outcomes(**FLOOR, **{"policies.minimum_wage.hourly": 15.0}), \
        outcomes(**FLOOR, **{"policies.minimum_wage.hourly": 25.0})
    assert high["minimum_wage_compliance"] < low["minimum_wage_compliance"] - 0.05
    inspected = outcomes(**FLOOR, **{"policies.minimum_wage.hourly": 25.0, "policies.minimum_wage.inspections": 0.8,
                                      "policies.minimum_wage.fine": 20000.0})
    assert inspected["minimum_wage_compliance"] > high["minimum_wage_compliance"] + 0.05
    assert inspected["inspections"] > high["inspections"]
    # Households made to comply (enforcement 1) all pay it.
    made = outcomes(**{**FLOOR, "policies.minimum_wage.hourly": 25.0, "policies.minimum_wage.enforcement": 1.0})
    assert made["minimum_wage_compliance"] > 0.97


def test_found_below_the_floor_a_household_pays_back_pay_and_a_fine_and_must_obey():
    model = DomesticWorkModel(small_scenario(**SIZE, **FLOOR, **{"policies.minimum_wage.hourly": 25.0,
                                                                 "policies.minimum_wage.inspections": 1.0,
                                                                 "policies.minimum_wage.fine": 3000.0}))
    fines = back = 0.0
    for _ in range(6):
        model.step()
        fines += model.flows.household_fines_yuan
        back += model.flows.back_pay_yuan
        assert abs(model.metrics["money_unaccounted"]) < 1e-3  # fines to the state, back pay to her
    ordered = (model.households.view("ordered") & ORDERED_FLOOR) != 0
    assert ordered.sum() > 0 and fines > 0 and back > 0
    assert fines == pytest.approx(3000.0 * round(fines / 3000.0))
    # An ordered household observes the floor from then on, whatever its trait.
    rows = np.flatnonzero(ordered)
    assert wages.floor_applies(model, rows).all()


def test_the_norm_is_exponential_across_aware_households_and_nothing_for_the_unaware():
    model = DomesticWorkModel(small_scenario(**SIZE, **NO_INSPECTIONS))
    h = model.households
    rows = np.arange(h.n)
    h.aware[rows] = False
    assert not compliance.norm_cost(model, rows).any()
    h.aware[rows] = True
    cost = compliance.norm_cost(model, rows)
    mean = model.params.compliance.norm_cost_yuan
    assert cost.mean() == pytest.approx(mean, rel=0.1)
    assert np.median(cost) == pytest.approx(mean * math.log(2), rel=0.1)
    # The more law-abiding (the lower the trait), the larger.
    order = np.argsort(h.law_abiding[rows])
    assert cost[order[0]] > cost[order[-1]]


def test_compliance_columns_are_empty_without_their_law_and_shares_with_it():
    base = run_replicates(small_scenario(**{**SIZE, "months": 13}), replicates=1, workers=1)
    for column in ("minimum_wage_compliance", "contract_compliance", "fee_compliance"):
        assert base[column].isna().all(), column
    assert (base["law_awareness"] == 0).all() and (base["inspections"] == 0).all()
    laws = run_replicates(small_scenario(**{**SIZE, "months": 13}, **NO_INSPECTIONS, **FLOOR,
                                         **{"policies.worker_fee_cap.enabled": True}), replicates=1, workers=1)
    for column in ("minimum_wage_compliance", "contract_compliance", "fee_compliance", "law_awareness"):
        assert laws[column].between(0.0, 1.0).all(), column
    assert np.allclose(laws["contract_compliance"], laws["contract_share"]), "the law covers every job"


def test_workers_on_a_contract_or_placed_by_an_agency_learn_of_a_law_sooner():
    model = DomesticWorkModel(small_scenario(**SIZE, **NO_INSPECTIONS, **{"compliance.learn_rate": 0.05}))
    for _ in range(12):
        model.step()
    w = model.workers
    employed = w.with_status(EMPLOYED)
    informed = w.contract[employed] | (w.channel[employed] == AGENCY)
    assert w.aware[employed[informed]].mean() > w.aware[employed[~informed]].mean() + 0.1


def test_a_contract_law_costs_employers_at_hiring_and_the_bargain_shares_it():
    """Its expected cost comes off what households would pay: wages fall, some jobs are not formed, day work gains."""
    mandate = {"policies.contract_mandate.enabled": True, "policies.contract_mandate.enforcement": 0.3,
               "policies.contract_mandate.fine": 10000.0}
    model = DomesticWorkModel(small_scenario(**SIZE, **mandate))
    model.run_for(3)
    h = model.households
    with_need = np.flatnonzero(h.view("need") >= 0)
    share = h.law_cost_share[with_need]
    assert (share > 0).mean() > 0.9 and share.max() <= 0.9
    # What it costs is the lesser of obeying and breaking the law: never above the expected fine and the norm.
    cost = compliance.contract_law_cost(model, with_need, h.need[with_need].astype(np.int64),
                                        h.arrangement[with_need].astype(np.int64), h.hours_week[with_need])
    lev = model.levers
    found = lev.contract_inspection_rate + model.params.compliance.complaint_rate
    assert (cost <= found * lev.contract_fine_yuan + compliance.norm_cost(model, with_need) + 1e-9).all()
    fresh = with_need[h.vacancy_months[with_need] <= 1]  # no rise for a long vacancy: only the law's share
    assert fresh.size
    expected = 1.0 - h.law_cost_share[fresh].astype(np.float64)
    assert wages.offer_factor(model, fresh).tobytes() == expected.tobytes()
    base, law = outcomes(), outcomes(**mandate)
    assert law["mean_wage"] < base["mean_wage"]
    assert law["employed"] < base["employed"]
    assert law["hourly_share"] > base["hourly_share"]  # day work: covered weakly
    # Without a contract law nothing is priced.
    plain = DomesticWorkModel(small_scenario(**SIZE))
    plain.run_for(3)
    assert not plain.households.view("law_cost_share").any()
