"""Demand: household needs arise and end; an unmet need is a vacancy.

Each type of need (a busy couple's nanny, cleaning, an elderly parent, a birth)
ends at the hazard 1/duration; needs arise in households without one at the rate
that keeps the share of households with a need at ``demand.need_share``, with
the mix of new needs chosen so that the stock of needs has the shares in
``demand.type_share``. A new need comes with a willingness to pay tied to income.
When a need ends, the job ends with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.jit import kernel
from model.mechanisms.separations import record_and_separate
from model.population import pick, set_need
from model.rng import uniform_at
from model.tables import EMPLOYED

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


def onset_rate(need_share: float, stock_share: np.ndarray, duration: np.ndarray) -> tuple[float, np.ndarray]:
    """Monthly onset hazard of households without a need, and the type mix of new needs.

    A stock share s_k of needs lasting d_k months needs an inflow mix q_k ~ s_k/d_k;
    the stock is then (inflow) * sum(q_k d_k) and the onset hazard follows.
    """
    mix = stock_share / duration
    mix = mix / mix.sum()
    mean_duration = float(np.sum(mix * duration))
    return need_share / ((1.0 - need_share) * mean_duration), mix


def update_needs(model: DomesticWorkModel) -> None:
    """End needs, start new ones, age vacancies."""
    h, w = model.households, model.workers
    need = h.view("need")
    month = model.month
    ending, starts = _needs_changing(need, model.streams.ukey("need_end", month),
                                     model.streams.ukey("need_onset", month), model.types.need_duration,
                                     model.types.onset_rate)
    worker = h.worker[ending]
    with_worker = worker >= 0
    working = with_worker.copy()
    working[with_worker] = w.status[worker[with_worker]] == EMPLOYED
    record_and_separate(model, worker[working], "need_ended")
    h.worker[ending] = -1  # a job held for a worker who is away ends too
    need[ending] = -1

    kind = pick(model.types.onset_mix, model.streams.uniform("need_type", month, starts))
    set_need(model, starts, kind, model.streams.normal("need_wtp", month, starts))

    _age_vacancies(need, h.view("worker"), h.view("vacancy_months"))


@kernel(example=lambda: (np.zeros(1, np.int8), np.uint64(1), np.uint64(2), np.ones(4), 0.01))
def _needs_changing(need: np.ndarray, end_key: np.uint64, onset_key: np.uint64, duration: np.ndarray,
                    onset_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Households whose need ends this month (hazard 1 / its duration), and those without one whose need arises.

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
    return ending[:n_ending].copy(), starts[:n_starts].copy()


@kernel(example=lambda: (np.zeros(1, np.int8), np.zeros(1, np.int32), np.zeros(1, np.int16)))
def _age_vacancies(need: np.ndarray, worker: np.ndarray, vacancy_months: np.ndarray) -> None:
    """One more month open for every vacancy (a need without a worker)."""
    for r in range(need.size):
        if need[r] >= 0 and worker[r] < 0:
            vacancy_months[r] += 1
