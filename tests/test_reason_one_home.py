"""A contact reason is decided once: a maturity is the assignment's decision alone.

The customer's segment row (what an auditor and ``explain`` read) and the plan agree because
only the plan decides it: segmentation lists no maturity, however near, and assignment lists
it on the days of its maturity ladder.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from customer_plans.assign import assign_contacts
from customer_plans.segment import segment_customers

from tests.assign_cases import BUSINESS_DATE, Bank, reasons_of
from tests.support.segment_frames import build_frames


@pytest.fixture(scope="module")
def rules(every_day_rules):
    # the plan is for the day after the business date: ladder step k is k days ahead
    return every_day_rules


def segment_then_assign(rules, days_to_maturity: int):
    """One customer with a time deposit maturing ``days_to_maturity`` days after the business
    date, segmented and then assigned from that very segment row: (opportunities, reasons)."""
    maturity_date = BUSINESS_DATE + timedelta(days=days_to_maturity)
    deposit = {"customer_id": "C1", "account_id": "TD1", "product_kind": "time_deposit",
               "maturity_date": maturity_date, "interest_rate_pct": 1.75,
               "principal_cny": 300_000.0, "balance_cny": 300_000.0}
    frames = build_frames(
        customers=[{"customer_id": "C1", "manager_id": "M1", "branch_id": "B1"}],
        accounts=[{"customer_id": "C1", "product_kind": "current"}, deposit],
        customer_balances=[{"customer_id": "C1"}],
        transaction_summary=[{"customer_id": "C1",
                              "last_customer_txn_date": BUSINESS_DATE - timedelta(days=1)}],
        contact_summary=[{"customer_id": "C1", "reached_contacts_90d": 1,
                          "last_reached_date": BUSINESS_DATE - timedelta(days=10)}],
    )
    segments = segment_customers(frames, BUSINESS_DATE, rules)
    bank = Bank().manager("M1").customer("C1").maturity("C1", days_to_maturity,
                                                          account_id="TD1")
    contacts, _, _ = assign_contacts(segments, bank.frames(), BUSINESS_DATE, rules)
    return json.loads(segments["opportunities"].iloc[0]), reasons_of(contacts, "C1")


def test_a_maturity_off_the_ladder_is_in_neither_the_segment_nor_the_plan(rules):
    assert 5 not in rules.assignment.maturity_ladder_days
    opportunities, reasons = segment_then_assign(rules, 5)
    assert opportunities == []
    assert reasons == []


@pytest.mark.parametrize(("days", "reason"), [(7, "maturity_upcoming"), (1, "maturity_due")])
def test_a_maturity_on_the_ladder_is_the_plans_reason_only(rules, days, reason):
    assert days in rules.assignment.maturity_ladder_days
    opportunities, reasons = segment_then_assign(rules, days)
    assert opportunities == []
    assert reasons == [reason]
