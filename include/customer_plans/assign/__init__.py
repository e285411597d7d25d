"""Assign: each manager's prioritized contact list for the day (who, why now, how, what to say).

``assign_contacts`` is the pure core (frames in, frames out); ``run_assignment`` reads the
plans database and staging for a batch of branches and writes ``plan_contacts``,
``plan_exclusions`` and ``plan_feedback``; ``branch_batches`` splits the branches for
dynamic task mapping. Nothing here imports Airflow.
"""

from customer_plans.assign.inputs import AssignmentError
from customer_plans.assign.plan import assign_contacts
from customer_plans.assign.run import branch_batches, run_assignment

__all__ = ["AssignmentError", "assign_contacts", "branch_batches", "run_assignment"]
