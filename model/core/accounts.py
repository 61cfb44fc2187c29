"""Accounts: who holds the money, so that every yuan has a payer and a payee.

Six sectors hold money. Each worker holds her savings (``workers.savings_yuan``;
what she owes her kin is ``workers.debt_yuan``, a claim, not money) and each agency
its cash (``agencies.cash_yuan``). Four sectors are one account each:

- households: the city's households and businesses. Employers pay wages, fees,
  contributions and employee-based bills from it; landlords and shops receive
  workers' living costs, training schools receive course fees, agencies' staff and
  landlords receive their running costs, and owners put up a new agency's cash.
- the state: collects contributions and fines, pays subsidies.
- home villages: receive remittances and repayments, send newcomers with their
  savings, lend to a worker who runs out of money.
- online platforms: receive their share of what households pay for hourly work found
  through them.

The incomes the first three get from outside the market (salaries, farm income, taxes)
are not modelled, so their accounts start at 0 and go negative as they pay. Every
flow moves money between two accounts, so the total of all of them never changes:
``money_unaccounted`` is the change of the total over the month, 0 up to rounding.

Who paid also goes on the payer's row, for the month (so that the metrics by group can
add it up by income quintile, hukou or origin): what each worker paid agencies
(``workers.fees_month_yuan``), what each household spent on care
(``households.care_month_yuan``) and, of it, its fees and service charges to agencies
(``households.fees_month_yuan``). Their sums are the month's ``worker_fees_paid``,
``household_care_spending`` and ``household_fees_paid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.core.jit import kernel
from model.core.tables import HOURLY

if TYPE_CHECKING:
    from model.core.world import World


@dataclass
class Accounts:
    """The sector accounts that are not per-row columns, in yuan."""

    households_yuan: float = 0.0
    state_yuan: float = 0.0
    villages_yuan: float = 0.0
    platforms_yuan: float = 0.0


def total_yuan(world: World) -> float:
    """All the money in the model: workers' savings, agencies' cash and the sector accounts."""
    acc = world.accounts
    held = float(np.sum(world.workers.view("savings_yuan"))) + float(np.sum(world.agencies.view("cash_yuan")))
    return held + acc.households_yuan + acc.state_yuan + acc.villages_yuan + acc.platforms_yuan


def clear_month(world: World) -> None:
    """Start the month's per-row payments at 0 (see the module's docstring)."""
    world.workers.view("fees_month_yuan")[:] = 0.0
    world.households.view("care_month_yuan")[:] = 0.0
    world.households.view("fees_month_yuan")[:] = 0.0


def record_worker_fees(world: World, workers: np.ndarray, amount: np.ndarray) -> None:
    """``workers`` paid agencies ``amount`` (one a worker; a row may come twice) this month."""
    np.add.at(world.workers.fees_month_yuan, workers, np.asarray(amount, dtype=np.float64))


def record_care(world: World, households: np.ndarray, amount: np.ndarray, fees: bool = False) -> None:
    """``households`` paid ``amount`` for care this month (one a household; a row may come twice).

    ``fees``: the amount is a fee or service charge to an agency (counted in both columns).
    """
    amount = np.asarray(amount, dtype=np.float64)
    h = world.households
    np.add.at(h.care_month_yuan, households, amount)
    if fees:
        np.add.at(h.fees_month_yuan, households, amount)


def record_care_of_jobs(world: World, workers: np.ndarray, amount: np.ndarray, fees: bool = False) -> None:
    """The households ``workers`` work for paid ``amount`` (one a worker) for their work: :func:`employers_of`.

    What :func:`record_care` of :func:`employers_of` books, in the same order for each household:
    a job that is not hourly in one compiled pass (:func:`_care_of_single_jobs`; at 1:1 the month's
    pay books some 300,000, where ``np.add.at`` and the copies took about 15 ms), an hourly
    worker's amount shared among her clients by :func:`employers_of`.
    """
    w, h = world.workers, world.households
    workers, amount = np.asarray(workers, dtype=np.int64), np.asarray(amount, dtype=np.float64)
    hourly = _care_of_single_jobs(workers, amount, w.employer, w.arrangement, h.care_month_yuan, h.fees_month_yuan,
                                  fees)
    if hourly.size:
        record_care(world, *employers_of(world, workers[hourly], amount[hourly]), fees=fees)


def employers_of(world: World, workers: np.ndarray, amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The households that pay for the work of ``workers`` (each once), and each one's part of ``amount``.

    A worker's amount falls on her employer (``workers.employer``). An hourly worker's is
    shared among the households she works for, in proportion to what each pays her
    (``households.pay_yuan``), so that the parts add up to her amount; on her employer
    if they pay her nothing.
    """
    w, h = world.workers, world.households
    workers = np.asarray(workers, dtype=np.int64)
    households, part = w.employer[workers], np.array(amount, dtype=np.float64)
    hourly = np.flatnonzero(w.arrangement[workers] == HOURLY)
    if hourly.size == 0:
        return households, part
    paying = workers[hourly]
    order = np.argsort(paying, kind="stable")
    ranked = paying[order]
    clients = h.hourly[h.worker[h.hourly] >= 0]
    owner = h.worker[clients]
    at = np.minimum(np.searchsorted(ranked, owner), ranked.size - 1)
    served = ranked[at] == owner
    clients, at = clients[served], order[at[served]]  # each client, and the position of its worker in ``paying``
    pay = h.pay_yuan[clients].astype(np.float64)
    total = np.bincount(at, weights=pay, minlength=hourly.size)
    shares = np.divide(pay, total[at], out=np.zeros(pay.size), where=total[at] > 0)
    clients_part = part[hourly][at] * shares
    part[hourly[total > 0]] = 0.0  # theirs goes to the clients (her employer among them) instead
    return np.concatenate((households, clients)), np.concatenate((part, clients_part))


def _single_jobs_example() -> tuple:
    column = np.zeros(1)
    return (np.zeros(1, np.int64), np.zeros(1), np.zeros(1, np.int32), np.zeros(1, np.int8), column, column.copy(),
            False)


@kernel(example=_single_jobs_example)
def _care_of_single_jobs(workers: np.ndarray, amount: np.ndarray, employer: np.ndarray, arrangement: np.ndarray,
                         care: np.ndarray, fees_paid: np.ndarray, fees: bool) -> np.ndarray:
    """Book each amount of a worker who is not hourly on her employer, as ``np.add.at`` does, in order.

    Adds to ``care`` (``households.care_month_yuan``) and, with ``fees``, to ``fees_paid``
    (``households.fees_month_yuan``). Returns the positions in ``workers`` of the hourly
    workers, whose amounts are left to :func:`employers_of`.
    """
    hourly = np.empty(workers.size, np.int64)
    n = 0
    for i in range(workers.size):
        r = workers[i]
        if arrangement[r] == HOURLY:
            hourly[n] = i
            n += 1
        else:
            care[employer[r]] += amount[i]
            if fees:
                fees_paid[employer[r]] += amount[i]
    return hourly[:n].copy()
