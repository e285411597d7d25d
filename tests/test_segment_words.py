"""The segments store codes and typed facts only; their words are composed at reading time.

A book with one customer per lifecycle rule and churn signal (and each of their variants:
unknown days, no trend, no AUM to compare, a matured or closed product, an open or closed
complaint) is segmented; every lifecycle reason and churn signal is then said in every
configured language from what was stored: never a code, never an ISO date. The rows hold
no CJK text of their own, only what the source data wrote.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from customer_plans.segment import SEGMENT_COLUMNS, segment_customers
from customer_plans.segment.core import JSON_COLUMNS
from customer_plans.words import words_in
from customer_plans.words.languages import shipped_languages
from customer_plans.words.segments import (
    LIFECYCLE_COMPOSERS,
    LIFECYCLE_KIND,
    SIGNAL_COMPOSERS,
    SIGNAL_KIND,
    catalogue_codes,
    check_segment_words,
    churn_signal,
    lifecycle_reason,
)

from tests.support.segment_frames import build_frames, synthetic_frames

BD = date(2026, 11, 20)
LANGUAGES = shipped_languages()
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
SOURCE_CATEGORY = "网点环境"  # a complaint category the bank added: no catalogue words
SOURCE_PRODUCT = "稳盈定期"  # a product name as the core system writes it


def ago(days: int) -> date:
    return BD - timedelta(days=days)


def trend(now: float, before_30d: float, before_90d: float) -> dict:
    return {"aum_cny": now, "aum_adb_cny": now, "aum_avg7_cny": now,
            "aum_avg7_30d_ago_cny": before_30d, "aum_avg7_90d_ago_cny": before_90d}


TD = {"product_kind": "time_deposit", "principal_cny": 200_000.0,
      "product_name": SOURCE_PRODUCT}
TWO = [{"product_kind": "current"}, {"product_kind": "savings"}]

# one customer per case: what is not named is neutral (stable, two products, no signal)
CASES: dict[str, dict] = {
    "closed": {"customer": {"closed_date": ago(1)}},
    "no_accounts": {"accounts": [{"closed_date": ago(5)}]},
    "new": {"customer": {"onboarding_date": ago(40)}},
    "dormant": {"txn": {"last_customer_txn_date": ago(120)}},
    "dormant_no_days": {"txn": {"last_customer_txn_date": None}},
    "declining_90d": {"balances": trend(60_000, 60_000, 100_000)},
    "declining_30d": {"balances": trend(80_000, 100_000, 80_000)},
    "growing": {"balances": trend(130_000, 130_000, 100_000)},
    "potential": {"balances": trend(500, 500, 500)},
    "no_trend": {"balances": trend(5_000, 5_000, 0)},
    "salary": {"txn": {"salary_credits_30d": 0, "salary_credits_31_60d": 0,
                       "last_salary_credit_date": ago(65)}},
    "transfers": {"txn": {"transfer_out_other_bank_90d_cny": 320_000},
                  "balances": trend(711_111, 711_111, 711_111)},
    "transfers_no_aum": {"txn": {"transfer_out_other_bank_90d_cny": 320_000},
                         "balances": trend(0, 0, 0)},
    "matured": {"accounts": TWO + [{**TD, "maturity_date": ago(15)}]},
    "closed_more": {"accounts": TWO + [{**TD, "closed_date": ago(3)},
                                       {**TD, "maturity_date": ago(20)}]},
    "complaint_open": {"complaints": [{"opened_date": ago(30), "category": "staff"}]},
    "complaint_closed": {"complaints": [{"opened_date": ago(40), "closed_date": ago(10),
                                         "category": SOURCE_CATEGORY}]},
    "single": {"accounts": [{"product_kind": "wealth"}]},
    "maturing": {"accounts": TWO + [{**TD, "maturity_date": BD + timedelta(days=3)}]},
}


def book() -> dict[str, pd.DataFrame]:
    tables: dict[str, list] = {name: [] for name in (
        "customers", "customer_balances", "accounts", "transaction_summary",
        "contact_summary", "complaints")}
    for customer_id, case in CASES.items():
        one = {"customer_id": customer_id}
        tables["customers"].append({**one, **case.get("customer", {})})
        tables["customer_balances"].append(
            {**one, **trend(100_000, 100_000, 100_000), **case.get("balances", {})})
        tables["accounts"] += [{**one, **a} for a in case.get("accounts", TWO)]
        tables["transaction_summary"].append(
            {**one, "last_customer_txn_date": ago(1), "last_salary_credit_date": ago(5),
             **case.get("txn", {})})
        tables["contact_summary"].append({**one, "reached_contacts_90d": 1,
                                          "last_reached_date": ago(10)})
        tables["complaints"] += [{**one, **c} for c in case.get("complaints", [])]
    return build_frames(**tables)


@pytest.fixture(scope="module")
def rows(rules) -> list[dict]:
    frame = segment_customers(book(), BD, rules)
    out = frame.to_dict("records")
    for row in out:
        for column in JSON_COLUMNS:
            row[column] = json.loads(row[column])
    return out


def test_the_book_fires_every_lifecycle_rule_and_churn_signal_variant(rules, rows):
    """Every entry of the segments' words is met by some stored row (so the next test
    composes each of them)."""
    words = words_in(LANGUAGES.default)
    used: dict[str, set[str]] = {LIFECYCLE_KIND: set(), SIGNAL_KIND: set()}
    for row in rows:
        facts = row["explanation"]["lifecycle"]
        used[LIFECYCLE_KIND].add(
            LIFECYCLE_COMPOSERS[row["lifecycle_rule"]](words, facts, rules.currency)[0])
        for signal in row["churn_signals"]:
            entry, values = SIGNAL_COMPOSERS[signal["code"]](words, signal, rules.currency)
            used[SIGNAL_KIND].add(entry)
            if values.get("more"):
                used[SIGNAL_KIND].add("product_not_renewed:more")
    assert {kind: sorted(entries) for kind, entries in used.items()} == {
        kind: sorted(entries) for kind, entries in catalogue_codes(rules).items()}


@pytest.mark.parametrize("language", LANGUAGES.codes)
def test_every_rule_and_signal_reads_without_codes_or_iso_dates(rules, rows, language):
    words = words_in(language)
    said = []
    for row in rows:
        said.append(lifecycle_reason(words, row["lifecycle_rule"],
                                     row["explanation"]["lifecycle"],
                                     currency=rules.currency, rules=rules))
        said += [churn_signal(words, signal, rules.currency) for signal in row["churn_signals"]]
    assert len(said) > len(rows)
    for text in said:
        assert text and "%(" not in text, text
        assert not SNAKE_CASE.search(text), f"a code in {text!r}"
        assert not ISO_DATE.search(text), f"an ISO date in {text!r}"
    # the category the bank added reads as the source wrote it, in every language
    assert any(SOURCE_CATEGORY in text for text in said)


def test_the_words_keep_the_sentences_of_before_with_the_readers_dates(rules, rows):
    by_id = {row["customer_id"]: row for row in rows}
    en, zh = words_in("en"), words_in("zh_CN")
    matured = by_id["matured"]["churn_signals"][0]
    assert matured["code"] == "product_not_renewed"
    assert churn_signal(en, matured, "CNY") == "time deposit matured on 5 Nov 2026, not renewed"
    assert churn_signal(zh, matured, "CNY") == "定期存款于2026年11月5日到期未续作"
    closed = by_id["closed"]
    assert lifecycle_reason(en, "lost_closed", closed["explanation"]["lifecycle"],
                            currency="CNY") == "relationship closed on 19 Nov 2026 -> lost"
    assert lifecycle_reason(zh, "lost_closed", closed["explanation"]["lifecycle"],
                            currency="CNY") == "客户已于2026年11月19日销户 → 流失"
    # a trend that rounds to no change reads unsigned
    salary = by_id["salary"]
    assert lifecycle_reason(en, "stable", salary["explanation"]["lifecycle"],
                            currency="CNY") == "AUM 0% over 90 days, no other signal -> stable"
    # the amount in the reader's currency and way of counting
    transfers = next(s for s in by_id["transfers"]["churn_signals"]
                     if s["code"] == "transfers_out")
    assert churn_signal(en, transfers, "HKD") == \
        "HKD 320,000 transferred to other banks in 90 days (45% of AUM)"
    assert churn_signal(zh, transfers, "HKD") == "90天转出他行32万港元（占资产45%）"


def _strings(value) -> list[str]:
    """Every string inside a stored value (JSON parsed)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_segments_rows_hold_no_words_of_their_own(rules, rows):
    """Language-free storage: no CJK text anywhere in a row but values the source wrote
    (a complaint category), and no words columns."""
    assert not [c for c in SEGMENT_COLUMNS if c.endswith(("_en", "_zh"))]
    synthetic = segment_customers(synthetic_frames(400, BD, seed=5), BD, rules)
    stored = rows + [{**row, **{c: json.loads(row[c]) for c in JSON_COLUMNS}}
                     for row in synthetic.to_dict("records")]
    source = {SOURCE_CATEGORY}  # a product name is a fact of the plan's maturity reason only
    found = [(row["customer_id"], column, text) for row in stored for column in SEGMENT_COLUMNS
             for text in _strings(row[column]) if CJK.search(text) and text not in source]
    assert found == []
    assert any(SOURCE_CATEGORY in _strings(row["churn_signals"]) for row in rows)
    for row in stored:
        for signal in row["churn_signals"]:
            assert set(signal) >= {"code", "weight"}
            assert not any(key.startswith("text") for key in signal), signal


def test_the_shipped_catalogues_have_the_segments_words(rules):
    assert check_segment_words(LANGUAGES, rules) == []


def test_a_missing_or_wrong_entry_is_named_with_its_language(rules, tmp_path):
    import shutil

    from customer_plans.settings import LOCALE_DIR

    locale_dir = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale_dir, ignore=shutil.ignore_patterns("*.mo"))
    po = locale_dir / "zh_CN" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgctxt "churn signal"\nmsgid "dormant:no_days"\n',
                        'msgctxt "churn signal"\nmsgid "dormant:gone"\n')
    text = text.replace('msgid "potential"\nmsgstr "资产%(aum)s，',
                        'msgid "potential"\nmsgstr "资产%(amount)s，')
    po.write_text(text, encoding="utf-8")
    problems = check_segment_words(LANGUAGES, rules, locale_dir)
    assert problems == [
        'language zh_CN: the lifecycle rule "potential" uses [\'amount\']; it may use '
        "['aum', 'limit'] (include/locale/zh_CN/LC_MESSAGES/messages.po)",
        'language zh_CN: no words for the churn signal "dormant" (add msgctxt "churn signal" '
        'msgid "dormant:no_days" to include/locale/zh_CN/LC_MESSAGES/messages.po)',
    ]


def test_an_unknown_code_is_refused_naming_it():
    from customer_plans.words.segments import SegmentWordsError

    with pytest.raises(SegmentWordsError, match="'vanished'"):
        churn_signal(words_in("en"), {"code": "vanished"}, "CNY")
    with pytest.raises(SegmentWordsError, match="'retired'"):
        lifecycle_reason(words_in("en"), "retired", {}, currency="CNY")
