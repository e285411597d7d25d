"""Formatting, masking, the templates' words and the charts: the small pieces a plan is made of."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.extract import extract_from_dir
from customer_plans.render.context import Book
from customer_plans.render.environment import get_environment
from customer_plans.render.masking import (
    mask_account_number,
    mask_national_id,
    mask_phone,
    scrub_text,
)
from customer_plans.render.svg import BarSegment, BookRow, book_bars, spark_bars, sparkline
from customer_plans.words import words_for, words_in
from customer_plans.words.catalog import read_catalog
from customer_plans.words.languages import shipped_languages
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parents[1] / "include" / "templates" / "plans"


@pytest.mark.parametrize(
    ("amount", "locale", "expected"),
    [
        (305_000, "zh_CN", "30.5万元"),
        (300_000, "zh_CN", "30万元"),
        (6_520_000, "zh_CN", "652万元"),
        (128_500_000, "zh_CN", "1.28亿元"),
        (8_500, "zh_CN", "8,500元"),
        (-305_000, "zh_CN", "-30.5万元"),
        (305_000, "en", "CNY 305,000"),
        (128_500_000.4, "en", "CNY 128,500,000"),
        (None, "zh_CN", "—"),
        (float("nan"), "en", "—"),
    ],
)
def test_money_reads_naturally_in_each_language(amount, locale, expected):
    assert words_for(locale).money(amount, "CNY") == expected


@pytest.mark.parametrize(
    ("amount", "locale", "currency", "expected"),
    [
        (305_000, "en", "HKD", "HKD 305,000"),
        (305_000, "zh_CN", "HKD", "30.5万港元"),
        (128_500_000, "zh_CN", "HKD", "1.28亿港元"),
        (8_500, "zh_CN", "HKD", "8,500港元"),
        (1_234_567.6, "en", "USD", "USD 1,234,568"),
        (6_520_000, "zh_CN", "USD", "652万美元"),
        (305_000, "en", "CNY", "CNY 305,000"),  # the default, spelt out
        (305_000, "zh_CN", "CNY", "30.5万元"),
        (None, "en", "HKD", "—"),
    ],
)
def test_money_is_in_the_rules_currency_named_by_babel(amount, locale, currency, expected):
    """A Hong Kong or US bank's plans never print CNY: the code (English) and the Chinese
    name (港元, 美元) come from Babel; CNY keeps the bank's 万元 style."""
    assert words_for(locale).money(amount, currency) == expected


def test_a_plan_prints_its_amounts_in_the_rules_currency(rules):
    from customer_plans.render.context import build_plan_contexts
    from customer_plans.render.html import render_plan_html

    from tests.support.render_sample import example_bank

    business_date = date(2026, 11, 19)
    bank = example_bank(business_date)
    in_hkd = rules.model_copy(update={"currency": "HKD"})
    chinese, english = build_plan_contexts(bank.inputs, ["M001", "M002"], business_date, in_hkd)
    assert (chinese.currency, english.currency) == ("HKD", "HKD")
    english_html, chinese_html = render_plan_html(english), render_plan_html(chinese)
    # AUM and the reasons' amount facts (the reasons' own sentences are the assign stage's)
    assert "HKD 730,000" in english_html and "CNY 730,000" not in english_html
    assert "652万港元" in chinese_html and "652万元" not in chinese_html


@pytest.mark.parametrize(
    ("value", "expected"),
    [(-32.04, "-32.0%"), (15, "+15.0%"), (0, "+0.0%"), (None, "—"), (float("inf"), "—")],
)
def test_trends_carry_their_sign(value, expected):
    assert words_for("en").signed_percent(value) == expected


def test_rates_numbers_and_missing_values():
    assert words_for("zh_CN").rate(0.823) == "82%"
    assert words_for("en").rate(None) == "—"
    assert words_for("en").number(12345) == "12,345"
    assert words_for("en").number(pd.NA) == "—"


@pytest.mark.parametrize(
    ("value", "locale", "style", "expected"),
    [
        (date(2026, 11, 21), "en", "long", "Sat, 21 Nov 2026"),
        (date(2026, 11, 21), "zh_CN", "long", "2026年11月21日 星期六"),
        (datetime(2026, 11, 21, 9, 30), "en", "medium", "21 Nov 2026"),
        (pd.Timestamp("2026-11-21"), "zh_CN", "medium", "2026年11月21日"),
        ("2026-11-22", "zh_CN", "short", "11月22日"),
        (pd.NaT, "en", "medium", "—"),
    ],
)
def test_dates_follow_the_reader_locale(value, locale, style, expected):
    assert words_for(locale).date(value, style) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812341234", "138****1234"),
        ("+86 138 1234 1234", "138****1234"),
        ("021-64001234", "****1234"),
        ("12", "****"),
        (None, ""),
    ],
)
def test_phone_numbers_are_masked(raw, expected):
    assert mask_phone(raw) == expected


def test_national_ids_and_accounts_are_masked():
    assert mask_national_id("11010119900307123X") == "110***********123X"
    assert mask_account_number("6222 0202 0011 2233 445") == "****3445"


def test_free_text_loses_identifiers_but_keeps_amounts_and_dates():
    text = (
        "Call 13812341234 about card 6222 0202 0011 2233 445, ID 110101199003071234; "
        "CNY 305,000 matures on 2026-11-21 (account 6222020200112233445)."
    )
    scrubbed = scrub_text(text)
    assert "13812341234" not in scrubbed and "138****1234" in scrubbed
    assert "110101199003071234" not in scrubbed and "110***********1234" in scrubbed
    assert "6222020200112233445" not in scrubbed and "****3445" in scrubbed
    assert "0011 2233" not in scrubbed
    assert "CNY 305,000" in scrubbed and "2026-11-21" in scrubbed
    for plain in ("定期存款 30.5万元 将于 2026-11-21 到期", "2026-11-21 2026-11-28 2026-12-05",
                  "customer C000000681, complaint CP00000102901, CNY 12,345,678.90"):
        assert scrub_text(plain) == plain


def template_messages() -> list[tuple[str, tuple[str, ...], str]]:
    """``(context, ids, where)`` of every message the plan templates use, as pybabel extracts
    them (babel.cfg): one id, or the singular and plural of an ``ngettext``."""
    found = []
    options = {"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    for filename, line, message, _, context in extract_from_dir(
            TEMPLATES, [("**.html", "jinja2")], options_map=options):
        ids = message if isinstance(message, tuple) else (message,)
        found.append((context, ids, f"{filename}:{line}"))
    return found


def test_every_template_message_is_in_every_catalogue_with_its_placeholders():
    """A template's message that the catalogue lacks would print English on a Chinese plan:
    each is the catalogue's English id, and each other language translates it, keeping its
    placeholders (plural messages: every form)."""
    messages = template_messages()
    assert len(messages) > 100 and any(len(ids) == 2 for _, ids, _ in messages)
    languages = shipped_languages()
    for code in languages.codes:
        catalog = read_catalog(code)
        for context, ids, where in messages:
            entry = catalog.get(ids[0], context)
            assert entry is not None, (code, ids[0], where)
            if len(ids) == 2:
                assert entry.pluralizable and entry.id[1] == ids[1], (code, ids, where)
            if code == languages.default:
                continue
            forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            wanted = set(re.findall(r"%\((\w+)\)s", ids[-1]))
            for form in forms:
                assert form and not entry.fuzzy, (code, ids[0], where)
                assert set(re.findall(r"%\((\w+)\)s", form)) == wanted, (code, ids[0], where)


@pytest.mark.parametrize(("locale", "one", "many"), [
    ("en", "1 customer", "12 customers"),
    ("zh_CN", "1 位客户", "12 位客户"),
])
def test_a_count_reads_in_its_plural(locale, one, many):
    template = get_environment().from_string(
        '{{ ngettext("%(count)s customer", "%(count)s customers", n, count=n) }}')
    words = words_for(locale)
    assert template.render(words=words, n=1) == one
    assert template.render(words=words, n=12) == many


def test_a_value_in_a_message_is_escaped_and_the_message_itself_is_text():
    template = get_environment().from_string(
        '{{ _("Covering for %(name)s", name=name) }} · '
        '{{ _("High churn risk customers not in today\'s plans") }}')
    html = template.render(words=words_for("en"), name="<b>Li & Co</b>")
    assert html == ("Covering for &lt;b&gt;Li &amp; Co&lt;/b&gt; · "
                    "High churn risk customers not in today&#39;s plans")
    assert template.render(words=words_for("zh_CN"), name="李娜").startswith("代 李娜 维护 · ")


def test_codes_read_in_each_language_and_an_unknown_code_is_an_error_not_a_blank():
    from customer_plans.words import MissingMessage

    label = get_environment().from_string('{{ label("priority level", level) }}')
    assert label.render(words=words_for("zh_CN"), level=1) == "紧急"
    assert label.render(words=words_for("en"), level=3) == "Routine"
    with pytest.raises(MissingMessage, match='channel .nope.'):
        words_for("zh_CN").label("channel", "nope")
    assert words_for("zh-cn").code == "zh_CN" and words_for(None).code == "en"


def test_sparkline_is_plain_svg_and_falls_red():
    svg = str(sparkline([100.0, 90.0, None, 70.0]))
    assert svg.startswith("<svg") and "<script" not in svg and "href" not in svg
    assert "#dc2626" in svg  # falling: red
    assert "#2563eb" in str(sparkline([1.0, 2.0]))
    assert str(sparkline([1.0])) == "" and str(sparkline([None, float("nan")])) == ""


def test_spark_bars_scale_the_values_to_eight_heights_for_paper():
    # lowest ▁, highest █; 90 and 80 at 5/7 and 2/7 of the way up; missing weeks left out
    assert spark_bars([100.0, 90.0, None, 70.0, float("nan"), 80.0]) == "█▆▁▃"
    assert spark_bars([5.0, 5.0, 5.0]) == "▄▄▄"  # flat: middle bars
    assert spark_bars([1.0]) == "" and spark_bars([None, float("nan")]) == ""


def _line_heights(svg: Markup) -> list[int]:
    """The y of each point of a sparkline's path (whole units; 0 is the top of the box)."""
    path = re.search(r'd="M(-?\d+) (-?\d+)l([^M]*)M', str(svg))
    y = int(path.group(2))
    heights = [y]
    steps = [int(n) for n in path.group(3).split()]
    for dy in steps[1::2]:
        y += dy
        heights.append(y)
    return heights


# 14 weeks of AUM (oldest first): a customer with a steady 1.2M, one whose balance grew by
# 0.13 % (interest), one whose balance doubled
STEADY = [1_200_000.0] * 14
INTEREST = [1_200_000.0 * (1 + 0.0013 * week / 13) for week in range(14)]
DOUBLED = [1_200_000.0 * (1 + week / 13) for week in range(14)]


def test_a_tiny_change_is_drawn_as_flat_as_a_flat_balance():
    """+0.13 % over 13 weeks is noise: the same middle bars and (within a unit) the same line
    as a balance that did not move, never a full-height jump."""
    assert spark_bars(INTEREST) == spark_bars(STEADY) == "▄" * 14
    steady, interest = _line_heights(sparkline(STEADY)), _line_heights(sparkline(INTEREST))
    assert max(abs(a - b) for a, b in zip(steady, interest, strict=True)) <= 1
    assert max(interest) - min(interest) <= 1  # of a 22-unit high box


def test_a_balance_that_doubles_draws_a_clear_rise():
    bars = spark_bars(DOUBLED)
    assert bars[0] == "▁" and bars[-1] == "█"
    heights = _line_heights(sparkline(DOUBLED))
    assert heights[0] - heights[-1] >= 20  # bottom to top of the 28-unit box (pad 3)


def test_a_small_move_is_drawn_to_scale_of_five_percent_either_side():
    """A 3 % drop is under the ±5 % band: a few bars down from the middle, not to the floor;
    a 30 % drop fills the height."""
    small_drop = spark_bars([1_000_000.0, 985_000.0, 970_000.0])
    assert small_drop[0] > small_drop[-1] > "▁"
    large_drop = spark_bars([1_000_000.0, 850_000.0, 700_000.0])
    assert large_drop[0] == "█" and large_drop[-1] == "▁"


def test_every_exclusion_reason_reads_in_both_languages():
    """A roll-up names each exclusion reason the assign stage can write, never a raw code."""
    from customer_plans.assign.exclusions import EXCLUSION_ORDER

    for code in (*EXCLUSION_ORDER, "capacity", "none"):
        for language in shipped_languages().codes:
            assert words_in(language).label("exclusion", code) not in ("", code), (code, language)


def test_book_on_paper_is_bars_beside_escaped_text():
    """The SVG holds only shapes (one path per colour): the bars and a legend swatch per
    stage; labels, counts and legend names are HTML lines, escaped, one per bar or swatch."""
    rows = (
        BookRow(tier_code="x", tier_label="<script>alert(1)</script>", total=3,
                segments=(BarSegment("stable", "稳定期", 3, "#3b82f6", 100.0),)),
        BookRow(tier_code="y", tier_label="Gold", total=1,
                segments=(BarSegment("new", "新客户", 1, "#7dd3fc", 100 / 3),)),
    )
    svg = str(book_bars(rows, ["#7dd3fc", "#3b82f6", "#ef4444"]))
    assert "<text" not in svg and svg.count("<path") == 3
    # two rows of 26 px; three swatches of 18 px, 24 px right of the 380 px bars
    assert 'width="414" height="54"' in svg
    assert "h380v18" in svg and "h126.7v18" in svg  # bar lengths in proportion
    assert "M404 4h10v10h-10z" in svg and "M404 40h10v10h-10z" in svg  # first, third swatch
    assert 'width="380" height="52"' in str(book_bars(rows))  # no legend, no swatches
    book = Book(total=4, rows=rows, legend=(("<b>", "#3b82f6"), ("lost", "#ef4444")),
                svg=Markup(svg))
    html = get_environment().get_template("partials/book_print.html").render(
        book=book, words=words_for("en"))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;\nGold" in html
    assert ">3\n1</p>" in html and ">&lt;b&gt;\nlost</p>" in html and "<b>" not in html
    assert "<span" not in html


def test_known_quality_warnings_read_in_the_managers_language():
    from customer_plans.render.context import QualityStatus

    summary = {"status": "warnings", "warnings": [
        {"table": "customers", "column": "manager_id", "rule": "not_null", "rows": 3,
         "message": "3 customers without a manager: assigned to the branch pool"},
        {"table": "accounts", "column": "balance_cny", "rule": "balance_present", "rows": 2,
         "message": "2 open accounts without a balance on the business date (counted as 0)"},
    ]}
    quality = QualityStatus.from_summary(summary)
    assert quality.status_key == "warning"
    assert quality.warnings_in(words_for("zh_CN")) == (
        "3 位客户无客户经理：已分配至网点公共池",
        "2 个未销户账户当日无余额，按 0 计算",
    )
    assert quality.warnings_in(words_for("en")) == (
        "Customers without a manager: 3 (assigned to the branch pool)",
        "Open accounts without a balance on the business date: 2 (counted as 0)",
    )


def test_a_reasons_amount_is_said_once_and_its_other_facts_beside_it(rules):
    from customer_plans.render.context import _reason_views

    reasons = [{"code": "maturity_due", "level": 1, "facts": {
        "account_id": "6222020200112233445", "product_kind": "time_deposit",
        "amount_cny": 471_600.0, "maturity_date": "2026-11-20", "days_to_maturity": 1,
        "rate_pct": None}}]
    (zh,), _ = _reason_views(reasons, words_for("zh_CN"), rules)
    (en,), _ = _reason_views(reasons, words_for("en"), rules)
    assert zh.text.count("47.2万元") == 1 and "2026年11月20日" in zh.text
    assert en.text.count("CNY 471,600") == 1 and "20 Nov 2026" in en.text
    # beside the sentence: what it does not say (which account, masked; days to maturity),
    # never the amount again
    assert zh.facts == (("账户", "****3445"), ("距到期天数", "1"))
    assert en.facts == (("account", "****3445"), ("days to maturity", "1"))
