"""Personal particulars: names, resident identity numbers, mobiles, addresses, employers.

Vectorized over a batch of people. The names serve the managers and branch heads
(``world``) and the customers (``customers``); the rest only the customers table. The
reference lists come from :mod:`customer_plans.seed.names`.
"""

from __future__ import annotations

import numpy as np

from customer_plans.seed import names as ref


def names_zh(rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def names_en(rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """English full names ("First Last") and a ``first.last`` e-mail stem."""
    n = male.shape[0]
    fm, ff, last = (np.array(x) for x in (ref.FIRST_MALE_EN, ref.FIRST_FEMALE_EN, ref.LAST_EN))
    a = rng.integers(0, fm.shape[0], n)
    first = np.where(male, fm[a], ff[a])
    surname = last[rng.integers(0, last.shape[0], n)]
    full = np.char.add(np.char.add(first, " "), surname)
    stem = np.char.lower(np.char.add(np.char.add(first, "."), surname))
    return full.astype(object), stem


_PROVINCE_REGIONS = np.array([p * 10_000 + c * 100 + d for p in ref.PROVINCE_CODES
                              for c in range(1, 10) for d in range(1, 13)], dtype=np.int64)
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.array(list("10X98765432"), dtype=object)


def national_ids(gidx: np.ndarray, birth: np.ndarray, male: np.ndarray,
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


def mobiles(rng: np.random.Generator, gidx: np.ndarray, offset: int) -> np.ndarray:
    """11-digit mobile numbers (13x/15x/18x); the last 8 digits are unique per customer."""
    prefix = np.asarray(ref.MOBILE_PREFIXES)[rng.integers(0, len(ref.MOBILE_PREFIXES),
                                                          gidx.shape[0])]
    suffix = (gidx * 48_271 + offset) % 10**8
    return np.char.add(prefix, np.char.zfill(suffix.astype(str), 8)).astype(object)


def addresses(rng: np.random.Generator, branch_city: np.ndarray, branch: np.ndarray,
              zh: bool) -> np.ndarray:
    """Street addresses, most in the city of the customer's branch.

    ``branch_city`` is the city (index into ``ref.CITIES``) of every branch, ``branch``
    the branch of every customer.
    """
    n = branch.shape[0]
    city = np.where(rng.random(n) < 0.85, branch_city[branch],
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


def employers(rng: np.random.Generator, n: int, zh: bool) -> np.ndarray:
    prefix = np.asarray(ref.EMPLOYER_PREFIX_ZH if zh else ref.EMPLOYER_PREFIX_EN)
    suffix = np.asarray(ref.EMPLOYER_SUFFIX_ZH if zh else ref.EMPLOYER_SUFFIX_EN)
    a = prefix[rng.integers(0, prefix.shape[0], n)]
    b = suffix[rng.integers(0, suffix.shape[0], n)]
    return np.char.add(a, b if zh else np.char.add(" ", b)).astype(object)
