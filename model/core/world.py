"""The world mechanisms and policies act on: the :class:`World` protocol and the state it names.

Mechanisms (``model/mechanisms/``) and policies (``model/policies/``) are written
against :class:`World`, never against the model class: what they may read and write
is the list below, and a test reads their code and holds them to it.
:class:`~model.model.DomesticWorkModel` is the World of a run; a test may pass
anything else that has these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from model.core.population import per_type
from model.core.tables import (
    ALLOWED_ARRANGEMENTS,
    ARRANGEMENTS,
    HOURLY,
    LIVE_IN,
    LIVE_OUT,
    N_ARRANGEMENTS,
    N_JOB_TYPES,
    TYPE_ARRANGEMENT,
    WEEKS_PER_MONTH,
)

if TYPE_CHECKING:
    from model.core.accounts import Accounts
    from model.core.books import AgencyBooks
    from model.core.city import City
    from model.core.labour import MonthFlows
    from model.core.levers import Levers
    from model.core.rng import Streams
    from model.core.tables import AgencyTable, HouseholdTable, WorkerTable
    from model.scenario.schema import Scenario


@runtime_checkable
class World(Protocol):
    """What mechanisms and policies may read and write: the city in the current month.

    Attributes:
        params: the scenario (read only).
        month: the step, 1 in the first month (read only).
        streams: the run's random streams, one a decision (read only).
        types: per-job-type parameters (read only).
        arrangements: per-arrangement parameters (read only).
        city: the grid of neighbourhoods (read only).
        origin_base: each hometown county's base weight in arrivals (read only).
        workers: the worker table; households: the household table; agencies: the agency table.
        levers: this month's policy levers: policies write them, mechanisms read them.
        market: what agents know of last month's market, and this month's tightness.
        flows: everything that flows this month (counts, money by counterparty).
        accounts: the money of the sectors outside the tables (households, the state, the villages).
        agency_books: what each agency takes and pays this month.
        festival_pay_factor: this month's pay over normal pay (Spring Festival holiday pay).
        metrics: last month's measurements, by ``timeseries.csv`` column.
        departed_rows: rows of workers who left this month (their agents are removed at its end).
        closed_agency_rows: rows of agencies that closed this month.
        money_before_yuan, state_before_yuan, employed_at_start: the month's opening balances and jobs.
    """

    params: Scenario
    month: int
    streams: Streams
    types: JobTypes
    arrangements: ArrangementTerms
    city: City
    origin_base: np.ndarray
    workers: WorkerTable
    households: HouseholdTable
    agencies: AgencyTable
    levers: Levers
    market: MarketState
    flows: MonthFlows
    accounts: Accounts
    agency_books: AgencyBooks
    festival_pay_factor: float
    metrics: dict[str, float]
    departed_rows: list[np.ndarray]
    closed_agency_rows: list[np.ndarray]
    money_before_yuan: float
    state_before_yuan: float
    employed_at_start: int

    @property
    def calendar_month(self) -> int:
        """Calendar month (1-12) of the current step."""
        ...

    @property
    def calendar_year(self) -> int:
        """Calendar year of the current step."""
        ...

    @property
    def n_employed(self) -> int:
        """Workers employed now."""
        ...

    def add_worker_agents(self, rows: np.ndarray) -> None:
        """Create the Mesa agents of new worker rows."""
        ...

    def add_agency_agents(self, rows: np.ndarray) -> None:
        """Create the Mesa agents of new agency rows."""
        ...


def world_names() -> frozenset[str]:
    """Every name :class:`World` declares (what a mechanism or policy may touch)."""
    names = set(World.__annotations__)
    names.update(name for name in vars(World) if not name.startswith("_"))
    return frozenset(names)


def onset_rate(need_share: float, stock_share: np.ndarray, duration: np.ndarray) -> tuple[float, np.ndarray]:
    """Monthly onset hazard of households without a need, and the type mix of new needs.

    A stock share s_k of needs lasting d_k months needs an inflow mix q_k ~ s_k/d_k;
    the stock is then (inflow) * sum(q_k d_k) and the onset hazard follows.
    """
    mix = stock_share / duration
    mix = mix / mix.sum()
    mean_duration = float(np.sum(mix * duration))
    return need_share / ((1.0 - need_share) * mean_duration), mix


@dataclass
class JobTypes:
    """Per-job-type parameters as arrays in ``JOB_TYPES`` order."""

    reference_wage: np.ndarray
    hours_per_month: np.ndarray
    worker_share: np.ndarray
    need_stock_share: np.ndarray
    need_duration: np.ndarray
    separation_multiplier: np.ndarray
    contract_cost_multiplier: np.ndarray  # a contract's cost to the household, relative, by job type
    hours_elasticity: np.ndarray  # of the hours a need's household buys, above what it would pay an hour
    hours_week: np.ndarray  # the type's usual hours a week (float32, as the hours columns)
    onset_rate: float
    onset_mix: np.ndarray

    @property
    def typical_wage(self) -> float:
        """The wage agencies price from: reference wages weighted by the workers of each type (yuan/month)."""
        return float(self.reference_wage @ self.worker_share)

    @classmethod
    def from_params(cls, p: Scenario) -> JobTypes:
        """Read the per-type blocks of a scenario."""
        need_share = per_type(p.demand.type_share)
        duration = per_type(p.demand.duration_months)
        onset, mix = onset_rate(p.demand.need_share, need_share / need_share.sum(), duration)
        worker_share = per_type(p.workers.job_type_share)
        return cls(
            reference_wage=per_type(p.jobs.reference_wage_yuan),
            hours_per_month=per_type(p.jobs.hours_per_month),
            worker_share=worker_share / worker_share.sum(),
            need_stock_share=need_share / need_share.sum(),
            need_duration=duration,
            separation_multiplier=per_type(p.market.separation_multiplier),
            contract_cost_multiplier=per_type(p.contracts.household_cost_multiplier),
            hours_elasticity=per_type(p.demand.hours_elasticity),
            hours_week=(per_type(p.jobs.hours_per_month) / WEEKS_PER_MONTH).astype(np.float32),
            onset_rate=onset,
            onset_mix=mix,
        )


@dataclass
class ArrangementTerms:
    """Per-arrangement parameters as arrays in ``ARRANGEMENTS`` order, and by job type and arrangement.

    ``usual_hours[k, a]``: the hours a week a need of type ``k`` met in arrangement ``a``
    asks for on average (float32; 0 where the type is not met so); ``value_factor[k, a]``:
    the worth of its hours relative to the type's own arrangement, hour for hour;
    ``worker_extra[k, a]``: what the arrangement costs a worker of type ``k`` a month
    beyond what work of her type's own arrangement does (rent, and the arrangement's cost).
    """

    rest_day_share: np.ndarray
    in_kind_yuan: np.ndarray  # room and board a household gives, at its cost a month
    preference_yuan: np.ndarray
    usual_hours: np.ndarray
    value_factor: np.ndarray
    worker_extra: np.ndarray

    @classmethod
    def from_params(cls, p: Scenario) -> ArrangementTerms:
        """Read the per-arrangement blocks of a scenario."""
        a = p.arrangements

        def per_arrangement(block) -> np.ndarray:
            values = block.model_dump()
            return np.array([values[name] for name in ARRANGEMENTS], dtype=np.float64)

        own = TYPE_ARRANGEMENT.astype(np.int64)
        type_hours = per_type(p.jobs.hours_per_month) / WEEKS_PER_MONTH
        usual = np.zeros((N_JOB_TYPES, len(ARRANGEMENTS)))
        usual[:, LIVE_IN] = type_hours
        usual[:, LIVE_OUT] = a.live_out_hours_week
        usual[:, HOURLY] = a.hourly_hours_week
        usual[np.arange(N_JOB_TYPES), own] = type_hours  # a type's own arrangement keeps its hours
        usual = np.where(ALLOWED_ARRANGEMENTS, usual, 0.0).astype(np.float32)
        value = per_arrangement(a.hour_value)
        rents = p.migration.rent_yuan * (np.arange(len(ARRANGEMENTS)) != LIVE_IN)
        cost = per_arrangement(a.worker_cost_yuan) + rents
        return cls(rest_day_share=per_arrangement(a.rest_day_share), in_kind_yuan=per_arrangement(a.in_kind_yuan),
                   preference_yuan=per_arrangement(a.preference_yuan), usual_hours=usual,
                   value_factor=value[None, :] / value[own][:, None],
                   worker_extra=cost[None, :] - cost[own][:, None])


class MarketState:
    """What agents know of last month's market: wages, unemployment, tightness by job type."""

    def __init__(self) -> None:
        self.mean_wage = 0.0
        self.unemployment_rate = 0.0
        self.tightness = np.ones(N_JOB_TYPES)
        self.insured_given_contract = 0.5  # share of jobs with a contract that are insured, as last seen
        # Agreed wage an hour by job type and arrangement, as households last saw it (set from the reference).
        self.hourly_rate = np.zeros((N_JOB_TYPES, N_ARRANGEMENTS))

    def expect(self, types: JobTypes, arrangements: ArrangementTerms) -> None:
        """Before any job is seen: each type's reference wage an hour, times the worth of the arrangement's hours."""
        per_hour = types.reference_wage / (types.hours_week.astype(np.float64) * WEEKS_PER_MONTH)
        self.hourly_rate = per_hour[:, None] * arrangements.value_factor

    def learn_rates(self, rates: np.ndarray) -> None:
        """Keep this month's agreed wages an hour where enough jobs show them (``nan`` elsewhere: unchanged)."""
        self.hourly_rate = np.where(np.isnan(rates), self.hourly_rate, rates)

    def set_tightness(self, world: World, searchers: np.ndarray, vacancies: np.ndarray) -> None:
        """Vacancies per searcher of each job type, at the start of this month's matching."""
        u = np.bincount(world.workers.job_type[searchers], minlength=N_JOB_TYPES)
        v = np.bincount(world.households.need[vacancies], minlength=N_JOB_TYPES)
        self.tightness = (v + 1.0) / (u + 1.0)

    def remember(self, row: dict[str, float]) -> None:
        """Keep what newcomers will look at next month: agreed wages (no festival pay), unemployment."""
        if row["mean_agreed_wage"] > 0:
            self.mean_wage = row["mean_agreed_wage"]
        if row["contract_share"] > 0:
            self.insured_given_contract = min(row["insured_share"] / row["contract_share"], 1.0)
        self.unemployment_rate = row["unemployment_rate"]
