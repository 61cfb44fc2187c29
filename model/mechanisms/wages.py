"""Wages: bargained at hire and at the yearly review, floored by an enforced minimum wage, paid each month.

At hire the wage splits the surplus between the worker's reservation wage (plus
commuting for live-out work) and what the household would pay for her
(willingness to pay times her productivity). Prices adjust: her reservation
wage falls with every month she searches (down to a floor) and when her savings
run low; a household's offer rises the longer its vacancy stays open. Her share
of the surplus rises with market tightness, vacancies per searcher of her job
type, so a month in which many workers are away (Spring Festival) raises the
wages of new hires even without holiday pay. At the yearly review of a job the
wage is bargained again at the market's current tightness.

Under ``wages.regime: posting`` households post wages instead (a monopsony with
search frictions, in the Burdett-Mortensen family): each household with a
vacancy posts the wage per unit of productivity that maximizes its expected
gain, (what it would pay at most - the wage) x the share of this month's
searchers of the job type who would accept it; a worker takes the job when the
posted wage times her productivity covers her minimum. The posted wage is marked
down below what the household would pay, so a minimum wage a little above it
draws more acceptances and raises employment, and a higher one prices households
out. A covered minimum
wage is a floor for employers who comply. Each month wages are paid, or fall into
arrears; festival days worked are paid at a premium; agency fees may be deducted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.core import accounts
from model.core.costs import commute_yuan, commute_yuan_one, commutes_one, rent_yuan, rent_yuan_one
from model.core.jit import PAIRWISE_BLOCK, block_sum, columns, kernel, nmax, nmin, pairwise_plan
from model.core.rng import uniform_at
from model.core.tables import (
    EMPLOYED,
    HOURLY,
    N_ARRANGEMENTS,
    N_JOB_TYPES,
    ORDERED_FLOOR,
    SEARCHING,
    WEEKS_PER_MONTH,
    HouseholdTable,
    WorkerTable,
)
from model.mechanisms import hours
from model.mechanisms.agencies import employee_based_charge

if TYPE_CHECKING:
    from model.core.world import World



def productivity(world: World, workers: np.ndarray) -> np.ndarray:
    """Her value to a household relative to an average worker."""
    w = world.workers
    premium = world.params.training.premium
    years = np.minimum(w.experience_months[workers], 120.0) / 12.0
    experience = 1.0 + world.params.market.experience_premium * years
    return w.skill[workers] * (1.0 + premium * w.certified[workers]) * experience


def reservation(world: World, workers: np.ndarray) -> np.ndarray:
    """Her reservation wage now: lower after months of searching and when her savings run low.

    Never below the income she would have at home (``migration.rural_income_yuan``).
    """
    m = world.params.market
    w = world.workers
    base = w.reservation_yuan[workers].astype(np.float64)
    months = np.minimum(w.months_searching[workers].astype(np.float64), 120.0)
    searched = np.maximum((1.0 - m.reservation_decay) ** months, m.reservation_floor_share)
    savings = np.maximum(w.savings_yuan[workers].astype(np.float64), 0.0)
    pressed = 1.0 - m.reservation_savings_discount * m.reservation_savings_half_yuan / (
        savings + m.reservation_savings_half_yuan)
    return np.maximum(base * searched * pressed, world.params.migration.rural_income_yuan)


def worker_minimum(world: World, workers: np.ndarray, households: np.ndarray,
                   hours_week: np.ndarray | None = None) -> np.ndarray:
    """Lowest wage she accepts for this job: her reservation for its hours, plus commuting unless she lives in.

    Her reservation wage is for the usual hours of her job type; a job of other hours
    asks for it in proportion (she can sell the hours she does not work here elsewhere).
    A job in another arrangement than her type's own asks for what that costs her more
    (rent when she no longer lives in, time of her own when she does:
    ``arrangements.worker_cost_yuan``; ``ArrangementTerms.worker_extra``). ``hours_week``:
    the hours a week asked of her, if not those the household buys now (float32).
    """
    w, h = world.workers, world.households
    arrangement = h.arrangement[households]
    commute = commute_of(world, arrangement, w.home_cell[workers], h.cell[households])
    extra = world.arrangements.worker_extra[w.job_type[workers], arrangement]
    hours = h.hours_week[households] if hours_week is None else hours_week
    return reservation(world, workers) * hours_factor(world, workers, hours) + commute + extra


def hours_factor(world: World, workers: np.ndarray, hours_week: np.ndarray) -> np.ndarray:
    """The job's hours a week over her job type's usual hours (float32; exactly 1 when they are the same)."""
    return hours_week / world.types.hours_week[world.workers.job_type[workers]]


def commute_of(world: World, arrangement: np.ndarray, home_cell: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Monthly cost of commuting from ``home_cell`` to a job in ``cell`` of ``arrangement`` (none if live-in)."""
    km = world.city.distance_km(home_cell, cell)
    return commute_yuan(world.params.city.commute_cost_yuan_per_km, km, arrangement)


def offer_factor(world: World, households: np.ndarray) -> np.ndarray:
    """How much more a household offers the longer its vacancy has stayed open, less what a law costs it.

    A contract law costs an employer whether it obeys or not (the contract and the
    contributions, or the expected fine and the norm): that share of what it would pay
    (``households.law_cost_share``, :func:`model.mechanisms.compliance.contract_law_cost`)
    comes off its maximum, so the bargain shares the cost between the two sides.
    """
    h, m = world.households, world.params.market
    months_open = np.maximum(h.vacancy_months[households].astype(np.float64) - 1.0, 0.0)
    rise = 1.0 + m.offer_rise_per_month * np.minimum(months_open, m.offer_rise_months_max)
    return rise * (1.0 - h.law_cost_share[households].astype(np.float64))


def household_maximum(world: World, workers: np.ndarray, households: np.ndarray) -> np.ndarray:
    """Most the household pays her (willingness to pay, raised by a vacancy's months open), for the job's hours.

    Its willingness to pay is for all the hours its need asks for; a job of fewer hours
    (cut when a floor bound it) is worth as much less to it in a bargain.
    """
    h = world.households
    share = h.hours_week[households] / h.need_hours_week[households]
    return h.wtp_yuan[households] * offer_factor(world, households) * productivity(world, workers) * share


def bargaining_share(world: World, job_type: np.ndarray) -> np.ndarray:
    """Her share of the surplus: the base share at tightness 1, more when tight (:func:`surplus_share`)."""
    m = world.params.market
    beta = m.bargaining_power
    if beta <= 0.0 or beta >= 1.0:
        return np.full(job_type.size, beta)
    theta = np.maximum(world.market.tightness[job_type], 1e-3) ** m.tightness_elasticity
    return surplus_share(beta, theta)


def surplus_share(beta: float, theta: np.ndarray) -> np.ndarray:
    """Her share of the surplus given the base share ``beta`` and tightness ``theta`` (raised to its elasticity).

    ``beta theta / (beta theta + 1 - beta)``: ``beta`` when there is one vacancy per searcher
    of her job type, toward 1 when vacancies outnumber searchers, toward 0 when searchers
    outnumber vacancies. The same source, compiled, is the kernels' (:func:`_surplus_share_one`).

    Args:
        beta: ``market.bargaining_power``, strictly between 0 and 1.
        theta: tightness (vacancies per searcher) of her job type, at least 1e-3, to ``market.tightness_elasticity``.

    Returns:
        Her share, between 0 and 1.
    """
    return beta * theta / (beta * theta + (1.0 - beta))


def bargained_wage(lo: np.ndarray, hi: np.ndarray, share: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """The bargained wage: her minimum plus her share of the surplus, or the legal floor if higher.

    The surplus is what the household would pay at most less what she accepts at least
    (nothing when that is negative). This is the one statement of the bargain: hiring
    (:func:`bargain`, :meth:`Terms.wage`) calls it, and the yearly review's kernel
    (:func:`_renegotiated`) follows it step for step.

    Args:
        lo: her minimum (:func:`worker_minimum`).
        hi: the household's maximum (:func:`household_maximum`).
        share: her share of the surplus (:func:`bargaining_share`).
        floor: the legal floor of the job (:func:`legal_floor`).

    Returns:
        The agreed monthly wage (float64).
    """
    return np.maximum(lo + share * np.maximum(hi - lo, 0.0), floor)


def floor_applies(world: World, households: np.ndarray) -> np.ndarray:
    """Whether the household complies with a minimum wage in force.

    Those made to (``law_abiding`` below the enforcement, or ordered by an inspector) and
    those that chose to this month (:func:`model.mechanisms.compliance.update`).
    """
    h = world.households
    return (h.observes_floor[households] | (h.law_abiding[households] < world.levers.wage_floor_enforcement)
            | ((h.ordered[households] & ORDERED_FLOOR) != 0))


def floor_in_force(world: World) -> bool:
    """Whether a policy extends a minimum wage, hourly or monthly, to domestic work this month."""
    lev = world.levers
    return lev.wage_floor_hourly_yuan > 0 or lev.wage_floor_monthly_yuan > 0


def policy_floor(world: World, hours_week: np.ndarray) -> np.ndarray:
    """The floor a policy in force sets for jobs of ``hours_week`` (:func:`model.mechanisms.hours.floor_for_hours`)."""
    lev = world.levers
    return hours.floor_for_hours(hours_week, lev.wage_floor_hourly_yuan, lev.wage_floor_monthly_yuan,
                                 world.params.standards.full_time_hours_week)


def cash_floor(world: World, hours_week: np.ndarray, arrangement: np.ndarray) -> np.ndarray:
    """The cash a policy floor asks for jobs of ``hours_week``; room and board meet part of a live-in one."""
    floor = policy_floor(world, hours_week)
    in_kind = world.arrangements.in_kind_yuan[arrangement]
    return floor - hours.in_kind_credit(floor, in_kind, world.levers.wage_floor_in_kind_share)


def posting(world: World) -> bool:
    """Whether households post wages (else wages are bargained)."""
    return world.params.wages.regime == "posting"


def post(world: World, searchers: np.ndarray, vacancies: np.ndarray,
         ask: np.ndarray | None = None) -> None:
    """Each household with a vacancy posts the wage per unit of productivity that maximizes its expected gain.

    Its expected gain at posted wage ``x`` is ``(v - x) F(x)``: ``v`` what it would pay at
    most, ``F(x)`` the share of this month's searchers of the job type whose minimum per
    unit of productivity (reservation wage, commuting left out) is at most ``x``.
    Candidate wages are quantiles of those asks; a compliant household never posts
    below a floor in force. ``ask``: the searchers' asks when the caller has them.
    """
    h, w = world.households, world.workers
    if vacancies.size == 0:
        return
    job = h.need[vacancies].astype(np.int64)
    value = h.wtp_yuan[vacancies] * offer_factor(world, vacancies)
    floor = cash_floor(world, h.need_hours_week[vacancies], h.arrangement[vacancies]) * floor_applies(world, vacancies)
    posted = np.zeros(vacancies.size)
    if ask is None:
        ask = reservation(world, searchers) / productivity(world, searchers)
    levels = np.linspace(0.0, 1.0, world.params.wages.posting_grid)
    for k in np.unique(job):
        rows = np.flatnonzero(job == k)
        asks = np.sort(ask[w.job_type[searchers] == k])
        if asks.size == 0:
            posted[rows] = np.maximum(floor[rows], 0.0)
            continue
        grid = np.quantile(asks, levels)
        candidates = np.maximum(grid[None, :], floor[rows, None])
        accept = np.searchsorted(asks, candidates, side="right") / asks.size
        gain = (value[rows, None] - candidates) * accept
        best = np.argmax(gain, axis=1)
        chosen = candidates[np.arange(rows.size), best]
        # A household nobody would work for at a wage it can pay posts its most; it will not hire.
        posted[rows] = np.where(gain[np.arange(rows.size), best] > 0, chosen, np.minimum(chosen, value[rows]))
    h.posted_wage_yuan[vacancies] = posted


def offer_per_unit(world: World, households: np.ndarray) -> np.ndarray:
    """What a household offers per unit of productivity: its maximum when bargaining, its posted wage when posting."""
    h = world.households
    if posting(world):
        return h.posted_wage_yuan[households].astype(np.float64)
    return h.wtp_yuan[households] * offer_factor(world, households)


def bargain(world: World, workers: np.ndarray, households: np.ndarray,
            employee_based: np.ndarray) -> np.ndarray:
    """Agreed monthly wage of new jobs (bargained, or the posted wage), floored where a minimum wage applies."""
    job_type = world.workers.job_type[workers]
    floor = legal_floor(world, households, employee_based)
    if posting(world):
        return _posted_wage(world.households.posted_wage_yuan[households], productivity(world, workers), floor)
    lo = worker_minimum(world, workers, households)
    hi = household_maximum(world, workers, households)
    wage = _bargained_wage(world, job_type, lo, hi, floor)
    if floor_in_force(world):
        h = world.households
        ignores = ~floor_applies(world, households) & ~employee_based
        cash = cash_floor(world, h.hours_week[households], h.arrangement[households])
        wage = np.where(ignores, pulled_wage(wage, hi, cash, world.levers.wage_floor_reference_pull), wage)
    return wage


def pulled_wage(wage: np.ndarray, hi: np.ndarray, floor: np.ndarray, pull: float) -> np.ndarray:
    """The wage an employer who ignores a floor agrees: ``pull`` of the way from ``wage`` to the floor, at most ``hi``.

    The floor as a reference in bargaining: a wage already at or above it, or above what
    the employer would pay, stays where it is.
    """
    return np.maximum(wage, np.minimum(hi, wage + pull * np.maximum(floor - wage, 0.0)))


def _posted_wage(posted: np.ndarray, productivity: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """The posted wage per unit of productivity times hers, or the floor if higher."""
    return np.maximum(posted * productivity, floor)



def _bargained_wage(world: World, job_type: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                    floor: np.ndarray) -> np.ndarray:
    """:func:`bargained_wage` at her job type's share of the surplus."""
    return bargained_wage(lo, hi, bargaining_share(world, job_type), floor)


def legal_floor(world: World, households: np.ndarray, employee_based: np.ndarray) -> np.ndarray:
    """The floor each job of ``households`` pays at least, in cash, for the hours it buys.

    Employee-based agencies are employers under the Labour Law: they always pay
    the city's statutory monthly minimum (``standards.minimum_wage_monthly``, pro-rated
    below full-time hours), and the domestic-work floor when a policy extends one.
    Households pay the floor only when covered and compliant, room and board meeting
    part of a live-in job's (:func:`cash_floor`).
    """
    h = world.households
    return _floor(world, h.hours_week[households], h.arrangement[households], floor_applies(world, households),
                  employee_based)


def _floor(world: World, hours_week: np.ndarray, arrangement: np.ndarray, complies: np.ndarray,
           employee_based: np.ndarray) -> np.ndarray:
    """:func:`legal_floor` given the jobs' hours and arrangements and whether each household complies."""
    covered = cash_floor(world, hours_week, arrangement) * complies
    s = world.params.standards
    statutory = s.minimum_wage_monthly * np.minimum(np.asarray(hours_week, np.float64) / s.full_time_hours_week, 1.0)
    eb_floor = np.maximum(statutory, policy_floor(world, hours_week))
    return np.where(employee_based, eb_floor, covered)


@dataclass
class Terms:
    """The terms of candidate jobs (pairs of a searcher and a vacancy), computed once a pair.

    ``lo`` her minimum, ``hi`` the household's maximum, ``floor`` the legal floor;
    under wage posting ``posted`` is the wage it would pay (posted, or the floor).
    ``hours``: the hours a week of each job. Where a floor binds a complying household,
    it chose them (``chosen``), with the wage ``chosen_wage`` and whether it hires at
    all (``keeps``; :func:`model.mechanisms.hours.choose_hours`).
    """

    lo: np.ndarray
    hi: np.ndarray
    floor: np.ndarray
    posted: np.ndarray | None
    hours: np.ndarray
    chosen: np.ndarray | None = None
    chosen_wage: np.ndarray | None = None
    keeps: np.ndarray | None = None
    worth_ok: np.ndarray | None = None  # where a working-time law cut the hours: the care left is worth the pay

    def acceptable(self) -> np.ndarray:
        """A job happens when the household's maximum covers her minimum and any floor that binds it.

        Under wage posting, also when the wage it would pay covers her minimum. Where a
        floor binds a complying household, when some hours are worth their cost to it
        and the wage for them covers her minimum.
        """
        ok = self.hi >= np.maximum(self.lo, self.floor)
        if self.posted is not None:
            ok &= self.posted >= self.lo
        if self.chosen is not None:
            ok = np.where(self.chosen, self.keeps, ok)
        if self.worth_ok is not None:
            ok &= self.worth_ok
        return ok

    def surplus(self) -> np.ndarray:
        """How she ranks offers: what the job pays her (posting) or could pay her above her minimum."""
        if self.posted is not None:  # she takes the best-paid offer
            return self.posted - self.lo
        return self.hi - self.lo

    def take(self, index: np.ndarray) -> Terms:
        """The terms of the pairs at ``index``."""

        def part(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else values[index]

        return Terms(self.lo[index], self.hi[index], self.floor[index], part(self.posted), self.hours[index],
                     part(self.chosen), part(self.chosen_wage), part(self.keeps), part(self.worth_ok))

    def wage(self, world: World, job_type: np.ndarray) -> np.ndarray:
        """Agreed monthly wage of the jobs (as :func:`bargain`), given her job type; where hours were chosen, theirs."""
        wage = self.posted if self.posted is not None else _bargained_wage(world, job_type, self.lo, self.hi,
                                                                           self.floor)
        if self.chosen is not None:
            wage = np.where(self.chosen, self.chosen_wage, wage)
        return wage


class RoundPrices:
    """What each searcher asks and each vacancy offers in one hiring round, computed once.

    Under wage posting, households with a vacancy post their wages first (:func:`post`).
    Pair quantities (:meth:`terms`) take positions in ``searchers`` and ``vacancies``,
    and equal what :func:`worker_minimum`, :func:`household_maximum`, :func:`legal_floor`
    and :func:`bargain` give for the same pairs, to the bit. Computing them once a round,
    instead of in each of the round's steps, cut the numpy calls of a hiring round by ~40%.
    """

    def __init__(self, world: World, searchers: np.ndarray, vacancies: np.ndarray) -> None:
        w, h = world.workers, world.households
        self.world = world
        self.job_type = w.job_type[searchers]
        self.home_cell = w.home_cell[searchers]
        self.productivity = productivity(world, searchers)
        self.reservation = reservation(world, searchers)
        self.ask = self.reservation / self.productivity  # per unit of productivity, commuting left out
        self.need = h.need[vacancies]
        self.arrangement = h.arrangement[vacancies]
        self.need_hours = h.need_hours_week[vacancies]  # a vacancy asks for all its need's hours...
        self.hours = hours.hours_allowed(world, vacancies, self.need_hours)  # ...but those a law allows
        self.cell = h.cell[vacancies]
        self.value = h.wtp_yuan[vacancies] * offer_factor(world, vacancies)  # its maximum per unit
        self.complies = floor_applies(world, vacancies)
        self.posted = None
        if posting(world):
            post(world, searchers, vacancies, ask=self.ask)
            self.posted = h.posted_wage_yuan[vacancies]

    def offer_per_unit(self, j: np.ndarray) -> np.ndarray:
        """As :func:`offer_per_unit` for vacancies ``j``."""
        if self.posted is not None:
            return self.posted[j].astype(np.float64)
        return self.value[j]

    def terms(self, i: np.ndarray, j: np.ndarray, employee_based: np.ndarray) -> Terms:
        """Terms of the jobs of searchers ``i`` at vacancies ``j`` (employee-based: the agency employs her)."""
        world, job_type = self.world, self.job_type[i]
        commute = commute_of(world, self.arrangement[j], self.home_cell[i], self.cell[j])
        extra = world.arrangements.worker_extra[job_type, self.arrangement[j]]
        lo = self.reservation[i] * (self.hours[j] / world.types.hours_week[job_type]) + commute + extra
        hi = self.value[j] * self.productivity[i] * (self.hours[j] / self.need_hours[j])
        floor = _floor(world, self.hours[j], self.arrangement[j], self.complies[j], employee_based)
        posted = None if self.posted is None else _posted_wage(self.posted[j], self.productivity[i], floor)
        terms = Terms(lo, hi, floor, posted, self.hours[j])
        if floor_in_force(world):
            free = posted if posted is not None else bargained_wage(lo, hi, bargaining_share(world, job_type), 0.0)
            binding = self.complies[j] & ~employee_based & (free < floor)
            choose_where(world, terms, np.flatnonzero(binding), job_type, self.arrangement[j], commute, extra, free)
            # Households that ignore the floor take it as a reference (pulled_wage).
            ignores = np.flatnonzero(~self.complies[j] & ~employee_based)
            cash = cash_floor(world, self.hours[j][ignores], self.arrangement[j][ignores])
            wage = pulled_wage(free[ignores], hi[ignores], cash, world.levers.wage_floor_reference_pull)
            terms.keeps[ignores] = terms.acceptable()[ignores]
            terms.chosen[ignores] = True
            terms.chosen_wage[ignores] = wage
        capped = np.flatnonzero(self.hours[j] < self.need_hours[j])
        if capped.size:  # a working-time law cut its hours: hire only if what is left is worth the pay
            need = self.need_hours[j][capped].astype(np.float64)
            most = hi[capped] * (need / self.hours[j][capped])
            worth = hours.care_value(self.hours[j][capped], need, world.params.demand.care_value_markup * most,
                                     most / (need * WEEKS_PER_MONTH), world.types.hours_elasticity[job_type[capped]])
            terms.worth_ok = np.ones(lo.size, dtype=bool)
            terms.worth_ok[capped] = worth >= terms.wage(world, job_type)[capped]
        return terms


def choose_where(world: World, terms: Terms, pairs: np.ndarray, job_type: np.ndarray, arrangement: np.ndarray,
                 commute: np.ndarray, extra: np.ndarray, free: np.ndarray) -> None:
    """Households of ``pairs`` (positions in ``terms``) that a floor binds choose their hours (:mod:`hours`).

    ``free``: the wage each pair would agree without the floor, for the need's hours;
    ``extra``: what the arrangement costs her more a month (counted, like commuting, whatever the hours).
    """
    n = terms.lo.size
    terms.chosen = np.zeros(n, dtype=bool)
    terms.chosen_wage = np.zeros(n)
    terms.keeps = np.zeros(n, dtype=bool)
    if pairs.size == 0:
        return
    kind = arrangement[pairs]

    def floor_of(hours_week: np.ndarray) -> np.ndarray:
        return cash_floor(world, hours_week, np.broadcast_to(kind[:, None], hours_week.shape))

    hi, fixed = terms.hi[pairs], commute[pairs] + extra[pairs]
    choice = hours.choose_hours(terms.hours[pairs].astype(np.float64), world.params.demand.care_value_markup * hi, hi,
                                free[pairs], terms.lo[pairs] - fixed, fixed,
                                world.types.hours_elasticity[job_type[pairs]], floor_of)
    terms.chosen[pairs] = True
    terms.chosen_wage[pairs] = choice.wage
    terms.keeps[pairs] = choice.keeps
    terms.hours = terms.hours.copy()
    terms.hours[pairs] = choice.hours


def renegotiate(world: World, workers: np.ndarray) -> None:
    """The yearly review: employed ``workers`` bargain their wage again at this month's tightness.

    The wage :func:`bargain` gives (her minimum plus her share of the surplus, or the
    floor) with the household she works for, set by the kernel :func:`_renegotiated`.
    Posted wages are not renegotiated, nor hourly work (what each client pays is agreed
    when it takes her on).
    """
    if workers.size == 0 or posting(world):
        return
    w, h, p = world.workers, world.households, world.params
    m = p.market
    rows = np.asarray(workers, dtype=np.int64)
    rows = rows[w.arrangement[rows] != HOURLY]  # an hourly worker's pay is her clients', each agreed at hire
    dx, dy = _commute_offsets(rows, w.arrangement, w.employer, w.home_cell, h.cell, world.city.x_km, world.city.y_km)
    km = np.hypot(dx, dy)  # numpy's hypot, as City.distance_km
    theta = np.maximum(world.market.tightness, 1e-3) ** m.tightness_elasticity  # numpy's power, by job type
    _renegotiated(rows, km, theta, _floor_terms(world), columns(w, Bargainers), columns(h, Employers),
                  _bargain_terms(world), w.wage_yuan)


def _floor_terms(world: World) -> tuple:
    """:class:`FloorTerms` for :func:`_renegotiated`: its fields, in order, as a plain tuple."""
    lev, s = world.levers, world.params.standards
    pull = float(lev.wage_floor_reference_pull) if floor_in_force(world) else 0.0
    return (float(lev.wage_floor_hourly_yuan), float(lev.wage_floor_monthly_yuan), s.full_time_hours_week,
            float(lev.wage_floor_in_kind_share), world.arrangements.in_kind_yuan, world.types.hours_week,
            world.arrangements.worker_extra, pull)


def _bargain_terms(world: World) -> tuple:
    """:class:`BargainTerms` for :func:`_renegotiated`: its fields, in order, as a plain tuple.

    Built positionally (a NamedTuple built by keyword cost about 1 us a call);
    tests/mechanisms/test_wages.py checks each field by name.
    """
    p, lev = world.params, world.levers
    m = p.market
    return (_search_decay(1.0 - m.reservation_decay), m.reservation_floor_share,
            m.reservation_savings_discount * m.reservation_savings_half_yuan, m.reservation_savings_half_yuan,
            p.migration.rural_income_yuan, p.city.commute_cost_yuan_per_km, m.offer_rise_per_month,
            float(m.offer_rise_months_max), np.float32(m.experience_premium), p.training.premium,
            m.bargaining_power, np.float32(lev.wage_floor_enforcement), p.standards.minimum_wage_monthly)


# --- the month's pay, as numpy rules (the kernels below follow them, the tests hold them equal) -------------------

def wages_paid(world: World, employed: np.ndarray, u_arrears: np.ndarray, u_repay: np.ndarray) -> RowPay:
    """The month's pay of each employed worker, and the social insurance contributions of her job.

    A wage falls into arrears with a chance, ``market.arrears_rate_formal`` under a contract
    or with an employee-based agency, else ``market.arrears_rate_informal``: she is paid
    nothing this month and the wage is owed to her. Owed wages come back with a wage paid,
    with chance ``market.arrears_repay_rate``. A wage paid is the agreed wage times this
    month's holiday pay factor. An agency that placed her deducts what is left of its fee,
    at most ``agencies.max_deduction_share`` of her pay. An insured job (not self-insured)
    whose wage was paid owes contributions (:func:`contracts.contribution_yuan`): the state
    subsidises ``insurance_subsidy_share`` of them, the employer pays
    ``contracts.employer_contribution_share`` of the rest and she the remainder, at most
    what she was paid. The kernel :func:`_pay_rows` follows this step for step.

    Args:
        world: the city this month; the columns ``wages_owed_yuan``, ``deduction_left_yuan``,
            ``arrears_now`` and ``paid_yuan`` of ``employed`` are updated.
        employed: rows of employed workers.
        u_arrears: their draws of the stream ``arrears`` (this month).
        u_repay: their draws of the stream ``arrears_repaid``.

    Returns:
        Gross pay, pay after deductions, deductions and the contributions, one a worker.
    """
    w, p, c = world.workers, world.params, world.params.contracts
    formal = w.contract[employed] | w.agency_employed[employed]
    unpaid = u_arrears < np.where(formal, p.market.arrears_rate_formal, p.market.arrears_rate_informal)
    w.arrears_now[employed[unpaid]] = True
    paid = np.where(unpaid, 0.0, w.wage_yuan[employed].astype(np.float64) * world.festival_pay_factor)
    w.wages_owed_yuan[employed[unpaid]] += w.wage_yuan[employed[unpaid]]
    owed = w.wages_owed_yuan[employed]
    repaid = (~unpaid) & (owed > 0) & (u_repay < p.market.arrears_repay_rate)
    paid += np.where(repaid, owed, 0.0)
    w.wages_owed_yuan[employed[repaid]] = 0.0
    gross = paid
    deduction = np.minimum(w.deduction_left_yuan[employed], p.agencies.max_deduction_share * gross)
    paid = gross - deduction
    w.deduction_left_yuan[employed] -= deduction
    w.paid_yuan[employed] = paid
    insured = w.insured[employed] & ~w.self_insured[employed] & (gross > 0)
    total = np.where(insured, c.contribution_rate * np.maximum(w.wage_yuan[employed].astype(np.float64),
                                                               c.contribution_base_min_yuan), 0.0)
    subsidy = world.levers.insurance_subsidy_share * total
    employer = c.employer_contribution_share * (total - subsidy)
    worker = np.minimum(total - subsidy - employer, w.paid_yuan[employed])
    return RowPay(gross=gross, paid=paid, deduction=deduction, total=total, subsidy=subsidy, employer=employer,
                  worker=worker)


def budgets(world: World, rows: np.ndarray, income: np.ndarray, savings: np.ndarray,
            debt: np.ndarray) -> Budget:
    """One month's budget of each of ``rows``: she pays her living costs, saves or borrows, and sends money home.

    Living in the city costs ``migration.living_cost_yuan``, plus rent when she pays rent
    (:func:`model.core.costs.rent_yuan`: unless she lives in, and while searching), plus
    ``hukou.extra_living_cost_yuan`` times the hukou gap without local hukou. What she
    lacks she borrows from kin; she sends ``migration.remittance_share`` of what is left
    of her income home, which repays her kin first. The kernel :func:`_budgets` follows
    this step for step.

    Args:
        world: the city this month.
        rows: the workers (employed, or searching).
        income: their income this month, after deductions and contributions (0 for searchers).
        savings: the savings column (all rows), updated in place.
        debt: the debt-to-kin column (all rows), updated in place.

    Returns:
        Living cost, sent home, borrowed and repaid, one a worker.
    """
    w, p = world.workers, world.params
    cost = (p.migration.living_cost_yuan + rent_yuan(p.migration.rent_yuan, w.arrangement[rows], w.status[rows])
            + p.hukou.extra_living_cost_yuan * world.levers.hukou_gap * ~w.local_hukou[rows])
    net = income - cost
    saved = savings[rows] + net
    borrowed = np.maximum(-saved, 0.0)
    saved += borrowed
    home = p.migration.remittance_share * np.maximum(net, 0.0)
    owed = debt[rows] + borrowed
    repaid = np.minimum(owed, home)
    debt[rows] = owed - repaid
    savings[rows] = saved - home
    return Budget(cost=cost, home=home, borrowed=borrowed, repaid=repaid)


def pay_in_numpy(world: World) -> None:
    """The month's pay as numpy steps: :func:`pay` does this, in one kernel (:func:`_pay_month`).

    Each present worker's arrears and pay of the month are cleared; the employed are paid
    (:func:`wages_paid`), deductions go to agencies, contributions to the state, the wage
    bills to households or their employee-based agencies; the employed live on their pay
    after contributions, searchers on their savings (:func:`budgets`); months in the job,
    experience and months of search go up by one. The same bookings, in the same order.
    """
    w, f = world.workers, world.flows
    acc, books = world.accounts, world.agency_books
    employed = w.with_status(EMPLOYED)
    w.arrears_now[w.present] = False
    w.paid_yuan[w.present] = 0.0
    pay = wages_paid(world, employed, world.streams.uniform("arrears", world.month, employed),
                     world.streams.uniform("arrears_repaid", world.month, employed))
    deducted = pay.deduction > 0
    books.worker_fees(w.agency[employed[deducted]], pay.deduction[deducted], employed[deducted])
    f.insurance_contributions_yuan += float(pay.total.sum())
    f.public_subsidies_yuan += float(pay.subsidy.sum())
    f.worker_contributions_yuan += float(pay.worker.sum())
    acc.state_yuan += float(pay.employer.sum() + pay.worker.sum())
    eb = w.agency_employed[employed]
    cost = pay.gross + pay.employer
    direct = ~eb
    f.household_wages_yuan += float(pay.gross[direct].sum())
    f.household_contributions_yuan += float(pay.employer[direct].sum())
    acc.households_yuan -= float(cost[direct].sum())
    accounts.record_care_of_jobs(world, employed[direct], cost[direct])
    agency = w.agency[employed[eb]]
    books.bills_passed_through(agency, cost[eb], employed[eb])
    books.pay_payroll(agency, cost[eb])
    books.household_fees(agency, employee_based_charge(world) * w.wage_yuan[employed[eb]].astype(np.float64),
                         employed[eb], service=True)
    f.worker_pay_yuan += float(pay.gross.sum())

    def spend_and_save(rows: np.ndarray, income: np.ndarray) -> np.ndarray:
        budget = budgets(world, rows, income, w.savings_yuan, w.debt_yuan)
        acc.households_yuan += float(budget.cost.sum())
        acc.villages_yuan += float(budget.home.sum() - budget.borrowed.sum())
        f.living_costs_yuan += float(budget.cost.sum())
        f.borrowed_yuan += float(budget.borrowed.sum())
        f.repaid_yuan += float(budget.repaid.sum())
        f.remittances_yuan += float((budget.home - budget.repaid).sum())
        return budget.cost

    living = spend_and_save(employed, pay.paid - pay.worker)
    f.net_income_yuan += float((pay.paid - living).sum())
    searching = w.with_status(SEARCHING)
    spend_and_save(searching, np.zeros(searching.size))
    w.months_searching[searching] += 1
    w.months_in_job[employed] += 1
    w.experience_months[employed] += 1.0


def pay(world: World) -> None:
    """Pay the month's wages, arrears and deductions; workers spend, save and remit.

    One kernel (:func:`_pay_month`) settles every present worker's month as
    :func:`pay_in_numpy` does; what it returns is booked here, in the order the money
    moves: deductions to agencies, contributions to the state, wage bills to households
    and employee-based agencies, living costs to landlords and shops, what goes home to
    the villages.
    """
    w, streams, month = world.workers, world.streams, world.month
    month_pay = _pay_month(w.present, streams.ukey("arrears", month), streams.ukey("arrears_repaid", month),
                           columns(w, Payees), columns(w, Budgeters), columns(w, Careers), _pay_terms(world),
                           _budget_terms(world), employee_based_charge(world))
    books, f = world.agency_books, world.flows
    if month_pay.fees.agency.size:  # else nothing to book (adding zeros changes no sum)
        books.worker_fees(month_pay.fees.agency, month_pay.fees.amount, month_pay.fees.worker)
    employed = month_pay.employed  # summed as numpy sums
    _book_insurance(world, employed.total, employed.subsidy, employed.employer, employed.worker)
    _book_wage_bills(world, DirectBills._make(amount.sum() for amount in month_pay.direct), month_pay.employee_based)
    accounts.record_care_of_jobs(world, month_pay.direct_rows, month_pay.direct.bill)
    f.worker_pay_yuan += float(employed.gross)
    _book_budget(world, BudgetAmounts(cost=employed.living, home=employed.sent, borrowed=employed.borrowed,
                                      repaid=employed.repaid, remitted=employed.remitted))
    f.net_income_yuan += float(employed.net)
    _book_budget(world, BudgetAmounts._make(amount.sum() for amount in month_pay.searching))


def _pay_terms(world: World) -> tuple:
    """:class:`PayTerms` for :func:`_pay_month`: its fields, in order, as a plain tuple (as :func:`_bargain_terms`)."""
    p, c = world.params, world.params.contracts
    return (p.market.arrears_rate_formal, p.market.arrears_rate_informal, p.market.arrears_repay_rate,
            world.festival_pay_factor, p.agencies.max_deduction_share, c.contribution_rate,
            c.contribution_base_min_yuan, world.levers.insurance_subsidy_share, c.employer_contribution_share)


def _budget_terms(world: World) -> tuple:
    """:class:`BudgetTerms` for :func:`_pay_month`: its fields, in order, as a plain tuple."""
    p = world.params
    return (p.migration.living_cost_yuan, p.migration.rent_yuan,
            p.hukou.extra_living_cost_yuan * world.levers.hukou_gap, p.migration.remittance_share)


def _book_insurance(world: World, total: float, subsidy: float, employer: float, worker: float) -> None:
    """Book the month's contributions of insured jobs whose wage was paid (sums over the jobs).

    The state pays ``insurance_subsidy_share`` of them; employer and worker split the
    rest, ``contracts.employer_contribution_share`` to the employer, her part withheld
    from her pay. All of it goes to the state's funds.
    """
    f = world.flows
    f.insurance_contributions_yuan += float(total)
    f.public_subsidies_yuan += float(subsidy)
    f.worker_contributions_yuan += float(worker)
    world.accounts.state_yuan += float(employer + worker)


def _book_wage_bills(world: World, direct: DirectBills, employee_based: AgencyBills) -> None:
    """Who pays the wage and the employer's contributions: the household, or its employee-based agency.

    ``direct``: wages, employer's contributions and both, summed over the jobs households
    pay directly. An employee-based agency is the employer: it pays both (``cost``, one a
    job, ``agency`` its agency) out of the bill it sends the household, which adds its
    charge (:func:`model.mechanisms.agencies.employee_based_charge` of the agreed wage, ``markup``) to the
    wages and contributions it passes on.
    """
    f = world.flows
    f.household_wages_yuan += float(direct.wages)
    f.household_contributions_yuan += float(direct.contributions)
    world.accounts.households_yuan -= float(direct.bill)
    if employee_based.agency.size:  # nothing to book otherwise (adding zeros changes no sum)
        books = world.agency_books
        books.bills_passed_through(employee_based.agency, employee_based.cost, employee_based.worker)
        books.pay_payroll(employee_based.agency, employee_based.cost)
        books.household_fees(employee_based.agency, employee_based.markup, employee_based.worker, service=True)


def _book_budget(world: World, amounts: BudgetAmounts) -> None:
    """Living costs to landlords and shops; a shortfall borrowed from kin; what she sends home (sums).

    What she sends home repays her kin first; the rest (``remitted``) is remittances.
    """
    acc, f = world.accounts, world.flows
    acc.households_yuan += float(amounts.cost)
    acc.villages_yuan += float(amounts.home - amounts.borrowed)
    f.living_costs_yuan += float(amounts.cost)
    f.borrowed_yuan += float(amounts.borrowed)
    f.repaid_yuan += float(amounts.repaid)
    f.remittances_yuan += float(amounts.remitted)


# --- kernels ------------------------------------------------------------------------------------------------------
#
# Each kernel below is one of the numpy rules above in one pass over rows, with numpy's
# arithmetic and dtypes step for step (same bits); tests/mechanisms/test_wages.py holds
# each to its rule. Kernels take named groups (columns of a table, terms from the
# parameters) and return named results, so that two columns of one dtype cannot be
# swapped unnoticed. A kernel called from Python takes each group as a plain tuple and
# names it on entry (``Payees(*payees)``): numba types a plain tuple in C at every call, a
# NamedTuple in Python, which cost 1-2 microseconds a group a call (5.3 on
# contracts._gains' five groups). Columns are read by the group's field names
# (:func:`model.core.jit.columns`); terms are built in their fields' order in one function each
# (:func:`_bargain_terms`, :func:`_pay_terms`, :func:`_budget_terms`), because building
# a NamedTuple by keyword cost about 1 microsecond more a call; a test names every field.


class BargainTerms(NamedTuple):
    """The terms of the bargain (:func:`reservation`, :func:`household_maximum`, :func:`bargained_wage`)."""

    search_decay: np.ndarray  # (1 - market.reservation_decay) ** months, 0 to 120 (:func:`_search_decay`)
    floor_share: float  # market.reservation_floor_share
    discount_half: float  # market.reservation_savings_discount x market.reservation_savings_half_yuan
    savings_half: float  # market.reservation_savings_half_yuan
    rural_income: float  # migration.rural_income_yuan
    commute_cost_per_km: float  # city.commute_cost_yuan_per_km
    offer_rise: float  # market.offer_rise_per_month
    offer_rise_months_max: float  # market.offer_rise_months_max
    experience_premium: np.float32  # market.experience_premium
    certified_premium: float  # training.premium
    bargaining_power: float  # market.bargaining_power
    enforcement: np.float32  # levers.wage_floor_enforcement
    statutory_minimum: float  # standards.minimum_wage_monthly


class FloorTerms(NamedTuple):
    """The floors a job's wage meets (:func:`legal_floor`), and the usual hours of each job type."""

    hourly: float  # levers.wage_floor_hourly_yuan
    monthly: float  # levers.wage_floor_monthly_yuan
    full_time_week: float  # standards.full_time_hours_week
    in_kind_share: float  # levers.wage_floor_in_kind_share
    in_kind_yuan: np.ndarray  # arrangements.in_kind_yuan, by arrangement
    type_hours_week: np.ndarray  # types.hours_week, by job type (float32)
    worker_extra: np.ndarray  # arrangements.worker_extra, by job type and arrangement
    pull: float  # levers.wage_floor_reference_pull, while a floor is in force (else 0)


class Bargainers(NamedTuple):
    """The worker columns the bargain reads (whole columns, by row)."""

    employer: np.ndarray
    job_type: np.ndarray
    arrangement: np.ndarray
    agency_employed: np.ndarray
    reservation_yuan: np.ndarray
    months_searching: np.ndarray
    savings_yuan: np.ndarray
    experience_months: np.ndarray
    skill: np.ndarray
    certified: np.ndarray


class Employers(NamedTuple):
    """The household columns the bargain reads (whole columns, by row)."""

    wtp_yuan: np.ndarray
    vacancy_months: np.ndarray
    law_abiding: np.ndarray
    observes_floor: np.ndarray  # chosen this month (model.mechanisms.compliance.update)
    ordered: np.ndarray  # bits: ORDERED_FLOOR when an inspector ordered it to pay the floor
    law_cost_share: np.ndarray  # share of what it would pay that a contract law costs it (offer_factor)
    hours_week: np.ndarray
    need_hours_week: np.ndarray


class PayTerms(NamedTuple):
    """The terms of the month's pay (:func:`wages_paid`)."""

    arrears_formal: float  # market.arrears_rate_formal
    arrears_informal: float  # market.arrears_rate_informal
    repay_rate: float  # market.arrears_repay_rate
    festival_factor: float  # this month's holiday pay factor
    max_deduction_share: float  # agencies.max_deduction_share
    contribution_rate: float  # contracts.contribution_rate
    contribution_base_yuan: float  # contracts.contribution_base_min_yuan
    subsidy_share: float  # levers.insurance_subsidy_share
    employer_share: float  # contracts.employer_contribution_share


class BudgetTerms(NamedTuple):
    """The terms of a month's budget (:func:`budgets`)."""

    living_yuan: float  # migration.living_cost_yuan
    rent_yuan: float  # migration.rent_yuan
    migrant_extra_yuan: float  # hukou.extra_living_cost_yuan x levers.hukou_gap
    remittance_share: float  # migration.remittance_share


class Payees(NamedTuple):
    """The worker columns the pay reads and writes (whole columns, by row)."""

    contract: np.ndarray
    agency_employed: np.ndarray
    insured: np.ndarray
    self_insured: np.ndarray
    wage_yuan: np.ndarray
    wages_owed_yuan: np.ndarray  # written
    deduction_left_yuan: np.ndarray  # written
    arrears_now: np.ndarray  # written
    paid_yuan: np.ndarray  # written


class Budgeters(NamedTuple):
    """The worker columns a budget reads and writes (whole columns, by row)."""

    arrangement: np.ndarray
    status: np.ndarray
    local_hukou: np.ndarray
    savings_yuan: np.ndarray  # written
    debt_yuan: np.ndarray  # written


class Careers(NamedTuple):
    """The worker columns of her agency and her months, which the month moves on (whole columns, by row)."""

    agency: np.ndarray
    months_in_job: np.ndarray  # written
    experience_months: np.ndarray  # written
    months_searching: np.ndarray  # written


class RowPay(NamedTuple):
    """One employed worker a row: her pay and her job's contributions (:func:`wages_paid`)."""

    gross: np.ndarray
    paid: np.ndarray  # after deductions
    deduction: np.ndarray
    total: np.ndarray  # contributions
    subsidy: np.ndarray
    employer: np.ndarray
    worker: np.ndarray


class Budget(NamedTuple):
    """One worker a row: her month's budget (:func:`budgets`)."""

    cost: np.ndarray  # living cost
    home: np.ndarray  # sent home
    borrowed: np.ndarray  # from kin
    repaid: np.ndarray  # to kin, out of what she sent home


class EmployedAmounts(NamedTuple):
    """The employed's amounts of the month, one a worker (or their sums: what :func:`_pay_month` gives)."""

    gross: np.ndarray
    total: np.ndarray
    subsidy: np.ndarray
    employer: np.ndarray
    worker: np.ndarray
    living: np.ndarray
    sent: np.ndarray
    borrowed: np.ndarray
    repaid: np.ndarray
    remitted: np.ndarray  # sent less repaid
    net: np.ndarray  # paid less living


class Fees(NamedTuple):
    """The agency deductions of the month: the agency, the amount and the worker, one a worker who had some."""

    agency: np.ndarray
    amount: np.ndarray
    worker: np.ndarray


class DirectBills(NamedTuple):
    """Of the jobs households pay directly, one a job (or their sums): wages, employer's contributions, both."""

    wages: np.ndarray
    contributions: np.ndarray
    bill: np.ndarray


class AgencyBills(NamedTuple):
    """Of the jobs of employee-based agencies, one a job: the agency, wage and contributions, its charge, the worker."""

    agency: np.ndarray
    cost: np.ndarray
    markup: np.ndarray
    worker: np.ndarray


class BudgetAmounts(NamedTuple):
    """A month's budgets, one a worker (or their sums), with what went home beyond repaying kin."""

    cost: np.ndarray
    home: np.ndarray
    borrowed: np.ndarray
    repaid: np.ndarray
    remitted: np.ndarray


N_EMPLOYED_AMOUNTS = len(EmployedAmounts._fields)


class MonthPay(NamedTuple):
    """What :func:`_pay_month` returns for booking."""

    employed: EmployedAmounts
    fees: Fees
    direct: DirectBills
    employee_based: AgencyBills
    searching: BudgetAmounts
    direct_rows: np.ndarray  # the rows of the jobs households pay directly, in the order of ``direct``


@functools.lru_cache(maxsize=8)
def _search_decay(kept: float) -> np.ndarray:
    """``kept ** months`` for 0 to 120 months of search: numpy's power, read once a run (see :func:`reservation`)."""
    table = kept ** np.arange(121.0)
    table.flags.writeable = False
    return table


def _commute_offsets_example() -> tuple:
    cells = np.zeros(1, np.int32)
    return np.zeros(1, np.int64), np.zeros(1, np.int8), cells, cells.copy(), cells.copy(), np.zeros(1), np.zeros(1)


@kernel(example=_commute_offsets_example)
def _commute_offsets(rows: np.ndarray, arrangement: np.ndarray, employer: np.ndarray, home_cell: np.ndarray,
                     cell: np.ndarray, x_km: np.ndarray, y_km: np.ndarray) -> tuple:
    """The offsets (km east, north) from home to job of the workers of ``rows`` who commute, in their order.

    Live-in work is not commuted to (:func:`model.core.costs.commutes`), so only the others' distances are needed.
    """
    dx, dy = np.empty(rows.size), np.empty(rows.size)
    n = 0
    for r in rows:
        if commutes_one(arrangement[r]):
            home, job = home_cell[r], cell[employer[r]]
            dx[n] = x_km[home] - x_km[job]
            dy[n] = y_km[home] - y_km[job]
            n += 1
    return dx[:n], dy[:n]


_surplus_share_one = kernel(example=lambda: (0.5, 1.0), inner=True)(surplus_share)


def _bargain_terms_example() -> BargainTerms:
    decay = np.ones(121)
    decay.flags.writeable = False  # as _search_decay gives it
    return BargainTerms(decay, 0.6, 0.1, 1e4, 2500.0, 0.5, 0.05, 6.0, np.float32(0.02), 0.1, 0.5, np.float32(0.0),
                        2300.0)


def _renegotiated_example() -> tuple:
    floors = (0.0, 0.0, 40.0, 0.0, np.zeros(N_ARRANGEMENTS), np.ones(N_JOB_TYPES, np.float32),
              np.zeros((N_JOB_TYPES, N_ARRANGEMENTS)), 0.0)
    return (np.zeros(1, np.int64), np.zeros(1), np.ones(N_JOB_TYPES), floors,
            columns(WorkerTable(1), Bargainers), columns(HouseholdTable(1), Employers),
            tuple(_bargain_terms_example()), np.zeros(1, np.float32))


@kernel(example=_renegotiated_example)
def _renegotiated(rows: np.ndarray, km: np.ndarray, theta: np.ndarray, floor_terms: tuple,
                  bargainers: tuple, employers: tuple, terms: tuple, wage_yuan: np.ndarray) -> None:
    """Set the wage of each of ``rows`` to what :func:`bargain` gives with her employer.

    ``km``: the commutes of the live-out workers among them, in order; ``theta``: market
    tightness by job type raised to its elasticity (:func:`bargaining_share`). Her minimum
    (:func:`worker_minimum`), the household's maximum (:func:`household_maximum`), her
    share and the floor (:func:`legal_floor`), then :func:`bargained_wage`, in one pass
    where numpy made about 50, with numpy's arithmetic and dtypes step for step (same bits).
    ``floor_terms``, ``bargainers``, ``employers`` and ``terms`` are :class:`FloorTerms`,
    :class:`Bargainers`, :class:`Employers` and :class:`BargainTerms` as plain tuples.
    """
    w, h, t, f = Bargainers(*bargainers), Employers(*employers), BargainTerms(*terms), FloorTerms(*floor_terms)
    live_out = 0
    for i in range(rows.size):
        r = rows[i]
        household, job, arrangement = w.employer[r], w.job_type[r], w.arrangement[r]
        # legal_floor, for the job's hours (hours.floor_for_hours, cash_floor)
        hours_week = np.float64(h.hours_week[household])
        policy = nmax(f.monthly * nmin(hours_week / f.full_time_week, 1.0), f.hourly * hours_week * WEEKS_PER_MONTH)
        cash = policy - nmin(f.in_kind_yuan[arrangement], f.in_kind_share * policy)
        ignores = False
        if w.agency_employed[r]:
            floor = nmax(t.statutory_minimum * nmin(hours_week / f.full_time_week, 1.0), policy)
        else:
            complies = (h.observes_floor[household] or h.law_abiding[household] < t.enforcement
                        or (h.ordered[household] & ORDERED_FLOOR) != 0)
            floor = cash * (1.0 if complies else 0.0)
            ignores = not complies
        # worker_minimum: reservation for the job's hours, then commuting
        searched = nmax(t.search_decay[min(w.months_searching[r], 120)], t.floor_share)
        pressed = 1.0 - t.discount_half / (nmax(w.savings_yuan[r], 0.0) + t.savings_half)
        lo = nmax(np.float64(w.reservation_yuan[r]) * searched * pressed, t.rural_income)
        lo = lo * (h.hours_week[household] / f.type_hours_week[job])
        distance = 0.0
        if commutes_one(arrangement):  # km holds the commutes of those who commute, in order
            distance = km[live_out]
            live_out += 1
        lo = lo + commute_yuan_one(t.commute_cost_per_km, distance, arrangement)  # x 0 for live-in work, as numpy
        lo = lo + f.worker_extra[job, arrangement]
        # household_maximum: offer_factor x productivity
        offer = 1.0 + t.offer_rise * nmin(nmax(np.float64(h.vacancy_months[household]) - 1.0, 0.0),
                                          t.offer_rise_months_max)
        offer = offer * (1.0 - np.float64(h.law_cost_share[household]))
        years = nmin(w.experience_months[r], np.float32(120.0)) / np.float32(12.0)
        experience = np.float32(1.0) + t.experience_premium * years
        productivity = (np.float64(w.skill[r]) * (1.0 + t.certified_premium * (1.0 if w.certified[r] else 0.0))
                        * np.float64(experience))
        hi = np.float64(h.wtp_yuan[household]) * offer * productivity
        hi = hi * (h.hours_week[household] / h.need_hours_week[household])
        # bargaining_share, bargained_wage; pulled_wage where the household ignores a floor
        beta = t.bargaining_power
        share = _surplus_share_one(beta, theta[job]) if 0.0 < beta < 1.0 else beta
        wage = nmax(lo + share * nmax(hi - lo, 0.0), floor)
        if ignores and f.pull > 0.0:
            wage = nmax(wage, nmin(hi, wage + f.pull * nmax(cash - wage, 0.0)))
        wage_yuan[r] = np.float32(wage)


def _pay_terms_example() -> PayTerms:
    return PayTerms(0.01, 0.1, 0.3, 1.0, 0.3, 0.3, 3000.0, 0.0, 0.67)


def _budget_terms_example() -> BudgetTerms:
    return BudgetTerms(800.0, 600.0, 0.0, 0.3)


def _pay_month_example() -> tuple:
    workers = WorkerTable(1)
    return (np.zeros(1, np.int64), np.uint64(1), np.uint64(2), columns(workers, Payees), columns(workers, Budgeters),
            columns(workers, Careers), tuple(_pay_terms_example()), tuple(_budget_terms_example()), 0.1)


@kernel(example=_pay_month_example)
def _pay_month(present: np.ndarray, arrears_key: np.uint64, repay_key: np.uint64, payee_columns: tuple,
               budgeter_columns: tuple, career_columns: tuple, pay_values: tuple, budget_values: tuple,
               markup_share: float) -> MonthPay:
    """Settle the month of every present worker as :func:`pay_in_numpy`: pay (:func:`_pay_one`), then her budget.

    Clears this month's arrears and pay of the present; the employed are paid and spend
    what is left after her contributions (:func:`_budget_one`), searchers live on their
    savings; months in the job, experience and months of search go up by one. Returns,
    for booking, the sums of the employed's amounts, the deductions of those who had
    some, the bills of the jobs households pay directly and of those of employee-based
    agencies (with the agency's charge), and the searchers' budgets.

    The employed's amounts are summed as numpy summed their arrays (:func:`model.core.jit.pairwise_plan`),
    block by block as they are worked out, so that the eleven arrays of the employed (some 35 MB
    a month at 1:1) are never made. Each worker's columns change as in :func:`_pay_rows` then
    :func:`_budgets`: nothing of one worker's pay reads another's budget. The kernel replaced
    about 25 other numpy calls. The columns and terms come as plain tuples of :class:`Payees`,
    :class:`Budgeters`, :class:`Careers`, :class:`PayTerms` and :class:`BudgetTerms`.
    """
    payees, budgeters, careers = Payees(*payee_columns), Budgeters(*budgeter_columns), Careers(*career_columns)
    pay_terms, budget_terms = PayTerms(*pay_values), BudgetTerms(*budget_values)
    status, agency_employed = budgeters.status, payees.agency_employed
    n_employed, n_searching, n_eb = 0, 0, 0
    for r in present:
        payees.arrears_now[r] = False
        payees.paid_yuan[r] = 0.0
        if status[r] == EMPLOYED:
            n_employed += 1
            n_eb += 1 if agency_employed[r] else 0
        elif status[r] == SEARCHING:
            n_searching += 1
    employed, searching = np.empty(n_employed, np.int64), np.empty(n_searching, np.int64)
    e, s = 0, 0
    for r in present:
        if status[r] == EMPLOYED:
            employed[e] = r
            e += 1
        elif status[r] == SEARCHING:
            searching[s] = r
            s += 1

    agency = careers.agency
    fee_agency, fee_amount = np.empty(n_employed, agency.dtype), np.empty(n_employed)
    fee_worker = np.empty_like(employed)
    direct = DirectBills(np.empty(n_employed - n_eb), np.empty(n_employed - n_eb), np.empty(n_employed - n_eb))
    direct_rows = np.empty(n_employed - n_eb, np.int64)
    eb = AgencyBills(np.empty(n_eb, agency.dtype), np.empty(n_eb), np.empty(n_eb), np.empty(n_eb, np.int64))
    block = np.empty((N_EMPLOYED_AMOUNTS, PAIRWISE_BLOCK))  # this block's amounts, one row an EmployedAmounts field
    sums = np.empty((64, N_EMPLOYED_AMOUNTS))  # the pairwise tree's pending sums
    depth, i, k, d, b = 0, 0, 0, 0, 0
    for step in pairwise_plan(n_employed):
        if step < 0:  # the two subtrees' sums added
            for field in range(N_EMPLOYED_AMOUNTS):
                sums[depth - 2, field] = sums[depth - 2, field] + sums[depth - 1, field]
            depth -= 1
            continue
        for j in range(step):
            r = employed[i]
            gross, paid, deduction, total, subsidy, employer, worker = _pay_one(r, arrears_key, repay_key, payees,
                                                                                pay_terms)
            cost, home, borrowed, repaid = _budget_one(r, paid - worker, budgeters, budget_terms)
            amounts = (gross, total, subsidy, employer, worker, cost, home, borrowed, repaid, home - repaid,
                       paid - cost)
            for field in range(N_EMPLOYED_AMOUNTS):
                block[field, j] = amounts[field]
            if deduction > 0:
                fee_agency[k], fee_amount[k], fee_worker[k] = agency[r], deduction, r
                k += 1
            bill = gross + employer
            if agency_employed[r]:
                eb.agency[b], eb.cost[b], eb.worker[b] = agency[r], bill, r
                eb.markup[b] = markup_share * np.float64(payees.wage_yuan[r])
                b += 1
            else:
                direct.wages[d], direct.contributions[d], direct.bill[d] = gross, employer, bill
                direct_rows[d] = r
                d += 1
            careers.months_in_job[r] += 1
            careers.experience_months[r] += np.float32(1.0)
            i += 1
        for field in range(N_EMPLOYED_AMOUNTS):
            sums[depth, field] = block_sum(block[field], step)
        depth += 1

    searchers = _budgets(searching, np.zeros(n_searching), budgeters, budget_terms)
    for r in searching:
        careers.months_searching[r] += 1
    total_of = 0.0 + sums[0]  # as np.sum, which starts from 0.0
    employed_amounts = EmployedAmounts(total_of[0], total_of[1], total_of[2], total_of[3], total_of[4], total_of[5],
                                       total_of[6], total_of[7], total_of[8], total_of[9], total_of[10])
    searching_amounts = BudgetAmounts(searchers.cost, searchers.home, searchers.borrowed, searchers.repaid,
                                      searchers.home - searchers.repaid)
    return MonthPay(employed_amounts, Fees(fee_agency[:k], fee_amount[:k], fee_worker[:k]), direct, eb,
                    searching_amounts, direct_rows)


def _pay_example() -> tuple:
    return (np.zeros(1, np.int64), np.uint64(1), np.uint64(2), Payees(*columns(WorkerTable(1), Payees)),
            _pay_terms_example())


@kernel(example=_pay_example, inner=True)
def _pay_rows(rows: np.ndarray, arrears_key: np.uint64, repay_key: np.uint64, w: Payees, t: PayTerms) -> RowPay:
    """:func:`wages_paid` for the employed ``rows`` (:func:`_pay_one` each, in order), one pass where numpy made ~40."""
    n = rows.size
    gross, paid, deduction = np.empty(n), np.empty(n), np.empty(n)
    total, subsidy, employer, worker = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        (gross[i], paid[i], deduction[i], total[i], subsidy[i], employer[i],
         worker[i]) = _pay_one(rows[i], arrears_key, repay_key, w, t)
    return RowPay(gross, paid, deduction, total, subsidy, employer, worker)


@kernel(example=lambda: (np.int64(0), *_pay_example()[1:]), inner=True)
def _pay_one(r: np.int64, arrears_key: np.uint64, repay_key: np.uint64, w: Payees, t: PayTerms) -> tuple:
    """:func:`wages_paid` for the employed worker of row ``r``, drawing here what it is given.

    The draws are those of the streams ``arrears`` and ``arrears_repaid``, whose keys are
    given, made for the rows that need them. Updates her ``wages_owed_yuan``,
    ``deduction_left_yuan``, ``arrears_now`` and ``paid_yuan`` in place, with numpy's
    arithmetic and dtypes step for step (same bits). Returns her gross pay, pay after
    deductions, the deduction, and the contributions: total, subsidy, employer's, hers.
    """
    rate = t.arrears_formal if w.contract[r] or w.agency_employed[r] else t.arrears_informal
    unpaid = uniform_at(np.uint64(r), arrears_key) < rate
    pay = np.float64(w.wage_yuan[r]) * t.festival_factor
    if unpaid:
        w.arrears_now[r] = True
        pay = 0.0
        w.wages_owed_yuan[r] = w.wages_owed_yuan[r] + w.wage_yuan[r]  # float32, as the column
    owed = w.wages_owed_yuan[r]
    if not unpaid and owed > 0 and uniform_at(np.uint64(r), repay_key) < t.repay_rate:
        pay = pay + np.float64(owed)
        w.wages_owed_yuan[r] = 0.0
    deduction = nmin(np.float64(w.deduction_left_yuan[r]), t.max_deduction_share * pay)
    paid = pay - deduction
    w.deduction_left_yuan[r] = np.float32(np.float64(w.deduction_left_yuan[r]) - deduction)
    w.paid_yuan[r] = np.float32(paid)
    total = 0.0
    if w.insured[r] and not w.self_insured[r] and pay > 0:
        total = t.contribution_rate * nmax(np.float64(w.wage_yuan[r]), t.contribution_base_yuan)
    subsidy = t.subsidy_share * total
    employer = t.employer_share * (total - subsidy)
    worker = nmin(total - subsidy - employer, np.float64(w.paid_yuan[r]))
    return pay, paid, deduction, total, subsidy, employer, worker


def _budget_example() -> tuple:
    return np.zeros(1, np.int64), np.zeros(1), Budgeters(*columns(WorkerTable(1), Budgeters)), _budget_terms_example()


@kernel(example=_budget_example, inner=True)
def _budgets(rows: np.ndarray, income: np.ndarray, w: Budgeters, t: BudgetTerms) -> Budget:
    """:func:`budgets` for ``rows`` (:func:`_budget_one` each, in order): one pass where numpy made about 25."""
    n = rows.size
    cost, home, borrowed, repaid = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        cost[i], home[i], borrowed[i], repaid[i] = _budget_one(rows[i], income[i], w, t)
    return Budget(cost, home, borrowed, repaid)


@kernel(example=lambda: (np.int64(0), 0.0, *_budget_example()[2:]), inner=True)
def _budget_one(r: np.int64, income: float, w: Budgeters, t: BudgetTerms) -> tuple:
    """:func:`budgets` for the worker of row ``r``, step for step (same bits): cost, sent home, borrowed, repaid.

    Updates her ``savings_yuan`` and ``debt_yuan`` in place.
    """
    migrant = 0.0 if w.local_hukou[r] else 1.0
    rent = rent_yuan_one(t.rent_yuan, w.arrangement[r], w.status[r])
    cost = t.living_yuan + rent + t.migrant_extra_yuan * migrant
    net = income - cost
    saved = w.savings_yuan[r] + net
    borrowed = nmax(-saved, 0.0)
    saved += borrowed
    home = t.remittance_share * nmax(net, 0.0)
    owed = w.debt_yuan[r] + borrowed
    repaid = nmin(owed, home)
    w.debt_yuan[r] = owed - repaid
    w.savings_yuan[r] = saved - home
    return cost, home, borrowed, repaid
