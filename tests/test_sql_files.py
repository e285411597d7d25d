"""Every SQL file under ``include/sql`` runs on SQLite and on PostgreSQL.

The DDL scripts (files of ``create`` statements only) build the core banking and plans tables
in one empty database; every other file is one statement, executed there (and rolled back)
with sample values for its bind parameters. A file that does not parse, names a table or
column that is not there, or compares values of types the database refuses fails here,
whichever caller runs it. The ``-- binds:`` line of a file's header must name its bind
parameters.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from customer_plans.db import read_sql, run_script, split_statements
from customer_plans.settings import SQL_DIR

BUSINESS_DATE = date(2026, 11, 19)
AT = datetime(2026, 11, 19, 6, 30)
SHA = "0" * 64
# a value for each bind parameter name the statements use (lists bind expanding: in :ids);
# dates as ISO strings, as most callers pass them
SAMPLE_BINDS = {
    "business_date": BUSINESS_DATE.isoformat(),
    "d": BUSINESS_DATE.isoformat(),
    "lookback_start_date": "2026-08-21",
    "manager_ids": ["M001", "POOL-B01"],
    "customer_id": "C0001",
    # the delivery ledger
    "document_kind": "plan", "kind": "plan",
    "document_key": "M001", "key": "M001",
    "content_sha256": SHA, "sha": SHA,
    "transport": "smtp",
    "recipient_sha256": SHA, "rsha": SHA,
    "sequence": 0, "seq": 1,
    "recipient_kind": "manager",
    "recipient_key": "M001",
    "message_id": "<plan.M001@example.invalid>",
    "reason": "new",
    "status": "sending",
    "in_doubt": 1,
    "attempts": 0,
    "requested_by": None,
    "intent_at": AT, "accepted_at": AT,
    "run_id": "scheduled__2026-11-19",
    # the run_audit chain
    "recorded_at": AT, "previous": None, "body": "{}",
}


def _sql_files() -> list[str]:
    return sorted(str(path.relative_to(SQL_DIR)) for path in SQL_DIR.rglob("*.sql"))


def _is_ddl(relative_path: str) -> bool:
    return all(piece.lower().startswith("create ")
               for piece in split_statements(read_sql(relative_path)))


# migrations run on tables of an earlier release, per dialect: tests/test_migrate.py runs them
MIGRATION_FILES = [path for path in _sql_files() if path.startswith("plans/migrations/")]
DDL_FILES = [path for path in _sql_files() if _is_ddl(path)]
STATEMENT_FILES = [path for path in _sql_files()
                   if not _is_ddl(path) and path not in MIGRATION_FILES]


def _bind_names(sql: str) -> set[str]:
    return set(sa.text(sql).compile().params)


def _documented_binds(sql: str) -> set[str] | None:
    """The names the header's ``-- binds:`` line lists (continued on ``--   `` lines), or None."""
    lines = sql.splitlines()
    for at, line in enumerate(lines):
        if not line.startswith("--"):
            return None
        if line.startswith("-- binds:"):
            listed = line.removeprefix("-- binds:")
            for more in lines[at + 1:]:
                if not more.startswith("--   "):
                    break
                listed += " " + more.removeprefix("--")
            names = {re.sub(r"\(.*?\)", "", name).strip() for name in listed.split(",")} - {""}
            return set() if names == {"none"} else names
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path):
    """An engine on an empty database holding every table the DDL scripts create."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'every_sql_file.db'}"
    else:
        url = request.getfixturevalue("pg_schema_url")
    engine = sa.create_engine(url)
    for path in DDL_FILES:
        run_script(engine, path)
        run_script(engine, path)  # "if not exists": a rerun changes nothing
    yield engine
    engine.dispose()


def test_the_files_are_found():
    assert "core_banking/schema.sql" in DDL_FILES and "plans/mail_deliveries.sql" in DDL_FILES
    assert "extract/customers.sql" in STATEMENT_FILES
    assert "plans/mail_deliveries_insert.sql" in STATEMENT_FILES


def test_every_sql_file_runs(database, rules):
    from customer_plans.extract import extract_params, query_extract

    extract_binds = extract_params(BUSINESS_DATE, rules)
    failures = []
    for path in STATEMENT_FILES:
        with database.connect() as conn:
            try:
                if path.startswith("extract/"):  # binds as the extract stage makes them
                    query_extract(conn, path.removeprefix("extract/").removesuffix(".sql"),
                                  extract_binds)
                else:
                    names = _bind_names(read_sql(path))
                    missing = names - set(SAMPLE_BINDS)
                    assert not missing, f"no sample value for {sorted(missing)}: add one"
                    statement = sa.text(read_sql(path)).bindparams(*(
                        sa.bindparam(name, expanding=True)
                        for name in names if isinstance(SAMPLE_BINDS[name], list)))
                    result = conn.execute(statement, {n: SAMPLE_BINDS[n] for n in names})
                    if result.returns_rows:
                        result.fetchall()
            except Exception as exc:  # noqa: BLE001 - every failing file is reported
                failures.append(f"{path}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            finally:
                conn.rollback()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", STATEMENT_FILES + MIGRATION_FILES)
def test_a_statement_files_header_names_its_binds(path):
    sql = read_sql(path)
    assert sql.startswith("-- "), f"{path}: start with a comment saying what the statement does"
    documented = _documented_binds(sql)
    if documented is not None:
        assert documented == _bind_names(sql), f"{path}: the -- binds: line is out of date"


def test_the_ledger_files_carry_the_ledger_columns(database):
    """deliver.py's rows are dicts of LEDGER_COLUMNS: the read and the insert name them all."""
    from customer_plans.deliver import LEDGER_COLUMNS

    insert = _bind_names(read_sql("plans/mail_deliveries_insert.sql"))
    assert insert == {*LEDGER_COLUMNS, "business_date"}
    with database.connect() as conn:
        result = conn.execute(sa.text(read_sql("plans/mail_deliveries_ledger_rows.sql")),
                              {"d": BUSINESS_DATE.isoformat()})
        assert tuple(result.keys()) == LEDGER_COLUMNS
