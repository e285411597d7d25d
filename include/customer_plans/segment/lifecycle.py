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

Each row stores the rule, a reason in English and Chinese ("AUM -32% over 90 days ->
declining"), its inputs, and the stage of the customer's previous stored row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js
from customer_plans.segment.history import Previous
from customer_plans.segment.inputs import Inputs, aum_trends, days_between
from customer_plans.segment.labels import LIFECYCLE_LABELS

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


def _reasons(rule: str, at: np.ndarray, facts: dict[str, np.ndarray], rules: Rules
             ) -> tuple[pa.Array, pa.Array]:
    """English and Chinese reason texts for the customers at positions ``at``."""
    life = rules.lifecycle
    en_stage = LIFECYCLE_LABELS[LIFECYCLE_RULES[rule]]["en"].lower()
    zh_stage = LIFECYCLE_LABELS[LIFECYCLE_RULES[rule]]["zh"]
    k = len(at)

    def pick(name: str) -> np.ndarray:
        return facts[name][at]

    if rule == "lost_closed":
        closed = pick("closed_date")
        en = js.join(["relationship closed on ", js.day_text_in(closed, "en"),
                      f" -> {en_stage}"])
        zh = js.join(["客户已于", js.day_text_in(closed, "zh"), f"销户 → {zh_stage}"])
    elif rule == "lost_no_accounts":
        en = js.constant(f"no open account -> {en_stage}", k)
        zh = js.constant(f"无有效账户 → {zh_stage}", k)
    elif rule == "new":
        days = js.int_text(pick("days_since_onboarding"))
        limit = life.new_customer_days
        en = js.join(["onboarded ", days, f" days ago (within {limit}) -> {en_stage}"])
        zh = js.join(["开户", days, f"天（{limit}天内）→ {zh_stage}"])
    elif rule == "dormant":
        since = pick("days_since_customer_txn")
        known = ~np.isnan(since)
        limit = life.dormant_days_without_activity
        days = js.int_text(since)
        en = js.if_else(known,
                   js.join(["no customer-initiated transaction for ", days,
                            f" days -> {en_stage}"]),
                   f"no customer-initiated transaction in {limit}+ days -> {en_stage}")
        zh = js.if_else(known, js.join(["已", days, f"天无主动交易 → {zh_stage}"]),
                   f"超过{limit}天无主动交易 → {zh_stage}")
    elif rule in ("declining_90d", "declining_30d", "growing"):
        window = 30 if rule == "declining_30d" else 90
        trend = pick(f"trend_{window}d")
        verb_zh = "增长" if rule == "growing" else "下降"
        en = js.join(["AUM ", js.percent_text(trend), f" over {window} days -> {en_stage}"])
        zh = js.join([f"资产{window}天{verb_zh}", js.percent_text(trend, signed=False),
                      f" → {zh_stage}"])
    elif rule == "potential":
        aum = js.amount_text(pick("aum_cny"))
        limit = js.amount_text(np.array([life.potential_max_aum_cny]))[0].as_py()
        en = js.join(["AUM CNY ", aum, f", below {limit} -> {en_stage}"])
        zh = js.join(["资产", aum, f"元，低于{limit}元 → {zh_stage}"])
    else:  # stable
        trend = pick("trend_90d")
        known = ~np.isnan(trend)
        en = js.if_else(known,
                   js.join(["AUM ", js.percent_text(trend),
                            f" over 90 days, no other signal -> {en_stage}"]),
                   f"no AUM trend yet, no other signal -> {en_stage}")
        zh = js.if_else(known,
                   js.join(["资产90天变化", js.percent_text(trend), f"，无其他信号 → {zh_stage}"]),
                   f"暂无资产趋势，无其他信号 → {zh_stage}")
    return en, zh


def compute_lifecycle(inputs: Inputs, previous: Previous, rules: Rules) -> dict[str, object]:
    """Stage, rule, reasons and inputs for each customer, and the previous stored stage."""
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
        "days_since_onboarding": since_onboarding,
        "days_since_customer_txn": since_txn,
        "trend_30d": trend_30d,
        "trend_90d": trend_90d,
        "aum_cny": aum,
    }
    en_parts, zh_parts = [], []
    for i, code in enumerate(codes):
        at = np.flatnonzero(chosen == i)
        if len(at) == 0:
            continue
        en, zh = _reasons(code, at, facts, rules)
        en_parts.append((at, en))
        zh_parts.append((at, zh))

    # the trends and AUM are columns of the row; the explanation adds the other inputs
    explanation = js.obj({
        "days_since_customer_txn": js.integer(since_txn),
        "days_since_onboarding": js.integer(since_onboarding),
        "open_accounts": js.integer(open_accounts),
        "rule": js.pick_json(codes, chosen),
    })
    return {
        "aum_trend_30d_pct": trend_30d,
        "aum_trend_90d_pct": trend_90d,
        "lifecycle_stage": js.pick(stages, chosen),
        "previous_lifecycle_stage": js.text(previous.frame["lifecycle_stage"]),
        "lifecycle_rule": js.pick(codes, chosen),
        "lifecycle_reason_en": js.assemble(en_parts, n),
        "lifecycle_reason_zh": js.assemble(zh_parts, n),
        "_relationship_closed": chosen == 0,
        "_inactive": inactive,
        "_days_since_customer_txn": since_txn,
        "_days_since_onboarding": since_onboarding,
        "_explanation": explanation,
    }
