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

from typing import TYPE_CHECKING

import numpy as np

from model import labour
from model.mechanisms import agencies, channels, contracts, wages
from model.mechanisms.matching import cap_per_group, group_order, sorted_assignment, urn_ball
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
    searchers = np.flatnonzero((w.view("status") == SEARCHING) & (w.view("training_left") == 0))
    vacancies = np.flatnonzero((h.view("need") >= 0) & (h.view("worker") < 0))
    model.market.set_tightness(model, searchers, vacancies)
    if wages.posting(model):
        wages.post(model, searchers, vacancies)
    model.flows.searchers_at_matching = int(searchers.size)
    model.flows.vacancies_at_matching = int(vacancies.size)
    agencies.decide_conduct(model)
    if searchers.size == 0 or vacancies.size == 0:
        return

    w_channel = channels.choose_workers(model, searchers)
    h_channel, h_agency = channels.choose_households(model, vacancies)

    hired_w, hired_h, hired_c, hired_a = [], [], [], []
    for channel in (OPEN, REFERRAL, AGENCY):
        ws, hs = w_channel == channel, h_channel == channel
        app, vac = _match_channel(model, channel, searchers[ws], vacancies[hs], h_agency[hs])
        hired_w.append(searchers[ws][app])
        hired_h.append(vacancies[hs][vac])
        hired_c.append(np.full(app.size, channel, dtype=np.int8))
        hired_a.append(h_agency[hs][vac] if channel == AGENCY else np.full(app.size, -1))
    workers = np.concatenate(hired_w)
    households = np.concatenate(hired_h)
    channel = np.concatenate(hired_c)
    agency = np.concatenate(hired_a).astype(np.int32)

    _learn(model, searchers, w_channel, vacancies, h_channel, workers, households)
    _start_jobs(model, workers, households, channel, agency)


def _match_channel(model: DomesticWorkModel, channel: int, workers: np.ndarray, households: np.ndarray,
                   h_agency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w, h = model.workers, model.households
    w_type = w.job_type[workers].astype(np.int64)
    h_type = h.need[households].astype(np.int64)
    log_prod = np.log(wages.productivity(model, workers))
    noise = model.streams.normal("screening", model.month, workers)
    # With credit records every hirer sees workers' records and prefers the better ones.
    visible = model.params.policies.credit_records.record_weight if model.levers.credit_records else 0.0
    record = (w.record[workers] - 0.5) * visible

    def acceptable(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return _acceptable(model, workers[i], households[j], channel == AGENCY, h_agency[j])

    def surplus(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        lo = wages.worker_minimum(model, workers[i], households[j])
        if wages.posting(model):  # she takes the best-paid offer
            return wages.bargain(model, workers[i], households[j], np.zeros(i.size, dtype=bool)) - lo
        return wages.household_maximum(model, workers[i], households[j]) - lo

    if channel == AGENCY:
        # Workers register with several agencies and agencies know asks and offers: the
        # agency channel pairs them in order, then each agency keeps what it can place.
        ask = wages.reservation(model, workers) / wages.productivity(model, workers)
        app, vac = sorted_assignment(w_type, h_type, ask, wages.offer_per_unit(model, households))
        ok = acceptable(app, vac)
        app, vac = app[ok], vac[ok]
        score = model.params.agencies.screening * (log_prod + record) + noise
        keep = cap_per_group(h_agency[vac], score[app], model.agencies.capacity[: model.agencies.n])
        return app[keep], vac[keep]

    if channel == OPEN:
        k = model.params.market.open_applications
        app_group, vac_group, n_groups = w_type, h_type, N_JOB_TYPES
        score = model.params.market.open_screening * log_prod + record + noise
    else:
        k = 1
        contact_origin = _referral_origins(model, households)
        app_group = w.origin[workers].astype(np.int64) * N_JOB_TYPES + w_type
        vac_group = contact_origin * N_JOB_TYPES + h_type
        n_groups = model.params.migration.origins * N_JOB_TYPES
        score = model.params.market.referral_screening * log_prod + record + noise
    draws = model.streams.uniform(f"applications_{channel}", model.month, workers, k).T
    return urn_ball(app_group, vac_group, n_groups, draws, score, acceptable, surplus)


def _acceptable(model: DomesticWorkModel, workers: np.ndarray, households: np.ndarray,
                via_agency: bool, agency: np.ndarray) -> np.ndarray:
    """A job happens when the household's maximum covers her minimum and any floor that binds it.

    Under wage posting, also when the wage it would pay (posted, or the floor) covers her minimum.
    """
    hi = wages.household_maximum(model, workers, households)
    lo = wages.worker_minimum(model, workers, households)
    eb = np.zeros(workers.size, dtype=bool)
    if via_agency:
        eb = model.agencies.business_model[agency] == EMPLOYEE_BASED
    floor = wages.legal_floor(model, model.workers.job_type[workers], households, eb)
    ok = hi >= np.maximum(lo, floor)
    if wages.posting(model):
        ok &= wages.bargain(model, workers, households, eb) >= lo
    return ok


def _referral_origins(model: DomesticWorkModel, households: np.ndarray) -> np.ndarray:
    """Hometown of the worker who passes each referral vacancy on: one employed nearby, else anywhere."""
    w, h = model.workers, model.households
    employed = np.flatnonzero(w.view("status") == EMPLOYED)
    if employed.size == 0:
        return np.zeros(households.size, dtype=np.int64)
    cell = h.cell[w.employer[employed]]
    order = group_order(cell, model.city.cells)
    count = np.bincount(cell, minlength=model.city.cells)
    start = np.cumsum(count) - count
    u = model.streams.uniform("referral_contact", model.month, households)
    c = count[h.cell[households]]
    local = start[h.cell[households]] + np.minimum((u * c).astype(np.int64), np.maximum(c - 1, 0))
    anywhere = np.minimum((u * employed.size).astype(np.int64), employed.size - 1)
    contact = np.where(c > 0, employed[order][np.minimum(local, employed.size - 1)], employed[anywhere])
    return w.origin[contact].astype(np.int64)


def _learn(model: DomesticWorkModel, searchers: np.ndarray, w_channel: np.ndarray,
           vacancies: np.ndarray, h_channel: np.ndarray, workers: np.ndarray, households: np.ndarray) -> None:
    rate = model.params.channels.learning_rate
    hired = np.isin(searchers, workers, assume_unique=True)
    channels.learn(model.workers.attraction, searchers, w_channel, hired, rate)
    filled = np.isin(vacancies, households, assume_unique=True)
    channels.learn(model.households.attraction, vacancies, h_channel, filled, rate)


def _start_jobs(model: DomesticWorkModel, workers: np.ndarray, households: np.ndarray,
                channel: np.ndarray, agency: np.ndarray) -> None:
    a, w = model.agencies, model.workers
    eb = np.zeros(workers.size, dtype=bool)
    via_agency = agency >= 0
    eb[via_agency] = a.business_model[agency[via_agency]] == EMPLOYEE_BASED
    wage = wages.bargain(model, workers, households, eb)
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
    active = np.flatnonzero(a.view("active"))
    model.flows.agency_placements += int(agency.size)
    if agency.size == 0 or active.size == 0:
        return
    threshold = np.quantile(a.reputation[active], 0.75)
    model.flows.top_quartile_placements += int(np.count_nonzero(a.reputation[agency] >= threshold))


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
