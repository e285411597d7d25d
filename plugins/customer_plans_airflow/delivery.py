"""The SMTP transport for plans and branch roll-ups, from the ``smtp_plans`` Airflow connection."""

from __future__ import annotations

PLANS_CONN_ID = "smtp_plans"


def smtp_transport():
    """A callable that sends one ``customer_plans.deliver.PlanEmail`` (a manager's plan or a
    branch head's roll-up) through the ``smtp_plans`` connection, or None when it is not set
    (the messages then go to the outbox)."""
    from customer_plans_airflow.connections import has_connection

    if not has_connection(PLANS_CONN_ID):
        return None

    def send(email) -> None:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        with SmtpHook(smtp_conn_id=PLANS_CONN_ID) as hook:
            hook.send_email_smtp(
                to=[email.to],
                subject=email.subject,
                html_content=email.html,
                from_email=email.sender,
                files=[str(email.pdf_path)],
                custom_headers=email.headers,
            )

    return send
