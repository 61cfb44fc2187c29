"""The shared cost facts (model/core/costs.py) and numpy's max/min for kernels (model/core/jit.py), to the bit."""

from __future__ import annotations

import numpy as np

from model.core import costs
from model.core.jit import nmax, nmin
from model.core.tables import EMPLOYED, LIVE_OUT, N_JOB_TYPES, SEARCHING


def _grid():
    job_type = np.repeat(np.arange(N_JOB_TYPES, dtype=np.int8), 3)
    status = np.tile(np.array([EMPLOYED, SEARCHING, 0], dtype=np.int8), N_JOB_TYPES)
    return job_type, status


def test_who_pays_rent_and_who_commutes():
    job_type, status = _grid()
    rent = costs.rent_yuan(600.0, job_type, status)
    assert rent.dtype == np.float64
    assert np.array_equal(rent > 0, (job_type == LIVE_OUT) | (status == SEARCHING))
    assert (rent[(job_type != LIVE_OUT) & (status == EMPLOYED)] == 0.0).all()  # she lodges with the household
    commute = costs.commute_yuan(0.5, np.full(job_type.size, 4.0), job_type)
    assert np.array_equal(commute, np.where(job_type == LIVE_OUT, 2.0 * 0.5 * 4.0, 0.0))
    assert np.array_equal(costs.commutes(job_type), job_type == LIVE_OUT)


def test_the_compiled_rules_are_the_numpy_rules_to_the_bit():
    job_type, status = _grid()
    km = np.random.default_rng(2).uniform(0.0, 30.0, job_type.size)
    km[0] = 0.0
    rent = costs.rent_yuan(612.5, job_type, status)
    commute = costs.commute_yuan(0.37, km, job_type)
    for i in range(job_type.size):
        assert np.float64(costs.rent_yuan_one(612.5, job_type[i], status[i])).tobytes() == rent[i].tobytes()
        assert np.float64(costs.commute_yuan_one(0.37, km[i], job_type[i])).tobytes() == commute[i].tobytes()
        assert costs.commutes_one(job_type[i]) == (job_type[i] == LIVE_OUT)


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
