"""Who reads which data-quality warning: one small table, by warning rule, and the counts a
plan prints.

Operators read every warning in the quality report, and branch heads read them all on their
roll-ups. A manager's plan prints only the facts about the manager's own book or own roster
record, counted for that plan: "2 customers with an impossible birth date" means two of
theirs, and "3 branches without a head email" is not theirs to read. Each warning and
quarantine rule of the suites (``table.column.rule``) has one audience here;
``tests/test_render_quality.py`` fails on a rule without one. A rule missing from the table
(a new suite rule, a bare-text warning) stays off the plans.

Counting needs every row a warning names, not the finding's few example keys: the validate
stage writes them to ``warning_rows.parquet`` (``quality.gate``); ``count_by_list`` maps them
to the list whose book they are in. Pure pandas: no I/O here (``render.data`` reads).
"""

from __future__ import annotations

from enum import StrEnum

import pandas as pd


class Audience(StrEnum):
    """Who a warning rule is for, besides operators and branch heads (who read them all)."""

    # rows about customers: each plan prints how many of its own customers (a manager's by
    # customers.manager_id, a branch pool's list: the branch's customers without a manager)
    BOOK = "book"
    # a manager's roster row: that manager's plan says so, in the second person
    MANAGER = "manager"
    # branches, and facts across extracts no one book holds: the report and roll-ups only
    OPERATIONS = "operations"


WARNING_AUDIENCES: dict[str, Audience] = {
    # a branch head's address or language: the head's matter (their roll-up), not a manager's
    "branches.head_email.not_null": Audience.OPERATIONS,
    "branches.head_email.email_format": Audience.OPERATIONS,
    "branches.head_email.email_domain": Audience.OPERATIONS,
    "branches.locale.accepted_values": Audience.OPERATIONS,
    # the manager's own record: where their plan goes, who covers for them
    "managers.email.not_null": Audience.MANAGER,
    "managers.email.email_format": Audience.MANAGER,
    "managers.email.email_domain": Audience.MANAGER,
    "managers.backup_manager_id.references_managers": Audience.MANAGER,
    # customers of the book: profile data a manager keeps up, and who was held back
    "customers.manager_id.not_null": Audience.BOOK,  # the branch pool's list counts them
    "customers.gender.accepted_values": Audience.BOOK,
    "customers.risk_profile.accepted_values": Audience.BOOK,
    "customers.annual_income_cny.not_negative": Audience.BOOK,
    "customers.birth_date.birth_date_plausible": Audience.BOOK,
    # names and categories holding control or bidirectional-override characters: the
    # source's to fix (documents print each as U+FFFD)
    "customers.customer_name.printable_text": Audience.OPERATIONS,
    "managers.manager_name.printable_text": Audience.OPERATIONS,
    "branches.branch_name.printable_text": Audience.OPERATIONS,
    "branches.head_name.printable_text": Audience.OPERATIONS,
    "complaints.category.printable_text": Audience.OPERATIONS,
    "accounts.balance_cny.balance_present": Audience.BOOK,  # AUM counted as 0 on the plan
    # rows whose customer or manager is in no extract: no book holds them
    "restricted_list.customer_id.references_customers": Audience.OPERATIONS,
    "transaction_summary.customer_id.references_customers": Audience.OPERATIONS,
    "contact_summary.customer_id.references_customers": Audience.OPERATIONS,
    "recent_contacts.customer_id.references_customers": Audience.OPERATIONS,
    "recent_contacts.manager_id.references_managers": Audience.OPERATIONS,
    "complaints.customer_id.references_customers": Audience.OPERATIONS,
    # a core-system code list out of date: for operators to fix at the source
    "recent_contacts.outcome.accepted_values": Audience.OPERATIONS,
}

# The tables a BOOK rule's rows may be of: a customers row is its customer (customer_id), an
# accounts row names its customer_id.
BOOK_TABLES = ("customers", "accounts")
# A MANAGER rule's rows are keyed by manager_id in this table.
MANAGER_TABLE = "managers"
# ``count_by_list``'s result: one row per plan list and warning rule
COUNT_COLUMNS = ["manager_id", "table", "column", "rule", "rows"]


def rule_key(table: str | None, column: str | None, rule: str | None) -> str:
    """``table.column.rule`` (``table.rule`` for a table-level check)."""
    return ".".join(str(part) for part in (table, column, rule) if part)


def audience_of(table: str | None, column: str | None, rule: str | None) -> Audience:
    """The audience of a warning rule; OPERATIONS for one the table does not list."""
    return WARNING_AUDIENCES.get(rule_key(table, column, rule), Audience.OPERATIONS)


def count_by_list(
    warning_rows: pd.DataFrame,
    customers: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    pool_prefix: str,
) -> pd.DataFrame:
    """How many rows of each plan-printed warning rule are in each list's book.

    ``warning_rows``: ``table, column, rule, key_column, key`` (``warning_rows.parquet``);
    ``customers``: ``customer_id, manager_id, branch_id`` of the customers those rows name
    (staged ``customers``; a customer without a manager is on the branch pool's list,
    ``<pool_prefix><branch_id>``); ``accounts``: ``account_id, customer_id`` of the accounts
    they name. Returns ``COUNT_COLUMNS``, one row per list and rule: for a BOOK rule the
    number of its rows (customers, accounts) in the list's book, for a MANAGER rule 1 on the
    manager's own list. Rows of OPERATIONS rules, and rows whose customer is not staged,
    are not counted.
    """
    if warning_rows.empty:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    rows = warning_rows.reindex(columns=["table", "column", "rule", "key_column", "key"]).copy()
    rows["column"] = rows["column"].fillna("")
    keys = (rows["table"] + "." + rows["column"] + "." + rows["rule"]).where(
        rows["column"] != "", rows["table"] + "." + rows["rule"])
    audience = keys.map(WARNING_AUDIENCES).fillna(Audience.OPERATIONS)
    # the staged row's customer: the key itself for customers, looked up for accounts
    book = rows[(audience == Audience.BOOK) & rows["table"].isin(BOOK_TABLES)].copy()
    book["customer_id"] = book["key"].where(book["table"] == "customers")
    if accounts is not None and len(accounts) and (book["table"] == "accounts").any():
        account_owner = accounts.drop_duplicates("account_id").set_index("account_id")[
            "customer_id"]
        on_accounts = book["table"] == "accounts"
        book.loc[on_accounts, "customer_id"] = book.loc[on_accounts, "key"].map(account_owner)
    owners = customers.reindex(columns=["customer_id", "manager_id", "branch_id"])
    book = book.merge(owners.drop_duplicates("customer_id"), on="customer_id", how="inner")
    no_manager = book["manager_id"].isna() | (book["manager_id"].astype("string") == "")
    book["manager_id"] = book["manager_id"].where(
        ~no_manager, pool_prefix + book["branch_id"].astype("string"))
    book = book.dropna(subset=["manager_id"])
    own = rows[(audience == Audience.MANAGER) & (rows["table"] == MANAGER_TABLE)].assign(
        manager_id=lambda frame: frame["key"])
    counted = pd.concat([book[["manager_id", "table", "column", "rule", "key"]],
                         own[["manager_id", "table", "column", "rule", "key"]]])
    if counted.empty:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    counts = (counted.drop_duplicates().groupby(["manager_id", "table", "column", "rule"])
              .size().rename("rows").reset_index())
    return counts[COUNT_COLUMNS]
