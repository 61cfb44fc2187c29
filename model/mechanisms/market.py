"""The month's hiring round: channels, matching per channel, wages, contracts, fees.

Open market and referrals are urn-ball markets. Open market: groups are job
types, each searcher applies to ``market.open_applications`` vacancies, the
household picks with little screening. Referrals: a vacancy reaches the
hometown network of a worker employed nearby; groups are (hometown, job type).
Agencies: workers register with several agencies, so the agency channel is one
pool a job type; agencies know their clients' offers and the workers' asking
wages and pair the k lowest asks with the k highest offers, for the largest k
that leaves every pair acceptable (the most matches the pool allows); each agency then places no
more than its capacity, best candidates first by skill and (with credit
records) record, and charges its own fees.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from model import labour
from model.jit import kernel
from model.mechanisms import agencies, channels, contracts, wages
from model.mechanisms.matching import applications, best_per_group, cap_per_group, group_order, sorted_assignment
from model.tables import (
    AGENCY,
    EMPLOYED,
    EMPLOYEE_BASED,
    N_JOB_TYPES,
    OPEN,
    REFERRAL,
    SEARCHING,
)

if TYPE_CHECKING:
    from model.model import DomesticWorkModel



def match(model: DomesticWorkModel) -> None:
    """Run the hiring round of the month."""
    w, h = model.workers, model.households
    searchers, employed = _searchers_and_employed(w.present, w.status, w.training_left)
    vacancies = _vacancies(h.view("need"), h.view("worker"))
    model.market.set_tightness(model, searchers, vacancies)
    prices = wages.RoundPrices(model, searchers, vacancies)  # households post wages here under posting
    model.flows.searchers_at_matching = int(searchers.size)
    model.flows.vacancies_at_matching = int(vacancies.size)
    agencies.decide_conduct(model)
    if searchers.size == 0 or vacancies.size == 0:
        return

    employer_cell = h.cell[w.employer[employed]]
    w_channel = channels.choose_workers(model, searchers, employed)
    h_channel, h_agency = channels.choose_households(model, vacancies, employer_cell)

    # How hirers rank searchers: productivity, records if visible, and screening noise.
    visible = model.params.policies.credit_records.record_weight if model.levers.credit_records else 0.0
    rank = Ranking(np.log(prices.productivity), (w.record[searchers] - 0.5) * visible,
                   model.streams.normal("screening", model.month, searchers))

    # Every channel's candidate pairs, as positions in searchers (i) and vacancies (j), then
    # their terms at once. Channels share no searcher and no vacancy, so the urn-ball choices
    # of the open market and of referrals are made together.
    si = [np.flatnonzero(w_channel == c) for c in (OPEN, REFERRAL, AGENCY)]
    vj = [np.flatnonzero(h_channel == c) for c in (OPEN, REFERRAL, AGENCY)]
    open_i, open_j, open_score = _applications(model, prices, rank, OPEN, si[OPEN], vj[OPEN], searchers, vacancies,
                                               employed, employer_cell)
    ref_i, ref_j, ref_score = _applications(model, prices, rank, REFERRAL, si[REFERRAL], vj[REFERRAL], searchers,
                                            vacancies, employed, employer_cell)
    app, vac = sorted_assignment(prices.job_type[si[AGENCY]].astype(np.int64),
                                 prices.need[vj[AGENCY]].astype(np.int64),
                                 prices.ask[si[AGENCY]], prices.offer_per_unit(vj[AGENCY]))
    n_urn = open_i.size + ref_i.size
    i = np.concatenate((open_i, ref_i, si[AGENCY][app]))
    j = np.concatenate((open_j, ref_j, vj[AGENCY][vac]))
    eb = np.zeros(i.size, dtype=bool)
    eb[n_urn:] = model.agencies.business_model[h_agency[j[n_urn:]]] == EMPLOYEE_BASED
    terms = prices.terms(i, j, eb)
    ok = terms.acceptable()

    # Urn-ball: each vacancy picks its best acceptable applicant, each applicant takes her best offer.
    tried = np.flatnonzero(ok[:n_urn])
    score = np.concatenate((open_score, ref_score))[tried]
    picked = tried[best_per_group(j[tried], score, vacancies.size)]
    taken = picked[best_per_group(i[picked], terms.take(picked).surplus(), searchers.size)]
    taken = taken[np.argsort(w_channel[i[taken]], kind="stable")]  # open market first, then referrals

    # Agencies: the acceptable pairs, each agency keeping what it can place, best first.
    paired = n_urn + np.flatnonzero(ok[n_urn:])
    score = rank.score(model.params.agencies.screening, i[paired], record_screened=True)
    placed = paired[cap_per_group(h_agency[j[paired]], score, model.agencies.capacity[: model.agencies.n])]

    hires = np.concatenate((taken, placed))
    i, j, terms = i[hires], j[hires], terms.take(hires)
    channel = w_channel[i]
    agency = np.where(channel == AGENCY, h_agency[j], -1).astype(np.int32)

    _learn(model, searchers, w_channel, i, vacancies, h_channel, j)
    _start_jobs(model, searchers[i], vacancies[j], channel, agency, terms)


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int8), np.zeros(1, np.int8)))
def _searchers_and_employed(present: np.ndarray, status: np.ndarray,
                            training_left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows, ascending, of the present workers searching and not in training, and of those employed.

    One pass over the present rows instead of a gather, two comparisons, two
    selections and a gather and selection more (at 1:10 of the city, 100,000 rows).
    """
    searchers = np.empty(present.size, dtype=np.int64)
    employed = np.empty(present.size, dtype=np.int64)
    n_s, n_e = 0, 0
    for r in present:
        if status[r] == SEARCHING:
            if training_left[r] == 0:
                searchers[n_s] = r
                n_s += 1
        elif status[r] == EMPLOYED:
            employed[n_e] = r
            n_e += 1
    return searchers[:n_s].copy(), employed[:n_e].copy()


@kernel(example=lambda: (np.zeros(1, np.int8), np.zeros(1, np.int32)))
def _vacancies(need: np.ndarray, worker: np.ndarray) -> np.ndarray:
    """Rows, ascending, of households that need help and have nobody: one pass instead of four."""
    n = 0
    for r in range(need.size):
        if need[r] >= 0 and worker[r] < 0:
            n += 1
    out = np.empty(n, dtype=np.int64)
    n = 0
    for r in range(need.size):
        if need[r] >= 0 and worker[r] < 0:
            out[n] = r
            n += 1
    return out


class Ranking:
    """How hirers rank the round's searchers: log productivity, visible record, screening noise."""

    def __init__(self, log_productivity: np.ndarray, record: np.ndarray, noise: np.ndarray) -> None:
        self.log_productivity, self.record, self.noise = log_productivity, record, noise

    def score(self, screening: float, i: np.ndarray, record_screened: bool = False) -> np.ndarray:
        """Scores of searchers ``i`` by a hirer that weighs productivity by ``screening``.

        ``record_screened``: the record is weighed with productivity (agencies), else added.
        """
        if record_screened:
            return screening * (self.log_productivity[i] + self.record[i]) + self.noise[i]
        return screening * self.log_productivity[i] + self.record[i] + self.noise[i]


def _applications(model: DomesticWorkModel, prices: wages.RoundPrices, rank: Ranking, channel: int,
                  si: np.ndarray, vj: np.ndarray, searchers: np.ndarray, vacancies: np.ndarray,
                  employed: np.ndarray, employer_cell: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The applications of the open market or of referrals, and how the vacancy scores each applicant.

    Open market: groups are job types, ``market.open_applications`` applications each;
    referrals: groups are (hometown, job type), one application each.
    Returns positions in the round's searchers and vacancies, and the scores.
    """
    w_type = prices.job_type[si].astype(np.int64)
    h_type = prices.need[vj].astype(np.int64)
    if channel == OPEN:
        k = model.params.market.open_applications
        app_group, vac_group, n_groups = w_type, h_type, N_JOB_TYPES
        screening = model.params.market.open_screening
    else:
        k = 1
        contact_origin = _referral_origins(model, vacancies[vj], employed, employer_cell)
        app_group = model.workers.origin[searchers[si]].astype(np.int64) * N_JOB_TYPES + w_type
        vac_group = contact_origin * N_JOB_TYPES + h_type
        n_groups = model.params.migration.origins * N_JOB_TYPES
        screening = model.params.market.referral_screening
    draws = model.streams.uniform(f"applications_{channel}", model.month, searchers[si], k).T
    app, vac = applications(app_group, vac_group, n_groups, draws)
    return si[app], vj[vac], rank.score(screening, si[app])


def _referral_origins(model: DomesticWorkModel, households: np.ndarray, employed: np.ndarray,
                      employer_cell: np.ndarray) -> np.ndarray:
    """Hometown of the worker who passes each referral vacancy on: one employed nearby, else anywhere."""
    if employed.size == 0:
        return np.zeros(households.size, dtype=np.int64)
    u = model.streams.uniform("referral_contact", model.month, households)
    contact = _contacts(employed, employer_cell, model.city.cells, model.households.cell[households], u)
    return model.workers.origin[contact].astype(np.int64)


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int32), 1, np.zeros(1, np.int32), np.zeros(1)))
def _contacts(employed: np.ndarray, employer_cell: np.ndarray, n_cells: int, cell: np.ndarray,
              u: np.ndarray) -> np.ndarray:
    """The employed worker each household in ``cell`` asks, by a stable counting sort by cell.

    The ``floor(u c)``-th, in row order, of the ``c`` who work in its cell, else the
    ``floor(u n)``-th of all ``n`` employed.

    It replaced a radix argsort, a bincount, a
    cumulative sum and ten gathers over all employed workers (at 1:10 of the city,
    90,000 rows: 1.2 ms -> 0.3 ms a month).
    """
    n = employed.size
    order, count, start = group_order(employer_cell, n_cells)
    by_cell = employed[order]
    contact = np.empty(cell.size, dtype=np.int64)
    for q in range(cell.size):
        c = count[cell[q]]
        if c > 0:
            contact[q] = by_cell[min(start[cell[q]] + min(np.int64(u[q] * c), c - 1), n - 1)]
        else:
            contact[q] = employed[min(np.int64(u[q] * n), n - 1)]
    return contact


def _learn(model: DomesticWorkModel, searchers: np.ndarray, w_channel: np.ndarray, hired: np.ndarray,
           vacancies: np.ndarray, h_channel: np.ndarray, filled: np.ndarray) -> None:
    """Each side learns how its channel did; ``hired``, ``filled``: positions of the matched."""
    rate = model.params.channels.learning_rate
    success = np.zeros(searchers.size, dtype=bool)
    success[hired] = True
    channels.learn(model.workers.attraction, searchers, w_channel, success, rate)
    success = np.zeros(vacancies.size, dtype=bool)
    success[filled] = True
    channels.learn(model.households.attraction, vacancies, h_channel, success, rate)


def _start_jobs(model: DomesticWorkModel, workers: np.ndarray, households: np.ndarray,
                channel: np.ndarray, agency: np.ndarray, terms: wages.Terms) -> None:
    a, w = model.agencies, model.workers
    eb = np.zeros(workers.size, dtype=bool)
    via_agency = agency >= 0
    eb[via_agency] = a.business_model[agency[via_agency]] == EMPLOYEE_BASED
    wage = terms.wage(model, w.job_type[workers])
    labour.hire(model, workers, households, channel, agency, wage)
    w.agency_employed[workers] = eb
    contracts.decide(model, workers, "hire")

    _count_top_quartile(model, agency[via_agency])
    placed = np.flatnonzero(via_agency & ~eb)
    agencies.charge_placement_fees(model, workers[placed], agency[placed], wage[placed])
    employees = np.flatnonzero(eb)
    if employees.size:
        np.add.at(a.placements, agency[employees], 1)
        _train_employees(model, workers[employees], agency[employees])


def _count_top_quartile(model: DomesticWorkModel, agency: np.ndarray) -> None:
    """Count agency placements, and those by the top quarter of active agencies by reputation."""
    a = model.agencies
    model.flows.agency_placements += int(agency.size)
    if agency.size == 0:
        return
    reputation = a.view("reputation")[a.view("active")]
    if reputation.size == 0:
        return
    threshold = upper_quartile(reputation)
    model.flows.top_quartile_placements += int(np.count_nonzero(a.reputation[agency] >= threshold))


def upper_quartile(values: np.ndarray) -> np.floating:
    """``np.quantile(values, 0.75)`` to the last bit, from one sort (values not empty).

    numpy's linear interpolation step for step, in the dtype of ``values``, without
    the ~150 us of generality ``np.quantile`` spends on each call.
    """
    ordered = np.sort(values)
    if np.isnan(ordered[-1]):
        return np.quantile(values, 0.75)
    n = ordered.size
    virtual = (n - 1) * 0.75
    below = math.floor(virtual)
    gamma = virtual - below
    a, b = ordered[below], ordered[min(below + 1, n - 1)]
    diff = b - a
    if gamma >= 0.5:
        return b - diff * (1 - gamma)
    return a + diff * gamma


def _train_employees(model: DomesticWorkModel, workers: np.ndarray, agency: np.ndarray) -> None:
    """Employee-based agencies train their new, uncertified employees at their own cost."""
    w = model.workers
    t = model.params.training
    untrained = ~w.certified[workers]
    cost = t.cost_yuan * (1.0 - model.levers.training_subsidy_share)
    model.agency_books.cost(agency[untrained], np.full(int(untrained.sum()), cost))
    subsidy = t.cost_yuan * model.levers.training_subsidy_share * int(untrained.sum())
    model.flows.public_subsidies_yuan += subsidy
    model.accounts.state_yuan -= subsidy
    model.accounts.households_yuan += subsidy  # to the training school, with the agency's part
    u = model.streams.uniform("employee_training", model.month, workers)
    passed = untrained & (u < t.pass_rate)
    w.certified[workers[passed]] = True
    model.flows.trained += int(untrained.sum())
    model.flows.certified += int(passed.sum())
