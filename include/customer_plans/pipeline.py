"""The nightly pipeline as plain functions, one per stage, for the DAG and the CLI.

Each function takes the business date and the run's settings, reads what the
previous stage wrote for that date, writes its own output, and returns a small
JSON-safe summary (paths, counts): never data frames, never personal data.
Heavy libraries are imported inside the functions so that DAG parsing stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from customer_plans.settings import Settings, load_settings


@dataclass(frozen=True)
class RunContext:
    """Where one business date's run reads and writes."""

    business_date: date
    settings: Settings = field(default_factory=load_settings)

    @property
    def staging_dir(self) -> Path:
        return self.settings.staging_root / self.business_date.isoformat()

    @property
    def quality_dir(self) -> Path:
        return self.settings.quality_root / self.business_date.isoformat()

    @property
    def plans_dir(self) -> Path:
        return self.settings.plans_root / self.business_date.isoformat()

    @property
    def outbox_dir(self) -> Path:
        return self.settings.outbox_root / self.business_date.isoformat()

    @property
    def audit_dir(self) -> Path:
        return self.settings.audit_root / self.business_date.isoformat()

    def rules(self):
        from customer_plans.rules import load_rules

        return load_rules(self.settings.rules_path)


def is_closed(ctx: RunContext) -> bool:
    from customer_plans.eod import is_business_date_closed

    return is_business_date_closed(ctx.settings.core_banking_url, ctx.business_date)


def extract_names() -> list[str]:
    from customer_plans.extract import EXTRACTS

    return list(EXTRACTS)


def extract(ctx: RunContext, name: str) -> dict[str, Any]:
    from customer_plans.extract import run_extract

    return run_extract(
        name, ctx.settings.core_banking_url, ctx.business_date, ctx.settings.staging_root,
        ctx.rules(), bank_locale=ctx.settings.locale,
    )


def validate(ctx: RunContext) -> dict[str, Any]:
    """Validate the staged extracts; raises ``DataQualityError`` on a blocking failure."""
    from customer_plans.quality import previous_counts, validate_staging

    return validate_staging(
        ctx.settings.staging_root,
        ctx.business_date,
        ctx.settings.quality_root,
        ctx.rules(),
        previous_counts=previous_counts(ctx.settings.quality_root, ctx.business_date),
    )


def segment(ctx: RunContext) -> dict[str, Any]:
    from customer_plans.segment import run_segmentation

    return run_segmentation(
        ctx.staging_dir, ctx.settings.plans_db_url, ctx.business_date, ctx.rules()
    )


def branch_batches(ctx: RunContext, n_batches: int) -> list[list[str]]:
    from customer_plans.assign import branch_batches as batches

    return batches(ctx.staging_dir, n_batches)


def assign(ctx: RunContext, branch_ids: list[str] | None = None) -> dict[str, Any]:
    from customer_plans.assign import run_assignment

    return run_assignment(
        ctx.staging_dir, ctx.settings.plans_db_url, ctx.business_date, ctx.rules(),
        branch_ids=branch_ids,
    )


def manager_batches(ctx: RunContext, batch_size: int, min_batches: int = 1) -> list[list[str]]:
    from customer_plans.render import manager_batches as batches

    return batches(
        ctx.settings.plans_db_url, ctx.business_date, ctx.staging_dir / "managers.parquet",
        batch_size=batch_size, min_batches=min_batches,
    )


def render(ctx: RunContext, manager_ids: list[str]) -> dict[str, Any]:
    from customer_plans.render import render_manager_batch

    return render_manager_batch(
        manager_ids, ctx.business_date, ctx.settings.plans_db_url, ctx.staging_dir,
        ctx.plans_dir, ctx.rules(), quality_dir=ctx.quality_dir,
    )


def rollup_batches(ctx: RunContext, n_batches: int) -> list[list[str]]:
    from customer_plans.render import rollup_batches as batches

    return batches(ctx.staging_dir / "managers.parquet", n_batches)


def render_rollups(ctx: RunContext, branch_ids: list[str] | None = None) -> dict[str, Any]:
    from customer_plans.render import render_branch_rollups

    return render_branch_rollups(
        ctx.business_date, ctx.settings.plans_db_url, ctx.staging_dir, ctx.plans_dir,
        ctx.rules(), quality_dir=ctx.quality_dir, branch_ids=branch_ids,
    )


def deliver(ctx: RunContext, transport=None) -> dict[str, Any]:
    """Send each manager their own plan and each branch head their branch's roll-up, or write
    them to the outbox when ``transport`` is None.

    Returns the plans' counts with the roll-ups' under ``rollups`` (``sent``, ``updated``,
    ``already_sent``, ``no_rollup``, ``no_head_email``, ``bad_head_email``).
    """
    from customer_plans.deliver import deliver_plans, deliver_rollups

    args = (ctx.business_date, ctx.plans_dir, ctx.staging_dir, ctx.settings.plans_db_url,
            ctx.outbox_dir)
    plans = deliver_plans(*args, transport=transport)
    rollups = deliver_rollups(*args, transport=transport)
    return {**plans, "rollups": {k: v for k, v in rollups.items() if k != "transport"}}


def record(ctx: RunContext, run_info: dict[str, Any]) -> dict[str, Any]:
    from customer_plans.audit import record_run

    return record_run(ctx, run_info)


def run_all(ctx: RunContext, render_batch_size: int = 50) -> dict[str, Any]:
    """Run every stage in order without Airflow (CLI, benchmarks). Stops at the first failure."""
    if not is_closed(ctx):
        raise RuntimeError(f"business date {ctx.business_date} is not closed in the core system")
    summary: dict[str, Any] = {"extract": [extract(ctx, name) for name in extract_names()]}
    summary["validate"] = validate(ctx)
    summary["segment"] = segment(ctx)
    summary["assign"] = [assign(ctx, batch) for batch in branch_batches(ctx, 1)]
    summary["render"] = [render(ctx, batch) for batch in manager_batches(ctx, render_batch_size)]
    summary["rollups"] = render_rollups(ctx)
    summary["deliver"] = deliver(ctx)
    summary["record"] = record(ctx, {"run_id": "cli", "trigger": "cli"})
    return summary
