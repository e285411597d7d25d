"""The history window's calendar: window indices to dates, days of the month, eod_status.

Day arithmetic uses *window indices*: ``0`` is the first day of the history window and
``last = history_days - 1`` is the business date B; negative indices are before the
window, and ``NO_DAY`` stands for "no such day" in integer day arrays. This module turns
indices into ISO dates and days of the month, tabulates a day of the month in every month
touching the window (paydays, statement and repayment days) and makes the ``eod_status``
rows (one closed business date per day of the window).
"""

from __future__ import annotations

import numpy as np

NO_DAY = -(10**6)  # "no such day" in integer day arrays


def iso_dates(as_of: np.datetime64, last: int, idx: np.ndarray) -> np.ndarray:
    """ISO date strings (object array) for window indices; ``None`` for NO_DAY."""
    idx = np.asarray(idx, dtype=np.int64)
    valid = idx > NO_DAY // 2
    days = as_of + (np.where(valid, idx, last) - last).astype("timedelta64[D]")
    out = np.datetime_as_string(days, unit="D").astype(object)
    out[~valid] = None
    return out


def day_of_month(as_of: np.datetime64, last: int, idx: np.ndarray) -> np.ndarray:
    days = as_of + (np.asarray(idx, dtype=np.int64) - last).astype("timedelta64[D]")
    return (days - days.astype("datetime64[M]")).astype(np.int64) + 1


def month_day_table(as_of: np.datetime64, history_days: int, shift_weekend: bool) -> np.ndarray:
    """Window indices of day-of-month ``d`` (rows 1..28) in every month touching the window.

    Includes the month before the window, so that a salary paid just before the window
    explains the first days' balances. ``shift_weekend`` moves a Saturday or Sunday to the
    Friday before (banks pay salaries on working days).
    """
    start = as_of - np.timedelta64(history_days - 1, "D")
    first_month = start.astype("datetime64[M]") - np.timedelta64(1, "M")
    last_month = as_of.astype("datetime64[M]")
    months = np.arange(first_month, last_month + np.timedelta64(1, "M"))
    table = np.full((29, months.shape[0]), NO_DAY, dtype=np.int64)
    for dom in range(1, 29):
        days = months.astype("datetime64[D]") + np.timedelta64(dom - 1, "D")
        if shift_weekend:
            weekday = (days.astype(np.int64) + 3) % 7  # Monday = 0
            days = days - np.maximum(weekday - 4, 0).astype("timedelta64[D]")
        idx = (days - start).astype(np.int64)
        table[dom] = np.where(idx <= history_days - 1, idx, NO_DAY)
    return table


def eod_status_rows(as_of: np.datetime64, history_days: int, jitter: np.ndarray,
                    close_as_of: bool) -> list[tuple[str, str]]:
    """One closed business date per day of the history window (optionally not B).

    Each day was closed at 01:30 the next morning plus ``jitter[i]`` seconds (one value per
    day of the window).
    """
    last = history_days - 1
    n = history_days if close_as_of else history_days - 1
    idx = np.arange(n)
    day = as_of + (idx - last).astype("timedelta64[D]")
    closed = (day + np.timedelta64(1, "D")).astype("datetime64[s]") + (
        np.timedelta64(5400, "s") + jitter[:n].astype("timedelta64[s]"))
    closed_str = np.char.replace(np.datetime_as_string(closed, unit="s"), "T", " ")
    return list(zip(np.datetime_as_string(day, unit="D").tolist(), closed_str.tolist(),
                    strict=True))
