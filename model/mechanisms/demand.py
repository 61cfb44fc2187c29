"""Demand: household needs arise and end; an unmet need is a vacancy.

Each type of need (a busy couple's nanny, cleaning, an elderly parent, a birth)
ends at the hazard 1/duration; needs arise in households without one at the rate
that keeps the share of households with a need at ``demand.need_share``, with
the mix of new needs chosen so that the stock of needs has the shares in
``demand.type_share``. A new need comes with a willingness to pay tied to income,
and the household chooses how to meet it (:func:`model.mechanisms.arrangements.choose`). When a need
ends, the job ends with it (an hourly worker keeps her other clients).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import ndtri

from model.core.jit import kernel
from model.core.population import cumulative_shares, pick, pick_at, set_need
from model.core.rng import uniform_at
from model.core.tables import EMPLOYED
from model.mechanisms import arrangements, clients
from model.mechanisms.separations import record_and_separate

if TYPE_CHECKING:
    from model.core.world import World

_HALF_UNIT = 0.5 / (1 << 53)  # half the spacing of the uniforms: Streams.normal's shift off 0


def update_needs(world: World) -> None:
    """End needs, start new ones, age vacancies."""
    h, w = world.households, world.workers
    need = h.view("need")
    month = world.month
    streams = world.streams
    changing = _needs_changing(need, streams.ukey("need_end", month), streams.ukey("need_onset", month),
                               world.types.need_duration, world.types.onset_rate)
    ending, starts = changing.ending, changing.starts
    # An hourly worker who keeps other clients only loses this one; the other endings end her job.
    ends_jobs = clients.ending_needs(world, ending)
    new = _what_changes(ends_jobs, starts, h.worker, w.status, world.types.onset_mix,
                        streams.ukey("need_type", month), streams.ukey("need_wtp", month))
    record_and_separate(world, new.worker[new.working], "need_ended")
    h.worker[ending] = -1  # a job held for a worker who is away ends too
    need[ending] = -1

    set_need(world, starts, new.kind, ndtri(new.wtp_draw))
    arrangements.choose(world, starts, new.kind.astype(np.int64), h.wtp_yuan[starts])

    _age_vacancies(need, h.view("worker"), h.view("vacancy_months"))


def needs_changing_numpy(world: World, duration: np.ndarray) -> NeedsChanging:
    """The rule of which needs end and arise this month, in numpy (``duration``: each type's mean months).

    A need ends at the hazard 1 / its type's duration; a household without one finds
    one at the onset rate (``types.onset_rate``, the rate that keeps the share of
    households with a need at ``demand.need_share``). Both are decided on the needs at
    the start of the month, each household drawing from the stream that concerns it.
    """
    need = world.households.view("need")
    month = world.month
    with_need, without_need = np.flatnonzero(need >= 0), np.flatnonzero(need < 0)
    u_end = world.streams.uniform("need_end", month, with_need)
    ending = with_need[u_end < 1.0 / duration[need[with_need]]]
    starts = without_need[world.streams.uniform("need_onset", month, without_need) < world.types.onset_rate]
    return NeedsChanging(ending, starts)


def what_changes_numpy(world: World, ending: np.ndarray, starts: np.ndarray, status: np.ndarray) -> NewNeeds:
    """The rule of what ending and new needs bring, in numpy.

    When a need ends, so does the job of its household's worker, if she is at work
    (a job held for her while she is away ends too, without a separation). A new
    need's type is drawn from the onset mix (``types.onset_mix``, chosen so that the
    stock of needs has the shares of ``demand.type_share``); its taste for paying is a
    standard normal, here the uniform whose normal quantile it is (as
    :meth:`Streams.normal` shifts it off 0).
    """
    h, month = world.households, world.month
    worker = h.worker[ending]
    with_worker = worker >= 0
    working = with_worker.copy()
    working[with_worker] = status[worker[with_worker]] == EMPLOYED
    kind = pick(world.types.onset_mix, world.streams.uniform("need_type", month, starts))
    wtp_draw = np.clip(world.streams.uniform("need_wtp", month, starts), 1e-300, None) + _HALF_UNIT
    return NewNeeds(worker, working, kind, wtp_draw)


def age_vacancies_numpy(world: World) -> None:
    """The rule of vacancies' age in numpy: a need without a worker is open one month more."""
    h = world.households
    need = h.view("need")
    h.view("vacancy_months")[(need >= 0) & (h.view("worker") < 0)] += 1


class NeedsChanging(NamedTuple):
    """Households whose need ends this month, and households whose need arises."""

    ending: np.ndarray
    starts: np.ndarray


class NewNeeds(NamedTuple):
    """What ending and new needs bring: the ending needs' workers, whether each is at work; new types, taste draws."""

    worker: np.ndarray
    working: np.ndarray
    kind: np.ndarray
    wtp_draw: np.ndarray


# --- kernels ---


def _changes_example() -> tuple:
    rows = np.zeros(1, np.int64)
    return (rows, rows, np.zeros(1, np.int32), np.zeros(1, np.int8), np.ones(4), np.uint64(1), np.uint64(2))


@kernel(example=_changes_example)
def _what_changes(ending: np.ndarray, starts: np.ndarray, household_worker: np.ndarray, status: np.ndarray,
                  onset_mix: np.ndarray, type_key: np.uint64, wtp_key: np.uint64) -> NewNeeds:
    """What the needs that end and arise bring (:func:`what_changes_numpy`): ending jobs, new types, taste draws.

    The workers of the ending needs' households and whether each is at work (a job
    held while she is away ends without a separation); for each household of
    ``starts`` the type of its need (stream ``need_type``, by :func:`pick` of the
    onset mix) and the uniform whose normal quantile is its taste for paying
    (stream ``need_wtp``, clipped and shifted as :meth:`Streams.normal` does).
    One call where numpy made about 15 (with :func:`set_need`'s kernel, demand at
    1:100, p10 of a month: 0.34-0.39 -> 0.31 ms, half of it ending the jobs).
    """
    worker = np.empty(ending.size, dtype=household_worker.dtype)
    working = np.empty(ending.size, dtype=np.bool_)
    for i in range(ending.size):
        worker[i] = household_worker[ending[i]]
        working[i] = worker[i] >= 0 and status[worker[i]] == EMPLOYED
    cdf = cumulative_shares(onset_mix)
    kind = np.empty(starts.size, dtype=np.int64)
    wtp_draw = np.empty(starts.size)
    for i in range(starts.size):
        counter = np.uint64(starts[i])
        kind[i] = pick_at(cdf, uniform_at(counter, type_key))
        wtp_draw[i] = max(uniform_at(counter, wtp_key), 1e-300) + _HALF_UNIT
    return NewNeeds(worker, working, kind, wtp_draw)


@kernel(example=lambda: (np.zeros(1, np.int8), np.uint64(1), np.uint64(2), np.ones(4), 0.01))
def _needs_changing(need: np.ndarray, end_key: np.uint64, onset_key: np.uint64, duration: np.ndarray,
                    onset_rate: float) -> NeedsChanging:
    """Households whose need ends, and those whose need arises, this month (:func:`needs_changing_numpy`).

    The draws of the streams ``need_end`` and ``need_onset`` (keys given), each
    household drawing from the one that concerns it; both sets are decided on the
    needs at the start of the month. One pass where numpy made about ten.
    """
    ending = np.empty(need.size, dtype=np.int64)
    starts = np.empty(need.size, dtype=np.int64)
    n_ending = n_starts = 0
    for r in range(need.size):
        if need[r] >= 0:
            if uniform_at(np.uint64(r), end_key) < 1.0 / duration[need[r]]:
                ending[n_ending] = r
                n_ending += 1
        elif uniform_at(np.uint64(r), onset_key) < onset_rate:
            starts[n_starts] = r
            n_starts += 1
    return NeedsChanging(ending[:n_ending].copy(), starts[:n_starts].copy())


@kernel(example=lambda: (np.zeros(1, np.int8), np.zeros(1, np.int32), np.zeros(1, np.int16)))
def _age_vacancies(need: np.ndarray, worker: np.ndarray, vacancy_months: np.ndarray) -> None:
    """One more month open for every vacancy (a need without a worker).

    Without a branch, so the loop runs in vector instructions (6,000 households:
    7.5 -> 1.8 us).
    """
    for r in range(need.size):
        vacancy_months[r] += (need[r] >= 0) & (worker[r] < 0)
