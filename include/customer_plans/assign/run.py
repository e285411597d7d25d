"""The assign stage: read segments, staging and the previous plan; write the day's lists.

Work fans out by branch: ``branch_batches`` splits the branches, and ``run_assignment`` for
one batch writes the lists whose branch (the list manager's branch, or the customer's branch
for a pool list) is in the batch. It reads every customer who could land on those lists:
customers of the batch's branches and customers of managers (anywhere) whose book goes to a
manager in the batch, so a backup's capacity is shared out across their whole list.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from customer_plans.assign.coverage import manager_availability, route_managers
from customer_plans.assign.feedback import FEEDBACK_COLUMNS
from customer_plans.assign.inputs import (
    FRAME_COLUMNS,
    PREVIOUS_PLAN_COLUMNS,
    SEGMENT_COLUMNS,
    AssignmentError,
    member,
    plan_date_of,
    to_day,
    to_float,
    to_text,
)
from customer_plans.assign.plan import CONTACT_COLUMNS, EXCLUSION_COLUMNS, assign_contacts
from customer_plans.batching import balanced_batches
from customer_plans.db import bulk_insert, make_engine, run_script
from customer_plans.migrate import migrate_words_late
from customer_plans.staging import read_frame, read_quarantine
from customer_plans.workdays import BankCalendar

if TYPE_CHECKING:
    from customer_plans.run_context import RunContext

log = logging.getLogger(__name__)

DDL = "plans/plan_contacts.sql"
TABLES = ("plan_contacts", "plan_exclusions", "plan_feedback")
# columns the DDL gained after its tables were first created: (name, type) per table
ADDED_COLUMNS = {"plan_contacts": (("assignment_reason", "varchar(64)"),)}
FEEDBACK_TABLE_COLUMNS = (*FEEDBACK_COLUMNS, "rules_hash")
DATE_COLUMNS = ("business_date", "first_planned_date", "previous_business_date")


# a restriction holds even when its row failed validation: never drop restricted_list rows
NEVER_DROPPED = ("restricted_list",)


def read_staging(staging_dir: Path) -> dict[str, pd.DataFrame]:
    """The staging extracts assignment reads (only the columns it needs), without the rows
    validation quarantined; ``quarantine`` lists the quarantined customers."""
    quarantine = read_quarantine(staging_dir, AssignmentError)
    frames = {}
    for name, columns in FRAME_COLUMNS.items():
        path = staging_dir / f"{name}.parquet"
        if not path.exists():
            raise AssignmentError(f"staging extract {path} is missing; run extract for the date")
        keys = quarantine[quarantine["table"] == name]
        key_columns = sorted(set(keys["key_column"]) - {None})
        frame = read_frame(path, columns=sorted(set(columns) | set(key_columns)))
        if name not in NEVER_DROPPED:
            drop = np.zeros(len(frame), dtype=bool)
            for key_column in key_columns:
                if key_column in frame.columns:
                    drop |= member(frame[key_column],
                                   keys.loc[keys["key_column"] == key_column, "key"])
            frame = frame.loc[~drop].reset_index(drop=True)
        frames[name] = frame[list(columns)]
    customers = quarantine[(quarantine["table"] == "customers")
                           & (quarantine["key_column"] == "customer_id")]
    frames["quarantine"] = pd.DataFrame({"customer_id": customers["key"].to_numpy(dtype=object)})
    return frames


def branch_batches(staging_dir: Path | str, n_batches: int) -> list[list[str]]:
    """The branches (of managers and of customers) split into at most ``n_batches`` batches.

    Batches are balanced by customer count (largest branch first into the lightest batch,
    ties by branch id), each sorted; the same staging always gives the same batches.
    """
    if n_batches < 1:
        raise ValueError(f"n_batches must be at least 1, got {n_batches}")
    staging_dir = Path(staging_dir)
    managers = read_frame(staging_dir / "managers.parquet", columns=["branch_id"])
    customers = read_frame(staging_dir / "customers.parquet", columns=["branch_id"])
    counts = customers["branch_id"].dropna().astype(str).value_counts()
    branches = sorted(set(managers["branch_id"].dropna().astype(str)) | set(counts.index))
    sizes = counts.reindex(branches).fillna(0).astype(int)
    return balanced_batches({branch: int(sizes[branch]) + 1 for branch in branches}, n_batches)


def ensure_tables(engine: Engine, attempts: int = 3) -> None:
    """Create the plan tables if missing. Parallel batches may race to create them; the
    loser of a race retries and finds them there. Columns added since a table was created
    are added to it (``ADDED_COLUMNS``)."""
    for attempt in range(1, attempts + 1):
        try:
            migrate_words_late(engine, ("plan_contacts",))  # a database made before words came late
            run_script(engine, DDL)
            add_missing_columns(engine)
            return
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.OperationalError):
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


def add_missing_columns(engine: Engine) -> None:
    """Add to tables created by an earlier release the columns the DDL has since gained."""
    inspector = sa.inspect(engine)
    with engine.begin() as conn:
        for table, columns in ADDED_COLUMNS.items():
            present = {c["name"] for c in inspector.get_columns(table)}
            for name, sql_type in columns:
                if name not in present:
                    conn.exec_driver_sql(f"alter table {table} add column {name} {sql_type}")


def _table(name: str, columns: Sequence[str]) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns))


def read_segments(conn: Connection, business_date: date, branch_ids: list[str] | None,
                  manager_ids: list[str]) -> pd.DataFrame:
    """The segments of the business date for customers who can land on the batch's lists."""
    columns = [*SEGMENT_COLUMNS, "aum_adb_cny"]
    segments = _table("segments", [*columns, "business_date"])
    query = sa.select(*(segments.c[c] for c in columns)).where(
        segments.c.business_date == business_date)
    if branch_ids is not None:
        query = query.where(sa.or_(segments.c.branch_id.in_(branch_ids),
                                   segments.c.manager_id.in_(manager_ids)))
    try:
        result = conn.execute(query)
    except sa.exc.DBAPIError as exc:
        raise AssignmentError(f"cannot read the plans DB table segments: {exc.orig}") from None
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def count_segments(conn: Connection, business_date: date) -> int:
    segments = _table("segments", ["business_date"])
    query = sa.select(sa.func.count()).select_from(segments).where(
        segments.c.business_date == business_date)
    try:
        return int(conn.execute(query).scalar_one())
    except sa.exc.DBAPIError as exc:
        raise AssignmentError(f"cannot read the plans DB table segments: {exc.orig}") from None


def read_previous_plan(conn: Connection, business_date: date, lookback_days: int,
                       branch_ids: list[str] | None, manager_ids: list[str]) -> pd.DataFrame | None:
    """The latest plan_contacts rows before the business date (within the lookback) of the
    batch's lists and of the books that come to them; None when there is no such plan."""
    table = _table("plan_contacts", [*PREVIOUS_PLAN_COLUMNS, "home_manager_id"])
    earliest = business_date - timedelta(days=lookback_days)
    scope = []
    if branch_ids is not None:
        scope = [sa.or_(table.c.branch_id.in_(branch_ids),
                        table.c.home_manager_id.in_(manager_ids))]
    latest = conn.execute(
        sa.select(sa.func.max(table.c.business_date)).where(
            table.c.business_date < business_date, table.c.business_date >= earliest, *scope)
    ).scalar_one()
    if latest is None:
        return None
    query = sa.select(*(table.c[c] for c in PREVIOUS_PLAN_COLUMNS)).where(
        table.c.business_date == latest, *scope)
    result = conn.execute(query)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    return frame if len(frame) else None


def _rows(frame: pd.DataFrame, columns: Sequence[str]):
    """Rows as tuples of plain Python values (None for missing, ISO text for dates)."""
    out = {}
    for column in columns:
        values = frame[column]
        if column in DATE_COLUMNS:
            days = to_day(values)
            text = np.datetime_as_string(days, unit="D").astype(object)
            text[np.isnat(days)] = None
            out[column] = text
        elif pd.api.types.is_float_dtype(values):
            floats = values.to_numpy(dtype="float64", na_value=np.nan)
            out[column] = np.where(np.isfinite(floats), floats.astype(object), None)
        elif pd.api.types.is_integer_dtype(values):
            mask = values.isna().to_numpy()
            ints = values.to_numpy(dtype="float64", na_value=0).astype(np.int64).astype(object)
            ints[mask] = None
            out[column] = ints
        else:
            out[column] = to_text(values)
    return zip(*(out[c] for c in columns), strict=True)


def write_plan(conn: Connection, business_date: date, branch_ids: list[str] | None,
               tables: dict[str, tuple[pd.DataFrame, Sequence[str]]]) -> None:
    """Delete the batch's rows of the business date, then insert the new ones."""
    for name, (frame, columns) in tables.items():
        table = _table(name, ["business_date", "branch_id"])
        delete = sa.delete(table).where(table.c.business_date == business_date)
        if branch_ids is not None:
            delete = delete.where(table.c.branch_id.in_(branch_ids))
        conn.execute(delete)
        if len(frame):
            bulk_insert(conn, name, list(columns), _rows(frame, columns))


def run_assignment(ctx: RunContext, branch_ids: list[str] | None = None) -> dict[str, Any]:
    """Write plan_contacts, plan_exclusions and plan_feedback for one batch of branches, from
    the context's staging folder and the segments in its plans DB.

    ``branch_ids`` None means every branch. Idempotent: the batch's rows of the business
    date are replaced in one transaction. Returns counts only (no personal data).
    """
    started = time.monotonic()
    business_date = ctx.business_date
    rules = ctx.rules()
    frames = read_staging(ctx.staging_dir)
    batch = sorted({str(b) for b in branch_ids}) if branch_ids is not None else None

    # which books can come to the batch's lists: own managers there, and the books they cover
    roster = manager_availability(
        pd.DataFrame({
            "manager_id": to_text(frames["managers"]["manager_id"]),
            "branch_id": to_text(frames["managers"]["branch_id"]),
            "status": to_text(frames["managers"]["status"]),
            "leave_start_date": to_day(frames["managers"]["leave_start_date"]),
            "leave_end_date": to_day(frames["managers"]["leave_end_date"]),
            "left_date": to_day(frames["managers"]["left_date"]),
            "backup_manager_id": to_text(frames["managers"]["backup_manager_id"]),
            "daily_call_capacity": to_float(frames["managers"]["daily_call_capacity"]),
            "daily_visit_capacity": to_float(frames["managers"]["daily_visit_capacity"]),
        }),
        np.datetime64(plan_date_of(business_date, rules), "D"),
    )
    routes = route_managers(roster)
    if batch is None:
        home_managers: list[str] = []
    else:
        in_batch = routes["list_branch_id"].isin(batch) | routes["home_branch_id"].isin(batch)
        home_managers = sorted(routes.loc[in_batch, "manager_id"].dropna().astype(str))

    engine = make_engine(ctx.settings.plans_db_url)
    try:
        ensure_tables(engine)
        with engine.connect() as conn:
            if count_segments(conn, business_date) == 0:
                raise AssignmentError(
                    f"plans DB table segments has no rows for business date {business_date}; "
                    "run the segment stage for that date first")
            segments = read_segments(conn, business_date, batch, home_managers)
            # the lookback counts working days: after a week of holidays the last plan before
            # them is still the previous one, and its deferred contacts come back
            calendar = BankCalendar.from_rules(rules)
            lookback = (business_date - calendar.working_days_back(
                business_date, rules.assignment.previous_plan_lookback_days)).days
            previous = read_previous_plan(conn, business_date, lookback, batch, home_managers)
        known = to_text(segments["customer_id"])
        for name in ("customers", "accounts", "complaints", "recent_contacts"):
            frames[name] = frames[name][member(frames[name]["customer_id"], known)]
        contacts, exclusions, feedback = assign_contacts(segments, frames, business_date,
                                                         rules, carry_over=previous)
        if batch is not None:
            contacts = contacts[contacts["branch_id"].isin(batch)]
            exclusions = exclusions[exclusions["branch_id"].isin(batch)]
            feedback = feedback[feedback["branch_id"].isin(batch)]
        with engine.begin() as conn:
            write_plan(conn, business_date, batch, {
                "plan_contacts": (contacts, CONTACT_COLUMNS),
                "plan_exclusions": (exclusions, EXCLUSION_COLUMNS),
                "plan_feedback": (feedback, FEEDBACK_TABLE_COLUMNS),
            })
    finally:
        engine.dispose()

    summary = {
        "business_date": business_date.isoformat(),
        "branches": len(batch) if batch is not None else int(
            pd.Series(contacts["branch_id"]).nunique()),
        "customers_read": len(segments),
        "contacts": len(contacts),
        "planned": int((contacts["status"] == "planned").sum()),
        "deferred": int((contacts["status"] == "deferred").sum()),
        "covered": int((contacts["assignment"] == "covered").sum()),
        "pool": int((contacts["assignment"] == "pool").sum()),
        "pool_takeover": int((contacts["assignment"] == "pool_takeover").sum()),
        "pool_takeover_by_backup": int(
            contacts["assignment_reason"].fillna("").str.endswith(" backup").sum()),
        "carried_over": int(contacts["carried_reason_codes"].notna().sum()),
        "exclusions": {str(k): int(v) for k, v in
                       exclusions["reason_code"].value_counts().sort_index().items()},
        "lists": int(contacts["manager_id"].nunique()),
        "previous_business_date": None if previous is None else str(
            to_day(previous["business_date"]).max()),
        "seconds": round(time.monotonic() - started, 2),
    }
    log.info("assigned %s contacts (%s planned, %s deferred) for %s", summary["contacts"],
             summary["planned"], summary["deferred"], summary["business_date"])
    return summary
