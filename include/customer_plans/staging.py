"""The staging area: one Parquet file per extract per business date, written atomically."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import pandas as pd


def staging_dir(staging_root: Path, business_date: date) -> Path:
    return staging_root / business_date.isoformat()


def write_frame(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` to ``path`` as Parquet: to a temporary name, then rename.

    A retry or rerun replaces the file whole; a reader never sees half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_frame(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    return pd.read_parquet(path, columns=columns)


# what the validate stage leaves in the staging folder of a date: one row per quarantined
# row and reason (customer_plans.quality.gate writes it, segment and assign leave those out)
QUARANTINE_FILE = "quarantine.parquet"
QUARANTINE_KEYS = ["table", "key_column", "key"]


def read_quarantine(staging_folder: Path, error: type[Exception] = ValueError) -> pd.DataFrame:
    """The quarantined keys (``table, key_column, key``, text) of a staging folder; empty
    when validation left none. ``error`` is raised, naming the file, when a column is missing."""
    path = Path(staging_folder) / QUARANTINE_FILE
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in QUARANTINE_KEYS})
    frame = read_frame(path)
    missing = [c for c in QUARANTINE_KEYS if c not in frame.columns]
    if missing:
        raise error(f"{path} lacks column(s) {', '.join(missing)}")
    return pd.DataFrame({
        c: frame[c].astype("object").where(frame[c].notna(), None).map(
            lambda v: v if v is None else str(v)) for c in QUARANTINE_KEYS})
