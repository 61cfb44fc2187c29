"""Training and certification: costly, uncertain, raises productivity, wages and hiring odds.

A searching worker without a certificate weighs the expected gain (pass rate x
premium x her wage over a horizon) against the cost she pays (net of any
subsidy), with idiosyncratic costs; at most ``training.take_up_max`` start in a
month. While training she does not search. About 2 in 10 pass. A course goes on
only while she is in the city: it pauses while she is away for the festival, and
one who leaves for good drops out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scipy.special import expit

from model.tables import SEARCHING

if TYPE_CHECKING:
    from model.model import DomesticWorkModel


def train(model: DomesticWorkModel) -> None:
    """Finish courses, then start new ones."""
    w = model.workers
    t = model.params.training
    month = model.month

    # A course goes on only while she is in the city: it pauses while she is away (and
    # one who leaves for good drops out of it: labour.depart).
    searching = w.with_status(SEARCHING)
    in_course = searching[w.training_left[searching] > 0]
    w.training_left[in_course] -= 1
    done = in_course[w.training_left[in_course] == 0]
    passed = done[model.streams.uniform("training_pass", month, done) < t.pass_rate]
    w.certified[passed] = True
    model.flows.certified += int(passed.size)

    candidates = searching[~w.certified[searching] & (w.training_left[searching] == 0)]
    cost = t.cost_yuan * (1.0 - model.levers.training_subsidy_share)
    gain = t.pass_rate * t.premium * model.types.reference_wage[w.job_type[candidates]] * t.horizon_months
    chance = t.take_up_max * expit((gain - cost) / t.take_up_scale_yuan)
    u = model.streams.uniform("training_take_up", month, candidates)
    start = candidates[(u < chance) & (w.savings_yuan[candidates] >= cost)]
    w.savings_yuan[start] -= cost
    subsidy = t.cost_yuan * model.levers.training_subsidy_share * start.size
    model.flows.public_subsidies_yuan += subsidy
    model.flows.course_fees_yuan += cost * start.size
    # Training schools (households' account) get the fee from her and the subsidy from the state.
    model.accounts.state_yuan -= subsidy
    model.accounts.households_yuan += subsidy + cost * start.size
    w.training_left[start] = t.months
    model.flows.trained += int(start.size)
