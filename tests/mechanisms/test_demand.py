"""Household needs arise and end: the kernel against drawing for every household."""

from __future__ import annotations

import numpy as np

from model import DomesticWorkModel


def test_needs_end_and_arise_as_drawing_for_every_household():
    """The demand kernel picks the households the numpy code picked, from the same draws."""
    from model.mechanisms.demand import _age_vacancies, _needs_changing

    model = DomesticWorkModel("scenarios/baseline.yaml", months=8)
    for _ in range(7):
        model.step()
    h, t, month = model.households, model.types, model.month
    need = h.view("need")
    with_need, without_need = np.flatnonzero(need >= 0), np.flatnonzero(need < 0)
    u_end = model.streams.uniform("need_end", month, with_need)
    expected_end = with_need[u_end < 1.0 / t.need_duration[need[with_need]]]
    expected_start = without_need[model.streams.uniform("need_onset", month, without_need) < t.onset_rate]
    ending, starts = _needs_changing(need, model.streams.ukey("need_end", month),
                                     model.streams.ukey("need_onset", month), t.need_duration, t.onset_rate)
    assert np.array_equal(ending, expected_end) and np.array_equal(starts, expected_start)
    assert ending.size and starts.size
    months = h.view("vacancy_months").copy()
    months[(need >= 0) & (h.view("worker") < 0)] += 1
    _age_vacancies(need, h.view("worker"), h.view("vacancy_months"))
    assert np.array_equal(h.view("vacancy_months"), months)
