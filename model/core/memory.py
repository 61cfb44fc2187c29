"""The C allocator's settings for a run: freed memory kept for the next month's arrays.

A month of the whole city makes and frees a few hundred arrays of up to a few MB (numpy
temporaries, kernels' results). With its default settings glibc's ``malloc`` serves the
large ones with fresh pages (``mmap`` above a threshold that adapts, and a heap it trims
whenever more than twice that is free at its top), so every month faulted in some 40 MB
again: about 10,000 page faults and 15-30 ms of system time a month at 1:1, more in wall
time on a busy machine. Fixed thresholds keep up to :data:`TRIM_THRESHOLD_BYTES` of freed
memory for reuse instead; the peak memory of a run does not change (it is set by the
tables and the month's largest temporaries, which are there either way).

Process-wide, set once; where ``mallopt`` is not glibc's (other systems, other C
libraries) nothing is done. Results do not depend on it.
"""

from __future__ import annotations

import ctypes
import sys

# glibc's malloc.h: the parameters of mallopt.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_BYTES = 32 << 20  # blocks below this come from the heap (glibc's largest allowed on 64 bits)
TRIM_THRESHOLD_BYTES = 128 << 20  # the heap hands back free memory at its top beyond this

_SET: dict[str, bool] = {}


def keep_freed_memory() -> bool:
    """Set glibc's thresholds (:data:`MMAP_THRESHOLD_BYTES`, :data:`TRIM_THRESHOLD_BYTES`) once; whether set."""
    if "done" not in _SET:
        _SET["done"] = _set_thresholds()
    return _SET["done"]


def _set_thresholds() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):  # musl's mallopt does nothing
        return False
    mallopt = libc.mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    mmap_set = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    return mmap_set and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
