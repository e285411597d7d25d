"""Yesterday feeds today: unfinished contacts carry over, completed ones stop, and each
manager sees yesterday's completion rate (联络达成率)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest

from tests.assign_cases import Bank, one, reasons_of, run, spoken

YESTERDAY = date(2026, 11, 19)
TODAY = date(2026, 11, 20)
IDLE = [{"code": "idle_balance", "amount_cny": 200000}]


def _two_days(build, outcomes=(), calls=20):
    """Run yesterday's plan, then today's with yesterday's rows as carry-over.

    ``build(bank)`` adds the customers (the same facts on both days); ``outcomes`` are
    ``(customer_id, day, outcome)`` contacts, visible to today's run only.
    """
    def bank_for(day):
        bank = Bank(business_date=day).manager("M1", calls=calls, visits=1)
        build(bank)
        return bank

    previous, _, _ = run(bank_for(YESTERDAY), _rules())
    today = bank_for(TODAY)
    for customer_id, day, outcome in outcomes:
        today.contact(customer_id, day, outcome=outcome)
    return previous, run(today, _rules(), carry_over=previous)


def _rules():
    from customer_plans.rules import load_rules

    # these cases date plans the day after their business date, weekends included
    rules = load_rules()
    return rules.model_copy(update={"assignment": rules.assignment.model_copy(
        update={"non_working_weekdays": [], "holiday_calendar": None})})


@pytest.fixture(scope="module")
def rules(every_day_rules):
    return every_day_rules


def test_deferred_contacts_come_back_the_next_day(rules):
    def build(bank):
        for i in range(3):
            bank.customer(f"C{i}", opportunities=IDLE, aum_adb_cny=100_000.0 * (i + 1))

    previous, (contacts, _, feedback) = _two_days(build, calls=2)
    assert list(previous.loc[previous["status"] == "deferred", "customer_id"]) == ["C0"]
    # idle balance is still there today; the deferred contact is carried with it (same level:
    # the rules list carried_over first)
    assert reasons_of(contacts, "C0") == ["carried_over", "idle_balance"]
    contact = one(contacts, "C0")
    assert contact["carried_reason_codes"] == "idle_balance"
    assert contact["first_planned_date"] == YESTERDAY
    carried = json.loads(contact["reasons"])[0]
    # codes and dates, never the earlier words
    assert carried["facts"] == {
        "from_date": "2026-11-19", "first_planned_date": "2026-11-19",
        "previous_status": "deferred", "previous_level": 3, "previous_manager_id": "M1",
        "previous_reasons": ["idle_balance"]}
    english, chinese = (spoken(contact, rules, language)[0] for language in ("en", "zh_CN"))
    assert english.say == ("Planned on 19 Nov 2026 and not done yet (deferred for capacity): "
                           "pick it up as the reason above says.")
    assert chinese.say == "2026年11月19日计划的联络尚未完成（因联络量已满顺延）：请按上方原因跟进。"
    # the earlier reasons are for the manager: stated in the know line, by their labels
    assert english.know == ("From the plan of 19 Nov 2026 (deferred for capacity): "
                            "Idle balance")
    assert "闲置资金" in chinese.know
    assert feedback.set_index("manager_id").loc["M1", "carried_over_count"] == 1


def test_unreached_important_contacts_carry_over_and_reached_ones_stop(rules):
    def build(bank):
        bank.customer("L2", tier="gold", churn_level="high", churn_score=70.0)  # retention, 2
        bank.customer("L2DONE", churn_level="high", churn_score=70.0)
        bank.customer("L3", opportunities=IDLE)  # level 3: not carried when unreached

    _, (contacts, _, _) = _two_days(build, outcomes=[("L2", TODAY, "no_answer"),
                                                     ("L2DONE", TODAY, "reached")])
    # retention is suppressed for 7 days after a completed contact, and nothing carries
    assert reasons_of(contacts, "L2DONE") == []
    # L2 still has its retention reason and carries yesterday's attempt
    assert reasons_of(contacts, "L2") == ["retention", "carried_over"]
    assert json.loads(one(contacts, "L2")["reasons"])[1]["facts"]["previous_status"] == \
        "not_reached"
    assert "carried_over" not in reasons_of(contacts, "L3")


def test_a_carried_contact_keeps_its_level_and_channel_when_its_reason_is_gone(rules):
    # yesterday: a deposit maturing the next day (maturity_due, level 1, by phone)
    yesterday = Bank(business_date=YESTERDAY).manager("M1")
    yesterday.customer("C1", tier="private", preferred="wechat").maturity("C1", 1)
    previous, _, _ = run(yesterday, rules)
    assert one(previous, "C1")["priority_level"] == 1
    # today the account is gone from the extract (paid out); the call was not answered
    today = Bank(business_date=TODAY).manager("M1").customer("C1", tier="private",
                                                             preferred="wechat")
    today.contact("C1", TODAY, outcome="no_answer")
    contacts, _, _ = run(today, rules, carry_over=previous)
    contact = one(contacts, "C1")
    assert reasons_of(contacts, "C1") == ["carried_over"]
    assert contact["priority_level"] == 1
    assert contact["channel"] == "phone"


def test_greetings_are_never_carried(rules):
    previous, _, _ = run(Bank(business_date=YESTERDAY).manager("M1", calls=0).customer(
        "B1", birth_date=date(1980, 11, 20)), rules)
    assert one(previous, "B1")["status"] == "deferred"
    today = Bank(business_date=TODAY).manager("M1").customer("B1", birth_date=date(1980, 11, 20))
    contacts, exclusions, _ = run(today, rules, carry_over=previous)
    assert contacts.empty and exclusions.empty


def test_a_contact_first_planned_too_long_ago_expires(rules):
    bank = Bank(business_date=TODAY).manager("M1").customer("C1", opportunities=IDLE)
    stale = run(Bank(business_date=YESTERDAY).manager("M1", calls=0).customer(
        "C1", opportunities=IDLE), rules)[0]
    limit = rules.assignment.carry_over_max_days
    stale["first_planned_date"] = TODAY - timedelta(days=limit + 1)
    contacts, exclusions, _ = run(bank, rules, carry_over=stale)
    assert reasons_of(contacts, "C1") == ["idle_balance"]
    row = exclusions.set_index("reason_code").loc["carry_over_expired"]
    assert json.loads(row["dropped_reasons"]) == ["carried_over"]
    assert "idle_balance" in row["detail"]
    # one day younger and it still carries
    stale["first_planned_date"] = TODAY - timedelta(days=limit)
    contacts, _, _ = run(bank, rules, carry_over=stale)
    assert reasons_of(contacts, "C1") == ["carried_over", "idle_balance"]


def test_carried_sales_contacts_respect_todays_exclusions(rules):
    previous = run(Bank(business_date=YESTERDAY).manager("M1", calls=0).customer(
        "C1", opportunities=IDLE), rules)[0]
    bank = Bank(business_date=TODAY).manager("M1").customer("C1", consent=0)
    contacts, exclusions, _ = run(bank, rules, carry_over=previous)
    assert contacts.empty
    assert exclusions.set_index("reason_code").loc["no_marketing_consent", "dropped_reasons"] \
        == '["carried_over"]'


def test_a_plan_older_than_the_lookback_is_ignored(rules):
    old_day = TODAY - timedelta(days=rules.assignment.previous_plan_lookback_days + 1)
    previous = run(Bank(business_date=old_day).manager("M1", calls=0).customer(
        "C1", opportunities=IDLE), rules)[0]
    contacts, _, feedback = run(Bank(business_date=TODAY).manager("M1").customer("C1"), rules,
                                carry_over=previous)
    assert contacts.empty
    assert feedback["previous_business_date"].isna().all()


def test_completion_rate_counts_planned_contacts_completed_the_next_day(rules):
    def build(bank):
        for i in range(5):
            bank.customer(f"C{i}", opportunities=IDLE, aum_adb_cny=100_000.0 * (i + 1))

    previous, (_, _, feedback) = _two_days(build, calls=4, outcomes=[
        ("C4", TODAY, "reached"),
        ("C3", TODAY, "message_sent"),
        ("C2", TODAY, "no_answer"),
        ("C1", YESTERDAY, "reached"),  # before the plan was worked: does not count
        ("C0", TODAY, "reached"),  # deferred, not planned: does not count
    ])
    assert (previous["status"] == "planned").sum() == 4
    row = feedback.set_index("manager_id").loc["M1"]
    assert (row["planned_yesterday"], row["completed_yesterday"]) == (4, 2)
    assert row["completion_rate"] == 0.5
    assert row["previous_business_date"] == YESTERDAY


def test_without_a_previous_plan_the_completion_rate_is_null(rules):
    _, _, feedback = run(Bank().manager("M1").customer("C1", opportunities=IDLE), rules)
    row = feedback.iloc[0]
    assert pd.isna(row["completion_rate"]) and pd.isna(row["planned_yesterday"])
    assert row["previous_business_date"] is None


def test_a_holiday_week_does_not_expire_or_lose_a_deferred_contact(bank_rules):
    # deferred on the plan for Wed 30 Sep (business date 29 Sep); 1-7 October are China's
    # National Day holidays, so the next plan is for Thu 8 Oct (business date 7 Oct): the
    # contact comes back then, eight calendar days but one working day later
    before = date(2026, 9, 29)
    after = date(2026, 10, 7)
    deferred = run(Bank(business_date=before).manager("M1", calls=0).customer(
        "C1", opportunities=IDLE), bank_rules)[0]
    assert one(deferred, "C1")["status"] == "deferred"
    bank = Bank(business_date=after).manager("M1").customer("C1", opportunities=IDLE)
    contacts, exclusions, _ = run(bank, bank_rules, carry_over=deferred)
    assert reasons_of(contacts, "C1") == ["carried_over", "idle_balance"]
    assert "carry_over_expired" not in set(exclusions["reason_code"])
    # and the run's lookback reaches that plan across the holiday
    from customer_plans.workdays import BankCalendar

    calendar = BankCalendar.from_rules(bank_rules)
    lookback = bank_rules.assignment.previous_plan_lookback_days
    assert calendar.working_days_back(after, lookback) <= before
    assert calendar.working_days_between(before, after) == 1
