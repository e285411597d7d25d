"""Value tier (客户分层) from the average daily AUM, with hysteresis against flapping.

Upgrades apply at once. A downgrade applies only once the customer has stayed below the
held tier's lower threshold for ``tiers.downgrade_hold_days``: the date the customer first
fell below is stored (``below_tier_since``) and carried from one business date to the next.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js
from customer_plans.segment.history import Previous
from customer_plans.segment.inputs import Inputs, days_between
from customer_plans.segment.labels import TIER_CHANGES

# why the tier is what it is (``explanation.tier.rule``)
TIER_RULES = ("first_run", "no_history", "upgrade", "same", "downgrade", "downgrade_held")


def compute_tiers(inputs: Inputs, previous: Previous, rules: Rules) -> dict[str, object]:
    """Tier columns: computed and effective tier, rank, change, and the hold's start date."""
    levels = rules.tiers.levels  # lowest first
    codes = [level.code for level in levels]
    thresholds = np.array([level.min_adb_cny for level in levels])
    hold_days = rules.tiers.downgrade_hold_days
    day = inputs.day

    adb = np.nan_to_num(inputs.base["aum_adb_cny"].to_numpy())
    # at a threshold exactly, the customer is in the higher tier
    computed = np.clip(np.searchsorted(thresholds, adb, side="right") - 1, 0, len(levels) - 1)

    prev = pd.Series(previous.frame["tier_code"], dtype=object).map(
        {code: i for i, code in enumerate(codes)}).to_numpy(dtype="float64", na_value=np.nan)
    # a previous tier the rules no longer know is treated as no history
    has_prev = ~np.isnan(prev)
    prev_idx = np.where(has_prev, prev, -1).astype(np.int64)
    prev_below = previous.frame["below_tier_since"].to_numpy(dtype="datetime64[D]")

    below = has_prev & (computed < prev_idx)
    below_since = np.where(below & ~np.isnat(prev_below), prev_below, day)
    below_since = np.where(below, below_since, np.datetime64("NaT", "D"))
    days_below = days_between(day, below_since)
    released = below & (days_below >= hold_days)
    held = below & ~released

    effective = np.where(held, prev_idx, computed)
    below_since = np.where(held, below_since, np.datetime64("NaT", "D"))

    # TIER_CHANGES order: up, down, same, new
    change = np.full(len(adb), 3, dtype=np.int64)
    change[has_prev & (effective > prev_idx)] = 0
    change[has_prev & (effective < prev_idx)] = 1
    change[has_prev & (effective == prev_idx)] = 2

    rule = np.full(len(adb), 0 if previous.first_run else 1, dtype=np.int64)
    rule[has_prev & (computed > prev_idx)] = 2
    rule[has_prev & (computed == prev_idx)] = 3
    rule[released] = 4
    rule[held] = 5

    vocabulary = [*codes, None]  # None: no previous tier
    previous_index = np.where(has_prev, prev_idx, len(codes))
    explanation = js.obj({
        "below_since": js.day(below_since),
        "computed": js.pick_json(codes, computed),
        "days_below": js.integer(np.where(held | released, days_below, np.nan)),
        "hold_days": str(hold_days),
        "previous": js.pick_json(vocabulary, previous_index),
        "rule": js.pick_json(TIER_RULES, rule),
        "threshold_cny": js.number(thresholds[effective]),
    })
    return {
        "computed_tier_code": js.pick(codes, computed),
        "tier_code": js.pick(codes, effective),
        "tier_rank": (len(levels) - effective).astype(np.int64),
        "previous_tier_code": js.pick(vocabulary, previous_index),
        "tier_change": js.pick(TIER_CHANGES, change),
        "below_tier_since": below_since,
        "_tier_index": effective,
        "_explanation": explanation,
    }
