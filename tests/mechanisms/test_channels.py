"""Channel choice and learning: each kernel against its numpy rule."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.parametrize("no_agency", [False, True])
def test_channel_choice_kernel_is_the_numpy_utility_argmax(no_agency):
    from model.core.tables import AGENCY, REFERRAL
    from model.mechanisms.channels import NO_CHANNEL, _best_channel

    rng = np.random.default_rng(int(no_agency))
    attraction = rng.random((5000, 3)).astype(np.float32)
    attraction[:100] = 0.5  # ties
    rows = np.sort(rng.choice(5000, 3000, replace=False))
    referral = np.where(rng.random(3000) < 0.3, NO_CHANNEL, rng.normal(0.0, 1.0, 3000))
    agency = (0.2 + 0.7 * (rng.random(3000).astype(np.float32) - 0.5) - 0.3).astype(np.float64)
    gumbel = -np.log(-np.log(rng.random((3000, 3))))
    gumbel[:50] = 0.0
    utility = 1.3 * attraction[rows].astype(np.float64)
    utility[:, REFERRAL] += referral
    if no_agency:
        utility[:, AGENCY] = NO_CHANNEL
    else:
        utility[:, AGENCY] += agency
    utility += 0.8 * gumbel
    expected = np.argmax(utility, axis=1).astype(np.int8)
    got = _best_channel(attraction, rows, 1.3, referral, agency, no_agency, 0.8, gumbel)
    assert np.array_equal(got, expected) and np.unique(got).size == (2 if no_agency else 3)


def test_learning_kernel_is_the_numpy_float32_update():
    from model.mechanisms.channels import learn

    rng = np.random.default_rng(2)
    attraction = rng.random((4000, 3)).astype(np.float32)
    rows = np.sort(rng.choice(4000, 2500, replace=False))
    channel = rng.integers(0, 3, rows.size).astype(np.int8)
    success = rng.random(rows.size) < 0.4
    expected = attraction.copy()
    current = expected[rows, channel]
    expected[rows, channel] = current + 0.15 * (success.astype(np.float32) - current)
    learn(attraction, rows, channel, success, 0.15)
    assert attraction.tobytes() == expected.tobytes()
