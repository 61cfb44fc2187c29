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

from typing import TYPE_CHECKING

import numpy as np

from model.core.jit import kernel
from model.core.rng import uniform_at
from model.core.tables import AGENCY, EMPLOYED, N_CHANNELS, REFERRAL
from model.mechanisms.agencies import household_cost_months, posted_worker_fee

if TYPE_CHECKING:
    from model.core.world import World

NO_CHANNEL = -1e9
_HALF_STEP = 0.5 / (1 << 53)  # what Streams.gumbel adds to its uniforms, off zero


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
    return _workers_channel(w.attraction, workers, p.outcome_weight, contacts, p.referral_utility, log_strength,
                            agency, not total > 0, p.choice_noise, gumbel)


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
    key = world.streams.ukey("household_agency", world.month)
    return _households_channel(h.attraction, households, p.outcome_weight, anyone, p.referral_utility, log_strength,
                               h.trust_agency, p.trust_weight, p.agency_utility, fee_cost, not total > 0,
                               p.choice_noise, gumbel, weights, key)


@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), 1.0, np.zeros(1),
                         np.zeros(1), False, 1.0, np.zeros((1, N_CHANNELS))), inner=True)
def _best_channel(attraction: np.ndarray, rows: np.ndarray, outcome_weight: float, referral: np.ndarray,
                  agency: np.ndarray, no_agency: bool, noise_scale: float, gumbel: np.ndarray) -> np.ndarray:
    """Each row's channel: the largest of ``outcome_weight * attraction`` plus the channel's pull plus noise.

    The pulls: ``referral`` and ``agency`` added to those channels, the agency channel
    shut (``NO_CHANNEL``) when ``no_agency``; the noise ``noise_scale * gumbel``. The
    same sums in the same order as the numpy form (a float64 utility matrix built in
    five passes, then argmax: the first largest, NaN largest), in one pass (at the
    whole city, ~3 ms a month less).
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
    """Each of ``rows``' contacts (the ``contact_group`` entries equal to its ``group``) and their strength.

    Strength is ``reach * contacts / max(mean contacts, 1) + floor``: numpy's
    ``bincount``, gather, ``mean`` (an exact sum of counts), product and quotient,
    step for step, in one pass (it replaced eight numpy calls a side); the
    logarithm stays numpy's.
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


def _gumbel(world: World, name: str, rows: np.ndarray) -> np.ndarray:
    """``world.streams.gumbel(name, month, rows, N_CHANNELS)``, its logarithms numpy's, in place."""
    g = _gumbel_uniforms(rows, world.streams.ukey(name, world.month))
    np.log(g, out=g)
    np.negative(g, out=g)
    np.log(g, out=g)
    return np.negative(g, out=g)


@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), 1.0, np.zeros(1, np.int64),
                         0.5, np.zeros(1), 0.0, False, 1.0, np.zeros((1, N_CHANNELS))))
def _workers_channel(attraction: np.ndarray, rows: np.ndarray, outcome_weight: float, contacts: np.ndarray,
                     referral_utility: float, log_strength: np.ndarray, agency: float, no_agency: bool,
                     noise_scale: float, gumbel: np.ndarray) -> np.ndarray:
    """Searchers' channels: :func:`_best_channel` with referrals open to those with contacts.

    The referral pull ``referral_utility + log_strength`` (else ``NO_CHANNEL``), the
    agency pull ``agency`` for all, built in the same pass (three numpy calls fewer).
    """
    n = rows.size
    referral = np.empty(n)
    for i in range(n):
        referral[i] = referral_utility + log_strength[i] if contacts[i] > 0 else NO_CHANNEL
    return _best_channel(attraction, rows, outcome_weight, referral, np.full(n, agency), no_agency, noise_scale,
                         gumbel)


def _households_example() -> tuple:
    rows, attraction = np.zeros(1, np.int64), np.zeros((1, N_CHANNELS), np.float32)
    return (attraction, rows, 1.0, True, 0.5, np.zeros(1), np.zeros(1, np.float32), 0.5, 0.2, 0.1, False, 1.0,
            np.zeros((1, N_CHANNELS)), np.ones(1), np.uint64(1))


@kernel(example=_households_example)
def _households_channel(attraction: np.ndarray, rows: np.ndarray, outcome_weight: float, anyone: bool,
                        referral_utility: float, log_strength: np.ndarray, trust_agency: np.ndarray,
                        trust_weight: float, agency_utility: float, fee_cost: float, no_agency: bool,
                        noise_scale: float, gumbel: np.ndarray, weights: np.ndarray,
                        key: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """Households' channels (:func:`_best_channel`), and the agency each agency client picks.

    The referral pull ``referral_utility + log_strength`` when ``anyone`` is employed,
    the agency pull ``agency_utility + trust_weight * (trust - 0.5) - fee_cost`` in
    float32 as numpy computes it from the float32 column; an agency by inverse CDF of
    ``weights`` (numpy's sequential ``cumsum``, normalised, ``searchsorted`` to the
    right) with the stream ``household_agency``'s draw of the row. One pass where
    numpy made about fifteen calls.
    """
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


def learn(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, success: np.ndarray,
          rate: float) -> None:
    """Move the appeal of the channel each agent used toward how it turned out."""
    _learn(attraction, rows, channel, success, rate)


@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), np.zeros(1, np.int8),
                         np.zeros(1, np.bool_), 0.1), inner=True)
def _learn(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, success: np.ndarray, rate: float) -> None:
    """:func:`learn` in one pass, in float32 as numpy does it (a gather and a scatter fewer over rows)."""
    step = np.float32(rate)
    for i in range(rows.size):
        current = attraction[rows[i], channel[i]]
        attraction[rows[i], channel[i]] = current + step * (np.float32(success[i]) - current)


def learn_matched(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, matched: np.ndarray,
                  rate: float) -> None:
    """:func:`learn` with success for the positions ``matched`` of ``rows``, the rest failing."""
    _learn_matched(attraction, rows, channel, matched, rate)


@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), np.zeros(1, np.int8),
                         np.zeros(1, np.int64), 0.1))
def _learn_matched(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, matched: np.ndarray,
                   rate: float) -> None:
    """:func:`learn_matched`: the success mask and :func:`_learn` in one call instead of four."""
    success = np.zeros(rows.size, dtype=np.bool_)
    for p in matched:
        success[p] = True
    _learn(attraction, rows, channel, success, rate)

