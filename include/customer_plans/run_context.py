"""Where one business date's run reads and writes: the context every stage takes.

Its own module, below ``pipeline`` and ``audit`` alike, so that neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from customer_plans.settings import Settings, load_settings


@dataclass(frozen=True)
class RunContext:
    """Where one business date's run reads and writes."""

    business_date: date
    settings: Settings = field(default_factory=load_settings)

    @property
    def staging_dir(self) -> Path:
        return self.settings.staging_root / self.business_date.isoformat()

    @property
    def quality_dir(self) -> Path:
        return self.settings.quality_root / self.business_date.isoformat()

    @property
    def plans_dir(self) -> Path:
        return self.settings.plans_root / self.business_date.isoformat()

    @property
    def outbox_dir(self) -> Path:
        return self.settings.outbox_root / self.business_date.isoformat()

    @property
    def audit_dir(self) -> Path:
        return self.settings.audit_root / self.business_date.isoformat()

    def rules(self):
        from customer_plans.rules import load_rules

        return load_rules(self.settings.rules_path)

    def calendar(self):
        from customer_plans.workdays import BankCalendar

        return BankCalendar.from_rules(self.rules())

    @property
    def plan_date(self) -> date | None:
        """The working day this business date's run plans; None when it serves none (then
        extract, validate, segment and record run, and nothing is assigned, rendered or sent)."""
        return self.calendar().plan_date(self.business_date)
