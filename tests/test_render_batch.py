"""The render stage as the DAG runs it: from the plans DB and staging files to files on disk."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans.batching import balanced_batches
from customer_plans.render import (
    manager_batches,
    render_branch_rollups,
    render_manager_batch,
    rollup_batches,
)
from customer_plans.render.data import (
    RenderInputError,
    load_plan_inputs,
    load_rollup_inputs,
    plan_manager_ids,
)
from customer_plans.run_context import RunContext
from customer_plans.staging import write_frame

from tests.support.contexts import run_context
from tests.support.render_sample import example_bank, write_sample_sources

BUSINESS_DATE = date(2026, 11, 19)


@pytest.fixture(scope="module")
def sources(rules, tmp_path_factory) -> dict:
    """The example bank stored where render reads it: a SQLite plans DB and staging files."""
    root = tmp_path_factory.mktemp("render_sources")
    bank = example_bank(BUSINESS_DATE)
    url = f"sqlite:///{root / 'plans.db'}"
    ctx = run_context(root, BUSINESS_DATE, rules, plans_db_url=url)
    write_sample_sources(bank, url, ctx.staging_dir, ctx.quality_dir)
    return {"url": url, "staging": ctx.staging_dir, "quality": ctx.quality_dir, "bank": bank,
            "ctx": ctx}


def reading(sources: dict, rules, root: Path, *, quality: bool = True) -> RunContext:
    """A run context under ``root`` that reads the sources' plans DB and staging folder (and
    their data-quality folder, unless ``quality`` is False) and writes its own plans."""
    ctx = run_context(root, BUSINESS_DATE, rules, plans_db_url=sources["url"])
    linked = [(ctx.staging_dir, sources["staging"])]
    if quality:
        linked.append((ctx.quality_dir, sources["quality"]))
    for folder, target in linked:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.symlink_to(target, target_is_directory=True)
    return ctx


@pytest.fixture(scope="module")
def rendered(sources) -> dict:
    ctx = sources["ctx"]
    batches = manager_batches(sources["url"], BUSINESS_DATE,
                              sources["staging"] / "managers.parquet", batch_size=3)
    results = [render_manager_batch(ctx, batch) for batch in batches]
    # the roll-ups as the DAG renders them: after the plans, one task per branch batch
    rollups = [
        render_branch_rollups(ctx, branch_ids)
        for branch_ids in rollup_batches(sources["staging"] / "managers.parquet", 2)
    ]
    return {"dir": ctx.plans_dir, "batches": batches, "results": results, "rollups": rollups}


def test_every_active_manager_and_every_list_gets_a_plan(rendered):
    # 李娜 (M003) is on leave: her customers are on 张伟's list, she gets no plan;
    # 王芳 (M004) has nothing planned and still gets one; the branch pool's list too
    assert rendered["batches"] == [["M001", "M002", "M004"], ["POOL-B01"]]


def test_batch_results_are_counts_without_personal_data(rendered):
    first, second = rendered["results"]
    assert {k: first[k] for k in ("managers", "contacts")} == {"managers": 3, "contacts": 6}
    assert {k: second[k] for k in ("managers", "contacts")} == {"managers": 1, "contacts": 1}
    assert set(first) == {"managers", "contacts", "seconds"} and first["seconds"] > 0
    for rollups in rendered["rollups"]:
        assert set(rollups) == {"branches", "contacts", "seconds"}
    assert [rollups["branches"] for rollups in rendered["rollups"]] == [1, 1]


def test_files_are_written_whole_and_named_by_manager(rendered):
    plans_dir = rendered["dir"]
    names = sorted(p.name for p in plans_dir.iterdir() if p.is_file())
    assert names == [f"{m}.{ext}" for m in ("M001", "M002", "M004", "POOL-B01")
                     for ext in ("html", "pdf")]
    branches = sorted(p.name for p in (plans_dir / "branches").iterdir())
    assert branches == ["B01.html", "B01.pdf", "B02.html", "B02.pdf"]
    assert not list(plans_dir.rglob("*.tmp"))
    for pdf in plans_dir.rglob("*.pdf"):
        assert pdf.read_bytes().startswith(b"%PDF-")


def test_plans_show_data_read_from_the_database_and_staging(rendered):
    html = (rendered["dir"] / "M001.html").read_text(encoding="utf-8")
    assert "王小明" in html and "138****1234" in html  # staging customers
    assert "私人银行客户" in html and "652万元" in html  # segments
    assert "80%" in html  # plan_feedback
    assert "13812341234" not in html
    # the day's warning (summary.json) is about the branch pool's book (warning_rows.parquet
    # and the staged customers): on the pool's list, in its language, and not on 张伟's plan
    assert "无客户经理" not in html
    pool = (rendered["dir"] / "POOL-B01.html").read_text(encoding="utf-8")
    assert "1 位客户无客户经理" in pool


def test_a_rerun_writes_the_same_bytes(rendered, sources):
    before = {p.name: p.read_bytes() for p in rendered["dir"].glob("M00*")}
    render_manager_batch(sources["ctx"], ["M001", "M002", "M004"])
    after = {p.name: p.read_bytes() for p in rendered["dir"].glob("M00*")}
    assert after == before


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_branch_rollup_shows_coverage_of_the_branch(rendered):
    html = (rendered["dir"] / "branches" / "B01.html").read_text(encoding="utf-8")
    text = pdf_text(rendered["dir"] / "branches" / "B01.pdf")
    for page_text in (html, text):
        assert "城东支行" in page_text and "张伟" in page_text and "Emily Chen" in page_text
        assert "由 张伟 代维护" in page_text  # 李娜 is covered
        assert "网点公共池" in page_text  # the pool's list has its line
        assert "吴芳" in page_text and "近期已联络" in page_text  # at risk, not planned, why
    tiles = re.findall(r'class="tile-value"[^>]*>([^<]+)<', html)
    # managers, contacts today, top tier planned / total, high churn risk planned / total
    assert tiles == ["3", "6", "3/3", "2/3"]
    # 张伟 can make 3 calls and plans 2 (visits: 1 of 1): not over capacity
    assert "over" not in re.findall(r'<td class="num([^"]*)"', html)[0]


def test_branch_rollup_pdf_has_header_and_page_numbers(rendered):
    text = pdf_text(rendered["dir"] / "branches" / "B02.pdf")
    assert "West Lake Branch · B02" in text
    # the last page says "n / n" (with the cadence-kept section the roll-up takes two pages)
    pages = text.count("\f")
    assert re.search(rf"{pages}\s*/\s*{pages}\s*$", text.strip())


def test_manager_batches_validates_its_size(sources):
    with pytest.raises(ValueError, match="batch_size"):
        manager_batches(sources["url"], BUSINESS_DATE, sources["staging"] / "managers.parquet",
                        batch_size=0)
    with pytest.raises(ValueError, match="min_batches"):
        manager_batches(sources["url"], BUSINESS_DATE, sources["staging"] / "managers.parquet",
                        min_batches=0)


def test_a_small_bank_is_still_split_across_every_render_slot(sources):
    managers = sources["staging"] / "managers.parquet"
    assert manager_batches(sources["url"], BUSINESS_DATE, managers, batch_size=500,
                           min_batches=2) == [["M001", "M002"], ["M004", "POOL-B01"]]
    # more slots than managers: one manager per batch, none empty
    assert manager_batches(sources["url"], BUSINESS_DATE, managers, batch_size=500,
                           min_batches=9) == [["M001"], ["M002"], ["M004"], ["POOL-B01"]]


def test_rollup_batches_split_the_roster_branches_by_manager_count(sources):
    managers = sources["staging"] / "managers.parquet"
    # B01 has three managers on the roster (one on leave, still listed), B02 one
    assert rollup_batches(managers, 2) == [["B01"], ["B02"]]
    assert rollup_batches(managers, 1) == [["B01", "B02"]]
    assert rollup_batches(managers, 5) == [["B01"], ["B02"]]
    with pytest.raises(ValueError, match="n_batches"):
        rollup_batches(managers, 0)


def test_balanced_batches_put_the_heaviest_first_into_the_lightest_batch():
    weights = {"B1": 30, "B2": 20, "B3": 20, "B4": 5, "B5": 5}
    assert balanced_batches(weights, 2) == [["B1", "B4", "B5"], ["B2", "B3"]]
    assert balanced_batches(weights, 2) == balanced_batches(dict(reversed(weights.items())), 2)
    assert balanced_batches(weights, 9) == [["B1"], ["B2"], ["B3"], ["B4"], ["B5"]]
    assert balanced_batches({}, 2) == []


def test_rollups_by_branch_batch_are_those_of_one_task_for_every_branch(
    sources, rules, rendered, tmp_path
):
    # one task for every branch lays both roll-ups out as one document; the DAG's batches
    # (the fixture) laid each out alone
    ctx = reading(sources, rules, tmp_path)
    render_branch_rollups(ctx)
    whole = sorted((ctx.plans_dir / "branches").iterdir())
    assert [path.name for path in whole] == ["B01.html", "B01.pdf", "B02.html", "B02.pdf"]
    for path in whole:
        assert path.read_bytes() == (rendered["dir"] / "branches" / path.name).read_bytes()


def test_layout_chunks_change_nothing_in_the_files(sources, rules, tmp_path):
    """A task lays its managers out a chunk at a time; the files are those of one layout."""
    ids = ["M001", "M002", "M004", "POOL-B01"]
    out = {}
    for name, chunk in (("one", 1), ("all", 25)):
        ctx = reading(sources, rules, tmp_path / name)
        render_manager_batch(ctx, ids, layout_chunk=chunk)
        out[name] = ctx.plans_dir
    for manager_id in ids:
        for suffix in (".pdf", ".html"):
            one = (out["one"] / f"{manager_id}{suffix}").read_bytes()
            assert one == (out["all"] / f"{manager_id}{suffix}").read_bytes()


def test_missing_inputs_are_named(sources, tmp_path):
    with pytest.raises(RenderInputError, match="managers.parquet"):
        manager_batches(sources["url"], BUSINESS_DATE, tmp_path / "managers.parquet")
    with pytest.raises(RenderInputError, match="plan_contacts; run assign first"):
        plan_manager_ids(f"sqlite:///{tmp_path / 'empty.db'}", BUSINESS_DATE)


def test_optional_tables_and_files_may_be_missing(sources, rules, tmp_path):
    """No plan_feedback table, no contact summary, no quality summary: still a plan, with dashes."""
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    ctx = run_context(tmp_path, BUSINESS_DATE, rules, plans_db_url=url)
    write_sample_sources(sources["bank"], url, ctx.staging_dir)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("drop table plan_feedback")
    engine.dispose()
    (ctx.staging_dir / "contact_summary.parquet").unlink()
    render_manager_batch(ctx, ["M001"])  # and no quality folder
    html = (ctx.plans_dir / "M001.html").read_text(encoding="utf-8")
    assert re.findall(r'class="tile-value"[^>]*>([^<]+)<', html)[2] == "—"
    assert "未提供" in html  # data quality: not reported


def test_quality_warnings_written_as_records_reach_the_plans_they_are_about(
        sources, rules, tmp_path):
    """A plan prints a warning with its own count (warning_rows.parquet), never the run's
    count, the validator's message or its example keys; a record naming no rule is on no
    plan (operators and branch heads read it)."""
    ctx = reading(sources, rules, tmp_path, quality=False)
    quality = ctx.quality_dir
    quality.mkdir(parents=True)
    (quality / "summary.json").write_text(json.dumps({
        "status": "warnings",
        "warnings": [{"table": "customers", "column": "manager_id", "rule": "not_null",
                      "rows": 8, "message": "8 customers without a manager: assigned to the "
                      "branch pool", "examples": ["C000000292"]},
                     {"table": "accounts", "column": "balance_cny", "rows": 3,
                      "message": "3 accounts of a rule this summary does not name"}],
    }), encoding="utf-8")
    write_frame(pd.DataFrame({"table": "customers", "column": "manager_id", "rule": "not_null",
                              "key_column": "customer_id", "key": ["C0005", "C000000292"]}),
                quality / "warning_rows.parquet")
    render_manager_batch(ctx, ["M002", "POOL-B01"])
    english = (ctx.plans_dir / "M002.html").read_text(encoding="utf-8")
    pool = (ctx.plans_dir / "POOL-B01.html").read_text(encoding="utf-8")
    assert "without a manager" not in english and "accounts" not in english
    assert "1 位客户无客户经理" in pool  # C0005; C000000292 is in no staged customer row
    for html in (english, pool):
        box = re.sub(r'style="[^"]*"', "",
                     re.search(r'class="quality-cell".*?</td>', html, re.S).group(0))
        assert "C000000292" not in html and "manager_id" not in box and "8" not in box


@pytest.mark.postgres
def test_render_queries_run_on_postgresql(pg_schema_url, sources, tmp_path):
    """The same SQL files on PostgreSQL, with dates typed as dates as the real DDL has them."""
    engine = sa.create_engine(pg_schema_url)
    bank = sources["bank"]
    frames = {"plan_contacts": bank.inputs.contacts, "segments": bank.inputs.segments,
              "plan_exclusions": bank.exclusions, "plan_feedback": bank.inputs.feedback}
    with engine.begin() as conn:
        for table, frame in frames.items():
            frame.assign(business_date=pd.to_datetime(frame["business_date"])).head(0).to_sql(
                table, conn, index=False)
            conn.exec_driver_sql(
                f"alter table {table} alter column business_date type date")
    engine.dispose()
    write_sample_sources(bank, pg_schema_url, tmp_path / "staging", create_tables=False)
    assert plan_manager_ids(pg_schema_url, BUSINESS_DATE) == ["M001", "M002", "POOL-B01"]
    inputs = load_plan_inputs(["M001", "M004"], BUSINESS_DATE, pg_schema_url,
                              tmp_path / "staging")
    assert sorted(inputs.contacts["customer_id"]) == ["C0001", "C0002", "C0003", "C0004"]
    # 张伟's book and 王芳's, plus the covered customer from 李娜's book
    assert set(inputs.segments["customer_id"]) == {"C0001", "C0002", "C0003", "C0004", "C0008",
                                                   "C0009"}
    assert list(inputs.feedback["manager_id"]) == ["M001"]
    rollup = load_rollup_inputs(BUSINESS_DATE, pg_schema_url, tmp_path / "staging")
    assert len(rollup.contacts) == 7 and len(rollup.exclusions) == 2


def test_rollup_flags_a_manager_over_capacity(sources, rules):
    from customer_plans.render.data import RollupInputs
    from customer_plans.render.html import render_rollup_html
    from customer_plans.render.rollup import build_branch_contexts

    bank = sources["bank"]
    managers = bank.inputs.managers.copy()
    managers.loc[managers["manager_id"] == "M001", "daily_call_capacity"] = 1
    inputs = RollupInputs(bank.inputs.contacts, bank.inputs.segments, managers,
                          bank.inputs.customers, bank.exclusions, bank.inputs.feedback,
                          bank.inputs.quality)
    branch = build_branch_contexts(inputs, BUSINESS_DATE, rules, branch_ids=["B01"])[0]
    zhang = next(line for line in branch.managers if line.manager_id == "M001")
    # phone and WeChat both take the manager's time (calls), the visit has its own limit
    assert (zhang.calls, zhang.call_capacity, zhang.visits) == (2, 1, 1)
    assert zhang.over_capacity
    assert not next(line for line in branch.managers if line.manager_id == "M002").over_capacity
    html = render_rollup_html(branch)
    assert re.search(r'<td class="num over"[^>]*>2 / 1</td>', html)
