"""Hand-built inputs for the assignment tests: a tiny bank whose every fact a test sets.

``Bank`` holds segments rows (per the docs/pipeline.md contract) and staging rows; each test
adds the managers and customers it needs and overrides only the facts it is about.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

BUSINESS_DATE = date(2026, 11, 20)  # a Friday: its plan is worked on Saturday 21 Nov
WEEKDAY_DATE = date(2026, 11, 17)  # a Tuesday: its plan is worked on Wednesday 18 Nov

TIER_RANK = {"private": 1, "diamond": 2, "platinum": 3, "gold": 4, "mass": 5}


@dataclass
class Bank:
    business_date: date = BUSINESS_DATE
    segments: list[dict] = field(default_factory=list)
    customers: list[dict] = field(default_factory=list)
    managers: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    complaints: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    restricted: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)

    def manager(self, manager_id: str, branch_id: str = "B1", calls: int = 20, visits: int = 3,
                status: str = "active", backup: str | None = None, **extra) -> Bank:
        self.managers.append({
            "manager_id": manager_id, "branch_id": branch_id, "daily_call_capacity": calls,
            "daily_visit_capacity": visits, "status": status, "leave_start_date": None,
            "leave_end_date": None, "left_date": None, "backup_manager_id": backup, **extra,
        })
        return self

    def customer(self, customer_id: str, manager_id: str | None = "M1", branch_id: str = "B1",
                 tier: str = "gold", opportunities: list[dict] | None = None,
                 signals: list[dict] | None = None, consent: int = 1, dnc: int = 0,
                 preferred: str = "phone", birth_date: date | None = date(1980, 1, 15),
                 closed_date: date | None = None, mobile_phone: str | None = "13800138000",
                 email: str | None = "customer@example.com",
                 address: str | None = "上海市静安区南京西路1号", **segment) -> Bank:
        self.segments.append({
            "business_date": self.business_date, "customer_id": customer_id,
            "manager_id": manager_id, "branch_id": branch_id, "aum_cny": 100_000.0,
            "aum_adb_cny": 100_000.0, "tier_code": tier, "tier_rank": TIER_RANK[tier],
            "previous_tier_code": tier, "tier_change": "same", "familiarity": "medium",
            "man_difficulty": 4, "lifecycle_stage": "stable", "churn_score": 10.0,
            "churn_level": "low", "churn_signals": json.dumps(signals or [], ensure_ascii=False),
            "opportunities": json.dumps(opportunities or [], ensure_ascii=False), **segment,
        })
        self.customers.append({
            "customer_id": customer_id, "birth_date": birth_date, "closed_date": closed_date,
            "branch_id": branch_id, "manager_id": manager_id, "preferred_channel": preferred,
            "marketing_consent": consent, "do_not_contact": dnc, "mobile_phone": mobile_phone,
            "email": email, "address": address,
        })
        return self

    def maturity(self, customer_id: str, days: int, kind: str = "time_deposit",
                 amount: float = 300_000.0, rate: float = 1.75, account_id: str | None = None,
                 ) -> Bank:
        self.accounts.append({
            "account_id": account_id or f"A-{customer_id}-{len(self.accounts)}",
            "customer_id": customer_id, "product_kind": kind, "closed_date": None,
            "maturity_date": self.business_date + timedelta(days=days),
            "interest_rate_pct": rate, "principal_cny": amount, "balance_cny": amount,
        })
        return self

    def complaint(self, customer_id: str, opened: date | None = None,
                  closed: date | None = None, category: str = "fees") -> Bank:
        self.complaints.append({
            "complaint_id": f"C-{customer_id}-{len(self.complaints)}", "customer_id": customer_id,
            "opened_date": opened or self.business_date - timedelta(days=5),
            "closed_date": closed, "status": "closed" if closed else "open",
            "category": category,
        })
        return self

    def contact(self, customer_id: str, day: date, outcome: str = "reached",
                channel: str = "phone", manager_id: str = "M1") -> Bank:
        self.contacts.append({
            "contact_id": f"K{len(self.contacts)}", "customer_id": customer_id,
            "manager_id": manager_id, "contact_ts": datetime.combine(day, datetime.min.time())
            + timedelta(hours=10), "channel": channel, "initiated_by": "manager",
            "purpose": "service", "outcome": outcome,
        })
        return self

    # ------------------------------------------------------------ frames

    def segments_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.segments)

    def frames(self) -> dict[str, pd.DataFrame]:
        def frame(rows, columns, dates=()):
            out = pd.DataFrame(rows, columns=columns)
            for column in dates:
                out[column] = pd.to_datetime(out[column])
            return out

        frames = {
            "customers": frame(self.customers, [
                "customer_id", "birth_date", "closed_date", "branch_id", "manager_id",
                "preferred_channel", "marketing_consent", "do_not_contact", "mobile_phone",
                "email", "address"], ["birth_date", "closed_date"]),
            "managers": frame(self.managers, [
                "manager_id", "branch_id", "daily_call_capacity", "daily_visit_capacity",
                "status", "leave_start_date", "leave_end_date", "left_date",
                "backup_manager_id"], ["leave_start_date", "leave_end_date", "left_date"]),
            "accounts": frame(self.accounts, [
                "account_id", "customer_id", "product_kind", "closed_date", "maturity_date",
                "interest_rate_pct", "principal_cny", "balance_cny"],
                ["closed_date", "maturity_date"]),
            "complaints": frame(self.complaints, [
                "complaint_id", "customer_id", "opened_date", "closed_date", "status",
                "category"], ["opened_date", "closed_date"]),
            "recent_contacts": frame(self.contacts, [
                "contact_id", "customer_id", "manager_id", "contact_ts", "channel",
                "initiated_by", "purpose", "outcome"], ["contact_ts"]),
            "restricted_list": pd.DataFrame({"customer_id": self.restricted,
                                             "reason_code": "aml",
                                             "listed_date": pd.Timestamp("2026-01-01")}),
        }
        if self.quarantined:
            frames["quarantine"] = pd.DataFrame({"customer_id": self.quarantined})
        return frames


def run(bank: Bank, rules, carry_over: pd.DataFrame | None = None):
    """``assign_contacts`` on the bank: (contacts, exclusions, feedback)."""
    from customer_plans.assign import assign_contacts

    return assign_contacts(bank.segments_frame(), bank.frames(), bank.business_date, rules,
                           carry_over=carry_over)


def reasons_of(contacts: pd.DataFrame, customer_id: str) -> list[str]:
    row = contacts.loc[contacts["customer_id"] == customer_id]
    return [] if row.empty else row["reason_codes"].iloc[0].split()


def one(contacts: pd.DataFrame, customer_id: str) -> pd.Series:
    rows = contacts.loc[contacts["customer_id"] == customer_id]
    assert len(rows) == 1, f"expected {customer_id} once, found {len(rows)}"
    return rows.iloc[0]


def stored_reasons(contact: pd.Series) -> list[dict]:
    """A contact's reasons as stored: ``{"code", "level", "facts"}`` each."""
    return json.loads(contact["reasons"])


def spoken(contact: pd.Series, rules, language: str):
    """A contact's reasons in a language's words (what render prints), most urgent first."""
    from customer_plans.words import words_in
    from customer_plans.words.reasons import reason_words

    return [reason_words(words_in(language), reason, currency=rules.currency, rules=rules)
            for reason in stored_reasons(contact)]


def said(contact: pd.Series, rules, language: str) -> str:
    """What the manager is told to say for all of a contact's reasons, one line each."""
    return "\n".join(words.say for words in spoken(contact, rules, language))
