"""The shared cost facts (model/core/costs.py) and numpy's max/min for kernels (model/core/jit.py), to the bit."""

from __future__ import annotations

import numpy as np

from model.core import costs
from model.core.jit import nmax, nmin
from model.core.tables import EMPLOYED, HOURLY, LIVE_IN, N_ARRANGEMENTS, SEARCHING


def _grid():
    arrangement = np.repeat(np.arange(N_ARRANGEMENTS, dtype=np.int8), 3)
    status = np.tile(np.array([EMPLOYED, SEARCHING, 0], dtype=np.int8), N_ARRANGEMENTS)
    return arrangement, status


def test_who_pays_rent_and_who_commutes():
    arrangement, status = _grid()
    rent = costs.rent_yuan(600.0, arrangement, status)
    assert rent.dtype == np.float64
    assert np.array_equal(rent > 0, (arrangement != LIVE_IN) | (status == SEARCHING))
    assert (rent[(arrangement == LIVE_IN) & (status == EMPLOYED)] == 0.0).all()  # she lodges with the household
    assert (rent[arrangement == HOURLY] == 600.0).all()  # hourly work: she rents her own room
    commute = costs.commute_yuan(0.5, np.full(arrangement.size, 4.0), arrangement)
    round_trips = np.select([arrangement == LIVE_IN, arrangement == HOURLY], [0.0, 1.0 / 3.0], 1.0)
    assert np.allclose(commute, 2.0 * 0.5 * 4.0 * round_trips)  # an hourly client is visited a third as often
    assert np.array_equal(costs.commutes(arrangement), arrangement != LIVE_IN)


def test_the_compiled_rules_are_the_numpy_rules_to_the_bit():
    arrangement, status = _grid()
    km = np.random.default_rng(2).uniform(0.0, 30.0, arrangement.size)
    km[0] = 0.0
    rent = costs.rent_yuan(612.5, arrangement, status)
    commute = costs.commute_yuan(0.37, km, arrangement)
    for i in range(arrangement.size):
        assert np.float64(costs.rent_yuan_one(612.5, arrangement[i], status[i])).tobytes() == rent[i].tobytes()
        assert np.float64(costs.commute_yuan_one(0.37, km[i], arrangement[i])).tobytes() == commute[i].tobytes()
        assert costs.commutes_one(arrangement[i]) == (arrangement[i] != LIVE_IN)


def test_nmax_and_nmin_are_numpys_maximum_and_minimum_but_on_ties_of_signed_zeros():
    values = np.array([-1.5, -0.0, 0.0, 2.0, np.inf, -np.inf, np.nan])
    for x in values:
        for y in values:
            if x == y:  # a tie (0.0 and -0.0 among them): the kernels give x, as they always have
                assert np.float64(nmax(x, y)).tobytes() == x.tobytes()
                assert np.float64(nmin(x, y)).tobytes() == x.tobytes()
                continue
            assert np.float64(nmax(x, y)).tobytes() == np.maximum(x, y).tobytes(), (x, y)
            assert np.float64(nmin(x, y)).tobytes() == np.minimum(x, y).tobytes(), (x, y)
