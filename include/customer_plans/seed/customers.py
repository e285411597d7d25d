"""Customers: who they are, their place in the bank, and the restricted list.

:class:`CustomerStages` gives every customer an age, a value tier and target AUM level,
an onboarding date (and for leavers a drain and closing date), an occupation and salary,
a branch, a relationship manager and a do-not-contact flag, then makes the ``customers``
rows (names, identity numbers, contact details and a profile with realistic gaps) and the
``restricted_list`` rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from customer_plans.seed import names as ref
from customer_plans.seed.calendar import NO_DAY
from customer_plans.seed.constants import (
    DORMANT,
    GROWING,
    LEAVING,
    LEFT,
    LEVEL_HIGH,
    LEVEL_LOW,
    LEVEL_TILT,
    NEW,
    POTENTIAL,
    PREFERRED_CHANNELS,
    RESTRICTION_REASONS,
    STABLE,
    TIER_CODES,
    TIER_SHARES,
)
from customer_plans.seed.identities import (
    addresses,
    employers,
    mobiles,
    names_en,
    names_zh,
    national_ids,
)
from customer_plans.seed.sampling import (
    choose_k,
    largest_remainder,
    object_array,
    pick,
    pick_rows,
    weighted_order,
)
from customer_plans.seed.state import ChunkState


class CustomerStages(ChunkState):
    """Customer attributes, their branch and manager, and the customers/restricted rows."""

    # ------------------------------------------------------------------ people

    def _people(self) -> None:
        rng, n = self.rng, self.n
        self.cust_ids = object_array([f"C{i + 1:09d}" for i in self.gidx])
        beh = self.beh

        # ages: adults 18-85 centred on mid-forties, new customers younger; ~1% minors
        age_years = np.clip(rng.normal(46.0, 15.0, n), 18.05, 85.9)
        young = np.clip(rng.normal(34.0, 11.0, n), 18.05, 80.0)
        age_years = np.where(beh == NEW, young, age_years)
        age_days = (age_years * 365.25).astype(np.int64)
        minors = choose_k(rng, np.flatnonzero(np.isin(beh, (STABLE, GROWING, DORMANT))),
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
        order = weighted_order(rng, weight)
        counts = largest_remainder(TIER_SHARES[::-1], n)
        tier = np.zeros(n, dtype=np.int64)
        pos = 0
        for t, c in zip(range(len(TIER_CODES) - 1, -1, -1), counts, strict=True):
            tier[order[pos:pos + c]] = t
            pos += c
        self.tier = tier
        u = rng.random(n)
        lo, hi = LEVEL_LOW[tier], LEVEL_HIGH[tier]
        self.level = lo * (hi / lo) ** (u ** LEVEL_TILT[tier])
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
        self.close_idx = np.where(leaving, self.last - c_ago, NO_DAY)
        self.drain_idx = np.where(
            leaving, np.maximum(0, self.close_idx - rng.integers(8, 41, n)), NO_DAY)
        # the day products are valued against: the business date, or for leavers the
        # day they started moving money out
        self.ref_idx = np.where(leaving, self.drain_idx, self.last)
        # the day each customer's active life in the window ends (inclusive)
        self.end_idx = np.where(leaving, self.close_idx - 1, self.last)

        # occupation (the truth; the profile may not show it) and salary
        occ_w = np.ones((n, len(ref.OCCUPATIONS)))
        owner = [i for i, o in enumerate(ref.OCCUPATIONS) if not o[2]]
        occ_w[np.ix_(self.tier >= 2, owner[:1])] *= 6.0
        occupation = pick_rows(rng, occ_w)
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
        manager[choose_k(rng, np.arange(n), round(0.005 * n))] = -1  # unassigned
        self.branch = branch
        self.manager = manager
        self.dnc = rng.random(n) < 0.02

    # ------------------------------------------------------------------ rows

    def _customer_rows(self) -> tuple[tuple[str, ...], list[Sequence[Any]]]:
        rng, n, w, last = self.rng, self.n, self.w, self.last
        zh = w.names == "zh"
        if zh:
            full, stem = names_zh(rng, self.male)
        else:
            full, stem = names_en(rng, self.male)
        birth = w.as_of - self.age_days.astype("timedelta64[D]")
        birth_str = np.datetime_as_string(birth, unit="D").astype(object)
        national_id = national_ids(self.gidx, birth, self.male, w.id_offset)
        mobile = mobiles(rng, self.gidx, w.id_offset)

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

        address = addresses(rng, w.branch_city, self.branch, zh)
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
        employer = employers(rng, n, zh)
        no_employer = (self.occupation < 0) | np.isin(
            self.occupation, [i for i, o in enumerate(ref.OCCUPATIONS) if o[1] in (
                "Freelancer", "Self-employed trader")])
        employer[no_employer | missing[:, 3]] = None

        income = np.where(self.salaried, self.salary * 12 * rng.uniform(1.05, 1.5, n),
                          np.where(self.business_owner, self.level * rng.uniform(0.1, 0.4, n)
                                   + 100_000, rng.uniform(36_000, 150_000, n)))
        income = np.round(income, -3)
        income_obj = object_array(income.tolist())
        income_obj[missing[:, 4] | self.minor] = None

        risk = pick(rng, (0.1, 0.3, 0.35, 0.18, 0.07), n)
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
        preferred = np.asarray(PREFERRED_CHANNELS, dtype=object)[pick_rows(rng, p)]

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
        who = choose_k(rng, np.arange(n), max(2, round(0.04 * n)))
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
        who = choose_k(rng, np.arange(n), max(1, round(0.005 * n)))
        m = who.shape[0]
        listed_ago = np.minimum(rng.integers(1, 3 * 365, m), self.onb_ago[who])
        delisted = (rng.random(m) < 0.3) & (listed_ago > 40)
        if m:
            delisted[0] = False  # at least one customer is on the list today
        del_ago = np.where(delisted, (rng.random(m) * (listed_ago - 30)).astype(np.int64), 0)
        reason = pick(rng, (0.4, 0.2, 0.15, 0.1, 0.15), m)
        reasons = np.asarray(RESTRICTION_REASONS, dtype=object)
        rows = list(zip(
            self.cust_ids[who].tolist(), reasons[reason].tolist(),
            w.dates(last - listed_ago).tolist(),
            w.dates(np.where(delisted, last - del_ago, NO_DAY)).tolist(), strict=True))
        # some delisted customers were listed again later
        again = delisted & (del_ago > 5) & (rng.random(m) < 0.3)
        relist_ago = (rng.random(m) * np.maximum(del_ago - 1, 0)).astype(np.int64)
        rows += list(zip(
            self.cust_ids[who[again]].tolist(), reasons[reason[again]].tolist(),
            w.dates(last - relist_ago[again]).tolist(), [None] * int(again.sum()), strict=True))
        return rows

