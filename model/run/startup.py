"""Start-up of a command: imports and loading without the cycle collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loading(freeze: bool = True) -> Iterator[None]:
    """Import and load without the cycle collector; with ``freeze``, keep what was loaded out of later collections.

    Imports make a few hundred thousand long-lived objects and next to no garbage:
    collecting while they load cost 0.15-0.2 s of a run's start-up, for nothing.
    Frozen (``gc.freeze``), what they loaded is skipped by later collections, a
    forked replicate's and the one at exit. Only the program freezes: a Python
    session calling :func:`main` keeps its garbage collectable.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()
