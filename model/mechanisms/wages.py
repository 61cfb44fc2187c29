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
from typing import TYPE_CHECKING

import numpy as np

from model.core.costs import commute_yuan, commute_yuan_one, commutes_one, rent_yuan_one
from model.core.jit import kernel, nmax, nmin
from model.core.rng import uniform_at
from model.core.tables import EMPLOYED, N_JOB_TYPES, SEARCHING

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


def worker_minimum(world: World, workers: np.ndarray, households: np.ndarray) -> np.ndarray:
    """Lowest wage she accepts for this job: reservation plus commuting if live-out."""
    w, h = world.workers, world.households
    commute = _commute(world, w.job_type[workers], w.home_cell[workers], h.cell[households])
    return reservation(world, workers) + commute


def _commute(world: World, job_type: np.ndarray, home_cell: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Monthly cost of commuting from ``home_cell`` to a job in ``cell``: live-out work only."""
    km = world.city.distance_km(home_cell, cell)
    return commute_yuan(world.params.city.commute_cost_yuan_per_km, km, job_type)


def offer_factor(world: World, households: np.ndarray) -> np.ndarray:
    """How much more a household offers the longer its vacancy has stayed open."""
    m = world.params.market
    months_open = np.maximum(world.households.vacancy_months[households].astype(np.float64) - 1.0, 0.0)
    return 1.0 + m.offer_rise_per_month * np.minimum(months_open, m.offer_rise_months_max)


def household_maximum(world: World, workers: np.ndarray, households: np.ndarray) -> np.ndarray:
    """Most the household pays her (willingness to pay, raised by a vacancy's months open)."""
    h = world.households
    return h.wtp_yuan[households] * offer_factor(world, households) * productivity(world, workers)


def bargaining_share(world: World, job_type: np.ndarray) -> np.ndarray:
    """Her share of the surplus: the base share at tightness 1, more when tight."""
    m = world.params.market
    beta = m.bargaining_power
    if beta <= 0.0 or beta >= 1.0:
        return np.full(job_type.size, beta)
    theta = np.maximum(world.market.tightness[job_type], 1e-3) ** m.tightness_elasticity
    return beta * theta / (beta * theta + (1.0 - beta))


def floor_applies(world: World, households: np.ndarray) -> np.ndarray:
    """Whether the household complies with a minimum wage in force."""
    lev = world.levers
    return world.households.law_abiding[households] < lev.wage_floor_enforcement


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
    floor = world.levers.wage_floor_yuan[job] * floor_applies(world, vacancies)
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
    floor = legal_floor(world, job_type, households, employee_based)
    if posting(world):
        return _posted_wage(world.households.posted_wage_yuan[households], productivity(world, workers), floor)
    lo = worker_minimum(world, workers, households)
    hi = household_maximum(world, workers, households)
    return _bargained_wage(world, job_type, lo, hi, floor)


def _posted_wage(posted: np.ndarray, productivity: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """The posted wage per unit of productivity times hers, or the floor if higher."""
    return np.maximum(posted * productivity, floor)


def _bargained_wage(world: World, job_type: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                    floor: np.ndarray) -> np.ndarray:
    """Her minimum plus her share of the surplus, or the floor if higher."""
    wage = lo + bargaining_share(world, job_type) * np.maximum(hi - lo, 0.0)
    return np.maximum(wage, floor)


def renegotiate(world: World, workers: np.ndarray) -> None:
    """The yearly review: employed ``workers`` bargain their wage again at this month's tightness.

    The wage :func:`bargain` gives (her minimum plus her share of the surplus, or the
    floor) with the household she works for. Posted wages are not renegotiated.
    """
    if workers.size == 0 or posting(world):
        return
    w, h, p = world.workers, world.households, world.params
    m, lev = p.market, world.levers
    rows = np.asarray(workers, dtype=np.int64)
    dx, dy = _commute_offsets(rows, w.job_type, w.employer, w.home_cell, h.cell, world.city.x_km, world.city.y_km)
    km = np.hypot(dx, dy)  # numpy's hypot, as City.distance_km
    theta = np.maximum(world.market.tightness, 1e-3) ** m.tightness_elasticity  # numpy's power, by job type
    terms = (_search_decay(1.0 - m.reservation_decay), m.reservation_floor_share,
             m.reservation_savings_discount * m.reservation_savings_half_yuan, m.reservation_savings_half_yuan,
             p.migration.rural_income_yuan, p.city.commute_cost_yuan_per_km, m.offer_rise_per_month,
             float(m.offer_rise_months_max), np.float32(m.experience_premium), p.training.premium,
             m.bargaining_power, np.float32(lev.wage_floor_enforcement), p.standards.minimum_wage_monthly)
    _renegotiated(rows, km, theta, lev.wage_floor_yuan, w.employer, w.job_type, w.agency_employed,
                  w.reservation_yuan, w.months_searching, w.savings_yuan, w.experience_months, w.skill, w.certified,
                  h.wtp_yuan, h.vacancy_months, h.law_abiding, terms, w.wage_yuan)


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
def _commute_offsets(rows: np.ndarray, job_type: np.ndarray, employer: np.ndarray, home_cell: np.ndarray,
                     cell: np.ndarray, x_km: np.ndarray, y_km: np.ndarray) -> tuple:
    """The offsets (km east, north) from home to job of the live-out workers of ``rows``, in their order.

    Only live-out work is commuted to (:func:`_commute`), so only those distances are needed.
    """
    dx, dy = np.empty(rows.size), np.empty(rows.size)
    n = 0
    for r in rows:
        if commutes_one(job_type[r]):
            home, job = home_cell[r], cell[employer[r]]
            dx[n] = x_km[home] - x_km[job]
            dy[n] = y_km[home] - y_km[job]
            n += 1
    return dx[:n], dy[:n]


def _renegotiated_example() -> tuple:
    rows, money, small, flag = np.zeros(1, np.int64), np.zeros(1), np.zeros(1, np.float32), np.zeros(1, np.bool_)
    decay = np.ones(121)
    decay.flags.writeable = False  # as _search_decay gives it
    terms = (decay, 0.6, 0.1, 1e4, 2500.0, 1.0, 0.05, 6.0, np.float32(0.02), 0.1, 0.5, np.float32(0.0),
             2300.0)
    return (rows, money, np.ones(N_JOB_TYPES), np.zeros(N_JOB_TYPES), np.zeros(1, np.int32), np.zeros(1, np.int8),
            flag, small, np.zeros(1, np.int16), money.copy(), small, small, flag, small, np.zeros(1, np.int16),
            small, terms, small.copy())


@kernel(example=_renegotiated_example)
def _renegotiated(rows: np.ndarray, km: np.ndarray, theta: np.ndarray, wage_floor: np.ndarray,
                  employer: np.ndarray, job_type: np.ndarray, agency_employed: np.ndarray,
                  reservation_yuan: np.ndarray, months_searching: np.ndarray, savings_yuan: np.ndarray,
                  experience_months: np.ndarray, skill: np.ndarray, certified: np.ndarray, wtp_yuan: np.ndarray,
                  vacancy_months: np.ndarray, law_abiding: np.ndarray, terms: tuple, wage_yuan: np.ndarray) -> None:
    """Set the wage of each of ``rows`` to what :func:`bargain` gives with her employer.

    ``km``: the commutes of the live-out workers among them, in order; ``theta``: market
    tightness by job type raised to its elasticity (:func:`bargaining_share`). Her minimum
    (:func:`worker_minimum`), the household's maximum (:func:`household_maximum`), her
    share and the floor (:func:`legal_floor`) in one pass where numpy made about 50, with
    numpy's arithmetic and dtypes step for step (same bits).
    """
    decay, floor_share, discount_half, savings_half, rural, commute_cost, rise, rise_months_max, \
        experience_premium, certified_premium, beta, enforcement, statutory = terms
    live_out = 0
    for i in range(rows.size):
        r = rows[i]
        household, job = employer[r], job_type[r]
        if agency_employed[r]:
            floor = nmax(statutory, wage_floor[job])
        else:
            floor = wage_floor[job] * (1.0 if law_abiding[household] < enforcement else 0.0)
        searched = nmax(decay[min(months_searching[r], 120)], floor_share)
        pressed = 1.0 - discount_half / (nmax(savings_yuan[r], 0.0) + savings_half)
        lo = nmax(np.float64(reservation_yuan[r]) * searched * pressed, rural)
        distance = 0.0
        if commutes_one(job):  # km holds the live-out workers' commutes, in order
            distance = km[live_out]
            live_out += 1
        lo = lo + commute_yuan_one(commute_cost, distance, job)  # x 0 for live-in work, as numpy
        offer = 1.0 + rise * nmin(nmax(np.float64(vacancy_months[household]) - 1.0, 0.0), rise_months_max)
        years = nmin(experience_months[r], np.float32(120.0)) / np.float32(12.0)
        experience = np.float32(1.0) + experience_premium * years
        productivity = (np.float64(skill[r]) * (1.0 + certified_premium * (1.0 if certified[r] else 0.0))
                        * np.float64(experience))
        hi = np.float64(wtp_yuan[household]) * offer * productivity
        share = beta * theta[job] / (beta * theta[job] + (1.0 - beta)) if 0.0 < beta < 1.0 else beta
        wage = lo + share * nmax(hi - lo, 0.0)
        wage_yuan[r] = np.float32(nmax(wage, floor))


def legal_floor(world: World, job_type: np.ndarray, households: np.ndarray,
                employee_based: np.ndarray) -> np.ndarray:
    """The floor each job pays at least.

    Employee-based agencies are employers under the Labour Law: they always pay
    the city's statutory monthly minimum (``standards.minimum_wage_monthly``), and
    the domestic-work floor when a policy extends one.
    Households pay the floor only when covered and compliant.
    """
    return _floor(world, job_type, floor_applies(world, households), employee_based)


def _floor(world: World, job_type: np.ndarray, complies: np.ndarray,
           employee_based: np.ndarray) -> np.ndarray:
    """:func:`legal_floor` given whether each household complies."""
    lev = world.levers
    covered = lev.wage_floor_yuan[job_type] * complies
    statutory = world.params.standards.minimum_wage_monthly
    eb_floor = np.maximum(statutory, lev.wage_floor_yuan[job_type])
    return np.where(employee_based, eb_floor, covered)


@dataclass
class Terms:
    """The terms of candidate jobs (pairs of a searcher and a vacancy), computed once a pair.

    ``lo`` her minimum, ``hi`` the household's maximum, ``floor`` the legal floor;
    under wage posting ``posted`` is the wage it would pay (posted, or the floor).
    """

    lo: np.ndarray
    hi: np.ndarray
    floor: np.ndarray
    posted: np.ndarray | None

    def acceptable(self) -> np.ndarray:
        """A job happens when the household's maximum covers her minimum and any floor that binds it.

        Under wage posting, also when the wage it would pay covers her minimum.
        """
        ok = self.hi >= np.maximum(self.lo, self.floor)
        if self.posted is not None:
            ok &= self.posted >= self.lo
        return ok

    def surplus(self) -> np.ndarray:
        """How she ranks offers: what the job pays her (posting) or could pay her above her minimum."""
        if self.posted is not None:  # she takes the best-paid offer
            return self.posted - self.lo
        return self.hi - self.lo

    def take(self, index: np.ndarray) -> Terms:
        """The terms of the pairs at ``index``."""
        posted = None if self.posted is None else self.posted[index]
        return Terms(self.lo[index], self.hi[index], self.floor[index], posted)

    def wage(self, world: World, job_type: np.ndarray) -> np.ndarray:
        """Agreed monthly wage of the jobs (as :func:`bargain`), given her job type."""
        if self.posted is not None:
            return self.posted
        return _bargained_wage(world, job_type, self.lo, self.hi, self.floor)


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
        job_type = self.job_type[i]
        lo = self.reservation[i] + _commute(self.world, job_type, self.home_cell[i], self.cell[j])
        hi = self.value[j] * self.productivity[i]
        floor = _floor(self.world, job_type, self.complies[j], employee_based)
        posted = None if self.posted is None else _posted_wage(self.posted[j], self.productivity[i], floor)
        return Terms(lo, hi, floor, posted)


def pay(world: World) -> None:
    """Pay the month's wages, arrears and deductions; workers spend, save and remit.

    One kernel (:func:`_pay_month`) settles every present worker's month; what it
    returns is booked here, in the order the money moves: deductions to agencies,
    contributions to the state, wage bills to households and employee-based agencies,
    living costs to landlords and shops, what goes home to the villages.
    """
    w, p = world.workers, world.params
    c, mig = p.contracts, p.migration
    streams, month = world.streams, world.month
    pay_terms = (p.market.arrears_rate_formal, p.market.arrears_rate_informal, p.market.arrears_repay_rate,
                 world.festival_pay_factor, p.agencies.max_deduction_share, c.contribution_rate,
                 c.contribution_base_min_yuan, world.levers.insurance_subsidy_share, c.employer_contribution_share)
    budget_terms = (mig.living_cost_yuan, mig.rent_yuan, p.hukou.extra_living_cost_yuan * world.levers.hukou_gap,
                    mig.remittance_share)
    employed, fees, direct, employee_based, searching = _pay_month(
        w.present, w.status, streams.ukey("arrears", month), streams.ukey("arrears_repaid", month),
        w.contract, w.agency_employed, w.insured, w.self_insured, w.wage_yuan, w.wages_owed_yuan,
        w.deduction_left_yuan, w.arrears_now, w.paid_yuan, w.agency, w.job_type, w.local_hukou, w.savings_yuan,
        w.debt_yuan, w.months_in_job, w.experience_months, w.months_searching, pay_terms, budget_terms,
        p.agencies.employee_based_markup)
    books, f = world.agency_books, world.flows
    if fees[0].size:  # else nothing to book (adding zeros changes no sum)
        books.worker_fees(*fees)
    employed = [amount.sum() for amount in employed]  # numpy's sums over the employed, in their order
    _book_insurance(world, *employed[1:5])
    _book_wage_bills(world, [amount.sum() for amount in direct], *employee_based)
    f.worker_pay_yuan += float(employed[0])
    _book_budget(world, *employed[5:10])
    f.net_income_yuan += float(employed[10])
    _book_budget(world, *[amount.sum() for amount in searching])


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


def _book_wage_bills(world: World, direct: list, agency: np.ndarray, cost: np.ndarray,
                     markup: np.ndarray) -> None:
    """Who pays the wage and the employer's contributions: the household, or its employee-based agency.

    ``direct``: wages, employer's contributions and both, summed over the jobs households
    pay directly. An employee-based agency is the employer: it pays both (``cost``, one a
    job, ``agency`` its agency) out of the bill it sends the household, which adds its
    charge (``agencies.employee_based_markup`` of the agreed wage, ``markup``) to the
    wages and contributions it passes on.
    """
    f = world.flows
    f.household_wages_yuan += float(direct[0])
    f.household_contributions_yuan += float(direct[1])
    world.accounts.households_yuan -= float(direct[2])
    if agency.size:  # nothing to book otherwise (adding zeros changes no sum)
        books = world.agency_books
        books.bills_passed_through(agency, cost)
        books.pay_payroll(agency, cost)
        books.household_fees(agency, markup, service=True)


def _book_budget(world: World, cost: float, home: float, borrowed: float, repaid: float,
                 remitted: float) -> None:
    """Living costs to landlords and shops; a shortfall borrowed from kin; what she sends home (sums).

    What she sends home repays her kin first; the rest (``remitted``) is remittances.
    """
    acc, f = world.accounts, world.flows
    acc.households_yuan += float(cost)
    acc.villages_yuan += float(home - borrowed)
    f.living_costs_yuan += float(cost)
    f.borrowed_yuan += float(borrowed)
    f.repaid_yuan += float(repaid)
    f.remittances_yuan += float(remitted)


def _pay_month_example() -> tuple:
    rows, flag, money, small = np.zeros(1, np.int64), np.zeros(1, np.bool_), np.zeros(1), np.zeros(1, np.float32)
    pay_terms = (0.01, 0.1, 0.3, 1.0, 0.3, 0.3, 3000.0, 0.0, 0.67)
    return (rows, np.zeros(1, np.int8), np.uint64(1), np.uint64(2), flag, flag.copy(), flag.copy(), flag.copy(),
            small, small.copy(), small.copy(), flag.copy(), small.copy(), np.zeros(1, np.int32), np.zeros(1, np.int8),
            flag.copy(), money, money.copy(), np.zeros(1, np.int16), small.copy(), np.zeros(1, np.int16), pay_terms,
            (800.0, 600.0, 0.0, 0.3), 0.1)


@kernel(example=_pay_month_example)
def _pay_month(present: np.ndarray, status: np.ndarray, arrears_key: np.uint64, repay_key: np.uint64,
               contract: np.ndarray, agency_employed: np.ndarray, insured: np.ndarray, self_insured: np.ndarray,
               wage_yuan: np.ndarray, owed_yuan: np.ndarray, deduction_left_yuan: np.ndarray,
               arrears_now: np.ndarray, paid_yuan: np.ndarray, agency: np.ndarray, job_type: np.ndarray,
               local_hukou: np.ndarray, savings: np.ndarray, debt: np.ndarray, months_in_job: np.ndarray,
               experience_months: np.ndarray, months_searching: np.ndarray, pay_terms: tuple, budget_terms: tuple,
               markup_share: float) -> tuple:
    """Settle the month of every present worker: pay (:func:`_pay_rows`), then budgets (:func:`_budgets`).

    Clears this month's arrears and pay of the present; the employed are paid and spend
    what is left after her contributions, searchers live on their savings; months in
    the job, experience and months of search go up by one. Returns, for booking:

    - the employed's amounts, one a worker: gross pay, contributions (total, subsidy,
      employer, worker), living cost, sent home, borrowed, repaid, remitted, and pay
      after deductions less living cost;
    - the deductions (agency, amount) of those who had some;
    - wages, employer's contributions and both of the jobs households pay directly;
    - of jobs with an employee-based agency: the agency, wages and contributions, and its charge;
    - the searchers' living cost, sent home, borrowed, repaid and remitted.

    The arrays are those numpy summed before, in the same order (so are the sums); the
    kernel replaced about 25 other numpy calls.
    """
    n_employed, n_searching, n_eb = 0, 0, 0
    for r in present:
        arrears_now[r] = False
        paid_yuan[r] = 0.0
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

    gross, paid, deduction, (total, subsidy, employer, worker) = _pay_rows(
        employed, arrears_key, repay_key, contract, agency_employed, insured, self_insured, wage_yuan, owed_yuan,
        deduction_left_yuan, arrears_now, paid_yuan, *pay_terms)
    living_yuan, rent_yuan, migrant_extra_yuan, remittance_share = budget_terms
    living, sent, kin_loans, kin_repaid = _budgets(employed, paid - worker, job_type, status, local_hukou, savings,
                                                   debt, living_yuan, rent_yuan, migrant_extra_yuan, remittance_share)
    fee_agency, fee_amount = np.empty(n_employed, agency.dtype), np.empty(n_employed)
    direct = np.empty(n_employed - n_eb), np.empty(n_employed - n_eb), np.empty(n_employed - n_eb)
    eb_agency, eb_cost, eb_markup = np.empty(n_eb, agency.dtype), np.empty(n_eb), np.empty(n_eb)
    k, d, b = 0, 0, 0
    for i in range(n_employed):
        r = employed[i]
        if deduction[i] > 0:
            fee_agency[k], fee_amount[k] = agency[r], deduction[i]
            k += 1
        bill = gross[i] + employer[i]
        if agency_employed[r]:
            eb_agency[b], eb_cost[b], eb_markup[b] = agency[r], bill, markup_share * np.float64(wage_yuan[r])
            b += 1
        else:
            direct[0][d], direct[1][d], direct[2][d] = gross[i], employer[i], bill
            d += 1
        months_in_job[r] += 1
        experience_months[r] += np.float32(1.0)

    cost, home, borrowed, repaid = _budgets(searching, np.zeros(n_searching), job_type, status, local_hukou, savings,
                                            debt, living_yuan, rent_yuan, migrant_extra_yuan, remittance_share)
    for r in searching:
        months_searching[r] += 1
    employed_amounts = (gross, total, subsidy, employer, worker, living, sent, kin_loans, kin_repaid,
                        sent - kin_repaid, paid - living)
    return (employed_amounts, (fee_agency[:k], fee_amount[:k]), direct, (eb_agency, eb_cost, eb_markup),
            (cost, home, borrowed, repaid, home - repaid))


def _pay_example() -> tuple:
    flag, rows, money = np.zeros(1, dtype=np.bool_), np.zeros(1, np.int64), np.zeros(1, np.float32)
    columns = (flag, flag, flag, flag, money, money.copy(), money.copy(), flag.copy(), money.copy())
    return (rows, np.uint64(1), np.uint64(2), *columns, 0.01, 0.1, 0.3, 1.0, 0.3, 0.3, 3000.0, 0.0, 0.67)


@kernel(example=_pay_example, inner=True)
def _pay_rows(rows: np.ndarray, arrears_key: np.uint64, repay_key: np.uint64, contract: np.ndarray,
              agency_employed: np.ndarray, insured: np.ndarray, self_insured: np.ndarray, wage_yuan: np.ndarray,
              owed_yuan: np.ndarray, deduction_left_yuan: np.ndarray, arrears_now: np.ndarray, paid_yuan: np.ndarray,
              arrears_formal: float, arrears_informal: float, repay_rate: float, festival_factor: float,
              max_deduction_share: float, contribution_rate: float, contribution_base_yuan: float,
              subsidy_share: float, employer_share: float) -> tuple:
    """The month's pay of each employed worker in ``rows``, and the contributions of her job.

    A wage falls into arrears (more often without a contract); owed wages are repaid
    with a chance (the draws of the streams ``arrears`` and ``arrears_repaid``, whose
    keys are given, made here for the rows that need them); an agency's deduction
    takes at most a share of the pay; insured jobs whose wage was paid owe
    contributions (:func:`contracts.contribution_yuan`), which the state subsidises
    in part and the employer and she split, her part at most her pay.

    Updates the columns ``owed_yuan``, ``deduction_left_yuan``, ``arrears_now`` and
    ``paid_yuan`` in place; returns gross pay, pay after deductions, deductions and
    the (total, subsidy, employer, worker) contributions, one a row. One pass where
    numpy made about 40, with numpy's arithmetic and dtypes step for step (same bits).
    """
    n = rows.size
    gross, paid, deduction = np.empty(n), np.empty(n), np.empty(n)
    total, subsidy, employer, worker = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        r = rows[i]
        rate = arrears_formal if contract[r] or agency_employed[r] else arrears_informal
        unpaid = uniform_at(np.uint64(r), arrears_key) < rate
        pay = np.float64(wage_yuan[r]) * festival_factor
        if unpaid:
            arrears_now[r] = True
            pay = 0.0
            owed_yuan[r] = owed_yuan[r] + wage_yuan[r]  # float32, as the column
        owed = owed_yuan[r]
        if not unpaid and owed > 0 and uniform_at(np.uint64(r), repay_key) < repay_rate:
            pay = pay + np.float64(owed)
            owed_yuan[r] = 0.0
        gross[i] = pay
        deduction[i] = nmin(np.float64(deduction_left_yuan[r]), max_deduction_share * pay)
        paid[i] = pay - deduction[i]
        deduction_left_yuan[r] = np.float32(np.float64(deduction_left_yuan[r]) - deduction[i])
        paid_yuan[r] = np.float32(paid[i])
        if insured[r] and not self_insured[r] and pay > 0:
            total[i] = contribution_rate * nmax(np.float64(wage_yuan[r]), contribution_base_yuan)
        else:
            total[i] = 0.0
        subsidy[i] = subsidy_share * total[i]
        employer[i] = employer_share * (total[i] - subsidy[i])
        worker[i] = nmin(total[i] - subsidy[i] - employer[i], np.float64(paid_yuan[r]))
    return gross, paid, deduction, (total, subsidy, employer, worker)


def _budget_example() -> tuple:
    one, flag = np.zeros(1), np.zeros(1, dtype=np.bool_)
    return (np.zeros(1, np.int64), one, np.zeros(1, np.int8), np.zeros(1, np.int8), flag, one.copy(), one.copy(),
            800.0, 600.0, 0.0, 0.3)


@kernel(example=_budget_example, inner=True)
def _budgets(rows: np.ndarray, income: np.ndarray, job_type: np.ndarray, status: np.ndarray,
             local_hukou: np.ndarray, savings: np.ndarray, debt: np.ndarray, living_yuan: float,
             rent_yuan: float, migrant_extra_yuan: float, remittance_share: float) -> tuple:
    """One month's budget of each of ``rows``: living cost, then savings, kin loans and what goes home.

    The cost of living in the city: ``living_yuan``, plus rent for a live-out worker or a
    searcher, plus ``migrant_extra_yuan`` without local hukou.

    Updates ``savings`` and ``debt`` (full columns) in place and returns cost, sent home,
    borrowed and repaid, one a row. One pass where numpy made about 25 over the rows,
    with numpy's arithmetic step for step (same bits).
    """
    n = rows.size
    cost, home, borrowed, repaid = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        r = rows[i]
        migrant = 0.0 if local_hukou[r] else 1.0
        cost[i] = living_yuan + rent_yuan_one(rent_yuan, job_type[r], status[r]) + migrant_extra_yuan * migrant
        net = income[i] - cost[i]
        saved = savings[r] + net
        borrowed[i] = nmax(-saved, 0.0)
        saved += borrowed[i]
        home[i] = remittance_share * nmax(net, 0.0)
        owed = debt[r] + borrowed[i]
        repaid[i] = nmin(owed, home[i])
        debt[r] = owed - repaid[i]
        savings[r] = saved - home[i]
    return cost, home, borrowed, repaid
