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
