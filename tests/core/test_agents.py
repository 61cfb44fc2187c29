"""Agents made in bulk are registered exactly as Mesa's Agent.__init__ registers them."""

from __future__ import annotations

import mesa

from model import DomesticWorkModel, Household, Worker
from model.core.agents import create_row_agents, remove_row_agents
from tests.helpers import small_scenario


def _one_by_one(rows):
    model = mesa.Model(rng=1)
    return model, [Worker(model, r) for r in rows]


def test_bulk_creation_matches_one_by_one():
    rows = list(range(10, 60))
    slow_model, slow = _one_by_one(rows)
    fast_model = mesa.Model(rng=1)
    fast = create_row_agents(Worker, fast_model, rows)
    assert [a.unique_id for a in fast] == [a.unique_id for a in slow]
    assert [a.row for a in fast] == rows
    assert all(a.model is fast_model and a.pos is None for a in fast)
    assert list(fast_model.agents) == fast and list(fast_model.agents_by_type[Worker]) == fast
    assert fast_model.agent_id_counter == slow_model.agent_id_counter
    # The next agent made the usual way follows on.
    assert Worker(fast_model, 99).unique_id == fast[-1].unique_id + 1


def test_bulk_removal_matches_agent_remove():
    model = mesa.Model(rng=1)
    agents = create_row_agents(Worker, model, range(20))
    remove_row_agents(model, agents[5:15])
    assert list(model.agents_by_type[Worker]) == agents[:5] + agents[15:]
    assert len(model.agents) == 10


def test_with_a_listener_agents_are_made_one_by_one_and_signals_sent():
    model = mesa.Model(rng=1)
    seen = []

    def listener(signal):
        seen.append(signal)

    model.observe("agents", "agent_added", listener)
    create_row_agents(Worker, model, range(5))
    assert len(seen) == 5
    assert len(model.agents) == 5


def test_a_model_s_agents_answer_agentset_methods():
    model = DomesticWorkModel(small_scenario())
    households = model.agents_by_type[Household]
    assert len(households) == model.households.n
    with_need = households.select(lambda h: h.need is not None)
    assert len(with_need) == int((model.households.view("need") >= 0).sum())
    incomes = households.get("income_yuan")
    assert len(incomes) == model.households.n and min(incomes) > 0
    assert len({a.unique_id for a in model.agents}) == len(model.agents)
