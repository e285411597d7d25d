"""Column-wise JSON: one Arrow operation per column, never one per customer.

Helpers take and return Arrow ``large_string`` arrays. A JSON object is built lazily as a
list of pieces (``obj``) and joined once (``join``), so a million explanations are one
pass over memory. The output is canonical JSON: keys sorted, no spaces, UTF-8 (Chinese
stays readable), so ``json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` gives the same text back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STR = pa.large_string()
NULL = "null"

# a piece of text: an array, a literal, or a list of pieces (a lazily built object)
Piece = pa.Array | str | list


def _literal(text: str) -> pa.Scalar:
    return pa.scalar(text, type=STR)


def text(values: pd.Series | pa.Array | np.ndarray | Sequence) -> pa.Array:
    """Any string column as an Arrow ``large_string`` array (missing stays null)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == STR else values.cast(STR)
    if isinstance(values, pd.Series):
        if isinstance(values.dtype, pd.StringDtype) or values.dtype == "str":
            return text(pa.array(values.array))
        values = values.to_numpy(dtype=object, na_value=None)
    return pa.array(np.asarray(values, dtype=object), type=STR, from_pandas=True)


def as_series(values: pa.Array, index: pd.Index | None = None) -> pd.Series:
    """An Arrow string array as a pandas ``str`` Series."""
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string())), index=index,
                     dtype="str")


def constant(value: str, length: int) -> pa.Array:
    return pa.repeat(_literal(value), length)


def pick(vocabulary: Sequence[str | None], index: np.ndarray) -> pa.Array:
    """``vocabulary[index]`` for each position (a ``None`` entry gives null)."""
    return pc.take(pa.array(list(vocabulary), type=STR), pa.array(np.asarray(index, np.int64)))


def pick_json(vocabulary: Sequence[str | None], index: np.ndarray) -> pa.Array:
    """JSON string literals ``"code"`` chosen by index (a ``None`` entry gives ``null``)."""
    quoted = [NULL if v is None else f'"{v}"' for v in vocabulary]
    return pick(quoted, index)


def number(values: np.ndarray, decimals: int = 2) -> pa.Array:
    """JSON numbers rounded to ``decimals``; NaN and infinities become ``null``."""
    values = np.asarray(values, dtype="float64")
    finite = np.isfinite(values)
    # + 0.0 turns -0.0 into 0.0, which would not survive a JSON round trip
    rounded = np.round(np.where(finite, values, 0.0), decimals) + 0.0
    as_text = pc.cast(pa.array(rounded), STR)
    if finite.all():
        return as_text
    return pc.if_else(pa.array(finite), as_text, _literal(NULL))


def integer(values: np.ndarray | pd.Series, missing: np.ndarray | None = None) -> pa.Array:
    """JSON integers; positions where ``missing`` is true (or the value is NaN) become ``null``."""
    values = np.asarray(values, dtype="float64")
    bad = ~np.isfinite(values) if missing is None else (missing | ~np.isfinite(values))
    as_text = pc.cast(pa.array(np.where(bad, 0, values).astype(np.int64)), STR)
    if not bad.any():
        return as_text
    return pc.if_else(pa.array(bad), _literal(NULL), as_text)


def escape(values: pa.Array) -> pa.Array:
    """Escape free text for a JSON string body (quotes, backslashes, control characters)."""
    values = pc.replace_substring(values, "\\", "\\\\")
    values = pc.replace_substring(values, '"', '\\"')
    values = pc.replace_substring(values, "\n", "\\n")
    values = pc.replace_substring(values, "\r", "\\r")
    values = pc.replace_substring(values, "\t", "\\t")
    # other control characters have no place in names or ids: drop them
    return pc.replace_substring_regex(values, "[\\x00-\\x1f]", "")


def string(values: pd.Series | pa.Array | np.ndarray, free_text: bool = True) -> pa.Array:
    """JSON string literals; missing values become ``null``.

    ``free_text=False`` skips escaping for values the code itself produced (codes, dates).
    """
    array = text(values)
    if free_text:
        array = escape(array)
    quoted = join(['"', array, '"'])
    return pc.fill_null(quoted, _literal(NULL))


def day(values: np.ndarray) -> pa.Array:
    """JSON ``"YYYY-MM-DD"`` strings from a ``datetime64[D]`` array; NaT becomes ``null``."""
    as_text = pc.cast(pa.array(np.asarray(values, dtype="datetime64[D]")), STR)
    return pc.fill_null(join(['"', as_text, '"']), _literal(NULL))


def _flatten(pieces: Sequence[Piece], out: list) -> list:
    for piece in pieces:
        if isinstance(piece, list):
            _flatten(piece, out)
        elif isinstance(piece, str):
            out.append(_literal(piece))
        else:
            out.append(text(piece))
    return out


def join(pieces: Sequence[Piece]) -> pa.Array:
    """Concatenate arrays, literals and lazily built objects element-wise."""
    flat = _flatten(pieces, [])
    # adjacent literals merge, so the join sees fewer arguments
    merged: list = []
    for piece in flat:
        if isinstance(piece, pa.Scalar) and merged and isinstance(merged[-1], pa.Scalar):
            merged[-1] = _literal(merged[-1].as_py() + piece.as_py())
        else:
            merged.append(piece)
    if not any(isinstance(p, pa.Array) for p in merged):
        raise ValueError("join needs at least one array")
    return pc.binary_join_element_wise(*merged, _literal(""))


def obj(fields: Mapping[str, Piece]) -> list:
    """A JSON object (keys sorted) as a lazy list of pieces; ``join`` makes the array."""
    pieces: list = []
    for i, key in enumerate(sorted(fields)):
        pieces.append(("{" if i == 0 else ",") + f'"{key}":')
        pieces.append(fields[key])
    pieces.append("}")
    return pieces


def join_list(parts: Sequence[tuple[np.ndarray, Piece]], length: int) -> pa.Array:
    """JSON lists from parts of items ``(positions, values)``: a position's list holds its
    items in the order of the parts, and within a part in the order given."""
    parts = [(np.asarray(at, dtype=np.int64), values) for at, values in parts if len(at)]
    if not parts:
        return constant("[]", length)
    positions = np.concatenate([at for at, _ in parts])
    items = pa.concat_arrays([join([values]) if isinstance(values, list) else text(values)
                              for _, values in parts])
    order = np.argsort(positions, kind="stable")  # stable: keeps the parts' order
    positions = positions[order]
    items = pc.take(items, pa.array(order))
    starts = np.flatnonzero(np.r_[True, positions[1:] != positions[:-1]])
    offsets = pa.array(np.r_[starts, len(positions)].astype(np.int64))
    lists = pc.binary_join(pa.LargeListArray.from_arrays(offsets, items), _literal(","))
    owners = positions[starts]
    index = np.full(length, len(owners), dtype=np.int64)
    index[owners] = np.arange(len(owners))
    body = pc.take(pa.concat_arrays([join(["[", lists, "]"]), constant("[]", 1)]),
                   pa.array(index))
    return body


def assemble(parts: Sequence[tuple[np.ndarray, pa.Array]], length: int) -> pa.Array:
    """One array from disjoint parts, each ``(positions, values)``, covering every position."""
    order = np.concatenate([np.asarray(at, dtype=np.int64) for at, _ in parts])
    if len(order) != length or np.bincount(order, minlength=length).max(initial=1) != 1:
        raise ValueError("assemble: the parts must cover every position exactly once")
    inverse = np.empty(length, dtype=np.int64)
    inverse[order] = np.arange(length)
    values = pa.concat_arrays([text(v) for _, v in parts])
    return pc.take(values, pa.array(inverse))
