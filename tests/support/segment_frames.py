"""Staging frames for tests and benchmarks: hand-written rows, or N random customers.

``build_frames`` fills every column segmentation reads with a neutral default, so a test
names only what it is about. ``synthetic_frames`` makes a large random book with numpy
(no database), fast enough for a million customers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from customer_plans.segment.inputs import REQUIRED_COLUMNS

PROFILE_DEFAULTS: dict[str, Any] = {
    "mobile_phone": "13800000000", "email": "someone@example.com", "address": "1 Road",
    "occupation": "engineer", "employer": "Acme", "annual_income_cny": 200000.0,
    "risk_profile": "R3",
}

DEFAULTS: dict[str, dict[str, Any]] = {
    "customers": {
        "birth_date": date(1980, 6, 15), "is_primary_holder": 1,
        "onboarding_date": date(2020, 1, 1), "closed_date": None, "branch_id": "B001",
        "manager_id": "M001", **PROFILE_DEFAULTS,
    },
    "accounts": {
        "product_kind": "current", "product_name": "Current account",
        "opened_date": date(2020, 1, 1), "closed_date": None, "maturity_date": None,
        "interest_rate_pct": None, "principal_cny": None, "balance_cny": 10000.0,
    },
    "customer_balances": {
        "aum_cny": 100000.0, "aum_adb_cny": 100000.0, "aum_avg7_cny": 100000.0,
        "aum_avg7_30d_ago_cny": 100000.0, "aum_avg7_90d_ago_cny": 100000.0,
        "current_balance_cny": 10000.0,
    },
    "transaction_summary": {
        "salary_credits_30d": 1, "salary_credits_31_60d": 1, "salary_credits_61_90d": 1,
        "last_salary_credit_date": None, "transfer_out_other_bank_90d_cny": 0.0,
        "last_customer_txn_date": None, "last_product_purchase_date": None,
    },
    "contact_summary": {
        "reached_contacts_90d": 0, "last_reached_date": None, "last_enquiry_date": None,
    },
    "complaints": {"category": "service", "opened_date": None, "closed_date": None},
}

DATE_FIELDS = {
    "birth_date", "onboarding_date", "closed_date", "opened_date", "maturity_date",
    "last_salary_credit_date", "last_customer_txn_date", "last_product_purchase_date",
    "last_reached_date", "last_enquiry_date",
}


def _frame(table: str, rows: Iterable[Mapping[str, Any]], extra: Iterable[str] = ()
           ) -> pd.DataFrame:
    columns = list(REQUIRED_COLUMNS[table]) + [c for c in extra
                                                if c not in REQUIRED_COLUMNS[table]]
    records = [{**DEFAULTS[table], **row} for row in rows]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in columns:
        if column in DATE_FIELDS:
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    return frame


def build_frames(customers: Iterable[Mapping[str, Any]] = (),
                 accounts: Iterable[Mapping[str, Any]] = (),
                 customer_balances: Iterable[Mapping[str, Any]] = (),
                 transaction_summary: Iterable[Mapping[str, Any]] = (),
                 contact_summary: Iterable[Mapping[str, Any]] = (),
                 complaints: Iterable[Mapping[str, Any]] = ()) -> dict[str, pd.DataFrame]:
    """Staging frames from a few rows each; unspecified columns take neutral defaults."""
    accounts = [{"account_id": f"A{i:06d}", **row} for i, row in enumerate(accounts)]
    complaints = [{"complaint_id": f"Q{i:06d}", **row} for i, row in enumerate(complaints)]
    return {
        "customers": _frame("customers", customers, PROFILE_DEFAULTS),
        "accounts": _frame("accounts", accounts),
        "customer_balances": _frame("customer_balances", customer_balances),
        "transaction_summary": _frame("transaction_summary", transaction_summary),
        "contact_summary": _frame("contact_summary", contact_summary),
        "complaints": _frame("complaints", complaints),
    }


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    return prefix + pd.Series(numbers.astype(np.int64)).astype("str").str.zfill(width)


def _days(day: np.datetime64, offsets: np.ndarray, missing: np.ndarray | None = None
          ) -> np.ndarray:
    values = (day - offsets.astype("timedelta64[D]")).astype("datetime64[s]")
    if missing is not None:
        values[missing] = np.datetime64("NaT")
    return values


def synthetic_frames(customers: int, business_date: date, seed: int = 0
                     ) -> dict[str, pd.DataFrame]:
    """A random book of ``customers`` customers with every extract, built with numpy."""
    rng = np.random.default_rng(seed)
    n = customers
    day = np.datetime64(business_date, "D")
    ids = _ids("C", np.arange(n), 9)

    def sometimes(share: float, size: int = n) -> np.ndarray:
        return rng.random(size) < share

    def text(values: list[str], share: float) -> pd.Series:
        chosen = pd.Series(np.asarray(values, dtype=object)[rng.integers(0, len(values), n)],
                           dtype="str")
        return chosen.where(sometimes(share))

    customers_frame = pd.DataFrame({
        "customer_id": ids,
        "birth_date": _days(day, rng.integers(18 * 365, 85 * 365, n), sometimes(0.02)),
        "is_primary_holder": (rng.random(n) < 0.95).astype(np.int64),
        "onboarding_date": _days(day, rng.integers(0, 20 * 365, n)),
        "closed_date": _days(day, rng.integers(0, 300, n), ~sometimes(0.02)),
        "branch_id": _ids("B", rng.integers(0, max(n // 2000, 1), n), 4),
        "manager_id": _ids("M", rng.integers(0, max(n // 200, 1), n), 6),
        "mobile_phone": text(["13800000000", "13900000000"], 0.95),
        "email": text(["a@example.com", "b@example.com"], 0.6),
        "address": text(["1 Road", "2 Street"], 0.7),
        "occupation": text(["engineer", "teacher", "doctor"], 0.6),
        "employer": text(["Acme", "Globex"], 0.5),
        "annual_income_cny": np.where(sometimes(0.5), rng.lognormal(12, 0.6, n), np.nan),
        "risk_profile": text(["R1", "R2", "R3", "R4", "R5"], 0.8),
    })

    # accounts: one to five per customer
    per_customer = rng.integers(1, 6, n)
    owner = np.repeat(np.arange(n), per_customer)
    m = len(owner)
    kinds = np.array(["current", "savings", "time_deposit", "wealth", "fund", "insurance",
                      "loan", "credit_card"], dtype=object)
    kind = kinds[rng.choice(len(kinds), m, p=[.3, .15, .2, .12, .08, .05, .05, .05])]
    term = np.isin(kind, ["time_deposit", "wealth"])
    principal = rng.lognormal(11, 1.2, m)
    accounts_frame = pd.DataFrame({
        "account_id": _ids("A", np.arange(m), 11),
        "customer_id": ids.to_numpy()[owner],
        "product_kind": pd.Series(kind, dtype="str"),
        "product_name": pd.Series(kind, dtype="str"),
        "opened_date": _days(day, rng.integers(0, 10 * 365, m)),
        "closed_date": _days(day, rng.integers(0, 90, m), ~sometimes(0.08, m)),
        "maturity_date": _days(day, rng.integers(-365, 60, m), ~term),
        "interest_rate_pct": np.where(term, rng.uniform(1.0, 3.5, m), np.nan),
        "principal_cny": np.where(term, principal, np.nan),
        "balance_cny": principal,
    })

    has_balance = np.flatnonzero(sometimes(0.97))
    k = len(has_balance)
    aum = rng.lognormal(11, 1.5, k)
    balances_frame = pd.DataFrame({
        "customer_id": ids.to_numpy()[has_balance],
        "aum_cny": aum,
        "aum_adb_cny": aum * rng.uniform(0.8, 1.2, k),
        "aum_avg7_cny": aum * rng.uniform(0.95, 1.05, k),
        "aum_avg7_30d_ago_cny": aum * rng.uniform(0.7, 1.3, k),
        "aum_avg7_90d_ago_cny": np.where(sometimes(0.98, k), aum * rng.uniform(0.5, 1.6, k), 0),
        "current_balance_cny": aum * rng.uniform(0, 0.5, k),
    })

    has_txn = np.flatnonzero(sometimes(0.85))
    k = len(has_txn)
    salaried = sometimes(0.5, k)
    txn_frame = pd.DataFrame({
        "customer_id": ids.to_numpy()[has_txn],
        "salary_credits_30d": (salaried & sometimes(0.9, k)).astype(np.int64),
        "salary_credits_31_60d": (salaried & sometimes(0.92, k)).astype(np.int64),
        "salary_credits_61_90d": salaried.astype(np.int64),
        "last_salary_credit_date": _days(day, rng.integers(0, 90, k), ~salaried),
        "transfer_out_other_bank_90d_cny": np.where(sometimes(0.1, k),
                                                    rng.lognormal(11, 1.5, k), 0.0),
        "last_customer_txn_date": _days(day, rng.integers(0, 90, k), sometimes(0.1, k)),
        "last_product_purchase_date": _days(day, rng.integers(0, 90, k), sometimes(0.7, k)),
    })

    has_contact = np.flatnonzero(sometimes(0.6))
    k = len(has_contact)
    reached = rng.integers(0, 6, k)
    contact_frame = pd.DataFrame({
        "customer_id": ids.to_numpy()[has_contact],
        "reached_contacts_90d": reached,
        "last_reached_date": _days(day, rng.integers(0, 90, k), reached == 0),
        "last_enquiry_date": _days(day, rng.integers(0, 90, k), sometimes(0.7, k)),
    })

    has_complaint = np.flatnonzero(sometimes(0.01))
    k = len(has_complaint)
    complaint_frame = pd.DataFrame({
        "complaint_id": _ids("Q", np.arange(k), 9),
        "customer_id": ids.to_numpy()[has_complaint],
        "opened_date": _days(day, rng.integers(0, 180, k)),
        "closed_date": _days(day, rng.integers(0, 30, k), sometimes(0.4, k)),
        "category": pd.Series(np.array(["fees", "service", "product"], dtype=object)[
            rng.integers(0, 3, k)], dtype="str"),
    })
    return {
        "customers": customers_frame,
        "accounts": accounts_frame,
        "customer_balances": balances_frame,
        "transaction_summary": txn_frame,
        "contact_summary": contact_frame,
        "complaints": complaint_frame,
    }
