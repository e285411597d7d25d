"""Pool takeover: the branch pool's contacts go to managers of the branch, within capacity.

After capacity is applied (:mod:`capacity`), each contact on a branch pool list
(``POOL-<branch_id>``, see :mod:`coverage`) is offered, most urgent first (the pool list's
priority order), to the managers of that branch who work on the contact date. A manager can
take it when it would be planned on their list: like a covered contact it competes for the
manager's capacity with the contacts already there (own, covered, taken over before it), by
priority, so fewer than ``daily_visit_capacity`` (a visit) or ``daily_call_capacity``
(anything else) of the contacts of its kind rank above it. It goes to

1. the recorded backup of the customer's manager (``backup_manager_id``), when active on the
   contact date, in the pool's branch and able to take it;
2. otherwise the least loaded manager of the branch who can take it: the lowest share of
   that capacity used by planned contacts on their list (``load``), then the lowest share
   used by contacts that rank above it, then the manager id.

A visit (level up to ``capacity_fallback_max_level``) that no manager can fit among their
visits is taken, as on any list (:func:`capacity.visit_fallbacks`), where its
``fallback_channel`` fits among the calls: the backup's list, else the least loaded one.

A taken-over contact moves to the manager's list as ``assignment = 'pool_takeover'``
(``home_manager_id`` unchanged: the departed or absent manager, or null) and ranks there like
any other contact. Capacity is then applied again to the new lists: capacity is never
exceeded, every taken-over contact is planned, and when a manager's list was full, the
manager's lowest-ranked contacts of that kind are deferred (and carried over) as they would
be for a covered book: an open complaint of the pool is worked before a routine call. What no
manager can fit stays on the pool list (everything on every list of the branch outranks it),
urgent items first.

``assignment_reason`` says why a customer was on the pool and what happened, two codes:
why (:data:`WHY_CODES`) then how (:data:`HOW_CODES`), e.g. ``manager_left backup``.

Everything happens within one branch (the pool's), and every contact that can weigh on a
branch manager's list is read with the branch's batch, so splitting the work by branch
never changes a takeover. No personal data is logged.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from customer_plans.assign.capacity import apply_capacity
from customer_plans.assign.channels import capacity_kind
from customer_plans.assign.priority import priority_order
from customer_plans.rules import Rules

TAKEOVER = "pool_takeover"
# why a customer is on the pool: no manager, a manager not on the roster, a manager who has
# left, a manager away (on leave) with no available backup
WHY_CODES = ("no_manager", "unknown_manager", "manager_left", "manager_away")
# what happened: taken by the manager's backup, by the least loaded manager; or kept on the
# pool because no manager of the branch could fit it, or the branch has none at work
HOW_CODES = ("backup", "least_loaded", "no_capacity", "no_active_manager")
TAKEN_CODES = ("backup", "least_loaded")


def pool_why(home_manager_id: np.ndarray, roster: pd.DataFrame) -> np.ndarray:
    """Why each customer (by their manager) is on the pool: one of :data:`WHY_CODES`.

    ``roster``: the managers with ``availability`` (:func:`coverage.manager_availability`).
    """
    home = pd.Series(home_manager_id, dtype=object)
    pos = pd.Index(roster["manager_id"]).get_indexer(home.fillna(""))
    availability = np.where(
        pos >= 0, roster["availability"].to_numpy(dtype=object)[np.maximum(pos, 0)], None)
    why = np.where(home.isna().to_numpy(), "no_manager",
                   np.where(pos < 0, "unknown_manager",
                            np.where(availability == "left", "manager_left", "manager_away")))
    return why.astype(object)


@dataclass
class _List:
    """A manager's list as capacity sees it: ``(priority key, is_visit, has_fallback)`` per
    contact, in priority order."""

    calls: float
    visits: float
    entries: list[tuple[tuple, bool, bool]] = field(default_factory=list)

    def counts(self, end: int | None = None) -> tuple[int, int]:
        """Over the first ``end`` entries: visits (as ranked, every visit contact) and call
        slots asked for (calls, and visits beyond the day's visits that have a fallback), as
        :func:`capacity.apply_capacity` counts them."""
        visits = calls = 0
        for _, is_visit, has_fallback in self.entries[:end]:
            if is_visit:
                if visits >= self.visits and has_fallback:
                    calls += 1
                visits += 1
            else:
                calls += 1
        return visits, calls

    def slot(self, key: tuple, is_visit: bool, has_fallback: bool) -> str | None:
        """The kind of slot a contact with priority ``key`` would be planned in on this list
        (``visit`` or ``call``), or None when it would be deferred."""
        visits, calls = self.counts(bisect_left(self.entries, (key,)))
        if is_visit and visits < self.visits:
            return "visit"
        if (not is_visit or has_fallback) and calls < self.calls:
            return "call"
        return None

    def load(self, kind: str, key: tuple) -> tuple[float, float]:
        """Share of the ``kind`` capacity used by planned contacts, and by those above ``key``."""
        capacity = self.visits if kind == "visit" else self.calls
        visits, calls = self.counts()
        above_visits, above_calls = self.counts(bisect_left(self.entries, (key,)))
        used, above = (visits, above_visits) if kind == "visit" else (calls, above_calls)
        return min(used, capacity) / capacity, min(above, capacity) / capacity


def take_over_pool(contacts: pd.DataFrame, roster: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Hand pool contacts to managers of their branch within capacity (module docstring).

    ``contacts``: ranked with capacity applied (:func:`capacity.apply_capacity`), with
    ``manager_id, branch_id, assignment, home_manager_id, channel, priority_level, score,
    pos`` (and ``fallback_channel`` when visits may fall back). ``roster``: the managers with
    ``availability``. Returns the contacts with ``assignment_reason`` (null except for pool
    and taken-over contacts), capacity applied again.
    """
    n = len(contacts)
    reason = np.full(n, None, dtype=object)
    assignment = contacts["assignment"].to_numpy(dtype=object).copy()
    pooled = np.flatnonzero(assignment == "pool")
    if len(pooled) == 0:
        return contacts.assign(assignment_reason=reason)

    list_manager = contacts["manager_id"].to_numpy(dtype=object).copy()
    branch = contacts["branch_id"].to_numpy(dtype=object)
    home = contacts["home_manager_id"].to_numpy(dtype=object)
    is_visit = capacity_kind(contacts["channel"].to_numpy(dtype=object), rules) == "visit"
    fallback = (contacts["fallback_channel"].to_numpy(dtype=object)
                if "fallback_channel" in contacts else np.full(n, None, dtype=object))
    has_fallback = pd.notna(fallback)
    # the priority order of priority.priority_order: level, score (highest first), customer
    keys = list(zip(contacts["priority_level"].to_numpy().tolist(),
                    (-contacts["score"].to_numpy(dtype="float64")).tolist(),
                    contacts["pos"].to_numpy(dtype=np.int64).tolist(), strict=True))
    why = pool_why(home[pooled], roster)

    # who can take: managers at work on the contact date, by branch, in id order
    ids = roster["manager_id"].to_numpy(dtype=object)
    branches = roster["branch_id"].to_numpy(dtype=object)
    at_work = (roster["availability"].to_numpy(dtype=object) == "active") & pd.notna(
        branches) & pd.notna(ids)
    lists = {
        m: _List(calls=float(np.nan_to_num(calls)), visits=float(np.nan_to_num(visits)))
        for m, calls, visits in zip(ids[at_work],
                                    roster["daily_call_capacity"].to_numpy()[at_work],
                                    roster["daily_visit_capacity"].to_numpy()[at_work],
                                    strict=True)
    }
    receivers: dict[str, list[str]] = {}
    for m, b in sorted(zip(ids[at_work], branches[at_work], strict=True)):
        receivers.setdefault(b, []).append(m)
    branch_of = dict(zip(ids[at_work], branches[at_work], strict=True))
    backup_of = dict(zip(ids, roster["backup_manager_id"].to_numpy(dtype=object), strict=True))
    # what is on those lists now (planned and deferred: a deferred contact still ranks)
    for i in np.flatnonzero(assignment != "pool"):
        target = lists.get(list_manager[i])
        if target is not None:
            target.entries.append((keys[i], bool(is_visit[i]), bool(has_fallback[i])))
    for target in lists.values():
        target.entries.sort()

    # each pool list (one per branch) most urgent first: every contact taken over before
    # another ranks above it on whichever list it went to
    for at, i in enumerate(pooled):
        candidates = receivers.get(branch[i], [])
        if not candidates:
            reason[i] = f"{why[at]} no_active_manager"
            continue
        entry = (keys[i], bool(is_visit[i]), bool(has_fallback[i]))
        slots = {m: lists[m].slot(*entry) for m in candidates}
        backup = backup_of.get(home[i]) if home[i] is not None else None
        if backup is not None and branch_of.get(backup) == branch[i] and slots.get(backup):
            taker, how = backup, "backup"
        else:
            taker = how = None
            # the least loaded of those with a slot of the contact's kind, else of a call
            for wanted in dict.fromkeys(("visit" if is_visit[i] else "call", "call")):
                able = [m for m in candidates if slots[m] == wanted]
                if able:
                    taker = min(able, key=lambda m, w=wanted: (*lists[m].load(w, keys[i]), m))
                    how = "least_loaded"
                    break
        if taker is None:
            reason[i] = f"{why[at]} no_capacity"
            continue
        insort(lists[taker].entries, entry)
        list_manager[i] = taker
        assignment[i] = TAKEOVER
        reason[i] = f"{why[at]} {how}"

    moved = contacts.assign(manager_id=list_manager, assignment=assignment,
                            assignment_reason=reason)
    # capacity again, on the new lists: every taken-over contact is planned (it fitted where
    # it went, and what came later ranks below it); a full list defers its lowest-ranked
    return apply_capacity(priority_order(moved), roster, rules)
