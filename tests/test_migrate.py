"""The words-late migration: a plans database made before it keeps its rows readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from customer_plans.db import run_script, split_statements
from customer_plans.explain import explain_customer
from customer_plans.migrate import WORDS_LATE, migrate_words_late

BEFORE = Path(__file__).parent / "support" / "plans_schema_before_words_late.sql"
DAY = "2026-11-19"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def old_database(request, tmp_path):
    """A plans database as releases before the migration made it, with one customer."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'plans.db'}"
    else:
        url = request.getfixturevalue("pg_schema_url")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in split_statements(BEFORE.read_text(encoding="utf-8")):
            conn.exec_driver_sql(statement)
        conn.execute(sa.text(
            "insert into segments values (:d, 'C0001', 'M001', 'B01', 600000, 610000, 20000, "
            "-12.5, -31.0, 'platinum', 'platinum', 3, 'platinum', 'same', null, 'medium', 1, "
            "0.6, 'B2', 'Regular care, product mix', '定期维护、产品配置', 'MAN', 1, 'declining', "
            "'stable', 'declining_90d', 'AUM -31% over 90 days -> declining', "
            "'资产90天下降31% → 衰退期', 45, 'medium', '[]', '[]', 0, 2, null, '{}', 'v1', 'h')"),
            {"d": DAY})
        conn.execute(sa.text(
            "insert into plan_contacts values (:d, 'B01', 'M001', 1, 'planned', 'C0001', 'own', "
            "null, null, 2, 2.5, 0.5, 0.5, 0.45, 1, :reasons, 'retention', null, 'phone', "
            "'call', null, 'Call to check in and listen.', '致电问候并倾听客户意见。', :d, 'h')"),
            {"d": DAY, "reasons": json.dumps([{
                "code": "retention", "level": 2, "text_en": "Churn risk: AUM -31% in 90 days",
                "text_zh": "流失预警：资产90天下降31%", "facts": {"churn_score": 45}}])})
    yield engine
    engine.dispose()


def test_the_old_sentences_move_into_one_column_and_the_old_columns_go(old_database):
    assert migrate_words_late(old_database) == ["segments", "plan_contacts"]
    inspector = sa.inspect(old_database)
    for table, old in WORDS_LATE.items():
        columns = {c["name"] for c in inspector.get_columns(table)}
        assert not set(old) & columns and "recorded_words" in columns
    with old_database.connect() as conn:
        segment = json.loads(conn.exec_driver_sql(
            "select recorded_words from segments").scalar_one())
        contact = json.loads(conn.exec_driver_sql(
            "select recorded_words from plan_contacts").scalar_one())
    assert segment["lifecycle_reason_zh"] == "资产90天下降31% → 衰退期"
    assert segment["grid_strategy_en"] == "Regular care, product mix"
    assert contact == {"talking_points_en": "Call to check in and listen.",
                       "talking_points_zh": "致电问候并倾听客户意见。"}
    # once is enough: the tables are today's now, and today's DDL finds nothing to add
    assert migrate_words_late(old_database) == []
    run_script(old_database, "plans/segments.sql")
    run_script(old_database, "plans/plan_contacts.sql")


def test_explain_still_reads_what_a_plan_of_that_time_said(old_database):
    migrate_words_late(old_database)
    url = old_database.url.render_as_string(hide_password=False)
    for language, lifecycle, say in (
            ("en", "AUM -31% over 90 days -> declining", "Call to check in and listen."),
            ("zh_CN", "资产90天下降31% → 衰退期", "致电问候并倾听客户意见。")):
        answer = explain_customer(url, sa.Date().python_type.fromisoformat(DAY), "C0001",
                                  language=language)
        words = answer["words"]
        assert words["segment"]["lifecycle_reason"] == lifecycle
        assert words["reasons"][0]["say"] == say


def test_a_database_made_today_is_left_alone(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    run_script(engine, "plans/segments.sql")
    run_script(engine, "plans/plan_contacts.sql")
    assert migrate_words_late(engine) == []
    engine.dispose()
