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

from model.mechanisms.separations import record_and_separate
from model.population import pick, set_need
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
    n = h.n
    need = h.view("need")
    month = model.month
    with_need = np.flatnonzero(need >= 0)
    without_need = np.flatnonzero(need < 0)
    u_end = model.streams.uniform("need_end", month, with_need)
    ending = with_need[u_end < 1.0 / model.types.need_duration[need[with_need]]]
    worker = h.worker[ending]
    with_worker = worker >= 0
    working = with_worker.copy()
    working[with_worker] = w.status[worker[with_worker]] == EMPLOYED
    record_and_separate(model, worker[working], "need_ended", bad=False)
    h.worker[ending] = -1  # a job held for a worker who is away ends too
    need[ending] = -1

    u_start = model.streams.uniform("need_onset", month, without_need)
    starts = without_need[u_start < model.types.onset_rate]
    kind = pick(model.types.onset_mix, model.streams.uniform("need_type", month, starts))
    set_need(model, starts, kind, model.streams.normal("need_wtp", month, starts))

    vacant = (need >= 0) & (h.view("worker") < 0)
    h.vacancy_months[:n][vacant] += 1
