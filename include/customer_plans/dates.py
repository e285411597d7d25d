"""The business date of a run, derived once and explicitly.

The nightly run starts after midnight in the bank's time zone and plans from the
business date the core system closed the evening before. A scheduled run knows
its logical date; an Airflow 3 manual run may have none, and then the
``business_date`` parameter or the moment the run was due (``run_after``) decides.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class BusinessDateError(ValueError):
    """The requested business date cannot be used."""


def resolve_business_date(
    requested: str | None,
    logical_date: datetime | None,
    run_after: datetime,
    timezone: str,
) -> date:
    """The business date a run plans from.

    ``requested`` (the run's ``business_date`` parameter, ISO ``YYYY-MM-DD``) wins;
    otherwise the day before the run's logical date (or, for a manual run without
    one, its ``run_after``) in the bank's time zone.
    """
    if requested:
        try:
            return date.fromisoformat(str(requested).strip())
        except ValueError:
            raise BusinessDateError(
                f"business_date parameter {requested!r} is not a date like 2026-11-20"
            ) from None
    moment = logical_date or run_after
    if moment.tzinfo is None:
        raise BusinessDateError("the run's date has no time zone; cannot tell the business date")
    return moment.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def eod_deadline(business_date: date, deadline: time, timezone: str) -> datetime:
    """When the core system must have closed ``business_date``: ``deadline`` on the next day."""
    return datetime.combine(business_date + timedelta(days=1), deadline, ZoneInfo(timezone))


def parse_clock(text: str) -> time:
    """``"05:30"`` -> ``time(5, 30)``, with a clear error."""
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise BusinessDateError(f"{text!r} is not a time of day like 05:30") from None
