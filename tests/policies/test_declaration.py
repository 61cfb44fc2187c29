"""One declaration a policy: a policy defined here, in the test, joins the schema, the levers and the controls, and runs."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from model import DomesticWorkModel, ScenarioError, load_scenario
from model import policies as registry
from model.core.levers import Lever, Levers
from model.core.tables import EMPLOYED
from model.mechanisms.hours import floor_for_hours
from model.policies import Policy, PolicyParams
from model.scenario.fields import param
from model.scenario.reference import as_text
from model.scenario.schema import Policies, Scenario
from model.viz.controls import control_keys
from tests.helpers import run_months, small_scenario

SIZE = {"workers.count": 600, "households.count": 900, "agencies.count": 6, "months": 18}


class FlatFloor(Policy):
    """A test's policy: every household must pay at least a flat wage, whatever the job."""

    key = "flat_floor"

    class Params(PolicyParams):
        """A flat wage floor for every job (a test's policy)."""

        yuan: float = param(6000.0, "yuan/month", "the floor", ge=0)

    levers = (Lever("flat_floor_months_in_force", 0, "months", "months the flat floor has been in force"),)

    def apply(self, world) -> None:
        """Move the minimum wage's levers (declared by another policy) and count the months in force."""
        world.levers.wage_floor_monthly_yuan = self.params.yuan  # for full-time hours, pro-rated below them
        world.levers.wage_floor_enforcement = 1.0
        world.levers.flat_floor_months_in_force = world.month - self.params.start_month + 1


@pytest.fixture
def flat_floor():
    with registry.registered_while(FlatFloor):
        yield FlatFloor


def test_the_built_in_policies_are_the_schema_the_levers_and_the_controls():
    keys = [p.key for p in registry.registered()]
    assert keys == list(Policies.model_fields) == sorted(keys)
    assert {"minimum_wage", "contract_mandate", "worker_fee_cap", "credit_records", "hukou_reform"} <= set(keys)
    rest = Levers(registry.declared_levers())
    assert rest.worker_fee_cap_share == float("inf") and rest.hukou_gap == 1.0 and not rest.credit_records
    for policy in registry.registered():
        assert {f"policies.{policy.key}.enabled", f"policies.{policy.key}.start_month"} <= set(control_keys())


def test_a_policy_defined_in_a_test_has_keys_a_lever_a_control_and_a_reference_entry(flat_floor):
    scenario = load_scenario(None, {"policies.flat_floor.enabled": True, "policies.flat_floor.yuan": 7000.0})
    assert scenario.policies.flat_floor.yuan == 7000.0
    assert Scenario().policies.flat_floor.enabled is False
    assert "policies.flat_floor.yuan" in control_keys()
    assert "policies.flat_floor.yuan" in as_text()
    with pytest.raises(ScenarioError, match=r"policies\.flat_floor\.yuan"):
        load_scenario(None, {"policies.flat_floor.yuan": -1.0})
    with pytest.raises(ValidationError):
        Scenario.model_validate({"policies": {"flat_floor": {"yuan": "a lot"}}})


def test_a_policy_defined_in_a_test_runs_and_acts_only_through_levers(flat_floor):
    baseline, _ = run_months(small_scenario(**SIZE), 18)
    idle, _ = run_months(small_scenario(**SIZE, **{"policies.flat_floor.yuan": 9000.0}), 18)
    for column in baseline.workers.COLUMNS:  # registered but not enabled: not a bit differs
        assert np.array_equal(baseline.workers.view(column), idle.workers.view(column), equal_nan=True), column

    floor = 6500.0
    model, ts = run_months(small_scenario(**SIZE, **{"policies.flat_floor.enabled": True,
                                                     "policies.flat_floor.start_month": 7,
                                                     "policies.flat_floor.yuan": floor}), 18)
    assert model.levers.flat_floor_months_in_force == 12
    _, base_ts = run_months(small_scenario(**SIZE), 18)
    pd.testing.assert_frame_equal(ts.iloc[:6], base_ts.iloc[:6])  # nothing moves before it starts
    w = model.workers
    hired_under_it = w.present[(w.status[w.present] == EMPLOYED) & (w.months_in_job[w.present] < 6)
                               & ~w.agency_employed[w.present]]
    assert hired_under_it.size > 0
    owed = floor_for_hours(w.hours_week[hired_under_it], 0.0, floor, model.params.standards.full_time_hours_week)
    assert (w.wage_yuan[hired_under_it] >= owed - 0.01).all()  # the floor for the hours each job kept
    assert ts["mean_wage"].iloc[-1] > base_ts["mean_wage"].iloc[-1]


def test_unregistered_the_policy_is_gone_from_the_schema(flat_floor):
    registry.unregister("flat_floor")
    try:
        assert "flat_floor" not in Policies.model_fields
        with pytest.raises(ScenarioError, match="flat_floor"):
            load_scenario(None, {"policies.flat_floor.enabled": True})
        assert DomesticWorkModel(**SIZE).policies.in_force(1) == []
    finally:
        registry.register(FlatFloor)  # the fixture unregisters it


def test_registration_refuses_a_taken_key_a_taken_lever_and_a_bad_key(flat_floor):
    class SameKey(FlatFloor):
        levers = ()

    class SameLever(Policy):
        key = "another_floor"
        levers = (Lever("wage_floor_hourly_yuan", 0.0, "yuan/hour", "again"),)

    class BadKey(Policy):
        key = "not a key"

    with pytest.raises(ValueError, match="registered already"):
        registry.register(SameKey)
    with pytest.raises(ValueError, match="declared by 'minimum_wage'"):
        registry.register(SameLever)
    with pytest.raises(ValueError, match="identifier"):
        registry.register(BadKey)
    assert [p.key for p in registry.registered()].count("flat_floor") == 1


def test_a_misspelt_lever_is_an_error_not_a_silent_new_attribute():
    levers = Levers(registry.declared_levers())
    with pytest.raises(AttributeError, match="wage_flor_yuan"):
        levers.wage_flor_yuan = np.zeros(4)


def test_employee_based_agencies_pay_the_city_standard_not_what_the_policy_would_extend():
    """``standards.minimum_wage_monthly`` is the city's minimum; ``policies.minimum_wage.monthly`` only the policy's."""
    overrides = {**SIZE, "agencies.employee_based_share": 0.6}
    model, _ = run_months(small_scenario(**overrides), 12)
    policy_only, _ = run_months(small_scenario(**overrides, **{"policies.minimum_wage.monthly": 9000.0}), 12)
    assert np.array_equal(model.workers.view("wage_yuan"), policy_only.workers.view("wage_yuan"))
    raised, _ = run_months(small_scenario(**overrides, **{"standards.minimum_wage_monthly": 5200.0}), 12)
    w = raised.workers
    eb = w.present[(w.status[w.present] == EMPLOYED) & w.agency_employed[w.present]]
    owed = 5200.0 * np.minimum(w.hours_week[eb] / raised.params.standards.full_time_hours_week, 1.0)  # pro-rated
    assert eb.size > 0 and (w.wage_yuan[eb] >= owed - 0.01).all() and (w.wage_yuan[eb] >= 5200.0).any()


def test_scenarios_with_assembled_blocks_travel_to_worker_processes(flat_floor):
    """Replicates run in other processes: a scenario, its per-type blocks and a test's policy block pickle."""
    scenario = load_scenario(None, {"policies.flat_floor.enabled": True, "workers.job_type_share.elder_carer": 0.27})
    assert pickle.loads(pickle.dumps(scenario)) == scenario
