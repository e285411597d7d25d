"""The day's contact lists: candidates -> exclusions -> one contact per customer -> lists.

:func:`assign_contacts` is a pure function of its inputs (no database, no clock): the same
segments, staging frames, rules and previous plan always give the same rows in the same
order.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from customer_plans.assign import text
from customer_plans.assign.candidates import build_candidates
from customer_plans.assign.capacity import apply_capacity, capacity_fallbacks
from customer_plans.assign.channels import reachable_channels, resolve_channels
from customer_plans.assign.coverage import manager_availability, route_customers, route_managers
from customer_plans.assign.exclusions import DROPPED_COLUMNS, EXCLUSION_ORDER, apply_exclusions
from customer_plans.assign.feedback import (
    FEEDBACK_COLUMNS,
    carried_reasons,
    completion,
    previous_plan,
)
from customer_plans.assign.inputs import Inputs, build_inputs, frame
from customer_plans.assign.priority import priority_order, score_contacts
from customer_plans.assign.takeover import TAKEOVER, take_over_pool
from customer_plans.rules import Rules

CONTACT_COLUMNS = (
    "business_date", "branch_id", "manager_id", "rank", "status", "customer_id", "assignment",
    "home_manager_id", "assignment_reason", "priority_level", "score", "score_value",
    "score_urgency", "score_risk", "score_difficulty", "reasons", "reason_codes",
    "carried_reason_codes", "channel", "capacity_kind", "deferred_reason", "first_planned_date",
    "rules_hash",
)
EXCLUSION_COLUMNS = (
    "business_date", "branch_id", "manager_id", "home_manager_id", "customer_id",
    "reason_code", "dropped_reasons", "detail", "rules_hash",
)
ALL_EXCLUSION_CODES = (*EXCLUSION_ORDER, "carry_over_expired", "capacity")


def _group_sizes(*sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and sizes of runs of equal keys (all arrays already sorted together)."""
    n = len(sorted_keys[0])
    if n == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for keys in sorted_keys:
        change[1:] |= keys[1:] != keys[:-1]
    starts = np.flatnonzero(change)
    sizes = np.diff(np.append(starts, n))
    return starts, sizes


def merge_reasons(kept: pd.DataFrame, ctx: Inputs) -> pd.DataFrame:
    """One contact per customer: every kept reason listed, most urgent first (lowest level,
    then the rules' order of reasons, then the most urgent)."""
    precedence = kept["code"].map(
        {code: i for i, code in enumerate(ctx.rules.assignment.reason_order())}).to_numpy()
    pos = kept["pos"].to_numpy(dtype=np.int64)
    # lexsort is stable and sorts by the last key first; pos orders customers by id
    order = np.lexsort((-kept["urgency"].to_numpy(dtype="float64"), precedence,
                        kept["level"].to_numpy(), pos))
    ordered = kept.iloc[order].reset_index(drop=True)
    starts, sizes = _group_sizes(pos[order])
    if len(starts) == 0:
        return frame({column: np.array([], dtype=object) for column in (
            "customer_id", "pos", "priority_level", "top_code", "previous_channel", "urgency",
            "reasons", "reason_codes", "carried_reason_codes", "first_planned_date")}).astype(
            {"pos": "int64", "priority_level": "int64", "urgency": "float64"})
    urgency = np.maximum.reduceat(ordered["urgency"].to_numpy(dtype="float64"), starts)
    first_planned = np.minimum.reduceat(
        ordered["first_planned_date"].to_numpy(dtype="datetime64[D]").astype(np.int64), starts
    ).astype("datetime64[D]")
    is_carried = ordered["code"].to_numpy(dtype=object) == "carried_over"
    carried_codes = np.full(len(starts), None, dtype=object)
    group_of_row = np.repeat(np.arange(len(starts)), sizes)
    carried_codes[group_of_row[is_carried]] = ordered["detail_codes"].to_numpy(
        dtype=object)[is_carried]
    reasons = text.json_list(text.strings(ordered["reason_json"]), sizes)
    return frame({
        "customer_id": ordered["customer_id"].to_numpy(dtype=object)[starts],
        "pos": ordered["pos"].to_numpy(dtype=np.int64)[starts],
        "priority_level": ordered["level"].to_numpy()[starts].astype(np.int64),
        "top_code": ordered["code"].to_numpy(dtype=object)[starts],
        "previous_channel": ordered["previous_channel"].to_numpy(dtype=object)[starts],
        "urgency": urgency,
        "reasons": text.as_series(reasons),
        "reason_codes": text.as_series(text.group_join(text.strings(ordered["code"]), sizes,
                                                       " ")),
        "carried_reason_codes": carried_codes,
        "first_planned_date": first_planned,
    })


def _exclusion_rows(dropped: pd.DataFrame, routes: pd.DataFrame, ctx: Inputs) -> pd.DataFrame:
    """One row per customer per exclusion code, listing the reasons it dropped."""
    if dropped.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in EXCLUSION_COLUMNS})
    precedence = {code: i for i, code in enumerate(ctx.rules.assignment.reason_order())}
    exclusion_order = {code: i for i, code in enumerate(ALL_EXCLUSION_CODES)}
    pos = dropped["pos"].to_numpy(dtype=np.int64)
    ex = dropped["exclusion"].map(exclusion_order).to_numpy(dtype=np.int64)
    pr = dropped["code"].map(precedence).fillna(len(precedence)).to_numpy(dtype=np.int64)
    order = np.lexsort((pr, ex, pos))
    ordered = dropped.iloc[order].reset_index(drop=True)
    starts, sizes = _group_sizes(pos[order], ex[order])
    m = len(starts)
    codes = text.json_list(text.json_string(text.strings(ordered["code"])), sizes)
    # the exclusion's facts are the customer's, the same on each reason it dropped
    detail = text.strings(ordered["detail"]).take(pa.array(starts, type=pa.int64()))
    exclusion = ordered["exclusion"].to_numpy(dtype=object)[starts]
    at = pos[order][starts]
    return frame({
        "business_date": np.full(m, ctx.business_date, dtype=object),
        "branch_id": routes["list_branch_id"].to_numpy(dtype=object)[at],
        "manager_id": routes["list_manager_id"].to_numpy(dtype=object)[at],
        "home_manager_id": routes["home_manager_id"].to_numpy(dtype=object)[at],
        "customer_id": ordered["customer_id"].to_numpy(dtype=object)[starts],
        "reason_code": exclusion,
        "dropped_reasons": text.as_series(codes),
        "detail": text.as_series(detail),
        "rules_hash": np.full(m, ctx.rules.content_hash, dtype=object),
    })


def _capacity_dropped(contacts: pd.DataFrame) -> pd.DataFrame:
    """The deferred contacts as dropped rows (exclusion ``capacity``), one per reason."""
    deferred = contacts[contacts["status"] == "deferred"]
    n = len(deferred)
    if n == 0:
        return pd.DataFrame(columns=list(DROPPED_COLUMNS))
    codes = deferred["reason_codes"].astype(object).str.split()
    sizes = codes.str.len().to_numpy()
    # the deferral's facts (capacity.apply_capacity) name the rank and the capacity used up
    detail = deferred["deferred_reason"].to_numpy(dtype=object)
    return frame({
        "customer_id": np.repeat(deferred["customer_id"].to_numpy(dtype=object), sizes),
        "pos": np.repeat(deferred["pos"].to_numpy(dtype=np.int64), sizes),
        "exclusion": np.full(int(sizes.sum()), "capacity", dtype=object),
        "code": codes.explode().to_numpy(dtype=object),
        "detail": np.repeat(detail, sizes),
    })


def assign_contacts(
    segments: pd.DataFrame,
    frames: dict[str, pd.DataFrame],
    business_date: date,
    rules: Rules,
    carry_over: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Each manager's prioritized contact list for ``business_date``.

    ``segments``: the segments rows of the business date (docs/pipeline.md). ``frames``: the
    staging extracts ``customers, restricted_list, managers, recent_contacts, complaints,
    accounts`` and optionally ``quarantine``. ``carry_over``: the ``plan_contacts`` rows of
    the previous plan (both statuses), or None when there is none.

    Returns ``(contacts, exclusions, feedback)``: rows for ``plan_contacts``,
    ``plan_exclusions`` and ``plan_feedback`` (columns :data:`CONTACT_COLUMNS`,
    :data:`EXCLUSION_COLUMNS`, :data:`feedback.FEEDBACK_COLUMNS` plus ``rules_hash``).
    """
    ctx = build_inputs(segments, frames, business_date, rules)
    # the lookback counts working days: after a week of holidays the last plan before them
    # is still the previous one, and its deferred contacts come back
    previous = previous_plan(carry_over, business_date, ctx.calendar.working_days_back(
        business_date, rules.assignment.previous_plan_lookback_days))
    carried, expired, carried_rows = carried_reasons(ctx, previous)
    candidates = build_candidates(ctx, carried)
    kept, dropped = apply_exclusions(candidates, ctx)

    roster = manager_availability(ctx.managers, ctx.contact_day)
    routes = route_customers(ctx.people["manager_id"].to_numpy(dtype=object),
                             ctx.people["branch_id"].to_numpy(dtype=object),
                             route_managers(roster))

    contacts = merge_reasons(kept, ctx)
    pos = contacts["pos"].to_numpy(dtype=np.int64)
    reachable = reachable_channels(ctx, pos)
    contacts["channel"] = resolve_channels(
        contacts["top_code"].to_numpy(dtype=object),
        ctx.people["preferred_channel"].to_numpy(dtype=object)[pos],
        contacts["previous_channel"].to_numpy(dtype=object), rules,
        reachable=reachable)  # else a fallback, else 'none'
    # the other kind of slot an important contact takes when its own are used up (capacity.py)
    contacts["fallback_channel"] = capacity_fallbacks(
        contacts["channel"].to_numpy(dtype=object), contacts["priority_level"].to_numpy(),
        reachable, rules)
    contacts["manager_id"] = routes["list_manager_id"].to_numpy(dtype=object)[pos]
    contacts["branch_id"] = routes["list_branch_id"].to_numpy(dtype=object)[pos]
    contacts["assignment"] = routes["assignment"].to_numpy(dtype=object)[pos]
    contacts["home_manager_id"] = routes["home_manager_id"].to_numpy(dtype=object)[pos]
    contacts = score_contacts(contacts, ctx.people, pos, rules)
    contacts = apply_capacity(priority_order(contacts), roster, rules)
    # the pool's contacts to managers of the branch, by priority within capacity (takeover.py)
    contacts = take_over_pool(contacts, roster, rules)
    taken = contacts["assignment"].to_numpy(dtype=object) == TAKEOVER
    if taken.any():  # their exclusion rows name the list they are on
        routes.loc[contacts["pos"].to_numpy(dtype=np.int64)[taken], "list_manager_id"] = (
            contacts["manager_id"].to_numpy(dtype=object)[taken])
    contacts["business_date"] = business_date
    contacts["rules_hash"] = rules.content_hash
    # dates as ``datetime.date`` objects, as the database columns hold them
    contacts["first_planned_date"] = contacts["first_planned_date"].to_numpy(
        dtype="datetime64[D]").astype(object)
    contacts_out = contacts[list(CONTACT_COLUMNS)].reset_index(drop=True)

    all_dropped = pd.concat(
        [part for part in (dropped, expired, _capacity_dropped(contacts)) if len(part)]
        or [dropped], ignore_index=True)
    exclusions_out = _exclusion_rows(all_dropped, routes, ctx)

    feedback = completion(ctx, previous, carried_rows, contacts_out)
    feedback["rules_hash"] = rules.content_hash
    feedback_out = feedback[[*FEEDBACK_COLUMNS, "rules_hash"]]
    return contacts_out, exclusions_out, feedback_out

