"""The DAG file: imports cleanly and fast, stays wiring only, and keeps its shape."""

from __future__ import annotations

import json
import sys

import pytest

from tests.airflow_helpers import airflow_env, migrate, run

# (SQLAlchemy is not listed: Airflow itself loads it)
HEAVY = ["great_expectations", "weasyprint", "pandas", "scipy", "pyarrow", "customer_plans.quality"]

PARSE = """
import json, sys, time
start = time.perf_counter()

def check_params(dag):
    # what the trigger form accepts and refuses (the same JSON schema validation)
    from airflow.sdk.definitions.param import ParamsDict
    cases = {
        "dry run": {"dry_run": True},
        "resend": {"resend_managers": ["M00001"], "requested_by": "ops.lee"},
        "resend of a branch": {"resend_branches": ["BR001"], "requested_by": "ops.lee"},
        "an id with a line break": {"resend_managers": ["M1\\nBcc: x"]},
        "an id with a space": {"resend_branches": ["BR 1"]},
        "dry run as text": {"dry_run": "yes"},
    }
    out = {}
    for name, conf in cases.items():
        params = ParamsDict(dict(dag.params.items()))
        try:
            params.update(conf)
            params.validate()
            out[name] = "accepted"
        except Exception:
            out[name] = "refused"
    return out

from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags.get("nightly_customer_plans")
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "dag_ids": sorted(bag.dags),
    "parse_seconds": bag.dagbag_stats[0].duration.total_seconds() if bag.dagbag_stats else None,
    "heavy_loaded": [m for m in json.loads(sys.argv[2]) if m in sys.modules],
    "edges": sorted([t.task_id, d] for t in dag.tasks for d in sorted(t.downstream_task_ids)),
    "catchup": dag.catchup,
    "timetable": type(dag.timetable).__name__,
    "timezone": str(dag.timezone),
    "params": sorted(dag.params.keys()),
    "failure_callbacks": [len(t.on_failure_callback or []) for t in dag.tasks],
    "max_active_runs": dag.max_active_runs,
    "param_checks": check_params(dag),
}))
"""


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow-parse")
    env = airflow_env(home / "airflow", home)
    migrate(env)
    from customer_plans.settings import PROJECT_ROOT

    done = run([sys.executable, "-c", PARSE, str(PROJECT_ROOT / "dags"), json.dumps(HEAVY)], env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_dag_imports_without_errors(parsed):
    assert parsed["errors"] == {}
    assert parsed["dag_ids"] == ["nightly_customer_plans"]
    print(f"DAG file parsed in {parsed['parse_seconds']} s")


def test_dag_file_imports_nothing_heavy(parsed):
    # heavy libraries are imported inside the tasks, never when the scheduler parses the file
    assert parsed["heavy_loaded"] == []


def test_schedule_is_daily_in_the_bank_time_zone_without_catchup(parsed):
    assert parsed["timetable"] == "CronTriggerTimetable"
    assert parsed["catchup"] is False
    assert "business_date" in parsed["params"]


def test_tonights_run_waiting_for_its_mark_does_not_hold_up_a_rerun(parsed):
    assert parsed["max_active_runs"] == 2


def test_the_trigger_form_takes_a_dry_run_and_resends_of_valid_ids_only(parsed):
    assert {"dry_run", "resend_managers", "resend_branches", "requested_by"} <= set(
        parsed["params"])
    assert parsed["param_checks"] == {
        "dry run": "accepted", "resend": "accepted", "resend of a branch": "accepted",
        "an id with a line break": "refused", "an id with a space": "refused",
        "dry run as text": "refused"}


def test_every_task_alerts_the_operators_on_failure(parsed):
    assert all(n >= 1 for n in parsed["failure_callbacks"])


def test_pipeline_graph_matches_snapshot(parsed):
    """A rewiring of the nightly flow must be deliberate: update the snapshot with it."""
    expected = [
        ["assign.assign_contacts", "render.plan_manager_batches"],
        ["assign.plan_branch_batches", "assign.assign_contacts"],
        ["extract.extract_table", "validate_extracts"],
        ["extract.list_extracts", "extract.extract_table"],
        ["render.plan_manager_batches", "render.render_plans"],
        ["render.plan_rollup_batches", "render.render_branch_rollups"],
        ["render.render_branch_rollups", "send_plans"],
        ["render.render_plans", "render.plan_rollup_batches"],
        ["resolve_business_date", "assign.assign_contacts"],
        ["resolve_business_date", "assign.plan_branch_batches"],
        ["resolve_business_date", "extract.extract_table"],
        ["resolve_business_date", "record_run"],
        ["resolve_business_date", "render.plan_manager_batches"],
        ["resolve_business_date", "render.plan_rollup_batches"],
        ["resolve_business_date", "render.render_branch_rollups"],
        ["resolve_business_date", "render.render_plans"],
        ["resolve_business_date", "segment_customers"],
        ["resolve_business_date", "send_plans"],
        ["resolve_business_date", "validate_extracts"],
        ["resolve_business_date", "wait_for_eod"],
        ["segment_customers", "assign.plan_branch_batches"],
        ["send_plans", "record_run"],
        ["validate_extracts", "segment_customers"],
        ["wait_for_eod", "extract.list_extracts"],
    ]
    assert parsed["edges"] == expected
