"""Agent state as columns of equal-length numpy arrays.

A row is an agent's permanent id: rows are never compacted or reused, so a Mesa
Agent object that views row ``r`` always sees the same person. Leavers are marked
inactive and keep their history. Every per-agent column is declared once, in the
``COLUMNS`` of its table, so that one :meth:`Table.grow` extends them all.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from model.core.jit import kernel

# Worker status codes.
INACTIVE = 0  # a spare row not yet used by an arrival
SEARCHING = 1
EMPLOYED = 2
AWAY = 3
GONE = 4  # left the city for good
N_STATUS = 5

# Job types (what the work is), in the order used by every per-type parameter and column.
JOB_TYPES = ("live_in_nanny", "live_out_cleaner", "elder_carer", "maternity_nurse")
N_JOB_TYPES = len(JOB_TYPES)

# Work arrangements (how the work is organised): live-in (she lodges with the household,
# room and board part of her pay), live-out full-time (she rents a room and commutes),
# hourly or day work (bought by the hour, a worker may serve several households).
ARRANGEMENTS = ("live_in", "live_out", "hourly")
LIVE_IN, LIVE_OUT, HOURLY = 0, 1, 2
N_ARRANGEMENTS = len(ARRANGEMENTS)
# The arrangement each job type has when nothing else decides it (its name says it).
TYPE_ARRANGEMENT = np.array([LIVE_IN, LIVE_OUT, LIVE_IN, LIVE_IN], dtype=np.int8)
# The arrangements a need of each type can be met in (rows: job types; columns: arrangements):
# care of children or the old lives in or comes by day; cleaning comes by day or by the hour;
# a maternity nurse (yuesao) lives in.
ALLOWED_ARRANGEMENTS = np.array([
    [True, True, False],
    [False, True, True],
    [True, True, False],
    [True, False, False],
])

WEEKS_PER_MONTH = 52.0 / 12.0

# Hiring channels.
CHANNELS = ("open", "referral", "agency")
OPEN, REFERRAL, AGENCY = 0, 1, 2
N_CHANNELS = len(CHANNELS)

# Agency business models.
BUSINESS_MODELS = ("intermediary", "membership", "employee_based")
INTERMEDIARY, MEMBERSHIP, EMPLOYEE_BASED = 0, 1, 2


class Table:
    """Equal-length columns with spare room at the end.

    Subclasses list their columns in ``COLUMNS`` as ``name: (dtype, fill)``.
    ``n`` rows are in use; the arrays are longer so that arrivals rarely copy.
    """

    COLUMNS: ClassVar[dict[str, tuple]] = {}

    def __init__(self, n: int, spare: float = 0.25) -> None:
        self.n = 0
        self.allocated = 0
        for name, spec in self.COLUMNS.items():
            setattr(self, name, self._blank(spec, 0))
        self.grow(n, spare)

    @staticmethod
    def _blank(spec: tuple, length: int) -> np.ndarray:
        dtype, fill, *width = spec
        shape = (length, *width)
        return np.full(shape, fill, dtype=dtype)

    def grow(self, k: int, spare: float = 0.25) -> np.ndarray:
        """Append ``k`` rows filled with defaults and return their row ids."""
        needed = self.n + k
        if needed > self.allocated:
            new_allocated = max(needed, int(self.allocated * (1 + spare)) + 16)
            for name, spec in self.COLUMNS.items():
                old = getattr(self, name)
                new = self._blank(spec, new_allocated)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
            self.allocated = new_allocated
        rows = np.arange(self.n, needed)
        self.n = needed
        return rows

    def view(self, name: str) -> np.ndarray:
        """The rows in use of column ``name`` (a view, not a copy)."""
        return getattr(self, name)[: self.n]


class WorkerTable(Table):
    """One row a domestic worker (present, away or gone)."""

    COLUMNS: ClassVar[dict[str, tuple[type, float]]] = {
        "status": (np.int8, INACTIVE),
        "origin": (np.int32, -1),  # hometown county, index into the origin table
        "local_hukou": (np.bool_, False),
        "age_years": (np.float32, 0.0),
        "skill": (np.float32, 1.0),  # productivity multiplier, 1 = average
        "certified": (np.bool_, False),
        "experience_months": (np.float32, 0.0),
        "job_type": (np.int8, 0),  # the job type she seeks and does
        "arrangement": (np.int8, LIVE_IN),  # of her current job, or the one she seeks
        "hours_week": (np.float32, 0.0),  # hours she works a week, all her jobs together
        "days_week": (np.int8, 0),  # days she works a week
        "employers": (np.int8, 0),  # households she works for this month
        "reservation_yuan": (np.float32, 0.0),  # monthly, before commuting costs
        "savings_yuan": (np.float64, 0.0),  # money she holds (float64: the accounts must add up)
        "debt_yuan": (np.float64, 0.0),  # owed to her kin at home, repaid from what she sends home
        "savings_target_yuan": (np.float32, 0.0),
        "home_cell": (np.int32, 0),  # neighbourhood she lives in (an urban village)
        "employer": (np.int32, -1),  # household row, -1 when none
        "held_by": (np.int32, -1),  # household keeping her job while she is away
        "channel": (np.int8, -1),  # channel of the current job
        "agency": (np.int32, -1),  # agency that placed or employs her
        "wage_yuan": (np.float32, 0.0),  # agreed monthly wage of the current job
        "paid_yuan": (np.float32, 0.0),  # paid to her this month, after deductions
        "deduction_left_yuan": (np.float32, 0.0),  # agency fee still to deduct from wages
        "loan_yuan": (np.float64, 0.0),  # owed on a fee loan (with interest) to ``lender``: outlives the job
        "lender": (np.int32, -1),  # agency that lent her a fee (or named the lender), -1 when none
        "paid_placement_fee": (np.bool_, False),  # paid or owes an agency a fee for her current job
        "agency_employed": (np.bool_, False),  # employed by an employee-based agency
        "contract": (np.bool_, False),
        "insured": (np.bool_, False),
        "self_insured": (np.bool_, False),  # enrolled on her own, keeps it between jobs
        "wages_owed_yuan": (np.float32, 0.0),
        "months_searching": (np.int16, 0),
        "months_in_job": (np.int16, 0),
        "away_months_left": (np.int8, 0),
        "arrival_month": (np.int16, 0),
        "record": (np.float32, 0.5),  # credit-record score in [0, 1]
        "training_left": (np.int8, 0),  # months of training still to do
        "arrears_now": (np.bool_, False),  # wages unpaid this month
        "attraction": (np.float32, 0.0, N_CHANNELS),  # learnt value of each channel
        "separated_month": (np.int16, -999),  # last month a job of hers ended
        "aware": (np.bool_, False),  # knows of the laws on domestic work in force (her rights)
        "fees_month_yuan": (np.float64, 0.0),  # paid to agencies this month: from savings, by deduction, on a loan
    }

    def __init__(self, n: int, spare: float = 0.25) -> None:
        super().__init__(n, spare)
        # Rows of workers in the city or away, ascending: the active-row index. Rows of
        # workers gone for good keep their history but drop out of it, so a month's work
        # follows the workers present, not every row there ever was.
        self.present = np.zeros(0, dtype=np.int64)

    @property
    def active(self) -> np.ndarray:
        """Mask over the rows in use: workers in the city or away (not gone, not spare)."""
        s = self.view("status")
        return (s == SEARCHING) | (s == EMPLOYED) | (s == AWAY)

    def index_present(self) -> None:
        """Rebuild the active-row index from the status column (after setting statuses directly)."""
        self.present = np.flatnonzero(self.active).astype(np.int64)

    def admit(self, rows: np.ndarray) -> None:
        """New rows (arrivals, always past every present row) join the index."""
        self.present = np.concatenate((self.present, np.asarray(rows, dtype=np.int64)))

    def forget(self, rows: np.ndarray) -> None:
        """Rows of workers gone for good leave the index."""
        self.present = np.delete(self.present, np.searchsorted(self.present, rows))

    def with_status(self, status: int) -> np.ndarray:
        """Present rows with ``status`` (SEARCHING, EMPLOYED or AWAY), ascending.

        ``present[status[present] == status]``, in one compiled pass without its two
        temporaries (at 1:1 of the city, called a few times a month: 1.3-2 -> 0.5 ms a call).
        """
        return _rows_with(self.present, self.status, status)


# Bits of ``households.ordered``: found breaking a law by an inspector and ordered to obey it.
ORDERED_FLOOR, ORDERED_HOURS = 1, 2


class HouseholdTable(Table):
    """One row a household that may need domestic help."""

    COLUMNS: ClassVar[dict[str, tuple]] = {
        "cell": (np.int32, 0),  # neighbourhood
        "income_yuan": (np.float32, 0.0),  # monthly household income
        "need": (np.int8, -1),  # job type needed, -1 when none
        "wtp_yuan": (np.float32, 0.0),  # most it would pay an average worker a month
        "arrangement": (np.int8, LIVE_IN),  # how it has its need met
        "need_hours_week": (np.float32, 0.0),  # hours a week its need asks for
        "hours_week": (np.float32, 0.0),  # hours a week it buys now (of its job or its vacancy)
        "pay_yuan": (np.float32, 0.0),  # what it pays its hourly worker a month (hourly work only)
        "platform": (np.bool_, False),  # searches for hourly work on an online platform
        "trust_agency": (np.float32, 0.5),  # in [0, 1]
        "worker": (np.int32, -1),  # worker row, -1 when none
        "vacancy_months": (np.int16, 0),
        "posted_wage_yuan": (np.float32, 0.0),  # under wage posting: offered per unit of productivity
        "law_abiding": (np.float32, 0.0),  # fixed uniform: made to comply with a law enforced at e if below e
        "aware": (np.bool_, False),  # knows of the laws on domestic work in force
        "ordered": (np.uint8, 0),  # bits: found breaking a wage floor (1) or working-time law (2), ordered to comply
        "observes_floor": (np.bool_, False),  # obeys the wage floor in force this month (made to or by choice)
        "observes_hours": (np.bool_, False),  # obeys the working-time law in force this month
        "law_cost_share": (np.float32, 0.0),  # share of what it would pay that a contract law costs it a month
        "attraction": (np.float32, 0.0, N_CHANNELS),
        "income_quintile": (np.int8, 0),  # 1 (the poorest fifth of the city's households by income) to 5
        "care_month_yuan": (np.float64, 0.0),  # spent on care this month (as household_care_spending)
        "fees_month_yuan": (np.float64, 0.0),  # of which fees and service charges paid to agencies
    }

    def __init__(self, n: int, spare: float = 0.25) -> None:
        super().__init__(n, spare)
        # Rows of households whose need is met by the hour, ascending: the hourly index. Hourly work is
        # a few percent of needs, so what concerns it (clients, the hourly round, platforms) reads these
        # rows rather than a mask over every household.
        self.hourly = np.zeros(0, dtype=np.int64)

    def set_arrangement(self, rows: np.ndarray, arrangement: np.ndarray) -> None:
        """Set the arrangement of ``rows``; the hourly index follows."""
        self.arrangement[rows] = arrangement
        rows = np.asarray(rows, dtype=np.int64)
        if not (rows[1:] > rows[:-1]).all():  # new needs come ascending and once each; others may not
            rows = np.unique(rows)
        # Both ascending without repeats: merged by binary search (np.isin and np.union1d sorted them again).
        kept = self.hourly
        if rows.size:
            kept = kept[rows[np.minimum(np.searchsorted(rows, kept), rows.size - 1)] != kept]
        joining = rows[self.arrangement[rows] == HOURLY]
        self.hourly = np.insert(kept, np.searchsorted(kept, joining), joining)


class AgencyTable(Table):
    """One row an agency (active or closed)."""

    COLUMNS: ClassVar[dict[str, tuple]] = {
        "active": (np.bool_, False),
        "business_model": (np.int8, INTERMEDIARY),
        "cell": (np.int32, 0),
        "worker_fee_share": (np.float32, 0.0),  # of the first month's wage, as posted
        "household_fee_share": (np.float32, 0.0),  # of the first month's wage
        "honesty_yuan": (np.float32, 0.0),  # private cost of breaking a fee cap
        "overcharging": (np.bool_, False),
        "deducts": (np.bool_, False),  # when overcharging a cap, takes the excess by wage deductions
        "overcharged_recent": (np.float32, 0.0),  # overcharged placements in its records (about the last year)
        "lends": (np.bool_, False),  # when overcharging a cap (and not deducting), lends her the excess at interest
        "reputation": (np.float32, 0.5),  # in [0, 1]
        "capacity": (np.int32, 0),  # placements it can handle a month
        "cash_yuan": (np.float64, 0.0),
        "profit_yuan": (np.float32, 0.0),  # this month
        "profit_avg_yuan": (np.float32, 0.0),  # smoothed over about a year
        "placements": (np.int32, 0),  # this month
        "employees": (np.int32, 0),  # employee-based: workers it employs now
        "opened_month": (np.int16, 0),
        "losing_months": (np.int16, 0),
    }


@kernel(example=lambda: (np.zeros(1, np.int64), np.zeros(1, np.int8), EMPLOYED))
def _rows_with(rows: np.ndarray, column: np.ndarray, value: int) -> np.ndarray:
    """The ``rows`` whose ``column`` is ``value``, in their order: ``rows[column[rows] == value]``.

    Without a branch: each row is written and kept if it qualifies (where they alternate at
    random, mispredicted branches made a selection of half the present 4 times slower).
    """
    n = 0
    for r in rows:
        n += column[r] == value
    out = np.empty(n + 1, np.int64)
    k = 0
    for r in rows:
        out[k] = r
        k += column[r] == value
    return out[:k]
