"""A short summary of one business date's run: what was built and where it is."""

from __future__ import annotations

import json

import sqlalchemy as sa

from customer_plans.db import make_engine, statement
from customer_plans.run_context import RunContext


def run_summary(ctx: RunContext) -> dict:
    """Counts from the plans database and the output folders for the business date."""
    engine = make_engine(ctx.settings.plans_db_url)
    bd = {"business_date": ctx.business_date.isoformat()}
    out: dict = {"business_date": ctx.business_date.isoformat()}
    served = ctx.plan_date
    out["plan_date"] = served.isoformat() if served else None
    if served is None:
        out["serves_no_plan"] = ctx.calendar().no_plan_reason(ctx.business_date)
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        if inspector.has_table("segments"):
            rows = conn.execute(statement("plans/segments_count_by_tier.sql"), bd).fetchall()
            out["customers_by_tier"] = {tier: n for tier, n in rows}
            rows = conn.execute(statement("plans/segments_count_by_churn_level.sql"),
                                bd).fetchall()
            out["churn_risk"] = {level: n for level, n in rows}
        if inspector.has_table("plan_contacts"):
            rows = conn.execute(statement("plans/plan_contacts_count_by_status.sql"),
                                bd).fetchall()
            out["contacts"] = {status: {"contacts": n, "managers": m} for status, n, m in rows}
        if inspector.has_table("plan_exclusions"):
            out["exclusions"] = conn.execute(statement("plans/plan_exclusions_count.sql"),
                                             bd).scalar()
            pools = conn.execute(statement("plans/plan_contacts_pool_counts.sql"), bd).first()
            out["pools"] = {"lists": int(pools[0] or 0), "contacts": int(pools[1] or 0),
                            "level_1": int(pools[2] or 0)}
            taken = conn.execute(statement("plans/plan_contacts_taken_over_counts.sql"),
                                 bd).first()
            out["pools"].update(taken_over=int(taken[0] or 0),
                                taken_over_level_1=int(taken[1] or 0))
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


DELIVERY_KINDS = {"plan": "plans", "branch_rollup": "branch_rollups", "pool": "pool_lists"}


def _deliveries(conn: sa.Connection, inspector: sa.Inspector, bd: dict) -> dict:
    """What the delivery ledgers say about the date: documents accepted by the mail server (or
    written to the outbox) per kind, and the latest outcome of every document that was not."""
    out: dict = {"plans": 0, "branch_rollups": 0, "pool_lists": 0, "forwarded_to_head": 0,
                 "updates": 0, "resends": 0, "in_doubt_resent": 0, "refused": [],
                 "withheld": [], "pending": [], "transports": []}
    if inspector.has_table("plan_deliveries"):  # the ledger before mail_deliveries
        columns = {column["name"] for column in inspector.get_columns("plan_deliveries")}
        kind = "document_kind" if "document_kind" in columns else "'plan'"
        # stays inline: whether the old table has the kind column is read from the inspector
        for document_kind, transport, n in conn.execute(sa.text(
            f"select {kind}, transport, count(*) from plan_deliveries "  # noqa: S608
            f"where business_date = :business_date group by {kind}, transport"), bd):
            out[DELIVERY_KINDS.get(document_kind, "plans")] += int(n)
            out["transports"].append(transport)
    if inspector.has_table("mail_deliveries"):
        rows = conn.execute(statement("plans/mail_deliveries_timeline.sql"), bd).fetchall()
        latest: dict = {}
        for kind, key, status, reason, in_doubt, recipient_kind, transport, _at in rows:
            out["transports"].append(transport)
            if status == "accepted":
                out[DELIVERY_KINDS.get(kind, kind)] += 1
                out["forwarded_to_head"] += int(kind == "plan" and recipient_kind == "branch_head")
                out["updates"] += int(reason == "update")
                out["resends"] += int(reason == "resend")
                out["in_doubt_resent"] += int(bool(in_doubt))
            latest[(kind, key)] = (status, reason)
        for (kind, key), (status, reason) in sorted(latest.items()):
            if status == "refused":
                out["refused"].append(f"{kind} {key}")
            elif status == "withheld":
                out["withheld"].append(f"{kind} {key} ({reason})")
            elif status in ("sending", "deferred"):
                out["pending"].append(f"{kind} {key}")
    out["transports"] = sorted(set(out["transports"]))
    return out


def _problem_lines(title: str, labels: list[str], shown: int = 10) -> list[str]:
    if not labels:
        return [f"  {title}: 0"]
    more = f", and {len(labels) - shown} more" if len(labels) > shown else ""
    return [f"  {title}: {len(labels)}: {', '.join(labels[:shown])}{more}"]


def _counts(mapping: dict | None) -> str:
    return " · ".join(f"{key} {value:,}" for key, value in (mapping or {}).items()) or "none"


def format_summary(summary: dict) -> str:
    """The summary as a few lines for a person."""
    contacts = summary.get("contacts", {})
    planned = contacts.get("planned", {"contacts": 0, "managers": 0})
    deferred = contacts.get("deferred", {"contacts": 0})
    quality = summary.get("data_quality", {"status": "not validated", "warnings": []})
    plans = summary["plans"]
    sent = summary.get("deliveries", {})
    pools = summary.get("pools", {"lists": 0, "contacts": 0, "level_1": 0})
    outbox = summary["outbox"]
    lines = [
        f"Business date {summary['business_date']}: "
        + (f"plans the working day {summary['plan_date']}" if summary.get("plan_date")
           else f"serves no plan date ({summary.get('serves_no_plan', '')})"),
        f"  customers by tier:  {_counts(summary.get('customers_by_tier'))}",
        f"  churn risk:         {_counts(summary.get('churn_risk'))}",
        f"  contacts planned:   {planned['contacts']:,} on {planned['managers']:,} lists "
        f"(deferred to later days: {deferred['contacts']:,})",
        f"  left out, with reasons: {summary.get('exclusions', 0):,} (table plan_exclusions)",
        f"  data quality:       {quality['status']}",
        *[f"    - {w['message'] if isinstance(w, dict) else w}" for w in quality["warnings"]],
        f"  plans:              {plans['html']} HTML + {plans['pdf']} PDF in {plans['folder']}",
        f"  branch roll-ups:    {plans['branch_rollups']} in {plans['folder']}/branches",
        f"  pool lists:         {pools['lists']} (customers whose manager left or who have "
        f"none): {pools['contacts']:,} contacts, {pools['level_1']:,} of them most urgent, "
        f"left after managers of the branch took over {pools.get('taken_over', 0):,} "
        f"({pools.get('taken_over_level_1', 0):,} most urgent)",
        f"  emails sent:        {sent.get('plans', 0):,} plans to managers, "
        f"{sent.get('branch_rollups', 0):,} branch roll-ups and {sent.get('pool_lists', 0):,} "
        f"pool lists to branch heads ({', '.join(sent.get('transports', [])) or 'none'}; "
        "ledger mail_deliveries)",
        f"    of them: {sent.get('forwarded_to_head', 0):,} plans forwarded to the branch head "
        f"(no usable manager address), {sent.get('updates', 0):,} updates, "
        f"{sent.get('resends', 0):,} resends, {sent.get('in_doubt_resent', 0):,} in doubt, "
        "resent",
        *_problem_lines("refused by the mail server", sent.get("refused", [])),
        *_problem_lines("withheld (no one may receive them)", sent.get("withheld", [])),
        *_problem_lines("still pending (a rerun sends them)", sent.get("pending", [])),
        f"  outbox:             {outbox['emails']} plan emails in {outbox['folder']}, "
        f"{outbox.get('rollup_emails', 0)} roll-up emails in {outbox['folder']}/branches",
        f"  quality report:     {summary['quality_report']}",
        f"  audit manifest:     {summary['audit_manifest']}",
    ]
    return "\n".join(lines)
