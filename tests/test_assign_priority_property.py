"""The priority policy as properties (rules "THE PRIORITY POLICY", assign/priority.py):

- value first: with the same reasons, a customer of a higher tier never ranks below one of
  a lower tier, whatever their AUM, urgency, churn risk and difficulty;
- the cadence is a promise: an overdue top-tier cadence contact is never deferred while a
  lower-tier routine contact is planned, and no overdue cadence contact is deferred while a
  routine contact that could have used its slot is planned;
- the stored score explains the order, and the same inputs give the same plan.
"""

from __future__ import annotations

import math
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.assign_cases import TIER_RANK, Bank, run

BUSINESS_DATE = date(2026, 11, 19)  # a Thursday: its plan is worked on Friday 20 November
ROUTINE = 3

# what brings each customer onto the list (retention and downgrades come from the facts)
RECIPES = ("idle", "cadence", "cadence+idle", "maturity_7", "maturity_3", "maturity_1",
           "follow_up", "none")

customer_st = st.fixed_dictionaries({
    "manager": st.integers(min_value=0, max_value=1),
    "tier": st.sampled_from(sorted(TIER_RANK)),
    "aum": st.sampled_from([0.0, 20_000.0, 60_000.0, 450_000.0, 900_000.0, 3e6, 9e6, 5e7]),
    "churn": st.integers(min_value=0, max_value=100),
    "difficulty": st.integers(min_value=1, max_value=8),
    "recipe": st.sampled_from(RECIPES),
    "days_past": st.integers(min_value=1, max_value=90),
    "downgrade": st.sampled_from([False, False, False, True]),
    "preferred": st.sampled_from(["phone", "sms", "wechat", "visit", "email"]),
    "mobile": st.sampled_from([True, True, True, False]),
})
manager_st = st.fixed_dictionaries({
    "calls": st.integers(min_value=0, max_value=6),
    "visits": st.integers(min_value=0, max_value=3),
})


def _bank(rules, managers, customers) -> tuple[Bank, dict[str, int]]:
    bank = Bank(business_date=BUSINESS_DATE)
    for i, m in enumerate(managers):
        bank.manager(f"M{i}", calls=m["calls"], visits=m["visits"])
    tier_rank = {}
    for i, c in enumerate(customers):
        customer_id = f"C{i:03d}"
        manager = f"M{min(c['manager'], len(managers) - 1)}"
        opportunities = []
        if "idle" in c["recipe"]:
            opportunities.append({"code": "idle_balance", "amount_cny": 150_000})
        if "cadence" in c["recipe"]:
            cadence = rules.assignment.cadence_days[c["tier"]]
            opportunities.append({"code": "cadence_overdue", "cadence_days": cadence,
                                  "days_since_contact": cadence + c["days_past"]})
        if c["recipe"] == "follow_up":
            opportunities.append({"code": "new_customer_follow_up", "day": 7})
        churn_level = ("high" if c["churn"] >= 60 else "medium" if c["churn"] >= 30
                       else "low")
        extra = {"tier_change": "down", "previous_tier_code": "private"} if c["downgrade"] \
            else {}
        bank.customer(customer_id, manager_id=manager, tier=c["tier"], aum_adb_cny=c["aum"],
                      churn_score=float(c["churn"]), churn_level=churn_level,
                      man_difficulty=c["difficulty"], opportunities=opportunities,
                      preferred=c["preferred"],
                      mobile_phone="13800138000" if c["mobile"] else None, **extra)
        if c["recipe"].startswith("maturity_"):
            bank.maturity(customer_id, int(c["recipe"].removeprefix("maturity_")))
        tier_rank[customer_id] = TIER_RANK[c["tier"]]
    return bank, tier_rank


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(managers=st.lists(manager_st, min_size=1, max_size=2),
       customers=st.lists(customer_st, min_size=1, max_size=30))
def test_value_first_and_the_cadence_promise(rules, managers, customers):
    bank, tier_rank = _bank(rules, managers, customers)
    contacts, _, _ = run(bank, rules)
    contacts = contacts.assign(tier_rank=contacts["customer_id"].map(tier_rank),
                               codes=contacts["reason_codes"].str.split().map(frozenset))
    top_tiers = {TIER_RANK[code] for code in rules.assignment.top_tiers}
    n_tiers = len(rules.tiers.levels)

    for _, rows in contacts.groupby("manager_id"):
        rows = rows.sort_values("rank")
        # value first: equal reasons (hence one level) -> tier order
        for _, same in rows.groupby([rows["codes"].map(sorted).map(" ".join),
                                     "priority_level"]):
            assert list(same["tier_rank"]) == sorted(same["tier_rank"]), same[
                ["customer_id", "tier_rank", "score", "reason_codes"]]
        # the stored score explains the order: level, then score, highest first
        for _, level in rows.groupby("priority_level"):
            assert list(level["score"]) == sorted(level["score"], reverse=True)
        assert (rows["score"].map(math.floor) == n_tiers - rows["tier_rank"]).all()
        assert list(rows["priority_level"]) == sorted(rows["priority_level"])

        planned = rows[rows["status"] == "planned"]
        routine = planned[planned["priority_level"] == ROUTINE]
        for miss in rows[rows["status"] == "deferred"].itertuples():
            cadence = {"cadence_overdue", "cadence_overdue_top_tier"} & miss.codes
            if not cadence:
                continue
            assert miss.priority_level < ROUTINE
            # the cadence promise comes before every routine contact
            after = routine[routine["rank"] > miss.rank]
            if miss.channel == "visit":  # it could have been called instead: nothing after
                assert after.empty, (miss.customer_id, list(after["customer_id"]))
            else:
                assert not (after["capacity_kind"] == "call").any(), miss.customer_id
            if miss.tier_rank in top_tiers:
                lower = routine[routine["tier_rank"] > miss.tier_rank]
                assert lower.empty, (miss.customer_id, list(lower["customer_id"]))

    # capacity is never exceeded (visits moved to a call count as calls)
    roster = {m["manager_id"]: m for m in bank.managers}
    for manager_id, rows in contacts[contacts["status"] == "planned"].groupby("manager_id"):
        visits = (rows["capacity_kind"] == "visit").sum()
        assert ((rows["channel"] == "visit") == (rows["capacity_kind"] == "visit")).all()
        assert visits <= roster[manager_id]["daily_visit_capacity"]
        assert len(rows) - visits <= roster[manager_id]["daily_call_capacity"]

    # deterministic: the same inputs give the same rows
    again, _, _ = run(bank, rules)
    assert again.equals(contacts.drop(columns=["tier_rank", "codes"]))


def _greedy(rows: list[dict], capacity: dict[str, tuple[float, float]]) -> list[tuple]:
    """The reference: contacts taken one by one in rank order (status, channel, kind)."""
    left = {m: list(c) for m, c in capacity.items()}  # [calls, visits]
    out = []
    for row in rows:
        calls_visits = left.setdefault(row["manager_id"], [0.0, 0.0])
        own = 1 if row["channel"] == "visit" else 0
        if calls_visits[own] > 0:
            calls_visits[own] -= 1
            out.append(("planned", row["channel"], "visit" if own else "call"))
        elif isinstance(row["fallback_channel"], str) and calls_visits[1 - own] > 0:
            calls_visits[1 - own] -= 1
            out.append(("planned", row["fallback_channel"], "call" if own else "visit"))
        else:
            out.append(("deferred", row["channel"], "visit" if own else "call"))
    return out


@settings(max_examples=200, deadline=None, derandomize=True)
@given(rows=st.lists(st.fixed_dictionaries({
           "manager_id": st.sampled_from(["M1", "M2"]),
           "channel": st.sampled_from(["phone", "sms", "visit", "visit"]),
           "priority_level": st.integers(min_value=1, max_value=3),
           "reachable": st.booleans()}), max_size=25),
       calls=st.integers(min_value=0, max_value=5), visits=st.integers(min_value=0, max_value=3))
def test_capacity_takes_contacts_one_by_one_in_rank_order(rules, rows, calls, visits):
    import numpy as np
    import pandas as pd
    from customer_plans.assign.capacity import apply_capacity, capacity_fallbacks
    from customer_plans.assign.channels import known_channels

    roster = pd.DataFrame({"manager_id": ["M1", "M2"], "daily_call_capacity": [calls, 2],
                           "daily_visit_capacity": [visits, 1]})
    contacts = pd.DataFrame(rows, columns=["manager_id", "channel", "priority_level",
                                           "reachable"])
    contacts = contacts.sort_values("manager_id", kind="stable").reset_index(drop=True)
    reachable = np.repeat(contacts["reachable"].to_numpy(dtype=bool)[:, None],
                          len(known_channels(rules)), axis=1)
    contacts["fallback_channel"] = capacity_fallbacks(
        contacts["channel"].to_numpy(dtype=object), contacts["priority_level"].to_numpy(),
        reachable, rules)
    once = apply_capacity(contacts, roster, rules)
    expected = _greedy(contacts.to_dict("records"),
                       {"M1": (calls, visits), "M2": (2, 1)})
    assert list(zip(once["status"], once["channel"], once["capacity_kind"],
                    strict=True)) == expected
    # routine contacts and customers that cannot be reached another way have no fallback
    fallback = contacts["fallback_channel"]
    assert fallback[(contacts["priority_level"] == ROUTINE) | ~contacts["reachable"]].isna().all()
    # applying capacity again (pool takeover does) changes nothing
    assert apply_capacity(once, roster, rules).equals(once)
