"""The segment stage: staging Parquet in, the plans DB ``segments`` table out."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from sqlalchemy.engine import Engine

from customer_plans.db import bulk_insert, make_engine, run_script, statement
from customer_plans.migrate import migrate_words_late
from customer_plans.rules import Rules
from customer_plans.segment.core import DATE_COLUMNS, SEGMENT_COLUMNS, segment_with_history
from customer_plans.segment.history import read_history
from customer_plans.segment.inputs import SegmentationError, required_columns
from customer_plans.segment.labels import CHURN_LEVELS, LIFECYCLE_STAGES, TIER_CHANGES
from customer_plans.staging import QUARANTINE_FILE, read_quarantine

if TYPE_CHECKING:
    from customer_plans.run_context import RunContext

log = logging.getLogger(__name__)

INSERT_CHUNK_ROWS = 50_000  # bounds the memory of Python row tuples during the insert


def load_staging(staging_dir: Path, rules: Rules, quarantine: pd.DataFrame
                 ) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """Read the extracts segmentation needs (only its columns) and drop quarantined rows.

    Returns the frames and, per table, how many rows the quarantine removed.
    """
    frames: dict[str, pd.DataFrame] = {}
    removed: dict[str, int] = {}
    for table, columns in required_columns(rules).items():
        path = staging_dir / f"{table}.parquet"
        if not path.exists():
            raise SegmentationError(
                f"staging extract {path} is missing: run the extract stage for this date first")
        available = set(pq.read_schema(path).names)
        missing = [c for c in columns if c not in available]
        if missing:
            raise SegmentationError(
                f"staging extract {path} lacks column(s) {', '.join(missing)}; "
                "see docs/pipeline.md for the staging contract")
        keys = quarantine[quarantine["table"] == table]
        key_columns = [c for c in keys["key_column"].unique() if c in available]
        read = columns + [c for c in key_columns if c not in columns]
        frame = pd.read_parquet(path, columns=read)
        drop = np.zeros(len(frame), dtype=bool)
        for key_column in key_columns:
            quarantined = keys.loc[keys["key_column"] == key_column, "key"]
            drop |= frame[key_column].astype("str").isin(quarantined).to_numpy(bool)
        removed[table] = int(drop.sum())
        frames[table] = frame.loc[~drop, columns].reset_index(drop=True)
    return frames, removed


def _python_columns(frame: pd.DataFrame) -> list[np.ndarray]:
    """Each column as an object array of Python values (``None`` for missing) for the DBAPI."""
    out = []
    for name in SEGMENT_COLUMNS:
        column = frame[name]
        if name in DATE_COLUMNS:
            days = column.to_numpy(dtype="datetime64[D]")
            values = np.datetime_as_string(days).astype(object)
            values[np.isnat(days)] = None
        elif pd.api.types.is_float_dtype(column):
            floats = column.to_numpy(dtype="float64")
            values = floats.astype(object)
            values[~np.isfinite(floats)] = None
        elif pd.api.types.is_integer_dtype(column):
            values = column.to_numpy(dtype=np.int64).astype(object)
        else:
            values = column.to_numpy(dtype=object, na_value=None)
        out.append(values)
    return out


def _row_chunks(frame: pd.DataFrame) -> Iterator[Iterator[tuple]]:
    for start in range(0, len(frame), INSERT_CHUNK_ROWS):
        yield zip(*_python_columns(frame.iloc[start:start + INSERT_CHUNK_ROWS]), strict=True)


def write_segments(engine: Engine, frame: pd.DataFrame, business_date: date) -> int:
    """Replace the business date's rows of ``segments`` with ``frame``, in one transaction."""
    run_script(engine, "plans/segments.sql")
    with engine.begin() as conn:
        conn.execute(statement("plans/segments_delete_for_date.sql"),
                     {"business_date": business_date})
        for rows in _row_chunks(frame):
            bulk_insert(conn, "segments", SEGMENT_COLUMNS, rows)
    return len(frame)


def _counts(values: pd.Series, known: tuple[str, ...] | list[str]) -> dict[str, int]:
    counts = values.value_counts()
    return {code: int(counts.get(code, 0)) for code in known}


def run_segmentation(ctx: RunContext) -> dict[str, Any]:
    """Segment every customer of the context's business date and write the plans DB's
    ``segments`` table.

    Reads the staging extracts in the context's ``staging_dir``
    (``<output>/staging/<business_date>/``), leaves out rows listed in the folder's
    ``quarantine.parquet`` (none is fine), takes each customer's history from earlier dates
    in the plans DB, and replaces the date's rows. Returns a small JSON-safe summary.
    """
    business_date = ctx.business_date
    rules = ctx.rules()
    staging_dir = ctx.staging_dir
    quarantine = read_quarantine(staging_dir, SegmentationError).astype("str")
    frames, removed = load_staging(staging_dir, rules, quarantine)

    engine = make_engine(ctx.settings.plans_db_url)
    try:
        migrate_words_late(engine, ("segments",))  # a database made before words came late
        run_script(engine, "plans/segments.sql")
        history = read_history(engine, business_date, rules.tiers.history_lookback_days)
        frame, previous = segment_with_history(frames, business_date, rules, history)
        rows = write_segments(engine, frame, business_date)
    finally:
        engine.dispose()

    summary: dict[str, Any] = {
        "business_date": business_date.isoformat(),
        "rows": rows,
        "tiers": _counts(frame["tier_code"], [level.code for level in rules.tiers.levels]),
        "tier_changes": _counts(frame["tier_change"], TIER_CHANGES),
        "lifecycle_stages": _counts(frame["lifecycle_stage"], LIFECYCLE_STAGES),
        "churn_levels": _counts(frame["churn_level"], CHURN_LEVELS),
        "first_run": previous.first_run,
        "history_dates_used": previous.dates_used,
        "quarantine_file": (str(staging_dir / QUARANTINE_FILE)
                            if (staging_dir / QUARANTINE_FILE).exists() else None),
        "quarantined_customers": removed.get("customers", 0),
        "quarantined_rows": {t: n for t, n in removed.items() if n},
        "rules_version": rules.version,
        "rules_hash": rules.content_hash,
    }
    if previous.first_run:
        summary["note"] = (
            f"first run: no segments stored in the {rules.tiers.history_lookback_days} days "
            f"before {business_date.isoformat()}, so tiers are as computed (no downgrade "
            "hold), every tier_change is 'new' and there is no previous lifecycle stage")
    log.info("segments for %s: %d customers, first run %s, tiers %s, churn %s",
             business_date, rows, previous.first_run, summary["tiers"], summary["churn_levels"])
    return summary
