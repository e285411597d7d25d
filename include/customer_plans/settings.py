"""Where things live, per environment: one small function, tested.

Every path and URL the pipeline uses comes from ``load_settings()``. Defaults
give the embedded set-up (SQLite files under ``data/``, outputs under
``output/``); environment variables switch to production (PostgreSQL, object
storage), the same names the Airflow connections use.

Every setting is read here and nowhere else: the DAG file, the stages and the Airflow
glue take ``load_settings()`` (or a run context's ``settings``), never ``os.environ``. A
value that cannot be used is refused here with a ``SettingsError`` naming the variable,
its value and what is expected, before any stage runs.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INCLUDE_DIR = PROJECT_ROOT / "include"
SQL_DIR = INCLUDE_DIR / "sql"
TEMPLATES_DIR = INCLUDE_DIR / "templates"
CONFIG_DIR = INCLUDE_DIR / "config"
DEFAULT_RULES_PATH = CONFIG_DIR / "rules.yaml"
# the languages readers read (customer_plans.words.languages) and their gettext catalogues
LANGUAGES_PATH = CONFIG_DIR / "languages.yaml"
LOCALE_DIR = INCLUDE_DIR / "locale"

# The bank's language (a configured language of LANGUAGES_PATH, or a roster locale naming
# one): the language of a reader whose own is not on record.
DEFAULT_LOCALE = "zh_CN"

# The domains plans and roll-ups may be mailed to (the embedded default: the demo bank's).
# An entry with a leading dot (".bank.example") also admits that domain's subdomains.
DEFAULT_MAIL_DOMAINS = ("bank.example",)
# How delivery hands messages over: "outbox" (.eml files) or "smtp" (the smtp_plans
# connection). Explicit, never inferred: a broken SMTP set-up is an error, not the outbox.
DELIVERY_MODES = ("outbox", "smtp")
DEFAULT_DELIVERY_MODE = "outbox"
# the bank's time zone: the schedule, the business date and the end-of-day deadline
DEFAULT_TIMEZONE = "Asia/Shanghai"
# render tasks running at once (one per free core or Celery worker slot)
DEFAULT_RENDER_SLOTS = 2
# by when, bank time, on the morning after a business date the core system must have closed it
DEFAULT_EOD_DEADLINE = time(5, 30)
# seconds between attempts at a message after a transient mail failure (then the run stops)
DEFAULT_SMTP_RETRY_DELAYS = (2.0, 5.0, 15.0, 30.0)
SMTP_URL_FORM = "smtp://[user:pass@]host[:port][?security=starttls|ssl|none]"


class SettingsError(ValueError):
    """A setting's value cannot be used: the message names the variable, the value and what
    is expected."""


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
    render_slots: int = DEFAULT_RENDER_SLOTS  # render tasks at once; at least as many batches
    eod_deadline: time = DEFAULT_EOD_DEADLINE  # the core's close, bank time, the next morning
    # the sender of plans and roll-ups (and of alerts); None: the relay's from_email, else
    # customer_plans.deliver.DEFAULT_SENDER
    mail_from: str | None = None
    # the command line's mail relay (SMTP_URL_FORM); it may hold a password: not in repr
    smtp_url: str | None = field(default=None, repr=False)
    smtp_retry_delays: tuple[float, ...] = DEFAULT_SMTP_RETRY_DELAYS
    operators_email: tuple[str, ...] = ()  # failure alerts' recipients (with smtp_alerts)

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
    ``CUSTOMER_PLANS_MAIL_DOMAINS`` (comma-separated) / ``CUSTOMER_PLANS_DELIVERY`` /
    ``CUSTOMER_PLANS_RENDER_SLOTS`` / ``CUSTOMER_PLANS_EOD_DEADLINE`` /
    ``CUSTOMER_PLANS_MAIL_FROM`` / ``CUSTOMER_PLANS_SMTP_URL`` /
    ``CUSTOMER_PLANS_SMTP_RETRY_DELAYS`` / ``CUSTOMER_PLANS_OPERATORS_EMAIL``
    (comma-separated) override one thing each. An unknown locale, time zone or delivery
    mode, an empty domain list, or any other value that cannot be used is refused here
    (``SettingsError``), before any stage runs.
    """
    env = os.environ if env is None else env
    home = Path(env.get("CUSTOMER_PLANS_HOME", str(PROJECT_ROOT)))
    data_dir = home / "data"
    locale = env.get("CUSTOMER_PLANS_LOCALE", DEFAULT_LOCALE)
    # whether it names a configured language is the start-up check's (customer_plans.words.
    # check): reading the languages file here would weigh on every parse of the DAG file
    domains = tuple(
        d.strip().lower() for d in env.get("CUSTOMER_PLANS_MAIL_DOMAINS", "").split(",")
        if d.strip()
    ) or DEFAULT_MAIL_DOMAINS
    if "CUSTOMER_PLANS_MAIL_DOMAINS" in env and not env["CUSTOMER_PLANS_MAIL_DOMAINS"].strip():
        raise SettingsError(
            "CUSTOMER_PLANS_MAIL_DOMAINS is set but empty: name the bank's mail domains "
            "(comma-separated), or unset it for the default"
        )
    mode = env.get("CUSTOMER_PLANS_DELIVERY", DEFAULT_DELIVERY_MODE).strip().lower()
    if mode not in DELIVERY_MODES:
        raise SettingsError(
            f"CUSTOMER_PLANS_DELIVERY is {mode!r}; it must be one of {', '.join(DELIVERY_MODES)}"
        )
    return Settings(
        core_banking_url=env.get("CORE_BANKING_URL", sqlite_url(data_dir / "core_banking.db")),
        plans_db_url=env.get("PLANS_DB_URL", sqlite_url(data_dir / "plans.db")),
        output_dir=Path(env.get("CUSTOMER_PLANS_OUTPUT_DIR", str(home / "output"))),
        rules_path=Path(env.get("CUSTOMER_PLANS_RULES", str(DEFAULT_RULES_PATH))),
        timezone=_timezone(env),
        locale=locale,
        mail_domains=domains,
        delivery_mode=mode,
        render_slots=_render_slots(env),
        eod_deadline=_eod_deadline(env),
        mail_from=_mail_from(env),
        smtp_url=_smtp_url(env),
        smtp_retry_delays=_smtp_retry_delays(env),
        operators_email=_operators_email(env),
    )


def _timezone(env) -> str:
    name = env.get("CUSTOMER_PLANS_TIMEZONE", DEFAULT_TIMEZONE).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SettingsError(
            f"CUSTOMER_PLANS_TIMEZONE is {name!r}; it must be an IANA time zone name such as "
            f"{DEFAULT_TIMEZONE} (the default) or Asia/Hong_Kong: the bank's time zone, which "
            "the schedule, the business date and the end-of-day deadline follow"
        ) from None
    return name


def _render_slots(env) -> int:
    if "CUSTOMER_PLANS_RENDER_SLOTS" not in env:
        return DEFAULT_RENDER_SLOTS
    text = env["CUSTOMER_PLANS_RENDER_SLOTS"]
    try:
        slots = int(text.strip())
    except ValueError:
        slots = 0
    if slots < 1:
        raise SettingsError(
            f"CUSTOMER_PLANS_RENDER_SLOTS is {text!r}; it must be a whole number, 1 or more: "
            "how many render tasks run at once (free cores, or Celery worker slots; "
            f"default {DEFAULT_RENDER_SLOTS})"
        )
    return slots


def _eod_deadline(env) -> time:
    if "CUSTOMER_PLANS_EOD_DEADLINE" not in env:
        return DEFAULT_EOD_DEADLINE
    text = env["CUSTOMER_PLANS_EOD_DEADLINE"]
    try:
        deadline = time.fromisoformat(text.strip())
    except ValueError:
        deadline = None
    if deadline is None or deadline.tzinfo is not None:
        raise SettingsError(
            f"CUSTOMER_PLANS_EOD_DEADLINE is {text!r}; it must be a time of day like "
            f"{DEFAULT_EOD_DEADLINE:%H:%M} (the default; 24-hour HH:MM in the bank's time zone, "
            "no offset): by when, on the morning after a business date, the core system must "
            "have closed it"
        )
    return deadline


def _address(name: str, value: str, expected: str) -> str:
    """``value`` as delivery will use it, or a ``SettingsError`` (the same check delivery
    makes; imported only when an address is set)."""
    from customer_plans.recipients import check_address

    checked = check_address(value, (value.rpartition("@")[2],))
    if not checked.usable:
        raise SettingsError(f"{name} has {value!r}, which is not a valid email address; "
                            f"{expected}")
    return checked.address


def _mail_from(env) -> str | None:
    sender = env.get("CUSTOMER_PLANS_MAIL_FROM", "").strip()
    if not sender:
        return None
    return _address(
        "CUSTOMER_PLANS_MAIL_FROM", sender,
        "it must be one bare address such as customer-plans@bank.example, the sender of "
        "plans, roll-ups and alerts (unset: the mail connection's from_email, else "
        "customer-plans@bank.example)")


def _operators_email(env) -> tuple[str, ...]:
    text = env.get("CUSTOMER_PLANS_OPERATORS_EMAIL", "")
    return tuple(
        _address("CUSTOMER_PLANS_OPERATORS_EMAIL", part.strip(),
                 "it must be the operators' addresses, comma-separated, such as "
                 "data-platform@bank.example,oncall@bank.example (unset or empty: failure "
                 "alerts are written under output/alerts/)")
        for part in text.split(",") if part.strip()
    )


def _masked_url(url: str) -> str:
    """``url`` with any user name and password (everything up to the last ``@``) hidden."""
    return re.sub(r"^([^:/@]*://)?.*@", lambda m: f"{m.group(1) or ''}***@", url, flags=re.S)


def _smtp_url(env) -> str | None:
    url = env.get("CUSTOMER_PLANS_SMTP_URL", "").strip()
    if not url:
        return None
    from customer_plans.mail import SmtpSettings, TransportConfigError

    try:
        SmtpSettings.from_url(url)
    except TransportConfigError as exc:
        detail = str(exc).removeprefix("CUSTOMER_PLANS_SMTP_URL").lstrip(": ")
        raise SettingsError(
            f"CUSTOMER_PLANS_SMTP_URL is {_masked_url(url)!r}, which cannot be used ({detail}); "
            f"it must look like {SMTP_URL_FORM} (smtps:// for SSL): the command line's mail "
            "relay (unset: none)"
        ) from None
    return url


def _smtp_retry_delays(env) -> tuple[float, ...]:
    text = env.get("CUSTOMER_PLANS_SMTP_RETRY_DELAYS", "").strip()
    if not text:
        return DEFAULT_SMTP_RETRY_DELAYS
    try:
        delays = tuple(float(part) for part in text.split(","))
    except ValueError:
        delays = ()
    if not delays or not all(math.isfinite(d) and d >= 0 for d in delays):
        raise SettingsError(
            f"CUSTOMER_PLANS_SMTP_RETRY_DELAYS is {text!r}; it must be the seconds to wait "
            "between attempts after a transient mail failure, comma-separated numbers of 0 or "
            f"more, like {','.join(f'{d:g}' for d in DEFAULT_SMTP_RETRY_DELAYS)} (the default)"
        )
    return delays


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
