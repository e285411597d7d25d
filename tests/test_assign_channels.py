"""Reachable channels: a contact goes only by a channel the customer can be reached on (rules
``channel_needs``), else by the next one of ``channel_fallbacks``, else it is flagged "no
contact details" on the plan and counted on the branch roll-up."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
import yaml
from customer_plans.assign.channels import NO_CHANNEL
from customer_plans.rules import load_rules
from customer_plans.settings import DEFAULT_RULES_PATH

from tests.assign_cases import Bank, one, reasons_of, run

BUSINESS_DATE = date(2026, 11, 19)  # a Thursday: its plan is worked on Friday 20 Nov
BIRTHDAY = date(1980, 11, 20)  # greeted on the plan date
NOTHING = {"mobile_phone": None, "email": None, "address": None}


def bank() -> Bank:
    return Bank(business_date=BUSINESS_DATE).manager("M1")


def channel_of(b: Bank, customer_id: str, rules) -> str:
    return one(run(b, rules)[0], customer_id)["channel"]


# ------------------------------------------------------------------ reachability


@pytest.mark.parametrize("phone", [None, "", "   "])
def test_no_phone_or_sms_without_a_phone_number(rules, phone):
    b = bank()
    b.customer("CALL", mobile_phone=phone).maturity("CALL", 1)  # maturity_due: by phone
    b.customer("SMS", mobile_phone=phone, preferred="sms", birth_date=BIRTHDAY)  # message
    b.customer("WITH", preferred="sms", birth_date=BIRTHDAY).maturity("WITH", 1)
    contacts, _, _ = run(b, rules)
    assert one(contacts, "CALL")["channel"] == "email"
    assert one(contacts, "SMS")["channel"] == "email"
    assert one(contacts, "WITH")["channel"] == "phone"  # a number on record: as the rules ask


def test_no_email_without_an_email(rules):
    b = bank()
    b.customer("NOMAIL", preferred="email", email=None, birth_date=BIRTHDAY)
    b.customer("MAIL", preferred="email", birth_date=BIRTHDAY)
    contacts, _, _ = run(b, rules)
    assert one(contacts, "NOMAIL")["channel"] == "sms"  # email's first fallback
    assert one(contacts, "MAIL")["channel"] == "email"


def test_wechat_and_app_need_the_customers_word_or_a_contact_on_them(rules):
    b = bank()
    # no phone: a maturity call falls back to WeChat only when WeChat is known to work
    b.customer("SAID", mobile_phone=None, email=None, preferred="wechat").maturity("SAID", 1)
    b.customer("USED", mobile_phone=None, email=None).maturity("USED", 1)
    b.contact("USED", BUSINESS_DATE - timedelta(days=10), outcome="message_sent", channel="app")
    b.customer("TRIED", mobile_phone=None, email=None).maturity("TRIED", 1)
    b.contact("TRIED", BUSINESS_DATE - timedelta(days=10), outcome="no_answer", channel="wechat")
    contacts, _, _ = run(b, rules)
    assert one(contacts, "SAID")["channel"] == "wechat"
    assert one(contacts, "USED")["channel"] == "app"  # delivered there 10 days ago
    assert one(contacts, "TRIED")["channel"] == "visit"  # an unanswered try proves nothing


@pytest.mark.parametrize(
    ("details", "preferred", "expected"),
    [
        # maturity_due wants a phone call: phone -> wechat -> app -> email -> visit
        ({}, "phone", "phone"),
        ({"mobile_phone": None}, "wechat", "wechat"),
        ({"mobile_phone": None}, "app", "app"),
        ({"mobile_phone": None}, "phone", "email"),
        ({"mobile_phone": None, "email": None}, "phone", "visit"),
        (NOTHING, "phone", NO_CHANNEL),
    ],
)
def test_the_fallback_order_of_a_call(rules, details, preferred, expected):
    b = bank()
    b.customer("C1", preferred=preferred, **details).maturity("C1", 1)
    assert channel_of(b, "C1", rules) == expected


@pytest.mark.parametrize(
    ("details", "preferred", "expected"),
    [
        # a top-tier retention visit: somewhere to go, or a way to agree a branch meeting
        ({}, "phone", "visit"),
        ({"address": None}, "phone", "visit"),
        ({"address": None, "mobile_phone": None}, "phone", "visit"),
        (NOTHING, "wechat", "wechat"),
        (NOTHING, "phone", NO_CHANNEL),
    ],
)
def test_the_fallback_order_of_a_visit(rules, details, preferred, expected):
    b = bank()
    b.customer("C1", tier="private", churn_level="high", churn_score=80.0,
               preferred=preferred, **details)
    contacts, _, _ = run(b, rules)
    assert reasons_of(contacts, "C1") == ["retention_top_tier"]
    assert one(contacts, "C1")["channel"] == expected


def test_a_greeting_never_turns_into_a_visit(rules):
    b = bank()
    b.customer("ADDR", mobile_phone=None, email=None, birth_date=BIRTHDAY)
    contacts, _, _ = run(b, rules)
    assert reasons_of(contacts, "ADDR") == ["birthday"]
    assert one(contacts, "ADDR")["channel"] == NO_CHANNEL


def test_the_fallback_order_comes_from_the_rules(tmp_path):
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    raw["assignment"]["channel_fallbacks"]["phone"] = ["visit", "email"]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    rules = load_rules(path)
    b = bank()
    b.customer("C1", mobile_phone=None).maturity("C1", 1)
    assert channel_of(b, "C1", rules) == "visit"
    # what a channel needs is the rules' too: a visit that needs an address
    raw["assignment"]["channel_needs"]["visit"] = ["address"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    b = bank()
    b.customer("C1", mobile_phone=None, address=None).maturity("C1", 1)
    assert channel_of(b, "C1", load_rules(path)) == "email"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a["channel_needs"].pop("app"), "channel_needs must list every channel"),
        (lambda a: a["channel_needs"].update(fax=[]), "channel_needs must list every channel"),
        (lambda a: a["channel_needs"].update(app=["wechat_id"]), "channel_needs.app"),
        (lambda a: a["channel_fallbacks"].update(phone=["phone"]), "channel_fallbacks.phone"),
        (lambda a: a["channel_fallbacks"].update(sms=["fax"]), "channel_fallbacks.sms"),
    ],
)
def test_bad_reachability_rules_name_the_key(tmp_path, change, message):
    from customer_plans.rules import RulesError

    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    change(raw["assignment"])
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError) as excinfo:
        load_rules(path)
    assert message in str(excinfo.value)


# ------------------------------------------------------------------ consent


def test_consent_decides_the_reasons_reachability_the_channel(rules):
    b = bank()
    # no marketing consent: the birthday is dropped, the maturity (service) stays, by email
    b.customer("SERVICE", consent=0, mobile_phone=None, birth_date=BIRTHDAY)
    b.maturity("SERVICE", 1)
    # no consent and nothing but a greeting: not contacted at all, so not a data gap either
    b.customer("GREET", consent=0, birth_date=BIRTHDAY, **NOTHING)
    # asked not to be contacted: never listed, whatever details are missing
    b.customer("DNC", dnc=1, **NOTHING).maturity("DNC", 1)
    contacts, exclusions, _ = run(b, rules)
    assert reasons_of(contacts, "SERVICE") == ["maturity_due"]
    assert one(contacts, "SERVICE")["channel"] == "email"
    assert set(contacts["customer_id"]) == {"SERVICE"}
    dropped = exclusions.set_index(["customer_id", "reason_code"])
    assert ("SERVICE", "no_marketing_consent") in dropped.index
    assert ("GREET", "no_marketing_consent") in dropped.index
    assert ("DNC", "do_not_contact") in dropped.index


# ------------------------------------------------------------------ flagged and counted


def _render_inputs(b: Bank, contacts: pd.DataFrame, exclusions: pd.DataFrame,
                   feedback: pd.DataFrame, locale: str):
    from customer_plans.render.context import PlanInputs, QualityStatus
    from customer_plans.render.data import RollupInputs

    segments = b.segments_frame()
    managers = pd.DataFrame({
        "manager_id": ["M1"], "manager_name": ["王芳"], "branch_id": ["B1"],
        "branch_name": ["静安支行"], "locale": [locale], "status": ["active"],
        "daily_call_capacity": [20], "daily_visit_capacity": [3],
    })
    customers = pd.DataFrame({
        "customer_id": [c["customer_id"] for c in b.customers],
        "customer_name": [f"客户{c['customer_id']}" for c in b.customers],
        "mobile_phone": [c["mobile_phone"] for c in b.customers],
    })
    plan = PlanInputs(contacts=contacts, segments=segments, managers=managers,
                      customers=customers,
                      balances=pd.DataFrame({"customer_id": pd.Series(dtype=object)}))
    rollup = RollupInputs(contacts, segments, managers, customers, exclusions, feedback,
                          QualityStatus("unknown"))
    return plan, rollup


@pytest.mark.parametrize(("locale", "flag", "gap"), [
    ("zh_CN", "无联系方式：系统中没有可用于联络该客户的手机号",
     "今日名单中有 2 位客户无可用联系方式"),
    ("en", "No contact details: no phone number, email or other channel",
     "2 customers on today's lists have no usable contact details"),
])
def test_none_reachable_is_flagged_on_the_plan_and_counted_on_the_rollup(rules, locale, flag,
                                                                        gap):
    from customer_plans.render.context import build_plan_contexts
    from customer_plans.render.html import render_plan_html, render_rollup_html
    from customer_plans.render.rollup import build_branch_contexts
    from customer_plans.words import words_for

    b = Bank(business_date=BUSINESS_DATE).manager("M1", calls=1)
    b.customer("LOST", **NOTHING).maturity("LOST", 1)  # urgent, nobody can ring them
    b.customer("FINE", tier="private", aum_adb_cny=7e6).maturity("FINE", 1)
    b.customer("LATER", **NOTHING).maturity("LATER", 3)  # deferred: still a data gap
    contacts, exclusions, feedback = run(b, rules)
    assert list(contacts["channel"]) == ["phone", NO_CHANNEL, NO_CHANNEL]
    # it stays on the list and takes desk time (finding the details) like a call
    assert list(contacts["capacity_kind"]) == ["call"] * 3
    assert list(contacts["status"]) == ["planned", "deferred", "deferred"]

    plan_inputs, rollup_inputs = _render_inputs(b, contacts, exclusions, feedback, locale)
    plan = build_plan_contexts(plan_inputs, ["M1"], BUSINESS_DATE, rules)[0]
    flagged = [c.customer_id for c in (*plan.contacts, *plan.deferred) if c.no_contact_details]
    assert flagged == ["LOST", "LATER"]
    html = render_plan_html(plan)
    assert words_for(locale).label("channel", "none") in html
    # make LOST planned (a manager with room) to see the card's flag line
    b.managers[0]["daily_call_capacity"] = 5
    contacts, exclusions, feedback = run(b, rules)
    plan_inputs, rollup_inputs = _render_inputs(b, contacts, exclusions, feedback, locale)
    plan = build_plan_contexts(plan_inputs, ["M1"], BUSINESS_DATE, rules)[0]
    html = render_plan_html(plan)
    assert flag in html
    assert html.count('class="grid-value no-contact"') == 2

    branch = build_branch_contexts(rollup_inputs, BUSINESS_DATE, rules)[0]
    assert branch.no_contact_details == 2
    assert gap in render_rollup_html(branch)


def test_a_rollup_without_gaps_says_none(rules):
    from customer_plans.render.html import render_rollup_html
    from customer_plans.render.rollup import build_branch_contexts

    b = bank()
    b.customer("FINE").maturity("FINE", 1)
    contacts, exclusions, feedback = run(b, rules)
    _, rollup_inputs = _render_inputs(b, contacts, exclusions, feedback, "en")
    branch = build_branch_contexts(rollup_inputs, BUSINESS_DATE, rules)[0]
    assert branch.no_contact_details == 0
    html = render_rollup_html(branch)
    assert "No contact details" in html and "no usable contact details" not in html


def test_render_and_assign_agree_on_the_flag():
    from customer_plans.render.context import NO_CONTACT_CHANNEL

    assert NO_CONTACT_CHANNEL == NO_CHANNEL


# ------------------------------------------------------------------ the generated bank


@pytest.fixture(scope="module")
def small_bank_plan(small_bank, rules, tmp_path_factory):
    from customer_plans.assign import run_assignment
    from customer_plans.segment import run_segmentation

    from tests.quality_cases import sqlite_url, stage
    from tests.support.contexts import run_context

    root = tmp_path_factory.mktemp("assign_channels")
    url = f"sqlite:///{root / 'plans.db'}"
    ctx = run_context(root, BUSINESS_DATE, rules, plans_db_url=url,
                      core_banking_url=sqlite_url(small_bank))
    stage(ctx)
    run_segmentation(ctx)
    run_assignment(ctx)
    folder = ctx.staging_dir
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        contacts = pd.read_sql(sa.text("select * from plan_contacts where business_date = :d"),
                               conn, params={"d": BUSINESS_DATE.isoformat()})
    engine.dispose()
    return folder, url, contacts


def test_no_planned_contact_of_the_generated_bank_uses_an_unreachable_channel(
        small_bank_plan, rules):
    folder, _, contacts = small_bank_plan
    customers = pd.read_parquet(folder / "customers.parquet").set_index("customer_id")
    recent = pd.read_parquet(folder / "recent_contacts.parquet")
    done = recent[recent["outcome"].isin(rules.assignment.completed_outcomes)]
    reached = set(zip(done["customer_id"], done["channel"], strict=True))
    listed = customers.loc[contacts["customer_id"]]

    def has(column: str) -> np.ndarray:
        values = listed[column]
        return (values.notna() & (values.astype(str).str.strip() != "")).to_numpy()

    channel = contacts["channel"].to_numpy(dtype=object)
    preferred = listed["preferred_channel"].to_numpy(dtype=object)
    on_record = np.array([(c, ch) in reached for c, ch in zip(
        contacts["customer_id"], channel, strict=True)])
    phone, email, address = has("mobile_phone"), has("email"), has("address")
    ok = np.select(
        [np.isin(channel, ["phone", "sms"]), channel == "email",
         np.isin(channel, ["wechat", "app"]), channel == "visit", channel == NO_CHANNEL],
        [phone, email, (preferred == channel) | on_record, address | phone | email,
         ~phone & ~email],
        default=False)
    assert ok.all(), contacts.loc[~ok, ["customer_id", "channel"]]
    # the generated bank has customers without a phone number among those planned
    assert (~phone).sum() > 0
    assert (channel[~phone] != "phone").all() and (channel[~phone] != "sms").all()


def test_the_generated_bank_flags_and_counts_its_data_gaps(small_bank_plan, rules):
    from customer_plans.render.context import build_plan_contexts
    from customer_plans.render.data import load_plan_inputs, load_rollup_inputs
    from customer_plans.render.html import render_plan_html
    from customer_plans.render.rollup import build_branch_contexts

    folder, url, contacts = small_bank_plan
    gaps = contacts[contacts["channel"] == NO_CHANNEL]
    assert len(gaps) > 0
    managers = sorted(gaps["manager_id"].unique())
    plans = build_plan_contexts(load_plan_inputs(managers, BUSINESS_DATE, url, folder),
                                managers, BUSINESS_DATE, rules)
    for plan in plans:
        flagged = {c.customer_id for c in (*plan.contacts, *plan.deferred,
                                            *(c for g in plan.covered for c in g.contacts))
                   if c.no_contact_details}
        assert flagged == set(gaps.loc[gaps["manager_id"] == plan.manager_id, "customer_id"])
        html = render_plan_html(plan)
        assert "无联系方式" in html or "No contact details" in html
    branches = build_branch_contexts(load_rollup_inputs(BUSINESS_DATE, url, folder),
                                     BUSINESS_DATE, rules)
    counted = {b.branch_id: b.no_contact_details for b in branches}
    expected = gaps.groupby("branch_id").size().to_dict()
    assert {k: v for k, v in counted.items() if v} == expected
