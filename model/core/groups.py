"""The month's measurements by group: households by income quintile, workers by hukou and by origin.

Each column is named ``<metric>__<group kind>_<value>`` (``care_spending__income_quintile_1``,
``mean_wage__hukou_migrant``, ``fees_paid__origin_minor``), the convention a comparison reads
to give paired effects by group. A metric means what the city-wide column of the same name
means, over the group's members only.

- **Households by income quintile**, 1 the poorest fifth of the city's households by monthly
  income, 5 the richest. Households are the same all run and their incomes do not change,
  so each household's quintile is fixed at set-up (:func:`income_quintiles`); with the same
  seed and household parameters a household is in the same quintile in every scenario.
- **Workers by hukou**: ``local`` (Guangzhou hukou) and ``migrant``.
- **Workers by origin**: the hometown county's place among the counties that send workers
  (the origin table's base weights, ``model.origin_base``; it has no distances or provinces).
  ``major``: the few big sending counties that together hold half the potential migrants
  (about 36 of 200, and some four in five of the workers at the start); their networks in
  the city are large, so referrals and chain migration favour their workers. ``minor``: the
  long tail of small senders. Every worker has a hometown, local hukou or not.

Counts and money add up across a kind's groups to the city-wide column (``employed``,
``workers``, ``households_with_need``, ``worker_fees_paid``, ``household_fees_paid``,
``household_care_spending``); shares and means are over the group's members (0 when it has
none, as the city-wide shares).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.core.jit import columns, kernel
from model.core.tables import EMPLOYED, HouseholdTable, WorkerTable

if TYPE_CHECKING:
    from model.core.world import World

QUINTILES = ("1", "2", "3", "4", "5")
HUKOU = ("local", "migrant")
ORIGINS = ("major", "minor")

# Per household group: households with a need; of them, the share with a worker and the share
# without (``unmet_need_share``); what they spent on care and, of it, paid agencies (yuan this month).
HOUSEHOLD_METRICS = ("households_with_need", "employing_share", "unmet_need_share", "care_spending", "fees_paid")
# Per worker group: workers present, employed, employed of present; monthly pay of the employed paid
# (as ``mean_wage``); contract, formal and decent-work shares of the employed; fees paid agencies this month.
WORKER_METRICS = ("workers", "employed", "employed_share", "mean_wage", "contract_share", "formal_share",
                  "decent_work_share", "fees_paid")

# A present worker as the bits of one code (:func:`_workers`): 0 employed, 1 paid this month, 2 a written
# contract, 3 insured, 4 paid at least the statutory minimum for her hours and no fee for her job; 5 migrant,
# 6 from a minor county. The last two make her cell, migrant + 2 x minor; the first five, 32 patterns.
_PATTERNS = 32


def _conditions() -> np.ndarray:
    """Per pattern of the first five bits, whether she counts as employed, paid, with a contract, formal, decent."""
    employed, paid, contract, insured, rest = (np.arange(_PATTERNS)[:, None] >> np.arange(5) & 1).T
    formal = employed & contract & insured
    return np.column_stack((employed, employed & paid, employed & contract, formal, formal & rest))


_CONDITIONS = _conditions()
# Which cells make each group of ``HUKOU`` then ``ORIGINS`` (cells: local major, migrant major, local minor,
# migrant minor).
_CELL_GROUPS = np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1], [0, 1, 0, 1]], dtype=np.int64)
_HOUSEHOLD_NAMES = tuple(f"{metric}__income_quintile_{q}" for metric in HOUSEHOLD_METRICS for q in QUINTILES)
_WORKER_NAMES = tuple(f"{metric}__{kind}_{value}" for metric in WORKER_METRICS
                      for kind, values in (("hukou", HUKOU), ("origin", ORIGINS)) for value in values)
COLUMNS = (*_HOUSEHOLD_NAMES, *_WORKER_NAMES)


def income_quintiles(income_yuan: np.ndarray) -> np.ndarray:
    """Each household's income quintile, 1 (poorest) to 5, by rank: each holds a fifth of them (int8).

    Ties are broken by row, so the quintiles are always the same size (within one).
    """
    n = income_yuan.size
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(income_yuan, kind="stable")] = np.arange(n)
    return (rank * len(QUINTILES) // max(n, 1) + 1).astype(np.int8)


def major_origins(origin_base: np.ndarray) -> np.ndarray:
    """Whether each hometown county is a major sender: the fewest biggest that hold half the base weight."""
    order = np.argsort(-origin_base, kind="stable")
    share = np.cumsum(origin_base[order]) / origin_base.sum()
    major = np.zeros(origin_base.size, dtype=bool)
    major[order[: int(np.searchsorted(share, 0.5)) + 1]] = True
    return major


@functools.lru_cache(maxsize=8)
def _minor(base: bytes) -> np.ndarray:
    """By hometown county, whether it is a minor sender (read once a run; read it only)."""
    minor = ~major_origins(np.frombuffer(base))
    minor.flags.writeable = False
    return minor


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    return np.divide(numerator, denominator, out=np.zeros(np.shape(numerator)), where=denominator > 0)


def measure(world: World, present: np.ndarray, minimum_met: np.ndarray) -> dict[str, float]:
    """Every column of :data:`COLUMNS` this month, from one compiled pass over the tables (:func:`_tally`).

    ``present``: the rows of the workers present; ``minimum_met``: by position in it, whether
    her pay met the statutory minimum for her hours (for ``decent_work_share``, as the scorecard).
    """
    h = world.households
    tallies = _tally(present, minimum_met, _minor(world.origin_base.tobytes()), h.n,
                     columns(world.workers, GroupedWorkers), columns(h, GroupedHouseholds))
    return values(tallies)


class GroupTallies(NamedTuple):
    """What the metrics by group are worked out from: counts and sums by quintile and by worker cell.

    A worker's cell is migrant + 2 x minor (local major, migrant major, local minor, migrant minor);
    ``_CELL_GROUPS`` sums cells into the groups of ``HUKOU`` then ``ORIGINS``.
    """

    need: np.ndarray  # households (no need, need met, need unmet) x quintile 1 to 5 (int64)
    care: np.ndarray  # spent on care, by quintile (yuan, summed in row order)
    fees: np.ndarray  # of which fees and service charges to agencies, by quintile
    cells: np.ndarray  # workers by cell x (present, employed, paid, with a contract, formal, decent) (int64)
    pay: np.ndarray  # pay this month of the employed, by cell (yuan, summed in row order)
    worker_fees: np.ndarray  # paid agencies this month, by cell


def tally_in_numpy(world: World, present: np.ndarray, minimum_met: np.ndarray) -> GroupTallies:
    """The rule of :func:`_tally`, in numpy: a few bincounts over the tables (the kernel gives the same bits)."""
    h, w = world.households, world.workers
    quintile = h.view("income_quintile").astype(np.intp)  # 1 to 5
    need = h.view("need") >= 0
    # One count of (no need, need met, need unmet) x quintile.
    key = quintile + 6 * need
    key += 6 * (need & (h.view("worker") < 0))
    need_counts = np.bincount(key, minlength=18).reshape(3, 6)[:, 1:]
    care, fees = (np.bincount(quintile, weights=h.view(column), minlength=6)[1:]
                  for column in ("care_month_yuan", "fees_month_yuan"))
    # Workers: each as the bits of one code (``_PATTERNS``), counted over the four cells.
    employed = w.status[present] == EMPLOYED
    paid = w.paid_yuan[present]
    code = employed.astype(np.uint8)
    for bit, flag in enumerate((paid > 0, w.contract[present], w.insured[present],
                                minimum_met & ~w.paid_placement_fee[present], ~w.local_hukou[present],
                                _minor(world.origin_base.tobytes())[w.origin[present]]), start=1):
        code |= flag.view(np.uint8) << bit
    by_code = np.bincount(code, minlength=4 * _PATTERNS).reshape(4, _PATTERNS)
    cell = code >> 5
    return GroupTallies(need_counts, care, fees, np.column_stack((by_code.sum(axis=1), by_code @ _CONDITIONS)),
                        np.bincount(cell, weights=np.where(employed, paid, 0.0), minlength=4),
                        np.bincount(cell, weights=w.fees_month_yuan[present], minlength=4))


def values(tallies: GroupTallies) -> dict[str, float]:
    """Every column of :data:`COLUMNS` from the month's tallies: households by quintile, workers by hukou and origin."""
    counts = tallies.need
    with_need = counts[1] + counts[2]
    households = (with_need.tolist(), *_share(counts[1:], with_need).tolist(), tallies.care.tolist(),
                  tallies.fees.tolist())
    # Counted over the four cells of hukou and origin, then summed by group.
    workers, employed_n, paid_n, contract_n, formal_n, decent_n = tallies.cells.T @ _CELL_GROUPS
    pay, fees = tallies.pay @ _CELL_GROUPS, tallies.worker_fees @ _CELL_GROUPS
    shares = _share(np.stack((employed_n, contract_n, formal_n, decent_n)), np.stack((workers, *[employed_n] * 3)))
    worker_values = (workers.tolist(), employed_n.tolist(), shares[0].tolist(), _share(pay, paid_n).tolist(),
                     *shares[1:].tolist(), fees.tolist())
    return {**dict(zip(_HOUSEHOLD_NAMES, (v for metric in households for v in metric), strict=True)),
            **dict(zip(_WORKER_NAMES, (v for metric in worker_values for v in metric), strict=True))}


# --- kernels ------------------------------------------------------------------------------------------------------


class GroupedWorkers(NamedTuple):
    """The worker columns the tally reads (whole columns, by row)."""

    status: np.ndarray
    paid_yuan: np.ndarray
    contract: np.ndarray
    insured: np.ndarray
    paid_placement_fee: np.ndarray
    local_hukou: np.ndarray
    origin: np.ndarray
    fees_month_yuan: np.ndarray


class GroupedHouseholds(NamedTuple):
    """The household columns the tally reads (whole columns, by row)."""

    income_quintile: np.ndarray
    need: np.ndarray
    worker: np.ndarray
    care_month_yuan: np.ndarray
    fees_month_yuan: np.ndarray


def _tally_example() -> tuple:
    minor = np.zeros(1, np.bool_)
    minor.flags.writeable = False  # as _minor gives it
    return (np.zeros(1, np.int64), np.zeros(1, np.bool_), minor, 1,
            columns(WorkerTable(1), GroupedWorkers), columns(HouseholdTable(1), GroupedHouseholds))


@kernel(example=_tally_example)
def _tally(present: np.ndarray, minimum_met: np.ndarray, minor: np.ndarray, n_households: int,
           worker_columns: tuple, household_columns: tuple) -> GroupTallies:
    """:func:`tally_in_numpy` in one pass over the households and one over the present workers.

    Sums are taken in row order, as ``np.bincount`` takes them (same bits); where numpy made
    about 30 passes and copies of the present rows (at 1:1, about 20 ms a month). ``minor``:
    by hometown county, whether it is a minor sender; the columns come as plain tuples of
    :class:`GroupedWorkers` and :class:`GroupedHouseholds`.
    """
    w, h = GroupedWorkers(*worker_columns), GroupedHouseholds(*household_columns)
    # Flags are counted as 0 or 1 rather than branched on: they vary from row to row, and
    # mispredicted branches took most of the time.
    need = np.zeros((3, 6), np.int64)
    care, fees = np.zeros(6), np.zeros(6)
    for r in range(n_households):
        q, has = h.income_quintile[r], np.int64(h.need[r] >= 0)
        need[has + has * np.int64(h.worker[r] < 0), q] += 1
        care[q] += h.care_month_yuan[r]
        fees[q] += h.fees_month_yuan[r]
    cells = np.zeros((4, 6), np.int64)
    pay, worker_fees = np.zeros(4), np.zeros(4)
    for i in range(present.size):
        r = present[i]
        cell = np.int64(not w.local_hukou[r]) + 2 * np.int64(minor[w.origin[r]])
        employed = np.int64(w.status[r] == EMPLOYED)
        formal = employed * np.int64(w.contract[r]) * np.int64(w.insured[r])
        cells[cell, 0] += 1
        cells[cell, 1] += employed
        cells[cell, 2] += employed * np.int64(w.paid_yuan[r] > 0)
        cells[cell, 3] += employed * np.int64(w.contract[r])
        cells[cell, 4] += formal
        cells[cell, 5] += formal * np.int64(minimum_met[i]) * np.int64(not w.paid_placement_fee[r])
        pay[cell] += np.float64(w.paid_yuan[r]) if employed else 0.0
        worker_fees[cell] += w.fees_month_yuan[r]
    return GroupTallies(need[:, 1:], care[1:], fees[1:], cells, pay, worker_fees)
