"""Why was a customer on a list on a business date, or why not: the auditor's question.

Reads only what the run recorded (segments, plan_contacts, plan_exclusions), so
the answer is what the plan said at the time, not a recomputation.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa

from customer_plans.db import make_engine, statement

# each part of the answer: the table it reads (absent: no answer) and its SQL file
_QUERIES = {
    "segment": ("segments", "plans/segments_for_customer.sql"),
    "contacts": ("plan_contacts", "plans/plan_contacts_for_customer.sql"),
    "exclusions": ("plan_exclusions", "plans/plan_exclusions_for_customer.sql"),
}
_JSON_COLUMNS = {"churn_signals", "opportunities", "explanation", "reasons", "dropped_reasons"}


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if key in _JSON_COLUMNS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def _delivery(conn: sa.Connection, business_date: str, list_id: str) -> dict[str, Any] | None:
    """The latest ledger row of the list the customer is on: how far it got, to whom (kind)."""
    kind = "pool" if list_id.startswith("POOL-") else "plan"
    row = conn.execute(statement("plans/mail_deliveries_latest_for_document.sql"),
                       {"d": business_date, "kind": kind, "key": list_id}).first()
    return _decode(dict(row._mapping)) if row else None


def explain_customer(plans_db_url: str, business_date: date, customer_id: str) -> dict[str, Any]:
    """The recorded segment, list placement (with reasons) and exclusions of one customer."""
    engine = make_engine(plans_db_url)
    params = {"business_date": business_date.isoformat(), "customer_id": customer_id}
    answer: dict[str, Any] = {"business_date": params["business_date"], "customer_id": customer_id}
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        for name, (table, sql_file) in _QUERIES.items():
            if not inspector.has_table(table):
                answer[name] = None
                continue
            rows = [_decode(dict(r._mapping)) for r in conn.execute(statement(sql_file), params)]
            answer[name] = rows[0] if name == "segment" and rows else (rows or None)
        if answer["contacts"] and inspector.has_table("mail_deliveries"):
            answer["delivery"] = _delivery(conn, params["business_date"],
                                           answer["contacts"][0]["manager_id"])
    engine.dispose()
    if answer["contacts"]:
        contact = answer["contacts"][0]
        pool = str(contact["manager_id"]).startswith("POOL-")
        answer["verdict"] = (
            f"listed {'on the branch pool list' if pool else 'for'} {contact['manager_id']} "
            f"({contact['status']}, rank {contact['rank']}, level {contact['priority_level']})"
            + (": customers whose manager left or who have none; the list goes to the branch "
               "head" if pool else "")
        )
        if contact.get("assignment_reason"):  # pool takeover: why on the pool, what happened
            answer["verdict"] += (
                f"; taken over from the branch pool ({contact['assignment_reason']})"
                if contact.get("assignment") == "pool_takeover"
                else f"; left on the pool ({contact['assignment_reason']})")
        delivery = answer.get("delivery")
        if delivery:
            answer["verdict"] += (f"; the list's delivery: {delivery['status']} "
                                  f"({delivery['transport']}, to the {delivery['recipient_kind']})")
    elif answer["exclusions"]:
        codes = ", ".join(e["reason_code"] for e in answer["exclusions"])
        answer["verdict"] = f"not listed: {codes}"
    elif answer["segment"]:
        answer["verdict"] = "not listed: no reason to contact on this date"
    else:
        answer["verdict"] = "no record of this customer on this business date"
    return answer
