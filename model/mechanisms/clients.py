"""Hourly work for several households: a worker's clients, the hourly round, and platforms.

A household that buys cleaning by the hour buys a few hours a week (``need_hours_week``);
the worker who does it serves several such households in a month. The first household
she works for is her main employer (``workers.employer``); every household she works for
points at her (``households.worker``) and holds what it pays her a month
(``households.pay_yuan``); her wage, hours and number of employers are their sums. When
one of them stops needing her she keeps the others (another becomes her main employer);
when her work ends (she quits, is dismissed, goes home) all of them post vacancies.

Hourly work is found in its own round each month, before the main hiring round (which
leaves hourly vacancies to it): an open hourly vacancy looks for a worker who already
works by the hour and has hours to spare (fewer than ``arrangements.max_clients``
households and room under ``arrangements.max_hours_week``), through a platform for the
households that search on one (``arrangements.platform_share``, drawn when the need
arises) at ``arrangements.platform_match_rate`` a month, directly (neighbours, her other
clients) at ``arrangements.direct_match_rate``; one that meets no such worker meets a
searching worker, who starts hourly work with it (a hire through the open market when
found on a platform, a referral otherwise). The pair agrees a wage as any other (her
minimum for the hours, the household's maximum, her share of the surplus, a floor in
force); a platform keeps ``arrangements.platform_commission_share`` of what the household
pays, so the household pays her wage over one less that share, and the most it would pay
her is that much lower.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.core import labour
from model.core.accounts import record_care
from model.core.labour import days_for, hourly_clients
from model.core.tables import EMPLOYED, HOURLY, OPEN, REFERRAL, SEARCHING
from model.mechanisms import contracts, hours, wages

if TYPE_CHECKING:
    from model.core.world import World


def drop(world: World, households: np.ndarray) -> None:
    """Hourly clients ``households`` stop needing their worker, who keeps her other clients.

    Her wage, hours, days and employers lose theirs; if one was her main employer,
    the client of lowest row among those left becomes it (and holds her job if she
    is away). Callers pass only households whose worker has at least one other client.
    """
    if households.size == 0:
        return
    w, h = world.workers, world.households
    worker = h.worker[households].astype(np.int64)
    np.subtract.at(w.wage_yuan, worker, h.pay_yuan[households])
    np.subtract.at(w.hours_week, worker, h.hours_week[households])
    np.subtract.at(w.employers, worker, 1)
    w.wage_yuan[worker] = np.maximum(w.wage_yuan[worker], 0.0)
    w.hours_week[worker] = np.maximum(w.hours_week[worker], 0.0)
    lost_main = worker[w.employer[worker] == households]
    h.worker[households] = -1
    h.hours_week[households] = h.need_hours_week[households]
    h.pay_yuan[households] = 0.0
    _promote(world, lost_main)
    w.days_week[np.unique(worker)] = days_for(w.hours_week[np.unique(worker)])


def _promote(world: World, workers: np.ndarray) -> None:
    """``workers`` lost their main employer but keep other clients: the one of lowest row becomes it.

    It also holds her job if she is away.
    """
    if workers.size == 0:
        return
    w, h = world.workers, world.households
    left = hourly_clients(world, np.unique(workers))
    first = np.full(w.n, np.iinfo(np.int64).max)
    np.minimum.at(first, h.worker[left].astype(np.int64), left)
    new_main = first[workers]
    away = w.held_by[workers] >= 0
    w.held_by[workers[away]] = new_main[away]
    w.employer[workers] = new_main


def apply_floor(world: World, workers: np.ndarray) -> np.ndarray:
    """Each client of the hourly ``workers`` that a floor binds chooses its hours, or stops; whose work ends.

    A client that observes a floor in force and pays her less than it asks for its
    hours chooses its hours as any household (:func:`model.mechanisms.hours.choose_hours`);
    one for which no hours are worth it stops. Her wage, hours, days and employers are
    summed again; a worker left with no client loses her work (True in the result).
    """
    w, h = world.workers, world.households
    ended = np.zeros(workers.size, dtype=bool)
    if not wages.floor_in_force(world):
        return ended
    served = hourly_clients(world, workers)
    cash = wages.cash_floor(world, h.hours_week[served], h.arrangement[served])
    bound = served[wages.floor_applies(world, served) & (h.pay_yuan[served] < cash)]
    if bound.size == 0:
        return ended
    r = h.worker[bound].astype(np.int64)
    need, now = h.need_hours_week[bound].astype(np.float64), h.hours_week[bound].astype(np.float64)
    job_type = w.job_type[r]
    fixed = (wages.commute_of(world, h.arrangement[bound], w.home_cell[r], h.cell[bound])
             + world.arrangements.worker_extra[job_type, HOURLY])
    keep = 1.0 - world.params.arrangements.platform_commission_share * h.platform[bound]
    most = wages.household_maximum(world, r, bound) * (need / now) * keep
    pay_full = (h.pay_yuan[bound] - fixed) * (need / now) + fixed
    worker_min = wages.reservation(world, r) * (need / world.types.hours_week[job_type])

    def floor_of(hours_week: np.ndarray) -> np.ndarray:
        return wages.cash_floor(world, hours_week, np.full(hours_week.shape, HOURLY))

    choice = hours.choose_hours(need, world.params.demand.care_value_markup * most, most, pay_full, worker_min,
                                fixed, world.types.hours_elasticity[job_type], floor_of)
    kept = bound[choice.keeps]
    h.pay_yuan[kept] = choice.wage[choice.keeps]
    h.hours_week[kept] = choice.hours[choice.keeps]
    stopped = bound[~choice.keeps]
    h.worker[stopped] = -1
    h.hours_week[stopped] = h.need_hours_week[stopped]
    h.pay_yuan[stopped] = 0.0
    affected = np.unique(r)
    left = hourly_clients(world, affected)
    owner = h.worker[left].astype(np.int64)
    count = np.bincount(owner, minlength=w.n)[affected]
    keeps = affected[count > 0]
    w.wage_yuan[keeps] = np.bincount(owner, weights=h.pay_yuan[left], minlength=w.n)[keeps]
    w.hours_week[keeps] = np.bincount(owner, weights=h.hours_week[left], minlength=w.n)[keeps]
    w.employers[keeps] = count[count > 0]
    w.days_week[keeps] = days_for(w.hours_week[keeps])
    _promote(world, keeps[h.worker[w.employer[keeps]] != keeps])
    return np.isin(workers, affected[count == 0])


def ending_needs(world: World, households: np.ndarray) -> np.ndarray:
    """Of the households whose need ends, those whose hourly worker keeps other clients: they are dropped here.

    Returns the households whose need ending ends their worker's job (her only client,
    or not hourly work): the caller separates those.
    """
    w, h = world.workers, world.households
    worker = h.worker[households]
    hourly = (worker >= 0) & (h.arrangement[households] == HOURLY)
    if not hourly.any():
        return households
    ending = households[hourly]
    served = worker[hourly].astype(np.int64)
    # A worker whose every client's need ends this month loses her job; the others keep theirs.
    leaving = np.bincount(served, minlength=w.n)[served]
    keeps_some = w.employers[served] > leaving
    drop(world, ending[keeps_some])
    # A worker who loses every client loses her job once: through her main employer's ending.
    main = ~keeps_some & (w.employer[served] == ending)
    return np.concatenate((households[~hourly], ending[main]))


def match(world: World, rate_scale: float = 1.0) -> int:
    """The hourly round: open hourly vacancies find a worker, one already in hourly work with hours free if any.

    Each vacancy looks this month with its match rate (a platform's or the direct
    one, times ``rate_scale``: set-up runs rounds at full speed) and meets one worker of
    its job type at random among those in hourly work with hours to spare; a vacancy
    that meets none (or whose worker takes another household this round) meets a
    searching worker instead, who starts hourly work with it. A worker takes one new
    household a round. Returns how many households found a worker.
    """
    w, h, a = world.workers, world.households, world.params.arrangements
    vacancies = h.hourly[(h.need[h.hourly] >= 0) & (h.worker[h.hourly] < 0)]
    if vacancies.size == 0:
        return 0
    month, streams = world.month, world.streams
    rate = np.where(h.platform[vacancies], a.platform_match_rate, a.direct_match_rate) * rate_scale
    looking = vacancies[streams.uniform("hourly_round", month, vacancies) < rate]
    employed = w.with_status(EMPLOYED)
    free = employed[(w.arrangement[employed] == HOURLY) & (w.employers[employed] < a.max_clients)
                    & (w.hours_week[employed] < a.max_hours_week)]
    added = _meet(world, looking, free, "hourly_pick")
    taken = np.zeros(h.n, dtype=bool)
    taken[added] = True
    left = looking[~taken[looking]]
    searching = w.with_status(SEARCHING)
    searching = searching[w.training_left[searching] == 0]
    started = _meet(world, left, searching, "hourly_start")
    world.flows.hourly_starts += int(started.size)
    return int(added.size + started.size)


def _meet(world: World, looking: np.ndarray, pool: np.ndarray, stream: str) -> np.ndarray:
    """Households ``looking`` each meet a worker of their type from ``pool``; those that agree start; returns them."""
    w, h = world.workers, world.households
    if looking.size == 0 or pool.size == 0:
        return np.zeros(0, dtype=np.int64)
    month, streams = world.month, world.streams
    need = h.need[looking]
    pick = streams.uniform(stream, month, looking)
    met = np.full(looking.size, -1, dtype=np.int64)
    for k in np.unique(need):
        mine = need == k
        of_type = pool[w.job_type[pool] == k]
        if of_type.size:
            met[mine] = of_type[np.minimum((pick[mine] * of_type.size).astype(np.int64), of_type.size - 1)]
    found = met >= 0
    looking, met = looking[found], met[found]
    order = np.argsort(streams.uniform(f"{stream}_order", month, looking), kind="stable")
    _, first = np.unique(met[order], return_index=True)
    chosen = np.sort(order[first])
    households, workers = looking[chosen], met[chosen]
    fits = w.hours_week[workers] + h.need_hours_week[households] <= world.params.arrangements.max_hours_week
    households, workers = households[fits], workers[fits]
    wage, ok = terms(world, workers, households)
    households, workers, wage = households[ok], workers[ok], wage[ok]
    new = w.status[workers] == SEARCHING
    if new.any():
        starting, homes = workers[new], households[new]
        channel = np.where(h.platform[homes], OPEN, REFERRAL).astype(np.int8)
        labour.hire(world, starting, homes, channel, np.full(starting.size, -1, dtype=np.int32), wage[new])
        contracts.decide(world, starting, "hire")
    take_on(world, workers[~new], households[~new], wage[~new])
    return households


def terms(world: World, workers: np.ndarray, households: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The wage a month each pair agrees for the household's hours, and whether the job is made.

    As any bargain (:func:`wages.bargain`), with the household's maximum less the
    platform's share where it hired through one.
    """
    h = world.households
    lo = wages.worker_minimum(world, workers, households)
    keep = 1.0 - world.params.arrangements.platform_commission_share * h.platform[households]
    hi = wages.household_maximum(world, workers, households) * keep
    eb = np.zeros(workers.size, dtype=bool)
    floor = wages.legal_floor(world, households, eb)
    wage = wages.bargained_wage(lo, hi, wages.bargaining_share(world, world.workers.job_type[workers]), floor)
    return wage, hi >= np.maximum(lo, floor)


def take_on(world: World, workers: np.ndarray, households: np.ndarray, wage: np.ndarray) -> None:
    """``workers`` (each at most once) take on ``households`` as new hourly clients at ``wage`` a month."""
    w, h = world.workers, world.households
    h.worker[households] = workers
    h.vacancy_months[households] = 0
    h.hours_week[households] = h.need_hours_week[households]
    h.pay_yuan[households] = wage
    w.wage_yuan[workers] += wage.astype(np.float32)
    w.hours_week[workers] += h.need_hours_week[households]
    w.employers[workers] += 1
    w.days_week[workers] = days_for(w.hours_week[workers])
    world.flows.client_hires += int(workers.size)


def pay_platforms(world: World) -> None:
    """Households that hired through a platform pay it its share on what they paid their worker this month.

    A household pays ``c / (1 - c)`` of its worker's pay for the month (``c`` the
    platform's share); nothing in a month her wages went unpaid.
    """
    w, h = world.workers, world.households
    served = h.hourly[(h.worker[h.hourly] >= 0) & h.platform[h.hourly]]
    if served.size == 0:
        return
    r = h.worker[served]
    paid = (w.status[r] == EMPLOYED) & ~w.arrears_now[r]
    c = world.params.arrangements.platform_commission_share
    commission = float(np.sum(h.pay_yuan[served[paid]].astype(np.float64)) * (c / (1.0 - c)))
    world.accounts.households_yuan -= commission
    record_care(world, served[paid], h.pay_yuan[served[paid]].astype(np.float64) * (c / (1.0 - c)))
    world.accounts.platforms_yuan += commission
    world.flows.platform_commissions_yuan += commission
