"""Candidate contact reasons: one row per customer per reason that applies today.

Where each reason comes from:

- segments (the segmentation stage's decisions): churn level -> ``retention`` /
  ``retention_top_tier``; ``tier_change`` -> ``tier_upgrade`` / ``tier_downgrade``; the
  ``opportunities`` list -> ``idle_balance``, ``new_customer_follow_up``,
  ``post_sale_follow_up``, ``cadence_overdue`` / ``cadence_overdue_top_tier``;
- staging, where the timing is an assignment rule: ``maturity_due`` / ``maturity_upcoming``
  from the accounts extract on the rules' maturity ladder, ``birthday`` from the customers'
  birth dates and ``holiday`` from the rules' calendar, both working-day aware (so they never
  depend on how far ahead segmentation looks); ``service_recovery`` from open complaints;
- the previous plan: ``carried_over`` (see :mod:`customer_plans.assign.feedback`).

Each builder returns the same columns (:data:`REASON_COLUMNS`): the reason's level, urgency,
its JSON entry for ``plan_contacts.reasons`` and its talking points in both languages.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from customer_plans.assign import text
from customer_plans.assign.inputs import CHURN_ORDER, AssignmentError, Inputs, frame, to_day
from customer_plans.assign.talking_points import LANGUAGES, fill

REASON_COLUMNS = (
    "customer_id", "pos", "code", "level", "service", "urgency", "reason_json", "talk_en",
    "talk_zh", "previous_channel", "first_planned_date", "detail_codes",
)

# the facts segmentation puts on each opportunity that assignment reads
OPPORTUNITY_FIELDS = (
    ("code", pa.string()), ("amount_cny", pa.float64()), ("day", pa.float64()),
    ("days", pa.float64()), ("date", pa.string()), ("days_since_contact", pa.float64()),
    ("cadence_days", pa.float64()),
)
SIGNAL_FIELDS = (("code", pa.string()), ("text_en", pa.string()), ("text_zh", pa.string()),
                 ("weight", pa.float64()))
# how many churn signals a retention reason quotes (the heaviest first)
SIGNALS_QUOTED = 2


def empty_reasons() -> pd.DataFrame:
    empty = pd.DataFrame({column: pd.Series(dtype="object") for column in REASON_COLUMNS})
    return empty.astype({"pos": "int64", "level": "int64", "urgency": "float64",
                         "service": "bool"})


def make_reasons(
    ctx: Inputs,
    customer_id: np.ndarray,
    code: np.ndarray,
    urgency: np.ndarray,
    facts: list[tuple[str, pa.Array]],
    display: dict[str, dict[str, pa.Array]],
    level: np.ndarray | None = None,
    service: np.ndarray | None = None,
    previous_channel: np.ndarray | None = None,
    first_planned_date: np.ndarray | None = None,
    detail_codes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Reason rows from one builder: levels, texts from the templates, the JSON entry."""
    n = len(customer_id)
    if n == 0:
        return empty_reasons()
    code = np.asarray(code, dtype=object)
    rules = ctx.rules.assignment.reasons
    if level is None:
        level = pd.Series(code).map({c: r.level for c, r in rules.items()}).to_numpy()
    if service is None:
        service = pd.Series(code).map({c: r.service for c, r in rules.items()}).to_numpy()
    texts: dict[str, pa.Array] = {}
    for part in ("reason", "talk"):
        for lang in LANGUAGES:
            result = None
            for one in pd.unique(code):
                template = ctx.talking_points.reasons[one][part][lang]
                filled = fill(template, display[lang], n)
                result = filled if result is None else text.choose(code == one, filled,
                                                                   result, n)
            texts[f"{part}_{lang}"] = result
    reason_json = text.json_object([
        ("code", text.json_string(text.strings(code))),
        ("level", text.json_integer(level)),
        ("text_en", text.json_string(texts["reason_en"])),
        ("text_zh", text.json_string(texts["reason_zh"])),
        ("facts", text.json_object(facts, n)),
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
        "talk_en": text.as_series(texts["talk_en"]),
        "talk_zh": text.as_series(texts["talk_zh"]),
        "previous_channel": np.full(n, None, dtype=object) if previous_channel is None
        else np.asarray(previous_channel, dtype=object),
        "first_planned_date": np.full(n, ctx.day) if first_planned_date is None
        else np.asarray(first_planned_date, dtype="datetime64[D]"),
        "detail_codes": np.full(n, None, dtype=object) if detail_codes is None
        else np.asarray(detail_codes, dtype=object),
    })


def _both(en: pa.Array, zh: pa.Array) -> dict[str, pa.Array]:
    return {"en": en, "zh": zh}


def _display(**facts: dict[str, pa.Array]) -> dict[str, dict[str, pa.Array]]:
    """``name=({"en": ..., "zh": ...})`` pairs regrouped by language."""
    return {lang: {name: by_lang[lang] for name, by_lang in facts.items()} for lang in LANGUAGES}


def _same(values: pa.Array) -> dict[str, pa.Array]:
    return {"en": values, "zh": values}


def _clause(ctx: Inputs, name: str, lang: str, facts: dict[str, pa.Array], n: int) -> pa.Array:
    return fill(ctx.talking_points.clauses[name][lang], facts, n)


def _dates(ctx: Inputs, days: np.ndarray) -> dict[str, pa.Array]:
    year = ctx.business_date.year
    return {"en": text.date_en(days, year), "zh": text.date_zh(days, year)}


def _tier_labels(ctx: Inputs, codes: np.ndarray) -> dict[str, pa.Array]:
    levels = ctx.rules.tiers.levels
    return {
        "en": text.lookup(codes, {level.code: level.label_en for level in levels}),
        "zh": text.lookup(codes, {level.code: level.label_zh for level in levels}),
    }


def _labels(ctx: Inputs, kind: str, codes: np.ndarray) -> dict[str, pa.Array]:
    return {lang: text.lookup(codes, ctx.talking_points.label_table(kind, lang))
            for lang in LANGUAGES}


def _people_rows(ctx: Inputs, mask: np.ndarray) -> pd.DataFrame:
    return ctx.people.loc[np.asarray(mask, dtype=bool)]


# ------------------------------------------------------------------ parsing JSON lists


def parse_json_lists(texts: np.ndarray, fields: tuple[tuple[str, pa.DataType], ...],
                     column: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Explode JSON lists of objects (one list per row) into a frame of ``fields``.

    Returns the row position of each item and the items. Parsing is one Arrow JSON read
    for the whole column; a malformed list is an error naming the column and the row.
    """
    n = len(texts)
    if n == 0:
        return np.array([], dtype=np.int64), pd.DataFrame({f: [] for f, _ in fields})
    body = text.strings(texts)
    body = pc.fill_null(pc.if_else(pc.equal(pc.utf8_trim_whitespace(body), ""), "[]", body),
                        "[]")
    body = pc.replace_substring_regex(body, "[\\r\\n]", " ")
    rows = pc.cast(pa.array(np.arange(n)), pa.string())
    lines = pc.binary_join_element_wise('{"i":', rows, ',"v":', body, "}", "")
    blob = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, n], type=pa.int32()), lines),
                          "\n")[0].as_py().encode("utf-8")
    schema = pa.schema([("i", pa.int64()), ("v", pa.list_(pa.struct(list(fields))))])
    try:
        table = pj.read_json(
            io.BytesIO(blob),
            read_options=pj.ReadOptions(block_size=max(1 << 20, len(blob) + 1)),
            parse_options=pj.ParseOptions(explicit_schema=schema,
                                          unexpected_field_behavior="ignore"),
        )
    except pa.ArrowInvalid as exc:
        raise AssignmentError(
            f"segments.{column} holds text that is not a JSON list of objects with the "
            f"expected fields ({', '.join(f for f, _ in fields)}): {exc}"
        ) from None
    lists = table.column("v").combine_chunks()
    rows_of_items = table.column("i").combine_chunks().to_numpy()[
        pc.list_parent_indices(lists).to_numpy()]
    items = pc.list_flatten(lists)
    parsed = pd.DataFrame({name: items.field(name).to_pandas() for name, _ in fields})
    return rows_of_items.astype(np.int64), parsed


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
    maturity = rows["maturity_date"].to_numpy()
    dates = _dates(ctx, maturity)
    quoted = rows["product_kind"].isin(ctx.talking_points.quote_rate_for).to_numpy() & \
        np.isfinite(rows["rate_pct"].to_numpy())
    rate = text.percent(rows["rate_pct"].to_numpy())
    display = {}
    for lang in LANGUAGES:
        due = text.choose(
            maturity <= ctx.day,
            _clause(ctx, "matured", lang, {"maturity_date": dates[lang]}, n),
            _clause(ctx, "matures", lang, {"maturity_date": dates[lang]}, n), n)
        display[lang] = {
            "product": _labels(ctx, "product_kind", rows["product_kind"].to_numpy())[lang],
            "amount": (text.money_en if lang == "en" else text.money_zh)(rows["amount_cny"]),
            "due": due,
            "rate_clause": text.choose(quoted, _clause(ctx, "rate", lang, {"rate": rate}, n),
                                       "", n),
            "days": text.integer(days),
        }
    facts = [
        ("account_id", text.json_string(text.strings(rows["account_id"]))),
        ("product_kind", text.json_string(text.strings(rows["product_kind"]))),
        ("amount_cny", text.json_number(rows["amount_cny"])),
        ("maturity_date", text.json_date(maturity)),
        ("rate_pct", text.json_number(rows["rate_pct"], 3)),
        ("days_to_maturity", text.json_integer(days)),
    ]
    return make_reasons(ctx, rows["customer_id"].to_numpy(), code, urgency, facts, display)


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
    positions, signals = parse_json_lists(rows["churn_signals"].to_numpy(), SIGNAL_FIELDS,
                                          "churn_signals")
    signals["row"] = positions
    signals["order"] = np.arange(len(signals))
    signals = signals.sort_values(["row", "weight", "order"], ascending=[True, False, True],
                                  na_position="last", kind="mergesort")
    quoted = signals[signals.groupby("row").cumcount().to_numpy() < SIGNALS_QUOTED]
    sizes = np.bincount(quoted["row"].to_numpy(), minlength=n)
    display = {}
    for lang in LANGUAGES:
        sep = ctx.talking_points.clauses["list_separator"][lang]
        said = pc.fill_null(text.strings(quoted[f"text_{lang}"]), "")
        display[lang] = {
            "tier": _tier_labels(ctx, rows["tier_code"].to_numpy())[lang],
            "signals": text.group_join(said, sizes, sep),
            "churn_score": text.integer(rows["churn_score"].to_numpy()),
        }
    signal_codes = text.json_list(text.json_string(text.strings(quoted["code"])), sizes)
    facts = [
        ("churn_score", text.json_number(rows["churn_score"])),
        ("churn_level", text.json_string(text.strings(rows["churn_level"]))),
        ("tier_code", text.json_string(text.strings(rows["tier_code"]))),
        ("signals", signal_codes),
    ]
    urgency = pd.Series(code).map({c: rules.reasons[c].urgency for c in set(code)}).to_numpy()
    return make_reasons(ctx, rows["customer_id"].to_numpy(), code, urgency, facts, display)


def open_complaints(ctx: Inputs) -> pd.DataFrame:
    """Each customer's latest complaint open on the business date."""
    complaints = ctx.complaints
    opened = complaints["opened_date"].to_numpy()
    closed = complaints["closed_date"].to_numpy()
    is_open = (np.isnat(opened) | (opened <= ctx.day)) & (np.isnat(closed) | (closed > ctx.day))
    return (complaints.loc[is_open]
            .sort_values(["customer_id", "opened_date", "complaint_id"])
            .drop_duplicates("customer_id", keep="last"))


def service_recovery_reasons(ctx: Inputs) -> pd.DataFrame:
    """``service_recovery`` for every customer with an open complaint."""
    rows = open_complaints(ctx)
    n = len(rows)
    if n == 0:
        return empty_reasons()
    opened = rows["opened_date"].to_numpy()
    display = _display(
        category=_labels(ctx, "complaint_category", rows["category"].to_numpy()),
        opened_date=_dates(ctx, opened),
    )
    facts = [
        ("complaint_id", text.json_string(text.strings(rows["complaint_id"]))),
        ("category", text.json_string(text.strings(rows["category"]))),
        ("opened_date", text.json_date(opened)),
    ]
    code = np.full(n, "service_recovery", dtype=object)
    urgency = np.full(n, ctx.rules.assignment.reasons["service_recovery"].urgency)
    return make_reasons(ctx, rows["customer_id"].to_numpy(), code, urgency, facts, display)


def tier_change_reasons(ctx: Inputs) -> pd.DataFrame:
    """``tier_upgrade`` / ``tier_downgrade`` from the segments' tier change."""
    change = ctx.people["tier_change"].to_numpy()
    mask = (change == "up") | (change == "down")
    rows = _people_rows(ctx, mask)
    n = len(rows)
    if n == 0:
        return empty_reasons()
    code = np.where(change[mask] == "up", "tier_upgrade", "tier_downgrade").astype(object)
    display = _display(
        from_tier=_tier_labels(ctx, rows["previous_tier_code"].to_numpy()),
        to_tier=_tier_labels(ctx, rows["tier_code"].to_numpy()),
    )
    facts = [
        ("direction", text.json_string(text.strings(change[mask]))),
        ("from", text.json_string(text.strings(rows["previous_tier_code"]))),
        ("to", text.json_string(text.strings(rows["tier_code"]))),
    ]
    reasons = ctx.rules.assignment.reasons
    urgency = np.where(code == "tier_upgrade", reasons["tier_upgrade"].urgency,
                       reasons["tier_downgrade"].urgency)
    return make_reasons(ctx, rows["customer_id"].to_numpy(), code, urgency, facts, display)


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

    idle = items[items["code"] == "idle_balance"]
    if len(idle):
        amount = idle["amount_cny"].to_numpy(dtype="float64", na_value=np.nan)
        display = _display(amount={"en": text.money_en(amount), "zh": text.money_zh(amount)})
        parts.append(make_reasons(
            ctx, idle["customer_id"].to_numpy(), np.full(len(idle), "idle_balance", dtype=object),
            np.full(len(idle), reasons["idle_balance"].urgency),
            [("amount_cny", text.json_number(amount))], display))

    new = items[items["code"] == "new_customer_follow_up"]
    if len(new):
        day = new["day"].to_numpy(dtype="float64", na_value=np.nan)
        parts.append(make_reasons(
            ctx, new["customer_id"].to_numpy(),
            np.full(len(new), "new_customer_follow_up", dtype=object),
            np.full(len(new), reasons["new_customer_follow_up"].urgency),
            [("day", text.json_integer(day))], _display(day=_same(text.integer(day)))))

    post = items[items["code"] == "post_sale_follow_up"]
    if len(post):
        days = post["days"].to_numpy(dtype="float64", na_value=np.nan)
        bought = to_day(post["date"])
        parts.append(make_reasons(
            ctx, post["customer_id"].to_numpy(),
            np.full(len(post), "post_sale_follow_up", dtype=object),
            np.full(len(post), reasons["post_sale_follow_up"].urgency),
            [("days", text.json_integer(days)), ("date", text.json_date(bought))],
            _display(purchase_date=_dates(ctx, bought), days=_same(text.integer(days)))))

    cadence = items[items["code"] == "cadence_overdue"]
    if len(cadence):
        n = len(cadence)
        since = cadence["days_since_contact"].to_numpy(dtype="float64", na_value=np.nan)
        allowed = cadence["cadence_days"].to_numpy(dtype="float64", na_value=np.nan)
        top = cadence["tier_code"].isin(ctx.rules.assignment.top_tiers).to_numpy()
        code = np.where(top, "cadence_overdue_top_tier", "cadence_overdue").astype(object)
        # urgency grows with how far past the cadence the customer is; never reached = most
        overdue = np.where(np.isfinite(since) & (allowed > 0),
                           (since - allowed) / np.where(allowed > 0, allowed, 1.0), 1.0)
        display = {}
        for lang in LANGUAGES:
            days_ago = _clause(ctx, "days_ago", lang, {"days": text.integer(since)}, n)
            display[lang] = {
                "last_contact": text.choose(np.isfinite(since), days_ago,
                                            ctx.talking_points.clauses["never_reached"][lang], n),
                "cadence_days": text.integer(allowed),
                "tier": _tier_labels(ctx, cadence["tier_code"].to_numpy())[lang],
            }
        parts.append(make_reasons(
            ctx, cadence["customer_id"].to_numpy(), code, overdue,
            [("days_since_contact", text.json_integer(since)),
             ("cadence_days", text.json_integer(allowed))], display))
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
    ahead = birthday > ctx.contact_day
    display = {}
    dates = _dates(ctx, birthday)
    for lang in LANGUAGES:
        display[lang] = {
            "birthday": dates[lang],
            "ahead_note": text.choose(ahead, ctx.talking_points.clauses["greeting_ahead"][lang],
                                      "", n),
        }
    facts = [("date", text.json_date(birthday)),
             ("greeting_ahead", text.choose(ahead, "true", "false", n))]
    return make_reasons(ctx, rows["customer_id"].to_numpy(), np.full(n, "birthday", dtype=object),
                        np.full(n, ctx.rules.assignment.reasons["birthday"].urgency), facts,
                        display)


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
    when = np.full(n, np.datetime64(holiday.date, "D"))
    dates = _dates(ctx, when)
    display = {
        lang: {
            "holiday": text.constant(holiday.name_en if lang == "en" else holiday.name_zh, n),
            "holiday_date": dates[lang],
            "ahead_note": text.constant(
                ctx.talking_points.clauses["greeting_ahead"][lang] if ahead else "", n),
        }
        for lang in LANGUAGES
    }
    facts = [("holiday", text.json_string(text.constant(holiday.code, n))),
             ("date", text.json_date(when))]
    return make_reasons(ctx, rows["customer_id"].to_numpy(), np.full(n, "holiday", dtype=object),
                        np.full(n, ctx.rules.assignment.reasons["holiday"].urgency), facts,
                        display)


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

