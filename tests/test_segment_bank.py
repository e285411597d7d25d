"""On the generated bank, segmentation finds the behaviours the generator planted.

The generator records each customer's planted behaviour in ``seed_truth`` (growing,
stable, declining, dormant, leaving, new, potential). The staged extracts go through the
real extract stage, then the segment stage; precision and recall are printed
(``pytest -s``) and held to floors.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import sqlalchemy as sa
from customer_plans.segment import run_segmentation
from customer_plans.words import words_in
from customer_plans.words.languages import shipped_languages
from customer_plans.words.segments import churn_signal, lifecycle_reason

from tests.support.contexts import run_context

# planted behaviour -> the lifecycle stage that should find it
EXPECTED_STAGE = {
    "growing": "growing", "stable": "stable", "declining": "declining", "dormant": "dormant",
    "leaving": "lost", "new": "new", "potential": "potential",
}
AT_RISK = {"declining", "leaving", "dormant"}


@pytest.fixture(scope="module")
def bank_segments(small_bank, rules, business_date, tmp_path_factory) -> pd.DataFrame:
    from customer_plans.extract import EXTRACTS, run_extract

    root = tmp_path_factory.mktemp("segment_bank")
    bank_url = f"sqlite:///{small_bank}"
    plans_url = f"sqlite:///{root / 'plans.db'}"
    ctx = run_context(root, business_date, rules, plans_db_url=plans_url,
                      core_banking_url=bank_url)
    for name in EXTRACTS:
        run_extract(ctx, name)
    summary = run_segmentation(ctx)
    assert summary["first_run"] is True
    engine = sa.create_engine(plans_url)
    segments = pd.read_sql("select * from segments", engine)
    engine.dispose()
    engine = sa.create_engine(bank_url)
    truth = pd.read_sql("select customer_id, planted_behaviour from seed_truth", engine)
    engine.dispose()
    return segments.merge(truth, on="customer_id", how="inner", validate="one_to_one")


def test_every_customer_is_segmented(bank_segments, small_bank):
    engine = sa.create_engine(f"sqlite:///{small_bank}")
    with engine.connect() as conn:
        customers = conn.exec_driver_sql("select count(*) from customers").scalar()
    engine.dispose()
    assert len(bank_segments) == customers


def test_lifecycle_finds_planted_behaviours(bank_segments):
    found = bank_segments["lifecycle_stage"] == bank_segments["planted_behaviour"].map(
        EXPECTED_STAGE)
    recall = found.groupby(bank_segments["planted_behaviour"]).mean()
    print("\nlifecycle recall by planted behaviour:\n" + recall.round(3).to_string())
    for behaviour, value in recall.items():
        assert value >= 0.8, f"lifecycle finds only {value:.0%} of planted {behaviour}"


def test_churn_risk_finds_declining_and_leaving(bank_segments):
    flagged = bank_segments["churn_level"].isin(["medium", "high"])
    planted = bank_segments["planted_behaviour"]
    recall = flagged.groupby(planted).mean()
    at_risk = planted.isin(AT_RISK)
    precision = (flagged & at_risk).sum() / max(flagged.sum(), 1)
    recall_at_risk = (flagged & at_risk).sum() / max(at_risk.sum(), 1)
    high_by_behaviour = (bank_segments["churn_level"] == "high").groupby(planted).mean()
    print(f"\nchurn medium/high vs planted {sorted(AT_RISK)}: precision {precision:.3f}, "
          f"recall {recall_at_risk:.3f}")
    print("share at medium/high by planted behaviour:\n" + recall.round(3).to_string())
    print("share at high by planted behaviour:\n" + high_by_behaviour.round(3).to_string())
    assert recall["declining"] >= 0.7
    assert recall["leaving"] >= 0.7
    assert precision >= 0.8
    assert high_by_behaviour["stable"] <= 0.02
    assert recall["stable"] <= 0.05 and recall["growing"] <= 0.05


def test_signals_explain_the_risk(bank_segments):
    declining = bank_segments[bank_segments["planted_behaviour"] == "declining"]
    codes = declining["churn_signals"].map(lambda text: {s["code"] for s in json.loads(text)})
    share_with_decline = codes.map(lambda c: "aum_decline" in c).mean()
    assert share_with_decline >= 0.8
    dormant = bank_segments[bank_segments["planted_behaviour"] == "dormant"]
    assert dormant["churn_signals"].str.contains('"code":"dormant"').mean() >= 0.8


@pytest.mark.parametrize("language", shipped_languages().codes)
def test_every_stored_decision_reads_in_the_readers_words(bank_segments, rules, language):
    """Every lifecycle reason and churn signal of the bank said from its stored facts: no
    code word, no ISO date, no placeholder left."""
    words = words_in(language)
    code_word = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
    iso_date = re.compile(r"\d{4}-\d{2}-\d{2}")
    said = []
    for rule, explanation, signals in zip(bank_segments["lifecycle_rule"],
                                          bank_segments["explanation"],
                                          bank_segments["churn_signals"], strict=True):
        said.append(lifecycle_reason(words, rule, json.loads(explanation)["lifecycle"],
                                     currency=rules.currency, rules=rules))
        said += [churn_signal(words, signal, rules.currency) for signal in json.loads(signals)]
    bad = [text for text in said
           if code_word.search(text) or iso_date.search(text) or "%(" in text]
    assert bad == []
