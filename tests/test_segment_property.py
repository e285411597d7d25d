"""Property: whatever the book looks like, every customer gets exactly one row, and every
field exactly one value from its domain; the JSON columns are canonical JSON."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
from customer_plans.rules import load_rules
from customer_plans.segment import SEGMENT_COLUMNS, segment_customers
from customer_plans.segment.labels import (
    CHURN_LEVELS,
    LIFECYCLE_STAGES,
    TIER_CHANGES,
)
from customer_plans.segment.opportunities import OPPORTUNITY_CODES
from customer_plans.words import words_in
from customer_plans.words.languages import shipped_languages
from customer_plans.words.segments import churn_signal, lifecycle_reason
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.segment_frames import synthetic_frames

RULES = load_rules()
BD = date(2026, 11, 20)
NULLABLE = {"previous_tier_code", "below_tier_since", "previous_lifecycle_stage",
            "aum_trend_30d_pct", "aum_trend_90d_pct", "last_reached_date"}
TIERS = {level.code for level in RULES.tiers.levels}


def canonical(text: str) -> bool:
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False) == text


def blank(frames: dict[str, pd.DataFrame], share: float, seed: int) -> dict[str, pd.DataFrame]:
    """Knock out a share of every optional value (missing dates, amounts, profile fields)."""
    rng = np.random.default_rng(seed)
    keys = {"customer_id", "account_id", "complaint_id", "product_kind", "product_name",
            "branch_id", "manager_id", "category", "onboarding_date", "opened_date"}
    out = {}
    for name, frame in frames.items():
        frame = frame.copy()
        for column in frame.columns:
            if column in keys:
                continue
            frame[column] = frame[column].where(rng.random(len(frame)) >= share)
        out[name] = frame
    return out


def previous_day(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A history: yesterday's rows for most customers, with shuffled tiers and hold dates."""
    rng = np.random.default_rng(seed)
    keep = rng.random(len(frame)) < 0.8
    codes = np.array(sorted(TIERS), dtype=object)
    history = pd.DataFrame({
        "customer_id": frame["customer_id"][keep],
        "business_date": BD - timedelta(days=1),
        "tier_code": codes[rng.integers(0, len(codes), keep.sum())],
        "below_tier_since": np.where(rng.random(keep.sum()) < 0.3,
                                     np.datetime64(BD - timedelta(days=70)),
                                     np.datetime64("NaT")),
        "lifecycle_stage": np.array(LIFECYCLE_STAGES, dtype=object)[
            rng.integers(0, len(LIFECYCLE_STAGES), keep.sum())],
    })
    return history


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customers=st.integers(min_value=1, max_value=80), seed=st.integers(0, 10_000),
       missing=st.sampled_from([0.0, 0.3, 1.0]), with_history=st.booleans())
def test_every_customer_gets_exactly_one_value_of_each_field(customers, seed, missing,
                                                            with_history):
    frames = blank(synthetic_frames(customers, BD, seed=seed), missing, seed)
    history = None
    if with_history:
        history = previous_day(frames["customers"], seed)
    out = segment_customers(frames, BD, RULES, history=history)

    assert list(out.columns) == list(SEGMENT_COLUMNS)
    assert len(out) == customers
    assert out["customer_id"].is_unique
    assert set(out["customer_id"]) == set(frames["customers"]["customer_id"])
    for column in SEGMENT_COLUMNS:
        if column not in NULLABLE:
            assert out[column].notna().all(), column

    assert set(out["tier_code"]) <= TIERS and set(out["computed_tier_code"]) <= TIERS
    assert set(out["tier_change"]) <= set(TIER_CHANGES)
    assert set(out["lifecycle_stage"]) <= set(LIFECYCLE_STAGES)
    assert set(out["churn_level"]) <= set(CHURN_LEVELS)
    assert set(out["familiarity"]) <= {c.code for c in RULES.familiarity.classes}
    assert set(out["grid_group"]) <= {g.code for g in RULES.grid.groups}
    assert all(RULES.man.difficulty[g] == d
               for g, d in zip(out["man_group"], out["man_difficulty"], strict=True))
    assert out["churn_score"].between(0, 100).all()
    assert out["profile_completeness"].between(0, 1).all()
    assert out["tier_rank"].between(1, len(RULES.tiers.levels)).all()
    # a held tier is never below the computed one, and only a held tier has a hold date
    held = out["below_tier_since"].notna()
    assert (out.loc[held, "tier_code"] != out.loc[held, "computed_tier_code"]).all()
    if history is None:
        assert (out["tier_change"] == "new").all() and not held.any()

    for column in ("churn_signals", "opportunities", "explanation"):
        assert out[column].map(canonical).all(), column
    signals = out["churn_signals"].map(json.loads)
    weights = signals.map(lambda items: min(100.0, sum(s["weight"] for s in items)))
    assert np.allclose(weights, out["churn_score"])
    opportunities = out["opportunities"].map(json.loads)
    assert (opportunities.map(len) == out["opportunity_count"]).all()
    # only the reasons segmentation decides: maturities, birthdays, complaints are assignment's
    assert {o["code"] for items in opportunities for o in items} <= set(OPPORTUNITY_CODES)
    # whatever is missing, every lifecycle rule and churn signal can be said in every language
    explanations = out["explanation"].map(json.loads)
    for code in shipped_languages().codes:
        words = words_in(code)
        for rule, explanation, items in zip(out["lifecycle_rule"], explanations, signals,
                                            strict=True):
            assert lifecycle_reason(words, rule, explanation["lifecycle"],
                                    currency=RULES.currency)
            assert all(churn_signal(words, signal, RULES.currency) for signal in items)


def test_segmentation_is_deterministic():
    frames = synthetic_frames(300, BD, seed=3)
    first = segment_customers(frames, BD, RULES)
    second = segment_customers(frames, BD, RULES)
    pd.testing.assert_frame_equal(first, second)
