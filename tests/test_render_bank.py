"""Plans of the generated small bank, through the real stages: extract -> segment -> assign ->
render. What the upstream stages really write (reasons, facts, pools, covered books) must come
out on every plan, complete and masked."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans.assign import run_assignment
from customer_plans.render import manager_batches, render_branch_rollups, render_manager_batch
from customer_plans.segment import run_segmentation
from customer_plans.words.languages import shipped_languages

from tests.quality_cases import sqlite_url, stage
from tests.support.contexts import run_context


@pytest.fixture(scope="module")
def bank_plans(small_bank, business_date, rules, tmp_path_factory):
    root = tmp_path_factory.mktemp("render_bank")
    url = f"sqlite:///{root / 'plans.db'}"
    ctx = run_context(root, business_date, rules, plans_db_url=url,
                      core_banking_url=sqlite_url(small_bank))
    stage(ctx)
    run_segmentation(ctx)
    run_assignment(ctx)
    folder, plans_dir = ctx.staging_dir, ctx.plans_dir
    batches = manager_batches(url, business_date, folder / "managers.parquet", batch_size=8)
    results = [render_manager_batch(ctx, batch) for batch in batches]
    rollups = render_branch_rollups(ctx)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        contacts = pd.read_sql(sa.text("select manager_id, customer_id from plan_contacts "
                                       "where business_date = :d"),
                               conn, params={"d": business_date.isoformat()})
    engine.dispose()
    return {"dir": plans_dir, "batches": batches, "results": results, "rollups": rollups,
            "contacts": contacts, "staging": folder, "url": url}


def test_every_list_of_the_day_is_rendered(bank_plans):
    managers = pd.read_parquet(bank_plans["staging"] / "managers.parquet")
    rendered = {m for batch in bank_plans["batches"] for m in batch}
    active = set(managers.loc[managers["status"] == "active", "manager_id"])
    assert active <= rendered
    assert set(bank_plans["contacts"]["manager_id"]) <= rendered
    assert sum(r["contacts"] for r in bank_plans["results"]) == len(bank_plans["contacts"])
    for manager_id in rendered:
        assert (bank_plans["dir"] / f"{manager_id}.html").exists()
        assert (bank_plans["dir"] / f"{manager_id}.pdf").exists()
    branches = set(managers["branch_id"])
    assert bank_plans["rollups"]["branches"] == len(branches)


def test_html_and_pdf_list_exactly_the_plan_contacts(bank_plans):
    for manager_id, rows in bank_plans["contacts"].groupby("manager_id"):
        expected = sorted(rows["customer_id"])
        html = (bank_plans["dir"] / f"{manager_id}.html").read_text(encoding="utf-8")
        pdf = subprocess.run(["pdftotext", str(bank_plans["dir"] / f"{manager_id}.pdf"), "-"],
                             check=True, capture_output=True, text=True).stdout
        pattern = r"\bC\d{9}\b"
        assert sorted(re.findall(pattern, html)) == expected, manager_id
        assert sorted(re.findall(pattern, pdf)) == expected, manager_id


def test_no_full_phone_number_or_national_id_leaves(bank_plans):
    customers = pd.read_parquet(bank_plans["staging"] / "customers.parquet",
                                columns=["mobile_phone", "national_id"])
    secrets = {str(v) for v in pd.concat([customers["mobile_phone"], customers["national_id"]])
               .dropna() if len(str(v)) >= 11}
    for path in bank_plans["dir"].rglob("*.html"):
        digits = set(re.findall(r"\d{11,18}X?", path.read_text(encoding="utf-8")))
        assert not digits & secrets, path.name


def test_a_rollup_reads_in_its_heads_language(bank_plans, business_date, rules):
    from dataclasses import replace

    from customer_plans.render.context import majority_locale
    from customer_plans.render.data import load_rollup_inputs
    from customer_plans.render.rollup import build_branch_contexts

    inputs = load_rollup_inputs(business_date, bank_plans["url"], bank_plans["staging"])
    heads = inputs.branches.set_index("branch_id")["locale"]
    assert set(inputs.branches.columns) == {"branch_id", "locale"}  # never the head's address
    assert {b.branch_id: b.locale for b in build_branch_contexts(inputs, business_date, rules)
            } == heads.to_dict()
    # a head who reads English gets an English roll-up, whatever their managers read
    english = replace(inputs, branches=inputs.branches.assign(locale="en"))
    for branch in build_branch_contexts(english, business_date, rules):
        assert branch.words.code == "en"
        assert branch.document_title.startswith("Branch coverage for")
    # staging from before the branches extract: the branch managers' majority language
    older = replace(inputs, branches=inputs.branches.iloc[0:0])
    for branch in build_branch_contexts(older, business_date, rules):
        managers = inputs.managers[inputs.managers["branch_id"] == branch.branch_id]
        assert branch.locale == majority_locale(managers)


def _visible_text(html: str) -> str:
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_sentences_give_dates_in_the_readers_words_and_no_codes_in_chinese(bank_plans):
    # an ISO date, or an English code word among Chinese characters, is a reader-facing slip
    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    code_in_chinese = re.compile(r"[\u4e00-\u9fff（，：；][a-z_]{3,}[）\u4e00-\u9fff，；。]")
    for path in sorted(bank_plans["dir"].rglob("*.html")):
        text = _visible_text(path.read_text(encoding="utf-8"))
        assert not iso.findall(text), (path.name, iso.findall(text)[:3])
        assert not code_in_chinese.findall(text), (path.name, code_in_chinese.findall(text)[:3])


@pytest.mark.parametrize("language", shipped_languages().codes)
def test_every_language_reads_the_banks_plans_without_codes_or_iso_dates(
        bank_plans, business_date, rules, language, tmp_path):
    """The same plans database and staging, every reader reading ``language``: no ISO date
    and no snake_case code word in any sentence of a plan or a roll-up."""
    ctx = run_context(tmp_path, business_date, rules, plans_db_url=bank_plans["url"])
    staging = ctx.staging_dir
    shutil.copytree(bank_plans["staging"], staging)
    for name in ("managers.parquet", "branches.parquet"):
        frame = pd.read_parquet(staging / name)
        frame.assign(locale=language).to_parquet(staging / name)
    plans_dir = ctx.plans_dir
    for batch in bank_plans["batches"][:3]:
        render_manager_batch(ctx, batch)
    render_branch_rollups(ctx)
    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    code_word = re.compile(r"\b[a-z]+_[a-z_]+\b")
    pages = sorted(plans_dir.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        text = _visible_text(path.read_text(encoding="utf-8"))
        assert f'lang="{shipped_languages().by_code[language].html_lang}"' in \
            path.read_text(encoding="utf-8")
        assert not iso.findall(text), (path.name, iso.findall(text)[:3])
        assert not code_word.findall(text), (path.name, code_word.findall(text)[:3])
