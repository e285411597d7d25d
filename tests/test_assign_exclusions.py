"""Who is never listed, who is listed for service only, and every drop recorded with its reason."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.assign_cases import Bank, one, reasons_of, run, spoken


@pytest.fixture(scope="module")
def rules(every_day_rules):
    # these cases date plans the day after their business date, weekends included
    return every_day_rules

SALES = [{"code": "idle_balance", "amount_cny": 200000}]


def _exclusion(exclusions, customer_id):
    rows = exclusions.loc[exclusions["customer_id"] == customer_id]
    return {r.reason_code: json.loads(r.dropped_reasons) for r in rows.itertuples()}


def facts(stored: str) -> dict:
    """The facts an exclusion stored: a JSON object in canonical form (keys sorted, compact)."""
    value = json.loads(stored)
    assert isinstance(value, dict)
    assert stored == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return value


@pytest.mark.parametrize(
    ("setup", "code", "stored"),
    [
        (lambda b: b.restricted.append("C1"), "restricted", {}),
        (lambda b: b.customers[0].update(do_not_contact=1), "do_not_contact", {}),
        (lambda b: b.quarantined.append("C1"), "quarantined", {}),
        (lambda b: b.customers[0].update(closed_date=b.business_date), "closed",
         {"closed_date": "2026-11-20"}),
        (lambda b: b.segments[0].update(lifecycle_stage="lost"), "closed",
         {"lifecycle_stage": "lost"}),
    ],
)
def test_never_listed_even_for_urgent_service(rules, setup, code, stored):
    bank = Bank().manager("M1").customer("C1", opportunities=SALES).maturity("C1", 0)
    setup(bank)
    contacts, exclusions, _ = run(bank, rules)
    assert contacts.empty
    assert _exclusion(exclusions, "C1") == {code: ["maturity_due", "idle_balance"]}
    row = exclusions.iloc[0]
    assert (row["manager_id"], row["branch_id"], row["home_manager_id"]) == ("M1", "B1", "M1")
    assert facts(row["detail"]) == stored


def test_a_closing_date_after_the_business_date_does_not_close_yet(rules):
    bank = Bank().manager("M1").customer(
        "C1", opportunities=SALES, closed_date=date(2026, 11, 21))
    assert reasons_of(run(bank, rules)[0], "C1") == ["idle_balance"]


def test_restricted_wins_over_later_exclusions(rules):
    bank = Bank().manager("M1").customer("C1", opportunities=SALES, dnc=1, consent=0)
    bank.restricted.append("C1")
    _, exclusions, _ = run(bank, rules)
    assert _exclusion(exclusions, "C1") == {"restricted": ["idle_balance"]}


def test_without_marketing_consent_only_service_reasons_remain(rules):
    bank = Bank().manager("M1").customer(
        "C1", consent=0, opportunities=[*SALES, {"code": "new_customer_follow_up", "day": 7}],
        tier="diamond", churn_level="high", churn_score=80.0)
    bank.maturity("C1", 3)
    contacts, exclusions, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ["maturity_upcoming", "new_customer_follow_up"]
    assert one(contacts, "C1")["priority_level"] == 2
    assert _exclusion(exclusions, "C1") == {
        "no_marketing_consent": ["retention_top_tier", "idle_balance"]}


def test_no_consent_and_only_sales_reasons_means_not_listed(rules):
    bank = Bank().manager("M1").customer("C1", consent=0, opportunities=SALES)
    contacts, exclusions, _ = run(bank, rules)
    assert contacts.empty
    assert _exclusion(exclusions, "C1") == {"no_marketing_consent": ["idle_balance"]}


def test_open_complaint_turns_sales_into_service_recovery(rules):
    bank = Bank().manager("M1").customer("C1", opportunities=SALES, tier_change="up",
                                         previous_tier_code="mass")
    bank.maturity("C1", 1).complaint("C1")
    contacts, exclusions, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ["service_recovery", "maturity_due"]
    contact = one(contacts, "C1")
    assert contact["channel"] == "phone"
    recovery, maturity = spoken(contact, rules, "en")
    assert "Do not offer any product" in recovery.say
    assert "investment" not in recovery.say + maturity.say
    assert _exclusion(exclusions, "C1") == {"open_complaint": ["tier_upgrade", "idle_balance"]}


def test_an_open_complaint_without_consent_still_gets_service_recovery(rules):
    bank = Bank().manager("M1").customer("C1", consent=0).complaint("C1")
    assert reasons_of(run(bank, rules)[0], "C1") == ["service_recovery"]


@pytest.mark.parametrize(
    ("days_before", "outcome", "suppressed"),
    [(0, "reached", True), (1, "reached", True), (2, "reached", False),
     (1, "message_sent", True), (1, "declined", True), (1, "no_answer", False),
     (-1, "reached", False)],
)
def test_recent_contact_suppresses_within_the_reason_window(rules, days_before, outcome,
                                                             suppressed):
    # maturity_upcoming waits 2 days after a completed contact
    bank = Bank().manager("M1").customer("C1").maturity("C1", 3)
    bank.contact("C1", bank.business_date - timedelta(days=days_before), outcome=outcome)
    contacts, exclusions, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ([] if suppressed else ["maturity_upcoming"])
    if suppressed:
        row = exclusions.iloc[0]
        assert row["reason_code"] == "recently_contacted"
        contact_day = bank.business_date - timedelta(days=days_before)
        assert facts(row["detail"]) == {"channel": "phone",
                                        "last_contact_date": contact_day.isoformat(),
                                        "suppress_days": {"maturity_upcoming": 2}}


def test_suppression_is_per_reason_and_never_for_level_1(rules):
    bank = Bank().manager("M1").customer(
        "C1", opportunities=[*SALES, {"code": "new_customer_follow_up", "day": 7}])
    bank.maturity("C1", 1)
    bank.contact("C1", bank.business_date - timedelta(days=5))
    contacts, exclusions, _ = run(bank, rules)
    # idle_balance waits 30 days, new_customer_follow_up 3: only the first is dropped;
    # maturity_due is level 1 and never suppressed
    assert reasons_of(contacts, "C1") == ["maturity_due", "new_customer_follow_up"]
    assert _exclusion(exclusions, "C1") == {"recently_contacted": ["idle_balance"]}
    assert facts(exclusions.iloc[0]["detail"])["suppress_days"] == {"idle_balance": 30}


def test_the_facts_of_a_recent_contact_name_every_reason_it_suppressed(rules):
    """One row per customer: the last contact's day, its channel when the day's completed
    contacts went by one, and each suppressed reason's window (keys sorted)."""
    bank = Bank().manager("M1").customer(
        "C1", opportunities=[*SALES, {"code": "new_customer_follow_up", "day": 7}])
    bank.maturity("C1", 3)
    yesterday = bank.business_date - timedelta(days=1)
    bank.contact("C1", yesterday - timedelta(days=3), channel="visit")
    bank.contact("C1", yesterday, channel="wechat").contact("C1", yesterday, outcome="no_answer")
    _, exclusions, _ = run(bank, rules)
    assert _exclusion(exclusions, "C1") == {
        "recently_contacted": ["maturity_upcoming", "idle_balance", "new_customer_follow_up"]}
    assert facts(exclusions.iloc[0]["detail"]) == {
        "channel": "wechat", "last_contact_date": yesterday.isoformat(),
        "suppress_days": {"idle_balance": 30, "maturity_upcoming": 2,
                          "new_customer_follow_up": 3}}
    # two completed contacts that day by different channels: which one was last is not known
    bank.contact("C1", yesterday, channel="phone")
    assert facts(run(bank, rules)[1].iloc[0]["detail"])["channel"] is None


def test_contacts_of_other_customers_do_not_suppress(rules):
    bank = Bank().manager("M1").customer("C1", opportunities=SALES).customer("C2")
    bank.contact("C2", bank.business_date)
    assert reasons_of(run(bank, rules)[0], "C1") == ["idle_balance"]
