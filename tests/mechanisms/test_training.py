"""The training kernel against training.py's numpy rule, bit for bit."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from model import DomesticWorkModel
from model.mechanisms import training
from tests.helpers import small_scenario


def test_a_month_of_courses_as_the_numpy_rule_runs_it():
    model = DomesticWorkModel(small_scenario(), months=22)
    model.run_for(20)  # a month with searchers who start a course
    model.params.training.months = 2
    model.levers.training_subsidy_share = 0.5
    w = model.workers
    columns = ("training_left", "certified", "savings_yuan")
    before = {name: getattr(w, name).copy() for name in columns}
    expected_courses = training.courses_numpy(model)
    expected = {name: getattr(w, name).copy() for name in columns}
    for name in columns:
        getattr(w, name)[:] = before[name]
    trained, certified = model.flows.trained, model.flows.certified
    training.train(model)
    for name in columns:
        assert np.array_equal(getattr(w, name), expected[name]), name
    assert model.flows.trained - trained == expected_courses.started
    assert model.flows.certified - certified == expected_courses.passed
    assert expected_courses.started > 0


def test_the_course_terms_carry_each_parameter_in_its_named_field():
    """_course_terms fills CourseTerms positionally (for speed): each field, by name."""
    model = DomesticWorkModel(small_scenario(), months=3)
    model.run_for(2)
    t, month = model.params.training, model.month
    terms = training.CourseTerms(*training._course_terms(model, 123.5))
    gain = t.pass_rate * t.premium * model.types.reference_wage * t.horizon_months
    expected = training.CourseTerms(
        pass_key=model.streams.ukey("training_pass", month), take_up_key=model.streams.ukey("training_take_up", month),
        pass_rate=t.pass_rate, chance=t.take_up_max * expit((gain - 123.5) / t.take_up_scale_yuan), cost=123.5,
        months=t.months)
    assert np.array_equal(terms.chance, expected.chance)
    assert terms._replace(chance=None) == expected._replace(chance=None)
