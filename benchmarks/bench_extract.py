"""Benchmark extract + validation on a generated bank; prints times, rows and peak memory.

    .venv/bin/python benchmarks/bench_extract.py --customers 100000
    .venv/bin/python benchmarks/bench_extract.py --customers 100000 \
        --postgres postgresql+psycopg2://postgres@127.0.0.1:5432/test

Each phase runs in its own Python process so that its peak memory (max RSS) is its own:
``generate`` (not timed as part of the pipeline), ``extract`` (all nine extracts, one
process), ``validate`` (GX import, then ``validate_staging``). Big files go to
``--workdir`` (default a temporary folder) and are deleted afterwards unless ``--keep``.
On PostgreSQL the bank is generated into a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

BUSINESS_DATE = date(2026, 11, 19)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def phase_generate(url: str, customers: int, managers: int, branches: int) -> dict:
    from customer_plans.seed import generate_bank

    started = time.perf_counter()
    counts = generate_bank(url, customers=customers, managers=managers, branches=branches,
                           as_of=BUSINESS_DATE, seed=7, progress=False)
    return {"seconds": time.perf_counter() - started, "rows": counts, "peak_mib": _peak_mib()}


def _context(workdir: str, url: str | None = None):
    """The run context of the benchmark: default settings, outputs under ``workdir``."""
    import dataclasses

    from customer_plans.run_context import RunContext
    from customer_plans.settings import load_settings

    settings = dataclasses.replace(load_settings({}), output_dir=Path(workdir))
    if url is not None:
        settings = dataclasses.replace(settings, core_banking_url=url)
    return RunContext(BUSINESS_DATE, settings)


def phase_extract(url: str, workdir: str) -> dict:
    from customer_plans.extract import EXTRACTS, run_extract

    ctx = _context(workdir, url)
    ctx = ctx.with_rules(ctx.rules())  # the rules file read once, outside the timings
    timings = {}
    started = time.perf_counter()
    for name in EXTRACTS:
        began = time.perf_counter()
        summary = run_extract(ctx, name)
        timings[name] = {"seconds": time.perf_counter() - began, "rows": summary["rows"]}
    return {"seconds": time.perf_counter() - started, "extracts": timings,
            "peak_mib": _peak_mib()}


def phase_validate(workdir: str) -> dict:
    from customer_plans.quality import DataQualityError, validate_staging

    ctx = _context(workdir)
    ctx = ctx.with_rules(ctx.rules())
    began = time.perf_counter()
    import great_expectations  # noqa: F401

    gx_import = time.perf_counter() - began
    began = time.perf_counter()
    try:
        summary = validate_staging(ctx)
    except DataQualityError as exc:
        summary = exc.summary
    return {"gx_import_seconds": gx_import, "seconds": time.perf_counter() - began,
            "status": summary.get("status"), "warnings": len(summary.get("warnings", [])),
            "blocking": len(summary.get("blocking", [])),
            "quarantined": summary.get("quarantined"), "peak_mib": _peak_mib()}


def phase_gx_import() -> dict:
    began = time.perf_counter()
    import great_expectations  # noqa: F401

    return {"seconds": time.perf_counter() - began, "peak_mib": _peak_mib()}


PHASES = {"generate": phase_generate, "extract": phase_extract, "validate": phase_validate,
          "gx_import": phase_gx_import}


def run_phase(name: str, *args) -> dict:
    """Run one phase in a fresh interpreter; its JSON result on the last line of stdout."""
    command = [sys.executable, __file__, "--phase", name, "--args", json.dumps(list(args))]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench(label: str, url: str, workdir: Path, args: argparse.Namespace,
          generate: bool = True) -> None:
    print(f"\n== {label}")
    if generate:
        print(f"generating {args.customers:,} customers, {args.managers} managers, "
              f"{args.branches} branches")
        generated = run_phase("generate", url, args.customers, args.managers, args.branches)
        rows = generated["rows"]
        print(f"generate: {generated['seconds']:.1f} s; account_balances "
              f"{rows.get('account_balances', 0):,} rows, transactions "
              f"{rows.get('transactions', 0):,}")
    for attempt in range(args.repeat):
        extracted = run_phase("extract", url, str(workdir))
        print(f"extract (run {attempt + 1}): {extracted['seconds']:.1f} s total, "
              f"peak RSS {extracted['peak_mib']:.0f} MiB")
    for name, figures in extracted["extracts"].items():
        print(f"  {name:<20} {figures['seconds']:7.2f} s {figures['rows']:>10,} rows")
    validated = run_phase("validate", str(workdir))
    print(f"validate: {validated['seconds']:.1f} s after GX import "
          f"({validated['gx_import_seconds']:.1f} s); status {validated['status']}, "
          f"{validated['blocking']} blocking, {validated['warnings']} warnings, "
          f"{validated['quarantined']} quarantined; peak RSS {validated['peak_mib']:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--managers", type=int, default=1_000)
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1, help="extract runs (warm cache)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--postgres", default=None, help="also benchmark on this server")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--sqlite-bank", type=Path, default=None,
                        help="use this already generated SQLite bank (kept) instead")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--args", default="[]", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](*json.loads(args.args))))
        return

    imports = [run_phase("gx_import")["seconds"] for _ in range(3)]
    print(f"import great_expectations: {min(imports):.1f} s best of 3 "
          f"({', '.join(f'{s:.1f}' for s in imports)})")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_extract_"))
    try:
        if not args.skip_sqlite:
            bank = args.sqlite_bank or workdir / "sqlite" / "core_banking.db"
            (workdir / "sqlite").mkdir(parents=True, exist_ok=True)
            bench("SQLite", f"sqlite:///{bank}", workdir / "sqlite", args,
                  generate=args.sqlite_bank is None)
            print(f"SQLite file: {bank.stat().st_size / 2**20:.0f} MiB")
        if args.postgres:
            import sqlalchemy as sa

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(args.postgres)
            with admin.begin() as conn:
                conn.exec_driver_sql(f"create schema {schema}")
            sep = "&" if "?" in args.postgres else "?"
            try:
                bench("PostgreSQL", f"{args.postgres}{sep}options=-csearch_path%3D{schema}",
                      workdir / "postgres", args)
            finally:
                with admin.begin() as conn:
                    conn.exec_driver_sql(f"drop schema {schema} cascade")
                admin.dispose()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
