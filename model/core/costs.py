"""What living and working in the city costs a worker: the facts every mechanism that prices her month shares.

Rent: a worker in live-out or hourly work rents a room, and so does a worker
searching for work; a worker in live-in work lodges with the household she works for
and pays no rent. Commuting: live-out and hourly work are commuted to, live-in work
is where she lives; a month of commuting costs the round trip, twice
``city.commute_cost_yuan_per_km`` times the distance in km, and a third of it to a
household bought by the hour (visited on fewer days). Each rule reads the
work's arrangement (``LIVE_IN``, ``LIVE_OUT``, ``HOURLY``), not what the work is.

Each fact is written once, as a function whose arithmetic means the same on numpy
arrays (elementwise, for the mechanisms' numpy rules) and on one worker's scalars;
the same source compiled (``*_one``) is what kernels call, so a kernel's cost is
the numpy rule's cost to the bit. The ``*_one`` kernels are inner: only kernels
call them.
"""

from __future__ import annotations

import numpy as np

from model.core.jit import kernel
from model.core.tables import EMPLOYED, HOURLY, LIVE_IN, SEARCHING

# An hourly client's days of visits, over a full-time job's (two visits a week against six days).
HOURLY_VISITS = 1.0 / 3.0


def commutes(arrangement: np.ndarray) -> np.ndarray:
    """Whether work of ``arrangement`` is commuted to: live-out and hourly work are, live-in work is where she lives.

    Args:
        arrangement: arrangements (an array, or one job's).

    Returns:
        True for live-out and hourly work.
    """
    return arrangement != LIVE_IN


def commute_yuan(cost_per_km: float, km: np.ndarray, arrangement: np.ndarray) -> np.ndarray:
    """The monthly cost of commuting ``km`` to work of ``arrangement``: the round trip unless she lives in.

    A household that buys a few hours a week is visited on a third of the days a
    full-time job is (``HOURLY_VISITS``: two visits a week against six days).

    Args:
        cost_per_km: ``city.commute_cost_yuan_per_km``, one way.
        km: distances from her home to the job.
        arrangement: the jobs' arrangements.

    Returns:
        ``2 x cost_per_km x km`` for live-out work, a third of it for hourly work, 0 for live-in work (float64).
    """
    visits = (arrangement != LIVE_IN) * (1.0 - (1.0 - HOURLY_VISITS) * (arrangement == HOURLY))
    return 2.0 * cost_per_km * km * visits


def rent_yuan(rent: float, arrangement: np.ndarray, status: np.ndarray) -> np.ndarray:
    """The rent she pays a month: ``rent`` unless she lives in; a live-in worker lodges free.

    Args:
        rent: ``migration.rent_yuan``, a room's monthly rent.
        arrangement: her job's arrangement, or the one she seeks.
        status: her status; a searching worker rents, whatever she seeks; ``EMPLOYED`` for
            the rent she would pay in work of that arrangement.

    Returns:
        ``rent`` or 0 (float64).
    """
    return rent * ((arrangement != LIVE_IN) | (status == SEARCHING))


# --- the same rules, compiled for one worker (inner kernels: only kernels call them) ------------------------

commutes_one = kernel(example=lambda: (np.int8(0),), inner=True)(commutes)
commute_yuan_one = kernel(example=lambda: (0.5, 1.0, np.int8(0)), inner=True)(commute_yuan)
rent_yuan_one = kernel(example=lambda: (600.0, np.int8(0), np.int8(EMPLOYED)), inner=True)(rent_yuan)
