"""The agencies' books of the month: what each agency takes and pays, with each counterparty."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.core import accounts

if TYPE_CHECKING:
    from model.core.world import World


class AgencyTerms:
    """What the scenario fixes about agencies for a whole run, read once at set-up.

    The wage agencies price from, and the posted fee shares of each business model as
    an entrant would post them (:func:`model.core.population.set_business_model`).
    """

    def __init__(self, world: World) -> None:
        p = world.params.agencies
        self.typical_wage = world.types.typical_wage
        self.worker_share = np.array([p.worker_fee_share, p.membership_fee_yuan / self.typical_wage, 0.0])
        self.household_share = np.array([p.household_fee_share, 0.5 * p.household_fee_share, 0.0])
        self.worker_share_list = self.worker_share.tolist()
        self.household_share_list = self.household_share.tolist()


class AgencyBooks:
    """Money agencies take and pay this month, per agency and in total, with each counterparty.

    ``revenue`` holds fees (from workers and households, employee-based service charges
    included); ``passed_through`` the part of employee-based bills that repays the wages
    and contributions the agency pays (``payroll``); ``subsidies`` what the state pays;
    ``costs`` fines and training. The month's profit adds them up at :func:`update`.
    ``terms``: the run's :class:`AgencyTerms`, passed on from month to month (read
    from the scenario when not given).
    """

    def __init__(self, world: World, terms: AgencyTerms | None = None) -> None:
        self.world = world
        self.terms = terms if terms is not None else AgencyTerms(world)
        size = world.agencies.n
        self.revenue, self.passed_through, self.payroll, self.subsidies, self.costs = np.zeros((5, size))

    def _add(self, target: np.ndarray, agency: np.ndarray, amount: np.ndarray) -> float:
        valid = agency >= 0
        target += np.bincount(agency[valid], weights=amount[valid], minlength=target.size)[: target.size]
        return float(amount[valid].sum())

    def worker_fees(self, agency: np.ndarray, amount: np.ndarray, workers: np.ndarray) -> None:
        """Fees paid by ``workers`` (at placement or deducted from wages); the caller takes them from her."""
        self.world.flows.worker_fees_yuan += self._add(self.revenue, agency, amount)
        valid = agency >= 0
        accounts.record_worker_fees(self.world, workers[valid], amount[valid])

    def household_fees(self, agency: np.ndarray, amount: np.ndarray, jobs: np.ndarray, service: bool = False) -> None:
        """Fees paid by the households of ``jobs`` (worker rows): placement fees, or employee-based service charges."""
        paid = self._add(self.revenue, agency, amount)
        valid = agency >= 0
        accounts.record_care_of_jobs(self.world, jobs[valid], amount[valid], fees=True)
        f = self.world.flows
        f.household_fees_yuan += paid
        if service:
            f.household_service_bills_yuan += paid
        else:
            f.household_placement_fees_yuan += paid
        self.world.accounts.households_yuan -= paid

    def bills_passed_through(self, agency: np.ndarray, amount: np.ndarray, jobs: np.ndarray) -> None:
        """The wages and contributions of employee-based bills, paid by the households of ``jobs`` (worker rows)."""
        self.world.flows.household_bills_passed_yuan += self._add(self.passed_through, agency, amount)
        valid = agency >= 0
        accounts.record_care_of_jobs(self.world, jobs[valid], amount[valid])
        self.world.accounts.households_yuan -= float(amount[agency >= 0].sum())

    def pay_payroll(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """Wages and contributions an employee-based agency pays; the caller credits the payees."""
        self._add(self.payroll, agency, amount)

    def subsidy(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """Subsidies the state pays the agency."""
        paid = self._add(self.subsidies, agency, amount)
        self.world.flows.public_subsidies_yuan += paid
        self.world.accounts.state_yuan -= paid

    def fines(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """Fines for detected overcharges, paid to the state."""
        paid = self._add(self.costs, agency, amount)
        self.world.flows.fines_yuan += paid
        self.world.accounts.state_yuan += paid

    def cost(self, agency: np.ndarray, amount: np.ndarray) -> None:
        """Other costs tied to placements (training employees), paid to training schools (households)."""
        self.world.accounts.households_yuan += self._add(self.costs, agency, amount)

    def income(self) -> np.ndarray:
        """Each agency's revenue and subsidies less the wages and contributions it pays."""
        return self.revenue + self.passed_through + self.subsidies - self.payroll
