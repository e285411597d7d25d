"""Feedback from the previous plan: carry-over and yesterday's completion rate (联络达成率).

The plan of business date P is worked on P + 1; its outcomes are in ``recent_contacts``.

Carry-over: a previous contact comes back today with a ``carried_over`` reason when it was
deferred (any level), or planned at a level up to ``carry_over_max_level`` and not completed,
and the customer had no completed contact (rules ``completed_outcomes``) from P + 1 to the
business date. Only reasons marked ``carry_over`` in the rules travel (a greeting is worth
nothing the day after); a contact first planned more than ``carry_over_max_days`` before the
business date is dropped with the exclusion ``carry_over_expired``. The carried reason's level
is the better of the rules' level for ``carried_over`` and the previous level; it is a service
contact when every carried reason is one.

Completion: per list (manager or pool) of the previous plan, the contacts planned (status
``planned``) and those of them whose customer had a completed contact on P + 1.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from customer_plans.assign import text
from customer_plans.assign.candidates import empty_reasons, make_reasons
from customer_plans.assign.exclusions import DROPPED_COLUMNS
from customer_plans.assign.inputs import (
    PREVIOUS_PLAN_COLUMNS,
    AssignmentError,
    Inputs,
    frame,
    member,
    to_day,
)

FEEDBACK_COLUMNS = (
    "business_date", "branch_id", "manager_id", "previous_business_date", "planned_yesterday",
    "completed_yesterday", "completion_rate", "carried_over_count",
)


def previous_plan(carry_over: pd.DataFrame | None, business_date: date,
                  earliest_date: date) -> pd.DataFrame | None:
    """The rows of the latest plan before ``business_date`` from ``earliest_date`` on (the
    lookback, counted in working days by the caller), or None."""
    if carry_over is None or carry_over.empty:
        return None
    missing = [c for c in PREVIOUS_PLAN_COLUMNS if c not in carry_over.columns]
    if missing:
        raise AssignmentError(f"previous plan_contacts rows lack column(s) {', '.join(missing)}")
    days = to_day(carry_over["business_date"])
    today = np.datetime64(business_date, "D")
    earliest = np.datetime64(earliest_date, "D")
    usable = (days < today) & (days >= earliest)
    if not usable.any():
        return None
    latest = days[usable].max()
    frame = carry_over.loc[days == latest].copy()
    frame["business_date"] = latest
    frame["first_planned_date"] = to_day(frame["first_planned_date"])
    frame["priority_level"] = pd.to_numeric(frame["priority_level"], errors="coerce")
    return frame.reset_index(drop=True)


def completed_customers(ctx: Inputs, first_day: np.datetime64,
                        last_day: np.datetime64) -> np.ndarray:
    """Customers with a completed contact on a day from ``first_day`` to ``last_day``."""
    contacts = ctx.contacts
    day = contacts["contact_day"].to_numpy()
    done = contacts["outcome"].isin(ctx.rules.assignment.completed_outcomes).to_numpy()
    within = done & (day >= first_day) & (day <= last_day)
    return pd.unique(contacts.loc[within, "customer_id"].to_numpy(dtype=object))


def _split_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (previous row, underlying reason code), in listed order, deduplicated."""
    codes = (frame["reason_codes"].fillna("").astype(str) + " "
             + frame["carried_reason_codes"].fillna("").astype(str))
    exploded = codes.str.split().explode()
    long = pd.DataFrame({"row": exploded.index.to_numpy(), "code": exploded.to_numpy()})
    long = long[long["code"].notna() & (long["code"] != "carried_over")]
    return long.drop_duplicates(["row", "code"])


def carried_reasons(ctx: Inputs, previous: pd.DataFrame | None
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Carried-over reason rows, the expired ones (as dropped rows), and the carried rows of
    the previous plan (for counting)."""
    nothing = (empty_reasons(), pd.DataFrame(columns=list(DROPPED_COLUMNS)),
               pd.DataFrame(columns=["manager_id"]))
    if previous is None:
        return nothing
    rules = ctx.rules.assignment
    plan_day = to_day(previous["business_date"])[0]
    done = completed_customers(ctx, ctx.worked_on(plan_day.astype(object)), ctx.day)
    status = previous["status"].to_numpy(dtype=object)
    level = previous["priority_level"].to_numpy(dtype="float64")
    eligible = ((status == "deferred")
                | ((status == "planned") & (level <= rules.carry_over_max_level)))
    eligible &= ~member(previous["customer_id"], done)
    # customers outside today's segments (another batch of branches) are not ours to carry
    eligible &= member(previous["customer_id"], ctx.people["customer_id"].to_numpy(dtype=object))
    rows = previous.loc[eligible].drop_duplicates("customer_id").reset_index(drop=True)
    long = _split_codes(rows)
    carry = {code: rule.carry_over for code, rule in rules.reasons.items()}
    long = long[long["code"].map(carry).fillna(False).astype(bool)]
    rows = rows.loc[np.sort(long["row"].unique())]
    if rows.empty:
        return nothing
    first = rows["first_planned_date"].to_numpy(dtype="datetime64[D]")
    first = np.where(np.isnat(first), plan_day, first)
    # age in working days (the plans worked since it was first planned), so a holiday week
    # does not expire what nobody could have worked
    ages = {day: ctx.calendar.working_days_between(day.astype(object), ctx.business_date)
            for day in np.unique(first)}
    age = np.array([ages[day] for day in first], dtype=np.int64)
    expired = age > rules.carry_over_max_days

    sizes = long.groupby("row", sort=True).size().reindex(rows.index).to_numpy()
    service_rule = {code: rule.service for code, rule in rules.reasons.items()}
    all_service = long["code"].map(service_rule).astype(bool).groupby(long["row"]).all()
    codes_text = text.group_join(text.strings(long["code"]), sizes, " ")

    exp = np.flatnonzero(expired)
    expired_ids = rows["customer_id"].to_numpy(dtype=object)[exp]
    dropped = frame({
        "customer_id": expired_ids,
        "pos": ctx.positions(expired_ids),
        "exclusion": np.full(len(exp), "carry_over_expired", dtype=object),
        "code": np.full(len(exp), "carried_over", dtype=object),
        # facts, not words (canonical JSON, keys sorted): explain says them
        "detail": text.as_series(text.json_object([
            ("carry_over_max_days", text.json_integer(np.full(len(exp),
                                                              rules.carry_over_max_days))),
            ("first_planned_date", text.json_date(first[exp])),
            ("previous_reasons", text.json_list(text.json_string(text.strings(long["code"])),
                                                sizes).take(pa.array(exp, type=pa.int64()))),
        ], len(exp))),
    })

    keep = np.flatnonzero(~expired)
    n = len(keep)
    if n == 0:
        return empty_reasons(), dropped, rows.iloc[[]]
    kept_rows = rows.iloc[keep]
    kept_long = long[long["row"].isin(kept_rows.index)]
    kept_sizes = sizes[keep]
    previous_status = np.where(kept_rows["status"].to_numpy(dtype=object) == "deferred",
                               "deferred", "not_reached").astype(object)
    facts = {
        "from_date": text.json_date(np.full(n, plan_day)),
        "first_planned_date": text.json_date(first[keep]),
        "previous_status": text.json_string(text.strings(previous_status)),
        "previous_level": text.json_integer(kept_rows["priority_level"]),
        "previous_manager_id": text.json_string(text.strings(kept_rows["manager_id"])),
        "previous_reasons": text.json_list(text.json_string(text.strings(kept_long["code"])),
                                           kept_sizes),
    }
    carried_rule = rules.reasons["carried_over"]
    level = np.minimum(carried_rule.level,
                       np.nan_to_num(kept_rows["priority_level"].to_numpy(dtype="float64"),
                                     nan=carried_rule.level)).astype(np.int64)
    reasons = make_reasons(
        ctx, kept_rows["customer_id"].to_numpy(dtype=object),
        np.full(n, "carried_over", dtype=object), np.full(n, carried_rule.urgency), facts,
        level=level, service=all_service.reindex(kept_rows.index).to_numpy(dtype=bool),
        previous_channel=kept_rows["channel"].to_numpy(dtype=object),
        first_planned_date=first[keep],
        detail_codes=text.as_series(
            codes_text.take(pa.array(keep, type=pa.int64()))).to_numpy(dtype=object),
    )
    return reasons, dropped, kept_rows


def completion(ctx: Inputs, previous: pd.DataFrame | None, carried_rows: pd.DataFrame,
               contacts: pd.DataFrame) -> pd.DataFrame:
    """One row per list (roster manager, previous or today's list) with yesterday's figures."""
    roster = ctx.managers[["manager_id", "branch_id"]]
    today = contacts[["manager_id", "branch_id"]].drop_duplicates("manager_id")
    lists = [roster]
    if previous is not None:
        lists.append(previous[["manager_id", "branch_id"]].drop_duplicates("manager_id"))
    lists.append(today)
    managers = (pd.concat(lists, ignore_index=True).dropna(subset=["manager_id"])
                .drop_duplicates("manager_id").sort_values("manager_id", kind="mergesort")
                .reset_index(drop=True))
    n = len(managers)
    if previous is None:
        return pd.DataFrame({
            "business_date": np.full(n, ctx.business_date, dtype=object),
            "branch_id": managers["branch_id"].to_numpy(dtype=object),
            "manager_id": managers["manager_id"].to_numpy(dtype=object),
            "previous_business_date": np.full(n, None, dtype=object),
            "planned_yesterday": pd.array([pd.NA] * n, dtype="Int64"),
            "completed_yesterday": pd.array([pd.NA] * n, dtype="Int64"),
            "completion_rate": np.full(n, np.nan),
            "carried_over_count": np.zeros(n, dtype=np.int64),
        })
    plan_day = to_day(previous["business_date"])[0]
    worked_on = ctx.worked_on(plan_day.astype(object))
    done = completed_customers(ctx, worked_on, worked_on)
    planned = previous[previous["status"] == "planned"]
    planned_yesterday = planned.groupby("manager_id").size()
    completed_yesterday = planned[member(planned["customer_id"], done)].groupby("manager_id").size()
    carried_count = carried_rows.groupby("manager_id").size() if len(carried_rows) else \
        pd.Series(dtype="int64")
    ids = managers["manager_id"]
    planned_n = planned_yesterday.reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    completed_n = completed_yesterday.reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    rate = np.where(planned_n > 0, completed_n / np.maximum(planned_n, 1), np.nan)
    previous_date = (plan_day.astype(object) if isinstance(plan_day, np.datetime64)
                     else pd.Timestamp(plan_day).date())
    return pd.DataFrame({
        "business_date": np.full(n, ctx.business_date, dtype=object),
        "branch_id": managers["branch_id"].to_numpy(dtype=object),
        "manager_id": ids.to_numpy(dtype=object),
        "previous_business_date": np.full(n, previous_date, dtype=object),
        "planned_yesterday": pd.array(planned_n, dtype="Int64"),
        "completed_yesterday": pd.array(completed_n, dtype="Int64"),
        "completion_rate": np.round(rate, 4),
        "carried_over_count": carried_count.reindex(ids).fillna(0).to_numpy(dtype=np.int64),
    })
