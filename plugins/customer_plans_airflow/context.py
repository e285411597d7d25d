"""The package's view of a run inside an Airflow task."""

from __future__ import annotations


def run_context(business_date: str):
    """A ``customer_plans.pipeline.RunContext`` for the business date, with database URLs
    from the ``core_banking`` and ``plans_db`` Airflow connections (embedded defaults
    when those are not defined)."""
    from dataclasses import replace
    from datetime import date

    from customer_plans.pipeline import RunContext
    from customer_plans.settings import load_settings

    from customer_plans_airflow.connections import database_url

    settings = load_settings()
    settings = replace(
        settings,
        core_banking_url=database_url("core_banking", settings.core_banking_url),
        plans_db_url=database_url("plans_db", settings.plans_db_url),
    )
    return RunContext(date.fromisoformat(business_date), settings)
