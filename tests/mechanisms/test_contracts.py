"""The kernels of the yearly review and of the monthly pay are the numpy rules of their modules, bit for bit.

Each reference is a numpy rule of the mechanism (contracts.planned_stay_months,
contracts.insurance_value, contracts.choices, contracts.self_enrolling, wages.bargain,
wages.pay_in_numpy); the tests run rule and kernel on the same state (a model some
months in, with levers and columns moved to reach every branch) and compare bytes.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel
from model.core import jit
from model.core.jit import columns
from model.core.tables import EMPLOYED, HOURLY, LIVE_IN, LIVE_OUT
from model.mechanisms import compliance, contracts, wages


def _model(scenario: str = "baseline", months: int = 14, **overrides) -> DomesticWorkModel:
    model = DomesticWorkModel(f"scenarios/{scenario}.yaml", months=months + 1, **overrides)
    for _ in range(months):
        model.step()
    return model


def _stir(model: DomesticWorkModel, seed: int = 1) -> np.ndarray:
    """Move levers and columns of the employed so that every branch is taken; returns the employed."""
    w, lev = model.workers, model.levers
    rng = np.random.default_rng(seed)
    lev.hukou_gap = 0.6
    lev.insurance_subsidy_share = 0.35
    lev.contract_expected_fine_yuan = 120.0
    lev.wage_floor_hourly_yuan, lev.wage_floor_monthly_yuan, lev.wage_floor_in_kind_share = 9.0, 2600.0, 0.1
    lev.wage_floor_enforcement = 0.7
    employed = w.with_status(EMPLOYED)
    n = employed.size
    w.savings_yuan[employed[rng.random(n) < 0.2]] = 0.0
    w.savings_yuan[employed[rng.random(n) < 0.1]] = -500.0
    w.age_years[employed[rng.random(n) < 0.1]] = np.float32(59.5)
    w.age_years[employed[rng.random(n) < 0.05]] = np.float32(64.0)
    w.months_searching[employed] = rng.integers(0, 140, n).astype(np.int16)
    w.certified[employed[rng.random(n) < 0.3]] = True
    w.experience_months[employed] = rng.uniform(0.0, 200.0, n).astype(np.float32)
    model.market.tightness = rng.uniform(0.0, 3.0, model.market.tightness.size)
    model.market.tightness[0] = 0.0  # below the 1e-3 clip
    homes = w.employer[employed]
    model.households.law_cost_share[homes] = rng.uniform(0.0, 0.3, n).astype(np.float32)  # a contract law's cost
    return employed


# --- the numpy rules (contracts.choices, contracts.self_enrolling), applied to the columns ----------------------

def _decide(model, workers, stream, forced=False):
    chosen = contracts.choices(model, workers, stream, forced)
    model.workers.contract[workers] = chosen.contract
    model.workers.insured[workers] = chosen.insured


def _self_enrol(model, workers):
    enrol = contracts.self_enrolling(model, workers)
    model.workers.self_insured[enrol] = True
    model.workers.insured[enrol] = True


def _columns(model, names=("contract", "insured", "self_insured", "wage_yuan")):
    return {name: model.workers.view(name).copy() for name in names}


def _restore(model, saved):
    for name, values in saved.items():
        model.workers.view(name)[:] = values


def _assert_same(model, expected):
    for name, values in expected.items():
        assert model.workers.view(name).tobytes() == values.tobytes(), name


# --- the tests ---------------------------------------------------------------------------------------------------

def test_planned_stay_and_insurance_value_are_the_numpy_rules():
    model = _model("hukou_reform", 20)
    _stir(model)
    rows = model.workers.present
    stay = contracts.planned_stay_months(model, rows)
    planners, stay_terms, value_terms = (contracts.Planners(*columns(model.workers, contracts.Planners)),
                                         contracts.StayTerms(*contracts._stay_terms(model)),
                                         contracts.ValueTerms(*contracts._value_terms(model)))
    got_stay = np.array([contracts._stay_months(planners, r, stay_terms) for r in rows])
    got_value = np.array([contracts._insurance_value(got_stay[i], planners, r, value_terms)
                          for i, r in enumerate(rows)])
    assert got_stay.tobytes() == stay.tobytes()
    assert got_value.tobytes() == contracts.insurance_value(model, rows, stay).tobytes()
    assert (stay == 0).any() and (stay > 0).any()


@pytest.mark.parametrize(("scenario", "forced"), [("baseline", False), ("contract_mandate", False),
                                                  ("employee_based_support", False), ("baseline", True)])
def test_the_contract_choice_is_the_numpy_choice(scenario, forced):
    model = _model(scenario)
    employed = _stir(model, seed=2)
    rows = employed[np.random.default_rng(4).random(employed.size) < 0.5]
    start = _columns(model)
    _decide(model, rows, "review", forced)
    expected = _columns(model)
    _restore(model, start)
    contracts.decide(model, rows, "review", forced)
    _assert_same(model, expected)
    changed = (expected["contract"] != start["contract"]) | (expected["insured"] != start["insured"])
    assert changed.any()


@pytest.mark.parametrize("scenario", ["baseline", "minimum_wage_monthly", "employee_based_support"])
def test_renegotiated_wages_are_the_bargained_wages(scenario):
    model = _model(scenario)
    employed = _stir(model, seed=3)
    w = model.workers
    rows = employed[np.random.default_rng(5).random(employed.size) < 0.5]
    expected = w.wage_yuan.copy()
    bargained = rows[w.arrangement[rows] != HOURLY]  # an hourly worker's pay is what each client agreed
    expected[bargained] = wages.bargain(model, bargained, w.employer[bargained], w.agency_employed[bargained])
    wages.renegotiate(model, rows)
    assert w.wage_yuan.tobytes() == expected.tobytes()
    assert (w.arrangement[rows] == LIVE_OUT).any() and (w.arrangement[rows] == LIVE_IN).any()
    assert (w.arrangement[rows] == HOURLY).any()


def test_the_search_decay_table_is_numpys_power():
    kept = 1.0 - 0.037
    table = wages._search_decay(kept)
    months = np.arange(121.0)
    assert table.tobytes() == (kept ** months).tobytes()
    for k in range(121):  # one at a time, and inside longer arrays, as reservation() computes it
        assert table[k] == (kept ** np.array([float(k)]))[0]
    shuffled = np.random.default_rng(0).integers(0, 121, 5000).astype(np.float64)
    assert (kept ** shuffled).tobytes() == table[shuffled.astype(np.int64)].tobytes()


@pytest.mark.parametrize("hukou_gap", [1.0, 0.4, -0.5])
def test_the_review_and_self_enrolment_are_the_numpy_steps(hukou_gap):
    model = _model("contract_mandate", 14, **{"contracts.self_enrol_rate": 0.1, "contracts.value_migrant": 1.8})
    _stir(model, seed=6)
    model.levers.hukou_gap = hukou_gap
    model.levers.contract_inspection_rate = 0.3
    w, month = model.workers, model.month
    columns = _columns(model, ("contract", "insured", "self_insured", "wage_yuan", "savings_yuan"))
    fines = model.flows.fines_yuan
    # The numpy form of review().
    employed = w.with_status(EMPLOYED)
    uncovered = employed[~w.contract[employed] & ~w.agency_employed[employed]]
    found = uncovered[model.streams.uniform("contract_inspection", month, uncovered) < 0.3]
    compliance.fine_households(model, w.employer[found], np.full(found.size, model.levers.contract_fine_yuan))
    _decide(model, found, "inspection", forced=True)
    reviewed = employed[model.streams.uniform("contract_review", month, employed)
                        < model.params.contracts.reviews_per_year / 12.0]
    bargained = reviewed[w.arrangement[reviewed] != HOURLY]  # an hourly worker's pay is agreed client by client
    w.wage_yuan[bargained] = wages.bargain(model, bargained, w.employer[bargained], w.agency_employed[bargained])
    _decide(model, reviewed, "review")
    before = w.self_insured.copy()
    _self_enrol(model, w.present)
    assert (w.self_insured != before).any()
    expected, expected_fines = _columns(model, tuple(columns)), model.flows.fines_yuan
    _restore(model, columns)
    model.flows.fines_yuan = fines
    contracts.review(model)
    _assert_same(model, expected)
    assert model.flows.fines_yuan == expected_fines > fines


def test_each_kernel_is_compiled_for_the_types_the_model_passes():
    """Examples match the columns: no kernel of the review or the pay compiles again in the first month."""
    for scenario in ("baseline", "contract_mandate", "fee_cap"):
        _model(scenario, 3)
    # Compiled inside the kernels, for each caller's types (so more than one signature after compiling afresh).
    helpers = {"nmax", "nmin", "_stay_months", "_insurance_value", "rent_yuan_one", "commutes_one", "commute_yuan_one",
               "_surplus_share_one", "pairwise_plan", "block_sum"}
    inner = [compiled for compiled, _, is_inner in jit._EXAMPLES if is_inner]
    for module in (contracts, wages):
        for name, value in vars(module).items():
            if hasattr(value, "signatures") and name not in helpers:
                # An inner kernel is linked into its callers: compiled on its own only if a test called it.
                most = len(value.signatures) <= 1 if any(value is k for k in inner) else len(value.signatures) == 1
                assert most, (module.__name__, name, value.signatures)


def test_the_terms_kernels_take_carry_each_parameter_in_its_named_field():
    """The term builders fill their NamedTuples' fields positionally (for speed): each field, by name."""
    model = _model("hukou_reform", 3)
    _stir(model)
    c, mig, lev = model.params.contracts, model.params.migration, model.levers
    stay = contracts.StayTerms(*contracts._stay_terms(model))
    assert stay == contracts.StayTerms(
        rural_income=mig.rural_income_yuan, living_yuan=mig.living_cost_yuan, rent_yuan=mig.rent_yuan,
        keep_share=1.0 - mig.remittance_share, retirement_age=np.float32(mig.retirement_age))
    value = contracts.ValueTerms(*contracts._value_terms(model))
    assert value == contracts.ValueTerms(
        value_local=c.value_local, value_migrant=c.value_local - (c.value_local - c.value_migrant) * lev.hukou_gap,
        hukou_gap=lev.hukou_gap, stay_half=c.stay_half_months, retirement_age=np.float32(mig.retirement_age),
        pension_years=np.float32(max(c.pension_years, 1e-9)), pension_part=np.float32(c.pension_part),
        liquidity_weight_half=c.liquidity_weight * c.liquidity_half_yuan, liquidity_half=c.liquidity_half_yuan)
    signing = contracts.SigningTerms(*contracts._signing_terms(model))
    assert signing == contracts.SigningTerms(
        expected_fine=lev.contract_expected_fine_yuan, worker_value=c.worker_value_yuan,
        local_premium=c.local_contract_premium, household_cost_yuan=c.household_cost_yuan,
        paperwork=c.agency_paperwork_yuan * 2.0, contribution_rate=c.contribution_rate,
        contribution_base_yuan=c.contribution_base_min_yuan, unsubsidised=1.0 - lev.insurance_subsidy_share,
        scale=c.decision_scale_yuan)
    enrol = contracts.EnrolTerms(*contracts._enrol_terms(model))
    assert (enrol.rate, enrol.scale) == (c.self_enrol_rate, max(c.value_local, 1e-9)) and enrol.bound >= enrol.rate
    for group, values in ((contracts.StayTerms, stay), (contracts.ValueTerms, value),
                          (contracts.SigningTerms, signing)):
        assert len(set(values)) > 1 and len(values) == len(group._fields)


# --- the monthly pay ---------------------------------------------------------------------------------------------

_PAY_COLUMNS = ("wages_owed_yuan", "deduction_left_yuan", "arrears_now", "paid_yuan", "savings_yuan", "debt_yuan",
                "months_in_job", "months_searching", "experience_months")


def _money_state(model):
    import dataclasses

    flows = {k: (v.tobytes() if isinstance(v, np.ndarray) else v)
             for k, v in dataclasses.asdict(model.flows).items()}
    books = model.agency_books
    return (flows, dataclasses.asdict(model.accounts),
            [getattr(books, k).tobytes() for k in ("revenue", "passed_through", "payroll", "subsidies", "costs")],
            {name: model.workers.view(name).tobytes() for name in _PAY_COLUMNS})


@pytest.mark.parametrize("scenario", ["baseline", "employee_based_support", "fee_cap", "hukou_reform",
                                      "no_agencies"])
def test_the_month_pay_is_the_numpy_pay(scenario):
    import copy

    model = _model(scenario, 13)
    w = model.workers
    employed = w.with_status(EMPLOYED)
    rng = np.random.default_rng(8)
    model.festival_pay_factor = 1.128
    model.levers.insurance_subsidy_share = 0.4
    w.deduction_left_yuan[employed[rng.random(employed.size) < 0.3]] = np.float32(1234.5)
    w.wages_owed_yuan[employed[rng.random(employed.size) < 0.2]] = np.float32(4321.5)
    w.savings_yuan[w.present[rng.random(w.present.size) < 0.2]] = 0.0
    w.debt_yuan[w.present[rng.random(w.present.size) < 0.2]] = 800.0
    w.months_searching[w.present[rng.random(w.present.size) < 0.01]] = np.int16(32767)  # wraps, as numpy did
    twin = copy.deepcopy(model)
    assert not np.shares_memory(twin.workers.view("savings_yuan"), w.view("savings_yuan"))
    wages.pay_in_numpy(twin)
    wages.pay(model)
    assert _money_state(model) == _money_state(twin)
    assert model.flows.borrowed_yuan > 0 and model.flows.insurance_contributions_yuan > 0
    assert (model.flows.worker_fees_yuan > 0) == (scenario != "no_agencies")  # deductions, where agencies are
    if scenario == "employee_based_support":
        assert model.flows.household_service_bills_yuan > 0


@pytest.mark.parametrize("hukou_gap", [0.7, 0.4, 0.0])
def test_self_enrolment_values_only_those_who_could_enrol_and_chooses_as_valuing_all(hukou_gap):
    """The bound that spares valuing every uninsured worker changes no choice."""
    from model.mechanisms.contracts import _self_enrol

    model = DomesticWorkModel("scenarios/baseline.yaml", months=4, **{"contracts.self_enrol_rate": 0.1,
                                                                      "contracts.value_migrant": 1.8})
    for _ in range(3):
        model.step()
    model.levers.hukou_gap = hukou_gap
    w, c = model.workers, model.params.contracts
    workers = w.present[~w.self_insured[w.present]]
    u = model.streams.uniform("self_enrol", model.month, workers)
    value = contracts.insurance_value(model, workers, contracts.planned_stay_months(model, workers))
    expected = workers[u < c.self_enrol_rate * value / c.value_local]
    assert 0 < expected.size < workers.size // 4  # some enrol, most are spared
    _self_enrol(model, workers)
    assert np.array_equal(workers[w.self_insured[workers]], expected)
