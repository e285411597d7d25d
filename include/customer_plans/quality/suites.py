"""Expectation suites as code: one suite per staging extract.

Each suite is a list of ``Check``: one Great Expectations expectation plus what the
pipeline does when it fails (its severity) and the words for the operator. Severities:

- ``blocking``: the run stops (``DataQualityError``) after the report is written;
- ``warning``: the run continues; counted, listed in the summary and printed on plans;
- ``quarantine``: the failing rows (by key) are written to ``quarantine.parquet`` with
  the reason, excluded downstream, counted and reported as warnings.

GX is passed in as the ``gxe`` module (``great_expectations.expectations``) so that this
module can be imported without importing GX (12 s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from customer_plans.extract import (
    AMOUNT,
    COUNT,
    DATE,
    EXTRACT_COLUMNS,
    EXTRACT_KEYS,
    FLAG,
    TEXT,
    TIMESTAMP,
)
from customer_plans.quality.findings import Severity
from customer_plans.recipients import DOMAIN_NOT_ALLOWED, MISSING, NOT_AN_ADDRESS, check_address
from customer_plans.render.masking import unsafe_character
from customer_plans.rules import PRODUCT_KINDS, Rules
from customer_plans.settings import DEFAULT_MAIL_DOMAINS
from customer_plans.words.languages import shipped_languages

# Plausible ages: a birth date after the business date or more than this many years before
# it is impossible and the customer is quarantined. (A data sanity bound, not a business
# rule; move to rules.yaml if the bank wants to tune it.)
MAX_PLAUSIBLE_AGE_YEARS = 120

# Volume is compared with the previous run only when that run had at least this many rows:
# a table of a handful of rows (complaints, a tiny roster) moves by more than any band.
MIN_VOLUME_BASELINE_ROWS = 50

# Extracts the database aggregates per customer (sums, counts, max dates).
AGGREGATED_EXTRACTS = ("customer_balances", "transaction_summary", "contact_summary")

# Extracts that must never be empty.
MUST_NOT_BE_EMPTY = ("branches", "managers", "customers", "accounts", "customer_balances")

# Accepted values of the source contract's code columns (as the core system and the
# synthetic bank in customer_plans.seed write them).
CONTACT_CHANNELS = ("phone", "visit", "sms", "wechat", "email", "app")
CONTACT_INITIATORS = ("manager", "customer")
CONTACT_OUTCOMES = ("reached", "no_answer", "declined", "message_sent")
MANAGER_STATUSES = ("active", "on_leave", "left")
COMPLAINT_STATUSES = ("open", "in_progress", "closed")
GENDERS = ("M", "F")
RISK_PROFILES = ("R1", "R2", "R3", "R4", "R5")
FLAG_VALUES = (0, 1)

# The GX type name each column kind must have after extract normalisation.
GX_TYPES = {
    TEXT: "str", DATE: "datetime64", TIMESTAMP: "datetime64", AMOUNT: "float64",
    COUNT: "int64", FLAG: "int64",
}
KIND_WORDS = {
    TEXT: "text", DATE: "dates", TIMESTAMP: "timestamps", AMOUNT: "numbers",
    COUNT: "whole numbers", FLAG: "0/1 flags",
}

# Largest value_set kept verbatim in results.json; longer sets (key lists) are summarised.
MAX_LISTED_VALUES = 20


@dataclass(frozen=True)
class Check:
    """One expectation and what a failure means."""

    check_id: str
    table: str
    rule: str
    severity: Severity
    expectation: Any
    problem: str  # str.format template: {count}, {observed}, {business_date}, {expected}
    column: str | None = None  # the staging column the finding names
    gx_column: str | None = None  # the column GX validates (a derived one for references)
    row_level: bool = True
    # rows a table-level expectation is about, for counts and example keys
    failing_rows: Callable[[pd.DataFrame], pd.Series] | None = None
    # the quarantine reason of one failing row, from its value
    quarantine_detail: Callable[[Any], str] | None = None
    value_set_source: str | None = None  # "customers.customer_id" when value_set is a key list


@dataclass(frozen=True)
class SkippedCheck:
    """A check not run because a column it needs is missing or has the wrong type."""

    table: str
    rule: str
    column: str | None
    reason: str


@dataclass
class SuiteContext:
    """Everything the suites need: the business date, the rules and the staged frames."""

    business_date: date
    rules: Rules
    frames: dict[str, pd.DataFrame]
    previous_counts: dict[str, int] | None
    volume_band: tuple[float, float]
    usable_columns: dict[str, set[str]] = field(default_factory=dict)
    present_columns: dict[str, set[str]] = field(default_factory=dict)
    mail_domains: tuple[str, ...] = DEFAULT_MAIL_DOMAINS  # where documents may be mailed

    @property
    def business_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.business_date)

    def keys_of(self, table: str, column: str) -> list[str] | None:
        """The distinct non-null values of ``table.column``, or None when unusable."""
        if column not in self.usable_columns.get(table, set()):
            return None
        return sorted(self.frames[table][column].dropna().unique().tolist())


class SuiteBuilder:
    """Collects the checks of one table, skipping those whose columns are unusable."""

    def __init__(self, gxe: Any, ctx: SuiteContext, table: str) -> None:
        self.gxe = gxe
        self.ctx = ctx
        self.table = table
        self.checks: list[Check] = []
        self.skipped: list[SkippedCheck] = []
        # columns computed for checks (added to the frame GX validates, not to staging)
        self.derived: dict[str, pd.Series] = {}

    def add(
        self,
        expectation: str,
        *,
        rule: str,
        severity: Severity,
        problem: str,
        uses: tuple[str, ...] | None = None,
        row_level: bool = True,
        typed_columns_only: bool = True,
        failing_rows: Callable[[pd.DataFrame], pd.Series] | None = None,
        quarantine_detail: Callable[[Any], str] | None = None,
        value_set_source: str | None = None,
        column_label: str | None = None,
        **kwargs: Any,
    ) -> None:
        column = column_label or kwargs.get("column")
        gx_column = kwargs.get("column")
        uses = uses if uses is not None else ((gx_column,) if gx_column else ())
        available = (
            self.ctx.usable_columns if typed_columns_only else self.ctx.present_columns
        ).get(self.table, set())
        unusable = [name for name in uses if name not in available]
        if unusable:
            self.skipped.append(SkippedCheck(
                self.table, rule, column,
                f"column {', '.join(unusable)} is missing or has the wrong type",
            ))
            return
        check_id = f"{self.table}.{len(self.checks) + len(self.skipped):03d}.{rule}"
        meta = {"check_id": check_id, "rule": rule, "severity": severity}
        instance = getattr(self.gxe, expectation)(**kwargs, meta=meta)
        self.checks.append(Check(
            check_id=check_id, table=self.table, rule=rule, severity=severity,
            expectation=instance, problem=problem, column=column,
            gx_column=kwargs.get("column"), row_level=row_level,
            failing_rows=failing_rows, quarantine_detail=quarantine_detail,
            value_set_source=value_set_source,
        ))

    # -- reusable pieces -------------------------------------------------------------

    def schema(self) -> None:
        """Every contract column present, and each non-text column of its type.

        Text columns need no type check: extract normalisation makes them text whatever
        the source held; numbers and dates are where wrong values hide. Sums and counts
        computed by the database cannot hold text, so aggregated extracts check their
        dates only (and any column whose type is already wrong).
        """
        expected = [column for column, _ in EXTRACT_COLUMNS[self.table]]
        frame = self.ctx.frames[self.table]
        missing = [column for column in expected if column not in frame.columns]
        extra = [column for column in frame.columns if column not in expected]
        hint = f" (the file has unexpected columns {', '.join(extra)}: renamed?)" if extra else ""
        self.add(
            "ExpectTableColumnsToMatchSet", column_set=expected, exact_match=False, uses=(),
            rule="column_present", severity="blocking", row_level=False,
            column_label=", ".join(missing) or None,
            problem=f"column {', '.join(missing)} missing from the staged extract{hint}",
        )
        aggregated = self.table in AGGREGATED_EXTRACTS
        for column, kind in EXTRACT_COLUMNS[self.table]:
            if kind == TEXT or column not in frame.columns:
                continue
            wrong_type = column not in self.ctx.usable_columns.get(self.table, set())
            if aggregated and kind not in (DATE, TIMESTAMP) and not wrong_type:
                continue
            self.add(
                "ExpectColumnValuesToBeOfType", column=column, type_=GX_TYPES[kind],
                rule="column_type", severity="blocking", row_level=False,
                typed_columns_only=False,
                problem=f"{{count}} value(s) of {column} are not {KIND_WORDS[kind]} "
                        f"(the column holds {{observed}})",
                failing_rows=_not_convertible(column, kind),
            )

    def key(self, column: str) -> None:
        """A key: never null, never repeated."""
        self.add("ExpectColumnValuesToNotBeNull", column=column, rule="key_not_null",
                 severity="blocking", problem=f"{{count}} rows without a {column}")
        self.add("ExpectColumnValuesToBeUnique", column=column, rule="key_unique",
                 severity="blocking", problem=f"{{count}} rows share a duplicate {column}")

    def not_null(self, column: str, severity: Severity = "blocking", problem: str = "") -> None:
        self.add("ExpectColumnValuesToNotBeNull", column=column, rule="not_null",
                 severity=severity, problem=problem or f"{{count}} rows without a {column}")

    def addresses(self, column: str, noun_plural: str, consequence: str) -> None:
        """Present values are one address delivery may use: ``email_format`` (a valid
        address at all) and ``email_domain`` (at one of ``ctx.mail_domains``). Nulls pass:
        ``not_null`` counts them.

        Both use the check delivery makes (``recipients.check_address``), so the gate warns
        of exactly the addresses delivery will refuse. Checked on derived boolean columns
        (``<column>__one_address``, ``<column>__in_mail_domains``): GX then never holds an
        address as an unexpected value, and results, summary and report carry keys only.
        """
        domains = tuple(self.ctx.mail_domains)
        if column in self.ctx.usable_columns.get(self.table, set()):
            values = self.ctx.frames[self.table][column]
            problems = values.map({
                value: check_address(value, domains).problem for value in values.dropna().unique()
            })
            self.derived[f"{column}__one_address"] = (
                values.isna() | ~problems.isin([MISSING, NOT_AN_ADDRESS])
            )
            self.derived[f"{column}__in_mail_domains"] = (
                values.isna() | (problems != DOMAIN_NOT_ALLOWED)
            )
        # braces doubled: the problem is a str.format template, the domains come from settings
        allowed = ", ".join(domains).replace("{", "{{").replace("}", "}}")
        self.add(
            "ExpectColumnValuesToBeInSet", column=f"{column}__one_address", value_set=[True],
            uses=(column,), column_label=column, rule="email_format", severity="warning",
            problem=f"{{count}} {noun_plural} whose {column} is not one valid email address: "
                    f"{consequence}",
        )
        self.add(
            "ExpectColumnValuesToBeInSet", column=f"{column}__in_mail_domains", value_set=[True],
            uses=(column,), column_label=column, rule="email_domain", severity="warning",
            problem=f"{{count}} {noun_plural} whose {column} is outside the bank's mail domains "
                    f"({allowed}): {consequence}",
        )

    def printable(self, column: str, noun_plural: str) -> None:
        """Text free of control and bidirectional-override characters (a stored "\u202elive"
        prints as "evil"): documents replace them with U+FFFD (``render.masking``), and this
        warning names the rows so the source is fixed. Checked on a derived boolean column
        (``<column>__printable``), so results and report carry keys, never the text."""
        if column in self.ctx.usable_columns.get(self.table, set()):
            values = self.ctx.frames[self.table][column]
            clean = {value: not any(unsafe_character(c) for c in str(value))
                     for value in values.dropna().unique()}
            self.derived[f"{column}__printable"] = values.isna() | values.map(clean).fillna(True)
        self.add(
            "ExpectColumnValuesToBeInSet", column=f"{column}__printable", value_set=[True],
            uses=(column,), column_label=column, rule="printable_text", severity="warning",
            problem=f"{{count}} {noun_plural} whose {column} holds control or "
                    "bidirectional-override characters: plans print each as \ufffd; fix them "
                    "at the source",
        )

    def accepted(self, column: str, values: tuple, severity: Severity = "blocking") -> None:
        self.add(
            "ExpectColumnValuesToBeInSet", column=column, value_set=list(values),
            rule="accepted_values", severity=severity,
            problem=f"{{count}} rows with a {column} outside {', '.join(map(str, values))}",
        )

    def references(
        self, column: str, parent: str, parent_column: str, severity: Severity, problem: str,
    ) -> None:
        """Referential integrity: non-null values of ``column`` exist in ``parent``.

        Checked on a derived boolean column (``<column>__in_<parent>``): a value_set of
        100k keys inside the expectation would be copied by GX on every metric lookup.
        """
        if column not in self.ctx.usable_columns.get(self.table, set()):
            self.skipped.append(SkippedCheck(
                self.table, f"references_{parent}", column,
                f"column {column} is missing or has the wrong type",
            ))
            return
        keys = self.ctx.keys_of(parent, parent_column)
        if keys is None:
            self.skipped.append(SkippedCheck(
                self.table, f"references_{parent}", column,
                f"{parent}.{parent_column} is missing or has the wrong type",
            ))
            return
        values = self.ctx.frames[self.table][column]
        derived = f"{column}__in_{parent}"
        self.derived[derived] = values.isna() | values.isin(keys)
        self.add(
            "ExpectColumnValuesToBeInSet", column=derived, value_set=[True], uses=(),
            column_label=column, rule=f"references_{parent}", severity=severity,
            problem=problem, value_set_source=f"{parent}.{parent_column}",
        )

    def not_after_business_date(self, column: str, severity: Severity = "blocking") -> None:
        self.add(
            "ExpectColumnValuesToBeBetween", column=column, max_value=self.ctx.business_ts,
            rule="not_in_future", severity=severity,
            problem=f"{{count}} rows with {column} after the business date {{business_date}}",
        )

    def at_least_zero(
        self, column: str, severity: Severity = "blocking", problem: str = "",
        uses: tuple[str, ...] | None = None, **kwargs: Any,
    ) -> None:
        self.add(
            "ExpectColumnValuesToBeBetween", column=column, min_value=0, rule="not_negative",
            severity=severity, uses=uses,
            problem=problem or f"{{count}} rows with a negative {column}", **kwargs,
        )

    def table_rules(self) -> None:
        """Not empty (where required) and volume within the band of the previous run."""
        if self.table in MUST_NOT_BE_EMPTY:
            self.add(
                "ExpectTableRowCountToBeBetween", min_value=1, rule="not_empty",
                severity="blocking", row_level=False,
                problem="the extract is empty: the core system returned no rows",
            )
        previous = (self.ctx.previous_counts or {}).get(self.table)
        if previous is not None and previous >= MIN_VOLUME_BASELINE_ROWS:
            low, high = self.ctx.volume_band
            self.add(
                "ExpectTableRowCountToBeBetween", min_value=math.floor(previous * low),
                max_value=math.ceil(previous * high), rule="volume", severity="blocking",
                row_level=False,
                problem=f"{{observed}} rows, outside {{expected}} (the previous run had "
                        f"{previous} rows; accepted band {low:g}x..{high:g}x)",
            )

    def freshness(self, column: str, failing_rows: Callable[[pd.DataFrame], pd.Series]) -> None:
        """The latest balance date must be the business date itself."""
        self.add(
            "ExpectColumnMaxToBeBetween", column=column, min_value=self.ctx.business_ts,
            max_value=self.ctx.business_ts, rule="freshness", severity="blocking",
            row_level=False, failing_rows=failing_rows,
            problem="balances missing for the business date: the latest "
                    f"{column} is {{observed}}, expected {{business_date}} "
                    "({count} rows without a balance that day)",
        )


def _column(name: str) -> Any:
    """A GX row-condition column (GX is already imported when suites are built)."""
    from great_expectations.expectations.row_conditions import Column

    return Column(name)


def _not_convertible(column: str, kind: str) -> Callable[[pd.DataFrame], pd.Series]:
    """Rows whose value cannot be read as ``kind`` (text in a numeric or date column)."""

    def mask(frame: pd.DataFrame) -> pd.Series:
        values = frame[column]
        present = values.notna()
        if kind == TEXT:
            return pd.Series(False, index=frame.index)
        if kind in (DATE, TIMESTAMP):
            converted = pd.to_datetime(values.astype("str").where(present), errors="coerce",
                                       format="ISO8601")
        else:
            converted = pd.to_numeric(values, errors="coerce")
            if kind in (COUNT, FLAG):
                converted = converted.where(converted.isna() | (converted % 1 == 0))
        return present & converted.isna()

    return mask


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# -- the suites ---------------------------------------------------------------------------


def branches_suite(b: SuiteBuilder) -> None:
    # as the managers' email: a branch without a usable head address loses its roll-up
    # email, not the plans of the day, so these are warnings
    b.key("branch_id")
    b.not_null("branch_name")
    b.printable("branch_name", "branches")
    b.printable("head_name", "branches")
    b.not_null("head_email", severity="warning",
               problem="{count} branches without a head email: their roll-ups cannot be sent")
    b.addresses("head_email", "branches", "their roll-ups are not emailed")
    b.accepted("locale", shipped_languages().accepted_locales(), severity="warning")


def managers_suite(b: SuiteBuilder) -> None:
    b.key("manager_id")
    b.not_null("branch_id")
    b.not_null("branch_name", problem="{count} managers whose branch_id is not in branches")
    b.not_null("manager_name")
    b.printable("manager_name", "managers")
    b.not_null("email", severity="warning",
               problem="{count} managers without an email: their plans cannot be sent")
    b.addresses("email", "managers", "their plans are withheld from that address")
    b.accepted("status", MANAGER_STATUSES)
    b.at_least_zero("daily_call_capacity")
    b.at_least_zero("daily_visit_capacity")
    b.references("backup_manager_id", "managers", "manager_id", "warning",
                 "{count} managers whose backup manager is not on the roster: no cover")


def customers_suite(b: SuiteBuilder) -> None:
    ctx = b.ctx
    b.key("customer_id")
    b.not_null("onboarding_date")
    b.not_null("branch_id")
    b.references("manager_id", "managers", "manager_id", "blocking",
                 "{count} customers of unknown managers (manager_id not in managers)")
    b.not_null("manager_id", severity="warning",
               problem="{count} customers without a manager: assigned to the branch pool")
    b.printable("customer_name", "customers")
    for flag in ("is_primary_holder", "marketing_consent", "do_not_contact"):
        b.accepted(flag, FLAG_VALUES)
    b.accepted("preferred_channel", CONTACT_CHANNELS)
    b.accepted("gender", GENDERS, severity="warning")
    b.accepted("risk_profile", RISK_PROFILES, severity="warning")
    b.at_least_zero("annual_income_cny", severity="warning")
    oldest = pd.Timestamp(_years_before(ctx.business_date, MAX_PLAUSIBLE_AGE_YEARS))
    business_ts = ctx.business_ts

    def birth_date_reason(value: Any) -> str:
        if pd.Timestamp(value) > business_ts:
            return "birth_date after the business date"
        return f"birth_date more than {MAX_PLAUSIBLE_AGE_YEARS} years before the business date"

    b.add(
        "ExpectColumnValuesToBeBetween", column="birth_date", min_value=oldest,
        max_value=business_ts, rule="birth_date_plausible", severity="quarantine",
        quarantine_detail=birth_date_reason,
        problem="{count} customers quarantined: impossible birth_date (in the future or "
                f"age over {MAX_PLAUSIBLE_AGE_YEARS}); excluded from plans",
    )


def restricted_list_suite(b: SuiteBuilder) -> None:
    b.key("customer_id")
    b.not_null("reason_code")
    b.not_after_business_date("listed_date")
    b.references("customer_id", "customers", "customer_id", "warning",
                 "{count} restricted-list entries for customers not in the customer extract")


def accounts_suite(b: SuiteBuilder) -> None:
    ctx = b.ctx
    business_ts = ctx.business_ts
    deposit_kinds = list(ctx.rules.tiers.aum_product_kinds)
    b.key("account_id")
    b.not_null("customer_id")
    b.references("customer_id", "customers", "customer_id", "blocking",
                 "{count} accounts of unknown customers (customer_id not in customers)")
    b.accepted("product_kind", PRODUCT_KINDS)
    b.not_null("opened_date")
    b.at_least_zero(
        "balance_cny", uses=("balance_cny", "product_kind"),
        row_condition=_column("product_kind").is_in(deposit_kinds),
        problem="{count} deposit-like accounts (" + ", ".join(deposit_kinds)
                + ") with a negative balance on the business date",
    )
    b.add(
        "ExpectColumnValuesToNotBeNull", column="balance_cny", rule="balance_present",
        severity="warning", uses=("balance_cny", "closed_date"),
        row_condition=_column("closed_date").is_null(),
        problem="{count} open accounts without a balance on the business date (counted as 0)",
    )

    def open_without_balance_today(frame: pd.DataFrame) -> pd.Series:
        is_open = frame["closed_date"].isna() | (frame["closed_date"] > business_ts)
        return is_open & (frame["last_balance_date"] != business_ts)

    if "closed_date" in ctx.usable_columns.get("accounts", set()):
        b.freshness("last_balance_date", open_without_balance_today)


def customer_balances_suite(b: SuiteBuilder) -> None:
    business_ts = b.ctx.business_ts
    b.key("customer_id")
    b.references("customer_id", "customers", "customer_id", "blocking",
                 "{count} balance rows of unknown customers (customer_id not in customers)")
    # sums over daily deposit balances (the weekly points sample the same rows); the accounts
    # suite names the account with a negative balance on the business date
    deposit_sums = (
        "aum_cny", "aum_adb_cny", "aum_avg7_cny", "aum_avg7_30d_ago_cny", "aum_avg7_90d_ago_cny",
        "current_balance_cny",
    )
    for column in deposit_sums:
        b.at_least_zero(column, problem=f"{{count}} customers with a negative {column} "
                                        "(deposit-like balances cannot be negative)")
    b.freshness("last_balance_date", lambda frame: frame["last_balance_date"] != business_ts)


def transaction_summary_suite(b: SuiteBuilder) -> None:
    b.key("customer_id")
    b.not_after_business_date("last_transaction_date")
    b.add(
        "ExpectColumnValuesToBeBetween", column="future_dated_txn_count", max_value=0,
        rule="not_in_future", severity="blocking",
        problem="{count} customers with transactions dated after the last closed business "
                "date (future-dated transactions)",
    )
    for column in ("salary_credits_30d", "salary_credits_31_60d", "salary_credits_61_90d",
                   "customer_txn_30d", "customer_txn_90d"):
        b.at_least_zero(column)
    b.references("customer_id", "customers", "customer_id", "warning",
                 "{count} customers with transactions but not in the customer extract")


def contact_summary_suite(b: SuiteBuilder) -> None:
    b.key("customer_id")
    b.not_after_business_date("last_contact_date")
    b.references("customer_id", "customers", "customer_id", "warning",
                 "{count} customers with contacts but not in the customer extract")


def recent_contacts_suite(b: SuiteBuilder) -> None:
    b.key("contact_id")
    b.not_null("customer_id")
    b.not_null("contact_ts")
    b.accepted("channel", CONTACT_CHANNELS)
    b.accepted("initiated_by", CONTACT_INITIATORS)
    b.accepted("outcome", CONTACT_OUTCOMES, severity="warning")
    b.references("customer_id", "customers", "customer_id", "warning",
                 "{count} recent contacts of customers not in the customer extract")
    b.references("manager_id", "managers", "manager_id", "warning",
                 "{count} recent contacts by managers not on the roster")


def complaints_suite(b: SuiteBuilder) -> None:
    b.key("complaint_id")
    b.not_null("customer_id")
    b.not_null("opened_date")
    b.not_after_business_date("opened_date")
    b.accepted("status", COMPLAINT_STATUSES)
    b.printable("category", "complaints")
    b.references("customer_id", "customers", "customer_id", "warning",
                 "{count} complaints of customers not in the customer extract")


SUITES: dict[str, Callable[[SuiteBuilder], None]] = {
    "branches": branches_suite,
    "managers": managers_suite,
    "customers": customers_suite,
    "restricted_list": restricted_list_suite,
    "accounts": accounts_suite,
    "customer_balances": customer_balances_suite,
    "transaction_summary": transaction_summary_suite,
    "contact_summary": contact_summary_suite,
    "recent_contacts": recent_contacts_suite,
    "complaints": complaints_suite,
}


def build_suite(gxe: Any, ctx: SuiteContext, table: str) -> SuiteBuilder:
    """The checks of one table: schema, its own rules, then row count and volume."""
    builder = SuiteBuilder(gxe, ctx, table)
    builder.schema()
    SUITES[table](builder)
    builder.table_rules()
    return builder


def key_column(table: str) -> str:
    return EXTRACT_KEYS[table][0]


# The dtype an empty column of each kind has after extract normalisation.
_EMPTY_DTYPES = {
    TEXT: "object", DATE: "datetime64[us]", TIMESTAMP: "datetime64[us]", AMOUNT: "float64",
    COUNT: "int64", FLAG: "int64",
}


def every_check(gxe: Any, rules: Rules, business_date: date) -> list[Check]:
    """Every check the suites define, the conditional ones included, in suite order.

    Each suite is built over an empty extract with every contract column present and
    typed, and a volume baseline for every extract: the checks a run with complete,
    well-typed staging makes. What a finding of each can say (table, column, rule,
    severity) is known from these without any data, e.g. to word every warning for plans.
    """
    frames = {
        table: pd.DataFrame({column: pd.Series(dtype=_EMPTY_DTYPES[kind])
                             for column, kind in EXTRACT_COLUMNS[table]})
        for table in SUITES
    }
    columns = {table: set(frame.columns) for table, frame in frames.items()}
    ctx = SuiteContext(
        business_date=business_date, rules=rules, frames=frames,
        previous_counts={table: MIN_VOLUME_BASELINE_ROWS for table in SUITES},
        volume_band=(0.5, 1.5), usable_columns=columns, present_columns=columns,
    )
    return [check for table in SUITES for check in build_suite(gxe, ctx, table).checks]
