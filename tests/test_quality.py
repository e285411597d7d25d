"""The data-quality gate: bad source data never becomes a plan, and the operator is told why.

Each case copies the small bank, corrupts it with SQL as bad data would arrive, extracts
what the corruption touches onto a copy of the clean staging, and validates. Great
Expectations is imported once for the module (it takes ~10 s).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from customer_plans.extract import EXTRACTS
from customer_plans.quality import (
    QUARANTINE_COLUMNS,
    DataQualityError,
    format_failure_message,
    previous_counts,
    validate_staging,
)
from customer_plans.quality.gate import singular_when_one
from customer_plans.quality.report import QUALITY_TEMPLATES_DIR, _local_only_fetcher

from tests.quality_cases import (
    copy_bank,
    copy_staging,
    corrupt,
    scalar,
    sqlite_url,
    stage,
    without_primary_key,
)
from tests.support.contexts import run_context


@pytest.fixture(scope="module", autouse=True)
def great_expectations_imported():
    """Pay the GX import once, up front, for every test of this module."""
    import great_expectations  # noqa: F401


@pytest.fixture(scope="module")
def clean(small_bank, business_date, rules, tmp_path_factory):
    """The small bank staged and validated: (staging_root, quality_root, summary)."""
    root = tmp_path_factory.mktemp("clean")
    ctx = run_context(root, business_date, rules, core_banking_url=sqlite_url(small_bank))
    stage(ctx)
    summary = validate_staging(ctx)
    return root / "staging", root / "quality", summary


class Case:
    """One corrupted copy of the bank, staged over a copy of the clean staging."""

    def __init__(self, small_bank: Path, clean, business_date: date, rules, tmp_path: Path):
        self.bank = copy_bank(small_bank, tmp_path / "bank")
        self.staging_root = tmp_path / "staging"
        self.quality_root = tmp_path / "quality"
        self.business_date = business_date
        self.rules = rules
        self.ctx = run_context(tmp_path, business_date, rules,
                               core_banking_url=sqlite_url(self.bank))
        self.staging = copy_staging(clean[0], self.staging_root, business_date)

    def corrupt(self, *statements: str) -> Case:
        corrupt(self.bank, *statements)
        return self

    def extract(self, *names: str) -> Case:
        stage(self.ctx, names=names)
        return self

    def validate(self, previous: dict[str, int] | None = None,
                 mail_domains: tuple[str, ...] | None = None) -> dict:
        ctx = self.ctx
        if mail_domains is not None:
            ctx = dataclasses.replace(
                ctx, settings=dataclasses.replace(ctx.settings, mail_domains=mail_domains))
        return validate_staging(ctx, previous_counts=previous)

    def fails(self, previous: dict[str, int] | None = None) -> DataQualityError:
        with pytest.raises(DataQualityError) as caught:
            self.validate(previous)
        error = caught.value
        # the report is written, the staging is not marked valid
        folder = self.quality_root / self.business_date.isoformat()
        for name in ("results.json", "summary.json", "report.html", "report.pdf"):
            assert (folder / name).is_file(), name
        assert json.loads((folder / "results.json").read_text())["status"] == "failed"
        assert not (self.staging / "validated.json").exists()
        assert (self.staging / "quarantine.parquet").is_file()
        return error

    def one(self, table: str, rule: str) -> dict:
        summary = json.loads(
            (self.quality_root / self.business_date.isoformat() / "summary.json").read_text())
        found = [f for f in summary["blocking"] + summary["warnings"]
                 if f["table"] == table and f["rule"] == rule]
        assert len(found) == 1, (table, rule, summary["blocking"], summary["warnings"])
        return found[0]

    def none(self, table: str, rule: str) -> None:
        summary = json.loads(
            (self.quality_root / self.business_date.isoformat() / "summary.json").read_text())
        found = [f for f in summary["blocking"] + summary["warnings"]
                 if f["table"] == table and f["rule"] == rule]
        assert found == [], found

    def everything_written(self, summary: dict) -> str:
        """What operators and readers of the outputs see: files, report text, message."""
        folder = self.quality_root / self.business_date.isoformat()
        pdf = subprocess.run(["pdftotext", str(folder / "report.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
        return "\n".join([
            *((folder / name).read_text(encoding="utf-8")
              for name in ("results.json", "summary.json", "report.html")),
            pdf, format_failure_message(summary),
        ])


@pytest.fixture
def case(small_bank, clean, business_date, rules, tmp_path) -> Case:
    return Case(small_bank, clean, business_date, rules, tmp_path)


def first_ids(bank: Path, sql: str, n: int) -> list[str]:
    import sqlite3

    with sqlite3.connect(bank) as conn:
        return [row[0] for row in conn.execute(f"{sql} limit {n}")]


def quoted(ids: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


# -- the clean bank -----------------------------------------------------------------------


def test_the_clean_bank_passes_and_is_marked_valid(clean, business_date):
    staging_root, quality_root, summary = clean
    assert summary["status"] in ("passed", "warnings"), format_failure_message(summary)
    assert summary["blocking"] == []
    assert json.loads(json.dumps(summary)) == summary  # small and JSON-safe, for XCom
    assert summary["counts"]["customers"] == 1500
    assert set(summary["counts"]) == set(EXTRACTS)
    folder = staging_root / business_date.isoformat()
    marker = json.loads((folder / "validated.json").read_text())
    assert marker["status"] == summary["status"]
    quarantine = pd.read_parquet(folder / "quarantine.parquet")
    assert list(quarantine.columns) == QUARANTINE_COLUMNS
    assert summary["volume_note"].startswith("volume check skipped: no previous run")


def test_the_report_is_self_contained_and_has_a_pdf(clean, business_date):
    _, quality_root, summary = clean
    html = Path(summary["report_html"]).read_text(encoding="utf-8")
    for external in ("http://", "https://", "<script", "<link", "src="):
        assert external not in html, external
    assert business_date.isoformat() in html
    pdf = Path(summary["report_pdf"])
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Data quality report" in text and business_date.isoformat() in text
    results = json.loads(Path(summary["results_json"]).read_text())
    assert set(results["suites"]) == set(EXTRACTS)
    assert results["suites"]["customers"]["statistics"]["evaluated_expectations"] > 10
    assert not list((quality_root / business_date.isoformat()).glob(".*.tmp"))


def test_the_pdf_may_read_only_project_templates():
    fetcher = _local_only_fetcher()
    with pytest.raises(ValueError, match="may not fetch https"):
        fetcher.fetch("https://cdn.example.com/style.css")
    with pytest.raises(ValueError, match="only read project templates"):
        fetcher.fetch("file:///etc/passwd")
    inside = fetcher.fetch((QUALITY_TEMPLATES_DIR / "base.html.j2").as_uri())
    inside.close()


# -- blocking failures --------------------------------------------------------------------


def test_duplicate_customer_ids_block(case):
    duplicate = first_ids(case.bank, "select customer_id from customers order by customer_id", 1)
    without_primary_key(case.bank, "customers")
    case.corrupt(f"insert into customers select * from customers where customer_id = "
                 f"'{duplicate[0]}'").extract("customers")
    error = case.fails()
    assert "customers.customer_id [key_unique" in str(error)
    assert f"e.g. customer_id {duplicate[0]}" in str(error)
    assert case.one("customers", "key_unique")["rows"] == 2


def test_accounts_of_unknown_customers_block(case):
    accounts = first_ids(case.bank, "select account_id from accounts order by account_id", 3)
    case.corrupt(f"update accounts set customer_id = 'C-GHOST' where account_id in "
                 f"({quoted(accounts)})").extract("accounts")
    error = case.fails()
    finding = case.one("accounts", "references_customers")
    assert finding["rows"] == 3 and finding["key_column"] == "account_id"
    assert finding["examples"] == sorted(accounts)
    assert "3 accounts of unknown customers" in str(error)


def test_customers_of_unknown_managers_block(case):
    customers = first_ids(case.bank, "select customer_id from customers order by customer_id", 2)
    case.corrupt(f"update customers set manager_id = 'M-GONE' where customer_id in "
                 f"({quoted(customers)})").extract("customers")
    error = case.fails()
    assert "2 customers of unknown managers" in str(error)
    assert case.one("customers", "references_managers")["examples"] == customers


def test_negative_deposit_balances_block(case):
    day = case.business_date.isoformat()
    accounts = first_ids(
        case.bank,
        "select a.account_id from accounts a join account_balances b "
        f"on b.account_id = a.account_id and b.balance_date = '{day}' "
        "where a.product_kind = 'savings' order by a.account_id", 2)
    case.corrupt(f"update account_balances set balance_cny = -500 where balance_date = '{day}' "
                 f"and account_id in ({quoted(accounts)})").extract("accounts")
    error = case.fails()
    finding = case.one("accounts", "not_negative")
    assert finding["examples"] == accounts
    assert "2 deposit-like accounts" in str(error) and "negative balance" in str(error)


def test_balances_missing_for_the_business_date_block(case):
    day = case.business_date.isoformat()
    case.corrupt(f"delete from account_balances where balance_date = '{day}'").extract(
        "accounts", "customer_balances")
    error = case.fails()
    assert "balances missing for the business date" in str(error)
    finding = case.one("accounts", "freshness")
    assert finding["rows"] > 0 and len(finding["examples"]) == 5
    assert case.one("customer_balances", "freshness")["severity"] == "blocking"


def test_future_dated_transactions_block(case):
    customer = first_ids(case.bank, "select customer_id from accounts order by customer_id", 1)[0]
    account = scalar(case.bank, "select min(account_id) from accounts where customer_id = ?",
                     (customer,))
    future = (case.business_date + timedelta(days=3)).isoformat()
    case.corrupt(
        "insert into transactions (transaction_id, account_id, customer_id, transaction_date, "
        "amount_cny, direction, channel, transaction_type, counterparty_bank) values "
        f"('T-FUTURE', '{account}', '{customer}', '{future}', 10, 'debit', 'mobile', 'fee', null)"
    ).extract("transaction_summary")
    error = case.fails()
    assert "future-dated transactions" in str(error)
    assert case.one("transaction_summary", "not_in_future")["examples"] == [customer]


def test_a_business_date_never_closed_leaves_nothing_to_validate(case):
    from customer_plans.eod import is_business_date_closed
    from customer_plans.extract import BusinessDateNotClosedError

    day = case.business_date.isoformat()
    case.corrupt(f"delete from eod_status where business_date = '{day}'")
    assert not is_business_date_closed(f"sqlite:///{case.bank}", case.business_date)
    shutil.rmtree(case.staging)  # a fresh business date: nothing staged yet
    with pytest.raises(BusinessDateNotClosedError):
        case.extract("customers")
    error = case.fails()
    assert "customers [extract_present" in str(error)
    assert "no staging file" in str(error)


def test_an_empty_extract_blocks(case):
    case.corrupt("delete from account_balances", "delete from accounts").extract(
        "accounts", "customer_balances")
    error = case.fails()
    assert "accounts [not_empty" in str(error)
    assert "the extract is empty" in str(error)


def test_a_column_missing_from_a_staged_extract_is_named(case):
    """Staging written by an edited SQL file without a column: validation names it."""
    path = case.staging / "customers.parquet"
    frame = pd.read_parquet(path).rename(columns={"preferred_channel": "channel_preference",
                                                  "customer_id": "client_id"})
    frame.to_parquet(path, index=False)
    error = case.fails()
    finding = case.one("customers", "column_present")
    assert finding["column"] == "customer_id, preferred_channel"
    assert "column customer_id, preferred_channel missing" in str(error)
    assert "unexpected columns client_id, channel_preference: renamed?" in str(error)
    # checks that need the lost key are listed as skipped, not silently dropped
    results = json.loads(Path(error.summary["results_json"]).read_text())
    skipped = {(c["table"], c["rule"]) for c in results["checks"] if c["status"] == "skipped"}
    assert ("customers", "key_unique") in skipped
    assert ("accounts", "references_customers") in skipped


def test_text_in_a_numeric_column_blocks_with_the_rows_named(case):
    customers = first_ids(case.bank, "select customer_id from customers order by customer_id", 2)
    case.corrupt(f"update customers set annual_income_cny = 'unknown' where customer_id in "
                 f"({quoted(customers)})").extract("customers")
    error = case.fails()
    finding = case.one("customers", "column_type")
    assert finding["column"] == "annual_income_cny" and finding["rows"] == 2
    assert finding["examples"] == customers
    assert "value(s) of annual_income_cny are not numbers" in str(error)


def test_an_extract_twice_the_usual_size_blocks(case, clean):
    _, clean_quality, _ = clean
    # the volume baseline: the clean run, read as the previous business date's results
    baseline = previous_counts(clean_quality, case.business_date + timedelta(days=1))
    assert baseline is not None and baseline["customers"] == 1500
    without_primary_key(case.bank, "customers")
    case.corrupt("insert into customers select 'X' || customer_id, customer_name, birth_date, "
                 "gender, national_id, mobile_phone, email, address, occupation, employer, "
                 "annual_income_cny, risk_profile, risk_assessed_date, is_primary_holder, "
                 "onboarding_date, closed_date, branch_id, manager_id, preferred_channel, "
                 "marketing_consent, consent_updated_date, do_not_contact from customers"
                 ).extract("customers")
    error = case.fails(previous=baseline)
    finding = case.one("customers", "volume")
    assert "3000 rows, outside 750..2250" in finding["message"]
    assert "customers [volume" in str(error)


# -- warnings: the run continues ----------------------------------------------------------


def test_impossible_birth_dates_are_quarantined_and_the_run_continues(case):
    future, ancient = first_ids(
        case.bank, "select customer_id from customers order by customer_id", 2)
    case.corrupt(
        f"update customers set birth_date = '2031-05-01' where customer_id = '{future}'",
        f"update customers set birth_date = '1850-01-01' where customer_id = '{ancient}'",
    ).extract("customers")
    summary = case.validate()
    assert summary["status"] == "warnings"
    assert summary["quarantined"] >= 2
    quarantine = pd.read_parquet(summary["quarantine_path"])
    rows = quarantine[quarantine["rule"] == "birth_date_plausible"].set_index("key")
    assert rows.loc[future, "detail"] == "birth_date after the business date"
    assert rows.loc[ancient, "detail"] == "birth_date more than 120 years before the business date"
    assert (rows["table"] == "customers").all() and (rows["key_column"] == "customer_id").all()
    finding = case.one("customers", "birth_date_plausible")
    assert finding["severity"] == "quarantine" and "quarantined" in finding["message"]
    assert (case.staging / "validated.json").is_file()
    # nothing is dropped: the staged rows are still there, only listed for exclusion
    staged = pd.read_parquet(case.staging / "customers.parquet")
    assert {future, ancient} <= set(staged["customer_id"])


def test_customers_without_a_manager_are_a_warning(case):
    customers = first_ids(
        case.bank, "select customer_id from customers where manager_id is not null "
                   "order by customer_id", 3)
    case.corrupt(f"update customers set manager_id = null where customer_id in "
                 f"({quoted(customers)})").extract("customers")
    summary = case.validate()
    assert summary["status"] == "warnings"
    messages = [w["message"] for w in summary["warnings"]]
    baseline = scalar(case.bank, "select count(*) from customers where manager_id is null")
    assert f"{baseline} customers without a manager: assigned to the branch pool" in messages
    assert (case.staging / "validated.json").is_file()
    assert "without a manager" in format_failure_message(summary)


def test_every_row_a_warning_names_is_listed_for_the_plans_to_count(case):
    """A finding keeps five example keys; warning_rows.parquet keeps them all (keys only), so
    each manager's plan can count the rows of its own book."""
    from customer_plans.quality.gate import WARNING_ROWS_COLUMNS, WARNING_ROWS_FILE

    customers = first_ids(
        case.bank, "select customer_id from customers where manager_id is not null "
                   "order by customer_id", 7)
    case.corrupt(f"update customers set manager_id = null where customer_id in "
                 f"({quoted(customers)})").extract("customers")
    case.validate()
    rows = pd.read_parquet(case.quality_root / case.business_date.isoformat()
                           / WARNING_ROWS_FILE)
    assert list(rows.columns) == WARNING_ROWS_COLUMNS
    no_manager = rows[(rows["table"] == "customers") & (rows["column"] == "manager_id")
                      & (rows["rule"] == "not_null")]
    finding = case.one("customers", "not_null")
    assert len(finding["examples"]) == 5 < len(no_manager) == finding["rows"]
    assert set(customers) <= set(no_manager["key"])
    assert set(no_manager["key_column"]) == {"customer_id"}
    assert not rows.duplicated().any()


def test_a_branch_without_a_head_email_is_a_counted_warning_printed_on_plans(clean, small_bank):
    from customer_plans.render.context import QualityStatus
    from customer_plans.words import words_for

    _, _, summary = clean
    vacant = first_ids(small_bank, "select branch_id from branches where head_email is null "
                                   "order by branch_id", 10)
    assert vacant, "the small bank has a branch without a head email"
    found = [w for w in summary["warnings"]
             if (w["table"], w["column"], w["rule"]) == ("branches", "head_email", "not_null")]
    assert len(found) == 1 and summary["blocking"] == []
    finding = found[0]
    assert finding["severity"] == "warning"
    assert finding["rows"] == len(vacant)
    assert finding["key_column"] == "branch_id" and finding["examples"] == vacant
    noun = "branch" if len(vacant) == 1 else "branches"
    assert f"{len(vacant)} {noun} without a head email" in finding["message"]
    # plans and roll-ups word it in the reader's language from the message catalogue
    chinese = QualityStatus.from_summary(summary).warnings_in(words_for("zh_CN"))
    assert f"{len(vacant)} 个网点负责人无邮箱：网点概览无法发送" in chinese


def test_a_malformed_head_email_is_a_warning_naming_the_branch(case):
    branch, address = first_ids(
        case.bank, "select branch_id from branches where head_email is not null "
                   "order by branch_id", 1)[0], "head at bank.example"
    case.corrupt(f"update branches set head_email = '{address}' where branch_id = '{branch}'",
                 ).extract("branches")
    summary = case.validate()
    assert summary["status"] == "warnings" and summary["blocking"] == []
    finding = case.one("branches", "email_format")
    assert {key: finding[key] for key in ("table", "column", "rule", "severity", "rows",
                                          "key_column", "examples")} == {
        "table": "branches", "column": "head_email", "rule": "email_format",
        "severity": "warning", "rows": 1, "key_column": "branch_id", "examples": [branch]}
    assert finding["message"] == (
        "1 branch whose head_email is not one valid email address: their roll-ups are not "
        "emailed")
    assert ("branches.head_email [email_format, expect_column_values_to_be_in_set; 1 row]"
            in format_failure_message(summary))
    assert f"e.g. branch_id {branch}" in format_failure_message(summary)
    case.none("branches", "email_domain")  # not an address at all: no domain to judge
    # the run goes on, and the bad address itself is not repeated in what operators read
    assert (case.staging / "validated.json").is_file()
    assert address not in case.everything_written(summary)


def manager_ids(case, n: int) -> list[str]:
    return first_ids(case.bank, "select manager_id from managers order by manager_id", n)


def test_an_off_domain_manager_email_is_a_warning_naming_the_manager(case):
    manager = manager_ids(case, 1)[0]
    address = f"{manager.lower()}@evil.example"
    case.corrupt(f"update managers set email = '{address}' where manager_id = '{manager}'"
                 ).extract("managers")
    summary = case.validate()
    assert summary["status"] == "warnings" and summary["blocking"] == []
    finding = case.one("managers", "email_domain")
    assert {key: finding[key] for key in ("table", "column", "rule", "severity", "rows",
                                          "key_column", "examples")} == {
        "table": "managers", "column": "email", "rule": "email_domain",
        "severity": "warning", "rows": 1, "key_column": "manager_id", "examples": [manager]}
    assert finding["message"] == (
        "1 manager whose email is outside the bank's mail domains (bank.example): their plans "
        "are withheld from that address")
    case.none("managers", "email_format")
    assert f"e.g. manager_id {manager}" in format_failure_message(summary)
    assert (case.staging / "validated.json").is_file()  # the run goes on
    written = case.everything_written(summary)
    assert manager in written
    assert address not in written and "evil.example" not in written


def test_an_email_that_adds_a_header_or_a_display_name_is_not_one_address(case):
    injected, named = manager_ids(case, 2)
    case.corrupt(
        f"update managers set email = '{injected.lower()}@bank.example' || char(13) || char(10) "
        f"|| 'Bcc: x@evil.example' where manager_id = '{injected}'",
        f"update managers set email = 'Zhang Wei <{named.lower()}@bank.example>' "
        f"where manager_id = '{named}'",
    ).extract("managers")
    summary = case.validate()
    assert summary["status"] == "warnings" and summary["blocking"] == []
    finding = case.one("managers", "email_format")
    assert finding["severity"] == "warning" and finding["rows"] == 2
    assert finding["key_column"] == "manager_id"
    assert sorted(finding["examples"]) == sorted([injected, named])
    assert finding["message"] == (
        "2 managers whose email is not one valid email address: their plans are withheld "
        "from that address")
    case.none("managers", "email_domain")
    written = case.everything_written(summary)
    for private in ("evil.example", "Bcc", "Zhang Wei", f"{named.lower()}@bank.example"):
        assert private not in written, private


def test_subdomains_pass_through_a_leading_dot_entry_and_reserved_names_never(case):
    subdomain, reserved = manager_ids(case, 2)
    case.corrupt(
        f"update managers set email = '{subdomain.lower()}@hq.bank.example' "
        f"where manager_id = '{subdomain}'",
        f"update managers set email = '{reserved.lower()}@host.local' "
        f"where manager_id = '{reserved}'",
    ).extract("managers")
    # a reserved name stays refused even when the allow-list names it
    summary = case.validate(mail_domains=(".bank.example", "host.local"))
    assert summary["blocking"] == []
    case.none("managers", "email_domain")
    assert case.one("managers", "email_format")["examples"] == [reserved]
    # without the leading dot the subdomain is another domain
    summary = case.validate()
    assert case.one("managers", "email_domain")["examples"] == [subdomain]
    assert case.one("managers", "email_format")["examples"] == [reserved]
    assert "hq.bank.example" not in case.everything_written(summary)


def test_an_unknown_head_locale_is_a_warning(case):
    branch = first_ids(case.bank, "select branch_id from branches order by branch_id", 1)[0]
    case.corrupt(f"update branches set locale = 'fr_FR' where branch_id = '{branch}'"
                 ).extract("branches")
    summary = case.validate()
    finding = case.one("branches", "accepted_values")
    assert finding["column"] == "locale" and finding["severity"] == "warning"
    assert finding["rows"] == 1 and finding["examples"] == [branch]
    assert summary["blocking"] == []


# -- messages and the volume baseline -----------------------------------------------------


def test_failure_messages_carry_keys_never_personal_data(case):
    customers = first_ids(case.bank, "select customer_id from customers order by customer_id", 2)
    names = first_ids(case.bank, "select customer_name from customers order by customer_id", 2)
    phones = first_ids(case.bank, "select mobile_phone from customers order by customer_id", 2)
    case.corrupt(f"update customers set manager_id = 'M-GONE', birth_date = '2099-01-01' "
                 f"where customer_id in ({quoted(customers)})").extract("customers")
    error = case.fails()
    folder = case.quality_root / case.business_date.isoformat()
    texts = [str(error), (folder / "results.json").read_text(),
             (folder / "report.html").read_text()]
    for text in texts:
        assert customers[0] in text
        for private in [*names, *phones, "2099-01-01"]:
            assert private not in text, private


def test_previous_counts_come_from_the_latest_earlier_run_that_passed(tmp_path):
    def write(day: str, status: str, customers: int) -> None:
        folder = tmp_path / day
        folder.mkdir()
        (folder / "results.json").write_text(
            json.dumps({"status": status, "counts": {"customers": customers}}))

    assert previous_counts(tmp_path, date(2026, 11, 20)) is None
    write("2026-11-17", "passed", 100)
    write("2026-11-18", "warnings", 110)
    write("2026-11-19", "failed", 999)
    write("2026-11-20", "passed", 120)
    assert previous_counts(tmp_path, date(2026, 11, 20)) == {"customers": 110}


def test_format_failure_message_lists_table_column_rule_rows_and_keys():
    summary = {
        "business_date": "2026-11-20", "status": "failed",
        "blocking": [{
            "table": "accounts", "column": "customer_id", "rule": "references_customers",
            "expectation": "expect_column_values_to_be_in_set", "severity": "blocking",
            "message": "3 accounts of unknown customers", "rows": 3,
            "key_column": "account_id", "examples": ["A1", "A2", "A3"],
        }],
        "warnings": [],
    }
    message = format_failure_message(summary)
    assert "FAILED for business date 2026-11-20: 1 blocking failure;" in message
    assert ("accounts.customer_id [references_customers, expect_column_values_to_be_in_set; "
            "3 rows]: 3 accounts of unknown customers; e.g. account_id A1, A2, A3") in message


@pytest.mark.parametrize(("message", "worded"), [
    ("1 branches without a head email", "1 branch without a head email"),
    ("(1 rows without a balance that day)", "(1 row without a balance that day)"),
    ("1 deposit-like accounts (term) maturing", "1 deposit-like account (term) maturing"),
    ("11 branches without a head email", "11 branches without a head email"),
    ("21 customers without a manager", "21 customers without a manager"),
    ("1 value(s) of x are not dates", "1 value(s) of x are not dates"),
])
def test_operator_messages_say_one_thing_in_the_singular(message, worded):
    assert singular_when_one(message) == worded


def test_names_holding_control_or_direction_characters_are_a_warning_naming_the_rows(case):
    customers = first_ids(case.bank, "select customer_id from customers order by customer_id", 2)
    case.corrupt(
        f"update customers set customer_name = char(8238) || 'live' "
        f"where customer_id = '{customers[0]}'",
        f"update customers set customer_name = 'Ann' || char(7) || 'Lee' "
        f"where customer_id = '{customers[1]}'",
    ).extract("customers")
    summary = case.validate()
    assert summary["status"] == "warnings" and summary["blocking"] == []
    finding = case.one("customers", "printable_text")
    assert {key: finding[key] for key in ("column", "severity", "rows", "key_column",
                                          "examples")} == {
        "column": "customer_name", "severity": "warning", "rows": 2,
        "key_column": "customer_id", "examples": sorted(customers)}
    assert finding["message"].startswith(
        "2 customers whose customer_name holds control or bidirectional-override characters")
    # the run goes on, and the names themselves are not repeated in what operators read
    assert (case.staging / "validated.json").is_file()
    assert "\u202elive" not in case.everything_written(summary)
