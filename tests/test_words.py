"""The words: languages, the catalogues, the formats, and the start-up check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from customer_plans.settings import LOCALE_DIR, PROJECT_ROOT
from customer_plans.words import CatalogueError, words_for, words_in
from customer_plans.words.check import catalogue_problems, check_words
from customer_plans.words.languages import LanguagesError, load_languages, shipped_languages

LANGUAGES = shipped_languages()


@pytest.mark.parametrize(("locale", "language"), [
    ("zh_CN", "zh_CN"), ("zh-cn", "zh_CN"), ("ZH", "zh_CN"), ("en", "en"), ("en-GB", "en"),
    ("fr_FR", "en"), ("", "en"), (None, "en"),
])
def test_a_reader_reads_the_language_their_roster_locale_names(locale, language):
    assert words_for(locale).code == language


def test_a_broken_languages_file_is_one_paragraph_naming_the_key(tmp_path):
    path = tmp_path / "languages.yaml"
    path.write_text("default: en\nlanguages:\n  en: {babel_locale: en_GB, html_lang: en, "
                    "dates: {long: d, medium: d}, amounts: code, print_font: "
                    "{family: F, source: S, charset: gb2312}}\n", encoding="utf-8")
    with pytest.raises(LanguagesError, match=r"languages\.en\.dates must give exactly"):
        load_languages(path)


def test_amounts_read_as_each_reader_counts_money():
    zh, en = words_in("zh_CN"), words_in("en")
    assert zh.money(471_600, "CNY") == "47.2万元"
    assert zh.money(8_000, "CNY") == "8,000元"
    assert zh.money(320_000_000, "CNY") == "3.2亿元"
    assert zh.money(305_000, "HKD") == "30.5万港元"
    assert en.money(471_600, "CNY") == "CNY 471,600"
    assert en.money(305_000, "HKD") == "HKD 305,000"
    for words in (zh, en):
        assert words.money(None, "CNY") == "—"
        assert words.money(float("nan"), "CNY") == "—"


def test_dates_and_percentages_read_in_the_readers_words():
    zh, en = words_in("zh_CN"), words_in("en")
    day = date(2026, 10, 29)
    assert zh.date(day) == "2026年10月29日"
    assert zh.date(day, "short") == "10月29日"
    assert en.date(day) == "29 Oct 2026"
    assert en.date("2026-11-20", "long") == "Fri, 20 Nov 2026"
    assert en.signed_percent(-32.04) == "-32.0%"
    assert zh.signed_percent(15) == "+15.0%"
    assert en.rate(0.823) == "82%"


def test_the_words_for_a_code_come_from_the_catalogue_in_every_language():
    assert words_in("zh_CN").label("channel", "visit") == "面访"
    assert words_in("en").label("channel", "visit") == "Visit"
    assert words_in("en").label("tier", "private") == "Private banking"
    with pytest.raises(CatalogueError, match='no words for channel \'carrier_pigeon\''):
        words_in("en").label("channel", "carrier_pigeon")
    assert words_in("zh_CN").label_or("complaint category", "parking", "parking") == "parking"


def test_the_shipped_catalogues_have_every_word_the_rules_can_need(bank_rules):
    assert catalogue_problems(LANGUAGES, bank_rules) == []


def _copy_locale(tmp_path: Path) -> Path:
    target = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def _drop_entry(po: Path, context: str, msgid: str) -> None:
    text = po.read_text(encoding="utf-8")
    block = f'msgctxt "{context}"\nmsgid "{msgid}"\n'
    start = text.index(block)
    end = text.index("\n\n", start)
    po.write_text(text[:start] + text[end + 2:], encoding="utf-8")


def test_a_code_without_words_in_a_language_fails_naming_the_code_and_the_language(
        bank_rules, tmp_path):
    locale_dir = _copy_locale(tmp_path)
    _drop_entry(locale_dir / "zh_CN" / "LC_MESSAGES" / "messages.po", "tier", "platinum")
    with pytest.raises(CatalogueError) as failure:
        check_words(bank_rules, LANGUAGES, locale_dir)
    message = str(failure.value)
    assert 'language zh_CN: no words for the tier code "platinum"' in message
    assert "nothing was extracted or sent" in message
    assert "language en" not in message


def test_an_untranslated_message_fails_naming_it(bank_rules, tmp_path):
    locale_dir = _copy_locale(tmp_path)
    po = locale_dir / "zh_CN" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgid "Whom to contact today"\nmsgstr "今日联络名单"',
                               'msgid "Whom to contact today"\nmsgstr ""'), encoding="utf-8")
    problems = catalogue_problems(LANGUAGES, bank_rules, locale_dir)
    assert problems == ['language zh_CN: the message "Whom to contact today" has no '
                        'translation in include/locale/zh_CN/LC_MESSAGES/messages.po']


def test_a_language_without_a_catalogue_fails_saying_how_to_create_it(bank_rules, tmp_path):
    locale_dir = _copy_locale(tmp_path)
    shutil.rmtree(locale_dir / "zh_CN")
    problems = catalogue_problems(LANGUAGES, bank_rules, locale_dir)
    assert len(problems) == 1
    assert "language zh_CN: its catalogue" in problems[0] and "pybabel init" in problems[0]


def test_the_catalogues_hold_what_the_templates_code_and_rules_say(tmp_path):
    """pybabel extract over templates, code and the rules' codes gives the catalogues' ids:
    nothing a reader may see is missing from them, nothing in them is left over."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).with_name("pybabel")), "extract", "-F", "babel.cfg",
         "--no-location", "-o", str(pot), "."],
        cwd=PROJECT_ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                  for m in read_po(handle) if m.id}
    for language in LANGUAGES.codes:
        with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            held = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                    for m in read_po(handle) if m.id}
        assert sorted(wanted - held, key=str) == [], f"{language} lacks these"
        assert sorted(held - wanted, key=str) == [], f"{language} holds these left-overs"


def test_the_compiled_catalogues_are_those_of_the_po_files():
    for language in LANGUAGES.codes:
        po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"make locale compiles {mo}"


def test_words_that_promise_returns_fail_at_start_up_wherever_they_are(bank_rules, tmp_path):
    locale_dir = _copy_locale(tmp_path)
    po = locale_dir / "zh_CN" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "今日联络名单"', 'msgstr "今日联络名单（保本）"'),
                  encoding="utf-8")
    problems = catalogue_problems(LANGUAGES, bank_rules, locale_dir)
    assert any('language zh_CN: the message "Whom to contact today" says "保本"' in p
               for p in problems), problems
