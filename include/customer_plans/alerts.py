"""Operator alert texts: which run, which task, what was wrong. No customer details."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

# tasks at or after which messages may already have gone out
DELIVERY_TASKS = ("send_plans", "record_run")
ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")


def scrub(text: str) -> str:
    """``text`` with anything shaped like an email address replaced: alerts go to a wider
    audience than the data, and an upstream error may quote an address."""
    return ADDRESS.sub("[address]", text)


def alert_text(
    dag_id: str, run_id: str, task_id: str, map_index: int, error: BaseException | str | None
) -> tuple[str, str]:
    """Subject and body of a failure alert."""
    where = task_id if map_index in (None, -1) else f"{task_id}[{map_index}]"
    detail = scrub(str(error)) if error else "no error message was recorded; see the task log"
    subject = f"[customer-plans] {dag_id} failed at {where} ({run_id})"
    if task_id in DELIVERY_TASKS:
        sent = ("Some messages of this run may have been sent: the delivery ledger says which "
                "(customer-plans summary --business-date <date>). A rerun sends only what was "
                "never accepted.")
    else:
        sent = "Nothing from this run has been sent: delivery comes after this task."
    body = (
        f"DAG: {dag_id}\nRun: {run_id}\nTask: {where}\n\nWhat went wrong:\n{detail}\n\n"
        f"{sent} Fix the cause, then clear the failed task (or trigger the DAG with the same "
        "business_date) to rerun."
    )
    return subject, body


def delivery_notice(
    dag_id: str, run_id: str, business_date: str, result: dict
) -> tuple[str, str] | None:
    """What operators must act on after a delivery that succeeded: documents withheld (no one
    may receive them) or refused by the mail server. None when there is nothing."""
    withheld = result.get("withheld") or []
    refused = result.get("refused") or []
    if not withheld and not refused:
        return None
    counts = result.get("counts", {})
    lines = [
        f"DAG: {dag_id}\nRun: {run_id}\nBusiness date: {business_date}\n",
        f"Delivered: {counts.get('sent', 0)} sent, {counts.get('already_sent', 0)} already sent "
        f"earlier, {len(refused)} refused, {len(withheld)} withheld "
        f"(transport {result.get('transport')}).",
    ]
    if refused:
        lines.append("\nRefused for good by the mail server (check these mailboxes, then "
                     "resend with the resend_managers / resend_branches parameters):")
        lines.extend(f"  - {label}" for label in refused)
    if withheld:
        lines.append("\nWithheld: no one may receive them (fix the roster's or the branch's "
                     "address at the source; they are sent on the next run of the date):")
        lines.extend(f"  - {w['document']}: {w['reason']}" for w in withheld)
    subject = (f"[customer-plans] {business_date}: {len(refused)} refused, {len(withheld)} "
               "withheld")
    return subject, scrub("\n".join(lines))


def write_alert(alerts_dir: Path, subject: str, body: str) -> Path:
    """Keep an alert as a text file when no mail server is configured."""
    alerts_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", subject)[:120]
    path = alerts_dir / f"{stamp}-{name}.txt"
    path.write_text(f"Subject: {subject}\n\n{body}\n", encoding="utf-8")
    return path
