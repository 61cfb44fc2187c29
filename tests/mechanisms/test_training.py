"""The training kernel against training.py's numpy rule, bit for bit."""

from __future__ import annotations

import numpy as np

from model import DomesticWorkModel
from model.mechanisms import training
from tests.helpers import small_scenario


def test_a_month_of_courses_as_the_numpy_rule_runs_it():
    model = DomesticWorkModel(small_scenario(), months=16)
    model.run_for(14)
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
