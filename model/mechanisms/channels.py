"""Search channels: referral networks, agencies and the open market.

Each month every searching worker and every household with a vacancy picks one
channel by cost, trust and past outcomes (a logit with Gumbel taste shocks drawn
per row, so choices are common random numbers across scenarios). Referrals need
contacts: a worker hears of referral jobs through employed women from her
hometown, a household through the workers of its neighbours. Agencies cost fees;
households that trust them use them more. With credit records a household that
uses an agency picks among agencies by their records (reputation), so business
moves to the agencies with better records; the agency channel as a whole gets
no bonus. Each side then learns how well its channel worked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from model.core.jit import kernel
from model.core.population import pick
from model.core.rng import uniform_at
from model.core.tables import AGENCY, EMPLOYED, N_CHANNELS, REFERRAL
from model.mechanisms.agencies import household_cost_months, posted_worker_fee

if TYPE_CHECKING:
    from model.core.world import World

NO_CHANNEL = -1e9
_HALF_STEP = 0.5 / (1 << 53)  # what Streams.gumbel adds to its uniforms, off zero


class ChoiceTerms(NamedTuple):
    """How every agent weighs channels: past outcomes, the referral channel's own pull, the taste shocks' scale."""

    outcome_weight: float
    referral_utility: float
    noise_scale: float


class HouseholdAgencyTerms(NamedTuple):
    """How households weigh the agency channel this month, and the key of their draws among agencies.

    ``fee_cost``: the fee weight times the agencies' mean cost, weighted as clients pick
    them; ``no_agency``: no agency takes clients (the channel is shut).
    """

    trust_weight: float
    agency_utility: float
    fee_cost: float
    no_agency: bool
    key: np.uint64


def _choice_terms(world: World) -> tuple:
    """:class:`ChoiceTerms` for the kernels: its fields, in order, as a plain tuple.

    Built positionally (a NamedTuple built by keyword cost about 1 us a call, and numba
    types a NamedTuple argument in Python); tests/mechanisms/test_channels.py checks each field by name.
    """
    p = world.params.channels
    return p.outcome_weight, p.referral_utility, p.choice_noise


def _household_agency_terms(world: World, fee_cost: float, no_agency: bool) -> tuple:
    """:class:`HouseholdAgencyTerms` for :func:`_households_channel`: its fields, in order, as a plain tuple."""
    p = world.params.channels
    return p.trust_weight, p.agency_utility, fee_cost, no_agency, world.streams.ukey("household_agency", world.month)


# --- the rules, in numpy -----------------------------------------------------------------


def contact_strength_numpy(contact_group: np.ndarray, n_groups: int, group: np.ndarray, rows: np.ndarray,
                           reach: float, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """How many contacts each of ``rows`` can ask for a referral, and how strong her network is.

    Her contacts are the ``contact_group`` entries equal to her ``group`` (employed women
    from her hometown, or the workers employed in a household's neighbourhood); the
    strength is ``reach * contacts / max(mean contacts, 1) + floor``, her network against
    the average one.

    Returns:
        (contacts, strength), one of each a row.
    """
    contacts = np.bincount(contact_group, minlength=n_groups)[group[rows]]
    mean = max(float(contacts.mean()) if contacts.size else 0.0, 1.0)
    return contacts, reach * contacts / mean + floor


def best_channel_numpy(attraction: np.ndarray, rows: np.ndarray, outcome_weight: float, referral: np.ndarray,
                       agency: np.ndarray, no_agency: bool, noise_scale: float, gumbel: np.ndarray) -> np.ndarray:
    """Each agent's channel: the one of highest utility, a logit choice by Gumbel taste shocks.

    A channel's utility is ``outcome_weight`` times how well it worked for her
    (``attraction``), plus its pull (``referral``, ``agency``; the agency channel shut,
    ``NO_CHANNEL``, when ``no_agency``), plus ``noise_scale`` times her taste shock. Ties
    go to the first channel, NaN counts as largest (``np.argmax``).
    """
    utility = outcome_weight * attraction[rows].astype(np.float64)
    utility[:, REFERRAL] += referral
    if no_agency:
        utility[:, AGENCY] = NO_CHANNEL
    else:
        utility[:, AGENCY] += agency
    utility += noise_scale * gumbel
    return np.argmax(utility, axis=1).astype(np.int8)


def choose_workers_numpy(world: World, workers: np.ndarray, employed: np.ndarray) -> np.ndarray:
    """:func:`choose_workers`, the rule in numpy.

    A searcher can use referrals when employed women from her hometown can pass on a
    job; their pull grows with the log of her network's strength. The agency channel
    pulls by the agencies' appeal less their mean fee to workers, weighted as clients
    pick agencies; without agencies it is shut.
    """
    p = world.params.channels
    w, a = world.workers, world.agencies
    contacts, strength = contact_strength_numpy(w.origin[employed], world.params.migration.origins, w.origin,
                                                workers, world.params.market.referral_reach, 1e-9)
    referral = np.where(contacts > 0, p.referral_utility + np.log(strength), NO_CHANNEL)
    fee = posted_worker_fee(world, np.arange(a.n))
    weights = agency_weights(world, fee)
    total = weights.sum()
    agency = np.zeros(workers.size)
    if total > 0:
        mean_fee = float((fee * weights).sum() / total)
        agency += p.agency_utility - p.fee_weight * mean_fee
    gumbel = world.streams.gumbel("worker_channel", world.month, workers, N_CHANNELS)
    return best_channel_numpy(w.attraction, workers, p.outcome_weight, referral, agency, not total > 0,
                              p.choice_noise, gumbel)


def choose_households_numpy(world: World, households: np.ndarray,
                            employer_cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`choose_households`, the rule in numpy.

    A household can ask the workers of its neighbours (with nobody employed anywhere
    there is nobody to ask); the agency channel pulls by the household's trust in
    agencies less the agencies' mean cost, weighted as clients pick them. A household
    that uses agencies picks one with probability proportional to its weight
    (:func:`agency_weights`).
    """
    p = world.params.channels
    h, a = world.households, world.agencies
    _, strength = contact_strength_numpy(employer_cell, world.city.cells, h.cell, households,
                                         world.params.market.referral_reach, p.referral_floor)
    anyone = employer_cell.size > 0
    referral = p.referral_utility + np.log(strength) if anyone else np.full(households.size, NO_CHANNEL)
    cost = household_cost_months(world, np.arange(a.n))
    weights = agency_weights(world, cost)
    total = weights.sum()
    agency_pull = np.zeros(households.size)
    if total > 0:
        mean_cost = float((cost * weights).sum() / total)
        trust = p.trust_weight * (h.trust_agency[households] - 0.5)
        agency_pull += p.agency_utility + trust - p.fee_weight * mean_cost
    gumbel = world.streams.gumbel("household_channel", world.month, households, N_CHANNELS)
    channel = best_channel_numpy(h.attraction, households, p.outcome_weight, referral, agency_pull, not total > 0,
                                 p.choice_noise, gumbel)
    agency = np.full(households.size, -1, dtype=np.int64)
    uses = channel == AGENCY
    if uses.any() and weights.sum() > 0:
        agency[uses] = pick(weights, world.streams.uniform("household_agency", world.month, households[uses]))
    return channel, agency


def learn_numpy(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, success: np.ndarray,
                rate: float) -> None:
    """Each agent moves the appeal of the channel she used ``rate`` of the way toward how it turned out (in float32)."""
    current = attraction[rows, channel]
    attraction[rows, channel] = current + rate * (success.astype(np.float32) - current)


def learn_matched_numpy(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, matched: np.ndarray,
                        rate: float) -> None:
    """:func:`learn_numpy` with success for the positions ``matched`` of ``rows``, the rest failing."""
    success = np.zeros(rows.size, dtype=bool)
    success[matched] = True
    learn_numpy(attraction, rows, channel, success, rate)


# --- the mechanism --------------------------------------------------------------------------


def agency_weights(world: World, cost_months: np.ndarray) -> np.ndarray:
    """How strongly each agency draws clients: capacity, reputation if visible, cost."""
    a = world.agencies
    p = world.params.channels
    lev = world.levers
    active = a.view("active")
    reputation_pull = lev.credit_weight * (a.view("reputation") - 0.5) if lev.credit_records else 0.0
    weight = a.view("capacity") * np.exp(reputation_pull - p.agency_fee_weight_share * p.fee_weight * cost_months)
    return np.where(active, weight, 0.0)


def choose_workers(world: World, workers: np.ndarray, employed: np.ndarray | None = None) -> np.ndarray:
    """Channel of each searching worker this month (with agencies, she registers with several).

    ``employed``: rows of the employed workers, when the caller has them.
    """
    p = world.params.channels
    w, a = world.workers, world.agencies
    if employed is None:
        employed = np.flatnonzero(w.view("status") == EMPLOYED)

    # Referrals: how many employed women from her hometown she can ask, against the average.
    contacts, strength = _contact_strength(w.origin[employed], world.params.migration.origins, w.origin, workers,
                                           world.params.market.referral_reach, 1e-9)
    log_strength = np.log(strength, out=strength)

    fee = posted_worker_fee(world, np.arange(a.n))
    weights = agency_weights(world, fee)
    total = weights.sum()
    agency = 0.0
    if total > 0:
        mean_fee = float((fee * weights).sum() / total)  # np.average's arithmetic, without its checks
        agency += p.agency_utility - p.fee_weight * mean_fee

    gumbel = _gumbel(world, "worker_channel", workers)
    return _workers_channel(w.attraction, workers, _choice_terms(world), contacts, log_strength, agency,
                            not total > 0, gumbel)


def choose_households(world: World, households: np.ndarray,
                      employer_cell: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Channel and agency (or -1) of each household with a vacancy this month.

    ``employer_cell``: where each employed worker works, when the caller has it.
    """
    p = world.params.channels
    h, a = world.households, world.agencies
    if employer_cell is None:
        w = world.workers
        employer_cell = h.cell[w.employer[np.flatnonzero(w.view("status") == EMPLOYED)]]

    # Referrals: the workers of its neighbours, against the average; with nobody employed
    # anywhere there is nobody to ask.
    anyone = employer_cell.size > 0
    _, strength = _contact_strength(employer_cell, world.city.cells, h.cell, households,
                                    world.params.market.referral_reach, p.referral_floor)
    log_strength = np.log(strength, out=strength) if anyone else strength

    cost = household_cost_months(world, np.arange(a.n))
    weights = agency_weights(world, cost)
    total = weights.sum()
    fee_cost = 0.0
    if total > 0:
        fee_cost = p.fee_weight * float((cost * weights).sum() / total)

    gumbel = _gumbel(world, "household_channel", households)
    return _households_channel(h.attraction, households, _choice_terms(world), anyone, log_strength,
                               h.trust_agency, _household_agency_terms(world, fee_cost, not total > 0), gumbel,
                               weights)


def _gumbel(world: World, name: str, rows: np.ndarray) -> np.ndarray:
    """``world.streams.gumbel(name, month, rows, N_CHANNELS)``, its logarithms numpy's, in place."""
    g = _gumbel_uniforms(rows, world.streams.ukey(name, world.month))
    np.log(g, out=g)
    np.negative(g, out=g)
    np.log(g, out=g)
    return np.negative(g, out=g)


def learn(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, success: np.ndarray,
          rate: float) -> None:
    """Move the appeal of the channel each agent used toward how it turned out."""
    _learn(attraction, rows, channel, success, rate)


def learn_matched(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, matched: np.ndarray,
                  rate: float) -> None:
    """:func:`learn` with success for the positions ``matched`` of ``rows``, the rest failing."""
    _learn_matched(attraction, rows, channel, matched, rate)


# --- kernels -------------------------------------------------------------------------------
#
# As in wages (see the note under its kernels): a kernel called from Python takes each named
# group as a plain tuple and names it on entry (``ChoiceTerms(*choice_values)``), because numba
# types a NamedTuple argument in Python (1-2 us a group a call); the terms are built in their
# fields' order (:func:`_choice_terms`, :func:`_household_agency_terms`), each field checked by
# name in tests/mechanisms/test_channels.py.


@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), 1.0, np.zeros(1),
                         np.zeros(1), False, 1.0, np.zeros((1, N_CHANNELS))), inner=True)
def _best_channel(attraction: np.ndarray, rows: np.ndarray, outcome_weight: float, referral: np.ndarray,
                  agency: np.ndarray, no_agency: bool, noise_scale: float, gumbel: np.ndarray) -> np.ndarray:
    """:func:`best_channel_numpy`: the same sums in the same order, in one pass (at the whole city, ~3 ms a month less).

    The numpy form builds a float64 utility matrix in five passes, then takes argmax
    (the first largest, NaN largest).
    """
    out = np.empty(rows.size, dtype=np.int8)
    for i in range(rows.size):
        best, best_u = 0, 0.0
        for c in range(N_CHANNELS):
            u = outcome_weight * np.float64(attraction[rows[i], c])
            if c == REFERRAL:
                u = u + referral[i]
            elif c == AGENCY:
                u = NO_CHANNEL if no_agency else u + agency[i]
            u = u + noise_scale * gumbel[i, c]
            if c == 0 or (not np.isnan(best_u) and (np.isnan(u) or u > best_u)):
                best, best_u = c, u
        out[i] = best
    return out

@kernel(example=lambda: (np.zeros(1, np.int32), 1, np.zeros(1, np.int32), np.zeros(1, np.int64), 1.0, 1e-9))
def _contact_strength(contact_group: np.ndarray, n_groups: int, group: np.ndarray, rows: np.ndarray,
                      reach: float, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`contact_strength_numpy` in one pass (it replaced eight numpy calls a side).

    numpy's ``bincount``, gather, ``mean`` (an exact sum of counts), product and
    quotient, step for step; the logarithm stays numpy's.
    """
    count = np.zeros(n_groups, dtype=np.int64)
    for g in contact_group:
        count[g] += 1
    n = rows.size
    contacts = np.empty(n, dtype=np.int64)
    total = 0
    for i in range(n):
        contacts[i] = count[group[rows[i]]]
        total += contacts[i]
    mean = max(total / n if n else 0.0, 1.0)
    strength = np.empty(n)
    for i in range(n):
        strength[i] = reach * np.float64(contacts[i]) / mean + floor
    return contacts, strength

@kernel(example=lambda: (np.zeros(1, np.int64), np.uint64(1)))
def _gumbel_uniforms(rows: np.ndarray, key: np.uint64) -> np.ndarray:
    """``N_CHANNELS`` uniforms a row as :meth:`Streams.gumbel` draws them, shifted off zero by half a step."""
    out = np.empty((rows.size, N_CHANNELS), dtype=np.float64)
    for i in range(rows.size):
        base = np.uint64(rows[i]) * np.uint64(N_CHANNELS)
        for c in range(N_CHANNELS):
            out[i, c] = uniform_at(base + np.uint64(c), key) + _HALF_STEP
    return out

@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), (1.0, 0.5, 1.0),
                         np.zeros(1, np.int64), np.zeros(1), 0.0, False, np.zeros((1, N_CHANNELS))))
def _workers_channel(attraction: np.ndarray, rows: np.ndarray, choice_values: tuple, contacts: np.ndarray,
                     log_strength: np.ndarray, agency: float, no_agency: bool, gumbel: np.ndarray) -> np.ndarray:
    """Searchers' channels (:func:`choose_workers_numpy`): referrals open to those with contacts.

    The referral pull ``referral_utility + log_strength`` (else ``NO_CHANNEL``), the
    agency pull ``agency`` for all, built in the same pass (three numpy calls fewer).
    ``choice_values``: a plain tuple of :class:`ChoiceTerms`.
    """
    terms = ChoiceTerms(*choice_values)
    n = rows.size
    referral = np.empty(n)
    for i in range(n):
        referral[i] = terms.referral_utility + log_strength[i] if contacts[i] > 0 else NO_CHANNEL
    return _best_channel(attraction, rows, terms.outcome_weight, referral, np.full(n, agency), no_agency,
                         terms.noise_scale, gumbel)

def _households_example() -> tuple:
    rows, attraction = np.zeros(1, np.int64), np.zeros((1, N_CHANNELS), np.float32)
    return (attraction, rows, (1.0, 0.5, 1.0), True, np.zeros(1), np.zeros(1, np.float32),
            (0.5, 0.2, 0.1, False, np.uint64(1)), np.zeros((1, N_CHANNELS)), np.ones(1))

@kernel(example=_households_example)
def _households_channel(attraction: np.ndarray, rows: np.ndarray, choice_values: tuple, anyone: bool,
                        log_strength: np.ndarray, trust_agency: np.ndarray, agency_values: tuple,
                        gumbel: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Households' channels (:func:`choose_households_numpy`), and the agency each agency client picks.

    The referral pull ``referral_utility + log_strength`` when ``anyone`` is employed,
    the agency pull ``agency_utility + trust_weight * (trust - 0.5) - fee_cost`` in
    float32 as numpy computes it from the float32 column; an agency by inverse CDF of
    ``weights`` (numpy's sequential ``cumsum``, normalised, ``searchsorted`` to the
    right) with the stream ``household_agency``'s draw of the row. One pass where
    numpy made about fifteen calls. ``choice_values``, ``agency_values``: plain tuples of
    :class:`ChoiceTerms` and :class:`HouseholdAgencyTerms`.
    """
    terms, agency_terms = ChoiceTerms(*choice_values), HouseholdAgencyTerms(*agency_values)
    outcome_weight, referral_utility, noise_scale = terms.outcome_weight, terms.referral_utility, terms.noise_scale
    trust_weight, agency_utility = agency_terms.trust_weight, agency_terms.agency_utility
    fee_cost, no_agency, key = agency_terms.fee_cost, agency_terms.no_agency, agency_terms.key
    n = rows.size
    referral = np.full(n, NO_CHANNEL)
    pull = np.zeros(n)
    for i in range(n):
        if anyone:
            referral[i] = referral_utility + log_strength[i]
        if not no_agency:
            trust = np.float32(trust_weight) * (trust_agency[rows[i]] - np.float32(0.5))
            pull[i] = np.float64(np.float32(np.float32(agency_utility) + trust) - np.float32(fee_cost))
    channel = _best_channel(attraction, rows, outcome_weight, referral, pull, no_agency, noise_scale, gumbel)
    agency = np.full(n, -1, dtype=np.int64)
    if no_agency:
        return channel, agency
    cdf = np.empty(weights.size)
    total = 0.0
    for k in range(weights.size):
        total += weights[k]
        cdf[k] = total
    last = cdf[-1]
    for k in range(cdf.size):
        cdf[k] = cdf[k] / last
    for i in range(n):
        if channel[i] == AGENCY:
            u = uniform_at(np.uint64(rows[i]), key)
            lo, hi = 0, cdf.size
            while lo < hi:  # the first entry above u
                mid = (lo + hi) // 2
                if cdf[mid] > u:
                    hi = mid
                else:
                    lo = mid + 1
            agency[i] = min(lo, cdf.size - 1)
    return channel, agency

@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), np.zeros(1, np.int8),
                         np.zeros(1, np.bool_), 0.1), inner=True)
def _learn(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, success: np.ndarray, rate: float) -> None:
    """:func:`learn_numpy` in one pass, in float32 as numpy does it (a gather and a scatter fewer over rows)."""
    step = np.float32(rate)
    for i in range(rows.size):
        current = attraction[rows[i], channel[i]]
        attraction[rows[i], channel[i]] = current + step * (np.float32(success[i]) - current)

@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), np.zeros(1, np.int8),
                         np.zeros(1, np.int64), 0.1))
def _learn_matched(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, matched: np.ndarray,
                   rate: float) -> None:
    """:func:`learn_matched_numpy`: the success mask and :func:`_learn` in one call instead of four."""
    success = np.zeros(rows.size, dtype=np.bool_)
    for p in matched:
        success[p] = True
    _learn(attraction, rows, channel, success, rate)
