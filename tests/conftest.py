"""Shared fixtures: a small generated bank, rules, and the PostgreSQL server when reachable."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import pytest

BUSINESS_DATE = date(2026, 11, 19)
PG_URL = os.environ.get(
    "CUSTOMER_PLANS_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def business_date() -> date:
    return BUSINESS_DATE


@pytest.fixture(scope="session")
def rules():
    from customer_plans.rules import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def bank_rules():
    """The shipped rules, for a module that overrides ``rules`` with ``every_day_rules``."""
    from customer_plans.rules import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def every_day_rules(bank_rules):
    """The shipped rules with every calendar day a working day, so that a plan is for the day
    after its business date whatever the weekday: for unit tests of assignment whose dates
    read that way. The bank's calendar itself is tested in test_workdays.py and through the
    tests that ask for ``rules``."""
    return bank_rules.model_copy(update={"assignment": bank_rules.assignment.model_copy(
        update={"non_working_weekdays": [], "holiday_calendar": None})})


@pytest.fixture(scope="session")
def small_bank(tmp_path_factory) -> Path:
    """A small synthetic bank (SQLite file), generated once per test session. Do not modify it:
    copy it (``shutil.copy``) when a test needs to corrupt data."""
    from customer_plans.seed import generate_bank

    path = tmp_path_factory.mktemp("bank") / "core_banking.db"
    generate_bank(
        f"sqlite:///{path}",
        customers=1500,
        managers=12,
        branches=3,
        as_of=BUSINESS_DATE,
        seed=7,
        progress=False,
    )
    return path


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The PostgreSQL test server's URL; skips (saying why) when no server is reachable."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.exec_driver_sql("select 1")
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must test PostgreSQL but {PG_URL} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}); "
                    "set CUSTOMER_PLANS_TEST_PG_URL to run these tests")
    return PG_URL


@pytest.fixture
def pg_schema_url(pg_server_url):
    """A URL whose search_path is a fresh schema, dropped after the test."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_server_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"create schema {schema}")
    sep = "&" if "?" in pg_server_url else "?"
    yield f"{pg_server_url}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"drop schema {schema} cascade")
    admin.dispose()
