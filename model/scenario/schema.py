"""The scenario schema: every key, its type, unit, default, range and source.

A scenario is data. Each section is a pydantic model that refuses unknown keys
and converts nothing silently (strict mode: ``"yes"`` is not a boolean and
``"5"`` is not a number). ``source`` names the row of docs/facts.md ("FACTS"; see
``docs/calibration.md``) a default comes from; "assumption" marks a default
chosen to hit the calibration targets.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from model.scenario import policy_sections
from model.scenario.fields import Section, arrangement_field, param, type_field

# The longest run allowed: month counters (int16 columns, up to 32,767) cannot overflow in it.
MAX_MONTHS = 1200


# --- per-type blocks --------------------------------------------------------

ReferenceWage, _reference_wage = type_field(
    "ReferenceWage",
    "market wage an average worker gets",
    5500.0,
    3600.0,
    3850.0,
    10300.0,
    unit="yuan/month",
    source="FACTS wages: NJU survey 2019; Guangzhou Daily 2017",
    gt=0,
)
JobTypeShare, _job_type_share = type_field(
    "JobTypeShare",
    "share of workers seeking this job type",
    0.36,
    0.32,
    0.27,
    0.05,
    unit="share",
    source="assumption (FACTS wages by type)",
    ge=0,
    le=1,
)
NeedShare, _need_share = type_field(
    "NeedShare", "share of household needs of this type (stock)", 0.36, 0.32, 0.27, 0.05, unit="share", ge=0, le=1
)
NeedDuration, _need_duration = type_field(
    "NeedDuration",
    "mean duration of a household need",
    96.0,
    96.0,
    48.0,
    6.0,
    unit="months",
    source="FACTS spells (58.com 2019), relative lengths",
    gt=0,
)
Hours, _hours = type_field(
    "Hours",
    "hours worked a month",
    390.0,
    210.0,
    360.0,
    460.0,
    unit="hours/month",
    source="FACTS hours: 74 h/week on average, live-in over 15 h/day",
    gt=0,
)
ContractCostMultiplier, _contract_cost_multiplier = type_field(
    "ContractCostMultiplier",
    "multiplier on what a contract costs the household",
    1.0,
    1.6,
    1.2,
    0.7,
    unit="ratio",
    source="assumption: hourly cleaners work for several households; live-in care carries the most liability;"
    " maternity nurses come through agencies with tripartite contracts (FACTS formalization)",
    ge=0,
)
SeparationMultiplier, _separation_multiplier = type_field(
    "SeparationMultiplier", "multiplier on the exogenous separation rate", 1.0, 1.0, 1.3, 2.0, unit="ratio", ge=0
)


# --- sections --------------------------------------------------------------


class Workers(Section):
    """The domestic workers in the city at the start, and newcomers."""

    count: int = param(
        4000,
        "workers",
        "domestic workers in the city at the start",
        "FACTS market: Guangzhou about 400,000 (1:100 here)",
        ge=1,
    )
    job_type_share: JobTypeShare = _job_type_share
    age_mean: float = param(45.0, "years", "mean age", "FACTS market: Guangzhou 2017 average near 47", ge=16, le=70)
    age_sd: float = param(7.0, "years", "standard deviation of age", ge=0)
    local_hukou_share: float = param(
        0.1, "share", "share with local (Guangzhou) hukou", "FACTS market: about 90% from the countryside", ge=0, le=1
    )
    certified_share: float = param(0.15, "share", "share with a skills certificate at the start", ge=0, le=1)
    skill_sd: float = param(0.15, "log points", "spread of productivity (lognormal sigma)", ge=0, le=2)
    reservation_share: float = param(0.8, "share", "reservation wage as a share of the reference wage", ge=0, le=2)
    reservation_sd: float = param(0.1, "log points", "spread of reservation wages", ge=0, le=2)
    initial_employment_share: float = param(0.9, "share", "share employed at the start", ge=0, le=1)
    savings_target_yuan: float = param(120000.0, "yuan", "mean savings target after which she goes home", gt=0)
    savings_target_shape: float = param(
        4.0, "gamma shape", "spread of savings targets (gamma shape; larger = closer to the mean)", gt=0
    )
    experience_mean_months: float = param(
        24.0, "months", "mean experience in domestic work (exponential) of a worker drawn", ge=0
    )
    newcomer_savings_months: float = param(
        2.0, "months of rural income", "most savings a newcomer brings (uniform from 0)", ge=0
    )


class Households(Section):
    """Households that may need domestic help."""

    count: int = param(
        6000,
        "households",
        "households in the city that may need domestic help",
        "FACTS market: shortfall of 100-200k workers at 400k (1:100 here)",
        ge=1,
    )
    income_median_yuan: float = param(20000.0, "yuan/month", "median monthly household income", gt=0)
    income_sigma: float = param(0.6, "log points", "spread of household income (lognormal sigma)", ge=0, le=3)
    trust_agency_mean: float = param(0.5, "share", "mean trust in agencies", ge=0, le=1)


HoursElasticity, _hours_elasticity = type_field(
    "HoursElasticity",
    "elasticity of the hours a household buys to their cost, above what it would pay at most an hour",
    0.4, 0.6, 0.3, 0.2, "elasticity",
    source="assumption, bounded by docs/evidence.md (South Africa 2002: hours of those employed fell 0-10% where "
           "wages rose about 20%): round-the-clock care the least elastic, cleaning the most",
    gt=0, lt=1,
)


class Demand(Section):
    """Household needs arise and end; unmet needs post vacancies."""

    need_share: float = param(
        0.75,
        "share",
        "steady-state share of households with a need",
        "FACTS market: demand exceeds supply by 100-200k",
        ge=0,
        lt=1,
    )
    type_share: NeedShare = _need_share
    duration_months: NeedDuration = _need_duration
    wtp_markup: float = param(
        1.1, "ratio", "willingness to pay of a median-income household over the reference wage", gt=0
    )
    wtp_income_elasticity: float = param(0.5, "elasticity", "how willingness to pay rises with income", ge=0, le=3)
    wtp_sd: float = param(0.15, "log points", "idiosyncratic spread of willingness to pay", ge=0, le=2)
    care_value_markup: float = param(
        1.5, "ratio",
        "worth of the care a need asks for, over the most the household would pay one worker for it in a bargain "
        "(a worker can be replaced; the care cannot): what it weighs when every worker costs a floor",
        "set with demand.hours_elasticity so that a floor most workers are paid below raises wages with few jobs "
        "lost (docs/evidence.md: South Africa 2002, T1-T2)", ge=1, le=5,
    )
    hours_elasticity: HoursElasticity = _hours_elasticity


class Market(Section):
    """Matching, bargaining, separations and arrears."""

    separation_rate: float = param(
        0.0026,
        "per month",
        "monthly probability that a job ends for reasons outside the model",
        "fitted (calibration/baseline.yaml) with the other endings to FACTS market: about 40% change job a year",
        ge=0,
        le=1,
    )
    separation_multiplier: SeparationMultiplier = _separation_multiplier
    dismissal_rate: float = param(
        0.006,
        "per month",
        "dismissal hazard at productivity dismissal_productivity_top - dismissal_productivity_span (0.8);"
        " x(top - p)/span, capped at dismissal_max_multiplier, 0 from the top up",
        ge=0,
        le=1,
    )
    dismissal_productivity_top: float = param(
        1.2, "productivity", "productivity from which a worker is no longer dismissed for weak work", gt=0
    )
    dismissal_productivity_span: float = param(
        0.4, "productivity", "productivity below the top at which the dismissal hazard is dismissal_rate", gt=0
    )
    dismissal_max_multiplier: float = param(
        3.0, "ratio", "most the dismissal hazard of a weak worker is, in multiples of dismissal_rate", ge=0
    )
    bargaining_power: float = param(0.5, "share", "worker's share of the surplus at average tightness", ge=0, le=1)
    tightness_elasticity: float = param(
        0.3, "elasticity", "how bargaining power rises with vacancies per searcher", ge=0, le=3
    )
    reservation_decay: float = param(
        0.03, "share per month", "how much her reservation wage falls each month she searches", ge=0, le=1
    )
    reservation_floor_share: float = param(
        0.8, "share", "lowest her reservation wage falls with searching, as a share of where it started", ge=0, le=1
    )
    reservation_savings_discount: float = param(
        0.1, "share", "most her reservation wage falls when she has no savings left", ge=0, le=1
    )
    reservation_savings_half_yuan: float = param(
        3000.0, "yuan", "savings at which that fall is half its most", gt=0
    )
    offer_rise_per_month: float = param(
        0.02, "share per month", "how much a household's offer rises each month its vacancy stays open", ge=0, le=1
    )
    offer_rise_months_max: float = param(
        12.0, "months", "months of vacancy after which the offer rises no more", ge=0
    )
    record_rate: float = param(
        0.3, "share", "how fast a worker's credit record moves with how her jobs end", ge=0, le=1
    )
    experience_premium: float = param(
        0.01, "share per year", "productivity gain a year of experience brings, up to 10 years", ge=0, le=1
    )
    open_screening: float = param(
        0.5, "weight", "how much a household on the open market selects on productivity", ge=0, le=10
    )
    referral_screening: float = param(
        0.5, "weight", "how much a household hiring by referral selects on productivity", ge=0, le=10
    )
    open_applications: int = param(
        1, "applications/month", "vacancies a searcher applies to on the open market", ge=1, le=20
    )
    referral_reach: float = param(1.0, "ratio", "how strongly hometown contacts in jobs bring referral vacancies", ge=0)
    arrears_rate_informal: float = param(
        0.02, "per month", "chance wages go unpaid in a month without a contract", ge=0, le=1
    )
    arrears_rate_formal: float = param(
        0.01, "per month", "chance wages go unpaid in a month with a contract", ge=0, le=1
    )
    arrears_repay_rate: float = param(0.5, "per month", "chance owed wages are paid back in a month", ge=0, le=1)
    quit_after_arrears: float = param(0.2, "probability", "chance she quits in a month her wages go unpaid", ge=0, le=1)
    informal_quit_rate: float = param(
        0.003, "per month", "extra quit hazard in informal jobs (abuse, long hours)", ge=0, le=1
    )


class Wages(Section):
    """How wages are set at hire: bargaining (the baseline) or wage posting with search frictions."""

    regime: Literal["bargaining", "posting"] = param(
        "bargaining",
        "choice",
        "bargaining: each new job splits the surplus between her minimum and the household's maximum"
        " (Nash, share rising with tightness); posting: each household with a vacancy posts the wage that"
        " maximizes its expected gain given how many searchers of the job type would accept it (monopsony"
        " with search frictions, Burdett-Mortensen-like)",
        "assumption: wages of domestic workers are agreed one by one, often through an agency (FACTS"
        " wages); posting shows the monopsony branch of FACTS result 6",
    )
    posting_grid: int = param(
        40, "wages", "candidate wages a household weighs when it posts (quantiles of searchers' asks)", ge=2, le=1000
    )


class Channels(Section):
    """How households and workers choose between referral, agency and open market."""

    agency_utility: float = param(0.31, "utils", "base appeal of agencies over the open market",
                                  "fitted (calibration/baseline.yaml): Ningbo 2010 channels", ge=-10, le=10)
    referral_utility: float = param(0.81, "utils", "base appeal of referrals over the open market",
                                    "fitted (calibration/baseline.yaml): Ningbo 2010 channels", ge=-10, le=10)
    trust_weight: float = param(2.0, "utils", "weight of trust in agencies", ge=0, le=20)
    fee_weight: float = param(3.0, "utils per month of wages", "distaste for fees, per month of wages", ge=0, le=50)
    learning_rate: float = param(
        0.2,
        "share",
        "how fast past outcomes move the appeal of a channel, and households' trust in agencies",
        ge=0,
        le=1,
    )
    outcome_weight: float = param(1.0, "utils", "weight of past outcomes", ge=0, le=20)
    choice_noise: float = param(1.0, "utils", "scale of idiosyncratic taste (Gumbel)", gt=0, le=20)
    agency_fee_weight_share: float = param(
        0.25, "share", "how much of the distaste for fees steers a client among agencies (of fee_weight)", ge=0, le=10
    )
    referral_floor: float = param(
        0.05, "ratio", "referral strength a household has with no employed worker nearby (it can still ask)", gt=0
    )
    initial_attraction: float = param(
        0.3, "share", "learnt appeal of every channel at the start, for workers and households", ge=0, le=1
    )


class Agencies(Section):
    """Agencies: business models, fees, capacity, entry and exit."""

    count: int = param(
        45,
        "agencies",
        "agencies at the start",
        "FACTS: about 600,000 firms for 20-26M workers (1:100 of a few thousand here)",
        ge=0,
    )
    employee_based_share: float = param(
        0.03,
        "share",
        "share of agencies that are employee-based at the start",
        "assumption: a few pilot firms; Beijing has 15 among 111,000 (FACTS), far fewer",
        ge=0,
        le=1,
    )
    membership_share: float = param(0.25, "share", "share of agencies on the membership model at the start", ge=0, le=1)
    worker_fee_share: float = param(
        0.5,
        "share of first month's wage",
        "intermediary fee charged to workers",
        "FACTS: 50-100% of the first month's wage [weak]; 200-300 yuan in 2011",
        ge=0,
        le=3,
    )
    household_fee_share: float = param(
        0.6,
        "share of first month's wage",
        "placement fee charged to households",
        "FACTS: placement fees both sides",
        ge=0,
        le=3,
    )
    membership_fee_yuan: float = param(600.0, "yuan/year", "membership fee a worker pays a membership agency", ge=0)
    employee_based_markup: float = param(
        0.2, "share of wage", "what employee-based agencies bill over wage and insurance", ge=0, le=3
    )
    subsidy_pass_through: float = param(
        0.5, "share",
        "share of a support subsidy an employee that employee-based agencies pass on to households in a lower "
        "charge (the rest is their income)",
        "assumption: firms competing for clients pass part of a per-worker subsidy on", ge=0, le=1,
    )
    employee_based_value: float = param(
        0.15,
        "share of wage a month",
        "what households value in an employee-based worker (replacement, training, no liability)",
        ge=0,
        le=3,
    )
    capacity: int = param(12, "placements/month", "placements an agency can handle a month", ge=1)
    capacity_growth: float = param(
        0.1, "per month",
        "how fast an agency that fills its capacity and earns takes on staff (and one a quarter busy that loses "
        "money lets staff go): the agency channel follows demand, not the number of agencies",
        "assumption", ge=0, le=1,
    )
    capacity_sd: float = param(0.5, "log points", "spread of capacity across agencies (lognormal sigma)", ge=0, le=3)
    reputation_sd: float = param(0.1, "share", "spread of reputation of new agencies around 0.5", ge=0, le=1)
    profit_smoothing: float = param(
        1.0 / 12.0, "per month", "weight of this month's profit in the smoothed profit (1/12: about a year)",
        gt=0, le=1,
    )
    restart_entry_share: float = param(
        0.1, "share", "entry a month when no agency is active, as a share of entry_rate x agencies.count", ge=0, le=1
    )
    caught_reputation_factor: float = param(
        0.5, "ratio", "what is left of an agency's reputation when it is caught overcharging", ge=0, le=1
    )
    screening: float = param(
        1.0, "weight", "how much agencies rank candidates on skill and record when over capacity", ge=0, le=10
    )
    fixed_cost_yuan: float = param(3000.0, "yuan/month", "running cost of an intermediary or membership agency", ge=0)
    employee_based_fixed_cost_yuan: float = param(
        6000.0, "yuan/month",
        "running cost of an employee-based agency before managing its employees (payroll, insurance "
        "administration, a pool of replacements, legal duties as an employer)",
        "assumption: about twice an intermediary's; FACTS policy: slow take-up of the employee-based model "
        "because of its cost",
        ge=0,
    )
    employee_based_management_yuan: float = param(
        400.0, "yuan/month per employee",
        "cost of managing an employee (training, supervision, replacement) in a firm of ten employees",
        "assumption", ge=0,
    )
    employee_based_scale_elasticity: float = param(
        0.3, "elasticity",
        "how fast the management cost an employee falls with the firm's size: (N/10)^-elasticity "
        "(0: none, 1: all of it fixed)",
        "assumption: economies of scale in payroll and supervision", ge=0, le=1,
    )
    start_cash_yuan: float = param(30000.0, "yuan", "cash of a new agency", ge=0)
    exit_losing_months: int = param(6, "months", "months of negative cash before an agency closes", ge=1)
    entry_rate: float = param(0.05, "per month", "entry per active agency when agencies earn on average", ge=0, le=1)
    switch_rate: float = param(0.02, "per month", "chance an agency reviews its business model", ge=0, le=1)
    switch_margin_yuan: float = param(500.0, "yuan/month", "profit gain needed to switch model", ge=0)
    honesty_mean_yuan: float = param(
        750.0,
        "yuan",
        "mean private cost to an agency of overcharging a placement above a fee cap",
        "calibrated: about 70% overcharge under Hong Kong's 10% cap with Hong Kong's enforcement (FACTS policy; "
        "docs/validation.md, T5)",
        ge=0,
    )
    reputation_rate: float = param(0.1, "share", "how fast reputation moves with outcomes", ge=0, le=1)
    fee_pass_through: float = param(
        0.5,
        "share",
        "share of fees lost to a cap that agencies shift to households",
        "FACTS: fees shift to households or to wage deductions",
        ge=0,
        le=1,
    )
    max_deduction_share: float = param(
        0.2, "share of wage", "most of a month's wage an agency deducts for fees", ge=0, le=1
    )
    early_end_months: int = param(
        6, "months", "a placement ending badly within this many months counts against the agency", ge=0
    )
    deduction_share: float = param(
        0.3, "share", "share of agencies that, when overcharging a cap, take the excess by wage deductions", ge=0, le=1
    )
    loan_share: float = param(
        0.25, "share",
        "share of agencies that, when overcharging a cap, lend the worker the excess at interest (themselves or "
        "through a lender they name); at most 1 - deduction_share",
        "FACTS policy: about a quarter of Hong Kong's helpers were pushed into high-interest loans to pay fees",
        ge=0, le=1,
    )
    loan_interest_monthly: float = param(
        0.03, "per month", "interest on a fee loan",
        "assumption: about 40% a year, near Hong Kong's legal ceiling for money lenders (48%)", ge=0, le=1,
    )
    loan_repay_share: float = param(
        0.2, "share of pay", "most of a month's pay a worker repays on a fee loan", ge=0, le=1
    )


class Contracts(Section):
    """Who signs a written labour contract and who pays social insurance."""

    household_cost_yuan: float = param(
        790.0,
        "yuan/month",
        "cost to a household of a labour contract (liabilities, paperwork)",
        "fitted (calibration/baseline.yaml): about 10% have a contract",
        ge=0,
    )
    worker_value_yuan: float = param(
        150.0, "yuan/month", "what a contract is worth to a worker (she asks for it)", ge=0
    )
    household_cost_multiplier: ContractCostMultiplier = _contract_cost_multiplier
    cost_income_elasticity: float = param(
        0.5, "elasticity", "how the cost of a contract to a household falls with its income", ge=0, le=5
    )
    agency_paperwork_yuan: float = param(
        200.0,
        "yuan/month",
        "what an agency of average reputation (0.5) takes off a household's cost of a contract (it drafts"
        " and keeps the tripartite contract); in proportion to reputation",
        ge=0,
    )
    stay_half_months: float = param(
        12.0,
        "months",
        "planned stay in the city at which a contract, and contributions to a migrant, are worth half",
        "assumption; FACTS: migrants prefer cash now, contributions are hard to carry home",
        gt=0,
    )
    local_contract_premium: float = param(
        1.0, "ratio", "how much more a local-hukou worker asks for a contract (1 = twice)", ge=0, le=10
    )
    pension_years: float = param(
        15.0, "years", "years of contributions a pension needs", "China's basic pension: 15 years minimum", gt=0
    )
    pension_part: float = param(
        0.3, "share", "share of contributions' value that is the pension (lost when too old to qualify)", ge=0, le=1
    )
    liquidity_half_yuan: float = param(
        10000.0, "yuan", "savings at which the pull of cash now is half its full weight", gt=0
    )
    liquidity_weight: float = param(
        0.2, "share", "most of the contributions' value a worker without savings discounts for cash now", ge=0, le=1
    )
    decision_scale_yuan: float = param(300.0, "yuan", "spread of idiosyncratic costs of contracting", gt=0)
    contribution_rate: float = param(
        0.30,
        "share of wage",
        "social insurance contributions, employer and worker",
        "Guangzhou contribution rates (assumption)",
        ge=0,
        le=1,
    )
    contribution_base_min_yuan: float = param(3000.0, "yuan/month", "minimum contribution base", ge=0)
    employer_contribution_share: float = param(
        0.67,
        "share",
        "employer's part of the contributions the state does not subsidise; the worker's is withheld from her pay",
        "assumption: Guangzhou 2018 rates, about 21% of the base from the employer and 10% from the worker",
        ge=0,
        le=1,
    )
    value_local: float = param(
        1.0,
        "yuan per yuan",
        "what a yuan of contributions is worth to a local-hukou worker, before the discounts for age"
        " (pension_part) and little savings (liquidity_weight)",
        "calibrated with value_migrant: insured below the contract share (FACTS contracts)",
        ge=0,
        le=2,
    )
    value_migrant: float = param(
        1.0,
        "yuan per yuan",
        "what a yuan of contributions is worth to a migrant worker who stays for good; a shorter planned stay"
        " discounts it (stay_half_months: they are not portable home), as do age and little savings",
        "FACTS: workers prefer cash now; calibrated: insured below the contract share",
        ge=0,
        le=2,
    )
    reviews_per_year: float = param(1.0, "per year", "how often the terms of a job are reviewed", ge=0, le=12)
    self_enrol_rate: float = param(
        0.0003, "per month", "chance a worker without insurance enrols on her own", ge=0, le=1
    )


class Compliance(Section):
    """Whether households obey a law in force: awareness, norms, complaints and inspections.

    A household weighs, for each law in force, what complying costs it against the
    expected penalty (detection by inspection or by its worker's complaint, times the
    fine and any back pay) plus, once it knows of the law, what breaking a known law
    costs it (a norm; more for the law-abiding). Households and workers learn of laws
    in force over time, faster through an information campaign, a contract or an agency.
    """

    learn_rate: float = param(
        0.005, "per month",
        "chance that a household or worker who does not know of a law in force learns of it in a month "
        "(news, neighbours, kin)",
        "assumption: about a fifth learn within a year; the Argentine letters (docs/evidence.md, T8) reached "
        "employers who mostly did not know their duties",
        ge=0, le=1,
    )
    informed_factor: float = param(
        3.0, "ratio",
        "how many times likelier a worker on a written contract or placed by an agency learns of a law a month",
        "assumption: the contract states her rights; agencies brief workers (docs/facts.md, agencies)",
        ge=1, le=100,
    )
    campaign_uptake: float = param(
        0.15, "share",
        "share of households an information campaign reaches that take it in and learn of the laws in force",
        "calibrated: a wave of letters raises registration by a few tenths of a point (docs/evidence.md, T8: "
        "+0.22 points in Argentina)",
        ge=0, le=1,
    )
    norm_cost_yuan: float = param(
        100.0, "yuan/month",
        "mean cost a month to a household that knows of a law of breaking it (a norm; exponential across "
        "households, larger the more law-abiding)",
        "calibrated with campaign_uptake: a law without inspections moves some behaviour, as in South Africa "
        "and Argentina (docs/evidence.md)",
        ge=0,
    )
    complaint_rate: float = param(
        0.002, "per month",
        "chance a month that a worker who knows of a law, in a job that breaks it, complains to the labour bureau "
        "(an inspection follows and finds the breach)",
        "assumption: few complaints; Hong Kong's 12 prosecutions from 5,503 inspections (docs/facts.md) show "
        "how rarely a breach is proven",
        ge=0, le=1,
    )
    hourly_coverage: float = param(
        0.25, "share",
        "how much of a contract law's reach (inspections, complaints) hourly work bought from a worker with several "
        "households bears: day work is an exit from a mandate that covers it weakly",
        "assumption; docs/evidence.md: households switch to day work bought by the hour where a mandate binds",
        ge=0, le=1,
    )
    back_pay_months: float = param(
        12.0, "months",
        "months of the shortfall below a wage floor an employer found paying less must pay her back",
        "assumption: PRC Labour Contract Law Art. 85 orders unpaid wages paid, with up to 100% more",
        ge=0, le=120,
    )


class Migration(Section):
    """Arrivals (Harris-Todaro, chain migration), going home, remittances."""

    rural_income_yuan: float = param(2500.0, "yuan/month", "income at home, the rural alternative", gt=0)
    living_cost_yuan: float = param(800.0, "yuan/month", "cost of living in the city (live-out adds rent)", ge=0)
    rent_yuan: float = param(700.0, "yuan/month", "rent in an urban village for a live-out worker", ge=0)
    arrival_rate: float = param(
        0.010,
        "per month",
        "arrivals a month, as a share of the starting workforce, when expected urban over rural income"
        " is at reference_income_ratio",
        ge=0,
        le=1,
    )
    reference_income_ratio: float = param(
        1.2,
        "ratio",
        "expected urban income over rural income at which arrivals run at arrival_rate",
        "calibrated: the baseline's ratio at the start",
        gt=0,
    )
    income_elasticity: float = param(
        2.0, "elasticity", "how arrivals respond to expected urban over rural income", ge=0, le=20
    )
    origins: int = param(200, "counties", "hometown counties that send workers", ge=1, le=100000)
    origin_concentration_at_start: float = param(
        2.0,
        "exponent",
        "how much more the workers there at the start come from big sending counties (1 = in proportion)",
        ge=0,
        le=10,
    )
    network_weight: float = param(
        0.6, "share", "weight of hometown networks in where arrivals come from (chain migration)", ge=0, le=1
    )
    network_exponent: float = param(
        1.5,
        "exponent",
        "how the pull of a county's network grows with its workers in the city (1 = in proportion; above 1"
        " the big chains grow, origins concentrate)",
        "assumption: chain migration with increasing returns to contacts (FACTS result 8)",
        ge=0,
        le=5,
    )
    home_rate: float = param(0.002, "per month", "base hazard of going home for good", ge=0, le=1)
    patience_months: int = param(4, "months", "unemployment after which the pull of home rises", ge=1)
    impatience_rate: float = param(0.15, "per month", "extra hazard of going home once past patience", ge=0, le=1)
    leave_rate_when_due: float = param(
        0.3,
        "per month",
        "hazard of going home for a searcher who reached her savings target or ran out of money",
        ge=0,
        le=1,
    )
    employed_leave_rate_when_due: float = param(
        0.02,
        "per month",
        "hazard of quitting to go home for an employed worker who reached her savings target",
        ge=0,
        le=1,
    )
    retirement_age: float = param(60.0, "years", "age at which she goes home", ge=16)
    employed_home_rate_factor: float = param(
        0.5, "ratio", "base hazard of going home for good of an employed worker, over a searcher's", ge=0, le=10
    )
    broke_savings_yuan: float = param(
        0.0, "yuan", "savings at or below which a searching migrant counts as out of money", ge=0
    )
    broke_months: int = param(2, "months", "months of search after which an out-of-money migrant may go home", ge=0)
    remittance_share: float = param(0.6, "share", "share of net income sent home", ge=0, le=1)


class Training(Section):
    """Training and certification."""

    cost_yuan: float = param(2500.0, "yuan", "cost of a course", ge=0)
    pass_rate: float = param(
        0.2,
        "probability",
        "chance a trainee is certified",
        "FACTS: about 2 in 10 trainees judged qualified",
        ge=0,
        le=1,
    )
    premium: float = param(
        0.15,
        "share",
        "productivity and wage premium of certification",
        "assumption; FACTS: 71.9% of households want certified workers",
        ge=0,
        le=2,
    )
    horizon_months: float = param(24.0, "months", "months over which a worker weighs the gain", gt=0)
    take_up_scale_yuan: float = param(1500.0, "yuan", "spread of idiosyncratic costs of training", gt=0)
    months: int = param(1, "months", "length of a course", ge=1, le=24)
    take_up_max: float = param(
        0.05, "per month", "most searching workers start a course in a month when it pays", ge=0, le=1
    )


class Hukou(Section):
    """What lacking local hukou costs a migrant."""

    extra_living_cost_yuan: float = param(
        300.0, "yuan/month", "extra cost of living without local hukou (schools, health)", ge=0
    )
    home_pull: float = param(1.5, "ratio", "multiplier on the hazard of going home without local hukou", ge=0)
    reform_effect: float = param(0.7, "share", "share of the hukou gap a reform closes", ge=0, le=1)


class City(Section):
    """A grid of neighbourhoods with an income gradient and urban villages."""

    grid_size: int = param(10, "cells a side", "neighbourhoods a side of the square city", ge=1, le=200)
    cell_km: float = param(3.0, "km", "width of a neighbourhood", gt=0)
    income_gradient: float = param(0.04, "per km", "fall of household income with distance from the centre", ge=0, le=1)
    urban_village_share: float = param(0.15, "share", "share of neighbourhoods that are urban villages", gt=0, le=1)
    urban_village_ring: float = param(
        0.6, "share of radius", "distance from the centre of the ring where urban villages sit", ge=0, le=1.5
    )
    commute_cost_yuan_per_km: float = param(
        5.0, "yuan/month per km", "monthly cost of commuting a km each way for live-out work", ge=0
    )


class Jobs(Section):
    """Per-type wages and hours."""

    reference_wage_yuan: ReferenceWage = _reference_wage
    hours_per_month: Hours = _hours


RestDayShare, _rest_day_share = arrangement_field(
    "RestDayShare",
    "share of new jobs that give a weekly rest day (24 hours off in a row; ILO C189 Art. 10)",
    0.5, 0.85, 1.0, "share",
    source="assumption (no survey figure): live-in work, with the longest hours, least often",
    ge=0, le=1,
)


InKind, _in_kind = arrangement_field(
    "InKind",
    "room and board a household gives the worker, at its cost a month (pay in kind)",
    1300.0, 0.0, 0.0, "yuan/month",
    source="rent of a room in an urban village (migration.rent_yuan, 700) and about 600 yuan of meals",
    ge=0,
)


HourValue, _hour_value = arrangement_field(
    "HourValue",
    "worth of an hour of work to a household, relative to an hour of live-in work (the live-in hours of a "
    "round-the-clock need include time on call)",
    1.0, 1.3, 3.5, "ratio",
    source="set so that live-in work is paid less an hour than live-out work (FACTS hours: live-in over 15 hours "
           "a day) and hourly work most: households pay about 53 yuan an hour for hourly cleaning (58.com 2019), "
           "about 2.7 times a live-out cleaner's wage an hour",
    gt=0,
)
Preference, _preference = arrangement_field(
    "Preference",
    "how much more households like the arrangement, all else equal (yuan a month): living in, someone is in the "
    "home at all hours (nights, on call) beyond the hours counted",
    2500.0, 0.0, 0.0, "yuan/month",
    source="set so that about 60% of employed workers live in, which with each arrangement's hours gives FACTS' "
           "74 hours a week on average (Nanjing University survey 2019)",
)
WorkerCost, _worker_cost = arrangement_field(
    "WorkerCost",
    "what the arrangement costs a worker beyond rent and commuting, in yuan a month (living in: no time of her own)",
    400.0, 0.0, 0.0, "yuan/month", source="assumption", ge=0,
)


class Arrangements(Section):
    """How the work is organised: live-in, live-out full-time, hourly or day work."""

    rest_day_share: RestDayShare = _rest_day_share
    in_kind_yuan: InKind = _in_kind
    hour_value: HourValue = _hour_value
    preference_yuan: Preference = _preference
    worker_cost_yuan: WorkerCost = _worker_cost
    live_out_hours_week: float = param(
        50.0, "hours/week", "hours a week a need for live-out care asks for (nanny or carer by day)",
        "assumption: 10 hours a day, 5 days", gt=0, le=112,
    )
    hourly_hours_week: float = param(
        8.0, "hours/week", "hours a week a household that buys cleaning by the hour asks for, on average",
        "assumption: two visits of 4 hours", gt=0, le=40,
    )
    need_hours_sd: float = param(0.25, "log points", "spread of the hours a week needs ask for", ge=0, le=1)
    choice_scale_yuan: float = param(
        600.0, "yuan/month", "spread of households' idiosyncratic tastes for arrangements (logit scale)", gt=0,
    )
    max_clients: int = param(8, "households", "most households an hourly worker serves at once", ge=1, le=40)
    max_hours_week: float = param(
        60.0, "hours/week", "most hours a week an hourly worker takes on", "FACTS hours: 74 a week on average",
        gt=0, le=112,
    )
    platform_share: float = param(
        0.4, "share", "share of households buying hourly work that search on an online platform", ge=0, le=1,
    )
    platform_commission_share: float = param(
        0.45, "share", "share of what a household pays that the platform keeps",
        "FACTS: households pay about 53 yuan an hour for hourly cleaning (58.com 2019), workers get far less",
        ge=0, lt=1,
    )
    platform_match_rate: float = param(
        0.8, "per month", "chance a month that a household on a platform finds an hourly worker with hours free",
        ge=0, le=1,
    )
    direct_match_rate: float = param(
        0.3, "per month", "chance a month that another household buying hourly work finds one (neighbours, "
        "her other clients)", ge=0, le=1,
    )


# --- policies and shocks -----------------------------------------------------

# The ``policies`` block: one section a registered policy, in the order they registered
# (each policy declares its own parameters in its file under ``model/policies/``).
Policies = policy_sections.build()


class SpringFestival(Section):
    """The yearly exodus at Spring Festival."""

    enabled: bool = param(True, "switch", "whether the exodus happens")
    month: int = param(2, "calendar month", "month of the festival", ge=1, le=12)
    share_leaving: float = param(
        0.6,
        "share",
        "share of workers who go home for the festival",
        "FACTS wages: 50-95% go home for 2-4 weeks",
        ge=0,
        le=1,
    )
    job_held_share: float = param(0.9, "share", "share of employed leavers whose household keeps the job", ge=0, le=1)
    share_not_returning: float = param(0.04, "share", "share of leavers who stay home for good", ge=0, le=1)
    holiday_pay_multiplier: float = param(
        2.5,
        "ratio",
        "pay for festival days worked, over normal pay",
        "FACTS wages: pay doubles or triples for the holiday",
        ge=1,
        le=10,
    )
    away_months: int = param(1, "months", "months festival leavers stay away", "FACTS wages: 2-4 weeks", ge=1, le=12)
    holiday_share_of_month: float = param(0.25, "share", "share of the month that is holiday", ge=0, le=1)


class Standards(Section):
    """The city's statutory minimum wage (ILO C189 Art. 11), whether or not a policy extends it to domestic work.

    Employee-based agencies, employers under the Labour Law, pay at least the monthly
    minimum; the standards scorecard counts a job as meeting the standard when it pays
    at least the hourly minimum times her hours in the month, and the monthly minimum
    (pro-rated below full-time hours). ``policies.minimum_wage`` is only what that
    policy extends to households.
    """

    minimum_wage_monthly: float = param(
        2100.0, "yuan/month", "statutory monthly minimum wage", "FACTS wages: Guangzhou 2,100 from July 2018", ge=0
    )
    minimum_wage_hourly: float = param(
        20.3, "yuan/hour", "statutory hourly minimum wage", "FACTS wages: Guangzhou hourly 20.3 from July 2018", ge=0
    )
    full_time_hours_week: float = param(
        40.0, "hours/week", "full-time hours: the monthly minimum is for this week, pro-rated below it",
        "PRC standard working week, 8 hours a day and 40 a week (State Council, 1995)", gt=0, le=168,
    )
    in_kind_share: float = param(
        0.1, "share of the minimum", "most of the minimum that room and board may meet (live-in work)",
        "ILO C189 Art. 12: payment in kind only for a limited proportion; the share is an assumption", ge=0, le=1,
    )


class Shocks(Section):
    """Shocks to the market."""

    spring_festival: SpringFestival = Field(default_factory=SpringFestival, description=SpringFestival.__doc__)


NAME_PATTERN = r"^[A-Za-z0-9_-]+$"


class Scenario(Section):
    """A scenario: one policy option for a Guangzhou-like city."""

    name: str = param(
        "baseline",
        "identifier",
        "scenario name: letters, digits, - and _",
        "",
        pattern=NAME_PATTERN,
        min_length=1,
        max_length=100,
    )
    description: str = param("", "text", "free text", "")
    extends: str | None = param(None, "path", "parent scenario file (relative to this one); resolved on loading", "")
    seed: int = param(
        20160317, "integer", "seed: the same seed gives the same results, byte for byte", "", ge=0, lt=2**63
    )
    months: int = param(120, "months", "months simulated (one step is one month)", "", ge=1, le=MAX_MONTHS)
    replicates: int = param(5, "runs", "independent runs, seeds derived from seed", "", ge=1, le=10000)
    start_month: int = param(1, "calendar month", "calendar month of the first step (1 = January)", "", ge=1, le=12)
    start_year: int = param(
        2016, "calendar year", "calendar year of the first step (figures and the live app label time with it)",
        "FACTS: the baseline is Guangzhou around 2016-2019", ge=1900, le=2200,
    )
    workers: Workers = Field(default_factory=Workers, description=Workers.__doc__)
    households: Households = Field(default_factory=Households, description=Households.__doc__)
    agencies: Agencies = Field(default_factory=Agencies, description=Agencies.__doc__)
    jobs: Jobs = Field(default_factory=Jobs, description=Jobs.__doc__)
    arrangements: Arrangements = Field(default_factory=Arrangements, description=Arrangements.__doc__)
    demand: Demand = Field(default_factory=Demand, description=Demand.__doc__)
    market: Market = Field(default_factory=Market, description=Market.__doc__)
    wages: Wages = Field(default_factory=Wages, description=Wages.__doc__)
    channels: Channels = Field(default_factory=Channels, description=Channels.__doc__)
    contracts: Contracts = Field(default_factory=Contracts, description=Contracts.__doc__)
    compliance: Compliance = Field(default_factory=Compliance, description=Compliance.__doc__)
    migration: Migration = Field(default_factory=Migration, description=Migration.__doc__)
    training: Training = Field(default_factory=Training, description=Training.__doc__)
    hukou: Hukou = Field(default_factory=Hukou, description=Hukou.__doc__)
    city: City = Field(default_factory=City, description=City.__doc__)
    policies: Policies = Field(default_factory=Policies, description=Policies.__doc__)
    shocks: Shocks = Field(default_factory=Shocks, description=Shocks.__doc__)
    standards: Standards = Field(default_factory=Standards, description=Standards.__doc__)
