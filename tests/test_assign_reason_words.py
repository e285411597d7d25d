"""What a manager reads for each reason: complete in every language, spoken from codes and
typed facts, never a promise of returns, and what to say never cites what the monitoring saw."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest
import yaml
from customer_plans.assign.facts import REASON_FACTS
from customer_plans.rules import ASSIGNMENT_REASON_CODES, RulesError, load_rules
from customer_plans.segment.labels import CHURN_LEVELS
from customer_plans.settings import DEFAULT_RULES_PATH, LOCALE_DIR
from customer_plans.words import reasons as reason_module
from customer_plans.words import words_in
from customer_plans.words.languages import shipped_languages
from customer_plans.words.reasons import ReasonWordsError, check_reason_words, reason_words
from customer_plans.words.segments import churn_signal

from tests.assign_cases import Bank, run, spoken

TRANSFER = {"amount_cny": 3050616, "code": "transfers_out", "share_of_aum": 0.61, "weight": 40}
DECLINE = {"code": "aum_decline", "trend_pct": -48.01, "weight": 30}

# one stored reason of every code, with the facts assignment stores for it
REALISTIC = {
    "service_recovery": {"complaint_id": "CP-000815", "category": "fees",
                         "opened_date": "2026-11-12"},
    "maturity_due": {"account_id": "6222020200001234", "product_kind": "time_deposit",
                     "amount_cny": 471600, "maturity_date": "2026-11-18",
                     "days_to_maturity": 1, "rate_pct": 1.75},
    "maturity_upcoming": {"account_id": "6222020200005678", "product_kind": "wealth",
                          "amount_cny": 300000, "maturity_date": "2026-11-24",
                          "days_to_maturity": 7, "rate_pct": None},
    "retention_top_tier": {"tier_code": "diamond", "churn_score": 72, "churn_level": "high",
                           "signals": [TRANSFER, DECLINE]},
    "retention": {"tier_code": "gold", "churn_score": 72, "churn_level": "high",
                  "signals": [TRANSFER, DECLINE]},
    "carried_over": {"from_date": "2026-11-16", "first_planned_date": "2026-11-12",
                     "previous_status": "not_reached", "previous_level": 1,
                     "previous_manager_id": "M00007",
                     "previous_reasons": ["retention_top_tier", "maturity_upcoming"]},
    "cadence_overdue_top_tier": {"tier_code": "private", "cadence_days": 10,
                                 "last_reached_date": "2026-10-29", "days_since_contact": 19},
    "cadence_overdue": {"tier_code": "gold", "cadence_days": 60, "last_reached_date": None,
                        "days_since_contact": None},
    "tier_downgrade": {"from_tier": "platinum", "to_tier": "gold"},
    "tier_upgrade": {"from_tier": "gold", "to_tier": "platinum"},
    "birthday": {"birthday": "2026-11-21", "greeting_ahead": True},
    "holiday": {"holiday": "spring_festival", "holiday_date": "2027-02-06",
                "greeting_ahead": False},
    "idle_balance": {"amount_cny": 500000},
    "new_customer_follow_up": {"day": 30},
    "post_sale_follow_up": {"purchase_date": "2026-11-04", "days": 14},
}
CODE_WORD = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def rules(every_day_rules):
    # these cases date plans the day after their business date, weekends included
    return every_day_rules


def _stored(code: str, **changes) -> dict:
    return {"code": code, "level": 2, "facts": {**REALISTIC[code], **changes}}


def _mentions(text: str, word: str) -> bool:
    """``word`` in ``text``: as a whole word where words are spaced apart ("low" is not in
    "follow"), anywhere in a script that does not space them."""
    if word.isascii():
        return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None
    return word in text


def _forbidden(text: str, phrases: list[str]) -> list[str]:
    return [phrase for phrase in phrases if phrase.lower() in text.lower()]


def test_the_realistic_facts_are_what_assignment_stores():
    assert set(REALISTIC) == set(ASSIGNMENT_REASON_CODES)
    for code, facts in REALISTIC.items():
        assert list(facts) == list(REASON_FACTS[code]), code


def test_the_catalogue_gives_every_reason_its_words_in_every_language(rules):
    assert rules.assignment.forbidden_phrases, "the rules must list forbidden phrases"
    assert check_reason_words(shipped_languages(), rules) == []


def test_every_reason_reads_without_codes_iso_dates_or_forbidden_phrases(rules):
    phrases = rules.assignment.forbidden_phrases
    for language in shipped_languages().codes:
        words = words_in(language)
        for code in REALISTIC:
            said = reason_words(words, _stored(code), currency=rules.currency, rules=rules)
            assert said.code == code and said.level == 2
            for text in (said.label, said.know, said.say, *(v for pair in said.shown
                                                            for v in pair)):
                assert text.strip(), (language, code)
                assert not CODE_WORD.search(text), (language, code, text)
                assert not ISO_DATE.search(text), (language, code, text)
                assert _forbidden(text, phrases) == [], (language, code, text)


def test_what_to_say_never_cites_the_transfer_the_score_or_the_risk_level(rules):
    for language in shipped_languages().codes:
        words = words_in(language)
        transfer = words.money(TRANSFER["amount_cny"], rules.currency)
        signal = churn_signal(words, TRANSFER, rules.currency)
        levels = [words.label("churn level", level) for level in CHURN_LEVELS]
        for code in REALISTIC:
            said = reason_words(words, _stored(code), currency=rules.currency, rules=rules)
            for internal in ("3050616", "3,050,616", transfer, signal, "72", *levels):
                assert not _mentions(said.say, internal), (language, code, internal, said.say)
        for code in ("retention_top_tier", "retention"):
            said = reason_words(words, _stored(code), currency=rules.currency, rules=rules)
            # the manager is told: the transfer in the know line, the score beside it
            assert transfer in said.know and words.label("churn level", "high") in said.know
            assert (words.label("fact", "churn_score"), "72") in said.shown
            # and what is said to the customer does not move with what the monitoring saw
            calmer = reason_words(
                words, _stored(code, churn_score=41, churn_level="medium", signals=[DECLINE]),
                currency=rules.currency, rules=rules)
            assert calmer.say == said.say and calmer.know != said.know


def test_an_amount_reads_once_in_the_readers_format(rules):
    english = reason_words(words_in("en"), _stored("maturity_due"), currency="CNY",
                           rules=rules)
    chinese = reason_words(words_in("zh_CN"), _stored("maturity_due"), currency="CNY",
                           rules=rules)
    assert english.know == "Maturity: time deposit CNY 471,600 matures on 18 Nov 2026; rate 1.75%"
    assert chinese.know == "定期存款47.2万元将于2026年11月18日到期，利率1.75%"
    # the amount is in the sentence, not printed again beside it; the account id never is
    assert english.shown == (("account", "****1234"), ("days to maturity", "1"))
    matured = reason_words(words_in("en"), _stored("maturity_due", days_to_maturity=0),
                           currency="CNY", rules=rules)
    assert "matured on 18 Nov 2026" in matured.know


def test_a_carried_contact_names_its_earlier_reasons_and_first_plan(rules):
    said = reason_words(words_in("en"), _stored("carried_over"), currency="CNY", rules=rules)
    assert said.know == ("From the plan of 16 Nov 2026, first planned on 12 Nov 2026 "
                         "(not reached): Retention visit; Maturity coming up")
    # the earlier reasons (which may hold what the monitoring saw) are not for the customer
    assert "Retention" not in said.say and "16 Nov 2026" in said.say
    same_day = reason_words(words_in("en"), _stored("carried_over",
                                                    first_planned_date="2026-11-16"),
                            currency="CNY", rules=rules)
    assert "first planned" not in same_day.know


def test_a_reason_the_rules_do_not_know_is_a_clear_error(rules):
    with pytest.raises(ReasonWordsError, match="'visit_branch'"):
        reason_words(words_in("en"), {"code": "visit_branch", "level": 2, "facts": {}},
                     currency="CNY", rules=rules)


def test_generated_reasons_are_free_of_forbidden_phrases(rules):
    # every reason that can fire, on a tiny bank
    bank = Bank(business_date=date(2026, 11, 17)).manager("M1")
    bank.customer("C1", tier="diamond", churn_level="high", churn_score=80.0,
                  signals=[{"code": "aum_decline", "trend_pct": -40.0, "weight": 30}],
                  tier_change="up", previous_tier_code="platinum",
                  opportunities=[{"code": "idle_balance", "amount_cny": 500000},
                                 {"code": "cadence_overdue", "days_since_contact": 40,
                                  "cadence_days": 15, "last_reached_date": "2026-10-08"}],
                  birth_date=date(1970, 11, 18))
    bank.maturity("C1", 1, kind="wealth").maturity("C1", 7, kind="fund")
    bank.customer("C2", opportunities=[{"code": "new_customer_follow_up", "day": 7},
                                       {"code": "post_sale_follow_up", "days": 3,
                                        "date": "2026-11-14"}],
                  tier_change="down", previous_tier_code="platinum").complaint("C2")
    contacts, _, _ = run(bank, rules)
    assert len(contacts) == 2
    for _, contact in contacts.iterrows():
        for language in shipped_languages().codes:
            for said in spoken(contact, rules, language):
                text = " ".join((said.label, said.know, said.say))
                assert _forbidden(text, rules.assignment.forbidden_phrases) == []


# ------------------------------------------------------------------ the start-up check


@pytest.fixture
def catalogues(tmp_path):
    """A copy of the catalogues to break one entry of."""
    folder = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, folder, ignore=shutil.ignore_patterns("*.mo"))

    def edit(language: str, line: str, replacement: str):
        path = folder / language / "LC_MESSAGES" / "messages.po"
        text = path.read_text(encoding="utf-8")
        assert text.count(line + "\n") == 1, line
        path.write_text(text.replace(line + "\n", replacement + "\n"), encoding="utf-8")
        return folder

    return edit


@pytest.mark.parametrize(
    ("language", "line", "replacement", "problem"),
    [
        ("zh_CN",
         'msgstr "致电问候并倾听客户意见，了解客户需求是否有变化，以及我们可以如何改进服务。"',
         'msgstr "我们注意到：%(signals)s。"',
         "language zh_CN: the reason say of \"retention\" cites ['signals']"),
        ("en", 'msgstr "Send warm birthday wishes for %(birthday)s%(greeting_ahead)s."',
         'msgstr "Happy birthday, %(customer_name)s!"',
         "language en: the reason say of \"birthday\" uses ['customer_name']"),
        ("en", 'msgstr "Current account holds %(amount_cny)s"',
         'msgstr "Current account holds %(amount_cny)s, a guaranteed return"',
         "contains ['guaranteed return'], which the rules forbid"),
        ("zh_CN", 'msgstr "活期账户余额%(amount_cny)s"', 'msgstr ""',
         'language zh_CN: no words for the reason know of the reason "idle_balance"'),
        ("en", 'msgstr "risk score"', 'msgstr ""',
         'language en: no words for the label of the shown fact "churn_score"'),
        ("en", 'msgstr "; rate %(rate)s"', 'msgstr "; rate %(rate)s, yield %(yield)s"',
         "language en: the clause \"rate\" uses ['yield']"),
    ],
)
def test_a_broken_entry_is_named_with_its_language(rules, catalogues, language, line,
                                                   replacement, problem):
    folder = catalogues(language, line, replacement)
    problems = check_reason_words(shipped_languages(), rules, locale_dir=folder)
    assert len(problems) == 1 and problem in problems[0], problems


def test_a_stored_fact_the_roles_do_not_declare_is_an_error(rules, monkeypatch):
    stored = {**REASON_FACTS, "idle_balance": ("amount_cny", "balance_cny")}
    monkeypatch.setattr(reason_module, "REASON_FACTS", stored)
    problems = check_reason_words(shipped_languages(), rules)
    assert len(problems) == 1
    assert 'the reason "idle_balance" stores the fact "balance_cny"' in problems[0]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda a: a["reasons"].pop("birthday"), "missing ['birthday']"),
        (lambda a: a["reasons"].update(bithday=a["reasons"]["birthday"]), "unknown ['bithday']"),
        (lambda a: a["channels"].update(birthday="pigeon"), "are not 'preferred', 'message'"),
        (lambda a: a.update(default_message_channel="phone"), "default_message_channel"),
        (lambda a: a["reasons"]["idle_balance"].update(level=4), "less than or equal to 3"),
        (lambda a: a.update(maturity_ladder_days=[3, 3]), "distinct days"),
        (lambda a: a.update(non_working_weekdays=["sat", "sunday"]), "non_working_weekdays"),
        (lambda a: a.update(score_weights={"value": 0, "urgency": 0, "risk": 0,
                                           "difficulty": 0}), "at least one score weight"),
        (lambda a: a.pop("completed_outcomes"), "assignment.completed_outcomes: Field required"),
        (lambda a: a.update(quote_rate_for=["time_deposit", "bond"]), "quote_rate_for.1"),
    ],
)
def test_bad_assignment_rules_name_the_key(tmp_path, mutate, message):
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    mutate(raw["assignment"])
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match="is invalid") as excinfo:
        load_rules(path)
    assert message in str(excinfo.value)
