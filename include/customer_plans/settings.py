"""Where things live, per environment: one small function, tested.

Every path and URL the pipeline uses comes from ``load_settings()``. Defaults
give the embedded set-up (SQLite files under ``data/``, outputs under
``output/``); environment variables switch to production (PostgreSQL, object
storage), the same names the Airflow connections use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INCLUDE_DIR = PROJECT_ROOT / "include"
SQL_DIR = INCLUDE_DIR / "sql"
TEMPLATES_DIR = INCLUDE_DIR / "templates"
CONFIG_DIR = INCLUDE_DIR / "config"
DEFAULT_RULES_PATH = CONFIG_DIR / "rules.yaml"

# The languages plans, roll-ups and emails are written in, as the source contract spells
# them (managers.locale, branches.locale); the bank's own is the default for a reader
# whose language is not on record.
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"

# The domains plans and roll-ups may be mailed to (the embedded default: the demo bank's).
# An entry with a leading dot (".bank.example") also admits that domain's subdomains.
DEFAULT_MAIL_DOMAINS = ("bank.example",)
# How delivery hands messages over: "outbox" (.eml files) or "smtp" (the smtp_plans
# connection). Explicit, never inferred: a broken SMTP set-up is an error, not the outbox.
DELIVERY_MODES = ("outbox", "smtp")
DEFAULT_DELIVERY_MODE = "outbox"


@dataclass(frozen=True)
class Settings:
    """Locations for one environment."""

    core_banking_url: str
    plans_db_url: str
    output_dir: Path
    rules_path: Path
    timezone: str
    locale: str = DEFAULT_LOCALE  # the bank's language: a reader's when theirs is not on record
    mail_domains: tuple[str, ...] = DEFAULT_MAIL_DOMAINS  # where documents may be mailed
    delivery_mode: str = DEFAULT_DELIVERY_MODE  # "outbox" or "smtp"

    @property
    def staging_root(self) -> Path:
        return self.output_dir / "staging"

    @property
    def plans_root(self) -> Path:
        return self.output_dir / "plans"

    @property
    def outbox_root(self) -> Path:
        return self.output_dir / "outbox"

    @property
    def quality_root(self) -> Path:
        return self.output_dir / "quality"

    @property
    def audit_root(self) -> Path:
        return self.output_dir / "audit"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from environment variables, with embedded defaults.

    ``CUSTOMER_PLANS_HOME`` moves the whole embedded set-up (data and output);
    ``CORE_BANKING_URL`` / ``PLANS_DB_URL`` / ``CUSTOMER_PLANS_OUTPUT_DIR`` /
    ``CUSTOMER_PLANS_RULES`` / ``CUSTOMER_PLANS_TIMEZONE`` / ``CUSTOMER_PLANS_LOCALE`` /
    ``CUSTOMER_PLANS_MAIL_DOMAINS`` (comma-separated) / ``CUSTOMER_PLANS_DELIVERY``
    override one thing each. An unknown locale or delivery mode, or an empty domain list,
    is refused here, before any stage runs.
    """
    env = os.environ if env is None else env
    home = Path(env.get("CUSTOMER_PLANS_HOME", str(PROJECT_ROOT)))
    data_dir = home / "data"
    locale = env.get("CUSTOMER_PLANS_LOCALE", DEFAULT_LOCALE)
    if locale not in LOCALES:
        raise ValueError(
            f"CUSTOMER_PLANS_LOCALE is {locale!r}; the bank's locale must be one of "
            f"{', '.join(LOCALES)}"
        )
    domains = tuple(
        d.strip().lower() for d in env.get("CUSTOMER_PLANS_MAIL_DOMAINS", "").split(",")
        if d.strip()
    ) or DEFAULT_MAIL_DOMAINS
    if "CUSTOMER_PLANS_MAIL_DOMAINS" in env and not env["CUSTOMER_PLANS_MAIL_DOMAINS"].strip():
        raise ValueError(
            "CUSTOMER_PLANS_MAIL_DOMAINS is set but empty: name the bank's mail domains "
            "(comma-separated), or unset it for the default"
        )
    mode = env.get("CUSTOMER_PLANS_DELIVERY", DEFAULT_DELIVERY_MODE).strip().lower()
    if mode not in DELIVERY_MODES:
        raise ValueError(
            f"CUSTOMER_PLANS_DELIVERY is {mode!r}; it must be one of {', '.join(DELIVERY_MODES)}"
        )
    return Settings(
        core_banking_url=env.get("CORE_BANKING_URL", sqlite_url(data_dir / "core_banking.db")),
        plans_db_url=env.get("PLANS_DB_URL", sqlite_url(data_dir / "plans.db")),
        output_dir=Path(env.get("CUSTOMER_PLANS_OUTPUT_DIR", str(home / "output"))),
        rules_path=Path(env.get("CUSTOMER_PLANS_RULES", str(DEFAULT_RULES_PATH))),
        timezone=env.get("CUSTOMER_PLANS_TIMEZONE", "Asia/Shanghai"),
        locale=locale,
        mail_domains=domains,
        delivery_mode=mode,
    )


def url_from_connection(
    conn_type: str,
    host: str | None,
    login: str | None = None,
    password: str | None = None,
    port: int | None = None,
    schema: str | None = None,
    extra: dict | None = None,
) -> str:
    """A SQLAlchemy URL from the parts of an Airflow connection.

    ``sqlite`` connections name the database file in ``host``; ``postgres``
    connections are the usual host/port/login/schema. An explicit
    ``sqlalchemy_url`` in the extras wins (for drivers not covered here).
    """
    from sqlalchemy.engine import URL

    extra = extra or {}
    if extra.get("sqlalchemy_url"):
        return str(extra["sqlalchemy_url"])
    if conn_type == "sqlite":
        if not host:
            raise ValueError("a sqlite connection needs the database file path in host")
        return sqlite_url(Path(host))
    if conn_type in ("postgres", "postgresql"):
        url = URL.create(
            "postgresql+psycopg2",
            username=login or None,
            password=password or None,
            host=host or None,
            port=port or None,
            database=schema or None,
        )
        return url.render_as_string(hide_password=False)
    raise ValueError(f"connection type {conn_type!r} is not supported (use sqlite or postgres)")
