"""Urn-ball matching within groups, one synchronous round a month.

Each applicant sends ``k`` applications, each to a vacancy drawn at random among
the vacancies of her group (a channel and job type, plus a hometown for
referrals or an agency for agency placements). Each vacancy with acceptable
applicants picks the best by score; an applicant picked by several vacancies
takes the offer with the largest surplus; everyone unmatched carries over to
next month. With ``k = 1``, every application acceptable and ``U`` applicants
facing ``V`` vacancies, expected hires are ``V (1 - (1 - 1/V)^U)``, which is
``V (1 - exp(-U/V))`` for large ``V``: the urn-ball reference.

Everything is sorting: O(n log n) in the number of applications.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def group_order(group: np.ndarray, n_groups: int) -> np.ndarray:
    """Stable order of items by group; a radix sort when group ids fit in 16 bits."""
    if n_groups <= np.iinfo(np.int16).max:
        group = group.astype(np.int16)
    return np.argsort(group, kind="stable")


def first_per_group(keys: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Positions in ``order`` of the first element of each run of equal ``keys[order]``."""
    if order.size == 0:
        return order
    sorted_keys = keys[order]
    is_first = np.empty(order.size, dtype=bool)
    is_first[0] = True
    is_first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return order[is_first]


def urn_ball(
    applicant_group: np.ndarray,
    vacancy_group: np.ndarray,
    n_groups: int,
    draws: np.ndarray,
    score: np.ndarray,
    acceptable: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    surplus: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Match applicants to vacancies within groups.

    Args:
        applicant_group: group of each applicant (0..n_groups-1).
        vacancy_group: group of each vacancy.
        n_groups: number of groups.
        draws: uniforms of shape (k, n_applicants), one column an applicant;
            row j picks her j-th application.
        score: how a vacancy ranks each applicant (higher is better, ties broken by order).
        acceptable: ``f(applicant_idx, vacancy_idx) -> bool`` for each application;
            unacceptable applications fail (wage gap, minimum wage). None: all accepted.
        surplus: ``f(applicant_idx, vacancy_idx) -> float``, how an applicant ranks offers.
            None: the first application wins.

    Returns:
        (applicant_idx, vacancy_idx): matched pairs, indices into the inputs, each
        applicant and each vacancy at most once.
    """
    empty = np.zeros(0, dtype=np.int64)
    if applicant_group.size == 0 or vacancy_group.size == 0:
        return empty, empty
    vac_order = group_order(vacancy_group, n_groups)
    vac_count = np.bincount(vacancy_group, minlength=n_groups)
    vac_start = np.cumsum(vac_count) - vac_count

    count = vac_count[applicant_group]
    start = vac_start[applicant_group]
    can_apply = np.flatnonzero(count > 0)
    k = draws.shape[0]
    app = np.tile(can_apply, k)
    u = draws[:, can_apply].ravel()
    pos = start[app] + np.minimum((u * count[app]).astype(np.int64), count[app] - 1)
    vac = vac_order[pos]
    if acceptable is not None and app.size:
        ok = acceptable(app, vac)
        app, vac = app[ok], vac[ok]
    if app.size == 0:
        return empty, empty

    # Each vacancy picks its best applicant.
    by_vacancy = np.lexsort((-score[app], vac))
    picked = first_per_group(vac, by_vacancy)
    app, vac = app[picked], vac[picked]

    # Each applicant with several offers takes the best one.
    rank = -surplus(app, vac) if surplus is not None else np.zeros(app.size)
    by_applicant = np.lexsort((rank, app))
    taken = first_per_group(app, by_applicant)
    return app[taken].astype(np.int64), vac[taken].astype(np.int64)


def sorted_assignment(
    applicant_group: np.ndarray,
    vacancy_group: np.ndarray,
    applicant_ask: np.ndarray,
    vacancy_offer: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Informed matching within groups, as agencies that know both sides do it.

    When a pair is acceptable exactly when offer >= ask, the largest number of
    acceptable pairs k is found by pairing the k lowest asks, in order, with the
    k highest offers, in order (the lowest ask with the k-th highest offer), and
    k is found by bisection. The caller re-checks acceptability with pair-specific
    costs. Groups are few (job types), so the loop over them is short.

    Returns:
        (applicant_idx, vacancy_idx) of the matched pairs.
    """
    app_parts, vac_parts = [], []
    for g in np.intersect1d(applicant_group, vacancy_group):
        apps = np.flatnonzero(applicant_group == g)
        vacs = np.flatnonzero(vacancy_group == g)
        apps = apps[np.argsort(applicant_ask[apps], kind="stable")]
        vacs = vacs[np.argsort(vacancy_offer[vacs], kind="stable")]
        asks, offers = applicant_ask[apps], vacancy_offer[vacs]
        lo, hi = 0, min(apps.size, vacs.size)
        while lo < hi:  # the largest feasible k; feasibility is monotone in k
            k = (lo + hi + 1) // 2
            if np.all(asks[:k] <= offers[offers.size - k:]):
                lo = k
            else:
                hi = k - 1
        app_parts.append(apps[:lo])
        vac_parts.append(vacs[vacs.size - lo:])
    if not app_parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(app_parts).astype(np.int64), np.concatenate(vac_parts).astype(np.int64)


def cap_per_group(group: np.ndarray, score: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Mask keeping at most ``capacity[g]`` items of each group ``g``, the best by score."""
    if group.size == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((-score, group))
    sorted_group = group[order]
    run_start = np.r_[0, np.flatnonzero(sorted_group[1:] != sorted_group[:-1]) + 1]
    run_id = np.cumsum(np.r_[False, sorted_group[1:] != sorted_group[:-1]])
    rank = np.arange(order.size) - run_start[run_id]
    keep = np.zeros(group.size, dtype=bool)
    keep[order] = rank < capacity[sorted_group]
    return keep
