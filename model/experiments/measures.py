"""What a comparison reports: headline metrics, the standards scorecard, who gains and who pays.

Each measure names the timeseries column it reads. A column the model does not
measure yet falls back to the nearest one it does (named, with its own label),
so reports and figures switch to the real column as soon as it appears in
``model.metrics.COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from model import metrics

SHARE, YUAN, COUNT = "share", "yuan", "count"

# Money columns (yuan): everything else that is not a share is a count or a number of people.
_MONEY = {
    "mean_wage", "median_wage", "p10_wage", "p90_wage", "mean_agreed_wage", "worker_fees_paid",
    "household_fees_paid", "fines_paid", "wages_lost", "insurance_contributions", "public_subsidies",
    "remittances", "mean_net_income", "mean_savings", "workers_net_income", "household_care_spending",
    "agency_income_intermediary", "agency_income_membership", "agency_income_employee_based", "state_net_cost",
    "state_net_cost_estimate",
}

# Quantities a comparison derives from columns the model measures, while the model does not measure them itself:
# name -> {column: coefficient}. The state's net cost is what it pays out less what it collects.
DERIVED: dict[str, dict[str, float]] = {
    "state_net_cost_estimate": {"public_subsidies": 1.0, "fines_paid": -1.0, "insurance_contributions": -1.0},
}


def unit(column: str) -> str:
    """``share`` (shown in percent and points), ``yuan`` or ``count``."""
    if column in metrics.SHARE_COLUMNS or column == "annual_turnover" or column.endswith("_share"):
        return SHARE
    if column in _MONEY or column.startswith("mean_wage_"):
        return YUAN
    return COUNT


@dataclass(frozen=True)
class Measure:
    """A quantity a comparison reports, with what stands in for it while the model does not measure it.

    Attributes:
        column: the timeseries column.
        label: words for it in tables, sentences and figures.
        fallbacks: ``(column, label)`` pairs tried in order while ``column`` is not measured.
    """

    column: str
    label: str
    fallbacks: tuple[tuple[str, str], ...] = ()

    def resolve(self, available: Collection[str]) -> tuple[str, str] | None:
        """The column to read and its label, or None when neither it nor a stand-in is measured."""
        if self.column in available:
            return self.column, self.label
        for column, label in self.fallbacks:
            if column in available:
                return column, label
        return None


HEADLINE: tuple[Measure, ...] = (
    Measure("contract_share", "contract share"),
    Measure("insured_share", "insured share"),
    Measure("formal_share", "formal share (contract and insurance)"),
    Measure("decent_work_share", "decent work share (all four standards)"),
    Measure("mean_wage", "mean wage"),
    Measure("p10_wage", "10th-percentile wage"),
    Measure("employed", "employed workers"),
    Measure("unemployment_rate", "unemployment rate"),
    Measure("agency_placement_share", "agency share of hires"),
    Measure("worker_fees_paid", "fees paid by workers"),
    Measure("household_fees_paid", "fees paid by households"),
    Measure("arrears_incidence", "wage arrears incidence"),
    Measure("employee_based_share", "employee-based share"),
    Measure("unmet_need_share", "unmet household need"),
)

# The few shown on the terminal.
TERMINAL = ("contract_share", "insured_share", "decent_work_share", "mean_wage", "unemployment_rate",
            "worker_fees_paid")

SCORECARD: tuple[Measure, ...] = (
    Measure("c189_written_terms_share", "C189 Art. 7: written terms",
            (("contract_share", "C189 Art. 7 (contract_share)"),)),
    Measure("c189_minimum_wage_share", "C189 Art. 11: minimum wage"),
    Measure("c189_social_security_share", "C189 Art. 14: social security",
            (("insured_share", "C189 Art. 14 (insured_share)"),)),
    Measure("c181_no_fee_share", "C181 Art. 7: no fee"),
    Measure("decent_work_share", "all four standards"),
)

# Who gains, who pays: (party, measure). Differences from the first scenario: more income is a gain,
# more spending or cost is a payment.
WHO_GAINS: tuple[tuple[str, Measure], ...] = (
    ("workers", Measure("workers_net_income", "workers' net income",
                        (("mean_net_income", "net income per employed worker"),))),
    ("workers", Measure("remittances", "remittances sent home")),
    ("households", Measure("household_care_spending", "households' spending on care",
                           (("household_fees_paid", "households' fees to agencies"),))),
    ("agencies", Measure("agency_income_intermediary", "income of intermediary agencies",
                         (("agencies_intermediary", "intermediary agencies active"),))),
    ("agencies", Measure("agency_income_membership", "income of membership agencies",
                         (("agencies_membership", "membership agencies active"),))),
    ("agencies", Measure("agency_income_employee_based", "income of employee-based agencies",
                         (("agencies_employee_based", "employee-based agencies active"),))),
    ("the state", Measure("state_net_cost", "state's net cost",
                          (("state_net_cost_estimate",
                            "state's net cost (subsidies - fines - contributions)"),))),
    ("households", Measure("unmet_need_share", "unmet household need")),
)


def with_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (per-replicate means) with the :data:`DERIVED` quantities it can give and does not hold."""
    frame = frame.copy()
    for name, terms in DERIVED.items():
        if name not in frame.columns and all(c in frame.columns for c in terms):
            frame[name] = sum(coef * frame[c] for c, coef in terms.items())
    return frame
