"""Delivery: each manager gets their own plan and each branch head their branch's roll-up,
once; a retry never sends twice."""

from __future__ import annotations

import email
import email.policy
import json
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans.deliver import deliver_plans, deliver_rollups
from customer_plans.staging import write_frame

from tests.airflow_helpers import airflow_env, run, smtp_connection, smtp_server

BUSINESS_DATE = date(2026, 11, 20)


@pytest.fixture
def rendered(tmp_path) -> dict[str, Path]:
    staging = tmp_path / "staging"
    plans = tmp_path / "plans"
    plans.mkdir()
    managers = pd.DataFrame({
        "manager_id": ["M001", "M002", "M003", "M004", "M005"],
        "manager_name": ["王芳", "Alice Chen", "李强", "赵敏", "孙丽"],
        "email": [f"m00{i}@bank.example" for i in range(1, 6)],
        "locale": ["zh_CN", "en", "zh_CN", "zh_CN", "zh_CN"],
        "status": ["active", "active", "on_leave", "left", "on_leave"],
    })
    write_frame(managers, staging / "managers.parquet")
    # M003's leave ends today, so assignment gave them a plan for tomorrow; M004 left (a stale
    # file must not be mailed); M005 is still away and has no plan
    for manager_id in ["M001", "M002", "M003", "M004"]:
        (plans / f"{manager_id}.html").write_text(
            f"<html><body>plan of {manager_id}: 138****1234</body></html>", encoding="utf-8")
        (plans / f"{manager_id}.pdf").write_bytes(b"%PDF-1.4 plan of " + manager_id.encode())
    branches = pd.DataFrame({
        "branch_id": ["BR1", "BR2", "BR3", "BR4", "BR5"],
        "branch_name": ["城东支行", "West Lake Branch", "城西支行", "城南支行", "城北支行"],
        "city": ["杭州"] * 5,
        "head_name": ["陈静", "Grace Lin", None, "周强", "吴芳"],
        "head_email": ["chen.jing@bank.example", "grace.lin@bank.example", None,
                       "zhou.qiang at bank.example", "wu.fang@bank.example"],
        "locale": ["zh_CN", "en", "zh_CN", "zh_CN", "zh_CN"],
    })
    write_frame(branches, staging / "branches.parquet")
    # BR3's post is vacant (no address), BR4's address is malformed, BR5 has no roll-up today
    for branch_id in ["BR1", "BR2", "BR3", "BR4"]:
        write_rollup(plans, branch_id, f"roll-up of {branch_id}")
    return {"staging": staging, "plans": plans, "outbox": tmp_path / "outbox",
            "db": f"sqlite:///{tmp_path / 'plans.db'}"}


def write_rollup(plans: Path, branch_id: str, text: str) -> None:
    folder = plans / "branches"
    folder.mkdir(exist_ok=True)
    (folder / f"{branch_id}.html").write_text(f"<html><body>{text}</body></html>",
                                              encoding="utf-8")
    (folder / f"{branch_id}.pdf").write_bytes(b"%PDF-1.4 " + text.encode())


def _deliver_rollups(paths, transport=None):
    return deliver_rollups(BUSINESS_DATE, paths["plans"], paths["staging"], paths["db"],
                           paths["outbox"], transport=transport)


def _deliver(paths, transport=None):
    return deliver_plans(BUSINESS_DATE, paths["plans"], paths["staging"], paths["db"],
                         paths["outbox"], transport=transport)


def _read(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_outbox_holds_one_message_per_plan_to_its_own_manager(rendered):
    counts = _deliver(rendered)
    assert counts["sent"] == 3 and counts["transport"] == "outbox"
    assert counts["left"] == 1 and counts["no_plan"] == 1
    assert sorted(p.name for p in rendered["outbox"].iterdir()) == [
        "M001.eml", "M002.eml", "M003.eml"]
    for manager_id, address, subject in [("M001", "m001@bank.example", "客户维护计划 2026-11-21"),
                                         ("M002", "m002@bank.example", "Customer plan for")]:
        message = _read(rendered["outbox"] / f"{manager_id}.eml")
        assert message["To"].addresses[0].addr_spec == address
        assert message["Subject"].startswith(subject)
        html = message.get_body(("html",)).get_content()
        assert f"plan of {manager_id}" in html
        attachments = list(message.iter_attachments())
        assert [a.get_filename() for a in attachments] == [f"{manager_id}.pdf"]
        assert attachments[0].get_content() == f"%PDF-1.4 plan of {manager_id}".encode()


def test_rerun_sends_nothing_twice_and_a_changed_plan_goes_out_as_an_update(rendered):
    _deliver(rendered)
    again = _deliver(rendered)
    assert again["sent"] == 0 and again["already_sent"] == 3
    (rendered["plans"] / "M002.html").write_text("<html>corrected plan</html>", encoding="utf-8")
    third = _deliver(rendered)
    assert third["sent"] == 1 and third["updated"] == 1 and third["already_sent"] == 2
    assert _read(rendered["outbox"] / "M002.eml")["Subject"].startswith("[Updated] ")


def test_a_failed_send_is_retried_without_resending_what_went_out(rendered):
    sent: list[str] = []

    def flaky(message):
        if len(sent) == 1:
            raise ConnectionError("mail server went away")
        sent.append(message.manager_id)

    with pytest.raises(ConnectionError):
        _deliver(rendered, transport=flaky)
    retry = _deliver(rendered, transport=lambda m: sent.append(m.manager_id))
    assert retry["sent"] == 2 and retry["already_sent"] == 1
    assert sent == ["M001", "M002", "M003"]


def test_each_branch_head_gets_their_own_branchs_rollup_and_nothing_else(rendered):
    counts = _deliver_rollups(rendered)
    assert counts == {"sent": 2, "updated": 0, "already_sent": 0, "no_rollup": 1,
                      "no_head_email": 1, "bad_head_email": 1, "transport": "outbox"}
    outbox = rendered["outbox"]
    assert sorted(p.name for p in (outbox / "branches").iterdir()) == ["BR1.eml", "BR2.eml"]
    assert not list(outbox.glob("*.eml")), "roll-ups never land among the managers' plans"
    for branch_id, address, subject in [
        ("BR1", "chen.jing@bank.example", "网点客户维护概览 2026-11-21 · 城东支行"),
        ("BR2", "grace.lin@bank.example", "Branch coverage for 2026-11-21 · West Lake Branch"),
    ]:
        message = _read(outbox / "branches" / f"{branch_id}.eml")
        assert [a.addr_spec for a in message["To"].addresses] == [address]
        assert message["Subject"] == subject
        assert message["X-Customer-Plans-Branch"] == branch_id
        html = message.get_body(("html",)).get_content()
        assert f"roll-up of {branch_id}" in html
        assert all(f"roll-up of {other}" not in html for other in ("BR1", "BR2") if
                   other != branch_id)
        attachments = list(message.iter_attachments())
        assert [a.get_filename() for a in attachments] == [f"{branch_id}.pdf"]
        assert attachments[0].get_content() == f"%PDF-1.4 roll-up of {branch_id}".encode()
    assert _read(outbox / "branches" / "BR2.eml").get_body(("plain",)).get_content().startswith(
        "Dear Grace Lin,")


def test_rollups_are_not_sent_twice_and_a_changed_one_goes_out_once_as_an_update(rendered):
    _deliver_rollups(rendered)
    again = _deliver_rollups(rendered)
    assert (again["sent"], again["already_sent"]) == (0, 2)
    write_rollup(rendered["plans"], "BR1", "roll-up of BR1, corrected")
    write_rollup(rendered["plans"], "BR2", "roll-up of BR2, corrected")
    third = _deliver_rollups(rendered)
    assert (third["sent"], third["updated"], third["already_sent"]) == (2, 2, 0)
    assert _read(rendered["outbox"] / "branches" / "BR1.eml")["Subject"].startswith("【更新】")
    assert _read(rendered["outbox"] / "branches" / "BR2.eml")["Subject"].startswith(
        "[Updated] Branch coverage")
    fourth = _deliver_rollups(rendered)
    assert (fourth["sent"], fourth["already_sent"]) == (0, 2)
    # plans keep their own ledger entries: a plan is not "already sent" because of a roll-up
    assert _deliver(rendered)["sent"] == 3


def test_plans_delivered_before_rollups_were_emailed_are_still_known(rendered):
    """A ledger from before document_kind: its rows are plans, with the keys they had."""
    _old_ledger_keeps_its_plans(rendered)


@pytest.mark.postgres
def test_the_ledger_migrates_on_postgresql_too(rendered, pg_schema_url):
    _old_ledger_keeps_its_plans({**rendered, "db": pg_schema_url})


def _old_ledger_keeps_its_plans(rendered) -> None:
    from customer_plans.deliver import build_emails

    managers = pd.read_parquet(rendered["staging"] / "managers.parquet")
    emails, _ = build_emails(BUSINESS_DATE, rendered["plans"], managers, "x@bank.example")
    engine = sa.create_engine(rendered["db"])
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "create table plan_deliveries (business_date date not null, manager_id varchar(32) "
            "not null, content_sha256 varchar(64) not null, message_id varchar(200) not null, "
            "recipient_sha256 varchar(64) not null, transport varchar(16) not null, "
            "delivered_at timestamp not null, "
            "primary key (business_date, manager_id, content_sha256))")
        conn.execute(sa.text(
            "insert into plan_deliveries values ('2026-11-20', :m, :sha, '<id>', 'r', 'smtp', "
            "'2026-11-21 06:00:00')"), {"m": emails[0].key, "sha": emails[0].content_sha256})
    counts = _deliver(rendered)
    assert (counts["sent"], counts["already_sent"]) == (2, 1)
    assert _deliver_rollups(rendered)["sent"] == 2
    with engine.connect() as conn:
        kinds = dict(conn.execute(sa.text(
            "select document_kind, count(*) from plan_deliveries group by document_kind")).all())
    engine.dispose()
    assert kinds == {"plan": 3, "branch_rollup": 2}


def test_the_send_step_counts_branches_without_a_head_email_and_logs_no_personal_data(
    rendered, tmp_path, caplog
):
    from customer_plans.pipeline import RunContext, deliver
    from customer_plans.settings import load_settings

    home = tmp_path / "home"
    ctx = RunContext(BUSINESS_DATE, load_settings({"CUSTOMER_PLANS_HOME": str(home)}))
    ctx.staging_dir.parent.mkdir(parents=True)
    rendered["staging"].rename(ctx.staging_dir)
    ctx.plans_dir.parent.mkdir(parents=True)
    rendered["plans"].rename(ctx.plans_dir)
    with caplog.at_level("INFO", logger="customer_plans.deliver"):
        result = deliver(ctx)
    assert result["sent"] == 3 and result["transport"] == "outbox"
    assert result["rollups"] == {"sent": 2, "updated": 0, "already_sent": 0, "no_rollup": 1,
                                 "no_head_email": 1, "bad_head_email": 1}
    assert json.loads(json.dumps(result)) == result  # small and JSON-safe, for XCom
    assert "BR3" in caplog.text and "no head email" in caplog.text
    assert "BR4" in caplog.text and "not an email address" in caplog.text
    for private in ("@", "陈静", "Grace Lin", "周强", "zhou.qiang", "王芳"):
        assert private not in caplog.text


def test_the_summary_counts_the_rollup_emails_sent(rendered, tmp_path):
    from customer_plans.pipeline import RunContext, deliver
    from customer_plans.settings import load_settings
    from customer_plans.summary import format_summary, run_summary

    ctx = RunContext(BUSINESS_DATE, load_settings({"CUSTOMER_PLANS_HOME": str(tmp_path / "h")}))
    ctx.staging_dir.parent.mkdir(parents=True)
    rendered["staging"].rename(ctx.staging_dir)
    ctx.plans_dir.parent.mkdir(parents=True)
    rendered["plans"].rename(ctx.plans_dir)
    deliver(ctx)
    write_rollup(ctx.plans_dir, "BR2", "roll-up of BR2, corrected")
    deliver(ctx)  # BR2 again, as an update: two roll-up emails went to that head
    summary = run_summary(ctx)
    assert summary["deliveries"] == {"plans": 3, "branch_rollups": 3}
    assert summary["outbox"]["emails"] == 3 and summary["outbox"]["rollup_emails"] == 2
    assert ("emails sent:        3 plans to managers, 3 branch roll-ups to branch heads"
            in format_summary(summary))


SEND_WITH_AIRFLOW = """
import json, sys
from datetime import date
from pathlib import Path
from customer_plans.deliver import deliver_plans, deliver_rollups
from customer_plans_airflow.delivery import smtp_transport
paths = json.loads(sys.argv[1])
transport = smtp_transport()
assert transport is not None, "smtp_plans connection not found"
args = (date(2026, 11, 20), Path(paths["plans"]), Path(paths["staging"]), paths["db"],
        Path(paths["outbox"]))
plans = deliver_plans(*args, transport=transport)
print(json.dumps({**plans, "rollups": deliver_rollups(*args, transport=transport)}))
"""


def test_plans_and_rollups_go_through_the_airflow_smtp_connection(rendered, tmp_path):
    with smtp_server() as (port, received):
        env = airflow_env(tmp_path / "airflow", tmp_path)
        env["AIRFLOW_CONN_SMTP_PLANS"] = smtp_connection(port, from_email="plans@bank.example")
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "plugins")
        paths = {k: str(v) for k, v in rendered.items()}
        done = run([sys.executable, "-c", SEND_WITH_AIRFLOW, json.dumps(paths)], env, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["sent"] == 3 and counts["transport"] == "smtp"
    assert counts["rollups"]["sent"] == 2 and counts["rollups"]["transport"] == "smtp"
    assert not rendered["outbox"].exists(), "with SMTP nothing goes to the outbox"
    plans = [m for m in received if m["X-Customer-Plans-Manager"]]
    recipients = sorted(m["X-RcptTo"] for m in plans)
    assert recipients == ["m001@bank.example", "m002@bank.example", "m003@bank.example"]
    for message in plans:
        manager_id = message["X-Customer-Plans-Manager"]
        assert message["X-RcptTo"] == f"{manager_id.lower()}@bank.example"
        names = [part.get_filename() for part in message.walk() if part.get_filename()]
        assert names == [f"{manager_id}.pdf"]
    rollups = {m["X-Customer-Plans-Branch"]: m for m in received
               if m["X-Customer-Plans-Branch"]}
    assert len(received) == len(plans) + len(rollups) and sorted(rollups) == ["BR1", "BR2"]
    for branch_id, address in [("BR1", "chen.jing@bank.example"),
                               ("BR2", "grace.lin@bank.example")]:
        assert rollups[branch_id]["X-RcptTo"] == address
        names = [part.get_filename() for part in rollups[branch_id].walk()
                 if part.get_filename()]
        assert names == [f"{branch_id}.pdf"]


def test_without_a_mail_server_an_operator_alert_is_kept_as_a_file(tmp_path):
    from customer_plans.alerts import alert_text, write_alert

    subject, body = alert_text("nightly_customer_plans", "manual__1", "validate_extracts", -1,
                               RuntimeError("customers: 2 duplicate customer_id, e.g. C1"))
    path = write_alert(tmp_path / "alerts", subject, body)
    text = path.read_text(encoding="utf-8")
    assert "validate_extracts" in path.name
    assert "customers: 2 duplicate customer_id, e.g. C1" in text
    assert "No plan from this run has been sent" in text
