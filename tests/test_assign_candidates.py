"""Why a customer is on today's list: each contact reason at its boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml
from customer_plans.assign.inputs import AssignmentError
from customer_plans.rules import load_rules
from customer_plans.settings import DEFAULT_RULES_PATH
from customer_plans.words import words_in
from customer_plans.workdays import BankCalendar

from tests.assign_cases import (
    WEEKDAY_DATE,
    Bank,
    one,
    reasons_of,
    run,
    said,
    spoken,
    stored_reasons,
)


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


def test_maturity_reason_stores_the_deposit_facts_and_reads_them_in_each_language(rules):
    bank = Bank().manager("M1").customer("C1").maturity("C1", 3, amount=300_000, rate=1.75)
    contact = one(run(bank, rules)[0], "C1")
    reason = stored_reasons(contact)[0]
    assert reason == {"code": "maturity_upcoming", "level": 2, "facts": {
        "account_id": "A-C1-0", "product_kind": "time_deposit", "amount_cny": 300000,
        "maturity_date": "2026-11-23", "days_to_maturity": 3, "rate_pct": 1.75,
    }}
    assert "time deposit of CNY 300,000 matures on 23 Nov 2026; rate 1.75%" in said(
        contact, rules, "en")
    assert "您的定期存款30万元将于2026年11月23日到期，利率1.75%" in said(contact, rules, "zh_CN")
    # the account is shown masked beside the line, with the days to maturity; never in full
    (words,) = spoken(contact, rules, "en")
    assert "A-C1-0" not in words.know + words.say + str(words.shown)
    assert words.shown == (("account", "****"), ("days to maturity", "3"))


def test_investment_maturity_never_quotes_a_rate(rules):
    bank = Bank().manager("M1").customer("C1").maturity("C1", 1, kind="wealth", rate=4.2)
    contact = one(run(bank, rules)[0], "C1")
    assert stored_reasons(contact)[0]["facts"]["rate_pct"] is None
    for language in ("en", "zh_CN"):
        for words in spoken(contact, rules, language):
            assert "4.2" not in words.know + words.say
    assert "理财产品30万元" in said(contact, rules, "zh_CN")


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
    signals = [{"code": "dormant", "days_since_customer_txn": 200, "weight": 20},
               {"code": "aum_decline", "trend_pct": -32.04, "weight": 30},
               {"code": "salary_stopped", "months": 2, "weight": 25}]
    bank = Bank().manager("M1").customer("C1", tier=tier, churn_level=churn, churn_score=70.0,
                                         signals=signals)
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ([expected] if expected else [])
    if expected:
        contact = one(contacts, "C1")
        assert contact["priority_level"] == level
        # the two heaviest signals are kept for the manager, as the segment stored them
        # without their words, not the whole list
        reason = stored_reasons(contact)[0]
        assert reason["facts"] == {
            "tier_code": tier, "churn_score": 70, "churn_level": churn, "signals": [
                {"code": "aum_decline", "trend_pct": -32.04, "weight": 30},
                {"code": "salary_stopped", "months": 2, "weight": 25}]}
        # which the manager's line cites, the heaviest first
        (english,) = spoken(contact, rules, "en")
        assert "-32%" in english.know and "200" not in english.know
        # and what to say to the customer never cites what the monitoring saw
        for language in ("en", "zh_CN"):
            text = said(contact, rules, language)
            assert "32" not in text and "salary" not in text and "代发" not in text
        assert contact["channel"] == ("visit" if expected == "retention_top_tier" else "phone")


@pytest.mark.parametrize(("change", "expected"), [("up", "tier_upgrade"),
                                                  ("down", "tier_downgrade"),
                                                  ("same", None), ("new", None)])
def test_tier_change_congratulates_or_protects(rules, change, expected):
    bank = Bank().manager("M1").customer("C1", tier="platinum", previous_tier_code="gold",
                                         tier_change=change)
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ([expected] if expected else [])
    if expected:
        assert stored_reasons(one(contacts, "C1"))[0]["facts"] == {"from_tier": "gold",
                                                                   "to_tier": "platinum"}
    if expected == "tier_upgrade":
        assert "becoming a Platinum customer" in said(one(contacts, "C1"), rules, "en")


def test_opportunities_from_segments_become_reasons(rules):
    bank = Bank().manager("M1")
    bank.customer("C1", opportunities=[{"code": "idle_balance", "amount_cny": 180000}])
    bank.customer("C2", opportunities=[{"code": "new_customer_follow_up", "day": 30}])
    bank.customer("C3", opportunities=[{"code": "post_sale_follow_up", "days": 14,
                                        "date": "2026-11-06"}])
    bank.customer("C4", opportunities=[{"code": "cadence_overdue", "days_since_contact": 75,
                                        "cadence_days": 60, "last_reached_date": "2026-09-06"}])
    bank.customer("C5", tier="private", opportunities=[
        {"code": "cadence_overdue", "days_since_contact": None, "cadence_days": 10,
         "last_reached_date": None}])
    bank.customer("C6", opportunities=[{"code": "birthday", "date": "2026-11-22"},
                                       {"code": "maturity", "account_id": "X"}])
    contacts, _, _ = run(bank, rules)
    assert reasons_of(contacts, "C1") == ["idle_balance"]
    assert stored_reasons(one(contacts, "C1"))[0]["facts"] == {"amount_cny": 180000}
    assert "CNY 180,000" in said(one(contacts, "C1"), rules, "en")
    assert "18万元" in said(one(contacts, "C1"), rules, "zh_CN")
    assert reasons_of(contacts, "C2") == ["new_customer_follow_up"]
    assert stored_reasons(one(contacts, "C2"))[0]["facts"] == {"day": 30}
    assert "day 30" in said(one(contacts, "C2"), rules, "en")
    assert reasons_of(contacts, "C3") == ["post_sale_follow_up"]
    assert stored_reasons(one(contacts, "C3"))[0]["facts"] == {"purchase_date": "2026-11-06",
                                                               "days": 14}
    assert reasons_of(contacts, "C4") == ["cadence_overdue"]
    assert stored_reasons(one(contacts, "C4"))[0]["facts"] == {
        "tier_code": "gold", "cadence_days": 60, "last_reached_date": "2026-09-06",
        "days_since_contact": 75}
    (cadence,) = spoken(one(contacts, "C4"), rules, "en")
    last = words_in("en").date(date(2026, 9, 6), "medium")  # CLDR's "6 Sept 2026"
    assert cadence.know == f"Last reached contact: {last}; Gold customers every 60 days"
    assert cadence.shown == (("days since reached", "75"),)
    assert reasons_of(contacts, "C5") == ["cadence_overdue_top_tier"]
    (never,) = spoken(one(contacts, "C5"), rules, "en")
    assert "no reached contact on record" in never.know and never.shown == ()
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
    assert stored_reasons(one(contacts, "C1"))[0]["facts"] == {
        "complaint_id": "C-C1-0", "category": "fees", "opened_date": "2026-11-15"}
    (recovery,) = spoken(one(contacts, "C1"), rules, "en")
    assert recovery.know == "Open complaint about fees since 15 Nov 2026"
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
    assert stored_reasons(contact)[0]["facts"] == {"birthday": "2026-11-18",
                                                   "greeting_ahead": False}
    assert "birthday wishes for 18 Nov 2026." in said(contact, rules, "en")


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
    assert stored_reasons(one(contacts, "SUN"))[0]["facts"] == {"birthday": "2026-11-22",
                                                                "greeting_ahead": True}
    assert "sent ahead" in said(one(contacts, "SUN"), rules, "en")
    assert "提前" in said(one(contacts, "SUN"), rules, "zh_CN")
    assert "sent ahead" not in said(one(contacts, "FRI"), rules, "en")
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
    assert "28 Feb 2027" in said(one(contacts, "LEAP"), rules, "en")
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
    # one holiday, as the shipped ones are written, moved to the date under test
    raw["assignment"]["holidays"] = [{**raw["assignment"]["holidays"][0], "date": holiday,
                                      "code": "mid_autumn"}]
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
    assert stored_reasons(contact)[0]["facts"] == {
        "holiday": "mid_autumn", "holiday_date": "2026-11-30", "greeting_ahead": True}
    assert "Mid-Autumn Festival greetings (30 Nov 2026) (sent ahead" in said(contact, rules, "en")
    assert "中秋节" in said(contact, rules, "zh_CN")
    # the next plan (Sunday 29 Nov's run, worked Monday) has no greeting
    later = Bank(business_date=date(2026, 11, 29)).manager("M1").customer("GOLD")
    assert run(later, rules)[0].empty


def test_holiday_greeting_on_a_working_day_is_not_moved(tmp_path):
    rules = _rules_with_holiday(tmp_path, date(2026, 11, 27), 2)  # greet Wed 25 Nov
    bank = Bank(business_date=date(2026, 11, 24)).manager("M1").customer("GOLD")
    contact = one(run(bank, rules)[0], "GOLD")
    assert stored_reasons(contact)[0]["facts"]["greeting_ahead"] is False
    assert "sent ahead" not in said(contact, rules, "en")


def test_what_to_say_never_cites_monitored_transfers_scores_or_risk(rules):
    transfer = {"amount_cny": 3050616, "code": "transfers_out", "share_of_aum": 0.61,
                "weight": 40}
    bank = Bank().manager("M1")
    bank.customer("TOP", tier="private", churn_level="high", churn_score=88.0,
                  signals=[transfer])
    bank.customer("MID", tier="gold", churn_level="high", churn_score=77.0, signals=[transfer])
    contacts, _, _ = run(bank, rules)
    for customer_id in ("TOP", "MID"):
        contact = one(contacts, customer_id)
        # the manager's line has the transfer (the segment's own signal, kept whole)
        assert stored_reasons(contact)[0]["facts"]["signals"] == [transfer]
        (english,) = spoken(contact, rules, "en")
        assert "3,050,616" in english.know
        for language in ("en", "zh_CN"):
            text = said(contact, rules, language)
            for internal in ("3,050,616", "305", "转出", "transferred", "88", "77", "risk",
                             "风险"):
                assert internal not in text, (customer_id, internal, text)


def test_the_words_of_an_earlier_release_are_not_kept_with_a_signal(rules):
    signal = {"code": "dormant", "text_en": "no transaction for 200 days",
              "text_zh": "已200天无主动交易", "days_since_customer_txn": 200, "weight": 10}
    bank = Bank().manager("M1").customer("C1", churn_level="high", churn_score=60.0,
                                         signals=[signal])
    facts = stored_reasons(one(run(bank, rules)[0], "C1"))[0]["facts"]
    assert facts["signals"] == [{"code": "dormant", "days_since_customer_txn": 200,
                                 "weight": 10}]


def test_each_quoted_signal_keeps_its_own_facts(rules):
    # signals of different kinds hold different keys: none borrows another's
    signals = [{"code": "product_not_renewed", "count": 1, "date": "2026-11-01",
                "matured": True, "product_kind": "time_deposit", "weight": 25},
               {"amount_cny": 449459.73, "code": "transfers_out", "share_of_aum": 0.3825,
                "weight": 20},
               {"code": "aum_decline", "trend_pct": -48.01, "weight": 30}]
    bank = Bank().manager("M1").customer("C1", churn_level="high", churn_score=65.0,
                                         signals=signals)
    facts = stored_reasons(one(run(bank, rules)[0], "C1"))[0]["facts"]
    assert facts["signals"] == [signals[2], signals[0]]


def test_a_signal_list_that_is_not_json_names_the_column(rules):
    bank = Bank().manager("M1").customer("C1", churn_level="high", churn_score=60.0)
    bank.segments[0]["churn_signals"] = "[{not json"
    with pytest.raises(AssignmentError, match="segments.churn_signals"):
        run(bank, rules)
