"""Environment switching: embedded defaults, overrides, and Airflow connections to URLs."""

import json
from pathlib import Path

import pytest
from customer_plans.devenv import airflow_environment
from customer_plans.settings import PROJECT_ROOT, load_settings, url_from_connection


def test_embedded_defaults_are_sqlite_files_in_the_project():
    settings = load_settings({})
    assert settings.core_banking_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'core_banking.db'}"
    assert settings.plans_db_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'plans.db'}"
    assert settings.output_dir == PROJECT_ROOT / "output"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.locale == "zh_CN"


def test_the_banks_locale_is_a_setting_and_an_unknown_one_is_refused():
    assert load_settings({"CUSTOMER_PLANS_LOCALE": "en"}).locale == "en"
    with pytest.raises(ValueError, match="CUSTOMER_PLANS_LOCALE is 'fr_FR'; the bank's locale "
                                         "must be one of zh_CN, en"):
        load_settings({"CUSTOMER_PLANS_LOCALE": "fr_FR"})


def test_environment_overrides(tmp_path):
    settings = load_settings({
        "CUSTOMER_PLANS_HOME": str(tmp_path),
        "PLANS_DB_URL": "postgresql+psycopg2://plans@db/plans",
        "CUSTOMER_PLANS_TIMEZONE": "Asia/Hong_Kong",
    })
    assert settings.core_banking_url == f"sqlite:///{tmp_path / 'data' / 'core_banking.db'}"
    assert settings.plans_db_url == "postgresql+psycopg2://plans@db/plans"
    assert settings.output_dir == tmp_path / "output"
    assert settings.timezone == "Asia/Hong_Kong"


@pytest.mark.parametrize(
    ("parts", "url"),
    [
        ({"conn_type": "sqlite", "host": "/srv/bank.db"}, "sqlite:////srv/bank.db"),
        (
            {"conn_type": "postgres", "host": "db", "login": "etl", "password": "p@ss",
             "port": 5432, "schema": "core"},
            "postgresql+psycopg2://etl:p%40ss@db:5432/core",
        ),
        ({"conn_type": "generic", "host": None, "extra": {"sqlalchemy_url": "sqlite://"}},
         "sqlite://"),
    ],
)
def test_url_from_connection(parts, url):
    assert url_from_connection(**parts) == url


def test_unsupported_connection_type_is_a_clear_error():
    with pytest.raises(ValueError, match="connection type 'mysql' is not supported"):
        url_from_connection("mysql", "db")


def test_airflow_environment_points_at_project_and_embedded_databases(tmp_path):
    env = airflow_environment(tmp_path / "af", {"CUSTOMER_PLANS_HOME": str(tmp_path)})
    assert env["AIRFLOW_HOME"] == str(tmp_path / "af")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(PROJECT_ROOT / "dags")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    core = json.loads(env["AIRFLOW_CONN_CORE_BANKING"])
    assert core == {"conn_type": "sqlite", "host": str(tmp_path / "data" / "core_banking.db")}
    assert Path(env["CUSTOMER_PLANS_OUTPUT_DIR"]) == tmp_path / "output"
    assert "AIRFLOW__CORE__UNIT_TEST_MODE" not in env
