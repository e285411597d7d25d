"""What an auditor needs: the inputs, rules and outputs of every run, and proof they did not change.

``record_run`` writes a manifest for the business date: the SHA-256 and row count of
every staged extract, the rules file, the languages file and the message catalogues in
force (a copy of each is kept beside the manifest), the data-quality results, a content
hash of the business date's rows in every plans table (segments, contacts and the reasons
for each, exclusions, feedback, deliveries), and the hash of every plan file. Each manifest also
carries the hash of the manifest recorded before it, so the records form a chain: changing any
recorded file, row or earlier manifest afterwards is found by ``verify_run``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from customer_plans.db import make_engine, run_script, statement
from customer_plans.files import sha256_file, write_bytes_atomic
from customer_plans.settings import LANGUAGES_PATH, LOCALE_DIR

if TYPE_CHECKING:
    from customer_plans.run_context import RunContext

PLANS_TABLES = ("segments", "plan_contacts", "plan_exclusions", "plan_feedback", "plan_deliveries",
                "mail_deliveries")
# columns that record when something happened, not what: left out of content hashes
VOLATILE_COLUMNS = {"delivered_at", "created_at", "computed_at", "intent_at", "accepted_at"}


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _files(folder: Path, pattern: str = "*") -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): sha256_file(path)
        for path in sorted(folder.rglob(pattern))
        if path.is_file() and not path.name.startswith(".")
    }


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.read_metadata(path).num_rows


def table_fingerprint(
    engine: sa.Engine, table: str, business_date: date, chunk_rows: int = 100_000
) -> dict[str, Any] | None:
    """Row count and content hash of one table's rows for the business date (None if absent).

    Rows are read in primary-key order and hashed chunk by chunk, so memory stays bounded
    at a million customers.
    """
    inspector = sa.inspect(engine)
    if not inspector.has_table(table):
        return None
    columns = [c["name"] for c in inspector.get_columns(table) if c["name"] not in VOLATILE_COLUMNS]
    keys = inspector.get_pk_constraint(table).get("constrained_columns") or columns
    # stays inline (not an SQL file): the table and its columns come from the inspector
    sql = (
        f"select {', '.join(columns)} from {table} "  # noqa: S608 - names from the inspector
        f"where business_date = :business_date order by {', '.join(keys)}"
    )
    digest = hashlib.sha256()
    rows = 0
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(
            sa.text(sql), {"business_date": business_date.isoformat()}
        )
        while batch := result.fetchmany(chunk_rows):
            frame = pd.DataFrame(batch, columns=columns).astype(str)
            digest.update(frame.to_csv(index=False, header=False).encode())
            rows += len(frame)
    return {"rows": rows, "sha256": digest.hexdigest()}


def build_manifest(ctx: RunContext) -> dict[str, Any]:
    """Everything the business date's plans were built from and produced, with hashes."""
    rules = ctx.rules()
    engine = make_engine(ctx.settings.plans_db_url)
    try:
        tables = {t: table_fingerprint(engine, t, ctx.business_date) for t in PLANS_TABLES}
        deliveries = delivery_counts(engine, ctx.business_date)
    finally:
        engine.dispose()
    quality_summary: dict[str, Any] = {}
    summary_path = ctx.quality_dir / "summary.json"
    if summary_path.exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        quality_summary = {
            "status": summary.get("status"),
            "warnings": len(summary.get("warnings", [])),
            "quarantined": summary.get("quarantined", 0),
        }
    inputs = {
        name: {"sha256": sha, "rows": _parquet_rows(ctx.staging_dir / name)}
        for name, sha in _files(ctx.staging_dir, "*.parquet").items()
    }
    return {
        "business_date": ctx.business_date.isoformat(),
        "rules": {
            "version": rules.version,
            "sha256": rules.content_hash,
            "copy": f"rules-{rules.content_hash[:12]}.yaml",
        },
        # every word the plans were written in: the languages file and each catalogue
        "words": {name: {"sha256": (sha := sha256_file(path)),
                         "copy": f"words-{sha[:12]}-{name.replace('/', '-')}"}
                  for name, path in words_files().items()},
        "inputs": inputs,
        "quality": {"summary": quality_summary, "files": _files(ctx.quality_dir)},
        "tables": {name: fp for name, fp in tables.items() if fp is not None},
        "plans": _files(ctx.plans_dir),
        "outbox": _files(ctx.outbox_dir),
        "deliveries": deliveries,
    }


def words_files() -> dict[str, Path]:
    """The files the plans' words come from: the languages file and each language's
    catalogue (``customer_plans.words``), by a name the manifest keeps them under."""
    files = {"languages.yaml": LANGUAGES_PATH}
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")):
        files[f"{po.parts[-3]}/messages.po"] = po
    return files


def delivery_counts(engine: sa.Engine, business_date: date) -> dict[str, Any]:
    """The date's messages by transport and outcome, as the ledger has them (``in_doubt``:
    resent because an earlier handover's outcome was never recorded)."""
    if not sa.inspect(engine).has_table("mail_deliveries"):
        return {}
    with engine.connect() as conn:
        rows = conn.execute(statement("plans/mail_deliveries_outcome_counts.sql"),
                            {"d": business_date.isoformat()}).fetchall()
    out: dict[str, dict[str, int]] = {}
    for transport, status, reason, in_doubt, n in rows:
        counts = out.setdefault(transport, {})
        counts[status] = counts.get(status, 0) + n
        if status == "accepted" and reason in ("update", "resend"):
            counts[reason] = counts.get(reason, 0) + n
        if in_doubt:
            counts["in_doubt_resent"] = counts.get("in_doubt_resent", 0) + n
    return out


def record_run(ctx: RunContext, run_info: dict[str, Any]) -> dict[str, Any]:
    """Write the manifest for the business date and append it to the ``run_audit`` chain."""
    manifest = build_manifest(ctx)
    ctx.audit_dir.mkdir(parents=True, exist_ok=True)
    rules_copy = ctx.audit_dir / manifest["rules"]["copy"]
    if not rules_copy.exists():
        shutil.copyfile(ctx.settings.rules_path, rules_copy)
    sources = words_files()
    for name, entry in manifest["words"].items():
        copy = ctx.audit_dir / entry["copy"]
        if copy.exists():
            continue
        # the bytes that were hashed, or none: a copy must match its manifest entry
        data = sources[name].read_bytes()
        if _sha256_bytes(data) != entry["sha256"]:
            raise RuntimeError(
                f"the words file {sources[name]} changed while the run for "
                f"{ctx.business_date} was being recorded: record it again")
        write_bytes_atomic(copy, data)

    engine = make_engine(ctx.settings.plans_db_url)
    run_script(engine, "plans/run_audit.sql")
    recorded_at = datetime.now(UTC).replace(microsecond=0)
    try:
        with engine.begin() as conn:
            last = conn.execute(statement("plans/run_audit_latest.sql")).first()
            seq = (last[0] + 1) if last else 1
            document = {
                "record_seq": seq,
                "run": run_info,
                "recorded_at": recorded_at.isoformat(),
                "previous_manifest_sha256": last[1] if last else None,
                **manifest,
            }
            body = canonical_json(document)
            digest = _sha256_bytes(body)
            conn.execute(
                statement("plans/run_audit_insert.sql"),
                {
                    "seq": seq,
                    "business_date": ctx.business_date.isoformat(),
                    "run_id": str(run_info.get("run_id", "")),
                    "recorded_at": recorded_at.replace(tzinfo=None),
                    "sha": digest,
                    "previous": document["previous_manifest_sha256"],
                    "body": body.decode(),
                },
            )
    finally:
        engine.dispose()
    path = write_bytes_atomic(ctx.audit_dir / "manifest.json", body)
    return {
        "record_seq": seq,
        "manifest": str(path),
        "manifest_sha256": digest,
        "inputs": len(manifest["inputs"]),
        "plans": len(manifest["plans"]),
    }


def verify_run(ctx: RunContext) -> list[str]:
    """Problems found re-checking the business date's latest manifest and the whole chain.

    An empty list means: the chain of records is intact, and every file and table
    row recorded for the business date is unchanged.
    """
    problems: list[str] = []
    engine = make_engine(ctx.settings.plans_db_url)
    try:
        if not sa.inspect(engine).has_table("run_audit"):
            return ["no run has been recorded (table run_audit is missing)"]
        with engine.connect() as conn:
            records = conn.execute(statement("plans/run_audit_chain.sql")).fetchall()
        previous = None
        latest = None
        for seq, business_date, sha, prev, body in records:
            if _sha256_bytes(body.encode()) != sha:
                problems.append(f"record {seq}: manifest does not match its recorded hash")
            if prev != previous:
                problems.append(f"record {seq}: chain broken (previous hash does not match)")
            previous = sha
            if str(business_date)[:10] == ctx.business_date.isoformat():
                latest = json.loads(body)
        if latest is None:
            return problems + [f"no record for business date {ctx.business_date}"]
        current = build_manifest(ctx)
        for section in ("inputs", "plans", "outbox"):
            recorded, now = latest.get(section, {}), current.get(section, {})
            for name in sorted(set(recorded) | set(now)):
                if recorded.get(name) != now.get(name):
                    problems.append(f"{section}/{name}: changed since it was recorded")
        for name in sorted(set(latest["tables"]) | set(current["tables"])):
            now = current["tables"].get(name)
            if name not in latest["tables"] and now is not None and now.get("rows") == 0:
                continue  # a table created after the record, with nothing for this date
            if latest["tables"].get(name) != now:
                problems.append(
                    f"table {name}: rows for {ctx.business_date} changed since recorded"
                )
        if latest["rules"]["sha256"] != sha256_file(ctx.audit_dir / latest["rules"]["copy"]):
            problems.append("the recorded copy of the rules file has changed")
        # the words files (records before the catalogue kept the talking points file instead)
        kept = dict(latest.get("words") or {})
        if latest.get("talking_points") is not None:
            kept["talking points"] = latest["talking_points"]
        for name, entry in sorted(kept.items()):
            copy = ctx.audit_dir / entry["copy"]
            if not copy.is_file():
                problems.append(f"the recorded copy of the {name} file is missing")
            elif sha256_file(copy) != entry["sha256"]:
                problems.append(f"the recorded copy of the {name} file has changed")
    finally:
        engine.dispose()
    return problems
