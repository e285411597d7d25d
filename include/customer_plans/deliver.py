"""Email each manager their own plan, exactly once per version of the plan.

The rendered HTML (identifiers already masked) is the body and the PDF is
attached. Every delivery is written to the ``plan_deliveries`` ledger right after
it succeeds, so a retry or a rerun of the business date sends only what has not
been sent; a plan whose content changed on a rerun goes out again, marked as an
update. Without an SMTP transport the messages go to an outbox folder as
``<manager_id>.eml``.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from customer_plans.db import make_engine, run_script
from customer_plans.files import write_bytes_atomic
from customer_plans.staging import read_frame

log = logging.getLogger(__name__)

DEFAULT_SENDER = "customer-plans@bank.example"


@dataclass(frozen=True)
class PlanEmail:
    """One manager's plan as a message."""

    manager_id: str
    to: str
    sender: str
    subject: str
    html: str
    text: str
    pdf_path: Path
    message_id: str
    content_sha256: str
    language: str = "en"
    headers: dict[str, str] = field(default_factory=dict)

    def to_mime(self) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Message-ID"] = self.message_id
        for name, value in self.headers.items():
            if name != "Message-ID":
                message[name] = value
        message.set_content(self.text)
        message.add_alternative(self.html, subtype="html")
        message.add_attachment(
            self.pdf_path.read_bytes(),
            maintype="application",
            subtype="pdf",
            filename=self.pdf_path.name,
        )
        return message


Transport = Callable[[PlanEmail], None]

SUBJECTS = {
    "zh": "客户维护计划 {plan_date} · {manager_name}",
    "en": "Customer plan for {plan_date} · {manager_name}",
}
UPDATED = {"zh": "【更新】", "en": "[Updated] "}
TEXTS = {
    "zh": "{manager_name}，您好：\n\n附件是您 {plan_date} 的客户维护计划"
    "（数据截至 {business_date}）。\n请勿转发：计划仅供您本人使用。\n",
    "en": "Dear {manager_name},\n\nAttached is your customer plan for {plan_date} (data as of "
    "{business_date}).\nPlease do not forward it: the plan is for you alone.\n",
}


def _language(locale: str | None) -> str:
    return "zh" if str(locale or "").lower().startswith("zh") else "en"


def build_emails(
    business_date: date, plans_dir: Path, managers: pd.DataFrame, sender: str
) -> tuple[list[PlanEmail], dict[str, int]]:
    """One message per manager on the roster with a rendered plan; who was skipped and why."""
    skipped = {"left": 0, "no_plan": 0, "no_email": 0}
    emails: list[PlanEmail] = []
    plan_date = business_date.fromordinal(business_date.toordinal() + 1).isoformat()
    for row in managers.sort_values("manager_id").itertuples(index=False):
        html_path = plans_dir / f"{row.manager_id}.html"
        pdf_path = plans_dir / f"{row.manager_id}.pdf"
        # who has a plan was decided by assignment (a manager back from leave on the plan
        # date has one); a manager who has left never gets mail, even from a stale file
        if row.status == "left":
            skipped["left"] += 1
            continue
        if not (html_path.exists() and pdf_path.exists()):
            skipped["no_plan"] += 1
            continue
        if not isinstance(row.email, str) or "@" not in row.email:
            skipped["no_email"] += 1
            continue
        lang = _language(row.locale)
        content_sha = hashlib.sha256(
            html_path.read_bytes() + b"\0" + pdf_path.read_bytes()
        ).hexdigest()
        names = {
            "manager_name": row.manager_name,
            "plan_date": plan_date,
            "business_date": business_date.isoformat(),
        }
        emails.append(
            PlanEmail(
                manager_id=row.manager_id,
                to=formataddr((row.manager_name, row.email)),
                sender=sender,
                subject=SUBJECTS[lang].format(**names),
                html=html_path.read_text(encoding="utf-8"),
                text=TEXTS[lang].format(**names),
                pdf_path=pdf_path,
                message_id=f"<plan.{business_date.isoformat()}.{row.manager_id}."
                f"{content_sha[:16]}@customer-plans>",
                content_sha256=content_sha,
                language=lang,
                headers={
                    "X-Customer-Plans-Business-Date": business_date.isoformat(),
                    "X-Customer-Plans-Manager": str(row.manager_id),
                },
            )
        )
    return emails, skipped


def _ledger(engine: sa.Engine, business_date: date) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(
            sa.text(
                "select manager_id, content_sha256 from plan_deliveries "
                "where business_date = :business_date"
            ),
            {"business_date": business_date.isoformat()},
        )
        return pd.DataFrame(result.fetchall(), columns=["manager_id", "content_sha256"])


def write_outbox(email: PlanEmail, outbox_dir: Path) -> Path:
    """Write the message as ``<manager_id>.eml``, atomically."""
    return write_bytes_atomic(outbox_dir / f"{email.manager_id}.eml", bytes(email.to_mime()))


def deliver_plans(
    business_date: date,
    plans_dir: Path,
    staging_dir: Path,
    plans_db_url: str,
    outbox_dir: Path,
    transport: Transport | None = None,
    sender: str | None = None,
) -> dict[str, int | str]:
    """Deliver every rendered plan for ``business_date`` to its manager; returns counts only."""
    sender = sender or os.environ.get("CUSTOMER_PLANS_MAIL_FROM", DEFAULT_SENDER)
    managers = read_frame(
        staging_dir / "managers.parquet",
        columns=["manager_id", "manager_name", "email", "locale", "status"],
    )
    emails, skipped = build_emails(business_date, plans_dir, managers, sender)
    engine = make_engine(plans_db_url)
    run_script(engine, "plans/plan_deliveries.sql")
    ledger = _ledger(engine, business_date)
    already = set(zip(ledger["manager_id"], ledger["content_sha256"], strict=True))
    delivered_before = set(ledger["manager_id"])
    counts = {"sent": 0, "updated": 0, "already_sent": 0, **skipped}
    mode = "smtp" if transport is not None else "outbox"
    for email in emails:
        if (email.manager_id, email.content_sha256) in already:
            counts["already_sent"] += 1
            continue
        if email.manager_id in delivered_before:
            email = replace(email, subject=UPDATED[email.language] + email.subject)
            counts["updated"] += 1
        if transport is None:
            write_outbox(email, outbox_dir)
        else:
            transport(email)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "insert into plan_deliveries (business_date, manager_id, content_sha256, "
                    "message_id, recipient_sha256, transport, delivered_at) values "
                    "(:business_date, :manager_id, :content_sha256, :message_id, "
                    ":recipient_sha256, :transport, :delivered_at)"
                ),
                {
                    "business_date": business_date.isoformat(),
                    "manager_id": email.manager_id,
                    "content_sha256": email.content_sha256,
                    "message_id": email.message_id,
                    "recipient_sha256": hashlib.sha256(email.to.encode()).hexdigest(),
                    "transport": mode,
                    "delivered_at": datetime.now(UTC).replace(tzinfo=None),
                },
            )
        counts["sent"] += 1
    engine.dispose()
    log.info("plans for %s: %s (%s)", business_date, counts, mode)
    return {**counts, "transport": mode}
