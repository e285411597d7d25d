"""MAN: Money (can buy), Authority (decides), Need (has a need); eight groups, a difficulty each.

Money: average daily AUM at or above ``man.money_min_aum_cny``. Authority: an adult
(``authority_min_age``) primary account holder. Need: any of a product maturing within
``need.maturity_within_days``, an idle current balance at or above the minimum, or an
enquiry of the customer's own within ``need.enquiry_within_days``.
"""

from __future__ import annotations

import numpy as np

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js
from customer_plans.segment.inputs import Inputs, days_between, year_month_day


def age_on(day: np.datetime64, birth: np.ndarray) -> np.ndarray:
    """Whole years of age on ``day``; NaN where the birth date is unknown."""
    birth = np.asarray(birth, dtype="datetime64[D]")
    known = ~np.isnat(birth)
    years, months, days = year_month_day(np.where(known, birth, day))
    t_years, t_months, t_days = year_month_day(np.asarray([day], dtype="datetime64[D]"))
    before_birthday = (t_months * 100 + t_days) < (months * 100 + days)
    age = t_years - years - before_birthday.astype(np.int64)
    return np.where(known, age, np.nan)


def maturing_within(inputs: Inputs, within_days: int) -> np.ndarray:
    """Customers with an open product maturing from today to ``within_days`` ahead."""
    accounts = inputs.accounts
    until = days_between(accounts["maturity_date"].to_numpy(), inputs.day)
    due = accounts["is_open"].to_numpy() & (until >= 0) & (until <= within_days)
    return np.bincount(accounts["pos"].to_numpy()[due], minlength=inputs.size) > 0


def compute_man(inputs: Inputs, rules: Rules) -> dict[str, object]:
    """MAN group (upper case = present) and its difficulty coefficient."""
    man = rules.man
    base = inputs.base
    money = base["aum_adb_cny"].to_numpy() >= man.money_min_aum_cny
    age = age_on(inputs.day, base["birth_date"].to_numpy())
    authority = (age >= man.authority_min_age) & base["is_primary_holder"].to_numpy()
    need_maturity = maturing_within(inputs, man.need.maturity_within_days)
    idle_min = rules.opportunities.idle_current_balance_min_cny
    need_idle = base["current_balance_cny"].to_numpy() >= idle_min
    since_enquiry = days_between(inputs.day, base["last_enquiry_date"].to_numpy())
    need_enquiry = (since_enquiry >= 0) & (since_enquiry <= man.need.enquiry_within_days)
    need = need_maturity | need_idle | need_enquiry

    # group index 0..7 from three bits; names and difficulty come from the rules
    names = [m + a + n for m in "mM" for a in "aA" for n in "nN"]
    index = money.astype(np.int64) * 4 + authority.astype(np.int64) * 2 + need.astype(np.int64)
    difficulty = np.array([man.difficulty[name] for name in names], dtype=np.int64)[index]

    needs = js.join_list([
        (np.flatnonzero(need_maturity), js.constant('"maturity"', int(need_maturity.sum()))),
        (np.flatnonzero(need_idle), js.constant('"idle_balance"', int(need_idle.sum()))),
        (np.flatnonzero(need_enquiry), js.constant('"enquiry"', int(need_enquiry.sum()))),
    ], inputs.size)
    explanation = js.obj({
        "age": js.integer(age),
        "needs": needs,
        "primary_holder": js.integer(base["is_primary_holder"].to_numpy()),
    })
    return {"man_group": js.pick(names, index), "man_difficulty": difficulty,
            "_explanation": explanation}
