"""The nightly pipeline as plain functions, one per stage, for the DAG and the CLI.

Each function takes the run's ``RunContext`` (business date, settings, folders, rules) and
hands it to its stage's entry point, which reads what the previous stage wrote for that
date and writes its own output. Each returns a small JSON-safe summary (paths, counts):
never data frames, never personal data.
Heavy libraries are imported inside the functions so that DAG parsing stays fast.
"""

from __future__ import annotations

from typing import Any

# re-exported: the stages' callers (DAG, CLI, benchmarks) know it from here
from customer_plans.run_context import RunContext


def serves_no_plan(ctx: RunContext) -> dict[str, Any] | None:
    """What a stage returns for a business date that serves no plan date (None otherwise)."""
    if ctx.plan_date is not None:
        return None
    import logging

    reason = ctx.calendar().no_plan_reason(ctx.business_date)
    logging.getLogger(__name__).info("%s", reason)
    return {"business_date": ctx.business_date.isoformat(), "plan_date": None,
            "serves_no_plan": reason}


def check_words(ctx: RunContext) -> None:
    """Fail before anything is read when a word the run may need has no entry in a configured
    language's catalogue (``customer_plans.words.check``; once per process)."""
    from customer_plans.words.check import check_words_once

    check_words_once(ctx.rules(), ctx.settings.locale)


def is_closed(ctx: RunContext) -> bool:
    from customer_plans.eod import is_business_date_closed

    return is_business_date_closed(ctx.settings.core_banking_url, ctx.business_date)


def extract_names() -> list[str]:
    from customer_plans.extract import EXTRACTS

    return list(EXTRACTS)


def extract(ctx: RunContext, name: str) -> dict[str, Any]:
    from customer_plans.extract import run_extract

    return run_extract(ctx, name)


def validate(ctx: RunContext) -> dict[str, Any]:
    """Validate the staged extracts; raises ``DataQualityError`` on a blocking failure."""
    from customer_plans.quality import previous_counts, validate_staging

    return validate_staging(
        ctx, previous_counts=previous_counts(ctx.settings.quality_root, ctx.business_date))


def segment(ctx: RunContext) -> dict[str, Any]:
    from customer_plans.segment import run_segmentation

    return run_segmentation(ctx)


def branch_batches(ctx: RunContext, n_batches: int) -> list[list[str]]:
    from customer_plans.assign import branch_batches as batches

    if serves_no_plan(ctx):
        return []
    return batches(ctx.staging_dir, n_batches)


def assign(ctx: RunContext, branch_ids: list[str] | None = None) -> dict[str, Any]:
    from customer_plans.assign import run_assignment

    if (nothing := serves_no_plan(ctx)) is not None:
        return nothing
    return run_assignment(ctx, branch_ids)


def manager_batches(ctx: RunContext, batch_size: int, min_batches: int = 1) -> list[list[str]]:
    from customer_plans.render import manager_batches as batches

    if serves_no_plan(ctx):
        return []
    return batches(
        ctx.settings.plans_db_url, ctx.business_date, ctx.staging_dir / "managers.parquet",
        batch_size=batch_size, min_batches=min_batches,
    )


def render(ctx: RunContext, manager_ids: list[str]) -> dict[str, Any]:
    from customer_plans.render import render_manager_batch

    return render_manager_batch(ctx, manager_ids)


def rollup_batches(ctx: RunContext, n_batches: int) -> list[list[str]]:
    from customer_plans.render import rollup_batches as batches

    if serves_no_plan(ctx):
        return []
    return batches(ctx.staging_dir / "managers.parquet", n_batches)


def render_rollups(ctx: RunContext, branch_ids: list[str] | None = None) -> dict[str, Any]:
    from customer_plans.render import render_branch_rollups

    if (nothing := serves_no_plan(ctx)) is not None:
        return nothing
    return render_branch_rollups(ctx, branch_ids)


def deliver(
    ctx: RunContext,
    smtp=None,
    *,
    dry_run: bool = False,
    resend=None,
    run_id: str | None = None,
    fence=None,
) -> dict[str, Any]:
    """Send each document of the date to its reader: plans to managers, roll-ups and pool
    lists to branch heads (``customer_plans.deliver``).

    The delivery mode is the setting ``delivery_mode``: ``outbox`` writes ``.eml`` files;
    ``smtp`` sends through ``smtp`` (``mail.SmtpSettings``; the Airflow task passes the
    ``smtp_plans`` connection's), else the setting ``smtp_url`` (``CUSTOMER_PLANS_SMTP_URL``),
    else it is an error. The sender is the setting ``mail_from``, else the relay's, else
    ``DEFAULT_SENDER``; the waits between attempts are the setting ``smtp_retry_delays``.
    Raises ``DeliveryIncomplete`` when messages are still pending after the retries.
    """
    if (nothing := serves_no_plan(ctx)) is not None:
        return nothing
    from customer_plans.deliver import deliver_documents
    from customer_plans.mail import (
        OutboxTransport,
        SmtpSettings,
        SmtpTransport,
        TransportConfigError,
    )

    if ctx.settings.delivery_mode == "smtp":
        if smtp is None and ctx.settings.smtp_url:
            smtp = SmtpSettings.from_url(ctx.settings.smtp_url)
        if smtp is None:
            raise TransportConfigError(
                "the delivery mode is smtp (CUSTOMER_PLANS_DELIVERY) but no mail server is "
                "configured: define the smtp_plans Airflow connection or CUSTOMER_PLANS_SMTP_URL,"
                " or set CUSTOMER_PLANS_DELIVERY=outbox; nothing was sent")
        transport = SmtpTransport(smtp)
    else:
        transport = OutboxTransport(ctx.outbox_dir)
    # the setting mail_from, else the relay's sender; None: deliver_documents' default
    sender = ctx.settings.mail_from or (smtp.sender if smtp is not None else None)
    return deliver_documents(ctx, transport, sender=sender, dry_run=dry_run, resend=resend,
                             run_id=run_id, fence=fence)


def record(ctx: RunContext, run_info: dict[str, Any]) -> dict[str, Any]:
    from customer_plans.audit import record_run

    return record_run(ctx, run_info)


def run_all(ctx: RunContext, render_batch_size: int = 50, fence=None) -> dict[str, Any]:
    """Run every stage in order without Airflow (CLI, benchmarks). Stops at the first failure."""
    check_words(ctx)
    if not is_closed(ctx):
        raise RuntimeError(f"business date {ctx.business_date} is not closed in the core system")
    summary: dict[str, Any] = {"extract": [extract(ctx, name) for name in extract_names()]}
    summary["validate"] = validate(ctx)
    summary["segment"] = segment(ctx)
    summary["assign"] = [assign(ctx, batch) for batch in branch_batches(ctx, 1)]
    summary["render"] = [render(ctx, batch) for batch in manager_batches(ctx, render_batch_size)]
    summary["plan_date"] = ctx.plan_date.isoformat() if ctx.plan_date else None
    summary["rollups"] = render_rollups(ctx)
    summary["deliver"] = deliver(ctx, run_id="cli", fence=fence)
    summary["record"] = record(ctx, {"run_id": "cli", "trigger": "cli"})
    return summary
