"""What a comparison reports: headline metrics, the standards scorecard, who gains and who pays.

Each measure names the timeseries column it reads. A measure may name stand-ins
(columns it falls back to, with their own labels) for a model version that does
not measure its column; reports and figures say when a stand-in or nothing is shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from model.core import metrics

SHARE, YUAN, COUNT = "share", "yuan", "count"

# Money columns (yuan): everything else that is not a share is a count or a number of people.
_GROUP_MONEY = {"care_spending", "fees_paid"}  # metrics by group in yuan a month (model/core/groups.py)
_MONEY = {
    "mean_wage", "median_wage", "p10_wage", "p90_wage", "mean_agreed_wage", "worker_fees_paid",
    "household_fees_paid", "fines_paid", "wages_lost", "insurance_contributions", "public_subsidies",
    "remittances", "mean_net_income", "mean_savings", "workers_net_income", "household_care_spending",
    "agency_income_intermediary", "agency_income_membership", "agency_income_employee_based", "state_net_cost",
    "money_unaccounted", "household_placement_fees_paid", "household_service_bills_paid", "worker_contributions",
    "living_costs", "course_fees", "kin_loans", "kin_repayments",
}


def unit(column: str) -> str:
    """``share`` (shown in percent and points), ``yuan`` or ``count``.

    A metric by group (``METRIC__KIND_VALUE``, e.g. ``care_spending__income_quintile_1``) has its
    metric's unit.
    """
    if column in metrics.SHARE_COLUMNS or column == "annual_turnover" or column.endswith("_share"):
        return SHARE
    base = column.partition("__")[0]
    if base != column:
        return SHARE if base.endswith("_share") else YUAN if base in _GROUP_MONEY or base in _MONEY else COUNT
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


def resolve_all(entries: tuple[Measure, ...], available: Collection[str]) -> list[tuple[Measure, str, str]]:
    """``(measure, column, label)`` of each of ``entries`` that the model measures, or a stand-in of it."""
    available = set(available)
    return [(m, *r) for m in entries if (r := m.resolve(available)) is not None]


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
    Measure("c189_written_terms_share", "C189 Art. 7: written terms"),
    Measure("c189_minimum_wage_share", "C189 Art. 11: minimum wage"),
    Measure("c189_social_security_share", "C189 Art. 14: social security"),
    Measure("c181_no_fee_share", "C181 Art. 7: no fee"),
    Measure("decent_work_share", "all four standards"),
)

# Who gains, who pays: (party, measure). Differences from the first scenario: more income is a gain,
# more spending or cost is a payment.
WHO_GAINS: tuple[tuple[str, Measure], ...] = (
    ("workers", Measure("workers_net_income", "workers' net income")),
    ("workers", Measure("remittances", "remittances sent home")),
    ("households", Measure("household_care_spending", "households' spending on care")),
    ("households", Measure("unmet_need_share", "unmet household need")),
    ("agencies", Measure("agency_income_intermediary", "income of intermediary agencies")),
    ("agencies", Measure("agency_income_membership", "income of membership agencies")),
    ("agencies", Measure("agency_income_employee_based", "income of employee-based agencies")),
    ("the state", Measure("state_net_cost", "net cost (subsidies less fines and contributions)")),
)
