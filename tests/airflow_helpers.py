"""Running Airflow from tests: a project-local home per test session, commands in subprocesses.

Airflow reads its configuration when first imported, so every Airflow call runs in
a subprocess with the environment from ``customer_plans.devenv`` (the same one the
Makefile uses), pointing at a temporary home, bank and output folder.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from customer_plans.devenv import airflow_environment
from customer_plans.settings import PROJECT_ROOT


def airflow_env(home: Path, project_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(airflow_environment(home, {"CUSTOMER_PLANS_HOME": str(project_home)}))
    env["CUSTOMER_PLANS_HOME"] = str(project_home)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout
    )


def migrate(env: dict[str, str]) -> None:
    for args in (
        ["airflow", "db", "migrate"],
        ["airflow", "pools", "set", "core_banking", "4", "core banking queries"],
    ):
        done = run(args, env)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


RUN_DAG = """
import sys, json
from datetime import datetime
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
dag = bag.dags["nightly_customer_plans"]
run = dag.test(logical_date=datetime.fromisoformat(sys.argv[2]), run_conf=json.loads(sys.argv[3]))
print("DAG_RUN_STATE", run.state)
states = {ti.task_id + ("" if ti.map_index < 0 else f"[{ti.map_index}]"): str(ti.state)
          for ti in run.get_task_instances()}
print("TASK_STATES", json.dumps(states, sort_keys=True))
sys.exit(0 if str(run.state) in ("success", "DagRunState.SUCCESS") else 1)
"""


def run_nightly(env: dict[str, str], business_date: str, conf: dict | None = None):
    """Run the nightly DAG once with dag.test() for ``business_date``; returns the process."""
    import json
    from datetime import date, timedelta

    logical = f"{date.fromisoformat(business_date) + timedelta(days=1)}T01:30:00+08:00"
    conf = {"business_date": business_date, **(conf or {})}
    return run(
        [sys.executable, "-c", RUN_DAG, str(PROJECT_ROOT / "dags"), logical, json.dumps(conf)],
        env,
    )


@contextmanager
def smtp_server():
    """A real SMTP server on 127.0.0.1 for one test: yields ``(port, received_messages)``."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def smtp_connection(port: int, **extra: str) -> str:
    """An Airflow SMTP connection (JSON) to the local test server, without TLS."""
    return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port,
                       "extra": {"disable_ssl": True, "disable_tls": True, **extra}})
