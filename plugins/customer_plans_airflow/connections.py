"""Database URLs from Airflow connections, with the embedded defaults as fallback."""

from __future__ import annotations

import json


def database_url(conn_id: str, default: str) -> str:
    """The SQLAlchemy URL of Airflow connection ``conn_id``, or ``default`` when undefined."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException
    from customer_plans.settings import url_from_connection

    try:
        conn = Connection.get(conn_id)
    except AirflowNotFoundException:
        return default
    extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else json.loads(conn.extra or "{}")
    return url_from_connection(
        conn_type=conn.conn_type,
        host=conn.host,
        login=conn.login,
        password=conn.password,
        port=conn.port,
        schema=conn.schema,
        extra=extra,
    )


def has_connection(conn_id: str) -> bool:
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        Connection.get(conn_id)
    except AirflowNotFoundException:
        return False
    return True
