"""The branch roll-up's contact cadence kept per tier: the share of each tier's customers whose
last reached manager contact is at most the tier's cadence_days before the business date."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest

BUSINESS_DATE = date(2026, 11, 19)  # a Thursday: the plan is for Friday 20 November

# customer, branch, tier, lifecycle stage, days since the last reached contact (None: none)
BOOK = [
    ("P1", "B01", "private", "stable", 10),  # on the cadence's last day: kept
    ("P2", "B01", "private", "stable", 11),  # a day late
    ("P3", "B01", "private", "new", None),  # never reached: not kept
    ("P4", "B01", "private", "lost", 1),  # a closed relationship: not counted
    ("G1", "B01", "gold", "stable", 60),
    ("G2", "B01", "gold", "declining", 61),
    ("G3", "B01", "gold", "stable", 0),  # reached on the business date itself
    ("M1", "B01", "mass", "stable", 5),
    ("M2", "B01", "mass", "dormant", None),  # 180-day cadence, 90 days of history
    ("X1", "B02", "platinum", "stable", 3),  # another branch
]


@pytest.fixture
def rollup_inputs():
    from customer_plans.render.data import RollupInputs

    from tests.support.render_sample import example_bank

    bank = example_bank(BUSINESS_DATE)
    segments = pd.DataFrame(
        [{"customer_id": c, "manager_id": "M001" if b == "B01" else "M004", "branch_id": b,
          "tier_code": t, "lifecycle_stage": stage, "churn_level": "low", "churn_score": 5.0}
         for c, b, t, stage, _ in BOOK])
    last_contacts = pd.DataFrame(
        [{"customer_id": c, "last_reached_date": pd.Timestamp(BUSINESS_DATE - timedelta(days=d))}
         for c, _, _, _, d in BOOK if d is not None])

    def make(locale: str | None = None, with_history: bool = True) -> RollupInputs:
        branches = pd.DataFrame({"branch_id": ["B01"], "locale": [locale]}) if locale else \
            pd.DataFrame(columns=["branch_id", "locale"])
        return RollupInputs(bank.inputs.contacts, segments, bank.inputs.managers,
                            bank.inputs.customers, bank.exclusions, bank.inputs.feedback,
                            bank.inputs.quality, branches=branches,
                            last_contacts=last_contacts if with_history else None)

    return make


def test_cadence_kept_per_tier_counts_last_reached_contacts_against_the_cadence(
        rules, rollup_inputs):
    from customer_plans.render.rollup import build_branch_contexts

    branch = build_branch_contexts(rollup_inputs(), BUSINESS_DATE, rules, branch_ids=["B01"])[0]
    lines = {line.tier_code: line for line in branch.cadence}
    assert [line.tier_code for line in branch.cadence] == rules.tiers.codes_top_first
    got = {code: (line.cadence_days, line.customers, line.within, line.partial)
           for code, line in lines.items()}
    assert got == {
        "private": (10, 3, 1, False),
        "diamond": (15, 0, 0, False),
        "platinum": (30, 0, 0, False),  # X1 is in B02
        "gold": (60, 3, 2, False),
        "mass": (180, 2, 1, True),  # the 90-day history cannot see a contact 100 days ago
    }
    assert lines["private"].share == pytest.approx(1 / 3)
    assert lines["diamond"].share is None
    assert branch.cadence_partial

    other = build_branch_contexts(rollup_inputs(), BUSINESS_DATE, rules, branch_ids=["B02"])[0]
    platinum = next(line for line in other.cadence if line.tier_code == "platinum")
    assert (platinum.customers, platinum.within) == (1, 1)


@pytest.mark.parametrize(("locale", "words"), [
    ("zh_CN", ["各层级按周期联络情况", "联络周期", "周期内已联络", "达成率", "10 天",
               "实际比例不低于此数"]),
    ("en", ["Contact cadence kept, by tier", "Cadence", "Reached within it", "Kept",
            "10 days", "so the share is at least this"]),
])
def test_the_rollup_shows_cadence_kept_in_the_heads_language(rules, rollup_inputs, locale,
                                                              words):
    from customer_plans.render.html import render_rollup_html
    from customer_plans.render.rollup import build_branch_contexts

    branch = build_branch_contexts(rollup_inputs(locale), BUSINESS_DATE, rules,
                                   branch_ids=["B01"])[0]
    html = render_rollup_html(branch)
    for word in words:
        assert word in html, word
    cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', html)
    assert "33%" in cells and "67%" in cells  # private 1 of 3, gold 2 of 3
    assert "≥ 50%" in cells  # mass: a lower bound
    assert "—" in cells  # a tier without customers has no share


def test_no_contact_summary_no_cadence_section(rules, rollup_inputs):
    from customer_plans.render.html import render_rollup_html
    from customer_plans.render.rollup import build_branch_contexts

    branch = build_branch_contexts(rollup_inputs(with_history=False), BUSINESS_DATE, rules,
                                   branch_ids=["B01"])[0]
    assert branch.cadence == ()
    assert "联络周期" not in render_rollup_html(branch)
