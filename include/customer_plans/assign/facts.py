"""The typed facts each contact reason stores in ``plan_contacts.reasons``.

A reason is stored as ``{"code", "level", "facts": {...}}``: codes, amounts, dates, counts
and ids, never words. This table is what assignment writes for each reason code (the
candidate builders must give exactly these facts); ``customer_plans.words.reasons``
declares how render speaks each of them, and the start-up check holds the two together.
"""

from __future__ import annotations

REASON_FACTS: dict[str, tuple[str, ...]] = {
    # the customer's latest open complaint: its id, category code and the day it was opened
    "service_recovery": ("complaint_id", "category", "opened_date"),
    # the maturing account; rate_pct only for the product kinds the rules let a reason quote
    # (assignment.quote_rate_for), else null
    "maturity_due": ("account_id", "product_kind", "amount_cny", "maturity_date",
                     "days_to_maturity", "rate_pct"),
    "maturity_upcoming": ("account_id", "product_kind", "amount_cny", "maturity_date",
                          "days_to_maturity", "rate_pct"),
    # signals: the heaviest churn signals, each the segment's own object (code and facts)
    "retention_top_tier": ("tier_code", "churn_score", "churn_level", "signals"),
    "retention": ("tier_code", "churn_score", "churn_level", "signals"),
    # the previous plan's contact: its date, status code and reason codes
    "carried_over": ("from_date", "first_planned_date", "previous_status", "previous_level",
                     "previous_manager_id", "previous_reasons"),
    # last_reached_date and days_since_contact are null when no contact was ever reached
    "cadence_overdue_top_tier": ("tier_code", "cadence_days", "last_reached_date",
                                 "days_since_contact"),
    "cadence_overdue": ("tier_code", "cadence_days", "last_reached_date", "days_since_contact"),
    "tier_downgrade": ("from_tier", "to_tier"),
    "tier_upgrade": ("from_tier", "to_tier"),
    # the birthday this year; greeting_ahead: greeted before it (the day is not worked)
    "birthday": ("birthday", "greeting_ahead"),
    "holiday": ("holiday", "holiday_date", "greeting_ahead"),
    "idle_balance": ("amount_cny",),
    "new_customer_follow_up": ("day",),
    "post_sale_follow_up": ("purchase_date", "days"),
}
