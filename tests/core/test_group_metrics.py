"""The metrics by group (model/core/groups.py): they add up to the city's, and a comparison reads them by name."""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel, load_scenario
from model.core import accounts, groups, metrics
from model.core.tables import EMPLOYED, HOURLY
from model.experiments.desk import group_columns
from tests.helpers import ROOT, SMALL, run_months, small_scenario

KINDS = {"income_quintile": groups.QUINTILES, "hukou": groups.HUKOU, "origin": groups.ORIGINS}
# Group columns that add up to a city-wide column: (group metric, kind, city-wide column).
SUMS = [("households_with_need", "income_quintile", "households_with_need"),
        ("care_spending", "income_quintile", "household_care_spending"),
        ("fees_paid", "income_quintile", "household_fees_paid"),
        *((metric, kind, column) for kind in ("hukou", "origin")
          for metric, column in (("workers", "workers"), ("employed", "employed"), ("fees_paid", "worker_fees_paid")))]


def _total(ts, metric: str, kind: str):
    return sum(ts[f"{metric}__{kind}_{value}"] for value in KINDS[kind])


@pytest.fixture(scope="module")
def runs():
    """Two small runs whose months move money every way households and workers pay: placement fees,
    deductions and fee loans, employee-based bills, hourly clients and platforms, back pay after an inspection.

    Each as its timeseries and the back pay households paid over the run.
    """
    package = {**SMALL, "months": 24, "policies.contract_mandate.start_month": 4,
               "policies.worker_fee_cap.start_month": 4, "policies.worker_fee_cap.max_share": 0.05,
               "policies.insurance_subsidy.start_month": 4, "policies.employee_based_support.start_month": 4,
               "policies.credit_records.start_month": 4, "agencies.loan_share": 0.5,
               "agencies.employee_based_share": 0.3}
    floor = {**SMALL, "months": 24, "policies.minimum_wage.start_month": 2, "policies.minimum_wage.monthly": 5000.0,
             "policies.minimum_wage.enforcement": 0.0, "policies.minimum_wage.inspections": 1.0}
    out = []
    for name, overrides in (("c189_package.yaml", package), ("minimum_wage_monthly.yaml", floor)):
        model, back_pay = DomesticWorkModel(load_scenario(ROOT / "scenarios" / name, overrides)), 0.0
        for _ in range(model.params.months):
            model.step()
            back_pay += model.flows.back_pay_yuan
        out.append((model.datacollector.get_model_vars_dataframe().reset_index(drop=True), back_pay))
    return out


def test_the_runs_move_money_every_way(runs):
    paid = np.sum([ts[["household_service_bills_paid", "household_placement_fees_paid", "platform_commissions",
                       "worker_fees_paid"]].sum() for ts, _ in runs], axis=0)
    assert (paid > 0).all()
    assert runs[1][1] > 0  # a floor in force, inspected: some households paid back pay


@pytest.mark.parametrize(("metric", "kind", "column"), SUMS)
def test_groups_add_up_to_the_city(runs, metric, kind, column):
    for ts, _ in runs:
        assert ts[column].abs().sum() > 0, column
        np.testing.assert_allclose(_total(ts, metric, kind), ts[column], rtol=1e-9, atol=1e-6, err_msg=column)


def test_shares_by_group_are_the_city_shares_weighted_by_members(runs):
    for ts, _ in runs:
        for kind in ("hukou", "origin"):
            employed = {v: ts[f"employed__{kind}_{v}"] for v in KINDS[kind]}
            for share in ("contract_share", "formal_share", "decent_work_share"):
                together = sum(ts[f"{share}__{kind}_{v}"] * employed[v] for v in KINDS[kind]) / ts["employed"]
                np.testing.assert_allclose(together, ts[share], rtol=1e-9, atol=1e-12, err_msg=share)
            together = sum(ts[f"employed_share__{kind}_{v}"] * ts[f"workers__{kind}_{v}"] for v in KINDS[kind])
            np.testing.assert_allclose(together, ts["employed"], rtol=1e-9)
        with_need = {q: ts[f"households_with_need__income_quintile_{q}"] for q in groups.QUINTILES}
        unmet = sum(ts[f"unmet_need_share__income_quintile_{q}"] * with_need[q] for q in groups.QUINTILES)
        np.testing.assert_allclose(unmet / ts["households_with_need"], ts["unmet_need_share"], rtol=1e-9)
        for q in groups.QUINTILES:
            np.testing.assert_allclose(ts[f"employing_share__income_quintile_{q}"]
                                       + ts[f"unmet_need_share__income_quintile_{q}"], 1.0)


def test_a_comparison_reads_every_group_column_into_its_group_and_metric():
    parsed = {column: (group, metric) for group, metric, column in group_columns(list(metrics.COLUMNS))}
    party = {"income_quintile": "households", "hukou": "workers", "origin": "workers"}
    for column in groups.COLUMNS:
        metric, _, grouping = column.partition("__")
        kind = next(k for k in KINDS if grouping.startswith(k + "_"))
        value = grouping[len(kind) + 1:]
        assert value in KINDS[kind] and "_" not in value
        assert parsed[column] == (f"{party[kind]}:{kind}={value}", metric), column
    found = {group for group, _ in parsed.values() if "__" not in group}
    assert {"households:income_quintile=1", "households:income_quintile=5", "workers:hukou=migrant",
            "workers:origin=major", "workers:origin=minor"} <= found


def test_each_quintile_holds_a_fifth_of_the_households_poorest_first():
    model = DomesticWorkModel(small_scenario())
    h = model.households
    quintile, income = h.view("income_quintile"), h.view("income_yuan")
    sizes = np.bincount(quintile, minlength=6)[1:]
    assert sizes.sum() == h.n and sizes.max() - sizes.min() <= 1
    for q in range(1, 5):
        assert income[quintile == q].max() <= income[quintile == q + 1].min()
    ties = groups.income_quintiles(np.array([5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], np.float32))
    assert np.bincount(ties).tolist() == [0, 2, 2, 2, 2, 2] and ties[0] == 5


def test_major_origins_are_the_fewest_biggest_counties_holding_half_the_weight():
    base = np.array([0.05, 0.3, 0.1, 0.25, 0.2, 0.1])
    assert groups.major_origins(base).tolist() == [False, True, False, True, False, False]
    model = DomesticWorkModel(small_scenario())
    major = groups.major_origins(model.origin_base)
    assert model.origin_base[major].sum() >= 0.5 > model.origin_base[major].sum() - model.origin_base[major].min()


def test_an_hourly_workers_pay_falls_on_her_clients_in_proportion_to_what_each_pays():
    model = DomesticWorkModel(small_scenario())
    model.run_for(6)
    w, h = model.workers, model.households
    employed = w.present[w.status[w.present] == EMPLOYED]
    several = employed[(w.arrangement[employed] == HOURLY) & (w.employers[employed] >= 2)]
    assert several.size
    households, part = accounts.employers_of(model, several, np.full(several.size, 100.0))
    by_household = np.bincount(households, weights=part, minlength=h.n)
    clients = np.flatnonzero(np.isin(h.view("worker"), several))  # every household she works for points at her
    assert (h.arrangement[clients] == HOURLY).all()
    assert by_household[clients].sum() == pytest.approx(100.0 * several.size)
    owner = h.worker[clients]
    np.testing.assert_allclose(by_household[clients], 100.0 * h.pay_yuan[clients] / w.wage_yuan[owner], rtol=1e-4)
    live_in = employed[w.arrangement[employed] != HOURLY][:5]
    households, part = accounts.employers_of(model, live_in, np.ones(live_in.size))
    assert (households == w.employer[live_in]).all() and (part == 1.0).all()


def test_a_fee_ban_lowers_what_migrants_pay_agencies():
    base = small_scenario(months=24)
    ban = small_scenario(**{"months": 24, "policies.worker_fee_cap.enabled": True,
                            "policies.worker_fee_cap.max_share": 0.0, "policies.worker_fee_cap.start_month": 1,
                            "policies.worker_fee_cap.enforcement": 1.0})
    (_, before), (_, after) = run_months(base), run_months(ban)
    for column in ("fees_paid__hukou_migrant", "fees_paid__origin_major", "fees_paid__origin_minor"):
        assert after[column].iloc[6:].sum() < 0.5 * before[column].iloc[6:].sum(), column


def test_the_tally_kernel_is_the_numpy_rule_to_the_bit():
    """One compiled pass (groups._tally) gives the bincounts of groups.tally_in_numpy, each sum to the last bit."""
    from model.core.jit import columns
    from tests.helpers import stepped

    model = stepped(14)
    w, h = model.workers, model.households
    rng = np.random.default_rng(3)
    minimum_met = rng.random(w.present.size) < 0.7
    w.fees_month_yuan[w.present[::7]] = rng.random(w.present[::7].size) * 300.0  # sums of many terms
    h.care_month_yuan[: h.n : 3] = rng.random(h.care_month_yuan[: h.n : 3].size) * 5000.0
    expected = groups.tally_in_numpy(model, w.present, minimum_met)
    got = groups._tally(w.present, minimum_met, groups._minor(model.origin_base.tobytes()), h.n,
                        columns(w, groups.GroupedWorkers), columns(h, groups.GroupedHouseholds))
    for name, value in expected._asdict().items():
        assert getattr(got, name).dtype == value.dtype, name
        assert np.ascontiguousarray(getattr(got, name)).tobytes() == np.ascontiguousarray(value).tobytes(), name
    assert expected.cells[:, 5].sum() > 0 and expected.need[2].sum() > 0
    assert groups.values(got) == groups.values(expected) == groups.measure(model, w.present, minimum_met)
