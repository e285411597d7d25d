"""The bank's working days, and which business date's run plans which working day.

A day is a working day unless it is one of the rules' ``non_working_weekdays`` or a public
holiday of the bank's country, except the make-up working days the country announces
(China moves working days onto weekends around its long holidays). Public holidays and
make-up days come from the ``holidays`` library (which resolves China's lunar holidays and
the State Council's make-up days per year); the bank's own additions and exceptions are in
the rules (``bank_holidays``, ``bank_working_days``), and win.

Which run serves a working day is the rule ``core_closes``:

- ``every_day`` (the default: the core system closes every calendar day): the plan for a
  working day comes from the business date just before it (Sunday's for Monday); a run whose
  next day is not a working day (Friday's and Saturday's business dates) serves no plan date;
- ``working_days``: the core closes only on working days, so a working day's business date
  plans the next working day (Friday's serves Monday), and a business date that is not a
  working day serves none.

Either way each working day is served by exactly one business date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

# the longest run of days off considered (China's Spring Festival week plus weekends)
MAX_DAYS_OFF = 31


@dataclass(frozen=True)
class BankCalendar:
    non_working_weekdays: tuple[int, ...]  # Python weekday numbers, Monday = 0
    country: str | None = "CN"
    bank_holidays: frozenset[date] = field(default_factory=frozenset)
    bank_working_days: frozenset[date] = field(default_factory=frozenset)
    core_closes: str = "every_day"

    @classmethod
    def from_rules(cls, rules) -> BankCalendar:
        a = rules.assignment
        return cls(tuple(a.non_working_weekday_numbers), a.holiday_calendar,
                   frozenset(a.bank_holidays), frozenset(a.bank_working_days), a.core_closes)

    @cached_property
    def _country(self):
        if not self.country:
            return None
        import holidays

        return holidays.country_holidays(self.country)

    def holiday_name(self, day: date) -> str | None:
        """The public holiday ``day`` is, per the country's calendar (None when it is not)."""
        if self._country is None:
            return None
        return self._country.get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.bank_working_days:
            return True
        if day in self.bank_holidays:
            return False
        country = self._country
        if country is not None:
            if day in country:  # looks the year up on first use
                return False
            if day in country.weekend_workdays:
                return True
        return day.weekday() not in self.non_working_weekdays

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        for step in range(1, MAX_DAYS_OFF + 8):
            candidate = day + timedelta(days=step)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_DAYS_OFF} days after {day}")

    def on_or_before(self, day: date) -> date:
        """``day`` when it is a working day, else the closest working day before it."""
        for step in range(0, MAX_DAYS_OFF + 8):
            candidate = day - timedelta(days=step)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_DAYS_OFF} days before {day}")

    def days_served(self, plan_date: date) -> list[date]:
        """The plan date and the days off right after it: the days whose events (a birthday,
        a maturity) the plan of ``plan_date`` serves, since no plan is worked on them."""
        days = [plan_date]
        later = plan_date + timedelta(days=1)
        while not self.is_working_day(later) and len(days) <= MAX_DAYS_OFF:
            days.append(later)
            later += timedelta(days=1)
        return days

    def plan_date(self, business_date: date) -> date | None:
        """The working day the run of ``business_date`` plans, or None when it serves none."""
        if self.core_closes == "working_days":
            if not self.is_working_day(business_date):
                return None
            return self.next_working_day(business_date)
        following = business_date + timedelta(days=1)
        return following if self.is_working_day(following) else None

    def serving_business_date(self, plan_date: date) -> date:
        """The business date whose run plans ``plan_date`` (a working day)."""
        if self.core_closes == "working_days":
            return self.on_or_before(plan_date - timedelta(days=1))
        return plan_date - timedelta(days=1)

    def no_plan_reason(self, business_date: date) -> str:
        """Why the run of ``business_date`` serves no plan date, for logs and summaries."""
        following = business_date + timedelta(days=1)
        if self.core_closes == "working_days":
            return (f"{business_date} is not a working day and the core closes only on working "
                    f"days: no plan is served; {self.next_working_day(business_date)} is planned "
                    f"from {self.serving_business_date(self.next_working_day(business_date))}")
        nxt = self.next_working_day(business_date)
        return (f"{following} is not a working day: the run of {business_date} serves no plan "
                f"date; the next working day, {nxt}, is planned from the business date "
                f"{self.serving_business_date(nxt)}")

    def working_days_back(self, day: date, count: int) -> date:
        """The date ``count`` working days before ``day`` (a plan's lookback across holidays:
        after a week off, the last plan before it is still "the previous plan")."""
        found, candidate = 0, day
        for _ in range(count * 7 + MAX_DAYS_OFF):
            if found >= count:
                break
            candidate -= timedelta(days=1)
            found += self.is_working_day(candidate)
        return candidate

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days fall in ``(start, end]``: the plans worked since ``start``'s."""
        if end <= start:
            return 0
        return sum(self.is_working_day(start + timedelta(days=i))
                   for i in range(1, (end - start).days + 1))
