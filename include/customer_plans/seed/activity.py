"""Activity: transactions, contact history and complaints.

:class:`ActivityStages` posts every movement of the balances as a transaction on the day
and for the amount it moves them (salary, the target path's large steps, product
purchases, maturities and redemptions, interest, card spending and repayments, loan
instalments, leavers' transfers), adds everyday transactions and fees, and makes the
``transactions`` rows. It then makes the managers' contacts and the customers' enquiries,
the ``complaints`` rows and the service-recovery contacts that follow complaints, and the
``contact_history`` rows.

``self.txns`` (a :class:`Txns`) collects the transactions while they are posted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from customer_plans.seed import names as ref
from customer_plans.seed.calendar import NO_DAY
from customer_plans.seed.constants import (
    C_ATM,
    C_BATCH,
    C_COUNTER,
    C_MOBILE,
    C_ONLINE,
    C_POS,
    CARD,
    COMPLAINT_CATEGORIES,
    CONTACT_CHANNELS,
    CONTACT_HISTORY_DAYS,
    CONTACT_OUTCOMES,
    CONTACT_PURPOSES,
    CREDIT_TYPES,
    CUR,
    DECLINING,
    DORMANT,
    FIXED_KINDS,
    FUND,
    GROWING,
    LEAVING,
    LEFT,
    NEW,
    ON_LEAVE,
    P_ENQUIRY,
    P_MATURITY,
    P_RECOVERY,
    P_RETENTION,
    SAV,
    T_BUY,
    T_CARD,
    T_CASH_IN,
    T_CASH_OUT,
    T_FEE,
    T_IN,
    T_INTEREST,
    T_OUT_INT,
    T_OUT_OTHER,
    T_REDEEM,
    T_SALARY,
    TD,
    TXN_CHANNELS,
    TXN_TYPES,
    WM,
)
from customer_plans.seed.sampling import choose_k, pick, pick_rows, weighted_order
from customer_plans.seed.state import ChunkState


@dataclass
class Txns:
    """Column parts of the chunk's transactions, concatenated at the end."""

    parts: dict[str, list[np.ndarray]] = field(default_factory=lambda: {
        k: [] for k in ("cust", "slot", "day", "amount", "type", "channel", "bank")})

    def add(self, cust: np.ndarray, slot: np.ndarray | int, day: np.ndarray,
            amount: np.ndarray, ttype: int, channel: np.ndarray | int,
            bank: np.ndarray | int = -1) -> None:
        cust = np.asarray(cust, dtype=np.int64)
        m = cust.shape[0]
        if m == 0:
            return
        self.parts["cust"].append(cust)
        self.parts["slot"].append(np.broadcast_to(np.asarray(slot, dtype=np.int64), (m,)))
        self.parts["day"].append(np.asarray(day, dtype=np.int64))
        self.parts["amount"].append(np.round(np.asarray(amount, dtype=float), 2))
        self.parts["type"].append(np.full(m, ttype, dtype=np.int64))
        self.parts["channel"].append(np.broadcast_to(np.asarray(channel, dtype=np.int64), (m,)))
        self.parts["bank"].append(np.broadcast_to(np.asarray(bank, dtype=np.int64), (m,)))

    def frame(self) -> dict[str, np.ndarray]:
        if not self.parts["cust"]:
            return {k: np.zeros(0, dtype=float if k == "amount" else np.int64)
                    for k in self.parts}
        cols = {k: np.concatenate(v) for k, v in self.parts.items()}
        keep = cols["amount"] >= 0.01
        cols = {k: v[keep] for k, v in cols.items()}
        order = np.lexsort((cols["type"], cols["day"], cols["cust"]))
        return {k: v[order] for k, v in cols.items()}


class ActivityStages(ChunkState):
    """Transactions, contacts and complaints, and their rows."""

    txns: Txns

    # ------------------------------------------------------------------ transactions

    def _transactions(self) -> None:
        rng, n, last, beh = self.rng, self.n, self.last, self.beh
        tx = self.txns = Txns()
        settle = self.settle
        banks = len(ref.OTHER_BANKS_ZH)

        ci, day, amt = self.salary_txn
        tx.add(ci, settle[ci], day, amt, T_SALARY, C_BATCH)

        # the big steps of the planted trajectories
        si, sk = np.nonzero((self.step_day >= 0) & (self.step_day <= last))
        sday, samt = self.step_day[si, sk], self.step_amt[si, sk]
        ch = pick(rng, (0.15, 0.6, 0.25), si.shape[0])
        ch = np.array([C_COUNTER, C_MOBILE, C_ONLINE])[ch]
        inflow = samt > 0
        tx.add(si[inflow], settle[si[inflow]], sday[inflow], samt[inflow], T_IN, ch[inflow],
               rng.integers(0, banks, inflow.sum()))
        out = ~inflow
        tx.add(si[out], settle[si[out]], sday[out], -samt[out], T_OUT_OTHER, ch[out],
               rng.integers(0, banks, out.sum()))

        # new customers bring their money on the day they join
        new = np.flatnonzero((beh == NEW) & (self.onb_idx >= 0))
        first = self.T[new, self.onb_idx[new]]
        cash = rng.random(new.shape[0]) < 0.3
        tx.add(new[cash], settle[new[cash]], self.onb_idx[new[cash]], first[cash], T_CASH_IN,
               C_COUNTER)
        tx.add(new[~cash], settle[new[~cash]], self.onb_idx[new[~cash]], first[~cash], T_IN,
               C_MOBILE, rng.integers(0, banks, (~cash).sum()))

        # product purchases (opening inside the window) and maturities / redemptions
        for k in FIXED_KINDS:
            bought = np.flatnonzero(self.has[:, k] & (self.opened[:, k] >= 0)
                                    & (self.opened[:, k] <= last))
            od = self.opened[bought, k]
            value = self.principal[bought, k]
            if k == FUND:
                value = value * self.w.fund_nav[self.fund_id[bought], od]
            ch = np.array([C_MOBILE, C_COUNTER, C_ONLINE])[pick(rng, (0.5, 0.3, 0.2),
                                                                bought.shape[0])]
            tx.add(bought, settle[bought], od, value, T_BUY, ch)
            gone = np.flatnonzero(self.has[:, k] & (self.closed[:, k] >= 0)
                                  & (self.closed[:, k] <= last))
            cd = self.closed[gone, k]
            # proceeds: the value held the day before (principal when that is before the window)
            value = np.where(cd >= 1, self.bal[gone, k, np.maximum(cd - 1, 0)],
                             self.principal[gone, k])
            matured = (self.maturity[gone, k] == cd - 1) if k in (TD, WM) else np.zeros(
                gone.shape[0], bool)
            tx.add(gone, settle[gone], cd, value, T_REDEEM,
                   np.where(matured, C_BATCH, C_MOBILE))
            if k == TD:
                interest = value * np.nan_to_num(self.rate[gone, TD]) / 100 * \
                    self.td_term[gone] / 365.0
                tx.add(gone[matured], settle[gone[matured]], cd[matured], interest[matured],
                       T_INTEREST, C_BATCH)
        # time deposit rollovers inside the window pay the term's interest out
        roll = np.flatnonzero(self.has[:, TD] & (self.td_start >= 0) & (self.td_start <= last)
                              & (self.opened[:, TD] < self.td_start)
                              & ((self.closed[:, TD] == NO_DAY)
                                 | (self.closed[:, TD] > self.td_start)))
        interest = self.principal[roll, TD] * np.nan_to_num(self.rate[roll, TD]) / 100 * \
            self.td_term[roll] / 365.0
        tx.add(roll, settle[roll], self.td_start[roll], interest, T_INTEREST, C_BATCH)

        for cust, k, q, amount in self.interest_rows:
            tx.add(cust, k, np.full(cust.shape[0], q), amount, T_INTEREST, C_BATCH)

        ci, day, amt = self.card_spend_txn
        ch = np.array([C_POS, C_ONLINE, C_MOBILE])[pick(rng, (0.55, 0.25, 0.2), ci.shape[0])]
        tx.add(ci, CARD, day, amt, T_CARD, ch)
        ci, day, amt = self.card_repay_txn
        tx.add(ci, settle[ci], day, amt, T_OUT_INT, C_BATCH)
        ci, day, amt = self.loan_repay_txn
        tx.add(ci, settle[ci], day, amt, T_OUT_INT, C_BATCH)

        # leavers first move their savings to the current account, then send money away
        moved, amount = self.savings_moved
        day = self.drain_idx[moved]
        tx.add(moved, SAV, day, amount, T_OUT_INT, C_MOBILE)
        tx.add(moved, CUR, day, amount, T_IN, C_MOBILE)
        # and sweep what is left on the day they close
        leaving = np.flatnonzero(beh == LEAVING)
        c = self.close_idx[leaving]
        rest = (self.bal[leaving, CUR, np.maximum(c - 1, 0)]
                + self.bal[leaving, SAV, np.maximum(c - 1, 0)])
        tx.add(leaving, settle[leaving], c, rest, T_OUT_OTHER, C_COUNTER,
               rng.integers(0, banks, leaving.shape[0]))

        self._everyday_transactions()

        # monthly SMS alert fee for about a third of customers
        fee_dom = self.w.month_days[1]
        fee_days = fee_dom[(fee_dom >= 0)]
        payer = np.flatnonzero(rng.random(n) < 0.3)
        for fd in fee_days:
            ok = payer[self.holding[payer, settle[payer], fd]]
            tx.add(ok, settle[ok], np.full(ok.shape[0], fd), np.full(ok.shape[0], 2.0), T_FEE,
                   C_BATCH)

    def _everyday_transactions(self) -> None:
        """Small customer-initiated transactions; none at all for dormant customers."""
        rng, n, last, beh = self.rng, self.n, self.last, self.beh
        tx, settle, level = self.txns, self.settle, self.level
        banks = len(ref.OTHER_BANKS_ZH)
        active = beh != DORMANT
        first = np.maximum(self.opened[np.arange(n), settle], 0)
        stop = np.where(beh == LEAVING, self.drain_idx, last)
        length = np.where(active, np.maximum(stop - first + 1, 0), 0)
        older = self.age >= 60

        def events(rate: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
            count = rng.poisson(np.asarray(rate) * length)
            ci = np.repeat(np.arange(n), count)
            return ci, first[ci] + (rng.random(ci.shape[0]) * length[ci]).astype(np.int64)

        def size(ci: np.ndarray, share: float, lo: float, hi: float) -> np.ndarray:
            mean = np.clip(level[ci] * share, lo, hi)
            return np.round(mean * rng.lognormal(-0.3, 0.8, ci.shape[0]), 2)

        ci, day = events(0.04)
        other = rng.random(ci.shape[0]) < 0.6
        ch = np.array([C_MOBILE, C_ONLINE, C_COUNTER])[pick(rng, (0.6, 0.3, 0.1), ci.shape[0])]
        tx.add(ci, settle[ci], day, size(ci, 0.02, 50, 20_000), T_IN, ch,
               np.where(other, rng.integers(0, banks, ci.shape[0]), -1))
        ci, day = events(0.04)
        ch = np.array([C_MOBILE, C_ONLINE, C_COUNTER])[pick(rng, (0.6, 0.3, 0.1), ci.shape[0])]
        tx.add(ci, settle[ci], day, size(ci, 0.02, 50, 20_000), T_OUT_INT, ch)
        ci, day = events(0.02)
        ch = np.array([C_MOBILE, C_ONLINE, C_COUNTER])[pick(rng, (0.6, 0.3, 0.1), ci.shape[0])]
        tx.add(ci, settle[ci], day, size(ci, 0.01, 50, 10_000), T_OUT_OTHER, ch,
               rng.integers(0, banks, ci.shape[0]))
        ci, day = events(np.where(older, 0.03, 0.01))
        ch = np.where(rng.random(ci.shape[0]) < 0.6, C_COUNTER, C_ATM)
        tx.add(ci, settle[ci], day, size(ci, 0.01, 100, 20_000), T_CASH_IN, ch)
        ci, day = events(np.where(older, 0.05, 0.03))
        amount = np.clip(np.round(rng.lognormal(7.0, 0.8, ci.shape[0]), -2), 100, 5_000)
        ch = np.where(rng.random(ci.shape[0]) < 0.8, C_ATM, C_COUNTER)
        tx.add(ci, settle[ci], day, amount, T_CASH_OUT, ch)

        # every active customer did something themselves in the last two months
        frame = self.txns.frame()
        customer_made = ~np.isin(frame["type"], (T_SALARY, T_INTEREST, T_FEE))
        recent = customer_made & (frame["day"] >= last - 59)
        done = np.bincount(frame["cust"][recent], minlength=n) > 0
        missing = np.flatnonzero(active & ~done & (beh != LEAVING) & (length > 0))
        lo = np.maximum(first[missing], last - 29)
        day = lo + (rng.random(missing.shape[0]) * (last + 1 - lo)).astype(np.int64)
        tx.add(missing, settle[missing], day, np.clip(
            np.round(rng.lognormal(6.5, 0.6, missing.shape[0]), -2), 100, 3_000),
            T_CASH_OUT, C_ATM)

        # about half of the dormant customers' last own transaction was just over 90 days ago
        if last - 92 >= 0:
            dorm = np.flatnonzero((beh == DORMANT) & (rng.random(n) < 0.5))
            day = rng.integers(0, last - 91, dorm.shape[0])
            tx.add(dorm, settle[dorm], day, np.clip(
                np.round(rng.lognormal(6.5, 0.6, dorm.shape[0]), -2), 100, 3_000),
                T_CASH_OUT, C_COUNTER)

    # ------------------------------------------------------------------ transaction rows

    def _transaction_rows(self) -> list[tuple[Any, ...]]:
        f = self.txns.frame()
        cust = f["cust"]
        starts = np.r_[0, np.flatnonzero(np.diff(cust)) + 1] if cust.shape[0] else np.zeros(
            0, np.int64)
        seq = np.arange(cust.shape[0]) - np.repeat(starts, np.diff(np.r_[starts, cust.shape[0]]))
        ids = [f"T{g + 1:09d}{s:06d}" for g, s in zip(self.gidx[cust].tolist(), seq.tolist(),
                                                        strict=True)]
        banks = np.asarray(ref.OTHER_BANKS_ZH if self.w.names == "zh" else ref.OTHER_BANKS_EN,
                           dtype=object)
        bank = np.where(f["bank"] >= 0, banks[np.maximum(f["bank"], 0)], None)
        credit = np.isin(f["type"], CREDIT_TYPES)
        return list(zip(
            ids, self.account_ids[cust * 8 + f["slot"]].tolist(), self.cust_ids[cust].tolist(),
            self.w.day_str[f["day"]].tolist(), f["amount"].tolist(),
            np.where(credit, "credit", "debit").tolist(),
            np.asarray(TXN_CHANNELS, dtype=object)[f["channel"]].tolist(),
            np.asarray(TXN_TYPES, dtype=object)[f["type"]].tolist(), bank.tolist(), strict=True))

    # ------------------------------------------------------------------ contacts

    def _contacts(self) -> None:
        """Manager contacts (more for higher tiers) and customer enquiries, ~180 days."""
        rng, n, last, beh, w = self.rng, self.n, self.last, self.beh, self.w
        first = np.maximum(last - (CONTACT_HISTORY_DAYS - 1), last - self.onb_ago)
        end = np.where(beh == LEAVING, self.close_idx - 1, last)
        span = np.maximum(end - first + 1, 0)
        rate = np.array([0.25, 0.8, 1.5, 2.5, 4.0])[self.tier] / 30.0
        never = rng.random(n) < np.array([0.35, 0.1, 0.03, 0.0, 0.0])[self.tier]
        reachable = (self.manager >= 0) & ~self.dnc & ~never
        count = rng.poisson(np.where(reachable, rate * span, 0.0))
        ci = np.repeat(np.arange(n), count)
        day = first[ci] + (rng.random(ci.shape[0]) * span[ci]).astype(np.int64)
        # contacts on B-1 and B, which the next night's plan must take into account
        k = max(2, n // 400)
        pool = np.flatnonzero(reachable & (end == last) & (first <= last - 1))
        extra = choose_k(rng, pool, 2 * k)
        ci = np.concatenate([ci, extra])
        day = np.concatenate([day, np.where(np.arange(extra.shape[0]) % 2 == 0, last,
                                            last - 1)])
        # relationship managers mostly work on weekdays
        date = w.as_of + (day - last).astype("timedelta64[D]")
        weekday = (date.astype(np.int64) + 3) % 7
        move = (weekday >= 5) & (rng.random(ci.shape[0]) < 0.85) & (day < last - 1)
        day = np.where(move, day - (weekday - 4), day)
        day = np.maximum(day, first[ci])

        m = ci.shape[0]
        top = self.tier[ci] >= 3
        p_ch = np.where(top[:, None], [[0.4, 0.25, 0.05, 0.2, 0.05, 0.05]],
                        [[0.38, 0.05, 0.18, 0.2, 0.07, 0.12]])
        channel = pick_rows(rng, p_ch)
        p_pu = np.tile(np.array([0.35, 0.08, 0.05, 0.12, 0.2, 0.0, 0.2, 0.0]), (m, 1))
        p_pu[~(self.has[ci, TD] | self.has[ci, WM]), P_MATURITY] = 0.0
        churny = np.isin(beh[ci], (DECLINING, LEAVING)) & (day >= last - 60)
        p_pu[churny, P_RETENTION] = 0.4
        purpose = pick_rows(rng, p_pu)
        outcome = self._outcomes(channel)
        manager = self._manager_on(ci, day)

        # customers' own enquiries
        e_rate = np.where(np.isin(beh, (GROWING, NEW)), 0.2, np.where(beh == DORMANT, 0.02, 0.08))
        e_count = rng.poisson(e_rate / 30.0 * span)
        ei = np.repeat(np.arange(n), e_count)
        e_day = first[ei] + (rng.random(ei.shape[0]) * span[ei]).astype(np.int64)
        e_channel = np.array([0, 1, 3, 5])[pick(rng, (0.4, 0.3, 0.2, 0.1), ei.shape[0])]
        e_manager = np.where(self.manager[ei] >= 0, self._manager_on(ei, e_day), -1)

        cust = np.concatenate([ci, ei])
        day = np.concatenate([day, e_day])
        channel = np.concatenate([channel, e_channel])
        purpose = np.concatenate([purpose, np.full(ei.shape[0], P_ENQUIRY)])
        outcome = np.concatenate([outcome, np.zeros(ei.shape[0], dtype=np.int64)])
        manager = np.concatenate([manager, e_manager])
        by_customer = np.concatenate([np.zeros(m, bool), np.ones(ei.shape[0], bool)])
        self._contact_parts = [cust, day, channel, purpose, outcome, manager, by_customer]

    def _outcomes(self, channel: np.ndarray) -> np.ndarray:
        p = np.array([
            [0.6, 0.3, 0.1, 0.0],    # phone
            [0.92, 0.05, 0.03, 0.0],  # visit
            [0.0, 0.0, 0.0, 1.0],    # sms
            [0.35, 0.0, 0.0, 0.65],  # wechat
            [0.0, 0.0, 0.0, 1.0],    # email
            [0.0, 0.0, 0.0, 1.0],    # app
        ])
        return pick_rows(self.rng, p[channel])

    def _manager_on(self, ci: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Who made a contact: the customer's manager, or their backup while away or gone."""
        w = self.w
        mid = self.manager[ci]
        safe = np.maximum(mid, 0)
        away = ((w.manager_status[safe] == ON_LEAVE) & (day >= w.manager_leave_from[safe])) | (
            (w.manager_status[safe] == LEFT) & (day > w.manager_left[safe]))
        backup = w.manager_backup[safe]
        return np.where((mid >= 0) & away & (backup >= 0), backup, mid)

    # ------------------------------------------------------------------ complaints

    def _complaints(self) -> list[tuple[Any, ...]]:
        rng, n, last, beh, w = self.rng, self.n, self.last, self.beh, self.w
        weight = np.select([np.isin(beh, (DECLINING, LEAVING)), beh == DORMANT], [3.0, 0.3], 1.0)
        k = max(2, round(0.015 * n * float(weight.mean())))
        who = np.sort(weighted_order(rng, weight)[:min(k, n)])
        first = np.maximum(last - (CONTACT_HISTORY_DAYS - 1), last - self.onb_ago[who])
        end = np.where(beh[who] == LEAVING, self.close_idx[who] - 1, last)
        opened = first + (rng.random(who.shape[0]) * np.maximum(end - first + 1, 1)).astype(
            np.int64)
        age = last - opened
        status = np.where(
            age <= 30, pick(rng, (0.5, 0.35, 0.15), who.shape[0]),
            pick(rng, (0.0, 0.15, 0.85), who.shape[0]))  # 0 open, 1 in_progress, 2 closed
        status = np.where(beh[who] == LEAVING, 2, status)
        if who.shape[0] and not (status < 2).any():
            opened[0], status[0] = last - int(rng.integers(0, 10)), 0
        if who.shape[0] > 1 and not (status == 2).any():
            status[-1] = 2
        took = np.minimum(rng.geometric(1 / 10, who.shape[0]), np.maximum(end - opened, 0))
        closed = np.where(status == 2, opened + took, NO_DAY)
        category = pick(rng, (0.35, 0.2, 0.2, 0.1, 0.15), who.shape[0])
        ids = [f"CP{g + 1:09d}01" for g in self.gidx[who]]
        rows = list(zip(
            ids, self.cust_ids[who].tolist(), w.dates(opened).tolist(), w.dates(closed).tolist(),
            np.array(["open", "in_progress", "closed"], dtype=object)[status].tolist(),
            np.asarray(COMPLAINT_CATEGORIES, dtype=object)[category].tolist(), strict=True))

        # a service-recovery call a few days after the complaint was raised
        handled = (status > 0) & (self.manager[who] >= 0)
        hi = who[handled]
        h_day = np.minimum(opened[handled] + rng.integers(1, 4, hi.shape[0]),
                           np.where(status[handled] == 2, closed[handled], last))
        h_day = np.minimum(h_day, end[handled])
        cust, day, channel, purpose, outcome, manager, by_customer = self._contact_parts
        self.contact_rows = self._contact_rows(
            np.concatenate([cust, hi]), np.concatenate([day, h_day]),
            np.concatenate([channel, np.zeros(hi.shape[0], dtype=np.int64)]),
            np.concatenate([purpose, np.full(hi.shape[0], P_RECOVERY)]),
            np.concatenate([outcome, np.zeros(hi.shape[0], dtype=np.int64)]),
            np.concatenate([manager, self._manager_on(hi, h_day)]),
            np.concatenate([by_customer, np.zeros(hi.shape[0], bool)]))
        return rows

    def _contact_rows(self, cust: np.ndarray, day: np.ndarray, channel: np.ndarray,
                      purpose: np.ndarray, outcome: np.ndarray, manager: np.ndarray,
                      by_customer: np.ndarray) -> list[tuple[Any, ...]]:
        rng, w, last = self.rng, self.w, self.last
        seconds = 9 * 3600 + rng.integers(0, 9 * 3600, cust.shape[0])
        order = np.lexsort((seconds, day, cust))
        cust, day, channel, purpose, outcome, manager, by_customer, seconds = (
            a[order] for a in (cust, day, channel, purpose, outcome, manager, by_customer,
                               seconds))
        starts = np.r_[0, np.flatnonzero(np.diff(cust)) + 1]
        seq = np.arange(cust.shape[0]) - np.repeat(starts, np.diff(np.r_[starts, cust.shape[0]]))
        ts = (w.as_of + (day - last).astype("timedelta64[D]")).astype("datetime64[s]") + \
            seconds.astype("timedelta64[s]")
        ts_str = np.char.replace(np.datetime_as_string(ts, unit="s"), "T", " ").tolist()
        ids = [f"K{g + 1:09d}{s:04d}" for g, s in zip(self.gidx[cust], seq, strict=True)]
        mids = np.where(manager >= 0, w.manager_ids[np.maximum(manager, 0)], None)
        return list(zip(
            ids, self.cust_ids[cust].tolist(), mids.tolist(), ts_str,
            np.asarray(CONTACT_CHANNELS, dtype=object)[channel].tolist(),
            np.where(by_customer, "customer", "manager").tolist(),
            np.asarray(CONTACT_PURPOSES, dtype=object)[purpose].tolist(),
            np.asarray(CONTACT_OUTCOMES, dtype=object)[outcome].tolist(), strict=True))

