"""
### Nightly customer plans

After the core banking system closes a business day, build every relationship
manager's plan for the next morning and email it to them.

| stage | what it does |
|---|---|
| `resolve_business_date` | param `business_date`, else the day before (bank time); locks the date |
| `wait_for_eod` | waits until the core system has closed that date; fails clearly at the deadline |
| `extract` | one SQL file per extract, staged as Parquet under `output/staging/<business_date>/` |
| `validate` | Great Expectations suites: a blocking failure stops the run before anything is sent |
| `segment` | tier, familiarity, grid group, MAN, lifecycle and churn risk per customer |
| `assign` | each manager's prioritized contact list, per branch batch |
| `render` | HTML and PDF plans per manager batch, then the branch roll-ups per branch batch |
| `deliver` | plans to managers, roll-ups and pool lists to branch heads (or the outbox) |
| `record` | the audit manifest (inputs, rules, outputs, hashes), chained; unlocks the date |

Plans are for working days (the bank's calendar: weekends, public holidays and make-up
working days): a business date whose run serves no working day (Friday's and Saturday's,
when the core closes every day) extracts, validates, segments and records, and plans,
renders and sends nothing.

Rerun a day: trigger with `{"business_date": "YYYY-MM-DD"}`; every stage replaces
its output for that date, and delivery never sends the same document twice (a message
whose outcome a crash left unknown is resent with the same Message-ID, counted in doubt).
A second run of a date that another run holds fails at once, saying which run holds it.

Trigger parameters: `dry_run` (everything rendered, nothing sent or recorded as sent);
`resend_managers` / `resend_branches` with `requested_by` (send those managers' plans, or
every document of those branches, again; recorded in the ledger as a resend).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, PokeReturnValue, dag, get_current_context, task, task_group
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable
from customer_plans.settings import load_settings
from customer_plans_airflow.context import run_context
from customer_plans_airflow.notifiers import OperatorAlertNotifier

# the settings the DAG's shape needs at parse time (customer_plans.settings is light; a
# value it cannot use is an import error that names the variable)
SETTINGS = load_settings()
TIMEZONE = SETTINGS.timezone
# render tasks running at once (one per free core or Celery worker slot), and the most
# managers one render task takes: few, large tasks, since each pays seconds to start
RENDER_SLOTS = SETTINGS.render_slots
RENDER_BATCH_MANAGERS = 500
ALERT = OperatorAlertNotifier()
# manager and branch ids in trigger parameters
ID_PATTERN = r"^[A-Za-z0-9_.-]{1,32}$"


@dag(
    dag_id="nightly_customer_plans",
    schedule=CronTriggerTimetable("30 1 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    # two: unpausing the DAG creates the run for the latest 01:30, and between then and the
    # deadline that run waits for tonight's end-of-day mark (rescheduled, holding no worker
    # slot); it must not hold up an operator's rerun of an earlier date. Two runs of the same
    # date are refused by the date's run lock.
    max_active_runs=2,
    doc_md=__doc__,
    tags=["customer-plans", "nightly"],
    params={
        "business_date": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Business date to plan from (YYYY-MM-DD). Empty: the day before the run.",
        ),
        "dry_run": Param(
            False, type="boolean",
            description="Render everything, send nothing (the ledger is not written).",
        ),
        "resend_managers": Param(
            [], type="array", items={"type": "string", "pattern": ID_PATTERN},
            description="manager_ids whose plans are sent again for the business date.",
        ),
        "resend_branches": Param(
            [], type="array", items={"type": "string", "pattern": ID_PATTERN},
            description="branch_ids whose documents (plans, roll-up, pool list) are sent again.",
        ),
        "requested_by": Param(
            None, type=["null", "string"], maxLength=100,
            description="Who asks for the resend (recorded in the ledger); required with one.",
        ),
    },
    default_args={
        "owner": "data-platform",
        "retries": 1,
        "retry_delay": timedelta(minutes=2),
        "on_failure_callback": [ALERT],
    },
)
def nightly_customer_plans():
    @task
    def resolve_business_date() -> str:
        from customer_plans.dates import resolve_business_date as resolve

        context = get_current_context()
        dag_run = context["dag_run"]
        business_date = resolve(
            context["params"].get("business_date"),
            getattr(dag_run, "logical_date", None),
            dag_run.run_after,
            TIMEZONE,
        )
        params = context["params"]
        if (params.get("resend_managers") or params.get("resend_branches")) and not (
            params.get("requested_by") or ""
        ).strip():
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(
                "a resend needs requested_by: who asks for it is recorded in the ledger")
        from customer_plans.pipeline import check_words
        from customer_plans.words import CatalogueError

        try:  # a word a plan needs missing from a language's catalogue: fail, no retry
            check_words(run_context(business_date.isoformat()))
        except CatalogueError as exc:
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(str(exc)) from None
        from customer_plans_airflow.runlock import claim_business_date

        claim_business_date(business_date.isoformat())
        served = run_context(business_date.isoformat()).plan_date
        print(f"business date for run {dag_run.run_id}: {business_date}; "
              + (f"plans the working day {served}" if served else "serves no plan date"))
        return business_date.isoformat()

    @task.sensor(poke_interval=300, timeout=timedelta(hours=8), mode="reschedule")
    def wait_for_eod(business_date: str) -> PokeReturnValue:
        from airflow.sdk.exceptions import AirflowFailException
        from customer_plans.dates import eod_deadline
        from customer_plans.pipeline import is_closed

        ctx = run_context(business_date)
        if is_closed(ctx):
            return PokeReturnValue(is_done=True)
        timezone = ctx.settings.timezone
        deadline = eod_deadline(ctx.business_date, ctx.settings.eod_deadline, timezone)
        if pendulum.now(timezone) >= deadline:
            raise AirflowFailException(
                f"business date {business_date} not closed by "
                f"{ctx.settings.eod_deadline:%H:%M} ({timezone}): the core system's "
                "end-of-day mark is missing"
            )
        return PokeReturnValue(is_done=False)

    @task_group
    def extract(business_date: str, closed):
        @task
        def list_extracts() -> list[str]:
            from customer_plans.pipeline import extract_names

            return extract_names()

        @task(
            pool="core_banking",
            retries=3,
            retry_delay=timedelta(seconds=30),
            retry_exponential_backoff=2.0,
            map_index_template="{{ extract_name }}",
        )
        def extract_table(extract_name: str, business_date: str) -> dict:
            from airflow.sdk.exceptions import AirflowFailException
            from customer_plans.extract import BusinessDateNotClosedError, SourceSchemaError
            from customer_plans.pipeline import extract as run

            get_current_context()["extract_name"] = extract_name
            try:
                return run(run_context(business_date), extract_name)
            except (BusinessDateNotClosedError, SourceSchemaError) as exc:
                # a retry cannot fix these: fail at once, with the message
                raise AirflowFailException(str(exc)) from None

        names = list_extracts()
        closed >> names
        return extract_table.partial(business_date=business_date).expand(extract_name=names)

    @task(retries=0)
    def validate_extracts(business_date: str, extracts: list[dict]) -> dict:
        from airflow.sdk.exceptions import AirflowFailException
        from customer_plans.pipeline import validate
        from customer_plans.quality import DataQualityError

        try:
            return validate(run_context(business_date))
        except DataQualityError as exc:
            raise AirflowFailException(str(exc)) from None

    @task
    def segment_customers(business_date: str, quality: dict) -> dict:
        from customer_plans.pipeline import segment

        return segment(run_context(business_date))

    @task_group
    def assign(business_date: str, segments: dict):
        @task
        def plan_branch_batches(business_date: str, segments: dict) -> list[list[str]]:
            from customer_plans.pipeline import branch_batches

            return branch_batches(run_context(business_date), n_batches=8)

        @task(max_active_tis_per_dagrun=2, map_index_template="{{ branch_label }}")
        def assign_contacts(branch_ids: list[str], business_date: str) -> dict:
            from customer_plans.pipeline import assign as run

            get_current_context()["branch_label"] = f"{branch_ids[0]}..{branch_ids[-1]}"
            return run(run_context(business_date), branch_ids)

        batches = plan_branch_batches(business_date, segments)
        return assign_contacts.partial(business_date=business_date).expand(branch_ids=batches)

    @task_group
    def render(business_date: str, assignments):
        @task
        def plan_manager_batches(business_date: str, assignments: list[dict]) -> list[list[str]]:
            from customer_plans.pipeline import manager_batches

            return manager_batches(
                run_context(business_date), batch_size=RENDER_BATCH_MANAGERS,
                min_batches=RENDER_SLOTS,
            )

        @task(max_active_tis_per_dagrun=RENDER_SLOTS, map_index_template="{{ manager_label }}")
        def render_plans(manager_ids: list[str], business_date: str) -> dict:
            from customer_plans.pipeline import render as run

            get_current_context()["manager_label"] = f"{manager_ids[0]}..{manager_ids[-1]}"
            return run(run_context(business_date), manager_ids)

        @task
        def plan_rollup_batches(business_date: str) -> list[list[str]]:
            from customer_plans.pipeline import rollup_batches

            return rollup_batches(run_context(business_date), n_batches=RENDER_SLOTS)

        @task(max_active_tis_per_dagrun=RENDER_SLOTS, map_index_template="{{ branch_label }}")
        def render_branch_rollups(branch_ids: list[str], business_date: str) -> dict:
            from customer_plans.pipeline import render_rollups

            get_current_context()["branch_label"] = f"{branch_ids[0]}..{branch_ids[-1]}"
            return render_rollups(run_context(business_date), branch_ids)

        batches = plan_manager_batches(business_date, assignments)
        plans = render_plans.partial(business_date=business_date).expand(manager_ids=batches)
        # the roll-ups after the managers' plans, not beside them: on RENDER_SLOTS cores a
        # third process would slow every plan task down, and the plans come first
        rollup_batches = plan_rollup_batches(business_date)
        plans >> rollup_batches
        render_branch_rollups.partial(business_date=business_date).expand(
            branch_ids=rollup_batches
        )

    # none_failed: a business date that serves no plan date (Friday's, when the core closes
    # every day) has no render work to map, so those tasks are skipped; delivery and the
    # audit record still run and say so
    @task(retries=3, retry_delay=timedelta(minutes=1), retry_exponential_backoff=2.0,
          trigger_rule="none_failed")
    def send_plans(business_date: str) -> dict:
        from customer_plans.alerts import delivery_notice
        from customer_plans.deliver import Resend
        from customer_plans.pipeline import deliver
        from customer_plans_airflow.delivery import smtp_settings
        from customer_plans_airflow.notifiers import send_to_operators
        from customer_plans_airflow.runlock import fence_for

        context = get_current_context()
        params, dag_run = context["params"], context["dag_run"]
        ctx = run_context(business_date)
        smtp = smtp_settings()
        if ctx.settings.delivery_mode != "smtp" and smtp is not None:
            print("the smtp_plans connection is defined but the delivery mode is outbox "
                  "(CUSTOMER_PLANS_DELIVERY): nothing is mailed")
        resend = None
        if params.get("resend_managers") or params.get("resend_branches"):
            resend = Resend(str(params["requested_by"]).strip(),
                            tuple(params.get("resend_managers") or ()),
                            tuple(params.get("resend_branches") or ()))
        result = deliver(ctx, smtp if ctx.settings.delivery_mode == "smtp" else None,
                         dry_run=bool(params.get("dry_run")), resend=resend,
                         run_id=dag_run.run_id, fence=fence_for(business_date))
        notice = delivery_notice(dag_run.dag_id, dag_run.run_id, business_date, result)
        if notice:
            send_to_operators(*notice, log=ALERT.log)
        return result

    @task(trigger_rule="none_failed")
    def record_run(business_date: str, delivery: dict) -> dict:
        from customer_plans.pipeline import record

        context = get_current_context()
        dag_run = context["dag_run"]
        run_info = {
            "dag_id": dag_run.dag_id,
            "run_id": dag_run.run_id,
            "run_type": str(getattr(dag_run, "run_type", "")),
            "trigger": "airflow",
            "dry_run": bool(context["params"].get("dry_run")),
        }
        from customer_plans_airflow.runlock import release_business_date

        recorded = record(run_context(business_date), run_info)
        release_business_date(business_date)
        return recorded

    business_date = resolve_business_date()
    extracts = extract(business_date, wait_for_eod(business_date))
    quality = validate_extracts(business_date, extracts)
    segments = segment_customers(business_date, quality)
    assignments = assign(business_date, segments)
    rendered = render(business_date, assignments)
    delivery = send_plans(business_date)
    rendered >> delivery
    record_run(business_date, delivery)


nightly_customer_plans()
