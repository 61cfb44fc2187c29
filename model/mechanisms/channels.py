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

from model.jit import kernel
from model.mechanisms.agencies import household_cost_months, posted_worker_fee
from model.population import pick
from model.tables import AGENCY, EMPLOYED, N_CHANNELS, REFERRAL

if TYPE_CHECKING:
    from model.model import DomesticWorkModel

NO_CHANNEL = -1e9


def employed_by_origin(model: DomesticWorkModel, employed: np.ndarray | None = None) -> np.ndarray:
    """Employed workers from each hometown county (``employed``: their rows, when known)."""
    w = model.workers
    if employed is None:
        employed = np.flatnonzero(w.view("status") == EMPLOYED)
    return np.bincount(w.origin[employed], minlength=model.params.migration.origins)


def agency_weights(model: DomesticWorkModel, cost_months: np.ndarray) -> np.ndarray:
    """How strongly each agency draws clients: capacity, reputation if visible, cost."""
    a = model.agencies
    p = model.params.channels
    lev = model.levers
    active = a.view("active")
    reputation_pull = lev.credit_weight * (a.view("reputation") - 0.5) if lev.credit_records else 0.0
    weight = a.view("capacity") * np.exp(reputation_pull - p.agency_fee_weight_share * p.fee_weight * cost_months)
    return np.where(active, weight, 0.0)


def choose_workers(model: DomesticWorkModel, workers: np.ndarray, employed: np.ndarray | None = None) -> np.ndarray:
    """Channel of each searching worker this month (with agencies, she registers with several).

    ``employed``: rows of the employed workers, when the caller has them.
    """
    p = model.params.channels
    w, a = model.workers, model.agencies

    contacts = employed_by_origin(model, employed)[w.origin[workers]]
    mean_contacts = max(float(contacts.mean()) if contacts.size else 0.0, 1.0)
    strength = model.params.market.referral_reach * contacts / mean_contacts
    referral = np.where(contacts > 0, p.referral_utility + np.log(strength + 1e-9), NO_CHANNEL)

    all_agencies = np.arange(a.n)
    fee = posted_worker_fee(model, all_agencies)
    weights = agency_weights(model, fee)
    total = weights.sum()
    agency = np.zeros(workers.size)
    if total > 0:
        mean_fee = float((fee * weights).sum() / total)  # np.average's arithmetic, without its checks
        agency += p.agency_utility - p.fee_weight * mean_fee

    gumbel = model.streams.gumbel("worker_channel", model.month, workers, N_CHANNELS)
    return _best_channel(w.attraction, workers, p.outcome_weight, referral, agency, not total > 0,
                         p.choice_noise, gumbel)


def choose_households(model: DomesticWorkModel, households: np.ndarray,
                      employer_cell: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Channel and agency (or -1) of each household with a vacancy this month.

    ``employer_cell``: where each employed worker works, when the caller has it.
    """
    p = model.params.channels
    h, a = model.households, model.agencies

    neighbours = workers_by_cell(model, employer_cell)[h.cell[households]]
    mean_neighbours = max(float(neighbours.mean()) if neighbours.size else 0.0, 1.0)
    strength = model.params.market.referral_reach * neighbours / mean_neighbours
    # With nobody employed anywhere there is nobody to ask.
    if model.n_employed:
        referral = p.referral_utility + np.log(strength + p.referral_floor)
    else:
        referral = np.full(households.size, NO_CHANNEL)

    all_agencies = np.arange(a.n)
    cost = household_cost_months(model, all_agencies)
    weights = agency_weights(model, cost)
    total = weights.sum()
    agency_pull = np.zeros(households.size)
    if total > 0:
        mean_cost = float((cost * weights).sum() / total)
        trust = p.trust_weight * (h.trust_agency[households] - 0.5)
        # Credit records steer a household to the agencies with better records (agency_weights),
        # not to agencies as a whole. (float32, as numpy computes it, added in float64.)
        agency_pull += p.agency_utility + trust - p.fee_weight * mean_cost

    gumbel = model.streams.gumbel("household_channel", model.month, households, N_CHANNELS)
    channel = _best_channel(h.attraction, households, p.outcome_weight, referral, agency_pull, not total > 0,
                            p.choice_noise, gumbel)
    agency = _pick_agency(model, "household_agency", households, channel, weights)
    return channel, agency


@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), 1.0, np.zeros(1),
                         np.zeros(1), False, 1.0, np.zeros((1, N_CHANNELS))))
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


def _pick_agency(model: DomesticWorkModel, stream: str, rows: np.ndarray, channel: np.ndarray,
                 weights: np.ndarray) -> np.ndarray:
    agency = np.full(rows.size, -1, dtype=np.int64)
    uses = channel == AGENCY
    if uses.any() and weights.sum() > 0:
        u = model.streams.uniform(stream, model.month, rows[uses])
        agency[uses] = pick(weights, u)
    return agency


def workers_by_cell(model: DomesticWorkModel, employer_cell: np.ndarray | None = None) -> np.ndarray:
    """Employed workers working in each neighbourhood (a household's referral contacts).

    ``employer_cell``: the neighbourhood of each employed worker's job, when known.
    """
    if employer_cell is None:
        w, h = model.workers, model.households
        employer_cell = h.cell[w.employer[np.flatnonzero(w.view("status") == EMPLOYED)]]
    return np.bincount(employer_cell, minlength=model.city.cells)


def learn(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, success: np.ndarray,
          rate: float) -> None:
    """Move the appeal of the channel each agent used toward how it turned out."""
    _learn(attraction, rows, channel, success, rate)


@kernel(example=lambda: (np.zeros((1, N_CHANNELS), np.float32), np.zeros(1, np.int64), np.zeros(1, np.int8),
                         np.zeros(1, np.bool_), 0.1))
def _learn(attraction: np.ndarray, rows: np.ndarray, channel: np.ndarray, success: np.ndarray, rate: float) -> None:
    """:func:`learn` in one pass, in float32 as numpy does it (a gather and a scatter fewer over rows)."""
    step = np.float32(rate)
    for i in range(rows.size):
        current = attraction[rows[i], channel[i]]
        attraction[rows[i], channel[i]] = current + step * (np.float32(success[i]) - current)

