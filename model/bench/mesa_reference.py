"""The yardstick of ``domwork bench``: a trivial Boltzmann-wealth model in idiomatic Mesa 3.5.

Every agent holds one coin; each step, in random order (``AgentSet.shuffle_do``),
an agent with a coin gives it to an agent picked at random. This is the smallest
model Mesa's tutorial builds, written the way Mesa's documentation writes it: an
Agent object with a ``step``, a Model seeded with ``rng=``. Its agent-steps per
second are what an idiomatic Mesa model manages at a given number of agents; the
bench reports domwork's agent-months per second as a multiple of it.
"""

from __future__ import annotations

import time
from typing import Any

import mesa


class MoneyAgent(mesa.Agent):
    """An agent with some coins."""

    def __init__(self, model: BoltzmannWealth) -> None:
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        """Give a coin to a random agent, if there is one to give."""
        if self.wealth > 0:
            other = self.random.choice(self.model.everyone)
            other.wealth += 1
            self.wealth -= 1


class BoltzmannWealth(mesa.Model):
    """``n`` agents trading coins at random."""

    def __init__(self, n: int, rng: int = 42) -> None:
        super().__init__(rng=rng)
        MoneyAgent.create_agents(self, n)
        self.everyone = self.agents.to_list()  # the partners to pick from, fixed as no agent leaves

    def step(self) -> None:
        """Every agent steps once, in random order."""
        self.agents.shuffle_do("step")


def measure(agents: int, steps: int) -> dict[str, Any]:
    """Build the model with ``agents`` agents, run ``steps`` steps, and time both."""
    started = time.perf_counter()
    model = BoltzmannWealth(agents)
    set_up = time.perf_counter() - started
    for _ in range(steps):
        model.step()
    stepping = time.perf_counter() - started - set_up
    assert sum(a.wealth for a in model.agents) == agents  # coins are conserved
    return {
        "agents": agents,
        "steps": steps,
        "setup_seconds": set_up,
        "seconds_per_step": stepping / steps,
        "agent_steps_per_second": agents * steps / stepping,
    }
