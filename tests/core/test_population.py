"""Drawing workers and setting needs: population.py's kernels against its numpy rules, bit for bit."""

from __future__ import annotations

import numpy as np

from model.core import population
from model.core.population import DrawnColumns, draw_workers
from model.mechanisms import migration
from tests.helpers import stepped


def test_newcomers_and_the_first_workers_get_the_numpy_draws_bit_for_bit():
    model = stepped(14)
    w = model.workers
    probs = migration.origin_probabilities(model)
    for newcomers, size in ((True, 60), (False, 3000)):
        rows = w.grow(size)
        population.draw_workers_numpy(model, rows, np.random.default_rng(5), probs, newcomers)
        expected = {name: getattr(w, name)[rows].copy() for name in DrawnColumns._fields}
        for name in DrawnColumns._fields:
            getattr(w, name)[rows] = 0
        draw_workers(model, rows, np.random.default_rng(5), probs, newcomers)
        for name in DrawnColumns._fields:
            assert np.array_equal(getattr(w, name)[rows], expected[name]), name
        assert (w.age_years[rows] < model.params.migration.retirement_age).all()
        assert np.unique(w.origin[rows]).size > 10 and np.unique(w.job_type[rows]).size == 4


def test_a_new_need_and_its_willingness_to_pay_are_the_numpy_rules():
    model = stepped(14)
    h = model.households
    rows = np.flatnonzero(h.view("need") < 0)[:200]
    kind = np.random.default_rng(2).integers(0, 4, rows.size)
    z = model.streams.normal("need_wtp", model.month, rows)
    columns = ("need", "wtp_yuan", "vacancy_months")
    h.vacancy_months[rows] = 3
    before = {name: getattr(h, name).copy() for name in columns}
    population.set_need_numpy(model, rows, kind, z)
    expected = {name: getattr(h, name).copy() for name in columns}
    for name in columns:
        getattr(h, name)[:] = before[name]
    population.set_need(model, rows, kind, z)
    for name in columns:
        assert np.array_equal(getattr(h, name), expected[name]), name
    assert not h.vacancy_months[rows].any() and rows.size == 200


def test_the_draw_terms_carry_each_parameter_in_its_named_field():
    """_draw_terms fills DrawTerms positionally (for speed): each field, by name."""
    model = stepped(2)
    p, probs = model.params.workers, migration.origin_probabilities(model)
    terms = population.DrawTerms(*population._draw_terms(model, probs, True))
    expected = population.DrawTerms(
        origin_probs=probs, worker_share=model.types.worker_share, reference_wage=model.types.reference_wage,
        villages=model.city.urban_villages, local_hukou_share=p.local_hukou_share,
        retire=model.params.migration.retirement_age, certified_share=p.certified_share,
        reservation_share=p.reservation_share, rural_income=model.params.migration.rural_income_yuan,
        newcomers=True, newcomer_months=p.newcomer_savings_months, month=model.month)
    assert all(getattr(terms, name) is getattr(expected, name) for name in expected._fields[:4])
    assert terms[4:] == expected[4:]


def test_agencies_without_a_private_cost_of_overcharging_draw_everything_else_the_same():
    # honesty_mean_yuan 0 (assumptions/no_norms.yaml) once skipped its draw and shifted every agency draw after it.
    from model import DomesticWorkModel
    from tests.helpers import small_scenario

    honest, shameless = (DomesticWorkModel(small_scenario(**{"agencies.honesty_mean_yuan": mean})).agencies
                         for mean in (750.0, 0.0))
    assert (shameless.honesty_yuan == 0).all() and (honest.honesty_yuan > 0).sum() > 5
    for name in honest.COLUMNS:
        if name != "honesty_yuan":
            assert np.array_equal(getattr(honest, name), getattr(shameless, name)), name
