"""Capacity: each manager's list is cut at the day's capacity; the rest is deferred, ranked.

Ranks run over the whole list in priority order (1 = first). A contact by a visit channel
uses one of the manager's ``daily_visit_capacity``; every other contact (calls and messages
alike: each takes the manager's time to prepare and log) one of ``daily_call_capacity``.
A contact beyond its capacity keeps its rank with status ``deferred`` and a
``deferred_reason``, and comes back tomorrow through carry-over. Pool lists have no
capacity: everything on them is planned, for the branch to share out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_plans.assign import text
from customer_plans.assign.channels import capacity_kind
from customer_plans.assign.coverage import is_pool
from customer_plans.rules import Rules


def apply_capacity(contacts: pd.DataFrame, roster: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Add ``rank``, ``capacity_kind``, ``status`` and ``deferred_reason`` to contacts that are
    already in rank order per ``manager_id`` (see :func:`priority.priority_order`)."""
    n = len(contacts)
    managers = contacts["manager_id"]
    rank = managers.groupby(managers, sort=False).cumcount().to_numpy() + 1
    kind = capacity_kind(contacts["channel"].to_numpy(dtype=object), rules)
    used_before = pd.Series(np.arange(n)).groupby(
        [managers.to_numpy(dtype=object), kind], sort=False).cumcount().to_numpy()
    pos = pd.Index(roster["manager_id"]).get_indexer(managers)
    safe = np.maximum(pos, 0)
    call = np.where(pos >= 0, roster["daily_call_capacity"].to_numpy()[safe], 0.0)
    visit = np.where(pos >= 0, roster["daily_visit_capacity"].to_numpy()[safe], 0.0)
    capacity = np.where(kind == "visit", visit, call)
    pool = is_pool(managers)
    capacity = np.where(pool, np.inf, capacity)
    deferred = used_before >= capacity
    is_visit = kind == "visit"
    reason = text.join([
        text.choose(is_visit, "daily_visit_capacity ", "daily_call_capacity ", n),
        text.integer(np.where(np.isfinite(capacity), capacity, 0)),
        text.choose(is_visit, "", " (calls and messages)", n),
        " used by higher-ranked contacts",
    ], n)
    return contacts.assign(
        rank=rank.astype(np.int64),
        capacity_kind=np.where(pool, None, kind).astype(object),
        status=np.where(deferred, "deferred", "planned").astype(object),
        deferred_reason=np.where(deferred, text.as_series(reason).to_numpy(dtype=object), None),
    )
