"""Email each rendered document to the one person who should read it, exactly once, or
visibly in doubt.

Documents and their readers:

- a manager's plan (``<manager_id>.html/.pdf``) goes to that manager; when the roster has no
  usable address for them, to the head of their branch (``forwarded``);
- a branch's roll-up (``branches/<branch_id>.html/.pdf``) goes to the branch head;
- a branch's pool list (``POOL-<branch_id>.html/.pdf``: customers whose manager left or who
  have none) goes to the branch head;
- when no one may receive a document (no usable address, or one outside the bank's mail
  domains), it is ``withheld``: recorded in the ledger with the reason and counted, never
  sent anywhere else.

Every address is checked again here (``customer_plans.recipients``), whatever the gate said.
The rendered HTML (identifiers masked by the renderer) is the HTML part, a short text the
plain-text alternative, the PDF is attached. Subjects and texts are the catalogue's (context
``mail``) in the recipient's language, chosen from their roster ``locale``, with the plan
date and the data date in that language's words ("20 Nov 2026", "2026年11月20日").

The ledger (``mail_deliveries``, see its SQL file) makes a run safe to kill at any point: the
intent to send is committed before a message is handed over and the outcome after it. A rerun
sends only what was never accepted; a message whose outcome was never recorded is resent
byte for byte (same Message-ID, same Date) and counted as ``in_doubt_resent``. A permanent
refusal (5xx) is recorded for that recipient and the others go on; transient failures are
retried with backoff, then the run stops with ``DeliveryIncomplete`` naming how many are still
pending, and the next run sends exactly those. A ledger from before this one
(``plan_deliveries``) is read, never changed: what it recorded counts as accepted.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from customer_plans.assign.coverage import POOL_PREFIX
from customer_plans.db import make_engine, run_script, statement
from customer_plans.mail import (
    DeliveryError,
    Envelope,
    PermanentRefusal,
    TransientFailure,
    TransportConfigError,
)
from customer_plans.recipients import check_address, header_text
from customer_plans.settings import DEFAULT_SMTP_RETRY_DELAYS
from customer_plans.staging import read_frame
from customer_plans.words import Words, words_for, words_in

if TYPE_CHECKING:
    from customer_plans.run_context import RunContext

log = logging.getLogger(__name__)

DEFAULT_SENDER = "customer-plans@bank.example"

PLAN = "plan"
BRANCH_ROLLUP = "branch_rollup"
POOL = "pool"
KINDS = (PLAN, BRANCH_ROLLUP, POOL)
# roll-ups are rendered to, and written to the outbox in, this subfolder
ROLLUPS_FOLDER = "branches"
MANAGER = "manager"
BRANCH_HEAD = "branch_head"
# seconds between attempts at a message after a transient failure (then the run stops);
# a run takes its own from the setting smtp_retry_delays (CUSTOMER_PLANS_SMTP_RETRY_DELAYS)
RETRY_DELAYS = DEFAULT_SMTP_RETRY_DELAYS

class DeliveryIncomplete(RuntimeError):
    """Messages are still pending after the retries: the mail server could not be used."""

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class Resend:
    """An operator's request to send documents again: managers' plans and/or every document
    of whole branches (plans of their managers, roll-up, pool list)."""

    requested_by: str
    managers: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()

    def covers(self, item: Item) -> bool:
        if item.kind == PLAN and item.key in self.managers:
            return True
        return item.branch_id in self.branches


@dataclass
class Item:
    """One document and who receives it (or why no one may)."""

    kind: str
    key: str
    branch_id: str
    html_path: Path
    pdf_path: Path
    language: str  # the reader's language code (the catalogue's: en, zh_CN)
    subject: str
    text: str
    recipient_kind: str = MANAGER
    recipient_key: str = ""
    recipient_name: str = ""
    address: str | None = None
    problem: str | None = None  # why it is withheld
    forwarded: bool = False
    content_sha256: str = ""

    @property
    def label(self) -> str:
        """What the document is, for logs and alerts: kind and id, no personal data."""
        return f"{self.kind} {self.key}"


def _content_sha(html_path: Path, pdf_path: Path) -> str:
    return hashlib.sha256(html_path.read_bytes() + b"\0" + pdf_path.read_bytes()).hexdigest()


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def safe_token(value: str) -> str:
    """``value`` as a token safe in a Message-ID and a file name (ids come from the data)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", value)[:64].strip(".") or "_"


# -- who receives what --------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    name: str | None
    address: str | None
    problem: str | None
    words: Words  # the head's language (the branch's roster locale)
    branch_name: str


def _heads(branches: pd.DataFrame, domains: tuple[str, ...]) -> dict[str, Head]:
    heads = {}
    for row in branches.itertuples(index=False):
        checked = check_address(row.head_email, domains)
        heads[str(row.branch_id)] = Head(
            header_text(row.head_name) or None, checked.address, checked.problem,
            words_for(row.locale), header_text(row.branch_name) or str(row.branch_id))
    return heads


def _head_name(head: Head | None, words: Words) -> str:
    """The head's name, or "branch head" in the reader's words when it is not on record."""
    return (head.name if head else None) or words.pgettext("mail", "branch head")


def _dates(words: Words, plan_date: date, business_date: date) -> dict[str, str]:
    """The plan date and the data date in the reader's words ("20 Nov 2026", "2026年11月20日")."""
    return {"plan_date": words.date(plan_date, "medium"),
            "business_date": words.date(business_date, "medium")}


def documents(
    business_date: date, plans_dir: Path, managers: pd.DataFrame, branches: pd.DataFrame,
    domains: tuple[str, ...], plan_date: date,
) -> tuple[list[Item], Counter]:
    """Every rendered document with its reader; counts of what is not a document today."""
    skipped: Counter = Counter()
    heads = _heads(branches, domains)
    items: list[Item] = []

    def to_head(item: Item, head: Head | None) -> Item:
        item.recipient_kind, item.recipient_key = BRANCH_HEAD, item.branch_id
        if head is None:
            item.problem = "no_branch"
        elif head.problem:
            item.problem = head.problem
        else:
            item.address, item.recipient_name = head.address, head.name or ""
        return item

    for row in managers.sort_values("manager_id").itertuples(index=False):
        manager_id = str(row.manager_id)
        html_path = plans_dir / f"{manager_id}.html"
        pdf_path = plans_dir / f"{manager_id}.pdf"
        # who has a plan was decided by assignment (a manager back from leave on the plan
        # date has one); a manager who has left never gets mail, even from a stale file
        if row.status == "left":
            skipped["left"] += 1
            continue
        if not (html_path.exists() and pdf_path.exists()):
            skipped["no_plan"] += 1
            continue
        branch_id = str(row.branch_id)
        checked = check_address(row.email, domains)
        name = header_text(row.manager_name) or manager_id
        if checked.usable:
            words = words_for(row.locale)
            values = {"manager_name": name, **_dates(words, plan_date, business_date)}
            items.append(Item(
                PLAN, manager_id, branch_id, html_path, pdf_path, words.code,
                words.pgettext("mail", "Customer plan for %(plan_date)s · %(manager_name)s",
                               **values),
                words.pgettext(
                    "mail", "Dear %(manager_name)s,\n\nAttached is your customer plan for "
                    "%(plan_date)s (data as of %(business_date)s).\nPlease do not forward it: "
                    "the plan is for you alone.\n", **values),
                MANAGER, manager_id, name, checked.address))
            continue
        head = heads.get(branch_id)
        words = head.words if head else words_for(row.locale)
        values = {"manager_id": manager_id, **_dates(words, plan_date, business_date),
                  "head_name": _head_name(head, words)}
        item = to_head(Item(
            PLAN, manager_id, branch_id, html_path, pdf_path, words.code,
            words.pgettext("mail", "For you to hand on: the customer plan of manager "
                           "%(manager_id)s for %(plan_date)s", **values),
            words.pgettext(
                "mail", "Dear %(head_name)s,\n\nThe roster has no usable bank address for "
                "manager %(manager_id)s, so their customer plan for %(plan_date)s (data as of "
                "%(business_date)s) comes to you.\nPlease hand it on or see that it is worked, "
                "and have the roster's address corrected.\n", **values),
            forwarded=True), head)
        if item.problem:
            item.problem = f"manager {checked.problem}, head {item.problem}"
        items.append(item)

    rollups = plans_dir / ROLLUPS_FOLDER
    for row in branches.sort_values("branch_id").itertuples(index=False):
        branch_id = str(row.branch_id)
        html_path, pdf_path = rollups / f"{branch_id}.html", rollups / f"{branch_id}.pdf"
        if not (html_path.exists() and pdf_path.exists()):
            skipped["no_rollup"] += 1
            continue
        head = heads[branch_id]
        words = head.words
        values = {"head_name": _head_name(head, words), "branch_name": head.branch_name,
                  **_dates(words, plan_date, business_date)}
        items.append(to_head(Item(
            BRANCH_ROLLUP, branch_id, branch_id, html_path, pdf_path, words.code,
            words.pgettext("mail", "Branch coverage for %(plan_date)s · %(branch_name)s",
                           **values),
            words.pgettext(
                "mail", "Dear %(head_name)s,\n\nAttached is the branch coverage of "
                "%(branch_name)s for %(plan_date)s (data as of %(business_date)s).\nPlease do "
                "not forward it: it is for the branch management only.\n", **values)), head))

    for html_path in sorted(plans_dir.glob(f"{POOL_PREFIX}*.html")):
        pdf_path = html_path.with_suffix(".pdf")
        if not pdf_path.exists():
            continue
        key = html_path.stem
        branch_id = key[len(POOL_PREFIX):]
        head = heads.get(branch_id)
        # a pool of a branch not on the roster reads the default language (and is withheld)
        words = head.words if head else words_for(None)
        values = {"head_name": _head_name(head, words),
                  "branch_name": head.branch_name if head else branch_id,
                  **_dates(words, plan_date, business_date)}
        items.append(to_head(Item(
            POOL, key, branch_id, html_path, pdf_path, words.code,
            words.pgettext("mail", "Branch pool list for %(plan_date)s · %(branch_name)s",
                           **values),
            words.pgettext(
                "mail", "Dear %(head_name)s,\n\nAttached is the pool list of %(branch_name)s "
                "for %(plan_date)s (data as of %(business_date)s): customers whose manager has "
                "left or who have none.\nPlease see that they are worked, urgent items first. "
                "Please do not forward it.\n", **values)), head))
    for item in items:
        item.content_sha256 = _content_sha(item.html_path, item.pdf_path)
    return items, skipped


# -- messages -----------------------------------------------------------------------------


def message_id(item: Item, business_date: date, sequence: int, sender: str) -> str:
    """Derived from business date, document, content and recipient: the same message has the
    same id on every attempt, so mail clients fold a copy sent twice into one. An explicit
    resend is a new message (``.r1``, ``.r2``, ...)."""
    recipient = (item.address or "").lower()
    digest = hashlib.sha256(
        f"{business_date.isoformat()}\0{item.kind}\0{item.key}\0{item.content_sha256}\0"
        f"{recipient}".encode()).hexdigest()[:16]
    domain = safe_token(sender.rpartition("@")[2] or "customer-plans")
    resend = f".r{sequence}" if sequence else ""
    return (f"<{item.kind}.{business_date.isoformat()}.{safe_token(item.key)}.{digest}{resend}"
            f"@{domain}>")


def build_message(
    item: Item, business_date: date, sender: str, message_id_value: str, sent_at: datetime,
    updated: bool,
) -> bytes:
    """The message's bytes: deterministic given the ledger row (id, date, update mark)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = Address(addr_spec=sender)
    message["To"] = Address(display_name=header_text(item.recipient_name), addr_spec=item.address)
    mark = words_in(item.language).pgettext("mail", "[Updated] ") if updated else ""
    message["Subject"] = header_text(mark + item.subject)
    message["Date"] = format_datetime(sent_at.replace(tzinfo=UTC))
    message["Message-ID"] = message_id_value
    message["X-Customer-Plans-Business-Date"] = business_date.isoformat()
    message["X-Customer-Plans-Document"] = f"{item.kind} {safe_token(item.key)}"
    if item.kind == PLAN:
        message["X-Customer-Plans-Manager"] = safe_token(item.key)
    else:
        message["X-Customer-Plans-Branch"] = safe_token(item.branch_id)
    message.set_content(item.text)
    message.add_alternative(item.html_path.read_text(encoding="utf-8"), subtype="html")
    message.add_attachment(item.pdf_path.read_bytes(), maintype="application", subtype="pdf",
                           filename=f"{safe_token(item.key)}.pdf")
    return message.as_bytes()


def outbox_name(item: Item) -> str:
    """``<manager_id>.eml`` for a manager's plan, ``branches/<branch_id>.eml`` for a roll-up,
    ``<POOL-branch>.eml`` for a pool list, ``forwarded/<manager_id>.eml`` for a plan that
    went to the branch head (the layout of the rendered files)."""
    name = f"{safe_token(item.key)}.eml"
    if item.kind == BRANCH_ROLLUP:
        return f"{ROLLUPS_FOLDER}/{name}"
    if item.forwarded:
        return f"forwarded/{name}"
    return name


# -- the ledger ---------------------------------------------------------------------------


def ledger_engine(plans_db_url: str) -> sa.Engine:
    engine = make_engine(plans_db_url)
    run_script(engine, "plans/mail_deliveries.sql")
    return engine


# the columns of a ledger row: plans/mail_deliveries_ledger_rows.sql reads them,
# plans/mail_deliveries_insert.sql writes them (and business_date), _legacy_rows yields them
LEDGER_COLUMNS = (
    "document_kind", "document_key", "content_sha256", "transport", "recipient_sha256",
    "sequence", "recipient_kind", "recipient_key", "message_id", "reason", "status", "in_doubt",
    "attempts", "requested_by", "intent_at", "run_id",
)


def _ledger_rows(engine: sa.Engine, business_date: date) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(
            statement("plans/mail_deliveries_ledger_rows.sql"), {"d": business_date.isoformat()})]
        if sa.inspect(conn).has_table("plan_deliveries"):
            rows.extend(_legacy_rows(conn, business_date))
    return rows


def _legacy_rows(conn: sa.Connection, business_date: date) -> Iterable[dict[str, Any]]:
    """What the ledger before ``mail_deliveries`` recorded: accepted deliveries, per content."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("plan_deliveries")}
    kind = "document_kind" if "document_kind" in columns else f"'{PLAN}'"
    # stays inline: the kind column exists only in later versions of the old table (inspector)
    for row in conn.execute(sa.text(
        f"select {kind}, manager_id, content_sha256, transport, recipient_sha256, "  # noqa: S608
        "message_id from plan_deliveries where business_date = :d"),
        {"d": business_date.isoformat()},
    ):
        yield {"document_kind": row[0], "document_key": row[1], "content_sha256": row[2],
               "transport": row[3], "recipient_sha256": None, "sequence": 0,
               "recipient_kind": MANAGER, "recipient_key": row[1], "message_id": row[5],
               "reason": "new", "status": "accepted", "in_doubt": 0, "attempts": 1,
               "requested_by": None, "intent_at": None, "run_id": None}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# -- delivery -----------------------------------------------------------------------------


@dataclass
class Tally:
    """What happened to the documents of one run (counts and document ids, no personal data)."""

    by_kind: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    withheld: list[dict[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)
    last_failure: str | None = None

    def add(self, item: Item, outcome: str) -> None:
        self.by_kind[item.kind][outcome] += 1

    def totals(self) -> Counter:
        total: Counter = Counter()
        for counts in self.by_kind.values():
            total.update(counts)
        return total


def deliver_documents(
    ctx: RunContext,
    transport: Any,
    *,
    sender: str | None = None,
    dry_run: bool = False,
    resend: Resend | None = None,
    run_id: str | None = None,
    fence: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Deliver the context's business date's documents (its ``plans_dir``; readers from its
    staging folder, the ledger in its plans DB) through ``transport`` (``mail.SmtpTransport``
    or ``mail.OutboxTransport``); returns JSON-safe counts and ids.

    ``sender`` is the From address; None: the setting ``mail_from``, else ``DEFAULT_SENDER``.
    Readers' addresses must be in the setting ``mail_domains``; the waits between attempts
    are the setting ``smtp_retry_delays``; subjects name the context's plan date (the next
    day when the business date serves none). ``dry_run``: decide everything, send and record
    nothing. ``resend``: send the requested documents again (recorded as resends, with who
    asked). ``fence`` is called before the first message and raises if this run no longer
    holds the business date.
    """
    business_date = ctx.business_date
    plans_dir, staging_dir = ctx.plans_dir, ctx.staging_dir
    retry_delays = ctx.settings.smtp_retry_delays
    sender = sender or ctx.settings.mail_from or DEFAULT_SENDER
    sender_check = check_address(sender, (sender.rpartition("@")[2],))
    if not sender_check.usable:
        raise TransportConfigError(
            "the sender address (CUSTOMER_PLANS_MAIL_FROM or the connection's from_email) is "
            "not a valid address")
    sender = sender_check.address
    managers = read_frame(staging_dir / "managers.parquet",
                          columns=["manager_id", "manager_name", "email", "locale", "status",
                                   "branch_id"])
    branches_path = staging_dir / "branches.parquet"
    if not branches_path.exists():
        raise FileNotFoundError(
            f"delivery needs the staging extract {branches_path} (branch heads); run extract "
            "first")
    branches = read_frame(branches_path, columns=["branch_id", "branch_name", "head_name",
                                                  "head_email", "locale"])
    plan_date = ctx.plan_date or business_date + timedelta(days=1)
    items, skipped = documents(business_date, plans_dir, managers, branches,
                               ctx.settings.mail_domains, plan_date)
    if resend is not None:
        known = {i.key for i in items if i.kind == PLAN} | {i.branch_id for i in items}
        unknown = sorted(set(resend.managers) - {i.key for i in items if i.kind == PLAN}
                         | set(resend.branches) - known)
        if unknown:
            raise ValueError(
                f"resend for {business_date}: no rendered document for {', '.join(unknown)} "
                "(check the ids: managers' plans by manager_id, branches by branch_id)")
    engine = ledger_engine(ctx.settings.plans_db_url)
    tally = Tally()
    try:
        rows = _ledger_rows(engine, business_date)
        if fence is not None and not dry_run:
            fence()
        with transport:
            _run(items, rows, tally, engine, transport, business_date, sender, dry_run,
                 resend, run_id, retry_delays, sleep)
        connections = transport.connections
    finally:
        engine.dispose()
    result = _result(tally, skipped, transport.name, dry_run, connections)
    log.info("delivery for %s (%s%s): %s", business_date, transport.name,
             ", dry run" if dry_run else "", result["counts"])
    if tally.withheld:
        log.warning("withheld for %s (no one may receive them): %s", business_date,
                    ", ".join(f"{w['document']} ({w['reason']})" for w in tally.withheld))
    if tally.refused:
        log.warning("refused by the mail server for %s: %s", business_date,
                    ", ".join(tally.refused))
    if tally.pending:
        raise DeliveryIncomplete(
            f"delivery for {business_date} is incomplete: {len(tally.pending)} message(s) still "
            f"pending after {len(retry_delays) + 1} attempts ({result['last_failure']}); "
            f"{result['counts'].get('sent', 0)} were sent, none is lost. Once the mail server "
            "is reachable, let the task retry or rerun the date: it sends exactly the pending "
            "ones.", result)
    return result


def _run(
    items: list[Item], rows: list[dict[str, Any]], tally: Tally, engine: sa.Engine,
    transport: Any, business_date: date, sender: str, dry_run: bool, resend: Resend | None,
    run_id: str | None, retry_delays: tuple[float, ...], sleep: Callable[[float], None],
) -> None:
    name = transport.name
    stopped: str | None = None
    for item in items:
        if item.problem:
            tally.add(item, "withheld")
            tally.withheld.append({"document": item.label, "reason": item.problem})
            if not dry_run:
                _record_withheld(engine, business_date, item, name, run_id, rows)
            continue
        recipient_sha = hashlib.sha256(item.address.lower().encode()).hexdigest()
        mine = [r for r in rows if r["document_kind"] == item.kind
                and r["document_key"] == item.key and r["transport"] == name]
        same = [r for r in mine if r["content_sha256"] == item.content_sha256
                and r["recipient_sha256"] in (recipient_sha, None)]
        open_rows = [r for r in same if r["status"] in ("sending", "deferred")]
        # a resend is made once per run: a retry of the same run completes it, not repeats it
        wanted = resend is not None and resend.covers(item) and not any(
            r["reason"] == "resend" and run_id and r["run_id"] == run_id for r in same)
        if open_rows:
            row = min(open_rows, key=lambda r: r["sequence"])
            in_doubt = row["status"] == "sending"
        elif wanted:
            row = None
            in_doubt = False
        elif any(r["status"] == "accepted" for r in same):
            tally.add(item, "already_sent")
            continue
        elif any(r["status"] == "refused" for r in same):
            # refused for good at this address: resending would be refused again
            tally.add(item, "refused_before")
            tally.refused.append(item.label)
            continue
        else:
            row, in_doubt = None, False
        if stopped is not None:
            tally.add(item, "pending")
            tally.pending.append(item.label)
            continue
        if dry_run:
            tally.add(item, "would_send")
            continue
        if row is None:
            updated = any(r["status"] == "accepted" and r["content_sha256"] != item.content_sha256
                          for r in mine)
            sequence = max((r["sequence"] for r in same), default=-1) + 1 if wanted else 0
            row = {
                "document_kind": item.kind, "document_key": item.key,
                "content_sha256": item.content_sha256, "transport": name,
                "recipient_sha256": recipient_sha, "sequence": sequence,
                "recipient_kind": item.recipient_kind, "recipient_key": item.recipient_key,
                "message_id": message_id(item, business_date, sequence, sender),
                "reason": "resend" if wanted else ("update" if updated else "new"),
                "status": "sending", "in_doubt": 0, "attempts": 0,
                "requested_by": resend.requested_by if wanted else None, "intent_at": _now(),
                "run_id": run_id,
            }
            _insert(engine, business_date, row, run_id)
            rows.append(row)
        updated = row["reason"] == "update" or (
            row["reason"] == "resend"
            and any(r["status"] == "accepted" and r["content_sha256"] != item.content_sha256
                    for r in mine))
        data = build_message(item, business_date, sender, row["message_id"],
                             _as_datetime(row["intent_at"]), updated)
        envelope = Envelope(sender, item.address, data, outbox_name(item))
        def waiting(maybe: bool, row=row) -> None:
            # while it waits to retry, the row says whether the message may have gone: a
            # run killed now resends it in doubt only if it may have
            status = "sending" if maybe else "deferred"
            if row["status"] != status:
                _set_status(engine, business_date, row, status)
                row["status"] = status

        outcome, stopped, maybe = _hand_over(transport, envelope, retry_delays, sleep, waiting)
        in_doubt = in_doubt or maybe
        if outcome == "maybe":
            outcome = "sending"
        status = outcome if outcome in ("accepted", "refused", "deferred") else "sending"
        _update(engine, business_date, row, status, in_doubt)
        row["status"] = status
        if status == "accepted":
            tally.add(item, "sent")
            if row["reason"] == "update":
                tally.add(item, "updated")
            if row["reason"] == "resend":
                tally.add(item, "resent")
            if item.forwarded:
                tally.add(item, "forwarded")
            if in_doubt:
                tally.add(item, "in_doubt_resent")
                tally.in_doubt.append(item.label)
        elif status == "refused":
            tally.add(item, "refused")
            tally.refused.append(item.label)
        else:
            tally.add(item, "pending")
            tally.pending.append(item.label)
    tally.last_failure = stopped


def _hand_over(
    transport: Any, envelope: Envelope, delays: tuple[float, ...],
    sleep: Callable[[float], None], waiting: Callable[[bool], None],
) -> tuple[str, str | None, bool]:
    """``(outcome, stop_reason, maybe_sent_before)``: accepted, refused, or after the retries
    deferred (known not accepted) / maybe (possibly accepted); a stop reason ends the batch.
    ``maybe_sent_before``: an earlier attempt may have been accepted (a retry then makes a
    possible duplicate)."""
    maybe = False
    for attempt in range(len(delays) + 1):
        try:
            transport.send(envelope)
            return "accepted", None, maybe
        except PermanentRefusal as refusal:
            log.warning("message refused with %s %s at %s", refusal.code, refusal.status,
                        refusal.stage)
            return "refused", None, maybe
        except TransientFailure as failure:
            maybe = maybe or failure.maybe_accepted
            log.warning("transient mail failure (attempt %d of %d): %s", attempt + 1,
                        len(delays) + 1, failure)
            if attempt < len(delays):
                waiting(maybe)
                sleep(delays[attempt])
                continue
            return ("maybe" if maybe else "deferred"), str(failure), maybe
        except DeliveryError:
            raise
    raise AssertionError("unreachable")


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _insert(engine: sa.Engine, business_date: date, row: dict[str, Any], run_id: str | None):
    values = {**row, "business_date": business_date.isoformat(), "run_id": run_id}
    with engine.begin() as conn:
        conn.execute(statement("plans/mail_deliveries_insert.sql"), values)


def _row_key(business_date: date, row: dict[str, Any]) -> dict[str, Any]:
    """The bind values naming one ledger row (its primary key)."""
    return {"d": business_date.isoformat(), "kind": row["document_kind"],
            "key": row["document_key"], "sha": row["content_sha256"],
            "transport": row["transport"], "rsha": row["recipient_sha256"],
            "seq": row["sequence"]}


def _update(engine: sa.Engine, business_date: date, row: dict[str, Any], status: str,
            in_doubt: bool) -> None:
    with engine.begin() as conn:
        conn.execute(statement("plans/mail_deliveries_update_outcome.sql"), {
            "status": status, "in_doubt": int(in_doubt),
            "accepted_at": _now() if status == "accepted" else None,
            **_row_key(business_date, row)})


def _set_status(engine: sa.Engine, business_date: date, row: dict[str, Any], status: str):
    with engine.begin() as conn:
        conn.execute(statement("plans/mail_deliveries_update_status.sql"),
                     {"status": status, **_row_key(business_date, row)})


def _record_withheld(engine: sa.Engine, business_date: date, item: Item, transport: str,
                     run_id: str | None, rows: list[dict[str, Any]]) -> None:
    """Record once (per version of the document and transport) that no one may receive it;
    ``rows`` is the date's ledger as read at the start of the run."""
    row = {
        "document_kind": item.kind, "document_key": item.key,
        "content_sha256": item.content_sha256, "transport": transport, "recipient_sha256": "",
        "sequence": 0, "recipient_kind": item.recipient_kind,
        "recipient_key": item.recipient_key or item.branch_id, "message_id": "",
        "reason": item.problem[:32], "status": "withheld", "in_doubt": 0, "attempts": 0,
        "requested_by": None, "intent_at": _now(), "run_id": run_id,
    }
    key = _row_key(business_date, row)
    if any(_row_key(business_date, known) == key for known in rows):
        return
    _insert(engine, business_date, row, run_id)
    rows.append(row)


def _result(tally: Tally, skipped: Counter, transport: str, dry_run: bool,
            connections: int) -> dict[str, Any]:
    # the outcomes an operator looks for are always there, zero or not
    totals = Counter({key: 0 for key in ("sent", "already_sent", "refused", "withheld",
                                          "pending")})
    totals.update(tally.totals())
    if dry_run:
        del totals["sent"]
        totals["would_send"] += 0
    return {
        "transport": transport,
        "dry_run": dry_run,
        "counts": dict(sorted(totals.items())),
        "by_kind": {kind: dict(sorted(counts.items())) for kind, counts in tally.by_kind.items()},
        "skipped": dict(sorted(skipped.items())),
        "withheld": tally.withheld,
        "refused": tally.refused,
        "pending": tally.pending,
        "in_doubt_resent": tally.in_doubt,
        "connections": connections,
        "last_failure": tally.last_failure,
    }

