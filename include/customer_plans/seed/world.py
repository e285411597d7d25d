"""The world every chunk shares: branches, managers, fund prices and the window's calendar.

``build_world`` makes the ``branches`` and ``managers`` tables (rows ready to write), the
branch and manager attributes that customers are assigned against, one price path per
fund (the same fund moves the same for everyone) and the calendar arrays (window dates,
paydays, interest days, end-of-day times), all from the world's random stream
``(seed, 0)``; branch heads come from a stream of their own, ``(seed, 2)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from customer_plans.seed import names as ref
from customer_plans.seed.calendar import NO_DAY, eod_status_rows, iso_dates, month_day_table
from customer_plans.seed.constants import ACTIVE, LEFT, MANAGER_STATUSES, ON_LEAVE
from customer_plans.seed.identities import names_en, names_zh
from customer_plans.seed.sampling import object_array


@dataclass
class World:
    """Everything shared by all chunks: calendar, branches, managers, market data."""

    seed: int
    as_of: np.datetime64
    history_days: int
    names: str
    branch_columns: tuple[str, ...]
    branch_rows: list[tuple[Any, ...]]
    branch_city: np.ndarray
    branch_weights: np.ndarray
    manager_columns: tuple[str, ...]
    manager_rows: list[tuple[Any, ...]]
    manager_ids: np.ndarray
    manager_branch: np.ndarray
    manager_status: np.ndarray
    manager_weight: np.ndarray
    manager_backup: np.ndarray
    manager_leave_from: np.ndarray  # window index, NO_DAY when not on leave
    manager_leave_to: np.ndarray
    manager_left: np.ndarray  # window index of the left date, NO_DAY when not left
    branch_managers: list[np.ndarray]
    branch_active: list[np.ndarray]
    fund_nav: np.ndarray  # (funds, days): net asset value, 1.0 on the business date
    id_offset: int
    day_str: np.ndarray  # object array of ISO dates of the window
    salary_days: np.ndarray  # (29, k) window indices of paydays by day of month
    month_days: np.ndarray  # (29, k) window indices of a day of month (no weekend shift)
    interest_days: np.ndarray  # window indices of quarterly interest postings
    eod_jitter: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    @property
    def last(self) -> int:
        return self.history_days - 1

    def dates(self, idx: np.ndarray) -> np.ndarray:
        """ISO date strings (object array) for window indices; ``None`` for NO_DAY."""
        return iso_dates(self.as_of, self.last, idx)

    def eod_rows(self, close_as_of: bool) -> list[tuple[str, str]]:
        """One closed business date per day of the history window (optionally not B)."""
        return eod_status_rows(self.as_of, self.history_days, self.eod_jitter, close_as_of)

    def tables(self) -> Iterator[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
        """The world's own tables, in the order they are written: branches, managers."""
        yield "branches", self.branch_columns, self.branch_rows
        yield "managers", self.manager_columns, self.manager_rows


def build_world(seed: int, as_of: date, history_days: int, n_branches: int, n_managers: int,
                names: str) -> World:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    zh = names == "zh"
    as64 = np.datetime64(as_of.isoformat(), "D")
    last = history_days - 1

    # branches: city and district pairs taken round-robin over cities, so that even a few
    # branches span several cities
    pairs = []
    depth = max(len(c[2]) for c in ref.CITIES)
    for j in range(depth):
        for ci, city in enumerate(ref.CITIES):
            if j < len(city[2]):
                pairs.append((ci, j))
    branch_rows, branch_city = [], []
    for b in range(n_branches):
        ci, j = pairs[b % len(pairs)]
        city_zh, city_en, districts = ref.CITIES[ci]
        district_zh, district_en = districts[j]
        rank = b // len(pairs) + 1
        if zh:
            label = f"{city_zh}{district_zh}{'' if rank == 1 else f'第{rank}'}支行"
            city = city_zh
        else:
            label = f"{city_en} {district_en} Sub-branch{'' if rank == 1 else f' No. {rank}'}"
            city = city_en
        branch_rows.append((f"BR{b + 1:03d}", label, city))
        branch_city.append(ci)
    branch_rows = [(*row, *head) for row, head in zip(
        branch_rows, _branch_heads(seed, n_branches, zh), strict=True)]
    branch_weights = rng.gamma(6.0, 1.0, n_branches)
    branch_weights /= branch_weights.sum()

    # managers: round-robin over branches; the first manager of each branch is active so
    # that every branch has someone to back up the others
    m = np.arange(n_managers)
    manager_branch = m % n_branches
    status = np.full(n_managers, ACTIVE)
    rest = rng.permutation(np.arange(n_branches, n_managers))
    if rest.shape[0] >= 2:
        n_leave = max(1, round(0.06 * n_managers))
        n_left = max(1, round(0.04 * n_managers))
        n_leave = min(n_leave, rest.shape[0] - 1)
        n_left = min(n_left, rest.shape[0] - n_leave)
        status[rest[:n_leave]] = ON_LEAVE
        status[rest[n_leave:n_leave + n_left]] = LEFT
    leave_from = np.full(n_managers, NO_DAY)
    leave_to = np.full(n_managers, NO_DAY)
    left = np.full(n_managers, NO_DAY)
    on_leave = status == ON_LEAVE
    leave_from[on_leave] = last - rng.integers(0, 21, on_leave.sum())
    leave_to[on_leave] = last + rng.integers(0, 31, on_leave.sum())
    gone = status == LEFT
    left[gone] = last - rng.integers(1, 121, gone.sum())

    branch_managers = [np.flatnonzero(manager_branch == b) for b in range(n_branches)]
    branch_active = [idx[status[idx] == ACTIVE] for idx in branch_managers]
    all_active = np.flatnonzero(status == ACTIVE)
    backup = np.full(n_managers, -1)
    for i in range(n_managers):
        same = branch_active[manager_branch[i]]
        candidates = same[same != i]
        if candidates.shape[0] == 0:  # a one-manager branch: borrow from another branch
            candidates = all_active[all_active != i]
        if candidates.shape[0]:
            backup[i] = candidates[rng.integers(0, candidates.shape[0])]

    locale_en = np.ones(n_managers, bool) if not zh else rng.random(n_managers) < 0.15
    male = rng.random(n_managers) < 0.5
    name_zh, _ = names_zh(rng, male)
    name_en, _ = names_en(rng, male)
    manager_name = np.where(locale_en, name_en, name_zh)
    manager_ids = object_array([f"M{i + 1:05d}" for i in m])
    calls = rng.integers(15, 31, n_managers)
    visits = rng.integers(2, 6, n_managers)
    leave_from_s = iso_dates(as64, last, leave_from)
    leave_to_s = iso_dates(as64, last, leave_to)
    left_s = iso_dates(as64, last, left)
    manager_rows = list(zip(
        manager_ids.tolist(),
        [branch_rows[b][0] for b in manager_branch],
        manager_name.tolist(),
        [f"{mid.lower()}@bank.example" for mid in manager_ids],
        np.where(locale_en, "en", "zh_CN").tolist(),
        calls.tolist(), visits.tolist(),
        [MANAGER_STATUSES[s] for s in status],
        leave_from_s.tolist(), leave_to_s.tolist(), left_s.tolist(),
        [None if b < 0 else manager_ids[b] for b in backup],
        strict=True,
    ))

    # fund prices: one shared path per fund (the same fund moves the same for everyone)
    vol = np.asarray(ref.FUND_DAILY_VOLATILITY)
    drift = vol * 0.02
    log_ret = rng.normal(drift[:, None], vol[:, None], (vol.shape[0], history_days))
    log_nav = np.cumsum(log_ret, axis=1)
    fund_nav = np.exp(log_nav - log_nav[:, -1:])

    window_dates = as64 + (np.arange(history_days) - last).astype("timedelta64[D]")
    months = window_dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (window_dates - window_dates.astype("datetime64[M]")).astype(np.int64) + 1
    # banks in China settle demand-deposit interest on the 20th of the quarter's last
    # month and post it on the 21st
    interest_days = np.flatnonzero(np.isin(months, (3, 6, 9, 12)) & (dom == 21))

    return World(
        seed=seed, as_of=as64, history_days=history_days, names=names,
        branch_columns=("branch_id", "branch_name", "city", "head_name", "head_email", "locale"),
        branch_rows=branch_rows,
        branch_city=np.asarray(branch_city), branch_weights=branch_weights,
        manager_columns=(
            "manager_id", "branch_id", "manager_name", "email", "locale",
            "daily_call_capacity", "daily_visit_capacity", "status", "leave_start_date",
            "leave_end_date", "left_date", "backup_manager_id"),
        manager_rows=manager_rows, manager_ids=manager_ids, manager_branch=manager_branch,
        manager_status=status, manager_weight=rng.uniform(0.6, 1.4, n_managers),
        manager_backup=backup, manager_leave_from=leave_from, manager_leave_to=leave_to,
        manager_left=left, branch_managers=branch_managers, branch_active=branch_active,
        fund_nav=fund_nav, id_offset=int(rng.integers(0, 10**6)),
        day_str=np.datetime_as_string(window_dates, unit="D").astype(object),
        salary_days=month_day_table(as64, history_days, shift_weekend=True),
        month_days=month_day_table(as64, history_days, shift_weekend=False),
        interest_days=interest_days,
        eod_jitter=rng.integers(0, 40 * 60, history_days),
    )


def _branch_heads(
    seed: int, n_branches: int, zh: bool
) -> list[tuple[str | None, str | None, str | None]]:
    """``(head_name, head_email, locale)`` per branch, from a stream of their own.

    A stream separate from the world's, so that the heads change nothing else a seed
    generates. About one post in ten is vacant (no name, no address) and, in a Chinese
    bank, about one head in ten has no language on record (the bank's default applies);
    a bank of three or more branches has at least one of each, so that both paths run.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    male = rng.random(n_branches) < 0.5
    name_zh, _ = names_zh(rng, male)
    name_en, _ = names_en(rng, male)
    locale_en = np.ones(n_branches, bool) if not zh else rng.random(n_branches) < 0.15
    vacant = rng.random(n_branches) < 0.1
    no_locale = (rng.random(n_branches) < 0.1) & zh
    if n_branches >= 3:
        if not vacant.any():
            vacant[rng.integers(0, n_branches)] = True
        if zh and not (no_locale & ~vacant).any():
            no_locale[rng.choice(np.flatnonzero(~vacant))] = True
    heads = []
    for b in range(n_branches):
        locale = None if no_locale[b] else ("en" if locale_en[b] else "zh_CN")
        if vacant[b]:
            heads.append((None, None, locale))
        else:
            name = str(name_en[b] if locale_en[b] else name_zh[b])
            heads.append((name, f"br{b + 1:03d}.head@bank.example", locale))
    return heads

