"""Hours: how many hours a week a household buys, and when a job is worth keeping at all.

A household's need asks for ``need_hours_week`` hours (round-the-clock care many, cleaning
a few). While an hour costs it no more than it would pay at most, it buys them all: a
monthly wage bargained for the job pays for its hours as they come. When a cost it
cannot bargain away rises above that (a minimum wage for its hours, which every worker
it could hire would cost it too), it values hours with diminishing returns and buys
fewer; the job ends only when no hours are worth their cost.

The value of ``H`` hours a week to a household whose need asks for ``N`` is

    V(H) = V_N - c_N N e / (1 - e) ((H / N)^(-(1 - e) / e) - 1),   H <= N,

whose marginal value ``c_N (H / N)^(-1/e)`` falls with every hour bought: at an hourly
cost ``c`` above ``c_N`` it buys ``N (c / c_N)^-e``, so ``e`` (``demand.hours_elasticity``
of its need's type) is the elasticity of the hours it buys. ``c_N`` is the most it would
pay a worker an hour for its need (its maximum a month over the need's hours) and
``V_N``, the care's worth to it, is ``demand.care_value_markup`` times its maximum a month:
more than the most it would pay any one worker in a bargain, for a worker it does not
keep can be replaced at the market's wage, but not when every worker costs the floor.

The household picks its hours among ``HOURS_GRID`` shares of its need (its need's hours
down to a quarter of them): the hours that leave it most of the care's worth after
their cost, among those the worker accepts (her pay at least her minimum for those
hours). A legal floor is met in cash and, for live-in work, in kind up to a limit
(ILO C189 Art. 12): room and board count for at most a share of it (:func:`in_kind_credit`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.core.labour import observes_working_time
from model.core.tables import WEEKS_PER_MONTH

if TYPE_CHECKING:
    from model.core.world import World

# The hours a household may choose, as shares of its need's hours (1 first: no cut wins ties).
HOURS_GRID = np.round(np.arange(1.0, 0.249, -0.025), 3)


def care_value(hours: np.ndarray, need_hours: np.ndarray, value_full: np.ndarray, per_hour: np.ndarray,
               elasticity: np.ndarray) -> np.ndarray:
    """The worth to a household of ``hours`` a week of care when its need asks for ``need_hours`` (yuan a month).

    Args:
        hours: hours a week bought, at most ``need_hours`` (broadcast against the others).
        need_hours: the hours a week its need asks for.
        value_full: the worth of all of them (``V_N``), yuan a month.
        per_hour: the marginal worth of the last hour of its need (``c_N``), yuan an hour.
        elasticity: the elasticity of its hours (``e``, strictly between 0 and 1).

    Returns:
        ``V(H)``, yuan a month; it falls below 0 when too few hours are bought to be worth having.
    """
    share = np.minimum(hours / need_hours, 1.0)
    bend = (1.0 - elasticity) / elasticity
    shortfall = (share ** (-bend) - 1.0) / bend  # the integral of (s)^(-1/e) from share to 1
    return value_full - per_hour * need_hours * WEEKS_PER_MONTH * shortfall


def hours_demanded(need_hours: np.ndarray, per_hour: np.ndarray, cost_per_hour: np.ndarray,
                   elasticity: np.ndarray) -> np.ndarray:
    """Hours a week a household buys at ``cost_per_hour``: all its need's while it costs no more than ``per_hour``."""
    ratio = np.maximum(cost_per_hour / per_hour, 1.0)
    return need_hours * ratio ** (-elasticity)


def floor_for_hours(hours_week: np.ndarray, hourly: float, monthly: float, full_time_week: float) -> np.ndarray:
    """The minimum pay a month for ``hours_week`` hours a week under an hourly and a monthly minimum.

    The hourly minimum times the month's hours, or the monthly minimum if higher; the
    monthly minimum is for full-time work (``full_time_week`` hours a week) and is
    pro-rated below it (so a few hours a week owe a few hours' pay).
    """
    hours = np.asarray(hours_week, dtype=np.float64)
    return np.maximum(monthly * np.minimum(hours / full_time_week, 1.0), hourly * hours * WEEKS_PER_MONTH)


def in_kind_credit(floor: np.ndarray, in_kind_yuan: np.ndarray, share: float) -> np.ndarray:
    """How much of a ``floor`` room and board worth ``in_kind_yuan`` may meet: at most ``share`` of it."""
    return np.minimum(in_kind_yuan, share * floor)


class Choice(NamedTuple):
    """A household's choice of hours under a binding floor, one job a row."""

    hours: np.ndarray  # hours a week (float32, as the hours columns)
    wage: np.ndarray  # cash a month for them (float64)
    keeps: np.ndarray  # some hours are worth their cost and the worker accepts them


def choose_hours(need_hours: np.ndarray, value_full: np.ndarray, household_max: np.ndarray,
                 wage_full: np.ndarray, worker_min_full: np.ndarray, commute: np.ndarray,
                 elasticity: np.ndarray, floor_of: Callable[[np.ndarray], np.ndarray]) -> Choice:
    """The hours each household buys, and the wage, when a floor binds it.

    For each job and each candidate share ``s`` of ``HOURS_GRID`` of its need's hours:
    the wage it would pay without the floor, pro-rated (``s x (wage_full - commute) +
    commute``: she commutes as often for fewer hours), raised to the cash the floor asks
    for those hours (``floor_of``). The household picks the share that leaves it most of
    the care's worth after the wage; the job is kept if that is not negative and the
    wage covers her minimum for those hours (``s x worker_min_full + commute``).

    Args:
        need_hours: hours a week the need asks for.
        value_full: the care's worth a month at the need's hours (``V_N``).
        household_max: the most it would pay a worker a month in a bargain, for the need's hours.
        wage_full: the wage a month it would pay for the need's hours without the floor.
        worker_min_full: her minimum a month for the need's hours, commuting left out.
        commute: her commuting cost a month (0 when she lives in).
        elasticity: the hours elasticity of the need's type.
        floor_of: hours a week (an array) -> the cash a month the floor asks for them, same shape.

    Returns:
        The chosen hours, the cash wage, and whether the job is kept (else it ends or is not taken).
    """
    grid = HOURS_GRID[None, :]
    hours = (need_hours[:, None] * grid).astype(np.float32)
    per_hour = household_max / (need_hours * WEEKS_PER_MONTH)  # c_N
    value = care_value(hours, need_hours[:, None], value_full[:, None], per_hour[:, None], elasticity[:, None])
    lo = worker_min_full[:, None] * grid + commute[:, None]
    wage = np.maximum((wage_full - commute)[:, None] * grid + commute[:, None], floor_of(hours))
    gain = value - wage
    feasible = (wage >= lo) & (gain >= 0.0)
    best = np.argmax(np.where(feasible, gain, -np.inf), axis=1)
    rows = np.arange(need_hours.size)
    return Choice(hours[rows, best], wage[rows, best], feasible[rows, best])


def hours_allowed(world: World, households: np.ndarray, need_hours: np.ndarray) -> np.ndarray:
    """The hours a week each household may buy: its need's, or the legal limit if it observes one and that is fewer."""
    capped = np.minimum(need_hours, world.levers.max_hours_week)
    return np.where(observes_working_time(world, households), capped, need_hours).astype(np.float32)
