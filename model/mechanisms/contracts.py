"""Contracts and formalization: who signs a written labour contract, who is insured.

A household signs when the expected fine it avoids plus what the worker asks for
it outweighs what a contract costs the household, with idiosyncratic costs
(logistic). Given a contract, the job is insured when the worker values the
contributions more than the share nobody subsidises costs her in cash now;
migrants value them less (hukou limits portability), a reform narrows the gap.
Employee-based agencies always sign and insure. Jobs are reviewed about once a
year, so a new mandate reaches existing jobs too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from model.tables import EMPLOYED

if TYPE_CHECKING:
    from model.model import DomesticWorkModel



def contribution_yuan(model: DomesticWorkModel, wage: np.ndarray) -> np.ndarray:
    """Monthly social insurance contributions of a job."""
    c = model.params.contracts
    return c.contribution_rate * np.maximum(wage, c.contribution_base_min_yuan)


def decide(model: DomesticWorkModel, workers: np.ndarray, stream: str) -> None:
    """Set contract and insurance of employed ``workers`` (at hire or at a review)."""
    if workers.size == 0:
        return
    c = model.params.contracts
    w = model.workers
    households = w.employer[workers]
    u_contract = model.streams.uniform(f"{stream}_contract", model.month, households)
    u_insure = model.streams.uniform(f"{stream}_insure", model.month, workers)

    gain = model.levers.contract_expected_fine_yuan + c.worker_value_yuan - c.household_cost_yuan
    signs = u_contract < expit(gain / c.decision_scale_yuan)

    cost = contribution_yuan(model, w.wage_yuan[workers].astype(np.float64))
    value = insurance_value(model, workers)
    net = (value - (1.0 - model.levers.insurance_subsidy_share)) * cost
    insures = signs & (u_insure < expit(net / c.decision_scale_yuan))

    eb = w.agency_employed[workers]
    w.contract[workers] = signs | eb
    w.insured[workers] = insures | eb | w.self_insured[workers]


def insurance_value(model: DomesticWorkModel, workers: np.ndarray) -> np.ndarray:
    """What a yuan of contributions is worth to each worker."""
    c = model.params.contracts
    local = model.workers.local_hukou[workers]
    migrant_value = c.value_local - (c.value_local - c.value_migrant) * model.levers.hukou_gap
    return np.where(local, c.value_local, migrant_value)


def review(model: DomesticWorkModel) -> None:
    """About once a year each job's terms are reviewed; some workers enrol on their own."""
    w = model.workers
    employed = np.flatnonzero(w.view("status") == EMPLOYED)
    u = model.streams.uniform("contract_review", model.month, employed)
    decide(model, employed[u < model.params.contracts.reviews_per_year / 12.0], "review")

    c = model.params.contracts
    present = np.flatnonzero(w.active & ~w.view("self_insured"))
    value = insurance_value(model, present)
    rate = c.self_enrol_rate * value / max(c.value_local, 1e-9)
    u_self = model.streams.uniform("self_enrol", model.month, present)
    enrol = present[u_self < rate]
    w.self_insured[enrol] = True
    w.insured[enrol] = True
