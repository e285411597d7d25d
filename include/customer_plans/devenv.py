"""The development and test environment for Airflow, from one place.

``airflow_environment()`` returns the variables that make a project-local Airflow
(``.airflow/``, SQLite, this project's DAGs and plugins) and the ``AIRFLOW_CONN_*``
connections pointing at the embedded databases. The Makefile evaluates
``python -m customer_plans.devenv`` (shell ``export`` lines); tests call the function.
Production sets the same names in its deployment instead (see docker-compose.yaml).
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from customer_plans.settings import PROJECT_ROOT, load_settings


def _sqlite_conn(url: str) -> str | None:
    if url.startswith("sqlite:///"):
        return json.dumps({"conn_type": "sqlite", "host": url.removeprefix("sqlite:///")})
    return None


def airflow_environment(
    airflow_home: Path | None = None, env: dict[str, str] | None = None
) -> dict[str, str]:
    """Environment variables for a project-local Airflow on the embedded databases."""
    settings = load_settings(env)
    home = airflow_home or PROJECT_ROOT / ".airflow"
    result = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "30",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin,auditor:viewer",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "CUSTOMER_PLANS_OUTPUT_DIR": str(settings.output_dir),
        "CUSTOMER_PLANS_TIMEZONE": settings.timezone,
        "CUSTOMER_PLANS_LOCALE": settings.locale,
    }
    for conn_id, url in (("CORE_BANKING", settings.core_banking_url),
                         ("PLANS_DB", settings.plans_db_url)):
        value = _sqlite_conn(url) or json.dumps({"conn_type": "generic",
                                                 "extra": {"sqlalchemy_url": url}})
        result[f"AIRFLOW_CONN_{conn_id}"] = value
    if env and env.get("CUSTOMER_PLANS_HOME"):
        result["CUSTOMER_PLANS_HOME"] = env["CUSTOMER_PLANS_HOME"]
    return result


def main() -> None:
    for name, value in airflow_environment().items():
        sys.stdout.write(f"export {name}={shlex.quote(value)}\n")


if __name__ == "__main__":
    main()
