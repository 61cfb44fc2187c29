"""DomesticWorkModel: a Guangzhou-like market for migrant domestic work, one step a month."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any, ClassVar

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from model.core import accounts, groups, jit, labour, memory, metrics
from model.core.agents import Agency, Household, Worker, create_row_agents, remove_row_agents
from model.core.books import AgencyBooks
from model.core.city import build_city
from model.core.labour import MonthFlows
from model.core.population import (
    business_model_shares,
    draw_agencies,
    draw_households,
    draw_workers,
    origin_weights,
    pick,
)
from model.core.rng import Streams, replicate_seed
from model.core.tables import (
    AGENCY,
    EMPLOYED,
    EMPLOYEE_BASED,
    HOURLY,
    N_JOB_TYPES,
    OPEN,
    SEARCHING,
    AgencyTable,
    HouseholdTable,
    WorkerTable,
)
from model.core.world import ArrangementTerms, JobTypes, MarketState
from model.mechanisms import (
    agencies,
    arrangements,
    clients,
    compliance,
    contracts,
    demand,
    market,
    migration,
    separations,
    training,
    wages,
)
from model.policies import PolicySet
from model.scenario.loading import ScenarioError, load_scenario, load_scenario_data
from model.scenario.schema import MAX_MONTHS, Scenario

# Hiring channels of the jobs that exist at the start (Ningbo 2010 household
# survey: acquaintances 40.1%, direct/labour market 39.5%, agencies 19.4%).
INITIAL_CHANNEL_SHARES = np.array([0.395, 0.401, 0.194])

ScenarioLike = Scenario | str | Path | dict | None


def resolve_scenario(scenario: Any, rng: Any, overrides: dict[str, Any]) -> Scenario:
    """Our scenario from what the constructor was given (see :class:`DomesticWorkModel`)."""
    if isinstance(scenario, MesaScenario):
        rng = scenario.rng if rng is None else rng
        scenario = None
    if rng is not None:
        if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
            raise ScenarioError(f"rng: expected an integer seed, got {type(rng).__name__} "
                                "(every decision draws from streams derived from one integer seed)")
        overrides = {**overrides, "seed": int(rng)}
    if isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        scenario = scenario.model_dump(mode="json", exclude={"extends"})
    if scenario is None or isinstance(scenario, str | Path):
        return load_scenario(scenario, overrides, source="DomesticWorkModel()")
    if isinstance(scenario, dict):
        return load_scenario_data(scenario, overrides, where="DomesticWorkModel(scenario={...})")
    raise ScenarioError(f"scenario: expected a Scenario, a path to a YAML file or a dict, "
                        f"got {type(scenario).__name__}")


class DomesticWorkModel(mesa.Model):
    """A Guangzhou-like market for domestic work, one step a month.

    Agent state lives in numpy tables owned by the model (``workers``,
    ``households``, ``agencies``); the Mesa agents are thin views over their rows.

    Mesa's tools work on it as on Mesa's examples: ``model.run_model()`` ends
    after the scenario's ``months`` steps (``running`` turns False), ``mesa.batch_run``
    passes scenario keys as keyword arguments and seeds as ``rng``, and SolaraViz's
    Reset re-instantiates it from ``model_params``.

    The Mesa agents (``agents_by_type[Worker]`` and so on) are read-only views: the
    monthly step is vectorized over the tables, so agents have no ``step`` of their
    own, and assigning to a view's attribute raises an error instead of doing nothing.

    Args:
        scenario: our scenario: a loaded :class:`Scenario`, a path to a YAML file, a dict of
            keys (dotted or nested), or None for the built-in baseline. Mesa's own scenario
            object (what SolaraViz passes back on Reset) is accepted and ignored but for
            its seed; pass ours as ``params`` then.
        replicate: which replicate this is; its seed derives from the scenario seed.
        rng: an integer seed that replaces the scenario's ``seed`` (Mesa's keyword).
        params: the same as ``scenario``, under the name that does not clash with Mesa's.
        **overrides: scenario keys, dotted or not (``months=24``,
            ``**{"market.separation_rate": 0.05}``), validated like ``--set``.

    Raises:
        ValueError: a :class:`ScenarioError` naming the key, for bad arguments.
    """

    def __init__(self, scenario: ScenarioLike = None, replicate: int = 0, *, rng: int | None = None,
                 params: ScenarioLike = None, **overrides: Any) -> None:
        scenario = resolve_scenario(params if params is not None else scenario, rng, overrides)
        seed = replicate_seed(scenario.seed, replicate)
        # Mesa keeps its own ``self.scenario`` (mesa.experimental.scenarios); ours is ``self.params``.
        super().__init__(rng=seed)
        self.params = scenario
        self.replicate = replicate
        self.seed = seed
        self.streams = Streams(seed)
        self.month = 0
        self.types = JobTypes.from_params(scenario)
        self.arrangements = ArrangementTerms.from_params(scenario)
        self.flows = MonthFlows()
        self.policies = PolicySet(self)
        self.levers = self.policies.at_rest()
        self.market = MarketState()
        self.festival_pay_factor = 1.0
        self.departed_rows: list[np.ndarray] = []
        self.closed_agency_rows: list[np.ndarray] = []
        self.worker_agents: list[Worker] = []
        self.household_agents: list[Household] = []
        self.agency_agents: list[Agency] = []
        self.timings: dict[str, float] = {}  # seconds spent in each mechanism, summed over months
        jit.ready()  # compile or load the kernels before the first month, once a process
        memory.keep_freed_memory()  # the month's large arrays reuse freed memory, once a process
        self.accounts = accounts.Accounts()

        self._set_up()
        self.money_before_yuan = accounts.total_yuan(self)  # at the start of the month
        self.state_before_yuan = 0.0
        self.employed_at_start = self.n_employed  # of the month: the jobs that may end in it
        self.metrics: dict[str, float] = {}
        self.datacollector = MonthCollector()

    # --- set-up ---------------------------------------------------------------

    def _set_up(self) -> None:
        p = self.params
        setup = self.streams.get("setup", 0)
        self.city = build_city(p.city, self.streams.get("city", 0))
        self.origin_base = origin_weights(p.migration.origins, self.streams.get("origins", 0))

        self.workers = WorkerTable(p.workers.count)
        historic = self.origin_base ** p.migration.origin_concentration_at_start
        draw_workers(self, np.arange(p.workers.count), self.streams.get("workers", 0), historic / historic.sum(),
                     newcomers=False)
        self.workers.index_present()
        self.households = HouseholdTable(p.households.count, spare=0.0)
        self.market.expect(self.types, self.arrangements)
        draw_households(self, self.streams.get("households", 0))
        self.households.income_quintile[:] = groups.income_quintiles(self.households.view("income_yuan"))
        with_need = np.flatnonzero(self.households.view("need") >= 0)
        arrangements.choose(self, with_need, self.households.need[with_need].astype(np.int64),
                            self.households.wtp_yuan[with_need])
        self.agencies = AgencyTable(p.agencies.count)
        draw_agencies(self, np.arange(p.agencies.count), self.streams.get("agencies", 0),
                      business_model_shares(self))
        self.agency_books = AgencyBooks(self)
        self._initial_jobs(setup)
        for _ in range(p.arrangements.max_clients):  # hourly workers start with their round of clients
            clients.match(self, rate_scale=1e9)  # every open hourly need looks, each round

        self.add_worker_agents(np.arange(self.workers.n))
        self.household_agents = create_row_agents(Household, self, range(self.households.n))
        self.add_agency_agents(np.arange(self.agencies.n))

        wage = self.workers.view("wage_yuan")[self.workers.view("status") == EMPLOYED]
        self.market.mean_wage = float(wage.mean()) if wage.size else self.types.typical_wage
        self.market.unemployment_rate = 1.0 - self.n_employed / max(self.workers.n, 1)
        self.flows = MonthFlows()

    def _initial_jobs(self, rng: np.random.Generator) -> None:
        """Pair a share of workers with households that need their job type."""
        w, h = self.workers, self.households
        share = self.params.workers.initial_employment_share
        want_job = np.flatnonzero(rng.random(w.n) < share)
        need = h.view("need")
        pairs_w, pairs_h = [], []
        a = self.params.arrangements
        for k in range(N_JOB_TYPES):
            ws = want_job[w.job_type[want_job] == k]
            hs = np.flatnonzero(need == k)
            hs = hs[np.argsort(rng.random(hs.size), kind="stable")]
            # Hourly needs: a worker starts with one (her main employer) and takes on more in the rounds after.
            hourly = h.arrangement[hs] == HOURLY
            anchors = int(np.ceil(hourly.sum() * a.hourly_hours_week / (0.7 * a.max_hours_week)))
            hs = np.concatenate((hs[~hourly], hs[hourly][:anchors]))
            hs = hs[np.argsort(rng.random(hs.size), kind="stable")]
            m = min(ws.size, hs.size)
            pairs_w.append(ws[:m])
            pairs_h.append(hs[:m])
        workers = np.concatenate(pairs_w)
        households = np.concatenate(pairs_h)
        channel = pick(INITIAL_CHANNEL_SHARES, rng.random(workers.size)).astype(np.int8)
        active_agencies = np.flatnonzero(self.agencies.view("active"))
        agency = np.full(workers.size, -1, dtype=np.int32)
        via_agency = channel == AGENCY
        if active_agencies.size:
            agency[via_agency] = active_agencies[rng.integers(0, active_agencies.size, int(via_agency.sum()))]
        else:
            channel[via_agency] = OPEN
            via_agency[:] = False
        eb = np.zeros(workers.size, dtype=bool)
        eb[via_agency] = self.agencies.business_model[agency[via_agency]] == EMPLOYEE_BASED
        wage = wages.bargain(self, workers, households, eb)
        labour.hire(self, workers, households, channel, agency, wage)
        w.agency_employed[workers] = eb
        w.months_in_job[workers] = rng.integers(0, 24, workers.size)
        searching = np.flatnonzero(w.view("status") == SEARCHING)
        w.months_searching[searching] = rng.integers(0, 3, searching.size)
        contracts.decide(self, workers, "setup")
        w.attraction[: w.n] = np.float32(self.params.channels.initial_attraction)
        h.attraction[: h.n] = np.float32(self.params.channels.initial_attraction)

    def add_worker_agents(self, rows: np.ndarray) -> None:
        """Create the Mesa agents of new worker rows."""
        self.worker_agents.extend(create_row_agents(Worker, self, rows))

    def add_agency_agents(self, rows: np.ndarray) -> None:
        """Create the Mesa agents of new agency rows."""
        self.agency_agents.extend(create_row_agents(Agency, self, rows))

    # --- the month --------------------------------------------------------------

    def step(self) -> None:
        """One month in the city."""
        self._begin_month()
        for name, mechanism in self.MONTH:
            started = perf_counter()
            mechanism(self)
            self.timings[name] = self.timings.get(name, 0.0) + perf_counter() - started
        self._end_month()

    # The month, in order: each entry a mechanism over the model's arrays.
    MONTH: ClassVar[tuple[tuple[str, Callable[[DomesticWorkModel], None]], ...]] = (
        ("policies", lambda m: m.policies.apply(m)),  # each policy a small object moving the levers
        ("returns", migration.return_from_away),  # festival visitors come back
        ("demand", demand.update_needs),  # needs arise and end; ended needs end jobs
        ("compliance", compliance.update),  # who knows of the laws in force, inspections, complaints, who obeys
        ("separations", separations.end_jobs),  # exogenous endings, quits, dismissals, wage floors
        ("festival", migration.festival_exodus),  # Spring Festival: a share go home for a while
        ("departures", migration.go_home_for_good),  # unemployment, savings target, age, hukou
        ("arrivals", migration.arrive),  # Harris-Todaro arrivals through hometown networks
        ("training", training.train),  # courses end, new ones start
        ("clients", clients.match),  # hourly workers with hours free take on more households
        ("matching", market.match),  # channels, urn-ball matching, wages, contracts, fees
        ("contracts", contracts.review),  # yearly review of terms, self-enrolment in insurance
        ("wages", wages.pay),  # wages paid or owed, deductions, savings and remittances
        ("platforms", clients.pay_platforms),  # households pay platforms their share of hourly work
        ("agencies", agencies.update),  # profits, reputation, exit, switching, entry
    )

    def _begin_month(self) -> None:
        if self.month >= MAX_MONTHS:
            raise RuntimeError(f"a run is at most {MAX_MONTHS:,} months; month counters would overflow")
        self.month += 1
        self.flows = MonthFlows()
        accounts.clear_month(self)
        self.agency_books = AgencyBooks(self, self.agency_books.terms)
        self.employed_at_start = self.n_employed
        self.money_before_yuan = accounts.total_yuan(self)
        self.state_before_yuan = self.accounts.state_yuan

    def _end_month(self) -> None:
        started = perf_counter()
        self.workers.age_years[self.workers.present] += np.float32(1.0 / 12.0)
        self._remove_agents()
        self.metrics, rates = metrics.measure_month(self)
        self.market.remember(self.metrics)
        self.market.learn_rates(rates)  # what households choosing an arrangement will expect an hour to cost
        self.datacollector.collect(self)
        self.running = self.month < self.params.months
        self.timings["collect"] = self.timings.get("collect", 0.0) + perf_counter() - started

    def _remove_agents(self) -> None:
        """Deregister the Agent objects of workers who left and agencies that closed this month."""
        for rows in self.departed_rows:
            remove_row_agents(self, [self.worker_agents[r] for r in rows.tolist()])
        for rows in self.closed_agency_rows:
            remove_row_agents(self, [self.agency_agents[r] for r in rows.tolist()])
        self.departed_rows.clear()
        self.closed_agency_rows.clear()

    def run_for(self, months: int) -> None:
        """Step ``months`` times."""
        for _ in range(months):
            self.step()

    # --- reading the state ----------------------------------------------------

    @property
    def calendar_month(self) -> int:
        """Calendar month (1-12) of the current step."""
        return (self.params.start_month - 1 + self.month - 1) % 12 + 1

    @property
    def calendar_year(self) -> int:
        """Calendar year of the current step (``start_year`` and ``start_month`` place month 1)."""
        return self.params.start_year + (self.params.start_month - 1 + self.month - 1) // 12

    @property
    def n_employed(self) -> int:
        """Workers employed now."""
        return self._count(EMPLOYED)

    def _count(self, status: int) -> int:
        return self.workers.with_status(status).size


def _reporter(name: str):
    def report(model: DomesticWorkModel) -> float:
        return model.metrics[name]

    report.__name__ = name
    return report


class MonthCollector(mesa.DataCollector):
    """Mesa's DataCollector with a reporter for each column of the month's measurements.

    It reads and answers as Mesa's does (``model_reporters``, ``model_vars``,
    ``get_model_vars_dataframe``). Collecting appends the month's row to the columns
    at once: the values are plain numbers, so there is nothing to call or deep-copy
    per column (Mesa's way costs a reporter call and a deepcopy for each of 89 columns,
    about a tenth of a month at 1:100). Reporters added later, or agent reporters, are
    collected by Mesa's own code.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters={name: _reporter(name) for name in metrics.COLUMNS})
        self._columns = [(name, self.model_vars[name]) for name in metrics.COLUMNS]

    def collect(self, model: DomesticWorkModel) -> None:
        """Append the month's measurements (``model.metrics``) to the columns."""
        if len(self.model_reporters) != len(self._columns) or self.agent_reporters or self.agenttype_reporters:
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        row = model.metrics
        for name, column in self._columns:
            column.append(row[name])
