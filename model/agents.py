"""Mesa agents: Worker, Household and Agency, thin views over the model's tables.

An agent's state is row ``row`` of its table; the properties read it. The monthly
step works on the arrays and never touches these objects, so they cost nothing
while the model runs, yet every agent is registered with the model and can be
inspected (``model.agents_by_type[Worker]``) or filtered with AgentSet methods.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import mesa

from model.tables import BUSINESS_MODELS, CHANNELS, JOB_TYPES

if TYPE_CHECKING:
    from model.model import DomesticWorkModel

STATUS_NAMES = ("inactive", "searching", "employed", "away", "gone")


def _bulk_ok(model: mesa.Model, cls: type[mesa.Agent]) -> bool:
    """Whether agents of ``cls`` can be registered in bulk with the same result as one by one."""
    listening = any(key[0] == "agents" for key in getattr(model, "subscribers", {}))
    registry = getattr(getattr(model, "_all_agents", None), "_agents", None)
    by_type = getattr(model, "_agents_by_type", None)
    return (not listening and not cls._datasets and isinstance(registry, dict)
            and isinstance(by_type, dict) and isinstance(getattr(by_type.get(cls), "_agents", None), dict))


def create_row_agents[A: _RowAgent](cls: type[A], model: DomesticWorkModel, rows) -> list[A]:
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


def remove_row_agents(model: DomesticWorkModel, agents: list[mesa.Agent]) -> None:
    """Deregister ``agents`` as ``Agent.remove`` does, in bulk when nobody listens."""
    if not agents:
        return
    cls = type(agents[0])
    if not _bulk_ok(model, cls) or any(type(a) is not cls for a in agents):
        for agent in agents:
            agent.remove()
        return
    everyone, of_type = model._all_agents._agents, model._agents_by_type[cls]._agents
    for agent in agents:
        everyone.pop(agent, None)
        of_type.pop(agent, None)


class _RowAgent(mesa.Agent):
    """An agent that is a row of one of the model's tables."""

    table_name = ""

    def __init__(self, model: DomesticWorkModel, row: int) -> None:
        super().__init__(model)
        self.row = int(row)

    def _get(self, column: str):
        return getattr(getattr(self.model, self.table_name), column)[self.row]


class Worker(_RowAgent):
    """A domestic worker: row ``row`` of ``model.workers``."""

    table_name = "workers"

    @property
    def status(self) -> str:
        """searching, employed, away or gone."""
        return STATUS_NAMES[int(self._get("status"))]

    @property
    def job_type(self) -> str:
        """The job type she seeks and does."""
        return JOB_TYPES[int(self._get("job_type"))]

    @property
    def origin(self) -> int:
        """Hometown county."""
        return int(self._get("origin"))

    @property
    def local_hukou(self) -> bool:
        """Whether she holds local hukou."""
        return bool(self._get("local_hukou"))

    @property
    def age_years(self) -> float:
        """Age in years."""
        return float(self._get("age_years"))

    @property
    def skill(self) -> float:
        """Productivity multiplier (1 = average)."""
        return float(self._get("skill"))

    @property
    def certified(self) -> bool:
        """Holds a skills certificate."""
        return bool(self._get("certified"))

    @property
    def reservation_yuan(self) -> float:
        """Lowest monthly wage she accepts, before commuting costs."""
        return float(self._get("reservation_yuan"))

    @property
    def savings_yuan(self) -> float:
        """Savings in yuan."""
        return float(self._get("savings_yuan"))

    @property
    def wage_yuan(self) -> float:
        """Agreed monthly wage of her current job (0 without one)."""
        return float(self._get("wage_yuan"))

    @property
    def paid_yuan(self) -> float:
        """Paid to her this month, after deductions and arrears."""
        return float(self._get("paid_yuan"))

    @property
    def employer(self) -> Household | None:
        """The household she works for."""
        row = int(self._get("employer"))
        return self.model.household_agents[row] if row >= 0 else None

    @property
    def agency(self) -> Agency | None:
        """The agency that placed or employs her."""
        row = int(self._get("agency"))
        return self.model.agency_agents[row] if row >= 0 else None

    @property
    def channel(self) -> str | None:
        """Channel of her current job."""
        c = int(self._get("channel"))
        return CHANNELS[c] if c >= 0 else None

    @property
    def contract(self) -> bool:
        """Has a written labour contract."""
        return bool(self._get("contract"))

    @property
    def insured(self) -> bool:
        """Has social insurance."""
        return bool(self._get("insured"))

    @property
    def wages_owed_yuan(self) -> float:
        """Wages owed to her and unpaid."""
        return float(self._get("wages_owed_yuan"))

    @property
    def paid_placement_fee(self) -> bool:
        """Paid an agency a fee for her current job, directly or by deduction from her wages."""
        return bool(self._get("paid_placement_fee"))


class Household(_RowAgent):
    """A household that may need domestic help: row ``row`` of ``model.households``."""

    table_name = "households"

    @property
    def cell(self) -> int:
        """Neighbourhood."""
        return int(self._get("cell"))

    @property
    def income_yuan(self) -> float:
        """Monthly income."""
        return float(self._get("income_yuan"))

    @property
    def need(self) -> str | None:
        """Job type it needs now, or None."""
        k = int(self._get("need"))
        return JOB_TYPES[k] if k >= 0 else None

    @property
    def wtp_yuan(self) -> float:
        """Most it would pay an average worker a month."""
        return float(self._get("wtp_yuan"))

    @property
    def trust_agency(self) -> float:
        """Trust in agencies, 0-1."""
        return float(self._get("trust_agency"))

    @property
    def worker(self) -> Worker | None:
        """Its current worker (also while she is away with the job held)."""
        row = int(self._get("worker"))
        return self.model.worker_agents[row] if row >= 0 else None

    @property
    def has_vacancy(self) -> bool:
        """A need and no worker."""
        return self.need is not None and int(self._get("worker")) < 0


class Agency(_RowAgent):
    """An agency: row ``row`` of ``model.agencies``."""

    table_name = "agencies"

    @property
    def business_model(self) -> str:
        """intermediary, membership or employee_based."""
        return BUSINESS_MODELS[int(self._get("business_model"))]

    @property
    def active(self) -> bool:
        """Open for business."""
        return bool(self._get("active"))

    @property
    def reputation(self) -> float:
        """Reputation, 0-1."""
        return float(self._get("reputation"))

    @property
    def cash_yuan(self) -> float:
        """Cash in yuan."""
        return float(self._get("cash_yuan"))

    @property
    def worker_fee_share(self) -> float:
        """Posted fee to workers, share of the first month's wage."""
        return float(self._get("worker_fee_share"))

    @property
    def household_fee_share(self) -> float:
        """Posted fee to households, share of the first month's wage."""
        return float(self._get("household_fee_share"))

    @property
    def overcharging(self) -> bool:
        """Charging workers above a fee cap this month."""
        return bool(self._get("overcharging"))

    @property
    def capacity(self) -> int:
        """Placements it can handle a month."""
        return int(self._get("capacity"))
