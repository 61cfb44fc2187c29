"""Mesa agents: Worker, Household and Agency, thin views over the model's tables.

An agent's state is row ``row`` of its table; the properties read it. The monthly
step works on the arrays and never touches these objects, so they cost nothing
while the model runs, yet every agent is registered with the model and can be
inspected (``model.agents_by_type[Worker]``) or filtered with AgentSet methods.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable
from itertools import repeat
from typing import TYPE_CHECKING, Any

import mesa

from model.core.tables import ARRANGEMENTS, BUSINESS_MODELS, CHANNELS, JOB_TYPES

if TYPE_CHECKING:
    from model.core.world import World

STATUS_NAMES = ("inactive", "searching", "employed", "away", "gone")


def _bulk_ok(model: mesa.Model, cls: type[mesa.Agent]) -> bool:
    """Whether agents of ``cls`` can be registered in bulk with the same result as one by one."""
    listening = any(key[0] == "agents" for key in getattr(model, "subscribers", {}))
    registry = getattr(getattr(model, "_all_agents", None), "_agents", None)
    by_type = getattr(model, "_agents_by_type", None)
    return (not listening and not cls._datasets and isinstance(registry, dict)
            and isinstance(by_type, dict) and isinstance(getattr(by_type.get(cls), "_agents", None), dict))


def create_row_agents[A: _RowAgent](cls: type[A], model: mesa.Model, rows) -> list[A]:
    """The Mesa agents of table ``rows``, registered with the model as ``Agent.__init__`` does.

    Mesa registers one agent at a time (a signal, a log call and two set insertions:
    about 4.5 microseconds), which made creating a whole city's million agents most
    of its set-up. When nobody listens to the model's agent signals and the class
    tracks no datasets, the same state is built in bulk: each agent gets ``model``,
    ``unique_id`` (consecutive, as one by one) and ``pos`` and joins ``model.agents``
    and ``model.agents_by_type[cls]`` in row order. Otherwise, or if Mesa's registry
    is not what this expects, agents are made one by one.
    """
    rows = [int(r) for r in rows]
    if not rows:
        return []
    first, rest = cls(model, rows[0]), rows[1:]
    if not _bulk_ok(model, cls):
        return [first, *(cls(model, r) for r in rest)]
    new = object.__new__
    start = model.agent_id_counter
    # A million new objects would set off the cyclic garbage collector many times over
    # a heap that only grows; none of them can be garbage yet.
    collecting = gc.isenabled()
    gc.disable()
    try:
        agents = [new(cls) for _ in rest]
        for agent, uid, row in zip(agents, range(start, start + len(rest)), rest, strict=True):
            # Attribute by attribute, in Agent.__init__'s order, so instances share their dict keys.
            agent.model = model
            agent.unique_id = uid
            agent.pos = None
            agent.row = row
    finally:
        if collecting:
            gc.enable()
    model.agent_id_counter = start + len(rest)
    keys = dict.fromkeys(agents)
    model._all_agents._agents.update(keys)
    model._agents_by_type[cls]._agents.update(keys)
    return [first, *agents]


def remove_row_agents(model: mesa.Model, agents: list[mesa.Agent]) -> None:
    """Deregister ``agents`` as ``Agent.remove`` does, in bulk when nobody listens."""
    if not agents:
        return
    cls = type(agents[0])
    if not _bulk_ok(model, cls) or len(set(map(type, agents))) > 1:
        for agent in agents:
            agent.remove()
        return
    everyone, of_type = model._all_agents._agents, model._agents_by_type[cls]._agents
    # dict.pop over every agent in C rather than in a Python loop (thousands of leavers a month in the city).
    deque(map(everyone.pop, agents, repeat(None)), maxlen=0)
    deque(map(of_type.pop, agents, repeat(None)), maxlen=0)


class Column:
    """A read-only attribute of a row agent: one column of its table, converted to a Python value.

    Assigning to it raises ``AttributeError``: the tables are the state and the
    monthly step changes them for every agent at once, so a write to a view would
    be lost or would bypass the bookkeeping (the flows, the identities).
    """

    def __init__(self, column: str, convert: Callable[[Any], Any] = float, names: tuple[str, ...] | None = None,
                 link: str | None = None, doc: str = "") -> None:
        self.column, self.convert, self.names, self.link = column, convert, names, link
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: _RowAgent | None, owner: type | None = None) -> Any:
        if agent is None:
            return self
        value = getattr(getattr(agent.model, agent.table_name), self.column)[agent.row]
        if self.names is not None:
            k = int(value)
            return self.names[k] if k >= 0 else None
        if self.link is not None:
            k = int(value)
            return getattr(agent.model, self.link)[k] if k >= 0 else None
        return self.convert(value)

    def __set__(self, agent: _RowAgent, value: Any) -> None:
        raise AttributeError(
            f"{type(agent).__name__}.{self.name} is read-only: agents are views over the model's "
            f"'{agent.table_name}' table, which the monthly step updates for all agents at once; "
            f"to change a state, write model.{agent.table_name}.{self.column}[{agent.row}]")


class _RowAgent(mesa.Agent):
    """An agent that is a row of one of the model's tables (a read-only view).

    Agents have no ``step`` of their own: ``model.step()`` runs every mechanism
    over the tables at once. ``agents.do("step")`` raises instead of silently
    doing nothing.
    """

    table_name = ""

    def __init__(self, model: World, row: int) -> None:
        super().__init__(model)
        self.row = int(row)

    def step(self) -> None:
        """Refused: the model steps every agent at once; call ``model.step()``."""
        raise TypeError(f"{type(self).__name__} agents have no step of their own: the monthly step is vectorized "
                        "over the model's tables; call model.step()")


class Worker(_RowAgent):
    """A domestic worker: row ``row`` of ``model.workers``."""

    table_name = "workers"

    status = Column("status", names=STATUS_NAMES, doc="searching, employed, away or gone.")
    job_type = Column("job_type", names=JOB_TYPES, doc="The job type she seeks and does.")
    arrangement = Column("arrangement", names=ARRANGEMENTS,
                         doc="live_in, live_out or hourly: of her main job, or the one she seeks.")
    hours_week = Column("hours_week", doc="Hours she works a week, all her jobs together (0 without one).")
    days_week = Column("days_week", int, doc="Days she works a week (0 without a job).")
    employers = Column("employers", int, doc="Households she works for this month.")
    origin = Column("origin", int, doc="Hometown county.")
    local_hukou = Column("local_hukou", bool, doc="Whether she holds local hukou.")
    age_years = Column("age_years", doc="Age in years.")
    skill = Column("skill", doc="Productivity multiplier (1 = average).")
    certified = Column("certified", bool, doc="Holds a skills certificate.")
    reservation_yuan = Column("reservation_yuan", doc="Lowest monthly wage she accepts, before commuting costs.")
    savings_yuan = Column("savings_yuan", doc="Savings in yuan.")
    wage_yuan = Column("wage_yuan", doc="Agreed monthly wage of her current job (0 without one).")
    paid_yuan = Column("paid_yuan", doc="Paid to her this month, after deductions and arrears.")
    employer = Column("employer", link="household_agents", doc="The household she works for.")
    agency = Column("agency", link="agency_agents", doc="The agency that placed or employs her.")
    channel = Column("channel", names=CHANNELS, doc="Channel of her current job.")
    contract = Column("contract", bool, doc="Has a written labour contract.")
    insured = Column("insured", bool, doc="Has social insurance.")
    wages_owed_yuan = Column("wages_owed_yuan", doc="Wages owed to her and unpaid.")
    paid_placement_fee = Column("paid_placement_fee", bool,
                                doc="Paid an agency a fee for her current job, directly or by deduction.")
    debt_yuan = Column("debt_yuan", doc="Owed to her kin at home.")


class Household(_RowAgent):
    """A household that may need domestic help: row ``row`` of ``model.households``."""

    table_name = "households"

    cell = Column("cell", int, doc="Neighbourhood.")
    income_yuan = Column("income_yuan", doc="Monthly income.")
    need = Column("need", names=JOB_TYPES, doc="Job type it needs now, or None.")
    wtp_yuan = Column("wtp_yuan", doc="Most it would pay an average worker a month.")
    arrangement = Column("arrangement", names=ARRANGEMENTS, doc="live_in, live_out or hourly: how it meets its need.")
    need_hours_week = Column("need_hours_week", doc="Hours a week its need asks for.")
    hours_week = Column("hours_week", doc="Hours a week it buys now (of its job or its vacancy).")
    trust_agency = Column("trust_agency", doc="Trust in agencies, 0-1.")
    worker = Column("worker", link="worker_agents",
                    doc="Its current worker (also while she is away with the job held).")

    @property
    def has_vacancy(self) -> bool:
        """A need and no worker."""
        return self.need is not None and self.worker is None


class Agency(_RowAgent):
    """An agency: row ``row`` of ``model.agencies``."""

    table_name = "agencies"

    business_model = Column("business_model", names=BUSINESS_MODELS,
                            doc="intermediary, membership or employee_based.")
    active = Column("active", bool, doc="Open for business.")
    reputation = Column("reputation", doc="Reputation, 0-1.")
    cash_yuan = Column("cash_yuan", doc="Cash in yuan.")
    worker_fee_share = Column("worker_fee_share", doc="Posted fee to workers, share of the first month's wage.")
    household_fee_share = Column("household_fee_share",
                                 doc="Posted fee to households, share of the first month's wage.")
    overcharging = Column("overcharging", bool, doc="Charging workers above a fee cap this month.")
    capacity = Column("capacity", int, doc="Placements it can handle a month.")
