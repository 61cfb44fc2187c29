"""The month's measurements: the wage percentiles are numpy's to the last bit."""

from __future__ import annotations

import numpy as np
import pytest


def test_wage_percentiles_are_numpys_to_the_last_bit():
    """One sort of the float32 pay column gives np.percentile's linear interpolation exactly."""
    from model.core.metrics import WAGE_PERCENTILES, percentiles

    rng = np.random.default_rng(0)
    for trial in range(600):
        n = int(rng.integers(1, 60)) if trial < 500 else int(rng.integers(1000, 40000))
        values = rng.normal(5000.0, 900.0, n).astype(np.float32)
        if trial % 3 == 0:  # many ties
            values = (np.round(values / 100) * 100).astype(np.float32)
        q = WAGE_PERCENTILES if trial % 2 else np.r_[0.0, rng.uniform(0.0, 100.0, 4), 100.0]
        expected = np.percentile(values.astype(np.float64), q)
        assert percentiles(values, q).tobytes() == expected.tobytes(), (n, q)


def test_the_work_census_is_the_numpy_reading_of_hours_pay_and_arrangements():
    """One compiled pass over the employed gives what numpy reads off the columns (model/core/metrics.py)."""
    from model.core import metrics
    from model.core.tables import EMPLOYED, HOURLY, N_ARRANGEMENTS, WEEKS_PER_MONTH
    from tests.helpers import stepped

    model = stepped(14)
    w = model.workers
    employed = w.with_status(EMPLOYED)
    worked = metrics.WorkCensus(*metrics._work_census(
        w.present, w.status, w.hours_week, w.days_week, w.arrangement, w.employers, w.job_type, w.paid_yuan,
        w.wage_yuan, metrics._standard_terms(model), model.arrangements.in_kind_yuan))
    hours = w.hours_week[employed].astype(float)
    paid = w.paid_yuan[employed].astype(float)
    assert worked.hours == pytest.approx(hours.sum()) and worked.earnings == pytest.approx(paid.sum())
    assert np.array_equal(worked.arrangements, np.bincount(w.arrangement[employed], minlength=N_ARRANGEMENTS))
    assert worked.several == np.count_nonzero(w.employers[employed] >= 2) > 0
    assert worked.rest == np.count_nonzero(w.days_week[employed] <= 6)
    was_paid = (paid > 0) & (hours > 0)
    assert worked.hourly == pytest.approx((paid[was_paid] / (hours[was_paid] * WEEKS_PER_MONTH)).sum())
    assert worked.arrangements[HOURLY] > 0
    rates = metrics._rates(worked.rate_sum, worked.rate_count)
    assert np.allclose(rates, metrics.hourly_rates_numpy(model), equal_nan=True)
    # The minimum for her hours, room and board within the limit, met to the fen: as statutory_minimum reads it.
    owed = metrics.statutory_minimum(model, w.hours_week[employed])
    credit = np.minimum(model.arrangements.in_kind_yuan[w.arrangement[employed]],
                        model.params.standards.in_kind_share * owed)
    at = np.searchsorted(w.present, employed)
    assert np.array_equal(worked.minimum_met[at], w.paid_yuan[employed] >= owed - credit - metrics.FEN)
    assert worked.minimum_met[at].any() and not worked.minimum_met[at].all()


def test_the_paid_census_is_the_numpy_reading_of_pay_by_type_and_origin_to_the_bit():
    """One compiled pass gives the selections and bincounts numpy made (model/core/metrics.py)."""
    from model.core import metrics
    from model.core.jit import columns
    from tests.helpers import stepped

    model = stepped(14)
    w = model.workers
    got = metrics._paid_census(w.present, columns(w, metrics.PaidColumns), model.params.migration.origins)
    expected = metrics.paid_census_numpy(model)
    for name, value in expected._asdict().items():
        assert getattr(got, name).dtype == value.dtype and getattr(got, name).tobytes() == value.tobytes(), name
    assert 0 < got.paid.size < w.present.size and got.n_by_type.sum() == got.paid.size
