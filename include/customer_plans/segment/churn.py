"""Churn early warning (流失预警): signals with weights, a 0-100 score and a level.

Each signal that fires for a customer is listed in ``churn_signals``: its code, weight and
the typed facts its words cite (``customer_plans.words.segments.churn_signal`` says them in
the reader's language). The score is the sum of the fired signals' weights, capped at 100;
the level comes from ``churn.levels``.

- ``aum_decline``: AUM 7-day average vs 90 days ago at or below ``threshold_90d_pct``
- ``balance_decline_30d``: the same vs 30 days ago at or below ``threshold_30d_pct``
- ``salary_stopped``: a salary credit in the earlier 30-day windows of the last 90 days,
  none in the last ``months_without`` x 30 days
- ``transfers_out``: transfers to other banks over 90 days at or above ``min_90d_cny`` and
  at or above ``min_share_of_aum`` of the larger of AUM 90 days ago and AUM today
- ``product_not_renewed``: a product (of a kind in ``renewal_groups``) closed or matured in
  the last ``within_days`` days, and no product of its group opened on or after that day
- ``dormant``: no customer-initiated transaction for ``lifecycle.dormant_days_without_activity``
- ``complaint``: a complaint open today, or opened or closed in the last ``recent_days``
- ``single_product``: exactly one product kind among the customer's open accounts
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from customer_plans.complaints import open_on
from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js
from customer_plans.segment.inputs import Inputs, aum_trends, days_between
from customer_plans.segment.labels import CHURN_LEVELS


class _Signal:
    """One fired signal for some customers: their positions and the facts its words cite
    (JSON pieces by key; each key holds one type across all signals: numbers, text,
    booleans or dates, so the assignment stage reads them as columns)."""

    def __init__(self, at: np.ndarray, facts: Mapping[str, js.Piece]):
        self.at, self.facts = at, dict(facts)


def _flag(values: np.ndarray) -> pa.Array:
    """JSON ``true``/``false``."""
    return js.pick(["false", "true"], np.asarray(values, dtype=bool).astype(np.int64))


def _kinds(inputs: Inputs, codes: np.ndarray) -> pa.Array:
    """JSON strings of the product kinds at ``codes`` (indexes of ``inputs.product_kinds``),
    as the source wrote them; null where the kind is missing."""
    vocabulary = [kind if isinstance(kind, str) else None for kind in inputs.product_kinds]
    return js.string(js.pick(vocabulary, codes))


def _trend_signal(trend: np.ndarray, threshold: float) -> _Signal:
    at = np.flatnonzero(trend <= threshold)  # NaN (unknown trend) never fires
    return _Signal(at, {"trend_pct": js.number(trend[at])})


def _salary_stopped(base: pd.DataFrame, day: np.datetime64, months_without: int) -> _Signal:
    windows = [base[c].to_numpy() > 0 for c in
               ("salary_credits_30d", "salary_credits_31_60d", "salary_credits_61_90d")]
    none_recent = np.logical_and.reduce([~w for w in windows[:months_without]])
    had_before = np.logical_or.reduce(windows[months_without:])
    at = np.flatnonzero(none_recent & had_before)
    since = days_between(day, base["last_salary_credit_date"].to_numpy()[at])
    # whole months since the last salary credit, at least the rule's months
    months = np.where(np.isnan(since), months_without,
                      np.maximum(np.floor(np.nan_to_num(since) / 30), months_without))
    return _Signal(at, {"months": js.integer(months)})


def _transfers_out(base: pd.DataFrame, min_cny: float, min_share: float) -> _Signal:
    amount = base["transfer_out_other_bank_90d_cny"].to_numpy()
    reference = np.maximum(base["aum_avg7_90d_ago_cny"].to_numpy(), base["aum_cny"].to_numpy())
    has_reference = reference > 0
    # with no AUM to compare against, any transfer is a large share of it
    share = np.where(has_reference, amount / np.where(has_reference, reference, 1.0), np.inf)
    at = np.flatnonzero((amount >= min_cny) & (share >= min_share))
    amount, share, has_reference = amount[at], share[at], has_reference[at]
    # the share of AUM is null when there was no AUM to compare against
    return _Signal(at, {"amount_cny": js.number(amount),
                        "share_of_aum": js.number(np.where(has_reference, share, np.nan), 4)})


def _not_renewed(inputs: Inputs, within_days: int, groups: Mapping[str, list[str]]) -> _Signal:
    accounts = inputs.accounts
    group_of = {kind: i for i, kinds in enumerate(groups.values()) for kind in kinds}
    group_of_code = np.array([group_of.get(kind, -1) for kind in inputs.product_kinds] + [-1])
    group = group_of_code[accounts["kind_code"].to_numpy()]
    rows = np.flatnonzero(group >= 0)  # account rows whose kind belongs to a renewal group
    key = accounts["pos"].to_numpy()[rows] * len(groups) + group[rows]
    opened = accounts["opened_date"].to_numpy()[rows]
    closed = accounts["closed_date"].to_numpy()[rows]
    matured = accounts["maturity_date"].to_numpy()[rows]
    day = inputs.day
    closed_by_now = ~np.isnat(closed) & (closed <= day)
    matured_by_now = ~np.isnat(matured) & (matured <= day)
    # the earlier of the two events ends the product
    end = np.where(closed_by_now, closed, np.datetime64("NaT", "D"))
    by_maturity = matured_by_now & (np.isnat(end) | (matured < end))
    end = np.where(by_maturity, matured, end)
    since = days_between(day, end)
    ended = (since >= 0) & (since <= within_days)

    # only groups holding an ended product matter: keep the work proportional to them
    relevant = np.isin(key, np.unique(key[ended]))
    rows, key, opened, end = rows[relevant], key[relevant], opened[relevant], end[relevant]
    by_maturity, ended = by_maturity[relevant], ended[relevant]
    opened_day = np.where(np.isnat(opened), np.iinfo(np.int64).min // 2,
                          opened.astype(np.int64))

    # renewal: the latest product opened in the same group, other than the product itself
    # (per group: the latest opening day, how many share it, and the latest before it)
    per_key = pd.DataFrame({"key": key, "opened": opened_day})
    latest = per_key.groupby("key")["opened"].max()
    latest_at = latest.reindex(key).to_numpy()
    ties = per_key.assign(tie=opened_day == latest_at).groupby("key")["tie"].sum()
    runner_up = per_key[opened_day < latest_at].groupby("key")["opened"].max()
    e = np.flatnonzero(ended)
    e_latest = latest_at[e]
    e_ties = ties.reindex(key[e]).to_numpy()
    e_runner = runner_up.reindex(key[e]).to_numpy(dtype="float64", na_value=np.nan)
    only_latest = (opened_day[e] == e_latest) & (e_ties == 1)
    other_opened = np.where(only_latest, e_runner, e_latest.astype("float64"))
    renewed = other_opened >= end[e].astype(np.int64)  # NaN (no other product) is False
    lapsed_rows = e[~renewed]

    lapsed = pd.DataFrame({
        "pos": accounts["pos"].to_numpy()[rows[lapsed_rows]],
        "end_date": end[lapsed_rows],
        "account_id": accounts["account_id"].iloc[rows[lapsed_rows]].to_numpy(),
        "kind_code": accounts["kind_code"].to_numpy()[rows[lapsed_rows]],
        "matured": by_maturity[lapsed_rows],
    }).sort_values(["pos", "end_date", "account_id"], ascending=[True, False, True])
    count = np.bincount(lapsed["pos"], minlength=inputs.size)
    latest_lapsed = lapsed.drop_duplicates("pos")
    at = latest_lapsed["pos"].to_numpy()
    # the latest lapsed product is described; ``count`` includes the others
    return _Signal(at, {
        "count": js.integer(count[at]),
        "date": js.day(latest_lapsed["end_date"].to_numpy(dtype="datetime64[D]")),
        "matured": _flag(latest_lapsed["matured"].to_numpy(dtype=bool)),
        "product_kind": _kinds(inputs, latest_lapsed["kind_code"].to_numpy()),
    })


def _dormant(inactive: np.ndarray, since_txn: np.ndarray, limit: int) -> _Signal:
    at = np.flatnonzero(inactive)
    # the days are null when the extract's window holds no customer-initiated transaction
    return _Signal(at, {"days_since_customer_txn": js.integer(since_txn[at]),
                        "dormant_days_without_activity": js.integer(np.full(len(at), limit))})


def _complaint(inputs: Inputs, recent_days: int) -> _Signal:
    complaints = inputs.complaints
    day = inputs.day
    closed = complaints["closed_date"].to_numpy()
    opened = complaints["opened_date"].to_numpy()
    is_open = open_on(opened, closed, day)
    since_opened = days_between(day, opened)
    since_closed = days_between(day, closed)
    recent = (((since_opened >= 0) & (since_opened <= recent_days))
              | ((since_closed >= 0) & (since_closed <= recent_days)))
    relevant = complaints.assign(is_open=is_open)[is_open | recent]
    open_count = np.bincount(relevant["pos"][relevant["is_open"]], minlength=inputs.size)
    # the complaint described: an open one first, then the latest opened
    top = relevant.sort_values(["pos", "is_open", "opened_date", "complaint_id"],
                               ascending=[True, False, False, True]).drop_duplicates("pos")
    at = top["pos"].to_numpy()
    # the category as the source wrote it: the catalogue has words for the known ones
    return _Signal(at, {
        "category": js.string(top["category"]),
        "closed_date": js.day(top["closed_date"].to_numpy()),
        "open": _flag(top["is_open"].to_numpy(dtype=bool)),
        "open_complaints": js.integer(open_count[at]),
        "opened_date": js.day(top["opened_date"].to_numpy()),
    })


def _single_product(inputs: Inputs) -> _Signal:
    kind = inputs.base["only_product_kind_code"].to_numpy()
    at = np.flatnonzero(inputs.base["open_product_count"].to_numpy() == 1)
    return _Signal(at, {"product_kind": _kinds(inputs, kind[at])})


def compute_churn(inputs: Inputs, inactive: np.ndarray, since_txn: np.ndarray, rules: Rules
                  ) -> dict[str, object]:
    """Fired signals, score and level for each customer."""
    signals = rules.churn.signals
    base = inputs.base
    n = inputs.size
    trend_30d, trend_90d = aum_trends(base)
    fired = {
        "aum_decline": _trend_signal(trend_90d, signals.aum_decline.threshold_90d_pct),
        "balance_decline_30d": _trend_signal(trend_30d,
                                             signals.balance_decline_30d.threshold_30d_pct),
        "salary_stopped": _salary_stopped(base, inputs.day, signals.salary_stopped.months_without),
        "transfers_out": _transfers_out(base, signals.transfers_out.min_90d_cny,
                                        signals.transfers_out.min_share_of_aum),
        "product_not_renewed": _not_renewed(inputs, signals.product_not_renewed.within_days,
                                            signals.product_not_renewed.renewal_groups),
        "dormant": _dormant(inactive, since_txn, rules.lifecycle.dormant_days_without_activity),
        "complaint": _complaint(inputs, signals.complaint.recent_days),
        "single_product": _single_product(inputs),
    }
    score = np.zeros(n)
    items, codes = [], []
    for code, rule in signals.items():
        signal = fired[code]
        score[signal.at] += rule.weight
        weight = js.number(np.full(len(signal.at), rule.weight))
        items.append((signal.at, js.obj({"code": f'"{code}"', "weight": weight,
                                          **signal.facts})))
        codes.append((signal.at, js.constant(f'"{code}"', len(signal.at))))
    score = np.minimum(score, 100.0)
    levels = rules.churn.levels
    level = (score >= levels.medium_min_score).astype(np.int64) + (
        score >= levels.high_min_score)
    # score, level and the signals' details are columns; the explanation lists the codes
    return {
        "churn_score": score,
        "churn_level": js.pick(CHURN_LEVELS, level),
        "churn_signals": js.join_list(items, n),
        "_level_index": level,
        "_explanation": js.obj({"signals": js.join_list(codes, n)}),
    }
