"""Every stop of ``customer-plans run`` is one paragraph and a non-zero exit, no traceback
(unless ``--debug``), and leaves the same alert file outside Airflow as a DAG run does."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("customer-plans"))


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUSTOMER_PLANS_HOME": str(home)}
    for name in ("AIRFLOW_CONN_CORE_BANKING", "AIRFLOW_CONN_PLANS_DB", "CUSTOMER_PLANS_OUTPUT_DIR"):
        env.pop(name, None)
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=600,
                          check=False)


@pytest.fixture
def home(small_bank, tmp_path) -> Path:
    """A set-up of its own: a copy of the small bank as its core system."""
    (tmp_path / "data").mkdir()
    shutil.copy(small_bank, tmp_path / "data" / "core_banking.db")
    return tmp_path


def _alerts(home: Path) -> list[Path]:
    return sorted((home / "output" / "alerts").glob("*.txt"))


def test_a_day_the_core_system_has_not_closed_is_one_paragraph_and_an_alert(home):
    done = run_cli(home, "run", "--business-date", "2026-11-25")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("customer-plans run: the core banking system has not closed "
                           "business date 2026-11-25")
    (alert,) = _alerts(home)
    assert "customer-plans run failed (2026-11-25)" in alert.read_text(encoding="utf-8")
    assert str(alert) in line


def test_a_source_table_that_lost_a_column_is_one_paragraph(home, business_date):
    bank = sqlite3.connect(home / "data" / "core_banking.db")
    bank.execute("alter table customers drop column risk_profile")
    bank.commit()
    bank.close()
    done = run_cli(home, "run", "--business-date", business_date.isoformat())
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "customers" in line and "risk_profile" in line
    assert len(_alerts(home)) == 1


def test_debug_shows_the_traceback(home):
    done = run_cli(home, "run", "--business-date", "2026-11-25", "--debug")
    assert done.returncode != 0
    assert "Traceback" in done.stderr


def test_bytes_that_are_not_utf8_are_named_by_table_column_and_key(home, business_date):
    bank = sqlite3.connect(home / "data" / "core_banking.db")
    (customer,) = bank.execute("select customer_id from customers order by customer_id "
                               "limit 1").fetchone()
    bank.execute("update customers set customer_name = cast(x'e78e8bff41' as text) "
                 "where customer_id = ?", (customer,))
    bank.commit()
    bank.close()
    done = run_cli(home, "run", "--business-date", business_date.isoformat())
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "not reachable" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "not valid UTF-8 in customers.customer_name: 1 row" in line
    assert f"e.g. customer_id {customer}" in line
    assert "王" not in line  # the text itself (a name) is never quoted
