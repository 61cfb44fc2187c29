"""Household needs arise and end: demand.py's kernels against its numpy rules, bit for bit."""

from __future__ import annotations

import numpy as np

from model import DomesticWorkModel
from model.core.tables import EMPLOYED
from model.mechanisms import demand
from tests.helpers import small_scenario


def test_needs_end_and_arise_as_drawing_for_every_household():
    """The demand kernel picks the households the numpy rule picks, from the same draws."""
    model = DomesticWorkModel("scenarios/baseline.yaml", months=8)
    for _ in range(7):
        model.step()
    h, t, month = model.households, model.types, model.month
    need = h.view("need")
    expected = demand.needs_changing_numpy(model, t.need_duration)
    got = demand._needs_changing(need, model.streams.ukey("need_end", month),
                                 model.streams.ukey("need_onset", month), t.need_duration, t.onset_rate)
    assert np.array_equal(got.ending, expected.ending) and np.array_equal(got.starts, expected.starts)
    assert got.ending.size and got.starts.size
    months = h.view("vacancy_months").copy()
    demand.age_vacancies_numpy(model)
    expected_months = h.view("vacancy_months").copy()
    h.view("vacancy_months")[:] = months
    demand._age_vacancies(need, h.view("worker"), h.view("vacancy_months"))
    assert np.array_equal(h.view("vacancy_months"), expected_months)
    assert not np.array_equal(months, expected_months)


def test_what_ending_and_new_needs_bring_is_the_numpy_rule():
    model = DomesticWorkModel(small_scenario(), months=16)
    model.run_for(14)
    h, w, month = model.households, model.workers, model.month
    streams = model.streams
    short = np.full(4, 4.0)  # needs lasting four months: many end
    changing = demand._needs_changing(h.view("need"), streams.ukey("need_end", month),
                                      streams.ukey("need_onset", month), short, model.types.onset_rate)
    status = w.status.copy()
    status[w.with_status(EMPLOYED)[::3]] = 3  # away, their jobs held
    got = demand._what_changes(changing.ending, changing.starts, h.worker, status, model.types.onset_mix,
                               streams.ukey("need_type", month), streams.ukey("need_wtp", month))
    expected = demand.what_changes_numpy(model, changing.ending, changing.starts, status)
    for name in demand.NewNeeds._fields:
        assert np.array_equal(getattr(got, name), getattr(expected, name)), name
    assert got.worker.dtype == expected.worker.dtype
    assert got.working.any() and not got.working.all() and not (got.worker >= 0).all()
    assert np.array_equal(demand.ndtri(got.wtp_draw), streams.normal("need_wtp", month, changing.starts))
