"""Pool takeover: the branch pool's contacts go to managers of the branch with capacity left.

The backup of the departed or absent manager first (active, same branch), then the least
loaded manager of the branch; most urgent first; competing by priority for the manager's
capacity like a covered book, never beyond it; what nobody can fit stays on the pool list,
urgent first. The plan shows taken-over contacts with the reason; the roll-up lists the pool's
customers and what happened to each.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.assign_cases import Bank, one, run

DAY = date(2026, 11, 19)  # a Thursday: its plan is worked on Friday 20 Nov
IDLE = [{"code": "idle_balance", "amount_cny": 200000}]
TOP_TIER_OVERDUE = [{"code": "cadence_overdue", "days_since_contact": 40, "cadence_days": 15}]


def bank() -> Bank:
    return Bank(business_date=DAY)


def own_customers(b: Bank, manager_id: str, count: int, branch_id: str = "B1") -> Bank:
    """``count`` routine call contacts (idle balance) on ``manager_id``'s own list."""
    for i in range(count):
        b.customer(f"{manager_id}-OWN{i}", manager_id=manager_id, branch_id=branch_id,
                   opportunities=IDLE)
    return b


def pooled(b: Bank, prefix: str, count: int, manager_id: str | None = "M9",
           branch_id: str = "B1") -> Bank:
    """``count`` customers of ``manager_id`` with maturities: distinct urgency, by index."""
    for i in range(count):
        customer_id = f"{prefix}{i:02d}"
        b.customer(customer_id, manager_id=manager_id, branch_id=branch_id,
                   aum_adb_cny=100_000.0 + 1_000.0 * (count - i))
        b.maturity(customer_id, (0, 1, 3, 7)[i % 4])
    return b


def pool_order(contacts: pd.DataFrame, customer_ids) -> list[str]:
    """``customer_ids`` in the priority order the pool hands them out in."""
    rows = contacts[contacts["customer_id"].isin(list(customer_ids))].copy()
    return list(rows.sort_values(["priority_level", "score", "customer_id"],
                                 ascending=[True, False, True])["customer_id"])


def test_every_customer_of_a_departed_manager_is_taken_over_or_on_the_pool(rules):
    b = bank().manager("M1", calls=3).manager("M2", calls=2)
    b.manager("M9", status="left", backup="M2")
    pooled(b, "P", 12)
    contacts, _, _ = run(b, rules)
    assert set(contacts["customer_id"]) == {f"P{i:02d}" for i in range(12)}
    for row in contacts.itertuples():
        assert row.home_manager_id == "M9"
        if row.assignment == "pool_takeover":
            assert row.manager_id in {"M1", "M2"} and row.branch_id == "B1"
            assert row.status == "planned" and row.capacity_kind == "call"
        else:
            assert (row.assignment, row.manager_id, row.status) == ("pool", "POOL-B1", "planned")
            assert row.assignment_reason == "manager_left no_capacity"
    taken = contacts[contacts["assignment"] == "pool_takeover"]
    assert len(taken) == 5  # all the free capacity of the branch, not one more
    # the most urgent five are taken: the backup gets the first two
    order = pool_order(contacts, contacts["customer_id"])
    assert set(taken["customer_id"]) == set(order[:5])
    assert set(taken.loc[taken["manager_id"] == "M2", "customer_id"]) == set(order[:2])
    assert set(taken.loc[taken["manager_id"] == "M2", "assignment_reason"]) == {
        "manager_left backup"}
    assert set(taken.loc[taken["manager_id"] == "M1", "assignment_reason"]) == {
        "manager_left least_loaded"}
    # what stays is the least urgent, ranked urgent first
    pool = contacts[contacts["manager_id"] == "POOL-B1"].sort_values("rank")
    assert list(pool["customer_id"]) == order[5:]
    assert list(pool["rank"]) == list(range(1, 8))
    assert_nothing_left_on_the_pool_fits(contacts, b)


def test_the_backup_comes_first_even_when_busier(rules):
    b = bank().manager("M1", calls=5).manager("M2", calls=5)
    b.manager("M9", status="left", backup="M2")
    own_customers(b, "M2", 3)
    pooled(b, "P", 2)
    contacts, _, _ = run(b, rules)
    for customer_id in ("P00", "P01"):
        row = one(contacts, customer_id)
        assert (row["manager_id"], row["assignment"], row["home_manager_id"],
                row["assignment_reason"]) == ("M2", "pool_takeover", "M9", "manager_left backup")
    assert (contacts["manager_id"] == "M1").sum() == 0


@pytest.mark.parametrize(
    "backup",
    [
        lambda b: b.manager("M2", branch_id="B2", calls=9),  # another branch: not asked
        lambda b: b.manager("M2", calls=9, status="on_leave"),  # away on the contact date
        lambda b: b.manager("M2", calls=9, status="left"),
        lambda b: None,  # not on the roster
    ],
)
def test_a_backup_away_elsewhere_or_unknown_is_passed_over(rules, backup):
    b = bank().manager("M1", calls=4).manager("M9", status="left", backup="M2")
    backup(b)
    pooled(b, "P", 2)
    contacts, _, _ = run(b, rules)
    assert set(contacts["manager_id"]) == {"M1"}
    assert set(contacts["assignment_reason"]) == {"manager_left least_loaded"}


def test_then_the_least_loaded_by_share_of_capacity(rules):
    # M1: 5 of 10 calls used (0.5); M3: 1 of 4 (0.25); a full backup (M2) takes nothing
    b = bank().manager("M1", calls=10).manager("M2", calls=1).manager("M3", calls=4)
    own_customers(own_customers(own_customers(b, "M1", 5), "M2", 1), "M3", 1)
    b.customer("N0", manager_id=None).maturity("N0", 0)  # level 1
    b.customer("N1", manager_id=None).maturity("N1", 3)  # level 2
    b.customer("N2", manager_id=None, opportunities=IDLE)  # level 3
    b.customer("N3", manager_id=None, opportunities=IDLE, aum_adb_cny=90_000.0)
    contacts, _, _ = run(b, rules)
    takers = [one(contacts, c)["manager_id"] for c in ("N0", "N1", "N2", "N3")]
    # M3 (0.25) -> both at 0.5, M1 has more room -> M3 (0.5 < 0.6) -> M1 and M3 at 0.6 and
    # 0.75 -> M1
    assert takers == ["M3", "M1", "M3", "M1"]
    assert set(contacts.loc[contacts["customer_id"].str.startswith("N"),
                            "assignment_reason"]) == {"no_manager least_loaded"}
    assert one(contacts, "N0")["home_manager_id"] is None or pd.isna(
        one(contacts, "N0")["home_manager_id"])


def assert_nothing_left_on_the_pool_fits(contacts: pd.DataFrame, b: Bank) -> None:
    """Every contact left on a pool list ranks below a full day of contacts of its kind on
    every list of its branch (priority: level, score, customer id)."""
    def key(row):
        return (row.priority_level, -row.score, row.customer_id)

    planned = contacts[contacts["status"] == "planned"]
    for row in contacts[contacts["assignment"] == "pool"].itertuples():
        kinds = ["visit", "call"] if row.channel == "visit" else ["call"]
        for m in b.managers:
            if m["status"] != "active" or m["branch_id"] != row.branch_id:
                continue
            on_list = planned[planned["manager_id"] == m["manager_id"]]
            for kind in kinds:
                above = [r for r in on_list.itertuples()
                         if r.capacity_kind == kind and key(r) < key(row)]
                assert len(above) >= m[f"daily_{kind}_capacity"], (row.customer_id, m)


def test_taken_over_contacts_compete_for_capacity_by_priority(rules):
    def roster(b: Bank) -> Bank:
        b.manager("M1", calls=5, visits=1).manager("M9", status="left", backup="M1")
        own_customers(b, "M1", 3)  # routine calls
        # two own visits for one visit slot: the second goes by phone (capacity fallback)
        for i in range(2):
            b.customer(f"V{i}", manager_id="M1", tier="private",
                       opportunities=TOP_TIER_OVERDUE)
        return b

    alone, _, _ = run(roster(bank()), rules)
    assert (alone["status"] == "planned").all()  # 3 calls + 1 visit + 1 visit by phone
    b = roster(bank())
    b.customer("URGENT", manager_id="M9").complaint("URGENT", opened=date(2026, 5, 12))
    b.customer("VISIT", manager_id="M9", tier="private", opportunities=TOP_TIER_OVERDUE)
    pooled(b, "P", 4)
    contacts, exclusions, _ = run(b, rules)
    m1 = contacts[contacts["manager_id"] == "M1"].sort_values("rank")
    assert list(m1["rank"]) == list(range(1, len(m1) + 1))
    planned = m1[m1["status"] == "planned"]
    assert (planned["capacity_kind"] == "visit").sum() == 1
    assert (planned["capacity_kind"] == "call").sum() == 5
    taken = contacts[contacts["assignment"] == "pool_takeover"]
    assert (taken["status"] == "planned").all() and set(taken["manager_id"]) == {"M1"}
    # the open complaint from May is taken over and ranks above all of M1's own contacts
    urgent = one(contacts, "URGENT")
    assert (urgent["manager_id"], urgent["assignment"], urgent["status"]) == (
        "M1", "pool_takeover", "planned")
    assert urgent["reason_codes"].split()[0] == "service_recovery"
    assert urgent["rank"] < m1.loc[m1["assignment"] == "own", "rank"].min()
    # the urgent pool contacts push M1's routine calls to tomorrow, as a covered book would:
    # deferred with the capacity reason, recorded as a capacity exclusion
    deferred = m1[m1["status"] == "deferred"]
    assert len(deferred) and set(deferred["assignment"]) == {"own"}
    assert set(deferred["priority_level"]) == {3}
    assert deferred["rank"].min() > planned["rank"].max() or (
        deferred["priority_level"].min() >= planned["priority_level"].max())
    assert set(exclusions.loc[exclusions["reason_code"] == "capacity", "customer_id"]) == set(
        deferred["customer_id"])
    # a day's visit stays with the higher-ranked own visit; what is left on the pool cannot
    # fit anywhere
    assert_nothing_left_on_the_pool_fits(contacts, b)


def test_capacity_is_never_exceeded_across_a_branch(rules):
    b = bank()
    for m, (calls, visits) in {"M1": (3, 1), "M2": (2, 0), "M3": (0, 2)}.items():
        b.manager(m, calls=calls, visits=visits)
    b.manager("M8", status="left", backup="M3").manager("M9", status="on_leave")
    own_customers(b, "M1", 2)
    pooled(b, "P", 9, manager_id="M8")
    pooled(b, "Q", 5, manager_id="M9")
    pooled(b, "R", 3, manager_id=None)
    for i in range(3):
        b.customer(f"PV{i}", manager_id="M8", tier="private", opportunities=TOP_TIER_OVERDUE)
    contacts, _, _ = run(b, rules)
    roster = {m["manager_id"]: m for m in b.managers}
    for manager_id, rows in contacts[contacts["status"] == "planned"].groupby("manager_id"):
        if manager_id.startswith("POOL-"):
            continue
        assert (rows["capacity_kind"] == "visit").sum() <= roster[manager_id][
            "daily_visit_capacity"]
        assert (rows["capacity_kind"] == "call").sum() <= roster[manager_id][
            "daily_call_capacity"]
        visits = rows["channel"] == "visit"
        assert (rows.loc[visits, "capacity_kind"] == "visit").all()
    # the branch's capacity is used up before anything stays on the pool
    assert (contacts["manager_id"] == "POOL-B1").any()
    planned = contacts[(contacts["status"] == "planned") & ~contacts["manager_id"].str.startswith(
        "POOL-")]
    assert (planned["capacity_kind"] == "call").sum() == 5  # M1 3 + M2 2
    assert_nothing_left_on_the_pool_fits(contacts, b)
    # a manager away with no backup: their customers say so
    q = contacts[contacts["customer_id"].str.startswith("Q")]
    assert q["assignment_reason"].str.startswith("manager_away ").all()


def test_urgent_pool_items_stay_first_on_the_pool(rules):
    b = bank().manager("M1", calls=1).manager("M9", status="left", backup="M1")
    b.customer("ROUTINE", manager_id="M9", opportunities=IDLE)
    b.customer("COMPLAINT", manager_id="M9").complaint("COMPLAINT", opened=date(2026, 5, 12))
    pooled(b, "P", 4)
    contacts, _, _ = run(b, rules)
    taken = contacts[contacts["assignment"] == "pool_takeover"]
    assert len(taken) == 1 and taken["priority_level"].iloc[0] == 1
    pool = contacts[contacts["manager_id"] == "POOL-B1"].sort_values("rank")
    assert list(pool["priority_level"]) == sorted(pool["priority_level"])
    assert pool["customer_id"].iloc[-1] == "ROUTINE"


def test_a_branch_with_no_manager_at_work_keeps_everything_on_the_pool(rules):
    b = bank().manager("M1", calls=20)  # B1 has room: it never takes B2's customers
    b.manager("M5", branch_id="B2", status="on_leave").manager("M6", branch_id="B2",
                                                                status="left", backup="M1")
    pooled(b, "P", 3, manager_id="M5", branch_id="B2")
    pooled(b, "Q", 3, manager_id="M6", branch_id="B2")
    pooled(b, "R", 2, manager_id=None, branch_id="B2")
    contacts, _, feedback = run(b, rules)
    assert set(contacts["manager_id"]) == {"POOL-B2"}
    assert (contacts["assignment"] == "pool").all()
    reasons = dict(zip(contacts["customer_id"], contacts["assignment_reason"], strict=True))
    assert {reasons[c] for c in ("P00", "P01", "P02")} == {"manager_away no_active_manager"}
    assert {reasons[c] for c in ("Q00", "Q01", "Q02")} == {"manager_left no_active_manager"}
    assert {reasons[c] for c in ("R00", "R01")} == {"no_manager no_active_manager"}
    assert "POOL-B2" in set(feedback["manager_id"])


def test_managers_without_capacity_leave_the_pool_as_it_is(rules):
    b = bank().manager("M1", calls=0, visits=0).manager("M9", status="left", backup="M1")
    pooled(b, "P", 3)
    contacts, _, _ = run(b, rules)
    assert set(contacts["manager_id"]) == {"POOL-B1"}
    assert set(contacts["assignment_reason"]) == {"manager_left no_capacity"}


def test_a_customer_of_another_branch_goes_to_their_own_branch(rules):
    # M9 (B1) has left; their customer banks at B2: B2's managers take them, not the backup
    b = bank().manager("M1", calls=5).manager("M2", branch_id="B2", calls=5)
    b.manager("M9", status="left", backup="M1")
    pooled(b, "P", 1, branch_id="B2")
    row = one(run(b, rules)[0], "P00")
    assert (row["manager_id"], row["branch_id"], row["assignment_reason"]) == (
        "M2", "B2", "manager_left least_loaded")


def test_takeover_is_deterministic_and_exclusions_follow_the_list(rules):
    def build() -> Bank:
        b = bank().manager("M1", calls=2).manager("M2", calls=2).manager("M3", calls=2)
        b.manager("M9", status="left", backup="M2")
        pooled(b, "P", 9)
        pooled(b, "R", 4, manager_id=None)
        # a reason dropped (no marketing consent) beside a kept one: its exclusion row names
        # the list the customer is on
        b.customer("G", manager_id="M9", tier="private", consent=0, opportunities=IDLE)
        b.maturity("G", 0)
        return b

    first = run(build(), rules)
    b = build()
    b.segments.reverse()
    b.customers.reverse()
    b.managers.reverse()
    second = run(b, rules)
    for a, z in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, z)
    contacts, exclusions, _ = first
    g = one(contacts, "G")
    assert g["assignment"] == "pool_takeover"
    rows = exclusions[exclusions["customer_id"] == "G"]
    assert len(rows) and set(rows["manager_id"]) == {g["manager_id"]}


# ----------------------------------------------------------- by branch batch, in the database


def _two_branch_bank() -> Bank:
    b = bank()
    b.manager("M1", "B1", calls=3, visits=1).manager("M2", "B1", calls=2)
    b.manager("M9", "B1", status="left", backup="M2")
    b.manager("M3", "B2", calls=6).manager("M4", "B2", status="on_leave", backup="M3")
    b.manager("M8", "B2", status="left", backup="M1")  # backup in another branch
    b.manager("M5", "B3", status="on_leave")  # B3: nobody at work
    own_customers(b, "M1", 1)
    own_customers(b, "M3", 1, branch_id="B2")
    pooled(b, "P", 8, manager_id="M9")
    pooled(b, "Q", 5, manager_id="M8", branch_id="B2")
    pooled(b, "X", 2, manager_id="M9", branch_id="B2")  # M9's customers banking at B2
    pooled(b, "R", 3, manager_id=None, branch_id="B2")
    pooled(b, "S", 3, manager_id="M5", branch_id="B3")
    pooled(b, "C", 2, manager_id="M4", branch_id="B2")  # covered by M3
    return b


def test_branch_batches_give_the_same_takeover_as_one_run(rules, tmp_path):
    from customer_plans.assign import branch_batches, run_assignment

    from tests.support.contexts import run_context
    from tests.test_assign_run import _segments, _stage, _table

    url = f"sqlite:///{tmp_path / 'plans.db'}"
    b = _two_branch_bank()
    staging = _stage(b, tmp_path / "staging")
    _segments(url, b)
    ctx = run_context(tmp_path, DAY, rules, plans_db_url=url)
    summary = run_assignment(ctx)
    full = {name: _table(url, name, DAY) for name in
            ("plan_contacts", "plan_exclusions", "plan_feedback")}
    contacts = full["plan_contacts"]
    assert summary["pool_takeover"] == (contacts["assignment"] == "pool_takeover").sum() > 0
    assert summary["pool_takeover_by_backup"] > 0
    assert "P0" not in str(summary)  # counts only
    assert set(contacts.loc[contacts["manager_id"] == "POOL-B3", "assignment_reason"]) == {
        "manager_away no_active_manager"}
    for n in (2, 3):
        batches = branch_batches(staging, n)
        for batch in batches:
            run_assignment(ctx, branch_ids=batch)
        for name, frame in full.items():
            pd.testing.assert_frame_equal(_table(url, name, DAY), frame)
    for batch in (["B3"], ["B2"], ["B1"]):  # one branch at a time, any order
        run_assignment(ctx, branch_ids=batch)
    for name, frame in full.items():
        pd.testing.assert_frame_equal(_table(url, name, DAY), frame)


def test_a_plans_table_from_before_takeover_gains_the_column(rules, tmp_path):
    import sqlalchemy as sa
    from customer_plans.assign import run_assignment

    from tests.support.contexts import run_context
    from tests.test_assign_run import _segments, _stage

    url = f"sqlite:///{tmp_path / 'plans.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the table as an earlier release created it
        from customer_plans.db import read_sql, split_statements

        for statement in split_statements(read_sql("plans/plan_contacts.sql")):
            conn.exec_driver_sql(statement.replace("assignment_reason varchar(64),", ""))
        columns = {c["name"] for c in sa.inspect(conn).get_columns("plan_contacts")}
        assert "assignment_reason" not in columns
    engine.dispose()
    b = _two_branch_bank()
    _stage(b, tmp_path / "staging")
    _segments(url, b)
    run_assignment(run_context(tmp_path, DAY, rules, plans_db_url=url))
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        reasons = conn.exec_driver_sql(
            "select count(*) from plan_contacts where assignment_reason is not null").scalar()
    engine.dispose()
    assert reasons > 0


# ----------------------------------------------------------- what the plan and roll-up show


def _render_inputs(b: Bank, contacts: pd.DataFrame, exclusions: pd.DataFrame,
                   feedback: pd.DataFrame):
    names = {"M1": "张伟", "M2": "Emily Chen", "M9": "李娜"}
    locales = {"M1": "zh_CN", "M2": "en", "M9": "zh_CN"}
    managers = pd.DataFrame([{
        **m, "manager_name": names.get(m["manager_id"], m["manager_id"]),
        "locale": locales.get(m["manager_id"], "zh_CN"), "branch_name": "城东支行",
    } for m in b.managers])
    segments = b.segments_frame()
    customers = pd.DataFrame({
        "customer_id": segments["customer_id"],
        "customer_name": [f"客户{c}" for c in segments["customer_id"]],
        "mobile_phone": "13800138000",
    })
    return managers, segments, customers


def _takeover_bank() -> Bank:
    b = bank().manager("M1", calls=2).manager("M2", calls=1)
    b.manager("M9", status="left", backup="M2")
    b.customer("URGENT", manager_id="M9", tier="private")
    b.complaint("URGENT", opened=date(2026, 5, 12))
    pooled(b, "P", 4)
    b.customer("N0", manager_id=None).maturity("N0", 0)
    return b


def test_the_plan_shows_taken_over_contacts_with_the_reason(rules):
    from customer_plans.render.context import PlanInputs, build_plan_contexts
    from customer_plans.render.html import render_plan_html

    b = _takeover_bank()
    contacts, exclusions, feedback = run(b, rules)
    managers, segments, customers = _render_inputs(b, contacts, exclusions, feedback)
    inputs = PlanInputs(contacts=contacts, segments=segments, managers=managers,
                        customers=customers, balances=pd.DataFrame(), feedback=feedback)
    plans = {p.manager_id: p for p in build_plan_contexts(
        inputs, ["M1", "M2", "POOL-B1"], DAY, rules)}
    m2 = plans["M2"]  # en, the backup
    assert m2.contacts == () and m2.taken_over_count == 1 == m2.planned_count
    (group,) = m2.taken_over
    assert group.title == "Customers of 李娜, who has left"
    assert group.how == "You are their manager's recorded backup."
    html = render_plan_html(m2)
    assert "Taken over from the branch pool" in html and "Customers of 李娜, who has left" in html
    assert "From the branch pool" in html  # the summary line
    m1 = plans["M1"]  # zh, least loaded
    assert m1.taken_over_count == 2
    titles = {g.title for g in m1.taken_over}
    assert titles <= {"已离职的 李娜 的客户", "无客户经理的客户"}
    html = render_plan_html(m1)
    assert "从网点公共池接手的客户" in html and "按网点内联络负荷最低分配给您。" in html
    assert "公共池接手" in html
    # the pool list says on each card why the customer is there and why nobody took them
    pool = plans["POOL-B1"]
    assert pool.contacts and all(v.assignment_note for v in pool.contacts)
    html = render_plan_html(pool)
    assert "李娜 已离职；留在公共池：网点客户经理今日联络量已满" in html


def test_the_rollup_lists_the_pool_customers_and_what_happened_to_each(rules):
    from customer_plans.render.html import render_rollup_html

    b = _takeover_bank()
    (branch,) = _rollup_of(b, rules)
    assert branch.words.code == "zh_CN"
    lines = {line.customer_id: line for line in branch.pool_lines}
    assert set(lines) == {"URGENT", "N0", "P00", "P01", "P02", "P03"}
    assert (branch.pool_total, branch.pool_taken_over, branch.pool_by_backup,
            branch.pool_left) == (6, 3, 1, 3)
    assert branch.pool_left_urgent == sum(
        1 for line in branch.pool_lines if not line.taken_over and line.priority_level == 1)
    # most urgent first; the open complaint first of all, taken by the backup
    assert branch.pool_lines[0].customer_id == "URGENT"
    assert lines["URGENT"].outcome == "由备岗经理 Emily Chen 接手"
    assert [line.priority_level for line in branch.pool_lines] == sorted(
        line.priority_level for line in branch.pool_lines)
    for line in branch.pool_lines:
        assert line.customer_name == f"客户{line.customer_id}"
        if line.taken_over:
            assert line.taken_by_name in ("张伟", "Emily Chen")
        else:
            assert line.outcome == "留在公共池：网点客户经理今日联络量已满"
    assert lines["N0"].why == "无客户经理" and lines["P00"].why == "李娜 已离职"
    by_id = {m.manager_id: m for m in branch.managers}
    assert by_id["M1"].taken_over == 2 and by_id["M2"].taken_over == 1
    html = render_rollup_html(branch)
    assert "网点公共池：无在岗客户经理的客户" in html
    assert ("今日网点公共池客户 6 位：3 位由本网点客户经理接手（其中 1 位由备岗经理接手），"
            "3 位留在公共池") in html
    for line in branch.pool_lines:
        assert line.customer_name in html and line.outcome in html
    assert "接手公共池 2 位" in html


def _rollup_of(b, rules):
    """The branch contexts of the roll-ups of bank ``b``'s plan."""
    from customer_plans.render.context import QualityStatus
    from customer_plans.render.data import RollupInputs
    from customer_plans.render.rollup import build_branch_contexts

    contacts, exclusions, feedback = run(b, rules)
    managers, segments, customers = _render_inputs(b, contacts, exclusions, feedback)
    inputs = RollupInputs(contacts=contacts, segments=segments, managers=managers,
                          customers=customers[["customer_id", "customer_name"]],
                          exclusions=exclusions, feedback=feedback,
                          quality=QualityStatus("unknown"))
    return build_branch_contexts(inputs, DAY, rules)


def test_a_rollup_without_pool_customers_has_no_pool_section(rules):
    from customer_plans.render.html import render_rollup_html

    b = bank().manager("M1")
    own_customers(b, "M1", 2)
    (branch,) = _rollup_of(b, rules)
    assert branch.pool_lines == ()
    assert "网点公共池：" not in render_rollup_html(branch)


def test_paper_shows_the_takeover_and_the_pool_outcomes(rules, tmp_path):
    import subprocess

    from customer_plans.render.batch import render_plans, render_rollups
    from customer_plans.render.context import PlanInputs, QualityStatus, build_plan_contexts
    from customer_plans.render.data import RollupInputs
    from customer_plans.render.rollup import build_branch_contexts

    b = _takeover_bank()
    contacts, exclusions, feedback = run(b, rules)
    managers, segments, customers = _render_inputs(b, contacts, exclusions, feedback)
    plans = build_plan_contexts(
        PlanInputs(contacts=contacts, segments=segments, managers=managers,
                   customers=customers, balances=pd.DataFrame(), feedback=feedback),
        ["M1", "POOL-B1"], DAY, rules)
    (branch,) = build_branch_contexts(
        RollupInputs(contacts=contacts, segments=segments, managers=managers,
                     customers=customers[["customer_id", "customer_name"]],
                     exclusions=exclusions, feedback=feedback,
                     quality=QualityStatus("unknown")), DAY, rules)

    def text(pdf: bytes) -> str:
        path = tmp_path / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                             capture_output=True, text=True).stdout
        return "".join(out.split())  # CJK lines wrap anywhere: compare without blanks

    m1, pool = render_plans(plans)
    assert "从网点公共池接手的客户" in text(m1.pdf) and "公共池接手" in text(m1.pdf)
    assert "李娜已离职；留在公共池：网点客户经理今日联络量已满" in text(pool.pdf)
    (rollup,) = render_rollups([branch])
    page = text(rollup.pdf)
    assert "网点公共池：无在岗客户经理的客户" in page
    # table cells wrap: check each line's customer and the kinds of outcome
    for line in branch.pool_lines:
        assert line.customer_name in page
    assert page.count("留在公共池") >= branch.pool_left and "由备岗经理" in page
