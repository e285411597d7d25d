"""Formatting of numbers, money, percentages and dates for a reader's locale (Babel).

Chinese readers count money in 万 and 亿 ("30.5万元"), English readers read
"CNY 305,000"; amounts are in the rules file's ``currency`` (Babel names it: "30.5万港元",
"HKD 305,000"). A missing value prints as an em dash, never as "nan" or "None".
Each function takes the locale explicitly; ``environment.py`` binds them to the
template's locale.
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime
from typing import Any

import pandas as pd
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import NumberPattern, get_currency_name, parse_pattern
from babel.numbers import format_currency as babel_format_currency
from babel.numbers import format_decimal as babel_format_decimal

from customer_plans.render.messages import language_of
from customer_plans.rules import DEFAULT_CURRENCY

MISSING = "—"
WAN = 10_000
YI = 100_000_000

DATE_FORMATS = {
    "en": {"long": "EEE, d MMM y", "medium": "d MMM y", "short": "d MMM"},
    "zh": {"long": "y年M月d日 EEEE", "medium": "y年M月d日", "short": "M月d日"},
}


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def babel_locale(locale: str | None) -> Locale:
    """The Babel locale for a manager's ``locale`` (``zh_CN`` or ``en``)."""
    return _parsed_locale("zh_CN" if language_of(locale) == "zh" else "en")


@functools.cache
def _parsed_locale(identifier: str) -> Locale:
    # parsed once: Babel re-parses and re-normalizes a locale string on every call, which
    # was a tenth of a plan's render time
    return Locale.parse(identifier)


@functools.cache
def _number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


def format_decimal(number: float, format: str, locale: Locale) -> str:  # noqa: A002 - Babel's name
    """Babel's ``format_decimal`` with the pattern parsed once: Babel parses it on every call,
    at about 50 microseconds each, several hundred times per plan."""
    return babel_format_decimal(number, format=_number_pattern(format), locale=locale)


def format_number(value: Any, locale: str | None, decimals: int = 0) -> str:
    """``12345`` -> ``"12,345"``."""
    if is_missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(float(value), format=pattern, locale=babel_locale(locale))


# English amounts: the ISO code, then whole units ("HKD 305,000"). The code, not the symbol:
# "$" is several currencies, and the code is what a banker reads on a statement.
MONEY_PATTERN_EN = "¤¤ #,##0"


@functools.cache
def chinese_currency_unit(currency: str) -> str:
    """What follows a Chinese amount: ``元`` for CNY (as people write it: "30.5万元"),
    else the currency's name in Chinese from Babel (HKD ``港元``, USD ``美元``)."""
    if currency == "CNY":
        return "元"
    return get_currency_name(currency, locale=_parsed_locale("zh_CN"))


def format_money(value: Any, locale: str | None, currency: str = DEFAULT_CURRENCY) -> str:
    """An amount in ``currency`` (the rules file's): ``"30.5万元"`` / ``"30.5万港元"`` in
    Chinese (万 and 亿), ``"CNY 305,000"`` / ``"HKD 305,000"`` in English."""
    if is_missing(value):
        return MISSING
    amount = float(value)
    loc = babel_locale(locale)
    if language_of(locale) == "en":
        return babel_format_currency(round(amount), currency, format=_number_pattern(
            MONEY_PATTERN_EN), locale=loc, currency_digits=False)
    unit = chinese_currency_unit(currency)
    magnitude = abs(amount)
    if magnitude >= YI:
        return format_decimal(amount / YI, format="#,##0.##", locale=loc) + "亿" + unit
    if magnitude >= WAN:
        return format_decimal(amount / WAN, format="#,##0.#", locale=loc) + "万" + unit
    return format_decimal(round(amount), format="#,##0", locale=loc) + unit


def format_signed_percent(value: Any, locale: str | None) -> str:
    """A change already in percent units: ``-32.04`` -> ``"-32.0%"``, ``15`` -> ``"+15.0%"``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return MISSING
    text = format_decimal(
        float(value), format="+#,##0.0;-#,##0.0", locale=babel_locale(locale)
    )
    return f"{text}%"


def format_rate(value: Any, locale: str | None) -> str:
    """A share between 0 and 1: ``0.823`` -> ``"82%"``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return MISSING
    return format_decimal(float(value) * 100, format="#,##0", locale=babel_locale(locale)) + "%"


def to_date(value: Any) -> date | None:
    """A ``date`` from a date, datetime, Timestamp or ISO string; ``None`` when missing."""
    if is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return pd.Timestamp(value).date()


def format_date(value: Any, locale: str | None, style: str = "medium") -> str:
    """``date(2026, 11, 21)`` -> ``"21 Nov 2026"`` / ``"2026年11月21日"``.

    ``style`` is ``long`` (with the weekday), ``medium`` or ``short`` (no year).
    """
    day = to_date(value)
    if day is None:
        return MISSING
    pattern = DATE_FORMATS[language_of(locale)][style]
    return babel_format_date(day, format=pattern, locale=babel_locale(locale))
