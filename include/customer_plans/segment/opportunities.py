"""The contact reasons segmentation decides, as facts for the assignment stage.

Each opportunity is a JSON object ``{"code": ..., facts...}``; a customer's list is in the
order of the codes below. A customer whose relationship is closed has none (assignment
excludes them anyway).

Only the reasons the assignment stage reads from this list are decided here: one decision,
one home. Maturities, birthdays, holidays and open complaints are decided by the assignment
rules alone (:mod:`customer_plans.assign.candidates`), and a tier change is the segment's
``tier_change`` / ``previous_tier_code``, so none of them is listed.

- ``idle_balance``: current-account balance at or above ``idle_current_balance_min_cny``
- ``new_customer_follow_up``: days since onboarding is one of ``new_customer_follow_up_days``
  or up to ``follow_up_grace_days`` after it: ``day`` (the follow-up day, the latest due),
  ``days`` (days since onboarding), ``date`` (the onboarding date)
- ``post_sale_follow_up``: the same for the last product purchase (``date`` = purchase date)
- ``cadence_overdue``: days since the last reached contact exceed the tier's
  ``assignment.cadence_days``; with no reached contact in the contact window
  (``familiarity.contact_window_days``) it is overdue when the cadence is not longer than the
  window and the customer was onboarded more than a cadence ago
"""

from __future__ import annotations

import numpy as np

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js
from customer_plans.segment.inputs import Inputs, days_between

OPPORTUNITY_CODES = (
    "idle_balance", "new_customer_follow_up", "post_sale_follow_up", "cadence_overdue",
)


def _follow_up(since: np.ndarray, follow_up_days: list[int], grace: int) -> np.ndarray:
    """The latest follow-up day that is due (0..grace days ago), NaN where none is."""
    due_day = np.full(len(since), np.nan)
    for follow_up_day in sorted(follow_up_days):  # a loop over the rule's days
        late = since - follow_up_day
        due_day = np.where((late >= 0) & (late <= grace), follow_up_day, due_day)
    return due_day


class _Items:
    """The opportunity items, in list order: ``(positions, JSON objects)``."""

    def __init__(self, allowed: np.ndarray):
        self.allowed, self.parts = allowed, []

    def add(self, mask: np.ndarray, build) -> None:
        at = np.flatnonzero(mask & self.allowed)
        self.parts.append((at, build(at)))


def compute_opportunities(inputs: Inputs, tiers: dict[str, object],
                          relationship_closed: np.ndarray, rules: Rules) -> dict[str, object]:
    """The JSON list of opportunities and their count for each customer."""
    opp = rules.opportunities
    base = inputs.base
    day = inputs.day
    n = inputs.size
    items = _Items(~relationship_closed)

    current = base["current_balance_cny"].to_numpy()
    items.add(current >= opp.idle_current_balance_min_cny, lambda at: js.obj({
        "amount_cny": js.number(current[at]), "code": '"idle_balance"',
        "threshold_cny": js.number(np.full(len(at), opp.idle_current_balance_min_cny)),
    }))

    since_onboarding = days_between(day, base["onboarding_date"].to_numpy())
    onboarding_due = _follow_up(since_onboarding, opp.new_customer_follow_up_days,
                                opp.follow_up_grace_days)
    items.add(~np.isnan(onboarding_due), lambda at: js.obj({
        "code": '"new_customer_follow_up"',
        "date": js.day(base["onboarding_date"].to_numpy()[at]),
        "day": js.integer(onboarding_due[at]),
        "days": js.integer(since_onboarding[at]),
    }))

    purchase = base["last_product_purchase_date"].to_numpy()
    since_purchase = days_between(day, purchase)
    purchase_due = _follow_up(since_purchase, opp.post_sale_follow_up_days,
                              opp.follow_up_grace_days)
    items.add(~np.isnan(purchase_due), lambda at: js.obj({
        "code": '"post_sale_follow_up"',
        "date": js.day(purchase[at]),
        "day": js.integer(purchase_due[at]),
        "days": js.integer(since_purchase[at]),
    }))

    tier_codes = [level.code for level in rules.tiers.levels]
    cadence_of_tier = np.array([rules.assignment.cadence_days[code] for code in tier_codes],
                               dtype="float64")
    cadence = cadence_of_tier[tiers["_tier_index"]]
    window = rules.familiarity.contact_window_days
    last_reached = base["last_reached_date"].to_numpy()
    since_reached = days_between(day, last_reached)
    never = np.isnan(since_reached)
    overdue = np.where(never, (cadence <= window) & (since_onboarding > cadence),
                       since_reached > cadence)
    items.add(overdue, lambda at: js.obj({
        "cadence_days": js.integer(cadence[at]), "code": '"cadence_overdue"',
        "days_since_contact": js.integer(since_reached[at]),
        "last_reached_date": js.day(last_reached[at]),
    }))

    count = np.zeros(n, dtype=np.int64)
    for at, _ in items.parts:
        count += np.bincount(at, minlength=n)
    return {"opportunities": js.join_list(items.parts, n), "opportunity_count": count}
