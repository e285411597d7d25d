"""What "a complaint open on the business date" means, for every stage.

Segmentation (the churn signal ``complaint``) and assignment (``service_recovery`` and the
``open_complaint`` exclusion) both ask it; this module is their one answer, and imports
neither stage.
"""

from __future__ import annotations

import numpy as np


def open_on(opened: np.ndarray, closed: np.ndarray, day: np.datetime64) -> np.ndarray:
    """For each complaint, whether it is open on ``day``: opened on or before the day (or on
    an unknown date) and not closed by it (no closing date, or closed after the day)."""
    opened = np.asarray(opened, dtype="datetime64[D]")
    closed = np.asarray(closed, dtype="datetime64[D]")
    day = np.datetime64(day, "D")
    return (np.isnat(opened) | (opened <= day)) & (np.isnat(closed) | (closed > day))
