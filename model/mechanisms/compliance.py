"""Compliance with the laws on domestic work: awareness, norms, complaints and inspections.

A law acts through what people know and what breaking it costs them, never by
setting an outcome. Each month a law is in force:

1. **Awareness.** Households and workers who do not know of the laws in force learn of
   them with a small chance (``compliance.learn_rate``: news, neighbours, kin); a worker
   on a written contract or placed by an agency ``compliance.informed_factor`` times
   likelier; a household an information campaign reaches
   (``levers.campaign_reach``) with ``compliance.campaign_uptake`` more.
2. **Detection.** Labour inspectors visit a share of homes (each law's
   ``inspections``, a year); a worker who knows of a law and whose job breaks it
   complains with ``compliance.complaint_rate`` a month, and an inspection follows. A
   household found paying below a wage floor pays a fine to the state and back pay to
   her (``compliance.back_pay_months`` of the shortfall); one found over the working-time
   limits pays a fine; either is ordered to obey the law from then on
   (``households.ordered``). Contracts are inspected in :func:`model.mechanisms.contracts.inspect`.
3. **The choice.** A household not made to obey (``law_abiding`` below the law's
   ``enforcement``, or ordered) obeys when what obeying costs it a month is at most the
   expected penalty (the chance it is found a month, by inspection or by her complaint,
   times the fine and the back pay) plus, once it knows of the law, the norm: what
   breaking a known law costs it, ``compliance.norm_cost_yuan`` times ``-ln(law_abiding)``
   (exponential across households, larger the more law-abiding). What obeying a floor
   costs is the shortfall of the job's pay (or, for a vacancy, of the going pay for its
   arrangement and hours) below the floor; what obeying the working-time law costs is the
   pay of the hours and days over the limits. So compliance falls as a floor bites and
   rises with inspections, complaints and awareness; a law with no inspections still moves
   the households that know of it. The contract choice weighs the same norm and the
   expected fine of a complaint (:func:`contract_pressure`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.core import labour
from model.core.accounts import record_care
from model.core.tables import AGENCY, EMPLOYED, HOURLY, ORDERED_FLOOR, ORDERED_HOURS, WEEKS_PER_MONTH
from model.mechanisms import wages

if TYPE_CHECKING:
    from model.core.world import World


def contract_law_in_force(world: World) -> bool:
    """Whether a law requires a written contract this month (``policies.contract_mandate``)."""
    return bool(world.levers.contract_required)


def fee_law_in_force(world: World) -> bool:
    """Whether a law caps agency fees to workers this month (``policies.worker_fee_cap``)."""
    return bool(np.isfinite(world.levers.worker_fee_cap_share))


def laws_in_force(world: World) -> bool:
    """Whether any law on domestic work is in force this month."""
    return (wages.floor_in_force(world) or labour.working_time_in_force(world) or contract_law_in_force(world)
            or fee_law_in_force(world))


def norm_cost(world: World, households: np.ndarray) -> np.ndarray:
    """What breaking a law it knows of costs each household a month: 0 unless aware (yuan, float64).

    ``compliance.norm_cost_yuan`` times ``-ln(law_abiding)``: exponential across households
    with that mean, larger the more law-abiding (the households a law's enforcement makes
    obey first, those of low ``law_abiding``, feel it most).
    """
    h = world.households
    trait = np.maximum(h.law_abiding[households].astype(np.float64), 1e-12)
    return np.where(h.aware[households], world.params.compliance.norm_cost_yuan * -np.log(trait), 0.0)


def contract_pressure(world: World, workers: np.ndarray) -> np.ndarray:
    """What a contract law adds to a household's gain from signing, beyond the inspectors' expected fine (yuan).

    The norm (:func:`norm_cost`) once the household knows of the law, and the expected
    fine of a complaint: a worker who knows of it complains with
    ``compliance.complaint_rate`` a month. Zero when no contract law is in force.
    """
    if not contract_law_in_force(world) or np.size(workers) == 0:
        return np.zeros(np.size(workers))
    w = world.workers
    complaint = world.params.compliance.complaint_rate * world.levers.contract_fine_yuan
    return norm_cost(world, w.employer[workers]) + complaint * w.aware[workers]


def contract_law_cost(world: World, households: np.ndarray, need: np.ndarray, arrangement: np.ndarray,
                      hours_week: np.ndarray) -> np.ndarray:
    """What a contract law in force costs each household a month for a job, whether it obeys or not (yuan).

    The lesser of obeying (the contract's cost to it, as in
    :func:`model.mechanisms.contracts.household_contract_cost` before an agency's
    paperwork, and the employer's part of the contributions the state does not subsidise,
    times the share of jobs with a contract that are insured, on the going pay for the
    job) and breaking it (the chance a month it is found, by inspection or by a complaint
    of a worker who knows of the law, times the fine, plus the norm). Inspections and
    complaints reach hourly work bought from a worker with several households only
    ``compliance.hourly_coverage`` as much. Arrays broadcast: ``need``, ``arrangement`` and
    ``hours_week`` may carry a column an arrangement. Zero while no contract law is in force.
    """
    arrangement = np.asarray(arrangement)
    if not contract_law_in_force(world):
        return np.zeros(arrangement.shape)
    h, lev, p = world.households, world.levers, world.params
    c = p.contracts

    def per_household(x: np.ndarray) -> np.ndarray:  # as a column when there is one an arrangement
        return x[:, None] if arrangement.ndim > 1 else x

    income = np.maximum(h.income_yuan[households].astype(np.float64) / p.households.income_median_yuan, 1e-3)
    cost = c.household_cost_yuan * world.types.contract_cost_multiplier[need] * income ** -c.cost_income_elasticity
    pay = world.market.hourly_rate[per_household(need), arrangement] * hours_week * WEEKS_PER_MONTH
    contributions = c.contribution_rate * np.maximum(pay, c.contribution_base_min_yuan)
    employer = c.employer_contribution_share * (1.0 - lev.insurance_subsidy_share) * contributions
    obey = per_household(cost) + world.market.insured_given_contract * employer
    found = lev.contract_inspection_rate + world.params.compliance.complaint_rate * searchers_aware(world)
    reach = np.where(arrangement == HOURLY, world.params.compliance.hourly_coverage, 1.0)
    breaking = found * lev.contract_fine_yuan * reach + per_household(norm_cost(world, households))
    return np.maximum(np.minimum(obey, breaking), 0.0)


def update(world: World) -> None:
    """The month's awareness, detection and choices for the laws in force (see the module's text)."""
    h = world.households
    if not contract_law_in_force(world):
        h.view("law_cost_share")[:] = 0.0
    if not laws_in_force(world):
        h.view("observes_floor")[:] = False
        h.view("observes_hours")[:] = False
        return
    learn(world)
    employed = world.workers.with_status(EMPLOYED)
    floor, hours = wages.floor_in_force(world), labour.working_time_in_force(world)
    if floor:
        _detect_floor(world, employed)
    if hours:
        _detect_hours(world, employed)
    with_need = np.flatnonzero(h.view("need") >= 0)
    h.view("observes_floor")[:] = False
    h.view("observes_hours")[:] = False
    if floor:
        h.observes_floor[with_need] = chooses_floor(world, with_need)
    if hours:
        h.observes_hours[with_need] = chooses_working_time(world, with_need)
    if contract_law_in_force(world):
        price_contract_law(world, with_need)


def price_contract_law(world: World, households: np.ndarray) -> None:
    """Each household's expected cost of the contract law, as a share of what it would pay (``law_cost_share``).

    :func:`contract_law_cost` for its need, arrangement and hours, over its willingness to
    pay for them, at most 0.9; :func:`model.mechanisms.wages.offer_factor` takes it off.
    """
    h = world.households
    need = h.need[households].astype(np.int64)
    cost = contract_law_cost(world, households, need, h.arrangement[households].astype(np.int64),
                             h.hours_week[households].astype(np.float64))
    share = cost / np.maximum(h.wtp_yuan[households].astype(np.float64), 1.0)
    h.law_cost_share[households] = np.minimum(share, 0.9)


def learn(world: World) -> None:
    """Households and workers who do not know of the laws in force learn of them (streams ``law_awareness_*``)."""
    h, w, c = world.households, world.workers, world.params.compliance
    month = world.month
    unaware = np.flatnonzero(~h.view("aware"))
    if unaware.size:
        chance = c.learn_rate + world.levers.campaign_reach * c.campaign_uptake
        u = world.streams.uniform("law_awareness_household", month, unaware)
        h.aware[unaware[u < chance]] = True
    present = w.present
    unaware = present[~w.aware[present]]
    if unaware.size:
        informed = w.contract[unaware] | ((w.status[unaware] == EMPLOYED) & (w.channel[unaware] == AGENCY))
        chance = c.learn_rate * np.where(informed, c.informed_factor, 1.0)
        u = world.streams.uniform("law_awareness_worker", month, unaware)
        w.aware[unaware[u < chance]] = True


def _pay(world: World, households: np.ndarray) -> np.ndarray:
    """What each household pays for its need a month.

    Its worker's wage (an hourly client: its own pay), or, for a vacancy, the going pay an
    hour for its job type and arrangement (``market.hourly_rate``) times its hours.
    """
    h, w = world.households, world.workers
    worker = h.worker[households]
    arrangement = h.arrangement[households]
    going = world.market.hourly_rate[h.need[households], arrangement] * h.hours_week[households] * WEEKS_PER_MONTH
    wage = np.where(worker >= 0, w.wage_yuan[np.maximum(worker, 0)], going)
    return np.where((worker >= 0) & (arrangement == HOURLY), h.pay_yuan[households], wage).astype(np.float64)


def searchers_aware(world: World) -> float:
    """The share of searching workers who know of the laws in force: how likely a vacancy's future worker does."""
    w = world.workers
    searching = w.with_status(labour.SEARCHING)
    return float(np.mean(w.aware[searching])) if searching.size else 0.0


def _complaint_chance(world: World, households: np.ndarray) -> np.ndarray:
    """The chance a month each household's worker complains of a breach: she must know of the law.

    For a vacancy, the share of the searching workers who know of it (:func:`searchers_aware`).
    """
    w = world.workers
    worker = world.households.worker[households]
    aware = np.where(worker >= 0, w.aware[np.maximum(worker, 0)], searchers_aware(world))
    return world.params.compliance.complaint_rate * aware


def floor_shortfall(world: World, households: np.ndarray) -> np.ndarray:
    """How far each household's pay for its need falls below the floor in force for its hours (yuan a month, >= 0)."""
    h = world.households
    floor = wages.cash_floor(world, h.hours_week[households], h.arrangement[households])
    return np.maximum(floor - _pay(world, households), 0.0)


def chooses_floor(world: World, households: np.ndarray) -> np.ndarray:
    """Whether each household chooses to obey the wage floor in force: its shortfall is at most what breaking costs.

    What breaking costs a month: the chance of being found (inspection or complaint) times
    the fine and the back pay of the shortfall, plus the norm (:func:`norm_cost`).
    """
    lev, c = world.levers, world.params.compliance
    gap = floor_shortfall(world, households)
    found = lev.wage_floor_inspection_rate + _complaint_chance(world, households)
    penalty = found * (lev.wage_floor_fine_yuan + c.back_pay_months * gap) + norm_cost(world, households)
    return gap <= penalty


def hours_over(world: World, households: np.ndarray) -> np.ndarray:
    """The share of each household's pay that buys hours or days over the working-time limits (0 to 1)."""
    h, w, lev = world.households, world.workers, world.levers
    hours = h.hours_week[households].astype(np.float64)
    worker = h.worker[households]
    days = np.where(worker >= 0, w.days_week[np.maximum(worker, 0)], 7).astype(np.float64)
    over_hours = np.maximum(hours - lev.max_hours_week, 0.0) / np.maximum(hours, 1e-9)
    over_days = np.maximum(days - lev.max_days_week, 0.0) / np.maximum(days, 1.0)
    return np.where(h.arrangement[households] == HOURLY, 0.0, np.maximum(over_hours, over_days))


def chooses_working_time(world: World, households: np.ndarray) -> np.ndarray:
    """Whether each household chooses to obey the working-time law.

    It obeys when the pay of the hours over the limits is at most what breaking costs:
    the chance of being found times the fine, plus the norm.
    """
    lev = world.levers
    cost = hours_over(world, households) * _pay(world, households)
    found = lev.working_time_inspection_rate + _complaint_chance(world, households)
    return cost <= found * lev.working_time_fine_yuan + norm_cost(world, households)


def visited(world: World, employed: np.ndarray, stream: str, rate: float) -> np.ndarray:
    """Mask over ``employed``: jobs whose home an inspector visits this month for one law (counted)."""
    if rate <= 0.0 or employed.size == 0:
        return np.zeros(employed.size, dtype=bool)
    visited = world.streams.uniform(stream, world.month, employed) < rate
    world.flows.inspections += int(np.count_nonzero(visited))
    return visited


def complains(world: World, employed: np.ndarray, breach: np.ndarray, stream: str) -> np.ndarray:
    """Mask over ``employed``: workers who know of the law, in jobs that break it, who complain this month (counted)."""
    rate = world.params.compliance.complaint_rate
    candidates = breach & world.workers.aware[employed]
    if rate <= 0.0 or not candidates.any():
        return np.zeros(employed.size, dtype=bool)
    complains = candidates & (world.streams.uniform(stream, world.month, employed) < rate)
    n = int(np.count_nonzero(complains))
    world.flows.complaints += n
    world.flows.inspections += n  # each complaint is followed by an inspection
    return complains


def _detect_floor(world: World, employed: np.ndarray) -> None:
    """Inspections and complaints find jobs paid below the floor; the household pays a fine and back pay."""
    w, h = world.workers, world.households
    main = employed[(w.arrangement[employed] != HOURLY) & ~w.agency_employed[employed]]
    households = w.employer[main]
    breach = ~wages.floor_applies(world, households) & (floor_shortfall(world, households) > 0.0)
    found = (visited(world, main, "floor_inspection", world.levers.wage_floor_inspection_rate) & breach) \
        | complains(world, main, breach, "floor_complaint")
    if not found.any():
        return
    rows, homes = main[found], households[found]
    back = world.params.compliance.back_pay_months * floor_shortfall(world, homes)
    fine_households(world, homes, np.full(rows.size, world.levers.wage_floor_fine_yuan))
    w.savings_yuan[rows] += back
    paid = float(back.sum())
    world.accounts.households_yuan -= paid
    record_care(world, homes, back)
    f = world.flows
    f.back_pay_yuan += paid
    f.worker_pay_yuan += paid
    f.household_wages_yuan += paid
    h.ordered[homes] |= np.uint8(ORDERED_FLOOR)


def _detect_hours(world: World, employed: np.ndarray) -> None:
    """Inspections and complaints find jobs over the working-time limits; the household pays a fine."""
    w, h, lev = world.workers, world.households, world.levers
    main = employed[(w.arrangement[employed] != HOURLY) & ~w.agency_employed[employed]]
    households = w.employer[main]
    over = (w.hours_week[main] > lev.max_hours_week) | (w.days_week[main] > lev.max_days_week)
    breach = over & ~labour.observes_working_time(world, households)
    found = (visited(world, main, "hours_inspection", lev.working_time_inspection_rate) & breach) \
        | complains(world, main, breach, "hours_complaint")
    if not found.any():
        return
    homes = households[found]
    fine_households(world, homes, np.full(homes.size, lev.working_time_fine_yuan))
    h.ordered[homes] |= np.uint8(ORDERED_HOURS)


def fine_households(world: World, households: np.ndarray, amount: np.ndarray) -> None:
    """Fines households pay the state (counted with the month's fines).

    Households are one account (``world.accounts``), so ``households`` only says who was fined.
    """
    del households
    paid = float(np.sum(amount))
    f = world.flows
    f.fines_yuan += paid
    f.household_fines_yuan += paid
    world.accounts.households_yuan -= paid
    world.accounts.state_yuan += paid


# --- what the month's outputs read (model.core.metrics) ------------------------------------------------------------

MEASURES = (
    "minimum_wage_compliance", "contract_compliance", "fee_compliance", "law_awareness",
    "worker_debt_to_agencies", "inspections", "complaints",
)


def measure(world: World, employed: np.ndarray) -> dict[str, float]:
    """The month's compliance columns (the three compliance shares empty, ``nan``, while their law is not in force).

    - ``minimum_wage_compliance``: share of employed workers paid at least the floor in
      force for their hours, in cash (room and board meeting part of a live-in one's);
    - ``contract_compliance``: share of employed workers with a written contract, under a contract law;
    - ``fee_compliance``: share of this month's agency placements under a fee cap whose
      agency charged the worker no more than the cap;
    - ``law_awareness``: share of households with a need who know of the laws in force;
    - ``worker_debt_to_agencies``: what present workers still owe agencies for fees, to be
      deducted from wages or on fee loans with interest (yuan);
    - ``inspections`` and ``complaints``: counts this month.
    """
    w, h, f = world.workers, world.households, world.flows
    n = employed.size
    row = dict.fromkeys(MEASURES, 0.0)
    row.update(dict.fromkeys(("minimum_wage_compliance", "contract_compliance", "fee_compliance"), np.nan))
    if wages.floor_in_force(world) and n:
        floor = wages.cash_floor(world, w.hours_week[employed], w.arrangement[employed])
        row["minimum_wage_compliance"] = float(np.mean(w.wage_yuan[employed] >= floor - 0.01))
    if contract_law_in_force(world) and n:
        row["contract_compliance"] = float(np.mean(w.contract[employed]))
    if fee_law_in_force(world) and f.agency_placements:
        row["fee_compliance"] = 1.0 - f.overcharged_placements / f.agency_placements
    if laws_in_force(world):
        with_need = h.view("need") >= 0
        aware = np.count_nonzero(with_need & h.view("aware"))
        row["law_awareness"] = float(aware) / float(max(np.count_nonzero(with_need), 1))
    present = w.present
    row["worker_debt_to_agencies"] = float(np.sum(w.deduction_left_yuan[present], dtype=np.float64)
                                           + np.sum(w.loan_yuan[present]))
    row["inspections"] = f.inspections
    row["complaints"] = f.complaints
    return row
