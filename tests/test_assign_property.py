"""Properties that hold for any bank: generated rosters and books, random facts."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.assign_cases import TIER_RANK, Bank, run

STATUSES = ("active", "active", "active", "on_leave", "left")
OPPORTUNITIES = (
    [], [{"code": "idle_balance", "amount_cny": 150000}],
    [{"code": "new_customer_follow_up", "day": 7}],
    [{"code": "cadence_overdue", "days_since_contact": 90, "cadence_days": 30}],
)

manager_st = st.fixed_dictionaries({
    "status": st.sampled_from(STATUSES),
    "backup": st.integers(min_value=-1, max_value=5),
    "calls": st.integers(min_value=0, max_value=4),
    "visits": st.integers(min_value=0, max_value=2),
    "branch": st.sampled_from(["B1", "B2"]),
})
customer_st = st.fixed_dictionaries({
    "manager": st.integers(min_value=-2, max_value=5),
    "branch": st.sampled_from(["B1", "B2"]),
    "tier": st.sampled_from(sorted(TIER_RANK)),
    "churn": st.sampled_from(["low", "medium", "high"]),
    "opportunities": st.sampled_from(range(len(OPPORTUNITIES))),
    "maturity": st.sampled_from([None, 0, 1, 3, 5, 7]),
    "consent": st.sampled_from([1, 1, 0]),
    "dnc": st.sampled_from([0, 0, 0, 1]),
    "restricted": st.sampled_from([False, False, False, True]),
    "complaint": st.sampled_from([False, False, True]),
    "contacted_days_ago": st.sampled_from([None, None, 0, 1, 5]),
    "birthday_in": st.sampled_from([None, 0, 1, 2]),
    "preferred": st.sampled_from(["phone", "sms", "wechat", "visit", "email"]),
})


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(managers=st.lists(manager_st, min_size=1, max_size=6),
       customers=st.lists(customer_st, min_size=1, max_size=30))
def test_every_list_respects_books_capacity_and_exclusions(rules, managers, customers):
    bank = Bank(business_date=date(2026, 11, 17))  # worked on a Wednesday
    for i, m in enumerate(managers):
        backup = f"M{m['backup']}" if m["backup"] >= 0 else None
        bank.manager(f"M{i}", m["branch"], calls=m["calls"], visits=m["visits"],
                     status=m["status"], backup=backup)
    for i, c in enumerate(customers):
        customer_id = f"C{i:03d}"
        manager = None if c["manager"] == -1 else f"M{c['manager']}"  # -2: not on the roster
        if c["manager"] == -2:
            manager = "GHOST"
        birth = (bank.business_date + timedelta(days=1 + c["birthday_in"])).replace(year=1980) \
            if c["birthday_in"] is not None else date(1980, 3, 3)
        bank.customer(customer_id, manager_id=manager, branch_id=c["branch"], tier=c["tier"],
                      churn_level=c["churn"], churn_score={"low": 5.0, "medium": 40.0,
                                                           "high": 80.0}[c["churn"]],
                      opportunities=OPPORTUNITIES[c["opportunities"]], consent=c["consent"],
                      dnc=c["dnc"], preferred=c["preferred"], birth_date=birth)
        if c["maturity"] is not None:
            bank.maturity(customer_id, c["maturity"])
        if c["restricted"]:
            bank.restricted.append(customer_id)
        if c["complaint"]:
            bank.complaint(customer_id)
        if c["contacted_days_ago"] is not None:
            bank.contact(customer_id, bank.business_date - timedelta(days=c["contacted_days_ago"]))

    contacts, exclusions, feedback = run(bank, rules)

    roster = {m["manager_id"]: m for m in bank.managers}
    home = {s["customer_id"]: s["manager_id"] for s in bank.segments}
    branch = {s["customer_id"]: s["branch_id"] for s in bank.segments}
    facts = {c["customer_id"]: c for c in bank.customers}
    service = {code for code, r in rules.assignment.reasons.items() if r.service}

    # one list per customer, ranks 1..n per list
    assert contacts["customer_id"].is_unique
    for _, rows in contacts.groupby("manager_id"):
        assert sorted(rows["rank"]) == list(range(1, len(rows) + 1))

    for row in contacts.itertuples():
        owner = home[row.customer_id]
        if row.assignment == "own":
            assert row.manager_id == owner and roster[owner]["status"] == "active"
        elif row.assignment == "covered":
            assert row.home_manager_id == owner and roster[owner]["status"] == "on_leave"
            assert roster[owner]["backup_manager_id"] == row.manager_id
            assert roster[row.manager_id]["status"] == "active"
        elif row.assignment == "pool_takeover":
            # taken over from the pool by a manager at work in the customer's branch
            assert roster[row.manager_id]["status"] == "active"
            assert roster[row.manager_id]["branch_id"] == branch[row.customer_id]
            assert row.status == "planned"
        else:
            assert row.assignment == "pool"
            assert row.manager_id == f"POOL-{branch[row.customer_id]}"
        # never listed: restricted, do-not-contact; no consent means service reasons only
        assert row.customer_id not in bank.restricted
        assert facts[row.customer_id]["do_not_contact"] == 0
        codes = set(row.reason_codes.split())
        if facts[row.customer_id]["marketing_consent"] == 0:
            assert codes <= service, (row.customer_id, codes)

    # capacity is never exceeded
    planned = contacts[(contacts["status"] == "planned") & (contacts["assignment"] != "pool")]
    for manager_id, rows in planned.groupby("manager_id"):
        visits = (rows["channel"] == "visit").sum()
        assert visits <= roster[manager_id]["daily_visit_capacity"]
        assert len(rows) - visits <= roster[manager_id]["daily_call_capacity"]

    # only what no capacity of the branch can absorb stays on the pool
    used = planned.groupby(["manager_id", "capacity_kind"]).size()
    for row in contacts[contacts["assignment"] == "pool"].itertuples():
        kind = "visit" if row.channel == "visit" else "call"
        for m in roster.values():
            if m["status"] == "active" and m["branch_id"] == branch[row.customer_id]:
                assert used.get((m["manager_id"], kind), 0) >= m[
                    f"daily_{kind}_capacity"], (row.customer_id, m["manager_id"])

    # every excluded customer is accounted for, and nobody is both listed and fully excluded
    fully = exclusions[exclusions["reason_code"].isin(["restricted", "do_not_contact",
                                                       "closed", "quarantined"])]
    assert not set(fully["customer_id"]) & set(contacts["customer_id"])
    assert set(feedback["manager_id"]) >= set(contacts["manager_id"])
