"""Random streams for common random numbers.

Every random decision has its own named stream, re-derived each month from
(seed, decision, month), so that a draw never depends on how many draws came
before it. Draws are made for every row of a table and then masked, so a given
worker gets the same number in the baseline and in a policy run. Two scenarios
with the same seed therefore differ only where the policy makes them differ.
"""

from __future__ import annotations

import zlib

import numpy as np


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def replicate_seed(seed: int, replicate: int) -> int:
    """The seed of replicate ``replicate`` of a scenario seeded ``seed``.

    It depends only on the two numbers, so replicate k of every scenario in a
    comparison shares its seed (common random numbers across scenarios).
    """
    if replicate == 0:
        return int(seed)
    state = np.random.SeedSequence([int(seed), int(replicate)]).generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


class Streams:
    """Named generators derived from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def get(self, name: str, month: int) -> np.random.Generator:
        """A fresh generator for decision ``name`` in ``month``."""
        ss = np.random.SeedSequence(self.seed, spawn_key=(_key(name), int(month) + 1))
        return np.random.Generator(np.random.PCG64(ss))

    def uniform(self, name: str, month: int, n: int) -> np.ndarray:
        """``n`` uniforms on [0, 1), one a row: row r gets the same number in any scenario."""
        return self.get(name, month).random(n, dtype=np.float64)

    def normal(self, name: str, month: int, n: int) -> np.ndarray:
        """``n`` standard normals, one a row."""
        return self.get(name, month).standard_normal(n)
