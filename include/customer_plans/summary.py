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
            out["deliveries"] = conn.execute(sa.text(
                "select count(*) from plan_deliveries where business_date = :business_date"),
                bd).scalar()
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
                     "emails": len(list(ctx.outbox_dir.glob("*.eml")))}
    out["quality_report"] = str(ctx.quality_dir / "report.html")
    out["audit_manifest"] = str(ctx.audit_dir / "manifest.json")
    return out
