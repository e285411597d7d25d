"""The audit record: what a plan was built from, and proof nothing changed afterwards."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans.audit import record_run, verify_run, words_files
from customer_plans.pipeline import RunContext
from customer_plans.settings import load_settings
from customer_plans.staging import write_frame

BUSINESS_DATE = date(2026, 11, 19)


@pytest.fixture
def ctx(tmp_path) -> RunContext:
    settings = load_settings({"CUSTOMER_PLANS_HOME": str(tmp_path)})
    ctx = RunContext(BUSINESS_DATE, settings)
    write_frame(pd.DataFrame({"customer_id": ["C1", "C2"], "manager_id": ["M1", "M1"]}),
                ctx.staging_dir / "customers.parquet")
    ctx.plans_dir.mkdir(parents=True)
    (ctx.plans_dir / "M1.html").write_text("<html>plan</html>", encoding="utf-8")
    engine = sa.create_engine(settings.plans_db_url)
    (tmp_path / "data").mkdir(exist_ok=True)
    pd.DataFrame({
        "business_date": [BUSINESS_DATE.isoformat()] * 2,
        "manager_id": ["M1", "M1"], "rank": [1, 2], "customer_id": ["C2", "C1"],
        "reasons": ['[{"code":"maturity_due"}]', '[{"code":"birthday"}]'],
    }).to_sql("plan_contacts", engine, index=False)
    engine.dispose()
    return ctx


def test_record_then_verify_is_clean(ctx):
    result = record_run(ctx, {"run_id": "manual__1"})
    manifest = json.loads((ctx.audit_dir / "manifest.json").read_text(encoding="utf-8"))
    assert result["record_seq"] == 1 and manifest["previous_manifest_sha256"] is None
    assert manifest["inputs"]["customers.parquet"]["rows"] == 2
    assert manifest["tables"]["plan_contacts"]["rows"] == 2
    assert manifest["rules"]["sha256"] == ctx.rules().content_hash
    assert (ctx.audit_dir / manifest["rules"]["copy"]).exists()
    assert verify_run(ctx) == []


def test_records_form_a_chain(ctx):
    first = record_run(ctx, {"run_id": "manual__1"})
    second = record_run(ctx, {"run_id": "manual__2"})
    manifest = json.loads((ctx.audit_dir / "manifest.json").read_text(encoding="utf-8"))
    assert second["record_seq"] == 2
    assert manifest["previous_manifest_sha256"] == first["manifest_sha256"]
    assert verify_run(ctx) == []


def test_a_changed_plan_file_is_found(ctx):
    record_run(ctx, {"run_id": "manual__1"})
    (ctx.plans_dir / "M1.html").write_text("<html>edited afterwards</html>", encoding="utf-8")
    assert verify_run(ctx) == ["plans/M1.html: changed since it was recorded"]


def test_a_changed_reason_in_the_database_is_found(ctx):
    record_run(ctx, {"run_id": "manual__1"})
    engine = sa.create_engine(ctx.settings.plans_db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("update plan_contacts set reasons = '[]' where customer_id = 'C1'")
    assert verify_run(ctx) == [
        f"table plan_contacts: rows for {BUSINESS_DATE} changed since recorded"
    ]


def test_a_rewritten_audit_record_breaks_the_chain(ctx):
    record_run(ctx, {"run_id": "manual__1"})
    record_run(ctx, {"run_id": "manual__2"})
    engine = sa.create_engine(ctx.settings.plans_db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "update run_audit set manifest_json = replace(manifest_json, 'manual__1', 'x') "
            "where record_seq = 1"
        )
    problems = verify_run(ctx)
    assert "record 1: manifest does not match its recorded hash" in problems


def test_another_output_folder_is_not_confused(ctx, tmp_path):
    record_run(ctx, {"run_id": "manual__1"})
    other = replace(ctx, business_date=date(2026, 11, 18))
    assert verify_run(other) == ["no record for business date 2026-11-18"]


def test_the_words_in_force_are_hashed_and_kept_beside_the_manifest(ctx):
    record_run(ctx, {"run_id": "manual__1"})
    manifest = json.loads((ctx.audit_dir / "manifest.json").read_text(encoding="utf-8"))
    files = words_files()
    assert set(manifest["words"]) == set(files)
    assert {"languages.yaml", "en/messages.po", "zh_CN/messages.po"} <= set(files)
    for name, path in files.items():
        shipped = path.read_bytes()
        sha = hashlib.sha256(shipped).hexdigest()
        assert manifest["words"][name]["sha256"] == sha
        assert (ctx.audit_dir / manifest["words"][name]["copy"]).read_bytes() == shipped
    assert verify_run(ctx) == []


def test_a_changed_copy_of_a_catalogue_is_found(ctx):
    record_run(ctx, {"run_id": "manual__1"})
    manifest = json.loads((ctx.audit_dir / "manifest.json").read_text(encoding="utf-8"))
    copy = ctx.audit_dir / manifest["words"]["zh_CN/messages.po"]["copy"]
    copy.write_text(copy.read_text(encoding="utf-8").replace("面访", "电话", 1), encoding="utf-8")
    assert verify_run(ctx) == ["the recorded copy of the zh_CN/messages.po file has changed"]
    copy.unlink()
    assert verify_run(ctx) == ["the recorded copy of the zh_CN/messages.po file is missing"]


def test_a_record_made_before_the_words_were_kept_still_verifies(ctx):
    record_run(ctx, {"run_id": "manual__1"})
    engine = sa.create_engine(ctx.settings.plans_db_url)
    with engine.begin() as conn:
        body = conn.exec_driver_sql("select manifest_json from run_audit").scalar_one()
        old = json.loads(body)
        del old["words"]
        old_body = json.dumps(old, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        conn.exec_driver_sql(
            "update run_audit set manifest_json = ?, manifest_sha256 = ?",
            (old_body, hashlib.sha256(old_body.encode()).hexdigest()))
    engine.dispose()
    assert verify_run(ctx) == []
