"""What living and working in the city costs a worker: the facts every mechanism that prices her month shares.

Rent: a worker in live-out work rents a room, and so does a worker searching for
work; a worker in live-in work lodges with the household she works for and pays no
rent. Commuting: live-out work is commuted to, live-in work is where she lives; a
month of commuting costs the round trip, twice ``city.commute_cost_yuan_per_km``
times the distance in km.

Each fact is written once, as a function whose arithmetic means the same on numpy
arrays (elementwise, for the mechanisms' numpy rules) and on one worker's scalars;
the same source compiled (``*_one``) is what kernels call, so a kernel's cost is
the numpy rule's cost to the bit. The ``*_one`` kernels are inner: only kernels
call them.
"""

from __future__ import annotations

import numpy as np

from model.core.jit import kernel
from model.core.tables import EMPLOYED, LIVE_OUT, SEARCHING


def commutes(job_type: np.ndarray) -> np.ndarray:
    """Whether work of ``job_type`` is commuted to: live-out work is, live-in work is where she lives.

    Args:
        job_type: job types (an array, or one worker's).

    Returns:
        True for live-out work.
    """
    return job_type == LIVE_OUT


def commute_yuan(cost_per_km: float, km: np.ndarray, job_type: np.ndarray) -> np.ndarray:
    """The monthly cost of commuting ``km`` to work of ``job_type``: the round trip for live-out work, else nothing.

    Args:
        cost_per_km: ``city.commute_cost_yuan_per_km``, one way.
        km: distances from her home to the job.
        job_type: the jobs' types.

    Returns:
        ``2 x cost_per_km x km`` for live-out work, 0 for live-in work (float64).
    """
    return 2.0 * cost_per_km * km * (job_type == LIVE_OUT)


def rent_yuan(rent: float, job_type: np.ndarray, status: np.ndarray) -> np.ndarray:
    """The rent she pays a month: ``rent`` in live-out work and while searching; a live-in worker lodges free.

    Args:
        rent: ``migration.rent_yuan``, a room's monthly rent.
        job_type: her job type (what she does, or looks for).
        status: her status; ``EMPLOYED`` for the rent she would pay in work of her type.

    Returns:
        ``rent`` or 0 (float64).
    """
    return rent * ((job_type == LIVE_OUT) | (status == SEARCHING))


# --- the same rules, compiled for one worker (inner kernels: only kernels call them) ------------------------

commutes_one = kernel(example=lambda: (np.int8(0),), inner=True)(commutes)
commute_yuan_one = kernel(example=lambda: (0.5, 1.0, np.int8(0)), inner=True)(commute_yuan)
rent_yuan_one = kernel(example=lambda: (600.0, np.int8(0), np.int8(EMPLOYED)), inner=True)(rent_yuan)
