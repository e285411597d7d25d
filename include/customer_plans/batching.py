"""Splitting work into balanced batches for the DAG's mapped tasks."""

from __future__ import annotations

from collections.abc import Mapping


def balanced_batches(weights: Mapping[str, int], n_batches: int) -> list[list[str]]:
    """The keys of ``weights`` in at most ``n_batches`` batches of about equal total weight.

    The heaviest key goes first, each into the batch carrying the least weight so far (ties
    by key and by batch order); each batch is sorted and none is empty. The same weights
    always give the same batches.
    """
    if n_batches < 1:
        raise ValueError(f"n_batches must be at least 1, got {n_batches}")
    loads = [0] * min(n_batches, max(len(weights), 1))
    batches: list[list[str]] = [[] for _ in loads]
    for key in sorted(weights, key=lambda k: (-weights[k], k)):  # a loop over keys: few
        lightest = min(range(len(loads)), key=lambda i: (loads[i], i))
        batches[lightest].append(key)
        loads[lightest] += weights[key]
    return [sorted(batch) for batch in batches if batch]
