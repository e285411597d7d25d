"""A manager's plan as the manager sees it: the email HTML and the PDF, in both languages.

The example bank (``tests.support.render_sample.example_bank``) is small and hand-written:
张伟 (zh_CN) has three planned contacts (one covered for 李娜) and one deferred; Emily Chen
(en) has two; 王芳 (zh_CN) has none; the branch pool's list (POOL-B01) has one. The plans are
rendered once, as one batch, and shared by the tests of this module.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from customer_plans.render.batch import plan_section, render_plans, write_documents
from customer_plans.render.context import PlanInputs, QualityStatus, build_plan_contexts
from customer_plans.render.html import render_plan_html

from tests.support.render_sample import example_bank

BUSINESS_DATE = date(2026, 11, 19)
GOLDEN_DIR = Path(__file__).parent / "golden"
MANAGERS = ["M001", "M002", "M004", "POOL-B01"]
NAMES = {"M001": "张伟", "M002": "Emily Chen", "M004": "王芳", "POOL-B01": "网点公共池"}


def pdf_text(path: Path, page: int | None = None, layout: bool = True) -> str:
    args = ["pdftotext", "-layout"] if layout else ["pdftotext"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


@pytest.fixture(scope="module")
def bank():
    return example_bank(BUSINESS_DATE)


@pytest.fixture(scope="module")
def plans(bank, rules):
    return build_plan_contexts(bank.inputs, MANAGERS, BUSINESS_DATE, rules)


@pytest.fixture(scope="module")
def out_dir(plans, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plans")
    write_documents(render_plans(plans), out)
    return out


def normalise(html: str) -> str:
    """One tag per line, styles dropped: the golden files follow content and structure;
    styling is checked by the inlining test and by looking at the PDF."""
    html = re.sub(r'\sstyle="[^"]*"', "", html)
    # the rules file's hash changes with any edit of it; its version is what a reader checks
    html = re.sub(r"\([0-9a-f]{12}\)", "(rules-hash)", html)
    html = re.sub(r">\s*<", ">\n<", html)
    return "\n".join(line.strip() for line in html.splitlines() if line.strip()) + "\n"


@pytest.mark.parametrize(
    ("manager_id", "golden"),
    [("M001", "plan_M001_zh.html"), ("M002", "plan_M002_en.html"),
     ("M004", "plan_M004_zh_nothing_planned.html"), ("POOL-B01", "plan_POOL-B01_zh.html")],
)
def test_plan_html_matches_golden_file(out_dir, manager_id, golden):
    """Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change (and read
    the diff before committing it)."""
    html = normalise((out_dir / f"{manager_id}.html").read_text(encoding="utf-8"))
    path = GOLDEN_DIR / golden
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(html, encoding="utf-8")
    assert html == path.read_text(encoding="utf-8")


def test_email_html_is_self_contained_and_inlined(out_dir):
    html = (out_dir / "M001.html").read_text(encoding="utf-8")
    assert "<style" not in html and "<link" not in html and "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert re.search(r'<table[^>]*class="container"[^>]*style="[^"]*max-width: 640px', html)
    assert re.search(r'<h1 class="manager-name" style="[^"]*font-size', html)


def test_each_language_reads_its_own_labels_and_numbers(out_dir):
    chinese = (out_dir / "M001.html").read_text(encoding="utf-8")
    english = (out_dir / "M002.html").read_text(encoding="utf-8")
    assert "今日联络名单" in chinese and "30.5万元" in chinese
    assert "2026年11月20日 星期五" in chinese
    assert "Whom to contact today" in english and "CNY 730,000" in english
    assert "Fri, 20 Nov 2026" in english and "今日" not in english


def test_header_shows_dates_quality_and_rules(out_dir, rules):
    html = (out_dir / "M002.html").read_text(encoding="utf-8")
    assert "Plan for Fri, 20 Nov 2026" in html and "Data as of 19 Nov 2026" in html
    # the day's one warning (a customer without a manager) is the branch pool's book, so the
    # managers' plans read "passed" and the pool's list prints it (render.quality_audience)
    assert "Data quality:</strong> passed" in html and "passed with warnings" not in html
    assert "without a manager" not in html
    chinese = (out_dir / "M001.html").read_text(encoding="utf-8")
    assert "无客户经理" not in chinese and "without a manager" not in chinese
    pool = (out_dir / "POOL-B01.html").read_text(encoding="utf-8")
    assert "通过（有提示）" in pool and "1 位客户无客户经理：已分配至网点公共池" in pool
    assert f"Rules {rules.version}" in html


def test_summary_counts_levels_channels_completion_and_covered_books(out_dir):
    html = (out_dir / "M001.html").read_text(encoding="utf-8")
    tiles = re.findall(r'class="tile-value"[^>]*>([^<]+)<', html)
    assert tiles == ["3", "1", "80%", "1"]  # contacts, urgent, done yesterday, deferred
    assert "紧急 1" in html and "重要 1" in html and "常规 1" in html
    assert "电话 1" in html and "面访 1" in html and "微信 1" in html
    assert "计划 5 位，完成 4 位" in html
    assert "李娜：1 位" in html
    # no feedback row for Emily Chen: yesterday's rate is a dash, not 0%
    english = (out_dir / "M002.html").read_text(encoding="utf-8")
    assert re.findall(r'class="tile-value"[^>]*>([^<]+)<', english)[2] == "—"


def test_zero_contacts_is_a_friendly_page(out_dir):
    html = (out_dir / "M004.html").read_text(encoding="utf-8")
    assert "今天没有安排联络" in html and "今日联络名单" not in html
    assert pdf_pages(out_dir / "M004.pdf") == 1
    assert "今天没有安排联络" in pdf_text(out_dir / "M004.pdf")


def customer_ids(text: str) -> list[str]:
    return re.findall(r"\bC\d{4}\b", text)


@pytest.mark.parametrize("manager_id", MANAGERS)
def test_html_and_pdf_list_exactly_the_plan_contacts(out_dir, bank, manager_id):
    rows = bank.inputs.contacts[bank.inputs.contacts["manager_id"] == manager_id]
    expected = sorted(rows["customer_id"])
    html_ids = customer_ids((out_dir / f"{manager_id}.html").read_text(encoding="utf-8"))
    pdf_ids = customer_ids(pdf_text(out_dir / f"{manager_id}.pdf"))
    assert sorted(html_ids) == expected
    assert sorted(pdf_ids) == expected


def test_own_contacts_are_listed_in_rank_order(plans):
    zhang = plans[0]
    assert [c.rank for c in zhang.contacts] == [1, 3]
    assert zhang.customer_ids == ["C0001", "C0004", "C0002", "C0003"]
    assert [g.home_manager_name for g in zhang.covered] == ["李娜"]
    assert [c.customer_id for c in zhang.deferred] == ["C0003"]


def test_personal_identifiers_never_leave_in_full(out_dir, bank):
    customers = bank.inputs.customers
    secrets = [*customers["national_id"], *customers["mobile_phone"].dropna(),
               "6222020200112233445"]
    for manager_id in MANAGERS:
        for text in ((out_dir / f"{manager_id}.html").read_text(encoding="utf-8"),
                     pdf_text(out_dir / f"{manager_id}.pdf")):
            flat = text.replace(" ", "")
            assert not [s for s in secrets if s.replace(" ", "") in flat], manager_id
    html = (out_dir / "M001.html").read_text(encoding="utf-8")
    assert "138****1234" in html and "136****2222" in html and "****3445" in html


def test_data_text_is_escaped_not_executed(bank, rules, tmp_path):
    hostile = "<script>alert(1)</script>"
    customers = bank.inputs.customers.copy()
    customers.loc[customers["customer_id"] == "C0006", "customer_name"] = hostile
    contacts = bank.inputs.contacts.copy()
    # a complaint category the bank's data added reads as the source wrote it: escaped
    def complaint(category: str) -> str:
        return json.dumps([{"code": "service_recovery", "level": 1, "facts": {
            "complaint_id": "K1", "category": category, "opened_date": "2026-11-02"}}])

    contacts.loc[contacts["manager_id"] == "M002", "reasons"] = complaint(
        '<img src="http://evil.example/x.png" onerror="alert(2)">')
    contacts.loc[0, "reasons"] = complaint("<b>bold</b> & 'quotes'")
    inputs = replace(bank.inputs, customers=customers, contacts=contacts,
                     quality=QualityStatus.from_summary({"status": "warning",
                                                         "warnings": ["<i>x</i>"]}))
    plans = build_plan_contexts(inputs, ["M001", "M002"], BUSINESS_DATE, rules)
    write_documents(render_plans(plans), tmp_path)
    english = (tmp_path / "M002.html").read_text(encoding="utf-8")
    chinese = (tmp_path / "M001.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in english
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in english
    assert "<img" not in english and "&lt;img src=" in english
    assert "<b>bold</b>" not in chinese and "&lt;b&gt;bold&lt;/b&gt; &amp; " in chinese
    # a bare-text warning is about no one's book: on no plan (render.quality_audience), but
    # escaped on the roll-up of a branch head who reads English
    import pandas as pd
    from customer_plans.render.data import RollupInputs
    from customer_plans.render.html import render_rollup_html
    from customer_plans.render.rollup import build_branch_contexts

    assert "<i>x</i>" not in chinese + english and "&lt;i&gt;x" not in english
    (branch,) = build_branch_contexts(
        RollupInputs(inputs.contacts, inputs.segments, inputs.managers, inputs.customers,
                     bank.exclusions, inputs.feedback, inputs.quality,
                     pd.DataFrame({"branch_id": ["B01"], "locale": ["en"]})),
        BUSINESS_DATE, rules, branch_ids=["B01"])
    rollup = render_rollup_html(branch)
    assert "<i>x</i>" not in rollup and "&lt;i&gt;x&lt;/i&gt;" in rollup
    # printed as text (reading order, line breaks removed: the name wraps in its column)
    assert hostile in re.sub(r"\s", "", pdf_text(tmp_path / "M002.pdf", layout=False))


def test_missing_quality_summary_says_not_reported(bank, rules):
    inputs = replace(bank.inputs, quality=QualityStatus.from_summary(None))
    plan = build_plan_contexts(inputs, ["M002"], BUSINESS_DATE, rules)[0]
    assert "Data quality:</strong> not reported" in render_plan_html(plan)


def test_pdf_prints_chinese_with_an_embedded_cjk_font(out_dir):
    text = pdf_text(out_dir / "M001.pdf")
    assert "张伟" in text and "王小明" in text and "城东支行" in text
    fonts = subprocess.run(["pdffonts", str(out_dir / "M001.pdf")], check=True,
                           capture_output=True, text=True).stdout
    # the print font built at set-up from Noto Sans CJK SC (render/fonts.py), embedded
    cjk = [line for line in fonts.splitlines() if "Plan-Sans-SC" in line]
    assert cjk and all(" yes " in line for line in cjk)
    # everything in this plan is within that font: the full CJK font is not embedded too
    assert "Noto-Sans-CJK" not in fonts


def test_pdf_draws_the_aum_sparkline_of_a_customer_at_risk_as_text(out_dir, plans):
    """王小明 (C0001, high churn risk) lost a third of his AUM over 13 weeks, steadily."""
    line = next(line for line in pdf_text(out_dir / "M001.pdf").splitlines() if "王小明" in line)
    assert "█▇▇▆▆▅▅▄▄▃▃▂▂▁" in line
    assert "<svg" not in plan_section(plans[0]).body.split("book-print")[0]  # text, not SVG
    assert 'class="sparkline"' in render_plan_html(plans[0])  # the email keeps its picture


@pytest.mark.parametrize("manager_id", MANAGERS)
def test_every_pdf_page_has_the_running_header_and_its_own_page_numbers(out_dir, manager_id):
    path = out_dir / f"{manager_id}.pdf"
    pages = pdf_pages(path)
    branch = "West Lake Branch" if manager_id == "M004" else "城东支行"
    plan_date = "Fri, 20 Nov 2026" if manager_id == "M002" else "2026年11月20日 星期五"
    for page in range(1, pages + 1):
        text = pdf_text(path, page)
        assert f"{NAMES[manager_id]} · {branch}" in text, (manager_id, page)
        assert plan_date in text
        assert re.search(rf"(?<!\d){page}\s*/\s*{pages}\s*$", text.strip()), (manager_id, page)
        footer = text.strip().splitlines()[-1]  # the confidentiality notice beside the number
        assert NAMES[manager_id] in footer and ("Do not forward" in footer or "请勿转发" in footer)


def test_a_pdf_holds_only_its_own_manager(out_dir):
    for manager_id in MANAGERS:
        text = pdf_text(out_dir / f"{manager_id}.pdf")
        # the pool by its running header: its name is also in a data-quality warning
        others = [f"{name} · " if other.startswith("POOL-") else name
                  for other, name in NAMES.items() if other != manager_id]
        assert not [name for name in others if name in text], manager_id


def test_a_plan_renders_byte_for_byte_the_same_in_any_batch(plans, out_dir):
    """Delivery hashes the files: a plan re-rendered in another batch must not look changed."""
    alone = render_plans([plans[1]])[0]
    assert alone.pdf == (out_dir / "M002.pdf").read_bytes()
    assert alone.html == (out_dir / "M002.html").read_text(encoding="utf-8")


def test_plan_inputs_without_optional_frames_still_render(bank, rules):
    inputs = PlanInputs(
        contacts=bank.inputs.contacts, segments=bank.inputs.segments,
        managers=bank.inputs.managers, customers=bank.inputs.customers,
        balances=bank.inputs.balances.iloc[0:0],
    )
    plan = build_plan_contexts(inputs, ["M001"], BUSINESS_DATE, rules)[0]
    html = render_plan_html(plan)
    assert "近90天无" in html  # no contact summary: "none in 90 days"
    assert plan.completion.rate is None and plan.quality.status_key == "unknown"
