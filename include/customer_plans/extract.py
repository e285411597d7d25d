"""Extract: run one SQL file from ``include/sql/extract`` for one business date and stage it.

Each extract reads the core banking database through SQLAlchemy with bind parameters
computed here from the business date and the rules (``extract_params``), normalises
the column types (dates -> ``datetime64``, flags and counts -> integers, amounts ->
floats) and writes ``<staging_root>/<business_date>/<name>.parquet`` atomically: a
retry or rerun replaces the file, never appends.

Every extract is "as of" the business date: rows dated after it are left out of
aggregates, so rerunning a past business date gives the same staging as its first run.

Where problems are caught (documented in ``docs/pipeline.md``):

- the business date not closed by the core system -> ``BusinessDateNotClosedError``;
- a source table missing a column of the source contract (dropped or renamed) ->
  ``SourceSchemaError`` naming table and column, before any query runs;
- a value the column type cannot hold (text in an amount or date column) is kept as
  text in staging, so validation blocks it with row counts and example keys;
- connection errors are retried with exponential backoff, then ``CoreBankingUnavailableError``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from customer_plans.db import make_engine, read_sql
from customer_plans.rules import Rules
from customer_plans.settings import DEFAULT_LOCALE
from customer_plans.staging import write_frame

if TYPE_CHECKING:
    from customer_plans.run_context import RunContext

log = logging.getLogger(__name__)

# The staging extracts in the order the DAG runs them (docs/pipeline.md).
EXTRACTS: tuple[str, ...] = (
    "branches",
    "managers",
    "customers",
    "restricted_list",
    "accounts",
    "customer_balances",
    "transaction_summary",
    "contact_summary",
    "recent_contacts",
    "complaints",
)

# Column kinds: how a staging column is typed after reading.
TEXT, DATE, TIMESTAMP, FLAG, COUNT, AMOUNT = "text", "date", "timestamp", "flag", "count", "amount"

# the weekly AUM points of the balance sparkline: aum_w00_cny (the business date's week) back
# to aum_w13_cny; the one definition staging, segmentation and render read
WEEKS_OF_SPARKLINE = 14
WEEKLY_AUM_COLUMNS = tuple(f"aum_w{week:02d}_cny" for week in range(WEEKS_OF_SPARKLINE))
_WEEKLY_AUM = tuple((column, AMOUNT) for column in WEEKLY_AUM_COLUMNS)

# Columns of every staging extract, in the order of docs/pipeline.md, with their kind.
EXTRACT_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "branches": (
        ("branch_id", TEXT), ("branch_name", TEXT), ("city", TEXT), ("head_name", TEXT),
        ("head_email", TEXT), ("locale", TEXT),
    ),
    "managers": (
        ("manager_id", TEXT), ("branch_id", TEXT), ("branch_name", TEXT), ("city", TEXT),
        ("manager_name", TEXT), ("email", TEXT), ("locale", TEXT),
        ("daily_call_capacity", COUNT), ("daily_visit_capacity", COUNT), ("status", TEXT),
        ("leave_start_date", DATE), ("leave_end_date", DATE), ("left_date", DATE),
        ("backup_manager_id", TEXT),
    ),
    "customers": (
        ("customer_id", TEXT), ("customer_name", TEXT), ("birth_date", DATE), ("gender", TEXT),
        ("national_id", TEXT), ("mobile_phone", TEXT), ("email", TEXT), ("address", TEXT),
        ("occupation", TEXT), ("employer", TEXT), ("annual_income_cny", AMOUNT),
        ("risk_profile", TEXT), ("risk_assessed_date", DATE), ("is_primary_holder", FLAG),
        ("onboarding_date", DATE), ("closed_date", DATE), ("branch_id", TEXT),
        ("manager_id", TEXT), ("preferred_channel", TEXT), ("marketing_consent", FLAG),
        ("consent_updated_date", DATE), ("do_not_contact", FLAG),
    ),
    "restricted_list": (
        ("customer_id", TEXT), ("reason_code", TEXT), ("listed_date", DATE),
    ),
    "accounts": (
        ("account_id", TEXT), ("customer_id", TEXT), ("product_kind", TEXT),
        ("product_name", TEXT), ("opened_date", DATE), ("closed_date", DATE),
        ("maturity_date", DATE), ("interest_rate_pct", AMOUNT), ("principal_cny", AMOUNT),
        ("credit_limit_cny", AMOUNT), ("balance_cny", AMOUNT), ("last_balance_date", DATE),
    ),
    "customer_balances": (
        ("customer_id", TEXT), ("aum_cny", AMOUNT), ("aum_adb_cny", AMOUNT),
        ("aum_avg7_cny", AMOUNT), ("aum_avg7_30d_ago_cny", AMOUNT),
        ("aum_avg7_90d_ago_cny", AMOUNT), ("current_balance_cny", AMOUNT),
        ("loan_outstanding_cny", AMOUNT), ("card_outstanding_cny", AMOUNT),
        *_WEEKLY_AUM,
        ("last_balance_date", DATE),
    ),
    "transaction_summary": (
        ("customer_id", TEXT), ("salary_credits_30d", COUNT), ("salary_credits_31_60d", COUNT),
        ("salary_credits_61_90d", COUNT), ("last_salary_credit_date", DATE),
        ("transfer_out_other_bank_30d_cny", AMOUNT), ("transfer_out_other_bank_90d_cny", AMOUNT),
        ("customer_txn_30d", COUNT), ("customer_txn_90d", COUNT),
        ("last_customer_txn_date", DATE), ("last_product_purchase_date", DATE),
        ("last_transaction_date", DATE), ("future_dated_txn_count", COUNT),
    ),
    "contact_summary": (
        ("customer_id", TEXT), ("manager_contacts_90d", COUNT), ("reached_contacts_90d", COUNT),
        ("last_contact_date", DATE), ("last_reached_date", DATE), ("enquiries_30d", COUNT),
        ("last_enquiry_date", DATE),
    ),
    "recent_contacts": (
        ("contact_id", TEXT), ("customer_id", TEXT), ("manager_id", TEXT),
        ("contact_ts", TIMESTAMP), ("channel", TEXT), ("initiated_by", TEXT),
        ("purpose", TEXT), ("outcome", TEXT),
    ),
    "complaints": (
        ("complaint_id", TEXT), ("customer_id", TEXT), ("opened_date", DATE),
        ("closed_date", DATE), ("status", TEXT), ("category", TEXT),
    ),
}

# The key of each extract: sorted on it for deterministic files, named in error messages.
EXTRACT_KEYS: dict[str, tuple[str, ...]] = {
    "branches": ("branch_id",),
    "managers": ("manager_id",),
    "customers": ("customer_id",),
    "restricted_list": ("customer_id",),
    "accounts": ("account_id",),
    "customer_balances": ("customer_id",),
    "transaction_summary": ("customer_id",),
    "contact_summary": ("customer_id",),
    "recent_contacts": ("contact_id",),
    "complaints": ("complaint_id",),
}

# The core banking tables each SQL file reads (checked against the source contract).
EXTRACT_SOURCES: dict[str, tuple[str, ...]] = {
    "eod_closed": ("eod_status",),
    "branches": ("branches",),
    "managers": ("managers", "branches"),
    "customers": ("customers",),
    "restricted_list": ("restricted_list",),
    "accounts": ("accounts", "account_balances"),
    "customer_balances": ("account_balances", "accounts"),
    "transaction_summary": ("transactions", "eod_status"),
    "contact_summary": ("contact_history",),
    "recent_contacts": ("contact_history",),
    "complaints": ("complaints",),
}

# Fixed windows: the staging column names carry them (``..._30d``, ``..._90d``), so they
# are part of the staging contract, not business thresholds (those come from the rules).
HISTORY_DAYS = 97            # the 7-day average ending 90 days ago starts 96 days back
RECENT_CONTACT_DAYS = 35
ACCOUNT_CLOSED_KEEP_DAYS = 90

# Backoff before retry 1, 2, ...: seconds (the DAG retries the task on top of this).
RETRY_DELAYS_SECONDS: tuple[float, ...] = (2.0, 8.0)

VALIDATED_MARKER = "validated.json"


class ExtractError(RuntimeError):
    """An extract could not be produced; the message says which and why."""


class BusinessDateNotClosedError(ExtractError):
    """The core system has not closed the business date: nothing may be extracted."""


class SourceSchemaError(ExtractError):
    """A core banking table does not match the source contract (a column dropped or renamed)."""


class CoreBankingUnavailableError(ExtractError):
    """The core banking database could not be reached, even after retries."""


def extract_params(
    business_date: date, rules: Rules, bank_locale: str = DEFAULT_LOCALE
) -> dict[str, Any]:
    """The bind parameters of every extract SQL file for ``business_date``.

    Dates are ISO strings (``'YYYY-MM-DD'``): they compare correctly with SQLite's text
    dates and are coerced to ``date``/``timestamp`` by PostgreSQL. Windows are calendar
    days ending on (and including) the business date. ``bank_locale`` (the settings'
    ``locale``) is the language of a branch head whose own is not on record.
    """

    def days_back(days: int) -> str:
        return (business_date - timedelta(days=days)).isoformat()

    params: dict[str, Any] = {
        "business_date": business_date.isoformat(),
        "day_after_business_date": (business_date + timedelta(days=1)).isoformat(),
        "history_start_date": days_back(HISTORY_DAYS - 1),
        "adb_window_start_date": days_back(rules.tiers.adb_window_days - 1),
        "adb_window_days": float(rules.tiers.adb_window_days),
        "avg7_start_date": days_back(6),
        "avg7_30d_ago_start_date": days_back(36),
        "avg7_30d_ago_end_date": days_back(30),
        "avg7_90d_ago_start_date": days_back(96),
        "avg7_90d_ago_end_date": days_back(90),
        "window_30d_start_date": days_back(29),
        "window_60d_start_date": days_back(59),
        "window_90d_start_date": days_back(89),
        "recent_contacts_start_date": days_back(RECENT_CONTACT_DAYS - 1),
        "accounts_closed_since_date": days_back(ACCOUNT_CLOSED_KEEP_DAYS),
        "aum_product_kinds": tuple(rules.tiers.aum_product_kinds),
        "bank_locale": bank_locale,
    }
    for week in range(1, WEEKS_OF_SPARKLINE):
        params[f"w{week:02d}_date"] = days_back(7 * week)
    return params


def extract_sql_path(name: str) -> str:
    """The SQL file of an extract, relative to ``include/sql``."""
    return f"extract/{name}.sql"


def query_extract(conn: Connection, name: str, params: Mapping[str, Any]) -> pd.DataFrame:
    """Run one extract SQL file on ``conn`` and return its rows as read (types not normalised).

    Sequence parameters (``:aum_product_kinds``) are bound as expanding ``in`` lists;
    parameters the file does not use are not sent.
    """
    sql = read_sql(extract_sql_path(name))
    used = set(re.findall(r"(?<!:):(\w+)", sql))
    statement = sa.text(sql)
    expanding = [
        sa.bindparam(key, expanding=True)
        for key, value in params.items()
        if key in used and isinstance(value, (tuple, list))
    ]
    if expanding:
        statement = statement.bindparams(*expanding)
    missing = used - set(params)
    if missing:
        raise ExtractError(f"extract {name}: no value for bind parameters {sorted(missing)}")
    result = conn.execute(statement, {key: params[key] for key in used})
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def normalise_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Type the columns of an extract as docs/pipeline.md says, in its column order.

    A column whose values do not all convert (text in an amount, a date that is not a
    date) is kept as text rather than silently nulled: validation then blocks it and
    names the rows.
    """
    spec = EXTRACT_COLUMNS[name]
    missing = [column for column, _ in spec if column not in frame.columns]
    if missing:
        raise ExtractError(
            f"extract {name}: the SQL file returned no column {', '.join(missing)} "
            f"(include/sql/{extract_sql_path(name)})"
        )
    typed = {column: _coerce(frame[column], kind, name) for column, kind in spec}
    result = pd.DataFrame(typed, index=frame.index)
    keys = list(EXTRACT_KEYS[name])
    return result.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


def _coerce(values: pd.Series, kind: str, name: str) -> pd.Series:
    present = values.notna()
    if kind == TEXT:
        return values.astype("str")
    if kind in (DATE, TIMESTAMP):
        # PostgreSQL gives date/datetime objects, SQLite ISO text: both go through ISO text
        as_text = values.astype("str").where(present)
        converted = pd.to_datetime(as_text, errors="coerce", format="ISO8601")
        converted = converted.astype("datetime64[us]")
        if kind == DATE:
            converted = converted.dt.normalize()
    else:
        converted = pd.to_numeric(values, errors="coerce")
        if kind in (FLAG, COUNT):
            # 1.5 in a flag or count column is as wrong as text: never truncate it silently
            converted = converted.where(converted.isna() | (converted % 1 == 0))
    unconvertible = int((present & converted.isna()).sum())
    if unconvertible:
        log.warning(
            "extract %s column %s: %d value(s) cannot be read as %s; kept as text so that "
            "validation names the rows",
            name, values.name, unconvertible, kind,
        )
        return values.astype("str")
    if kind == AMOUNT:
        return converted.astype("float64")
    if kind in (FLAG, COUNT):
        return converted.astype("int64") if not converted.isna().any() else converted.astype(
            "Int64")
    return converted


@cache
def source_contract() -> dict[str, tuple[str, ...]]:
    """The columns of every core banking table, from ``include/sql/core_banking/schema.sql``."""
    ddl = read_sql("core_banking/schema.sql")
    tables: dict[str, tuple[str, ...]] = {}
    pattern = r"create table if not exists (\w+) \((.*?)\n\);"
    for table, body in re.findall(pattern, ddl, flags=re.S | re.I):
        columns = []
        for line in body.splitlines():
            line = line.strip()
            first = line.split(" ", 1)[0].lower()
            if not line or line.startswith("--") or first in (
                "primary", "foreign", "unique", "constraint", "check"
            ):
                continue
            columns.append(first)
        tables[table.lower()] = tuple(columns)
    return tables


def check_source_columns(conn: Connection, name: str) -> None:
    """Raise ``SourceSchemaError`` when a table ``name`` reads lacks a contract column."""
    inspector = sa.inspect(conn)
    contract = source_contract()
    problems = []
    for table in EXTRACT_SOURCES[name]:
        if not inspector.has_table(table):
            problems.append(f"table {table} does not exist")
            continue
        found = [column["name"].lower() for column in inspector.get_columns(table)]
        missing = [column for column in contract[table] if column not in found]
        if missing:
            unexpected = [column for column in found if column not in contract[table]]
            hint = f" (columns not in the contract: {', '.join(unexpected)}; renamed?)" if (
                unexpected) else ""
            problems.extend(
                f"table {table} has no column {column}{hint}" for column in missing
            )
    if problems:
        raise SourceSchemaError(
            f"extract {name}: core banking source does not match the source contract "
            f"(include/sql/core_banking/schema.sql): {'; '.join(problems)}. "
            "Fix the source or the contract before rerunning."
        )


def core_banking_engine(core_banking_url: str) -> Engine:
    """An engine on the core banking database; a missing SQLite file is an error, not created."""
    url = sa.make_url(core_banking_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        if not Path(url.database).is_file():
            raise CoreBankingUnavailableError(
                f"core banking database file {url.database} does not exist"
            )
    return make_engine(core_banking_url)


T = TypeVar("T")


def with_retries(action: Callable[[], T], what: str, core_banking_url: str) -> T:
    """Run ``action``; on a connection error wait and retry (``RETRY_DELAYS_SECONDS``)."""
    attempts = len(RETRY_DELAYS_SECONDS) + 1
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except sa.exc.DBAPIError as exc:
            if not is_connection_error(exc):
                raise
            where = sa.make_url(core_banking_url).render_as_string(hide_password=True)
            if attempt == attempts:
                raise CoreBankingUnavailableError(
                    f"{what}: core banking database {where} not reachable after {attempts} "
                    f"attempts ({type(exc.orig).__name__}: {str(exc.orig).strip()[:200]})"
                ) from exc
            delay = RETRY_DELAYS_SECONDS[attempt - 1]
            log.warning("%s: connection error on attempt %d of %d (%s); retrying in %.0f s",
                        what, attempt, attempts, type(exc.orig).__name__, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


_NOT_CONNECTION_PROBLEMS = (
    "no such column", "no such table", "syntax error", "does not exist", "has no column",
    "could not decode", "invalid byte sequence",
)


class SourceEncodingError(ExtractError):
    """A text column of the source holds bytes that are not valid UTF-8."""


def _is_encoding_error(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return "could not decode" in message or "invalid byte sequence" in message


def undecodable_rows(conn: Connection, tables: Sequence[str]) -> list[tuple[str, str, int, str]]:
    """``(table, column, rows, example key)`` of every text column of ``tables`` holding
    bytes that are not valid UTF-8 (SQLite, which stores what it is given; a PostgreSQL
    database in UTF8 refuses such bytes on the way in). The key is the table's first
    column; the offending text itself is never returned (it may be a customer's name)."""
    raw = conn.connection.driver_connection
    if not hasattr(raw, "text_factory"):
        return []
    found = []
    previous = raw.text_factory
    raw.text_factory = bytes
    try:
        for table in tables:
            columns = source_contract().get(table, ())
            if not columns:
                continue
            key = columns[0]
            for column in columns[1:]:
                rows = raw.execute(
                    f'select "{key}", "{column}" from "{table}" '  # noqa: S608 - contract names
                    f'where typeof("{column}") = \'text\'').fetchall()
                bad = []
                for key_value, value in rows:
                    try:
                        value.decode("utf-8")
                    except UnicodeDecodeError:
                        bad.append(key_value)
                if bad:
                    example = bad[0].decode("utf-8", "replace") if isinstance(
                        bad[0], bytes) else str(bad[0])
                    found.append((table, column, len(bad), example))
    finally:
        raw.text_factory = previous
    return found


def is_connection_error(exc: sa.exc.DBAPIError) -> bool:
    """Is this a connection problem worth retrying (not bad SQL or a schema problem)?

    SQLite reports both a locked database and a missing column as OperationalError,
    so its message decides.
    """
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, sa.exc.OperationalError):
        return False
    message = str(exc.orig).lower()
    return not any(marker in message for marker in _NOT_CONNECTION_PROBLEMS)


def is_closed_on(conn: Connection, business_date: date) -> bool:
    """Has the core system closed ``business_date`` (a row in ``eod_status``)?"""
    frame = query_extract(conn, "eod_closed", {"business_date": business_date.isoformat()})
    return int(frame["closed_count"].iloc[0]) > 0


def run_extract(ctx: RunContext, name: str, *, require_closed: bool = True) -> dict[str, Any]:
    """Extract ``name`` for the context's business date from its core banking database and
    stage it; return a small JSON-safe summary.

    Writes ``<staging_dir>/<name>.parquet`` atomically and removes the staging folder's
    validation marker (the folder must be validated again). A branch head without a language
    on record reads the bank's (the setting ``locale``). Raises ``BusinessDateNotClosedError``
    (unless ``require_closed`` is False), ``SourceSchemaError``,
    ``CoreBankingUnavailableError`` or ``ExtractError``.
    """
    if name not in EXTRACTS:
        raise ExtractError(f"unknown extract {name!r}; known: {', '.join(EXTRACTS)}")
    business_date = ctx.business_date
    core_banking_url = ctx.settings.core_banking_url
    params = extract_params(business_date, ctx.rules(), ctx.settings.locale)
    engine = core_banking_engine(core_banking_url)

    def read() -> pd.DataFrame:
        with engine.connect() as conn:
            if require_closed and not is_closed_on(conn, business_date):
                raise BusinessDateNotClosedError(
                    f"extract {name}: business date {business_date} is not closed in the core "
                    "system (no eod_status row); nothing may be extracted before end-of-day"
                )
            check_source_columns(conn, name)
            try:
                return query_extract(conn, name, params)
            except sa.exc.DBAPIError as exc:
                if not _is_encoding_error(exc):
                    raise
                conn.rollback()
                found = undecodable_rows(conn, EXTRACT_SOURCES[name])
                where = "; ".join(
                    f"{table}.{column}: {rows} row{'s' if rows != 1 else ''} (e.g. "
                    f"{source_contract()[table][0]} {example})"
                    for table, column, rows, example in found) or "a text column"
                raise SourceEncodingError(
                    f"extract {name}: the core banking source holds text that is not valid "
                    f"UTF-8 in {where}. Nothing was staged. Correct those values at the source "
                    "(or its export's character set) and rerun.") from None

    try:
        raw = with_retries(read, f"extract {name} for {business_date}", core_banking_url)
    finally:
        engine.dispose()
    frame = normalise_frame(name, raw)
    folder = ctx.staging_dir
    (folder / VALIDATED_MARKER).unlink(missing_ok=True)
    path = write_frame(frame, folder / f"{name}.parquet")
    log.info("extract %s for %s: %d rows -> %s", name, business_date, len(frame), path)
    return {
        "name": name,
        "business_date": business_date.isoformat(),
        "path": str(path),
        "rows": int(len(frame)),
    }
