"""Segmentation of every customer for one business date: pure, no I/O."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js
from customer_plans.segment.churn import compute_churn
from customer_plans.segment.familiarity import compute_familiarity
from customer_plans.segment.grid import compute_grid
from customer_plans.segment.history import Previous, align_history
from customer_plans.segment.inputs import Inputs, build_inputs
from customer_plans.segment.lifecycle import compute_lifecycle
from customer_plans.segment.man import compute_man
from customer_plans.segment.opportunities import compute_opportunities
from customer_plans.segment.tiers import compute_tiers

# the segments table, one row per customer per business date (docs/pipeline.md): codes and
# typed facts only, no words (render and explain say them in the reader's language)
SEGMENT_COLUMNS: tuple[str, ...] = (
    "business_date", "customer_id", "manager_id", "branch_id",
    "aum_cny", "aum_adb_cny", "current_balance_cny", "aum_trend_30d_pct", "aum_trend_90d_pct",
    "computed_tier_code", "tier_code", "tier_rank", "previous_tier_code", "tier_change",
    "below_tier_since",
    "familiarity", "reached_contacts_90d", "profile_completeness",
    "grid_group",
    "man_group", "man_difficulty",
    "lifecycle_stage", "previous_lifecycle_stage", "lifecycle_rule",
    "churn_score", "churn_level", "churn_signals",
    "opportunities", "opportunity_count",
    "open_product_count", "last_reached_date",
    "explanation", "rules_version", "rules_hash",
)

DATE_COLUMNS = ("business_date", "below_tier_since", "last_reached_date")
JSON_COLUMNS = ("churn_signals", "opportunities", "explanation")


def _as_column(values: object, n: int) -> pd.Series:
    if isinstance(values, pa.Array):
        return js.as_series(values)
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    array = np.asarray(values)
    if array.dtype.kind == "M":
        return pd.Series(array.astype("datetime64[s]"))
    if array.dtype == object:
        return pd.Series(array, dtype="str")
    return pd.Series(array)


def segment_with_history(frames: dict[str, pd.DataFrame], business_date: date, rules: Rules,
                         history: pd.DataFrame | None = None) -> tuple[pd.DataFrame, Previous]:
    """``segment_customers`` plus what it knew of the history (first run, dates used)."""
    inputs: Inputs = build_inputs(frames, business_date, rules)
    n = inputs.size
    previous = align_history(history, inputs.customers["customer_id"], business_date,
                             rules.tiers.history_lookback_days)
    tiers = compute_tiers(inputs, previous, rules)
    familiarity = compute_familiarity(inputs, rules)
    grid = compute_grid(tiers["_tier_index"], familiarity["_familiarity_index"], rules)
    man = compute_man(inputs, rules)
    lifecycle = compute_lifecycle(inputs, previous, rules)
    churn = compute_churn(inputs, lifecycle["_inactive"], lifecycle["_days_since_customer_txn"],
                          rules)
    opportunities = compute_opportunities(inputs, tiers, lifecycle["_relationship_closed"],
                                          rules)
    # one join for the whole explanation: the parts are lazy lists of pieces
    explanation = js.join(js.obj({
        "churn": churn["_explanation"], "familiarity": familiarity["_explanation"],
        "grid": grid["_explanation"], "lifecycle": lifecycle["_explanation"],
        "man": man["_explanation"], "tier": tiers["_explanation"],
    }))

    base = inputs.base
    columns: dict[str, object] = {
        "business_date": np.full(n, np.datetime64(business_date, "D")),
        "customer_id": inputs.customers["customer_id"],
        "manager_id": inputs.customers["manager_id"],
        "branch_id": inputs.customers["branch_id"],
        "aum_cny": np.round(base["aum_cny"].to_numpy(), 2),
        "aum_adb_cny": np.round(base["aum_adb_cny"].to_numpy(), 2),
        "current_balance_cny": np.round(base["current_balance_cny"].to_numpy(), 2),
        "open_product_count": base["open_product_count"].to_numpy(dtype=np.int64),
        "last_reached_date": base["last_reached_date"].to_numpy(dtype="datetime64[D]"),
        "explanation": explanation,
        "rules_version": js.constant(rules.version, n),
        "rules_hash": js.constant(rules.content_hash, n),
    }
    for part in (tiers, familiarity, grid, man, lifecycle, churn, opportunities):
        columns.update({k: v for k, v in part.items() if not k.startswith("_")})
    frame = pd.DataFrame({name: _as_column(columns[name], n) for name in SEGMENT_COLUMNS})
    return frame, previous


def segment_customers(frames: dict[str, pd.DataFrame], business_date: date, rules: Rules,
                      history: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer for ``business_date``: tier, familiarity, grid, MAN, lifecycle,
    churn and opportunities, with the facts that decided them (columns: ``SEGMENT_COLUMNS``).

    ``frames`` maps extract names (customers, accounts, customer_balances,
    transaction_summary, contact_summary, complaints) to their staging frames, already
    without quarantined rows. ``history`` holds earlier segments rows (at least
    ``customer_id, business_date, tier_code, below_tier_since, lifecycle_stage``); each
    customer's latest row before ``business_date`` is used. Pure: no I/O.
    """
    frame, _ = segment_with_history(frames, business_date, rules, history)
    return frame
