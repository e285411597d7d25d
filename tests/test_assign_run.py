"""The assign stage against a real plans database: batches, idempotent reruns, the next day."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans.assign import AssignmentError, branch_batches, run_assignment
from customer_plans.staging import write_frame

from tests.assign_cases import Bank
from tests.support.contexts import run_context


@pytest.fixture(scope="module")
def rules(every_day_rules):
    # these cases date plans the day after their business date, weekends included
    return every_day_rules

IDLE = [{"code": "idle_balance", "amount_cny": 200000}]
TODAY = date(2026, 11, 20)
YESTERDAY = date(2026, 11, 19)

SEGMENTS_DDL = """
create table if not exists segments (
    business_date date not null, customer_id varchar(16) not null, manager_id varchar(16),
    branch_id varchar(16) not null, aum_cny double precision, aum_adb_cny double precision,
    tier_code varchar(32), tier_rank integer, previous_tier_code varchar(32),
    tier_change varchar(8), familiarity varchar(32), man_difficulty integer,
    lifecycle_stage varchar(16), churn_score double precision, churn_level varchar(8),
    churn_signals text, opportunities text, primary key (business_date, customer_id))
"""


def _bank(day: date) -> Bank:
    """Two branches; M2 (B1) is on leave with a backup in B2; M9 has left; pools in both."""
    bank = Bank(business_date=day)
    bank.manager("M1", "B1", calls=3).manager("M2", "B1", status="on_leave", backup="M3")
    bank.manager("M3", "B2", calls=2, visits=1).manager("M9", "B2", status="left")
    for i in range(24):
        manager = ("M1", "M2", "M3", "M9", None, "M1")[i % 6]
        branch = "B2" if manager in ("M3", "M9") else "B1"
        bank.customer(f"C{i:02d}", manager_id=manager, branch_id=branch,
                      opportunities=IDLE if i % 3 else [],
                      aum_adb_cny=50_000.0 * (i + 1), churn_score=float(i))
        bank.maturity(f"C{i:02d}", (0, 1, 3, 7)[i % 4])
    bank.restricted.append("C05")
    bank.customers[6]["marketing_consent"] = 0
    return bank


def _stage(bank: Bank, root) -> object:
    folder = root / bank.business_date.isoformat()
    for name, frame in bank.frames().items():
        write_frame(frame, folder / f"{name}.parquet")
    return folder


def _segments(url: str, bank: Bank) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(SEGMENTS_DDL)
        conn.execute(sa.text("delete from segments where business_date = :d"),
                     {"d": bank.business_date})
        frame = bank.segments_frame()
        conn.execute(sa.text(
            f"insert into segments ({', '.join(frame.columns)}) values "
            f"({', '.join(':' + c for c in frame.columns)})"),
            frame.to_dict("records"))
    engine.dispose()


def _table(url: str, name: str, day: date) -> pd.DataFrame:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text(f"select * from {name} where business_date = :d"), conn,
                            params={"d": day})
    engine.dispose()
    key = {"plan_contacts": ["manager_id", "rank"], "plan_exclusions": [
        "customer_id", "reason_code"], "plan_feedback": ["manager_id"]}[name]
    frame["business_date"] = frame["business_date"].astype(str)
    return frame.sort_values(key).reset_index(drop=True)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'plans.db'}"


def _exercise(url, tmp_path, rules):
    bank = _bank(TODAY)
    staging = _stage(bank, tmp_path / "staging")
    _segments(url, bank)
    ctx = run_context(tmp_path, TODAY, rules, plans_db_url=url)

    summary = run_assignment(ctx)
    full = {name: _table(url, name, TODAY) for name in
            ("plan_contacts", "plan_exclusions", "plan_feedback")}
    contacts = full["plan_contacts"]
    assert summary["contacts"] == len(contacts) > 0
    assert summary["covered"] == (contacts["assignment"] == "covered").sum() > 0
    assert summary["pool"] == (contacts["assignment"] == "pool").sum() > 0
    assert set(contacts["manager_id"]) == {"M1", "M3", "POOL-B1", "POOL-B2"}
    assert "C05" not in set(contacts["customer_id"])
    assert "restricted" in summary["exclusions"]
    # the backup in B2 covers M2's book from B1, inside M3's own capacity
    covered = contacts[contacts["assignment"] == "covered"]
    assert set(covered["branch_id"]) == {"B2"} and set(covered["home_manager_id"]) == {"M2"}
    m3 = contacts[(contacts["manager_id"] == "M3") & (contacts["status"] == "planned")]
    assert (m3["capacity_kind"] == "call").sum() <= 2 and (m3["capacity_kind"] == "visit").sum(
    ) <= 1
    text = str(summary)
    assert "C0" not in text  # counts only, no customer ids

    # a rerun replaces the rows whole
    run_assignment(ctx)
    for name, frame in full.items():
        pd.testing.assert_frame_equal(_table(url, name, TODAY), frame)

    # batch by batch gives exactly the rows of the single run
    batches = branch_batches(staging, 2)
    assert sorted(b for batch in batches for b in batch) == ["B1", "B2"]
    for batch in batches:
        run_assignment(ctx, branch_ids=batch)
    for name, frame in full.items():
        pd.testing.assert_frame_equal(_table(url, name, TODAY), frame)

    # the next day reads today's plan: carry-over and completion
    tomorrow = _bank(TODAY + timedelta(days=1))
    planned = contacts[contacts["status"] == "planned"]
    reached = planned["customer_id"].iloc[0]
    tomorrow.contact(reached, TODAY + timedelta(days=1))
    _stage(tomorrow, tmp_path / "staging")
    _segments(url, tomorrow)
    summary2 = run_assignment(
        run_context(tmp_path, tomorrow.business_date, rules, plans_db_url=url))
    assert summary2["previous_business_date"] == TODAY.isoformat()
    assert summary2["carried_over"] > 0
    feedback = _table(url, "plan_feedback", tomorrow.business_date).set_index("manager_id")
    owner = planned["manager_id"].iloc[0]
    assert feedback.loc[owner, "planned_yesterday"] == (planned["manager_id"] == owner).sum()
    assert feedback.loc[owner, "completed_yesterday"] == 1
    next_contacts = _table(url, "plan_contacts", tomorrow.business_date)
    assert reached not in set(next_contacts.loc[
        next_contacts["carried_reason_codes"].notna(), "customer_id"])
    # and yesterday's rows are untouched
    pd.testing.assert_frame_equal(_table(url, "plan_contacts", TODAY), contacts)


def test_run_assignment_on_sqlite(sqlite_url, tmp_path, rules):
    _exercise(sqlite_url, tmp_path, rules)


@pytest.mark.postgres
def test_run_assignment_on_postgresql(pg_schema_url, tmp_path, rules):
    _exercise(pg_schema_url, tmp_path, rules)


def test_without_segments_for_the_date_the_stage_says_so(sqlite_url, tmp_path, rules):
    _segments(sqlite_url, _bank(TODAY))
    later = date(2026, 11, 21)  # staged, but not segmented
    _stage(_bank(later), tmp_path / "staging")
    with pytest.raises(AssignmentError, match="segments has no rows for business date "
                                              "2026-11-21"):
        run_assignment(run_context(tmp_path, later, rules, plans_db_url=sqlite_url))


def test_a_missing_staging_extract_is_named(sqlite_url, tmp_path, rules):
    staging = _stage(_bank(TODAY), tmp_path / "staging")
    (staging / "accounts.parquet").unlink()
    with pytest.raises(AssignmentError, match="accounts.parquet is missing"):
        run_assignment(run_context(tmp_path, TODAY, rules, plans_db_url=sqlite_url))


def test_branch_batches_are_balanced_and_deterministic(tmp_path):
    bank = Bank().manager("M1", "B1").manager("M2", "B2").manager("M3", "B3")
    for i in range(10):
        bank.customer(f"A{i}", manager_id="M1", branch_id="B1")
    for i in range(6):
        bank.customer(f"B{i}", manager_id="M2", branch_id="B2")
    for i in range(5):
        bank.customer(f"C{i}", manager_id="M3", branch_id="B3")
    bank.customer("P0", manager_id=None, branch_id="B4")  # a branch with customers only
    staging = _stage(bank, tmp_path)
    # largest first into the lightest batch: 11+2 customers (and branches) against 7+6
    assert branch_batches(staging, 2) == [["B1", "B4"], ["B2", "B3"]]
    assert branch_batches(staging, 2) == branch_batches(staging, 2)
    assert branch_batches(staging, 1) == [["B1", "B2", "B3", "B4"]]
    assert branch_batches(staging, 10) == [["B1"], ["B2"], ["B3"], ["B4"]]
    with pytest.raises(ValueError, match="at least 1"):
        branch_batches(staging, 0)


def test_quarantined_rows_are_left_out_but_restrictions_always_hold(sqlite_url, tmp_path, rules):
    bank = _bank(TODAY)
    staging = _stage(bank, tmp_path / "staging")
    _segments(sqlite_url, bank)
    c01_account = next(a["account_id"] for a in bank.accounts if a["customer_id"] == "C01")
    write_frame(pd.DataFrame({
        "table": ["customers", "accounts", "restricted_list"],
        "key_column": ["customer_id", "account_id", "customer_id"],
        "key": ["C00", c01_account, "C05"],
        "rule": ["birth_date_plausible", "amount_range", "listed_date_not_null"],
        "detail": ["", "", ""],
    }), staging / "quarantine.parquet")
    run_assignment(run_context(tmp_path, TODAY, rules, plans_db_url=sqlite_url))
    contacts = _table(sqlite_url, "plan_contacts", TODAY).set_index("customer_id")
    exclusions = _table(sqlite_url, "plan_exclusions", TODAY)
    assert "C00" not in contacts.index
    assert set(exclusions.loc[exclusions["customer_id"] == "C00", "reason_code"]) == {
        "quarantined"}
    assert "maturity" not in (contacts.loc["C01", "reason_codes"] if "C01" in contacts.index
                              else "")
    assert "C05" not in contacts.index
    assert set(exclusions.loc[exclusions["customer_id"] == "C05", "reason_code"]) == {
        "restricted"}
