"""Candidate contact reasons: one row per customer per reason that applies today.

Where each reason comes from:

- segments (the segmentation stage's decisions): churn level -> ``retention`` /
  ``retention_top_tier``; ``tier_change`` -> ``tier_upgrade`` / ``tier_downgrade``; the
  ``opportunities`` list -> ``idle_balance``, ``new_customer_follow_up``,
  ``post_sale_follow_up``, ``cadence_overdue`` / ``cadence_overdue_top_tier``;
- staging, where the timing is an assignment rule: ``maturity_due`` / ``maturity_upcoming``
  from the accounts extract on the rules' maturity ladder, ``birthday`` from the customers'
  birth dates and ``holiday`` from the rules' calendar, all working-day aware;
  ``service_recovery`` from complaints open on the business date
  (:func:`customer_plans.complaints.open_on`). These are decided here only: the segments'
  opportunities do not list them;
- the previous plan: ``carried_over`` (see :mod:`customer_plans.assign.feedback`).

Each builder returns the same columns (:data:`REASON_COLUMNS`): the reason's level, urgency
and its JSON entry for ``plan_contacts.reasons``: ``{"code", "level", "facts"}``, the facts
typed (codes, amounts, dates, counts, ids) as :data:`customer_plans.assign.facts.REASON_FACTS`
lists them. Nothing here is words: render speaks the facts in the reader's language
(``customer_plans.words.reasons``).
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from customer_plans.assign import text
from customer_plans.assign.facts import REASON_FACTS
from customer_plans.assign.inputs import CHURN_ORDER, AssignmentError, Inputs, frame, member, to_day
from customer_plans.complaints import open_on

REASON_COLUMNS = (
    "customer_id", "pos", "code", "level", "service", "urgency", "reason_json",
    "previous_channel", "first_planned_date", "detail_codes",
)

# the facts segmentation puts on each opportunity that assignment reads
OPPORTUNITY_FIELDS = (
    ("code", pa.string()), ("amount_cny", pa.float64()), ("day", pa.float64()),
    ("days", pa.float64()), ("date", pa.string()), ("days_since_contact", pa.float64()),
    ("cadence_days", pa.float64()), ("last_reached_date", pa.string()),
)
# how many churn signals a retention reason quotes (the heaviest first)
SIGNALS_QUOTED = 2
# keys of a stored churn signal that hold words of an earlier release (text_en, ...): a
# reason keeps the signal's code and facts only
WORDS_PREFIX = "text_"


def empty_reasons() -> pd.DataFrame:
    empty = pd.DataFrame({column: pd.Series(dtype="object") for column in REASON_COLUMNS})
    return empty.astype({"pos": "int64", "level": "int64", "urgency": "float64",
                         "service": "bool"})


def make_reasons(
    ctx: Inputs,
    customer_id: np.ndarray,
    code: np.ndarray,
    urgency: np.ndarray,
    facts: dict[str, pa.Array],
    level: np.ndarray | None = None,
    service: np.ndarray | None = None,
    previous_channel: np.ndarray | None = None,
    first_planned_date: np.ndarray | None = None,
    detail_codes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Reason rows from one builder: levels and the JSON entry with its facts (JSON texts
    by name), in the order :data:`REASON_FACTS` gives for the reason code."""
    n = len(customer_id)
    if n == 0:
        return empty_reasons()
    code = np.asarray(code, dtype=object)
    names = REASON_FACTS[code[0]]
    wrong = [one for one in pd.unique(code) if set(REASON_FACTS[one]) != set(facts)]
    if wrong:  # the builders and the declaration of what a reason stores must agree
        raise ValueError(f"reasons {wrong} would store the facts {sorted(facts)}, not those "
                         "customer_plans.assign.facts.REASON_FACTS declares for them")
    rules = ctx.rules.assignment.reasons
    if level is None:
        level = pd.Series(code).map({c: r.level for c, r in rules.items()}).to_numpy()
    if service is None:
        service = pd.Series(code).map({c: r.service for c, r in rules.items()}).to_numpy()
    reason_json = text.json_object([
        ("code", text.json_string(text.strings(code))),
        ("level", text.json_integer(level)),
        ("facts", text.json_object([(name, facts[name]) for name in names], n)),
    ], n)
    customer_id = np.asarray(customer_id, dtype=object)
    return frame({
        "customer_id": customer_id,
        "pos": ctx.positions(customer_id),
        "code": code,
        "level": np.asarray(level, dtype=np.int64),
        "service": np.asarray(service, dtype=bool),
        "urgency": np.clip(np.asarray(urgency, dtype="float64"), 0.0, 1.0),
        "reason_json": text.as_series(reason_json),
        "previous_channel": np.full(n, None, dtype=object) if previous_channel is None
        else np.asarray(previous_channel, dtype=object),
        "first_planned_date": np.full(n, ctx.day) if first_planned_date is None
        else np.asarray(first_planned_date, dtype="datetime64[D]"),
        "detail_codes": np.full(n, None, dtype=object) if detail_codes is None
        else np.asarray(detail_codes, dtype=object),
    })


def _codes(values) -> pa.Array:
    """Codes (or ids) as JSON strings."""
    return text.json_string(text.strings(values))


def _people_rows(ctx: Inputs, mask: np.ndarray) -> pd.DataFrame:
    return ctx.people.loc[np.asarray(mask, dtype=bool)]


# ------------------------------------------------------------------ parsing JSON lists


def _read_json_lists(texts: np.ndarray, item: pa.DataType | None,
                     column: str) -> tuple[np.ndarray, pa.Array]:
    """Explode JSON lists (one list per row) into one Arrow array of their items, with the row
    of each item. ``item``: the items' type, or None to take it from the data (each key's
    type as Arrow reads it). Parsing is one Arrow JSON read for the whole column; a malformed
    list is an error naming the column."""
    n = len(texts)
    body = text.strings(texts)
    body = pc.fill_null(pc.if_else(pc.equal(pc.utf8_trim_whitespace(body), ""), "[]", body),
                        "[]")
    body = pc.replace_substring_regex(body, "[\\r\\n]", " ")
    rows = pc.cast(pa.array(np.arange(n)), pa.string())
    lines = pc.binary_join_element_wise('{"i":', rows, ',"v":', body, "}", "")
    blob = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, n], type=pa.int32()), lines),
                          "\n")[0].as_py().encode("utf-8")
    fields = [("i", pa.int64())] + ([("v", pa.list_(item))] if item is not None else [])
    try:
        table = pj.read_json(
            io.BytesIO(blob),
            read_options=pj.ReadOptions(block_size=max(1 << 20, len(blob) + 1)),
            parse_options=pj.ParseOptions(
                explicit_schema=pa.schema(fields),
                unexpected_field_behavior="ignore" if item is not None else "infer"),
        )
    except pa.ArrowInvalid as exc:
        raise AssignmentError(
            f"segments.{column} holds text that is not a JSON list of objects: {exc}") from None
    lists = table.column("v").combine_chunks()
    if not pa.types.is_list(lists.type):
        raise AssignmentError(f"segments.{column} holds JSON that is not a list of objects")
    rows_of_items = table.column("i").combine_chunks().to_numpy()[
        pc.list_parent_indices(lists).to_numpy()]
    return rows_of_items.astype(np.int64), pc.list_flatten(lists)


def parse_json_lists(texts: np.ndarray, fields: tuple[tuple[str, pa.DataType], ...],
                     column: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Explode JSON lists of objects (one list per row) into a frame of ``fields``.

    Returns the row position of each item and the items.
    """
    if len(texts) == 0:
        return np.array([], dtype=np.int64), pd.DataFrame({f: [] for f, _ in fields})
    rows, items = _read_json_lists(texts, pa.struct(list(fields)), column)
    return rows, pd.DataFrame({name: items.field(name).to_pandas() for name, _ in fields})


def _json_values(values: pa.Array, key: str, column: str) -> pa.Array | None:
    """A column of one key of JSON objects back as JSON texts (null where the object lacks
    it); None when no object has it."""
    kind = values.type
    if pa.types.is_null(kind):
        return None
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.if_else(pc.is_valid(values), text.json_string(values),
                          pa.scalar(None, pa.string()))
    if pa.types.is_boolean(kind):
        return pc.if_else(values, "true", "false")
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return pc.cast(values, pa.string())
    if pa.types.is_timestamp(kind):  # Arrow reads ISO dates ("2026-11-01") as timestamps
        midnight = pc.all(pc.equal(pc.cast(values, pa.date32()).cast(kind), values))
        pattern = "%Y-%m-%d" if midnight.as_py() in (True, None) else "%Y-%m-%dT%H:%M:%S"
        return pc.binary_join_element_wise('"', pc.strftime(values, pattern), '"', "")
    raise AssignmentError(
        f"segments.{column}: the key {key!r} holds {kind} values; a stored churn signal's facts "
        "are numbers, text, booleans and dates")


def quoted_signals(texts: np.ndarray, quoted: int, column: str = "churn_signals"
                   ) -> tuple[np.ndarray, pa.Array]:
    """The ``quoted`` heaviest churn signals of each row's list (heaviest first, ties in
    listed order), each the segment's own object: its code and typed facts, keys sorted,
    without the words an earlier release stored with it (``text_en``, ...).

    Returns the number quoted per row and their JSON objects, row by row."""
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.int64), pa.array([], type=pa.string())
    rows, items = _read_json_lists(texts, None, column)
    if len(items) == 0 or pa.types.is_null(items.type):
        return np.zeros(n, dtype=np.int64), pa.array([], type=pa.string())
    if not pa.types.is_struct(items.type):
        raise AssignmentError(f"segments.{column} holds a list of {items.type}, not of objects")
    keys = sorted(field.name for field in items.type)
    missing = [key for key in ("code", "weight") if key not in keys]
    if missing:
        raise AssignmentError(f"segments.{column}: the signals lack {missing}; each signal "
                              "needs its code and weight")
    weight = pd.to_numeric(pd.Series(items.field("weight").to_pandas()), errors="coerce")
    order = pd.DataFrame({"row": rows, "weight": weight.to_numpy(), "at": np.arange(len(rows))})
    order = order.sort_values(["row", "weight", "at"], ascending=[True, False, True],
                              na_position="last", kind="mergesort")
    order = order[order.groupby("row").cumcount().to_numpy() < quoted]
    chosen = items.take(pa.array(order["at"].to_numpy(), type=pa.int64()))
    m = len(chosen)
    # '"key":value' per key, null where the signal lacks it, so the join leaves it out
    members = []
    for key in keys:
        values = None if key.startswith(WORDS_PREFIX) else _json_values(chosen.field(key), key,
                                                                        column)
        if values is not None:
            members.append(text.join([f"{json.dumps(key)}:", values], m))
    body = pc.binary_join_element_wise(*members, ",", null_handling="skip")
    objects = text.join(["{", body, "}"], m)
    return np.bincount(order["row"].to_numpy(), minlength=n).astype(np.int64), objects


# ------------------------------------------------------------------ builders


def maturity_reasons(ctx: Inputs) -> pd.DataFrame:
    """``maturity_due`` (0 or 1 day) / ``maturity_upcoming`` on the maturity ladder."""
    ladder = ctx.rules.assignment.maturity_ladder_days
    accounts = ctx.accounts
    days = (accounts["maturity_date"].to_numpy() - ctx.day).astype("timedelta64[D]").astype(
        "float64")
    days[np.isnat(accounts["maturity_date"].to_numpy())] = np.nan
    closed = accounts["closed_date"].to_numpy()
    # an account closed on the maturity date itself still counts: the money needs a home
    still_open = np.isnat(closed) | (closed >= ctx.day)
    # a ladder step k is due k days after the business date, i.e. k - 1 days after the day
    # after it. The plan serves its contact date and the days off right after it (a Sunday
    # maturity is called on Friday, before it), and, when the core closes on working days
    # only, the days between the business date and the contact date: each step's window
    # is as wide as the days this plan serves, so no maturity falls between two plans
    lead = (ctx.contact_date - ctx.business_date).days
    width = len(ctx.calendar.days_served(ctx.contact_date))
    step = np.full(len(days), np.nan)
    for k in sorted(ladder):
        first = k + lead - 1
        window = (days >= first) & (days < first + width) & np.isnan(step)
        step[window] = k
    on_ladder = ~np.isnan(step) & still_open
    rows = accounts.loc[on_ladder].assign(_step=step[on_ladder]).sort_values(
        ["customer_id", "maturity_date", "account_id"])
    step = rows.pop("_step").to_numpy().astype(np.int64)
    days = (rows["maturity_date"].to_numpy() - ctx.day).astype("timedelta64[D]").astype(
        np.int64)
    n = len(rows)
    if n == 0:
        return empty_reasons()
    code = np.where(step <= 1, "maturity_due", "maturity_upcoming").astype(object)
    urgency = 1.0 - step / (max(ladder) + 1.0)
    # a deposit's rate is a term of its contract and may be quoted; an investment's never is
    quotable = member(rows["product_kind"], ctx.rules.assignment.quote_rate_for)
    rate = np.where(quotable, rows["rate_pct"].to_numpy(dtype="float64"), np.nan)
    facts = {
        "account_id": _codes(rows["account_id"]),
        "product_kind": _codes(rows["product_kind"]),
        "amount_cny": text.json_number(rows["amount_cny"]),
        "maturity_date": text.json_date(rows["maturity_date"].to_numpy()),
        "days_to_maturity": text.json_integer(days),
        "rate_pct": text.json_number(rate, 3),
    }
    return make_reasons(ctx, rows["customer_id"].to_numpy(), code, urgency, facts)


def retention_reasons(ctx: Inputs) -> pd.DataFrame:
    """``retention_top_tier`` (top tiers at the configured churn level) or ``retention``."""
    rules = ctx.rules.assignment
    people = ctx.people
    churn = people["churn_rank"].to_numpy()
    top = people["tier_code"].isin(rules.top_tiers).to_numpy()
    top_case = top & (churn >= CHURN_ORDER[rules.retention_top_tier_min_level])
    other = ~top_case & (churn >= CHURN_ORDER[rules.retention_min_level])
    rows = _people_rows(ctx, top_case | other)
    n = len(rows)
    if n == 0:
        return empty_reasons()
    code = np.where(top_case[top_case | other], "retention_top_tier", "retention").astype(object)
    sizes, signals = quoted_signals(rows["churn_signals"].to_numpy(), SIGNALS_QUOTED)
    facts = {
        "tier_code": _codes(rows["tier_code"]),
        "churn_score": text.json_number(rows["churn_score"]),
        "churn_level": _codes(rows["churn_level"]),
        "signals": text.json_list(signals, sizes),
    }
    urgency = pd.Series(code).map({c: rules.reasons[c].urgency for c in set(code)}).to_numpy()
    return make_reasons(ctx, rows["customer_id"].to_numpy(), code, urgency, facts)


def open_complaints(ctx: Inputs) -> pd.DataFrame:
    """Each customer's latest complaint open on the business date."""
    complaints = ctx.complaints
    opened = complaints["opened_date"].to_numpy()
    closed = complaints["closed_date"].to_numpy()
    return (complaints.loc[open_on(opened, closed, ctx.day)]
            .sort_values(["customer_id", "opened_date", "complaint_id"])
            .drop_duplicates("customer_id", keep="last"))


def service_recovery_reasons(ctx: Inputs) -> pd.DataFrame:
    """``service_recovery`` for every customer with an open complaint."""
    rows = open_complaints(ctx)
    n = len(rows)
    if n == 0:
        return empty_reasons()
    facts = {
        "complaint_id": _codes(rows["complaint_id"]),
        "category": _codes(rows["category"]),
        "opened_date": text.json_date(rows["opened_date"].to_numpy()),
    }
    code = np.full(n, "service_recovery", dtype=object)
    urgency = np.full(n, ctx.rules.assignment.reasons["service_recovery"].urgency)
    return make_reasons(ctx, rows["customer_id"].to_numpy(), code, urgency, facts)


def tier_change_reasons(ctx: Inputs) -> pd.DataFrame:
    """``tier_upgrade`` / ``tier_downgrade`` from the segments' tier change."""
    change = ctx.people["tier_change"].to_numpy()
    mask = (change == "up") | (change == "down")
    rows = _people_rows(ctx, mask)
    n = len(rows)
    if n == 0:
        return empty_reasons()
    code = np.where(change[mask] == "up", "tier_upgrade", "tier_downgrade").astype(object)
    facts = {"from_tier": _codes(rows["previous_tier_code"]), "to_tier": _codes(rows["tier_code"])}
    reasons = ctx.rules.assignment.reasons
    urgency = np.where(code == "tier_upgrade", reasons["tier_upgrade"].urgency,
                       reasons["tier_downgrade"].urgency)
    return make_reasons(ctx, rows["customer_id"].to_numpy(), code, urgency, facts)


def opportunity_reasons(ctx: Inputs) -> pd.DataFrame:
    """Reasons from the segments' opportunities list."""
    people = ctx.people
    has_any = pd.Series(people["opportunities"]).fillna("").str.len().to_numpy() > 2
    rows = people.loc[has_any]
    positions, items = parse_json_lists(rows["opportunities"].to_numpy(), OPPORTUNITY_FIELDS,
                                        "opportunities")
    items["customer_id"] = rows["customer_id"].to_numpy()[positions]
    items["tier_code"] = rows["tier_code"].to_numpy()[positions]
    reasons = ctx.rules.assignment.reasons
    parts = []

    def number(frame: pd.DataFrame, name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype="float64", na_value=np.nan)

    idle = items[items["code"] == "idle_balance"]
    if len(idle):
        parts.append(make_reasons(
            ctx, idle["customer_id"].to_numpy(), np.full(len(idle), "idle_balance", dtype=object),
            np.full(len(idle), reasons["idle_balance"].urgency),
            {"amount_cny": text.json_number(number(idle, "amount_cny"))}))

    new = items[items["code"] == "new_customer_follow_up"]
    if len(new):
        parts.append(make_reasons(
            ctx, new["customer_id"].to_numpy(),
            np.full(len(new), "new_customer_follow_up", dtype=object),
            np.full(len(new), reasons["new_customer_follow_up"].urgency),
            {"day": text.json_integer(number(new, "day"))}))

    post = items[items["code"] == "post_sale_follow_up"]
    if len(post):
        parts.append(make_reasons(
            ctx, post["customer_id"].to_numpy(),
            np.full(len(post), "post_sale_follow_up", dtype=object),
            np.full(len(post), reasons["post_sale_follow_up"].urgency),
            {"purchase_date": text.json_date(to_day(post["date"])),
             "days": text.json_integer(number(post, "days"))}))

    cadence = items[items["code"] == "cadence_overdue"]
    if len(cadence):
        since = number(cadence, "days_since_contact")
        allowed = number(cadence, "cadence_days")
        top = cadence["tier_code"].isin(ctx.rules.assignment.top_tiers).to_numpy()
        code = np.where(top, "cadence_overdue_top_tier", "cadence_overdue").astype(object)
        # urgency grows with how far past the cadence the customer is; never reached = most
        overdue = np.where(np.isfinite(since) & (allowed > 0),
                           (since - allowed) / np.where(allowed > 0, allowed, 1.0), 1.0)
        parts.append(make_reasons(
            ctx, cadence["customer_id"].to_numpy(), code, overdue,
            {"tier_code": _codes(cadence["tier_code"]),
             "cadence_days": text.json_integer(allowed),
             "last_reached_date": text.json_date(to_day(cadence["last_reached_date"])),
             "days_since_contact": text.json_integer(since)}))
    return pd.concat(parts, ignore_index=True) if parts else empty_reasons()


def greeting_days(ctx: Inputs) -> list[date]:
    """The calendar days whose greeting is sent on the contact date: itself, and the days off
    right after it (the bank's calendar: weekends, public holidays), when no plan is worked."""
    return ctx.calendar.days_served(ctx.contact_date)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def birthday_reasons(ctx: Inputs) -> pd.DataFrame:
    """``birthday`` on the day, or ahead of it when the day is not a working day."""
    targets = greeting_days(ctx)
    births = pd.DatetimeIndex(ctx.people["birth_date"].to_numpy())
    month, day = np.asarray(births.month), np.asarray(births.day)
    birthday = np.full(len(births), np.datetime64("NaT", "D"))
    for target in targets:  # at most a few calendar days, never customers
        match = (month == target.month) & (day == target.day)
        if target.month == 2 and target.day == 28 and not _is_leap(target.year):
            match |= (month == 2) & (day == 29)  # 29 February celebrated on the 28th
        birthday[match] = np.datetime64(target, "D")
    mask = ~np.isnat(birthday)
    rows = _people_rows(ctx, mask)
    n = len(rows)
    if n == 0:
        return empty_reasons()
    birthday = birthday[mask]
    facts = {"birthday": text.json_date(birthday),
             "greeting_ahead": text.json_boolean(birthday > ctx.contact_day)}
    return make_reasons(ctx, rows["customer_id"].to_numpy(), np.full(n, "birthday", dtype=object),
                        np.full(n, ctx.rules.assignment.reasons["birthday"].urgency), facts)


def holiday_today(ctx: Inputs):
    """The first holiday whose greeting day (moved to a working day) is the contact date."""
    rules = ctx.rules.assignment
    for holiday in sorted(rules.holidays, key=lambda h: h.date):
        nominal = holiday.date - timedelta(days=rules.holiday_greeting_days_before)
        if ctx.calendar.on_or_before(nominal) == ctx.contact_date:
            return holiday, nominal != ctx.contact_date
    return None, False


def holiday_reasons(ctx: Inputs) -> pd.DataFrame:
    """``holiday`` greetings for the configured tiers on the holiday's greeting day."""
    holiday, ahead = holiday_today(ctx)
    if holiday is None:
        return empty_reasons()
    rows = _people_rows(
        ctx, ctx.people["tier_code"].isin(ctx.rules.assignment.holiday_greeting_tiers).to_numpy())
    n = len(rows)
    if n == 0:
        return empty_reasons()
    facts = {"holiday": _codes(np.full(n, holiday.code, dtype=object)),
             "holiday_date": text.json_date(np.full(n, np.datetime64(holiday.date, "D"))),
             "greeting_ahead": text.json_boolean(np.full(n, ahead))}
    return make_reasons(ctx, rows["customer_id"].to_numpy(), np.full(n, "holiday", dtype=object),
                        np.full(n, ctx.rules.assignment.reasons["holiday"].urgency), facts)


def build_candidates(ctx: Inputs, carried: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every candidate reason for today, before exclusions (``carried``: carried-over rows)."""
    parts = [
        service_recovery_reasons(ctx),
        maturity_reasons(ctx),
        retention_reasons(ctx),
        tier_change_reasons(ctx),
        opportunity_reasons(ctx),
        birthday_reasons(ctx),
        holiday_reasons(ctx),
    ]
    if carried is not None:
        parts.append(carried)
    parts = [part for part in parts if len(part)]
    if not parts:
        return empty_reasons()
    return pd.concat(parts, ignore_index=True)

