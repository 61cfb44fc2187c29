"""Compiled kernels: numba with on-disk caching, and what compiling cost.

A month at 1:100 of the city is a few thousand numpy calls on arrays of a few
thousand rows, and at the whole city several passes over million-row arrays for
one decision. A kernel fuses such passes into one loop. Kernels do integer and
elementwise arithmetic and comparisons only; logarithms, exponentials and the
normal quantile stay numpy's own, so results do not depend on which
implementation of ``log`` a compiler picked.

:func:`kernel` compiles on first use and caches the machine code next to the
module (``__pycache__``, or ``NUMBA_CACHE_DIR``), so only the first run after an
install or an edit pays for compiling. Each kernel comes with small example
arguments; :func:`ready` compiles or loads every kernel once per process, before
the first month, and remembers how long it took (``domwork bench`` reports it).
:func:`nmax` and :func:`nmin` are numpy's ``maximum`` and ``minimum`` of two
scalars (NaN included), for kernels that must give numpy's bits.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from typing import Any

import numba
import numpy as np

_EXAMPLES: list[tuple[Any, Callable[[], tuple]]] = []
_READY: dict[str, float] = {}
_FIRST_CALL = threading.local()  # .on: ready() loads nothing in this thread (see on_first_call)


def kernel(example: Callable[[], tuple], *, inner: bool = False) -> Callable[[Callable], Any]:
    """Compile the decorated function with numba; ``example()`` gives arguments to compile it for.

    No Python objects inside, numpy's semantics for division by zero, cached on disk.
    An ``inner`` kernel is one the model calls only from other kernels: its machine
    code comes linked into theirs, so :func:`ready` does not load it on its own (about
    6 ms a kernel at every start); called from Python, it loads then.
    """
    def decorate(function: Callable) -> Any:
        compiled = numba.njit(cache=True, nogil=True, error_model="numpy")(function)
        _EXAMPLES.append((compiled, example, inner))
        return compiled
    return decorate


@contextlib.contextmanager
def on_first_call():
    """In this block, in this thread, :func:`ready` loads nothing: each kernel loads when first called.

    For a model wanted at once (the live page's first visitor's): its set-up loads the few kernels it
    calls (0.3 s at 1:100, against 0.6 s for all of them); a later :func:`ready` loads the rest.
    """
    _FIRST_CALL.on = True
    try:
        yield
    finally:
        _FIRST_CALL.on = False


def ready() -> float:
    """Compile or load every kernel (once per process); seconds this process spent doing it."""
    if getattr(_FIRST_CALL, "on", False):
        return 0.0
    if "seconds" not in _READY:
        started = time.perf_counter()
        for compiled, example, inner in _EXAMPLES:
            if not inner:
                compiled(*example())
        _READY["seconds"] = time.perf_counter() - started
        _READY["kernels"] = len(_EXAMPLES)
        _READY["loaded"] = sum(not inner for _, _, inner in _EXAMPLES)
    return _READY["seconds"]


def cached_on_disk() -> bool:
    """Whether every kernel has machine code in the disk cache (else the first run compiles them).

    Reads numba's cache index paths (``Dispatcher._cache._cache_file._index_path``,
    checked against numba 0.68); if that is not there, says True rather than guess.
    """
    try:
        return all(Path(compiled._cache._cache_file._index_path).exists() for compiled, _, _ in _EXAMPLES)
    except AttributeError:
        return True


def report() -> dict[str, float]:
    """How many kernels there are and how long this process took to compile or load them."""
    ready()
    return dict(_READY)


# --- numpy's scalar arithmetic, for kernels ------------------------------------------------------------------

@kernel(example=lambda: (1.0, 0.0), inner=True)
def nmax(x: float, y: float) -> float:
    """``np.maximum`` of two scalars, to the bit, for kernels: NaN if either is NaN.

    On a tie it gives ``x``: so ``nmax(-0.0, 0.0)`` is ``-0.0``, where numpy 2.x gives ``0.0``
    (its ``y``); the kernels have always had it so, and their results are held to that.
    """
    return x if x >= y or np.isnan(x) else y


@kernel(example=lambda: (1.0, 0.0), inner=True)
def nmin(x: float, y: float) -> float:
    """``np.minimum`` of two scalars, to the bit, for kernels: NaN if either is NaN.

    On a tie it gives ``x`` (``nmin(0.0, -0.0)`` is ``0.0``, where numpy 2.x gives ``-0.0``), as :func:`nmax`.
    """
    return x if x <= y or np.isnan(x) else y


# --- numpy's sum, for kernels that sum as they go ------------------------------------------------------------
#
# ``a.sum()`` of a contiguous float64 array adds it pairwise: blocks of at most PAIRWISE_BLOCK
# values, each summed in eight running sums, and the blocks' sums added up a binary tree whose
# splits depend only on the length. A kernel that produces the values in order can sum them
# block by block as it goes (:func:`pairwise_plan`, :func:`block_sum`) and get numpy's bits
# without keeping the array; tests/core/test_jit.py holds these to ``np.sum``.

PAIRWISE_BLOCK = 128  # numpy's PW_BLOCKSIZE


@kernel(example=lambda: (300,), inner=True)
def pairwise_plan(n: int) -> np.ndarray:
    """The pairwise tree of numpy's sum of ``n`` values, in postfix.

    Each entry is a block's length (>= 0, the blocks in order, tiling 0..n), or -1: add the
    last two sums. Evaluating the plan with a stack (push a block's sum, on -1 replace the
    last two by their sum) leaves numpy's pairwise sum of the n values, less the ``0.0 +``
    that ``np.sum`` starts from.
    """
    plan = np.empty(2 * (n // 8 + 1) + 1, np.int64)  # at most n / 64 blocks (each over 64 but the first)
    pending_n, pending_state = np.empty(64, np.int64), np.empty(64, np.int64)
    pending_n[0], pending_state[0] = n, 0
    depth, k = 1, 0
    while depth:
        top = depth - 1
        size = pending_n[top]
        if size <= PAIRWISE_BLOCK:
            plan[k] = size
            k += 1
            depth -= 1
        elif pending_state[top] == 2:
            plan[k] = -1
            k += 1
            depth -= 1
        else:
            half = size // 2
            half -= half % 8
            pending_n[depth] = half if pending_state[top] == 0 else size - half
            pending_state[depth] = 0
            pending_state[top] += 1
            depth += 1
    return plan[:k]


@kernel(example=lambda: (np.zeros(PAIRWISE_BLOCK), 3), inner=True)
def block_sum(values: np.ndarray, n: int) -> float:
    """The sum of one block of numpy's pairwise tree: ``values[:n]``, n at most :data:`PAIRWISE_BLOCK`."""
    if n < 8:
        total = 0.0
        for i in range(n):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[0], values[1], values[2], values[3]
    r4, r5, r6, r7 = values[4], values[5], values[6], values[7]
    i = 8
    while i < n - n % 8:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += values[i]
        i += 1
    return total


def columns(table: object, group: type) -> tuple:
    """The columns of ``table`` the NamedTuple ``group`` names, in its order, as a plain tuple for a kernel.

    The group's fields are the columns' names, so none can be put in another's place.
    """
    return _getter(group)(table)


@functools.cache
def _getter(group: type) -> attrgetter:
    return attrgetter(*group._fields)
