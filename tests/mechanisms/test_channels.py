"""Channel choice and learning: each kernel against the module's numpy rule, to the byte."""

from __future__ import annotations

import numpy as np
import pytest

from model import DomesticWorkModel
from model.core.tables import N_CHANNELS
from model.mechanisms import channels
from tests.helpers import small_scenario


@pytest.mark.parametrize("no_agency", [False, True])
def test_channel_choice_kernel_is_the_numpy_utility_argmax(no_agency):
    rng = np.random.default_rng(int(no_agency))
    attraction = rng.random((5000, 3)).astype(np.float32)
    attraction[:100] = 0.5  # ties
    rows = np.sort(rng.choice(5000, 3000, replace=False))
    referral = np.where(rng.random(3000) < 0.3, channels.NO_CHANNEL, rng.normal(0.0, 1.0, 3000))
    agency = (0.2 + 0.7 * (rng.random(3000).astype(np.float32) - 0.5) - 0.3).astype(np.float64)
    gumbel = -np.log(-np.log(rng.random((3000, 3))))
    gumbel[:50] = 0.0
    gumbel[50:60, 1] = np.nan  # NaN counts as largest
    expected = channels.best_channel_numpy(attraction, rows, 1.3, referral, agency, no_agency, 0.8, gumbel)
    got = channels._best_channel(attraction, rows, 1.3, referral, agency, no_agency, 0.8, gumbel)
    assert got.tobytes() == expected.tobytes() and np.unique(got).size == (2 if no_agency else 3)


def test_contact_strength_kernel_is_the_numpy_rule():
    rng = np.random.default_rng(8)
    for n_rows in (0, 1, 2000):
        contact_group = rng.integers(0, 300, 4000).astype(np.int32)
        group = rng.integers(0, 400, 5000).astype(np.int32)  # some groups have no contact
        rows = np.sort(rng.choice(5000, n_rows, replace=False))
        got = channels._contact_strength(contact_group, 400, group, rows, 1.7, 1e-9)
        expected = channels.contact_strength_numpy(contact_group, 400, group, rows, 1.7, 1e-9)
        for g, e in zip(got, expected, strict=True):
            assert g.tobytes() == e.tobytes()


def test_learning_kernel_is_the_numpy_float32_update():
    rng = np.random.default_rng(2)
    attraction = rng.random((4000, 3)).astype(np.float32)
    rows = np.sort(rng.choice(4000, 2500, replace=False))
    channel = rng.integers(0, 3, rows.size).astype(np.int8)
    success = rng.random(rows.size) < 0.4
    expected = attraction.copy()
    channels.learn_numpy(expected, rows, channel, success, 0.15)
    channels.learn(attraction, rows, channel, success, 0.15)
    assert attraction.tobytes() == expected.tobytes()


def test_learning_from_the_matched_is_learning_from_a_success_mask():
    rng = np.random.default_rng(3)
    attraction = rng.random((3000, N_CHANNELS)).astype(np.float32)
    rows = np.sort(rng.choice(3000, 2000, replace=False))
    channel = rng.integers(0, N_CHANNELS, rows.size).astype(np.int8)
    matched = np.sort(rng.choice(rows.size, 500, replace=False))
    expected = attraction.copy()
    channels.learn_matched_numpy(expected, rows, channel, matched, 0.2)
    channels.learn_matched(attraction, rows, channel, matched, 0.2)
    assert attraction.tobytes() == expected.tobytes()


def test_the_terms_for_kernels_carry_each_parameter_in_its_named_field():
    """_choice_terms and _household_agency_terms fill their NamedTuples positionally (for speed): each field, by name."""
    model = DomesticWorkModel(small_scenario(**{"months": 2, "channels.outcome_weight": 1.3,  # all distinct
                                                "channels.referral_utility": 0.7, "channels.choice_noise": 0.9,
                                                "channels.trust_weight": 2.1, "channels.agency_utility": 0.3}))
    p = model.params.channels
    assert channels.ChoiceTerms(*channels._choice_terms(model)) == channels.ChoiceTerms(
        outcome_weight=p.outcome_weight, referral_utility=p.referral_utility, noise_scale=p.choice_noise)
    terms = channels.HouseholdAgencyTerms(*channels._household_agency_terms(model, 0.375, True))
    assert terms == channels.HouseholdAgencyTerms(
        trust_weight=p.trust_weight, agency_utility=p.agency_utility, fee_cost=0.375, no_agency=True,
        key=model.streams.ukey("household_agency", model.month))
    assert type(terms.key) is type(model.streams.ukey("household_agency", model.month))
