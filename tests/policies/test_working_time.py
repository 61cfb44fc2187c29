"""The working-time law (ILO C189 Art. 10): weekly rest and maximum hours, through the households that observe it."""

from __future__ import annotations

from model.core.labour import observes_working_time
from model.core.tables import EMPLOYED, HOURLY
from tests.helpers import run_months, small_scenario

LAW = {"policies.working_time.enabled": True, "policies.working_time.start_month": 13,
       "policies.working_time.enforcement": 0.6}


def test_employers_who_observe_it_give_a_rest_day_and_keep_to_the_hours():
    model, ts = run_months(small_scenario(**LAW), 30)
    w = model.workers
    employed = w.with_status(EMPLOYED)
    employed = employed[w.arrangement[employed] != HOURLY]  # each hourly household buys a few hours
    observing = observes_working_time(model, w.employer[employed])
    assert observing.any() and (~observing).any()
    assert (w.days_week[employed[observing]] <= 6).all()
    assert (w.hours_week[employed[observing]] <= 49.0 + 1e-4).all()
    assert (w.hours_week[employed[~observing]] > 49.0).any()  # the others do not
    before, after = ts.iloc[:12], ts.iloc[-12:]
    assert after["c189_weekly_rest_share"].mean() > before["c189_weekly_rest_share"].mean() + 0.05
    assert after["mean_hours_week"].mean() < before["mean_hours_week"].mean()
    assert ts["working_time_separations"].sum() > 0  # some live-in jobs are not worth their legal hours...
    assert after["live_out_share"].mean() > before["live_out_share"].mean()  # ...and households switch


def test_the_law_moves_nothing_before_it_starts_or_when_it_is_not_enabled():
    _, base = run_months(small_scenario(), 18)
    _, idle = run_months(small_scenario(**{**LAW, "policies.working_time.enabled": False}), 18)
    _, later = run_months(small_scenario(**LAW), 18)
    assert base.equals(idle)
    assert base.iloc[:12].equals(later.iloc[:12])
    assert not base.iloc[12:].equals(later.iloc[12:])
