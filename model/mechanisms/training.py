"""Training and certification: costly, uncertain, raises productivity, wages and hiring odds.

A searching worker without a certificate weighs the expected gain (pass rate x
premium x her wage over a horizon) against the cost she pays (net of any
subsidy), with idiosyncratic costs; at most ``training.take_up_max`` start in a
month. While training she does not search. About 2 in 10 pass. A course goes on
only while she is in the city: it pauses while she is away for the festival, and
one who leaves for good drops out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import expit

from model.core.jit import columns, kernel
from model.core.rng import uniform_at
from model.core.tables import SEARCHING, WorkerTable

if TYPE_CHECKING:
    from model.core.world import World


def train(world: World) -> None:
    """Finish courses, then start new ones."""
    w = world.workers
    t = world.params.training
    # A course goes on only while she is in the city: it pauses while she is away (and
    # one who leaves for good drops out of it: labour.depart).
    cost = t.cost_yuan * (1.0 - world.levers.training_subsidy_share)
    courses = _courses(w.present, columns(w, CourseColumns), _course_terms(world, cost))
    started = courses.started
    world.flows.certified += courses.passed

    subsidy = t.cost_yuan * world.levers.training_subsidy_share * started
    world.flows.public_subsidies_yuan += subsidy
    world.flows.course_fees_yuan += cost * started
    # Training schools (households' account) get the fee from her and the subsidy from the state.
    world.accounts.state_yuan -= subsidy
    world.accounts.households_yuan += subsidy + cost * started
    world.flows.trained += started


def _course_terms(world: World, cost: float) -> tuple:
    """:class:`CourseTerms` for :func:`_courses`: its fields, in order, as a plain tuple (``cost``: what she pays).

    The chance of starting, by the job type she seeks: her gain is the type's reference
    wage. Built positionally (a NamedTuple passed to a kernel is typed in Python, 1-2 us a
    call, and one built by keyword costs about 1 us more); tests/mechanisms/test_training.py
    checks each field by name.
    """
    t, month = world.params.training, world.month
    gain = t.pass_rate * t.premium * world.types.reference_wage * t.horizon_months
    chance = t.take_up_max * expit((gain - cost) / t.take_up_scale_yuan)
    return (world.streams.ukey("training_pass", month), world.streams.ukey("training_take_up", month), t.pass_rate,
            chance, cost, t.months)


def courses_numpy(world: World) -> Courses:
    """The rule of a month of courses, in numpy: how many passed, how many started.

    Only searching workers train (a course pauses while she is away). A course in
    progress goes one month on; one that ends is passed at ``training.pass_rate``,
    which certifies her. A searcher without a certificate and not in a course starts
    one with a chance rising with the expected gain over the cost: the pass rate times
    the premium times her job type's reference wage over ``training.horizon_months``,
    less what she pays (the cost net of the subsidy share), in a logistic of scale
    ``training.take_up_scale_yuan``, at most ``training.take_up_max``; she starts only
    if her savings cover what she pays, and it lasts ``training.months``.
    """
    w = world.workers
    t = world.params.training
    month = world.month
    searching = w.with_status(SEARCHING)
    in_course = searching[w.training_left[searching] > 0]
    w.training_left[in_course] -= 1
    done = in_course[w.training_left[in_course] == 0]
    passed = done[world.streams.uniform("training_pass", month, done) < t.pass_rate]
    w.certified[passed] = True
    candidates = searching[~w.certified[searching] & (w.training_left[searching] == 0)]
    cost = t.cost_yuan * (1.0 - world.levers.training_subsidy_share)
    gain = t.pass_rate * t.premium * world.types.reference_wage[w.job_type[candidates]] * t.horizon_months
    chance = t.take_up_max * expit((gain - cost) / t.take_up_scale_yuan)
    u = world.streams.uniform("training_take_up", month, candidates)
    start = candidates[(u < chance) & (w.savings_yuan[candidates] >= cost)]
    w.savings_yuan[start] -= cost
    w.training_left[start] = t.months
    return Courses(passed.size, start.size)


class CourseColumns(NamedTuple):
    """The worker columns a month of courses reads and writes."""

    status: np.ndarray
    training_left: np.ndarray
    certified: np.ndarray
    job_type: np.ndarray
    savings_yuan: np.ndarray


class CourseTerms(NamedTuple):
    """This month's terms of courses, and the keys of the draws."""

    pass_key: np.uint64
    take_up_key: np.uint64
    pass_rate: float
    chance: np.ndarray  # of starting, by job type
    cost: float  # what she pays
    months: int


class Courses(NamedTuple):
    """How many passed, how many started."""

    passed: int
    started: int


# --- kernels ---


def _courses_example() -> tuple:
    return (np.zeros(1, np.int64), columns(WorkerTable(1), CourseColumns),
            (np.uint64(1), np.uint64(2), 0.2, np.full(4, 0.01), 100.0, 1))


@kernel(example=_courses_example)
def _courses(present: np.ndarray, course_columns: tuple, course_terms: tuple) -> Courses:
    """A month of courses for the searching workers (:func:`courses_numpy`): how many passed, how many started.

    A course in progress goes one month on; one that ends is passed with
    ``pass_rate`` (stream ``training_pass``). A searcher without a certificate and
    not in a course then starts one with her job type's ``chance`` (stream
    ``training_take_up``) if her savings cover ``cost``, which she pays; it lasts
    ``months``. Each worker's steps touch only her own row, so one pass over the
    present rows does what numpy did in about 30 calls (training at 1:100, p10 of
    a month: 0.10-0.12 -> 0.04-0.05 ms). The columns and terms come as plain tuples of
    :class:`CourseColumns` and :class:`CourseTerms`, named here (a NamedTuple argument is
    typed in Python at every call).
    """
    w, t = CourseColumns(*course_columns), CourseTerms(*course_terms)
    passed = started = 0
    for r in present:
        if w.status[r] != SEARCHING:
            continue
        if w.training_left[r] > 0:
            w.training_left[r] -= 1
            if w.training_left[r] == 0 and uniform_at(np.uint64(r), t.pass_key) < t.pass_rate:
                w.certified[r] = True
                passed += 1
        free = not w.certified[r] and w.training_left[r] == 0
        if free and uniform_at(np.uint64(r), t.take_up_key) < t.chance[w.job_type[r]] and w.savings_yuan[r] >= t.cost:
            w.savings_yuan[r] -= t.cost
            w.training_left[r] = t.months
            started += 1
    return Courses(passed, started)
