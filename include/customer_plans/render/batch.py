"""The render stage: who gets a plan, and rendering them in batches.

A task renders a batch of managers (a few hundred, so that Airflow's per-task start-up
is paid rarely) in layout chunks of ``LAYOUT_CHUNK`` managers: each chunk costs one
WeasyPrint layout (see ``pdf.py``) plus one Jinja render and one CSS inlining per
manager, and is written before the next is laid out, so memory stays bounded. The branch
roll-ups follow the plans, a batch of branches per task, laid out the same way. Files
are written atomically (temporary name, then rename), so a retry or a rerun replaces a
plan whole and a reader never sees half a file. Return values carry counts and timings
only, never personal data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from customer_plans.batching import balanced_batches
from customer_plans.files import write_bytes_atomic
from customer_plans.render.context import PlanContext, build_plan_contexts
from customer_plans.render.data import (
    load_plan_inputs,
    load_rollup_inputs,
    plan_manager_ids,
    read_managers,
)
from customer_plans.render.environment import get_environment
from customer_plans.render.html import render_plan_html, render_rollup_html
from customer_plans.render.pdf import PrintSection, render_section_pdfs
from customer_plans.render.rollup import BranchContext, build_branch_contexts

if TYPE_CHECKING:
    from customer_plans.run_context import RunContext

log = logging.getLogger(__name__)

ACTIVE_STATUS = "active"
# managers laid out as one WeasyPrint document: the fixed cost per document is spread
# over the chunk, and the chunk's pages (a few per manager) are all held in memory
LAYOUT_CHUNK = 10


@dataclass(frozen=True)
class RenderedDocument:
    """One rendered plan or roll-up: its file stem, email HTML and PDF bytes."""

    key: str
    html: str
    pdf: bytes


def write_documents(documents: Sequence[RenderedDocument], out_dir: Path) -> None:
    """``<key>.html`` and ``<key>.pdf`` for each document."""
    for document in documents:
        write_bytes_atomic(out_dir / f"{document.key}.pdf", document.pdf)
        write_bytes_atomic(out_dir / f"{document.key}.html", document.html.encode("utf-8"))


def plan_section(plan: PlanContext) -> PrintSection:
    """A plan's body for the print document."""
    body = get_environment().get_template("plan_section.html").render(
        plan=plan, words=plan.words, currency=plan.currency, medium="print"
    )
    return PrintSection(
        key=plan.manager_id, body=Markup(body), words=plan.words, title=plan.document_title
    )


def rollup_section(branch: BranchContext) -> PrintSection:
    """A roll-up's body for the print document."""
    body = get_environment().get_template("branch_rollup.html").render(
        branch=branch, words=branch.words, medium="print"
    )
    return PrintSection(
        key=branch.branch_id, body=Markup(body), words=branch.words, title=branch.document_title
    )


def _render_and_write(items: Sequence, render, out_dir: Path, layout_chunk: int) -> None:
    if layout_chunk < 1:
        raise ValueError(f"layout_chunk must be at least 1, got {layout_chunk}")
    for start in range(0, len(items), layout_chunk):
        write_documents(render(items[start : start + layout_chunk]), Path(out_dir))


def render_and_write_plans(
    plans: Sequence[PlanContext], out_dir: Path, layout_chunk: int = LAYOUT_CHUNK
) -> None:
    """Render ``plans`` ``layout_chunk`` at a time, writing each chunk before the next."""
    _render_and_write(plans, render_plans, out_dir, layout_chunk)


def render_and_write_rollups(
    branches: Sequence[BranchContext], out_dir: Path, layout_chunk: int = LAYOUT_CHUNK
) -> None:
    """Render roll-ups ``layout_chunk`` at a time, writing each chunk before the next: a
    task's memory stays that of one chunk (a task of 250 roll-ups laid out as one document
    took 2.3 GB)."""
    _render_and_write(branches, render_rollups, out_dir, layout_chunk)


def render_plans(plans: Sequence[PlanContext]) -> list[RenderedDocument]:
    """Email HTML and PDF for each plan; the PDFs come from one layout of the whole batch."""
    pdfs = render_section_pdfs([plan_section(plan) for plan in plans])
    return [
        RenderedDocument(key=plan.manager_id, html=render_plan_html(plan), pdf=pdf)
        for plan, pdf in zip(plans, pdfs, strict=True)
    ]


def render_rollups(branches: Sequence[BranchContext]) -> list[RenderedDocument]:
    """Email HTML and PDF for each branch roll-up, laid out as one batch."""
    pdfs = render_section_pdfs([rollup_section(branch) for branch in branches])
    return [
        RenderedDocument(key=branch.branch_id, html=render_rollup_html(branch), pdf=pdf)
        for branch, pdf in zip(branches, pdfs, strict=True)
    ]


def managers_to_render(manager_roster, planned_manager_ids: Sequence[str]) -> list[str]:
    """Every active manager (zero contacts included) plus every manager with plan lines."""
    active = manager_roster.loc[manager_roster["status"] == ACTIVE_STATUS, "manager_id"]
    return sorted({str(m) for m in active} | {str(m) for m in planned_manager_ids})


def manager_batches(
    plans_db_url: str,
    business_date: date,
    managers_path: Path,
    batch_size: int = 50,
    min_batches: int = 1,
) -> list[list[str]]:
    """The managers who must get a plan on ``business_date``, in batches of ``batch_size``.

    Every active manager on the roster gets one, with or without contacts, and so does
    every manager with plan lines (a colleague covering for someone, the branch pool).
    Batches are made smaller when that gives at least ``min_batches`` of them (one per
    worker slot), so a small bank still renders on every slot.
    """
    if batch_size < 1 or min_batches < 1:
        raise ValueError(
            f"batch_size and min_batches must be at least 1, got {batch_size} and {min_batches}"
        )
    managers = managers_to_render(
        read_managers(Path(managers_path)), plan_manager_ids(plans_db_url, business_date)
    )
    size = max(1, min(batch_size, -(-len(managers) // min_batches)))
    return [managers[i : i + size] for i in range(0, len(managers), size)]


def rollup_batches(managers_path: Path, n_batches: int) -> list[list[str]]:
    """The branches that get a roll-up (the roster managers' branches) in at most
    ``n_batches`` batches, balanced by manager count: a roll-up's cost grows with the
    managers it lists."""
    managers = read_managers(Path(managers_path)).drop_duplicates("manager_id")
    sizes = managers["branch_id"].dropna().astype(str).value_counts()
    return balanced_batches({branch: int(n) for branch, n in sizes.items()}, n_batches)


def render_manager_batch(
    ctx: RunContext,
    manager_ids: Sequence[str],
    *,
    layout_chunk: int = LAYOUT_CHUNK,
) -> dict[str, float | int]:
    """Render and write ``<plans_dir>/<manager_id>.html`` (email body) and ``.pdf`` per
    manager, from the context's plans DB, staging folder and data-quality verdict
    (``quality_dir``; none there: "not reported").

    Plans are laid out ``layout_chunk`` at a time and each chunk's files are written
    before the next chunk is laid out. Returns ``{'managers': n, 'contacts': n, 'seconds': x}``.
    """
    if layout_chunk < 1:
        raise ValueError(f"layout_chunk must be at least 1, got {layout_chunk}")
    started = time.perf_counter()
    business_date = ctx.business_date
    manager_ids = list(manager_ids)
    inputs = load_plan_inputs(manager_ids, business_date, ctx.settings.plans_db_url,
                              ctx.staging_dir, ctx.quality_dir)
    plans = build_plan_contexts(inputs, manager_ids, business_date, ctx.rules())
    render_and_write_plans(plans, ctx.plans_dir, layout_chunk)
    seconds = round(time.perf_counter() - started, 3)
    contacts = int(len(inputs.contacts))
    log.info(
        "render: %d plans (%d plan lines) for %s in %.1f s",
        len(plans), contacts, business_date, seconds,
    )
    return {"managers": len(plans), "contacts": contacts, "seconds": seconds}


def render_branch_rollups(
    ctx: RunContext, branch_ids: Sequence[str] | None = None
) -> dict[str, float | int]:
    """Render and write ``<plans_dir>/branches/<branch_id>.html`` and ``.pdf`` per branch of
    the roster, or per branch of ``branch_ids`` (a batch of ``rollup_batches``), laid out
    ``LAYOUT_CHUNK`` at a time, from the context's plans DB, staging folder and data-quality
    verdict.

    Returns ``{'branches': n, 'contacts': n, 'seconds': x}``.
    """
    started = time.perf_counter()
    business_date = ctx.business_date
    inputs = load_rollup_inputs(business_date, ctx.settings.plans_db_url, ctx.staging_dir,
                                ctx.quality_dir)
    branches = build_branch_contexts(inputs, business_date, ctx.rules(), branch_ids)
    render_and_write_rollups(branches, ctx.plans_dir / "branches")
    seconds = round(time.perf_counter() - started, 3)
    log.info("render: %d branch roll-ups for %s in %.1f s", len(branches), business_date, seconds)
    return {"branches": len(branches), "contacts": int(len(inputs.contacts)), "seconds": seconds}
