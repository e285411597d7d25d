"""Render each manager's plan (email HTML + PDF) and each branch's roll-up.

The DAG calls four functions:

- ``manager_batches(plans_db_url, business_date, managers_path, batch_size=50)``
- ``render_manager_batch(ctx, manager_ids)``
- ``rollup_batches(managers_path, n_batches)``
- ``render_branch_rollups(ctx, branch_ids=None)``

(``ctx``: the run's ``customer_plans.run_context.RunContext``.)

They are imported lazily so that importing this package (or its light modules, such as
``masking`` and ``quality_audience``) does not load WeasyPrint.
"""

from __future__ import annotations

from typing import Any

__all__ = ["manager_batches", "render_branch_rollups", "render_manager_batch", "rollup_batches"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from customer_plans.render import batch

        return getattr(batch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
