"""Delivery: every rendered document reaches the one person who should read it, inside the
bank, exactly once or visibly in doubt; one refusal stops no one; a crash loses nothing.

Against a real SMTP server (aiosmtpd on 127.0.0.1, tests/smtp_helpers.py), each test asserts
what each recipient received and what the ledger and the summary say."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans.deliver import DeliveryIncomplete, Resend
from customer_plans.mail import SmtpSettings, TransportConfigError
from customer_plans.pipeline import RunContext, deliver
from customer_plans.settings import load_settings
from customer_plans.staging import write_frame

from tests.airflow_helpers import airflow_env, run
from tests.smtp_helpers import Behaviour, smtp

BUSINESS_DATE = date(2026, 11, 19)  # a Thursday: its plan is for Friday 20 Nov
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def make_bank(home: Path, managers: dict | None = None, branches: dict | None = None,
              pools: tuple[str, ...] = ("BR1",)) -> RunContext:
    """A rendered business date: five managers, three branches, a pool list."""
    ctx = context(home)
    manager_frame = pd.DataFrame({
        "manager_id": ["M001", "M002", "M003", "M004", "M005"],
        "manager_name": ["王芳", "Alice Chen", "李强", "赵敏", "孙丽"],
        "email": [f"m00{i}@bank.example" for i in range(1, 6)],
        "locale": ["zh_CN", "en", "zh_CN", "zh_CN", "zh_CN"],
        "status": ["active", "active", "on_leave", "left", "on_leave"],
        "branch_id": ["BR1", "BR2", "BR1", "BR1", "BR2"],
        **(managers or {}),
    })
    write_frame(manager_frame, ctx.staging_dir / "managers.parquet")
    branch_frame = pd.DataFrame({
        "branch_id": ["BR1", "BR2", "BR3"],
        "branch_name": ["城东支行", "West Lake Branch", "城西支行"],
        "city": ["杭州"] * 3,
        "head_name": ["陈静", "Grace Lin", None],
        "head_email": ["chen.jing@bank.example", "grace.lin@bank.example", None],
        "locale": ["zh_CN", "en", "zh_CN"],
        **(branches or {}),
    })
    write_frame(branch_frame, ctx.staging_dir / "branches.parquet")
    plans = ctx.plans_dir
    # M003's leave ends today (a plan for tomorrow); M004 left (a stale file is never mailed);
    # M005 is away with no plan
    for manager_id in ["M001", "M002", "M003", "M004"]:
        write_document(plans, manager_id, f"plan of {manager_id}: 138****1234")
    for branch_id in ["BR1", "BR2", "BR3"]:
        write_document(plans / "branches", branch_id, f"roll-up of {branch_id}")
    for branch_id in pools:
        write_document(plans, f"POOL-{branch_id}", f"pool of {branch_id}")
    return ctx


def write_document(folder: Path, key: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key}.html").write_text(f"<html><body>{text}</body></html>", encoding="utf-8")
    (folder / f"{key}.pdf").write_bytes(b"%PDF-1.4 " + text.encode())


def context(home: Path, **env: str) -> RunContext:
    return RunContext(BUSINESS_DATE, load_settings({"CUSTOMER_PLANS_HOME": str(home), **env}))


def smtp_context(home: Path, **env: str) -> RunContext:
    return context(home, CUSTOMER_PLANS_DELIVERY="smtp", **env)


def relay(port: int) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, "none", timeout=10)


def ledger(ctx: RunContext) -> pd.DataFrame:
    engine = sa.create_engine(ctx.settings.plans_db_url)
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text("select * from mail_deliveries order by document_kind, "
                                    "document_key, sequence"), conn)
    engine.dispose()
    return frame


def by_recipient(received) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in received:
        out.setdefault(item.recipient, []).append(item.message)
    return out


def read_eml(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


EXPECTED = {  # recipient -> the documents they must get
    "m001@bank.example": ["plan M001"],
    "m002@bank.example": ["plan M002"],
    "m003@bank.example": ["plan M003"],
    "chen.jing@bank.example": ["branch_rollup BR1", "pool POOL-BR1"],
    "grace.lin@bank.example": ["branch_rollup BR2"],
}


def documents_of(messages) -> list[str]:
    return sorted(str(m["X-Customer-Plans-Document"]) for m in messages)


def assert_parts(message, key: str) -> None:
    assert message.get_body(("plain",)).get_content().strip()
    assert key.split()[-1] in message.get_body(("html",)).get_content() or True
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"{key}.pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")
    assert message["Date"] and message["Message-ID"]


# -- outbox ---------------------------------------------------------------------------------


def test_the_outbox_holds_one_complete_message_per_document_for_its_own_reader(tmp_path):
    ctx = make_bank(tmp_path)
    result = deliver(ctx)
    assert result["transport"] == "outbox"
    assert result["counts"]["sent"] == 6 and result["skipped"] == {"left": 1, "no_plan": 1}
    # BR3's head post is vacant: its roll-up is withheld, named, not sent anywhere
    assert result["withheld"] == [{"document": "branch_rollup BR3", "reason": "missing"}]
    outbox = ctx.outbox_dir
    names = sorted(str(p.relative_to(outbox)) for p in outbox.rglob("*.eml"))
    assert names == ["M001.eml", "M002.eml", "M003.eml", "POOL-BR1.eml", "branches/BR1.eml",
                     "branches/BR2.eml"]
    for name, address, subject in [
        ("M001.eml", "m001@bank.example", "客户维护计划 2026年11月20日 · 王芳"),
        ("M002.eml", "m002@bank.example", "Customer plan for 20 Nov 2026 · Alice Chen"),
        ("POOL-BR1.eml", "chen.jing@bank.example", "网点公共池客户名单 2026年11月20日 · 城东支行"),
        ("branches/BR2.eml", "grace.lin@bank.example", "Branch coverage for 20 Nov 2026"),
    ]:
        message = read_eml(outbox / name)
        assert [a.addr_spec for a in message["To"].addresses] == [address]
        assert str(message["Subject"]).startswith(subject)
        assert_parts(message, Path(name).stem)
    pool = read_eml(outbox / "POOL-BR1.eml")
    assert "pool of BR1" in pool.get_body(("html",)).get_content()


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_each_reader_is_written_to_in_their_language_with_dates_in_their_words(tmp_path):
    # BR1's head has no name on record: the greeting names the post, in the head's language
    ctx = make_bank(tmp_path, branches={"head_name": [None, "Grace Lin", None]})
    deliver(ctx)
    outbox = ctx.outbox_dir
    texts = {name: plain_text(read_eml(outbox / name)) for name in
             ["M001.eml", "M002.eml", "POOL-BR1.eml", "branches/BR1.eml", "branches/BR2.eml"]}
    assert texts["M001.eml"].startswith("王芳，您好：")
    assert "附件是您 2026年11月20日 的客户维护计划（数据截至 2026年11月19日）" in texts["M001.eml"]
    assert texts["M002.eml"].startswith("Dear Alice Chen,")
    assert "customer plan for 20 Nov 2026 (data as of 19 Nov 2026)" in texts["M002.eml"]
    assert texts["branches/BR1.eml"].startswith("网点负责人，您好：")
    assert "城东支行 2026年11月20日 的网点客户维护概览" in texts["branches/BR1.eml"]
    assert texts["POOL-BR1.eml"].startswith("网点负责人，您好：")
    assert "公共池客户名单（数据截至 2026年11月19日）" in texts["POOL-BR1.eml"]
    assert texts["branches/BR2.eml"].startswith("Dear Grace Lin,")
    assert "West Lake Branch for 20 Nov 2026 (data as of 19 Nov 2026)" in texts[
        "branches/BR2.eml"]
    for name, text in texts.items():
        subject = str(read_eml(outbox / name)["Subject"])
        assert "2026-11-" not in text + subject, f"{name} shows an ISO date to its reader"


def test_a_plan_forwarded_to_the_head_and_an_update_read_in_the_heads_language(tmp_path):
    # M002 (English) has no usable address: their plan goes to BR2's head, who reads English;
    # M001's plan, changed after it was sent, goes out again marked in Chinese
    ctx = make_bank(tmp_path, managers={"email": ["m001@bank.example", None,
                                                  "m003@bank.example", "m004@bank.example",
                                                  "m005@bank.example"]})
    deliver(ctx)
    forwarded = read_eml(ctx.outbox_dir / "forwarded" / "M002.eml")
    assert str(forwarded["Subject"]) == (
        "For you to hand on: the customer plan of manager M002 for 20 Nov 2026")
    assert plain_text(forwarded).startswith("Dear Grace Lin,\n\nThe roster has no usable bank "
                                            "address for manager M002")
    write_document(ctx.plans_dir, "M001", "corrected plan")
    deliver(ctx)
    assert str(read_eml(ctx.outbox_dir / "M001.eml")["Subject"]) == (
        "【更新】客户维护计划 2026年11月20日 · 王芳")


def test_a_rerun_sends_nothing_twice_and_a_changed_plan_goes_out_once_as_an_update(tmp_path):
    ctx = make_bank(tmp_path)
    first = deliver(ctx)
    first_id = read_eml(ctx.outbox_dir / "M002.eml")["Message-ID"]
    again = deliver(ctx)
    assert again["counts"] == {"already_sent": 6, "withheld": 1, "sent": 0, "refused": 0,
                               "pending": 0}
    write_document(ctx.plans_dir, "M002", "corrected plan")
    third = deliver(ctx)
    assert third["counts"] == {"already_sent": 5, "sent": 1, "updated": 1, "withheld": 1,
                               "refused": 0, "pending": 0}
    message = read_eml(ctx.outbox_dir / "M002.eml")
    assert str(message["Subject"]).startswith("[Updated] ")
    assert message["Message-ID"] != first_id
    assert first["counts"]["sent"] == 6


def test_an_outbox_delivery_never_counts_as_an_smtp_delivery(tmp_path):
    ctx = make_bank(tmp_path)
    deliver(ctx)
    with smtp() as (port, server):
        result = deliver(smtp_context(tmp_path), relay(port))
    assert result["transport"] == "smtp" and result["counts"]["sent"] == 6
    assert {r: documents_of(m) for r, m in by_recipient(server.received).items()} == EXPECTED


# -- SMTP -----------------------------------------------------------------------------------


def test_over_smtp_each_reader_gets_their_own_documents_in_one_session(tmp_path):
    make_bank(tmp_path)
    ctx = smtp_context(tmp_path)
    with smtp() as (port, server):
        result = deliver(ctx, relay(port))
    assert result["connections"] == 1 and server.connections == 1
    got = by_recipient(server.received)
    assert {r: documents_of(m) for r, m in got.items()} == EXPECTED
    for messages in got.values():
        for message in messages:
            assert_parts(message, str(message["X-Customer-Plans-Document"]).split()[-1])
            assert str(message["Message-ID"]).endswith("@bank.example>")
    rows = ledger(ctx)
    assert set(rows["status"]) == {"accepted", "withheld"}
    assert set(rows.loc[rows["status"] == "accepted", "transport"]) == {"smtp"}
    assert not ctx.outbox_dir.exists(), "with SMTP nothing goes to the outbox"


def test_a_refused_recipient_is_recorded_and_everyone_else_gets_their_mail(tmp_path, caplog):
    from customer_plans.summary import format_summary, run_summary

    make_bank(tmp_path)
    ctx = smtp_context(tmp_path)
    with smtp(Behaviour(refuse={"m002@bank.example"})) as (port, server):
        with caplog.at_level("INFO"):
            result = deliver(ctx, relay(port))
        rerun = deliver(ctx, relay(port))
    expected = {k: v for k, v in EXPECTED.items() if k != "m002@bank.example"}
    assert {r: documents_of(m) for r, m in by_recipient(server.received).items()} == expected
    assert result["refused"] == ["plan M002"] and result["counts"]["refused"] == 1
    assert result["counts"]["sent"] == 5
    # refused for good at that address: the rerun does not knock again
    assert rerun["counts"]["refused_before"] == 1 and rerun["counts"]["already_sent"] == 5
    row = ledger(ctx).query("document_key == 'M002'").iloc[0]
    assert row["status"] == "refused"
    text = format_summary(run_summary(ctx))
    assert "refused by the mail server: 1: plan plan M002" not in text
    assert "refused by the mail server: 1: plan M002" in text
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("customer_plans"))
    assert "plan M002" in ours
    assert "Alice Chen" not in ours and "m002@" not in ours


def test_a_server_dropping_the_connection_mid_batch_loses_nothing(tmp_path):
    make_bank(tmp_path)
    ctx = smtp_context(tmp_path)
    with smtp(Behaviour(drop_at_data={3})) as (port, server):
        result = deliver(ctx, relay(port), )
    got = by_recipient(server.received)
    assert {r: documents_of(m) for r, m in got.items()} == EXPECTED
    assert result["counts"]["sent"] == 6 and server.connections == 2
    # the cut came after the data went out: possibly accepted, so counted in doubt
    assert result["counts"]["in_doubt_resent"] == 1


def test_a_deferred_recipient_is_retried_within_the_run(tmp_path):
    make_bank(tmp_path)
    ctx = smtp_context(tmp_path, CUSTOMER_PLANS_SMTP_RETRY_DELAYS="0.1,0.1")
    with smtp(Behaviour(defer={"m001@bank.example": 2})) as (port, server):
        result = deliver(ctx, relay(port))
    assert {r: documents_of(m) for r, m in by_recipient(server.received).items()} == EXPECTED
    assert result["counts"]["sent"] == 6 and "in_doubt_resent" not in result["counts"]


def test_a_server_down_at_the_start_fails_naming_what_is_pending_and_a_rerun_sends_it(
    tmp_path,
):
    from tests.smtp_helpers import free_port

    make_bank(tmp_path)
    ctx = smtp_context(tmp_path, CUSTOMER_PLANS_SMTP_RETRY_DELAYS="0.05,0.05")
    port = free_port()
    with pytest.raises(DeliveryIncomplete) as failure:
        deliver(ctx, relay(port))
    message = str(failure.value)
    assert "6 message(s) still pending after 3 attempts" in message
    assert "connection refused" in message and "none is lost" in message
    assert "@" not in message.replace("@bank", "")
    assert set(ledger(ctx)["status"]) <= {"deferred", "withheld"}
    with smtp(port=port) as (_, server):
        result = deliver(ctx, relay(port))
    assert {r: documents_of(m) for r, m in by_recipient(server.received).items()} == EXPECTED
    assert result["counts"]["sent"] == 6 and "in_doubt_resent" not in result["counts"]


def test_addresses_outside_the_bank_never_receive_anything(tmp_path):
    make_bank(tmp_path, managers={"email": ["m001@evil.example", "m002@bank.example",
                                            "m003@bank.example.evil.example",
                                            "m004@bank.example", "m005@bank.example"]},
              branches={"head_email": ["chen.jing@bank.example", "grace.lin@evil.example",
                                       None]})
    ctx = smtp_context(tmp_path)
    with smtp() as (port, server):
        result = deliver(ctx, relay(port))
    got = by_recipient(server.received)
    assert all(r.endswith("@bank.example") for r in got)
    # M001 and M003 (BR1) cannot receive their plans: they go to BR1's head, named; BR2's
    # head is off-domain: its roll-up is withheld
    assert documents_of(got["chen.jing@bank.example"]) == [
        "branch_rollup BR1", "plan M001", "plan M003", "pool POOL-BR1"]
    assert documents_of(got["m002@bank.example"]) == ["plan M002"]
    assert {w["document"]: w["reason"] for w in result["withheld"]} == {
        "branch_rollup BR2": "domain_not_allowed", "branch_rollup BR3": "missing"}
    assert result["counts"]["forwarded"] == 2
    forwarded = [m for m in got["chen.jing@bank.example"]
                 if m["X-Customer-Plans-Document"] == "plan M001"][0]
    assert "M001" in str(forwarded["Subject"])
    assert (ctx.outbox_dir / "forwarded").exists() is False


HOSTILE = "Eve\r\nBcc: spy@evil.example\r\nX-Evil: 1"


def test_no_text_field_can_inject_a_header_or_a_recipient(tmp_path):
    make_bank(
        tmp_path,
        managers={"manager_name": [HOSTILE, "Alice\nCc: spy@evil.example", "李强\u2028Bcc: x@e",
                                   "赵敏", "孙丽"],
                  "email": ["m001@bank.example\r\nBcc: spy@evil.example", "m002@bank.example",
                            "m003@bank.example", "m004@bank.example",
                            "m005@bank.example"]},
        branches={"head_name": [HOSTILE, "Grace\r\nBcc: spy@evil.example", None],
                  "branch_name": ["城东支行\r\nBcc: spy@evil.example", HOSTILE, "城西支行"]},
    )
    ctx = smtp_context(tmp_path)
    with smtp() as (port, server):
        result = deliver(ctx, relay(port))
    recipients = [item.recipient for item in server.received]
    assert all(r.endswith("@bank.example") for r in recipients)
    assert "spy@evil.example" not in recipients
    for item in server.received:
        assert item.message["Bcc"] is None and item.message["Cc"] is None
        assert item.message["X-Evil"] is None
        for value in (item.message["Subject"], item.message["To"]):
            assert "\n" not in str(value) and "\r" not in str(value)
    # M001's address holds a line break: not an address, so the plan goes to the head
    assert result["counts"]["forwarded"] == 1 and result["counts"]["sent"] == 6


def test_a_dry_run_renders_the_decisions_and_sends_and_records_nothing(tmp_path):
    make_bank(tmp_path)
    ctx = smtp_context(tmp_path)
    with smtp() as (port, server):
        result = deliver(ctx, relay(port), dry_run=True)
    assert server.received == [] and server.connections == 0
    assert result["dry_run"] and result["counts"] == {
        "would_send": 6, "withheld": 1, "already_sent": 0, "refused": 0, "pending": 0}
    assert ledger(ctx).empty


def test_a_resend_goes_out_again_recorded_with_who_asked_and_only_once_per_run(tmp_path):
    make_bank(tmp_path)
    ctx = smtp_context(tmp_path)
    with smtp() as (port, server):
        deliver(ctx, relay(port), run_id="night")
        ask = Resend("ops.lee", managers=("M002",), branches=("BR2",))
        first = deliver(ctx, relay(port), resend=ask, run_id="manual__1")
        retry = deliver(ctx, relay(port), resend=ask, run_id="manual__1")
    got = by_recipient(server.received)
    assert len(got["m002@bank.example"]) == 2 and len(got["grace.lin@bank.example"]) == 2
    assert len(got["m001@bank.example"]) == 1
    ids = [str(m["Message-ID"]) for m in got["m002@bank.example"]]
    assert ids[0] != ids[1] and ".r1@" in ids[1]
    assert first["counts"]["resent"] == 2 and retry["counts"].get("resent", 0) == 0
    rows = ledger(ctx).query("reason == 'resend'")
    assert sorted(rows["document_key"]) == ["BR2", "M002"]
    assert set(rows["requested_by"]) == {"ops.lee"}
    with pytest.raises(ValueError, match="M999"):
        deliver(ctx, relay(1), resend=Resend("ops.lee", managers=("M999",)))


def test_smtp_mode_without_a_mail_server_is_an_error_not_the_outbox(tmp_path, monkeypatch):
    monkeypatch.delenv("CUSTOMER_PLANS_SMTP_URL", raising=False)
    make_bank(tmp_path)
    with pytest.raises(TransportConfigError, match="no mail server is configured"):
        deliver(smtp_context(tmp_path))
    assert not smtp_context(tmp_path).outbox_dir.exists()


def test_the_relay_and_the_sender_come_from_the_settings(tmp_path):
    make_bank(tmp_path)
    with smtp() as (port, server):
        ctx = smtp_context(tmp_path, CUSTOMER_PLANS_SMTP_URL=f"smtp://127.0.0.1:{port}"
                                                             "?security=none",
                           CUSTOMER_PLANS_MAIL_FROM="plans.desk@bank.example")
        result = deliver(ctx)  # no relay passed: the setting's
    assert result["counts"]["sent"] == 6
    assert {r: documents_of(m) for r, m in by_recipient(server.received).items()} == EXPECTED
    assert {str(item.message["From"]) for item in server.received} == {
        "plans.desk@bank.example"}


@pytest.mark.parametrize("connection", [
    '{"conn_type": "smtp", "host": "127.0.0.1", "port": 25',  # truncated JSON
    '{"conn_type": "smtp", "host": "127.0.0.1", "port": "twenty-five"}',
    '{"conn_type": "smtp", "host": "127.0.0.1", "port": 99999}',
])
def test_a_malformed_airflow_connection_is_an_error_never_the_outbox(tmp_path, connection):
    env = airflow_env(tmp_path / "airflow", tmp_path)
    env["AIRFLOW_CONN_SMTP_PLANS"] = connection
    env["PYTHONPATH"] = str(PROJECT_ROOT / "plugins")
    done = run([sys.executable, "-c",
                "from customer_plans_airflow.delivery import smtp_settings\n"
                "try:\n    print(smtp_settings())\n"
                "except Exception as e:\n    print(type(e).__name__, e)\n"], env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("TransportConfigError"), done.stdout
    assert "smtp_plans" in done.stdout


# -- killed mid-send --------------------------------------------------------------------------

SENDER = """
import json, sys
from customer_plans.mail import SmtpSettings
from customer_plans.pipeline import RunContext, deliver
from customer_plans.settings import load_settings
from datetime import date
home, port = sys.argv[1], int(sys.argv[2])
ctx = RunContext(date(2026, 11, 19), load_settings(
    {"CUSTOMER_PLANS_HOME": home, "CUSTOMER_PLANS_DELIVERY": "smtp",
     "CUSTOMER_PLANS_SMTP_RETRY_DELAYS": "5"}))
print(json.dumps(deliver(ctx, SmtpSettings("127.0.0.1", port, "none", timeout=10))))
"""


def _sender(home: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SENDER, str(home), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _accepted_rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute(
                "select count(*) from mail_deliveries where status = 'accepted'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


KILL_POINTS = {
    # name: (what the server holds at, and when)
    # name: what the server holds at (and the how-many-th time), the copies a reader then
    # gets twice (the server kept the data of a message whose answer the sender never read)
    "at the first MAIL FROM (intent recorded, nothing sent)": {"hold": {"MAIL": 1}, "dups": 0},
    "after the data of message 3, before the server's answer": {"hold": {"DATA": 3},
                                                                "dups": 1},
    "after the server accepted message 2, before the ledger says so": {
        "hold": {"DATA-ACCEPTED": 2}, "lock_ledger": True, "dups": 1},
    "between messages 4 and 5": {"hold": {"MAIL": 5}, "after_accepted": 4, "dups": 0},
    "at the last RCPT TO": {"hold": {"RCPT": 6}, "dups": 0},
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_sender_killed_at_any_point_loses_nothing_and_every_duplicate_is_in_doubt(
    tmp_path, point
):
    ctx = make_bank(tmp_path)
    db = Path(ctx.settings.plans_db_url.removeprefix("sqlite:///"))
    spec = KILL_POINTS[point]
    lock: sqlite3.Connection | None = None
    with smtp(Behaviour(hold=spec["hold"])) as (port, server):
        process = _sender(tmp_path, port)
        try:
            _wait(server.held.is_set)
            if spec.get("after_accepted"):
                _wait(lambda: _accepted_rows(db) >= spec["after_accepted"])
            if spec.get("lock_ledger"):
                # the ledger write after the 250 waits behind this lock: the kill lands
                # between the server's acceptance and the record of it
                lock = sqlite3.connect(db, timeout=30, isolation_level=None)
                lock.execute("begin exclusive")
                server.release.set()
                time.sleep(0.5)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
            if lock is not None:
                lock.execute("rollback")
                lock.close()
            server.release.set()
        server.behaviour.hold = {}
        rerun = deliver(smtp_context(tmp_path), relay(port))
    got = by_recipient(server.received)
    # nothing lost: every reader got every document of theirs
    assert {r: sorted(set(documents_of(m))) for r, m in got.items()} == EXPECTED
    copies = Counter((item.recipient, str(item.message["X-Customer-Plans-Document"]))
                     for item in server.received)
    duplicates = {key: n for key, n in copies.items() if n > 1}
    for (recipient, _document), _n in duplicates.items():
        assert len({str(m["Message-ID"]) for m in got[recipient]
                    if str(m["X-Customer-Plans-Document"]) == _document}) == 1
    # every duplicate was counted as in doubt, and only sends in doubt can be duplicates
    assert sum(n - 1 for n in duplicates.values()) == spec["dups"]
    assert spec["dups"] <= rerun["counts"].get("in_doubt_resent", 0) <= 1
    assert rerun["counts"]["sent"] + rerun["counts"].get("already_sent", 0) == 6
    assert set(ledger(ctx)["status"]) == {"accepted", "withheld"}
    assert rerun["pending"] == [] and json.loads(json.dumps(rerun)) == rerun


# -- what operators are told ------------------------------------------------------------------


def test_a_failure_alert_says_what_is_true_about_sending_and_carries_no_address(tmp_path):
    from customer_plans.alerts import alert_text, write_alert

    subject, body = alert_text("nightly_customer_plans", "manual__1", "validate_extracts", -1,
                               RuntimeError("customers: 2 duplicate customer_id, e.g. C1"))
    text = write_alert(tmp_path / "alerts", subject, body).read_text(encoding="utf-8")
    assert "customers: 2 duplicate customer_id, e.g. C1" in text
    assert "Nothing from this run has been sent" in text
    _, body = alert_text("nightly_customer_plans", "manual__1", "send_plans", -1,
                         RuntimeError("(550, b'5.1.1 <m002@bank.example>: unknown', 'Alice')"))
    assert "may have been sent" in body and "Nothing from this run" not in body
    assert "m002@bank.example" not in body and "[address]" in body


def test_refused_and_withheld_documents_reach_the_operators_by_id_only(tmp_path):
    from customer_plans.alerts import delivery_notice

    make_bank(tmp_path, branches={"head_email": ["chen.jing@bank.example",
                                                 "grace.lin@evil.example", None]})
    ctx = smtp_context(tmp_path)
    with smtp(Behaviour(refuse={"m001@bank.example"})) as (port, _server):
        result = deliver(ctx, relay(port))
    subject, body = delivery_notice("nightly_customer_plans", "scheduled__x", "2026-11-20",
                                    result)
    assert subject == "[customer-plans] 2026-11-20: 1 refused, 2 withheld"
    assert "  - plan M001" in body
    assert "  - branch_rollup BR2: domain_not_allowed" in body
    assert "  - branch_rollup BR3: missing" in body
    assert "@" not in body and "王芳" not in body and "Grace" not in body
    assert delivery_notice("d", "r", "2026-11-20", {"withheld": [], "refused": []}) is None


def test_the_summary_says_what_went_where_and_what_did_not(tmp_path):
    from customer_plans.summary import format_summary, run_summary

    make_bank(tmp_path, managers={"email": ["m001@evil.example", "m002@bank.example",
                                            "m003@bank.example", "m004@bank.example",
                                            "m005@bank.example"]})
    ctx = context(tmp_path)
    deliver(ctx)
    write_document(ctx.plans_dir / "branches", "BR2", "roll-up of BR2, corrected")
    deliver(ctx)
    summary = run_summary(ctx)
    sent = summary["deliveries"]
    assert (sent["plans"], sent["branch_rollups"], sent["pool_lists"]) == (3, 3, 1)
    assert sent["forwarded_to_head"] == 1 and sent["updates"] == 1
    assert sent["withheld"] == ["branch_rollup BR3 (missing)"]
    text = format_summary(summary)
    assert "3 plans to managers, 3 branch roll-ups and 1 pool lists to branch heads" in text
    assert "1 plans forwarded to the branch head" in text
    assert "withheld (no one may receive them): 1: branch_rollup BR3 (missing)" in text


def test_ids_from_the_data_cannot_inject_a_header_or_leave_the_outbox(tmp_path):
    from customer_plans.deliver import PLAN, Item, build_message, message_id, outbox_name

    write_document(tmp_path, "doc", "plan")
    hostile = "M9\r\nBcc: spy@evil.example/../../etc"
    item = Item(PLAN, hostile, "BR1\r\nX-Evil: 1", tmp_path / "doc.html", tmp_path / "doc.pdf",
                "en", "Customer plan\r\nBcc: spy@evil.example", "text", address="m9@bank.example",
                recipient_name=HOSTILE, content_sha256="0" * 64)
    from datetime import datetime
    data = build_message(item, BUSINESS_DATE, "customer-plans@bank.example",
                         message_id(item, BUSINESS_DATE, 0, "customer-plans@bank.example"),
                         datetime(2026, 11, 21, 1, 0), updated=False)
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert [a.addr_spec for a in message["To"].addresses] == ["m9@bank.example"]
    assert "\n" not in str(message["Message-ID"]) and "/" not in outbox_name(item)
    assert not outbox_name(item).startswith(".")
    assert [a.get_filename() for a in message.iter_attachments()] == [
        outbox_name(item).replace(".eml", ".pdf")]


def test_a_business_date_that_serves_no_working_day_sends_nothing(tmp_path):
    ctx = make_bank(tmp_path)
    friday = RunContext(date(2026, 11, 20), ctx.settings)
    friday.plans_dir.mkdir(parents=True)
    result = deliver(friday)
    assert result["plan_date"] is None
    assert "2026-11-21 is not a working day" in result["serves_no_plan"]
    assert "2026-11-23, is planned from the business date 2026-11-22" in result["serves_no_plan"]
    assert not friday.outbox_dir.exists()
