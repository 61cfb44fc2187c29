"""Behaviour that varies where people differ: contracts and insurance, prices, wage setting, migration, records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.runner import last_months_means, run_replicates
from model.tables import EMPLOYED, LIVE_OUT

from .conftest import run_months, small_scenario

SIZE = {"workers.count": 2000, "households.count": 3000, "agencies.count": 20, "months": 48, "replicates": 2}


def outcomes(**overrides) -> pd.Series:
    """Last-12-month means, averaged over two replicates."""
    return last_months_means(run_replicates(small_scenario(**{**SIZE, **overrides}), workers=1)).mean()


def mandate(enforcement: float, fine: float) -> dict:
    return {"policies.contract_mandate.enabled": True, "policies.contract_mandate.enforcement": enforcement,
            "policies.contract_mandate.fine": fine}


# --- item 4: contracts and insurance ------------------------------------------------


def test_contracts_vary_with_household_income_and_job_type():
    model, _ = run_months(small_scenario(**SIZE))
    w, h = model.workers, model.households
    employed = np.flatnonzero((w.view("status") == EMPLOYED) & ~w.view("agency_employed"))
    income = h.income_yuan[w.employer[employed]]
    contract = w.contract[employed]
    rich = contract[income >= np.quantile(income, 0.75)].mean()
    poor = contract[income <= np.quantile(income, 0.25)].mean()
    assert rich > 1.5 * poor
    cleaner = contract[w.job_type[employed] == LIVE_OUT].mean()
    others = contract[w.job_type[employed] != LIVE_OUT].mean()
    assert cleaner < 0.8 * others


def test_a_contract_mandate_works_smoothly_with_enforcement_times_fine():
    """Dose-response: the contract share rises step by step with the expected fine, no cliff."""
    doses = [(0.1, 7500.0), (0.2, 7500.0), (0.3, 7500.0), (0.3, 10000.0), (0.3, 12500.0)]
    base = outcomes()["contract_share"]
    shares = np.array([outcomes(**mandate(e, f))["contract_share"] for e, f in doses])
    steps = np.diff(np.r_[base, shares])
    assert np.all(steps > 0.005), f"not rising at every dose: {np.r_[base, shares]}"
    assert steps.max() < 0.5 * (shares[-1] - base), f"a cliff, not a dose-response: {np.r_[base, shares]}"
    assert shares[-1] > base + 0.2


def test_inspections_find_and_fine_jobs_without_a_contract():
    fine = 8000.0
    run = run_replicates(small_scenario(**SIZE, **mandate(0.3, fine)), replicates=1, workers=1)
    assert run["inspections_found"].sum() > 0
    # With no fee cap, every fine is a contract-mandate fine paid by a household.
    assert run["fines_paid"].sum() == pytest.approx(fine * run["inspections_found"].sum())
    assert outcomes()["inspections_found"] == 0


def test_an_insurance_subsidy_works_through_the_same_choice():
    shares = [outcomes(**{"policies.insurance_subsidy.enabled": True, "policies.insurance_subsidy.share": s})
              for s in (0.0, 0.4, 0.8)]
    insured = [o["insured_share"] for o in shares]
    assert insured[0] < insured[1] < insured[2]
    for o in shares:
        assert o["formal_share"] <= o["contract_share"] + 1e-12
