"""Benchmark segmentation: ``segment_customers`` time and peak memory at N customers.

    .venv/bin/python benchmarks/bench_segment.py                      # 100k and 1M
    .venv/bin/python benchmarks/bench_segment.py --customers 100000 --history

The staging frames are synthetic (``tests.support.segment_frames.synthetic_frames``:
numpy, no database; about 3 accounts per customer). Each size runs in its own Python
process so its peak memory (max RSS) is its own. Printed per size: seconds to build the
frames, seconds in ``segment_customers``, the process's RSS once the frames exist, and
its peak RSS (frames + segmentation + output, the whole process). ``--history`` also
feeds a previous day's rows (hysteresis path). Target: 1M customers in under 60 s on
one core and under 4 GiB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

# the synthetic data sets live with the tests (tests/support), beside the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BUSINESS_DATE = date(2026, 11, 19)


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def measure(customers: int, history: bool) -> dict:
    """Build the frames, segment once, and report time and memory of this process."""
    import pandas as pd
    from customer_plans.rules import load_rules
    from customer_plans.segment import segment_customers

    from tests.support.segment_frames import synthetic_frames

    rules = load_rules()
    started = time.perf_counter()
    frames = synthetic_frames(customers, BUSINESS_DATE, seed=1)
    built = time.perf_counter() - started
    previous = None
    if history:
        ids = frames["customers"]["customer_id"]
        previous = pd.DataFrame({
            "customer_id": ids, "business_date": BUSINESS_DATE - timedelta(days=1),
            "tier_code": "platinum", "below_tier_since": pd.NaT, "lifecycle_stage": "stable",
        })
    rss_inputs = _rss_mib()
    started = time.perf_counter()
    out = segment_customers(frames, BUSINESS_DATE, rules, history=previous)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "customers": customers,
        "accounts": len(frames["accounts"]),
        "history": history,
        "build_frames_s": round(built, 2),
        "segment_s": round(seconds, 2),
        "rss_with_inputs_mib": round(rss_inputs),
        "peak_rss_mib": round(peak),
        "output_mib": round(out.memory_usage(deep=True).sum() / 2**20),
        "rows": len(out),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--history", action="store_true", help="feed a previous day's rows")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.customers[0], args.history)))
        return 0
    print(f"{'customers':>10} {'accounts':>10} {'frames s':>9} {'segment s':>10} "
          f"{'RSS inputs MiB':>15} {'peak RSS MiB':>13} {'output MiB':>11}")
    for customers in args.customers:
        command = [sys.executable, __file__, "--child", "--customers", str(customers)]
        if args.history:
            command.append("--history")
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{result['customers']:>10,} {result['accounts']:>10,} "
              f"{result['build_frames_s']:>9} {result['segment_s']:>10} "
              f"{result['rss_with_inputs_mib']:>15,} {result['peak_rss_mib']:>13,} "
              f"{result['output_mib']:>11,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
