"""End to end: a small generated bank through the nightly DAG with dag.test().

Every active manager gets an HTML and a PDF plan and an email; every branch head
with an address gets their own branch's roll-up, and no one else's; every customer
on a manager's list belongs to that manager's book (or a book they cover); a second
run of the same business date gives identical plans and sends nothing twice; the
audit record verifies.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.airflow_helpers import airflow_env, migrate, run_nightly, smtp_connection, smtp_server

pytestmark = pytest.mark.e2e
BUSINESS_DATE = "2026-11-19"


@pytest.fixture(scope="module")
def nightly(tmp_path_factory, small_bank):
    home = tmp_path_factory.mktemp("e2e")
    (home / "data").mkdir()
    shutil.copy(small_bank, home / "data" / "core_banking.db")
    env = airflow_env(home / "airflow", home)
    migrate(env)
    first = run_nightly(env, BUSINESS_DATE)
    assert first.returncode == 0, first.stdout[-6000:] + first.stderr[-6000:]
    snapshot = _snapshot(home)
    second = run_nightly(env, BUSINESS_DATE)
    assert second.returncode == 0, second.stdout[-6000:] + second.stderr[-6000:]
    return {"home": home, "first": snapshot, "second": _snapshot(home), "log": second.stdout,
            "first_log": first.stdout + first.stderr}


def _plans_frame(home, table: str) -> pd.DataFrame:
    engine = sa.create_engine(f"sqlite:///{home / 'data' / 'plans.db'}")
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text(f"select * from {table} where business_date = :d"), conn,
                            params={"d": BUSINESS_DATE})
    engine.dispose()
    return frame


def _snapshot(home) -> dict:
    plans = home / "output" / "plans" / BUSINESS_DATE
    contacts = _plans_frame(home, "plan_contacts")
    return {
        "contacts": contacts.drop(columns=[c for c in contacts if c.endswith("_at")])
        .sort_values(["manager_id", "status", "rank"]).reset_index(drop=True),
        "html": {p.name: p.read_text(encoding="utf-8") for p in sorted(plans.glob("*.html"))},
    }


def _staging(home, name: str) -> pd.DataFrame:
    return pd.read_parquet(home / "output" / "staging" / BUSINESS_DATE / f"{name}.parquet")


def test_every_manager_at_work_gets_html_pdf_and_an_email(nightly):
    home = nightly["home"]
    managers = _staging(home, "managers")
    active = sorted(managers.loc[managers["status"] == "active", "manager_id"])
    plans = home / "output" / "plans" / BUSINESS_DATE
    outbox = home / "output" / "outbox" / BUSINESS_DATE
    for manager_id in active:
        assert (plans / f"{manager_id}.html").stat().st_size > 0
        assert (plans / f"{manager_id}.pdf").read_bytes().startswith(b"%PDF")
        message = email.message_from_bytes((outbox / f"{manager_id}.eml").read_bytes(),
                                           policy=email.policy.default)
        address = managers.set_index("manager_id").loc[manager_id, "email"]
        assert message["To"].addresses[0].addr_spec == address
    # plus managers whose leave ends on the plan date; never a manager who left
    mailed = {p.stem for p in outbox.glob("*.eml")} - {p.stem for p in outbox.glob("POOL-*")}
    planned = {p.stem for p in plans.glob("M*.pdf")}
    left = set(managers.loc[managers["status"] == "left", "manager_id"])
    assert mailed == planned - left and set(active) <= mailed


def test_each_branch_head_with_an_email_gets_exactly_their_branchs_rollup(nightly):
    home = nightly["home"]
    branches = _staging(home, "branches").set_index("branch_id")
    rollups = home / "output" / "plans" / BUSINESS_DATE / "branches"
    outbox = home / "output" / "outbox" / BUSINESS_DATE / "branches"
    with_head = sorted(branches.index[branches["head_email"].notna()])
    without = sorted(branches.index[branches["head_email"].isna()])
    assert with_head and without, "the small bank has heads, and a branch without one"
    assert {p.stem for p in rollups.glob("*.pdf")} == set(branches.index)
    assert sorted(p.stem for p in outbox.glob("*.eml")) == with_head
    customers = _staging(home, "customers")
    secrets = {str(v) for v in pd.concat([customers["mobile_phone"], customers["national_id"]])
               .dropna()}
    for branch_id in with_head:
        message = email.message_from_bytes((outbox / f"{branch_id}.eml").read_bytes(),
                                           policy=email.policy.default)
        assert [a.addr_spec for a in message["To"].addresses] == [
            branches.loc[branch_id, "head_email"]]
        assert message["X-Customer-Plans-Branch"] == branch_id
        # messages travel with CRLF line ends (RFC 5322), the file has LF
        html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
        assert html.strip() == (rollups / f"{branch_id}.html").read_text(encoding="utf-8").strip()
        others = [b for b in branches.index if b != branch_id]
        assert all(branches.loc[other, "branch_name"] not in html for other in others)
        # the branch without a head email is a warning on every roll-up, in its language
        assert "1 个网点负责人无邮箱：网点概览无法发送" in html
        assert not set(re.findall(r"\d{11,18}X?", html)) & secrets, branch_id
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == f"{branch_id}.pdf"
        assert attachment.get_content() == (rollups / f"{branch_id}.pdf").read_bytes()
        subject = ("网点客户维护概览" if branches.loc[branch_id, "locale"] == "zh_CN"
                   else "Branch coverage for")
        assert message["Subject"].startswith(subject)
        assert branches.loc[branch_id, "branch_name"] in message["Subject"]
    # the send task's return value names the roll-up no one may receive, and why
    for branch_id in without:
        assert (f"{{'document': 'branch_rollup {branch_id}', 'reason': 'missing'}}"
                in nightly["first_log"])


def test_every_pool_list_goes_to_its_branch_head(nightly):
    home = nightly["home"]
    branches = _staging(home, "branches").set_index("branch_id")
    plans = home / "output" / "plans" / BUSINESS_DATE
    outbox = home / "output" / "outbox" / BUSINESS_DATE
    pools = sorted(p.stem for p in plans.glob("POOL-*.pdf"))
    assert pools, "the small bank has customers whose manager left"
    for pool in pools:
        branch_id = pool.removeprefix("POOL-")
        head = branches.loc[branch_id, "head_email"]
        if pd.isna(head):
            assert f"'document': 'pool {pool}', 'reason': 'missing'" in nightly["first_log"]
            continue
        message = email.message_from_bytes((outbox / f"{pool}.eml").read_bytes(),
                                           policy=email.policy.default)
        assert [a.addr_spec for a in message["To"].addresses] == [head]
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content() == (plans / f"{pool}.pdf").read_bytes()


def test_every_listed_customer_is_in_the_managers_book_or_a_covered_book(nightly):
    home = nightly["home"]
    contacts = nightly["first"]["contacts"]
    assert len(contacts) > 0
    customers = _staging(home, "customers").set_index("customer_id")
    managers = _staging(home, "managers").set_index("manager_id")
    own = contacts[contacts["assignment"] == "own"]
    assert (customers.loc[own["customer_id"], "manager_id"].to_numpy()
            == own["manager_id"].to_numpy()).all()
    covered = contacts[contacts["assignment"] == "covered"]
    home_managers = customers.loc[covered["customer_id"], "manager_id"].to_numpy()
    assert (home_managers == covered["home_manager_id"].to_numpy()).all()
    assert (managers.loc[home_managers, "status"] == "on_leave").all()
    assert (managers.loc[home_managers, "backup_manager_id"].to_numpy()
            == covered["manager_id"].to_numpy()).all()
    # no customer is on two managers' lists
    assert not contacts.duplicated(["customer_id"]).any()


def test_rerun_gives_identical_plans_and_sends_nothing_twice(nightly):
    first, second = nightly["first"], nightly["second"]
    pd.testing.assert_frame_equal(first["contacts"], second["contacts"])
    assert first["html"] == second["html"]
    deliveries = _plans_frame(nightly["home"], "mail_deliveries")
    accepted = deliveries[deliveries["status"] == "accepted"]
    assert not accepted.duplicated(["document_kind", "document_key"]).any()
    branches = _staging(nightly["home"], "branches")
    rollups = accepted[accepted["document_kind"] == "branch_rollup"]
    assert sorted(rollups["document_key"]) == sorted(
        branches.loc[branches["head_email"].notna(), "branch_id"])
    assert "'already_sent': " in nightly["log"] and "'sent': 0" in nightly["log"]
    assert "'pending': 0" in nightly["log"] and "'refused': 0" in nightly["log"]


def test_the_run_is_recorded_and_verifies(nightly):
    from customer_plans.audit import verify_run
    from customer_plans.pipeline import RunContext
    from customer_plans.settings import load_settings

    home = nightly["home"]
    ctx = RunContext(date.fromisoformat(BUSINESS_DATE),
                     load_settings({"CUSTOMER_PLANS_HOME": str(home)}))
    manifest = json.loads((ctx.audit_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["record_seq"] == 2
    assert set(manifest["tables"]) >= {"segments", "plan_contacts", "plan_exclusions"}
    assert verify_run(ctx) == []


def test_a_business_date_never_closed_fails_at_the_deadline_and_mails_the_operators(nightly):
    home = nightly["home"]
    env = airflow_env(home / "airflow", home)
    env["CUSTOMER_PLANS_OPERATORS_EMAIL"] = "data-platform@bank.example"
    with smtp_server() as (port, received):
        env["AIRFLOW_CONN_SMTP_ALERTS"] = smtp_connection(port, from_email="batch@bank.example")
        # 2026-11-20 was never closed by the generated core system, and its deadline has passed
        done = run_nightly(env, "2026-11-20")
    assert done.returncode != 0
    assert "business date 2026-11-20 not closed by 05:30" in done.stdout + done.stderr
    assert not (home / "output" / "plans" / "2026-11-20").exists()
    assert not (home / "output" / "staging" / "2026-11-20").exists()
    assert [m["X-RcptTo"] for m in received] == ["data-platform@bank.example"]
    alert = received[0]
    assert "wait_for_eod" in alert["Subject"]
    body = "".join(part.get_payload(decode=True).decode() for part in alert.walk()
                   if part.get_content_type() == "text/html")
    assert "business date 2026-11-20 not closed by 05:30" in body


def _cli(home, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUSTOMER_PLANS_HOME": str(home)}
    return subprocess.run([str(Path(sys.executable).parent / "customer-plans"), *args],
                          env=env, capture_output=True, text=True, timeout=120)


def test_an_auditor_can_ask_why_a_customer_was_or_was_not_listed(nightly):
    home = nightly["home"]
    contacts = nightly["first"]["contacts"]
    listed = contacts.sort_values(["manager_id", "rank"]).iloc[0]
    answer = json.loads(_cli(home, "explain", "--business-date", BUSINESS_DATE,
                             "--customer-id", listed["customer_id"]).stdout)
    assert answer["words"]["verdict"].startswith(f"Listed for manager {listed['manager_id']}")
    assert answer["contacts"][0]["reasons"], "the reasons are part of the answer"
    assert all(reason["label"] and reason["know"] for reason in answer["words"]["reasons"])
    exclusions = _plans_frame(home, "plan_exclusions")
    restricted = exclusions[exclusions["reason_code"] == "restricted"].iloc[0]
    answer = json.loads(_cli(home, "explain", "--business-date", BUSINESS_DATE,
                             "--customer-id", restricted["customer_id"]).stdout)
    assert answer["outcome"] == "not_listed"
    assert "restricted" in [e["code"] for e in answer["words"]["exclusions"]]
    assert "restricted list" in answer["words"]["verdict"]


def test_verify_audit_command_reports_an_intact_record(nightly):
    done = _cli(nightly["home"], "verify-audit", "--business-date", BUSINESS_DATE)
    assert done.returncode == 0, done.stdout
    assert "audit chain intact" in done.stdout


def test_a_pool_customer_is_explained_as_on_the_pool_list_sent_to_the_branch_head(nightly):
    contacts = nightly["first"]["contacts"]
    pooled = contacts[contacts["manager_id"].str.startswith("POOL-")]
    assert len(pooled), "the small bank has customers whose manager left"
    row = pooled.sort_values(["manager_id", "rank"]).iloc[0]
    answer = json.loads(_cli(nightly["home"], "explain", "--business-date", BUSINESS_DATE,
                             "--customer-id", row["customer_id"]).stdout)
    verdict = answer["words"]["verdict"]
    assert verdict.startswith(f"Listed on the branch pool list {row['manager_id']}")
    assert "the list goes to the branch head" in verdict
    assert answer["delivery"]["recipient_kind"] == "branch_head"


def test_a_second_run_of_a_date_held_by_another_run_is_refused_at_once(nightly):
    home = nightly["home"]
    env = airflow_env(home / "airflow", home)
    # a command-line run of the date, alive, holds its lock
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_DATE, str(home)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = sorted(p.stat().st_mtime_ns for p in
                        (home / "output" / "plans" / BUSINESS_DATE).glob("*.pdf"))
        done = run_nightly(env, BUSINESS_DATE)
    finally:
        holder.kill()
        holder.wait()
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"Business date {BUSINESS_DATE} is already being run by the command-line run" in output
    assert "customer-plans unlock" in output
    after = sorted(p.stat().st_mtime_ns for p in
                   (home / "output" / "plans" / BUSINESS_DATE).glob("*.pdf"))
    assert before == after, "the refused run rendered nothing"
    # the holder is gone now: the next run takes the stale lock over and succeeds, sending
    # nothing twice (a dry run: nothing is sent or recorded at all)
    again = run_nightly(env, BUSINESS_DATE, conf={"dry_run": True})
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-4000:]
    assert "'dry_run': True" in again.stdout and "'would_send': 0" in again.stdout


HOLD_THE_DATE = """
import sys, time
from datetime import date
from customer_plans.runlock import acquire, cli_holder
from customer_plans.settings import load_settings
settings = load_settings({"CUSTOMER_PLANS_HOME": sys.argv[1]})
acquire(settings.plans_db_url, date(2026, 11, 19), cli_holder())
print("held", flush=True)
time.sleep(600)
"""
