"""A short summary of one business date's run: what was built and where it is."""

from __future__ import annotations

import json

import sqlalchemy as sa

from customer_plans.db import make_engine
from customer_plans.pipeline import RunContext


def run_summary(ctx: RunContext) -> dict:
    """Counts from the plans database and the output folders for the business date."""
    engine = make_engine(ctx.settings.plans_db_url)
    bd = {"business_date": ctx.business_date.isoformat()}
    out: dict = {"business_date": ctx.business_date.isoformat()}
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        if inspector.has_table("segments"):
            rows = conn.execute(sa.text(
                "select tier_code, count(*) from segments where business_date = :business_date "
                "group by tier_code order by count(*) desc"), bd).fetchall()
            out["customers_by_tier"] = {tier: n for tier, n in rows}
            rows = conn.execute(sa.text(
                "select churn_level, count(*) from segments where business_date = :business_date "
                "group by churn_level"), bd).fetchall()
            out["churn_risk"] = {level: n for level, n in rows}
        if inspector.has_table("plan_contacts"):
            rows = conn.execute(sa.text(
                "select status, count(*), count(distinct manager_id) from plan_contacts "
                "where business_date = :business_date group by status"), bd).fetchall()
            out["contacts"] = {status: {"contacts": n, "managers": m} for status, n, m in rows}
        if inspector.has_table("plan_exclusions"):
            out["exclusions"] = conn.execute(sa.text(
                "select count(*) from plan_exclusions where business_date = :business_date"),
                bd).scalar()
        if inspector.has_table("plan_deliveries"):
            out["deliveries"] = _deliveries(conn, inspector, bd)
    engine.dispose()
    quality = ctx.quality_dir / "summary.json"
    if quality.exists():
        summary = json.loads(quality.read_text(encoding="utf-8"))
        out["data_quality"] = {"status": summary.get("status"),
                               "warnings": summary.get("warnings", [])}
    out["plans"] = {
        "folder": str(ctx.plans_dir),
        "pdf": len(list(ctx.plans_dir.glob("*.pdf"))),
        "html": len(list(ctx.plans_dir.glob("*.html"))),
        "branch_rollups": len(list((ctx.plans_dir / "branches").glob("*.pdf"))),
    }
    out["outbox"] = {"folder": str(ctx.outbox_dir),
                     "emails": len(list(ctx.outbox_dir.glob("*.eml"))),
                     "rollup_emails": len(list((ctx.outbox_dir / "branches").glob("*.eml")))}
    out["quality_report"] = str(ctx.quality_dir / "report.html")
    out["audit_manifest"] = str(ctx.audit_dir / "manifest.json")
    return out


def _deliveries(conn: sa.Connection, inspector: sa.Inspector, bd: dict) -> dict[str, int]:
    """Emails sent for the date, from the ledger: plans and branch roll-ups (updates included)."""
    columns = {column["name"] for column in inspector.get_columns("plan_deliveries")}
    if "document_kind" not in columns:  # a ledger from before roll-ups were emailed
        plans = conn.execute(sa.text(
            "select count(*) from plan_deliveries where business_date = :business_date"),
            bd).scalar()
        return {"plans": int(plans or 0), "branch_rollups": 0}
    rows = dict(conn.execute(sa.text(
        "select document_kind, count(*) from plan_deliveries "
        "where business_date = :business_date group by document_kind"), bd).all())
    return {"plans": int(rows.get("plan", 0)), "branch_rollups": int(rows.get("branch_rollup", 0))}


def _counts(mapping: dict | None) -> str:
    return " · ".join(f"{key} {value:,}" for key, value in (mapping or {}).items()) or "none"


def format_summary(summary: dict) -> str:
    """The summary as a few lines for a person."""
    contacts = summary.get("contacts", {})
    planned = contacts.get("planned", {"contacts": 0, "managers": 0})
    deferred = contacts.get("deferred", {"contacts": 0})
    quality = summary.get("data_quality", {"status": "not validated", "warnings": []})
    plans = summary["plans"]
    sent = summary.get("deliveries", {"plans": 0, "branch_rollups": 0})
    outbox = summary["outbox"]
    lines = [
        f"Business date {summary['business_date']}",
        f"  customers by tier:  {_counts(summary.get('customers_by_tier'))}",
        f"  churn risk:         {_counts(summary.get('churn_risk'))}",
        f"  contacts planned:   {planned['contacts']:,} on {planned['managers']:,} lists "
        f"(deferred to later days: {deferred['contacts']:,})",
        f"  left out, with reasons: {summary.get('exclusions', 0):,} (table plan_exclusions)",
        f"  data quality:       {quality['status']}",
        *[f"    - {w['message'] if isinstance(w, dict) else w}" for w in quality["warnings"]],
        f"  plans:              {plans['html']} HTML + {plans['pdf']} PDF in {plans['folder']}",
        f"  branch roll-ups:    {plans['branch_rollups']} in {plans['folder']}/branches",
        f"  emails sent:        {sent['plans']:,} plans to managers, "
        f"{sent['branch_rollups']:,} branch roll-ups to branch heads (ledger plan_deliveries)",
        f"  outbox:             {outbox['emails']} plan emails in {outbox['folder']}, "
        f"{outbox.get('rollup_emails', 0)} roll-up emails in {outbox['folder']}/branches",
        f"  quality report:     {summary['quality_report']}",
        f"  audit manifest:     {summary['audit_manifest']}",
    ]
    return "\n".join(lines)
