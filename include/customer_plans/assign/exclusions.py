"""Who must not be contacted today, and for which reasons: every drop is recorded.

Each candidate reason gets at most one exclusion code, the first that applies in
:data:`EXCLUSION_ORDER`:

- ``quarantined``: the customer's data failed validation today (all reasons);
- ``closed``: the relationship is closed (closed_date on or before the business date, or the
  lifecycle stage ``lost``) (all reasons);
- ``restricted``: on the restricted list (all reasons);
- ``do_not_contact``: the customer asked not to be contacted (all reasons);
- ``no_marketing_consent``: sales reasons only; service reasons (rules ``service: true``)
  stay;
- ``open_complaint``: sales reasons of a customer with an open complaint; the contact becomes
  ``service_recovery``;
- ``recently_contacted``: the customer had a completed contact (rules
  ``completed_outcomes``) on one of the reason's last ``suppress_days`` days up to the business
  date; never for level-1 reasons.

Each exclusion records its facts, not words (``detail``: canonical JSON, keys sorted, for
``explain`` to say in the reader's language): ``closed`` ``{"closed_date"}`` (or
``{"lifecycle_stage": "lost"}`` without a closing date), ``recently_contacted``
``{"channel", "last_contact_date", "suppress_days": {reason code: days}}`` (the channel null
when not known), the others ``{}``: their code says it all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from customer_plans.assign import text
from customer_plans.assign.candidates import open_complaints
from customer_plans.assign.inputs import Inputs, frame, member

EXCLUSION_ORDER = (
    "quarantined", "closed", "restricted", "do_not_contact", "no_marketing_consent",
    "open_complaint", "recently_contacted",
)

# columns of the dropped-reason rows handed to the exclusion table: ``detail`` is the
# exclusion's facts for the customer, canonical JSON (the same on each reason it dropped)
DROPPED_COLUMNS = ("customer_id", "pos", "exclusion", "code", "detail")


def last_completed_contact(ctx: Inputs) -> pd.DataFrame:
    """Each customer's latest completed contact day on or before the business date (``day``)
    and its ``channel`` (None when not recorded, or when that day's completed contacts went by
    several channels), indexed by customer id."""
    contacts = ctx.contacts
    done = contacts["outcome"].isin(ctx.rules.assignment.completed_outcomes).to_numpy() & (
        contacts["contact_day"].to_numpy() <= ctx.day)
    done = contacts.loc[done, ["customer_id", "contact_day", "channel"]]
    last = done.groupby("customer_id")["contact_day"].transform("max")
    on_last = done.loc[done["contact_day"] == last].groupby("customer_id")
    channel = on_last["channel"].first().where(on_last["channel"].nunique() == 1)
    return pd.DataFrame({"day": on_last["contact_day"].first(),
                         "channel": channel.astype(object).where(channel.notna(), None)})


def _suppress_windows(pos: np.ndarray, codes: np.ndarray, days: np.ndarray,
                      rows: np.ndarray) -> pa.Array:
    """For each of ``rows`` (indexes of dropped reasons): the suppression window of every reason
    its customer (``pos``) lost to a recent contact, a JSON object ``{code: days}`` (keys
    sorted); ``{}`` on the other rows."""
    if len(rows) == 0:
        return text.constant("{}", len(pos))
    order = rows[np.lexsort((codes[rows].astype(str), pos[rows]))]
    change = np.ones(len(order), dtype=bool)
    change[1:] = pos[order][1:] != pos[order][:-1]
    starts = np.flatnonzero(change)
    sizes = np.diff(np.append(starts, len(order)))
    members = text.join([text.json_string(text.strings(codes[order])), ":",
                         text.json_integer(days[order])], len(order))
    objects = text.join(["{", text.group_join(members, sizes, ","), "}"], len(starts))
    group = np.full(len(pos), -1, dtype=np.int64)
    group[order] = np.cumsum(change) - 1
    return pc.fill_null(objects.take(pa.array(group, mask=group < 0)), "{}")


def apply_exclusions(reasons: pd.DataFrame, ctx: Inputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split candidate reasons into those kept and those dropped (with the exclusion code)."""
    people = ctx.people
    pos = ctx.positions(reasons["customer_id"])
    if (pos < 0).any():
        raise ValueError("apply_exclusions: every reason must belong to a segmented customer")
    rules = ctx.rules.assignment
    n = len(reasons)
    codes = reasons["code"].to_numpy(dtype=object)
    service = reasons["service"].to_numpy(dtype=bool)
    level = reasons["level"].to_numpy()
    customer = reasons["customer_id"].to_numpy(dtype=object)

    closed_date = people["closed_date"].to_numpy()[pos]
    is_closed = (~np.isnat(closed_date) & (closed_date <= ctx.day)) | (
        people["lifecycle_stage"].to_numpy()[pos] == "lost")
    complaint_customers = open_complaints(ctx)["customer_id"].to_numpy(dtype=object)
    last = last_completed_contact(ctx)
    last_day = last["day"].reindex(customer).to_numpy(dtype="datetime64[D]")
    days_since = np.where(np.isnat(last_day), np.inf,
                          (ctx.day - last_day).astype("timedelta64[D]").astype("float64"))
    suppress_days = pd.Series(codes).map(
        {c: r.suppress_days for c, r in rules.reasons.items()}).to_numpy(dtype="float64")

    tests = {
        "quarantined": member(customer, ctx.quarantined),
        "closed": is_closed,
        "restricted": member(customer, ctx.restricted),
        "do_not_contact": people["do_not_contact"].to_numpy()[pos],
        "no_marketing_consent": ~service & ~people["marketing_consent"].to_numpy()[pos],
        "open_complaint": ~service & member(customer, complaint_customers),
        "recently_contacted": (level > 1) & (suppress_days > 0) & (days_since < suppress_days),
    }
    exclusion = np.full(n, None, dtype=object)
    for name in reversed(EXCLUSION_ORDER):  # the first in order wins: assign it last
        exclusion[tests[name]] = name
    dropped_mask = exclusion != None  # noqa: E711 - element-wise comparison
    kept = reasons.loc[~dropped_mask].reset_index(drop=True)

    d = np.flatnonzero(dropped_mask)
    m = len(d)
    # the facts of each exclusion (canonical JSON, keys sorted; {} when the code says it all)
    closed_on = (exclusion[d] == "closed") & ~np.isnat(closed_date[d]) & (
        closed_date[d] <= ctx.day)
    lost = (exclusion[d] == "closed") & ~closed_on
    recent = exclusion[d] == "recently_contacted"
    channel = last["channel"].reindex(customer[d]).to_numpy(dtype=object)
    recent_facts = text.json_object([
        ("channel", text.json_string(text.strings(np.where(recent, channel, None)))),
        ("last_contact_date", text.json_date(last_day[d])),
        ("suppress_days", _suppress_windows(pos[d], codes[d], suppress_days[d],
                                            np.flatnonzero(recent))),
    ], m)
    detail = text.choose(recent, recent_facts, "{}", m)
    detail = text.choose(closed_on, text.json_object(
        [("closed_date", text.json_date(closed_date[d]))], m), detail, m)
    detail = text.choose(lost, '{"lifecycle_stage":"lost"}', detail, m)
    dropped = frame({
        "customer_id": customer[d],
        "pos": pos[d],
        "exclusion": exclusion[d],
        "code": codes[d],
        "detail": text.as_series(detail),
    })
    return kept, dropped
