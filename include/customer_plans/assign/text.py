"""Display text and JSON for contact plans, built a column at a time with Arrow.

Every helper takes whole columns and returns an Arrow string array of the same length, so
the text for a hundred thousand contacts is a handful of array operations, never a Python
call per customer. JSON is compact, keys in a fixed order, UTF-8 (Chinese stays readable).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Piece = pa.Array | str

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def strings(values: pd.Series | np.ndarray | pa.Array | Sequence) -> pa.Array:
    """Any column of text as an Arrow string array (missing stays null)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values.cast(pa.string())
    if isinstance(values, pd.Series):
        if isinstance(values.dtype, pd.StringDtype):
            return pa.array(values, type=pa.string())
        values = values.to_numpy(dtype=object)
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)


def as_series(values: pa.Array) -> pd.Series:
    """An Arrow string array as a pandas ``str`` Series (kept in Arrow memory)."""
    return pd.Series(pd.array(values, dtype="str"))


def constant(text: str, length: int) -> pa.Array:
    return pa.repeat(pa.scalar(text, type=pa.string()), length)


def join(pieces: Sequence[Piece], length: int) -> pa.Array:
    """Concatenate arrays and literals element-wise (a null piece makes the result null)."""
    arrays = [constant(p, length) if isinstance(p, str) else p for p in pieces]
    if not arrays:
        return constant("", length)
    if len(arrays) == 1:
        return arrays[0]
    return pc.binary_join_element_wise(*arrays, "")


def choose(condition: np.ndarray, then: Piece, otherwise: Piece, length: int) -> pa.Array:
    """Element-wise ``then if condition else otherwise``."""
    then = constant(then, length) if isinstance(then, str) else then
    otherwise = constant(otherwise, length) if isinstance(otherwise, str) else otherwise
    return pc.if_else(pa.array(np.asarray(condition, dtype=bool)), then, otherwise)


# ---------------------------------------------------------------- JSON pieces


def json_string(values: pa.Array) -> pa.Array:
    """JSON string literals (escaped, quoted); null becomes ``null``."""
    values = strings(values)
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"),
                         ("\t", "\\t")):
        values = pc.replace_substring(values, raw, escaped)
    values = pc.replace_substring_regex(values, "[\\x00-\\x1f]", "")
    return pc.fill_null(pc.binary_join_element_wise('"', values, '"', ""), "null")


def json_number(values: np.ndarray | pd.Series, decimals: int = 2) -> pa.Array:
    """JSON numbers rounded to ``decimals``; NaN becomes ``null``."""
    values = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64",
                                                                     na_value=np.nan)
    finite = np.isfinite(values)
    rounded = np.round(np.where(finite, values, 0.0), decimals) + 0.0  # no "-0"
    text = pc.cast(pa.array(rounded), pa.string())
    return pc.if_else(pa.array(finite), text, "null")


def json_integer(values: np.ndarray | pd.Series) -> pa.Array:
    """JSON integers; NaN becomes ``null``."""
    values = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64",
                                                                     na_value=np.nan)
    finite = np.isfinite(values)
    text = pc.cast(pa.array(np.where(finite, values, 0).astype(np.int64)), pa.string())
    return pc.if_else(pa.array(finite), text, "null")


def iso_date(days: np.ndarray) -> pa.Array:
    """ISO date text (``2026-11-20``); NaT stays null."""
    return pc.cast(pa.array(np.asarray(days, dtype="datetime64[D]")), pa.string())


def json_date(days: np.ndarray) -> pa.Array:
    """ISO dates as JSON strings; NaT becomes ``null``."""
    text = pc.cast(pa.array(np.asarray(days, dtype="datetime64[D]")), pa.string())
    return pc.fill_null(pc.binary_join_element_wise('"', text, '"', ""), "null")


def json_object(fields: Sequence[tuple[str, pa.Array]], length: int) -> pa.Array:
    """JSON objects from ``(key, JSON text of the value)`` pairs, keys in the given order."""
    pieces: list[Piece] = ["{"]
    for i, (key, value) in enumerate(fields):
        pieces += [("," if i else "") + f'"{key}":', value]
    pieces.append("}")
    return join(pieces, length)


def group_join(values: pa.Array, group_sizes: np.ndarray, separator: str) -> pa.Array:
    """One string per group: ``values`` (sorted by group, in order) joined by ``separator``."""
    offsets = np.concatenate([[0], np.cumsum(group_sizes)]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), strings(values))
    return pc.binary_join(lists, separator)


def json_list(values: pa.Array, group_sizes: np.ndarray) -> pa.Array:
    """JSON lists of the JSON fragments in ``values`` (sorted by group, in order)."""
    body = group_join(values, group_sizes, ",")
    return pc.binary_join_element_wise("[", body, "]", "")


# ---------------------------------------------------------------- display formats


def _amount_groups(whole: np.ndarray) -> pa.Array:
    """Non-negative integers with thousands separators (``1,234,567``)."""
    length = len(whole)
    text = constant("", length)
    digits_left = whole.copy()
    groups = [digits_left % 1000]
    while (digits_left >= 1000).any():
        digits_left = digits_left // 1000
        groups.append(digits_left % 1000)
    # most significant group first: unpadded where it leads, zero-padded after a comma
    for k in range(len(groups) - 1, -1, -1):
        group = pc.cast(pa.array(groups[k]), pa.string())
        leads = whole < 1000 ** (k + 1)
        present = whole >= 1000**k if k else np.ones(length, dtype=bool)
        piece = choose(leads, group, join([",", pc.utf8_lpad(group, 3, "0")], length), length)
        text = join([text, choose(present, piece, "", length)], length)
    return text


def money_en(values: np.ndarray | pd.Series) -> pa.Array:
    """Whole yuan in English: ``CNY 300,000``."""
    values = np.nan_to_num(np.asarray(values, dtype="float64"))
    whole = np.rint(np.abs(values)).astype(np.int64)
    sign = choose(values <= -0.5, "-", "", len(whole))
    return join(["CNY ", sign, _amount_groups(whole)], len(whole))


def money_zh(values: np.ndarray | pd.Series) -> pa.Array:
    """Chinese amounts: ``30万元`` from 10,000 up (two decimals at most), else ``8000元``."""
    values = np.nan_to_num(np.asarray(values, dtype="float64"))
    length = len(values)
    wan = pc.cast(pa.array(np.round(values / 10000.0, 2) + 0.0), pa.string())
    yuan = pc.cast(pa.array(np.rint(values).astype(np.int64)), pa.string())
    return choose(np.abs(values) >= 10000, join([wan, "万元"], length),
                  join([yuan, "元"], length), length)


def percent(values: np.ndarray | pd.Series, decimals: int = 2) -> pa.Array:
    """``1.75%`` (trailing zeros dropped by the shortest float text)."""
    values = np.nan_to_num(np.asarray(values, dtype="float64"))
    text = pc.cast(pa.array(np.round(values, decimals) + 0.0), pa.string())
    return join([text, "%"], len(values))


def integer(values: np.ndarray | pd.Series) -> pa.Array:
    """Whole numbers as text."""
    values = np.nan_to_num(np.asarray(values, dtype="float64"))
    return pc.cast(pa.array(np.rint(values).astype(np.int64)), pa.string())


def date_en(days: np.ndarray, reference_year: int) -> pa.Array:
    """``23 Nov``; the year is added when it differs from ``reference_year``."""
    days = np.asarray(days, dtype="datetime64[D]")
    stamps = pd.DatetimeIndex(days)
    length = len(days)
    month = pc.take(pa.array(MONTHS_EN), pa.array(np.asarray(stamps.month, dtype=np.int64) - 1))
    text = join([integer(stamps.day), " ", month], length)
    other_year = np.asarray(stamps.year) != reference_year
    return choose(other_year, join([text, " ", integer(stamps.year)], length), text, length)


def date_zh(days: np.ndarray, reference_year: int) -> pa.Array:
    """``11月23日``; ``2027年1月2日`` when the year differs from ``reference_year``."""
    days = np.asarray(days, dtype="datetime64[D]")
    stamps = pd.DatetimeIndex(days)
    length = len(days)
    text = join([integer(stamps.month), "月", integer(stamps.day), "日"], length)
    other_year = np.asarray(stamps.year) != reference_year
    return choose(other_year, join([integer(stamps.year), "年", text], length), text, length)


def lookup(codes: pd.Series | np.ndarray, table: dict[str, str]) -> pa.Array:
    """Labels for codes from ``table``; an unknown code shows as itself."""
    codes = pd.Series(np.asarray(codes, dtype=object))
    labels = codes.map(table)
    return strings(labels.where(labels.notna(), codes.astype("object")))
