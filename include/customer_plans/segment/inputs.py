"""The per-customer inputs of segmentation, gathered from the staging extracts.

Every extract is aligned to the customers frame by position (``get_indexer`` on the
customer id), so each later rule is a whole-array operation. Customers missing from a
summary extract simply had nothing in its window: zero counts, no dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js


class SegmentationError(ValueError):
    """The staging data cannot be segmented; the message names the table and column."""


# the columns each extract must have (see docs/pipeline.md); the profile fields of the
# familiarity rule are added to the customers' list at run time
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": (
        "customer_id", "birth_date", "is_primary_holder", "onboarding_date", "closed_date",
        "branch_id", "manager_id",
    ),
    "accounts": (
        "account_id", "customer_id", "product_kind", "product_name", "opened_date",
        "closed_date", "maturity_date", "interest_rate_pct", "principal_cny", "balance_cny",
    ),
    "customer_balances": (
        "customer_id", "aum_cny", "aum_adb_cny", "aum_avg7_cny", "aum_avg7_30d_ago_cny",
        "aum_avg7_90d_ago_cny", "current_balance_cny",
    ),
    "transaction_summary": (
        "customer_id", "salary_credits_30d", "salary_credits_31_60d", "salary_credits_61_90d",
        "last_salary_credit_date", "transfer_out_other_bank_90d_cny", "last_customer_txn_date",
        "last_product_purchase_date",
    ),
    "contact_summary": (
        "customer_id", "reached_contacts_90d", "last_reached_date", "last_enquiry_date",
    ),
    "complaints": ("complaint_id", "customer_id", "opened_date", "closed_date", "category"),
}

# summary extracts hold at most one row per customer
ONE_ROW_PER_CUSTOMER = ("customer_balances", "transaction_summary", "contact_summary")


def required_columns(rules: Rules) -> dict[str, list[str]]:
    """The columns segmentation reads from each extract under ``rules``."""
    columns = {table: list(cols) for table, cols in REQUIRED_COLUMNS.items()}
    for field in rules.familiarity.profile_fields:
        if field not in columns["customers"]:
            columns["customers"].append(field)
    return columns


def to_day(values: pd.Series) -> np.ndarray:
    """Dates (datetime64 of any unit, or ISO text) as ``datetime64[D]``; missing is NaT."""
    if len(values) == 0:
        return np.array([], dtype="datetime64[D]")
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, errors="coerce")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.to_numpy(dtype="datetime64[D]")


def days_between(later: np.ndarray | np.datetime64, earlier: np.ndarray | np.datetime64
                 ) -> np.ndarray:
    """Whole days from ``earlier`` to ``later`` as float; NaN where either is NaT."""
    later = np.asarray(later, dtype="datetime64[D]")
    earlier = np.asarray(earlier, dtype="datetime64[D]")
    missing = np.isnat(later) | np.isnat(earlier)
    delta = (later - earlier).astype(np.int64).astype("float64")
    return np.where(missing, np.nan, delta)


def year_month_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calendar year, month (1-12) and day (1-31) of a ``datetime64[D]`` array (no NaT)."""
    days = np.asarray(days, dtype="datetime64[D]")
    months_since_epoch = days.astype("datetime64[M]")
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    months = months_since_epoch.astype(np.int64) % 12 + 1
    day_of_month = (days - months_since_epoch.astype("datetime64[D]")).astype(np.int64) + 1
    return years, months, day_of_month


def _float(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


@dataclass
class Inputs:
    """Customer-aligned inputs for one business date (position i = ``customers`` row i)."""

    business_date: date
    day: np.datetime64  # the business date as datetime64[D]
    customers: pd.DataFrame  # id, manager, branch (original order, quarantine removed)
    base: pd.DataFrame  # one row per customer, numeric and date inputs, same order
    accounts: pd.DataFrame  # accounts of known customers, with ``pos`` and day columns
    complaints: pd.DataFrame  # complaints of known customers, with ``pos``
    product_kinds: list[str]  # accounts.kind_code -> product kind
    customer_ids: pa.Array  # the customer ids, in order

    @property
    def size(self) -> int:
        return len(self.customers)


def check_columns(frames: dict[str, pd.DataFrame], rules: Rules) -> None:
    """Raise ``SegmentationError`` naming the first missing extract or column."""
    for table, columns in required_columns(rules).items():
        if table not in frames:
            raise SegmentationError(f"extract {table!r} is missing; segmentation needs "
                                    f"{', '.join(REQUIRED_COLUMNS)}")
        missing = [c for c in columns if c not in frames[table].columns]
        if missing:
            hint = (" (named in rules familiarity.profile_fields)"
                    if table == "customers" and set(missing) & set(rules.familiarity.profile_fields)
                    else "")
            raise SegmentationError(
                f"extract {table!r} lacks column(s) {', '.join(missing)}{hint}; "
                f"see docs/pipeline.md for the staging contract"
            )


def _check_unique(frame: pd.DataFrame, table: str, key: str) -> None:
    keys = js.text(frame[key].astype("str"))
    if pc.count_distinct(keys, mode="all").as_py() == len(keys):
        return
    duplicated = frame[key].duplicated(keep=False)
    example = frame.loc[duplicated, key].iloc[0]
    raise SegmentationError(
        f"extract {table!r} has {int(duplicated.sum())} rows sharing a {key} "
        f"(one row per customer expected), e.g. {key}={example}"
    )


def _positions(ids: pa.Array, frame: pd.DataFrame, table: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``frame`` whose customer is known, and their customer positions."""
    found = pc.index_in(js.text(frame["customer_id"].astype("str")), value_set=ids)
    pos = found.fill_null(-1).to_numpy().astype(np.int64)
    keep = pos >= 0
    if table in ONE_ROW_PER_CUSTOMER and len(pos) and np.bincount(pos[keep]).max(initial=0) > 1:
        _check_unique(frame, table, "customer_id")
    return keep, pos[keep]


def _spread(n: int, pos: np.ndarray, values: np.ndarray, fill) -> np.ndarray:
    out = np.full(n, fill, dtype=values.dtype)
    out[pos] = values
    return out


def _kept_text(column: pd.Series, keep: np.ndarray) -> pd.Series:
    return column.astype("str")[keep].reset_index(drop=True)


def build_inputs(frames: dict[str, pd.DataFrame], business_date: date, rules: Rules) -> Inputs:
    """Gather every per-customer input from the extracts (already quarantine-filtered)."""
    check_columns(frames, rules)
    customers = frames["customers"]
    _check_unique(customers, "customers", "customer_id")

    day = np.datetime64(business_date, "D")
    ids = js.text(customers["customer_id"].astype("str"))
    n = len(customers)
    base = pd.DataFrame(index=pd.RangeIndex(n))

    # customers
    base["birth_date"] = to_day(customers["birth_date"])
    base["onboarding_date"] = to_day(customers["onboarding_date"])
    base["closed_date"] = to_day(customers["closed_date"])
    base["is_primary_holder"] = np.nan_to_num(_float(customers["is_primary_holder"])) == 1
    present = np.zeros(n, dtype=np.int64)
    for field in rules.familiarity.profile_fields:
        column = customers[field]
        filled = column.notna().to_numpy(dtype=bool)
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            # a blank text field tells the bank nothing
            stripped = pc.utf8_trim_whitespace(js.text(column.astype("str")))
            filled = filled & pc.fill_null(pc.not_equal(stripped, ""), False).to_numpy(
                zero_copy_only=False)
        present += filled
    base["profile_completeness"] = present / len(rules.familiarity.profile_fields)

    # balances: a customer without a balance row had no AUM in the window
    balances = frames["customer_balances"]
    keep, pos = _positions(ids, balances, "customer_balances")
    for column in ("aum_cny", "aum_adb_cny", "aum_avg7_cny", "aum_avg7_30d_ago_cny",
                   "aum_avg7_90d_ago_cny", "current_balance_cny"):
        values = np.nan_to_num(_float(balances[column])[keep])
        base[column] = _spread(n, pos, values, 0.0)

    # transactions: no row = no transaction in the 90-day window
    txns = frames["transaction_summary"]
    keep, pos = _positions(ids, txns, "transaction_summary")
    for column in ("salary_credits_30d", "salary_credits_31_60d", "salary_credits_61_90d",
                   "transfer_out_other_bank_90d_cny"):
        base[column] = _spread(n, pos, np.nan_to_num(_float(txns[column])[keep]), 0.0)
    for column in ("last_salary_credit_date", "last_customer_txn_date",
                   "last_product_purchase_date"):
        base[column] = _spread(n, pos, to_day(txns[column])[keep], np.datetime64("NaT", "D"))

    # contacts: no row = no contact in the window
    contacts = frames["contact_summary"]
    keep, pos = _positions(ids, contacts, "contact_summary")
    base["reached_contacts_90d"] = _spread(
        n, pos, np.nan_to_num(_float(contacts["reached_contacts_90d"])[keep]), 0.0)
    for column in ("last_reached_date", "last_enquiry_date"):
        base[column] = _spread(n, pos, to_day(contacts[column])[keep], np.datetime64("NaT", "D"))

    # accounts: keep those of known customers, with positions, day columns and a kind code
    raw_accounts = frames["accounts"]
    keep, pos = _positions(ids, raw_accounts, "accounts")
    kind = _kept_text(raw_accounts["product_kind"], keep)
    kind_code, kinds = pd.factorize(kind, use_na_sentinel=False)
    accounts = pd.DataFrame({
        "pos": pos,
        "account_id": _kept_text(raw_accounts["account_id"], keep),
        "product_kind": kind,
        "kind_code": kind_code.astype(np.int64),
        "product_name": _kept_text(raw_accounts["product_name"], keep),
        "opened_date": to_day(raw_accounts["opened_date"])[keep],
        "closed_date": to_day(raw_accounts["closed_date"])[keep],
        "maturity_date": to_day(raw_accounts["maturity_date"])[keep],
        "interest_rate_pct": _float(raw_accounts["interest_rate_pct"])[keep],
        "principal_cny": _float(raw_accounts["principal_cny"])[keep],
        "balance_cny": _float(raw_accounts["balance_cny"])[keep],
    })
    closed = accounts["closed_date"].to_numpy(dtype="datetime64[D]")
    is_open = np.isnat(closed) | (closed > day)
    accounts["is_open"] = is_open
    base["open_account_count"] = np.bincount(pos[is_open], minlength=n)
    # distinct product kinds among open accounts (a customer x kind table: kinds are few),
    # and the kind when there is only one
    n_kinds = max(len(kinds), 1)
    held = np.bincount(pos[is_open] * n_kinds + kind_code[is_open],
                       minlength=n * n_kinds).reshape(n, n_kinds) > 0
    base["open_product_count"] = held.sum(axis=1)
    base["only_product_kind_code"] = np.where(held.sum(axis=1) == 1, held.argmax(axis=1), -1)

    raw_complaints = frames["complaints"]
    keep, pos = _positions(ids, raw_complaints, "complaints")
    complaints = pd.DataFrame({
        "pos": pos,
        "complaint_id": _kept_text(raw_complaints["complaint_id"], keep),
        "category": _kept_text(raw_complaints["category"], keep),
        "opened_date": to_day(raw_complaints["opened_date"])[keep],
        "closed_date": to_day(raw_complaints["closed_date"])[keep],
    })

    kept = pd.DataFrame({
        "customer_id": customers["customer_id"].astype("str").reset_index(drop=True),
        "manager_id": customers["manager_id"].astype("str").reset_index(drop=True),
        "branch_id": customers["branch_id"].astype("str").reset_index(drop=True),
    })
    return Inputs(business_date, day, kept, base, accounts, complaints,
                  [str(k) for k in kinds], ids)


def aum_trends(base: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """AUM trend in percent over 30 and 90 days (7-day averages).

    A trend needs a positive base: with nothing 30 or 90 days ago the trend is unknown
    (NaN), and an unknown trend is neither growing nor declining.
    """
    now = base["aum_avg7_cny"].to_numpy()
    trends = []
    for column in ("aum_avg7_30d_ago_cny", "aum_avg7_90d_ago_cny"):
        before = base[column].to_numpy()
        positive = before > 0
        safe = np.where(positive, before, 1.0)
        # rounded to the stored precision so the stored value explains the decision exactly
        trends.append(np.where(positive, np.round((now - safe) / safe * 100.0, 2), np.nan))
    return trends[0], trends[1]
