"""The bank's working days (customer_plans.workdays): plans are for working days only, each
working day is planned by exactly one business date's run, whichever days the core closes."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
import yaml
from customer_plans.rules import RulesError, load_rules
from customer_plans.settings import PROJECT_ROOT
from customer_plans.workdays import BankCalendar

RULES = PROJECT_ROOT / "include" / "config" / "rules.yaml"


def calendar(**changes) -> BankCalendar:
    rules = load_rules(RULES)
    return BankCalendar.from_rules(rules.model_copy(update={
        "assignment": rules.assignment.model_copy(update=changes)}))


def year_of_days(start: date = date(2025, 12, 1), days: int = 430) -> list[date]:
    return [start + timedelta(days=i) for i in range(days)]


@pytest.mark.parametrize("core_closes", ["every_day", "working_days"])
def test_a_year_of_runs_plans_every_working_day_exactly_once_and_no_day_off(core_closes):
    cal = calendar(core_closes=core_closes)
    runs = year_of_days()
    if core_closes == "working_days":  # the core only closes working days
        runs = [day for day in runs if cal.is_working_day(day)]
    served = Counter(p for p in (cal.plan_date(day) for day in runs) if p is not None)
    assert all(cal.is_working_day(day) for day in served)
    covered = [day for day in year_of_days(date(2025, 12, 10), 400) if cal.is_working_day(day)]
    assert {day: served[day] for day in covered} == dict.fromkeys(covered, 1)
    for day in served:
        assert cal.plan_date(cal.serving_business_date(day)) == day


def test_chinas_holidays_and_make_up_days_come_from_the_calendar_library():
    cal = calendar()
    # National Day week 2026: 1-7 October off, Saturday 10 October a make-up working day
    assert [cal.is_working_day(date(2026, 10, d)) for d in range(1, 11)] == [
        False, False, False, False, False, False, False, True, True, True]
    # Spring Festival 2026 (17 February): the week off, Saturday 14 and 28 February worked
    assert not cal.is_working_day(date(2026, 2, 17))
    assert cal.is_working_day(date(2026, 2, 14)) and cal.is_working_day(date(2026, 2, 28))
    # Friday 18 Sept: the next working day is Sunday 20 Sept, a make-up day
    assert cal.next_working_day(date(2026, 9, 18)) == date(2026, 9, 20)
    assert cal.plan_date(date(2026, 9, 30)) is None  # 1 October: a holiday
    assert cal.plan_date(date(2026, 10, 7)) == date(2026, 10, 8)


def test_a_friday_plans_nothing_when_the_core_closes_every_day_and_monday_otherwise():
    thursday, friday, saturday, sunday = (date(2026, 11, d) for d in (19, 20, 21, 22))
    every_day = calendar(core_closes="every_day")
    assert [every_day.plan_date(d) for d in (thursday, friday, saturday, sunday)] == [
        friday, None, None, date(2026, 11, 23)]
    assert "2026-11-21 is not a working day" in every_day.no_plan_reason(friday)
    working_days = calendar(core_closes="working_days")
    assert working_days.plan_date(friday) == date(2026, 11, 23)
    assert working_days.plan_date(saturday) is None


def test_the_plan_before_days_off_serves_them():
    cal = calendar()
    assert cal.days_served(date(2026, 11, 20)) == [date(2026, 11, 20), date(2026, 11, 21),
                                                   date(2026, 11, 22)]
    assert cal.days_served(date(2026, 9, 30)) == [date(2026, 9, 30)] + [
        date(2026, 10, d) for d in range(1, 8)]


def test_the_banks_own_days_win_over_the_country_calendar():
    cal = calendar(bank_holidays=[date(2026, 11, 25)], bank_working_days=[date(2026, 10, 2)])
    assert not cal.is_working_day(date(2026, 11, 25))
    assert cal.is_working_day(date(2026, 10, 2))
    weekdays_only = calendar(holiday_calendar=None)
    assert weekdays_only.is_working_day(date(2026, 10, 1))
    assert not weekdays_only.is_working_day(date(2026, 10, 10))


def test_a_calendar_the_library_does_not_know_is_named(tmp_path):
    raw = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    raw["assignment"]["holiday_calendar"] = "XX"
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match="holiday_calendar 'XX'"):
        load_rules(path)
