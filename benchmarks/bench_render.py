"""Rendering speed: one WeasyPrint document per manager (naive) vs chunked layouts, as the DAG runs.

    .venv/bin/python benchmarks/bench_render.py --managers 40 --contacts 25 --deferred 25

Measures, on synthetic plans (``tests.support.render_sample``) with ``--contacts``
plan lines and ``--deferred`` deferred items per manager (the demo bank averages 25 of
each):
- naive: each manager's PDF laid out and written as its own document;
- chunked: ``--chunk`` managers laid out as one document, split into one PDF each with
  ``Document.copy(pages)`` (what ``render_manager_batch`` does);
- the email HTML (Jinja + css_inline), the same in both;
- a fresh process rendering one plan: what each render task pays before its first plan;
- two halves in two processes at once, as two mapped render tasks run them (rendering and
  writing to a temporary folder).
Prints CPU seconds per manager, the ratio, and the estimate for ``--target`` managers
on two cores with the DAG's batching.
"""

from __future__ import annotations

import argparse
import logging
import math
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

# the synthetic data sets live with the tests (tests/support), beside the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BUSINESS_DATE = date(2026, 11, 19)
COLD_START = (
    "import logging; logging.getLogger('weasyprint').setLevel(logging.ERROR)\n"
    "from benchmarks.bench_render import _plans\n"
    "from customer_plans.render.batch import render_plans\n"
    "render_plans(_plans(1, {contacts}, {deferred}, 9))\n"
)
# the DAG's batching (dags/nightly_customer_plans.py): managers per render task, tasks at once
TASK_MANAGERS = 500
SLOTS = 2


def _plans(managers: int, contacts: int, deferred: int, seed: int):
    from customer_plans.render.context import build_plan_contexts
    from customer_plans.rules import load_rules

    from tests.support.render_sample import sample_bank

    bank = sample_bank(managers=managers, contacts_per_manager=contacts + deferred,
                       deferred_per_manager=deferred, seed=seed,
                       book_per_manager=max(contacts + deferred + 10, 40))
    return build_plan_contexts(bank.inputs, bank.manager_ids, BUSINESS_DATE, load_rules())


def _cpu(run) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def _chunked_seconds(managers: int, contacts: int, deferred: int, chunk: int, seed: int) -> float:
    """Wall time of rendering and writing ``managers`` plans (PDF + email HTML) as a task does."""
    import tempfile

    from customer_plans.render.batch import render_and_write_plans

    plans = _plans(managers, contacts, deferred, seed)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        render_and_write_plans(plans, Path(out), chunk)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--managers", type=int, default=40)
    parser.add_argument("--contacts", type=int, default=25, help="plan lines per manager")
    parser.add_argument("--deferred", type=int, default=25, help="deferred items per manager")
    parser.add_argument("--chunk", type=int, default=10, help="managers per layout")
    parser.add_argument("--target", type=int, default=5000, help="managers to estimate for")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, best kept")
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    from customer_plans.render.batch import plan_section, render_plans
    from customer_plans.render.html import render_plan_html
    from customer_plans.render.pdf import layout, print_document_html, render_section_pdfs

    plans = _plans(args.managers, args.contacts, args.deferred, seed=1)
    render_plans(plans[:1])  # warm-up: imports, fonts, templates

    def naive_run() -> None:
        for plan in plans:
            render_section_pdfs([plan_section(plan)])

    def chunked_run() -> None:
        for start in range(0, len(plans), args.chunk):
            render_section_pdfs([plan_section(p) for p in plans[start : start + args.chunk]])

    def email_run() -> None:
        for plan in plans:
            render_plan_html(plan)

    # CPU seconds of this process, best of --repeat: the machine is shared, and wall time
    # measures the neighbours as much as WeasyPrint; alternate the two so drift hits both
    naive = chunked = email = float("inf")
    for _ in range(args.repeat):
        naive = min(naive, _cpu(naive_run) / len(plans))
        chunked = min(chunked, _cpu(chunked_run) / len(plans))
        email = min(email, _cpu(email_run) / len(plans))
    pages = len(layout(print_document_html([plan_section(plans[0])])).pages) - 2  # 2 edges

    # a fresh process rendering one plan: what a task pays before its first plan is done
    # (imports, fontconfig, first layout), once per task instead of once per manager
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", COLD_START.format(contacts=args.contacts, deferred=args.deferred)],
        check=True, cwd=Path(__file__).resolve().parents[1],
    )
    cold = time.perf_counter() - started

    # two halves at once in two processes, as two mapped render tasks would run
    half = max(args.managers // 2, 1)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_chunked_seconds, [1, 1], [args.contacts] * 2, [args.deferred] * 2,
                      [1, 1], [3, 4]))  # warm
        # each process times its own rendering (its plans are built before the clock starts),
        # and the two run side by side: the slower of the two is the wall time of the pair
        parallel_wall = max(
            pool.map(_chunked_seconds, [half, half], [args.contacts] * 2, [args.deferred] * 2,
                     [args.chunk] * 2, [5, 6])
        )
    parallel_per_manager = parallel_wall / (2 * half)

    tasks = max(SLOTS, math.ceil(args.target / TASK_MANAGERS))
    start_up = math.ceil(tasks / SLOTS) * cold
    print(f"plans: {len(plans)} managers x {args.contacts} plan lines + {args.deferred} deferred "
          f"(first plan: {pages} pages), layout chunk {args.chunk}")
    print(f"PDF naive (one document each):   {naive:.3f} CPU s per manager")
    print(f"PDF chunked (one per chunk):     {chunked:.3f} CPU s per manager")
    print(f"ratio naive / chunked:           {naive / chunked:.2f}x")
    print(f"email HTML (Jinja + css_inline): {email:.3f} CPU s per manager")
    print(f"fresh process, one plan:         {cold:.2f} wall s (paid once per render task)")
    print(f"two halves in two processes:     {parallel_per_manager:.3f} wall s per manager")
    # on two otherwise idle cores: two tasks at once, each manager's CPU as measured here
    estimate = args.target * (chunked + email) / SLOTS + start_up
    naive_estimate = args.target * (naive + email)
    print(f"estimate for {args.target} managers in {tasks} render tasks on {SLOTS} idle cores: "
          f"{estimate / 60:.1f} min; with today's neighbours: "
          f"{(args.target * parallel_per_manager + start_up) / 60:.1f} min; "
          f"naive, one process: {naive_estimate / 60:.1f} min")


if __name__ == "__main__":
    main()
