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

This module runs a generation; the tables are made by the package's other modules:

* ``world``: branches and managers, fund prices, the window's calendar arrays;
* ``chunk``: one chunk of customers, its stages in their order, built from
  ``behaviours`` (planted behaviours, target AUM paths, ``seed_truth``), ``customers``
  (customers, restricted list), ``accounts`` (accounts, daily balances) and ``activity``
  (transactions, contact history, complaints) over the shared ``state``;
* ``writer``: the schema reset and the load (indexes, ``eod_status`` last, statistics);
* ``constants``, ``calendar``, ``sampling``, ``identities``, ``names``: the vocabulary, day
  arithmetic and ``eod_status`` rows, random draws, personal particulars, reference lists.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import sqlalchemy as sa
from tqdm import tqdm

from customer_plans import db
from customer_plans.seed.chunk import build_chunk
from customer_plans.seed.constants import (
    BEHAVIOURS,
    CONTRACT_TABLES,
    PRODUCT_KINDS,
    TIER_CODES,
    TRUTH_TABLE,
)
from customer_plans.seed.world import build_world
from customer_plans.seed.writer import loading

__all__ = [
    "BEHAVIOURS",
    "CONTRACT_TABLES",
    "PRODUCT_KINDS",
    "TIER_CODES",
    "TRUTH_TABLE",
    "SeedReport",
    "generate_bank",
    "generate_bank_report",
]


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
    world = build_world(seed, business_date, history_days, branches, managers, names)

    engine = db.make_engine(url)
    behaviour_counts = np.zeros(len(BEHAVIOURS), dtype=np.int64)
    tier_counts = np.zeros(len(TIER_CODES), dtype=np.int64)
    try:
        with loading(engine) as load:
            load.write(world.tables())
            with tqdm(total=customers, unit="customer", desc="seed", disable=not progress,
                      file=sys.stderr) as bar:
                for chunk_index, start in enumerate(range(0, customers, chunk_size)):
                    n = min(chunk_size, customers - start)
                    rng = np.random.default_rng(np.random.SeedSequence([seed, 1, chunk_index]))
                    chunk = build_chunk(world, start, n, rng)
                    load.write(chunk.tables())
                    behaviour_counts += np.bincount(chunk.behaviour, minlength=len(BEHAVIOURS))
                    tier_counts += np.bincount(chunk.adb_tier, minlength=len(TIER_CODES))
                    bar.update(n)
                    del chunk
            load.finish(world.eod_rows(close_as_of))
    finally:
        engine.dispose()
    return SeedReport(
        row_counts=load.counts,
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
