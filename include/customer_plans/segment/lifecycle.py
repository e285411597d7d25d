"""Lifecycle stage (客户生命周期) by explicit, ordered rules: the first that matches decides.

1. ``lost_closed``: the customer's relationship is closed (``closed_date`` on or before today)
2. ``lost_no_accounts``: no open account, and onboarded longer ago than ``new_customer_days``
3. ``new``: onboarded at most ``new_customer_days`` days ago
4. ``dormant``: no customer-initiated transaction for ``dormant_days_without_activity`` days
   (none in the extract's window counts as none) and AUM is not growing
5. ``declining_90d`` / ``declining_30d``: AUM 7-day average vs 90 (30) days ago at or below
   ``declining_trend_90d_pct`` (``declining_trend_30d_pct``)
6. ``growing``: AUM 7-day average vs 90 days ago at or above ``growing_trend_90d_pct``
7. ``potential``: AUM today below ``potential_max_aum_cny``
8. ``stable``: none of the above

Each row stores the stage, the rule that decided it, and the stage of the customer's
previous stored row; the row's ``explanation.lifecycle`` holds the rule with the facts its
words cite (the date, trend or amount it saw, the threshold it applied), which
``customer_plans.words.segments.lifecycle_reason`` says in the reader's language
("AUM -32% over 90 days -> declining").
"""

from __future__ import annotations

import numpy as np

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js
from customer_plans.segment.history import Previous
from customer_plans.segment.inputs import Inputs, aum_trends, days_between

# rule code -> stage, in the order the rules are tried
LIFECYCLE_RULES: dict[str, str] = {
    "lost_closed": "lost",
    "lost_no_accounts": "lost",
    "new": "new",
    "dormant": "dormant",
    "declining_90d": "declining",
    "declining_30d": "declining",
    "growing": "growing",
    "potential": "potential",
    "stable": "stable",
}


def inactivity(inputs: Inputs, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """Days since the last customer-initiated transaction (NaN: none in the window) and
    whether that is at least ``dormant_days_without_activity``."""
    since = days_between(inputs.day, inputs.base["last_customer_txn_date"].to_numpy())
    limit = rules.lifecycle.dormant_days_without_activity
    return since, np.isnan(since) | (since >= limit)


def _facts(rule: str, at: np.ndarray, facts: dict[str, np.ndarray], rules: Rules) -> dict:
    """The facts the words of ``rule`` cite beyond the common inputs, for the customers at
    ``at``: the date, trend or amount it saw and the threshold of the rules it applied (so
    the words say what was decided, whatever the rules in force when they are read)."""
    life = rules.lifecycle
    k = len(at)
    if rule == "lost_closed":
        return {"closed_date": js.day(facts["closed_date"][at])}
    if rule == "new":
        return {"new_customer_days": js.integer(np.full(k, life.new_customer_days))}
    if rule == "dormant":
        return {"dormant_days_without_activity": js.integer(
            np.full(k, life.dormant_days_without_activity))}
    if rule == "declining_30d":
        return {"trend_pct": js.number(facts["trend_30d"][at])}
    if rule in ("declining_90d", "growing", "stable"):
        return {"trend_pct": js.number(facts["trend_90d"][at])}  # stable: null when unknown
    if rule == "potential":
        return {"aum_cny": js.number(facts["aum_cny"][at]),
                "potential_max_aum_cny": js.number(np.full(k, life.potential_max_aum_cny))}
    return {}  # lost_no_accounts: the open account count (0) is a common input


def compute_lifecycle(inputs: Inputs, previous: Previous, rules: Rules) -> dict[str, object]:
    """Stage, rule and its facts for each customer, and the previous stored stage."""
    life = rules.lifecycle
    base = inputs.base
    n = inputs.size
    trend_30d, trend_90d = aum_trends(base)
    since_onboarding = days_between(inputs.day, base["onboarding_date"].to_numpy())
    since_txn, inactive = inactivity(inputs, rules)
    closed_date = base["closed_date"].to_numpy()
    open_accounts = base["open_account_count"].to_numpy()
    aum = base["aum_cny"].to_numpy()

    is_new = since_onboarding <= life.new_customer_days
    growing = trend_90d >= life.growing_trend_90d_pct  # False when the trend is unknown
    conditions = {
        "lost_closed": ~np.isnat(closed_date) & (closed_date <= inputs.day),
        "lost_no_accounts": (open_accounts == 0) & ~is_new,
        "new": is_new,
        "dormant": inactive & ~growing,
        "declining_90d": trend_90d <= life.declining_trend_90d_pct,
        "declining_30d": trend_30d <= life.declining_trend_30d_pct,
        "growing": growing,
        "potential": aum < life.potential_max_aum_cny,
        "stable": np.ones(n, dtype=bool),
    }
    codes = list(conditions)
    chosen = np.select(list(conditions.values()), np.arange(len(codes)), default=len(codes) - 1)
    stages = [LIFECYCLE_RULES[c] for c in codes]

    facts = {
        "closed_date": closed_date,
        "trend_30d": trend_30d,
        "trend_90d": trend_90d,
        "aum_cny": aum,
    }
    # the explanation: the rule, the common inputs, and the facts of the rule's words
    # (words.segments.lifecycle_reason reads them)
    parts = []
    for i, code in enumerate(codes):
        at = np.flatnonzero(chosen == i)
        if len(at) == 0:
            continue
        parts.append((at, js.join(js.obj({
            "days_since_customer_txn": js.integer(since_txn[at]),
            "days_since_onboarding": js.integer(since_onboarding[at]),
            "open_accounts": js.integer(open_accounts[at]),
            "rule": f'"{code}"',
            **_facts(code, at, facts, rules),
        }))))
    return {
        "aum_trend_30d_pct": trend_30d,
        "aum_trend_90d_pct": trend_90d,
        "lifecycle_stage": js.pick(stages, chosen),
        "previous_lifecycle_stage": js.text(previous.frame["lifecycle_stage"]),
        "lifecycle_rule": js.pick(codes, chosen),
        "_relationship_closed": chosen == 0,
        "_inactive": inactive,
        "_days_since_customer_txn": since_txn,
        "_days_since_onboarding": since_onboarding,
        "_explanation": js.assemble(parts, n),
    }
