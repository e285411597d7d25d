"""The synthetic core bank: a deterministic, vectorized generator of the source contract.

``generate_bank`` drops and recreates the source contract tables
(``include/sql/core_banking/schema.sql``) plus the generator-only ``seed_truth`` table,
then fills them for one business date ``as_of`` (called B below) and a history window of
``history_days`` calendar days ending on B.

How it works, briefly:

* Branches, managers and market data (fund prices) come from one "world" random stream.
* Customers are generated in chunks; each chunk has its own random stream derived from
  ``(seed, chunk index)``, so the same seed and chunk size give byte-identical data and
  memory stays bounded however many customers there are.
* Within a chunk everything is NumPy on arrays of shape ``(customers, days)``: each
  customer gets a planted behaviour (stable, growing, declining, dormant, leaving, new,
  potential) that drives a target AUM trajectory; products are sized so that deposits
  absorb the difference; large movements (salary, transfers in and out, product
  purchases and maturities) are posted as transactions on the same day and for the
  same amount as they move the balances.

Day arithmetic uses *window indices*: ``0`` is the first day of the history window and
``last = history_days - 1`` is the business date; negative indices are before the
window. "ago" values count days back from the business date.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tqdm import tqdm

from customer_plans import db
from customer_plans.seed import names as ref

SCHEMA_SCRIPT = "core_banking/schema.sql"
CONTRACT_TABLES = (
    "eod_status", "branches", "managers", "customers", "restricted_list", "accounts",
    "account_balances", "transactions", "contact_history", "complaints",
)
TRUTH_TABLE = "seed_truth"
# children before parents, so that PostgreSQL never refuses a drop
_DROP_ORDER = (
    TRUTH_TABLE, "complaints", "contact_history", "transactions", "account_balances",
    "accounts", "restricted_list", "customers", "managers", "branches", "eod_status",
)
_TRUTH_DDL = (
    f"create table {TRUTH_TABLE} (\n"
    "    customer_id varchar(16) primary key,\n"
    "    planted_behaviour varchar(16) not null\n)"
)

# The tier ladder the synthetic AUM is stratified against. These are *targets for the
# generated population*, deliberately not read from rules.yaml: a source system knows
# nothing of the consumer's rules, and tests compare the two.
TIER_CODES = ("mass", "gold", "platinum", "diamond", "private")
TIER_FLOOR_CNY = (0.0, 50_000.0, 500_000.0, 2_000_000.0, 6_000_000.0)
TIER_SHARES = (0.70, 0.20, 0.07, 0.025, 0.005)
# target 30-day average daily AUM per tier: kept a little inside the floors so that day to
# day noise rarely carries a customer across a threshold; tilt > 1 favours the low end
_LEVEL_LOW = np.array([1_500.0, 51_000.0, 510_000.0, 2_040_000.0, 6_150_000.0])
_LEVEL_HIGH = np.array([47_000.0, 470_000.0, 1_900_000.0, 5_700_000.0, 60_000_000.0])
_LEVEL_TILT = np.array([1.2, 1.8, 1.6, 1.5, 2.2])

BEHAVIOURS = ("stable", "growing", "declining", "dormant", "leaving", "new", "potential")
BEHAVIOUR_SHARES = (0.56, 0.12, 0.12, 0.08, 0.05, 0.03, 0.04)
STABLE, GROWING, DECLINING, DORMANT, LEAVING, NEW, POTENTIAL = range(7)

PRODUCT_KINDS = (
    "current", "savings", "time_deposit", "wealth", "fund", "insurance", "loan", "credit_card",
)
CUR, SAV, TD, WM, FUND, INS, LOAN, CARD = range(8)
AUM_KINDS = (CUR, SAV, TD, WM, FUND, INS)
_FIXED_KINDS = (TD, WM, FUND, INS)  # products whose value does not follow day to day flows

TXN_TYPES = (
    "salary_credit", "card_spend", "transfer_in", "transfer_out_internal",
    "transfer_out_other_bank", "cash_deposit", "cash_withdrawal", "product_purchase",
    "product_redemption", "interest", "fee",
)
(T_SALARY, T_CARD, T_IN, T_OUT_INT, T_OUT_OTHER, T_CASH_IN, T_CASH_OUT, T_BUY, T_REDEEM,
 T_INTEREST, T_FEE) = range(11)
_CREDIT_TYPES = (T_SALARY, T_IN, T_CASH_IN, T_REDEEM, T_INTEREST)
TXN_CHANNELS = ("counter", "mobile", "online", "atm", "pos", "batch")
C_COUNTER, C_MOBILE, C_ONLINE, C_ATM, C_POS, C_BATCH = range(6)

CONTACT_CHANNELS = ("phone", "visit", "sms", "wechat", "email", "app")
CONTACT_PURPOSES = (
    "maintenance", "maturity_reminder", "retention", "greeting", "sales", "service_recovery",
    "follow_up", "enquiry",
)
(P_MAINT, P_MATURITY, P_RETENTION, P_GREETING, P_SALES, P_RECOVERY, P_FOLLOW,
 P_ENQUIRY) = range(8)
CONTACT_OUTCOMES = ("reached", "no_answer", "declined", "message_sent")
CONTACT_HISTORY_DAYS = 180
COMPLAINT_CATEGORIES = ("service", "fees", "product", "staff", "system")
RESTRICTION_REASONS = (
    "aml_review", "fraud_investigation", "judicial_freeze", "sanctions_screening",
    "internal_watchlist",
)
MANAGER_STATUSES = ("active", "on_leave", "left")
ACTIVE, ON_LEAVE, LEFT = range(3)
PREFERRED_CHANNELS = CONTACT_CHANNELS

_NO_DAY = -(10**6)  # "no such day" in integer day arrays


@dataclass
class SeedReport:
    """What a generation run wrote: row counts, planted behaviours, tiers, timing."""

    row_counts: dict[str, int]
    behaviour_counts: dict[str, int]
    tier_counts: dict[str, int]
    seconds: float
    url: str
    as_of: date

    def summary(self) -> str:
        """A short human-readable summary (what the CLI prints)."""
        customers = max(1, self.row_counts.get("customers", 0))
        lines = [f"synthetic core bank for business date {self.as_of.isoformat()} -> "
                 f"{_redact(self.url)}"]
        lines.append("rows: " + ", ".join(f"{k} {v:,}" for k, v in self.row_counts.items()))
        lines.append("planted behaviours: " + ", ".join(
            f"{k} {v:,} ({v / customers:.1%})" for k, v in self.behaviour_counts.items()))
        lines.append("tiers by 30-day ADB (approx.): " + ", ".join(
            f"{k} {v:,} ({v / customers:.1%})" for k, v in self.tier_counts.items()))
        lines.append(f"time: {self.seconds:.1f} s")
        return "\n".join(lines)


def generate_bank(url: str, **options) -> dict[str, int]:
    """Replace the core banking tables at ``url`` with a synthetic bank; return row counts.

    Takes the options of :func:`generate_bank_report`. The same arguments (including
    ``chunk_size``) always produce identical data. ``close_as_of=False`` leaves the
    business date itself out of ``eod_status``, as if the core system's end-of-day batch
    had not finished yet.
    """
    return generate_bank_report(url, **options).row_counts


def generate_bank_report(
    url: str,
    *,
    customers: int = 20_000,
    managers: int = 100,
    branches: int = 10,
    as_of: date | str = date(2026, 11, 19),
    seed: int = 42,
    history_days: int = 100,
    names: str = "zh",
    chunk_size: int = 5_000,
    close_as_of: bool = True,
    progress: bool = False,
) -> SeedReport:
    """Like :func:`generate_bank`, returning a :class:`SeedReport` with distributions."""
    started = time.perf_counter()
    business_date = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    _validate(customers, managers, branches, history_days, names, chunk_size)
    world = _build_world(seed, business_date, history_days, branches, managers, names)

    engine = db.make_engine(url)
    counts = dict.fromkeys((*CONTRACT_TABLES, TRUTH_TABLE), 0)
    behaviour_counts = np.zeros(len(BEHAVIOURS), dtype=np.int64)
    tier_counts = np.zeros(len(TIER_CODES), dtype=np.int64)
    try:
        secondary_indexes = _reset_schema(engine)
        # one connection for the whole load, one transaction per chunk
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # a freshly created bank needs no write-ahead log while it is being loaded:
                # a rollback journal writes each page once (WAL writes it twice); a crash
                # still leaves a consistent file, and a rerun replaces it anyway
                conn.exec_driver_sql("pragma journal_mode=delete")
                conn.exec_driver_sql("pragma synchronous=off")
                conn.commit()
            with conn.begin():
                counts["branches"] += _insert(conn, "branches", world.branch_columns,
                                              world.branch_rows)
                counts["managers"] += _insert(conn, "managers", world.manager_columns,
                                              world.manager_rows)
            with tqdm(total=customers, unit="customer", desc="seed", disable=not progress,
                      file=sys.stderr) as bar:
                for chunk_index, start in enumerate(range(0, customers, chunk_size)):
                    n = min(chunk_size, customers - start)
                    rng = np.random.default_rng(np.random.SeedSequence([seed, 1, chunk_index]))
                    chunk = _build_chunk(world, start, n, rng)
                    with conn.begin():
                        for table, columns, rows in chunk.tables():
                            counts[table] += _insert(conn, table, columns, rows)
                    behaviour_counts += np.bincount(chunk.behaviour, minlength=len(BEHAVIOURS))
                    tier_counts += np.bincount(chunk.adb_tier, minlength=len(TIER_CODES))
                    bar.update(n)
                    del chunk
            with conn.begin():
                # secondary indexes are built once after loading: cheaper than maintaining
                # them row by row
                for statement in secondary_indexes:
                    conn.exec_driver_sql(statement)
                # the end-of-day mark goes in last: a half-written bank never looks closed
                counts["eod_status"] += _insert(conn, "eod_status", ("business_date",
                                                                     "closed_at"),
                                                world.eod_rows(close_as_of))
            with conn.begin():
                if sqlite:
                    # sampled statistics: enough for the planner, a fraction of a full scan
                    conn.exec_driver_sql("pragma analysis_limit=1000")
                conn.exec_driver_sql("analyze")
            if sqlite:
                conn.exec_driver_sql("pragma synchronous=normal")
                conn.exec_driver_sql("pragma journal_mode=wal")
                conn.commit()
    finally:
        engine.dispose()
    return SeedReport(
        row_counts=counts,
        behaviour_counts={b: int(c) for b, c in zip(BEHAVIOURS, behaviour_counts, strict=True)},
        tier_counts={t: int(c) for t, c in zip(TIER_CODES, tier_counts, strict=True)},
        seconds=time.perf_counter() - started,
        url=url,
        as_of=business_date,
    )


def _validate(customers: int, managers: int, branches: int, history_days: int, names: str,
              chunk_size: int) -> None:
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    if branches < 1:
        raise ValueError(f"branches must be at least 1, got {branches}")
    if managers < branches:
        raise ValueError(f"managers ({managers}) must be at least branches ({branches}): "
                         "every branch needs a manager")
    if not 30 <= history_days <= 3650:
        raise ValueError(f"history_days must be between 30 and 3650, got {history_days} "
                         "(at least 97 for 7-day averages 90 days back)")
    if names not in ("zh", "en"):
        raise ValueError(f"names must be 'zh' or 'en', got {names!r}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")


def _redact(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only used for display
        return url


# --------------------------------------------------------------------------- database


def _schema_statements() -> list[str]:
    """The statements of schema.sql.

    Comment lines are removed *before* splitting on semicolons: the file's header comment
    contains a semicolon, which ``db.split_statements`` alone would cut into a statement.
    """
    text = db.read_sql(SCHEMA_SCRIPT)
    code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    return db.split_statements(code)


def _reset_schema(engine: Engine) -> list[str]:
    """Drop and recreate the contract tables and ``seed_truth``; return the index DDL.

    Tables come from schema.sql; its secondary indexes are returned instead of created,
    so that the caller builds them once, after loading (faster than maintaining them).
    """
    statements = _schema_statements()
    index_statements = [s for s in statements if s.lower().startswith("create index")]
    with engine.begin() as conn:
        for table in _DROP_ORDER:
            conn.exec_driver_sql(f"drop table if exists {table}")
        for statement in statements:
            if statement not in index_statements:
                conn.exec_driver_sql(statement)
        conn.exec_driver_sql(_TRUTH_DDL)
    return index_statements


def _insert(conn: sa.Connection, table: str, columns: Sequence[str],
            rows: Sequence[Sequence[Any]]) -> int:
    """``db.bulk_insert`` of a list of rows; returns how many it wrote."""
    if rows:
        db.bulk_insert(conn, table, columns, rows)
    return len(rows)


# --------------------------------------------------------------------------- helpers


def _largest_remainder(shares: Sequence[float], n: int) -> np.ndarray:
    """Integer counts proportional to ``shares`` that add up to exactly ``n``."""
    raw = np.asarray(shares, dtype=float) / float(np.sum(shares)) * n
    counts = np.floor(raw).astype(np.int64)
    remainder = n - int(counts.sum())
    if remainder:
        # stable order: ties go to the earlier share
        order = np.argsort(-(raw - counts), kind="stable")
        counts[order[:remainder]] += 1
    return counts


def _stratified_labels(rng: np.random.Generator, shares: Sequence[float], n: int) -> np.ndarray:
    """Labels 0..k-1 in exact proportions (largest remainder), randomly ordered."""
    counts = _largest_remainder(shares, n)
    return rng.permutation(np.repeat(np.arange(len(shares)), counts))


def _weighted_order(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Indices in the order of a weighted draw without replacement (Efraimidis-Spirakis)."""
    u = rng.random(weights.shape[0])
    with np.errstate(divide="ignore"):
        key = np.where(weights > 0, np.log(u) / np.where(weights > 0, weights, 1.0), -np.inf)
    return np.argsort(-key, kind="stable")


def _pick(rng: np.random.Generator, p: Sequence[float], size: int) -> np.ndarray:
    return rng.choice(len(p), size=size, p=np.asarray(p, dtype=float) / np.sum(p))


def _pick_rows(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One category per row from a (rows, categories) matrix of probabilities."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(p.shape[0])[:, None] * cum[:, -1:]
    return np.minimum((u > cum).sum(axis=1), p.shape[1] - 1)


def _money(values: np.ndarray) -> list[float]:
    """Amounts as Python floats rounded to cents (and never ``-0.0``)."""
    return (np.round(np.asarray(values, dtype=float), 2) + 0.0).tolist()


def _obj(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _choose_k(rng: np.random.Generator, candidates: np.ndarray, k: int) -> np.ndarray:
    k = min(k, candidates.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(rng.choice(candidates, size=k, replace=False))


def _ramp(days: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """0 before ``start``, rising linearly to 1 at ``end`` (per row)."""
    span = np.maximum(end - start, 1)[:, None]
    return np.clip((days[None, :] - start[:, None]) / span, 0.0, 1.0)


def _random_walk(rng: np.random.Generator, rows: int, days: int, step_sd: float) -> np.ndarray:
    walk = np.cumsum(rng.normal(0.0, step_sd, (rows, days)), axis=1)
    return walk - walk[:, -1:]  # anchored at the business date


def _dirichlet_rows(rng: np.random.Generator, counts: np.ndarray, width: int) -> np.ndarray:
    """Per row, ``counts[i]`` positive weights summing to 1, zeros after them."""
    w = rng.exponential(1.0, (counts.shape[0], width))
    w[np.arange(width)[None, :] >= counts[:, None]] = 0.0
    return w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)


# --------------------------------------------------------------------------- world


@dataclass
class _World:
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
    manager_leave_from: np.ndarray  # window index, _NO_DAY when not on leave
    manager_leave_to: np.ndarray
    manager_left: np.ndarray  # window index of the left date, _NO_DAY when not left
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
        """ISO date strings (object array) for window indices; ``None`` for _NO_DAY."""
        return _iso_dates(self.as_of, self.last, idx)

    def eod_rows(self, close_as_of: bool) -> list[tuple[str, str]]:
        """One closed business date per day of the history window (optionally not B)."""
        n = self.history_days if close_as_of else self.history_days - 1
        idx = np.arange(n)
        day = self.as_of + (idx - self.last).astype("timedelta64[D]")
        closed = (day + np.timedelta64(1, "D")).astype("datetime64[s]") + (
            np.timedelta64(5400, "s") + self.eod_jitter[:n].astype("timedelta64[s]"))
        closed_str = np.char.replace(np.datetime_as_string(closed, unit="s"), "T", " ")
        return list(zip(np.datetime_as_string(day, unit="D").tolist(), closed_str.tolist(),
                        strict=True))


def _iso_dates(as_of: np.datetime64, last: int, idx: np.ndarray) -> np.ndarray:
    """ISO date strings (object array) for window indices; ``None`` for _NO_DAY."""
    idx = np.asarray(idx, dtype=np.int64)
    valid = idx > _NO_DAY // 2
    days = as_of + (np.where(valid, idx, last) - last).astype("timedelta64[D]")
    out = np.datetime_as_string(days, unit="D").astype(object)
    out[~valid] = None
    return out


def _day_of_month(as_of: np.datetime64, last: int, idx: np.ndarray) -> np.ndarray:
    days = as_of + (np.asarray(idx, dtype=np.int64) - last).astype("timedelta64[D]")
    return (days - days.astype("datetime64[M]")).astype(np.int64) + 1


def _month_day_table(as_of: np.datetime64, history_days: int, shift_weekend: bool) -> np.ndarray:
    """Window indices of day-of-month ``d`` (rows 1..28) in every month touching the window.

    Includes the month before the window, so that a salary paid just before the window
    explains the first days' balances. ``shift_weekend`` moves a Saturday or Sunday to the
    Friday before (banks pay salaries on working days).
    """
    start = as_of - np.timedelta64(history_days - 1, "D")
    first_month = start.astype("datetime64[M]") - np.timedelta64(1, "M")
    last_month = as_of.astype("datetime64[M]")
    months = np.arange(first_month, last_month + np.timedelta64(1, "M"))
    table = np.full((29, months.shape[0]), _NO_DAY, dtype=np.int64)
    for dom in range(1, 29):
        days = months.astype("datetime64[D]") + np.timedelta64(dom - 1, "D")
        if shift_weekend:
            weekday = (days.astype(np.int64) + 3) % 7  # Monday = 0
            days = days - np.maximum(weekday - 4, 0).astype("timedelta64[D]")
        idx = (days - start).astype(np.int64)
        table[dom] = np.where(idx <= history_days - 1, idx, _NO_DAY)
    return table


def _build_world(seed: int, as_of: date, history_days: int, n_branches: int, n_managers: int,
                 names: str) -> _World:
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
    leave_from = np.full(n_managers, _NO_DAY)
    leave_to = np.full(n_managers, _NO_DAY)
    left = np.full(n_managers, _NO_DAY)
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
    name_zh, _ = _names_zh(rng, male)
    name_en, _ = _names_en(rng, male)
    manager_name = np.where(locale_en, name_en, name_zh)
    manager_ids = _obj([f"M{i + 1:05d}" for i in m])
    calls = rng.integers(15, 31, n_managers)
    visits = rng.integers(2, 6, n_managers)
    leave_from_s = _iso_dates(as64, last, leave_from)
    leave_to_s = _iso_dates(as64, last, leave_to)
    left_s = _iso_dates(as64, last, left)
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

    return _World(
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
        salary_days=_month_day_table(as64, history_days, shift_weekend=True),
        month_days=_month_day_table(as64, history_days, shift_weekend=False),
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
    name_zh, _ = _names_zh(rng, male)
    name_en, _ = _names_en(rng, male)
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


def _names_zh(rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Chinese full names and their romanization (for e-mail addresses)."""
    n = male.shape[0]
    sur = np.array([s[0] for s in ref.SURNAMES_ZH])
    sur_py = np.array([s[1] for s in ref.SURNAMES_ZH])
    sur_w = np.array([s[2] for s in ref.SURNAMES_ZH])
    si = rng.choice(sur.shape[0], n, p=sur_w / sur_w.sum())
    gm = np.array([g[0] for g in ref.GIVEN_MALE_ZH])
    gm_py = np.array([g[1] for g in ref.GIVEN_MALE_ZH])
    gf = np.array([g[0] for g in ref.GIVEN_FEMALE_ZH])
    gf_py = np.array([g[1] for g in ref.GIVEN_FEMALE_ZH])
    am = rng.integers(0, gm.shape[0], n)
    bm = rng.integers(0, gm.shape[0], n)
    af = rng.integers(0, gf.shape[0], n)
    bf = rng.integers(0, gf.shape[0], n)
    first = np.where(male, gm[am], gf[af])
    first_py = np.where(male, gm_py[am], gf_py[af])
    second = np.where(male, gm[bm], gf[bf])
    second_py = np.where(male, gm_py[bm], gf_py[bf])
    two = rng.random(n) < 0.7  # most given names have two characters
    given = np.where(two, np.char.add(first, second), first)
    given_py = np.where(two, np.char.add(first_py, second_py), first_py)
    return np.char.add(sur[si], given).astype(object), np.char.add(sur_py[si], given_py)


def _names_en(rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """English full names ("First Last") and a ``first.last`` e-mail stem."""
    n = male.shape[0]
    fm, ff, last = (np.array(x) for x in (ref.FIRST_MALE_EN, ref.FIRST_FEMALE_EN, ref.LAST_EN))
    a = rng.integers(0, fm.shape[0], n)
    first = np.where(male, fm[a], ff[a])
    surname = last[rng.integers(0, last.shape[0], n)]
    full = np.char.add(np.char.add(first, " "), surname)
    stem = np.char.lower(np.char.add(np.char.add(first, "."), surname))
    return full.astype(object), stem


# --------------------------------------------------------------------------- chunk


@dataclass
class _Txns:
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


@dataclass
class _Chunk:
    """The rows one chunk of customers contributes to every table."""

    behaviour: np.ndarray
    adb_tier: np.ndarray
    customers: tuple[tuple[str, ...], list[Sequence[Any]]]
    truth: list[tuple[str, str]]
    restricted: list[tuple[Any, ...]]
    accounts: list[tuple[Any, ...]]
    balances: Callable[[], Iterator[list[tuple[Any, ...]]]]  # produced slice by slice
    transactions: list[tuple[Any, ...]]
    contacts: list[tuple[Any, ...]]
    complaints: list[tuple[Any, ...]]

    def tables(self) -> Iterator[tuple[str, tuple[str, ...], list[Sequence[Any]]]]:
        yield "customers", self.customers[0], self.customers[1]
        yield TRUTH_TABLE, ("customer_id", "planted_behaviour"), self.truth
        yield "restricted_list", ("customer_id", "reason_code", "listed_date",
                                  "delisted_date"), self.restricted
        yield "accounts", ("account_id", "customer_id", "product_kind", "product_name",
                           "opened_date", "closed_date", "maturity_date", "interest_rate_pct",
                           "principal_cny", "credit_limit_cny"), self.accounts
        for rows in self.balances():
            yield "account_balances", ("account_id", "balance_date", "balance_cny"), rows
        yield "transactions", ("transaction_id", "account_id", "customer_id",
                               "transaction_date", "amount_cny", "direction", "channel",
                               "transaction_type", "counterparty_bank"), self.transactions
        yield "contact_history", ("contact_id", "customer_id", "manager_id", "contact_ts",
                                  "channel", "initiated_by", "purpose", "outcome"), self.contacts
        yield "complaints", ("complaint_id", "customer_id", "opened_date", "closed_date",
                             "status", "category"), self.complaints


def _build_chunk(world: _World, start: int, n: int, rng: np.random.Generator) -> _Chunk:
    """Generate customers ``start .. start+n-1`` and everything they own."""
    return _ChunkBuilder(world, start, n, rng).build()


class _ChunkBuilder:
    """Builds one chunk step by step; every attribute is an array over the chunk's customers."""

    def __init__(self, world: _World, start: int, n: int, rng: np.random.Generator) -> None:
        self.w = world
        self.rng = rng
        self.n = n
        self.start = start
        self.H = world.history_days
        self.last = world.last
        self.days = np.arange(self.H)
        self.gidx = np.arange(start, start + n, dtype=np.int64)
        self.txns = _Txns()

    # ------------------------------------------------------------------ orchestration

    def build(self) -> _Chunk:
        self._people()
        self._relationship()
        self._holdings()
        self._trajectory()
        self._product_dates()
        self._balances()
        self._transactions()
        self._contacts()
        complaints = self._complaints()  # also adds service-recovery contacts
        w = self.w
        aum = self.bal[:, AUM_KINDS, :].sum(axis=1)
        adb = aum[:, -30:].sum(axis=1) / 30.0
        adb_tier = np.searchsorted(np.asarray(TIER_FLOOR_CNY), adb, side="right") - 1
        acct_ids = self.account_ids

        def balance_rows() -> Iterator[list[tuple[Any, ...]]]:
            # in primary-key order (account, date), a few hundred customers at a time, so
            # that SQLite appends to its index and memory stays small
            step = max(1, 200_000 // (8 * self.H))
            for i0 in range(0, self.n, step):
                i1 = min(self.n, i0 + step)
                ci, ki, di = np.nonzero(self.bal_mask[i0:i1])
                values = self.bal[i0:i1][ci, ki, di]
                yield list(zip(acct_ids[(ci + i0) * 8 + ki].tolist(), w.day_str[di].tolist(),
                               _money(values), strict=True))

        return _Chunk(
            behaviour=self.beh, adb_tier=adb_tier,
            customers=self._customer_rows(), truth=list(zip(
                self.cust_ids.tolist(), np.asarray(BEHAVIOURS, dtype=object)[self.beh].tolist(),
                strict=True)),
            restricted=self._restricted_rows(), accounts=self._account_rows(),
            balances=balance_rows, transactions=self._transaction_rows(),
            contacts=self.contact_rows, complaints=complaints,
        )

    # ------------------------------------------------------------------ people

    def _people(self) -> None:
        rng, n = self.rng, self.n
        self.cust_ids = _obj([f"C{i + 1:09d}" for i in self.gidx])
        self.beh = _stratified_labels(rng, BEHAVIOUR_SHARES, n)
        beh = self.beh

        # ages: adults 18-85 centred on mid-forties, new customers younger; ~1% minors
        age_years = np.clip(rng.normal(46.0, 15.0, n), 18.05, 85.9)
        young = np.clip(rng.normal(34.0, 11.0, n), 18.05, 80.0)
        age_years = np.where(beh == NEW, young, age_years)
        age_days = (age_years * 365.25).astype(np.int64)
        minors = _choose_k(rng, np.flatnonzero(np.isin(beh, (STABLE, GROWING, DORMANT))),
                           round(0.01 * n))
        self.minor = np.zeros(n, bool)
        self.minor[minors] = True
        age_days[minors] = rng.integers(6 * 365, 18 * 365 - 10, minors.shape[0])
        self.age_days = age_days
        self.age = age_days / 365.25
        self.male = rng.random(n) < 0.5

        # value tier: exact counts per chunk (so even small banks have every tier), given
        # to customers by a weighted draw: older, established customers hold more
        weight = np.ones(n)
        weight[self.age < 25] = 0.25
        weight[(self.age >= 25) & (self.age < 35)] = 0.6
        weight[(self.age >= 35) & (self.age < 65)] = 1.3
        weight[np.isin(beh, (NEW, DORMANT))] *= 0.5
        weight[self.minor] = 0.02
        weight[beh == POTENTIAL] = 0.0
        order = _weighted_order(rng, weight)
        counts = _largest_remainder(TIER_SHARES[::-1], n)
        tier = np.zeros(n, dtype=np.int64)
        pos = 0
        for t, c in zip(range(len(TIER_CODES) - 1, -1, -1), counts, strict=True):
            tier[order[pos:pos + c]] = t
            pos += c
        self.tier = tier
        u = rng.random(n)
        lo, hi = _LEVEL_LOW[tier], _LEVEL_HIGH[tier]
        self.level = lo * (hi / lo) ** (u ** _LEVEL_TILT[tier])
        pot = beh == POTENTIAL
        self.level[pot] = rng.uniform(50.0, 900.0, pot.sum())

        # onboarding: spread over 15 years, recent years more likely; new customers within
        # the last 90 days (a fifth within a week, another third within a month)
        onb = 180 + ((15 * 365 - 180) * rng.random(n) ** 1.4).astype(np.int64)
        r = rng.random(n)
        onb_new = np.where(r < 0.2, rng.integers(0, 7, n),
                           np.where(r < 0.5, rng.integers(7, 31, n), rng.integers(31, 90, n)))
        onb = np.where(beh == LEAVING, np.maximum(onb, 400), onb)
        # dormant customers have been quiet for the whole window: onboarded well before it
        onb = np.where(beh == DORMANT, np.maximum(onb, self.H + 30), onb)
        cap = np.where(self.minor, age_days - 30, np.maximum(age_days - 18 * 365, 180))
        onb = np.minimum(onb, np.maximum(cap, 1))
        onb = np.where(beh == NEW, np.minimum(onb_new, age_days - 1), onb)
        self.onb_ago = onb
        self.onb_idx = self.last - onb

        # leaving customers close inside the window, after draining their money over
        # one to six weeks
        leaving = beh == LEAVING
        span = min(86, self.H - 10)
        c_ago = rng.integers(1, span, n)
        self.close_idx = np.where(leaving, self.last - c_ago, _NO_DAY)
        self.drain_idx = np.where(
            leaving, np.maximum(0, self.close_idx - rng.integers(8, 41, n)), _NO_DAY)
        # the day products are valued against: the business date, or for leavers the
        # day they started moving money out
        self.ref_idx = np.where(leaving, self.drain_idx, self.last)
        # the day each customer's active life in the window ends (inclusive)
        self.end_idx = np.where(leaving, self.close_idx - 1, self.last)

        # occupation (the truth; the profile may not show it) and salary
        occ_w = np.ones((n, len(ref.OCCUPATIONS)))
        owner = [i for i, o in enumerate(ref.OCCUPATIONS) if not o[2]]
        occ_w[np.ix_(self.tier >= 2, owner[:1])] *= 6.0
        occupation = _pick_rows(rng, occ_w)
        retired = (self.age >= 60) & (rng.random(n) < np.where(self.age >= 65, 0.95, 0.7))
        student = self.minor | ((self.age < 23) & (rng.random(n) < 0.6))
        self.occupation = np.where(retired, -1, np.where(student, -2, occupation))
        salaried_job = np.array([o[2] for o in ref.OCCUPATIONS])[occupation]
        self.salaried = (salaried_job & ~retired & ~student
                         & ~np.isin(beh, (DORMANT, POTENTIAL)) & (rng.random(n) < 0.85))
        median = np.array([7_000.0, 12_000.0, 20_000.0, 32_000.0, 55_000.0])[tier]
        # a salary paid into this bank is at most half the customer's usual balance here:
        # otherwise the monthly salary cycle, not the customer's behaviour, would dominate
        # the balance trend; below 1,500 a month we assume the salary is paid elsewhere
        self.salary = np.round(np.minimum(median * rng.lognormal(0.0, 0.3, n),
                                          0.5 * self.level), 2)
        self.salaried &= self.salary >= 1_500
        self.business_owner = (occupation == owner[0]) & ~retired & ~student

    # ------------------------------------------------------------------ bank relationship

    def _relationship(self) -> None:
        rng, n, w = self.rng, self.n, self.w
        branch = rng.choice(len(w.branch_rows), n, p=w.branch_weights)
        manager = np.full(n, -1, dtype=np.int64)
        for b, mids in enumerate(w.branch_managers):
            members = np.flatnonzero(branch == b)
            if members.shape[0] and mids.shape[0]:
                p = w.manager_weight[mids] / w.manager_weight[mids].sum()
                manager[members] = rng.choice(mids, members.shape[0], p=p)
        # nobody is given a manager who had already left when they joined
        stale = (manager >= 0) & (w.manager_status[np.maximum(manager, 0)] == LEFT) & (
            w.manager_left[np.maximum(manager, 0)] <= self.onb_idx)
        for i in np.flatnonzero(stale):
            active = w.branch_active[branch[i]]
            manager[i] = active[rng.integers(0, active.shape[0])]
        manager[_choose_k(rng, np.arange(n), round(0.005 * n))] = -1  # unassigned
        self.branch = branch
        self.manager = manager
        self.dnc = rng.random(n) < 0.02

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

    # ------------------------------------------------------------------ target AUM path

    def _trajectory(self) -> None:
        """The customer's total AUM path ``T`` (CNY, shape (n, H)) and its big steps."""
        rng, n, beh, H, last, d = self.rng, self.n, self.beh, self.H, self.last, self.days
        r = np.ones((n, H))
        k_max = 4
        step_day = np.full((n, k_max), _NO_DAY, dtype=np.int64)
        step_rel = np.zeros((n, k_max))
        t90 = max(0, last - 90)
        # movements start inside the last 90 days so the 90-day comparison sees all of them
        onset = np.minimum(t90 + 1 + rng.integers(0, 15, n), last - 5)

        stable = beh == STABLE
        if stable.any():
            m = stable.sum()
            drift = rng.uniform(-0.04, 0.04, m)
            r[stable] = (1.0 + drift[:, None] * (d[None, :] - last) / 90.0
                         + _random_walk(rng, m, H, 0.002))

        growing = beh == GROWING
        if growing.any():
            m = growing.sum()
            g = rng.uniform(0.25, 0.8, m)
            smooth = rng.uniform(0.3, 0.7, m)
            ramp = _ramp(d, onset[growing], np.full(m, last))
            r[growing] = 1.0 + (g * smooth)[:, None] * ramp + _random_walk(rng, m, H, 0.001)
            k = rng.integers(1, 4, m)
            step_rel[growing] = (g * (1 - smooth))[:, None] * _dirichlet_rows(rng, k, k_max)
            step_day[growing] = rng.integers(onset[growing][:, None] + 1, last + 1, (m, k_max))

        declining = beh == DECLINING
        if declining.any():
            m = declining.sum()
            q = rng.uniform(0.33, 0.65, m)
            smooth = rng.uniform(0.2, 0.4, m)
            ramp = _ramp(d, onset[declining], np.full(m, last))
            r[declining] = 1.0 - (q * smooth)[:, None] * ramp + _random_walk(rng, m, H, 0.001)
            k = rng.integers(1, 5, m)
            step_rel[declining] = -(q * (1 - smooth))[:, None] * _dirichlet_rows(rng, k, k_max)
            days = rng.integers(onset[declining][:, None] + 1, last + 1, (m, k_max))
            # most decliners moved money out in the last month too
            recent = rng.random(m) < 0.6
            days[recent, 0] = rng.integers(last - 29, last + 1, recent.sum())
            step_day[declining] = days

        leaving = beh == LEAVING
        if leaving.any():
            m = leaving.sum()
            k = rng.integers(2, 5, m)
            dust = rng.uniform(0.0, 80.0, m) / self.level[leaving]
            step_rel[leaving] = -(1.0 - np.minimum(dust, 0.5))[:, None] * _dirichlet_rows(
                rng, k, k_max)
            lo = self.drain_idx[leaving] + 1
            hi = self.close_idx[leaving]  # exclusive: the last transfer is the day before
            step_day[leaving] = lo[:, None] + (
                rng.random((m, k_max)) * (hi - lo)[:, None]).astype(np.int64)

        new = beh == NEW
        if new.any():
            m = new.sum()
            o = np.maximum(self.onb_idx[new], 0)
            a0 = rng.uniform(0.6, 1.0, m)
            ramp = _ramp(d, o, np.full(m, last))
            r[new] = np.where(d[None, :] >= o[:, None], a0[:, None] + (1 - a0)[:, None] * ramp,
                              0.0)

        pot = beh == POTENTIAL
        if pot.any():
            r[pot] = np.clip(1.0 + _random_walk(rng, pot.sum(), H, 0.01), 0.3, None)

        unused = step_rel == 0
        step_day[unused] = _NO_DAY
        for j in range(k_max):
            r += step_rel[:, j:j + 1] * (d[None, :] >= step_day[:, j:j + 1])
        r = np.where(new[:, None], r, np.maximum(r, np.where(leaving, 0.0, 0.05)[:, None]))

        # scale so that the 30-day average of the path is the customer's level (leavers:
        # their level before they started to leave)
        present = d[None, :] >= self.onb_idx[:, None]
        window = present[:, -30:]
        mean30 = (r[:, -30:] * window).sum(axis=1) / np.maximum(window.sum(axis=1), 1)
        scale = np.where(leaving, self.level, self.level / np.maximum(mean30, 1e-9))
        self.T = r * scale[:, None]
        self.step_day = step_day
        self.step_amt = step_rel * scale[:, None]
        self.onset = onset

    # ------------------------------------------------------------------ product dates

    def _product_dates(self) -> None:
        """Opened, closed and maturity days (window indices) and sizes of each product."""
        rng, n, beh, last, has = self.rng, self.n, self.beh, self.last, self.has
        onb, ref_idx = self.onb_idx, self.ref_idx
        leaving, dormant = beh == LEAVING, beh == DORMANT
        opened = np.full((n, 8), _NO_DAY, dtype=np.int64)
        closed = np.full((n, 8), _NO_DAY, dtype=np.int64)
        maturity = np.full((n, 8), _NO_DAY, dtype=np.int64)
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
        term_i = _pick(rng, (0.2, 0.25, 0.35, 0.1, 0.1), n)
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
        planted = _choose_k(rng, pool, 4 * max(1, n // 1000))
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
        closed[:, TD] = np.where(not_renewed, mat + 1, np.where(leaving, self.drain_idx, _NO_DAY))
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
        fresh = _choose_k(rng, fresh_pool, max(2, round(0.015 * n)))
        lo = np.maximum(last - 13, onb[fresh])
        w_open[fresh] = lo + (rng.random(fresh.shape[0]) * (last + 1 - lo)).astype(np.int64)
        opened[:, WM] = w_open
        maturity[:, WM] = w_open + wterm
        closed[:, WM] = np.where(w_nr, w_open + wterm + 1,
                                 np.where(leaving, self.drain_idx, _NO_DAY))
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
        closed[:, FUND] = np.where(f_sell, sell_day, np.where(leaving, self.drain_idx, _NO_DAY))
        self.fund_id = _pick(rng, (0.25, 0.2, 0.2, 0.15, 0.1, 0.1), n)

        # insurance: policies held for years; dormant customers' ones predate the window
        i_min = np.where(dormant, self.H + 1, 60)
        i_open = ref_idx - i_min - (rng.random(n) * 9 * 365).astype(np.int64)
        i_open = np.where(dormant, np.minimum(np.maximum(i_open, onb), -1),
                          np.maximum(i_open, onb))
        i_open = np.where(leaving, np.minimum(i_open, ref_idx - 1), i_open)
        has[dormant & (i_open < onb), INS] = False
        opened[:, INS] = i_open
        closed[:, INS] = np.where(leaving, self.drain_idx, _NO_DAY)

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
            np.where(closed[leaving] == _NO_DAY, self.close_idx[leaving, None], closed[leaving]),
            self.close_idx[leaving, None]), _NO_DAY)
        # no product predates the customer (guards rounding at the edges above)
        opened = np.where(has, np.maximum(opened, onb[:, None]), opened)
        self.opened, self.closed, self.maturity, self.rate = opened, closed, maturity, rate

    # ------------------------------------------------------------------ balances

    def _balances(self) -> None:
        rng, n, H, last, d = self.rng, self.n, self.H, self.last, self.days
        has, beh, T = self.has, self.beh, self.T
        opened, closed = self.opened, self.closed
        end = np.where(closed == _NO_DAY, last, closed)  # last day with a balance row
        self.row_from = np.maximum(opened, 0)
        self.row_to = np.minimum(end, last)
        self.bal_mask = has[:, :, None] & (d[None, None, :] >= self.row_from[:, :, None]) & (
            d[None, None, :] <= self.row_to[:, :, None])
        # days a product holds value: the closing day's row shows 0.00
        holding = self.bal_mask & (d[None, None, :] < np.where(
            closed == _NO_DAY, last + 1, closed)[:, :, None])
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
        for k in _FIXED_KINDS:
            raw[:, k] *= has[:, k]
        share = raw / raw.sum(axis=1, keepdims=True)
        fixed_total = share[:, list(_FIXED_KINDS)].sum(axis=1)
        share *= np.where(fixed_total > 0.8, 0.8 / np.maximum(fixed_total, 1e-9), 1.0)[:, None]
        principal = np.zeros((n, 8))
        fixed_base = np.zeros((n, H))
        for k in _FIXED_KINDS:
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
        begin = np.where(beh == NEW, np.maximum(self.onb_idx, 0), _NO_DAY + 1)
        begin = np.maximum(begin, self.opened[np.arange(n), self.settle])
        paid = self.salaried[:, None] & (pay > _NO_DAY) & (pay >= begin[:, None]) & (
            pay <= stop[:, None])
        amount = np.round(self.salary[:, None] * rng.normal(1.0, 0.02, pay.shape), 2)
        amount = np.where(paid, amount, 0.0)
        spend_days = rng.uniform(18, 30, n)
        last_pay = np.full((n, H), _NO_DAY, dtype=np.int64)
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
        rp = np.where((rp >= 0) & (rp > self.opened[:, CARD][:, None]), rp, _NO_DAY)
        leaving = beh == LEAVING
        rp = np.where(leaving[:, None] & (rp >= self.close_idx[:, None]), _NO_DAY, rp)
        rp = np.concatenate([rp, np.where(leaving, self.close_idx, _NO_DAY)[:, None]], axis=1)
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
        dom = np.minimum(_day_of_month(self.w.as_of, last, opened), 28)
        rp = self.w.month_days[dom]
        rp = np.where((rp >= 0) & (rp > opened[:, None]) & has[:, LOAN, None], rp, _NO_DAY)
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

    # ------------------------------------------------------------------ transactions

    def _transactions(self) -> None:
        rng, n, last, beh = self.rng, self.n, self.last, self.beh
        tx = self.txns
        settle = self.settle
        banks = len(ref.OTHER_BANKS_ZH)

        ci, day, amt = self.salary_txn
        tx.add(ci, settle[ci], day, amt, T_SALARY, C_BATCH)

        # the big steps of the planted trajectories
        si, sk = np.nonzero((self.step_day >= 0) & (self.step_day <= last))
        sday, samt = self.step_day[si, sk], self.step_amt[si, sk]
        ch = _pick(rng, (0.15, 0.6, 0.25), si.shape[0])
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
        for k in _FIXED_KINDS:
            bought = np.flatnonzero(self.has[:, k] & (self.opened[:, k] >= 0)
                                    & (self.opened[:, k] <= last))
            od = self.opened[bought, k]
            value = self.principal[bought, k]
            if k == FUND:
                value = value * self.w.fund_nav[self.fund_id[bought], od]
            ch = np.array([C_MOBILE, C_COUNTER, C_ONLINE])[_pick(rng, (0.5, 0.3, 0.2),
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
                              & ((self.closed[:, TD] == _NO_DAY)
                                 | (self.closed[:, TD] > self.td_start)))
        interest = self.principal[roll, TD] * np.nan_to_num(self.rate[roll, TD]) / 100 * \
            self.td_term[roll] / 365.0
        tx.add(roll, settle[roll], self.td_start[roll], interest, T_INTEREST, C_BATCH)

        for cust, k, q, amount in self.interest_rows:
            tx.add(cust, k, np.full(cust.shape[0], q), amount, T_INTEREST, C_BATCH)

        ci, day, amt = self.card_spend_txn
        ch = np.array([C_POS, C_ONLINE, C_MOBILE])[_pick(rng, (0.55, 0.25, 0.2), ci.shape[0])]
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
        ch = np.array([C_MOBILE, C_ONLINE, C_COUNTER])[_pick(rng, (0.6, 0.3, 0.1), ci.shape[0])]
        tx.add(ci, settle[ci], day, size(ci, 0.02, 50, 20_000), T_IN, ch,
               np.where(other, rng.integers(0, banks, ci.shape[0]), -1))
        ci, day = events(0.04)
        ch = np.array([C_MOBILE, C_ONLINE, C_COUNTER])[_pick(rng, (0.6, 0.3, 0.1), ci.shape[0])]
        tx.add(ci, settle[ci], day, size(ci, 0.02, 50, 20_000), T_OUT_INT, ch)
        ci, day = events(0.02)
        ch = np.array([C_MOBILE, C_ONLINE, C_COUNTER])[_pick(rng, (0.6, 0.3, 0.1), ci.shape[0])]
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
        extra = _choose_k(rng, pool, 2 * k)
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
        channel = _pick_rows(rng, p_ch)
        p_pu = np.tile(np.array([0.35, 0.08, 0.05, 0.12, 0.2, 0.0, 0.2, 0.0]), (m, 1))
        p_pu[~(self.has[ci, TD] | self.has[ci, WM]), P_MATURITY] = 0.0
        churny = np.isin(beh[ci], (DECLINING, LEAVING)) & (day >= last - 60)
        p_pu[churny, P_RETENTION] = 0.4
        purpose = _pick_rows(rng, p_pu)
        outcome = self._outcomes(channel)
        manager = self._manager_on(ci, day)

        # customers' own enquiries
        e_rate = np.where(np.isin(beh, (GROWING, NEW)), 0.2, np.where(beh == DORMANT, 0.02, 0.08))
        e_count = rng.poisson(e_rate / 30.0 * span)
        ei = np.repeat(np.arange(n), e_count)
        e_day = first[ei] + (rng.random(ei.shape[0]) * span[ei]).astype(np.int64)
        e_channel = np.array([0, 1, 3, 5])[_pick(rng, (0.4, 0.3, 0.2, 0.1), ei.shape[0])]
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
        return _pick_rows(self.rng, p[channel])

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
        who = np.sort(_weighted_order(rng, weight)[:min(k, n)])
        first = np.maximum(last - (CONTACT_HISTORY_DAYS - 1), last - self.onb_ago[who])
        end = np.where(beh[who] == LEAVING, self.close_idx[who] - 1, last)
        opened = first + (rng.random(who.shape[0]) * np.maximum(end - first + 1, 1)).astype(
            np.int64)
        age = last - opened
        status = np.where(
            age <= 30, _pick(rng, (0.5, 0.35, 0.15), who.shape[0]),
            _pick(rng, (0.0, 0.15, 0.85), who.shape[0]))  # 0 open, 1 in_progress, 2 closed
        status = np.where(beh[who] == LEAVING, 2, status)
        if who.shape[0] and not (status < 2).any():
            opened[0], status[0] = last - int(rng.integers(0, 10)), 0
        if who.shape[0] > 1 and not (status == 2).any():
            status[-1] = 2
        took = np.minimum(rng.geometric(1 / 10, who.shape[0]), np.maximum(end - opened, 0))
        closed = np.where(status == 2, opened + took, _NO_DAY)
        category = _pick(rng, (0.35, 0.2, 0.2, 0.1, 0.15), who.shape[0])
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

    # ------------------------------------------------------------------ rows

    @property
    def account_ids(self) -> np.ndarray:
        """``A`` + customer number (9 digits) + product slot (2 digits), by customer*8+slot."""
        if not hasattr(self, "_account_ids"):
            base = (self.gidx + 1)[:, None] * 100 + np.arange(1, 9)[None, :]
            self._account_ids = _obj([f"A{v:011d}" for v in base.ravel().tolist()])
        return self._account_ids

    def _customer_rows(self) -> tuple[tuple[str, ...], list[Sequence[Any]]]:
        rng, n, w, last = self.rng, self.n, self.w, self.last
        zh = w.names == "zh"
        if zh:
            full, stem = _names_zh(rng, self.male)
        else:
            full, stem = _names_en(rng, self.male)
        birth = w.as_of - self.age_days.astype("timedelta64[D]")
        birth_str = np.datetime_as_string(birth, unit="D").astype(object)
        national_id = _national_ids(self.gidx, birth, self.male, w.id_offset)
        mobile = _mobiles(rng, self.gidx, w.id_offset)

        # profile completeness varies: a per-customer diligence factor scales how likely
        # each field is to be missing; top tiers are better known
        diligence = rng.uniform(0.2, 1.8, n) * np.where(self.tier >= 2, 0.4, 1.0)
        missing = rng.random((n, 6)) < np.array([0.3, 0.15, 0.2, 0.3, 0.35, 0.25])[None, :] * \
            diligence[:, None]
        year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
        # people often put their birth year (or a lucky number) after their name
        digits = np.where(rng.random(n) < 0.5, year, rng.integers(1, 1000, n))
        email = np.char.add(np.char.add(stem, digits.astype(str)), "@")
        email = np.char.add(email, np.asarray(ref.EMAIL_DOMAINS)[
            rng.integers(0, len(ref.EMAIL_DOMAINS), n)]).astype(object)
        email[missing[:, 0] | self.minor] = None

        address = _addresses(rng, w, self.branch, zh)
        address[missing[:, 1]] = None
        no_phone, no_details = self._contact_gaps()
        mobile[no_phone] = None
        email[no_details] = None
        address[no_details] = None

        occ_zh = np.array([o[0] for o in ref.OCCUPATIONS] + [ref.OCCUPATION_STUDENT[0],
                                                             ref.OCCUPATION_RETIRED[0]])
        occ_en = np.array([o[1] for o in ref.OCCUPATIONS] + [ref.OCCUPATION_STUDENT[1],
                                                             ref.OCCUPATION_RETIRED[1]])
        occ = (occ_zh if zh else occ_en)[self.occupation].astype(object)  # -1 retired, -2 student
        occ[missing[:, 2]] = None
        employer = _employers(rng, n, zh)
        no_employer = (self.occupation < 0) | np.isin(
            self.occupation, [i for i, o in enumerate(ref.OCCUPATIONS) if o[1] in (
                "Freelancer", "Self-employed trader")])
        employer[no_employer | missing[:, 3]] = None

        income = np.where(self.salaried, self.salary * 12 * rng.uniform(1.05, 1.5, n),
                          np.where(self.business_owner, self.level * rng.uniform(0.1, 0.4, n)
                                   + 100_000, rng.uniform(36_000, 150_000, n)))
        income = np.round(income, -3)
        income_obj = _obj(income.tolist())
        income_obj[missing[:, 4] | self.minor] = None

        risk = _pick(rng, (0.1, 0.3, 0.35, 0.18, 0.07), n)
        risk = np.where(self.age >= 65, np.minimum(risk, 2), risk)
        risk_obj = np.array(["R1", "R2", "R3", "R4", "R5"], dtype=object)[risk]
        risk_ago = np.minimum(rng.integers(0, 3 * 365, n), self.onb_ago)
        risk_date = w.dates(last - risk_ago)
        no_risk = missing[:, 5] | self.minor
        risk_obj[no_risk] = None
        risk_date[no_risk] = None

        onboarding = w.dates(self.onb_idx)
        closed = w.dates(self.close_idx)

        # preferred channel depends on age; English-speaking customers like e-mail
        p = np.where((self.age >= 60)[:, None], [[0.5, 0.2, 0.15, 0.15, 0.0, 0.0]],
                     np.where((self.age < 40)[:, None], [[0.2, 0.03, 0.05, 0.35, 0.07, 0.3]],
                              [[0.35, 0.05, 0.1, 0.3, 0.05, 0.15]]))
        if not zh:
            p = p + np.array([[0.0, 0.0, 0.0, -0.0, 0.25, 0.0]])
        preferred = np.asarray(PREFERRED_CHANNELS, dtype=object)[_pick_rows(rng, p)]

        # marketing consent: ~8% without, a quarter of those withdrew it in the last 30 days
        consent = (rng.random(n) >= 0.08).astype(np.int64)
        recent = rng.random(n) < 0.25
        upd_ago = np.where(consent == 0,
                           np.where(recent, rng.integers(0, 30, n),
                                    30 + (rng.random(n) * np.maximum(self.onb_ago - 30, 0))),
                           np.where(rng.random(n) < 0.7, self.onb_ago,
                                    rng.random(n) * self.onb_ago))
        upd_ago = np.minimum(upd_ago.astype(np.int64), self.onb_ago)
        consent_date = w.dates(last - upd_ago)

        mids = np.where(self.manager >= 0, w.manager_ids[np.maximum(self.manager, 0)], None)
        columns = (
            "customer_id", "customer_name", "birth_date", "gender", "national_id",
            "mobile_phone", "email", "address", "occupation", "employer", "annual_income_cny",
            "risk_profile", "risk_assessed_date", "is_primary_holder", "onboarding_date",
            "closed_date", "branch_id", "manager_id", "preferred_channel", "marketing_consent",
            "consent_updated_date", "do_not_contact")
        branch_ids = np.array([b[0] for b in w.branch_rows], dtype=object)[self.branch]
        rows = list(zip(
            self.cust_ids.tolist(), full.tolist(), birth_str.tolist(),
            np.where(self.male, "M", "F").tolist(), national_id.tolist(), mobile.tolist(),
            email.tolist(), address.tolist(), occ.tolist(), employer.tolist(),
            income_obj.tolist(), risk_obj.tolist(), risk_date.tolist(),
            (~self.minor).astype(np.int64).tolist(), onboarding.tolist(), closed.tolist(),
            branch_ids.tolist(), mids.tolist(), preferred.tolist(), consent.tolist(),
            consent_date.tolist(), self.dnc.astype(np.int64).tolist(), strict=True))
        return columns, rows

    def _contact_gaps(self) -> tuple[np.ndarray, np.ndarray]:
        """``(no_phone, no_details)``: who has no mobile number on record (~4 %, at least two
        per chunk) and who of them has no email and no address either (about half, at least
        one). From a stream of their own, derived from the seed and the chunk's first
        customer, so that the gaps change nothing else a seed generates."""
        rng = np.random.default_rng(np.random.SeedSequence([self.w.seed, 3, self.start]))
        n = self.n
        who = _choose_k(rng, np.arange(n), max(2, round(0.04 * n)))
        bare = who[rng.random(who.shape[0]) < 0.5]
        if who.shape[0] and not bare.shape[0]:
            bare = who[:1]
        no_phone = np.zeros(n, dtype=bool)
        no_phone[who] = True
        no_details = np.zeros(n, dtype=bool)
        no_details[bare] = True
        return no_phone, no_details

    def _restricted_rows(self) -> list[tuple[Any, ...]]:
        rng, n, w, last = self.rng, self.n, self.w, self.last
        who = _choose_k(rng, np.arange(n), max(1, round(0.005 * n)))
        m = who.shape[0]
        listed_ago = np.minimum(rng.integers(1, 3 * 365, m), self.onb_ago[who])
        delisted = (rng.random(m) < 0.3) & (listed_ago > 40)
        if m:
            delisted[0] = False  # at least one customer is on the list today
        del_ago = np.where(delisted, (rng.random(m) * (listed_ago - 30)).astype(np.int64), 0)
        reason = _pick(rng, (0.4, 0.2, 0.15, 0.1, 0.15), m)
        reasons = np.asarray(RESTRICTION_REASONS, dtype=object)
        rows = list(zip(
            self.cust_ids[who].tolist(), reasons[reason].tolist(),
            w.dates(last - listed_ago).tolist(),
            w.dates(np.where(delisted, last - del_ago, _NO_DAY)).tolist(), strict=True))
        # some delisted customers were listed again later
        again = delisted & (del_ago > 5) & (rng.random(m) < 0.3)
        relist_ago = (rng.random(m) * np.maximum(del_ago - 1, 0)).astype(np.int64)
        rows += list(zip(
            self.cust_ids[who[again]].tolist(), reasons[reason[again]].tolist(),
            w.dates(last - relist_ago[again]).tolist(), [None] * int(again.sum()), strict=True))
        return rows

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
        principal = _obj(_money(self.principal[ci, ki]))
        principal[~np.isin(ki, (TD, WM, LOAN, INS))] = None
        limit = _obj(_money(self.card_limit[ci]))
        limit[ki != CARD] = None
        rate = _obj(np.round(self.rate[ci, ki], 3).tolist())
        rate[np.isnan(self.rate[ci, ki])] = None
        maturity = self.maturity[ci, ki]
        return list(zip(
            self.account_ids[ci * 8 + ki].tolist(), self.cust_ids[ci].tolist(),
            np.asarray(PRODUCT_KINDS, dtype=object)[ki].tolist(), product_name.tolist(),
            w.dates(self.opened[ci, ki]).tolist(), w.dates(self.closed[ci, ki]).tolist(),
            w.dates(maturity).tolist(), rate.tolist(), principal.tolist(), limit.tolist(),
            strict=True))

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
        credit = np.isin(f["type"], _CREDIT_TYPES)
        return list(zip(
            ids, self.account_ids[cust * 8 + f["slot"]].tolist(), self.cust_ids[cust].tolist(),
            self.w.day_str[f["day"]].tolist(), f["amount"].tolist(),
            np.where(credit, "credit", "debit").tolist(),
            np.asarray(TXN_CHANNELS, dtype=object)[f["channel"]].tolist(),
            np.asarray(TXN_TYPES, dtype=object)[f["type"]].tolist(), bank.tolist(), strict=True))


# --------------------------------------------------------------------------- identities


_PROVINCE_REGIONS = np.array([p * 10_000 + c * 100 + d for p in ref.PROVINCE_CODES
                              for c in range(1, 10) for d in range(1, 13)], dtype=np.int64)
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.array(list("10X98765432"), dtype=object)


def _national_ids(gidx: np.ndarray, birth: np.ndarray, male: np.ndarray,
                  offset: int) -> np.ndarray:
    """18-character PRC resident identity numbers (GB 11643-1999), unique per customer.

    Region code and sequence number come from a bijection of the customer number, so no
    two customers share one (up to ~1.6 million customers); the 17th digit's parity is the
    gender (odd = male) and the last character is the ISO 7064 MOD 11-2 check.
    """
    period = 500 * _PROVINCE_REGIONS.shape[0]
    k = (gidx * 1_000_003 + offset) % period
    region = _PROVINCE_REGIONS[k // 500]
    order = (k % 500) * 2 + male.astype(np.int64)
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    body = region * 10**11 + (year * 10_000 + month * 100 + day) * 1000 + order
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1)[None, :]) % 10
    check = _ID_CHECK[(digits * _ID_WEIGHTS).sum(axis=1) % 11]
    return np.char.add(body.astype(str), check.astype(str)).astype(object)


def _mobiles(rng: np.random.Generator, gidx: np.ndarray, offset: int) -> np.ndarray:
    """11-digit mobile numbers (13x/15x/18x); the last 8 digits are unique per customer."""
    prefix = np.asarray(ref.MOBILE_PREFIXES)[rng.integers(0, len(ref.MOBILE_PREFIXES),
                                                          gidx.shape[0])]
    suffix = (gidx * 48_271 + offset) % 10**8
    return np.char.add(prefix, np.char.zfill(suffix.astype(str), 8)).astype(object)


def _addresses(rng: np.random.Generator, w: _World, branch: np.ndarray, zh: bool) -> np.ndarray:
    """Street addresses, most in the city of the customer's branch."""
    n = branch.shape[0]
    city = np.where(rng.random(n) < 0.85, w.branch_city[branch],
                    rng.integers(0, len(ref.CITIES), n))
    out = np.empty(n, dtype=object)
    number = rng.integers(1, 999, n)
    building = rng.integers(1, 30, n)
    room = rng.integers(1, 26, n) * 100 + rng.integers(1, 6, n)
    for ci, (city_zh, city_en, districts) in enumerate(ref.CITIES):
        sel = np.flatnonzero(city == ci)
        if not sel.shape[0]:
            continue
        di = rng.integers(0, len(districts), sel.shape[0])
        if zh:
            dist = np.array([d[0] if d[0].endswith("区") else d[0] + "区" for d in districts])
            road = np.asarray(ref.ROADS_ZH)[rng.integers(0, len(ref.ROADS_ZH), sel.shape[0])]
            parts = [np.char.add(city_zh + "市", dist[di]), road, number[sel].astype(str), "号",
                     building[sel].astype(str), "栋", room[sel].astype(str), "室"]
        else:
            dist = np.array([d[1] for d in districts])
            road = np.asarray(ref.ROADS_EN)[rng.integers(0, len(ref.ROADS_EN), sel.shape[0])]
            parts = ["Room ", room[sel].astype(str), ", Building ", building[sel].astype(str),
                     ", ", number[sel].astype(str), " ", road, ", ", dist[di], " District, ",
                     city_en]
        text = np.asarray(parts[0])
        for part in parts[1:]:
            text = np.char.add(text, part)
        out[sel] = text.astype(object) if text.shape else np.full(sel.shape[0], str(text))
    return out


def _employers(rng: np.random.Generator, n: int, zh: bool) -> np.ndarray:
    prefix = np.asarray(ref.EMPLOYER_PREFIX_ZH if zh else ref.EMPLOYER_PREFIX_EN)
    suffix = np.asarray(ref.EMPLOYER_SUFFIX_ZH if zh else ref.EMPLOYER_SUFFIX_EN)
    a = prefix[rng.integers(0, prefix.shape[0], n)]
    b = suffix[rng.integers(0, suffix.shape[0], n)]
    return np.char.add(a, b if zh else np.char.add(" ", b)).astype(object)
