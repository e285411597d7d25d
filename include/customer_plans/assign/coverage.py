"""Whose list a customer is on for the contact date: own, covered by a backup, or the branch pool.

- ``own``: the customer's manager works on the contact date.
- ``covered``: the manager is on leave on the contact date and their backup works then; the
  customer goes on the backup's list (``home_manager_id`` keeps the manager on leave) and
  competes for the backup's capacity with the backup's own customers.
- ``pool``: nobody can take the customer: no manager, a manager not on the roster, a manager
  who has left, or a manager on leave whose backup is missing or away too (one hop only: a
  backup's backup is not asked). The list is ``POOL-<branch_id>`` of the customer's branch,
  shown on the branch roll-up, with no capacity limit. Its contacts are then offered to the
  branch's managers at work (:mod:`takeover`: ``pool_takeover``); what none can fit stays.

The contact date is the day after the business date, the day the plan is worked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

POOL_PREFIX = "POOL-"


def manager_availability(managers: pd.DataFrame, contact_day: np.datetime64) -> pd.DataFrame:
    """The roster with ``availability`` (``active|on_leave|left``) on the contact date."""
    status = managers["status"].to_numpy(dtype=object)
    left_date = managers["left_date"].to_numpy()
    start = managers["leave_start_date"].to_numpy()
    end = managers["leave_end_date"].to_numpy()
    has_left = (status == "left") | (~np.isnat(left_date) & (left_date <= contact_day))
    not_over = np.isnat(end) | (end >= contact_day)
    dated_leave = ~np.isnat(start) & (start <= contact_day) & not_over
    on_leave = ~has_left & (((status == "on_leave") & not_over) | dated_leave)
    availability = np.where(has_left, "left", np.where(on_leave, "on_leave", "active"))
    return managers.assign(availability=availability.astype(object))


def route_managers(roster: pd.DataFrame) -> pd.DataFrame:
    """Per manager on the roster: whose list their customers go on (``None`` = the pool)."""
    ids = pd.Index(roster["manager_id"])
    backup = roster["backup_manager_id"].to_numpy(dtype=object)
    backup_pos = ids.get_indexer(pd.Series(backup, dtype=object).fillna(""))
    availability = roster["availability"].to_numpy(dtype=object)
    backup_active = (backup_pos >= 0) & (
        np.where(backup_pos >= 0, availability[np.maximum(backup_pos, 0)], "") == "active"
    ) & (backup != roster["manager_id"].to_numpy(dtype=object))
    active = availability == "active"
    covered = (availability == "on_leave") & backup_active
    list_manager = np.where(active, roster["manager_id"].to_numpy(dtype=object),
                            np.where(covered, backup, None))
    branches = roster["branch_id"].to_numpy(dtype=object)
    list_branch = np.where(active, branches,
                           np.where(covered, branches[np.maximum(backup_pos, 0)], None))
    assignment = np.where(active, "own", np.where(covered, "covered", "pool"))
    return pd.DataFrame({
        "manager_id": roster["manager_id"].to_numpy(dtype=object),
        "list_manager_id": list_manager,
        "list_branch_id": list_branch,
        "assignment": assignment.astype(object),
        "home_branch_id": branches,
    })


def route_customers(home_manager_id: np.ndarray, customer_branch_id: np.ndarray,
                    routes: pd.DataFrame) -> pd.DataFrame:
    """Per customer: ``list_manager_id, list_branch_id, assignment, home_manager_id``."""
    home = pd.Series(home_manager_id, dtype=object)
    pos = pd.Index(routes["manager_id"]).get_indexer(home.fillna(""))
    known = pos >= 0
    safe = np.maximum(pos, 0)
    assignment = np.where(known, routes["assignment"].to_numpy(dtype=object)[safe], "pool")
    pooled = assignment == "pool"
    # the pool of the customer's branch; failing that, of the home manager's branch
    branch = pd.Series(customer_branch_id, dtype=object)
    fallback = np.where(known, routes["home_branch_id"].to_numpy(dtype=object)[safe], None)
    branch = branch.where(branch.notna(), pd.Series(fallback, dtype=object)).fillna("UNKNOWN")
    pool_id = (POOL_PREFIX + branch.astype(str)).to_numpy(dtype=object)
    list_manager = np.where(pooled, pool_id,
                            routes["list_manager_id"].to_numpy(dtype=object)[safe])
    list_branch = np.where(pooled, branch.to_numpy(dtype=object),
                           routes["list_branch_id"].to_numpy(dtype=object)[safe])
    # a manager without a branch on the roster: the list shows under the customer's branch
    list_branch = np.where(pd.isna(list_branch), branch.to_numpy(dtype=object), list_branch)
    return pd.DataFrame({
        "list_manager_id": list_manager.astype(object),
        "list_branch_id": list_branch.astype(object),
        "assignment": assignment.astype(object),
        "home_manager_id": home.to_numpy(dtype=object),
    })


def is_pool(manager_ids: pd.Series | np.ndarray) -> np.ndarray:
    return pd.Series(manager_ids, dtype=object).fillna("").str.startswith(POOL_PREFIX).to_numpy(
        dtype=bool)
