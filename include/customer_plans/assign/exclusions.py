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
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from customer_plans.assign import text
from customer_plans.assign.candidates import open_complaints
from customer_plans.assign.inputs import Inputs, frame, member

EXCLUSION_ORDER = (
    "quarantined", "closed", "restricted", "do_not_contact", "no_marketing_consent",
    "open_complaint", "recently_contacted",
)

EXCLUSION_DETAIL = {
    "quarantined": "customer's data quarantined by validation for the business date",
    "closed": "relationship closed",
    "restricted": "customer on the restricted list",
    "do_not_contact": "customer asked not to be contacted",
    "no_marketing_consent": "no marketing consent: sales reasons dropped, service reasons kept",
    "open_complaint": "open complaint: sales reasons replaced by service_recovery",
}

# columns of the dropped-reason rows handed to the exclusion table
DROPPED_COLUMNS = ("customer_id", "pos", "exclusion", "code", "detail", "item")


def last_completed_contact(ctx: Inputs) -> pd.Series:
    """Each customer's latest completed contact day on or before the business date."""
    contacts = ctx.contacts
    done = contacts["outcome"].isin(ctx.rules.assignment.completed_outcomes).to_numpy() & (
        contacts["contact_day"].to_numpy() <= ctx.day)
    return contacts.loc[done].groupby("customer_id")["contact_day"].max()


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
    last_day = last.reindex(customer).to_numpy(dtype="datetime64[D]")
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
    closed_text = text.join(["relationship closed on ", pc.fill_null(
        text.iso_date(closed_date[d]), "")], m)
    last_text = text.join([
        "last completed contact ", pc.fill_null(text.iso_date(last_day[d]), ""),
        " (", text.integer(np.where(np.isfinite(days_since[d]), days_since[d], 0)),
        " day(s) before the business date); suppressed"], m)
    detail = text.strings(pd.Series(exclusion[d]).map(EXCLUSION_DETAIL).to_numpy(dtype=object))
    detail = text.choose(exclusion[d] == "recently_contacted", last_text, detail, m)
    detail = text.choose((exclusion[d] == "closed") & ~np.isnat(closed_date[d]), closed_text,
                         detail, m)
    item = text.choose(
        exclusion[d] == "recently_contacted",
        text.join([text.strings(codes[d]), " for ", text.integer(suppress_days[d]), " days"], m),
        "", m)
    dropped = frame({
        "customer_id": customer[d],
        "pos": pos[d],
        "exclusion": exclusion[d],
        "code": codes[d],
        "detail": text.as_series(detail),
        "item": text.as_series(item),
    })
    return kept, dropped
