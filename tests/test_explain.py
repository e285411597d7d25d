"""The auditor's ``explain``: what the run recorded about a customer, and the same decision in
the auditor's language, whatever language the manager reads.

Each test writes the rows a run would have stored into a fresh plans database (only the
columns ``explain`` reads, as a database of that release would hold them) and asks."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from customer_plans.cli import main
from customer_plans.explain import UnknownLanguage, explain_customer
from customer_plans.words.languages import shipped_languages

BUSINESS_DATE = date(2026, 11, 19)
DAY = BUSINESS_DATE.isoformat()


def write_tables(db: Path, tables: dict[str, list[dict]]) -> str:
    """The rows given, one table each (JSON values stored as JSON text, as the stages do)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as conn:
        for table, rows in tables.items():
            columns = list(rows[0])
            conn.execute(f"create table {table} ({', '.join(columns)})")
            for row in rows:
                conn.execute(f"insert into {table} values ({', '.join('?' * len(columns))})",
                             [json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict)
                              else v for v in row.values()])
    return f"sqlite:///{db}"


def segment(customer_id: str, manager_id: str, **extra) -> dict:
    return {"business_date": DAY, "customer_id": customer_id, "manager_id": manager_id,
            "branch_id": "BR1", "tier_code": "gold", "familiarity": "low", "grid_group": "B2",
            "lifecycle_stage": "stable", "churn_level": "low", "churn_signals": [], **extra}


def contact(customer_id: str, manager_id: str, reasons: list[dict], **extra) -> dict:
    return {"business_date": DAY, "branch_id": "BR1", "manager_id": manager_id, "rank": 1,
            "status": "planned", "customer_id": customer_id, "assignment": "own",
            "home_manager_id": manager_id, "assignment_reason": None, "priority_level": 1,
            "reasons": reasons, "reason_codes": " ".join(r["code"] for r in reasons), **extra}


MATURITY = {"code": "maturity_due", "level": 1, "facts": {
    "account_id": "A1", "product_kind": "time_deposit", "amount_cny": 471600.0,
    "maturity_date": "2026-11-20", "days_to_maturity": 1, "rate_pct": 1.75}}


@pytest.fixture
def plans_db(tmp_path) -> str:
    """A Chinese manager's customer on their list (its list mailed to them), a customer left
    out as restricted, one taken over from the branch pool, and one with nothing to do."""
    return write_tables(tmp_path / "data" / "plans.db", {
        "segments": [segment("C1", "M001"), segment("C2", "M001"), segment("C3", None),
                     segment("C4", "M001")],
        "plan_contacts": [
            contact("C1", "M001", [MATURITY]),
            contact("C3", "M002", [{"code": "idle_balance", "level": 3,
                                    "facts": {"amount_cny": 219952.1}}],
                    rank=4, priority_level=3, assignment="pool_takeover", home_manager_id="M009",
                    assignment_reason="manager_left backup"),
        ],
        "plan_exclusions": [{"business_date": DAY, "branch_id": "BR1", "manager_id": "M001",
                             "home_manager_id": "M001", "customer_id": "C2",
                             "reason_code": "restricted", "dropped_reasons": ["retention"],
                             "detail": "customer on the restricted list"}],
        "mail_deliveries": [{"business_date": DAY, "document_kind": "plan",
                             "document_key": "M001", "status": "accepted", "transport": "smtp",
                             "recipient_kind": "manager", "reason": "new", "in_doubt": 0,
                             "message_id": "<plan.x@bank.example>",
                             "intent_at": "2026-11-19 22:00:00", "sequence": 0}],
    })


def test_a_chinese_managers_decision_reads_in_english_for_an_english_auditor(plans_db):
    answer = explain_customer(plans_db, BUSINESS_DATE, "C1", "en")
    words = answer["words"]
    assert words["language"] == "en"
    assert words["verdict"] == ("Listed for manager M001: rank 1, priority Urgent, planned "
                                "for the day.")
    assert words["delivery"] == "The list's delivery: sent (email, to the manager)."
    reason = words["reasons"][0]
    assert reason["label"] == "Maturity due"
    assert reason["know"] == "Maturity: time deposit CNY 471,600 matures on 20 Nov 2026; rate 1.75%"
    assert reason["say"].startswith("Your time deposit of CNY 471,600 matures on 20 Nov 2026")
    assert reason["shown"][-1] == {"fact": "days to maturity", "value": "1"}
    assert reason["shown"][0]["fact"] == "account" and "****" in reason["shown"][0]["value"]
    assert words["segment"]["tier"] == "Gold" and words["segment"]["lifecycle_stage"] == "Stable"
    # the record stays as stored: codes and facts
    assert answer["outcome"] == "listed"
    assert answer["contacts"][0]["reasons"] == [MATURITY]
    assert list(answer)[0] == "words"


def test_the_same_decision_reads_in_chinese_for_a_chinese_auditor(plans_db):
    words = explain_customer(plans_db, BUSINESS_DATE, "C1", "zh_CN")["words"]
    assert words["verdict"] == "列入客户经理 M001 的名单：第 1 位，优先级：紧急，已排入当日计划。"
    assert words["delivery"] == "名单发送情况：已发送（电子邮件，收件人：客户经理）。"
    reason = words["reasons"][0]
    assert reason["label"] == "产品到期"
    assert reason["know"] == "定期存款47.2万元将于2026年11月20日到期，利率1.75%"
    assert words["segment"]["tier"] == "金卡客户"
    # a roster locale names the language as well
    assert explain_customer(plans_db, BUSINESS_DATE, "C1", "zh-cn")["words"] == words


def test_an_excluded_customer_reads_why_with_the_reasons_it_dropped(plans_db):
    answer = explain_customer(plans_db, BUSINESS_DATE, "C2", "en")
    assert answer["outcome"] == "not_listed"
    assert answer["words"]["verdict"] == "Not listed: restricted list."
    # a row written before exclusions stored facts reads the English text it stored
    assert answer["words"]["exclusions"] == [
        {"code": "restricted", "words": "restricted list",
         "detail": "customer on the restricted list", "dropped_reasons": ["Retention call"]}]
    chinese = explain_customer(plans_db, BUSINESS_DATE, "C2", "zh_CN")["words"]
    assert chinese["verdict"] == "未列入名单：限制类客户名单。"
    assert chinese["exclusions"][0]["dropped_reasons"] == ["流失预警回访"]


def exclusion(customer_id: str, code: str, dropped: list[str], detail: str) -> dict:
    return {"business_date": DAY, "branch_id": "BR1", "manager_id": "M001",
            "home_manager_id": "M001", "customer_id": customer_id, "reason_code": code,
            "dropped_reasons": dropped, "detail": detail}


def test_exclusions_and_a_deferral_are_said_from_their_stored_facts(tmp_path):
    """The facts assign stores (canonical JSON) read in the auditor's language; a deferral
    stored as English text before reads as stored."""
    deferral = '{"fallback_kind":"call","fallback_slots":20,"kind":"visit","rank":7,"slots":2}'
    url = write_tables(tmp_path / "plans.db", {
        "segments": [segment("C6", "M001"), segment("C7", "M001"), segment("C8", "M001")],
        "plan_contacts": [
            contact("C7", "M001", [MATURITY], rank=7, status="deferred",
                    deferred_reason=deferral),
            contact("C8", "M001", [MATURITY], rank=30, status="deferred",
                    deferred_reason="daily_call_capacity 20 (calls and messages) used by "
                                    "higher-ranked contacts")],
        "plan_exclusions": [
            exclusion("C6", "closed", ["maturity_due"], '{"closed_date":"2026-11-02"}'),
            exclusion("C6", "quarantined", ["retention"], "{}"),
            exclusion("C6", "recently_contacted", ["maturity_upcoming", "idle_balance"],
                      '{"channel":"phone","last_contact_date":"2026-11-18","suppress_days":'
                      '{"idle_balance":30,"maturity_upcoming":1}}'),
            exclusion("C6", "carry_over_expired", ["carried_over"],
                      '{"carry_over_max_days":5,"first_planned_date":"2026-11-10",'
                      '"previous_reasons":["idle_balance"]}'),
            exclusion("C7", "capacity", ["maturity_due"], deferral)],
    })
    english = explain_customer(url, BUSINESS_DATE, "C6", "en")["words"]["exclusions"]
    assert [row["detail"] for row in english] == [
        "First planned on 10 Nov 2026, more than 5 working days before the business date: no "
        "longer carried over. It was for: Idle balance.",
        "Relationship closed on 2 Nov 2026.",
        "The customer's data was held back by validation for the business date.",
        "Last completed contact on 18 Nov 2026 (Phone); these reasons wait after a contact: "
        "Maturity coming up: 1 day; Idle balance: 30 days."]
    chinese = explain_customer(url, BUSINESS_DATE, "C6", "zh_CN")["words"]["exclusions"]
    assert [row["detail"] for row in chinese] == [
        "首次列入计划于2026年11月10日，距营业日已超过 5 个工作日，不再顺延。原事由：闲置资金。",
        "已于2026年11月2日销户。",
        "该客户的数据未通过当日校验，暂不使用。",
        "上次完成联络于2026年11月18日（电话）；以下事由在联络后需间隔：产品即将到期：1 天；"
        "闲置资金：30 天。"]
    answer = explain_customer(url, BUSINESS_DATE, "C7", "en")
    said = ("Rank 7: the day's visit capacity (2) and call and message capacity (20) went to "
            "higher-ranked contacts.")
    assert answer["words"]["deferral"] == said
    assert answer["words"]["exclusions"][0]["detail"] == said
    # the record holds the facts as stored, decoded
    assert answer["contacts"][0]["deferred_reason"]["fallback_slots"] == 20
    assert explain_customer(url, BUSINESS_DATE, "C7", "zh_CN")["words"]["deferral"] == (
        "第 7 位：当日面访量（2）与电话和消息联络量（20）均已被排名靠前的联络占满。")
    old = explain_customer(url, BUSINESS_DATE, "C8", "zh_CN")
    assert old["words"]["deferral"] == old["contacts"][0]["deferred_reason"] == (
        "daily_call_capacity 20 (calls and messages) used by higher-ranked contacts")
    assert explain_customer(url, BUSINESS_DATE, "C6", "en")["words"]["deferral"] is None


def test_a_pool_takeover_says_why_the_customer_was_on_the_pool_and_who_took_it(plans_db):
    words = explain_customer(plans_db, BUSINESS_DATE, "C3", "en")["words"]
    assert words["verdict"].startswith("Listed for manager M002: rank 4, priority Routine")
    assert words["pool"] == "Branch pool: M009 has left; taken over by M002 (backup)."
    assert words["reasons"][0]["know"] == "Current account holds CNY 219,952"
    assert words["delivery"] is None  # the list was never delivered
    assert explain_customer(plans_db, BUSINESS_DATE, "C3", "zh_CN")["words"]["pool"] == (
        "网点公共池：M009 已离职；由备岗经理 M002 接手。")


def test_no_reason_and_no_record_are_said_too(plans_db):
    assert explain_customer(plans_db, BUSINESS_DATE, "C4")["words"]["verdict"] == (
        "Not listed: no reason to contact on this date.")
    answer = explain_customer(plans_db, BUSINESS_DATE, "C404", "zh_CN")
    assert answer["outcome"] == "no_record"
    assert answer["words"]["verdict"] == "该营业日没有此客户的记录。"


def test_the_segment_and_a_retention_reason_are_said_from_their_codes_and_facts(tmp_path):
    signal = {"code": "transfers_out", "amount_cny": 320000.0, "share_of_aum": 0.45,
              "weight": 30}
    retention = {"code": "retention", "level": 2, "facts": {
        "tier_code": "gold", "churn_score": 62.0, "churn_level": "high", "signals": [signal]}}
    url = write_tables(tmp_path / "plans.db", {
        "segments": [segment("C5", "M001", lifecycle_stage="declining", churn_level="high",
                             lifecycle_rule="declining_90d", churn_signals=[signal],
                             explanation={"lifecycle": {"rule": "declining_90d",
                                                        "trend_pct": -32.04}})],
        "plan_contacts": [contact("C5", "M001", [retention], priority_level=2)],
    })
    english = explain_customer(url, BUSINESS_DATE, "C5", "en")["words"]
    assert english["segment"]["lifecycle_reason"] == "AUM -32% over 90 days -> declining"
    assert english["segment"]["churn_signals"] == [
        "CNY 320,000 transferred to other banks in 90 days (45% of AUM)"]
    assert english["reasons"][0]["know"] == (
        "Churn warning (high risk): CNY 320,000 transferred to other banks in 90 days "
        "(45% of AUM)")
    assert english["reasons"][0]["shown"] == [{"fact": "risk score", "value": "62"}]
    chinese = explain_customer(url, BUSINESS_DATE, "C5", "zh_CN")["words"]
    assert chinese["segment"]["lifecycle_reason"] == "资产90天下降32% → 衰退期"
    assert chinese["segment"]["churn_signals"] == ["90天转出他行32万元（占资产45%）"]
    assert chinese["reasons"][0]["label"] == "流失预警回访"
    assert chinese["reasons"][0]["know"] == "流失预警（风险高）：90天转出他行32万元（占资产45%）"


def test_a_row_written_before_the_words_moved_to_render_is_still_explained(tmp_path):
    """Reasons with ``text_en``/``text_zh`` and partial facts, talking points per language,
    segments with ``lifecycle_reason_en``/``_zh`` and signals with their texts."""
    old_reason = {"code": "cadence_overdue", "level": 2,
                  "text_en": "Last reached contact: none on record; Gold customers every 60 days",
                  "text_zh": "上次成功联络：暂无成功联络记录；金卡客户应每60天联络",
                  "facts": {"days_since_contact": None, "cadence_days": 60}}
    url = write_tables(tmp_path / "plans.db", {
        "segments": [segment("C9", "M001", lifecycle_reason_en="AUM -48% over 90 days -> declining",
                             lifecycle_reason_zh="资产90天下降48% → 衰退期",
                             churn_signals=[{"code": "aum_decline", "value": -48.0,
                                             "text_en": "AUM -48% over 90 days",
                                             "text_zh": "资产90天下降48%", "weight": 30}])],
        "plan_contacts": [contact("C9", "M001", [old_reason],
                                  talking_points_en="A regular check-in.",
                                  talking_points_zh="定期问候。")],
    })
    english = explain_customer(url, BUSINESS_DATE, "C9", "en")["words"]
    assert english["reasons"][0] == {"code": "cadence_overdue", "label": "Contact overdue",
                                     "know": old_reason["text_en"], "say": "A regular check-in.",
                                     "shown": []}
    assert english["segment"]["lifecycle_reason"] == "AUM -48% over 90 days -> declining"
    assert english["segment"]["churn_signals"] == ["AUM -48% over 90 days"]
    chinese = explain_customer(url, BUSINESS_DATE, "C9", "zh_CN")["words"]
    assert chinese["reasons"][0]["know"] == old_reason["text_zh"]
    assert chinese["reasons"][0]["say"] == "定期问候。"
    assert chinese["segment"]["lifecycle_reason"] == "资产90天下降48% → 衰退期"
    assert chinese["segment"]["churn_signals"] == ["资产90天下降48%"]


def test_a_language_not_configured_is_refused_naming_the_configured_ones(plans_db):
    with pytest.raises(UnknownLanguage, match="configured: en, zh_CN"):
        explain_customer(plans_db, BUSINESS_DATE, "C1", "fr")


def test_the_explain_command_prints_the_words_first_then_the_record(
    plans_db, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("CUSTOMER_PLANS_HOME", str(tmp_path))
    monkeypatch.delenv("PLANS_DB_URL", raising=False)
    assert main(["explain", "--business-date", DAY, "--customer-id", "C1",
                 "--language", "zh_CN"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert list(answer)[:3] == ["words", "business_date", "customer_id"]
    assert answer["words"]["verdict"].startswith("列入客户经理 M001 的名单")
    assert answer["contacts"][0]["reasons"] == [MATURITY]
    assert main(["explain", "--business-date", DAY, "--customer-id", "C1",
                 "--language", "fr"]) == 2
    assert "configured: en, zh_CN" in capsys.readouterr().err


def test_the_explain_help_lists_the_configured_languages(capsys):
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    configured = ", ".join(shipped_languages().codes)
    assert f"({configured})" in " ".join(capsys.readouterr().out.split())
