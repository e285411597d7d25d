"""Operator alert texts: which run, which task, what was wrong. No customer details."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path


def alert_text(
    dag_id: str, run_id: str, task_id: str, map_index: int, error: BaseException | str | None
) -> tuple[str, str]:
    """Subject and body of a failure alert."""
    where = task_id if map_index in (None, -1) else f"{task_id}[{map_index}]"
    detail = str(error) if error else "no error message was recorded; see the task log"
    subject = f"[customer-plans] {dag_id} failed at {where} ({run_id})"
    body = (
        f"DAG: {dag_id}\nRun: {run_id}\nTask: {where}\n\nWhat went wrong:\n{detail}\n\n"
        "No plan from this run has been sent. Fix the cause, then clear the failed task "
        "(or trigger the DAG with the same business_date) to rerun."
    )
    return subject, body


def write_alert(alerts_dir: Path, subject: str, body: str) -> Path:
    """Keep an alert as a text file when no mail server is configured."""
    alerts_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", subject)[:120]
    path = alerts_dir / f"{stamp}-{name}.txt"
    path.write_text(f"Subject: {subject}\n\n{body}\n", encoding="utf-8")
    return path
