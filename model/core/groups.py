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
from typing import TYPE_CHECKING

import numpy as np

from model.core.tables import EMPLOYED

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
    """Every column of :data:`COLUMNS` this month, from a few bincounts over the tables.

    ``present``: the rows of the workers present; ``minimum_met``: by position in it, whether
    her pay met the statutory minimum for her hours (for ``decent_work_share``, as the scorecard).
    """
    return {**_households(world), **_workers(world, present, minimum_met)}


def _households(world: World) -> dict[str, float]:
    """By quintile: with a need (and of them, employing), spending on care and fees (``HOUSEHOLD_METRICS``)."""
    h = world.households
    quintile = h.view("income_quintile").astype(np.intp)  # 1 to 5
    need = h.view("need") >= 0
    # One count of (no need, need met, need unmet) x quintile.
    key = quintile + 6 * need
    key += 6 * (need & (h.view("worker") < 0))
    counts = np.bincount(key, minlength=18).reshape(3, 6)[:, 1:]
    with_need = counts[1] + counts[2]
    money = [np.bincount(quintile, weights=h.view(column), minlength=6)[1:]
             for column in ("care_month_yuan", "fees_month_yuan")]
    values = (with_need.tolist(), *_share(counts[1:], with_need).tolist(), *(m.tolist() for m in money))
    return dict(zip(_HOUSEHOLD_NAMES, (v for metric in values for v in metric), strict=True))


def _workers(world: World, present: np.ndarray, minimum_met: np.ndarray) -> dict[str, float]:
    """By hukou and by origin (``WORKER_METRICS``): counted over the four cells of both, then summed by group."""
    w = world.workers
    employed = w.status[present] == EMPLOYED
    paid = w.paid_yuan[present]
    code = employed.astype(np.uint8)
    for bit, flag in enumerate((paid > 0, w.contract[present], w.insured[present],
                                minimum_met & ~w.paid_placement_fee[present], ~w.local_hukou[present],
                                _minor(world.origin_base.tobytes())[w.origin[present]]), start=1):
        code |= flag.view(np.uint8) << bit
    by_code = np.bincount(code, minlength=4 * _PATTERNS).reshape(4, _PATTERNS)
    counts = np.column_stack((by_code.sum(axis=1), by_code @ _CONDITIONS))  # per cell
    workers, employed_n, paid_n, contract_n, formal_n, decent_n = counts.T @ _CELL_GROUPS
    cell = code >> 5
    pay = np.bincount(cell, weights=np.where(employed, paid, 0.0), minlength=4) @ _CELL_GROUPS
    fees = np.bincount(cell, weights=w.fees_month_yuan[present], minlength=4) @ _CELL_GROUPS
    shares = _share(np.stack((employed_n, contract_n, formal_n, decent_n)), np.stack((workers, *[employed_n] * 3)))
    values = (workers.tolist(), employed_n.tolist(), shares[0].tolist(), _share(pay, paid_n).tolist(),
              *shares[1:].tolist(), fees.tolist())
    return dict(zip(_WORKER_NAMES, (v for metric in values for v in metric), strict=True))
