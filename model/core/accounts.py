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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

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
