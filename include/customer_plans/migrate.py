"""Migrations of the plans database that ``create table if not exists`` cannot make.

The one so far, **words late** (2026-12): segments and plan_contacts rows stop storing
sentences in two languages (their words are composed at render time from codes and facts,
``customer_plans.words``). In a database made before it, the per-language columns are
NOT NULL, so today's inserts would fail. The migration, once per table:

1. adds ``recorded_words`` (text, JSON): the row's old sentences by their old column name
   (``lifecycle_reason_zh``...), so ``explain`` still reads what a plan of that time said;
2. fills it from the old columns, in one ``update`` (SQL per dialect, under
   ``include/sql/plans/migrations/``);
3. drops the old columns (SQLite 3.35 and later, PostgreSQL).

All in one transaction per table: a failure leaves the table as it was. Rows written after
the migration have ``recorded_words`` null. The segment and assign stages run it before they
write; a table already migrated (or made by today's DDL) is left alone, so it is cheap.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from customer_plans.db import read_sql

log = logging.getLogger(__name__)

RECORDED_WORDS = "recorded_words"
# table -> the per-language columns the migration folds into recorded_words
WORDS_LATE = {
    "segments": ("grid_strategy_en", "grid_strategy_zh", "lifecycle_reason_en",
                 "lifecycle_reason_zh"),
    "plan_contacts": ("talking_points_en", "talking_points_zh"),
}


def migrate_words_late(engine: sa.Engine, tables: tuple[str, ...] = tuple(WORDS_LATE)) -> list[str]:
    """Migrate each of ``tables`` that still has its per-language columns; the tables done."""
    done = []
    inspector = sa.inspect(engine)
    for table in tables:
        if not inspector.has_table(table):
            continue
        present = {column["name"] for column in inspector.get_columns(table)}
        old = [name for name in WORDS_LATE[table] if name in present]
        if not old:
            continue
        dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
        with engine.begin() as conn:
            if RECORDED_WORDS not in present:
                conn.exec_driver_sql(f"alter table {table} add column {RECORDED_WORDS} text")
            if len(old) == len(WORDS_LATE[table]):
                conn.execute(sa.text(read_sql(f"plans/migrations/words_late_{table}.{dialect}.sql")))
            for name in old:
                conn.exec_driver_sql(f"alter table {table} drop column {name}")
        log.info("plans database: %s migrated (words late): %s kept in %s", table,
                 ", ".join(old), RECORDED_WORDS)
        done.append(table)
    return done
