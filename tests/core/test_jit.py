"""The compiled kernels: what a process loads before its first month, and what it never needs to."""

from __future__ import annotations

import json
import subprocess
import sys

import numba
import numpy as np

from model.core import jit
from model.mechanisms.matching import stable_by_key

PROBE = """
import json
from model.core import jit
from model.model import DomesticWorkModel
# Rare paths too: jobs held for workers away at the festival end while they are away (a short need).
model = DomesticWorkModel(months=14, **{"workers.count": 300, "households.count": 450, "agencies.count": 6,
                                        "start_month": 2, "shocks.spring_festival.away_months": 3,
                                        "shocks.spring_festival.job_held_share": 1.0,
                                        "demand.duration_months.maternity_nurse": 1.0})
model.run_model()
lost = int(model.datacollector.get_model_vars_dataframe()["held_jobs_lost"].sum())
print(json.dumps({"held_jobs_lost": lost,
                  "kernels": {c.py_func.__qualname__: [inner, len(c.signatures)] for c, _, inner in jit._EXAMPLES}}))
"""


def test_inner_kernels_are_never_loaded_by_a_run_and_the_others_once():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["held_jobs_lost"] > 0, "the probe no longer reaches the release of a job held while away"
    kernels = probe["kernels"]
    inner = {name for name, (is_inner, _) in kernels.items() if is_inner}
    assert inner, "no inner kernels: every kernel is loaded at every start"
    assert {name: n for name, (is_inner, n) in kernels.items() if is_inner and n} == {}, \
        "an inner kernel was called from Python: unmark it, or ready() leaves it to compile mid-run"
    assert {name: n for name, (is_inner, n) in kernels.items() if not is_inner and n != 1} == {}
    assert jit.report()["loaded"] == len(kernels) - len(inner)


FIRST_CALL = """
import json
from model.core import jit
from model.model import DomesticWorkModel
def loaded():
    return sum(bool(c.signatures) for c, _, inner in jit._EXAMPLES if not inner)
with jit.on_first_call():
    model = DomesticWorkModel(**{"workers.count": 300, "households.count": 450, "agencies.count": 6})
at_set_up = loaded()
model.step()
after_a_month = loaded()
jit.ready()
print(json.dumps([at_set_up, after_a_month, loaded(), sum(not inner for _, _, inner in jit._EXAMPLES)]))
"""


def test_a_model_built_on_first_call_loads_only_the_kernels_its_set_up_calls_and_ready_loads_the_rest():
    """The live page's first model: its set-up loads what it calls, its month what that calls, ready() the rest."""
    result = subprocess.run([sys.executable, "-c", FIRST_CALL], capture_output=True, text=True, check=True)
    at_set_up, after_a_month, after_ready, kernels = json.loads(result.stdout.strip().splitlines()[-1])
    assert 0 < at_set_up < after_a_month <= after_ready == kernels
    assert at_set_up < kernels / 2


def test_the_stable_sort_is_numpys_stable_order_with_ties_nan_and_signed_zeros():
    rng = np.random.default_rng(4)
    for trial in range(60):
        n = int(rng.integers(0, 700))
        key = np.round(rng.normal(size=n), 1 if trial % 2 else 6)
        key[rng.random(n) < 0.05] = np.nan
        key[rng.random(n) < 0.05] = -0.0
        order = rng.permutation(n + 5).astype(np.int64)[:n] % max(n, 1)
        lo, hi = sorted(rng.integers(0, n + 1, 2)) if n else (0, 0)
        expected = order.copy()
        expected[lo:hi] = order[lo:hi][np.argsort(key[order[lo:hi]], kind="stable")]
        stable_by_key(order, lo, hi, key)
        assert np.array_equal(order, expected)


@numba.njit
def _pairwise_sum(values: np.ndarray) -> float:
    """``values.sum()`` as a kernel that sums as it goes does: blocks by jit.pairwise_plan, each by jit.block_sum."""
    stack = np.empty(64)
    depth, at = 0, 0
    for step in jit.pairwise_plan(values.size):
        if step < 0:
            stack[depth - 2] = stack[depth - 2] + stack[depth - 1]
            depth -= 1
        else:
            stack[depth] = jit.block_sum(values[at:at + step], step)
            depth += 1
            at += step
    return 0.0 + stack[0]


def test_the_pairwise_sum_of_kernels_is_numpys_sum_to_the_bit():
    """Kernels that sum as they go (jit.pairwise_plan, jit.block_sum) get np.sum's bits, signed zeros and nan too."""
    rng = np.random.default_rng(0)
    sizes = [*range(0, 1100), *rng.integers(1100, 400_000, 12).tolist()]
    for n in sizes:
        values = rng.normal(1000.0, 500.0, n) * rng.choice([1.0, 1e-8, 1e8, -1.0], n)
        assert _pairwise_sum(values) == values.sum(), n
    for values in (np.array([-0.0]), np.full(9, -0.0), np.full(1000, -0.0), np.zeros(0), np.array([np.nan, 1.0])):
        got, expected = _pairwise_sum(values), values.sum()
        assert np.array_equal(got, expected, equal_nan=True) and np.signbit(got) == np.signbit(expected)
