"""One chunk of customers: the stages in their order, and the rows it adds to every table.

``build_chunk(world, start, n, rng)`` generates customers ``start .. start+n-1`` and
everything they own from the chunk's random stream ``rng``. :class:`ChunkBuilder` combines
the stages of ``behaviours``, ``customers``, ``accounts`` and ``activity``; ``build`` runs
them in a fixed order, which is the order the stream is consumed in: changing it changes
the bank a seed gives. :class:`Chunk` holds the rows for every table the chunk writes to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from customer_plans.seed.accounts import AccountStages
from customer_plans.seed.activity import ActivityStages
from customer_plans.seed.behaviours import BehaviourStages
from customer_plans.seed.constants import AUM_KINDS, TIER_FLOOR_CNY, TRUTH_TABLE
from customer_plans.seed.customers import CustomerStages
from customer_plans.seed.world import World


@dataclass
class Chunk:
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


def build_chunk(world: World, start: int, n: int, rng: np.random.Generator) -> Chunk:
    """Generate customers ``start .. start+n-1`` and everything they own."""
    return ChunkBuilder(world, start, n, rng).build()


class ChunkBuilder(BehaviourStages, CustomerStages, AccountStages, ActivityStages):
    """Builds one chunk step by step; every attribute is an array over the chunk's customers."""

    def build(self) -> Chunk:
        self._plant_behaviours()
        self._people()
        self._relationship()
        self._holdings()
        self._trajectory()
        self._product_dates()
        self._balances()
        self._transactions()
        self._contacts()
        complaints = self._complaints()  # also adds service-recovery contacts
        aum = self.bal[:, AUM_KINDS, :].sum(axis=1)
        adb = aum[:, -30:].sum(axis=1) / 30.0
        adb_tier = np.searchsorted(np.asarray(TIER_FLOOR_CNY), adb, side="right") - 1
        # the row builders below run in this order too: some of them draw from the stream
        return Chunk(
            behaviour=self.beh, adb_tier=adb_tier,
            customers=self._customer_rows(), truth=self._truth_rows(),
            restricted=self._restricted_rows(), accounts=self._account_rows(),
            balances=self._balance_rows, transactions=self._transaction_rows(),
            contacts=self.contact_rows, complaints=complaints,
        )
