"""A run context for tests: its folders under a test's own directory, its rules in hand."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from customer_plans.rules import Rules
from customer_plans.run_context import RunContext
from customer_plans.settings import load_settings


def run_context(
    root: Path,
    business_date: date,
    rules: Rules | None = None,
    *,
    plans_db_url: str | None = None,
    core_banking_url: str | None = None,
    **env: str,
) -> RunContext:
    """A ``RunContext`` for ``business_date`` whose output folders are under ``root``.

    Its staging folder is ``root/staging/<business_date>`` (the quality, plans, outbox and
    audit folders alike), its databases are ``plans_db_url`` and ``core_banking_url`` (else
    files under ``root/data``), and it is run by ``rules`` (None: the rules file). ``env``
    sets further settings by their environment variables.
    """
    settings = load_settings({"CUSTOMER_PLANS_HOME": str(root),
                              "CUSTOMER_PLANS_OUTPUT_DIR": str(root), **env})
    urls = {"plans_db_url": plans_db_url, "core_banking_url": core_banking_url}
    settings = dataclasses.replace(settings, **{k: v for k, v in urls.items() if v is not None})
    return RunContext(business_date, settings, loaded_rules=rules)
