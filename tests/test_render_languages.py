"""Every configured language reads a whole plan in its own words: Traditional Chinese for Hong
Kong (zh_Hant_HK) came by its languages entry, its catalogue and its print font alone."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from customer_plans.render.batch import render_plans, write_documents
from customer_plans.render.context import build_plan_contexts
from customer_plans.render.data import RollupInputs
from customer_plans.render.html import render_plan_html, render_rollup_html
from customer_plans.render.rollup import build_branch_contexts
from customer_plans.words.languages import shipped_languages

from tests.support.render_sample import example_bank

BUSINESS_DATE = date(2026, 11, 19)
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
CODE_WORD = re.compile(r"\b[a-z]+_[a-z_]+\b")
# characters only Simplified Chinese writes (their Traditional forms differ)
SIMPLIFIED_ONLY = set("联络单户资产经见网报计划")


def _bank_reading(locale: str):
    """The example bank with its Chinese manager M001 and branch B01's head reading ``locale``."""
    bank = example_bank(BUSINESS_DATE)
    managers = bank.inputs.managers.copy()
    managers.loc[managers["manager_id"] == "M001", "locale"] = locale
    return replace(bank, inputs=replace(bank.inputs, managers=managers))


def _visible_text(html: str) -> str:
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_a_hong_kong_manager_reads_traditional_chinese_and_hkd(rules, tmp_path):
    bank = _bank_reading("zh_HK")
    in_hkd = rules.model_copy(update={"currency": "HKD"})
    (plan,) = build_plan_contexts(bank.inputs, ["M001"], BUSINESS_DATE, in_hkd)
    assert plan.words.code == "zh_Hant_HK"
    write_documents(render_plans([plan]), tmp_path)
    html = (tmp_path / "M001.html").read_text(encoding="utf-8")
    text = _visible_text(html)
    assert 'lang="zh-HK"' in html
    assert "今日聯絡名單" in text and "客戶維護計劃" in text
    assert "萬港元" in text and "万" not in text and "CNY" not in text
    assert "2026年11月20日" in text
    assert not SIMPLIFIED_ONLY & set(text), sorted(SIMPLIFIED_ONLY & set(text))
    assert not ISO_DATE.findall(text) and not CODE_WORD.findall(text)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "M001.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert "Plan-Sans-HK" in fonts


@pytest.mark.parametrize("language", shipped_languages().codes)
def test_every_language_reads_a_plan_and_a_roll_up_without_codes_or_iso_dates(
        rules, language):
    bank = _bank_reading(language)
    inputs = bank.inputs
    (plan,) = build_plan_contexts(inputs, ["M001"], BUSINESS_DATE, rules)
    assert plan.words.code == language
    text = _visible_text(render_plan_html(plan))
    assert not ISO_DATE.findall(text), ISO_DATE.findall(text)
    assert not CODE_WORD.findall(text), CODE_WORD.findall(text)
    (branch,) = build_branch_contexts(
        RollupInputs(inputs.contacts, inputs.segments, inputs.managers, inputs.customers,
                     bank.exclusions, inputs.feedback, inputs.quality,
                     pd.DataFrame({"branch_id": ["B01"], "locale": [language]})),
        BUSINESS_DATE, rules, branch_ids=["B01"])
    assert branch.words.code == language
    text = _visible_text(render_rollup_html(branch))
    assert not ISO_DATE.findall(text), ISO_DATE.findall(text)
    assert not CODE_WORD.findall(text), CODE_WORD.findall(text)
