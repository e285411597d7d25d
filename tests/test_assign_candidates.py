"""Why a customer is on today's list: each contact reason at its boundaries."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import yaml
from customer_plans.assign.inputs import AssignmentError
from customer_plans.rules import load_rules
from customer_plans.settings import DEFAULT_RULES_PATH
from customer_plans.workdays import BankCalendar

from tests.assign_cases import WEEKDAY_DATE, Bank, one, reasons_of, run


@pytest.fixture(scope="module")
def rules(every_day_rules):
    # these cases date plans the day after their business date, weekends included
    return every_day_rules


@pytest.mark.parametrize(
    ("days", "expected"),
    [(8, None), (7, "maturity_upcoming"), (6, None), (4, None), (3, "maturity_upcoming"),
     (2, None), (1, "maturity_due"), (0, "maturity_due"), (-1, None)],
)
def test_maturity_is_listed_only_on_the_ladder_days(rules, days, expected):
    bank = Bank().manager("M1").customer("C1").maturity("C1", days)
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ([expected] if expected else [])
    if expected:
        level = one(contacts, "C1")["priority_level"]
        assert level == (1 if expected == "maturity_due" else 2)


def test_maturity_talking_point_quotes_the_deposit_facts_in_both_languages(rules):
    bank = Bank().manager("M1").customer("C1").maturity("C1", 3, amount=300_000, rate=1.75)
    contact = one(run(bank, rules)[0], "C1")
    assert "time deposit of CNY 300,000 matures on 23 Nov; rate 1.75%" in contact[
        "talking_points_en"]
    assert "您的定期存款30万元将于11月23日到期，利率1.75%" in contact["talking_points_zh"]
    reason = json.loads(contact["reasons"])[0]
    assert reason["facts"] == {
        "account_id": "A-C1-0", "product_kind": "time_deposit", "amount_cny": 300000,
        "maturity_date": "2026-11-23", "rate_pct": 1.75, "days_to_maturity": 3,
    }


def test_investment_maturity_never_quotes_a_rate(rules):
    bank = Bank().manager("M1").customer("C1").maturity("C1", 1, kind="wealth", rate=4.2)
    contact = one(run(bank, rules)[0], "C1")
    assert "4.2" not in contact["talking_points_en"] + contact["talking_points_zh"]
    assert "理财产品30万元" in contact["talking_points_zh"]


def test_a_closed_account_is_no_maturity_reason(rules):
    bank = Bank().manager("M1").customer("C1").maturity("C1", 3)
    bank.accounts[0]["closed_date"] = bank.business_date - timedelta(days=1)
    assert reasons_of(run(bank, rules)[0], "C1") == []


@pytest.mark.parametrize(
    ("tier", "churn", "expected", "level"),
    [("diamond", "high", "retention_top_tier", 1), ("diamond", "medium", "retention", 2),
     ("gold", "high", "retention", 2), ("gold", "medium", "retention", 2),
     ("gold", "low", None, None), ("private", "low", None, None)],
)
def test_retention_by_tier_and_churn_level(rules, tier, churn, expected, level):
    signals = [{"code": "dormant", "value": 1, "weight": 20, "text_en": "dormant",
                "text_zh": "休眠"},
               {"code": "aum_decline", "value": -32, "weight": 30,
                "text_en": "AUM down 32% in 90 days", "text_zh": "近90天资产下降32%"},
               {"code": "salary_stopped", "value": 2, "weight": 25, "text_en": "salary stopped",
                "text_zh": "代发工资停止"}]
    bank = Bank().manager("M1").customer("C1", tier=tier, churn_level=churn, churn_score=70.0,
                                         signals=signals)
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ([expected] if expected else [])
    if expected:
        contact = one(contacts, "C1")
        assert contact["priority_level"] == level
        # the two heaviest signals are stated for the manager, not the whole list
        reason = json.loads(contact["reasons"])[0]
        assert "AUM down 32% in 90 days; salary stopped" in reason["text_en"]
        assert "dormant" not in reason["text_en"]
        # and what to say to the customer never cites what the monitoring saw
        for said in (contact["talking_points_en"], contact["talking_points_zh"]):
            assert "32%" not in said and "salary" not in said and "代发" not in said
        assert contact["channel"] == ("visit" if expected == "retention_top_tier" else "phone")


@pytest.mark.parametrize(("change", "expected"), [("up", "tier_upgrade"),
                                                  ("down", "tier_downgrade"),
                                                  ("same", None), ("new", None)])
def test_tier_change_congratulates_or_protects(rules, change, expected):
    bank = Bank().manager("M1").customer("C1", tier="platinum", previous_tier_code="gold",
                                         tier_change=change)
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ([expected] if expected else [])
    if expected == "tier_upgrade":
        assert "becoming a Platinum customer" in one(contacts, "C1")["talking_points_en"]


def test_opportunities_from_segments_become_reasons(rules):
    bank = Bank().manager("M1")
    bank.customer("C1", opportunities=[{"code": "idle_balance", "amount_cny": 180000}])
    bank.customer("C2", opportunities=[{"code": "new_customer_follow_up", "day": 30}])
    bank.customer("C3", opportunities=[{"code": "post_sale_follow_up", "days": 14,
                                        "date": "2026-11-06"}])
    bank.customer("C4", opportunities=[{"code": "cadence_overdue", "days_since_contact": 75,
                                        "cadence_days": 60}])
    bank.customer("C5", tier="private", opportunities=[
        {"code": "cadence_overdue", "days_since_contact": None, "cadence_days": 10}])
    bank.customer("C6", opportunities=[{"code": "birthday", "date": "2026-11-22"},
                                       {"code": "maturity", "account_id": "X"}])
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ["idle_balance"]
    assert "CNY 180,000" in one(contacts, "C1")["talking_points_en"]
    assert "18万元" in one(contacts, "C1")["talking_points_zh"]
    assert reasons_of(contacts, "C2") == ["new_customer_follow_up"]
    assert "day 30" in one(contacts, "C2")["talking_points_en"]
    assert reasons_of(contacts, "C3") == ["post_sale_follow_up"]
    assert reasons_of(contacts, "C4") == ["cadence_overdue"]
    assert "75 days ago" in json.loads(one(contacts, "C4")["reasons"])[0]["text_en"]
    assert reasons_of(contacts, "C5") == ["cadence_overdue_top_tier"]
    assert one(contacts, "C5")["priority_level"] == 2
    assert one(contacts, "C5")["channel"] == "visit"
    # birthdays and maturities are timed by assignment from staging, not from segments
    assert reasons_of(contacts, "C6") == []


def test_service_recovery_for_an_open_complaint_only(rules):
    bank = Bank().manager("M1").customer("C1").customer("C2")
    bank.complaint("C1")
    bank.complaint("C2", closed=bank.business_date - timedelta(days=1))
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ["service_recovery"]
    assert one(contacts, "C1")["channel"] == "phone"
    assert reasons_of(contacts, "C2") == []


# ------------------------------------------------------------------ greetings


def test_working_day_helpers():
    calendar = BankCalendar((5, 6), country=None)
    friday, saturday, sunday = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
    assert calendar.on_or_before(sunday) == friday
    assert calendar.on_or_before(saturday) == friday
    assert calendar.on_or_before(friday) == friday
    assert calendar.days_served(friday) == [friday, saturday, sunday]
    assert calendar.days_served(date(2026, 11, 18)) == [date(2026, 11, 18)]


def test_birthday_is_greeted_on_the_day_the_plan_is_worked(rules):
    # business date Tue 17 Nov -> plan worked Wed 18 Nov
    bank = Bank(business_date=WEEKDAY_DATE).manager("M1")
    bank.customer("C1", birth_date=date(1975, 11, 18))
    bank.customer("C2", birth_date=date(1975, 11, 17))
    bank.customer("C3", birth_date=date(1975, 11, 19))
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ["birthday"]
    assert reasons_of(contacts, "C2") == []
    assert reasons_of(contacts, "C3") == []
    contact = one(contacts, "C1")
    assert contact["channel"] == "sms"  # 'message' with a phone-preferring customer
    assert "birthday wishes for 18 Nov." in contact["talking_points_en"]


def test_weekend_birthdays_are_greeted_on_the_friday_before(bank_rules):
    rules = bank_rules  # the bank's calendar: weekends off
    # business date Thu 19 Nov -> plan worked Fri 20 Nov: Friday, Saturday and Sunday birthdays
    bank = Bank(business_date=date(2026, 11, 19)).manager("M1")
    bank.customer("FRI", birth_date=date(1990, 11, 20))
    bank.customer("SAT", birth_date=date(1990, 11, 21), preferred="wechat")
    bank.customer("SUN", birth_date=date(1990, 11, 22))
    bank.customer("MON", birth_date=date(1990, 11, 23))
    contacts, _, _ = run(bank, rules)
    assert [c for c in ("FRI", "SAT", "SUN", "MON") if reasons_of(contacts, c)] == [
        "FRI", "SAT", "SUN"]
    assert one(contacts, "SAT")["channel"] == "wechat"
    assert "sent ahead" in one(contacts, "SUN")["talking_points_en"]
    assert "提前" in one(contacts, "SUN")["talking_points_zh"]
    assert "sent ahead" not in one(contacts, "FRI")["talking_points_en"]
    # and the Friday business date serves no plan date at all: no one is planned twice
    saturday = Bank(business_date=date(2026, 11, 20)).manager("M1").customer(
        "SAT", birth_date=date(1990, 11, 21))
    with pytest.raises(AssignmentError, match="2026-11-21 is not a working day"):
        run(saturday, rules)


def test_a_weekend_maturity_is_called_on_the_friday_before(bank_rules):
    # business date Thu 19 Nov, plan worked Fri 20 Nov: a deposit maturing on Sunday 22 Nov
    # is due now (no plan is worked on the weekend), one maturing on Wednesday 25 is not
    bank = Bank(business_date=date(2026, 11, 19)).manager("M1")
    bank.customer("SUN").maturity("SUN", 3).customer("WED").maturity("WED", 6)
    contacts = run(bank, bank_rules)[0]
    assert reasons_of(contacts, "SUN") == ["maturity_due"]
    assert reasons_of(contacts, "WED") == []
    # with every day worked, Friday's plan sees it three days ahead only: not yet due
    assert reasons_of(run(bank, bank_rules.model_copy(update={
        "assignment": bank_rules.assignment.model_copy(
            update={"non_working_weekdays": [], "holiday_calendar": None})}))[0], "SUN") == [
        "maturity_upcoming"]


def test_29_february_birthdays_are_greeted_on_28_february_in_common_years(bank_rules):
    rules = bank_rules  # the bank's calendar: weekends off
    # 28 Feb 2027 is a Sunday: greeted on Friday 26 Feb (business date Thu 25 Feb)
    bank = Bank(business_date=date(2027, 2, 25)).manager("M1")
    bank.customer("LEAP", birth_date=date(1988, 2, 29))
    contacts = run(bank, rules)[0]
    assert reasons_of(contacts, "LEAP") == ["birthday"]
    assert "28 Feb" in one(contacts, "LEAP")["talking_points_en"]
    bank = Bank(business_date=date(2027, 2, 24)).manager("M1")  # worked Thu 25 Feb
    bank.customer("LEAP", birth_date=date(1988, 2, 29))
    assert reasons_of(run(bank, rules)[0], "LEAP") == []
    # 2028 is a leap year: the 29th (a Tuesday) is its own day
    bank = Bank(business_date=date(2028, 2, 27)).manager("M1")  # worked Mon 28 Feb
    bank.customer("LEAP", birth_date=date(1988, 2, 29))
    assert reasons_of(run(bank, rules)[0], "LEAP") == []
    bank = Bank(business_date=date(2028, 2, 28)).manager("M1")  # worked Tue 29 Feb
    bank.customer("LEAP", birth_date=date(1988, 2, 29))
    assert reasons_of(run(bank, rules)[0], "LEAP") == ["birthday"]


def test_29_february_birthday_on_a_weekday_28_february(bank_rules):
    rules = bank_rules  # the bank's calendar: weekends off
    # 28 Feb 2030 is a Thursday in a common year: business date Wed 27 Feb
    bank = Bank(business_date=date(2030, 2, 27)).manager("M1")
    bank.customer("LEAP", birth_date=date(1988, 2, 29))
    assert reasons_of(run(bank, rules)[0], "LEAP") == ["birthday"]


def _rules_with_holiday(tmp_path, holiday: date, days_before: int):
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    raw["assignment"]["holidays"] = [{"date": holiday, "code": "mid_autumn",
                                      "name_zh": "中秋节", "name_en": "Mid-Autumn Festival"}]
    raw["assignment"]["holiday_greeting_days_before"] = days_before
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_rules(path)


def test_holiday_greeting_goes_to_the_configured_tiers_on_its_day(tmp_path):
    # holiday Mon 30 Nov, greet 2 days before = Sat 28 Nov -> moved to Fri 27 Nov,
    # i.e. the plan of business date Thu 26 Nov
    rules = _rules_with_holiday(tmp_path, date(2026, 11, 30), 2)
    bank = Bank(business_date=date(2026, 11, 26)).manager("M1")
    bank.customer("GOLD", tier="gold").customer("MASS", tier="mass")
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "GOLD") == ["holiday"]
    assert reasons_of(contacts, "MASS") == []
    contact = one(contacts, "GOLD")
    assert "Mid-Autumn Festival greetings (30 Nov) (sent ahead" in contact["talking_points_en"]
    assert "中秋节" in contact["talking_points_zh"]
    # the next plan (Sunday 29 Nov's run, worked Monday) has no greeting
    later = Bank(business_date=date(2026, 11, 29)).manager("M1").customer("GOLD")
    assert run(later, rules)[0].empty


def test_holiday_greeting_on_a_working_day_is_not_moved(tmp_path):
    rules = _rules_with_holiday(tmp_path, date(2026, 11, 27), 2)  # greet Wed 25 Nov
    bank = Bank(business_date=date(2026, 11, 24)).manager("M1").customer("GOLD")
    contact = one(run(bank, rules)[0], "GOLD")
    assert "sent ahead" not in contact["talking_points_en"]


def test_what_to_say_never_cites_monitored_transfers_scores_or_risk(rules):
    transfer = {"code": "transfers_out", "value": 3050616, "weight": 40,
                "text_en": "CNY 3,050,616 transferred to other banks in 30 days",
                "text_zh": "近30天转出他行3,050,616元"}
    bank = Bank().manager("M1")
    bank.customer("TOP", tier="private", churn_level="high", churn_score=88.0,
                  signals=[transfer])
    bank.customer("MID", tier="gold", churn_level="high", churn_score=77.0, signals=[transfer])
    contacts, _, _ = run(bank, rules)
    for customer_id in ("TOP", "MID"):
        contact = one(contacts, customer_id)
        reason = json.loads(contact["reasons"])[0]
        assert "3,050,616" in reason["text_en"] and "转出他行" in reason["text_zh"]
        for said in (contact["talking_points_en"], contact["talking_points_zh"]):
            for internal in ("3,050,616", "转出", "transferred", "88", "77", "risk", "风险"):
                assert internal not in said, (customer_id, internal, said)


def test_a_talking_point_citing_an_internal_fact_is_refused_at_load(tmp_path):
    from customer_plans.assign.talking_points import TalkingPointsError, load_talking_points
    from customer_plans.settings import DEFAULT_TALKING_POINTS_PATH

    raw = yaml.safe_load(DEFAULT_TALKING_POINTS_PATH.read_text(encoding="utf-8"))
    raw["reasons"]["retention"]["talk"]["zh"] = "我们注意到：{signals}。"
    path = tmp_path / "talking_points.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TalkingPointsError, match=r"retention\.talk\.zh uses \['signals'\]"):
        load_talking_points(path)
