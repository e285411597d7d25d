"""Environment switching: embedded defaults, overrides, and Airflow connections to URLs."""

import json
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest
from customer_plans.devenv import airflow_environment
from customer_plans.settings import (
    PROJECT_ROOT,
    SettingsError,
    load_settings,
    url_from_connection,
)


def test_embedded_defaults_are_sqlite_files_in_the_project():
    settings = load_settings({})
    assert settings.core_banking_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'core_banking.db'}"
    assert settings.plans_db_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'plans.db'}"
    assert settings.output_dir == PROJECT_ROOT / "output"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.locale == "zh_CN"


def test_the_banks_locale_is_a_setting_and_one_naming_no_language_fails_at_start_up(
        bank_rules):
    from customer_plans.words import CatalogueError
    from customer_plans.words.check import check_words

    assert load_settings({"CUSTOMER_PLANS_LOCALE": "en"}).locale == "en"
    locale = load_settings({"CUSTOMER_PLANS_LOCALE": "fr_FR"}).locale
    with pytest.raises(CatalogueError, match="CUSTOMER_PLANS_LOCALE='fr_FR' is none of the "
                                             "configured languages en, zh_CN"):
        check_words(bank_rules, bank_locale=locale)


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


# -- the settings read elsewhere before (delivery, the DAG file, the alerts) -----------------

def test_every_moved_setting_has_its_documented_default():
    settings = load_settings({})
    assert settings.timezone == "Asia/Shanghai"
    assert settings.render_slots == 2
    assert settings.eod_deadline == time(5, 30)
    assert settings.mail_from is None  # the relay's from_email, else customer-plans@bank.example
    assert settings.smtp_url is None
    assert settings.smtp_retry_delays == (2.0, 5.0, 15.0, 30.0)
    assert settings.operators_email == ()


def test_delivery_shares_the_settings_defaults():
    from customer_plans.deliver import DEFAULT_SENDER, RETRY_DELAYS

    settings = load_settings({})
    assert RETRY_DELAYS == settings.smtp_retry_delays
    assert DEFAULT_SENDER == "customer-plans@bank.example"  # the README's default


@pytest.mark.parametrize(("name", "value", "attribute", "expected"), [
    ("CUSTOMER_PLANS_TIMEZONE", "Asia/Hong_Kong", "timezone", "Asia/Hong_Kong"),
    ("CUSTOMER_PLANS_RENDER_SLOTS", "4", "render_slots", 4),
    ("CUSTOMER_PLANS_RENDER_SLOTS", " 3 ", "render_slots", 3),
    ("CUSTOMER_PLANS_EOD_DEADLINE", "06:15", "eod_deadline", time(6, 15)),
    ("CUSTOMER_PLANS_MAIL_FROM", " plans.desk@bank.example ", "mail_from",
     "plans.desk@bank.example"),
    ("CUSTOMER_PLANS_MAIL_FROM", "", "mail_from", None),
    ("CUSTOMER_PLANS_SMTP_URL", "smtp://relay.bank.example:2525?security=none", "smtp_url",
     "smtp://relay.bank.example:2525?security=none"),
    ("CUSTOMER_PLANS_SMTP_URL", "", "smtp_url", None),
    ("CUSTOMER_PLANS_SMTP_RETRY_DELAYS", "0.5, 1,0", "smtp_retry_delays", (0.5, 1.0, 0.0)),
    ("CUSTOMER_PLANS_SMTP_RETRY_DELAYS", "", "smtp_retry_delays", (2.0, 5.0, 15.0, 30.0)),
    ("CUSTOMER_PLANS_OPERATORS_EMAIL", "ops@bank.example, oncall@bank.example,",
     "operators_email", ("ops@bank.example", "oncall@bank.example")),
    # docker-compose passes it empty when it is not set: no recipients, alerts go to a file
    ("CUSTOMER_PLANS_OPERATORS_EMAIL", "", "operators_email", ()),
])
def test_a_moved_setting_is_overridden_by_its_variable(name, value, attribute, expected):
    assert getattr(load_settings({name: value}), attribute) == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CUSTOMER_PLANS_TIMEZONE", "Asia/Shangai",
     "CUSTOMER_PLANS_TIMEZONE is 'Asia/Shangai'; it must be an IANA time zone name such as "
     "Asia/Shanghai (the default) or Asia/Hong_Kong"),
    ("CUSTOMER_PLANS_TIMEZONE", "", "CUSTOMER_PLANS_TIMEZONE is ''; it must be an IANA"),
    ("CUSTOMER_PLANS_RENDER_SLOTS", "two",
     "CUSTOMER_PLANS_RENDER_SLOTS is 'two'; it must be a whole number, 1 or more"),
    ("CUSTOMER_PLANS_RENDER_SLOTS", "0",
     "CUSTOMER_PLANS_RENDER_SLOTS is '0'; it must be a whole number, 1 or more"),
    ("CUSTOMER_PLANS_EOD_DEADLINE", "half past five",
     "CUSTOMER_PLANS_EOD_DEADLINE is 'half past five'; it must be a time of day like 05:30"),
    ("CUSTOMER_PLANS_EOD_DEADLINE", "05:30+08:00",
     "CUSTOMER_PLANS_EOD_DEADLINE is '05:30+08:00'; it must be a time of day like 05:30"),
    ("CUSTOMER_PLANS_MAIL_FROM", "Customer Plans <plans@bank.example>",
     "CUSTOMER_PLANS_MAIL_FROM has 'Customer Plans <plans@bank.example>', which is not a valid "
     "email address; it must be one bare address such as customer-plans@bank.example"),
    ("CUSTOMER_PLANS_OPERATORS_EMAIL", "ops@bank.example;oncall@bank.example",
     "CUSTOMER_PLANS_OPERATORS_EMAIL has 'ops@bank.example;oncall@bank.example', which is not "
     "a valid email address; it must be the operators' addresses, comma-separated"),
    ("CUSTOMER_PLANS_SMTP_URL", "http://relay.bank.example",
     "CUSTOMER_PLANS_SMTP_URL is 'http://relay.bank.example', which cannot be used (must start "
     "with smtp:// or smtps://); it must look like "
     "smtp://[user:pass@]host[:port][?security=starttls|ssl|none]"),
    ("CUSTOMER_PLANS_SMTP_URL", "smtp://relay.bank.example?security=tls",
     "CUSTOMER_PLANS_SMTP_URL is 'smtp://relay.bank.example?security=tls', which cannot be "
     "used (security 'tls' is not one of"),
    ("CUSTOMER_PLANS_SMTP_RETRY_DELAYS", "2,five",
     "CUSTOMER_PLANS_SMTP_RETRY_DELAYS is '2,five'; it must be the seconds to wait between "
     "attempts after a transient mail failure, comma-separated numbers of 0 or more, like "
     "2,5,15,30 (the default)"),
    ("CUSTOMER_PLANS_SMTP_RETRY_DELAYS", "5,-1", "CUSTOMER_PLANS_SMTP_RETRY_DELAYS is '5,-1';"),
    ("CUSTOMER_PLANS_SMTP_RETRY_DELAYS", "nan", "CUSTOMER_PLANS_SMTP_RETRY_DELAYS is 'nan';"),
])
def test_a_bad_value_is_refused_in_one_paragraph_naming_variable_value_and_expectation(
    name, value, message
):
    with pytest.raises(SettingsError) as refused:
        load_settings({name: value})
    text = str(refused.value)
    assert text.startswith(message), text
    assert "\n" not in text
    assert isinstance(refused.value, ValueError)  # callers catching ValueError still do


def test_a_bad_smtp_url_never_shows_its_password():
    with pytest.raises(SettingsError, match="port 99999 is out of range|Port out of range") as bad:
        load_settings({"CUSTOMER_PLANS_SMTP_URL": "smtp://relay:s3cr@t!@relay.bank.example:99999"})
    assert "s3cr" not in str(bad.value) and "t!" not in str(bad.value)
    assert "'smtp://***@relay.bank.example:99999'" in str(bad.value)
    settings = load_settings({"CUSTOMER_PLANS_SMTP_URL": "smtp://relay:s3cret@relay.bank.example"})
    assert settings.smtp_url == "smtp://relay:s3cret@relay.bank.example"
    assert "s3cret" not in repr(settings)


def test_reading_the_settings_stays_light_for_the_dag_file():
    # the DAG file calls load_settings() at parse time
    code = (
        "import json, sys\n"
        "from customer_plans.settings import load_settings\n"
        "load_settings({'CUSTOMER_PLANS_MAIL_FROM': 'a@bank.example',\n"
        "               'CUSTOMER_PLANS_OPERATORS_EMAIL': 'b@bank.example',\n"
        "               'CUSTOMER_PLANS_SMTP_URL': 'smtp://relay.bank.example'})\n"
        "heavy = ['pandas', 'numpy', 'pyarrow', 'sqlalchemy', 'yaml', 'pydantic', 'scipy',\n"
        "         'great_expectations', 'weasyprint', 'customer_plans.quality']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert json.loads(done.stdout) == []
