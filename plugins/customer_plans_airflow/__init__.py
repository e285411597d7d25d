"""Airflow-side glue for customer-plans: connections, the end-of-day deadline, alerts.

Everything here is small and imports Airflow; the business logic stays in the
``customer_plans`` package, which imports nothing from Airflow.
"""
