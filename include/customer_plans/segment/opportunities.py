"""Reasons to contact a customer, as facts for the assignment stage.

Each opportunity is a JSON object ``{"code": ..., facts...}``; a customer's list is in a
fixed order (maturities by date, then the codes below in this order). A customer whose
relationship is closed has none (assignment excludes them anyway).

- ``maturity``: an open product maturing from today to ``opportunities.maturity_within_days``
  ahead (one entry per product: account, kind, name, amount, date, days until, rate)
- ``birthday``: the next birthday is at most ``birthday_within_days`` away (0 = today)
- ``idle_balance``: current-account balance at or above ``idle_current_balance_min_cny``
- ``tier_upgrade`` / ``tier_downgrade``: the tier changed today
- ``new_customer_follow_up``: days since onboarding is one of ``new_customer_follow_up_days``
  or up to ``follow_up_grace_days`` after it: ``day`` (the follow-up day, the latest due),
  ``days`` (days since onboarding), ``date`` (the onboarding date)
- ``post_sale_follow_up``: the same for the last product purchase (``date`` = purchase date)
- ``cadence_overdue``: days since the last reached contact exceed the tier's
  ``assignment.cadence_days``; with no reached contact in the contact window
  (``familiarity.contact_window_days``) it is overdue when the cadence is not longer than the
  window and the customer was onboarded more than a cadence ago
- ``service_recovery``: a complaint is open (the latest opened is named, with the count)
"""

from __future__ import annotations

import numpy as np

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js
from customer_plans.segment.churn import open_complaints
from customer_plans.segment.inputs import Inputs, days_between, year_month_day

OPPORTUNITY_CODES = (
    "maturity", "birthday", "idle_balance", "tier_upgrade", "tier_downgrade",
    "new_customer_follow_up", "post_sale_follow_up", "cadence_overdue", "service_recovery",
)


def _make_day(years: np.ndarray, months: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Dates from year, month and day arrays; 29 February becomes the 28th in common years."""
    leap = ((years % 4 == 0) & (years % 100 != 0)) | (years % 400 == 0)
    days = np.where((months == 2) & (days == 29) & ~leap, 28, days)
    first = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]")
    return ((first + (months - 1).astype("timedelta64[M]")).astype("datetime64[D]")
            + (days - 1).astype("timedelta64[D]"))


def next_birthday(day: np.datetime64, birth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The next birthday on or after ``day`` and the age then; NaT/NaN without a birth date."""
    birth = np.asarray(birth, dtype="datetime64[D]")
    known = ~np.isnat(birth)
    b_years, months, days = year_month_day(np.where(known, birth, day))
    year = int(np.datetime64(day, "Y").astype(np.int64)) + 1970
    this_year = _make_day(np.full(len(birth), year), months, days)
    upcoming = np.where(this_year >= day, this_year,
                        _make_day(np.full(len(birth), year + 1), months, days))
    age = upcoming.astype("datetime64[Y]").astype(np.int64) + 1970 - b_years
    return (np.where(known, upcoming, np.datetime64("NaT", "D")),
            np.where(known, age, np.nan))


def _follow_up(since: np.ndarray, follow_up_days: list[int], grace: int) -> np.ndarray:
    """The latest follow-up day that is due (0..grace days ago), NaN where none is."""
    due_day = np.full(len(since), np.nan)
    for follow_up_day in sorted(follow_up_days):  # a loop over the rule's days
        late = since - follow_up_day
        due_day = np.where((late >= 0) & (late <= grace), follow_up_day, due_day)
    return due_day


class _Items:
    """The opportunity items, in list order: ``(positions, JSON objects)``."""

    def __init__(self, allowed: np.ndarray):
        self.allowed, self.parts = allowed, []

    def add(self, mask: np.ndarray, build) -> None:
        at = np.flatnonzero(mask & self.allowed)
        self.parts.append((at, build(at)))


def compute_opportunities(inputs: Inputs, tiers: dict[str, object],
                          relationship_closed: np.ndarray, rules: Rules) -> dict[str, object]:
    """The JSON list of opportunities and their count for each customer."""
    opp = rules.opportunities
    base = inputs.base
    day = inputs.day
    n = inputs.size
    items = _Items(~relationship_closed)

    # maturities: one entry per product, by date then account
    accounts = inputs.accounts
    until = days_between(accounts["maturity_date"].to_numpy(), day)
    due = accounts["is_open"].to_numpy() & (until >= 0) & (until <= opp.maturity_within_days)
    maturing = accounts[due].assign(days_until=until[due])
    maturing = maturing[~relationship_closed[maturing["pos"].to_numpy()]]
    maturing = maturing.sort_values(["pos", "maturity_date", "account_id"])
    amount = maturing["principal_cny"].fillna(maturing["balance_cny"]).to_numpy()
    items.parts.append((maturing["pos"].to_numpy(), js.obj({
        "account_id": js.string(maturing["account_id"]),
        "amount_cny": js.number(amount),
        "code": '"maturity"',
        "days_until": js.integer(maturing["days_until"].to_numpy()),
        "interest_rate_pct": js.number(maturing["interest_rate_pct"].to_numpy(), 3),
        "maturity_date": js.day(maturing["maturity_date"].to_numpy()),
        "product_kind": js.string(maturing["product_kind"]),
        "product_name": js.string(maturing["product_name"]),
    })))

    upcoming, age = next_birthday(day, base["birth_date"].to_numpy())
    to_birthday = days_between(upcoming, day)
    items.add(to_birthday <= opp.birthday_within_days, lambda at: js.obj({
        "age": js.integer(age[at]), "birthday_date": js.day(upcoming[at]),
        "code": '"birthday"', "days_until": js.integer(to_birthday[at]),
    }))

    current = base["current_balance_cny"].to_numpy()
    items.add(current >= opp.idle_current_balance_min_cny, lambda at: js.obj({
        "amount_cny": js.number(current[at]), "code": '"idle_balance"',
        "threshold_cny": js.number(np.full(len(at), opp.idle_current_balance_min_cny)),
    }))

    tier_codes = [level.code for level in rules.tiers.levels]
    tier_index, previous_index = tiers["_tier_index"], tiers["_previous_index"]
    change = tiers["_change_index"]  # labels.TIER_CHANGES: up, down, same, new
    for change_index, code in ((0, "tier_upgrade"), (1, "tier_downgrade")):
        items.add(change == change_index, lambda at, code=code: js.obj({
            "code": f'"{code}"',
            "from_tier": js.pick_json([*tier_codes, None], previous_index[at]),
            "to_tier": js.pick_json(tier_codes, tier_index[at]),
        }))

    since_onboarding = days_between(day, base["onboarding_date"].to_numpy())
    onboarding_due = _follow_up(since_onboarding, opp.new_customer_follow_up_days,
                                opp.follow_up_grace_days)
    items.add(~np.isnan(onboarding_due), lambda at: js.obj({
        "code": '"new_customer_follow_up"',
        "date": js.day(base["onboarding_date"].to_numpy()[at]),
        "day": js.integer(onboarding_due[at]),
        "days": js.integer(since_onboarding[at]),
    }))

    purchase = base["last_product_purchase_date"].to_numpy()
    since_purchase = days_between(day, purchase)
    purchase_due = _follow_up(since_purchase, opp.post_sale_follow_up_days,
                              opp.follow_up_grace_days)
    items.add(~np.isnan(purchase_due), lambda at: js.obj({
        "code": '"post_sale_follow_up"',
        "date": js.day(purchase[at]),
        "day": js.integer(purchase_due[at]),
        "days": js.integer(since_purchase[at]),
    }))

    cadence_of_tier = np.array([rules.assignment.cadence_days[code] for code in tier_codes],
                               dtype="float64")
    cadence = cadence_of_tier[tier_index]
    window = rules.familiarity.contact_window_days
    last_reached = base["last_reached_date"].to_numpy()
    since_reached = days_between(day, last_reached)
    never = np.isnan(since_reached)
    overdue = np.where(never, (cadence <= window) & (since_onboarding > cadence),
                       since_reached > cadence)
    items.add(overdue, lambda at: js.obj({
        "cadence_days": js.integer(cadence[at]), "code": '"cadence_overdue"',
        "days_since_contact": js.integer(since_reached[at]),
        "last_reached_date": js.day(last_reached[at]),
    }))

    complaints = open_complaints(inputs).sort_values(
        ["pos", "opened_date", "complaint_id"], ascending=[True, False, True])
    open_count = np.bincount(complaints["pos"], minlength=n)
    latest = complaints.drop_duplicates("pos")
    has_open = np.zeros(n, dtype=bool)
    has_open[latest["pos"].to_numpy()] = True
    row_of = np.full(n, -1)
    row_of[latest["pos"].to_numpy()] = np.arange(len(latest))

    def complaint_item(at: np.ndarray) -> list:
        rows = latest.iloc[row_of[at]]
        opened = rows["opened_date"].to_numpy(dtype="datetime64[D]")
        return js.obj({
            "category": js.string(rows["category"]), "code": '"service_recovery"',
            "complaint_id": js.string(rows["complaint_id"]),
            "days_open": js.integer(days_between(day, opened)),
            "open_complaints": js.integer(open_count[at]), "opened_date": js.day(opened),
        })

    items.add(has_open, complaint_item)

    count = np.zeros(n, dtype=np.int64)
    for at, _ in items.parts:
        count += np.bincount(at, minlength=n)
    return {"opportunities": js.join_list(items.parts, n), "opportunity_count": count}
