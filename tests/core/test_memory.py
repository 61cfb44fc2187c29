"""The allocator's settings (model/core/memory.py): a month's large arrays reuse freed memory."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import resource
import numpy as np
from model.core import memory
def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        a = np.ones(600_000)  # 4.8 MB, made and freed as a month's temporaries are
        b = a * 2.0
        del a, b
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
faults()
default = faults()
print(memory.keep_freed_memory(), memory.keep_freed_memory())
faults()
print(default, faults())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_freed_arrays_are_reused_without_faulting_their_pages_in_again():
    lines = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                           check=True).stdout.split("\n")
    if lines[0] != "True True":
        pytest.skip("not glibc: the thresholds are left alone")
    default, kept = map(int, lines[1].split())
    assert kept < 100 < default
