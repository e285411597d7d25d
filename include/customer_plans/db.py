"""Database access shared by every stage: engines, SQL files, portable bulk writes."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from customer_plans.settings import SQL_DIR


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and WAL mode."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("pragma journal_mode=wal")
            cursor.execute("pragma synchronous=normal")
            cursor.execute("pragma busy_timeout=30000")
            cursor.close()

    return engine


@cache
def read_sql(relative_path: str) -> str:
    """The text of an SQL file under ``include/sql``."""
    return (SQL_DIR / relative_path).read_text(encoding="utf-8")


@cache
def statement(relative_path: str) -> sa.TextClause:
    """An SQL file under ``include/sql`` holding one statement, ready to execute with its
    ``:name`` bind parameters (``conn.execute(statement("plans/x.sql"), params)``)."""
    return sa.text(read_sql(relative_path))


def split_statements(script: str) -> list[str]:
    """Split a DDL script into statements: ``--`` comments removed, then split on semicolons.

    Good for the project's own DDL files (no semicolons or ``--`` inside string literals).
    """
    without_comments = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [piece.strip() for piece in without_comments.split(";") if piece.strip()]


def run_script(engine: Engine, relative_path: str) -> None:
    """Run every statement of an SQL file in one transaction."""
    with engine.begin() as conn:
        for statement in split_statements(read_sql(relative_path)):
            conn.exec_driver_sql(statement)


def query_frame(
    conn: Connection, relative_path: str, params: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Run an SQL file with bind parameters and return a DataFrame."""
    result = conn.execute(sa.text(read_sql(relative_path)), dict(params or {}))
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def bulk_insert(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Append many rows fast: COPY on PostgreSQL, executemany on SQLite.

    ``rows`` are tuples in ``columns`` order; ``None`` is NULL.
    """
    dbapi = conn.connection.driver_connection
    column_list = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(r"\N" if v is None else _pg_text(v) for v in row))
            buffer.write("\n")
        buffer.seek(0)
        with dbapi.cursor() as cursor:
            cursor.copy_expert(f"copy {table} ({column_list}) from stdin", buffer)
    else:
        placeholders = ", ".join("?" for _ in columns)
        cursor = dbapi.cursor()
        cursor.executemany(f"insert into {table} ({column_list}) values ({placeholders})", rows)
        cursor.close()


def _pg_text(value: Any) -> str:
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
