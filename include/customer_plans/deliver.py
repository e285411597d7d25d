"""Email each manager their own plan and each branch head their branch's roll-up, exactly
once per version of the document.

The rendered HTML (identifiers already masked by the renderer) is the body and the PDF is
attached. Every delivery is written to the ``plan_deliveries`` ledger right after it
succeeds, so a retry or a rerun of the business date sends only what has not been sent; a
document whose content changed on a rerun goes out again, marked as an update. Without an
SMTP transport the messages go to an outbox folder: ``<manager_id>.eml`` for plans,
``branches/<branch_id>.eml`` for roll-ups (as the rendered files are laid out).

The ledger tells the two kinds apart by ``document_kind`` (``plan`` or ``branch_rollup``);
for a roll-up, ``manager_id`` holds the branch_id. A ledger from before roll-ups were emailed
is migrated on first use: its rows are plans, their keys unchanged.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
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
from customer_plans.quality.suites import EMAIL_PATTERN
from customer_plans.staging import read_frame

log = logging.getLogger(__name__)

DEFAULT_SENDER = "customer-plans@bank.example"

PLAN = "plan"
BRANCH_ROLLUP = "branch_rollup"
# roll-ups are rendered to, and written to the outbox in, this subfolder
ROLLUPS_FOLDER = "branches"


@dataclass(frozen=True)
class PlanEmail:
    """One document as a message: a manager's plan, or a branch's roll-up for its head."""

    key: str  # the manager_id of a plan, the branch_id of a roll-up
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
    document_kind: str = PLAN

    @property
    def manager_id(self) -> str | None:
        """The manager a plan is for (None for a roll-up)."""
        return self.key if self.document_kind == PLAN else None

    @property
    def branch_id(self) -> str | None:
        """The branch a roll-up is about (None for a plan)."""
        return self.key if self.document_kind == BRANCH_ROLLUP else None

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
ROLLUP_SUBJECTS = {
    "zh": "网点客户维护概览 {plan_date} · {branch_name}",
    "en": "Branch coverage for {plan_date} · {branch_name}",
}
ROLLUP_TEXTS = {
    "zh": "{head_name}，您好：\n\n附件是{branch_name} {plan_date} 的网点客户维护概览"
    "（数据截至 {business_date}）。\n请勿转发：仅限网点管理人员使用。\n",
    "en": "Dear {head_name},\n\nAttached is the branch coverage of {branch_name} for "
    "{plan_date} (data as of {business_date}).\nPlease do not forward it: it is for the "
    "branch management only.\n",
}
# the greeting when the head's name is not on record
NO_HEAD_NAME = {"zh": "网点负责人", "en": "branch head"}


def _language(locale: str | None) -> str:
    return "zh" if str(locale or "").lower().startswith("zh") else "en"


def _plan_date(business_date: date) -> str:
    return business_date.fromordinal(business_date.toordinal() + 1).isoformat()


def _content_sha(html_path: Path, pdf_path: Path) -> str:
    return hashlib.sha256(html_path.read_bytes() + b"\0" + pdf_path.read_bytes()).hexdigest()


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _document_email(
    kind: str, key: str, to: str, sender: str, subject: str, text: str,
    html_path: Path, pdf_path: Path, lang: str, business_date: date,
) -> PlanEmail:
    """The message for one rendered document: its HTML as the body, its PDF attached."""
    content_sha = _content_sha(html_path, pdf_path)
    prefix, header = ("plan", "Manager") if kind == PLAN else ("rollup", "Branch")
    return PlanEmail(
        key=key,
        to=to,
        sender=sender,
        subject=subject,
        html=html_path.read_text(encoding="utf-8"),
        text=text,
        pdf_path=pdf_path,
        message_id=f"<{prefix}.{business_date.isoformat()}.{key}.{content_sha[:16]}"
        "@customer-plans>",
        content_sha256=content_sha,
        language=lang,
        headers={
            "X-Customer-Plans-Business-Date": business_date.isoformat(),
            f"X-Customer-Plans-{header}": key,
        },
        document_kind=kind,
    )


def build_emails(
    business_date: date, plans_dir: Path, managers: pd.DataFrame, sender: str
) -> tuple[list[PlanEmail], dict[str, int]]:
    """One message per manager on the roster with a rendered plan; who was skipped and why."""
    skipped = {"left": 0, "no_plan": 0, "no_email": 0}
    emails: list[PlanEmail] = []
    plan_date = _plan_date(business_date)
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
        names = {
            "manager_name": row.manager_name,
            "plan_date": plan_date,
            "business_date": business_date.isoformat(),
        }
        emails.append(_document_email(
            PLAN, str(row.manager_id), formataddr((row.manager_name, row.email)), sender,
            SUBJECTS[lang].format(**names), TEXTS[lang].format(**names), html_path, pdf_path,
            lang, business_date,
        ))
    return emails, skipped


def build_rollup_emails(
    business_date: date, rollups_dir: Path, branches: pd.DataFrame, sender: str
) -> tuple[list[PlanEmail], dict[str, int]]:
    """One message per branch whose roll-up was rendered, to that branch's head only.

    Skipped, and counted: a branch without a rendered roll-up (``no_rollup``), without a
    head email (``no_head_email``), or whose head email is not an address
    (``bad_head_email``). ``locale`` is the head's, or the bank's when theirs is not on
    record (resolved by the branches extract).
    """
    skipped = {"no_rollup": 0, "no_head_email": 0, "bad_head_email": 0}
    emails: list[PlanEmail] = []
    plan_date = _plan_date(business_date)
    for row in branches.sort_values("branch_id").itertuples(index=False):
        branch_id = str(row.branch_id)
        html_path = rollups_dir / f"{branch_id}.html"
        pdf_path = rollups_dir / f"{branch_id}.pdf"
        if not (html_path.exists() and pdf_path.exists()):
            skipped["no_rollup"] += 1
            continue
        # logs name the branch only: a branch code is not personal data, an address is
        address = _text_or_none(row.head_email)
        if address is None:
            skipped["no_head_email"] += 1
            log.warning("roll-up of branch %s for %s not emailed: no head email on record",
                        branch_id, business_date)
            continue
        if not re.fullmatch(EMAIL_PATTERN, address):
            skipped["bad_head_email"] += 1
            log.warning("roll-up of branch %s for %s not emailed: the head email on record is "
                        "not an email address", branch_id, business_date)
            continue
        lang = _language(row.locale)
        head_name = _text_or_none(row.head_name)
        names = {
            "head_name": head_name or NO_HEAD_NAME[lang],
            "branch_name": _text_or_none(row.branch_name) or branch_id,
            "plan_date": plan_date,
            "business_date": business_date.isoformat(),
        }
        emails.append(_document_email(
            BRANCH_ROLLUP, branch_id, formataddr((head_name or "", address)), sender,
            ROLLUP_SUBJECTS[lang].format(**names), ROLLUP_TEXTS[lang].format(**names),
            html_path, pdf_path, lang, business_date,
        ))
    return emails, skipped


def ledger_engine(plans_db_url: str) -> sa.Engine:
    """An engine on the plans DB with the ``plan_deliveries`` ledger in its current shape.

    Creates the ledger if missing; a ledger from before roll-ups were emailed gets its
    ``document_kind`` column (every existing row a plan), once.
    """
    engine = make_engine(plans_db_url)
    run_script(engine, "plans/plan_deliveries.sql")
    columns = {column["name"] for column in sa.inspect(engine).get_columns("plan_deliveries")}
    if "document_kind" not in columns:
        run_script(engine, "plans/plan_deliveries_document_kind.sql")
        log.info("plan_deliveries: added document_kind (existing rows are plans)")
    return engine


def _ledger(engine: sa.Engine, business_date: date, document_kind: str) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(
            sa.text(
                "select manager_id, content_sha256 from plan_deliveries "
                "where business_date = :business_date and document_kind = :document_kind"
            ),
            {"business_date": business_date.isoformat(), "document_kind": document_kind},
        )
        return pd.DataFrame(result.fetchall(), columns=["manager_id", "content_sha256"])


def write_outbox(email: PlanEmail, outbox_dir: Path) -> Path:
    """Write the message as ``<manager_id>.eml`` (a roll-up: ``branches/<branch_id>.eml``)."""
    folder = outbox_dir / ROLLUPS_FOLDER if email.document_kind == BRANCH_ROLLUP else outbox_dir
    return write_bytes_atomic(folder / f"{email.key}.eml", bytes(email.to_mime()))


def _send_once(
    emails: list[PlanEmail],
    business_date: date,
    engine: sa.Engine,
    document_kind: str,
    outbox_dir: Path,
    transport: Transport | None,
) -> dict[str, int]:
    """Send what the ledger has not recorded; record each message right after it went."""
    ledger = _ledger(engine, business_date, document_kind)
    already = set(zip(ledger["manager_id"], ledger["content_sha256"], strict=True))
    delivered_before = set(ledger["manager_id"])
    counts = {"sent": 0, "updated": 0, "already_sent": 0}
    mode = "smtp" if transport is not None else "outbox"
    for email in emails:
        if (email.key, email.content_sha256) in already:
            counts["already_sent"] += 1
            continue
        if email.key in delivered_before:
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
                    "message_id, recipient_sha256, transport, delivered_at, document_kind) "
                    "values (:business_date, :manager_id, :content_sha256, :message_id, "
                    ":recipient_sha256, :transport, :delivered_at, :document_kind)"
                ),
                {
                    "business_date": business_date.isoformat(),
                    "manager_id": email.key,
                    "content_sha256": email.content_sha256,
                    "message_id": email.message_id,
                    "recipient_sha256": hashlib.sha256(email.to.encode()).hexdigest(),
                    "transport": mode,
                    "delivered_at": datetime.now(UTC).replace(tzinfo=None),
                    "document_kind": document_kind,
                },
            )
        counts["sent"] += 1
    return counts


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
    engine = ledger_engine(plans_db_url)
    try:
        counts = {**_send_once(emails, business_date, engine, PLAN, outbox_dir, transport),
                  **skipped}
    finally:
        engine.dispose()
    mode = "smtp" if transport is not None else "outbox"
    log.info("plans for %s: %s (%s)", business_date, counts, mode)
    return {**counts, "transport": mode}


def deliver_rollups(
    business_date: date,
    plans_dir: Path,
    staging_dir: Path,
    plans_db_url: str,
    outbox_dir: Path,
    transport: Transport | None = None,
    sender: str | None = None,
) -> dict[str, int | str]:
    """Email each branch head their own branch's roll-up (``plans_dir/branches``); counts only.

    Reads the heads from the staging ``branches`` extract; a branch without a usable head
    email is skipped and counted (``no_head_email``, ``bad_head_email``), its roll-up stays
    in the plans folder.
    """
    sender = sender or os.environ.get("CUSTOMER_PLANS_MAIL_FROM", DEFAULT_SENDER)
    path = staging_dir / "branches.parquet"
    if not path.exists():
        raise FileNotFoundError(
            f"roll-up delivery needs the staging extract {path} (branch heads); run extract first"
        )
    branches = read_frame(
        path, columns=["branch_id", "branch_name", "head_name", "head_email", "locale"]
    )
    emails, skipped = build_rollup_emails(
        business_date, plans_dir / ROLLUPS_FOLDER, branches, sender
    )
    engine = ledger_engine(plans_db_url)
    try:
        counts = {
            **_send_once(emails, business_date, engine, BRANCH_ROLLUP, outbox_dir, transport),
            **skipped,
        }
    finally:
        engine.dispose()
    mode = "smtp" if transport is not None else "outbox"
    log.info("branch roll-ups for %s: %s (%s)", business_date, counts, mode)
    return {**counts, "transport": mode}
