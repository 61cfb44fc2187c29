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
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import ndtri

from model.core import labour
from model.core.jit import kernel
from model.core.rng import uniform_at
from model.core.tables import (
    AGENCY,
    EMPLOYED,
    EMPLOYEE_BASED,
    HOURLY,
    N_CHANNELS,
    N_JOB_TYPES,
    OPEN,
    REFERRAL,
    SEARCHING,
)
from model.mechanisms import agencies, channels, contracts, wages
from model.mechanisms.matching import (
    _applications,
    _best_per_group,
    applications_numpy,
    best_first,
    best_per_group_numpy,
    cap_per_group_numpy,
    group_order,
    sorted_assignment_numpy,
    sorted_pairs,
)

if TYPE_CHECKING:
    from model.core.world import World

_HALF_STEP = 0.5 / (1 << 53)  # what Streams.normal adds to its uniforms, off zero


class Ranking(NamedTuple):
    """How hirers rank the round's searchers, a row a searcher; each channel weighs them its own way."""

    log_productivity: np.ndarray  # float64
    record: np.ndarray  # float32: (record - 0.5) * how visible records are
    noise: np.ndarray  # float64: screening noise, standard normal


class SearchSide(NamedTuple):
    """The round's searchers: their rows, channels and job types."""

    rows: np.ndarray  # int64
    channel: np.ndarray  # int8
    job_type: np.ndarray  # int8


class VacancySide(NamedTuple):
    """The round's vacancies: their households' rows, channels, the job type they need and their cell."""

    rows: np.ndarray  # int64
    channel: np.ndarray  # int8
    need: np.ndarray  # int8
    cell: np.ndarray  # int32


class UrnBallTerms(NamedTuple):
    """The terms of the month's urn-ball markets: sizes, applications, draw keys, how hard each channel screens."""

    n_cells: int
    n_origins: int
    k_open: int  # applications a searcher sends on the open market
    open_key: np.uint64  # stream applications_0
    referral_key: np.uint64  # stream applications_1
    contact_key: np.uint64  # stream referral_contact
    open_screening: float
    referral_screening: float


class Applications(NamedTuple):
    """Candidate pairs, as positions in the round's searchers (``i``) and vacancies (``j``), and each one's score."""

    i: np.ndarray
    j: np.ndarray
    score: np.ndarray


class Pairs(NamedTuple):
    """Candidate pairs of every channel (urn-ball first), and whether the agency employs her (employee-based)."""

    i: np.ndarray
    j: np.ndarray
    eb: np.ndarray


class Hires(NamedTuple):
    """The pairs hired (positions in the candidate pairs), and the channel and agency (or -1) of each hire."""

    hires: np.ndarray
    channel: np.ndarray
    agency: np.ndarray


class AgencyHires(NamedTuple):
    """Hires an agency placed (positions), hires it employs, and how many were by a top-quartile agency."""

    placed: np.ndarray
    employees: np.ndarray
    top_quartile: int


# --- the rules, in numpy -----------------------------------------------------------------


def searchers_and_employed_numpy(present: np.ndarray, status: np.ndarray,
                                 training_left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who searches this month (present, searching, not in training), and who is employed: rows, ascending."""
    state = status[present]
    searching = present[state == SEARCHING]
    return searching[training_left[searching] == 0], present[state == EMPLOYED]


def vacancies_numpy(need: np.ndarray, worker: np.ndarray) -> np.ndarray:
    """The households that need help and have nobody: rows, ascending."""
    return np.flatnonzero((need >= 0) & (worker < 0))


def employer_cells_numpy(employed: np.ndarray, employer: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Where each employed worker works: her employer's cell."""
    return cell[employer[employed]]


def urn_ball_score(rank: Ranking, screening: float, i: np.ndarray) -> np.ndarray:
    """How a vacancy on the open market or by referral scores applicants ``i``: screened productivity, record, noise.

    ``screening * log productivity + record + noise``: the channel's screening weighs
    productivity only.
    """
    return screening * rank.log_productivity[i] + rank.record[i] + rank.noise[i]


def agency_score(rank: Ranking, screening: float, i: np.ndarray) -> np.ndarray:
    """How an agency ranks candidates ``i``: ``screening * (log productivity + record) + noise``.

    An agency screens records as well as productivity.
    """
    return screening * (rank.log_productivity[i] + rank.record[i]) + rank.noise[i]


def contacts_numpy(employed: np.ndarray, employer_cell: np.ndarray, n_cells: int, cell: np.ndarray,
                   u: np.ndarray) -> np.ndarray:
    """The employed worker each household in ``cell`` asks to pass its vacancy on to her hometown network.

    With its uniform ``u``, the ``floor(u c)``-th, in row order, of the ``c`` workers
    employed in its cell; if nobody works there, the ``floor(u n)``-th of all ``n`` employed.
    """
    order = np.argsort(employer_cell, kind="stable")
    count = np.bincount(employer_cell, minlength=n_cells)
    start = np.cumsum(count) - count
    c = count[cell]
    local = start[cell] + np.minimum((u * c).astype(np.int64), np.maximum(c - 1, 0))
    anywhere = np.minimum((u * employed.size).astype(np.int64), employed.size - 1)
    return np.where(c > 0, employed[order][np.minimum(local, employed.size - 1)], employed[anywhere])


def urn_ball_applications_numpy(world: World, prices: wages.RoundPrices, rank: Ranking, searchers: SearchSide,
                                vacancies: VacancySide, employed: np.ndarray,
                                employer_cell: np.ndarray) -> Applications:
    """The applications of the open market, then of referrals, and how the vacancy scores each applicant.

    Open market: groups are job types, each searcher sends ``market.open_applications``.
    Referrals: a vacancy reaches the hometown network of a worker employed nearby
    (:func:`contacts_numpy`); groups are (hometown, job type), one application each.
    Applications as :func:`matching.applications_numpy`, scores :func:`urn_ball_score`.
    """
    m = world.params.market
    parts = []
    for channel in (OPEN, REFERRAL):
        si, vj = np.flatnonzero(searchers.channel == channel), np.flatnonzero(vacancies.channel == channel)
        w_type = searchers.job_type[si].astype(np.int64)
        h_type = vacancies.need[vj].astype(np.int64)
        if channel == OPEN:
            k, screening = m.open_applications, m.open_screening
            app_group, vac_group, n_groups = w_type, h_type, N_JOB_TYPES
        else:
            k, screening = 1, m.referral_screening
            households = vacancies.rows[vj]
            contact_origin = np.zeros(households.size, dtype=np.int64)
            if employed.size:
                u = world.streams.uniform("referral_contact", world.month, households)
                contact = contacts_numpy(employed, employer_cell, world.city.cells, vacancies.cell[vj], u)
                contact_origin = world.workers.origin[contact].astype(np.int64)
            app_group = world.workers.origin[searchers.rows[si]].astype(np.int64) * N_JOB_TYPES + w_type
            vac_group = contact_origin * N_JOB_TYPES + h_type
            n_groups = world.params.migration.origins * N_JOB_TYPES
        draws = world.streams.uniform(f"applications_{channel}", world.month, searchers.rows[si], k).T
        app, vac = np.zeros(0, np.int64), np.zeros(0, np.int64)
        if app_group.size and vac_group.size:
            app, vac = applications_numpy(app_group, vac_group, n_groups, draws)
        parts.append((si[app], vj[vac], urn_ball_score(rank, screening, si[app])))
    return Applications(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def agency_pairs_numpy(urn: Applications, searchers: SearchSide, vacancies: VacancySide, ask: np.ndarray,
                       offer: np.ndarray, h_agency: np.ndarray, business_model: np.ndarray) -> Pairs:
    """The urn-ball pairs followed by the agencies' pairs, and whether the agency employs her.

    Agencies pair their searchers and clients of each job type by
    :func:`matching.sorted_assignment_numpy`: asks and offers per unit of productivity.
    """
    si, vj = np.flatnonzero(searchers.channel == AGENCY), np.flatnonzero(vacancies.channel == AGENCY)
    app, vac = sorted_assignment_numpy(searchers.job_type[si].astype(np.int64), vacancies.need[vj].astype(np.int64),
                                       ask[si], offer[vj])
    i, j = np.concatenate((urn.i, si[app])), np.concatenate((urn.j, vj[vac]))
    eb = np.zeros(i.size, dtype=bool)
    eb[urn.i.size:] = business_model[h_agency[vj[vac]]] == EMPLOYEE_BASED
    return Pairs(i, j, eb)


def hires_numpy(pairs: Pairs, ok: np.ndarray, n_urn: int, urn_score: np.ndarray, surplus: np.ndarray,
                searchers: SearchSide, n_vacancies: int, h_agency: np.ndarray, capacity: np.ndarray,
                screening: float, rank: Ranking) -> Hires:
    """Who is hired: urn-ball markets, then agencies.

    Urn-ball pairs (the first ``n_urn``): each vacancy picks its best acceptable
    applicant by ``urn_score``, each applicant takes her best offer by ``surplus``,
    open market first, then referrals. Agencies' pairs: the acceptable ones, each agency
    placing no more than its capacity, best first by :func:`agency_score`.
    """
    i, j = pairs.i, pairs.j
    tried = np.flatnonzero(ok[:n_urn])
    picked = tried[best_per_group_numpy(j[tried], urn_score[tried], n_vacancies)]
    taken = picked[best_per_group_numpy(i[picked], surplus[picked], searchers.rows.size)]
    taken = taken[np.argsort(searchers.channel[i[taken]], kind="stable")]
    paired = n_urn + np.flatnonzero(ok[n_urn:])
    score = agency_score(rank, screening, i[paired])
    placed = paired[cap_per_group_numpy(h_agency[j[paired]], score, capacity)]
    hires = np.concatenate((taken, placed))
    channel = searchers.channel[i[hires]]
    return Hires(hires, channel, np.where(channel == AGENCY, h_agency[j[hires]], -1).astype(np.int32))


def agency_hires_numpy(agency: np.ndarray, eb: np.ndarray, reputation: np.ndarray, active: np.ndarray) -> AgencyHires:
    """Which hires an agency placed, which it employs, and how many were by a top-quartile agency.

    The top quartile by reputation: at least ``np.quantile(..., 0.75)`` of the active
    agencies' reputations (none when there is no active agency, or a reputation is NaN).
    """
    placed, employees = np.flatnonzero((agency >= 0) & ~eb), np.flatnonzero(eb)
    values = reputation[active]
    top = 0
    if values.size:
        top = int(np.count_nonzero(reputation[agency[agency >= 0]] >= np.quantile(values, 0.75)))
    return AgencyHires(placed, employees, top)


# --- the mechanism --------------------------------------------------------------------------



def match(world: World) -> None:
    """Run the hiring round of the month."""
    w, h = world.workers, world.households
    searchers, employed = _searchers_and_employed(w.present, w.status, w.training_left)
    vacancies = _vacancies(h.view("need"), h.view("worker"))
    vacancies = vacancies[h.arrangement[vacancies] != HOURLY]  # hourly work is found in its own round (clients)
    world.market.set_tightness(world, searchers, vacancies)
    prices = wages.RoundPrices(world, searchers, vacancies)  # households post wages here under posting
    world.flows.searchers_at_matching = int(searchers.size) + world.flows.hourly_starts  # the hourly round's too
    world.flows.vacancies_at_matching = int(vacancies.size)
    agencies.decide_conduct(world)
    if searchers.size == 0 or vacancies.size == 0:
        return

    employer_cell = _employer_cells(employed, w.employer, h.cell)
    w_channel = channels.choose_workers(world, searchers, employed)
    h_channel, h_agency = channels.choose_households(world, vacancies, employer_cell)

    # How hirers rank searchers: productivity, records if visible, and screening noise.
    visible = world.levers.worker_record_weight
    u, record = _screening_draws(searchers, world.streams.ukey("screening", world.month), w.record, visible)
    rank = _ranking(prices, record, u)

    # Every channel's candidate pairs, as positions in searchers (i) and vacancies (j), then
    # their terms at once. Channels share no searcher and no vacancy, so the urn-ball
    # applications of the open market and of referrals are drawn together. The groups go to
    # the kernels as plain tuples (see the note under '# --- kernels ---').
    seekers = _search_side(searchers, w_channel, prices)
    posts = _vacancy_side(vacancies, h_channel, prices)
    urn = _urn_ball_applications(world, rank, seekers, posts, employed, employer_cell)
    pairs = _with_agency_pairs(tuple(urn), seekers, posts, prices.ask,
                               prices.offer_per_unit(np.arange(vacancies.size)), h_agency,
                               world.agencies.business_model)
    terms = prices.terms(pairs.i, pairs.j, pairs.eb)

    # Urn-ball: each vacancy picks its best acceptable applicant, each applicant takes her best
    # offer, open market first, then referrals. Agencies: the acceptable pairs, each agency
    # keeping what it can place, best first.
    a = world.agencies
    hired = _hires(tuple(pairs), terms.acceptable(), urn.i.size, urn.score, terms.surplus(), seekers,
                   vacancies.size, h_agency, a.capacity[: a.n], world.params.agencies.screening, rank)
    i, j, eb, terms = pairs.i[hired.hires], pairs.j[hired.hires], pairs.eb[hired.hires], terms.take(hired.hires)

    _learn(world, searchers, w_channel, i, vacancies, h_channel, j)
    _start_jobs(world, searchers[i], vacancies[j], hired.channel, hired.agency, eb, terms)


def _ranking(prices: wages.RoundPrices, record: np.ndarray, u: np.ndarray) -> tuple:
    """:class:`Ranking` of the round's searchers for the kernels: its fields, in order, as a plain tuple.

    ``record``, ``u``: what :func:`_screening_draws` gives. Built positionally (a NamedTuple
    built by keyword cost about 1 us a call, and numba types a NamedTuple argument in Python);
    tests/mechanisms/test_market.py checks each field by name.
    """
    return np.log(prices.productivity), record, ndtri(u)


def _search_side(searchers: np.ndarray, channel: np.ndarray, prices: wages.RoundPrices) -> tuple:
    """:class:`SearchSide` for the kernels: its fields, in order, as a plain tuple (as :func:`_ranking`)."""
    return searchers, channel, prices.job_type


def _vacancy_side(vacancies: np.ndarray, channel: np.ndarray, prices: wages.RoundPrices) -> tuple:
    """:class:`VacancySide` for the kernels: its fields, in order, as a plain tuple (as :func:`_ranking`)."""
    return vacancies, channel, prices.need, prices.cell


def _urn_ball_terms(world: World) -> tuple:
    """This month's :class:`UrnBallTerms` for :func:`_urn_ball_kernel`: its fields, in order, as a plain tuple."""
    m, s, month = world.params.market, world.streams, world.month
    return (world.city.cells, world.params.migration.origins, m.open_applications,
            s.ukey(f"applications_{OPEN}", month), s.ukey(f"applications_{REFERRAL}", month),
            s.ukey("referral_contact", month), m.open_screening, m.referral_screening)


def _urn_ball_applications(world: World, rank: tuple, searchers: tuple, vacancies: tuple,
                           employed: np.ndarray, employer_cell: np.ndarray) -> Applications:
    """:func:`urn_ball_applications_numpy` by :func:`_urn_ball_kernel` (the groups as plain tuples)."""
    return _urn_ball_kernel(searchers, vacancies, world.workers.origin, employed, employer_cell,
                            _urn_ball_terms(world), rank)


def _learn(world: World, searchers: np.ndarray, w_channel: np.ndarray, hired: np.ndarray,
           vacancies: np.ndarray, h_channel: np.ndarray, filled: np.ndarray) -> None:
    """Each side learns how its channel did; ``hired``, ``filled``: positions of the matched."""
    rate = world.params.channels.learning_rate
    channels.learn_matched(world.workers.attraction, searchers, w_channel, hired, rate)
    channels.learn_matched(world.households.attraction, vacancies, h_channel, filled, rate)


def _start_jobs(world: World, workers: np.ndarray, households: np.ndarray,
                channel: np.ndarray, agency: np.ndarray, eb: np.ndarray, terms: wages.Terms) -> None:
    """The hires start their jobs (``eb``: the agency employs her); contracts, fees and counts."""
    a, w = world.agencies, world.workers
    wage = terms.wage(world, w.job_type[workers])
    world.households.hours_week[households] = terms.hours  # all its need asks for, or what a floor left
    labour.hire(world, workers, households, channel, agency, wage)
    w.agency_employed[workers] = eb
    contracts.decide(world, workers, "hire")

    # Agency placements: counted, and those by the top quarter of active agencies by reputation.
    by_agency = _agency_hires(agency, eb, a.view("reputation"), a.view("active"))
    placed, employees = by_agency.placed, by_agency.employees
    world.flows.agency_placements += placed.size + employees.size
    world.flows.top_quartile_placements += by_agency.top_quartile
    agencies.charge_placement_fees(world, workers[placed], agency[placed], wage[placed])
    if employees.size:
        np.add.at(a.placements, agency[employees], 1)
        _train_employees(world, workers[employees], agency[employees])


def _train_employees(world: World, workers: np.ndarray, agency: np.ndarray) -> None:
    """Employee-based agencies train their new, uncertified employees at their own cost."""
    w = world.workers
    t = world.params.training
    untrained = ~w.certified[workers]
    cost = t.cost_yuan * (1.0 - world.levers.training_subsidy_share)
    world.agency_books.cost(agency[untrained], np.full(int(untrained.sum()), cost))
    subsidy = t.cost_yuan * world.levers.training_subsidy_share * int(untrained.sum())
    world.flows.public_subsidies_yuan += subsidy
    world.accounts.state_yuan -= subsidy
    world.accounts.households_yuan += subsidy  # to the training school, with the agency's part
    u = world.streams.uniform("employee_training", world.month, workers)
    passed = untrained & (u < t.pass_rate)
    w.certified[workers[passed]] = True
    world.flows.trained += int(untrained.sum())
    world.flows.certified += int(passed.sum())


# --- kernels -------------------------------------------------------------------------------
#
# As in wages (see the note under its kernels): a kernel called from Python takes each named
# group as a plain tuple and names it on entry (``SearchSide(*search_side)``), because numba
# types a NamedTuple argument in Python (1-2 us a group a call); the groups are built in their
# fields' order (:func:`_ranking`, :func:`_search_side`, :func:`_vacancy_side`,
# :func:`_urn_ball_terms`), each field checked by name in tests/mechanisms/test_market.py. The
# kernels' results stay named (they are read by name); one passed on to the next kernel goes
# as ``tuple(result)``.


@kernel(example=lambda: (np.zeros(1, np.int64), np.uint64(1), np.zeros(1, np.float32), 0.0))
def _screening_draws(searchers: np.ndarray, key: np.uint64, record: np.ndarray,
                     visible: float) -> tuple[np.ndarray, np.ndarray]:
    """The uniforms behind each searcher's screening noise, and her visible record.

    The uniforms as :meth:`Streams.normal` feeds them to the normal quantile (the
    stream ``screening``, clipped off zero, shifted by half a step); the record as
    ``(record - 0.5) * visible`` in float32, as numpy computes it. One pass instead
    of five numpy calls.
    """
    u = np.empty(searchers.size)
    term = np.empty(searchers.size, dtype=np.float32)
    for p in range(searchers.size):
        r = searchers[p]
        u[p] = max(uniform_at(np.uint64(r), key), 1e-300) + _HALF_STEP
        term[p] = (record[r] - np.float32(0.5)) * np.float32(visible)
    return u, term

@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int8), np.zeros(1, np.int8)))
def _searchers_and_employed(present: np.ndarray, status: np.ndarray,
                            training_left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`searchers_and_employed_numpy`.

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
    """:func:`vacancies_numpy` in one pass instead of four.

    Without a branch: each row is written and kept if it is a vacancy (households with a
    need and without alternate at random, and mispredicted branches took most of the
    time: at 1:1, 4 -> 1 ms).
    """
    n = 0
    for r in range(need.size):
        n += (need[r] >= 0) & (worker[r] < 0)
    out = np.empty(n + 1, dtype=np.int64)
    n = 0
    for r in range(need.size):
        out[n] = r
        n += (need[r] >= 0) & (worker[r] < 0)
    return out[:n]

@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int32), np.zeros(1, np.int32)))
def _employer_cells(employed: np.ndarray, employer: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """:func:`employer_cells_numpy` in one pass instead of two gathers."""
    out = np.empty(employed.size, dtype=cell.dtype)
    for p in range(employed.size):
        out[p] = cell[employer[employed[p]]]
    return out

def _search_side_example() -> tuple:
    return np.zeros(1, np.int64), np.zeros(1, np.int8), np.zeros(1, np.int8)


def _vacancy_side_example() -> tuple:
    return np.zeros(1, np.int64), np.zeros(1, np.int8), np.zeros(1, np.int8), np.zeros(1, np.int32)


def _ranking_example() -> tuple:
    return np.zeros(1), np.zeros(1, np.float32), np.zeros(1)


def _urn_ball_example() -> tuple:
    rows, cell = np.zeros(1, np.int64), np.zeros(1, np.int32)
    return (_search_side_example(), _vacancy_side_example(), cell, rows, cell.copy(),
            (1, 1, 1, np.uint64(1), np.uint64(2), np.uint64(3), 1.0, 1.0), _ranking_example())

@kernel(example=_urn_ball_example)
def _urn_ball_kernel(search_side: tuple, vacancy_side: tuple, origin: np.ndarray, employed: np.ndarray,
                     employer_cell: np.ndarray, urn_values: tuple, ranking: tuple) -> Applications:
    """:func:`urn_ball_applications_numpy`: each channel's searchers and vacancies, groups, draws and scores.

    Draws are the streams ``applications_0`` (``k_open`` a searcher), ``applications_1``
    and ``referral_contact``, made here for the rows that use them; the applications
    are :func:`matching.applications_numpy`'s; the score :func:`urn_ball_score`, numpy's
    sums in numpy's order. One call where numpy made about forty (and four kernels more).
    The groups come as plain tuples of :class:`SearchSide`, :class:`VacancySide`,
    :class:`UrnBallTerms` and :class:`Ranking`.
    """
    searchers, vacancies = SearchSide(*search_side), VacancySide(*vacancy_side)
    terms, rank = UrnBallTerms(*urn_values), Ranking(*ranking)
    w_channel, job_type = searchers.channel, searchers.job_type
    h_channel, need, cell = vacancies.channel, vacancies.need, vacancies.cell
    n_cells, n_origins, k_open = terms.n_cells, terms.n_origins, terms.k_open
    open_key, referral_key, contact_key = terms.open_key, terms.referral_key, terms.contact_key
    open_screening, referral_screening = terms.open_screening, terms.referral_screening
    log_productivity, record, noise = rank.log_productivity, rank.record, rank.noise
    si_open, si_ref = _positions(w_channel, OPEN), _positions(w_channel, REFERRAL)
    vj_open, vj_ref = _positions(h_channel, OPEN), _positions(h_channel, REFERRAL)

    # Open market: groups are job types.
    app_group = np.empty(si_open.size, dtype=np.int64)
    for a in range(si_open.size):
        app_group[a] = job_type[si_open[a]]
    vac_group = np.empty(vj_open.size, dtype=np.int64)
    for v in range(vj_open.size):
        vac_group[v] = need[vj_open[v]]
    open_app, open_vac = _draw_applications(searchers.rows[si_open], app_group, vac_group, N_JOB_TYPES, k_open,
                                            open_key)

    # Referrals: groups are (hometown, job type), a vacancy's hometown its contact's.
    app_group = np.empty(si_ref.size, dtype=np.int64)
    for a in range(si_ref.size):
        app_group[a] = np.int64(origin[searchers.rows[si_ref[a]]]) * N_JOB_TYPES + job_type[si_ref[a]]
    contact_origin = np.zeros(vj_ref.size, dtype=np.int64)
    if employed.size:
        households = vacancies.rows[vj_ref]
        u = np.empty(households.size)
        contact_cell = np.empty(households.size, dtype=np.int32)
        for v in range(households.size):
            u[v] = uniform_at(np.uint64(households[v]), contact_key)
            contact_cell[v] = cell[vj_ref[v]]
        contact = _contacts(employed, employer_cell, n_cells, contact_cell, u)
        for v in range(households.size):
            contact_origin[v] = origin[contact[v]]
    vac_group = np.empty(vj_ref.size, dtype=np.int64)
    for v in range(vj_ref.size):
        vac_group[v] = contact_origin[v] * N_JOB_TYPES + need[vj_ref[v]]
    ref_app, ref_vac = _draw_applications(searchers.rows[si_ref], app_group, vac_group, n_origins * N_JOB_TYPES, 1,
                                          referral_key)

    n_open = open_app.size
    n = n_open + ref_app.size
    i, j, score = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n)
    for p in range(n):
        if p < n_open:
            i[p], j[p], screening = si_open[open_app[p]], vj_open[open_vac[p]], open_screening
        else:
            i[p], j[p], screening = si_ref[ref_app[p - n_open]], vj_ref[ref_vac[p - n_open]], referral_screening
        score[p] = screening * log_productivity[i[p]] + np.float64(record[i[p]]) + noise[i[p]]
    return Applications(i, j, score)

@kernel(example=lambda: (np.zeros(1, np.int8), 0), inner=True)
def _positions(channel: np.ndarray, c: int) -> np.ndarray:
    """``np.flatnonzero(channel == c)``."""
    n = 0
    for p in range(channel.size):
        if channel[p] == c:
            n += 1
    out = np.empty(n, dtype=np.int64)
    n = 0
    for p in range(channel.size):
        if channel[p] == c:
            out[n] = p
            n += 1
    return out

@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1, np.int64), 1, 1, np.uint64(1)),
        inner=True)
def _draw_applications(rows: np.ndarray, app_group: np.ndarray, vac_group: np.ndarray, n_groups: int, k: int,
                       key: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """:func:`matching.applications` with the draws ``Streams.uniform(name, month, rows, k)`` of ``key`` made here."""
    draws = np.empty((k, rows.size))
    for a in range(rows.size):
        for r in range(k):
            draws[r, a] = uniform_at(np.uint64(rows[a]) * np.uint64(k) + np.uint64(r), key)
    if app_group.size == 0 or vac_group.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return _applications(app_group, vac_group, n_groups, draws)

def _agency_pairs_example() -> tuple:
    rows = np.zeros(1, np.int64)
    return ((rows, rows.copy(), np.zeros(1)), _search_side_example(), _vacancy_side_example(), np.ones(1),
            np.ones(1), rows.copy(), np.zeros(1, np.int8))

@kernel(example=_agency_pairs_example)
def _with_agency_pairs(applications: tuple, search_side: tuple, vacancy_side: tuple, ask: np.ndarray,
                       offer: np.ndarray, h_agency: np.ndarray, business_model: np.ndarray) -> Pairs:
    """:func:`agency_pairs_numpy`, pairing by :func:`matching.sorted_pairs`: one call instead of about fifteen.

    The groups come as plain tuples of :class:`Applications`, :class:`SearchSide` and :class:`VacancySide`.
    """
    urn, searchers, vacancies = Applications(*applications), SearchSide(*search_side), VacancySide(*vacancy_side)
    i, j = urn.i, urn.j
    w_channel, job_type = searchers.channel, searchers.job_type
    h_channel, need = vacancies.channel, vacancies.need
    si, vj = np.flatnonzero(w_channel == AGENCY), np.flatnonzero(h_channel == AGENCY)
    app, vac = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if si.size and vj.size:
        app, vac = sorted_pairs(job_type[si].astype(np.int64), need[vj].astype(np.int64), ask[si], offer[vj])
    n_urn, n = i.size, i.size + app.size
    all_i, all_j, eb = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.zeros(n, dtype=np.bool_)
    all_i[:n_urn], all_j[:n_urn] = i, j
    for p in range(app.size):
        all_i[n_urn + p], all_j[n_urn + p] = si[app[p]], vj[vac[p]]
        eb[n_urn + p] = business_model[h_agency[vj[vac[p]]]] == EMPLOYEE_BASED
    return Pairs(all_i, all_j, eb)

def _hires_example() -> tuple:
    rows = np.zeros(1, np.int64)
    return ((rows, rows.copy(), np.zeros(1, np.bool_)), np.ones(1, np.bool_), 1, np.zeros(1), np.zeros(1),
            _search_side_example(), 1, rows.copy(), np.ones(1, np.int32), 1.0, _ranking_example())

@kernel(example=_hires_example)
def _hires(candidates: tuple, ok: np.ndarray, n_urn: int, urn_score: np.ndarray, surplus: np.ndarray,
           search_side: tuple, n_vacancies: int, h_agency: np.ndarray, capacity: np.ndarray, screening: float,
           ranking: tuple) -> Hires:
    """:func:`hires_numpy` in one call where numpy made about twenty.

    Best per group by :func:`matching.best_per_group`'s kernel, capacities by
    :func:`matching.best_first`, the agency score :func:`agency_score` in numpy's order.
    The groups come as plain tuples of :class:`Pairs`, :class:`SearchSide` and :class:`Ranking`.
    """
    pairs, searchers, rank = Pairs(*candidates), SearchSide(*search_side), Ranking(*ranking)
    i, j = pairs.i, pairs.j
    w_channel, n_searchers = searchers.channel, searchers.rows.size
    log_productivity, record, noise = rank.log_productivity, rank.record, rank.noise
    tried = np.flatnonzero(ok[:n_urn])
    picked = tried[_best_per_group(j[tried], urn_score[tried], n_vacancies)]
    taken = picked[_best_per_group(i[picked], surplus[picked], n_searchers)]
    order, _, _ = group_order(w_channel[i[taken]].astype(np.int64), N_CHANNELS)
    taken = taken[order]

    paired = n_urn + np.flatnonzero(ok[n_urn:])
    score = np.empty(paired.size)
    for q in range(paired.size):
        s = i[paired[q]]
        score[q] = screening * (log_productivity[s] + np.float64(record[s])) + noise[s]
    placed = paired[best_first(h_agency[j[paired]], score, capacity)]

    hires = np.concatenate((taken, placed))
    channel = np.empty(hires.size, dtype=np.int8)
    agency = np.empty(hires.size, dtype=np.int32)
    for q in range(hires.size):
        channel[q] = w_channel[i[hires[q]]]
        agency[q] = h_agency[j[hires[q]]] if channel[q] == AGENCY else -1
    return Hires(hires, channel, agency)

@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int32), 1, np.zeros(1, np.int32), np.zeros(1)),
        inner=True)
def _contacts(employed: np.ndarray, employer_cell: np.ndarray, n_cells: int, cell: np.ndarray,
              u: np.ndarray) -> np.ndarray:
    """:func:`contacts_numpy` by a stable counting sort by cell.

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

@kernel(example=lambda: (np.zeros(1, np.int32), np.zeros(1, np.bool_), np.ones(1, np.float32), np.ones(1, np.bool_)))
def _agency_hires(agency: np.ndarray, eb: np.ndarray, reputation: np.ndarray, active: np.ndarray) -> AgencyHires:
    """:func:`agency_hires_numpy` in one call instead of about twelve numpy calls and a quantile.

    The quantile is numpy's linear interpolation step for step, in float32 as numpy's
    scalars compute it; none is in the top quartile when a reputation is NaN.
    """
    placed = np.flatnonzero((agency >= 0) & ~eb)
    employees = np.flatnonzero(eb)
    top = 0
    values = reputation[active]
    if placed.size + employees.size == 0 or values.size == 0:
        return AgencyHires(placed, employees, top)
    ordered = np.sort(values)
    if np.isnan(ordered[-1]):
        return AgencyHires(placed, employees, top)
    n = ordered.size
    virtual = (n - 1) * 0.75
    below = math.floor(virtual)
    gamma = virtual - below
    lower, upper = ordered[below], ordered[min(below + 1, n - 1)]
    diff = upper - lower  # float32 throughout, as numpy's scalars compute the quantile
    threshold = upper - diff * np.float32(1 - gamma) if gamma >= 0.5 else lower + diff * np.float32(gamma)
    for p in range(agency.size):
        if agency[p] >= 0 and reputation[agency[p]] >= threshold:
            top += 1
    return AgencyHires(placed, employees, top)
