"""The month's measurements: the wage percentiles are numpy's to the last bit."""

from __future__ import annotations

import numpy as np


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
