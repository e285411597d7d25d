"""Data-quality warnings on plans and roll-ups read in the reader's language, and each
reader gets the ones that are theirs.

The warning rules are taken from the expectation suites themselves
(``customer_plans.quality.suites.every_check``): a new warning rule without words in every
language's catalogue, or without an audience (``render.quality_audience``), fails here,
before a Chinese plan prints the validator's English or a manager reads an operator's note.
A roll-up prints every warning; a plan only those about its own book or its own manager.
Great Expectations is imported once for the module (the suites build GX expectations).
"""

from __future__ import annotations

import html as markup
import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from customer_plans.quality.gate import WARNING_ROWS_COLUMNS, WARNING_ROWS_FILE
from customer_plans.quality.suites import every_check
from customer_plans.render.batch import render_plans, render_rollups, write_documents
from customer_plans.render.context import QualityStatus, QualityWarning, build_plan_contexts
from customer_plans.render.data import (
    RollupInputs,
    read_quality_counts,
    read_quality_status,
)
from customer_plans.render.html import render_plan_html, render_rollup_html
from customer_plans.render.quality_audience import (
    BOOK_TABLES,
    COUNT_COLUMNS,
    MANAGER_TABLE,
    WARNING_AUDIENCES,
    Audience,
    count_by_list,
    rule_key,
)
from customer_plans.render.rollup import build_branch_contexts
from customer_plans.staging import write_frame
from customer_plans.words import words_for
from customer_plans.words.languages import shipped_languages

from tests.support.render_sample import example_bank, sample_bank, write_sample_sources

BUSINESS_DATE = date(2026, 11, 19)
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
ZH, EN = words_for("zh_CN"), words_for("en")


@pytest.fixture(scope="module")
def warning_checks(rules):
    """Every check of the suites whose failure lets the run go on (listed under warnings)."""
    import great_expectations.expectations as gxe

    checks = every_check(gxe, rules, BUSINESS_DATE)
    return [check for check in checks if check.severity != "blocking"]


def record(check, rows: int) -> dict:
    """The summary.json warning the gate writes when ``check`` fails on ``rows`` rows."""
    return {
        "table": check.table, "column": check.column, "rule": check.rule,
        "expectation": check.expectation.expectation_type, "severity": check.severity,
        "message": check.problem.format(count=rows, observed="?", expected="?",
                                        business_date=BUSINESS_DATE.isoformat()),
        "rows": rows, "key_column": "customer_id", "examples": ["C000000292"],
    }


def english_words(text: str, *identifiers: str | None) -> list[str]:
    """ASCII words of three letters or more, once the given identifiers are taken out."""
    for identifier in sorted(filter(None, identifiers), key=len, reverse=True):
        text = text.replace(identifier, " ")
    return ENGLISH_WORD.findall(text)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def flat(text: str) -> str:
    """Without whitespace: a warning line may wrap in the PDF."""
    return re.sub(r"\s", "", text)


def quality_box(html: str) -> str:
    """The text of the data-quality box of a plan or roll-up (tags dropped)."""
    box = re.search(r'class="quality-cell".*?</td>', html, re.S).group(0)
    return markup.unescape(re.sub(r"<[^>]+>", " ", box.split(">", 1)[1]))


def test_the_suites_define_warning_and_quarantine_rules(warning_checks):
    found = {(c.table, c.column, c.rule, c.severity) for c in warning_checks}
    assert ("customers", "manager_id", "not_null", "warning") in found
    assert ("managers", "email", "not_null", "warning") in found
    assert ("customers", "birth_date", "birth_date_plausible", "quarantine") in found
    assert ("recent_contacts", "manager_id", "references_managers", "warning") in found
    assert len(found) == len(warning_checks)  # one text per table.column.rule


def test_every_warning_rule_of_the_suites_reads_in_chinese_and_english(warning_checks):
    for check in warning_checks:
        warning = QualityWarning.from_record(record(check, rows=7))
        where = f"{check.table}.{check.column}.{check.rule}"
        for language in shipped_languages().codes:
            assert words_for(language).has("quality warning", warning.rule_key), (
                f"warning rule {where} has no words in the {language} catalogue: add "
                f'msgctxt "quality warning" msgid "{warning.rule_key}" to its messages.po'
            )
        chinese, english = warning.text(ZH), warning.text(EN)
        assert "7" in chinese and CJK.search(chinese), where
        assert not english_words(chinese, check.table, check.column), (where, chinese)
        assert "7" in english and not CJK.search(english), where
        assert "C000000292" not in chinese + english  # example keys stay with operators


def test_a_warning_rule_without_a_text_still_reads_in_chinese():
    new_rule = {"table": "accounts", "column": "maturity_date", "rule": "maturity_after_opening",
                "rows": 12, "message": "12 accounts maturing before they were opened"}
    warning = QualityWarning.from_record(new_rule)
    assert warning.text(ZH) == "accounts.maturity_date：12 行未通过检查（maturity_after_opening）"
    assert warning.text(EN) == "12 accounts maturing before they were opened"
    table_level = QualityWarning.from_record({"table": "complaints", "column": None,
                                              "rule": "volume_low", "rows": None,
                                              "message": "12 rows, fewer than usual"})
    assert table_level.text(ZH) == "complaints：未通过检查（volume_low）"
    # without the validator's message, the English reads the rule's count in its plural
    unworded = replace(warning, message="")
    assert unworded.text(EN) == ("accounts.maturity_date: 12 rows failed the check "
                                 "maturity_after_opening")
    assert replace(unworded, rows=1).text(EN) == (
        "accounts.maturity_date: 1 row failed the check maturity_after_opening")
    # bare text (an older or hand-written summary) cannot be translated: say there is one
    bare = QualityStatus.from_summary({"status": "warnings", "warnings": ["Balances are late"]})
    assert bare.warnings_in(ZH) == ("有一条数据质量提示，详情请咨询运维人员",)
    assert bare.warnings_in(EN) == ("Balances are late",)


def test_the_synthetic_sample_plans_word_their_warning_in_the_managers_language(rules, tmp_path):
    """The sample the render benchmark uses: its one warning (customers without a manager) is
    the branch pool's, so the managers' plans read "passed" and the roll-ups print it, each in
    its reader's language."""
    bank = sample_bank(managers=2, contacts_per_manager=3, book_per_manager=6)
    chinese, english = build_plan_contexts(bank.inputs, bank.manager_ids, BUSINESS_DATE, rules)
    assert (chinese.words, english.words) == (ZH, EN)
    for plan in (chinese, english):
        assert (plan.quality.status_key, plan.quality.warnings) == ("passed", ())
    inputs = bank.inputs
    branches = build_branch_contexts(
        RollupInputs(inputs.contacts, inputs.segments, inputs.managers, inputs.customers,
                     bank.exclusions, inputs.feedback, inputs.quality), BUSINESS_DATE, rules)
    boxes = {branch.words.code: quality_box(render_rollup_html(branch)) for branch in branches}
    assert "3 位客户无客户经理：已分配至网点公共池" in boxes["zh_CN"]
    assert "Customers without a manager: 3" in boxes["en"]
    # stored where the render stage reads it, the summary keeps the warning as a record, and
    # its rows are the branch pool's
    write_sample_sources(bank, f"sqlite:///{tmp_path / 'plans.db'}", tmp_path / "staging",
                         tmp_path / "quality")
    stored = read_quality_status(tmp_path / "quality")
    assert stored.warnings_in(ZH) == ("3 位客户无客户经理：已分配至网点公共池",)
    counts = read_quality_counts(tmp_path / "quality", tmp_path / "staging",
                                 [*bank.manager_ids, "POOL-B01"])
    assert counts.to_dict("records") == [{"manager_id": "POOL-B01", "table": "customers",
                                          "column": "manager_id", "rule": "not_null", "rows": 3}]


@pytest.fixture(scope="module")
def every_warning(warning_checks):
    """A day on which every warning rule of the suites failed (rows 2, 3, 4, ...)."""
    summary = {"status": "warnings", "blocking": [], "warnings": [
        record(check, rows=index + 2) for index, check in enumerate(warning_checks)]}
    return QualityStatus.from_summary(summary)


def plan_counts(warning_checks, manager_ids, rows: int = 2) -> pd.DataFrame:
    """``rows`` rows of every rule a plan can print in each of the managers' books."""
    return pd.DataFrame([
        {"manager_id": manager_id, "table": check.table, "column": check.column,
         "rule": check.rule, "rows": rows}
        for manager_id in manager_ids for check in warning_checks
        if WARNING_AUDIENCES[rule_key(check.table, check.column, check.rule)]
        is not Audience.OPERATIONS
    ], columns=COUNT_COLUMNS)


@pytest.fixture(scope="module")
def printed(every_warning, warning_checks):
    """What each document of ``rendered`` prints: the roll-up every warning, each plan the
    warnings about its own book and manager (two rows of every such rule)."""
    own = every_warning.for_list(
        {rule_key(check.table, check.column, check.rule): 2 for check in warning_checks})
    return {"B01": every_warning, "M001": own, "M002": own}


@pytest.fixture(scope="module")
def rendered(every_warning, warning_checks, rules, tmp_path_factory):
    """The example bank's plans (张伟 zh, Emily Chen en) and branch B01's roll-up (zh)."""
    bank = example_bank(BUSINESS_DATE)
    inputs = replace(bank.inputs, quality=every_warning,
                     quality_counts=plan_counts(warning_checks, ["M001", "M002"]))
    out = tmp_path_factory.mktemp("quality_plans")
    plans = build_plan_contexts(inputs, ["M001", "M002"], BUSINESS_DATE, rules)
    write_documents(render_plans(plans), out)
    rollup_inputs = RollupInputs(inputs.contacts, inputs.segments, inputs.managers,
                                 inputs.customers, bank.exclusions, inputs.feedback,
                                 every_warning)
    branches = build_branch_contexts(rollup_inputs, BUSINESS_DATE, rules, branch_ids=["B01"])
    assert [plan.words for plan in plans] == [ZH, EN] and branches[0].words == ZH
    write_documents(render_rollups(branches), out)
    return out


@pytest.mark.parametrize("document", ["M001", "B01"])
def test_a_chinese_plan_and_roll_up_print_every_warning_in_chinese(
        rendered, printed, document):
    html = (rendered / f"{document}.html").read_text(encoding="utf-8")
    pdf = flat(pdf_text(rendered / f"{document}.pdf"))
    box = quality_box(html)
    assert printed[document].warnings
    for warning in printed[document].warnings:
        chinese, english = warning.text(ZH), warning.text(EN)
        assert chinese in box, chinese
        assert flat(chinese) in pdf, chinese
        # neither the catalogue's English nor the validator's ("2 customers without a")
        for text in (english, warning.message):
            opening = " ".join(text.split()[:4])
            assert opening not in box and flat(opening) not in pdf, opening
    assert not ENGLISH_WORD.findall(box), box  # every rule has its text: no identifier either


def test_an_english_plan_prints_every_warning_in_english(rendered, printed):
    html = (rendered / "M002.html").read_text(encoding="utf-8")
    pdf = flat(pdf_text(rendered / "M002.pdf"))
    box = quality_box(html)
    assert not CJK.search(box)
    for warning in printed["M002"].warnings:
        english = warning.text(EN)
        assert english in box and flat(english) in pdf, english


def test_a_plan_leaves_the_operators_warnings_to_the_report_and_the_roll_up(
        rendered, every_warning):
    plan = quality_box((rendered / "M001.html").read_text(encoding="utf-8"))
    rollup = quality_box((rendered / "B01.html").read_text(encoding="utf-8"))
    operations = [warning for warning in every_warning.warnings
                  if WARNING_AUDIENCES[warning.rule_key] is Audience.OPERATIONS]
    assert any(warning.table == "branches" for warning in operations)
    for warning in operations:
        assert warning.text(ZH) not in plan and warning.text(ZH) in rollup, warning


# -- who reads which warning --------------------------------------------------------------


def test_every_warning_rule_of_the_suites_has_an_audience(warning_checks):
    """A new warning or quarantine rule must say who reads it before it reaches a plan."""
    rules_of_suites = {rule_key(c.table, c.column, c.rule): c for c in warning_checks}
    missing = sorted(set(rules_of_suites) - set(WARNING_AUDIENCES))
    assert not missing, (
        f"warning rules without an audience: {missing}; add each to "
        "render/quality_audience.py WARNING_AUDIENCES (book, manager or operations)")
    assert sorted(set(WARNING_AUDIENCES) - set(rules_of_suites)) == []  # no stale entries
    for key, audience in WARNING_AUDIENCES.items():
        check = rules_of_suites[key]
        if audience is Audience.BOOK:  # its rows lead to a customer, hence to a book
            assert check.table in BOOK_TABLES, key
        if audience is Audience.MANAGER:  # its rows are a manager's, worded to them
            assert check.table == MANAGER_TABLE, key
            chinese, english = ZH.label("quality own", key), EN.label("quality own", key)
            assert CJK.search(chinese) and not english_words(chinese), key
            assert not CJK.search(english), key


# C0001, C0002 are 张伟's (M001), C0006, C0007 Emily Chen's (M002), C0005 has no manager
# (branch B01's pool list); A0007 is an account of C0007
BOOK_DAY_ROWS = [
    ("customers", "birth_date", "birth_date_plausible", "customer_id", "C0001"),
    ("customers", "birth_date", "birth_date_plausible", "customer_id", "C0002"),
    ("customers", "birth_date", "birth_date_plausible", "customer_id", "C0006"),
    ("customers", "manager_id", "not_null", "customer_id", "C0005"),
    ("accounts", "balance_cny", "balance_present", "account_id", "A0007"),
    ("managers", "email", "not_null", "manager_id", "M002"),
    ("branches", "head_email", "not_null", "branch_id", "B01"),
    ("branches", "head_email", "not_null", "branch_id", "B02"),
    ("recent_contacts", "manager_id", "references_managers", "contact_id", "K0001"),
]


def book_day() -> tuple[QualityStatus, pd.DataFrame, pd.DataFrame]:
    """A run whose warnings are partly about the example bank's books: its verdict, its
    warning rows and the accounts they name."""
    rows = pd.DataFrame(BOOK_DAY_ROWS, columns=WARNING_ROWS_COLUMNS)
    counted = rows.groupby(["table", "column", "rule"], sort=False).size()
    summary = {"status": "warnings", "warnings": [
        {"table": table, "column": column, "rule": rule, "rows": int(n), "message": "?"}
        for (table, column, rule), n in counted.items()]}
    accounts = pd.DataFrame({"account_id": ["A0007"], "customer_id": ["C0007"]})
    return QualityStatus.from_summary(summary), rows, accounts


def test_a_plan_prints_only_the_warnings_about_its_own_book(rules, business_date):
    bank = example_bank(business_date)
    status, rows, accounts = book_day()
    counts = count_by_list(rows, bank.inputs.customers, accounts, pool_prefix="POOL-")
    inputs = replace(bank.inputs, quality=status, quality_counts=counts)
    plans = {plan.manager_id: plan for plan in build_plan_contexts(
        inputs, ["M001", "M002", "M004", "POOL-B01"], business_date, rules)}
    assert plans["M001"].quality.warnings_in(ZH) == ("2 位客户出生日期异常，已隔离，不列入计划",)
    assert plans["M002"].quality.warnings_in(EN) == (
        "Customers with an impossible birth date: 1 (quarantined, not in the plans)",
        "Open accounts without a balance on the business date: 1 (counted as 0)",
        "Your email address is missing from the roster: plans cannot be emailed to you "
        "(ask for it to be added)",
    )
    assert plans["POOL-B01"].quality.warnings_in(ZH) == (
        "1 位客户无客户经理：已分配至网点公共池",)
    # nothing of 王芳's book: her plan reads passed, without the operators' notes
    assert (plans["M004"].quality.status_key, plans["M004"].quality.warnings) == ("passed", ())
    box = quality_box(render_plan_html(plans["M004"]))
    assert "通过" in box and "网点负责人" not in box
    assert plans["M001"].quality.status_key == "warning"
    # the branch head reads the run's every warning, counted bank-wide
    inputs_b01 = RollupInputs(inputs.contacts, inputs.segments, inputs.managers,
                              inputs.customers, bank.exclusions, inputs.feedback, status)
    (branch,) = build_branch_contexts(inputs_b01, business_date, rules, branch_ids=["B01"])
    rollup = quality_box(render_rollup_html(branch))
    for line in ("3 位客户出生日期异常", "2 个网点负责人无邮箱", "1 位客户经理无邮箱",
                 "1 条近期联络记录的客户经理不在名册中"):
        assert line in rollup, line


def test_plans_count_their_rows_from_the_validate_stage_files(tmp_path):
    """The render stage reads warning_rows.parquet and the staged customers and accounts the
    rows name; a quality folder from before the file existed gives no counts."""
    status, rows, accounts = book_day()
    quality, staging = tmp_path / "quality", tmp_path / "staging"
    write_frame(rows, quality / WARNING_ROWS_FILE)
    bank = example_bank()
    write_frame(bank.inputs.customers, staging / "customers.parquet")
    write_frame(accounts.assign(balance_cny=None), staging / "accounts.parquet")
    counts = read_quality_counts(quality, staging, ["M001", "M002", "POOL-B01"])
    assert sorted(map(tuple, counts.to_numpy().tolist())) == [
        ("M001", "customers", "birth_date", "birth_date_plausible", 2),
        ("M002", "accounts", "balance_cny", "balance_present", 1),
        ("M002", "customers", "birth_date", "birth_date_plausible", 1),
        ("M002", "managers", "email", "not_null", 1),
        ("POOL-B01", "customers", "manager_id", "not_null", 1),
    ]
    assert read_quality_counts(tmp_path / "older", staging, ["M001"]).empty
    assert read_quality_counts(None, staging, ["M001"]).empty
