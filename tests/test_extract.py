"""Extract: SQL files on the generated bank, staging files, errors an operator can act on."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans import extract as extract_module
from customer_plans.eod import is_business_date_closed
from customer_plans.extract import (
    EXTRACT_COLUMNS,
    EXTRACT_KEYS,
    EXTRACTS,
    BusinessDateNotClosedError,
    CoreBankingUnavailableError,
    SourceSchemaError,
    extract_params,
    is_connection_error,
    normalise_frame,
    query_extract,
    run_extract,
)

from tests.quality_cases import copy_bank, corrupt, scalar, sqlite_url, stage
from tests.support.contexts import run_context


def bank_context(root, business_date, rules, bank, **env):
    """A run context reading ``bank`` and staging under ``root``."""
    return run_context(root, business_date, rules, core_banking_url=sqlite_url(bank), **env)


@pytest.fixture(scope="module")
def staged(small_bank, business_date, rules, tmp_path_factory):
    """Every extract of the small bank for the business date."""
    ctx = bank_context(tmp_path_factory.mktemp("extract"), business_date, rules, small_bank)
    summaries = stage(ctx)
    return ctx, summaries


def read_staged(staged, business_date, name) -> pd.DataFrame:
    ctx, _ = staged
    return pd.read_parquet(ctx.staging_dir / f"{name}.parquet")


# -- parameters ---------------------------------------------------------------------------


def test_window_dates_are_iso_strings_counted_back_from_the_business_date(rules):
    params = extract_params(date(2026, 11, 20), rules)
    assert params["business_date"] == "2026-11-20"
    assert params["day_after_business_date"] == "2026-11-21"
    assert params["window_30d_start_date"] == "2026-10-22"  # 30 days including the 20th
    assert params["window_90d_start_date"] == "2026-08-23"
    assert params["w13_date"] == "2026-08-21"  # 91 days back
    assert params["history_start_date"] == "2026-08-16"  # start of the 7 days ending 90 ago
    assert params["aum_product_kinds"] == tuple(rules.tiers.aum_product_kinds)


def test_adb_window_follows_the_rules(rules):
    shorter = rules.model_copy(
        update={"tiers": rules.tiers.model_copy(update={"adb_window_days": 10})}
    )
    params = extract_params(date(2026, 11, 20), shorter)
    assert params["adb_window_start_date"] == "2026-11-11"
    assert params["adb_window_days"] == 10


# -- staging files ------------------------------------------------------------------------


def test_every_extract_is_staged_with_the_documented_columns_and_types(staged, business_date):
    ctx, summaries = staged
    assert list(summaries) == list(EXTRACTS)
    for name in EXTRACTS:
        frame = read_staged(staged, business_date, name)
        assert summaries[name]["rows"] == len(frame)
        assert summaries[name]["path"] == str(
            ctx.settings.output_dir / "staging" / "2026-11-19" / f"{name}.parquet")
        assert list(frame.columns) == [column for column, _ in EXTRACT_COLUMNS[name]], name
        for column, kind in EXTRACT_COLUMNS[name]:
            dtype = frame[column].dtype
            if kind in ("date", "timestamp"):
                assert pd.api.types.is_datetime64_any_dtype(dtype), (name, column, dtype)
            elif kind == "amount":
                assert dtype == np.float64, (name, column, dtype)
            elif kind in ("flag", "count"):
                assert pd.api.types.is_integer_dtype(dtype), (name, column, dtype)
            else:
                assert pd.api.types.is_string_dtype(dtype), (name, column, dtype)
        key = list(EXTRACT_KEYS[name])
        assert not frame.duplicated(key).any(), name
        assert frame[key[0]].is_monotonic_increasing, f"{name} is sorted by its key"
    for name in ("managers", "customers", "accounts", "customer_balances"):
        assert summaries[name]["rows"] > 0


def test_flags_are_zero_or_one_and_dates_have_no_time(staged, business_date):
    customers = read_staged(staged, business_date, "customers")
    for flag in ("is_primary_holder", "marketing_consent", "do_not_contact"):
        assert set(customers[flag].unique()) <= {0, 1}
    contacts = read_staged(staged, business_date, "contact_summary")
    last = contacts["last_contact_date"].dropna()
    assert (last == last.dt.normalize()).all()


def test_rerun_replaces_the_file_instead_of_appending(staged, small_bank, business_date, rules):
    ctx, summaries = staged
    again = run_extract(ctx, "complaints")
    assert again["rows"] == summaries["complaints"]["rows"]
    folder = ctx.staging_dir
    assert not list(folder.glob(".*.tmp")), "no temporary file is left behind"
    assert len(read_staged(staged, business_date, "complaints")) == again["rows"]


def test_branch_heads_are_staged_and_a_head_without_a_language_reads_the_banks(
    staged, small_bank, business_date, rules, tmp_path
):
    branches = read_staged(staged, business_date, "branches").set_index("branch_id")
    with sqlite3.connect(small_bank) as conn:
        raw = pd.read_sql_query("select * from branches", conn).set_index("branch_id")
    assert list(branches.index) == sorted(raw.index)
    for column in ("branch_name", "head_name", "head_email"):
        pd.testing.assert_series_equal(branches[column], raw[column].reindex(branches.index),
                                       check_dtype=False)
    unset = raw.index[raw["locale"].isna()]
    assert len(unset) > 0, "the small bank has a head whose language is not on record"
    assert (branches.loc[unset, "locale"] == "zh_CN").all()  # the default bank locale
    assert branches["head_email"].isna().any(), "a branch without a head email stays so"
    # a bank whose language is English: the same heads read English
    english = run_extract(bank_context(tmp_path, business_date, rules, small_bank,
                                       CUSTOMER_PLANS_LOCALE="en"), "branches")
    frame = pd.read_parquet(english["path"]).set_index("branch_id")
    assert (frame.loc[unset, "locale"] == "en").all()
    known = raw.index[raw["locale"].notna()]
    assert (frame.loc[known, "locale"] == raw.loc[known, "locale"]).all()


def test_accounts_carry_the_balance_of_the_business_date(staged, small_bank, business_date):
    accounts = read_staged(staged, business_date, "accounts").set_index("account_id")
    with sqlite3.connect(small_bank) as conn:
        raw = pd.read_sql_query(
            "select account_id, balance_cny from account_balances where balance_date = ?",
            conn, params=(business_date.isoformat(),),
        ).set_index("account_id")["balance_cny"]
    joined = accounts.join(raw.rename("expected"), how="left")
    pd.testing.assert_series_equal(
        joined["balance_cny"], joined["expected"].astype(float), check_names=False
    )
    with_balance = joined["expected"].notna()
    assert (joined.loc[with_balance, "last_balance_date"] == pd.Timestamp(business_date)).all()


def test_closed_accounts_leave_the_extract_after_90_days(staged, small_bank, business_date):
    accounts = read_staged(staged, business_date, "accounts")
    cutoff = pd.Timestamp(business_date - timedelta(days=90))
    assert (accounts["closed_date"].isna() | (accounts["closed_date"] >= cutoff)).all()
    assert (accounts["opened_date"] <= pd.Timestamp(business_date)).all()


def test_customer_balances_match_a_computation_from_the_raw_rows(
    staged, small_bank, business_date, rules
):
    """The pushed-down SQL equals pandas on the raw balances (days without a row count 0)."""
    balances = read_staged(staged, business_date, "customer_balances").set_index("customer_id")
    sample = balances.index[:: max(1, len(balances) // 25)][:25].tolist()
    marks = ",".join("?" for _ in sample)
    with sqlite3.connect(small_bank) as conn:
        raw = pd.read_sql_query(
            f"select a.customer_id, a.product_kind, b.balance_date, b.balance_cny "
            f"from account_balances b join accounts a on a.account_id = b.account_id "
            f"where a.customer_id in ({marks})", conn, params=sample,
        )
    raw["balance_date"] = pd.to_datetime(raw["balance_date"])
    aum = raw[raw["product_kind"].isin(rules.tiers.aum_product_kinds)]
    day = pd.Timestamp(business_date)

    def window_sum(start_days_back: int, end_days_back: int = 0) -> pd.Series:
        start = day - pd.Timedelta(days=start_days_back)
        end = day - pd.Timedelta(days=end_days_back)
        inside = aum[(aum["balance_date"] >= start) & (aum["balance_date"] <= end)]
        return inside.groupby("customer_id")["balance_cny"].sum().reindex(sample, fill_value=0.0)

    window = rules.tiers.adb_window_days
    expected = pd.DataFrame({
        "aum_cny": window_sum(0),
        "aum_adb_cny": window_sum(window - 1) / window,
        "aum_avg7_cny": window_sum(6) / 7,
        "aum_avg7_30d_ago_cny": window_sum(36, 30) / 7,
        "aum_avg7_90d_ago_cny": window_sum(96, 90) / 7,
        "aum_w13_cny": window_sum(91, 91),
    })
    current = raw[(raw["product_kind"] == "current") & (raw["balance_date"] == day)]
    expected["current_balance_cny"] = (
        current.groupby("customer_id")["balance_cny"].sum().reindex(sample, fill_value=0.0)
    )
    actual = balances.loc[sample, expected.columns]
    np.testing.assert_allclose(actual.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=0.005)


def test_transaction_summary_matches_a_computation_from_the_raw_rows(
    staged, small_bank, business_date
):
    summary = read_staged(staged, business_date, "transaction_summary").set_index("customer_id")
    with sqlite3.connect(small_bank) as conn:
        raw = pd.read_sql_query(
            "select customer_id, transaction_date, transaction_type from transactions "
            "where transaction_date between ? and ?", conn,
            params=((business_date - timedelta(days=89)).isoformat(), business_date.isoformat()),
        )
    raw["transaction_date"] = pd.to_datetime(raw["transaction_date"])
    assert set(raw["customer_id"]) == set(summary.index)
    since_30 = raw["transaction_date"] >= pd.Timestamp(business_date - timedelta(days=29))
    initiated = ~raw["transaction_type"].isin(["salary_credit", "interest", "fee"])
    salary = raw["transaction_type"] == "salary_credit"
    expected = pd.DataFrame({
        "customer_txn_30d": raw[initiated & since_30].groupby("customer_id").size(),
        "customer_txn_90d": raw[initiated].groupby("customer_id").size(),
        "salary_credits_30d": raw[salary & since_30].groupby("customer_id").size(),
    }).reindex(summary.index).fillna(0).astype(int)
    pd.testing.assert_frame_equal(summary[expected.columns], expected, check_names=False)
    last = raw.groupby("customer_id")["transaction_date"].max()
    pd.testing.assert_series_equal(
        summary["last_transaction_date"], last.reindex(summary.index), check_names=False,
        check_dtype=False,
    )
    assert (summary["future_dated_txn_count"] == 0).all()


def test_a_past_business_date_is_extracted_as_it_stood_then(
    small_bank, business_date, rules, tmp_path
):
    """A rerun of yesterday ignores today's rows: no balance or transaction after it."""
    yesterday = business_date - timedelta(days=1)
    ctx = bank_context(tmp_path, yesterday, rules, small_bank)
    stage(ctx, names=("accounts", "customer_balances", "transaction_summary"))
    folder = ctx.staging_dir
    balances = pd.read_parquet(folder / "customer_balances.parquet")
    assert balances["last_balance_date"].max() == pd.Timestamp(yesterday)
    summary = pd.read_parquet(folder / "transaction_summary.parquet")
    assert summary["last_transaction_date"].max() <= pd.Timestamp(yesterday)
    assert (summary["future_dated_txn_count"] == 0).all()


# -- the end-of-day mark ------------------------------------------------------------------


def test_the_closed_business_date_is_seen_closed(small_bank, business_date):
    assert is_business_date_closed(sqlite_url(small_bank), business_date) is True


def test_a_business_date_never_closed_is_not_extracted(small_bank, business_date, rules,
                                                       tmp_path):
    bank = copy_bank(small_bank, tmp_path / "bank")
    corrupt(bank, f"delete from eod_status where business_date = '{business_date}'")
    assert is_business_date_closed(sqlite_url(bank), business_date) is False
    with pytest.raises(BusinessDateNotClosedError, match="2026-11-19 is not closed"):
        run_extract(bank_context(tmp_path, business_date, rules, bank), "customers")
    assert not (tmp_path / "staging" / "2026-11-19" / "customers.parquet").exists()


# -- the source contract ------------------------------------------------------------------


def test_a_renamed_source_column_is_named_before_any_query(small_bank, business_date, rules,
                                                           tmp_path):
    bank = copy_bank(small_bank, tmp_path / "bank")
    corrupt(bank, "alter table customers rename column annual_income_cny to annual_income")
    with pytest.raises(SourceSchemaError) as caught:
        run_extract(bank_context(tmp_path, business_date, rules, bank), "customers")
    message = str(caught.value)
    assert "table customers has no column annual_income_cny" in message
    assert "annual_income;" in message or "annual_income)" in message  # the rename hint
    assert not (tmp_path / "staging" / "2026-11-19" / "customers.parquet").exists()


def test_a_dropped_source_column_stops_every_extract_that_reads_the_table(
    small_bank, business_date, rules, tmp_path
):
    bank = copy_bank(small_bank, tmp_path / "bank")
    corrupt(bank, "alter table accounts drop column principal_cny")
    ctx = bank_context(tmp_path, business_date, rules, bank)
    for name in ("accounts", "customer_balances"):
        with pytest.raises(SourceSchemaError, match="table accounts has no column principal_cny"):
            run_extract(ctx, name)
    # extracts that do not read accounts are unaffected
    assert run_extract(ctx, "complaints")["rows"] >= 0


def test_text_in_an_amount_column_is_kept_as_text_for_validation_to_name(
    small_bank, business_date, rules, tmp_path
):
    bank = copy_bank(small_bank, tmp_path / "bank")
    victim = scalar(bank, "select min(customer_id) from customers")
    corrupt(bank, f"update customers set annual_income_cny = 'n/a' where customer_id = '{victim}'")
    run_extract(bank_context(tmp_path, business_date, rules, bank), "customers")
    frame = pd.read_parquet(tmp_path / "staging" / "2026-11-19" / "customers.parquet")
    assert pd.api.types.is_string_dtype(frame["annual_income_cny"].dtype)
    assert frame.loc[frame["customer_id"] == victim, "annual_income_cny"].item() == "n/a"


def test_normalise_converts_postgres_and_sqlite_values_alike():
    from decimal import Decimal

    raw = pd.DataFrame({
        "complaint_id": ["Q2", "Q1"], "customer_id": ["C1", "C2"],
        "opened_date": [date(2026, 1, 2), "2026-01-01"], "closed_date": [None, None],
        "status": ["open", "closed"], "category": ["fees", "service"],
    })
    frame = normalise_frame("complaints", raw)
    assert frame["complaint_id"].tolist() == ["Q1", "Q2"]
    assert frame["opened_date"].tolist() == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-02")]
    amounts = normalise_frame("restricted_list", pd.DataFrame({
        "customer_id": ["C1"], "reason_code": ["aml"], "listed_date": ["2026-01-01"],
    }))
    assert amounts["listed_date"].dtype.kind == "M"
    managers = normalise_frame("managers", pd.DataFrame(
        {column: [None] for column, _ in EXTRACT_COLUMNS["managers"]}
    ).assign(manager_id=["M1"], daily_call_capacity=[Decimal("8")],
             daily_visit_capacity=[2.5]))
    assert managers["daily_call_capacity"].tolist() == [8]
    # a fraction in a count is kept as text for validation, never truncated to 2
    assert managers["daily_visit_capacity"].tolist() == ["2.5"]


# -- connections --------------------------------------------------------------------------


def test_connection_errors_are_retried_with_backoff_then_reported(
    monkeypatch, business_date, rules, tmp_path
):
    waits: list[float] = []
    monkeypatch.setattr(extract_module.time, "sleep", waits.append)
    url = "postgresql+psycopg2://reader:secret@127.0.0.1:1/core?connect_timeout=2"
    with pytest.raises(CoreBankingUnavailableError) as caught:
        run_extract(run_context(tmp_path, business_date, rules, core_banking_url=url),
                    "customers")
    assert waits == list(extract_module.RETRY_DELAYS_SECONDS)
    assert "not reachable after 3 attempts" in str(caught.value)
    assert "secret" not in str(caught.value)


def test_bad_sql_is_not_mistaken_for_a_connection_error(small_bank):
    engine = sa.create_engine(sqlite_url(small_bank))
    with engine.connect() as conn, pytest.raises(sa.exc.OperationalError) as caught:
        conn.exec_driver_sql("select no_such_column from customers")
    engine.dispose()
    assert not is_connection_error(caught.value)


def test_a_missing_sqlite_file_is_an_error_not_a_new_empty_bank(business_date, rules, tmp_path):
    missing = tmp_path / "nowhere" / "core_banking.db"
    with pytest.raises(CoreBankingUnavailableError, match="does not exist"):
        run_extract(bank_context(tmp_path, business_date, rules, missing), "customers")
    assert not missing.exists()


def test_importing_the_package_does_not_import_great_expectations():
    code = (
        "import sys, customer_plans.extract, customer_plans.eod, customer_plans.quality; "
        "assert 'great_expectations' not in sys.modules, 'GX imported at import time'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- the same SQL on PostgreSQL -----------------------------------------------------------


@pytest.mark.postgres
def test_every_extract_gives_the_same_result_on_postgresql(
    small_bank, pg_schema_url, business_date, rules, tmp_path
):
    """The small bank generated into PostgreSQL (same seed) extracts like the SQLite one."""
    from customer_plans.seed import generate_bank

    generate_bank(pg_schema_url, customers=1500, managers=12, branches=3, as_of=business_date,
                  seed=7, progress=False)
    params = extract_params(business_date, rules)
    engines = {"sqlite": sa.create_engine(sqlite_url(small_bank)),
               "postgresql": sa.create_engine(pg_schema_url)}
    try:
        for name in ("eod_closed", *EXTRACTS):
            frames = {}
            for dialect, engine in engines.items():
                with engine.connect() as conn:
                    frame = query_extract(conn, name, params)
                frames[dialect] = frame if name == "eod_closed" else normalise_frame(name, frame)
            lite, pg = frames["sqlite"], frames["postgresql"]
            assert len(lite) == len(pg), name
            assert list(lite.columns) == list(pg.columns), name
            for column in lite.columns:
                if pd.api.types.is_float_dtype(lite[column]):
                    np.testing.assert_allclose(
                        lite[column].to_numpy(), pg[column].to_numpy(), rtol=1e-9, atol=0.005,
                        err_msg=f"{name}.{column}",
                    )
                else:
                    pd.testing.assert_series_equal(
                        lite[column], pg[column], check_dtype=False, obj=f"{name}.{column}"
                    )
    finally:
        for engine in engines.values():
            engine.dispose()
    # the whole path on PostgreSQL: end-of-day mark, source contract check, staging file
    assert is_business_date_closed(pg_schema_url, business_date)
    summary = run_extract(
        run_context(tmp_path, business_date, rules, core_banking_url=pg_schema_url), "accounts")
    staged = pd.read_parquet(summary["path"])
    assert summary["rows"] == len(staged) > 0
    assert staged["last_balance_date"].max() == pd.Timestamp(business_date)
