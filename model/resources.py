"""Refusing runs that would not fit in memory, before allocating anything."""

from __future__ import annotations

import os

from model.scenario import ScenarioError
from model.schema import Scenario

# Measured on Mesa 3.5 / numpy 2: a worker row with its Agent object and spare
# room takes about 1.2 kB, a household about 1.0 kB, an agency about 1.5 kB.
BYTES_PER_WORKER = 1200
BYTES_PER_HOUSEHOLD = 1000
BYTES_PER_AGENCY = 1500
BASE_BYTES = 300 * 2**20  # the interpreter, Mesa, numpy, pandas


def estimate_bytes(scenario: Scenario, growth_months: int | None = None) -> int:
    """Peak memory of one replicate, with room for the workforce to grow over the run."""
    months = scenario.months if growth_months is None else growth_months
    growth = 1.0 + min(3.0, scenario.migration.arrival_rate * months)
    return int(BASE_BYTES
               + BYTES_PER_WORKER * scenario.workers.count * growth
               + BYTES_PER_HOUSEHOLD * scenario.households.count
               + BYTES_PER_AGENCY * scenario.agencies.count * growth)


def available_bytes() -> int:
    """Memory available now (MemAvailable), or physical memory when that cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_memory(scenario: Scenario, where: str, processes: int = 1) -> None:
    """Raise a ScenarioError when the run would need more memory than is available."""
    need = estimate_bytes(scenario) * max(processes, 1)
    have = available_bytes()
    if need > have:
        raise ScenarioError(
            f"{where}: workers.count={scenario.workers.count:,}, households.count={scenario.households.count:,} "
            f"would need about {need / 2**30:.1f} GiB of memory; {have / 2**30:.1f} GiB is available"
        )
