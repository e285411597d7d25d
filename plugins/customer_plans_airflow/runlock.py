"""The business date's run lock (``customer_plans.runlock``) from inside a DAG run's tasks.

A DAG run holds its date as the holder ``<dag_id>/<run_id>``: a retried task or a cleared
run is the same holder and gets the date back. A run that is no longer queued or running
(failed, succeeded, deleted) is dead, so the next run of the date takes its lock over; a
command-line run that holds the date is judged by its pid when on the worker's host, and
otherwise refuses the DAG run until it ends or is unlocked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from customer_plans.runlock import Holder

log = logging.getLogger(__name__)

# the DagRunState values of a run that may still write or deliver
LIVE_STATES = frozenset({"queued", "running"})


def dag_run_alive(holder: Holder) -> bool:
    """Whether the Airflow DAG run holding a date may still be going.

    Asks the API server through the running task's supervisor, so it works only inside a
    task. A run that is missing (deleted) is dead; a run whose state cannot be had (the API
    server unreachable) counts as alive: the lock then refuses rather than guesses.
    """
    from airflow.sdk.exceptions import AirflowRuntimeError
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    if holder.kind != "airflow":
        return True
    try:
        state = RuntimeTaskInstance.get_dagrun_state(dag_id=holder.dag_id, run_id=holder.run_id)
    except AirflowRuntimeError as exc:
        # the supervisor turns the API's 404 for an unknown run into this error
        detail = exc.error.detail or {}
        if detail.get("status_code") == 404:
            return False
        log.warning("cannot tell whether DAG run %s is alive (%s): treating it as alive",
                    holder.holder_id, exc)
        return True
    # a DagRunState enum over the supervisor channel; plain text from simpler callers
    return str(getattr(state, "value", state)).lower() in LIVE_STATES


def current_holder() -> Holder:
    """The holder for the DAG run of the task that calls this."""
    from airflow.sdk import get_current_context
    from customer_plans.runlock import airflow_holder

    dag_run = get_current_context()["dag_run"]
    return airflow_holder(dag_run.dag_id, dag_run.run_id)


def _plans_db_url(business_date: str) -> str:
    from customer_plans_airflow.context import run_context

    return run_context(business_date).settings.plans_db_url


def claim_business_date(business_date: str) -> None:
    """Hold the business date for this DAG run, or fail the task at once (no retries).

    Takes over the lock of a dead run (failed or deleted DAG run, killed CLI process on
    this host); a live holder fails the task with the lock's message, which says who holds
    the date and how to free it.
    """
    from airflow.sdk.exceptions import AirflowFailException
    from customer_plans.runlock import DateLockedError, acquire

    holder = current_holder()
    try:
        stale = acquire(_plans_db_url(business_date), business_date, holder,
                        is_alive=dag_run_alive)
    except DateLockedError as exc:
        # a retry minutes later would only race the live holder again
        raise AirflowFailException(str(exc)) from None
    if stale is not None:
        print(f"business date {business_date}: took over the stale run lock of "
              f"{stale.description}, held since {stale.since}")
    print(f"business date {business_date} held by {holder.description}")


def check_business_date(business_date: str) -> None:
    """Fail the task at once unless this DAG run still holds the business date.

    The fence right before delivery: a run whose lock was freed (``customer-plans unlock``)
    or taken over while it worked must not email plans.
    """
    fence_for(business_date)()


def fence_for(business_date: str) -> Callable[[], None]:
    """The ``fence`` for ``customer_plans.pipeline.deliver``: a callable that fails the task
    at once (``AirflowFailException``, no retries) unless this DAG run still holds the date.

    Call this inside the task: the holder is taken from the task's context here, so the
    fence itself may be called from anywhere afterwards.
    """
    from airflow.sdk.exceptions import AirflowFailException
    from customer_plans.runlock import LockLostError, check_held

    holder = current_holder()
    url = _plans_db_url(business_date)

    def fence() -> None:
        try:
            check_held(url, business_date, holder)
        except LockLostError as exc:
            raise AirflowFailException(str(exc)) from None

    return fence


def release_business_date(business_date: str) -> bool:
    """Free the business date if this DAG run holds it; True when it did.

    Never frees a date another run holds, so it is safe in a teardown that runs whether
    or not this run got the date.
    """
    from customer_plans.runlock import release

    holder = current_holder()
    released = release(_plans_db_url(business_date), business_date, holder)
    print(f"business date {business_date} "
          + ("released" if released else f"was not held by {holder.description}"))
    return released
