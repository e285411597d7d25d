"""Capacity: each manager's list is cut at the day's capacity; the rest is deferred, ranked.

Ranks run over the whole list in priority order (1 = first). A contact by a visit channel
uses one of the manager's ``daily_visit_capacity``; every other contact (calls and messages
alike: each takes the manager's time to prepare and log) one of ``daily_call_capacity``.
Slots go in rank order, so an urgent or important contact (levels 1 and 2: every tier's
overdue contact cadence among them) always gets a slot before a routine one.

An urgent or important contact (level up to the rules' ``capacity_fallback_max_level``)
that finds the slots of its kind used up takes a slot of the other kind when one is free,
by its ``fallback_channel`` (:func:`capacity_fallbacks`): a visit goes by the first channel
of ``channel_fallbacks.visit`` the customer can be reached on that is not a visit; a call or
message becomes a visit when the customer can be reached for one. So a top-tier customer
whose cadence has run out is called rather than deferred while a lower-tier routine contact
is planned. The contact keeps its rank; its ``channel`` and ``capacity_kind`` become the
fallback's. (Whichever kind runs out first on a list, only the other one has slots left
for fallbacks: one pass per direction gives what taking the contacts one by one gives.)

A contact beyond its capacity keeps its rank (and channel) with status ``deferred`` and a
``deferred_reason``, and comes back tomorrow through carry-over. The reason is facts, not
words (canonical JSON, keys sorted): ``{"kind": "call"|"visit", "rank", "slots"}``, the kind
of slot the contact needed and the manager's daily number of them, all used by
higher-ranked contacts; a contact that could have taken the other kind (a fallback) and
found it used up too adds ``"fallback_kind"`` and ``"fallback_slots"``. ``explain`` says them
in the reader's language. Pool lists have no
capacity: everything on them is planned, for the branch to share out. Applying capacity
twice gives the same rows (pool takeover re-applies it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from customer_plans.assign import text
from customer_plans.assign.channels import capacity_kind, known_channels
from customer_plans.assign.coverage import is_pool
from customer_plans.rules import Rules


def capacity_fallbacks(channel: np.ndarray, level: np.ndarray, reachable: np.ndarray | None,
                       rules: Rules) -> np.ndarray:
    """For each contact at a level up to ``capacity_fallback_max_level``: the channel it takes
    when the slots of its own kind are used up. A visit: the first of ``channel_fallbacks`` of
    its channel (then the call channels) that is not a visit channel; a call or message: the
    first visit channel; either only when the customer can be reached on it (``reachable``:
    :func:`channels.reachable_channels`; None = every channel). None where there is none."""
    assignment = rules.assignment
    channel = np.asarray(channel, dtype=object)
    out = np.full(len(channel), None, dtype=object)
    eligible = np.asarray(level, dtype="float64") <= assignment.capacity_fallback_max_level
    known = known_channels(rules)
    fallbacks = getattr(assignment, "channel_fallbacks", {}) or {}

    def fill(rows: np.ndarray, candidates: list[str]) -> None:
        for candidate in candidates:
            ok = rows if reachable is None else rows & reachable[:, known.index(candidate)]
            out[ok] = candidate
            rows = rows & ~ok

    visits = np.isin(channel, assignment.visit_channels)
    for visit in assignment.visit_channels:
        fill(eligible & (channel == visit), [
            c for c in dict.fromkeys([*fallbacks.get(visit, []), *assignment.call_channels])
            if c in known and c not in assignment.visit_channels])
    fill(eligible & ~visits & np.isin(channel, known), list(assignment.visit_channels))
    return out


def _used_before(managers: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """For each contact, how many contacts of its kind rank above it on its list."""
    return pd.Series(np.arange(len(kind))).groupby(
        [managers, kind], sort=False).cumcount().to_numpy()


def _first_overflow(managers: np.ndarray, rank: np.ndarray, over: np.ndarray) -> np.ndarray:
    """Per contact: the rank of the first contact of its list with ``over`` set (inf: none)."""
    first = pd.Series(np.where(over, rank, np.inf)).groupby(managers, sort=False).transform("min")
    return first.to_numpy(dtype="float64")


def apply_capacity(contacts: pd.DataFrame, roster: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Add ``rank``, ``capacity_kind``, ``status`` and ``deferred_reason`` to contacts that are
    already in rank order per ``manager_id`` (see :func:`priority.priority_order`); a contact
    moved to its ``fallback_channel`` (optional column, see :func:`capacity_fallbacks`) gets
    that ``channel``."""
    n = len(contacts)
    managers = contacts["manager_id"]
    keys = managers.to_numpy(dtype=object)
    rank = managers.groupby(managers, sort=False).cumcount().to_numpy() + 1
    channel = contacts["channel"].to_numpy(dtype=object)
    kind = capacity_kind(channel, rules)
    pos = pd.Index(roster["manager_id"]).get_indexer(managers)
    safe = np.maximum(pos, 0)
    call = np.where(pos >= 0, roster["daily_call_capacity"].to_numpy()[safe], 0.0)
    visit = np.where(pos >= 0, roster["daily_visit_capacity"].to_numpy()[safe], 0.0)
    pool = is_pool(managers)
    call = np.where(pool, np.inf, call)
    visit = np.where(pool, np.inf, visit)
    is_visit = kind == "visit"
    fallback = (contacts["fallback_channel"].to_numpy(dtype=object)
                if "fallback_channel" in contacts else np.full(n, None, dtype=object))
    # until the first contact that does not fit, everyone has a slot of their kind; from it
    # on, only the other kind has slots: the fallbacks of the kind that ran out take them
    over = _used_before(keys, kind) >= np.where(is_visit, visit, call)
    visits_out = _first_overflow(keys, rank, over & is_visit)
    calls_out = _first_overflow(keys, rank, over & ~is_visit)
    switch = over & pd.notna(fallback) & np.where(is_visit, visits_out < calls_out,
                                                  calls_out < visits_out)
    kind = np.where(switch, np.where(is_visit, "call", "visit"), kind).astype(object)
    deferred = _used_before(keys, kind) >= np.where(kind == "visit", visit, call)
    moved = switch & ~deferred
    tried = switch & deferred
    # a deferred contact with a fallback found both kinds used up (the other kind ran out
    # first, or it tried the other kind): its reason names both
    both = deferred & pd.notna(fallback)

    def slots(values: np.ndarray) -> pa.Array:
        return text.json_integer(np.where(np.isfinite(values), values, 0))

    own = text.json_string(text.strings(np.where(is_visit, "visit", "call").astype(object)))
    own_fields = [("kind", own), ("rank", text.json_integer(rank)),
                  ("slots", slots(np.where(is_visit, visit, call)))]
    other = text.json_string(text.strings(np.where(is_visit, "call", "visit").astype(object)))
    reason = text.choose(
        both,
        text.json_object([("fallback_kind", other),
                          ("fallback_slots", slots(np.where(is_visit, call, visit))),
                          *own_fields], n),
        text.json_object(own_fields, n), n)
    kind = np.where(tried, np.where(is_visit, "visit", "call"), kind).astype(object)
    return contacts.assign(
        rank=rank.astype(np.int64),
        channel=np.where(moved, fallback, channel).astype(object),
        capacity_kind=np.where(pool, None, kind).astype(object),
        status=np.where(deferred, "deferred", "planned").astype(object),
        deferred_reason=np.where(deferred, text.as_series(reason).to_numpy(dtype=object), None),
    )
