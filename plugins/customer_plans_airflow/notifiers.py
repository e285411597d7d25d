"""Operator alerts on failure: by email when an SMTP connection is set, else to a file."""

from __future__ import annotations

from pathlib import Path

from airflow.sdk import BaseNotifier

ALERT_CONN_ID = "smtp_alerts"


class OperatorAlertNotifier(BaseNotifier):
    """Tell the data platform operators which task failed and why.

    The message carries the task's error (for data-quality failures: table, rule,
    row count and example keys), never customer details. Sent through the
    ``smtp_alerts`` connection to ``CUSTOMER_PLANS_OPERATORS_EMAIL``; without that
    connection it is written under ``output/alerts/`` so it is never lost.
    """

    template_fields = ()

    def notify(self, context) -> None:
        from customer_plans.alerts import alert_text

        ti = context.get("ti") or context.get("task_instance")
        dag_run = context.get("dag_run")
        subject, body = alert_text(
            dag_id=getattr(dag_run, "dag_id", "?"),
            run_id=getattr(dag_run, "run_id", "?"),
            task_id=getattr(ti, "task_id", "?"),
            map_index=getattr(ti, "map_index", -1),
            error=context.get("exception"),
        )
        send_to_operators(subject, body, self.log)


def send_to_operators(subject: str, body: str, log) -> None:
    """Through the ``smtp_alerts`` connection to ``CUSTOMER_PLANS_OPERATORS_EMAIL``; without
    them, as a file under ``output/alerts/`` so that it is never lost."""
    from customer_plans.alerts import write_alert
    from customer_plans.settings import load_settings

    from customer_plans_airflow.connections import has_connection

    settings = load_settings()
    if has_connection(ALERT_CONN_ID) and settings.operators_email:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        with SmtpHook(smtp_conn_id=ALERT_CONN_ID) as hook:
            hook.send_email_smtp(
                to=list(settings.operators_email),
                subject=subject,
                html_content=f"<pre>{_escape(body)}</pre>",
                from_email=settings.mail_from,
            )
        return
    path = write_alert(Path(settings.output_dir) / "alerts", subject, body)
    log.warning("No %s connection or recipients: alert written to %s", ALERT_CONN_ID, path)


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
