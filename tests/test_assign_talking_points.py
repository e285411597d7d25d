"""What a manager is told to say: complete, bilingual, and never a promise of returns."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from customer_plans.assign.talking_points import (
    DEFAULT_TALKING_POINTS_PATH,
    FACTS,
    TalkingPointsError,
    load_talking_points,
    placeholders,
)
from customer_plans.rules import ASSIGNMENT_REASON_CODES, RulesError, load_rules
from customer_plans.settings import DEFAULT_RULES_PATH

from tests.assign_cases import Bank, run


@pytest.fixture(scope="module")
def rules(every_day_rules):
    # these cases date plans the day after their business date, weekends included
    return every_day_rules


def _contains_forbidden(text: str, phrases: list[str]) -> list[str]:
    lowered = text.lower()
    return [phrase for phrase in phrases if phrase.lower() in lowered]


def test_every_template_is_free_of_forbidden_phrases(rules):
    points = load_talking_points()
    phrases = rules.assignment.forbidden_phrases
    assert phrases, "the rules must list forbidden phrases"
    offending = {key: found for key, text in points.all_texts()
                 if (found := _contains_forbidden(text, phrases))}
    assert offending == {}


def test_every_reason_has_a_label_reason_and_talking_point_in_both_languages():
    points = load_talking_points()
    assert set(points.reasons) == set(ASSIGNMENT_REASON_CODES)
    for code, parts in points.reasons.items():
        for part in ("label", "reason", "talk"):
            assert parts[part]["en"].strip() and parts[part]["zh"].strip(), (code, part)
            assert set(placeholders(parts[part]["zh"])) <= set(FACTS[code])


def test_generated_talking_points_are_free_of_forbidden_phrases(rules):
    # every reason that can fire, on a tiny bank
    bank = Bank(business_date=date(2026, 11, 17)).manager("M1")
    bank.customer("C1", tier="diamond", churn_level="high", churn_score=80.0, signals=[
        {"code": "aum_decline", "text_en": "AUM -40% over 90 days", "text_zh": "资产下降40%"}],
        tier_change="up", previous_tier_code="platinum",
        opportunities=[{"code": "idle_balance", "amount_cny": 500000},
                       {"code": "cadence_overdue", "days_since_contact": 40,
                        "cadence_days": 15}],
        birth_date=date(1970, 11, 18))
    bank.maturity("C1", 1, kind="wealth").maturity("C1", 7, kind="fund")
    bank.customer("C2", opportunities=[{"code": "new_customer_follow_up", "day": 7},
                                       {"code": "post_sale_follow_up", "days": 3,
                                        "date": "2026-11-14"}],
                  tier_change="down", previous_tier_code="platinum").complaint("C2")
    contacts, _, _ = run(bank, rules)
    assert len(contacts) == 2
    for column in ("talking_points_en", "talking_points_zh", "reasons"):
        for text in contacts[column]:
            assert _contains_forbidden(text, rules.assignment.forbidden_phrases) == []


def test_a_template_naming_an_unknown_fact_is_a_clear_error(tmp_path):
    raw = yaml.safe_load(DEFAULT_TALKING_POINTS_PATH.read_text(encoding="utf-8"))
    raw["reasons"]["birthday"]["talk"]["en"] = "Happy birthday, {customer_name}!"
    path = tmp_path / "talking_points.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TalkingPointsError, match=r"reasons.birthday.talk.en uses "
                                                 r"\['customer_name'\]"):
        load_talking_points(path)


def test_a_missing_language_is_a_clear_error(tmp_path):
    raw = yaml.safe_load(DEFAULT_TALKING_POINTS_PATH.read_text(encoding="utf-8"))
    del raw["reasons"]["idle_balance"]["reason"]["zh"]
    path = tmp_path / "talking_points.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TalkingPointsError, match=r"reasons.idle_balance.reason must give"):
        load_talking_points(path)


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
