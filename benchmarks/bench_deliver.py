"""Benchmark delivery over SMTP: messages per second with PDF attachments to a local server,
one SMTP session per batch (as delivery sends) against one connection per message; prints
the figures and the delivery task's time for 5,000 managers estimated from them.

    .venv/bin/python benchmarks/bench_deliver.py                  # 300 messages each way
    .venv/bin/python benchmarks/bench_deliver.py --messages 1000 --pdf-kib 180

The server (aiosmtpd) runs in its own process and keeps every message in memory, as a
relay's queue would; each way delivers a fresh ledger (SQLite), so the figures include the
ledger's two commits per message and building each message, as a real run does. The
documents are made up, with the HTML and PDF sizes of the demo bank's plans.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import socket
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))

BUSINESS_DATE = date(2026, 11, 19)


def _serve(port: int, ready) -> None:
    from aiosmtpd.controller import Controller

    class Keep:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Keep.count += 1
            return "250 2.0.0 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=port, data_size_limit=0)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def _bank(home: Path, messages: int, html_kib: int, pdf_kib: int):
    import pandas as pd
    from customer_plans.pipeline import RunContext
    from customer_plans.settings import load_settings
    from customer_plans.staging import write_frame

    ctx = RunContext(BUSINESS_DATE, load_settings({"CUSTOMER_PLANS_HOME": str(home),
                                                   "CUSTOMER_PLANS_DELIVERY": "smtp"}))
    ids = [f"M{i:05d}" for i in range(messages)]
    write_frame(pd.DataFrame({
        "manager_id": ids, "manager_name": ["王芳"] * messages,
        "email": [f"{i.lower()}@bank.example" for i in ids], "locale": ["zh_CN"] * messages,
        "status": ["active"] * messages, "branch_id": ["BR1"] * messages,
    }), ctx.staging_dir / "managers.parquet")
    write_frame(pd.DataFrame({
        "branch_id": ["BR1"], "branch_name": ["城东支行"], "city": ["杭州"],
        "head_name": [None], "head_email": [None], "locale": ["zh_CN"],
    }), ctx.staging_dir / "branches.parquet")
    ctx.plans_dir.mkdir(parents=True)
    html = ("<html><body>" + "客户 138****1234 " * (html_kib * 64) + "</body></html>")
    for i, manager_id in enumerate(ids):
        (ctx.plans_dir / f"{manager_id}.html").write_text(html + str(i), encoding="utf-8")
        (ctx.plans_dir / f"{manager_id}.pdf").write_bytes(
            b"%PDF-1.7\n" + os.urandom(pdf_kib * 1024))
    return ctx


class PerMessage:
    """One connection per message: a new session opened and closed around each send."""

    def __init__(self, settings) -> None:
        from customer_plans.mail import SmtpTransport

        self.settings, self.connections, self.name = settings, 0, "smtp"
        self._cls = SmtpTransport

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def send(self, envelope) -> None:
        with self._cls(self.settings) as transport:
            transport.send(envelope)
        self.connections += 1


def _time(ctx, transport) -> float:
    from customer_plans.deliver import deliver_documents

    started = time.perf_counter()
    result = deliver_documents(ctx, transport)
    elapsed = time.perf_counter() - started
    assert result["counts"].get("sent") == len(list(ctx.plans_dir.glob("*.pdf"))), result
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--html-kib", type=int, default=60)
    parser.add_argument("--pdf-kib", type=int, default=150)
    parser.add_argument("--managers", type=int, default=5000, help="for the estimate")
    args = parser.parse_args()
    from customer_plans.mail import SmtpSettings, SmtpTransport

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, ready), daemon=True)
    server.start()
    ready.wait(30)
    settings = SmtpSettings("127.0.0.1", port, "none", timeout=30)
    root = Path(tempfile.mkdtemp(prefix="bench-deliver-"))
    try:
        print(f"{args.messages} messages, HTML {args.html_kib} KiB + PDF {args.pdf_kib} KiB "
              f"each, to aiosmtpd on 127.0.0.1 ({os.cpu_count()} cores)")
        figures = {}
        for way, make in (("one session per batch", lambda: SmtpTransport(settings)),
                          ("one connection per message", lambda: PerMessage(settings))):
            ctx = _bank(root / way.replace(" ", "-"), args.messages, args.html_kib,
                        args.pdf_kib)
            transport = make()
            seconds = _time(ctx, transport)
            rate = args.messages / seconds
            figures[way] = rate
            print(f"  {way:28s} {seconds:7.2f} s  {rate:7.1f} msg/s  "
                  f"({transport.connections} connection(s))  "
                  f"{args.managers:,} managers: ~{args.managers / rate:,.0f} s")
        ratio = figures["one session per batch"] / figures["one connection per message"]
        print(f"  one session per batch is {ratio:.2f}x the rate of one connection per message")
    finally:
        server.terminate()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
