"""How a household meets its need: live-in, live-out or hourly work (ODD 7.5a).

A household chooses when its need arises, and again when a law ends its job (a floor
or a working-time limit that left no hours worth their cost): what made one
arrangement too dear may leave another worth having.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.core import labour
from model.core.tables import ALLOWED_ARRANGEMENTS, HOURLY, N_ARRANGEMENTS, WEEKS_PER_MONTH
from model.mechanisms import compliance, wages
from model.mechanisms import hours as hours_law

if TYPE_CHECKING:
    from model.core.world import World


def choose(world: World, rows: np.ndarray, need: np.ndarray, type_wtp: np.ndarray) -> None:
    """Households ``rows`` choose how to meet their needs: live-in, live-out or hourly (ODD 7.5a).

    For each arrangement its need's type can be met in (``ALLOWED_ARRANGEMENTS``), the
    hours a week it would ask for (the arrangement's usual hours times a lognormal
    spread, ``arrangements.need_hours_sd``, one draw a household), what it would pay at
    most for them (``type_wtp``, its willingness to pay for its type's usual hours, in
    proportion to the hours and to their worth, ``arrangements.hour_value``), the care's
    worth (``demand.care_value_markup`` times that), and what it expects them to cost:
    the market's agreed wage an hour for the type and arrangement (or a floor in force
    that it observes, if higher), times the hours, plus room and board for live-in work,
    plus a platform's share if it searches on one, plus what a contract law in force would
    cost it (:func:`model.mechanisms.compliance.contract_law_cost`: day work is covered
    weakly). A household that observes a
    working-time law in force counts only the hours it may buy, and their worth. It picks
    the arrangement whose worth over cost, plus ``arrangements.preference_yuan`` and its
    idiosyncratic taste (Gumbel, scale ``arrangements.choice_scale_yuan``), is largest.
    """
    h, a, terms = world.households, world.params.arrangements, world.arrangements
    streams, month = world.streams, world.month
    spread = np.exp(a.need_hours_sd * streams.normal("need_hours", month, rows) - 0.5 * a.need_hours_sd ** 2)
    hours = np.minimum(terms.usual_hours[need].astype(np.float64) * spread[:, None], 112.0)
    usual = world.types.hours_week[need].astype(np.float64)
    wtp = type_wtp.astype(np.float64)[:, None] * hours / usual[:, None] * terms.value_factor[need]
    platform = streams.uniform("platform_user", month, rows) < a.platform_share
    value = world.params.demand.care_value_markup * wtp
    bought = hours
    if labour.working_time_in_force(world):  # a household that observes it buys at most the legal hours
        observes = labour.observes_working_time(world, rows)[:, None]
        bought = np.where(observes, np.minimum(hours, world.levers.max_hours_week), hours)
        with np.errstate(divide="ignore", invalid="ignore"):  # hours of 0: arrangements its type does not allow
            per_hour = np.where(hours > 0, wtp / (hours * WEEKS_PER_MONTH), 0.0)
            capped = hours_law.care_value(bought, np.maximum(hours, 1e-9), value, per_hour,
                                          world.types.hours_elasticity[need][:, None])
        value = np.where(bought < hours, capped, value)
    rate = world.market.hourly_rate[need] * bought * WEEKS_PER_MONTH
    kinds = np.broadcast_to(np.arange(N_ARRANGEMENTS), hours.shape)
    if wages.floor_in_force(world):
        complies = wages.floor_applies(world, rows)[:, None]
        rate = np.maximum(rate, wages.cash_floor(world, bought, kinds) * complies)
    share = a.platform_commission_share
    cost = rate + terms.in_kind_yuan[None, :]
    cost[:, HOURLY] = np.where(platform, rate[:, HOURLY] / (1.0 - share), rate[:, HOURLY])
    if compliance.contract_law_in_force(world):
        cost += compliance.contract_law_cost(world, rows, need, kinds, bought)
    taste = a.choice_scale_yuan * streams.gumbel("arrangement_taste", month, rows, N_ARRANGEMENTS)
    utility = np.where(ALLOWED_ARRANGEMENTS[need], value - cost + terms.preference_yuan + taste, -np.inf)
    choice = np.argmax(utility, axis=1)
    pick_of = np.arange(rows.size)
    h.set_arrangement(rows, choice)
    h.need_hours_week[rows] = hours[pick_of, choice]
    h.hours_week[rows] = bought[pick_of, choice]
    h.wtp_yuan[rows] = wtp[pick_of, choice]
    h.platform[rows] = platform & (choice == HOURLY)
    h.pay_yuan[rows] = 0.0


def choose_again(world: World, households: np.ndarray) -> None:
    """Households whose job a law ended choose how to meet their need again (:func:`choose`).

    Their willingness to pay for their type's usual hours is read back from what they
    would pay for the hours and arrangement they had.
    """
    if households.size == 0:
        return
    h, terms = world.households, world.arrangements
    need = h.need[households].astype(np.int64)
    usual = world.types.hours_week[need].astype(np.float64)
    factor = h.need_hours_week[households] / usual * terms.value_factor[need, h.arrangement[households]]
    choose(world, households, need, h.wtp_yuan[households] / factor)
