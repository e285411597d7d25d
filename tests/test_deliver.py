"""Delivery: each manager gets their own plan, once; a retry never sends twice."""

from __future__ import annotations

import email
import email.policy
import json
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from customer_plans.deliver import deliver_plans
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
    return {"staging": staging, "plans": plans, "outbox": tmp_path / "outbox",
            "db": f"sqlite:///{tmp_path / 'plans.db'}"}


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


SEND_WITH_AIRFLOW = """
import json, sys
from datetime import date
from pathlib import Path
from customer_plans.deliver import deliver_plans
from customer_plans_airflow.delivery import smtp_transport
paths = json.loads(sys.argv[1])
transport = smtp_transport()
assert transport is not None, "smtp_plans connection not found"
print(json.dumps(deliver_plans(date(2026, 11, 20), Path(paths["plans"]), Path(paths["staging"]),
                               paths["db"], Path(paths["outbox"]), transport=transport)))
"""


def test_plans_go_through_the_airflow_smtp_connection(rendered, tmp_path):
    with smtp_server() as (port, received):
        env = airflow_env(tmp_path / "airflow", tmp_path)
        env["AIRFLOW_CONN_SMTP_PLANS"] = smtp_connection(port, from_email="plans@bank.example")
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "plugins")
        paths = {k: str(v) for k, v in rendered.items()}
        done = run([sys.executable, "-c", SEND_WITH_AIRFLOW, json.dumps(paths)], env, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["sent"] == 3 and counts["transport"] == "smtp"
    recipients = sorted(m["X-RcptTo"] for m in received)
    assert recipients == ["m001@bank.example", "m002@bank.example", "m003@bank.example"]
    for message in received:
        manager_id = message["X-Customer-Plans-Manager"]
        assert message["X-RcptTo"] == f"{manager_id.lower()}@bank.example"
        names = [part.get_filename() for part in message.walk() if part.get_filename()]
        assert names == [f"{manager_id}.pdf"]


def test_without_a_mail_server_an_operator_alert_is_kept_as_a_file(tmp_path):
    from customer_plans.alerts import alert_text, write_alert

    subject, body = alert_text("nightly_customer_plans", "manual__1", "validate_extracts", -1,
                               RuntimeError("customers: 2 duplicate customer_id, e.g. C1"))
    path = write_alert(tmp_path / "alerts", subject, body)
    text = path.read_text(encoding="utf-8")
    assert "validate_extracts" in path.name
    assert "customers: 2 duplicate customer_id, e.g. C1" in text
    assert "No plan from this run has been sent" in text
