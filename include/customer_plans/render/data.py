"""Reading what the plans need from the plans DB and the staging area.

Only the columns a plan shows are read, and only for the customers on the plans:
national IDs, addresses and emails never leave the staging files for rendering.
SQL lives in ``include/sql/render``; every query binds the business date.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from customer_plans.db import make_engine, read_sql
from customer_plans.quality.gate import WARNING_ROWS_COLUMNS, WARNING_ROWS_FILE
from customer_plans.render.context import (
    POOL_PREFIX,
    WEEKLY_AUM_COLUMNS,
    PlanInputs,
    QualityStatus,
)
from customer_plans.render.quality_audience import (
    BOOK_TABLES,
    COUNT_COLUMNS,
    MANAGER_TABLE,
    count_by_list,
)

log = logging.getLogger(__name__)

MANAGER_COLUMNS = [
    "manager_id", "branch_id", "branch_name", "manager_name", "locale", "status",
    "daily_call_capacity", "daily_visit_capacity", "backup_manager_id",
]


# what a roll-up needs of the branches extract: the head's language (never their address)
BRANCH_COLUMNS = ["branch_id", "locale"]


class RenderInputError(RuntimeError):
    """An input the plans cannot be rendered without is missing or unreadable."""


def query(
    conn: Connection, relative_path: str, params: dict, expanding: Sequence[str] = ()
) -> pd.DataFrame:
    """Run an SQL file with bind parameters; names in ``expanding`` bind lists (``in :ids``)."""
    statement = sa.text(read_sql(relative_path))
    if expanding:
        statement = statement.bindparams(*(sa.bindparam(n, expanding=True) for n in expanding))
    result = conn.execute(statement, params)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def has_table(conn: Connection, table: str) -> bool:
    return sa.inspect(conn).has_table(table)


def read_staging(
    staging_dir: Path, name: str, columns: list[str], customer_ids: Sequence[str] | None = None,
    required: bool = True, key_column: str = "customer_id",
) -> pd.DataFrame:
    """``columns`` of ``<staging_dir>/<name>.parquet``, optionally only the rows whose
    ``key_column`` is one of ``customer_ids``."""
    path = Path(staging_dir) / f"{name}.parquet"
    if not path.exists():
        if required:
            raise RenderInputError(
                f"render needs the staging extract {path} (columns {columns}); run extract first"
            )
        return pd.DataFrame(columns=columns)
    filters = [(key_column, "in", list(customer_ids))] if customer_ids is not None else None
    if customer_ids is not None and not customer_ids:
        return pd.DataFrame(columns=columns)
    return pd.read_parquet(path, columns=columns, filters=filters)


def read_managers(managers_path: Path) -> pd.DataFrame:
    """The roster from staging ``managers.parquet`` (the columns rendering uses)."""
    path = Path(managers_path)
    if not path.exists():
        raise RenderInputError(f"render needs the staging extract {path}; run extract first")
    return pd.read_parquet(path, columns=MANAGER_COLUMNS)


def read_quality_status(quality_dir: Path | None) -> QualityStatus:
    """The validate stage's verdict (``summary.json``); "not reported" when there is none."""
    if quality_dir is None:
        return QualityStatus("unknown")
    path = Path(quality_dir) / "summary.json"
    if not path.exists():
        return QualityStatus("unknown")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("render: data-quality summary %s is unreadable (%s)", path, exc)
        return QualityStatus("unknown")
    return QualityStatus.from_summary(summary if isinstance(summary, dict) else None)


def read_quality_counts(
    quality_dir: Path | None, staging_dir: Path, manager_ids: Sequence[str]
) -> pd.DataFrame:
    """How many rows of each warning a plan prints are in each of ``manager_ids``' books
    (``quality_audience.count_by_list``): from the validate stage's ``warning_rows.parquet``
    and the staged customers (and accounts) those rows name. Empty without the file (a
    quality run before it existed): plans then print no warning."""
    path = None if quality_dir is None else Path(quality_dir) / WARNING_ROWS_FILE
    if path is None or not path.exists():
        return pd.DataFrame(columns=COUNT_COLUMNS)
    rows = pd.read_parquet(path, columns=WARNING_ROWS_COLUMNS)
    rows = rows[rows["table"].isin([*BOOK_TABLES, MANAGER_TABLE])]
    account_ids = sorted(set(rows.loc[rows["table"] == "accounts", "key"]))
    accounts = read_staging(staging_dir, "accounts", ["account_id", "customer_id"], account_ids,
                            required=False, key_column="account_id")
    customer_ids = sorted(set(rows.loc[rows["table"] == "customers", "key"])
                          | set(accounts["customer_id"].dropna()))
    customers = read_staging(staging_dir, "customers", ["customer_id", "manager_id", "branch_id"],
                             customer_ids)
    counts = count_by_list(rows, customers, accounts, pool_prefix=POOL_PREFIX)
    return counts[counts["manager_id"].isin(list(manager_ids))].reset_index(drop=True)


def load_plan_inputs(
    manager_ids: Sequence[str],
    business_date: date,
    plans_db_url: str,
    staging_dir: Path,
    quality_dir: Path | None = None,
) -> PlanInputs:
    """Everything one batch of plans shows, read from the plans DB and the staging files."""
    params = {"business_date": business_date.isoformat(), "manager_ids": list(manager_ids)}
    engine = make_engine(plans_db_url)
    try:
        with engine.connect() as conn:
            contacts = query(conn, "render/plan_contacts_for_managers.sql", params, ["manager_ids"])
            segments = query(conn, "render/segments_for_plans.sql", params, ["manager_ids"])
            feedback = (
                query(conn, "render/plan_feedback_for_managers.sql", params, ["manager_ids"])
                if has_table(conn, "plan_feedback")
                else pd.DataFrame()
            )
    finally:
        engine.dispose()
    customer_ids = sorted(set(contacts["customer_id"]))
    staging_dir = Path(staging_dir)
    return PlanInputs(
        contacts=contacts,
        segments=segments,
        managers=read_managers(staging_dir / "managers.parquet"),
        customers=read_staging(
            staging_dir, "customers", ["customer_id", "customer_name", "mobile_phone"], customer_ids
        ),
        balances=read_staging(
            staging_dir, "customer_balances", ["customer_id", *WEEKLY_AUM_COLUMNS], customer_ids,
            required=False,
        ),
        last_contacts=read_staging(
            staging_dir, "contact_summary", ["customer_id", "last_reached_date"], customer_ids,
            required=False,
        ),
        feedback=feedback,
        quality=read_quality_status(quality_dir),
        quality_counts=read_quality_counts(quality_dir, staging_dir, manager_ids),
    )


def plan_manager_ids(plans_db_url: str, business_date: date) -> list[str]:
    """Managers with at least one plan line on ``business_date``."""
    engine = make_engine(plans_db_url)
    try:
        with engine.connect() as conn:
            if not has_table(conn, "plan_contacts"):
                raise RenderInputError(
                    "render needs the plans DB table plan_contacts; run assign first"
                )
            frame = query(
                conn, "render/plan_manager_ids.sql", {"business_date": business_date.isoformat()}
            )
    finally:
        engine.dispose()
    return sorted(str(m) for m in frame["manager_id"].dropna())


@dataclass(frozen=True)
class RollupInputs:
    """The frames the branch roll-ups count (columns per docs/pipeline.md)."""

    contacts: pd.DataFrame
    segments: pd.DataFrame
    managers: pd.DataFrame
    customers: pd.DataFrame
    exclusions: pd.DataFrame
    feedback: pd.DataFrame
    quality: QualityStatus
    # the branch head's language per branch; without it a roll-up reads in the branch's
    # majority language (staging from before the branches extract)
    branches: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BRANCH_COLUMNS))
    # ``customer_id, last_reached_date`` (contact_summary) for the contact cadence kept per
    # tier; None (no contact summary staged): the roll-up leaves that section out
    last_contacts: pd.DataFrame | None = None


def load_rollup_inputs(
    business_date: date, plans_db_url: str, staging_dir: Path, quality_dir: Path | None = None
) -> RollupInputs:
    """Every plan line, segment, exclusion and feedback row of the business date."""
    params = {"business_date": business_date.isoformat()}
    engine = make_engine(plans_db_url)
    try:
        with engine.connect() as conn:
            contacts = query(conn, "render/plan_contacts_for_date.sql", params)
            segments = query(conn, "render/segments_for_rollups.sql", params)
            exclusions = (
                query(conn, "render/plan_exclusions_for_date.sql", params)
                if has_table(conn, "plan_exclusions")
                else pd.DataFrame(columns=["customer_id", "manager_id", "reason_code"])
            )
            feedback = (
                query(conn, "render/plan_feedback_for_date.sql", params)
                if has_table(conn, "plan_feedback")
                else pd.DataFrame()
            )
    finally:
        engine.dispose()
    high_risk = segments.loc[
        (segments["churn_level"] == "high") & (segments["lifecycle_stage"] != "lost"),
        "customer_id",
    ]
    pooled = contacts.loc[contacts["assignment"].isin(["pool", "pool_takeover"]), "customer_id"]
    staging_dir = Path(staging_dir)
    return RollupInputs(
        contacts=contacts,
        segments=segments,
        managers=read_managers(staging_dir / "managers.parquet"),
        # names only of the customers a roll-up lists: high churn risk ones, and the branch
        # pool's (taken over or left on the pool list)
        customers=read_staging(
            staging_dir, "customers", ["customer_id", "customer_name"],
            sorted(set(high_risk) | set(pooled)),
        ),
        exclusions=exclusions,
        feedback=feedback,
        quality=read_quality_status(quality_dir),
        branches=read_staging(staging_dir, "branches", BRANCH_COLUMNS, required=False),
        last_contacts=read_staging(staging_dir, "contact_summary",
                                   ["customer_id", "last_reached_date"])
        if (staging_dir / "contact_summary.parquet").exists() else None,
    )
