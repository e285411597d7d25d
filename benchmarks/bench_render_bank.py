"""Rendering a real bank's plans as the DAG's render tasks do: figures for the speed target.

    make demo   # once: the demo bank, its plans database and staging files
    .venv/bin/python benchmarks/bench_render_bank.py [--business-date 2026-11-19] [--repeat 3]

Reads the plans of ``--business-date`` from the configured plans database and staging
folder (``customer_plans.settings``), splits the managers in two halves and renders each
half in its own process at the same time, as two mapped render tasks run on two worker
slots: loading the inputs, building the plans, laying them out ``LAYOUT_CHUNK`` at a time
and writing HTML and PDF files (to a temporary folder, removed afterwards). Prints, per
process, CPU seconds per plan for each step; the wall time of the pair; plan lines and
pages per plan; and the estimate for ``--target`` managers on two cores with the DAG's
batching (each task also pays its start-up, measured here as a fresh process's imports).

    .venv/bin/python benchmarks/bench_render_bank.py --calls [--managers 40]

counts instead the Python function calls per plan of rendering the first ``--managers``
plans (after one warm-up chunk) in this process: WeasyPrint's time is mostly Python, and
the count, unlike CPU seconds on a shared machine, comes out the same on every run, so
it tells whether a change to the templates, CSS or code made rendering cheaper.

    .venv/bin/python benchmarks/bench_render_bank.py --full [--target 5000]

renders ``--target`` plans for real instead of estimating: the bank's plans, repeated under
new manager ids until there are ``--target`` of them (``M00001-02`` is the second copy of
``M00001``'s plan), in render tasks of the DAG's size, two at a time, each task a fresh
process that loads, builds, lays out and writes its plans as ``render_manager_batch``
does. Prints the wall time from the first task's start to the last one's end, per task
its plans, wall and CPU seconds and peak memory, and the files written (to a temporary
folder, removed afterwards: about 250 KB a plan). Then, as the DAG does after the plans,
the branch roll-ups of as many copies of the bank, one task per slot, timed the same way.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

# the DAG's batching (dags/nightly_customer_plans.py): managers per render task, tasks at once
TASK_MANAGERS = 500
SLOTS = 2
START_UP = (
    "import customer_plans.pipeline, customer_plans.render.batch, weasyprint, pandas, "
    "sqlalchemy"
)


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return next(int(line.split()[-1]) for line in info.stdout.splitlines()
                if line.startswith("Pages:"))


def _run_context(business_date: str):
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from customer_plans.pipeline import RunContext
    from customer_plans.settings import load_settings

    return RunContext(date.fromisoformat(business_date), load_settings())


def _load(ctx, manager_ids: list[str]):
    from customer_plans.render.data import load_plan_inputs

    return load_plan_inputs(manager_ids, ctx.business_date, ctx.settings.plans_db_url,
                            ctx.staging_dir, ctx.quality_dir)


def _build(ctx, inputs, manager_ids: list[str]):
    from customer_plans.render.context import build_plan_contexts

    return build_plan_contexts(inputs, manager_ids, ctx.business_date, ctx.rules())


def _render_half(manager_ids: list[str], business_date: str) -> dict[str, float]:
    from customer_plans.render.batch import render_and_write_plans, render_plans

    ctx = _run_context(business_date)
    warm_ids = manager_ids[:1]
    render_plans(_build(ctx, _load(ctx, warm_ids), warm_ids))  # warm-up: fonts, templates
    wall = time.perf_counter()
    cpu = time.process_time()
    inputs = _load(ctx, manager_ids)
    loaded = time.process_time()
    plans = _build(ctx, inputs, manager_ids)
    built = time.process_time()
    with tempfile.TemporaryDirectory() as out:
        render_and_write_plans(plans, Path(out))
        done = time.process_time()
        wall = time.perf_counter() - wall
        pages = sum(_pages(path) for path in Path(out).glob("*.pdf"))
    return {
        "plans": len(plans), "lines": int(len(inputs.contacts)), "pages": pages,
        "load": loaded - cpu, "build": built - loaded, "render": done - built,
        "wall": wall,
    }


def _render_task(copies: list[tuple[int, list[str]]], business_date: str, out: str) -> dict:
    """One render task in a fresh process: every copy's plans loaded and built, then laid out
    and written ``LAYOUT_CHUNK`` at a time, as ``render_manager_batch`` does."""
    started = time.perf_counter()
    from customer_plans.render.batch import render_and_write_plans

    ctx = _run_context(business_date)
    plans = []
    for copy, manager_ids in copies:
        plans.extend(
            plan if copy == 1 else dataclasses.replace(
                plan, manager_id=f"{plan.manager_id}-{copy:02d}")
            for plan in _build(ctx, _load(ctx, manager_ids), manager_ids)
        )
    render_and_write_plans(plans, Path(out))
    return _task_result(len(plans), started)


def _rollup_task(copies: list[int], business_date: str, out: str) -> dict:
    """One roll-up task in a fresh process: the bank's roll-ups once per copy, as
    ``render_branch_rollups`` renders a batch of branches."""
    started = time.perf_counter()
    from customer_plans.render.batch import render_and_write_rollups
    from customer_plans.render.data import load_rollup_inputs
    from customer_plans.render.rollup import build_branch_contexts

    ctx = _run_context(business_date)
    inputs = load_rollup_inputs(ctx.business_date, ctx.settings.plans_db_url, ctx.staging_dir,
                                ctx.quality_dir)
    # built once per copy, as a real task builds each of its branches once
    branches = [
        dataclasses.replace(branch, branch_id=f"{branch.branch_id}-{copy:02d}")
        for copy in copies
        for branch in build_branch_contexts(inputs, ctx.business_date, ctx.rules())
    ]
    render_and_write_rollups(branches, Path(out))
    return _task_result(len(branches), started)


def _task_result(documents: int, started: float) -> dict:
    """A task's documents, wall seconds since ``started``, CPU seconds and peak memory."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"plans": documents, "wall": time.perf_counter() - started,
            "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


def _run_tasks(function, tasks: list, business_date: str, out: str) -> tuple[float, list[dict]]:
    """``tasks`` run ``SLOTS`` at a time, each in a fresh process: the wall time and results."""
    spawn = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with ProcessPoolExecutor(SLOTS, mp_context=spawn, max_tasks_per_child=1) as pool:
        results = list(pool.map(function, tasks, [business_date] * len(tasks),
                                [out] * len(tasks)))
    return time.perf_counter() - started, results


def _full_run(managers: list[str], business_date: str, target: int) -> None:
    """``target`` plans in render tasks of ``TASK_MANAGERS``, ``SLOTS`` at a time, timed."""
    plan_ids = [(index // len(managers) + 1, managers[index % len(managers)])
                for index in range(target)]
    tasks = []
    for start in range(0, target, TASK_MANAGERS):
        copies: dict[int, list[str]] = {}
        for copy, manager_id in plan_ids[start : start + TASK_MANAGERS]:
            copies.setdefault(copy, []).append(manager_id)
        tasks.append(list(copies.items()))
    print(f"{target} plans from the bank's {len(managers)}, in {len(tasks)} render tasks of up "
          f"to {TASK_MANAGERS}, {SLOTS} at a time, each a fresh process")
    with tempfile.TemporaryDirectory() as out:
        wall, results = _run_tasks(_render_task, tasks, business_date, out)
        for index, r in enumerate(results, 1):
            print(f"task {index:2}: {r['plans']} plans, wall {r['wall']:.1f} s, "
                  f"CPU {r['cpu']:.1f} s, peak memory {r['peak_mb']:.0f} MB")
        pdfs = sorted(Path(out).glob("*.pdf"))
        htmls = list(Path(out).glob("*.html"))
        pdf_bytes = sum(path.stat().st_size for path in pdfs)
        html_bytes = sum(path.stat().st_size for path in htmls)
        pages = sum(_pages(path) for path in pdfs)
    print(f"written: {len(pdfs)} PDFs ({pdf_bytes / 1e6:.0f} MB, {pages} pages) and "
          f"{len(htmls)} HTML files ({html_bytes / 1e6:.0f} MB)")
    print(f"{target} managers' plans rendered in {wall / 60:.1f} min on {SLOTS} processes "
          f"({wall:.0f} s wall, {sum(r['cpu'] for r in results) / target:.3f} CPU s per plan)")
    if len(pdfs) != target or len(htmls) != target:
        sys.exit(f"expected {target} PDF and HTML files")
    copies = list(range(1, math.ceil(target / len(managers)) + 1))
    with tempfile.TemporaryDirectory() as out:
        rollup_wall, rollups = _run_tasks(
            _rollup_task, [copies[slot::SLOTS] for slot in range(SLOTS)], business_date, out)
        rollup_pdfs = len(list(Path(out).glob("*.pdf")))
    for index, r in enumerate(rollups, 1):
        print(f"roll-up task {index}: {r['plans']} roll-ups, wall {r['wall']:.1f} s, "
              f"CPU {r['cpu']:.1f} s, peak memory {r['peak_mb']:.0f} MB")
    print(f"then {rollup_pdfs} branch roll-ups ({len(copies)} copies of the bank's) in "
          f"{rollup_wall / 60:.1f} min: the render stage took {(wall + rollup_wall) / 60:.1f} min")


def _python_calls_per_plan(manager_ids: list[str], business_date: str) -> float:
    import cProfile
    import pstats

    from customer_plans.render.batch import LAYOUT_CHUNK, render_and_write_plans

    ctx = _run_context(business_date)
    plans = _build(ctx, _load(ctx, manager_ids), manager_ids)
    warm, measured = plans[:LAYOUT_CHUNK], plans[LAYOUT_CHUNK:]
    with tempfile.TemporaryDirectory() as out:
        render_and_write_plans(warm, Path(out))
        profile = cProfile.Profile()
        profile.runcall(render_and_write_plans, measured, Path(out))
    return pstats.Stats(profile).total_calls / max(len(measured), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--business-date", default="2026-11-19")
    parser.add_argument("--target", type=int, default=5000, help="managers to estimate for")
    parser.add_argument("--calls", action="store_true",
                        help="count Python calls per plan instead of timing")
    parser.add_argument("--managers", type=int, default=50, help="plans counted by --calls")
    parser.add_argument("--full", action="store_true",
                        help="render --target plans for real (the bank's plans repeated) as "
                        "the DAG's render tasks do, instead of estimating from the bank's")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of the pair of processes, the fastest kept (the machine is "
                        "shared: its speed moves by more than a change to rendering does)")
    args = parser.parse_args()

    from customer_plans.pipeline import RunContext
    from customer_plans.pipeline import manager_batches as batches
    from customer_plans.settings import load_settings

    ctx = RunContext(date.fromisoformat(args.business_date), load_settings())
    managers = [m for batch in batches(ctx, batch_size=10**9) for m in batch]
    if not managers:
        sys.exit(f"no plans for {args.business_date} in {ctx.settings.plans_db_url}: "
                 "run `make demo` first")
    if args.calls:
        calls = _python_calls_per_plan(managers[: args.managers], args.business_date)
        print(f"{calls:,.0f} Python calls per plan (HTML + PDF + write), "
              f"first {min(args.managers, len(managers))} plans less a warm-up chunk")
        return
    if args.full:
        _full_run(managers, args.business_date, args.target)
        return
    halves = [managers[: len(managers) // 2], managers[len(managers) // 2 :]]

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", START_UP], check=True)
    start_up = time.perf_counter() - started

    runs = []
    for _ in range(max(args.repeat, 1)):
        with ProcessPoolExecutor(2) as pool:
            runs.append(list(pool.map(_render_half, halves, [args.business_date] * 2)))
    results = min(runs, key=lambda pair: max(r["wall"] for r in pair))
    if len(runs) > 1:
        walls = ", ".join(f"{max(r['wall'] for r in pair):.1f}" for pair in runs)
        print(f"{len(runs)} runs, wall s of each pair: {walls}; the fastest is reported")
    plans = sum(r["plans"] for r in results)
    print(f"bank: {plans} plans, {sum(r['lines'] for r in results)} plan lines "
          f"(with deferred items), {sum(r['pages'] for r in results)} pages")
    for index, r in enumerate(results, 1):
        print(f"process {index}: {r['plans']} plans; CPU s per plan: load "
              f"{r['load'] / r['plans']:.3f}, build {r['build'] / r['plans']:.3f}, "
              f"render HTML+PDF and write {r['render'] / r['plans']:.3f}; wall {r['wall']:.1f} s")
    wall_per_plan = max(r["wall"] for r in results) / plans
    cpu_per_plan = sum(r["load"] + r["build"] + r["render"] for r in results) / plans
    tasks = max(SLOTS, math.ceil(args.target / TASK_MANAGERS))
    start_up_total = math.ceil(tasks / SLOTS) * start_up
    print(f"two processes side by side: {wall_per_plan:.3f} wall s per plan "
          f"({cpu_per_plan:.3f} CPU s); a render task's start-up: {start_up:.1f} s")
    print(f"estimate for {args.target} managers in {tasks} render tasks on {SLOTS} cores: "
          f"{(args.target * wall_per_plan + start_up_total) / 60:.1f} min "
          f"(on two idle cores: {(args.target * cpu_per_plan / SLOTS + start_up_total) / 60:.1f}"
          " min)")


if __name__ == "__main__":
    main()
