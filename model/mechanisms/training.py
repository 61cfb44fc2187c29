"""Training and certification: costly, uncertain, raises productivity, wages and hiring odds.

A searching worker without a certificate weighs the expected gain (pass rate x
premium x her wage over a horizon) against the cost she pays (net of any
subsidy), with idiosyncratic costs; at most ``training.take_up_max`` start in a
month. While training she does not search. About 2 in 10 pass. A course goes on
only while she is in the city: it pauses while she is away for the festival, and
one who leaves for good drops out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from model.core.jit import kernel
from model.core.rng import uniform_at
from model.core.tables import SEARCHING

if TYPE_CHECKING:
    from model.core.world import World


def train(world: World) -> None:
    """Finish courses, then start new ones."""
    w = world.workers
    t = world.params.training
    month = world.month

    # The chance of starting, by the job type she seeks: her gain is the type's reference wage.
    cost = t.cost_yuan * (1.0 - world.levers.training_subsidy_share)
    gain = t.pass_rate * t.premium * world.types.reference_wage * t.horizon_months
    chance = t.take_up_max * expit((gain - cost) / t.take_up_scale_yuan)
    # A course goes on only while she is in the city: it pauses while she is away (and
    # one who leaves for good drops out of it: labour.depart).
    passed, started = _courses(
        w.present, w.status, w.training_left, w.certified, w.job_type, w.savings_yuan,
        world.streams.ukey("training_pass", month), world.streams.ukey("training_take_up", month),
        t.pass_rate, chance, cost, t.months)
    world.flows.certified += passed

    subsidy = t.cost_yuan * world.levers.training_subsidy_share * started
    world.flows.public_subsidies_yuan += subsidy
    world.flows.course_fees_yuan += cost * started
    # Training schools (households' account) get the fee from her and the subsidy from the state.
    world.accounts.state_yuan -= subsidy
    world.accounts.households_yuan += subsidy + cost * started
    world.flows.trained += started


def _courses_example() -> tuple:
    return (np.zeros(1, np.int64), np.ones(1, np.int8), np.zeros(1, np.int8), np.zeros(1, np.bool_),
            np.zeros(1, np.int8), np.zeros(1), np.uint64(1), np.uint64(2), 0.2, np.full(4, 0.01), 100.0, 1)


@kernel(example=_courses_example)
def _courses(present: np.ndarray, status: np.ndarray, training_left: np.ndarray, certified: np.ndarray,
             job_type: np.ndarray, savings: np.ndarray, pass_key: np.uint64, take_up_key: np.uint64,
             pass_rate: float, chance: np.ndarray, cost: float, months: int) -> tuple[int, int]:
    """A month of courses for the searching workers: how many passed, how many started.

    A course in progress goes one month on; one that ends is passed with
    ``pass_rate`` (stream ``training_pass``). A searcher without a certificate and
    not in a course then starts one with her job type's ``chance`` (stream
    ``training_take_up``) if her savings cover ``cost``, which she pays; it lasts
    ``months``. Each worker's steps touch only her own row, so one pass over the
    present rows does what numpy did in about 30 calls (training at 1:100, p10 of
    a month: 0.10-0.12 -> 0.04-0.05 ms).
    """
    passed = started = 0
    for r in present:
        if status[r] != SEARCHING:
            continue
        if training_left[r] > 0:
            training_left[r] -= 1
            if training_left[r] == 0 and uniform_at(np.uint64(r), pass_key) < pass_rate:
                certified[r] = True
                passed += 1
        free = not certified[r] and training_left[r] == 0
        if free and uniform_at(np.uint64(r), take_up_key) < chance[job_type[r]] and savings[r] >= cost:
            savings[r] -= cost
            training_left[r] = months
            started += 1
    return passed, started
