"""The mail relay for plans, roll-ups and pool lists, from the ``smtp_plans`` Airflow connection.

Whether mail goes out at all is the delivery mode (``CUSTOMER_PLANS_DELIVERY``), never the
presence of a connection: in ``smtp`` mode a connection that is missing, cannot be parsed
(a truncated ``AIRFLOW_CONN_SMTP_PLANS``) or holds a bad port is an error, not a quiet switch
to the outbox.
"""

from __future__ import annotations

import os

PLANS_CONN_ID = "smtp_plans"
ENV_VAR = f"AIRFLOW_CONN_{PLANS_CONN_ID.upper()}"


def smtp_settings():
    """``customer_plans.mail.SmtpSettings`` from the connection, or None when it is not
    defined anywhere. Raises ``TransportConfigError`` when it is defined but unusable.

    The connection's fields as Airflow's SMTP provider reads them: host, port, login,
    password; extra ``disable_ssl`` / ``disable_tls`` (both default false: SSL), ``timeout``,
    ``from_email``.
    """
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException
    from customer_plans.mail import SmtpSettings, TransportConfigError

    try:
        conn = Connection.get(PLANS_CONN_ID)
    except AirflowNotFoundException:
        if os.environ.get(ENV_VAR, "").strip():
            # the variable is there, so Airflow could not parse it (bad JSON, bad port)
            raise TransportConfigError(
                f"the {PLANS_CONN_ID} connection in {ENV_VAR} cannot be parsed (malformed JSON "
                "or URI, or a port that is not a number): fix it; nothing was sent") from None
        return None
    extra = conn.extra_dejson
    if conn.extra and not extra:
        raise TransportConfigError(f"the {PLANS_CONN_ID} connection's extra is not valid JSON")

    def flag(name: str) -> bool:
        return str(extra.get(name, False)).strip().lower() in ("true", "1", "yes")

    if flag("disable_ssl"):
        security = "none" if flag("disable_tls") else "starttls"
    else:
        security = "ssl"
    return SmtpSettings.build(
        conn.host, conn.port, security, conn.login, conn.password, extra.get("timeout"),
        extra.get("from_email"), source=f"the {PLANS_CONN_ID} connection",
    )
