"""The segment stage end to end: staging Parquet in, the plans DB ``segments`` table out.

Several business dates in a row against one plans DB show tier hysteresis held and then
released, reruns that change nothing, the first run saying so, and quarantine honoured.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans.segment import SEGMENT_COLUMNS, SegmentationError, run_segmentation
from customer_plans.staging import staging_dir, write_frame

from tests.support.contexts import run_context
from tests.support.segment_frames import build_frames

D1 = date(2026, 9, 1)


def stage(root: Path, business_date: date, adb_by_customer: dict[str, float],
          quarantine: pd.DataFrame | None = None) -> Path:
    """Write the staging extracts for ``business_date``: one customer per entry."""
    ids = list(adb_by_customer)
    frames = build_frames(
        customers=[{"customer_id": c} for c in ids],
        customer_balances=[{"customer_id": c, "aum_cny": adb, "aum_adb_cny": adb,
                            "aum_avg7_cny": adb, "aum_avg7_30d_ago_cny": adb,
                            "aum_avg7_90d_ago_cny": adb} for c, adb in adb_by_customer.items()],
        accounts=[{"customer_id": c, "product_kind": kind} for c in ids
                  for kind in ("current", "savings")],
        transaction_summary=[{"customer_id": c, "last_customer_txn_date": business_date}
                             for c in ids],
        contact_summary=[{"customer_id": c, "reached_contacts_90d": 2,
                          "last_reached_date": business_date} for c in ids],
    )
    folder = staging_dir(root / "staging", business_date)
    for name, frame in frames.items():
        write_frame(frame, folder / f"{name}.parquet")
    if quarantine is not None:
        write_frame(quarantine, folder / "quarantine.parquet")
    return folder


def read_segments(url: str, business_date: date | None = None) -> pd.DataFrame:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text("select * from segments order by business_date, customer_id"),
                            conn)
    engine.dispose()
    frame["business_date"] = pd.to_datetime(frame["business_date"]).dt.date
    if business_date is not None:
        frame = frame[frame["business_date"] == business_date]
    return frame.set_index("customer_id")


@pytest.fixture
def plans_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'plans.db'}"


def run_day(tmp_path, url, rules, business_date, adb_by_customer, **kwargs) -> dict:
    stage(tmp_path, business_date, adb_by_customer, **kwargs)
    summary = run_segmentation(run_context(tmp_path, business_date, rules, plans_db_url=url))
    json.dumps(summary)  # JSON-safe, as the DAG passes it on
    return summary


def test_hysteresis_held_then_released_over_business_dates(tmp_path, plans_url, rules):
    hold = rules.tiers.downgrade_hold_days
    platinum, gold = 600_000.0, 400_000.0
    first = run_day(tmp_path, plans_url, rules, D1, {"C1": platinum, "C2": gold})
    assert first["first_run"] is True and "first run" in first["note"]
    assert first["tier_changes"]["new"] == 2

    d2 = D1 + timedelta(days=1)  # C1 falls below platinum: held; C2 jumps to diamond: at once
    second = run_day(tmp_path, plans_url, rules, d2, {"C1": gold, "C2": 2_500_000.0})
    assert second["first_run"] is False and second["history_dates_used"] == [D1.isoformat()]
    day2 = read_segments(plans_url, d2)
    assert day2.loc["C1", ["tier_code", "computed_tier_code", "tier_change"]].tolist() == [
        "platinum", "gold", "same"]
    assert pd.Timestamp(day2.loc["C1", "below_tier_since"]) == pd.Timestamp(d2)
    assert day2.loc["C2", ["previous_tier_code", "tier_code", "tier_change"]].tolist() == [
        "gold", "diamond", "up"]

    d3 = d2 + timedelta(days=hold - 1)  # one day short of the hold
    run_day(tmp_path, plans_url, rules, d3, {"C1": gold, "C2": 2_500_000.0})
    day3 = read_segments(plans_url, d3)
    assert day3.loc["C1", "tier_code"] == "platinum"
    assert pd.Timestamp(day3.loc["C1", "below_tier_since"]) == pd.Timestamp(d2)

    d4 = d2 + timedelta(days=hold)  # below for exactly the hold: the downgrade applies
    run_day(tmp_path, plans_url, rules, d4, {"C1": gold, "C2": 2_500_000.0})
    day4 = read_segments(plans_url, d4)
    assert day4.loc["C1", ["previous_tier_code", "tier_code", "tier_change"]].tolist() == [
        "platinum", "gold", "down"]
    assert pd.isna(day4.loc["C1", "below_tier_since"])
    explanation = json.loads(day4.loc["C1", "explanation"])
    assert explanation["tier"]["rule"] == "downgrade" and explanation["tier"]["days_below"] == hold
    # the change is the row's tier_change (assignment reads it there), not an opportunity
    assert "tier_downgrade" not in day4.loc["C1", "opportunities"]


def test_rerun_replaces_the_date_and_ignores_later_dates(tmp_path, plans_url, rules):
    run_day(tmp_path, plans_url, rules, D1, {"C1": 600_000.0, "C2": 10_000.0})
    d2 = D1 + timedelta(days=1)
    run_day(tmp_path, plans_url, rules, d2, {"C1": 400_000.0, "C2": 10_000.0})
    before = read_segments(plans_url, d2)
    d3 = d2 + timedelta(days=1)
    run_day(tmp_path, plans_url, rules, d3, {"C1": 50_000.0, "C2": 10_000.0})

    again = run_segmentation(run_context(tmp_path, d2, rules, plans_db_url=plans_url))
    after = read_segments(plans_url, d2)
    assert again["rows"] == 2 and again["history_dates_used"] == [D1.isoformat()]
    pd.testing.assert_frame_equal(before, after)
    assert len(read_segments(plans_url)) == 6  # three dates, two customers, no duplicates


def test_quarantined_customers_are_left_out(tmp_path, plans_url, rules):
    quarantine = pd.DataFrame({
        "table": ["customers", "accounts"], "key_column": ["customer_id", "account_id"],
        "key": ["C2", "A000000"], "rule": ["bad_birth_date", "bad_balance"],
        "detail": ["x", "y"]})
    summary = run_day(tmp_path, plans_url, rules, D1,
                      {"C1": 10_000.0, "C2": 10_000.0, "C3": 10_000.0}, quarantine=quarantine)
    segments = read_segments(plans_url, D1)
    assert sorted(segments.index) == ["C1", "C3"]
    assert summary["quarantined_customers"] == 1
    assert summary["quarantined_rows"] == {"customers": 1, "accounts": 1}
    # C1 lost its quarantined current account: only the savings account is left
    assert segments.loc["C1", "open_product_count"] == 1


def test_no_quarantine_file_is_fine(tmp_path, plans_url, rules):
    summary = run_day(tmp_path, plans_url, rules, D1, {"C1": 10_000.0})
    assert summary["quarantine_file"] is None and summary["quarantined_customers"] == 0


def test_summary_counts_every_code(tmp_path, plans_url, rules):
    summary = run_day(tmp_path, plans_url, rules, D1,
                      {"C1": 10_000.0, "C2": 600_000.0, "C3": 6_000_000.0})
    assert summary["rows"] == 3
    assert summary["tiers"] == {"mass": 1, "gold": 0, "platinum": 1, "diamond": 0, "private": 1}
    assert sum(summary["lifecycle_stages"].values()) == 3
    assert set(summary["churn_levels"]) == {"low", "medium", "high"}
    assert summary["rules_hash"] == rules.content_hash


def test_stored_columns_follow_the_contract(tmp_path, plans_url, rules):
    run_day(tmp_path, plans_url, rules, D1, {"C1": 600_000.0})
    stored = read_segments(plans_url).reset_index()
    # recorded_words: only rows of before the words-late migration have it (customer_plans.migrate)
    assert set(stored.columns) == set(SEGMENT_COLUMNS) | {"recorded_words"}
    assert stored["recorded_words"].isna().all()
    row = stored.iloc[0]
    assert row["rules_hash"] == rules.content_hash and row["rules_version"] == rules.version
    for column in ("churn_signals", "opportunities", "explanation"):
        json.loads(row[column])


def test_missing_extract_names_the_file(tmp_path, plans_url, rules):
    folder = stage(tmp_path, D1, {"C1": 10_000.0})
    (folder / "contact_summary.parquet").unlink()
    with pytest.raises(SegmentationError, match="contact_summary.parquet is missing"):
        run_segmentation(run_context(tmp_path, D1, rules, plans_db_url=plans_url))


def test_missing_column_names_table_and_column(tmp_path, plans_url, rules):
    folder = stage(tmp_path, D1, {"C1": 10_000.0})
    balances = pd.read_parquet(folder / "customer_balances.parquet")
    write_frame(balances.drop(columns=["aum_adb_cny"]), folder / "customer_balances.parquet")
    with pytest.raises(SegmentationError, match="customer_balances.*aum_adb_cny"):
        run_segmentation(run_context(tmp_path, D1, rules, plans_db_url=plans_url))


def test_duplicate_summary_rows_are_refused_with_an_example(rules):
    from customer_plans.segment import segment_customers

    frames = build_frames(customers=[{"customer_id": "C1"}],
                          customer_balances=[{"customer_id": "C1"}, {"customer_id": "C1"}])
    with pytest.raises(SegmentationError, match="customer_balances.*2 rows.*customer_id=C1"):
        segment_customers(frames, D1, rules)


@pytest.mark.postgres
def test_same_stage_on_postgresql(tmp_path, pg_schema_url, rules):
    run_day(tmp_path, pg_schema_url, rules, D1, {"C1": 600_000.0, "C2": 10_000.0})
    d2 = D1 + timedelta(days=1)
    summary = run_day(tmp_path, pg_schema_url, rules, d2, {"C1": 400_000.0, "C2": 10_000.0})
    assert summary["history_dates_used"] == [D1.isoformat()]
    day2 = read_segments(pg_schema_url, d2)
    assert day2.loc["C1", ["tier_code", "tier_change"]].tolist() == ["platinum", "same"]
    run_day(tmp_path, pg_schema_url, rules, d2, {"C1": 400_000.0, "C2": 10_000.0})
    assert len(read_segments(pg_schema_url)) == 4
