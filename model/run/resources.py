"""Refusing runs that would not fit in memory, before allocating anything."""

from __future__ import annotations

import os
from pathlib import Path

from model.core.metrics import COLUMNS
from model.scenario.loading import ScenarioError
from model.scenario.schema import Scenario

# Deliberately generous bounds per row (table columns, Agent object, spare room,
# working arrays of the month): for the whole city over 120 months they give
# about 2.2 GB where the measured peak is 760 MB (docs/performance.md), so a run
# refused here would really not fit.
BYTES_PER_WORKER = 1200
BYTES_PER_HOUSEHOLD = 1000
BYTES_PER_AGENCY = 1500
BASE_BYTES = 300 * 2**20  # the interpreter, Mesa, numpy, pandas
# A value of timeseries.csv (float64) is held in its replicate's frame, in the
# concatenated frame and in the copies summarize() and the CSV writer make.
BYTES_PER_TIMESERIES_VALUE = 8 * 4

# Memory limits of the container the process runs in (cgroup v2, then v1): in a
# container /proc/meminfo shows the host's memory, not what the process may use.
CGROUP_LIMITS = (
    (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory.current")),
    (Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"), Path("/sys/fs/cgroup/memory/memory.usage_in_bytes")),
)
MEMINFO = Path("/proc/meminfo")


def estimate_bytes(scenario: Scenario, growth_months: int | None = None) -> int:
    """Peak memory of one replicate, with room for the workforce to grow over the run."""
    months = scenario.months if growth_months is None else growth_months
    growth = 1.0 + min(3.0, scenario.migration.arrival_rate * months)
    return int(BASE_BYTES
               + BYTES_PER_WORKER * scenario.workers.count * growth
               + BYTES_PER_HOUSEHOLD * scenario.households.count
               + BYTES_PER_AGENCY * scenario.agencies.count * growth)


def timeseries_bytes(scenario: Scenario) -> int:
    """Memory the collected timeseries of every replicate takes in the process that runs the command."""
    return scenario.replicates * scenario.months * (len(COLUMNS) + 2) * BYTES_PER_TIMESERIES_VALUE


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None  # "max" (no limit) is not a number


def _cgroup_available() -> int | None:
    for limit_file, usage_file in CGROUP_LIMITS:
        limit = _read_int(limit_file)
        if limit is None or limit >= 2**60:  # no limit (v1 writes a huge number)
            continue
        usage = _read_int(usage_file) or 0
        return max(limit - usage, 0)
    return None


def available_bytes() -> int:
    """Memory available now: MemAvailable (or physical memory), capped by the container's limit."""
    have = None
    try:
        with MEMINFO.open(encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    have = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if have is None:
        have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cgroup = _cgroup_available()
    return have if cgroup is None else min(have, cgroup)


def check_memory(scenario: Scenario, where: str, processes: int = 1) -> None:
    """Raise a ScenarioError when the run would need more memory than is available.

    ``processes`` replicates run at once, each with its own agents; the command's
    own process holds the timeseries of every replicate.
    """
    processes = max(1, min(processes, scenario.replicates))
    agents = estimate_bytes(scenario) * processes
    series = timeseries_bytes(scenario)
    have = available_bytes()
    if agents + series <= have:
        return
    if series > agents:
        raise ScenarioError(
            f"{where}: replicates={scenario.replicates:,} x months={scenario.months:,} give a timeseries that "
            f"would need about {series / 2**30:.1f} GiB of memory; {have / 2**30:.1f} GiB is available"
        )
    at_once = f" ({processes} replicates at once; fewer with --workers)" if processes > 1 else ""
    raise ScenarioError(
        f"{where}: workers.count={scenario.workers.count:,}, households.count={scenario.households.count:,}, "
        f"agencies.count={scenario.agencies.count:,} would need about {agents / 2**30:.1f} GiB of memory"
        f"{at_once}; {have / 2**30:.1f} GiB is available"
    )


# Disk: a value of timeseries.csv takes about 12 bytes as text; a run's figures about 1.5 MB.
TEXT_BYTES_PER_VALUE = 12
FIGURE_BYTES = 2 * 2**20
# A value in a sweep's Parquet files, compressed; and a row of runs.csv per metric.
PARQUET_BYTES_PER_VALUE = 8


def free_bytes(out: Path) -> int | None:
    """Free space on the device ``out`` will be written to (its nearest existing folder); None if unknown."""
    import shutil

    folder = out.absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def check_disk(out: Path, need: int, where: str) -> None:
    """Refuse work whose results would not fit on the disk, before any run.

    Raises:
        ScenarioError: naming what is asked, the estimate and the space free.
    """
    have = free_bytes(out)
    if have is None or need <= have:
        return
    raise ScenarioError(f"{where}: the results would take about {need / 2**20:,.0f} MiB on the disk of {out}, "
                        f"where {have / 2**20:,.0f} MiB is free; free some space or give another --out")


def run_disk_bytes(scenario: Scenario) -> int:
    """What ``domwork run`` writes: ``timeseries.csv`` and the figures."""
    return scenario.replicates * scenario.months * (len(COLUMNS) + 2) * TEXT_BYTES_PER_VALUE + FIGURE_BYTES


def compare_disk_bytes(scenarios: list[Scenario], replicates: int) -> int:
    """What ``domwork compare`` writes.

    Each replicate's time series, kept for ``--resume``; the tables, the workbook, the
    report with its figures embedded, and the figures.
    """
    series = sum(replicates * s.months * (len(COLUMNS) + 2) * TEXT_BYTES_PER_VALUE for s in scenarios)
    return series + 20 * FIGURE_BYTES


def calibrate_disk_bytes(budget: int, metrics: int) -> int:
    """What ``domwork calibrate`` writes: a row of ``evaluations.csv`` a run, its tables and its figures."""
    return budget * 40 * (metrics + 8) + 4 * FIGURE_BYTES


def sweep_disk_bytes(runs: int, months: int, metrics: int) -> int:
    """What ``domwork sweep`` writes: every run's time series in Parquet, its row, the figures."""
    return runs * (months * (metrics + 2) * PARQUET_BYTES_PER_VALUE + 40 * (metrics + 3)) + FIGURE_BYTES
