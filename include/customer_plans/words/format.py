"""Amounts, percentages, numbers and dates in a reader's language: the one formatting module.

Babel does the work (CLDR patterns of the language's ``babel_locale``); the language's
entry in ``languages.yaml`` says how amounts read:
- ``code``: the ISO code, then whole units ("CNY 305,000", "HKD 305,000"): the code, not
  a symbol, since "$" is several currencies and the code is what a banker reads;
- ``myriad``: 万 and 亿 as Chinese readers count money ("30.5万元", "1.2亿港元"); the words
  万, 亿 and the unit (元 for CNY) are the catalogue's, so Traditional Chinese reads 萬, 億.
A missing value prints as an em dash, never as "nan" or "None".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import NumberPattern, get_currency_name, parse_pattern
from babel.numbers import format_currency as babel_format_currency
from babel.numbers import format_decimal as babel_format_decimal

from customer_plans.words.languages import Language

MISSING = "—"
WAN = 10_000
YI = 100_000_000
MONEY_PATTERN_CODE = "¤¤ #,##0"


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@functools.cache
def _pattern(pattern: str) -> NumberPattern:
    # parsed once: Babel parses a pattern string on every call, several hundred times a plan
    return parse_pattern(pattern)


def decimal(number: float, pattern: str, locale: Locale) -> str:
    return babel_format_decimal(number, format=_pattern(pattern), locale=locale)


def number(value: Any, language: Language, decimals: int = 0) -> str:
    """``12345`` -> ``"12,345"``."""
    if is_missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return decimal(float(value), pattern, language.babel_locale)


def currency_name(currency: str, language: Language) -> str:
    """The currency's name in the language, from CLDR (``港元``, ``美元``)."""
    return get_currency_name(currency, locale=language.babel_locale)


def money(value: Any, language: Language, currency: str,
          words: Callable[[str, str], str | None]) -> str:
    """An amount in ``currency``; ``words(context, id)`` gives the catalogue's myriad words
    (``amount unit``: 万, 亿, and the unit for a currency code, else CLDR's name)."""
    if is_missing(value):
        return MISSING
    amount = float(value)
    if not math.isfinite(amount):
        return MISSING
    loc = language.babel_locale
    if language.amounts == "code":
        return babel_format_currency(round(amount), currency, format=_pattern(MONEY_PATTERN_CODE),
                                     locale=loc, currency_digits=False)
    unit = words("amount unit", currency) or currency_name(currency, language)
    magnitude = abs(amount)
    if magnitude >= YI:
        return decimal(amount / YI, "#,##0.##", loc) + (words("amount unit", "yi") or "亿") + unit
    if magnitude >= WAN:
        return decimal(amount / WAN, "#,##0.#", loc) + (words("amount unit", "wan") or "万") \
            + unit
    return decimal(round(amount), "#,##0", loc) + unit


def signed_percent(value: Any, language: Language, decimals: int = 1) -> str:
    """A change already in percent units: ``-32.04`` -> ``"-32.0%"``, ``15`` -> ``"+15.0%"``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return MISSING
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    return decimal(float(value), f"+{body};-{body}", language.babel_locale) + "%"


def percent(value: Any, language: Language, decimals: int = 2) -> str:
    """A value already in percent units, unsigned, trailing zeros dropped: ``1.75%``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return MISSING
    body = "#,##0" + ("." + "#" * decimals if decimals else "")
    return decimal(float(value), body, language.babel_locale) + "%"


def rate(value: Any, language: Language) -> str:
    """A share between 0 and 1: ``0.823`` -> ``"82%"``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return MISSING
    return decimal(float(value) * 100, "#,##0", language.babel_locale) + "%"


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


def day(value: Any, language: Language, style: str = "medium") -> str:
    """``date(2026, 11, 21)`` -> ``"21 Nov 2026"`` / ``"2026年11月21日"``; ``style`` is ``long``
    (with the weekday), ``medium`` or ``short`` (no year)."""
    when = to_date(value)
    if when is None:
        return MISSING
    return babel_format_date(when, format=language.dates[style], locale=language.babel_locale)
