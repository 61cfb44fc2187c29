"""Random streams for common random numbers.

Every random decision has its own named stream, keyed by (seed, decision,
month), so a draw never depends on how many draws came before it. Per-agent
draws are counter-based: the number row ``r`` gets is a hash of (key, r)
(SplitMix64, the generator behind Java's SplittableRandom and the seeding of
xoshiro), so a given worker gets the same number in the baseline and in a policy
run whatever else happens, and drawing for 40,000 searchers costs 40,000 hashes,
not a draw for every row of the table. Draws whose count depends on the state
(how many newcomers arrive, their attributes) use a numpy Generator keyed the
same way.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri

_MASK = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 1.0 / (1 << 53)


def _mix_int(x: int) -> int:
    """SplitMix64 finalizer on a Python int (for keys)."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer on a uint64 array, in place (wrap-around arithmetic)."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def _name_key(name: str) -> int:
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
    """Named random streams derived from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def key(self, name: str, month: int) -> int:
        """The 64-bit key of decision ``name`` in ``month``."""
        return _mix_int(_mix_int(self.seed) ^ _mix_int(_name_key(name) << 20 ^ (int(month) & 0xFFFFF)))

    def get(self, name: str, month: int) -> np.random.Generator:
        """A numpy Generator for decision ``name`` in ``month`` (for draws not tied to rows)."""
        ss = np.random.SeedSequence(self.seed, spawn_key=(_name_key(name), int(month) & 0xFFFFF))
        return np.random.Generator(np.random.PCG64(ss))

    def uniform(self, name: str, month: int, rows: np.ndarray, k: int = 0) -> np.ndarray:
        """Uniforms on [0, 1) for table ``rows``: row r always gets the same number.

        With ``k > 0``, ``k`` numbers a row, shape (len(rows), k).
        """
        rows = np.asarray(rows)
        width = max(k, 1)
        counter = rows.astype(np.uint64)
        if k:
            counter = (counter * np.uint64(width))[:, None] + np.arange(width, dtype=np.uint64)
        counter = counter * _GOLDEN
        counter += np.uint64(self.key(name, month))
        bits = _mix(counter) >> _S11
        return bits.astype(np.float64) * _TO_UNIT

    def normal(self, name: str, month: int, rows: np.ndarray) -> np.ndarray:
        """Standard normals for table ``rows``, one a row, by the inverse normal CDF."""
        u = self.uniform(name, month, rows)
        return ndtri(np.clip(u, 1e-300, None) + 0.5 * _TO_UNIT)

    def gumbel(self, name: str, month: int, rows: np.ndarray, k: int) -> np.ndarray:
        """Standard Gumbel shocks, ``k`` a row: shape (len(rows), k)."""
        u = self.uniform(name, month, rows, k) + 0.5 * _TO_UNIT
        return -np.log(-np.log(u))
