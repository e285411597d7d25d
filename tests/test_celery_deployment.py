"""The docker-compose deployment without Docker (scripts/celery-local.sh): Airflow's
CeleryExecutor with PostgreSQL (metadata, results) and Redis (broker), every component a
plain process, runs the nightly DAG on a small generated bank to success; every manager at
work gets a plan rendered by the Celery worker; stopping leaves no process behind.

At every hour of the day the test runs in the night's condition: the bank's time zone is
chosen so that it is after 01:30 and before the 05:30 end-of-day deadline there, so unpausing
the DAG creates the scheduled run for tonight, which waits for an end-of-day mark the test
bank never has. The operator's run of an earlier date must not wait behind it.

Needs PostgreSQL and Redis: skips, saying why, when either is unreachable (fails under CI).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.e2e

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = PROJECT_ROOT / "scripts" / "celery-local.sh"
BUSINESS_DATE = "2026-11-19"
REDIS_URL = os.environ.get("CUSTOMER_PLANS_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must test the Celery deployment but {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url():
    parts = urlsplit(REDIS_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=3).close()
    except OSError as exc:
        _unavailable(f"Redis is not reachable at {REDIS_URL} ({exc}); set "
                     "CUSTOMER_PLANS_TEST_REDIS_URL to run this test")
    yield REDIS_URL
    import redis

    # the test's own database index: the broker's queues and bindings go with the test
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def metadata_db_url(pg_server_url):
    """A PostgreSQL database of its own for Airflow's metadata, dropped after the test."""
    url = make_url(pg_server_url).set(database=f"airflow_celery_{uuid.uuid4().hex[:8]}")
    yield url.render_as_string(hide_password=False)
    admin = sa.create_engine(make_url(pg_server_url).set(database="postgres"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'drop database if exists "{url.database}" with (force)')
    admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _script(action: str, env: dict[str, str], timeout: int, *args: str):
    return subprocess.run(["bash", str(SCRIPT), action, *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def night_time_zone(now: datetime) -> str:
    """A whole-hour zone where ``now`` is 02:xx: after the 01:30 schedule, before 05:30."""
    offset = (2 - now.astimezone(UTC).hour) % 24
    if offset > 14:
        offset -= 24
    # the Etc zones' signs are POSIX's: Etc/GMT-8 is eight hours ahead of UTC
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def test_the_night_time_zone_is_between_schedule_and_deadline_at_every_hour():
    for hour in range(24):
        now = datetime(2026, 12, 7, hour, 59, tzinfo=UTC)
        local = now.astimezone(ZoneInfo(night_time_zone(now)))
        assert (local.hour, local.minute) == (2, 59)


def _process_groups(home: Path) -> list[int]:
    return [int(p.read_text()) for p in sorted(home.glob("*.pid"))]


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_nightly_dag_runs_on_celery_with_postgres_and_redis(
    tmp_path, small_bank, metadata_db_url, redis_url
):
    try:
        import airflow.providers.celery  # noqa: F401
        import redis  # noqa: F401
    except ImportError as exc:
        _unavailable(f"the celery extra is not installed ({exc}); make test installs it")
    home = tmp_path
    (home / "data").mkdir()
    shutil.copy(small_bank, home / "data" / "core_banking.db")
    airflow_home = home / "airflow-celery"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "CUSTOMER_PLANS_HOME": str(home),
        "CELERY_HOME": str(airflow_home),
        "CELERY_DB_URL": metadata_db_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_API_PORT": str(_free_port()),
        "CELERY_WORKER_LOG_PORT": str(_free_port()),
        "CELERY_TRIGGER_LOG_PORT": str(_free_port()),
        "CELERY_RUN_TIMEOUT": "900",
        "CUSTOMER_PLANS_TIMEZONE": night_time_zone(datetime.now(UTC)),
    })
    groups: list[int] = []
    try:
        started = _script("start", env, 300)
        groups = _process_groups(airflow_home)
        assert started.returncode == 0, started.stdout + started.stderr
        ran = _script("run", env, 1200, BUSINESS_DATE)
        assert ran.returncode == 0, ran.stdout + ran.stderr + _logs(airflow_home)
        assert "success" in ran.stdout
        # the night's condition held: tonight's scheduled run was still waiting for its mark
        runs = _script("runs", env, 120)
        assert runs.returncode == 0, runs.stdout + runs.stderr
        waiting = [line for line in runs.stdout.splitlines() if "scheduled__" in line]
        assert waiting and "running" in waiting[0], runs.stdout
    finally:
        stopped = _script("stop", env, 120)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert len(groups) == 5
    assert not [pgid for pgid in groups if _alive(pgid)]

    managers = pd.read_parquet(home / "output" / "staging" / BUSINESS_DATE / "managers.parquet")
    plans = home / "output" / "plans" / BUSINESS_DATE
    for manager_id in managers.loc[managers["status"] == "active", "manager_id"]:
        assert (plans / f"{manager_id}.pdf").read_bytes().startswith(b"%PDF")
    worker_log = (airflow_home / "logs" / "celery-worker.log").read_text(errors="replace")
    assert "render.render_plans" in worker_log


def _logs(home: Path) -> str:
    tails = []
    for log in sorted((home / "logs").glob("*.log")):
        tails.append(f"\n== {log.name}\n" + log.read_text(errors="replace")[-2000:])
    return "".join(tails)
