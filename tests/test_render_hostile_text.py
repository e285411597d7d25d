"""Whatever the source holds, no plan or roll-up prints a control or bidirectional-override
character: a stored "\u202elive" reads "\ufffdlive", never "evil"."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import date

import pandas as pd
from customer_plans.render.batch import render_plans, write_documents
from customer_plans.render.context import build_plan_contexts
from customer_plans.render.data import RollupInputs
from customer_plans.render.html import render_plan_html, render_rollup_html
from customer_plans.render.masking import display_text, unsafe_character
from customer_plans.render.rollup import build_branch_contexts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.render_sample import example_bank

BUSINESS_DATE = date(2026, 11, 19)
UNSAFE = "\u202e\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c\x00\x07\x1b\x7f\x85"
hostile = st.text(alphabet=st.sampled_from(list("Ab王 <&>'\"") + list(UNSAFE)), min_size=1,
                  max_size=24)


def _with(bank, text: str):
    """The example bank with ``text`` in a customer's name, a manager's and a branch's name,
    and a complaint category the catalogue does not know (printed as the source wrote it)."""
    inputs = bank.inputs
    customers = inputs.customers.copy()
    customers.loc[customers["customer_id"] == "C0001", "customer_name"] = text
    managers = inputs.managers.copy()
    managers.loc[managers["manager_id"] == "M003", "manager_name"] = text
    managers.loc[managers["branch_id"] == "B01", "branch_name"] = text
    contacts = inputs.contacts.copy()
    contacts.loc[1, "reasons"] = json.dumps([{"code": "service_recovery", "level": 1, "facts": {
        "complaint_id": "K1", "category": text, "opened_date": "2026-11-02"}}])
    return replace(inputs, customers=customers, managers=managers, contacts=contacts)


def _unsafe_in(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if unsafe_character(c)})


def test_display_text_replaces_each_unsafe_character_and_keeps_the_rest():
    assert display_text("\u202elive") == "\ufffdlive"
    assert display_text("王\x00小\u2066明\n") == "王\ufffd小\ufffd明\n"
    assert display_text("Zoë 👩\u200d💻") == "Zoë 👩\u200d💻"  # a joiner is kept
    assert display_text(12) == 12


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile)
def test_no_plan_or_roll_up_prints_an_unsafe_character(rules, text):
    inputs = _with(example_bank(BUSINESS_DATE), text)
    for plan in build_plan_contexts(inputs, ["M001", "M002"], BUSINESS_DATE, rules):
        assert _unsafe_in(render_plan_html(plan)) == []
    (branch,) = build_branch_contexts(
        RollupInputs(inputs.contacts, inputs.segments, inputs.managers, inputs.customers,
                     example_bank(BUSINESS_DATE).exclusions, inputs.feedback, inputs.quality,
                     pd.DataFrame({"branch_id": ["B01"], "locale": ["zh_CN"]})),
        BUSINESS_DATE, rules, branch_ids=["B01"])
    assert _unsafe_in(render_rollup_html(branch)) == []


def test_the_pdf_prints_the_stored_order_not_the_overridden_one(rules, tmp_path):
    inputs = _with(example_bank(BUSINESS_DATE), "\u202elive\u202c")
    plans = build_plan_contexts(inputs, ["M001"], BUSINESS_DATE, rules)
    write_documents(render_plans(plans), tmp_path)
    text = subprocess.run(["pdftotext", "-raw", str(tmp_path / "M001.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert _unsafe_in(text.replace("\f", "")) == []  # pdftotext marks each page with \f
    assert "live" in text and "evil" not in text
