"""One run per business date at a time, whether it is started from the CLI or by Airflow.

A run holds its business date by owning that date's row in ``run_locks`` (plans database,
``include/sql/plans/run_locks.sql``); the table's primary key is the lock, so two runs that
race for a date, or to take over a dead run's row, cannot both get it. A second run of a
held date is refused at once with ``DateLockedError``, whose message says who holds the
date, since when, and how to free it.

A run that was killed leaves its row behind. The next run takes it over when the holder is
known to be dead: a command-line run on this host whose process is gone, or an Airflow run
that the caller's ``is_alive`` reports finished. Anything that cannot be judged (a process
on another host, an Airflow run seen from the CLI) counts as alive, and the operator frees
the date with ``customer-plans unlock --business-date YYYY-MM-DD``.

No Airflow imports here: ``customer_plans_airflow.runlock`` supplies the Airflow holder and
its liveness check.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from customer_plans.db import make_engine, run_script

log = logging.getLogger(__name__)

HolderKind = Literal["cli", "airflow"]
LOCKS_SQL = "plans/run_locks.sql"
# Each lost race re-reads the row and decides again; a handful of rounds is far more than
# two or three runs starting together need, and bounds the loop if the row keeps changing.
_ATTEMPTS = 5

_METADATA = sa.MetaData()
RUN_LOCKS = sa.Table(
    "run_locks",
    _METADATA,
    sa.Column("business_date", sa.Date, primary_key=True),
    sa.Column("holder_kind", sa.String(16), nullable=False),
    sa.Column("holder_id", sa.String(512), nullable=False),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer),
    sa.Column("acquired_at", sa.DateTime, nullable=False),
)


@dataclass(frozen=True)
class Holder:
    """Who holds (or wants) a business date: a CLI process or an Airflow DAG run.

    ``holder_id`` alone identifies the holder: the same id acquiring again is the same run
    (a retried task, a cleared DAG run) and gets the date back.
    """

    kind: HolderKind
    holder_id: str
    host: str
    pid: int | None = None
    # when the row was written (UTC); None for a holder that holds nothing yet
    acquired_at: datetime | None = field(default=None, compare=False)

    @property
    def dag_id(self) -> str | None:
        return self.holder_id.partition("/")[0] if self.kind == "airflow" else None

    @property
    def run_id(self) -> str | None:
        return self.holder_id.partition("/")[2] if self.kind == "airflow" else None

    @property
    def since(self) -> str:
        """When the holder took the date, in words (UTC)."""
        if self.acquired_at is None:
            return "an unknown time"
        return self.acquired_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    @property
    def description(self) -> str:
        """The holder in words, for messages."""
        if self.kind == "cli":
            return f"the command-line run {self.holder_id} (pid {self.pid} on host {self.host})"
        if self.kind == "airflow":
            return (f"Airflow DAG run {self.run_id} of DAG {self.dag_id} "
                    f"(claimed from host {self.host})")
        return f"{self.holder_id} ({self.kind} on host {self.host}, pid {self.pid})"


def cli_holder() -> Holder:
    """The holder for this process, a command-line run."""
    host = socket.gethostname()
    pid = os.getpid()
    return Holder("cli", f"cli:{host}:{pid}", host, pid)


def airflow_holder(dag_id: str, run_id: str) -> Holder:
    """The holder for an Airflow DAG run. No pid: the run outlives the task that claims."""
    # a dag_id never contains "/", so the first one splits the id back into its parts
    return Holder("airflow", f"{dag_id}/{run_id}", socket.gethostname(), None)


class RunLockError(RuntimeError):
    """A business date's run lock stopped this run; the message says what to do."""


class DateLockedError(RunLockError):
    """The business date is held by another run that is (or may be) still going."""

    def __init__(self, business_date: date, holder: Holder):
        self.business_date = business_date
        self.holder = holder
        super().__init__(_locked_message(business_date, holder))

    def __reduce__(self):
        return type(self), (self.business_date, self.holder)


class LockLostError(RunLockError):
    """This run no longer holds its business date: it was unlocked or taken over."""

    def __init__(self, business_date: date, holder: Holder, current: Holder | None):
        self.business_date = business_date
        self.holder = holder
        self.current = current
        super().__init__(_lost_message(business_date, holder, current))

    def __reduce__(self):
        return type(self), (self.business_date, self.holder, self.current)


def unlock_command(business_date: date) -> str:
    return f"customer-plans unlock --business-date {business_date.isoformat()}"


def _locked_message(business_date: date, holder: Holder) -> str:
    unlock = f"`{unlock_command(business_date)}`"
    if holder.kind == "airflow":
        todo = (
            "Wait for that run to finish. If it is stuck or gone, mark that run failed in the "
            "Airflow UI, then rerun: an Airflow rerun takes the date over from a failed run by "
            f"itself, while a command-line run needs the date freed first with {unlock}."
        )
    else:
        todo = (
            "Wait for that run to finish. If it is gone (killed, or its host lost), free the "
            f"date with {unlock}, then start again."
        )
    return (
        f"Business date {business_date.isoformat()} is already being run by "
        f"{holder.description}, which has held it since {holder.since}; a second run of "
        f"the same date is refused. {todo}"
    )


def _lost_message(business_date: date, holder: Holder, current: Holder | None) -> str:
    if current is None:
        now = f"nobody holds it now: it was freed with `{unlock_command(business_date)}`"
    else:
        now = (f"its lock was freed or taken over, and {current.description} has held it "
               f"since {current.since}")
    return (
        f"Business date {business_date.isoformat()} is no longer held by {holder.description}; "
        f"{now}. This run stops here so that two runs never deliver the same date; check what "
        "the other run did, and rerun the date if it is still needed."
    )


# --------------------------------------------------------------------------- liveness


def pid_exists(pid: int) -> bool:
    """True when a process with ``pid`` exists on this host (as far as signals can tell)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        # someone else's process: it exists
        return True
    return True


def holder_alive(holder: Holder, is_alive: Callable[[Holder], bool] | None = None) -> bool:
    """Whether ``holder`` may still be running. Only a holder known to be dead is False."""
    if holder.kind == "cli":
        if holder.host != socket.gethostname() or holder.pid is None or holder.pid <= 0:
            return True
        return pid_exists(holder.pid)
    if holder.kind == "airflow" and is_alive is not None:
        return bool(is_alive(holder))
    return True


# --------------------------------------------------------------------------- the table


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


@contextmanager
def _engine(plans_db: str | Engine) -> Iterator[Engine]:
    if isinstance(plans_db, Engine):
        yield plans_db
        return
    engine = make_engine(plans_db)
    try:
        yield engine
    finally:
        engine.dispose()


def _ensure_table(engine: Engine, attempts: int = 5) -> None:
    for attempt in range(1, attempts + 1):
        try:
            if sa.inspect(engine).has_table("run_locks"):
                return
            run_script(engine, LOCKS_SQL)
            return
        except sa.exc.DBAPIError:
            # Two first uses at once: PostgreSQL can fail one of two concurrent `create table
            # if not exists` on its catalog's unique index; SQLite answers "database is
            # locked" at once, without waiting, to one of two connections switching a new
            # file to WAL. The other made it, or the next attempt does.
            if attempt == attempts:
                if sa.inspect(engine).has_table("run_locks"):
                    return
                raise
            time.sleep(0.1 * attempt)


def _row_holder(row) -> Holder:
    acquired_at = row.acquired_at
    if acquired_at is not None and acquired_at.tzinfo is None:
        acquired_at = acquired_at.replace(tzinfo=UTC)
    return Holder(row.holder_kind, row.holder_id, row.host, row.pid, acquired_at)


def _read(conn: sa.Connection, business_date: date) -> Holder | None:
    row = conn.execute(
        sa.select(RUN_LOCKS).where(RUN_LOCKS.c.business_date == business_date)
    ).first()
    return None if row is None else _row_holder(row)


def _insert(conn: sa.Connection, business_date: date, holder: Holder) -> None:
    # naive UTC: `timestamp` means the same on SQLite and PostgreSQL only without a zone
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    conn.execute(sa.insert(RUN_LOCKS).values(
        business_date=business_date, holder_kind=holder.kind, holder_id=holder.holder_id,
        host=holder.host, pid=holder.pid, acquired_at=now,
    ))


def _delete(conn: sa.Connection, business_date: date, holder_id: str) -> int:
    return conn.execute(sa.delete(RUN_LOCKS).where(
        RUN_LOCKS.c.business_date == business_date, RUN_LOCKS.c.holder_id == holder_id,
    )).rowcount


# --------------------------------------------------------------------------- the API


def current_holder(plans_db: str | Engine, business_date: date | str) -> Holder | None:
    """Who holds the business date now, or None."""
    business_date = _as_date(business_date)
    with _engine(plans_db) as engine:
        _ensure_table(engine)
        with engine.connect() as conn:
            return _read(conn, business_date)


def acquire(
    plans_db: str | Engine,
    business_date: date | str,
    holder: Holder,
    is_alive: Callable[[Holder], bool] | None = None,
) -> Holder | None:
    """Hold the business date for ``holder``, or raise ``DateLockedError``.

    Holding it already (same ``holder_id``) is success. A row left by a holder known to be
    dead (see ``holder_alive``; ``is_alive`` judges Airflow holders) is taken over; the
    stale holder is returned then, None otherwise.
    """
    business_date = _as_date(business_date)
    with _engine(plans_db) as engine:
        _ensure_table(engine)
        current: Holder | None = None
        for _ in range(_ATTEMPTS):
            try:
                with engine.begin() as conn:
                    _insert(conn, business_date, holder)
                return None
            except sa.exc.IntegrityError:
                pass
            with engine.connect() as conn:
                current = _read(conn, business_date)
            if current is None:
                continue  # released between our insert and our read: try again
            if current.holder_id == holder.holder_id:
                return None
            if holder_alive(current, is_alive):
                raise DateLockedError(business_date, current)
            # Delete only the row we judged dead, and insert ours in the same transaction:
            # of two runs taking over at once, the second finds nothing to delete and then
            # the first one's row in the way of its insert.
            try:
                with engine.begin() as conn:
                    took_over = _delete(conn, business_date, current.holder_id) == 1
                    _insert(conn, business_date, holder)
            except sa.exc.IntegrityError:
                continue
            if not took_over:
                return None  # the stale row was freed meanwhile; ours is a plain acquire
            log.warning(
                "business date %s: took over the stale run lock of %s (held since %s) for %s",
                business_date, current.description, current.since, holder.description,
            )
            return current
        # the row kept changing hands under us: whoever holds it now has the date
        with engine.connect() as conn:
            current = _read(conn, business_date) or current
        if current is None or current.holder_id == holder.holder_id:
            raise RunLockError(
                f"Business date {business_date.isoformat()}: could not acquire its run lock "
                f"after {_ATTEMPTS} attempts while other runs kept taking and freeing it; "
                "try again."
            )
        raise DateLockedError(business_date, current)


def release(plans_db: str | Engine, business_date: date | str, holder: Holder) -> bool:
    """Free the business date if ``holder`` holds it; True when a row was deleted.

    Never frees another holder's date: a run whose lock was taken over must not free the
    run that took it.
    """
    business_date = _as_date(business_date)
    with _engine(plans_db) as engine:
        _ensure_table(engine)
        with engine.begin() as conn:
            return _delete(conn, business_date, holder.holder_id) == 1


def check_held(plans_db: str | Engine, business_date: date | str, holder: Holder) -> None:
    """Raise ``LockLostError`` unless ``holder`` still holds the business date.

    The fence right before anything leaves the bank (emails): a run whose lock was freed or
    taken over while it worked stops there.
    """
    business_date = _as_date(business_date)
    current = current_holder(plans_db, business_date)
    if current is None or current.holder_id != holder.holder_id:
        raise LockLostError(business_date, holder, current)


def force_unlock(plans_db: str | Engine, business_date: date | str) -> Holder | None:
    """Free the business date whoever holds it; returns the holder removed, or None."""
    business_date = _as_date(business_date)
    with _engine(plans_db) as engine:
        _ensure_table(engine)
        for _ in range(_ATTEMPTS):
            with engine.begin() as conn:
                current = _read(conn, business_date)
                if current is None:
                    return None
                # by holder_id, so that the holder returned is the one whose row went
                if _delete(conn, business_date, current.holder_id) == 1:
                    return current
        raise RunLockError(
            f"Business date {business_date.isoformat()}: its run lock kept changing hands "
            "while being freed; try again."
        )


@contextmanager
def holding(plans_db: str, business_date: date | str,
            holder: Holder | None = None) -> Iterator[tuple[Holder, Callable[[], None]]]:
    """Hold the date for the ``with`` block (this process by default), released however it
    ends; yields the holder and a fence that raises ``LockLostError`` once it lost the date."""
    holder = holder or cli_holder()
    acquire(plans_db, business_date, holder)
    try:
        yield holder, lambda: check_held(plans_db, business_date, holder)
    finally:
        release(plans_db, business_date, holder)
