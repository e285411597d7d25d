"""Helpers for the extract and quality tests: copy the small bank, corrupt it, stage it."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from customer_plans.extract import EXTRACTS, run_extract
from customer_plans.run_context import RunContext


def copy_bank(small_bank: Path, folder: Path) -> Path:
    """A private copy of the session's small bank (never modify the original)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "core_banking.db"
    shutil.copy(small_bank, target)
    return target


def corrupt(bank: Path, *statements: str) -> None:
    """Run SQL statements on a copied bank, as bad source data would arrive."""
    with sqlite3.connect(bank) as conn:
        for statement in statements:
            conn.execute(statement)
        conn.commit()


def without_primary_key(bank: Path, table: str) -> None:
    """Rebuild ``table`` without its primary key, so the source can hold duplicates."""
    corrupt(
        bank,
        f"create table {table}_copy as select * from {table}",
        f"drop table {table}",
        f"alter table {table}_copy rename to {table}",
    )


def scalar(bank: Path, sql: str, params: tuple = ()):
    with sqlite3.connect(bank) as conn:
        return conn.execute(sql, params).fetchone()[0]


def sqlite_url(bank: Path) -> str:
    return f"sqlite:///{bank}"


def stage(ctx: RunContext, names: Iterable[str] = EXTRACTS) -> dict[str, dict]:
    """Run the named extracts of the context's core banking database into its staging
    folder; their summaries by name."""
    return {name: run_extract(ctx, name) for name in names}


def copy_staging(source_root: Path, target_root: Path, business_date: date) -> Path:
    """Copy a staged business date (the clean extracts) to a new staging root."""
    source = source_root / business_date.isoformat()
    target = target_root / business_date.isoformat()
    shutil.copytree(source, target)
    (target / "validated.json").unlink(missing_ok=True)
    return target
