"""Urn-ball matching within groups, one synchronous round a month.

Each applicant sends ``k`` applications, each to a vacancy drawn at random among
the vacancies of her group (a channel and job type, plus a hometown for
referrals or an agency for agency placements). Each vacancy with acceptable
applicants picks the best by score; an applicant picked by several vacancies
takes the offer with the largest surplus; everyone unmatched carries over to
next month. With ``k = 1``, every application acceptable and ``U`` applicants
facing ``V`` vacancies, expected hires are ``V (1 - (1 - 1/V)^U)``, which is
``V (1 - exp(-U/V))`` for large ``V``: the urn-ball reference.

Everything is one pass over the applications, or sorting: O(n log n) at most.
The passes are compiled kernels (:mod:`model.core.jit`): a hiring round at 1:100 of
the city is a few hundred applications, where each numpy call costs more than
the work it does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from model.core.jit import kernel

_EMPTY = np.zeros(0, dtype=np.int64)


# --- the rules, in numpy -----------------------------------------------------------------


def group_order_numpy(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Items in order of their group (ids 0..n_groups-1), keeping their order within a group.

    Returns:
        (order, count, start): the stable order, each group's count, and where its items start in ``order``.
    """
    count = np.bincount(group, minlength=n_groups)
    return np.argsort(group, kind="stable"), count, np.cumsum(count) - count


def applications_numpy(applicant_group: np.ndarray, vacancy_group: np.ndarray, n_groups: int,
                       draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each applicant's applications go, in an urn-ball round.

    Applicant ``a``'s ``r``-th application goes to vacancy ``floor(draws[r, a] * c)``, in
    row order, among the ``c`` vacancies of her group: each vacancy of her group equally
    likely. An applicant whose group has no vacancy sends none.

    Args:
        applicant_group: group of each applicant (0..n_groups-1).
        vacancy_group: group of each vacancy.
        n_groups: number of groups.
        draws: uniforms of shape (k, n_applicants).

    Returns:
        (applicant_idx, vacancy_idx), one pair an application, round by round, applicants in order.
    """
    vac_order, vac_count, vac_start = group_order_numpy(vacancy_group, n_groups)
    count, start = vac_count[applicant_group], vac_start[applicant_group]
    app = np.tile(np.flatnonzero(count > 0), draws.shape[0])
    u = draws[:, np.flatnonzero(count > 0)].ravel()
    return app, vac_order[start[app] + np.minimum((u * count[app]).astype(np.int64), count[app] - 1)]


def best_per_group_numpy(group: np.ndarray, key: np.ndarray, n_groups: int) -> np.ndarray:
    """The item with the largest ``key`` in each group: a vacancy's best applicant, an applicant's best offer.

    Groups in order; ties go to the earliest item, NaN loses to any number.
    ``n_groups`` is not needed in numpy; it is the kernel's signature.
    """
    if group.size == 0:
        return _EMPTY
    order = np.lexsort((-key, group))
    sorted_group = group[order]
    return order[np.r_[True, sorted_group[1:] != sorted_group[:-1]]]


def sorted_assignment_numpy(applicant_group: np.ndarray, vacancy_group: np.ndarray, applicant_ask: np.ndarray,
                            vacancy_offer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How an agency that knows both sides pairs them: the most acceptable pairs its pool allows.

    In each group (in increasing order), the k lowest asks in order with the k highest
    offers in order (the lowest ask with the k-th highest offer), for the largest k
    that makes every pair acceptable (ask <= offer; NaN never is), found by bisection.

    Returns:
        (applicant_idx, vacancy_idx) of the pairs.
    """
    app_parts, vac_parts = [_EMPTY], [_EMPTY]
    for g in np.intersect1d(applicant_group, vacancy_group):
        apps = np.flatnonzero(applicant_group == g)
        vacs = np.flatnonzero(vacancy_group == g)
        apps = apps[np.argsort(applicant_ask[apps], kind="stable")]
        vacs = vacs[np.argsort(vacancy_offer[vacs], kind="stable")]
        asks, offers = applicant_ask[apps], vacancy_offer[vacs]
        lo, hi = 0, min(apps.size, vacs.size)
        while lo < hi:
            k = (lo + hi + 1) // 2
            if np.all(asks[:k] <= offers[offers.size - k:]):
                lo = k
            else:
                hi = k - 1
        app_parts.append(apps[:lo])
        vac_parts.append(vacs[vacs.size - lo:])
    return np.concatenate(app_parts), np.concatenate(vac_parts)


def cap_per_group_numpy(group: np.ndarray, score: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Which items each group keeps within its capacity: an agency places at most ``capacity[g]``, the best first.

    The best by ``score``; ties go to the earliest item, NaN scores come last.

    Returns:
        A mask over the items.
    """
    if group.size == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((-score, group))
    sorted_group = group[order]
    run_start = np.r_[0, np.flatnonzero(sorted_group[1:] != sorted_group[:-1]) + 1]
    run_id = np.cumsum(np.r_[False, sorted_group[1:] != sorted_group[:-1]])
    keep = np.zeros(group.size, dtype=bool)
    keep[order] = np.arange(order.size) - run_start[run_id] < capacity[sorted_group]
    return keep


# --- the round, by kernels -----------------------------------------------------------------


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
    app, vac = applications(applicant_group, vacancy_group, n_groups, draws)
    if acceptable is not None and app.size:
        ok = acceptable(app, vac)
        app, vac = app[ok], vac[ok]
    if app.size == 0:
        return _EMPTY, _EMPTY
    picked = best_per_group(vac, np.asarray(score, dtype=np.float64)[app], vacancy_group.size)
    app, vac = app[picked], vac[picked]
    rank = surplus(app, vac) if surplus is not None else np.zeros(app.size)
    taken = best_per_group(app, rank, applicant_group.size)
    return app[taken], vac[taken]


def applications(applicant_group: np.ndarray, vacancy_group: np.ndarray, n_groups: int,
                 draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The applications of an urn-ball round: (applicant_idx, vacancy_idx), one pair an application.

    Applicant ``a``'s ``r``-th application goes to vacancy ``floor(draws[r, a] * c)`` in
    row order among the ``c`` vacancies of her group; applicants whose group has no
    vacancy send none. Applications come round by round, applicants in order.
    """
    if applicant_group.size == 0 or vacancy_group.size == 0:
        return _EMPTY, _EMPTY
    return _applications(np.asarray(applicant_group, dtype=np.int64), np.asarray(vacancy_group, dtype=np.int64),
                         int(n_groups), np.ascontiguousarray(draws, dtype=np.float64))


def best_per_group(group: np.ndarray, key: np.ndarray, n_groups: int) -> np.ndarray:
    """Position of the item with the largest ``key`` in each group, groups in order.

    Ties go to the earliest position; NaN loses to any number. The same as the first
    item of each group after ``np.lexsort((-key, group))``.
    """
    if group.size == 0:
        return _EMPTY
    return _best_per_group(np.asarray(group, dtype=np.int64), np.asarray(key, dtype=np.float64), int(n_groups))


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
    costs. Groups are few (job types, ids 0..n-1), so the loop over them is short.

    Returns:
        (applicant_idx, vacancy_idx) of the matched pairs.
    """
    if applicant_group.size == 0 or vacancy_group.size == 0:
        return _EMPTY, _EMPTY
    return sorted_pairs(np.asarray(applicant_group, dtype=np.int64), np.asarray(vacancy_group, dtype=np.int64),
                        np.asarray(applicant_ask, dtype=np.float64), np.asarray(vacancy_offer, dtype=np.float64))


def cap_per_group(group: np.ndarray, score: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Mask keeping at most ``capacity[g]`` items of each group ``g``, the best by score.

    Ties go to the earliest item; NaN scores come last. The same as keeping the first
    ``capacity[g]`` of each group after ``np.lexsort((-score, group))``.
    """
    if group.size == 0:
        return np.zeros(0, dtype=bool)
    return best_first(np.asarray(group, dtype=np.int64), np.asarray(score, dtype=np.float64),
                      np.asarray(capacity, dtype=np.int64))


_RUN = 16


# --- kernels -------------------------------------------------------------------------------


@kernel(example=lambda: (np.zeros(1, np.int64), 1))
def group_order(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`group_order_numpy` by a counting sort.

    Group g's items are
    ``order[start[g]:start[g] + count[g]]``. O(n + groups), for kernels to share.
    """
    count = np.zeros(n_groups, dtype=np.int64)
    for g in group:
        count[g] += 1
    start = np.empty(n_groups, dtype=np.int64)
    total = 0
    for g in range(n_groups):
        start[g] = total
        total += count[g]
    order = np.empty(group.size, dtype=np.int64)
    fill = start.copy()
    for i in range(group.size):
        g = group[i]
        order[fill[g]] = i
        fill[g] += 1
    return order, count, start

@kernel(example=lambda: (np.zeros(2, np.int64), np.zeros(1, np.int64), 1, np.zeros((1, 2))), inner=True)
def _applications(applicant_group: np.ndarray, vacancy_group: np.ndarray, n_groups: int,
                  draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`applications_numpy` in one pass: the vacancies in :func:`group_order`, then the draws.

    It replaced a stable argsort, a bincount, a cumulative sum and seven gathers
    (about 40 us a channel at 1:100 of the city).
    """
    order, count, start = group_order(vacancy_group, n_groups)
    rounds, n = draws.shape
    senders = 0
    for a in range(n):
        if count[applicant_group[a]] > 0:
            senders += 1
    app = np.empty(senders * rounds, dtype=np.int64)
    vac = np.empty(senders * rounds, dtype=np.int64)
    p = 0
    for r in range(rounds):
        for a in range(n):
            g = applicant_group[a]
            c = count[g]
            if c > 0:
                pick = min(np.int64(draws[r, a] * c), c - 1)
                app[p] = a
                vac[p] = order[start[g] + pick]
                p += 1
    return app, vac

@kernel(example=lambda: (np.zeros(2, np.int64), np.zeros(2), 1), inner=True)
def _best_per_group(group: np.ndarray, key: np.ndarray, n_groups: int) -> np.ndarray:
    """:func:`best_per_group_numpy` in one pass instead of a lexsort (O(n) instead of O(n log n))."""
    best = np.full(n_groups, -1, dtype=np.int64)
    found = 0
    for p in range(group.size):
        g = group[p]
        b = best[g]
        if b < 0:
            best[g] = p
            found += 1
        elif key[p] > key[b] or (np.isnan(key[b]) and not np.isnan(key[p])):
            best[g] = p
    out = np.empty(found, dtype=np.int64)
    q = 0
    for g in range(n_groups):
        if best[g] >= 0:
            out[q] = best[g]
            q += 1
    return out

@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1), np.ones(1)), inner=True)
def sorted_pairs(applicant_group: np.ndarray, vacancy_group: np.ndarray, applicant_ask: np.ndarray,
                 vacancy_offer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sorted_assignment_numpy` for kernels (groups 0..n-1, both sides not empty).

    Each side in ``np.lexsort((ask, group))`` order (:func:`group_order`, then each group
    stably by ask or offer), then :func:`_pair_in_order`: one call instead of two
    lexsorts and six gathers.
    """
    n_groups = max(applicant_group.max(), vacancy_group.max()) + 1
    apps, app_count, app_start = group_order(applicant_group, n_groups)
    vacs, vac_count, vac_start = group_order(vacancy_group, n_groups)
    for g in range(n_groups):
        stable_by_key(apps, app_start[g], app_start[g] + app_count[g], applicant_ask)
        stable_by_key(vacs, vac_start[g], vac_start[g] + vac_count[g], vacancy_offer)
    return _pair_in_order(apps, applicant_group[apps], applicant_ask[apps],
                          vacs, vacancy_group[vacs], vacancy_offer[vacs])

@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1),
                         np.zeros(1, np.int64), np.zeros(1, np.int64), np.ones(1)), inner=True)
def _pair_in_order(apps: np.ndarray, app_group: np.ndarray, asks: np.ndarray,
                   vacs: np.ndarray, vac_group: np.ndarray, offers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of :func:`sorted_assignment`, items sorted by (group, ask or offer): k found by bisection.

    Groups in increasing order; in each, its k lowest asks with its k highest offers.
    One pass instead of ten numpy calls a group (four job types: about 0.2 ms a month
    at 1:100 of the city).
    """
    out_app = np.empty(min(apps.size, vacs.size), dtype=np.int64)
    out_vac = np.empty(min(apps.size, vacs.size), dtype=np.int64)
    n = 0
    a0, v0 = 0, 0
    while a0 < apps.size and v0 < vacs.size:
        g = max(app_group[a0], vac_group[v0])
        while a0 < apps.size and app_group[a0] < g:
            a0 += 1
        while v0 < vacs.size and vac_group[v0] < g:
            v0 += 1
        if a0 == apps.size or v0 == vacs.size or app_group[a0] != g or vac_group[v0] != g:
            continue
        a1, v1 = a0, v0
        while a1 < apps.size and app_group[a1] == g:
            a1 += 1
        while v1 < vacs.size and vac_group[v1] == g:
            v1 += 1
        lo, hi = 0, min(a1 - a0, v1 - v0)
        while lo < hi:  # the largest feasible k; feasibility is monotone in k
            k = (lo + hi + 1) // 2
            feasible = True
            for t in range(k):
                if not asks[a0 + t] <= offers[v1 - k + t]:
                    feasible = False
                    break
            if feasible:
                lo = k
            else:
                hi = k - 1
        for t in range(lo):
            out_app[n] = apps[a0 + t]
            out_vac[n] = vacs[v1 - lo + t]
            n += 1
        a0, v0 = a1, v1
    return out_app[:n], out_vac[:n]

@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1), np.ones(1, np.int64)), inner=True)
def best_first(group: np.ndarray, score: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """:func:`cap_per_group_numpy` for kernels: items by group (:func:`group_order`), each group by score, stably.

    One pass instead of a lexsort of negated scores and the pass that kept the first
    of each group.
    """
    order, count, start = group_order(group, capacity.size)
    key = -score
    keep = np.zeros(group.size, dtype=np.bool_)
    for g in range(capacity.size):
        lo = start[g]
        stable_by_key(order, lo, lo + count[g], key)
        for t in range(min(count[g], max(capacity[g], 0))):
            keep[order[lo + t]] = True
    return keep

@kernel(example=lambda: (np.zeros(2, np.int64), 0, 2, np.zeros(2)), inner=True)
def stable_by_key(order: np.ndarray, lo: int, hi: int, key: np.ndarray) -> None:
    """Sort ``order[lo:hi]`` in place by ``key[order]``, stably, NaN last: numpy's stable order.

    Runs of 16 by insertion, then merged pairwise through a buffer, the left run's item
    first on ties. A stable order is unique, so this is numpy's to the item. Written out
    rather than numba's own merge sort, which took 10 s to compile.
    """
    n = hi - lo
    for start in range(lo, hi, _RUN):
        _insertion(order, start, min(start + _RUN, hi), key)
    if n <= _RUN:
        return
    source, target = order[lo:hi].copy(), np.empty(n, dtype=order.dtype)
    width = _RUN
    while width < n:
        for left in range(0, n, 2 * width):
            middle, right = min(left + width, n), min(left + 2 * width, n)
            i, j = left, middle
            for t in range(left, right):
                if j < right and (i == middle or _ranks_below(key[source[i]], key[source[j]])):
                    target[t] = source[j]
                    j += 1
                else:
                    target[t] = source[i]
                    i += 1
        source, target = target, source
        width *= 2
    order[lo:hi] = source

@kernel(example=lambda: (np.zeros(2, np.int64), 0, 2, np.zeros(2)), inner=True)
def _insertion(order: np.ndarray, lo: int, hi: int, key: np.ndarray) -> None:
    """Sort the short run ``order[lo:hi]`` by ``key[order]`` by insertion, stably, NaN last."""
    for p in range(lo + 1, hi):  # move each item before those ranked below it
        item, q = order[p], p
        while q > lo and _ranks_below(key[order[q - 1]], key[item]):
            order[q] = order[q - 1]
            q -= 1
        order[q] = item

@kernel(example=lambda: (0.0, 1.0), inner=True)
def _ranks_below(a: float, b: float) -> bool:
    """Whether ``a`` sorts after ``b`` in numpy's order (NaN last)."""
    if np.isnan(a):
        return not np.isnan(b)
    return not np.isnan(b) and a > b
