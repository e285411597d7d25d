"""Segmentation rules at their boundaries: exactly at a threshold, and just past it.

Each case builds one customer (C1) who is neutral (stable, no signal, no opportunity)
except for what the case is about, and checks the field a manager would see.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from customer_plans.segment import segment_customers
from customer_plans.words import words_in
from customer_plans.words.segments import churn_signal, lifecycle_reason

from tests.support.segment_frames import build_frames

BD = date(2026, 11, 20)


EN, ZH = words_in("en"), words_in("zh_CN")


def ago(days: int) -> date:
    return BD - timedelta(days=days)


def ahead(days: int) -> date:
    return BD + timedelta(days=days)


def flat_balances(aum: float, **overrides) -> dict:
    return {"aum_cny": aum, "aum_adb_cny": aum, "aum_avg7_cny": aum,
            "aum_avg7_30d_ago_cny": aum, "aum_avg7_90d_ago_cny": aum,
            "current_balance_cny": 10_000.0, **overrides}


def trend_balances(now: float, before_30d: float, before_90d: float) -> dict:
    """7-day average AUM now, 30 and 90 days ago, in thousands of CNY."""
    return flat_balances(now * 1000, aum_avg7_30d_ago_cny=before_30d * 1000,
                         aum_avg7_90d_ago_cny=before_90d * 1000)


NEUTRAL_ACCOUNTS = [
    {"product_kind": "current", "opened_date": date(2020, 1, 1)},
    {"product_kind": "savings", "opened_date": date(2020, 1, 1)},
]


def segment_one(rules, *, customer=None, balances=None, accounts=None, txn=None,
                contacts=None, complaints=(), history=None, business_date=BD) -> dict:
    """Segment customer C1 (neutral unless told otherwise); its row, JSON parsed."""
    frames = build_frames(
        customers=[{"customer_id": "C1", **(customer or {})}],
        customer_balances=[{"customer_id": "C1", **flat_balances(100_000.0),
                            **(balances or {})}],
        accounts=[{"customer_id": "C1", **a} for a in
                  (NEUTRAL_ACCOUNTS if accounts is None else accounts)],
        transaction_summary=[{"customer_id": "C1", "last_customer_txn_date": ago(1),
                              "last_salary_credit_date": ago(5), **(txn or {})}],
        contact_summary=[{"customer_id": "C1", "reached_contacts_90d": 1,
                          "last_reached_date": ago(10), **(contacts or {})}],
        complaints=[{"customer_id": "C1", **c} for c in complaints],
    )
    row = segment_customers(frames, business_date, rules, history=history).iloc[0].to_dict()
    for column in ("churn_signals", "opportunities", "explanation"):
        row[column] = json.loads(row[column])
    row["signals"] = {s["code"]: s for s in row["churn_signals"]}
    row["opportunity_codes"] = [o["code"] for o in row["opportunities"]]
    return row


def history_row(tier_code: str, business_date: date, below_tier_since=None,
                lifecycle_stage: str = "stable") -> pd.DataFrame:
    return pd.DataFrame([{"customer_id": "C1", "business_date": business_date,
                          "tier_code": tier_code, "below_tier_since": below_tier_since,
                          "lifecycle_stage": lifecycle_stage}])


def test_neutral_customer_is_stable_without_signals_or_opportunities(rules):
    row = segment_one(rules)
    assert row["lifecycle_stage"] == "stable"
    assert row["churn_signals"] == [] and row["churn_level"] == "low"
    assert row["opportunities"] == []


# ---- tiers -------------------------------------------------------------------------------

@pytest.mark.parametrize("level", range(1, 5))
@pytest.mark.parametrize("offset, lands_on", [(0.0, "level"), (-0.01, "below")])
def test_tier_threshold_is_inclusive(rules, level, offset, lands_on):
    levels = rules.tiers.levels
    adb = levels[level].min_adb_cny + offset
    row = segment_one(rules, balances=flat_balances(adb))
    expected = levels[level] if lands_on == "level" else levels[level - 1]
    assert row["tier_code"] == expected.code
    assert row["tier_rank"] == len(levels) - levels.index(expected)
    assert row["tier_change"] == "new"  # no history: first run


def test_upgrade_applies_at_once(rules):
    gold, platinum = rules.tiers.levels[1], rules.tiers.levels[2]
    row = segment_one(rules, balances=flat_balances(platinum.min_adb_cny),
                      history=history_row(gold.code, ago(1)))
    assert (row["tier_code"], row["previous_tier_code"], row["tier_change"]) == (
        platinum.code, gold.code, "up")
    # the change is a segment fact (tier_change), which assignment reads: not an opportunity
    assert row["opportunities"] == []


@pytest.mark.parametrize("days_below, tier, change", [
    (0, "platinum", "same"),    # first day below: the hold starts today
    (59, "platinum", "same"),   # one day short of the hold
    (60, "gold", "down"),       # held exactly downgrade_hold_days: released
])
def test_downgrade_waits_for_the_hold(rules, days_below, tier, change):
    assert rules.tiers.downgrade_hold_days == 60
    gold = rules.tiers.levels[1]
    since = None if days_below == 0 else ago(days_below)
    row = segment_one(rules, balances=flat_balances(gold.min_adb_cny),
                      history=history_row("platinum", ago(1), below_tier_since=since))
    assert (row["tier_code"], row["computed_tier_code"], row["tier_change"]) == (
        tier, "gold", change)
    if change == "same":
        assert row["below_tier_since"] == pd.Timestamp(since or BD)
        assert row["explanation"]["tier"]["rule"] == "downgrade_held"
    else:
        assert pd.isna(row["below_tier_since"])
        assert row["explanation"]["tier"]["rule"] == "downgrade"
    assert row["opportunities"] == []


def test_recovering_above_the_held_tier_resets_the_hold(rules):
    platinum = rules.tiers.levels[2]
    row = segment_one(rules, balances=flat_balances(platinum.min_adb_cny),
                      history=history_row("platinum", ago(1), below_tier_since=ago(30)))
    assert row["tier_change"] == "same" and pd.isna(row["below_tier_since"])


def test_history_older_than_the_lookback_is_ignored(rules):
    old = ago(rules.tiers.history_lookback_days + 1)
    row = segment_one(rules, history=history_row("private", old))
    assert row["tier_change"] == "new" and pd.isna(row["previous_tier_code"])
    assert row["explanation"]["tier"]["rule"] == "first_run"  # nothing usable: a first run


# ---- familiarity and grid ------------------------------------------------------------------

PROFILE = ["mobile_phone", "email", "address", "occupation", "employer", "annual_income_cny",
           "risk_profile"]


def with_profile(filled: int) -> dict:
    """A customer with the first ``filled`` of the seven profile fields present."""
    return {field: None for field in PROFILE[filled:]}


@pytest.mark.parametrize("reached, filled, familiarity", [
    (3, 5, "high"),     # 3 contacts, 5/7 = 0.714 >= 0.7
    (3, 4, "medium"),   # completeness 0.571 < 0.7: contacts alone are not enough
    (2, 7, "medium"),   # complete profile, one contact short of high
    (1, 3, "medium"),   # 3/7 = 0.429 >= 0.4
    (1, 2, "low"),      # 2/7 = 0.286 < 0.4
    (0, 7, "low"),      # never reached
])
def test_familiarity_needs_contacts_and_profile(rules, reached, filled, familiarity):
    assert [f for f in rules.familiarity.profile_fields] == PROFILE
    row = segment_one(rules, customer=with_profile(filled),
                      contacts={"reached_contacts_90d": reached})
    assert row["familiarity"] == familiarity
    assert row["profile_completeness"] == pytest.approx(round(filled / 7, 4))


def test_blank_profile_text_counts_as_missing(rules):
    row = segment_one(rules, customer={"email": "  ", "address": ""})
    assert row["profile_completeness"] == pytest.approx(round(5 / 7, 4))


@pytest.mark.parametrize("adb, reached, group", [
    (6_000_000, 3, "A1"), (2_000_000, 0, "A3"), (500_000, 1, "B2"), (50_000, 3, "B1"),
    (10_000, 0, "C3"), (49_999.99, 1, "C2"),
])
def test_grid_group_from_tier_band_and_familiarity(rules, adb, reached, group):
    row = segment_one(rules, balances=flat_balances(adb),
                      contacts={"reached_contacts_90d": reached})
    assert row["grid_group"] == group
    assert row["explanation"]["grid"]["group"] == group


# ---- MAN -----------------------------------------------------------------------------------

def adult_birth(years: int, days_short: int = 0) -> date:
    return date(BD.year - years, BD.month, BD.day) + timedelta(days=days_short)


@pytest.mark.parametrize("case, kwargs, group", [
    ("money at threshold", {"balances": flat_balances(500_000)}, "MAn"),
    ("money one cent short", {"balances": flat_balances(499_999.99)}, "mAn"),
    ("18 today", {"customer": {"birth_date": adult_birth(18)}}, "mAn"),
    ("18 tomorrow", {"customer": {"birth_date": adult_birth(18, 1)}}, "man"),
    ("not the primary holder", {"customer": {"is_primary_holder": 0}}, "man"),
    ("no birth date", {"customer": {"birth_date": None}}, "man"),
    ("maturity in 30 days", {"accounts": NEUTRAL_ACCOUNTS + [
        {"product_kind": "time_deposit", "maturity_date": ahead(30)}]}, "mAN"),
    ("maturity in 31 days", {"accounts": NEUTRAL_ACCOUNTS + [
        {"product_kind": "time_deposit", "maturity_date": ahead(31)}]}, "mAn"),
    ("idle balance at threshold", {"balances": flat_balances(
        100_000, current_balance_cny=100_000)}, "mAN"),
    ("idle balance one cent short", {"balances": flat_balances(
        100_000, current_balance_cny=99_999.99)}, "mAn"),
    ("enquiry 30 days ago", {"contacts": {"last_enquiry_date": ago(30)}}, "mAN"),
    ("enquiry 31 days ago", {"contacts": {"last_enquiry_date": ago(31)}}, "mAn"),
])
def test_man_group_and_difficulty(rules, case, kwargs, group):
    row = segment_one(rules, **kwargs)
    assert row["man_group"] == group, case
    assert row["man_difficulty"] == rules.man.difficulty[group]


# ---- lifecycle -----------------------------------------------------------------------------

@pytest.mark.parametrize("case, kwargs, stage, rule", [
    ("closed yesterday", {"customer": {"closed_date": ago(1)}}, "lost", "lost_closed"),
    ("closing tomorrow", {"customer": {"closed_date": ahead(1)}}, "stable", "stable"),
    ("every account closed", {"accounts": [{"closed_date": ago(5)}]}, "lost",
     "lost_no_accounts"),
    ("onboarded 90 days ago", {"customer": {"onboarding_date": ago(90)}}, "new", "new"),
    ("onboarded 91 days ago", {"customer": {"onboarding_date": ago(91)}}, "stable", "stable"),
    ("new, no account yet", {"customer": {"onboarding_date": ago(3)}, "accounts": []}, "new",
     "new"),
    ("last own transaction 90 days ago", {"txn": {"last_customer_txn_date": ago(90)}},
     "dormant", "dormant"),
    ("last own transaction 89 days ago", {"txn": {"last_customer_txn_date": ago(89)}},
     "stable", "stable"),
    ("no own transaction in the window", {"txn": {"last_customer_txn_date": None}},
     "dormant", "dormant"),
    ("inactive but growing", {"txn": {"last_customer_txn_date": None},
                              "balances": trend_balances(115, 100, 100)}, "growing", "growing"),
    ("AUM -25% over 90 days", {"balances": trend_balances(75, 75, 100)}, "declining",
     "declining_90d"),
    ("AUM -24.99% over 90 days", {"balances": trend_balances(75.01, 75.01, 100)}, "stable",
     "stable"),
    ("AUM -15% over 30 days", {"balances": trend_balances(85, 100, 85)}, "declining",
     "declining_30d"),
    ("AUM -14.99% over 30 days", {"balances": trend_balances(85.01, 100, 85.01)}, "stable",
     "stable"),
    ("AUM +15% over 90 days", {"balances": trend_balances(115, 115, 100)}, "growing",
     "growing"),
    ("AUM +14.99% over 90 days", {"balances": trend_balances(114.99, 114.99, 100)}, "stable",
     "stable"),
    ("no AUM 90 days ago", {"balances": trend_balances(5000, 5000, 0)}, "stable", "stable"),
    ("AUM just below potential", {"balances": flat_balances(999.99)}, "potential",
     "potential"),
    ("AUM at potential maximum", {"balances": flat_balances(1000)}, "stable", "stable"),
])
def test_lifecycle_rules_in_order(rules, case, kwargs, stage, rule):
    row = segment_one(rules, **kwargs)
    assert (row["lifecycle_stage"], row["lifecycle_rule"]) == (stage, rule), case
    assert row["explanation"]["lifecycle"]["rule"] == rule
    assert reason(row, EN, rules).endswith(f"-> {stage}")


def reason(row: dict, words, rules) -> str:
    """The row's lifecycle reason in ``words``, from its rule and the facts it stored."""
    return lifecycle_reason(words, row["lifecycle_rule"], row["explanation"]["lifecycle"],
                            currency=rules.currency, rules=rules)


def test_lifecycle_transition_keeps_previous_stage_and_reason(rules):
    row = segment_one(rules, balances=trend_balances(68, 90, 100),
                      history=history_row("gold", ago(1), lifecycle_stage="stable"))
    assert (row["previous_lifecycle_stage"], row["lifecycle_stage"]) == ("stable", "declining")
    assert row["explanation"]["lifecycle"]["trend_pct"] == -32.0
    assert reason(row, EN, rules) == "AUM -32% over 90 days -> declining"
    assert reason(row, ZH, rules) == "资产90天下降32% → 衰退期"
    assert row["aum_trend_90d_pct"] == -32.0


@pytest.mark.parametrize("kwargs, facts, en, zh", [
    ({"customer": {"closed_date": date(2026, 10, 29)}}, {"closed_date": "2026-10-29"},
     "relationship closed on 29 Oct 2026 -> lost", "客户已于2026年10月29日销户 → 流失"),
    ({"customer": {"onboarding_date": ago(40)}},
     {"days_since_onboarding": 40, "new_customer_days": 90},
     "onboarded 40 days ago (within 90) -> new", "开户40天（90天内）→ 新客户"),
    ({"txn": {"last_customer_txn_date": None}},
     {"days_since_customer_txn": None, "dormant_days_without_activity": 90},
     "no customer-initiated transaction in 90+ days -> dormant", "超过90天无主动交易 → 休眠"),
    ({"balances": flat_balances(500)}, {"aum_cny": 500, "potential_max_aum_cny": 1000},
     "AUM CNY 500, below CNY 1,000 -> potential", "资产500元，低于1,000元 → 潜在客户"),
    ({"balances": trend_balances(5000, 5000, 0)}, {"trend_pct": None},
     "no AUM trend yet, no other signal -> stable", "暂无资产趋势，无其他信号 → 稳定期"),
])
def test_a_lifecycle_rule_stores_the_facts_its_words_cite(rules, kwargs, facts, en, zh):
    row = segment_one(rules, **kwargs)
    stored = row["explanation"]["lifecycle"]
    assert {name: stored[name] for name in facts} == facts
    assert (reason(row, EN, rules), reason(row, ZH, rules)) == (en, zh)


# ---- churn signals -------------------------------------------------------------------------

TD = {"product_kind": "time_deposit", "principal_cny": 200_000.0}

SIGNAL_CASES = [
    ("aum_decline", True, {"balances": trend_balances(75, 75, 100)}),
    ("aum_decline", False, {"balances": trend_balances(75.01, 75.01, 100)}),
    ("balance_decline_30d", True, {"balances": trend_balances(85, 100, 85)}),
    ("balance_decline_30d", False, {"balances": trend_balances(85.01, 100, 85.01)}),
    ("salary_stopped", True, {"txn": {"salary_credits_30d": 0, "salary_credits_31_60d": 0,
                                      "last_salary_credit_date": ago(65)}}),
    ("salary_stopped", False, {"txn": {"salary_credits_30d": 0}}),  # paid 31-60 days ago
    ("salary_stopped", False, {"txn": {"salary_credits_30d": 0, "salary_credits_31_60d": 0,
                                       "salary_credits_61_90d": 0}}),  # never salaried
    ("transfers_out", True, {"txn": {"transfer_out_other_bank_90d_cny": 100_000},
                             "balances": flat_balances(500_000)}),
    ("transfers_out", False, {"txn": {"transfer_out_other_bank_90d_cny": 99_999.99},
                              "balances": flat_balances(400_000)}),
    ("transfers_out", False, {"txn": {"transfer_out_other_bank_90d_cny": 100_000},
                              "balances": flat_balances(500_000.01)}),  # share just below 20%
    ("product_not_renewed", True, {"accounts": NEUTRAL_ACCOUNTS + [
        {**TD, "maturity_date": ago(30), "closed_date": ago(30)}]}),
    ("product_not_renewed", False, {"accounts": NEUTRAL_ACCOUNTS + [
        {**TD, "maturity_date": ago(31), "closed_date": ago(31)}]}),
    ("product_not_renewed", False, {"accounts": NEUTRAL_ACCOUNTS + [  # renewed as wealth
        {**TD, "maturity_date": ago(10), "closed_date": ago(10)},
        {"product_kind": "wealth", "opened_date": ago(10)}]}),
    ("product_not_renewed", True, {"accounts": NEUTRAL_ACCOUNTS + [  # bought before: no renewal
        {**TD, "maturity_date": ago(10), "closed_date": ago(10)},
        {"product_kind": "wealth", "opened_date": ago(11)}]}),
    ("product_not_renewed", False, {"accounts": NEUTRAL_ACCOUNTS + [  # a loan paid off
        {"product_kind": "loan", "closed_date": ago(5)}]}),
    ("dormant", True, {"txn": {"last_customer_txn_date": ago(90)}}),
    ("dormant", False, {"txn": {"last_customer_txn_date": ago(89)}}),
    ("complaint", True, {"complaints": [{"opened_date": ago(200)}]}),  # still open
    ("complaint", True, {"complaints": [{"opened_date": ago(200), "closed_date": ago(90)}]}),
    ("complaint", False, {"complaints": [{"opened_date": ago(200), "closed_date": ago(91)}]}),
    ("single_product", True, {"accounts": [{"product_kind": "current"}]}),
    ("single_product", True, {"accounts": [{"product_kind": "current"},
                                           {"product_kind": "current"}]}),
    ("single_product", False, {"accounts": NEUTRAL_ACCOUNTS}),
]


@pytest.mark.parametrize("code, fires, kwargs", SIGNAL_CASES)
def test_churn_signal_fires_exactly_at_its_threshold(rules, code, fires, kwargs):
    row = segment_one(rules, **kwargs)
    assert (code in row["signals"]) is fires
    if fires:
        signal = row["signals"][code]
        assert signal["weight"] == rules.churn.signals[code].weight
        assert not any(key.startswith("text") for key in signal)  # facts, not words
        assert churn_signal(EN, signal, rules.currency) and churn_signal(ZH, signal,
                                                                           rules.currency)
        assert row["churn_score"] == min(100, sum(s["weight"] for s in row["churn_signals"]))


@pytest.mark.parametrize("kwargs, facts, en, zh", [
    ({"balances": trend_balances(66, 66, 100)}, {"trend_pct": -34.0},
     "AUM -34% over 90 days", "资产90天下降34%"),
    ({"txn": {"salary_credits_30d": 0, "salary_credits_31_60d": 0,
              "last_salary_credit_date": ago(65)}}, {"months": 2},
     "no salary credit for 2 months", "已2个月无代发工资"),
    ({"txn": {"transfer_out_other_bank_90d_cny": 320_000}, "balances": flat_balances(711_111)},
     {"amount_cny": 320_000, "share_of_aum": 0.45},
     "CNY 320,000 transferred to other banks in 90 days (45% of AUM)",
     "90天转出他行32万元（占资产45%）"),
    ({"txn": {"transfer_out_other_bank_90d_cny": 320_000}, "balances": flat_balances(0)},
     {"amount_cny": 320_000, "share_of_aum": None},
     "CNY 320,000 transferred to other banks in 90 days", "90天转出他行32万元"),
    ({"accounts": NEUTRAL_ACCOUNTS + [{**TD, "maturity_date": ago(15)}]},
     {"count": 1, "date": "2026-11-05", "matured": True, "product_kind": "time_deposit"},
     "time deposit matured on 5 Nov 2026, not renewed", "定期存款于2026年11月5日到期未续作"),
    ({"accounts": NEUTRAL_ACCOUNTS + [{**TD, "closed_date": ago(3)},
                                      {**TD, "maturity_date": ago(20)}]},
     {"count": 2, "date": "2026-11-17", "matured": False, "product_kind": "time_deposit"},
     "time deposit closed on 17 Nov 2026, not renewed (+1 more)",
     "定期存款于2026年11月17日销户未续作（另有1笔）"),
    ({"txn": {"last_customer_txn_date": ago(120)}},
     {"days_since_customer_txn": 120, "dormant_days_without_activity": 90},
     "no customer-initiated transaction for 120 days", "已120天无主动交易"),
    ({"complaints": [{"opened_date": ago(40), "closed_date": ago(10), "category": "fees"}]},
     {"category": "fees", "open": False, "opened_date": "2026-10-11",
      "closed_date": "2026-11-10", "open_complaints": 0},
     "complaint (fees) closed on 10 Nov 2026", "近期投诉（收费）已于2026年11月10日结案"),
])
def test_a_churn_signal_stores_the_facts_its_words_cite(rules, kwargs, facts, en, zh):
    row = segment_one(rules, **kwargs)
    (signal,) = [s for s in row["churn_signals"] if s["code"] != "single_product"]
    assert {name: signal.get(name) for name in facts} == facts
    assert (churn_signal(EN, signal, rules.currency),
            churn_signal(ZH, signal, rules.currency)) == (en, zh)


@pytest.mark.parametrize("kwargs, score, level", [
    ({"balances": trend_balances(85, 100, 85)}, 15, "low"),                   # 30d decline only
    ({"balances": trend_balances(75, 75, 100)}, 30, "medium"),                # at medium_min
    ({"balances": trend_balances(75, 100, 100)}, 45, "medium"),               # 90d and 30d
    ({"balances": trend_balances(75, 100, 100),
      "txn": {"salary_credits_30d": 0, "salary_credits_31_60d": 0}}, 70, "high"),
    ({"balances": trend_balances(10, 10, 100), "accounts": [{"product_kind": "current"}],
      "complaints": [{"opened_date": ago(3)}],
      "txn": {"salary_credits_30d": 0, "salary_credits_31_60d": 0,
              "last_customer_txn_date": None, "transfer_out_other_bank_90d_cny": 1e6}},
     100, "high"),                                                             # capped at 100
])
def test_churn_score_and_level(rules, kwargs, score, level):
    row = segment_one(rules, **kwargs)
    assert (row["churn_score"], row["churn_level"]) == (score, level)
    assert row["explanation"]["churn"]["signals"] == [s["code"] for s in row["churn_signals"]]


# ---- opportunities -------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, code, present", [
    ({"balances": flat_balances(200_000, current_balance_cny=100_000)}, "idle_balance", True),
    ({"balances": flat_balances(200_000, current_balance_cny=99_999.99)}, "idle_balance",
     False),
    ({"customer": {"onboarding_date": ago(7)}}, "new_customer_follow_up", True),
    ({"customer": {"onboarding_date": ago(9)}}, "new_customer_follow_up", True),   # grace
    ({"customer": {"onboarding_date": ago(10)}}, "new_customer_follow_up", False),
    ({"customer": {"onboarding_date": ago(6)}}, "new_customer_follow_up", False),
    ({"txn": {"last_product_purchase_date": ago(14)}}, "post_sale_follow_up", True),
    ({"txn": {"last_product_purchase_date": ago(17)}}, "post_sale_follow_up", False),
    ({"contacts": {"last_reached_date": ago(61)}}, "cadence_overdue", True),   # gold: 60
    ({"contacts": {"last_reached_date": ago(60)}}, "cadence_overdue", False),
    ({"contacts": {"last_reached_date": None, "reached_contacts_90d": 0}}, "cadence_overdue",
     True),   # gold's cadence fits in the contact window: none in it is overdue
    ({"contacts": {"last_reached_date": None, "reached_contacts_90d": 0},
      "balances": flat_balances(10_000)}, "cadence_overdue", False),  # mass: 180 > 90 days
])
def test_opportunity_boundaries(rules, kwargs, code, present):
    row = segment_one(rules, **kwargs)
    assert (code in row["opportunity_codes"]) is present
    assert row["opportunity_count"] == len(row["opportunities"])


def test_opportunity_facts(rules):
    row = segment_one(rules, customer={"onboarding_date": ago(30)},
                      balances=flat_balances(200_000, current_balance_cny=150_000))
    assert row["opportunities"] == [
        {"code": "idle_balance", "amount_cny": 150_000, "threshold_cny": 100_000},
        {"code": "new_customer_follow_up", "day": 30, "days": 30, "date": ago(30).isoformat()},
    ]


def test_what_assignment_decides_is_no_segment_opportunity(rules):
    """Maturities, birthdays and open complaints are assignment rules (the maturity ladder,
    greeting days, service recovery): the segment lists none of them, however near."""
    row = segment_one(
        rules, customer={"birth_date": date(1970, 11, 20)},  # a birthday today
        accounts=NEUTRAL_ACCOUNTS + [{**TD, "maturity_date": BD},
                                     {**TD, "maturity_date": ahead(5)}],
        complaints=[{"opened_date": ago(3)}])
    assert row["signals"]["complaint"]["open"]  # the churn signal still sees it open
    assert row["opportunities"] == [] and row["opportunity_count"] == 0


def test_closed_customer_has_no_opportunities(rules):
    row = segment_one(rules, customer={"closed_date": ago(1), "onboarding_date": ago(30)},
                      balances=flat_balances(200_000, current_balance_cny=150_000))
    assert row["lifecycle_stage"] == "lost" and row["opportunities"] == []


def test_a_complaint_signal_names_its_category_and_date_in_the_readers_words(rules):
    row = segment_one(rules, complaints=[{"opened_date": ago(200), "category": "staff"}])
    signal = row["signals"]["complaint"]
    # stored: the category as the source wrote it, the dates, whether it is open
    assert (signal["category"], signal["opened_date"], signal["open"]) == (
        "staff", ago(200).isoformat(), True)
    opened = BD - timedelta(days=200)
    zh_date = f"{opened.year}年{opened.month}月{opened.day}日"
    assert churn_signal(ZH, signal, rules.currency) == f"未结投诉（员工服务），自{zh_date}起"
    assert churn_signal(EN, signal, rules.currency) == \
        f"open complaint (staff conduct) since {opened.day} {opened.strftime('%b')} {opened.year}"
    # a category the bank added shows as the source wrote it
    row = segment_one(rules, complaints=[{"opened_date": ago(5), "category": "网点环境"}])
    assert row["signals"]["complaint"]["category"] == "网点环境"
    assert "（网点环境）" in churn_signal(ZH, row["signals"]["complaint"], rules.currency)
