"""The business date a run plans from: scheduled, manual with and without a parameter."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from customer_plans.dates import BusinessDateError, eod_deadline, parse_clock, resolve_business_date

SHANGHAI = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("requested", "logical", "run_after", "expected"),
    [
        # scheduled 01:30 Shanghai on 21 Nov (17:30 UTC on the 20th) plans from the 20th
        (None, datetime(2026, 11, 20, 17, 30, tzinfo=UTC), None, date(2026, 11, 20)),
        # a manual run with no logical date falls back to run_after
        (None, None, datetime(2026, 11, 22, 2, 0, tzinfo=ZoneInfo(SHANGHAI)), date(2026, 11, 21)),
        # 23:59 UTC is already the next day in Shanghai
        (None, datetime(2026, 11, 20, 23, 59, tzinfo=UTC), None, date(2026, 11, 20)),
        # the parameter wins over both
        ("2026-10-31", datetime(2026, 11, 20, 17, 30, tzinfo=UTC), None, date(2026, 10, 31)),
        (" 2026-10-31 ", None, datetime(2026, 11, 22, tzinfo=UTC), date(2026, 10, 31)),
        ("", None, datetime(2026, 11, 22, 2, 0, tzinfo=ZoneInfo(SHANGHAI)), date(2026, 11, 21)),
    ],
)
def test_business_date(requested, logical, run_after, expected):
    run_after = run_after or logical
    assert resolve_business_date(requested, logical, run_after, SHANGHAI) == expected


def test_bad_parameter_says_what_is_expected():
    with pytest.raises(BusinessDateError, match="'20/11/2026' is not a date like 2026-11-20"):
        resolve_business_date("20/11/2026", None, datetime.now(UTC), SHANGHAI)


def test_naive_run_date_is_refused():
    with pytest.raises(BusinessDateError, match="no time zone"):
        resolve_business_date(None, datetime(2026, 11, 21, 1, 30), datetime(2026, 11, 21), SHANGHAI)


def test_eod_deadline_is_next_morning_in_bank_time():
    deadline = eod_deadline(date(2026, 11, 20), parse_clock("05:30"), SHANGHAI)
    assert deadline == datetime(2026, 11, 21, 5, 30, tzinfo=ZoneInfo(SHANGHAI))
    assert parse_clock("05:30") == time(5, 30)
    with pytest.raises(BusinessDateError):
        parse_clock("half past five")
