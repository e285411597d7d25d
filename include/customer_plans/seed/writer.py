"""Writing the bank: reset the schema, load the tables, then indexes, eod_status, statistics.

``loading(engine)`` drops and recreates the contract tables (``schema.sql``) and
``seed_truth`` and yields a :class:`Loader` over one connection. ``Loader.write`` writes a
batch of tables in one transaction (the world's tables, then each chunk's);
``Loader.finish`` builds the secondary indexes, writes ``eod_status`` last and updates the
planner's statistics. On SQLite the load runs with a rollback journal and without syncing,
and the file is switched back to WAL mode at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from customer_plans import db
from customer_plans.seed.constants import CONTRACT_TABLES, TRUTH_TABLE

SCHEMA_SCRIPT = "core_banking/schema.sql"
# children before parents, so that PostgreSQL never refuses a drop
_DROP_ORDER = (
    TRUTH_TABLE, "complaints", "contact_history", "transactions", "account_balances",
    "accounts", "restricted_list", "customers", "managers", "branches", "eod_status",
)
_TRUTH_DDL = (
    f"create table {TRUTH_TABLE} (\n"
    "    customer_id varchar(16) primary key,\n"
    "    planted_behaviour varchar(16) not null\n)"
)

Table = tuple[str, Sequence[str], Sequence[Sequence[Any]]]  # (table, columns, rows)


@contextmanager
def loading(engine: Engine) -> Iterator[Loader]:
    """Reset the schema at ``engine``; yield a :class:`Loader` over one connection."""
    secondary_indexes = _reset_schema(engine)
    # one connection for the whole load, one transaction per batch of tables
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # a freshly created bank needs no write-ahead log while it is being loaded:
            # a rollback journal writes each page once (WAL writes it twice); a crash
            # still leaves a consistent file, and a rerun replaces it anyway
            conn.exec_driver_sql("pragma journal_mode=delete")
            conn.exec_driver_sql("pragma synchronous=off")
            conn.commit()
        yield Loader(conn, secondary_indexes)


class Loader:
    """Writes batches of tables over one connection; ``counts`` has the rows per table."""

    def __init__(self, conn: sa.Connection, secondary_indexes: list[str]) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.secondary_indexes = secondary_indexes
        self.counts = dict.fromkeys((*CONTRACT_TABLES, TRUTH_TABLE), 0)

    def write(self, tables: Iterable[Table]) -> None:
        """Write ``(table, columns, rows)`` batches, produced lazily, in one transaction."""
        with self.conn.begin():
            for table, columns, rows in tables:
                self.counts[table] += _insert(self.conn, table, columns, rows)

    def finish(self, eod_rows: Sequence[Sequence[Any]]) -> None:
        """Build the secondary indexes, write ``eod_status`` and analyze."""
        conn = self.conn
        with conn.begin():
            # secondary indexes are built once after loading: cheaper than maintaining
            # them row by row
            for statement in self.secondary_indexes:
                conn.exec_driver_sql(statement)
            # the end-of-day mark goes in last: a half-written bank never looks closed
            self.counts["eod_status"] += _insert(conn, "eod_status",
                                                 ("business_date", "closed_at"), eod_rows)
        with conn.begin():
            if self.sqlite:
                # sampled statistics: enough for the planner, a fraction of a full scan
                conn.exec_driver_sql("pragma analysis_limit=1000")
            conn.exec_driver_sql("analyze")
        if self.sqlite:
            conn.exec_driver_sql("pragma synchronous=normal")
            conn.exec_driver_sql("pragma journal_mode=wal")
            conn.commit()


def _schema_statements() -> list[str]:
    """The statements of schema.sql.

    Comment lines are removed *before* splitting on semicolons: the file's header comment
    contains a semicolon, which ``db.split_statements`` alone would cut into a statement.
    """
    text = db.read_sql(SCHEMA_SCRIPT)
    code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    return db.split_statements(code)


def _reset_schema(engine: Engine) -> list[str]:
    """Drop and recreate the contract tables and ``seed_truth``; return the index DDL.

    Tables come from schema.sql; its secondary indexes are returned instead of created,
    so that the caller builds them once, after loading (faster than maintaining them).
    """
    statements = _schema_statements()
    index_statements = [s for s in statements if s.lower().startswith("create index")]
    with engine.begin() as conn:
        for table in _DROP_ORDER:
            conn.exec_driver_sql(f"drop table if exists {table}")
        for statement in statements:
            if statement not in index_statements:
                conn.exec_driver_sql(statement)
        conn.exec_driver_sql(_TRUTH_DDL)
    return index_statements


def _insert(conn: sa.Connection, table: str, columns: Sequence[str],
            rows: Sequence[Sequence[Any]]) -> int:
    """``db.bulk_insert`` of a list of rows; returns how many it wrote."""
    if rows:
        db.bulk_insert(conn, table, columns, rows)
    return len(rows)

