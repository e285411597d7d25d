"""Accounts and their daily balances: products held, their dates and sizes, what they hold.

:class:`AccountStages` decides which of the eight product kinds every customer holds,
when each was opened, closed or matures and at what rate, sizes the fixed products and
deposits so that their total follows the customer's target AUM path, and computes the
daily balances (salary credited and spent down, quarterly interest, card spending and
repayments, loan instalments). It makes the ``accounts`` and ``account_balances`` rows and
leaves the flows behind the balances for ``activity`` to post as transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from customer_plans.seed import names as ref
from customer_plans.seed.calendar import NO_DAY, day_of_month
from customer_plans.seed.constants import (
    CARD,
    CUR,
    DECLINING,
    DORMANT,
    FIXED_KINDS,
    FUND,
    GROWING,
    INS,
    LEAVING,
    LOAN,
    NEW,
    POTENTIAL,
    PRODUCT_KINDS,
    SAV,
    STABLE,
    TD,
    WM,
)
from customer_plans.seed.sampling import choose_k, money, object_array, pick
from customer_plans.seed.state import ChunkState


class AccountStages(ChunkState):
    """Products held, their dates, sizes and balances; the accounts/account_balances rows."""

    # ------------------------------------------------------------------ products held

    def _holdings(self) -> None:
        rng, n, beh, tier = self.rng, self.n, self.beh, self.tier
        has = np.zeros((n, 8), bool)
        u = rng.random((n, 8))
        has[:, CUR] = u[:, CUR] < 0.98
        # wealthier customers hold more products (and so less money idle on current account)
        has[:, SAV] = u[:, SAV] < np.array([0.4, 0.7, 0.75, 0.75, 0.75])[tier]
        has[:, TD] = u[:, TD] < np.array([0.22, 0.5, 0.6, 0.65, 0.65])[tier]
        has[:, WM] = u[:, WM] < np.array([0.05, 0.3, 0.5, 0.65, 0.75])[tier]
        has[:, FUND] = u[:, FUND] < np.array([0.06, 0.25, 0.4, 0.5, 0.6])[tier]
        has[:, INS] = u[:, INS] < np.array([0.04, 0.12, 0.2, 0.3, 0.35])[tier]
        working = (self.age >= 23) & (self.age < 60)
        has[:, LOAN] = u[:, LOAN] < np.where(working, 0.15, 0.03)
        has[:, CARD] = u[:, CARD] < np.array([0.35, 0.5, 0.6, 0.65, 0.65])[tier]

        new, pot, dorm = beh == NEW, beh == POTENTIAL, beh == DORMANT
        v = rng.random((n, 8))
        # new customers hold few products
        has[new, SAV] = v[new, SAV] < 0.3
        has[new, TD] = v[new, TD] < 0.15
        has[new, WM] = v[new, WM] < 0.08
        has[new, FUND] = v[new, FUND] < 0.04
        has[new, INS] = v[new, INS] < 0.02
        has[new, LOAN] = v[new, LOAN] < 0.05
        has[new, CARD] = v[new, CARD] < 0.25
        # potential customers: a near-empty account, often with a credit card or a small loan
        has[pot, SAV] = False
        has[pot, TD] = has[pot, WM] = has[pot, FUND] = has[pot, INS] = False
        has[pot, CARD] = v[pot, CARD] < 0.6
        has[pot, LOAN] = v[pot, LOAN] < 0.3
        # dormant customers: deposits only (anything traded or repaid would be activity)
        has[dorm, WM] = has[dorm, FUND] = has[dorm, LOAN] = False
        has[dorm, CARD] = v[dorm, CARD] < 0.2
        has[beh == LEAVING, LOAN] = False  # a mortgage keeps a customer: leavers have none
        has[self.minor, CARD] = has[self.minor, LOAN] = False
        has[self.minor, WM] = has[self.minor, FUND] = False
        has[new | pot, CUR] = True
        # customers without a current account keep only passbook savings and deposits
        no_cur = ~has[:, CUR]
        has[no_cur, SAV] = True
        has[no_cur, WM] = has[no_cur, FUND] = has[no_cur, INS] = False
        has[no_cur, LOAN] = has[no_cur, CARD] = False
        self.has = has
        self.settle = np.where(has[:, CUR], CUR, SAV)  # where money arrives and leaves

    # ------------------------------------------------------------------ product dates

    def _product_dates(self) -> None:
        """Opened, closed and maturity days (window indices) and sizes of each product."""
        rng, n, beh, last, has = self.rng, self.n, self.beh, self.last, self.has
        onb, ref_idx = self.onb_idx, self.ref_idx
        leaving, dormant = beh == LEAVING, beh == DORMANT
        opened = np.full((n, 8), NO_DAY, dtype=np.int64)
        closed = np.full((n, 8), NO_DAY, dtype=np.int64)
        maturity = np.full((n, 8), NO_DAY, dtype=np.int64)
        rate = np.full((n, 8), np.nan)
        self.product_variant = rng.integers(0, 1000, (n, 8))

        # current and savings accounts: opened at or soon after onboarding
        opened[:, CUR] = onb
        span = np.maximum(ref_idx - 1 - onb, 0)
        opened[:, SAV] = np.where(has[:, CUR], onb + (span * rng.random(n) ** 3).astype(
            np.int64), onb)  # a passbook-only customer opened it when joining
        rate[:, CUR] = 0.05
        rate[:, SAV] = np.round(rng.choice([0.35, 0.65, 0.80], n), 3)

        # time deposits: a term, rolled over automatically until the business date (or
        # the drain day for leavers) unless the customer let it mature and took the money
        term_i = pick(rng, (0.2, 0.25, 0.35, 0.1, 0.1), n)
        terms = np.array([t[0] for t in ref.TIME_DEPOSIT_TERMS])
        term = terms[term_i]
        mat = ref_idx + (rng.random(n) * term).astype(np.int64)  # in [ref, ref + term)
        start = mat - term
        late = start < onb  # the current term cannot start before the customer joined
        start = np.where(late, onb + (rng.random(n) * np.maximum(ref_idx - onb, 0)).astype(
            np.int64), start)
        mat = start + term
        not_renewed = has[:, TD] & (beh == DECLINING) & (rng.random(n) < 0.7)
        m_past = last - rng.integers(3, 26, n)
        term_nr = np.where(m_past - term >= onb, term, terms[0])
        ok = m_past - term_nr >= onb
        not_renewed &= ok
        term = np.where(not_renewed, term_nr, term)
        mat = np.where(not_renewed, m_past, mat)
        start = mat - term
        # plant maturities exactly 0, 1, 3 and 7 days after the business date
        eligible = has[:, TD] & ~not_renewed & ~leaving & (last - term >= onb)
        pool = np.flatnonzero(eligible)
        planted = choose_k(rng, pool, 4 * max(1, n // 1000))
        offsets = np.resize(np.array([0, 1, 3, 7]), planted.shape[0])
        mat[planted] = last + offsets
        start[planted] = mat[planted] - term[planted]
        # the account was opened some whole terms before the current one (rollovers)
        max_j = np.maximum((start - onb) // term, 0)
        j = (rng.random(n) * (max_j + 1)).astype(np.int64)
        # dormant customers' deposits were opened before the window (no purchase in it)
        need = np.where(start >= 0, (start // term) + 1, 0)
        j = np.where(dormant, np.minimum(np.maximum(j, need), max_j), j)
        opened[:, TD] = start - j * term
        bad = dormant & (opened[:, TD] >= 0)
        has[bad, TD] = False
        maturity[:, TD] = mat
        closed[:, TD] = np.where(not_renewed, mat + 1, np.where(leaving, self.drain_idx, NO_DAY))
        base_rate = np.array([t[3] for t in ref.TIME_DEPOSIT_TERMS])
        rate[:, TD] = np.round(base_rate[np.searchsorted(terms, term)]
                               + rng.normal(0.0, 0.05, n), 2)
        self.td_term = term
        self.td_start = start
        self.td_variant = np.searchsorted(terms, term)

        # wealth products: fixed term, bought at most a term ago
        wi = rng.integers(0, len(ref.WEALTH_TERMS_DAYS), n)
        wterm = np.asarray(ref.WEALTH_TERMS_DAYS)[wi]
        w_open = ref_idx - (rng.random(n) * (wterm + 1)).astype(np.int64)
        w_open = np.where(leaving, np.minimum(w_open, ref_idx - 1), w_open)
        w_open = np.maximum(w_open, onb)
        w_nr = has[:, WM] & (
            ((beh == DECLINING) & (rng.random(n) < 0.6))
            | (np.isin(beh, (STABLE, GROWING)) & (rng.random(n) < 0.15)))
        w_mat_past = last - rng.integers(5, 61, n)
        w_nr &= (w_mat_past - wterm) >= onb
        w_open = np.where(w_nr, w_mat_past - wterm, w_open)
        # plant some purchases in the last two weeks (post-sale follow-up)
        fresh_pool = np.flatnonzero(has[:, WM] & ~w_nr & np.isin(beh, (STABLE, GROWING, NEW)))
        fresh = choose_k(rng, fresh_pool, max(2, round(0.015 * n)))
        lo = np.maximum(last - 13, onb[fresh])
        w_open[fresh] = lo + (rng.random(fresh.shape[0]) * (last + 1 - lo)).astype(np.int64)
        opened[:, WM] = w_open
        maturity[:, WM] = w_open + wterm
        closed[:, WM] = np.where(w_nr, w_open + wterm + 1,
                                 np.where(leaving, self.drain_idx, NO_DAY))
        rate[:, WM] = np.round(np.asarray(ref.WEALTH_YIELD_PCT)[wi] + rng.normal(0, 0.1, n), 2)
        self.wm_variant = np.minimum(wi, len(ref.PRODUCT_NAMES["wealth"]) - 1)

        # funds: open-ended, bought months or years ago; some decliners sell out
        f_open = ref_idx - rng.integers(30, 3 * 365, n)
        f_open = np.maximum(f_open, onb)
        f_open = np.where(leaving, np.minimum(f_open, ref_idx - 1), f_open)
        opened[:, FUND] = f_open
        f_sell = has[:, FUND] & (beh == DECLINING) & (rng.random(n) < 0.5)
        sell_lo = np.maximum(self.onset + 1, f_open + 1)
        f_sell &= sell_lo < last - 5
        sell_day = sell_lo + (rng.random(n) * np.maximum(last - 5 - sell_lo, 1)).astype(np.int64)
        closed[:, FUND] = np.where(f_sell, sell_day, np.where(leaving, self.drain_idx, NO_DAY))
        self.fund_id = pick(rng, (0.25, 0.2, 0.2, 0.15, 0.1, 0.1), n)

        # insurance: policies held for years; dormant customers' ones predate the window
        i_min = np.where(dormant, self.H + 1, 60)
        i_open = ref_idx - i_min - (rng.random(n) * 9 * 365).astype(np.int64)
        i_open = np.where(dormant, np.minimum(np.maximum(i_open, onb), -1),
                          np.maximum(i_open, onb))
        i_open = np.where(leaving, np.minimum(i_open, ref_idx - 1), i_open)
        has[dormant & (i_open < onb), INS] = False
        opened[:, INS] = i_open
        closed[:, INS] = np.where(leaving, self.drain_idx, NO_DAY)

        # loans: repaid monthly, never ending inside the window
        kind = np.where(self.business_owner & (rng.random(n) < 0.6), 2,
                        np.where((self.age < 55) & (rng.random(n) < 0.5), 0, 1))
        principal = np.select(
            [kind == 0, kind == 1],
            [rng.uniform(300_000, 3_000_000, n) * (1 + 0.5 * (self.tier >= 2)),
             rng.uniform(20_000, 300_000, n)],
            rng.uniform(200_000, 2_000_000, n))
        principal = np.where(self.beh == POTENTIAL, rng.uniform(5_000, 50_000, n), principal)
        months = np.select([kind == 0, kind == 1],
                           [rng.choice([240, 300, 360], n), rng.choice([12, 24, 36, 60], n)],
                           rng.choice([36, 60], n))
        term_days = (months * 30.4375).astype(np.int64)
        l_open = last - rng.integers(60, 20 * 365, n)
        l_open = np.maximum(l_open, np.maximum(onb, last - term_days + 150))
        l_open = np.minimum(l_open, last)
        opened[:, LOAN] = l_open
        maturity[:, LOAN] = l_open + term_days
        rate[:, LOAN] = np.round(np.select([kind == 0, kind == 1], [
            rng.uniform(3.05, 4.1, n), rng.uniform(3.6, 4.9, n)], rng.uniform(3.4, 4.6, n)), 2)
        self.loan_kind = kind
        self.loan_principal = np.round(principal, -3)
        self.loan_months = months

        # credit cards: issued after onboarding, well before the business date mostly
        c_span = np.maximum(self.end_idx - 30 - onb, 0)
        opened[:, CARD] = np.where(
            beh == NEW, onb + (rng.random(n) * np.maximum(last - onb, 0)).astype(np.int64),
            onb + (rng.random(n) * c_span).astype(np.int64))
        opened[dormant, CARD] = np.minimum(opened[dormant, CARD], -1)
        has[dormant & (opened[:, CARD] < onb), CARD] = False
        closed[leaving, CUR] = closed[leaving, SAV] = closed[leaving, CARD] = \
            self.close_idx[leaving]
        limit_choices = np.array([[10_000, 20_000, 30_000, 50_000],
                                  [30_000, 50_000, 80_000, 100_000],
                                  [80_000, 100_000, 150_000, 200_000],
                                  [150_000, 200_000, 300_000, 500_000],
                                  [150_000, 200_000, 300_000, 500_000]], dtype=float)
        self.card_limit = limit_choices[self.tier, rng.integers(0, 4, n)]

        # no account of a closed-down customer outlives the customer
        closed[leaving] = np.where(has[leaving], np.minimum(
            np.where(closed[leaving] == NO_DAY, self.close_idx[leaving, None], closed[leaving]),
            self.close_idx[leaving, None]), NO_DAY)
        # no product predates the customer (guards rounding at the edges above)
        opened = np.where(has, np.maximum(opened, onb[:, None]), opened)
        self.opened, self.closed, self.maturity, self.rate = opened, closed, maturity, rate

    # ------------------------------------------------------------------ balances

    def _balances(self) -> None:
        rng, n, H, last, d = self.rng, self.n, self.H, self.last, self.days
        has, beh, T = self.has, self.beh, self.T
        opened, closed = self.opened, self.closed
        end = np.where(closed == NO_DAY, last, closed)  # last day with a balance row
        self.row_from = np.maximum(opened, 0)
        self.row_to = np.minimum(end, last)
        self.bal_mask = has[:, :, None] & (d[None, None, :] >= self.row_from[:, :, None]) & (
            d[None, None, :] <= self.row_to[:, :, None])
        # days a product holds value: the closing day's row shows 0.00
        holding = self.bal_mask & (d[None, None, :] < np.where(
            closed == NO_DAY, last + 1, closed)[:, :, None])
        bal = np.zeros((n, 8, H))

        # size the fixed products as shares of the lowest target AUM while they are held,
        # so that deposits (target minus fixed products) never go negative
        raw = np.zeros((n, 8))
        # mass customers keep most of their money on deposit, wealthier ones invest more
        raw[:, CUR] = rng.uniform(0.3, 0.9, n) * np.where(self.tier == 0, 4.0, 1.0)
        raw[:, TD] = rng.uniform(0.6, 2.0, n)
        raw[:, WM] = rng.uniform(0.6, 2.0, n)
        raw[:, FUND] = rng.uniform(0.3, 1.2, n)
        raw[:, INS] = rng.uniform(0.2, 0.8, n)
        for k in FIXED_KINDS:
            raw[:, k] *= has[:, k]
        share = raw / raw.sum(axis=1, keepdims=True)
        fixed_total = share[:, list(FIXED_KINDS)].sum(axis=1)
        share *= np.where(fixed_total > 0.8, 0.8 / np.maximum(fixed_total, 1e-9), 1.0)[:, None]
        principal = np.zeros((n, 8))
        fixed_base = np.zeros((n, H))
        for k in FIXED_KINDS:
            hold = holding[:, k, :]
            low = np.where(hold, T, np.inf).min(axis=1)
            low = np.where(np.isfinite(low), low, T[:, 0])
            p = share[:, k] * low
            p = np.where(p >= 10_000, np.floor(p / 1000) * 1000,
                         np.where(p >= 1000, np.floor(p / 100) * 100, np.floor(p)))
            p = np.where(has[:, k], p, 0.0)
            principal[:, k] = p
            fixed_base += p[:, None] * hold
        self.principal = principal

        # fixed products' own values
        y = np.nan_to_num(self.rate[:, WM]) / 100.0
        held_days = d[None, :] - opened[:, WM][:, None]
        bal[:, TD] = principal[:, TD, None] * holding[:, TD]
        bal[:, WM] = principal[:, WM, None] * (1 + y[:, None] * held_days / 365.0) * holding[:, WM]
        nav = self.w.fund_nav[self.fund_id]
        bal[:, FUND] = principal[:, FUND, None] * nav * holding[:, FUND]
        bal[:, INS] = principal[:, INS, None] * (1 + 0.025 * (d[None, :] - last) / 365.0) * \
            holding[:, INS]

        # salary: credited on payday, spent down over the following weeks
        self._salary_schedule()
        flex = np.maximum(T - fixed_base, 0.0)
        # savings hold a steady share of the lowest deposits in the window, so every
        # movement (salary, transfers, purchases, maturities) lands on the settlement account
        # and it never goes negative; leavers move their savings to current when they start
        # to leave
        both = has[:, CUR] & has[:, SAV]
        f_sav = np.where(both, np.where(self.tier >= 1, rng.uniform(0.55, 0.9, n),
                                        rng.uniform(0.3, 0.8, n)), 0.0)
        sav_end = np.where(beh == LEAVING, self.drain_idx - 1, last)
        sav_days = (d[None, :] >= opened[:, SAV, None]) & (d[None, :] <= sav_end[:, None])
        sav_low = np.where(sav_days, flex, np.inf).min(axis=1)
        sav_low = np.where(np.isfinite(sav_low), sav_low, 0.0)
        sav = np.round(f_sav * sav_low, 2)[:, None] * sav_days
        moved = both & (beh == LEAVING) & (self.drain_idx > opened[:, SAV]) & (
            self.drain_idx >= 1)
        self.savings_moved = (np.flatnonzero(moved), sav[moved, np.maximum(
            self.drain_idx[moved] - 1, 0)])
        # day-to-day noise on current accounts (small spending and receipts), none for
        # dormant customers whose balances stay flat
        noise = np.zeros((n, H))
        eps = rng.normal(0.0, 0.012, (n, H))
        for t in range(1, H):
            noise[:, t] = 0.8 * noise[:, t - 1] + eps[:, t]
        noise[beh == DORMANT] = 0.0
        on_cur = has[:, CUR]
        cur = np.where(on_cur[:, None], (flex - sav) * (1 + noise) + self.saw, 0.0)
        # without a current account the passbook is the settlement account
        sav = np.where(on_cur[:, None], sav, flex + self.saw)
        cur = np.maximum(cur, 0.0)

        # quarterly interest on demand deposits, posted on the 21st
        self.interest_rows = []
        for q in self.w.interest_days:
            if q == 0:
                continue
            for k, values in ((CUR, cur), (SAV, sav)):
                amount = np.round(values[:, q - 1] * np.nan_to_num(self.rate[:, k]) / 100.0
                                  * 91 / 365.0, 2)
                ok = holding[:, k, q] & holding[:, k, q - 1] & (amount >= 0.01)
                values += np.where(ok, amount, 0.0)[:, None] * (d[None, :] >= q)
                self.interest_rows.append((np.flatnonzero(ok), k, q, amount[ok]))
        bal[:, CUR] = cur * holding[:, CUR]
        bal[:, SAV] = sav * holding[:, SAV]

        self._cards(bal, holding)
        self._loans(bal, holding)
        self.bal = bal
        self.holding = holding

    def _salary_schedule(self) -> None:
        rng, n, H, last, d = self.rng, self.n, self.H, self.last, self.days
        beh = self.beh
        dom = rng.choice([5, 10, 15, 20, 25, 28], n, p=[0.15, 0.25, 0.2, 0.15, 0.15, 0.1])
        pay = self.w.salary_days[dom]  # (n, k)
        stop = np.full(n, last + 1)
        declining = beh == DECLINING
        # salary stopped one to two months ago for decliners, before the drain for leavers
        one = rng.random(n) < 0.4
        stop = np.where(declining, last - np.where(one, rng.integers(35, 58, n),
                                                   rng.integers(62, 88, n)), stop)
        stop = np.where(beh == LEAVING, self.drain_idx - rng.integers(0, 30, n), stop)
        begin = np.where(beh == NEW, np.maximum(self.onb_idx, 0), NO_DAY + 1)
        begin = np.maximum(begin, self.opened[np.arange(n), self.settle])
        paid = self.salaried[:, None] & (pay > NO_DAY) & (pay >= begin[:, None]) & (
            pay <= stop[:, None])
        amount = np.round(self.salary[:, None] * rng.normal(1.0, 0.02, pay.shape), 2)
        amount = np.where(paid, amount, 0.0)
        spend_days = rng.uniform(18, 30, n)
        last_pay = np.full((n, H), NO_DAY, dtype=np.int64)
        last_amt = np.zeros((n, H))
        for k in range(pay.shape[1]):
            ok = paid[:, k:k + 1] & (pay[:, k:k + 1] <= d[None, :])
            last_pay = np.where(ok, pay[:, k:k + 1], last_pay)
            last_amt = np.where(ok, amount[:, k:k + 1], last_amt)
        elapsed = d[None, :] - last_pay
        self.saw = last_amt * np.clip(1 - elapsed / spend_days[:, None], 0.0, 1.0)
        in_window = paid & (pay >= 0) & (pay <= last)
        ci, ki = np.nonzero(in_window)
        self.salary_txn = (ci, pay[ci, ki], amount[ci, ki])

    def _cards(self, bal: np.ndarray, holding: np.ndarray) -> None:
        """Card spends build the outstanding balance; a monthly auto-debit repays it."""
        rng, n, H, last, d = self.rng, self.n, self.H, self.last, self.days
        has, beh = self.has, self.beh
        active = has[:, CARD] & ~np.isin(beh, (DORMANT,))
        # card users pay by card a few times a week on average
        lam = np.where(active, rng.uniform(0.05, 0.6, n), 0.0)
        first = np.maximum(self.opened[:, CARD], 0)
        stop = np.where(beh == LEAVING, self.drain_idx, last)
        length = np.maximum(stop - first + 1, 0)
        count = rng.poisson(lam * length)
        ci = np.repeat(np.arange(n), count)
        day = first[ci] + (rng.random(ci.shape[0]) * length[ci]).astype(np.int64)
        monthly = self.card_limit * rng.uniform(0.05, 0.3, n)
        mean_amt = monthly / np.maximum(30 * lam, 1e-9)
        amt = np.round(mean_amt[ci] * rng.lognormal(-0.4, 0.9, ci.shape[0]), 2)
        amt = np.maximum(amt, 1.0)
        spend = np.bincount(ci * H + day, weights=amt, minlength=n * H).reshape(n, H)
        opening = np.where(active & (self.opened[:, CARD] < 0),
                           monthly * rng.uniform(0.0, 0.6, n), 0.0)
        # repayment days: a statement day of the month; leavers repay everything at closing
        rdom = rng.integers(1, 29, n)
        rp = self.w.month_days[rdom]
        rp = np.where((rp >= 0) & (rp > self.opened[:, CARD][:, None]), rp, NO_DAY)
        leaving = beh == LEAVING
        rp = np.where(leaving[:, None] & (rp >= self.close_idx[:, None]), NO_DAY, rp)
        rp = np.concatenate([rp, np.where(leaving, self.close_idx, NO_DAY)[:, None]], axis=1)
        rp.sort(axis=1)
        cum = np.zeros((n, H + 1))
        cum[:, 1:] = np.cumsum(spend, axis=1)  # cum[:, x] = spent before day x
        last_rp = np.full((n, H), -1, dtype=np.int64)
        for k in range(rp.shape[1]):
            ok = (rp[:, k:k + 1] >= 0) & (rp[:, k:k + 1] <= d[None, :])
            last_rp = np.where(ok, rp[:, k:k + 1], last_rp)
        row = np.arange(n)[:, None]
        owed = np.where(last_rp >= 0, cum[:, 1:] - cum[row, np.maximum(last_rp, 0)],
                        opening[:, None] + cum[:, 1:])
        # keep within the limit: scale a customer's spending down if it would exceed it
        peak = (owed * holding[:, CARD]).max(axis=1)
        factor = np.where(peak > 0.9 * self.card_limit,
                          0.9 * self.card_limit / np.maximum(peak, 1e-9), 1.0)
        owed *= factor[:, None]
        amt = np.round(amt * factor[ci], 2)
        bal[:, CARD] = np.maximum(owed, 0.0) * self.bal_mask[:, CARD]
        self.card_spend_txn = (ci, day, amt)
        # repayment amounts: everything owed the day before each repayment day
        ri, rk = np.nonzero(rp >= 0)
        rday = rp[ri, rk]
        prev = np.where(rk > 0, rp[ri, np.maximum(rk - 1, 0)], -1)
        paid = np.where(prev >= 0, cum[ri, rday] - cum[ri, np.maximum(prev, 0)],
                        opening[ri] + cum[ri, rday])
        self.card_repay_txn = (ri, rday, np.round(paid * factor[ri], 2))

    def _loans(self, bal: np.ndarray, holding: np.ndarray) -> None:
        """Outstanding principal falls by one instalment's principal each month."""
        n, last, d = self.n, self.last, self.days
        has = self.has
        opened = self.opened[:, LOAN]
        dom = np.minimum(day_of_month(self.w.as_of, last, opened), 28)
        rp = self.w.month_days[dom]
        rp = np.where((rp >= 0) & (rp > opened[:, None]) & has[:, LOAN, None], rp, NO_DAY)
        months_before = np.maximum((0 - opened) / 30.4375, 0).astype(np.int64)
        count = np.zeros((n, self.H), dtype=np.int64)
        for k in range(rp.shape[1]):
            count += (rp[:, k:k + 1] >= 0) & (rp[:, k:k + 1] <= d[None, :])
        p = self.loan_principal
        per_month = p / self.loan_months
        outstanding = p[:, None] - per_month[:, None] * (months_before[:, None] + count)
        bal[:, LOAN] = np.maximum(outstanding, 0.0) * self.bal_mask[:, LOAN]
        self.principal[:, LOAN] = p
        ri, rk = np.nonzero(rp >= 0)
        before = p[ri] - per_month[ri] * (months_before[ri] + count[ri, rp[ri, rk]] - 1)
        instalment = per_month[ri] + before * np.nan_to_num(self.rate[ri, LOAN]) / 1200.0
        self.loan_repay_txn = (ri, rp[ri, rk], np.round(instalment, 2))

    # ------------------------------------------------------------------ rows

    @property
    def account_ids(self) -> np.ndarray:
        """``A`` + customer number (9 digits) + product slot (2 digits), by customer*8+slot."""
        if not hasattr(self, "_account_ids"):
            base = (self.gidx + 1)[:, None] * 100 + np.arange(1, 9)[None, :]
            self._account_ids = object_array([f"A{v:011d}" for v in base.ravel().tolist()])
        return self._account_ids

    def _account_rows(self) -> list[tuple[Any, ...]]:
        w, zh = self.w, self.w.names == "zh"
        ci, ki = np.nonzero(self.has)
        lang = 0 if zh else 1
        names = {k: np.array([p[lang] for p in ref.PRODUCT_NAMES[k]], dtype=object)
                 for k in ref.PRODUCT_NAMES}
        td_names = np.array([t[1 + lang] for t in ref.TIME_DEPOSIT_TERMS], dtype=object)
        product_name = np.empty(ci.shape[0], dtype=object)
        for k, kind in enumerate(PRODUCT_KINDS):
            sel = ki == k
            if kind == "time_deposit":
                product_name[sel] = td_names[self.td_variant[ci[sel]]]
            elif kind == "wealth":
                product_name[sel] = names[kind][self.wm_variant[ci[sel]]]
            elif kind == "fund":
                product_name[sel] = names[kind][self.fund_id[ci[sel]]]
            elif kind == "loan":
                product_name[sel] = names[kind][self.loan_kind[ci[sel]]]
            elif kind == "credit_card":
                product_name[sel] = names[kind][np.minimum(self.tier[ci[sel]], 4) // 2]
            else:
                opts = names[kind]
                product_name[sel] = opts[self.product_variant[ci[sel], k] % opts.shape[0]]
        principal = object_array(money(self.principal[ci, ki]))
        principal[~np.isin(ki, (TD, WM, LOAN, INS))] = None
        limit = object_array(money(self.card_limit[ci]))
        limit[ki != CARD] = None
        rate = object_array(np.round(self.rate[ci, ki], 3).tolist())
        rate[np.isnan(self.rate[ci, ki])] = None
        maturity = self.maturity[ci, ki]
        return list(zip(
            self.account_ids[ci * 8 + ki].tolist(), self.cust_ids[ci].tolist(),
            np.asarray(PRODUCT_KINDS, dtype=object)[ki].tolist(), product_name.tolist(),
            w.dates(self.opened[ci, ki]).tolist(), w.dates(self.closed[ci, ki]).tolist(),
            w.dates(maturity).tolist(), rate.tolist(), principal.tolist(), limit.tolist(),
            strict=True))

    def _balance_rows(self) -> Iterator[list[tuple[Any, ...]]]:
        """The account_balances rows, a batch at a time."""
        w, acct_ids = self.w, self.account_ids
        # in primary-key order (account, date), a few hundred customers at a time, so
        # that SQLite appends to its index and memory stays small
        step = max(1, 200_000 // (8 * self.H))
        for i0 in range(0, self.n, step):
            i1 = min(self.n, i0 + step)
            ci, ki, di = np.nonzero(self.bal_mask[i0:i1])
            values = self.bal[i0:i1][ci, ki, di]
            yield list(zip(acct_ids[(ci + i0) * 8 + ki].tolist(), w.day_str[di].tolist(),
                           money(values), strict=True))
