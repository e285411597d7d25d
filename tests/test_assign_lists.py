"""Each manager's list: one contact per customer, in priority order, within capacity,
covered while a manager is away, pooled when nobody can take the customer."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from customer_plans.assign.priority import tier_points, value_component

from tests.assign_cases import Bank, one, reasons_of, run, said, spoken


@pytest.fixture(scope="module")
def rules(every_day_rules):
    # these cases date plans the day after their business date, weekends included
    return every_day_rules

IDLE = [{"code": "idle_balance", "amount_cny": 200000}]


def test_several_reasons_merge_into_one_contact_at_the_best_level(rules):
    bank = Bank().manager("M1").customer(
        "C1", opportunities=[*IDLE, {"code": "new_customer_follow_up", "day": 7}],
        tier_change="down", previous_tier_code="platinum")
    bank.maturity("C1", 7).maturity("C1", 1)
    contacts, _, _ = run(bank, rules)
    assert len(contacts) == 1
    contact = one(contacts, "C1")
    assert contact["priority_level"] == 1
    assert reasons_of(contacts, "C1") == [
        "maturity_due", "maturity_upcoming", "tier_downgrade", "idle_balance",
        "new_customer_follow_up"]
    reasons = json.loads(contact["reasons"])
    assert [r["level"] for r in reasons] == [1, 2, 2, 3, 3]
    # codes and typed facts only: the words are render's
    assert all(set(r) == {"code", "level", "facts"} for r in reasons)
    for language in ("en", "zh_CN"):
        assert [w.code for w in spoken(contact, rules, language)] == [r["code"] for r in reasons]


def test_levels_come_before_scores(rules):
    bank = Bank().manager("M1")
    # a private-banking customer with a pile of routine reasons ...
    bank.customer("RICH", tier="private", aum_adb_cny=9e6, churn_score=55.0,
                  man_difficulty=1, opportunities=IDLE)
    # ... never outranks a mass customer whose deposit matures tomorrow
    bank.customer("DUE", tier="mass", aum_adb_cny=20_000.0, man_difficulty=8).maturity("DUE", 1)
    contacts, _, _ = run(bank, rules)
    assert list(contacts["customer_id"]) == ["DUE", "RICH"]
    assert list(contacts["rank"]) == [1, 2]


def test_within_a_level_the_score_orders_and_the_customer_id_breaks_ties(rules):
    bank = Bank().manager("M1")
    for customer_id in ("C3", "C1", "C2"):
        bank.customer(customer_id, opportunities=IDLE)
    bank.customer("BIG", tier="diamond", aum_adb_cny=3e6, opportunities=IDLE)
    contacts, _, _ = run(bank, rules)
    assert list(contacts["customer_id"]) == ["BIG", "C1", "C2", "C3"]
    big, c1 = one(contacts, "BIG"), one(contacts, "C1")
    assert big["score_value"] > c1["score_value"]
    # the stored score explains the order: tier points (diamond: 3 tiers below it) plus the
    # weighted mean of the stored components
    weights = rules.assignment.score_weights
    total = weights.value + weights.urgency + weights.risk + weights.difficulty
    for row, points in ((big, 3), (c1, 1)):
        blend = (weights.value * row["score_value"] + weights.urgency * row["score_urgency"]
                 + weights.risk * row["score_risk"]
                 + weights.difficulty * row["score_difficulty"]) / total
        assert row["score"] == pytest.approx(points + blend, abs=1e-6)
        assert int(row["score"]) == points


def test_score_components_reward_value_urgency_risk_and_ease(rules):
    bank = Bank().manager("M1")
    bank.customer("BASE").maturity("BASE", 7)
    bank.customer("SOONER").maturity("SOONER", 3)
    bank.customer("RISKIER", churn_score=25.0).maturity("RISKIER", 7)
    bank.customer("EASIER", man_difficulty=1).maturity("EASIER", 7)
    bank.customer("RICHER", aum_adb_cny=400_000.0).maturity("RICHER", 7)
    contacts, _, _ = run(bank, rules)
    score = contacts.set_index("customer_id")["score"]
    for better in ("SOONER", "RISKIER", "EASIER", "RICHER"):
        assert score[better] > score["BASE"], better


def test_tier_points_and_value_rise_with_tier_and_aum(rules):
    ranks = [5, 5, 4, 4, 3, 2, 1, 1]
    aum = [0, 40_000, 50_000, 400_000, 600_000, 3e6, 6e6, 5e7]
    points = tier_points(ranks, rules)
    values = value_component(ranks, aum, rules)
    assert list(points) == [0, 0, 1, 1, 2, 3, 4, 4]
    # the AUM position within the tier: 0 at the tier's threshold, rising to 1 at the next
    assert values[0] == 0 and values[2] == 0 and values[-1] == 1
    assert values[1] > values[0] and values[3] > values[2] and values[-1] > values[-2]
    assert list(points + values) == sorted(points + values)


@pytest.mark.parametrize(
    ("code_setup", "preferred", "channel"),
    [
        (lambda b: b.maturity("C1", 3), "wechat", "phone"),
        (lambda b: b.segments[0].update(opportunities=json.dumps([
            {"code": "post_sale_follow_up", "days": 3, "date": "2026-11-17"}])), "wechat",
         "wechat"),
        (lambda b: b.segments[0].update(opportunities=json.dumps([
            {"code": "post_sale_follow_up", "days": 3, "date": "2026-11-17"}])), "fax", "phone"),
        (lambda b: b.segments[0].update(opportunities=json.dumps([
            {"code": "post_sale_follow_up", "days": 3, "date": "2026-11-17"}])), "visit",
         "visit"),
    ],
)
def test_channel_by_purpose_and_preference(rules, code_setup, preferred, channel):
    bank = Bank().manager("M1").customer("C1", preferred=preferred)
    code_setup(bank)
    assert one(run(bank, rules)[0], "C1")["channel"] == channel


def test_the_most_urgent_reason_sets_the_channel(rules):
    bank = Bank(business_date=date(2026, 11, 17)).manager("M1")
    bank.customer("C1", birth_date=date(1980, 11, 18), preferred="email").maturity("C1", 3)
    bank.customer("C2", birth_date=date(1980, 11, 18), preferred="email")
    contacts, _, _ = run(bank, rules)
    assert one(contacts, "C1")["channel"] == "phone"  # maturity (level 2) beats birthday (3)
    assert one(contacts, "C2")["channel"] == "email"  # greeting by message, as preferred


# ------------------------------------------------------------------ capacity


def test_capacity_defers_the_overflow_in_rank_order(rules):
    bank = Bank().manager("M1", calls=2, visits=1)
    for i in range(4):
        bank.customer(f"C{i}", opportunities=IDLE, aum_adb_cny=100_000.0 + 50_000 * i)
    # a routine visit (level 3): deferred when the visits are used up
    bank.customer("P", tier="platinum", preferred="visit", opportunities=[
        {"code": "post_sale_follow_up", "days": 3, "date": "2026-11-16"}])
    contacts, exclusions, _ = run(bank, rules)
    assert list(contacts["customer_id"]) == ["P", "C3", "C2", "C1", "C0"]
    planned = contacts[contacts["status"] == "planned"]
    assert list(planned["customer_id"]) == ["P", "C3", "C2"]
    deferred = contacts[contacts["status"] == "deferred"]
    assert list(deferred["customer_id"]) == ["C1", "C0"]
    assert list(contacts["rank"]) == list(range(1, 6))
    # the deferral's facts: the kind of slot, the manager's daily number of them, the rank
    assert list(deferred["deferred_reason"]) == ['{"kind":"call","rank":4,"slots":2}',
                                                 '{"kind":"call","rank":5,"slots":2}']
    capacity = exclusions[exclusions["reason_code"] == "capacity"]
    assert sorted(capacity["customer_id"]) == ["C0", "C1"]
    assert capacity.set_index("customer_id").loc["C0", "detail"] == (
        '{"kind":"call","rank":5,"slots":2}')

    bank.customer("P2", tier="platinum", preferred="visit", aum_adb_cny=600_000.0,
                  opportunities=[{"code": "post_sale_follow_up", "days": 3,
                                  "date": "2026-11-16"}])
    contacts, _, _ = run(bank, rules)
    p = one(contacts, "P")
    assert (p["status"], p["channel"]) == ("deferred", "visit")
    assert json.loads(p["deferred_reason"]) == {"kind": "visit", "rank": p["rank"], "slots": 1}


def test_an_overdue_cadence_visit_is_called_when_the_visits_are_used_up(rules):
    """Before this change V1 and V0 were deferred while the gold customers' routine calls
    were planned: the cadence is a promise, so they now take the call slots (by phone)."""
    bank = Bank().manager("M1", calls=2, visits=1)
    for i in range(4):
        bank.customer(f"C{i}", opportunities=IDLE, aum_adb_cny=100_000.0 + 50_000 * i)
    for i in range(4):
        bank.customer(f"V{i}", tier="private", aum_adb_cny=7e6 + 1e6 * i, opportunities=[
            {"code": "cadence_overdue", "days_since_contact": 30, "cadence_days": 10}])
    contacts, exclusions, _ = run(bank, rules)
    assert list(contacts["customer_id"]) == ["V3", "V2", "V1", "V0", "C3", "C2", "C1", "C0"]
    planned = contacts[contacts["status"] == "planned"]
    assert list(planned["customer_id"]) == ["V3", "V2", "V1"]
    assert list(planned["channel"]) == ["visit", "phone", "phone"]
    assert list(planned["capacity_kind"]) == ["visit", "call", "call"]
    v0 = one(contacts, "V0")
    assert (v0["status"], v0["channel"], v0["capacity_kind"]) == ("deferred", "visit", "visit")
    # it could have taken a call slot: both capacities are named
    assert v0["deferred_reason"] == (
        '{"fallback_kind":"call","fallback_slots":2,"kind":"visit","rank":4,"slots":1}')
    assert (contacts.loc[contacts["customer_id"].str.startswith("C"), "status"]
            == "deferred").all()
    assert sorted(exclusions.loc[exclusions["reason_code"] == "capacity", "customer_id"]) == [
        "C0", "C1", "C2", "C3", "V0"]
    # no phone on record: the fallback is the next reachable channel of channel_fallbacks.visit
    bank = Bank().manager("M1", calls=2, visits=1)
    for i in range(2):
        bank.customer(f"V{i}", tier="private", aum_adb_cny=7e6 + 1e6 * i, mobile_phone=None,
                      preferred="wechat", opportunities=[
                          {"code": "cadence_overdue", "days_since_contact": 30,
                           "cadence_days": 10}])
    contacts, _, _ = run(bank, rules)
    assert list(contacts["channel"]) == ["visit", "wechat"]
    assert list(contacts["status"]) == ["planned", "planned"]


def test_zero_capacity_defers_everything(rules):
    # no slot of either kind: an urgent call cannot fall back to a visit either
    bank = Bank().manager("M1", calls=0, visits=0).customer("C1").maturity("C1", 0)
    contact = one(run(bank, rules)[0], "C1")
    assert contact["status"] == "deferred"
    assert json.loads(contact["deferred_reason"]) == {
        "kind": "call", "rank": 1, "slots": 0, "fallback_kind": "visit", "fallback_slots": 0}


# ------------------------------------------------------------------ coverage


def test_a_manager_on_leave_is_covered_by_the_backup_within_the_backup_capacity(rules):
    bank = Bank().manager("M1", calls=2).manager("M2", status="on_leave", backup="M1")
    bank.customer("OWN1", opportunities=IDLE).customer("OWN2", opportunities=IDLE)
    bank.customer("AWAY", manager_id="M2").maturity("AWAY", 1)
    contacts, _, feedback = run(bank, rules)
    assert set(contacts["manager_id"]) == {"M1"}
    away = one(contacts, "AWAY")
    assert (away["assignment"], away["home_manager_id"], away["rank"], away["status"]) == (
        "covered", "M2", 1, "planned")
    assert one(contacts, "OWN1")["assignment"] == "own"
    assert (contacts["status"] == "planned").sum() == 2
    assert set(feedback["manager_id"]) == {"M1", "M2"}


@pytest.mark.parametrize(
    ("leave", "expected"),
    [
        # the plan is worked on 21 Nov (the day after the business date)
        ({"status": "active", "leave_start_date": date(2026, 11, 21),
          "leave_end_date": date(2026, 11, 30)}, "covered"),
        ({"status": "active", "leave_start_date": date(2026, 11, 22)}, "own"),
        ({"status": "on_leave", "leave_start_date": date(2026, 11, 1),
          "leave_end_date": date(2026, 11, 20)}, "own"),
        ({"status": "on_leave", "leave_start_date": date(2026, 11, 1),
          "leave_end_date": date(2026, 11, 21)}, "covered"),
        ({"status": "on_leave"}, "covered"),
        # a manager who has left: their book goes to the pool, and the backup (M1, at work in
        # the branch with capacity left) takes it over
        ({"status": "active", "left_date": date(2026, 11, 21)}, "pool_takeover"),
        ({"status": "left"}, "pool_takeover"),
    ],
)
def test_availability_on_the_day_the_plan_is_worked(rules, leave, expected):
    bank = Bank().manager("M1").manager("M2", backup="M1", **leave)
    bank.customer("C1", manager_id="M2").maturity("C1", 0)
    assert one(run(bank, rules)[0], "C1")["assignment"] == expected


@pytest.mark.parametrize(
    ("roster", "manager_id"),
    [
        (lambda b: b.manager("M2", status="left"), "M2"),
        (lambda b: b.manager("M2", status="on_leave", backup="M3").manager(
            "M3", status="on_leave"), "M2"),
        (lambda b: b.manager("M2", status="on_leave", backup="GONE"), "M2"),
        (lambda b: b.manager("M2", status="on_leave"), "M2"),
        (lambda b: None, "NOT-ON-ROSTER"),
        (lambda b: None, None),
    ],
)
def test_customers_nobody_can_take_go_to_the_branch_pool(rules, roster, manager_id):
    bank = Bank().manager("M1", calls=0)
    roster(bank)
    bank.customer("C1", manager_id=manager_id, branch_id="B7").maturity("C1", 3)
    contacts, _, feedback = run(bank, rules)
    contact = one(contacts, "C1")
    assert (contact["manager_id"], contact["branch_id"], contact["assignment"]) == (
        "POOL-B7", "B7", "pool")
    assert contact["home_manager_id"] == manager_id
    assert contact["status"] == "planned"  # pools have no capacity
    assert contact["capacity_kind"] is None
    assert "POOL-B7" in set(feedback["manager_id"])


def test_pool_lists_rank_like_any_other(rules):
    # no capacity in the branch: nobody takes the pool's contacts over (see
    # test_assign_pool_takeover.py), so all 30 stay on the pool list
    bank = Bank().manager("M1", calls=0, visits=0)
    for i in range(30):
        bank.customer(f"P{i:02d}", manager_id=None).maturity(f"P{i:02d}", 3)
    contacts, _, _ = run(bank, rules)
    assert list(contacts["rank"]) == list(range(1, 31))
    assert (contacts["status"] == "planned").all()


def test_no_customer_is_on_two_lists_and_output_is_deterministic(rules):
    bank = Bank().manager("M1", calls=3).manager("M2", status="on_leave", backup="M1")
    bank.manager("M3", branch_id="B2")
    for i in range(12):
        manager = ("M1", "M2", "M3", None)[i % 4]
        bank.customer(f"C{i:02d}", manager_id=manager, branch_id="B2" if manager == "M3"
                      else "B1", opportunities=IDLE).maturity(f"C{i:02d}", (0, 1, 3, 7)[i % 4])
    first = run(bank, rules)
    second = run(bank, rules)
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)
    contacts = first[0]
    assert contacts["customer_id"].is_unique
    assert not contacts.duplicated(["manager_id", "rank"]).any()
    # rows arrive in list order: manager, then rank
    assert list(contacts.index) == list(
        contacts.sort_values(["manager_id", "rank"]).index)


def test_an_empty_day_gives_empty_tables_with_their_columns(rules):
    bank = Bank().manager("M1").customer("C1")
    contacts, exclusions, feedback = run(bank, rules)
    assert contacts.empty and exclusions.empty
    assert "reasons" in contacts.columns and "reason_code" in exclusions.columns
    assert not [c for c in contacts.columns if c.startswith("talking_points")]
    assert list(feedback["manager_id"]) == ["M1"]
    assert feedback["completion_rate"].isna().all()


def test_dates_are_relative_to_the_business_date(rules):
    bank = Bank(business_date=date(2026, 12, 29)).manager("M1")
    bank.customer("C1").maturity("C1", 3)
    contact = one(run(bank, rules)[0], "C1")
    assert json.loads(contact["reasons"])[0]["facts"]["maturity_date"] == "2027-01-01"
    assert "1 Jan 2027" in said(contact, rules, "en")
    assert "2027年1月1日" in said(contact, rules, "zh_CN")
    assert contact["business_date"] == date(2026, 12, 29)
    assert contact["first_planned_date"] == date(2026, 12, 29)
    assert bank.business_date + timedelta(days=3) == date(2027, 1, 1)


def test_row_order_of_the_inputs_does_not_change_the_plan(rules):
    bank = Bank().manager("M1", calls=4).manager("M2", status="on_leave", backup="M1")
    for i in range(15):
        bank.customer(f"C{i:02d}", manager_id=("M1", "M2", None)[i % 3],
                      opportunities=IDLE if i % 2 else []).maturity(f"C{i:02d}", (0, 3, 7)[i % 3])
    bank.complaint("C03").contact("C05", bank.business_date)
    expected = run(bank, rules)
    from customer_plans.assign import assign_contacts

    frames = {name: frame.sample(frac=1.0, random_state=3) for name, frame in
              bank.frames().items()}
    shuffled = assign_contacts(bank.segments_frame().sample(frac=1.0, random_state=5), frames,
                               bank.business_date, rules)
    for a, b in zip(expected, shuffled, strict=True):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
