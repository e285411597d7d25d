"""One run per business date: the run lock, its takeover of dead holders, the CLI and Airflow."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from customer_plans.runlock import (
    DateLockedError,
    Holder,
    LockLostError,
    acquire,
    airflow_holder,
    check_held,
    cli_holder,
    current_holder,
    force_unlock,
    pid_exists,
    release,
)

from tests.airflow_helpers import airflow_env, run

DAY = date(2026, 11, 20)
DAG_ID = "nightly_customer_plans"
CLI = str(Path(sys.executable).parent / "customer-plans")


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'plans.db'}"


@pytest.fixture
def other_run():
    """A command-line holder on this host whose process is alive for the whole test."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    host = socket.gethostname()
    yield Holder("cli", f"cli:{host}:{process.pid}", host, process.pid)
    process.kill()
    process.wait()


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(done.stdout)
    assert not pid_exists(pid), "the process has exited and been reaped"
    return pid


def dead_cli_holder() -> Holder:
    host = socket.gethostname()
    pid = dead_pid()
    return Holder("cli", f"cli:{host}:{pid}", host, pid)


# --------------------------------------------------------------------------- the lock


def test_a_second_run_of_the_date_is_refused_with_who_holds_it_and_how_to_free_it(
    url, other_run
):
    assert acquire(url, DAY, other_run) is None
    with pytest.raises(DateLockedError) as refused:
        acquire(url, DAY, cli_holder())
    message = str(refused.value)
    assert isinstance(refused.value, RuntimeError)
    assert refused.value.holder == other_run
    assert "2026-11-20" in message
    assert other_run.holder_id in message and f"pid {other_run.pid}" in message
    assert "UTC" in message
    assert "customer-plans unlock --business-date 2026-11-20" in message
    assert "\n" not in message, "one paragraph"
    assert current_holder(url, DAY) == other_run


def test_the_holder_acquiring_again_gets_its_date_back(url):
    me = cli_holder()
    assert acquire(url, DAY, me) is None
    first = current_holder(url, DAY)
    assert acquire(url, DAY, me) is None
    assert current_holder(url, DAY).acquired_at == first.acquired_at
    assert acquire(url, date(2026, 11, 21), me) is None, "another date is another lock"


def test_the_lock_of_a_killed_cli_run_on_this_host_is_taken_over(url, caplog):
    dead = dead_cli_holder()
    acquire(url, DAY, dead)
    me = cli_holder()
    with caplog.at_level(logging.WARNING, logger="customer_plans.runlock"):
        stale = acquire(url, DAY, me)
    assert stale == dead
    assert current_holder(url, DAY) == me
    assert any("took over the stale run lock" in r.getMessage() and dead.holder_id
               in r.getMessage() for r in caplog.records)


def test_a_cli_run_on_another_host_cannot_be_judged_and_keeps_the_date(url):
    # a pid that is dead here says nothing about a process on another host
    pid = dead_pid()
    elsewhere = Holder("cli", f"cli:other-host:{pid}", "other-host", pid)
    acquire(url, DAY, elsewhere)
    with pytest.raises(DateLockedError, match="other-host"):
        acquire(url, DAY, cli_holder())
    assert current_holder(url, DAY) == elsewhere


@pytest.mark.parametrize("alive", [False, True])
def test_an_airflow_holder_is_judged_by_is_alive(url, alive):
    old = airflow_holder(DAG_ID, "scheduled__2026-11-21T01:30:00+08:00")
    new = airflow_holder(DAG_ID, "manual__2026-11-21T08:00:00+00:00")
    acquire(url, DAY, old)
    asked = []

    def is_alive(holder):
        asked.append(holder)
        return alive

    if alive:
        with pytest.raises(DateLockedError) as refused:
            acquire(url, DAY, new, is_alive=is_alive)
        message = str(refused.value)
        assert old.run_id in message and DAG_ID in message
        assert "mark that run failed in the Airflow UI" in message
        assert "customer-plans unlock --business-date 2026-11-20" in message
        assert current_holder(url, DAY) == old
    else:
        assert acquire(url, DAY, new, is_alive=is_alive) == old
        assert current_holder(url, DAY) == new
    assert asked == [old]


def test_an_airflow_holder_without_a_judge_counts_as_alive(url):
    acquire(url, DAY, airflow_holder(DAG_ID, "run-1"))
    with pytest.raises(DateLockedError, match="run-1"):
        acquire(url, DAY, cli_holder())


def test_release_frees_only_the_holders_own_date(url, other_run):
    acquire(url, DAY, other_run)
    assert release(url, DAY, cli_holder()) is False
    assert current_holder(url, DAY) == other_run
    assert release(url, DAY, other_run) is True
    assert current_holder(url, DAY) is None
    assert release(url, DAY, other_run) is False


def test_check_held_fences_a_run_whose_lock_was_taken_over(url):
    dead = dead_cli_holder()
    acquire(url, DAY, dead)
    check_held(url, DAY, dead)
    me = cli_holder()
    acquire(url, DAY, me)
    check_held(url, DAY, me)
    with pytest.raises(LockLostError) as lost:
        check_held(url, DAY, dead)
    assert isinstance(lost.value, RuntimeError)
    assert dead.holder_id in str(lost.value) and me.holder_id in str(lost.value)
    force_unlock(url, DAY)
    with pytest.raises(LockLostError, match="customer-plans unlock"):
        check_held(url, DAY, me)


def test_force_unlock_frees_the_date_whoever_holds_it(url, other_run):
    assert force_unlock(url, DAY) is None
    acquire(url, DAY, other_run)
    removed = force_unlock(url, DAY)
    assert removed == other_run and removed.acquired_at is not None
    assert current_holder(url, DAY) is None
    assert acquire(url, DAY, cli_holder()) is None


def test_the_lock_works_on_a_given_engine_and_a_date_as_text(url):
    from customer_plans.db import make_engine

    engine = make_engine(url)
    try:
        me = cli_holder()
        assert acquire(engine, "2026-11-20", me) is None
        assert current_holder(engine, DAY) == me
        assert release(engine, DAY, me)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- races

RACERS = 4


def _race(url: str, day: str, start, done, results) -> None:
    from customer_plans.runlock import DateLockedError, acquire, cli_holder

    holder = cli_holder()
    start.wait(timeout=120)
    try:
        stale = acquire(url, day, holder)
        results.put(("won", holder.holder_id, stale.holder_id if stale else None))
    except DateLockedError as exc:
        results.put(("refused", holder.holder_id, exc.holder.holder_id))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        results.put(("error", holder.holder_id, repr(exc)))
    # the winner stays alive until every racer has decided, or a loser could find it dead
    done.wait(timeout=120)


def race(url: str, stale: Holder | None) -> None:
    if stale is not None:
        acquire(url, DAY, stale)
    else:
        current_holder(url, DAY)  # the table exists before the race: only the row is raced
    ctx = multiprocessing.get_context("spawn")
    start, done, results = ctx.Barrier(RACERS), ctx.Barrier(RACERS), ctx.Queue()
    processes = [ctx.Process(target=_race, args=(url, DAY.isoformat(), start, done, results))
                 for _ in range(RACERS)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert [o for o in outcomes if o[0] == "error"] == []
    winners = [o for o in outcomes if o[0] == "won"]
    assert len(winners) == 1, outcomes
    _, winner, taken_from = winners[0]
    assert taken_from == (stale.holder_id if stale else None)
    assert all(o[2] == winner for o in outcomes if o[0] == "refused"), outcomes
    assert current_holder(url, DAY).holder_id == winner


@pytest.mark.parametrize("lock", ["free", "stale"])
def test_of_runs_racing_for_a_date_exactly_one_wins_on_sqlite(url, lock):
    race(url, dead_cli_holder() if lock == "stale" else None)


def test_of_runs_racing_to_create_the_table_exactly_one_wins_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    ctx = multiprocessing.get_context("spawn")
    start, done, results = ctx.Barrier(RACERS), ctx.Barrier(RACERS), ctx.Queue()
    processes = [ctx.Process(target=_race, args=(url, DAY.isoformat(), start, done, results))
                 for _ in range(RACERS)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert sorted(o[0] for o in outcomes) == ["refused"] * (RACERS - 1) + ["won"], outcomes


@pytest.mark.postgres
@pytest.mark.parametrize("lock", ["free", "stale"])
def test_of_runs_racing_for_a_date_exactly_one_wins_on_postgresql(pg_schema_url, lock):
    race(pg_schema_url, dead_cli_holder() if lock == "stale" else None)


@pytest.mark.postgres
def test_the_lock_on_postgresql(pg_schema_url, other_run):
    acquire(pg_schema_url, DAY, other_run)
    with pytest.raises(DateLockedError, match="customer-plans unlock --business-date 2026-11-20"):
        acquire(pg_schema_url, DAY, cli_holder())
    assert current_holder(pg_schema_url, DAY).acquired_at.tzname() == "UTC"
    assert force_unlock(pg_schema_url, DAY) == other_run
    dead = dead_cli_holder()
    acquire(pg_schema_url, DAY, dead)
    me = cli_holder()
    assert acquire(pg_schema_url, DAY, me) == dead
    with pytest.raises(LockLostError):
        check_held(pg_schema_url, DAY, dead)
    assert release(pg_schema_url, DAY, me)


# --------------------------------------------------------------------------- the CLI


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PLANS_DB_URL", "CORE_BANKING_URL", "CUSTOMER_PLANS_OUTPUT_DIR")}
    env["CUSTOMER_PLANS_HOME"] = str(home)
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def test_customer_plans_unlock_says_who_held_the_date(tmp_path, other_run):
    home_url = f"sqlite:///{tmp_path / 'data' / 'plans.db'}"
    acquire(home_url, DAY, other_run)
    done = _cli(tmp_path, "unlock", "--business-date", "2026-11-20")
    assert done.returncode == 0, done.stderr
    assert "business date 2026-11-20 unlocked" in done.stdout
    assert other_run.holder_id in done.stdout
    assert f"process {other_run.pid}" in done.stdout, "warns that the holder still runs"
    assert current_holder(home_url, DAY) is None
    again = _cli(tmp_path, "unlock", "--business-date", "2026-11-20")
    assert again.returncode == 0, again.stderr
    assert "business date 2026-11-20 was not locked" in again.stdout


def test_customer_plans_run_is_refused_while_another_process_holds_the_date(
    tmp_path, other_run
):
    home_url = f"sqlite:///{tmp_path / 'data' / 'plans.db'}"
    acquire(home_url, DAY, other_run)
    done = _cli(tmp_path, "run", "--business-date", "2026-11-20")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "business date 2026-11-20 is already being run by" in done.stderr.lower()
    assert other_run.holder_id in done.stderr
    assert "customer-plans unlock --business-date 2026-11-20" in done.stderr
    assert current_holder(home_url, DAY) == other_run, "the refused run leaves the lock alone"


# --------------------------------------------------------------------------- Airflow

AIRFLOW_TASKS = """
import json, sys
from types import SimpleNamespace

import airflow.sdk
from airflow.sdk.exceptions import AirflowFailException, AirflowRuntimeError, ErrorType
from airflow.sdk.execution_time import task_runner
from airflow.sdk.execution_time.comms import DagRunStateResult, ErrorResponse, GetDagRunState

from customer_plans.runlock import airflow_holder
from customer_plans_airflow import runlock

states = {}  # run_id -> state; a run_id left out is a run the API server does not know


class Comms:
    # the task's channel to its supervisor, which asks the API server: what a task sees
    def send(self, msg):
        assert isinstance(msg, GetDagRunState), msg
        if msg.run_id not in states:
            raise AirflowRuntimeError(ErrorResponse(
                error=ErrorType.API_SERVER_ERROR,
                detail={"status_code": 404, "message": "Not Found", "detail": {}}))
        return DagRunStateResult(state=states[msg.run_id])


task_runner.SUPERVISOR_COMMS = Comms()
current = {}
airflow.sdk.get_current_context = lambda: {"dag_run": SimpleNamespace(**current)}


def as_run(run_id):
    current.update(dag_id="nightly_customer_plans", run_id=run_id)


def attempt(call, *args):
    try:
        return call(*args)
    except AirflowFailException as exc:
        return "failed: " + str(exc)


out = {}
for state in ("queued", "running", "success", "failed"):
    states["r"] = state
    out["alive_" + state] = runlock.dag_run_alive(airflow_holder("nightly_customer_plans", "r"))
out["alive_missing"] = runlock.dag_run_alive(airflow_holder("nightly_customer_plans", "gone"))

day = sys.argv[1]
states.update(first="running", second="queued")
as_run("first")
out["first_claims"] = attempt(runlock.claim_business_date, day)
out["first_claims_again"] = attempt(runlock.claim_business_date, day)
as_run("second")
out["second_while_first_runs"] = attempt(runlock.claim_business_date, day)
states["first"] = "failed"
out["second_after_first_failed"] = attempt(runlock.claim_business_date, day)
out["second_checks"] = attempt(runlock.check_business_date, day)
as_run("first")
fence = runlock.fence_for(day)
as_run("second")
out["first_fence"] = attempt(fence)
as_run("first")
out["first_checks"] = attempt(runlock.check_business_date, day)
out["first_releases"] = attempt(runlock.release_business_date, day)
as_run("second")
out["second_releases"] = attempt(runlock.release_business_date, day)
print("RESULT", json.dumps(out))
"""


def test_airflow_runs_claim_check_and_release_the_date(tmp_path):
    env = airflow_env(tmp_path / "airflow", tmp_path)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "plugins")
    done = run([sys.executable, "-c", AIRFLOW_TASKS, DAY.isoformat()], env, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line.removeprefix("RESULT "))
    assert (out["alive_queued"], out["alive_running"]) == (True, True)
    assert (out["alive_success"], out["alive_failed"], out["alive_missing"]) == (False,) * 3
    assert out["first_claims"] is None and out["first_claims_again"] is None
    refused = out["second_while_first_runs"]
    assert refused.startswith("failed: Business date 2026-11-20 is already being run by")
    assert "run first of DAG nightly_customer_plans" in refused
    assert "mark that run failed in the Airflow UI" in refused
    assert out["second_after_first_failed"] is None
    assert out["second_checks"] is None
    assert out["first_checks"].startswith("failed: Business date 2026-11-20 is no longer held")
    assert out["first_fence"] == out["first_checks"], "the fence keeps the holder it was made for"
    assert out["first_releases"] is False, "a run never frees the run that took its date"
    assert out["second_releases"] is True
    assert current_holder(f"sqlite:///{tmp_path / 'data' / 'plans.db'}", DAY) is None
