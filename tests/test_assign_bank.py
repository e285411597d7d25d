"""Assignment on the generated small bank: extract -> segment -> assign for two days."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans.assign import run_assignment
from customer_plans.assign.facts import REASON_FACTS
from customer_plans.segment import run_segmentation
from customer_plans.words.languages import shipped_languages

from tests.assign_cases import spoken
from tests.quality_cases import sqlite_url, stage
from tests.support.contexts import run_context


@pytest.fixture(scope="module")
def assigned(small_bank, business_date, rules, tmp_path_factory):
    """Plans for the day before the business date and for the business date itself."""
    root = tmp_path_factory.mktemp("assign_bank")
    url = f"sqlite:///{root / 'plans.db'}"
    days = [business_date - timedelta(days=1), business_date]
    summaries = []
    for day in days:
        ctx = run_context(root, day, rules, plans_db_url=url,
                          core_banking_url=sqlite_url(small_bank))
        stage(ctx)
        run_segmentation(ctx)
        summaries.append(run_assignment(ctx))
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tables = {name: pd.read_sql(sa.text(f"select * from {name} where business_date = :d"),
                                    conn, params={"d": business_date})
                  for name in ("plan_contacts", "plan_exclusions", "plan_feedback")}
    engine.dispose()
    return root / "staging" / business_date.isoformat(), tables, summaries


def test_the_generated_bank_gets_plans(assigned):
    _, tables, summaries = assigned
    contacts = tables["plan_contacts"]
    assert len(contacts) > 50
    assert contacts["customer_id"].is_unique
    assert set(contacts["priority_level"]) <= {1, 2, 3}
    assert not [c for c in contacts.columns if c.startswith("talking_points")]
    for reasons in contacts["reasons"]:
        for reason in json.loads(reasons):
            # codes and typed facts, as assignment declares them; no words
            assert set(reason) == {"code", "level", "facts"}
            assert list(reason["facts"]) == list(REASON_FACTS[reason["code"]])
    assert summaries[1]["previous_business_date"] == summaries[0]["business_date"]


def test_lists_follow_the_books_and_capacity(assigned):
    folder, tables, _ = assigned
    contacts = tables["plan_contacts"]
    customers = pd.read_parquet(folder / "customers.parquet").set_index("customer_id")
    managers = pd.read_parquet(folder / "managers.parquet").set_index("manager_id")
    home = customers.loc[contacts["customer_id"], "manager_id"].to_numpy()
    own = contacts["assignment"].to_numpy() == "own"
    assert (contacts.loc[own, "manager_id"].to_numpy() == home[own]).all()
    covered = contacts[contacts["assignment"] == "covered"]
    assert (managers.loc[covered["home_manager_id"], "backup_manager_id"].to_numpy()
            == covered["manager_id"].to_numpy()).all()
    pool = contacts[contacts["assignment"] == "pool"]
    assert pool["manager_id"].str.startswith("POOL-").all()
    planned = contacts[(contacts["status"] == "planned") & (contacts["assignment"] != "pool")]
    for manager_id, rows in planned.groupby("manager_id"):
        visits = (rows["capacity_kind"] == "visit").sum()
        assert visits <= managers.loc[manager_id, "daily_visit_capacity"]
        assert len(rows) - visits <= managers.loc[manager_id, "daily_call_capacity"]


def test_no_forbidden_customer_and_no_forbidden_phrase(assigned, rules):
    folder, tables, _ = assigned
    contacts = tables["plan_contacts"]
    customers = pd.read_parquet(folder / "customers.parquet").set_index("customer_id")
    restricted = set(pd.read_parquet(folder / "restricted_list.parquet")["customer_id"])
    listed = customers.loc[contacts["customer_id"]]
    assert not set(contacts["customer_id"]) & restricted
    assert (listed["do_not_contact"] == 0).all()
    service = {code for code, r in rules.assignment.reasons.items() if r.service}
    no_consent = contacts[(listed["marketing_consent"] == 0).to_numpy()]
    for row in no_consent.itertuples():
        # a carried-over contact is as much a service contact as the reasons it carries
        codes = set(row.reason_codes.split()) - {"carried_over"}
        carried = row.carried_reason_codes if isinstance(row.carried_reason_codes, str) else ""
        codes |= set(carried.split())
        assert codes <= service, row.customer_id
    # every reason of every contact, in every language, as render will print it
    phrases = [p.lower() for p in rules.assignment.forbidden_phrases]
    for language in shipped_languages().codes:
        text = "\n".join(f"{w.label} {w.know} {w.say}" for _, contact in contacts.iterrows()
                         for w in spoken(contact, rules, language)).lower()
        assert [p for p in phrases if p in text] == []


def test_the_second_day_reports_the_first_days_completion(assigned, business_date):
    _, tables, _ = assigned
    feedback = tables["plan_feedback"]
    with_plan = feedback[feedback["planned_yesterday"] > 0]
    assert len(with_plan) > 0
    assert set(with_plan["previous_business_date"].astype(str)) == {
        (business_date - timedelta(days=1)).isoformat()}
    assert ((with_plan["completion_rate"] >= 0) & (with_plan["completion_rate"] <= 1)).all()
    exclusions = tables["plan_exclusions"]
    assert exclusions["reason_code"].notna().all() and (exclusions["detail"] != "").all()
