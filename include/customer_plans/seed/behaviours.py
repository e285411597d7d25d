"""Planted behaviours: who is stable, growing, declining, dormant, leaving, new or potential.

:class:`BehaviourStages` draws every customer's behaviour in exact shares per chunk, turns
it into a target AUM path (the total the customer's products must add up to, day by day,
with its large steps) and writes the ``seed_truth`` rows that tests check the pipeline
against. The other stages make the data follow the path: ``accounts`` sizes products and
deposits to it, ``activity`` posts its steps as transactions.
"""

from __future__ import annotations

import numpy as np

from customer_plans.seed.calendar import NO_DAY
from customer_plans.seed.constants import (
    BEHAVIOUR_SHARES,
    BEHAVIOURS,
    DECLINING,
    GROWING,
    LEAVING,
    NEW,
    POTENTIAL,
    STABLE,
)
from customer_plans.seed.sampling import dirichlet_rows, linear_ramp, random_walk, stratified_labels
from customer_plans.seed.state import ChunkState


class BehaviourStages(ChunkState):
    """The planted behaviour, the target AUM path and ``seed_truth``."""

    # ------------------------------------------------------------------ planted behaviour

    def _plant_behaviours(self) -> None:
        """One behaviour per customer, in exact shares (largest remainder), randomly ordered."""
        self.beh = stratified_labels(self.rng, BEHAVIOUR_SHARES, self.n)

    # ------------------------------------------------------------------ target AUM path

    def _trajectory(self) -> None:
        """The customer's total AUM path ``T`` (CNY, shape (n, H)) and its big steps."""
        rng, n, beh, H, last, d = self.rng, self.n, self.beh, self.H, self.last, self.days
        r = np.ones((n, H))
        k_max = 4
        step_day = np.full((n, k_max), NO_DAY, dtype=np.int64)
        step_rel = np.zeros((n, k_max))
        t90 = max(0, last - 90)
        # movements start inside the last 90 days so the 90-day comparison sees all of them
        onset = np.minimum(t90 + 1 + rng.integers(0, 15, n), last - 5)

        stable = beh == STABLE
        if stable.any():
            m = stable.sum()
            drift = rng.uniform(-0.04, 0.04, m)
            r[stable] = (1.0 + drift[:, None] * (d[None, :] - last) / 90.0
                         + random_walk(rng, m, H, 0.002))

        growing = beh == GROWING
        if growing.any():
            m = growing.sum()
            g = rng.uniform(0.25, 0.8, m)
            smooth = rng.uniform(0.3, 0.7, m)
            ramp = linear_ramp(d, onset[growing], np.full(m, last))
            r[growing] = 1.0 + (g * smooth)[:, None] * ramp + random_walk(rng, m, H, 0.001)
            k = rng.integers(1, 4, m)
            step_rel[growing] = (g * (1 - smooth))[:, None] * dirichlet_rows(rng, k, k_max)
            step_day[growing] = rng.integers(onset[growing][:, None] + 1, last + 1, (m, k_max))

        declining = beh == DECLINING
        if declining.any():
            m = declining.sum()
            q = rng.uniform(0.33, 0.65, m)
            smooth = rng.uniform(0.2, 0.4, m)
            ramp = linear_ramp(d, onset[declining], np.full(m, last))
            r[declining] = 1.0 - (q * smooth)[:, None] * ramp + random_walk(rng, m, H, 0.001)
            k = rng.integers(1, 5, m)
            step_rel[declining] = -(q * (1 - smooth))[:, None] * dirichlet_rows(rng, k, k_max)
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
            step_rel[leaving] = -(1.0 - np.minimum(dust, 0.5))[:, None] * dirichlet_rows(
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
            ramp = linear_ramp(d, o, np.full(m, last))
            r[new] = np.where(d[None, :] >= o[:, None], a0[:, None] + (1 - a0)[:, None] * ramp,
                              0.0)

        pot = beh == POTENTIAL
        if pot.any():
            r[pot] = np.clip(1.0 + random_walk(rng, pot.sum(), H, 0.01), 0.3, None)

        unused = step_rel == 0
        step_day[unused] = NO_DAY
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

    # ------------------------------------------------------------------ rows

    def _truth_rows(self) -> list[tuple[str, str]]:
        return list(zip(
            self.cust_ids.tolist(), np.asarray(BEHAVIOURS, dtype=object)[self.beh].tolist(),
            strict=True))
