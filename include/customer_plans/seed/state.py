"""The state one chunk of customers is built in, and what each stage leaves in it.

A chunk is built by :class:`customer_plans.seed.chunk.ChunkBuilder` in stages that run in
a fixed order (the order in which the chunk's random stream is consumed). Each stage is a
method of a mixin over :class:`ChunkState`, in the module of the tables it feeds:
``behaviours``, ``customers``, ``accounts``, ``activity``. A stage reads what earlier
stages left on the instance; the annotations below list what one module leaves for
another (what a module only uses itself is set and read there). Arrays are over the
chunk's customers (first axis); ``(n, 8)`` arrays have one column per product kind
(``CUR`` .. ``CARD``), ``(.., H)`` one per day of the window; days are window indices
(see :mod:`customer_plans.seed.calendar`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from customer_plans.seed.world import World


class ChunkState:
    """Customers ``start .. start+n-1``: their random stream, the world, and stage results."""

    def __init__(self, world: World, start: int, n: int, rng: np.random.Generator) -> None:
        self.w = world
        self.rng = rng
        self.n = n
        self.start = start
        self.H = world.history_days
        self.last = world.last
        self.days = np.arange(self.H)
        self.gidx = np.arange(start, start + n, dtype=np.int64)

    # behaviours
    beh: np.ndarray  # planted behaviour (index into BEHAVIOURS)
    T: np.ndarray  # (n, H) target total AUM, CNY
    step_day: np.ndarray  # (n, 4) days of the target path's large steps, NO_DAY if unused
    step_amt: np.ndarray  # (n, 4) their amounts, CNY (negative: money out)
    onset: np.ndarray  # the day growth or decline starts

    # customers
    cust_ids: np.ndarray  # "C" + customer number
    male: np.ndarray
    age_days: np.ndarray
    age: np.ndarray  # years
    minor: np.ndarray
    tier: np.ndarray  # planted value tier (index into TIER_CODES)
    level: np.ndarray  # target 30-day average AUM, CNY
    onb_ago: np.ndarray  # onboarding, days before B
    onb_idx: np.ndarray  # onboarding day
    close_idx: np.ndarray  # closing day of leavers, NO_DAY for the others
    drain_idx: np.ndarray  # the day leavers start moving money out, NO_DAY for the others
    ref_idx: np.ndarray  # the day products are valued against (B, or the drain day)
    end_idx: np.ndarray  # the last day of active life in the window
    occupation: np.ndarray  # index into ref.OCCUPATIONS; -1 retired, -2 student
    salaried: np.ndarray
    salary: np.ndarray  # monthly, CNY
    business_owner: np.ndarray
    branch: np.ndarray  # branch index
    manager: np.ndarray  # manager index, -1 unassigned
    dnc: np.ndarray  # do not contact

    # accounts
    account_ids: np.ndarray  # by customer * 8 + slot (a property of AccountStages)
    has: np.ndarray  # (n, 8) holds the product
    settle: np.ndarray  # the product slot money arrives at and leaves from (CUR or SAV)
    opened: np.ndarray  # (n, 8) days; NO_DAY where not held
    closed: np.ndarray  # (n, 8) days; NO_DAY while open
    maturity: np.ndarray  # (n, 8) days; NO_DAY without a maturity
    rate: np.ndarray  # (n, 8) interest rate or yield, percent; NaN without one
    principal: np.ndarray  # (n, 8) CNY
    fund_id: np.ndarray  # index into the world's fund price paths
    td_term: np.ndarray  # time deposit term, days
    td_start: np.ndarray  # the day the time deposit's current term started
    bal: np.ndarray  # (n, 8, H) daily balances, CNY
    bal_mask: np.ndarray  # (n, 8, H) days with a balance row
    holding: np.ndarray  # (n, 8, H) days the product holds value
    # flows behind the balances, posted as transactions by ``activity``
    salary_txn: tuple[np.ndarray, np.ndarray, np.ndarray]  # (customer, day, amount)
    card_spend_txn: tuple[np.ndarray, np.ndarray, np.ndarray]
    card_repay_txn: tuple[np.ndarray, np.ndarray, np.ndarray]
    loan_repay_txn: tuple[np.ndarray, np.ndarray, np.ndarray]
    interest_rows: list[tuple[np.ndarray, int, int, np.ndarray]]  # (customers, slot, day, amount)
    savings_moved: tuple[np.ndarray, np.ndarray]  # leavers' savings to current: (customers, amount)

    # activity
    contact_rows: list[tuple[Any, ...]]  # the contact_history rows
