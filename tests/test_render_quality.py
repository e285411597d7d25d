"""Data-quality warnings on plans and roll-ups read in the reader's language.

The warning rules are taken from the expectation suites themselves
(``customer_plans.quality.suites.every_check``): a new warning rule without a Chinese text
in the message catalogue fails here, before a Chinese plan prints the validator's English.
Great Expectations is imported once for the module (the suites build GX expectations).
"""

from __future__ import annotations

import html as markup
import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from customer_plans.quality.suites import every_check
from customer_plans.render.batch import render_plans, render_rollups, write_documents
from customer_plans.render.context import QualityStatus, QualityWarning, build_plan_contexts
from customer_plans.render.data import RollupInputs, read_quality_status
from customer_plans.render.html import render_plan_html
from customer_plans.render.messages import MESSAGES
from customer_plans.render.rollup import build_branch_contexts
from customer_plans.render.sample import example_bank, sample_bank, write_sample_sources

BUSINESS_DATE = date(2026, 11, 20)
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


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
        assert warning.message_key in MESSAGES, (
            f"warning rule {where} has no text in render/messages.py: add "
            f"'{warning.message_key}' in English and Chinese"
        )
        chinese, english = warning.text("zh"), warning.text("en")
        assert "7" in chinese and CJK.search(chinese), where
        assert not english_words(chinese, check.table, check.column), (where, chinese)
        assert "7" in english and not CJK.search(english), where
        assert "C000000292" not in chinese + english  # example keys stay with operators


def test_a_warning_rule_without_a_text_still_reads_in_chinese():
    new_rule = {"table": "accounts", "column": "maturity_date", "rule": "maturity_after_opening",
                "rows": 12, "message": "12 accounts maturing before they were opened"}
    warning = QualityWarning.from_record(new_rule)
    assert warning.text("zh") == "accounts.maturity_date：12 行未通过检查（maturity_after_opening）"
    assert warning.text("en") == "12 accounts maturing before they were opened"
    table_level = QualityWarning.from_record({"table": "complaints", "column": None,
                                              "rule": "volume_low", "rows": None,
                                              "message": "12 rows, fewer than usual"})
    assert table_level.text("zh") == "complaints：未通过检查（volume_low）"
    # bare text (an older or hand-written summary) cannot be translated: say there is one
    bare = QualityStatus.from_summary({"status": "warnings", "warnings": ["Balances are late"]})
    assert bare.warnings_in("zh") == ("有一条数据质量提示，详情请咨询运维人员",)
    assert bare.warnings_in("en") == ("Balances are late",)


def test_the_synthetic_sample_plans_word_their_warning_in_the_managers_language(rules, tmp_path):
    """The sample the render benchmark uses: its Chinese plans print the Chinese warning."""
    bank = sample_bank(managers=2, contacts_per_manager=3, book_per_manager=6)
    chinese, english = build_plan_contexts(bank.inputs, bank.manager_ids, BUSINESS_DATE, rules)
    assert (chinese.lang, english.lang) == ("zh", "en")
    assert "3 位客户无客户经理：已分配至网点公共池" in quality_box(render_plan_html(chinese))
    assert "Customers without a manager: 3" in quality_box(render_plan_html(english))
    # stored where the render stage reads it, the summary keeps the warning as a record
    write_sample_sources(bank, f"sqlite:///{tmp_path / 'plans.db'}", tmp_path / "staging",
                         tmp_path / "quality")
    stored = read_quality_status(tmp_path / "quality")
    assert stored.warnings_in("zh") == ("3 位客户无客户经理：已分配至网点公共池",)


@pytest.fixture(scope="module")
def every_warning(warning_checks):
    """A day on which every warning rule of the suites failed (rows 2, 3, 4, ...)."""
    summary = {"status": "warnings", "blocking": [], "warnings": [
        record(check, rows=index + 2) for index, check in enumerate(warning_checks)]}
    return QualityStatus.from_summary(summary)


@pytest.fixture(scope="module")
def rendered(every_warning, rules, tmp_path_factory):
    """The example bank's plans (张伟 zh, Emily Chen en) and branch B01's roll-up (zh)."""
    bank = example_bank(BUSINESS_DATE)
    inputs = replace(bank.inputs, quality=every_warning)
    out = tmp_path_factory.mktemp("quality_plans")
    plans = build_plan_contexts(inputs, ["M001", "M002"], BUSINESS_DATE, rules)
    write_documents(render_plans(plans), out)
    rollup_inputs = RollupInputs(inputs.contacts, inputs.segments, inputs.managers,
                                 inputs.customers, bank.exclusions, inputs.feedback,
                                 every_warning)
    branches = build_branch_contexts(rollup_inputs, BUSINESS_DATE, rules, branch_ids=["B01"])
    assert [plan.lang for plan in plans] == ["zh", "en"] and branches[0].lang == "zh"
    write_documents(render_rollups(branches), out)
    return out


@pytest.mark.parametrize("document", ["M001", "B01"])
def test_a_chinese_plan_and_roll_up_print_every_warning_in_chinese(
        rendered, every_warning, document):
    html = (rendered / f"{document}.html").read_text(encoding="utf-8")
    pdf = flat(pdf_text(rendered / f"{document}.pdf"))
    box = quality_box(html)
    for warning in every_warning.warnings:
        chinese, english = warning.text("zh"), warning.text("en")
        assert chinese in box, chinese
        assert flat(chinese) in pdf, chinese
        # neither the catalogue's English nor the validator's ("2 customers without a")
        for text in (english, warning.message):
            opening = " ".join(text.split()[:4])
            assert opening not in box and flat(opening) not in pdf, opening
    assert not ENGLISH_WORD.findall(box), box  # every rule has its text: no identifier either


def test_an_english_plan_prints_every_warning_in_english(rendered, every_warning):
    html = (rendered / "M002.html").read_text(encoding="utf-8")
    pdf = flat(pdf_text(rendered / "M002.pdf"))
    box = quality_box(html)
    assert not CJK.search(box)
    for warning in every_warning.warnings:
        english = warning.text("en")
        assert english in box and flat(english) in pdf, english
