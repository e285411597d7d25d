"""The stored history: each customer's latest segments row before the business date.

Hysteresis and the lifecycle's previous stage come from there. A rerun of a date never
sees its own rows (only strictly earlier dates count), so reruns give the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from customer_plans.db import read_sql

# the columns of a history frame (what segment_customers needs from earlier dates)
HISTORY_COLUMNS = ("customer_id", "business_date", "tier_code", "below_tier_since",
                   "lifecycle_stage")


@dataclass
class Previous:
    """Earlier segments aligned to today's customers (NaN/None where a customer has none)."""

    frame: pd.DataFrame  # tier_code, below_tier_since, lifecycle_stage, business_date
    first_run: bool  # no earlier business date at all
    dates_used: list[str] = field(default_factory=list)


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="object") for column in HISTORY_COLUMNS})


def read_history(engine: Engine, business_date: date, lookback_days: int) -> pd.DataFrame:
    """Each customer's latest stored segments row dated before ``business_date``,
    at most ``lookback_days`` old (``tiers.history_lookback_days``)."""
    params = {"business_date": business_date,
              "lookback_start_date": business_date - timedelta(days=lookback_days)}
    with engine.connect() as conn:
        result = conn.execute(sa.text(read_sql("plans/segments_previous.sql")), params)
        rows = result.fetchall()
        return pd.DataFrame(rows, columns=list(result.keys()))


def align_history(history: pd.DataFrame | None, customer_ids: pd.Series,
                  business_date: date, lookback_days: int) -> Previous:
    """The latest row per customer dated before ``business_date`` and at most
    ``lookback_days`` old, in the order of ``customer_ids``."""
    n = len(customer_ids)
    frame = pd.DataFrame({
        "tier_code": np.full(n, None, dtype=object),
        "below_tier_since": np.full(n, np.datetime64("NaT", "D")),
        "lifecycle_stage": np.full(n, None, dtype=object),
        "business_date": np.full(n, np.datetime64("NaT", "D")),
    })
    if history is None or history.empty:
        return Previous(frame, first_run=True)
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise ValueError(f"history frame lacks column(s) {', '.join(missing)}")
    dates = pd.to_datetime(history["business_date"]).to_numpy(dtype="datetime64[D]")
    today = np.datetime64(business_date, "D")
    earlier = (dates < today) & (dates >= today - np.timedelta64(lookback_days, "D"))
    if not earlier.any():
        return Previous(frame, first_run=True)
    history = history.loc[earlier, list(HISTORY_COLUMNS)].assign(business_date=dates[earlier])
    # several earlier rows per customer: the latest wins
    latest = (history.sort_values(["customer_id", "business_date"])
              .drop_duplicates("customer_id", keep="last"))
    pos = pd.Index(customer_ids.astype("str")).get_indexer(latest["customer_id"].astype("str"))
    latest, pos = latest[pos >= 0], pos[pos >= 0]
    frame.loc[pos, "tier_code"] = latest["tier_code"].to_numpy(dtype=object)
    frame.loc[pos, "lifecycle_stage"] = latest["lifecycle_stage"].to_numpy(dtype=object)
    below = pd.to_datetime(latest["below_tier_since"]).to_numpy(dtype="datetime64[D]")
    frame.loc[pos, "below_tier_since"] = below
    frame.loc[pos, "business_date"] = latest["business_date"].to_numpy(dtype="datetime64[D]")
    used = sorted({str(d) for d in latest["business_date"].to_numpy(dtype="datetime64[D]")})
    return Previous(frame, first_run=False, dates_used=used)
