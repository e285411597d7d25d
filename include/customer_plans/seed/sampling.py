"""Random draws and array helpers shared by the table builders.

Exact proportions (largest remainder), weighted orders and picks, a choice of ``k``,
linear ramps, random walks and Dirichlet-like weights per row, plus the two conversions
the row builders use: ``money`` for amounts and ``object_array`` for columns that may hold
``None``. A draw consumes its generator's stream the same way for the same arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def largest_remainder(shares: Sequence[float], n: int) -> np.ndarray:
    """Integer counts proportional to ``shares`` that add up to exactly ``n``."""
    raw = np.asarray(shares, dtype=float) / float(np.sum(shares)) * n
    counts = np.floor(raw).astype(np.int64)
    remainder = n - int(counts.sum())
    if remainder:
        # stable order: ties go to the earlier share
        order = np.argsort(-(raw - counts), kind="stable")
        counts[order[:remainder]] += 1
    return counts


def stratified_labels(rng: np.random.Generator, shares: Sequence[float], n: int) -> np.ndarray:
    """Labels 0..k-1 in exact proportions (largest remainder), randomly ordered."""
    counts = largest_remainder(shares, n)
    return rng.permutation(np.repeat(np.arange(len(shares)), counts))


def weighted_order(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Indices in the order of a weighted draw without replacement (Efraimidis-Spirakis)."""
    u = rng.random(weights.shape[0])
    with np.errstate(divide="ignore"):
        key = np.where(weights > 0, np.log(u) / np.where(weights > 0, weights, 1.0), -np.inf)
    return np.argsort(-key, kind="stable")


def pick(rng: np.random.Generator, p: Sequence[float], size: int) -> np.ndarray:
    return rng.choice(len(p), size=size, p=np.asarray(p, dtype=float) / np.sum(p))


def pick_rows(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One category per row from a (rows, categories) matrix of probabilities."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(p.shape[0])[:, None] * cum[:, -1:]
    return np.minimum((u > cum).sum(axis=1), p.shape[1] - 1)


def money(values: np.ndarray) -> list[float]:
    """Amounts as Python floats rounded to cents (and never ``-0.0``)."""
    return (np.round(np.asarray(values, dtype=float), 2) + 0.0).tolist()


def object_array(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def choose_k(rng: np.random.Generator, candidates: np.ndarray, k: int) -> np.ndarray:
    k = min(k, candidates.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(rng.choice(candidates, size=k, replace=False))


def linear_ramp(days: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """0 before ``start``, rising linearly to 1 at ``end`` (per row)."""
    span = np.maximum(end - start, 1)[:, None]
    return np.clip((days[None, :] - start[:, None]) / span, 0.0, 1.0)


def random_walk(rng: np.random.Generator, rows: int, days: int, step_sd: float) -> np.ndarray:
    walk = np.cumsum(rng.normal(0.0, step_sd, (rows, days)), axis=1)
    return walk - walk[:, -1:]  # anchored at the business date


def dirichlet_rows(rng: np.random.Generator, counts: np.ndarray, width: int) -> np.ndarray:
    """Per row, ``counts[i]`` positive weights summing to 1, zeros after them."""
    w = rng.exponential(1.0, (counts.shape[0], width))
    w[np.arange(width)[None, :] >= counts[:, None]] = 0.0
    return w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
