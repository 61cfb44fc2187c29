"""The compiled kernels: what a process loads before its first month, and what it never needs to."""

from __future__ import annotations

import json
import subprocess
import sys

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
