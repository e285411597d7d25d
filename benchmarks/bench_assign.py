"""Benchmark the assignment core on synthetic frames; prints time and peak memory per size.

    .venv/bin/python benchmarks/bench_assign.py                      # 100k and 1M customers
    .venv/bin/python benchmarks/bench_assign.py --customers 200000 --managers 5000

Frames follow the segments and staging contracts (docs/pipeline.md) and are made with numpy
in the measuring process (each size runs in its own Python process, so max RSS is its own).
Two business dates are assigned: the first without a previous plan, the second with the
first's rows as carry-over (deferred contacts, feedback), as every night after the first.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date

import numpy as np
import pandas as pd

DAY_1 = date(2026, 11, 18)  # a Wednesday: plans worked Thursday and Friday
DAY_2 = date(2026, 11, 19)
TIERS = ("private", "diamond", "platinum", "gold", "mass")
THRESHOLDS = np.array([6e6, 2e6, 5e5, 5e4, 0.0])


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return (prefix + pd.Series(np.arange(n)).astype(str).str.zfill(width)).to_numpy(dtype=object)


def synthetic(customers: int, managers: int, business_date: date, seed: int = 7):
    """(segments, frames) with the shapes and rates of a real bank, built column-wise."""
    rng = np.random.default_rng(seed)
    branches = max(managers // 20, 1)
    manager_ids = _ids("M", managers, 5)
    manager_branch = _ids("B", branches, 4)[np.arange(managers) % branches]
    status = rng.choice(["active", "on_leave", "left"], managers, p=[0.94, 0.04, 0.02])
    # backup: the next manager of the same branch
    backup = manager_ids[(np.arange(managers) + branches) % managers]
    managers_frame = pd.DataFrame({
        "manager_id": manager_ids, "branch_id": manager_branch,
        "daily_call_capacity": 40, "daily_visit_capacity": 4, "status": status,
        "leave_start_date": pd.NaT, "leave_end_date": pd.NaT, "left_date": pd.NaT,
        "backup_manager_id": backup,
    })

    n = customers
    customer_ids = _ids("C", n, 8)
    home = rng.integers(0, managers, n)
    manager = manager_ids[home].copy()
    manager[rng.random(n) < 0.01] = None
    branch = manager_branch[home]
    aum = np.exp(rng.normal(11.0, 1.6, n))
    tier_index = np.argmax(aum[:, None] >= THRESHOLDS[None, :], axis=1)
    tier = np.array(TIERS, dtype=object)[tier_index]
    churn = np.clip(rng.gamma(2.0, 12.0, n), 0, 100)
    level = np.where(churn >= 60, "high", np.where(churn >= 30, "medium", "low"))
    signals = np.where(
        level == "low", "[]",
        '[{"code":"aum_decline","text_en":"AUM -31% over 90 days","text_zh":"资产90天下降31%",'
        '"value":-31,"weight":30},{"code":"salary_stopped","text_en":"No salary credit for '
        '2 months","text_zh":"近2个月无代发工资","value":2,"weight":25}]')
    draw = rng.random(n)
    amount = (rng.integers(10, 90, n) * 10000).astype(str)
    opportunities = np.select(
        [draw < 0.08, draw < 0.09, draw < 0.11, draw < 0.21],
        ['[{"code":"idle_balance","amount_cny":' + pd.Series(amount) + "}]",
         '[{"code":"new_customer_follow_up","day":30,"days":30,"date":"2026-10-20"}]',
         '[{"code":"post_sale_follow_up","day":14,"days":14,"date":"2026-11-05"}]',
         '[{"code":"cadence_overdue","cadence_days":60,"days_since_contact":75}]'],
        "[]",
    )
    change = rng.choice(["same", "up", "down"], n, p=[0.98, 0.01, 0.01])
    segments = pd.DataFrame({
        "business_date": business_date, "customer_id": customer_ids, "manager_id": manager,
        "branch_id": branch, "aum_cny": aum, "aum_adb_cny": aum * 0.98, "tier_code": tier,
        "tier_rank": tier_index + 1,
        "previous_tier_code": np.array(TIERS, dtype=object)[
            np.clip(tier_index + np.where(change == "up", 1, np.where(change == "down", -1, 0)),
                    0, 4)],
        "tier_change": change, "churn_score": churn, "churn_level": level,
        "churn_signals": signals, "opportunities": opportunities,
        "man_difficulty": rng.integers(1, 9, n), "lifecycle_stage": rng.choice(
            ["stable", "growing", "declining", "dormant", "new", "lost"], n,
            p=[0.6, 0.1, 0.1, 0.1, 0.09, 0.01]),
    })
    birth = np.datetime64("1950-01-01") + rng.integers(0, 365 * 55, n).astype("timedelta64[D]")
    customers_frame = pd.DataFrame({
        "customer_id": customer_ids, "birth_date": birth.astype("datetime64[ns]"),
        "closed_date": pd.NaT, "branch_id": branch, "manager_id": manager,
        "preferred_channel": rng.choice(["phone", "sms", "wechat", "email", "app"], n),
        "marketing_consent": (rng.random(n) < 0.9).astype(int),
        "do_not_contact": (rng.random(n) < 0.02).astype(int),
        # contact details (reachable channels): every 25th without a phone, every 50th bare
        "mobile_phone": np.where(np.arange(n) % 25 == 0, None, "13800138000").astype(object),
        "email": np.where(np.arange(n) % 50 == 0, None, "customer@example.com").astype(object),
        "address": np.where(np.arange(n) % 50 == 0, None, "上海市静安区").astype(object),
    })
    accounts_n = int(n * 1.5)
    owner = rng.integers(0, n, accounts_n)
    start = np.datetime64(DAY_1)
    accounts = pd.DataFrame({
        "account_id": _ids("A", accounts_n, 9), "customer_id": customer_ids[owner],
        "product_kind": rng.choice(["time_deposit", "wealth", "fund"], accounts_n),
        "closed_date": pd.NaT,
        "maturity_date": (start + rng.integers(0, 365, accounts_n).astype("timedelta64[D]")
                          ).astype("datetime64[ns]"),
        "interest_rate_pct": np.round(rng.uniform(1.2, 2.6, accounts_n), 2),
        "principal_cny": rng.integers(1, 100, accounts_n) * 10000.0,
        "balance_cny": np.nan,
    })
    complaints_n = n // 300
    complaints = pd.DataFrame({
        "complaint_id": _ids("Q", complaints_n, 7),
        "customer_id": customer_ids[rng.integers(0, n, complaints_n)],
        "opened_date": pd.Timestamp(business_date) - pd.Timedelta(days=5), "closed_date": pd.NaT,
        "status": "open", "category": "fees",
    })
    contacts_n = n
    when = np.datetime64(business_date) - rng.integers(0, 35, contacts_n).astype("timedelta64[D]")
    recent = pd.DataFrame({
        "contact_id": _ids("K", contacts_n, 9),
        "customer_id": customer_ids[rng.integers(0, n, contacts_n)],
        "manager_id": manager_ids[rng.integers(0, managers, contacts_n)],
        "contact_ts": when.astype("datetime64[ns]") + np.timedelta64(10, "h"),
        "channel": "phone", "initiated_by": "manager", "purpose": "service",
        "outcome": rng.choice(["reached", "not_reached", "message_sent"], contacts_n),
    })
    restricted = pd.DataFrame({"customer_id": customer_ids[rng.random(n) < 0.005]})
    frames = {"customers": customers_frame, "managers": managers_frame, "accounts": accounts,
              "complaints": complaints, "recent_contacts": recent,
              "restricted_list": restricted}
    return segments, frames


def measure(customers: int, managers: int) -> dict:
    from customer_plans.assign import assign_contacts
    from customer_plans.rules import load_rules

    rules = load_rules()
    started = time.perf_counter()
    segments_1, frames_1 = synthetic(customers, managers, DAY_1)
    segments_2, frames_2 = synthetic(customers, managers, DAY_2)
    built = time.perf_counter() - started
    rss_inputs = _rss_mib()

    started = time.perf_counter()
    contacts_1, _, _ = assign_contacts(segments_1, frames_1, DAY_1, rules)
    first = time.perf_counter() - started
    del segments_1, frames_1

    started = time.perf_counter()
    contacts_2, exclusions_2, feedback_2 = assign_contacts(segments_2, frames_2, DAY_2, rules,
                                                          carry_over=contacts_1)
    second = time.perf_counter() - started
    return {
        "customers": customers, "managers": managers,
        "build_inputs_s": round(built, 1),
        "assign_first_day_s": round(first, 1),
        "assign_with_carry_over_s": round(second, 1),
        "contacts": len(contacts_2),
        "planned": int((contacts_2["status"] == "planned").sum()),
        "deferred": int((contacts_2["status"] == "deferred").sum()),
        "carried_over": int(contacts_2["carried_reason_codes"].notna().sum()),
        "exclusion_rows": len(exclusions_2),
        "feedback_rows": len(feedback_2),
        "rss_after_inputs_mib": round(rss_inputs),
        "peak_rss_mib": round(_rss_mib()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", default="100000,1000000",
                        help="comma-separated sizes (default: 100000,1000000)")
    parser.add_argument("--managers", type=int, default=5000)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in str(args.customers).split(",")]
    if args.one:
        print(json.dumps(measure(sizes[0], args.managers)))
        return
    print(f"{'customers':>10} {'first day s':>12} {'next day s':>11} {'contacts':>9} "
          f"{'deferred':>9} {'carried':>8} {'peak MiB':>9}")
    for size in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", "--customers", str(size),
                              "--managers", str(args.managers)],
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{size:>10,} {result['assign_first_day_s']:>12} "
              f"{result['assign_with_carry_over_s']:>11} {result['contacts']:>9,} "
              f"{result['deferred']:>9,} {result['carried_over']:>8,} "
              f"{result['peak_rss_mib']:>9,}")
        print("           " + json.dumps(result))


if __name__ == "__main__":
    main()
