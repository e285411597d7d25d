"""Column-wise text for contact plans: JSON of codes and typed facts, and code lists, with Arrow.

Every helper takes whole columns and returns an Arrow string array of the same length, so
a hundred thousand contacts are a handful of array operations, never a Python call per
customer. JSON is compact, keys in a fixed order, UTF-8. Nothing here formats for a
reader: amounts, dates and sentences in a reader's language are render's
(``customer_plans.words``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Piece = pa.Array | str


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


def json_boolean(values: np.ndarray) -> pa.Array:
    """JSON ``true`` / ``false``."""
    values = pa.array(np.asarray(values, dtype=bool))
    return pc.if_else(values, "true", "false")


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

